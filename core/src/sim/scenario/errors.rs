//! Scenario errors: where (line and column, both from 1) and what ([`Problem`],
//! typed data a front end words in its language).

use core::fmt;

pub use super::problem::Problem;

/// One error in a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// Line, from 1.
    pub line: usize,
    /// Column (in characters), from 1.
    pub column: usize,
    /// What is wrong, as data (its `Display` is core's English).
    pub problem: Problem,
}

impl ScenarioError {
    /// An error at a position.
    pub fn new(line: usize, column: usize, problem: Problem) -> Self {
        ScenarioError {
            line,
            column,
            problem,
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.problem
        )
    }
}

impl std::error::Error for ScenarioError {}

/// Every error found in a scenario (parsing goes on after an error, line by line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioErrors {}

/// The candidate closest to `word` by edit distance, if close enough to be a
/// likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(word, c);
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    let limit = (word.chars().count() / 3).max(1);
    best.filter(|(d, _)| *d <= limit).map(|(_, c)| c)
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        core::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_publish_properties_are_the_tools_own() {
        assert_eq!(
            crate::tools::props::publish_property_names(),
            super::super::problem::PUBLISH_PROPERTIES
        );
    }

    #[test]
    fn suggestions_catch_typos_only() {
        assert_eq!(suggest("sensr1", ["sensor1", "sub1"]), Some("sensor1"));
        assert_eq!(suggest("xyz", ["sensor1", "sub1"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        let e = ScenarioError::new(
            4,
            12,
            Problem::UnknownNode {
                name: "sensr1".into(),
                suggestion: Some("sensor1".into()),
            },
        );
        assert_eq!(
            e.to_string(),
            "line 4, column 12: unknown node 'sensr1' (did you mean 'sensor1'?)"
        );
    }
}

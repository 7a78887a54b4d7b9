//! The workspace's and the inspector's own texts in the page's language: a
//! bundled scenario's comments, a shared link's and pasted hex's errors (the
//! scenario's errors are `scenario_errors.rs`).
//!
//! Comments:
//! A comment block in English (lines starting with `#`) may be followed at once
//! by its Portuguese, each line starting with `#pt`. The English page shows the
//! file without the `#pt` lines; the Portuguese page shows each translated block
//! in Portuguese instead of its English (`#pt` read as `#`), and an English block
//! with no translation as it is. Comments are all that changes: the scenario
//! runs the same either way.

use super::Lang;

/// Why pasted text is not hex bytes, in `lang`.
pub fn hex_error(lang: Lang, e: &mqttlab_core::hex::HexError) -> String {
    use mqttlab_core::hex::HexError;
    match (lang, e) {
        (Lang::En, e) => e.to_string(),
        (Lang::PtBr, HexError::BadChar { ch, line, column }) => {
            format!("{ch:?} não é um dígito hexadecimal (linha {line}, coluna {column})")
        }
        (Lang::PtBr, HexError::OddDigits { line }) => {
            format!("número ímpar de dígitos hexadecimais na linha {line}: um byte precisa de dois")
        }
        (Lang::PtBr, HexError::Empty) => "nenhum byte em hexadecimal".into(),
    }
}

/// Why a shared link could not be opened, in `lang`.
pub fn share_error(lang: Lang, e: &crate::route::ShareError) -> String {
    use crate::route::ShareError;
    match lang {
        Lang::En => e.to_string(),
        Lang::PtBr => match e {
            ShareError::NotBase64(why) => {
                format!("o cenário compartilhado está danificado ({why})")
            }
            ShareError::NotText => "o cenário compartilhado não é texto".into(),
            ShareError::NotANumber(k, v) => format!("'{k}={v}' não é um número"),
            ShareError::NoBundled(name) => format!("não há cenário pronto chamado '{name}'"),
        },
    }
}

/// Whether `line` is a Portuguese comment line.
fn is_pt(line: &str) -> bool {
    let t = line.trim_start();
    t == "#pt" || t.starts_with("#pt ")
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// `source` with its comments in `lang`.
pub fn scenario_comments(source: &str, lang: Lang) -> String {
    let lines: Vec<&str> = source.split('\n').collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if is_pt(line) {
            // A translation without its English block before it: as translated.
            if lang == Lang::PtBr {
                out.push(as_comment(line));
            }
            i += 1;
            continue;
        }
        if !is_comment(line) {
            out.push(line.to_string());
            i += 1;
            continue;
        }
        // An English block, and the Portuguese block right after it, if any.
        let start = i;
        while i < lines.len() && is_comment(lines[i]) && !is_pt(lines[i]) {
            i += 1;
        }
        let pt_start = i;
        while i < lines.len() && is_pt(lines[i]) {
            i += 1;
        }
        let (english, portuguese) = (&lines[start..pt_start], &lines[pt_start..i]);
        match lang {
            Lang::PtBr if !portuguese.is_empty() => {
                out.extend(portuguese.iter().map(|l| as_comment(l)))
            }
            _ => out.extend(english.iter().map(|l| l.to_string())),
        }
    }
    out.join("\n")
}

/// A `#pt` line as the plain comment it reads as.
fn as_comment(line: &str) -> String {
    let t = line.trim_start();
    let indent = &line[..line.len() - t.len()];
    let rest = &t[3..];
    format!("{indent}#{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "# Title\n#\n# Body.\n#pt Título\n#pt\n#pt Corpo.\n\nbroker b # inline\n# Untranslated\nrun 1s\n";

    #[test]
    fn each_language_sees_its_comments_and_the_same_scenario() {
        assert_eq!(
            scenario_comments(SOURCE, Lang::En),
            "# Title\n#\n# Body.\n\nbroker b # inline\n# Untranslated\nrun 1s\n"
        );
        assert_eq!(
            scenario_comments(SOURCE, Lang::PtBr),
            "# Título\n#\n# Corpo.\n\nbroker b # inline\n# Untranslated\nrun 1s\n"
        );
    }

    #[test]
    fn every_bundled_scenario_keeps_its_lines_in_both_languages() {
        use mqttlab_core::sim::bundled::BUNDLED;
        use mqttlab_core::sim::scenario;
        let statements = |s: &str| -> Vec<String> {
            s.lines()
                .filter(|l| !is_comment(l))
                .map(str::to_owned)
                .collect()
        };
        for b in BUNDLED {
            for lang in [Lang::En, Lang::PtBr] {
                let text = scenario_comments(b.source, lang);
                assert_eq!(statements(&text), statements(b.source), "{}", b.name);
                assert!(!text.contains("#pt"), "{}", b.name);
                assert!(scenario::parse(&text).is_ok(), "{}", b.name);
            }
        }
    }

    #[test]
    fn every_bundled_scenario_reads_in_portuguese() {
        use mqttlab_core::sim::bundled::BUNDLED;
        let mut report = Vec::new();
        for b in BUNDLED {
            let lines: Vec<&str> = b.source.split('\n').collect();
            for (i, l) in lines.iter().enumerate() {
                let next = lines.get(i + 1).copied().unwrap_or("");
                // The last line of an English block: its translation follows.
                if is_comment(l) && !is_pt(l) && !is_comment(next) {
                    report.push(format!("{}:{}: no #pt block after it", b.name, i + 1));
                }
                if is_pt(l) {
                    let words = super::super::scenario_errors::english_words(&as_comment(l));
                    if !words.is_empty() {
                        report.push(format!("{}:{}: English {words:?}", b.name, i + 1));
                    }
                }
            }
        }
        assert!(report.is_empty(), "{}", report.join("\n"));
    }
}

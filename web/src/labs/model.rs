//! What a lab file holds (the format is described in `static/labs/README.md`):
//! plain data, with no dependency on the rest of the app, because `build.rs`
//! reads the TOML files into these same types at build time and the app gets
//! them ready to use ([`super::all`]), without a TOML parser in the page.

use serde::{Deserialize, Serialize};

/// A sentence in both languages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bilingual {
    /// English.
    pub en: String,
    /// Brazilian Portuguese.
    pub pt: String,
}

/// One step of a lab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// What to do.
    pub text: Bilingual,
    /// The terminal to type into.
    #[serde(default)]
    pub terminal: Option<String>,
    /// The command to type there.
    #[serde(default)]
    pub command: Option<String>,
    /// A control to press instead (`kill sensor1`).
    #[serde(default)]
    pub control: Option<String>,
    /// Or a fault rule to arm in the Fault rule field (`stall aba for 20s`).
    #[serde(default)]
    pub fault: Option<String>,
    /// How long the clock runs after the action (`12s`).
    #[serde(default)]
    pub run: Option<String>,
    /// The expectation that says the step is done.
    pub check: String,
    /// A hint.
    #[serde(default)]
    pub hint: Option<Bilingual>,
    /// A question asked before the action.
    #[serde(default)]
    pub predict: Option<Bilingual>,
    /// Its options.
    #[serde(default)]
    pub options: Vec<Bilingual>,
    /// The index of the right option.
    #[serde(default)]
    pub answer: Option<usize>,
    /// A fork the step offers once done: the run branched where the step's
    /// action was done, with something else done there.
    #[serde(default)]
    pub what_if: Option<WhatIf>,
}

/// "What if…" on a lab step: the lab's world forked at the moment the step's
/// action (its command, control or fault rule) was done, with `changes` there
/// instead, both runs side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhatIf {
    /// The question the button asks.
    pub text: Bilingual,
    /// What the fork does instead, one change per line in a fork link's words
    /// (`control sensor1 disconnect`, `command monitor mosquitto_sub ...`,
    /// `link sensor1 20 10`; [`crate::sim::fork_link`]).
    pub changes: Vec<String>,
    /// What to look at once both runs are there.
    pub note: Bilingual,
}

/// A question a sweep lab asks before its sweep runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// The question.
    pub predict: Bilingual,
    /// Its options.
    pub options: Vec<Bilingual>,
    /// The index of the right one (the tests check the sweep agrees).
    pub answer: usize,
}

/// A lab whose experiment is a sweep: predictions, then the sweep, then its
/// table and chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepLab {
    /// The bundled sweep (`static/sweeps/NAME.mqtt`).
    pub name: String,
    /// Seeds per combination.
    pub seeds: u64,
    /// Asked before it runs.
    pub questions: Vec<Question>,
}

/// A guided lab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lab {
    /// Stable id, for progress and URLs.
    pub id: String,
    /// Whether the course text has this experiment.
    #[serde(default)]
    pub course: bool,
    /// The scenario the lab's world starts from (none for a sweep lab).
    #[serde(default)]
    pub world: String,
    /// Title.
    pub title: Bilingual,
    /// What the student will learn.
    pub goal: Bilingual,
    /// The steps, in order (none for a sweep lab).
    #[serde(default)]
    pub steps: Vec<Step>,
    /// A sweep lab's sweep and questions.
    #[serde(default)]
    pub sweep: Option<SweepLab>,
    /// What happened and why, shown at the end.
    pub explanation: Bilingual,
    /// The normative statements the lab lets a student see (`MQTT-3.1.2-8`,
    /// numbered at the level of the lab's connections): each is judged and
    /// held by the time its steps are done (tested below).
    #[serde(default)]
    pub statements: Vec<String>,
}

/// What the labs list shows of a lab (its card): the page's first load carries
/// these, and the labs' texts come with the pages module.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Card {
    /// The lab's id.
    pub id: String,
    /// Whether the course text has this experiment.
    pub course: bool,
    /// Title.
    pub title: Bilingual,
    /// What the student will learn.
    pub goal: Bilingual,
    /// How many steps progress counts: a sweep lab's one is its sweep.
    pub steps: usize,
}

impl Lab {
    /// How many steps progress counts: a sweep lab's one is its sweep.
    pub fn step_count(&self) -> usize {
        if self.sweep.is_some() {
            1
        } else {
            self.steps.len()
        }
    }

    /// The lab's card in the labs list.
    pub fn card(&self) -> Card {
        Card {
            id: self.id.clone(),
            course: self.course,
            title: self.title.clone(),
            goal: self.goal.clone(),
            steps: self.step_count(),
        }
    }
}

/// `static/labs/index.toml`: the labs in teaching order.
#[derive(Debug, Deserialize)]
pub struct Index {
    /// Lab ids.
    pub labs: Vec<String>,
}

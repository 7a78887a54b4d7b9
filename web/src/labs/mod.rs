//! Guided labs: the TOML files of `static/labs/`, read at build time
//! (`build.rs`) into [`model`]'s types and embedded in the app, and the
//! student's progress through them.
//!
//! The file format is described in `static/labs/README.md`.

pub mod model;
pub mod progress;

pub use model::{Bilingual, Card, Lab, Question, Step, SweepLab, WhatIf};

use std::sync::OnceLock;

use mqttlab_core::sim::scenario::units::parse_duration;

use crate::i18n::Lang;
use crate::session::{Control, Session};
use crate::sim::protocol::Change;

impl Bilingual {
    /// The sentence in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::PtBr => &self.pt,
        }
    }
}

impl WhatIf {
    /// The changes, read.
    pub fn parsed(&self) -> Result<Vec<Change>, String> {
        self.changes
            .iter()
            .map(|c| crate::sim::fork_link::parse_change(c))
            .collect()
    }
}

/// What a step does to the world, as the page records it (what a fork of the
/// step finds its moment by).
pub fn step_change(step: &Step) -> Option<Change> {
    match (&step.terminal, &step.command, &step.control, &step.fault) {
        (Some(node), Some(line), _, _) => Some(Change::Command {
            node: node.clone(),
            line: line.clone(),
        }),
        (_, _, Some(control), _) => {
            let (word, node) = control.split_once(' ')?;
            Some(Change::Control {
                node: node.trim().to_string(),
                control: Control::from_word(word)?,
            })
        }
        (_, _, _, Some(rule)) => Some(Change::Fault { line: rule.clone() }),
        _ => None,
    }
}

impl SweepLab {
    /// The sweep's scenario.
    pub fn source(&self) -> Option<&'static str> {
        mqttlab_core::sim::sweep::bundled::find(&self.name).map(|b| b.source)
    }
}

/// Every lab in teaching order, as `build.rs` read them from their TOML files
/// (a file that does not parse, or that `index.toml` does not list, fails the
/// build), in bincode.
const LABS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/labs.bincode"));

/// Every lab, in teaching order: read once, on the first call (the teacher's
/// roster names a lab per student at every redraw).
pub fn all() -> &'static [Lab] {
    static ALL: OnceLock<Vec<Lab>> = OnceLock::new();
    // Written by build.rs from these same types: it always reads back.
    ALL.get_or_init(|| bincode::deserialize(LABS).unwrap_or_default())
}

/// Every lab's card, in teaching order (`build.rs` writes them apart from the
/// labs, so that the labs list, the page's first load, carries no lab's steps).
const CARDS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/lab_cards.bincode"));

/// Every lab's card, in teaching order.
pub fn cards() -> Vec<Card> {
    // Written by build.rs from these same types: it always reads back.
    bincode::deserialize(CARDS).unwrap_or_default()
}

/// The lab with this id.
pub fn find(id: &str) -> Option<&'static Lab> {
    all().iter().find(|l| l.id == id)
}

/// Does what a step asks (types its command or presses its control) and runs the
/// clock for its `run` time: how a shared link replays the steps before the one it
/// opens at.
pub fn perform(session: &mut Session, step: &Step) -> Result<(), String> {
    match (&step.terminal, &step.command, &step.control) {
        (Some(term), Some(cmd), _) => session.command(term, cmd)?,
        (_, _, Some(control)) => {
            let (word, node) = control
                .split_once(' ')
                .ok_or_else(|| format!("'{control}' names no node"))?;
            let c = Control::from_word(word).ok_or_else(|| format!("no control '{word}'"))?;
            session.control(node.trim(), c)?;
        }
        _ => {
            if let Some(rule) = &step.fault {
                session.fault(rule)?;
            }
        }
    }
    if let Some(d) = step.run.as_deref().and_then(parse_duration) {
        let to = session.now() + d;
        session.run_until(to);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::model::Index;
    use super::*;

    include!(concat!(env!("OUT_DIR"), "/lab_files.rs"));

    const INDEX: &str = include_str!("../../../static/labs/index.toml");

    /// The labs list's cards are the labs', in the same order, a sweep lab
    /// counting its sweep as its one step.
    #[test]
    fn the_cards_are_the_labs() {
        let labs = all();
        let cards = cards();
        assert_eq!(cards.len(), labs.len());
        assert!(!cards.is_empty());
        for (card, lab) in cards.iter().zip(labs) {
            assert_eq!(card, &lab.card());
            let steps = if lab.sweep.is_some() {
                1
            } else {
                lab.steps.len()
            };
            assert_eq!(card.steps, steps, "{}", lab.id);
        }
    }

    /// Every lab can be completed by doing exactly what its steps say, and no
    /// step's check holds before its action: the checks test what the step teaches.
    #[test]
    fn every_lab_is_completed_by_doing_its_steps() {
        for lab in all() {
            let (mut session, _) = Session::from_scenario(&lab.world, Some(1))
                .unwrap_or_else(|e| panic!("{}: world does not parse: {e:?}", lab.id));
            for (n, step) in lab.steps.iter().enumerate() {
                let before = session.check(&lab.world, &step.check);
                assert_eq!(
                    before,
                    Ok(false),
                    "{} step {}: '{}' holds before the step is done",
                    lab.id,
                    n + 1,
                    step.check
                );
                perform(&mut session, step)
                    .unwrap_or_else(|e| panic!("{} step {}: {e}", lab.id, n + 1));
                assert_eq!(
                    session.check(&lab.world, &step.check),
                    Ok(true),
                    "{} step {}: '{}' does not hold after the step; terminals: {:?}",
                    lab.id,
                    n + 1,
                    step.check,
                    session.terminals()
                );
            }
        }
    }

    /// Each statement a lab lists is one the checker knows, is judged during
    /// the lab (its steps done, as the lab's bundled run) and holds.
    #[test]
    fn every_statement_a_lab_lists_comes_up_and_holds() {
        use mqttlab_core::checker::{trace::check_trace, Statement};
        for lab in all() {
            if lab.statements.is_empty() {
                continue;
            }
            let (mut session, _) = Session::from_scenario(&lab.world, Some(1))
                .unwrap_or_else(|e| panic!("{}: world does not parse: {e:?}", lab.id));
            for (n, step) in lab.steps.iter().enumerate() {
                perform(&mut session, step)
                    .unwrap_or_else(|e| panic!("{} step {}: {e}", lab.id, n + 1));
            }
            let report = check_trace(session.world().trace().entries());
            for id in &lab.statements {
                assert!(
                    !Statement::with_id(id).is_empty(),
                    "{}: '{id}' is no statement the checker judges",
                    lab.id
                );
                let t = report
                    .coverage
                    .by_id
                    .get(id.as_str())
                    .copied()
                    .unwrap_or_default();
                assert!(
                    t.held > 0 && t.broken == 0,
                    "{}: {id} held {} times and was broken {} times\n{report}",
                    lab.id,
                    t.held,
                    t.broken
                );
            }
        }
    }

    /// The sweep lab's answers are what its sweep shows.
    #[test]
    fn the_qos_under_loss_answers_are_what_the_sweep_shows() {
        let lab = find("qos-under-loss").expect("the lab");
        let sw = lab.sweep.as_ref().expect("a sweep lab");
        let r = mqttlab_core::sim::sweep::run(sw.source().unwrap(), 1, sw.seeds).unwrap();
        let cell = |qos: &str, loss: &str| {
            r.cells
                .iter()
                .find(|c| c.values[0].1 == qos && c.values[1].1 == loss)
                .unwrap()
        };
        let answers: Vec<usize> = sw.questions.iter().map(|q| q.answer).collect();
        assert_eq!(answers, [0, 1, 2]);
        // 1: only QoS 0 loses, at 20 %.
        assert!(cell("0", "20%").lost > 0);
        for loss in ["0%", "5%", "10%", "20%"] {
            assert_eq!(cell("1", loss).lost + cell("2", loss).lost, 0, "{loss}");
            // 2: only QoS 1 duplicates.
            assert_eq!(cell("0", loss).duplicated + cell("2", loss).duplicated, 0);
        }
        assert!(cell("1", "20%").duplicated > 0);
        // 3: 8 packets end to end at QoS 2 without loss (the third option).
        assert_eq!(cell("2", "0%").packets_per_delivered(), Some(8.0));
        assert_eq!(sw.questions[2].options[2].en, "8");
    }

    #[test]
    fn every_lab_file_parses_and_is_indexed() {
        let order = toml::from_str::<Index>(INDEX)
            .expect("index.toml parses")
            .labs;
        for (id, text) in FILES {
            let lab: Lab = toml::from_str(text).unwrap_or_else(|e| panic!("{id}.toml: {e}"));
            assert_eq!(&lab.id, id, "file name and id differ");
            assert!(order.contains(&lab.id), "{id} is missing from index.toml");
            assert!(
                !lab.steps.is_empty() || lab.sweep.is_some(),
                "{id} has no steps"
            );
            if let Some(sw) = &lab.sweep {
                assert!(
                    sw.source().is_some(),
                    "{id}: no bundled sweep '{}'",
                    sw.name
                );
                for q in &sw.questions {
                    assert!(q.answer < q.options.len(), "{id}: answer out of range");
                }
            }
            for (n, step) in lab.steps.iter().enumerate() {
                assert!(
                    step.command.is_some() == step.terminal.is_some(),
                    "{id} step {}: a command needs its terminal",
                    n + 1
                );
                // A "what if" forks where the step's action was done: it needs one,
                // and changes a fork link can carry.
                if let Some(w) = &step.what_if {
                    assert!(
                        step_change(step).is_some(),
                        "{id} step {}: 'what if' with no action",
                        n + 1
                    );
                    let changes = w
                        .parsed()
                        .unwrap_or_else(|e| panic!("{id} step {}: {e}", n + 1));
                    assert!(
                        !changes.is_empty(),
                        "{id} step {}: 'what if' changes nothing",
                        n + 1
                    );
                }
                // Without -h the tools connect to localhost, the terminal's own
                // node, which runs no broker (core/src/sim/world/hosts.rs).
                if let Some(cmd) = step
                    .command
                    .as_ref()
                    .filter(|c| c.starts_with("mosquitto_"))
                {
                    let names_host = cmd
                        .split_whitespace()
                        .any(|w| matches!(w, "-h" | "--host" | "-L" | "--url"));
                    assert!(
                        names_host || step.check.contains("Connection refused"),
                        "{id} step {}: '{cmd}' names no broker: add -h BROKER (without it the \
                         tool connects to localhost, the terminal's own node, which runs no broker)",
                        n + 1
                    );
                }
                if let Some(answer) = step.answer {
                    assert!(
                        answer < step.options.len(),
                        "{id} step {}: answer out of range",
                        n + 1
                    );
                }
                for text in [&step.text, step.hint.as_ref().unwrap_or(&step.text)] {
                    assert!(!text.en.trim().is_empty() && !text.pt.trim().is_empty());
                }
            }
        }
        // What the app embeds is exactly what the files say, in index order.
        let mut parsed: Vec<Lab> = FILES
            .iter()
            .map(|(_, text)| toml::from_str(text).expect("parses"))
            .collect();
        parsed.sort_by_key(|l| order.iter().position(|id| *id == l.id));
        assert_eq!(all(), parsed);
        assert_eq!(all().len(), FILES.len());
        for id in &order {
            assert!(
                find(id).is_some(),
                "index.toml lists {id}, which has no file"
            );
        }
    }
}

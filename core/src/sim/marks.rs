//! The notable moments of a run, as the timeline under the time controls marks
//! them: connections made or refused, programs and hosts stopped, fault rules,
//! wills published or discarded, expectations met or failed. Typed data; the
//! page puts them in words.

use crate::time::Instant;

use super::node::Node;
use super::note::Note;
use super::scenario::ast::Expect;
use super::scenario::expect;
use super::trace::{TraceEntry, TraceKind};
use super::world::World;

/// What a mark stands for.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum MarkKind {
    /// A client's connection was accepted (CONNACK 0).
    Connected {
        /// The client node.
        node: String,
    },
    /// A client's connection was refused.
    Refused {
        /// The client node.
        node: String,
    },
    /// A program stopped, a host vanished, a link was cut or healed: the
    /// note the diagram shows.
    Event {
        /// The node.
        node: String,
        /// What happened.
        note: Note,
    },
    /// A fault rule was armed or acted.
    Fault {
        /// The rule as written.
        label: String,
    },
    /// A broker published a client's will, or discarded it.
    Will {
        /// The broker.
        broker: String,
        /// The client whose will it was.
        client: String,
        /// Published (the connection was lost) or discarded (DISCONNECT).
        published: bool,
    },
    /// An expectation's time came: it held or not.
    Expectation {
        /// Its place in the scenario's expectations.
        index: usize,
        /// Its text.
        text: String,
        /// Whether it held.
        passed: bool,
    },
}

/// One notable moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// When.
    pub time: Instant,
    /// What.
    pub kind: MarkKind,
}

/// Whether a node's note is worth a mark: what ends or cuts a connection, or
/// brings it back.
fn notable(note: &Note) -> bool {
    matches!(
        note,
        Note::Disconnected(_)
            | Note::Interrupted
            | Note::Aborted
            | Note::Killed
            | Note::GoneSilently
            | Note::Partitioned
            | Note::Healed
            | Note::WifiDown(_)
            | Note::WifiUp
            | Note::TcpGaveUp { .. }
    )
}

/// The marks of trace `entries` (from index `from` on, so a live timeline
/// adds only what is new), in order.
pub fn trace_marks(entries: &[TraceEntry], from: usize) -> Vec<Mark> {
    entries
        .iter()
        .skip(from)
        .filter_map(|e| {
            let kind = match &e.kind {
                TraceKind::State { node, note } => match note {
                    Note::Connected { .. } | Note::LibraryConnected(_) => {
                        MarkKind::Connected { node: node.clone() }
                    }
                    Note::ConnackRefused(_) => MarkKind::Refused { node: node.clone() },
                    n if notable(n) => MarkKind::Event {
                        node: node.clone(),
                        note: n.clone(),
                    },
                    _ => return None,
                },
                TraceKind::Fault { label, .. } => MarkKind::Fault {
                    label: label.clone(),
                },
                _ => return None,
            };
            Some(Mark { time: e.time, kind })
        })
        .collect()
}

/// The wills of `world` (from the `from`-th on) as marks.
pub fn will_marks(world: &World, from: usize) -> Vec<Mark> {
    world
        .wills()
        .iter()
        .skip(from)
        .map(|w| Mark {
            time: w.time,
            kind: MarkKind::Will {
                broker: world.node(w.broker).map(Node::name).unwrap_or("").into(),
                client: w.client_id.clone(),
                published: w.published,
            },
        })
        .collect()
}

/// The expectations whose time has come by `world`'s time, each marked at its
/// time (the end of its window, else `end`, the scenario's run time) with
/// whether it held.
pub fn expectation_marks(expects: &[Expect], world: &World, end: Instant) -> Vec<Mark> {
    expects
        .iter()
        .enumerate()
        .filter_map(|(index, e)| {
            let time = e.until.unwrap_or(end).min(end);
            (world.now() >= time).then(|| {
                let r = expect::check(e, world);
                Mark {
                    time,
                    kind: MarkKind::Expectation {
                        index,
                        text: r.text,
                        passed: r.passed,
                    },
                }
            })
        })
        .collect()
}

/// Every mark of `world` so far, in time order: the trace's, the wills and
/// the expectations.
pub fn marks(world: &World, expects: &[Expect], end: Instant) -> Vec<Mark> {
    let mut all = trace_marks(world.trace().entries(), 0);
    all.extend(will_marks(world, 0));
    all.extend(expectation_marks(expects, world, end));
    // Stable: at one instant, the trace's order, then wills, then expectations.
    all.sort_by_key(|m| m.time);
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{bundled, scenario, TraceMode};

    #[test]
    fn the_last_will_run_is_marked_where_it_connects_dies_and_wills() {
        let sc = scenario::parse(bundled::find("06-last-will.mqtt").unwrap().source).unwrap();
        let mut w = sc.build(1, TraceMode::Full).unwrap();
        w.run_until(sc.end_time());
        let m = marks(&w, &sc.expects, sc.end_time());
        let connected: Vec<_> = m
            .iter()
            .filter(|m| matches!(m.kind, MarkKind::Connected { .. }))
            .collect();
        assert_eq!(connected.len(), 2, "{m:#?}");
        let kill = m
            .iter()
            .find(|m| matches!(&m.kind, MarkKind::Event { note: Note::Killed, node } if node == "alpine1"))
            .expect("the kill");
        assert_eq!(kill.time, Instant::from_millis(35_600));
        let will = m
            .iter()
            .find(|m| matches!(&m.kind, MarkKind::Will { published: true, client, .. } if client.starts_with("mosq")))
            .expect("the will");
        assert!(
            will.time > kill.time && will.time < kill.time + core::time::Duration::from_millis(10)
        );
        let expects = m
            .iter()
            .filter(|m| matches!(m.kind, MarkKind::Expectation { passed: true, .. }))
            .count();
        assert_eq!(expects, sc.expects.len());
        assert!(m.windows(2).all(|p| p[0].time <= p[1].time));
    }
}

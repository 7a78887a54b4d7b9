//! Names, once the whole file is read: each declared once, and a broker where a
//! broker is needed.

use crate::sim::scenario::ast::*;
use crate::sim::scenario::errors::{suggest, Problem, ScenarioError};

/// Checks that every name used is declared once, and is a broker where a broker is
/// needed.
pub(super) fn resolve(sc: &Scenario, errors: &mut Vec<ScenarioError>) {
    let mut declared: Vec<(&str, bool, usize)> = Vec::new();
    for n in &sc.nodes {
        if let Some((_, _, first)) = declared.iter().find(|(d, _, _)| *d == n.name.name) {
            errors.push(ScenarioError::new(
                n.name.line,
                n.name.column,
                Problem::NodeTwice {
                    name: n.name.name.clone(),
                    first_line: *first,
                },
            ));
            continue;
        }
        declared.push((
            &n.name.name,
            matches!(n.kind, NodeKind::Broker(_)),
            n.name.line,
        ));
    }
    let check =
        |r: &NameRef, want_broker: Option<bool>, errors: &mut Vec<ScenarioError>| match declared
            .iter()
            .find(|(d, _, _)| *d == r.name)
        {
            None => {
                let suggestion =
                    suggest(&r.name, declared.iter().map(|(d, _, _)| *d)).map(str::to_owned);
                errors.push(ScenarioError::new(
                    r.line,
                    r.column,
                    Problem::UnknownNode {
                        name: r.name.clone(),
                        suggestion,
                    },
                ));
            }
            Some((_, is_broker, _)) => {
                if let Some(want) = want_broker {
                    if want != *is_broker {
                        errors.push(ScenarioError::new(
                            r.line,
                            r.column,
                            Problem::WrongKind {
                                name: r.name.clone(),
                                broker_needed: want,
                            },
                        ));
                    }
                }
            }
        };
    for n in &sc.nodes {
        if let Some(b) = &n.broker {
            check(b, Some(true), errors);
        }
    }
    for a in &sc.acls {
        check(&a.broker, Some(true), errors);
    }
    let fault_refs = |f: &FaultSpec, errors: &mut Vec<ScenarioError>| {
        for r in f.from.iter().chain(f.to.iter()) {
            check(r, None, errors);
        }
    };
    for a in &sc.actions {
        match &a.action {
            ActionSpec::Restart(r) => check(r, Some(true), errors),
            ActionSpec::Fault(f) => fault_refs(f, errors),
            ActionSpec::Publish(p) => {
                check(&p.node, Some(false), errors);
                if !p.properties.is_empty() && !speaks_v5(sc, &p.node.name) {
                    errors.push(ScenarioError::new(
                        a.line,
                        p.properties.column,
                        Problem::PropertiesNeedV5 {
                            node: p.node.name.clone(),
                        },
                    ));
                }
            }
            ActionSpec::Command { node: r, .. }
            | ActionSpec::Kill(r)
            | ActionSpec::HalfOpen(r)
            | ActionSpec::Partition(r, _)
            | ActionSpec::Heal(r)
            | ActionSpec::Link(r, _)
            | ActionSpec::Stop(r)
            | ActionSpec::WifiDrop(r, _)
            | ActionSpec::Connect(r, _, _)
            | ActionSpec::Disconnect(r)
            | ActionSpec::Subscribe(r, ..)
            | ActionSpec::Unsubscribe(r, _) => check(r, Some(false), errors),
        }
    }
    for f in &sc.faults {
        fault_refs(f, errors);
    }
    for e in &sc.expects {
        match &e.kind {
            ExpectKind::Log(r, _) | ExpectKind::Retained(r, ..) => check(r, Some(true), errors),
            ExpectKind::Packet { from, to, .. } => {
                for r in from.iter().chain(to.iter()) {
                    check(r, None, errors);
                }
            }
            ExpectKind::Receives { node, others, .. } => {
                for r in core::iter::once(node).chain(others) {
                    check(r, Some(false), errors);
                }
            }
            ExpectKind::Output(r, _)
            | ExpectKind::Prints(r, _)
            | ExpectKind::Refused(r, _)
            | ExpectKind::Suback(r, _)
            | ExpectKind::Connected(r, _)
            | ExpectKind::Switch(r, _) => check(r, Some(false), errors),
        }
    }
}

/// Whether `node` is declared with `version 5`, or some `connect` line gives it
/// that version (what a 3.1.1 client publishes carries no properties).
fn speaks_v5(sc: &Scenario, node: &str) -> bool {
    let v5 = Some(crate::codec::Protocol::V5);
    sc.nodes
        .iter()
        .any(|n| n.name.name == node && n.conn.protocol == v5)
        || sc.actions.iter().any(|a| {
            matches!(&a.action, ActionSpec::Connect(r, conn, _) if r.name == node && conn.protocol == v5)
        })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{err, ok};

    #[test]
    fn a_node_may_be_used_before_it_is_declared() {
        let sc = ok("at 1s kill c\nclient c -> b\nbroker b");
        assert_eq!(sc.nodes.len(), 2);
    }

    #[test]
    fn declared_twice() {
        assert_eq!(
            err("broker b\nclient c -> b\nclient c -> b"),
            (3, 8, "node 'c' is declared twice (first on line 2)".into())
        );
    }

    #[test]
    fn unknown_names_get_a_suggestion() {
        assert_eq!(
            err("broker broker1\nclient c -> broker2"),
            (
                2,
                13,
                "unknown node 'broker2' (did you mean 'broker1'?)".into()
            )
        );
        assert_eq!(
            err("broker b\nclient c -> b\nexpect zzzzzzzz connected"),
            (3, 8, "unknown node 'zzzzzzzz'".into())
        );
    }

    #[test]
    fn a_device_connects_to_a_broker() {
        assert_eq!(
            err("broker b\nclient c -> b\nclient d -> c"),
            (3, 13, "'c' is not a broker".into())
        );
    }
}

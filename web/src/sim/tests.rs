//! The worker's protocol, natively: a [`SimHost`] answering requests and a
//! [`Mirror`] applying its replies must show exactly what a [`Session`] driven
//! directly shows, however the run is cut into slices.

use mqttlab_core::sim::bundled;
use mqttlab_core::sim::note::{FaultEvent, Note};
use mqttlab_core::sim::FaultAction;
use mqttlab_core::time::Instant;

use super::host::{SimHost, EVENTS_PER_SLICE};
use super::mirror::Mirror;
use super::protocol::{
    Change, ExportKind, Lines, LinesUpdate, LinkSettings, NodeRole, Reply, Request, WorldSource,
    MOMENT_LINES,
};
use crate::components::sequence_diagram::{RowKind, RowNote};
use crate::labs;
use crate::session::{Control, Session};

fn scenario(name: &str) -> WorldSource {
    WorldSource::Scenario {
        source: bundled::find(name).expect("bundled").source.to_string(),
        seed: Some(7),
    }
}

/// Sends `request`, applies every reply, and runs slices until the host is idle.
fn drive(host: &mut SimHost, mirror: &mut Mirror, request: Request) -> usize {
    let mut updates = 0;
    for r in host.handle(request) {
        assert!(mirror.apply(r), "a reply about another world");
        updates += 1;
    }
    while host.busy() {
        let r = host.slice().expect("a busy host answers a slice");
        assert!(mirror.apply(r));
        updates += 1;
    }
    updates
}

/// Types `line` into `node`'s terminal.
fn command(host: &mut SimHost, mirror: &mut Mirror, node: &str, line: &str) {
    let (node, line) = (node.to_string(), line.to_string());
    drive(
        host,
        mirror,
        Request::Change(Change::Command { node, line }),
    );
}

fn loaded(world: WorldSource) -> (SimHost, Mirror) {
    let mut host = SimHost::new();
    let mut mirror = Mirror::new(1);
    drive(&mut host, &mut mirror, Request::Load { epoch: 1, world });
    assert!(
        mirror.loaded && mirror.error.is_none(),
        "{:?}",
        mirror.error
    );
    (host, mirror)
}

#[test]
fn the_mirror_shows_what_the_session_shows() {
    let (mut host, mut mirror) = loaded(scenario("06-last-will.mqtt"));
    drive(&mut host, &mut mirror, Request::RunTo { to_us: 45_000_000 });

    let source = bundled::find("06-last-will.mqtt").unwrap().source;
    let (mut direct, _) = Session::from_scenario(source, Some(7)).unwrap();
    direct.run_until(Instant::from_micros(45_000_000));

    assert_eq!(mirror.now_us, 45_000_000);
    assert_eq!(*mirror.lanes, direct.lanes());
    assert_eq!(*mirror.rows.borrow(), *direct.rows());
    for i in 0..direct.rows().len() {
        assert_eq!(mirror.row_bytes(i), direct.row_bytes(i), "row {i}");
        assert_eq!(mirror.row_v5(i), direct.row_v5(i), "row {i}");
    }
    assert_eq!(mirror.log, direct.log());
    for (node, lines) in direct.terminals() {
        let shown = mirror.terminals.get(node).cloned().unwrap_or_default();
        assert_eq!(&shown, lines, "terminal {node}");
    }
    // The scenario's expectations all hold by its end, and the mirror says so.
    assert!(mirror.ended);
    assert!(!mirror.expects.is_empty());
    assert!(
        mirror.expects.iter().all(|e| e.passed),
        "{:?}",
        mirror.expects
    );
    // The will is gone from the broker's panel once published.
    let broker = &mirror.brokers[0];
    assert!(broker.wills.is_empty(), "{:?}", broker.wills);
}

#[test]
fn a_long_run_comes_in_slices_and_the_result_does_not_depend_on_them() {
    // The scale world: many sensors, enough events for several slices.
    let source = "broker b\n".to_string()
        + &(0..200)
            .map(|i| format!("sensor s{i} -> b topic casa/s{i} every 1s\n"))
            .collect::<String>();
    let world = WorldSource::Scenario {
        source: source.clone(),
        seed: Some(3),
    };
    let (mut host, mut mirror) = loaded(world);
    let updates = drive(&mut host, &mut mirror, Request::RunTo { to_us: 60_000_000 });
    let (mut direct, _) = Session::from_scenario(&source, Some(3)).unwrap();
    direct.run_until(Instant::from_micros(60_000_000));
    let events = direct.world().stats();
    assert!(
        updates > 3,
        "{updates} updates for {events:?}: the run was not sliced ({EVENTS_PER_SLICE} events each)"
    );
    assert_eq!(mirror.rows.len(), direct.rows().len());
    assert_eq!(
        direct.world().trace().hash(),
        host.session().unwrap().world().trace().hash()
    );
    // Only the first nodes are listed, but all sessions are counted.
    assert_eq!(mirror.brokers[0].sessions.len(), 100);
    assert_eq!(mirror.brokers[0].more_sessions, 100);
}

#[test]
fn halt_stops_a_run_where_it_is() {
    let (mut host, mut mirror) = loaded(scenario("06-last-will.mqtt"));
    assert!(host.handle(Request::RunTo { to_us: 40_000_000 }).is_empty());
    assert!(host.busy());
    let r = host.handle(Request::Halt);
    assert!(!host.busy());
    for r in r {
        mirror.apply(r);
    }
    assert!(mirror.now_us < 40_000_000);
    assert!(!mirror.busy && !mirror.awaiting);
}

#[test]
fn advance_adds_to_a_run_in_progress() {
    let (mut host, mut mirror) = loaded(scenario("01-pubsub-basic.mqtt"));
    host.handle(Request::Advance { by_us: 1_000_000 });
    host.handle(Request::Advance { by_us: 2_000_000 });
    drive(&mut host, &mut mirror, Request::Advance { by_us: 500_000 });
    assert_eq!(mirror.now_us, 3_500_000);
}

#[test]
fn commands_controls_and_steps_reach_the_world() {
    let source = "broker broker\nclient a -> broker\nclient b -> broker\n";
    let (mut host, mut mirror) = loaded(WorldSource::Scenario {
        source: source.into(),
        seed: None,
    });
    assert_eq!(mirror.seed, 1);
    command(
        &mut host,
        &mut mirror,
        "a",
        "mosquitto_sub -h broker -t casa/# -v",
    );
    drive(
        &mut host,
        &mut mirror,
        Request::Advance { by_us: 1_000_000 },
    );
    command(
        &mut host,
        &mut mirror,
        "b",
        "mosquitto_pub -h broker -t casa/sala -m 21",
    );
    drive(
        &mut host,
        &mut mirror,
        Request::Advance { by_us: 1_000_000 },
    );
    assert_eq!(mirror.terminals["a"].last().unwrap(), "casa/sala 21");
    // A bad command is answered on the terminal, as a shell would.
    command(&mut host, &mut mirror, "b", "mosquitto_pub -h broker -t");
    assert!(mirror.terminals["b"].len() >= 2);

    // Next packet: nothing is due until the subscriber's keepalive (60 s).
    let rows = mirror.rows.len();
    drive(&mut host, &mut mirror, Request::StepPacket);
    assert_eq!(mirror.rows.len(), rows + 1);
    assert_eq!(mirror.rows.borrow()[rows].label, "PINGREQ");
    assert!(mirror.now_us >= 60_000_000, "{}", mirror.now_us);
    drive(
        &mut host,
        &mut mirror,
        Request::Change(Change::Control {
            node: "a".into(),
            control: Control::Kill,
        }),
    );
    let a = mirror.nodes.iter().find(|n| n.name == "a").unwrap();
    assert!(
        matches!(
            a.role,
            NodeRole::Client {
                connected: false,
                ..
            }
        ),
        "{a:?}"
    );
    assert!(matches!(
        mirror.rows.borrow().last().unwrap().kind,
        RowKind::Note {
            note: RowNote::Sim(Note::Killed),
            ..
        }
    ));
}

#[test]
fn a_client_added_while_running_gets_a_lifeline_and_a_terminal() {
    let (mut host, mut mirror) = loaded(scenario("01-pubsub-basic.mqtt"));
    drive(
        &mut host,
        &mut mirror,
        Request::Advance { by_us: 2_000_000 },
    );
    let lanes = mirror.lanes.len();
    let broker = mirror.nodes[0].name.clone();
    drive(
        &mut host,
        &mut mirror,
        Request::Change(Change::AddClient { broker }),
    );
    assert_eq!(mirror.lanes.len(), lanes + 1);
    let name = mirror.lanes.last().unwrap().clone();
    assert_eq!(name, "client1");
    assert!(mirror.terminals.contains_key(&name));
    command(
        &mut host,
        &mut mirror,
        &name,
        "mosquitto_sub -h broker1 -t '#' -v",
    );
    drive(
        &mut host,
        &mut mirror,
        Request::Advance { by_us: 1_000_000 },
    );
    assert!(
        mirror
            .rows
            .borrow()
            .iter()
            .any(|r| r.label.starts_with("SUBACK")),
        "the new client subscribed"
    );
}

#[test]
fn a_slower_link_shows_in_the_card_and_in_the_diagram() {
    let source = "broker broker\nclient a -> broker\n";
    let (mut host, mut mirror) = loaded(WorldSource::Scenario {
        source: source.into(),
        seed: Some(1),
    });
    let settings = LinkSettings {
        latency_ms: 300,
        loss_pct: 0.0,
    };
    drive(
        &mut host,
        &mut mirror,
        Request::Change(Change::SetLink {
            node: "a".into(),
            settings,
        }),
    );
    let a = mirror.nodes.iter().find(|n| n.name == "a").unwrap();
    assert!(matches!(a.role, NodeRole::Client { link, .. } if link == settings));
    command(
        &mut host,
        &mut mirror,
        "a",
        "mosquitto_pub -h broker -t t -m x",
    );
    drive(
        &mut host,
        &mut mirror,
        Request::Advance { by_us: 5_000_000 },
    );
    let rows = mirror.rows.borrow();
    let connack = rows
        .iter()
        .find(|r| r.label.starts_with("CONNACK"))
        .unwrap();
    // CONNECT leaves at 0 and CONNACK comes back after two 300 ms crossings
    // (the TCP handshake is not drawn with its own delay).
    assert!(connack.time_us >= 600_000, "{connack:?}");
}

#[test]
fn a_lab_opened_at_a_step_replays_the_steps_before_it() {
    let lab = labs::find("last-will").unwrap();
    let (_, at3) = loaded(WorldSource::Lab {
        id: lab.id.clone(),
        open_at: 3,
    });
    assert_eq!(at3.lab_done, 2, "steps 1 and 2 done by the replay");
    let (_, at1) = loaded(WorldSource::Lab {
        id: lab.id.clone(),
        open_at: 1,
    });
    assert_eq!(at1.lab_done, 0);
}

#[test]
fn a_lab_is_completed_through_the_protocol() {
    for lab in labs::all().iter().filter(|l| l.sweep.is_none()) {
        let (mut host, mut mirror) = loaded(WorldSource::Lab {
            id: lab.id.clone(),
            open_at: 1,
        });
        for (n, step) in lab.steps.iter().enumerate() {
            assert_eq!(mirror.lab_done, n, "{} before step {}", lab.id, n + 1);
            if let (Some(node), Some(line)) = (&step.terminal, &step.command) {
                command(&mut host, &mut mirror, node, line);
            }
            if let Some(line) = &step.fault {
                drive(
                    &mut host,
                    &mut mirror,
                    Request::Change(Change::Fault { line: line.clone() }),
                );
            }
            if let Some((word, node)) = step.control.as_deref().and_then(|c| c.split_once(' ')) {
                drive(
                    &mut host,
                    &mut mirror,
                    Request::Change(Change::Control {
                        node: node.to_string(),
                        control: Control::from_word(word).unwrap(),
                    }),
                );
            }
            if let Some(d) = step
                .run
                .as_deref()
                .and_then(mqttlab_core::sim::scenario::units::parse_duration)
            {
                drive(
                    &mut host,
                    &mut mirror,
                    Request::Advance {
                        by_us: d.as_micros() as u64,
                    },
                );
            }
        }
        assert_eq!(mirror.lab_done, lab.steps.len(), "{}", lab.id);
    }
}

#[test]
fn bad_worlds_are_explained_and_old_news_is_ignored() {
    let mut host = SimHost::new();
    let replies = host.handle(Request::Load {
        epoch: 4,
        world: WorldSource::Scenario {
            source: "broker b\nclient c -> nowhere\n".into(),
            seed: None,
        },
    });
    let mut mirror = Mirror::new(4);
    assert!(mirror.apply(replies.into_iter().next().unwrap()));
    let error = mirror.error.clone().unwrap();
    assert!(error.contains("line 2"), "{error}");
    assert!(!host.busy());

    let replies = host.handle(Request::Load {
        epoch: 5,
        world: WorldSource::Lab {
            id: "no-such-lab".into(),
            open_at: 1,
        },
    });
    assert!(
        matches!(&replies[0], Reply::Failed { epoch: 5, error } if error.contains("no-such-lab"))
    );

    // A page that moved on to world 6 ignores news of world 5.
    let mut newer = Mirror::new(6);
    assert!(!newer.apply(replies[0].clone()));
    assert!(newer.error.is_none());
}

#[test]
fn exports_are_the_trace_as_json_and_pcap() {
    let (mut host, mut mirror) = loaded(scenario("06-last-will.mqtt"));
    drive(&mut host, &mut mirror, Request::RunTo { to_us: 45_000_000 });
    let direct = host.session().unwrap().world().trace();
    let (json, pcap) = (
        direct.to_json(),
        mqttlab_core::sim::pcap::to_pcap(direct.entries()),
    );
    let replies = host.handle(Request::Export {
        kind: ExportKind::Pcap,
    });
    assert!(
        matches!(&replies[..], [Reply::Exported { kind: ExportKind::Pcap, bytes, .. }] if *bytes == pcap)
    );
    let replies = host.handle(Request::Export {
        kind: ExportKind::Json,
    });
    assert!(
        matches!(&replies[..], [Reply::Exported { kind: ExportKind::Json, bytes, .. }] if *bytes == json.as_bytes())
    );
}

#[test]
fn a_fault_rule_typed_while_running_drops_the_next_puback() {
    let source = "broker broker\nclient a -> broker\n";
    let (mut host, mut mirror) = loaded(WorldSource::Scenario {
        source: source.into(),
        seed: Some(1),
    });
    drive(
        &mut host,
        &mut mirror,
        Request::Change(Change::Fault {
            line: "fault drop next PUBACK to a".into(),
        }),
    );
    assert_eq!(mirror.fault_error, None);
    assert_eq!(mirror.faults.len(), 1, "{:?}", mirror.faults);
    assert!(
        mirror.faults[0].rule == "drop next PUBACK to a" && mirror.faults[0].left == Some(1),
        "{:?}",
        mirror.faults
    );
    command(
        &mut host,
        &mut mirror,
        "a",
        "mosquitto_pub -h broker -t casa/sala -m 21 -q 1",
    );
    drive(
        &mut host,
        &mut mirror,
        Request::Advance { by_us: 2_000_000 },
    );
    let rows = mirror.rows.borrow();
    let puback = rows
        .iter()
        .find(|r| r.label.starts_with("PUBACK"))
        .expect("a PUBACK was sent");
    assert!(
        matches!(puback.kind, RowKind::Packet { dropped: true, .. }),
        "{puback:?}"
    );
    drop(rows);
    assert!(mirror.faults.is_empty(), "used up: {:?}", mirror.faults);
}

#[test]
fn a_bad_fault_rule_says_where_and_arms_nothing() {
    let source = "broker broker\nclient a -> broker\n";
    let (mut host, mut mirror) = loaded(WorldSource::Scenario {
        source: source.into(),
        seed: Some(1),
    });
    drive(
        &mut host,
        &mut mirror,
        Request::Change(Change::Fault {
            line: "drop next PUBAK to a".into(),
        }),
    );
    let error = mirror.fault_error.clone().expect("refused");
    assert!(error.en.starts_with("column 11:"), "{error:?}");
    assert!(
        error.en.contains("PUBACK"),
        "suggests the right word: {error:?}"
    );
    assert!(error.pt.starts_with("coluna 11:"), "{error:?}");
    assert!(error.pt.contains("você quis dizer 'PUBACK'"), "{error:?}");
    assert!(mirror.faults.is_empty());
    drive(
        &mut host,
        &mut mirror,
        Request::Change(Change::Fault {
            line: "drop next PUBACK to nobody".into(),
        }),
    );
    let error = mirror.fault_error.clone().expect("refused");
    assert!(error.pt.contains("nobody"), "{error:?}");
    assert!(
        error.pt.starts_with("coluna 21: nenhum nó se chama"),
        "{error:?}"
    );
    // A good rule clears the error.
    drive(
        &mut host,
        &mut mirror,
        Request::Change(Change::Fault {
            line: "delay PUBREC by 5s".into(),
        }),
    );
    assert_eq!(mirror.fault_error, None);
    assert_eq!(mirror.faults.len(), 1);
}

fn world(source: &str) -> (SimHost, Mirror) {
    loaded(WorldSource::Scenario {
        source: source.into(),
        seed: Some(1),
    })
}

fn advance(host: &mut SimHost, mirror: &mut Mirror, secs: u64) {
    let by_us = secs * 1_000_000;
    drive(host, mirror, Request::Advance { by_us });
}

/// The notes drawn on the diagram, with their lanes.
fn notes(mirror: &Mirror) -> Vec<(usize, RowNote)> {
    mirror
        .rows
        .borrow()
        .iter()
        .filter_map(|r| match &r.kind {
            RowKind::Note { lane, note } => Some((*lane, note.clone())),
            RowKind::Packet { .. } => None,
        })
        .collect()
}

#[test]
fn a_topic_named_d1_is_no_resend_and_a_duplicated_publish_is() {
    let (mut host, mut mirror) = world("broker broker\nclient a -> broker\nclient b -> broker\n");
    command(
        &mut host,
        &mut mirror,
        "b",
        "mosquitto_sub -h broker -t d1 -q 1",
    );
    command(
        &mut host,
        &mut mirror,
        "a",
        "mosquitto_pub -h broker -t d1 -m x -q 1",
    );
    advance(&mut host, &mut mirror, 2);
    let dups = |m: &Mirror| -> Vec<String> {
        m.rows
            .borrow()
            .iter()
            .filter(|r| matches!(r.kind, RowKind::Packet { dup: true, .. }))
            .map(|r| r.label.clone())
            .collect()
    };
    let publishes = mirror
        .rows
        .borrow()
        .iter()
        .filter(|r| r.label.starts_with("PUBLISH") && r.label.ends_with(" d1"))
        .count();
    assert_eq!(publishes, 2, "to the broker and on to b");
    assert_eq!(dups(&mirror), Vec::<String>::new());

    let line = "duplicate next PUBLISH from a".to_string();
    drive(
        &mut host,
        &mut mirror,
        Request::Change(Change::Fault { line }),
    );
    command(
        &mut host,
        &mut mirror,
        "a",
        "mosquitto_pub -h broker -t d1 -m y -q 1",
    );
    advance(&mut host, &mut mirror, 2);
    // The copy carries DUP=1 (its summary reads `PUBLISH d1 q1 m1 d1`); the
    // original and what the broker forwards do not.
    assert_eq!(dups(&mirror), ["PUBLISH d1 q1 m1 d1"]);
}

#[test]
fn a_fault_on_client10_is_drawn_on_client10_not_client1() {
    let (mut host, mut mirror) =
        world("broker broker\nclient client1 -> broker\nclient client10 -> broker\n");
    assert_eq!(*mirror.lanes, ["client1", "broker", "client10"]);
    let line = "drop next PUBACK to client10".to_string();
    drive(
        &mut host,
        &mut mirror,
        Request::Change(Change::Fault { line }),
    );
    command(
        &mut host,
        &mut mirror,
        "client10",
        "mosquitto_pub -h broker -t t -m x -q 1",
    );
    advance(&mut host, &mut mirror, 2);
    let faults: Vec<(usize, FaultEvent)> = notes(&mirror)
        .into_iter()
        .filter_map(|(lane, n)| match n {
            RowNote::Fault { rule, event } => {
                assert_eq!(rule, "drop next PUBACK to client10");
                Some((lane, event))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        faults,
        [
            (2, FaultEvent::Armed),
            (
                2,
                FaultEvent::Acted {
                    action: FaultAction::Drop,
                    packet: "PUBACK m1".into(),
                    from: "broker".into(),
                    to: "client10".into(),
                }
            )
        ]
    );
    // A rule that names no node is drawn on the broker's lifeline.
    let line = "delay PUBREC by 5s".to_string();
    drive(
        &mut host,
        &mut mirror,
        Request::Change(Change::Fault { line }),
    );
    let (lane, _) = notes(&mirror).pop().unwrap();
    assert_eq!(lane, 1);
}

#[test]
fn the_keepalive_note_comes_from_the_brokers_close_reason() {
    let (mut host, mut mirror) = world("broker broker\nclient a -> broker\n");
    // A client id unlike the node's name: the note names the lifeline.
    command(
        &mut host,
        &mut mirror,
        "a",
        "mosquitto_sub -h broker -t x -k 10 -i sensor-7",
    );
    advance(&mut host, &mut mirror, 2);
    let (node, control) = ("a".to_string(), Control::HalfOpen);
    drive(
        &mut host,
        &mut mirror,
        Request::Change(Change::Control { node, control }),
    );
    advance(&mut host, &mut mirror, 30);
    let expired: Vec<(u64, usize, RowNote)> = mirror
        .rows
        .borrow()
        .iter()
        .filter_map(|r| match &r.kind {
            RowKind::Note {
                lane,
                note: note @ RowNote::KeepaliveExpired { .. },
            } => Some((r.time_us, *lane, note.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(expired.len(), 1, "{expired:?}");
    let (time_us, lane, note) = expired[0].clone();
    assert_eq!(*mirror.lanes, ["a", "broker"]);
    assert_eq!(lane, 1, "on the broker's lifeline");
    assert_eq!(note, RowNote::KeepaliveExpired { client: "a".into() });
    // 1.5 × 10 s after the SUBSCRIBE near 0 s.
    assert!((15_000_000..15_100_000).contains(&time_us), "{time_us}");
    // The broker's own log says it in mosquitto's words; the note did not read it.
    assert!(mirror
        .log
        .iter()
        .any(|l| l.text == "Client sensor-7 has exceeded timeout, disconnecting."));
    // And in Portuguese, from the same data.
    assert_eq!(
        crate::i18n::row_note(crate::i18n::Lang::PtBr, &note),
        "keepalive expirou: a"
    );
}

#[test]
fn a_5_0_packet_row_is_marked_5_0_in_the_mirror_and_reads_as_5_0() {
    let source = "broker b\nclient p -> b\nclient q -> b\n\
        at 1s p: mosquitto_pub -h b -V 5 -i p -t nobody -m x -q 1\n\
        at 1s q: mosquitto_pub -h b -i q -t nobody -m x -q 1\nrun 3s\n";
    let world = WorldSource::Scenario {
        source: source.to_string(),
        seed: Some(7),
    };
    let (mut host, mut mirror) = loaded(world);
    drive(&mut host, &mut mirror, Request::RunTo { to_us: 3_000_000 });
    let (mut direct, _) = Session::from_scenario(source, Some(7)).unwrap();
    direct.run_until(Instant::from_micros(3_000_000));
    let rows = direct.rows().clone();
    let mut seen = (0, 0);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(mirror.row_v5(i), direct.row_v5(i), "row {i}");
        let Some(bytes) = direct.row_bytes(i) else {
            continue;
        };
        let protocol = if direct.row_v5(i) {
            seen.0 += 1;
            mqttlab_core::codec::Protocol::V5
        } else {
            seen.1 += 1;
            mqttlab_core::codec::Protocol::V311
        };
        // Every packet decodes whole at the level its row says; p's PUBACK
        // carries 0x10 (No matching subscribers), q's is 3.1.1's.
        let (_, used) = mqttlab_core::codec::decode_any(&bytes, usize::MAX, Some(protocol))
            .unwrap()
            .unwrap();
        assert_eq!(used, bytes.len(), "row {i}: {}", row.label);
    }
    assert!(seen.0 >= 5 && seen.1 >= 5, "{seen:?}");
    assert!(rows
        .iter()
        .any(|r| r.label == "PUBACK m1 0x10 No matching subscribers"));
    assert!(rows.iter().any(|r| r.label == "PUBACK m1"));
}

/// The checker runs in the worker: a broker made to skip a will (`fault
/// forget`) shows as a MUST finding, MQTT-3.1.2-8, whose packet is a row of
/// the diagram; the same world without the rule has none.
#[test]
fn the_worker_sends_the_checkers_findings_with_their_rows() {
    let world = |fault: &str| {
        WorldSource::Scenario {
        source: format!(
            "broker broker\nclient monitor -> broker\nclient sensor -> broker\nclient app -> broker\n{fault}\n\
             at 1s monitor: mosquitto_sub -h broker -t sensor/status -q 1 -i monitor\n\
             at 2s sensor: mosquitto_sub -h broker -t cmd -i sensor --will-topic sensor/status --will-payload off-line --will-qos 1\n\
             at 5s kill sensor\n\
             at 8s app: mosquitto_pub -h broker -t sensor/status -m back -q 1 -i app\nrun 15s\n"
        ),
        seed: Some(1),
    }
    };
    let (mut host, mut mirror) = loaded(world(""));
    drive(&mut host, &mut mirror, Request::RunTo { to_us: 15_000_000 });
    let checks = mirror.checks.clone().expect("the checker's view came");
    assert_eq!(checks.0.musts(), 0, "{:?}", checks.0.findings);
    assert!(checks.0.tally.iter().any(|(h, _)| *h > 0));

    let (mut host, mut mirror) = loaded(world("fault forget next PUBLISH from broker to monitor"));
    drive(&mut host, &mut mirror, Request::RunTo { to_us: 15_000_000 });
    let checks = mirror.checks.clone().expect("the checker's view came");
    let musts: Vec<_> = checks
        .0
        .findings
        .iter()
        .filter(|f| f.severity == mqttlab_core::checker::Severity::Must)
        .collect();
    assert!(!musts.is_empty());
    assert!(musts.iter().all(|f| f.id == "MQTT-3.1.2-8"), "{musts:?}");
    // The finding names the CONNECT that left the will: a packet row.
    let rows = mirror.rows.borrow();
    for f in &musts {
        let r = f.packets.iter().find_map(|p| p.row).expect("a row");
        assert!(matches!(rows[r].kind, RowKind::Packet { .. }));
        assert!(rows[r].label.starts_with("CONNECT"), "{}", rows[r].label);
    }
}

#[test]
fn a_sweep_in_slices_reports_progress_and_equals_the_native_table() {
    let source = mqttlab_core::sim::sweep::bundled::find("qos-under-loss")
        .unwrap()
        .source;
    let mut host = SimHost::new();
    let request = Request::Sweep {
        id: 3,
        source: source.to_string(),
        first_seed: 1,
        seeds: 2,
    };
    assert!(host.handle(request).is_empty());
    let mut progress = Vec::new();
    let mut done = None;
    while host.busy() {
        match host.slice().expect("a slice") {
            Reply::SweepProgress { id: 3, done, total } => progress.push((done, total)),
            Reply::SweepDone {
                id: 3,
                cancelled: false,
                result,
            } => done = Some(result),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(progress.len(), 23);
    assert_eq!(progress[0], (1, 24));
    let native = mqttlab_core::sim::sweep::run(source, 1, 2).unwrap();
    assert_eq!(done.expect("done").to_csv(), native.to_csv());
}

#[test]
fn a_cancelled_sweep_stops_and_says_what_it_had() {
    let source = mqttlab_core::sim::sweep::bundled::find("qos-under-loss")
        .unwrap()
        .source;
    let mut host = SimHost::new();
    host.handle(Request::Sweep {
        id: 1,
        source: source.to_string(),
        first_seed: 1,
        seeds: 20,
    });
    host.slice();
    host.slice();
    match &host.handle(Request::CancelSweep)[..] {
        [Reply::SweepDone {
            cancelled: true,
            result,
            ..
        }] => {
            assert_eq!(result.cells[0].runs, 2);
            assert_eq!(result.cells[1].runs, 0);
        }
        other => panic!("{other:?}"),
    }
    assert!(!host.busy());
    let bad = host.handle(Request::Sweep {
        id: 2,
        source: "param qos 0 5\nbroker b\nsensor s -> b topic t every 1s qos $qos\n".into(),
        first_seed: 1,
        seeds: 1,
    });
    assert!(bad.is_empty());
    match host.slice() {
        Some(Reply::SweepFailed { id: 2, error }) => {
            assert!(
                error.starts_with("with qos=0"),
                "the first cell is fine: {error}"
            )
        }
        Some(Reply::SweepProgress { .. }) => match host.slice() {
            Some(Reply::SweepFailed { id: 2, error }) => {
                assert!(error.starts_with("with qos=5: line 3"), "{error}")
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_thermostats_charts_come_through_the_protocol() {
    let (mut host, mut mirror) = loaded(scenario("12-thermostat.mqtt"));
    drive(
        &mut host,
        &mut mirror,
        Request::RunTo { to_us: 300_000_000 },
    );
    drive(&mut host, &mut mirror, Request::Charts);
    let charts = mirror.charts.clone().expect("charts");
    assert_eq!(charts.now_us, 300_000_000);
    let names: Vec<&str> = charts.values.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["casa/sala/aquecedor", "casa/sala/temperatura"]);
    assert_eq!(charts.rate_window_us, 5_000_000);
    // Three clients, three sessions, sampled every 250 ms of virtual time.
    assert_eq!(charts.inflight.len(), 3);
    assert!(charts.inflight[0].points.len() > 1000);
}

/// Asks the host for the world at `to_us` and returns it.
fn scrub(host: &mut SimHost, mirror: &mut Mirror, to_us: u64) -> super::protocol::Moment {
    mirror.scrubbing = true;
    let have = mirror.held_moment();
    for r in host.handle(Request::Scrub { to_us, have }) {
        assert!(mirror.apply(r));
    }
    (**mirror.moment.as_ref().expect("a moment")).clone()
}

#[test]
fn a_scrubbed_moment_shows_what_a_run_stopped_there_shows() {
    for name in [
        "06-last-will.mqtt",
        "05-persistent-session.mqtt",
        "09-dropped-puback.mqtt",
    ] {
        let (mut host, mut mirror) = loaded(scenario(name));
        drive(&mut host, &mut mirror, Request::RunTo { to_us: 60_000_000 });
        assert!(!mirror.marks.is_empty(), "{name}: no marks");
        for to_us in [1_000_000, 19_000_000, 35_600_000, 40_000_000] {
            let m = scrub(&mut host, &mut mirror, to_us);
            let (mut fresh, mut fm) = loaded(scenario(name));
            drive(&mut fresh, &mut fm, Request::RunTo { to_us });
            assert_eq!(m.at_us, to_us);
            assert_eq!(*m.brokers, *fm.brokers, "{name} at {to_us}: broker state");
            assert_eq!(*m.nodes, *fm.nodes, "{name} at {to_us}: nodes");
            assert_eq!(*m.expects, fm.expects, "{name} at {to_us}: expectations");
            assert_eq!(*m.faults, fm.faults, "{name} at {to_us}: faults");
            assert_eq!(m.rows, fm.rows.len(), "{name} at {to_us}: rows");
            fn last<T: Clone>(v: &[T]) -> Vec<T> {
                v[v.len().saturating_sub(MOMENT_LINES)..].to_vec()
            }
            assert_eq!(
                *m.log.lines,
                last(fm.recent_log()),
                "{name} at {to_us}: log"
            );
            for (node, lines) in &fm.terminals {
                assert_eq!(
                    *m.terminal(node).lines,
                    last(lines),
                    "{name} at {to_us}: {node}'s terminal"
                );
            }
            for (node, _) in &m.terminals {
                assert!(fm.terminals.contains_key(node), "{name} at {to_us}: {node}");
            }
        }
        // The live world did not move.
        assert_eq!(mirror.now_us, host.session().unwrap().now().as_micros());
    }
}

#[test]
fn a_window_of_lines_sent_as_a_change_of_the_one_held_is_that_window() {
    let all: Vec<u32> = (0..50).collect();
    let windows = [
        0..0,
        0..10,
        5..15,
        10..20,
        12..14,
        30..40,
        20..45,
        0..50,
        49..50,
    ];
    for held in windows.iter().cloned().map(Some).chain([None]) {
        for want in windows.iter().cloned() {
            let lines = held.clone().map(|h| Lines {
                first: h.start,
                lines: std::rc::Rc::new(all[h].to_vec()),
            });
            let u = LinesUpdate::between(held.clone(), want.clone(), &all);
            // Only what the page does not hold is sent.
            let overlap = held.clone().map_or(0, |h| {
                h.end.min(want.end).saturating_sub(h.start.max(want.start))
            });
            assert_eq!(u.before.len() + u.after.len(), want.len() - overlap);
            let got = u.apply(lines.as_ref());
            assert_eq!(got.first, want.start, "{held:?} -> {want:?}");
            assert_eq!(*got.lines, all[want.clone()], "{held:?} -> {want:?}");
        }
    }
}

/// A moment after another is sent as what changed: the cards, brokers and
/// lines the page holds are not sent again, and what the page puts together
/// equals the moment sent whole.
#[test]
fn a_moment_is_sent_as_a_change_of_the_one_the_page_holds() {
    let (mut host, mut mirror) = loaded(scenario("22-slow-consumer.mqtt"));
    drive(&mut host, &mut mirror, Request::RunTo { to_us: 30_000_000 });
    let ask = |host: &mut SimHost, to_us: u64, have: Option<u64>| match host
        .handle(Request::Scrub { to_us, have })
        .pop()
    {
        Some(Reply::Moment(u)) => *u,
        other => panic!("{other:?}"),
    };
    let mut held: Option<super::protocol::Moment> = None;
    let mut sizes = Vec::new();
    for to_us in [
        15_300_000, 15_301_000, 15_400_000, 3_000_000, 27_500_000, 27_500_000,
    ] {
        let update = ask(&mut host, to_us, held.as_ref().map(|m| m.seq));
        // The same moment asked of a host that sent none: whole.
        let (mut fresh, mut fm) = loaded(scenario("22-slow-consumer.mqtt"));
        drive(&mut fresh, &mut fm, Request::RunTo { to_us: 30_000_000 });
        let whole = ask(&mut fresh, to_us, None);
        assert_eq!(whole.base, None);
        sizes.push((
            bincode::serialize(&update).unwrap().len(),
            bincode::serialize(&whole).unwrap().len(),
        ));
        assert_eq!(update.base, held.as_ref().map(|m| m.seq));
        let got = update.apply(held.as_ref());
        let want = whole.apply(None);
        assert_eq!(
            super::protocol::Moment {
                seq: 0,
                ..got.clone()
            },
            super::protocol::Moment { seq: 0, ..want },
            "at {to_us}"
        );
        held = Some(got);
    }
    // 1 ms later: the same cards, and the log and terminals moved by a few lines.
    assert!(sizes[1].0 * 4 < sizes[1].1, "{sizes:?}");
    // The same moment again: nothing but its time.
    assert!(sizes[5].0 * 10 < sizes[5].1, "{sizes:?}");
    // A page that names no moment gets it whole.
    let update = ask(&mut host, 3_000_000, None);
    assert_eq!(update.base, None);
    assert!(update.nodes.is_some() && update.brokers.is_some() && update.log.is_some());
}

#[test]
fn a_scrub_after_typed_commands_shows_the_terminals_as_they_were() {
    let (mut host, mut mirror) = loaded(WorldSource::Lab {
        id: "last-will".into(),
        open_at: 1,
    });
    command(
        &mut host,
        &mut mirror,
        "sensor1",
        "mosquitto_pub -h broker -t sensor1/status -m on-line -r --repeat 20 --repeat-delay 5 \
         --will-topic sensor1/status --will-payload off-line --will-retain",
    );
    drive(&mut host, &mut mirror, Request::RunTo { to_us: 12_000_000 });
    command(
        &mut host,
        &mut mirror,
        "monitor",
        "mosquitto_sub -h broker -t sensor1/status",
    );
    drive(&mut host, &mut mirror, Request::RunTo { to_us: 15_000_000 });
    let control = Request::Change(Change::Control {
        node: "sensor1".into(),
        control: Control::Kill,
    });
    drive(&mut host, &mut mirror, control);
    drive(&mut host, &mut mirror, Request::RunTo { to_us: 20_000_000 });
    assert_eq!(mirror.terminals["monitor"].last().unwrap(), "off-line");

    let before = scrub(&mut host, &mut mirror, 14_000_000);
    let monitor = |m: &super::protocol::Moment| (*m.terminal("monitor").lines).clone();
    assert_eq!(
        monitor(&before),
        [
            "monitor$ mosquitto_sub -h broker -t sensor1/status",
            "on-line"
        ]
    );
    assert_eq!(
        before.brokers[0].wills.len(),
        1,
        "{:?}",
        before.brokers[0].wills
    );
    let after = scrub(&mut host, &mut mirror, 16_000_000);
    assert_eq!(monitor(&after).last().unwrap(), "off-line");
    assert!(after.brokers[0].wills.is_empty());
    assert_eq!(
        before.rows,
        mirror
            .rows
            .borrow()
            .iter()
            .filter(|r| r.time_us <= 14_000_000)
            .count()
    );
}

/// Forks the Last Will lab at its kill with Ctrl-C (of `mosquitto_sub`, which
/// says goodbye) instead.
#[test]
fn a_fork_at_the_kill_parts_at_the_disconnect_and_its_link_gives_it_again() {
    use super::fork_link::ForkLink;
    use super::protocol::ForkSpec;
    let (mut host, mut mirror) = loaded(WorldSource::Lab {
        id: "last-will".into(),
        open_at: 1,
    });
    command(
        &mut host,
        &mut mirror,
        "sensor1",
        "mosquitto_sub -h broker -t cmd/sensor1 --will-topic sensor1/status \
         --will-payload off-line --will-retain",
    );
    drive(&mut host, &mut mirror, Request::RunTo { to_us: 12_000_000 });
    command(
        &mut host,
        &mut mirror,
        "monitor",
        "mosquitto_sub -h broker -t sensor1/status",
    );
    drive(&mut host, &mut mirror, Request::RunTo { to_us: 15_000_000 });
    let control = Request::Change(Change::Control {
        node: "sensor1".into(),
        control: Control::Kill,
    });
    drive(&mut host, &mut mirror, control);
    drive(&mut host, &mut mirror, Request::RunTo { to_us: 20_000_000 });

    let spec = ForkSpec {
        at_us: 15_000_000,
        changes: vec![Change::Control {
            node: "sensor1".into(),
            control: Control::Disconnect,
        }],
        until_us: 20_000_000,
    };
    let forked = |host: &mut SimHost, spec: ForkSpec| {
        let mut replies = host.handle(Request::Fork(Box::new(spec)));
        match replies.pop() {
            Some(Reply::Forked(f)) => (*f).expect("a fork"),
            other => panic!("{other:?}"),
        }
    };
    let view = forked(&mut host, spec.clone());
    assert_eq!(view.parts_us, Some(15_000_000));
    let (a, b) = (&view.original, &view.branch);
    let (pa, pb) = (a.parts_at.unwrap(), b.parts_at.unwrap());
    // Identical up to the fork, on both sides.
    assert_eq!(pa, pb);
    assert_eq!(a.rows[..pa], b.rows[..pb]);
    let first_packet = |rows: &[crate::components::sequence_diagram::DiagramRow]| {
        rows.iter()
            .find(|r| matches!(r.kind, RowKind::Packet { .. }))
            .map(|r| r.label.clone())
            .unwrap()
    };
    assert_eq!(first_packet(&a.rows[pa..]), "TCP FIN");
    assert_eq!(first_packet(&b.rows[pb..]), "DISCONNECT");
    assert_eq!(a.wills, [(a.wills[0].0.clone(), true)]);
    assert_eq!(b.wills, [(a.wills[0].0.clone(), false)]);
    // The lab's last check (the monitor receives "off-line") holds in one only.
    assert!(a.expects.last().unwrap().passed);
    assert!(!b.expects.last().unwrap().passed);
    // The live world did not move.
    assert_eq!(host.session().unwrap().now().as_micros(), 20_000_000);

    // The link: a fresh page replays the inputs and forks again.
    let link = ForkLink {
        inputs: view.inputs.clone(),
        spec,
    };
    let read = ForkLink::parse(&link.to_text()).unwrap();
    assert_eq!(read, link);
    let (mut other, mut om) = loaded(WorldSource::Lab {
        id: "last-will".into(),
        open_at: 1,
    });
    drive(
        &mut other,
        &mut om,
        Request::Replay {
            inputs: read.inputs,
        },
    );
    let again = forked(&mut other, read.spec);
    assert_eq!(again.original.rows, view.original.rows);
    assert_eq!(again.branch.rows, view.branch.rows);
    assert_eq!(again.parts_us, view.parts_us);
}

/// The Last Will lab's own "what if" on its kill step: its steps done by the
/// page's requests, the fork is made where the kill was pressed, with Ctrl-C on
/// the lab's `mosquitto_pub` instead, which (like the real 2.0.11) sends no
/// DISCONNECT: the runs part at the kill's note and the will goes out in both.
#[test]
fn a_lab_step_forks_its_world_where_its_action_was_done() {
    let lab = labs::find("last-will").unwrap();
    let (mut host, mut mirror) = loaded(WorldSource::Lab {
        id: "last-will".into(),
        open_at: 1,
    });
    // Before its step is done, there is nothing to fork at.
    match host.handle(Request::LabFork { step: 2 }).pop() {
        Some(Reply::Forked(f)) => assert!(f.as_ref().as_ref().unwrap_err().contains("not done")),
        other => panic!("{other:?}"),
    }
    let mut kill_us = 0;
    for step in &lab.steps {
        if step.control.is_some() {
            kill_us = host.session().unwrap().now().as_micros();
        }
        let change = labs::step_change(step).unwrap();
        assert!(
            matches!(change, Change::Command { .. } | Change::Control { .. }),
            "{change:?}"
        );
        let request = Request::Change(change);
        drive(&mut host, &mut mirror, request);
        let by_us = mqttlab_core::sim::scenario::units::parse_duration(step.run.as_deref().unwrap())
            .unwrap()
            .as_micros() as u64;
        drive(&mut host, &mut mirror, Request::Advance { by_us });
    }
    assert!(kill_us > 0);
    let view = match host.handle(Request::LabFork { step: 2 }).pop() {
        Some(Reply::Forked(f)) => (*f).expect("a fork"),
        other => panic!("{other:?}"),
    };
    assert_eq!(view.spec.at_us, kill_us);
    assert_eq!(view.parts_us, Some(kill_us));
    let (a, b) = (&view.original, &view.branch);
    let note = |rows: &[crate::components::sequence_diagram::DiagramRow]| {
        rows.iter()
            .find_map(|r| match &r.kind {
                RowKind::Note {
                    note: RowNote::Sim(n),
                    ..
                } => Some(n.clone()),
                _ => None,
            })
            .unwrap()
    };
    assert_eq!(note(&a.rows[a.parts_at.unwrap()..]), Note::Killed);
    assert_eq!(note(&b.rows[b.parts_at.unwrap()..]), Note::Aborted);
    assert!(a.wills.iter().all(|(_, published)| *published) && !a.wills.is_empty());
    assert_eq!(a.wills, b.wills);
    // A step without a "what if" says so.
    match host.handle(Request::LabFork { step: 0 }).pop() {
        Some(Reply::Forked(f)) => {
            assert!(f.as_ref().as_ref().unwrap_err().contains("no 'what if'"))
        }
        other => panic!("{other:?}"),
    }
}

/// 200 sensors every second for a minute: more rows than the page is sent whole.
fn many_rows() -> (String, SimHost, Mirror, Session) {
    let source = "broker b\n".to_string()
        + &(0..200)
            .map(|i| format!("sensor s{i} -> b topic casa/s{i}/t every 1s\n"))
            .collect::<String>();
    let world = WorldSource::Scenario {
        source: source.clone(),
        seed: Some(3),
    };
    let (host, mirror) = loaded(world);
    let (direct, _) = Session::from_scenario(&source, Some(3)).unwrap();
    (source, host, mirror, direct)
}

fn view(first: usize, count: usize, follow: bool) -> super::protocol::RowView {
    super::protocol::RowView {
        first,
        count,
        follow,
        ..Default::default()
    }
}

#[test]
fn a_page_that_shows_a_window_holds_only_that_window() {
    let (_, mut host, mut mirror, mut direct) = many_rows();
    drive(&mut host, &mut mirror, Request::View(view(0, 40, true)));
    drive(&mut host, &mut mirror, Request::RunTo { to_us: 60_000_000 });
    direct.run_until(Instant::from_micros(60_000_000));
    let all = direct.rows().clone();
    assert!(
        all.len() > super::row_view::ALL_ROWS_UP_TO,
        "{} rows",
        all.len()
    );
    assert_eq!(mirror.rows_total, all.len());
    assert_eq!(mirror.rows_shown, all.len());
    // Following: the newest 40 rows, with their bytes.
    assert_eq!(mirror.rows.first(), all.len() - 40);
    assert_eq!(*mirror.rows.borrow(), all[all.len() - 40..]);
    let last = all.len() - 1;
    assert_eq!(mirror.row_bytes(last), direct.row_bytes(last));
    assert!(mirror.row_bytes(last).is_some());
    assert_eq!(mirror.row_bytes(10), None, "row 10 is not held");

    // Scrolled up: the rows asked for, and nothing else.
    drive(
        &mut host,
        &mut mirror,
        Request::View(view(5_000, 30, false)),
    );
    assert_eq!(mirror.rows.first(), 5_000);
    assert_eq!(*mirror.rows.borrow(), all[5_000..5_030]);
    for i in 5_000..5_030 {
        assert_eq!(mirror.row_bytes(i), direct.row_bytes(i), "row {i}");
        assert_eq!(mirror.row_v5(i), direct.row_v5(i), "row {i}");
        assert_eq!(mirror.row_index(i), Some(i));
        assert_eq!(mirror.shown_row(i), Some(i));
    }
    // The same window again sends no rows.
    match host.handle(Request::View(view(5_000, 30, false))).pop() {
        Some(Reply::Update(u)) => assert_eq!(u.rows, None),
        other => panic!("{other:?}"),
    }
    // The trace is the one a session run directly makes.
    assert_eq!(
        direct.world().trace().hash(),
        host.session().unwrap().world().trace().hash()
    );
}

#[test]
fn an_update_of_a_big_run_stays_small_once_the_page_shows_a_window() {
    let (_, mut host, mut mirror, _) = many_rows();
    drive(&mut host, &mut mirror, Request::View(view(0, 60, true)));
    let mut bytes = 0;
    for r in host.handle(Request::RunTo { to_us: 120_000_000 }) {
        mirror.apply(r);
    }
    let mut windowed = 0;
    while host.busy() {
        let r = host.slice().unwrap();
        // Up to ALL_ROWS_UP_TO rows the page is sent every row; past it, the window.
        if mirror.rows_shown > super::row_view::ALL_ROWS_UP_TO {
            if let Reply::Update(u) = &r {
                assert!(u.rows.as_ref().is_none_or(|w| w.rows.len() <= 60));
                assert!(u.log.len() <= crate::components::broker_log::MAX_SHOWN);
            }
            bytes += bincode::serialize(&r).unwrap().len();
            windowed += 1;
        }
        mirror.apply(r);
    }
    assert!(windowed > 0);
    assert!(mirror.rows.borrow().len() <= 60);
    // 60 rows, the log's last lines and now and then the panels, not the rows
    // of a slice's 4,000 events.
    let mean = bytes / windowed;
    assert!(mean < 64 * 1024, "updates of {mean} bytes on average");
}

#[test]
fn the_filter_keeps_a_node_s_rows_or_a_topic_s() {
    let (_, mut host, mut mirror, mut direct) = many_rows();
    drive(&mut host, &mut mirror, Request::RunTo { to_us: 30_000_000 });
    direct.run_until(Instant::from_micros(30_000_000));
    let all = direct.rows().clone();
    let lane = direct.lanes().iter().position(|l| l == "s7").unwrap();
    let on = |r: &crate::components::sequence_diagram::DiagramRow| match r.kind {
        RowKind::Packet { from, to, .. } => from == lane || to == lane,
        RowKind::Note { lane: l, .. } => l == lane,
    };
    let want: Vec<usize> = (0..all.len()).filter(|&i| on(&all[i])).collect();
    let mut v = view(0, 1_000, false);
    v.filter.node = "s7".into();
    drive(&mut host, &mut mirror, Request::View(v.clone()));
    assert_eq!(mirror.rows_shown, want.len());
    assert_eq!(mirror.rows_total, all.len());
    assert!(want.len() > 30, "{} rows of s7", want.len());
    for (k, &i) in want.iter().enumerate() {
        let shown = mirror.rows.get(k).expect("held");
        assert_eq!(
            (shown.time_us, &shown.label),
            (all[i].time_us, &all[i].label)
        );
        assert_eq!(mirror.row_index(k), Some(i));
        assert_eq!(mirror.shown_row(i), Some(k));
        assert_eq!(mirror.row_bytes(k), direct.row_bytes(i));
    }
    // A finding's packet the filter hides is shown nowhere, not at its index.
    let hidden = (0..all.len()).find(|i| !want.contains(i)).unwrap();
    assert_eq!(mirror.shown_row(hidden), None);
    // A topic filter with a wildcard: s7's readings only.
    v.filter.node.clear();
    v.filter.topic = "casa/+/t".into();
    drive(&mut host, &mut mirror, Request::View(v.clone()));
    let publishes = all
        .iter()
        .filter(|r| r.label.starts_with("PUBLISH"))
        .count();
    assert_eq!(mirror.rows_shown, publishes);
    v.filter.topic = "casa/s7/#".into();
    drive(&mut host, &mut mirror, Request::View(v.clone()));
    assert_eq!(
        mirror.rows_shown,
        want.iter()
            .filter(|&&i| all[i].label.starts_with("PUBLISH"))
            .count()
    );
    assert!(mirror
        .rows
        .borrow()
        .iter()
        .all(|r| r.label.ends_with(" casa/s7/t")));
    // Rows that come later are counted as they come.
    drive(&mut host, &mut mirror, Request::RunTo { to_us: 40_000_000 });
    assert_eq!(mirror.rows_shown, 40, "one reading a second of s7 for 40 s");
}

#[test]
fn the_zoomed_out_diagram_counts_every_row_once() {
    let (_, mut host, mut mirror, mut direct) = many_rows();
    let mut v = view(0, 60, true);
    v.zoom = true;
    drive(&mut host, &mut mirror, Request::View(v));
    drive(&mut host, &mut mirror, Request::RunTo { to_us: 60_000_000 });
    direct.run_until(Instant::from_micros(60_000_000));
    let buckets = mirror.buckets.clone().expect("the summary");
    let counted: u64 = buckets.iter().map(|b| b.count).sum();
    assert_eq!(counted as usize, direct.rows().len());
    // 200 sensors: the clients are one end; the broker is named.
    let b = direct.lanes().iter().position(|l| l == "b").unwrap();
    let publish: Vec<_> = buckets.iter().filter(|x| x.what == "PUBLISH").collect();
    assert!(!publish.is_empty());
    assert!(publish.iter().all(|x| x.from.is_none() && x.to == Some(b)));
    assert!(buckets.iter().all(|x| x.to_us - x.from_us == 1_000_000));
    assert!(buckets.len() < 1_000, "{} lines", buckets.len());
}

#[test]
fn a_moment_counts_the_rows_that_pass_the_filter() {
    let (_, mut host, mut mirror, _) = many_rows();
    drive(&mut host, &mut mirror, Request::RunTo { to_us: 20_000_000 });
    let mut v = view(0, 100, true);
    v.filter.node = "s3".into();
    drive(&mut host, &mut mirror, Request::View(v));
    let m = match host
        .handle(Request::Scrub {
            to_us: 10_000_000,
            have: None,
        })
        .pop()
    {
        Some(Reply::Moment(m)) => m,
        other => panic!("{other:?}"),
    };
    // s3: its TCP connect, CONNECT, CONNACK and a reading a second.
    assert!(
        m.shown > 5 && m.shown < 20,
        "{} rows of s3 by 10 s",
        m.shown
    );
    assert!(m.rows > 10 * m.shown);
}

#[test]
fn the_svg_export_is_made_in_the_worker() {
    let (mut host, mut mirror) = loaded(scenario("01-pubsub-basic.mqtt"));
    drive(&mut host, &mut mirror, Request::RunTo { to_us: 30_000_000 });
    let svg = match host
        .handle(Request::Export {
            kind: ExportKind::Svg { pt: true },
        })
        .pop()
    {
        Some(Reply::Exported { bytes, .. }) => String::from_utf8(bytes).unwrap(),
        other => panic!("{other:?}"),
    };
    assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
    assert!(svg.contains("PUBLISH"));
}

#[test]
fn a_view_said_before_the_world_holds_for_it() {
    let mut host = SimHost::new();
    let mut mirror = Mirror::new(1);
    assert!(host.handle(Request::View(view(0, 40, true))).is_empty());
    let (source, _, _, mut direct) = many_rows();
    let world = WorldSource::Scenario {
        source,
        seed: Some(3),
    };
    drive(&mut host, &mut mirror, Request::Load { epoch: 1, world });
    drive(&mut host, &mut mirror, Request::RunTo { to_us: 60_000_000 });
    direct.run_until(Instant::from_micros(60_000_000));
    assert_eq!(mirror.rows_total, direct.rows().len());
    assert_eq!(mirror.rows.borrow().len(), 40);
}

//! The trace carries facts as data, not sentences: notes are typed values with
//! their parameters, a packet's DUP flag is the decoded flag, a fault's entry names
//! the node its rule is about, and a broker's FIN says why the broker closed.
//! The text line of each entry (what the trace hash covers) reads as it always did.

use mqttlab_core::broker::CloseReason;
use mqttlab_core::client::DisconnectReason;
use mqttlab_core::sim::note::{Disconnect, FaultEvent, Note, PacketCause, PacketNote};
use mqttlab_core::sim::scenario;
use mqttlab_core::sim::trace::{Fate, TraceKind};
use mqttlab_core::sim::world::World;
use mqttlab_core::sim::FaultAction;
use mqttlab_core::time::Instant;

fn run(src: &str) -> World {
    let r = scenario::run(src, Some(1)).unwrap_or_else(|e| panic!("{src}\n{e:?}"));
    assert!(r.passed(), "{src}\n{:?}", r.results);
    r.world
}

fn lines(w: &World) -> String {
    w.trace().to_text()
}

#[test]
fn dup_is_the_packets_flag_whatever_the_topic_is_called() {
    let w = run("broker b\n\
         client a -> b\n\
         client s -> b\n\
         at 0s s: mosquitto_sub -h b -t d1 -q 1\n\
         at 1s a: mosquitto_pub -h b -t d1 -m x -q 1\n\
         fault duplicate next PUBLISH from a after 2s\n\
         at 3s a: mosquitto_pub -h b -t d1 -m y -q 1\n\
         run 5s\n");
    let publishes: Vec<(String, bool, Option<PacketNote>)> = w
        .trace()
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Packet {
                fate: Fate::Delivered,
                summary,
                dup,
                note,
                ..
            } if summary.starts_with("PUBLISH") => Some((summary.clone(), *dup, note.clone())),
            _ => None,
        })
        .collect();
    let dups: Vec<_> = publishes.iter().filter(|p| p.1).collect();
    assert!(publishes.len() >= 5, "{publishes:?}");
    assert_eq!(dups.len(), 1, "{publishes:?}");
    assert_eq!(dups[0].0, "PUBLISH d1 q1 m1 d1");
    assert_eq!(dups[0].2, Some(PacketNote::cause(PacketCause::Duplicate)));
    let text = lines(&w);
    assert!(
        text.contains("PUBLISH d1 q1 m1 d1 (9 bytes) [duplicate]"),
        "{text}"
    );
}

#[test]
fn a_fault_names_its_node_exactly() {
    let w = run("broker b\n\
         client client1 -> b\n\
         client client10 -> b\n\
         fault drop next PUBACK to client10\n\
         at 1s client10: mosquitto_pub -h b -t t -m x -q 1\n\
         run 3s\n");
    let faults: Vec<(Option<String>, FaultEvent)> = w
        .trace()
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Fault { label, node, event } => {
                assert_eq!(label, "drop next PUBACK to client10");
                Some((node.clone(), event.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        faults,
        [(
            Some("client10".to_string()),
            FaultEvent::Acted {
                action: FaultAction::Drop,
                packet: "PUBACK m1".into(),
                from: "b".into(),
                to: "client10".into(),
            }
        )]
    );
    assert!(lines(&w)
        .contains("fault \"drop next PUBACK to client10\": dropped PUBACK m1 b -> client10\n"));
}

#[test]
fn the_brokers_fin_carries_its_close_reason_and_the_client_notes_its_own() {
    let w = run("broker b\n\
         client a -> b\n\
         at 0s a: mosquitto_sub -h b -t x -k 10 -i sensor-7\n\
         at 2s halfopen a\n\
         run 30s\n");
    let closes: Vec<(Instant, Option<CloseReason>)> = w
        .trace()
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Close {
                fate: Fate::Sent,
                from,
                reason,
                ..
            } if from == "b" => Some((e.time, reason.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(closes.len(), 1, "{closes:?}");
    assert_eq!(closes[0].1, Some(CloseReason::KeepAliveTimeout));
    assert!(closes[0].0 >= Instant::from_secs(15));
    let states: Vec<Note> = w
        .trace()
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::State { node, note } if node == "a" => Some(note.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        states[1],
        Note::Connected {
            session_present: false
        }
    );
    assert_eq!(states[2], Note::GoneSilently);
    // The text line is unchanged: a FIN shows no reason.
    assert!(lines(&w).contains("tcp FIN sent #1 b -> a\n"));
    // A client that gives up on its broker says so as data too.
    let w = run("broker b\n\
         client a -> b\n\
         fault drop PINGRESP to a for 60s\n\
         at 0s a: mosquitto_sub -h b -t x -k 5\n\
         run 20s\n");
    let gone = w.trace().entries().iter().any(|e| {
        matches!(
            &e.kind,
            TraceKind::State {
                note: Note::Disconnected(Disconnect::Client(DisconnectReason::PingTimeout)),
                ..
            }
        )
    });
    assert!(gone, "{}", lines(&w));
}

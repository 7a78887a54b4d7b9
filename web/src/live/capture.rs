//! The real-broker page's session as the specification checker sees it and as
//! a capture file: the page's own connection, its packets both ways with the
//! times they were sent or read, judged by `mqttlab_core::checker` and written
//! as a pcap with the simulator's synthetic TCP/IP framing (`sim::pcap`), which
//! the Captures tab and Wireshark open.

use mqttlab_core::capture::Direction;
use mqttlab_core::checker::Checker;
use mqttlab_core::codec::{decode_any, Protocol};
use mqttlab_core::sim::pcap::{to_pcap, WireConnection};
use mqttlab_core::sim::trace::TraceEntry;
use mqttlab_core::time::Instant;

use crate::components::findings::ChecksView;
use crate::components::sequence_diagram::{DiagramRow, RowKind};

/// The page's lanes: the client is lane 0, the broker lane 1.
const BROKER_LANE: usize = 1;

/// Each packet row: its index, whether the client sent it, its time and bytes.
fn packets<'a>(
    rows: &'a [DiagramRow],
    bytes: &'a [std::rc::Rc<Vec<u8>>],
) -> impl Iterator<Item = (usize, bool, u64, &'a [u8])> + 'a {
    rows.iter()
        .enumerate()
        .filter_map(move |(i, r)| match r.kind {
            RowKind::Packet { to, .. } => {
                let b = bytes.get(i)?;
                (!b.is_empty()).then_some((i, to == BROKER_LANE, r.time_us, b.as_slice()))
            }
            RowKind::Note { .. } => None,
        })
}

/// The checker over the page's connection.
pub fn checks(
    rows: &[DiagramRow],
    bytes: &[std::rc::Rc<Vec<u8>>],
    protocol: Protocol,
) -> ChecksView {
    let mut c = Checker::new();
    let mut row_of: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    let level = (protocol == Protocol::V5).then_some(Protocol::V5);
    let mut end = 0;
    for (i, to_broker, time_us, b) in packets(rows, bytes) {
        let d = if to_broker {
            Direction::ToServer
        } else {
            Direction::ToClient
        };
        end = time_us * 1000;
        match decode_any(b, usize::MAX, level) {
            Ok(Some((p, _))) => c.packet(0, d, end, None, &p),
            Ok(None) => continue,
            Err(e) => c.malformed(0, d, end, None, &e, protocol),
        }
        row_of[usize::from(!to_broker)].push(i);
    }
    let report = c.finish(end);
    ChecksView::new(&report, |p| {
        let side = usize::from(p.direction == Direction::ToClient);
        row_of[side].get(p.index as usize).copied()
    })
}

/// The page's connection as a pcap file: the client at 10.0.0.2, the broker
/// at 10.0.0.1:1883 (a WebSocket bridge's framing is not kept: the MQTT
/// packets are what the page saw).
pub fn pcap(rows: &[DiagramRow], bytes: &[std::rc::Rc<Vec<u8>>], client: &str) -> Vec<u8> {
    let wire = WireConnection::new(client, "broker", 0);
    let mut entries = Vec::new();
    for (_, to_broker, time_us, b) in packets(rows, bytes) {
        let time = Instant::from_micros(time_us);
        if entries.is_empty() {
            entries.push(TraceEntry {
                time,
                kind: wire.open(),
            });
        }
        entries.push(TraceEntry {
            time,
            kind: wire.packet(to_broker, b.to_vec()),
        });
    }
    to_pcap(&entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    fn row(time_us: u64, to: usize) -> DiagramRow {
        DiagramRow {
            time_us,
            label: String::new(),
            kind: RowKind::Packet {
                from: 1 - to,
                to,
                dropped: false,
                dup: false,
            },
            fault: None,
            sent: None,
        }
    }

    /// A CONNECT, its CONNACK, a SUBSCRIBE answered with a SUBACK of another
    /// identifier: the checker names MQTT-2.3.1-7 on the SUBACK's row, and the
    /// pcap reads back with the same four packets.
    #[test]
    fn the_pages_session_is_checked_and_exported() {
        let packets: Vec<(u64, usize, Vec<u8>)> = vec![
            (
                1_000,
                1,
                b"\x10\x0d\x00\x04MQTT\x04\x02\x00\x3c\x00\x01a".to_vec(),
            ),
            (2_000, 0, vec![0x20, 2, 0, 0]),
            (3_000, 1, b"\x82\x06\x00\x04\x00\x01t\x00".to_vec()),
            (4_000, 0, vec![0x90, 3, 0, 5, 0]),
        ];
        let rows: Vec<DiagramRow> = packets.iter().map(|(t, to, _)| row(*t, *to)).collect();
        let bytes: Vec<Rc<Vec<u8>>> = packets.iter().map(|p| Rc::new(p.2.clone())).collect();
        let v = checks(&rows, &bytes, Protocol::V311);
        assert_eq!(v.musts(), 1, "{:?}", v.findings);
        assert_eq!(v.findings[0].id, "MQTT-2.3.1-7");
        assert_eq!(v.findings[0].packets[0].row, Some(3));
        let file = pcap(&rows, &bytes, "a");
        let cap = mqttlab_core::capture::read(&file).unwrap();
        let mqtt = cap
            .events
            .iter()
            .filter(|e| matches!(e.what, mqttlab_core::capture::What::Mqtt(_)))
            .count();
        assert_eq!(mqtt, 4);
    }
}

//! Whole captures built here, frame by frame: the layers together.

use super::*;
use crate::capture::link::tests::ipv4_tcp;

/// A classic pcap of raw-IP frames, one per `(seconds, packet)`.
pub(crate) fn pcap_raw(frames: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&[0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]);
    f.extend_from_slice(&[0; 8]);
    f.extend_from_slice(&65535u32.to_le_bytes());
    f.extend_from_slice(&link::RAW.to_le_bytes());
    for (t, p) in frames {
        f.extend_from_slice(&t.to_le_bytes());
        f.extend_from_slice(&0u32.to_le_bytes());
        f.extend_from_slice(&(p.len() as u32).to_le_bytes());
        f.extend_from_slice(&(p.len() as u32).to_le_bytes());
        f.extend_from_slice(p);
    }
    f
}

/// The other way: 127.0.0.1:1883 → 127.0.0.1:50000.
fn reversed(mut p: Vec<u8>) -> Vec<u8> {
    p[20..22].copy_from_slice(&1883u16.to_be_bytes());
    p[22..24].copy_from_slice(&50000u16.to_be_bytes());
    p
}

const CONNECT: &[u8] = &[
    0x10, 0x0d, 0, 4, b'M', b'Q', b'T', b'T', 4, 0x02, 0, 60, 0, 1, b'c',
];

#[test]
fn a_connection_reads_as_mqtt_with_its_client_id_and_times() {
    let publish = [0x30, 0x05, 0, 1, b't', b'h', b'i'];
    let frames = vec![
        (10, ipv4_tcp(&[], 99, 0x02)),
        (10, reversed(ipv4_tcp(&[], 499, 0x12))),
        (11, ipv4_tcp(CONNECT, 100, 0x18)),
        (11, reversed(ipv4_tcp(&[0x20, 0x02, 0, 0], 500, 0x18))),
        // The PUBLISH cut in two segments; the first one sent twice.
        (12, ipv4_tcp(&publish[..3], 115, 0x18)),
        (12, ipv4_tcp(&publish[..3], 115, 0x18)),
        (13, ipv4_tcp(&publish[3..], 118, 0x18)),
        (14, ipv4_tcp(&[], 122, 0x11)),
    ];
    let c = read(&pcap_raw(&frames)).unwrap();
    assert_eq!(c.frames, 8);
    assert_eq!(c.streams.len(), 1);
    assert_eq!(c.streams[0].carries, Carries::Mqtt);
    assert_eq!(c.streams[0].client_id.as_deref(), Some("c"));
    assert_eq!(c.streams[0].protocol, Some(Protocol::V311));
    let lines: Vec<String> = c.events.iter().map(|e| c.line(e)).collect();
    assert_eq!(
        lines,
        vec![
            "     1    0.000000 127.0.0.1:50000 → 127.0.0.1:1883 [TCP SYN]",
            "     3    1.000000 127.0.0.1:50000 → 127.0.0.1:1883 CONNECT c1 k60 c",
            "     4    1.000000 127.0.0.1:1883 → 127.0.0.1:50000 CONNACK 0",
            "     6    2.000000 127.0.0.1:50000 → 127.0.0.1:1883 [TCP Retransmission, 3 bytes]",
            "     7    3.000000 127.0.0.1:50000 → 127.0.0.1:1883 PUBLISH q0 t",
            "     8    4.000000 127.0.0.1:50000 → 127.0.0.1:1883 [TCP FIN]",
        ],
        "{lines:#?}"
    );
}

#[test]
fn mqtt_on_another_port_is_known_by_its_connect_even_from_the_wrong_side() {
    // No SYN captured, ports 1883 unused: the CONNECT's sender is the client.
    let mut p = ipv4_tcp(CONNECT, 1, 0x18);
    p[20..22].copy_from_slice(&40000u16.to_be_bytes());
    p[22..24].copy_from_slice(&30000u16.to_be_bytes());
    let c = read(&pcap_raw(&[(1, p)])).unwrap();
    assert_eq!(c.streams[0].client.port(), 40000);
    assert_eq!(c.streams[0].server.port(), 30000);
    assert!(matches!(c.events[0].what, What::Mqtt(_)));
    assert_eq!(c.events[0].direction, Direction::ToServer);
}

#[test]
fn a_damaged_record_keeps_the_frames_before_it() {
    let frames = vec![
        (1, ipv4_tcp(CONNECT, 100, 0x18)),
        (2, ipv4_tcp(&[0xc0, 0x00], 115, 0x18)),
    ];
    let file = pcap_raw(&frames);
    let cut = &file[..file.len() - 3];
    let c = read(cut).unwrap();
    assert_eq!(c.frames, 1);
    assert_eq!(c.events.len(), 1);
    let e = c.error.unwrap();
    assert_eq!(e.kind, FileErrorKind::Truncated);
    assert_eq!(e.offset, 24 + 16 + frames[0].1.len());
}

#[test]
fn the_broker_state_follows_the_packets() {
    use crate::capture::state::brokers;
    let will_connect = {
        // CONNECT, clean, will "s/st" "off" retained q0, client id "w".
        let mut v = vec![
            0x10, 0x00, 0, 4, b'M', b'Q', b'T', b'T', 4, 0x26, 0, 60, 0, 1, b'w',
        ];
        v.extend_from_slice(&[0, 4, b's', b'/', b's', b't', 0, 3, b'o', b'f', b'f']);
        v[1] = (v.len() - 2) as u8;
        v
    };
    let subscribe = [0x82, 0x08, 0, 1, 0, 3, b'a', b'/', b'#', 1];
    let suback = [0x90, 0x03, 0, 1, 1];
    let retained = [0x31, 0x05, 0, 1, b'r', b'o', b'n'];
    let frames = vec![
        (1, ipv4_tcp(&will_connect, 100, 0x18)),
        (1, reversed(ipv4_tcp(&[0x20, 0x02, 0, 0], 500, 0x18))),
        (
            2,
            ipv4_tcp(&subscribe, 100 + will_connect.len() as u32, 0x18),
        ),
        (2, reversed(ipv4_tcp(&suback, 504, 0x18))),
        (
            3,
            ipv4_tcp(&retained, 110 + will_connect.len() as u32, 0x18),
        ),
        (4, ipv4_tcp(&[], 117 + will_connect.len() as u32, 0x14)),
    ];
    let c = read(&pcap_raw(&frames)).unwrap();
    let b = brokers(&c, 5);
    assert_eq!(b.len(), 1);
    let s = &b[0].sessions[0];
    assert_eq!(s.client_id, "w");
    assert!(s.online && s.clean);
    assert_eq!(
        s.subscriptions,
        vec![("a/#".to_string(), crate::codec::QoS::AtLeastOnce)]
    );
    assert_eq!(s.will.as_ref().unwrap().topic, "s/st");
    assert_eq!(b[0].retained[0].topic, "r");
    // The reset without DISCONNECT: the retained will is published, the
    // clean session ends.
    let b = brokers(&c, c.events.len());
    assert!(b[0].sessions.is_empty());
    let topics: Vec<_> = b[0].retained.iter().map(|m| m.topic.as_str()).collect();
    assert_eq!(topics, vec!["r", "s/st"]);
}

/// Random and mutated files: never a panic; an error names an offset inside
/// the file; the frames read before damage are a prefix of the whole file's.
#[cfg(not(target_arch = "wasm32"))]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    const REAL: &[u8] = include_bytes!("../../../tests/fixtures/capture/qos-311-p18931.pcapng");
    const REAL_PCAP: &[u8] = include_bytes!("../../../tests/fixtures/capture/will-5-p18931.pcap");

    fn check(bytes: &[u8]) {
        match read(bytes) {
            Ok(c) => {
                if let Some(e) = &c.error {
                    assert!(e.offset <= bytes.len(), "{e}");
                }
                for e in &c.events {
                    assert!(e.stream < c.streams.len());
                    let _ = c.line(e);
                }
                let _ = state::brokers(&c, c.events.len());
                let _ = lifelines::lifelines(&c);
            }
            Err(e) => assert!(e.offset <= bytes.len()),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512), magic in 0usize..3) {
            let mut file = match magic {
                0 => vec![0x0a, 0x0d, 0x0d, 0x0a],
                1 => vec![0xd4, 0xc3, 0xb2, 0xa1],
                _ => Vec::new(),
            };
            file.extend_from_slice(&bytes);
            check(&file);
        }

        #[test]
        fn mutated_real_captures(
            pcapng in any::<bool>(),
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut file = if pcapng { REAL.to_vec() } else { REAL_PCAP.to_vec() };
            for (at, b) in flips {
                let i = at.index(file.len());
                file[i] = b;
            }
            check(&file);
            let n = cut.index(file.len());
            check(&file[..n]);
        }
    }

    #[test]
    fn the_real_fixtures_read_whole() {
        let c = read(REAL).unwrap();
        assert_eq!(c.error, None);
        assert!(
            c.events
                .iter()
                .filter(|e| matches!(e.what, What::Mqtt(_)))
                .count()
                >= 20
        );
        let c = read(REAL_PCAP).unwrap();
        assert_eq!(c.format, Format::Pcap);
    }
}

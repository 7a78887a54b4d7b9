//! Properties of the codec over random packets and random bytes: encode then
//! decode is the identity, any chunking of a stream decodes the same packets, and
//! no input makes the decoder or the dissector panic.
#![cfg(not(target_arch = "wasm32"))]

use bytes::Bytes;
use mqttlab_core::codec::{
    decode, decode_frame, dissect, Connack, Connect, ConnectReturnCode, Decoder, Field, LastWill,
    Login, Packet, Pid, Protocol, Publish, QoS, QosPid, Suback, SubackReturnCode, Subscribe,
    SubscribeTopic, Unsubscribe,
};
use mqttlab_core::topic::{TopicFilter, TopicName};
use proptest::prelude::*;

fn pid() -> impl Strategy<Value = Pid> {
    (1..=u16::MAX).prop_map(|n| Pid::new(n).unwrap())
}

fn qos() -> impl Strategy<Value = QoS> {
    (0u8..3).prop_map(|q| QoS::from_u8(q).unwrap())
}

fn text() -> impl Strategy<Value = String> {
    // Any printable characters, multi-byte ones included; never U+0000.
    "\\PC{0,12}"
}

fn topic_name() -> impl Strategy<Value = TopicName> {
    "[^+#\\x00]{1,16}".prop_map(|s| TopicName::new(s).unwrap())
}

fn topic_filter() -> impl Strategy<Value = TopicFilter> {
    (
        prop::collection::vec(prop_oneof![Just("+".to_string()), "[^+#/\\x00]{0,6}"], 1..5),
        any::<bool>(),
    )
        .prop_map(|(levels, hash)| {
            let mut f = levels.join("/");
            if hash {
                f.push_str(if f.is_empty() { "#" } else { "/#" });
            }
            if f.is_empty() {
                f.push('+');
            }
            TopicFilter::new(f).unwrap()
        })
}

fn bytes(max: usize) -> impl Strategy<Value = Bytes> {
    prop::collection::vec(any::<u8>(), 0..max).prop_map(Bytes::from)
}

fn connect() -> impl Strategy<Value = Packet> {
    let will = prop::option::of((topic_name(), bytes(16), qos(), any::<bool>()).prop_map(
        |(topic, message, qos, retain)| LastWill {
            topic,
            message,
            qos,
            retain,
        },
    ));
    let login = prop::option::of(
        (text(), prop::option::of(bytes(16)))
            .prop_map(|(username, password)| Login { username, password }),
    );
    (
        prop_oneof![Just(Protocol::V311), Just(Protocol::V31)],
        any::<bool>(),
        any::<u16>(),
        text(),
        will,
        login,
    )
        .prop_map(
            |(protocol, clean_session, keep_alive, client_id, will, login)| {
                Packet::Connect(Connect {
                    protocol,
                    clean_session,
                    keep_alive,
                    client_id,
                    will,
                    login,
                })
            },
        )
}

fn publish() -> impl Strategy<Value = Packet> {
    (
        qos(),
        pid(),
        any::<bool>(),
        any::<bool>(),
        topic_name(),
        bytes(64),
    )
        .prop_map(|(q, pid, dup, retain, topic, payload)| {
            let qospid = QosPid::from_parts(q, pid);
            Packet::Publish(Publish {
                dup: dup && q != QoS::AtMostOnce,
                qospid,
                retain,
                topic,
                payload,
            })
        })
}

/// Any valid MQTT 3.1.1 packet.
pub fn packet() -> impl Strategy<Value = Packet> {
    let suback_code = prop_oneof![
        qos().prop_map(SubackReturnCode::Success),
        Just(SubackReturnCode::Failure)
    ];
    prop_oneof![
        connect(),
        (any::<bool>(), 0u8..6).prop_map(|(sp, c)| {
            let code = ConnectReturnCode::from_u8(c).unwrap();
            Packet::Connack(Connack {
                session_present: sp && c == 0,
                code,
            })
        }),
        publish(),
        pid().prop_map(Packet::Puback),
        pid().prop_map(Packet::Pubrec),
        pid().prop_map(Packet::Pubrel),
        pid().prop_map(Packet::Pubcomp),
        (
            pid(),
            prop::collection::vec(
                (topic_filter(), qos()).prop_map(|(filter, qos)| SubscribeTopic { filter, qos }),
                1..5
            )
        )
            .prop_map(|(pid, topics)| Packet::Subscribe(Subscribe { pid, topics })),
        (pid(), prop::collection::vec(suback_code, 1..6))
            .prop_map(|(pid, return_codes)| Packet::Suback(Suback { pid, return_codes })),
        (pid(), prop::collection::vec(topic_filter(), 1..5))
            .prop_map(|(pid, filters)| Packet::Unsubscribe(Unsubscribe { pid, filters })),
        pid().prop_map(Packet::Unsuback),
        Just(Packet::Pingreq),
        Just(Packet::Pingresp),
        Just(Packet::Disconnect),
    ]
}

fn check_tree(f: &Field, outer: &core::ops::Range<usize>) {
    assert!(f.range.start <= f.range.end, "{f:?}");
    assert!(
        outer.start <= f.range.start && f.range.end <= outer.end,
        "{} {:?} outside {outer:?}",
        f.label,
        f.range
    );
    for c in &f.children {
        check_tree(c, &f.range);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn encode_then_decode_is_the_identity(p in packet()) {
        let bytes = p.to_bytes().unwrap();
        prop_assert_eq!(bytes.len(), p.encoded_len());
        prop_assert_eq!(decode(&bytes, usize::MAX).unwrap(), Some((p.clone(), bytes.len())));
        prop_assert_eq!(decode_frame(&Bytes::from(bytes.clone())).unwrap(), p.clone());
        // Every proper prefix asks for more rather than failing.
        for cut in 0..bytes.len() {
            prop_assert_eq!(decode(&bytes[..cut], usize::MAX), Ok(None));
        }
        // And the dissection of a valid packet has no error node.
        let tree = dissect(&bytes);
        prop_assert_eq!(tree.len(), 1);
        prop_assert!(!tree[0].has_error(), "{}", mqttlab_core::codec::render(&tree));
    }

    #[test]
    fn any_chunking_of_a_stream_decodes_the_same_packets(
        packets in prop::collection::vec(packet(), 1..8),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let stream: Vec<u8> = packets.iter().flat_map(|p| p.to_bytes().unwrap()).collect();
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(stream.len() + 1)).collect();
        cuts.push(0);
        cuts.push(stream.len());
        cuts.sort_unstable();
        let mut d = Decoder::new(usize::MAX);
        let mut got = Vec::new();
        for w in cuts.windows(2) {
            d.push(&stream[w[0]..w[1]]);
            while let Some((p, raw)) = d.next_frame().unwrap() {
                prop_assert_eq!(&raw[..], &p.to_bytes().unwrap()[..]);
                got.push(p);
            }
        }
        prop_assert_eq!(got, packets);
        prop_assert_eq!(d.buffered(), 0);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_and_what_decodes_re_encodes(
        bytes in prop::collection::vec(any::<u8>(), 0..64),
        max in 0usize..100,
    ) {
        if let Ok(Some((p, used))) = decode(&bytes, max) {
            prop_assert!(used <= bytes.len() && used <= max);
            let again = p.to_bytes().unwrap();
            prop_assert_eq!(decode(&again, usize::MAX).unwrap(), Some((p, again.len())));
        }
        let tree = dissect(&bytes);
        let all = 0..bytes.len();
        let mut next = 0;
        for root in &tree {
            check_tree(root, &all);
            prop_assert_eq!(root.range.start, next, "roots follow each other");
            next = root.range.end;
        }
        let mut d = Decoder::new(max);
        d.push(&bytes);
        for _ in 0..bytes.len() + 1 {
            if !matches!(d.next_packet(), Ok(Some(_))) {
                break;
            }
        }
    }

    /// A valid packet with one byte changed: never a panic, and the dissection
    /// shows an error exactly when the decoder refuses the packet.
    #[test]
    fn dissection_and_decoder_agree_on_mutated_packets(
        p in packet(),
        at in any::<prop::sample::Index>(),
        value in any::<u8>(),
    ) {
        let mut bytes = p.to_bytes().unwrap();
        let i = at.index(bytes.len());
        bytes[i] = value;
        let tree = dissect(&bytes);
        if let Ok(Some((_, used))) = decode(&bytes, usize::MAX) {
            if used == bytes.len() {
                prop_assert_eq!(tree.len(), 1);
                prop_assert!(!tree[0].has_error(), "{}", mqttlab_core::codec::render(&tree));
            }
        }
        // When the length byte still frames the whole buffer as one packet, the
        // error node is the decoder's error.
        if tree.len() != 1 || tree[0].range != (0..bytes.len()) {
            return Ok(());
        }
        match decode_frame(&Bytes::from(bytes.clone())) {
            Ok(_) => prop_assert!(!tree[0].has_error()),
            Err(e) => {
                prop_assert!(tree[0].has_error(), "{e}");
                let last = tree[0].children.last().unwrap();
                prop_assert!(last.is_error && last.label.contains(e.kind.rule()));
            }
        }
    }
}

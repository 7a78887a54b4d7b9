//! MQTT 5.0 codec properties over random packets and random bytes: encode then
//! decode is the identity and re-encodes the same bytes, any chunking of a
//! stream decodes the same packets, no input panics, and the dissection shows
//! an error exactly when the decoder refuses.
#![cfg(not(target_arch = "wasm32"))]

use bytes::Bytes;
use mqttlab_core::codec::properties::{self as props, rule, Holder, Property, PropertyId};
use mqttlab_core::codec::reason_codes::*;
use mqttlab_core::codec::v5::{self, *};
use mqttlab_core::codec::{
    dissect_as, render, AnyPacket, Decoder, Field, Pid, Protocol, QoS, QosPid,
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
    "\\PC{0,8}"
}

fn bin() -> impl Strategy<Value = Bytes> {
    prop::collection::vec(any::<u8>(), 0..8).prop_map(Bytes::from)
}

fn topic_name() -> impl Strategy<Value = TopicName> {
    "[^+#\\x00]{1,12}".prop_map(|s| TopicName::new(s).unwrap())
}

fn topic_filter() -> impl Strategy<Value = TopicFilter> {
    prop_oneof![
        "[^+#\\x00]{1,10}",
        Just("a/+/#".to_string()),
        Just("#".to_string())
    ]
    .prop_map(|s| TopicFilter::new(s).unwrap())
}

/// A valid value of `id` built from the random parts.
fn property(id: PropertyId, n: u32, s: String, t: String, b: Bytes) -> Property {
    use mqttlab_core::codec::properties::*;
    let flag = (n & 1) as u8;
    let nz16 = (n as u16).max(1);
    match id {
        PropertyId::PayloadFormatIndicator => PayloadFormatIndicator(flag).into(),
        PropertyId::MessageExpiryInterval => MessageExpiryInterval(n).into(),
        PropertyId::ContentType => ContentType(s).into(),
        PropertyId::ResponseTopic => ResponseTopic(s).into(),
        PropertyId::CorrelationData => CorrelationData(b).into(),
        PropertyId::SubscriptionIdentifier => SubscriptionIdentifier((n % 268_435_455) + 1).into(),
        PropertyId::SessionExpiryInterval => SessionExpiryInterval(n).into(),
        PropertyId::AssignedClientIdentifier => AssignedClientIdentifier(s).into(),
        PropertyId::ServerKeepAlive => ServerKeepAlive(n as u16).into(),
        PropertyId::AuthenticationMethod => AuthenticationMethod(s).into(),
        PropertyId::AuthenticationData => AuthenticationData(b).into(),
        PropertyId::RequestProblemInformation => RequestProblemInformation(flag).into(),
        PropertyId::WillDelayInterval => WillDelayInterval(n).into(),
        PropertyId::RequestResponseInformation => RequestResponseInformation(flag).into(),
        PropertyId::ResponseInformation => ResponseInformation(s).into(),
        PropertyId::ServerReference => ServerReference(s).into(),
        PropertyId::ReasonString => ReasonString(s).into(),
        PropertyId::ReceiveMaximum => ReceiveMaximum(nz16).into(),
        PropertyId::TopicAliasMaximum => TopicAliasMaximum(n as u16).into(),
        PropertyId::TopicAlias => TopicAlias(nz16).into(),
        PropertyId::MaximumQos => MaximumQos(flag).into(),
        PropertyId::RetainAvailable => RetainAvailable(flag).into(),
        PropertyId::UserProperty => UserProperty((s, t)).into(),
        PropertyId::MaximumPacketSize => MaximumPacketSize(n.max(1)).into(),
        PropertyId::WildcardSubscriptionAvailable => WildcardSubscriptionAvailable(flag).into(),
        PropertyId::SubscriptionIdentifierAvailable => SubscriptionIdentifierAvailable(flag).into(),
        PropertyId::SharedSubscriptionAvailable => SharedSubscriptionAvailable(flag).into(),
    }
}

/// Properties `holder` may carry, as the table says: any order, user
/// properties and PUBLISH's subscription identifiers repeated.
fn properties(holder: Holder) -> impl Strategy<Value = Vec<Property>> {
    let allowed: Vec<PropertyId> = PropertyId::ALL
        .iter()
        .copied()
        .filter(|&id| rule(holder, id).is_some())
        .collect();
    prop::collection::vec(
        (
            prop::sample::select(allowed),
            any::<u32>(),
            text(),
            text(),
            bin(),
        ),
        0..6,
    )
    .prop_map(move |parts| {
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for (id, n, s, t, b) in parts {
            if rule(holder, id) == Some(props::Multiplicity::Once) {
                if seen.contains(&id) {
                    continue;
                }
                seen.push(id);
            }
            out.push(property(id, n, s, t, b));
        }
        out
    })
}

fn tail<R: Clone + core::fmt::Debug + 'static>(
    codes: &'static [R],
    holder: Holder,
) -> impl Strategy<Value = (Option<R>, Option<Vec<Property>>)> {
    (0u8..3, prop::sample::select(codes), properties(holder)).prop_map(|(form, r, p)| match form {
        0 => (None, None),
        1 => (Some(r), None),
        _ => (Some(r), Some(p)),
    })
}

pub fn packet() -> impl Strategy<Value = v5::Packet> {
    let will = prop::option::of(
        (
            properties(Holder::Will),
            topic_name(),
            bin(),
            qos(),
            any::<bool>(),
        )
            .prop_map(|(properties, topic, payload, qos, retain)| Will {
                properties,
                topic,
                payload,
                qos,
                retain,
            }),
    );
    let connect = (
        any::<bool>(),
        any::<u16>(),
        properties(Holder::Connect),
        text(),
        will,
        prop::option::of(text()),
        prop::option::of(bin()),
    )
        .prop_map(
            |(clean_start, keep_alive, properties, client_id, will, username, password)| {
                Packet::Connect(Connect {
                    clean_start,
                    keep_alive,
                    properties,
                    client_id,
                    will,
                    username,
                    password,
                })
            },
        );
    let connack = (
        any::<bool>(),
        prop::sample::select(ConnackReasonCode::ALL),
        properties(Holder::Connack),
    )
        .prop_map(|(sp, reason, properties)| {
            Packet::Connack(Connack {
                session_present: sp && reason == ConnackReasonCode::Success,
                reason,
                properties,
            })
        });
    let publish = (
        any::<bool>(),
        qos(),
        pid(),
        any::<bool>(),
        prop::option::of(topic_name()),
        properties(Holder::Publish),
        bin(),
    )
        .prop_map(|(dup, qos, pid, retain, topic, mut properties, payload)| {
            let qospid = QosPid::from_parts(qos, pid);
            if topic.is_none() && !properties.iter().any(|p| p.id() == PropertyId::TopicAlias) {
                properties.push(mqttlab_core::codec::properties::TopicAlias(1).into());
            }
            Packet::Publish(Publish {
                dup: dup && qos != QoS::AtMostOnce,
                qospid,
                retain,
                topic,
                properties,
                payload,
            })
        });
    let options = (qos(), any::<bool>(), any::<bool>(), 0u8..3).prop_map(|(qos, nl, rap, rh)| {
        SubscriptionOptions {
            qos,
            no_local: nl,
            retain_as_published: rap,
            retain_handling: match rh {
                0 => RetainHandling::SendAtSubscribe,
                1 => RetainHandling::SendIfNew,
                _ => RetainHandling::DoNotSend,
            },
        }
    });
    prop_oneof![
        connect,
        connack,
        publish,
        (pid(), tail(PubackReasonCode::ALL, Holder::Puback)).prop_map(
            |(pid, (reason, properties))| {
                Packet::Puback(Ack {
                    pid,
                    reason,
                    properties,
                })
            }
        ),
        (pid(), tail(PubrecReasonCode::ALL, Holder::Pubrec)).prop_map(
            |(pid, (reason, properties))| {
                Packet::Pubrec(Ack {
                    pid,
                    reason,
                    properties,
                })
            }
        ),
        (pid(), tail(PubrelReasonCode::ALL, Holder::Pubrel)).prop_map(
            |(pid, (reason, properties))| {
                Packet::Pubrel(Ack {
                    pid,
                    reason,
                    properties,
                })
            }
        ),
        (pid(), tail(PubcompReasonCode::ALL, Holder::Pubcomp)).prop_map(
            |(pid, (reason, properties))| Packet::Pubcomp(Ack {
                pid,
                reason,
                properties
            })
        ),
        (
            pid(),
            properties(Holder::Subscribe),
            prop::collection::vec((topic_filter(), options), 1..4)
        )
            .prop_map(|(pid, properties, topics)| Packet::Subscribe(Subscribe {
                pid,
                properties,
                topics: topics
                    .into_iter()
                    .map(|(filter, options)| Subscription { filter, options })
                    .collect(),
            })),
        (
            pid(),
            properties(Holder::Suback),
            prop::collection::vec(prop::sample::select(SubackReasonCode::ALL), 1..4)
        )
            .prop_map(|(pid, properties, reasons)| Packet::Suback(Suback {
                pid,
                properties,
                reasons
            })),
        (
            pid(),
            properties(Holder::Unsubscribe),
            prop::collection::vec(topic_filter(), 1..4)
        )
            .prop_map(
                |(pid, properties, filters)| Packet::Unsubscribe(Unsubscribe {
                    pid,
                    properties,
                    filters
                })
            ),
        (
            pid(),
            properties(Holder::Unsuback),
            prop::collection::vec(prop::sample::select(UnsubackReasonCode::ALL), 1..4)
        )
            .prop_map(|(pid, properties, reasons)| Packet::Unsuback(Unsuback {
                pid,
                properties,
                reasons
            })),
        Just(Packet::Pingreq),
        Just(Packet::Pingresp),
        tail(DisconnectReasonCode::ALL, Holder::Disconnect)
            .prop_map(|(reason, properties)| Packet::Disconnect(Disconnect { reason, properties })),
        tail(AuthReasonCode::ALL, Holder::Auth)
            .prop_map(|(reason, properties)| Packet::Auth(Auth { reason, properties })),
    ]
}

fn check_tree(f: &Field, outer: &core::ops::Range<usize>) {
    assert!(
        outer.start <= f.range.start && f.range.start <= f.range.end && f.range.end <= outer.end,
        "{} {:?} outside {outer:?}",
        f.label,
        f.range
    );
    for c in &f.children {
        check_tree(c, &f.range);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn encode_then_decode_is_the_identity(p in packet()) {
        let bytes = p.to_bytes().unwrap();
        prop_assert_eq!(v5::decode(&bytes, usize::MAX).unwrap(), Some((p.clone(), bytes.len())));
        prop_assert_eq!(v5::decode_frame(&Bytes::from(bytes.clone())).unwrap(), p.clone());
        for cut in 0..bytes.len() {
            prop_assert_eq!(v5::decode(&bytes[..cut], usize::MAX), Ok(None));
        }
        let tree = dissect_as(&bytes, Some(Protocol::V5));
        prop_assert_eq!(tree.len(), 1);
        prop_assert!(!tree[0].has_error(), "{}", render(&tree));
        // Every property has its node, named after it.
        let text = render(&tree);
        for prop in p.properties() {
            let id_line = format!("ID: {}", match prop.id() {
                PropertyId::MessageExpiryInterval => "Publication Expiry Interval",
                id => id.name(),
            });
            prop_assert!(text.contains(&id_line), "{} in\n{}", id_line, text);
        }
    }

    #[test]
    fn any_chunking_of_a_stream_decodes_the_same_packets(
        packets in prop::collection::vec(packet(), 1..6),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..10),
    ) {
        let stream: Vec<u8> = packets.iter().flat_map(|p| p.to_bytes().unwrap()).collect();
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(stream.len() + 1)).collect();
        cuts.push(0);
        cuts.push(stream.len());
        cuts.sort_unstable();
        let mut d = Decoder::with_protocol(usize::MAX, Protocol::V5);
        let mut got = Vec::new();
        for w in cuts.windows(2) {
            d.push(&stream[w[0]..w[1]]);
            while let Some((p, raw)) = d.next_any_frame().unwrap() {
                let AnyPacket::V5(p) = p else { panic!("read as 3.1.1") };
                prop_assert_eq!(&raw[..], &p.to_bytes().unwrap()[..]);
                got.push(p);
            }
        }
        prop_assert_eq!(got, packets);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_and_what_decodes_re_encodes_exactly(
        bytes in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        if let Ok(Some((p, used))) = v5::decode(&bytes, usize::MAX) {
            prop_assert_eq!(p.to_bytes().unwrap(), bytes[..used].to_vec());
        }
        let tree = dissect_as(&bytes, Some(Protocol::V5));
        let all = 0..bytes.len();
        for root in &tree {
            check_tree(root, &all);
        }
        let _ = render(&tree);
    }

    /// A valid packet with one byte changed: never a panic; the dissection shows
    /// an error exactly when the decoder refuses, and what still decodes
    /// re-encodes to the same bytes.
    #[test]
    fn dissection_and_decoder_agree_on_mutated_packets(
        p in packet(),
        at in any::<prop::sample::Index>(),
        value in any::<u8>(),
    ) {
        let mut bytes = p.to_bytes().unwrap();
        let i = at.index(bytes.len());
        bytes[i] = value;
        let tree = dissect_as(&bytes, Some(Protocol::V5));
        if tree.len() != 1 || tree[0].range != (0..bytes.len()) {
            return Ok(());
        }
        match v5::decode_frame(&Bytes::from(bytes.clone())) {
            Ok(q) => {
                prop_assert!(!tree[0].has_error(), "{}", render(&tree));
                prop_assert_eq!(q.to_bytes().unwrap(), bytes);
            }
            Err(e) => {
                let text = render(&tree);
                let want = format!("(at byte {}, {})]", e.offset, e.kind.rule());
                prop_assert!(text.contains(&want), "{} in\n{}", want, text);
            }
        }
    }
}

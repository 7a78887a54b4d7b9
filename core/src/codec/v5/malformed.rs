//! One malformed or protocol-error MQTT 5.0 packet per rule the standard states
//! for a single packet, with the byte offset and the statement the decoder
//! must report.

use bytes::Bytes;

use super::golden::h;
use super::*;
use crate::codec::dissect::{dissect_as, render};
use crate::codec::Protocol;

/// (what, bytes, offset, rule)
fn malformed() -> Vec<(&'static str, Vec<u8>, usize, &'static str)> {
    let connect_props = |props: &str| {
        let props = h(props);
        let mut body = h("0004 4d515454 05 02 003c");
        body.push(props.len() as u8);
        body.extend(props);
        body.extend(h("0001 63"));
        let mut b = vec![0x10, body.len() as u8];
        b.extend(body);
        b
    };
    let connack_props = |props: &str| {
        let props = h(props);
        let mut b = vec![0x20, (3 + props.len()) as u8, 0, 0, props.len() as u8];
        b.extend(props);
        b
    };
    let publish_props = |props: &str| {
        let props = h(props);
        let mut b = vec![0x30, (4 + props.len()) as u8, 0, 1, b't', props.len() as u8];
        b.extend(props);
        b
    };
    let subscribe_opts = |filter: &str, opts: u8| {
        let mut b = vec![
            0x82,
            (6 + filter.len()) as u8,
            0,
            1,
            0,
            0,
            filter.len() as u8,
        ];
        b.extend(filter.as_bytes());
        b.push(opts);
        b
    };
    vec![
        // Properties (§2.2.2).
        (
            "Receive Maximum twice",
            connect_props("21 0001 21 0002"),
            16,
            "§3.1.2.11.3",
        ),
        (
            "Session Expiry Interval in a PUBLISH",
            publish_props("11 00000001"),
            6,
            "§2.2.2.2",
        ),
        (
            "property identifier 0x05",
            publish_props("05 00"),
            6,
            "§2.2.2.2",
        ),
        (
            "Receive Maximum 0",
            connect_props("21 0000"),
            14,
            "§3.1.2.11.3",
        ),
        (
            "Maximum Packet Size 0",
            connect_props("27 00000000"),
            14,
            "§3.1.2.11.4",
        ),
        ("Maximum QoS 2", connack_props("24 02"), 6, "§3.2.2.3.4"),
        (
            "Payload Format Indicator 2",
            publish_props("01 02"),
            7,
            "§3.3.2.3.2",
        ),
        (
            "Request Problem Information 2",
            connect_props("17 02"),
            14,
            "§3.1.2.11.7",
        ),
        ("Topic Alias 0", publish_props("23 0000"), 7, "MQTT-3.3.2-8"),
        (
            "Subscription Identifier 0",
            h("82 09 0001 02 0b 00 0001 61 00"),
            6,
            "§3.8.2.1.2",
        ),
        (
            "Subscription Identifier in more bytes than needed",
            h("82 0a 0001 03 0b 8100 0001 61 00"),
            6,
            "MQTT-1.5.5-1",
        ),
        (
            "property length past the packet",
            h("30 05 0001 74 09 01"),
            5,
            "§2.1.4",
        ),
        (
            "a string running past the property length",
            h("30 0b 0001 74 03 03 0005 61 626364"),
            7,
            "§2.1.4",
        ),
        (
            "invalid UTF-8 in a Reason String",
            h("40 08 0001 80 04 1f 0001 ff"),
            9,
            "MQTT-1.5.4-1",
        ),
        (
            "U+0000 in a User Property value",
            h("e0 09 00 07 26 0001 61 0001 00"),
            10,
            "MQTT-1.5.4-2",
        ),
        (
            "invalid UTF-8 in a User Property name",
            h("e0 09 00 07 26 0001 c3 0001 61"),
            7,
            "MQTT-1.5.4-1",
        ),
        // Reason codes (§2.4).
        (
            "PUBACK with PUBREL's 0x92",
            h("40 03 0001 92"),
            4,
            "§3.4.2.1",
        ),
        ("DISCONNECT 0x05", h("e0 01 05"), 2, "§3.14.2.1"),
        ("CONNACK 0x04", h("20 03 00 04 00"), 3, "§3.2.2.2"),
        ("AUTH 0x01", h("f0 01 01"), 2, "§3.15.2.1"),
        ("SUBACK 0x03", h("90 04 0001 00 03"), 5, "§3.9.3"),
        ("UNSUBACK 0x02", h("b0 04 0001 00 02"), 5, "§3.11.3"),
        (
            "SUBACK without reason codes",
            h("90 03 0001 00"),
            5,
            "§3.9.3",
        ),
        (
            "UNSUBACK without reason codes",
            h("b0 03 0001 00"),
            5,
            "§3.11.3",
        ),
        (
            "CONNACK session present on a refusal",
            h("20 03 01 87 00"),
            2,
            "MQTT-3.2.2-6",
        ),
        (
            "CONNACK reserved flags",
            h("20 03 02 00 00"),
            2,
            "§3.2.2.1.1",
        ),
        // Subscription options (§3.8.3.1).
        (
            "Retain Handling 3",
            subscribe_opts("a", 0x30),
            8,
            "§3.8.3.1",
        ),
        ("Maximum QoS 3", subscribe_opts("a", 0x03), 8, "§3.8.3.1"),
        (
            "reserved option bit 6",
            subscribe_opts("a", 0x40),
            8,
            "MQTT-3.8.3-5",
        ),
        (
            "reserved option bit 7",
            subscribe_opts("a", 0x80),
            8,
            "MQTT-3.8.3-5",
        ),
        (
            "No Local on a shared subscription",
            subscribe_opts("$share/g/a", 0x04),
            17,
            "MQTT-3.8.3-4",
        ),
        (
            "SUBSCRIBE without filters",
            h("82 03 0001 00"),
            5,
            "MQTT-3.8.3-2",
        ),
        (
            "UNSUBSCRIBE without filters",
            h("a2 03 0001 00"),
            5,
            "MQTT-3.10.3-2",
        ),
        // Shared with 3.1.1, numbered as 5.0 numbers them.
        ("AUTH flags 0001", h("f1 00"), 0, "MQTT-2.1.3-1"),
        ("PUBREL flags 0000", h("60 02 0001"), 0, "MQTT-2.1.3-1"),
        ("packet identifier 0", h("40 02 0000"), 2, "MQTT-2.2.1-3"),
        ("PUBLISH QoS 3", h("36 00"), 0, "MQTT-3.3.1-4"),
        ("PUBLISH DUP at QoS 0", h("38 00"), 0, "MQTT-3.3.1-2"),
        (
            "remaining length in more bytes than needed",
            h("40 8200 0001"),
            1,
            "MQTT-1.5.5-1",
        ),
        ("PINGREQ with a body", h("c0 01 00"), 1, "§2.1.4"),
        (
            "empty topic without a Topic Alias",
            h("30 03 0000 00"),
            4,
            "§3.3.2.1",
        ),
        (
            "wildcard in a topic name",
            h("30 04 0001 2b 00"),
            4,
            "MQTT-3.3.2-2",
        ),
        (
            "invalid UTF-8 in a topic",
            h("30 04 0001 ff 00"),
            4,
            "MQTT-1.5.4-1",
        ),
        (
            "filter a/#/b",
            h("82 0b 0001 00 0005 612f232f62 00"),
            9,
            "MQTT-4.7.1-1",
        ),
        (
            "will QoS 3",
            h("10 0d 0004 4d515454 05 1e 0000 00 0000"),
            9,
            "MQTT-3.1.2-12",
        ),
        (
            "will QoS without the will flag",
            h("10 0d 0004 4d515454 05 0a 0000 00 0000"),
            9,
            "MQTT-3.1.2-11",
        ),
        (
            "will retain without the will flag",
            h("10 0d 0004 4d515454 05 22 0000 00 0000"),
            9,
            "MQTT-3.1.2-13",
        ),
        (
            "CONNECT reserved flag",
            h("10 0d 0004 4d515454 05 03 0000 00 0000"),
            9,
            "MQTT-3.1.2-3",
        ),
        (
            "a byte after DISCONNECT's properties",
            h("e0 03 00 00 00"),
            4,
            "§2.1.4",
        ),
    ]
}

#[test]
fn every_single_packet_rule_with_offset_and_statement() {
    for (what, bytes, offset, rule) in malformed() {
        let e = decode(&bytes, usize::MAX).expect_err(what);
        assert_eq!(
            (e.offset, e.kind.rule()),
            (offset, rule),
            "{what}: {e} in {bytes:02x?}"
        );
        let frame = decode_frame(&Bytes::from(bytes.clone())).expect_err(what);
        assert_eq!(frame, e, "{what}: frame and stream agree");
        // The dissection marks the same byte and names the same rule.
        let text = render(&dissect_as(&bytes, Some(Protocol::V5)));
        assert!(
            text.contains(&format!("(at byte {offset}, {rule})]")),
            "{what}:\n{text}"
        );
    }
}

#[test]
fn the_311_decoder_is_unchanged_by_5_0() {
    // AUTH is a reserved type in 3.1.1, and a 3.1.1 PUBACK has no reason code.
    assert_eq!(
        crate::codec::decode(&[0xf0, 0x00], 16)
            .unwrap_err()
            .kind
            .rule(),
        "§2.2.1"
    );
    assert!(crate::codec::decode(&[0x40, 0x03, 0, 1, 0x10], 16).is_err());
    assert_eq!(decode(&[0x40, 0x03, 0, 1, 0x10], 16).unwrap().unwrap().1, 5);
}

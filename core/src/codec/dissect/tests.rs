//! Dissections of golden packets, checked line by line against what Wireshark
//! prints, and of malformed ones.

use super::*;
use crate::codec::golden::{golden, CONNECT_FULL, CONNECT_MINIMAL, COURSE_PUBLISH};

/// Each line as (depth, label), for comparing without caring about indent width.
fn lines(fields: &[Field]) -> Vec<(usize, String)> {
    fields
        .iter()
        .flat_map(|r| r.walk())
        .map(|(d, f)| (d, f.label.clone()))
        .collect()
}

fn expect(fields: &[Field], expected: &[(usize, &str)]) {
    let got = lines(fields);
    let want: Vec<(usize, String)> = expected.iter().map(|(d, s)| (*d, s.to_string())).collect();
    assert_eq!(got, want, "\n{}", render(fields));
}

#[test]
fn the_course_text_publish_dissects_as_in_the_course() {
    // Course text, "Mensagem de publicação" (indentation normalised).
    let course = "\
MQ Telemetry Transport Protocol, Publish Message
   Header Flags: 0x33, Message Type: Publish Message, QoS Level: At least once delivery (Acknowledged deliver), Retain
       0011 .... = Message Type: Publish Message (3)
       .... 0... = DUP Flag: Not set
       .... .01. = QoS Level: At least once delivery (Acknowledged deliver) (1)
       .... ...1 = Retain: Set
   Msg Len: 18
   Topic Length: 6
   Topic: topico
   Message Identifier: 1
   Message: mensagem";
    let fields = dissect(COURSE_PUBLISH);
    let got: Vec<String> = render(&fields)
        .lines()
        .map(|l| l.trim().to_owned())
        .collect();
    let want: Vec<String> = course.lines().map(|l| l.trim().to_owned()).collect();
    assert_eq!(got, want);
    let depths: Vec<usize> = fields[0].walk().iter().map(|(d, _)| *d).collect();
    assert_eq!(depths, [0, 1, 2, 2, 2, 2, 1, 1, 1, 1, 1]);

    // And the byte ranges the hex view highlights.
    let ranges: Vec<_> = fields[0]
        .walk()
        .iter()
        .map(|(_, f)| f.range.clone())
        .collect();
    assert_eq!(
        ranges,
        [
            0..20,
            0..1,
            0..1,
            0..1,
            0..1,
            0..1,
            1..2,
            2..4,
            4..10,
            10..12,
            12..20
        ]
    );
    assert!(!fields[0].has_error());
}

#[test]
fn connect_flags_keepalive_client_id_will_and_login() {
    expect(
        &dissect(CONNECT_FULL),
        &[
            (0, "MQ Telemetry Transport Protocol, Connect Command"),
            (1, "Header Flags: 0x10, Message Type: Connect Command"),
            (2, "0001 .... = Message Type: Connect Command (1)"),
            (2, ".... 0000 = Reserved: 0"),
            (1, "Msg Len: 30"),
            (1, "Protocol Name Length: 4"),
            (1, "Protocol Name: MQTT"),
            (1, "Version: MQTT v3.1.1 (4)"),
            (
                1,
                "Connect Flags: 0xee, User Name Flag, Password Flag, Will Retain, \
                 QoS Level: At least once delivery (Acknowledged deliver), Will Flag, \
                 Clean Session Flag",
            ),
            (2, "1... .... = User Name Flag: Set"),
            (2, ".1.. .... = Password Flag: Set"),
            (2, "..1. .... = Will Retain: Set"),
            (
                2,
                "...0 1... = QoS Level: At least once delivery (Acknowledged deliver) (1)",
            ),
            (2, ".... .1.. = Will Flag: Set"),
            (2, ".... ..1. = Clean Session Flag: Set"),
            (2, ".... ...0 = (Reserved): Not set"),
            (1, "Keep Alive: 10"),
            (1, "Client ID Length: 1"),
            (1, "Client ID: c"),
            (1, "Will Topic Length: 3"),
            (1, "Will Topic: w/t"),
            (1, "Will Message Length: 3"),
            (1, "Will Message: bye"),
            (1, "User Name Length: 1"),
            (1, "User Name: u"),
            (1, "Password Length: 2"),
            (1, "Password: 00ff"),
        ],
    );
}

#[test]
fn connack_subscribe_suback_in_one_buffer() {
    let mut buf = vec![0x20, 0x02, 0x01, 0x00];
    buf.extend_from_slice(&[0x82, 0x0b, 0x00, 0x01, 0x00, 0x06]);
    buf.extend_from_slice(b"topico");
    buf.push(0x01);
    buf.extend_from_slice(&[0x90, 0x04, 0x00, 0x01, 0x01, 0x80]);
    let fields = dissect(&buf);
    assert_eq!(fields.len(), 3);
    assert_eq!(
        fields.iter().map(|f| f.range.clone()).collect::<Vec<_>>(),
        [0..4, 4..17, 17..23]
    );
    expect(
        &fields[..1],
        &[
            (0, "MQ Telemetry Transport Protocol, Connect Ack"),
            (1, "Header Flags: 0x20, Message Type: Connect Ack"),
            (2, "0010 .... = Message Type: Connect Ack (2)"),
            (2, ".... 0000 = Reserved: 0"),
            (1, "Msg Len: 2"),
            (1, "Acknowledge Flags: 0x01, Session Present"),
            (2, "0000 000. = Reserved: Not set"),
            (2, ".... ...1 = Session Present: Set"),
            (1, "Return Code: Connection Accepted (0)"),
        ],
    );
    let sub = lines(&fields[1..2]);
    assert_eq!(
        sub[1].1,
        "Header Flags: 0x82, Message Type: Subscribe Request"
    );
    assert_eq!(
        &sub[4..],
        &[
            (1, "Msg Len: 11".to_string()),
            (1, "Message Identifier: 1".to_string()),
            (1, "Topic Length: 6".to_string()),
            (1, "Topic: topico".to_string()),
            (
                1,
                "Requested QoS: At least once delivery (Acknowledged deliver) (1)".to_string()
            ),
        ]
    );
    let suback = lines(&fields[2..3]);
    assert_eq!(
        &suback[5..],
        &[
            (1, "Message Identifier: 1".to_string()),
            (
                1,
                "Granted QoS: At least once delivery (Acknowledged deliver) (1)".to_string()
            ),
            (1, "Granted QoS: Failure (128)".to_string()),
        ]
    );
}

#[test]
fn every_golden_packet_dissects_without_error_and_covers_its_bytes() {
    for (what, bytes, _) in golden() {
        let fields = dissect(&bytes);
        assert_eq!(fields.len(), 1, "{what}");
        assert!(!fields[0].has_error(), "{what}:\n{}", render(&fields));
        assert_eq!(fields[0].range, 0..bytes.len(), "{what}");
        // The top-level fields tile the packet: each starts where the last ended.
        let mut next = 0;
        for f in &fields[0].children {
            if f.range.start >= next {
                assert_eq!(f.range.start, next, "{what}: gap before {}", f.label);
            }
            next = next.max(f.range.end);
        }
        assert_eq!(next, bytes.len(), "{what}: bytes not covered");
    }
}

#[test]
fn a_wildcard_in_a_topic_name_keeps_the_fields_so_far_and_names_the_rule() {
    let mut bytes = COURSE_PUBLISH.to_vec();
    bytes[7] = b'+'; // "top+co"
    let fields = dissect(&bytes);
    let l = lines(&fields);
    assert_eq!(l[l.len() - 2], (1, "Topic: top+co".to_string()));
    assert_eq!(
        l.last().unwrap().1,
        "[Malformed Packet: the topic name is invalid: a topic name in a PUBLISH must not \
         contain the wildcards '+' or '#' (at byte 7, MQTT-3.3.2-2)]"
    );
    let topic = &fields[0].children[fields[0].children.len() - 2];
    assert!(topic.is_error, "the field holding byte 7 is marked");
    let error = fields[0].children.last().unwrap();
    assert_eq!((error.range.clone(), error.is_error), (7..8, true));
}

#[test]
fn a_reserved_connect_flag_stops_after_the_flags() {
    let mut bytes = CONNECT_MINIMAL.to_vec();
    bytes[9] = 0x03;
    let fields = dissect(&bytes);
    let labels: Vec<String> = fields[0].children.iter().map(|f| f.label.clone()).collect();
    assert_eq!(labels.len(), 7, "{labels:?}");
    assert!(labels[5].starts_with("Connect Flags: 0x03"));
    assert!(labels[6].contains("MQTT-3.1.2-3"), "{}", labels[6]);
    let flags = &fields[0].children[5];
    assert!(flags.is_error);
}

#[test]
fn truncated_and_unframeable_input() {
    // Half of the course packet: fields so far, then "only 10 bytes".
    let fields = dissect(&COURSE_PUBLISH[..10]);
    let l = lines(&fields);
    assert_eq!(l[l.len() - 2].1, "Topic: topico");
    assert_eq!(
        l.last().unwrap().1,
        "[Malformed Packet: the packet is 20 bytes but only 10 are there (at byte 10, §2.2.3)]"
    );
    // A reserved type ends the dissection: where the next packet starts is unknown.
    let fields = dissect(&[0xc0, 0x00, 0xf0, 0x00, 0xc0, 0x00]);
    assert_eq!(fields.len(), 2);
    assert_eq!(fields[1].label, "MQ Telemetry Transport Protocol, Reserved");
    assert!(fields[1].has_error());
    // A body error does not: the next packet is dissected.
    let fields = dissect(&[0x82, 0x02, 0x00, 0x01, 0xc0, 0x00]);
    assert_eq!(fields.len(), 2);
    assert!(fields[0]
        .children
        .last()
        .unwrap()
        .label
        .contains("MQTT-3.8.3-3"));
    assert!(!fields[1].has_error());
    // Five length bytes.
    let fields = dissect(&[0x30, 0xff, 0xff, 0xff, 0xff, 0x01]);
    assert!(render(&fields).contains("remaining length is longer than 4 bytes"));
    assert!(dissect(&[]).is_empty());
}

#[test]
fn an_mqtt5_connect_shows_its_properties_and_what_a_311_broker_does() {
    // mosquitto_sub -V 5 --will-topic w --will-payload x, as captured (with its
    // Receive Maximum property); Wireshark 3.6 shows the same field names.
    let bytes = [
        0x10, 0x17, 0, 4, b'M', b'Q', b'T', b'T', 5, 0x06, 0, 60, 3, 0x21, 0, 0x14, 0, 0, 0, 0, 1,
        b'w', 0, 1, b'x',
    ];
    let fields = dissect(&bytes);
    let text = render(&fields);
    let labels: Vec<&str> = text.lines().map(str::trim).collect();
    for want in [
        "Version: MQTT v5.0 (5)",
        "Keep Alive: 60",
        "Properties",
        "Total Length: 3",
        "Client ID Length: 0",
        "Will Properties",
        "Total Length: 0",
        "Will Topic: w",
        "Will Message: x",
    ] {
        assert!(labels.contains(&want), "{want}:\n{text}");
    }
    assert!(
        text.contains("[Not MQTT 3.1.1: unsupported protocol name \"MQTT\" level 5; a 3.1.1 broker answers CONNACK 1 (unacceptable protocol version) and closes (at byte 8, MQTT-3.1.2-2)]"),
        "{text}"
    );
    assert!(!text.contains("Malformed"), "{text}");
    // The version byte is what the broker objects to.
    let version = fields[0]
        .children
        .iter()
        .find(|f| f.label.starts_with("Version"))
        .unwrap();
    assert!(version.is_error && version.range == (8..9));
}

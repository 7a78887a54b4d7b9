//! `mqttlab dissect` run as a student would: the built binary, hex in, tree out.

use std::io::Write;
use std::process::{Command, Stdio};

fn mqttlab(args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mqttlab"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mqttlab");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const COURSE_TREE: &str = "\
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
    Message: mensagem
summary: PUBLISH q1 r1 m1 topico
";

#[test]
fn dissects_the_course_publish_from_a_hex_stream() {
    // Arguments are joined, so a stream split by the shell is still one stream.
    let (ok, out, err) = mqttlab(
        &["dissect", "3312000674", "6f7069636f00016d656e736167656d"],
        None,
    );
    assert!(ok, "{err}");
    assert_eq!(out, COURSE_TREE);
}

#[test]
fn dissects_a_wireshark_dump_from_stdin() {
    let dump = "0000   33 12 00 06 74 6f 70 69 63 6f 00 01 6d 65 6e 73   3...topico..mens\n\
                0010   61 67 65 6d                                       agem\n";
    let (ok, out, err) = mqttlab(&["dissect"], Some(dump));
    assert!(ok, "{err}");
    assert_eq!(out, COURSE_TREE);
}

#[test]
fn ranges_and_malformed_packets() {
    // A malformed packet is shown, and the command exits non-zero.
    let (ok, out, _) = mqttlab(&["dissect", "--ranges", "82 02 00 01 c0 00"], None);
    assert!(!ok);
    assert!(out.contains("    Message Identifier: 1  [2..4]\n"), "{out}");
    assert!(
        out.contains(
            "[Malformed Packet: SUBSCRIBE carries no topic filter (at byte 4, MQTT-3.8.3-3)]"
        ),
        "{out}"
    );
    assert!(
        out.contains("MQ Telemetry Transport Protocol, Ping Request  [4..6]"),
        "{out}"
    );
    assert!(out.ends_with("summary: PINGREQ\n"), "{out}");
}

#[test]
fn bad_hex_is_an_error_naming_the_position() {
    let (ok, out, err) = mqttlab(&["dissect", "33 12 zz"], None);
    assert!(!ok);
    assert!(out.is_empty());
    assert!(
        err.contains("bad hex: not a hex digit: 'z' at line 1, column 7"),
        "{err}"
    );
}

#[test]
fn mqtt5_packets_with_every_property_named_and_the_version_flag() {
    // A 5.0 CONNECT tells the version: the CONNACK after it is read as 5.0.
    let connect = "10 18 0004 4d515454 05 02 003c 08 11 00000e10 21 0014 0003 707562";
    let connack = "20 0d 00 00 0a 22 000a 21 0014 24 01 25 01";
    let (ok, out, err) = mqttlab(&["dissect", &format!("{connect} {connack}")], None);
    assert!(ok, "{err}\n{out}");
    for want in [
        "    Version: MQTT v5.0 (5)\n",
        "        Session Expiry Interval: 3600\n",
        "            ID: Session Expiry Interval (0x11)\n",
        "            Value: 3600\n",
        "        Receive Maximum: 20\n",
        "    Reason Code: Success (0)\n",
        "        Topic Alias Maximum: 10\n",
        "        Maximum QoS: 1\n",
        "            QoS: At least once delivery (Acknowledged deliver) (1)\n",
        "summary: CONNECT c1 k60 v5.0 pub [2 props]\n",
        "summary: CONNACK 0x00 Success [4 props]\n",
    ] {
        assert!(out.contains(want), "{want:?} in\n{out}");
    }
    // Without a CONNECT, -V says it; mosquitto's words and numbers both work.
    for v in ["5", "mqttv5"] {
        let (ok, out, err) = mqttlab(&["dissect", "-V", v, "e0 01 04"], None);
        assert!(ok, "{err}");
        assert!(
            out.contains("    Reason Code: Disconnect with Will Message (4)\n"),
            "{out}"
        );
    }
    // Read as 3.1.1, the same DISCONNECT is malformed: exit status 1.
    let (ok, out, _) = mqttlab(&["dissect", "-V", "311", "e0 01 04"], None);
    assert!(!ok, "{out}");
    assert!(out.contains("(at byte 1, §2.2.3)]"), "{out}");
    // A 5.0 protocol error names its offset and statement.
    let (ok, out, _) = mqttlab(&["dissect", "-V", "mqttv5", "20 06 00 00 03 21 0000"], None);
    assert!(!ok);
    assert!(
        out.contains(
            "[Malformed Packet: Receive Maximum 0 is not allowed (at byte 6, §3.1.2.11.3)]"
        ),
        "{out}"
    );
    let (ok, _, err) = mqttlab(&["dissect", "-V", "6", "c0 00"], None);
    assert!(!ok);
    assert!(err.contains("unknown protocol version '6'"), "{err}");
}

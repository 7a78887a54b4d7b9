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
    let (ok, out, _) = mqttlab(&["dissect", "--ranges", "82 02 00 01 c0 00"], None);
    assert!(ok);
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

//! The tools' state machines on a virtual clock, fed the client's events by hand.

use bytes::Bytes;

use super::*;
use crate::client::{ClientEvent, DisconnectReason};
use crate::codec::{ConnectReturnCode, Pid, Publish, QoS, QosPid, SubackReturnCode};
use crate::topic::TopicName;

fn tool(line: &str) -> Tool {
    Tool::new(cli::parse_command_line(line).unwrap(), "t1".into())
}

fn secs(s: u64) -> Instant {
    Instant::from_secs(s)
}

fn pid(n: u16) -> Pid {
    Pid::new(n).unwrap()
}

fn actions(t: &mut Tool) -> Vec<Action> {
    std::iter::from_fn(|| t.poll_action()).collect()
}

/// Everything written, as `out:` / `err:` lines.
fn output(t: &mut Tool) -> Vec<String> {
    std::iter::from_fn(|| t.poll_output())
        .flat_map(|o| {
            let tag = match o.stream {
                Stream::Stdout => "out",
                Stream::Stderr => "err",
            };
            o.lines().into_iter().map(move |l| format!("{tag}: {l}"))
        })
        .collect()
}

fn message(topic: &str, payload: &'static str, retain: bool) -> ClientEvent {
    ClientEvent::Message(
        Publish {
            dup: false,
            qospid: QosPid::AtMostOnce,
            retain,
            topic: TopicName::new(topic).unwrap(),
            payload: Bytes::from_static(payload.as_bytes()),
        }
        .into(),
    )
}

fn connected() -> ClientEvent {
    ClientEvent::Connected {
        session_present: false,
    }
}

fn ended(reason: DisconnectReason) -> ClientEvent {
    ClientEvent::Disconnected { reason }
}

fn is_connect(a: &[Action]) -> bool {
    matches!(a, [Action::Connect(o)] if o.client_id == "t1")
}

#[test]
fn sub_subscribes_on_every_connection_and_stops_after_c() {
    let mut t = tool("mosquitto_sub -t a/# -t b -q 1 -U old -C 2 -v");
    t.start(secs(0));
    assert!(is_connect(&actions(&mut t)));
    t.handle_event(secs(1), &connected());
    assert_eq!(
        actions(&mut t),
        [
            Action::Subscribe {
                filters: vec![
                    ("a/#".into(), SubscriptionOptions::qos(QoS::AtLeastOnce)),
                    ("b".into(), SubscriptionOptions::qos(QoS::AtLeastOnce))
                ],
                properties: Vec::new()
            },
            Action::Unsubscribe {
                filter: "old".into(),
                properties: Vec::new()
            }
        ]
    );
    t.handle_event(secs(2), &message("a/x", "um", false));
    assert_eq!(actions(&mut t), []);
    t.handle_event(secs(3), &message("b", "dois", false));
    assert_eq!(actions(&mut t), [Action::Disconnect]);
    // Whatever still arrives before the DISCONNECT leaves is not printed.
    t.handle_event(secs(3), &message("b", "tres", false));
    assert_eq!(output(&mut t), ["out: a/x um", "out: b dois"]);
    assert_eq!(t.exit_code(), None);
    t.handle_event(secs(3), &ended(DisconnectReason::Requested));
    assert_eq!(t.exit_code(), Some(0));
}

#[test]
fn sub_reconnects_a_second_after_losing_the_connection() {
    let mut t = tool("mosquitto_sub -t a");
    t.start(secs(0));
    actions(&mut t);
    t.handle_event(secs(1), &connected());
    actions(&mut t);
    t.handle_event(secs(10), &ended(DisconnectReason::TransportClosed));
    assert_eq!(t.poll_timeout(), Some(secs(11)));
    t.handle_timeout(secs(11));
    assert!(is_connect(&actions(&mut t)));
    // The broker is gone: the loop keeps trying every second.
    t.handle_connect_failed(secs(11), TransportError::Refused);
    assert_eq!(t.poll_timeout(), Some(secs(12)));
    assert_eq!(output(&mut t), Vec::<String>::new());
    assert_eq!(t.exit_code(), None);
}

#[test]
fn the_first_connection_failing_ends_either_tool() {
    for line in ["mosquitto_sub -t a", "mosquitto_pub -t a -m x"] {
        let mut t = tool(line);
        t.start(secs(0));
        actions(&mut t);
        t.handle_connect_failed(secs(0), TransportError::Refused);
        assert_eq!(output(&mut t), ["err: Error: Connection refused"], "{line}");
        assert_eq!(t.exit_code(), Some(1));
    }
}

#[test]
fn retained_only_stops_at_the_first_live_message_without_printing_it() {
    let mut t = tool("mosquitto_sub -t '#' --retained-only -v");
    t.start(secs(0));
    t.handle_event(secs(1), &connected());
    actions(&mut t);
    t.handle_event(secs(1), &message("s/1", "old", true));
    assert_eq!(actions(&mut t), []);
    t.handle_event(secs(2), &message("s/1", "new", false));
    assert_eq!(actions(&mut t), [Action::Disconnect]);
    t.handle_event(secs(2), &ended(DisconnectReason::Requested));
    assert_eq!(output(&mut t), ["out: s/1 old"]);
    assert_eq!(t.exit_code(), Some(0));
}

#[test]
fn w_times_out_after_connack_and_exits_minus_one_before() {
    let mut t = tool("mosquitto_sub -t a -W 5");
    t.start(secs(0));
    actions(&mut t);
    t.handle_event(secs(1), &connected());
    actions(&mut t);
    assert_eq!(t.poll_timeout(), Some(secs(5)));
    t.handle_timeout(secs(5));
    assert_eq!(actions(&mut t), [Action::Disconnect]);
    t.handle_event(secs(5), &ended(DisconnectReason::Requested));
    assert_eq!(output(&mut t), ["err: Timed out"]);
    assert_eq!(t.exit_code(), Some(EXIT_TIMED_OUT));

    let mut t = tool("mosquitto_sub -t a -W 5");
    t.start(secs(0));
    actions(&mut t);
    t.handle_timeout(secs(5));
    assert_eq!(t.exit_code(), Some(EXIT_MINUS_ONE));
    assert_eq!(output(&mut t), Vec::<String>::new());
}

#[test]
fn e_exits_once_subscribed_and_denied_subscriptions_say_so_after_disconnect() {
    let mut t = tool("mosquitto_sub -t a -E -d");
    t.start(secs(0));
    t.handle_event(secs(1), &connected());
    actions(&mut t);
    t.handle_event(
        secs(1),
        &ClientEvent::Subscribed {
            pid: pid(1),
            granted: vec![SubackReturnCode::Success(QoS::AtMostOnce)],
        },
    );
    assert_eq!(actions(&mut t), [Action::Disconnect]);
    assert_eq!(output(&mut t), ["out: Subscribed (mid: 1): 0"]);

    let mut t = tool("mosquitto_sub -t a");
    t.start(secs(0));
    t.handle_event(secs(1), &connected());
    actions(&mut t);
    t.handle_event(
        secs(1),
        &ClientEvent::Subscribed {
            pid: pid(1),
            granted: vec![SubackReturnCode::Failure],
        },
    );
    assert_eq!(actions(&mut t), [Action::Disconnect]);
    assert_eq!(output(&mut t), Vec::<String>::new());
    t.handle_event(secs(1), &ended(DisconnectReason::Requested));
    assert_eq!(
        output(&mut t),
        ["err: All subscription requests were denied."]
    );
    assert_eq!(t.exit_code(), Some(0));
}

#[test]
fn remove_retained_clears_what_it_prints_and_waits_for_the_puback() {
    let mut t = tool("mosquitto_sub -t '#' --remove-retained -T skip/# -C 1");
    t.start(secs(0));
    t.handle_event(secs(1), &connected());
    actions(&mut t);
    t.handle_event(secs(1), &message("skip/me", "x", true));
    assert_eq!(actions(&mut t), []);
    t.handle_event(secs(1), &message("s/1", "old", true));
    assert_eq!(
        actions(&mut t),
        [Action::Publish {
            topic: "s/1".into(),
            payload: Vec::new(),
            qos: QoS::AtLeastOnce,
            retain: true,
            properties: Vec::new(),
        }]
    );
    t.handle_publish_result(secs(1), Ok(Some(pid(2))));
    assert_eq!(actions(&mut t), []);
    // mosquitto_publish writes the clearing PUBLISH before print_message runs.
    assert!(output(&mut t).is_empty());
    let ClientEvent::Message(clear) = message("s/1", "", true) else {
        unreachable!()
    };
    t.handle_sent(secs(1), &Packet::Publish(clear.publish));
    assert_eq!(output(&mut t), ["out: old"]);
    t.handle_event(
        secs(2),
        &ClientEvent::Published {
            pid: pid(2),
            qos: QoS::AtLeastOnce,
        },
    );
    assert_eq!(actions(&mut t), [Action::Disconnect]);
}

#[test]
fn sub_refused_prints_the_connack_and_exits_with_its_code() {
    let mut t = tool("mosquitto_sub -t a");
    t.start(secs(0));
    actions(&mut t);
    t.handle_event(
        secs(1),
        &ClientEvent::ConnectionRefused(ConnectReturnCode::NotAuthorized),
    );
    t.handle_event(
        secs(1),
        &ended(DisconnectReason::Refused(ConnectReturnCode::NotAuthorized)),
    );
    assert_eq!(
        output(&mut t),
        ["err: Connection error: Connection Refused: not authorised."]
    );
    assert_eq!(t.exit_code(), Some(5));
}

#[test]
fn pub_repeats_after_each_completes_and_the_delay() {
    let mut t = tool("mosquitto_pub -t a -m on -q 1 --repeat 3 --repeat-delay 2");
    t.start(secs(0));
    assert!(is_connect(&actions(&mut t)));
    let publish = Action::Publish {
        topic: "a".into(),
        payload: b"on".to_vec(),
        qos: QoS::AtLeastOnce,
        retain: false,
        properties: Vec::new(),
    };
    t.handle_event(secs(1), &connected());
    for (i, at) in [1u64, 4, 7].into_iter().enumerate() {
        assert_eq!(
            actions(&mut t),
            std::slice::from_ref(&publish),
            "publish {i}"
        );
        let id = pid(i as u16 + 1);
        t.handle_publish_result(secs(at), Ok(Some(id)));
        assert_eq!(t.poll_timeout(), None);
        t.handle_event(
            secs(at + 1),
            &ClientEvent::Published {
                pid: id,
                qos: QoS::AtLeastOnce,
            },
        );
        if i < 2 {
            assert_eq!(t.poll_timeout(), Some(secs(at + 3)));
            t.handle_timeout(secs(at + 3));
        }
    }
    assert_eq!(actions(&mut t), [Action::Disconnect]);
    t.handle_event(secs(8), &ended(DisconnectReason::Requested));
    assert_eq!(t.exit_code(), Some(0));
}

#[test]
fn pub_qos0_disconnects_right_after_publishing() {
    let mut t = tool("mosquitto_pub -t a -n -r");
    t.start(secs(0));
    actions(&mut t);
    t.handle_event(secs(1), &connected());
    assert_eq!(
        actions(&mut t),
        [Action::Publish {
            topic: "a".into(),
            payload: Vec::new(),
            qos: QoS::AtMostOnce,
            retain: true,
            properties: Vec::new(),
        }]
    );
    t.handle_publish_result(secs(1), Ok(None));
    assert_eq!(actions(&mut t), [Action::Disconnect]);
}

#[test]
fn pub_reconnects_and_does_not_publish_again() {
    let mut t = tool("mosquitto_pub -t a -m x -q 1 -c -i t1");
    t.start(secs(0));
    actions(&mut t);
    t.handle_event(secs(1), &connected());
    assert_eq!(actions(&mut t).len(), 1);
    t.handle_publish_result(secs(1), Ok(Some(pid(1))));
    t.handle_event(secs(2), &ended(DisconnectReason::PingTimeout));
    assert_eq!(t.poll_timeout(), Some(secs(3)));
    t.handle_timeout(secs(3));
    assert!(is_connect(&actions(&mut t)));
    t.handle_event(secs(4), &connected());
    // The session resends m1 (DUP=1); the tool publishes nothing new.
    assert_eq!(actions(&mut t), []);
    t.handle_event(
        secs(4),
        &ClientEvent::Published {
            pid: pid(1),
            qos: QoS::AtLeastOnce,
        },
    );
    assert_eq!(actions(&mut t), [Action::Disconnect]);
    assert_eq!(output(&mut t), Vec::<String>::new());
}

#[test]
fn pub_lines_publish_each_line_then_disconnect_when_done() {
    let mut t = tool("mosquitto_pub -t a -l -q 1");
    t.start(secs(0));
    let a = actions(&mut t);
    assert!(matches!(
        &a[..],
        [Action::Connect(_), Action::ReadStdinLines]
    ));
    // A line before CONNACK waits for it.
    t.handle_stdin_line(secs(0), Some(b"one".to_vec()));
    assert_eq!(actions(&mut t), []);
    t.handle_event(secs(1), &connected());
    assert_eq!(actions(&mut t).len(), 1);
    t.handle_publish_result(secs(1), Ok(Some(pid(1))));
    t.handle_stdin_line(secs(2), Some(Vec::new()));
    assert!(
        matches!(&actions(&mut t)[..], [Action::Publish { payload, .. }] if payload.is_empty())
    );
    t.handle_publish_result(secs(2), Ok(Some(pid(2))));
    t.handle_stdin_line(secs(3), None);
    assert_eq!(actions(&mut t), []);
    t.handle_event(
        secs(3),
        &ClientEvent::Published {
            pid: pid(1),
            qos: QoS::AtLeastOnce,
        },
    );
    assert_eq!(actions(&mut t), []);
    t.handle_event(
        secs(4),
        &ClientEvent::Published {
            pid: pid(2),
            qos: QoS::AtLeastOnce,
        },
    );
    assert_eq!(actions(&mut t), [Action::Disconnect]);
}

/// Standard input may end before CONNACK (a pipe of a few lines): the lines
/// go out once connected, and DISCONNECT waits for their PUBACKs, as
/// mosquitto_pub does. Sending it at once closed the socket on unread PUBACKs
/// (a reset, which lost the last messages at mosquitto).
#[test]
fn pub_lines_read_before_connack_wait_for_their_acks() {
    let mut t = tool("mosquitto_pub -t a -l -q 1");
    t.start(secs(0));
    actions(&mut t);
    t.handle_stdin_line(secs(0), Some(b"one".to_vec()));
    t.handle_stdin_line(secs(0), Some(Vec::new()));
    t.handle_stdin_line(secs(0), None);
    assert_eq!(actions(&mut t), []);
    t.handle_event(secs(1), &connected());
    let a = actions(&mut t);
    assert_eq!(a.len(), 2, "{a:?}");
    assert!(
        a.iter().all(|a| matches!(a, Action::Publish { .. })),
        "{a:?}"
    );
    t.handle_publish_result(secs(1), Ok(Some(pid(1))));
    t.handle_publish_result(secs(1), Ok(Some(pid(2))));
    assert_eq!(actions(&mut t), []);
    for id in [1, 2] {
        t.handle_event(
            secs(2),
            &ClientEvent::Published {
                pid: pid(id),
                qos: QoS::AtLeastOnce,
            },
        );
    }
    assert_eq!(actions(&mut t), [Action::Disconnect]);
}

#[test]
fn pub_reads_its_file_before_connecting() {
    let mut t = tool("mosquitto_pub -t a -f /nowhere");
    t.start(secs(0));
    assert_eq!(actions(&mut t), [Action::ReadFile("/nowhere".into())]);
    t.handle_input(secs(0), Err(InputError::Open));
    assert_eq!(
        output(&mut t),
        [
            "err: Error: Unable to open file \"/nowhere\".",
            "err: Error loading input file \"/nowhere\"."
        ]
    );
    assert_eq!(t.exit_code(), Some(1));

    let mut t = tool("mosquitto_pub -t a -s");
    t.start(secs(0));
    assert_eq!(actions(&mut t), [Action::ReadStdin]);
    t.handle_input(secs(0), Ok(b"all of it\n".to_vec()));
    assert!(is_connect(&actions(&mut t)));
    t.handle_event(secs(1), &connected());
    assert!(
        matches!(&actions(&mut t)[..], [Action::Publish { payload, .. }] if payload == b"all of it\n")
    );
}

#[test]
fn ctrl_c_kills_pub_and_stops_sub() {
    // Connected or not, Ctrl-C kills mosquitto_pub: no DISCONNECT.
    let mut t = tool("mosquitto_pub -t a -m x --repeat 5 --repeat-delay 1");
    t.start(secs(0));
    t.handle_event(secs(1), &connected());
    actions(&mut t);
    t.handle_interrupt(secs(2));
    assert_eq!(actions(&mut t), [Action::Abort]);
    assert_eq!(t.exit_code(), Some(EXIT_INTERRUPTED));
    let mut t = tool("mosquitto_pub -t a -m x");
    t.start(secs(0));
    actions(&mut t);
    t.handle_interrupt(secs(0));
    assert_eq!(actions(&mut t), [Action::Abort]);
    assert_eq!(t.exit_code(), Some(EXIT_INTERRUPTED));

    let mut t = tool("mosquitto_sub -t a");
    t.start(secs(0));
    t.handle_event(secs(1), &connected());
    actions(&mut t);
    t.handle_interrupt(secs(2));
    assert_eq!(actions(&mut t), [Action::Disconnect]);
    t.handle_event(secs(2), &ended(DisconnectReason::Requested));
    assert_eq!(t.exit_code(), Some(0));
}

#[test]
fn d_prints_libmosquittos_lines_for_packets_both_ways() {
    let mut t = tool("mosquitto_pub -t a -m hello -d");
    t.handle_sent(secs(0), &crate::codec::Packet::Disconnect);
    t.handle_received(secs(0), &crate::codec::Packet::Pingresp);
    assert_eq!(
        output(&mut t),
        [
            "out: Client t1 sending DISCONNECT",
            "out: Client t1 received PINGRESP"
        ]
    );
}

/// The tool and a real core client and broker, end to end: the QoS 2 message
/// prints only once PUBREL has arrived.
#[test]
fn a_qos2_message_prints_after_pubrel() {
    use crate::client::Client;
    use crate::codec::Packet;
    let mut t = tool("mosquitto_sub -t t -q 2");
    let mut c = Client::new();
    t.start(secs(0));
    let Some(Action::Connect(o)) = drive::apply(&mut t, &mut c, secs(0)).pop() else {
        panic!()
    };
    assert_eq!(o.qos2_delivery, crate::client::Qos2Delivery::OnPubrel);
    c.connect(secs(0), *o).unwrap();
    let feed = |t: &mut Tool, c: &mut Client, p: Packet| {
        c.handle_packet(secs(1), p);
        while let Some(ev) = c.poll_event() {
            t.handle_event(secs(1), &ev);
            drive::apply(t, c, secs(1));
        }
    };
    feed(
        &mut t,
        &mut c,
        Packet::Connack(crate::codec::Connack {
            session_present: false,
            code: ConnectReturnCode::Accepted,
        }),
    );
    feed(
        &mut t,
        &mut c,
        Packet::Publish(Publish {
            dup: false,
            qospid: QosPid::ExactlyOnce(pid(9)),
            retain: false,
            topic: TopicName::new("t").unwrap(),
            payload: Bytes::from_static(b"mensagem"),
        }),
    );
    assert_eq!(output(&mut t), Vec::<String>::new());
    feed(&mut t, &mut c, Packet::Pubrel(pid(9)));
    assert_eq!(output(&mut t), ["out: mensagem"]);
}

#[test]
fn a_failed_5_0_puback_is_a_warning_and_still_counts_as_published() {
    let mut t = tool("mosquitto_pub -V 5 -t a -m b -q 1 --repeat 2");
    t.start(secs(0));
    actions(&mut t);
    t.handle_event(secs(1), &connected());
    actions(&mut t);
    t.handle_publish_result(secs(1), Ok(Some(pid(1))));
    t.handle_event(
        secs(1),
        &ClientEvent::Acknowledged {
            packet: crate::codec::PacketType::Puback,
            pid: pid(1),
            codes: vec![0x87],
            properties: Vec::new(),
        },
    );
    t.handle_event(
        secs(1),
        &ClientEvent::Published {
            pid: pid(1),
            qos: QoS::AtLeastOnce,
        },
    );
    assert_eq!(
        output(&mut t),
        ["err: Warning: Publish 1 failed: Not authorized."]
    );
    // The repeat goes on.
    t.handle_timeout(secs(1));
    assert!(matches!(&actions(&mut t)[..], [Action::Publish { .. }]));
}

#[test]
fn rr_publishes_its_request_once_subscribed_and_ends_at_the_response() {
    let mut t = tool("mosquitto_rr -t req -e resp -m q -F '%t %p R=%R'");
    t.start(secs(0));
    let a = actions(&mut t);
    let [Action::Connect(o)] = &a[..] else {
        panic!("{a:?}")
    };
    // mosquitto_rr: 5.0 by default, Receive Maximum 1.
    assert_eq!(o.protocol, crate::codec::Protocol::V5);
    assert_eq!(
        o.properties,
        [crate::codec::properties::ReceiveMaximum(1).into()]
    );
    t.handle_event(secs(1), &connected());
    assert!(matches!(
        &actions(&mut t)[..],
        [Action::Subscribe { filters, .. }] if filters[0].0 == "resp"
    ));
    t.handle_event(
        secs(1),
        &ClientEvent::Subscribed {
            pid: pid(1),
            granted: vec![SubackReturnCode::Success(QoS::AtMostOnce)],
        },
    );
    let a = actions(&mut t);
    let [Action::Publish {
        topic, properties, ..
    }] = &a[..]
    else {
        panic!("{a:?}")
    };
    assert_eq!(topic, "req");
    assert_eq!(
        properties,
        &[crate::codec::properties::ResponseTopic("resp".into()).into()]
    );
    t.handle_publish_result(secs(1), Ok(None));
    let response = crate::client::Message {
        publish: Publish {
            dup: false,
            qospid: QosPid::AtMostOnce,
            retain: false,
            topic: TopicName::new("resp").unwrap(),
            payload: Bytes::from_static(b"42"),
        },
        properties: vec![crate::codec::properties::ResponseTopic("x".into()).into()],
    };
    t.handle_event(secs(2), &ClientEvent::Message(response));
    assert_eq!(output(&mut t), ["out: resp 42 R=x"]);
    // No DISCONNECT: the real tool destroys its client.
    assert_eq!(actions(&mut t), [Action::Abort]);
    assert_eq!(t.exit_code(), Some(0));
}

//! The client's behaviour, packet by packet, on a virtual clock (nothing sleeps).

use core::time::Duration;

use super::*;
use crate::codec::{Connack, ConnectReturnCode, PacketType, Suback, SubackReturnCode};

fn secs(s: u64) -> Instant {
    Instant::from_secs(s)
}

fn pid(n: u16) -> Pid {
    Pid::new(n).unwrap()
}

fn accepted(session_present: bool) -> Packet {
    Packet::Connack(Connack {
        session_present,
        code: ConnectReturnCode::Accepted,
    })
}

fn packets(c: &mut Client) -> Vec<Packet> {
    core::iter::from_fn(|| c.poll_packet()).collect()
}

fn events(c: &mut Client) -> Vec<ClientEvent> {
    core::iter::from_fn(|| c.poll_event()).collect()
}

fn incoming(topic: &str, payload: &str, qospid: QosPid, dup: bool) -> Packet {
    Packet::Publish(Publish {
        dup,
        qospid,
        retain: false,
        topic: TopicName::new(topic).unwrap(),
        payload: Bytes::from(payload.to_string()),
    })
}

/// A client connected at t=0 with these options; outputs drained.
fn connected(opts: ConnectOptions) -> Client {
    let mut c = Client::new();
    c.connect(Instant::ZERO, opts).unwrap();
    c.handle_packet(Instant::ZERO, accepted(false));
    packets(&mut c);
    events(&mut c);
    c
}

fn publish_of(p: &Packet) -> &Publish {
    match p {
        Packet::Publish(p) => p,
        other => panic!("expected PUBLISH, got {other:?}"),
    }
}

#[test]
fn connect_sends_the_options_and_connack_connects() {
    let mut c = Client::new();
    let opts = ConnectOptions::new("sensor1")
        .clean_session(false)
        .keep_alive(15)
        .login("ana", Some(Bytes::from_static(b"pw")))
        .will("sensor1/status", "off-line", QoS::AtLeastOnce, true)
        .unwrap();
    c.connect(Instant::ZERO, opts).unwrap();
    assert_eq!(c.state(), ConnectionState::Connecting);
    let [Packet::Connect(connect)] = &packets(&mut c)[..] else {
        panic!("expected one CONNECT")
    };
    assert_eq!(connect.client_id, "sensor1");
    assert!(!connect.clean_session);
    assert_eq!(connect.keep_alive, 15);
    assert_eq!(connect.login.as_ref().unwrap().username, "ana");
    let will = connect.will.as_ref().unwrap();
    assert_eq!(
        (will.topic.as_str(), &will.message[..]),
        ("sensor1/status", &b"off-line"[..])
    );
    assert!(will.retain);
    c.handle_packet(secs(1), accepted(true));
    assert_eq!(
        events(&mut c),
        [ClientEvent::Connected {
            session_present: true
        }]
    );
    assert!(c.is_connected());
    assert_eq!(
        c.connect(secs(1), ConnectOptions::new("x")),
        Err(ClientError::AlreadyConnected)
    );
}

#[test]
fn every_refusal_code_is_reported_and_closes() {
    for code in [
        ConnectReturnCode::UnacceptableProtocolVersion,
        ConnectReturnCode::IdentifierRejected,
        ConnectReturnCode::ServerUnavailable,
        ConnectReturnCode::BadUserNameOrPassword,
        ConnectReturnCode::NotAuthorized,
    ] {
        let mut c = Client::new();
        c.connect(Instant::ZERO, ConnectOptions::new("a")).unwrap();
        c.handle_packet(
            Instant::ZERO,
            Packet::Connack(Connack {
                session_present: false,
                code,
            }),
        );
        assert_eq!(
            events(&mut c),
            [
                ClientEvent::ConnectionRefused(code),
                ClientEvent::Disconnected {
                    reason: DisconnectReason::Refused(code)
                }
            ]
        );
        assert_eq!(c.state(), ConnectionState::Disconnected);
        assert_eq!(c.poll_timeout(), None);
    }
}

#[test]
fn anything_but_connack_first_is_a_protocol_error() {
    let mut c = Client::new();
    c.connect(Instant::ZERO, ConnectOptions::new("a")).unwrap();
    c.handle_packet(Instant::ZERO, Packet::Pingresp);
    assert_eq!(
        events(&mut c),
        [ClientEvent::Disconnected {
            reason: DisconnectReason::Protocol(ProtocolError::ExpectedConnack(
                PacketType::Pingresp
            ))
        }]
    );
}

#[test]
fn packets_only_clients_send_are_protocol_errors() {
    for p in [Packet::Pingreq, Packet::Disconnect, accepted(false)] {
        let mut c = connected(ConnectOptions::new("a"));
        c.handle_packet(secs(1), p.clone());
        let ev = events(&mut c);
        assert!(
            matches!(
                &ev[..],
                [ClientEvent::Disconnected {
                    reason: DisconnectReason::Protocol(_)
                }]
            ),
            "{p:?} gave {ev:?}"
        );
        // Late packets on a closed connection are ignored.
        c.handle_packet(secs(2), Packet::Pingresp);
        assert_eq!(events(&mut c), []);
    }
}

#[test]
fn commands_are_checked() {
    let mut c = Client::new();
    assert_eq!(
        c.publish(Instant::ZERO, "a", "x", QoS::AtMostOnce, false),
        Err(ClientError::NotConnected)
    );
    assert_eq!(
        c.connect(Instant::ZERO, ConnectOptions::new("").clean_session(false)),
        Err(ClientError::EmptyClientIdNeedsCleanSession)
    );
    let mut c = connected(ConnectOptions::new("a").max_packet_size(64));
    assert!(matches!(
        c.publish(secs(1), "a/#", "x", QoS::AtMostOnce, false),
        Err(ClientError::InvalidTopic(_))
    ));
    assert!(matches!(
        c.subscribe(secs(1), &[("a/#/b", QoS::AtMostOnce)]),
        Err(ClientError::InvalidTopic(_))
    ));
    assert_eq!(c.subscribe(secs(1), &[]), Err(ClientError::NoFilters));
    assert_eq!(c.unsubscribe(secs(1), &[]), Err(ClientError::NoFilters));
    assert_eq!(
        c.publish(secs(1), "a", vec![0u8; 60], QoS::AtMostOnce, false),
        Err(ClientError::PacketTooLarge { size: 65, max: 64 })
    );
    assert_eq!(
        c.publish(secs(1), "a", vec![0u8; 59], QoS::AtMostOnce, false),
        Ok(None)
    );
    assert_eq!(packets(&mut c).len(), 1);
}

#[test]
fn keep_alive_pings_after_idle_sending_and_times_out_without_pingresp() {
    let mut c = connected(ConnectOptions::new("a").keep_alive(60));
    assert_eq!(c.poll_timeout(), Some(secs(60)));
    // Sending postpones the ping: keep alive counts from the last packet sent.
    c.publish(secs(30), "t", "x", QoS::AtMostOnce, false)
        .unwrap();
    packets(&mut c);
    assert_eq!(c.poll_timeout(), Some(secs(90)));
    c.handle_timeout(secs(89));
    assert_eq!(packets(&mut c), []);
    c.handle_timeout(secs(90));
    assert_eq!(packets(&mut c), [Packet::Pingreq]);
    c.handle_packet(secs(90), Packet::Pingresp);
    assert_eq!(events(&mut c), [ClientEvent::Pong]);
    assert_eq!(c.poll_timeout(), Some(secs(150)));
    c.handle_timeout(secs(150));
    assert_eq!(packets(&mut c), [Packet::Pingreq]);
    // No PINGRESP for one more keep alive period: the connection is dead.
    assert_eq!(c.poll_timeout(), Some(secs(210)));
    c.handle_timeout(secs(210));
    assert_eq!(packets(&mut c), []);
    assert_eq!(
        events(&mut c),
        [ClientEvent::Disconnected {
            reason: DisconnectReason::PingTimeout
        }]
    );
    assert_eq!(c.poll_timeout(), None);
}

#[test]
fn ping_timeout_can_be_shorter_and_keep_alive_zero_never_pings() {
    let mut c = connected(
        ConnectOptions::new("a")
            .keep_alive(10)
            .ping_timeout(Duration::from_secs(2)),
    );
    c.handle_timeout(secs(10));
    assert_eq!(packets(&mut c), [Packet::Pingreq]);
    assert_eq!(c.poll_timeout(), Some(secs(12)));
    c.handle_timeout(secs(12));
    assert!(matches!(
        &events(&mut c)[..],
        [ClientEvent::Disconnected {
            reason: DisconnectReason::PingTimeout
        }]
    ));

    let c = connected(ConnectOptions::new("a").keep_alive(0));
    assert_eq!(c.poll_timeout(), None);
}

#[test]
fn connect_timeout_fires_without_connack() {
    let mut c = Client::new();
    c.connect(
        Instant::ZERO,
        ConnectOptions::new("a").connect_timeout(Duration::from_secs(5)),
    )
    .unwrap();
    assert_eq!(c.poll_timeout(), Some(secs(5)));
    c.handle_timeout(secs(5));
    assert!(matches!(
        &events(&mut c)[..],
        [ClientEvent::Disconnected {
            reason: DisconnectReason::ConnectTimeout
        }]
    ));
}

#[test]
fn qos1_publish_completes_on_puback() {
    let mut c = connected(ConnectOptions::new("a"));
    let id = c
        .publish(secs(1), "topico", "mensagem", QoS::AtLeastOnce, false)
        .unwrap()
        .unwrap();
    let sent = packets(&mut c);
    let p = publish_of(&sent[0]);
    assert_eq!((p.qospid, p.dup), (QosPid::AtLeastOnce(id), false));
    assert_eq!(c.pending_messages(), 1);
    // An ack for an id we do not have changes nothing.
    c.handle_packet(secs(2), Packet::Puback(pid(99)));
    c.handle_packet(secs(2), Packet::Pubcomp(id));
    assert_eq!(events(&mut c), []);
    c.handle_packet(secs(2), Packet::Puback(id));
    assert_eq!(
        events(&mut c),
        [ClientEvent::Published {
            pid: id,
            qos: QoS::AtLeastOnce
        }]
    );
    assert_eq!(c.pending_messages(), 0);
}

#[test]
fn qos2_publish_goes_through_pubrec_pubrel_pubcomp() {
    let mut c = connected(ConnectOptions::new("a"));
    let id = c
        .publish(secs(1), "topico", "m", QoS::ExactlyOnce, false)
        .unwrap()
        .unwrap();
    assert_eq!(
        publish_of(&packets(&mut c)[0]).qospid,
        QosPid::ExactlyOnce(id)
    );
    c.handle_packet(secs(2), Packet::Pubrec(id));
    assert_eq!(packets(&mut c), [Packet::Pubrel(id)]);
    assert_eq!(events(&mut c), [ClientEvent::Received { pid: id }]);
    // A repeated PUBREC gets the PUBREL again, but no second event.
    c.handle_packet(secs(2), Packet::Pubrec(id));
    assert_eq!(packets(&mut c), [Packet::Pubrel(id)]);
    assert_eq!(events(&mut c), []);
    c.handle_packet(secs(3), Packet::Pubcomp(id));
    assert_eq!(
        events(&mut c),
        [ClientEvent::Published {
            pid: id,
            qos: QoS::ExactlyOnce
        }]
    );
    assert_eq!(c.pending_messages(), 0);
}

#[test]
fn incoming_qos0_and_qos1_are_delivered_and_qos1_acked() {
    let mut c = connected(ConnectOptions::new("a"));
    c.handle_packet(secs(1), incoming("t", "zero", QosPid::AtMostOnce, false));
    assert_eq!(packets(&mut c), []);
    c.handle_packet(
        secs(1),
        incoming("t", "one", QosPid::AtLeastOnce(pid(7)), false),
    );
    assert_eq!(packets(&mut c), [Packet::Puback(pid(7))]);
    let ev = events(&mut c);
    assert_eq!(ev.len(), 2);
    assert!(matches!(&ev[1], ClientEvent::Message(p) if &p.payload[..] == b"one"));
}

#[test]
fn incoming_qos2_is_delivered_once_and_its_id_held_until_pubrel() {
    let mut c = connected(ConnectOptions::new("a"));
    let qp = QosPid::ExactlyOnce(pid(5));
    c.handle_packet(secs(1), incoming("t", "m", qp, false));
    assert_eq!(packets(&mut c), [Packet::Pubrec(pid(5))]);
    assert_eq!(events(&mut c).len(), 1);
    // The broker did not see our PUBREC and resends with DUP=1: acked, not delivered.
    c.handle_packet(secs(2), incoming("t", "m", qp, true));
    assert_eq!(packets(&mut c), [Packet::Pubrec(pid(5))]);
    assert_eq!(events(&mut c), []);
    assert!(c.session().incoming_qos2.contains(&pid(5)));
    c.handle_packet(secs(3), Packet::Pubrel(pid(5)));
    assert_eq!(packets(&mut c), [Packet::Pubcomp(pid(5))]);
    assert_eq!(events(&mut c), [ClientEvent::Released { pid: pid(5) }]);
    assert!(c.session().incoming_qos2.is_empty());
    // After release the id is free: a new message with it is a new message.
    c.handle_packet(secs(4), incoming("t", "m2", qp, false));
    assert_eq!(events(&mut c).len(), 1);
    // PUBREL for an unknown id is still completed (our PUBCOMP may have been lost).
    c.handle_packet(secs(5), Packet::Pubrel(pid(9)));
    assert_eq!(
        packets(&mut c),
        [Packet::Pubrec(pid(5)), Packet::Pubcomp(pid(9))]
    );
}

#[test]
fn with_on_pubrel_a_qos2_message_is_delivered_after_pubcomp_is_queued() {
    let mut c = connected(ConnectOptions::new("a").qos2_delivery(Qos2Delivery::OnPubrel));
    let qp = QosPid::ExactlyOnce(pid(5));
    c.handle_packet(secs(1), incoming("t", "m", qp, false));
    assert_eq!(packets(&mut c), [Packet::Pubrec(pid(5))]);
    assert_eq!(events(&mut c), []);
    // A DUP resend before PUBREL is still held once.
    c.handle_packet(secs(2), incoming("t", "m", qp, true));
    assert_eq!(events(&mut c), []);
    c.handle_packet(secs(3), Packet::Pubrel(pid(5)));
    assert_eq!(
        packets(&mut c),
        [Packet::Pubrec(pid(5)), Packet::Pubcomp(pid(5))]
    );
    let ev = events(&mut c);
    assert!(
        matches!(&ev[..], [ClientEvent::Message(p), ClientEvent::Released { .. }] if &p.payload[..] == b"m")
    );
    assert!(c.session().held_qos2.is_empty());
}

#[test]
fn persistent_session_resends_publish_with_dup_and_pubrel_after_reconnect() {
    let opts = ConnectOptions::new("pub1").clean_session(false);
    let mut c = connected(opts.clone());
    let a = c
        .publish(secs(1), "t", "a", QoS::AtLeastOnce, false)
        .unwrap()
        .unwrap();
    let b = c
        .publish(secs(1), "t", "b", QoS::ExactlyOnce, false)
        .unwrap()
        .unwrap();
    let d = c
        .publish(secs(1), "t", "d", QoS::ExactlyOnce, false)
        .unwrap()
        .unwrap();
    packets(&mut c);
    c.handle_packet(secs(2), Packet::Pubrec(d));
    packets(&mut c);
    c.handle_closed(secs(3));
    assert_eq!(
        events(&mut c).last(),
        Some(&ClientEvent::Disconnected {
            reason: DisconnectReason::TransportClosed
        })
    );
    assert_eq!(c.pending_messages(), 3);

    c.connect(secs(10), opts).unwrap();
    assert!(matches!(&packets(&mut c)[..], [Packet::Connect(_)]));
    c.handle_packet(secs(10), accepted(true));
    let sent = packets(&mut c);
    assert_eq!(sent.len(), 3);
    let pa = publish_of(&sent[0]);
    assert_eq!(
        (pa.qospid, pa.dup, &pa.payload[..]),
        (QosPid::AtLeastOnce(a), true, &b"a"[..])
    );
    let pb = publish_of(&sent[1]);
    assert_eq!((pb.qospid, pb.dup), (QosPid::ExactlyOnce(b), true));
    assert_eq!(sent[2], Packet::Pubrel(d));
    assert_eq!(
        events(&mut c),
        [
            ClientEvent::Connected {
                session_present: true
            },
            ClientEvent::Resent {
                pid: a,
                packet: PacketType::Publish
            },
            ClientEvent::Resent {
                pid: b,
                packet: PacketType::Publish
            },
            ClientEvent::Resent {
                pid: d,
                packet: PacketType::Pubrel
            },
        ]
    );
    c.handle_packet(secs(11), Packet::Puback(a));
    c.handle_packet(secs(11), Packet::Pubrec(b));
    c.handle_packet(secs(11), Packet::Pubcomp(d));
    assert_eq!(packets(&mut c), [Packet::Pubrel(b)]);
    c.handle_packet(secs(11), Packet::Pubcomp(b));
    assert_eq!(c.pending_messages(), 0);
}

#[test]
fn clean_session_reconnect_discards_the_session() {
    let mut c = connected(ConnectOptions::new("pub1").clean_session(false));
    c.publish(secs(1), "t", "a", QoS::AtLeastOnce, false)
        .unwrap();
    c.handle_packet(
        secs(1),
        incoming("t", "m", QosPid::ExactlyOnce(pid(3)), false),
    );
    c.handle_closed(secs(2));
    c.connect(secs(3), ConnectOptions::new("pub1")).unwrap();
    assert_eq!(c.pending_messages(), 0);
    assert!(c.session().incoming_qos2.is_empty());
    c.handle_packet(secs(3), accepted(false));
    assert!(matches!(&packets(&mut c)[..], [Packet::Connect(_)]));
}

#[test]
fn incoming_qos2_ids_survive_a_persistent_reconnect() {
    let opts = ConnectOptions::new("sub1").clean_session(false);
    let mut c = connected(opts.clone());
    let qp = QosPid::ExactlyOnce(pid(5));
    c.handle_packet(secs(1), incoming("t", "m", qp, false));
    assert_eq!(events(&mut c).len(), 1);
    c.handle_closed(secs(2));
    c.connect(secs(3), opts).unwrap();
    c.handle_packet(secs(3), accepted(true));
    events(&mut c);
    packets(&mut c);
    c.handle_packet(secs(3), incoming("t", "m", qp, true));
    assert_eq!(events(&mut c), [], "QoS 2 message delivered twice");
    assert_eq!(packets(&mut c), [Packet::Pubrec(pid(5))]);
}

#[test]
fn a_broker_that_lost_the_session_does_not_make_us_swallow_reused_ids() {
    let opts = ConnectOptions::new("sub1").clean_session(false);
    let mut c = connected(opts.clone());
    let qp = QosPid::ExactlyOnce(pid(5));
    c.handle_packet(secs(1), incoming("t", "old", qp, false));
    c.handle_closed(secs(2));
    events(&mut c);
    c.connect(secs(3), opts).unwrap();
    // session_present = 0: e.g. the broker restarted without persistence.
    c.handle_packet(secs(3), accepted(false));
    events(&mut c);
    c.handle_packet(secs(4), incoming("t", "new", qp, false));
    assert!(
        matches!(&events(&mut c)[..], [ClientEvent::Message(p)] if &p.payload[..] == b"new"),
        "a new message with a reused id must be delivered"
    );
}

#[test]
fn the_inflight_window_queues_and_releases_in_order() {
    let mut c = connected(ConnectOptions::new("a").max_inflight(2));
    let ids: Vec<Pid> = (0..3)
        .map(|i| {
            c.publish(secs(1), "t", format!("{i}"), QoS::AtLeastOnce, false)
                .unwrap()
                .unwrap()
        })
        .collect();
    assert_eq!(packets(&mut c).len(), 2);
    c.handle_packet(secs(2), Packet::Puback(ids[0]));
    let sent = packets(&mut c);
    assert_eq!(publish_of(&sent[0]).qospid, QosPid::AtLeastOnce(ids[2]));
    assert!(!publish_of(&sent[0]).dup);
}

#[test]
fn packet_ids_are_fresh_while_in_use() {
    let mut c = connected(ConnectOptions::new("a"));
    let a = c
        .publish(secs(1), "t", "a", QoS::AtLeastOnce, false)
        .unwrap()
        .unwrap();
    let s = c.subscribe(secs(1), &[("t", QoS::AtMostOnce)]).unwrap();
    let b = c
        .publish(secs(1), "t", "b", QoS::ExactlyOnce, false)
        .unwrap()
        .unwrap();
    assert_eq!((a.get(), s.get(), b.get()), (1, 2, 3));
}

#[test]
fn default_policy_never_resends_on_the_same_connection() {
    let mut c = connected(ConnectOptions::new("a").keep_alive(0));
    c.publish(secs(1), "t", "a", QoS::AtLeastOnce, false)
        .unwrap();
    packets(&mut c);
    assert_eq!(c.poll_timeout(), None);
    c.handle_timeout(secs(1000));
    assert_eq!(packets(&mut c), []);
}

#[test]
fn course_text_model_resends_after_an_ack_timeout() {
    let mut c = connected(
        ConnectOptions::new("a")
            .keep_alive(0)
            .resend(ResendPolicy::OnAckTimeout(Duration::from_secs(5))),
    );
    let one = c
        .publish(secs(1), "t", "a", QoS::AtLeastOnce, false)
        .unwrap()
        .unwrap();
    let two = c
        .publish(secs(2), "t", "b", QoS::ExactlyOnce, false)
        .unwrap()
        .unwrap();
    packets(&mut c);
    assert_eq!(c.poll_timeout(), Some(secs(6)));
    c.handle_timeout(secs(6));
    let sent = packets(&mut c);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (publish_of(&sent[0]).qospid, publish_of(&sent[0]).dup),
        (QosPid::AtLeastOnce(one), true)
    );
    assert_eq!(
        events(&mut c),
        [ClientEvent::Resent {
            pid: one,
            packet: PacketType::Publish
        }]
    );
    assert_eq!(c.poll_timeout(), Some(secs(7)));
    c.handle_packet(secs(6), Packet::Puback(one));
    c.handle_packet(secs(6), Packet::Pubrec(two));
    packets(&mut c);
    // The PUBREL, sent at 6 s, is resent at 11 s if PUBCOMP does not come.
    assert_eq!(c.poll_timeout(), Some(secs(11)));
    c.handle_timeout(secs(11));
    assert_eq!(packets(&mut c), [Packet::Pubrel(two)]);
    c.handle_packet(secs(12), Packet::Pubcomp(two));
    assert_eq!(c.poll_timeout(), None);
}

#[test]
fn subscribe_and_unsubscribe_are_acknowledged() {
    let mut c = connected(ConnectOptions::new("a"));
    let s = c
        .subscribe(
            secs(1),
            &[
                ("casa/+/temperatura", QoS::AtLeastOnce),
                ("x/#", QoS::ExactlyOnce),
            ],
        )
        .unwrap();
    let [Packet::Subscribe(sub)] = &packets(&mut c)[..] else {
        panic!()
    };
    assert_eq!(sub.pid, s);
    assert_eq!(sub.topics.len(), 2);
    let granted = vec![
        SubackReturnCode::Success(QoS::AtLeastOnce),
        SubackReturnCode::Failure,
    ];
    c.handle_packet(
        secs(1),
        Packet::Suback(Suback {
            pid: s,
            return_codes: granted.clone(),
        }),
    );
    assert_eq!(
        events(&mut c),
        [ClientEvent::Subscribed { pid: s, granted }]
    );
    let u = c.unsubscribe(secs(2), &["x/#"]).unwrap();
    assert!(matches!(&packets(&mut c)[..], [Packet::Unsubscribe(x)] if x.pid == u));
    c.handle_packet(secs(2), Packet::Unsuback(u));
    assert_eq!(events(&mut c), [ClientEvent::Unsubscribed { pid: u }]);
}

#[test]
fn a_suback_with_the_wrong_number_of_codes_is_a_protocol_error() {
    let mut c = connected(ConnectOptions::new("a"));
    let s = c.subscribe(secs(1), &[("a", QoS::AtMostOnce)]).unwrap();
    c.handle_packet(
        secs(1),
        Packet::Suback(Suback {
            pid: s,
            return_codes: vec![],
        }),
    );
    assert_eq!(
        events(&mut c),
        [ClientEvent::Disconnected {
            reason: DisconnectReason::Protocol(ProtocolError::SubackCountMismatch {
                expected: 1,
                got: 0
            })
        }]
    );
}

#[test]
fn commands_before_connack_wait_for_it() {
    let mut c = Client::new();
    c.connect(Instant::ZERO, ConnectOptions::new("a")).unwrap();
    c.subscribe(Instant::ZERO, &[("t", QoS::AtLeastOnce)])
        .unwrap();
    c.publish(Instant::ZERO, "t", "0", QoS::AtMostOnce, false)
        .unwrap();
    c.publish(Instant::ZERO, "t", "1", QoS::AtLeastOnce, false)
        .unwrap();
    assert!(matches!(&packets(&mut c)[..], [Packet::Connect(_)]));
    c.handle_packet(secs(1), accepted(false));
    let kinds: Vec<_> = packets(&mut c).iter().map(Packet::packet_type).collect();
    assert_eq!(
        kinds,
        [
            PacketType::Subscribe,
            PacketType::Publish,
            PacketType::Publish
        ]
    );
}

#[test]
fn disconnect_sends_disconnect_and_ends_the_connection() {
    let mut c = connected(ConnectOptions::new("a"));
    c.disconnect(secs(1)).unwrap();
    assert_eq!(packets(&mut c), [Packet::Disconnect]);
    assert_eq!(
        events(&mut c),
        [ClientEvent::Disconnected {
            reason: DisconnectReason::Requested
        }]
    );
    assert_eq!(c.poll_timeout(), None);
    assert_eq!(c.disconnect(secs(2)), Err(ClientError::NotConnected));
    assert_eq!(
        c.subscribe(secs(2), &[("a", QoS::AtMostOnce)]),
        Err(ClientError::NotConnected)
    );
    // The same client can connect again.
    c.connect(secs(3), ConnectOptions::new("a")).unwrap();
    assert!(matches!(&packets(&mut c)[..], [Packet::Connect(_)]));
}

#[test]
fn the_same_inputs_give_the_same_outputs() {
    fn run() -> (Vec<Packet>, Vec<ClientEvent>) {
        let mut c = connected(
            ConnectOptions::new("a").resend(ResendPolicy::OnAckTimeout(Duration::from_secs(3))),
        );
        let mut out = Vec::new();
        let mut ev = Vec::new();
        for i in 0..50u64 {
            let qos = QoS::from_u8((i % 3) as u8).unwrap();
            let _ = c.publish(secs(i), "t", format!("{i}"), qos, i.is_multiple_of(2));
            if i.is_multiple_of(7) {
                c.handle_packet(secs(i), Packet::Puback(pid((i / 7) as u16 + 1)));
            }
            c.handle_timeout(secs(i));
            out.extend(packets(&mut c));
            ev.extend(events(&mut c));
        }
        (out, ev)
    }
    assert_eq!(run(), run());
}

#[test]
fn bytes_split_anywhere_decode_to_the_same_packets() {
    let mut stream = Vec::new();
    accepted(true).encode(&mut stream).unwrap();
    incoming("casa/sala", "21.5", QosPid::AtLeastOnce(pid(1)), false)
        .encode(&mut stream)
        .unwrap();
    Packet::Pingresp.encode(&mut stream).unwrap();
    for split in 0..=stream.len() {
        let mut c = Client::new();
        c.connect(Instant::ZERO, ConnectOptions::new("a")).unwrap();
        let t = c.poll_transmit().unwrap();
        assert_eq!(t.bytes[0], 0x10, "CONNECT's first byte");
        c.handle_bytes(secs(1), &stream[..split]);
        c.handle_bytes(secs(1), &stream[split..]);
        let ev = events(&mut c);
        assert_eq!(ev.len(), 3, "split at {split}: {ev:?}");
        assert!(matches!(&ev[1], ClientEvent::Message(p) if p.topic.as_str() == "casa/sala"));
        let t = c.poll_transmit().unwrap();
        assert_eq!(t.packet, Packet::Puback(pid(1)));
        assert_eq!(t.bytes, [0x40, 2, 0, 1]);
    }
}

#[test]
fn malformed_or_oversized_bytes_close_the_connection() {
    for bytes in [
        &[0x20u8, 2, 0, 9][..],
        &[0xF0, 0][..],
        &[0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F][..],
    ] {
        let mut c = connected(ConnectOptions::new("a"));
        c.handle_bytes(secs(1), bytes);
        let ev = events(&mut c);
        assert!(
            matches!(
                &ev[..],
                [ClientEvent::Disconnected {
                    reason: DisconnectReason::Protocol(ProtocolError::Malformed(_))
                }]
            ),
            "{bytes:?}: {ev:?}"
        );
    }
    let mut c = connected(ConnectOptions::new("a").max_packet_size(16));
    let mut big = Vec::new();
    incoming("t", &"x".repeat(100), QosPid::AtMostOnce, false)
        .encode(&mut big)
        .unwrap();
    c.handle_bytes(secs(1), &big);
    assert!(matches!(
        &events(&mut c)[..],
        [ClientEvent::Disconnected { .. }]
    ));
}

#[test]
fn pubsubclient_style_drops_oversized_packets_and_keeps_going() {
    let mut c = connected(
        ConnectOptions::new("esp32")
            .max_packet_size(32)
            .drop_oversized(true),
    );
    let mut stream = Vec::new();
    incoming(
        "casa/sala",
        &"x".repeat(100),
        QosPid::AtLeastOnce(pid(1)),
        false,
    )
    .encode(&mut stream)
    .unwrap();
    let big = stream.len();
    incoming("casa/sala", "21.5", QosPid::AtMostOnce, false)
        .encode(&mut stream)
        .unwrap();
    // Fed in small pieces: the skip spans several calls.
    for chunk in stream.chunks(7) {
        c.handle_bytes(secs(1), chunk);
    }
    let ev = events(&mut c);
    assert_eq!(ev.len(), 2, "{ev:?}");
    assert_eq!(ev[0], ClientEvent::OversizedDropped { size: big, max: 32 });
    assert!(matches!(&ev[1], ClientEvent::Message(p) if &p.payload[..] == b"21.5"));
    // Dropped means not acknowledged: no PUBACK for the big QoS 1 message.
    assert_eq!(packets(&mut c), []);
    assert!(c.is_connected());
}

/// A tiny deterministic generator (xorshift64*) for the fuzz-style test below.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn random_packet(r: &mut Rng) -> Packet {
    let p = pid(r.below(4) as u16 + 1);
    let qospid = match r.below(3) {
        0 => QosPid::AtMostOnce,
        1 => QosPid::AtLeastOnce(p),
        _ => QosPid::ExactlyOnce(p),
    };
    match r.below(12) {
        0 => accepted(r.below(2) == 0),
        1..=3 => incoming("t", "m", qospid, r.below(2) == 0),
        4 => Packet::Puback(p),
        5 => Packet::Pubrec(p),
        6 => Packet::Pubrel(p),
        7 => Packet::Pubcomp(p),
        8 => Packet::Suback(Suback {
            pid: p,
            return_codes: vec![SubackReturnCode::Success(QoS::AtMostOnce); r.below(3) as usize],
        }),
        9 => Packet::Unsuback(p),
        10 => Packet::Pingresp,
        _ => Packet::Pingreq,
    }
}

#[test]
fn random_inputs_never_panic_and_qos2_is_never_delivered_twice() {
    for seed in 1..=300u64 {
        let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let mut c = Client::new();
        let mut now = Instant::ZERO;
        // Ids of QoS 2 messages delivered and not yet released, as the broker sees it.
        let mut held = std::collections::BTreeSet::new();
        for _ in 0..200 {
            now += Duration::from_millis(r.below(20_000));
            match r.below(10) {
                0 => {
                    let opts = ConnectOptions::new("f")
                        .clean_session(r.below(3) == 0)
                        .keep_alive(r.below(30) as u16)
                        .resend(ResendPolicy::OnAckTimeout(Duration::from_secs(3)))
                        .max_inflight(r.below(3) as u16);
                    if c.connect(now, opts.clone()).is_ok() && opts.clean_session {
                        held.clear();
                    }
                }
                1 => c.handle_closed(now),
                2 => c.handle_timeout(now),
                3 => {
                    let q = QoS::from_u8(r.below(3) as u8).unwrap();
                    let _ = c.publish(now, "t", "x", q, false);
                }
                4 => {
                    let _ = c.subscribe(now, &[("t/#", QoS::ExactlyOnce)]);
                }
                5 => {
                    let junk: Vec<u8> = (0..r.below(12)).map(|_| r.next() as u8).collect();
                    c.handle_bytes(now, &junk);
                }
                6 => {
                    let _ = c.disconnect(now);
                }
                _ => {
                    let p = random_packet(&mut r);
                    if let Packet::Connack(a) = &p {
                        if c.state() == ConnectionState::Connecting && !a.session_present {
                            held.clear();
                        }
                    }
                    if let Packet::Pubrel(id) = &p {
                        if c.is_connected() {
                            held.remove(id);
                        }
                    }
                    let qos2 = match &p {
                        Packet::Publish(pb) => match pb.qospid {
                            QosPid::ExactlyOnce(id) if c.is_connected() => Some(id),
                            _ => None,
                        },
                        _ => None,
                    };
                    c.handle_packet(now, p);
                    for ev in events(&mut c) {
                        if let (ClientEvent::Message(_), Some(id)) = (&ev, qos2) {
                            assert!(
                                held.insert(id),
                                "seed {seed}: QoS 2 id {id} delivered twice"
                            );
                        }
                    }
                }
            }
            while c.poll_transmit().is_some() {}
            events(&mut c);
            if c.state() == ConnectionState::Disconnected {
                assert_eq!(
                    c.poll_timeout(),
                    None,
                    "seed {seed}: a timer without a connection"
                );
            }
            assert!(c.session().inflight() <= 65_535);
        }
    }
}

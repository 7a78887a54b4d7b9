//! CONNECT and CONNACK: every return code, client identifiers, takeover, and the
//! course text's first experiment log.

use std::time::Duration;

use mqttlab_core::broker::{BrokerConfig, BrokerEvent, CloseReason};
use mqttlab_core::codec::{Connack, ConnectReturnCode, Packet, Protocol};

use crate::harness::*;

fn connack(session_present: bool, code: ConnectReturnCode) -> Packet {
    Packet::Connack(Connack {
        session_present,
        code,
    })
}

/// The course text's `mosquitto -v` log (mosquitto_sub, then mosquitto_pub, then a
/// PINGREQ, then CTRL-C on the subscriber), line for line in mosquitto 2.0's
/// wording, which adds the source port to the address.
#[test]
fn course_text_basic_experiment_log() {
    let mut lab = Lab::default();
    let sub_id = "mosq-qBvzZOWQ3LYlYmmIad";
    let pub_id = "mosq-IRSh0LaxjMfYDMRrLF";
    let sub = lab.connect_with("172.17.0.2", connect(sub_id));
    lab.send(sub, subscribe(1, &[("topico", 0)]));
    lab.advance(Duration::from_secs(20));
    let publ = lab.connect_with("172.17.0.3", connect(pub_id));
    lab.send(publ, publish("topico", "mensagem", 0, 0, false));
    lab.send(publ, Packet::Disconnect);
    lab.advance(Duration::from_secs(39));
    lab.send(sub, Packet::Pingreq);
    lab.advance(Duration::from_secs(6));
    lab.send(sub, Packet::Disconnect);

    let expected = [
        "New connection from 172.17.0.2:40001 on port 1883.",
        "New client connected from 172.17.0.2:40001 as mosq-qBvzZOWQ3LYlYmmIad (p2, c1, k60).",
        "No will message specified.",
        "Sending CONNACK to mosq-qBvzZOWQ3LYlYmmIad (0, 0)",
        "Received SUBSCRIBE from mosq-qBvzZOWQ3LYlYmmIad",
        "\ttopico (QoS 0)",
        "mosq-qBvzZOWQ3LYlYmmIad 0 topico",
        "Sending SUBACK to mosq-qBvzZOWQ3LYlYmmIad",
        "New connection from 172.17.0.3:40002 on port 1883.",
        "New client connected from 172.17.0.3:40002 as mosq-IRSh0LaxjMfYDMRrLF (p2, c1, k60).",
        "No will message specified.",
        "Sending CONNACK to mosq-IRSh0LaxjMfYDMRrLF (0, 0)",
        "Received PUBLISH from mosq-IRSh0LaxjMfYDMRrLF (d0, q0, r0, m0, 'topico', ... (8 bytes))",
        "Sending PUBLISH to mosq-qBvzZOWQ3LYlYmmIad (d0, q0, r0, m0, 'topico', ... (8 bytes))",
        "Received DISCONNECT from mosq-IRSh0LaxjMfYDMRrLF",
        "Client mosq-IRSh0LaxjMfYDMRrLF disconnected.",
        "Received PINGREQ from mosq-qBvzZOWQ3LYlYmmIad",
        "Sending PINGRESP to mosq-qBvzZOWQ3LYlYmmIad",
        "Received DISCONNECT from mosq-qBvzZOWQ3LYlYmmIad",
        "Client mosq-qBvzZOWQ3LYlYmmIad disconnected.",
    ];
    assert_eq!(lab.log(), expected);
    assert_eq!(
        lab.publishes_to(sub)
            .iter()
            .map(summary)
            .collect::<Vec<_>>(),
        [(false, 0, false, 0, "topico".into(), "mensagem".into())]
    );
    assert_eq!(lab.packets_to(sub).last(), Some(&Packet::Pingresp));
    // The log carries virtual time: the publisher came 20 s after the subscriber.
    let times: Vec<_> = lab
        .out
        .iter()
        .filter_map(|o| match o {
            mqttlab_core::broker::Output::Log(l) => Some(l.time.as_micros() / 1_000_000),
            _ => None,
        })
        .collect();
    assert_eq!((times[0], times[8], times[16], times[19]), (0, 20, 59, 65));
}

#[test]
fn accepted_connect_gets_connack_0_and_an_event() {
    let mut lab = Lab::default();
    let c = lab.connect("sensor1");
    assert_eq!(
        lab.packets_to(c),
        [connack(false, ConnectReturnCode::Accepted)]
    );
    assert!(lab.events().contains(&BrokerEvent::ClientConnected {
        conn: c,
        client_id: "sensor1".into(),
        clean_session: true,
        keep_alive: 60,
        session_present: false,
    }));
}

#[test]
fn connack_1_for_an_unsupported_protocol_level_then_close() {
    let mut lab = Lab::default();
    let c = lab.open("127.0.0.1");
    let mut bytes = Vec::new();
    Packet::Connect(connect("pv")).encode(&mut bytes).unwrap();
    bytes[8] = 6; // protocol level byte after 0x10, len, 0x00 0x04 "MQTT"
    lab.send_bytes(c, &bytes);
    assert_eq!(
        lab.packets_to(c),
        [connack(
            false,
            ConnectReturnCode::UnacceptableProtocolVersion
        )]
    );
    assert_eq!(
        lab.log()[1..],
        [
            "Invalid protocol version 6 in CONNECT from 127.0.0.1.",
            "Sending CONNACK to 127.0.0.1 (0, 1)",
            "Client <unknown> disconnected due to protocol error.",
        ]
    );
    assert_eq!(lab.closed().len(), 1);
}

#[test]
fn unknown_protocol_name_closes_without_connack() {
    let mut lab = Lab::default();
    let c = lab.open("127.0.0.1");
    let mut bytes = Vec::new();
    Packet::Connect(connect("pn")).encode(&mut bytes).unwrap();
    bytes[7] = b'X'; // "MQTX"
    lab.send_bytes(c, &bytes);
    assert!(lab.packets_to(c).is_empty());
    assert_eq!(
        lab.log()[1..],
        [
            "Invalid protocol \"MQTX\" in CONNECT from 127.0.0.1.",
            "Client <unknown> disconnected due to protocol error.",
        ]
    );
    assert_eq!(lab.closed().len(), 1);
}

#[test]
fn mqtt31_is_accepted_and_logged_as_p1() {
    let mut lab = Lab::default();
    let mut c = connect("old");
    c.protocol = Protocol::V31;
    lab.connect_with("127.0.0.1", c);
    assert_eq!(
        lab.log()[1],
        "New client connected from 127.0.0.1:40001 as old (p1, c1, k60)."
    );
}

#[test]
fn connack_2_for_zero_length_id_without_clean_session() {
    // MQTT-3.1.3-8
    let mut lab = Lab::default();
    let c = lab.connect_with("127.0.0.1", persistent(""));
    assert_eq!(
        lab.packets_to(c),
        [connack(false, ConnectReturnCode::IdentifierRejected)]
    );
    assert_eq!(
        lab.log()[1..],
        [
            "Sending CONNACK to 127.0.0.1 (0, 2)",
            "Client <unknown> disconnected due to protocol error.",
        ]
    );
    assert_eq!(
        lab.closed(),
        [(
            c,
            CloseReason::Refused(ConnectReturnCode::IdentifierRejected)
        )]
    );
    assert!(lab.broker.sessions().is_empty());
}

#[test]
fn connack_2_for_a_rejected_id_but_not_for_a_long_mqtt31_id() {
    let mut lab = Lab::new(BrokerConfig {
        rejected_client_ids: vec!["intruso".into()],
        ..BrokerConfig::default()
    });
    let a = lab.connect("intruso");
    assert_eq!(
        lab.packets_to(a),
        [connack(false, ConnectReturnCode::IdentifierRejected)]
    );
    // MQTT 3.1 says 23 characters at most; mosquitto 2.0.11 does not enforce it.
    let mut c = connect("a-client-id-longer-than-23");
    c.protocol = Protocol::V31;
    let b = lab.connect_with("127.0.0.1", c);
    assert_eq!(
        lab.packets_to(b),
        [connack(false, ConnectReturnCode::Accepted)]
    );
}

#[test]
fn zero_length_id_with_clean_session_gets_a_seeded_auto_id() {
    // MQTT-3.1.3-6/7
    let run = |seed| {
        let mut lab = Lab::new(BrokerConfig {
            seed,
            ..BrokerConfig::default()
        });
        lab.connect("");
        lab.broker.sessions()[0].client_id.clone()
    };
    let id = run(7);
    assert!(id.starts_with("auto-"), "{id}");
    assert_eq!(id.len(), "auto-EEF4CA60-AD87-1296-0128-8A8C71E52A30".len());
    assert_eq!(id, run(7), "same seed, same id");
    assert_ne!(id, run(8));
}

#[test]
fn connack_3_when_the_server_is_full() {
    let mut lab = Lab::new(BrokerConfig {
        max_connections: Some(1),
        ..BrokerConfig::default()
    });
    lab.connect("first");
    let c = lab.connect("second");
    assert_eq!(
        lab.packets_to(c),
        [connack(false, ConnectReturnCode::ServerUnavailable)]
    );
}

fn secured() -> BrokerConfig {
    let mut config = BrokerConfig {
        allow_anonymous: false,
        ..BrokerConfig::default()
    };
    config.users.insert("alice".into(), b"secret".to_vec());
    config
}

#[test]
fn connack_4_for_a_wrong_password_or_unknown_user() {
    let mut lab = Lab::new(secured());
    let wrong = lab.connect_with("127.0.0.1", with_login(connect("a"), "alice", "wrong"));
    let unknown = lab.connect_with("127.0.0.1", with_login(connect("b"), "bob", "x"));
    for c in [wrong, unknown] {
        assert_eq!(
            lab.packets_to(c),
            [connack(false, ConnectReturnCode::BadUserNameOrPassword)]
        );
    }
    assert!(lab
        .log()
        .contains(&"Client <unknown> disconnected, not authorised.".to_string()));
}

#[test]
fn connack_5_for_anonymous_when_not_allowed_and_0_with_credentials() {
    let mut lab = Lab::new(secured());
    let anon = lab.connect("anon");
    assert_eq!(
        lab.packets_to(anon),
        [connack(false, ConnectReturnCode::NotAuthorized)]
    );
    lab.clear();
    let ok = lab.connect_with("127.0.0.1", with_login(connect("ac"), "alice", "secret"));
    assert_eq!(
        lab.packets_to(ok),
        [connack(false, ConnectReturnCode::Accepted)]
    );
    assert_eq!(
        lab.log()[1],
        "New client connected from 127.0.0.1:40002 as ac (p2, c1, k60, u'alice')."
    );
}

#[test]
fn the_first_packet_must_be_connect() {
    // MQTT-3.1.0-1
    let mut lab = Lab::default();
    let c = lab.open("127.0.0.1");
    lab.send(c, Packet::Pingreq);
    assert!(lab.packets_to(c).is_empty());
    assert_eq!(
        lab.log()[1],
        "Client <unknown> disconnected due to protocol error."
    );
    assert_eq!(lab.closed().len(), 1);
}

#[test]
fn a_second_connect_closes_the_connection_and_fires_the_will() {
    // MQTT-3.1.0-2
    let mut lab = Lab::default();
    let watcher = lab.connect("watcher");
    lab.send(watcher, subscribe(1, &[("w/#", 0)]));
    let c = lab.connect_with(
        "127.0.0.1",
        with_will(connect("sc"), "w/sc", "gone", qos(0), false),
    );
    lab.clear();
    lab.send(c, Packet::Connect(connect("sc")));
    assert_eq!(
        lab.log()[..2],
        [
            "Bad client sc sending multiple CONNECT messages.",
            "Client sc disconnected due to protocol error.",
        ]
    );
    assert_eq!(lab.closed().len(), 1);
    assert_eq!(text(&lab.publishes_to(watcher)[0]), "gone");
}

#[test]
fn takeover_closes_the_old_connection_and_publishes_its_will_as_mosquitto_does() {
    // MQTT-3.1.4-2; mosquitto 2.0 publishes the old connection's will.
    let mut lab = Lab::default();
    let watcher = lab.connect("watcher");
    lab.send(watcher, subscribe(1, &[("w/t", 0)]));
    let old = lab.connect_with(
        "127.0.0.1",
        with_will(connect("tk"), "w/t", "gone", qos(0), false),
    );
    lab.clear();
    let new = lab.connect("tk");
    assert_eq!(
        lab.log(),
        [
            "New connection from 127.0.0.1:40003 on port 1883.",
            "Client tk already connected, closing old connection.",
            "Sending PUBLISH to watcher (d0, q0, r0, m0, 'w/t', ... (4 bytes))",
            "New client connected from 127.0.0.1:40003 as tk (p2, c1, k60).",
            "No will message specified.",
            "Sending CONNACK to tk (0, 0)",
        ]
    );
    assert_eq!(lab.closed(), [(old, CloseReason::TakenOver)]);
    assert_eq!(lab.broker.session("tk").unwrap().conn, Some(new));
    // The old connection is gone: its bytes are ignored.
    lab.clear();
    lab.send(old, Packet::Pingreq);
    assert!(lab.out.is_empty());
}

#[test]
fn takeover_of_a_persistent_session_keeps_it() {
    let mut lab = Lab::default();
    let old = lab.connect_with("127.0.0.1", persistent("tp"));
    lab.send(old, subscribe(1, &[("a", 1)]));
    lab.clear();
    let new = lab.connect_with("127.0.0.1", persistent("tp"));
    assert_eq!(
        lab.packets_to(new),
        [connack(true, ConnectReturnCode::Accepted)]
    );
    assert_eq!(lab.broker.session("tp").unwrap().subscriptions.len(), 1);
}

#[test]
fn a_takeover_is_not_refused_by_a_full_server() {
    let mut lab = Lab::new(BrokerConfig {
        max_connections: Some(1),
        ..BrokerConfig::default()
    });
    lab.connect("only");
    lab.clear();
    let again = lab.connect("only");
    assert_eq!(
        lab.packets_to(again),
        [connack(false, ConnectReturnCode::Accepted)]
    );
}

/// `mosquitto_sub -V mqttv5`: the same 5.0 CONNACK whether the CONNECT comes
/// as bytes (a real socket) or decoded (a simulated client), with what the broker
/// announces: the bytes mosquitto 2.0.11 sends (Topic Alias Maximum 10, then
/// Receive Maximum 20).
#[test]
fn an_mqtt5_connect_gets_a_5_0_connack_as_bytes_and_as_a_packet() {
    let mut v5 = connect("c5");
    v5.protocol = Protocol::V5;
    let mut bytes = Vec::new();
    Packet::Connect(v5.clone()).encode(&mut bytes).unwrap();
    // Level 5, flags, keep alive 60, then 5.0's empty properties before "c5".
    assert_eq!(bytes[8..13], [5, 0x02, 0, 60, 0]);
    for by_bytes in [true, false] {
        let mut lab = Lab::default();
        let c = lab.open("127.0.0.1");
        if by_bytes {
            lab.send_bytes(c, &bytes);
        } else {
            lab.broker
                .handle_packet(lab.now, c, Packet::Connect(v5.clone()));
            while let Some(o) = lab.broker.poll_output() {
                lab.out.push(o);
            }
        }
        let wire: Vec<Vec<u8>> = lab
            .out
            .iter()
            .filter_map(|o| match o {
                mqttlab_core::broker::Output::Transmit(t) => Some(t.bytes.to_vec()),
                _ => None,
            })
            .collect();
        assert_eq!(
            wire,
            [vec![0x20, 9, 0x00, 0x00, 6, 0x22, 0, 10, 0x21, 0, 20]],
            "by bytes: {by_bytes}"
        );
        assert_eq!(
            lab.log()[1..],
            [
                "New client connected from 127.0.0.1:40001 as c5 (p5, c1, k60).",
                "No will message specified.",
                "Sending CONNACK to c5 (0, 0)",
            ]
        );
        assert!(lab.closed().is_empty());
    }
}

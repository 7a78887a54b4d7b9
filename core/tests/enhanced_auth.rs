//! MQTT 5.0 enhanced authentication with SCRAM-SHA-256, packet by packet on a
//! virtual clock: our client's side (`client::ScramAuth`) against our broker,
//! every packet encoded to bytes and decoded back, every log line checked. The
//! same exchange against a client no one here wrote (MQTT.js, node's crypto) is
//! in `tests/tests/broker_auth.rs`.
#![cfg(not(target_arch = "wasm32"))]

use std::time::Duration;

use mqttlab_core::auth::SCRAM_SHA_256;
use mqttlab_core::broker::{
    Access, Acl, AclRule, AclSubject, AuthFailure, Broker, BrokerConfig, BrokerEvent, CloseReason,
    ConnId, Output, PeerAddr,
};
use mqttlab_core::client::{AuthError, ScramAuth};
use mqttlab_core::codec::properties::{AuthenticationData, AuthenticationMethod, Property};
use mqttlab_core::codec::reason_codes::{
    AuthReasonCode, ConnackReasonCode, DisconnectReasonCode, SubackReasonCode,
};
use mqttlab_core::codec::{v5, AnyPacket, Pid, QoS};
use mqttlab_core::time::Instant;
use mqttlab_core::topic::TopicFilter;

/// A broker, the clock, and what came out since the last step.
struct Lab {
    broker: Broker,
    now: Instant,
    log: Vec<String>,
    events: Vec<BrokerEvent>,
    closed: Vec<(ConnId, CloseReason)>,
}

impl Lab {
    fn new(config: BrokerConfig) -> Lab {
        Lab {
            broker: Broker::new(config),
            now: Instant::ZERO,
            log: Vec::new(),
            events: Vec::new(),
            closed: Vec::new(),
        }
    }

    fn open(&mut self, conn: u64) -> ConnId {
        let c = ConnId(conn);
        self.broker.handle_connection_opened(
            self.now,
            c,
            PeerAddr::new("10.0.0.2", 40_000 + conn as u16),
        );
        self.drain();
        c
    }

    /// Sends a packet's bytes; returns the packets the broker sent back.
    fn send(&mut self, conn: ConnId, p: v5::Packet) -> Vec<v5::Packet> {
        self.now += Duration::from_millis(10);
        let bytes = p.to_bytes().unwrap();
        self.broker.handle_bytes(self.now, conn, &bytes);
        self.drain()
            .into_iter()
            .map(|bytes| match v5::decode(&bytes, 1 << 20) {
                Ok(Some((p, n))) if n == bytes.len() => p,
                other => panic!("the broker sent {bytes:02x?}: {other:?}"),
            })
            .collect()
    }

    fn drain(&mut self) -> Vec<Vec<u8>> {
        let mut sent = Vec::new();
        while let Some(o) = self.broker.poll_output() {
            match o {
                Output::Transmit(t) => {
                    assert!(matches!(t.packet, AnyPacket::V5(_)));
                    sent.push(t.bytes.to_vec())
                }
                Output::Log(l) => self.log.push(l.text),
                Output::Event(e) => self.events.push(e),
                Output::Close { conn, reason } => self.closed.push((conn, reason)),
            }
        }
        sent
    }

    fn take_log(&mut self) -> Vec<String> {
        std::mem::take(&mut self.log)
    }
}

fn config() -> BrokerConfig {
    let mut c = BrokerConfig {
        allow_anonymous: false,
        seed: 11,
        ..BrokerConfig::default()
    };
    c.enhanced_auth
        .add_scram_user("aluno", b"senha", b"sal do aluno", 4096);
    c
}

fn connect(client_id: &str, props: Vec<Property>) -> v5::Packet {
    v5::Packet::Connect(v5::Connect {
        clean_start: true,
        keep_alive: 60,
        properties: props,
        client_id: client_id.into(),
        will: None,
        username: None,
        password: None,
    })
}

fn one(mut packets: Vec<v5::Packet>) -> v5::Packet {
    assert_eq!(packets.len(), 1, "{packets:?}");
    packets.remove(0)
}

fn auth_packet(a: v5::Auth) -> v5::Packet {
    v5::Packet::Auth(a)
}

/// CONNECT, AUTH, AUTH, CONNACK: the exchange, with each packet's shape.
fn authenticate(lab: &mut Lab, conn: ConnId, client: &mut ScramAuth) {
    let props = client.connect_properties("nonce-do-cliente").unwrap();
    let challenge = one(lab.send(conn, connect("c1", props)));
    let v5::Packet::Auth(a) = &challenge else {
        panic!("{challenge:?}")
    };
    assert_eq!(a.reason, Some(AuthReasonCode::ContinueAuthentication));
    let answer = client.handle(&challenge).unwrap().expect("client-final");
    let connack = one(lab.send(conn, auth_packet(answer)));
    let v5::Packet::Connack(c) = &connack else {
        panic!("{connack:?}")
    };
    assert_eq!(c.reason, ConnackReasonCode::Success);
    // MQTT-4.12.0-5: the CONNACK names the method, and carries the server-final.
    assert!(c
        .properties
        .contains(&AuthenticationMethod(SCRAM_SHA_256.into()).into()));
    assert_eq!(
        client.handle(&connack),
        Ok(None),
        "server signature verified"
    );
}

#[test]
fn connect_reauthenticate_and_the_user_it_proved() {
    let mut cfg = config();
    cfg.acl = Some(Acl {
        rules: vec![AclRule {
            who: AclSubject::User("aluno".into()),
            filter: TopicFilter::new("aluno/#").unwrap(),
            access: Access::ReadWrite,
        }],
    });
    let mut lab = Lab::new(cfg);
    let conn = lab.open(1);
    let mut client = ScramAuth::new("aluno", b"senha");
    authenticate(&mut lab, conn, &mut client);
    assert_eq!(
        lab.take_log(),
        [
            "New connection from 10.0.0.2:40001 on port 1883.",
            "Sending AUTH to c1 (rc24, SCRAM-SHA-256)",
            "Received AUTH from c1 (rc24, SCRAM-SHA-256)",
            "New client connected from 10.0.0.2:40001 as c1 (p5, c1, k60, u'aluno').",
            "No will message specified.",
            "Sending CONNACK to c1 (0, 0)",
        ]
    );
    assert!(lab.events.iter().any(|e| matches!(e,
        BrokerEvent::Authenticated { username, reauthentication: false, .. } if username == "aluno")));
    // The user SCRAM proved is the connection's: the ACL lets it have aluno/#.
    let suback = one(lab.send(
        conn,
        v5::Packet::Subscribe(v5::Subscribe {
            pid: Pid::new(1).unwrap(),
            properties: vec![],
            topics: vec![
                v5::Subscription {
                    filter: TopicFilter::new("aluno/x").unwrap(),
                    options: v5::SubscriptionOptions::qos(QoS::AtMostOnce),
                },
                v5::Subscription {
                    filter: TopicFilter::new("prof/x").unwrap(),
                    options: v5::SubscriptionOptions::qos(QoS::AtMostOnce),
                },
            ],
        }),
    ));
    let v5::Packet::Suback(s) = suback else {
        panic!("{suback:?}")
    };
    assert_eq!(
        s.reasons,
        [
            SubackReasonCode::GrantedQos0,
            SubackReasonCode::NotAuthorized
        ]
    );
    lab.take_log();

    // Re-authentication on the live connection: AUTH 0x19, 0x18, 0x18, 0x00.
    let again = client.reauthenticate("outro-nonce").unwrap();
    let challenge = one(lab.send(conn, auth_packet(again)));
    let answer = client.handle(&challenge).unwrap().unwrap();
    let done = one(lab.send(conn, auth_packet(answer)));
    let v5::Packet::Auth(a) = &done else {
        panic!("{done:?}")
    };
    assert_eq!(a.reason, Some(AuthReasonCode::Success));
    assert_eq!(client.handle(&done), Ok(None));
    assert_eq!(client.authenticated(), 2);
    assert_eq!(
        lab.take_log(),
        [
            "Received AUTH from c1 (rc25, SCRAM-SHA-256)",
            "Sending AUTH to c1 (rc24, SCRAM-SHA-256)",
            "Received AUTH from c1 (rc24, SCRAM-SHA-256)",
            "Sending AUTH to c1 (rc0, SCRAM-SHA-256)",
        ]
    );
    assert!(lab.closed.is_empty());
}

#[test]
fn a_wrong_password_is_refused_with_0x87() {
    let mut lab = Lab::new(config());
    let conn = lab.open(1);
    let mut client = ScramAuth::new("aluno", b"errada");
    let props = client.connect_properties("n").unwrap();
    let challenge = one(lab.send(conn, connect("c1", props)));
    let answer = client.handle(&challenge).unwrap().unwrap();
    let refusal = one(lab.send(conn, auth_packet(answer)));
    assert_eq!(
        client.handle(&refusal),
        Err(AuthError::Refused(ConnackReasonCode::NotAuthorized))
    );
    assert_eq!(
        lab.take_log()[1..],
        [
            "Sending AUTH to c1 (rc24, SCRAM-SHA-256)",
            "Received AUTH from c1 (rc24, SCRAM-SHA-256)",
            "Sending CONNACK to c1 (0, 135)",
            "Client <unknown> disconnected due to protocol error.",
        ]
    );
    assert!(lab.events.iter().any(|e| matches!(
        e,
        BrokerEvent::AuthenticationFailed {
            failure: AuthFailure::Scram(_),
            ..
        }
    )));
    assert_eq!(lab.closed.len(), 1);
    // An unknown user is refused at the first step, the same way to the client.
    let conn = lab.open(2);
    let mut nobody = ScramAuth::new("ninguem", b"x");
    let props = nobody.connect_properties("n").unwrap();
    let refusal = one(lab.send(conn, connect("c2", props)));
    assert_eq!(
        nobody.handle(&refusal),
        Err(AuthError::Refused(ConnackReasonCode::NotAuthorized))
    );
    assert_eq!(
        lab.take_log()[1..],
        [
            "Sending CONNACK to c2 (0, 135)",
            "Client <unknown> disconnected, not authorised.",
        ]
    );
}

#[test]
fn an_unknown_method_is_refused_with_0x8c() {
    let mut lab = Lab::new(config());
    let conn = lab.open(1);
    let props = vec![
        AuthenticationMethod("SCRAM-SHA-1".into()).into(),
        AuthenticationData(bytes::Bytes::from_static(b"n,,n=aluno,r=x")).into(),
    ];
    let refusal = one(lab.send(conn, connect("c1", props)));
    let v5::Packet::Connack(c) = refusal else {
        panic!("{refusal:?}")
    };
    assert_eq!(c.reason, ConnackReasonCode::BadAuthenticationMethod);
    // mosquitto 2.0.11's lines, word for word (tests/tests/broker_auth.rs).
    assert_eq!(
        lab.take_log()[1..],
        [
            "Sending CONNACK to c1 (0, 140)",
            "Client <unknown> disconnected due to QoS too high or retain not supported.",
        ]
    );
}

#[test]
fn a_failed_reauthentication_ends_the_connection_with_disconnect_0x87() {
    let mut lab = Lab::new(config());
    let conn = lab.open(1);
    let mut client = ScramAuth::new("aluno", b"senha");
    authenticate(&mut lab, conn, &mut client);
    lab.take_log();
    let mut wrong = ScramAuth::new("aluno", b"errada");
    let again = wrong.reauthenticate("n2").unwrap();
    let challenge = one(lab.send(conn, auth_packet(again)));
    let answer = wrong.handle(&challenge).unwrap().unwrap();
    let end = one(lab.send(conn, auth_packet(answer)));
    assert_eq!(
        wrong.handle(&end),
        Err(AuthError::Disconnected(DisconnectReasonCode::NotAuthorized))
    );
    assert_eq!(lab.closed, [(conn, CloseReason::NotAuthorized)]);
    assert_eq!(
        lab.take_log(),
        [
            "Received AUTH from c1 (rc25, SCRAM-SHA-256)",
            "Sending AUTH to c1 (rc24, SCRAM-SHA-256)",
            "Received AUTH from c1 (rc24, SCRAM-SHA-256)",
            "Client c1 disconnected, not authorised.",
        ]
    );
}

#[test]
fn auth_out_of_place_is_a_protocol_error() {
    let mut lab = Lab::new(config());
    // Another method than the connection's (MQTT-4.12.1-1).
    let conn = lab.open(1);
    let mut client = ScramAuth::new("aluno", b"senha");
    authenticate(&mut lab, conn, &mut client);
    let mut other = client.reauthenticate("n").unwrap();
    other.properties = Some(vec![AuthenticationMethod("PLAIN".into()).into()]);
    let end = one(lab.send(conn, auth_packet(other)));
    let v5::Packet::Disconnect(d) = end else {
        panic!("{end:?}")
    };
    assert_eq!(d.reason, Some(DisconnectReasonCode::ProtocolError));
    // An AUTH from a client that connected without a method (MQTT-4.12.0-7).
    let mut lab = Lab::new(BrokerConfig::default());
    let conn = lab.open(2);
    let connack = one(lab.send(conn, connect("c2", vec![])));
    assert!(matches!(connack, v5::Packet::Connack(_)));
    let end = one(lab.send(
        conn,
        auth_packet(v5::Auth {
            reason: Some(AuthReasonCode::ReAuthenticate),
            properties: None,
        }),
    ));
    let v5::Packet::Disconnect(d) = end else {
        panic!("{end:?}")
    };
    assert_eq!(d.reason, Some(DisconnectReasonCode::ProtocolError));
    assert!(lab.log.iter().all(|l| !l.starts_with("Received AUTH")));
}

#[test]
fn only_auth_may_come_before_connack() {
    for second in ["CONNECT", "PUBLISH"] {
        let mut lab = Lab::new(config());
        let conn = lab.open(1);
        let mut client = ScramAuth::new("aluno", b"senha");
        let props = client.connect_properties("n").unwrap();
        one(lab.send(conn, connect("c1", props.clone())));
        let packet = match second {
            "CONNECT" => connect("c1", props),
            _ => v5::Packet::Publish(v5::Publish {
                dup: false,
                qospid: mqttlab_core::codec::QosPid::AtMostOnce,
                retain: false,
                topic: Some(mqttlab_core::topic::TopicName::new("t").unwrap()),
                properties: vec![],
                payload: bytes::Bytes::new(),
            }),
        };
        // Closed without a word: a DISCONNECT may not precede CONNACK.
        assert_eq!(lab.send(conn, packet), [], "{second}");
        assert!(
            matches!(lab.closed[..], [(c, CloseReason::ProtocolError(_))] if c == conn),
            "{second}: {:?}",
            lab.closed
        );
    }
}

#[test]
fn the_exchange_is_bounded_by_the_connect_timeout() {
    let mut lab = Lab::new(BrokerConfig {
        connect_timeout: Some(Duration::from_secs(5)),
        ..config()
    });
    let conn = lab.open(1);
    let mut client = ScramAuth::new("aluno", b"senha");
    let props = client.connect_properties("n").unwrap();
    one(lab.send(conn, connect("c1", props)));
    // The client never answers the challenge.
    let at = lab.broker.poll_timeout().expect("a deadline");
    assert_eq!(at, lab.now + Duration::from_secs(5));
    lab.now = at;
    lab.broker.handle_timeout(at);
    lab.drain();
    assert_eq!(lab.closed, [(conn, CloseReason::ConnectTimeout)]);
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let run = || {
        let mut lab = Lab::new(config());
        let conn = lab.open(1);
        let mut client = ScramAuth::new("aluno", b"senha");
        let props = client.connect_properties("n").unwrap();
        lab.send(conn, connect("c1", props))
    };
    assert_eq!(run(), run());
    let mut keyed = config();
    keyed.enhanced_auth.nonce_key = Some([7; 32]);
    let mut lab = Lab::new(keyed);
    let conn = lab.open(1);
    let mut client = ScramAuth::new("aluno", b"senha");
    let props = client.connect_properties("n").unwrap();
    assert_ne!(
        lab.send(conn, connect("c1", props)),
        run(),
        "another key, another nonce"
    );
}

/// A sans-IO `Client` whose options carry a SCRAM login, joined to the broker
/// byte for byte: the packets it sends, in order, and its events.
fn client_against_broker(
    lab: &mut Lab,
    conn: ConnId,
    password: &str,
) -> (
    Vec<v5::Packet>,
    Vec<mqttlab_core::client::ClientEvent>,
    Vec<v5::Packet>,
) {
    use mqttlab_core::client::{Client, ConnectOptions, ScramLogin};
    let mut opts = ConnectOptions::new("c1");
    opts.protocol = mqttlab_core::codec::Protocol::V5;
    opts.scram = Some(ScramLogin {
        username: "aluno".into(),
        password: password.into(),
        nonce_seed: 7,
    });
    let mut client = Client::new();
    client.connect(lab.now, opts).unwrap();
    let (mut sent, mut events, mut received) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..10 {
        let mut progressed = false;
        while let Some(t) = client.poll_transmit() {
            progressed = true;
            let p = *t.v5.expect("a 5.0 packet");
            sent.push(p.clone());
            for back in lab.send(conn, p) {
                received.push(back.clone());
                client.handle_bytes(lab.now, &back.to_bytes().unwrap());
            }
        }
        while let Some(e) = client.poll_event() {
            events.push(e);
        }
        if !progressed {
            break;
        }
    }
    (sent, events, received)
}

#[test]
fn a_client_with_a_scram_login_runs_the_exchange_itself() {
    use mqttlab_core::client::ClientEvent;
    let mut lab = Lab::new(config());
    let conn = lab.open(1);
    let (sent, events, received) = client_against_broker(&mut lab, conn, "senha");
    // CONNECT with the method and the client-first, then AUTH 0x18 with the proof
    // (MQTT-3.1.2-30: nothing else before the CONNACK, MQTT-4.12.0-3).
    let v5::Packet::Connect(c) = &sent[0] else {
        panic!("{sent:?}")
    };
    assert!(c
        .properties
        .contains(&AuthenticationMethod(SCRAM_SHA_256.into()).into()));
    let first = c.properties.iter().find_map(|p| match p {
        Property::AuthenticationData(d) => Some(d.0.clone()),
        _ => None,
    });
    assert!(first.unwrap().starts_with(b"n,,n=aluno,r="));
    assert!(
        matches!(&sent[1], v5::Packet::Auth(a) if a.reason == Some(AuthReasonCode::ContinueAuthentication)),
        "{sent:?}"
    );
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(matches!(&received[0], v5::Packet::Auth(_)));
    assert!(
        matches!(&received[1], v5::Packet::Connack(c) if c.reason == ConnackReasonCode::Success)
    );
    assert!(
        events.contains(&ClientEvent::Connected {
            session_present: false
        }),
        "{events:?}"
    );

    // A wrong password: the broker refuses with 0x87, the client says so.
    let conn = lab.open(2);
    let (sent, events, _) = client_against_broker(&mut lab, conn, "chute");
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(
        events.contains(&ClientEvent::ConnectionRefusedV5(
            ConnackReasonCode::NotAuthorized
        )),
        "{events:?}"
    );
}

#[test]
fn a_broker_that_does_not_prove_the_password_is_refused_by_the_client() {
    use mqttlab_core::client::{
        Client, ClientEvent, ConnectOptions, DisconnectReason, ProtocolError, ScramLogin,
    };
    // A broker that answers Success without the server-final (it never proved
    // it knows the password; RFC 5802 §5) is not accepted: the client closes.
    let mut opts = ConnectOptions::new("c1");
    opts.protocol = mqttlab_core::codec::Protocol::V5;
    opts.scram = Some(ScramLogin {
        username: "aluno".into(),
        password: "senha".into(),
        nonce_seed: 1,
    });
    let mut client = Client::new();
    client.connect(Instant::ZERO, opts).unwrap();
    while client.poll_transmit().is_some() {}
    let bare = v5::Packet::Connack(v5::Connack {
        session_present: false,
        reason: ConnackReasonCode::Success,
        properties: vec![],
    });
    client.handle_bytes(Instant::ZERO, &bare.to_bytes().unwrap());
    let events: Vec<_> = std::iter::from_fn(|| client.poll_event()).collect();
    assert!(
        events.iter().any(|e| matches!(
            e,
            ClientEvent::Disconnected {
                reason: DisconnectReason::Protocol(ProtocolError::Authentication(
                    mqttlab_core::client::AuthFailed::ServerNotProven
                ))
            }
        )),
        "{events:?}"
    );
    assert!(!events.contains(&ClientEvent::Connected {
        session_present: false
    }));
    // A SCRAM login needs MQTT 5.0.
    let mut opts = ConnectOptions::new("c1");
    opts.scram = Some(ScramLogin {
        username: "aluno".into(),
        password: "senha".into(),
        nonce_seed: 1,
    });
    assert_eq!(
        Client::new().connect(Instant::ZERO, opts),
        Err(mqttlab_core::client::ClientError::NeedsV5)
    );
}

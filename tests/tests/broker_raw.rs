//! `mqttlab broker` on real TCP, driven by raw MQTT clients built on the core codec
//! for what `mosquitto_pub`/`mosquitto_sub` cannot express: keep-alive timeout in
//! real time, session takeover, redelivery with DUP=1, malformed input, CONNACK
//! refusals; and a differential log test of those against real `mosquitto -v`.
//!
//! Every wait is bounded; brokers run on free 127.0.0.1 ports and are killed at
//! the end (also on panic).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use mqttlab_core::codec::{
    Connack, Connect, ConnectReturnCode, Decoder, LastWill, Login, Packet, Pid, Protocol, Publish,
    QoS, QosPid, Subscribe, SubscribeTopic,
};
use mqttlab_core::topic::{TopicFilter, TopicName};
use mqttlab_tests::peers::{have, Peer};
use mqttlab_tests::procs::{normalise_log, start_mosquitto_verbose, start_mqttlab_broker, Proc};

const WAIT: Duration = Duration::from_secs(10);

/// `mqttlab broker -v` with this configuration file on a free port, once it is
/// listening.
fn mqttlab_broker(config: &str) -> (Proc, u16) {
    static N: AtomicUsize = AtomicUsize::new(0);
    let conf = std::env::temp_dir().join(format!(
        "mqttlab-raw-{}-{}.conf",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&conf, config).expect("write config");
    start_mqttlab_broker(&["--config", &conf.to_string_lossy()], WAIT)
}

/// A raw MQTT client over blocking TCP.
struct Raw {
    tcp: TcpStream,
    dec: Decoder,
}

impl Raw {
    fn open(port: u16) -> Raw {
        let tcp = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        tcp.set_read_timeout(Some(WAIT)).unwrap();
        tcp.set_nodelay(true).unwrap();
        Raw {
            tcp,
            dec: Decoder::new(1 << 20),
        }
    }

    fn send(&mut self, p: Packet) {
        let mut b = Vec::new();
        p.encode(&mut b).unwrap();
        self.tcp.write_all(&b).unwrap();
    }

    fn send_bytes(&mut self, b: &[u8]) {
        self.tcp.write_all(b).unwrap();
    }

    /// The next packet, or `None` when the broker closed the connection.
    fn recv(&mut self) -> Option<Packet> {
        let mut buf = [0u8; 4096];
        loop {
            if let Some(p) = self.dec.next_packet().expect("broker sends valid packets") {
                return Some(p);
            }
            match self.tcp.read(&mut buf) {
                Ok(0) => return None,
                Ok(n) => self.dec.push(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return None,
                Err(e) => panic!("read: {e}"),
            }
        }
    }

    fn connect(port: u16, c: Connect) -> (Raw, Option<Packet>) {
        let mut r = Raw::open(port);
        r.send(Packet::Connect(c));
        let reply = r.recv();
        (r, reply)
    }
}

fn connect(id: &str) -> Connect {
    Connect {
        protocol: Protocol::V311,
        clean_session: true,
        keep_alive: 60,
        client_id: id.into(),
        will: None,
        login: None,
    }
}

fn will(mut c: Connect, topic: &str, msg: &str) -> Connect {
    c.will = Some(LastWill {
        topic: TopicName::new(topic).unwrap(),
        message: Bytes::copy_from_slice(msg.as_bytes()),
        qos: QoS::AtMostOnce,
        retain: false,
    });
    c
}

fn accepted(session_present: bool) -> Option<Packet> {
    Some(Packet::Connack(Connack {
        session_present,
        code: ConnectReturnCode::Accepted,
    }))
}

fn subscribe(r: &mut Raw, filter: &str, qos: QoS) {
    r.send(Packet::Subscribe(Subscribe {
        pid: Pid::FIRST,
        topics: vec![SubscribeTopic {
            filter: TopicFilter::new(filter).unwrap(),
            qos,
        }],
    }));
    assert!(matches!(r.recv(), Some(Packet::Suback(_))));
}

fn publish(topic: &str, msg: &str, qos: QoS, pid: u16) -> Packet {
    Packet::Publish(Publish {
        dup: false,
        qospid: QosPid::from_parts(qos, Pid::new(pid).unwrap()),
        retain: false,
        topic: TopicName::new(topic).unwrap(),
        payload: Bytes::copy_from_slice(msg.as_bytes()),
    })
}

fn payload(p: Option<Packet>) -> String {
    match p {
        Some(Packet::Publish(p)) => String::from_utf8_lossy(&p.payload).into_owned(),
        other => panic!("expected PUBLISH, got {other:?}"),
    }
}

#[test]
fn keepalive_timeout_in_real_time_publishes_the_will() {
    let (mut b, port) = mqttlab_broker("");
    let (mut watcher, r) = Raw::connect(port, connect("watcher"));
    assert_eq!(r, accepted(false));
    subscribe(&mut watcher, "w/#", QoS::AtMostOnce);
    let mut c = connect("silent");
    c.keep_alive = 1;
    let start = Instant::now();
    let (mut silent, r) = Raw::connect(port, will(c, "w/silent", "gone"));
    assert_eq!(r, accepted(false));
    assert_eq!(silent.recv(), None, "closed by the broker");
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(1400) && waited < Duration::from_secs(4),
        "{waited:?}"
    );
    assert_eq!(payload(watcher.recv()), "gone");
    b.wait_for("Client silent has exceeded timeout, disconnecting.", WAIT);
}

#[test]
fn takeover_redelivery_and_malformed_input_on_real_sockets() {
    let (mut b, port) = mqttlab_broker("");
    let mut c = connect("persist");
    c.clean_session = false;
    let (mut s, r) = Raw::connect(port, c.clone());
    assert_eq!(r, accepted(false));
    subscribe(&mut s, "t", QoS::AtLeastOnce);
    let (mut p, _) = Raw::connect(port, connect("pub"));
    p.send(publish("t", "um", QoS::AtLeastOnce, 1));
    assert_eq!(p.recv(), Some(Packet::Puback(Pid::FIRST)));
    let Some(Packet::Publish(first)) = s.recv() else {
        panic!("no delivery")
    };
    assert!(!first.dup);
    // No PUBACK; another connection takes the session over and gets it again,
    // DUP=1, same packet id.
    let (mut s2, r) = Raw::connect(port, c);
    assert_eq!(r, accepted(true));
    assert_eq!(s.recv(), None, "old connection closed by the takeover");
    let Some(Packet::Publish(again)) = s2.recv() else {
        panic!("no redelivery")
    };
    assert!(again.dup);
    assert_eq!(again.qospid, first.qospid);
    s2.send(Packet::Puback(again.qospid.pid().unwrap()));
    b.wait_for(
        "Client persist already connected, closing old connection.",
        WAIT,
    );

    // Garbage from one client closes only that client.
    let (mut bad, _) = Raw::connect(port, connect("bad"));
    bad.send_bytes(&[0x00, 0x00]);
    assert_eq!(bad.recv(), None);
    p.send(publish("t", "dois", QoS::AtMostOnce, 1));
    assert_eq!(payload(s2.recv()), "dois");
    b.wait_for("Client bad disconnected due to protocol error.", WAIT);
}

#[test]
fn connack_refusals_from_the_config_file() {
    let (_b, port) = mqttlab_broker("allow_anonymous false\nuser alice secret\n");
    let refused = |c: Connect| {
        let (_, r) = Raw::connect(port, c);
        match r {
            Some(Packet::Connack(Connack { code, .. })) => code,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(refused(connect("anon")), ConnectReturnCode::NotAuthorized);
    let mut c = connect("alice");
    c.login = Some(Login {
        username: "alice".into(),
        password: Some(Bytes::from_static(b"wrong")),
    });
    assert_eq!(refused(c.clone()), ConnectReturnCode::BadUserNameOrPassword);
    c.login = Some(Login {
        username: "alice".into(),
        password: Some(Bytes::from_static(b"secret")),
    });
    assert_eq!(refused(c), ConnectReturnCode::Accepted);
    let mut c = connect("");
    c.clean_session = false;
    assert_eq!(refused(c), ConnectReturnCode::IdentifierRejected);
}

// ---- differential ----

/// Takeover with a will, a second CONNECT, a malformed SUBSCRIBE, an unsupported
/// protocol level, a zero-length id without clean session, a socket closed
/// without DISCONNECT: one step at a time, waiting for each answer.
fn script(port: u16, b: &mut Proc) {
    let (mut watcher, _) = Raw::connect(port, connect("watcher"));
    subscribe(&mut watcher, "w/#", QoS::AtMostOnce);
    let (mut old, _) = Raw::connect(port, will(connect("tk"), "w/tk", "gone"));
    let (mut new, _) = Raw::connect(port, connect("tk"));
    assert_eq!(old.recv(), None);
    assert_eq!(payload(watcher.recv()), "gone");
    new.send(Packet::Disconnect);
    assert_eq!(new.recv(), None);
    b.wait_for("Client tk disconnected.", WAIT);

    // No will here: mosquitto 2.0.11 does not publish it after a second CONNECT,
    // MQTT 3.1.1 (MQTT-3.1.2-8) and this broker do.
    let (mut twice, _) = Raw::connect(port, connect("twice"));
    twice.send(Packet::Connect(connect("twice")));
    assert_eq!(twice.recv(), None);
    b.wait_for("Client twice disconnected", WAIT);

    let (mut bf, _) = Raw::connect(port, connect("bf"));
    bf.send_bytes(&[0x80, 0x06, 0x00, 0x01, 0x00, 0x01, b'a', 0x00]);
    assert_eq!(bf.recv(), None);
    b.wait_for("Client bf disconnected", WAIT);

    let mut v6 = Raw::open(port);
    let mut bytes = Vec::new();
    Packet::Connect(connect("v6")).encode(&mut bytes).unwrap();
    bytes[8] = 6;
    v6.send_bytes(&bytes);
    assert!(matches!(v6.recv(), Some(Packet::Connack(_))));
    assert_eq!(v6.recv(), None);

    let mut c = connect("");
    c.clean_session = false;
    let (mut zero, r) = Raw::connect(port, c);
    assert!(matches!(r, Some(Packet::Connack(_))));
    assert_eq!(zero.recv(), None);

    let (lost, _) = Raw::connect(port, will(connect("lost"), "w/lost", "bye"));
    drop(lost);
    assert_eq!(payload(watcher.recv()), "bye");
    watcher.send(Packet::Pingreq);
    assert_eq!(watcher.recv(), Some(Packet::Pingresp));
    watcher.send(Packet::Disconnect);
    b.wait_for("Client watcher disconnected.", WAIT);
    b.settle(Duration::from_millis(300));
}

#[test]
fn differential_log_of_errors_and_takeover_against_mosquitto() {
    if !have(&[Peer::Mosquitto]) {
        return;
    }
    let (mut real, port, conf) = start_mosquitto_verbose("raw-mosq", WAIT);
    script(port, &mut real);
    let want = normalise_log(&real.seen);
    let _ = std::fs::remove_file(conf);
    let (mut ours, port) = mqttlab_broker("");
    script(port, &mut ours);
    let got = normalise_log(&ours.seen);
    eprintln!("{}", got.join("\n"));
    assert!(want.len() > 30, "{want:#?}");
    assert_eq!(got, want);
}

/// A subscriber that comes between a QoS 2 PUBLISH and its PUBREL gets the
/// message: the broker routes it at the PUBREL.
fn qos2_routed_at_pubrel(port: u16) {
    let (mut p, r) = Raw::connect(port, connect("q2pub"));
    assert_eq!(r, accepted(false));
    p.send(publish("q2/t", "x", QoS::ExactlyOnce, 1));
    assert_eq!(p.recv(), Some(Packet::Pubrec(Pid::FIRST)));
    let (mut late, r) = Raw::connect(port, connect("q2late"));
    assert_eq!(r, accepted(false));
    subscribe(&mut late, "q2/t", QoS::AtMostOnce);
    p.send(Packet::Pubrel(Pid::FIRST));
    assert_eq!(p.recv(), Some(Packet::Pubcomp(Pid::FIRST)));
    assert_eq!(payload(late.recv()), "x");
}

/// What the specification checker relies on (swarm seed 1636, a subscriber
/// taken over between a QoS 2 PUBLISH and its PUBREL is not left out): a
/// broker may route a QoS 2 message only at its PUBREL, and mosquitto 2.0.11
/// does, as ours does.
#[test]
fn a_qos2_message_is_routed_at_its_pubrel_on_mosquitto_and_ours() {
    let (_ours, port) = mqttlab_broker("");
    qos2_routed_at_pubrel(port);
    if !have(&[Peer::Mosquitto]) {
        return;
    }
    let (_real, port, conf) = start_mosquitto_verbose("raw-q2", WAIT);
    qos2_routed_at_pubrel(port);
    let _ = std::fs::remove_file(conf);
}

/// A QoS 1 PUBLISH sent again (DUP 1, same packet id) after the broker's
/// PUBACK, on the publisher's next connection: a new publication (MQTT 3.1.1
/// §4.3.2, MQTT-4.3.2-2: after its PUBACK the receiver treats a PUBLISH with
/// the same identifier as new, whatever its DUP), so a subscriber that came
/// between the two copies gets the second, and one there all along gets both.
fn qos1_sent_again_after_its_puback(port: u16) {
    let (mut early, r) = Raw::connect(port, connect("q1early"));
    assert_eq!(r, accepted(false));
    subscribe(&mut early, "q1/t", QoS::AtLeastOnce);
    let mut c = connect("q1pub");
    c.clean_session = false;
    let (mut p, r) = Raw::connect(port, c.clone());
    assert_eq!(r, accepted(false));
    p.send(publish("q1/t", "x", QoS::AtLeastOnce, 1));
    assert_eq!(p.recv(), Some(Packet::Puback(Pid::FIRST)));
    assert_eq!(payload(early.recv()), "x");
    let (mut late, r) = Raw::connect(port, connect("q1late"));
    assert_eq!(r, accepted(false));
    subscribe(&mut late, "q1/t", QoS::AtLeastOnce);
    // The publisher's connection goes; it comes back and sends it again.
    drop(p);
    let (mut p, r) = Raw::connect(port, c);
    assert_eq!(r, accepted(true));
    let Packet::Publish(mut again) = publish("q1/t", "x", QoS::AtLeastOnce, 1) else {
        unreachable!()
    };
    again.dup = true;
    p.send(Packet::Publish(again));
    assert_eq!(p.recv(), Some(Packet::Puback(Pid::FIRST)));
    assert_eq!(payload(late.recv()), "x");
    assert_eq!(payload(early.recv()), "x");
}

/// What the specification checker relies on (swarm seed 3695: the same
/// words twice, a subscriber that came between gets only the second):
/// mosquitto 2.0.11 and ours route the copy sent again as a new message.
#[test]
fn a_qos1_publish_sent_again_after_its_puback_is_new_on_mosquitto_and_ours() {
    let (_ours, port) = mqttlab_broker("");
    qos1_sent_again_after_its_puback(port);
    if !have(&[Peer::Mosquitto]) {
        return;
    }
    let (_real, port, conf) = start_mosquitto_verbose("raw-q1again", WAIT);
    qos1_sent_again_after_its_puback(port);
    let _ = std::fs::remove_file(conf);
}

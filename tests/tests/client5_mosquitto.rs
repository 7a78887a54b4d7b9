//! MQTT Lab's client speaking MQTT 5.0 to a real mosquitto 2.0.11: for each
//! CONNACK property mosquitto can send (set in its configuration), the client
//! reads it and behaves as the standard asks, and mosquitto, the oracle, agrees
//! (it acknowledges, refuses or delivers accordingly). Also the reason codes
//! of its acknowledgements, Topic Aliases and request/response through it.
//!
//! Every wait is bounded; a missing mosquitto skips the test (fails under
//! `MQTTLAB_REQUIRE_PEERS=1`, naming it).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use bytes::Bytes;
use mqttlab_core::client::{Client, ClientError, ClientEvent, ConnectOptions};
use mqttlab_core::codec::properties::{
    CorrelationData, Property, ResponseTopic, TopicAlias, UserProperty,
};
use mqttlab_core::codec::{PacketType, QoS, SubackReturnCode};
use mqttlab_tests::procs::{have_mosquitto, start_mosquitto_verbose_with, Proc};

/// How long any one exchange may take.
const T: Duration = Duration::from_secs(10);

/// mosquitto 2.0.11 with these configuration lines.
struct Broker {
    port: u16,
    _proc: Proc,
    conf: std::path::PathBuf,
}

impl Broker {
    fn start(conf: &str) -> Broker {
        let (proc, port, conf) = start_mosquitto_verbose_with(
            "client5",
            &format!("allow_anonymous true\n{conf}"),
            Duration::from_secs(10),
        );
        Broker {
            port,
            _proc: proc,
            conf,
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.conf);
    }
}

/// The core client on a TCP socket: bytes in with `handle_bytes`, out with
/// `poll_transmit`, the time from a monotonic clock.
struct Wire {
    client: Client,
    stream: TcpStream,
    t0: Instant,
    /// Highest number of QoS 1/2 PUBLISHes sent and not yet acknowledged.
    max_in_flight: usize,
    in_flight: usize,
}

impl Wire {
    fn connect(port: u16, opts: ConnectOptions) -> Wire {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_millis(20)))
            .expect("timeout");
        let mut w = Wire {
            client: Client::new(),
            stream,
            t0: Instant::now(),
            max_in_flight: 0,
            in_flight: 0,
        };
        let now = w.now();
        w.client.connect(now, opts).expect("connect options");
        w.until(|e| matches!(e, ClientEvent::Connected { .. }));
        w
    }

    fn now(&self) -> mqttlab_core::time::Instant {
        mqttlab_core::time::Instant::from_micros(self.t0.elapsed().as_micros() as u64)
    }

    fn flush(&mut self) {
        while let Some(t) = self.client.poll_transmit() {
            if let mqttlab_core::codec::Packet::Publish(p) = &t.packet {
                if p.qos() != QoS::AtMostOnce && !p.dup {
                    self.in_flight += 1;
                    self.max_in_flight = self.max_in_flight.max(self.in_flight);
                }
            }
            self.stream.write_all(&t.bytes).expect("write");
        }
    }

    /// Runs until an event matches; returns every event seen.
    fn until(&mut self, done: impl Fn(&ClientEvent) -> bool) -> Vec<ClientEvent> {
        self.until_within(T, done)
    }

    /// [`Wire::until`] with another bound.
    fn until_within(
        &mut self,
        within: Duration,
        done: impl Fn(&ClientEvent) -> bool,
    ) -> Vec<ClientEvent> {
        let end = Instant::now() + within;
        let mut seen = Vec::new();
        let mut buf = [0u8; 65536];
        loop {
            // Events first: a completed message leaves the window before the
            // next one (already queued by the client) goes out.
            while let Some(ev) = self.client.poll_event() {
                if matches!(ev, ClientEvent::Published { .. }) {
                    self.in_flight -= 1;
                }
                let stop = done(&ev);
                seen.push(ev);
                if stop {
                    self.flush();
                    return seen;
                }
            }
            self.flush();
            assert!(Instant::now() < end, "no matching event; saw {seen:?}");
            let now = self.now();
            match self.stream.read(&mut buf) {
                Ok(0) => self.client.handle_closed(now),
                Ok(n) => self.client.handle_bytes(now, &buf[..n]),
                Err(_) => self.client.handle_timeout(now),
            }
        }
    }
}

fn v5(id: &str) -> ConnectOptions {
    ConnectOptions::new(id).v5(Vec::new())
}

fn published(n: usize) -> impl Fn(&ClientEvent) -> bool {
    let count = std::cell::Cell::new(0);
    move |e| {
        if matches!(e, ClientEvent::Published { .. }) {
            count.set(count.get() + 1);
        }
        count.get() == n
    }
}

#[test]
fn receive_maximum_of_mosquitto_is_never_exceeded() {
    if !have_mosquitto() {
        return;
    }
    let b = Broker::start("max_inflight_messages 2\n");
    let mut w = Wire::connect(b.port, v5("rm"));
    assert_eq!(w.client.server().receive_maximum, 2);
    let now = w.now();
    for i in 0..8u8 {
        w.client
            .publish(now, "rm/t", vec![i], QoS::ExactlyOnce, false)
            .unwrap();
    }
    w.until(published(8));
    assert_eq!(
        w.max_in_flight, 2,
        "never more than the broker's Receive Maximum"
    );
}

#[test]
fn maximum_packet_size_of_mosquitto_is_respected() {
    if !have_mosquitto() {
        return;
    }
    let b = Broker::start("max_packet_size 100\n");
    let mut w = Wire::connect(b.port, v5("mps"));
    assert_eq!(w.client.server().maximum_packet_size, Some(100));
    let now = w.now();
    let r = w
        .client
        .publish(now, "mps/t", vec![b'x'; 120], QoS::AtLeastOnce, false);
    assert!(
        matches!(r, Err(ClientError::PacketTooLarge { max: 100, .. })),
        "{r:?}"
    );
    // One that fits is accepted by mosquitto (PUBACK, not a disconnect).
    w.client
        .publish(now, "mps/t", vec![b'x'; 60], QoS::AtLeastOnce, false)
        .unwrap();
    w.until(published(1));
    assert!(w.client.is_connected());
}

#[test]
fn topic_aliases_within_mosquittos_maximum_reach_subscribers_with_their_topic() {
    if !have_mosquitto() {
        return;
    }
    let b = Broker::start("max_topic_alias 3\n");
    let mut sub = Wire::connect(b.port, v5("ta-sub"));
    let now = sub.now();
    sub.client
        .subscribe(now, &[("ta/#", QoS::AtLeastOnce)])
        .unwrap();
    sub.until(|e| matches!(e, ClientEvent::Subscribed { .. }));
    let mut w = Wire::connect(b.port, v5("ta"));
    assert_eq!(w.client.server().topic_alias_maximum, 3);
    let now = w.now();
    let alias = || vec![Property::from(TopicAlias(2))];
    for i in 0..3u8 {
        w.client
            .publish_with(now, "ta/sala", vec![i], QoS::AtLeastOnce, false, alias())
            .unwrap();
    }
    assert!(matches!(
        w.client.publish_with(
            now,
            "ta/x",
            "",
            QoS::AtMostOnce,
            false,
            vec![TopicAlias(4).into()]
        ),
        Err(ClientError::TopicAliasInvalid { alias: 4, max: 3 })
    ));
    w.until(published(3));
    let got: Vec<String> = sub
        .until({
            let n = std::cell::Cell::new(0);
            move |e| {
                if matches!(e, ClientEvent::Message(_)) {
                    n.set(n.get() + 1);
                }
                n.get() == 3
            }
        })
        .into_iter()
        .filter_map(|e| match e {
            ClientEvent::Message(m) => Some(format!("{} {:?}", m.topic, &m.payload[..])),
            _ => None,
        })
        .collect();
    assert_eq!(got, ["ta/sala [0]", "ta/sala [1]", "ta/sala [2]"]);
}

#[test]
fn maximum_qos_and_retain_available_of_mosquitto_are_respected() {
    if !have_mosquitto() {
        return;
    }
    let b = Broker::start("max_qos 1\nretain_available false\n");
    let mut w = Wire::connect(b.port, v5("mq"));
    assert_eq!(w.client.server().maximum_qos, QoS::AtLeastOnce);
    assert!(!w.client.server().retain_available);
    let now = w.now();
    assert!(matches!(
        w.client.publish(now, "mq/t", "x", QoS::ExactlyOnce, false),
        Err(ClientError::QosNotSupported { .. })
    ));
    assert_eq!(
        w.client.publish(now, "mq/t", "x", QoS::AtMostOnce, true),
        Err(ClientError::RetainNotSupported)
    );
    // A QoS 2 subscription is granted QoS 1 by mosquitto.
    w.client
        .subscribe(now, &[("mq/#", QoS::ExactlyOnce)])
        .unwrap();
    let ev = w.until(|e| matches!(e, ClientEvent::Subscribed { .. }));
    assert!(ev.iter().any(|e| matches!(
        e,
        ClientEvent::Subscribed { granted, .. } if granted == &[SubackReturnCode::Success(QoS::AtLeastOnce)]
    )));
    w.client
        .publish(now, "mq/t", "ok", QoS::AtLeastOnce, false)
        .unwrap();
    w.until(published(1));
}

#[test]
fn server_keep_alive_of_mosquitto_is_adopted() {
    if !have_mosquitto() {
        return;
    }
    // mosquitto's smallest max_keepalive.
    let b = Broker::start("max_keepalive 10\n");
    let mut w = Wire::connect(b.port, v5("ka").keep_alive(60));
    assert_eq!(w.client.server().server_keep_alive, Some(10));
    assert_eq!(w.client.keep_alive(), 10);
    // A PINGREQ after 10 s (not 60) and mosquitto's PINGRESP.
    let start = Instant::now();
    w.until_within(Duration::from_secs(14), |e| matches!(e, ClientEvent::Pong));
    let took = start.elapsed();
    assert!(
        took > Duration::from_secs(9) && took < Duration::from_secs(12),
        "{took:?}"
    );
    assert!(w.client.is_connected());
}

#[test]
fn an_empty_client_id_gets_mosquittos_assigned_identifier() {
    if !have_mosquitto() {
        return;
    }
    let b = Broker::start("");
    let w = Wire::connect(b.port, v5(""));
    let id = w
        .client
        .server()
        .assigned_client_identifier
        .clone()
        .expect("mosquitto assigns one");
    assert!(id.starts_with("auto-"), "{id}");
    assert_eq!(w.client.options().client_id, id);
}

#[test]
fn reason_codes_of_mosquittos_acknowledgements_are_reported() {
    if !have_mosquitto() {
        return;
    }
    let b = Broker::start("");
    let mut w = Wire::connect(b.port, v5("rc"));
    let now = w.now();
    w.client
        .publish(now, "nobody/here", "x", QoS::AtLeastOnce, false)
        .unwrap();
    w.client
        .publish(now, "nobody/here", "x", QoS::ExactlyOnce, false)
        .unwrap();
    let ev = w.until(published(2));
    let codes: Vec<(PacketType, Vec<u8>)> = ev
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Acknowledged { packet, codes, .. } => Some((*packet, codes.clone())),
            _ => None,
        })
        .collect();
    // 0x10 No matching subscribers on PUBACK. mosquitto 2.0.11 answers the
    // QoS 2 PUBLISH's PUBREC with 0x00 (the standard allows 0x10 there too,
    // and mqttlab broker sends it: broker_interop pins the difference).
    assert_eq!(
        codes,
        [
            (PacketType::Puback, vec![0x10]),
            (PacketType::Pubrec, vec![0x00]),
            (PacketType::Pubcomp, vec![0x00])
        ]
    );
}

#[test]
fn request_response_through_mosquitto() {
    if !have_mosquitto() {
        return;
    }
    let b = Broker::start("");
    let mut server = Wire::connect(b.port, v5("responder"));
    let now = server.now();
    server
        .client
        .subscribe(now, &[("rr/req", QoS::AtLeastOnce)])
        .unwrap();
    server.until(|e| matches!(e, ClientEvent::Subscribed { .. }));
    let mut asker = Wire::connect(b.port, v5("asker"));
    let now = asker.now();
    asker
        .client
        .subscribe(now, &[("rr/resp/asker", QoS::AtLeastOnce)])
        .unwrap();
    asker.until(|e| matches!(e, ClientEvent::Subscribed { .. }));
    let corr = Bytes::from_static(b"\x00\x07id");
    asker
        .client
        .publish_with(
            now,
            "rr/req",
            "2+2?",
            QoS::AtLeastOnce,
            false,
            vec![
                ResponseTopic("rr/resp/asker".into()).into(),
                CorrelationData(corr.clone()).into(),
                UserProperty(("k".into(), "v".into())).into(),
            ],
        )
        .unwrap();
    asker.until(published(1));
    let ev = server.until(|e| matches!(e, ClientEvent::Message(_)));
    let Some(ClientEvent::Message(req)) = ev
        .into_iter()
        .find(|e| matches!(e, ClientEvent::Message(_)))
    else {
        unreachable!()
    };
    let response_topic = req
        .properties
        .iter()
        .find_map(|p| match p {
            Property::ResponseTopic(t) => Some(t.0.clone()),
            _ => None,
        })
        .expect("the Response Topic arrives");
    let correlation = req
        .properties
        .iter()
        .find(|p| matches!(p, Property::CorrelationData(_)))
        .cloned()
        .expect("the Correlation Data arrives");
    assert!(req
        .properties
        .contains(&UserProperty(("k".into(), "v".into())).into()));
    let now = server.now();
    server
        .client
        .publish_with(
            now,
            &response_topic,
            "4",
            QoS::AtLeastOnce,
            false,
            vec![correlation],
        )
        .unwrap();
    server.until(published(1));
    let ev = asker.until(|e| matches!(e, ClientEvent::Message(_)));
    let Some(ClientEvent::Message(resp)) = ev
        .into_iter()
        .find(|e| matches!(e, ClientEvent::Message(_)))
    else {
        unreachable!()
    };
    assert_eq!(&resp.payload[..], b"4");
    assert_eq!(resp.properties, [Property::from(CorrelationData(corr))]);
}

//! Captures crafted to break one rule each: a broker (or client) misbehaving
//! on the wire, written as a Wireshark file (`sim::pcap`'s synthetic TCP/IP
//! framing), read back by `capture::read` and judged by the checker, which
//! must name exactly the statement broken (its number at the connection's
//! level) and no other MUST.
//!
//! The files are committed under `tests/fixtures/capture/crafted/` (the
//! browser test opens each one in the Captures tab and looks for the same
//! number); this test fails if a committed file differs from what the cases
//! below write. `UPDATE_CRAFTED=1` rewrites them.

use std::path::PathBuf;

use mqttlab_core::capture;
use mqttlab_core::checker::{Checker, Severity, Statement};
use mqttlab_core::sim::pcap::{to_pcap, WireConnection};
use mqttlab_core::sim::trace::{CloseKind, TraceEntry, TraceKind};
use mqttlab_core::time::Instant;

// ---- MQTT packets, byte by byte (3.1.1 unless named 5.0) ----

fn packet(first: u8, body: &[u8]) -> Vec<u8> {
    assert!(body.len() < 128, "crafted packets stay short");
    let mut out = vec![first, body.len() as u8];
    out.extend_from_slice(body);
    out
}

fn string(s: &str) -> Vec<u8> {
    let mut out = (s.len() as u16).to_be_bytes().to_vec();
    out.extend_from_slice(s.as_bytes());
    out
}

/// CONNECT: client id, Clean Session, keep alive, and a will (topic, payload, QoS).
fn connect(id: &str, clean: bool, keep_alive: u16, will: Option<(&str, &str, u8)>) -> Vec<u8> {
    let mut flags = if clean { 0x02 } else { 0 };
    if let Some((_, _, q)) = will {
        flags |= 0x04 | (q << 3);
    }
    let mut body = string("MQTT");
    body.push(4);
    body.push(flags);
    body.extend_from_slice(&keep_alive.to_be_bytes());
    body.extend(string(id));
    if let Some((t, m, _)) = will {
        body.extend(string(t));
        body.extend(string(m));
    }
    packet(0x10, &body)
}

fn connack(session_present: bool, code: u8) -> Vec<u8> {
    packet(0x20, &[u8::from(session_present), code])
}

fn publish(topic: &str, payload: &str, qos: u8, pid: u16, retain: bool, dup: bool) -> Vec<u8> {
    let first = 0x30 | (u8::from(dup) << 3) | (qos << 1) | u8::from(retain);
    let mut body = string(topic);
    if qos > 0 {
        body.extend_from_slice(&pid.to_be_bytes());
    }
    body.extend_from_slice(payload.as_bytes());
    packet(first, &body)
}

fn puback(pid: u16) -> Vec<u8> {
    packet(0x40, &pid.to_be_bytes())
}
fn pubrec(pid: u16) -> Vec<u8> {
    packet(0x50, &pid.to_be_bytes())
}
fn pubrel(pid: u16) -> Vec<u8> {
    packet(0x62, &pid.to_be_bytes())
}
fn pubcomp(pid: u16) -> Vec<u8> {
    packet(0x70, &pid.to_be_bytes())
}

fn subscribe(pid: u16, filters: &[(&str, u8)]) -> Vec<u8> {
    let mut body = pid.to_be_bytes().to_vec();
    for (f, q) in filters {
        body.extend(string(f));
        body.push(*q);
    }
    packet(0x82, &body)
}

fn suback(pid: u16, codes: &[u8]) -> Vec<u8> {
    let mut body = pid.to_be_bytes().to_vec();
    body.extend_from_slice(codes);
    packet(0x90, &body)
}

fn unsubscribe(pid: u16, filters: &[&str]) -> Vec<u8> {
    let mut body = pid.to_be_bytes().to_vec();
    for f in filters {
        body.extend(string(f));
    }
    packet(0xa2, &body)
}

fn pingreq() -> Vec<u8> {
    vec![0xc0, 0]
}
fn pingresp() -> Vec<u8> {
    vec![0xd0, 0]
}
fn disconnect() -> Vec<u8> {
    vec![0xe0, 0]
}

// ---- MQTT 5.0 packets ----

/// A property with a four-byte value (Message Expiry 0x02, Session Expiry
/// 0x11, Will Delay 0x18).
fn prop4(id: u8, v: u32) -> Vec<u8> {
    let mut out = vec![id];
    out.extend_from_slice(&v.to_be_bytes());
    out
}

/// A property with a two-byte value (Topic Alias Maximum 0x22, Topic Alias 0x23).
fn prop2(id: u8, v: u16) -> Vec<u8> {
    let mut out = vec![id];
    out.extend_from_slice(&v.to_be_bytes());
    out
}

fn props(p: &[u8]) -> Vec<u8> {
    assert!(p.len() < 128);
    let mut out = vec![p.len() as u8];
    out.extend_from_slice(p);
    out
}

/// 5.0 CONNECT: client id, Clean Start, properties, and a will (topic,
/// payload, QoS, will properties).
fn connect5(id: &str, clean: bool, p: &[u8], will: Option<(&str, &str, u8, &[u8])>) -> Vec<u8> {
    let mut flags = if clean { 0x02 } else { 0 };
    if let Some((_, _, q, _)) = will {
        flags |= 0x04 | (q << 3);
    }
    let mut body = string("MQTT");
    body.push(5);
    body.push(flags);
    body.extend_from_slice(&60u16.to_be_bytes());
    body.extend(props(p));
    body.extend(string(id));
    if let Some((t, m, _, wp)) = will {
        body.extend(props(wp));
        body.extend(string(t));
        body.extend(string(m));
    }
    packet(0x10, &body)
}

/// 5.0 CONNACK with Topic Alias Maximum 10.
fn connack5(session_present: bool) -> Vec<u8> {
    let mut body = vec![u8::from(session_present), 0];
    body.extend(props(&prop2(0x22, 10)));
    packet(0x20, &body)
}

fn publish5(topic: &str, payload: &str, qos: u8, pid: u16, p: &[u8]) -> Vec<u8> {
    let mut body = string(topic);
    if qos > 0 {
        body.extend_from_slice(&pid.to_be_bytes());
    }
    body.extend(props(p));
    body.extend_from_slice(payload.as_bytes());
    packet(0x30 | (qos << 1), &body)
}

fn subscribe5(pid: u16, filter: &str, q: u8) -> Vec<u8> {
    let mut body = pid.to_be_bytes().to_vec();
    body.push(0);
    body.extend(string(filter));
    body.push(q);
    packet(0x82, &body)
}

fn suback5(pid: u16, code: u8) -> Vec<u8> {
    let mut body = pid.to_be_bytes().to_vec();
    body.extend_from_slice(&[0, code]);
    packet(0x90, &body)
}

fn disconnect5(reason: u8) -> Vec<u8> {
    packet(0xe0, &[reason, 0])
}

// ---- a capture at the broker ----

/// Events of connections to one broker (10.0.0.1:1883), 10 ms apart unless
/// [`Craft::wait`] says otherwise.
struct Craft {
    entries: Vec<TraceEntry>,
    us: u64,
}

impl Craft {
    fn new() -> Self {
        Craft {
            entries: Vec::new(),
            us: 0,
        }
    }
    fn push(&mut self, kind: TraceKind) {
        self.us += 10_000;
        self.entries.push(TraceEntry {
            time: Instant::from_micros(self.us),
            kind,
        });
    }
    fn wait(&mut self, secs: u64) -> &mut Self {
        self.us += secs * 1_000_000;
        self
    }
    fn wire(conn: u64) -> WireConnection {
        WireConnection::new(&format!("c{conn}"), "broker", conn)
    }
    /// Opens connection `conn` from client `c{conn}`.
    fn open(&mut self, conn: u64) -> &mut Self {
        self.push(Self::wire(conn).open());
        self
    }
    fn packet(&mut self, conn: u64, to_broker: bool, bytes: Vec<u8>) {
        self.push(Self::wire(conn).packet(to_broker, bytes));
    }
    /// Client `conn` sends.
    fn c(&mut self, conn: u64, bytes: Vec<u8>) -> &mut Self {
        self.packet(conn, true, bytes);
        self
    }
    /// The broker sends on `conn`.
    fn b(&mut self, conn: u64, bytes: Vec<u8>) -> &mut Self {
        self.packet(conn, false, bytes);
        self
    }
    fn close(&mut self, conn: u64, by_client: bool, kind: CloseKind) -> &mut Self {
        self.push(Self::wire(conn).close(by_client, kind));
        self
    }
    /// Opens `conn` as client `id` with a clean session, accepted.
    fn client(&mut self, conn: u64, id: &str) -> &mut Self {
        self.open(conn)
            .c(conn, connect(id, true, 60, None))
            .b(conn, connack(false, 0))
    }
    /// Opens `conn` as 5.0 client `id` with a clean session, accepted.
    fn client5(&mut self, conn: u64, id: &str) -> &mut Self {
        self.open(conn)
            .c(conn, connect5(id, true, &[], None))
            .b(conn, connack5(false))
    }
    /// ... and subscribed to `filter` at QoS `q`, granted.
    fn subscriber5(&mut self, conn: u64, id: &str, filter: &str, q: u8) -> &mut Self {
        self.client5(conn, id)
            .c(conn, subscribe5(1, filter, q))
            .b(conn, suback5(1, q))
    }
    /// ... and subscribed to `filter` at QoS `q`, granted.
    fn subscriber(&mut self, conn: u64, id: &str, filter: &str, q: u8) -> &mut Self {
        self.client(conn, id)
            .c(conn, subscribe(1, &[(filter, q)]))
            .b(conn, suback(1, &[q]))
    }
}

/// One crafted capture: its file name, the statement it breaks (`None`: a
/// malformed packet, judged by the codec's rule) and that statement's number
/// at its level, and its packets.
struct Case {
    name: &'static str,
    statement: Option<Statement>,
    id: &'static str,
    craft: Craft,
}

fn case(
    name: &'static str,
    statement: impl Into<Option<Statement>>,
    id: &'static str,
    f: impl FnOnce(&mut Craft),
) -> Case {
    let mut craft = Craft::new();
    f(&mut craft);
    Case {
        name,
        statement: statement.into(),
        id,
        craft,
    }
}

fn cases() -> Vec<Case> {
    use Statement as S;
    vec![
        case("second-connect", S::OneConnect, "MQTT-3.1.0-2", |k| {
            k.client(0, "a").c(0, connect("a", true, 60, None));
        }),
        case(
            "first-server-packet-not-connack",
            S::FirstPacketConnack,
            "MQTT-3.2.0-1",
            |k| {
                k.open(0)
                    .c(0, connect("a", true, 60, None))
                    .b(0, pingresp());
            },
        ),
        case(
            "session-present-on-clean-session",
            S::SessionPresentClean,
            "MQTT-3.2.2-1",
            |k| {
                k.open(0)
                    .c(0, connect("a", true, 60, None))
                    .b(0, connack(true, 0));
            },
        ),
        // The codec refuses this CONNACK as malformed, naming the statement.
        case("refusal-with-session-present", None, "MQTT-3.2.2-4", |k| {
            k.open(0)
                .c(0, connect("a", false, 60, None))
                .b(0, connack(true, 5))
                .close(0, false, CloseKind::Fin);
        }),
        case(
            "packet-after-refusal",
            S::CloseAfterRefusal,
            "MQTT-3.2.2-5",
            |k| {
                k.open(0)
                    .c(0, connect("a", true, 60, None))
                    .b(0, connack(false, 5))
                    .b(0, pingresp());
            },
        ),
        case(
            "packet-after-disconnect",
            S::NothingAfterDisconnect,
            "MQTT-3.14.4-2",
            |k| {
                k.client(0, "a").c(0, disconnect()).c(0, pingreq());
            },
        ),
        case(
            "pingreq-unanswered",
            S::PingrespForPingreq,
            "MQTT-3.12.4-1",
            |k| {
                k.client(0, "a")
                    .c(0, pingreq())
                    .wait(2)
                    .close(0, true, CloseKind::Fin);
            },
        ),
        case(
            "keep-alive-not-enforced",
            S::KeepAliveClose,
            "MQTT-3.1.2-24",
            |k| {
                k.open(0)
                    .c(0, connect("a", true, 2, None))
                    .b(0, connack(false, 0))
                    .wait(10)
                    .b(0, pingresp());
            },
        ),
        case(
            "client-packet-id-in-use",
            S::PacketIdUnused,
            "MQTT-2.3.1-2",
            |k| {
                k.client(0, "a")
                    .c(0, publish("t", "1", 1, 1, false, false))
                    .c(0, publish("t", "2", 1, 1, false, false))
                    .b(0, puback(1));
            },
        ),
        case(
            "server-packet-id-in-use",
            S::ServerPacketIdUnused,
            "MQTT-2.3.1-4",
            |k| {
                k.subscriber(0, "s", "t", 1).client(1, "p");
                k.c(1, publish("t", "1", 1, 1, false, false))
                    .b(1, puback(1));
                k.c(1, publish("t", "2", 1, 2, false, false))
                    .b(1, puback(2));
                k.b(0, publish("t", "1", 1, 7, false, false));
                k.b(0, publish("t", "2", 1, 7, false, false));
                k.c(0, puback(7));
            },
        ),
        case("resend-without-dup", S::DupOnResend, "MQTT-3.3.1-1", |k| {
            k.client(0, "a")
                .c(0, publish("t", "1", 1, 1, false, false))
                .c(0, publish("t", "1", 1, 1, false, false))
                .b(0, puback(1));
        }),
        case(
            "puback-for-nothing",
            S::AckMatchesPublish,
            "MQTT-2.3.1-6",
            |k| {
                k.client(0, "a").b(0, puback(9));
            },
        ),
        case("puback-for-qos2", S::PubrecForQos2, "MQTT-4.3.3-2", |k| {
            k.client(0, "a")
                .c(0, publish("t", "1", 2, 3, false, false))
                .b(0, puback(3));
        }),
        case("pubrec-for-qos1", S::PubackForQos1, "MQTT-4.3.2-2", |k| {
            k.client(0, "a")
                .c(0, publish("t", "1", 1, 3, false, false))
                .b(0, pubrec(3));
        }),
        case(
            "pubrel-before-pubrec",
            S::PubrelAfterPubrec,
            "MQTT-4.3.3-1",
            |k| {
                k.client(0, "a")
                    .c(0, publish("t", "1", 2, 3, false, false))
                    .c(0, pubrel(3))
                    .b(0, pubcomp(3));
            },
        ),
        case(
            "pubcomp-before-pubrel",
            S::PubcompAfterPubrel,
            "MQTT-4.3.3-2",
            |k| {
                k.client(0, "a")
                    .c(0, publish("t", "1", 2, 3, false, false))
                    .b(0, pubrec(3))
                    .b(0, pubcomp(3));
            },
        ),
        case(
            "suback-with-another-id",
            S::SubackMatchesSubscribe,
            "MQTT-2.3.1-7",
            |k| {
                k.client(0, "a")
                    .c(0, subscribe(4, &[("t", 0)]))
                    .b(0, suback(5, &[0]))
                    .close(0, true, CloseKind::Fin);
            },
        ),
        case(
            "suback-too-few-codes",
            S::SubackOneCodePerFilter,
            "MQTT-3.8.4-5",
            |k| {
                k.client(0, "a")
                    .c(0, subscribe(1, &[("t", 0), ("u", 0)]))
                    .b(0, suback(1, &[0]));
            },
        ),
        case("suback-grants-more", S::GrantedNoHigher, "§3.9.3", |k| {
            k.client(0, "a")
                .c(0, subscribe(1, &[("t", 0)]))
                .b(0, suback(1, &[2]));
        }),
        case(
            "subscribe-unanswered",
            S::SubackForSubscribe,
            "MQTT-3.8.4-1",
            |k| {
                k.client(0, "a")
                    .c(0, subscribe(1, &[("t", 0)]))
                    .wait(2)
                    .close(0, true, CloseKind::Fin);
            },
        ),
        case(
            "unsubscribe-unanswered",
            S::UnsubackForUnsubscribe,
            "MQTT-3.10.4-4",
            |k| {
                k.client(0, "a").c(0, unsubscribe(1, &["t"])).wait(2).close(
                    0,
                    true,
                    CloseKind::Fin,
                );
            },
        ),
        case(
            "delivery-above-granted-qos",
            S::DeliveryQos,
            "MQTT-3.8.4-6",
            |k| {
                k.subscriber(0, "s", "t", 0).client(1, "p");
                k.c(1, publish("t", "1", 1, 1, false, false))
                    .b(1, puback(1));
                k.b(0, publish("t", "1", 1, 1, false, false))
                    .c(0, puback(1));
            },
        ),
        case(
            "delivery-to-no-subscription",
            S::DeliveryMatchesFilter,
            "MQTT-3.3.2-3",
            |k| {
                k.subscriber(0, "s", "a", 0).client(1, "p");
                k.c(1, publish("b", "1", 0, 0, false, false));
                k.b(0, publish("b", "1", 0, 0, false, false));
            },
        ),
        case(
            "subscriber-left-out",
            S::EveryMatchingSubscriber,
            "MQTT-4.5.0-1",
            |k| {
                k.subscriber(0, "s1", "t", 1)
                    .subscriber(1, "s2", "t", 1)
                    .client(2, "p");
                k.c(2, publish("t", "1", 1, 1, false, false))
                    .b(2, puback(1));
                k.b(0, publish("t", "1", 1, 1, false, false))
                    .c(0, puback(1));
                // A later message reaches both: the broker had passed "1" by for s2.
                k.c(2, publish("t", "2", 1, 2, false, false))
                    .b(2, puback(2));
                k.b(0, publish("t", "2", 1, 2, false, false))
                    .c(0, puback(2));
                k.b(1, publish("t", "2", 1, 1, false, false))
                    .c(1, puback(1));
            },
        ),
        case(
            "retained-sent-without-retain",
            S::RetainOnRetained,
            "MQTT-3.3.1-8",
            |k| {
                k.client(1, "p")
                    .c(1, publish("t", "r", 0, 0, true, false))
                    .wait(2);
                k.subscriber(0, "s", "t", 0)
                    .b(0, publish("t", "r", 0, 0, false, false));
            },
        ),
        case(
            "live-delivery-with-retain",
            S::RetainClearOnLive,
            "MQTT-3.3.1-9",
            |k| {
                k.subscriber(0, "s", "t", 0).client(1, "p");
                k.c(1, publish("t", "r", 0, 0, true, false));
                k.b(0, publish("t", "r", 0, 0, true, false));
            },
        ),
        case(
            "messages-out-of-order",
            S::OrderedTopic,
            "MQTT-4.6.0-6",
            |k| {
                k.subscriber(0, "s", "t", 0).client(1, "p");
                k.c(1, publish("t", "1", 0, 0, false, false));
                k.c(1, publish("t", "2", 0, 0, false, false));
                k.b(0, publish("t", "2", 0, 0, false, false));
                k.b(0, publish("t", "1", 0, 0, false, false));
            },
        ),
        case(
            "will-not-published",
            S::WillOnUngracefulClose,
            "MQTT-3.1.2-8",
            |k| {
                k.subscriber(0, "s", "w", 1);
                k.open(1)
                    .c(1, connect("dies", true, 60, Some(("w", "gone", 1))))
                    .b(1, connack(false, 0))
                    .close(1, true, CloseKind::Reset)
                    .wait(2);
                // A later message on the will's topic reaches the subscriber.
                k.client(2, "p")
                    .c(2, publish("w", "back", 1, 1, false, false))
                    .b(2, puback(1))
                    .b(0, publish("w", "back", 1, 1, false, false))
                    .c(0, puback(1));
            },
        ),
        case(
            "will-after-disconnect",
            S::NoWillAfterDisconnect,
            "MQTT-3.14.4-3",
            |k| {
                k.subscriber(0, "s", "w", 0);
                k.open(1)
                    .c(1, connect("leaves", true, 60, Some(("w", "gone", 0))))
                    .b(1, connack(false, 0))
                    .c(1, disconnect())
                    .close(1, true, CloseKind::Fin)
                    .b(0, publish("w", "gone", 0, 0, false, false));
            },
        ),
        case(
            "suback-sent-by-a-client",
            S::PacketDirection,
            "§2.2.1",
            |k| {
                k.client(0, "a").c(0, suback(1, &[0]));
            },
        ),
        case(
            "v5-client-above-receive-maximum",
            S::ClientReceiveMaximum,
            "MQTT-3.3.4-7",
            |k| {
                // 5.0 CONNECT (no properties) and a CONNACK with Receive Maximum 1.
                k.open(0)
                    .c(
                        0,
                        packet(0x10, b"\x00\x04MQTT\x05\x02\x00\x3c\x00\x00\x01a"),
                    )
                    .b(0, packet(0x20, &[0, 0, 3, 0x21, 0, 1]))
                    .c(0, packet(0x32, b"\x00\x01t\x00\x01\x001"))
                    .c(0, packet(0x32, b"\x00\x01t\x00\x02\x002"))
                    .b(0, packet(0x40, &[0, 1]))
                    .b(0, packet(0x40, &[0, 2]));
            },
        ),
        case(
            "v5-expired-message-delivered",
            S::ExpiredNotDelivered,
            "MQTT-3.3.2-5",
            |k| {
                k.subscriber5(0, "s", "t", 1).client5(1, "p");
                k.c(1, publish5("t", "x", 1, 1, &prop4(0x02, 2)))
                    .b(1, puback(1))
                    .wait(5);
                k.b(0, publish5("t", "x", 1, 1, &[])).c(0, puback(1));
            },
        ),
        case(
            "v5-message-expiry-not-reduced",
            S::ExpiryReduced,
            "MQTT-3.3.2-6",
            |k| {
                k.subscriber5(0, "s", "t", 1).client5(1, "p");
                k.c(1, publish5("t", "x", 1, 1, &prop4(0x02, 60)))
                    .b(1, puback(1))
                    .wait(10);
                k.b(0, publish5("t", "x", 1, 1, &prop4(0x02, 60)))
                    .c(0, puback(1));
            },
        ),
        case(
            "v5-expired-session-resumed",
            S::SessionExpired,
            "MQTT-4.1.0-2",
            |k| {
                k.open(0)
                    .c(0, connect5("a", true, &prop4(0x11, 2), None))
                    .b(0, connack5(false))
                    .c(0, disconnect5(0))
                    .close(0, true, CloseKind::Fin)
                    .wait(5);
                k.open(1)
                    .c(1, connect5("a", false, &prop4(0x11, 2), None))
                    .b(1, connack5(true));
            },
        ),
        case(
            "v5-topic-alias-carried-forward",
            S::AliasNotCarriedForward,
            "MQTT-3.3.2-7",
            |k| {
                k.client5(0, "a")
                    .c(0, publish5("t", "1", 1, 1, &prop2(0x23, 1)))
                    .b(0, puback(1))
                    .c(0, disconnect5(0))
                    .close(0, true, CloseKind::Fin);
                k.client5(1, "a")
                    .c(1, publish5("", "2", 1, 1, &prop2(0x23, 1)))
                    .b(1, puback(1));
            },
        ),
        // The codec refuses Topic Alias 0 as malformed, naming the statement.
        case("v5-topic-alias-zero", None, "MQTT-3.3.2-8", |k| {
            k.client5(0, "a")
                .c(0, publish5("t", "1", 0, 0, &prop2(0x23, 0)));
        }),
        case(
            "v5-topic-alias-refused",
            S::ServerAcceptsAliases,
            "MQTT-3.3.2-12",
            |k| {
                k.client5(0, "a")
                    .c(0, publish5("t", "1", 0, 0, &prop2(0x23, 3)))
                    .b(0, disconnect5(0x94))
                    .close(0, false, CloseKind::Fin);
            },
        ),
        case(
            "v5-share-name-without-filter",
            S::ShareNameSyntax,
            "MQTT-4.8.2-2",
            |k| {
                k.client5(0, "a")
                    .c(0, subscribe5(1, "$share/g", 0))
                    .b(0, suback5(1, 0));
            },
        ),
        case(
            "v5-shared-delivery-above-granted-qos",
            S::SharedGrantedQos,
            "MQTT-4.8.2-3",
            |k| {
                k.subscriber5(0, "s", "$share/g/t", 0).client5(1, "p");
                k.c(1, publish5("t", "1", 1, 1, &[])).b(1, puback(1));
                k.b(0, publish5("t", "1", 1, 1, &[])).c(0, puback(1));
            },
        ),
        case(
            "v5-delayed-will-not-published",
            S::WillOnUngracefulClose,
            "MQTT-3.1.2-8",
            |k| {
                k.subscriber5(0, "s", "w", 1);
                let will: &[u8] = &prop4(0x18, 2);
                k.open(1)
                    .c(
                        1,
                        connect5("d", true, &prop4(0x11, 60), Some(("w", "gone", 1, will))),
                    )
                    .b(1, connack5(false))
                    .close(1, true, CloseKind::Reset)
                    .wait(5);
                // A later message on the will's topic reaches the subscriber.
                k.client5(2, "p")
                    .c(2, publish5("w", "back", 1, 1, &[]))
                    .b(2, puback(1))
                    .b(0, publish5("w", "back", 1, 1, &[]))
                    .c(0, puback(1));
            },
        ),
        case(
            "v5-delayed-will-after-return",
            S::WillDelayCancelled,
            "MQTT-3.1.3-9",
            |k| {
                k.subscriber5(0, "s", "w", 0);
                let will: &[u8] = &prop4(0x18, 10);
                k.open(1)
                    .c(
                        1,
                        connect5("d", true, &prop4(0x11, 60), Some(("w", "gone", 0, will))),
                    )
                    .b(1, connack5(false))
                    .close(1, true, CloseKind::Reset)
                    .wait(2);
                k.open(2)
                    .c(2, connect5("d", false, &prop4(0x11, 60), None))
                    .b(2, connack5(true))
                    .wait(10);
                k.b(0, publish5("w", "gone", 0, 0, &[]));
            },
        ),
    ]
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/capture/crafted")
}

#[test]
fn each_crafted_capture_breaks_its_one_statement() {
    let all = cases();
    let update = std::env::var_os("UPDATE_CRAFTED").is_some();
    if update {
        std::fs::create_dir_all(fixtures()).unwrap();
    }
    let mut statements = std::collections::BTreeSet::new();
    let mut index = String::new();
    for c in &all {
        let bytes = to_pcap(&c.craft.entries);
        let cap = capture::read(&bytes).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let report = Checker::check_capture(&cap);
        let musts: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Must)
            .collect();
        assert!(
            !musts.is_empty()
                && musts
                    .iter()
                    .all(|f| f.statement == c.statement && f.id == c.id),
            "{}: expected only {:?} broken\n{report}",
            c.name,
            c.statement
        );
        assert_eq!(musts[0].id, c.id, "{}: the number at its level", c.name);
        assert!(!musts[0].packets.is_empty(), "{}: no packet named", c.name);
        if let Some(s) = c.statement {
            statements.insert(s);
        }
        index.push_str(&format!("{}.pcap {}\n", c.name, c.id));
        let path = fixtures().join(format!("{}.pcap", c.name));
        if update {
            std::fs::write(&path, &bytes).unwrap();
        } else {
            let committed = std::fs::read(&path)
                .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_CRAFTED=1 writes it)", path.display()));
            assert!(
                committed == bytes,
                "{} differs from its case (UPDATE_CRAFTED=1)",
                path.display()
            );
        }
    }
    let index_path = fixtures().join("index.txt");
    if update {
        std::fs::write(&index_path, &index).unwrap();
    } else {
        assert_eq!(std::fs::read_to_string(&index_path).unwrap(), index);
    }
    assert!(
        statements.len() >= 20,
        "only {} statements",
        statements.len()
    );
}

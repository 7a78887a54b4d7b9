//! A test driver for the broker: opens connections, feeds encoded packets, moves a
//! virtual clock from deadline to deadline, and keeps what came out since the last
//! `clear()` for assertions. Nothing sleeps.

#![allow(dead_code)]

use std::time::Duration;

use bytes::Bytes;
use mqttlab_core::broker::{
    Broker, BrokerConfig, BrokerEvent, CloseReason, ConnId, Output, PeerAddr,
};
use mqttlab_core::codec::{
    Connect, LastWill, Login, Packet, Pid, Protocol, Publish, QoS, QosPid, Subscribe,
    SubscribeTopic, Unsubscribe,
};
use mqttlab_core::time::Instant;
use mqttlab_core::topic::{TopicFilter, TopicName};

/// The broker, the clock, and what the broker said since the last `clear()`.
pub struct Lab {
    pub broker: Broker,
    pub now: Instant,
    next_conn: u64,
    pub out: Vec<Output>,
}

impl Lab {
    pub fn new(config: BrokerConfig) -> Self {
        Lab {
            broker: Broker::new(config),
            now: Instant::ZERO,
            next_conn: 1,
            out: Vec::new(),
        }
    }

    fn drain(&mut self) {
        while let Some(o) = self.broker.poll_output() {
            self.out.push(o);
        }
    }

    /// Opens a connection from `ip` (the port counts up per connection).
    pub fn open(&mut self, ip: &str) -> ConnId {
        let id = ConnId(self.next_conn);
        self.next_conn += 1;
        let port = 40_000 + id.0 as u16;
        self.broker
            .handle_connection_opened(self.now, id, PeerAddr::new(ip, port));
        self.drain();
        id
    }

    /// Encodes a packet and hands its bytes to the broker.
    pub fn send(&mut self, conn: ConnId, packet: Packet) {
        let mut bytes = Vec::new();
        packet.encode(&mut bytes).expect("test packets encode");
        self.send_bytes(conn, &bytes);
    }

    pub fn send_bytes(&mut self, conn: ConnId, bytes: &[u8]) {
        self.broker.handle_bytes(self.now, conn, bytes);
        self.drain();
    }

    /// Opens a connection and sends CONNECT.
    pub fn connect_with(&mut self, ip: &str, c: Connect) -> ConnId {
        let conn = self.open(ip);
        self.send(conn, Packet::Connect(c));
        conn
    }

    /// Opens a connection and sends a clean-session CONNECT, keep alive 60.
    pub fn connect(&mut self, client_id: &str) -> ConnId {
        self.connect_with("127.0.0.1", connect(client_id))
    }

    /// The transport of `conn` took `n` more bytes (`socket_feedback`).
    pub fn sent(&mut self, conn: ConnId, n: usize) {
        self.broker.handle_sent(self.now, conn, n);
        self.drain();
    }

    /// Bytes transmitted to `conn` since the last clear.
    pub fn bytes_to(&self, conn: ConnId) -> usize {
        self.out
            .iter()
            .map(|o| match o {
                Output::Transmit(t) if t.conn == conn => t.bytes.len(),
                _ => 0,
            })
            .sum()
    }

    /// The socket closed without DISCONNECT.
    pub fn drop_conn(&mut self, conn: ConnId) {
        self.broker.handle_connection_closed(self.now, conn);
        self.drain();
    }

    /// Moves the clock forward by `d`, firing every deadline on the way.
    pub fn advance(&mut self, d: Duration) {
        let target = self.now + d;
        while let Some(t) = self.broker.poll_timeout() {
            if t > target {
                break;
            }
            self.now = t.max(self.now);
            self.broker.handle_timeout(self.now);
            self.drain();
        }
        self.now = target;
    }

    pub fn clear(&mut self) {
        self.out.clear();
    }

    /// Log lines since the last clear.
    pub fn log(&self) -> Vec<String> {
        self.out
            .iter()
            .filter_map(|o| match o {
                Output::Log(l) => Some(l.text.clone()),
                _ => None,
            })
            .collect()
    }

    /// Packets sent to `conn` (a 3.1.1 client) since the last clear.
    pub fn packets_to(&self, conn: ConnId) -> Vec<Packet> {
        self.out
            .iter()
            .filter_map(|o| match o {
                Output::Transmit(t) if t.conn == conn => match &t.packet {
                    mqttlab_core::codec::AnyPacket::V3(p) => Some(p.clone()),
                    other => panic!("a 3.1.1 packet to a 3.1.1 client, not {other}"),
                },
                _ => None,
            })
            .collect()
    }

    /// PUBLISH packets sent to `conn` since the last clear.
    pub fn publishes_to(&self, conn: ConnId) -> Vec<Publish> {
        self.packets_to(conn)
            .into_iter()
            .filter_map(|p| match p {
                Packet::Publish(p) => Some(p),
                _ => None,
            })
            .collect()
    }

    pub fn events(&self) -> Vec<BrokerEvent> {
        self.out
            .iter()
            .filter_map(|o| match o {
                Output::Event(e) => Some(e.clone()),
                _ => None,
            })
            .collect()
    }

    /// Connections the broker asked to close since the last clear.
    pub fn closed(&self) -> Vec<(ConnId, CloseReason)> {
        self.out
            .iter()
            .filter_map(|o| match o {
                Output::Close { conn, reason } => Some((*conn, reason.clone())),
                _ => None,
            })
            .collect()
    }
}

impl Default for Lab {
    fn default() -> Self {
        Lab::new(BrokerConfig::default())
    }
}

// ---- packet builders ----

pub fn connect(client_id: &str) -> Connect {
    Connect {
        protocol: Protocol::V311,
        clean_session: true,
        keep_alive: 60,
        client_id: client_id.into(),
        will: None,
        login: None,
    }
}

pub fn persistent(client_id: &str) -> Connect {
    Connect {
        clean_session: false,
        ..connect(client_id)
    }
}

pub fn with_will(mut c: Connect, topic: &str, msg: &str, qos: QoS, retain: bool) -> Connect {
    c.will = Some(LastWill {
        topic: TopicName::new(topic).unwrap(),
        message: Bytes::copy_from_slice(msg.as_bytes()),
        qos,
        retain,
    });
    c
}

pub fn with_login(mut c: Connect, user: &str, password: &str) -> Connect {
    c.login = Some(Login {
        username: user.into(),
        password: Some(Bytes::copy_from_slice(password.as_bytes())),
    });
    c
}

pub fn pid(n: u16) -> Pid {
    Pid::new(n).unwrap()
}

pub fn qos(n: u8) -> QoS {
    QoS::from_u8(n).unwrap()
}

pub fn publish(topic: &str, payload: &str, q: u8, id: u16, retain: bool) -> Packet {
    Packet::Publish(Publish {
        dup: false,
        qospid: QosPid::from_parts(qos(q), pid(id.max(1))),
        retain,
        topic: TopicName::new(topic).unwrap(),
        payload: Bytes::copy_from_slice(payload.as_bytes()),
    })
}

pub fn subscribe(id: u16, filters: &[(&str, u8)]) -> Packet {
    Packet::Subscribe(Subscribe {
        pid: pid(id),
        topics: filters
            .iter()
            .map(|(f, q)| SubscribeTopic {
                filter: TopicFilter::new(*f).unwrap(),
                qos: qos(*q),
            })
            .collect(),
    })
}

pub fn unsubscribe(id: u16, filters: &[&str]) -> Packet {
    Packet::Unsubscribe(Unsubscribe {
        pid: pid(id),
        filters: filters
            .iter()
            .map(|f| TopicFilter::new(*f).unwrap())
            .collect(),
    })
}

/// The payload of a PUBLISH as text.
pub fn text(p: &Publish) -> String {
    String::from_utf8_lossy(&p.payload).into_owned()
}

/// (dup, qos, retain, mid, topic, payload) of a PUBLISH, for compact assertions.
pub fn summary(p: &Publish) -> (bool, u8, bool, u16, String, String) {
    (
        p.dup,
        p.qos().as_u8(),
        p.retain,
        p.qospid.pid().map_or(0, |m| m.get()),
        p.topic.to_string(),
        text(p),
    )
}

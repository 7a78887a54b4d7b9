//! A classroom peer for the tests: the core's sans-IO client, MQTT 5.0, over a
//! WebSocket through `mqttlab serve`'s bridge, as the pages connect.

#![allow(dead_code)]

use std::time::{Duration, Instant as StdInstant};

use futures_util::{SinkExt, StreamExt};
use mqttlab_core::client::{Client, ClientEvent, ConnectOptions};
use mqttlab_core::codec::{PacketType, QoS};
use mqttlab_core::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// The class a `mqttlab serve --classroom` printed.
#[derive(Debug, Clone)]
pub struct Class {
    /// `host:port` of the server.
    pub addr: String,
    /// The teacher's token.
    pub token: String,
    /// The room code.
    pub code: String,
    /// The room's name.
    pub room: String,
}

impl Class {
    /// Reads the token and code from `mqttlab serve --classroom`'s lines.
    pub fn from_banner(addr: String, code_line: &str, teacher_line: &str, room: &str) -> Class {
        let code = code_line.rsplit(' ').next().unwrap().trim().to_string();
        let token = teacher_line
            .split("token=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap()
            .trim()
            .to_string();
        Class {
            addr,
            token,
            code,
            room: room.into(),
        }
    }
}

/// What a connection attempt came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// CONNACK accepted.
    Accepted,
    /// CONNACK refused with this reason code.
    Refused(u8),
    /// The socket closed first: its close code and reason.
    Closed(u16, String),
}

/// One peer.
pub struct Peer {
    ws: Ws,
    pub client: Client,
    t0: StdInstant,
    pub messages: std::collections::VecDeque<(String, Vec<u8>, bool)>,
    acks: Vec<(PacketType, u16, Vec<u8>)>,
}

impl Peer {
    fn now(&self) -> Instant {
        Instant::from_micros(self.t0.elapsed().as_micros() as u64)
    }

    /// Opens `ws://ADDR/mqtt/UPSTREAM` and connects with `options`.
    pub async fn connect(
        addr: &str,
        upstream: &str,
        options: ConnectOptions,
    ) -> (Option<Peer>, Outcome) {
        let mut req = format!("ws://{addr}/mqtt/{upstream}")
            .into_client_request()
            .unwrap();
        req.headers_mut()
            .insert("sec-websocket-protocol", HeaderValue::from_static("mqtt"));
        let (ws, _) = tokio_tungstenite::connect_async(req)
            .await
            .expect("the WebSocket opens");
        let mut p = Peer {
            ws,
            client: Client::new(),
            t0: StdInstant::now(),
            messages: Default::default(),
            acks: Vec::new(),
        };
        let now = p.now();
        p.client.connect(now, options).unwrap();
        p.flush().await;
        loop {
            match p.read_once(Duration::from_secs(10)).await {
                Err(outcome) => return (None, outcome),
                Ok(events) => {
                    for e in events {
                        match e {
                            ClientEvent::Connected { .. } => return (Some(p), Outcome::Accepted),
                            ClientEvent::ConnectionRefusedV5(r) => {
                                return (None, Outcome::Refused(r.as_u8()))
                            }
                            ClientEvent::ConnectionRefused(r) => {
                                return (None, Outcome::Refused(r as u8))
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
    }

    async fn flush(&mut self) {
        while let Some(t) = self.client.poll_transmit() {
            self.ws.send(Message::Binary(t.bytes.into())).await.unwrap();
        }
    }

    /// Sends what the client queued; a socket the server closed (a flood cut
    /// off) takes nothing more, and that is no failure.
    async fn try_flush(&mut self) {
        while let Some(t) = self.client.poll_transmit() {
            if self.ws.send(Message::Binary(t.bytes.into())).await.is_err() {
                return;
            }
        }
    }

    /// Reads one WebSocket message and returns the client's events (messages
    /// and acknowledgements are also kept), or how the socket closed.
    async fn read_once(&mut self, within: Duration) -> Result<Vec<ClientEvent>, Outcome> {
        let next = tokio::time::timeout(within, self.ws.next()).await;
        let now = self.now();
        match next {
            Err(_) => Ok(Vec::new()),
            Ok(Some(Ok(Message::Binary(b)))) => {
                self.client.handle_bytes(now, &b);
                self.flush().await;
                let mut events = Vec::new();
                while let Some(e) = self.client.poll_event() {
                    match &e {
                        ClientEvent::Message(m) => self.messages.push_back((
                            m.topic.as_str().to_string(),
                            m.payload.to_vec(),
                            m.retain,
                        )),
                        ClientEvent::Acknowledged {
                            packet, pid, codes, ..
                        } => self.acks.push((*packet, pid.get(), codes.clone())),
                        _ => {}
                    }
                    events.push(e);
                }
                self.flush().await;
                Ok(events)
            }
            Ok(Some(Ok(Message::Close(f)))) => Err(Outcome::Closed(
                f.as_ref().map_or(1005, |f| f.code.into()),
                f.map(|f| f.reason.to_string()).unwrap_or_default(),
            )),
            Ok(Some(Ok(_))) => Ok(Vec::new()),
            Ok(Some(Err(_)) | None) => Err(Outcome::Closed(1006, String::new())),
        }
    }

    async fn ack(&mut self, packet: PacketType, pid: u16) -> Vec<u8> {
        let deadline = StdInstant::now() + Duration::from_secs(10);
        loop {
            if let Some(i) = self
                .acks
                .iter()
                .position(|(p, id, _)| *p == packet && *id == pid)
            {
                return self.acks.remove(i).2;
            }
            assert!(StdInstant::now() < deadline, "no {packet:?} for m{pid}");
            self.read_once(Duration::from_millis(200))
                .await
                .expect("connection stays open");
        }
    }

    /// Publishes at QoS 1; the PUBACK's reason code.
    pub async fn publish(&mut self, topic: &str, payload: &[u8], retain: bool) -> u8 {
        let now = self.now();
        let pid = self
            .client
            .publish(now, topic, payload.to_vec(), QoS::AtLeastOnce, retain)
            .unwrap()
            .unwrap();
        self.flush().await;
        self.ack(PacketType::Puback, pid.get()).await[0]
    }

    /// Publishes at QoS 1 without waiting for the PUBACK (nor failing if the
    /// server has closed the socket).
    pub async fn publish_nowait(&mut self, topic: &str, payload: &[u8], retain: bool) {
        let now = self.now();
        let _ = self
            .client
            .publish(now, topic, payload.to_vec(), QoS::AtLeastOnce, retain);
        self.try_flush().await;
    }

    /// Publishes at QoS 0: nothing to wait for, and no in-flight window
    /// (a QoS 1 flood would stop at the broker's Receive Maximum, 20).
    pub async fn publish_qos0(&mut self, topic: &str, payload: &[u8], retain: bool) {
        let now = self.now();
        let _ = self
            .client
            .publish(now, topic, payload.to_vec(), QoS::AtMostOnce, retain);
        self.try_flush().await;
    }

    /// Subscribes at QoS 1; the SUBACK's reason codes.
    pub async fn subscribe(&mut self, filters: &[&str]) -> Vec<u8> {
        let now = self.now();
        let f: Vec<(&str, QoS)> = filters.iter().map(|f| (*f, QoS::AtLeastOnce)).collect();
        let pid = self.client.subscribe(now, &f).unwrap();
        self.flush().await;
        self.ack(PacketType::Suback, pid.get()).await
    }

    /// The next message on a topic for which `want` holds, within `within`.
    pub async fn message(
        &mut self,
        within: Duration,
        want: impl Fn(&str, &[u8]) -> bool,
    ) -> Option<(String, Vec<u8>, bool)> {
        let deadline = StdInstant::now() + within;
        loop {
            if let Some(i) = self.messages.iter().position(|(t, p, _)| want(t, p)) {
                return self.messages.remove(i);
            }
            let left = deadline.saturating_duration_since(StdInstant::now());
            if left.is_zero() {
                return None;
            }
            if self
                .read_once(left.min(Duration::from_millis(200)))
                .await
                .is_err()
            {
                return None;
            }
        }
    }

    /// Sends raw bytes on the socket (garbage, for the tests).
    pub async fn send_raw(&mut self, bytes: Vec<u8>) {
        let _ = self.ws.send(Message::Binary(bytes.into())).await;
    }

    /// Waits for the broker's DISCONNECT (MQTT 5.0); its reason code, `None`
    /// if the socket closed without one or nothing came within `within`.
    pub async fn disconnected_by_server(&mut self, within: Duration) -> Option<u8> {
        let deadline = StdInstant::now() + within;
        while StdInstant::now() < deadline {
            match self.read_once(Duration::from_millis(200)).await {
                Err(_) => return None,
                Ok(events) => {
                    for e in events {
                        if let ClientEvent::Disconnected {
                            reason: mqttlab_core::client::DisconnectReason::ByServer(code),
                        } = e
                        {
                            return Some(code);
                        }
                    }
                }
            }
        }
        None
    }

    /// Waits for the socket to close; its close code.
    pub async fn closed(&mut self, within: Duration) -> Option<Outcome> {
        let deadline = StdInstant::now() + within;
        while StdInstant::now() < deadline {
            if let Err(o) = self.read_once(Duration::from_millis(200)).await {
                return Some(o);
            }
        }
        None
    }
}

/// A student's connect options: user `student`, the room code, an identifier.
pub fn student(class: &Class, id: &str) -> ConnectOptions {
    ConnectOptions::new(id)
        .v5(Vec::new())
        .keep_alive(60)
        .login("student", Some(class.code.clone().into_bytes().into()))
}

/// The teacher's: user `teacher`, the token.
pub fn teacher(_class: &Class, token: &str) -> ConnectOptions {
    ConnectOptions::new("teacher-test")
        .v5(Vec::new())
        .keep_alive(60)
        .login("teacher", Some(token.as_bytes().to_vec().into()))
}

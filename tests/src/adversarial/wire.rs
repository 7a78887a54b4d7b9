//! A blocking MQTT 3.1.1 connection for the adversarial cases: packets built with
//! the core's codec, every read bounded by a timeout.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use bytes::Bytes;
use mqttlab_core::codec::{
    Connect, Decoder, Packet, Pid, Protocol, Publish, QoS, QosPid, Subscribe, SubscribeTopic,
};
use mqttlab_core::topic::{TopicFilter, TopicName};

/// How long connecting, CONNACK and SUBACK may take, even on a broker under attack.
pub const HANDSHAKE: Duration = Duration::from_secs(10);

/// What went wrong on a connection.
#[derive(Debug)]
pub enum WireError {
    /// The socket failed or closed.
    Io(std::io::Error),
    /// The broker sent bytes that are not MQTT 3.1.1.
    Decode(mqttlab_core::codec::DecodeError),
    /// The broker closed the connection.
    Closed,
    /// Not the packet expected, or none in time.
    Unexpected(String),
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WireError::Io(e) => write!(f, "socket: {e}"),
            WireError::Decode(e) => write!(f, "broker sent bad bytes: {e}"),
            WireError::Closed => f.write_str("the broker closed the connection"),
            WireError::Unexpected(what) => f.write_str(what),
        }
    }
}

impl From<std::io::Error> for WireError {
    fn from(e: std::io::Error) -> Self {
        WireError::Io(e)
    }
}

/// The loopback address of a broker's port.
pub fn addr(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// A CONNECT for MQTT 3.1.1.
pub fn connect_packet(client_id: &str, clean: bool, keep_alive: u16) -> Packet {
    Packet::Connect(Connect {
        protocol: Protocol::V311,
        clean_session: clean,
        keep_alive,
        client_id: client_id.into(),
        will: None,
        login: None,
    })
}

/// A PUBLISH of `payload` on `topic`; `pid` is ignored at QoS 0.
pub fn publish_packet(
    topic: &TopicName,
    qos: QoS,
    pid: u16,
    retain: bool,
    payload: Bytes,
) -> Packet {
    Packet::Publish(Publish {
        dup: false,
        qospid: QosPid::from_parts(qos, Pid::new(pid.max(1)).expect("non-zero")),
        retain,
        topic: topic.clone(),
        payload,
    })
}

/// The bytes of `p`.
pub fn encode(p: &Packet) -> Vec<u8> {
    let mut out = Vec::with_capacity(p.encoded_len());
    p.encode(&mut out)
        .expect("the codec encodes what it builds");
    out
}

/// A connected MQTT client on a blocking socket.
pub struct Conn {
    pub tcp: TcpStream,
    dec: Decoder,
    buf: Vec<u8>,
}

impl Conn {
    /// Wraps a TCP connection already open.
    pub fn over(tcp: TcpStream) -> Conn {
        tcp.set_nodelay(true).ok();
        Conn {
            tcp,
            dec: Decoder::new(1 << 24),
            buf: vec![0; 64 * 1024],
        }
    }

    /// Connects to the broker on `port` as `client_id` and waits for CONNACK 0.
    pub fn open(port: u16, client_id: &str, clean: bool) -> Result<Conn, WireError> {
        let tcp = TcpStream::connect_timeout(&addr(port), HANDSHAKE)?;
        let mut c = Conn::over(tcp);
        c.handshake(client_id, clean)?;
        Ok(c)
    }

    /// Sends CONNECT and waits for an accepting CONNACK.
    pub fn handshake(&mut self, client_id: &str, clean: bool) -> Result<(), WireError> {
        self.send(&connect_packet(client_id, clean, 0))?;
        match self.recv(HANDSHAKE)? {
            Some(Packet::Connack(c)) if c.code.as_u8() == 0 => Ok(()),
            other => Err(WireError::Unexpected(format!(
                "{client_id}: expected CONNACK 0, got {other:?}"
            ))),
        }
    }

    /// Subscribes to one filter and waits for its SUBACK.
    pub fn subscribe(&mut self, filter: &str, qos: QoS) -> Result<(), WireError> {
        self.send(&Packet::Subscribe(Subscribe {
            pid: Pid::FIRST,
            topics: vec![SubscribeTopic {
                filter: TopicFilter::new(filter).expect("a valid filter"),
                qos,
            }],
        }))?;
        let end = Instant::now() + HANDSHAKE;
        loop {
            match self.recv(end.saturating_duration_since(Instant::now()))? {
                Some(Packet::Suback(_)) => return Ok(()),
                // Retained messages or others' messages may come first? Not
                // before the SUBACK (MQTT-3.8.4-4), but a resumed session's may.
                Some(Packet::Publish(_)) => {}
                other => {
                    return Err(WireError::Unexpected(format!(
                        "expected SUBACK, got {other:?}"
                    )))
                }
            }
        }
    }

    /// Writes one packet.
    pub fn send(&mut self, p: &Packet) -> Result<(), WireError> {
        self.tcp.write_all(&encode(p))?;
        Ok(())
    }

    /// The next packet within `within`; `Ok(None)` if none came in time.
    pub fn recv(&mut self, within: Duration) -> Result<Option<Packet>, WireError> {
        let end = Instant::now() + within;
        loop {
            if let Some(p) = self.dec.next_packet().map_err(WireError::Decode)? {
                return Ok(Some(p));
            }
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            self.tcp
                .set_read_timeout(Some(left.max(Duration::from_micros(100))))?;
            match self.tcp.read(&mut self.buf) {
                Ok(0) => return Err(WireError::Closed),
                Ok(n) => self.dec.push(&self.buf[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return Ok(None)
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

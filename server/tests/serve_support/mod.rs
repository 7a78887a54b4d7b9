//! Processes and clients for the `mqttlab serve` tests: a real mosquitto, the
//! built `mqttlab serve`, and a WebSocket MQTT client writing real bytes. Every
//! process is killed when its handle drops; every server binds 127.0.0.1.

#![allow(dead_code)] // each test crate uses a different part

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use mqttlab_core::codec::{
    Connect, Decoder, Packet, Pid, Protocol, Publish, QoS, QosPid, Subscribe, SubscribeTopic,
};
use mqttlab_core::topic::{TopicFilter, TopicName};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A port nothing listens on right now (there is a small race until it is used).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind 127.0.0.1:0")
        .local_addr()
        .unwrap()
        .port()
}

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(what: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "mqttlab-{what}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A child process killed on drop.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Debian's mosquitto on a loopback port.
pub struct Mosquitto {
    pub port: u16,
    _proc: Proc,
    _dir: TempDir,
}

impl Mosquitto {
    pub fn start() -> Mosquitto {
        let dir = TempDir::new("mosquitto");
        let port = free_port();
        let conf = dir.0.join("mosquitto.conf");
        std::fs::write(
            &conf,
            format!("listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"),
        )
        .unwrap();
        let child = Command::new("mosquitto")
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mosquitto is installed (apt-get install mosquitto)");
        let proc = Proc(child);
        wait_for_port(port);
        Mosquitto {
            port,
            _proc: proc,
            _dir: dir,
        }
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Publishes with Debian's `mosquitto_pub`, straight to this broker.
    pub fn mosquitto_pub(&self, topic: &str, message: &str) {
        let status = Command::new("mosquitto_pub")
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-t", topic, "-m", message, "-q", "1"])
            .status()
            .expect("mosquitto_pub is installed");
        assert!(status.success(), "mosquitto_pub failed: {status}");
    }
}

fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "nothing listens on port {port} after 10 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `mqttlab serve` on a free loopback port.
pub struct Serve {
    pub addr: SocketAddr,
    stderr: Arc<Mutex<Vec<String>>>,
    stdout: Arc<Mutex<Vec<String>>>,
    _proc: Proc,
}

impl Serve {
    /// Starts `mqttlab serve --listen 127.0.0.1:0 ARGS` and waits for its banner.
    pub fn start(args: &[&str]) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mqttlab"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run mqttlab serve");
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        let proc = Proc(child);
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let (tx, rx) = mpsc::channel();
        let out = Arc::new(Mutex::new(Vec::new()));
        let out_sink = out.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                out_sink.lock().unwrap().push(line.clone());
                if let Some(rest) = line.strip_prefix("mqttlab serve: listening on http://") {
                    let addr = rest.split('/').next().unwrap().to_owned();
                    let _ = tx.send(addr);
                }
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(addr) => addr.parse().unwrap(),
            Err(_) => panic!(
                "mqttlab serve printed no banner in 10 s; stderr: {:?}",
                lines.lock().unwrap()
            ),
        };
        Serve {
            addr,
            stderr: lines,
            stdout: out,
            _proc: proc,
        }
    }

    /// Waits (up to 5 s) for a line on stdout containing `part`.
    pub fn wait_stdout(&self, part: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(l) = self
                .stdout
                .lock()
                .unwrap()
                .iter()
                .find(|l| l.contains(part))
            {
                return l.clone();
            }
            assert!(
                Instant::now() < deadline,
                "no stdout line with {part:?} in {:#?}",
                self.stdout.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The process id, to read its memory from /proc.
    pub fn pid(&self) -> u32 {
        self._proc.0.id()
    }

    pub fn url(&self, path: &str) -> String {
        format!("ws://{}{path}", self.addr)
    }

    /// The log lines so far.
    pub fn log(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits (up to 5 s) for a log line containing all of `parts`.
    pub async fn wait_log(&self, parts: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(line) = self
                .log()
                .into_iter()
                .find(|l| parts.iter().all(|p| l.contains(p)))
            {
                return line;
            }
            assert!(
                Instant::now() < deadline,
                "no log line with {parts:?} in {:#?}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `GET path` over plain HTTP/1.0: (status, content-type, body).
    pub fn get(&self, path: &str) -> (u16, String, Vec<u8>) {
        use std::io::{Read, Write};
        let mut s = TcpStream::connect(self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        write!(s, "GET {path} HTTP/1.0\r\nHost: {}\r\n\r\n", self.addr).unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("HTTP response has a header end");
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        let content_type = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-type:")
                    .map(|v| v.trim().to_owned())
            })
            .unwrap_or_default();
        (status, content_type, raw[split + 4..].to_vec())
    }
}

pub type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// How a WebSocket handshake ended when it did not open.
#[derive(Debug)]
pub struct Refused {
    pub status: u16,
    pub body: String,
}

/// Opens a WebSocket to `url`, offering `protocol` (if any) and sending `origin`.
pub async fn open_ws(
    url: &str,
    protocol: Option<&str>,
    origin: Option<&str>,
) -> Result<Ws, Refused> {
    let mut request = url.into_client_request().unwrap();
    if let Some(p) = protocol {
        request
            .headers_mut()
            .insert("sec-websocket-protocol", HeaderValue::from_str(p).unwrap());
    }
    if let Some(o) = origin {
        request
            .headers_mut()
            .insert("origin", HeaderValue::from_str(o).unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((ws, response)) => {
            if let Some(p) = protocol {
                assert_eq!(
                    response
                        .headers()
                        .get("sec-websocket-protocol")
                        .map(|v| v.to_str().unwrap()),
                    Some(p),
                    "the server echoes the subprotocol"
                );
            }
            Ok(ws)
        }
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(Refused {
            status: response.status().as_u16(),
            body: String::from_utf8_lossy(response.body().as_deref().unwrap_or_default())
                .to_string(),
        }),
        Err(e) => panic!("WebSocket handshake to {url} failed: {e}"),
    }
}

/// An MQTT client over a WebSocket, writing bytes from the core codec.
pub struct MqttWs {
    pub ws: Ws,
    decoder: Decoder,
}

/// The close frame the server sent: (code, reason).
pub type Closed = (u16, String);

impl MqttWs {
    /// Opens `ws://…/mqtt/<name>` with subprotocol `mqtt`.
    pub async fn open(serve: &Serve, name: &str) -> MqttWs {
        let ws = open_ws(&serve.url(&format!("/mqtt/{name}")), Some("mqtt"), None)
            .await
            .unwrap_or_else(|r| panic!("refused: {r:?}"));
        MqttWs::from_ws(ws)
    }

    pub fn from_ws(ws: Ws) -> MqttWs {
        MqttWs {
            ws,
            decoder: Decoder::new(1 << 20),
        }
    }

    pub async fn send_bytes(&mut self, bytes: Vec<u8>) {
        self.ws.send(Message::Binary(bytes.into())).await.unwrap();
    }

    pub async fn send(&mut self, packet: &Packet) {
        self.send_bytes(encode(packet)).await;
    }

    /// The next MQTT packet from the broker (10 s at most).
    pub async fn recv(&mut self) -> Packet {
        match tokio::time::timeout(Duration::from_secs(10), self.recv_or_close()).await {
            Ok(Ok(p)) => p,
            Ok(Err(closed)) => panic!("closed instead of a packet: {closed:?}"),
            Err(_) => panic!("no packet within 10 s"),
        }
    }

    /// The next packet, or the close frame if the server closes first.
    pub async fn recv_or_close(&mut self) -> Result<Packet, Closed> {
        loop {
            if let Some(p) = self.decoder.next_packet().expect("broker bytes decode") {
                return Ok(p);
            }
            match self.ws.next().await {
                Some(Ok(Message::Binary(b))) => self.decoder.push(&b),
                Some(Ok(Message::Close(Some(f)))) => {
                    return Err((u16::from(f.code), f.reason.to_string()))
                }
                Some(Ok(Message::Close(None))) => return Err((1005, String::new())),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err((1006, format!("error: {e}"))),
                None => return Err((1006, "ended".into())),
            }
        }
    }

    /// Waits (10 s at most) for the server's close frame; packets before it are dropped.
    pub async fn closed(&mut self) -> Closed {
        let wait = async {
            loop {
                if let Err(closed) = self.recv_or_close().await {
                    return closed;
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(10), wait)
            .await
            .expect("the server closes within 10 s")
    }

    /// CONNECT, then expect CONNACK accepted.
    pub async fn connect(&mut self, client_id: &str) {
        self.send(&connect_packet(client_id)).await;
        match self.recv().await {
            Packet::Connack(c) => {
                assert_eq!(c.code, mqttlab_core::codec::ConnectReturnCode::Accepted)
            }
            other => panic!("expected CONNACK, got {other}"),
        }
    }

    /// SUBSCRIBE at QoS 1, then expect its SUBACK.
    pub async fn subscribe(&mut self, filter: &str) {
        self.send(&subscribe_packet(filter, 1)).await;
        match self.recv().await {
            Packet::Suback(_) => {}
            other => panic!("expected SUBACK, got {other}"),
        }
    }
}

pub fn encode(packet: &Packet) -> Vec<u8> {
    let mut out = Vec::new();
    packet.encode(&mut out).unwrap();
    out
}

pub fn connect_packet(client_id: &str) -> Packet {
    Packet::Connect(Connect {
        protocol: Protocol::V311,
        clean_session: true,
        keep_alive: 60,
        client_id: client_id.into(),
        will: None,
        login: None,
    })
}

pub fn subscribe_packet(filter: &str, pid: u16) -> Packet {
    Packet::Subscribe(Subscribe {
        pid: Pid::new(pid).unwrap(),
        topics: vec![SubscribeTopic {
            filter: TopicFilter::new(filter).unwrap(),
            qos: QoS::AtLeastOnce,
        }],
    })
}

pub fn publish_packet(topic: &str, payload: &[u8]) -> Packet {
    Packet::Publish(Publish {
        dup: false,
        qospid: QosPid::AtMostOnce,
        retain: false,
        topic: TopicName::new(topic).unwrap(),
        payload: Bytes::copy_from_slice(payload),
    })
}

/// The payload of a PUBLISH, or a panic naming what came instead.
pub fn payload_of(packet: &Packet) -> (&str, &[u8]) {
    match packet {
        Packet::Publish(p) => (p.topic.as_str(), &p.payload),
        other => panic!("expected PUBLISH, got {other}"),
    }
}

//! Throughput of the `mqttlab serve` bridge against direct TCP to mosquitto, with
//! the same load generator: one publisher and one subscriber on `bench/#`, QoS 0,
//! one PUBLISH per write (per WebSocket frame through the bridge, as a page's
//! client sends them), at most `WINDOW` messages in flight. Ignored by default;
//! figures are only meaningful from a release build:
//!
//! ```text
//! cargo test --release -p mqttlab-server --test bridge_throughput -- --ignored --nocapture
//! ```
//!
//! `BRIDGE_BENCH_MESSAGES` (default 50000) and `BRIDGE_BENCH_SIZE` (payload bytes,
//! default 64) change the load.

mod serve_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use mqttlab_core::codec::{Decoder, Packet};
use serve_support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message;

const WINDOW: usize = 256;

/// A byte link to the broker: TCP or a WebSocket through the bridge.
enum Link {
    Tcp(TcpStream),
    Ws(Box<Ws>),
}

impl Link {
    async fn open(transport: &Transport) -> Link {
        match transport {
            Transport::Tcp(port) => {
                let s = TcpStream::connect(("127.0.0.1", *port)).await.unwrap();
                s.set_nodelay(true).unwrap();
                Link::Tcp(s)
            }
            Transport::Bridge(url) => Link::Ws(Box::new(
                open_ws(url, Some("mqtt"), None)
                    .await
                    .expect("bridge opens"),
            )),
        }
    }

    async fn send(&mut self, bytes: Vec<u8>) {
        match self {
            Link::Tcp(s) => s.write_all(&bytes).await.unwrap(),
            Link::Ws(ws) => ws.send(Message::Binary(bytes.into())).await.unwrap(),
        }
    }

    /// Feeds the next bytes from the broker into `decoder`.
    async fn recv(&mut self, decoder: &mut Decoder) {
        match self {
            Link::Tcp(s) => {
                let mut buf = [0u8; 16 * 1024];
                let n = s.read(&mut buf).await.unwrap();
                assert!(n > 0, "broker closed the connection");
                decoder.push(&buf[..n]);
            }
            Link::Ws(ws) => match ws.next().await {
                Some(Ok(Message::Binary(b))) => decoder.push(&b),
                Some(Ok(Message::Close(f))) => panic!("bridge closed: {f:?}"),
                Some(Ok(_)) => {}
                other => panic!("bridge link ended: {other:?}"),
            },
        }
    }

    async fn packet(&mut self, decoder: &mut Decoder) -> Packet {
        loop {
            if let Some(p) = decoder.next_packet().unwrap() {
                return p;
            }
            self.recv(decoder).await;
        }
    }

    async fn connect(transport: &Transport, client_id: &str) -> (Link, Decoder) {
        let mut link = Link::open(transport).await;
        let mut decoder = Decoder::new(1 << 20);
        link.send(encode(&connect_packet(client_id))).await;
        assert!(matches!(
            link.packet(&mut decoder).await,
            Packet::Connack(_)
        ));
        (link, decoder)
    }
}

enum Transport {
    Tcp(u16),
    Bridge(String),
}

/// Messages per second from publisher to subscriber over `transport`.
async fn run(transport: &Transport, messages: usize, size: usize) -> f64 {
    let (mut sub, mut sub_decoder) = Link::connect(transport, "bench-sub").await;
    sub.send(encode(&subscribe_packet("bench/#", 1))).await;
    assert!(matches!(
        sub.packet(&mut sub_decoder).await,
        Packet::Suback(_)
    ));
    let (mut publisher, _) = Link::connect(transport, "bench-pub").await;

    let window = Arc::new(Semaphore::new(WINDOW));
    let credits = window.clone();
    let started = Instant::now();
    let publish = tokio::spawn(async move {
        let bytes = encode(&publish_packet("bench/x", &vec![b'x'; size]));
        for _ in 0..messages {
            credits.acquire().await.unwrap().forget();
            publisher.send(bytes.clone()).await;
        }
        publisher
    });
    let mut received = 0;
    while received < messages {
        match sub.packet(&mut sub_decoder).await {
            Packet::Publish(_) => {
                received += 1;
                window.add_permits(1);
            }
            other => panic!("subscriber got {other}"),
        }
    }
    let elapsed = started.elapsed();
    let mut publisher = publish.await.unwrap();
    publisher.send(encode(&Packet::Disconnect)).await;
    sub.send(encode(&Packet::Disconnect)).await;
    messages as f64 / elapsed.as_secs_f64()
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
#[ignore = "a benchmark: run with --release -- --ignored --nocapture"]
fn bridge_throughput_against_direct_tcp() {
    let messages = env_or("BRIDGE_BENCH_MESSAGES", 50_000);
    let size = env_or("BRIDGE_BENCH_SIZE", 64);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let mosquitto = Mosquitto::start();
            let serve = Serve::start(&["--bridge", &format!("local={}", mosquitto.address())]);
            let tcp = Transport::Tcp(mosquitto.port);
            let bridge = Transport::Bridge(serve.url("/mqtt/local"));
            let bounded = |t| tokio::time::timeout(Duration::from_secs(120), t);
            // A warm-up of each, then the measured runs, alternating.
            bounded(run(&tcp, messages / 10, size)).await.unwrap();
            bounded(run(&bridge, messages / 10, size)).await.unwrap();
            let mut direct = Vec::new();
            let mut bridged = Vec::new();
            for _ in 0..3 {
                direct.push(bounded(run(&tcp, messages, size)).await.unwrap());
                bridged.push(bounded(run(&bridge, messages, size)).await.unwrap());
            }
            let best = |v: &[f64]| v.iter().cloned().fold(0.0, f64::max);
            println!("{messages} PUBLISH QoS 0, {size}-byte payload, window {WINDOW}, best of 3:");
            println!(
                "  direct TCP to mosquitto:       {:>9.0} msg/s  (runs {direct:.0?})",
                best(&direct)
            );
            println!(
                "  through mqttlab serve bridge:  {:>9.0} msg/s  (runs {bridged:.0?})",
                best(&bridged)
            );
            println!(
                "  bridge / direct:               {:>9.2}",
                best(&bridged) / best(&direct)
            );
        });
}

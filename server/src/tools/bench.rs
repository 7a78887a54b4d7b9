//! `mqttlab bench`: a load generator for any MQTT 3.1.1 broker, built on the core
//! client. Scenarios: fan-in (many publishers, one subscriber), fan-out (one
//! publisher, many subscribers), each at QoS 0 and 1, and a connection storm. It
//! prints throughput and latency percentiles per broker and, given several
//! `--target`s, each one's ratio to the first.
//!
//! Latency is end to end: the publisher writes the time it published into the
//! first 8 bytes of the payload; the subscriber subtracts it from the time the
//! message arrives (one process, one clock).

use std::sync::OnceLock;
use std::time::Duration;

use clap::Args;
use mqttlab_core::client::{ClientEvent, ConnectOptions};
use mqttlab_core::codec::QoS;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant as TokioInstant;

use super::conn::{Conn, Wait};

/// `mqttlab bench` flags.
#[derive(Args, Debug, Clone)]
pub struct BenchArgs {
    /// A broker to load, as NAME=HOST:PORT (repeat to compare brokers; the first is
    /// the reference of the ratios).
    #[arg(long = "target", default_value = "broker=127.0.0.1:1883")]
    targets: Vec<String>,
    /// Scenarios, comma separated: fan-in, fan-out, storm.
    #[arg(long, value_delimiter = ',', default_value = "fan-in,fan-out,storm")]
    scenarios: Vec<String>,
    /// QoS levels for fan-in and fan-out, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "0,1")]
    qos: Vec<u8>,
    /// Publishers in fan-in, subscribers in fan-out.
    #[arg(long, default_value_t = 10)]
    clients: u32,
    /// Messages each publisher sends.
    #[arg(long, default_value_t = 2000)]
    messages: u32,
    /// Payload size in bytes (at least 8, for the timestamp).
    #[arg(long, default_value_t = 64)]
    size: usize,
    /// Connections opened at once in the storm.
    #[arg(long, default_value_t = 200)]
    storm: u32,
    /// QoS 1 messages a publisher keeps in flight.
    #[arg(long, default_value_t = 20)]
    window: u16,
    /// Seconds each run may take before it is cut short.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
}

/// One run's figures.
#[derive(Debug, Clone)]
struct Figures {
    label: String,
    expected: u64,
    received: u64,
    elapsed: Duration,
    /// Latencies in microseconds, sorted.
    latencies: Vec<u64>,
}

impl Figures {
    fn rate(&self) -> f64 {
        self.received as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn pct(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[i.min(self.latencies.len() - 1)] as f64 / 1000.0
    }

    fn print(&self, target: &str) {
        println!(
            "{target:<12} {:<14} {:>8}/{:<8} {:>7.3} s {:>10.0} /s   p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
            self.label,
            self.received,
            self.expected,
            self.elapsed.as_secs_f64(),
            self.rate(),
            self.pct(0.5),
            self.pct(0.99),
            self.pct(1.0),
        );
    }
}

fn origin() -> std::time::Instant {
    static ORIGIN: OnceLock<std::time::Instant> = OnceLock::new();
    *ORIGIN.get_or_init(std::time::Instant::now)
}

fn stamp() -> u64 {
    u64::try_from(origin().elapsed().as_micros()).unwrap_or(u64::MAX)
}

/// Runs `mqttlab bench` and returns the exit code.
pub fn run(args: BenchArgs) -> i32 {
    let mut targets = Vec::new();
    for t in &args.targets {
        let parsed = t.split_once('=').and_then(|(name, addr)| {
            let (host, port) = addr.rsplit_once(':')?;
            Some((
                name.to_string(),
                host.to_string(),
                port.parse::<u16>().ok()?,
            ))
        });
        match parsed {
            Some(x) => targets.push(x),
            None => {
                eprintln!("Error: --target '{t}' is not NAME=HOST:PORT");
                return 1;
            }
        }
    }
    if args.size < 8 {
        eprintln!("Error: --size must be at least 8 (the timestamp)");
        return 1;
    }
    origin();
    super::block_on(async move {
        // results[target][run]
        let mut results: Vec<Vec<Figures>> = Vec::new();
        for (name, host, port) in &targets {
            let mut mine = Vec::new();
            for scenario in &args.scenarios {
                let qos_list: Vec<u8> = if scenario == "storm" {
                    vec![0]
                } else {
                    args.qos.clone()
                };
                for q in qos_list {
                    let Some(qos) = QoS::from_u8(q) else {
                        eprintln!("Error: invalid QoS {q}");
                        return 1;
                    };
                    let r = match scenario.as_str() {
                        "fan-in" => fan(host, *port, &args, qos, args.clients, 1).await,
                        "fan-out" => fan(host, *port, &args, qos, 1, args.clients).await,
                        "storm" => storm(host, *port, &args).await,
                        other => {
                            eprintln!("Error: unknown scenario '{other}' (fan-in, fan-out, storm)");
                            return 1;
                        }
                    };
                    match r {
                        Ok(f) => {
                            f.print(name);
                            mine.push(f);
                        }
                        Err(e) => {
                            eprintln!("{name}: {scenario} q{q}: {e}");
                            return 1;
                        }
                    }
                }
            }
            results.push(mine);
        }
        if results.len() > 1 {
            println!();
            let base = &results[0];
            for (i, (name, _, _)) in targets.iter().enumerate().skip(1) {
                for (a, b) in base.iter().zip(&results[i]) {
                    println!(
                        "{name} / {}  {:<14} throughput x{:.2}   p99 latency x{:.2}",
                        targets[0].0,
                        a.label,
                        b.rate() / a.rate().max(1e-9),
                        b.pct(0.99) / a.pct(0.99),
                    );
                }
            }
        }
        0
    })
}

async fn connected(host: &str, port: u16, id: String) -> anyhow::Result<Conn> {
    let opts = ConnectOptions::new(id).keep_alive(60);
    let mut conn = Conn::open_quiet(host, port, opts).await?;
    loop {
        match conn.next(None).await? {
            Wait::Event(ClientEvent::Connected { .. }) => return Ok(conn),
            Wait::Event(ClientEvent::ConnectionRefused(c)) => anyhow::bail!("refused: {c}"),
            Wait::Event(ClientEvent::Disconnected { reason }) => anyhow::bail!("{reason}"),
            _ => {}
        }
    }
}

/// `publishers` publish `messages` each to one topic; `subscribers` receive all.
async fn fan(
    host: &str,
    port: u16,
    args: &BenchArgs,
    qos: QoS,
    publishers: u32,
    subscribers: u32,
) -> anyhow::Result<Figures> {
    let tag = format!("{}-{}", std::process::id(), stamp());
    let topic = format!("mqttlab/bench/{tag}");
    let per_sub = u64::from(publishers) * u64::from(args.messages);
    let deadline = TokioInstant::now() + Duration::from_secs(args.timeout);
    let (lat_tx, mut lat_rx) = mpsc::unbounded_channel::<(u64, Vec<u64>, u64)>();
    let (ready_tx, mut ready_rx) = mpsc::unbounded_channel::<()>();
    let (go_tx, go_rx) = watch::channel(false);

    for i in 0..subscribers {
        let (host, topic, lat_tx, ready_tx) = (
            host.to_string(),
            topic.clone(),
            lat_tx.clone(),
            ready_tx.clone(),
        );
        let id = format!("bench-sub-{tag}-{i}");
        tokio::spawn(async move {
            let r = subscriber(&host, port, id, &topic, qos, per_sub, ready_tx, deadline).await;
            let _ = lat_tx.send(r.unwrap_or_default());
        });
    }
    drop(lat_tx);
    for _ in 0..subscribers {
        tokio::time::timeout_at(deadline, ready_rx.recv())
            .await
            .map_err(|_| anyhow::anyhow!("subscribers not ready in time"))?;
    }
    let mut pubs = Vec::new();
    for i in 0..publishers {
        let (host, topic, mut go) = (host.to_string(), topic.clone(), go_rx.clone());
        let id = format!("bench-pub-{tag}-{i}");
        let (n, size, window) = (args.messages, args.size, args.window);
        pubs.push(tokio::spawn(async move {
            let mut conn = connected(&host, port, id).await?;
            while !*go.borrow() {
                go.changed().await?;
            }
            publisher(&mut conn, &topic, qos, n, size, window, deadline).await
        }));
    }
    // Let the publishers connect before the clock starts.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let start = stamp();
    let _ = go_tx.send(true);
    let mut received = 0;
    let mut latencies = Vec::new();
    // Throughput counts up to the last message received, not to a timeout.
    let mut last = start;
    while let Some((n, lat, at)) = lat_rx.recv().await {
        received += n;
        latencies.extend(lat);
        last = last.max(at);
    }
    for p in pubs {
        if let Ok(Err(e)) = p.await {
            eprintln!("publisher: {e}");
        }
    }
    latencies.sort_unstable();
    Ok(Figures {
        label: format!(
            "{} q{}",
            if publishers > 1 { "fan-in" } else { "fan-out" },
            qos.as_u8()
        ),
        expected: per_sub * u64::from(subscribers),
        received,
        elapsed: Duration::from_micros(last.saturating_sub(start)),
        latencies,
    })
}

#[allow(clippy::too_many_arguments)]
async fn subscriber(
    host: &str,
    port: u16,
    id: String,
    topic: &str,
    qos: QoS,
    expected: u64,
    ready: mpsc::UnboundedSender<()>,
    deadline: TokioInstant,
) -> anyhow::Result<(u64, Vec<u64>, u64)> {
    let mut conn = connected(host, port, id).await?;
    let now = conn.now();
    conn.client
        .subscribe(now, &[(topic, qos)])
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut latencies = Vec::with_capacity(expected as usize);
    let mut got = 0;
    let mut last = 0;
    while got < expected {
        match conn.next(Some(deadline)).await? {
            Wait::Event(ClientEvent::Subscribed { .. }) => {
                let _ = ready.send(());
            }
            Wait::Event(ClientEvent::Message(p)) => {
                got += 1;
                last = stamp();
                if let Some(ts) = p.payload.get(..8) {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(ts);
                    latencies.push(stamp().saturating_sub(u64::from_be_bytes(b)));
                }
            }
            Wait::Event(ClientEvent::Disconnected { reason }) => anyhow::bail!("{reason}"),
            Wait::Deadline => break,
            Wait::Event(_) => {}
        }
    }
    conn.disconnect().await;
    Ok((got, latencies, last))
}

async fn publisher(
    conn: &mut Conn,
    topic: &str,
    qos: QoS,
    n: u32,
    size: usize,
    window: u16,
    deadline: TokioInstant,
) -> anyhow::Result<()> {
    let mut payload = vec![0u8; size];
    for i in 0..n {
        if qos != QoS::AtMostOnce {
            while conn.client.pending_messages() >= usize::from(window.max(1)) {
                match conn.next(Some(deadline)).await? {
                    Wait::Event(ClientEvent::Disconnected { reason }) => {
                        anyhow::bail!("{reason}")
                    }
                    Wait::Deadline => return Ok(()),
                    Wait::Event(_) => {}
                }
            }
        }
        payload[..8].copy_from_slice(&stamp().to_be_bytes());
        let now = conn.now();
        conn.client
            .publish(now, topic, payload.clone(), qos, false)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if qos == QoS::AtMostOnce || i.is_multiple_of(8) {
            conn.flush().await?;
        }
    }
    conn.flush().await?;
    while conn.client.pending_messages() > 0 {
        match conn.next(Some(deadline)).await? {
            Wait::Deadline => break,
            Wait::Event(ClientEvent::Disconnected { reason }) => anyhow::bail!("{reason}"),
            Wait::Event(_) => {}
        }
    }
    conn.disconnect().await;
    Ok(())
}

/// `--storm` clients connect at once; latency is TCP connect to CONNACK.
async fn storm(host: &str, port: u16, args: &BenchArgs) -> anyhow::Result<Figures> {
    let tag = format!("{}-{}", std::process::id(), stamp());
    let start = TokioInstant::now();
    let deadline = start + Duration::from_secs(args.timeout);
    let mut tasks = Vec::new();
    for i in 0..args.storm {
        let host = host.to_string();
        let id = format!("bench-storm-{tag}-{i}");
        tasks.push(tokio::spawn(async move {
            let t0 = stamp();
            let mut conn = tokio::time::timeout_at(deadline, connected(&host, port, id))
                .await
                .map_err(|_| anyhow::anyhow!("timed out"))??;
            let lat = stamp().saturating_sub(t0);
            conn.disconnect().await;
            anyhow::Ok(lat)
        }));
    }
    let mut latencies = Vec::new();
    let mut failures = 0;
    for t in tasks {
        match t.await {
            Ok(Ok(l)) => latencies.push(l),
            _ => failures += 1,
        }
    }
    if failures > 0 {
        eprintln!("storm: {failures} connections failed");
    }
    latencies.sort_unstable();
    Ok(Figures {
        label: "storm".into(),
        expected: u64::from(args.storm),
        received: latencies.len() as u64,
        elapsed: start.elapsed(),
        latencies,
    })
}

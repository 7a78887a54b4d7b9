//! `mqttlab serve`: the built web app over HTTP, and an MQTT-over-WebSocket
//! bridge from the page to the TCP port of named upstream brokers (for brokers
//! without a WebSocket listener, such as Debian's mosquitto).
//!
//! URL scheme, for a server started with `--listen 127.0.0.1:8080 --bridge
//! local=127.0.0.1:1883`:
//!
//! - `http://127.0.0.1:8080/` and every other path: the files of `--dist`
//!   (`index.html`, the `.wasm` as `application/wasm`, ...).
//! - `ws://127.0.0.1:8080/mqtt/local`, WebSocket subprotocol `mqtt`: a byte pipe
//!   to the broker at `127.0.0.1:1883`, once the first packet has been checked to
//!   be an MQTT CONNECT. A page served by this server reaches it with
//!   ``new WebSocket(`ws://${location.host}/mqtt/local`, ["mqtt"])``.
//! - `http://127.0.0.1:8080/mqtt/`: the upstream names as JSON,
//!   `{"subprotocol":"mqtt","upstreams":[{"name":"local","path":"/mqtt/local"}]}`;
//!   also at `/bridges.json`, which the page asks for: `dist/` holds that file
//!   with no upstreams, so a page served by a static server finds none, without
//!   a 404.
//!
//! See [`bridge`] for the checks, limits and close codes.

mod bridge;
mod classroom;
mod connection;
mod first_packet;
mod limits;
mod origin;
mod record;
mod static_files;
mod upstream;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::routing::any;
use axum::Router;
use clap::builder::TypedValueParser as _;

pub use bridge::Bridge;
pub use limits::Limits;
pub use origin::OriginPolicy;
pub use upstream::Upstream;

const AFTER_HELP: &str = "\
URLs (for --listen 127.0.0.1:8080 --bridge local=127.0.0.1:1883):
  http://127.0.0.1:8080/             the web app (files of --dist)
  ws://127.0.0.1:8080/mqtt/local     MQTT over WebSocket (subprotocol 'mqtt'),
                                     bridged to the broker at 127.0.0.1:1883
  http://127.0.0.1:8080/mqtt/        the upstream names, as JSON
From a page served here: new WebSocket(`ws://${location.host}/mqtt/local`, ['mqtt'])

Only the named upstreams are reachable. The first packet a page sends must be an
MQTT CONNECT, or nothing is opened upstream. Refusals give the page a close code
and reason: 1008 unknown name or no CONNECT in time, 1013 too many connections,
1002 not MQTT, 1003 text frame, 1009 frame over --max-frame, 1001 idle,
1011 upstream unreachable or failed, 1000 upstream closed. A page from another
origin gets HTTP 403. One log line on stderr opens and one closes each bridged
connection.

With --broker, the same command also runs MQTT Lab's own broker (no other broker
needed): pages reach it as the upstream 'lab' (ws://HOST:PORT/mqtt/lab), devices
and mosquitto_pub/sub reach it on TCP at --broker-tcp (default 127.0.0.1:1883;
0.0.0.0:1883 for a classroom) and, with --broker-ws, on a WebSocket listener of
its own.

With --classroom (implies --broker), the broker runs a class: it prints the
teacher's link (#/teacher?token=..., 128 random bits from the OS: keep it to
yourself) and a room code students type at #/join. Everything travels as MQTT
under $classroom/ROOM/ on the core broker, whose access rules let only the
teacher's token push, and each student read only the room's broadcasts and its
own topics. GET /classroom.json names the room.

Examples:
  mosquitto -p 1883 &
  mqttlab serve --bridge local=127.0.0.1:1883
  mqttlab serve --listen 0.0.0.0:8080 --broker --broker-tcp 0.0.0.0:1883
  mqttlab serve --listen 0.0.0.0:8080 --classroom --room turma3b";

/// Arguments of `mqttlab serve`.
#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
#[command(group(clap::ArgGroup::new("own_broker").args(["broker", "classroom"]).multiple(true)))]
pub struct ServeArgs {
    /// Address and port to listen on. Use 0.0.0.0:8080 to serve a classroom
    /// (pages then connect to ws://<this machine>:8080/mqtt/NAME); port 0 picks a
    /// free port.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Directory of the built web app [default: ./dist, else the repository's dist/].
    #[arg(long, value_name = "DIR")]
    pub dist: Option<PathBuf>,
    /// An upstream broker pages may reach at ws://HOST:PORT/mqtt/NAME, e.g.
    /// `local=127.0.0.1:1883`. Repeat for more. No other address is reachable.
    #[arg(long = "bridge", value_name = "NAME=HOST:PORT", value_parser = Upstream::parse)]
    pub bridges: Vec<Upstream>,
    /// Another page origin allowed to open bridge sockets, e.g.
    /// `http://localhost:3000` (this server's own origin always is; `*` allows any).
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origins: Vec<String>,
    /// Bridged connections open at once; more are closed with code 1013
    /// [default: 64, with --classroom 1024].
    #[arg(long, value_name = "N")]
    pub max_connections: Option<usize>,
    /// Largest WebSocket frame or message a page may send, in bytes; larger ones
    /// close the connection with code 1009.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_frame,
          value_parser = clap::value_parser!(u32).range(16..).map(|n| n as usize))]
    pub max_frame: usize,
    /// Seconds without traffic either way before a bridged connection is closed
    /// (code 1001). MQTT keepalive pings count as traffic.
    #[arg(long, value_name = "SECS", default_value_t = Limits::default().idle_timeout.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout: u64,
    /// Also run MQTT Lab's own broker, reachable from the page as the upstream
    /// `lab` (ws://HOST:PORT/mqtt/lab) and on TCP at --broker-tcp.
    #[arg(long)]
    pub broker: bool,
    /// The TCP listener of --broker (port 0 picks a free port).
    #[arg(
        long,
        value_name = "ADDR",
        default_value = "127.0.0.1:1883",
        requires = "own_broker"
    )]
    pub broker_tcp: SocketAddr,
    /// A WebSocket listener (subprotocol `mqtt`) of --broker's own, e.g.
    /// 127.0.0.1:9001, for pages and devices that connect without the bridge.
    #[arg(long, value_name = "ADDR", requires = "own_broker")]
    pub broker_ws: Option<SocketAddr>,
    /// Write each bridged connection, when it ends, as DIR/bridge-N.pcapng: the
    /// MQTT bytes both ways with their times, in synthetic TCP/IP framing, for
    /// the page's Captures tab or Wireshark.
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,
    /// A configuration file for --broker, in `mqttlab broker -c`'s words
    /// (limits, `max_message_rate`, `sys_interval`...). With --classroom the
    /// room's users and access rules replace any the file gives.
    #[arg(long, value_name = "FILE", requires = "own_broker")]
    pub broker_config: Option<PathBuf>,
    /// Print --broker's log, worded as `mosquitto -v`.
    #[arg(long, requires = "own_broker")]
    pub broker_verbose: bool,
    /// Run a class on the broker (implies --broker): prints the teacher's link
    /// with a fresh token and the room code students type.
    #[arg(long)]
    pub classroom: bool,
    /// The room's name, a topic level under `$classroom/`.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "classroom",
        requires = "classroom"
    )]
    pub room: String,
}

/// Bridged connections a class may hold at once by default.
const CLASSROOM_MAX_CONNECTIONS: usize = 1024;

/// The upstream name of the broker `--broker` runs.
pub const LAB_UPSTREAM: &str = "lab";

/// Runs `mqttlab serve` until Ctrl-C, on a runtime of its own.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?
        .block_on(serve(args))
}

/// Runs `mqttlab serve` until Ctrl-C.
pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let classroom = if args.classroom {
        Some(classroom::Classroom::new(&args.room)?)
    } else {
        None
    };
    let default_max = if classroom.is_some() {
        CLASSROOM_MAX_CONNECTIONS
    } else {
        Limits::default().max_connections
    };
    let limits = Limits {
        max_connections: args.max_connections.unwrap_or(default_max),
        max_frame: args.max_frame,
        idle_timeout: Duration::from_secs(args.idle_timeout),
    };
    let origins = OriginPolicy::new(&args.allow_origins)
        .map_err(|e| anyhow::anyhow!("--allow-origin: {e}"))?;
    let mut upstreams = args.bridges;
    let mut own_broker = None;
    if args.broker || classroom.is_some() {
        if upstreams.iter().any(|u| u.name == LAB_UPSTREAM) {
            anyhow::bail!(
                "--broker names its upstream '{LAB_UPSTREAM}': give --bridge another name"
            );
        }
        let mut config = mqttlab_core::broker::BrokerConfig {
            log: args.broker_verbose,
            events: false,
            sys_interval: Some(crate::broker::config::DEFAULT_SYS_INTERVAL),
            ..Default::default()
        };
        if let Some(file) = &args.broker_config {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("--broker-config: reading {}", file.display()))?;
            config = crate::broker::config::parse(&text, config)
                .with_context(|| format!("--broker-config {}", file.display()))?;
        }
        if let Some(c) = &classroom {
            c.configure(&mut config);
        }
        let running = crate::broker::start(
            Some(args.broker_tcp),
            args.broker_ws,
            config,
            args.broker_verbose,
        )
        .await
        .context("starting --broker")?;
        if let Some(tcp) = running.tcp {
            // Bridge to the loopback side of a wildcard listener.
            let target = if tcp.ip().is_unspecified() {
                SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), tcp.port())
            } else {
                tcp
            };
            upstreams.push(Upstream {
                name: LAB_UPSTREAM.into(),
                address: target.to_string(),
            });
            println!("mqttlab serve: broker on tcp://{tcp}");
        }
        if let Some(ws) = running.ws {
            println!("mqttlab serve: broker on ws://{ws}/ (subprotocol mqtt)");
        }
        own_broker = Some(running);
    }
    let mut bridge = Bridge::new(upstreams, origins, limits).map_err(anyhow::Error::msg)?;
    if let Some(dir) = args.record {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("--record: creating {}", dir.display()))?;
        log(format_args!(
            "recording each bridged connection as {}/bridge-N.pcapng",
            dir.display()
        ));
        bridge.record_to(dir);
    }
    let bridge = Arc::new(bridge);
    let dist = args.dist.unwrap_or_else(static_files::default_dist);
    if let Some(warning) = static_files::check_dist(&dist) {
        log(format_args!("warning: {warning}"));
    }

    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let local = listener.local_addr().context("reading the bound address")?;
    println!(
        "mqttlab serve: listening on http://{local}/ (web app from {})",
        dist.display()
    );
    for u in bridge.upstreams() {
        println!(
            "mqttlab serve: bridge ws://{local}/mqtt/{} -> {}",
            u.name, u.address
        );
    }
    if bridge.upstreams().next().is_none() {
        println!(
            "mqttlab serve: no --bridge given: the page can reach no broker through this server"
        );
    }

    if let Some(c) = &classroom {
        let host = if local.ip().is_unspecified() {
            SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), local.port())
        } else {
            local
        };
        println!(
            "mqttlab serve: classroom '{}': room code {}",
            c.room.name(),
            c.code
        );
        println!(
            "mqttlab serve: teacher's console (keep this link to yourself): http://{host}/#/teacher?token={}&code={}",
            c.token, c.code
        );
        println!(
            "mqttlab serve: students open http://{}/#/join and type the room code",
            if local.ip().is_unspecified() {
                format!("<this machine's address>:{}", local.port())
            } else {
                local.to_string()
            }
        );
    }

    let app = router(
        bridge,
        &dist,
        classroom.as_ref().map(classroom::Classroom::json),
    );
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .context("serving HTTP")?;
    if let Some(b) = own_broker {
        b.stop();
    }
    Ok(())
}

/// The routes: the bridge under `/mqtt/` (its list at `/bridges.json` too),
/// files everywhere else.
fn router(bridge: Arc<Bridge>, dist: &std::path::Path, classroom: Option<String>) -> Router {
    let mut router = Router::new()
        .route("/mqtt/{name}", any(bridge::handle))
        .route("/mqtt", any(bridge::list))
        .route("/mqtt/", any(bridge::list))
        .route("/bridges.json", any(bridge::list))
        .with_state(bridge);
    if let Some(json) = classroom {
        router = router.merge(
            Router::new()
                .route("/classroom.json", axum::routing::get(classroom::info))
                .with_state(json),
        );
    }
    router.fallback_service(static_files::service(dist))
}

/// One line on stderr, stamped with the UTC time of day.
fn log(line: std::fmt::Arguments<'_>) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (h, m, s) = (secs / 3600 % 24, secs / 60 % 60, secs % 60);
    eprintln!("{h:02}:{m:02}:{s:02} mqttlab serve: {line}");
}

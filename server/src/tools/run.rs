//! `mqttlab pub`, `mqttlab sub` and `mqttlab rr`: the core's [`Tool`]
//! (mosquitto_pub/sub/rr, MQTT 3.1, 3.1.1 and 5.0) on a
//! real TCP socket. This file only moves bytes, reads the clock, standard input
//! and files, and catches SIGINT/SIGTERM; what the tool does is the core's.

use std::io::{Read, Write};
use std::time::Duration;

use mqttlab_core::client::Client;
use mqttlab_core::time::Instant;
use mqttlab_core::tools::cli::{self, ToolCommand};
use mqttlab_core::tools::drive::{self, Frames, Step};
use mqttlab_core::tools::{self, Action, InputError, Stream, Tool, TransportError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc;

/// `mqttlab pub|sub ARGS...`: `--help` prints `usage`; otherwise the arguments
/// are parsed and run. Returns the exit code.
pub fn command(
    args: &[String],
    usage: &str,
    parse: impl FnOnce(&[String]) -> Result<ToolCommand, cli::CliError>,
) -> i32 {
    if args.iter().any(|a| a == "--help") {
        println!("{usage}");
        return 0;
    }
    match parse(args) {
        Ok(cmd) => super::block_on(run(cmd)),
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

/// Runs a parsed command line to its end; returns the exit code.
pub async fn run(cmd: ToolCommand) -> i32 {
    let common = cmd.common().clone();
    let id = tools::client_id(&common, std::process::id(), None);
    let mut tool = Tool::new(cmd, id);
    let origin = std::time::Instant::now();
    let epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
    tool.set_epoch(epoch);
    let now =
        || Instant::from_micros(u64::try_from(origin.elapsed().as_micros()).unwrap_or(u64::MAX));
    let at =
        |t: Instant| tokio::time::Instant::from_std(origin + Duration::from_micros(t.as_micros()));
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        eprintln!("Error: cannot catch signals");
        return 1;
    };
    let mut client = Client::new();
    let mut stream: Option<TcpStream> = None;
    let mut frames = Frames::default();
    let mut lines: Option<mpsc::Receiver<Vec<u8>>> = None;
    let mut rbuf = vec![0u8; 64 * 1024];
    tool.start(now());
    let mut pending: Vec<Action> = Vec::new();
    loop {
        // Everything the tool and its client have to say, then what it printed.
        loop {
            let steps = drive::run(&mut tool, &mut client, now());
            pending.extend(perform(&mut client, &mut stream, steps, now()).await);
            if pending.is_empty() {
                break;
            }
            for a in std::mem::take(&mut pending) {
                match a {
                    Action::Connect(opts) => {
                        let host = tool.host().to_owned();
                        // A name that does not resolve is libmosquitto's lookup
                        // error, worded apart from the socket's errors.
                        let addrs: Vec<_> =
                            match tokio::net::lookup_host((host.as_str(), tool.port())).await {
                                Ok(a) => a.collect(),
                                Err(_) => Vec::new(),
                            };
                        if addrs.is_empty() {
                            tool.handle_connect_failed(now(), TransportError::Lookup);
                            continue;
                        }
                        match TcpStream::connect(&addrs[..]).await {
                            Ok(s) => {
                                let _ = s.set_nodelay(true);
                                stream = Some(s);
                                frames.clear();
                                frames.set_protocol(opts.protocol);
                                if let Err(e) = client.connect(now(), *opts) {
                                    stream = None;
                                    let e = TransportError::Other(e.to_string());
                                    tool.handle_connect_failed(now(), e);
                                }
                            }
                            Err(e) => tool.handle_connect_failed(now(), transport_error(&e)),
                        }
                    }
                    Action::ReadFile(f) => {
                        let r = std::fs::read(&f).map_err(|_| InputError::Open);
                        tool.handle_input(now(), r);
                    }
                    Action::ReadStdin => {
                        let mut v = Vec::new();
                        let r = std::io::stdin().read_to_end(&mut v).map(|_| v);
                        tool.handle_input(now(), r.map_err(|_| InputError::Read));
                    }
                    Action::ReadStdinLines => lines = Some(read_lines()),
                    _ => {}
                }
            }
        }
        write_output(&mut tool);
        if let Some(code) = tool.exit_code() {
            if let Some(mut s) = stream.take() {
                let _ = s.shutdown().await;
            }
            return code;
        }
        let client_timer = client.poll_timeout().map(at);
        let tool_timer = tool.poll_timeout().map(at);
        tokio::select! {
            r = read(&mut stream, &mut rbuf) => match r {
                Some(n) if n > 0 => {
                    frames.push(&rbuf[..n]);
                    // One packet at a time: its -d line, then what it causes.
                    while let Some(f) = frames.next_frame() {
                        drive::receive(&mut tool, &mut client, now(), f);
                        let steps = drive::run(&mut tool, &mut client, now());
                        pending.extend(perform(&mut client, &mut stream, steps, now()).await);
                        write_output(&mut tool);
                    }
                }
                _ => {
                    stream = None;
                    client.handle_closed(now());
                }
            },
            _ = sleep_until(client_timer), if client_timer.is_some() => client.handle_timeout(now()),
            _ = sleep_until(tool_timer), if tool_timer.is_some() => tool.handle_timeout(now()),
            line = next_line(&mut lines), if lines.is_some() => {
                if line.is_none() {
                    lines = None;
                }
                tool.handle_stdin_line(now(), line);
            }
            _ = int.recv() => tool.handle_interrupt(now()),
            _ = term.recv() => tool.handle_interrupt(now()),
        }
    }
}

/// Writes, closes and aborts as the steps say; returns the actions that open
/// or read something, for the caller.
async fn perform(
    client: &mut Client,
    stream: &mut Option<TcpStream>,
    steps: Vec<Step>,
    now: Instant,
) -> Vec<Action> {
    let mut rest = Vec::new();
    for step in steps {
        match step {
            Step::Send(t) => {
                if let Some(s) = stream.as_mut() {
                    if s.write_all(&t.bytes).await.is_err() {
                        *stream = None;
                        client.handle_closed(now);
                    }
                }
            }
            Step::Close => {
                if let Some(mut s) = stream.take() {
                    let _ = s.shutdown().await;
                }
            }
            // Killed: the kernel closes the socket, no DISCONNECT.
            Step::Io(Action::Abort) => *stream = None,
            Step::Io(a) => rest.push(a),
        }
    }
    rest
}

fn write_output(tool: &mut Tool) {
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    while let Some(o) = tool.poll_output() {
        let _ = match o.stream {
            Stream::Stdout => out.write_all(&o.bytes),
            Stream::Stderr => err.write_all(&o.bytes),
        };
    }
    let _ = out.flush();
    let _ = err.flush();
}

fn transport_error(e: &std::io::Error) -> TransportError {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => TransportError::Refused,
        std::io::ErrorKind::HostUnreachable => TransportError::NoRoute,
        _ => TransportError::Other(e.to_string()),
    }
}

async fn read(stream: &mut Option<TcpStream>, buf: &mut [u8]) -> Option<usize> {
    match stream {
        Some(s) => s.read(buf).await.ok(),
        None => std::future::pending().await,
    }
}

/// Standard input, line by line, on a thread (without the newline; the last
/// line even without one).
fn read_lines() -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel(64);
    std::thread::spawn(move || {
        use std::io::BufRead;
        let mut lock = std::io::stdin().lock();
        loop {
            let mut line = Vec::new();
            match lock.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if line.last() == Some(&b'\n') {
                        line.pop();
                    }
                    if tx.blocking_send(line).is_err() {
                        break;
                    }
                }
            }
        }
    });
    rx
}

async fn next_line(lines: &mut Option<mpsc::Receiver<Vec<u8>>>) -> Option<Vec<u8>> {
    match lines {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(t: Option<tokio::time::Instant>) {
    match t {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}

//! `mqttlab pub`: publishes like `mosquitto_pub`, with its flags and messages.

use std::io::{Read, Write};

use mqttlab_core::client::cli::{self, MessageSource, PubArgs};
use mqttlab_core::client::{debug, ClientEvent};

use super::conn::{Conn, Wait};

const USAGE: &str = "mqttlab pub: publish a message like mosquitto_pub.
Usage: mqttlab pub [-h host] [-p port] [-u username [-P password]] -t topic
                   {-m message | -n | -f file | -s | -l}
                   [-c] [-k keepalive] [-q qos] [-r] [--repeat N] [--repeat-delay secs]
                   [-i id] [-I id_prefix] [-d] [--quiet] [-M max_inflight] [-V mqttv311|mqttv31]
                   [--will-topic topic [--will-payload payload] [--will-qos qos] [--will-retain]]
                   [--resend-timeout secs]  (course-text model: resend unacknowledged messages)";

/// Runs `mqttlab pub ARGS...` and returns the exit code.
pub fn run(args: &[String]) -> i32 {
    if args.iter().any(|a| a == "--help") {
        println!("{USAGE}");
        return 0;
    }
    let p = match cli::parse_pub(args) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    super::block_on(publish(p))
}

fn messages(p: &PubArgs) -> std::io::Result<Vec<Vec<u8>>> {
    let one = match &p.message {
        MessageSource::Text(t) => t.clone(),
        MessageSource::Null => Vec::new(),
        MessageSource::File(f) => std::fs::read(f)?,
        MessageSource::Stdin => {
            let mut v = Vec::new();
            std::io::stdin().read_to_end(&mut v)?;
            v
        }
        // Read while connected, line by line: see `publish_lines`.
        MessageSource::Lines => return Ok(Vec::new()),
    };
    Ok(vec![one; p.repeat as usize])
}

/// Which tool is running: what it prints when the connection is refused differs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Tool {
    Pub,
    Sub,
}

/// Prints why the connection ended and gives the exit code; `None` for events
/// that do not end it. `client_id` is the one `-d` lines show.
pub(super) fn fatal(
    ev: &ClientEvent,
    c: &cli::CommonArgs,
    tool: Tool,
    client_id: &str,
) -> Option<i32> {
    match ev {
        ClientEvent::ConnectionRefused(code) => {
            // As mosquitto 2.0.11: `Connection error: ...` on stderr, then
            // mosquitto_sub's `-d` DISCONNECT line or mosquitto_pub's loop error;
            // the exit code is the CONNACK code (132 for CONNACK 1 under -V mqttv5).
            let lines = debug::refusal_lines(
                tool == Tool::Sub,
                c.protocol,
                *code,
                client_id,
                c.debug,
                c.quiet,
            );
            for (stream, line) in lines {
                match stream {
                    debug::Stream::Stdout => println!("{line}"),
                    debug::Stream::Stderr => eprintln!("{line}"),
                }
            }
            let _ = std::io::stdout().flush();
            Some(i32::from(debug::connack_code_shown(c.protocol, *code)))
        }
        ClientEvent::Disconnected { reason } => {
            if !c.quiet {
                eprintln!("Error: {reason}");
            }
            Some(1)
        }
        _ => None,
    }
}

/// Opens the connection and waits for CONNACK; `Err(exit code)` if that fails.
pub(super) async fn connect(c: &cli::CommonArgs, tool: Tool) -> Result<Conn, i32> {
    // Give up on a broker that never answers CONNECT after one keep alive period.
    let opts =
        c.connect_options(std::process::id())
            .connect_timeout(std::time::Duration::from_secs(u64::from(
                c.keep_alive.max(5),
            )));
    let mut conn = match Conn::open(&c.host, c.port, opts, c.debug).await {
        Ok(conn) => conn,
        Err(e) => {
            if !c.quiet {
                eprintln!("Error: {e}");
            }
            return Err(1);
        }
    };
    let id = conn.client.options().client_id.clone();
    loop {
        match conn.next(None).await {
            Ok(Wait::Event(ClientEvent::Connected { .. })) => return Ok(conn),
            Ok(Wait::Event(ev)) => {
                if let Some(code) = fatal(&ev, c, tool, &id) {
                    return Err(code);
                }
            }
            Ok(Wait::Deadline) | Ok(Wait::Line(_)) => {}
            Ok(Wait::Interrupted) => return Err(1),
            Err(e) => {
                if !c.quiet {
                    eprintln!("Error: {e}");
                }
                return Err(1);
            }
        }
    }
}

/// Drives the connection until no QoS 1/2 message awaits an acknowledgement and,
/// if given, the deadline has passed. `Err(exit code)` if the connection ends.
async fn settle(
    conn: &mut Conn,
    until: Option<tokio::time::Instant>,
    c: &cli::CommonArgs,
) -> Result<(), i32> {
    let quiet = c.quiet;
    let id = conn.client.options().client_id.clone();
    loop {
        let acked = conn.client.pending_messages() == 0;
        let due = until.is_none_or(|t| tokio::time::Instant::now() >= t);
        if acked && due {
            return Ok(());
        }
        match conn.next(until.filter(|_| acked)).await {
            Ok(Wait::Event(ev)) => {
                if let Some(code) = fatal(&ev, c, Tool::Pub, &id) {
                    return Err(code);
                }
            }
            Ok(Wait::Deadline) | Ok(Wait::Line(_)) => {}
            Ok(Wait::Interrupted) => {
                conn.disconnect().await;
                return Err(1);
            }
            Err(e) => {
                if !quiet {
                    eprintln!("Error: {e}");
                }
                return Err(1);
            }
        }
    }
}

/// `-l`: one message per line of standard input as it arrives (empty lines are
/// skipped, as mosquitto_pub does), until its end.
async fn publish_lines(conn: &mut Conn, p: &PubArgs) -> Result<(), i32> {
    let quiet = p.common.quiet;
    let id = conn.client.options().client_id.clone();
    conn.read_stdin_lines();
    loop {
        match conn.next(None).await {
            Ok(Wait::Line(Some(line))) => {
                if line.is_empty() {
                    continue;
                }
                let now = conn.now();
                if let Err(e) = conn
                    .client
                    .publish(now, &p.topic, line, p.common.qos, p.retain)
                {
                    if !quiet {
                        eprintln!("Error: {e}");
                    }
                    conn.disconnect().await;
                    return Err(1);
                }
            }
            Ok(Wait::Line(None)) => return Ok(()),
            Ok(Wait::Event(ev)) => {
                if let Some(code) = fatal(&ev, &p.common, Tool::Pub, &id) {
                    return Err(code);
                }
            }
            Ok(Wait::Deadline) => {}
            Ok(Wait::Interrupted) => {
                conn.disconnect().await;
                return Err(1);
            }
            Err(e) => {
                if !quiet {
                    eprintln!("Error: {e}");
                }
                return Err(1);
            }
        }
    }
}

async fn publish(p: PubArgs) -> i32 {
    let quiet = p.common.quiet;
    let messages = match messages(&p) {
        Ok(m) => m,
        Err(e) => {
            if !quiet {
                eprintln!("Error: {e}");
            }
            return 1;
        }
    };
    let mut conn = match connect(&p.common, Tool::Pub).await {
        Ok(c) => c,
        Err(code) => return code,
    };
    if p.message == MessageSource::Lines {
        if let Err(code) = publish_lines(&mut conn, &p).await {
            return code;
        }
    }
    for (i, msg) in messages.into_iter().enumerate() {
        // Like mosquitto_pub, each repeat waits for the previous message to
        // complete (PUBACK/PUBCOMP), then for --repeat-delay.
        if i > 0 {
            if let Err(code) = settle(&mut conn, None, &p.common).await {
                return code;
            }
            if !p.repeat_delay.is_zero() {
                let until = conn.deadline_in(p.repeat_delay);
                if let Err(code) = settle(&mut conn, Some(until), &p.common).await {
                    return code;
                }
            }
        }
        let now = conn.now();
        if let Err(e) = conn
            .client
            .publish(now, &p.topic, msg, p.common.qos, p.retain)
        {
            if !quiet {
                eprintln!("Error: {e}");
            }
            conn.disconnect().await;
            return 1;
        }
    }
    if let Err(code) = settle(&mut conn, None, &p.common).await {
        return code;
    }
    conn.disconnect().await;
    0
}

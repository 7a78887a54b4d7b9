//! `mqttlab sub`: subscribes like `mosquitto_sub` and prints what arrives in its
//! format (`payload`, or `topic payload` with `-v`).

use std::io::Write;
use std::time::Duration;

use mqttlab_core::client::cli::{self, SubArgs};
use mqttlab_core::client::{debug, ClientEvent, DisconnectReason};
use mqttlab_core::codec::{Pid, Publish, QosPid, SubackReturnCode};

use super::conn::{Conn, Wait};
use super::pub_cmd::{connect, fatal, Tool};

const USAGE: &str = "mqttlab sub: subscribe and print messages like mosquitto_sub.
Usage: mqttlab sub [-h host] [-p port] [-u username [-P password]] -t topic ...
                   [-c] [-k keepalive] [-q qos] [-v] [-C count] [-W timeout] [-R]
                   [--retained-only] [-N] [-U topic] [-i id] [-I id_prefix] [-d] [--quiet]
                   [-V mqttv311|mqttv31]
                   [--will-topic topic [--will-payload payload] [--will-qos qos] [--will-retain]]";

/// `mosquitto_sub`'s exit code after `-W` runs out (MOSQ_ERR_TIMEOUT).
const EXIT_TIMED_OUT: i32 = 27;

/// Runs `mqttlab sub ARGS...` and returns the exit code.
pub fn run(args: &[String]) -> i32 {
    if args.iter().any(|a| a == "--help") {
        println!("{USAGE}");
        return 0;
    }
    let s = match cli::parse_sub(args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    super::block_on(subscribe(s))
}

/// What printing one message did to the run.
enum Delivery {
    /// Keep going.
    More,
    /// `-C`'s count is reached.
    Counted,
    /// `--retained-only` met a live message: stop without printing it.
    Stop,
}

fn deliver(s: &SubArgs, p: &Publish, received: &mut u32) -> Delivery {
    if s.retained_only && !p.retain {
        return Delivery::Stop;
    }
    print_message(s, p);
    *received += 1;
    if s.count.is_some_and(|c| *received >= c) {
        Delivery::Counted
    } else {
        Delivery::More
    }
}

fn print_message(s: &SubArgs, p: &Publish) {
    let bytes = cli::format_message(s, p);
    if !bytes.is_empty() {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(&bytes);
        let _ = out.flush();
    }
}

/// SUBSCRIBE (and `-U`'s UNSUBSCRIBE), on every connection as mosquitto_sub does.
fn send_subscriptions(conn: &mut Conn, s: &SubArgs) -> Result<(), i32> {
    let now = conn.now();
    let filters: Vec<(&str, _)> = s
        .topics
        .iter()
        .map(|t| (t.as_str(), s.common.qos))
        .collect();
    if let Err(e) = conn.client.subscribe(now, &filters) {
        eprintln!("Error: {e}");
        return Err(1);
    }
    if !s.unsubscribe.is_empty() {
        let filters: Vec<&str> = s.unsubscribe.iter().map(String::as_str).collect();
        if let Err(e) = conn.client.unsubscribe(now, &filters) {
            eprintln!("Error: {e}");
        }
    }
    Ok(())
}

/// After a lost connection, retries every second as libmosquitto's loop does;
/// `Err(exit code)` on -W's deadline or a signal.
async fn reconnect(
    conn: &mut Conn,
    timeout: Option<tokio::time::Instant>,
    quiet: bool,
) -> Result<(), i32> {
    loop {
        match conn.idle(Duration::from_secs(1), timeout).await {
            Some(Wait::Interrupted) => return Err(0),
            Some(_) => {
                if !quiet {
                    eprintln!("Timed out");
                }
                return Err(EXIT_TIMED_OUT);
            }
            None => {}
        }
        if conn.reconnect().await.is_ok() {
            return Ok(());
        }
    }
}

async fn subscribe(s: SubArgs) -> i32 {
    let quiet = s.common.quiet;
    let mut conn = match connect(&s.common, Tool::Sub).await {
        Ok(c) => c,
        Err(code) => return code,
    };
    let id = conn.client.options().client_id.clone();
    if let Err(code) = send_subscriptions(&mut conn, &s) {
        return code;
    }
    let timeout = s
        .timeout
        .map(|w| conn.deadline_in(Duration::from_secs(u64::from(w))));
    let mut received = 0u32;
    let mut held: Vec<(Pid, Publish)> = Vec::new();
    // After -C's last message, wait briefly for a QoS 2 handshake to finish.
    let mut finishing: Option<tokio::time::Instant> = None;
    loop {
        if let Some(until) = finishing {
            if conn.client.session().incoming_qos2.is_empty()
                || tokio::time::Instant::now() >= until
            {
                conn.disconnect().await;
                return 0;
            }
        }
        let until = match (finishing, timeout) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        // A message to print now: a QoS 0 or 1 one, or a QoS 2 one released.
        let mut ready = None;
        match conn.next(until).await {
            Ok(Wait::Event(ClientEvent::Message(p))) => {
                if finishing.is_some() || (s.no_retained && p.retain) {
                    continue;
                }
                // The client delivers QoS 2 on PUBLISH; mosquitto_sub prints it on
                // PUBREL, so hold it until the Released event to read the same.
                if let QosPid::ExactlyOnce(pid) = p.qospid {
                    held.push((pid, p));
                    continue;
                }
                ready = Some(p);
            }
            Ok(Wait::Event(ClientEvent::Released { pid })) => {
                let Some(i) = held.iter().position(|(id, _)| *id == pid) else {
                    continue;
                };
                let (_, p) = held.remove(i);
                if finishing.is_some() {
                    continue;
                }
                ready = Some(p);
            }
            Ok(Wait::Event(ClientEvent::Subscribed { pid, granted })) => {
                // mosquitto_sub 2.0.11 leaves this `-d` line out under --quiet.
                if s.common.debug && !quiet {
                    println!("{}", debug::subscribed_line(pid, &granted));
                }
                if granted.iter().all(|g| *g == SubackReturnCode::Failure) {
                    // As mosquitto_sub 2.0.11: nothing to wait for, so DISCONNECT,
                    // say so, and exit 0 (it is not an error to mosquitto_sub).
                    conn.disconnect().await;
                    if !quiet {
                        eprintln!("All subscription requests were denied.");
                    }
                    return 0;
                }
            }
            Ok(Wait::Event(ClientEvent::Connected { .. })) => {
                // Reconnected: subscribe again (a clean session forgot them).
                if let Err(code) = send_subscriptions(&mut conn, &s) {
                    return code;
                }
            }
            Ok(Wait::Event(ClientEvent::Disconnected { reason }))
                if !matches!(
                    reason,
                    DisconnectReason::Requested | DisconnectReason::Refused(_)
                ) =>
            {
                if s.common.debug {
                    println!("Connection lost: {reason}; reconnecting.");
                }
                if let Err(code) = reconnect(&mut conn, timeout, quiet).await {
                    return code;
                }
            }
            Ok(Wait::Event(ev)) => {
                if let Some(code) = fatal(&ev, &s.common, Tool::Sub, &id) {
                    return code;
                }
            }
            Ok(Wait::Line(_)) => {}
            Ok(Wait::Deadline) => {
                if finishing.is_some() {
                    continue;
                }
                conn.disconnect().await;
                if !quiet {
                    eprintln!("Timed out");
                }
                return EXIT_TIMED_OUT;
            }
            Ok(Wait::Interrupted) => {
                conn.disconnect().await;
                return 0;
            }
            Err(_) => {
                // Closed with its event already taken: reconnect all the same.
                if let Err(code) = reconnect(&mut conn, timeout, quiet).await {
                    return code;
                }
            }
        }
        if let Some(p) = ready {
            match deliver(&s, &p, &mut received) {
                Delivery::More => {}
                Delivery::Counted => finishing = Some(conn.deadline_in(Duration::from_secs(1))),
                Delivery::Stop => {
                    conn.disconnect().await;
                    return 0;
                }
            }
        }
    }
}

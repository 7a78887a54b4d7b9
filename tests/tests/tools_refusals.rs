//! `mqttlab pub`/`mqttlab sub` against Debian's `mosquitto_pub`/`mosquitto_sub`
//! 2.0 when the broker says no: CONNACK 5 (a real `mosquitto` with
//! `allow_anonymous false`), CONNACK 4 (a stand-in broker on a loopback socket:
//! mosquitto 2.0 answers a wrong password with 5), and SUBACK 128 to every
//! filter (a real `mosquitto` with the dynamic-security plugin, whose default
//! ACL denies subscriptions). Each case runs both tools with the same flags
//! (plain, `-d`, `--quiet`, `-d --quiet`) and compares standard output,
//! standard error and the exit code, exactly.
//!
//! Every process runs under `timeout`; the stand-in broker stops by itself. The
//! tests are skipped, with a note, when mosquitto (or its plugin) is missing.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use mqttlab_tests::peers::{have, Peer, DYNSEC};
use mqttlab_tests::procs::{
    have_mosquitto, mqttlab_within, Mosquitto, MOSQUITTO_PUB, MOSQUITTO_SUB,
};

/// Every flag combination compared.
const FLAGS: [&[&str]; 4] = [&[], &["-d"], &["--quiet"], &["-d", "--quiet"]];

/// What a run printed and how it ended.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            code: o.status.code(),
        }
    }
}

/// `mosquitto_TOOL ARGS` (the real one) and `mqttlab TOOL ARGS`, each within 10 s.
fn both(tool: &str, args: &[&str]) -> (Run, Run) {
    let real = match tool {
        "pub" => MOSQUITTO_PUB,
        _ => MOSQUITTO_SUB,
    };
    let theirs = Command::new("timeout")
        .arg("10")
        .arg(real)
        .args(args)
        .output()
        .expect("run the real tool");
    let ours = mqttlab_within(10)
        .arg(tool)
        .args(args)
        .output()
        .expect("run mqttlab");
    (theirs.into(), ours.into())
}

/// Runs `tool` with `base` plus every flag combination; fails on the first
/// difference. Gives the real tool's runs, for the caller to pin.
fn same_as_mosquitto(tool: &str, base: &[&str]) -> Vec<Run> {
    let mut real_runs = Vec::new();
    for flags in FLAGS {
        let mut args = base.to_vec();
        args.extend_from_slice(flags);
        let (theirs, ours) = both(tool, &args);
        assert_eq!(
            ours, theirs,
            "mqttlab {tool} {args:?} (left) vs the real tool (right)"
        );
        real_runs.push(theirs);
    }
    real_runs
}

#[test]
fn connack_5_like_mosquitto_pub_and_sub() {
    if !have_mosquitto() {
        return;
    }
    let b = Mosquitto::start_with("allow_anonymous false\n");
    let port = b.port();
    let base = ["-h", "127.0.0.1", "-p", &port, "-i", "x", "-t", "t"];
    let sub = same_as_mosquitto("sub", &base);
    // What mosquitto_sub 2.0.11 prints, as checked by hand.
    assert_eq!(
        sub[1],
        Run {
            stdout: "Client x sending CONNECT\nClient x received CONNACK (5)\nClient x sending DISCONNECT\n"
                .into(),
            stderr: "Connection error: Connection Refused: not authorised.\n".into(),
            code: Some(5),
        }
    );
    let mut base = base.to_vec();
    base.extend(["-m", "m"]);
    let publ = same_as_mosquitto("pub", &base);
    assert_eq!(
        publ[1],
        Run {
            stdout: "Client x sending CONNECT\nClient x received CONNACK (5)\n".into(),
            stderr: "Connection error: Connection Refused: not authorised.\nError: The connection was refused.\n"
                .into(),
            code: Some(5),
        }
    );
}

/// A stand-in broker on a loopback port that answers every CONNECT with
/// CONNACK `code`, and reports, per connection, the bytes the client sent after
/// the CONNACK until it closed. It stops accepting after `within`.
fn refusing_broker(code: u8, within: Duration) -> (u16, Receiver<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().expect("its address").port();
    listener.set_nonblocking(true).expect("non-blocking accept");
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let end = Instant::now() + within;
        while Instant::now() < end {
            let Ok((mut s, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            };
            let _ = s.set_nonblocking(false);
            let _ = s.set_read_timeout(Some(Duration::from_secs(3)));
            // The CONNECT: fixed header, remaining length, the rest.
            let mut buf = [0u8; 1024];
            let mut got = Vec::new();
            let complete = |b: &[u8]| -> bool {
                let (mut len, mut mult, mut i) = (0usize, 1usize, 1usize);
                while i < b.len() && i < 5 {
                    len += usize::from(b[i] & 0x7f) * mult;
                    mult *= 128;
                    if b[i] & 0x80 == 0 {
                        return b.len() >= i + 1 + len;
                    }
                    i += 1;
                }
                false
            };
            while !complete(&got) {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                }
            }
            let _ = s.write_all(&[0x20, 0x02, 0x00, code]);
            let mut after = Vec::new();
            loop {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => after.extend_from_slice(&buf[..n]),
                }
            }
            if tx.send(after).is_err() {
                break;
            }
        }
    });
    (port, rx)
}

#[test]
fn connack_4_like_mosquitto_pub_and_sub_and_nothing_sent_after_it() {
    if !have(&[Peer::MosquittoClients]) {
        return;
    }
    let (port, after) = refusing_broker(4, Duration::from_secs(60));
    let port = port.to_string();
    let base = ["-h", "127.0.0.1", "-p", &port, "-i", "x", "-t", "t"];
    let sub = same_as_mosquitto("sub", &base);
    assert_eq!(
        sub[1],
        Run {
            stdout: "Client x sending CONNECT\nClient x received CONNACK (4)\nClient x sending DISCONNECT\n"
                .into(),
            stderr: "Connection error: Connection Refused: bad user name or password.\n".into(),
            code: Some(4),
        }
    );
    let mut base = base.to_vec();
    base.extend(["-m", "m"]);
    let publ = same_as_mosquitto("pub", &base);
    assert_eq!(
        publ[3],
        Run {
            stdout: "Client x sending CONNECT\nClient x received CONNACK (4)\n".into(),
            stderr: String::new(),
            code: Some(4),
        }
    );
    // 16 connections, two per run: the `sending DISCONNECT` line is only a log
    // line, neither tool puts a DISCONNECT on the wire after a refusal.
    for i in 0..16 {
        let bytes = after
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("connection {i}: {e}"));
        assert!(
            bytes.is_empty(),
            "connection {i} sent {bytes:02x?} after CONNACK 4"
        );
    }
}

#[test]
fn every_subscription_denied_like_mosquitto_sub() {
    if !have_mosquitto() {
        return;
    }
    if !have(&[Peer::DynamicSecurity]) {
        return;
    }
    // No clients, no roles: anonymous clients get the default ACL, which denies
    // every subscription (SUBACK 0x80).
    let json = std::env::temp_dir().join(format!("mqttlab-dynsec-{}.json", std::process::id()));
    std::fs::write(
        &json,
        r#"{"clients":[],"groups":[],"roles":[],"defaultACLAccess":{"publishClientSend":false,"publishClientReceive":true,"subscribe":false,"unsubscribe":true}}"#,
    )
    .expect("write the dynamic-security file");
    let b = Mosquitto::start_with(&format!(
        "allow_anonymous true\nplugin {DYNSEC}\nplugin_opt_config_file {}\n",
        json.display()
    ));
    let port = b.port();
    let base = [
        "-h",
        "127.0.0.1",
        "-p",
        &port,
        "-i",
        "x",
        "-t",
        "admin/a",
        "-t",
        "admin/b",
    ];
    let sub = same_as_mosquitto("sub", &base);
    let _ = std::fs::remove_file(&json);
    // Exit 0: mosquitto_sub does not count it as an error.
    assert_eq!(
        sub[1],
        Run {
            stdout: "Client x sending CONNECT\n\
                Client x received CONNACK (0)\n\
                Client x sending SUBSCRIBE (Mid: 1, Topic: admin/a, QoS: 0, Options: 0x00)\n\
                Client x sending SUBSCRIBE (Mid: 1, Topic: admin/b, QoS: 0, Options: 0x00)\n\
                Client x received SUBACK\n\
                Subscribed (mid: 1): 128, 128\n\
                Client x sending DISCONNECT\n"
                .into(),
            stderr: "All subscription requests were denied.\n".into(),
            code: Some(0),
        }
    );
    // --quiet -d: no `Subscribed (mid ...)` line, no message.
    assert!(!sub[3].stdout.contains("Subscribed"), "{:?}", sub[3]);
    assert_eq!(sub[3].stderr, "");
}

//! Helpers for the client interop tests: a `mosquitto` on a free loopback port,
//! child processes killed on drop, the `mqttlab` binary built once.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use mqttlab_tests::workspace_root;

/// The `mqttlab` binary, built once per test run (or `$MQTTLAB_BIN`).
pub fn mqttlab() -> &'static PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Ok(bin) = std::env::var("MQTTLAB_BIN") {
            return PathBuf::from(bin);
        }
        let target = std::env::var("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|_| workspace_root().join("target"));
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-p", "mqttlab-server", "--bin", "mqttlab"])
            .current_dir(workspace_root())
            .env("CARGO_TARGET_DIR", &target)
            .status()
            .expect("run cargo build");
        assert!(status.success(), "cargo build -p mqttlab-server failed");
        target.join("debug").join("mqttlab")
    })
}

pub fn have_mosquitto() -> bool {
    let ok = [
        "/usr/sbin/mosquitto",
        "/usr/bin/mosquitto_pub",
        "/usr/bin/mosquitto_sub",
    ]
    .iter()
    .all(|p| std::path::Path::new(p).exists());
    if !ok {
        eprintln!("mosquitto not installed: skipping");
    }
    ok
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A child process killed when dropped.
pub struct Proc {
    pub child: Child,
    lines: Option<Receiver<String>>,
    name: String,
}

impl Proc {
    pub fn spawn(name: &str, program: &std::path::Path, args: &[&str]) -> Proc {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {name}: {e}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Proc {
            child,
            lines: Some(rx),
            name: name.to_string(),
        }
    }

    /// The next stdout line, within `within`.
    pub fn line(&mut self, within: Duration) -> Option<String> {
        match self.lines.as_ref()?.recv_timeout(within) {
            Ok(l) => Some(l),
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => None,
        }
    }

    /// Reads stdout until a line satisfying `pred`, failing after `within`.
    pub fn wait_line(&mut self, within: Duration, pred: impl Fn(&str) -> bool) -> String {
        let end = Instant::now() + within;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.line(left) {
                Some(l) if pred(&l) => return l,
                Some(_) => {}
                None => panic!("{}: expected line not seen within {within:?}", self.name),
            }
        }
    }

    /// Message lines (not `-d` debug lines) until the process exits or `within` ends.
    pub fn messages(&mut self, within: Duration) -> Vec<String> {
        let end = Instant::now() + within;
        let mut out = Vec::new();
        while let Some(l) = self.line(end.saturating_duration_since(Instant::now())) {
            if !l.starts_with("Client ") && !l.starts_with("Subscribed (mid") {
                out.push(l);
            }
        }
        out
    }

    pub fn wait(&mut self, within: Duration) -> ExitStatus {
        let end = Instant::now() + within;
        loop {
            if let Some(s) = self.child.try_wait().expect("try_wait") {
                return s;
            }
            assert!(
                Instant::now() < end,
                "{} did not exit within {within:?}",
                self.name
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A `mosquitto` broker on a free loopback port.
pub struct Broker {
    pub port: u16,
    proc: Proc,
    conf: PathBuf,
}

impl Broker {
    pub fn start() -> Broker {
        Broker::start_with("allow_anonymous true\n")
    }

    /// A broker with these extra configuration lines.
    pub fn start_with(extra_conf: &str) -> Broker {
        let port = free_port();
        let conf = std::env::temp_dir().join(format!(
            "mqttlab-client-interop-{}-{port}.conf",
            std::process::id()
        ));
        std::fs::write(
            &conf,
            format!("listener {port} 127.0.0.1\npersistence false\n{extra_conf}"),
        )
        .expect("write mosquitto.conf");
        let proc = Broker::spawn(&conf, port);
        Broker { port, proc, conf }
    }

    fn spawn(conf: &std::path::Path, port: u16) -> Proc {
        let proc = Proc::spawn(
            "mosquitto",
            std::path::Path::new("/usr/sbin/mosquitto"),
            &["-c", conf.to_str().expect("utf-8 path")],
        );
        let end = Instant::now() + Duration::from_secs(5);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < end, "mosquitto did not listen on {port}");
            std::thread::sleep(Duration::from_millis(20));
        }
        proc
    }

    /// Kills the broker (clients see their connections drop) and starts a fresh
    /// one on the same port after `down`.
    pub fn restart(&mut self, down: Duration) {
        self.proc.kill();
        std::thread::sleep(down);
        self.proc = Broker::spawn(&self.conf, self.port);
    }

    pub fn port(&self) -> String {
        self.port.to_string()
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.conf);
    }
}

pub fn ours(name: &str, tool: &str, args: &[&str]) -> Proc {
    let mut all = vec![tool];
    all.extend_from_slice(args);
    Proc::spawn(name, mqttlab(), &all)
}

/// A mosquitto client, line-buffered (its `-d` lines are otherwise held in a pipe
/// buffer, and the test waits for "Subscribed" before publishing).
pub fn theirs(tool: &str, args: &[&str]) -> Proc {
    let bin = PathBuf::from("/usr/bin").join(tool);
    let mut all = vec!["-oL", bin.to_str().expect("utf-8 path")];
    all.extend_from_slice(args);
    Proc::spawn(tool, std::path::Path::new("/usr/bin/stdbuf"), &all)
}

pub const T: Duration = Duration::from_secs(10);

pub fn subscribed(l: &str) -> bool {
    l.starts_with("Subscribed (mid")
}

/// A subscriber (ours or theirs) that has its SUBACK, so nothing sent later is missed.
pub fn ready_sub(ours_or_theirs: bool, b: &Broker, extra: &[&str]) -> Proc {
    let port = b.port();
    let mut args = vec!["-h", "127.0.0.1", "-p", &port, "-d", "-v"];
    args.extend_from_slice(extra);
    let mut p = if ours_or_theirs {
        ours("mqttlab sub", "sub", &args)
    } else {
        theirs("mosquitto_sub", &args)
    };
    p.wait_line(T, subscribed);
    p
}

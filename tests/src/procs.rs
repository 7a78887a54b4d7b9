//! Processes for the interop tests: the built `mqttlab` binary, free loopback
//! ports, child processes whose output lines are read by a thread and which are
//! killed on drop, Debian's `mosquitto` and `mqttlab broker` on a free port.

use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::workspace_root;

pub const MOSQUITTO: &str = "/usr/sbin/mosquitto";
pub const MOSQUITTO_PUB: &str = "/usr/bin/mosquitto_pub";
pub const MOSQUITTO_SUB: &str = "/usr/bin/mosquitto_sub";

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

/// `timeout SECS mqttlab`: a command whose process is killed after `secs` seconds
/// (add the tool and its arguments).
pub fn mqttlab_within(secs: u32) -> Command {
    let mut cmd = Command::new("timeout");
    cmd.arg(secs.to_string()).arg(mqttlab());
    cmd
}

/// Whether `mosquitto`, `mosquitto_pub` and `mosquitto_sub` are installed; says
/// that the test is skipped when not.
pub fn have_mosquitto() -> bool {
    let ok = [MOSQUITTO, MOSQUITTO_PUB, MOSQUITTO_SUB]
        .iter()
        .all(|p| Path::new(p).exists());
    if !ok {
        eprintln!("mosquitto not installed: skipping");
    }
    ok
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Writes a mosquitto configuration listening on `127.0.0.1:port`, without
/// persistence, plus `extra` lines, to a file in the temp dir named after `what`.
pub fn mosquitto_conf(what: &str, port: u16, extra: &str) -> PathBuf {
    let conf =
        std::env::temp_dir().join(format!("mqttlab-{what}-{}-{port}.conf", std::process::id()));
    std::fs::write(
        &conf,
        format!("listener {port} 127.0.0.1\npersistence false\n{extra}"),
    )
    .expect("write mosquitto.conf");
    conf
}

/// Waits until something accepts TCP connections on `127.0.0.1:port`.
pub fn wait_for_port(what: &str, port: u16, within: Duration) {
    let end = Instant::now() + within;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < end, "{what} did not listen on {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A child process, killed when dropped, whose stdout (or stderr) lines are read
/// by a thread.
pub struct Proc {
    pub child: Child,
    lines: Receiver<String>,
    /// Every line read so far.
    pub seen: Vec<String>,
    name: String,
}

impl Proc {
    /// Reads the program's stdout lines; its stderr goes to the test's.
    pub fn spawn(name: &str, program: &Path, args: &[&str]) -> Proc {
        let mut cmd = Command::new(program);
        cmd.args(args);
        Proc::start(name, cmd, false)
    }

    /// Reads the program's stderr lines (where `mosquitto -v` logs); its stdout
    /// is dropped.
    pub fn spawn_stderr(name: &str, program: &Path, args: &[&str]) -> Proc {
        let mut cmd = Command::new(program);
        cmd.args(args);
        Proc::start(name, cmd, true)
    }

    /// Starts `cmd` with no stdin, reading its stderr lines if `stderr`, else its
    /// stdout lines.
    pub fn start(name: &str, mut cmd: Command, stderr: bool) -> Proc {
        cmd.stdin(Stdio::null());
        if stderr {
            cmd.stdout(Stdio::null()).stderr(Stdio::piped());
        } else {
            cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());
        }
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {name}: {e}"));
        let out: Box<dyn Read + Send> = if stderr {
            Box::new(child.stderr.take().expect("piped stderr"))
        } else {
            Box::new(child.stdout.take().expect("piped stdout"))
        };
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Proc {
            child,
            lines: rx,
            seen: Vec::new(),
            name: name.into(),
        }
    }

    /// The next line, within `within`.
    pub fn line(&mut self, within: Duration) -> Option<String> {
        let l = self.lines.recv_timeout(within).ok()?;
        self.seen.push(l.clone());
        Some(l)
    }

    /// Reads lines until one satisfying `pred`, failing after `within`.
    pub fn wait_line(&mut self, within: Duration, pred: impl Fn(&str) -> bool) -> String {
        let end = Instant::now() + within;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.line(left) {
                Some(l) if pred(&l) => return l,
                Some(_) => {}
                None => {
                    // Say whether it ended or went quiet, and what it printed.
                    let status = self.child.try_wait().ok().flatten();
                    panic!(
                        "{}: expected line not seen within {within:?} (exit status: {status:?}); its output so far: {:?}",
                        self.name, self.seen
                    )
                }
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

    /// Reads lines until one contains `needle` (or one already read does),
    /// failing after `within`.
    pub fn wait_for(&mut self, needle: &str, within: Duration) {
        if self.seen.iter().any(|l| l.contains(needle)) {
            return;
        }
        let end = Instant::now() + within;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.line(left) {
                Some(l) if l.contains(needle) => return,
                Some(_) => {}
                None => panic!(
                    "{}: {needle:?} not seen within {within:?}; saw:\n{}",
                    self.name,
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Every line read, after reading until the process exits or `within` ends.
    pub fn collect(&mut self, within: Duration) -> Vec<String> {
        let end = Instant::now() + within;
        while self
            .line(end.saturating_duration_since(Instant::now()))
            .is_some()
        {}
        self.seen.clone()
    }

    /// Every line read, after reading until none comes for `settle`.
    pub fn settle(&mut self, settle: Duration) -> Vec<String> {
        while self.line(settle).is_some() {}
        self.seen.clone()
    }

    /// Waits for the process to exit, failing after `within`.
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

/// `mqttlab broker --tcp 127.0.0.1:PORT -v EXTRA` on a free port, once it logs
/// that it is running; its stdout is the log.
pub fn start_mqttlab_broker(extra: &[&str], within: Duration) -> (Proc, u16) {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut args = vec!["broker", "--tcp", addr.as_str(), "-v"];
    args.extend_from_slice(extra);
    let mut b = Proc::spawn("mqttlab broker", mqttlab(), &args);
    b.wait_for("running", within);
    (b, port)
}

/// Real `mosquitto -v` (anonymous clients allowed) on a free port, once it logs
/// that it is running; its stderr is the log. Also gives its configuration file,
/// for the caller to remove.
pub fn start_mosquitto_verbose(what: &str, within: Duration) -> (Proc, u16, PathBuf) {
    let port = free_port();
    let conf = mosquitto_conf(what, port, "allow_anonymous true\n");
    let conf_s = conf.to_string_lossy().into_owned();
    let mut b = Proc::spawn_stderr("mosquitto", Path::new(MOSQUITTO), &["-v", "-c", &conf_s]);
    b.wait_for("running", within);
    (b, port, conf)
}

/// A quiet `mosquitto` broker on a free loopback port, restartable on that port.
pub struct Mosquitto {
    pub port: u16,
    proc: Proc,
    conf: PathBuf,
}

impl Mosquitto {
    /// Anonymous clients allowed.
    pub fn start() -> Mosquitto {
        Mosquitto::start_with("allow_anonymous true\n")
    }

    /// A broker with these extra configuration lines.
    pub fn start_with(extra_conf: &str) -> Mosquitto {
        let port = free_port();
        let conf = mosquitto_conf("client-interop", port, extra_conf);
        let proc = Mosquitto::spawn(&conf, port);
        Mosquitto { port, proc, conf }
    }

    fn spawn(conf: &Path, port: u16) -> Proc {
        let proc = Proc::spawn(
            "mosquitto",
            Path::new(MOSQUITTO),
            &["-c", conf.to_str().expect("utf-8 path")],
        );
        wait_for_port("mosquitto", port, Duration::from_secs(5));
        proc
    }

    /// Kills the broker (clients see their connections drop) and starts a fresh
    /// one on the same port after `down`.
    pub fn restart(&mut self, down: Duration) {
        self.proc.kill();
        std::thread::sleep(down);
        self.proc = Mosquitto::spawn(&self.conf, self.port);
    }

    pub fn port(&self) -> String {
        self.port.to_string()
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.conf);
    }
}

/// A broker log for comparing `mqttlab broker -v` with `mosquitto -v`: without
/// timestamps, with source ports and listener ports blanked, from the first
/// client line on.
pub fn normalise_log(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter_map(|l| l.split_once(": ").map(|(_, t)| t.to_string()))
        .skip_while(|t| !t.starts_with("New connection"))
        .map(|t| {
            let mut out = String::new();
            let mut rest = t.as_str();
            // "127.0.0.1:40156" -> "127.0.0.1:PORT"; "on port 1883." -> "on port P."
            while let Some(i) = rest.find("127.0.0.1:") {
                out.push_str(&rest[..i + "127.0.0.1:".len()]);
                rest =
                    rest[i + "127.0.0.1:".len()..].trim_start_matches(|c: char| c.is_ascii_digit());
                out.push_str("PORT");
            }
            out.push_str(rest);
            match out.find(" on port ") {
                Some(i) => format!("{} on port P.", &out[..i]),
                None => out,
            }
        })
        .collect()
}

//! Processes for the interop tests: the built `mqttlab` binary, free loopback
//! ports, child processes whose output lines are read by a thread and which are
//! killed on drop, Debian's `mosquitto` and `mqttlab broker` on a free port.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::{Mutex, OnceLock};
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

/// Whether `mosquitto`, `mosquitto_pub` and `mosquitto_sub` are installed (see
/// [`crate::peers::have`]: under `scripts/test.sh` a missing one fails the test).
pub fn have_mosquitto() -> bool {
    use crate::peers::{have, Peer};
    have(&[Peer::Mosquitto, Peer::MosquittoClients])
}

/// A loopback port nothing listens on right now, and one this process has never
/// handed out before.
///
/// The kernel only knows which ports are bound *now*: between this call and the
/// broker's `bind` (a process start later) it would hand the same port to another
/// test thread, and a port whose broker has ended to the next test, where a
/// client of the old test could still reach it. So every port given out is
/// remembered and never given again. Another process can still take the port in
/// that window; the broker starters below see the bind fail and start again on a
/// fresh port.
pub fn free_port() -> u16 {
    static HANDED_OUT: OnceLock<Mutex<HashSet<u16>>> = OnceLock::new();
    let mut handed_out = HANDED_OUT
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    for _ in 0..1000 {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        if handed_out.insert(port) {
            return port;
        }
    }
    panic!("no loopback port left that this process has not handed out already")
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
///
/// Only for servers that cannot say when they listen: it cannot tell *who*
/// listens (the brokers below wait for their own log line instead). Each probe
/// connect is bounded, and a probe that got through is shut down at once, so the
/// server reads end-of-stream and closes its side: no half-open connection stays.
pub fn wait_for_port(what: &str, port: u16, within: Duration) {
    let end = Instant::now() + within;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    loop {
        let left = end.saturating_duration_since(Instant::now());
        let attempt = left.clamp(Duration::from_millis(1), Duration::from_millis(500));
        if let Ok(probe) = TcpStream::connect_timeout(&addr, attempt) {
            let _ = probe.shutdown(Shutdown::Both);
            return;
        }
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
        let tag = name.to_string();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                // Captured with the test's output (this thread inherits the
                // capture), so a failing test shows what each process said.
                eprintln!("[{tag}] {line}");
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
        self.next_line(within).ok()
    }

    /// The next line; `Disconnected` once the process closed its output (ended).
    fn next_line(&mut self, within: Duration) -> Result<String, RecvTimeoutError> {
        let l = self.lines.recv_timeout(within)?;
        self.seen.push(l.clone());
        Ok(l)
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

/// How a broker start went, read from its log.
enum Started {
    /// It logged that it is running.
    Running,
    /// Its port was taken between [`free_port`] and its bind (by another
    /// process): worth another try on a fresh port.
    PortTaken,
}

/// Reads a broker's log until it says it is running; says so if its bind failed
/// because the port is in use, and fails on anything else (it ended or stayed
/// quiet), with what it logged.
fn await_running(b: &mut Proc, what: &str, within: Duration) -> Started {
    let end = Instant::now() + within;
    loop {
        let left = end.saturating_duration_since(Instant::now());
        match b.next_line(left) {
            Ok(l) if l.contains("Address already in use") => {
                b.kill();
                return Started::PortTaken;
            }
            Ok(l) if l.ends_with(" running") => return Started::Running,
            Ok(_) => {}
            Err(e) => {
                let status = b.child.try_wait().ok().flatten();
                panic!(
                    "{what} did not start within {within:?} ({}; exit status: {status:?}); its log: {:?}",
                    match e {
                        RecvTimeoutError::Timeout => "still quiet",
                        RecvTimeoutError::Disconnected => "it ended",
                    },
                    b.seen
                )
            }
        }
    }
}

/// How many times a broker is started on a fresh port when its port was taken.
const START_ATTEMPTS: usize = 5;

/// The port in a `... listen socket on port N.` log line of `mqttlab broker -v`.
fn logged_port(seen: &[String], socket: &str) -> Option<u16> {
    let prefix = format!("Opening {socket} listen socket on port ");
    seen.iter().find_map(|l| {
        let (_, rest) = l.split_once(&prefix)?;
        rest.trim_end_matches('.').parse().ok()
    })
}

/// `mqttlab broker --tcp 127.0.0.1:0 -v EXTRA` once it logs that it is running,
/// and the TCP port it bound (it asks the kernel for one and logs it, so no other
/// process can take it first); its stdout is the log.
pub fn start_mqttlab_broker(extra: &[&str], within: Duration) -> (Proc, u16) {
    let (b, port, _) = start_mqttlab_broker_on(false, extra, within);
    (b, port)
}

/// [`start_mqttlab_broker`] with a WebSocket listener too (`--ws 127.0.0.1:0`):
/// the broker, its TCP port and its WebSocket port.
pub fn start_mqttlab_broker_ws(extra: &[&str], within: Duration) -> (Proc, u16, u16) {
    let (b, port, ws) = start_mqttlab_broker_on(true, extra, within);
    (b, port, ws.expect("a websockets port"))
}

fn start_mqttlab_broker_on(ws: bool, extra: &[&str], within: Duration) -> (Proc, u16, Option<u16>) {
    let mut args = vec!["broker", "--tcp", "127.0.0.1:0", "-v"];
    if ws {
        args.extend(["--ws", "127.0.0.1:0"]);
    }
    args.extend_from_slice(extra);
    let mut b = Proc::spawn("mqttlab broker", mqttlab(), &args);
    // Port 0 cannot be taken: any other failure fails the test.
    let Started::Running = await_running(&mut b, "mqttlab broker", within) else {
        panic!("mqttlab broker: port 0 in use? its log: {:?}", b.seen)
    };
    let port = logged_port(&b.seen, "ipv4").expect("mqttlab broker logs its TCP port");
    let ws_port = ws.then(|| {
        logged_port(&b.seen, "websockets").expect("mqttlab broker logs its WebSocket port")
    });
    (b, port, ws_port)
}

/// `mosquitto -c CONF` (plus `args`) with CONF listening on `port` plus `extra`
/// lines, once it logs that it is running; its stderr (where it logs) is read.
/// `None` (and nothing left behind) when the port was taken before it could bind.
fn try_mosquitto(
    what: &str,
    port: u16,
    extra: &str,
    args: &[&str],
    within: Duration,
) -> Option<(Proc, PathBuf)> {
    let conf = mosquitto_conf(what, port, extra);
    let conf_s = conf.to_str().expect("utf-8 path").to_string();
    let mut all = args.to_vec();
    all.extend(["-c", &conf_s]);
    let mut b = Proc::spawn_stderr("mosquitto", Path::new(MOSQUITTO), &all);
    match await_running(&mut b, "mosquitto", within) {
        Started::Running => Some((b, conf)),
        Started::PortTaken => {
            eprintln!("mosquitto: port {port} was taken by another process before it could bind");
            let _ = std::fs::remove_file(&conf);
            None
        }
    }
}

/// `mosquitto ARGS` on a fresh port from [`free_port`] (another one each time the
/// port turns out taken), once it runs: the broker, its port and its
/// configuration file.
fn start_mosquitto_fresh(
    what: &str,
    extra: &str,
    args: &[&str],
    within: Duration,
) -> (Proc, u16, PathBuf) {
    for _ in 0..START_ATTEMPTS {
        let port = free_port();
        if let Some((b, conf)) = try_mosquitto(what, port, extra, args, within) {
            return (b, port, conf);
        }
        eprintln!("mosquitto: starting again on a fresh port");
    }
    panic!("mosquitto: {START_ATTEMPTS} fresh ports in a row were taken before it could bind")
}

/// Real `mosquitto -v` (anonymous clients allowed) on a free port, once it logs
/// that it is running; its stderr is the log. Also gives its configuration file,
/// for the caller to remove.
pub fn start_mosquitto_verbose(what: &str, within: Duration) -> (Proc, u16, PathBuf) {
    start_mosquitto_fresh(what, "allow_anonymous true\n", &["-v"], within)
}

/// [`start_mosquitto_verbose`] with these configuration lines (the listener and
/// `persistence false` come first).
pub fn start_mosquitto_verbose_with(
    what: &str,
    extra: &str,
    within: Duration,
) -> (Proc, u16, PathBuf) {
    start_mosquitto_fresh(what, extra, &["-v"], within)
}

/// A quiet `mosquitto` broker on a free loopback port, restartable on that port.
pub struct Mosquitto {
    pub port: u16,
    proc: Proc,
    conf: PathBuf,
    extra_conf: String,
}

/// How long a mosquitto may take to say it is running.
const MOSQUITTO_START: Duration = Duration::from_secs(10);

impl Mosquitto {
    /// Anonymous clients allowed.
    pub fn start() -> Mosquitto {
        Mosquitto::start_with("allow_anonymous true\n")
    }

    /// A broker with these extra configuration lines.
    pub fn start_with(extra_conf: &str) -> Mosquitto {
        let (proc, port, conf) =
            start_mosquitto_fresh("client-interop", extra_conf, &[], MOSQUITTO_START);
        Mosquitto {
            port,
            proc,
            conf,
            extra_conf: extra_conf.to_string(),
        }
    }

    /// Kills the broker (clients see their connections drop) and starts a fresh
    /// one on the same port after `down`. No other test of this process can have
    /// the port ([`free_port`] hands it out once); should another process have
    /// taken it meanwhile, this tries again for a few seconds, then fails.
    pub fn restart(&mut self, down: Duration) {
        self.proc.kill();
        std::thread::sleep(down);
        let _ = std::fs::remove_file(&self.conf);
        let end = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some((proc, conf)) = try_mosquitto(
                "client-interop",
                self.port,
                &self.extra_conf,
                &[],
                MOSQUITTO_START,
            ) {
                self.proc = proc;
                self.conf = conf;
                return;
            }
            assert!(
                Instant::now() < end,
                "mosquitto could not listen on port {} again: something else holds it",
                self.port
            );
            std::thread::sleep(Duration::from_millis(200));
        }
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

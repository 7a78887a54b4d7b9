//! A case run by Debian's `mosquitto_sub`/`mosquitto_pub`/`mosquitto_rr` 2.0.11
//! (or by `mqttlab pub/sub/rr`, for the 5.0 comparison of `tools_diff5.rs`)
//! against a fresh `mosquitto -v` 2.0.11 on 127.0.0.1.
//!
//! Each command line is run by `sh -c` (so a real shell splits its words and
//! quotes) under `stdbuf -oL`, so that standard output is line-buffered as in a
//! terminal and, in the debug run, lines reach the one pipe shared with standard
//! error in the order the tool wrote them. The steps are paced by the broker's
//! log: a subscriber is running once mosquitto logs its SUBACK, and Ctrl-C or a
//! kill waits until the broker has logged nothing for a moment (every exchange
//! in flight has ended).

use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mqttlab_tests::procs::{
    free_port, start_mosquitto_verbose_with, Proc, MOSQUITTO_PUB, MOSQUITTO_SUB,
};

/// Debian's `mosquitto_rr` 2.0.11.
pub const MOSQUITTO_RR: &str = "/usr/bin/mosquitto_rr";

/// Which programs a case's `mosquitto_*` command lines run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)] // tools_diff.rs runs only the real ones.
pub enum Tools {
    /// Debian's mosquitto 2.0.11 clients.
    Mosquitto,
    /// `mqttlab pub`, `mqttlab sub`, `mqttlab rr` (a line starting `real `
    /// still runs the real tool: an observer both sides share).
    Mqttlab,
}

use super::case::{with_debug, Broker, Case, Step};
use super::outcome::Outcome;

/// How long a tool run to its end may take.
const RUN_LIMIT: Duration = Duration::from_secs(15);
/// How long a started subscriber may take to be answered.
const START_LIMIT: Duration = Duration::from_secs(10);
/// The broker is quiet when it logged nothing for this long.
const QUIET: Duration = Duration::from_millis(300);
/// ... and it has this long to become quiet.
const QUIET_LIMIT: Duration = Duration::from_secs(5);

/// A tool process and the threads reading its output.
struct Running {
    child: Child,
    out: Option<JoinHandle<Vec<u8>>>,
    err: Option<JoinHandle<Vec<u8>>>,
    outcome: Option<Outcome>,
}

fn reader(mut r: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        buf
    })
}

impl Running {
    fn spawn(
        line: &str,
        input: Option<&str>,
        port: u16,
        merged: bool,
        tools: Tools,
        as_typed: bool,
    ) -> Result<Running, String> {
        let (prog, rest) = line.split_once(' ').unwrap_or((line, ""));
        let path = match (tools, prog) {
            (Tools::Mosquitto, "mosquitto_pub") => MOSQUITTO_PUB.to_string(),
            (Tools::Mosquitto, "mosquitto_sub") => MOSQUITTO_SUB.to_string(),
            (Tools::Mosquitto, "mosquitto_rr") => MOSQUITTO_RR.to_string(),
            (Tools::Mqttlab, "mosquitto_pub" | "mosquitto_sub" | "mosquitto_rr") => format!(
                "{} {}",
                mqttlab_tests::procs::mqttlab().display(),
                &prog["mosquitto_".len()..]
            ),
            (_, other) => return Err(format!("not a tool: {other}")),
        };
        let redirect = if merged { " 2>&1" } else { "" };
        let host = if as_typed { "" } else { "-h 127.0.0.1 " };
        let script = format!("exec stdbuf -oL {path} {host}-p {port} {rest}{redirect}");
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(&script);
        cmd.stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| format!("spawn {script}: {e}"))?;
        if let Some(input) = input {
            let mut stdin = child.stdin.take().expect("piped stdin");
            // A broken pipe only means the tool stopped reading: its output says why.
            let _ = stdin.write_all(input.as_bytes());
        }
        let out = reader(child.stdout.take().expect("piped stdout"));
        let err = reader(child.stderr.take().expect("piped stderr"));
        Ok(Running {
            child,
            out: Some(out),
            err: Some(err),
            outcome: None,
        })
    }

    fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// Waits for the process to end (killing it after `within`) and keeps what
    /// it printed.
    fn finish(&mut self, within: Duration) -> Result<(), String> {
        if self.outcome.is_some() {
            return Ok(());
        }
        let end = Instant::now() + within;
        let mut late = false;
        let status = loop {
            if let Some(s) = self.child.try_wait().map_err(|e| e.to_string())? {
                break s;
            }
            if Instant::now() >= end {
                late = true;
                let _ = self.child.kill();
                break self.child.wait().map_err(|e| e.to_string())?;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let text = |h: Option<JoinHandle<Vec<u8>>>| {
            String::from_utf8_lossy(&h.map(|h| h.join().unwrap_or_default()).unwrap_or_default())
                .into_owned()
        };
        self.outcome = Some(Outcome {
            stdout: text(self.out.take()),
            stderr: text(self.err.take()),
            // A process ended by a signal shows as the shell shows it
            // (`echo $?`): 128 + the signal's number (130 after Ctrl-C).
            code: status.code().or(status.signal().map(|n| 128 + n)),
        });
        if late {
            return Err(format!(
                "did not end within {within:?}; it printed {:?}",
                self.outcome
            ));
        }
        Ok(())
    }

    fn signal(&mut self, sig: &str) {
        let _ = Command::new("kill")
            .arg(sig)
            .arg(self.child.id().to_string())
            .status();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn password_path() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("mqttlab-tools-diff-{}.passwd", std::process::id()))
}

/// Removes the password file, once every case has run.
pub fn remove_password_file() {
    let _ = std::fs::remove_file(password_path());
}

/// A mosquitto password file with the user `aluno`, password `1234`, made once
/// by `mosquitto_passwd -b` (it stores a salted hash).
fn password_file() -> std::path::PathBuf {
    static FILE: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    FILE.get_or_init(|| {
        let f = password_path();
        let _ = std::fs::remove_file(&f);
        let ok = Command::new("timeout")
            .arg("10")
            .arg("mosquitto_passwd")
            .args(["-c", "-b"])
            .arg(&f)
            .args(["aluno", "1234"])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "mosquitto_passwd could not write {}", f.display());
        f
    })
    .clone()
}

/// The broker a case runs against, and its log.
struct Real {
    port: u16,
    broker: Option<(Proc, std::path::PathBuf)>,
}

impl Real {
    fn start(kind: Broker) -> Real {
        let conf = match kind {
            Broker::Open => "allow_anonymous true\n".to_string(),
            Broker::NoAnonymous => "allow_anonymous false\n".to_string(),
            Broker::Password => {
                let file = password_file();
                format!("allow_anonymous false\npassword_file {}\n", file.display())
            }
            Broker::Closed | Broker::Elsewhere => {
                return Real {
                    port: free_port(),
                    broker: None,
                }
            }
        };
        let (proc, port, file) =
            start_mosquitto_verbose_with("tools-diff", &conf, Duration::from_secs(10));
        Real {
            port,
            broker: Some((proc, file)),
        }
    }

    /// Lines the broker has logged containing `needle`, after reading what is there.
    fn count(&mut self, needle: &str) -> usize {
        let Some((b, _)) = self.broker.as_mut() else {
            return 0;
        };
        while b.line(Duration::ZERO).is_some() {}
        b.seen.iter().filter(|l| l.contains(needle)).count()
    }

    /// Every line the broker logged, without its `SECONDS: ` timestamp.
    fn log(&mut self) -> Vec<String> {
        let Some((b, _)) = self.broker.as_mut() else {
            return Vec::new();
        };
        while b.line(Duration::ZERO).is_some() {}
        b.seen
            .iter()
            .map(|l| match l.split_once(": ") {
                Some((t, rest)) if t.bytes().all(|c| c.is_ascii_digit()) => rest.to_string(),
                _ => l.clone(),
            })
            .collect()
    }

    /// Waits until the broker has logged nothing for [`QUIET`].
    fn settle(&mut self) {
        let Some((b, _)) = self.broker.as_mut() else {
            std::thread::sleep(QUIET);
            return;
        };
        let end = Instant::now() + QUIET_LIMIT;
        while b.line(QUIET).is_some() && Instant::now() < end {}
    }
}

impl Drop for Real {
    fn drop(&mut self) {
        if let Some((_, conf)) = self.broker.take() {
            let _ = std::fs::remove_file(conf);
        }
    }
}

/// Whether the real tools and broker are installed; a missing one is named.
pub fn missing_peers() -> Vec<&'static str> {
    [
        mqttlab_tests::procs::MOSQUITTO,
        MOSQUITTO_PUB,
        MOSQUITTO_SUB,
        MOSQUITTO_RR,
        "/usr/bin/stdbuf",
        "/usr/bin/mosquitto_passwd",
    ]
    .into_iter()
    .filter(|p| !Path::new(p).exists())
    .collect()
}

/// Runs the case's script with the real tools; `debug` adds `-d` to every
/// command line and merges standard error into standard output (kept in
/// [`Outcome::stdout`]).
#[allow(dead_code)] // tools_diff5.rs runs `run_with`.
pub fn run(case: &Case, debug: bool) -> Result<Vec<Outcome>, String> {
    run_with(case, debug, Tools::Mosquitto).map(|(o, _)| o)
}

/// [`run`] with `tools`; also returns what the broker logged, each line
/// without its timestamp.
pub fn run_with(
    case: &Case,
    debug: bool,
    tools: Tools,
) -> Result<(Vec<Outcome>, Vec<String>), String> {
    let mut real = Real::start(case.broker);
    let mut procs: Vec<Running> = Vec::new();
    for (n, step) in case.steps.iter().enumerate() {
        let at = |what: String| format!("step {n} ({step:?}): {what}");
        match *step {
            Step::Run(line) | Step::RunIn(line, _) | Step::Start(line) => {
                let input = match *step {
                    Step::RunIn(_, i) => Some(i),
                    _ => None,
                };
                let (line, tools) = match line.strip_prefix("real ") {
                    Some(l) => (l, Tools::Mosquitto),
                    None => (line, tools),
                };
                let line = if debug {
                    with_debug(line)
                } else {
                    line.to_string()
                };
                let ready = if line.starts_with("mosquitto_sub") || line.starts_with("mosquitto_rr")
                {
                    "Sending SUBACK to"
                } else {
                    "Sending CONNACK to"
                };
                let before = real.count(ready);
                let mut p = Running::spawn(&line, input, real.port, debug, tools, case.as_typed)
                    .map_err(at)?;
                if let Step::Start(_) = step {
                    let end = Instant::now() + START_LIMIT;
                    while real.count(ready) == before && !p.exited() {
                        if Instant::now() >= end {
                            return Err(at(format!("not answered within {START_LIMIT:?}")));
                        }
                        std::thread::sleep(Duration::from_millis(5));
                    }
                } else {
                    p.finish(RUN_LIMIT).map_err(at)?;
                }
                procs.push(p);
            }
            Step::Stop(i) | Step::Kill(i) => {
                real.settle();
                let p = procs
                    .get_mut(i)
                    .ok_or_else(|| at("no such invocation".into()))?;
                p.signal(if matches!(step, Step::Stop(_)) {
                    "-INT"
                } else {
                    "-KILL"
                });
                p.finish(QUIET_LIMIT).map_err(at)?;
                if let (Step::Kill(_), Some(o)) = (step, p.outcome.as_mut()) {
                    // Killed by the test, as a host that dies: no exit code is
                    // the tool's (the simulator has none either).
                    o.code = None;
                }
            }
            Step::Wait(i) => {
                let p = procs
                    .get_mut(i)
                    .ok_or_else(|| at("no such invocation".into()))?;
                p.finish(RUN_LIMIT).map_err(at)?;
            }
        }
    }
    real.settle();
    let mut outcomes = Vec::new();
    for (i, mut p) in procs.into_iter().enumerate() {
        if !p.exited() {
            return Err(format!(
                "invocation {i} still runs at the end of the script"
            ));
        }
        p.finish(QUIET_LIMIT)?;
        outcomes.push(p.outcome.take().expect("finished"));
    }
    let log = real.log();
    Ok((outcomes, log))
}

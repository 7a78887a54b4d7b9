//! The two brokers under test, each started fresh for every case with its default
//! limits (as a new user runs it), and their memory as the kernel reports it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::procs::{free_port, wait_for_port, MOSQUITTO};

/// Which broker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `mqttlab broker`.
    Mqttlab,
    /// Debian's mosquitto 2.0.11.
    Mosquitto,
}

impl Kind {
    /// Its name in the table.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Mqttlab => "mqttlab",
            Kind::Mosquitto => "mosquitto",
        }
    }
}

/// `program` run in a session of its own (by util-linux's `setsid`, which
/// execs it in place: the child's pid is the broker's). With the kernel's
/// autogroup scheduling (on by default) a session is a scheduling group of its
/// own, so the broker gets its own share of the CPU, as a broker on its own
/// machine would, instead of sharing the load generator's share thread by
/// thread with its attackers and honest clients. Both brokers are run so.
fn own_session(program: &Path) -> Command {
    let mut cmd = Command::new(SETSID);
    cmd.arg(program);
    cmd
}

const SETSID: &str = "/usr/bin/setsid";

/// A broker process on a loopback port, killed on drop, whose memory is sampled
/// every 20 ms while it runs.
pub struct Broker {
    pub kind: Kind,
    pub port: u16,
    child: Child,
    conf: PathBuf,
    sampler: Option<JoinHandle<()>>,
    stop_sampling: Arc<AtomicBool>,
    /// The highest resident set seen, in kB (the kernel's own high-water mark,
    /// VmHWM, is read too at the end).
    peak_kb: Arc<AtomicU64>,
    /// Set by the sampler when the broker's memory passed the safety cap: the
    /// case stops early, so one runaway broker cannot take the machine down.
    pub over_cap: Arc<AtomicBool>,
    started: std::time::Instant,
}

/// Memory above which a case is stopped early (the figure then reads `>= cap`).
pub const SAFETY_CAP_KB: u64 = 1536 * 1024;

/// One `VmXXX:  N kB` field of `/proc/PID/status`.
pub fn status_kb(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|l| {
        let rest = l.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().trim_end_matches("kB").trim().parse().ok()
    })
}

impl Broker {
    /// Starts `kind` on a free port; `mqttlab` is the `mqttlab` binary to run.
    pub fn start(kind: Kind, mqttlab: &Path) -> Broker {
        let port = free_port();
        let conf = std::env::temp_dir().join(format!(
            "mqttlab-adversarial-{}-{port}.conf",
            std::process::id()
        ));
        let child = match kind {
            Kind::Mqttlab => {
                // No configuration file: its defaults are what is measured.
                std::fs::write(&conf, "").expect("write conf");
                own_session(mqttlab)
                    .args(["broker", "--tcp", &format!("127.0.0.1:{port}")])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap_or_else(|e| panic!("spawn {}: {e}", mqttlab.display()))
            }
            Kind::Mosquitto => {
                // mosquitto's defaults, on loopback, without persistence.
                std::fs::write(
                    &conf,
                    format!("listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"),
                )
                .expect("write conf");
                own_session(Path::new(MOSQUITTO))
                    .args(["-c", &conf.to_string_lossy()])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("spawn mosquitto")
            }
        };
        wait_for_port(kind.name(), port, Duration::from_secs(10));
        let pid = child.id();
        let stop_sampling = Arc::new(AtomicBool::new(false));
        let peak_kb = Arc::new(AtomicU64::new(0));
        let over_cap = Arc::new(AtomicBool::new(false));
        let sampler = {
            let (stop, peak, over) = (stop_sampling.clone(), peak_kb.clone(), over_cap.clone());
            std::thread::Builder::new()
                .name("rss-sampler".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let Some(rss) = status_kb(pid, "VmRSS") else {
                            return;
                        };
                        peak.fetch_max(rss, Ordering::Relaxed);
                        if rss > SAFETY_CAP_KB {
                            over.store(true, Ordering::Relaxed);
                        }
                        std::thread::sleep(Duration::from_millis(20));
                    }
                })
                .expect("spawn the sampler")
        };
        Broker {
            kind,
            port,
            child,
            conf,
            sampler: Some(sampler),
            stop_sampling,
            peak_kb,
            over_cap,
            started: std::time::Instant::now(),
        }
    }

    /// Seconds since it started listening, and the CPU seconds it used meanwhile.
    pub fn cpu(&self) -> (f64, f64) {
        let cpu = super::cpu::process_secs(self.child.id()).unwrap_or(0.0);
        (self.started.elapsed().as_secs_f64(), cpu)
    }

    /// The peak resident set so far, in kB: the kernel's VmHWM, or the highest
    /// sample if the process is gone.
    pub fn peak_kb(&self) -> u64 {
        let sampled = self.peak_kb.load(Ordering::Relaxed);
        status_kb(self.child.id(), "VmHWM").map_or(sampled, |hwm| hwm.max(sampled))
    }

    /// How many file descriptors the broker has open (its sockets among them),
    /// `None` once it is gone.
    pub fn open_fds(&self) -> Option<usize> {
        let dir = std::fs::read_dir(format!("/proc/{}/fd", self.child.id())).ok()?;
        Some(dir.count())
    }

    /// Waits until the broker has at least `n` file descriptors open, or its
    /// count has not moved for a second (a descriptor it had open at start,
    /// such as its configuration file, may since have closed), at most
    /// `within`; returns how many it had at the end. A socket the kernel
    /// completed is in the listener's backlog until the broker accepts it, and
    /// only then costs the broker memory: a figure read before the broker has
    /// accepted every socket of an attack says less than the attack costs.
    pub fn wait_for_fds(&self, n: usize, within: Duration) -> usize {
        let start = std::time::Instant::now();
        let (mut last, mut since) = (0, start);
        loop {
            let open = self.open_fds().unwrap_or(0);
            if open != last {
                (last, since) = (open, std::time::Instant::now());
            }
            if open >= n || since.elapsed() >= Duration::from_secs(1) || start.elapsed() >= within {
                return open;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the process still runs.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.stop_sampling.store(true, Ordering::Relaxed);
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(s) = self.sampler.take() {
            let _ = s.join();
        }
        let _ = std::fs::remove_file(&self.conf);
    }
}

/// The `mqttlab` binary the cases run: `$MQTTLAB_BIN`, else the release build
/// in the target directory.
pub fn release_mqttlab() -> PathBuf {
    if let Ok(bin) = std::env::var("MQTTLAB_BIN") {
        return PathBuf::from(bin);
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| crate::workspace_root().join("target"));
    target.join("release").join("mqttlab")
}

//! Helpers for the client interop tests: `mqttlab pub`/`sub` and the mosquitto
//! clients as child processes, a subscriber that has its SUBACK. The processes
//! and the broker come from `mqttlab_tests::procs`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use mqttlab_tests::procs::{mqttlab, Mosquitto, Proc};

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
    Proc::spawn(tool, Path::new("/usr/bin/stdbuf"), &all)
}

pub const T: Duration = Duration::from_secs(10);

pub fn subscribed(l: &str) -> bool {
    l.starts_with("Subscribed (mid")
}

/// A subscriber (ours or theirs) that has its SUBACK, so nothing sent later is missed.
pub fn ready_sub(ours_or_theirs: bool, b: &Mosquitto, extra: &[&str]) -> Proc {
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

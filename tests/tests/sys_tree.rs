//! `$SYS/broker/...` of `mqttlab broker` against a real mosquitto 2.0.11, both
//! with `sys_interval 1` and the same two subscribers (`mosquitto_sub -t
//! '$SYS/#'` and `mosquitto_sub -t '#'`): the same topics (less the ones we
//! leave out, [`LEFT_OUT`]), each payload in mosquitto's format, the same
//! counts where they are deterministic, retained, and `#` seeing none of them
//! (MQTT-4.7.2-1). Where we differ on purpose, a test names it.
//!
//! Every wait is bounded; brokers run on free 127.0.0.1 ports and are killed at
//! the end.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use mqttlab_tests::procs::{have_mosquitto, start_mqttlab_broker, Mosquitto, Proc, MOSQUITTO_SUB};

/// Topics mosquitto 2.0.11 publishes and we do not: its allocator's heap
/// figures, which are not MQTT (`core/src/broker/sys.rs`).
const LEFT_OUT: &[&str] = &["$SYS/broker/heap/current", "$SYS/broker/heap/maximum"];

/// How long each subscriber listens.
const LISTEN: u32 = 5;

/// One message as `mosquitto_sub -F '%r %q %t<TAB>%p'` prints it (a topic may
/// hold a space: `$SYS/broker/retained messages/count`; `@` is a format
/// character).
#[derive(Debug, Clone)]
struct Msg {
    retained: bool,
    topic: String,
    payload: String,
}

fn parse(line: &str) -> Option<Msg> {
    let (flags, rest) = line.split_at_checked(4)?;
    let (topic, payload) = rest.split_once('\t')?;
    Some(Msg {
        retained: flags.starts_with('1'),
        topic: topic.to_owned(),
        payload: payload.to_owned(),
    })
}

/// What the two subscribers printed on one broker.
struct Seen {
    sys: Vec<Msg>,
    hash: Vec<String>,
}

fn listen(port: u16) -> (Proc, Proc) {
    let port = port.to_string();
    let wait = LISTEN.to_string();
    let sub = |id: &str, filter: &str| {
        Proc::spawn(
            id,
            Path::new(MOSQUITTO_SUB),
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-i",
                id,
                "-t",
                filter,
                "-F",
                "%r %q %t\t%p",
                "-W",
                &wait,
            ],
        )
    };
    // The `#` subscriber first, so both are counted at every tick after the first.
    let hash = sub("hash", "#");
    let sys = sub("sys", "$SYS/#");
    (sys, hash)
}

fn collect((mut sys, mut hash): (Proc, Proc)) -> Seen {
    let within = Duration::from_secs(u64::from(LISTEN) + 5);
    let sys = sys.collect(within);
    let hash = hash.collect(within);
    Seen {
        sys: sys.iter().filter_map(|l| parse(l)).collect(),
        hash,
    }
}

/// Both brokers with `sys_interval 1`, listened to at the same time.
fn both() -> Option<(Seen, Seen)> {
    if !have_mosquitto() {
        return None;
    }
    let m = Mosquitto::start_with("allow_anonymous true\nsys_interval 1\n");
    let conf = std::env::temp_dir().join(format!("mqttlab-sys-{}.conf", std::process::id()));
    std::fs::write(&conf, "sys_interval 1\n").expect("write the config");
    let conf_s = conf.to_str().expect("utf-8 path").to_owned();
    let (_ours, port) = start_mqttlab_broker(&["-c", &conf_s], Duration::from_secs(10));
    let theirs = listen(m.port);
    let ours = listen(port);
    let (theirs, ours) = (collect(theirs), collect(ours));
    let _ = std::fs::remove_file(&conf);
    Some((theirs, ours))
}

/// The last payload of each topic.
fn last(msgs: &[Msg]) -> BTreeMap<String, String> {
    msgs.iter()
        .map(|m| (m.topic.clone(), m.payload.clone()))
        .collect()
}

/// mosquitto's payload format for each topic.
fn well_formed(topic: &str, payload: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if topic == "$SYS/broker/version" {
        payload == "mosquitto version 2.0.11"
    } else if topic == "$SYS/broker/uptime" {
        payload.strip_suffix(" seconds").is_some_and(digits)
    } else if topic.starts_with("$SYS/broker/load/") {
        payload
            .split_once('.')
            .is_some_and(|(i, f)| digits(i) && f.len() == 2 && digits(f))
    } else {
        // mosquitto 2.0.11 can say -1 for clients/disconnected while a client
        // connects (it counts sockets, not sessions).
        digits(payload.strip_prefix('-').unwrap_or(payload))
    }
}

/// The uptimes printed, in order.
fn uptimes(msgs: &[Msg]) -> Vec<u64> {
    msgs.iter()
        .filter(|m| m.topic == "$SYS/broker/uptime")
        .filter_map(|m| m.payload.strip_suffix(" seconds")?.parse().ok())
        .collect()
}

#[test]
fn sys_tree_against_mosquitto_2_0_11() {
    let Some((theirs, ours)) = both() else {
        return;
    };
    let topics = |s: &Seen| -> BTreeSet<String> { s.sys.iter().map(|m| m.topic.clone()).collect() };
    let (t, o) = (topics(&theirs), topics(&ours));
    assert!(
        t.len() > 50,
        "mosquitto published {} $SYS topics: {t:?}",
        t.len()
    );
    for left_out in LEFT_OUT {
        assert!(
            t.contains(*left_out),
            "mosquitto no longer publishes {left_out}"
        );
    }
    let expected: BTreeSet<String> = t
        .iter()
        .filter(|x| !LEFT_OUT.contains(&x.as_str()))
        .cloned()
        .collect();
    assert_eq!(
        o.symmetric_difference(&expected).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "topics only one broker publishes"
    );

    for m in theirs.sys.iter().chain(&ours.sys) {
        assert!(
            well_formed(&m.topic, &m.payload),
            "{} {:?} is not in mosquitto's format",
            m.topic,
            m.payload
        );
    }

    // The tree is retained: a subscriber that comes later gets it at once.
    for (who, s) in [("mosquitto", &theirs), ("mqttlab", &ours)] {
        let first = &s.sys[0];
        assert!(
            first.retained,
            "{who}: the first $SYS message was not retained"
        );
        let version = s.sys.iter().find(|m| m.topic == "$SYS/broker/version");
        assert_eq!(
            version.map(|m| m.payload.as_str()),
            Some("mosquitto version 2.0.11"),
            "{who}"
        );
        // MQTT-4.7.2-1: `#` does not match topics beginning with `$`.
        assert_eq!(s.hash, Vec::<String>::new(), "{who}: '#' saw $SYS messages");
    }

    // Deterministic counts: both subscribers are connected, with one
    // subscription each, and nothing retained outside $SYS.
    let (lt, lo) = (last(&theirs.sys), last(&ours.sys));
    for topic in [
        "$SYS/broker/clients/connected",
        "$SYS/broker/clients/active",
        "$SYS/broker/clients/total",
        "$SYS/broker/subscriptions/count",
        "$SYS/broker/shared_subscriptions/count",
        "$SYS/broker/publish/messages/received",
        "$SYS/broker/publish/messages/dropped",
        "$SYS/broker/clients/expired",
    ] {
        assert_eq!(lo.get(topic), lt.get(topic), "{topic}");
    }
    assert_eq!(lo["$SYS/broker/clients/connected"], "2");
    assert_eq!(lo["$SYS/broker/subscriptions/count"], "2");
}

/// mosquitto 2.0.11 ticks when *more* than `sys_interval` seconds have passed
/// (`db.now_s - interval > last_update`), so `sys_interval 1` publishes every
/// 2 s; we publish every `sys_interval`, as its documentation says.
#[test]
fn mosquitto_2_0_11_ticks_every_sys_interval_plus_one_we_every_sys_interval() {
    let Some((theirs, ours)) = both() else {
        return;
    };
    let steps = |u: &[u64]| -> Vec<u64> { u.windows(2).map(|w| w[1] - w[0]).collect() };
    let (t, o) = (uptimes(&theirs.sys), uptimes(&ours.sys));
    // The first uptime is the retained one; live ones follow.
    let (ts, os) = (steps(&t[1..]), steps(&o[1..]));
    assert!(
        !ts.is_empty() && ts.iter().all(|&d| d == 2),
        "mosquitto: {t:?}"
    );
    assert!(
        os.len() >= 3 && os.iter().all(|&d| d == 1),
        "mqttlab: {o:?}"
    );
}

//! Access control with deny rules: `mqttlab broker` against mosquitto 2.0.11, the
//! same clients (Debian's `mosquitto_pub`/`mosquitto_sub`), one at a time.
//!
//! `mqttlab broker -c FILE` has
//!
//! ```text
//! acl user prof readwrite #
//! acl anyone deny test/nosubscribe
//! acl anyone deny a/b
//! acl anyone readwrite #
//! ```
//!
//! and mosquitto the same rules in its dynamic-security plugin (prof's role, and
//! the anonymous group's role with the denials at a higher priority than `#`).
//! Both must print the same `-v` log, line for line, and the subscriber the same
//! output: a subscription to a denied topic refused (SUBACK 128), a wildcard
//! subscription over it granted with the denied topic withheld (retained message
//! included), denied publishes acknowledged and logged "Denied PUBLISH" (rc135
//! even in 3.1.1, as mosquitto logs it); a 5.0 subscriber (`-V 5`) refused with
//! SUBACK 0x87 and a 5.0 publisher with PUBACK 0x87.
//!
//! A second test pins where mosquitto's plain `acl_file` differs (see
//! `core/src/broker/acl.rs`): it grants a subscription to a denied topic, and it
//! checks every `topic deny` line first wherever it stands.
//!
//! Every process is bounded in time and killed on drop; servers bind 127.0.0.1.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use mqttlab_tests::peers::{have, Peer, DYNSEC};
use mqttlab_tests::procs::{
    normalise_log, start_mosquitto_verbose_with, start_mqttlab_broker, Proc, MOSQUITTO_PUB as PUB,
    MOSQUITTO_SUB as SUB,
};

const WAIT: Duration = Duration::from_secs(10);

const OUR_RULES: &str = "user prof 1234\n\
    acl user prof readwrite #\n\
    acl anyone deny test/nosubscribe\n\
    acl anyone deny a/b\n\
    acl anyone readwrite #\n";

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("mqttlab-acl-{}-{name}", std::process::id()))
}

fn pub_(port: u16, args: &[&str]) {
    let p = port.to_string();
    let mut all = vec!["-h", "127.0.0.1", "-p", p.as_str()];
    all.extend_from_slice(args);
    let mut proc = Proc::spawn("mosquitto_pub", Path::new(PUB), &all);
    proc.wait(WAIT);
}

fn sub(port: u16, args: &[&str]) -> Proc {
    let p = port.to_string();
    let mut all = vec!["-h", "127.0.0.1", "-p", p.as_str(), "-W", "10"];
    all.extend_from_slice(args);
    Proc::spawn("mosquitto_sub", Path::new(SUB), &all)
}

/// The dynamic-security file for mosquitto: prof's password hashed by
/// `mosquitto_ctrl dynsec init` itself, the roles written here.
fn dynsec_file() -> PathBuf {
    let path = temp("dynsec.json");
    let _ = std::fs::remove_file(&path);
    let out = Command::new("timeout")
        .args(["10", "mosquitto_ctrl", "dynsec", "init"])
        .arg(&path)
        .args(["prof", "1234"])
        .output()
        .expect("run mosquitto_ctrl");
    assert!(out.status.success(), "mosquitto_ctrl dynsec init: {out:?}");
    let text = std::fs::read_to_string(&path).expect("read the dynsec file");
    let init: serde_json::Value = serde_json::from_str(&text).expect("dynsec json");
    let mut prof = init["clients"][0].clone();
    prof["roles"] = serde_json::json!([{ "rolename": "prof" }]);
    let acl = |acltype: &str, topic: &str, priority: i64, allow: bool| serde_json::json!({"acltype": acltype, "topic": topic, "priority": priority, "allow": allow});
    let every = |topic: &str, priority: i64, allow: bool| {
        [
            "publishClientSend",
            "publishClientReceive",
            "subscribePattern",
        ]
        .map(|t| acl(t, topic, priority, allow))
    };
    let mut anon = Vec::new();
    anon.extend(every("test/nosubscribe", 3, false));
    anon.extend(every("a/b", 2, false));
    anon.extend(every("#", 1, true));
    let doc = serde_json::json!({
        "clients": [prof],
        "groups": [{ "groupname": "anon", "roles": [{ "rolename": "anon" }] }],
        "anonymousGroup": "anon",
        "roles": [
            { "rolename": "prof", "acls": every("#", 1, true) },
            { "rolename": "anon", "acls": anon },
        ],
        "defaultACLAccess": {
            "publishClientSend": false, "publishClientReceive": false,
            "subscribe": false, "unsubscribe": true
        }
    });
    std::fs::write(&path, doc.to_string()).expect("write the dynsec file");
    path
}

/// One client at a time, so that the log's order is fixed. Returns what the
/// subscriber printed.
fn scripted_session(port: u16, broker: &mut Proc) -> Vec<String> {
    // Allowed for prof: a retained message on a/b, which anyone may not read.
    pub_(
        port,
        &[
            "-i", "p1", "-u", "prof", "-P", "1234", "-t", "a/b", "-m", "antes", "-r", "-q", "1",
        ],
    );
    broker.wait_for("Client p1 disconnected.", WAIT);
    let mut s = sub(
        port,
        &[
            "-i",
            "s1",
            "-t",
            "test/nosubscribe",
            "-t",
            "a/#",
            "-t",
            "a/b",
            "-t",
            "+/b",
            "-v",
            "-d",
        ],
    );
    broker.wait_for("Sending SUBACK to s1", WAIT);
    // A 5.0 subscriber is refused with 0x87 Not authorized; -E: it leaves once
    // acknowledged.
    let mut s5 = sub(
        port,
        &[
            "-i",
            "s5",
            "-V",
            "5",
            "-t",
            "test/nosubscribe",
            "-t",
            "a/#",
            "-d",
            "-E",
        ],
    );
    s5.wait(WAIT);
    broker.wait_for("Client s5 disconnected.", WAIT);
    let steps: [&[&str]; 6] = [
        &[
            "-i", "p2", "-u", "prof", "-P", "1234", "-t", "a/b", "-m", "prof", "-q", "1",
        ],
        &["-i", "w1", "-t", "a/c", "-m", "ok", "-q", "1"],
        &["-i", "w2", "-t", "test/nosubscribe", "-m", "no", "-q", "2"],
        &["-i", "w3", "-t", "a/b", "-m", "no", "-q", "0"],
        &["-i", "w5", "-V", "5", "-t", "a/b", "-m", "no", "-q", "1"],
        &["-i", "w4", "-t", "a/d", "-m", "fim", "-q", "1"],
    ];
    for args in steps {
        pub_(port, args);
        broker.wait_for(&format!("Client {} disconnected.", args[1]), WAIT);
    }
    // Its subscriptions are QoS 0 and it is stopped only now, so that no line
    // of its own races a publisher's in the log.
    s.wait_for("a/d fim", WAIT);
    s.kill();
    broker.wait_for("Client s1 closed its connection.", WAIT);
    broker.settle(Duration::from_millis(300));
    let mut out = s.seen.clone();
    out.extend(s5.collect(WAIT));
    out
}

#[test]
fn deny_rules_like_mosquitto_dynamic_security() {
    if !have(&[
        Peer::Mosquitto,
        Peer::MosquittoClients,
        Peer::DynamicSecurity,
    ]) {
        return;
    }
    let json = dynsec_file();
    let (mut real, port, conf) = start_mosquitto_verbose_with(
        "broker-acl",
        &format!(
            "allow_anonymous true\nplugin {DYNSEC}\nplugin_opt_config_file {}\n",
            json.display()
        ),
        WAIT,
    );
    let theirs = scripted_session(port, &mut real);
    let want = normalise_log(&real.seen);
    real.kill();
    let _ = std::fs::remove_file(conf);
    let _ = std::fs::remove_file(&json);

    let rules = temp("mqttlab.conf");
    std::fs::write(&rules, OUR_RULES).expect("write the broker config");
    let (mut ours, port) = start_mqttlab_broker(&["-c", rules.to_str().unwrap()], WAIT);
    let mine = scripted_session(port, &mut ours);
    let got = normalise_log(&ours.seen);
    let _ = std::fs::remove_file(&rules);

    // What the subscriber saw: the SUBACK codes and only the allowed messages.
    assert!(
        theirs.contains(&"Subscribed (mid: 1): 128, 0, 128, 0".to_string()),
        "{theirs:#?}"
    );
    assert!(
        theirs.contains(&"Subscribed (mid: 1): 135, 0".to_string()),
        "5.0: {theirs:#?}"
    );
    let messages = |out: &[String]| -> Vec<String> {
        out.iter()
            .filter(|l| l.starts_with("a/") || l.starts_with("test/"))
            .cloned()
            .collect()
    };
    assert_eq!(messages(&theirs), ["a/c ok", "a/d fim"]);
    assert_eq!(mine, theirs);
    // The broker log, line by line.
    for line in [
        "Denied PUBLISH from w2 (d0, q2, r0, m1, 'test/nosubscribe', ... (2 bytes))",
        "Sending PUBREC to w2 (m1, rc135)",
        "Denied PUBLISH from w3 (d0, q0, r0, m0, 'a/b', ... (2 bytes))",
        "Sending PUBACK to w5 (m1, rc135)",
    ] {
        assert!(want.iter().any(|l| l == line), "mosquitto: {line}");
    }
    assert!(want.len() > 40, "mosquitto log too short: {want:#?}");
    assert_eq!(got, want);
}

/// mosquitto's plain `acl_file` differs from this ACL on purpose (both pinned):
/// it grants a SUBSCRIBE to a denied topic (0, and then withholds its messages;
/// we answer 128), and a `topic deny` line denies even after `topic readwrite #`
/// (we check in order: the `#` line decides first).
#[test]
fn mosquitto_acl_file_differences_pinned() {
    if !have(&[Peer::Mosquitto, Peer::MosquittoClients]) {
        return;
    }
    // The same rules in both orders, in mosquitto's words and in ours.
    for (name, theirs, ours, sub_codes, ours_codes, a_b_delivered) in [
        (
            "deny-first",
            "topic deny a/b\ntopic readwrite #\n",
            "acl anyone deny a/b\nacl anyone readwrite #\n",
            "0, 0",
            "128, 0",
            false,
        ),
        (
            "deny-last",
            "topic readwrite #\ntopic deny a/b\n",
            "acl anyone readwrite #\nacl anyone deny a/b\n",
            "0, 0",
            "0, 0",
            true,
        ),
    ] {
        let acl_file = temp(&format!("{name}.acl"));
        std::fs::write(&acl_file, theirs).expect("write the acl_file");
        let (mut real, port, conf) = start_mosquitto_verbose_with(
            "broker-acl-file",
            &format!("allow_anonymous true\nacl_file {}\n", acl_file.display()),
            WAIT,
        );
        let real_out = a_b_run(port, &mut real);
        real.kill();
        let _ = std::fs::remove_file(conf);
        let _ = std::fs::remove_file(&acl_file);

        let rules = temp(&format!("{name}.conf"));
        std::fs::write(&rules, ours).expect("write the broker config");
        let (mut b, port) = start_mqttlab_broker(&["-c", rules.to_str().unwrap()], WAIT);
        let our_out = a_b_run(port, &mut b);
        let _ = std::fs::remove_file(&rules);

        let codes = |out: &[String]| {
            out.iter()
                .find_map(|l| l.strip_prefix("Subscribed (mid: 1): ").map(str::to_owned))
                .unwrap_or_default()
        };
        assert_eq!(
            codes(&real_out),
            sub_codes,
            "{name}: mosquitto {real_out:#?}"
        );
        assert_eq!(codes(&our_out), ours_codes, "{name}: ours {our_out:#?}");
        // mosquitto withholds a/b in both orders; we only when deny comes first.
        let got_a_b = |out: &[String]| out.iter().any(|l| l == "a/b x");
        assert!(!got_a_b(&real_out), "{name}: mosquitto {real_out:#?}");
        assert_eq!(
            got_a_b(&our_out),
            a_b_delivered,
            "{name}: ours {our_out:#?}"
        );
        for out in [&real_out, &our_out] {
            assert!(out.iter().any(|l| l == "a/c y"), "{name}: {out:#?}");
        }
    }
}

/// A subscriber to `a/b` and `a/#`; publishes on a/b then a/c; what it printed.
fn a_b_run(port: u16, broker: &mut Proc) -> Vec<String> {
    let mut s = sub(port, &["-i", "s", "-t", "a/b", "-t", "a/#", "-v", "-d"]);
    broker.wait_for("Sending SUBACK to s", WAIT);
    pub_(port, &["-i", "p", "-t", "a/b", "-m", "x"]);
    broker.wait_for("Client p disconnected.", WAIT);
    pub_(port, &["-i", "q", "-t", "a/c", "-m", "y"]);
    s.wait_for("a/c y", WAIT);
    s.kill();
    s.seen.clone()
}

/// A rule naming the client's own user name (`%u`) means what mosquitto 2.0.11's
/// `pattern` lines mean: each user reads and writes only under its own name, and
/// a publish under another's is denied ("Denied PUBLISH") and reaches no one.
/// The classroom's per-student topics rest on this (`core/src/classroom/`, with
/// `%c`, the same substitution).
#[test]
fn own_topic_patterns_like_mosquitto_acl_file() {
    if !have(&[Peer::Mosquitto, Peer::MosquittoClients]) {
        return;
    }
    let run = |port: u16, broker: &mut Proc| -> (Vec<String>, bool) {
        let mut s = sub(port, &["-i", "s1", "-u", "ana", "-t", "turma/ana/#", "-v"]);
        broker.wait_for("Sending SUBACK to s1", WAIT);
        pub_(
            port,
            &[
                "-i",
                "p2",
                "-u",
                "bia",
                "-t",
                "turma/ana/forjada",
                "-m",
                "x",
            ],
        );
        broker.wait_for("Client p2 disconnected.", WAIT);
        pub_(
            port,
            &["-i", "p1", "-u", "ana", "-t", "turma/ana/nota", "-m", "ok"],
        );
        s.wait_for("turma/ana/nota ok", WAIT);
        s.kill();
        let denied = broker
            .seen
            .iter()
            .any(|l| l.contains("Denied PUBLISH from p2"));
        (s.seen.clone(), denied)
    };
    let acl_file = temp("pattern.acl");
    std::fs::write(&acl_file, "pattern readwrite turma/%u/#\n").expect("write the acl_file");
    let (mut real, port, conf) = start_mosquitto_verbose_with(
        "broker-acl-pattern",
        &format!("allow_anonymous true\nacl_file {}\n", acl_file.display()),
        WAIT,
    );
    let (real_out, real_denied) = run(port, &mut real);
    real.kill();
    let _ = std::fs::remove_file(conf);
    let _ = std::fs::remove_file(&acl_file);

    let rules = temp("pattern.conf");
    std::fs::write(&rules, "acl anyone readwrite turma/%u/#\n").expect("write the config");
    let (mut b, port) = start_mqttlab_broker(&["-c", rules.to_str().unwrap()], WAIT);
    let (our_out, our_denied) = run(port, &mut b);
    let _ = std::fs::remove_file(&rules);

    assert_eq!(real_out, ["turma/ana/nota ok"], "mosquitto");
    assert_eq!(our_out, real_out, "ours");
    assert!(real_denied && our_denied, "both log Denied PUBLISH from p2");
}

//! MQTT 5.0 §4.8.2: a member of a shared subscription whose session ends while it
//! holds QoS 1 messages it never acknowledged. The standard says the broker
//! SHOULD send them to another member of the group; mosquitto 2.0.11 drops them
//! with the session. `mqttlab broker` follows the standard; this test pins the
//! difference, which the guided lab shared-subscriptions-5 tells students about.
//!
//! The same run on both brokers, with Debian's `mosquitto_sub`/`mosquitto_pub
//! -V 5`: three workers share `$share/g/tarefas` at QoS 1 with a 5 s keepalive;
//! w2 is stopped with SIGSTOP, like a host that vanished (its socket stays open,
//! it reads nothing and sends no PINGREQ); six jobs are published, and the broker
//! hands w2 its turns. When keepalive finds w2 silent (1.5 x 5 s) its connection
//! and its session (no Session Expiry Interval) end. Then w1 and w3 have printed
//! all six jobs on our broker, and four on mosquitto: the two it had sent to w2
//! are lost.
//!
//! Every process is bounded in time and killed on drop; servers bind 127.0.0.1.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use mqttlab_tests::peers::{have, Peer};
use mqttlab_tests::procs::{
    start_mosquitto_verbose, start_mqttlab_broker, Proc, MOSQUITTO_PUB, MOSQUITTO_SUB,
};

const WAIT: Duration = Duration::from_secs(10);

/// A worker, once the broker's log says it sent it its SUBACK (mosquitto_sub's
/// `-d` lines are not flushed to a pipe; its messages are).
fn worker(port: u16, id: &str, broker: &mut Proc) -> Proc {
    let p = port.to_string();
    let w = Proc::spawn(
        id,
        Path::new(MOSQUITTO_SUB),
        &[
            "-V",
            "5",
            "-h",
            "127.0.0.1",
            "-p",
            &p,
            "-t",
            "$share/g/tarefas",
            "-q",
            "1",
            "-k",
            "5",
            "-i",
            id,
            "-W",
            "40",
        ],
    );
    broker.wait_for(&format!("Sending SUBACK to {id}"), WAIT);
    w
}

fn signal(w: &Proc, sig: &str) {
    let status = Command::new("kill")
        .args([sig, &w.child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill {sig}");
}

/// The jobs w1 and w3 printed, sorted, once w2 has been silent long enough for
/// keepalive to end its session; and the ones the broker's log says it sent w2.
fn run(port: u16, broker: &mut Proc) -> (Vec<String>, usize) {
    let mut w1 = worker(port, "w1", broker);
    let mut w2 = worker(port, "w2", broker);
    let mut w3 = worker(port, "w3", broker);
    signal(&w2, "-STOP");
    let p = port.to_string();
    for n in 1..=6 {
        let job = format!("job{n}");
        let mut publisher = Proc::spawn(
            "mosquitto_pub",
            Path::new(MOSQUITTO_PUB),
            &[
                "-V",
                "5",
                "-h",
                "127.0.0.1",
                "-p",
                &p,
                "-t",
                "tarefas",
                "-q",
                "1",
                "-m",
                &job,
            ],
        );
        publisher.wait(WAIT);
    }
    // Keepalive: 7.5 s after w2's last packet; the broker checks it within a
    // second or so more.
    broker.wait_for(
        "Client w2 has exceeded timeout, disconnecting.",
        WAIT + WAIT,
    );
    let sent_to_w2 = broker
        .settle(Duration::from_secs(2))
        .iter()
        .filter(|l| l.contains("Sending PUBLISH to w2"))
        .count();
    let mut jobs: Vec<String> = [&mut w1, &mut w3]
        .into_iter()
        .flat_map(|w| w.settle(Duration::from_secs(1)))
        .filter(|l| l.starts_with("job"))
        .collect();
    jobs.sort();
    signal(&w2, "-CONT");
    w2.kill();
    (jobs, sent_to_w2)
}

fn all_jobs() -> Vec<String> {
    (1..=6).map(|n| format!("job{n}")).collect()
}

// The two brokers in two tests, which libtest runs side by side: each waits
// about 10 s on keepalive, one after the other took twice that.

#[test]
fn a_dead_members_unacknowledged_qos1_messages_go_to_another_member() {
    if !have(&[Peer::Mosquitto, Peer::MosquittoClients]) {
        return;
    }
    let (mut ours, port) = start_mqttlab_broker(&[], WAIT);
    let (jobs, sent_to_w2) = run(port, &mut ours);
    assert_eq!(sent_to_w2, 2, "our broker hands w2 its turns");
    assert_eq!(jobs, all_jobs(), "our broker: every job reaches w1 or w3");
}

#[test]
fn mosquitto_2_0_11_drops_a_dead_members_unacknowledged_qos1_messages() {
    if !have(&[Peer::Mosquitto, Peer::MosquittoClients]) {
        return;
    }
    let (mut mosquitto, port, conf) = start_mosquitto_verbose("shared-redistribution", WAIT);
    let (jobs, sent_to_w2) = run(port, &mut mosquitto);
    let _ = std::fs::remove_file(conf);
    assert_eq!(sent_to_w2, 2, "mosquitto hands w2 its turns too");
    assert_eq!(
        jobs.len(),
        4,
        "mosquitto 2.0.11 drops the two jobs it sent w2 with its session: {jobs:?}"
    );
    assert!(jobs.iter().all(|j| all_jobs().contains(j)), "{jobs:?}");
}

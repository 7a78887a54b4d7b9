//! A short version of the adversarial suite's key cases (issue 19), asserting
//! the targets that are bounds or ratios, not times: `mqttlab broker` and
//! mosquitto 2.0.11 side by side, a fresh broker of each per case, each with
//! its default limits (the figures: `scripts/bench.sh adversarial`).
//!
//! - peak memory of ours at most max(mosquitto's, 32 MB), and never above 200 MB,
//!   also with 2,000 idle sockets;
//! - honest clients lose nothing at QoS 1/2 (and get no QoS 2 message twice);
//! - an honest QoS 1 publisher keeps getting PUBACKs while a subscriber that
//!   never acknowledges is subscribed to its topic.
//!
//! Every case is bounded in time (about 1.5 s per broker) and in count; brokers
//! run on free 127.0.0.1 ports and are killed at the end, also on panic.

use std::time::Duration;

use mqttlab_core::codec::QoS;
use mqttlab_tests::adversarial::{measure, table, Attack, Figures, Row, Timing};
use mqttlab_tests::peers::{have, Peer};
use mqttlab_tests::procs::mqttlab;

/// Below this, memory is the broker's own start-up, not what an attack made it
/// keep.
const FLOOR_KB: u64 = 32 * 1024;
const CEILING_KB: u64 = 200 * 1024;
/// PUBACKs an honest publisher must get during the attack (0.8 s): ten times
/// what it gets before a stall (its window of 20 plus a subscriber's in-flight
/// window of 20).
const MIN_PUBACKS: u64 = 400;

const TIMING: Timing = Timing {
    warmup: Duration::from_millis(300),
    run: Duration::from_millis(800),
    drain: Duration::from_secs(3),
};

/// One round on each broker, without no-attack rounds: nothing here compares
/// latencies.
fn both(attack: Attack) -> Row {
    let row = measure(attack, mqttlab(), TIMING, 1, false, 19);
    // The figures go with the test's output, whatever happens next.
    eprintln!("{}", table(std::slice::from_ref(&row)));
    row
}

fn memory_is_bounded(row: &Row) {
    let (ours, theirs) = (row.ours.peak_kb(), row.theirs.peak_kb());
    assert!(
        ours <= theirs.max(FLOOR_KB) && ours <= CEILING_KB,
        "{}: mqttlab peaked at {} MB, mosquitto at {} MB (bound: max(mosquitto, {} MB), at most {} MB)",
        row.attack.name(),
        ours / 1024,
        theirs / 1024,
        FLOOR_KB / 1024,
        CEILING_KB / 1024
    );
}

fn honest_lost_nothing(f: &Figures, attack: Attack) {
    let h = &f.honest;
    assert!(
        h.errors.is_empty(),
        "{}: an honest client failed: {:?}",
        attack.name(),
        h.errors
    );
    assert!(
        h.sent[0] > 0 && h.sent[1] > 0,
        "{}: the honest publisher sent nothing",
        attack.name()
    );
    assert!(
        !h.lost_anything(),
        "{}: honest messages lost at QoS 1/2: {:?} of {:?}, QoS 2 duplicates {}",
        attack.name(),
        h.lost,
        h.sent,
        h.dup_qos2
    );
}

#[test]
fn a_subscriber_that_never_reads_costs_bounded_memory_and_nothing_to_others() {
    if !have(&[Peer::Mosquitto]) {
        return;
    }
    let row = both(Attack::NeverReads(QoS::AtMostOnce));
    assert!(row.ours.alive(), "mqttlab broker died");
    honest_lost_nothing(&row.ours.attacked[0], row.attack);
    memory_is_bounded(&row);
}

#[test]
fn a_subscriber_that_never_acknowledges_stalls_no_publisher() {
    if !have(&[Peer::Mosquitto]) {
        return;
    }
    for qos in [QoS::AtLeastOnce, QoS::ExactlyOnce] {
        let row = both(Attack::NeverAcks(qos));
        assert!(row.ours.alive(), "mqttlab broker died");
        let (ours, theirs) = (&row.ours.attacked[0], &row.theirs.attacked[0]);
        honest_lost_nothing(ours, row.attack);
        assert!(
            ours.honest.pubacks >= MIN_PUBACKS,
            "{}: the honest QoS 1 publisher got {} PUBACKs in {:.1} s (mosquitto: {}); a stall gives about 40",
            row.attack.name(),
            ours.honest.pubacks,
            ours.honest.puback_secs,
            theirs.honest.pubacks
        );
        memory_is_bounded(&row);
    }
}

#[test]
fn idle_sockets_cost_bounded_memory() {
    if !have(&[Peer::Mosquitto]) {
        return;
    }
    let row = both(Attack::Idle(2000));
    assert!(row.ours.alive(), "mqttlab broker died");
    honest_lost_nothing(&row.ours.attacked[0], row.attack);
    memory_is_bounded(&row);
}

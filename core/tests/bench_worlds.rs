//! The benchmark worlds (`mqttlab bench-sim`) are pinned like the bundled
//! scenarios: a smaller copy of each runs with its trace hashed, and the hash
//! and counters must stay what they were. The simulator's speed work may change
//! how a run is computed, never what it computes; the bundled scenarios'
//! golden hashes (`scenarios.rs`) cover the features, these cover the hot loop
//! at a scale the scenarios do not reach (hundreds of clients, QoS 1 fan-out
//! with jitter, thousands of sensors). The event count is not pinned: it
//! counts the queue's work, which an optimisation may rightly lessen.

use mqttlab_core::sim::bench::{scale_world, speed_world};
use mqttlab_core::sim::{Stats, TraceMode, World};
use mqttlab_core::time::Instant;

fn run(mut w: World, secs: u64) -> (u64, u64, Stats) {
    w.run_until(Instant::from_secs(secs));
    (w.trace().hash(), w.trace().len(), w.stats())
}

#[test]
fn speed_world_is_unchanged() {
    let (hash, entries, s) = run(speed_world(20, TraceMode::HashOnly), 30);
    assert_eq!(
        (format!("{hash:016x}"), entries, s.packets_delivered),
        ("3d7d594f1ac86033".to_owned(), 19825, 6574)
    );
    // The full trace hashes what the hash-only one hashes.
    let (full, _, _) = run(speed_world(20, TraceMode::Full), 30);
    assert_eq!(full, hash);
}

#[test]
fn scale_world_is_unchanged() {
    let (hash, entries, s) = run(scale_world(300, TraceMode::HashOnly), 120);
    assert_eq!(
        (format!("{hash:016x}"), entries, s.packets_delivered),
        ("c026e60da61f5aad".to_owned(), 13803, 4200)
    );
}

#[test]
fn no_trace_runs_the_same_world() {
    let (_, _, off) = run(speed_world(20, TraceMode::Off), 30);
    let (_, _, hashed) = run(speed_world(20, TraceMode::HashOnly), 30);
    assert_eq!(off, hashed);
    let (_, _, off) = run(scale_world(300, TraceMode::Off), 120);
    let (_, _, hashed) = run(scale_world(300, TraceMode::HashOnly), 120);
    assert_eq!(off, hashed);
}

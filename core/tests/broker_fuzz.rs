//! Fuzzing of the broker itself (not only the codec): random packet streams
//! from up to eight connections of six clients (honest, never acknowledging,
//! sloppy), garbage, packets out of place, closes and timeouts, against the
//! sans-IO broker on a virtual clock, with a configuration drawn from the seed.
//! After every step (`broker_fuzz/world.rs`):
//!
//! - nothing panics, and every byte sent decodes to the packet it claims to be;
//! - nothing is sent before CONNACK, after a close, or of a kind a broker must
//!   not send; SUBACK and UNSUBACK answer a request, with one code per filter;
//! - a fresh PUBLISH never reuses a packet id in flight; in flight never above
//!   `max_inflight_messages`; queued never above `max_queued_messages`; the
//!   broker's window of every session is the one the standard gives from what
//!   the client sent; a resend is for a delivery still waiting at that stage;
//! - a message goes to a client's application at most once per routing (QoS 2
//!   exactly once, even when resent);
//! - without held acknowledgements a QoS 1 PUBLISH is acknowledged at once
//!   (no publisher waits on a subscriber); a QoS 2 PUBLISH always is;
//! - connections and sessions agree (one connection per client, no clean
//!   session offline), and the retained store matches its events;
//! - after `handle_timeout(now)` the next deadline is later than `now`.
//!
//! At the end every client turns honest: connected sessions must empty their
//! windows and queues, every QoS 1 publisher must have all its PUBACKs, and a
//! fresh subscriber must get every message of a fresh publisher.
//!
//! `cargo test -p mqttlab-core --test broker_fuzz` runs a few seconds of seeds;
//! the long run (10 million packets by default):
//!
//! ```text
//! nice -n 19 cargo test --release -p mqttlab-core --test broker_fuzz -- --ignored --nocapture
//! BROKER_FUZZ_PACKETS=1000000 BROKER_FUZZ_FIRST_SEED=5000 ...   # another stretch
//! BROKER_FUZZ_SEED=1234 cargo test -p mqttlab-core --test broker_fuzz one_seed -- --nocapture
//! ```
#![cfg(not(target_arch = "wasm32"))]

#[path = "broker_fuzz/model.rs"]
mod model;
#[path = "broker_fuzz/world.rs"]
mod world;

use std::time::Instant;

use world::World;

/// Steps of one seed's world before it heals.
const STEPS: u64 = 3000;

/// Runs one seed: its packets and digest, or what broke, with the seed to
/// reproduce it.
fn run(seed: u64, steps: u64) -> Result<(u64, u64), String> {
    let mut w = World::new(seed);
    let fail = |v: world::Violation, w: &World| {
        format!(
            "seed {seed}, step {}: {}\n  config: {:?}\n  reproduce: BROKER_FUZZ_SEED={seed} cargo test -p mqttlab-core --test broker_fuzz one_seed -- --nocapture",
            v.step, v.what, w.config
        )
    };
    for _ in 0..steps {
        if let Err(v) = w.step() {
            return Err(fail(v, &w));
        }
    }
    if let Err(v) = w.heal_and_probe() {
        return Err(fail(v, &w));
    }
    Ok((w.packets, w.digest))
}

/// Runs seeds from `first` until `packets` packets went in; panics with the
/// failing seed.
fn campaign(first: u64, packets: u64, steps: u64, report: bool) -> (u64, u64) {
    let start = Instant::now();
    let (mut done, mut seed, mut next_report) = (0u64, first, 1_000_000u64);
    while done < packets {
        match std::panic::catch_unwind(|| run(seed, steps)) {
            Ok(Ok((n, _))) => done += n,
            Ok(Err(e)) => panic!("{e}"),
            Err(_) => panic!(
                "seed {seed} panicked; reproduce: BROKER_FUZZ_SEED={seed} cargo test -p mqttlab-core --test broker_fuzz one_seed -- --nocapture"
            ),
        }
        seed += 1;
        if report && done >= next_report {
            eprintln!(
                "broker fuzz: {done} packets, {} seeds, {:.0} s",
                seed - first,
                start.elapsed().as_secs_f64()
            );
            next_report += 1_000_000;
        }
    }
    (done, seed - first)
}

#[test]
fn random_packet_streams_keep_every_invariant() {
    // About 30,000 packets: a few seconds in a debug build.
    let (packets, seeds) = campaign(0, 30_000, STEPS, false);
    assert!(seeds >= 5, "{packets} packets over {seeds} seeds");
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    for seed in [7, 8, 9] {
        assert_eq!(run(seed, 2000), run(seed, 2000), "seed {seed}");
    }
}

/// One seed from `BROKER_FUZZ_SEED` (a failure's reproduction).
#[test]
fn one_seed() {
    let Ok(seed) = std::env::var("BROKER_FUZZ_SEED") else {
        return;
    };
    let seed: u64 = seed.parse().expect("BROKER_FUZZ_SEED is a number");
    if let Err(e) = run(seed, STEPS) {
        panic!("{e}");
    }
}

/// The long run: `BROKER_FUZZ_PACKETS` packets (10 million by default) from
/// seed `BROKER_FUZZ_FIRST_SEED` (1,000,000 by default, away from the short
/// test's seeds).
#[test]
#[ignore = "long: about 10 million packets; run with --release --ignored"]
fn ten_million_packets() {
    let env = |k: &str, d: u64| std::env::var(k).map_or(d, |v| v.parse().expect("a number"));
    let packets = env("BROKER_FUZZ_PACKETS", 10_000_000);
    let first = env("BROKER_FUZZ_FIRST_SEED", 1_000_000);
    let start = Instant::now();
    let (done, seeds) = campaign(first, packets, STEPS, true);
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "broker fuzz: {done} packets, {seeds} seeds from {first}, {secs:.1} s, {:.0} packets/s, no violation",
        done as f64 / secs
    );
}

//! What a scrub of the timeline costs on a 100,000-event world: a moment rebuilt
//! from the nearest checkpoint (a clone of the world and at most
//! `CHECKPOINT_EVERY` events) against the same moment replayed from the
//! scenario. Prints the figures; `cargo test --release -p mqttlab-core --test
//! replay -- --nocapture` gives the ones the README quotes.

use std::time::Instant as Clock;

use mqttlab_core::sim::bench::{scrub_world_source, SCRUB_SECONDS, SCRUB_SENSORS};
use mqttlab_core::sim::replay::{Timeline, CHECKPOINT_EVERY};
use mqttlab_core::sim::{scenario, TraceMode};
use mqttlab_core::time::Instant;

#[test]
fn replay_cost() {
    let source = scrub_world_source(SCRUB_SENSORS, SCRUB_SECONDS);
    let sc = scenario::parse(&source).unwrap();
    let end = sc.end_time();
    let clock = Clock::now();
    let mut live = Timeline::new(sc.build(1, TraceMode::Full).unwrap());
    live.run_until(end);
    let run_ms = clock.elapsed().as_secs_f64() * 1e3;
    let events = live.world().stats().events;
    assert!(events >= 100_000, "{events} events");
    eprintln!(
        "world: {events} events, {} trace entries, run with {} checkpoints in {run_ms:.0} ms",
        live.world().trace().entries().len(),
        live.checkpoints()
    );

    // The worst moments are just before a checkpoint: sample many.
    let mut worst = (0.0f64, 0u64);
    let mut total = 0.0;
    let samples = 40u64;
    for k in 0..samples {
        let t = Instant::from_micros(end.as_micros() * (2 * k + 1) / (2 * samples) + 7_777 * k);
        let clock = Clock::now();
        let past = live.at(t);
        let ms = clock.elapsed().as_secs_f64() * 1e3;
        assert!(
            past.replayed <= CHECKPOINT_EVERY + 50,
            "{} events replayed",
            past.replayed
        );
        assert_eq!(past.world.now(), t);
        total += ms;
        if ms > worst.0 {
            worst = (ms, past.replayed);
        }
    }
    eprintln!(
        "scrub from checkpoints (every {CHECKPOINT_EVERY} events): mean {:.2} ms, worst {:.2} ms ({} events replayed)",
        total / samples as f64,
        worst.0,
        worst.1
    );

    // A moment right at a checkpoint: what the clone alone costs.
    let times = live.checkpoint_times();
    let t = times[times.len() - 1];
    let clock = Clock::now();
    let past = live.at(t);
    eprintln!(
        "clone of the last checkpoint: {:.2} ms ({} events replayed)",
        clock.elapsed().as_secs_f64() * 1e3,
        past.replayed
    );

    // The other way: the scenario and its inputs replayed up to the moment.
    let t = Instant::from_micros(end.as_micros() * 9 / 10);
    let clock = Clock::now();
    let mut w = sc.build(1, TraceMode::Full).unwrap();
    w.run_until(t);
    let fresh_ms = clock.elapsed().as_secs_f64() * 1e3;
    let clock = Clock::now();
    let past = live.at(t);
    let scrub_ms = clock.elapsed().as_secs_f64() * 1e3;
    assert_eq!(past.entries, w.trace().entries());
    eprintln!(
        "t = 90 s: replayed from the scenario {fresh_ms:.1} ms ({} events), from a checkpoint {scrub_ms:.2} ms ({} events)",
        w.stats().events,
        past.replayed
    );
}

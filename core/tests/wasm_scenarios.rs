//! Every bundled scenario run in a real browser (headless Chromium through
//! wasm-bindgen-test) gives the trace hash the native run gives: the golden file is
//! written and checked by `scenarios.rs` natively and read here.
#![cfg(target_arch = "wasm32")]

use mqttlab_core::sim::bundled::BUNDLED;
use mqttlab_core::sim::scenario;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const GOLDEN: &str = include_str!("sim_golden_hashes.txt");

#[wasm_bindgen_test]
fn bundled_scenarios_hash_as_natively() {
    // Every scenario runs, and every one that fails is named (one test, not one
    // per scenario: the suite's start-up in the browser is its larger cost).
    let mut failures = Vec::new();
    let mut checked = 0;
    for line in GOLDEN.lines() {
        let (name, hash) = line.split_once(' ').unwrap();
        checked += 1;
        let Some(b) = BUNDLED.iter().find(|b| b.name == name) else {
            failures.push(format!("{name}: in the golden file, not bundled"));
            continue;
        };
        let report = match scenario::run(b.source, None) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{name}: does not run in the browser: {e}"));
                continue;
            }
        };
        if !report.passed() {
            failures.push(format!("{name}: an expectation failed in the browser"));
        }
        let got = format!("{:016x}", report.world.trace().hash());
        if got != hash {
            failures.push(format!(
                "{name}: the browser's trace hash is {got}, the native one {hash}"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    assert_eq!(checked, BUNDLED.len(), "scenarios in the golden file");
}

#[wasm_bindgen_test]
fn swarm_seeds_hash_the_same_twice_in_the_browser() {
    use mqttlab_core::sim::swarm::run_seed;
    for seed in 0..50 {
        let a = run_seed(seed);
        assert!(a.violation.is_none(), "seed {seed}: {:?}", a.violation);
        assert_eq!(a.hash, run_seed(seed).hash);
    }
}

/// Simulation speed in the browser, on the same world as `mqttlab bench-sim`'s
/// speed line: the figure is printed to the test log.
#[wasm_bindgen_test]
fn speed_world_in_the_browser() {
    let mut w = mqttlab_core::sim::bench::speed_world(50, mqttlab_core::sim::TraceMode::Off);
    let start = js_sys::Date::now();
    w.run_until(mqttlab_core::time::Instant::from_secs(120));
    let ms = (js_sys::Date::now() - start).max(1.0);
    let s = w.stats();
    console_log!(
        "wasm speed world: {} packets delivered, {} events in {ms:.0} ms = {:.0} packets/s",
        s.packets_delivered,
        s.events,
        s.packets_delivered as f64 * 1000.0 / ms
    );
    assert!(s.packets_delivered > 100_000);
}

/// The bundled scenarios' mix in the browser: the figure is printed to the test log.
#[wasm_bindgen_test]
fn simulation_speed_in_the_browser() {
    let start = js_sys::Date::now();
    let mut delivered = 0u64;
    let mut events = 0u64;
    for b in BUNDLED {
        for seed in 0..5 {
            let sc = scenario::parse(b.source).unwrap();
            let r = sc.run(seed, mqttlab_core::sim::TraceMode::Off).unwrap();
            delivered += r.world.stats().packets_delivered;
            events += r.world.stats().events;
        }
    }
    let ms = (js_sys::Date::now() - start).max(1.0);
    console_log!(
        "wasm: {delivered} packets delivered, {events} events in {ms:.0} ms = {:.0} packets/s",
        delivered as f64 * 1000.0 / ms
    );
}

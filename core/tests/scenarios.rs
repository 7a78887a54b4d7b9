//! Every bundled scenario runs natively and all its expectations hold; each runs
//! twice with the same seed and gives the same trace hash.

use mqttlab_core::sim::bundled::BUNDLED;
use mqttlab_core::sim::scenario;

#[test]
fn every_bundled_scenario_passes_and_replays() {
    let mut failures = Vec::new();
    for b in BUNDLED {
        let report = match scenario::run(b.source, None) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{}: does not parse:\n{e}", b.name));
                continue;
            }
        };
        for r in &report.results {
            if !r.passed {
                failures.push(format!("{}:{}: {} -- {}", b.name, r.line, r.text, r.detail));
            }
        }
        if std::env::var_os("SIM_DUMP").is_some() {
            eprintln!("==== {}\n{}", b.name, report.world.trace().to_text());
        }
        let again = scenario::run(b.source, None).unwrap();
        assert_eq!(
            report.world.trace().hash(),
            again.world.trace().hash(),
            "{}: two runs with the same seed differ",
            b.name
        );
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

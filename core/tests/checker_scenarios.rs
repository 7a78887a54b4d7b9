//! The specification checker over every bundled scenario: the lab's own broker
//! and clients break no MUST.

use mqttlab_core::checker::trace::check_trace;
use mqttlab_core::sim::{bundled, scenario};

#[test]
fn bundled_scenarios_break_no_must() {
    let mut judged = 0;
    let mut failures = Vec::new();
    for b in bundled::BUNDLED {
        let Ok(report) = scenario::run(b.source, None) else {
            continue;
        };
        let r = check_trace(report.world.trace().entries());
        judged += r
            .coverage
            .tally
            .values()
            .map(|t| t.held + t.broken)
            .sum::<u32>();
        if r.must_broken() {
            failures.push(format!(
                "{}: {}",
                b.name,
                r.findings
                    .iter()
                    .filter(|f| f.severity == mqttlab_core::checker::Severity::Must)
                    .map(|f| f.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        judged > 100,
        "only {judged} judgements over the bundled scenarios"
    );
}

#[test]
fn a_json_export_reads_as_its_trace() {
    use mqttlab_core::checker::trace::check_json;
    for name in ["06-last-will", "13-qos2-duplicate", "19-partition"] {
        let b = bundled::find(name).unwrap();
        let report = scenario::run(b.source, None).unwrap();
        let live = check_trace(report.world.trace().entries());
        let json = check_json(&report.world.trace().to_json()).unwrap();
        assert_eq!(json.coverage, live.coverage, "{name}");
        assert_eq!(json.findings.len(), live.findings.len(), "{name}");
    }
    let e = check_json("{\"entries\":[\n{\"t_us\":5,\"kind\":\"packet\",\"fate\":\"sent\"}\n]}")
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 2: the trace entry's \"to\" is missing or unreadable"
    );
}

/// The MQTT 5.0 statements judged since issue 14's labs, each held (and never
/// broken) in the bundled run of the lab that shows it: the passing side of
/// the crafted captures in `checker_crafted.rs`.
#[test]
fn the_5_0_statements_hold_in_their_labs_runs() {
    for (name, ids) in [
        ("25-session-expiry-gone", &["MQTT-4.1.0-2"][..]),
        ("34-session-311-vs-5", &["MQTT-4.1.0-2"]),
        ("26-message-expiry", &["MQTT-3.3.2-5", "MQTT-3.3.2-6"]),
        (
            "35-reading-properties",
            &[
                "MQTT-3.3.2-5",
                "MQTT-3.3.2-6",
                "MQTT-3.3.2-8",
                "MQTT-3.3.2-12",
            ],
        ),
        ("28-topic-alias", &["MQTT-3.3.2-8", "MQTT-3.3.2-12"]),
        ("29-shared-queue", &["MQTT-4.8.2-2", "MQTT-4.8.2-3"]),
        ("32-will-delay", &["MQTT-3.1.2-8", "MQTT-3.1.3-9"]),
    ] {
        let b = bundled::find(name).unwrap();
        let report = scenario::run(b.source, None).unwrap();
        let r = check_trace(report.world.trace().entries());
        for id in ids {
            let t = r.coverage.by_id.get(id).copied().unwrap_or_default();
            assert!(
                t.held > 0 && t.broken == 0,
                "{name}: {id} held {} broken {}\n{r}",
                t.held,
                t.broken
            );
        }
    }
}

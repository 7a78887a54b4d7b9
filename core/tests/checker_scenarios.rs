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

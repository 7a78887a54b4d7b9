//! The scenario language: errors name the line and column and say what to do, and
//! no text, however broken, makes the parser (or a run of what it accepts) panic.
#![cfg(not(target_arch = "wasm32"))]

use mqttlab_core::sim::scenario::{self, parse};
use proptest::prelude::*;

fn first_error(src: &str) -> String {
    parse(src).unwrap_err().0[0].to_string()
}

#[test]
fn unknown_node_is_reported_with_position_and_suggestion() {
    let src = "broker broker1\nsensor sensor1 -> broker1 topic a/b every 10s\nclient sub1 -> broker1\nat 35s kill sensr1\n";
    assert_eq!(
        first_error(src),
        "line 4, column 13: unknown node 'sensr1' (did you mean 'sensor1'?)"
    );
}

#[test]
fn value_models_may_be_written_with_spaces() {
    let spaced = "broker b\nsensor t -> b topic casa/sala/temperatura every 10s model sine(20, 5, 600s) qos 1";
    let tight =
        "broker b\nsensor t -> b topic casa/sala/temperatura every 10s model sine(20,5,600s) qos 1";
    assert_eq!(parse(spaced).unwrap().nodes, parse(tight).unwrap().nodes);
    assert_eq!(
        first_error("broker b\nsensor t -> b topic x every 1s model sine(20, 5"),
        "line 2, column 38: a value model's arguments end with ')', e.g. sine(20, 5, 600s)"
    );
}

#[test]
fn errors_point_at_the_word_at_fault() {
    assert_eq!(
        first_error("brokr b"),
        "line 1, column 1: unknown statement 'brokr' (did you mean 'broker'?)"
    );
    assert_eq!(
        first_error("broker b\nclient c -> b latency fast"),
        "line 2, column 23: 'fast' is not a duration (write e.g. 5s, 250ms, 1m30s)"
    );
    assert_eq!(
        first_error("broker b\nclient c -> b\nfault drop next PUBAK to c"),
        "line 3, column 17: unknown packet type 'PUBAK' (did you mean 'PUBACK'?)"
    );
    assert_eq!(
        first_error("broker b\nclient c -> b\nat 1s c: mosquitto_sub -q 3 -t x"),
        "line 3, column 10: Error: Invalid QoS given: 3  Use 'mosquitto_sub --help' to see usage."
    );
    assert_eq!(
        first_error("broker b\nclient c -> c"),
        "line 2, column 13: 'c' is not a broker"
    );
    assert_eq!(
        first_error("broker b\nclient c -> b\nexpect c recieves \"x\""),
        "line 3, column 10: unknown expectation 'recieves' (did you mean 'receives'?)"
    );
    assert_eq!(
        first_error("broker b\nbroker b"),
        "line 2, column 8: node 'b' is declared twice (first on line 1)"
    );
}

#[test]
fn every_broken_line_is_reported() {
    let errors = parse("broker b\nclient x -> nowhere\nat soon kill x\nrun forever\n")
        .unwrap_err()
        .0;
    let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [3, 4, 2]);
}

#[test]
fn within_counts_from_the_last_at_line() {
    let sc = parse("broker b\nclient s -> b\nat 35s kill s\nexpect s receives \"x\" within 25s\n")
        .unwrap();
    let e = &sc.expects[0];
    assert_eq!(e.from.as_micros(), 35_000_000);
    assert_eq!(e.until.unwrap().as_micros(), 60_000_000);
}

#[test]
fn a_link_line_changes_only_the_options_it_gives() {
    use core::time::Duration;
    use mqttlab_core::sim::scenario::ast::{ActionSpec, LinkChange};

    let sc = parse("broker b\nclient c -> b latency 20ms\nat 30s link c latency 300ms loss 10%\nat 40s link c bandwidth unlimited\n")
        .unwrap();
    let ActionSpec::Link(node, change) = &sc.actions[0].action else {
        panic!("{:?}", sc.actions[0])
    };
    assert_eq!(node.name, "c");
    assert_eq!(sc.actions[0].at.as_micros(), 30_000_000);
    assert_eq!(
        *change,
        LinkChange {
            latency: Some(Duration::from_millis(300)),
            loss_ppm: Some(100_000),
            ..LinkChange::default()
        }
    );
    let ActionSpec::Link(_, change) = &sc.actions[1].action else {
        panic!("{:?}", sc.actions[1])
    };
    assert_eq!(change.bandwidth_bps, Some(None));
    // The world gets the whole link: declared values where no line changed them.
    let w = sc.build(1, mqttlab_core::sim::TraceMode::Full);
    let c = w.node_id("c").unwrap();
    assert_eq!(w.link_params(c).unwrap().latency, Duration::from_millis(20));
}

#[test]
fn a_broken_link_line_says_where_and_what() {
    let head = "broker b\nclient c -> b\n";
    assert_eq!(
        first_error(&format!("{head}at 1s link c latncy 5ms")),
        "line 3, column 14: unknown link option 'latncy' (did you mean 'latency'?)"
    );
    assert_eq!(
        first_error(&format!("{head}at 1s link c colour red")),
        "line 3, column 14: unknown link option 'colour' (latency, jitter, bandwidth, loss, rto, retries)"
    );
    assert_eq!(
        first_error(&format!("{head}at 1s link c")),
        "line 3, column 13: say what changes: link c latency 300ms loss 10% (options: latency, jitter, bandwidth, loss, rto, retries)"
    );
    assert_eq!(
        first_error(&format!("{head}at 1s link c loss 10")),
        "line 3, column 19: '10' is not a percentage (write e.g. 1% or 0.5%)"
    );
    assert_eq!(
        first_error(&format!("{head}at 1s link c retries 20")),
        "line 3, column 22: TCP gives up after at most 15 retransmissions"
    );
    assert_eq!(
        first_error(&format!("{head}at 1s link b latency 5ms")),
        "line 3, column 12: 'b' is not a client-side node"
    );
    assert_eq!(
        first_error(&format!("{head}at 1s link cc latency 5ms")),
        "line 3, column 12: unknown node 'cc' (did you mean 'c'?)"
    );
    assert_eq!(
        first_error(&format!("{head}at 1s lnk c latency 5ms")),
        "line 3, column 7: unknown action 'lnk' (did you mean 'link'?)"
    );
}

const WORDS: &[&str] = &[
    "broker",
    "client",
    "sensor",
    "esp32",
    "actuator",
    "controller",
    "at",
    "fault",
    "expect",
    "run",
    "seed",
    "->",
    "b",
    "c",
    "s",
    "1s",
    "5ms",
    "kill",
    "halfopen",
    "partition",
    "heal",
    "restart",
    "stop",
    "wifi-drop",
    "for",
    "publish",
    "subscribe",
    "t/x",
    "#",
    "+/x",
    "\"p\"",
    "qos",
    "2",
    "retain",
    "drop",
    "delay",
    "duplicate",
    "next",
    "PUBACK",
    "PINGRESP",
    "by",
    "receives",
    "on",
    "within",
    "topic",
    "every",
    "model",
    "sine(1,2,3s)",
    "profile",
    "pubsubclient",
    "esp-idf",
    "loss",
    "50%",
    "latency",
    "jitter",
    "c:",
    "mosquitto_sub",
    "-t",
    "-q",
    "1",
    "mosquitto_pub",
    "-m",
    "--repeat",
    "3",
    "keepalive",
    "will",
    "\"",
    "connect",
    "persistent",
    "disconnect",
    "packet",
    "\"PUBLISH\"",
    "from",
    "to",
    "log",
    "link",
    "bandwidth",
    "1mbit",
    "unlimited",
    "100%",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(src in "\\PC{0,200}") {
        let _ = parse(&src);
    }

    #[test]
    fn random_scenarios_parse_and_run_without_panicking(
        lines in prop::collection::vec(prop::collection::vec(0..WORDS.len(), 0..9), 0..14)
    ) {
        let mut src = String::from("broker b\nclient c -> b\nsensor s -> b topic t/x every 5s\n");
        for l in lines {
            let words: Vec<&str> = l.into_iter().map(|i| WORDS[i]).collect();
            src.push_str(&words.join(" "));
            src.push('\n');
        }
        src.push_str("run 30s\n");
        if let Ok(sc) = parse(&src) {
            let report = sc.run(1, mqttlab_core::sim::TraceMode::Full);
            let _ = report.passed();
        }
        let _ = scenario::run(&src, Some(2));
    }
}

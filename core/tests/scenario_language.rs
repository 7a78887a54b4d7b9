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
        first_error("broker b\nclient c -> b\nat 1s c: mosquitto_sub -h b -q 3 -t x"),
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
    let w = sc.build(1, mqttlab_core::sim::TraceMode::Full).unwrap();
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
            // A scenario the parser accepts always builds.
            let report = sc
                .run(1, mqttlab_core::sim::TraceMode::Full)
                .unwrap_or_else(|e| panic!("{src}\n{e}"));
            let _ = report.passed();
        }
        let _ = scenario::run(&src, Some(2));
    }
}

#[test]
fn acl_lines_read_like_mosquittos_acl_file() {
    use mqttlab_core::broker::{Access, AclSubject};
    let src = "acl b user aluno topic read casa/#\nbroker b\nacl b client c9 topic write casa/sala\nacl b anyone topic publico/#\n";
    let sc = parse(src).unwrap();
    let rules: Vec<_> = sc
        .acls
        .iter()
        .map(|a| {
            (
                a.broker.name.as_str(),
                a.rule.who.clone(),
                a.rule.filter.as_str().to_owned(),
                a.rule.access,
            )
        })
        .collect();
    assert_eq!(
        rules,
        [
            (
                "b",
                AclSubject::User("aluno".into()),
                "casa/#".into(),
                Access::Read
            ),
            (
                "b",
                AclSubject::Client("c9".into()),
                "casa/sala".into(),
                Access::Write
            ),
            // Without an access word, readwrite, as in mosquitto.
            (
                "b",
                AclSubject::Anyone,
                "publico/#".into(),
                Access::ReadWrite
            ),
        ]
    );
    // A broker with no acl line has no ACL: everything is allowed.
    let w = parse("broker a\nbroker b\nacl b anyone topic read x\n")
        .unwrap()
        .build(1, mqttlab_core::sim::trace::TraceMode::Full)
        .unwrap();
    let acl = |n: &str| {
        w.broker(w.node_id(n).unwrap())
            .unwrap()
            .broker
            .config()
            .acl
            .clone()
    };
    assert!(acl("a").is_none());
    assert_eq!(acl("b").unwrap().rules.len(), 1);
}

#[test]
fn broken_acl_lines_say_where_and_what() {
    assert_eq!(
        first_error("broker b\nacl b usr aluno topic read x"),
        "line 2, column 7: an ACL rule is for 'user NAME', 'client ID' or 'anyone', not 'usr' (did you mean 'user'?)"
    );
    assert_eq!(
        first_error("broker b\nacl b user aluno read x"),
        "line 2, column 18: expected 'topic', as in mosquitto's acl_file: acl b user aluno topic read sensores/#"
    );
    assert_eq!(
        first_error("broker b\nacl b anyone topic reed x"),
        "line 2, column 20: unknown access 'reed' (did you mean 'read'?); write read, write, readwrite or deny, then the topic"
    );
    assert_eq!(
        first_error("broker b\nacl b anyone topic deny"),
        "line 2, column 24: expected a topic filter at the end of the line"
    );
    assert!(first_error("broker b\nacl b anyone topic read a/#/b")
        .starts_with("line 2, column 25: 'a/#/b' is not a valid topic"));
    assert_eq!(
        first_error("broker b\nacl bb anyone topic x"),
        "line 2, column 5: unknown node 'bb' (did you mean 'b'?)"
    );
    assert_eq!(
        first_error("broker b\nclient c -> b\nacl c anyone topic x"),
        "line 3, column 5: 'c' is not a broker"
    );
    assert_eq!(
        first_error("broker b\nclient c -> b\nexpect c suback 3"),
        "line 3, column 17: a SUBACK return code is 0, 1, 2 or 128 (failure), not 3 \
         (MQTT 5.0 reason codes are written in hex: 0x87)"
    );
    assert_eq!(
        first_error("broker b\nclient c -> b\nexpect c suback"),
        "line 3, column 16: expected the SUBACK's return codes, one per filter: 0, 1, 2 or 128 \
         (failure), or MQTT 5.0 reason codes in hex (0x00, 0x87...)"
    );
}

/// The bytes on the wire: SUBACK 0x80 for a refused filter, CONNACK 1 for an
/// MQTT 5.0 CONNECT, and what the tools print for each.
/// `deny` rules, checked in order: the example, and a deny inside a
/// wildcard subscription (granted; the denied topic withheld, retained message
/// included), as mosquitto 2.0.11 with dynamic security does
/// (`tests/tests/broker_acl.rs` compares the two on real sockets).
#[test]
fn deny_rules_first_match_decides() {
    let src = "broker b user prof 1234\n\
        acl b user prof topic readwrite #\n\
        acl b anyone topic deny test/nosubscribe\n\
        acl b anyone topic deny a/b\n\
        acl b anyone topic readwrite #\n\
        client s -> b\nclient w -> b\nclient p -> b\n\
        at 1s p: mosquitto_pub -h b -i p -u prof -P 1234 -t a/b -m antes -r -q 1\n\
        at 2s s: mosquitto_sub -h b -i s -t test/nosubscribe -t a/# -t a/b -t +/b -q 1 -v\n\
        at 3s p: mosquitto_pub -h b -i p -u prof -P 1234 -t a/b -m prof -q 1\n\
        at 4s w: mosquitto_pub -h b -i w -t a/c -m ok -q 1\n\
        at 5s w: mosquitto_pub -h b -i w -t test/nosubscribe -m no -q 2\n\
        expect s suback 128 1 128 1\n\
        expect s receives \"ok\" on a/c\n\
        expect s never receives on a/b\n\
        expect s never receives on test/nosubscribe\n\
        expect b log \"Denied PUBLISH from w (d0, q2, r0, m1, 'test/nosubscribe', ... (2 bytes))\"\n\
        expect b log \"Sending PUBREC to w (m1, rc135)\"\n\
        run 8s\n";
    let r = scenario::run(src, Some(1)).unwrap();
    assert!(r.passed(), "{:?}", r.results);
    let w = &r.world;
    let term: Vec<String> = w
        .client(w.node_id("s").unwrap())
        .unwrap()
        .terminal
        .iter()
        .map(|(_, l)| l.clone())
        .collect();
    assert_eq!(term, ["a/c ok"], "a/b (retained and live) withheld");
    // The same rules the other way round: `readwrite #` first allows everything.
    let src = "broker b\nacl b anyone topic readwrite #\nacl b anyone topic deny a/b\n\
        client s -> b\nclient w -> b\n\
        at 1s s: mosquitto_sub -h b -i s -t a/b\n\
        at 2s w: mosquitto_pub -h b -i w -t a/b -m yes\n\
        expect s suback 0\nexpect s receives \"yes\" on a/b\nrun 4s\n";
    let r = scenario::run(src, Some(1)).unwrap();
    assert!(r.passed(), "{:?}", r.results);
}

#[test]
fn suback_128_and_connack_1_on_the_wire_and_in_the_terminal() {
    use mqttlab_core::sim::trace::{Fate, TraceKind};
    let packets = |w: &mqttlab_core::sim::world::World, to_node: &str| -> Vec<Vec<u8>> {
        w.trace()
            .entries()
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::Packet {
                    fate: Fate::Delivered,
                    to,
                    bytes,
                    ..
                } if to == to_node => Some(bytes.clone()),
                _ => None,
            })
            .collect()
    };
    let src = "broker b user aluno 1234\nacl b user aluno topic read casa/#\n\
        client s -> b\nclient t -> b\n\
        at 1s s: mosquitto_sub -h b -i s -u aluno -P 1234 -t casa/# -t admin/# -q 2 -d\n\
        at 1s t: mosquitto_sub -h b -i t -t casa/#\n\
        expect s suback 2 128\nexpect t suback 128 once\nexpect s suback 128 never\nrun 5s\n";
    let r = scenario::run(src, Some(1)).unwrap();
    assert!(r.passed(), "{:?}", r.results);
    assert!(packets(&r.world, "s").contains(&vec![0x90, 0x04, 0x00, 0x01, 0x02, 0x80]));
    assert!(packets(&r.world, "t").contains(&vec![0x90, 0x03, 0x00, 0x01, 0x80]));
    let term = |n: &str| -> Vec<String> {
        let w = &r.world;
        w.client(w.node_id(n).unwrap())
            .unwrap()
            .terminal
            .iter()
            .map(|(_, l)| l.clone())
            .collect()
    };
    assert_eq!(
        term("s")[4..],
        ["Client s received SUBACK", "Subscribed (mid: 1): 2, 128"]
    );
    assert_eq!(term("t"), ["All subscription requests were denied."]);

    let src = "broker b\nclient v -> b\n\
        at 1s v: mosquitto_pub -h b -i v -t a -m x -V 5 -d\n\
        expect packet \"CONNECT c1 k60 v5.0 v\" from v\nrun 5s\n";
    let r = scenario::run(src, Some(1)).unwrap();
    assert!(r.passed(), "{:?}", r.results);
    // The broker speaks 5.0: a 5.0 CONNACK with what it announces.
    assert_eq!(
        packets(&r.world, "v")[0],
        [0x20, 9, 0x00, 0x00, 6, 0x22, 0, 10, 0x21, 0, 20]
    );
    let v5_connect: Vec<Vec<u8>> = r
        .world
        .trace()
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Packet {
                fate: Fate::Delivered,
                from,
                bytes,
                ..
            } if from == "v" => Some(bytes.clone()),
            _ => None,
        })
        .collect();
    // mosquitto_pub -V 5's CONNECT, as libmosquitto sends it: Receive
    // Maximum 20 (0x21 0x0014).
    assert_eq!(
        v5_connect[0],
        [0x10, 0x11, 0, 4, b'M', b'Q', b'T', b'T', 5, 0x02, 0, 60, 3, 0x21, 0, 20, 0, 1, b'v']
    );
    let w = &r.world;
    let term: Vec<String> = w
        .client(w.node_id("v").unwrap())
        .unwrap()
        .terminal
        .iter()
        .map(|(_, l)| l.clone())
        .collect();
    // Accepted, as mosquitto_pub 2.0.11 -V 5 -d is by mosquitto 2.0.11.
    assert_eq!(
        term[..2],
        ["Client v sending CONNECT", "Client v received CONNACK (0)"]
    );
}

#[test]
fn expect_packet_compares_the_whole_label_so_m1_is_not_m10() {
    // Twelve QoS 1 messages: packet ids 1 to 12, so PUBACK m1, m10, m11 and m12
    // all reach the publisher.
    let mut src = String::from("broker b\nclient p -> b\nat 0s connect p id p\n");
    for i in 1..=12 {
        src += &format!("at {i}s publish p t m{i} qos 1\n");
    }
    src += "expect packet \"PUBACK m1\" to p once\n\
            expect packet \"PUBACK m10\" to p once\n\
            expect packet \"PUBACK m1 ...\" to p once\n\
            expect packet \"PUBACK\" to p times 12\n\
            expect packet \"PUBLISH q1 ...\" from p times 12\n\
            expect packet \"PUBLISH q1 m1 t\" from p once\n\
            expect packet \"PUBACK m13\" never\n\
            run 20s\n";
    let r = scenario::run(&src, Some(1)).unwrap();
    assert!(r.passed(), "{:#?}", r.results);
    // A type the diagram does not write is refused where it is written.
    assert_eq!(
        first_error("broker b\nexpect packet \"PUBAKC m1\" to b"),
        "line 2, column 15: a packet summary starts with its type, as the diagram writes it: \
         'PUBAKC' is not one (did you mean 'PUBACK'?)"
    );
}

/// `sys-interval 5s`: the simulated broker publishes mosquitto's `$SYS` tree
/// every 5 s of virtual time, retained; `#` does not see it (MQTT-4.7.2-1).
#[test]
fn sys_interval_publishes_the_sys_tree_in_the_simulator() {
    let src = "broker b sys-interval 5s\n\
        client s -> b\n\
        client all -> b\n\
        at 1s s: mosquitto_sub -h b -t $SYS/broker/uptime -t $SYS/broker/clients/connected -v\n\
        at 1s all: mosquitto_sub -h b -t # -v\n\
        run 12s\n";
    let r = scenario::run(src, Some(1)).unwrap();
    let lines = |node: &str| -> Vec<String> {
        r.world
            .client(r.world.node_id(node).unwrap())
            .unwrap()
            .terminal
            .iter()
            .map(|(_, l)| l.clone())
            .collect()
    };
    assert_eq!(
        lines("s"),
        // The retained ones, in the order of the filters; then each tick's
        // uptime, and the count only when it changes.
        // The broker ticks at 0 s, before any client connected.
        [
            "$SYS/broker/uptime 0 seconds",
            "$SYS/broker/clients/connected 0",
            "$SYS/broker/uptime 5 seconds",
            "$SYS/broker/clients/connected 2",
            "$SYS/broker/uptime 10 seconds",
        ]
    );
    assert_eq!(lines("all"), Vec::<String>::new());
    assert_eq!(
        first_error("broker b sys-interval often\n"),
        "line 1, column 23: 'often' is not a duration (write e.g. 5s, 250ms, 1m30s)"
    );
}

//! Changing a running world: a link's latency and loss changed mid-run (what is in
//! flight keeps its arrival, TCP order holds, loss shows as retransmission delay and,
//! past the bound, a reset), and a client added after the world has run.
#![cfg(not(target_arch = "wasm32"))]

use core::time::Duration;

use mqttlab_core::broker::BrokerConfig;
use mqttlab_core::client::{ConnectOptions, ConnectionState};
use mqttlab_core::codec::QoS;
use mqttlab_core::sim::node::{App, MosquittoCli};
use mqttlab_core::sim::note::{Note, PacketNote};
use mqttlab_core::sim::trace::Fate;
use mqttlab_core::sim::{scenario, Action, LinkParams, NodeId, TraceKind, TraceMode, World};
use mqttlab_core::time::Instant;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn at_ms(n: u64) -> Instant {
    Instant::from_millis(n)
}

fn link(latency_ms: u64) -> LinkParams {
    LinkParams {
        latency: ms(latency_ms),
        ..LinkParams::default()
    }
}

fn publish(node: NodeId, topic: &str, qos: QoS) -> Action {
    Action::Publish {
        node,
        topic: topic.into(),
        payload: b"x".to_vec(),
        qos,
        retain: false,
        properties: Vec::new(),
    }
}

/// When each packet whose summary starts with `prefix` was delivered to `to`.
fn deliveries(w: &World, to: &str, prefix: &str) -> Vec<(Instant, String)> {
    w.trace()
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Packet {
                fate: Fate::Delivered,
                to: t,
                summary,
                ..
            } if t == to && summary.starts_with(prefix) => Some((e.time, summary.clone())),
            _ => None,
        })
        .collect()
}

/// The state notes of a node, with their times.
fn states(w: &World, node: &str) -> Vec<(Instant, String)> {
    w.trace()
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::State { node: n, note } if n == node => Some((e.time, note.to_string())),
            _ => None,
        })
        .collect()
}

/// A broker `b` and a generic client `c` connected at 0 s over `params`.
fn one_client(seed: u64, params: LinkParams) -> (World, NodeId) {
    let mut w = World::new(seed, TraceMode::Full);
    let b = w.add_broker("b", BrokerConfig::default()).unwrap();
    let c = w.add_client("c", b, params, App::Idle).unwrap();
    w.schedule(
        Instant::ZERO,
        Action::Connect(c, Box::new(ConnectOptions::new("c")), None),
    )
    .unwrap();
    (w, c)
}

#[test]
fn a_latency_change_shows_in_the_arrival_times() {
    let (mut w, c) = one_client(1, link(10));
    w.schedule(at_ms(1000), publish(c, "t/before", QoS::AtMostOnce))
        .unwrap();
    w.schedule(
        at_ms(2000),
        Action::SetLink {
            node: c,
            params: link(300),
        },
    )
    .unwrap();
    w.schedule(at_ms(3000), publish(c, "t/after", QoS::AtMostOnce))
        .unwrap();
    w.run_until(Instant::from_secs(5));

    let times: Vec<Instant> = deliveries(&w, "b", "PUBLISH")
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    assert_eq!(times, [at_ms(1010), at_ms(3300)]);
    assert!(states(&w, "c").contains(&(at_ms(2000), "link: latency 300ms".to_owned())));
    assert_eq!(w.link_params(c), Some(&link(300)));
    assert_eq!(
        w.link_params(NodeId::new(0)),
        None,
        "a broker has no link of its own"
    );
}

#[test]
fn frames_in_flight_keep_their_arrival_and_none_is_overtaken() {
    // The subscriber's link is slow when the first message leaves the broker and
    // fast when the second does: TCP still delivers them in order.
    let mut w = World::new(2, TraceMode::Full);
    let b = w.add_broker("b", BrokerConfig::default()).unwrap();
    let sub = w.add_client("sub", b, link(500), App::Idle).unwrap();
    let publ = w.add_client("pub", b, link(1), App::Idle).unwrap();
    let cli =
        MosquittoCli::parse("mosquitto_sub -h b -t t/#", w.command_rng(sub).unwrap()).unwrap();
    w.schedule(
        Instant::ZERO,
        Action::Run {
            node: sub,
            app: Box::new(App::Cli(cli)),
        },
    )
    .unwrap();
    w.schedule(
        Instant::ZERO,
        Action::Connect(publ, Box::new(ConnectOptions::new("pub")), None),
    )
    .unwrap();
    w.schedule(
        at_ms(5000),
        Action::Publish {
            node: publ,
            topic: "t/1".into(),
            payload: b"one".to_vec(),
            qos: QoS::AtMostOnce,
            retain: false,
            properties: Vec::new(),
        },
    )
    .unwrap();
    w.schedule(
        at_ms(5100),
        Action::SetLink {
            node: sub,
            params: link(1),
        },
    )
    .unwrap();
    w.schedule(
        at_ms(5200),
        Action::Publish {
            node: publ,
            topic: "t/2".into(),
            payload: b"two".to_vec(),
            qos: QoS::AtMostOnce,
            retain: false,
            properties: Vec::new(),
        },
    )
    .unwrap();
    w.run_until(Instant::from_secs(8));

    let got = deliveries(&w, "sub", "PUBLISH");
    assert_eq!(got.len(), 2, "{got:?}");
    // Sent at 5.001 s over 500 ms: it keeps its 5.501 s arrival.
    assert_eq!(got[0].0, at_ms(5501));
    assert!(got[0].1.contains("t/1"), "{got:?}");
    // Sent at 5.201 s over 1 ms, it would arrive at 5.202 s: not before the first.
    assert_eq!(got[1].0, at_ms(5501));
    assert!(got[1].1.contains("t/2"), "{got:?}");
    let out: Vec<&str> = w
        .client(sub)
        .unwrap()
        .terminal
        .iter()
        .map(|(_, l)| l.as_str())
        .collect();
    assert_eq!(out, ["one", "two"]);
    // Once the pipe has drained, the new latency is all a frame waits.
    w.schedule(
        Instant::from_secs(9),
        Action::Publish {
            node: publ,
            topic: "t/3".into(),
            payload: b"three".to_vec(),
            qos: QoS::AtMostOnce,
            retain: false,
            properties: Vec::new(),
        },
    )
    .unwrap();
    w.run_until(Instant::from_secs(10));
    let last = deliveries(&w, "sub", "PUBLISH");
    assert_eq!(last[2].0, at_ms(9002));
}

#[test]
fn some_loss_shows_as_retransmission_delay_only_after_the_change() {
    let (mut w, c) = one_client(3, link(10));
    w.schedule(
        Instant::from_secs(10),
        Action::SetLink {
            node: c,
            params: LinkParams {
                latency: ms(10),
                loss_ppm: 300_000,
                max_retransmits: 15,
                ..LinkParams::default()
            },
        },
    )
    .unwrap();
    for i in 0..40 {
        w.schedule(
            Instant::from_secs(1 + i / 2),
            publish(c, &format!("t/{i}"), QoS::AtMostOnce),
        )
        .unwrap();
    }
    w.run_until(Instant::from_secs(60));

    let notes: Vec<(Instant, Option<PacketNote>)> = w
        .trace()
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Packet {
                fate: Fate::Delivered,
                to,
                summary,
                note,
                ..
            } if to == "b" && summary.starts_with("PUBLISH") => Some((e.time, note.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(notes.len(), 40, "TCP delivers every one, however late");
    let retransmitted: Vec<Instant> = notes
        .iter()
        .filter(|(_, n)| n.as_ref().is_some_and(|n| n.retransmissions > 0))
        .map(|(t, _)| *t)
        .collect();
    assert!(!retransmitted.is_empty());
    // A lost segment waits at least one retransmission timeout (200 ms).
    assert!(retransmitted
        .iter()
        .all(|t| *t >= Instant::from_secs(10) + ms(210)));
    assert!(states(&w, "c").contains(&(
        Instant::from_secs(10),
        "link: loss 30%, retries 15".to_owned()
    )));
    assert_eq!(
        w.client(c).unwrap().client.state(),
        ConnectionState::Connected
    );
}

#[test]
fn total_loss_resets_the_connection_once_tcp_gives_up() {
    let (mut w, c) = one_client(4, link(10));
    w.schedule(
        Instant::from_secs(2),
        Action::SetLink {
            node: c,
            params: LinkParams {
                latency: ms(10),
                loss_ppm: 1_000_000,
                ..LinkParams::default()
            },
        },
    )
    .unwrap();
    w.schedule(Instant::from_secs(3), publish(c, "t", QoS::AtLeastOnce))
        .unwrap();
    w.run_until(Instant::from_secs(1));
    assert_eq!(
        w.client(c).unwrap().client.state(),
        ConnectionState::Connected
    );
    w.run_until(Instant::from_secs(10));

    assert!(states(&w, "c").contains(&(Instant::from_secs(2), "link: loss 100%".to_owned())));
    // The model decides the frame's fate when it is sent: lost on every one of the
    // five retransmissions (the default bound), TCP resets the connection then,
    // and the RST reaches both ends one latency later.
    let gave_up: Vec<_> = w
        .trace()
        .entries()
        .iter()
        .filter(|e| {
            matches!(&e.kind, TraceKind::State { note, .. }
                if *note == Note::TcpGaveUp { retransmissions: 5, conn: 1 })
        })
        .map(|e| e.time)
        .collect();
    assert_eq!(gave_up, [Instant::from_secs(3)]);
    let resets: Vec<Instant> = w
        .trace()
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Close {
                fate: Fate::Delivered,
                kind: mqttlab_core::sim::trace::CloseKind::Reset,
                ..
            } => Some(e.time),
            _ => None,
        })
        .collect();
    assert_eq!(resets, [at_ms(3010), at_ms(3010)]);
    assert!(deliveries(&w, "b", "PUBLISH").is_empty());
    assert_eq!(
        w.client(c).unwrap().client.state(),
        ConnectionState::Disconnected
    );
}

#[test]
fn a_client_added_at_30s_publishes_to_an_existing_subscriber() {
    let mut w = World::new(5, TraceMode::Full);
    let b = w.add_broker("broker1", BrokerConfig::default()).unwrap();
    let sub = w
        .add_client("sub1", b, LinkParams::default(), App::Idle)
        .unwrap();
    let s = MosquittoCli::parse(
        r#"mosquitto_sub -h broker1 -t "topico""#,
        w.command_rng(sub).unwrap(),
    )
    .unwrap();
    w.schedule(
        Instant::ZERO,
        Action::Run {
            node: sub,
            app: Box::new(App::Cli(s)),
        },
    )
    .unwrap();
    w.run_until(Instant::from_secs(30));

    let late = w.add_client("pub1", b, link(20), App::Idle).unwrap();
    assert_eq!(w.node_id("pub1"), Some(late));
    assert_eq!(w.client(late).unwrap().ip, "172.17.0.3");
    let p = MosquittoCli::parse(
        r#"mosquitto_pub -h broker1 -m "mensagem" -t "topico""#,
        w.command_rng(late).unwrap(),
    )
    .unwrap();
    w.schedule(
        w.now(),
        Action::Run {
            node: late,
            app: Box::new(App::Cli(p)),
        },
    )
    .unwrap();
    // A second late host whose keep alive timer must fire: its timer slot exists.
    let late_sub = w
        .add_client("sub2", b, LinkParams::default(), App::Idle)
        .unwrap();
    let s2 = MosquittoCli::parse(
        r#"mosquitto_sub -h broker1 -k 5 -t "topico""#,
        w.command_rng(late_sub).unwrap(),
    )
    .unwrap();
    w.schedule(
        Instant::from_secs(31),
        Action::Run {
            node: late_sub,
            app: Box::new(App::Cli(s2)),
        },
    )
    .unwrap();
    w.run_until(Instant::from_secs(45));

    let out: Vec<&str> = w
        .client(sub)
        .unwrap()
        .terminal
        .iter()
        .map(|(_, l)| l.as_str())
        .collect();
    assert_eq!(out, ["mensagem"]);
    let arrived = deliveries(&w, "sub1", "PUBLISH");
    assert_eq!(arrived.len(), 1);
    assert!(arrived[0].0 > Instant::from_secs(30));
    let pings = deliveries(&w, "broker1", "PINGREQ");
    assert!(pings.len() >= 2, "sub2's keep alive timer never fired");
    // The broker saw the late client at its own address.
    assert!(w.trace().to_text().contains("tcp open #2 pub1 172.17.0.3:"));
}

/// The same world with link changes and a late client, twice: the same trace.
fn changing_world(seed: u64) -> u64 {
    let mut w = World::new(seed, TraceMode::HashOnly);
    let b = w.add_broker("b", BrokerConfig::default()).unwrap();
    let lossy = LinkParams {
        latency: ms(20),
        jitter: ms(30),
        loss_ppm: 50_000,
        max_retransmits: 15,
        ..LinkParams::default()
    };
    let c = w.add_client("c", b, lossy.clone(), App::Idle).unwrap();
    w.schedule(
        Instant::ZERO,
        Action::Connect(c, Box::new(ConnectOptions::new("c")), Some(ms(500))),
    )
    .unwrap();
    for i in 0..60 {
        w.schedule(Instant::from_secs(i), publish(c, "t", QoS::AtLeastOnce))
            .unwrap();
    }
    for (i, loss) in [(10, 200_000), (20, 0), (30, 900_000), (40, 50_000)] {
        w.schedule(
            Instant::from_secs(i),
            Action::SetLink {
                node: c,
                params: LinkParams {
                    latency: ms(i * 10),
                    loss_ppm: loss,
                    ..lossy.clone()
                },
            },
        )
        .unwrap();
    }
    w.run_until(Instant::from_secs(25));
    let late = w.add_client("late", b, lossy, App::Idle).unwrap();
    let p = MosquittoCli::parse(
        "mosquitto_pub -h broker1 -q 1 -t t -m late",
        w.command_rng(late).unwrap(),
    )
    .unwrap();
    w.schedule(
        w.now(),
        Action::Run {
            node: late,
            app: Box::new(App::Cli(p)),
        },
    )
    .unwrap();
    w.run_until(Instant::from_secs(90));
    w.trace().hash()
}

#[test]
fn link_changes_and_late_clients_replay_byte_for_byte() {
    assert_eq!(changing_world(7), changing_world(7));
    assert_ne!(changing_world(7), changing_world(8));
}

const LINK_SCENARIO: &str = "\
broker b
client pub -> b latency 10ms
client sub -> b latency 500ms
at 0s sub: mosquitto_sub -h b -t t/#
at 5s pub: mosquitto_pub -h b -t t/1 -m one
at 5.1s link sub latency 1ms
at 5.1s link sub loss 0%
at 5.2s pub: mosquitto_pub -h b -t t/2 -m two
at 6s link pub latency 300ms jitter 0ms bandwidth 1mbit
at 7s pub: mosquitto_pub -h b -t t/3 -m three
expect sub output \"one\" \"two\" \"three\"
run 10s
";

#[test]
fn a_scenario_link_line_changes_the_link_and_replays() {
    let r = scenario::run(LINK_SCENARIO, Some(1)).unwrap();
    assert!(r.passed(), "{:?}", r.results);
    let sub = r.world.node_id("sub").unwrap();
    let publ = r.world.node_id("pub").unwrap();
    assert_eq!(r.world.link_params(sub).unwrap().latency, ms(1));
    let p = r.world.link_params(publ).unwrap();
    assert_eq!(
        (p.latency, p.bandwidth_bps),
        (ms(300), Some(1_000_000)),
        "options not given keep their value, given ones replace it"
    );
    assert_eq!(p.loss_ppm, 0);
    assert!(states(&r.world, "pub").contains(&(
        at_ms(6000),
        "link: latency 300ms, bandwidth 1mbit".to_owned()
    )));
    assert!(states(&r.world, "sub").contains(&(at_ms(5100), "link: unchanged".to_owned())));
    let again = scenario::run(LINK_SCENARIO, Some(1)).unwrap();
    assert_eq!(r.world.trace().hash(), again.world.trace().hash());
}

#[test]
fn link_lines_apply_in_time_order_whatever_their_order_in_the_file() {
    let src = "\
broker b
client c -> b latency 20ms
at 40s link c loss 5%
at 30s link c latency 300ms
run 50s
";
    let r = scenario::run(src, Some(1)).unwrap();
    let c = r.world.node_id("c").unwrap();
    let p = r.world.link_params(c).unwrap();
    assert_eq!((p.latency, p.loss_ppm), (ms(300), 50_000));
    assert_eq!(
        states(&r.world, "c"),
        [
            (Instant::from_secs(30), "link: latency 300ms".to_owned()),
            (Instant::from_secs(40), "link: loss 5%".to_owned()),
        ]
    );
}

#[test]
fn a_fin_sent_after_the_link_got_fast_and_lossy_does_not_overtake_data() {
    // A PUBLISH leaves over a 500 ms link; the link drops to 1 ms with total loss
    // and the program is killed. The FIN's segment is "lost" past the bound, which
    // the model delivers one latency later, but still behind the PUBLISH.
    let (mut w, c) = one_client(6, link(500));
    w.schedule(at_ms(5000), publish(c, "t", QoS::AtMostOnce))
        .unwrap();
    w.schedule(
        at_ms(5010),
        Action::SetLink {
            node: c,
            params: LinkParams {
                latency: ms(1),
                loss_ppm: 1_000_000,
                ..LinkParams::default()
            },
        },
    )
    .unwrap();
    w.schedule(at_ms(5020), Action::Kill(c)).unwrap();
    w.run_until(Instant::from_secs(8));

    assert_eq!(
        deliveries(&w, "b", "PUBLISH")
            .into_iter()
            .map(|(t, _)| t)
            .collect::<Vec<_>>(),
        [at_ms(5500)]
    );
    let fin: Vec<Instant> = w
        .trace()
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Close {
                fate: Fate::Delivered,
                to,
                ..
            } if to == "b" => Some(e.time),
            _ => None,
        })
        .collect();
    assert_eq!(fin, [at_ms(5500)]);
}

//! The simulated `mosquitto_pub`/`mosquitto_sub` after a refusal (CONNACK 4 and
//! 5, every subscription denied), with `-d` and `--quiet`, line for line as
//! mosquitto 2.0.11's tools print them (tests/tests/tools_refusals.rs checks the
//! same lines against the real tools); and the note a client's state gets when
//! TCP resets its connection rather than the broker closing it.

use mqttlab_core::sim::scenario;
use mqttlab_core::sim::trace::{Fate, TraceKind};
use mqttlab_core::sim::world::World;

/// Runs a scenario (it must pass) and gives its world.
fn run(src: &str) -> World {
    let r = scenario::run(src, Some(1)).unwrap_or_else(|e| panic!("{src}\n{e:?}"));
    assert!(r.passed(), "{src}\n{:?}", r.results);
    r.world
}

/// Node `n`'s terminal, in order.
fn terminal(w: &World, n: &str) -> Vec<String> {
    w.client(w.node_id(n).unwrap())
        .unwrap()
        .terminal
        .iter()
        .map(|(_, l)| l.clone())
        .collect()
}

/// The summaries of the packets `from` put on the wire.
fn sent_by(w: &World, node: &str) -> Vec<String> {
    w.trace()
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Packet {
                fate: Fate::Sent,
                from,
                summary,
                ..
            } if from == node => Some(summary.clone()),
            _ => None,
        })
        .collect()
}

/// The state notes of `node`.
fn states(w: &World, node: &str) -> Vec<String> {
    w.trace()
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::State { node: n, note } if n == node => Some(note.to_string()),
            _ => None,
        })
        .collect()
}

/// The terminal of `mosquitto_... -i x ARGS` against the broker `broker`.
fn tool(broker: &str, command: &str) -> (Vec<String>, Vec<String>) {
    let w = run(&format!(
        "{broker}\nclient x -> b\nat 1s x: {command}\nrun 5s\n"
    ));
    (terminal(&w, "x"), sent_by(&w, "x"))
}

const CONNECT: &str = "Client x sending CONNECT";
const DISCONNECT: &str = "Client x sending DISCONNECT";

#[test]
fn connack_5_reads_like_mosquitto_2_0_11() {
    let b = "broker b no-anonymous";
    let (sub, wire) = tool(b, "mosquitto_sub -h b -i x -t a -d");
    assert_eq!(
        sub,
        [
            CONNECT,
            "Client x received CONNACK (5)",
            "Connection error: Connection Refused: not authorised.",
            // libmosquitto logs it, but the socket is closed: nothing is sent.
            DISCONNECT,
        ]
    );
    assert_eq!(wire, ["CONNECT c1 k60 x"]);
    let (publ, _) = tool(b, "mosquitto_pub -h b -i x -t a -m m -d");
    assert_eq!(
        publ,
        [
            CONNECT,
            "Client x received CONNACK (5)",
            "Connection error: Connection Refused: not authorised.",
            "Error: The connection was refused.",
        ]
    );
    // Without -d: the error lines only.
    let (sub, _) = tool(b, "mosquitto_sub -h b -i x -t a");
    assert_eq!(
        sub,
        ["Connection error: Connection Refused: not authorised."]
    );
}

#[test]
fn connack_4_reads_like_mosquitto_2_0_11() {
    let b = "broker b user aluno 1234";
    let (sub, wire) = tool(b, "mosquitto_sub -h b -i x -t a -u aluno -P errado -d");
    assert_eq!(
        sub,
        [
            CONNECT,
            "Client x received CONNACK (4)",
            "Connection error: Connection Refused: bad user name or password.",
            DISCONNECT,
        ]
    );
    assert_eq!(wire.len(), 1, "{wire:?}");
    let (publ, _) = tool(b, "mosquitto_pub -h b -i x -t a -m m -u aluno -P errado -d");
    assert_eq!(
        publ,
        [
            CONNECT,
            "Client x received CONNACK (4)",
            "Connection error: Connection Refused: bad user name or password.",
            "Error: The connection was refused.",
        ]
    );
}

#[test]
fn every_subscription_denied_sends_disconnect_then_says_so() {
    let b = "broker b\nacl b anyone topic read casa/#";
    let (sub, wire) = tool(b, "mosquitto_sub -h b -i x -t admin/a -t admin/b -d");
    assert_eq!(
        sub,
        [
            CONNECT,
            "Client x received CONNACK (0)",
            "Client x sending SUBSCRIBE (Mid: 1, Topic: admin/a, QoS: 0, Options: 0x00)",
            "Client x sending SUBSCRIBE (Mid: 1, Topic: admin/b, QoS: 0, Options: 0x00)",
            "Client x received SUBACK",
            "Subscribed (mid: 1): 128, 128",
            DISCONNECT,
            "All subscription requests were denied.",
        ]
    );
    // This DISCONNECT does go on the wire.
    assert_eq!(wire.last().map(String::as_str), Some("DISCONNECT"));
    let (sub, _) = tool(b, "mosquitto_sub -h b -i x -t admin/a");
    assert_eq!(sub, ["All subscription requests were denied."]);
}

#[test]
fn quiet_leaves_out_what_mosquitto_2_0_11_leaves_out() {
    // CONNACK 5: the error lines go, the -d lines stay (DISCONNECT for sub only).
    let b = "broker b no-anonymous";
    let (sub, _) = tool(b, "mosquitto_sub -h b -i x -t a -d --quiet");
    assert_eq!(sub, [CONNECT, "Client x received CONNACK (5)", DISCONNECT]);
    let (publ, _) = tool(b, "mosquitto_pub -h b -i x -t a -m m -d --quiet");
    assert_eq!(publ, [CONNECT, "Client x received CONNACK (5)"]);
    let (sub, _) = tool(b, "mosquitto_sub -h b -i x -t a --quiet");
    assert!(sub.is_empty(), "{sub:?}");
    let (publ, _) = tool(b, "mosquitto_pub -h b -i x -t a -m m --quiet");
    assert!(publ.is_empty(), "{publ:?}");

    // Every subscription denied: no `Subscribed (mid ...)` and no message.
    let b = "broker b\nacl b anyone topic read casa/#";
    let (sub, _) = tool(b, "mosquitto_sub -h b -i x -t admin/a -d --quiet");
    assert_eq!(
        sub,
        [
            CONNECT,
            "Client x received CONNACK (0)",
            "Client x sending SUBSCRIBE (Mid: 1, Topic: admin/a, QoS: 0, Options: 0x00)",
            "Client x received SUBACK",
            DISCONNECT,
        ]
    );

    // -W: DISCONNECT, then `Timed out`, which --quiet leaves out.
    let (sub, _) = tool("broker b", "mosquitto_sub -h b -i x -t a -W 1 -d");
    assert_eq!(
        sub[sub.len() - 3..],
        ["Subscribed (mid: 1): 0", DISCONNECT, "Timed out"]
    );
    let (sub, _) = tool("broker b", "mosquitto_sub -h b -i x -t a -W 1 -d --quiet");
    assert_eq!(sub.last().map(String::as_str), Some(DISCONNECT));
    assert!(!sub.iter().any(|l| l.starts_with("Subscribed")), "{sub:?}");

    // Nothing listening on the port: `Error: Connection refused`, not with --quiet.
    let (sub, _) = tool("broker b port 1888", "mosquitto_sub -h b -i x -t a");
    assert_eq!(sub, ["Error: Connection refused"]);
    let (sub, _) = tool("broker b port 1888", "mosquitto_sub -h b -i x -t a --quiet");
    assert!(sub.is_empty(), "{sub:?}");
}

#[test]
fn a_reset_is_not_called_a_close_by_the_broker() {
    // The link loses everything from 5 s on: the subscriber's PINGREQ (keep alive
    // 5 s) is never acknowledged by TCP, which gives up and resets.
    let w = run("broker b\nclient x -> b rto 200ms retries 2\n\
        at 1s x: mosquitto_sub -h b -i x -t a -k 5\n\
        at 3s link x loss 100%\nrun 20s\n");
    let notes = states(&w, "x");
    let reset = notes
        .iter()
        .position(|n| n.starts_with("TCP gave up after"))
        .unwrap_or_else(|| panic!("no reset: {notes:?}"));
    assert_eq!(
        notes[reset + 1],
        "disconnected: connection reset: TCP gave up",
        "{notes:?}"
    );
    assert!(
        !notes.iter().any(|n| n.contains("closed by the broker")),
        "{notes:?}"
    );

    // A broker that closes the connection (restart) still says so.
    let w = run("broker b\nclient x -> b\n\
        at 1s x: mosquitto_sub -h b -i x -t a\nat 3s restart b\nrun 5s\n");
    assert!(
        states(&w, "x")
            .iter()
            .any(|n| n == "disconnected: connection closed by the broker"),
        "{:?}",
        states(&w, "x")
    );
}

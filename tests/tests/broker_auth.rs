//! MQTT 5.0 enhanced authentication against a client no one here wrote: MQTT.js
//! 5 (`protocolVersion: 5`, `properties.authenticationMethod/Data`,
//! `client.handleAuth`) with its SCRAM-SHA-256 side written in the test with
//! node's crypto (`tests/interop/mqttjs_scram.mjs`), against `mqttlab broker -c`
//! with a `scram_user` on 127.0.0.1: the exchange, the server signature checked
//! by the client, re-authentication (AUTH 0x19), a wrong password (CONNACK
//! 0x87), a wrong password when re-authenticating (DISCONNECT 0x87), and an
//! unknown method (CONNACK 0x8C), the last also against mosquitto 2.0.11 with
//! the `-v` logs compared line for line (mosquitto has no SCRAM: a method it does
//! not know is the one case both can be asked).
//!
//! Every process is bounded in time and killed on drop.

use std::process::Command;
use std::time::Duration;

use mqttlab_tests::peers::{have, node_modules, Peer};
use mqttlab_tests::procs::{
    normalise_log, start_mosquitto_verbose_with, start_mqttlab_broker, Proc,
};

const WAIT: Duration = Duration::from_secs(10);

/// `node mqttjs_scram.mjs PORT ARGS...`: its JSON lines.
fn mqttjs(port: u16, args: &[&str]) -> Vec<serde_json::Value> {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("interop/mqttjs_scram.mjs");
    let out = Command::new("timeout")
        .args(["15", "node"])
        .arg(&script)
        .arg(port.to_string())
        .args(args)
        .current_dir(node_modules().join(".."))
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "MQTT.js: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

fn broker() -> (Proc, u16, std::path::PathBuf) {
    let conf = std::env::temp_dir().join(format!("mqttlab-auth-{}.conf", std::process::id()));
    std::fs::write(
        &conf,
        "allow_anonymous false\nscram_user aluno senha 4096\n",
    )
    .expect("write the config");
    let (b, port) = start_mqttlab_broker(&["-c", conf.to_str().unwrap()], WAIT);
    (b, port, conf)
}

fn events(lines: &[serde_json::Value]) -> Vec<String> {
    lines.iter().map(|l| l.to_string()).collect()
}

#[test]
fn mqttjs_authenticates_and_reauthenticates_with_scram() {
    if !have(&[Peer::NodeModule("mqtt")]) {
        return;
    }
    let (mut b, port, conf) = broker();
    let lines = mqttjs(port, &["ok", "aluno", "senha"]);
    let _ = std::fs::remove_file(conf);
    let ev = events(&lines);
    assert_eq!(
        ev,
        [
            r#"{"event":"auth","phase":"connect","reasonCode":24}"#,
            r#"{"event":"connack","method":"SCRAM-SHA-256","reasonCode":0,"verified":true}"#,
            r#"{"event":"auth","phase":"reauth","reasonCode":24}"#,
            r#"{"event":"auth","phase":"reauth","reasonCode":0}"#,
            r#"{"event":"reauthenticated","verified":true}"#,
            r#"{"event":"message","payload":"ok","topic":"lab/scram"}"#,
            r#"{"event":"close"}"#,
        ],
        "{ev:#?}"
    );
    b.wait_for("Client mqttjs-scram disconnected.", WAIT);
    let log = normalise_log(&b.seen);
    let want = [
        "New connection from 127.0.0.1:PORT on port P.",
        "Sending AUTH to mqttjs-scram (rc24, SCRAM-SHA-256)",
        "Received AUTH from mqttjs-scram (rc24, SCRAM-SHA-256)",
        "New client connected from 127.0.0.1:PORT as mqttjs-scram (p5, c1, k60, u'aluno').",
        "No will message specified.",
        "Sending CONNACK to mqttjs-scram (0, 0)",
        "Received AUTH from mqttjs-scram (rc25, SCRAM-SHA-256)",
        "Sending AUTH to mqttjs-scram (rc24, SCRAM-SHA-256)",
        "Received AUTH from mqttjs-scram (rc24, SCRAM-SHA-256)",
        "Sending AUTH to mqttjs-scram (rc0, SCRAM-SHA-256)",
    ];
    assert_eq!(log[..want.len()], want, "{log:#?}");
}

#[test]
fn mqttjs_with_a_wrong_password_is_refused() {
    if !have(&[Peer::NodeModule("mqtt")]) {
        return;
    }
    let (mut b, port, conf) = broker();
    let refused = events(&mqttjs(port, &["ok", "aluno", "errada"]));
    // Re-authenticating with a wrong password: DISCONNECT 0x87 on the live
    // connection (MQTT-4.12.1-2).
    let dropped = events(&mqttjs(port, &["ok", "aluno", "senha", "errada"]));
    let _ = std::fs::remove_file(conf);
    assert_eq!(
        refused,
        [
            r#"{"event":"auth","phase":"connect","reasonCode":24}"#,
            r#"{"code":135,"event":"error","message":"Connection refused: Not authorized"}"#,
            r#"{"event":"close"}"#,
        ],
        "{refused:#?}"
    );
    assert_eq!(
        dropped,
        [
            r#"{"event":"auth","phase":"connect","reasonCode":24}"#,
            r#"{"event":"connack","method":"SCRAM-SHA-256","reasonCode":0,"verified":true}"#,
            r#"{"event":"auth","phase":"reauth","reasonCode":24}"#,
            r#"{"event":"disconnect","reasonCode":135}"#,
            r#"{"event":"close"}"#,
        ],
        "{dropped:#?}"
    );
    b.wait_for("Client mqttjs-scram disconnected, not authorised.", WAIT);
    let log = normalise_log(&b.seen);
    assert_eq!(
        log[..5],
        [
            "New connection from 127.0.0.1:PORT on port P.",
            "Sending AUTH to mqttjs-scram (rc24, SCRAM-SHA-256)",
            "Received AUTH from mqttjs-scram (rc24, SCRAM-SHA-256)",
            "Sending CONNACK to mqttjs-scram (0, 135)",
            "Client <unknown> disconnected due to protocol error.",
        ],
        "{log:#?}"
    );
}

#[test]
fn an_unknown_method_like_mosquitto() {
    if !have(&[Peer::NodeModule("mqtt"), Peer::Mosquitto]) {
        return;
    }
    let (mut real, port, conf) =
        start_mosquitto_verbose_with("broker-auth", "allow_anonymous true\n", WAIT);
    let theirs = events(&mqttjs(port, &["method", "aluno", "senha"]));
    real.wait_for("disconnected", WAIT);
    real.settle(Duration::from_millis(200));
    let want = normalise_log(&real.seen);
    real.kill();
    let _ = std::fs::remove_file(conf);

    let (mut ours, port, conf) = broker();
    let mine = events(&mqttjs(port, &["method", "aluno", "senha"]));
    ours.wait_for("disconnected", WAIT);
    ours.settle(Duration::from_millis(200));
    let got = normalise_log(&ours.seen);
    let _ = std::fs::remove_file(conf);
    assert_eq!(
        theirs,
        [
            r#"{"code":140,"event":"error","message":"Connection refused: Bad authentication method"}"#,
            r#"{"event":"close"}"#,
        ]
    );
    assert_eq!(mine, theirs);
    assert_eq!(want.len(), 3, "{want:#?}");
    assert_eq!(got, want);
}

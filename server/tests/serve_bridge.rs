//! `mqttlab serve` end to end: the built binary, a real mosquitto on loopback,
//! WebSocket clients writing real MQTT bytes, `mosquitto_pub` publishing
//! straight to mosquitto. Each test bounds its own time; processes die on drop.

#[path = "../../tests/src/peers.rs"]
mod peers;
mod serve_support;

use std::future::Future;
use std::time::Duration;

use futures_util::SinkExt;
use mqttlab_core::codec::Packet;
use peers::{have, node_modules, Peer};
use serve_support::*;
use tokio_tungstenite::tungstenite::Message;

/// Runs `test` on a fresh runtime, failing it after 60 s.
fn bounded<F: Future<Output = ()>>(test: F) {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            tokio::time::timeout(Duration::from_secs(60), test)
                .await
                .expect("test finished within 60 s")
        });
}

fn bridge_arg(name: &str, address: &str) -> String {
    format!("{name}={address}")
}

#[test]
fn static_files_are_served_with_their_content_types() {
    let dist = TempDir::new("dist");
    std::fs::write(
        dist.0.join("index.html"),
        "<!doctype html><title>MQTT Lab</title>",
    )
    .unwrap();
    std::fs::write(dist.0.join("mqttlab-web_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dist.0.join("mqttlab-web.js"), "export default 1;").unwrap();
    let serve = Serve::start(&["--dist", dist.0.to_str().unwrap()]);

    let (status, ct, body) = serve.get("/");
    assert_eq!((status, ct.as_str()), (200, "text/html"));
    assert!(String::from_utf8_lossy(&body).contains("MQTT Lab"));
    let (status, ct, body) = serve.get("/mqttlab-web_bg.wasm");
    assert_eq!((status, ct.as_str()), (200, "application/wasm"));
    assert_eq!(body, b"\0asm\x01\0\0\0");
    let (status, ct, _) = serve.get("/mqttlab-web.js");
    assert_eq!(status, 200);
    assert!(ct.contains("javascript"), "{ct}");
    let (status, _, body) = serve.get("/no-such-file.wasm");
    assert_eq!(status, 404);
    assert!(String::from_utf8_lossy(&body).contains("/no-such-file.wasm"));
}

#[test]
fn a_page_subscribes_through_the_bridge_and_receives_a_mosquitto_pub_message() {
    bounded(async {
        let mosquitto = Mosquitto::start();
        let serve = Serve::start(&["--bridge", &bridge_arg("local", &mosquitto.address())]);
        let mut page = MqttWs::open(&serve, "local").await;

        // A CONNECT split over two frames (MQTT 3.1.1 §6: packets may span frames).
        let connect = encode(&connect_packet("pagina-1"));
        page.send_bytes(connect[..5].to_vec()).await;
        page.send_bytes(connect[5..].to_vec()).await;
        assert!(matches!(page.recv().await, Packet::Connack(_)));
        // SUBSCRIBE and PINGREQ in one frame (a frame may hold several packets).
        let mut two = encode(&subscribe_packet("lab/#", 7));
        two.extend(encode(&Packet::Pingreq));
        page.send_bytes(two).await;
        assert!(matches!(page.recv().await, Packet::Suback(_)));
        assert_eq!(page.recv().await, Packet::Pingresp);

        mosquitto.mosquitto_pub("lab/sala-1", "ola da ponte");
        let message = page.recv().await;
        assert_eq!(payload_of(&message), ("lab/sala-1", &b"ola da ponte"[..]));

        page.send(&Packet::Disconnect).await;
        assert_eq!(
            page.closed().await.0,
            1000,
            "mosquitto hangs up after DISCONNECT"
        );
        let open = serve.wait_log(&["open:", "upstream 'local'"]).await;
        assert!(open.contains("peer 127.0.0.1:"), "{open}");
        let closed = serve.wait_log(&["closed:", "bytes page->broker"]).await;
        assert!(closed.contains("bytes broker->page"), "{closed}");
        assert!(closed.contains("closed the connection"), "{closed}");
    });
}

#[test]
fn an_upstream_that_was_not_named_is_refused() {
    bounded(async {
        let mosquitto = Mosquitto::start();
        let serve = Serve::start(&["--bridge", &bridge_arg("local", &mosquitto.address())]);
        let mut page = MqttWs::open(&serve, "elsewhere").await;
        let (code, reason) = page.closed().await;
        assert_eq!(code, 1008);
        assert!(reason.contains("no upstream named 'elsewhere'"), "{reason}");
        assert!(
            reason.contains("local"),
            "names the known upstreams: {reason}"
        );
        // A host:port in place of a name is just an unknown name: no open proxy.
        let url = serve.url(&format!("/mqtt/127.0.0.1:{}", mosquitto.port));
        let ws = open_ws(&url, Some("mqtt"), None).await.unwrap();
        let (code, _) = MqttWs::from_ws(ws).closed().await;
        assert_eq!(code, 1008);
        // Plain HTTP gets a 404 that says the same.
        let (status, _, body) = serve.get("/mqtt/elsewhere");
        assert_eq!(status, 404);
        assert!(String::from_utf8_lossy(&body).contains("no upstream named 'elsewhere'"));
        // The list, at the path the page asks (dist/ holds an empty one).
        for path in ["/mqtt/", "/bridges.json"] {
            let (status, content_type, body) = serve.get(path);
            assert_eq!((status, content_type.as_str()), (200, "application/json"));
            assert_eq!(
                String::from_utf8_lossy(&body),
                r#"{"subprotocol":"mqtt","upstreams":[{"name":"local","path":"/mqtt/local"}]}"#,
                "{path}"
            );
        }
    });
}

#[test]
fn a_wrong_origin_is_refused_with_403_and_the_own_and_allowed_ones_pass() {
    bounded(async {
        let mosquitto = Mosquitto::start();
        let serve = Serve::start(&[
            "--bridge",
            &bridge_arg("local", &mosquitto.address()),
            "--allow-origin",
            "http://localhost:3000",
        ]);
        let url = serve.url("/mqtt/local");
        let refused = open_ws(&url, Some("mqtt"), Some("http://evil.example"))
            .await
            .map(|_| ())
            .unwrap_err();
        assert_eq!(refused.status, 403);
        assert!(
            refused
                .body
                .contains("origin 'http://evil.example' may not open"),
            "{}",
            refused.body
        );
        let own = format!("http://{}", serve.addr);
        for origin in [own.as_str(), "http://localhost:3000"] {
            let ws = open_ws(&url, Some("mqtt"), Some(origin)).await.unwrap();
            MqttWs::from_ws(ws).connect("origem").await;
        }
    });
}

#[test]
fn a_handshake_without_the_mqtt_subprotocol_is_refused() {
    bounded(async {
        let serve = Serve::start(&["--bridge", "local=127.0.0.1:9"]);
        let url = serve.url("/mqtt/local");
        for offered in [None, Some("wamp")] {
            let refused = open_ws(&url, offered, None).await.map(|_| ()).unwrap_err();
            assert_eq!(refused.status, 400);
            assert!(
                refused.body.contains("subprotocol 'mqtt'"),
                "{}",
                refused.body
            );
        }
    });
}

#[test]
fn an_oversized_frame_closes_with_1009() {
    bounded(async {
        let mosquitto = Mosquitto::start();
        let serve = Serve::start(&[
            "--bridge",
            &bridge_arg("local", &mosquitto.address()),
            "--max-frame",
            "1024",
        ]);
        let mut page = MqttWs::open(&serve, "local").await;
        page.connect("grande").await;
        page.send(&publish_packet("lab/grande", &[7; 900])).await;
        page.send(&publish_packet("lab/grande", &[7; 2000])).await;
        let (code, reason) = page.closed().await;
        assert_eq!(code, 1009);
        assert!(
            reason.contains("limit (--max-frame) is 1024 bytes"),
            "{reason}"
        );
        serve.wait_log(&["closed:", "1009"]).await;
    });
}

#[test]
fn bytes_that_are_not_mqtt_are_refused_and_no_upstream_is_opened() {
    bounded(async {
        // A listener standing in for the broker, to see whether anything reaches it.
        let upstream = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = upstream.local_addr().unwrap().to_string();
        let serve = Serve::start(&["--bridge", &bridge_arg("watched", &address)]);

        let mut page = MqttWs::open(&serve, "watched").await;
        page.send_bytes(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec())
            .await;
        let (code, reason) = page.closed().await;
        assert_eq!(code, 1002);
        assert!(reason.starts_with("not MQTT: first byte 0x47"), "{reason}");

        let mut page = MqttWs::open(&serve, "watched").await;
        page.send(&publish_packet("lab/x", b"no connect")).await;
        let (code, reason) = page.closed().await;
        assert_eq!(code, 1002);
        assert!(reason.contains("first packet is PUBLISH"), "{reason}");

        let mut page = MqttWs::open(&serve, "watched").await;
        page.ws.send(Message::text("{\"hello\":1}")).await.unwrap();
        let (code, reason) = page.closed().await;
        assert_eq!(code, 1003);
        assert!(reason.contains("binary frames"), "{reason}");

        let nothing = tokio::time::timeout(Duration::from_millis(300), upstream.accept()).await;
        assert!(nothing.is_err(), "the upstream was never connected to");
    });
}

#[test]
fn an_upstream_that_is_down_gives_a_clear_reason() {
    bounded(async {
        let port = free_port();
        let serve = Serve::start(&["--bridge", &format!("down=127.0.0.1:{port}")]);
        let mut page = MqttWs::open(&serve, "down").await;
        page.send(&connect_packet("ninguem")).await;
        let (code, reason) = page.closed().await;
        assert_eq!(code, 1011);
        assert_eq!(
            reason,
            format!("upstream 'down' (127.0.0.1:{port}) refused the connection")
        );
    });
}

#[test]
fn one_bad_client_does_not_affect_a_good_one() {
    bounded(async {
        let mosquitto = Mosquitto::start();
        let serve = Serve::start(&[
            "--bridge",
            &bridge_arg("local", &mosquitto.address()),
            "--max-frame",
            "4096",
        ]);
        let mut good = MqttWs::open(&serve, "local").await;
        good.connect("bom").await;
        good.subscribe("lab/#").await;

        // Junk, an oversized frame, a text frame, a socket dropped mid-CONNECT.
        let mut junk = MqttWs::open(&serve, "local").await;
        junk.send_bytes(vec![0xff; 64]).await;
        let mut huge = MqttWs::open(&serve, "local").await;
        huge.send_bytes(vec![0x10; 10_000]).await;
        let mut text = MqttWs::open(&serve, "local").await;
        text.ws.send(Message::text("CONNECT")).await.unwrap();
        let mut dropped = MqttWs::open(&serve, "local").await;
        dropped
            .send_bytes(encode(&connect_packet("meio"))[..6].to_vec())
            .await;
        drop(dropped);
        let mut rude = MqttWs::open(&serve, "local").await;
        rude.connect("mal-educado").await;
        drop(rude); // no DISCONNECT, no close frame
        assert_eq!(junk.closed().await.0, 1002);
        assert_eq!(huge.closed().await.0, 1009);
        assert_eq!(text.closed().await.0, 1003);

        mosquitto.mosquitto_pub("lab/ainda", "funciona");
        assert_eq!(
            payload_of(&good.recv().await),
            ("lab/ainda", &b"funciona"[..])
        );
        good.send(&Packet::Pingreq).await;
        assert_eq!(good.recv().await, Packet::Pingresp);
    });
}

#[test]
fn the_connection_limit_refuses_with_1013_and_frees_slots_on_close() {
    bounded(async {
        let mosquitto = Mosquitto::start();
        let serve = Serve::start(&[
            "--bridge",
            &bridge_arg("local", &mosquitto.address()),
            "--max-connections",
            "1",
        ]);
        let mut first = MqttWs::open(&serve, "local").await;
        first.connect("primeiro").await;
        let mut second = MqttWs::open(&serve, "local").await;
        let (code, reason) = second.closed().await;
        assert_eq!(code, 1013);
        assert!(reason.contains("limit (--max-connections)"), "{reason}");

        first.send(&Packet::Disconnect).await;
        first.closed().await;
        serve.wait_log(&["closed:"]).await;
        let mut third = MqttWs::open(&serve, "local").await;
        third.connect("terceiro").await;
    });
}

#[test]
fn an_idle_connection_is_closed_with_1001() {
    bounded(async {
        let mosquitto = Mosquitto::start();
        let serve = Serve::start(&[
            "--bridge",
            &bridge_arg("local", &mosquitto.address()),
            "--idle-timeout",
            "2",
        ]);
        let mut quiet = MqttWs::open(&serve, "local").await;
        quiet.connect("calado").await;
        // MQTT keepalive traffic keeps it open past the idle timeout...
        for _ in 0..6 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            quiet.send(&Packet::Pingreq).await;
            assert_eq!(quiet.recv().await, Packet::Pingresp);
        }
        // ...and silence closes it.
        let started = std::time::Instant::now();
        let (code, reason) = quiet.closed().await;
        assert_eq!(code, 1001);
        assert!(reason.contains("no traffic either way for 2 s"), "{reason}");
        assert!(started.elapsed() < Duration::from_secs(6));

        // A socket that never sends CONNECT is closed too.
        let mut silent = MqttWs::open(&serve, "local").await;
        let (code, reason) = silent.closed().await;
        assert_eq!(code, 1008);
        assert!(reason.contains("no MQTT CONNECT within 2 s"), "{reason}");
    });
}

/// MQTT.js (npm `mqtt`, as a browser page would use it) through the bridge.
#[test]
fn mqtt_js_over_websocket_completes_qos_1_and_2_through_the_bridge() {
    if !have(&[Peer::NodeModule("mqtt")]) {
        return;
    }
    let mqtt_js = node_modules().join("mqtt/build/index.js");
    bounded(async {
        let mosquitto = Mosquitto::start();
        let serve = Serve::start(&["--bridge", &bridge_arg("local", &mosquitto.address())]);
        let script = format!(
            r#"
import mqtt from {js:?};
const c = mqtt.connect({url:?}, {{ protocolVersion: 4, reconnectPeriod: 0, clientId: "mqttjs-ponte" }});
const got = [];
c.on("error", e => {{ console.log("error " + e.message); process.exit(1); }});
c.on("connect", () => c.subscribe("lab/js/#", {{ qos: 2 }}, err => {{
  if (err) {{ console.log("suback " + err); process.exit(1); }}
  c.publish("lab/js/q1", "um", {{ qos: 1 }});
  c.publish("lab/js/q2", "dois", {{ qos: 2 }});
}}));
c.on("message", (t, m, p) => {{
  got.push(t + "=" + m + "@" + p.qos);
  if (got.length === 2) {{ console.log(got.sort().join(" ")); c.end(); }}
}});
"#,
            js = mqtt_js.to_str().unwrap(),
            url = serve.url("/mqtt/local"),
        );
        let out = tokio::time::timeout(
            Duration::from_secs(20),
            tokio::process::Command::new("node")
                .args(["--input-type=module", "-e", &script])
                .kill_on_drop(true)
                .output(),
        )
        .await
        .expect("MQTT.js finished within 20 s")
        .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(stdout.trim(), "lab/js/q1=um@1 lab/js/q2=dois@2", "{out:?}");
        serve
            .wait_log(&["CONNECT from client id 'mqttjs-ponte'"])
            .await;
    });
}

/// `--record DIR`: the bridged connection is written as DIR/bridge-N.pcapng
/// when it ends; tshark reads it and shows the page's CONNECT, SUBSCRIBE,
/// PINGREQ and DISCONNECT and mosquitto's answers, as the core does.
#[test]
fn a_recorded_connection_is_a_capture_tshark_reads() {
    if !have(&[Peer::Mosquitto, Peer::Tshark]) {
        return;
    }
    let dir = TempDir::new("record");
    bounded(async {
        let mosquitto = Mosquitto::start();
        let serve = Serve::start(&[
            "--bridge",
            &bridge_arg("local", &mosquitto.address()),
            "--record",
            dir.0.to_str().unwrap(),
        ]);
        let mut page = MqttWs::open(&serve, "local").await;
        page.send(&connect_packet("gravada")).await;
        assert!(matches!(page.recv().await, Packet::Connack(_)));
        page.send(&subscribe_packet("lab/#", 3)).await;
        assert!(matches!(page.recv().await, Packet::Suback(_)));
        page.send(&Packet::Pingreq).await;
        assert_eq!(page.recv().await, Packet::Pingresp);
        page.send(&Packet::Disconnect).await;
        page.closed().await;
        serve.wait_log(&["recorded:", "bridge-"]).await;
    });
    let files: Vec<_> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let file = &files[0];
    assert!(file.to_string_lossy().ends_with(".pcapng"));
    let out = std::process::Command::new("tshark")
        .args([
            "-r",
            file.to_str().unwrap(),
            "-Y",
            "mqtt",
            "-T",
            "fields",
            "-e",
            "mqtt.msgtype",
        ])
        .output()
        .expect("tshark runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let types: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .flat_map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>())
        .collect();
    // CONNECT 1, CONNACK 2, SUBSCRIBE 8, SUBACK 9, PINGREQ 12, PINGRESP 13, DISCONNECT 14.
    assert_eq!(
        types,
        ["1", "2", "8", "9", "12", "13", "14"],
        "tshark: {types:?}"
    );
    let cap = mqttlab_core::capture::read(&std::fs::read(file).unwrap()).unwrap();
    assert_eq!(cap.streams[0].client_id.as_deref(), Some("gravada"));
    let report = mqttlab_core::checker::Checker::check_capture(&cap);
    assert!(!report.must_broken(), "{report}");
}

//! The MQTT 5.0 codec against bytes real peers put on the wire: mosquitto 2.0
//! with `mosquitto_sub`/`mosquitto_pub -V 5` and their `-D` properties, and
//! MQTT.js 5 with `protocolVersion: 5`, captured by a loopback proxy between
//! client and broker. Every packet in both directions must decode (the client's
//! side learning the level from its CONNECT), re-encode to exactly the bytes
//! captured, and dissect without an error node and with every property shown
//! with its value on its line. Every process is bounded by `timeout`.
//! `MQTTLAB_V5_DUMP=1` prints each packet's summary and hex.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use mqttlab_core::codec::properties::{Property, ValueRef};
use mqttlab_core::codec::{dissect_as, render, v5, AnyPacket, Decoder, PacketType, Protocol};
use mqttlab_tests::peers::{have, node_modules, Peer};
use mqttlab_tests::procs::{Mosquitto, MOSQUITTO_PUB, MOSQUITTO_SUB};

type Captured = Arc<Mutex<Vec<(Vec<u8>, Vec<u8>)>>>;

/// A proxy on a loopback port to `127.0.0.1:upstream` that records each
/// connection's bytes, client to broker and broker to client.
fn proxy(upstream: u16) -> (u16, Captured) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().unwrap().port();
    let captured: Captured = Arc::default();
    let all = captured.clone();
    thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(broker) = TcpStream::connect(("127.0.0.1", upstream)) else {
                continue;
            };
            let index = {
                let mut all = all.lock().unwrap();
                all.push((Vec::new(), Vec::new()));
                all.len() - 1
            };
            let pipe = |mut from: TcpStream, mut to: TcpStream, up: bool, all: Captured| {
                thread::spawn(move || {
                    let mut buf = [0u8; 4096];
                    while let Ok(n) = from.read(&mut buf) {
                        if n == 0 || to.write_all(&buf[..n]).is_err() {
                            break;
                        }
                        let mut all = all.lock().unwrap();
                        let side = if up {
                            &mut all[index].0
                        } else {
                            &mut all[index].1
                        };
                        side.extend_from_slice(&buf[..n]);
                    }
                    let _ = to.shutdown(std::net::Shutdown::Write);
                })
            };
            pipe(
                client.try_clone().unwrap(),
                broker.try_clone().unwrap(),
                true,
                all.clone(),
            );
            pipe(broker, client, false, all.clone());
        }
    });
    (port, captured)
}

/// How a property's value reads in the dissection line `Name: value`.
fn shown(p: &Property) -> String {
    match p.value() {
        ValueRef::Int(n) => n.to_string(),
        ValueRef::Str(s) => s.to_string(),
        ValueRef::Bin(b) => match std::str::from_utf8(b) {
            Ok(s) if !s.chars().any(char::is_control) => s.to_string(),
            _ => b.iter().map(|x| format!("{x:02x}")).collect(),
        },
        ValueRef::Pair(k, v) => format!("{k} = {v}"),
    }
}

/// Decodes one direction of a connection: every packet decodes, re-encodes to
/// its bytes, and dissects clean with each property on its line.
fn check_stream(what: &str, bytes: &[u8], decoder: Decoder) -> Vec<v5::Packet> {
    let mut d = decoder;
    d.push(bytes);
    let mut out = Vec::new();
    while let Some((p, raw)) = d
        .next_any_frame()
        .unwrap_or_else(|e| panic!("{what}: {e} in {bytes:02x?}"))
    {
        let AnyPacket::V5(p) = p else {
            panic!("{what}: read as 3.1.1: {p}")
        };
        assert_eq!(
            p.to_bytes().unwrap(),
            &raw[..],
            "{what}: re-encodes exactly"
        );
        if std::env::var_os("MQTTLAB_V5_DUMP").is_some() {
            let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
            eprintln!("{what}: {p}\n  {hex}");
        }
        let tree = dissect_as(&raw, Some(Protocol::V5));
        let text = render(&tree);
        assert!(!tree[0].has_error(), "{what}:\n{text}");
        let mut props: Vec<&Property> = p.properties().iter().collect();
        if let v5::Packet::Connect(c) = &p {
            props.extend(c.will.iter().flat_map(|w| &w.properties));
        }
        for prop in props {
            let line = format!("{}: {}\n", prop.id().name(), shown(prop));
            assert!(text.contains(&line), "{what}: {line:?} in\n{text}");
        }
        out.push(p);
    }
    assert_eq!(d.buffered(), 0, "{what}: a partial packet at the end");
    out
}

fn check_all(captured: &Captured) -> Vec<v5::Packet> {
    let all = captured.lock().unwrap().clone();
    assert!(!all.is_empty(), "nothing captured");
    let mut packets = Vec::new();
    for (i, (up, down)) in all.iter().enumerate() {
        packets.extend(check_stream(
            &format!("connection {i} up"),
            up,
            Decoder::new(1 << 20),
        ));
        packets.extend(check_stream(
            &format!("connection {i} down"),
            down,
            Decoder::with_protocol(1 << 20, Protocol::V5),
        ));
    }
    packets
}

fn types(packets: &[v5::Packet]) -> Vec<PacketType> {
    let mut t: Vec<PacketType> = packets.iter().map(v5::Packet::packet_type).collect();
    t.sort();
    t.dedup();
    t
}

fn wait_for(captured: &Captured, within: Duration, pred: impl Fn(&[(Vec<u8>, Vec<u8>)]) -> bool) {
    let end = Instant::now() + within;
    while Instant::now() < end {
        if pred(&captured.lock().unwrap()) {
            return;
        }
        thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn mosquitto_and_its_tools_with_v5_properties() {
    if !have(&[Peer::Mosquitto, Peer::MosquittoClients]) {
        return;
    }
    let broker = Mosquitto::start();
    let (port, captured) = proxy(broker.port().parse().unwrap());
    let port = port.to_string();
    let base = ["-V", "5", "-h", "127.0.0.1", "-p", &port];
    let mut sub = Command::new("timeout")
        .args(["10", MOSQUITTO_SUB])
        .args(base)
        .args(["-t", "lab/v5", "-q", "2", "-C", "1", "-i", "v5sub"])
        .args(["-D", "connect", "session-expiry-interval", "60"])
        .args(["-D", "connect", "receive-maximum", "10"])
        .args(["-D", "connect", "maximum-packet-size", "100000"])
        .args(["-D", "connect", "topic-alias-maximum", "3"])
        .args(["-D", "connect", "request-problem-information", "1"])
        .args(["-D", "connect", "user-property", "curso", "mqtt"])
        .args(["-D", "subscribe", "user-property", "sala", "3"])
        .spawn()
        .expect("run mosquitto_sub");
    // The SUBACK is back: the subscription is in place.
    wait_for(&captured, Duration::from_secs(5), |all| {
        all.first().is_some_and(|(_, down)| down.contains(&0x90))
    });
    let status = Command::new("timeout")
        .args(["10", MOSQUITTO_PUB])
        .args(base)
        .args(["-t", "lab/v5", "-q", "2", "-m", "21", "-i", "v5pub"])
        .args(["--will-topic", "lab/will", "--will-payload", "off"])
        .args(["-D", "will", "will-delay-interval", "5"])
        .args(["-D", "will", "user-property", "w", "1"])
        .args(["-D", "publish", "payload-format-indicator", "1"])
        .args(["-D", "publish", "message-expiry-interval", "60"])
        .args(["-D", "publish", "content-type", "text/plain"])
        .args(["-D", "publish", "response-topic", "lab/reply"])
        .args(["-D", "publish", "correlation-data", "id-7"])
        .args(["-D", "publish", "user-property", "sala", "3"])
        .args(["-D", "publish", "user-property", "sala", "4"])
        .args(["-D", "disconnect", "session-expiry-interval", "0"])
        .status()
        .expect("run mosquitto_pub");
    assert!(status.success(), "mosquitto_pub: {status}");
    let status = sub.wait().unwrap();
    assert!(status.success(), "mosquitto_sub: {status}");
    thread::sleep(Duration::from_millis(200));
    let packets = check_all(&captured);
    use PacketType::*;
    for t in [
        Connect, Connack, Publish, Pubrec, Pubrel, Pubcomp, Subscribe, Suback, Disconnect,
    ] {
        assert!(
            types(&packets).contains(&t),
            "no {t} in {:?}",
            types(&packets)
        );
    }
    // The message reached the subscriber with both user properties, in order.
    let delivered = packets.iter().rev().find_map(|p| match p {
        v5::Packet::Publish(p) => Some(p),
        _ => None,
    });
    let names: Vec<String> = delivered
        .unwrap()
        .properties
        .iter()
        .filter_map(|p| match p.value() {
            ValueRef::Pair(k, v) => Some(format!("{k}={v}")),
            _ => None,
        })
        .collect();
    assert_eq!(names, ["sala=3", "sala=4"]);
}

#[test]
fn mqttjs_5_against_mosquitto() {
    if !have(&[Peer::Mosquitto, Peer::NodeModule("mqtt")]) {
        return;
    }
    assert!(node_modules().join("mqtt").is_dir());
    let broker = Mosquitto::start();
    let (port, captured) = proxy(broker.port().parse().unwrap());
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("interop/mqttjs_v5.mjs");
    let out = Command::new("timeout")
        .args(["15", "node"])
        .arg(&script)
        .arg(port.to_string())
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "MQTT.js: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    thread::sleep(Duration::from_millis(200));
    let packets = check_all(&captured);
    use PacketType::*;
    for t in [
        Connect,
        Connack,
        Publish,
        Pubrec,
        Pubrel,
        Pubcomp,
        Subscribe,
        Suback,
        Unsubscribe,
        Unsuback,
        Disconnect,
    ] {
        assert!(
            types(&packets).contains(&t),
            "no {t} in {:?}",
            types(&packets)
        );
    }
    let subscribe = packets.iter().find_map(|p| match p {
        v5::Packet::Subscribe(s) => Some(s),
        _ => None,
    });
    let o = subscribe.unwrap().topics[0].options;
    assert!(o.retain_as_published && o.retain_handling == v5::RetainHandling::SendIfNew);
}

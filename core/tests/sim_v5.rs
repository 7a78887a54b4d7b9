//! The simulated world carries MQTT 5.0 packets: the tools' `-V 5` command lines
//! with properties run, their packets travel with their exact 5.0 bytes, fault
//! rules act on them, expectations read their reason codes, and the pcap export
//! decodes as MQTT 5.0 in tshark.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../../tests/src/peers.rs"]
mod peers;

use mqttlab_core::codec::{v5, AnyPacket};
use mqttlab_core::sim::pcap::to_pcap;
use mqttlab_core::sim::scenario;
use mqttlab_core::sim::trace::{Fate, TraceKind};
use mqttlab_core::sim::World;
use peers::{have, Peer};

const USER_PROPERTY: &str = "broker b\n\
    client p -> b\n\
    client s -> b\n\
    fault duplicate next PUBLISH from p\n\
    at 0s s: mosquitto_sub -h b -V 5 -i s -t t -q 1 -F \"%t %p %P\"\n\
    at 1s p: mosquitto_pub -h b -V 5 -i p -t t -m x -q 1 -D publish user-property sala 101\n\
    at 2s p: mosquitto_pub -h b -V 5 -i p -t nobody -m y -q 1\n\
    expect packet \"PUBACK m1 0x10\" to p once\n\
    expect packet \"PUBACK m1 0x10 No matching subscribers\" to p once\n\
    expect packet \"PUBLISH d1 q1 m1 t [1 prop]\" from p once\n\
    expect packet \"SUBACK m1 [0x01]\" to s once\n\
    expect s suback 1\n\
    run 5s\n";

fn terminal(w: &World, node: &str) -> Vec<String> {
    w.client(w.node_id(node).unwrap())
        .unwrap()
        .terminal
        .iter()
        .map(|(_, l)| l.clone())
        .collect()
}

/// Every delivered packet to or from `node`, decoded from its bytes at the
/// level the trace says.
fn delivered(w: &World, node: &str) -> Vec<AnyPacket> {
    w.trace()
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Packet {
                fate: Fate::Delivered,
                from,
                to,
                bytes,
                v5,
                ..
            } if from == node || to == node => Some(mqttlab_core::codec::decode_any(
                bytes,
                usize::MAX,
                v5.then_some(mqttlab_core::codec::Protocol::V5),
            )),
            _ => None,
        })
        .map(|r| r.unwrap().unwrap().0)
        .collect()
}

#[test]
fn a_user_property_travels_from_mosquitto_pub_to_mosquitto_sub() {
    let r = scenario::run(USER_PROPERTY, Some(1)).unwrap();
    assert!(r.passed(), "{:#?}", r.results);
    // QoS 1 and a duplicated PUBLISH: delivered twice, each with its property
    // (mosquitto_sub -F %P prints user properties as name:value).
    assert_eq!(terminal(&r.world, "s"), ["t x sala:101", "t x sala:101"]);
    // The trace's bytes are the 5.0 packets, and say so.
    let to_s = delivered(&r.world, "s");
    assert!(
        to_s.iter().all(|p| matches!(p, AnyPacket::V5(_))),
        "{to_s:?}"
    );
    let publishes: Vec<&v5::Publish> = to_s
        .iter()
        .filter_map(|p| match p {
            AnyPacket::V5(v5::Packet::Publish(p)) => Some(p),
            _ => None,
        })
        .collect();
    assert_eq!(publishes.len(), 2);
    for p in publishes {
        assert!(
            p.properties
                .iter()
                .any(|x| format!("{x:?}").contains("sala")),
            "{:?}",
            p.properties
        );
    }
    // The fault rule's copy is a 5.0 PUBLISH with DUP set.
    let dup = delivered(&r.world, "p").into_iter().any(|p| {
        matches!(p, AnyPacket::V5(v5::Packet::Publish(ref x)) if x.dup && x.properties.len() == 1)
    });
    assert!(dup);
}

#[test]
fn a_3_1_1_scenario_still_carries_3_1_1_packets() {
    let src = "broker b\nclient p -> b\n\
        at 1s p: mosquitto_pub -h b -i p -t t -m x -q 1\n\
        expect packet \"PUBACK m1\" to p once\nrun 3s\n";
    let r = scenario::run(src, Some(1)).unwrap();
    assert!(r.passed(), "{:#?}", r.results);
    let all = delivered(&r.world, "p");
    assert!(!all.is_empty());
    assert!(all.iter().all(|p| matches!(p, AnyPacket::V3(_))), "{all:?}");
}

#[test]
fn the_5_0_capture_decodes_as_mqtt_5_in_tshark() {
    if !have(&[Peer::Tshark]) {
        return;
    }
    let r = scenario::run(USER_PROPERTY, Some(1)).unwrap();
    let pcap = to_pcap(r.world.trace().entries());
    let path = std::env::temp_dir().join(format!("mqttlab-sim-v5-{}.pcap", std::process::id()));
    std::fs::write(&path, &pcap).unwrap();
    let out = std::process::Command::new("timeout")
        .args(["60", "tshark", "-r"])
        .arg(&path)
        .args([
            "-Y",
            "mqtt",
            "-T",
            "fields",
            "-e",
            "mqtt.msgtype",
            "-e",
            "mqtt.ver",
            "-e",
            "mqtt.prop_key",
            "-e",
            "mqtt.prop_value",
            "-e",
            "mqtt.puback.reason_code",
            "-e",
            "_ws.malformed",
        ])
        .output()
        .expect("tshark runs");
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    // Every CONNECT says version 5; the user property is read as one; the
    // PUBACK's reason code 0x10 (16) is there; nothing is malformed.
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    let connects: Vec<_> = rows.iter().filter(|r| r[0] == "1").collect();
    assert_eq!(connects.len(), 3, "{text}");
    assert!(connects.iter().all(|r| r[1] == "5"), "{text}");
    assert!(
        rows.iter()
            .any(|r| r[0] == "3" && r[2].contains("sala") && r[3].contains("101")),
        "{text}"
    );
    assert!(rows.iter().any(|r| r[0] == "4" && r[4] == "16"), "{text}");
    assert!(
        rows.iter().all(|r| r.get(5).is_none_or(|m| m.is_empty())),
        "{text}"
    );
}

fn first_error(src: &str) -> String {
    scenario::parse(src).unwrap_err().to_string()
}

#[test]
fn versions_and_5_0_options_in_the_scenario_language() {
    // PubSubClient has no MQTT 5.0; esp-mqtt has.
    let e = first_error("broker b\nesp32 e -> b profile pubsubclient version 5\n");
    assert!(e.contains("PubSubClient speaks MQTT 3.1.1 only"), "{e}");
    assert!(scenario::parse("broker b\nesp32 e -> b profile esp-idf version 5\n").is_ok());
    // 5.0 properties need version 5.
    let e = first_error("broker b\nsensor s -> b topic t every 1s session-expiry 30\n");
    assert!(
        e.contains("'session-expiry' is an MQTT 5.0 property"),
        "{e}"
    );
    let e = first_error("broker b\nclient c -> b version 4\n");
    assert!(e.contains("unknown protocol version '4'"), "{e}");
    let e = first_error("broker b maximum-qos 2\n");
    assert!(e.contains("Maximum QoS is 0 or 1"), "{e}");
    let e = first_error("broker b receive-maximum 0\n");
    assert!(e.contains("Receive Maximum 0"), "{e}");
    // AUTH is a packet type for faults and expectations.
    assert!(
        scenario::parse("broker b\nfault drop next AUTH\nexpect packet \"AUTH\" never\n").is_ok()
    );
}

#[test]
fn a_generic_client_declared_5_0_connects_with_its_properties() {
    let src = "broker b topic-alias-maximum 0 server-keepalive 20\n\
        client c -> b version 5\n\
        at 1s connect c session-expiry 30 receive-maximum 2\n\
        at 2s disconnect c\n\
        expect packet \"CONNECT c1 k60 v5.0 c [2 props]\" from c once\n\
        expect packet \"CONNACK 0x00 ...\" to c once\n\
        run 5s\n";
    let r = scenario::run(src, Some(1)).unwrap();
    assert!(r.passed(), "{:#?}", r.results);
    let connack = delivered(&r.world, "c")
        .into_iter()
        .find_map(|p| match p {
            AnyPacket::V5(v5::Packet::Connack(c)) => Some(c),
            _ => None,
        })
        .unwrap();
    // What the broker line set is what the CONNACK announces: Server Keep
    // Alive 20, and no Topic Alias Maximum (0 is 5.0's default).
    let props = format!("{:?}", connack.properties);
    assert!(props.contains("ServerKeepAlive(20)"), "{props}");
    assert!(!props.contains("TopicAliasMaximum"), "{props}");
}

#[test]
fn a_5_0_only_broker_answers_3_1_1_with_connack_1() {
    let src = "broker b v5-only\n\
        client old -> b\nclient new -> b version 5\n\
        at 1s connect old\nat 1s connect new\n\
        expect old refused 1\n\
        expect packet \"CONNACK 1\" to old once\n\
        expect packet \"CONNACK 0x00 ...\" to new once\n\
        run 3s\n";
    let r = scenario::run(src, Some(1)).unwrap();
    assert!(r.passed(), "{:#?}", r.results);
    // Without v5-only the same 3.1.1 client is accepted.
    let r = scenario::run(&src.replace(" v5-only", ""), Some(1)).unwrap();
    assert!(!r.passed());
}

#[test]
fn expectations_on_the_properties_a_message_carries() {
    let src = "broker b\nclient s -> b\nclient p -> b\n\
        at 0s s: mosquitto_sub -h b -V 5 -i s -t t -q 1 -D subscribe subscription-identifier 7\n\
        at 1s p: mosquitto_pub -h b -V 5 -i p -t t -m x -q 1 -D publish user-property sala 101 \
        -D publish response-topic r/1 -D publish correlation-data abc \
        -D publish message-expiry-interval 60 -D publish content-type text/plain\n\
        expect s receives \"x\" on t with user-property sala=101\n\
        expect s receives \"x\" with response-topic r/1 with correlation-data \"abc\" \
        with message-expiry 60 with subscription-id 7 with content-type \"text/plain\" once\n\
        expect s never receives \"x\" with user-property sala=102\n\
        expect s never receives with subscription-id 8\n\
        expect s never receives with correlation-data \"abd\"\n\
        run 3s\n";
    let r = scenario::run(src, Some(1)).unwrap();
    assert!(r.passed(), "{:#?}", r.results);
    // Each `with` must hold: the same expectations fail on the 3.1.1 message.
    let v311 = src
        .replace("-V 5 ", "")
        .replace(" -D subscribe subscription-identifier 7", "");
    let v311: String = v311
        .lines()
        .map(|l| {
            if l.starts_with("at 1s") {
                "at 1s p: mosquitto_pub -h b -i p -t t -m x -q 1"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let r = scenario::run(&v311, Some(1)).unwrap();
    let failed: Vec<usize> = r
        .results
        .iter()
        .filter(|x| !x.passed)
        .map(|x| x.line)
        .collect();
    assert_eq!(failed, [6, 7], "{:#?}", r.results);
    let e = first_error("broker b\nclient s -> b\nexpect s receives \"x\" with user-proprty a=b\n");
    assert!(e.contains("did you mean 'user-property'?"), "{e}");
    let e = first_error("broker b\nclient s -> b\nexpect s receives \"x\" with user-property ab\n");
    assert!(e.contains("'ab' is not NAME=VALUE"), "{e}");
}

#[test]
fn fault_rules_act_on_5_0_packets() {
    // A delayed PUBREL on a 5.0 QoS 2 exchange: everything behind it waits.
    let src = "broker b\nclient s -> b\nclient p -> b\n\
        fault delay PUBREL from p by 5s\n\
        at 0s s: mosquitto_sub -h b -V 5 -i s -t t -q 2\n\
        at 1s p: mosquitto_pub -h b -V 5 -i p -t t -m x -q 2\n\
        expect packet \"PUBREL m1\" from p after 6s once\n\
        expect packet \"PUBCOMP m1\" to p after 6s once\n\
        expect s receives \"x\" once\n\
        run 10s\n";
    let r = scenario::run(src, Some(1)).unwrap();
    assert!(r.passed(), "{:#?}", r.results);
    // Dropping the 5.0 PUBACK (0x10, nobody subscribed): the publisher never
    // hears it.
    let src = "broker b\nclient p -> b\n\
        fault drop next PUBACK to p\n\
        at 1s p: mosquitto_pub -h b -V 5 -i p -t nobody -m x -q 1\n\
        expect packet \"PUBACK m1 0x10\" to p never\n\
        run 5s\n";
    let r = scenario::run(src, Some(1)).unwrap();
    assert!(r.passed(), "{:#?}", r.results);
    let dropped = r.world.trace().entries().iter().any(|e| {
        matches!(&e.kind, TraceKind::Packet { fate: Fate::Dropped, summary, v5: true, .. }
            if summary == "PUBACK m1 0x10 No matching subscribers")
    });
    assert!(dropped);
}

/// Every PUBLISH delivered to `node`, as 5.0 packets.
fn publishes_to(w: &World, node: &str) -> Vec<v5::Publish> {
    w.trace()
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Packet {
                fate: Fate::Delivered,
                to,
                bytes,
                v5: true,
                ..
            } if to == node => {
                let p = mqttlab_core::codec::decode_any(
                    bytes,
                    usize::MAX,
                    Some(mqttlab_core::codec::Protocol::V5),
                );
                match p {
                    Ok(Some((AnyPacket::V5(v5::Packet::Publish(p)), _))) => Some(p),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect()
}

#[test]
fn the_publish_action_sensors_and_esp32_boards_send_their_with_properties() {
    use mqttlab_core::codec::properties::{self as p, Property};
    let src = "broker b\n\
        sensor s -> b topic t/s every 1s version 5 with content-type text/plain with user-property unit=C with topic-alias 2\n\
        esp32 e -> b profile esp-idf version 5 topic t/e every 1s qos 1 with user-property unit=%\n\
        client c -> b version 5\n\
        client sub -> b\n\
        at 0s sub: mosquitto_sub -h b -V 5 -t t/# -q 1\n\
        at 0s connect c\n\
        at 2s publish c t/c \"x\" qos 1 with message-expiry-interval 60 with correlation-data id-1\n\
        at 3s wifi-drop e for 25s\n\
        run 45s\n";
    let r = scenario::run(src, Some(1)).unwrap();
    let got = publishes_to(&r.world, "b");
    // What the devices sent the broker carries what their lines gave.
    let sensor: Vec<&v5::Publish> = got
        .iter()
        .filter(|m| {
            m.properties
                .contains(&p::ContentType("text/plain".into()).into())
        })
        .collect();
    assert!(sensor.len() >= 30, "{}", sensor.len());
    assert!(sensor.iter().all(|m| m.topic_alias() == Some(2)));
    assert!(sensor.iter().skip(1).all(|m| m.topic.is_none()));
    let unit_pct = Property::from(p::UserProperty(("unit".into(), "%".into())));
    let board: Vec<&v5::Publish> = got
        .iter()
        .filter(|m| m.topic.as_ref().is_some_and(|t| t.as_str() == "t/e"))
        .collect();
    assert!(board.len() >= 20, "{}", board.len());
    assert!(board.iter().all(|m| m.properties.contains(&unit_pct)));
    let action: Vec<&v5::Publish> = got
        .iter()
        .filter(|m| m.topic.as_ref().is_some_and(|t| t.as_str() == "t/c"))
        .collect();
    assert_eq!(action.len(), 1);
    assert_eq!(
        action[0].properties,
        [
            Property::from(p::MessageExpiryInterval(60)),
            p::CorrelationData(bytes::Bytes::from_static(b"id-1")).into(),
        ]
    );
    // The board's readings taken while its Wi-Fi was down waited in esp-mqtt's
    // outbox and went out again with their property.
    let resent = r
        .world
        .trace()
        .entries()
        .iter()
        .filter(|e| format!("{:?}", e.kind).contains("OutboxResend"))
        .count();
    assert!(resent > 0, "no outbox resend in the run");
    let delivered = publishes_to(&r.world, "sub");
    let to_sub: Vec<&v5::Publish> = delivered
        .iter()
        .filter(|m| m.topic.as_ref().is_some_and(|t| t.as_str() == "t/e"))
        .collect();
    assert!(to_sub.len() >= board.len() - 1);
    assert!(to_sub.iter().all(|m| m.properties.contains(&unit_pct)));
}

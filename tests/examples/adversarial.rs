//! The adversarial suite's figures (issue 19): `mqttlab broker` (release build)
//! and mosquitto 2.0.11 side by side, each started fresh with its default limits
//! for every case, under slow, stalled and hostile peers on loopback. Prints one
//! table, ours beside mosquitto's: peak memory, an honest QoS 1 publisher's
//! PUBACK rate, an honest subscriber's latency (p50, p99, and p99 over its value
//! without an attack) and honest QoS 1/2 messages lost, then where the CPU went.
//!
//! ```text
//! cargo build --release -p mqttlab-server
//! cargo run --release -p mqttlab-tests --example adversarial [-- --quick] [-- --rounds N] [-- CASE...]
//! ```
//!
//! Each case runs in `--rounds` rounds (5; 3 with `--quick`) on each broker, a
//! no-attack round beside each attack round (see `measure`). It asserts
//! nothing: `tests/tests/adversarial.rs` asserts the targets. Every round is
//! bounded in time (about 2 s per broker) and in count, and stops early should
//! a broker pass 1.5 GB; the whole suite takes about 8 minutes on 2 cores.

use std::time::Duration;

use mqttlab_core::codec::QoS;
use mqttlab_tests::adversarial::brokers::release_mqttlab;
use mqttlab_tests::adversarial::{measure, table, Attack, Timing};
use mqttlab_tests::peers::{have, Peer};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let rounds = match args.iter().position(|a| a == "--rounds") {
        Some(i) => args
            .get(i + 1)
            .and_then(|n| n.parse().ok())
            .filter(|&n: &usize| n > 0)
            .unwrap_or_else(|| {
                eprintln!("--rounds wants a number above 0");
                std::process::exit(2)
            }),
        None if quick => 3,
        None => 5,
    };
    let only: Vec<&String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| !a.starts_with("--") && (*i == 0 || args[i - 1] != "--rounds"))
        .map(|(_, a)| a)
        .collect();
    if !have(&[Peer::Mosquitto]) {
        std::process::exit(1);
    }
    let bin = release_mqttlab();
    assert!(
        bin.exists(),
        "{} missing: cargo build --release -p mqttlab-server",
        bin.display()
    );
    let timing = if quick {
        Timing {
            warmup: Duration::from_millis(300),
            run: Duration::from_millis(600),
            drain: Duration::from_secs(3),
        }
    } else {
        Timing {
            warmup: Duration::from_millis(400),
            run: Duration::from_millis(1500),
            drain: Duration::from_secs(5),
        }
    };
    let cases = [
        Attack::None,
        Attack::NeverReads(QoS::AtMostOnce),
        Attack::NeverReads(QoS::AtLeastOnce),
        Attack::NeverReads(QoS::ExactlyOnce),
        Attack::NeverAcks(QoS::AtLeastOnce),
        Attack::NeverAcks(QoS::ExactlyOnce),
        Attack::RetainedFlood(100_000),
        Attack::SessionChurn(10_000),
        Attack::Garbage(200),
        Attack::BigConnect(300),
        Attack::Idle(2000),
    ];
    let mut rows = Vec::new();
    for (i, attack) in cases.into_iter().enumerate() {
        if !only.is_empty()
            && attack != Attack::None
            && !only.iter().any(|o| attack.name().contains(o.as_str()))
        {
            continue;
        }
        eprintln!("[adversarial] {} ...", attack.name());
        let seed = 0x19_0000 + (i as u64) * 1000;
        rows.push(measure(attack, &bin, timing, rounds, true, seed));
    }
    println!("{}", table(&rows));
}

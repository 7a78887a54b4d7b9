//! The core compiled to wasm32 and run in a real browser (headless Chromium via
//! wasm-bindgen-test): the same answers as natively.
#![cfg(target_arch = "wasm32")]

use mqttlab_core::codec::{Pid, QoS, QosPid};
use mqttlab_core::time::Instant;
use mqttlab_core::topic::{self, TopicErrorKind};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn topic_matching_in_the_browser() {
    assert!(topic::matches(
        "casa/+/temperatura",
        "casa/terreo/temperatura"
    ));
    assert!(!topic::matches("casa/+/temperatura", "casa/terreo/umidade"));
    assert!(!topic::matches("#", "$SYS/broker/uptime"));
    let e = topic::validate_filter("a/#/b").unwrap_err();
    assert_eq!((e.kind, e.offset), (TopicErrorKind::MultiLevelNotLast, 2));
}

#[wasm_bindgen_test]
fn packet_ids_and_time_in_the_browser() {
    assert_eq!(Pid::new(65535).unwrap().next(), Pid::FIRST);
    assert_eq!(
        QosPid::from_parts(QoS::ExactlyOnce, Pid::new(9).unwrap()).pid(),
        Pid::new(9)
    );
    // 64-bit microseconds must not lose precision on a 32-bit target.
    let t = Instant::from_secs(3_600 * 24 * 365) + std::time::Duration::from_micros(1);
    assert_eq!(t.as_micros(), 31_536_000_000_001);
}

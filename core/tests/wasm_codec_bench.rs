//! The codec's throughput compiled to wasm32, measured in the JS engine it runs in
//! (node by default; this binary does not ask for a browser). Each case checks
//! what it decoded, then prints packets/s and MB/s:
//!
//! ```text
//! cargo test --release --target wasm32-unknown-unknown -p mqttlab-core \
//!     --test wasm_codec_bench -- --nocapture
//! ```
//!
//! Each measurement stops after about 300 ms of wall time (`Date.now()`, the
//! clock every JS host has), so a debug build stays quick too.
#![cfg(target_arch = "wasm32")]

use bytes::Bytes;
use mqttlab_core::codec::{decode, Decoder, Packet, Pid, Publish, QosPid};
use mqttlab_core::topic::TopicName;
use wasm_bindgen_test::*;

const BATCH: usize = 1000;

fn course_publish() -> Packet {
    Packet::Publish(Publish {
        dup: false,
        qospid: QosPid::AtLeastOnce(Pid::new(1).unwrap()),
        retain: true,
        topic: TopicName::new("topico").unwrap(),
        payload: Bytes::from_static(b"mensagem"),
    })
}

/// Runs `f` (which handles BATCH packets) for about 300 ms; packets per second.
fn rate(mut f: impl FnMut() -> usize) -> f64 {
    let start = js_sys::Date::now();
    let mut packets = 0usize;
    loop {
        packets += f();
        let ms = js_sys::Date::now() - start;
        if ms >= 300.0 {
            return packets as f64 * 1000.0 / ms;
        }
    }
}

fn report(op: &str, pps: f64, size: usize) {
    console_log!(
        "wasm {op:15} {:>6.2} M packets/s {:>7.1} MB/s ({size}-byte PUBLISH)",
        pps / 1e6,
        pps * size as f64 / 1e6
    );
}

#[wasm_bindgen_test]
fn publish_decode_and_encode_throughput_in_wasm() {
    let p = course_publish();
    let size = p.encoded_len();
    let mut stream = Vec::new();
    for _ in 0..BATCH {
        p.encode(&mut stream).unwrap();
    }
    assert_eq!(stream.len(), BATCH * 20);

    let decode_pps = rate(|| {
        let mut at = 0;
        let mut n = 0;
        while let Ok(Some((q, used))) = decode(&stream[at..], 1 << 20) {
            assert_eq!(q.packet_type(), p.packet_type());
            at += used;
            n += 1;
        }
        assert_eq!(n, BATCH);
        n
    });
    report("decode", decode_pps, size);

    let stream_pps = rate(|| {
        let mut d = Decoder::new(1 << 20);
        d.push(&stream);
        let mut n = 0;
        while let Ok(Some(_)) = d.next_packet() {
            n += 1;
        }
        assert_eq!(n, BATCH);
        n
    });
    report("decoder_stream", stream_pps, size);

    let mut out = Vec::with_capacity(stream.len());
    let encode_pps = rate(|| {
        out.clear();
        for _ in 0..BATCH {
            p.encode(&mut out).unwrap();
        }
        assert_eq!(out, stream);
        BATCH
    });
    report("encode", encode_pps, size);
    assert!(decode_pps > 0.0 && encode_pps > 0.0);
}

//! Decode and encode throughput of small PUBLISH packets, the bulk of what a
//! broker handles: the course text's 20-byte QoS 1 PUBLISH and a 64-byte-payload
//! QoS 0 one, in MQTT 3.1.1 and in 5.0 without and with properties (a Message
//! Expiry Interval, a Content Type and two User Properties).
//! `cargo bench -p mqttlab-core --bench codec` prints criterion's figures, then
//! packets/s and MB/s for each case.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::run();
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;
    use std::time::{Duration, Instant};

    use bytes::Bytes;
    use criterion::{Criterion, Throughput};
    use mqttlab_core::codec::properties::{
        ContentType, MessageExpiryInterval, Property, UserProperty,
    };
    use mqttlab_core::codec::{
        decode, v5, AnyPacket, Decoder, Packet, Pid, Protocol, Publish, QosPid,
    };
    use mqttlab_core::topic::TopicName;

    const BATCH: usize = 1000;

    fn cases() -> Vec<(&'static str, AnyPacket)> {
        let course = Publish {
            dup: false,
            qospid: QosPid::AtLeastOnce(Pid::new(1).unwrap()),
            retain: true,
            topic: TopicName::new("topico").unwrap(),
            payload: Bytes::from_static(b"mensagem"),
        };
        let sensor = Publish {
            dup: false,
            qospid: QosPid::AtMostOnce,
            retain: false,
            topic: TopicName::new("casa/terreo/temperatura").unwrap(),
            payload: Bytes::from(vec![b'7'; 64]),
        };
        let v5 = |p: &Publish, properties: Vec<Property>| {
            AnyPacket::V5(v5::Packet::Publish(v5::Publish {
                dup: p.dup,
                qospid: p.qospid,
                retain: p.retain,
                topic: Some(p.topic.clone()),
                properties,
                payload: p.payload.clone(),
            }))
        };
        let props = vec![
            MessageExpiryInterval(60).into(),
            ContentType("text/plain".into()).into(),
            UserProperty(("sala".into(), "3".into())).into(),
            UserProperty(("andar".into(), "terreo".into())).into(),
        ];
        vec![
            (
                "publish_20B_q1",
                AnyPacket::V3(Packet::Publish(course.clone())),
            ),
            (
                "publish_91B_q0",
                AnyPacket::V3(Packet::Publish(sensor.clone())),
            ),
            ("v5_publish_21B_q1", v5(&course, vec![])),
            ("v5_publish_92B_q0", v5(&sensor, vec![])),
            ("v5_publish_q1_props", v5(&course, props.clone())),
            ("v5_publish_q0_props", v5(&sensor, props)),
        ]
    }

    fn stream(p: &AnyPacket) -> Vec<u8> {
        let mut out = Vec::new();
        for _ in 0..BATCH {
            p.encode(&mut out).unwrap();
        }
        out
    }

    fn decode_all(v5: bool, buf: &[u8]) -> usize {
        let mut at = 0;
        let mut n = 0;
        if v5 {
            while let Ok(Some((p, used))) = v5::decode(&buf[at..], 1 << 20) {
                black_box(p);
                at += used;
                n += 1;
            }
        } else {
            while let Ok(Some((p, used))) = decode(&buf[at..], 1 << 20) {
                black_box(p);
                at += used;
                n += 1;
            }
        }
        n
    }

    fn decoder_all(v5: bool, buf: &[u8]) -> usize {
        let mut n = 0;
        if v5 {
            let mut d = Decoder::with_protocol(1 << 20, Protocol::V5);
            d.push(buf);
            while let Ok(Some(p)) = d.next_any_frame() {
                black_box(p);
                n += 1;
            }
        } else {
            let mut d = Decoder::new(1 << 20);
            d.push(buf);
            while let Ok(Some(p)) = d.next_packet() {
                black_box(p);
                n += 1;
            }
        }
        n
    }

    fn encode_all(p: &AnyPacket, out: &mut Vec<u8>) {
        out.clear();
        for _ in 0..BATCH {
            p.encode(out).unwrap();
        }
        black_box(&out);
    }

    pub fn run() {
        let mut c = Criterion::default()
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2))
            .sample_size(20)
            .configure_from_args();
        for (name, p) in cases() {
            let v5 = matches!(p, AnyPacket::V5(_));
            let buf = stream(&p);
            assert_eq!(decode_all(v5, &buf), BATCH);
            let mut g = c.benchmark_group(name);
            g.throughput(Throughput::Elements(BATCH as u64));
            g.bench_function("decode", |b| b.iter(|| decode_all(v5, black_box(&buf))));
            g.bench_function("decoder_stream", |b| {
                b.iter(|| decoder_all(v5, black_box(&buf)))
            });
            let mut out = Vec::with_capacity(buf.len());
            g.bench_function("encode", |b| b.iter(|| encode_all(black_box(&p), &mut out)));
            g.finish();
        }
        c.final_summary();

        // The figures for the report: packets/s and MB/s over about a second each.
        println!("\nsummary (packets of the given size, {BATCH} a batch):");
        for (name, p) in cases() {
            let v5 = matches!(p, AnyPacket::V5(_));
            let buf = stream(&p);
            let size = buf.len() / BATCH;
            let mut out = Vec::with_capacity(buf.len());
            let rate = |f: &mut dyn FnMut()| {
                let start = Instant::now();
                let mut batches = 0u64;
                while start.elapsed() < Duration::from_secs(1) {
                    f();
                    batches += 1;
                }
                (batches * BATCH as u64) as f64 / start.elapsed().as_secs_f64()
            };
            for (op, pps) in [
                (
                    "decode",
                    rate(&mut || {
                        black_box(decode_all(v5, &buf));
                    }),
                ),
                (
                    "decoder_stream",
                    rate(&mut || {
                        black_box(decoder_all(v5, &buf));
                    }),
                ),
                ("encode", rate(&mut || encode_all(&p, &mut out))),
            ] {
                println!(
                    "  {name:20} {op:15} {:>8.2} M packets/s {:>8.1} MB/s",
                    pps / 1e6,
                    pps * size as f64 / 1e6
                );
            }
        }
    }
}

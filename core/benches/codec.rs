//! Decode and encode throughput of small PUBLISH packets, the bulk of what a
//! broker handles: the course text's 20-byte QoS 1 PUBLISH and a 64-byte-payload
//! QoS 0 one. `cargo bench -p mqttlab-core --bench codec` prints criterion's
//! figures, then packets/s and MB/s for each case.

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
    use mqttlab_core::codec::{decode, Decoder, Packet, Pid, Publish, QosPid};
    use mqttlab_core::topic::TopicName;

    const BATCH: usize = 1000;

    fn cases() -> Vec<(&'static str, Packet)> {
        let course = Packet::Publish(Publish {
            dup: false,
            qospid: QosPid::AtLeastOnce(Pid::new(1).unwrap()),
            retain: true,
            topic: TopicName::new("topico").unwrap(),
            payload: Bytes::from_static(b"mensagem"),
        });
        let sensor = Packet::Publish(Publish {
            dup: false,
            qospid: QosPid::AtMostOnce,
            retain: false,
            topic: TopicName::new("casa/terreo/temperatura").unwrap(),
            payload: Bytes::from(vec![b'7'; 64]),
        });
        vec![("publish_20B_q1", course), ("publish_91B_q0", sensor)]
    }

    fn stream(p: &Packet) -> Vec<u8> {
        let mut out = Vec::new();
        for _ in 0..BATCH {
            p.encode(&mut out).unwrap();
        }
        out
    }

    fn decode_all(buf: &[u8]) -> usize {
        let mut at = 0;
        let mut n = 0;
        while let Ok(Some((p, used))) = decode(&buf[at..], 1 << 20) {
            black_box(p);
            at += used;
            n += 1;
        }
        n
    }

    fn decoder_all(buf: &[u8]) -> usize {
        let mut d = Decoder::new(1 << 20);
        d.push(buf);
        let mut n = 0;
        while let Ok(Some(p)) = d.next_packet() {
            black_box(p);
            n += 1;
        }
        n
    }

    fn encode_all(p: &Packet, out: &mut Vec<u8>) {
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
            let buf = stream(&p);
            assert_eq!(decode_all(&buf), BATCH);
            let mut g = c.benchmark_group(name);
            g.throughput(Throughput::Elements(BATCH as u64));
            g.bench_function("decode", |b| b.iter(|| decode_all(black_box(&buf))));
            g.bench_function("decoder_stream", |b| {
                b.iter(|| decoder_all(black_box(&buf)))
            });
            let mut out = Vec::with_capacity(buf.len());
            g.bench_function("encode", |b| b.iter(|| encode_all(black_box(&p), &mut out)));
            g.finish();
        }
        c.final_summary();

        // The figures for the report: packets/s and MB/s over about a second each.
        println!("\nsummary (packets of the given size, {BATCH} a batch):");
        for (name, p) in cases() {
            let buf = stream(&p);
            let size = p.encoded_len();
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
                        black_box(decode_all(&buf));
                    }),
                ),
                (
                    "decoder_stream",
                    rate(&mut || {
                        black_box(decoder_all(&buf));
                    }),
                ),
                ("encode", rate(&mut || encode_all(&p, &mut out))),
            ] {
                println!(
                    "  {name:15} {op:15} {:>8.2} M packets/s {:>8.1} MB/s",
                    pps / 1e6,
                    pps * size as f64 / 1e6
                );
            }
        }
    }
}

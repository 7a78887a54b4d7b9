//! `mqttlab serve --record DIR`: each bridged connection written as a capture
//! the Captures tab and Wireshark open, `DIR/bridge-N.pcapng`. The MQTT bytes
//! are what crossed the bridge each way, with the times they did, inside the
//! simulator's synthetic TCP/IP framing (`sim::pcap`): the page at 10.0.0.2, the
//! upstream at 10.0.0.1:1883 (the WebSocket framing is not kept).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use mqttlab_core::sim::pcap::{to_pcapng, WireConnection};
use mqttlab_core::sim::trace::{CloseKind, TraceEntry};

/// What one connection carried, as it went.
pub(super) struct Recorder {
    started: Instant,
    epoch_us: u64,
    /// (microseconds after `started`, towards the broker, bytes).
    chunks: Mutex<Vec<(u64, bool, Vec<u8>)>>,
}

impl Recorder {
    pub(super) fn new() -> Recorder {
        Recorder {
            started: Instant::now(),
            epoch_us: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_micros() as u64)
                .unwrap_or(0),
            chunks: Mutex::new(Vec::new()),
        }
    }

    /// Bytes that crossed the bridge now, towards the broker or the page.
    pub(super) fn bytes(&self, to_broker: bool, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let at = self.started.elapsed().as_micros() as u64;
        if let Ok(mut c) = self.chunks.lock() {
            c.push((at, to_broker, bytes.to_vec()));
        }
    }

    /// The capture of what was recorded, ending with a FIN from the side that
    /// closed (`page_closed`) now.
    pub(super) fn capture(&self, page_closed: bool) -> Vec<u8> {
        let chunks = self.chunks.lock().map(|c| c.clone()).unwrap_or_default();
        let end = self.started.elapsed().as_micros() as u64;
        let wire = WireConnection::new("page", "broker", 0);
        let at = mqttlab_core::time::Instant::from_micros;
        let mut entries = vec![TraceEntry {
            time: at(0),
            kind: wire.open(),
        }];
        entries.extend(chunks.into_iter().map(|(t, to_broker, bytes)| TraceEntry {
            time: at(t),
            kind: wire.packet(to_broker, bytes),
        }));
        entries.push(TraceEntry {
            time: at(end),
            kind: wire.close(page_closed, CloseKind::Fin),
        });
        to_pcapng(&entries, self.epoch_us)
    }

    /// Writes the capture as `dir/bridge-ID.pcapng`.
    pub(super) fn write(&self, dir: &Path, id: u64, page_closed: bool) -> std::io::Result<PathBuf> {
        let path = dir.join(format!("bridge-{id}.pcapng"));
        std::fs::write(&path, self.capture(page_closed))?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CONNECT split in two chunks, its CONNACK: the capture reads back as
    /// pcapng with both packets, client id and all.
    #[test]
    fn a_recording_reads_back_as_a_capture() {
        let r = Recorder::new();
        let connect = b"\x10\x0d\x00\x04MQTT\x04\x02\x00\x3c\x00\x01a";
        r.bytes(true, &connect[..5]);
        r.bytes(true, &connect[5..]);
        r.bytes(false, &[0x20, 2, 0, 0]);
        let file = r.capture(true);
        let cap = mqttlab_core::capture::read(&file).unwrap();
        assert_eq!(cap.format, mqttlab_core::capture::Format::PcapNg);
        let mqtt: Vec<String> = cap
            .events
            .iter()
            .filter_map(|e| match &e.what {
                mqttlab_core::capture::What::Mqtt(m) => Some(m.packet.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(mqtt.len(), 2, "{mqtt:?}");
        assert!(mqtt[0].starts_with("CONNECT"), "{mqtt:?}");
        assert_eq!(cap.streams[0].client_id.as_deref(), Some("a"));
    }
}

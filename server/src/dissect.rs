//! `mqttlab dissect <hex>`: the codec's Wireshark-style tree for bytes pasted from
//! Wireshark ("Copy as Hex Stream", "Copy as Hex + ASCII Dump"), `hexdump -C`,
//! `xxd` or a log line. The hex parsing is the core's, shared with the web
//! inspector.

use std::fmt::Write as _;

use mqttlab_core::codec::{self, Field, Protocol};
use mqttlab_core::hex::parse_hex;

/// The dissection as text; with `ranges`, each line ends with its byte range.
pub fn render(fields: &[Field], ranges: bool) -> String {
    if !ranges {
        return codec::render(fields);
    }
    let mut out = String::new();
    for root in fields {
        for (depth, f) in root.walk() {
            let _ = writeln!(
                out,
                "{}{}  [{}..{}]",
                "    ".repeat(depth),
                f.label,
                f.range.start,
                f.range.end
            );
        }
    }
    out
}

/// The protocol level for mosquitto's `-V` words and numbers: `31`/`mqttv31`
/// (MQIsdp 3.1), `311`/`mqttv311` (3.1.1), `5`/`mqttv5` (5.0).
pub fn parse_version(v: &str) -> anyhow::Result<Protocol> {
    match v {
        "31" | "mqttv31" => Ok(Protocol::V31),
        "311" | "mqttv311" => Ok(Protocol::V311),
        "5" | "mqttv5" => Ok(Protocol::V5),
        _ => anyhow::bail!(
            "unknown protocol version '{v}': use 31, 311, 5, mqttv31, mqttv311 or mqttv5"
        ),
    }
}

/// What the command prints, and whether any packet was malformed (the command
/// then exits non-zero).
pub struct Dissection {
    /// The trees, then one summary line per packet.
    pub text: String,
    /// Some packet is malformed or incomplete.
    pub malformed: bool,
}

/// Runs the command: the tree of every packet in the hex, then one summary line
/// per packet that decodes. `protocol` is the level to read at; without it a
/// CONNECT tells the level of what follows it and other packets are 3.1.1.
pub fn run(hex: &str, ranges: bool, protocol: Option<Protocol>) -> anyhow::Result<Dissection> {
    let bytes = parse_hex(hex).map_err(|e| anyhow::anyhow!("bad hex: {e}"))?;
    let fields = codec::dissect_as(&bytes, protocol);
    let mut out = render(&fields, ranges);
    let mut level = protocol;
    for root in &fields {
        let packet = &bytes[root.range.clone()];
        if protocol.is_none() {
            level = codec::connect_protocol(packet).or(level);
        }
        match codec::decode_any(packet, usize::MAX, level) {
            Ok(Some((p, _))) => {
                let _ = writeln!(out, "summary: {p}");
            }
            Ok(None) => {
                let _ = writeln!(out, "summary: incomplete packet");
            }
            Err(e) => {
                let _ = writeln!(out, "summary: {e}");
            }
        }
    }
    Ok(Dissection {
        text: out,
        malformed: fields.iter().any(Field::has_error),
    })
}

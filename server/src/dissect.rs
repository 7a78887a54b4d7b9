//! `mqttlab dissect <hex>`: the codec's Wireshark-style tree for bytes pasted from
//! Wireshark ("Copy as Hex Stream", "Copy as Hex + ASCII Dump"), `hexdump -C`,
//! `xxd` or a log line. The hex parsing is the core's, shared with the web
//! inspector.

use std::fmt::Write as _;

use mqttlab_core::codec::{self, Field};
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

/// Runs the command: the tree of every packet in the hex, then one summary line
/// per packet that decodes.
pub fn run(hex: &str, ranges: bool) -> anyhow::Result<String> {
    let bytes = parse_hex(hex).map_err(|e| anyhow::anyhow!("bad hex: {e}"))?;
    let fields = codec::dissect(&bytes);
    let mut out = render(&fields, ranges);
    for root in &fields {
        let packet = &bytes[root.range.clone()];
        match codec::decode(packet, usize::MAX) {
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
    Ok(out)
}

//! The broker state as lines of text: what the page's broker-state panel shows
//! in each cell, and what `mqttlab run --state` prints, made in one place so
//! that a moment of a run reads the same in both (the timeline's browser test
//! compares them). Topics, payloads, packet ids and QoS only: no words to
//! translate.

use crate::codec::LastWill;
use crate::time::Instant;

use super::{Message, OutStage, SessionInfo};

/// A payload as the panel shows it: quoted UTF-8 text, else its size.
pub fn payload_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) if s.chars().all(|c| !c.is_control()) => format!("\"{s}\""),
        _ => format!("({} bytes)", bytes.len()),
    }
}

/// The acknowledgement a delivery waits for.
pub fn stage_text(s: OutStage) -> &'static str {
    match s {
        OutStage::AwaitPuback => "→ PUBACK?",
        OutStage::AwaitPubrec => "→ PUBREC?",
        OutStage::AwaitPubcomp => "→ PUBCOMP?",
    }
}

/// Milliseconds from `now` to `at` (0 when past).
pub fn ms_until(now: Instant, at: Instant) -> u64 {
    at.as_micros().saturating_sub(now.as_micros()) / 1000
}

/// A session's subscriptions: `topico (QoS 1), casa/# (QoS 0)`.
pub fn subscriptions_line(s: &SessionInfo) -> String {
    s.subscriptions
        .iter()
        .map(|(f, q)| format!("{f} (QoS {q})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A session's deliveries in flight: `m1 topico q1 → PUBACK?; ...`.
pub fn inflight_line(s: &SessionInfo) -> String {
    s.inflight
        .iter()
        .map(|i| format!("m{} {} q{} {}", i.pid, i.topic, i.qos, stage_text(i.stage)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A session's queued messages: `topico "mensagem2" q1; ...`, with the seconds
/// a 5.0 message has left before it expires (`exp 18s`).
pub fn queued_line(s: &SessionInfo, now: Instant) -> String {
    s.queued
        .iter()
        .map(|m| {
            let mut q = format!("{} {} q{}", m.topic, payload_text(&m.payload), m.qos);
            if let Some(at) = m.expires_at {
                q += &format!(" exp {}s", ms_until(now, at).div_ceil(1000));
            }
            q
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A retained message: `sensor1/status "on-line" (QoS 0)`.
pub fn retained_line(m: &Message) -> String {
    format!("{} {} (QoS {})", m.topic, payload_text(&m.payload), m.qos)
}

/// A will the broker would publish: `mosq-1: sensor1/status "off-line" (QoS 0, retain)`.
pub fn will_line(client: &str, w: &LastWill) -> String {
    format!(
        "{client}: {} {} (QoS {}{})",
        w.topic,
        payload_text(&w.message),
        w.qos,
        if w.retain { ", retain" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_read_as_text_or_as_a_size() {
        assert_eq!(payload_text(b"on-line"), "\"on-line\"");
        assert_eq!(payload_text(b"a\nb"), "(3 bytes)");
        assert_eq!(payload_text(&[0xff, 0]), "(2 bytes)");
        assert_eq!(payload_text(b""), "\"\"");
    }
}

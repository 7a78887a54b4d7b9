//! `mqttlab run --state`: what each broker holds when the run stops, one line
//! per thing, each in the words of the page's broker-state panel
//! (`mqttlab_core::broker::state_text`):
//!
//! ```text
//! broker1 at 30.000s:
//!   session sub1: online, persistent          (", 12 dropped" if any were)
//!     subscriptions: topico (QoS 1)
//!     in flight: m1 topico q1 → PUBACK?
//!     queued: topico "mensagem2" q1
//!   retained: sensor1/status "on-line" (QoS 0)
//!   will: mosq-abc: sensor1/status "off-line" (QoS 0, retain)
//! ```

use std::fmt::Write as _;

use mqttlab_core::broker::state_text;
use mqttlab_core::sim::node::Node;
use mqttlab_core::sim::World;

/// Every broker's state in `world`, at its time.
pub fn render(world: &World) -> String {
    let mut out = String::new();
    let now = world.now();
    for n in world.nodes() {
        let Node::Broker(b) = n else { continue };
        let _ = writeln!(out, "{} at {now}:", b.name);
        for s in b.broker.sessions() {
            let _ = writeln!(
                out,
                "  session {}: {}, {}{}",
                s.client_id,
                if s.conn.is_some() {
                    "online"
                } else {
                    "offline"
                },
                if s.clean { "clean" } else { "persistent" },
                if s.dropped > 0 {
                    format!(", {} dropped", s.dropped)
                } else {
                    String::new()
                }
            );
            for (what, line) in [
                ("subscriptions", state_text::subscriptions_line(&s)),
                ("in flight", state_text::inflight_line(&s)),
                ("queued", state_text::queued_line(&s, now)),
            ] {
                if !line.is_empty() {
                    let _ = writeln!(out, "    {what}: {line}");
                }
            }
        }
        for m in b.broker.retained() {
            let _ = writeln!(out, "  retained: {}", state_text::retained_line(m));
        }
        for (client, w) in b.broker.pending_wills() {
            let _ = writeln!(out, "  will: {}", state_text::will_line(&client, &w));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use mqttlab_core::sim::{bundled, scenario, TraceMode};
    use mqttlab_core::time::Instant;

    #[test]
    fn the_persistent_session_lab_at_35_s_holds_its_queued_message() {
        let sc = scenario::parse(bundled::find("05-persistent-session").unwrap().source).unwrap();
        let r = sc
            .run_to(1, TraceMode::Full, Instant::from_secs(35))
            .unwrap();
        let text = render(&r.world);
        assert!(text.starts_with("broker1 at 35.000s:\n"), "{text}");
        assert!(text.contains("  session sub1: offline, persistent\n    subscriptions: topico (QoS 1)\n    queued: topico \"mensagem2\" q1\n"), "{text}");
    }
}

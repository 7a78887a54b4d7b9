//! The Last Will: published when a connection ends any way but DISCONNECT
//! (MQTT-3.1.2-8; a 5.0 DISCONNECT 0x04 asks for it), with its QoS and RETAIN
//! flag (MQTT-3.1.2-14..17) and its 5.0 properties.
//!
//! A 5.0 will may wait its Will Delay Interval (§3.1.3.2.2): it is published
//! at the earlier of that delay and the end of the session, and a reconnection
//! of the same client before then cancels it (MQTT-3.1.3-9).

use crate::codec::properties::Property;
use crate::codec::v5;
use crate::time::Instant;

use super::{Broker, BrokerEvent, Message};

/// A will waiting for its delay.
#[derive(Debug, Clone)]
pub(super) struct DelayedWill {
    at: Instant,
    username: Option<String>,
    will: v5::Will,
}

impl Broker {
    /// Publishes a will now, or holds it until its delay or the session's end
    /// (`session_ends`, `None` for never), whichever comes first.
    pub(super) fn will_or_delay(
        &mut self,
        now: Instant,
        client_id: &str,
        username: Option<String>,
        will: v5::Will,
        session_ends: Option<Instant>,
    ) {
        let delay = will.properties.iter().find_map(|p| match p {
            Property::WillDelayInterval(d) => Some(d.0),
            _ => None,
        });
        let at = match delay {
            None | Some(0) => now,
            Some(secs) => now + core::time::Duration::from_secs(u64::from(secs)),
        };
        let at = session_ends.map_or(at, |end| end.min(at));
        if at <= now {
            return self.publish_will(now, client_id, username.as_deref(), will);
        }
        self.cancel_delayed_will(client_id);
        self.will_schedule.insert((at, client_id.to_owned()));
        self.delayed_wills
            .insert(client_id.to_owned(), DelayedWill { at, username, will });
    }

    /// The client reconnected: its delayed will is not published.
    pub(super) fn cancel_delayed_will(&mut self, client_id: &str) {
        if let Some(w) = self.delayed_wills.remove(client_id) {
            self.will_schedule.remove(&(w.at, client_id.to_owned()));
            self.event(|| BrokerEvent::WillDiscarded {
                client_id: client_id.to_owned(),
            });
        }
    }

    /// Publishes the delayed will of `client_id` now, if it has one.
    pub(super) fn fire_will_now(&mut self, now: Instant, client_id: &str) {
        if let Some(w) = self.delayed_wills.remove(client_id) {
            self.will_schedule.remove(&(w.at, client_id.to_owned()));
            self.publish_will(now, client_id, w.username.as_deref(), w.will);
        }
    }

    /// Publishes the delayed wills due at `now`.
    pub(super) fn fire_delayed_wills(&mut self, now: Instant) {
        while let Some((at, id)) = self.will_schedule.first().cloned() {
            if at > now {
                return;
            }
            self.will_schedule.remove(&(at, id.clone()));
            self.fire_will_now(now, &id);
        }
    }

    pub(super) fn publish_will(
        &mut self,
        now: Instant,
        client_id: &str,
        username: Option<&str>,
        will: v5::Will,
    ) {
        if let Some(acl) = &self.config.acl {
            if !acl.may_publish(client_id, username, &will.topic) {
                return;
            }
        }
        self.event(|| BrokerEvent::WillPublished {
            client_id: client_id.to_owned(),
            topic: will.topic.clone(),
            qos: will.qos,
            retain: will.retain,
        });
        let msg = Message::from_will(&will, now);
        self.route(now, client_id, msg);
    }
}

//! An application message as the broker stores it, apart from any one PUBLISH:
//! what it carries to every receiver (topic, payload, the 5.0 properties that
//! travel with it) and when it expires (Message Expiry Interval, §3.3.2.3.3).

use bytes::Bytes;

use crate::codec::properties::{
    rule, Holder, MessageExpiryInterval, Property, PropertyId, SubscriptionIdentifier,
};
use crate::codec::{v5, Pid, QoS, QosPid};
use crate::time::Instant;
use crate::topic::TopicName;

/// A message in the broker: in a queue, in flight, retained or a will.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Where it was published.
    pub topic: TopicName,
    /// The application payload.
    pub payload: Bytes,
    /// For a received message its publish QoS; for a delivery the QoS it goes out
    /// at (already min(publish, granted)).
    pub qos: QoS,
    /// For a received message its RETAIN flag; for a delivery the flag it goes out
    /// with (1 only for retained messages sent on subscribe, or with Retain As
    /// Published).
    pub retain: bool,
    /// The 5.0 properties forwarded with it, in the order received: Payload
    /// Format Indicator, Message Expiry Interval (rewritten to the time left on
    /// each delivery), Content Type, Response Topic, Correlation Data, User
    /// Properties (MQTT-3.3.2-4, -15, -17, -18). A Topic Alias and Subscription
    /// Identifiers belong to one PUBLISH, not to the message. Empty for a message
    /// from a 3.1.1 client.
    pub properties: Vec<Property>,
    /// When it expires, if it came with a Message Expiry Interval.
    pub expires_at: Option<Instant>,
    /// For a delivery: the Subscription Identifiers of the subscriptions it
    /// matched (MQTT-3.3.4-3), sent with it.
    pub subscription_ids: Vec<u32>,
    /// For a delivery through a shared subscription: its `$share/GROUP/FILTER`
    /// (should the member leave, another gets it).
    pub shared: Option<String>,
}

impl Message {
    /// The message a PUBLISH carries (its topic resolved from any alias), with a
    /// payload of its own, received at `now`.
    ///
    /// A decoded PUBLISH's payload is a slice of the connection's read buffer, a
    /// block of up to 64 KiB shared by every packet decoded from it; a message
    /// kept by that slice (held between PUBREC and PUBREL, queued for a
    /// subscriber, retained) keeps the whole block. Under the adversarial suite's
    /// never-reading QoS 2 subscriber the up to 1,020 held messages each kept a
    /// different block: `mqttlab broker` peaked at 18-22 MB (mosquitto 2.0.11:
    /// 10.2 MB). One copy per PUBLISH received, shared by every delivery of it.
    pub fn from_publish(p: &v5::Publish, topic: TopicName, now: Instant) -> Self {
        Message {
            topic,
            payload: Bytes::copy_from_slice(&p.payload),
            qos: p.qospid.qos(),
            retain: p.retain,
            properties: forwarded(&p.properties),
            expires_at: expiry(&p.properties, now),
            subscription_ids: Vec::new(),
            shared: None,
        }
    }

    /// The message of a will, published at `now`.
    pub fn from_will(w: &v5::Will, now: Instant) -> Self {
        Message {
            topic: w.topic.clone(),
            payload: w.payload.clone(),
            qos: w.qos,
            retain: w.retain,
            properties: forwarded(&w.properties),
            expires_at: expiry(&w.properties, now),
            subscription_ids: Vec::new(),
            shared: None,
        }
    }

    /// Whether it has expired at `now`: it must not be delivered any more
    /// (MQTT-3.3.2-5).
    pub fn is_expired(&self, now: Instant) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }

    /// A PUBLISH carrying this message with the given id (ignored at QoS 0) and
    /// DUP, sent at `now`: its Message Expiry Interval is the time left, in
    /// whole seconds rounded up (MQTT-3.3.2-6).
    pub fn to_publish(&self, pid: Option<Pid>, dup: bool, now: Instant) -> v5::Publish {
        let qospid = match pid {
            Some(pid) => QosPid::from_parts(self.qos, pid),
            None => QosPid::AtMostOnce,
        };
        // In mosquitto 2.0.11's order (the standard sets none but the User
        // Properties' own, MQTT-3.3.2-18): the Subscription Identifiers, the
        // publisher's properties, then the Message Expiry Interval, which
        // mosquitto keeps apart and writes last (tests/tests/tools_diff5.rs
        // compares what mosquitto_sub -F %j prints of both brokers' PUBLISH).
        let mut properties: Vec<Property> = self
            .subscription_ids
            .iter()
            .map(|&id| Property::SubscriptionIdentifier(SubscriptionIdentifier(id)))
            .collect();
        properties.extend(
            self.properties
                .iter()
                .filter(|p| !matches!(p, Property::MessageExpiryInterval(_)))
                .cloned(),
        );
        if let Some(at) = self.expires_at {
            let left = at.saturating_duration_since(now).as_micros();
            let secs = u32::try_from(left.div_ceil(1_000_000)).unwrap_or(u32::MAX);
            properties.push(Property::MessageExpiryInterval(MessageExpiryInterval(secs)));
        }
        v5::Publish {
            dup: dup && qospid.qos() != QoS::AtMostOnce,
            qospid,
            retain: self.retain,
            topic: Some(self.topic.clone()),
            properties,
            payload: self.payload.clone(),
        }
    }
}

/// The properties that travel with the message: those a PUBLISH may carry
/// (a will's Will Delay Interval stays behind), less the Topic Alias and
/// Subscription Identifiers, which belong to one PUBLISH.
fn forwarded(props: &[Property]) -> Vec<Property> {
    props
        .iter()
        .filter(|p| {
            rule(Holder::Publish, p.id()).is_some()
                && !matches!(
                    p.id(),
                    PropertyId::TopicAlias | PropertyId::SubscriptionIdentifier
                )
        })
        .cloned()
        .collect()
}

fn expiry(props: &[Property], now: Instant) -> Option<Instant> {
    props.iter().find_map(|p| match p {
        Property::MessageExpiryInterval(m) => {
            Some(now + core::time::Duration::from_secs(u64::from(m.0)))
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{Decoder, Packet, Publish};

    /// A message made from a decoded PUBLISH has the same payload, in a buffer
    /// of its own: not inside the decoder's read block, which it would keep.
    #[test]
    fn from_publish_does_not_keep_the_read_buffer() {
        let publish = |pid: u16, byte: u8| Publish {
            dup: false,
            qospid: QosPid::ExactlyOnce(Pid::new(pid).unwrap()),
            retain: false,
            topic: TopicName::new("flood/x").unwrap(),
            payload: Bytes::from(vec![byte; 1024]),
        };
        let mut wire = Vec::new();
        for (pid, byte) in [(1, b'a'), (2, b'b')] {
            Packet::Publish(publish(pid, byte))
                .encode(&mut wire)
                .unwrap();
        }
        let mut decoder = Decoder::new(1 << 20);
        decoder.push(&wire);
        let mut frames = Vec::new();
        while let Some((packet, frame)) = decoder.next_frame().unwrap() {
            frames.push((packet, frame));
        }
        assert_eq!(frames.len(), 2);
        for (packet, frame) in &frames {
            let Packet::Publish(p) = packet else {
                panic!("a PUBLISH: {packet:?}");
            };
            let p5 = crate::codec::convert::publish_to_v5(p.clone());
            let msg = Message::from_publish(&p5, p.topic.clone(), Instant::ZERO);
            assert_eq!(msg.payload, p.payload);
            assert_eq!(msg.payload.len(), 1024);
            // The decoded payload is a slice of the frame...
            let frame_range = frame.as_ptr_range();
            assert!(frame_range.contains(&p.payload.as_ptr()));
            // ...and the message's is not.
            let own = msg.payload.as_ptr_range();
            assert!(own.end <= frame_range.start || own.start >= frame_range.end);
        }
    }
}

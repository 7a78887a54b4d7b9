//! An application message as the broker stores it, apart from any one PUBLISH.

use bytes::Bytes;

use crate::codec::{Publish, QoS, QosPid};
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
    /// with (1 only for retained messages sent on subscribe).
    pub retain: bool,
}

impl Message {
    /// The message a PUBLISH carries, with a payload of its own.
    ///
    /// A decoded PUBLISH's payload is a slice of the connection's read buffer, a
    /// block of up to 64 KiB shared by every packet decoded from it; a message
    /// kept by that slice (held between PUBREC and PUBREL, queued for a
    /// subscriber, retained) keeps the whole block. Under the adversarial suite's
    /// never-reading QoS 2 subscriber the up to 1,020 held messages each kept a
    /// different block: `mqttlab broker` peaked at 18-22 MB (mosquitto 2.0.11:
    /// 10.2 MB). One copy per PUBLISH received, shared by every delivery of it.
    pub fn from_publish(p: &Publish) -> Self {
        Message {
            topic: p.topic.clone(),
            payload: Bytes::copy_from_slice(&p.payload),
            qos: p.qos(),
            retain: p.retain,
        }
    }

    /// A PUBLISH carrying this message with the given id (ignored at QoS 0) and DUP.
    pub fn to_publish(&self, pid: Option<crate::codec::Pid>, dup: bool) -> Publish {
        let qospid = match pid {
            Some(pid) => QosPid::from_parts(self.qos, pid),
            None => QosPid::AtMostOnce,
        };
        Publish {
            dup: dup && qospid.qos() != QoS::AtMostOnce,
            qospid,
            retain: self.retain,
            topic: self.topic.clone(),
            payload: self.payload.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{Decoder, Packet, Pid, QosPid};

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
            let msg = Message::from_publish(p);
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

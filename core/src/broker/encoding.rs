//! One encoding of a message's PUBLISH, shared by its copies: a message routed
//! to fifty 3.1.1 subscribers at QoS 0 is encoded once, and the fifty
//! transmits hold the same bytes ([`Bytes`] counts the references). At QoS 1
//! and 2 the copies differ only in their packet identifiers: each is the shared
//! encoding with its own two bytes written in.
//!
//! The encoding is a function of the packet and its level alone, so a copy
//! reuses the last one encoded at its level when its PUBLISH is that one but
//! for the packet identifier (same flags, topic, properties, and the very same
//! payload buffer): whatever differs per subscriber (granted QoS, Retain As
//! Published, Subscription Identifiers, a topic alias, the Message Expiry
//! Interval left) makes another packet, encoded afresh. The bytes are those
//! [`AnyPacket::encode`] writes, whether shared or not.

use bytes::{Bytes, BytesMut};

use crate::codec::{v5, AnyPacket, EncodeError, Packet, Pid};

/// The last PUBLISH encoded at each level while one message is routed.
#[derive(Debug, Clone, Default)]
pub(super) struct SharedEncodings {
    /// On while a message is routed ([`SharedEncodings::begin`]); off, every
    /// packet is encoded afresh and nothing is kept.
    active: bool,
    /// 3.1.1 (index 0) and 5.0 (index 1): the packet and its bytes.
    last: [Option<(AnyPacket, Bytes)>; 2],
}

impl SharedEncodings {
    /// A message is about to be routed: its copies may share an encoding.
    pub fn begin(&mut self) {
        self.active = true;
    }

    /// The message is routed: forget its encodings (they hold its payload).
    pub fn end(&mut self) {
        self.active = false;
        self.last = [None, None];
    }

    /// The packet's exact bytes: the shared encoding when it is the last
    /// PUBLISH encoded at its level but for its packet identifier.
    pub fn encode(&mut self, packet: &AnyPacket) -> Result<Bytes, EncodeError> {
        let (slot, pid) = match packet {
            AnyPacket::V3(Packet::Publish(p)) if self.active => (0, p.qospid.pid()),
            AnyPacket::V5(v5::Packet::Publish(p)) if self.active => (1, p.qospid.pid()),
            _ => return fresh(packet),
        };
        if let Some((last, bytes)) = &self.last[slot] {
            if same_but_pid(last, packet) {
                return Ok(with_pid(bytes, pid));
            }
        }
        let bytes = fresh(packet)?;
        self.last[slot] = Some((packet.clone(), bytes.clone()));
        Ok(bytes)
    }
}

fn fresh(packet: &AnyPacket) -> Result<Bytes, EncodeError> {
    let mut out = Vec::new();
    packet.encode(&mut out)?;
    Ok(Bytes::from(out))
}

/// Whether two PUBLISHes of one level differ at most in their packet
/// identifiers. Payloads compare by buffer: the copies of one message share it.
fn same_but_pid(a: &AnyPacket, b: &AnyPacket) -> bool {
    let same = |x: &Bytes, y: &Bytes| x.len() == y.len() && x.as_ptr() == y.as_ptr();
    match (a, b) {
        (AnyPacket::V3(Packet::Publish(a)), AnyPacket::V3(Packet::Publish(b))) => {
            a.dup == b.dup
                && a.qospid.qos() == b.qospid.qos()
                && a.retain == b.retain
                && a.topic == b.topic
                && same(&a.payload, &b.payload)
        }
        (AnyPacket::V5(v5::Packet::Publish(a)), AnyPacket::V5(v5::Packet::Publish(b))) => {
            a.dup == b.dup
                && a.qospid.qos() == b.qospid.qos()
                && a.retain == b.retain
                && a.topic == b.topic
                && a.properties == b.properties
                && same(&a.payload, &b.payload)
        }
        _ => false,
    }
}

/// A PUBLISH's bytes with its packet identifier set to `pid`: the identifier
/// follows the fixed header and the topic name, at 3.1.1 and 5.0 alike
/// (§3.3.2). At QoS 0 there is none, and the bytes are shared as they are.
fn with_pid(bytes: &Bytes, pid: Option<Pid>) -> Bytes {
    let Some(pid) = pid else {
        return bytes.clone();
    };
    // The remaining length's bytes: those with the high bit set, then one.
    let header = 1 + bytes[1..].iter().take_while(|b| *b & 0x80 != 0).count() + 1;
    let topic = usize::from(u16::from_be_bytes([bytes[header], bytes[header + 1]]));
    let at = header + 2 + topic;
    let id = pid.get().to_be_bytes();
    if bytes[at..at + 2] == id {
        return bytes.clone();
    }
    let mut own = BytesMut::from(&bytes[..]);
    own[at..at + 2].copy_from_slice(&id);
    own.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{convert, Publish, QoS, QosPid};
    use crate::topic::TopicName;

    fn publish(qos: QoS, pid: u16, payload: &Bytes) -> Publish {
        Publish {
            dup: false,
            qospid: QosPid::from_parts(qos, Pid::new(pid).unwrap()),
            retain: false,
            topic: TopicName::new("plant/line-1/temperature").unwrap(),
            payload: payload.clone(),
        }
    }

    /// Every copy's bytes are what encoding it alone writes; QoS 0 copies
    /// share one buffer, QoS 1 copies each have their own identifier.
    #[test]
    fn shared_bytes_are_the_packets_own() {
        // A payload long enough for a two-byte remaining length.
        let payload = Bytes::from(vec![7u8; 300]);
        let mut enc = SharedEncodings::default();
        enc.begin();
        let mut seen = Vec::new();
        for (qos, pid) in [(QoS::AtMostOnce, 1), (QoS::AtMostOnce, 1)]
            .into_iter()
            .chain((1..=3).map(|pid| (QoS::AtLeastOnce, pid)))
            .chain([(QoS::ExactlyOnce, 9)])
        {
            let v3 = publish(qos, pid, &payload);
            let v5 = convert::publish_to_v5(v3.clone());
            for p in [
                AnyPacket::V3(Packet::Publish(v3)),
                AnyPacket::V5(v5::Packet::Publish(v5)),
            ] {
                let mut alone = Vec::new();
                p.encode(&mut alone).unwrap();
                let shared = enc.encode(&p).unwrap();
                assert_eq!(shared[..], alone[..], "{p}");
                seen.push((qos, shared));
            }
        }
        // The two QoS 0 copies at each level are one buffer.
        assert_eq!(seen[0].1.as_ptr(), seen[2].1.as_ptr());
        assert_eq!(seen[1].1.as_ptr(), seen[3].1.as_ptr());
        enc.end();
        assert!(enc.last.iter().all(Option::is_none));
    }

    /// Another payload buffer, topic or flag is another packet, encoded afresh.
    #[test]
    fn a_different_packet_is_not_shared() {
        let mut enc = SharedEncodings::default();
        enc.begin();
        let a = Bytes::from_static(b"21.5");
        let b = Bytes::from(b"21.5".to_vec());
        let one = AnyPacket::V3(Packet::Publish(publish(QoS::AtMostOnce, 1, &a)));
        let other_buffer = AnyPacket::V3(Packet::Publish(publish(QoS::AtMostOnce, 1, &b)));
        let mut retained = publish(QoS::AtMostOnce, 1, &a);
        retained.retain = true;
        let retained = AnyPacket::V3(Packet::Publish(retained));
        let x = enc.encode(&one).unwrap();
        let y = enc.encode(&other_buffer).unwrap();
        assert_eq!(x, y);
        assert_ne!(x.as_ptr(), y.as_ptr());
        let z = enc.encode(&retained).unwrap();
        assert_eq!(z[0], 0x31);
        assert_eq!(x[0], 0x30);
    }

    /// Outside routing nothing is kept.
    #[test]
    fn inactive_encodes_afresh() {
        let mut enc = SharedEncodings::default();
        let a = Bytes::from_static(b"on");
        let p = AnyPacket::V3(Packet::Publish(publish(QoS::AtMostOnce, 1, &a)));
        let x = enc.encode(&p).unwrap();
        let y = enc.encode(&p).unwrap();
        assert_ne!(x.as_ptr(), y.as_ptr());
        assert!(enc.last.iter().all(Option::is_none));
    }
}

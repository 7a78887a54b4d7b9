//! PUBLISH: an application message, in either direction (MQTT 3.1.1 §3.3).

use bytes::Bytes;

use super::error::{DecodeError, EncodeError, FieldName};
use super::strings::{check_len, write_binary, write_u16, Reader};
use super::{QoS, QosPid};
use crate::topic::TopicName;

/// A PUBLISH packet.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Publish {
    /// DUP flag: this is a resend of an earlier attempt (QoS 1 and 2 only).
    pub dup: bool,
    /// QoS and, for QoS 1 and 2, the packet identifier.
    pub qospid: QosPid,
    /// RETAIN flag.
    pub retain: bool,
    /// The topic name (never a filter).
    pub topic: TopicName,
    /// The application message.
    pub payload: Bytes,
}

/// PUBLISH's flag nibble, DUP, QoS, RETAIN (§3.3.1), in 3.1.1 and 5.0 alike.
#[inline]
pub(crate) fn header_flags(dup: bool, qos: QoS, retain: bool) -> u8 {
    (u8::from(dup) << 3) | (qos.as_u8() << 1) | u8::from(retain)
}

/// The QoS of the (checked) flag nibble, with the packet identifier that
/// follows the topic name at QoS 1 and 2 (§3.3.2.2), in 3.1.1 and 5.0 alike.
#[inline]
pub(crate) fn read_qospid(r: &mut Reader<'_>, flags: u8) -> Result<QosPid, DecodeError> {
    Ok(match QoS::from_u8((flags >> 1) & 0b11) {
        Some(QoS::AtLeastOnce) => QosPid::AtLeastOnce(r.pid()?),
        Some(QoS::ExactlyOnce) => QosPid::ExactlyOnce(r.pid()?),
        _ => QosPid::AtMostOnce,
    })
}

impl Publish {
    /// The QoS level.
    pub fn qos(&self) -> QoS {
        self.qospid.qos()
    }

    /// The flag nibble of the fixed header: DUP, QoS, RETAIN (§3.3.1).
    pub fn header_flags(&self) -> u8 {
        header_flags(self.dup, self.qos(), self.retain)
    }

    /// `flags` has been checked by the fixed header (no QoS 3, no DUP at QoS 0).
    pub(crate) fn decode_body(r: &mut Reader<'_>, flags: u8) -> Result<Publish, DecodeError> {
        let topic = r.topic_name(FieldName::TopicName)?;
        let qospid = read_qospid(r, flags)?;
        let payload = r.rest();
        Ok(Publish {
            dup: flags & 0b1000 != 0,
            qospid,
            retain: flags & 1 != 0,
            topic,
            payload: r.slice(payload),
        })
    }

    pub(crate) fn body_len(&self) -> Result<usize, EncodeError> {
        let pid = if self.qospid.pid().is_some() { 2 } else { 0 };
        Ok(check_len(FieldName::TopicName, self.topic.as_str().len())? + pid + self.payload.len())
    }

    pub(crate) fn write_body(&self, out: &mut Vec<u8>) {
        write_binary(out, self.topic.as_str().as_bytes());
        if let Some(pid) = self.qospid.pid() {
            write_u16(out, pid.get());
        }
        out.extend_from_slice(&self.payload);
    }
}

//! MQTT 5.0 on the wire: the fifteen control packets (AUTH included) with their
//! properties ([`Property`](super::properties::Property), kept in wire order)
//! and reason codes ([`super::reason_codes`]).
//!
//! The fixed header, the string and integer encodings and the topic rules are
//! 3.1.1's; what 5.0 adds is in the files named after each packet. Errors name
//! 5.0's statements (see [`DecodeErrorKind::V5`](super::DecodeErrorKind::V5)).
//!
//! ```
//! use mqttlab_core::codec::properties::{Property, UserProperty};
//! use mqttlab_core::codec::reason_codes::PubackReasonCode;
//! use mqttlab_core::codec::v5::{self, Ack, Packet};
//! use mqttlab_core::codec::Pid;
//!
//! let puback = Packet::Puback(Ack {
//!     pid: Pid::new(7).unwrap(),
//!     reason: Some(PubackReasonCode::NoMatchingSubscribers),
//!     properties: None,
//! });
//! let bytes = puback.to_bytes().unwrap();
//! assert_eq!(bytes, [0x40, 0x03, 0x00, 0x07, 0x10]);
//! assert_eq!(v5::decode(&bytes, 1024).unwrap(), Some((puback, 5)));
//! ```

mod ack;
mod connect;
mod publish;
mod subscribe;

#[cfg(test)]
mod golden;
#[cfg(test)]
mod malformed;

use bytes::Bytes;

pub use ack::{Ack, Auth, Connack, Disconnect, Reason};
pub use connect::{Connect, Will};
pub use publish::Publish;
pub use subscribe::{
    RetainHandling, Suback, Subscribe, Subscription, SubscriptionOptions, Unsuback, Unsubscribe,
};

use super::error::{DecodeError, DecodeErrorKind, EncodeError, FieldName};
use super::frame::{decode_at, decode_whole};
use super::header::{
    check_remaining_length, parse_first_byte_v5, parse_fixed_header_by, remaining_length_len,
    required_flags, write_remaining_length, FixedHeader,
};
use super::reason_codes::{
    PubackReasonCode, PubcompReasonCode, PubrecReasonCode, PubrelReasonCode,
};
use super::strings::Reader;
use super::summary;
use super::PacketType;

/// Any MQTT 5.0 control packet.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Packet {
    /// §3.1
    Connect(Connect),
    /// §3.2
    Connack(Connack),
    /// §3.3
    Publish(Publish),
    /// §3.4
    Puback(Ack<PubackReasonCode>),
    /// §3.5
    Pubrec(Ack<PubrecReasonCode>),
    /// §3.6
    Pubrel(Ack<PubrelReasonCode>),
    /// §3.7
    Pubcomp(Ack<PubcompReasonCode>),
    /// §3.8
    Subscribe(Subscribe),
    /// §3.9
    Suback(Suback),
    /// §3.10
    Unsubscribe(Unsubscribe),
    /// §3.11
    Unsuback(Unsuback),
    /// §3.12
    Pingreq,
    /// §3.13
    Pingresp,
    /// §3.14
    Disconnect(Disconnect),
    /// §3.15
    Auth(Auth),
}

/// Decodes the MQTT 5.0 packet at the front of `buf`, as [`super::decode`]
/// does for 3.1.1.
pub fn decode(buf: &[u8], max_packet_size: usize) -> Result<Option<(Packet, usize)>, DecodeError> {
    decode_at!(buf, max_packet_size, check_header, decode_body)
}

/// Decodes one complete MQTT 5.0 packet held in `frame` (exactly its bytes).
pub fn decode_frame(frame: &Bytes) -> Result<Packet, DecodeError> {
    decode_whole!(frame, check_header, decode_body, DecodeError::in_v5)
}

/// The fixed header of a 5.0 packet: AUTH allowed, PINGREQ and PINGRESP empty,
/// and the remaining length in the fewest bytes (MQTT-1.5.5-1).
pub(crate) fn check_header(
    buf: &[u8],
    max_packet_size: usize,
) -> Result<Option<FixedHeader>, DecodeError> {
    let header = parse_fixed_header_by(buf, max_packet_size, parse_first_byte_v5)
        .map_err(DecodeError::in_v5)?;
    let Some(header) = header else {
        return Ok(None);
    };
    if header.header_len > 2 && buf[header.header_len - 1] == 0 {
        return Err(DecodeError::new(
            DecodeErrorKind::NonMinimalVarInt(FieldName::RemainingLength),
            1,
        ));
    }
    if matches!(
        header.packet_type,
        PacketType::Pingreq | PacketType::Pingresp
    ) && header.remaining_length != 0
    {
        return Err(DecodeError::new(
            DecodeErrorKind::WrongRemainingLength {
                packet_type: header.packet_type,
                expected: 0,
                found: header.remaining_length,
            },
            1,
        )
        .in_v5());
    }
    Ok(Some(header))
}

fn decode_body(header: &FixedHeader, mut r: Reader<'_>) -> Result<Packet, DecodeError> {
    let r = &mut r;
    let packet = match header.packet_type {
        PacketType::Connect => Connect::decode_body(r).map(Packet::Connect),
        PacketType::Connack => Connack::decode_body(r).map(Packet::Connack),
        PacketType::Publish => Publish::decode_body(r, header.flags).map(Packet::Publish),
        PacketType::Puback => Ack::decode_body(r).map(Packet::Puback),
        PacketType::Pubrec => Ack::decode_body(r).map(Packet::Pubrec),
        PacketType::Pubrel => Ack::decode_body(r).map(Packet::Pubrel),
        PacketType::Pubcomp => Ack::decode_body(r).map(Packet::Pubcomp),
        PacketType::Subscribe => Subscribe::decode_body(r).map(Packet::Subscribe),
        PacketType::Suback => Suback::decode_body(r).map(Packet::Suback),
        PacketType::Unsubscribe => Unsubscribe::decode_body(r).map(Packet::Unsubscribe),
        PacketType::Unsuback => Unsuback::decode_body(r).map(Packet::Unsuback),
        PacketType::Pingreq => Ok(Packet::Pingreq),
        PacketType::Pingresp => Ok(Packet::Pingresp),
        PacketType::Disconnect => Disconnect::decode_body(r).map(Packet::Disconnect),
        PacketType::Auth => Auth::decode_body(r).map(Packet::Auth),
    };
    packet.map_err(DecodeError::in_v5)
}

impl Packet {
    /// The packet's type.
    pub fn packet_type(&self) -> PacketType {
        match self {
            Packet::Connect(_) => PacketType::Connect,
            Packet::Connack(_) => PacketType::Connack,
            Packet::Publish(_) => PacketType::Publish,
            Packet::Puback(_) => PacketType::Puback,
            Packet::Pubrec(_) => PacketType::Pubrec,
            Packet::Pubrel(_) => PacketType::Pubrel,
            Packet::Pubcomp(_) => PacketType::Pubcomp,
            Packet::Subscribe(_) => PacketType::Subscribe,
            Packet::Suback(_) => PacketType::Suback,
            Packet::Unsubscribe(_) => PacketType::Unsubscribe,
            Packet::Unsuback(_) => PacketType::Unsuback,
            Packet::Pingreq => PacketType::Pingreq,
            Packet::Pingresp => PacketType::Pingresp,
            Packet::Disconnect(_) => PacketType::Disconnect,
            Packet::Auth(_) => PacketType::Auth,
        }
    }

    /// The flag nibble of the fixed header.
    pub fn header_flags(&self) -> u8 {
        match self {
            Packet::Publish(p) => p.header_flags(),
            p => required_flags(p.packet_type()).unwrap_or(0),
        }
    }

    /// The size of everything after the fixed header; checks what the wire
    /// cannot carry (the property table included).
    pub fn remaining_length(&self) -> Result<usize, EncodeError> {
        let len = match self {
            Packet::Connect(c) => c.body_len()?,
            Packet::Connack(c) => c.body_len()?,
            Packet::Publish(p) => p.body_len()?,
            Packet::Puback(a) => a.body_len()?,
            Packet::Pubrec(a) => a.body_len()?,
            Packet::Pubrel(a) => a.body_len()?,
            Packet::Pubcomp(a) => a.body_len()?,
            Packet::Subscribe(s) => s.body_len()?,
            Packet::Suback(s) => s.body_len()?,
            Packet::Unsubscribe(u) => u.body_len()?,
            Packet::Unsuback(u) => u.body_len()?,
            Packet::Pingreq | Packet::Pingresp => 0,
            Packet::Disconnect(d) => d.body_len()?,
            Packet::Auth(a) => a.body_len()?,
        };
        check_remaining_length(len)
    }

    /// Appends the packet's exact bytes to `out`. On error nothing is appended.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let body = self.remaining_length()?;
        out.reserve(1 + remaining_length_len(body) + body);
        out.push(((self.packet_type() as u8) << 4) | self.header_flags());
        write_remaining_length(out, body);
        match self {
            Packet::Connect(c) => c.write_body(out),
            Packet::Connack(c) => c.write_body(out),
            Packet::Publish(p) => p.write_body(out),
            Packet::Puback(a) => a.write_body(out),
            Packet::Pubrec(a) => a.write_body(out),
            Packet::Pubrel(a) => a.write_body(out),
            Packet::Pubcomp(a) => a.write_body(out),
            Packet::Subscribe(s) => s.write_body(out),
            Packet::Suback(s) => s.write_body(out),
            Packet::Unsubscribe(u) => u.write_body(out),
            Packet::Unsuback(u) => u.write_body(out),
            Packet::Pingreq | Packet::Pingresp => {}
            Packet::Disconnect(d) => d.write_body(out),
            Packet::Auth(a) => a.write_body(out),
        }
        Ok(())
    }

    /// The packet's bytes in a fresh `Vec`.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::new();
        self.encode(&mut out)?;
        Ok(out)
    }

    /// The properties the packet carries, in wire order (none for PINGREQ and
    /// PINGRESP; a CONNECT's will properties are on its [`Will`]).
    pub fn properties(&self) -> &[super::properties::Property] {
        match self {
            Packet::Connect(c) => &c.properties,
            Packet::Connack(c) => &c.properties,
            Packet::Publish(p) => &p.properties,
            Packet::Puback(a) => a.properties.as_deref().unwrap_or(&[]),
            Packet::Pubrec(a) => a.properties.as_deref().unwrap_or(&[]),
            Packet::Pubrel(a) => a.properties.as_deref().unwrap_or(&[]),
            Packet::Pubcomp(a) => a.properties.as_deref().unwrap_or(&[]),
            Packet::Subscribe(s) => &s.properties,
            Packet::Suback(s) => &s.properties,
            Packet::Unsubscribe(u) => &u.properties,
            Packet::Unsuback(u) => &u.properties,
            Packet::Pingreq | Packet::Pingresp => &[],
            Packet::Disconnect(d) => d.properties.as_deref().unwrap_or(&[]),
            Packet::Auth(a) => a.properties.as_deref().unwrap_or(&[]),
        }
    }
}

/// `PUBLISH q1 m7 topico [2 props]`: the 3.1.1 summary's shape, with the reason
/// code's name where there is one, a Topic Alias as `alias 3` (`PUBLISH q1 m7 alias 3`
/// when it stands for an empty topic name) and the number of the other properties.
impl core::fmt::Display for Packet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let name = self.packet_type().name();
        match self {
            Packet::Connect(c) => {
                write!(
                    f,
                    "{name} c{} k{} v5.0",
                    u8::from(c.clean_start),
                    c.keep_alive
                )?;
                summary::client_id(f, &c.client_id)?;
                if let Some(w) = &c.will {
                    summary::will(f, &w.topic, w.qos, w.retain)?;
                }
                if let Some(u) = &c.username {
                    write!(f, " u:{u}")?;
                }
                if c.password.is_some() {
                    f.write_str(" p:***")?;
                }
            }
            Packet::Connack(c) => {
                write!(f, "{name} {:#04x} {}", c.reason.as_u8(), c.reason)?;
                if c.session_present {
                    f.write_str(" sp1")?;
                }
            }
            Packet::Publish(p) => {
                summary::publish_head(f, name, p.dup, p.qospid, p.retain)?;
                match (&p.topic, p.topic_alias()) {
                    (Some(t), Some(a)) => write!(f, " {t} alias {a}")?,
                    (Some(t), None) => write!(f, " {t}")?,
                    (None, Some(a)) => write!(f, " alias {a}")?,
                    (None, None) => f.write_str(" \"\"")?,
                }
            }
            Packet::Puback(a) => ack_summary(f, name, a)?,
            Packet::Pubrec(a) => ack_summary(f, name, a)?,
            Packet::Pubrel(a) => ack_summary(f, name, a)?,
            Packet::Pubcomp(a) => ack_summary(f, name, a)?,
            Packet::Subscribe(s) => {
                write!(f, "{name} m{}", s.pid)?;
                for t in &s.topics {
                    write!(f, " {} q{}", t.filter, t.options.qos)?;
                }
            }
            Packet::Suback(s) => {
                write!(f, "{name} m{} [", s.pid)?;
                codes(f, s.reasons.iter().map(|c| c.as_u8()))?;
                f.write_str("]")?;
            }
            Packet::Unsubscribe(u) => {
                write!(f, "{name} m{}", u.pid)?;
                for t in &u.filters {
                    write!(f, " {t}")?;
                }
            }
            Packet::Unsuback(u) => {
                write!(f, "{name} m{} [", u.pid)?;
                codes(f, u.reasons.iter().map(|c| c.as_u8()))?;
                f.write_str("]")?;
            }
            Packet::Pingreq | Packet::Pingresp => f.write_str(name)?,
            Packet::Disconnect(d) => {
                f.write_str(name)?;
                if let Some(r) = d.reason {
                    write!(f, " {:#04x} {r}", r.as_u8())?;
                }
            }
            Packet::Auth(a) => {
                f.write_str(name)?;
                if let Some(r) = a.reason {
                    write!(f, " {:#04x} {r}", r.as_u8())?;
                }
            }
        }
        // A Topic Alias is already in the label (`alias 3`): the mark counts the others.
        let shown = match self {
            Packet::Publish(p) => usize::from(p.topic_alias().is_some()),
            _ => 0,
        };
        match self.properties().len() - shown {
            0 => Ok(()),
            1 => f.write_str(" [1 prop]"),
            n => write!(f, " [{n} props]"),
        }
    }
}

fn ack_summary<R: Reason>(
    f: &mut core::fmt::Formatter<'_>,
    name: &str,
    a: &Ack<R>,
) -> core::fmt::Result {
    write!(f, "{name} m{}", a.pid)?;
    if let Some(r) = a.reason {
        write!(f, " {:#04x} {}", r.to_u8(), r.label())?;
    }
    Ok(())
}

fn codes(f: &mut core::fmt::Formatter<'_>, codes: impl Iterator<Item = u8>) -> core::fmt::Result {
    for (i, c) in codes.enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        write!(f, "{c:#04x}")?;
    }
    Ok(())
}

//! The packets made of a reason code and properties: CONNACK (§3.2), PUBACK,
//! PUBREC, PUBREL, PUBCOMP (§3.4 to §3.7), DISCONNECT (§3.14) and AUTH (§3.15).
//!
//! All but CONNACK may stop early: no reason code means Success, no property
//! length means no properties. What was on the wire is what the value holds
//! (`reason: None` is not `Some(Success)`), so bytes survive a round trip.

use crate::codec::connack::AckFlags;
use crate::codec::error::{DecodeError, DecodeErrorKind, EncodeError, FieldName};
use crate::codec::properties::{self, Holder, Property};
use crate::codec::reason_codes::{
    AuthReasonCode, ConnackReasonCode, DisconnectReasonCode, PubackReasonCode, PubcompReasonCode,
    PubrecReasonCode, PubrelReasonCode,
};
use crate::codec::strings::{write_u16, Reader};
use crate::codec::{PacketType, Pid};

/// A reason-code type of one packet.
pub trait Reason: Copy + core::fmt::Debug + Eq + core::hash::Hash {
    /// The packet that carries it.
    const PACKET: PacketType;
    /// Where its properties belong in the table.
    const HOLDER: Holder;
    /// The code for a byte, if this packet may carry it.
    fn parse(b: u8) -> Option<Self>;
    /// The byte on the wire.
    fn to_u8(self) -> u8;
    /// The specification's name.
    fn label(self) -> &'static str;
}

macro_rules! reason {
    ($ty:ident, $packet:ident) => {
        impl Reason for $ty {
            const PACKET: PacketType = PacketType::$packet;
            const HOLDER: Holder = Holder::$packet;
            fn parse(b: u8) -> Option<Self> {
                $ty::from_u8(b)
            }
            fn to_u8(self) -> u8 {
                self.as_u8()
            }
            fn label(self) -> &'static str {
                self.name()
            }
        }
    };
}

reason!(ConnackReasonCode, Connack);
reason!(PubackReasonCode, Puback);
reason!(PubrecReasonCode, Pubrec);
reason!(PubrelReasonCode, Pubrel);
reason!(PubcompReasonCode, Pubcomp);
reason!(DisconnectReasonCode, Disconnect);
reason!(AuthReasonCode, Auth);

/// Reads a reason code of type `R`.
fn read_reason<R: Reason>(r: &mut Reader<'_>) -> Result<R, DecodeError> {
    let at = r.pos();
    let b = r.u8(FieldName::ReasonCode)?;
    R::parse(b).ok_or_else(|| {
        DecodeError::new(
            DecodeErrorKind::InvalidReasonCode {
                packet_type: R::PACKET,
                code: b,
            },
            at,
        )
    })
}

/// The optional tail: a reason code if bytes remain, then properties if bytes
/// remain (§3.4.2.1: "If the Remaining Length is less than 4 there is no
/// Property Length").
#[allow(clippy::type_complexity)]
fn read_tail<R: Reason>(
    r: &mut Reader<'_>,
) -> Result<(Option<R>, Option<Vec<Property>>), DecodeError> {
    if r.is_empty() {
        return Ok((None, None));
    }
    let reason = read_reason::<R>(r)?;
    if r.is_empty() {
        return Ok((Some(reason), None));
    }
    let props = properties::read(r, R::HOLDER)?;
    r.finish()?;
    Ok((Some(reason), Some(props)))
}

fn tail_len<R: Reason>(
    reason: Option<R>,
    props: &Option<Vec<Property>>,
) -> Result<usize, EncodeError> {
    match (reason, props) {
        (None, None) => Ok(0),
        (None, Some(_)) => Err(EncodeError::PropertiesWithoutReasonCode(R::PACKET)),
        (Some(_), None) => Ok(1),
        (Some(_), Some(p)) => Ok(1 + properties::block_len(p, R::HOLDER)?),
    }
}

fn write_tail<R: Reason>(out: &mut Vec<u8>, reason: Option<R>, props: &Option<Vec<Property>>) {
    if let Some(r) = reason {
        out.push(r.to_u8());
        if let Some(p) = props {
            properties::write(out, p);
        }
    }
}

/// PUBACK, PUBREC, PUBREL or PUBCOMP.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ack<R> {
    /// The PUBLISH's identifier.
    pub pid: Pid,
    /// The reason code, if on the wire (absent means Success).
    pub reason: Option<R>,
    /// The properties, if on the wire (they need a reason code before them).
    pub properties: Option<Vec<Property>>,
}

impl<R: Reason> Ack<R> {
    pub(crate) fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let pid = r.pid()?;
        let (reason, properties) = read_tail(r)?;
        Ok(Ack {
            pid,
            reason,
            properties,
        })
    }

    pub(crate) fn body_len(&self) -> Result<usize, EncodeError> {
        Ok(2 + tail_len(self.reason, &self.properties)?)
    }

    pub(crate) fn write_body(&self, out: &mut Vec<u8>) {
        write_u16(out, self.pid.get());
        write_tail(out, self.reason, &self.properties);
    }
}

/// DISCONNECT: from either side in 5.0, with why.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Disconnect {
    /// The reason code, if on the wire (absent means Normal disconnection).
    pub reason: Option<DisconnectReasonCode>,
    /// The properties, if on the wire.
    pub properties: Option<Vec<Property>>,
}

impl Disconnect {
    pub(crate) fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let (reason, properties) = read_tail(r)?;
        Ok(Disconnect { reason, properties })
    }

    pub(crate) fn body_len(&self) -> Result<usize, EncodeError> {
        tail_len(self.reason, &self.properties)
    }

    pub(crate) fn write_body(&self, out: &mut Vec<u8>) {
        write_tail(out, self.reason, &self.properties);
    }
}

/// AUTH: a step of extended authentication.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Auth {
    /// The reason code, if on the wire (absent means Success).
    pub reason: Option<AuthReasonCode>,
    /// The properties, if on the wire.
    pub properties: Option<Vec<Property>>,
}

impl Auth {
    pub(crate) fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let (reason, properties) = read_tail(r)?;
        Ok(Auth { reason, properties })
    }

    pub(crate) fn body_len(&self) -> Result<usize, EncodeError> {
        tail_len(self.reason, &self.properties)
    }

    pub(crate) fn write_body(&self, out: &mut Vec<u8>) {
        write_tail(out, self.reason, &self.properties);
    }
}

/// CONNACK: flags, reason code and properties, all always there.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Connack {
    /// Whether the server resumed a session (§3.2.2.1.1).
    pub session_present: bool,
    /// Success or why not.
    pub reason: ConnackReasonCode,
    /// The server's properties, in wire order.
    pub properties: Vec<Property>,
}

impl Connack {
    pub(crate) fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let flags = AckFlags::read(r)?;
        let reason = read_reason::<ConnackReasonCode>(r)?;
        flags.check(reason == ConnackReasonCode::Success)?;
        let session_present = flags.session_present;
        let properties = properties::read(r, Holder::Connack)?;
        r.finish()?;
        Ok(Connack {
            session_present,
            reason,
            properties,
        })
    }

    pub(crate) fn body_len(&self) -> Result<usize, EncodeError> {
        Ok(2 + properties::block_len(&self.properties, Holder::Connack)?)
    }

    pub(crate) fn write_body(&self, out: &mut Vec<u8>) {
        out.push(u8::from(self.session_present));
        out.push(self.reason.as_u8());
        properties::write(out, &self.properties);
    }
}

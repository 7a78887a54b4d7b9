//! CONNACK: the broker's answer to CONNECT (MQTT 3.1.1 §3.2).

use core::fmt;

use super::error::{DecodeError, DecodeErrorKind, FieldName};
use super::strings::Reader;

/// The return code of a CONNACK (§3.2.2.3, table 3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ConnectReturnCode {
    /// 0: connection accepted.
    Accepted = 0,
    /// 1: the broker does not support the requested protocol level.
    UnacceptableProtocolVersion = 1,
    /// 2: the client identifier is well formed but not allowed.
    IdentifierRejected = 2,
    /// 3: the MQTT service is unavailable.
    ServerUnavailable = 3,
    /// 4: the user name or password is malformed or wrong.
    BadUserNameOrPassword = 4,
    /// 5: the client is not authorized to connect.
    NotAuthorized = 5,
}

impl ConnectReturnCode {
    /// The code for a byte, or `None` for 6..=255 (reserved).
    pub fn from_u8(code: u8) -> Option<Self> {
        use ConnectReturnCode::*;
        Some(match code {
            0 => Accepted,
            1 => UnacceptableProtocolVersion,
            2 => IdentifierRejected,
            3 => ServerUnavailable,
            4 => BadUserNameOrPassword,
            5 => NotAuthorized,
            _ => return None,
        })
    }

    /// The byte on the wire.
    pub fn as_u8(self) -> u8 {
        self as u8
    }

    /// The wording of the standard's table 3.1.
    pub fn description(self) -> &'static str {
        use ConnectReturnCode::*;
        match self {
            Accepted => "Connection Accepted",
            UnacceptableProtocolVersion => "Connection Refused, unacceptable protocol version",
            IdentifierRejected => "Connection Refused, identifier rejected",
            ServerUnavailable => "Connection Refused, Server unavailable",
            BadUserNameOrPassword => "Connection Refused, bad user name or password",
            NotAuthorized => "Connection Refused, not authorized",
        }
    }
}

impl fmt::Display for ConnectReturnCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// CONNACK's Connect Acknowledge Flags, read and checked alike in 3.1.1
/// (§3.2.2.1) and 5.0 (§3.2.2.1).
pub(crate) struct AckFlags {
    /// Bit 0.
    pub session_present: bool,
    /// Where the byte stands.
    at: usize,
}

impl AckFlags {
    /// The byte, its reserved bits 7 to 1 zero.
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<AckFlags, DecodeError> {
        let at = r.pos();
        let flags = r.u8(FieldName::AckFlags)?;
        if flags & 0xfe != 0 {
            return Err(DecodeError::new(
                DecodeErrorKind::ConnackReservedFlags(flags),
                at,
            ));
        }
        Ok(AckFlags {
            session_present: flags & 1 != 0,
            at,
        })
    }

    /// Session Present only on an accepted connection (MQTT-3.2.2-4, 5.0
    /// MQTT-3.2.2-6).
    pub(crate) fn check(&self, accepted: bool) -> Result<(), DecodeError> {
        if self.session_present && !accepted {
            return Err(DecodeError::new(
                DecodeErrorKind::SessionPresentOnRefusal,
                self.at,
            ));
        }
        Ok(())
    }
}

/// A CONNACK packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Connack {
    /// Whether the broker resumed a stored session (§3.2.2.2).
    pub session_present: bool,
    /// Accepted or why not.
    pub code: ConnectReturnCode,
}

impl Connack {
    pub(crate) fn decode_body(r: &mut Reader<'_>) -> Result<Connack, DecodeError> {
        let flags = AckFlags::read(r)?;
        let code_at = r.pos();
        let code = r.u8(FieldName::ReturnCode)?;
        let code = ConnectReturnCode::from_u8(code)
            .ok_or_else(|| DecodeError::new(DecodeErrorKind::ReservedReturnCode(code), code_at))?;
        flags.check(code == ConnectReturnCode::Accepted)?;
        Ok(Connack {
            session_present: flags.session_present,
            code,
        })
    }

    pub(crate) fn write_body(&self, out: &mut Vec<u8>) {
        out.push(u8::from(self.session_present));
        out.push(self.code.as_u8());
    }
}

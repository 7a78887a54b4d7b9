//! SUBACK: the broker's answer to SUBSCRIBE (MQTT 3.1.1 §3.9).

use super::error::{DecodeError, DecodeErrorKind, EncodeError, FieldName};
use super::strings::{write_u16, Reader};
use super::{Pid, QoS};

/// One return code of a SUBACK, in the order of the SUBSCRIBE's filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubackReturnCode {
    /// 0x00, 0x01, 0x02: granted, with the maximum QoS.
    Success(QoS),
    /// 0x80: refused.
    Failure,
}

impl SubackReturnCode {
    /// The byte on the wire.
    pub fn as_u8(self) -> u8 {
        match self {
            SubackReturnCode::Success(q) => q.as_u8(),
            SubackReturnCode::Failure => 0x80,
        }
    }

    /// The code for a byte, or `None` for reserved values.
    pub fn from_u8(code: u8) -> Option<Self> {
        match code {
            0x80 => Some(SubackReturnCode::Failure),
            q => QoS::from_u8(q).map(SubackReturnCode::Success),
        }
    }
}

/// A SUBACK packet.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Suback {
    /// The SUBSCRIBE's identifier.
    pub pid: Pid,
    /// One code per requested filter.
    pub return_codes: Vec<SubackReturnCode>,
}

impl Suback {
    pub(crate) fn decode_body(r: &mut Reader<'_>) -> Result<Suback, DecodeError> {
        let pid = r.pid()?;
        let mut return_codes = Vec::with_capacity(r.remaining());
        while !r.is_empty() {
            let at = r.pos();
            let b = r.u8(FieldName::SubackReturnCode)?;
            return_codes.push(SubackReturnCode::from_u8(b).ok_or_else(|| {
                DecodeError::new(DecodeErrorKind::InvalidSubackReturnCode(b), at)
            })?);
        }
        if return_codes.is_empty() {
            return Err(DecodeError::new(
                DecodeErrorKind::SubackWithoutReturnCodes,
                r.pos(),
            ));
        }
        Ok(Suback { pid, return_codes })
    }

    pub(crate) fn body_len(&self) -> Result<usize, EncodeError> {
        if self.return_codes.is_empty() {
            return Err(EncodeError::EmptySuback);
        }
        Ok(2 + self.return_codes.len())
    }

    pub(crate) fn write_body(&self, out: &mut Vec<u8>) {
        write_u16(out, self.pid.get());
        out.extend(self.return_codes.iter().map(|c| c.as_u8()));
    }
}

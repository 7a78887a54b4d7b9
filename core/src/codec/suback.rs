//! SUBACK: the broker's answer to SUBSCRIBE (MQTT 3.1.1 §3.9).

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

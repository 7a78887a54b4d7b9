//! UNSUBSCRIBE: a client drops topic filters (MQTT 3.1.1 §3.10).

use super::error::{DecodeError, DecodeErrorKind, EncodeError, FieldName};
use super::strings::{check_len, write_binary, write_u16, Reader};
use super::Pid;
use crate::topic::TopicFilter;

/// An UNSUBSCRIBE packet. It must carry at least one filter (MQTT-3.10.3-2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Unsubscribe {
    /// The packet identifier the UNSUBACK will echo.
    pub pid: Pid,
    /// The filters to remove, exactly as they were subscribed.
    pub filters: Vec<TopicFilter>,
}

/// UNSUBSCRIBE's payload, to the end of the packet: at least one filter
/// (MQTT-3.10.3-2), in 3.1.1 and 5.0 alike.
pub(crate) fn read_filters(r: &mut Reader<'_>) -> Result<Vec<TopicFilter>, DecodeError> {
    let mut filters = Vec::new();
    while !r.is_empty() {
        filters.push(r.topic_filter(FieldName::TopicFilter)?);
    }
    if filters.is_empty() {
        return Err(DecodeError::new(
            DecodeErrorKind::UnsubscribeWithoutTopics,
            r.pos(),
        ));
    }
    Ok(filters)
}

impl Unsubscribe {
    pub(crate) fn decode_body(r: &mut Reader<'_>) -> Result<Unsubscribe, DecodeError> {
        let pid = r.pid()?;
        let filters = read_filters(r)?;
        Ok(Unsubscribe { pid, filters })
    }

    pub(crate) fn body_len(&self) -> Result<usize, EncodeError> {
        if self.filters.is_empty() {
            return Err(EncodeError::EmptyUnsubscribe);
        }
        let mut len = 2;
        for f in &self.filters {
            len += check_len(FieldName::TopicFilter, f.as_str().len())?;
        }
        Ok(len)
    }

    pub(crate) fn write_body(&self, out: &mut Vec<u8>) {
        write_u16(out, self.pid.get());
        for f in &self.filters {
            write_binary(out, f.as_str().as_bytes());
        }
    }
}

//! SUBSCRIBE: a client asks for topic filters (MQTT 3.1.1 §3.8).

use super::error::{DecodeError, DecodeErrorKind, EncodeError, FieldName};
use super::strings::{check_len, write_binary, write_u16, Reader};
use super::{Pid, QoS};
use crate::topic::TopicFilter;

/// One filter of a SUBSCRIBE with the maximum QoS asked for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubscribeTopic {
    /// The filter, wildcards allowed.
    pub filter: TopicFilter,
    /// The highest QoS the client wants to receive on it.
    pub qos: QoS,
}

/// A SUBSCRIBE packet. It must carry at least one filter (MQTT-3.8.3-3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Subscribe {
    /// The packet identifier the SUBACK will echo.
    pub pid: Pid,
    /// The filters, in order.
    pub topics: Vec<SubscribeTopic>,
}

impl Subscribe {
    pub(crate) fn decode_body(r: &mut Reader<'_>) -> Result<Subscribe, DecodeError> {
        let pid = r.pid()?;
        let mut topics = Vec::new();
        while !r.is_empty() {
            let filter = r.topic_filter(FieldName::TopicFilter)?;
            let at = r.pos();
            let b = r.u8(FieldName::RequestedQos)?;
            let qos = QoS::from_u8(b)
                .ok_or_else(|| DecodeError::new(DecodeErrorKind::InvalidRequestedQos(b), at))?;
            topics.push(SubscribeTopic { filter, qos });
        }
        if topics.is_empty() {
            return Err(DecodeError::new(
                DecodeErrorKind::SubscribeWithoutTopics,
                r.pos(),
            ));
        }
        Ok(Subscribe { pid, topics })
    }

    pub(crate) fn body_len(&self) -> Result<usize, EncodeError> {
        if self.topics.is_empty() {
            return Err(EncodeError::EmptySubscribe);
        }
        let mut len = 2;
        for t in &self.topics {
            len += check_len(FieldName::TopicFilter, t.filter.as_str().len())? + 1;
        }
        Ok(len)
    }

    pub(crate) fn write_body(&self, out: &mut Vec<u8>) {
        write_u16(out, self.pid.get());
        for t in &self.topics {
            write_binary(out, t.filter.as_str().as_bytes());
            out.push(t.qos.as_u8());
        }
    }
}

//! PUBLISH in MQTT 5.0 (§3.3): 3.1.1's, with properties after the packet
//! identifier, and an empty topic name allowed when a Topic Alias stands for it.

use bytes::Bytes;

use crate::codec::error::{DecodeError, DecodeErrorKind, EncodeError, FieldName};
use crate::codec::properties::{self, Holder, Property, PropertyId};
use crate::codec::strings::{check_len, topic_error, write_binary, write_u16, Reader};
use crate::codec::{publish, QosPid};
use crate::topic::TopicName;

/// A 5.0 PUBLISH.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Publish {
    /// DUP flag.
    pub dup: bool,
    /// QoS and, for 1 and 2, the packet identifier.
    pub qospid: QosPid,
    /// RETAIN flag.
    pub retain: bool,
    /// The topic name; `None` is the empty name a Topic Alias stands for.
    pub topic: Option<TopicName>,
    /// PUBLISH properties, in wire order.
    pub properties: Vec<Property>,
    /// The application message.
    pub payload: Bytes,
}

impl Publish {
    /// The flag nibble: DUP, QoS, RETAIN.
    pub fn header_flags(&self) -> u8 {
        publish::header_flags(self.dup, self.qospid.qos(), self.retain)
    }

    /// The Topic Alias property's value, if the PUBLISH carries one.
    pub fn topic_alias(&self) -> Option<u16> {
        self.properties.iter().find_map(|p| match p {
            Property::TopicAlias(a) => Some(a.0),
            _ => None,
        })
    }

    fn has_alias(props: &[Property]) -> bool {
        props.iter().any(|p| p.id() == PropertyId::TopicAlias)
    }

    pub(crate) fn decode_body(r: &mut Reader<'_>, flags: u8) -> Result<Publish, DecodeError> {
        let field = FieldName::TopicName;
        let (name, topic_at) = r.string(field)?;
        let topic = if name.is_empty() {
            None
        } else {
            Some(TopicName::new(name).map_err(|e| topic_error(field, e, topic_at))?)
        };
        let qospid = publish::read_qospid(r, flags)?;
        let properties = properties::read(r, Holder::Publish)?;
        if topic.is_none() && !Self::has_alias(&properties) {
            return Err(DecodeError::new(
                DecodeErrorKind::EmptyTopicWithoutAlias,
                topic_at,
            ));
        }
        let payload = r.rest();
        Ok(Publish {
            dup: flags & 0b1000 != 0,
            qospid,
            retain: flags & 1 != 0,
            topic,
            properties,
            payload: r.slice(payload),
        })
    }

    pub(crate) fn body_len(&self) -> Result<usize, EncodeError> {
        if self.topic.is_none() && !Self::has_alias(&self.properties) {
            return Err(EncodeError::EmptyTopicWithoutAlias);
        }
        let topic = self.topic.as_ref().map_or(0, |t| t.as_str().len());
        let pid = if self.qospid.pid().is_some() { 2 } else { 0 };
        Ok(check_len(FieldName::TopicName, topic)?
            + pid
            + properties::block_len(&self.properties, Holder::Publish)?
            + self.payload.len())
    }

    pub(crate) fn write_body(&self, out: &mut Vec<u8>) {
        let topic = self.topic.as_ref().map_or("", |t| t.as_str());
        write_binary(out, topic.as_bytes());
        if let Some(pid) = self.qospid.pid() {
            write_u16(out, pid.get());
        }
        properties::write(out, &self.properties);
        out.extend_from_slice(&self.payload);
    }
}

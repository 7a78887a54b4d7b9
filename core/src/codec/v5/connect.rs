//! CONNECT in MQTT 5.0 (§3.1): 3.1.1's fields, properties after the keep alive,
//! will properties before the will topic, "Clean Start" for "Clean Session",
//! and a password allowed without a user name.

use bytes::Bytes;

use crate::codec::connect::flags;
use crate::codec::error::{DecodeError, DecodeErrorKind, EncodeError, FieldName};
use crate::codec::properties::{self, Holder, Property};
use crate::codec::strings::{check_len, check_str, write_binary, write_u16, Reader};
use crate::codec::QoS;
use crate::topic::TopicName;

/// The will of a 5.0 CONNECT (§3.1.3.2 to §3.1.3.4).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Will {
    /// Will Properties, in wire order.
    pub properties: Vec<Property>,
    /// Where it is published.
    pub topic: TopicName,
    /// What is published.
    pub payload: Bytes,
    /// At which QoS.
    pub qos: QoS,
    /// Whether it is retained.
    pub retain: bool,
}

/// A 5.0 CONNECT (protocol name "MQTT", level 5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Connect {
    /// Clean Start (§3.1.2.4).
    pub clean_start: bool,
    /// Keep alive in seconds.
    pub keep_alive: u16,
    /// CONNECT properties, in wire order.
    pub properties: Vec<Property>,
    /// The client identifier.
    pub client_id: String,
    /// The will, if any.
    pub will: Option<Will>,
    /// The user name, if any.
    pub username: Option<String>,
    /// The password, if any (5.0 allows one without a user name).
    pub password: Option<Bytes>,
}

impl Connect {
    /// The CONNECT flags byte this packet encodes to.
    pub fn flags_byte(&self) -> u8 {
        flags::byte(
            self.clean_start,
            self.will.as_ref().map(|w| (w.qos, w.retain)),
            self.username.is_some(),
            self.password.is_some(),
        )
    }

    pub(crate) fn decode_body(r: &mut Reader<'_>) -> Result<Connect, DecodeError> {
        let name_at = r.pos();
        let name = r.binary(FieldName::ProtocolName)?;
        let name = r.slice(name);
        let level_at = r.pos();
        let level = r.u8(FieldName::ProtocolLevel)?;
        if &name[..] != b"MQTT" || level != 5 {
            return Err(DecodeError::new(
                DecodeErrorKind::UnsupportedProtocol {
                    name: String::from_utf8_lossy(&name).into_owned(),
                    level,
                },
                if &name[..] == b"MQTT" {
                    level_at
                } else {
                    name_at
                },
            ));
        }
        let flags::Checked {
            bits: f,
            at: _,
            will: will_flag,
            will_qos,
            will_retain,
        } = flags::read(r)?;
        let keep_alive = r.u16(FieldName::KeepAlive)?;
        let properties = properties::read(r, Holder::Connect)?;
        let client_id = r.string(FieldName::ClientId)?.0.to_owned();
        let will = if will_flag {
            let properties = properties::read(r, Holder::Will)?;
            let topic = r.topic_name(FieldName::WillTopic)?;
            let payload = r.binary(FieldName::WillMessage)?;
            Some(Will {
                properties,
                topic,
                payload: r.slice(payload),
                qos: will_qos,
                retain: will_retain,
            })
        } else {
            None
        };
        let username = if f & flags::USERNAME != 0 {
            Some(r.string(FieldName::Username)?.0.to_owned())
        } else {
            None
        };
        let password = if f & flags::PASSWORD != 0 {
            let p = r.binary(FieldName::Password)?;
            Some(r.slice(p))
        } else {
            None
        };
        r.finish()?;
        Ok(Connect {
            clean_start: f & flags::CLEAN_SESSION != 0,
            keep_alive,
            properties,
            client_id,
            will,
            username,
            password,
        })
    }

    pub(crate) fn body_len(&self) -> Result<usize, EncodeError> {
        // "MQTT", level, flags, keep alive.
        let mut len = 6 + 1 + 1 + 2;
        len += properties::block_len(&self.properties, Holder::Connect)?;
        len += check_str(FieldName::ClientId, &self.client_id)?;
        if let Some(w) = &self.will {
            len += properties::block_len(&w.properties, Holder::Will)?;
            len += check_len(FieldName::WillTopic, w.topic.as_str().len())?;
            len += check_len(FieldName::WillMessage, w.payload.len())?;
        }
        if let Some(u) = &self.username {
            len += check_str(FieldName::Username, u)?;
        }
        if let Some(p) = &self.password {
            len += check_len(FieldName::Password, p.len())?;
        }
        Ok(len)
    }

    pub(crate) fn write_body(&self, out: &mut Vec<u8>) {
        write_binary(out, b"MQTT");
        out.push(5);
        out.push(self.flags_byte());
        write_u16(out, self.keep_alive);
        properties::write(out, &self.properties);
        write_binary(out, self.client_id.as_bytes());
        if let Some(w) = &self.will {
            properties::write(out, &w.properties);
            write_binary(out, w.topic.as_str().as_bytes());
            write_binary(out, &w.payload);
        }
        if let Some(u) = &self.username {
            write_binary(out, u.as_bytes());
        }
        if let Some(p) = &self.password {
            write_binary(out, p);
        }
    }
}

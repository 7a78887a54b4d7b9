//! CONNECT: the first packet a client sends (MQTT 3.1.1 §3.1).

use bytes::Bytes;

use super::error::{DecodeError, DecodeErrorKind, EncodeError, FieldName};
use super::strings::{check_len, check_str, write_binary, write_u16, Reader};
use super::QoS;
use crate::topic::TopicName;

/// Which protocol the CONNECT names in its variable header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// MQTT 3.1: protocol name "MQIsdp", level 3. Accepted as mosquitto does.
    V31,
    /// MQTT 3.1.1: protocol name "MQTT", level 4.
    V311,
    /// MQTT 5.0: protocol name "MQTT", level 5. Only sent, as `mosquitto_pub -V
    /// mqttv5` does, to meet a 3.1.1 broker's CONNACK 1 (MQTT-3.1.2-2): the CONNECT
    /// carries empty properties (a property length of 0 after the keep alive, and
    /// before the will topic when there is a will). The decoder speaks 3.1 and
    /// 3.1.1 only, so these bytes decode to
    /// [`UnsupportedProtocol`](super::DecodeErrorKind::UnsupportedProtocol), whose
    /// [`connack_code`](super::DecodeError::connack_code) is 1.
    V5,
}

impl Protocol {
    /// The protocol name string on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::V31 => "MQIsdp",
            Protocol::V311 | Protocol::V5 => "MQTT",
        }
    }

    /// The protocol level byte (`p2`/`p3`/`p4` style numbers come from here).
    pub fn level(self) -> u8 {
        match self {
            Protocol::V31 => 3,
            Protocol::V311 => 4,
            Protocol::V5 => 5,
        }
    }

    /// How Wireshark names the version: `MQTT v3.1.1`.
    pub fn version_name(self) -> &'static str {
        match self {
            Protocol::V31 => "MQTT v3.1",
            Protocol::V311 => "MQTT v3.1.1",
            Protocol::V5 => "MQTT v5.0",
        }
    }

    /// The protocol for a name and level as a CONNECT carries them, if the decoder
    /// speaks it (3.1 and 3.1.1; never [`Protocol::V5`]).
    pub fn from_name_level(name: &[u8], level: u8) -> Option<Protocol> {
        match (name, level) {
            (b"MQTT", 4) => Some(Protocol::V311),
            (b"MQIsdp", 3) => Some(Protocol::V31),
            _ => None,
        }
    }
}

/// The bits of the CONNECT flags byte (§3.1.2.3, figure 3.4).
pub(crate) mod flags {
    pub const RESERVED: u8 = 0x01;
    pub const CLEAN_SESSION: u8 = 0x02;
    pub const WILL: u8 = 0x04;
    pub const WILL_QOS_SHIFT: u8 = 3;
    pub const WILL_RETAIN: u8 = 0x20;
    pub const PASSWORD: u8 = 0x40;
    pub const USERNAME: u8 = 0x80;

    use super::{DecodeError, DecodeErrorKind, FieldName, QoS, Reader};

    /// The Connect Flags byte, read and checked the same way in 3.1.1 (§3.1.2.3
    /// to §3.1.2.6) and 5.0 (§3.1.2.3 to §3.1.2.6): reserved bit 0, and will
    /// QoS and retain 0 without a will.
    pub(crate) struct Checked {
        /// The byte as read.
        pub bits: u8,
        /// Where it stands, for the errors the caller adds.
        pub at: usize,
        /// Whether the will flag is set.
        pub will: bool,
        /// The will QoS (0 without a will).
        pub will_qos: QoS,
        /// The will retain bit.
        pub will_retain: bool,
    }

    /// The byte for these fields, in 3.1.1 and 5.0 alike.
    pub(crate) fn byte(
        clean: bool,
        will: Option<(QoS, bool)>,
        username: bool,
        password: bool,
    ) -> u8 {
        let mut f = 0;
        if clean {
            f |= CLEAN_SESSION;
        }
        if let Some((qos, retain)) = will {
            f |= WILL | (qos.as_u8() << WILL_QOS_SHIFT);
            if retain {
                f |= WILL_RETAIN;
            }
        }
        if username {
            f |= USERNAME;
        }
        if password {
            f |= PASSWORD;
        }
        f
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Checked, DecodeError> {
        let at = r.pos();
        let bits = r.u8(FieldName::ConnectFlags)?;
        let err = |kind| Err(DecodeError::new(kind, at));
        if bits & RESERVED != 0 {
            return err(DecodeErrorKind::ConnectReservedFlag);
        }
        let will = bits & WILL != 0;
        let will_qos = (bits >> WILL_QOS_SHIFT) & 0b11;
        let will_retain = bits & WILL_RETAIN != 0;
        if !will && will_qos != 0 {
            return err(DecodeErrorKind::WillQosWithoutWill);
        }
        if !will && will_retain {
            return err(DecodeErrorKind::WillRetainWithoutWill);
        }
        let Some(will_qos) = QoS::from_u8(will_qos) else {
            return err(DecodeErrorKind::WillQos3);
        };
        Ok(Checked {
            bits,
            at,
            will,
            will_qos,
            will_retain,
        })
    }
}

/// The Last Will and Testament a client leaves with the broker (§3.1.2.5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LastWill {
    /// Where the will is published.
    pub topic: TopicName,
    /// What is published.
    pub message: Bytes,
    /// At which QoS.
    pub qos: QoS,
    /// Whether the broker keeps it as the topic's retained message.
    pub retain: bool,
}

/// A user name and an optional password. A password without a user name is not
/// allowed in MQTT 3.1.1 (MQTT-3.1.2-22), so the type cannot express it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Login {
    /// The user name (UTF-8).
    pub username: String,
    /// The password (binary data).
    pub password: Option<Bytes>,
}

/// A CONNECT packet.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Connect {
    /// MQTT 3.1 or 3.1.1.
    pub protocol: Protocol,
    /// Clean session flag: `false` asks for a persistent session.
    pub clean_session: bool,
    /// Keep alive in seconds; 0 turns the mechanism off.
    pub keep_alive: u16,
    /// The client identifier; may be empty (then the broker may assign one).
    pub client_id: String,
    /// The will, if any.
    pub will: Option<LastWill>,
    /// User name and password, if any.
    pub login: Option<Login>,
}

impl Connect {
    /// The CONNECT flags byte this packet encodes to.
    pub fn flags_byte(&self) -> u8 {
        let login = self.login.as_ref();
        flags::byte(
            self.clean_session,
            self.will.as_ref().map(|w| (w.qos, w.retain)),
            login.is_some(),
            login.is_some_and(|l| l.password.is_some()),
        )
    }

    pub(crate) fn decode_body(r: &mut Reader<'_>) -> Result<Connect, DecodeError> {
        let name_at = r.pos();
        let name = r.binary(FieldName::ProtocolName)?;
        let name = r.slice(name);
        let level_at = r.pos();
        let level = r.u8(FieldName::ProtocolLevel)?;
        let protocol = Protocol::from_name_level(&name, level).ok_or_else(|| {
            let known = &name[..] == b"MQTT" || &name[..] == b"MQIsdp";
            DecodeError::new(
                DecodeErrorKind::UnsupportedProtocol {
                    name: String::from_utf8_lossy(&name).into_owned(),
                    level,
                },
                if known { level_at } else { name_at },
            )
        })?;

        let flags::Checked {
            bits: f,
            at: flags_at,
            will: will_flag,
            will_qos,
            will_retain,
        } = flags::read(r)?;
        if f & flags::PASSWORD != 0 && f & flags::USERNAME == 0 {
            return Err(DecodeError::new(
                DecodeErrorKind::PasswordWithoutUsername,
                flags_at,
            ));
        }
        let keep_alive = r.u16(FieldName::KeepAlive)?;

        let client_id = r.string(FieldName::ClientId)?.0.to_owned();
        let will = if will_flag {
            let topic = r.topic_name(FieldName::WillTopic)?;
            let message = r.binary(FieldName::WillMessage)?;
            Some(LastWill {
                topic,
                message: r.slice(message),
                qos: will_qos,
                retain: will_retain,
            })
        } else {
            None
        };
        let login = if f & flags::USERNAME != 0 {
            let username = r.string(FieldName::Username)?.0.to_owned();
            let password = if f & flags::PASSWORD != 0 {
                let p = r.binary(FieldName::Password)?;
                Some(r.slice(p))
            } else {
                None
            };
            Some(Login { username, password })
        } else {
            None
        };
        r.finish()?;
        Ok(Connect {
            protocol,
            clean_session: f & flags::CLEAN_SESSION != 0,
            keep_alive,
            client_id,
            will,
            login,
        })
    }

    pub(crate) fn body_len(&self) -> Result<usize, EncodeError> {
        // Protocol name, level, flags, keep alive.
        let mut len = 2 + self.protocol.name().len() + 1 + 1 + 2;
        // MQTT 5.0's empty properties: one byte, the length 0 (§3.1.2.11 of 5.0).
        let properties = usize::from(self.protocol == Protocol::V5);
        len += properties;
        len += check_str(FieldName::ClientId, &self.client_id)?;
        if let Some(w) = &self.will {
            // And the will's (§3.1.3.2 of 5.0).
            len += properties;
            len += check_len(FieldName::WillTopic, w.topic.as_str().len())?;
            len += check_len(FieldName::WillMessage, w.message.len())?;
        }
        if let Some(l) = &self.login {
            len += check_str(FieldName::Username, &l.username)?;
            if let Some(p) = &l.password {
                len += check_len(FieldName::Password, p.len())?;
            }
        }
        Ok(len)
    }

    pub(crate) fn write_body(&self, out: &mut Vec<u8>) {
        write_binary(out, self.protocol.name().as_bytes());
        out.push(self.protocol.level());
        out.push(self.flags_byte());
        write_u16(out, self.keep_alive);
        let v5 = self.protocol == Protocol::V5;
        if v5 {
            out.push(0);
        }
        write_binary(out, self.client_id.as_bytes());
        if let Some(w) = &self.will {
            if v5 {
                out.push(0);
            }
            write_binary(out, w.topic.as_str().as_bytes());
            write_binary(out, &w.message);
        }
        if let Some(l) = &self.login {
            write_binary(out, l.username.as_bytes());
            if let Some(p) = &l.password {
                write_binary(out, p);
            }
        }
    }
}

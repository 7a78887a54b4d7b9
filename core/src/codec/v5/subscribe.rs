//! SUBSCRIBE, SUBACK, UNSUBSCRIBE and UNSUBACK in MQTT 5.0 (§3.8 to §3.11):
//! properties after the packet identifier, subscription options in place of
//! the requested QoS byte, and reason codes in both acknowledgements.

use crate::codec::error::{DecodeError, DecodeErrorKind, EncodeError, FieldName};
use crate::codec::properties::{self, Holder, Property};
use crate::codec::reason_codes::{SubackReasonCode, UnsubackReasonCode};
use crate::codec::strings::{check_len, write_binary, write_u16, Reader};
use crate::codec::{unsubscribe, PacketType, Pid, QoS};
use crate::topic::TopicFilter;

/// When the server sends retained messages for a new subscription (§3.8.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetainHandling {
    /// 0: at the time of the subscribe.
    SendAtSubscribe = 0,
    /// 1: at subscribe only if the subscription did not exist.
    SendIfNew = 1,
    /// 2: not at the time of the subscribe.
    DoNotSend = 2,
}

/// The subscription options byte (§3.8.3.1, figure 3-21).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubscriptionOptions {
    /// Bits 1-0: Maximum QoS.
    pub qos: QoS,
    /// Bit 2: do not send my own messages back to me.
    pub no_local: bool,
    /// Bit 3: keep the RETAIN flag as published.
    pub retain_as_published: bool,
    /// Bits 5-4.
    pub retain_handling: RetainHandling,
}

impl SubscriptionOptions {
    /// Options as 3.1.1 behaves: only the QoS.
    pub fn qos(qos: QoS) -> Self {
        SubscriptionOptions {
            qos,
            no_local: false,
            retain_as_published: false,
            retain_handling: RetainHandling::SendAtSubscribe,
        }
    }

    /// The byte on the wire.
    pub fn as_u8(self) -> u8 {
        self.qos.as_u8()
            | u8::from(self.no_local) << 2
            | u8::from(self.retain_as_published) << 3
            | (self.retain_handling as u8) << 4
    }

    /// Checks a byte (reserved bits, QoS 3, Retain Handling 3).
    pub fn from_u8(b: u8) -> Result<Self, DecodeErrorKind> {
        if b & 0xc0 != 0 {
            return Err(DecodeErrorKind::SubscriptionReservedBits(b));
        }
        let qos = QoS::from_u8(b & 0b11).ok_or(DecodeErrorKind::SubscriptionQos3)?;
        let retain_handling = match (b >> 4) & 0b11 {
            0 => RetainHandling::SendAtSubscribe,
            1 => RetainHandling::SendIfNew,
            2 => RetainHandling::DoNotSend,
            _ => return Err(DecodeErrorKind::RetainHandling3),
        };
        Ok(SubscriptionOptions {
            qos,
            no_local: b & 0b100 != 0,
            retain_as_published: b & 0b1000 != 0,
            retain_handling,
        })
    }
}

/// One filter of a 5.0 SUBSCRIBE with its options.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Subscription {
    /// The filter.
    pub filter: TopicFilter,
    /// The options.
    pub options: SubscriptionOptions,
}

/// A 5.0 SUBSCRIBE.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Subscribe {
    /// The identifier the SUBACK echoes.
    pub pid: Pid,
    /// SUBSCRIBE properties, in wire order.
    pub properties: Vec<Property>,
    /// The filters, at least one (MQTT-3.8.3-2).
    pub topics: Vec<Subscription>,
}

impl Subscribe {
    pub(crate) fn decode_body(r: &mut Reader<'_>) -> Result<Subscribe, DecodeError> {
        let pid = r.pid()?;
        let properties = properties::read(r, Holder::Subscribe)?;
        let mut topics = Vec::new();
        while !r.is_empty() {
            let filter = r.topic_filter(FieldName::TopicFilter)?;
            let at = r.pos();
            let b = r.u8(FieldName::SubscriptionOptions)?;
            let options = SubscriptionOptions::from_u8(b).map_err(|k| DecodeError::new(k, at))?;
            if options.no_local && filter.as_str().starts_with("$share/") {
                return Err(DecodeError::new(DecodeErrorKind::NoLocalOnShared, at));
            }
            topics.push(Subscription { filter, options });
        }
        if topics.is_empty() {
            return Err(DecodeError::new(
                DecodeErrorKind::SubscribeWithoutTopics,
                r.pos(),
            ));
        }
        Ok(Subscribe {
            pid,
            properties,
            topics,
        })
    }

    pub(crate) fn body_len(&self) -> Result<usize, EncodeError> {
        if self.topics.is_empty() {
            return Err(EncodeError::EmptySubscribe);
        }
        let mut len = 2 + properties::block_len(&self.properties, Holder::Subscribe)?;
        for t in &self.topics {
            len += check_len(FieldName::TopicFilter, t.filter.as_str().len())? + 1;
        }
        Ok(len)
    }

    pub(crate) fn write_body(&self, out: &mut Vec<u8>) {
        write_u16(out, self.pid.get());
        properties::write(out, &self.properties);
        for t in &self.topics {
            write_binary(out, t.filter.as_str().as_bytes());
            out.push(t.options.as_u8());
        }
    }
}

/// A 5.0 UNSUBSCRIBE.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Unsubscribe {
    /// The identifier the UNSUBACK echoes.
    pub pid: Pid,
    /// UNSUBSCRIBE properties, in wire order.
    pub properties: Vec<Property>,
    /// The filters, at least one (MQTT-3.10.3-2).
    pub filters: Vec<TopicFilter>,
}

impl Unsubscribe {
    pub(crate) fn decode_body(r: &mut Reader<'_>) -> Result<Unsubscribe, DecodeError> {
        let pid = r.pid()?;
        let properties = properties::read(r, Holder::Unsubscribe)?;
        let filters = unsubscribe::read_filters(r)?;
        Ok(Unsubscribe {
            pid,
            properties,
            filters,
        })
    }

    pub(crate) fn body_len(&self) -> Result<usize, EncodeError> {
        if self.filters.is_empty() {
            return Err(EncodeError::EmptyUnsubscribe);
        }
        let mut len = 2 + properties::block_len(&self.properties, Holder::Unsubscribe)?;
        for f in &self.filters {
            len += check_len(FieldName::TopicFilter, f.as_str().len())?;
        }
        Ok(len)
    }

    pub(crate) fn write_body(&self, out: &mut Vec<u8>) {
        write_u16(out, self.pid.get());
        properties::write(out, &self.properties);
        for f in &self.filters {
            write_binary(out, f.as_str().as_bytes());
        }
    }
}

macro_rules! ack_list {
    ($(#[$doc:meta])* $name:ident, $code:ident, $holder:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name {
            /// The request's identifier.
            pub pid: Pid,
            /// Properties, in wire order.
            pub properties: Vec<Property>,
            /// One reason code per filter of the request, in order.
            pub reasons: Vec<$code>,
        }

        impl $name {
            pub(crate) fn decode_body(r: &mut Reader<'_>) -> Result<$name, DecodeError> {
                let pid = r.pid()?;
                let properties = properties::read(r, Holder::$holder)?;
                let mut reasons = Vec::with_capacity(r.remaining());
                while !r.is_empty() {
                    let at = r.pos();
                    let b = r.u8(FieldName::ReasonCode)?;
                    reasons.push($code::from_u8(b).ok_or_else(|| DecodeError::new(
                        DecodeErrorKind::InvalidReasonCode {
                            packet_type: PacketType::$holder,
                            code: b,
                        },
                        at,
                    ))?);
                }
                if reasons.is_empty() {
                    return Err(DecodeError::new(
                        DecodeErrorKind::NoReasonCodes(PacketType::$holder),
                        r.pos(),
                    ));
                }
                Ok($name {
                    pid,
                    properties,
                    reasons,
                })
            }

            pub(crate) fn body_len(&self) -> Result<usize, EncodeError> {
                if self.reasons.is_empty() {
                    return Err(EncodeError::NoReasonCodes(PacketType::$holder));
                }
                Ok(2 + properties::block_len(&self.properties, Holder::$holder)?
                    + self.reasons.len())
            }

            pub(crate) fn write_body(&self, out: &mut Vec<u8>) {
                write_u16(out, self.pid.get());
                properties::write(out, &self.properties);
                out.extend(self.reasons.iter().map(|c| c.as_u8()));
            }
        }
    };
}

ack_list!(
    /// A 5.0 SUBACK.
    Suback,
    SubackReasonCode,
    Suback
);
ack_list!(
    /// A 5.0 UNSUBACK.
    Unsuback,
    UnsubackReasonCode,
    Unsuback
);

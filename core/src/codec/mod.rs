//! The MQTT wire format, levels 3 (3.1), 4 (3.1.1) and 5 (5.0, in [`v5`], with
//! [`properties`] and [`reason_codes`]): packet types, and (in the files named after them)
//! how each is decoded, encoded, summarised and dissected.
//!
//! - [`decode`] one packet from the front of a buffer, or feed a [`Decoder`] a byte
//!   stream in pieces of any size;
//! - [`Packet::encode`] appends a packet's exact bytes to a `Vec`;
//! - [`dissect()`] turns any bytes, valid or not, into a Wireshark-style tree of
//!   labelled byte ranges;
//! - `packet.to_string()` is a one-line summary (`PUBLISH q1 m7 topico`).
//!
//! Errors are typed and name the byte offset and the normative statement of the
//! standard they break ([`DecodeErrorKind::rule`]). No input makes any of these
//! functions panic.
//!
//! ```
//! use bytes::Bytes;
//! use mqttlab_core::codec::{decode, Packet, Pid, Publish, QosPid};
//! use mqttlab_core::topic::TopicName;
//!
//! // The course text's capture: QoS 1, retained, message id 1.
//! let publish = Packet::Publish(Publish {
//!     dup: false,
//!     qospid: QosPid::AtLeastOnce(Pid::new(1).unwrap()),
//!     retain: true,
//!     topic: TopicName::new("topico").unwrap(),
//!     payload: Bytes::from_static(b"mensagem"),
//! });
//! let mut bytes = Vec::new();
//! publish.encode(&mut bytes).unwrap();
//! assert_eq!(&bytes[..2], &[0x33, 18]);
//! assert_eq!(decode(&bytes, 1024).unwrap(), Some((publish.clone(), 20)));
//! assert_eq!(publish.to_string(), "PUBLISH q1 r1 m1 topico");
//! ```

mod connack;
mod connect;
pub mod convert;
mod decoder;
pub mod dissect;
mod error;
mod frame;
pub mod header;
mod packet;
pub mod properties;
mod publish;
mod qos;
pub mod reason_codes;
mod strings;
mod suback;
mod subscribe;
mod summary;
mod unsubscribe;
pub mod v5;
mod versioned;

#[cfg(test)]
mod golden;
#[cfg(test)]
mod malformed;

pub use connack::{Connack, ConnectReturnCode};
pub use connect::{Connect, LastWill, Login, Protocol};
pub use decoder::Decoder;
pub use dissect::{dissect, dissect_as, render, Field};
pub use error::{DecodeError, DecodeErrorKind, EncodeError, FieldName};
pub use frame::{decode, decode_frame, fixed_remaining_length};
pub use packet::{Packet, PacketType};
pub use publish::Publish;
pub use qos::{Pid, QoS, QosPid};
pub use suback::{Suback, SubackReturnCode};
pub use subscribe::{Subscribe, SubscribeTopic};
pub use unsubscribe::Unsubscribe;
pub use versioned::{connect_protocol, decode_any, AnyPacket};

//! The MQTT 3.1.1 wire format: packet types, and (in the files named after them)
//! how each is decoded, encoded and dissected.

mod connack;
mod connect;
mod packet;
mod publish;
mod qos;
mod suback;
mod subscribe;
mod unsubscribe;

pub use connack::{Connack, ConnectReturnCode};
pub use connect::{Connect, LastWill, Login, Protocol};
pub use packet::{Packet, PacketType};
pub use publish::Publish;
pub use qos::{Pid, QoS, QosPid};
pub use suback::{Suback, SubackReturnCode};
pub use subscribe::{Subscribe, SubscribeTopic};
pub use unsubscribe::Unsubscribe;

//! Authentication methods for MQTT 5.0 enhanced authentication (§4.12): the
//! challenge/response exchanges carried by CONNECT, AUTH and CONNACK.
//!
//! Each method is a pair of small sans-IO state machines, one per side, that take
//! the peer's Authentication Data and give the next message to send. They read no
//! clock and draw no randomness: nonces are arguments, which the driver gets from
//! its seeded generator (the simulator) or from the operating system (real
//! sockets).

pub mod nonce;
pub mod scram;

pub use nonce::NonceGen;
pub use scram::{
    Expected, ScramClient, ScramClientFinal, ScramCredentials, ScramError, ScramMessage,
    ScramServer, SCRAM_SHA_256,
};

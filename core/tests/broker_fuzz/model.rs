//! What the clients on the other side of the broker know, by MQTT 3.1.1's rules
//! (not by the broker's code): for every client identifier, the packet ids the
//! broker is waiting on and at which stage, the QoS 2 ids the client holds
//! (method B, §4.3.3) and the messages it has handed to its application; for
//! every connection, the acknowledgements it owes and what it asked for.

use std::collections::{BTreeMap, BTreeSet};

use mqttlab_core::codec::{Decoder, Packet};

/// How a client treats what the broker sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Acknowledges every PUBLISH and PUBREL.
    Honest,
    /// Reads everything, acknowledges nothing.
    NeverAcks,
    /// Acknowledges, but forgets some acknowledgements and sends wrong ones.
    Sloppy,
}

/// Where a delivery from the broker stands, as the client sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// QoS 1 PUBLISH received, PUBACK not sent.
    Puback,
    /// QoS 2 PUBLISH received, PUBREC not sent.
    Pubrec,
    /// PUBREC sent, PUBCOMP not sent.
    Pubcomp,
}

/// One client identifier's session, from the client's side. Reset when a
/// CONNACK says no session was present.
#[derive(Debug, Clone, Default)]
pub struct SessionModel {
    /// Deliveries the broker waits on, by packet id.
    pub outstanding: BTreeMap<u16, Stage>,
    /// Their payload lengths.
    pub outstanding_bytes: BTreeMap<u16, usize>,
    /// QoS 2 ids received and not yet released by PUBREL.
    pub held_qos2: BTreeSet<u16>,
    /// Payload ids handed to the application (non-retained deliveries).
    pub delivered: BTreeSet<u64>,
}

impl SessionModel {
    /// The client sent `ack`: the broker's window moves as the standard says.
    pub fn client_sent(&mut self, ack: &Packet) {
        match ack {
            Packet::Puback(id) if self.outstanding.get(&id.get()) == Some(&Stage::Puback) => {
                self.outstanding.remove(&id.get());
                self.outstanding_bytes.remove(&id.get());
            }
            Packet::Pubrec(id) if self.outstanding.get(&id.get()) == Some(&Stage::Pubrec) => {
                self.outstanding.insert(id.get(), Stage::Pubcomp);
            }
            Packet::Pubcomp(id) if self.outstanding.get(&id.get()) == Some(&Stage::Pubcomp) => {
                self.outstanding.remove(&id.get());
                self.outstanding_bytes.remove(&id.get());
            }
            _ => {}
        }
    }
}

/// One connection, from the client's side.
#[derive(Debug)]
pub struct ClientConn {
    pub behaviour: Behaviour,
    /// Whether a CONNECT was sent on it.
    pub connect_sent: bool,
    /// The client identifier, once a CONNACK 0 came (the broker's, if assigned).
    pub client_id: Option<String>,
    /// Whether the connection was refused (a CONNACK other than 0).
    pub refused: bool,
    /// Decodes what the broker sends.
    pub decoder: Decoder,
    /// Acknowledgements owed to the broker, in order.
    pub owed: Vec<Packet>,
    /// The next packet id it publishes or subscribes with.
    pub next_pid: u16,
    /// SUBSCRIBE/UNSUBSCRIBE ids waiting for SUBACK/UNSUBACK (with the number
    /// of filters of a SUBSCRIBE).
    pub pending_sub: BTreeMap<u16, usize>,
    pub pending_unsub: BTreeSet<u16>,
    /// QoS 1 PUBLISHes sent, and PUBACKs received.
    pub qos1_sent: u64,
    pub pubacks: u64,
    /// QoS 2 PUBLISHes sent, and PUBRECs received.
    pub qos2_sent: u64,
    pub pubrecs: u64,
    /// The last QoS 2 PUBLISH sent, to send again with DUP=1.
    pub last_qos2: Option<Packet>,
    /// Whether a CONNACK came.
    pub connacked: bool,
    /// Whether it stopped reading: its transport takes nothing (with the
    /// broker's socket feedback), and it acknowledges nothing.
    pub stalled: bool,
    /// Bytes the broker transmitted that its transport has not taken.
    pub unsent: u64,
}

impl ClientConn {
    pub fn new(behaviour: Behaviour) -> Self {
        ClientConn {
            behaviour,
            connect_sent: false,
            client_id: None,
            refused: false,
            decoder: Decoder::new(usize::MAX >> 1),
            owed: Vec::new(),
            next_pid: 1,
            pending_sub: BTreeMap::new(),
            pending_unsub: BTreeSet::new(),
            qos1_sent: 0,
            pubacks: 0,
            qos2_sent: 0,
            pubrecs: 0,
            last_qos2: None,
            connacked: false,
            stalled: false,
            unsent: 0,
        }
    }

    /// A fresh packet id for this connection.
    pub fn pid(&mut self) -> u16 {
        let id = self.next_pid;
        self.next_pid = self.next_pid % 65535 + 1;
        id
    }
}

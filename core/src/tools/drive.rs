//! The tool's client actions performed on a core [`Client`], once for every
//! driver: what is left needs I/O (open a transport, read a file or standard
//! input, close without DISCONNECT).

use crate::client::{Client, ClientEvent, DisconnectReason, Transmit, MAX_PACKET_SIZE};
use crate::codec::{self, AnyPacket, Protocol};
use crate::time::Instant;

use super::{Action, Tool};

/// Performs the tool's pending SUBSCRIBE, UNSUBSCRIBE, PUBLISH and DISCONNECT on
/// `client`, feeding results back, until the tool asks for nothing more of the
/// client. Returns, in order, the actions only the driver can perform:
/// [`Action::Connect`], [`Action::ReadFile`], [`Action::ReadStdin`],
/// [`Action::ReadStdinLines`] and [`Action::Abort`].
pub fn apply(tool: &mut Tool, client: &mut Client, now: Instant) -> Vec<Action> {
    let mut io = Vec::new();
    while let Some(a) = tool.poll_action() {
        match a {
            Action::Subscribe {
                filters,
                properties,
            } => {
                let f: Vec<(&str, _)> = filters.iter().map(|(t, o)| (t.as_str(), *o)).collect();
                // The filters and properties were checked when the command
                // line was parsed.
                let _ = client.subscribe_with(now, &f, properties);
            }
            Action::Unsubscribe { filter, properties } => {
                let _ = client.unsubscribe_with(now, &[filter.as_str()], properties);
            }
            Action::Publish {
                topic,
                payload,
                qos,
                retain,
                properties,
            } => {
                let r = client.publish_with(now, &topic, payload, qos, retain, properties);
                tool.handle_publish_result(now, r);
            }
            Action::Disconnect => {
                // Nothing to end (between reconnects): the loop stops at once,
                // as libmosquitto's does after `mosquitto_disconnect`.
                let props = tool.disconnect_properties();
                if client.disconnect_with(now, None, props).is_err() {
                    tool.handle_event(
                        now,
                        &ClientEvent::Disconnected {
                            reason: DisconnectReason::Requested,
                        },
                    );
                }
            }
            other => io.push(other),
        }
    }
    io
}

/// What a driver with a real transport (a socket, a WebSocket) must do next,
/// from [`run`], in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// An action only the driver can perform (see [`apply`]).
    Io(Action),
    /// Write these bytes (the tool has already printed the packet's `-d` line).
    Send(Transmit),
    /// The client is done with the connection: close the transport once what
    /// came before is written.
    Close,
}

/// Runs the tool and its client until neither has anything more to say:
/// performs the client's actions, reports each packet sent to the tool (`-d`),
/// feeds it every client event. Returns what the driver must do, in order.
pub fn run(tool: &mut Tool, client: &mut Client, now: Instant) -> Vec<Step> {
    let mut steps = Vec::new();
    loop {
        let mut progress = false;
        for a in apply(tool, client, now) {
            progress = true;
            steps.push(Step::Io(a));
        }
        while let Some(t) = client.poll_transmit() {
            progress = true;
            tool.handle_sent_as(now, &t.packet, t.v5.as_deref());
            steps.push(Step::Send(t));
        }
        while let Some(ev) = client.poll_event() {
            progress = true;
            let closed = matches!(ev, ClientEvent::Disconnected { .. });
            tool.handle_event(now, &ev);
            if closed {
                steps.push(Step::Close);
            }
        }
        if !progress {
            return steps;
        }
    }
}

/// A whole packet received with its bytes, or every byte left when they do not
/// decode (the client then reports the malformed packet itself).
pub type Frame = Result<(AnyPacket, Vec<u8>), Vec<u8>>;

/// Received bytes cut into whole packets, so that a driver feeds its client one
/// packet at a time and the tool's `-d` line for each comes before what the
/// packet causes, as in libmosquitto. Packets are read at the level of the
/// connection ([`Frames::set_protocol`]; 3.1.1 until told).
#[derive(Debug, Default)]
pub struct Frames {
    buf: Vec<u8>,
    protocol: Option<Protocol>,
}

impl Frames {
    /// The level the connection speaks (from its [`Action::Connect`] options).
    pub fn set_protocol(&mut self, protocol: Protocol) {
        self.protocol = Some(protocol);
    }

    /// Bytes from the transport.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next whole packet and its bytes (see [`Frame`]).
    pub fn next_frame(&mut self) -> Option<Frame> {
        let protocol = Some(self.protocol.unwrap_or(Protocol::V311));
        match codec::decode_any(&self.buf, MAX_PACKET_SIZE, protocol) {
            Ok(Some((packet, used))) => {
                let bytes: Vec<u8> = self.buf.drain(..used).collect();
                Some(Ok((packet, bytes)))
            }
            Ok(None) => None,
            Err(_) => Some(Err(std::mem::take(&mut self.buf))),
        }
    }

    /// Forgets a partial packet (a new connection).
    pub fn clear(&mut self) {
        self.buf.clear();
    }
}

/// Feeds one frame from [`Frames::next_frame`] to the tool (`-d`) and the client.
pub fn receive(tool: &mut Tool, client: &mut Client, now: Instant, frame: Frame) {
    match frame {
        Ok((packet, bytes)) => {
            tool.handle_received_any(now, &packet);
            client.handle_bytes(now, &bytes);
        }
        Err(bytes) => client.handle_bytes(now, &bytes),
    }
}

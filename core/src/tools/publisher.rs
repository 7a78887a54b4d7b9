//! `mosquitto_pub` 2.0.11 (`client/pub_client.c`): read the message (`-m`, `-n`,
//! `-f`, `-s`, or `-l` line by line), connect, publish it `--repeat` times, each
//! after the previous one completed and `--repeat-delay` passed, then DISCONNECT.
//!
//! One known difference: a lost connection is reconnected a second later (only
//! what is unacknowledged is sent again, by the client's session), where the
//! real loop (`mosquitto_loop` in `pub_other_loop`) returns the error and the
//! program ends. The `dropped-puback` lab shows MQTT 3.1.1's resend on
//! reconnection with this behaviour; it stays until that lab has another client
//! to show it with.

use std::collections::VecDeque;

use crate::client::{ClientError, ClientEvent, DisconnectReason};
use crate::codec::{PacketType, Pid};
use crate::time::Instant;

use super::cli::{MessageSource, PubArgs};
use super::io::{Io, Timer, RECONNECT_DELAY};
use super::{Action, InputError, TransportError};

#[derive(Debug, Clone)]
pub(super) struct Publisher {
    args: PubArgs,
    /// The message, once read (`None` for `-l`, or while `-f`/`-s` is read).
    message: Option<Vec<u8>>,
    publish_count: u32,
    /// QoS 1/2 messages not yet acknowledged.
    outstanding: usize,
    /// Publishes asked of the driver whose result has not come back yet: until
    /// it has, a QoS 1/2 message is in neither count, and `-l` must not take
    /// "nothing outstanding" for "all done".
    unanswered: usize,
    /// `-l`: lines read before CONNACK, whether standard input ended, and
    /// whether any line was published.
    lines: VecDeque<Vec<u8>>,
    stdin_done: bool,
    any_sent: bool,
    disconnect_sent: bool,
    connack_result: i32,
}

impl Publisher {
    pub fn new(args: PubArgs) -> Publisher {
        Publisher {
            args,
            message: None,
            publish_count: 0,
            outstanding: 0,
            lines: VecDeque::new(),
            stdin_done: false,
            unanswered: 0,
            any_sent: false,
            disconnect_sent: false,
            connack_result: 0,
        }
    }

    fn lines_mode(&self) -> bool {
        self.args.message == MessageSource::Lines
    }

    pub fn start(&mut self, io: &mut Io, _now: Instant) {
        match &self.args.message {
            MessageSource::Text(t) => {
                self.message = Some(t.clone());
                io.connect();
            }
            MessageSource::Null => {
                self.message = Some(Vec::new());
                io.connect();
            }
            // Read before connecting, as mosquitto_pub does.
            MessageSource::File(f) => io.actions.push_back(Action::ReadFile(f.clone())),
            MessageSource::Stdin => io.actions.push_back(Action::ReadStdin),
            MessageSource::Lines => {
                io.connect();
                io.actions.push_back(Action::ReadStdinLines);
            }
        }
    }

    pub fn on_input(&mut self, io: &mut Io, _now: Instant, r: Result<Vec<u8>, InputError>) {
        if io.exit.is_some() || self.message.is_some() {
            return;
        }
        match (r, &self.args.message) {
            (Ok(bytes), _) => {
                self.message = Some(bytes);
                io.connect();
            }
            (Err(e), MessageSource::File(f)) => {
                let f = f.clone();
                if e == InputError::Open {
                    io.err(format!("Error: Unable to open file \"{f}\"."));
                }
                io.err(format!("Error loading input file \"{f}\"."));
                io.finish(1);
            }
            (Err(_), _) => {
                io.err("Error loading input from stdin.");
                io.finish(1);
            }
        }
    }

    fn publish(&mut self, io: &mut Io, payload: Vec<u8>) {
        self.any_sent = true;
        self.unanswered += 1;
        let c = &self.args.common;
        // Under 3.1.1 (`-D` before `-V 311`) the client refuses them, as
        // mosquitto_publish_v5 does.
        let properties = c.properties.publish.clone();
        io.actions.push_back(Action::Publish {
            topic: self.args.topic.clone(),
            payload,
            qos: c.qos,
            retain: self.args.retain,
            properties,
        });
    }

    fn publish_message(&mut self, io: &mut Io) {
        let m = self.message.clone().unwrap_or_default();
        self.publish(io, m);
    }

    fn disconnect(&mut self, io: &mut Io) {
        if !self.disconnect_sent {
            self.disconnect_sent = true;
            io.actions.push_back(Action::Disconnect);
        }
    }

    pub fn on_event(&mut self, io: &mut Io, now: Instant, ev: &ClientEvent) {
        match ev {
            ClientEvent::Connected { .. } => {
                io.first_connect = false;
                let again = io.connack_received;
                io.connack_received = true;
                io.connected = true;
                if again {
                    // Reconnected: the session resends what is unacknowledged;
                    // the repeats go on from there.
                    if self.outstanding == 0
                        && self.publish_count > 0
                        && self.publish_count < self.args.repeat
                    {
                        io.set_timer(Timer::Repeat, now);
                    }
                    if self.lines_mode() {
                        while let Some(l) = self.lines.pop_front() {
                            self.publish(io, l);
                        }
                        self.check_lines_done(io);
                    }
                } else if self.lines_mode() {
                    while let Some(l) = self.lines.pop_front() {
                        self.publish(io, l);
                    }
                    self.check_lines_done(io);
                } else {
                    self.publish_message(io);
                }
            }
            ClientEvent::ConnectionRefused(code) => {
                self.connack_result = io.refused(*code);
            }
            ClientEvent::ConnectionRefusedV5(code) => {
                self.connack_result = io.refused_v5(code.as_u8());
            }
            // my_publish_callback under 5.0: a failed PUBACK/PUBREC still
            // counts as published, with a warning.
            ClientEvent::Acknowledged {
                packet: PacketType::Puback | PacketType::Pubrec,
                pid,
                codes,
                ..
            } => {
                if let Some(c) = codes.first().filter(|c| **c >= 0x80) {
                    io.err(format!(
                        "Warning: Publish {pid} failed: {}.",
                        super::debug::reason_string(*c)
                    ));
                }
            }
            ClientEvent::Published { .. } => {
                self.outstanding = self.outstanding.saturating_sub(1);
                self.on_published(io, now);
            }
            ClientEvent::Disconnected { reason } => {
                io.connected = false;
                match reason {
                    DisconnectReason::Requested => io.finish(self.connack_result),
                    DisconnectReason::Refused(_) | DisconnectReason::RefusedV5(_) => {
                        io.finish(self.connack_result)
                    }
                    _ => io.set_timer(Timer::Reconnect, now + RECONNECT_DELAY),
                }
            }
            _ => {}
        }
    }

    pub fn on_publish_result(
        &mut self,
        io: &mut Io,
        now: Instant,
        r: Result<Option<Pid>, ClientError>,
    ) {
        self.unanswered = self.unanswered.saturating_sub(1);
        match r {
            Ok(Some(_)) => self.outstanding += 1,
            // libmosquitto reports a QoS 0 message published once it is written.
            Ok(None) => self.on_published(io, now),
            Err(e) => {
                if let Some(m) = publish_error(&e) {
                    io.err(format!("Error: {m}"));
                }
                self.disconnect(io);
            }
        }
    }

    /// `my_publish_callback`.
    fn on_published(&mut self, io: &mut Io, now: Instant) {
        self.publish_count += 1;
        if self.lines_mode() {
            self.check_lines_done(io);
        } else if self.publish_count < self.args.repeat {
            io.set_timer(Timer::Repeat, now + self.args.repeat_delay);
        } else {
            self.disconnect(io);
        }
    }

    /// `-l`: at the end of standard input, DISCONNECT once the last message is
    /// done (at once if there was none).
    fn check_lines_done(&mut self, io: &mut Io) {
        if self.stdin_done
            && io.connected
            && self.unanswered == 0
            && (!self.any_sent || self.outstanding == 0)
        {
            self.disconnect(io);
        }
    }

    pub fn on_line(&mut self, io: &mut Io, _now: Instant, line: Option<Vec<u8>>) {
        match line {
            Some(l) if io.connected => self.publish(io, l),
            Some(l) => self.lines.push_back(l),
            None => {
                self.stdin_done = true;
                self.check_lines_done(io);
            }
        }
    }

    pub fn on_connect_failed(&mut self, io: &mut Io, now: Instant, e: &TransportError) {
        if !io.first_connect_failed(e) {
            io.set_timer(Timer::Reconnect, now + RECONNECT_DELAY);
        }
    }

    /// mosquitto_pub 2.0.11 sets no SIGINT handler: Ctrl-C kills it (the shell
    /// shows 130), and the kernel closes its socket without DISCONNECT, connected
    /// or not (tests/tests/tools_diff.rs, case publisher-ctrl-c, sends SIGINT to
    /// the real tool). Beware of checking it with `mosquitto_pub ... &` and `kill
    /// -INT`: a non-interactive shell starts background jobs with SIGINT
    /// ignored, so that pub carries on and ends with DISCONNECT.
    pub fn on_timer(&mut self, io: &mut Io, _now: Instant, t: Timer) {
        match t {
            Timer::Repeat if io.connected => self.publish_message(io),
            Timer::Reconnect => io.connect(),
            _ => {}
        }
    }
}

/// What mosquitto_pub says when a publish is refused before it is sent
/// (nothing for MOSQ_ERR_NOT_SUPPORTED: properties under 3.1.1).
fn publish_error(e: &ClientError) -> Option<&'static str> {
    Some(match e {
        ClientError::NeedsV5 => return None,
        ClientError::PacketTooLarge { .. } => "Message payload is too large.",
        ClientError::NotConnected => "Client not connected when trying to publish.",
        ClientError::InvalidTopic(_) | ClientError::TopicAliasInvalid { .. } => {
            "Invalid input. Does your topic contain '+' or '#'?"
        }
        ClientError::QosNotSupported { .. } => {
            "Message QoS not supported on broker, try a lower QoS."
        }
        _ => "Out of memory when trying to publish message.",
    })
}

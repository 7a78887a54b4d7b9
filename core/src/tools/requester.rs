//! `mosquitto_rr` 2.0.11 (`client/rr_client.c`): read the request (`-m`, `-n`,
//! `-f`, `-s`), connect (MQTT 5.0 unless `-V` says otherwise), subscribe to
//! the response topic (`-e`), and once the SUBACK grants it publish the
//! request with that topic as its Response Topic; print the first message on
//! the response topic as `mosquitto_sub` would and end, without DISCONNECT
//! (the real tool destroys its client). `-W` ends it with "Timed out".

use crate::client::{ClientError, ClientEvent, DisconnectReason};
use crate::codec::{PacketType, Pid, Protocol, SubackReturnCode};
use crate::time::Instant;

use super::cli::{MessageSource, RrArgs};
use super::debug::reason_string;
use super::io::{Io, Timer};
use super::{format, Action, InputError, TransportError, EXIT_TIMED_OUT};

/// `MOSQ_ERR_CONN_LOST`, what `mosquitto_loop` returns when the broker goes.
const EXIT_CONN_LOST: i32 = 7;

#[derive(Debug, Clone)]
pub(super) struct Requester {
    args: RrArgs,
    message: Option<Vec<u8>>,
    /// The request went out; what arrives now is the response.
    published: bool,
    done: bool,
    timed_out: bool,
    connack_result: i32,
    /// A 5.0 SUBACK's first reason code.
    suback_code: Option<u8>,
}

impl Requester {
    pub fn new(args: RrArgs) -> Requester {
        Requester {
            args,
            message: None,
            published: false,
            done: false,
            timed_out: false,
            connack_result: 0,
            suback_code: None,
        }
    }

    pub fn start(&mut self, io: &mut Io, now: Instant) {
        match &self.args.message {
            MessageSource::Text(t) => {
                self.message = Some(t.clone());
                self.connect(io, now);
            }
            MessageSource::Null | MessageSource::Lines => {
                self.message = Some(Vec::new());
                self.connect(io, now);
            }
            MessageSource::File(f) => io.actions.push_back(Action::ReadFile(f.clone())),
            MessageSource::Stdin => io.actions.push_back(Action::ReadStdin),
        }
    }

    fn connect(&mut self, io: &mut Io, now: Instant) {
        io.connect();
        if let Some(w) = self.args.output.timeout {
            io.set_timer(
                Timer::Alarm,
                now + core::time::Duration::from_secs(u64::from(w)),
            );
        }
    }

    pub fn on_input(&mut self, io: &mut Io, now: Instant, r: Result<Vec<u8>, InputError>) {
        if io.exit.is_some() || self.message.is_some() {
            return;
        }
        match (r, &self.args.message) {
            (Ok(bytes), _) => {
                self.message = Some(bytes);
                self.connect(io, now);
            }
            (Err(_), MessageSource::File(f)) => {
                let f = f.clone();
                io.err(format!("Error loading input file \"{f}\"."));
                io.finish(1);
            }
            (Err(_), _) => {
                io.err("Error loading input from stdin.");
                io.finish(1);
            }
        }
    }

    pub fn on_event(&mut self, io: &mut Io, _now: Instant, ev: &ClientEvent) {
        match ev {
            ClientEvent::Connected { .. } => {
                io.first_connect = false;
                io.connack_received = true;
                io.connected = true;
                let a = &self.args;
                io.actions.push_back(super::subscriber::subscribe_action(
                    &a.common,
                    std::slice::from_ref(&a.response_topic),
                    a.output.no_retained,
                    a.output.retain_as_published,
                ));
            }
            ClientEvent::ConnectionRefused(code) => {
                self.connack_result = io.refused(*code);
            }
            ClientEvent::ConnectionRefusedV5(code) => {
                self.connack_result = io.refused_v5(code.as_u8());
            }
            ClientEvent::Acknowledged {
                packet: PacketType::Suback,
                codes,
                ..
            } => self.suback_code = codes.first().copied(),
            // my_subscribe_callback: granted, the request goes out; refused,
            // the reason is printed and the program ends.
            ClientEvent::Subscribed { granted, .. } => {
                let code = self.suback_code.take();
                if granted.first() == Some(&SubackReturnCode::Failure) {
                    let c = code.unwrap_or(0x80);
                    io.err(reason_string(c));
                    io.actions.push_back(Action::Disconnect);
                } else if !self.published {
                    self.published = true;
                    let c = &self.args.common;
                    io.actions.push_back(Action::Publish {
                        topic: self.args.topic.clone(),
                        payload: self.message.clone().unwrap_or_default(),
                        qos: c.qos,
                        retain: false,
                        properties: if c.protocol == Protocol::V5 {
                            c.properties.publish.clone()
                        } else {
                            Vec::new()
                        },
                    });
                }
            }
            ClientEvent::Message(m) => {
                if self.done || (m.retain && self.args.output.no_retained) {
                    return;
                }
                let bytes = format::render_with(&self.args.output, m, &m.properties, io.epoch);
                io.stdout(bytes);
                // rr_s_disconnect: the loop ends and the client is destroyed.
                self.done = true;
                io.actions.push_back(Action::Abort);
                io.finish(self.connack_result);
            }
            ClientEvent::Disconnected { reason } => {
                io.connected = false;
                match reason {
                    DisconnectReason::Requested => {
                        if self.timed_out {
                            io.err("Timed out");
                            io.finish(EXIT_TIMED_OUT);
                        } else {
                            io.finish(self.connack_result);
                        }
                    }
                    DisconnectReason::Refused(_) | DisconnectReason::RefusedV5(_) => {
                        io.finish(self.connack_result)
                    }
                    _ => {
                        io.err("Error: The connection was lost.");
                        io.finish(EXIT_CONN_LOST);
                    }
                }
            }
            _ => {}
        }
    }

    pub fn on_publish_result(
        &mut self,
        io: &mut Io,
        _now: Instant,
        r: Result<Option<Pid>, ClientError>,
    ) {
        if let Err(e) = r {
            io.err(format!("Error: {e}"));
            io.actions.push_back(Action::Disconnect);
        }
    }

    pub fn on_connect_failed(&mut self, io: &mut Io, _now: Instant, e: &TransportError) {
        io.first_connect_failed(e);
        if io.exit.is_none() {
            io.finish(1);
        }
    }

    /// rr sets no SIGINT handler: Ctrl-C kills it.
    pub fn on_timer(&mut self, io: &mut Io, _now: Instant, t: Timer) {
        if t == Timer::Alarm {
            // my_signal_handler: SIGALRM disconnects and reports the timeout.
            self.timed_out = true;
            if io.connected {
                io.actions.push_back(Action::Disconnect);
            } else {
                io.err("Timed out");
                io.finish(EXIT_TIMED_OUT);
            }
        }
    }
}

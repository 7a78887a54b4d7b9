//! What both tools share: their flags, client id, `-d` lines, queues of actions
//! and output, timers and exit code.

use std::collections::VecDeque;

use core::time::Duration;

use crate::codec::Packet;
use crate::time::Instant;

use super::cli::CommonArgs;
use super::debug::{self, MessageIds, Stream};
use super::{Action, Output, TransportError};

/// A tool's deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Timer {
    /// `mosquitto_sub -W` (SIGALRM).
    Alarm,
    /// libmosquitto's loop reconnecting after a lost connection.
    Reconnect,
    /// `mosquitto_pub --repeat-delay`.
    Repeat,
}

const TIMERS: [Timer; 3] = [Timer::Alarm, Timer::Reconnect, Timer::Repeat];

/// libmosquitto's `reconnect_delay` (1 s, no back-off) in `mosquitto_loop_forever`.
pub(super) const RECONNECT_DELAY: Duration = Duration::from_secs(1);

#[derive(Debug, Clone)]
pub(super) struct Io {
    pub common: CommonArgs,
    pub client_id: String,
    pub actions: VecDeque<Action>,
    pub outputs: VecDeque<Output>,
    pub exit: Option<i32>,
    pub epoch: u64,
    /// Whether a CONNACK ever accepted a connection.
    pub connack_received: bool,
    /// Whether the current connection is accepted.
    pub connected: bool,
    /// Whether the first connection (the tools' `client_connect`) is still to be
    /// opened: its failure ends the program.
    pub first_connect: bool,
    /// `mosquitto_sub` (its refusal lines differ).
    pub sub: bool,
    ids: MessageIds,
    timers: [Option<Instant>; 3],
}

impl Io {
    pub fn new(common: CommonArgs, client_id: String, sub: bool) -> Io {
        Io {
            common,
            client_id,
            actions: VecDeque::new(),
            outputs: VecDeque::new(),
            exit: None,
            epoch: 0,
            connack_received: false,
            connected: false,
            first_connect: true,
            sub,
            ids: MessageIds::default(),
            timers: [None; 3],
        }
    }

    pub fn quiet(&self) -> bool {
        self.common.quiet
    }

    /// Writes bytes to standard output.
    pub fn stdout(&mut self, bytes: Vec<u8>) {
        if !bytes.is_empty() {
            self.outputs.push_back(Output {
                stream: Stream::Stdout,
                bytes,
            });
        }
    }

    /// Writes a line to `stream`.
    pub fn line(&mut self, stream: Stream, text: impl Into<String>) {
        let mut bytes = text.into().into_bytes();
        bytes.push(b'\n');
        self.outputs.push_back(Output { stream, bytes });
    }

    /// `err_printf`: a line on standard error, unless `--quiet`.
    pub fn err(&mut self, text: impl Into<String>) {
        if !self.quiet() {
            self.line(Stream::Stderr, text);
        }
    }

    /// Asks for the connection (again). Properties under MQTT 3.1/3.1.1 (a
    /// `-D` before `-V 311`) stop the program first, as libmosquitto refuses
    /// them (`mosquitto_will_set_v5`, then `mosquitto_connect_bind_v5`).
    pub fn connect(&mut self) {
        if self.first_connect && self.common.protocol != crate::codec::Protocol::V5 {
            let refusal = if !self.common.properties.will.is_empty() && self.common.will.is_some() {
                Some("Error: Problem setting will.")
            } else if !self.common.properties.connect.is_empty() {
                Some("Unable to connect (This feature is not supported.).")
            } else {
                None
            };
            if let Some(r) = refusal {
                self.err(r);
                self.finish(1);
                return;
            }
        }
        let mut opts = self.common.connect_options(0);
        opts.client_id = self.client_id.clone();
        // libmosquitto reconnects with the identifier the broker assigned.
        self.actions.push_back(Action::Connect(Box::new(opts)));
    }

    /// The transport could not be opened: on the first connection the tools
    /// print why and exit 1; `true` if that happened.
    pub fn first_connect_failed(&mut self, error: &TransportError) -> bool {
        if !self.first_connect {
            return false;
        }
        self.err(error.line());
        self.finish(1);
        true
    }

    /// The program ends with `code`.
    pub fn finish(&mut self, code: i32) {
        self.exit = Some(code);
        self.timers = [None; 3];
    }

    pub fn set_timer(&mut self, t: Timer, at: Instant) {
        self.timers[t as usize] = Some(at);
    }

    pub fn next_timer(&self) -> Option<Instant> {
        self.timers.iter().flatten().min().copied()
    }

    /// The timers due at `now`, stopped, in a fixed order.
    pub fn expired(&mut self, now: Instant) -> Vec<Timer> {
        let mut due = Vec::new();
        for t in TIMERS {
            if self.timers[t as usize].is_some_and(|at| at <= now) {
                self.timers[t as usize] = None;
                due.push(t);
            }
        }
        due
    }

    /// `-d`: libmosquitto's log line for a packet sent (`v5`: as it went
    /// out on a 5.0 connection).
    pub fn on_sent(&mut self, packet: &Packet, v5: Option<&crate::codec::v5::Packet>) {
        if self.common.debug {
            let lines = match v5 {
                Some(v) => debug::sent_lines_v5(&self.client_id, packet, v, &mut self.ids),
                None => debug::sent_lines_numbered(&self.client_id, packet, &mut self.ids),
            };
            for l in lines {
                self.line(Stream::Stdout, l);
            }
        }
    }

    /// A 5.0 packet received: an Assigned Client Identifier names us from
    /// now on (libmosquitto adopts it before it logs the CONNACK); `-d`.
    pub fn on_received_v5(&mut self, packet: &crate::codec::v5::Packet) {
        use crate::codec::properties::Property;
        if let crate::codec::v5::Packet::Connack(c) = packet {
            for p in &c.properties {
                if let Property::AssignedClientIdentifier(id) = p {
                    self.client_id = id.0.clone();
                }
            }
        }
        if self.common.debug {
            if let Some(l) = debug::received_line_v5(&self.client_id, packet) {
                self.line(Stream::Stdout, l);
            }
        }
    }

    /// A 5.0 CONNACK refused: what the tool prints; the exit code (the
    /// reason code). The first connection attempt is over.
    pub fn refused_v5(&mut self, code: u8) -> i32 {
        self.first_connect = false;
        let c = &self.common;
        let lines = debug::refusal_lines_v5(self.sub, code, &self.client_id, c.debug, c.quiet);
        for (stream, l) in lines {
            self.line(stream, l);
        }
        i32::from(code)
    }

    /// `-d`: libmosquitto's log line for a packet received.
    pub fn on_received(&mut self, packet: &Packet) {
        if self.common.debug {
            let l = debug::received_line_as(&self.client_id, self.common.protocol, packet);
            self.line(Stream::Stdout, l);
        }
    }

    /// CONNACK refused: what the tool prints, and the exit code it will have.
    /// The first connection attempt is over.
    pub fn refused(&mut self, code: crate::codec::ConnectReturnCode) -> i32 {
        self.first_connect = false;
        let c = &self.common;
        let lines = debug::refusal_lines(
            self.sub,
            c.protocol,
            code,
            &self.client_id,
            c.debug,
            c.quiet,
        );
        let shown = debug::connack_code_shown(c.protocol, code);
        for (stream, l) in lines {
            self.line(stream, l);
        }
        i32::from(shown)
    }
}

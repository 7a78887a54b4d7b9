//! `mosquitto_sub` 2.0.11 (`client/sub_client.c`): subscribe on every connection,
//! print what arrives, stop after `-C`, `-W`, `-E`, `--retained-only` or Ctrl-C;
//! `mosquitto_loop_forever` reconnects a lost connection every second.

use crate::client::{ClientError, ClientEvent, DisconnectReason, Message};
use crate::codec::v5::{RetainHandling, SubscriptionOptions};
use crate::codec::{Packet, PacketType, Pid, Protocol, QoS, SubackReturnCode};
use crate::time::Instant;
use crate::topic;

use super::cli::SubArgs;
use super::debug::{subscribed_line, Stream};
use super::io::{Io, Timer, RECONNECT_DELAY};
use super::{format, Action, TransportError, EXIT_MINUS_ONE, EXIT_TIMED_OUT};

#[derive(Debug, Clone)]
pub(super) struct Subscriber {
    args: SubArgs,
    /// `process_messages`: false once the program is stopping.
    process_messages: bool,
    msg_count: u32,
    /// `last_mid`: the last `--remove-retained` PUBLISH, whose PUBACK the
    /// program waits for before it disconnects.
    last_mid: Option<Pid>,
    timed_out: bool,
    /// Printed after the DISCONNECT (`All subscription requests were denied.`).
    after_disconnect: Option<String>,
    connack_result: i32,
    /// `--remove-retained`: the message's output, written once the PUBLISH that
    /// clears it has gone out (mosquitto_publish writes it before
    /// print_message runs).
    print_after_send: Option<Vec<u8>>,
    /// A 5.0 SUBACK's reason codes, which `-d` prints as they are.
    suback_codes: Option<Vec<u8>>,
}

/// The SUBSCRIBE a tool sends on each connection: its filters at `-q`, with
/// 5.0's options (`-R`: Retain Handling 2, `--retain-as-published`) and
/// `-D subscribe` properties.
pub(super) fn subscribe_action(
    c: &super::cli::CommonArgs,
    topics: &[String],
    no_retained: bool,
    retain_as_published: bool,
) -> Action {
    let v5 = c.protocol == Protocol::V5;
    let mut o = SubscriptionOptions::qos(c.qos);
    if v5 {
        o.retain_as_published = retain_as_published;
        if no_retained {
            o.retain_handling = RetainHandling::DoNotSend;
        }
    }
    // Under 3.1.1 (`-D` before `-V 311`) the client refuses the properties
    // and nothing is sent, as with mosquitto_subscribe_multiple.
    Action::Subscribe {
        filters: topics.iter().map(|t| (t.clone(), o)).collect(),
        properties: c.properties.subscribe.clone(),
    }
}

impl Subscriber {
    pub fn new(args: SubArgs) -> Subscriber {
        Subscriber {
            args,
            process_messages: true,
            msg_count: 0,
            last_mid: None,
            timed_out: false,
            after_disconnect: None,
            print_after_send: None,
            connack_result: 0,
            suback_codes: None,
        }
    }

    pub fn start(&mut self, io: &mut Io, now: Instant) {
        io.connect();
        // alarm(timeout) right after the first connection is opened.
        if let Some(w) = self.args.timeout {
            io.set_timer(
                Timer::Alarm,
                now + core::time::Duration::from_secs(u64::from(w)),
            );
        }
    }

    pub fn on_event(&mut self, io: &mut Io, now: Instant, ev: &ClientEvent) {
        match ev {
            ClientEvent::Connected { .. } => {
                io.first_connect = false;
                io.connack_received = true;
                io.connected = true;
                // my_connect_callback: every connection subscribes again.
                let a = &self.args;
                io.actions.push_back(subscribe_action(
                    &a.common,
                    &a.topics,
                    a.no_retained,
                    a.retain_as_published,
                ));
                for u in &a.unsubscribe {
                    io.actions.push_back(Action::Unsubscribe {
                        filter: u.clone(),
                        properties: a.common.properties.unsubscribe.clone(),
                    });
                }
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
            } => self.suback_codes = Some(codes.clone()),
            ClientEvent::Message(p) => self.on_message(io, p),
            // my_publish_callback: the last --remove-retained PUBLISH is done.
            ClientEvent::Published { pid, .. }
                if !self.process_messages && self.last_mid.is_none_or(|m| m == *pid) =>
            {
                io.actions.push_back(Action::Disconnect);
            }
            ClientEvent::Subscribed { pid, granted } => {
                if io.common.debug && !io.quiet() {
                    let line = match self.suback_codes.take() {
                        Some(codes) => super::debug::subscribed_line_codes(*pid, &codes),
                        None => subscribed_line(*pid, granted),
                    };
                    io.line(Stream::Stdout, line);
                }
                if granted.iter().all(|g| *g == SubackReturnCode::Failure) {
                    io.actions.push_back(Action::Disconnect);
                    if !io.quiet() {
                        self.after_disconnect =
                            Some("All subscription requests were denied.".into());
                    }
                }
                if self.args.exit_after_sub {
                    io.actions.push_back(Action::Disconnect);
                }
            }
            ClientEvent::Disconnected { reason } => {
                io.connected = false;
                self.on_disconnected(io, now, reason);
            }
            _ => {}
        }
    }

    fn on_message(&mut self, io: &mut Io, m: &Message) {
        let p = &m.publish;
        if !self.process_messages {
            return;
        }
        let a = &self.args;
        if a.retained_only && !p.retain {
            self.process_messages = false;
            if self.last_mid.is_none() {
                io.actions.push_back(Action::Disconnect);
            }
            return;
        }
        if p.retain && a.no_retained {
            return;
        }
        if a.filter_out
            .iter()
            .any(|f| topic::matches(f, p.topic.as_str()))
        {
            return;
        }
        let removing = a.remove_retained && p.retain;
        if removing {
            io.actions.push_back(Action::Publish {
                topic: p.topic.as_str().to_owned(),
                payload: Vec::new(),
                qos: QoS::AtLeastOnce,
                retain: true,
                properties: Vec::new(),
            });
        }
        let bytes = format::render_with(a, p, &m.properties, io.epoch);
        if removing {
            self.print_after_send = Some(bytes);
        } else {
            io.stdout(bytes);
        }
        if let Some(c) = a.count {
            self.msg_count += 1;
            if self.msg_count == c {
                self.process_messages = false;
                if self.last_mid.is_none() && !removing {
                    io.actions.push_back(Action::Disconnect);
                }
            }
        }
    }

    /// A packet went out: after `--remove-retained`'s PUBLISH, the message that
    /// caused it is printed.
    pub fn on_sent(&mut self, io: &mut Io, packet: &Packet) {
        if let Packet::Publish(p) = packet {
            if p.retain && p.payload.is_empty() {
                if let Some(bytes) = self.print_after_send.take() {
                    io.stdout(bytes);
                }
            }
        }
    }

    /// `--remove-retained`'s PUBLISH was queued: remember its id (`last_mid`).
    pub fn on_publish_result(
        &mut self,
        io: &mut Io,
        _now: Instant,
        r: Result<Option<Pid>, ClientError>,
    ) {
        if r.is_err() {
            // Nothing goes out: print now.
            if let Some(bytes) = self.print_after_send.take() {
                io.stdout(bytes);
            }
        }
        match r {
            Ok(Some(pid)) => self.last_mid = Some(pid),
            Ok(None) => {}
            Err(_) => {
                if !self.process_messages {
                    io.actions.push_back(Action::Disconnect);
                }
            }
        }
    }

    fn on_disconnected(&mut self, io: &mut Io, now: Instant, reason: &DisconnectReason) {
        match reason {
            DisconnectReason::Requested => {
                if let Some(l) = self.after_disconnect.take() {
                    io.line(Stream::Stderr, l);
                }
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
            _ => io.set_timer(Timer::Reconnect, now + RECONNECT_DELAY),
        }
    }

    pub fn on_connect_failed(&mut self, io: &mut Io, now: Instant, e: &TransportError) {
        if !io.first_connect_failed(e) {
            io.set_timer(Timer::Reconnect, now + RECONNECT_DELAY);
        }
    }

    /// SIGINT, or SIGALRM for `-W`: before any CONNACK the handler calls
    /// `exit(-1)`; after, it stops and disconnects.
    fn stop(&mut self, io: &mut Io) {
        if !io.connack_received {
            io.finish(EXIT_MINUS_ONE);
            return;
        }
        self.process_messages = false;
        if io.connected {
            io.actions.push_back(Action::Disconnect);
        } else {
            // No connection to end: the loop returns at once.
            self.on_disconnected(io, Instant::ZERO, &DisconnectReason::Requested);
        }
    }

    pub fn on_interrupt(&mut self, io: &mut Io, _now: Instant) {
        self.stop(io);
    }

    pub fn on_timer(&mut self, io: &mut Io, _now: Instant, t: Timer) {
        match t {
            Timer::Alarm => {
                self.timed_out = io.connack_received;
                self.stop(io);
            }
            Timer::Reconnect => io.connect(),
            Timer::Repeat => {}
        }
    }
}

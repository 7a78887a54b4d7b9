//! `mosquitto_pub` and `mosquitto_sub` as simulated programs: given the same command
//! line they connect, subscribe, publish, repeat, print and exit as the real tools
//! do, so a lab can be typed exactly as in a terminal.

use core::time::Duration;

use crate::client::cli::{
    format_message, parse_command_line, CliError, MessageSource, PubArgs, SubArgs, ToolCommand,
};
use crate::client::debug::{refusal_lines, subscribed_line};
use crate::client::{ClientEvent, DisconnectReason};
use crate::codec::{QoS, SubackReturnCode};
use crate::rng::SplitMix64;

use super::{Cx, Effect};

/// A running `mosquitto_pub` or `mosquitto_sub`.
#[derive(Debug, Clone, PartialEq)]
pub struct MosquittoCli {
    /// The command line as typed.
    pub command: String,
    /// What it parsed to.
    pub tool: ToolCommand,
    client_id: String,
    published: u32,
    received: u32,
    ever_connected: bool,
    /// A line printed once the DISCONNECT just asked for is sent (its `-d` line
    /// comes first, as in mosquitto_sub: `All subscription requests were
    /// denied.`, `Timed out`).
    after_disconnect: Option<String>,
}

/// A client id as mosquitto 1.6's tools make one: `mosq-` and 18 random letters
/// and digits.
pub fn random_client_id(rng: &mut SplitMix64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut s = String::from("mosq-");
    for _ in 0..18 {
        let i = (u64::from(rng.next_u32()) * ALPHABET.len() as u64) >> 32;
        s.push(char::from(ALPHABET[i as usize]));
    }
    s
}

impl MosquittoCli {
    /// Parses a command line; `rng` picks the client id when `-i` is not given.
    pub fn parse(command: &str, rng: &mut SplitMix64) -> Result<Self, CliError> {
        let tool = parse_command_line(command)?;
        let common = match &tool {
            ToolCommand::Pub(p) => &p.common,
            ToolCommand::Sub(s) => &s.common,
        };
        let mut client_id = common.effective_client_id(rng.next_u32() % 32768);
        if client_id.is_empty() {
            client_id = random_client_id(rng);
        }
        Ok(MosquittoCli {
            command: command.trim().to_owned(),
            tool,
            client_id,
            published: 0,
            received: 0,
            ever_connected: false,
            after_disconnect: None,
        })
    }

    /// Whether `-d` was given.
    pub fn debug(&self) -> bool {
        match &self.tool {
            ToolCommand::Pub(p) => p.common.debug,
            ToolCommand::Sub(s) => s.common.debug,
        }
    }

    /// Whether `--quiet` was given.
    fn quiet(&self) -> bool {
        match &self.tool {
            ToolCommand::Pub(p) => p.common.quiet,
            ToolCommand::Sub(s) => s.common.quiet,
        }
    }

    /// Sends DISCONNECT, then prints `line` (unless `--quiet`) after its `-d`
    /// line, as mosquitto_sub prints it after calling `mosquitto_disconnect`.
    fn disconnect_then_print(&mut self, cx: &mut Cx, line: &str) {
        let line = (!self.quiet()).then(|| line.to_owned());
        if cx.client.disconnect(cx.now).is_ok() {
            // Printed on the Disconnected event, which follows the packet.
            self.after_disconnect = line;
        } else {
            if let Some(l) = line {
                cx.print(l);
            }
            *cx.wake = None;
            cx.effects.push(Effect::Exit);
        }
    }

    /// The port it connects to (`-p`, 1883 by default).
    pub fn port(&self) -> u16 {
        match &self.tool {
            ToolCommand::Pub(p) => p.common.port,
            ToolCommand::Sub(s) => s.common.port,
        }
    }

    /// The client id it connects with.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    pub(super) fn start(&mut self, cx: &mut Cx) {
        let common = match &self.tool {
            ToolCommand::Pub(p) => &p.common,
            ToolCommand::Sub(s) => &s.common,
        };
        let mut opts = common.connect_options(0);
        opts.client_id = self.client_id.clone();
        if let ToolCommand::Pub(p) = &self.tool {
            if !matches!(p.message, MessageSource::Text(_) | MessageSource::Null) {
                cx.print("Error: this message source needs a file or standard input, which the simulator does not have; use -m.");
                cx.effects.push(Effect::Exit);
                return;
            }
        }
        cx.effects.push(Effect::Connect(opts));
    }

    fn publish_next(&mut self, cx: &mut Cx, p: &PubArgs) {
        let payload: Vec<u8> = match &p.message {
            MessageSource::Text(t) => t.clone(),
            _ => Vec::new(),
        };
        self.published += 1;
        match cx
            .client
            .publish(cx.now, &p.topic, payload, p.common.qos, p.retain)
        {
            Ok(_) => {}
            Err(e) => {
                cx.print(format!("Error publishing: {e}."));
                let _ = cx.client.disconnect(cx.now);
                return;
            }
        }
        if p.common.qos == QoS::AtMostOnce {
            self.after_publish(cx, p);
        }
    }

    /// A publish completed (sent, for QoS 0; acknowledged otherwise).
    fn after_publish(&mut self, cx: &mut Cx, p: &PubArgs) {
        if self.published < p.repeat {
            *cx.wake = Some(cx.now + p.repeat_delay);
        } else if cx.client.pending_messages() == 0 {
            let _ = cx.client.disconnect(cx.now);
        }
    }

    fn sub_connected(&mut self, cx: &mut Cx, s: &SubArgs) {
        let filters: Vec<(&str, QoS)> = s
            .topics
            .iter()
            .map(|t| (t.as_str(), s.common.qos))
            .collect();
        if !filters.is_empty() {
            if let Err(e) = cx.client.subscribe(cx.now, &filters) {
                cx.print(format!("Error: {e}."));
            }
        }
        if !s.unsubscribe.is_empty() {
            let u: Vec<&str> = s.unsubscribe.iter().map(String::as_str).collect();
            let _ = cx.client.unsubscribe(cx.now, &u);
        }
        if let Some(w) = s.timeout {
            *cx.wake = Some(cx.now + Duration::from_secs(u64::from(w)));
        }
    }

    fn sub_message(&mut self, cx: &mut Cx, s: &SubArgs, p: &crate::codec::Publish) {
        if s.no_retained && p.retain {
            return;
        }
        // The same wording as `mqttlab sub`: `topic (null)` for an empty payload
        // with -v, nothing at all without it.
        let out = format_message(s, p);
        if !out.is_empty() {
            let text = String::from_utf8_lossy(&out);
            cx.print(text.strip_suffix('\n').unwrap_or(&text).to_owned());
        }
        self.received += 1;
        let done = s.count.is_some_and(|c| self.received >= c) || (s.retained_only && !p.retain);
        if done {
            let _ = cx.client.disconnect(cx.now);
        }
    }

    pub(super) fn on_event(&mut self, cx: &mut Cx, ev: &ClientEvent) {
        let tool = self.tool.clone();
        match (ev, &tool) {
            (ClientEvent::Connected { .. }, ToolCommand::Sub(s)) => {
                self.ever_connected = true;
                self.sub_connected(cx, s)
            }
            (ClientEvent::Connected { .. }, ToolCommand::Pub(p)) => {
                // After a reconnect only what is left is sent.
                if !self.ever_connected {
                    self.ever_connected = true;
                    self.publish_next(cx, p);
                }
            }
            (ClientEvent::Message(m), ToolCommand::Sub(s)) => self.sub_message(cx, s, m),
            (ClientEvent::Published { .. }, ToolCommand::Pub(p)) => self.after_publish(cx, p),
            (ClientEvent::Subscribed { pid, granted }, ToolCommand::Sub(s)) => {
                // mosquitto_sub 2.0.11 leaves this `-d` line out under --quiet.
                if s.common.debug && !s.common.quiet {
                    cx.print(subscribed_line(*pid, granted));
                }
                // As mosquitto_sub 2.0: with every filter refused (SUBACK 128) there
                // is nothing to wait for: DISCONNECT, then the message.
                if granted.iter().all(|g| *g == SubackReturnCode::Failure) {
                    self.disconnect_then_print(cx, "All subscription requests were denied.");
                }
            }
            (ClientEvent::ConnectionRefused(code), _) => {
                let (common, sub) = match &tool {
                    ToolCommand::Pub(p) => (&p.common, false),
                    ToolCommand::Sub(s) => (&s.common, true),
                };
                // `Connection error: ...`, then mosquitto_sub's `-d` DISCONNECT line
                // (nothing goes on the wire: the socket is already closed) or
                // mosquitto_pub's loop error; --quiet keeps only the `-d` line.
                for (_, line) in refusal_lines(
                    sub,
                    common.protocol,
                    *code,
                    &self.client_id,
                    common.debug,
                    common.quiet,
                ) {
                    cx.print(line);
                }
            }
            (ClientEvent::Disconnected { reason }, _) => match reason {
                // The first connection failed: the tools give up at once.
                DisconnectReason::TransportClosed if !self.ever_connected => {
                    if !self.quiet() {
                        cx.print("Error: Connection refused");
                    }
                    *cx.wake = None;
                    cx.effects.push(Effect::Exit);
                }
                DisconnectReason::Requested | DisconnectReason::Refused(_) => {
                    if let Some(line) = self.after_disconnect.take() {
                        cx.print(line);
                    }
                    *cx.wake = None;
                    cx.effects.push(Effect::Exit);
                }
                _ => {
                    // libmosquitto's loop reconnects after a second.
                    *cx.wake = Some(cx.now + Duration::from_secs(1));
                }
            },
            _ => {}
        }
    }

    pub(super) fn on_wake(&mut self, cx: &mut Cx) {
        if cx.client.state() == crate::client::ConnectionState::Disconnected {
            let common = match &self.tool {
                ToolCommand::Pub(p) => &p.common,
                ToolCommand::Sub(s) => &s.common,
            };
            let mut opts = common.connect_options(0);
            opts.client_id = self.client_id.clone();
            cx.effects.push(Effect::Connect(opts));
            return;
        }
        let tool = self.tool.clone();
        match &tool {
            ToolCommand::Pub(p) => {
                if cx.client.is_connected() && self.published < p.repeat {
                    self.publish_next(cx, p);
                }
            }
            ToolCommand::Sub(_) => {
                // -W: the time limit is up (mosquitto_sub sends DISCONNECT, then
                // says so; not under --quiet).
                self.disconnect_then_print(cx, "Timed out");
            }
        }
    }
}

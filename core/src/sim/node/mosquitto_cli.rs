//! `mosquitto_pub` and `mosquitto_sub` on a simulated host: the core's
//! [`Tool`] driven by the node's clock and client. The host has no files and an
//! empty standard input (as `< /dev/null`); what the tool writes goes to the
//! node's terminal, one line at a time.

use crate::client::cli::{parse_command_line, CliError};
use crate::client::ClientEvent;
use crate::codec::{v5, AnyPacket, Packet};
use crate::rng::SplitMix64;
use crate::tools::{self, drive, Action, InputError, Tool, TransportError};

use super::super::note::Note;
use super::{Cx, Effect};

/// A running `mosquitto_pub` or `mosquitto_sub`.
#[derive(Debug, Clone)]
pub struct MosquittoCli {
    /// The command line as typed.
    pub command: String,
    tool: Tool,
}

impl PartialEq for MosquittoCli {
    fn eq(&self, other: &Self) -> bool {
        self.command == other.command && self.tool.client_id() == other.tool.client_id()
    }
}

/// A client id for a tool started without `-i`: `mosq-` and 18 random letters
/// and digits, so the simulator's diagrams have a name for every lane.
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
    /// Parses a command line; `rng` picks the process id (for `-I`) and the client
    /// id when none is given.
    pub fn parse(command: &str, rng: &mut SplitMix64) -> Result<Self, CliError> {
        let cmd = parse_command_line(command)?;
        let common = cmd.common();
        let pid = rng.next_u32() % 32768;
        // Under MQTT 5.0 an empty id is sent, as mosquitto 2.0's tools do: the
        // broker assigns one and says so in CONNACK (Assigned Client
        // Identifier), and the tool names itself by it from then on. Under
        // 3.1.x the simulator names the client itself.
        let id = if common.protocol == crate::codec::Protocol::V5 {
            tools::client_id(common, pid, None)
        } else {
            tools::client_id(common, pid, Some(&mut || random_client_id(rng)))
        };
        Ok(MosquittoCli {
            command: command.trim().to_owned(),
            tool: Tool::new(cmd, id),
        })
    }

    /// Whether `-d` was given.
    pub fn debug(&self) -> bool {
        self.tool.debug()
    }

    /// The port it connects to (`-p`, 1883 by default).
    pub fn port(&self) -> u16 {
        self.tool.port()
    }

    /// The host it connects to (`-h`, `localhost` by default).
    pub fn host(&self) -> &str {
        self.tool.host()
    }

    /// The client id it connects with.
    pub fn client_id(&self) -> &str {
        self.tool.client_id()
    }

    /// The exit code, once the program has ended.
    pub fn exit_code(&self) -> Option<i32> {
        self.tool.exit_code()
    }

    pub(super) fn start(&mut self, cx: &mut Cx) {
        self.tool.start(cx.now);
        self.pump(cx);
    }

    pub(super) fn on_event(&mut self, cx: &mut Cx, ev: &ClientEvent) {
        self.tool.handle_event(cx.now, ev);
        self.pump(cx);
    }

    /// The connection could not be opened (no broker at that host or port, or
    /// the host is off the network).
    pub(super) fn on_connect_failed(&mut self, cx: &mut Cx, error: &TransportError) {
        self.tool.handle_connect_failed(cx.now, error.clone());
        self.pump(cx);
    }

    pub(super) fn on_wake(&mut self, cx: &mut Cx) {
        self.tool.handle_timeout(cx.now);
        self.pump(cx);
    }

    /// What Ctrl-C does to the running tool.
    pub fn ctrl_c(&self) -> crate::tools::CtrlC {
        self.tool.ctrl_c()
    }

    pub(super) fn on_interrupt(&mut self, cx: &mut Cx) {
        let connected = cx.client.is_connected();
        self.tool.handle_interrupt(cx.now);
        self.pump(cx);
        if connected && !cx.client.is_connected() {
            cx.state(Note::Interrupted);
        }
    }

    pub(super) fn on_sent(&mut self, cx: &mut Cx, packet: &Packet, v5: Option<&v5::Packet>) {
        self.tool.handle_sent_as(cx.now, packet, v5);
        self.pump(cx);
    }

    pub(super) fn on_received(&mut self, cx: &mut Cx, packet: &AnyPacket) {
        self.tool.handle_received_any(cx.now, packet);
        self.pump(cx);
    }

    /// Performs what the tool asked for, prints what it wrote, arms its timer.
    fn pump(&mut self, cx: &mut Cx) {
        loop {
            let io = drive::apply(&mut self.tool, cx.client, cx.now);
            if io.is_empty() {
                break;
            }
            for a in io {
                match a {
                    Action::Connect(opts) => cx.effects.push(Effect::Connect(opts)),
                    Action::ReadFile(_) => self.tool.handle_input(cx.now, Err(InputError::Open)),
                    Action::ReadStdin => self.tool.handle_input(cx.now, Ok(Vec::new())),
                    Action::ReadStdinLines => self.tool.handle_stdin_line(cx.now, None),
                    Action::Abort => cx.effects.push(Effect::Abort),
                    // drive::apply performs the client's own actions.
                    _ => {}
                }
            }
        }
        while let Some(out) = self.tool.poll_output() {
            cx.effects.push(Effect::Write(out));
        }
        *cx.wake = self.tool.poll_timeout();
        if let Some(code) = self.tool.exit_code() {
            *cx.wake = None;
            cx.effects.push(Effect::Exit(Some(code)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_with_mqtt_5_properties_run() {
        let mut rng = SplitMix64::new(1);
        for line in [
            "mosquitto_pub -t a -m b -V 5 -D publish user-property k v",
            "mosquitto_sub -t a -V 5 -x 30 -c -i s",
            "mosquitto_rr -t a -e b -m c",
            "mosquitto_rr -t a -e b -m c -V 311",
        ] {
            assert!(MosquittoCli::parse(line, &mut rng).is_ok(), "{line}");
        }
    }
}

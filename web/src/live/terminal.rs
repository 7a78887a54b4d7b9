//! The live page's terminal: each `mosquitto_pub`/`mosquitto_sub` typed there is
//! the core's [`Tool`] with a [`Client`] and a WebSocket of its own to the page's
//! broker, as the real tool is a client of its own. Its packets are drawn on a
//! lane of its own. The browser has no files and no standard input (as
//! `< /dev/null`); `-h` and `-p` give way to the page's broker address.

use std::rc::Rc;

use gloo_timers::callback::Timeout;
use mqttlab_core::client::Client;
use mqttlab_core::codec::AnyPacket;
use mqttlab_core::time::Instant;
use mqttlab_core::tools::cli::ToolCommand;
use mqttlab_core::tools::drive::{self, Frames, Step};
use mqttlab_core::tools::{self, Action, InputError, Tool, TransportError};
use web_sys::{BinaryType, WebSocket};

use super::{detach, with, Driver, Handlers, Live, Target};

/// One running tool.
pub(super) struct TermTool {
    id: u64,
    tool: Tool,
    client: Client,
    ws: Option<WebSocket>,
    handlers: Option<Handlers>,
    /// The CONNECT options waiting for the socket to open.
    connecting: Option<mqttlab_core::client::ConnectOptions>,
    frames: Frames,
    /// Its lane in the diagram.
    lane: usize,
    timer: Option<Timeout>,
}

impl std::fmt::Debug for TermTool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TermTool")
            .field("id", &self.id)
            .field("lane", &self.lane)
            .finish_non_exhaustive()
    }
}

impl TermTool {
    /// Closes its socket without a word (the page is leaving).
    pub(super) fn shutdown(&mut self, now: Instant) {
        self.tool.handle_interrupt(now);
        let _ = drive::run(&mut self.tool, &mut self.client, now);
        if let Some(ws) = self.ws.take() {
            while let Some(t) = self.client.poll_transmit() {
                let _ = ws.send_with_u8_array(&t.bytes);
            }
            detach(&ws);
        }
        self.timer = None;
        self.handlers = None;
    }
}

impl Live {
    fn tool_mut(&mut self, id: u64) -> Option<&mut TermTool> {
        self.tools.iter_mut().find(|t| t.id == id)
    }
}

impl Driver {
    /// Runs a command typed in the terminal.
    pub fn run_tool(self: &Rc<Self>, cmd: ToolCommand) {
        let now = self.now();
        {
            let mut l = self.live.borrow_mut();
            // No socket handler is running now: the ended tools' can go.
            l.retired.clear();
            let (common, name) = match &cmd {
                ToolCommand::Pub(p) => (p.common.clone(), "mosquitto_pub"),
                ToolCommand::Sub(s) => (s.common.clone(), "mosquitto_sub"),
                ToolCommand::Rr(r) => (r.common.clone(), "mosquitto_rr"),
            };
            // No process id in a page: a number for -I from the clock.
            let pid = (now.as_micros() % 32_768) as u32;
            let id_str = tools::client_id(&common, pid, None);
            let label = if id_str.is_empty() {
                name.to_string()
            } else {
                id_str.clone()
            };
            let lanes = Rc::make_mut(&mut l.lanes);
            lanes.push(label);
            let lane = lanes.len() - 1;
            let id = l.next_tool;
            l.next_tool += 1;
            let mut tool = Tool::new(cmd, id_str);
            tool.set_epoch((js_sys::Date::now() * 1000.0) as u64 - now.as_micros());
            tool.start(now);
            l.tools.push(TermTool {
                id,
                tool,
                client: Client::new(),
                ws: None,
                handlers: None,
                connecting: None,
                frames: Frames::default(),
                lane,
                timer: None,
            });
            drop(l);
            self.tool_pump(id, now);
        }
        self.refresh();
    }

    /// Ctrl-C: every running tool gets SIGINT.
    pub fn interrupt(self: &Rc<Self>) {
        let now = self.now();
        let ids: Vec<u64> = self.live.borrow().tools.iter().map(|t| t.id).collect();
        for id in ids {
            if let Some(t) = self.live.borrow_mut().tool_mut(id) {
                t.tool.handle_interrupt(now);
            }
            self.tool_pump(id, now);
        }
        self.refresh();
    }

    pub(super) fn tool_open(self: &Rc<Self>, id: u64) {
        let now = self.now();
        if let Some(t) = self.live.borrow_mut().tool_mut(id) {
            if let Some(opts) = t.connecting.take() {
                if let Err(e) = t.client.connect(now, opts) {
                    let e = TransportError::Other(e.to_string());
                    t.tool.handle_connect_failed(now, e);
                }
            }
        }
        self.tool_pump(id, now);
        self.refresh();
    }

    pub(super) fn tool_bytes(self: &Rc<Self>, id: u64, bytes: &[u8]) {
        let now = self.now();
        match self.live.borrow_mut().tool_mut(id) {
            Some(t) => t.frames.push(bytes),
            None => return,
        }
        loop {
            // The tool may have exited on the previous packet: then the rest is
            // not for anyone.
            let frame = self
                .live
                .borrow_mut()
                .tool_mut(id)
                .and_then(|t| t.frames.next_frame());
            let Some(frame) = frame else { break };
            {
                let mut l = self.live.borrow_mut();
                let Some(t) = l.tool_mut(id) else { break };
                let lane = t.lane;
                if let Ok((packet, b)) = &frame {
                    let (packet, b) = (packet.clone(), b.to_vec());
                    l.packet_row(now, 1, lane, &packet, b);
                }
                if let Some(t) = l.tool_mut(id) {
                    drive::receive(&mut t.tool, &mut t.client, now, frame);
                }
            }
            // Each packet's consequences before the next one's -d line.
            self.tool_pump(id, now);
        }
        self.refresh();
    }

    pub(super) fn tool_closed(self: &Rc<Self>, id: u64) {
        let now = self.now();
        let mut l = self.live.borrow_mut();
        // This runs inside the socket's own handler: keep it alive until later.
        let h = l.tool_mut(id).and_then(|t| t.handlers.take());
        l.retired.extend(h);
        if let Some(t) = l.tool_mut(id) {
            t.ws = None;
            if t.connecting.take().is_some() {
                // The socket never opened: nothing listens there.
                t.tool.handle_connect_failed(now, TransportError::Refused);
            } else {
                t.client.handle_closed(now);
            }
        }
        drop(l);
        self.tool_pump(id, now);
        self.refresh();
    }

    fn tool_timeout(self: &Rc<Self>, id: u64) {
        let now = self.now();
        if let Some(t) = self.live.borrow_mut().tool_mut(id) {
            t.client.handle_timeout(now);
            t.tool.handle_timeout(now);
        }
        self.tool_pump(id, now);
        self.refresh();
    }

    /// Does what the tool and its client ask, prints what the tool wrote, arms
    /// the timer; forgets the tool once it has exited.
    fn tool_pump(self: &Rc<Self>, id: u64, now: Instant) {
        loop {
            let mut l = self.live.borrow_mut();
            let url = l.url.clone();
            let Some(t) = l.tool_mut(id) else { return };
            let steps = drive::run(&mut t.tool, &mut t.client, now);
            if steps.is_empty() {
                break;
            }
            let lane = t.lane;
            let mut rows = Vec::new();
            let mut open = None;
            for step in steps {
                match step {
                    Step::Send(tr) => {
                        if let Some(ws) = &t.ws {
                            let _ = ws.send_with_u8_array(&tr.bytes);
                        }
                        rows.push(tr);
                    }
                    Step::Close | Step::Io(Action::Abort) => {
                        if let Some(ws) = t.ws.take() {
                            detach(&ws);
                        }
                    }
                    Step::Io(Action::Connect(opts)) => open = Some(opts),
                    Step::Io(Action::ReadFile(_)) => {
                        t.tool.handle_input(now, Err(InputError::Open))
                    }
                    Step::Io(Action::ReadStdin) => t.tool.handle_input(now, Ok(Vec::new())),
                    Step::Io(Action::ReadStdinLines) => t.tool.handle_stdin_line(now, None),
                    Step::Io(_) => {}
                }
            }
            for tr in rows {
                let packet = match tr.v5 {
                    Some(p) => AnyPacket::V5(*p),
                    None => AnyPacket::V3(tr.packet),
                };
                l.packet_row(now, lane, 1, &packet, tr.bytes);
            }
            drop(l);
            if let Some(opts) = open {
                self.tool_connect(id, url, *opts, now);
            }
        }
        let mut l = self.live.borrow_mut();
        let Some(t) = l.tool_mut(id) else { return };
        let mut lines = Vec::new();
        while let Some(o) = t.tool.poll_output() {
            lines.extend(o.lines());
        }
        let done = t.tool.exit_code().is_some();
        let deadline = [t.tool.poll_timeout(), t.client.poll_timeout()]
            .into_iter()
            .flatten()
            .min();
        if done {
            if let Some(ws) = t.ws.take() {
                detach(&ws);
            }
            // Perhaps inside one of its socket's handlers: those are dropped
            // later, never while they run.
            if let Some(i) = l.tools.iter().position(|t| t.id == id) {
                let mut gone = l.tools.remove(i);
                l.retired.extend(gone.handlers.take());
            }
        } else {
            let weak = Rc::downgrade(self);
            t.timer = deadline.map(|at| {
                let wait_ms = at
                    .as_micros()
                    .saturating_sub(now.as_micros())
                    .div_ceil(1000);
                Timeout::new(wait_ms.min(u64::from(u32::MAX)) as u32, move || {
                    with(&weak, |d| d.tool_timeout(id))
                })
            });
        }
        l.term.extend(lines);
    }

    /// Opens the tool's WebSocket to the page's broker.
    fn tool_connect(
        self: &Rc<Self>,
        id: u64,
        url: Option<super::WsUrl>,
        opts: mqttlab_core::client::ConnectOptions,
        now: Instant,
    ) {
        let ws = url
            .ok_or_else(|| "no broker address".to_string())
            .and_then(|u| WebSocket::new_with_str(&u.url, "mqtt").map_err(|e| format!("{e:?}")));
        match ws {
            Ok(ws) => {
                ws.set_binary_type(BinaryType::Arraybuffer);
                let h = self.attach(&ws, Target::Tool(id));
                if let Some(t) = self.live.borrow_mut().tool_mut(id) {
                    t.frames.clear();
                    t.frames.set_protocol(opts.protocol);
                    t.connecting = Some(opts);
                    t.ws = Some(ws);
                    t.handlers = Some(h);
                }
            }
            Err(e) => {
                if let Some(t) = self.live.borrow_mut().tool_mut(id) {
                    t.tool.handle_connect_failed(now, TransportError::Other(e));
                }
            }
        }
    }
}

//! One MQTT 5.0 connection of the classroom over the page's WebSocket bridge:
//! the core's sans-IO [`Client`] driven by a browser `WebSocket`, reporting
//! what matters to the classroom as [`LinkEvent`]s. MQTT 5.0, so that the
//! broker's refusals come back by name (CONNACK 0x86, PUBACK and SUBACK 0x87).

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use mqttlab_core::client::{Client, ClientEvent, ConnectOptions, DisconnectReason};
use mqttlab_core::codec::{PacketType, QoS};
use mqttlab_core::time::Instant;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

/// What happened on a link, for the classroom to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkEvent {
    /// CONNACK accepted.
    Connected,
    /// CONNACK refused, with its 5.0 reason code (0x86 a wrong password).
    Refused(u8),
    /// A message arrived.
    Message {
        /// Its topic.
        topic: String,
        /// Its payload.
        payload: Vec<u8>,
        /// Whether it came as a retained message (on subscribing).
        retained: bool,
    },
    /// The broker took a PUBLISH this link sent: its PUBACK, with a code
    /// under 0x80 (0x10 when nobody subscribes).
    Published {
        /// The identifier [`Link::publish`] returned.
        pid: u16,
    },
    /// The broker refused something: a PUBACK or SUBACK with a code of 0x80 or
    /// more (0x87 not authorized).
    Denied {
        /// PUBACK or SUBACK.
        packet: PacketType,
        /// The code.
        code: u8,
    },
    /// The socket closed (the server went away, or refused the bridge).
    Closed {
        /// The WebSocket close code.
        code: u16,
        /// Its reason.
        reason: String,
    },
}

struct Handlers {
    _open: Closure<dyn FnMut()>,
    _message: Closure<dyn FnMut(MessageEvent)>,
    _close: Closure<dyn FnMut(CloseEvent)>,
}

/// One connection. Dropping it closes the socket.
pub struct Link {
    ws: WebSocket,
    client: RefCell<Client>,
    options: ConnectOptions,
    origin_ms: f64,
    timer: RefCell<Option<Timeout>>,
    handlers: RefCell<Option<Handlers>>,
    on_event: Box<dyn Fn(LinkEvent)>,
    /// Events not yet reported: commands (publish, subscribe) only queue them,
    /// so that a listener may call a command while it handles an event.
    pending: RefCell<Vec<LinkEvent>>,
    closed: Cell<bool>,
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

/// The page's own bridge to the broker `mqttlab serve --classroom` runs.
pub fn bridge_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!("{scheme}://{}/mqtt/lab", location.host().ok()?))
}

impl Link {
    /// Opens a socket to `url` and connects with `options` once it opens.
    pub fn open(
        url: &str,
        options: ConnectOptions,
        on_event: impl Fn(LinkEvent) + 'static,
    ) -> Result<Rc<Link>, String> {
        let ws = WebSocket::new_with_str(url, "mqtt").map_err(|e| format!("{e:?}"))?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let link = Rc::new(Link {
            ws,
            client: RefCell::new(Client::new()),
            options,
            origin_ms: now_ms(),
            timer: RefCell::new(None),
            handlers: RefCell::new(None),
            on_event: Box::new(on_event),
            pending: RefCell::new(Vec::new()),
            closed: Cell::new(false),
        });
        let weak = Rc::downgrade(&link);
        let w = weak.clone();
        let open = Closure::<dyn FnMut()>::new(move || with(&w, |l| l.on_open()));
        let w = weak.clone();
        let message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Ok(buf) = e.data().dyn_into::<js_sys::ArrayBuffer>() {
                let bytes = js_sys::Uint8Array::new(&buf).to_vec();
                with(&w, |l| l.on_bytes(&bytes));
            }
        });
        let w = weak;
        let close = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
            with(&w, |l| l.on_close(e.code(), e.reason()))
        });
        link.ws.set_onopen(Some(open.as_ref().unchecked_ref()));
        link.ws
            .set_onmessage(Some(message.as_ref().unchecked_ref()));
        link.ws.set_onclose(Some(close.as_ref().unchecked_ref()));
        *link.handlers.borrow_mut() = Some(Handlers {
            _open: open,
            _message: message,
            _close: close,
        });
        Ok(link)
    }

    fn now(&self) -> Instant {
        Instant::from_micros(((now_ms() - self.origin_ms).max(0.0) * 1000.0) as u64)
    }

    fn on_open(self: &Rc<Self>) {
        let now = self.now();
        let _ = self.client.borrow_mut().connect(now, self.options.clone());
        self.pump(now);
        self.dispatch();
    }

    fn on_bytes(self: &Rc<Self>, bytes: &[u8]) {
        let now = self.now();
        self.client.borrow_mut().handle_bytes(now, bytes);
        self.pump(now);
        self.dispatch();
    }

    fn on_close(self: &Rc<Self>, code: u16, reason: String) {
        if self.closed.replace(true) {
            return;
        }
        let now = self.now();
        self.client.borrow_mut().handle_closed(now);
        *self.timer.borrow_mut() = None;
        self.pump(now);
        self.pending
            .borrow_mut()
            .push(LinkEvent::Closed { code, reason });
        self.dispatch();
    }

    /// Reports the events waiting, in order.
    fn dispatch(&self) {
        loop {
            let next = {
                let mut p = self.pending.borrow_mut();
                if p.is_empty() {
                    return;
                }
                p.remove(0)
            };
            (self.on_event)(next);
        }
    }

    /// Sends what the client queued, queues its events, re-arms the timer.
    fn pump(self: &Rc<Self>, now: Instant) {
        let mut events = Vec::new();
        let deadline = {
            let mut c = self.client.borrow_mut();
            while let Some(t) = c.poll_transmit() {
                let _ = self.ws.send_with_u8_array(&t.bytes);
            }
            while let Some(e) = c.poll_event() {
                match e {
                    ClientEvent::Connected { .. } => events.push(LinkEvent::Connected),
                    ClientEvent::ConnectionRefusedV5(r) => {
                        events.push(LinkEvent::Refused(r.as_u8()))
                    }
                    ClientEvent::ConnectionRefused(r) => events.push(LinkEvent::Refused(r as u8)),
                    ClientEvent::Message(m) => events.push(LinkEvent::Message {
                        topic: m.topic.as_str().to_string(),
                        payload: m.payload.to_vec(),
                        retained: m.retain,
                    }),
                    ClientEvent::Acknowledged {
                        packet, codes, pid, ..
                    } => {
                        if let Some(&code) = codes.iter().find(|&&c| c >= 0x80) {
                            events.push(LinkEvent::Denied { packet, code });
                        } else if packet == PacketType::Puback {
                            events.push(LinkEvent::Published { pid: pid.get() });
                        }
                    }
                    ClientEvent::Disconnected { reason }
                        if !matches!(reason, DisconnectReason::Requested) =>
                    {
                        let _ = self.ws.close();
                    }
                    _ => {}
                }
            }
            while let Some(t) = c.poll_transmit() {
                let _ = self.ws.send_with_u8_array(&t.bytes);
            }
            c.poll_timeout()
        };
        *self.timer.borrow_mut() = deadline.map(|at| {
            let wait = at
                .as_micros()
                .saturating_sub(now.as_micros())
                .div_ceil(1000);
            let weak = Rc::downgrade(self);
            Timeout::new(wait.min(u64::from(u32::MAX)) as u32, move || {
                with(&weak, |l| {
                    let now = l.now();
                    l.client.borrow_mut().handle_timeout(now);
                    l.pump(now);
                    l.dispatch();
                })
            })
        });
        self.pending.borrow_mut().extend(events);
    }

    /// Publishes at QoS 1 (so that a refusal comes back as PUBACK 0x87, and
    /// its taking as [`LinkEvent::Published`] with the identifier returned).
    pub fn publish(self: &Rc<Self>, topic: &str, payload: Vec<u8>, retain: bool) -> Option<u16> {
        let now = self.now();
        let r = self
            .client
            .borrow_mut()
            .publish(now, topic, payload, QoS::AtLeastOnce, retain);
        let pid = r.ok().flatten().map(|p| p.get());
        if pid.is_some() {
            self.pump(now);
        }
        pid
    }

    /// Subscribes at QoS 1.
    pub fn subscribe(self: &Rc<Self>, filters: &[String]) {
        let now = self.now();
        let f: Vec<(&str, QoS)> = filters
            .iter()
            .map(|f| (f.as_str(), QoS::AtLeastOnce))
            .collect();
        if self.client.borrow_mut().subscribe(now, &f).is_ok() {
            self.pump(now);
        }
    }

    /// Whether CONNACK accepted the connection and it is still up.
    pub fn is_connected(&self) -> bool {
        self.client.borrow().is_connected()
    }

    /// Leaves: DISCONNECT (the broker then drops the will), then the socket
    /// closes. No event follows.
    pub fn close(self: &Rc<Self>) {
        self.closed.set(true);
        let now = self.now();
        {
            let mut c = self.client.borrow_mut();
            if c.is_connected() && c.disconnect(now).is_ok() {
                while let Some(t) = c.poll_transmit() {
                    let _ = self.ws.send_with_u8_array(&t.bytes);
                }
            }
        }
        *self.timer.borrow_mut() = None;
        let _ = self.ws.close();
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

fn with(weak: &Weak<Link>, f: impl FnOnce(&Rc<Link>)) {
    if let Some(l) = weak.upgrade() {
        f(&l);
    }
}

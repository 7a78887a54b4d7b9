//! The page's end of the simulation: one worker for the page's whole life, and
//! the listener (the mounted workspace or lab) its replies go to.
//!
//! If the worker does not answer its first request in [`WORKER_TIMEOUT_MS`] (no
//! worker support, `sim_worker.js` not served), the world runs on the page's own
//! thread instead, with the same code in the same slices: slower to scroll
//! while a big world runs, but never missing.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use gloo_worker::{Spawnable, WorkerBridge};

use super::protocol::{Reply, Request};
use super::runner::{receive, Runner, SharedRunner};
use super::worker::SimWorker;

/// The worker's script, next to the page (trunk names it after the binary).
pub const WORKER_SCRIPT: &str = "sim_worker.js";

/// How long the worker may take to answer its first request.
pub const WORKER_TIMEOUT_MS: u32 = 10_000;

/// Where the world runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// In the web worker.
    Worker,
    /// On the page's thread (no worker could start).
    Page,
}

impl Engine {
    /// `worker` or `page`, for the DOM and the tests.
    pub fn word(self) -> &'static str {
        match self {
            Engine::Worker => "worker",
            Engine::Page => "page",
        }
    }
}

enum Transport {
    Worker(WorkerBridge<SimWorker>),
    Page(SharedRunner),
}

type Listener = Rc<dyn Fn(Reply)>;

struct Service {
    transport: Transport,
    /// The worker has answered once: it works.
    answered: bool,
    /// The last `Load`, to send again if the worker never answers.
    last_load: Option<Request>,
    listener: Option<Listener>,
    /// Where a sweep's replies go (the sweep panel), beside the world's.
    sweep_listener: Option<Listener>,
    next_epoch: u64,
}

thread_local! {
    static SERVICE: RefCell<Option<Service>> = const { RefCell::new(None) };
}

fn deliver(reply: Reply, from_worker: bool) {
    let sweep = matches!(
        reply,
        Reply::SweepProgress { .. } | Reply::SweepDone { .. } | Reply::SweepFailed { .. }
    );
    let listener = SERVICE.with(|s| {
        let mut s = s.borrow_mut();
        let s = s.as_mut()?;
        if from_worker {
            s.answered = true;
        }
        if sweep {
            s.sweep_listener.clone()
        } else {
            s.listener.clone()
        }
    });
    if let Some(l) = listener {
        l(reply);
    }
}

fn page_runner() -> SharedRunner {
    // Replies are delivered as tasks of their own, as a worker's would be.
    Runner::shared(Rc::new(|reply: Reply| {
        Timeout::new(0, move || deliver(reply, false)).forget();
    }))
}

fn spawn() -> Service {
    let bridge = SimWorker::spawner()
        .callback(|reply| deliver(reply, true))
        .spawn(WORKER_SCRIPT);
    Service {
        transport: Transport::Worker(bridge),
        answered: false,
        last_load: None,
        listener: None,
        sweep_listener: None,
        next_epoch: 1,
    }
}

fn with_service<R>(f: impl FnOnce(&mut Service) -> R) -> R {
    SERVICE.with(|s| f(s.borrow_mut().get_or_insert_with(spawn)))
}

/// Falls back to the page's thread if the worker still has not answered.
fn watchdog() {
    Timeout::new(WORKER_TIMEOUT_MS, || {
        let load = with_service(|s| {
            if s.answered || !matches!(s.transport, Transport::Worker(_)) {
                return None;
            }
            s.transport = Transport::Page(page_runner());
            s.last_load.clone()
        });
        if let Some(load) = load {
            send(load);
        }
    })
    .forget();
}

/// Starts the worker now, while the page loads, so that its script is fetched
/// with the rest of the app: opened later (offline in class), a lab still runs.
pub fn start() {
    with_service(|_| ());
}

/// Sends a request to the world.
pub fn send(request: Request) {
    let (page, first) = with_service(|s| {
        let first = matches!(request, Request::Load { .. }) && s.last_load.is_none();
        if matches!(request, Request::Load { .. }) {
            s.last_load = Some(request.clone());
        }
        match &s.transport {
            Transport::Worker(bridge) => {
                bridge.send(request.clone());
                (None, first && !s.answered)
            }
            Transport::Page(runner) => (Some(runner.clone()), false),
        }
    });
    if let Some(runner) = page {
        receive(&runner, request);
    }
    if first {
        watchdog();
    }
}

/// A number for the next world, never used before on this page.
pub fn next_epoch() -> u64 {
    with_service(|s| {
        s.next_epoch += 1;
        s.next_epoch
    })
}

/// Replies go to `listener` from now on (the page that mounted last).
pub fn listen(listener: Listener) {
    with_service(|s| s.listener = Some(listener));
}

/// `listener` unmounts: its replies go nowhere.
pub fn unlisten(listener: &Listener) {
    with_service(|s| {
        if s.listener.as_ref().is_some_and(|l| Rc::ptr_eq(l, listener)) {
            s.listener = None;
        }
    });
}

/// A sweep's replies go to `listener` from now on.
pub fn listen_sweep(listener: Listener) {
    with_service(|s| s.sweep_listener = Some(listener));
}

/// The sweep panel unmounts: its sweep stops, its replies go nowhere.
pub fn unlisten_sweep(listener: &Listener) {
    let mine = with_service(|s| {
        let mine = s
            .sweep_listener
            .as_ref()
            .is_some_and(|l| Rc::ptr_eq(l, listener));
        if mine {
            s.sweep_listener = None;
        }
        mine
    });
    if mine {
        send(Request::CancelSweep);
    }
}

/// Where the world runs now.
pub fn engine() -> Engine {
    with_service(|s| match s.transport {
        Transport::Worker(_) => Engine::Worker,
        Transport::Page(_) => Engine::Page,
    })
}

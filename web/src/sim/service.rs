//! The page's end of the simulation: one worker for the page's whole life, and
//! the listener (the mounted workspace or lab) its replies go to.
//!
//! The world runs only in the worker: every browser the lab supports has web
//! workers, so the page carries none of the simulator (issue 17: the page's own
//! wasm is what the browser must fetch before the lab is interactive).

use std::cell::RefCell;
use std::rc::Rc;

use gloo_worker::{Spawnable, WorkerBridge};

use super::protocol::{Reply, Request};
use super::worker::SimWorker;

/// The worker's script, next to the page (trunk names it after the binary).
pub const WORKER_SCRIPT: &str = "sim_worker.js";

type Listener = Rc<dyn Fn(Reply)>;

struct Service {
    bridge: WorkerBridge<SimWorker>,
    listener: Option<Listener>,
    /// Where a sweep's replies go (the sweep panel), beside the world's.
    sweep_listener: Option<Listener>,
    next_epoch: u64,
}

thread_local! {
    static SERVICE: RefCell<Option<Service>> = const { RefCell::new(None) };
}

fn deliver(reply: Reply) {
    let sweep = matches!(
        reply,
        Reply::SweepProgress { .. } | Reply::SweepDone { .. } | Reply::SweepFailed { .. }
    );
    let listener = SERVICE.with(|s| {
        let s = s.borrow();
        let s = s.as_ref()?;
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

fn spawn() -> Service {
    let bridge = SimWorker::spawner().callback(deliver).spawn(WORKER_SCRIPT);
    Service {
        bridge,
        listener: None,
        sweep_listener: None,
        next_epoch: 1,
    }
}

fn with_service<R>(f: impl FnOnce(&mut Service) -> R) -> R {
    SERVICE.with(|s| f(s.borrow_mut().get_or_insert_with(spawn)))
}

/// Starts the worker now, while the page loads, so that its script is fetched
/// with the rest of the app: opened later (offline in class), a lab still runs.
pub fn start() {
    with_service(|_| ());
}

/// Sends a request to the world.
pub fn send(request: Request) {
    with_service(|s| s.bridge.send(request));
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

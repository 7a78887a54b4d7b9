//! The page's end of the simulation: one worker for the page's whole life, and
//! the listener (the mounted workspace or lab) its replies go to.
//!
//! The world runs only in the worker: every browser the lab supports has web
//! workers, so the page's thread runs none of the simulator. The worker runs the
//! pages module's code (issue 17: one download for the pages and the worker,
//! whose code is mostly the same; the first load, the shell, carries neither).

use std::cell::RefCell;
use std::rc::Rc;

use gloo_worker::{Spawnable, WorkerBridge};
use wasm_bindgen::JsValue;

use super::protocol::{Reply, Request};
use super::worker::SimWorker;

/// The module the worker runs, next to the page: the pages module
/// (`src/bin/app_pages.rs`), whose code the worker shares (one download).
pub const WORKER_MODULE: &str = "app_pages.js";

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

/// The worker's script: a classic worker that imports the pages module (an ES
/// module) by its absolute address, initialises it and serves the worlds. A blob,
/// as gloo-worker's own `spawn` makes, so that dist/ has no extra file.
fn worker_loader() -> Result<String, JsValue> {
    let href = web_sys::window().ok_or("no window")?.location().href()?;
    let module = web_sys::Url::new_with_base(WORKER_MODULE, &href)?.href();
    let script = format!(
        "import({module:?}).then(async (m) => {{ await m.default(); m.serve_worlds(); }});"
    );
    let parts = js_sys::Array::of1(&script.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    web_sys::Url::create_object_url_with_blob(&blob)
}

fn spawn() -> Service {
    // The page's own address is a valid URL base and the blob is plain text: a
    // failure here is a browser without blob workers, which the lab needs.
    let loader = worker_loader().expect("the simulation worker's loader");
    let bridge = SimWorker::spawner()
        .callback(deliver)
        .spawn_with_loader(&loader);
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

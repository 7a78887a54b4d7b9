//! Runs a [`SimHost`] as a message loop: each request is answered at once, and a
//! long run goes on in slices, each one a separate task, so that requests that
//! arrive meanwhile (pause, a command) are handled between slices.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;

use super::host::SimHost;
use super::protocol::{Reply, Request};

/// How long a slice may go on (ms of wall clock) before its update is sent and
/// requests that came meanwhile (pause, a command) are answered.
const SLICE_MS: f64 = 40.0;

/// A host and where its replies go.
pub struct Runner {
    host: SimHost,
    scheduled: bool,
    out: Rc<dyn Fn(Reply)>,
}

/// A runner shared by the callbacks that drive it.
pub type SharedRunner = Rc<RefCell<Runner>>;

impl Runner {
    /// A runner with no world yet, sending its replies to `out`.
    pub fn shared(out: Rc<dyn Fn(Reply)>) -> SharedRunner {
        Rc::new(RefCell::new(Runner {
            host: SimHost::new(),
            scheduled: false,
            out,
        }))
    }
}

/// Answers `request`, then goes on with any run it started.
pub fn receive(runner: &SharedRunner, request: Request) {
    let replies = runner.borrow_mut().host.handle(request);
    let out = runner.borrow().out.clone();
    for r in replies {
        out(r);
    }
    schedule(runner);
}

fn schedule(runner: &SharedRunner) {
    {
        let mut r = runner.borrow_mut();
        if r.scheduled || !r.host.busy() {
            return;
        }
        r.scheduled = true;
    }
    let runner = runner.clone();
    Timeout::new(0, move || {
        let reply = {
            let mut r = runner.borrow_mut();
            r.scheduled = false;
            let start = js_sys::Date::now();
            r.host
                .slice_while(&|| js_sys::Date::now() - start < SLICE_MS)
        };
        if let Some(reply) = reply {
            let out = runner.borrow().out.clone();
            out(reply);
        }
        schedule(&runner);
    })
    .forget();
}

//! Long runs in slices: "go to 500 s" on a big world is cut into pieces of a few
//! thousand events, with the page drawn and responsive between them, instead of
//! one long freeze.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use mqttlab_core::time::Instant;
use yew::Callback;

use crate::session::Session;

/// Events per slice: a few milliseconds of work for the core in wasm.
pub const EVENTS_PER_SLICE: u64 = 4_000;

/// Runs `session` to `target` in slices, calling `on_progress` after each one
/// (with `true` after the last).
pub fn run_in_slices(session: Rc<RefCell<Session>>, target: Instant, on_progress: Callback<bool>) {
    let done = session.borrow_mut().run_toward(target, EVENTS_PER_SLICE);
    on_progress.emit(done);
    if !done {
        // Let the browser draw and handle input before the next slice.
        Timeout::new(0, move || run_in_slices(session, target, on_progress)).forget();
    }
}

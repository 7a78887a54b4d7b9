//! The play loop: while playing, advance the world's virtual time by the real time
//! that passed times the speed, a few times a second.
//!
//! The core never reads a clock; this hook is where the browser's clock enters,
//! and only to decide how far to run. What happens in the world depends on the
//! scenario and the seed alone.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use gloo_timers::callback::Interval;
use yew::prelude::*;

use crate::components::world_view::ClockState;
use crate::hooks::slices::EVENTS_PER_SLICE;
use crate::session::Session;

/// Milliseconds between frames while playing.
pub const FRAME_MS: u32 = 50;

/// Virtual time to run for `real_ms` of real time at `speed`.
pub fn advance(real_ms: f64, speed: f64) -> Duration {
    let us = (real_ms.max(0.0) * 1_000.0 * speed).min(3_600e6);
    Duration::from_micros(us as u64)
}

/// Runs `session` while `clock.playing`, calling `on_tick` after each frame.
#[hook]
pub fn use_clock(session: Rc<RefCell<Session>>, clock: ClockState, on_tick: Callback<()>) {
    use_effect_with((Rc::as_ptr(&session) as usize, clock), move |_| {
        let interval = clock.playing.then(|| {
            let mut last = js_sys::Date::now();
            Interval::new(FRAME_MS, move || {
                let now = js_sys::Date::now();
                let step = advance(now - last, clock.speed);
                last = now;
                {
                    // A frame never runs more than a slice of events: at 1000x on
                    // a big world the clock falls behind rather than the page.
                    let mut s = session.borrow_mut();
                    let target = s.now() + step;
                    s.run_toward(target, EVENTS_PER_SLICE);
                }
                on_tick.emit(());
            })
        });
        move || drop(interval)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_scales_real_time() {
        assert_eq!(advance(50.0, 1.0), Duration::from_millis(50));
        assert_eq!(advance(50.0, 1000.0), Duration::from_secs(50));
        assert_eq!(advance(50.0, 0.1), Duration::from_millis(5));
        assert_eq!(advance(-5.0, 1.0), Duration::ZERO);
    }
}

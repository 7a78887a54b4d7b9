//! The play loop: while playing, ask the world to run on by the real time that
//! passed times the speed, a few times a second.
//!
//! The core never reads a clock; this hook is where the browser's clock enters,
//! and only to decide how far to run. What happens in the world depends on the
//! scenario and the seed alone.

use std::time::Duration;

use gloo_timers::callback::Interval;
use yew::prelude::*;

use crate::components::world_view::ClockState;
use crate::hooks::use_sim::SimHandle;
use crate::sim::protocol::Request;

/// Milliseconds between frames while playing.
pub const FRAME_MS: u32 = 50;

/// Virtual time to run for `real_ms` of real time at `speed`, at most two
/// frames' worth: a world slower than real time falls behind the clock rather
/// than piling up work.
pub fn advance(real_ms: f64, speed: f64) -> Duration {
    let real_ms = real_ms.clamp(0.0, 2.0 * f64::from(FRAME_MS));
    Duration::from_micros((real_ms * 1_000.0 * speed) as u64)
}

/// Runs the world while `clock.playing`: every frame, once the worker has done
/// the previous frame's run, it asks for the next.
#[hook]
pub fn use_clock(sim: SimHandle, clock: ClockState) {
    let mirror = sim.mirror.clone();
    use_effect_with(clock, move |_| {
        let interval = clock.playing.then(|| {
            let mut last = js_sys::Date::now();
            Interval::new(FRAME_MS, move || {
                let now = js_sys::Date::now();
                let step = advance(now - last, clock.speed);
                last = now;
                if mirror.borrow().awaiting {
                    return;
                }
                sim.send(Request::Advance {
                    by_us: step.as_micros() as u64,
                });
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

    #[test]
    fn a_long_pause_between_frames_does_not_pile_up_work() {
        assert_eq!(advance(5_000.0, 1000.0), Duration::from_secs(100));
    }
}

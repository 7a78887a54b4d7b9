//! Value models for sensors: where a reading comes from.
//!
//! Only `+ - * /` on `f64` are used (exactly rounded by IEEE 754 everywhere) and the
//! sine is a polynomial of our own, because the platform `sin` may differ in the
//! last bit between a native libm and wasm32, which would break replay.

use core::time::Duration;

use crate::rng::SplitMix64;
use crate::sim::draw::Draw;

/// How a sensor's readings evolve.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueModel {
    /// Always the same value.
    Constant(f64),
    /// Starts at `start` and moves by up to `step` either way at each reading.
    Walk {
        /// First value.
        start: f64,
        /// Largest change per reading.
        step: f64,
    },
    /// `mean + amplitude * sin(2 pi t / period)`.
    Sine {
        /// Middle value.
        mean: f64,
        /// Swing either side.
        amplitude: f64,
        /// Full cycle.
        period: Duration,
    },
    /// Cycles through `values`, changing every `every`.
    Steps {
        /// How long each value lasts.
        every: Duration,
        /// The values.
        values: Vec<f64>,
    },
    /// Counts: `start`, then `step` more at each reading (every payload differs,
    /// so a sweep tells each message from the others).
    Count {
        /// First value.
        start: f64,
        /// Added at each reading.
        step: f64,
    },
    /// A room heated by an actuator: rises by `rate` per reading while the heater
    /// is on, falls back towards `ambient` while it is off.
    Heated {
        /// The actuator node that heats it.
        heater: String,
        /// Starting temperature.
        start: f64,
        /// Temperature with no heating.
        ambient: f64,
        /// Rise per reading when heating.
        rate: f64,
    },
}

impl ValueModel {
    /// The actuator a heated model reads.
    pub fn coupled_to(&self) -> Option<&str> {
        match self {
            ValueModel::Heated { heater, .. } => Some(heater),
            _ => None,
        }
    }

    /// The reading at `elapsed` since the sensor started, given the previous one.
    pub fn next(
        &self,
        elapsed: Duration,
        previous: Option<f64>,
        heater_on: Option<bool>,
        rng: &mut SplitMix64,
    ) -> f64 {
        match self {
            ValueModel::Constant(v) => *v,
            ValueModel::Walk { start, step } => match previous {
                None => *start,
                Some(p) => {
                    let r = rng.below(2001) as f64 - 1000.0;
                    p + r / 1000.0 * step
                }
            },
            ValueModel::Sine {
                mean,
                amplitude,
                period,
            } => {
                // The remainder in integers: exact everywhere.
                let p = period.as_micros().max(1);
                let phase = (elapsed.as_micros() % p) as f64 / p as f64;
                mean + amplitude * sin_turns(phase)
            }
            ValueModel::Steps { every, values } => {
                if values.is_empty() {
                    return 0.0;
                }
                let e = every.as_micros().max(1);
                let i = (elapsed.as_micros() / e) % values.len() as u128;
                values[i as usize]
            }
            ValueModel::Count { start, step } => previous.map_or(*start, |p| p + step),
            ValueModel::Heated {
                start,
                ambient,
                rate,
                ..
            } => match previous {
                None => *start,
                Some(p) if heater_on == Some(true) => p + rate,
                Some(p) => p + (ambient - p) * 0.1,
            },
        }
    }
}

/// `sin(2 pi x)` for `x` in `[0, 1)`, by a Taylor series on `[-pi/2, pi/2]`.
fn sin_turns(x: f64) -> f64 {
    const PI: f64 = core::f64::consts::PI;
    // Map to an angle in [-pi, pi), then fold into [-pi/2, pi/2].
    let mut a = if x >= 0.5 {
        (x - 1.0) * 2.0 * PI
    } else {
        x * 2.0 * PI
    };
    if a > PI / 2.0 {
        a = PI - a;
    } else if a < -PI / 2.0 {
        a = -PI - a;
    }
    let a2 = a * a;
    let mut term = a;
    let mut sum = a;
    for k in 1..12 {
        let k = f64::from(k);
        term = -term * a2 / ((2.0 * k) * (2.0 * k + 1.0));
        sum += term;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sine_is_close_to_the_real_one() {
        for i in 0..100 {
            let x = f64::from(i) / 100.0;
            let want = (x * 2.0 * core::f64::consts::PI).sin();
            assert!((sin_turns(x) - want).abs() < 1e-9, "{x}");
        }
    }

    #[test]
    fn models_give_expected_values() {
        let mut rng = SplitMix64::new(1);
        let s = ValueModel::Sine {
            mean: 20.0,
            amplitude: 5.0,
            period: Duration::from_secs(600),
        };
        let v = s.next(Duration::from_secs(150), None, None, &mut rng);
        assert!((v - 25.0).abs() < 1e-9);
        let st = ValueModel::Steps {
            every: Duration::from_secs(10),
            values: vec![1.0, 2.0],
        };
        assert_eq!(st.next(Duration::from_secs(15), None, None, &mut rng), 2.0);
        let h = ValueModel::Heated {
            heater: "h".into(),
            start: 18.0,
            ambient: 15.0,
            rate: 0.5,
        };
        assert_eq!(
            h.next(Duration::ZERO, Some(18.0), Some(true), &mut rng),
            18.5
        );
    }
}

//! Random draws for the simulator, on top of the core's SplitMix64. Only fixed-width
//! integers are drawn (never `usize`, never floats from the bits' platform layout), so a
//! seed gives the same world on every target.

use crate::rng::SplitMix64;

/// Extra draws the simulator needs.
pub trait Draw {
    /// A number in `0..n` (0 when `n` is 0), by Lemire's multiply-shift.
    fn below(&mut self, n: u64) -> u64;
    /// True with probability `ppm` parts per million.
    fn chance_ppm(&mut self, ppm: u32) -> bool;
    /// A number in `lo..=hi`.
    fn between(&mut self, lo: u64, hi: u64) -> u64;
}

impl Draw for SplitMix64 {
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    fn chance_ppm(&mut self, ppm: u32) -> bool {
        ppm > 0 && self.below(1_000_000) < u64::from(ppm)
    }

    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below(hi - lo + 1)
    }
}

/// A child seed for a named part of the world, so adding a node does not shift
/// every other node's draws.
pub fn derive_seed(seed: u64, name: &str) -> u64 {
    let mut h = super::trace::Fnv64::new();
    h.write(&seed.to_le_bytes());
    h.write(name.as_bytes());
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_stay_in_range_and_repeat() {
        let mut a = SplitMix64::new(7);
        let mut b = SplitMix64::new(7);
        for _ in 0..1000 {
            let x = a.below(10);
            assert!(x < 10);
            assert_eq!(x, b.below(10));
        }
        assert!(!a.chance_ppm(0));
        assert!(a.chance_ppm(1_000_000));
        assert_eq!(derive_seed(1, "x"), derive_seed(1, "x"));
        assert_ne!(derive_seed(1, "x"), derive_seed(1, "y"));
    }
}

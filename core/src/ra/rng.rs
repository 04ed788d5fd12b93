//! The Advertiser's randomness: SplitMix64 (Steele, Lea, Flood, "Fast splittable pseudorandom
//! number generators", OOPSLA 2014), seeded by the caller.
//!
//! The core has no randomness of its own (DESIGN.md); RFC 4861 §6.2.4 and §6.2.6 only need
//! jitter that differs between routers, not secrecy, so a 64-bit state and no `rand` dependency
//! suffice. The same seed replays the same schedule.

/// A SplitMix64 generator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub(crate) const fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi` (`lo` when `hi <= lo`), by Lemire's multiply-shift.
    pub(crate) fn between(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        let span = u128::from(hi - lo) + 1;
        let r = (u128::from(self.next_u64()) * span) >> 64;
        lo + r as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_in_bounds_and_covers_them() {
        let mut r = SplitMix64::new(7);
        let (mut saw_lo, mut saw_hi) = (false, false);
        for _ in 0..10_000 {
            let v = r.between(3, 9);
            assert!((3..=9).contains(&v));
            saw_lo |= v == 3;
            saw_hi |= v == 9;
        }
        assert!(saw_lo && saw_hi);
        assert_eq!(r.between(5, 5), 5);
        assert_eq!(r.between(6, 5), 6);
        let _ = r.between(0, u64::MAX);
    }

    #[test]
    fn same_seed_same_sequence() {
        let (mut a, mut b, mut c) = (SplitMix64::new(1), SplitMix64::new(1), SplitMix64::new(2));
        let xs: [u64; 4] = core::array::from_fn(|_| a.next_u64());
        let ys: [u64; 4] = core::array::from_fn(|_| b.next_u64());
        let zs: [u64; 4] = core::array::from_fn(|_| c.next_u64());
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }
}

//! A small deterministic PRNG (SplitMix64) for transaction IDs and retransmission jitter.
//!
//! The core has no randomness of its own (DESIGN.md): the caller hands a seed in at
//! construction, so a simulation replays exactly. SplitMix64 is not cryptographic; RFC 9915
//! §16.1 only asks that transaction IDs be unpredictable enough to avoid collisions, and the
//! caller should seed from a real entropy source in production.

/// SplitMix64 state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator started from `seed` (any value, zero included).
    pub const fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value uniformly distributed in `0..=max` (Lemire's multiply-shift; the bias is below
    /// 2^-32 for the small ranges used here).
    pub fn up_to(&mut self, max: u64) -> u64 {
        if max == u64::MAX {
            return self.next_u64();
        }
        ((u128::from(self.next_u64()) * u128::from(max + 1)) >> 64) as u64
    }

    /// A value uniformly distributed in `lo..=hi` (`lo` if `hi < lo`).
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = hi.abs_diff(lo);
        lo.saturating_add_unsigned(self.up_to(span))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_bounds_hold() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let mut c = Rng::new(8);
        let xs: [u64; 4] = core::array::from_fn(|_| a.next_u64());
        let ys: [u64; 4] = core::array::from_fn(|_| b.next_u64());
        let zs: [u64; 4] = core::array::from_fn(|_| c.next_u64());
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
        let mut seen = [false; 5];
        for _ in 0..1000 {
            let v = a.between(-2, 2);
            assert!((-2..=2).contains(&v));
            seen[(v + 2) as usize] = true;
            assert!(a.up_to(3) <= 3);
        }
        assert!(
            seen.iter().all(|&s| s),
            "every value of a small range is reached"
        );
        assert_eq!(a.between(5, 5), 5);
        assert_eq!(a.between(5, 1), 5);
    }
}

//! The random number generator of the `random` module: xoshiro128** (four
//! u32s of state), seeded through splitmix32 so that nearby seeds give
//! unrelated streams. No 64-bit arithmetic, no division.

#[derive(Clone, Copy)]
pub struct Rng {
    s: [u32; 4],
}

impl Rng {
    /// A generator for `seed`; every seed (0 included) gives a valid state.
    pub fn seeded(seed: u32) -> Rng {
        // splitmix32 (Steele et al.'s mix32 finaliser over a Weyl sequence)
        let mut z = seed;
        let mut next = || {
            z = z.wrapping_add(0x9e37_79b9);
            let mut x = z;
            x = (x ^ (x >> 16)).wrapping_mul(0x85eb_ca6b);
            x = (x ^ (x >> 13)).wrapping_mul(0xc2b2_ae35);
            x ^ (x >> 16)
        };
        // Four successive outputs of a bijection over a full-period sequence
        // are never all zero.
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    /// xoshiro128** (Blackman and Vigna).
    pub fn next_u32(&mut self) -> u32 {
        let [a, b, c, d] = self.s;
        let r = b.wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = b << 9;
        let c = c ^ a;
        let d = d ^ b;
        let b = b ^ c;
        let a = a ^ d;
        self.s = [a, b, c ^ t, d.rotate_left(11)];
        r
    }

    /// Uniform in [0, 1): 24 random bits times 2^-24.
    pub fn random(&mut self) -> f32 {
        ((self.next_u32() >> 8) as i32) as f32 * (1.0 / 16_777_216.0)
    }

    /// Uniform in [0, n), unbiased: a masked draw, rejected while >= n (fewer
    /// than two draws on average). 0 for n <= 1.
    pub fn below(&mut self, n: u32) -> u32 {
        if n <= 1 {
            return 0;
        }
        let mask = u32::MAX >> (n - 1).leading_zeros();
        loop {
            let v = self.next_u32() & mask;
            if v < n {
                return v;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xoshiro128ss_reference() {
        // The reference implementation from state {1, 2, 3, 4}.
        let mut r = Rng { s: [1, 2, 3, 4] };
        let got: [u32; 6] = core::array::from_fn(|_| r.next_u32());
        assert_eq!(got, [11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
    }

    #[test]
    fn seeds_differ_and_state_is_never_zero() {
        let a = Rng::seeded(0);
        assert_ne!(a.s, [0; 4]);
        let (mut x, mut y) = (Rng::seeded(1), Rng::seeded(2));
        let same = (0..1000).filter(|_| x.next_u32() == y.next_u32()).count();
        assert!(same < 3);
    }

    #[test]
    fn random_is_in_range_and_uniform() {
        let mut r = Rng::seeded(42);
        let mut bins = [0u32; 10];
        for _ in 0..100_000 {
            let v = r.random();
            assert!((0.0..1.0).contains(&v));
            bins[(v * 10.0) as usize] += 1;
        }
        for b in bins {
            assert!((9_500..10_500).contains(&b), "{bins:?}");
        }
    }

    #[test]
    fn below_is_in_range_and_unbiased() {
        let mut r = Rng::seeded(7);
        assert_eq!(r.below(1), 0);
        assert!(r.below(u32::MAX) < u32::MAX);
        for n in [2u32, 3, 5, 6, 7, 100] {
            let mut counts = [0u32; 100];
            let draws = 6_000 * n;
            for _ in 0..draws {
                let v = r.below(n);
                assert!(v < n);
                counts[v as usize] += 1;
            }
            for &c in &counts[..n as usize] {
                assert!((5_400..6_600).contains(&c), "n={n}: {c}");
            }
        }
    }
}

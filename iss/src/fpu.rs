//! The FPU's single-precision arithmetic as the chip does it: IEEE binary32
//! with the rounding mode in CONFIG bit 0 (nearest-even or toward zero),
//! subnormal inputs and results flushed to zero (the Epiphany has no
//! subnormals), and the flags the FPU reports.
//!
//! Each operation is computed exactly as a pair of f64s (value + exact
//! residual: a product of two f32s is exact in f64, and TwoSum gives a
//! sum's error exactly), then rounded once to f32 in the chip's mode, so
//! no result suffers double rounding.

/// FPU rounding mode (CONFIG bit 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    NearestEven,
    TowardZero,
}

/// The flags one operation raises (STATUS BZ/BN/BV and the BU/BI that feed
/// the sticky BUS/BIS).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FpFlags {
    pub zero: bool,
    pub negative: bool,
    pub overflow: bool,
    pub underflow: bool,
    pub invalid: bool,
}

/// The NaN an invalid operation on non-NaN inputs produces (inf - inf,
/// 0 * inf); a NaN input propagates, quieted (CGEN's simulator; the
/// reference is vague, ARCH-NOTES §5).
pub const DEFAULT_NAN: u32 = 0x7FC0_0000;
const QUIET: u32 = 0x00C0_0000;

/// A subnormal input reads as a zero of the same sign.
pub fn flush_input(bits: u32) -> f32 {
    if bits & 0x7F80_0000 == 0 {
        f32::from_bits(bits & 0x8000_0000)
    } else {
        f32::from_bits(bits)
    }
}

fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    let err = (a - (s - bb)) + (b - bb);
    (s, err)
}

/// The f32 next to `x` toward zero (x finite, nonzero).
fn step_toward_zero(x: f32) -> f32 {
    f32::from_bits(x.to_bits() - 1)
}

/// Rounds the exact value `s + err` (|err| <= half an f64 ulp of s) to f32.
fn round_exact(s: f64, err: f64, mode: Rounding) -> f32 {
    let t = s as f32; // nearest-even of s
    match mode {
        Rounding::NearestEven => {
            if err == 0.0 || t.is_infinite() || (t as f64) == s {
                return t;
            }
            // s is not representable; only a tie at s can be broken the
            // other way by err.
            let (lo, hi) = if (t as f64) < s {
                (
                    t,
                    f32::from_bits(if t >= 0.0 {
                        t.to_bits() + 1
                    } else {
                        t.to_bits() - 1
                    }),
                )
            } else {
                (
                    f32::from_bits(if t > 0.0 {
                        t.to_bits() - 1
                    } else {
                        t.to_bits() + 1
                    }),
                    t,
                )
            };
            let mid = (lo as f64 + hi as f64) / 2.0;
            if s == mid {
                if err > 0.0 { hi } else { lo }
            } else {
                t
            }
        }
        Rounding::TowardZero => {
            if s == 0.0 {
                return t;
            }
            let mut r = t;
            if r.is_infinite() || (r as f64).abs() > s.abs() {
                r = if r.is_infinite() {
                    f32::MAX.copysign(r)
                } else {
                    step_toward_zero(r)
                };
            }
            // Exactly representable, but the true value lies just inside it.
            if (r as f64) == s && err != 0.0 && (err < 0.0) == (s > 0.0) {
                r = step_toward_zero(r);
            }
            r
        }
    }
}

/// Finishes a result: invalid (None) -> `nan`; a nonzero
/// result below the smallest normal -> a zero of its sign (underflow);
/// overflow flagged; then the zero/negative flags.
fn finish(exact: Result<(f64, f64), u32>, mode: Rounding) -> (u32, FpFlags) {
    let mut f = FpFlags::default();
    let bits = match exact {
        Err(nan) => {
            f.invalid = true;
            nan
        }
        Ok((s, err)) => {
            let r = round_exact(s, err, mode);
            f.overflow = s.is_finite()
                && match mode {
                    Rounding::NearestEven => r.is_infinite(),
                    Rounding::TowardZero => s.abs() >= 2f64.powi(128),
                };
            if r.is_finite() && r.abs() < f32::MIN_POSITIVE && s != 0.0 {
                f.underflow = true;
                r.to_bits() & 0x8000_0000
            } else {
                r.to_bits()
            }
        }
    };
    // BZ and BN read the result's bits: -0 is zero and negative.
    f.zero = bits & 0x7FFF_FFFF == 0;
    f.negative = bits >> 31 != 0;
    (bits, f)
}

/// `fadd`/`fsub`/`fmul`/`fmadd`/`fmsub` on raw register bits.
/// `acc` is rd's old value (for madd/msub).
pub fn arith(op: crate::insn::FpuOp, acc: u32, n: u32, m: u32, mode: Rounding) -> (u32, FpFlags) {
    use crate::insn::FpuOp;
    let (a, b, c) = (
        flush_input(n) as f64,
        flush_input(m) as f64,
        flush_input(acc) as f64,
    );
    let fused = matches!(op, FpuOp::Madd | FpuOp::Msub);
    // A NaN input propagates quieted, first rn, then rm, then rd.
    let nan_in = [(n, true), (m, true), (acc, fused)]
        .into_iter()
        .find(|&(x, used)| used && f32::from_bits(x).is_nan());
    let exact = match op {
        FpuOp::Add => two_sum(a, b),
        FpuOp::Sub => two_sum(a, -b),
        FpuOp::Mul => (a * b, 0.0),
        FpuOp::Madd => two_sum(c, a * b),
        FpuOp::Msub => two_sum(c, -(a * b)),
    };
    let exact = match nan_in {
        Some((x, _)) => Err(x | QUIET),
        None if exact.0.is_nan() => Err(DEFAULT_NAN),
        None => Ok(exact),
    };
    finish(exact, mode)
}

/// `float`: a signed 32-bit integer to f32, rounded in the current mode.
pub fn float(n: u32, mode: Rounding) -> (u32, FpFlags) {
    finish(Ok((n as i32 as f64, 0.0)), mode)
}

/// `fix`: f32 to a signed 32-bit integer, rounded in the current mode;
/// out of range saturates and a NaN saturates by its sign (CGEN), both
/// flagged invalid.
pub fn fix(n: u32, mode: Rounding) -> (u32, FpFlags) {
    let x = flush_input(n);
    let mut f = FpFlags::default();
    let r = if x.is_nan() {
        f.invalid = true;
        if n >> 31 != 0 { i32::MIN } else { i32::MAX }
    } else {
        let y = match mode {
            Rounding::NearestEven => (x as f64).round_ties_even(),
            Rounding::TowardZero => (x as f64).trunc(),
        };
        if y >= 2147483648.0 {
            f.invalid = true;
            i32::MAX
        } else if y < -2147483648.0 {
            f.invalid = true;
            i32::MIN
        } else {
            y as i32
        }
    };
    f.zero = r == 0;
    f.negative = r < 0;
    (r as u32, f)
}

/// `fabs`: clears the sign bit (a NaN stays a NaN).
pub fn abs(n: u32) -> (u32, FpFlags) {
    let bits = flush_input(n).to_bits() & 0x7FFF_FFFF;
    let f = FpFlags {
        zero: bits == 0,
        ..FpFlags::default()
    };
    // BN = 0 (CGEN).
    (bits, f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insn::FpuOp;

    fn add(a: f32, b: f32, mode: Rounding) -> f32 {
        f32::from_bits(arith(FpuOp::Add, 0, a.to_bits(), b.to_bits(), mode).0)
    }

    #[test]
    fn nearest_matches_the_host_fpu() {
        let vals = [1.0f32, 0.1, -3.5, 1e30, -1e-30, 16777216.0, 3.4e38, 2.0e-38];
        for &a in &vals {
            for &b in &vals {
                let want = a + b;
                let want = if want != 0.0 && !want.is_normal() && want.is_finite() {
                    0.0f32.copysign(want)
                } else {
                    want
                };
                assert_eq!(
                    add(a, b, Rounding::NearestEven).to_bits(),
                    want.to_bits(),
                    "{a} + {b}"
                );
                let p = f32::from_bits(
                    arith(
                        FpuOp::Mul,
                        0,
                        a.to_bits(),
                        b.to_bits(),
                        Rounding::NearestEven,
                    )
                    .0,
                );
                let wp = a * b;
                if wp.is_normal() || wp == 0.0 || wp.is_infinite() {
                    assert_eq!(p.to_bits(), wp.to_bits(), "{a} * {b}");
                }
            }
        }
    }

    #[test]
    fn toward_zero_truncates_even_a_tiny_opposite_addend() {
        // 1 - 2^-60: nearest gives 1, toward zero the f32 just below 1.
        let tiny = -f32::from_bits(0x2180_0000); // -2^-60
        assert_eq!(add(1.0, tiny, Rounding::NearestEven), 1.0);
        assert_eq!(add(1.0, tiny, Rounding::TowardZero).to_bits(), 0x3F7F_FFFF);
        // 1 + 2^-60 truncates to 1.
        assert_eq!(add(1.0, -tiny, Rounding::TowardZero), 1.0);
        // 1/3 * 3 style: 0.1 * 3 rounds differently in the two modes.
        let m =
            |mode| f32::from_bits(arith(FpuOp::Mul, 0, 0.1f32.to_bits(), 3.0f32.to_bits(), mode).0);
        assert!(
            m(Rounding::TowardZero) < m(Rounding::NearestEven)
                || m(Rounding::TowardZero) == m(Rounding::NearestEven)
        );
        assert_eq!(m(Rounding::TowardZero).to_bits(), 0x3E99_9999);
        assert_eq!(m(Rounding::NearestEven).to_bits(), 0x3E99_999A);
    }

    #[test]
    fn ties_in_fmadd_are_broken_by_the_exact_product() {
        // acc + n*m where the f64 sum is exactly an f32 midpoint but the
        // exact value is a hair above it: a single rounding goes up.
        let acc = 1.0f32; // 1 + 2^-24 is the midpoint between 1 and 1+2^-23
        let n = f32::from_bits(0x3380_0001); // 2^-24 * (1 + 2^-23)
        let (r, _) = arith(
            FpuOp::Madd,
            acc.to_bits(),
            n.to_bits(),
            1.0f32.to_bits(),
            Rounding::NearestEven,
        );
        assert_eq!(r, 0x3F80_0001);
    }

    #[test]
    fn subnormals_flush_to_zero_with_underflow() {
        let tiny = f32::MIN_POSITIVE; // smallest normal
        let (r, f) = arith(
            FpuOp::Mul,
            0,
            tiny.to_bits(),
            0.5f32.to_bits(),
            Rounding::NearestEven,
        );
        assert_eq!(r, 0);
        assert!(f.underflow && f.zero);
        // A subnormal input is a zero.
        let (r, _) = arith(FpuOp::Add, 0, 1, 0, Rounding::NearestEven);
        assert_eq!(r, 0);
    }

    #[test]
    fn invalid_operations_give_the_default_nan() {
        let inf = f32::INFINITY.to_bits();
        let (r, f) = arith(FpuOp::Sub, 0, inf, inf, Rounding::NearestEven);
        assert_eq!(r, DEFAULT_NAN);
        assert!(f.invalid);
        let (r, f) = arith(
            FpuOp::Add,
            0,
            3.0f32.to_bits(),
            4.0f32.to_bits(),
            Rounding::NearestEven,
        );
        assert_eq!(f32::from_bits(r), 7.0);
        assert!(!f.invalid && !f.zero && !f.negative);
    }

    #[test]
    fn overflow_saturates_toward_zero_and_goes_infinite_to_nearest() {
        let big = f32::MAX.to_bits();
        let (r, f) = arith(FpuOp::Add, 0, big, big, Rounding::NearestEven);
        assert!(f32::from_bits(r).is_infinite() && f.overflow);
        let (r, f) = arith(FpuOp::Add, 0, big, big, Rounding::TowardZero);
        assert_eq!(r, big);
        assert!(f.overflow);
    }

    #[test]
    fn fix_and_float_round_in_the_current_mode() {
        assert_eq!(fix(2.5f32.to_bits(), Rounding::NearestEven).0, 2);
        assert_eq!(fix(3.5f32.to_bits(), Rounding::NearestEven).0, 4);
        assert_eq!(fix((-2.7f32).to_bits(), Rounding::TowardZero).0 as i32, -2);
        assert_eq!(
            fix(3e9f32.to_bits(), Rounding::NearestEven).0 as i32,
            i32::MAX
        );
        assert_eq!(
            float(16777217, Rounding::NearestEven).0,
            16777216f32.to_bits()
        );
        assert_eq!(
            float(16777219, Rounding::TowardZero).0,
            16777218f32.to_bits()
        );
        assert_eq!(
            f32::from_bits(float((-5i32) as u32, Rounding::NearestEven).0),
            -5.0
        );
    }
}

//! Single-precision maths for the `math` module, without libm, f64, a divider
//! or a sqrt instruction (the Epiphany FPU has none of them).
//!
//! Python semantics on floats: `Domain` is `ValueError("math domain error")`,
//! `Range` is `OverflowError("math range error")`; a NaN argument gives NaN
//! without an error (except where Python defines a value, e.g. `pow(1, nan)`).
//! Differences the caller must handle: `log_base(x, 1.0)` is `Err(Domain)`
//! where Python raises ZeroDivisionError (for any x that passes log(x));
//! floor/ceil/trunc return floats (inf and NaN unchanged: the int conversion
//! raises OverflowError / ValueError).
//!
//! Accuracy, measured on the host against the f64 result rounded to f32
//! (tests below; also every 13th f32 for the one-argument functions and 40
//! million random arguments per function): sqrt, floor, ceil, trunc, fabs and
//! fmod are exact; all the others are within 1 ulp, over the whole f32 range
//! (sin/cos/tan of huge arguments included). It assumes round-to-nearest-even
//! and separate multiply and add (Rust never fuses them). Subnormals are not
//! relied on: on the chip they flush to zero, so results below 2^-126 are 0.
//!
//! Techniques: one integer Payne-Hanek reduction by pi/2 for every |x| >= pi/4
//! (`rem_pio2`), a natural log in double-f32 (`ln_df`) shared by log, log10,
//! log_base and pow, one exp kernel on a double-f32 argument (`exp_df`) shared
//! by exp and pow, exact products by splitting (`two_prod`) instead of FMA,
//! fdlibm's atanf/asinf kernels, a bit-by-bit correctly rounded sqrt, and
//! `crate::float::fmod` (the `%` operator's exact fmod) for fmod.
//!
//! Cost on the chip: f32 divisions (a software routine on the Epiphany) in
//! log/log10 (2), log_base (6), tan (2), atan (0-1), atan2 (1-2), asin/acos (1-2),
//! pow (2); rem_pio2 multiplies and shifts u64s (no 64-bit division anywhere).

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MathError {
    /// Python: ValueError("math domain error").
    Domain,
    /// Python: OverflowError("math range error").
    Range,
}

use MathError::{Domain, Range};
use core::f32::consts::{FRAC_PI_2, FRAC_PI_4, LOG2_E, LOG10_E, PI as PI_HI};

type Res = Result<f32, MathError>;

const INF: f32 = f32::INFINITY;
const NAN: f32 = f32::NAN;
const SIGN: u32 = 0x8000_0000;
const PIO2: (f32, f32) = (FRAC_PI_2, -4.371_139e-8);
const PI: (f32, f32) = (PI_HI, -8.742_278e-8);
/// ln 2 with 15 significant bits (k * LN2_HI is exact for |k| < 512), and the rest.
const LN2_HI: f32 = 0.693_145_75;
const LN2_LO: f32 = 1.428_606_8e-6;

#[inline(always)]
fn fb(u: u32) -> f32 {
    f32::from_bits(u)
}

fn is_inf(x: f32) -> bool {
    fabs(x) == INF
}

/// `x` with the sign bit of `s` xor-ed in.
#[inline(always)]
fn xsign(x: f32, s: u32) -> f32 {
    fb(x.to_bits() ^ (s & SIGN))
}

/// 2^k for -126 <= k <= 127.
fn pow2(k: i32) -> f32 {
    fb(((k + 127) as u32) << 23)
}

/// x * 2^k for -252 <= k <= 254 (single rounding).
#[inline(never)]
fn scale(x: f32, k: i32) -> f32 {
    let a = k >> 1;
    x * pow2(a) * pow2(k - a)
}

/// Horner, highest coefficient first.
fn horner(x: f32, c: &[f32]) -> f32 {
    let mut r = 0.0;
    for &k in c {
        r = r * x + k;
    }
    r
}

/// (s, e) with s + e == a + b exactly, for |a| >= |b| (or a == 0).
fn fast2(a: f32, b: f32) -> (f32, f32) {
    let s = a + b;
    (s, b - (s - a))
}

/// (p, e) with p + e == a * b exactly (12-bit halves by masking; no FMA).
fn two_prod(a: f32, b: f32) -> (f32, f32) {
    let p = a * b;
    let ah = fb(a.to_bits() & 0xffff_f000);
    let bh = fb(b.to_bits() & 0xffff_f000);
    let (al, bl) = (a - ah, b - bh);
    (p, ((ah * bh - p) + ah * bl + al * bh) + al * bl)
}

type Df = (f32, f32);

fn mul_df(a: Df, b: Df) -> Df {
    let (p, e) = two_prod(a.0, b.0);
    fast2(p, e + (a.0 * b.1 + a.1 * b.0))
}

/// a / b, rounded once (almost).
fn div_df(a: Df, b: Df) -> f32 {
    let q = a.0 / b.0;
    let (p, e) = two_prod(q, b.0);
    q + ((((a.0 - p) - e) + a.1) - q * b.1) / b.0
}

// ---------------------------------------------------------------- rounding

pub fn fabs(x: f32) -> f32 {
    fb(x.to_bits() & !SIGN)
}

/// trunc, floor (dir = -1) and ceil (dir = 1); the result keeps x's sign
/// (so -0.5 gives -0.0 for trunc and ceil).
fn round_dir(x: f32, dir: f32) -> f32 {
    if x.is_nan() || fabs(x) >= 8_388_608.0 {
        return x; // integral, inf or nan
    }
    let t = x as i32 as f32;
    let t = if (t - x) * dir < 0.0 { t + dir } else { t };
    fb(t.to_bits() | (x.to_bits() & SIGN))
}

pub fn trunc(x: f32) -> f32 {
    round_dir(x, 0.0)
}
pub fn floor(x: f32) -> f32 {
    round_dir(x, -1.0)
}
pub fn ceil(x: f32) -> f32 {
    round_dir(x, 1.0)
}

/// Exact, with the sign of x; Python: fmod(x, inf) = x, fmod(inf, y) and
/// fmod(x, 0) are domain errors.
pub fn fmod(x: f32, y: f32) -> Res {
    if x.is_nan() || y.is_nan() {
        return Ok(x + y);
    }
    if is_inf(x) || y == 0.0 {
        return Err(Domain);
    }
    Ok(crate::float::fmod(x, y)) // exact, shared with the `%` operator
}

// ---------------------------------------------------------------- sqrt, hypot

/// Correctly rounded square root, bit by bit (fdlibm e_sqrtf).
fn sqrt_(x: f32) -> f32 {
    let mut ix = x.to_bits();
    if ix >= 0x7f80_0000 || x <= 0.0 {
        return if x == 0.0 || x == INF { x } else { NAN };
    }
    let mut m = (ix >> 23) as i32;
    if m == 0 {
        // subnormal: normalise
        while ix & 0x80_0000 == 0 {
            ix <<= 1;
            m -= 1;
        }
        m += 1;
    }
    m -= 127;
    ix = (ix & 0x7f_ffff) | 0x80_0000;
    if m & 1 != 0 {
        ix <<= 1;
    }
    m >>= 1;
    ix <<= 1;
    let (mut q, mut s, mut r) = (0u32, 0u32, 0x100_0000u32);
    while r != 0 {
        let t = s + r;
        if t <= ix {
            s = t + r;
            ix -= t;
            q += r;
        }
        ix <<= 1;
        r >>= 1;
    }
    if ix != 0 {
        q += q & 1;
    }
    fb(((q >> 1) + 0x3f00_0000).wrapping_add((m << 23) as u32))
}

pub fn sqrt(x: f32) -> Res {
    if x < 0.0 {
        return Err(Domain);
    }
    Ok(sqrt_(x))
}

/// Never an error: like Python (3.8+), an overflowing result is inf, and an
/// inf argument gives inf even with a NaN.
pub fn hypot(x: f32, y: f32) -> Res {
    let (mut a, mut b) = (fabs(x), fabs(y));
    if a == INF || b == INF {
        return Ok(INF);
    }
    if a.is_nan() || b.is_nan() {
        return Ok(NAN);
    }
    if a < b {
        (a, b) = (b, a);
    }
    if a == 0.0 {
        return Ok(0.0);
    }
    // scale a into [2, 4)
    let e = ((a.to_bits() >> 23) as i32).max(1);
    let (a, b) = (scale(a, 128 - e), scale(b, 128 - e));
    let s = sqrt_(a * a + b * b);
    Ok(scale(s * 0.5, e - 127))
}

// ---------------------------------------------------------------- exp, log, pow

/// e^(h + l) for |l| <= ulp(h); inf above ~89, 0 below ~-104.
fn exp_df(h: f32, l: f32) -> f32 {
    if h > 89.0 {
        return INF;
    }
    if h <= -104.0 {
        return 0.0;
    }
    let k = (h * LOG2_E + if h < 0.0 { -0.5 } else { 0.5 }) as i32;
    let kf = k as f32;
    let r = ((h - kf * LN2_HI) + l) - kf * LN2_LO;
    // e^r = 1 + r + r^2 (1/2 + r/6 + ...), |r| <= 0.35
    const P: [f32; 6] = [
        1.0 / 5040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
    ];
    scale(1.0 + (r + r * r * horner(r, &P)), k)
}

pub fn exp(x: f32) -> Res {
    if x.is_nan() {
        return Ok(x);
    }
    let r = exp_df(x, 0.0);
    if r == INF && x != INF {
        Err(Range)
    } else {
        Ok(r)
    }
}

/// ln x as a double-f32, for finite x > 0.
fn ln_df(x: f32) -> Df {
    let mut u = x.to_bits();
    let mut k: i32 = -127;
    if u < 0x0080_0000 {
        u = (x * 16_777_216.0).to_bits();
        k -= 24;
    }
    // x = 2^k * m, m in [sqrt(2)/2, sqrt(2))
    u += 0x3f80_0000 - 0x3f35_04f3;
    k += (u >> 23) as i32;
    let m = fb((u & 0x7f_ffff) + 0x3f35_04f3);
    let f = m - 1.0;
    // s = f / (2 + f) = (s, sl)
    let d = 2.0 + f;
    let dl = f - (d - 2.0);
    let s = f / d;
    let (p, e) = two_prod(s, d);
    let sl = (((f - p) - e) - s * dl) / d;
    // ln m = 2s + s^3 (2/3 + z R(z)), z = s^2 <= 0.0295
    const R: [f32; 5] = [2.0 / 13.0, 2.0 / 11.0, 2.0 / 9.0, 2.0 / 7.0, 2.0 / 5.0];
    let z = s * s;
    let c = fast2(0.666_666_7, z * horner(z, &R) - 1.986_821_6e-8);
    let ss = (s, sl);
    let t = mul_df(mul_df(mul_df(ss, ss), c), ss);
    let (a, b) = fast2(2.0 * s, t.0);
    let b = b + (2.0 * sl + t.1);
    let kf = k as f32;
    let (h, l) = fast2(kf * LN2_HI, a);
    fast2(h, l + (b + kf * LN2_LO))
}

/// ln x for the log family: Err(Domain) for x <= 0 (and -inf), inf for inf.
fn ln_checked(x: f32) -> Result<Df, MathError> {
    if x.is_nan() || x == INF {
        return Ok((x, 0.0));
    }
    if x <= 0.0 {
        return Err(Domain);
    }
    Ok(ln_df(x))
}

pub fn log(x: f32) -> Res {
    let (h, l) = ln_checked(x)?;
    Ok(h + l)
}

pub fn log10(x: f32) -> Res {
    let r = ln_checked(x)?;
    if r.0 == INF || r.0.is_nan() {
        return Ok(r.0);
    }
    let (h, l) = mul_df(r, (LOG10_E, -1.010_305e-8));
    Ok(h + l)
}

/// log(x) / log(base). Python raises ZeroDivisionError for base == 1; this
/// returns Err(Domain) then (the caller may test base == 1.0 first).
pub fn log_base(x: f32, base: f32) -> Res {
    let a = ln_checked(x)?;
    let b = ln_checked(base)?;
    if b.0 == 0.0 {
        return Err(Domain);
    }
    if is_inf(a.0) || is_inf(b.0) || a.0.is_nan() || b.0.is_nan() {
        return Ok(a.0 / b.0);
    }
    Ok(div_df(a, b))
}

/// Python's math.pow.
pub fn pow(x: f32, y: f32) -> Res {
    if y == 0.0 || x == 1.0 {
        return Ok(1.0);
    }
    // Exact (or one correctly rounded operation) for the exponents programs
    // use most, as CPython's pow is: exp(y log x) may be 1 ulp off.
    if y == 1.0 {
        return Ok(x);
    }
    if y == -1.0 && x != 0.0 {
        return Ok(1.0 / x);
    }
    if x.is_nan() || y.is_nan() {
        return Ok(x + y);
    }
    let ax = fabs(x);
    if is_inf(y) {
        return Ok(if ax == 1.0 {
            1.0
        } else if (ax > 1.0) == (y > 0.0) {
            INF
        } else {
            0.0
        });
    }
    let yint = trunc(y) == y;
    let odd = yint && fabs(y) < 16_777_216.0 && (y as i32) & 1 != 0;
    let sign = if odd { x.to_bits() } else { 0 };
    let r = if ax == INF {
        if y > 0.0 { INF } else { 0.0 }
    } else if ax == 0.0 {
        if y < 0.0 {
            return Err(Domain);
        }
        0.0
    } else {
        if x < 0.0 && !yint {
            return Err(Domain);
        }
        let ln = ln_df(ax);
        let t = ln.0 * y;
        let (h, l) = if fabs(t) > 200.0 {
            (t, 0.0)
        } else {
            mul_df(ln, (y, 0.0))
        };
        let r = exp_df(h, l);
        if r == INF {
            return Err(Range);
        }
        r
    };
    Ok(xsign(r, sign))
}

// ---------------------------------------------------------------- sin, cos, tan

/// 2/pi, 32 bits a word, after a zero word for the integer part.
const TWO_OVER_PI: [u32; 10] = [
    0,
    0xa2f9_836e,
    0x4e44_1529,
    0xfc27_57d1,
    0xf534_ddc0,
    0xdb62_9599,
    0x3c43_9041,
    0xfe51_63ab,
    0xdebb_c561,
    0xb724_6e3a,
];

/// x = q * pi/2 + (hi + lo), |hi + lo| <= pi/4 (about), for finite x.
/// One exact integer (Payne-Hanek) reduction for all |x| >= pi/4.
fn rem_pio2(x: f32) -> (u32, f32, f32) {
    let u = x.to_bits();
    let ax = u & !SIGN;
    if ax < 0x3f49_0fdb {
        return (0, x, 0.0);
    }
    // |x| = m * 2^(e - 150); we need the bits of 2/pi from weight 2^-(e-151) on
    let e = ax >> 23;
    let m = ((ax & 0x7f_ffff) | 0x80_0000) as u64;
    let b0 = e - 120; // bit offset in TWO_OVER_PI, >= 6
    let (w, s) = ((b0 >> 5) as usize, b0 & 31);
    let word = |i: usize| -> u64 {
        let t = |j: usize| TWO_OVER_PI.get(j).copied().unwrap_or(0) as u64;
        ((t(i) << 32 | t(i + 1)) << s >> 32) & 0xffff_ffff
    };
    // the low 96 bits of m * window(2/pi): 4 * frac(|x| * 2/pi / 4)
    let p2 = m * word(w + 2);
    let p1 = m * word(w + 1) + (p2 >> 32);
    let hi = (m * word(w) + (p1 >> 32)) as u32 as u64;
    let f = hi << 32 | (p1 & 0xffff_ffff);
    let q = ((f >> 62) + (f >> 61 & 1)) as u32;
    let f = (f << 2) as i64; // fraction of a quadrant, rounded to nearest
    let a = f.unsigned_abs();
    if a == 0 {
        return (if u & SIGN != 0 { q.wrapping_neg() } else { q }, 0.0, 0.0);
    }
    let lz = a.leading_zeros();
    let a = a << lz;
    // times pi/2 (0xc90fdaa2 = pi/2 * 2^31): r * 2^(63 + lz)
    const P: u64 = 0xc90f_daa2;
    let r = (a >> 32) * P + (((a & 0xffff_ffff) * P) >> 32);
    let lz2 = r.leading_zeros();
    let r = r << lz2;
    let sc = pow2(-23 - (lz + lz2) as i32);
    let h = ((r >> 40) as i32 as f32) * sc;
    let l = (((r >> 16) & 0xff_ffff) as i32 as f32) * (sc * (1.0 / 16_777_216.0));
    let neg = ((f < 0) as u32 ^ (u >> 31)) << 31;
    let q = if u & SIGN != 0 { q.wrapping_neg() } else { q };
    (q, xsign(h, neg), xsign(l, neg))
}

/// sin(x + y) as a double-f32, |x| <= pi/4, |y| <= ulp(x).
fn sin_k(x: f32, y: f32) -> Df {
    const S: [f32; 4] = [1.0 / 362_880.0, -1.0 / 5040.0, 1.0 / 120.0, -1.0 / 6.0];
    let z = x * x;
    fast2(x, (y - 0.5 * z * y) + z * x * horner(z, &S))
}

/// cos(x + y) as a double-f32, |x| <= pi/4, |y| <= ulp(x).
fn cos_k(x: f32, y: f32) -> Df {
    const C: [f32; 4] = [-1.0 / 3_628_800.0, 1.0 / 40320.0, -1.0 / 720.0, 1.0 / 24.0];
    let z = x * x;
    let hz = 0.5 * z;
    let w = 1.0 - hz;
    fast2(w, ((1.0 - w) - hz) + (z * z * horner(z, &C) - x * y))
}

/// sin (off = 0) or cos (off = 1) of finite x.
fn sin_cos(x: f32, off: u32) -> Res {
    if x.is_nan() {
        return Ok(x);
    }
    if is_inf(x) {
        return Err(Domain);
    }
    if off == 0 && fabs(x) < 2.4e-4 {
        return Ok(x); // sin x == x (and keeps -0.0)
    }
    let (q, h, l) = rem_pio2(x);
    let q = q.wrapping_add(off);
    let r = if q & 1 == 0 { sin_k(h, l) } else { cos_k(h, l) };
    Ok(xsign(r.0, q << 30))
}

pub fn sin(x: f32) -> Res {
    sin_cos(x, 0)
}

pub fn cos(x: f32) -> Res {
    sin_cos(x, 1)
}

pub fn tan(x: f32) -> Res {
    if fabs(x) < 2.4e-4 {
        return Ok(x); // tan x == x (and keeps -0.0)
    }
    if x.is_nan() {
        return Ok(x);
    }
    if is_inf(x) {
        return Err(Domain);
    }
    let (q, h, l) = rem_pio2(x);
    let (s, c) = (sin_k(h, l), cos_k(h, l));
    Ok(if q & 1 == 0 {
        div_df(s, c)
    } else {
        -div_df(c, s)
    })
}

// ---------------------------------------------------------------- asin, acos

/// asin(sqrt(z))/sqrt(z) - 1 = z R(z), |z| <= 1/4 (fdlibm asinf).
fn asin_r(z: f32) -> f32 {
    z * horner(z, &[-8.656_363e-3, -4.274_342_2e-2, 1.666_658_7e-1]) / (1.0 + z * -7.066_296_3e-1)
}

fn asin_acos(x: f32, acos: bool) -> Res {
    let ax = fabs(x);
    if ax > 1.0 {
        return Err(Domain);
    }
    if x.is_nan() {
        return Ok(x);
    }
    let neg = x.to_bits() & SIGN;
    // result = C + sigma * (a + b), with C = (ch, cl) and sigma = +-1
    let (a, b, c, minus, out);
    if ax < 0.5 {
        (a, b, out) = (x, x * asin_r(x * x), 0);
        (c, minus) = if acos {
            (PIO2, true)
        } else {
            ((0.0, 0.0), false)
        };
    } else {
        // 2 asin(sqrt(z)) with z = (1 - |x|) / 2, sqrt(z) = df + dl
        let z = (1.0 - ax) * 0.5;
        let s = sqrt_(z);
        let df = fb(s.to_bits() & 0xffff_f000);
        let dl = (z - df * df) / (s + df + 1e-30); // s is 0 or >= 2^-13
        (a, b) = (2.0 * df, 2.0 * (dl + s * asin_r(z)));
        (c, minus, out) = match (acos, neg != 0) {
            (false, _) => (PIO2, true, neg),
            (true, false) => ((0.0, 0.0), false, 0),
            (true, true) => (PI, true, 0),
        };
    }
    let r = if minus { c.0 - (a + (b - c.1)) } else { a + b };
    Ok(xsign(r, out))
}

pub fn asin(x: f32) -> Res {
    asin_acos(x, false)
}

pub fn acos(x: f32) -> Res {
    asin_acos(x, true)
}

// ---------------------------------------------------------------- atan, atan2

/// atan(x) for x >= 0 as (a, b): a is exact-ish, |a| <= pi/2, the
/// result is a + b (fdlibm atanf).
fn atan_k(x: f32) -> Df {
    const HI: [f32; 4] = [0.463_647_6, FRAC_PI_4, 0.982_793_75, FRAC_PI_2];
    const LO: [f32; 4] = [
        5.012_158_7e-9,
        -2.185_569_4e-8,
        -2.513_142_4e-8,
        -4.371_139e-8,
    ];
    const T: [f32; 5] = [
        6.168_760_7e-2,
        -1.064_801_7e-1,
        1.425_363_6e-1,
        -1.999_915_8e-1,
        3.333_332_8e-1,
    ];
    let (id, t) = if x < 0.4375 {
        (4, x)
    } else if x < 0.6875 {
        (0, (2.0 * x - 1.0) / (2.0 + x))
    } else if x < 1.1875 {
        (1, (x - 1.0) / (x + 1.0))
    } else if x < 2.4375 {
        (2, (x - 1.5) / (1.0 + 1.5 * x))
    } else {
        (3, -1.0 / x)
    };
    let z = t * t;
    let p = t * z * horner(z, &T);
    match (HI.get(id), LO.get(id)) {
        (Some(&h), Some(&l)) => (h, t + (l - p)),
        _ => (t, -p),
    }
}

pub fn atan(x: f32) -> Res {
    if x.is_nan() {
        return Ok(x);
    }
    let (a, b) = atan_k(fabs(x));
    Ok(xsign(a + b, x.to_bits()))
}

pub fn atan2(y: f32, x: f32) -> Res {
    if x.is_nan() || y.is_nan() {
        return Ok(x + y);
    }
    let (ay, ax) = (fabs(y), fabs(x));
    // |y| / |x|; 0/0 -> 0, inf/inf -> 1
    let q = if ay == ax {
        if ay == 0.0 { 0.0 } else { 1.0 }
    } else {
        ay / ax
    };
    let (a, b) = atan_k(q);
    let r = if x.to_bits() & SIGN != 0 {
        let (s, e) = fast2(PI.0, -a);
        s + (e + (PI.1 - b))
    } else {
        a + b
    };
    Ok(xsign(r, y.to_bits()))
}

#[cfg(test)]
#[allow(clippy::type_complexity)]
mod tests {
    use super::*;

    type F1 = fn(f32) -> Res;
    type F2 = fn(f32, f32) -> Res;

    /// Distance in ulps between `got` and the f32 rounding of `want`.
    fn ulps(got: f32, want: f64) -> u32 {
        let ord = |x: f32| {
            let b = x.to_bits() as i32;
            if b < 0 { i32::MIN.wrapping_sub(b) } else { b }
        };
        let w = want as f32;
        if w.is_nan() || got.is_nan() {
            return if w.is_nan() && got.is_nan() {
                0
            } else {
                u32::MAX
            };
        }
        if w.abs() < f32::MIN_POSITIVE && got.abs() < f32::MIN_POSITIVE {
            return 0; // subnormals: flushed on the chip
        }
        ord(got).abs_diff(ord(w))
    }

    /// Python's outcome class: . finite nonzero (checked against f64 within
    /// 1 ulp), 0 / z signed zeros, i / j +-inf, n nan, D ValueError,
    /// R OverflowError, Z ZeroDivisionError (Domain here).
    fn check(name: &str, args: (f32, f32), got: Res, want: char, exact: f64) {
        let ok = match (want, got) {
            ('D' | 'Z', Err(Domain)) | ('R', Err(Range)) => true,
            ('0', Ok(v)) => v.to_bits() == 0,
            ('z', Ok(v)) => v.to_bits() == SIGN,
            ('i', Ok(v)) => v == INF,
            ('j', Ok(v)) => v == -INF,
            ('n', Ok(v)) => v.is_nan(),
            ('.', Ok(v)) => v != 0.0 && ulps(v, exact) <= 1,
            _ => false,
        };
        assert!(ok, "{name}{args:?} = {got:?}, Python: {want} ({exact})");
    }

    const S: [f32; 10] = [0.0, -0.0, 1.0, -1.0, 0.5, -2.0, 3.0, INF, -INF, NAN];

    #[test]
    fn special_values_follow_python() {
        // generated with CPython's math module over S (x) and S x S (x, y)
        let one: [(&str, F1, fn(f64) -> f64, &str); 10] = [
            ("sqrt", sqrt, f64::sqrt, "0z.D.D.iDn"),
            ("exp", exp, f64::exp, ".......i0n"),
            ("log", log, f64::ln, "DD0D.D.iDn"),
            ("log10", log10, f64::log10, "DD0D.D.iDn"),
            ("sin", sin, f64::sin, "0z.....DDn"),
            ("cos", cos, f64::cos, ".......DDn"),
            ("tan", tan, f64::tan, "0z.....DDn"),
            ("asin", asin, f64::asin, "0z...DDDDn"),
            ("acos", acos, f64::acos, "..0..DDDDn"),
            ("atan", atan, f64::atan, "0z.......n"),
        ];
        for (name, f, r, want) in one {
            for (&x, w) in S.iter().zip(want.chars()) {
                check(name, (x, 0.0), f(x), w, r(x as f64));
            }
        }
        let two: [(&str, F2, fn(f64, f64) -> f64, &str); 5] = [
            (
                "atan2",
                atan2,
                f64::atan2,
                "0.0.0.00.nz.z.z.zz.n.......0.n.......z.n.......0.n.......z.n.......0.n.........n.........nnnnnnnnnnn",
            ),
            (
                "pow",
                pow,
                f64::powf,
                "..0D0D00in..zD0Dz0in..............D....n.......0in....D..i0n.......i0n..i0i0ii0n..jzi0ji0n..nnnnnnnn",
            ),
            (
                "fmod",
                fmod,
                |a, b| a % b,
                "DD0000000nDDzzzzzzznDD000....nDDzzz....nDD..0....nDDzzzz...nDD000.0..nDDDDDDDDDnDDDDDDDDDnnnnnnnnnnn",
            ),
            (
                "hypot",
                hypot,
                f64::hypot,
                "00.....iin00.....iin.......iin.......iin.......iin.......iin.......iiniiiiiiiiiiiiiiiiiiiinnnnnnniin",
            ),
            (
                "log_base",
                log_base,
                |a, b| a.ln() / b.ln(),
                "DDDDDDDDDDDDDDDDDDDDDDZDzD00DnDDDDDDDDDDDDZD.D.zDnDDDDDDDDDDDDZD.D.0DnDDZDjDinDnDDDDDDDDDDDDZDnDnnDn",
            ),
        ];
        for (name, f, r, want) in two {
            let mut w = want.chars();
            for &x in &S {
                for &y in &S {
                    check(
                        name,
                        (x, y),
                        f(x, y),
                        w.next().unwrap(),
                        r(x as f64, y as f64),
                    );
                }
            }
        }
    }

    #[test]
    fn f32_overflow_and_underflow() {
        assert!(ulps(exp(88.72283).unwrap(), (88.72283f32 as f64).exp()) <= 1);
        assert_eq!(exp(88.72284), Err(Range));
        assert_eq!(exp(-104.0), Ok(0.0));
        assert_eq!(pow(2.0, 128.0), Err(Range));
        assert_eq!(pow(-2.0, 127.0), Ok(-1.701_411_8e38));
        assert_eq!(pow(-2.0, 129.0), Err(Range));
        assert_eq!(pow(10.0, -50.0), Ok(0.0));
        assert_eq!(pow(2.0, 1e38), Err(Range));
        assert_eq!(pow(0.5, 1e38), Ok(0.0));
        assert_eq!(pow(-8.0, 1.0 / 3.0), Err(Domain));
        assert_eq!(pow(-0.0, -3.0), Err(Domain));
        assert_eq!(hypot(3e38, 3e38), Ok(INF)); // Python: inf, no OverflowError
        assert_eq!(hypot(3e38, 4e37), Ok(3.026_549e38));
        assert_eq!(log_base(8.0, 1.0), Err(Domain)); // Python: ZeroDivisionError
        assert_eq!(sin(-0.0).map(f32::to_bits), Ok(SIGN));
    }

    #[test]
    fn exact_functions() {
        for (x, f, c, t) in [
            (2.5f32, 2.0f32, 3.0f32, 2.0f32),
            (-2.5, -3.0, -2.0, -2.0),
            (-0.5, -1.0, -0.0, -0.0),
            (0.5, 0.0, 1.0, 0.0),
            (-0.0, -0.0, -0.0, -0.0),
            (8388607.5, 8388607.0, 8388608.0, 8388607.0),
            (-1e30, -1e30, -1e30, -1e30),
        ] {
            assert_eq!(floor(x).to_bits(), f.to_bits(), "floor {x}");
            assert_eq!(ceil(x).to_bits(), c.to_bits(), "ceil {x}");
            assert_eq!(trunc(x).to_bits(), t.to_bits(), "trunc {x}");
            assert_eq!(fabs(x), x.abs());
        }
        assert!(floor(NAN).is_nan() && ceil(INF) == INF && trunc(-INF) == -INF);
        assert_eq!(pow(2.0, 10.0), Ok(1024.0));
        assert_eq!(pow(-3.0, 3.0), Ok(-27.0));
        assert_eq!(sqrt(16.0), Ok(4.0));
        assert_eq!(log10(1000.0), Ok(3.0));
        assert_eq!(log_base(1024.0, 2.0), Ok(10.0));
        assert_eq!(fmod(-7.5, 2.0), Ok(-1.5));
        assert_eq!(fmod(5.0, INF), Ok(5.0));
    }

    /// Random arguments over the whole f32 range and over the usual ranges:
    /// within 1 ulp of the f64 result rounded to f32; sqrt, fmod exact.
    #[test]
    fn accuracy_against_f64() {
        let mut s = 0x2545_f491u32;
        let mut u = move || {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            s
        };
        let mut arg = |lo: f32, hi: f32| {
            let r = u();
            if r & 1 == 0 {
                let f = f32::from_bits(u());
                if f.is_finite() { f } else { 1.5 }
            } else {
                lo + (hi - lo) * ((r >> 8) as f32 / 16_777_216.0)
            }
        };
        const N: usize = 30_000;
        let one: [(&str, F1, fn(f64) -> f64, f32, f32, u32); 10] = [
            ("sqrt", sqrt, f64::sqrt, 0.0, 4.0, 0),
            ("exp", exp, f64::exp, -104.0, 89.0, 1),
            ("log", log, f64::ln, 0.0, 3.0, 1),
            ("log10", log10, f64::log10, 0.0, 3.0, 1),
            ("sin", sin, f64::sin, -10.0, 10.0, 1),
            ("cos", cos, f64::cos, -10.0, 10.0, 1),
            ("tan", tan, f64::tan, -10.0, 10.0, 1),
            ("asin", asin, f64::asin, -1.0, 1.0, 1),
            ("acos", acos, f64::acos, -1.0, 1.0, 1),
            ("atan", atan, f64::atan, -4.0, 4.0, 1),
        ];
        for (name, f, r, lo, hi, tol) in one {
            for _ in 0..N {
                let x = arg(lo, hi);
                let x = if name == "sqrt" || name.starts_with("log") {
                    x.abs()
                } else {
                    x
                };
                let want = r(x as f64);
                match f(x) {
                    Ok(v) => assert!(ulps(v, want) <= tol, "{name}({x:e}) = {v:e}, want {want:e}"),
                    Err(e) => assert!(!(want as f32).is_finite(), "{name}({x:e}): {e:?}"),
                }
            }
        }
        let two: [(&str, F2, fn(f64, f64) -> f64, f32, f32, u32); 5] = [
            ("atan2", atan2, f64::atan2, -4.0, 4.0, 1),
            ("pow", pow, f64::powf, 0.0, 4.0, 1),
            ("fmod", fmod, |a, b| a % b, -10.0, 10.0, 0),
            ("hypot", hypot, f64::hypot, -4.0, 4.0, 1),
            ("log_base", log_base, |a, b| a.ln() / b.ln(), 0.0, 4.0, 1),
        ];
        for (name, f, r, lo, hi, tol) in two {
            for _ in 0..N {
                let (mut x, y) = (arg(lo, hi), arg(lo, hi));
                if name == "log_base" {
                    x = x.abs();
                }
                let y = if name == "log_base" { y.abs() } else { y };
                let want = r(x as f64, y as f64);
                match f(x, y) {
                    Ok(v) => assert!(
                        ulps(v, want) <= tol,
                        "{name}({x:e}, {y:e}) = {v:e}, want {want:e}"
                    ),
                    Err(e) => assert!(
                        !(want as f32).is_finite() || y == 0.0,
                        "{name}({x:e}, {y:e}): {e:?}"
                    ),
                }
            }
        }
        // pow near 1 with large exponents, and of negative bases
        for _ in 0..N {
            let (x, y) = (arg(0.9, 1.1), arg(-1000.0, 1000.0));
            if let (true, Ok(v)) = ((0.5..2.0).contains(&x), pow(x, y)) {
                assert!(ulps(v, (x as f64).powf(y as f64)) <= 1, "pow({x:e}, {y:e})");
            }
            let (x, y) = (arg(-10.0, 0.0), trunc(arg(-40.0, 40.0) % 64.0));
            if let Ok(v) = pow(x, y) {
                assert!(ulps(v, (x as f64).powf(y as f64)) <= 1, "pow({x:e}, {y:e})");
            }
        }
    }
}

//! The one number formatter (no core::fmt): the firmware uses it for `str(x)`
//! and the host for print, so both print the same text.
//!
//! Floats follow Python's `repr` of the f32 value: the shortest digits that
//! round-trip in f32 (`0.1`, `0.33333334`), `1e-05` and `1e+16` past Python's
//! thresholds, `inf`, `-inf`, `nan`, and a `.0` on integral values.
//! [`parse_float`] reads Python float text back, correctly rounded to f32.
//!
//! # How `format_float` finds the digits (exact, table-free Ryu)
//!
//! A finite nonzero f32 is `f·2^e` (24-bit `f`). With `e2 = e-2` the value and
//! the two midpoints to its neighbours are `X·2^e2` for the integers
//! `X = 4f` and `4f+2` (above) and `4f-2` (below; `4f-1` when `f` is a power of
//! two whose lower neighbour is twice as close). A decimal rounds back to `v`
//! iff it lies between the midpoints (inclusive iff `f` is even: ties go to
//! even when parsing).
//!
//! Like Ryu, we scale all three by `10^-t0` with `t0 = floor(e2·log10 2)`, so
//! `10^t0 <= 2^e2`: one unit at that scale is at most a quarter ulp, hence the
//! shortest answer has its last digit at `10^t0` or higher, and the scaled
//! values (`< 2^26·10`) fit a u32. Unlike Ryu, which gets `floor(X·2^e2/10^t0)`
//! from a table of 78 64-bit multipliers (624 bytes) plus "is it exact" tests,
//! we compute it EXACTLY with a 160-bit integer: `X·2^a·5^b` with `a = e2-t0`,
//! `b = -t0`; positive powers multiply (`u32×u32→u64` limb products, chunks
//! of `2^31` / `5^13`), negative powers divide (chunks `< 2^16`, so each step
//! is a u32 division of `rem·2^16 + halfword`: no 64-bit division). Any
//! nonzero remainder means "inexact". `10·X·5^46 < 2^137` bounds the size.
//! We also get the digit just below `10^t0` for `v`, so rounding is exact.
//!
//! From the exact `vm <= vr <= vp` (plus "exact" flags) Ryu's general loop
//! drops common trailing digits while the interval still holds a shorter
//! number, then rounds `vr` to nearest (half to even, as Python's dtoa does;
//! Rust's `{:?}` rounds such exact ties up, e.g. 2097152.25f32) and takes
//! `vr+1` if `vr` itself fell outside the interval. No tables, no f64, no
//! core::fmt, no 64-bit division, and every store goes through `get_mut` or a
//! `heapless::Vec` push (which refuses past its capacity), so
//! there is no panic path. It was checked against Rust's shortest printing on
//! every positive f32 (see the ignored test in `tests/numfmt_float.rs`).

/// Longest text `format_int` writes: "-2147483648".
pub const INT_MAX_LEN: usize = 11;
/// Longest text `format_float` writes: 16 integer digits in fixed notation,
/// ".0" and a sign ("-1234568000000000.0").
pub const FLOAT_MAX_LEN: usize = 19;

/// The text of an int: at most [`INT_MAX_LEN`] ASCII bytes.
pub type IntText = heapless::Vec<u8, INT_MAX_LEN>;
/// The text of a float: at most [`FLOAT_MAX_LEN`] ASCII bytes.
pub type FloatText = heapless::Vec<u8, FLOAT_MAX_LEN>;

/// `v` in decimal.
pub fn format_int(v: i32) -> IntText {
    let mut digits = [0u8; 10];
    let mut n = v.unsigned_abs();
    let mut k = 0;
    loop {
        digits[k] = b'0' + (n % 10) as u8;
        n /= 10;
        k += 1;
        if n == 0 {
            break;
        }
    }
    let mut out = IntText::new();
    // At most 11 bytes, the capacity: the pushes cannot fail.
    if v < 0 {
        let _ = out.push(b'-');
    }
    for &d in digits[..k].iter().rev() {
        let _ = out.push(d);
    }
    out
}

// Little-endian u32-limb unsigned integers: `[u32; 5]` for formatting
// (`10·X·5^46 < 2^137`), `[u32; PARSE_LIMBS]` for parsing.

/// `n = floor(n / d)` for `0 < d < 2^16` (so `rem·2^16 + halfword` fits a
/// u32); returns the remainder.
fn div_small(n: &mut [u32], d: u32) -> u32 {
    let d = d.max(1);
    let mut rem = 0u32;
    for limb in n.iter_mut().rev() {
        let hi = (rem << 16) | (*limb >> 16);
        let lo = ((hi % d) << 16) | (*limb & 0xffff);
        *limb = ((hi / d) << 16) | (lo / d);
        rem = lo % d;
    }
    rem
}

/// `n = n·m + a` (the top carry is dropped; callers size `n` so it is zero).
fn mul_add(n: &mut [u32], m: u32, a: u32) {
    let mut carry = a as u64;
    for limb in n.iter_mut() {
        let p = *limb as u64 * m as u64 + carry;
        *limb = p as u32;
        carry = p >> 32;
    }
}

/// `n *= base^count` (`div == false`) or `n = floor(n / base^count)`;
/// returns true if a division dropped a nonzero remainder. Multipliers are
/// chunked below 2^32 (`u32×u32+carry` fits a u64), divisors below 2^16.
fn scale_pow(n: &mut [u32], base: u32, mut count: i32, div: bool) -> bool {
    let limit = if div { 1 << 16 } else { u32::MAX };
    let mut inexact = false;
    while count > 0 {
        let mut m = 1u32;
        while count > 0 && m < limit / base {
            m *= base;
            count -= 1;
        }
        if div {
            inexact |= div_small(n, m) != 0;
        } else {
            mul_add(n, m, 0);
        }
    }
    inexact
}

/// For `x·2^e2 / 10^t0` (see the module doc): the integer part (`< 2^30`),
/// the next decimal digit, and whether everything below that digit is zero.
fn scaled(x: u32, e2: i32, t0: i32) -> (u32, u32, bool) {
    let mut n = [x * 10, 0, 0, 0, 0];
    scale_pow(&mut n, 2, e2 - t0, false);
    scale_pow(&mut n, 5, -t0, false);
    let inexact = scale_pow(&mut n, 5, t0, true) | scale_pow(&mut n, 2, t0 - e2, true);
    let digit = div_small(&mut n, 10);
    (n[0], digit, !inexact)
}

/// Python's `repr` of the f32 `v` (shortest round-trip digits; see the
/// module doc). FLOAT_MAX_LEN is the worst case, so no byte is ever dropped
/// (a push past the capacity would be, silently: there is no panic path).
pub fn format_float(v: f32) -> FloatText {
    let mut o = FloatText::new();
    let bits = v.to_bits();
    let biased = (bits >> 23) & 0xff;
    let frac = bits & 0x7f_ffff;
    if biased == 0xff && frac != 0 {
        let _ = o.extend_from_slice(b"nan");
        return o;
    }
    if bits >> 31 != 0 {
        let _ = o.push(b'-');
    }
    if biased == 0xff {
        let _ = o.extend_from_slice(b"inf");
        return o;
    }
    if biased | frac == 0 {
        let _ = o.extend_from_slice(b"0.0");
        return o;
    }
    let (f, e2) = if biased == 0 {
        (frac, -151)
    } else {
        (frac | 1 << 23, biased as i32 - 152)
    };
    // floor(e2 · log10 2), exact for |e2| <= 1650 (arithmetic shift floors).
    let t0 = (e2 * 78913) >> 18;
    let accept = f & 1 == 0;
    let mv = 4 * f;
    let below = if frac == 0 && biased > 1 { 1 } else { 2 };
    let (mut vr, mut last, mut vr_tz) = scaled(mv, e2, t0);
    let (mut vp, p_digit, p_tz) = scaled(mv + 2, e2, t0);
    let (mut vm, m_digit, m_tz) = scaled(mv - below, e2, t0);
    // vm_tz: the lower midpoint is exactly vm and may itself be printed.
    let mut vm_tz = accept && m_digit == 0 && m_tz;
    if !accept && p_digit == 0 && p_tz {
        vp -= 1; // the upper midpoint is exact but excluded
    }
    let mut exp10 = t0;
    // Ryu's general case: drop digits while a shorter number still fits.
    while vp / 10 > vm / 10 || (vm_tz && vm % 10 == 0) {
        vm_tz &= vm % 10 == 0;
        vr_tz &= last == 0;
        last = vr % 10;
        vr /= 10;
        vp /= 10;
        vm /= 10;
        exp10 += 1;
    }
    if vr_tz && last == 5 && vr % 2 == 0 {
        last = 4; // an exact tie: round half to even
    }
    let digits = vr + ((vr == vm && !vm_tz) || last >= 5) as u32;

    // Lay out the (at most 9) digits: buf holds them right-aligned after '0's.
    let mut buf = [b'0'; 10];
    let mut rest = digits;
    let mut n = 0i32;
    while rest != 0 {
        n += 1;
        if let Some(slot) = buf.get_mut((10 - n) as usize) {
            *slot = b'0' + (rest % 10) as u8;
        }
        rest /= 10;
    }
    // Digit i of d1..dn (0-based); '0' outside that range.
    let d = |i: i32| *buf.get((10 - n + i) as usize).unwrap_or(&b'0');
    let x = exp10 + n - 1; // scientific exponent
    if (-4..16).contains(&x) {
        let mut p = if x > 0 { x } else { 0 };
        let lowest = if x - n + 1 < -1 { x - n + 1 } else { -1 };
        while p >= lowest {
            let _ = o.push(d(x - p));
            if p == 0 {
                let _ = o.push(b'.');
            }
            p -= 1;
        }
    } else {
        let _ = o.push(d(0));
        if n > 1 {
            let _ = o.push(b'.');
            for i in 1..n {
                let _ = o.push(d(i));
            }
        }
        let ax = x.unsigned_abs();
        let _ = o.extend_from_slice(&[
            b'e',
            if x < 0 { b'-' } else { b'+' },
            b'0' + (ax / 10) as u8,
            b'0' + (ax % 10) as u8,
        ]);
    }
    o
}

/// Significant digits `parse_float` keeps exactly; the rest only count as
/// "nonzero or not". An f32 rounding midpoint has at most 113 significant
/// digits (`odd·2^-150`), so this can never change a rounding decision.
const PARSE_DIGITS: i32 = 120;
/// Limbs for `parse_float`: the kept digits (plus a sticky digit) times the
/// scaling: `x·2^s < 2^35` times `5^166` is below `2^420`.
const PARSE_LIMBS: usize = 14;

/// Parse Python float text (`float("...")`): optional surrounding ASCII
/// whitespace and sign, then `inf`/`infinity`/`nan` (any case) or digits
/// with an optional '.' and exponent, `_` allowed between digits. The result
/// is correctly rounded to f32 (ties to even; overflow gives inf, underflow
/// a zero). `None` if the text is not a float literal. Unlike CPython, only
/// ASCII digits and ASCII whitespace are accepted.
///
/// Exact: the first [`PARSE_DIGITS`] significant digits go into a big integer
/// `N` (a dropped nonzero digit appends a final `1`), so the value is
/// `N·10^q`. With `s` chosen so that `x·2^s` is about `2^30` (capped at 150,
/// the subnormal rounding position), `R = floor(N·5^q·2^(q+s))` is computed
/// like `format_float` does (multiply first, then chunked divisions that
/// only record "inexact"), and `R` plus that sticky bit rounds to 24 bits.
pub fn parse_float(text: &[u8]) -> Option<f32> {
    let mut s = text.trim_ascii();
    let mut sign = 0u32;
    if let Some((&c @ (b'+' | b'-'), rest)) = s.split_first() {
        sign = ((c == b'-') as u32) << 31;
        s = rest;
    }
    if s.eq_ignore_ascii_case(b"inf") || s.eq_ignore_ascii_case(b"infinity") {
        return Some(f32::from_bits(sign | 0x7f80_0000));
    }
    if s.eq_ignore_ascii_case(b"nan") {
        return Some(f32::from_bits(sign | 0x7fc0_0000));
    }
    let digit = |i: usize| match s.get(i) {
        Some(&c) if c.is_ascii_digit() => Some((c - b'0') as u32),
        _ => None,
    };
    let mut n = [0u32; PARSE_LIMBS];
    let (mut kept, mut q, mut sticky) = (0i32, 0i32, false);
    let (mut i, mut frac, mut any) = (0usize, false, false);
    let mut exp = 0i32;
    let mut in_exp = false;
    let mut exp_neg = false;
    loop {
        if let Some(d) = digit(i) {
            if in_exp {
                exp = (exp * 10 + d as i32).min(1 << 20);
            } else if kept < PARSE_DIGITS {
                if kept > 0 || d != 0 {
                    mul_add(&mut n, 10, d);
                    kept += 1;
                }
                q = q.saturating_sub(frac as i32);
            } else {
                sticky |= d != 0;
                q = q.saturating_add(!frac as i32);
            }
            any = true;
        } else {
            match s.get(i) {
                // '_' only between two digits
                Some(b'_') if i > 0 && digit(i - 1).is_some() && digit(i + 1).is_some() => {}
                Some(b'.') if !frac && !in_exp => frac = true,
                Some(b'e' | b'E') if any && !in_exp => {
                    in_exp = true;
                    any = false;
                    if let Some(&c @ (b'+' | b'-')) = s.get(i + 1) {
                        exp_neg = c == b'-';
                        i += 1;
                    }
                }
                Some(_) => return None,
                None => break,
            }
        }
        i += 1;
    }
    if !any {
        return None; // no mantissa digits, or an empty exponent
    }
    if sticky {
        mul_add(&mut n, 10, 1);
        kept += 1;
        q -= 1;
    }
    q = q.saturating_add(if exp_neg { -exp } else { exp });
    // x = N·10^q lies in [10^(dexp-1), 10^dexp).
    let dexp = q.saturating_add(kept);
    let bits = if kept == 0 || dexp < -45 {
        0 // below half the smallest subnormal
    } else if dexp > 39 {
        0x7f80_0000
    } else {
        // t ~ floor(log2 10^(dexp-1)) (within +0.02/-1), so x·2^s is in
        // [2^29, 2^35) unless the cap at s = 150 (subnormals) applies.
        let t = ((dexp - 1) * 1701) >> 9;
        let s2 = if 30 - t < 150 { 30 - t } else { 150 };
        scale_pow(&mut n, 5, q, false);
        scale_pow(&mut n, 2, q + s2, false);
        sticky = scale_pow(&mut n, 5, -q, true) | scale_pow(&mut n, 2, -q - s2, true);
        let mut r = n[0] as u64 | (n[1] as u64) << 32;
        let mut e = 1 - s2; // exponent of the mantissa's last bit after >> 1
        while r >= 1 << 25 {
            sticky |= r & 1 != 0;
            r >>= 1;
            e += 1;
        }
        let mut m = (r >> 1) as u32;
        if r & 1 != 0 && (sticky || m & 1 != 0) {
            m += 1;
        }
        // m < 2^23 only at e = -149 (subnormal); a carry to 2^24 or past the
        // top exponent lands on the right field / infinity by itself.
        let b = (((e + 149) as u32) << 23) + m;
        if b < 0x7f80_0000 { b } else { 0x7f80_0000 }
    };
    Some(f32::from_bits(sign | bits))
}

/// Python's `round(v, nd)` of the f32 `v`, as CPython rounds the exact
/// binary value: to the nearest multiple of `10^-nd`, halves to even, then
/// the nearest f32 (so `round(2.675, 2)` is `2.67`: the f32 is 2.67499995...).
///
/// Exact: with `v = f·2^e`, `2·|v|·10^nd` is `A/B` for integers `A` and `B`
/// made of `f` and powers of 2 and 5; `floor(A/B)` (multiplications, then
/// chunked divisions recording "inexact", as in `parse_float`) gives the
/// quotient, its half bit and a sticky bit. When `|v|·10^nd > 2^24`, the
/// rounding moves `v` by less than half its ulp, so the answer is `v`; else
/// the quotient is small and `quotient·10^-nd` is read back by `parse_float`.
pub fn round_float(v: f32, nd: i32) -> f32 {
    let bits = v.to_bits();
    let (sign, biased, frac) = (bits & 1 << 31, (bits >> 23) & 0xff, bits & 0x7f_ffff);
    if biased == 0xff || bits << 1 == 0 {
        return v; // inf, nan, zeros
    }
    let (f, e) = if biased == 0 { (frac, -149) } else { (frac | 1 << 23, biased as i32 - 150) };
    if nd >= 0 && e.saturating_add(nd) >= 0 {
        return v; // v·10^nd is an integer already
    }
    // |v| < 2^128 < 10^39: nothing but 0 at 10^40 and up.
    let q = if nd < -40 {
        0
    } else {
        // nd < -e <= 149 here, so A = 2f·5^nd < 2^25·5^149 < 2^372.
        let mut n = [0u32; PARSE_LIMBS];
        n[0] = 2 * f;
        scale_pow(&mut n, 5, nd, false);
        scale_pow(&mut n, 2, e + nd, false);
        let sticky = scale_pow(&mut n, 5, -nd, true) | scale_pow(&mut n, 2, -(e + nd), true);
        if n[1..].iter().any(|&l| l != 0) || n[0] >= 1 << 26 {
            return v;
        }
        let (q, half) = (n[0] >> 1, n[0] & 1 != 0);
        q + (half && (sticky || q & 1 != 0)) as u32
    };
    // "Qe-ND", read back correctly rounded (two ints and an 'e' fit).
    let mut text = heapless::Vec::<u8, { 2 * INT_MAX_LEN + 1 }>::new();
    let _ = text.extend_from_slice(&format_int(q as i32));
    let _ = text.push(b'e');
    let _ = text.extend_from_slice(&format_int(nd.saturating_neg()));
    let r = parse_float(&text).unwrap_or(0.0);
    f32::from_bits(r.to_bits() | sign)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(v: i32) -> &'static str {
        std::string::String::from_utf8(format_int(v).to_vec()).unwrap().leak()
    }

    extern crate std;

    fn flt(v: f32) -> &'static str {
        std::string::String::from_utf8(format_float(v).to_vec()).unwrap().leak()
    }

    #[test]
    fn floats_print_like_python() {
        let cases: [(f32, &str); 26] = [
            (0.1, "0.1"),
            (1.0 / 3.0, "0.33333334"),
            (1.0, "1.0"),
            (100.0, "100.0"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (3.4028235e38, "3.4028235e+38"),
            (-3.4028235e38, "-3.4028235e+38"),
            (f32::from_bits(1), "1e-45"),
            (f32::MIN_POSITIVE, "1.1754944e-38"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (f32::INFINITY, "inf"),
            (f32::NEG_INFINITY, "-inf"),
            (f32::NAN, "nan"),
            (-f32::NAN, "nan"),
            (-2.5, "-2.5"),
            (123456790.0, "123456790.0"),
            (-1.234568e15, "-1234568000000000.0"),
            (f32::from_bits(0x4a00_0001), "2097152.2"), // 2097152.25, an exact tie: half to even (Rust says .3)
            (f32::from_bits(0x4a00_0003), "2097152.8"), // 2097152.75
            (8388608.5, "8388608.0"),
            (0.3, "0.3"),
        ];
        for (v, want) in cases {
            assert_eq!(flt(v), want, "{:?}", v);
        }
    }

    #[test]
    fn the_longest_texts_fill_the_capacities() {
        assert_eq!(format_int(i32::MIN).len(), INT_MAX_LEN);
        assert_eq!(format_float(-1.234568e15).len(), FLOAT_MAX_LEN);
    }

    #[test]
    fn ints_print_like_python() {
        assert_eq!(int(0), "0");
        assert_eq!(int(-7), "-7");
        assert_eq!(int(i32::MIN), "-2147483648");
        assert_eq!(int(i32::MAX), "2147483647");
    }
}

//! Differential tests of `numfmt::format_float` against Rust's own shortest
//! round-trip printing (`{:e}` on f32), converted to Python's `repr` layout.
//!
//! The one intended difference: when `v` lies exactly halfway between the two
//! closest shortest candidates, Rust rounds up and we round half to even
//! (Python's dtoa does); `check` verifies such ties exactly instead.
//!
//! `every_positive_f32` (ignored; run with `--release -- --ignored`) checks
//! all 2^31 non-negative bit patterns.

use shared_protocol::numfmt::format_float;

fn mine(v: f32) -> String {
    String::from_utf8(format_float(v).to_vec()).unwrap()
}

/// Python's layout of Rust's shortest digits.
fn oracle(v: f32) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    let sign = if v.is_sign_negative() { "-" } else { "" };
    if v.is_infinite() {
        return format!("{sign}inf");
    }
    if v == 0.0 {
        return format!("{sign}0.0");
    }
    let s = format!("{:e}", v.abs());
    let (mant, exp) = s.split_once('e').unwrap();
    let digits: String = mant.chars().filter(|&c| c != '.').collect();
    let x: i32 = exp.parse().unwrap();
    let n = digits.len() as i32;
    let body = if (-4..16).contains(&x) {
        if x >= 0 {
            let int_len = (x + 1) as usize;
            let mut int: String = digits.chars().take(int_len).collect();
            while int.len() < int_len {
                int.push('0');
            }
            let frac: String = digits.chars().skip(int_len).collect();
            format!("{int}.{}", if frac.is_empty() { "0" } else { &frac })
        } else {
            format!("0.{}{digits}", "0".repeat((-x - 1) as usize))
        }
    } else {
        let rest = if n > 1 {
            format!(".{}", &digits[1..])
        } else {
            String::new()
        };
        format!(
            "{}{rest}e{}{:02}",
            &digits[..1],
            if x < 0 { '-' } else { '+' },
            x.abs()
        )
    };
    format!("{sign}{body}")
}

/// Significant digits and scientific exponent of a Python-layout string.
fn sig(s: &str) -> (String, i32) {
    let s = s.trim_start_matches('-');
    let (m, e) = match s.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap()),
        None => (s, 0),
    };
    let (int, frac) = m.split_once('.').unwrap();
    let all = format!("{int}{frac}");
    let lead = all.len() - all.trim_start_matches('0').len();
    let digits = all[lead..].trim_end_matches('0').to_string();
    (digits, e + int.len() as i32 - 1 - lead as i32)
}

/// Returns true if `v` was an exact tie (Rust rounded up, we to even).
fn check(v: f32) -> bool {
    let got = mine(v);
    let back: f32 = got
        .parse()
        .unwrap_or_else(|_| panic!("{got:?} does not parse"));
    assert!(
        back.to_bits() == v.to_bits() || (v.is_nan() && back.is_nan()),
        "{:#010x}: {got} parses to {back:?}",
        v.to_bits()
    );
    if v.is_finite() {
        let again = parse_float(got.as_bytes()).unwrap_or_else(|| panic!("{got:?} rejected"));
        assert_eq!(again.to_bits(), v.to_bits(), "parse_float({got:?})");
    }
    let want = oracle(v);
    if got == want {
        return false;
    }
    // Must be an exact tie: same length, v's exact expansion is those digits
    // plus a final 5, and we chose the even last digit.
    let (gd, gx) = sig(&got);
    let (wd, wx) = sig(&want);
    let exact = format!("{:.200e}", v.abs());
    let (em, ex) = exact.split_once('e').unwrap();
    let ed: String = em.chars().filter(|&c| c != '.').collect();
    let ed = ed.trim_end_matches('0');
    let ok = gd.len() == wd.len()
        && ed.len() == gd.len() + 1
        && ed.ends_with('5')
        && ex.parse::<i32>().unwrap() == gx
        && gx == wx
        && gd.as_bytes()[gd.len() - 1] & 1 == 0;
    assert!(
        ok,
        "{:#010x} ({v:e}): got {got}, want {want}, exact {exact}",
        v.to_bits()
    );
    true
}

fn check_both(bits: u32) {
    check(f32::from_bits(bits));
    check(f32::from_bits(bits | 0x8000_0000));
}

#[test]
fn specials_and_examples() {
    for v in [
        0.0,
        -0.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        -f32::NAN,
    ] {
        check(v);
    }
    for bits in [0x7f80_0001, 0x7fc0_0000, 0x7fff_ffff, 0xffff_ffff] {
        assert_eq!(mine(f32::from_bits(bits)), "nan");
    }
    for (v, s) in [
        (0.1f32, "0.1"),
        (1.0 / 3.0, "0.33333334"),
        (1.0, "1.0"),
        (100.0, "100.0"),
        (1e16, "1e+16"),
        (1e15, "1000000000000000.0"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (1.5e-7, "1.5e-07"),
        (3.4028235e38, "3.4028235e+38"),
        (f32::from_bits(1), "1e-45"),
        (-0.0, "-0.0"),
        (f32::INFINITY, "inf"),
        (f32::NEG_INFINITY, "-inf"),
        (f32::NAN, "nan"),
        (f32::from_bits(0x4a00_0001), "2097152.2"), // 2097152.25
    ] {
        assert_eq!(mine(v), s);
    }
}

#[test]
fn powers_of_two_and_ten() {
    for k in -149..=127 {
        let v = 2f32.powi(k);
        let v = if k < -126 {
            f32::from_bits(1 << (k + 149))
        } else {
            v
        };
        assert_eq!(v.log2(), k as f32);
        for d in -2i32..=2 {
            check_both((v.to_bits() as i32 + d) as u32);
        }
    }
    for k in -45..=38 {
        let v: f32 = format!("1e{k}").parse().unwrap();
        for d in -3i32..=3 {
            check_both((v.to_bits() as i32 + d) as u32);
        }
    }
}

#[test]
fn boundaries() {
    let around = |v: f32, r: i32| {
        for d in -r..=r {
            let b = v.to_bits() as i64 + d as i64;
            if (0..0x7f80_0000).contains(&b) {
                check_both(b as u32);
            }
        }
    };
    for b in 0..20_000 {
        check_both(b); // smallest subnormals
    }
    around(f32::MIN_POSITIVE, 20_000); // subnormal/normal seam
    around(f32::MAX, 20_000);
    for v in [1e16, 1e15, 1e-4, 1e-5, 9.999999e15, 1.0, 0.1] {
        around(v, 5_000);
    }
    // First and last mantissas of every binade.
    for e in 0..255u32 {
        for m in (0..64).chain(0x7f_ffc0..0x80_0000) {
            check_both(e << 23 | m);
        }
    }
}

#[test]
fn random_bit_patterns() {
    let n = if cfg!(debug_assertions) {
        2_500_000
    } else {
        30_000_000
    };
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut ties = 0;
    for _ in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        ties += check(f32::from_bits((x >> 32) as u32)) as u32;
    }
    eprintln!("{n} random patterns, {ties} exact ties");
}

#[test]
#[ignore = "all 2^31 non-negative patterns: minutes, run in release"]
fn every_positive_f32() {
    let threads = std::thread::available_parallelism()
        .map_or(4, |n| n.get())
        .min(16) as u32;
    let ties: u64 = std::thread::scope(|s| {
        let hs: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    let mut ties = 0u64;
                    let mut b = t;
                    while b < 0x8000_0000 {
                        ties += check(f32::from_bits(b)) as u64;
                        b += threads;
                    }
                    ties
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).sum()
    });
    eprintln!("all non-negative f32 ok, {ties} exact ties");
}

// ---- parse_float -------------------------------------------------------

use shared_protocol::numfmt::parse_float;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        (self.next() >> 11) % n
    }
}

/// parse_float must agree bit-for-bit with Rust's (correctly rounded) parser.
fn same_as_rust(text: &str) {
    let want: f32 = text
        .parse()
        .unwrap_or_else(|_| panic!("rust rejects {text:?}"));
    let got = parse_float(text.as_bytes()).unwrap_or_else(|| panic!("rejected {text:?}"));
    assert!(
        got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
        "{text:?}: got {got:e} ({:#010x}), want {want:e} ({:#010x})",
        got.to_bits(),
        want.to_bits()
    );
}

#[test]
fn parse_grammar_like_python_float() {
    let ok: &[(&str, f32)] = &[
        ("1", 1.0),
        ("  -2.5e3\t\n", -2500.0),
        ("+.5", 0.5),
        ("5.", 5.0),
        ("5.e3", 5000.0),
        ("1_000.000_5", 1000.0005),
        ("1e1_0", 1e10),
        ("1E+05", 1e5),
        ("0e0", 0.0),
        ("00012", 12.0),
        ("1e-99999999999999", 0.0),
        ("1e99999999999999", f32::INFINITY),
        ("inf", f32::INFINITY),
        ("-iNfInItY", f32::NEG_INFINITY),
        ("+INF", f32::INFINITY),
    ];
    for &(t, v) in ok {
        assert_eq!(
            parse_float(t.as_bytes()).map(f32::to_bits),
            Some(v.to_bits()),
            "{t:?}"
        );
    }
    assert_eq!(parse_float(b"-0").map(f32::to_bits), Some(0x8000_0000));
    assert_eq!(parse_float(b"-1e-60").map(f32::to_bits), Some(0x8000_0000));
    for t in ["nan", "NaN", " -nan "] {
        assert!(parse_float(t.as_bytes()).unwrap().is_nan(), "{t:?}");
    }
    let bad = [
        "",
        " ",
        ".",
        "e5",
        ".e5",
        "1e",
        "1e+",
        "1e-_5",
        "1e_5",
        "1e5_",
        "_1",
        "1_",
        "1__0",
        "1_.5",
        "1._5",
        "1_e5",
        "1.2.3",
        "1e5.",
        "1e5e5",
        "+-1",
        "--1",
        "1 2",
        "infin",
        "infinityy",
        "nan1",
        "0x10",
        "1f",
        "+",
        "-",
        "in f",
        "1,5",
    ];
    for t in bad {
        assert_eq!(parse_float(t.as_bytes()), None, "{t:?}");
    }
}

#[test]
fn parse_random_decimals() {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let n = if cfg!(debug_assertions) {
        200_000
    } else {
        2_000_000
    };
    for _ in 0..n {
        let len = if r.below(8) == 0 {
            1 + r.below(150)
        } else {
            1 + r.below(12)
        };
        let mut digits: String = (0..len)
            .map(|_| (b'0' + r.below(10) as u8) as char)
            .collect();
        if r.below(2) == 0 {
            let dot = r.below(len + 1) as usize;
            digits.insert(dot, '.');
            if digits == "." {
                digits = "0.".into();
            }
        }
        let e = r.below(110) as i64 - 60 - len as i64 / 2;
        same_as_rust(&format!("{digits}e{e}"));
    }
}

#[test]
fn parse_printed_floats_and_midpoints() {
    let mut r = Rng(0x1234_5678_9abc_def1);
    let n = if cfg!(debug_assertions) {
        100_000
    } else {
        1_000_000
    };
    let mut checked = 0;
    for i in 0..n {
        let bits = if i < 2000 {
            i as u32
        } else {
            r.next() as u32 & 0x7fff_ffff
        };
        let v = f32::from_bits(bits);
        if !v.is_finite() {
            continue;
        }
        // Our own output, and Rust's fixed-precision roundings of v.
        assert_eq!(parse_float(mine(v).as_bytes()).unwrap().to_bits(), bits);
        same_as_rust(&format!("{:.*e}", r.below(12) as usize, v));
        // The exact midpoint to the next float up (exact in f64), and a hair
        // either side of it.
        let up = f32::from_bits(bits + 1);
        if !up.is_finite() {
            continue;
        }
        let mid = (v as f64 + up as f64) / 2.0;
        let exact = format!("{mid:.200e}");
        let (m, e) = exact.split_once('e').unwrap();
        let m = m.trim_end_matches('0');
        same_as_rust(&format!("{m}e{e}"));
        same_as_rust(&format!("{m}0000000000001e{e}"));
        same_as_rust(&format!("{:.200e}", f64::from_bits(mid.to_bits() - 1)));
        checked += 1;
    }
    assert!(checked > n / 2);
}

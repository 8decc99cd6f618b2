//! `numfmt::round_float` against CPython: `round_float_cases.txt` holds
//! `x nd r` (f32 bits, digits, f32 bits) where r is what CPython 3.11 gives
//! for the f32 x, `f32(round(float(x), nd))`: fixed cases (ties in decimal
//! that are not ties in binary, like 2.675, negative digits, subnormals,
//! huge and tiny digit counts) and random ones, made by
//!
//! ```python
//! import struct, random
//! f32 = lambda x: struct.unpack('<f', struct.pack('<f', x))[0]
//! bits = lambda x: struct.unpack('<I', struct.pack('<f', x))[0]
//! random.seed(7)
//! # fixed cases, then 300 of: e = randint(-40, 38);
//! #   x = f32(uniform(1, 10) * 10**e * choice([1, -1])); nd = randint(-e-3, -e+9)
//! # and 100 of: x = f32(randint(1, 99999) / 10**k), nd = k - 1 (k in 1..5)
//! print(hex(bits(x)), nd, hex(bits(f32(round(x, nd)))))
//! ```

use shared_protocol::numfmt::round_float;

#[test]
fn round_float_matches_cpython_on_the_f32_value() {
    let text = include_str!("round_float_cases.txt");
    let mut checked = 0;
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let hex = |s: &str| u32::from_str_radix(s.trim_start_matches("0x"), 16).expect("hex");
        let (x, nd, want) = (f32::from_bits(hex(f[0])), f[1].parse::<i32>().expect("nd"), hex(f[2]));
        let got = round_float(x, nd).to_bits();
        assert_eq!(got, want, "round({x:?}, {nd}) = {:?}, CPython: {:?}", f32::from_bits(got), f32::from_bits(want));
        checked += 1;
    }
    assert!(checked > 400);
    // 2.675 is 2.67499995... in f32: it rounds down, as in CPython.
    assert_eq!(round_float(2.675, 2), 2.67);
    assert_eq!(round_float(-0.4, 0).to_bits(), (-0.0f32).to_bits());
    assert!(round_float(f32::NAN, 2).is_nan());
    assert_eq!(round_float(f32::INFINITY, -3), f32::INFINITY);
}

//! The one number formatter (no core::fmt): the firmware uses it for `str(x)`
//! and the host for print, so both print the same text.
//!
//! Floats follow Python's `repr` of the f32 value: the shortest digits that
//! round-trip in f32 (`0.1`, `0.33333334`), `1e-05` and `1e+16` past Python's
//! thresholds, `inf`, `-inf`, `nan`, and a `.0` on integral values.

/// Longest text `format_int` writes: "-2147483648".
pub const INT_MAX_LEN: usize = 11;
/// Longest text `format_float` writes (e.g. "-1.17549435e-38").
pub const FLOAT_MAX_LEN: usize = 16;

/// Write `v` in decimal into `out`; returns the length.
pub fn format_int(v: i32, out: &mut [u8; INT_MAX_LEN]) -> usize {
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
    let mut len = 0;
    if v < 0 {
        out[0] = b'-';
        len = 1;
    }
    while k > 0 {
        k -= 1;
        out[len] = digits[k];
        len += 1;
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(v: i32) -> &'static str {
        let mut b = [0u8; INT_MAX_LEN];
        let n = format_int(v, &mut b);
        std::string::String::from_utf8(b[..n].to_vec()).unwrap().leak()
    }

    extern crate std;

    #[test]
    fn ints_print_like_python() {
        assert_eq!(int(0), "0");
        assert_eq!(int(-7), "-7");
        assert_eq!(int(i32::MIN), "-2147483648");
        assert_eq!(int(i32::MAX), "2147483647");
    }
}

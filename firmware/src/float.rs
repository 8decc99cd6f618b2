//! f32 helpers that core lacks, without libm and without 64-bit division
//! (compiler-builtins' fmodf divides in u64; the Epiphany has no divider).

/// floor: values of 2^23 and more (and NaN, inf) are already integral.
pub fn floor(x: f32) -> f32 {
    if x.is_nan() || x.abs() >= 8_388_608.0 {
        return x;
    }
    let t = x as i32 as f32;
    if t > x { t - 1.0 } else { t }
}

/// C's fmod (the remainder with the dividend's sign), exact: musl's
/// shift-and-subtract on the mantissas.
pub fn fmod(x: f32, y: f32) -> f32 {
    let (mut ux, mut uy) = (x.to_bits(), y.to_bits());
    let mut ex = (ux >> 23 & 0xFF) as i32;
    let mut ey = (uy >> 23 & 0xFF) as i32;
    let sign = ux & 0x8000_0000;
    if uy << 1 == 0 || y.is_nan() || ex == 0xFF {
        return f32::NAN;
    }
    if ux << 1 <= uy << 1 {
        return if ux << 1 == uy << 1 { 0.0 * x } else { x };
    }
    // Normalise both mantissas (subnormals shift up).
    let normalise = |u: u32, e: &mut i32| -> u32 {
        if *e == 0 {
            let mut i = u << 9;
            while i >> 31 == 0 {
                *e -= 1;
                i <<= 1;
            }
            u << (1 - *e)
        } else {
            u & (u32::MAX >> 9) | 1 << 23
        }
    };
    ux = normalise(ux, &mut ex);
    uy = normalise(uy, &mut ey);
    while ex > ey {
        let i = ux.wrapping_sub(uy);
        if i >> 31 == 0 {
            if i == 0 {
                return 0.0 * x;
            }
            ux = i;
        }
        ux <<= 1;
        ex -= 1;
    }
    let i = ux.wrapping_sub(uy);
    if i >> 31 == 0 {
        if i == 0 {
            return 0.0 * x;
        }
        ux = i;
    }
    while ux >> 23 == 0 {
        ux <<= 1;
        ex -= 1;
    }
    if ex > 0 {
        ux = (ux - (1 << 23)) | (ex as u32) << 23;
    } else {
        ux >>= 1 - ex;
    }
    f32::from_bits(ux | sign)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fmod_matches_rust_remainder() {
        let mut s = 0x2545_F491u32;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            f32::from_bits(s)
        };
        let specials = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            2.5,
            -7.5,
            1e-45,
            -3e-40,
            1e38,
            f32::INFINITY,
            f32::NAN,
            16_777_217.0,
        ];
        for &a in &specials {
            for &b in &specials {
                let (want, got) = (a % b, fmod(a, b));
                assert!(
                    want.to_bits() == got.to_bits() || (want.is_nan() && got.is_nan()),
                    "{a} % {b}"
                );
            }
        }
        for _ in 0..200_000 {
            let (a, b) = (next(), next());
            let (want, got) = (a % b, fmod(a, b));
            assert!(
                want.to_bits() == got.to_bits() || (want.is_nan() && got.is_nan()),
                "{a} % {b}: {want} vs {got}"
            );
        }
    }

    #[test]
    fn floor_is_floor() {
        for x in [
            -2.5f32,
            -2.0,
            -0.5,
            0.0,
            0.5,
            1.0,
            1.5,
            8_388_607.5,
            -8_388_607.5,
            1e10,
            -1e10,
        ] {
            assert_eq!(floor(x), x.floor(), "{x}");
        }
        assert!(floor(f32::NAN).is_nan());
    }
}

//! The device modules (`shared_protocol::natives`): `parallel`, `math` (on
//! `mathf`) and `random` (on `rng`).

pub mod mathf;
pub mod parallel;
pub mod rng;

#[cfg(feature = "extras")]
mod calls {
use super::{mathf, rng};
use shared_protocol::errors::{ExcType, Msg};
use shared_protocol::natives as n;

use crate::builtins::{float_of, float_to_int};
use crate::exc::{Exc, Part};
use crate::seq::{self, int_of};
use crate::value::Value;
use crate::vm::St;

use mathf::MathError;

fn real(v: Value) -> Result<f32, Exc> {
    float_of(v).ok_or_else(|| {
        Exc::new(ExcType::TypeError, Msg::ArgumentMustBe)
            .with(Part::Text("math function"))
            .with(Part::Text("a real number"))
            .with(Part::Text(v.type_name()))
    })
}

fn int_arg(v: Value) -> Result<i32, Exc> {
    int_of(v).ok_or_else(|| {
        Exc::new(ExcType::TypeError, Msg::ArgumentMustBe)
            .with(Part::Text("random function"))
            .with(Part::Text("an integer"))
            .with(Part::Text(v.type_name()))
    })
}

fn empty_range() -> Exc {
    Exc::new(ExcType::ValueError, Msg::EmptyRange).with(Part::Text("randrange()"))
}

/// A math or random native `id` with `argc` arguments from word `args`.
#[inline(never)]
pub fn call(st: &mut St, id: u16, argc: u32, args: u32) -> Result<Value, Exc> {
    let a = st.m.load(args);
    let b = st.m.load(args + 2);
    if id < n::RANDOM {
        return math(id, argc, a, b);
    }
    let rng = &mut st.rng;
    Ok(match id {
        n::RANDOM_RANDOM => Value::Float(rng.random()),
        n::RANDOM_UNIFORM => {
            let (x, y) = (real(a)?, real(b)?);
            Value::Float(x + (y - x) * rng.random())
        }
        n::RANDOM_SEED => {
            let seed = match a {
                Value::Float(f) => f.to_bits(),
                _ => int_of(a).unwrap_or(0) as u32,
            };
            *rng = rng::Rng::seeded(seed);
            Value::None
        }
        n::RANDOM_CHOICE => {
            let count = seq::len(&st.m, a).ok_or_else(|| {
                Exc::new(ExcType::TypeError, Msg::NoLen).with(Part::Text(a.type_name()))
            })?;
            if count == 0 {
                return Err(Exc::new(ExcType::IndexError, Msg::CannotChooseFromEmpty));
            }
            let k = st.rng.below(count);
            seq::item(st, a, k)?
        }
        // randint(a, b) is randrange(a, b + 1); randrange(stop) or (start, stop[, step]).
        _ => {
            let mut r = [0, int_arg(a)?, 1];
            if argc > 1 || id == n::RANDOM_RANDINT {
                r[0] = r[1];
                r[1] = int_arg(b)?;
            }
            if id == n::RANDOM_RANDINT {
                r[1] = r[1].checked_add(1).ok_or_else(Exc::overflow)?;
            }
            if argc > 2 {
                r[2] = int_arg(st.m.load(args + 4))?;
                if r[2] == 0 {
                    return Err(empty_range());
                }
            }
            let count = seq::range_len(r[0], r[1], r[2]);
            if count == 0 {
                return Err(empty_range());
            }
            let k = st.rng.below(count);
            Value::Int(r[0].wrapping_add(r[2].wrapping_mul(k as i32)))
        }
    })
}

fn math(id: u16, argc: u32, a: Value, b: Value) -> Result<Value, Exc> {
    let x = real(a)?;
    if matches!(id, n::MATH_FLOOR | n::MATH_CEIL | n::MATH_TRUNC) {
        if let Some(i) = int_of(a) {
            return Ok(Value::Int(i));
        }
        let r = match id {
            n::MATH_FLOOR => mathf::floor(x),
            n::MATH_CEIL => mathf::ceil(x),
            _ => mathf::trunc(x),
        };
        return float_to_int(r);
    }
    let two = matches!(id, n::MATH_POW | n::MATH_ATAN2 | n::MATH_FMOD | n::MATH_HYPOT) || (id == n::MATH_LOG && argc == 2);
    let y = if two { real(b)? } else { 0.0 };
    let r = match id {
        n::MATH_SQRT => mathf::sqrt(x),
        n::MATH_POW => mathf::pow(x, y),
        n::MATH_EXP => mathf::exp(x),
        n::MATH_LOG if two => mathf::log_base(x, y),
        n::MATH_LOG => mathf::log(x),
        n::MATH_LOG10 => mathf::log10(x),
        n::MATH_SIN => mathf::sin(x),
        n::MATH_COS => mathf::cos(x),
        n::MATH_TAN => mathf::tan(x),
        n::MATH_ASIN => mathf::asin(x),
        n::MATH_ACOS => mathf::acos(x),
        n::MATH_ATAN => mathf::atan(x),
        n::MATH_ATAN2 => mathf::atan2(x, y),
        n::MATH_FMOD => mathf::fmod(x, y),
        n::MATH_HYPOT => mathf::hypot(x, y),
        _ => Ok(mathf::fabs(x)),
    };
    r.map(Value::Float).map_err(|e| match e {
        MathError::Domain => Exc::new(ExcType::ValueError, Msg::MathDomainError),
        MathError::Range => Exc::new(ExcType::OverflowError, Msg::MathRangeError),
    })
}
}
#[cfg(feature = "extras")]
pub use calls::call;

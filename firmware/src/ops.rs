//! Python 3 arithmetic and comparison on the device's values: ints are i32
//! with checked overflow (OverflowError, never a silent wrap), floats are f32,
//! bool is an int in arithmetic, int/float mixing promotes to float.

use core::cmp::Ordering;

use shared_protocol::bytecode::Op;
use shared_protocol::errors::{ExcType, Msg};

use crate::arena;
use crate::exc::{Exc, Part};
use crate::float::{floor, fmod};
use crate::value::Value;

/// A value as a number (bool counts as int).
#[derive(Clone, Copy)]
enum Num {
    I(i32),
    F(f32),
}

fn num(v: Value) -> Option<Num> {
    match v {
        Value::Bool(b) => Some(Num::I(b as i32)),
        Value::Int(i) => Some(Num::I(i)),
        Value::Float(f) => Some(Num::F(f)),
        _ => None,
    }
}

impl Num {
    fn float(self) -> f32 {
        match self {
            Num::I(i) => i as f32,
            Num::F(f) => f,
        }
    }
}

pub fn truthy(m: &[u32], v: Value) -> bool {
    match v {
        Value::Unbound | Value::None => false,
        Value::Bool(b) => b,
        Value::Int(i) => i != 0,
        Value::Float(f) => f != 0.0,
        Value::Str(at) => arena::str_len(m, at) != 0,
        Value::Native(_) => true,
    }
}

/// The operator's source text, for error details.
pub fn symbol(op: Op) -> &'static str {
    match op {
        Op::Add | Op::Pos => "+",
        Op::Sub | Op::Neg => "-",
        Op::Mul => "*",
        Op::TrueDiv => "/",
        Op::FloorDiv => "//",
        Op::Mod => "%",
        Op::Pow => "** or pow()",
        Op::LShift => "<<",
        Op::RShift => ">>",
        Op::BitAnd => "&",
        Op::BitOr => "|",
        Op::BitXor => "^",
        Op::Invert => "~",
        Op::Lt => "<",
        Op::Le => "<=",
        Op::Gt => ">",
        Op::Ge => ">=",
        _ => "?",
    }
}

/// `Neg`, `Pos`, `Not`, `Invert`.
pub fn unary(m: &[u32], op: Op, a: Value) -> Result<Value, Exc> {
    if op == Op::Not {
        return Ok(Value::Bool(!truthy(m, a)));
    }
    let bad = || {
        Exc::new(ExcType::TypeError, Msg::BadUnaryOperand)
            .with(Part::Text(symbol(op)))
            .with(Part::Text(a.type_name()))
    };
    match (num(a).ok_or_else(bad)?, op) {
        (Num::I(i), Op::Neg) => i.checked_neg().map(Value::Int).ok_or_else(Exc::overflow),
        (Num::I(i), Op::Pos) => Ok(Value::Int(i)),
        (Num::I(i), _) => Ok(Value::Int(!i)),
        (Num::F(f), Op::Neg) => Ok(Value::Float(-f)),
        (Num::F(f), Op::Pos) => Ok(Value::Float(f)),
        (Num::F(_), _) => Err(bad()),
    }
}

/// Arithmetic, bitwise and comparison binary operators.
pub fn binary(m: &[u32], op: Op, a: Value, b: Value) -> Result<Value, Exc> {
    if matches!(op, Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge) {
        return compare(m, op, a, b);
    }
    // bool & | ^ bool stays a bool.
    if let (Value::Bool(x), Value::Bool(y)) = (a, b) {
        match op {
            Op::BitAnd => return Ok(Value::Bool(x & y)),
            Op::BitOr => return Ok(Value::Bool(x | y)),
            Op::BitXor => return Ok(Value::Bool(x ^ y)),
            _ => {}
        }
    }
    let unsupported = || Exc::operands(symbol(op), a, b);
    match (num(a), num(b)) {
        (Some(Num::I(x)), Some(Num::I(y))) => {
            int_op(op, x, y).unwrap_or_else(|| Err(unsupported()))
        }
        (Some(x), Some(y)) => {
            float_op(op, x.float(), y.float()).unwrap_or_else(|| Err(unsupported()))
        }
        _ => Err(unsupported()),
    }
}

/// `None` when the operator does not apply to ints.
fn int_op(op: Op, a: i32, b: i32) -> Option<Result<Value, Exc>> {
    let result = match op {
        Op::Add => a.checked_add(b),
        Op::Sub => a.checked_sub(b),
        Op::Mul => a.checked_mul(b),
        Op::TrueDiv if b == 0 => return Some(Err(Exc::zero_division(Msg::DivisionByZero))),
        Op::TrueDiv => return Some(Ok(Value::Float(a as f32 / b as f32))),
        Op::FloorDiv if b == 0 => {
            return Some(Err(Exc::zero_division(Msg::IntDivisionOrModuloByZero)));
        }
        // Truncating quotient, one less when inexact with mixed signs.
        Op::FloorDiv => a.checked_div(b).map(|q| {
            if a.checked_rem(b) != Some(0) && (a < 0) != (b < 0) {
                q - 1
            } else {
                q
            }
        }),
        Op::Mod if b == 0 => return Some(Err(Exc::zero_division(Msg::IntModuloByZero))),
        // The remainder takes the divisor's sign (i32::MIN % -1 is 0).
        Op::Mod => {
            let r = a.checked_rem(b).unwrap_or(0);
            Some(if r != 0 && (r < 0) != (b < 0) {
                r + b
            } else {
                r
            })
        }
        Op::Pow => return Some(int_pow(a, b)),
        Op::LShift | Op::RShift if b < 0 => {
            return Some(Err(Exc::new(ExcType::ValueError, Msg::NegativeShift)));
        }
        Op::LShift if a == 0 => Some(0),
        Op::LShift if b >= 32 => None,
        Op::LShift => Some(a << b).filter(|r| r >> b == a),
        Op::RShift => Some(a >> b.min(31)),
        Op::BitAnd => Some(a & b),
        Op::BitOr => Some(a | b),
        Op::BitXor => Some(a ^ b),
        _ => return None,
    };
    Some(result.map(Value::Int).ok_or_else(Exc::overflow))
}

/// `a ** b` for ints: exact by squaring; a negative exponent gives a float.
fn int_pow(a: i32, b: i32) -> Result<Value, Exc> {
    if b < 0 {
        if a == 0 {
            return Err(Exc::zero_division(Msg::ZeroToNegativePower));
        }
        return float_pow(a as f32, b as f32);
    }
    let (mut result, mut base, mut e) = (1i32, a, b as u32);
    loop {
        if e & 1 != 0 {
            result = result.checked_mul(base).ok_or_else(Exc::overflow)?;
        }
        e >>= 1;
        if e == 0 {
            return Ok(Value::Int(result));
        }
        // Only squared when a higher bit still needs it, so an overflow here
        // means the result overflows too.
        base = base.checked_mul(base).ok_or_else(Exc::overflow)?;
    }
}

/// `None` when the operator does not apply to floats.
fn float_op(op: Op, a: f32, b: f32) -> Option<Result<Value, Exc>> {
    let zero = |msg| Some(Err(Exc::zero_division(msg)));
    let r = match op {
        Op::Add => a + b,
        Op::Sub => a - b,
        Op::Mul => a * b,
        Op::TrueDiv if b == 0.0 => return zero(Msg::FloatDivisionByZero),
        Op::TrueDiv => a / b,
        Op::FloorDiv if b == 0.0 => return zero(Msg::FloatFloorDivisionByZero),
        Op::FloorDiv => float_divmod(a, b).0,
        Op::Mod if b == 0.0 => return zero(Msg::FloatModuloByZero),
        Op::Mod => float_divmod(a, b).1,
        Op::Pow => return Some(float_pow(a, b)),
        _ => return None,
    };
    Some(Ok(Value::Float(r)))
}

/// CPython's float_divmod, in f32: (floor quotient, remainder with the
/// divisor's sign).
fn float_divmod(a: f32, b: f32) -> (f32, f32) {
    let mut rem = fmod(a, b);
    let mut div = (a - rem) / b;
    if rem != 0.0 {
        if (b < 0.0) != (rem < 0.0) {
            rem += b;
            div -= 1.0;
        }
    } else {
        rem = 0.0f32.copysign(b);
    }
    let quot = if div != 0.0 {
        let f = floor(div);
        if div - f > 0.5 { f + 1.0 } else { f }
    } else {
        0.0f32.copysign(a / b)
    };
    (quot, rem)
}

fn float_pow(a: f32, b: f32) -> Result<Value, Exc> {
    if a == 0.0 && b < 0.0 {
        return Err(Exc::zero_division(Msg::ZeroToNegativePower));
    }
    if a < 0.0 && b.is_finite() && floor(b) != b {
        // Python gives a complex number here; the device has none.
        return Err(Exc::generic(
            ExcType::ValueError,
            "negative number cannot be raised to a fractional power",
        ));
    }
    let r = libm::powf(a, b);
    if r.is_infinite() && a.is_finite() && b.is_finite() {
        return Err(Exc::new(ExcType::OverflowError, Msg::FloatOverflow));
    }
    Ok(Value::Float(r))
}

/// Exact int-vs-float order (no rounding of the int to f32); None for NaN.
fn int_float_cmp(i: i32, f: f32) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f >= 2_147_483_648.0 {
        return Some(Ordering::Less);
    }
    if f < -2_147_483_648.0 {
        return Some(Ordering::Greater);
    }
    let fl = floor(f);
    Some(match i.cmp(&(fl as i32)) {
        Ordering::Equal if f > fl => Ordering::Less,
        other => other,
    })
}

fn compare(m: &[u32], op: Op, a: Value, b: Value) -> Result<Value, Exc> {
    let order = match (a, b, num(a), num(b)) {
        (Value::Str(x), Value::Str(y), ..) => Some(arena::str_cmp(m, x, y)),
        (.., Some(Num::I(x)), Some(Num::I(y))) => Some(x.cmp(&y)),
        (.., Some(Num::F(x)), Some(Num::F(y))) => x.partial_cmp(&y),
        (.., Some(Num::I(x)), Some(Num::F(y))) => int_float_cmp(x, y),
        (.., Some(Num::F(x)), Some(Num::I(y))) => int_float_cmp(y, x).map(Ordering::reverse),
        // Unrelated types: == is identity of the value, ordering is a TypeError.
        _ if op == Op::Eq => return Ok(Value::Bool(a == b)),
        _ if op == Op::Ne => return Ok(Value::Bool(a != b)),
        _ => {
            return Err(Exc::new(ExcType::TypeError, Msg::NotSupportedBetween)
                .with(Part::Text(symbol(op)))
                .with(Part::Text(a.type_name()))
                .with(Part::Text(b.type_name())));
        }
    };
    let Some(o) = order else {
        // NaN: every comparison is False except !=.
        return Ok(Value::Bool(op == Op::Ne));
    };
    Ok(Value::Bool(match op {
        Op::Eq => o == Ordering::Equal,
        Op::Ne => o != Ordering::Equal,
        Op::Lt => o == Ordering::Less,
        Op::Le => o != Ordering::Greater,
        Op::Gt => o == Ordering::Greater,
        _ => o != Ordering::Less,
    }))
}

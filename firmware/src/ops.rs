//! Python 3 arithmetic and comparison on the device's values: ints are i32
//! with checked overflow (OverflowError, never a silent wrap), floats are f32,
//! bool is an int in arithmetic, int/float mixing promotes to float.

use core::cmp::Ordering;

use shared_protocol::bytecode::{Op, opcode as o};
use shared_protocol::errors::{ExcType, Msg};

use crate::arena::Mem;
use crate::exc::{Exc, Part};
use crate::float::{floor, fmod};
use crate::value::{T_BOOL, T_FLOAT, T_INT, Value};

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

/// Truthiness of the value stored at word `i` (no Value temporary in the
/// caller's frame).
#[inline(never)]
pub fn truthy_at(m: &Mem, i: u32) -> bool {
    truthy(m, m.load(i))
}

pub fn truthy(m: &Mem, v: Value) -> bool {
    match v {
        Value::Unbound | Value::None => false,
        Value::Bool(b) => b,
        Value::Int(i) => i != 0,
        Value::Float(f) => f != 0.0,
        Value::Str(_) | Value::List(_) | Value::Tuple(_) | Value::Range(_) => {
            crate::seq::len(m, v) != Some(0)
        }
        _ => true,
    }
}

/// The operator's source text, for error details.
#[inline(never)]
pub fn symbol(op: Op) -> &'static str {
    let op = op.python();
    // One text and (offset, length) per opcode from Neg (0x10) to Ge (0x2D).
    const TEXT: &str = "-+~*//%** or pow()<<>>&|^<=>=";
    const AT: [(u8, u8); 30] = [
        (0, 1), (1, 1), (0, 0), (2, 1), (0, 0), (0, 0), (0, 0), (0, 0), // Neg Pos Not Invert
        (1, 1), (0, 1), (3, 1), (4, 1), (4, 2), (6, 1), (7, 11), (18, 2), // Add .. LShift
        (20, 2), (22, 1), (23, 1), (24, 1), (0, 0), (0, 0), (0, 0), (0, 0), // RShift .. BitXor
        (0, 0), (0, 0), (25, 1), (25, 2), (27, 1), (27, 2), // Lt Le Gt Ge
    ];
    let (at, len) = AT.get((op as usize).wrapping_sub(0x10)).copied().unwrap_or((0, 0));
    TEXT.get(at as usize..(at + len) as usize).unwrap_or("")
}

/// `Neg`, `Pos`, `Not`, `Invert`.
#[inline(never)]
pub fn unary(m: &Mem, op: Op, a: Value) -> Result<Value, Exc> {
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

/// The common cases of `binary` on two numbers in memory form (tags and
/// payloads, `Value::to_words`): int with int (+ - * / and comparisons; //
/// and % with both operands non-negative), float with float or int (+ - * /;
/// comparisons of two floats). `None` for every other case and for every
/// error (overflow, zero division): `binary` decides those. Inlined into the
/// dispatch loop, its only caller.
#[inline(always)]
pub fn fast(op: u8, ta: u32, a: u32, tb: u32, b: u32) -> Option<[u32; 2]> {
    let int = |r: Option<i32>| r.map(|r| [T_INT, r as u32]);
    let bool = |c: bool| Some([T_BOOL, c as u32]);
    if ta == T_INT && tb == T_INT {
        let (x, y) = (a as i32, b as i32);
        return match op {
            o::Add | o::InplaceAdd => int(x.checked_add(y)),
            o::Sub => int(x.checked_sub(y)),
            o::Mul => int(x.checked_mul(y)),
            // Truncation is the floor when neither operand is negative.
            o::FloorDiv if x >= 0 && y > 0 => int(Some(x / y)),
            o::Mod if x >= 0 && y > 0 => int(Some(x % y)),
            o::TrueDiv if y != 0 => Some([T_FLOAT, (x as f32 / y as f32).to_bits()]),
            o::Eq => bool(x == y),
            o::Ne => bool(x != y),
            o::Lt => bool(x < y),
            o::Le => bool(x <= y),
            o::Gt => bool(x > y),
            o::Ge => bool(x >= y),
            _ => None,
        };
    }
    let (x, y) = match (ta, tb) {
        (T_FLOAT, T_FLOAT) => (f32::from_bits(a), f32::from_bits(b)),
        (T_INT, T_FLOAT) => (a as i32 as f32, f32::from_bits(b)),
        (T_FLOAT, T_INT) => (f32::from_bits(a), b as i32 as f32),
        _ => return None,
    };
    let r = match op {
        o::Add | o::InplaceAdd => x + y,
        o::Sub => x - y,
        o::Mul => x * y,
        o::TrueDiv if y != 0.0 => x / y,
        // An int compared with a float is exact in `binary`, not rounded.
        _ if ta != tb => return None,
        o::Eq => return bool(x == y),
        o::Ne => return bool(x != y),
        o::Lt => return bool(x < y),
        o::Le => return bool(x <= y),
        o::Gt => return bool(x > y),
        o::Ge => return bool(x >= y),
        _ => return None,
    };
    Some([T_FLOAT, r.to_bits()])
}

/// Arithmetic, bitwise and comparison binary operators.
pub fn binary(m: &Mem, op: Op, a: Value, b: Value) -> Result<Value, Exc> {
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
#[inline(never)]
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

#[inline(never)]
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
    // x ** 2 is one correctly rounded multiply (mathf::pow may be 1 ulp off).
    if b == 2.0 {
        return Ok(Value::Float(a * a));
    }
    // mathf::pow: Domain is ruled out above, Range is an overflow.
    let r = crate::modules::mathf::pow(a, b).map_err(|_| Exc::new(ExcType::OverflowError, Msg::FloatOverflow))?;
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

#[inline(never)]
fn compare(m: &Mem, op: Op, a: Value, b: Value) -> Result<Value, Exc> {
    let order = match (a, b, num(a), num(b)) {
        (Value::Str(x), Value::Str(y), ..) => Some(m.str_cmp(x, y)),
        (.., Some(Num::I(x)), Some(Num::I(y))) => Some(x.cmp(&y)),
        (.., Some(Num::F(x)), Some(Num::F(y))) => x.partial_cmp(&y),
        (.., Some(Num::I(x)), Some(Num::F(y))) => int_float_cmp(x, y),
        (.., Some(Num::F(x)), Some(Num::I(y))) => int_float_cmp(y, x).map(Ordering::reverse),
        // Other types: == is identity of the value but for ranges (DRAM
        // code, `seq::same`), ordering is a TypeError.
        _ if op == Op::Eq => return Ok(Value::Bool(crate::seq::same(m, a, b))),
        _ if op == Op::Ne => return Ok(Value::Bool(!crate::seq::same(m, a, b))),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Whenever `fast` answers, `binary` (the general path) gives the same
    /// value; and `fast` answers the common cases.
    #[test]
    fn fast_agrees_with_binary() {
        let mut sram = [0u32; 4];
        let mut dram = [0u32; 1];
        // SAFETY: `dram` outlives `m` and is 4-byte aligned.
        let spill = unsafe { crate::shared::Shared::new(dram.as_mut_ptr().cast(), 0) };
        let m = Mem { sram: &mut sram, spill };
        let values = [
            Value::Int(0),
            Value::Int(1),
            Value::Int(-1),
            Value::Int(7),
            Value::Int(-7),
            Value::Int(3),
            Value::Int(i32::MAX),
            Value::Int(i32::MIN),
            Value::Int(16_777_217),
            Value::Bool(true),
            Value::Bool(false),
            Value::Float(0.0),
            Value::Float(-0.0),
            Value::Float(2.5),
            Value::Float(-2.5),
            Value::Float(16_777_216.0),
            Value::Float(f32::INFINITY),
            Value::Float(f32::NEG_INFINITY),
            Value::Float(f32::NAN),
            Value::None,
        ];
        let ops = [
            Op::Add,
            Op::InplaceAdd,
            Op::Sub,
            Op::Mul,
            Op::TrueDiv,
            Op::FloorDiv,
            Op::Mod,
            Op::Eq,
            Op::Ne,
            Op::Lt,
            Op::Le,
            Op::Gt,
            Op::Ge,
        ];
        let mut answered = 0;
        for op in ops {
            for a in values {
                for b in values {
                    let ([ta, x], [tb, y]) = (a.to_words(), b.to_words());
                    let Some(r) = fast(op as u8, ta, x, tb, y) else {
                        continue;
                    };
                    answered += 1;
                    let general = if op == Op::InplaceAdd { Op::Add } else { op };
                    let want = binary(&m, general, a, b).map(Value::to_words);
                    let same = match want {
                        // NaN payloads: compare as floats.
                        Ok([T_FLOAT, w]) if r[0] == T_FLOAT && f32::from_bits(w).is_nan() => {
                            f32::from_bits(r[1]).is_nan()
                        }
                        Ok(w) => w == r,
                        Err(_) => false,
                    };
                    assert!(same, "{a:?} {op:?} {b:?}: fast {r:?}, binary {:?}", want.ok());
                }
            }
        }
        // The common cases are answered: int with int, float with float (but
        // float // and %).
        for op in ops {
            assert!(fast(op as u8, T_INT, 7, T_INT, 3).is_some(), "{op:?}");
            let (x, y) = (2.5f32.to_bits(), 0.5f32.to_bits());
            let float = fast(op as u8, T_FLOAT, x, T_FLOAT, y);
            assert_eq!(float.is_some(), !matches!(op, Op::FloorDiv | Op::Mod), "{op:?}");
        }
        // Overflow, zero divisors and negative floor operands go to `binary`.
        assert!(fast(Op::Add as u8, T_INT, i32::MAX as u32, T_INT, 1).is_none());
        assert!(fast(Op::Mod as u8, T_INT, 7, T_INT, 0).is_none());
        assert!(fast(Op::FloorDiv as u8, T_INT, -7i32 as u32, T_INT, 2).is_none());
        assert!(answered > 1000, "{answered}");
    }
}

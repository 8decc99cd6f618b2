//! The ePython dialect on the cores (compiler dialect.rs): its `/` and `%`
//! (the `DivTrunc` and `ModTrunc` opcodes, which `vm::binary` hands here),
//! `str + number` (`Add` in an image with `flags::STR_PLUS_NUMBER`, which
//! seq::binary asks about when a str meets a number), and its `input()`
//! (`natives::INPUT_VALUE`). Cold code: the linker scripts run it from DRAM,
//! and nothing of it is in `vm::run`.

use shared_protocol::bytecode::{Op, flags, header};
use shared_protocol::errors::Msg;

use crate::builtins;
use crate::exc::Exc;
use crate::ops;
use crate::seq::{self, int_of};
use crate::value::Value;
use crate::vm::St;

/// `DivTrunc` or `ModTrunc` on the top two values of the stack (left below
/// right); the caller replaces them by the result.
#[inline(never)] // DRAM code (linker scripts)
pub fn binary(st: &mut St, op: Op) -> Result<Value, Exc> {
    let (a, b) = (st.peek(1), st.peek(0));
    match (op, int_of(a), int_of(b)) {
        // C's integer `/` and `%` (what ePython's interpreter computes):
        // truncation toward zero, the remainder with the dividend's sign.
        (Op::DivTrunc, Some(_), Some(0)) => Err(Exc::zero_division(Msg::DivisionByZero)),
        (Op::DivTrunc, Some(x), Some(y)) => x.checked_div(y).map(Value::Int).ok_or_else(Exc::overflow),
        (Op::ModTrunc, Some(_), Some(0)) => Err(Exc::zero_division(Msg::IntModuloByZero)),
        // i32::MIN % -1 is 0 (the quotient overflows, the remainder does not).
        (Op::ModTrunc, Some(x), Some(y)) => Ok(Value::Int(x.checked_rem(y).unwrap_or(0))),
        // Anything else: Python's operator (floats; errors name `/` or `%`).
        _ if matches!((a, b), (Value::Int(_) | Value::Float(_) | Value::Bool(_), Value::Int(_) | Value::Float(_) | Value::Bool(_))) => {
            ops::binary(&st.m, op.python(), a, b)
        }
        _ => seq::binary(st, op.python(), a, b),
    }
}

/// `a + b` in an image of the ePython dialect when one is a str and the
/// other an int, float, bool or None: the str joined with the number as
/// str() writes it. None when that is not the case (Python's `+` goes on).
/// `a` and `b` are rooted by the caller.
#[inline(never)] // DRAM code (linker scripts)
pub fn str_plus(st: &mut St, a: Value, b: Value) -> Result<Option<Value>, Exc> {
    let number_first = match (a, b) {
        (Value::Str(_), _) if formats(b) => false,
        (_, Value::Str(_)) if formats(a) => true,
        _ => return Ok(None),
    };
    if st.m.word(st.img.base + header::FLAGS as u32) & flags::STR_PLUS_NUMBER == 0 {
        return Ok(None);
    }
    let s = builtins::to_str(st, if number_first { a } else { b })?;
    // Rooted while the concatenation allocates; whatever the caller kept
    // in the slot comes back after.
    let kept = core::mem::replace(&mut st.tmp[1], s);
    let joined = if number_first { seq::binary(st, Op::Add, s, b) } else { seq::binary(st, Op::Add, a, s) };
    st.tmp[1] = kept;
    joined.map(Some)
}

/// The values `str + value` converts: ePython's scalars.
fn formats(v: Value) -> bool {
    matches!(v, Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::None)
}

/// ePython's `input()`: the line as an int when it is all digits, a float
/// when it is digits with one '.', else the str itself. A leading sign is
/// allowed (ePython's own test takes "-5" for text, which its documentation
/// does not mean); an int beyond 32 bits is an OverflowError, as `int()`'s.
#[inline(never)] // DRAM code (linker scripts)
pub fn input_value(st: &mut St, line: Value) -> Result<Value, Exc> {
    let Value::Str(s) = line else { return Ok(line) };
    let n = st.m.str_len(s);
    let first = u32::from(n > 0 && matches!(st.m.str_byte(s, 0), b'-' | b'+'));
    let (mut digits, mut dots) = (0u32, 0u32);
    for i in first..n {
        match st.m.str_byte(s, i) {
            b'0'..=b'9' => digits += 1,
            b'.' => dots += 1,
            _ => return Ok(line),
        }
    }
    match (digits, dots) {
        (0, _) => Ok(line),
        // More digits than any i32 has (after leading zeros) cannot fit.
        (_, 0) if digits - leading_zeros(st, s, first, n) > 10 => Err(Exc::overflow()),
        (_, 0) => builtins::parse_number(st, s, false, 10),
        (_, 1) => builtins::parse_number(st, s, true, 0),
        _ => Ok(line),
    }
}

fn leading_zeros(st: &St, s: u32, from: u32, n: u32) -> u32 {
    (from..n).take_while(|&i| st.m.str_byte(s, i) == b'0').count() as u32
}

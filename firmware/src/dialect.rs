//! The ePython dialect's operators and its `input()` (compiler dialect.rs):
//! the compiler emits `DivTrunc`, `ModTrunc`, `AddFormat` and
//! `InplaceAddFormat` for `/`, `%`, `+` and `+=` in that dialect only, and
//! calls `natives::INPUT_VALUE` on `input()`'s line. Cold code: the linker
//! scripts run it from DRAM, and `vm::binary` reaches it, never `vm::run`.

use shared_protocol::bytecode::Op;
use shared_protocol::errors::Msg;
use shared_protocol::natives::METHOD_EXTEND;

use crate::builtins;
use crate::exc::Exc;
use crate::ops;
use crate::seq::{self, int_of};
use crate::value::Value;
use crate::vm::St;

/// A dialect operator on the top two values of the stack (left below
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
        // `xs += ys` still extends the list in place.
        (Op::InplaceAddFormat, ..) if matches!(a, Value::List(_)) => {
            if let Value::List(l) = a {
                builtins::list_method(st, l, u32::from(METHOD_EXTEND), 1, b, Value::None)?;
            }
            Ok(a)
        }
        (Op::AddFormat | Op::InplaceAddFormat, ..) => {
            // `"x=" + 5`: the number as str() writes it, in its stack slot
            // (so the collector sees it while the concatenation allocates).
            let (a, b) = match (a, b) {
                (Value::Str(_), _) if formats(b) => (a, stringify(st, 0, b)?),
                (_, Value::Str(_)) if formats(a) => (stringify(st, 1, a)?, b),
                _ => (a, b),
            };
            python(st, Op::Add, a, b)
        }
        _ => python(st, op.python(), a, b),
    }
}

/// The values `str + value` converts: ePython's scalars.
fn formats(v: Value) -> bool {
    matches!(v, Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::None)
}

/// `str(v)`, stored in place of the stack value `k` below the top.
fn stringify(st: &mut St, k: u32, v: Value) -> Result<Value, Exc> {
    let s = builtins::to_str(st, v)?;
    st.m.store(st.sp.wrapping_sub(2 * (k + 1)), s);
    Ok(s)
}

/// The Python operator on `a` and `b`, as `vm::binary` does it.
fn python(st: &mut St, op: Op, a: Value, b: Value) -> Result<Value, Exc> {
    match (a, b) {
        (Value::Int(_) | Value::Float(_) | Value::Bool(_), Value::Int(_) | Value::Float(_) | Value::Bool(_)) => {
            ops::binary(&st.m, op, a, b)
        }
        _ => seq::binary(st, op, a, b),
    }
}

/// ePython's `input()`: the line as an int when it is all digits, a float
/// when it is digits with one '.', else the str itself. A leading sign is
/// allowed (ePython's own test takes "-5" for text, which its documentation
/// does not mean); an int beyond 32 bits is an OverflowError, as `int()`'s.
#[inline(never)] // DRAM code (linker scripts)
pub fn input_value(st: &mut St, line: Value) -> Result<Value, Exc> {
    let Value::Str(s) = line else { return Ok(line) };
    let n = st.m.str_len(s);
    let first = usize::from(n > 0 && matches!(st.m.str_byte(s, 0), b'-' | b'+')) as u32;
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
        (_, 0) => builtins::parse_number(st, s, false),
        (_, 1) => builtins::parse_number(st, s, true),
        _ => Ok(line),
    }
}

fn leading_zeros(st: &St, s: u32, from: u32, n: u32) -> u32 {
    (from..n).take_while(|&i| st.m.str_byte(s, i) == b'0').count() as u32
}

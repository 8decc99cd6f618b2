//! Calling native functions (argument count checks, then the builtin or the
//! module that implements it) and methods (`CallMethod`). The default build
//! runs `len`, `range` and the `parallel` module; the rest (and every method
//! but `list.append`, which `vm` runs) is the `extras` feature.

#[cfg(feature = "extras")]
use shared_protocol::bytecode::Op;
use shared_protocol::errors::{ExcType, Msg};
use shared_protocol::natives::{self as n, Kind};
#[cfg(feature = "extras")]
use shared_protocol::numfmt;

#[cfg(feature = "extras")]
use crate::arena::Mem;
use crate::exc::{Exc, Part};
#[cfg(feature = "extras")]
use crate::float::floor;
#[cfg(feature = "extras")]
use crate::heap::LIST;
#[cfg(feature = "extras")]
use crate::modules;
#[cfg(feature = "extras")]
use crate::ops;
use crate::platform::Platform;
use crate::seq::{self, int_of};
#[cfg(feature = "extras")]
use crate::seq::items;
use crate::service::Mailbox;
use crate::value::Value;
use crate::vm::St;

#[cfg(feature = "extras")]
fn type_error(text: &'static str) -> Exc {
    Exc::generic(ExcType::TypeError, text)
}

#[cfg(feature = "extras")]
fn value_error(text: &'static str) -> Exc {
    Exc::generic(ExcType::ValueError, text)
}

#[cfg(feature = "extras")]
/// A number as f32 (bool and int included).
pub fn float_of(v: Value) -> Option<f32> {
    match v {
        Value::Float(f) => Some(f),
        _ => int_of(v).map(|i| i as f32),
    }
}

#[cfg(feature = "extras")]
/// `int(f)`: truncation, with Python's errors for nan, inf and overflow.
pub fn float_to_int(f: f32) -> Result<Value, Exc> {
    if f.is_nan() {
        return Err(Exc::new(ExcType::ValueError, Msg::FloatToIntNan));
    }
    if f.is_infinite() {
        return Err(Exc::new(ExcType::OverflowError, Msg::FloatToIntInfinity));
    }
    if !(-2_147_483_648.0..2_147_483_648.0).contains(&f) {
        return Err(Exc::overflow());
    }
    Ok(Value::Int(f as i32))
}

#[cfg(feature = "extras")]
/// Round half to even.
/// `round(i, digits)` for an int and digits < 0: to a multiple of
/// 10^-digits, halves to the even multiple, as CPython (32-bit arithmetic
/// only: the chip has no 64-bit divide).
fn round_int(i: i32, digits: i32) -> Result<Value, Exc> {
    if digits <= -10 {
        return Ok(Value::Int(0)); // 10^10 is beyond every i32
    }
    let p = 10u32.pow(digits.unsigned_abs());
    let m = i.unsigned_abs();
    let (q, r) = (m / p, m % p);
    let up = r > p - r || (r == p - r && q & 1 == 1);
    let v = match (q + up as u32).checked_mul(p) {
        Some(mag) if i < 0 => 0i32.checked_sub_unsigned(mag),
        Some(mag) => i32::try_from(mag).ok(),
        None => None,
    };
    match v {
        Some(v) => Ok(Value::Int(v)),
        None => Err(Exc::overflow()),
    }
}

#[cfg(feature = "extras")]
fn round_even(x: f32) -> f32 {
    let f = floor(x);
    let d = x - f;
    if d > 0.5 || (d == 0.5 && floor(f / 2.0) * 2.0 != f) { f + 1.0 } else { f }
}

#[cfg(feature = "extras")]
/// Copy the Str at `s` into `buf`; None when it does not fit.
fn str_bytes<'b>(st: &St, s: u32, buf: &'b mut [u8; 48]) -> Option<&'b [u8]> {
    let n = st.m.str_len(s) as usize;
    let out = buf.get_mut(..n)?;
    for (i, b) in out.iter_mut().enumerate() {
        *b = st.m.str_byte(s, i as u32);
    }
    Some(out)
}

#[cfg(feature = "extras")]
#[inline(always)] // in parse_int (DRAM code)
/// Python's whitespace, as int() strips it: the ASCII part (`\t\n\v\f\r`,
/// `\x1c`-`\x1f`, space). CPython also strips Unicode spaces and reads
/// Unicode decimal digits (`int('١٢')` is 12); the device does not.
fn is_space(c: u8) -> bool {
    c == b' ' || c.wrapping_sub(9) <= 13 - 9 || c.wrapping_sub(0x1c) <= 0x1f - 0x1c
}

#[cfg(feature = "extras")]
/// Python's int() of the Str at `s` in `base` (0, or 2..=36): surrounding
/// whitespace, a sign, a `0x`/`0o`/`0b` prefix (with base 0, which it
/// decides, or its own base), digits with single underscores between them
/// and after a prefix; base 0 without a prefix is decimal without leading
/// zeros (`00` is valid, `010` is not). None when invalid; an overflow is
/// an error only for valid text, as CPython's big ints would be.
fn parse_int(m: &Mem, s: u32, base: u32) -> Option<Result<i32, Exc>> {
    let byte = |i: u32| m.str_byte(s, i);
    let (mut i, mut j) = (0, m.str_len(s));
    while i < j && is_space(byte(i)) {
        i += 1;
    }
    while j > i && is_space(byte(j - 1)) {
        j -= 1;
    }
    let neg = i < j && byte(i) == b'-';
    if i < j && matches!(byte(i), b'-' | b'+') {
        i += 1;
    }
    let mut base = base;
    let mut prefixed = false;
    if j - i >= 2 && byte(i) == b'0' {
        let own = match byte(i + 1) | 0x20 {
            b'x' => 16,
            b'o' => 8,
            b'b' => 2,
            _ => 0,
        };
        if own != 0 && (base == 0 || base == own) {
            (base, prefixed, i) = (own, true, i + 2);
        }
    }
    let leading_zero_rule = base == 0;
    if base == 0 {
        base = 10;
    }
    // Accumulated negatively, so that -2147483648 fits.
    let (mut v, mut over, mut nonzero) = (0i32, false, false);
    let (mut digits, mut after_digit, mut underscore_ok) = (0, false, prefixed);
    for k in i..j {
        let c = byte(k);
        if c == b'_' {
            if !underscore_ok {
                return None;
            }
            (underscore_ok, after_digit) = (false, false);
            continue;
        }
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'z' => c - b'a' + 10,
            b'A'..=b'Z' => c - b'A' + 10,
            _ => return None,
        } as i32;
        if d >= base as i32 {
            return None;
        }
        (digits, after_digit, underscore_ok) = (digits + 1, true, true);
        nonzero |= d != 0;
        match v.checked_mul(base as i32).and_then(|x| x.checked_sub(d)) {
            Some(x) if !over => v = x,
            _ => over = true,
        }
    }
    if digits == 0 || !after_digit || (leading_zero_rule && byte(i) == b'0' && nonzero) {
        return None;
    }
    Some(match (over, neg) {
        (true, _) => Err(Exc::overflow()),
        (false, true) => Ok(v),
        (false, false) => v.checked_neg().ok_or_else(Exc::overflow),
    })
}
#[cfg(feature = "extras")]
/// `str(v)`: scalars by `numfmt`, lists and tuples by their repr. Out of
/// line: its buffers stay off `extra`'s frame.
#[inline(never)]
pub fn to_str(st: &mut St, v: Value) -> Result<Value, Exc> {
    match v {
        Value::Str(_) => Ok(v),
        Value::List(_) | Value::Tuple(_) => crate::repr::repr(st, v),
        _ => st.str_from(&crate::repr::leaf_text(&st.m, v)),
    }
}

#[cfg(feature = "extras")]
/// `int(s, base)` (base 10 for `int(s)`), or, with `float`, `float(s)`, of
/// the Str at `s`. Out of line (DRAM code): its text buffer stays off
/// `extra`'s frame, which is on the stack under every extras builtin
/// (sorted's comparisons, ...).
#[inline(never)]
pub(crate) fn parse_number(st: &St, s: u32, float: bool, base: u32) -> Result<Value, Exc> {
    let invalid = |msg| Exc::new(ExcType::ValueError, msg);
    if !float {
        return parse_int(&st.m, s, base).unwrap_or_else(|| {
            Err(invalid(Msg::InvalidIntLiteral).with(Part::Int(base as i32)).with(Part::Str(s)))
        }).map(Value::Int);
    }
    let mut buf = [0u8; 48];
    match str_bytes(st, s, &mut buf).and_then(numfmt::parse_float) {
        Some(f) => Ok(Value::Float(f)),
        None => Err(invalid(Msg::InvalidFloatLiteral).with(Part::Str(s))),
    }
}

#[cfg(feature = "extras")]
/// `int(a, base)`: CPython's checks in its order (the base's type, its
/// range, then `a` a Str).
fn int_with_base(st: &St, a: Value, base: Value) -> Result<Value, Exc> {
    let base = int_of(base).ok_or_else(|| Exc::not_an_integer(base))?;
    if base != 0 && !(2..=36).contains(&base) {
        return Err(Exc::new(ExcType::ValueError, Msg::IntBaseRange));
    }
    match a {
        Value::Str(s) => parse_number(st, s, false, base as u32),
        _ => Err(Exc::new(ExcType::TypeError, Msg::IntNonStringWithBase)),
    }
}

#[cfg(feature = "extras")]
/// `type(v)`: the class of `v` (a native, `natives::TYPE` and after).
fn type_of(m: &Mem, v: Value) -> u16 {
    match v {
        Value::Bool(_) => n::BOOL,
        Value::Int(_) => n::INT,
        Value::Float(_) => n::FLOAT,
        Value::Str(_) => n::STR,
        Value::List(_) | Value::Array(_) => n::LIST,
        Value::Tuple(_) => n::TUPLE,
        Value::Range(_) => n::RANGE,
        Value::Func(_) => n::FUNCTION_TYPE,
        Value::Iter(p) => seq::iter_class(m, p),
        Value::Native(id) => match n::get(id) {
            Some(x) if x.kind == Kind::Module => n::MODULE_TYPE,
            Some(x) if x.class => n::TYPE,
            _ => n::BUILTIN_FUNCTION_TYPE,
        },
        Value::None | Value::Unbound => n::NONE_TYPE,
    }
}

/// Call `f` with `argc` arguments stored from word `args` (on the stack).
#[inline(never)]
pub fn call<P: Platform>(st: &mut St, p: &mut P, mb: &Mailbox, f: Value, argc: u32, args: u32) -> Result<Value, Exc> {
    let (id, native) = match f {
        Value::Native(id) => match n::get(id) {
            Some(native) if matches!(native.kind, Kind::Function { .. }) => (id, native),
            _ => return Err(call_error(f, argc)),
        },
        _ => return Err(call_error(f, argc)),
    };
    if let Kind::Function { min_args, max_args } = native.kind
        && (argc < min_args as u32 || argc > max_args as u32)
    {
        return Err(call_error(f, argc));
    }
    let a = st.m.load(args);
    Ok(match id {
        // The absolute core id, whatever the launch's target list; St::call
        // (vm.rs) calls the messaging natives (modules::parallel).
        n::PARALLEL_COREID => Value::Int(p.core().0 as i32),
        n::PARALLEL_NUMCORES => Value::Int(mb.cmd.load(shared_protocol::mailbox::cmd::GROUP_SIZE) as i32),
        n::LEN => Value::Int(
            seq::len(&st.m, a).ok_or_else(|| Exc::new(ExcType::TypeError, Msg::NoLen).with(Part::Text(a.type_name())))? as i32,
        ),
        n::RANGE => {
            let mut r = [0, 0, 1];
            for i in 0..argc {
                let v = st.m.load(args + 2 * i);
                r[(i + (argc == 1) as u32) as usize] = int_of(v).ok_or_else(|| not_an_int(v))?;
            }
            seq::new_range(st, &r)?
        }
        #[cfg(feature = "extras")]
        _ => extra(st, id, native.name, argc, args)?,
        #[cfg(not(feature = "extras"))]
        _ => return Err(call_error(f, argc)),
    })
}

/// Why `f(argc args)` cannot be called: not callable, or the argument count
/// (cold, out of line: the error's temporaries stay off the call path).
#[inline(never)]
#[cold]
pub(crate) fn call_error(f: Value, argc: u32) -> Exc {
    match f {
        Value::Native(id) => match n::get(id) {
            Some(&n::Native { name, kind: Kind::Function { max_args, .. }, .. }) => {
                Exc::new(ExcType::TypeError, Msg::WrongArgCount)
                    .with(Part::Text(name))
                    .with(Part::Int(max_args as i32))
                    .with(Part::Int(argc as i32))
            }
            Some(&n::Native { name, kind: Kind::Type, .. }) => {
                Exc::new(ExcType::TypeError, Msg::CannotCreateInstances).with(Part::Text(name))
            }
            _ => Exc::new(ExcType::TypeError, Msg::NotCallable).with(Part::Text(f.type_name())),
        },
        _ => Exc::new(ExcType::TypeError, Msg::NotCallable).with(Part::Text(f.type_name())),
    }
}

#[inline(never)]
#[cold]
fn not_an_int(v: Value) -> Exc {
    Exc::new(ExcType::TypeError, Msg::ArgumentMustBe)
        .with(Part::Text("range"))
        .with(Part::Text("an integer"))
        .with(Part::Text(v.type_name()))
}

/// Whether this build runs native `id` (the verifier refuses the others).
pub fn supported(id: u16) -> bool {
    cfg!(feature = "extras")
        || matches!(id, n::LEN | n::RANGE)
        || n::get(id).is_some_and(|x| x.module == n::PARALLEL || !matches!(x.kind, Kind::Function { .. }))
}

/// `list(xs)`, `sorted(xs)`, and `sorted(xs, reverse=r)`, which the
/// compiler makes `SORTED_REVERSE(xs, r)`.
#[cfg(feature = "extras")]
#[inline(never)] // DRAM code (linker scripts)
fn sorted_or_list(st: &mut St, id: u16, argc: u32, args: u32) -> Result<Value, Exc> {
    let (a, r) = (st.m.load(args), st.m.load(args + 2));
    let l = if argc == 0 { st.new_list(0)? } else { seq::to_list(st, a)? };
    if id != n::LIST {
        let (count, base) = items(&st.m, Value::List(l)).unwrap_or((0, 0));
        st.tmp[3] = Value::List(l);
        let reverse = argc > 1 && int_of(r).ok_or_else(|| Exc::not_an_integer(r))? != 0;
        seq::sort(&mut st.m, base, count, reverse)?;
        st.tmp[3] = Value::None;
    }
    Ok(Value::List(l))
}

/// The builtins and modules of the `extras` feature. `str(x)`, `list()`
/// and `sorted()` do not run under the big frame of the others (about 400
/// bytes on the proxy): a list's repr formats floats at the end of a deep
/// call chain, sorting compares items, comparing nested sequences needs the
/// stack, and the stack is 2.25 KB.
#[cfg(feature = "extras")]
#[inline(never)] // its own section: the linker scripts run it from DRAM
fn extra(st: &mut St, id: u16, name: &'static str, argc: u32, args: u32) -> Result<Value, Exc> {
    match id {
        n::STR if argc > 0 => to_str(st, st.m.load(args)),
        n::SORTED | n::SORTED_REVERSE | n::LIST => sorted_or_list(st, id, argc, args),
        _ => extra_rest(st, id, name, argc, args),
    }
}

/// The extras builtins but `str(x)`, `list()` and `sorted()`, and the modules.
#[cfg(feature = "extras")]
#[inline(never)] // DRAM code (linker scripts)
fn extra_rest(st: &mut St, id: u16, name: &'static str, argc: u32, args: u32) -> Result<Value, Exc> {
    let arg = |st: &St, i: u32| st.m.load(args + 2 * i);
    let a = arg(st, 0);
    let b = arg(st, 1);
    let need_num = |v: Value| float_of(v).ok_or_else(|| Exc::operands("abs()", v, v));
    Ok(match id {
        n::ABS => match a {
            Value::Float(x) => Value::Float(x.abs()),
            _ => {
                need_num(a)?;
                Value::Int(int_of(a).unwrap_or(0).checked_abs().ok_or_else(Exc::overflow)?)
            }
        },
        n::MIN | n::MAX => {
            let (count, base) = if argc == 1 { seq::iter_items(st, a)? } else { (argc, args) };
            if count == 0 {
                return Err(Exc::new(ExcType::ValueError, Msg::EmptySequenceArgument).with(Part::Text(name)));
            }
            let mut best = st.m.load(base);
            for i in 1..count {
                let v = st.m.load(base + 2 * i);
                let better = if id == n::MIN { seq::less(&st.m, v, best)? } else { seq::less(&st.m, best, v)? };
                if better {
                    best = v;
                }
            }
            best
        }
        n::SUM => {
            let (count, base) = seq::iter_items(st, a)?;
            let mut acc = if argc > 1 { b } else { Value::Int(0) };
            if let Value::Str(_) = acc {
                return Err(type_error("sum() can't sum strings [use ''.join(seq) instead]"));
            }
            for i in 0..count {
                st.tmp[0] = acc;
                acc = seq::binary(st, Op::Add, acc, st.m.load(base + 2 * i))?;
            }
            st.tmp[0] = Value::None;
            acc
        }
        n::INT => match a {
            _ if argc == 0 => Value::Int(0),
            _ if argc == 2 => int_with_base(st, a, b)?,
            Value::Float(x) => float_to_int(x)?,
            Value::Str(s) => parse_number(st, s, false, 10)?,
            _ => Value::Int(int_of(a).ok_or_else(|| {
                Exc::new(ExcType::TypeError, Msg::CannotConvert).with(Part::Text("int")).with(Part::Text(a.type_name()))
            })?),
        },
        n::FLOAT => match a {
            _ if argc == 0 => Value::Float(0.0),
            Value::Str(s) => parse_number(st, s, true, 0)?,
            _ => Value::Float(float_of(a).ok_or_else(|| {
                Exc::new(ExcType::TypeError, Msg::CannotConvert).with(Part::Text("float")).with(Part::Text(a.type_name()))
            })?),
        },
        n::STR if argc == 0 => st.str_from(b"")?,
        n::STR => to_str(st, a)?,
        n::BOOL => Value::Bool(argc > 0 && ops::truthy(&st.m, a)),
        n::TYPE => Value::Native(type_of(&st.m, a)),
        n::NONE_TYPE => Value::None,
        n::ROUND => {
            let x = need_num(a)?;
            if argc == 1 || b == Value::None {
                match a {
                    Value::Float(_) => float_to_int(round_even(x))?,
                    _ => Value::Int(int_of(a).unwrap_or(0)),
                }
            } else {
                let digits = int_of(b).ok_or_else(|| type_error("round() digits must be an integer"))?;
                match a {
                    Value::Float(_) => Value::Float(numfmt::round_float(x, digits)),
                    Value::Int(i) if digits < 0 => round_int(i, digits)?,
                    _ => a,
                }
            }
        }
        n::TUPLE => match a {
            Value::Tuple(_) => a,
            _ if argc == 0 => Value::Tuple(st.new_tuple(0)?),
            _ => {
                let (count, base) = seq::iter_items(st, a)?;
                let t = st.new_tuple(count)?;
                st.m.copy(t + 1, base, 2 * count);
                Value::Tuple(t)
            }
        },
        n::ENUMERATE | n::ZIP => seq::enumerate_or_zip(st, id == n::ZIP, args, argc)?,
        n::POW => ops::binary(&st.m, Op::Pow, a, b)?,
        n::DIVMOD => {
            let q = ops::binary(&st.m, Op::FloorDiv, a, b)?;
            let r = ops::binary(&st.m, Op::Mod, a, b)?;
            let t = st.new_tuple(2)?;
            st.m.store(t + 1, q);
            st.m.store(t + 3, r);
            Value::Tuple(t)
        }
        n::INPUT => return Err(Exc::new(ExcType::EOFError, Msg::EndOfInput)),
        n::INPUT_VALUE => crate::dialect::input_value(st, a)?,
        _ => modules::call(st, id, argc, args)?,
    })
}

/// `recv.m(args)`: the receiver and `argc` arguments are on the stack.
/// `list.append(x)`, the one a loop runs, stays resident; the rest runs from
/// DRAM (`method_cold`). Not inlined: its frame stays off the dispatch
/// loop's (the 2.25 KB stack holds the loop under every native).
#[cfg(feature = "extras")]
#[inline(never)]
pub fn method(st: &mut St, m: u32, argc: u32) -> Result<Value, Exc> {
    if let (0, 1, Value::List(l)) = (m, argc, st.peek(1)) {
        seq::list_append(st, l, st.peek(0))?;
        return Ok(Value::None);
    }
    method_cold(st, m, argc)
}

/// Every method but the resident `list.append`: the receiver's type and the
/// argument count checked (`natives::METHOD_ARITY`), then the list or str
/// method. Errors send method numbers: the host names them.
#[cfg(feature = "extras")]
#[inline(never)] // DRAM code (linker scripts)
fn method_cold(st: &mut St, m: u32, argc: u32) -> Result<Value, Exc> {
    let recv = st.peek(argc);
    let args = st.sp - 2 * argc;
    if m == u32::from(n::METHOD_STORE_SLICE) {
        return seq::store_slice(st, args, recv);
    }
    let arity = match recv {
        Value::List(_) | Value::Str(_) => n::method_arity(m as u8, matches!(recv, Value::Str(_))),
        Value::Tuple(_) if m == u32::from(n::METHOD_INDEX) || m == u32::from(n::METHOD_COUNT) => {
            n::method_arity(m as u8, false)
        }
        _ => None,
    };
    if !arity.is_some_and(|(min, max)| (u32::from(min)..=u32::from(max)).contains(&argc)) {
        return Err(method_error(recv, m, argc, arity.is_some()));
    }
    let a = st.m.load(args);
    match recv {
        // sort, sort(reverse=r): the deepest method, in a small frame.
        Value::List(l) if m == u32::from(n::METHOD_SORT) || m == u32::from(n::METHOD_SORT_REVERSE) => {
            list_sort(st, l, argc, a)
        }
        Value::List(l) => list_method(st, l, m, argc, a, st.m.load(args + 2)),
        Value::Str(s) => crate::strings::method(st, s, m, argc, args),
        _ => index_or_count(st, recv, m, argc, a),
    }
}

/// `xs.sort()`, or with `argc` 1, `xs.sort(reverse=r)`.
#[cfg(feature = "extras")]
#[inline(never)]
fn list_sort(st: &mut St, l: u32, argc: u32, r: Value) -> Result<Value, Exc> {
    let (len, base) = items(&st.m, Value::List(l)).unwrap_or((0, 0));
    let reverse = argc > 0 && int_of(r).ok_or_else(|| Exc::not_an_integer(r))? != 0;
    seq::sort(&mut st.m, base, len, reverse)?;
    Ok(Value::None)
}

/// AttributeError (the receiver's type has no method `m`) or TypeError (it
/// does, with other argument counts). Errors send method numbers: the host
/// names them.
#[cfg(feature = "extras")]
#[inline(never)]
#[cold]
fn method_error(recv: Value, m: u32, argc: u32, exists: bool) -> Exc {
    if !exists {
        return Exc::new(ExcType::AttributeError, Msg::NoMethod)
            .with(Part::Text(recv.type_name()))
            .with(Part::Int(m as i32));
    }
    Exc::new(ExcType::TypeError, Msg::MethodArgCount)
        .with(Part::Int(m as i32))
        .with(Part::Text(recv.type_name()))
        .with(Part::Int(argc as i32))
}

/// `index(x, start, end)` (method 3) or `count(x)` (5) of a List or Tuple
/// `seq`, arguments checked: they are the `argc` values on top of the
/// stack (`method_cold`'s caller leaves them there).
#[cfg(feature = "extras")]
#[inline(never)] // DRAM code (linker scripts)
fn index_or_count(st: &mut St, seq: Value, m: u32, argc: u32, a: Value) -> Result<Value, Exc> {
    let (len, base) = items(&st.m, seq).unwrap_or((0, 0));
    let args = st.sp - 2 * argc;
    let bound = |k: u32, default: u32| -> Result<u32, Exc> {
        if argc <= k {
            return Ok(default);
        }
        let v = st.m.load(args + 2 * k);
        let x = int_of(v).ok_or_else(|| Exc::new(ExcType::TypeError, Msg::ListIndexBounds))?;
        Ok(if x < 0 { x.wrapping_add(len as i32).max(0) as u32 } else { (x as u32).min(len) })
    };
    let (start, end) = (bound(1, 0)?, bound(2, len)?);
    let mut count = 0;
    for i in start..end {
        if seq::equal(&st.m, st.m.load(base + 2 * i), a)? {
            if m == u32::from(n::METHOD_INDEX) {
                return Ok(Value::Int(i as i32));
            }
            count += 1;
        }
    }
    if m != u32::from(n::METHOD_INDEX) {
        return Ok(Value::Int(count));
    }
    if let Value::Tuple(_) = seq {
        return Err(Exc::new(ExcType::ValueError, Msg::NotInTuple));
    }
    // "'b' is not in list": the value's repr (or "value" when there is no
    // room for it).
    let detail = match crate::repr::repr(st, a) {
        Ok(Value::Str(r)) => Part::Str(r),
        _ => Part::Text("value"),
    };
    Err(Exc::new(ExcType::ValueError, Msg::NotInList).with(detail))
}

/// List method `m` (arguments checked); `xs += ys` runs `extend` here too.
#[cfg(feature = "extras")]
#[inline(never)] // DRAM code (linker scripts)
pub(crate) fn list_method(st: &mut St, l: u32, m: u32, argc: u32, a: Value, b: Value) -> Result<Value, Exc> {
    let (len, base) = items(&st.m, Value::List(l)).unwrap_or((0, 0));
    let set_len = |st: &mut St, n: u32| st.m.set(l, LIST | n << 8);
    Ok(match m {
        // append
        0 => {
            seq::list_append(st, l, a)?;
            Value::None
        }
        // pop
        1 => {
            if len == 0 {
                return Err(Exc::new(ExcType::IndexError, Msg::PopFromEmptyList));
            }
            let i = if argc == 0 { -1 } else { int_of(a).ok_or_else(|| Exc::not_an_integer(a))? };
            let k = if i < 0 { i.wrapping_add(len as i32) } else { i };
            if k < 0 || k as u32 >= len {
                return Err(Exc::new(ExcType::IndexError, Msg::PopIndexOutOfRange));
            }
            let at = base + 2 * k as u32;
            let v = st.m.load(at);
            st.m.copy(at, at + 2, 2 * (len - 1 - k as u32));
            st.m.store(base + 2 * (len - 1), Value::Unbound);
            set_len(st, len - 1);
            v
        }
        // insert
        2 => {
            let i = int_of(a).ok_or_else(|| Exc::not_an_integer(a))?;
            let k = if i < 0 { i.wrapping_add(len as i32).max(0) } else { i.min(len as i32) } as u32;
            seq::list_append(st, l, b)?;
            let base = items(&st.m, Value::List(l)).map_or(0, |(_, b)| b);
            st.m.copy(base + 2 * k + 2, base + 2 * k, 2 * (len - k));
            st.m.store(base + 2 * k, b);
            Value::None
        }
        // index(x, start, end), count(x)
        3 | 5 => index_or_count(st, Value::List(l), m, argc, a)?,
        // extend
        4 => {
            let src = if items(&st.m, a).is_some() {
                a
            } else {
                let t = Value::List(seq::to_list(st, a)?);
                st.tmp[3] = t;
                t
            };
            let count = items(&st.m, src).map_or(0, |(n, _)| n);
            for i in 0..count {
                let v = st.m.load(items(&st.m, src).map_or(0, |(_, b)| b) + 2 * i);
                seq::list_append(st, l, v)?;
            }
            st.tmp[3] = Value::None;
            Value::None
        }
        // reverse (6; sort runs in method_cold)
        _ => {
            for i in 0..len / 2 {
                let (x, y) = (base + 2 * i, base + 2 * (len - 1 - i));
                let (u, v) = (st.m.load(x), st.m.load(y));
                st.m.store(x, v);
                st.m.store(y, u);
            }
            let _ = (b, value_error);
            Value::None
        }
    })
}

//! Str methods (`natives::METHODS`: index, count, and "upper" on). Case
//! mapping and the `is*` tests follow Unicode as CPython does (`unicode`).
//! Positions (`find`'s result, `start` and `end`) count code points, as in
//! Python; the work is on UTF-8 bytes.

use shared_protocol::errors::{ExcType, Msg};

use crate::exc::{Exc, Part};
use crate::seq::{self, int_of, substr};
use crate::unicode::{self, Class};
use crate::value::Value;
use crate::vm::St;

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)
}

/// Argument `k` (from 1) of method `m` as a Str; the host words the error as
/// CPython does for that method.
fn need_str(v: Value, m: u32, k: i32) -> Result<u32, Exc> {
    match v {
        Value::Str(s) => Ok(s),
        _ => Err(Exc::new(ExcType::TypeError, Msg::StrMethodArgType)
            .with(Part::Int(m as i32))
            .with(Part::Int(k))
            .with(Part::Text(v.type_name()))),
    }
}

/// A count argument (`maxsplit`, `replace`'s count): negative means no limit.
fn limit(st: &St, argc: u32, args: u32, k: u32) -> Result<u32, Exc> {
    if argc <= k {
        return Ok(u32::MAX);
    }
    let v = st.m.load(args + 2 * k);
    let n = int_of(v).ok_or_else(|| Exc::not_an_integer(v))?;
    Ok(if n < 0 { u32::MAX } else { n as u32 })
}

/// Whether byte `b` is stripped: whitespace, or one of `chars`' bytes.
fn strips(st: &St, chars: Value, b: u8) -> bool {
    match chars {
        Value::Str(c) => (0..st.m.str_len(c)).any(|i| st.m.str_byte(c, i) == b),
        _ => is_space(b),
    }
}

/// Code points of the Str at `s` before byte `at`.
fn char_index(st: &St, s: u32, at: u32) -> u32 {
    (0..at).filter(|&i| st.m.str_byte(s, i) & 0xC0 != 0x80).count() as u32
}

/// `s[start:end]` of `find(sub, start, end)` and kin (arguments 1 and 2 from
/// word `args`, None or absent for the ends) as byte offsets, or None when
/// start is past end (then even "" is not found), as CPython's
/// ADJUST_INDICES: negative counts from the end, then clamps at 0; end
/// clamps at the length, start does not.
fn span(st: &St, s: u32, argc: u32, args: u32) -> Result<Option<(u32, u32)>, Exc> {
    let n = seq::str_chars(&st.m, s) as i32;
    let bound = |k: u32, default: i32| -> Result<i32, Exc> {
        Ok(match st.m.load(args + 2 * k) {
            _ if argc <= k => default,
            Value::None => default,
            v => {
                let x = int_of(v).ok_or_else(|| Exc::new(ExcType::TypeError, Msg::SliceIndices))?;
                if x < 0 { x.wrapping_add(n).max(0) } else { x }
            }
        })
    };
    let (start, end) = (bound(1, 0)?, bound(2, n)?.min(n));
    if start > end {
        return Ok(None);
    }
    let ascii = st.m.str_len(s) == n as u32;
    let off = |j: i32| if ascii { j as u32 } else { seq::char_off(&st.m, s, j as u32) };
    Ok(Some((off(start), off(end))))
}

/// Whether `sub` occurs at byte `at` of `s`.
fn matches_at(st: &St, s: u32, sub: u32, at: u32) -> bool {
    (0..st.m.str_len(sub)).all(|k| st.m.str_byte(s, at + k) == st.m.str_byte(sub, k))
}

/// `s.m(args)`: `m` is the method's number, its `argc` arguments (checked)
/// are the words from `args`; the receiver and the arguments are rooted.
/// The bigger methods have functions of their own, so that each frame on
/// the 2.25 KB stack holds only what its method needs.
#[inline(never)]
pub fn method(st: &mut St, s: u32, m: u32, argc: u32, args: u32) -> Result<Value, Exc> {
    match m {
        3 | 5 | 15 | 22 | 23 => search(st, s, m, argc, args),
        13 => split(st, s, argc, args),
        14 => join(st, s, st.m.load(args)),
        16 => replace(st, s, argc, args),
        17 | 18 => starts(st, s, m, argc, args),
        _ => simple(st, s, m, argc, st.m.load(args)),
    }
}

/// `upper`, `lower`, the `strip`s and the `is*` tests.
#[inline(never)]
fn simple(st: &mut St, s: u32, m: u32, argc: u32, a: Value) -> Result<Value, Exc> {
    let len = st.m.str_len(s);
    let byte = |st: &St, i: u32| st.m.str_byte(s, i);
    Ok(match m {
        // upper, lower
        8 | 9 => unicode::change_case(st, s, m == 8)?,
        // strip, lstrip, rstrip
        10..=12 => {
            let chars = if argc > 0 { a } else { Value::None };
            if chars != Value::None {
                need_str(chars, m, 1)?;
            }
            let (mut lo, mut hi) = (0, len);
            if m != 12 {
                while lo < hi && strips(st, chars, byte(st, lo)) {
                    lo += 1;
                }
            }
            if m != 11 {
                while hi > lo && strips(st, chars, byte(st, hi - 1)) {
                    hi -= 1;
                }
            }
            substr(st, s, lo, hi - lo)?
        }
        // isdigit, isalpha, isspace
        _ => {
            let class = match m {
                19 => Class::Digit,
                20 => Class::Alpha,
                _ => Class::Space,
            };
            Value::Bool(unicode::all(&st.m, s, class))
        }
    })
}

/// `s.index`, `count`, `find`, `rfind`, `rindex` (sub, start, end).
#[inline(never)]
fn search(st: &mut St, s: u32, m: u32, argc: u32, args: u32) -> Result<Value, Exc> {
    let span = span(st, s, argc, args)?;
    let sub = need_str(st.m.load(args), m, 1)?;
    let n = st.m.str_len(sub);
    let (lo, hi) = span.unwrap_or((1, 0));
    if m == 5 {
        let count = match span {
            None => 0,
            // Every code point boundary of the span.
            Some(_) if n == 0 => char_index(st, s, hi) - char_index(st, s, lo) + 1,
            Some(_) => {
                let (mut count, mut i) = (0, lo);
                while i + n <= hi {
                    if matches_at(st, s, sub, i) {
                        count += 1;
                        i += n;
                    } else {
                        i += 1;
                    }
                }
                count
            }
        };
        return Ok(Value::Int(count as i32));
    }
    let mut at = (lo..(hi + 1).saturating_sub(n)).filter(|&i| matches_at(st, s, sub, i));
    let found = if m >= 22 { at.next_back() } else { at.next() };
    match found {
        Some(at) => Ok(Value::Int(char_index(st, s, at) as i32)),
        None if m == 15 || m == 22 => Ok(Value::Int(-1)),
        None => Err(Exc::new(ExcType::ValueError, Msg::SubstringNotFound)),
    }
}

/// `s.split(sep, maxsplit)`.
#[inline(never)]
fn split(st: &mut St, s: u32, argc: u32, args: u32) -> Result<Value, Exc> {
    let (len, a) = (st.m.str_len(s), st.m.load(args));
    let max = limit(st, argc, args, 1)?;
    let sep = match a {
        _ if argc == 0 => None,
        Value::None => None,
        _ => Some(need_str(a, 13, 1)?),
    };
    if sep.is_some_and(|p| st.m.str_len(p) == 0) {
        return Err(Exc::new(ExcType::ValueError, Msg::EmptySeparator));
    }
    let l = st.new_list(4)?;
    st.tmp[3] = Value::List(l);
    let (mut i, mut splits) = (0, 0);
    loop {
        // The next part is i..end; the one after it starts at next.
        let (end, next) = match sep {
            Some(p) => {
                let found = if splits < max { seq::find(&st.m, s, p, i) } else { None };
                match found {
                    Some(at) => (at, Some(at + st.m.str_len(p))),
                    None => (len, None),
                }
            }
            None => {
                while i < len && is_space(st.m.str_byte(s, i)) {
                    i += 1;
                }
                if i == len {
                    break;
                }
                // The last part keeps its trailing whitespace.
                let mut end = if splits < max { i } else { len };
                while end < len && !is_space(st.m.str_byte(s, end)) {
                    end += 1;
                }
                (end, (end < len).then_some(end))
            }
        };
        let part = substr(st, s, i, end - i)?;
        st.tmp[0] = part;
        seq::list_append(st, l, part)?;
        splits += 1;
        match next {
            Some(n) => i = n,
            None => break,
        }
    }
    st.tmp[0] = Value::None;
    st.tmp[3] = Value::None;
    Ok(Value::List(l))
}

/// `s.join(items)`.
#[inline(never)]
fn join(st: &mut St, s: u32, a: Value) -> Result<Value, Exc> {
    let len = st.m.str_len(s);
    let (n, base) = seq::iter_items(st, a).map_err(|e| match e.msg {
        x if x == Msg::NotIterable as u8 => Exc::new(ExcType::TypeError, Msg::CanOnlyJoinIterable),
        _ => e,
    })?;
    let mut total = len.saturating_mul(n.saturating_sub(1));
    for k in 0..n {
        match st.m.load(base + 2 * k) {
            Value::Str(x) => total = total.saturating_add(st.m.str_len(x)),
            v => {
                return Err(Exc::new(ExcType::TypeError, Msg::JoinItemNotStr)
                    .with(Part::Int(k as i32))
                    .with(Part::Text(v.type_name())));
            }
        }
    }
    let p = st.new_str(total)?;
    let mut out = (p + 1) * 4;
    for k in 0..n {
        for (src, from) in [(s, k > 0), (st.m.word(base + 2 * k + 1), true)] {
            if !from {
                continue;
            }
            for i in 0..st.m.str_len(src) {
                let c = st.m.str_byte(src, i);
                st.m.set_byte(out, c);
                out += 1;
            }
        }
    }
    st.tmp[3] = Value::None;
    Ok(Value::Str(p))
}

/// `s.replace(old, new, count)`: an empty `old` matches before every code
/// point and at the end.
#[inline(never)]
fn replace(st: &mut St, s: u32, argc: u32, args: u32) -> Result<Value, Exc> {
    let (len, a, b, m) = (st.m.str_len(s), st.m.load(args), st.m.load(args + 2), 16);
    let (old, new) = (need_str(a, m, 1)?, need_str(b, m, 2)?);
    let max = limit(st, argc, args, 2)?;
    let (lo, ln) = (st.m.str_len(old), st.m.str_len(new));
    // Two passes: measure (out None), then write.
    let pass = |st: &mut St, out: Option<u32>| -> u32 {
        let (mut i, mut n, mut hits) = (0, 0, 0);
        let mut put = |st: &mut St, src: u32, from: u32, k: u32| {
            for j in 0..k {
                if let Some(o) = out {
                    let c = st.m.str_byte(src, from + j);
                    st.m.set_byte(o + n + j, c);
                }
            }
            n = n.saturating_add(k);
        };
        loop {
            if hits < max && (lo == 0 || (i + lo <= len && matches_at(st, s, old, i))) {
                put(st, new, 0, ln);
                hits += 1;
                if lo > 0 {
                    i += lo;
                    continue;
                }
            }
            if i >= len {
                break;
            }
            let k = if lo == 0 { seq::char_len(st.m.str_byte(s, i)) } else { 1 };
            put(st, s, i, k);
            i += k;
        }
        n
    };
    let total = pass(st, None);
    let p = st.new_str(total)?;
    pass(st, Some((p + 1) * 4));
    Ok(Value::Str(p))
}

/// `s.startswith`, `endswith` (prefix, start, end): the prefix a str or a
/// tuple of strs, tried in order.
#[inline(never)]
fn starts(st: &mut St, s: u32, m: u32, argc: u32, args: u32) -> Result<Value, Exc> {
    let a = st.m.load(args);
    let span = span(st, s, argc, args)?;
    let (n, base, k) = match a {
        Value::Tuple(t) => (st.m.word(t) >> 8, t + 1, 0),
        _ => (1, args, 1),
    };
    for i in 0..n {
        let x = need_str(st.m.load(base + 2 * i), m, k)?;
        let xn = st.m.str_len(x);
        if let Some((lo, hi)) = span
            && xn <= hi - lo
            && matches_at(st, s, x, if m == 17 { lo } else { hi - xn })
        {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

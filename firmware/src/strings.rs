//! Str methods (`natives::METHODS` from "upper" on). Case mapping and the
//! `is*` tests follow Unicode as CPython does (`unicode`).

use shared_protocol::errors::{ExcType, Msg};

use crate::exc::{Exc, Part};
use crate::seq::{self, substr};
use crate::unicode::{self, Class};
use crate::value::Value;
use crate::vm::St;

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)
}

fn need_str(v: Value) -> Result<u32, Exc> {
    match v {
        Value::Str(s) => Ok(s),
        _ => Err(Exc::new(ExcType::TypeError, Msg::ArgumentMustBe)
            .with(Part::Text("str method"))
            .with(Part::Text("str"))
            .with(Part::Text(v.type_name()))),
    }
}

/// Whether byte `b` is stripped: whitespace, or one of `chars`' bytes.
fn strips(st: &St, chars: Value, b: u8) -> bool {
    match chars {
        Value::Str(c) => (0..st.m.str_len(c)).any(|i| st.m.str_byte(c, i) == b),
        _ => is_space(b),
    }
}

/// `s.m(a, b)`: `m` counts from "upper"; receiver and arguments are rooted.
#[inline(never)]
pub fn method(st: &mut St, s: u32, m: u32, argc: u32, a: Value, b: Value) -> Result<Value, Exc> {
    let len = st.m.str_len(s);
    let byte = |st: &St, i: u32| st.m.str_byte(s, i);
    Ok(match m {
        // upper, lower
        0 | 1 => unicode::change_case(st, s, m == 0)?,
        // strip, lstrip, rstrip
        2..=4 => {
            let chars = if argc > 0 { a } else { Value::None };
            let (mut lo, mut hi) = (0, len);
            if m != 4 {
                while lo < hi && strips(st, chars, byte(st, lo)) {
                    lo += 1;
                }
            }
            if m != 3 {
                while hi > lo && strips(st, chars, byte(st, hi - 1)) {
                    hi -= 1;
                }
            }
            substr(st, s, lo, hi - lo)?
        }
        // split
        5 => {
            let sep = if argc > 0 && a != Value::None {
                Some(need_str(a)?)
            } else {
                None
            };
            if sep.is_some_and(|p| st.m.str_len(p) == 0) {
                return Err(Exc::generic(ExcType::ValueError, "empty separator"));
            }
            let l = st.new_list(4)?;
            st.tmp[3] = Value::List(l);
            let mut i = 0;
            loop {
                let (start, end, next) = match sep {
                    Some(p) => {
                        let end = seq::find(&st.m, s, p, i).unwrap_or(len);
                        (i, end, end + st.m.str_len(p))
                    }
                    None => {
                        while i < len && is_space(byte(st, i)) {
                            i += 1;
                        }
                        if i == len {
                            break;
                        }
                        let mut end = i;
                        while end < len && !is_space(byte(st, end)) {
                            end += 1;
                        }
                        (i, end, end)
                    }
                };
                let part = substr(st, s, start, end - start)?;
                st.tmp[0] = part;
                seq::list_append(st, l, part)?;
                if end >= len {
                    break;
                }
                i = next;
            }
            st.tmp[0] = Value::None;
            st.tmp[3] = Value::None;
            Value::List(l)
        }
        // join
        6 => {
            let (n, base) = seq::iter_items(st, a)?;
            let mut total = len * n.saturating_sub(1);
            for k in 0..n {
                match st.m.load(base + 2 * k) {
                    Value::Str(x) => total += st.m.str_len(x),
                    _ => {
                        return Err(Exc::generic(
                            ExcType::TypeError,
                            "sequence item: expected str instance",
                        ));
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
            Value::Str(p)
        }
        // find: a code point index, or -1
        7 => {
            let sub = need_str(a)?;
            match seq::find(&st.m, s, sub, 0) {
                Some(at) => {
                    Value::Int((0..at).filter(|&i| byte(st, i) & 0xC0 != 0x80).count() as i32)
                }
                None => Value::Int(-1),
            }
        }
        // replace
        8 => {
            let (old, new) = (need_str(a)?, need_str(b)?);
            let (lo, ln) = (st.m.str_len(old), st.m.str_len(new));
            if lo == 0 {
                return Ok(Value::Str(s));
            }
            let mut count = 0;
            let mut i = 0;
            while let Some(at) = seq::find(&st.m, s, old, i) {
                count += 1;
                i = at + lo;
            }
            let p = st.new_str(len - count * lo + count * ln)?;
            let (mut i, mut out) = (0, (p + 1) * 4);
            while i < len {
                let hit = seq::find(&st.m, s, old, i) == Some(i);
                let (src, from, n) = if hit { (new, 0, ln) } else { (s, i, 1) };
                for k in 0..n {
                    let c = st.m.str_byte(src, from + k);
                    st.m.set_byte(out, c);
                    out += 1;
                }
                i += if hit { lo } else { 1 };
            }
            Value::Str(p)
        }
        // startswith, endswith
        9 | 10 => {
            let x = need_str(a)?;
            let n = st.m.str_len(x);
            let from = if m == 9 { 0 } else { len.wrapping_sub(n) };
            Value::Bool(n <= len && (0..n).all(|k| byte(st, from + k) == st.m.str_byte(x, k)))
        }
        // isdigit, isalpha, isspace
        _ => {
            let class = match m {
                11 => Class::Digit,
                12 => Class::Alpha,
                _ => Class::Space,
            };
            Value::Bool(unicode::all(&st.m, s, class))
        }
    })
}

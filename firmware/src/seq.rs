//! Sequences and iteration: subscripts, slices, building and unpacking,
//! iterators, `+`/`*` on sequences, deep `==` and lexicographic order, `in`.
//! Nothing here recurses: nested comparisons keep an explicit bounded stack.
//!
//! Rooting rule (`heap`): an object a function holds only in a Rust local is
//! not a root, so operands stay on the operand stack until the result is
//! allocated, and natives park objects in `St::tmp` while they allocate
//! (slot 0: `next`, 1-2: `to_list`, 3: `St::new_list`).

use core::cmp::Ordering;

use shared_protocol::bytecode::Op;
use shared_protocol::errors::{ExcType, Msg};

use crate::arena::Mem;
use crate::exc::{Exc, Part};
use crate::heap::{self, ITER, LIST, RANGE, STR};
use crate::ops;
use crate::value::{T_INT, T_LIST, T_TUPLE, Value};
use crate::vm::St;

/// Iterator kinds (`heap` Iter head).
const IT_SEQ: u32 = 0;
const IT_RANGE: u32 = 1;
#[cfg(feature = "extras")]
const IT_ENUM: u32 = 2;
#[cfg(feature = "extras")]
const IT_ZIP: u32 = 3;

/// Deepest nesting `==` and `<` on lists and tuples follow.
const DEPTH: usize = 8;

pub fn too_long() -> Exc {
    Exc::new(ExcType::MemoryError, Msg::OutOfMemory)
}

fn type_error(text: &'static str) -> Exc {
    Exc::generic(ExcType::TypeError, text)
}

/// A List's or Tuple's length and first item's word.
pub fn items(m: &Mem, v: Value) -> Option<(u32, u32)> {
    match v {
        Value::List(p) => Some((m.word(p) >> 8, m.word(p + 2) + 1)),
        Value::Tuple(p) => Some((m.word(p) >> 8, p + 1)),
        _ => None,
    }
}

pub fn int_of(v: Value) -> Option<i32> {
    match v {
        Value::Int(i) => Some(i),
        Value::Bool(b) => Some(b as i32),
        _ => None,
    }
}

fn is_lead(b: u8) -> bool {
    b & 0xC0 != 0x80
}

/// Bytes of the UTF-8 sequence starting with `lead`.
pub fn char_len(lead: u8) -> u32 {
    match lead {
        0..=0x7F => 1,
        0x80..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

/// Code points in the Str at `s`.
pub fn str_chars(m: &Mem, s: u32) -> u32 {
    (0..m.str_len(s))
        .filter(|&i| is_lead(m.str_byte(s, i)))
        .count() as u32
}

#[cfg(feature = "extras")]
/// Byte offset of code point `j` of the Str at `s`.
pub fn char_off(m: &Mem, s: u32, j: u32) -> u32 {
    let len = m.str_len(s);
    let mut seen = 0;
    for i in 0..len {
        if is_lead(m.str_byte(s, i)) {
            if seen == j {
                return i;
            }
            seen += 1;
        }
    }
    len
}

#[cfg(feature = "extras")]
/// A new Str of bytes `off..off + n` of the Str at `s` (rooted by the caller).
pub fn substr(st: &mut St, s: u32, off: u32, n: u32) -> Result<Value, Exc> {
    let p = st.new_str(n)?;
    for i in 0..n {
        let b = st.m.str_byte(s, off + i);
        st.m.set_byte((p + 1) * 4 + i, b);
    }
    Ok(Value::Str(p))
}

/// Start, stop and step of a Range.
pub fn range_of(m: &Mem, r: u32) -> (i32, i32, i32) {
    let f = |k: u32| m.word(r + 2 + 2 * k) as i32;
    (f(0), f(1), f(2))
}

#[cfg(feature = "extras")]
/// Items of `range(start, stop, step)` (step != 0).
pub fn range_len(start: i32, stop: i32, step: i32) -> u32 {
    let (lo, hi) = if step > 0 {
        (start, stop)
    } else {
        (stop, start)
    };
    if lo >= hi {
        return 0;
    }
    (hi.wrapping_sub(lo) as u32 - 1) / step.unsigned_abs() + 1
}

/// `len(v)`, or None when v has no length.
pub fn len(m: &Mem, v: Value) -> Option<u32> {
    match v {
        Value::Str(s) => Some(str_chars(m, s)),
        #[cfg(feature = "extras")]
        Value::Range(r) => {
            let (a, b, c) = range_of(m, r);
            Some(range_len(a, b, c))
        }
        _ => items(m, v).map(|(n, _)| n),
    }
}

/// Item `k` (< len) of a List, Tuple, Str or Range (rooted by the caller).
pub fn item(st: &mut St, s: Value, k: u32) -> Result<Value, Exc> {
    if let Some((_, base)) = items(&st.m, s) {
        return Ok(st.m.load(base + 2 * k));
    }
    match s {
        #[cfg(feature = "extras")]
        Value::Str(p) => {
            let off = char_off(&st.m, p, k);
            let n = char_len(st.m.str_byte(p, off));
            substr(st, p, off, n)
        }
        #[cfg(feature = "extras")]
        Value::Range(r) => {
            let (a, _, c) = range_of(&st.m, r);
            Ok(Value::Int(a.wrapping_add(c.wrapping_mul(k as i32))))
        }
        _ => Ok(Value::None),
    }
}

/// The word of item `i` of a List or Tuple (memory forms `seq` and `i`),
/// for an int `i` in range (negative from the end): the dispatch loop's
/// LoadSubscr and StoreSubscr. `None` for anything else: `subscr` and
/// `store_subscr` decide (and raise).
#[inline(always)]
pub fn item_word(m: &Mem, seq: [u32; 2], i: [u32; 2]) -> Option<u32> {
    let [tag, p] = seq;
    if i[0] != T_INT || !(tag == T_LIST || tag == T_TUPLE) {
        return None;
    }
    let len = m.word(p) >> 8;
    let base = if tag == T_LIST { m.word(p + 2) + 1 } else { p + 1 };
    let i = i[1] as i32;
    let k = if i < 0 { i.wrapping_add(len as i32) } else { i };
    (k >= 0 && (k as u32) < len).then(|| base + 2 * k as u32)
}

/// A normalised index into a sequence of `len` items.
fn index(v: Value, len: u32, what: &'static str, assign: bool) -> Result<u32, Exc> {
    let Some(i) = int_of(v) else {
        return Err(Exc::new(ExcType::TypeError, Msg::IndicesMustBeIntegers)
            .with(Part::Text(what))
            .with(Part::Text(v.type_name())));
    };
    let j = if i < 0 { i.wrapping_add(len as i32) } else { i };
    if j < 0 || j as u32 >= len {
        let msg = if assign {
            Msg::AssignmentIndexOutOfRange
        } else {
            Msg::IndexOutOfRange
        };
        return Err(Exc::new(ExcType::IndexError, msg).with(Part::Text(what)));
    }
    Ok(j as u32)
}

fn seq_name(v: Value) -> &'static str {
    match v {
        Value::Str(_) => "string",
        Value::Range(_) => "range object",
        _ => v.type_name(),
    }
}

/// Append `v` to the List at `l` (both rooted by the caller).
pub fn list_append(st: &mut St, l: u32, v: Value) -> Result<(), Exc> {
    let len = st.m.word(l) >> 8;
    let mut a = st.m.word(l + 2);
    if len == st.m.word(a) >> 8 {
        let cap = len + len / 2 + 4;
        if cap > shared_protocol::value::MAX_LEN {
            return Err(too_long());
        }
        let na = st.alloc(1 + 2 * cap, heap::ARRAY | cap << 8)?;
        st.m.copy(na + 1, a + 1, 2 * len);
        st.m.store(l + 1, Value::Array(na));
        a = na;
    }
    st.m.store(a + 1 + 2 * len, v);
    st.m.set(l, LIST | (len + 1) << 8);
    Ok(())
}

/// `iter(v)` (v rooted by the caller).
pub fn get_iter(st: &mut St, v: Value) -> Result<Value, Exc> {
    let (kind, a, b, c) = match v {
        Value::Iter(_) => return Ok(v),
        Value::List(_) | Value::Tuple(_) => (IT_SEQ, v, Value::Int(0), Value::None),
        #[cfg(feature = "extras")]
        Value::Str(_) => (IT_SEQ, v, Value::Int(0), Value::None),
        Value::Range(r) => {
            let (x, y, z) = range_of(&st.m, r);
            (IT_RANGE, Value::Int(x), Value::Int(y), Value::Int(z))
        }
        _ => {
            return Err(
                Exc::new(ExcType::TypeError, Msg::NotIterable).with(Part::Text(v.type_name()))
            );
        }
    };
    new_iter(st, kind, [a, b, c])
}

fn new_iter(st: &mut St, kind: u32, vals: [Value; 3]) -> Result<Value, Exc> {
    let p = st.alloc(7, ITER | kind << 8)?;
    for (i, v) in vals.into_iter().enumerate() {
        st.m.store(p + 1 + 2 * i as u32, v);
    }
    Ok(Value::Iter(p))
}

#[cfg(feature = "extras")]
/// `type()` of the iterator at `p`: the iterators a program holds are
/// enumerate and zip objects (a for loop's own never reaches it).
pub fn iter_class(m: &Mem, p: u32) -> u16 {
    use shared_protocol::natives as n;
    if m.word(p) >> 8 == IT_ZIP { n::ZIP } else { n::ENUMERATE }
}

#[cfg(feature = "extras")]
/// An iterator over `v` that `next_simple` can step (enumerate and zip
/// objects are first drained into a list). `v` is rooted by the caller.
pub fn simple_iter(st: &mut St, v: Value) -> Result<Value, Exc> {
    let it = get_iter(st, v)?;
    if let Value::Iter(p) = it
        && st.m.word(p) >> 8 >= IT_ENUM
    {
        let l = to_list(st, it)?;
        st.tmp[1] = Value::List(l);
        let r = get_iter(st, Value::List(l));
        st.tmp[1] = Value::None;
        return r;
    }
    Ok(it)
}

#[cfg(feature = "extras")]
/// `enumerate(v, start)` / `zip(*args)`: `args` are stack words (rooted);
/// each is replaced by its simple iterator.
pub fn enumerate_or_zip(st: &mut St, zip: bool, args: u32, argc: u32) -> Result<Value, Exc> {
    let n = if zip { argc } else { 1 };
    for i in 0..n {
        let it = simple_iter(st, st.m.load(args + 2 * i))?;
        st.m.store(args + 2 * i, it);
    }
    if !zip {
        let start = if argc > 1 {
            st.m.load(args + 2)
        } else {
            Value::Int(0)
        };
        if int_of(start).is_none() {
            return Err(Exc::not_an_integer(start));
        }
        return new_iter(st, IT_ENUM, [st.m.load(args), start, Value::None]);
    }
    let t = st.new_tuple(n)?;
    st.m.copy(t + 1, args, 2 * n);
    st.tmp[0] = Value::Tuple(t);
    let r = new_iter(st, IT_ZIP, [Value::Tuple(t), Value::None, Value::None]);
    st.tmp[0] = Value::None;
    r
}

/// The next int of the range iterator at `p`, stepped in place (`next_simple`
/// on words, for the dispatch loop): `Some(None)` when exhausted, `None`
/// when `p` is no range iterator.
#[inline(always)]
pub fn range_next(m: &mut Mem, p: u32) -> Option<Option<i32>> {
    // Head, current (tag, int), stop and step (tag, int each).
    let step = |w: &mut [u32; 7]| {
        if w[0] != ITER | IT_RANGE << 8 || w[1] != T_INT {
            return None;
        }
        let (cur, stop, step) = (w[2] as i32, w[4] as i32, w[6] as i32);
        if (step > 0 && cur < stop) || (step < 0 && cur > stop) {
            w[2] = cur.checked_add(step).unwrap_or(stop) as u32;
            return Some(Some(cur));
        }
        Some(None)
    };
    if let Some(w) = m.sram_words::<7>(p) {
        return step(w);
    }
    // An iterator in the DRAM heap: word by word.
    let mut w = core::array::from_fn(|i| m.word(p + i as u32));
    let next = step(&mut w);
    m.set(p + 2, w[2]);
    next
}

/// The next item of a Seq or Range iterator.
fn next_simple(st: &mut St, it: Value) -> Result<Option<Value>, Exc> {
    let Value::Iter(p) = it else { return Ok(None) };
    let (a, b) = (st.m.load(p + 1), st.m.word(p + 4) as i32);
    if st.m.word(p) >> 8 == IT_RANGE {
        let (Value::Int(cur), step) = (a, st.m.word(p + 6) as i32) else {
            return Ok(None);
        };
        if (step > 0 && cur < b) || (step < 0 && cur > b) {
            st.m.store(p + 1, Value::Int(cur.checked_add(step).unwrap_or(b)));
            return Ok(Some(a));
        }
        return Ok(None);
    }
    let i = b as u32;
    let v = match a {
        #[cfg(feature = "extras")]
        Value::Str(s) if i < st.m.str_len(s) => {
            let n = char_len(st.m.str_byte(s, i));
            st.m.set(p + 4, i + n);
            return substr(st, s, i, n).map(Some);
        }
        _ => match items(&st.m, a) {
            Some((len, base)) if i < len => st.m.load(base + 2 * i),
            _ => return Ok(None),
        },
    };
    st.m.set(p + 4, i + 1);
    Ok(Some(v))
}

/// `next(it)`: None when exhausted (the iterator is rooted by the caller).
#[inline(never)]
pub fn next(st: &mut St, it: Value) -> Result<Option<Value>, Exc> {
    let Value::Iter(p) = it else {
        return Err(Exc::new(ExcType::TypeError, Msg::NotIterable).with(Part::Text(it.type_name())));
    };
    match st.m.word(p) >> 8 {
        #[cfg(feature = "extras")]
        IT_ENUM => {
            let Some(v) = next_simple(st, st.m.load(p + 1))? else {
                return Ok(None);
            };
            st.tmp[0] = v;
            let t = st.new_tuple(2)?;
            st.tmp[0] = Value::None;
            let count = st.m.load(p + 3);
            st.m.store(t + 1, count);
            st.m.store(t + 3, v);
            let c = int_of(count).unwrap_or(0);
            st.m.store(
                p + 3,
                Value::Int(c.checked_add(1).ok_or_else(Exc::overflow)?),
            );
            Ok(Some(Value::Tuple(t)))
        }
        #[cfg(feature = "extras")]
        IT_ZIP => {
            let Some((n, base)) = items(&st.m, st.m.load(p + 1)) else {
                return Ok(None);
            };
            if n == 0 {
                return Ok(None);
            }
            let t = st.new_tuple(n)?;
            st.tmp[0] = Value::Tuple(t);
            for i in 0..n {
                let Some(v) = next_simple(st, st.m.load(base + 2 * i))? else {
                    st.tmp[0] = Value::None;
                    return Ok(None);
                };
                st.m.store(t + 1 + 2 * i, v);
            }
            st.tmp[0] = Value::None;
            Ok(Some(Value::Tuple(t)))
        }
        _ => next_simple(st, it),
    }
}

/// A new List of everything `v` iterates over (v rooted by the caller).
#[cfg(feature = "extras")]
pub fn to_list(st: &mut St, v: Value) -> Result<u32, Exc> {
    let it = get_iter(st, v)?;
    st.tmp[1] = it;
    let l = st.new_list(4)?;
    st.tmp[2] = Value::List(l);
    while let Some(x) = next(st, it)? {
        st.tmp[0] = x;
        list_append(st, l, x)?;
    }
    st.tmp[..3].fill(Value::None);
    Ok(l)
}

#[cfg(feature = "extras")]
/// The items of any iterable: in place for a List or Tuple, else from a new
/// List kept in `St::tmp[3]` until the next call.
pub fn iter_items(st: &mut St, v: Value) -> Result<(u32, u32), Exc> {
    if let Some(r) = items(&st.m, v) {
        return Ok(r);
    }
    let l = to_list(st, v)?;
    st.tmp[3] = Value::List(l);
    Ok(items(&st.m, Value::List(l)).unwrap_or((0, 0)))
}

/// `a[i]` (both rooted on the stack).
fn subscr(st: &mut St, a: Value, i: Value) -> Result<Value, Exc> {
    let n = if !cfg!(feature = "extras") && matches!(a, Value::Str(_)) {
        None
    } else {
        len(&st.m, a)
    };
    let Some(n) = n else {
        return Err(
            Exc::new(ExcType::TypeError, Msg::NotSubscriptable).with(Part::Text(a.type_name()))
        );
    };
    let k = index(i, n, seq_name(a), false)?;
    item(st, a, k)
}

fn store_subscr(st: &mut St, a: Value, i: Value, v: Value) -> Result<(), Exc> {
    match a {
        Value::List(_) => {
            let (n, base) = items(&st.m, a).unwrap_or((0, 0));
            let k = index(i, n, "list", true)?;
            st.m.store(base + 2 * k, v);
            Ok(())
        }
        _ => {
            Err(Exc::new(ExcType::TypeError, Msg::NoItemAssignment).with(Part::Text(a.type_name())))
        }
    }
}

#[cfg(feature = "extras")]
/// Start, stop and step of `[lo:hi:step]` on `n` items, with Python's
/// clamping rules (step != 0). Out of line: its frame stays off `seq::op`'s.
#[inline(never)]
fn slice_bounds(n: i32, lo: Value, hi: Value, step: Value) -> Result<(i32, i32, i32), Exc> {
    let bad = || Exc::new(ExcType::TypeError, Msg::SliceIndices);
    let step = match step {
        Value::None => 1,
        v => int_of(v).ok_or_else(bad)?,
    };
    if step == 0 {
        return Err(Exc::new(ExcType::ValueError, Msg::ZeroStep).with(Part::Text("slice")));
    }
    let (lower, upper) = if step < 0 { (-1, n - 1) } else { (0, n) };
    let bound = |v: Value, default: i32| -> Result<i32, Exc> {
        Ok(match v {
            Value::None => default,
            v => {
                let x = int_of(v).ok_or_else(bad)?;
                if x < 0 {
                    x.wrapping_add(n).max(lower)
                } else {
                    x.min(upper)
                }
            }
        })
    };
    let (start, stop) = if step < 0 {
        (bound(lo, upper)?, bound(hi, lower)?)
    } else {
        (bound(lo, lower)?, bound(hi, upper)?)
    };
    Ok((start, stop, step))
}

#[cfg(feature = "extras")]
/// `a[lo:hi:step] = v` (the compiler's `METHOD_STORE_SLICE`): a, lo, hi and
/// step (None when absent) are the words from `args`, all on the stack with
/// `v`. Step 1 replaces the slice by v's items, whatever their number; any
/// other step needs exactly one item per slot, as in CPython.
#[inline(never)] // DRAM code (linker scripts)
pub fn store_slice(st: &mut St, args: u32, v: Value) -> Result<Value, Exc> {
    let a = st.m.load(args);
    let Value::List(l) = a else {
        return Err(Exc::new(ExcType::TypeError, Msg::NoItemAssignment).with(Part::Text(a.type_name())));
    };
    let arg = |k: u32| st.m.load(args + 2 * k);
    let n = st.m.word(l) >> 8;
    let (start, stop, step) = slice_bounds(n as i32, arg(1), arg(2), arg(3))?;
    // v's items first, in a new list: `xs[1:] = xs` reads the old items.
    let src = match to_list(st, v) {
        Ok(src) => src,
        Err(e) if e.msg == Msg::NotIterable as u8 => {
            let msg = if step == 1 { Msg::CanOnlyAssignIterable } else { Msg::ExtendedSliceNotIterable };
            return Err(Exc::new(ExcType::TypeError, msg));
        }
        Err(e) => return Err(e),
    };
    st.tmp[3] = Value::List(src);
    let k = st.m.word(src) >> 8;
    if step == 1 {
        // Make the slice k items long, moving the tail; filled below.
        let (lo, hi) = (start as u32, (stop as u32).max(start as u32));
        for _ in hi - lo..k {
            list_append(st, l, Value::None)?;
        }
        let base = st.m.word(l + 2) + 1;
        let new_len = n - (hi - lo) + k;
        st.m.copy(base + 2 * (lo + k), base + 2 * hi, 2 * (n - hi));
        for i in new_len..n {
            st.m.store(base + 2 * i, Value::Unbound);
        }
        st.m.set(l, LIST | new_len << 8);
    } else {
        let count = range_len(start, stop, step);
        if k != count {
            return Err(Exc::new(ExcType::ValueError, Msg::ExtendedSliceSize)
                .with(Part::Int(k as i32))
                .with(Part::Int(count as i32)));
        }
    }
    // Item j goes to index start + j * step (each in range: j < k).
    let (base, from) = (st.m.word(l + 2) + 1, st.m.word(src + 2) + 1);
    for j in 0..k {
        let x = st.m.load(from + 2 * j);
        let i = start.wrapping_add((j as i32).wrapping_mul(step)) as u32;
        st.m.store(base + 2 * i, x);
    }
    st.tmp[3] = Value::None;
    Ok(Value::None)
}

#[cfg(feature = "extras")]
/// `a[lo:hi:step]` with Python's clamping rules (operands on the stack).
/// DRAM code (linker scripts): it allocates and copies.
#[inline(never)]
fn slice(st: &mut St, a: Value, lo: Value, hi: Value, step: Value) -> Result<Value, Exc> {
    let n = match a {
        Value::List(_) | Value::Tuple(_) | Value::Str(_) => len(&st.m, a).unwrap_or(0) as i32,
        Value::Range(r) => return range_slice(st, r, lo, hi, step),
        _ => {
            return Err(
                Exc::new(ExcType::TypeError, Msg::NotSubscriptable).with(Part::Text(a.type_name()))
            );
        }
    };
    let (start, stop, step) = slice_bounds(n, lo, hi, step)?;
    let count = range_len(start, stop, step);
    let at = |k: u32| start.wrapping_add(step.wrapping_mul(k as i32)) as u32;
    if let Value::Str(s) = a {
        let ascii = st.m.str_len(s) == n as u32;
        let off = |m: &Mem, k: u32| if ascii { at(k) } else { char_off(m, s, at(k)) };
        let bytes: u32 = (0..count)
            .map(|k| char_len(st.m.str_byte(s, off(&st.m, k))))
            .sum();
        let p = st.new_str(bytes)?;
        let mut out = (p + 1) * 4;
        for k in 0..count {
            let o = off(&st.m, k);
            for i in 0..char_len(st.m.str_byte(s, o)) {
                let b = st.m.str_byte(s, o + i);
                st.m.set_byte(out, b);
                out += 1;
            }
        }
        return Ok(Value::Str(p));
    }
    let (r, base) = new_like(st, a, count)?;
    let src = items(&st.m, a).map_or(0, |(_, b)| b);
    for k in 0..count {
        let v = st.m.load(src + 2 * at(k));
        st.m.store(base + 2 * k, v);
    }
    Ok(r)
}

#[cfg(feature = "extras")]
/// `r[lo:hi:step]` of the Range at `r`: a Range, as CPython makes it
/// (`range(0, 10, 2)[1:3]` is `range(2, 6, 2)`). A bound or step beyond
/// 32 bits (`range(-2**31, 0)[::-1]` stops at -2**31 - 1) is the device's
/// OverflowError.
fn range_slice(st: &mut St, r: u32, lo: Value, hi: Value, step: Value) -> Result<Value, Exc> {
    let (a, b, c) = range_of(&st.m, r);
    let n = i32::try_from(range_len(a, b, c)).map_err(|_| Exc::overflow())?;
    let (start, stop, k) = slice_bounds(n, lo, hi, step)?;
    // In 64 bits: i * c can be out of range when a + i * c is not.
    let at = |i: i32| i32::try_from(i64::from(a) + i64::from(i) * i64::from(c)).ok();
    match (at(start), at(stop), c.checked_mul(k)) {
        (Some(x), Some(y), Some(z)) => new_range(st, &[x, y, z]),
        _ => Err(Exc::overflow()),
    }
}

/// `a == b` for values that are no numbers, Strs, Lists or Tuples: the
/// same value, or ranges of the same ints in the same order, as in CPython
/// (`range(0) == range(2, 2)`, `range(0, 3, 5) == range(1)`).
#[inline(never)] // DRAM code (linker scripts)
pub fn same(m: &Mem, a: Value, b: Value) -> bool {
    #[cfg(feature = "extras")]
    if let (Value::Range(x), Value::Range(y)) = (a, b) {
        let ((a, b, c), (d, e, f)) = (range_of(m, x), range_of(m, y));
        let n = range_len(a, b, c);
        return n == range_len(d, e, f) && (n == 0 || (a == d && (n == 1 || c == f)));
    }
    let _ = m;
    a.to_words() == b.to_words()
}

/// A new List (if `like` is one) or Tuple of `n` items to fill; its first
/// item's word.
fn new_like(st: &mut St, like: Value, n: u32) -> Result<(Value, u32), Exc> {
    if let Value::List(_) = like {
        let l = st.new_list(n)?;
        st.m.set(l, LIST | n << 8);
        Ok((Value::List(l), st.m.word(l + 2) + 1))
    } else {
        let t = st.new_tuple(n)?;
        Ok((Value::Tuple(t), t + 1))
    }
}

/// UnpackSequence `n`: the List or Tuple on top becomes its `n` items
/// (other iterables come with the `extras`: they would need allocation).
fn unpack(st: &mut St, n: u32) -> Result<(), Exc> {
    #[cfg_attr(not(feature = "extras"), allow(unused_mut))]
    let mut s = st.peek(0);
    #[cfg(feature = "extras")]
    if items(&st.m, s).is_none() {
        s = Value::List(to_list(st, s)?);
    }
    let Some((have, base)) = items(&st.m, s) else {
        return Err(Exc::new(ExcType::TypeError, Msg::NotIterable).with(Part::Text(s.type_name())));
    };
    if have > n {
        return Err(Exc::new(ExcType::ValueError, Msg::TooManyToUnpack).with(Part::Int(n as i32)));
    }
    if have < n {
        return Err(Exc::new(ExcType::ValueError, Msg::NotEnoughToUnpack)
            .with(Part::Int(n as i32))
            .with(Part::Int(have as i32)));
    }
    st.sp -= 2;
    for k in (0..n).rev() {
        st.push(st.m.load(base + 2 * k));
    }
    Ok(())
}

/// The subscript, slice, build, unpack, append and iter opcodes.
#[inline(never)]
pub fn op(st: &mut St, op: Op, arg: u32) -> Result<(), Exc> {
    match op {
        Op::LoadSubscr => {
            let v = subscr(st, st.peek(1), st.peek(0))?;
            st.replace(2, v);
        }
        Op::StoreSubscr => {
            let (v, a, i) = (st.peek(2), st.peek(1), st.peek(0));
            store_subscr(st, a, i, v)?;
            st.sp -= 6;
        }
        #[cfg(feature = "extras")]
        Op::LoadSlice | Op::LoadSliceStep => {
            let n = if op == Op::LoadSlice { 3 } else { 4 };
            let step = if n == 4 { st.peek(0) } else { Value::None };
            let v = slice(st, st.peek(n - 1), st.peek(n - 2), st.peek(n - 3), step)?;
            st.replace(n, v);
        }
        Op::BuildList | Op::BuildTuple => {
            let like = if op == Op::BuildList {
                Value::List(0)
            } else {
                Value::None
            };
            let (r, base) = new_like(st, like, arg)?;
            st.m.copy(base, st.sp - 2 * arg, 2 * arg);
            st.replace(arg, r);
        }
        Op::UnpackSequence => unpack(st, arg)?,
        Op::ListAppend => {
            let Value::List(l) = st.peek(arg + 1) else {
                return Err(type_error("ListAppend needs a list"));
            };
            list_append(st, l, st.peek(0))?;
            st.sp -= 2;
        }
        _ => {
            let it = get_iter(st, st.peek(0))?;
            st.replace(1, it);
        }
    }
    Ok(())
}

/// Same kind of sequence (both Lists or both Tuples).
fn same_seq(a: Value, b: Value) -> bool {
    matches!(
        (a, b),
        (Value::List(_), Value::List(_)) | (Value::Tuple(_), Value::Tuple(_))
    )
}

fn recursion() -> Exc {
    Exc::new(ExcType::RecursionError, Msg::RecursionDepth)
}

/// Deep `a == b`, without recursion.
#[inline(never)]
pub fn equal(m: &Mem, a: Value, b: Value) -> Result<bool, Exc> {
    let mut stack = [(0u32, 0u32, 0u32); DEPTH];
    let mut depth = 0;
    let (mut x, mut y) = (a, b);
    loop {
        if same_seq(x, y) {
            let ((la, pa), (lb, pb)) =
                (items(m, x).unwrap_or((0, 0)), items(m, y).unwrap_or((0, 0)));
            if la != lb {
                return Ok(false);
            }
            *stack.get_mut(depth).ok_or_else(recursion)? = (pa, pb, la);
            depth += 1;
        } else if !matches!(ops::binary(m, Op::Eq, x, y)?, Value::Bool(true)) {
            return Ok(false);
        }
        loop {
            if depth == 0 {
                return Ok(true);
            }
            let (pa, pb, n) = &mut stack[depth - 1];
            if *n == 0 {
                depth -= 1;
                continue;
            }
            x = m.load(*pa);
            y = m.load(*pb);
            *pa += 2;
            *pb += 2;
            *n -= 1;
            break;
        }
    }
}

/// `<`, `<=`, `>`, `>=` (and `==`, `!=`) with sequences compared
/// lexicographically, without recursion.
#[inline(never)]
fn compare(m: &Mem, op: Op, a: Value, b: Value) -> Result<Value, Exc> {
    if matches!(op, Op::Eq | Op::Ne) {
        return Ok(Value::Bool(equal(m, a, b)? == (op == Op::Eq)));
    }
    if !cfg!(feature = "extras") {
        return ops::binary(m, op, a, b);
    }
    let (mut x, mut y) = (a, b);
    for _ in 0..DEPTH {
        if !same_seq(x, y) {
            return ops::binary(m, op, x, y);
        }
        let ((la, pa), (lb, pb)) = (items(m, x).unwrap_or((0, 0)), items(m, y).unwrap_or((0, 0)));
        let diff = (0..la.min(lb))
            .find(|&i| !matches!(equal(m, m.load(pa + 2 * i), m.load(pb + 2 * i)), Ok(true)));
        match diff {
            Some(i) => {
                x = m.load(pa + 2 * i);
                y = m.load(pb + 2 * i);
            }
            None => return ops::binary(m, op, Value::Int(la as i32), Value::Int(lb as i32)),
        }
    }
    Err(recursion())
}

/// `needle in hay`.
#[cfg(feature = "extras")]
pub fn contains(st: &mut St, needle: Value, hay: Value) -> Result<bool, Exc> {
    match hay {
        Value::Str(h) => {
            let Value::Str(n) = needle else {
                return Err(type_error("'in <string>' requires string as left operand"));
            };
            Ok(find(&st.m, h, n, 0).is_some())
        }
        Value::Range(r) => {
            let (a, b, c) = range_of(&st.m, r);
            Ok(match needle {
                Value::Int(_) | Value::Bool(_) => {
                    let x = int_of(needle).unwrap_or(0);
                    let inside = if c > 0 {
                        x >= a && x < b
                    } else {
                        x <= a && x > b
                    };
                    inside && (x.wrapping_sub(a) as u32).is_multiple_of(c.unsigned_abs())
                }
                _ => false,
            })
        }
        _ => {
            let (n, base) = iter_items(st, hay)?;
            for i in 0..n {
                if equal(&st.m, st.m.load(base + 2 * i), needle)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
    }
}

/// Byte offset of the first `needle` in `hay` at or after byte `from`.
pub fn find(m: &Mem, hay: u32, needle: u32, from: u32) -> Option<u32> {
    let (h, n) = (m.str_len(hay), m.str_len(needle));
    (from..=h.checked_sub(n)?)
        .find(|&i| (0..n).all(|k| m.str_byte(hay, i + k) == m.str_byte(needle, k)))
}

/// Binary operators, sequences first (operands still on the stack).
#[inline(never)]
pub fn binary(st: &mut St, op: Op, a: Value, b: Value) -> Result<Value, Exc> {
    match op {
        #[cfg(feature = "extras")]
        Op::In | Op::NotIn => return Ok(Value::Bool(contains(st, a, b)? == (op == Op::In))),
        #[cfg(feature = "extras")]
        Op::Add if matches!(a, Value::Str(_) | Value::List(_) | Value::Tuple(_)) => {
            return concat(st, a, b);
        }
        // `5 + "x"` in the ePython dialect (`"x" + 5` is concat's).
        #[cfg(feature = "extras")]
        Op::Add if matches!(b, Value::Str(_)) => {
            if let Some(v) = crate::dialect::str_plus(st, a, b)? {
                return Ok(v);
            }
        }
        #[cfg(feature = "extras")]
        Op::Mul => {
            let (s, n) = match (int_of(a), int_of(b)) {
                (None, Some(n)) => (a, n),
                (Some(n), None) => (b, n),
                _ => return ops::binary(&st.m, op, a, b),
            };
            if matches!(s, Value::Str(_) | Value::List(_) | Value::Tuple(_)) {
                return repeat(st, s, n.max(0) as u32);
            }
        }
        _ => {}
    }
    if matches!(op, Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge) {
        return compare(&st.m, op, a, b);
    }
    ops::binary(&st.m, op, a, b)
}

#[cfg(feature = "extras")]
/// Units of `v` to copy: bytes of a Str, items of a List/Tuple.
fn units(m: &Mem, v: Value) -> u32 {
    match v {
        Value::Str(s) => m.str_len(s),
        _ => items(m, v).map_or(0, |(n, _)| n),
    }
}

#[cfg(feature = "extras")]
/// A new object like `like` of `n` units; the word or byte where units start.
fn new_units(st: &mut St, like: Value, n: u32) -> Result<(Value, u32), Exc> {
    if let Value::Str(_) = like {
        let p = st.new_str(n)?;
        return Ok((Value::Str(p), (p + 1) * 4));
    }
    new_like(st, like, n)
}

#[cfg(feature = "extras")]
/// Copy unit `i` of `src` to unit `j` of the new object at `out`.
fn copy_unit(m: &mut Mem, src: Value, i: u32, out: u32, j: u32) {
    match src {
        Value::Str(s) => {
            let b = m.str_byte(s, i);
            m.set_byte(out + j, b);
        }
        _ => {
            let base = items(m, src).map_or(0, |(_, b)| b);
            let v = m.load(base + 2 * i);
            m.store(out + 2 * j, v);
        }
    }
}

#[cfg(feature = "extras")]
fn concat(st: &mut St, a: Value, b: Value) -> Result<Value, Exc> {
    let same = matches!((a, b), (Value::Str(_), Value::Str(_))) || same_seq(a, b);
    if !same {
        if let Some(v) = crate::dialect::str_plus(st, a, b)? {
            return Ok(v);
        }
        let name = a.type_name();
        return Err(Exc::new(ExcType::TypeError, Msg::CanOnlyConcatenate)
            .with(Part::Text(name))
            .with(Part::Text(b.type_name()))
            .with(Part::Text(name)));
    }
    let (na, nb) = (units(&st.m, a), units(&st.m, b));
    let (r, out) = new_units(st, a, na.checked_add(nb).ok_or_else(too_long)?)?;
    for i in 0..na {
        copy_unit(&mut st.m, a, i, out, i);
    }
    for i in 0..nb {
        copy_unit(&mut st.m, b, i, out, na + i);
    }
    Ok(r)
}

#[cfg(feature = "extras")]
fn repeat(st: &mut St, s: Value, n: u32) -> Result<Value, Exc> {
    let k = units(&st.m, s);
    let total = k
        .checked_mul(n)
        .filter(|&t| t <= shared_protocol::value::MAX_LEN)
        .ok_or_else(too_long)?;
    let (r, out) = new_units(st, s, total)?;
    for j in 0..total {
        copy_unit(&mut st.m, s, j % k.max(1), out, j);
    }
    Ok(r)
}

/// `a < b` for sorting and min/max (TypeError when unorderable). Inlined:
/// a wrapper's frame would sit on the stack under every comparison.
#[inline(always)]
pub fn less(m: &Mem, a: Value, b: Value) -> Result<bool, Exc> {
    Ok(matches!(compare(m, Op::Lt, a, b)?, Value::Bool(true)))
}

/// Whether `v` is a Str.
pub fn is_str(v: Value) -> bool {
    matches!(v, Value::Str(_))
}

/// Order of two values by `<` for a stable sort.
pub fn order(m: &Mem, a: Value, b: Value) -> Result<Ordering, Exc> {
    Ok(if less(m, b, a)? {
        Ordering::Greater
    } else {
        Ordering::Less
    })
}

/// Stable insertion sort of `n` values from word `base`, in place.
pub fn sort(m: &mut Mem, base: u32, n: u32, reverse: bool) -> Result<(), Exc> {
    for i in 1..n {
        let v = m.load(base + 2 * i);
        let mut j = i;
        while j > 0 {
            let u = m.load(base + 2 * (j - 1));
            let after = if reverse {
                less(m, u, v)?
            } else {
                less(m, v, u)?
            };
            if !after {
                break;
            }
            m.store(base + 2 * j, u);
            j -= 1;
        }
        m.store(base + 2 * j, v);
    }
    Ok(())
}

/// `range(...)` from 1-3 ints.
pub fn new_range(st: &mut St, args: &[i32; 3]) -> Result<Value, Exc> {
    if args[2] == 0 {
        return Err(Exc::new(ExcType::ValueError, Msg::ZeroStep).with(Part::Text("range() arg 3")));
    }
    let p = st.alloc(7, RANGE)?;
    for (i, &x) in args.iter().enumerate() {
        st.m.store(p + 1 + 2 * i as u32, Value::Int(x));
    }
    Ok(Value::Range(p))
}

#[allow(dead_code)]
const _: u32 = STR;

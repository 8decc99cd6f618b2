//! `str()` of lists and tuples: Python's repr of the items (strings quoted,
//! floats by `numfmt`, a list inside itself `[...]`), written without
//! recursion (`nest::walk`) in two passes (measure, then write into a new
//! Str); and the text of every other value but a Str (`leaf_text`), which
//! prints show too (report.rs).

use shared_protocol::errors::{ExcType, Msg};
use shared_protocol::natives::{self, Kind};
use shared_protocol::numfmt;
use shared_protocol::value::{LIST_CYCLE, TUPLE_CYCLE};

use crate::arena::Mem;
use crate::exc::Exc;
use crate::nest::{self, Event, Room, Walk};
use crate::value::Value;
use crate::vm::St;

/// Where text goes: counted only (`at` None), or written from byte `at`.
struct Out {
    at: Option<u32>,
    pos: u32,
}

impl Out {
    fn put(&mut self, m: &mut Mem, bytes: &[u8]) {
        for &b in bytes {
            self.byte(m, b);
        }
    }
    fn byte(&mut self, m: &mut Mem, b: u8) {
        if let Some(at) = self.at {
            m.set_byte(at + self.pos, b);
        }
        self.pos += 1;
    }
}

/// The longest `leaf_text`: `range(-2147483648, -2147483648, -2147483648)`.
pub const LEAF_MAX: usize = 48;
pub type LeafText = heapless::Vec<u8, LEAF_MAX>;

/// `str(v)` of a value that is no Str, List or Tuple: a scalar, a range
/// (`range(0, 10, 2)`), a native (`<class 'int'>`, `<module 'math'>`,
/// `<built-in function len>`), a function or an iterator.
pub fn leaf_text(m: &Mem, v: Value) -> LeafText {
    let mut out = LeafText::new();
    let mut put = |bytes: &[u8]| {
        let _ = out.extend_from_slice(bytes);
    };
    match v {
        Value::Bool(true) => put(b"True"),
        Value::Bool(false) => put(b"False"),
        Value::Int(i) => put(&numfmt::format_int(i)),
        Value::Float(f) => put(&numfmt::format_float(f)),
        Value::Func(_) => put(b"<function>"),
        Value::Range(r) => {
            let (start, stop, step) = crate::seq::range_of(m, r);
            put(b"range(");
            put(&numfmt::format_int(start));
            put(b", ");
            put(&numfmt::format_int(stop));
            if step != 1 {
                put(b", ");
                put(&numfmt::format_int(step));
            }
            put(b")");
        }
        Value::Iter(_) => put(b"<iterator>"),
        Value::Native(id) => {
            let Some(n) = natives::get(id) else { return out };
            let (pre, post): (&[u8], &[u8]) = if n.kind == Kind::Module {
                (b"<module '", b"'>")
            } else if n.class {
                (b"<class '", b"'>")
            } else {
                (b"<built-in function ", b">")
            };
            put(pre);
            put(n.name.as_bytes());
            put(post);
        }
        _ => put(b"None"),
    }
    out
}

fn put_str(out: &mut Out, m: &mut Mem, s: u32) {
    let n = m.str_len(s);
    let has = |m: &Mem, c: u8| (0..n).any(|i| m.str_byte(s, i) == c);
    let q = if has(m, b'\'') && !has(m, b'"') {
        b'"'
    } else {
        b'\''
    };
    out.byte(m, q);
    for i in 0..n {
        let c = m.str_byte(s, i);
        let esc = match c {
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            b'\\' => b'\\',
            _ if c == q => q,
            _ => 0,
        };
        if esc != 0 {
            out.put(m, &[b'\\', esc]);
        } else if c < 0x20 || c == 0x7F {
            let hex = b"0123456789abcdef";
            out.put(
                m,
                &[b'\\', b'x', hex[(c >> 4) as usize], hex[(c & 15) as usize]],
            );
        } else {
            out.byte(m, c);
        }
    }
    out.byte(m, q);
}

/// Write `repr(v)` (RecursionError past `value::MAX_DEPTH` levels).
fn write(m: &mut Mem, v: Value, room: Room, out: &mut Out) -> Result<(), Exc> {
    let mut walk = Walk::new(v, room);
    let deep = |_| Exc::new(ExcType::RecursionError, Msg::ReprTooDeep);
    while let Some(event) = walk.next(m).map_err(deep)? {
        match event {
            Event::Open { tuple, .. } => out.byte(m, if tuple { b'(' } else { b'[' }),
            Event::Sep => out.put(m, b", "),
            Event::Close { tuple, n } => {
                if tuple && n == 1 {
                    out.byte(m, b',');
                }
                out.byte(m, if tuple { b')' } else { b']' });
            }
            Event::Cycle { tuple } => {
                out.put(m, if tuple { TUPLE_CYCLE } else { LIST_CYCLE }.as_bytes())
            }
            Event::Leaf(Value::Str(s)) => put_str(out, m, s),
            Event::Leaf(x) => {
                let text = leaf_text(m, x);
                out.put(m, &text)
            }
        }
    }
    Ok(())
}

/// A new Str holding `repr(v)` (v rooted by the caller).
pub fn repr(st: &mut St, v: Value) -> Result<Value, Exc> {
    let mut count = Out { at: None, pos: 0 };
    let room = nest::room(st, st.sp);
    write(&mut st.m, v, room, &mut count)?;
    let p = st.new_str(count.pos)?;
    // The room again: new_str may have collected, never above the stack.
    let room = nest::room(st, st.sp);
    write(&mut st.m, v, room, &mut Out { at: Some((p + 1) * 4), pos: 0 })?;
    Ok(Value::Str(p))
}

//! Walking a value's nested lists and tuples depth first, for print, str()
//! and the encoders (report.rs, repr.rs), without recursion on the Rust
//! stack (2.25 KB on the chip): the containers being walked are kept in
//! VM memory, in free words above the operand stack ([`room`]; once the
//! run is over, a whole frame segment: [`room_after_run`]), two words each
//! (the object, then `next item << 1 | tuple`).
//!
//! Keeping them there also finds cycles as CPython's `Py_ReprEnter` does: a
//! list or tuple met again while it is still open (inside itself, directly
//! or through other containers) is a [`Event::Cycle`], which print and
//! str() show as `[...]` or `(...)`. The same list twice side by side is no
//! cycle (`[a, a]` shows `a` twice).

use shared_protocol::value::MAX_DEPTH;

use crate::arena::Mem;
use crate::seq;
use crate::value::Value;
use crate::vm::St;

/// Where the walk keeps its open containers: free words `at..end` of VM
/// memory.
#[derive(Clone, Copy)]
pub struct Room {
    pub at: u32,
    pub end: u32,
}

/// Free words above the operand stack from word `above` (at least the
/// stack pointer): the rest of the current frame's segment (nothing lives
/// above the top frame's stack), or the whole DRAM segment when the frame
/// is in the SRAM one and that is bigger (frames go to the DRAM segment
/// only when the SRAM one is full, so it is free).
pub fn room(st: &St, above: u32) -> Room {
    let [s0, s1] = st.segs;
    let in_seg0 = st.fp >= s0.0 && st.fp < s0.1;
    let end = if in_seg0 { s0.1 } else { s1.1 };
    let at = above.max(st.sp);
    let tail = end.saturating_sub(at);
    if in_seg0 && s1.1 - s1.0 > tail {
        Room { at: s1.0, end: s1.1 }
    } else {
        Room { at, end: at + tail }
    }
}

/// Free words once the run is over (for its result and the device data
/// kept): every frame is dead then, so the bigger frame segment is free
/// (a RecursionError may have left the stack pointer near its end).
pub fn room_after_run(st: &St) -> Room {
    let [s0, s1] = st.segs;
    let (at, end) = if s1.1 - s1.0 > s0.1 - s0.0 { s1 } else { s0 };
    Room { at, end }
}

/// What the walk meets, in order.
pub enum Event {
    /// A value that is not a list or tuple.
    Leaf(Value),
    /// A list or tuple of `n` items begins; its items follow.
    Open { tuple: bool, n: u32 },
    /// Between two items of the innermost open container.
    Sep,
    /// The innermost container ends (it had `n` items).
    Close { tuple: bool, n: u32 },
    /// A list or tuple met inside itself: not walked again.
    Cycle { tuple: bool },
}

/// Lists and tuples nested more than `value::MAX_DEPTH` deep, or deeper
/// than the room holds.
pub struct Deep;

/// A walk in progress: call [`Walk::next`] until it gives `None`.
pub struct Walk {
    room: Room,
    /// Containers open (in the room).
    depth: u32,
    /// The value to visit next; `None`: go on with the innermost container.
    next: Option<Value>,
}

impl Walk {
    pub fn new(v: Value, room: Room) -> Walk {
        Walk { room, depth: 0, next: Some(v) }
    }

    /// Visit `v` next, before the innermost container's next item (an
    /// encoder's value inside a leaf: a function's defaults).
    pub fn then(&mut self, v: Value) {
        self.next = Some(v);
    }

    /// The next event (`None`: the walk is over).
    #[inline(never)]
    pub fn next(&mut self, m: &mut Mem) -> Result<Option<Event>, Deep> {
        let entry = |d: u32| self.room.at + 2 * d;
        loop {
            if let Some(x) = self.next.take() {
                let (Value::List(p) | Value::Tuple(p), Some((n, _))) = (x, seq::items(m, x)) else {
                    return Ok(Some(Event::Leaf(x)));
                };
                let tuple = matches!(x, Value::Tuple(_));
                if (0..self.depth).any(|d| m.word(entry(d)) == p) {
                    return Ok(Some(Event::Cycle { tuple }));
                }
                let levels = (self.room.end.saturating_sub(self.room.at) / 2).min(MAX_DEPTH);
                if self.depth >= levels {
                    return Err(Deep);
                }
                m.set(entry(self.depth), p);
                m.set(entry(self.depth) + 1, tuple as u32);
                self.depth += 1;
                return Ok(Some(Event::Open { tuple, n }));
            }
            if self.depth == 0 {
                return Ok(None);
            }
            // The innermost container's next item (after a Sep), or its end.
            let e = entry(self.depth - 1);
            let (p, next) = (m.word(e), m.word(e + 1));
            let tuple = next & 1 != 0;
            let c = if tuple { Value::Tuple(p) } else { Value::List(p) };
            let (n, base) = seq::items(m, c).unwrap_or((0, 0));
            let i = next >> 1;
            if i >= n {
                self.depth -= 1;
                return Ok(Some(Event::Close { tuple, n }));
            }
            m.set(e + 1, next + 2);
            self.next = Some(m.load(base + 2 * i));
            if i > 0 {
                return Ok(Some(Event::Sep));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    use super::*;
    use crate::heap::{ARRAY, LIST, TUPLE};
    use crate::shared::Shared;

    /// Lists and tuples laid out by hand in SRAM words (heap.rs's object
    /// formats; no GC words: the walk never looks at them).
    struct Objs(Vec<u32>);

    impl Objs {
        fn new() -> Objs {
            // Word 0 stays unused: no object at offset 0.
            Objs(std::vec![0])
        }
        fn put(&mut self, v: Value) {
            self.0.extend(v.to_words());
        }
        fn list(&mut self, items: &[Value]) -> Value {
            let p = self.0.len() as u32;
            let n = items.len() as u32;
            self.0.push(LIST | n << 8);
            self.put(Value::Array(p + 3));
            self.0.push(ARRAY | n << 8);
            items.iter().for_each(|&v| self.put(v));
            Value::List(p)
        }
        fn tuple(&mut self, items: &[Value]) -> Value {
            let p = self.0.len() as u32;
            self.0.push(TUPLE | (items.len() as u32) << 8);
            items.iter().for_each(|&v| self.put(v));
            Value::Tuple(p)
        }
        /// Replace item `i` of list `l` (to make cycles).
        fn set(&mut self, l: Value, i: u32, v: Value) {
            let Value::List(p) = l else { panic!() };
            let at = (self.0[p as usize + 2] + 1 + 2 * i) as usize;
            self.0[at..at + 2].copy_from_slice(&v.to_words());
        }
        /// The walk's events as text, with `levels` levels of room after the objects.
        fn walk(&self, v: Value, levels: u32) -> std::string::String {
            let mut words = self.0.clone();
            let at = words.len() as u32;
            words.resize((at + 2 * levels) as usize, 0);
            // SAFETY: an empty window is never dereferenced.
            let spill = unsafe { Shared::new(core::ptr::NonNull::<u32>::dangling().as_ptr().cast(), 0) };
            let mut m = Mem { sram: &mut words, spill };
            let mut w = Walk::new(v, Room { at, end: at + 2 * levels });
            let mut out = std::string::String::new();
            loop {
                match w.next(&mut m) {
                    Ok(None) => return out,
                    Err(Deep) => return out + "DEEP",
                    Ok(Some(e)) => out += &match e {
                        Event::Leaf(Value::Int(i)) => std::format!("{i}"),
                        Event::Leaf(_) => "?".into(),
                        Event::Open { tuple, n } => std::format!("{}{n}", if tuple { '(' } else { '[' }),
                        Event::Sep => ",".into(),
                        Event::Close { tuple, .. } => (if tuple { ")" } else { "]" }).into(),
                        Event::Cycle { tuple } => (if tuple { "(...)" } else { "[...]" }).into(),
                    },
                }
            }
        }
    }

    #[test]
    fn walks_nested_lists_and_tuples_in_order() {
        let mut o = Objs::new();
        let t = o.tuple(&[Value::Int(2)]);
        let e = o.list(&[]);
        let l = o.list(&[Value::Int(1), t, e, Value::Int(3)]);
        assert_eq!(o.walk(l, 8), "[41,(12),[0],3]");
    }

    #[test]
    fn a_container_met_inside_itself_is_a_cycle_once() {
        // a = [1]; a.append(a)
        let mut o = Objs::new();
        let a = o.list(&[Value::Int(1), Value::None]);
        o.set(a, 1, a);
        assert_eq!(o.walk(a, 8), "[21,[...]]");
        // a = [1]; t = (a,); a.append(t): the tuple is re-entered through the list.
        let mut o = Objs::new();
        let a = o.list(&[Value::Int(1), Value::None]);
        let t = o.tuple(&[a]);
        o.set(a, 1, t);
        assert_eq!(o.walk(t, 8), "(1[21,(...)])");
        assert_eq!(o.walk(a, 8), "[21,(1[...])]");
    }

    #[test]
    fn the_same_list_twice_side_by_side_is_no_cycle() {
        let mut o = Objs::new();
        let a = o.list(&[Value::Int(1)]);
        let b = o.list(&[a, a]);
        assert_eq!(o.walk(b, 8), "[2[11],[11]]");
    }

    /// `depth` lists, each inside the next: `[[[...[]...]]]`.
    fn nested(o: &mut Objs, depth: u32) -> Value {
        let mut x = o.list(&[]);
        for _ in 1..depth {
            x = o.list(&[x]);
        }
        x
    }

    #[test]
    fn nesting_up_to_max_depth_is_walked_and_deeper_is_deep() {
        let max = MAX_DEPTH;
        let mut o = Objs::new();
        let x = nested(&mut o, max);
        let text = o.walk(x, max + 10);
        assert_eq!(text.matches('[').count() as u32, max);
        assert!(text.ends_with(']'), "{}", &text[text.len() - 20..]);
        let mut o = Objs::new();
        let x = nested(&mut o, max + 1);
        assert!(o.walk(x, max + 10).ends_with("DEEP"));
    }

    #[test]
    fn nesting_deeper_than_the_room_is_deep_not_wrong() {
        let mut o = Objs::new();
        let x = nested(&mut o, 3);
        assert_eq!(o.walk(x, 3), "[1[1[0]]]");
        let mut o = Objs::new();
        let x = nested(&mut o, 4);
        assert_eq!(o.walk(x, 3), "[1[1[1DEEP");
        assert_eq!(Objs::new().walk(Value::Int(7), 0), "7");
    }
}

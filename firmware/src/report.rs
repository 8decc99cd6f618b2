//! Encoding what the core tells the host into events (`mailbox::EventKind`):
//! prints, the result, exceptions. Values go out in shared-protocol's value
//! encoding; a Str is copied word for word, since the arena keeps Strs in
//! that same encoding.

use shared_protocol::errors::{ExcType, Msg};
use shared_protocol::mailbox::{status, EventKind};
use shared_protocol::value::{self, Full, WordSink};

use crate::arena::Mem;
use crate::events::EmitError;
use crate::exc::{Detail, Exc, Part};
use crate::nest::{self, Deep, Event, Room, Walk};
use crate::platform::Platform;
use crate::service::Mailbox;
use crate::value::Value;
use crate::vm::{St, Stop};

/// Where encoded words go: into a record, into the data store (data.rs:
/// from byte `.1` up to `.2` of the store), or only counted (both None).
/// One encoder serves all, so sizes and contents cannot disagree.
pub struct Out<'r, 'a> {
    pub rec: Option<&'r mut crate::events::Record<'a>>,
    pub words: u32,
    pub store: Option<(crate::shared::Shared, u32, u32)>,
}

impl WordSink for Out<'_, '_> {
    fn push(&mut self, word: u32) -> Result<(), Full> {
        self.words = self.words.saturating_add(1);
        if let Some((d, at, end)) = &mut self.store {
            if *at >= *end {
                return Err(Full);
            }
            d.store(*at, word);
            *at += 4;
        }
        match &mut self.rec {
            Some(r) => r.push(word),
            None => Ok(()),
        }
    }
}

/// Why a value could not be encoded.
pub enum PutError {
    /// The sink is full.
    Full,
    /// Lists and tuples nested more than `value::MAX_DEPTH` deep.
    Deep,
    /// A list or tuple inside itself, where that cannot travel (`Cycles`).
    Cycle,
    /// A closure in a message.
    Closure,
}

/// What a list or tuple met inside itself becomes (and a function).
#[derive(Clone, Copy, PartialEq)]
pub enum Cycles {
    /// Its repr there, `[...]` or `(...)` (an Opaque): for print.
    Show,
    /// `PutError::Cycle`: a result, device data must arrive whole.
    Refuse,
    /// As Refuse, for a message to a core of the same launch: functions
    /// and natives travel as themselves (`value::FUNC`, `NATIVE`), a
    /// closure is `PutError::Closure`.
    Send,
}

impl PutError {
    /// The exception to raise (`Full` has none: the caller knows what was full).
    pub fn exc(self, cycles: Cycles) -> Exc {
        match (self, cycles) {
            (PutError::Deep, Cycles::Show) => Exc::new(ExcType::RecursionError, Msg::ReprTooDeep),
            (PutError::Deep, _) => Exc::new(ExcType::RecursionError, Msg::EncodeTooDeep),
            (PutError::Cycle, _) => Exc::new(ExcType::ValueError, Msg::SelfReference),
            (PutError::Closure, _) => Exc::new(ExcType::TypeError, Msg::ClosureCannotTravel),
            (PutError::Full, _) => Exc::new(ExcType::MemoryError, Msg::OutOfMemory),
        }
    }
}

/// Words `v` takes encoded (walking in `room`, see `put_value`).
pub fn value_words(m: &mut Mem, v: Value, room: Room, cycles: Cycles) -> Result<u32, PutError> {
    let mut out = Out { rec: None, words: 0, store: None };
    put_value(&mut out, m, v, room, cycles)?;
    Ok(out.words)
}

/// A Str, word for word (the arena keeps Strs in the value encoding).
fn put_str_at(s: &mut Out, m: &Mem, at: u32) -> Result<(), Full> {
    let n = 1 + value::words_for_bytes(m.str_len(at));
    (at..at + n).try_for_each(|i| s.push(m.word(i)))
}

/// Encode `v`, and depth first the items of its lists and tuples, without
/// recursion (`nest::Walk`, which keeps the open containers in `room`).
pub fn put_value(s: &mut Out, m: &mut Mem, v: Value, room: Room, cycles: Cycles) -> Result<(), PutError> {
    let mut walk = Walk::new(v, room);
    while let Some(event) = walk.next(m).map_err(|Deep| PutError::Deep)? {
        match event {
            Event::Open { tuple, n } => {
                value::put_seq_head(s, if tuple { value::TUPLE } else { value::LIST }, n)
            }
            Event::Sep | Event::Close { .. } => Ok(()),
            Event::Cycle { .. } if cycles != Cycles::Show => return Err(PutError::Cycle),
            Event::Leaf(Value::Func(f)) if cycles == Cycles::Send => {
                // [head, defaults (2 words), closure (2 words)] (heap.rs).
                if !matches!(m.load(f + 3), Value::Unbound) {
                    return Err(PutError::Closure);
                }
                walk.then(m.load(f + 1));
                s.push(value::FUNC | m.word(f) >> 8 << 8)
            }
            Event::Leaf(Value::Native(id)) if cycles == Cycles::Send => s.push(value::NATIVE | (id as u32) << 8),
            Event::Cycle { tuple } => {
                let text = if tuple { value::TUPLE_CYCLE } else { value::LIST_CYCLE };
                value::put_bytes(s, value::OPAQUE, text.as_bytes())
            }
            Event::Leaf(x) => match x {
                Value::Unbound | Value::None => value::put_none(s),
                Value::Bool(b) => value::put_bool(s, b),
                Value::Int(i) => value::put_int(s, i),
                Value::Float(f) => value::put_float(s, f),
                Value::Str(at) => put_str_at(s, m, at),
                // Functions, ranges, natives, iterators: their text.
                _ => value::put_bytes(s, value::OPAQUE, &crate::repr::leaf_text(m, x)),
            },
        }
        .map_err(|Full| PutError::Full)?;
    }
    Ok(())
}

fn put_part(s: &mut Out, m: &Mem, part: Part) -> Result<(), Full> {
    match part.detail() {
        Detail::Text(t) => value::put_str(s, t),
        Detail::Str(at) => put_str_at(s, m, at),
        Detail::Int(i) => value::put_int(s, i),
    }
}

fn part_words(m: &Mem, part: Part) -> u32 {
    match part.detail() {
        Detail::Text(t) => 1 + value::words_for_bytes(t.len() as u32),
        Detail::Str(at) => 1 + value::words_for_bytes(m.str_len(at)),
        Detail::Int(_) => 2,
    }
}

/// The Result event: one value. `Ok(Err(e))`: the value cannot leave the
/// kernel (nested too deep, or inside itself), nothing was sent and `e`
/// is the kernel's exception.
#[inline(never)]
pub fn result<P: Platform>(
    p: &mut P,
    mb: &Mailbox,
    launch: u32,
    st: &mut St,
    v: Value,
) -> Result<Result<(), Exc>, EmitError> {
    let room = nest::room_after_run(st);
    let m = &mut st.m;
    let words = match value_words(m, v, room, Cycles::Refuse) {
        Ok(words) => words,
        Err(PutError::Full) => return Err(EmitError::TooBig),
        Err(e) => return Ok(Err(e.exc(Cycles::Refuse))),
    };
    mb.ring.emit(p, EventKind::Result, launch, words, |r| {
        let r = &mut Out { rec: Some(r), words: 0, store: None };
        put_value(r, m, v, room, Cycles::Refuse).map_err(|_| Full)
    })?;
    Ok(Ok(()))
}

/// The Error event: type, message code, line, one detail value (None, a
/// Str, or a Tuple filling the message's `{}`s in order).
#[inline(never)]
pub fn error<P: Platform>(
    p: &mut P,
    mb: &Mailbox,
    launch: u32,
    m: &Mem,
    e: &Exc,
    line: u32,
) -> Result<(), EmitError> {
    let parts = e.parts();
    let size = 5 + parts.iter().map(|&part| part_words(m, part)).sum::<u32>();
    mb.ring.emit(p, EventKind::Error, launch, size, |r| {
        let r = &mut Out { rec: Some(r), words: 0, store: None };
        r.push(e.ty as u32)?;
        r.push(e.msg as u32)?;
        r.push(line)?;
        match parts {
            [] => value::put_none(r),
            // A lone detail travels bare only as a Str (the host's rule);
            // a lone Int goes in a 1-tuple.
            [one] if !matches!(one.detail(), Detail::Int(_)) => put_part(r, m, *one),
            many => {
                value::put_seq_head(r, value::TUPLE, many.len() as u32)?;
                many.iter().try_for_each(|&part| put_part(r, m, part))
            }
        }
    })
}

/// The Print event for `Print n`: the barriers passed so far
/// (`status::EPOCH`), sep, end (Strs; `None` means the default), the
/// count, then the `n` values stored from the stack pointer
/// up, 2 words each. Lists nested more than `value::MAX_DEPTH` deep raise
/// RecursionError (as CPython's repr does), and nothing is printed.
pub fn print<P: Platform>(
    p: &mut P,
    mb: &Mailbox,
    launch: u32,
    st: &mut St,
    n: u32,
    [sep, end]: [Value; 2],
) -> Result<(), Stop> {
    let first = st.sp;
    // The walk's room is above the values.
    let room = nest::room(st, first + 2 * n);
    let text_words = |m: &Mem, v: Value| match v {
        Value::Str(at) => 1 + value::words_for_bytes(m.str_len(at)),
        _ => 2,
    };
    let mut size = 2 + text_words(&st.m, sep) + text_words(&st.m, end);
    for i in 0..n {
        let v = st.m.load(first + 2 * i);
        match value_words(&mut st.m, v, room, Cycles::Show) {
            Ok(words) => size = size.saturating_add(words),
            Err(e) => return Err(st.raise(e.exc(Cycles::Show))),
        }
    }
    let m = &mut st.m;
    let put_text = |r: &mut Out, m: &Mem, v: Value, default: &str| match v {
        Value::Str(at) => put_str_at(r, m, at),
        _ => value::put_str(r, default),
    };
    let epoch = mb.status.load(status::EPOCH);
    mb.ring.emit(p, EventKind::Print, launch, size, |r| {
        let r = &mut Out { rec: Some(r), words: 0, store: None };
        r.push(epoch)?;
        put_text(r, m, sep, " ")?;
        put_text(r, m, end, "\n")?;
        r.push(n)?;
        (0..n).try_for_each(|i| {
            let v = m.load(first + 2 * i);
            put_value(r, m, v, room, Cycles::Show).map_err(|_| Full)
        })
    })?;
    Ok(())
}

/// Report a refused image as an Error event (ValueError, Msg::ImageRefused,
/// line 0, the reason and the byte offset): the host gets a clear report and
/// the core stays usable for the next command.
pub fn refused<P: Platform>(
    p: &mut P,
    mb: &Mailbox,
    launch: u32,
    reason: u32,
    at: u32,
) -> Result<(), EmitError> {
    // The host writes the text (Msg::ImageRefused): no number formatting here.
    mb.ring.emit(p, EventKind::Error, launch, 8, |r| {
        let r = &mut Out { rec: Some(r), words: 0, store: None };
        r.push(shared_protocol::errors::ExcType::ValueError as u32)?;
        r.push(shared_protocol::errors::Msg::ImageRefused as u32)?;
        r.push(0)?;
        value::put_seq_head(r, value::TUPLE, 2)?;
        value::put_int(r, reason as i32)?;
        value::put_int(r, at as i32)
    })
}

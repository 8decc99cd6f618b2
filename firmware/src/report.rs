//! Encoding what the core tells the host into events (`mailbox::EventKind`):
//! prints, the result, exceptions. Values go out in shared-protocol's value
//! encoding; a Str is copied word for word, since the arena keeps Strs in
//! that same encoding.

use shared_protocol::mailbox::EventKind;
use shared_protocol::natives::{self, Kind};
use shared_protocol::value::{self, Full, WordSink};

use crate::arena::Mem;
use crate::seq;
use crate::events::EmitError;
use crate::exc::{Detail, Exc, Part};
use crate::platform::Platform;
use crate::service::Mailbox;
use crate::value::Value;

/// Longest repr text of a native (`<built-in function numcores>`).
const REPR_MAX: usize = 40;

/// `<module 'parallel'>` or `<built-in function coreid>`, into `out`.
fn native_repr(id: u16, out: &mut [u8; REPR_MAX]) -> usize {
    let Some(n) = natives::get(id) else { return 0 };
    let (pre, post): (&[u8], &[u8]) = if n.kind == Kind::Module {
        (b"<module '", b"'>")
    } else {
        (b"<built-in function ", b">")
    };
    let mut len = 0;
    for &b in pre.iter().chain(n.name.as_bytes()).chain(post) {
        if let Some(slot) = out.get_mut(len) {
            *slot = b;
            len += 1;
        }
    }
    len
}

/// Deepest list/tuple nesting sent as such; deeper ones go as `[...]`.
const NEST: usize = 8;

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

/// Repr text of values that travel as Opaque (the host shows it as is).
fn opaque_text(v: Value) -> &'static [u8] {
    match v {
        Value::List(_) | Value::Tuple(_) => b"[...]",
        Value::Func(_) => b"<function>",
        Value::Range(_) => b"<range>",
        _ => b"<iterator>",
    }
}

/// Words `v` takes encoded.
pub fn value_words(m: &Mem, v: Value) -> u32 {
    let mut out = Out { rec: None, words: 0, store: None };
    let _ = put_value(&mut out, m, v);
    out.words
}

/// Encode `v`, and depth first the items of its lists and tuples, without
/// recursion (an explicit stack; deeper lists go as `[...]`).
pub fn put_value(s: &mut Out, m: &Mem, v: Value) -> Result<(), Full> {
    let mut stack = [(0u32, 0u32); NEST];
    let mut depth = 0;
    let mut x = v;
    loop {
        let inner = seq::items(m, x).filter(|_| depth < NEST);
        match x {
            Value::List(_) | Value::Tuple(_) if inner.is_some() => {
                let tag = if let Value::List(_) = x { value::LIST } else { value::TUPLE };
                value::put_seq_head(s, tag, inner.map_or(0, |(n, _)| n))
            }
            Value::Unbound | Value::None => value::put_none(s),
            Value::Bool(b) => value::put_bool(s, b),
            Value::Int(i) => value::put_int(s, i),
            Value::Float(f) => value::put_float(s, f),
            Value::Str(at) => {
                let n = 1 + value::words_for_bytes(m.str_len(at));
                (at..at + n).try_for_each(|i| s.push(m.word(i)))
            }
            Value::Native(id) => {
                let mut text = [0u8; REPR_MAX];
                let len = native_repr(id, &mut text);
                value::put_bytes(s, value::OPAQUE, text.get(..len).unwrap_or(&[]))
            }
            _ => value::put_bytes(s, value::OPAQUE, opaque_text(x)),
        }?;
        if let Some((n, base)) = inner {
            stack[depth] = (base, n);
            depth += 1;
        }
        loop {
            if depth == 0 {
                return Ok(());
            }
            let (base, n) = &mut stack[depth - 1];
            if *n == 0 {
                depth -= 1;
                continue;
            }
            x = m.load(*base);
            *base += 2;
            *n -= 1;
            break;
        }
    }
}

fn put_part(s: &mut Out, m: &Mem, part: Part) -> Result<(), Full> {
    match part.detail() {
        Detail::Text(t) => value::put_str(s, t),
        Detail::Str(at) => put_value(s, m, Value::Str(at)),
        Detail::Int(i) => value::put_int(s, i),
    }
}

fn part_words(m: &Mem, part: Part) -> u32 {
    match part.detail() {
        Detail::Text(t) => 1 + value::words_for_bytes(t.len() as u32),
        Detail::Str(at) => value_words(m, Value::Str(at)),
        Detail::Int(_) => 2,
    }
}

/// The Result event: one value.
#[inline(never)]
pub fn result<P: Platform>(
    p: &mut P,
    mb: &Mailbox,
    launch: u32,
    m: &Mem,
    v: Value,
) -> Result<(), EmitError> {
    mb.ring
        .emit(p, EventKind::Result, launch, value_words(m, v), |r| {
            put_value(&mut Out { rec: Some(r), words: 0, store: None }, m, v)
        })
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

/// The Print event: sep, end (Strs; `None` means the default), the count,
/// then the `n` values stored from arena word `first`, 2 words each.
pub fn print<P: Platform>(
    p: &mut P,
    mb: &Mailbox,
    launch: u32,
    m: &Mem,
    first: u32,
    n: u32,
    [sep, end]: [Value; 2],
) -> Result<(), EmitError> {
    let item = |i: u32| m.load(first + 2 * i);
    let text_words = |v: Value| {
        if let Value::Str(_) = v {
            value_words(m, v)
        } else {
            2
        }
    };
    let size = 1
        + text_words(sep)
        + text_words(end)
        + (0..n).map(|i| value_words(m, item(i))).sum::<u32>();
    let put_text = |r: &mut Out, v: Value, default: &str| match v {
        Value::Str(_) => put_value(r, m, v),
        _ => value::put_str(r, default),
    };
    mb.ring.emit(p, EventKind::Print, launch, size, |r| {
        let r = &mut Out { rec: Some(r), words: 0, store: None };
        put_text(r, sep, " ")?;
        put_text(r, end, "\n")?;
        r.push(n)?;
        (0..n).try_for_each(|i| put_value(r, m, item(i)))
    })
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

//! Encoding what the core tells the host into events (`mailbox::EventKind`):
//! prints, the result, exceptions. Values go out in shared-protocol's value
//! encoding; a Str is copied word for word, since the arena keeps Strs in
//! that same encoding.

use shared_protocol::mailbox::EventKind;
use shared_protocol::natives::{self, Kind};
use shared_protocol::numfmt;
use shared_protocol::value::{self, Full, WordSink};

use crate::arena::{self, word};
use crate::events::EmitError;
use crate::exc::{Exc, Part};
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

/// Words `v` takes encoded.
pub fn value_words(m: &[u32], v: Value) -> u32 {
    match v {
        Value::Int(_) | Value::Float(_) => 2,
        Value::Str(at) => 1 + value::words_for_bytes(arena::str_len(m, at)),
        Value::Native(_) => 1 + value::words_for_bytes(REPR_MAX as u32),
        _ => 1,
    }
}

pub fn put_value(s: &mut impl WordSink, m: &[u32], v: Value) -> Result<(), Full> {
    match v {
        Value::Unbound | Value::None => value::put_none(s),
        Value::Bool(b) => value::put_bool(s, b),
        Value::Int(i) => value::put_int(s, i),
        Value::Float(f) => value::put_float(s, f),
        Value::Str(at) => {
            let n = 1 + value::words_for_bytes(arena::str_len(m, at));
            (at..at + n).try_for_each(|i| s.push(word(m, i as usize)))
        }
        Value::Native(id) => {
            let mut text = [0u8; REPR_MAX];
            let len = native_repr(id, &mut text);
            value::put_bytes(s, value::OPAQUE, text.get(..len).unwrap_or(&[]))
        }
    }
}

fn put_part(s: &mut impl WordSink, m: &[u32], part: Part) -> Result<(), Full> {
    match part {
        Part::Text(t) => value::put_str(s, t),
        Part::Str(at) => put_value(s, m, Value::Str(at)),
        Part::Int(i) => value::put_int(s, i),
    }
}

fn part_words(m: &[u32], part: Part) -> u32 {
    match part {
        Part::Text(t) => 1 + value::words_for_bytes(t.len() as u32),
        Part::Str(at) => value_words(m, Value::Str(at)),
        Part::Int(_) => 2,
    }
}

/// The Result event: one value.
pub fn result<P: Platform>(
    p: &mut P,
    mb: &Mailbox,
    launch: u32,
    m: &[u32],
    v: Value,
) -> Result<(), EmitError> {
    mb.ring
        .emit(p, EventKind::Result, launch, value_words(m, v), |r| {
            put_value(r, m, v)
        })
}

/// The Error event: type, message code, line, one detail value (None, a
/// Str, or a Tuple filling the message's `{}`s in order).
pub fn error<P: Platform>(
    p: &mut P,
    mb: &Mailbox,
    launch: u32,
    m: &[u32],
    e: &Exc,
    line: u32,
) -> Result<(), EmitError> {
    let parts = e.parts();
    let size = 5 + parts.iter().map(|&part| part_words(m, part)).sum::<u32>();
    mb.ring.emit(p, EventKind::Error, launch, size, |r| {
        r.push(e.ty as u32)?;
        r.push(e.msg as u32)?;
        r.push(line)?;
        match parts {
            [] => value::put_none(r),
            // A lone detail travels bare only as a Str (the host's rule);
            // a lone Int goes in a 1-tuple.
            [one @ (Part::Text(_) | Part::Str(_))] => put_part(r, m, *one),
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
    m: &[u32],
    first: usize,
    n: u32,
    [sep, end]: [Value; 2],
) -> Result<(), EmitError> {
    let item = |i: u32| arena::load(m, first + 2 * i as usize);
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
    let put_text = |r: &mut crate::events::Record, v: Value, default: &str| match v {
        Value::Str(_) => put_value(r, m, v),
        _ => value::put_str(r, default),
    };
    mb.ring.emit(p, EventKind::Print, launch, size, |r| {
        put_text(r, sep, " ")?;
        put_text(r, end, "\n")?;
        r.push(n)?;
        (0..n).try_for_each(|i| put_value(r, m, item(i)))
    })
}

/// Longest refusal text: "bytecode image refused: check 12 at byte 4294967295".
const REFUSAL_MAX: usize = 64;

/// The text sent when the verifier refuses an image.
pub fn refusal_text(reason: u32, at: u32, out: &mut [u8; REFUSAL_MAX]) -> usize {
    let mut len = 0;
    let mut put = |bytes: &[u8]| {
        for &b in bytes {
            if let Some(slot) = out.get_mut(len) {
                *slot = b;
                len += 1;
            }
        }
    };
    let mut digits = [0u8; numfmt::INT_MAX_LEN];
    put(b"bytecode image refused: check ");
    let k = numfmt::format_int(reason as i32, &mut digits);
    put(digits.get(..k).unwrap_or(&[]));
    put(b" at byte ");
    // Offsets are below the inbox size (64 KB), so they fit an i32.
    let k = numfmt::format_int(at as i32, &mut digits);
    put(digits.get(..k).unwrap_or(&[]));
    len
}

/// Report a refused image as an Error event (ValueError, Msg::Generic,
/// line 0, the text above): the host gets a clear report and the core stays
/// usable for the next command.
pub fn refused<P: Platform>(
    p: &mut P,
    mb: &Mailbox,
    launch: u32,
    reason: u32,
    at: u32,
) -> Result<(), EmitError> {
    let mut text = [0u8; REFUSAL_MAX];
    let len = refusal_text(reason, at, &mut text);
    let text = text.get(..len).unwrap_or(&[]);
    mb.ring.emit(
        p,
        EventKind::Error,
        launch,
        4 + value::words_for_bytes(len as u32),
        |r| {
            r.push(shared_protocol::errors::ExcType::ValueError as u32)?;
            r.push(shared_protocol::errors::Msg::Generic as u32)?;
            r.push(0)?;
            value::put_bytes(r, value::STR, text)
        },
    )
}

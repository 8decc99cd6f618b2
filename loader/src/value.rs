//! Values on the host: decoded from what the cores send (prints, results,
//! exception details), encoded for what the host sends (arguments), and
//! printed with Python's `str()` (`Display`) and `repr()` rules.

use std::fmt::{self, Write as _};

use shared_protocol::numfmt;
use shared_protocol::value::{self as wire, DecodeError, Reader, Token, WordSink};

/// How deep lists and tuples from a core may nest (what a core encodes at
/// most, `shared_protocol::value::MAX_DEPTH`). Formatting and dropping a
/// value recurse, so a hostile core must not choose the depth.
pub const MAX_DEPTH: usize = shared_protocol::value::MAX_DEPTH as usize;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    Int(i32),
    Float(f32),
    Str(String),
    List(Vec<Value>),
    Tuple(Vec<Value>),
    /// A value that cannot travel as itself (e.g. a function): its repr text.
    Opaque(String),
}

impl Value {
    /// Python's `repr()`.
    pub fn repr(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, true);
        out
    }

    fn write(&self, out: &mut String, repr: bool) {
        match self {
            Value::None => out.push_str("None"),
            Value::Bool(true) => out.push_str("True"),
            Value::Bool(false) => out.push_str("False"),
            Value::Int(v) => out.push_str(ascii(&numfmt::format_int(*v))),
            Value::Float(v) => out.push_str(&float_text(*v)),
            Value::Str(s) if repr => write_str_repr(out, s),
            Value::Str(s) | Value::Opaque(s) => out.push_str(s),
            Value::List(items) => {
                out.push('[');
                write_items(out, items);
                out.push(']');
            }
            Value::Tuple(items) => {
                out.push('(');
                write_items(out, items);
                if items.len() == 1 {
                    out.push(',');
                }
                out.push(')');
            }
        }
    }

    /// Append this value's wire encoding (shared_protocol::value) to `out`.
    /// Fails only when a string or sequence is longer than the 24-bit limit.
    pub fn encode(&self, out: &mut Vec<u32>) -> Result<(), EncodeError> {
        let mut sink = VecSink(out);
        self.encode_into(&mut sink).map_err(|_| EncodeError)
    }

    fn encode_into(&self, s: &mut VecSink<'_>) -> Result<(), wire::Full> {
        match self {
            Value::None => wire::put_none(s),
            Value::Bool(b) => wire::put_bool(s, *b),
            Value::Int(v) => wire::put_int(s, *v),
            Value::Float(v) => wire::put_float(s, *v),
            Value::Str(t) => wire::put_str(s, t),
            Value::Opaque(t) => wire::put_bytes(s, wire::OPAQUE, t.as_bytes()),
            Value::List(items) | Value::Tuple(items) => {
                let tag = if matches!(self, Value::List(_)) { wire::LIST } else { wire::TUPLE };
                let count = u32::try_from(items.len()).map_err(|_| wire::Full)?;
                wire::put_seq_head(s, tag, count)?;
                items.iter().try_for_each(|v| v.encode_into(s))
            }
        }
    }

    /// Decode one value from `r`. Nesting is walked with an explicit stack,
    /// so hostile depth cannot overflow ours; counts are not trusted for
    /// allocation. Errors describe what was wrong, for a protocol error.
    pub fn decode(r: &mut Reader<'_>) -> Result<Value, String> {
        // Open sequences: (is_list, values still to come, values so far).
        let mut open: Vec<(bool, u32, Vec<Value>)> = Vec::new();
        loop {
            let at = r.position();
            let mut value = match r.token().map_err(|e| describe(e, at))? {
                Token::None => Value::None,
                Token::Bool(b) => Value::Bool(b),
                Token::Int(v) => Value::Int(v),
                Token::Float(v) => Value::Float(v),
                Token::Str { len, words } => Value::Str(unpack_text(words, len, at)?),
                Token::Opaque { len, words } => Value::Opaque(unpack_text(words, len, at)?),
                Token::List(0) => Value::List(Vec::new()),
                Token::Tuple(0) => Value::Tuple(Vec::new()),
                Token::List(_) | Token::Tuple(_) if open.len() >= MAX_DEPTH => {
                    return Err(format!("values nested more than {MAX_DEPTH} deep"));
                }
                Token::List(n) => {
                    open.push((true, n, Vec::with_capacity(n.min(64) as usize)));
                    continue;
                }
                Token::Tuple(n) => {
                    open.push((false, n, Vec::with_capacity(n.min(64) as usize)));
                    continue;
                }
            };
            // Attach the finished value to its parents, closing full sequences.
            loop {
                let Some((is_list, left, items)) = open.last_mut() else { return Ok(value) };
                items.push(value);
                *left -= 1;
                if *left > 0 {
                    break;
                }
                let is_list = *is_list;
                let items = std::mem::take(items);
                open.pop();
                value = if is_list { Value::List(items) } else { Value::Tuple(items) };
            }
        }
    }
}

fn describe(e: DecodeError, at: usize) -> String {
    match e {
        DecodeError::Truncated => format!("value truncated (starting at payload word {at})"),
        DecodeError::BadTag(i) => format!("unknown value tag at payload word {i}"),
        DecodeError::BadValue(i) => format!("malformed value at payload word {i}"),
    }
}

fn unpack_text(words: &[u32], len: u32, at: usize) -> Result<String, String> {
    let mut bytes = vec![0u8; len as usize];
    let n = wire::unpack_bytes(words, len, &mut bytes);
    bytes.truncate(n);
    String::from_utf8(bytes).map_err(|_| format!("string at payload word {at} is not UTF-8"))
}

/// Python's `str()`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.write(&mut out, false);
        f.write_str(&out)
    }
}

fn write_items(out: &mut String, items: &[Value]) {
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        v.write(out, true);
    }
}

fn ascii(bytes: &[u8]) -> &str {
    // The formatters write ASCII only; anything else would be their bug.
    std::str::from_utf8(bytes).unwrap_or("?")
}

/// A float as Python prints it: the shared formatter, so host and cores agree.
fn float_text(v: f32) -> String {
    ascii(&numfmt::format_float(v)).to_owned()
}

/// Python's repr of a str: single quotes unless the text has a single quote
/// and no double quote; backslash escapes for the quote, `\\`, `\n`, `\r`,
/// `\t`, and `\xNN` / `\uNNNN` / `\UNNNNNNNN` for characters Python does not
/// consider printable (controls, separators other than ' ', format
/// characters, private use; an approximation of `str.isprintable` that covers
/// what programs print).
fn write_str_repr(out: &mut String, s: &str) {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !printable(c) => {
                let v = c as u32;
                let _ = if v < 0x100 {
                    write!(out, "\\x{v:02x}")
                } else if v < 0x10000 {
                    write!(out, "\\u{v:04x}")
                } else {
                    write!(out, "\\U{v:08x}")
                };
            }
            c => out.push(c),
        }
    }
    out.push(quote);
}

fn printable(c: char) -> bool {
    let v = c as u32;
    !(v < 0x20
        || (0x7F..=0xA0).contains(&v)
        || v == 0xAD
        || v == 0x1680
        || (0x2000..=0x200F).contains(&v)
        || (0x2028..=0x202F).contains(&v)
        || (0x205F..=0x2064).contains(&v)
        || v == 0x3000
        || (0xE000..=0xF8FF).contains(&v)
        || v == 0xFEFF
        || (0xFFF9..=0xFFFB).contains(&v)
        || v >= 0xF0000)
}

/// Encoding failed: a string or sequence is longer than the wire's 24-bit limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("value too large to send to a core (strings and lists are limited to 16777215 items)")]
pub struct EncodeError;

struct VecSink<'a>(&'a mut Vec<u32>);

impl WordSink for VecSink<'_> {
    fn push(&mut self, word: u32) -> Result<(), wire::Full> {
        self.0.push(word);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(t: &str) -> Value {
        Value::Str(t.into())
    }

    #[test]
    fn str_and_repr_follow_python() {
        assert_eq!(Value::None.to_string(), "None");
        assert_eq!(Value::Bool(true).to_string(), "True");
        assert_eq!(Value::Bool(false).repr(), "False");
        assert_eq!(Value::Int(-2147483648).to_string(), "-2147483648");
        assert_eq!(s("hi").to_string(), "hi");
        assert_eq!(s("hi").repr(), "'hi'");
        assert_eq!(Value::List(vec![Value::Int(1), s("a"), Value::Float(2.5)]).to_string(), "[1, 'a', 2.5]");
        assert_eq!(Value::Tuple(vec![Value::Int(1)]).to_string(), "(1,)");
        assert_eq!(Value::Tuple(vec![]).to_string(), "()");
        assert_eq!(Value::Tuple(vec![Value::Int(1), Value::None]).repr(), "(1, None)");
        assert_eq!(Value::List(vec![Value::List(vec![]), Value::Tuple(vec![s("x")])]).repr(), "[[], ('x',)]");
        assert_eq!(Value::Opaque("<function f>".into()).repr(), "<function f>");
        assert_eq!(Value::List(vec![Value::Opaque("<function f>".into())]).to_string(), "[<function f>]");
    }

    #[test]
    fn string_repr_quoting() {
        assert_eq!(s("it's").repr(), "\"it's\"");
        assert_eq!(s("say \"hi\"").repr(), "'say \"hi\"'");
        assert_eq!(s("both ' and \"").repr(), "'both \\' and \"'");
        assert_eq!(s("a\\b\n\t\r").repr(), "'a\\\\b\\n\\t\\r'");
        assert_eq!(s("\x00\x1b\x7f").repr(), "'\\x00\\x1b\\x7f'");
        assert_eq!(s("héllo ✓ 😀").repr(), "'héllo ✓ 😀'");
        assert_eq!(s("\u{a0}\u{2028}\u{feff}").repr(), "'\\xa0\\u2028\\ufeff'");
    }

    #[test]
    fn floats_print_like_python_f32() {
        for (v, text) in [
            (0.1f32, "0.1"),
            (1.0 / 3.0, "0.33333334"),
            (2.5, "2.5"),
            (1.0, "1.0"),
            (-0.0, "-0.0"),
            (100.0, "100.0"),
            (1e-5, "1e-05"),
            (1e-4, "0.0001"),
            (1e16, "1e+16"),
            (1.5e15, "1500000000000000.0"),
            (123456.79, "123456.79"),
            (3.4028235e38, "3.4028235e+38"),
            (f32::INFINITY, "inf"),
            (f32::NEG_INFINITY, "-inf"),
            (f32::NAN, "nan"),
        ] {
            assert_eq!(Value::Float(v).to_string(), text, "{v:e}");
        }
    }

    /// An independent model of Python's float repr for f32, to check the
    /// shared formatter against: Rust's `{:e}` gives the shortest digits that
    /// round-trip in f32; fixed notation for exponents -4..16, else `1e-05`.
    fn reference_float_text(v: f32) -> String {
        if v.is_nan() {
            return "nan".into();
        }
        if v.is_infinite() {
            return if v > 0.0 { "inf".into() } else { "-inf".into() };
        }
        let sci = format!("{:e}", v.abs());
        let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
        let mut out = String::new();
        if v.is_sign_negative() {
            out.push('-');
        }
        if (-4..16).contains(&exp) {
            if exp < 0 {
                out.push_str("0.");
                out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
                out.push_str(&digits);
            } else {
                let int_len = exp as usize + 1;
                if digits.len() <= int_len {
                    out.push_str(&digits);
                    out.extend(std::iter::repeat_n('0', int_len - digits.len()));
                    out.push_str(".0");
                } else {
                    out.push_str(&digits[..int_len]);
                    out.push('.');
                    out.push_str(&digits[int_len..]);
                }
            }
        } else {
            out.push_str(&digits[..1]);
            if digits.len() > 1 {
                out.push('.');
                out.push_str(&digits[1..]);
            }
            let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.unsigned_abs());
        }
        out
    }

    #[test]
    fn the_shared_float_formatter_agrees_with_an_independent_model() {
        // A cheap xorshift over bit patterns: normals, subnormals, extremes.
        let mut x = 0x1234_5678u32;
        let mut patterns = vec![0, 1, 0x007F_FFFF, 0x0080_0000, 0x7F7F_FFFF, 0x3DCC_CCCD, 0x4B00_0000, 0x5A0E_1BCA];
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            patterns.push(x);
        }
        for bits in patterns {
            let v = f32::from_bits(bits);
            let (ours, model) = (float_text(v), reference_float_text(v));
            if ours != model {
                // Exact ties (e.g. 36399.8125 -> "36399.812" or "36399.813")
                // may break either way: both must be equally short and
                // round-trip to the same f32.
                let parse = |t: &str| t.parse::<f32>().map(f32::to_bits);
                assert_eq!(ours.len(), model.len(), "{bits:#010x}: {ours} vs {model}");
                assert_eq!(parse(&ours), Ok(bits), "{bits:#010x}: {ours} vs {model}");
            }
        }
    }

    #[test]
    fn encode_then_decode_round_trips() {
        let v = Value::List(vec![
            Value::Int(-7),
            s("héllo"),
            Value::Tuple(vec![Value::Float(0.5), Value::Bool(true), Value::None]),
            Value::List(vec![]),
            Value::Opaque("<function g>".into()),
        ]);
        let mut words = Vec::new();
        v.encode(&mut words).unwrap();
        let mut r = Reader::new(&words);
        assert_eq!(Value::decode(&mut r).unwrap(), v);
        assert!(r.is_empty());
    }

    #[test]
    fn malformed_values_are_errors() {
        for words in [&[wire::INT][..], &[0x99], &[wire::LIST | 2 << 8, wire::NONE], &[wire::STR | 2 << 8, 0xFFFF]] {
            assert!(Value::decode(&mut Reader::new(words)).is_err(), "{words:x?}");
        }
    }
}

//! How values travel between the host and the cores (prints, results,
//! arguments, bytecode constants). Everything is 32-bit little-endian words so
//! both sides use only aligned word loads and stores on shared memory.
//!
//! | tag     | head word                     | following words                   |
//! |---------|-------------------------------|-----------------------------------|
//! | None    | `NONE`                        | —                                 |
//! | Bool    | `BOOL  \| b << 8`             | —                                 |
//! | Int     | `INT`                         | the i32                           |
//! | Float   | `FLOAT`                       | the f32 bits                      |
//! | Str     | `STR   \| byte_len << 8`      | UTF-8 bytes, packed LE, 0-padded  |
//! | List    | `LIST  \| count << 8`         | `count` values                    |
//! | Tuple   | `TUPLE \| count << 8`         | `count` values                    |
//! | Opaque  | `OPAQUE \| byte_len << 8`     | like Str: the text `repr` shows   |
//! | Func    | `FUNC  \| index << 8`         | one value: its defaults (None or a Tuple) |
//! | Native  | `NATIVE \| id << 8`           | —                                 |
//!
//! Func and Native travel only between the cores of one launch, which all
//! hold the same image (a message of `parallel.send`): a function is its
//! index in the image's function table, a builtin its native number. A
//! closure (a function with captured cells) cannot travel. The host never
//! receives them: results and device data send a function as Opaque, and
//! [`Reader`] refuses these tags.
//!
//! Counts and lengths are 24 bits. Lists nest, at most [`MAX_DEPTH`] deep;
//! readers walk them with an explicit count stack (see [`Reader`]), never
//! recursion on the device. A list that contains itself travels with an
//! Opaque `[...]` (a tuple's `(...)`) where `repr` would show one: that is
//! how a print shows it (what the host formats is a tree, never a cycle).

pub const NONE: u32 = 0;
pub const BOOL: u32 = 1;
pub const INT: u32 = 2;
pub const FLOAT: u32 = 3;
pub const STR: u32 = 4;
pub const LIST: u32 = 5;
pub const TUPLE: u32 = 6;
/// A value that cannot travel as itself (a function): its repr text.
pub const OPAQUE: u32 = 7;
/// A function of the image, between cores (its defaults follow).
pub const FUNC: u32 = 8;
/// A native (builtin or module function), between cores.
pub const NATIVE: u32 = 9;

pub const MAX_LEN: u32 = (1 << 24) - 1;

/// The deepest nesting of lists and tuples a core encodes (`[[]]` is 2
/// deep): deeper is the core's RecursionError, as CPython's repr raises one
/// near its recursion limit of 1000. The host decodes this deep and formats
/// by recursion, so a hostile core cannot choose the depth.
pub const MAX_DEPTH: u32 = 1000;

/// The Opaque texts standing for a list or a tuple met again inside itself.
pub const LIST_CYCLE: &str = "[...]";
pub const TUPLE_CYCLE: &str = "(...)";

pub const fn tag_of(head: u32) -> u32 {
    head & 0xFF
}
pub const fn len_of(head: u32) -> u32 {
    head >> 8
}
/// Words needed for `bytes` bytes of string data.
pub const fn words_for_bytes(bytes: u32) -> u32 {
    bytes.div_ceil(4)
}

/// One item of an encoded value stream. Strings are handed out as the words
/// that hold them (unpack with [`unpack_bytes`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Token<'a> {
    None,
    Bool(bool),
    Int(i32),
    Float(f32),
    Str { len: u32, words: &'a [u32] },
    Opaque { len: u32, words: &'a [u32] },
    /// `count` values follow.
    List(u32),
    Tuple(u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The stream ended inside a value.
    Truncated,
    /// An unknown tag at this word index.
    BadTag(usize),
    /// A Bool other than 0/1, or a length over the limit.
    BadValue(usize),
}

/// Reads tokens from a word slice, one after the other.
pub struct Reader<'a> {
    words: &'a [u32],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(words: &'a [u32]) -> Self {
        Reader { words, pos: 0 }
    }
    pub fn position(&self) -> usize {
        self.pos
    }
    pub fn is_empty(&self) -> bool {
        self.pos >= self.words.len()
    }
    pub fn word(&mut self) -> Result<u32, DecodeError> {
        let w = *self.words.get(self.pos).ok_or(DecodeError::Truncated)?;
        self.pos += 1;
        Ok(w)
    }
    pub fn token(&mut self) -> Result<Token<'a>, DecodeError> {
        let at = self.pos;
        let head = self.word()?;
        let len = len_of(head);
        Ok(match tag_of(head) {
            NONE if len == 0 => Token::None,
            BOOL if len <= 1 => Token::Bool(len == 1),
            INT if len == 0 => Token::Int(self.word()? as i32),
            FLOAT if len == 0 => Token::Float(f32::from_bits(self.word()?)),
            STR | OPAQUE => {
                let n = words_for_bytes(len) as usize;
                let end = self.pos.checked_add(n).ok_or(DecodeError::Truncated)?;
                let words = self.words.get(self.pos..end).ok_or(DecodeError::Truncated)?;
                self.pos = end;
                if tag_of(head) == STR { Token::Str { len, words } } else { Token::Opaque { len, words } }
            }
            LIST => Token::List(len),
            TUPLE => Token::Tuple(len),
            NONE | BOOL | INT | FLOAT => return Err(DecodeError::BadValue(at)),
            _ => return Err(DecodeError::BadTag(at)),
        })
    }
}

/// Copy the first `len` bytes packed in `words` into `out` (which must be at
/// least `len` long). Returns the bytes written.
pub fn unpack_bytes(words: &[u32], len: u32, out: &mut [u8]) -> usize {
    let len = len as usize;
    for (i, b) in out.iter_mut().take(len).enumerate() {
        *b = (words[i / 4] >> ((i % 4) * 8)) as u8;
    }
    len.min(out.len())
}

/// Where an encoder puts words: a slice on the host, shared memory through
/// atomic stores on the device.
pub trait WordSink {
    /// Append one word; `Err(())` when there is no room.
    fn push(&mut self, word: u32) -> Result<(), Full>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full;

/// A sink over a plain word slice (host side, tests, the compiler).
pub struct SliceSink<'a> {
    pub words: &'a mut [u32],
    pub len: usize,
}

impl<'a> SliceSink<'a> {
    pub fn new(words: &'a mut [u32]) -> Self {
        SliceSink { words, len: 0 }
    }
}

impl WordSink for SliceSink<'_> {
    fn push(&mut self, word: u32) -> Result<(), Full> {
        let slot = self.words.get_mut(self.len).ok_or(Full)?;
        *slot = word;
        self.len += 1;
        Ok(())
    }
}

pub fn put_none(s: &mut impl WordSink) -> Result<(), Full> {
    s.push(NONE)
}
pub fn put_bool(s: &mut impl WordSink, b: bool) -> Result<(), Full> {
    s.push(BOOL | (b as u32) << 8)
}
pub fn put_int(s: &mut impl WordSink, v: i32) -> Result<(), Full> {
    s.push(INT)?;
    s.push(v as u32)
}
pub fn put_float(s: &mut impl WordSink, v: f32) -> Result<(), Full> {
    s.push(FLOAT)?;
    s.push(v.to_bits())
}
/// A list or tuple head; the `count` values follow.
pub fn put_seq_head(s: &mut impl WordSink, tag: u32, count: u32) -> Result<(), Full> {
    if count > MAX_LEN {
        return Err(Full);
    }
    s.push(tag | count << 8)
}
/// A Str (or Opaque with `tag = OPAQUE`) from bytes.
pub fn put_bytes(s: &mut impl WordSink, tag: u32, bytes: &[u8]) -> Result<(), Full> {
    let len = bytes.len() as u32;
    if len > MAX_LEN {
        return Err(Full);
    }
    s.push(tag | len << 8)?;
    for chunk in bytes.chunks(4) {
        let mut w = 0u32;
        for (i, b) in chunk.iter().enumerate() {
            w |= (*b as u32) << (i * 8);
        }
        s.push(w)?;
    }
    Ok(())
}
pub fn put_str(s: &mut impl WordSink, text: &str) -> Result<(), Full> {
    put_bytes(s, STR, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_values_round_trip() {
        let mut buf = [0u32; 64];
        let mut s = SliceSink::new(&mut buf);
        put_seq_head(&mut s, LIST, 3).unwrap();
        put_int(&mut s, -7).unwrap();
        put_str(&mut s, "héllo").unwrap();
        put_seq_head(&mut s, TUPLE, 2).unwrap();
        put_float(&mut s, 0.5).unwrap();
        put_bool(&mut s, true).unwrap();
        put_none(&mut s).unwrap();
        let n = s.len;
        let mut r = Reader::new(&buf[..n]);
        assert_eq!(r.token(), Ok(Token::List(3)));
        assert_eq!(r.token(), Ok(Token::Int(-7)));
        let Ok(Token::Str { len, words }) = r.token() else { panic!() };
        let mut out = [0u8; 16];
        let k = unpack_bytes(words, len, &mut out);
        assert_eq!(core::str::from_utf8(&out[..k]), Ok("héllo"));
        assert_eq!(r.token(), Ok(Token::Tuple(2)));
        assert_eq!(r.token(), Ok(Token::Float(0.5)));
        assert_eq!(r.token(), Ok(Token::Bool(true)));
        assert_eq!(r.token(), Ok(Token::None));
        assert!(r.is_empty());
    }

    #[test]
    fn malformed_streams_are_errors_not_panics() {
        assert_eq!(Reader::new(&[INT]).token(), Err(DecodeError::Truncated));
        assert_eq!(Reader::new(&[STR | 9 << 8, 0]).token(), Err(DecodeError::Truncated));
        assert_eq!(Reader::new(&[0x55]).token(), Err(DecodeError::BadTag(0)));
        assert_eq!(Reader::new(&[BOOL | 2 << 8]).token(), Err(DecodeError::BadValue(0)));
        assert_eq!(Reader::new(&[STR | MAX_LEN << 8]).token(), Err(DecodeError::Truncated));
    }

    #[test]
    fn a_full_sink_reports_full() {
        let mut buf = [0u32; 2];
        let mut s = SliceSink::new(&mut buf);
        assert_eq!(put_str(&mut s, "abcdefgh"), Err(Full));
    }
}

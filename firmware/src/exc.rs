//! A Python exception raised on the core: a type and a message code (the host
//! has the text, `shared_protocol::errors`) and up to four detail parts that
//! fill the message's `{}`s.
//!
//! Small on purpose (36 bytes on the chip): every `Result` that can carry one
//! sits on the 2.25 KB firmware stack, several deep.

use shared_protocol::errors::{ExcType, Msg};

use crate::value::Value;

/// One detail, as given to [`Exc::with`].
#[derive(Clone, Copy)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub struct Part {
    kind: u8,
    len: u16,
    word: usize,
}

/// What a `Part` holds.
pub enum Detail {
    Text(&'static str),
    /// A Str in VM memory (word offset), e.g. a global's name.
    Str(u32),
    Int(i32),
}

#[allow(non_snake_case)]
impl Part {
    pub fn Text(t: &'static str) -> Part {
        Part {
            kind: 0,
            len: t.len() as u16,
            word: t.as_ptr().expose_provenance(),
        }
    }
    pub fn Str(at: u32) -> Part {
        Part {
            kind: 1,
            len: 0,
            word: at as usize,
        }
    }
    pub fn Int(i: i32) -> Part {
        Part {
            kind: 2,
            len: 0,
            word: i as u32 as usize,
        }
    }
    pub fn detail(self) -> Detail {
        match self.kind {
            0 => {
                let p = core::ptr::with_exposed_provenance::<u8>(self.word);
                // SAFETY: made by `Part::Text` from a &'static str of this length.
                Detail::Text(unsafe {
                    core::str::from_utf8_unchecked(core::slice::from_raw_parts(
                        p,
                        self.len as usize,
                    ))
                })
            }
            1 => Detail::Str(self.word as u32),
            _ => Detail::Int(self.word as u32 as i32),
        }
    }
}

#[derive(Clone, Copy)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub struct Exc {
    /// An `ExcType` and a `Msg`, as bytes.
    pub ty: u8,
    pub msg: u8,
    /// Parts in use: 0 → detail None, 1 → that value, more → a Tuple.
    pub n_parts: u8,
    pub parts: [Part; 4],
}

impl Exc {
    #[inline(never)]
    #[cold]
    pub fn new(ty: ExcType, msg: Msg) -> Exc {
        Exc {
            ty: ty as u8,
            msg: msg as u8,
            n_parts: 0,
            parts: [Part::Int(0); 4],
        }
    }

    #[inline(never)]
    #[cold]
    pub fn with(mut self, part: Part) -> Exc {
        if let Some(slot) = self.parts.get_mut(self.n_parts as usize) {
            *slot = part;
            self.n_parts += 1;
        }
        self
    }

    pub fn parts(&self) -> &[Part] {
        self.parts.get(..self.n_parts as usize).unwrap_or(&[])
    }

    #[inline(never)]
    #[cold]
    pub fn overflow() -> Exc {
        Exc::new(ExcType::OverflowError, Msg::IntOverflow)
    }

    #[inline(never)]
    #[cold]
    pub fn zero_division(msg: Msg) -> Exc {
        Exc::new(ExcType::ZeroDivisionError, msg)
    }

    /// `unsupported operand type(s) for +: 'int' and 'str'`.
    #[inline(never)]
    #[cold]
    pub fn operands(symbol: &'static str, a: Value, b: Value) -> Exc {
        Exc::new(ExcType::TypeError, Msg::UnsupportedOperands)
            .with(Part::Text(symbol))
            .with(Part::Text(a.type_name()))
            .with(Part::Text(b.type_name()))
    }

    /// `'str' object cannot be interpreted as an integer`.
    #[inline(never)]
    #[cold]
    pub fn not_an_integer(v: Value) -> Exc {
        Exc::new(ExcType::TypeError, Msg::NotAnInteger).with(Part::Text(v.type_name()))
    }

    #[inline(never)]
    #[cold]
    pub fn generic(ty: ExcType, text: &'static str) -> Exc {
        Exc::new(ty, Msg::Generic).with(Part::Text(text))
    }
}

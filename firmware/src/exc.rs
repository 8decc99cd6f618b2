//! A Python exception raised on the core: a type and a message code (the host
//! has the text, `shared_protocol::errors`) and up to three detail parts that
//! fill the message's `{}`s.

use shared_protocol::errors::{ExcType, Msg};

use crate::value::Value;

#[derive(Clone, Copy)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub enum Part {
    Text(&'static str),
    /// A Str in the arena (word index), e.g. a global's name.
    Str(u32),
    Int(i32),
}

#[derive(Clone, Copy)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub struct Exc {
    pub ty: ExcType,
    pub msg: Msg,
    pub parts: [Part; 3],
    /// Parts in use: 0 → detail None, 1 → that value, more → a Tuple.
    pub n_parts: u8,
}

impl Exc {
    pub fn new(ty: ExcType, msg: Msg) -> Exc {
        Exc {
            ty,
            msg,
            parts: [Part::Int(0); 3],
            n_parts: 0,
        }
    }

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

    pub fn overflow() -> Exc {
        Exc::new(ExcType::OverflowError, Msg::IntOverflow)
    }

    pub fn zero_division(msg: Msg) -> Exc {
        Exc::new(ExcType::ZeroDivisionError, msg)
    }

    /// `unsupported operand type(s) for +: 'int' and 'str'`.
    pub fn operands(symbol: &'static str, a: Value, b: Value) -> Exc {
        Exc::new(ExcType::TypeError, Msg::UnsupportedOperands)
            .with(Part::Text(symbol))
            .with(Part::Text(a.type_name()))
            .with(Part::Text(b.type_name()))
    }

    pub fn generic(ty: ExcType, text: &'static str) -> Exc {
        Exc::new(ty, Msg::Generic).with(Part::Text(text))
    }
}

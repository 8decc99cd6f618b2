//! The VM's values: `Copy`, two words in the arena (a tag and a payload).
//! References are arena word indices, never host pointers (design.md §3), so
//! the arena has the same bytes on the chip and in the simulator.

use shared_protocol::natives::{self, Kind};

#[derive(Clone, Copy, PartialEq)]
#[cfg_attr(test, derive(Debug))]
pub enum Value {
    /// A global or local not assigned yet. Zeroed memory reads as Unbound;
    /// it never reaches the operand stack.
    Unbound,
    None,
    Bool(bool),
    Int(i32),
    Float(f32),
    /// Word index in the arena of a Str in the value encoding (head word
    /// `STR | len << 8`, then the bytes): constants are read in place.
    Str(u32),
    /// A native module or function (`shared_protocol::natives`).
    Native(u16),
}

impl Value {
    /// The arena form: `[tag, payload]`; tag 0 is Unbound.
    pub fn to_words(self) -> [u32; 2] {
        match self {
            Value::Unbound => [0, 0],
            Value::None => [1, 0],
            Value::Bool(b) => [2, b as u32],
            Value::Int(i) => [3, i as u32],
            Value::Float(f) => [4, f.to_bits()],
            Value::Str(at) => [5, at],
            Value::Native(n) => [6, n as u32],
        }
    }

    pub fn from_words(tag: u32, payload: u32) -> Value {
        match tag {
            1 => Value::None,
            2 => Value::Bool(payload != 0),
            3 => Value::Int(payload as i32),
            4 => Value::Float(f32::from_bits(payload)),
            5 => Value::Str(payload),
            6 => Value::Native(payload as u16),
            _ => Value::Unbound,
        }
    }

    /// Python's `type(v).__name__`, for error details.
    pub fn type_name(self) -> &'static str {
        match self {
            Value::Unbound | Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Native(n) => match natives::get(n) {
                Some(native) if native.kind == Kind::Module => "module",
                _ => "builtin_function_or_method",
            },
        }
    }
}

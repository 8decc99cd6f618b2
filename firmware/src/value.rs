//! The VM's values: `Copy`, two words in VM memory (a tag and a payload).
//! References are word offsets in VM memory (`arena::Mem`), never host
//! pointers (design.md §3), so memory has the same bytes on the chip and in
//! the simulator. Heap objects are described in `heap`.

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
    /// Word offset of a Str in the value encoding (head word `STR | len << 8`,
    /// then the bytes): an image constant read in place, or a heap object.
    Str(u32),
    /// A native module or function (`shared_protocol::natives`).
    Native(u16),
    /// Heap objects (word offset of the object's head word, `heap`).
    List(u32),
    Tuple(u32),
    Func(u32),
    Range(u32),
    Iter(u32),
    /// A list's item storage (never on the operand stack).
    Array(u32),
}

/// Tags of the memory form; the pointer tags are `T_STR` and `T_LIST..`.
pub const T_BOOL: u32 = 2;
pub const T_INT: u32 = 3;
pub const T_FLOAT: u32 = 4;
pub const T_STR: u32 = 5;
pub const T_LIST: u32 = 7;
pub const T_TUPLE: u32 = 8;
pub const T_ITER: u32 = 11;

impl Value {
    /// The memory form: `[tag, payload]`; tag 0 is Unbound.
    pub fn to_words(self) -> [u32; 2] {
        match self {
            Value::Unbound => [0, 0],
            Value::None => [1, 0],
            Value::Bool(b) => [2, b as u32],
            Value::Int(i) => [3, i as u32],
            Value::Float(f) => [4, f.to_bits()],
            Value::Str(at) => [T_STR, at],
            Value::Native(n) => [6, n as u32],
            Value::List(p) => [7, p],
            Value::Tuple(p) => [8, p],
            Value::Func(p) => [9, p],
            Value::Range(p) => [10, p],
            Value::Iter(p) => [11, p],
            Value::Array(p) => [12, p],
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
            7 => Value::List(payload),
            8 => Value::Tuple(payload),
            9 => Value::Func(payload),
            10 => Value::Range(payload),
            11 => Value::Iter(payload),
            12 => Value::Array(payload),
            _ => Value::Unbound,
        }
    }

    /// The object a reference value points to (`None` for scalars).
    pub fn object(self) -> Option<u32> {
        let [tag, payload] = self.to_words();
        (tag == T_STR || tag >= T_LIST).then_some(payload)
    }

    /// Python's `type(v).__name__`, for error details.
    pub fn type_name(self) -> &'static str {
        match self {
            Value::Unbound | Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::List(_) | Value::Array(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Func(_) => "function",
            Value::Range(_) => "range",
            Value::Iter(_) => "iterator",
            Value::Native(n) => match natives::get(n) {
                Some(native) if native.kind == Kind::Module => "module",
                Some(native) if native.class => "type",
                _ => "builtin_function_or_method",
            },
        }
    }
}

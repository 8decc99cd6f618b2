//! A verified bytecode image, in the arena from word 0 (bytecode.rs has the
//! format). `Image` holds where its tables are, as arena word or byte
//! indices; the verifier built it, so the VM trusts what it proved.

use shared_protocol::bytecode::{FUNCTION_WORDS, function, line_entry_line, line_entry_pc};
use shared_protocol::value;

use crate::arena::word;
use crate::value::Value;

#[derive(Clone, Copy)]
#[cfg_attr(test, derive(Debug))]
pub struct Image {
    /// Image length in words (the first free arena word after it).
    pub words: u32,
    pub n_functions: u32,
    /// Word index of the function table.
    pub functions: u32,
    pub n_consts: u32,
    /// Word index of the const table (byte offsets of constants).
    pub consts: u32,
    pub n_globals: u32,
    /// Word index of the name table (byte offsets of global names).
    pub names: u32,
    pub n_lines: u32,
    /// Word index of the line table.
    pub lines: u32,
    /// Byte index of the code section.
    pub code: u32,
    pub code_len: u32,
}

/// One function entry, with its code as an absolute arena byte index.
#[derive(Clone, Copy)]
pub struct Func {
    pub code: u32,
    pub code_len: u32,
    pub n_params: u32,
    pub n_locals: u32,
    pub max_stack: u32,
    pub lines_start: u32,
    pub lines_count: u32,
}

impl Image {
    pub fn func(&self, m: &[u32], f: u32) -> Func {
        let at = (self.functions + f * FUNCTION_WORDS as u32) as usize;
        let field = |i: usize| word(m, at + i);
        Func {
            code: self.code + field(function::CODE_START),
            code_len: field(function::CODE_LEN),
            n_params: field(function::N_PARAMS),
            n_locals: field(function::N_LOCALS),
            max_stack: field(function::MAX_STACK),
            lines_start: field(function::LINES_START),
            lines_count: field(function::LINES_COUNT),
        }
    }

    /// Word index of the encoded value at table entry `k` (a byte offset).
    fn entry(m: &[u32], table: u32, k: u32) -> u32 {
        word(m, (table + k) as usize) / 4
    }

    /// Constant `k` (the verifier allows scalars and Strs only).
    pub fn constant(&self, m: &[u32], k: u32) -> Value {
        let at = Self::entry(m, self.consts, k);
        let head = word(m, at as usize);
        let next = word(m, at as usize + 1);
        match value::tag_of(head) {
            value::BOOL => Value::Bool(value::len_of(head) != 0),
            value::INT => Value::Int(next as i32),
            value::FLOAT => Value::Float(f32::from_bits(next)),
            value::STR => Value::Str(at),
            _ => Value::None,
        }
    }

    /// Word index of global `k`'s name (a Str).
    pub fn global_name(&self, m: &[u32], k: u32) -> u32 {
        Self::entry(m, self.names, k)
    }

    /// The source line of the instruction at `pc`: the last line entry with
    /// an entry pc <= pc (0 when there is none).
    pub fn line_of(&self, m: &[u32], f: &Func, pc: u32) -> u32 {
        let mut line = 0;
        for i in 0..f.lines_count {
            let e = word(m, (self.lines + f.lines_start + i) as usize);
            if line_entry_pc(e) > pc {
                break;
            }
            line = line_entry_line(e);
        }
        line
    }
}

//! A verified bytecode image in VM memory (bytecode.rs has the format): at
//! word 0 of the SRAM arena when it fits there with its globals, else at the
//! start of the DRAM spill area (exec.rs `load`). `Image` holds where its
//! tables are, as absolute word or byte indices of [`Mem`]; the verifier
//! built it, so the VM trusts what it proved.

use shared_protocol::bytecode::{FUNCTION_WORDS, function, line_entry_line, line_entry_pc};
use shared_protocol::value;

use crate::arena::Mem;
use crate::value::Value;

#[derive(Clone, Copy, Default)]
#[cfg_attr(test, derive(Debug))]
pub struct Image {
    /// Word index of the image's first word (its header).
    pub base: u32,
    /// Image length in words.
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
    /// Absolute byte index of the code section.
    pub code: u32,
    pub code_len: u32,
}

/// One function entry, with its code as an absolute byte index.
#[derive(Clone, Copy)]
pub struct Func {
    pub code: u32,
    pub code_len: u32,
    pub n_params: u32,
    pub n_locals: u32,
    pub max_stack: u32,
    pub lines_start: u32,
    pub lines_count: u32,
    pub n_defaults: u32,
    /// Word index of the locals' name table (byte offsets of Strs).
    pub local_names: u32,
}

impl Image {
    pub fn func(&self, m: &Mem, f: u32) -> Func {
        let at = self.functions + f * FUNCTION_WORDS as u32;
        Func {
            code: self.code + field(m, at, function::CODE_START),
            code_len: field(m, at, function::CODE_LEN),
            n_params: field(m, at, function::N_PARAMS),
            n_locals: field(m, at, function::N_LOCALS),
            max_stack: field(m, at, function::MAX_STACK),
            lines_start: field(m, at, function::LINES_START),
            lines_count: field(m, at, function::LINES_COUNT),
            n_defaults: field(m, at, function::N_DEFAULTS),
            local_names: self.base + field(m, at, function::LOCAL_NAMES) / 4,
        }
    }

    /// Word index of the encoded value at table entry `k` (an image byte
    /// offset).
    fn entry(&self, m: &Mem, table: u32, k: u32) -> u32 {
        self.base + m.word(table + k) / 4
    }

    /// Byte index of function `f`'s code.
    pub fn code_of(&self, m: &Mem, f: u32) -> u32 {
        self.code + m.word(self.functions + f * FUNCTION_WORDS as u32 + function::CODE_START as u32)
    }

    /// Word index of function `f`'s name (a Str).
    pub fn func_name(&self, m: &Mem, f: u32) -> u32 {
        let at = self.functions + f * FUNCTION_WORDS as u32;
        self.entry(m, self.consts, m.word(at + function::NAME as u32))
    }

    /// Word index of constant `k`'s encoding.
    pub fn const_at(&self, m: &Mem, k: u32) -> u32 {
        self.entry(m, self.consts, k)
    }

    /// Word index of local `k`'s name (a Str) in function `f`.
    pub fn local_name(&self, m: &Mem, f: &Func, k: u32) -> u32 {
        self.base + m.word(f.local_names + k) / 4
    }

    /// The scalar or Str encoded at word `at`, and the words it takes (a
    /// Tuple head reads as None; the VM builds tuple constants itself).
    pub fn scalar_at(m: &Mem, at: u32) -> (Value, u32) {
        let (head, next) = (m.word(at), m.word(at.wrapping_add(1)));
        match value::tag_of(head) {
            value::BOOL => (Value::Bool(value::len_of(head) != 0), 1),
            value::INT => (Value::Int(next as i32), 2),
            value::FLOAT => (Value::Float(f32::from_bits(next)), 2),
            value::STR => (Value::Str(at), 1 + value::words_for_bytes(value::len_of(head))),
            _ => (Value::None, 1),
        }
    }

    /// Word index of global `k`'s name (a Str).
    pub fn global_name(&self, m: &Mem, k: u32) -> u32 {
        self.entry(m, self.names, k)
    }

    /// The source line of the instruction at `pc`: the last line entry with
    /// an entry pc <= pc (0 when there is none).
    pub fn line_of(&self, m: &Mem, f: &Func, pc: u32) -> u32 {
        let mut line = 0;
        for i in 0..f.lines_count {
            let e = m.word(self.lines + f.lines_start + i);
            if line_entry_pc(e) > pc {
                break;
            }
            line = line_entry_line(e);
        }
        line
    }
}

/// Word `i` of the function entry at word `at`, read in place: as a
/// closure it was a call of its own per field (out of line, in DRAM, on
/// Epiphany code: a fifth of a call-heavy loop's cycles).
#[inline(always)]
fn field(m: &Mem, at: u32, i: usize) -> u32 {
    m.word(at + i as u32)
}

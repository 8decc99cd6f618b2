//! The bytecode verifier: nothing of an image runs before all of it passes.
//! After it, the VM may rely on: tables in bounds, every instruction known
//! and complete, jump targets on instruction boundaries of their function,
//! indices in range, one stack depth per instruction (0..=MAX_STACK, never
//! popped below zero, ListAppend's list within reach), no fall-through past
//! a function's end, constants (scalars, Strs, with the `extras` flat
//! tuples) and names well encoded, locals' name tables of Strs, N_DEFAULTS
//! <= N_PARAMS, MakeFunction naming a function, method numbers in range,
//! line tables sorted, and the image fitting VM memory. Opcodes and natives
//! this build does not run are refused (`Reject::Unsupported`,
//! `not_implemented`). Not recursive; its scratch space is VM memory after
//! the image.
//!
//! A refused image is reported as an Error event (ValueError, Msg::ImageRefused,
//! line 0, "bytecode image refused: check R at byte B", R a [`Reject`]) and
//! Done(Error): the host gets a clear report and the core stays usable (a
//! `Fault::BadImage` would leave it stopped until reloaded). An image too
//! big for VM memory (SRAM arena and DRAM spill) is a MemoryError instead.

use shared_protocol::bytecode::{
    BYTECODE_VERSION, DEREF_FREE, FUNCTION_WORDS, HEADER_WORDS, IMAGE_MAGIC, NO_CONST, Op, Operand,
    PRINT_HAS_END, PRINT_HAS_SEP, call_method_operand, flags, function, header, line_entry_pc,
};
use shared_protocol::natives::{self, BUILTIN};
use shared_protocol::value;

use crate::arena::Mem;
use crate::image::Image;

/// Why an image was refused (reported to the host with a byte offset).
#[repr(u32)]
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(test, derive(Debug))]
pub enum Reject {
    /// Length, alignment, magic, version or total length.
    Header = 1,
    /// A table or section outside the image.
    Table = 2,
    /// A constant or name that is not a well-formed scalar/Str value.
    Constant = 3,
    /// A function entry's fields (code range, params, max stack, name).
    Function = 4,
    /// An unknown opcode.
    Opcode = 5,
    /// An instruction cut by the end of its function, or a bad operand.
    Operand = 6,
    /// A jump target outside the function or inside an instruction.
    Jump = 7,
    /// A const/global/local/native index out of range.
    Index = 8,
    /// Stack underflow, overflow of MAX_STACK, or depths differing at a join.
    Stack = 9,
    /// Control falls off the end of the function's code.
    FallsOff = 10,
    /// A line table unsorted or out of range.
    Lines = 11,
    /// The image and its globals do not fit VM memory (MemoryError).
    NoRoom = 12,
    /// A native or opcode this firmware build does not run (the `extras`).
    Unsupported = 13,
}

/// A refused image: the reason and the image byte offset it concerns.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(test, derive(Debug))]
pub struct Bad {
    pub reason: Reject,
    pub at: u32,
}

fn bad<T>(reason: Reject, at: u32) -> Result<T, Bad> {
    Err(Bad { reason, at })
}

/// Deepest MAX_STACK accepted: depths are kept as `depth + 1` in a byte.
const MAX_STACK_LIMIT: u32 = 250;
/// A scratch byte for an instruction start whose depth is not known yet.
const UNSEEN: u8 = 0xFF;

/// Verify the `len`-byte image at word `base` of `m`. Out of line: its
/// locals must not sit on the stack under the running VM. Offsets in a
/// [`Bad`] are image byte offsets.
#[inline(never)]
pub fn verify(m: &mut Mem, base: u32, len: u32) -> Result<Image, Bad> {
    let words = len / 4;
    if len & 3 != 0
        || words < HEADER_WORDS as u32
        || base as u64 + words as u64 > m.words() as u64
    {
        return bad(Reject::Header, 0);
    }
    let h = |i: usize| m.word(base + i as u32);
    if h(header::MAGIC) != IMAGE_MAGIC
        || h(header::VERSION) != BYTECODE_VERSION
        || h(header::TOTAL_LEN) != len
        || h(header::FLAGS) & !flags::KNOWN != 0
    {
        return bad(Reject::Header, 0);
    }
    // A table of `count` entries of `size` words at byte offset `off`.
    let table = |off: u32, count: u32, size: u32| -> Result<u32, Bad> {
        let end = count.checked_mul(size).and_then(|n| n.checked_add(off / 4));
        match end {
            Some(end) if off & 3 == 0 && end <= words => Ok(base + off / 4),
            _ => bad(Reject::Table, off),
        }
    };
    let (code, code_len) = (h(header::CODE_OFF), h(header::CODE_LEN));
    if code.checked_add(code_len).is_none_or(|end| end > len) {
        return bad(Reject::Table, 0);
    }
    let img = Image {
        base,
        words,
        n_functions: h(header::N_FUNCTIONS),
        functions: table(
            h(header::FUNCTIONS_OFF),
            h(header::N_FUNCTIONS),
            FUNCTION_WORDS as u32,
        )?,
        n_consts: h(header::N_CONSTS),
        consts: table(h(header::CONSTS_OFF), h(header::N_CONSTS), 1)?,
        n_globals: h(header::N_GLOBALS),
        names: table(h(header::NAMES_OFF), h(header::N_GLOBALS), 1)?,
        n_lines: h(header::N_LINES),
        lines: table(h(header::LINES_OFF), h(header::N_LINES), 1)?,
        code: base * 4 + code,
        code_len,
    };
    if img.n_functions == 0 {
        return bad(Reject::Table, 0);
    }
    for k in 0..img.n_consts {
        let off = m.word(img.consts + k);
        let head = m.word(base + off / 4);
        if cfg!(feature = "extras") && off & 3 == 0 && off / 4 < words && value::tag_of(head) == value::TUPLE {
            // A flat tuple of scalars and Strs (keyword names, constant tuples).
            let mut at = off + 4;
            for _ in 0..value::len_of(head) {
                check_value(m, &img, at, false)?;
                at += 4 * Image::scalar_at(m, base + at / 4).1;
            }
        } else {
            check_value(m, &img, off, false)?;
        }
    }
    for k in 0..img.n_globals {
        check_value(m, &img, m.word(img.names + k), true)?;
    }
    let filename = h(header::FILENAME);
    if filename != NO_CONST && !is_str_const(m, &img, filename) {
        return bad(Reject::Constant, header::FILENAME as u32 * 4);
    }
    for f in 0..img.n_functions {
        check_function(m, &img, f)?;
    }
    let f0 = img.func(m, 0);
    if f0.n_params != 0 {
        // The module body runs with no arguments.
        return bad(Reject::Function, (img.functions - base) * 4);
    }
    Ok(img)
}

/// The encoded value at image byte offset `off`: a None/Bool/Int/Float/Str
/// (only a Str when `str_only`), wholly inside the image.
fn check_value(m: &Mem, img: &Image, off: u32, str_only: bool) -> Result<(), Bad> {
    let at = off / 4;
    let head = m.word(img.base + at);
    let len = value::len_of(head);
    // Its size in words (0: not a value allowed here).
    let size = match value::tag_of(head) {
        value::STR => 1 + value::words_for_bytes(len),
        _ if str_only => 0,
        value::NONE if len == 0 => 1,
        value::BOOL if len <= 1 => 1,
        value::INT | value::FLOAT if len == 0 => 2,
        _ => 0,
    };
    let inside = at.checked_add(size).is_some_and(|end| end <= img.words);
    let ok = off & 3 == 0
        && size != 0
        && inside
        && (value::tag_of(head) != value::STR || is_utf8(m, img.base + at));
    if ok {
        Ok(())
    } else {
        bad(Reject::Constant, off)
    }
}

/// Whether the Str at word `at` holds well-formed UTF-8 (no overlongs, no
/// surrogates, nothing above U+10FFFF): the host decodes it, and str order
/// is bytewise.
fn is_utf8(m: &Mem, at: u32) -> bool {
    let len = m.str_len(at);
    let mut i = 0;
    while i < len {
        let lead = m.str_byte(at, i);
        // Continuation count and the allowed range of the second byte.
        let (n, lo, hi) = match lead {
            0x00..=0x7F => (0, 0, 0),
            0xC2..=0xDF => (1, 0x80, 0xBF),
            0xE0 => (2, 0xA0, 0xBF),
            0xED => (2, 0x80, 0x9F),
            0xE1..=0xEF => (2, 0x80, 0xBF),
            0xF0 => (3, 0x90, 0xBF),
            0xF1..=0xF3 => (3, 0x80, 0xBF),
            0xF4 => (3, 0x80, 0x8F),
            _ => return false,
        };
        for k in 1..=n {
            let b = if i + k < len { m.str_byte(at, i + k) } else { 0 };
            let (lo, hi) = if k == 1 { (lo, hi) } else { (0x80, 0xBF) };
            if b < lo || b > hi {
                return false;
            }
        }
        i += n + 1;
    }
    true
}

fn is_str_const(m: &Mem, img: &Image, k: u32) -> bool {
    k < img.n_consts && value::tag_of(m.word(img.const_at(m, k))) == value::STR
}

fn check_function(m: &mut Mem, img: &Image, f: u32) -> Result<(), Bad> {
    let entry_at = img.functions + f * FUNCTION_WORDS as u32;
    // Image byte offsets, for a `Bad`.
    let entry = (entry_at - img.base) * 4;
    let field = |i: usize| m.word(entry_at + i as u32);
    let (start, len) = (field(function::CODE_START), field(function::CODE_LEN));
    let (n_params, n_locals, max_stack) = (
        field(function::N_PARAMS),
        field(function::N_LOCALS),
        field(function::MAX_STACK),
    );
    if len == 0
        || len > 0xFFFF
        || start.checked_add(len).is_none_or(|end| end > img.code_len)
        || n_params > n_locals
        || n_locals > 0xFFFF
        || max_stack > MAX_STACK_LIMIT
        || !is_str_const(m, img, field(function::NAME))
        || field(function::N_DEFAULTS) > n_params
    {
        return bad(Reject::Function, entry);
    }
    // The locals' names: n_locals Strs.
    let names_off = field(function::LOCAL_NAMES);
    let names_end = (names_off / 4).checked_add(n_locals);
    if names_off & 3 != 0 || names_end.is_none_or(|end| end > img.words) {
        return bad(Reject::Table, entry);
    }
    for k in 0..n_locals {
        check_value(m, img, m.word(img.base + names_off / 4 + k), true)?;
    }
    let (lines_start, lines_count) = (field(function::LINES_START), field(function::LINES_COUNT));
    if lines_start
        .checked_add(lines_count)
        .is_none_or(|end| end > img.n_lines)
    {
        return bad(Reject::Lines, entry);
    }
    let mut last_pc = 0;
    for i in 0..lines_count {
        let pc = line_entry_pc(m.word(img.lines + lines_start + i));
        if pc < last_pc || pc >= len {
            return bad(Reject::Lines, (img.lines - img.base + lines_start + i) * 4);
        }
        last_pc = pc;
    }

    let code = img.code + start;
    // Scratch: one byte per code byte, after the image (absolute bytes).
    let scratch = (img.base + img.words) * 4;
    if scratch as u64 + len as u64 > m.words() as u64 * 4 {
        return bad(Reject::NoRoom, entry);
    }
    let at = |pc: u32| code - img.base * 4 + pc;
    let op_at = |m: &Mem, pc: u32| Op::from_u8(m.byte(code + pc));
    let operand = |m: &Mem, pc: u32| -> u32 {
        match op_at(m, pc).map(Op::operand) {
            Some(Operand::U8) => m.byte(code + pc + 1) as u32,
            Some(Operand::U16 | Operand::I16) => m.half(code + pc + 1),
            _ => 0,
        }
    };

    // Pass 1: decode linearly, mark instruction starts, check operands.
    for i in 0..len {
        m.set_byte(scratch + i, 0);
    }
    let mut pc = 0;
    let mut last = Op::Nop;
    while pc < len {
        let Some(op) = op_at(m, pc).filter(|op| !not_implemented(*op)) else {
            return bad(Reject::Opcode, at(pc));
        };
        if pc + op.len() as u32 > len {
            return bad(Reject::Operand, at(pc));
        }
        let k = operand(m, pc);
        let in_range = match op {
            Op::LoadConst => k < img.n_consts,
            Op::LoadGlobal | Op::StoreGlobal => k < img.n_globals,
            Op::LoadLocal | Op::StoreLocal | Op::MakeCell | Op::StoreDeref => k < n_locals,
            Op::LoadDeref => k & !(DEREF_FREE as u32) < n_locals,
            _ if native_unsupported(op, k) => return bad(Reject::Unsupported, at(pc)),
            Op::LoadNative => (k as usize) < natives::NATIVES.len(),
            Op::LoadModuleAttr => natives::get(k as u16).is_some_and(|n| n.module != BUILTIN),
            Op::Print => k & !(0xFF | PRINT_HAS_SEP | PRINT_HAS_END) as u32 == 0,
            Op::MakeFunction | Op::MakeClosure => k != 0 && k < img.n_functions,
            Op::CallMethod => ((k & 0xFF) as usize) < natives::METHODS.len(),
            _ => true,
        };
        if !in_range {
            return bad(
                if matches!(op, Op::Print) {
                    Reject::Operand
                } else {
                    Reject::Index
                },
                at(pc),
            );
        }
        m.set_byte(scratch + pc, UNSEEN);
        last = op;
        pc += op.len() as u32;
    }
    if !matches!(last, Op::Jump | Op::Return) {
        return bad(Reject::FallsOff, at(len - 1));
    }
    // Pass 2: jump targets are instruction starts.
    let mut pc = 0;
    while let Some(op) = op_at(m, pc).filter(|_| pc < len) {
        if is_jump(op) {
            let t = operand(m, pc);
            if t >= len || m.byte(scratch + t) != UNSEEN {
                return bad(Reject::Jump, at(pc));
            }
        }
        pc += op.len() as u32;
    }
    // Pass 3: stack depths, propagated in code order until nothing changes
    // (each round fixes at least one more instruction, so this ends).
    m.set_byte(scratch, 1);
    loop {
        let mut changed = false;
        let mut pc = 0;
        while let Some(op) = op_at(m, pc).filter(|_| pc < len) {
            let next = pc + op.len() as u32;
            let seen = m.byte(scratch + pc);
            if seen != UNSEEN {
                let depth = seen as u32 - 1;
                // Both paths' effects come from the opcode table (bytecode.rs).
                let (pop, push) = op.stack_effect(operand(m, pc) as u16);
                let (pop, push) = (pop as u32, push as u32);
                // ListAppend reaches its list `operand` values below the top.
                let reach = if op == Op::ListAppend { operand(m, pc) + 2 } else { pop };
                if depth < reach || depth - pop + push > max_stack {
                    return bad(Reject::Stack, at(pc));
                }
                let after = depth - pop + push;
                // Successors: (pc, depth) pairs.
                let mut succ = [(u32::MAX, 0); 2];
                if let Some((jump_pop, jump_push)) = op.jump_effect() {
                    succ[0] = (operand(m, pc), depth - jump_pop as u32 + jump_push as u32);
                }
                if !matches!(op, Op::Return | Op::Jump) {
                    succ[1] = (next, after);
                }
                for (target, d) in succ {
                    if target == u32::MAX {
                        continue;
                    }
                    if target >= len {
                        return bad(Reject::FallsOff, at(pc));
                    }
                    let slot = scratch + target;
                    match m.byte(slot) {
                        UNSEEN => {
                            m.set_byte(slot, d as u8 + 1);
                            changed = true;
                        }
                        s if s as u32 != d + 1 => return bad(Reject::Stack, at(target)),
                        _ => {}
                    }
                }
            }
            pc = next;
        }
        if !changed {
            return Ok(());
        }
    }
}

pub fn is_jump(op: Op) -> bool {
    matches!(
        op,
        Op::Jump
            | Op::PopJumpIfFalse
            | Op::PopJumpIfTrue
            | Op::JumpIfFalseOrPop
            | Op::JumpIfTrueOrPop
    )
}

/// A native or method this build does not run (`builtins::supported`).
fn native_unsupported(op: Op, k: u32) -> bool {
    match op {
        Op::LoadNative | Op::LoadModuleAttr => {
            natives::get(k as u16).is_some() && !crate::builtins::supported(k as u16)
        }
        // The core runs `list.append(x)` only (method 0, one argument).
        Op::CallMethod => !cfg!(feature = "extras") && k != call_method_operand(0, 1) as u32,
        _ => false,
    }
}

/// Opcodes of the table this VM does not run yet: refused before anything
/// runs. Slices, `in`, keyword calls and the ePython dialect's operators
/// come with the `extras` feature (the code budget).
fn not_implemented(op: Op) -> bool {
    !cfg!(feature = "extras")
        && (matches!(op, Op::LoadSlice | Op::LoadSliceStep | Op::In | Op::NotIn | Op::CallKw) || op.is_dialect())
}

//! Image -> text, derived from the opcode table: names, operands, jump
//! targets (`>>` marks where jumps land), constants and names shown, and
//! the source line of each instruction. Any malformed image is an error,
//! never a panic: the input may be any file.

use std::collections::BTreeSet;
use std::fmt::Write;

use shared_protocol::bytecode::{
    BYTECODE_VERSION, DEREF_FREE, FUNCTION_WORDS, HEADER_WORDS, IMAGE_MAGIC, NO_CONST, Op, Operand, PRINT_HAS_END, PRINT_HAS_SEP,
    flags, function, header, line_entry_line, line_entry_pc,
};
use shared_protocol::{natives, numfmt};
use shared_protocol::value::{Reader, Token, unpack_bytes};

use crate::error::DisasmError;

type Result<T> = std::result::Result<T, DisasmError>;

fn malformed(what: impl Into<String>) -> DisasmError {
    DisasmError::Malformed(what.into())
}

/// The image as words, with checked access.
struct Image {
    words: Vec<u32>,
    code: Vec<u8>,
}

impl Image {
    fn word(&self, index: usize) -> Result<u32> {
        self.words.get(index).copied().ok_or_else(|| malformed(format!("word {index} is past the end")))
    }
    fn header(&self, field: usize) -> Result<usize> {
        Ok(self.word(field)? as usize)
    }
    /// Word index of a byte offset that must be aligned and inside the image.
    fn word_index(&self, byte_offset: usize, what: &str) -> Result<usize> {
        if !byte_offset.is_multiple_of(4) || byte_offset / 4 > self.words.len() {
            return Err(malformed(format!("{what} offset {byte_offset} is unaligned or out of range")));
        }
        Ok(byte_offset / 4)
    }
    /// `count` words at byte offset `off`.
    fn table(&self, off: usize, count: usize, what: &str) -> Result<&[u32]> {
        let start = self.word_index(off, what)?;
        let end = start.checked_add(count).filter(|&e| e <= self.words.len());
        end.map(|e| &self.words[start..e]).ok_or_else(|| malformed(format!("{what} runs past the end of the image")))
    }
    /// The value encoded at byte offset `off`, as text. Lists and tuples
    /// are walked with a count stack, never recursion (the input may be any
    /// file); long ones are cut short.
    fn value(&self, off: usize, what: &str) -> Result<String> {
        const MAX_ITEMS: usize = 64;
        let start = self.word_index(off, what)?;
        let mut reader = Reader::new(&self.words[start..]);
        let mut out = String::new();
        // Per open list/tuple: (items left, closing text, items so far).
        let mut open: Vec<(u32, &str, u32)> = Vec::new();
        let mut items = 0usize;
        loop {
            let token = reader.token().map_err(|e| malformed(format!("{what}: bad value ({e:?})")))?;
            items += 1;
            if items > MAX_ITEMS {
                out.push_str("...");
                open.clear();
                break;
            }
            if let Some(top) = open.last_mut() {
                if top.2 > 0 {
                    out.push_str(", ");
                }
                top.2 += 1;
                top.0 -= 1;
            }
            let (n, opening, closing) = match token {
                Token::List(n) => (n, "[", "]"),
                Token::Tuple(n) => (n, "(", ")"),
                scalar => {
                    out.push_str(&scalar_text(scalar));
                    (0, "", "")
                }
            };
            if !opening.is_empty() {
                out.push_str(opening);
                if n == 0 {
                    out.push_str(closing);
                } else {
                    open.push((n, closing, 0));
                    continue;
                }
            }
            // Close every list/tuple that is now complete.
            while let Some(&(left, closing, count)) = open.last() {
                if left > 0 {
                    break;
                }
                if closing == ")" && count == 1 {
                    out.push(',');
                }
                out.push_str(closing);
                open.pop();
            }
            if open.is_empty() {
                break;
            }
        }
        Ok(out)
    }
}

/// A scalar token as Python's repr shows it.
fn scalar_text(token: Token) -> String {
    match token {
        Token::None => "None".to_string(),
        Token::Bool(b) => if b { "True" } else { "False" }.to_string(),
        Token::Int(v) => v.to_string(),
        Token::Float(v) => {
            // The shared formatter, so constants read as print shows them.
            String::from_utf8_lossy(&numfmt::format_float(v)).into_owned()
        }
        Token::Str { len, words } | Token::Opaque { len, words } => {
            let mut bytes = vec![0u8; len as usize];
            let n = unpack_bytes(words, len, &mut bytes);
            py_repr(&String::from_utf8_lossy(&bytes[..n]))
        }
        Token::List(n) => format!("<list of {n}>"),
        Token::Tuple(n) => format!("<tuple of {n}>"),
    }
}

/// A string as Python's repr shows it.
fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::from(quote);
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
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

pub fn disassemble(bytes: &[u8]) -> Result<String> {
    if bytes.len() < HEADER_WORDS * 4 {
        return Err(DisasmError::NotAnImage("shorter than the header"));
    }
    let words: Vec<u32> = bytes.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
    let mut image = Image { words, code: Vec::new() };
    if image.word(header::MAGIC)? != IMAGE_MAGIC {
        return Err(DisasmError::NotAnImage("no EPYB magic"));
    }
    let version = image.word(header::VERSION)?;
    if version != BYTECODE_VERSION {
        return Err(DisasmError::Version { found: version, expected: BYTECODE_VERSION });
    }
    let total = image.header(header::TOTAL_LEN)?;
    if total > bytes.len() || total % 4 != 0 || total < HEADER_WORDS * 4 {
        return Err(malformed(format!("TOTAL_LEN {total} does not fit the {} bytes given", bytes.len())));
    }
    image.words.truncate(total / 4);

    let n_functions = image.header(header::N_FUNCTIONS)?;
    let functions = image
        .table(image.header(header::FUNCTIONS_OFF)?, n_functions.saturating_mul(FUNCTION_WORDS), "function table")?
        .to_vec();
    let n_consts = image.header(header::N_CONSTS)?;
    let const_offsets = image.table(image.header(header::CONSTS_OFF)?, n_consts, "const table")?.to_vec();
    let consts = const_offsets
        .iter()
        .enumerate()
        .map(|(k, off)| image.value(*off as usize, &format!("constant {k}")))
        .collect::<Result<Vec<_>>>()?;
    let n_globals = image.header(header::N_GLOBALS)?;
    let name_offsets = image.table(image.header(header::NAMES_OFF)?, n_globals, "name table")?.to_vec();
    let names = name_offsets
        .iter()
        .enumerate()
        .map(|(k, off)| image.value(*off as usize, &format!("global name {k}")))
        .collect::<Result<Vec<_>>>()?;
    let lines = image.table(image.header(header::LINES_OFF)?, image.header(header::N_LINES)?, "line table")?.to_vec();
    let code_off = image.header(header::CODE_OFF)?;
    let code_len = image.header(header::CODE_LEN)?;
    match code_off.checked_add(code_len) {
        Some(end) if end <= total => image.code = bytes[code_off..end].to_vec(),
        _ => return Err(malformed("the code section runs past the end of the image")),
    }
    let filename = match image.word(header::FILENAME)? {
        NO_CONST => "?".to_string(),
        k => consts.get(k as usize).cloned().ok_or_else(|| malformed(format!("FILENAME const {k} does not exist")))?,
    };

    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let mut out = String::new();
    let _ = writeln!(
        out,
        "; image {filename}: {}, {}, {}, {total} bytes",
        plural(n_functions, "function"),
        plural(n_consts, "constant"),
        plural(n_globals, "global")
    );
    if let Some(text) = image.word(header::SOURCES).ok().and_then(|k| consts.get(k as usize)) {
        let _ = writeln!(out, "; source modules (first line of each): {}", text.trim_matches('\'').replace('\n', ", "));
    }
    if image.word(header::FLAGS)? & flags::STR_PLUS_NUMBER != 0 {
        let _ = writeln!(out, "; flags: str + number formats the number (ePython dialect)");
    }
    match image.word(header::ENTRY)? {
        0 => {}
        k => {
            let name = names.get(k as usize - 1).ok_or_else(|| malformed(format!("ENTRY global {} does not exist", k - 1)))?;
            let _ = writeln!(out, "; kernel entry: global {} {name}", k - 1);
        }
    }
    let function_names: Vec<String> = functions
        .chunks_exact(FUNCTION_WORDS)
        .map(|entry| consts.get(entry[function::NAME] as usize).map_or("?", String::as_str).trim_matches('\'').to_string())
        .collect();
    for (index, entry) in functions.chunks_exact(FUNCTION_WORDS).enumerate() {
        let n_locals = entry[function::N_LOCALS] as usize;
        let local_offsets = image.table(entry[function::LOCAL_NAMES] as usize, n_locals, "local name table")?;
        let locals = local_offsets
            .iter()
            .enumerate()
            .map(|(k, off)| image.value(*off as usize, &format!("function {index}'s local name {k}")))
            .collect::<Result<Vec<_>>>()?;
        let listing = Listing { consts: &consts, names: &names, locals: &locals, functions: &function_names };
        listing.function(&mut out, index, entry, &image.code, &lines)?;
    }
    Ok(out)
}

struct Listing<'a> {
    consts: &'a [String],
    names: &'a [String],
    /// This function's local names (as reprs).
    locals: &'a [String],
    functions: &'a [String],
}

impl Listing<'_> {
    fn function(&self, out: &mut String, index: usize, entry: &[u32], code: &[u8], lines: &[u32]) -> Result<()> {
        let field = |i: usize| entry[i] as usize;
        let name = self.consts.get(field(function::NAME)).map_or("?", String::as_str);
        let defaults = match field(function::N_DEFAULTS) {
            0 => String::new(),
            n => format!(" ({n} with defaults)"),
        };
        let _ = writeln!(
            out,
            "\nfunction {index} {name}: params {}{defaults}, locals {}, max stack {}, {} bytes",
            field(function::N_PARAMS),
            field(function::N_LOCALS),
            field(function::MAX_STACK),
            field(function::CODE_LEN)
        );
        if !self.locals.is_empty() {
            let names: Vec<&str> = self.locals.iter().map(|n| n.trim_matches('\'')).collect();
            let _ = writeln!(out, "  locals: {}", names.join(", "));
        }
        let code = field(function::CODE_START)
            .checked_add(field(function::CODE_LEN))
            .and_then(|end| code.get(field(function::CODE_START)..end))
            .ok_or_else(|| malformed(format!("function {index}'s code is outside the code section")))?;
        let my_lines = field(function::LINES_START)
            .checked_add(field(function::LINES_COUNT))
            .and_then(|end| lines.get(field(function::LINES_START)..end))
            .ok_or_else(|| malformed(format!("function {index}'s lines are outside the line table")))?;

        let instructions = decode(code);
        let targets: BTreeSet<usize> =
            instructions.iter().filter_map(|i| i.op.filter(|op| is_jump(*op)).map(|_| i.operand as usize)).collect();
        let mut shown_line = None;
        for inst in &instructions {
            let line = my_lines.iter().filter(|e| line_entry_pc(**e) as usize <= inst.pc).map(|e| line_entry_line(*e)).next_back();
            let line_text = match line {
                Some(l) if shown_line != Some(l) => {
                    shown_line = Some(l);
                    l.to_string()
                }
                _ => String::new(),
            };
            let mark = if targets.contains(&inst.pc) { ">>" } else { "" };
            let text = match inst.op {
                None => format!("<bad opcode {:#04x}>", code[inst.pc]),
                Some(op) if inst.truncated => format!("{} <truncated operand>", op.name()),
                Some(op) => self.instruction(op, inst.operand),
            };
            let _ = writeln!(out, "{line_text:>6} {mark:>2} {:>5}  {text}", inst.pc);
        }
        for t in targets {
            if !instructions.iter().any(|i| i.pc == t) {
                let _ = writeln!(out, "    ; jump target {t} is not an instruction boundary");
            }
        }
        Ok(())
    }

    fn instruction(&self, op: Op, operand: u32) -> String {
        let lookup = |table: &[String], k: u32| table.get(k as usize).cloned().unwrap_or_else(|| "<out of range>".to_string());
        let detail = match op {
            Op::LoadInt => (operand as u16 as i16).to_string(),
            Op::LoadConst => format!("{operand} ({})", lookup(self.consts, operand)),
            Op::LoadGlobal | Op::StoreGlobal => {
                let name = lookup(self.names, operand);
                format!("{operand} ({})", name.trim_matches('\''))
            }
            Op::LoadLocal | Op::StoreLocal | Op::MakeCell | Op::StoreDeref => {
                let name = lookup(self.locals, operand);
                format!("{operand} ({})", name.trim_matches('\''))
            }
            Op::LoadDeref => {
                let slot = operand & !u32::from(DEREF_FREE);
                let name = lookup(self.locals, slot);
                let free = if operand & u32::from(DEREF_FREE) != 0 { ", free" } else { "" };
                format!("{slot} ({}{free})", name.trim_matches('\''))
            }
            Op::MakeFunction | Op::MakeClosure => format!("{operand} ({})", lookup(self.functions, operand)),
            Op::CallMethod => {
                let (m, argc) = (operand & 0xFF, operand >> 8);
                let method = natives::METHODS.get(m as usize).copied().unwrap_or("<unknown method>");
                format!("{method} ({argc} arg{})", if argc == 1 { "" } else { "s" })
            }
            Op::LoadNative | Op::LoadModuleAttr => {
                let name = match natives::get(operand as u16) {
                    Some(n) if n.module == natives::BUILTIN => n.name.to_string(),
                    Some(n) => format!("{}.{}", natives::get(n.module).map_or("?", |m| m.name), n.name),
                    None => "<unknown native>".to_string(),
                };
                format!("{operand} ({name})")
            }
            Op::Print => {
                let mut s = format!("{}", operand & 0xFF);
                if operand & PRINT_HAS_SEP as u32 != 0 {
                    s.push_str(" +sep");
                }
                if operand & PRINT_HAS_END as u32 != 0 {
                    s.push_str(" +end");
                }
                s
            }
            op if is_jump(op) => format!("to {operand}"),
            op if op.operand() == Operand::None => String::new(),
            _ => operand.to_string(),
        };
        format!("{:<16} {detail}", op.name()).trim_end().to_string()
    }
}

fn is_jump(op: Op) -> bool {
    op.jump_effect().is_some()
}

/// One decoded instruction; `op` is None for an unknown opcode byte.
pub(crate) struct Instruction {
    pub pc: usize,
    pub op: Option<Op>,
    pub operand: u32,
    pub truncated: bool,
}

/// Split code into instructions. Stops after a bad opcode or a truncated one.
pub(crate) fn decode(code: &[u8]) -> Vec<Instruction> {
    let mut out = Vec::new();
    let mut pc = 0;
    while pc < code.len() {
        let Some(op) = Op::from_u8(code[pc]) else {
            out.push(Instruction { pc, op: None, operand: 0, truncated: false });
            break;
        };
        let operand_bytes = code.get(pc + 1..pc + op.len());
        let Some(operand_bytes) = operand_bytes else {
            out.push(Instruction { pc, op: Some(op), operand: 0, truncated: true });
            break;
        };
        let operand = operand_bytes.iter().rev().fold(0u32, |acc, b| acc << 8 | *b as u32);
        out.push(Instruction { pc, op: Some(op), operand, truncated: false });
        pc += op.len();
    }
    out
}

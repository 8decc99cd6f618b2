//! A test-only image builder laid out per shared_protocol::bytecode.

use std::string::String;
use std::vec::Vec;

use shared_protocol::bytecode::{
    BYTECODE_VERSION, FUNCTION_WORDS, HEADER_WORDS, IMAGE_MAGIC, NO_CONST, Op, header, line_entry,
};
use shared_protocol::value::{self, SliceSink};

#[derive(Clone, Copy, Debug)]
pub enum C<'a> {
    None,
    Bool(bool),
    Int(i32),
    Float(f32),
    Str(&'a str),
    /// A flat tuple of scalars and Strs.
    #[cfg_attr(not(feature = "extras"), allow(dead_code))]
    Tuple(&'a [C<'a>]),
}

/// One function's code and line table.
#[derive(Default, Clone)]
pub struct Asm {
    pub code: Vec<u8>,
    pub lines: Vec<u32>,
    pub n_params: u32,
    pub n_locals: u32,
    pub max_stack: u32,
    pub n_defaults: u32,
    /// The function's name ("<module>" when empty).
    pub name: String,
    /// Names of the locals, parameters first ("l0", "l1"... when missing).
    pub local_names: Vec<String>,
}

impl Asm {
    pub fn new() -> Asm {
        Asm {
            max_stack: 16,
            ..Asm::default()
        }
    }
    pub fn pc(&self) -> u16 {
        self.code.len() as u16
    }
    pub fn line(&mut self, line: u16) -> &mut Self {
        let e = line_entry(self.pc(), line);
        self.lines.push(e);
        self
    }
    pub fn op(&mut self, op: Op) -> &mut Self {
        self.code.push(op as u8);
        self
    }
    pub fn op8(&mut self, op: Op, v: u8) -> &mut Self {
        self.code.extend([op as u8, v]);
        self
    }
    pub fn op16(&mut self, op: Op, v: u16) -> &mut Self {
        self.code.push(op as u8);
        self.code.extend(v.to_le_bytes());
        self
    }
    pub fn int(&mut self, v: i16) -> &mut Self {
        self.op16(Op::LoadInt, v as u16)
    }
    /// A jump whose target is patched later; returns where.
    pub fn jump(&mut self, op: Op) -> usize {
        self.op16(op, 0xFFFF);
        self.code.len() - 2
    }
    pub fn patch(&mut self, at: usize, target: u16) {
        self.code[at..at + 2].copy_from_slice(&target.to_le_bytes());
    }
}

#[derive(Default)]
pub struct Builder<'a> {
    pub consts: Vec<C<'a>>,
    pub globals: Vec<String>,
    pub funcs: Vec<Asm>,
}

fn encode(c: C) -> Vec<u32> {
    let mut buf = [0u32; 256];
    let mut s = SliceSink::new(&mut buf);
    match c {
        C::None => value::put_none(&mut s),
        C::Bool(b) => value::put_bool(&mut s, b),
        C::Int(i) => value::put_int(&mut s, i),
        C::Float(f) => value::put_float(&mut s, f),
        C::Str(t) => value::put_str(&mut s, t),
        C::Tuple(items) => {
            value::put_seq_head(&mut s, value::TUPLE, items.len() as u32).unwrap();
            let mut out = vec![buf[0]];
            for c in items {
                out.extend(encode(*c));
            }
            return out;
        }
    }
    .unwrap();
    let n = s.len;
    buf[..n].to_vec()
}

impl<'a> Builder<'a> {
    pub fn konst(&mut self, c: C<'a>) -> u16 {
        self.consts.push(c);
        (self.consts.len() - 1) as u16
    }
    pub fn global(&mut self, name: &str) -> u16 {
        self.globals.push(name.into());
        (self.globals.len() - 1) as u16
    }

    pub fn build(&self) -> Vec<u32> {
        // Function names are Str constants appended after the user's.
        let mut consts: Vec<Vec<u32>> = self.consts.iter().map(|c| encode(*c)).collect();
        // Each function's name, then its locals' names, as Str constants.
        let mut fn_consts = Vec::new();
        for f in &self.funcs {
            let name = if f.name.is_empty() { "<module>" } else { f.name.as_str() };
            fn_consts.push(consts.len() as u32);
            consts.push(encode(C::Str(name)));
            for i in 0..f.n_locals as usize {
                let local = f.local_names.get(i).cloned().unwrap_or(format!("l{i}"));
                consts.push(encode(C::Str(&local)));
            }
        }
        let names: Vec<Vec<u32>> = self.globals.iter().map(|g| encode(C::Str(g))).collect();

        let functions_off = HEADER_WORDS * 4;
        let consts_off = functions_off + self.funcs.len() * FUNCTION_WORDS * 4;
        let names_off = consts_off + consts.len() * 4;
        let mut values_off = names_off + names.len() * 4;
        let mut value_words = Vec::new();
        let mut offsets = Vec::new();
        for v in consts.iter().chain(&names) {
            offsets.push(values_off as u32);
            values_off += v.len() * 4;
            value_words.extend(v);
        }
        // Locals' name tables: byte offsets of those Str constants.
        let mut local_tables = Vec::new();
        for (i, f) in self.funcs.iter().enumerate() {
            local_tables.push(values_off as u32);
            for k in 0..f.n_locals {
                value_words.push(offsets[(fn_consts[i] + 1 + k) as usize]);
            }
            values_off += f.n_locals as usize * 4;
        }
        let lines_off = values_off;
        let all_lines: Vec<u32> = self.funcs.iter().flat_map(|f| f.lines.clone()).collect();
        let code_off = lines_off + all_lines.len() * 4;
        let code: Vec<u8> = self.funcs.iter().flat_map(|f| f.code.clone()).collect();
        let total = (code_off + code.len()).div_ceil(4) * 4;

        let mut w = vec![0u32; total / 4];
        w[header::MAGIC] = IMAGE_MAGIC;
        w[header::VERSION] = BYTECODE_VERSION;
        w[header::TOTAL_LEN] = total as u32;
        w[header::N_FUNCTIONS] = self.funcs.len() as u32;
        w[header::FUNCTIONS_OFF] = functions_off as u32;
        w[header::N_CONSTS] = consts.len() as u32;
        w[header::CONSTS_OFF] = consts_off as u32;
        w[header::N_GLOBALS] = names.len() as u32;
        w[header::NAMES_OFF] = names_off as u32;
        w[header::LINES_OFF] = lines_off as u32;
        w[header::N_LINES] = all_lines.len() as u32;
        w[header::CODE_OFF] = code_off as u32;
        w[header::CODE_LEN] = code.len() as u32;
        w[header::FILENAME] = NO_CONST;
        let (mut code_start, mut lines_start) = (0, 0);
        for (i, f) in self.funcs.iter().enumerate() {
            let e = functions_off / 4 + i * FUNCTION_WORDS;
            w[e..e + FUNCTION_WORDS].copy_from_slice(&[
                code_start,
                f.code.len() as u32,
                f.n_params,
                f.n_locals,
                f.max_stack,
                fn_consts[i],
                lines_start,
                f.lines.len() as u32,
                f.n_defaults,
                local_tables[i],
            ]);
            code_start += f.code.len() as u32;
            lines_start += f.lines.len() as u32;
        }
        w[consts_off / 4..consts_off / 4 + offsets.len()].copy_from_slice(&offsets);
        let vo = names_off / 4 + names.len();
        w[vo..vo + value_words.len()].copy_from_slice(&value_words);
        w[lines_off / 4..lines_off / 4 + all_lines.len()].copy_from_slice(&all_lines);
        let mut bytes: Vec<u8> = w.iter().flat_map(|x| x.to_le_bytes()).collect();
        bytes[code_off..code_off + code.len()].copy_from_slice(&code);
        bytes
            .chunks(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    }
}

/// The image of a single function-0 body.
pub fn image_of(consts: &[C<'static>], asm: &Asm) -> Vec<u32> {
    let mut b = Builder {
        consts: consts.to_vec(),
        ..Builder::default()
    };
    b.funcs.push(asm.clone());
    b.build()
}

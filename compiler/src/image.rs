//! Lays a compiled module out as the image shared_protocol::bytecode
//! describes: header, functions, const table, name table, the functions'
//! local-name tables (LOCAL_NAMES), values, line table, code. Little-endian, 4-byte aligned; every offset is in bytes from
//! the image start (the code offsets in function entries are from the code
//! section, as the contract says).

use std::collections::HashMap;

use shared_protocol::bytecode::{BYTECODE_VERSION, FUNCTION_WORDS, HEADER_WORDS, IMAGE_MAGIC, function, header};
use shared_protocol::value::{self, Full, WordSink};

use crate::codegen::{Const, Module};

/// Encoded values (constants and global names) with identical encodings shared.
#[derive(Default)]
struct Values {
    words: Vec<u32>,
    offsets: HashMap<Vec<u32>, usize>,
}

struct VecSink(Vec<u32>);

impl WordSink for VecSink {
    fn push(&mut self, word: u32) -> Result<(), Full> {
        self.0.push(word);
        Ok(())
    }
}

impl Values {
    /// Word index (within the values area) of the encoded value.
    fn add(&mut self, encoded: Vec<u32>) -> usize {
        if let Some(&at) = self.offsets.get(&encoded) {
            return at;
        }
        let at = self.words.len();
        self.words.extend(&encoded);
        self.offsets.insert(encoded, at);
        at
    }
}

fn encode(c: &Const) -> Vec<u32> {
    let mut sink = VecSink(Vec::new());
    put(&mut sink, c);
    sink.0
}

fn put(sink: &mut VecSink, c: &Const) {
    // A Vec sink is never full, and codegen refuses strings over the
    // encoding's length limit, so encoding cannot fail. Tuples are keyword
    // names (one level of Strs), so this recursion is shallow.
    let _ = match c {
        Const::Int(v) => value::put_int(sink, *v),
        Const::Float(bits) => value::put_float(sink, f32::from_bits(*bits)),
        Const::Str(s) => value::put_str(sink, s),
        Const::Tuple(items) => {
            let _ = value::put_seq_head(sink, value::TUPLE, items.len() as u32);
            items.iter().for_each(|item| put(sink, item));
            Ok(())
        }
    };
}

pub fn write(module: &Module) -> Vec<u8> {
    let mut values = Values::default();
    let const_at: Vec<usize> = module.consts.iter().map(|c| values.add(encode(c))).collect();
    let name_at: Vec<usize> = module.globals.iter().map(|g| values.add(encode(&Const::Str(g.clone())))).collect();
    let local_at: Vec<Vec<usize>> = module
        .functions
        .iter()
        .map(|f| f.local_names.iter().map(|n| values.add(encode(&Const::Str(n.clone())))).collect())
        .collect();
    let n_local_names: usize = local_at.iter().map(Vec::len).sum();

    let n_functions = module.functions.len();
    let functions_off = HEADER_WORDS;
    let consts_off = functions_off + n_functions * FUNCTION_WORDS;
    let names_off = consts_off + module.consts.len();
    let local_names_off = names_off + module.globals.len();
    let values_off = local_names_off + n_local_names;
    let lines_off = values_off + values.words.len();
    let n_lines: usize = module.functions.iter().map(|f| f.lines.len()).sum();
    let code_off = lines_off + n_lines;
    let code_len: usize = module.functions.iter().map(|f| f.code.len()).sum();
    let total_words = code_off + code_len.div_ceil(4);

    let mut words = vec![0u32; code_off];
    let bytes = |word_index: usize| (word_index * 4) as u32;
    words[header::MAGIC] = IMAGE_MAGIC;
    words[header::VERSION] = BYTECODE_VERSION;
    words[header::TOTAL_LEN] = bytes(total_words);
    words[header::N_FUNCTIONS] = n_functions as u32;
    words[header::FUNCTIONS_OFF] = bytes(functions_off);
    words[header::N_CONSTS] = module.consts.len() as u32;
    words[header::CONSTS_OFF] = bytes(consts_off);
    words[header::N_GLOBALS] = module.globals.len() as u32;
    words[header::NAMES_OFF] = bytes(names_off);
    words[header::LINES_OFF] = bytes(lines_off);
    words[header::N_LINES] = n_lines as u32;
    words[header::CODE_OFF] = bytes(code_off);
    words[header::CODE_LEN] = code_len as u32;
    words[header::FILENAME] = module.filename;
    words[header::ENTRY] = module.entry;
    words[header::SOURCES] = module.sources.unwrap_or(shared_protocol::bytecode::NO_CONST);
    words[header::FLAGS] = module.flags;

    let (mut code_start, mut line_start, mut local_start) = (0usize, 0usize, 0usize);
    for (i, f) in module.functions.iter().enumerate() {
        let entry = &mut words[functions_off + i * FUNCTION_WORDS..][..FUNCTION_WORDS];
        entry[function::CODE_START] = code_start as u32;
        entry[function::CODE_LEN] = f.code.len() as u32;
        entry[function::N_PARAMS] = f.n_params;
        entry[function::N_LOCALS] = f.local_names.len() as u32;
        entry[function::MAX_STACK] = f.max_stack;
        entry[function::NAME] = f.name;
        entry[function::LINES_START] = line_start as u32;
        entry[function::LINES_COUNT] = f.lines.len() as u32;
        entry[function::N_DEFAULTS] = f.n_defaults;
        // A function without locals points at where its table would be (empty).
        entry[function::LOCAL_NAMES] = bytes(local_names_off + local_start);
        for (j, at) in local_at[i].iter().enumerate() {
            words[local_names_off + local_start + j] = bytes(values_off + at);
        }
        local_start += local_at[i].len();
        words[lines_off + line_start..][..f.lines.len()].copy_from_slice(&f.lines);
        code_start += f.code.len();
        line_start += f.lines.len();
    }
    for (i, at) in const_at.iter().enumerate() {
        words[consts_off + i] = bytes(values_off + at);
    }
    for (i, at) in name_at.iter().enumerate() {
        words[names_off + i] = bytes(values_off + at);
    }
    words[values_off..lines_off].copy_from_slice(&values.words);

    let mut image: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    for f in &module.functions {
        image.extend(&f.code);
    }
    // Pad with zero bytes (Nop) to the word boundary TOTAL_LEN counts.
    image.resize(total_words * 4, 0);
    image
}

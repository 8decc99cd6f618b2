//! Python source (Python 3 syntax plus ePython's `print "x"` statement) ->
//! an epython bytecode image (shared_protocol::bytecode).
//!
//! One file per stage: [`lexer`] -> [`parser`] (into [`ast`]) -> [`scope`] ->
//! [`codegen`] -> [`image`]; [`disasm`] reads images back as text.
//!
//! Dialect choices:
//! - `print` at the start of a statement followed by something that starts an
//!   expression other than `(` (`print "x"`, `print x, y`, `print -1`,
//!   `print [1]`) is ePython's statement form: the same output as
//!   `print(x, y)`. A trailing comma (`print x,`) ends with a space instead of
//!   a newline. `print(...)` is the Python 3 call, compiled to the Print
//!   opcode unless the program rebinds `print`.
//! - The parser takes the whole Python grammar the device language needs
//!   (design.md §4) and codegen compiles all of it (codegen.rs describes the
//!   mapping onto the opcodes). It says "... is not supported on the device"
//!   for what the device never runs (classes, exception handling, `assert`,
//!   generators, dicts and sets, decorators, `with`, `*`/`**` arguments and
//!   parameters, starred targets, `:=`, attributes other than methods), and
//!   "... not supported yet" for what could come later: closures over an
//!   enclosing function's variables and `nonlocal`, `del`, assignment to a
//!   slice, `print` used as a value.
//! - Scopes follow Python 3 (scope.rs): a name a function assigns is local
//!   unless declared `global`; a builtin name the program never binds is the
//!   device's builtin (`LoadNative`); comprehension variables do not leak.

pub mod ast;
pub mod codegen;
pub mod disasm;
pub mod error;
pub mod image;
pub mod lexer;
pub mod parser;
pub mod scope;
pub mod token;

pub use error::{CompileError, DisasmError, ErrorKind};

/// A compiled program.
#[derive(Clone, Debug)]
pub struct Program {
    /// The bytecode image, as shared_protocol::bytecode lays it out.
    pub image: Vec<u8>,
    /// The program used ePython's `print x` statement form (the CLI notes
    /// once that it runs with Python 3 semantics).
    pub uses_print_statement: bool,
}

/// Stack for the compiling thread. The stages recurse over the tree, whose
/// depth the parser bounds; this is enough for those bounds in a debug build.
const COMPILER_STACK_BYTES: usize = 64 << 20;

/// Compile `source`; `filename` goes into errors and the image.
pub fn compile(source: &str, filename: &str) -> Result<Program, CompileError> {
    // A thread of our own, so the depth the stages may reach does not depend
    // on the caller's stack (a Python thread, a test thread).
    std::thread::scope(|s| {
        let worker = std::thread::Builder::new()
            .name("epython-compiler".to_string())
            .stack_size(COMPILER_STACK_BYTES)
            .spawn_scoped(s, || compile_here(source, filename));
        match worker {
            Ok(handle) => handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => compile_here(source, filename),
        }
    })
}

fn compile_here(source: &str, filename: &str) -> Result<Program, CompileError> {
    let located = |e: error::Located| e.into_error(filename);
    let tokens = lexer::tokenize(source).map_err(located)?;
    let body = parser::parse(tokens).map_err(located)?;
    let scope = scope::analyze_module(&body);
    let compiled = codegen::compile_module(&body, &scope, filename).map_err(located)?;
    Ok(Program { image: image::write(&compiled.module), uses_print_statement: compiled.uses_print_statement })
}

/// The image as readable text (`epython compile --disassemble`).
pub fn disassemble(image: &[u8]) -> Result<String, DisasmError> {
    disasm::disassemble(image)
}

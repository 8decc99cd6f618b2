//! Python source (Python 3 syntax plus ePython's `print "x"` statement) ->
//! an epython bytecode image (shared_protocol::bytecode).
//!
//! One file per stage: [`lexer`] -> [`parser`] (into [`ast`]) -> [`scope`] ->
//! [`codegen`] -> [`image`]; [`disasm`] reads images back as text.
//!
//! [`compile`] makes a program (the module body is what runs);
//! [`compile_kernel`] makes a kernel image: the module body runs, then the
//! firmware calls the named function with the Run command's arguments
//! (`loader::Device::run_kernel`), for the CPython offload API.
//!
//! Dialects (dialect.rs): Python 3 by default; ePython's when the options
//! ask for it ([`compile_with`]) or the source's first line says
//! `# epython: dialect=epython`. `/* ... */` comments are accepted in both.
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
//!   "... not supported yet" for what could come later: `del`, assignment to
//!   a slice, `print` used as a value.
//! - Scopes follow Python 3 (scope.rs): a name a function assigns is local
//!   unless declared `global` or `nonlocal`; a variable a nested function
//!   uses is a closure cell; a builtin name the program never binds is the
//!   device's builtin (`LoadNative`); comprehension variables do not leak.

pub mod ast;
pub mod codegen;
pub mod dialect;
pub mod disasm;
pub mod error;
pub mod image;
pub mod lexer;
pub mod modules;
pub mod parser;
pub mod scope;
pub mod token;

pub use dialect::{Dialect, Options};
pub use error::{CompileError, DisasmError, ErrorKind};

/// A compiled program.
#[derive(Clone, Debug)]
pub struct Program {
    /// The bytecode image, as shared_protocol::bytecode lays it out.
    pub image: Vec<u8>,
    /// The program used ePython's `print x` statement form (the CLI notes
    /// once that it runs with Python 3 semantics).
    pub uses_print_statement: bool,
    /// The kernel a [`compile_kernel`] image calls (None for a plain program).
    pub kernel: Option<KernelInfo>,
    /// The image's globals, by index (device-data bindings name them; in
    /// the ePython dialect they are folded to lower case).
    pub globals: Vec<String>,
    /// The dialect it was compiled in.
    pub dialect: Dialect,
}

/// What the host needs to know to call a kernel: its signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelInfo {
    /// The function's name (the `entry` given to [`compile_kernel`], as
    /// given: the host's name for it).
    pub name: String,
    /// Its parameters' names, in order (as the device spells them: folded
    /// in the ePython dialect).
    pub params: Vec<String>,
    /// How many trailing parameters have defaults.
    pub n_defaults: u32,
    /// The line of its `def` (in the caller's numbering).
    pub line: u32,
}

impl KernelInfo {
    /// The fewest positional arguments a call needs.
    pub fn min_args(&self) -> usize {
        self.params.len() - self.n_defaults as usize
    }
}

/// Stack for the compiling thread. The stages recurse over the tree, whose
/// depth the parser bounds; this is enough for those bounds in a debug build.
const COMPILER_STACK_BYTES: usize = 64 << 20;

/// Compile `source`; `filename` goes into errors and the image. The
/// dialect is the one the source's marker line names, else Python 3.
pub fn compile(source: &str, filename: &str) -> Result<Program, CompileError> {
    compile_with(source, filename, &Options::default())
}

/// [`compile`] with options: a dialect given there wins over the marker.
pub fn compile_with(source: &str, filename: &str, options: &Options) -> Result<Program, CompileError> {
    let options = *options;
    on_compiler_stack(move || compile_here("", source, filename, 1, None, options))
}

/// Compile a kernel: `source` is a module (typically one function's source,
/// as `inspect.getsource` gives it) that defines `def entry(...)` at its top
/// level. The image runs the module body, then calls `entry` with the Run
/// command's arguments and reports its return value (bytecode.rs,
/// `header::ENTRY`).
///
/// `first_line` is the line `source` starts at in `filename`: errors and
/// the device's runtime lines use the file's numbering. Decorator lines
/// before top-level `def`s (`@offload(...)`) are skipped: the host applies
/// them, the device never sees them. Helper functions, imports and globals
/// around the kernel are allowed.
///
/// No top-level `def entry` is a [`CompileError`] naming `entry`.
pub fn compile_kernel(source: &str, filename: &str, first_line: u32, entry: &str) -> Result<Program, CompileError> {
    compile_kernel_with_prelude("", source, filename, first_line, entry)
}

/// [`compile_kernel`] with `prelude` (module-level statements, e.g. the
/// host's values of globals the kernel reads: `N = 10`) run before the
/// kernel's source. The prelude's tokens all carry `first_line`, so the
/// kernel keeps the file's line numbers.
pub fn compile_kernel_with_prelude(
    prelude: &str,
    source: &str,
    filename: &str,
    first_line: u32,
    entry: &str,
) -> Result<Program, CompileError> {
    compile_kernel_with(prelude, source, filename, first_line, entry, &Options::default())
}

/// [`compile_kernel_with_prelude`] with options (the dialect). In the
/// ePython dialect `entry` is found by its folded name, and the prelude is
/// compiled in the dialect too.
pub fn compile_kernel_with(
    prelude: &str,
    source: &str,
    filename: &str,
    first_line: u32,
    entry: &str,
    options: &Options,
) -> Result<Program, CompileError> {
    let options = *options;
    on_compiler_stack(move || compile_here(prelude, source, filename, first_line, Some(entry), options))
}

/// Run `f` on a thread of our own, so the depth the stages may reach does
/// not depend on the caller's stack (a Python thread, a test thread).
fn on_compiler_stack(f: impl FnOnce() -> Result<Program, CompileError> + Send + Copy) -> Result<Program, CompileError> {
    std::thread::scope(|s| {
        let worker = std::thread::Builder::new()
            .name("epython-compiler".to_string())
            .stack_size(COMPILER_STACK_BYTES)
            .spawn_scoped(s, f);
        match worker {
            Ok(handle) => handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => f(),
        }
    })
}

fn compile_here(
    prelude: &str,
    source: &str,
    filename: &str,
    first_line: u32,
    entry: Option<&str>,
    options: Options,
) -> Result<Program, CompileError> {
    let located = |e: error::Located| e.into_error(filename);
    let marked = dialect::marker(source).map_err(|mut e| {
        e.pos.line += first_line.max(1) - 1;
        located(e)
    })?;
    let dialect = options.dialect.or(marked).unwrap_or_default();
    let mut tokens = lexer::tokenize_with(source, first_line, dialect).map_err(located)?;
    if entry.is_some() {
        tokens = strip_top_level_decorators(tokens);
    }
    if !prelude.is_empty() {
        let mut pre = lexer::tokenize_with(prelude, first_line, dialect).map_err(located)?;
        pre.retain(|t| t.kind != token::TokenKind::EndOfFile);
        for t in &mut pre {
            t.pos.line = first_line.max(1);
        }
        pre.append(&mut tokens);
        tokens = pre;
    }
    let mut body = parser::parse_with(tokens, dialect).map_err(located)?;
    if dialect == Dialect::Epython {
        modules::splice_imports(&mut body);
    }
    // Source modules take the lines after the program's (modules.rs), and
    // the program's dialect (their names fold as the program's do).
    let first_free = first_line.max(1).saturating_add(source.lines().count() as u32).saturating_add(1);
    let linked = modules::link(&body, first_free, dialect).map_err(|(e, map)| map.error(e, filename))?;
    let located = |e: error::Located| linked.map.error(e, filename);
    let scope = scope::analyze_module(&body, &linked);
    let kernel = match entry {
        None => None,
        Some(name) => Some(find_kernel(&body, &dialect.fold(name)).map(|k| KernelInfo { name: name.to_string(), ..k }).ok_or_else(|| CompileError {
            file: filename.to_string(),
            line: first_line.max(1),
            col: 1,
            kind: ErrorKind::SyntaxError,
            message: format!("no function '{}' is defined at the top level of the kernel's source", name.escape_debug()),
        })?),
    };
    let entry_name = entry.map(|name| dialect.fold(name).into_owned());
    let def = kernel.as_ref().zip(entry_name.as_deref()).map(|(k, name)| (name, error::Pos { line: k.line, col: 1 }));
    let compiled = codegen::compile_module_with_entry(&body, &scope, &linked, filename, def, dialect).map_err(located)?;
    Ok(Program {
        image: image::write(&compiled.module),
        uses_print_statement: compiled.uses_print_statement,
        kernel,
        globals: compiled.module.globals.clone(),
        dialect,
    })
}

/// The last top-level `def name(...)` of `body` (the one bound when the
/// module body ends, unless the body rebinds the name otherwise).
fn find_kernel(body: &[ast::Stmt], name: &str) -> Option<KernelInfo> {
    body.iter().rev().find_map(|stmt| match &stmt.kind {
        ast::StmtKind::Def { name: n, params, .. } if n == name => Some(KernelInfo {
            name: name.to_string(),
            params: params.iter().map(|p| p.name.clone()).collect(),
            n_defaults: params.iter().filter(|p| p.default.is_some()).count() as u32,
            line: stmt.pos.line,
        }),
        _ => None,
    })
}

/// Drop decorator lines (`@expr NEWLINE`) at the top level: they belong to
/// the host (`@offload`). Nested decorators stay, and stay an error.
fn strip_top_level_decorators(tokens: Vec<token::Token>) -> Vec<token::Token> {
    use token::TokenKind;
    let mut out: Vec<token::Token> = Vec::with_capacity(tokens.len());
    let mut depth = 0usize;
    let mut skipping = false;
    for t in tokens {
        if skipping {
            skipping = t.kind != TokenKind::Newline;
            continue;
        }
        let at_statement_start =
            out.last().is_none_or(|prev| matches!(prev.kind, TokenKind::Newline | TokenKind::Dedent | TokenKind::Indent));
        match t.kind {
            TokenKind::Indent => depth += 1,
            TokenKind::Dedent => depth = depth.saturating_sub(1),
            TokenKind::Op("@") if depth == 0 && at_statement_start => {
                skipping = true;
                continue;
            }
            _ => {}
        }
        out.push(t);
    }
    out
}

/// The image as readable text (`epython compile --disassemble`).
pub fn disassemble(image: &[u8]) -> Result<String, DisasmError> {
    disasm::disassemble(image)
}

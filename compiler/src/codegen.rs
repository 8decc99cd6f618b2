//! Syntax tree -> functions of stack-machine code (the opcode table in
//! shared_protocol::bytecode), constants and globals, ready for image.rs.
//!
//! The module body is function 0 and its variables are globals; each `def`
//! and `lambda` is a function of its own, created at run time by
//! `MakeFunction`. Jumps are emitted with a placeholder target and patched
//! once the target is known.
//!
//! How the constructs map onto the opcodes:
//! - `for t in xs: body else: e` is `xs GetIter; top: ForIter exit; store t;
//!   body; Jump top; exit: e`. The iterator stays on the operand stack while
//!   the loop runs, so `break` pops it before jumping out, and `return` pops
//!   every enclosing loop's iterator before evaluating its value.
//! - A list comprehension is compiled inline (as CPython 3.12 does): `BuildList
//!   0`, one `GetIter`/`ForIter` per `for` clause, the element appended with
//!   `ListAppend k` (k = the iterators above the list). Its variables get
//!   local slots of their own, so they do not leak into the enclosing scope.
//! - `a < f() < c` keeps the middle value with `Dup`/`Rot3` (a plain name or
//!   literal in the middle is simply loaded again).
//! - `a, b = b, a` (two or three names each side) swaps with `Rot2`/`Rot3`;
//!   other unpacking is `UnpackSequence`.
//! - `a[i] op= v` is `a i Dup2 LoadSubscr v op Rot3 StoreSubscr`; `+=` is
//!   InplaceAdd, which extends a list in place (Python's `list.__iadd__`).
//! - Closures: a local that a nested function uses is a cell (`MakeCell` at
//!   the function's start; `LoadDeref`/`StoreDeref` reach its value). The
//!   nested function's free variables take the slots after its parameters:
//!   `MakeClosure` gives it the enclosing function's cells as a tuple (each
//!   pushed with `LoadLocal`, which loads the cell itself), and a call puts
//!   them in those slots. A comprehension variable a function inside the
//!   comprehension uses gets a fresh cell each time the comprehension runs.
//! - In the ePython dialect (dialect.rs): `/` and `%` are the dialect's
//!   opcodes (`DivTrunc`, `ModTrunc`) unless an operand is a float literal
//!   (Python's then give the same, on the fast path); `+` stays `Add`, and
//!   the image's `flags::STR_PLUS_NUMBER` makes `str + number` format the
//!   number; `input()` is `INPUT_VALUE(<Input's line>)`;
//!   `math.pi()` is `math.pi` (a float constant of a module called with no
//!   arguments); a name nothing binds that a device module the program
//!   imports has is that member (`import parallel` then `coreid()`, as
//!   ePython's textual import gives it); and the module's first `def` of
//!   each name is also run before the module body's first statement, so a
//!   call above the `def` finds the function (see `hoist_defs`).

use std::collections::HashMap;

use shared_protocol::bytecode::{DEREF_FREE, Op, PRINT_HAS_END, PRINT_HAS_SEP, call_method_operand, flags, line_entry};
use shared_protocol::natives::{self, Kind, NATIVES};

use crate::ast::*;
use crate::dialect::{self, Dialect};
use crate::error::{Located, Pos, Result, overflow, syntax};
use crate::modules::{self, Modules};
use crate::scope::{self, FunctionScope, ModuleRef, ModuleScope};

/// A constant, as it goes into the image's const table.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Const {
    Int(i32),
    /// The f32's bits, so constants can be compared and hashed exactly.
    Float(u32),
    Str(String),
    /// Codegen makes tuples of Strs only: the keyword names of `CallKw`.
    Tuple(Vec<Const>),
}

/// One compiled function.
#[derive(Clone, Debug)]
pub struct FunctionCode {
    /// Const index of its name.
    pub name: u32,
    pub n_params: u32,
    /// How many trailing parameters have defaults.
    pub n_defaults: u32,
    /// Local slots; `local_names.len()` of them.
    pub n_locals: u32,
    /// Each local slot's name, parameters first (the image's LOCAL_NAMES).
    pub local_names: Vec<String>,
    pub max_stack: u32,
    pub code: Vec<u8>,
    /// Line table entries (`line_entry(pc, line)`), sorted by pc.
    pub lines: Vec<u32>,
}

/// Everything the image writer lays out.
#[derive(Clone, Debug)]
pub struct Module {
    pub functions: Vec<FunctionCode>,
    pub consts: Vec<Const>,
    pub globals: Vec<String>,
    /// Const index of the source file name.
    pub filename: u32,
    /// The image header's ENTRY word: 0 for a plain program, else 1 + the
    /// index of the global bound to the kernel function.
    pub entry: u32,
    /// Const index of the image's SOURCES text (the source modules' lines,
    /// modules.rs), when the program has source modules.
    pub sources: Option<u32>,
    /// The image header's FLAGS word (bytecode.rs `flags`).
    pub flags: u32,
}

pub struct Compiled {
    pub module: Module,
    pub uses_print_statement: bool,
}

/// Python builtins the device does not have: naming one (unless the program
/// binds the name) is a compile error rather than a NameError on the device.
const MISSING_BUILTINS: &[&str] = &[
    "dict", "set", "frozenset", "isinstance", "issubclass", "open", "iter", "next", "map", "filter",
    "reversed", "any", "all", "chr", "ord", "hex", "bin", "oct", "repr", "hash", "id", "getattr", "setattr",
    "hasattr", "delattr", "vars", "dir", "globals", "locals", "exec", "eval", "compile", "format", "bytes",
    "bytearray", "object", "super", "property", "staticmethod", "classmethod", "slice", "complex", "callable",
    "memoryview", "help", "exit", "quit", "ascii", "breakpoint", "aiter", "anext",
];

/// The largest code, constant, global or function index the 16-bit operands can hold.
const MAX_INDEX: usize = u16::MAX as usize;

/// The deepest operand stack the firmware's verifier accepts (firmware
/// verify.rs MAX_STACK_LIMIT; not in the contract yet). A deeper function is
/// a compile error here rather than a refused image on the device.
pub const DEVICE_MAX_STACK: u32 = 250;

/// List and tuple displays longer than this are built in pieces
/// (`BuildList` of the first ones, then `ListAppend`), so a long literal
/// does not need a deep operand stack.
const BUILD_CHUNK: usize = 32;

pub fn compile_module(body: &[Stmt], scope: &ModuleScope, filename: &str) -> Result<Compiled> {
    compile_module_with_entry(body, scope, &Modules::default(), filename, None, Dialect::Python3)
}

/// Compile a module whose global `entry.0` (bound by the `def` at `entry.1`)
/// is a kernel: the image's ENTRY names it, and the module body's final
/// return carries the def's line, so an error calling the kernel (a wrong
/// number of arguments) reports the line of its `def`.
///
/// The source modules in `linked` (modules.rs) run first, in their order,
/// each with its own scope and its globals under its prefix.
pub fn compile_module_with_entry(
    body: &[Stmt],
    scope: &ModuleScope,
    linked: &Modules,
    filename: &str,
    entry: Option<(&str, Pos)>,
    dialect: Dialect,
) -> Result<Compiled> {
    let mut cg = Codegen {
        dialect,
        module_scope: scope,
        linked,
        namespace: String::new(),
        consts: Vec::new(),
        const_index: HashMap::new(),
        globals: Vec::new(),
        global_index: HashMap::new(),
        f: FunctionBuilder::default(),
        frames: vec![Frame { function: None, comps: Vec::new(), comp_cells: Vec::new() }],
        saved: Vec::new(),
        functions: vec![None],
        uses_print_statement: false,
        last_pos: Pos { line: 1, col: 1 },
    };
    let filename_const = cg.constant(Const::Str(filename.to_string()), Pos::default())?;
    let name = cg.constant(Const::Str("<module>".to_string()), Pos::default())?;
    for m in &linked.linked {
        cg.module_scope = &m.scope;
        cg.namespace = modules::global_prefix(m.module.name);
        for stmt in &m.body {
            cg.statement(stmt)?;
        }
    }
    cg.module_scope = scope;
    cg.namespace.clear();
    let sources = match linked.map.modules.is_empty() {
        true => None,
        false => Some(cg.constant(Const::Str(linked.map.to_text()), Pos::default())? as u32),
    };
    let hoisted = if dialect == Dialect::Epython { cg.hoist_defs(body)? } else { HashMap::new() };
    for (i, stmt) in body.iter().enumerate() {
        match hoisted.get(&i) {
            Some(&k) => cg.define_again(stmt, k)?,
            None => cg.statement(stmt)?,
        }
    }
    let entry_global = match entry {
        Some((name, pos)) => {
            cg.mark_line(pos)?;
            1 + cg.global(name, pos)? as u32
        }
        None => 0,
    };
    cg.emit(Op::LoadNone);
    cg.emit(Op::Return);
    let f = std::mem::take(&mut cg.f);
    cg.functions[0] = Some(f.finish(name, 0, 0, cg.last_pos)?);
    // Every reserved slot is filled once its function compiles (an error
    // ends codegen before this point).
    let functions = cg.functions.into_iter().collect::<Option<Vec<_>>>();
    let functions = functions.ok_or_else(|| syntax(cg.last_pos, "internal compiler error: a function was not compiled"))?;
    Ok(Compiled {
        module: Module {
            functions,
            consts: cg.consts,
            globals: cg.globals,
            filename: filename_const as u32,
            entry: entry_global,
            sources,
            flags: if dialect == Dialect::Epython { flags::STR_PLUS_NUMBER } else { 0 },
        },
        uses_print_statement: cg.uses_print_statement,
    })
}

struct Loop {
    /// Where `continue` jumps.
    top: usize,
    /// `break` jumps, patched to the loop's end.
    breaks: Vec<usize>,
    /// A `for` loop: its iterator is on the stack while the body runs.
    is_for: bool,
}

#[derive(Default)]
struct FunctionBuilder {
    code: Vec<u8>,
    /// (pc, line) where the line changes.
    lines: Vec<(usize, u32)>,
    local_names: Vec<String>,
    loops: Vec<Loop>,
}

impl FunctionBuilder {
    fn finish(self, name: u16, n_params: u32, n_defaults: u32, pos: Pos) -> Result<FunctionCode> {
        if self.code.len() > MAX_INDEX {
            return Err(syntax(pos, "program too large: a function's code must fit in 65535 bytes"));
        }
        let max_stack = max_stack_depth(&self.code).map_err(|e| syntax(pos, format!("internal compiler error: {e}")))?;
        if max_stack > DEVICE_MAX_STACK {
            return Err(syntax(
                pos,
                format!("expression too complex: it needs {max_stack} operand stack slots, the device has {DEVICE_MAX_STACK}"),
            ));
        }
        let lines = self.lines.iter().map(|&(pc, line)| line_entry(pc as u16, line as u16)).collect();
        Ok(FunctionCode {
            name: name as u32,
            n_params,
            n_defaults,
            n_locals: self.local_names.len() as u32,
            local_names: self.local_names,
            max_stack,
            code: self.code,
            lines,
        })
    }
}

/// The deepest operand stack `code` reaches, found by following every path
/// with the stack effects of the opcode table (as the firmware's verifier
/// does). Also checks that jumps land on instructions and that paths agree.
pub fn max_stack_depth(code: &[u8]) -> std::result::Result<u32, String> {
    let mut depth_at: Vec<Option<u32>> = vec![None; code.len() + 1];
    let mut starts = vec![false; code.len() + 1];
    let mut pc = 0;
    while pc < code.len() {
        starts[pc] = true;
        let op = Op::from_u8(code[pc]).ok_or_else(|| format!("bad opcode {:#04x} at {pc}", code[pc]))?;
        pc += op.len();
    }
    if pc != code.len() {
        return Err("last instruction is truncated".to_string());
    }
    let mut max = 0u32;
    let mut work = vec![(0usize, 0u32)];
    while let Some((pc, depth)) = work.pop() {
        if pc >= code.len() {
            return Err(format!("control runs off the end of the code at {pc}"));
        }
        if !starts[pc] {
            return Err(format!("jump into the middle of an instruction at {pc}"));
        }
        match depth_at[pc] {
            Some(d) if d == depth => continue,
            Some(d) => return Err(format!("stack depth {d} and {depth} meet at {pc}")),
            None => depth_at[pc] = Some(depth),
        }
        let op = Op::from_u8(code[pc]).ok_or("bad opcode")?;
        let operand = match op.len() {
            2 => code[pc + 1] as u32,
            3 => u16::from_le_bytes([code[pc + 1], code[pc + 2]]) as u32,
            _ => 0,
        };
        // Both paths' effects come from the opcode table (bytecode.rs).
        let (pops, pushes) = op.stack_effect(operand as u16);
        let after = depth.checked_sub(pops as u32).ok_or_else(|| format!("stack underflow at {pc} ({})", op.name()))?
            + pushes as u32;
        if let Some((jump_pops, jump_pushes)) = op.jump_effect() {
            let taken = depth - jump_pops as u32 + jump_pushes as u32;
            max = max.max(taken);
            work.push((operand as usize, taken));
        }
        max = max.max(after);
        if !matches!(op, Op::Return | Op::Jump) {
            work.push((pc + op.len(), after));
        }
    }
    Ok(max)
}

/// A scope being compiled: the module (function 0) or a function, with the
/// comprehensions open inside it (innermost last), each mapping its
/// variables to local slots.
struct Frame {
    function: Option<FunctionScope>,
    comps: Vec<HashMap<String, u16>>,
    /// Comprehension variables' slots that hold cells (a function inside
    /// the comprehension uses the variable).
    comp_cells: Vec<u16>,
}

impl Frame {
    /// The place of a comprehension variable `name` of this frame.
    fn comp_place(&self, name: &str) -> Option<Place> {
        let slot = *self.comps.iter().rev().find_map(|c| c.get(name))?;
        Some(if self.comp_cells.contains(&slot) { Place::Deref { slot, free: false } } else { Place::Local(slot) })
    }
}

/// Where a name lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    Local(u16),
    /// A local slot holding a cell: the function's own captured variable, or
    /// a free variable (`free`) whose cell an enclosing function made.
    Deref { slot: u16, free: bool },
    Global,
    /// A builtin the program does not rebind.
    Native(u16),
    /// The builtin `print` (the Print opcode; not a value).
    Print,
    /// ePython's bare `random` (the dialect, when nothing binds the name):
    /// a random int in 0..2^31-1, as its lexer's RANDOM keyword gives.
    RandomInt,
}

struct Codegen<'a> {
    dialect: Dialect,
    /// The scope of the module being compiled: the program's, or a source
    /// module's while its body compiles.
    module_scope: &'a ModuleScope,
    /// The program's source modules.
    linked: &'a Modules,
    /// The prefix of the current module's globals ("" for the program's).
    namespace: String,
    consts: Vec<Const>,
    const_index: HashMap<Const, u16>,
    globals: Vec<String>,
    global_index: HashMap<String, u16>,
    /// The function being compiled.
    f: FunctionBuilder,
    /// Scopes, outermost (the module) first; the last is `f`'s.
    frames: Vec<Frame>,
    /// Builders of the functions enclosing `f`.
    saved: Vec<FunctionBuilder>,
    /// Compiled functions by index; None while one is being compiled.
    functions: Vec<Option<FunctionCode>>,
    uses_print_statement: bool,
    /// The statement being compiled, for errors that have no better place.
    last_pos: Pos,
}

/// The opcode of `x op= y`: `+=` extends a list in place (InplaceAdd), the
/// others compute `x op y` and rebind, as in Python.
fn aug_opcode(op: BinOp, dialect: Dialect, value: &Expr) -> Op {
    if op == BinOp::Add { Op::InplaceAdd } else { binary_opcode(op, dialect, value, value) }
}

/// The opcode of `left op right`. In the ePython dialect `/` and `%` are
/// C's between ints (`DivTrunc`, `ModTrunc`), unless an operand is a float
/// literal: then they divide floats, which Python's opcodes do on the
/// dispatch loop's fast path.
fn binary_opcode(op: BinOp, dialect: Dialect, left: &Expr, right: &Expr) -> Op {
    if dialect == Dialect::Epython && !is_float_literal(left) && !is_float_literal(right) {
        match op {
            BinOp::TrueDiv => return Op::DivTrunc,
            BinOp::Mod => return Op::ModTrunc,
            _ => {}
        }
    }
    match op {
        BinOp::Add => Op::Add,
        BinOp::Sub => Op::Sub,
        BinOp::Mul => Op::Mul,
        BinOp::TrueDiv => Op::TrueDiv,
        BinOp::FloorDiv => Op::FloorDiv,
        BinOp::Mod => Op::Mod,
        BinOp::Pow => Op::Pow,
        BinOp::LShift => Op::LShift,
        BinOp::RShift => Op::RShift,
        BinOp::BitAnd => Op::BitAnd,
        BinOp::BitOr => Op::BitOr,
        BinOp::BitXor => Op::BitXor,
    }
}

fn compare_opcode(op: CmpOp) -> Op {
    match op {
        CmpOp::Eq => Op::Eq,
        CmpOp::Ne => Op::Ne,
        CmpOp::Lt => Op::Lt,
        CmpOp::Le => Op::Le,
        CmpOp::Gt => Op::Gt,
        CmpOp::Ge => Op::Ge,
        CmpOp::In => Op::In,
        CmpOp::NotIn => Op::NotIn,
        CmpOp::Is => Op::Is,
        CmpOp::IsNot => Op::IsNot,
    }
}

/// `2.5`, `-2.5`: an operand whose `/` and `%` are surely float division.
fn is_float_literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Float(_) => true,
        ExprKind::Unary(UnaryOp::Neg | UnaryOp::Pos, x) => is_float_literal(x),
        _ => false,
    }
}

/// A default the dialect's hoisting may evaluate early: a literal, a signed
/// number or a tuple of those (not a list: each run of the `def` would make
/// its own, and calls above the `def` would see a different one).
fn is_constant(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::None => true,
        ExprKind::Unary(UnaryOp::Neg | UnaryOp::Pos, x) => is_constant(x),
        ExprKind::Tuple(items) => items.iter().all(is_constant),
        _ => false,
    }
}

fn not_yet(pos: Pos, what: &str) -> Located {
    syntax(pos, format!("{what} not supported yet"))
}

fn not_on_device(pos: Pos, what: &str) -> Located {
    syntax(pos, format!("{what} not supported on the device"))
}


impl Codegen<'_> {
    // ---- emission ----

    fn emit(&mut self, op: Op) {
        debug_assert_eq!(op.len(), 1);
        self.f.code.push(op as u8);
    }
    fn emit_u8(&mut self, op: Op, operand: u8) {
        self.f.code.extend([op as u8, operand]);
    }
    fn emit_u16(&mut self, op: Op, operand: u16) {
        self.f.code.push(op as u8);
        self.f.code.extend(operand.to_le_bytes());
    }
    fn pc(&self) -> usize {
        self.f.code.len()
    }
    /// A jump with its target still open; returns where to patch it.
    fn emit_jump(&mut self, op: Op) -> usize {
        self.emit_u16(op, 0);
        self.pc() - 2
    }
    /// Point the jump operand at `site` to the current pc.
    fn patch_here(&mut self, site: usize) {
        let target = self.pc();
        self.patch(site, target);
    }
    fn patch(&mut self, site: usize, target: usize) {
        // Targets past 65535 are caught by FunctionBuilder::finish (code too large).
        let bytes = (target.min(MAX_INDEX) as u16).to_le_bytes();
        self.f.code[site..site + 2].copy_from_slice(&bytes);
    }

    /// The instructions from here on come from `pos.line` (statements, and
    /// the parts of an expression that spans lines, so a runtime error on a
    /// later line of it reports that line).
    fn mark_line(&mut self, pos: Pos) -> Result<()> {
        if pos.line > u16::MAX as u32 {
            return Err(syntax(pos, "program too large: the line table holds lines up to 65535"));
        }
        let pc = self.pc();
        match self.f.lines.last_mut() {
            Some(last) if last.0 == pc => last.1 = pos.line,
            Some(last) if last.1 == pos.line => {}
            _ => self.f.lines.push((pc, pos.line)),
        }
        Ok(())
    }

    fn constant(&mut self, c: Const, pos: Pos) -> Result<u16> {
        if let Some(&k) = self.const_index.get(&c) {
            return Ok(k);
        }
        if let Const::Str(text) = &c
            && text.len() > shared_protocol::value::MAX_LEN as usize
        {
            return Err(syntax(pos, "string too long: the value encoding holds at most 16 MB"));
        }
        if self.consts.len() > MAX_INDEX {
            return Err(syntax(pos, "program too large: more than 65536 constants"));
        }
        let k = self.consts.len() as u16;
        self.consts.push(c.clone());
        self.const_index.insert(c, k);
        Ok(k)
    }

    fn load_const(&mut self, c: Const, pos: Pos) -> Result<()> {
        let k = self.constant(c, pos)?;
        self.emit_u16(Op::LoadConst, k);
        Ok(())
    }

    fn global(&mut self, name: &str, pos: Pos) -> Result<u16> {
        if !self.namespace.is_empty() {
            let qualified = format!("{}{name}", self.namespace);
            return self.qualified_global(&qualified, pos);
        }
        self.qualified_global(name, pos)
    }

    /// The global named `name` exactly (a source module's `util.range`).
    fn qualified_global(&mut self, name: &str, pos: Pos) -> Result<u16> {
        if let Some(&k) = self.global_index.get(name) {
            return Ok(k);
        }
        if self.globals.len() > MAX_INDEX {
            return Err(syntax(pos, "program too large: more than 65536 global names"));
        }
        let k = self.globals.len() as u16;
        self.globals.push(name.to_string());
        self.global_index.insert(name.to_string(), k);
        Ok(k)
    }

    /// A new local slot of the current function, named `name`.
    fn new_local(&mut self, name: &str, pos: Pos) -> Result<u16> {
        if self.f.local_names.len() > MAX_INDEX {
            return Err(syntax(pos, "program too large: more than 65536 local slots in a function"));
        }
        self.f.local_names.push(name.to_string());
        Ok((self.f.local_names.len() - 1) as u16)
    }

    fn in_function(&self) -> bool {
        self.frames.last().is_some_and(|f| f.function.is_some())
    }

    // ---- names ----

    /// Where a read of `name` goes, from the current scope.
    fn resolve_load(&self, name: &str, pos: Pos) -> Result<Place> {
        let Some(current) = self.frames.last() else { return Ok(Place::Global) };
        if let Some(place) = current.comp_place(name) {
            return Ok(place);
        }
        if let Some(fs) = &current.function {
            if fs.is_global(name) {
                return Ok(Place::Global);
            }
            if let Some(slot) = fs.deref(name) {
                return Ok(Place::Deref { slot, free: fs.frees.iter().any(|n| n == name) });
            }
            if let Some(slot) = fs.local(name) {
                return Ok(Place::Local(slot));
            }
        }
        if self.module_scope.is_bound(name) {
            return Ok(Place::Global);
        }
        if let Some(k) = natives::builtin(name) {
            return Ok(Place::Native(k));
        }
        if name == "print" {
            return Ok(Place::Print);
        }
        if let Some(k) = self.imported_member(name) {
            return Ok(Place::Native(k));
        }
        if self.dialect == Dialect::Epython && name == "random" {
            return Ok(Place::RandomInt);
        }
        if MISSING_BUILTINS.contains(&name) {
            return Err(syntax(pos, format!("builtin '{name}' is not available on the device")));
        }
        Ok(Place::Global)
    }

    /// In the ePython dialect, the member `name` of a device module the
    /// program imports (`import parallel` makes `coreid` a name, as
    /// ePython's textual import does; the lowest module number first), else
    /// a name ePython knows without an import (`dialect::implicit_native`).
    fn imported_member(&self, name: &str) -> Option<u16> {
        if self.dialect != Dialect::Epython {
            return None;
        }
        let functions = self.frames.iter().filter_map(|f| f.function.as_ref());
        let mut modules: Vec<u16> = self
            .module_scope
            .modules
            .values()
            .chain(functions.flat_map(|fs| fs.modules.values()))
            .filter_map(|m| match m {
                ModuleRef::Device(k) => Some(*k),
                ModuleRef::Source(_) | ModuleRef::Builtins => None,
            })
            .collect();
        modules.sort_unstable();
        modules.into_iter().find_map(|m| natives::member(m, name)).or_else(|| dialect::implicit_native(name))
    }

    /// Where an assignment to `name` goes.
    fn resolve_store(&self, name: &str) -> Place {
        let Some(current) = self.frames.last() else { return Place::Global };
        if let Some(place) = current.comp_place(name) {
            return place;
        }
        match &current.function {
            Some(fs) if !fs.is_global(name) => match fs.deref(name) {
                Some(slot) => Place::Deref { slot, free: fs.frees.iter().any(|n| n == name) },
                None => fs.local(name).map_or(Place::Global, Place::Local),
            },
            _ => Place::Global,
        }
    }

    /// Whether `name`, free in a function being defined here, is a variable
    /// of an enclosing function (so it becomes a free variable), rather than
    /// a global or builtin.
    fn enclosing_binds(&self, name: &str) -> bool {
        for frame in self.frames.iter().rev() {
            if frame.comps.iter().any(|c| c.contains_key(name)) {
                return true;
            }
            match &frame.function {
                None => return false,
                Some(fs) if fs.is_global(name) => return false,
                Some(fs) if fs.binds(name) => return true,
                Some(_) => {}
            }
        }
        false
    }

    /// Push the function `k` compiled with free variables `frees` (its
    /// defaults are on the stack): `MakeFunction`, or the cells of `frees`
    /// as a tuple and `MakeClosure`.
    fn make_function(&mut self, k: u16, frees: &[String], pos: Pos) -> Result<()> {
        if frees.is_empty() {
            self.emit_u16(Op::MakeFunction, k);
            return Ok(());
        }
        for name in frees {
            match self.resolve_load(name, pos)? {
                // LoadLocal of a cell slot pushes the cell itself.
                Place::Deref { slot, .. } => self.emit_u16(Op::LoadLocal, slot),
                _ => return Err(syntax(pos, format!("internal compiler error: '{name}' is not a cell here"))),
            }
        }
        self.emit_u16(Op::BuildTuple, frees.len() as u16);
        self.emit_u16(Op::MakeClosure, k);
        Ok(())
    }

    /// The module `name` holds, when it is a name bound by `import`.
    fn module_held_by(&self, e: &Expr) -> Option<ModuleRef> {
        let ExprKind::Name(name) = &e.kind else { return None };
        self.module_in(name)
    }

    /// The module the name `name` holds, when `import` bound it.
    fn module_in(&self, name: &str) -> Option<ModuleRef> {
        let current = self.frames.last()?;
        if current.comps.iter().any(|c| c.contains_key(name)) {
            return None;
        }
        if let Some(fs) = &current.function
            && !fs.is_global(name)
            && fs.local(name).is_some()
        {
            return fs.modules.get(name).cloned();
        }
        self.module_scope.modules.get(name).cloned()
    }

    fn store_name(&mut self, name: &str, pos: Pos) -> Result<()> {
        match self.resolve_store(name) {
            Place::Local(slot) => self.emit_u16(Op::StoreLocal, slot),
            Place::Deref { slot, .. } => self.emit_u16(Op::StoreDeref, slot),
            _ => {
                let k = self.global(name, pos)?;
                self.emit_u16(Op::StoreGlobal, k);
            }
        }
        Ok(())
    }

    fn load_name(&mut self, name: &str, pos: Pos) -> Result<()> {
        match self.module_in(name) {
            Some(ModuleRef::Source(m)) => {
                return Err(syntax(
                    pos,
                    format!("module '{m}' is compiled into the program, not a value on the device: use its names ({m}.NAME, or from {m} import NAME)"),
                ));
            }
            Some(ModuleRef::Builtins) => {
                return Err(syntax(pos, "module 'builtins' is not a value on the device: use builtins.NAME"));
            }
            _ => {}
        }
        match self.resolve_load(name, pos)? {
            Place::Local(slot) => self.emit_u16(Op::LoadLocal, slot),
            Place::Deref { slot, free } => {
                self.emit_u16(Op::LoadDeref, if free { slot | DEREF_FREE } else { slot });
            }
            Place::Global => {
                let k = self.global(name, pos)?;
                self.emit_u16(Op::LoadGlobal, k);
            }
            Place::Native(k) => self.emit_u16(Op::LoadNative, k),
            Place::Print => return Err(not_yet(pos, "using 'print' other than by calling it is")),
            Place::RandomInt => {
                // random.randrange(2^31 - 1)
                self.emit_u16(Op::LoadNative, natives::RANDOM_RANDRANGE);
                self.load_const(Const::Int(i32::MAX), pos)?;
                self.emit_u8(Op::Call, 1);
            }
        }
        Ok(())
    }

    // ---- statements ----

    fn block(&mut self, body: &[Stmt]) -> Result<()> {
        body.iter().try_for_each(|s| self.statement(s))
    }

    fn statement(&mut self, stmt: &Stmt) -> Result<()> {
        let pos = stmt.pos;
        self.last_pos = pos;
        self.mark_line(pos)?;
        match &stmt.kind {
            StmtKind::Expr(e) => {
                self.expr(e)?;
                self.emit(Op::Pop);
            }
            StmtKind::Assign { targets, value } => self.assign(targets, value)?,
            StmtKind::AugAssign { target, op, value } => self.aug_assign(target, *op, value)?,
            StmtKind::If { cond, body, orelse } => {
                let to_else = self.jump_if(cond, false)?;
                self.block(body)?;
                if orelse.is_empty() {
                    to_else.into_iter().for_each(|site| self.patch_here(site));
                } else {
                    let to_end = self.emit_jump(Op::Jump);
                    to_else.into_iter().for_each(|site| self.patch_here(site));
                    self.block(orelse)?;
                    self.patch_here(to_end);
                }
            }
            StmtKind::While { cond, body, orelse } => {
                let top = self.pc();
                let exits = self.jump_if(cond, false)?;
                self.f.loops.push(Loop { top, breaks: Vec::new(), is_for: false });
                self.block(body)?;
                self.emit_u16(Op::Jump, top as u16);
                exits.into_iter().for_each(|site| self.patch_here(site));
                // The else block runs when the condition fails; a break skips it,
                // and a break inside it belongs to the enclosing loop.
                let this_loop = self.f.loops.pop().expect("pushed above");
                self.block(orelse)?;
                this_loop.breaks.into_iter().for_each(|site| self.patch_here(site));
            }
            StmtKind::For { target, iter, body, orelse } => {
                self.expr(iter)?;
                self.mark_line(pos)?;
                self.emit(Op::GetIter);
                let top = self.pc();
                let exit = self.emit_jump(Op::ForIter);
                self.store(target)?;
                self.f.loops.push(Loop { top, breaks: Vec::new(), is_for: true });
                self.block(body)?;
                self.emit_u16(Op::Jump, top as u16);
                // Exhausted: ForIter has popped the iterator.
                self.patch_here(exit);
                let this_loop = self.f.loops.pop().expect("pushed above");
                self.block(orelse)?;
                this_loop.breaks.into_iter().for_each(|site| self.patch_here(site));
            }
            StmtKind::Break => {
                let Some(is_for) = self.f.loops.last().map(|l| l.is_for) else {
                    return Err(syntax(pos, "'break' outside loop"));
                };
                if is_for {
                    // The loop's iterator.
                    self.emit(Op::Pop);
                }
                let site = self.emit_jump(Op::Jump);
                self.f.loops.last_mut().expect("checked").breaks.push(site);
            }
            StmtKind::Continue => {
                let Some(top) = self.f.loops.last().map(|l| l.top) else {
                    return Err(syntax(pos, "'continue' not properly in loop"));
                };
                self.emit_u16(Op::Jump, top as u16);
            }
            StmtKind::Pass => {}
            // Scope analysis has taken the declarations into account.
            StmtKind::Global(_) => {}
            StmtKind::Nonlocal(_) => {
                if !self.in_function() {
                    return Err(syntax(pos, "nonlocal declaration not allowed at module level"));
                }
                // Scope analysis has taken the declaration into account.
            }
            StmtKind::Return(value) => {
                if !self.in_function() {
                    return Err(syntax(pos, "'return' outside function"));
                }
                // Drop the iterators of the loops we are leaving first.
                let iterators = self.f.loops.iter().filter(|l| l.is_for).count();
                for _ in 0..iterators {
                    self.emit(Op::Pop);
                }
                match value {
                    Some(v) => self.expr(v)?,
                    None => self.emit(Op::LoadNone),
                }
                self.emit(Op::Return);
            }
            StmtKind::Def { name, params, body } => {
                let (k, frees) = self.function(name, params, FunctionBody::Statements(body), pos)?;
                self.make_function(k, &frees, pos)?;
                self.store_name(name, pos)?;
            }
            StmtKind::Import(aliases) => {
                for alias in aliases {
                    // A source module or `builtins` is a name only the
                    // compiler knows (`m.attr` is resolved here).
                    let ModuleRef::Device(module) = self.module_named(&alias.name, alias.pos)? else { continue };
                    self.emit_u16(Op::LoadNative, module);
                    let name = alias.as_name.clone().unwrap_or_else(|| alias.name.clone());
                    self.store_name(&name, alias.pos)?;
                }
            }
            StmtKind::ImportFrom { module, names } => {
                let m = match self.module_named(module, pos)? {
                    ModuleRef::Device(m) => m,
                    ModuleRef::Source(m) => return self.import_from_source(m, names, pos),
                    ModuleRef::Builtins => return self.import_from_builtins(names, pos),
                };
                if names.is_empty() {
                    if self.in_function() {
                        return Err(syntax(pos, "import * only allowed at module level"));
                    }
                    for (k, native) in NATIVES.iter().enumerate() {
                        if native.module == m && !matches!(native.kind, Kind::Module) {
                            self.emit_u16(Op::LoadNative, k as u16);
                            self.store_name(native.name, pos)?;
                        }
                    }
                }
                for alias in names {
                    let Some(k) = natives::member(m, &alias.name) else {
                        return Err(syntax(alias.pos, format!("cannot import name '{}' from '{module}'", alias.name)));
                    };
                    self.emit_u16(Op::LoadNative, k);
                    self.store_name(alias.as_name.as_deref().unwrap_or(&alias.name), alias.pos)?;
                }
            }
            StmtKind::Print { args, trailing_comma } => {
                self.uses_print_statement = true;
                for arg in args {
                    self.expr(arg)?;
                }
                let mut flags = self.print_count(args.len(), pos)?;
                if *trailing_comma {
                    // Python 2's `print x,` ends with a space instead of a newline.
                    self.load_const(Const::Str(" ".to_string()), pos)?;
                    flags |= PRINT_HAS_END;
                }
                self.mark_line(pos)?;
                self.emit_u16(Op::Print, flags);
                self.emit(Op::Pop);
            }
        }
        Ok(())
    }

    fn print_count(&self, n: usize, pos: Pos) -> Result<u16> {
        if n > 0xFF {
            return Err(syntax(pos, "print() takes at most 255 positional arguments on the device"));
        }
        Ok(n as u16)
    }

    fn module_named(&self, name: &str, pos: Pos) -> Result<ModuleRef> {
        scope::module_ref(name).ok_or_else(|| syntax(pos, modules::unknown_module(name)))
    }

    /// `from m import x as y, ...` (`*` when `names` is empty) of source
    /// module `m`: copy its globals into the importer's names.
    fn import_from_source(&mut self, m: &str, names: &[Alias], pos: Pos) -> Result<()> {
        let linked = self.linked.get(m).ok_or_else(|| syntax(pos, format!("internal compiler error: module '{m}' was not linked")))?;
        let prefix = modules::global_prefix(m);
        let pairs: Vec<(String, String, Pos)> = if names.is_empty() {
            if self.in_function() {
                return Err(syntax(pos, "import * only allowed at module level"));
            }
            linked.exports.iter().map(|n| (n.clone(), n.clone(), pos)).collect()
        } else {
            let mut pairs = Vec::new();
            for alias in names {
                if !linked.scope.bound.contains(&alias.name) {
                    return Err(syntax(alias.pos, format!("cannot import name '{}' from '{m}'", alias.name)));
                }
                pairs.push((alias.name.clone(), alias.as_name.clone().unwrap_or_else(|| alias.name.clone()), alias.pos));
            }
            pairs
        };
        for (name, as_name, at) in pairs {
            let k = self.qualified_global(&format!("{prefix}{name}"), at)?;
            self.emit_u16(Op::LoadGlobal, k);
            self.store_name(&as_name, at)?;
        }
        Ok(())
    }

    /// `from builtins import len as builtin_len`.
    fn import_from_builtins(&mut self, names: &[Alias], pos: Pos) -> Result<()> {
        if names.is_empty() {
            return Err(syntax(pos, "'from builtins import *' is not supported on the device (the builtins are there already)"));
        }
        for alias in names {
            let k = natives::builtin(&alias.name)
                .ok_or_else(|| syntax(alias.pos, format!("cannot import name '{}' from 'builtins'", alias.name)))?;
            self.emit_u16(Op::LoadNative, k);
            self.store_name(alias.as_name.as_deref().unwrap_or(&alias.name), alias.pos)?;
        }
        Ok(())
    }

    fn assign(&mut self, targets: &[Expr], value: &Expr) -> Result<()> {
        // `a, b = b, a` (and three names): no tuple, just a rotation.
        if let ([target], ExprKind::Tuple(values)) = (targets, &value.kind)
            && let ExprKind::Tuple(names) | ExprKind::List(names) = &target.kind
            && (2..=3).contains(&names.len())
            && names.len() == values.len()
            && names.iter().all(|n| matches!(n.kind, ExprKind::Name(_)))
            && values.iter().all(|v| !matches!(v.kind, ExprKind::Starred(_)))
        {
            for v in values {
                self.expr(v)?;
            }
            if names.len() == 3 {
                self.emit(Op::Rot3);
            }
            self.emit(Op::Rot2);
            return names.iter().try_for_each(|n| self.store(n));
        }
        self.expr(value)?;
        for (i, target) in targets.iter().enumerate() {
            if i + 1 < targets.len() {
                self.emit(Op::Dup);
            }
            self.store(target)?;
        }
        Ok(())
    }

    fn aug_assign(&mut self, target: &Expr, op: BinOp, value: &Expr) -> Result<()> {
        match &target.kind {
            ExprKind::Name(_) => {
                self.expr(target)?;
                self.expr(value)?;
                self.mark_line(target.pos)?;
                self.emit(aug_opcode(op, self.dialect, value));
                self.store(target)
            }
            ExprKind::Subscript(object, index) => {
                if matches!(index.kind, ExprKind::Slice(..)) {
                    return Err(not_yet(index.pos, "augmented assignment to a slice is"));
                }
                self.expr(object)?;
                self.expr(index)?;
                self.emit(Op::Dup2);
                self.mark_line(target.pos)?;
                self.emit(Op::LoadSubscr);
                self.expr(value)?;
                self.mark_line(target.pos)?;
                self.emit(aug_opcode(op, self.dialect, value));
                self.emit(Op::Rot3);
                self.emit(Op::StoreSubscr);
                Ok(())
            }
            ExprKind::Attribute(_, attr) => Err(attribute_error(target.pos, attr)),
            _ => Err(syntax(target.pos, "illegal expression for augmented assignment")),
        }
    }

    /// Store the value on top of the stack into `target`.
    fn store(&mut self, target: &Expr) -> Result<()> {
        match &target.kind {
            ExprKind::Name(n) => self.store_name(n, target.pos),
            ExprKind::Subscript(object, index) => {
                if let ExprKind::Slice(lo, hi, step) = &index.kind {
                    // `xs[lo:hi:step] = v`: the method METHOD_STORE_SLICE of
                    // v (already on the stack) with xs, lo, hi, step.
                    self.expr(object)?;
                    for part in [lo, hi, step] {
                        match part {
                            Some(e) => self.expr(e)?,
                            None => self.emit(Op::LoadNone),
                        }
                    }
                    self.mark_line(target.pos)?;
                    self.emit_u16(Op::CallMethod, call_method_operand(natives::METHOD_STORE_SLICE, 4));
                    self.emit(Op::Pop);
                    return Ok(());
                }
                self.expr(object)?;
                self.expr(index)?;
                self.mark_line(target.pos)?;
                self.emit(Op::StoreSubscr);
                Ok(())
            }
            ExprKind::Attribute(_, attr) => Err(attribute_error(target.pos, attr)),
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                if let Some(star) = items.iter().find(|i| matches!(i.kind, ExprKind::Starred(_))) {
                    return Err(not_on_device(star.pos, "starred assignment targets ('*x') are"));
                }
                if items.len() > MAX_INDEX {
                    return Err(syntax(target.pos, "too many targets to unpack"));
                }
                self.mark_line(target.pos)?;
                self.emit_u16(Op::UnpackSequence, items.len() as u16);
                items.iter().try_for_each(|item| self.store(item))
            }
            ExprKind::Starred(_) => Err(not_on_device(target.pos, "starred assignment targets ('*x') are")),
            _ => Err(syntax(target.pos, "cannot assign to expression")),
        }
    }

    // ---- functions ----

    /// Compile a def or lambda: its defaults (evaluated here) on the stack as
    /// a tuple, or None; the function itself into a new slot of the function
    /// table, whose index is returned (for `MakeFunction`).
    fn function(&mut self, name: &str, params: &[Param], body: FunctionBody, pos: Pos) -> Result<(u16, Vec<String>)> {
        for p in params {
            match p.kind {
                ParamKind::Normal => {}
                ParamKind::VarArgs => return Err(not_on_device(p.pos, &format!("'*{}' parameters are", p.name))),
                ParamKind::KwArgs => return Err(not_on_device(p.pos, &format!("'**{}' parameters are", p.name))),
                ParamKind::KeywordOnly => return Err(not_on_device(p.pos, "keyword-only parameters are")),
            }
        }
        if params.len() > 0xFF {
            return Err(syntax(pos, "too many parameters (at most 255)"));
        }
        let n_defaults = self.defaults(params)?;

        let stmts: &[Stmt] = match body {
            FunctionBody::Statements(s) => s,
            FunctionBody::Expression(_) => &[],
        };
        let scope = scope::analyze_function(params, stmts);
        for p in params {
            if let Some(&at) = scope.globals.get(&p.name) {
                return Err(syntax(at, format!("name '{}' is parameter and global", p.name)));
            }
            if let Some(&at) = scope.nonlocals.get(&p.name) {
                return Err(syntax(at, format!("name '{}' is parameter and nonlocal", p.name)));
            }
        }
        let scope = self.closure_slots(scope, params.len(), stmts, &body, pos)?;
        let frees = scope.frees.clone();
        let cells: Vec<u16> =
            scope.derefs.iter().filter(|(n, _)| !frees.contains(n)).map(|(_, &slot)| slot).collect();
        if self.functions.len() > MAX_INDEX {
            return Err(syntax(pos, "program too large: more than 65536 functions"));
        }
        let index = self.functions.len();
        self.functions.push(None);
        let name_const = self.constant(Const::Str(name.to_string()), pos)?;

        let builder = FunctionBuilder { local_names: scope.locals.clone(), ..FunctionBuilder::default() };
        self.saved.push(std::mem::replace(&mut self.f, builder));
        self.frames.push(Frame { function: Some(scope), comps: Vec::new(), comp_cells: Vec::new() });
        let saved_pos = self.last_pos;
        let compiled = self.function_body(&body, &cells, pos);
        let f = std::mem::replace(&mut self.f, self.saved.pop().expect("pushed above"));
        self.frames.pop();
        compiled?;
        let code = f.finish(name_const, params.len() as u32, n_defaults as u32, self.last_pos)?;
        self.last_pos = saved_pos;
        self.functions[index] = Some(code);
        Ok((index as u16, frees))
    }

    /// Push a function's defaults as a tuple, or None when it has none;
    /// returns how many.
    fn defaults(&mut self, params: &[Param]) -> Result<usize> {
        let defaults: Vec<&Expr> = params.iter().filter_map(|p| p.default.as_ref()).collect();
        for d in &defaults {
            self.expr(d)?;
        }
        if defaults.is_empty() {
            self.emit(Op::LoadNone);
        } else {
            self.emit_u16(Op::BuildTuple, defaults.len() as u16);
        }
        Ok(defaults.len())
    }

    /// The ePython dialect's functions callable above their `def`: run the
    /// module's first `def` of each name before the module body, when its
    /// defaults are constants (evaluating other defaults there could read
    /// names the body has not bound yet, or run calls early, so those
    /// functions are defined where they stand, as in Python). Returns each
    /// hoisted statement's index with its function's number, for
    /// [`Self::define_again`]. Decorators never reach here (the device has
    /// none; the offload API strips a kernel's own).
    fn hoist_defs(&mut self, body: &[Stmt]) -> Result<HashMap<usize, u16>> {
        let mut hoisted = HashMap::new();
        let mut seen = std::collections::HashSet::new();
        for (i, stmt) in body.iter().enumerate() {
            let StmtKind::Def { name, params, .. } = &stmt.kind else { continue };
            if !seen.insert(name.as_str()) || !params.iter().filter_map(|p| p.default.as_ref()).all(is_constant) {
                continue;
            }
            // The def's function is the first this statement makes (its
            // constant defaults make none).
            let k = self.functions.len();
            self.statement(stmt)?;
            hoisted.insert(i, k as u16);
        }
        Ok(hoisted)
    }

    /// A hoisted `def` where it stands: bind the name again to the function
    /// compiled at the top (`k`), as Python would here, since the body may
    /// have rebound the name in between.
    fn define_again(&mut self, stmt: &Stmt, k: u16) -> Result<()> {
        let StmtKind::Def { name, params, .. } = &stmt.kind else {
            return Err(syntax(stmt.pos, "internal compiler error: a hoisted statement is not a def"));
        };
        self.last_pos = stmt.pos;
        self.mark_line(stmt.pos)?;
        self.defaults(params)?;
        self.make_function(k, &[], stmt.pos)?;
        self.store_name(name, stmt.pos)
    }

    /// A function's scope with its closure slots: its free variables (the
    /// names it or its nested functions use that an enclosing function binds)
    /// right after its parameters, and its locals that nested functions use
    /// marked as cells.
    fn closure_slots(
        &self,
        mut scope: FunctionScope,
        n_params: usize,
        stmts: &[Stmt],
        body: &FunctionBody,
        pos: Pos,
    ) -> Result<FunctionScope> {
        let expr = match body {
            FunctionBody::Expression(e) => Some(*e),
            FunctionBody::Statements(_) => None,
        };
        let caps = scope::captures(&scope, stmts, expr);
        let mut frees = Vec::new();
        for name in &caps.free {
            if self.enclosing_binds(name) {
                frees.push(name.clone());
            }
        }
        let mut nonlocals: Vec<(&String, &Pos)> = scope.nonlocals.iter().collect();
        nonlocals.sort_by_key(|(_, at)| (at.line, at.col));
        for (name, &at) in nonlocals {
            if scope.globals.contains_key(name) {
                return Err(syntax(at, format!("name '{name}' is nonlocal and global")));
            }
            if !frees.contains(name) {
                return Err(syntax(at, format!("no binding for nonlocal '{name}' found")));
            }
        }
        if frees.is_empty() && caps.cells.is_empty() {
            return Ok(scope);
        }
        if n_params + frees.len() + scope.locals.len() > MAX_INDEX {
            return Err(syntax(pos, "program too large: more than 65536 local slots in a function"));
        }
        let rest = scope.locals.split_off(n_params);
        scope.locals.extend(frees.iter().cloned());
        scope.locals.extend(rest);
        scope.index.clear();
        for (slot, name) in scope.locals.iter().enumerate() {
            if frees.contains(name) {
                scope.derefs.insert(name.clone(), slot as u16);
            } else {
                scope.index.insert(name.clone(), slot as u16);
            }
        }
        for name in &caps.cells {
            if let Some(slot) = scope.local(name) {
                scope.derefs.insert(name.clone(), slot);
            }
        }
        if scope.derefs.values().any(|&slot| slot & DEREF_FREE != 0) {
            return Err(syntax(pos, "program too large: a function's captured variables must be in its first 32768 slots"));
        }
        scope.frees = frees;
        Ok(scope)
    }

    fn function_body(&mut self, body: &FunctionBody, cells: &[u16], pos: Pos) -> Result<()> {
        self.mark_line(pos)?;
        // Captured locals (parameters included) live in cells from the start.
        let mut cells = cells.to_vec();
        cells.sort_unstable();
        for slot in cells {
            self.emit_u16(Op::MakeCell, slot);
        }
        match body {
            FunctionBody::Statements(stmts) => {
                self.block(stmts)?;
                self.emit(Op::LoadNone);
                self.emit(Op::Return);
            }
            FunctionBody::Expression(e) => {
                self.expr(e)?;
                self.emit(Op::Return);
            }
        }
        Ok(())
    }

    // ---- expressions ----

    fn expr(&mut self, e: &Expr) -> Result<()> {
        let pos = e.pos;
        self.mark_line(pos)?;
        match &e.kind {
            ExprKind::Int(v) => {
                let Ok(v) = i32::try_from(*v) else {
                    return Err(overflow(
                        pos,
                        "integer literal is too large: ints on the device are 32-bit (-2147483648..2147483647)",
                    ));
                };
                match i16::try_from(v) {
                    Ok(small) => self.emit_u16(Op::LoadInt, small as u16),
                    Err(_) => self.load_const(Const::Int(v), pos)?,
                }
            }
            ExprKind::Float(v) => self.load_const(Const::Float(v.to_bits()), pos)?,
            ExprKind::Str(s) => self.load_const(Const::Str(s.clone()), pos)?,
            ExprKind::Bool(true) => self.emit(Op::LoadTrue),
            ExprKind::Bool(false) => self.emit(Op::LoadFalse),
            ExprKind::None => self.emit(Op::LoadNone),
            ExprKind::Name(n) => self.load_name(n, pos)?,
            ExprKind::Unary(op, operand) => {
                self.expr(operand)?;
                self.mark_line(pos)?;
                self.emit(match op {
                    UnaryOp::Neg => Op::Neg,
                    UnaryOp::Pos => Op::Pos,
                    UnaryOp::Not => Op::Not,
                    UnaryOp::Invert => Op::Invert,
                });
            }
            ExprKind::Binary(op, left, right) => {
                self.expr(left)?;
                self.expr(right)?;
                self.mark_line(pos)?;
                self.emit(binary_opcode(*op, self.dialect, left, right));
            }
            ExprKind::BoolOp(op, values) => {
                // Each operand but the last: keep it as the result and jump to
                // the end if it decides, else drop it and go on.
                let jump = if *op == BoolOp::And { Op::JumpIfFalseOrPop } else { Op::JumpIfTrueOrPop };
                let mut to_end = Vec::new();
                for (i, value) in values.iter().enumerate() {
                    self.expr(value)?;
                    if i + 1 < values.len() {
                        to_end.push(self.emit_jump(jump));
                    }
                }
                to_end.into_iter().for_each(|site| self.patch_here(site));
            }
            ExprKind::Compare(first, rest) => self.comparison(first, rest, pos)?,
            ExprKind::IfElse { cond, then, otherwise } => {
                let to_else = self.jump_if(cond, false)?;
                self.expr(then)?;
                let to_end = self.emit_jump(Op::Jump);
                to_else.into_iter().for_each(|site| self.patch_here(site));
                self.expr(otherwise)?;
                self.patch_here(to_end);
            }
            ExprKind::Call { func, args } => self.call(func, args, pos)?,
            ExprKind::Attribute(object, attr) => {
                let module = match self.module_held_by(object) {
                    None => return Err(attribute_error(pos, attr)),
                    Some(ModuleRef::Device(m)) => m,
                    Some(ModuleRef::Source(m)) => return self.load_source_member(m, attr, pos),
                    Some(ModuleRef::Builtins) => {
                        let k = natives::builtin(attr)
                            .ok_or_else(|| syntax(pos, format!("module 'builtins' has no attribute '{attr}' on the device")))?;
                        self.emit_u16(Op::LoadNative, k);
                        return Ok(());
                    }
                };
                let k = self.module_member(module, attr, pos)?;
                self.expr(object)?;
                self.mark_line(pos)?;
                self.emit_u16(Op::LoadModuleAttr, k);
            }
            ExprKind::Subscript(object, index) => {
                self.expr(object)?;
                match &index.kind {
                    ExprKind::Slice(lo, hi, step) => {
                        for bound in [lo, hi] {
                            match bound {
                                Some(b) => self.expr(b)?,
                                None => self.emit(Op::LoadNone),
                            }
                        }
                        self.mark_line(pos)?;
                        match step {
                            Some(s) => {
                                self.expr(s)?;
                                self.mark_line(pos)?;
                                self.emit(Op::LoadSliceStep);
                            }
                            None => self.emit(Op::LoadSlice),
                        }
                    }
                    _ => {
                        self.expr(index)?;
                        self.mark_line(pos)?;
                        self.emit(Op::LoadSubscr);
                    }
                }
            }
            ExprKind::Slice(..) => return Err(not_on_device(pos, "slices inside a tuple index are")),
            ExprKind::List(items) => self.display(items, false, pos)?,
            ExprKind::Tuple(items) => self.display(items, true, pos)?,
            ExprKind::ListComp { element, clauses } => self.list_comprehension(element, clauses, pos)?,
            ExprKind::Lambda { params, body } => {
                let (k, frees) = self.function("<lambda>", params, FunctionBody::Expression(body), pos)?;
                self.make_function(k, &frees, pos)?;
            }
            ExprKind::Starred(_) => return Err(not_on_device(pos, "starred expressions ('*x') are")),
            ExprKind::Generator { .. } => {
                return Err(syntax(pos, "generator expressions are not supported on the device (no generators)"));
            }
        }
        Ok(())
    }

    /// `m.attr` of source module `m`: its global.
    fn load_source_member(&mut self, m: &str, attr: &str, pos: Pos) -> Result<()> {
        let bound = self.linked.get(m).is_some_and(|l| l.scope.bound.contains(attr));
        if !bound {
            return Err(syntax(pos, format!("module '{m}' has no attribute '{attr}'")));
        }
        let k = self.qualified_global(&format!("{}{attr}", modules::global_prefix(m)), pos)?;
        self.mark_line(pos)?;
        self.emit_u16(Op::LoadGlobal, k);
        Ok(())
    }

    /// The native `e` stands for at compile time: a name that resolves to
    /// one, or `module.attr` of a device module.
    fn static_native(&self, e: &Expr) -> Result<Option<u16>> {
        Ok(match &e.kind {
            ExprKind::Name(n) => match self.resolve_load(n, e.pos)? {
                Place::Native(k) => Some(k),
                _ => None,
            },
            ExprKind::Attribute(object, attr) => match self.module_held_by(object) {
                Some(ModuleRef::Device(m)) => natives::member(m, attr),
                _ => None,
            },
            _ => None,
        })
    }

    fn module_member(&self, module: u16, attr: &str, pos: Pos) -> Result<u16> {
        natives::member(module, attr).ok_or_else(|| {
            let module_name = natives::get(module).map_or("?", |n| n.name);
            syntax(pos, format!("module '{module_name}' has no attribute '{attr}'"))
        })
    }

    /// A list or tuple display.
    fn display(&mut self, items: &[Expr], tuple: bool, pos: Pos) -> Result<()> {
        if items.len() <= BUILD_CHUNK {
            for item in items {
                self.expr(item)?;
            }
            self.mark_line(pos)?;
            self.emit_u16(if tuple { Op::BuildTuple } else { Op::BuildList }, items.len() as u16);
            return Ok(());
        }
        // A long display: a list grown piece by piece (`tuple(list)` for a
        // tuple), so the operand stack stays shallow.
        if tuple {
            self.emit_u16(Op::LoadNative, natives::TUPLE);
        }
        for item in &items[..BUILD_CHUNK] {
            self.expr(item)?;
        }
        self.emit_u16(Op::BuildList, BUILD_CHUNK as u16);
        for item in &items[BUILD_CHUNK..] {
            self.expr(item)?;
            self.emit_u8(Op::ListAppend, 0);
        }
        if tuple {
            self.mark_line(pos)?;
            self.emit_u8(Op::Call, 1);
        }
        Ok(())
    }

    fn list_comprehension(&mut self, element: &Expr, clauses: &[Comprehension], pos: Pos) -> Result<()> {
        if clauses.len() > 0xFF {
            return Err(syntax(pos, "too many 'for' clauses in a comprehension"));
        }
        self.emit_u16(Op::BuildList, 0);
        // The first iterable is evaluated in the enclosing scope.
        let Some(first) = clauses.first() else { return Err(syntax(pos, "invalid syntax")) };
        self.expr(&first.iter)?;
        // The comprehension's variables: slots of their own.
        let mut names = Vec::new();
        for clause in clauses {
            scope::target_names(&clause.target, &mut names);
        }
        // Variables a function inside the comprehension uses live in fresh
        // cells, one per run of the comprehension (as in CPython).
        let captured = scope::captured_by_functions(element, clauses);
        let mut slots = HashMap::new();
        let mut cells = Vec::new();
        for name in names {
            let slot = self.new_local(&name, pos)?;
            if captured.contains(&name) {
                self.emit(Op::LoadNone);
                self.emit_u16(Op::StoreLocal, slot);
                self.emit_u16(Op::MakeCell, slot);
                cells.push(slot);
            }
            slots.insert(name, slot);
        }
        let frame = self.frames.last_mut().expect("the module frame is never popped");
        frame.comps.push(slots);
        frame.comp_cells.extend(cells);
        let result = self.comprehension_loops(element, clauses);
        let frame = self.frames.last_mut().expect("the module frame is never popped");
        frame.comps.pop();
        result
    }

    fn comprehension_loops(&mut self, element: &Expr, clauses: &[Comprehension]) -> Result<()> {
        let mut loops = Vec::new();
        for (i, clause) in clauses.iter().enumerate() {
            if i > 0 {
                self.expr(&clause.iter)?;
            }
            self.mark_line(clause.iter.pos)?;
            self.emit(Op::GetIter);
            let top = self.pc();
            let exit = self.emit_jump(Op::ForIter);
            self.store(&clause.target)?;
            for cond in &clause.conditions {
                for site in self.jump_if(cond, false)? {
                    self.patch(site, top);
                }
            }
            loops.push((top, exit));
        }
        self.expr(element)?;
        // The list is below one iterator per clause.
        self.emit_u8(Op::ListAppend, clauses.len() as u8);
        for (top, exit) in loops.into_iter().rev() {
            self.emit_u16(Op::Jump, top as u16);
            self.patch_here(exit);
        }
        Ok(())
    }

    fn comparison(&mut self, first: &Expr, rest: &[(CmpOp, Expr)], pos: Pos) -> Result<()> {
        // `a < b < c` is `a < b and b < c` with b evaluated once: a plain
        // name or literal in the middle is loaded again, anything else is
        // kept below the first result (Dup, Rot3) and dropped if the chain
        // stops early.
        self.expr(first)?;
        let mut to_end = Vec::new();
        let mut to_cleanup = Vec::new();
        for (i, (op, operand)) in rest.iter().enumerate() {
            let last = i + 1 == rest.len();
            self.expr(operand)?;
            let kept = !last && !is_pure(operand);
            if kept {
                self.emit(Op::Dup);
                self.emit(Op::Rot3);
            }
            self.mark_line(pos)?;
            self.emit(compare_opcode(*op));
            if !last {
                if kept {
                    to_cleanup.push(self.emit_jump(Op::JumpIfFalseOrPop));
                } else {
                    to_end.push(self.emit_jump(Op::JumpIfFalseOrPop));
                    self.expr(operand)?;
                }
            }
        }
        if !to_cleanup.is_empty() {
            // A chain stopped at a kept middle value: `b False` -> `False`.
            let done = self.emit_jump(Op::Jump);
            to_cleanup.into_iter().for_each(|site| self.patch_here(site));
            self.emit(Op::Rot2);
            self.emit(Op::Pop);
            to_end.push(done);
        }
        to_end.into_iter().for_each(|site| self.patch_here(site));
        Ok(())
    }

    /// Compile `cond` so control jumps (with nothing left on the stack) when
    /// its truth equals `when`, and falls through otherwise. Returns the jump
    /// sites to patch to the target.
    fn jump_if(&mut self, cond: &Expr, when: bool) -> Result<Vec<usize>> {
        match &cond.kind {
            ExprKind::Unary(UnaryOp::Not, operand) => self.jump_if(operand, !when),
            // A constant condition (`while True:`) needs no test.
            ExprKind::Bool(b) => Ok(if *b == when { vec![self.emit_jump(Op::Jump)] } else { Vec::new() }),
            ExprKind::BoolOp(op, values) => {
                // `and` jumps when false as soon as one operand is false; `or`
                // jumps when true as soon as one is true. Otherwise operands that
                // settle the answer the other way skip to the fall-through.
                let decides = *op == BoolOp::Or;
                let mut sites = Vec::new();
                let mut skips = Vec::new();
                for (i, value) in values.iter().enumerate() {
                    if when == decides || i + 1 == values.len() {
                        sites.extend(self.jump_if(value, when)?);
                    } else {
                        skips.extend(self.jump_if(value, !when)?);
                    }
                }
                skips.into_iter().for_each(|site| self.patch_here(site));
                Ok(sites)
            }
            _ => {
                self.expr(cond)?;
                Ok(vec![self.emit_jump(if when { Op::PopJumpIfTrue } else { Op::PopJumpIfFalse })])
            }
        }
    }

    fn call(&mut self, func: &Expr, args: &[Arg], pos: Pos) -> Result<()> {
        if let ExprKind::Name(n) = &func.kind
            && n == "print"
            && self.resolve_load(n, func.pos)? == Place::Print
        {
            return self.print_call(args, pos);
        }
        // input() / input(prompt): the prompt is printed without a newline,
        // then the Input opcode waits for the host's line.
        if let ExprKind::Name(n) = &func.kind
            && n == "input"
            && args.len() <= 1
            && args.iter().all(|a| matches!(a, Arg::Positional(_)))
            && self.resolve_load(n, func.pos)? == Place::Native(natives::INPUT)
        {
            // ePython's input() converts the line (firmware dialect.rs).
            let converted = self.dialect == Dialect::Epython;
            if converted {
                self.emit_u16(Op::LoadNative, natives::INPUT_VALUE);
            }
            if let Some(Arg::Positional(prompt)) = args.first() {
                self.expr(prompt)?;
                self.load_const(Const::Str(String::new()), pos)?;
                self.mark_line(pos)?;
                self.emit_u16(Op::Print, 1 | PRINT_HAS_END);
                self.emit(Op::Pop);
            }
            self.mark_line(pos)?;
            self.emit(Op::Input);
            if converted {
                self.emit_u8(Op::Call, 1);
            }
            return Ok(());
        }
        // ePython's `math.pi()` and `math.e()`: the constant itself.
        if self.dialect == Dialect::Epython
            && args.is_empty()
            && self.static_native(func)?.is_some_and(|k| matches!(natives::get(k).map(|n| n.kind), Some(Kind::Float(_))))
        {
            return self.expr(func);
        }
        if let ExprKind::Attribute(object, method) = &func.kind
            && self.module_held_by(object).is_none()
        {
            return self.method_call(object, method, args, pos);
        }
        // Keywords a builtin takes in its own parameter order
        // (`enumerate(xs, start=1)`) are passed as positional arguments.
        let native = match &func.kind {
            ExprKind::Name(n) => match self.resolve_load(n, func.pos)? {
                Place::Native(k) => Some(k),
                _ => None,
            },
            _ => None,
        };
        if native == Some(natives::SORTED) {
            // sorted(xs, reverse=r) is the native SORTED_REVERSE(xs, r), so
            // that sorted(xs, r) stays CPython's TypeError.
            if let [Arg::Positional(xs), Arg::Keyword(k, r)] = args
                && k == "reverse"
            {
                self.emit_u16(Op::LoadNative, natives::SORTED_REVERSE);
                self.expr(xs)?;
                self.expr(r)?;
                self.mark_line(pos)?;
                self.emit_u8(Op::Call, 2);
                return Ok(());
            }
            if let Some(Arg::Keyword(k, e)) = args.iter().find(|a| matches!(a, Arg::Keyword(k, _) if k == "key")) {
                return Err(not_on_device(e.pos, &format!("keyword arguments to sorted() ({k}=...) are")));
            }
        }
        let keywords_in_place = native.is_some_and(|k| keywords_in_parameter_order(k, args));
        self.expr(func)?;
        let mut names = Vec::new();
        for arg in args {
            match arg {
                Arg::Positional(e) => self.expr(e)?,
                Arg::Keyword(_, e) if keywords_in_place => self.expr(e)?,
                Arg::Keyword(name, e) => {
                    self.expr(e)?;
                    names.push(Const::Str(name.clone()));
                }
                Arg::Star(e) => return Err(not_on_device(e.pos, "'*' arguments are")),
                Arg::DoubleStar(e) => return Err(not_on_device(e.pos, "'**' arguments are")),
            }
        }
        if args.len() > 0xFF {
            return Err(syntax(pos, "too many arguments (at most 255)"));
        }
        if names.is_empty() {
            self.mark_line(pos)?;
            self.emit_u8(Op::Call, args.len() as u8);
        } else {
            self.load_const(Const::Tuple(names), pos)?;
            self.mark_line(pos)?;
            self.emit_u8(Op::CallKw, args.len() as u8);
        }
        Ok(())
    }

    /// `obj.m(args)` on a device object: `CallMethod`. Methods take
    /// positional arguments on the device; keywords are lowered here:
    /// `xs.sort(reverse=r)` becomes the method `METHOD_SORT_REVERSE` with
    /// argument r, `s.split(maxsplit=n)` becomes `s.split(None, n)`.
    fn method_call(&mut self, object: &Expr, method: &str, args: &[Arg], pos: Pos) -> Result<()> {
        let Some(mut m) = natives::method(method) else {
            return Err(syntax(pos, format!("'{method}' is not a method supported on the device")));
        };
        for arg in args {
            match arg {
                Arg::Star(e) => return Err(not_on_device(e.pos, "'*' arguments are")),
                Arg::DoubleStar(e) => return Err(not_on_device(e.pos, "'**' arguments are")),
                _ => {}
            }
        }
        let positional: Vec<&Expr> = args.iter().filter_map(|a| match a {
            Arg::Positional(e) => Some(e),
            _ => None,
        }).collect();
        let keywords: Vec<(&str, &Expr)> = args.iter().filter_map(|a| match a {
            Arg::Keyword(name, e) => Some((name.as_str(), e)),
            _ => None,
        }).collect();
        // What to push: argument expressions, or a parameter's default.
        let mut pushed: Vec<MethodArg> = positional.iter().map(|e| MethodArg::Expr(e)).collect();
        let unsupported = |name: &str, e: &Expr| {
            not_on_device(e.pos, &format!("keyword arguments to methods ({method}({name}=...)) are"))
        };
        if let Some(&(name, e)) = keywords.first() {
            let params = METHOD_KEYWORDS.iter().find(|(k, _)| *k == method).map_or(&[][..], |(_, p)| p);
            if m == natives::METHOD_SORT && positional.is_empty() {
                // sort's parameters are keyword-only; `key` needs calls back
                // into Python, which the device's sort does not make.
                if name != "reverse" || keywords.len() > 1 {
                    let (name, e) = keywords.iter().find(|(n, _)| *n != "reverse").copied().unwrap_or((name, e));
                    return Err(unsupported(name, e));
                }
                m = natives::METHOD_SORT_REVERSE;
                pushed.push(MethodArg::Expr(e));
            } else if m == natives::METHOD_SORT {
                // Positional arguments to sort: CPython's TypeError at run
                // time ("sort() takes no positional arguments").
                pushed.extend(keywords.iter().map(|(_, e)| MethodArg::Expr(e)));
            } else {
                // Keywords name parameters after the positional arguments;
                // skipped parameters take their defaults. Pushing them in
                // parameter order changes the evaluation order unless they
                // come in that order or have no effects.
                let first = positional.len();
                let mut slots: Vec<Option<&Expr>> = vec![None; params.len()];
                let mut in_order = true;
                let mut last = first;
                for &(name, e) in &keywords {
                    let Some(i) = params.iter().position(|(p, _)| *p == name).filter(|&i| i >= first) else {
                        return Err(unsupported(name, e));
                    };
                    in_order &= i >= last;
                    last = i;
                    slots[i] = Some(e);
                }
                if !in_order && !keywords.iter().all(|(_, e)| is_pure(e)) {
                    let (name, e) = keywords[0];
                    return Err(not_on_device(
                        e.pos,
                        &format!("keyword arguments to methods out of parameter order, with effects ({method}({name}=...)), are"),
                    ));
                }
                let end = slots.iter().rposition(Option::is_some).map_or(first, |i| i + 1);
                for (slot, (_, default)) in slots.iter().zip(params).take(end).skip(first) {
                    pushed.push(slot.map_or(MethodArg::Default(*default), MethodArg::Expr));
                }
            }
        }
        self.expr(object)?;
        for arg in &pushed {
            match arg {
                MethodArg::Expr(e) => self.expr(e)?,
                MethodArg::Default(None) => self.emit(Op::LoadNone),
                MethodArg::Default(Some(i)) => self.load_const(Const::Int(*i), pos)?,
            }
        }
        if pushed.len() > 0xFF {
            return Err(syntax(pos, "too many arguments (at most 255)"));
        }
        self.mark_line(pos)?;
        self.emit_u16(Op::CallMethod, call_method_operand(m, pushed.len() as u8));
        Ok(())
    }

    /// `print(a, b, sep=s, end=e)` with the builtin print: the Print opcode.
    fn print_call(&mut self, args: &[Arg], pos: Pos) -> Result<()> {
        let mut n = 0;
        let mut keywords: Vec<(&str, &Expr)> = Vec::new();
        for arg in args {
            match arg {
                Arg::Positional(e) => {
                    self.expr(e)?;
                    n += 1;
                }
                Arg::Keyword(name, e) if name == "sep" || name == "end" => keywords.push((name, e)),
                Arg::Keyword(name, e) => {
                    return Err(syntax(e.pos, format!("print() keyword argument '{name}' is not supported on the device")));
                }
                Arg::Star(e) => return Err(not_on_device(e.pos, "'*' arguments are")),
                Arg::DoubleStar(e) => return Err(not_on_device(e.pos, "'**' arguments are")),
            }
        }
        let mut flags = self.print_count(n, pos)?;
        // Evaluate sep and end in source order; the opcode wants sep below end.
        for (name, e) in &keywords {
            self.expr(e)?;
            flags |= if *name == "sep" { PRINT_HAS_SEP } else { PRINT_HAS_END };
        }
        if keywords.len() == 2 && keywords[0].0 == "end" {
            self.emit(Op::Rot2);
        }
        self.mark_line(pos)?;
        self.emit_u16(Op::Print, flags);
        Ok(())
    }
}

/// Methods' parameters that Python lets be given by keyword, in order, with
/// their defaults (an int, or None for None) (`method_call`). `sort`'s
/// keyword-only `reverse` is its own method number instead.
const METHOD_KEYWORDS: &[(&str, &[MethodParam])] = &[("split", &[("sep", None), ("maxsplit", Some(-1))])];

/// A method parameter: its name and default (`METHOD_KEYWORDS`).
type MethodParam = (&'static str, Option<i32>);

/// An argument `method_call` pushes: an expression, or a parameter's default.
enum MethodArg<'e> {
    Expr(&'e Expr),
    Default(Option<i32>),
}

/// Builtins' parameter names where Python lets them be given by keyword
/// ("" for a positional-only parameter). The device's natives take
/// positional arguments only.
const NATIVE_PARAMETERS: &[(u16, &[&str])] = &[
    (natives::ENUMERATE, &["iterable", "start"]),
    (natives::ROUND, &["number", "ndigits"]),
    (natives::SUM, &["", "start"]),
    (natives::INT, &["", "base"]),
];

/// Whether the keyword arguments of a call to native `k` name exactly the
/// parameters after the positional ones, in order.
fn keywords_in_parameter_order(k: u16, args: &[Arg]) -> bool {
    let Some((_, params)) = NATIVE_PARAMETERS.iter().find(|(n, _)| *n == k) else { return false };
    let positional = args.iter().take_while(|a| matches!(a, Arg::Positional(_))).count();
    args[positional..].iter().enumerate().all(|(i, arg)| match arg {
        Arg::Keyword(name, _) => params.get(positional + i).is_some_and(|p| !p.is_empty() && p == name),
        _ => false,
    })
}

enum FunctionBody<'a> {
    Statements(&'a [Stmt]),
    Expression(&'a Expr),
}

fn attribute_error(pos: Pos, attr: &str) -> Located {
    syntax(pos, format!("attribute access ('.{attr}') is not supported on the device (device objects have methods only)"))
}

/// An operand that can be evaluated twice with the same result and no
/// effects: a name (nothing between the two loads can rebind it) or a literal.
fn is_pure(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Name(_) | ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::None)
}

//! Syntax tree -> functions of stack-machine code (the opcode table in
//! shared_protocol::bytecode), constants and globals, ready for image.rs.
//!
//! The module body is function 0 and its variables are globals. Jumps are
//! emitted with a placeholder target and patched once the target is known.

use std::collections::HashMap;

use shared_protocol::bytecode::{Op, PRINT_HAS_END, PRINT_HAS_SEP, line_entry};
use shared_protocol::natives::{self, Kind, NATIVES};

use crate::ast::*;
use crate::error::{Pos, Result, overflow, syntax};
use crate::scope::ModuleScope;

/// A constant, as it goes into the image's const table.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Const {
    Int(i32),
    /// The f32's bits, so constants can be compared and hashed exactly.
    Float(u32),
    Str(String),
}

/// One compiled function.
#[derive(Clone, Debug)]
pub struct FunctionCode {
    /// Const index of its name.
    pub name: u32,
    pub n_params: u32,
    pub n_locals: u32,
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
}

pub struct Compiled {
    pub module: Module,
    pub uses_print_statement: bool,
}

/// Builtins of design.md §4 that the device does not have yet: naming one is a
/// compile error rather than a NameError on the device.
const PLANNED_BUILTINS: &[&str] = &[
    "len", "range", "abs", "min", "max", "sum", "int", "float", "str", "bool", "round", "sorted", "enumerate", "zip",
    "list", "tuple",
];
/// Modules of design.md §4 that the device does not have yet.
const PLANNED_MODULES: &[&str] = &["math", "random"];

/// The largest code, constant or global index the 16-bit operands can hold.
const MAX_INDEX: usize = u16::MAX as usize;

pub fn compile_module(body: &[Stmt], scope: &ModuleScope, filename: &str) -> Result<Compiled> {
    let mut cg = Codegen {
        scope,
        consts: Vec::new(),
        const_index: HashMap::new(),
        globals: Vec::new(),
        global_index: HashMap::new(),
        f: FunctionBuilder::default(),
        uses_print_statement: false,
        last_pos: Pos { line: 1, col: 1 },
    };
    let filename_const = cg.constant(Const::Str(filename.to_string()), Pos::default())?;
    let name = cg.constant(Const::Str("<module>".to_string()), Pos::default())?;
    for stmt in body {
        cg.statement(stmt)?;
    }
    cg.emit(Op::LoadNone);
    cg.emit(Op::Return);
    let function = cg.f.finish(name, 0, cg.last_pos)?;
    Ok(Compiled {
        module: Module { functions: vec![function], consts: cg.consts, globals: cg.globals, filename: filename_const as u32 },
        uses_print_statement: cg.uses_print_statement,
    })
}

struct Loop {
    /// Where `continue` jumps.
    top: usize,
    /// `break` jumps, patched to the loop's end.
    breaks: Vec<usize>,
}

#[derive(Default)]
struct FunctionBuilder {
    code: Vec<u8>,
    /// (pc, line) at each statement start.
    lines: Vec<(usize, u32)>,
    n_locals: u32,
    /// Hidden local slots free for reuse (temporaries of comparison chains).
    free_temps: Vec<u16>,
    loops: Vec<Loop>,
}

impl FunctionBuilder {
    fn finish(self, name: u16, n_params: u32, pos: Pos) -> Result<FunctionCode> {
        if self.code.len() > MAX_INDEX {
            return Err(syntax(pos, "program too large: a function's code must fit in 65535 bytes"));
        }
        let max_stack = max_stack_depth(&self.code).map_err(|e| syntax(pos, format!("internal compiler error: {e}")))?;
        let lines = self.lines.iter().map(|&(pc, line)| line_entry(pc as u16, line as u16)).collect();
        Ok(FunctionCode { name: name as u32, n_params, n_locals: self.n_locals, max_stack, code: self.code, lines })
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

struct Codegen<'a> {
    scope: &'a ModuleScope,
    consts: Vec<Const>,
    const_index: HashMap<Const, u16>,
    globals: Vec<String>,
    global_index: HashMap<String, u16>,
    f: FunctionBuilder,
    uses_print_statement: bool,
    /// The statement being compiled, for errors that have no better place.
    last_pos: Pos,
}

fn binary_opcode(op: BinOp) -> Op {
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

fn not_yet(pos: Pos, what: &str) -> crate::error::Located {
    syntax(pos, format!("{what} not supported yet"))
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

    fn global(&mut self, name: &str, pos: Pos) -> Result<u16> {
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

    fn temp(&mut self, pos: Pos) -> Result<u16> {
        if let Some(t) = self.f.free_temps.pop() {
            return Ok(t);
        }
        if self.f.n_locals as usize > MAX_INDEX {
            return Err(syntax(pos, "program too large: too many local slots"));
        }
        self.f.n_locals += 1;
        Ok((self.f.n_locals - 1) as u16)
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
            StmtKind::Assign { targets, value } => {
                self.expr(value)?;
                for (i, target) in targets.iter().enumerate() {
                    if i + 1 < targets.len() {
                        self.emit(Op::Dup);
                    }
                    self.store(target)?;
                }
            }
            StmtKind::AugAssign { target, op, value } => {
                let ExprKind::Name(_) = &target.kind else {
                    return Err(not_yet(target.pos, "augmented assignment to an index or attribute is"));
                };
                self.expr(target)?;
                self.expr(value)?;
                self.emit(binary_opcode(*op));
                self.store(target)?;
            }
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
                self.f.loops.push(Loop { top, breaks: Vec::new() });
                self.block(body)?;
                self.emit_u16(Op::Jump, top as u16);
                exits.into_iter().for_each(|site| self.patch_here(site));
                // The else block runs when the condition fails; a break skips it,
                // and a break inside it belongs to the enclosing loop.
                let this_loop = self.f.loops.pop().expect("pushed above");
                self.block(orelse)?;
                this_loop.breaks.into_iter().for_each(|site| self.patch_here(site));
            }
            StmtKind::Break => {
                if self.f.loops.is_empty() {
                    return Err(syntax(pos, "'break' outside loop"));
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
            // At module level a global declaration changes nothing.
            StmtKind::Global(_) => {}
            StmtKind::Nonlocal(_) => return Err(syntax(pos, "nonlocal declaration not allowed at module level")),
            StmtKind::Return(_) => return Err(syntax(pos, "'return' outside function")),
            StmtKind::For { .. } => return Err(not_yet(pos, "'for' loops are")),
            StmtKind::Def { .. } => return Err(not_yet(pos, "'def' is")),
            StmtKind::Import(aliases) => {
                for alias in aliases {
                    let module = self.device_module(&alias.name, alias.pos)?;
                    self.emit_u16(Op::LoadNative, module);
                    let name = alias.as_name.clone().unwrap_or_else(|| alias.name.clone());
                    self.store_name(&name, alias.pos)?;
                }
            }
            StmtKind::ImportFrom { module, names } => {
                let m = self.device_module(module, pos)?;
                if names.is_empty() {
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
                    let k = self.constant(Const::Str(" ".to_string()), pos)?;
                    self.emit_u16(Op::LoadConst, k);
                    flags |= PRINT_HAS_END;
                }
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

    fn device_module(&self, name: &str, pos: Pos) -> Result<u16> {
        if let Some(m) = natives::module_named(name) {
            return Ok(m);
        }
        if PLANNED_MODULES.contains(&name) {
            return Err(syntax(pos, format!("module '{name}' is not supported yet")));
        }
        Err(syntax(pos, format!("no module named '{name}' on the device")))
    }

    fn store(&mut self, target: &Expr) -> Result<()> {
        match &target.kind {
            ExprKind::Name(n) => self.store_name(n, target.pos),
            ExprKind::Subscript(..) => Err(not_yet(target.pos, "assignment to an index is")),
            ExprKind::Attribute(..) => Err(not_yet(target.pos, "assignment to an attribute is")),
            ExprKind::Tuple(_) | ExprKind::List(_) => Err(not_yet(target.pos, "tuple unpacking is")),
            _ => Err(syntax(target.pos, "cannot assign to expression")),
        }
    }

    fn store_name(&mut self, name: &str, pos: Pos) -> Result<()> {
        let k = self.global(name, pos)?;
        self.emit_u16(Op::StoreGlobal, k);
        Ok(())
    }

    fn load_name(&mut self, name: &str, pos: Pos) -> Result<()> {
        if !self.scope.is_bound(name) {
            if name == "print" {
                return Err(not_yet(pos, "using 'print' other than by calling it is"));
            }
            if PLANNED_BUILTINS.contains(&name) {
                return Err(syntax(pos, format!("builtin '{name}' is not supported yet")));
            }
        }
        let k = self.global(name, pos)?;
        self.emit_u16(Op::LoadGlobal, k);
        Ok(())
    }

    // ---- expressions ----

    fn expr(&mut self, e: &Expr) -> Result<()> {
        let pos = e.pos;
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
                    Err(_) => {
                        let k = self.constant(Const::Int(v), pos)?;
                        self.emit_u16(Op::LoadConst, k);
                    }
                }
            }
            ExprKind::Float(v) => {
                let k = self.constant(Const::Float(v.to_bits()), pos)?;
                self.emit_u16(Op::LoadConst, k);
            }
            ExprKind::Str(s) => {
                let k = self.constant(Const::Str(s.clone()), pos)?;
                self.emit_u16(Op::LoadConst, k);
            }
            ExprKind::Bool(true) => self.emit(Op::LoadTrue),
            ExprKind::Bool(false) => self.emit(Op::LoadFalse),
            ExprKind::None => self.emit(Op::LoadNone),
            ExprKind::Name(n) => self.load_name(n, pos)?,
            ExprKind::Unary(op, operand) => {
                self.expr(operand)?;
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
                self.emit(binary_opcode(*op));
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
            ExprKind::Compare(first, rest) => self.comparison(first, rest)?,
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
                let module = match &object.kind {
                    ExprKind::Name(n) => self.scope.modules.get(n).copied(),
                    _ => None,
                };
                let Some(module) = module else {
                    return Err(not_yet(pos, "attribute access (other than on a device module) is"));
                };
                let Some(k) = natives::member(module, attr) else {
                    let module_name = natives::get(module).map_or("?", |n| n.name);
                    return Err(syntax(pos, format!("module '{module_name}' has no attribute '{attr}'")));
                };
                self.expr(object)?;
                self.emit_u16(Op::LoadModuleAttr, k);
            }
            ExprKind::Subscript(..) => return Err(not_yet(pos, "indexing is")),
            ExprKind::Slice(..) => return Err(not_yet(pos, "slicing is")),
            ExprKind::List(_) => return Err(not_yet(pos, "lists are")),
            ExprKind::Tuple(_) => return Err(not_yet(pos, "tuples are")),
            ExprKind::ListComp { .. } => return Err(not_yet(pos, "list comprehensions are")),
            ExprKind::Lambda { .. } => return Err(not_yet(pos, "'lambda' is")),
            ExprKind::Starred(_) => return Err(not_yet(pos, "starred expressions are")),
            ExprKind::Generator { .. } => {
                return Err(syntax(pos, "generator expressions are not supported on the device (no generators)"));
            }
        }
        Ok(())
    }

    fn comparison(&mut self, first: &Expr, rest: &[(CmpOp, Expr)]) -> Result<()> {
        for (op, operand) in rest {
            if let CmpOp::In | CmpOp::NotIn | CmpOp::Is | CmpOp::IsNot = op {
                return Err(not_yet(operand.pos, &format!("'{}' comparisons are", op.symbol())));
            }
        }
        // `a < b < c` is `a < b and b < c` with b evaluated once. The opcode
        // table has no Rot3, so a middle operand that is not a plain name or
        // literal is kept in a hidden local for its second use.
        self.expr(first)?;
        let mut to_end = Vec::new();
        for (i, (op, operand)) in rest.iter().enumerate() {
            let last = i + 1 == rest.len();
            self.expr(operand)?;
            let temp = if !last && !is_pure(operand) {
                let t = self.temp(operand.pos)?;
                self.emit(Op::Dup);
                self.emit_u16(Op::StoreLocal, t);
                Some(t)
            } else {
                None
            };
            self.emit(match op {
                CmpOp::Eq => Op::Eq,
                CmpOp::Ne => Op::Ne,
                CmpOp::Lt => Op::Lt,
                CmpOp::Le => Op::Le,
                CmpOp::Gt => Op::Gt,
                _ => Op::Ge,
            });
            if !last {
                to_end.push(self.emit_jump(Op::JumpIfFalseOrPop));
                match temp {
                    Some(t) => {
                        self.emit_u16(Op::LoadLocal, t);
                        self.f.free_temps.push(t);
                    }
                    None => self.expr(operand)?,
                }
            }
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
        if matches!(&func.kind, ExprKind::Name(n) if n == "print") && !self.scope.is_bound("print") {
            return self.print_call(args, pos);
        }
        self.expr(func)?;
        for arg in args {
            match arg {
                Arg::Positional(e) => self.expr(e)?,
                Arg::Keyword(name, e) => return Err(not_yet(e.pos, &format!("keyword arguments ({name}=...) are"))),
                Arg::Star(e) | Arg::DoubleStar(e) => return Err(not_yet(e.pos, "'*' and '**' arguments are")),
            }
        }
        if args.len() > 0xFF {
            return Err(syntax(pos, "too many arguments (at most 255)"));
        }
        self.emit_u8(Op::Call, args.len() as u8);
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
                Arg::Star(e) | Arg::DoubleStar(e) => return Err(not_yet(e.pos, "'*' and '**' arguments are")),
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
        self.emit_u16(Op::Print, flags);
        Ok(())
    }
}

/// An operand that can be evaluated twice with the same result and no
/// effects: a name (nothing between the two loads can rebind it) or a literal.
fn is_pure(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Name(_) | ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::None)
}

//! Which names each scope binds, Python 3's rules:
//! - the module body's names are globals;
//! - in a function, a name is local when the function binds it anywhere
//!   (assignment, augmented assignment, `for` target, `def`, `import`) or it
//!   is a parameter, unless the function declares it `global`;
//! - a name neither local nor global-bound anywhere is a builtin when the
//!   device has one by that name (`LoadNative`), else a global;
//! - comprehension variables live in the comprehension only (codegen gives
//!   them their own slots, see codegen.rs).
//!
//! - a name a nested function uses that an enclosing function binds (and
//!   the nested one neither binds nor declares `global`) is a free variable
//!   of the nested function and a cell of the enclosing one ([`captures`]);
//!   `nonlocal x` makes x such a name.
//!
//! Codegen asks: which names are globals that something binds (so `len`
//! stays the builtin unless the program rebinds it), which names hold a
//! device module (so `math.sqrt` resolves at compile time), and per
//! function, its locals in slot order and what closures need.

use std::collections::{HashMap, HashSet};

use shared_protocol::natives::{self, Kind, NATIVES};

use crate::ast::{Arg, Expr, ExprKind, Param, Stmt, StmtKind};
use crate::error::Pos;
use crate::modules::{self, Modules};

/// What a name bound by `import m [as name]` holds: `name.attr` resolves
/// at compile time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModuleRef {
    /// A device module, by native number.
    Device(u16),
    /// A source module (modules.rs), by name: `name.attr` is its global.
    Source(&'static str),
    /// `builtins`: `builtins.len` is the device's builtin.
    Builtins,
}

/// The module `import name` brings in, when there is one by that name.
pub fn module_ref(name: &str) -> Option<ModuleRef> {
    if let Some(m) = natives::module_named(name) {
        return Some(ModuleRef::Device(m));
    }
    if name == modules::BUILTINS {
        return Some(ModuleRef::Builtins);
    }
    modules::source_module(name).map(|m| ModuleRef::Source(m.name))
}

#[derive(Debug, Default)]
pub struct ModuleScope {
    /// Every global name something binds: at module level (assigned,
    /// imported, def'd, loop variable), or in a function that declares it
    /// `global` and binds it.
    pub bound: HashSet<String>,
    /// The names the module body itself binds, in order of first binding
    /// (what a source module's `from m import *` exports).
    pub bound_in_order: Vec<String>,
    /// Global names bound by `import m [as name]` to a module.
    pub modules: HashMap<String, ModuleRef>,
}

impl ModuleScope {
    pub fn is_bound(&self, name: &str) -> bool {
        self.bound.contains(name)
    }
}

/// The names one function binds.
#[derive(Debug, Default)]
pub struct FunctionScope {
    /// Local slots in order: parameters first, then names in order of
    /// first binding.
    pub locals: Vec<String>,
    pub index: HashMap<String, u16>,
    /// Names declared `global` (with the first declaration's position).
    pub globals: HashMap<String, Pos>,
    /// Names declared `nonlocal` (with the first declaration's position).
    pub nonlocals: HashMap<String, Pos>,
    /// Locals bound by `import m [as name]` to a module.
    pub modules: HashMap<String, ModuleRef>,
    /// Slots read and written through a cell (codegen fills this): the
    /// locals a nested function captures, and the free variables.
    pub derefs: HashMap<String, u16>,
    /// The free variables in slot order (right after the parameters).
    pub frees: Vec<String>,
}

impl FunctionScope {
    pub fn local(&self, name: &str) -> Option<u16> {
        self.index.get(name).copied()
    }
    pub fn is_global(&self, name: &str) -> bool {
        self.globals.contains_key(name)
    }
    pub fn deref(&self, name: &str) -> Option<u16> {
        self.derefs.get(name).copied()
    }
    /// Whether `name` is a variable of this function (local or free).
    pub fn binds(&self, name: &str) -> bool {
        self.index.contains_key(name) || self.derefs.contains_key(name)
    }
}

/// What a statement list binds, not looking inside nested functions,
/// lambdas or comprehensions (they are scopes of their own).
#[derive(Default)]
struct Bindings<'a> {
    names: Vec<String>,
    seen: HashSet<String>,
    globals: HashMap<String, Pos>,
    nonlocals: HashMap<String, Pos>,
    modules: HashMap<String, ModuleRef>,
    /// The source modules of the program, for `from m import *` (None in
    /// a function, where that is an error).
    linked: Option<&'a Modules>,
}

impl Bindings<'_> {
    fn bind(&mut self, name: &str) {
        if self.seen.insert(name.to_string()) {
            self.names.push(name.to_string());
        }
    }
}

/// The module scope of `body` (the program's or a source module's);
/// `linked` holds the source modules it may import.
pub fn analyze_module(body: &[Stmt], linked: &Modules) -> ModuleScope {
    let mut b = Bindings { linked: Some(linked), ..Bindings::default() };
    collect(body, &mut b);
    let mut scope = ModuleScope { bound: b.seen, bound_in_order: b.names, modules: b.modules };
    // `global x` in any function that also binds x makes x a global that
    // something binds.
    let mut defs: Vec<&[Stmt]> = Vec::new();
    find_defs(body, &mut defs);
    while let Some(def_body) = defs.pop() {
        let mut b = Bindings::default();
        collect(def_body, &mut b);
        for name in b.globals.keys() {
            if b.seen.contains(name) {
                scope.bound.insert(name.clone());
                if let Some(m) = b.modules.get(name) {
                    scope.modules.insert(name.clone(), m.clone());
                }
            }
        }
        find_defs(def_body, &mut defs);
    }
    scope
}

/// The bodies of the `def`s directly in `body` (inside its compound
/// statements, but not inside those defs).
fn find_defs<'a>(body: &'a [Stmt], out: &mut Vec<&'a [Stmt]>) {
    for stmt in body {
        match &stmt.kind {
            StmtKind::Def { body, .. } => out.push(body),
            StmtKind::If { body, orelse, .. } | StmtKind::While { body, orelse, .. } | StmtKind::For { body, orelse, .. } => {
                find_defs(body, out);
                find_defs(orelse, out);
            }
            _ => {}
        }
    }
}

/// The scope of a function with these parameters and body (a lambda's body
/// is an expression and binds nothing).
pub fn analyze_function(params: &[Param], body: &[Stmt]) -> FunctionScope {
    let mut b = Bindings::default();
    for p in params {
        b.bind(&p.name);
    }
    collect(body, &mut b);
    let mut scope = FunctionScope { globals: b.globals, nonlocals: b.nonlocals, ..FunctionScope::default() };
    for (i, name) in b.names.into_iter().enumerate() {
        // Parameters stay locals even when (wrongly) declared global or
        // nonlocal: codegen reports that conflict.
        if i >= params.len() && (scope.globals.contains_key(&name) || scope.nonlocals.contains_key(&name)) {
            continue;
        }
        if let Some(m) = b.modules.get(&name) {
            scope.modules.insert(name.clone(), m.clone());
        }
        scope.index.insert(name.clone(), scope.locals.len() as u16);
        scope.locals.push(name);
    }
    scope
}

fn collect(body: &[Stmt], b: &mut Bindings) {
    for stmt in body {
        match &stmt.kind {
            StmtKind::Assign { targets, .. } => targets.iter().for_each(|t| bind_target(t, b)),
            StmtKind::AugAssign { target, .. } => bind_target(target, b),
            StmtKind::For { target, body, orelse, .. } => {
                bind_target(target, b);
                collect(body, b);
                collect(orelse, b);
            }
            StmtKind::If { body, orelse, .. } | StmtKind::While { body, orelse, .. } => {
                collect(body, b);
                collect(orelse, b);
            }
            StmtKind::Def { name, .. } => b.bind(name),
            StmtKind::Import(aliases) => {
                for alias in aliases {
                    // `import a.b` binds `a`; `import a.b as c` binds `c`.
                    let name = alias.as_name.clone().unwrap_or_else(|| alias.name.split('.').next().unwrap_or_default().to_string());
                    if let Some(module) = module_ref(&alias.name) {
                        b.modules.insert(name.clone(), module);
                    }
                    b.bind(&name);
                }
            }
            StmtKind::ImportFrom { module, names } => {
                if names.is_empty() {
                    // `from m import *` binds every member of m.
                    if let Some(m) = natives::module_named(module) {
                        for native in NATIVES.iter().filter(|n| n.module == m && !matches!(n.kind, Kind::Module)) {
                            b.bind(native.name);
                        }
                    }
                    if let Some(names) = b.linked.and_then(|l| l.exports(module)) {
                        for name in names {
                            b.bind(name);
                        }
                    }
                }
                for alias in names {
                    b.bind(alias.as_name.as_deref().unwrap_or(&alias.name));
                }
            }
            StmtKind::Global(names) => {
                for name in names {
                    b.globals.entry(name.clone()).or_insert(stmt.pos);
                }
            }
            StmtKind::Nonlocal(names) => {
                for name in names {
                    b.nonlocals.entry(name.clone()).or_insert(stmt.pos);
                }
            }
            StmtKind::Expr(_)
            | StmtKind::Return(_)
            | StmtKind::Pass
            | StmtKind::Break
            | StmtKind::Continue
            | StmtKind::Print { .. } => {}
        }
    }
}

fn bind_target(target: &Expr, b: &mut Bindings) {
    match &target.kind {
        ExprKind::Name(n) => b.bind(n),
        ExprKind::Tuple(items) | ExprKind::List(items) => items.iter().for_each(|t| bind_target(t, b)),
        ExprKind::Starred(inner) => bind_target(inner, b),
        _ => {}
    }
}

/// The names a comprehension target binds, in order.
pub fn target_names(target: &Expr, out: &mut Vec<String>) {
    match &target.kind {
        ExprKind::Name(n) if !out.contains(n) => out.push(n.clone()),
        ExprKind::Tuple(items) | ExprKind::List(items) => items.iter().for_each(|t| target_names(t, out)),
        ExprKind::Starred(inner) => target_names(inner, out),
        _ => {}
    }
}

/// What a function's closures need, before codegen knows the enclosing
/// functions: `free`, the names it uses (or its nested functions use) that
/// are not its own, in order of first use (codegen keeps those an enclosing
/// function binds: its free variables); `cells`, its locals that nested
/// functions use. (A comprehension's variables that functions inside it use
/// are the comprehension's business: [`captured_by_functions`].)
#[derive(Debug, Default)]
pub struct Captures {
    pub free: Vec<String>,
    pub cells: Vec<String>,
}

/// The captures of a function with `scope` whose code is `body` (a def)
/// or `expr` (a lambda).
pub fn captures(scope: &FunctionScope, body: &[Stmt], expr: Option<&Expr>) -> Captures {
    let mut w = Uses { scope, comps: Vec::new(), out: Captures::default(), nested: Vec::new() };
    w.stmts(body);
    if let Some(e) = expr {
        w.expr(e);
    }
    w.out
}

/// The captures of a nested def or lambda (its scope analysed here).
fn nested(params: &[Param], body: &[Stmt], expr: Option<&Expr>) -> Captures {
    captures(&analyze_function(params, body), body, expr)
}

/// Walks one function's code (not into nested functions, whose captures
/// are computed on their own and taken as uses).
struct Uses<'a> {
    scope: &'a FunctionScope,
    /// The variables of the comprehensions around the current expression.
    comps: Vec<Vec<String>>,
    out: Captures,
    /// Every name the nested functions use from outside themselves.
    nested: Vec<String>,
}

fn push_new(list: &mut Vec<String>, name: &str) {
    if !list.iter().any(|n| n == name) {
        list.push(name.to_string());
    }
}

impl Uses<'_> {
    fn in_comprehension(&self, name: &str) -> bool {
        self.comps.iter().any(|c| c.iter().any(|n| n == name))
    }

    fn use_name(&mut self, name: &str) {
        let own = self.scope.index.contains_key(name) || self.scope.is_global(name);
        if !own && !self.in_comprehension(name) {
            push_new(&mut self.out.free, name);
        }
    }

    /// A nested function's free names: uses here, cells when they are ours.
    fn nested_uses(&mut self, inner: Captures) {
        for name in &inner.free {
            push_new(&mut self.nested, name);
            if self.in_comprehension(name) {
                // A comprehension variable: a cell of the comprehension.
            } else if self.scope.index.contains_key(name) && !self.scope.is_global(name) {
                push_new(&mut self.out.cells, name);
            } else {
                self.use_name(name);
            }
        }
    }

    fn stmts(&mut self, body: &[Stmt]) {
        body.iter().for_each(|s| self.stmt(s));
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match &stmt.kind {
            StmtKind::Expr(e) | StmtKind::Return(Some(e)) => self.expr(e),
            StmtKind::Assign { targets, value } => {
                targets.iter().for_each(|t| self.expr(t));
                self.expr(value);
            }
            StmtKind::AugAssign { target, value, .. } => {
                self.expr(target);
                self.expr(value);
            }
            StmtKind::If { cond, body, orelse } | StmtKind::While { cond, body, orelse } => {
                self.expr(cond);
                self.stmts(body);
                self.stmts(orelse);
            }
            StmtKind::For { target, iter, body, orelse } => {
                self.expr(target);
                self.expr(iter);
                self.stmts(body);
                self.stmts(orelse);
            }
            StmtKind::Def { params, body, .. } => {
                params.iter().filter_map(|p| p.default.as_ref()).for_each(|d| self.expr(d));
                let inner = nested(params, body, None);
                self.nested_uses(inner);
            }
            StmtKind::Nonlocal(names) => names.iter().for_each(|n| self.use_name(n)),
            StmtKind::Print { args, .. } => args.iter().for_each(|a| self.expr(a)),
            StmtKind::Return(None)
            | StmtKind::Pass
            | StmtKind::Break
            | StmtKind::Continue
            | StmtKind::Global(_)
            | StmtKind::Import(_)
            | StmtKind::ImportFrom { .. } => {}
        }
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Name(n) => self.use_name(n),
            ExprKind::Lambda { params, body } => {
                params.iter().filter_map(|p| p.default.as_ref()).for_each(|d| self.expr(d));
                let inner = nested(params, &[], Some(body));
                self.nested_uses(inner);
            }
            ExprKind::ListComp { element, clauses } | ExprKind::Generator { element, clauses } => {
                // The first iterable is evaluated outside the comprehension.
                if let Some(first) = clauses.first() {
                    self.expr(&first.iter);
                }
                let mut names = Vec::new();
                clauses.iter().for_each(|c| target_names(&c.target, &mut names));
                self.comps.push(names);
                for (i, c) in clauses.iter().enumerate() {
                    if i > 0 {
                        self.expr(&c.iter);
                    }
                    self.expr(&c.target);
                    c.conditions.iter().for_each(|cond| self.expr(cond));
                }
                self.expr(element);
                self.comps.pop();
            }
            ExprKind::Unary(_, a) | ExprKind::Attribute(a, _) | ExprKind::Starred(a) => self.expr(a),
            ExprKind::Binary(_, a, b) | ExprKind::Subscript(a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::BoolOp(_, items) | ExprKind::List(items) | ExprKind::Tuple(items) => {
                items.iter().for_each(|i| self.expr(i));
            }
            ExprKind::Compare(first, rest) => {
                self.expr(first);
                rest.iter().for_each(|(_, x)| self.expr(x));
            }
            ExprKind::IfElse { cond, then, otherwise } => {
                self.expr(cond);
                self.expr(then);
                self.expr(otherwise);
            }
            ExprKind::Call { func, args } => {
                self.expr(func);
                for a in args {
                    match a {
                        Arg::Positional(x) | Arg::Keyword(_, x) | Arg::Star(x) | Arg::DoubleStar(x) => self.expr(x),
                    }
                }
            }
            ExprKind::Slice(lo, hi, step) => {
                [lo, hi, step].into_iter().flatten().for_each(|x| self.expr(x));
            }
            ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::None => {}
        }
    }
}

/// The names that functions (lambdas) inside a comprehension's element,
/// conditions and later iterables use from outside themselves.
pub fn captured_by_functions(element: &Expr, clauses: &[crate::ast::Comprehension]) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut exprs: Vec<&Expr> = vec![element];
    for (i, c) in clauses.iter().enumerate() {
        if i > 0 {
            exprs.push(&c.iter);
        }
        exprs.extend(c.conditions.iter());
    }
    let empty = FunctionScope::default();
    let mut w = Uses { scope: &empty, comps: Vec::new(), out: Captures::default(), nested: Vec::new() };
    exprs.into_iter().for_each(|e| w.expr(e));
    out.extend(w.nested);
    out
}

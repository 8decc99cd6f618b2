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
//! Codegen asks: which names are globals that something binds (so `len`
//! stays the builtin unless the program rebinds it), which names hold a
//! device module (so `math.sqrt` resolves at compile time), and per
//! function, its locals in slot order.

use std::collections::{HashMap, HashSet};

use shared_protocol::natives::{self, Kind, NATIVES};

use crate::ast::{Expr, ExprKind, Param, Stmt, StmtKind};
use crate::error::Pos;

#[derive(Debug, Default)]
pub struct ModuleScope {
    /// Every global name something binds: at module level (assigned,
    /// imported, def'd, loop variable), or in a function that declares it
    /// `global` and binds it.
    pub bound: HashSet<String>,
    /// Global names bound by `import m [as name]` to a device module, and the
    /// module's native number, so `name.attr` resolves at compile time.
    pub modules: HashMap<String, u16>,
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
    /// Locals bound by `import m [as name]` to a device module.
    pub modules: HashMap<String, u16>,
}

impl FunctionScope {
    pub fn local(&self, name: &str) -> Option<u16> {
        self.index.get(name).copied()
    }
    pub fn is_global(&self, name: &str) -> bool {
        self.globals.contains_key(name)
    }
}

/// What a statement list binds, not looking inside nested functions,
/// lambdas or comprehensions (they are scopes of their own).
#[derive(Debug, Default)]
struct Bindings {
    names: Vec<String>,
    seen: HashSet<String>,
    globals: HashMap<String, Pos>,
    modules: HashMap<String, u16>,
}

impl Bindings {
    fn bind(&mut self, name: &str) {
        if self.seen.insert(name.to_string()) {
            self.names.push(name.to_string());
        }
    }
}

pub fn analyze_module(body: &[Stmt]) -> ModuleScope {
    let mut b = Bindings::default();
    collect(body, &mut b);
    let mut scope = ModuleScope { bound: b.seen, modules: b.modules };
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
                if let Some(&m) = b.modules.get(name) {
                    scope.modules.insert(name.clone(), m);
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
    let mut scope = FunctionScope { globals: b.globals, ..FunctionScope::default() };
    for (i, name) in b.names.into_iter().enumerate() {
        // Parameters stay locals even when (wrongly) declared global:
        // codegen reports that conflict.
        if i >= params.len() && scope.globals.contains_key(&name) {
            continue;
        }
        if let Some(&m) = b.modules.get(&name) {
            scope.modules.insert(name.clone(), m);
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
                    if let Some(module) = natives::module_named(&alias.name) {
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
            StmtKind::Expr(_)
            | StmtKind::Return(_)
            | StmtKind::Pass
            | StmtKind::Break
            | StmtKind::Continue
            | StmtKind::Nonlocal(_)
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

//! Which names a module binds. For now the module body is the only scope:
//! every name it binds is a global. Codegen asks two things: is a builtin
//! name (like `print`) rebound, and which names hold a device module.

use std::collections::{HashMap, HashSet};

use shared_protocol::natives::{self, Kind, NATIVES};

use crate::ast::{Expr, ExprKind, Stmt, StmtKind};

#[derive(Debug, Default)]
pub struct ModuleScope {
    /// Every name bound at module level (assigned, imported, def'd, loop variable).
    pub bound: HashSet<String>,
    /// Names bound by `import m [as name]` to a device module, and the module's
    /// native number, so `name.attr` resolves at compile time.
    pub modules: HashMap<String, u16>,
}

impl ModuleScope {
    pub fn is_bound(&self, name: &str) -> bool {
        self.bound.contains(name)
    }
}

pub fn analyze_module(body: &[Stmt]) -> ModuleScope {
    let mut scope = ModuleScope::default();
    collect(body, &mut scope);
    scope
}

fn collect(body: &[Stmt], scope: &mut ModuleScope) {
    for stmt in body {
        match &stmt.kind {
            StmtKind::Assign { targets, .. } => targets.iter().for_each(|t| bind_target(t, scope)),
            StmtKind::AugAssign { target, .. } => bind_target(target, scope),
            StmtKind::For { target, body, orelse, .. } => {
                bind_target(target, scope);
                collect(body, scope);
                collect(orelse, scope);
            }
            StmtKind::If { body, orelse, .. } | StmtKind::While { body, orelse, .. } => {
                collect(body, scope);
                collect(orelse, scope);
            }
            StmtKind::Def { name, .. } => {
                scope.bound.insert(name.clone());
            }
            StmtKind::Import(aliases) => {
                for alias in aliases {
                    // `import a.b` binds `a`; `import a.b as c` binds `c`.
                    let name = alias.as_name.clone().unwrap_or_else(|| alias.name.split('.').next().unwrap_or_default().to_string());
                    if let Some(module) = natives::module_named(&alias.name) {
                        scope.modules.insert(name.clone(), module);
                    }
                    scope.bound.insert(name);
                }
            }
            StmtKind::ImportFrom { module, names } => {
                if names.is_empty() {
                    // `from m import *` binds every member of m.
                    if let Some(m) = natives::module_named(module) {
                        for native in NATIVES.iter().filter(|n| n.module == m && !matches!(n.kind, Kind::Module)) {
                            scope.bound.insert(native.name.to_string());
                        }
                    }
                }
                for alias in names {
                    scope.bound.insert(alias.as_name.clone().unwrap_or_else(|| alias.name.clone()));
                }
            }
            StmtKind::Expr(_)
            | StmtKind::Return(_)
            | StmtKind::Pass
            | StmtKind::Break
            | StmtKind::Continue
            | StmtKind::Global(_)
            | StmtKind::Nonlocal(_)
            | StmtKind::Print { .. } => {}
        }
    }
}

fn bind_target(target: &Expr, scope: &mut ModuleScope) {
    match &target.kind {
        ExprKind::Name(n) => {
            scope.bound.insert(n.clone());
        }
        ExprKind::Tuple(items) | ExprKind::List(items) => items.iter().for_each(|t| bind_target(t, scope)),
        ExprKind::Starred(inner) => bind_target(inner, scope),
        _ => {}
    }
}

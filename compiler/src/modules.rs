//! Source modules: ePython's modules (`util`, `array`, `memory`,
//! `taskfarm`), written for this project as Python source (`modules/*.py`)
//! that lives in the compiler and is compiled into the program image when
//! the program imports one. The device has no bytes for them.
//!
//! How a program gets them ([`link`], before scope analysis):
//! - every `import m` / `from m import ...` naming a source module, in the
//!   program or in a module it imports, brings that module in once; its
//!   own imports (device modules, other source modules) come first, and
//!   an import cycle is an error;
//! - each module's body is compiled into the program's module body, before
//!   the program's own statements, in that order (codegen.rs), so its
//!   functions exist by the time any import statement runs;
//! - a module's globals are the image's globals `m.name` (a dot no
//!   identifier holds: they never meet the program's globals, nor another
//!   module's); `import m` binds nothing at run time, `m.name` reads the
//!   global `m.name`, `from m import x` copies it into the importer's `x`,
//!   and `from m import *` copies every name the module binds at its top
//!   level that does not start with `_`;
//! - `import builtins` (`builtins.len`) reaches the device's builtins, which
//!   a module shadows when it defines a `len` or a `range` of its own.
//!
//! Lines: a module's tokens are numbered after the program's lines (and
//! after the modules before it), so one line table serves the whole image.
//! [`SourceMap`] turns such a line back into the module's file and line, for
//! compile errors here and, through the image's SOURCES table
//! (`shared_protocol::bytecode::header::SOURCES`), for the host's reports of
//! errors on the cores (`util.py:12`).

use std::collections::HashMap;

use crate::ast::{Stmt, StmtKind};
use crate::dialect::Dialect;
use crate::error::{CompileError, Located, Pos, Result, syntax};
use crate::scope::{self, ModuleScope};
use crate::{lexer, parser};

/// One of ePython's modules, as source.
pub struct SourceModule {
    pub name: &'static str,
    /// The file name errors inside it carry.
    pub file: &'static str,
    pub source: &'static str,
}

/// Every source module, by name.
pub static SOURCE_MODULES: &[SourceModule] = &[
    SourceModule { name: "util", file: "util.py", source: include_str!("modules/util.py") },
    SourceModule { name: "array", file: "array.py", source: include_str!("modules/array.py") },
    SourceModule { name: "memory", file: "memory.py", source: include_str!("modules/memory.py") },
    SourceModule { name: "taskfarm", file: "taskfarm.py", source: include_str!("modules/taskfarm.py") },
];

/// The pseudo-module naming the device's builtins.
pub const BUILTINS: &str = "builtins";

pub fn source_module(name: &str) -> Option<&'static SourceModule> {
    SOURCE_MODULES.iter().find(|m| m.name == name)
}

/// ePython's `import m` splices m's source into the program, so its
/// programs call `initTaskFarm()` after `import taskfarm`: in the dialect,
/// each top-level `import m` of a source module (without `as`) is followed
/// by `from m import *` (device modules get the same from codegen's
/// `imported_member`).
pub fn splice_imports(body: &mut Vec<Stmt>) {
    let mut at = 0;
    while at < body.len() {
        let spliced: Vec<Stmt> = match &body[at].kind {
            StmtKind::Import(aliases) => aliases
                .iter()
                .filter(|a| a.as_name.is_none() && source_module(&a.name).is_some())
                .map(|a| Stmt { pos: a.pos, kind: StmtKind::ImportFrom { module: a.name.clone(), names: Vec::new() } })
                .collect(),
            _ => Vec::new(),
        };
        let n = spliced.len();
        body.splice(at + 1..at + 1, spliced);
        at += 1 + n;
    }
}

/// The prefix of module `name`'s globals in the image (`util.range`).
pub fn global_prefix(name: &str) -> String {
    format!("{name}.")
}

/// A source module brought into a program.
pub struct Linked {
    pub module: &'static SourceModule,
    pub body: Vec<Stmt>,
    pub scope: ModuleScope,
    /// What `from m import *` binds, in the order the module binds them.
    pub exports: Vec<String>,
}

/// Which file and line each line of the image's line table belongs to:
/// lines up to the first base are the program's own; a line above base
/// `b` of module file `f` (and below the next base) is `f`'s line `line - b`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceMap {
    /// (base, file), by increasing base.
    pub modules: Vec<(u32, String)>,
}

impl SourceMap {
    /// `(Some(module file), its line)`, or `(None, line)` for the program's own.
    pub fn locate(&self, line: u32) -> (Option<&str>, u32) {
        match self.modules.iter().rev().find(|(base, _)| line > *base) {
            Some((base, file)) => (Some(file.as_str()), line - base),
            None => (None, line),
        }
    }

    /// A compile error at `e` in the program `filename` or in a module.
    pub fn error(&self, e: Located, filename: &str) -> CompileError {
        let (file, line) = self.locate(e.pos.line);
        let mut out = e.into_error(file.unwrap_or(filename));
        out.line = line;
        out
    }

    /// The image's SOURCES text: `BASE FILE` lines (bytecode.rs).
    pub fn to_text(&self) -> String {
        self.modules.iter().map(|(base, file)| format!("{base} {file}")).collect::<Vec<_>>().join("\n")
    }

    /// Read an image's SOURCES text back (None when it is malformed).
    pub fn from_text(text: &str) -> Option<SourceMap> {
        let mut modules = Vec::new();
        for line in text.lines().filter(|l| !l.is_empty()) {
            let (base, file) = line.split_once(' ')?;
            modules.push((base.parse().ok()?, file.to_string()));
        }
        modules.windows(2).all(|w| w[0].0 < w[1].0).then_some(SourceMap { modules })
    }
}

/// The source modules a program needs, dependencies first.
#[derive(Default)]
pub struct Modules {
    pub linked: Vec<Linked>,
    pub map: SourceMap,
    index: HashMap<&'static str, usize>,
}

impl Modules {
    pub fn get(&self, name: &str) -> Option<&Linked> {
        self.index.get(name).map(|&i| &self.linked[i])
    }

    /// The names `from name import *` binds (None: not a source module of this program).
    pub fn exports(&self, name: &str) -> Option<&[String]> {
        self.get(name).map(|m| m.exports.as_slice())
    }
}

/// The highest line image lines may reach (the line table holds 16 bits).
const MAX_LINE: u32 = u16::MAX as u32;

/// Bring in the source modules `body` imports (and theirs). `first_free`
/// is the first line number above the program's own lines. The modules
/// are read in the program's `dialect`, so their names fold as its do (an
/// ePython program's `oddSort` is `oddsort`, and so is util's).
pub fn link(body: &[Stmt], first_free: u32, dialect: Dialect) -> std::result::Result<Modules, (Located, SourceMap)> {
    link_from(body, first_free, dialect, source_module)
}

/// [`link`] with the source modules `find` names (tests give their own).
fn link_from(
    body: &[Stmt],
    first_free: u32,
    dialect: Dialect,
    find: fn(&str) -> Option<&'static SourceModule>,
) -> std::result::Result<Modules, (Located, SourceMap)> {
    let mut linker = Linker { modules: Modules::default(), next_base: first_free, open: Vec::new(), dialect, find };
    match linker.imports_of(body) {
        Ok(()) => Ok(linker.modules),
        Err(e) => Err((e, linker.modules.map)),
    }
}

struct Linker {
    modules: Modules,
    next_base: u32,
    /// Modules being linked (their imports are being brought in): a cycle.
    open: Vec<&'static str>,
    dialect: Dialect,
    find: fn(&str) -> Option<&'static SourceModule>,
}

impl Linker {
    fn imports_of(&mut self, body: &[Stmt]) -> Result<()> {
        for stmt in body {
            match &stmt.kind {
                StmtKind::Import(aliases) => {
                    for alias in aliases {
                        self.import(&alias.name, alias.pos)?;
                    }
                }
                StmtKind::ImportFrom { module, .. } => self.import(module, stmt.pos)?,
                StmtKind::If { body, orelse, .. }
                | StmtKind::While { body, orelse, .. }
                | StmtKind::For { body, orelse, .. } => {
                    self.imports_of(body)?;
                    self.imports_of(orelse)?;
                }
                StmtKind::Def { body, .. } => self.imports_of(body)?,
                _ => {}
            }
        }
        Ok(())
    }

    fn import(&mut self, name: &str, pos: Pos) -> Result<()> {
        if shared_protocol::natives::module_named(name).is_some() || name == BUILTINS || self.modules.index.contains_key(name) {
            return Ok(());
        }
        let Some(module) = (self.find)(name) else {
            return Err(syntax(pos, unknown_module(name)));
        };
        if let Some(at) = self.open.iter().position(|&m| m == name) {
            let cycle: Vec<&str> = self.open[at..].iter().copied().chain([name]).collect();
            return Err(syntax(pos, format!("import cycle between source modules: {}", cycle.join(" -> "))));
        }
        let base = self.next_base;
        let lines = module.source.lines().count() as u32 + 1;
        if base + lines > MAX_LINE {
            return Err(syntax(pos, "program too large: the line table holds lines up to 65535 (the program and its modules)"));
        }
        self.next_base = base + lines;
        self.modules.map.modules.push((base, module.file.to_string()));
        let body = parser::parse_with(lexer::tokenize_with(module.source, base + 1, self.dialect)?, self.dialect)?;
        self.open.push(module.name);
        self.imports_of(&body)?;
        self.open.pop();
        let scope = scope::analyze_module(&body, &self.modules);
        let exports = scope.bound_in_order.iter().filter(|n| !n.starts_with('_')).cloned().collect();
        self.modules.index.insert(module.name, self.modules.linked.len());
        self.modules.linked.push(Linked { module, body, scope, exports });
        Ok(())
    }
}

/// "no module named 'x'", with the modules there are.
pub fn unknown_module(name: &str) -> String {
    let device: Vec<&str> = shared_protocol::natives::NATIVES
        .iter()
        .filter(|n| n.kind == shared_protocol::natives::Kind::Module)
        .map(|n| n.name)
        .collect();
    let source: Vec<&str> = SOURCE_MODULES.iter().map(|m| m.name).collect();
    format!(
        "no module named '{name}' on the device (its modules: {}; ePython's: {})",
        device.join(", "),
        source.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_map_locates_module_lines_and_reads_back() {
        let map = SourceMap { modules: vec![(100, "util.py".into()), (150, "array.py".into())] };
        assert_eq!(map.locate(7), (None, 7));
        assert_eq!(map.locate(100), (None, 100));
        assert_eq!(map.locate(101), (Some("util.py"), 1));
        assert_eq!(map.locate(162), (Some("array.py"), 12));
        assert_eq!(SourceMap::from_text(&map.to_text()), Some(map));
        assert_eq!(SourceMap::from_text("12 a.py\n5 b.py"), None, "bases must increase");
        assert_eq!(SourceMap::from_text("x a.py"), None);
    }

    #[test]
    fn an_import_cycle_between_source_modules_is_an_error() {
        static CYCLE: [SourceModule; 2] = [
            SourceModule { name: "ping", file: "ping.py", source: "x = 1\nimport pong\n" },
            SourceModule { name: "pong", file: "pong.py", source: "from ping import x\n" },
        ];
        let find = |name: &str| CYCLE.iter().find(|m| m.name == name);
        let body = parser::parse(lexer::tokenize("import ping\n").unwrap()).unwrap();
        let Err((e, map)) = link_from(&body, 10, Dialect::Python3, find) else { panic!("linked a cycle") };
        let e = map.error(e, "main.py");
        assert_eq!((e.file.as_str(), e.line), ("pong.py", 1));
        assert!(e.message.contains("import cycle between source modules: ping -> pong -> ping"), "{}", e.message);
    }

    #[test]
    fn an_error_in_a_module_names_its_file_and_line() {
        static BAD: [SourceModule; 1] = [SourceModule { name: "bad", file: "bad.py", source: "x = 1\ny = (2\n" }];
        let find = |name: &str| BAD.iter().find(|m| m.name == name);
        let body = parser::parse(lexer::tokenize("a = 1\nb = 2\nimport bad\n").unwrap()).unwrap();
        let Err((e, map)) = link_from(&body, 5, Dialect::Python3, find) else { panic!("linked a bad module") };
        let e = map.error(e, "main.py");
        assert_eq!(e.to_string(), "bad.py:2:5: SyntaxError: '(' was never closed");
    }

    #[test]
    fn every_source_module_parses_and_names_its_file() {
        for m in SOURCE_MODULES {
            assert_eq!(m.file, format!("{}.py", m.name));
            parser::parse(lexer::tokenize(m.source).unwrap()).unwrap_or_else(|e| panic!("{}: {e:?}", m.file));
        }
    }
}

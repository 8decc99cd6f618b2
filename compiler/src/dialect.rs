//! The language a source is written in: Python 3 (the default) or ePython's
//! dialect (reference/epython-dialect.md), and how a program chooses it.
//!
//! A file names its dialect on its first line (the second after a `#!`
//! line), as Python's coding cookie does:
//!
//! ```text
//! # epython: dialect=epython
//! ```
//!
//! What the ePython dialect changes, stage by stage:
//! - lexer: names are case-insensitive (keywords, `True`/`False`/`None` and
//!   identifiers are folded to lower case, [`Dialect::fold`]);
//! - parser: `^` is power (`**`'s precedence, right associative), not xor;
//! - codegen: `/` and `%` between ints truncate as C does, `str + number`
//!   formats the number, `input()` gives an int or a float when the line is
//!   one, `math.pi()` and `math.e()` are callable, the members of an imported
//!   device module are names of their own (`import parallel` then
//!   `coreid()`), the names ePython knows without an import are there
//!   ([`implicit_native`], and a bare `random`), and module-level functions
//!   are callable above their `def`;
//! - parser: `dim NAME[n]` and `sdim NAME[n]` are `NAME = [0] * n`, and
//!   `print (a)/b` is the print statement of `(a)/b`.
//!
//! `/* ... */` comments are accepted in both dialects (they are never valid
//! Python 3).

use std::borrow::Cow;

use shared_protocol::natives;

use crate::error::{Pos, Result, syntax};

/// The math functions ePython's lexer has as keywords (`sqrt(x)` without an
/// import).
const MATH_KEYWORDS: [&str; 14] =
    ["sqrt", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "floor", "ceil", "log", "log10"];

/// The device function `name` is in the ePython dialect when the program
/// binds and imports nothing by that name: a member of the `parallel`
/// module (ePython's offload kernels, and programs after `import
/// taskfarm`, call `coreid()` so) or one of ePython's math keywords.
pub fn implicit_native(name: &str) -> Option<u16> {
    natives::member(natives::PARALLEL, name)
        .or_else(|| MATH_KEYWORDS.contains(&name).then(|| natives::member(natives::MATH, name)).flatten())
}

/// Every name [`implicit_native`] knows (the offload API's host side
/// lets a kernel read them).
pub fn implicit_names() -> impl Iterator<Item = &'static str> {
    natives::NATIVES
        .iter()
        .filter(|n| n.module == natives::PARALLEL)
        .map(|n| n.name)
        .chain(MATH_KEYWORDS)
        .chain(["random"])
}

/// Which language a source is written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Python 3's semantics (ePython's `print "x"` statement is accepted too).
    #[default]
    Python3,
    /// ePython's language, as its programs rely on it.
    Epython,
}

impl Dialect {
    pub const ALL: [Dialect; 2] = [Dialect::Python3, Dialect::Epython];

    /// The name the command line, the marker and the offload API use.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Python3 => "python3",
            Dialect::Epython => "epython",
        }
    }

    pub fn from_name(name: &str) -> Option<Dialect> {
        Dialect::ALL.into_iter().find(|d| d.name() == name)
    }

    /// A name as the program means it: ePython's names are case-insensitive,
    /// so they are compared in lower case (`numCores()` is `numcores()`).
    pub fn fold(self, name: &str) -> Cow<'_, str> {
        match self {
            Dialect::Epython if name.chars().any(char::is_uppercase) => Cow::Owned(name.to_lowercase()),
            _ => Cow::Borrowed(name),
        }
    }
}

impl std::fmt::Display for Dialect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The dialect `source` names in its marker line, if it has one: the first
/// line, or the second when the first is a `#!` line. A marker naming no
/// dialect is a SyntaxError (a typo must not silently mean Python 3).
pub fn marker(source: &str) -> Result<Option<Dialect>> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    for (i, line) in source.lines().take(2).enumerate() {
        if let Some(name) = marker_value(line) {
            let pos = Pos { line: i as u32 + 1, col: 1 };
            return match Dialect::from_name(name) {
                Some(d) => Ok(Some(d)),
                None => Err(syntax(pos, format!("unknown dialect '{name}' in the marker (use 'dialect=epython' or 'dialect=python3')"))),
            };
        }
        if !line.starts_with("#!") {
            break;
        }
    }
    Ok(None)
}

/// `NAME` of a line `# epython: dialect=NAME` (spaces allowed around the
/// parts, nothing after the name but spaces).
fn marker_value(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix('#')?.trim_start().strip_prefix("epython:")?.trim_start();
    let rest = rest.strip_prefix("dialect")?.trim_start().strip_prefix('=')?.trim();
    (!rest.is_empty() && !rest.contains(char::is_whitespace)).then_some(rest)
}

/// What the compiler is told besides the source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The dialect to compile; `None`: the one the source's marker names,
    /// else Python 3. A dialect given here wins over the marker.
    pub dialect: Option<Dialect>,
}

impl Options {
    pub fn dialect(dialect: Dialect) -> Options {
        Options { dialect: Some(dialect) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        assert_eq!(marker("# epython: dialect=epython\nx = 1\n"), Ok(Some(Dialect::Epython)));
        assert_eq!(marker("#epython:dialect = python3"), Ok(Some(Dialect::Python3)));
        assert_eq!(marker("#!/usr/bin/env epython\n  # epython: dialect=epython  \n"), Ok(Some(Dialect::Epython)));
        assert_eq!(marker("\u{feff}# epython: dialect=epython\n"), Ok(Some(Dialect::Epython)));
        // Only the first line (or the second after #!) counts.
        assert_eq!(marker("x = 1\n# epython: dialect=epython\n"), Ok(None));
        assert_eq!(marker("# hello\n# epython: dialect=epython\n"), Ok(None));
        assert_eq!(marker("# epython is fun\n"), Ok(None));
        assert_eq!(marker(""), Ok(None));
        let e = marker("# epython: dialect=epyton\n").unwrap_err();
        assert_eq!(e.pos.line, 1);
        assert!(e.message.contains("unknown dialect 'epyton'"), "{}", e.message);
        assert!(marker("#!x\n# epython: dialect=ePython\n").unwrap_err().pos.line == 2);
    }

    #[test]
    fn folding_is_lower_case_in_the_epython_dialect_only() {
        assert_eq!(Dialect::Epython.fold("numCores"), "numcores");
        assert_eq!(Dialect::Epython.fold("PRINT"), "print");
        assert!(matches!(Dialect::Epython.fold("sqrt"), Cow::Borrowed(_)));
        assert_eq!(Dialect::Python3.fold("numCores"), "numCores");
        assert_eq!(Dialect::from_name("epython"), Some(Dialect::Epython));
        assert_eq!(Dialect::from_name("EPYTHON"), None);
    }
}

//! The device's modules and native functions, by number. The compiler turns
//! `import parallel`, `from parallel import coreid` and `parallel.coreid` into
//! these numbers (`LoadNative`, `LoadModuleAttr`), so the firmware needs no
//! name strings.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Module,
    /// A function callable with `min..=max` positional arguments.
    Function { min_args: u8, max_args: u8 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Native {
    pub name: &'static str,
    /// Index of the module entry this belongs to, or `BUILTIN`.
    pub module: u16,
    pub kind: Kind,
}

/// `Native::module` of builtins (not inside a module).
pub const BUILTIN: u16 = u16::MAX;

pub const PARALLEL: u16 = 0;
pub const PARALLEL_COREID: u16 = 1;
pub const PARALLEL_NUMCORES: u16 = 2;

const fn func(name: &'static str, module: u16, min_args: u8, max_args: u8) -> Native {
    Native { name, module, kind: Kind::Function { min_args, max_args } }
}

/// Indexed by native number.
pub const NATIVES: &[Native] = &[
    Native { name: "parallel", module: BUILTIN, kind: Kind::Module },
    func("coreid", PARALLEL, 0, 0),
    func("numcores", PARALLEL, 0, 0),
];

pub fn get(id: u16) -> Option<&'static Native> {
    NATIVES.get(id as usize)
}

/// The module named `name`.
pub fn module(name: &str) -> Option<u16> {
    NATIVES.iter().position(|n| n.kind == Kind::Module && n.name == name).map(|i| i as u16)
}

/// Member `name` of module `module`.
pub fn member(module: u16, name: &str) -> Option<u16> {
    NATIVES.iter().position(|n| n.module == module && n.name == name).map(|i| i as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_constants_index_the_table() {
        assert_eq!(module("parallel"), Some(PARALLEL));
        assert_eq!(member(PARALLEL, "coreid"), Some(PARALLEL_COREID));
        assert_eq!(member(PARALLEL, "numcores"), Some(PARALLEL_NUMCORES));
        assert_eq!(member(PARALLEL, "nope"), None);
        assert_eq!(module("os"), None);
    }
}

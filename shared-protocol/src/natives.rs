//! The device's modules, builtins and methods, by number. The compiler turns
//! `import math`, `from parallel import coreid`, `parallel.coreid`, `len` and
//! `xs.append(v)` into these numbers (`LoadNative`, `LoadModuleAttr`,
//! `CallMethod`), so the firmware needs no name lookups at run time.

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Module,
    /// A function callable with `min..=max` positional arguments.
    Function { min_args: u8, max_args: u8 },
    /// A module constant (`math.pi`): `LoadNative`/`LoadModuleAttr` push the float.
    Float(f32),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Native {
    pub name: &'static str,
    /// Index of the module entry this belongs to, or `BUILTIN`.
    pub module: u16,
    pub kind: Kind,
}

/// `Native::module` of builtins (not inside a module).
pub const BUILTIN: u16 = u16::MAX;

/// Variadic functions (`min(a, b, c, ...)`) accept up to this many arguments.
pub const MANY: u8 = 255;

const fn module(name: &'static str) -> Native {
    Native { name, module: BUILTIN, kind: Kind::Module }
}
const fn func(name: &'static str, module: u16, min_args: u8, max_args: u8) -> Native {
    Native { name, module, kind: Kind::Function { min_args, max_args } }
}
const fn constant(name: &'static str, module: u16, value: f32) -> Native {
    Native { name, module, kind: Kind::Float(value) }
}

macro_rules! natives {
    ($( $id:ident = $entry:expr; )*) => {
        /// Indexed by native number; the constants below name each entry.
        /// A named (immutable) static rather than a const, so the firmware's
        /// linker script can place this cold table in the DRAM code region.
        pub static NATIVES: [Native; 0 $( + natives!(@one $id) )*] = [ $( $entry, )* ];
        natives!(@ids 0u16, $( $id, )*);
    };
    (@ids $n:expr, $id:ident, $( $rest:ident, )*) => {
        pub const $id: u16 = $n;
        natives!(@ids $n + 1, $( $rest, )*);
    };
    (@ids $n:expr,) => {};
    (@one $id:ident) => { 1 };
}

natives! {
    PARALLEL = module("parallel");
    PARALLEL_COREID = func("coreid", PARALLEL, 0, 0);
    PARALLEL_NUMCORES = func("numcores", PARALLEL, 0, 0);
    MATH = module("math");
    MATH_PI = constant("pi", MATH, core::f32::consts::PI);
    MATH_E = constant("e", MATH, core::f32::consts::E);
    MATH_SQRT = func("sqrt", MATH, 1, 1);
    MATH_POW = func("pow", MATH, 2, 2);
    MATH_EXP = func("exp", MATH, 1, 1);
    MATH_LOG = func("log", MATH, 1, 2);
    MATH_LOG10 = func("log10", MATH, 1, 1);
    MATH_SIN = func("sin", MATH, 1, 1);
    MATH_COS = func("cos", MATH, 1, 1);
    MATH_TAN = func("tan", MATH, 1, 1);
    MATH_ASIN = func("asin", MATH, 1, 1);
    MATH_ACOS = func("acos", MATH, 1, 1);
    MATH_ATAN = func("atan", MATH, 1, 1);
    MATH_ATAN2 = func("atan2", MATH, 2, 2);
    MATH_FLOOR = func("floor", MATH, 1, 1);
    MATH_CEIL = func("ceil", MATH, 1, 1);
    MATH_FABS = func("fabs", MATH, 1, 1);
    MATH_FMOD = func("fmod", MATH, 2, 2);
    MATH_TRUNC = func("trunc", MATH, 1, 1);
    MATH_HYPOT = func("hypot", MATH, 2, 2);

    RANDOM = module("random");
    RANDOM_RANDOM = func("random", RANDOM, 0, 0);
    RANDOM_RANDINT = func("randint", RANDOM, 2, 2);
    RANDOM_UNIFORM = func("uniform", RANDOM, 2, 2);
    RANDOM_SEED = func("seed", RANDOM, 0, 1);
    RANDOM_RANDRANGE = func("randrange", RANDOM, 1, 3);
    RANDOM_CHOICE = func("choice", RANDOM, 1, 1);

    LEN = func("len", BUILTIN, 1, 1);
    RANGE = func("range", BUILTIN, 1, 3);
    ABS = func("abs", BUILTIN, 1, 1);
    MIN = func("min", BUILTIN, 1, MANY);
    MAX = func("max", BUILTIN, 1, MANY);
    SUM = func("sum", BUILTIN, 1, 2);
    INT = func("int", BUILTIN, 0, 1);
    FLOAT = func("float", BUILTIN, 0, 1);
    STR = func("str", BUILTIN, 0, 1);
    BOOL = func("bool", BUILTIN, 0, 1);
    ROUND = func("round", BUILTIN, 1, 2);
    SORTED = func("sorted", BUILTIN, 1, 1);
    ENUMERATE = func("enumerate", BUILTIN, 1, 2);
    ZIP = func("zip", BUILTIN, 0, MANY);
    LIST = func("list", BUILTIN, 0, 1);
    TUPLE = func("tuple", BUILTIN, 0, 1);
    POW = func("pow", BUILTIN, 2, 2);
    DIVMOD = func("divmod", BUILTIN, 2, 2);
    INPUT = func("input", BUILTIN, 0, 1);

    // parallel's messaging (after the builtins: the numbers above stay as they were).
    PARALLEL_ISHOST = func("ishost", PARALLEL, 0, 0);
    PARALLEL_ISDEVICE = func("isdevice", PARALLEL, 0, 0);
    PARALLEL_WTIME = func("wtime", PARALLEL, 0, 0);
    PARALLEL_SYNC = func("sync", PARALLEL, 0, 0);
    PARALLEL_SEND = func("send", PARALLEL, 2, 2);
    PARALLEL_NONBLOCKING_SEND = func("nonblocking_send", PARALLEL, 2, 2);
    PARALLEL_RECV = func("recv", PARALLEL, 1, 1);
    PARALLEL_PROBE = func("probe", PARALLEL, 1, 1);
    PARALLEL_TEST_SENT = func("test_sent", PARALLEL, 1, 1);
    PARALLEL_WAIT_SENT = func("wait_sent", PARALLEL, 1, 1);
    PARALLEL_SENDRECV = func("sendrecv", PARALLEL, 2, 2);
    PARALLEL_BCAST = func("bcast", PARALLEL, 2, 2);
    PARALLEL_REDUCE = func("reduce", PARALLEL, 2, 2);
}

/// Methods, by number (`CallMethod`). The receiver's type decides which
/// exist: `append` on a str is an AttributeError naming the method.
pub const METHODS: &[&str] = &[
    // list
    "append", "pop", "insert", "index", "extend", "count", "reverse", "sort",
    // str
    "upper", "lower", "strip", "lstrip", "rstrip", "split", "join", "find", "replace",
    "startswith", "endswith", "isdigit", "isalpha", "isspace",
];

/// `list.extend`'s number: `xs += ys` (the InplaceAdd opcode) runs it.
pub const METHOD_EXTEND: u8 = 4;

pub fn get(id: u16) -> Option<&'static Native> {
    NATIVES.get(id as usize)
}

/// The module named `name`.
pub fn module_named(name: &str) -> Option<u16> {
    NATIVES.iter().position(|n| n.kind == Kind::Module && n.name == name).map(|i| i as u16)
}

/// Member `name` of module `module`.
pub fn member(module: u16, name: &str) -> Option<u16> {
    NATIVES.iter().position(|n| n.module == module && n.name == name).map(|i| i as u16)
}

/// The builtin named `name`.
pub fn builtin(name: &str) -> Option<u16> {
    member(BUILTIN, name).filter(|&i| NATIVES[i as usize].kind != Kind::Module)
}

/// The method named `name`.
pub fn method(name: &str) -> Option<u8> {
    METHODS.iter().position(|m| *m == name).map(|i| i as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_extend_names_extend() {
        assert_eq!(method("extend"), Some(METHOD_EXTEND));
    }

    #[test]
    fn the_constants_index_the_table() {
        assert_eq!(module_named("parallel"), Some(PARALLEL));
        assert_eq!(member(PARALLEL, "coreid"), Some(PARALLEL_COREID));
        assert_eq!(member(PARALLEL, "numcores"), Some(PARALLEL_NUMCORES));
        assert_eq!(member(MATH, "pi"), Some(MATH_PI));
        assert_eq!(member(RANDOM, "random"), Some(RANDOM_RANDOM));
        assert_eq!(builtin("len"), Some(LEN));
        assert_eq!(builtin("input"), Some(INPUT));
        assert_eq!(builtin("math"), None);
        assert_eq!(member(PARALLEL, "nope"), None);
        assert_eq!(module_named("os"), None);
        assert_eq!(method("append"), Some(0));
        assert!(METHODS.len() < 256);
    }

    #[test]
    fn names_are_unique_within_a_module() {
        for (i, a) in NATIVES.iter().enumerate() {
            for b in &NATIVES[i + 1..] {
                assert!(!(a.module == b.module && a.name == b.name), "{} twice", a.name);
            }
        }
    }
}

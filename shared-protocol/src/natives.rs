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
    /// A type the device makes no values with (`function`, `module`): what
    /// `type(x)` gives for those values. Calling it is a TypeError.
    Type,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Native {
    pub name: &'static str,
    /// Index of the module entry this belongs to, or `BUILTIN`.
    pub module: u16,
    pub kind: Kind,
    /// A class (`int`, `range`, `type`, ...): `type(x)` gives one, and it
    /// prints as `<class 'int'>`, not as a built-in function.
    pub class: bool,
}

/// `Native::module` of builtins (not inside a module).
pub const BUILTIN: u16 = u16::MAX;

/// `Native::module` of the types only `type(x)` gives (`Kind::Type`): no
/// module, so no name finds them.
pub const TYPES: u16 = u16::MAX - 1;

/// Variadic functions (`min(a, b, c, ...)`) accept up to this many arguments.
pub const MANY: u8 = 255;

const fn module(name: &'static str) -> Native {
    Native { name, module: BUILTIN, kind: Kind::Module, class: false }
}
const fn func(name: &'static str, module: u16, min_args: u8, max_args: u8) -> Native {
    Native { name, module, kind: Kind::Function { min_args, max_args }, class: false }
}
/// A builtin class, called like a function (`int("3")`).
const fn class(name: &'static str, min_args: u8, max_args: u8) -> Native {
    Native { name, module: BUILTIN, kind: Kind::Function { min_args, max_args }, class: true }
}
/// A type only `type(x)` gives.
const fn value_type(name: &'static str) -> Native {
    Native { name, module: TYPES, kind: Kind::Type, class: true }
}
/// `NoneType`, which only `type(None)` gives, and which makes None.
const fn none_type() -> Native {
    Native { name: "NoneType", module: TYPES, kind: Kind::Function { min_args: 0, max_args: 0 }, class: true }
}
const fn constant(name: &'static str, module: u16, value: f32) -> Native {
    Native { name, module, kind: Kind::Float(value), class: false }
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
    RANGE = class("range", 1, 3);
    ABS = func("abs", BUILTIN, 1, 1);
    MIN = func("min", BUILTIN, 1, MANY);
    MAX = func("max", BUILTIN, 1, MANY);
    SUM = func("sum", BUILTIN, 1, 2);
    INT = class("int", 0, 2);
    FLOAT = class("float", 0, 1);
    STR = class("str", 0, 1);
    BOOL = class("bool", 0, 1);
    ROUND = func("round", BUILTIN, 1, 2);
    SORTED = func("sorted", BUILTIN, 1, 1);
    ENUMERATE = class("enumerate", 1, 2);
    ZIP = class("zip", 0, MANY);
    LIST = class("list", 0, 1);
    TUPLE = class("tuple", 0, 1);
    POW = func("pow", BUILTIN, 2, 2);
    DIVMOD = func("divmod", BUILTIN, 2, 2);
    INPUT = func("input", BUILTIN, 0, 1);

    // parallel's messaging (after the builtins: the numbers above stay as they were).
    PARALLEL_ISHOST = func("ishost", PARALLEL, 0, 0);
    PARALLEL_ISDEVICE = func("isdevice", PARALLEL, 0, 0);
    PARALLEL_WTIME = func("wtime", PARALLEL, 0, 0);
    PARALLEL_SYNC = func("sync", PARALLEL, 0, 0);
    // send(v, pid, n), recv(pid, n), sendrecv(v, pid, n): ePython's forms
    // for the first n items of v, one message each (a list of n received).
    PARALLEL_SEND = func("send", PARALLEL, 2, 3);
    PARALLEL_NONBLOCKING_SEND = func("nonblocking_send", PARALLEL, 2, 2);
    PARALLEL_RECV = func("recv", PARALLEL, 1, 2);
    PARALLEL_PROBE = func("probe", PARALLEL, 1, 1);
    PARALLEL_TEST_SENT = func("test_sent", PARALLEL, 1, 1);
    PARALLEL_WAIT_SENT = func("wait_sent", PARALLEL, 1, 1);
    PARALLEL_SENDRECV = func("sendrecv", PARALLEL, 2, 3);
    PARALLEL_BCAST = func("bcast", PARALLEL, 2, 2);
    PARALLEL_REDUCE = func("reduce", PARALLEL, 2, 2);

    // Made by the compiler, never by name (`builtin("sorted")` finds SORTED):
    // `sorted(xs, reverse=r)`, so that `sorted(xs, r)` stays an error.
    SORTED_REVERSE = func("sorted", BUILTIN, 2, 2);

    // type(x), and the types of the values no class here makes.
    TYPE = class("type", 1, 1);
    NONE_TYPE = none_type();
    FUNCTION_TYPE = value_type("function");
    BUILTIN_FUNCTION_TYPE = value_type("builtin_function_or_method");
    MODULE_TYPE = value_type("module");
    // The ePython dialect's `input()`: the Input opcode's line, converted as
    // ePython converts it (an int when it is all digits, a float with one
    // '.', else the str itself).
    INPUT_VALUE = func("input", BUILTIN, 1, 1);
}

/// The `parallel` module's messaging natives (`ishost` to `reduce`): the
/// firmware calls them outside `builtins::call`.
pub const fn is_messaging(id: u16) -> bool {
    id >= PARALLEL_ISHOST && id <= PARALLEL_REDUCE
}

/// Natives only the compiler makes; each shares its name with the native a
/// program names.
pub const COMPILER_MADE: &[u16] = &[SORTED_REVERSE, INPUT_VALUE];

/// Methods, by number (`CallMethod`). The receiver's type decides which
/// exist (`METHOD_ARITY`): `append` on a str is an AttributeError naming the
/// method. A static, like `NATIVES`: the firmware sends method numbers in its
/// errors and the host names them, so these names cost the device nothing.
pub static METHODS: [&str; 26] = [
    // list (index and count are str methods too)
    "append", "pop", "insert", "index", "extend", "count", "reverse", "sort",
    // str
    "upper", "lower", "strip", "lstrip", "rstrip", "split", "join", "find", "replace",
    "startswith", "endswith", "isdigit", "isalpha", "isspace", "rfind", "rindex",
    // Made by the compiler, never by name: `xs.sort(reverse=r)` (one
    // argument, r), and the slice store `xs[a:b:c] = v` (the receiver is v,
    // the arguments xs, a, b, c), which is no Python name.
    "sort", "[:]=",
];

/// `list.append`'s number: the one method every build runs.
pub const METHOD_APPEND: u8 = 0;
/// `list.extend`'s number: `xs += ys` (the InplaceAdd opcode) runs it.
pub const METHOD_EXTEND: u8 = 4;
/// `index`'s and `count`'s numbers: a tuple has these two methods of a
/// list's, with their arguments (`METHOD_ARITY`'s list column).
pub const METHOD_INDEX: u8 = 3;
pub const METHOD_COUNT: u8 = 5;
/// `list.sort`'s number.
pub const METHOD_SORT: u8 = 7;
/// `xs.sort(reverse=r)`: its own number, so `xs.sort(r)` stays an error.
pub const METHOD_SORT_REVERSE: u8 = 24;
/// `xs[a:b:c] = v`: receiver v, arguments xs, a, b (None if absent), c (None if absent).
pub const METHOD_STORE_SLICE: u8 = 25;

/// `METHOD_ARITY` entry of a method the receiver type does not have.
pub const NO_METHOD: u8 = 0xFF;
const fn args(min: u8, max: u8) -> u8 {
    min | max << 4
}
const NO: u8 = NO_METHOD;

/// Arguments each method takes, by method number: `[on a list, on a str]`,
/// each `min | max << 4`, or `NO_METHOD`.
pub static METHOD_ARITY: [[u8; 2]; 26] = [
    [args(1, 1), NO],          // append
    [args(0, 1), NO],          // pop
    [args(2, 2), NO],          // insert
    [args(1, 3), args(1, 3)],  // index
    [args(1, 1), NO],          // extend
    [args(1, 1), args(1, 3)],  // count
    [args(0, 0), NO],          // reverse
    [args(0, 0), NO],          // sort
    [NO, args(0, 0)],          // upper
    [NO, args(0, 0)],          // lower
    [NO, args(0, 1)],          // strip
    [NO, args(0, 1)],          // lstrip
    [NO, args(0, 1)],          // rstrip
    [NO, args(0, 2)],          // split
    [NO, args(1, 1)],          // join
    [NO, args(1, 3)],          // find
    [NO, args(2, 3)],          // replace
    [NO, args(1, 3)],          // startswith
    [NO, args(1, 3)],          // endswith
    [NO, args(0, 0)],          // isdigit
    [NO, args(0, 0)],          // isalpha
    [NO, args(0, 0)],          // isspace
    [NO, args(1, 3)],          // rfind
    [NO, args(1, 3)],          // rindex
    [args(1, 1), NO],          // sort(reverse=)
    [args(4, 4), args(4, 4)],  // [:]= (any receiver: the value stored)
];

/// The (min, max) arguments of method `m` on a list (`on_str` false) or a
/// str, or None when that type has no such method (a tuple's `index` and
/// `count` take a list's: `METHOD_INDEX`).
pub fn method_arity(m: u8, on_str: bool) -> Option<(u8, u8)> {
    let a = *METHOD_ARITY.get(m as usize)?.get(on_str as usize)?;
    (a != NO_METHOD).then_some((a & 15, a >> 4))
}

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
        assert_eq!(method("index"), Some(METHOD_INDEX));
        assert_eq!(method("count"), Some(METHOD_COUNT));
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
        assert_eq!(builtin("type"), Some(TYPE));
        assert_eq!(builtin("NoneType"), None, "the value types have no name on the device");
        assert!(NATIVES[INT as usize].class && !NATIVES[LEN as usize].class);
        assert_eq!(member(PARALLEL, "nope"), None);
        assert_eq!(module_named("os"), None);
        assert_eq!(method("append"), Some(METHOD_APPEND));
        assert!(METHODS.len() < 256);
        assert_eq!(METHODS[METHOD_SORT_REVERSE as usize], "sort");
        assert_eq!(method("sort"), Some(METHOD_SORT), "the name finds the plain sort, not the compiler's variant");
        assert_eq!(method_arity(method("count").unwrap(), true), Some((1, 3)));
        assert_eq!(method_arity(method("count").unwrap(), false), Some((1, 1)));
        assert_eq!(method_arity(method("upper").unwrap(), false), None);
    }

    #[test]
    fn names_are_unique_within_a_module() {
        for (i, a) in NATIVES.iter().enumerate() {
            for (j, b) in NATIVES.iter().enumerate().skip(i + 1) {
                if COMPILER_MADE.contains(&(j as u16)) {
                    assert_eq!(builtin(b.name).map(|k| NATIVES[k as usize].name), Some(b.name));
                    assert_ne!(builtin(b.name), Some(j as u16));
                    continue;
                }
                assert!(!(a.module == b.module && a.name == b.name), "{} twice", a.name);
            }
        }
    }
}

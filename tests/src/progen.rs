//! A generator of small random Python programs over the device subset
//! (design.md §4), for the differential test (tests/tests/diff.rs): each
//! program runs on a simulated core and under the f32/i32 shim, and the two
//! outputs must be equal.
//!
//! Every program is deterministic and ends: loops are bounded by
//! construction (`while` on a counter the body cannot touch, `for` over
//! small ranges or over a list the body does not mutate), functions only call
//! functions defined before them (plus one bounded recursion). The generator
//! keeps a static type per variable, so programs seldom stop on a TypeError,
//! and a magnitude bound per expression, so ints stay far from the i32 limits
//! and floats far from inf/nan unless a program means to test those: every
//! int variable or list element stays within ±`INT_BOUND` (an expression that
//! may exceed it is wrapped in `% INT_WRAP`), every float within ±`FLOAT_BOUND`,
//! strings and lists within `LEN_BOUND` items (appends are guarded with
//! `if len(xs) < ...`). Divisors are made non-zero (`abs(d) + 1`, `d or 3`),
//! except in a few deliberate cases that test the ZeroDivisionError path.
//!
//! It avoids what the shim documents as differing from the device:
//! transcendental functions (only `math.sqrt`, correctly rounded in both, is
//! used), random values, subnormal floats (magnitudes stay >= ~1e-6 unless
//! a result is exactly 0), and the deviations listed in tests/programs/PENDING
//! (wrong-arity calls, `int("abc")`, deep nesting, str methods on non-ASCII
//! text).
//!
//! Choices come from a tape of `u32`s (proptest generates and shrinks it):
//! a 0, or the end of the tape, always picks the simplest option (stop the
//! statement list, a leaf expression), so a shrunk tape gives a short program.
//! `Coverage` counts the constructs and builtins a program exercised.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Ints in variables and list elements stay within ±INT_BOUND.
pub const INT_BOUND: f64 = 100_000.0;
const INT_WRAP: &str = "99991";
/// An int sub-expression's bound never exceeds this (well inside i32).
const INT_EXPR_MAX: f64 = 5.0e8;
/// Floats in variables and list elements stay within ±FLOAT_BOUND.
pub const FLOAT_BOUND: f64 = 1.0e6;
const FLOAT_WRAP: &str = "9973.5";
const FLOAT_EXPR_MAX: f64 = 1.0e15;
/// Strings and lists in variables have at most LEN_BOUND items.
pub const LEN_BOUND: f64 = 48.0;

/// The choices a program is made of.
pub struct Choices<'a> {
    tape: &'a [u32],
    pos: usize,
}

impl<'a> Choices<'a> {
    pub fn new(tape: &'a [u32]) -> Self {
        Choices { tape, pos: 0 }
    }

    /// A number in 0..n (0 once the tape is used up).
    fn below(&mut self, n: usize) -> usize {
        let Some(&v) = self.tape.get(self.pos) else {
            return 0;
        };
        self.pos += 1;
        v as usize % n.max(1)
    }

    /// True with `percent`% probability (false once the tape is used up).
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) >= 100 - percent.min(100)
    }

    fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[self.below(items.len())]
    }

    fn exhausted(&self) -> bool {
        self.pos >= self.tape.len()
    }
}

/// How often each construct and builtin was generated.
#[derive(Default, Clone, Debug)]
pub struct Coverage {
    pub counts: BTreeMap<&'static str, u64>,
    pub programs: u64,
    pub lines: u64,
}

impl Coverage {
    fn note(&mut self, what: &'static str) {
        *self.counts.entry(what).or_insert(0) += 1;
    }

    pub fn merge(&mut self, other: &Coverage) {
        for (k, v) in &other.counts {
            *self.counts.entry(k).or_insert(0) += v;
        }
        self.programs += other.programs;
        self.lines += other.lines;
    }

    /// Every construct the generator knows, for the report of those never hit.
    pub fn all_constructs() -> &'static [&'static str] {
        ALL_CONSTRUCTS
    }

    /// A table: construct, count, programs per hit; then the constructs that
    /// were never generated.
    pub fn report(&self) -> String {
        let mut out = format!(
            "generator coverage: {} programs, {} lines, {} distinct constructs\n",
            self.programs,
            self.lines,
            self.counts.len()
        );
        let mut row = String::new();
        for (i, (k, v)) in self.counts.iter().enumerate() {
            let _ = write!(row, "{k:>22} {v:>8}");
            if i % 4 == 3 {
                out.push_str(row.trim_end());
                out.push('\n');
                row.clear();
            }
        }
        if !row.is_empty() {
            out.push_str(row.trim_end());
            out.push('\n');
        }
        let missing: Vec<&str> = ALL_CONSTRUCTS.iter().copied().filter(|c| !self.counts.contains_key(c)).collect();
        if !missing.is_empty() {
            let _ = writeln!(out, "never generated: {}", missing.join(" "));
        }
        out
    }
}

/// The names `Coverage` counts (kept in step with the `note` calls by a unit test).
const ALL_CONSTRUCTS: &[&str] = &[
    // statements
    "assign", "aug_assign", "index_assign", "index_aug_assign", "tuple_swap", "unpack_divmod", "if", "elif",
    "else", "while", "while_else", "for_range", "for_list", "for_str", "for_enumerate", "for_zip", "for_else",
    "break", "continue", "def", "def_default", "return", "call_kwarg", "global", "lambda", "closure", "recursion",
    "print", "print_sep", "unicode", "float_repr", "int_extremes", "err_zero_div", "err_index", "err_type", "err_overflow", "err_pop_empty",
    "err_name", "print_end", "print_stmt", "pass", "import_math", "from_import",
    // operators
    "int_add", "int_sub", "int_mul", "int_floordiv", "int_mod", "int_pow", "int_neg", "int_bitand", "int_bitor",
    "int_bitxor", "int_shift", "int_invert", "true_div", "float_add", "float_sub", "float_mul", "float_div",
    "float_floordiv", "float_mod", "float_neg", "float_pow", "mixed_arith", "zero_div", "cmp", "cmp_chain", "and",
    "or", "not", "in", "not_in", "ifexp", "or_value", "str_concat", "str_repeat", "list_concat", "list_repeat",
    "str_index", "str_slice", "list_index", "list_slice", "slice_step", "neg_index", "list_truthy", "list_cmp",
    "str_cmp", "listcomp", "listcomp_if", "listcomp_nested",
    // builtins
    "len", "abs", "min", "max", "min_list", "max_list", "sum", "sorted", "range", "int()", "float()", "str()",
    "bool()", "round", "round_digits", "enumerate", "zip", "list()", "tuple", "pow", "divmod", "math.sqrt", "math.floor",
    "math.ceil", "math.fabs", "math.trunc", "math.pi",
    // methods
    "append", "pop", "pop0", "insert", "index", "extend", "count", "reverse", "sort", "upper", "lower", "strip",
    "split", "split_sep", "join", "find", "replace", "startswith", "endswith", "isdigit", "isalpha",
    "find_range", "rfind", "str_count", "replace_count", "startswith_range", "split_maxsplit", "split_keyword",
    "sorted_reverse", "sort_reverse", "slice_assign", "slice_assign_step",
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ty {
    Int,
    Float,
    Bool,
    Str,
    IntList,
    FloatList,
    StrList,
}

const ALL_TYPES: [Ty; 7] = [Ty::Int, Ty::Float, Ty::Bool, Ty::Str, Ty::IntList, Ty::FloatList, Ty::StrList];

impl Ty {
    fn elem(self) -> Option<Ty> {
        match self {
            Ty::IntList => Some(Ty::Int),
            Ty::FloatList => Some(Ty::Float),
            Ty::StrList => Some(Ty::Str),
            _ => None,
        }
    }

    fn is_list(self) -> bool {
        self.elem().is_some()
    }

    /// The bound every variable of this type keeps.
    fn var_bound(self) -> f64 {
        match self {
            Ty::Int => INT_BOUND,
            Ty::Float => FLOAT_BOUND,
            Ty::Bool => 1.0,
            _ => LEN_BOUND,
        }
    }
}

/// An expression and its bound: the largest magnitude for a number, the
/// largest length for a str or list.
#[derive(Clone, Debug)]
struct E {
    s: String,
    b: f64,
}

fn e(s: impl Into<String>, b: f64) -> E {
    E { s: s.into(), b }
}

#[derive(Clone, Debug)]
struct Var {
    name: String,
    ty: Ty,
    /// Assignable here (a function's own locals, or a top-level variable at
    /// top level); read-only otherwise.
    mutable: bool,
    /// A list being iterated by an enclosing `for`: not mutated in the body.
    frozen: bool,
}

#[derive(Clone, Debug)]
struct Func {
    name: String,
    params: Vec<(String, Ty)>,
    /// How many trailing parameters have defaults.
    defaults: usize,
    /// Loop nesting inside it, counting the functions it calls: a call at
    /// loop depth L is generated only if L + loops <= MAX_LOOP_DEPTH, so no
    /// program runs more than about 10^MAX_LOOP_DEPTH iterations per statement.
    loops: usize,
    ret: Ty,
}

/// A generated program.
pub struct Program {
    pub source: String,
    pub coverage: Coverage,
}

struct Gen<'c, 't> {
    c: &'c mut Choices<'t>,
    out: String,
    indent: usize,
    cov: Coverage,
    vars: Vec<Var>,
    funcs: Vec<Func>,
    next_name: usize,
    /// Enclosing loops (for break/continue and nesting limits).
    loop_depth: usize,
    /// Statements generated so far (a cap keeps programs short).
    stmts: usize,
    in_func: bool,
    has_math: bool,
    has_gcount: bool,
    has_from: bool,
    /// The deepest loop nesting reached so far in the function being
    /// generated, counting the loops of the functions it calls.
    depth_seen: usize,
}

/// Generates one program from a tape of choices.
pub fn generate(tape: &[u32]) -> Program {
    let mut c = Choices::new(tape);
    let mut g = Gen {
        c: &mut c,
        out: String::new(),
        indent: 0,
        cov: Coverage::default(),
        vars: Vec::new(),
        funcs: Vec::new(),
        next_name: 0,
        loop_depth: 0,
        stmts: 0,
        in_func: false,
        has_math: false,
        has_gcount: false,
        has_from: false,
        depth_seen: 0,
    };
    g.program();
    let lines = g.out.lines().count() as u64;
    let mut cov = g.cov;
    cov.programs = 1;
    cov.lines = lines;
    Program { source: g.out, coverage: cov }
}

const MAX_STMTS: usize = 40;
const MAX_LOOP_DEPTH: usize = 2;

impl Gen<'_, '_> {
    fn line(&mut self, text: &str) {
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.next_name += 1;
        format!("{prefix}{}", self.next_name)
    }

    fn vars_of(&self, ty: Ty) -> Vec<Var> {
        self.vars.iter().filter(|v| v.ty == ty).cloned().collect()
    }

    fn program(&mut self) {
        if self.c.chance(40) {
            self.cov.note("import_math");
            self.has_math = true;
            self.line("import math");
        } else if self.c.chance(10) {
            self.cov.note("from_import");
            self.has_from = true;
            self.line("from math import sqrt, floor");
        }
        // A few variables of assorted types first, so there is something to read.
        let n = 2 + self.c.below(5);
        for _ in 0..n {
            let ty = *self.c.pick(&ALL_TYPES);
            self.new_var(ty);
        }
        // Functions (they read only their parameters and one global counter).
        let nf = self.c.below(4);
        if nf > 0 && self.c.chance(50) {
            self.has_gcount = true;
            self.line("gcount = 0");
        }
        for _ in 0..nf {
            self.def();
        }
        if self.c.chance(20) {
            self.recursion();
        }
        self.block(8);
        // Print everything at the end, so every variable's final value is compared.
        let names: Vec<String> = self.vars.iter().map(|v| v.name.clone()).collect();
        if !names.is_empty() {
            self.cov.note("print");
            self.line(&format!("print({})", names.join(", ")));
        }
        if self.has_gcount {
            self.line("print(gcount)");
        }
        if self.c.chance(12) {
            self.error_stmt();
        }
    }

    /// A statement that raises (the program's last): the error's type,
    /// message and line are compared too. Only errors whose wording the
    /// device matches (tests/programs/PENDING lists the others).
    fn error_stmt(&mut self) {
        let i = self.int_expr(1);
        let xs = self.list_expr(Ty::IntList, 1);
        let s = self.str_expr(1);
        let (what, text) = match self.c.below(9) {
            0 => ("err_zero_div", format!("print({} // 0)", i.s)),
            1 => ("err_zero_div", format!("print({} % (1 - 1))", i.s)),
            2 => ("err_zero_div", format!("print(float({}) / 0.0)", i.s)),
            3 => ("err_index", format!("print({}[len({})])", paren_list(&xs.s), xs.s)),
            4 => ("err_index", format!("print({}[100])", paren_list(&s.s))),
            5 => ("err_type", format!("print({} + {})", i.s, s.s)),
            6 => ("err_overflow", format!("print(2147483000 + abs({}) + 648)", i.s)),
            7 => ("err_pop_empty", "print([].pop())".to_string()),
            _ => ("err_name", "print(undefined_name)".to_string()),
        };
        self.cov.note(what);
        self.line(&text);
    }

    /// A statement list of at least one statement.
    fn block(&mut self, max: usize) {
        let n = 1 + self.c.below(max);
        for i in 0..n {
            if self.stmts >= MAX_STMTS && i > 0 {
                break;
            }
            self.stmt();
            if self.c.exhausted() {
                break;
            }
        }
    }

    fn new_var(&mut self, ty: Ty) {
        let prefix = match ty {
            Ty::Int => "i",
            Ty::Float => "f",
            Ty::Bool => "b",
            Ty::Str => "s",
            Ty::IntList => "li",
            Ty::FloatList => "lf",
            Ty::StrList => "ls",
        };
        let name = self.fresh(prefix);
        let value = self.expr_var(ty, 2);
        self.cov.note("assign");
        self.line(&format!("{name} = {}", value.s));
        self.vars.push(Var { name, ty, mutable: true, frozen: false });
    }

    fn stmt(&mut self) {
        self.stmts += 1;
        let nested_ok = self.stmts < MAX_STMTS && self.indent < 4;
        match self.c.below(20) {
            0 | 1 => self.print_stmt(),
            2 | 3 => self.assign(),
            4 => self.aug_assign(),
            5 => self.list_method(),
            6 => self.index_assign(),
            7 if nested_ok => self.if_stmt(),
            8 if nested_ok && self.loop_depth < MAX_LOOP_DEPTH => self.for_stmt(),
            9 if nested_ok && self.loop_depth < MAX_LOOP_DEPTH => self.while_stmt(),
            10 if self.loop_depth > 0 => self.break_continue(),
            11 => self.tuple_stmt(),
            12 if !self.in_func && self.indent == 0 && self.vars.len() < 14 => {
                let ty = *self.c.pick(&ALL_TYPES);
                self.new_var(ty)
            }
            13 if self.has_gcount && !self.in_func => {
                self.cov.note("aug_assign");
                self.line("gcount += 1");
            }
            14 if self.indent > 0 && self.c.chance(30) => {
                self.cov.note("pass");
                self.line("pass");
            }
            _ => self.print_stmt(),
        }
    }

    fn mutable_vars(&self, pred: impl Fn(&Var) -> bool) -> Vec<Var> {
        self.vars.iter().filter(|v| v.mutable && !v.frozen && pred(v)).cloned().collect()
    }

    fn print_stmt(&mut self) {
        let n = 1 + self.c.below(3);
        let mut args = Vec::new();
        for _ in 0..n {
            let ty = *self.c.pick(&ALL_TYPES);
            args.push(self.expr(ty, 3).s);
        }
        if self.c.chance(5) {
            // Non-ASCII text: code-point length, indexing and slicing, and
            // the Unicode case mapping and classes of the str methods.
            let s = self.str_expr(0);
            let k = self.c.below(5);
            self.cov.note("unicode");
            args.push(format!("len(\"naïve é\" + {0}), (\"héllo\" + {0})[{k}], \"àé\" + {0}[:2], [\"ü\", {0}]", s.s));
            args.push(format!(
                "(\"straße ΟΔΟΣ\" + {0}).upper(), (\"ΣΑΣ İ\" + {0}).lower(), (\"é\" + {0}).isalpha(), (\"²\" + {0}).isdigit()",
                s.s
            ));
        }
        if self.c.chance(6) {
            // Floats far from 1 (repr's exponent forms: 1e-05, 1.5e+17) and
            // ints at the edges of i32, for printing only.
            let f = self.float_expr(1);
            let i = self.int_expr(0);
            if self.c.chance(50) {
                self.cov.note("float_repr");
                args.push(format!("{0} * 1e-7, {0} * 3e17, {0} / 7.0, -{0} * 1e-30, 1e16, 1e-4 * {0}", paren(&f.s)));
            } else {
                self.cov.note("int_extremes");
                args.push(format!("2147483647 - abs({0}), -2147483648 + abs({0}), -2147483647 - 1, 2147483647 // ({0} or 1)", i.s));
            }
        }
        self.cov.note("print");
        let mut text = args.join(", ");
        if self.c.chance(6) && n == 1 && !text.starts_with('(') {
            // ePython's print statement (the dialect).
            self.cov.note("print_stmt");
            self.line(&format!("print {text}"));
            return;
        }
        if self.c.chance(15) {
            self.cov.note("print_sep");
            let sep = self.c.pick(&["\"\"", "\", \"", "\"-\"", "\" | \""]).to_string();
            let _ = write!(text, ", sep={sep}");
        }
        if self.c.chance(12) {
            self.cov.note("print_end");
            let end = self.c.pick(&["\"\"", "\" \"", "\";\\n\"", "\"!\\n\""]).to_string();
            let _ = write!(text, ", end={end}");
        }
        self.line(&format!("print({text})"));
    }

    fn assign(&mut self) {
        let targets = self.mutable_vars(|_| true);
        if targets.is_empty() {
            return self.print_stmt();
        }
        let v = self.c.pick(&targets).clone();
        let value = self.expr_var(v.ty, 3);
        self.cov.note("assign");
        self.line(&format!("{} = {}", v.name, value.s));
    }

    fn aug_assign(&mut self) {
        let targets = self.mutable_vars(|v| v.ty != Ty::Bool);
        if targets.is_empty() {
            return self.print_stmt();
        }
        let v = self.c.pick(&targets).clone();
        self.cov.note("aug_assign");
        match v.ty {
            Ty::Int => {
                let op = *self.c.pick(&["+=", "-=", "*=", "//=", "%="]);
                let rhs = match op {
                    "*=" => self.small_int(),
                    "//=" | "%=" => self.nonzero_int(2),
                    _ => self.int_expr(2),
                };
                self.line(&format!("{} {op} {}", v.name, rhs.s));
                if op != "//=" {
                    self.line(&format!("{} %= {INT_WRAP}", v.name));
                }
            }
            Ty::Float => {
                let op = *self.c.pick(&["+=", "-=", "*=", "/="]);
                let rhs = match op {
                    "*=" => e(self.c.pick(&["0.5", "1.5", "-2.0", "3", "0.25"]).to_string(), 3.0),
                    "/=" => self.nonzero_float(2),
                    _ => self.num_expr(2),
                };
                self.line(&format!("{} {op} {}", v.name, rhs.s));
                self.line(&format!("{} %= {FLOAT_WRAP}", v.name));
            }
            Ty::Str => {
                let rhs = self.str_expr(1);
                self.line(&format!("{} += {}", v.name, rhs.s));
                self.cov.note("str_slice");
                self.line(&format!("{0} = {0}[-{1}:]", v.name, LEN_BOUND as u32));
            }
            _ => {
                let elem = v.ty.elem().unwrap_or(Ty::Int);
                let x = self.expr_var(elem, 1);
                self.line(&format!("if len({}) < {}:", v.name, LEN_BOUND as u32));
                self.indent += 1;
                self.line(&format!("{} += [{}]", v.name, x.s));
                self.indent -= 1;
            }
        }
    }

    fn index_assign(&mut self) {
        let targets = self.mutable_vars(|v| v.ty.is_list());
        if targets.is_empty() {
            return self.assign();
        }
        let v = self.c.pick(&targets).clone();
        let elem = v.ty.elem().unwrap_or(Ty::Int);
        let i = self.int_expr(1);
        self.line(&format!("if {}:", v.name));
        self.indent += 1;
        if elem == Ty::Int && self.c.chance(40) {
            self.cov.note("index_aug_assign");
            // A leaf index: the shim evaluates `a[i]` twice for `a[i] += x`.
            let i = self.int_expr(0);
            let x = self.small_int();
            self.line(&format!("{0}[{1} % len({0})] += {2}", v.name, i.s, x.s));
            self.line(&format!("{0}[{1} % len({0})] %= {INT_WRAP}", v.name, i.s));
        } else {
            self.cov.note("index_assign");
            let x = self.expr_var(elem, 2);
            if self.c.chance(30) {
                self.cov.note("neg_index");
                self.line(&format!("{0}[-1 - {1} % len({0})] = {2}", v.name, i.s, x.s));
            } else {
                self.line(&format!("{0}[{1} % len({0})] = {2}", v.name, i.s, x.s));
            }
        }
        self.indent -= 1;
    }

    fn list_method(&mut self) {
        let targets = self.mutable_vars(|v| v.ty.is_list());
        if targets.is_empty() {
            return self.assign();
        }
        let v = self.c.pick(&targets).clone();
        let elem = v.ty.elem().unwrap_or(Ty::Int);
        let n = v.name.clone();
        let cap = LEN_BOUND as u32;
        match self.c.below(10) {
            0 | 1 => {
                self.cov.note("append");
                let x = self.expr_var(elem, 2);
                self.line(&format!("if len({n}) < {cap}:"));
                self.indent += 1;
                self.line(&format!("{n}.append({})", x.s));
                self.indent -= 1;
            }
            2 => {
                let pop0 = self.c.chance(40);
                self.cov.note(if pop0 { "pop0" } else { "pop" });
                self.line(&format!("if {n}:"));
                self.indent += 1;
                if self.c.chance(50) {
                    self.line(&format!("print({n}.pop({}))", if pop0 { "0" } else { "" }));
                } else {
                    self.line(&format!("{n}.pop({})", if pop0 { "0" } else { "" }));
                }
                self.indent -= 1;
            }
            3 => {
                self.cov.note("insert");
                let i = self.int_expr(1);
                let x = self.expr_var(elem, 1);
                self.line(&format!("if len({n}) < {cap}:"));
                self.indent += 1;
                self.line(&format!("{n}.insert({}, {})", i.s, x.s));
                self.indent -= 1;
            }
            4 => {
                self.cov.note("extend");
                let other = self.expr(v.ty, 1);
                self.line(&format!("if len({n}) < {cap}:"));
                self.indent += 1;
                self.line(&format!("{n}.extend({}[:4])", paren_list(&other.s)));
                self.indent -= 1;
            }
            5 => {
                self.cov.note("reverse");
                self.line(&format!("{n}.reverse()"));
            }
            6 => {
                self.cov.note("sort");
                self.line(&format!("{n}.sort()"));
            }
            7 => {
                self.cov.note("sort_reverse");
                let r = self.bool_expr(0);
                self.line(&format!("{n}.sort(reverse={})", r.s));
            }
            8 => {
                // A slice replaced by up to 4 items (the list may grow or shrink).
                let a = self.c.below(9) as i32 - 4;
                let b = self.c.below(13) as i32 - 6;
                let other = self.expr(v.ty, 1);
                let other = paren_list(&other.s);
                self.line(&format!("if len({n}) < {cap}:"));
                self.indent += 1;
                match self.c.below(3) {
                    0 => {
                        self.cov.note("slice_assign");
                        self.line(&format!("{n}[{a}:{b}] = {other}[:4]"));
                    }
                    1 => {
                        self.cov.note("slice_assign");
                        self.line(&format!("{n}[{a}:] = {other}[{b}:][:4]"));
                    }
                    _ => {
                        // An extended slice takes exactly as many items.
                        self.cov.note("slice_assign_step");
                        let step = *self.c.pick(&["-1", "2", "-2", "3"]);
                        self.line(&format!("{n}[::{step}] = sorted({n}[::{step}])"));
                    }
                }
                self.indent -= 1;
            }
            _ => {
                self.cov.note("index");
                let i = self.int_expr(1);
                self.line(&format!("if {n}:"));
                self.indent += 1;
                self.line(&format!("print({n}.index({n}[{} % len({n})]))", i.s));
                self.indent -= 1;
            }
        }
    }

    fn tuple_stmt(&mut self) {
        let ints = self.mutable_vars(|v| v.ty == Ty::Int);
        let floats = self.mutable_vars(|v| v.ty == Ty::Float);
        if ints.len() >= 2 && self.c.chance(50) {
            let a = self.c.pick(&ints).name.clone();
            let b = self.c.pick(&ints).name.clone();
            if a != b {
                self.cov.note("tuple_swap");
                self.line(&format!("{a}, {b} = {b}, {a}"));
                return;
            }
        }
        if let (Some(a), true) = (ints.first(), self.c.chance(50)) {
            let a = a.name.clone();
            let b = ints.last().map_or(a.clone(), |v| v.name.clone());
            let x = self.expr_var(Ty::Int, 2);
            let d = self.nonzero_int(1);
            self.cov.note("unpack_divmod");
            self.cov.note("divmod");
            self.line(&format!("{a}, {b} = divmod({}, {})", x.s, d.s));
            return;
        }
        if let Some(f) = floats.first() {
            let f = f.name.clone();
            let ys = self.expr(Ty::FloatList, 1);
            self.cov.note("tuple");
            self.line(&format!("t = ({f}, len({}), \"t\")", ys.s));
            self.line("print(t, t[0], t[-1], len(t))");
            return;
        }
        self.print_stmt()
    }

    fn if_stmt(&mut self) {
        let cond = self.bool_expr(3);
        self.cov.note("if");
        self.line(&format!("if {}:", cond.s));
        self.sub_block(3);
        let mut elifs = self.c.below(3);
        while elifs > 0 && self.c.chance(60) {
            elifs -= 1;
            let cond = self.bool_expr(2);
            self.cov.note("elif");
            self.line(&format!("elif {}:", cond.s));
            self.sub_block(2);
        }
        if self.c.chance(50) {
            self.cov.note("else");
            self.line("else:");
            self.sub_block(2);
        }
    }

    fn sub_block(&mut self, max: usize) {
        self.indent += 1;
        let saved = self.vars.len();
        self.block(max);
        self.vars.truncate(saved);
        self.indent -= 1;
    }

    fn loop_body(&mut self, max: usize) {
        self.loop_depth += 1;
        self.depth_seen = self.depth_seen.max(self.loop_depth);
        self.sub_block(max);
        self.loop_depth -= 1;
    }

    fn for_stmt(&mut self) {
        let target = self.fresh("k");
        let saved = self.vars.len();
        match self.c.below(6) {
            0 | 1 => {
                self.cov.note("for_range");
                self.cov.note("range");
                let r = self.range_args();
                self.line(&format!("for {target} in range({r}):"));
                self.vars.push(Var { name: target, ty: Ty::Int, mutable: false, frozen: false });
            }
            2 => {
                self.cov.note("for_list");
                let ty = *self.c.pick(&[Ty::IntList, Ty::FloatList, Ty::StrList]);
                let xs = self.expr(ty, 2);
                // The body must not change the list it iterates.
                for v in self.vars.iter_mut() {
                    if v.name == xs.s {
                        v.frozen = true;
                    }
                }
                self.line(&format!("for {target} in {}:", xs.s));
                self.vars.push(Var { name: target, ty: ty.elem().unwrap_or(Ty::Int), mutable: false, frozen: false });
            }
            3 => {
                self.cov.note("for_str");
                let s = self.str_expr(2);
                self.line(&format!("for {target} in {}:", s.s));
                self.vars.push(Var { name: target, ty: Ty::Str, mutable: false, frozen: false });
            }
            4 => {
                self.cov.note("for_enumerate");
                self.cov.note("enumerate");
                let ty = *self.c.pick(&[Ty::IntList, Ty::StrList, Ty::Str]);
                let xs = self.expr(ty, 1);
                let idx = self.fresh("j");
                let start = if self.c.chance(30) { ", 1" } else { "" };
                for v in self.vars.iter_mut() {
                    if v.name == xs.s {
                        v.frozen = true;
                    }
                }
                self.line(&format!("for {idx}, {target} in enumerate({}{start}):", xs.s));
                self.vars.push(Var { name: idx, ty: Ty::Int, mutable: false, frozen: false });
                let elem = ty.elem().unwrap_or(Ty::Str);
                self.vars.push(Var { name: target, ty: elem, mutable: false, frozen: false });
            }
            _ => {
                self.cov.note("for_zip");
                self.cov.note("zip");
                let a = self.expr(Ty::IntList, 1);
                let b = self.expr(Ty::Str, 1);
                let other = self.fresh("z");
                for v in self.vars.iter_mut() {
                    if v.name == a.s {
                        v.frozen = true;
                    }
                }
                self.line(&format!("for {target}, {other} in zip({}, {}):", a.s, b.s));
                self.vars.push(Var { name: target, ty: Ty::Int, mutable: false, frozen: false });
                self.vars.push(Var { name: other, ty: Ty::Str, mutable: false, frozen: false });
            }
        }
        self.loop_body(3);
        self.vars.truncate(saved);
        for v in self.vars.iter_mut() {
            v.frozen = false;
        }
        self.loop_else("for_else");
    }

    fn loop_else(&mut self, what: &'static str) {
        if self.c.chance(15) {
            self.cov.note(what);
            self.line("else:");
            self.indent += 1;
            let x = self.int_expr(1);
            self.cov.note("print");
            self.line(&format!("print(\"else\", {})", x.s));
            self.indent -= 1;
        }
    }

    fn range_args(&mut self) -> String {
        match self.c.below(4) {
            0 | 1 => format!("{}", self.c.below(9)),
            2 => {
                let a = self.c.below(12) as i32 - 6;
                format!("{a}, {}", a + self.c.below(10) as i32)
            }
            _ => {
                let a = self.c.below(20) as i32 - 10;
                let step = *self.c.pick(&[-3, -2, -1, 2, 3, 5]);
                let b = a + step * self.c.below(8) as i32;
                format!("{a}, {b}, {step}")
            }
        }
    }

    fn while_stmt(&mut self) {
        let counter = self.fresh("w");
        let limit = self.c.below(10);
        self.line(&format!("{counter} = 0"));
        self.cov.note("while");
        self.line(&format!("while {counter} < {limit}:"));
        self.indent += 1;
        // The increment comes first, so `continue` cannot skip it.
        self.line(&format!("{counter} += 1"));
        self.indent -= 1;
        let saved = self.vars.len();
        self.vars.push(Var { name: counter, ty: Ty::Int, mutable: false, frozen: false });
        self.loop_body(3);
        self.vars.truncate(saved);
        self.loop_else("while_else");
    }

    fn break_continue(&mut self) {
        let cond = self.bool_expr(2);
        let which = if self.c.chance(50) { "break" } else { "continue" };
        self.cov.note(if which == "break" { "break" } else { "continue" });
        self.line(&format!("if {}:", cond.s));
        self.indent += 1;
        self.line(which);
        self.indent -= 1;
    }

    fn def(&mut self) {
        let name = self.fresh("fn");
        let nparams = self.c.below(4);
        let mut params = Vec::new();
        for _ in 0..nparams {
            let ty = *self.c.pick(&ALL_TYPES);
            params.push((self.fresh("p"), ty));
        }
        let defaults = if nparams > 0 && self.c.chance(40) { 1 + self.c.below(nparams) } else { 0 };
        let ret = *self.c.pick(&ALL_TYPES);
        let mut header = Vec::new();
        for (i, (p, ty)) in params.iter().enumerate() {
            if i >= nparams - defaults {
                let d = self.literal(*ty);
                let d = self.fit(*ty, d);
                header.push(format!("{p}={}", d.s));
            } else {
                header.push(p.clone());
            }
        }
        self.cov.note("def");
        if defaults > 0 {
            self.cov.note("def_default");
        }
        // Lambdas for one-expression int/float functions.
        let outer_vars = std::mem::take(&mut self.vars);
        let outer_in_func = self.in_func;
        self.in_func = true;
        self.depth_seen = 0;
        for (p, ty) in &params {
            self.vars.push(Var { name: p.clone(), ty: *ty, mutable: true, frozen: false });
        }
        if matches!(ret, Ty::Int | Ty::Float) && self.c.chance(25) {
            let body = self.expr_var(ret, 2);
            self.cov.note("lambda");
            self.line(&format!("{name} = lambda {}: {}", header.join(", "), body.s));
        } else {
            self.line(&format!("def {name}({}):", header.join(", ")));
            self.indent += 1;
            if self.has_gcount && self.c.chance(40) {
                self.cov.note("global");
                self.line("global gcount");
                self.line("gcount += 1");
            }
            let saved_stmts = self.stmts;
            self.stmts = MAX_STMTS - 6;
            if self.c.chance(70) {
                self.block(4);
            }
            self.stmts = saved_stmts + 4;
            let r = self.expr_var(ret, 3);
            self.cov.note("return");
            if self.c.chance(25) {
                // The value through a closure over the function's variables.
                let inner = self.fresh("cl");
                self.cov.note("closure");
                self.line(&format!("{inner} = lambda: {}", r.s));
                self.line(&format!("return {inner}()"));
            } else {
                self.line(&format!("return {}", r.s));
            }
            self.indent -= 1;
        }
        self.vars = outer_vars;
        self.in_func = outer_in_func;
        let loops = self.depth_seen;
        self.funcs.push(Func { name, params, defaults, loops, ret });
    }

    /// One bounded recursion (depth <= 12) the rest of the program may call.
    fn recursion(&mut self) {
        self.cov.note("recursion");
        let name = self.fresh("rec");
        match self.c.below(3) {
            0 => {
                self.line(&format!("def {name}(n):"));
                self.line("    if n < 2:");
                self.line("        return n");
                self.line(&format!("    return {name}(n - 1) + {name}(n - 2)"));
            }
            1 => {
                self.line(&format!("def {name}(n):"));
                self.line(&format!("    return 1 if n <= 0 else n * 2 % 1009 + {name}(n - 1)"));
            }
            _ => {
                self.line(&format!("def {name}(n):"));
                self.line("    if n <= 0:");
                self.line("        return [0]");
                self.line(&format!("    xs = {name}(n - 1)"));
                self.line("    xs.append(n * n)");
                self.line("    return xs[-4:]");
            }
        }
        let ret = if self.out.ends_with("return xs[-4:]\n") { Ty::IntList } else { Ty::Int };
        self.funcs.push(Func { name, params: vec![("n".into(), Ty::Int)], defaults: 0, loops: 1, ret });
    }

    // ------------------------------------------------------------ expressions

    /// An expression of type `ty` fit to be stored in a variable (within
    /// the type's variable bound).
    fn expr_var(&mut self, ty: Ty, depth: usize) -> E {
        let x = self.expr(ty, depth);
        self.fit(ty, x)
    }

    fn fit(&mut self, ty: Ty, x: E) -> E {
        if x.b <= ty.var_bound() {
            return x;
        }
        match ty {
            Ty::Int => e(format!("({}) % {INT_WRAP}", x.s), INT_BOUND),
            Ty::Float => {
                self.cov.note("float_mod");
                e(format!("({}) % {FLOAT_WRAP}", x.s), FLOAT_BOUND)
            }
            _ => {
                self.cov.note(if ty == Ty::Str { "str_slice" } else { "list_slice" });
                e(format!("({})[:{}]", x.s, LEN_BOUND as u32), LEN_BOUND)
            }
        }
    }

    fn expr(&mut self, ty: Ty, depth: usize) -> E {
        match ty {
            Ty::Int => self.int_expr(depth),
            Ty::Float => self.float_expr(depth),
            Ty::Bool => self.bool_expr(depth),
            Ty::Str => self.str_expr(depth),
            _ => self.list_expr(ty, depth),
        }
    }

    fn var_of(&mut self, ty: Ty) -> Option<E> {
        let vs = self.vars_of(ty);
        if vs.is_empty() {
            return None;
        }
        let v = self.c.pick(&vs);
        Some(e(v.name.clone(), ty.var_bound()))
    }

    fn call_of(&mut self, ty: Ty, depth: usize) -> Option<E> {
        let depth_now = self.loop_depth;
        let fs: Vec<Func> =
            self.funcs.iter().filter(|f| f.ret == ty && depth_now + f.loops <= MAX_LOOP_DEPTH).cloned().collect();
        if fs.is_empty() || depth == 0 {
            return None;
        }
        let f = self.c.pick(&fs).clone();
        self.depth_seen = self.depth_seen.max(depth_now + f.loops);
        if f.name.starts_with("rec") {
            let n = self.c.below(13);
            return Some(e(format!("{}({n})", f.name), if ty == Ty::Int { 20_000.0 } else { 4.0 }));
        }
        let required = f.params.len() - f.defaults;
        let given = required + self.c.below(f.defaults + 1);
        let mut args = Vec::new();
        let kw = given > 0 && self.c.chance(25);
        for (i, (p, pty)) in f.params.iter().take(given).enumerate() {
            let a = self.expr_var(*pty, depth - 1);
            if kw && i == given - 1 {
                self.cov.note("call_kwarg");
                args.push(format!("{p}={}", a.s));
            } else {
                args.push(a.s);
            }
        }
        Some(e(format!("{}({})", f.name, args.join(", ")), ty.var_bound()))
    }

    fn literal(&mut self, ty: Ty) -> E {
        match ty {
            Ty::Int => {
                let v = *self.c.pick(&[0i64, 1, 2, 3, 5, 7, 10, 42, -1, -3, -17, 100, 255, 1000, 65535, -99999]);
                e(v.to_string(), v.unsigned_abs() as f64)
            }
            Ty::Float => {
                let (s, b) = *self.c.pick(&[
                    ("0.5", 0.5),
                    ("1.0", 1.0),
                    ("0.1", 0.1),
                    ("2.5", 2.5),
                    ("-1.25", 1.25),
                    ("3.14159", 3.2),
                    ("0.001", 0.001),
                    ("1e3", 1e3),
                    ("-7.75", 7.75),
                    ("123456.789", 123457.0),
                    ("0.0", 0.0),
                    ("1.5e-3", 1.5e-3),
                    ("16777217.0", 16777217.0),
                    ("2.0", 2.0),
                ]);
                let b = if b > FLOAT_BOUND { FLOAT_BOUND * 20.0 } else { b };
                e(s, b)
            }
            Ty::Bool => e(*self.c.pick(&["True", "False"]), 1.0),
            Ty::Str => {
                let s = *self.c.pick(&["\"\"", "\"a\"", "\"ab\"", "\"hello\"", "\"x y z\"", "\"  pad \"", "\"42\"", "\"a,b,,c\"", "\"Mixed Case\"", "\"it's\"", "\"tab\\tq\"", "\"-\""]);
                e(s, 12.0)
            }
            ty => {
                let elem = ty.elem().unwrap_or(Ty::Int);
                let n = self.c.below(5);
                let items: Vec<String> = (0..n)
                    .map(|_| {
                        let x = self.literal(elem);
                        self.fit(elem, x).s
                    })
                    .collect();
                e(format!("[{}]", items.join(", ")), n as f64)
            }
        }
    }

    fn small_int(&mut self) -> E {
        let v = self.c.below(7) as i64 - 2;
        e(v.to_string(), 4.0)
    }

    /// An int expression that is never 0.
    fn nonzero_int(&mut self, depth: usize) -> E {
        let x = self.int_expr(depth.saturating_sub(1));
        match self.c.below(3) {
            0 => {
                self.cov.note("abs");
                e(format!("(abs({}) + 1)", x.s), x.b + 1.0)
            }
            1 => {
                self.cov.note("or_value");
                e(format!("({} or 3)", x.s), x.b.max(3.0))
            }
            _ => {
                let v = *self.c.pick(&[1, 2, 3, 7, -2, -5, 10]);
                e(format!("{v}"), 10.0)
            }
        }
    }

    fn nonzero_float(&mut self, depth: usize) -> E {
        let x = self.num_expr(depth.saturating_sub(1));
        self.cov.note("abs");
        e(format!("(abs({}) + 0.5)", x.s), x.b + 0.5)
    }

    /// An int or a float.
    fn num_expr(&mut self, depth: usize) -> E {
        if self.c.chance(50) { self.float_expr(depth) } else { self.int_expr(depth) }
    }

    fn int_expr(&mut self, depth: usize) -> E {
        if depth == 0 || self.c.chance(25) {
            return match self.c.below(3) {
                0 => self.literal(Ty::Int),
                _ => match self.var_of(Ty::Int) {
                    Some(v) => v,
                    None => self.literal(Ty::Int),
                },
            };
        }
        let d = depth - 1;
        let x = match self.c.below(24) {
            0..=5 => {
                let a = self.int_expr(d);
                let b = self.int_expr(d);
                let (op, what) = *self.c.pick(&[("+", "int_add"), ("-", "int_sub"), ("*", "int_mul")]);
                self.cov.note(what);
                let (a, b) = if op == "*" && a.b * b.b > INT_EXPR_MAX {
                    (e(format!("({} % 1000)", paren(&a.s)), 1000.0), e(format!("({} % 1000)", paren(&b.s)), 1000.0))
                } else {
                    (a, b)
                };
                let bound = if op == "*" { a.b * b.b } else { a.b + b.b };
                e(format!("({} {op} {})", a.s, b.s), bound)
            }
            6 | 7 => {
                let a = self.int_expr(d);
                let zero_div = self.c.chance(3);
                let b = if zero_div {
                    self.cov.note("zero_div");
                    self.int_expr(0)
                } else {
                    self.nonzero_int(d)
                };
                let floor = self.c.chance(50);
                self.cov.note(if floor { "int_floordiv" } else { "int_mod" });
                let op = if floor { "//" } else { "%" };
                e(format!("({} {op} {})", a.s, b.s), if floor { a.b + 1.0 } else { b.b.max(1.0) })
            }
            8 => {
                self.cov.note("int_pow");
                let base = self.int_expr(d);
                let base = if base.b > 1000.0 { e(format!("({} % 1000)", paren(&base.s)), 1000.0) } else { base };
                let exp = self.c.below(3);
                if self.c.chance(20) {
                    self.cov.note("pow");
                    e(format!("pow({}, {exp})", base.s), base.b.powi(exp as i32).max(1.0))
                } else {
                    e(format!("{} ** {exp}", paren(&base.s)), base.b.powi(exp as i32).max(1.0))
                }
            }
            9 => {
                let a = self.int_expr(d);
                match self.c.below(4) {
                    0 => {
                        self.cov.note("int_neg");
                        e(format!("-{}", paren(&a.s)), a.b)
                    }
                    1 => {
                        self.cov.note("abs");
                        e(format!("abs({})", a.s), a.b)
                    }
                    2 => {
                        self.cov.note("int_invert");
                        e(format!("~{}", paren(&a.s)), a.b + 1.0)
                    }
                    _ => {
                        self.cov.note("int_shift");
                        let k = self.c.below(6);
                        if self.c.chance(50) {
                            e(format!("({} >> {k})", a.s), a.b)
                        } else {
                            let a = if a.b > 100_000.0 { e(format!("({} % 1000)", paren(&a.s)), 1000.0) } else { a };
                            e(format!("({} << {k})", a.s), a.b * f64::from(1u32 << k))
                        }
                    }
                }
            }
            10 => {
                let a = self.int_expr(d);
                let b = self.int_expr(d);
                let (op, what) = *self.c.pick(&[("&", "int_bitand"), ("|", "int_bitor"), ("^", "int_bitxor")]);
                self.cov.note(what);
                // |a op b| < 2 * max(|a|, |b|) for these.
                e(format!("({} {op} {})", a.s, b.s), 2.0 * a.b.max(b.b) + 1.0)
            }
            11 => {
                let lt = *self.c.pick(&[Ty::IntList, Ty::FloatList, Ty::StrList, Ty::Str]);
                let x = self.expr(lt, d);
                self.cov.note("len");
                e(format!("len({})", x.s), x.b)
            }
            12 => {
                let xs = self.list_expr(Ty::IntList, d);
                self.cov.note("sum");
                e(format!("sum({})", xs.s), xs.b * INT_BOUND)
            }
            13 => {
                let a = self.int_expr(d);
                let b = self.int_expr(d);
                let what = if self.c.chance(50) { "min" } else { "max" };
                self.cov.note(what);
                if self.c.chance(30) {
                    let c = self.int_expr(d);
                    e(format!("{what}({}, {}, {})", a.s, b.s, c.s), a.b.max(b.b).max(c.b))
                } else {
                    e(format!("{what}({}, {})", a.s, b.s), a.b.max(b.b))
                }
            }
            14 => {
                let xs = self.list_expr(Ty::IntList, d);
                let what = if self.c.chance(50) { "min_list" } else { "max_list" };
                self.cov.note(what);
                self.cov.note("list_truthy");
                let f = if what == "min_list" { "min" } else { "max" };
                e(format!("({f}({0}) if {0} else -1)", paren_list(&xs.s)), INT_BOUND)
            }
            15 => {
                // A float converted back: int(), round(), math.floor/ceil/trunc.
                let f = self.float_expr(d);
                let f = if f.b > 1e9 { e(format!("({} % {FLOAT_WRAP})", paren(&f.s)), FLOAT_BOUND) } else { f };
                let choices: &[&'static str] = if self.has_math {
                    &["int()", "round", "math.floor", "math.ceil", "math.trunc"]
                } else if self.has_from {
                    &["int()", "round", "floor"]
                } else {
                    &["int()", "round"]
                };
                let what = *self.c.pick(choices);
                self.cov.note(if what == "floor" { "from_import" } else { what });
                let fname = what.trim_end_matches("()");
                e(format!("{fname}({})", f.s), f.b + 1.0)
            }
            16 => {
                let xs = self.list_expr(Ty::IntList, d);
                let i = self.int_expr(d);
                self.cov.note("list_index");
                self.cov.note("list_truthy");
                let xs = paren_list(&xs.s);
                e(format!("({xs}[{} % len({xs})] if {xs} else 0)", i.s), INT_BOUND)
            }
            17 => {
                let c = self.bool_expr(d);
                let a = self.int_expr(d);
                let b = self.int_expr(d);
                self.cov.note("ifexp");
                e(format!("({} if {} else {})", a.s, c.s, b.s), a.b.max(b.b))
            }
            18 => {
                // Counting and searching.
                let which = self.c.below(6);
                if which == 0 {
                    let xs = self.list_expr(Ty::IntList, d);
                    let x = self.int_expr(0);
                    self.cov.note("count");
                    e(format!("{}.count({})", paren_list(&xs.s), x.s), xs.b)
                } else {
                    let s = self.str_expr(d);
                    let t = self.str_expr(0);
                    let s_p = paren_list(&s.s);
                    // Start and end from -6 to 6, past either end too.
                    let a = self.c.below(13) as i32 - 6;
                    let b = self.c.below(13) as i32 - 6;
                    match which {
                        1 | 2 => {
                            self.cov.note("find");
                            e(format!("{s_p}.find({})", t.s), s.b + 1.0)
                        }
                        3 => {
                            self.cov.note("find_range");
                            let m = if self.c.chance(50) { "find" } else { "rfind" };
                            e(format!("{s_p}.{m}({}, {a}, {b})", t.s), s.b + 1.0)
                        }
                        4 => {
                            self.cov.note("rfind");
                            e(format!("{s_p}.rfind({})", t.s), s.b + 1.0)
                        }
                        _ => {
                            self.cov.note("str_count");
                            if self.c.chance(50) {
                                e(format!("{s_p}.count({})", t.s), s.b + 1.0)
                            } else {
                                e(format!("{s_p}.count({}, {a})", t.s), s.b + 1.0)
                            }
                        }
                    }
                }
            }
            19 => match self.call_of(Ty::Int, d) {
                Some(x) => x,
                None => self.literal(Ty::Int),
            },
            20 => {
                let b = self.bool_expr(d);
                self.cov.note("int()");
                e(format!("int({})", b.s), 1.0)
            }
            21 => {
                let a = self.int_expr(d);
                self.cov.note("int()");
                self.cov.note("str()");
                e(format!("int(str({}))", a.s), a.b)
            }
            _ => match self.var_of(Ty::Int) {
                Some(v) => v,
                None => self.literal(Ty::Int),
            },
        };
        if x.b > INT_EXPR_MAX { e(format!("({} % {INT_WRAP})", x.s), INT_BOUND) } else { x }
    }

    fn float_expr(&mut self, depth: usize) -> E {
        if depth == 0 || self.c.chance(25) {
            return match self.c.below(3) {
                0 => self.literal(Ty::Float),
                _ => match self.var_of(Ty::Float) {
                    Some(v) => v,
                    None => self.literal(Ty::Float),
                },
            };
        }
        let d = depth - 1;
        let x = match self.c.below(16) {
            0..=4 => {
                let a = self.num_expr(d);
                let b = self.float_expr(d);
                let (a, b) = if self.c.chance(50) { (a, b) } else { (b, a) };
                let (op, what) = *self.c.pick(&[("+", "float_add"), ("-", "float_sub"), ("*", "float_mul")]);
                self.cov.note(what);
                if !a.s.contains('.') || !b.s.contains('.') {
                    self.cov.note("mixed_arith");
                }
                let (a, b) = if op == "*" && a.b * b.b > FLOAT_EXPR_MAX {
                    (e(format!("({} % 1000.0)", paren(&a.s)), 1000.0), e(format!("({} % 1000.0)", paren(&b.s)), 1000.0))
                } else {
                    (a, b)
                };
                let bound = if op == "*" { a.b * b.b } else { a.b + b.b };
                e(format!("({} {op} {})", a.s, b.s), bound)
            }
            5 | 6 => {
                let a = self.num_expr(d);
                let zero_div = self.c.chance(3);
                let b = if zero_div {
                    self.cov.note("zero_div");
                    self.float_expr(0)
                } else {
                    self.nonzero_float(d)
                };
                let (op, what) = *self.c.pick(&[("/", "float_div"), ("//", "float_floordiv"), ("%", "float_mod")]);
                self.cov.note(what);
                // Dividing by at least 0.5 at most doubles.
                let bound = if op == "%" { b.b } else { 2.0 * a.b + 1.0 };
                e(format!("({} {op} {})", a.s, b.s), bound)
            }
            7 => {
                let a = self.int_expr(d);
                let b = self.nonzero_int(d);
                self.cov.note("true_div");
                e(format!("({} / {})", a.s, b.s), a.b)
            }
            8 => {
                let a = self.float_expr(d);
                match self.c.below(4) {
                    0 => {
                        self.cov.note("float_neg");
                        e(format!("-{}", paren(&a.s)), a.b)
                    }
                    1 => {
                        self.cov.note("abs");
                        e(format!("abs({})", a.s), a.b)
                    }
                    2 => {
                        // Rounding the exact binary value: round(2.675, 2) is 2.67.
                        self.cov.note("round_digits");
                        let k = self.c.below(6) as i32 - 1;
                        e(format!("round({}, {k})", a.s), a.b + 10.0)
                    }
                    _ => {
                        // Only small integer exponents: the result is exact or
                        // one rounding of an exact product, like the device's.
                        self.cov.note("float_pow");
                        let a = if a.b > 1000.0 { e(format!("({} % 100.0)", paren(&a.s)), 100.0) } else { a };
                        let k = self.c.below(3);
                        e(format!("{} ** {k}", paren(&a.s)), a.b.powi(k as i32).max(1.0))
                    }
                }
            }
            9 => {
                let a = self.int_expr(d);
                self.cov.note("float()");
                e(format!("float({})", a.s), a.b)
            }
            10 => {
                let xs = self.list_expr(Ty::FloatList, d);
                self.cov.note("sum");
                if self.c.chance(30) {
                    e(format!("sum({}, 0.5)", xs.s), xs.b * FLOAT_BOUND + 0.5)
                } else {
                    e(format!("sum({})", xs.s), xs.b * FLOAT_BOUND)
                }
            }
            11 => {
                let a = self.num_expr(d);
                let b = self.float_expr(d);
                let what = if self.c.chance(50) { "min" } else { "max" };
                self.cov.note(what);
                e(format!("{what}({}, {})", a.s, b.s), a.b.max(b.b))
            }
            12 if self.has_from => {
                let a = self.num_expr(d);
                self.cov.note("from_import");
                e(format!("sqrt(abs({}))", a.s), a.b.sqrt() + 1.0)
            }
            12 if self.has_math => {
                let a = self.num_expr(d);
                match self.c.below(3) {
                    0 => {
                        self.cov.note("math.sqrt");
                        self.cov.note("abs");
                        e(format!("math.sqrt(abs({}))", a.s), a.b.sqrt() + 1.0)
                    }
                    1 => {
                        self.cov.note("math.fabs");
                        e(format!("math.fabs({})", a.s), a.b)
                    }
                    _ => {
                        self.cov.note("math.pi");
                        e(format!("({} * math.pi)", a.s), a.b * 3.2)
                    }
                }
            }
            13 => {
                let xs = self.list_expr(Ty::FloatList, d);
                let i = self.int_expr(d);
                self.cov.note("list_index");
                let xs = paren_list(&xs.s);
                e(format!("({xs}[{} % len({xs})] if {xs} else 0.0)", i.s), FLOAT_BOUND)
            }
            14 => match self.call_of(Ty::Float, d) {
                Some(x) => x,
                None => self.literal(Ty::Float),
            },
            _ => {
                let c = self.bool_expr(d);
                let a = self.float_expr(d);
                let b = self.num_expr(d);
                self.cov.note("ifexp");
                e(format!("({} if {} else {})", a.s, c.s, b.s), a.b.max(b.b))
            }
        };
        if x.b > FLOAT_EXPR_MAX {
            self.cov.note("float_mod");
            e(format!("({} % {FLOAT_WRAP})", x.s), FLOAT_BOUND)
        } else {
            x
        }
    }

    fn bool_expr(&mut self, depth: usize) -> E {
        if depth == 0 || self.c.chance(15) {
            return match self.var_of(Ty::Bool) {
                Some(v) if self.c.chance(60) => v,
                _ => self.literal(Ty::Bool),
            };
        }
        let d = depth - 1;
        let s = match self.c.below(12) {
            0..=3 => {
                let a = self.num_expr(d);
                let b = self.num_expr(d);
                let op = *self.c.pick(&["<", "<=", ">", ">=", "==", "!="]);
                if self.c.chance(20) {
                    let c = self.num_expr(d);
                    let op2 = *self.c.pick(&["<", "<=", "==", "!="]);
                    self.cov.note("cmp_chain");
                    format!("{} {op} {} {op2} {}", a.s, b.s, c.s)
                } else {
                    self.cov.note("cmp");
                    format!("{} {op} {}", a.s, b.s)
                }
            }
            4 => {
                let a = self.str_expr(d);
                let b = self.str_expr(d);
                let op = *self.c.pick(&["<", "<=", ">", "==", "!="]);
                self.cov.note("str_cmp");
                format!("{} {op} {}", a.s, b.s)
            }
            5 => {
                let ty = *self.c.pick(&[Ty::IntList, Ty::StrList]);
                let a = self.list_expr(ty, d);
                let b = self.list_expr(ty, d);
                let op = *self.c.pick(&["<", "==", "!=", ">="]);
                self.cov.note("list_cmp");
                format!("{} {op} {}", a.s, b.s)
            }
            6 => {
                let a = self.bool_expr(d);
                let b = self.bool_expr(d);
                let op = if self.c.chance(50) { "and" } else { "or" };
                self.cov.note(if op == "and" { "and" } else { "or" });
                format!("({} {op} {})", a.s, b.s)
            }
            7 => {
                let a = self.bool_expr(d);
                self.cov.note("not");
                format!("not {}", paren(&a.s))
            }
            8 => {
                let neg = self.c.chance(30);
                self.cov.note(if neg { "not_in" } else { "in" });
                let op = if neg { "not in" } else { "in" };
                if self.c.chance(50) {
                    let x = self.int_expr(d);
                    let xs = self.list_expr(Ty::IntList, d);
                    format!("{} {op} {}", x.s, xs.s)
                } else {
                    let x = self.str_expr(0);
                    let s = self.str_expr(d);
                    format!("{} {op} {}", x.s, s.s)
                }
            }
            9 => {
                let ty = *self.c.pick(&[Ty::Int, Ty::Float, Ty::Str, Ty::IntList]);
                let x = self.expr(ty, d);
                self.cov.note("bool()");
                format!("bool({})", x.s)
            }
            10 => {
                let s = self.str_expr(d);
                let m = *self.c.pick(&["startswith", "endswith", "isdigit", "isalpha"]);
                self.cov.note(match m {
                    "startswith" => "startswith",
                    "endswith" => "endswith",
                    "isdigit" => "isdigit",
                    _ => "isalpha",
                });
                if m.starts_with("is") {
                    format!("{}.{m}()", paren_list(&s.s))
                } else if self.c.chance(30) {
                    self.cov.note("startswith_range");
                    let t = self.str_expr(0);
                    let a = self.c.below(13) as i32 - 6;
                    format!("{}.{m}({}, {a})", paren_list(&s.s), t.s)
                } else {
                    let t = self.str_expr(0);
                    format!("{}.{m}({})", paren_list(&s.s), t.s)
                }
            }
            _ => match self.call_of(Ty::Bool, d) {
                Some(x) => x.s,
                None => self.literal(Ty::Bool).s,
            },
        };
        e(format!("({s})"), 1.0)
    }

    fn str_expr(&mut self, depth: usize) -> E {
        if depth == 0 || self.c.chance(25) {
            return match self.var_of(Ty::Str) {
                Some(v) if self.c.chance(60) => v,
                _ => self.literal(Ty::Str),
            };
        }
        let d = depth - 1;
        match self.c.below(14) {
            0 | 1 => {
                let a = self.str_expr(d);
                let b = self.str_expr(d);
                self.cov.note("str_concat");
                e(format!("{} + {}", a.s, b.s), a.b + b.b)
            }
            2 => {
                let ty = *self.c.pick(&[Ty::Int, Ty::Float, Ty::Bool, Ty::IntList, Ty::FloatList, Ty::StrList]);
                let x = self.expr(ty, d);
                self.cov.note("str()");
                // A list's str: 60 items of up to ~14 characters.
                e(format!("str({})", x.s), if ty.is_list() { x.b * 16.0 + 2.0 } else { 16.0 })
            }
            3 => {
                let s = self.str_expr(d);
                let k = self.c.below(4);
                self.cov.note("str_repeat");
                e(format!("{} * {k}", paren(&s.s)), s.b * k as f64)
            }
            4 | 5 => {
                let s = self.str_expr(d);
                let s_p = paren_list(&s.s);
                match self.c.below(4) {
                    0 => {
                        self.cov.note("str_index");
                        let i = self.int_expr(d);
                        e(format!("({s_p}[{} % len({s_p})] if {s_p} else \"\")", i.s), 1.0)
                    }
                    1 => {
                        self.cov.note("slice_step");
                        let step = *self.c.pick(&["-1", "2", "-2", "3"]);
                        e(format!("{s_p}[::{step}]"), s.b)
                    }
                    _ => {
                        self.cov.note("str_slice");
                        let a = self.c.below(9) as i32 - 4;
                        let b = self.c.below(13) as i32 - 6;
                        let form = match self.c.below(3) {
                            0 => format!("{s_p}[{a}:]"),
                            1 => format!("{s_p}[:{b}]"),
                            _ => format!("{s_p}[{a}:{b}]"),
                        };
                        if a < 0 || b < 0 {
                            self.cov.note("neg_index");
                        }
                        e(form, s.b)
                    }
                }
            }
            6 => {
                let s = self.str_expr(d);
                let m = *self.c.pick(&["upper", "lower", "strip"]);
                self.cov.note(match m {
                    "upper" => "upper",
                    "lower" => "lower",
                    _ => "strip",
                });
                e(format!("{}.{m}()", paren_list(&s.s)), s.b)
            }
            7 => {
                let s = self.str_expr(d);
                let (old, new) = *self.c.pick(&[("\"a\"", "\"A\""), ("\" \"", "\"\""), ("\",\"", "\";;\""), ("\"l\"", "\"L\"")]);
                if self.c.chance(30) {
                    self.cov.note("replace_count");
                    let k = self.c.below(5) as i32 - 1;
                    e(format!("{}.replace({old}, {new}, {k})", paren_list(&s.s)), s.b * 2.0)
                } else {
                    self.cov.note("replace");
                    e(format!("{}.replace({old}, {new})", paren_list(&s.s)), s.b * 2.0)
                }
            }
            8 => {
                let xs = self.list_expr(Ty::StrList, d);
                let sep = *self.c.pick(&["\"\"", "\",\"", "\" \"", "\"--\""]);
                self.cov.note("join");
                e(format!("{sep}.join({})", xs.s), xs.b * 13.0)
            }
            9 => {
                let xs = self.list_expr(Ty::StrList, d);
                let what = if self.c.chance(50) { "min" } else { "max" };
                self.cov.note(if what == "min" { "min_list" } else { "max_list" });
                let xs = paren_list(&xs.s);
                e(format!("({what}({xs}) if {xs} else \"none\")"), LEN_BOUND)
            }
            10 => {
                let c = self.bool_expr(d);
                let a = self.str_expr(d);
                let b = self.str_expr(d);
                self.cov.note("ifexp");
                e(format!("({} if {} else {})", a.s, c.s, b.s), a.b.max(b.b))
            }
            11 => match self.call_of(Ty::Str, d) {
                Some(x) => x,
                None => self.literal(Ty::Str),
            },
            _ => {
                let a = self.str_expr(d);
                let b = self.str_expr(d);
                self.cov.note("or_value");
                e(format!("({} or {})", a.s, b.s), a.b.max(b.b))
            }
        }
    }

    fn list_expr(&mut self, ty: Ty, depth: usize) -> E {
        let elem = ty.elem().unwrap_or(Ty::Int);
        if depth == 0 || self.c.chance(25) {
            return match self.var_of(ty) {
                Some(v) if self.c.chance(70) => v,
                _ => self.literal(ty),
            };
        }
        let d = depth - 1;
        match self.c.below(12) {
            0 => {
                let n = 1 + self.c.below(4);
                let items: Vec<String> = (0..n).map(|_| self.expr_var(elem, d).s).collect();
                e(format!("[{}]", items.join(", ")), n as f64)
            }
            1 | 2 => {
                // A comprehension over a list, a str or a range.
                let var = self.fresh("c");
                let (src, src_b, src_ty) = match self.c.below(3) {
                    0 => {
                        let r = self.range_args();
                        self.cov.note("range");
                        (format!("range({r})"), 10.0, Ty::Int)
                    }
                    1 => {
                        let st = *self.c.pick(&[Ty::IntList, Ty::FloatList, Ty::StrList]);
                        let xs = self.list_expr(st, d);
                        (xs.s, xs.b, st.elem().unwrap_or(Ty::Int))
                    }
                    _ => {
                        let s = self.str_expr(d);
                        (s.s, s.b, Ty::Str)
                    }
                };
                self.vars.push(Var { name: var.clone(), ty: src_ty, mutable: false, frozen: false });
                // The comprehension is a loop for the cost of calls in it.
                self.loop_depth += 1;
                self.depth_seen = self.depth_seen.max(self.loop_depth);
                let body = self.expr_var(elem, d);
                let mut text = format!("[{} for {var} in {src}", body.s);
                let mut b = src_b;
                if self.c.chance(15) {
                    let var2 = self.fresh("c");
                    let r = self.c.below(4);
                    self.cov.note("listcomp_nested");
                    let _ = write!(text, " for {var2} in range({r})");
                    b *= 4.0;
                }
                self.cov.note("listcomp");
                if self.c.chance(35) {
                    let cond = self.bool_expr(d.min(1));
                    self.cov.note("listcomp_if");
                    let _ = write!(text, " if {}", cond.s);
                }
                self.loop_depth -= 1;
                self.vars.pop();
                text.push(']');
                e(text, b)
            }
            3 => {
                let xs = self.list_expr(ty, d);
                if self.c.chance(30) {
                    self.cov.note("sorted_reverse");
                    let r = self.bool_expr(0);
                    e(format!("sorted({}, reverse={})", xs.s, r.s), xs.b)
                } else {
                    self.cov.note("sorted");
                    e(format!("sorted({})", xs.s), xs.b)
                }
            }
            4 | 5 => {
                let xs = self.list_expr(ty, d);
                let xs_p = paren_list(&xs.s);
                let a = self.c.below(9) as i32 - 4;
                let b = self.c.below(13) as i32 - 6;
                match self.c.below(4) {
                    0 => {
                        self.cov.note("slice_step");
                        let step = *self.c.pick(&["-1", "2", "-2", "3"]);
                        e(format!("{xs_p}[::{step}]"), xs.b)
                    }
                    1 => {
                        self.cov.note("list_slice");
                        e(format!("{xs_p}[{a}:]"), xs.b)
                    }
                    2 => {
                        self.cov.note("list_slice");
                        e(format!("{xs_p}[:{b}]"), xs.b)
                    }
                    _ => {
                        self.cov.note("list_slice");
                        e(format!("{xs_p}[{a}:{b}]"), xs.b)
                    }
                }
            }
            6 => {
                let a = self.list_expr(ty, d);
                let b = self.list_expr(ty, d);
                self.cov.note("list_concat");
                e(format!("{} + {}", a.s, b.s), a.b + b.b)
            }
            7 => {
                let a = self.literal(ty);
                let k = self.c.below(4);
                self.cov.note("list_repeat");
                e(format!("{} * {k}", a.s), a.b * k as f64)
            }
            8 if ty == Ty::IntList => {
                let r = self.range_args();
                self.cov.note("list()");
                self.cov.note("range");
                e(format!("list(range({r}))"), 10.0)
            }
            8 if ty == Ty::StrList => {
                let s = self.str_expr(d);
                let sep = self.c.below(5);
                let k = self.c.below(4) as i32 - 1;
                if sep == 0 {
                    self.cov.note("split");
                    e(format!("{}.split()", paren_list(&s.s)), s.b)
                } else if sep == 3 {
                    self.cov.note("split_maxsplit");
                    let sep = *self.c.pick(&["None", "\",\"", "\" \""]);
                    e(format!("{}.split({sep}, {k})", paren_list(&s.s)), s.b + 1.0)
                } else if sep == 4 {
                    self.cov.note("split_keyword");
                    e(format!("{}.split(maxsplit={k})", paren_list(&s.s)), s.b + 1.0)
                } else {
                    self.cov.note("split_sep");
                    let sep = if sep == 1 { "\",\"" } else { "\" \"" };
                    e(format!("{}.split({sep})", paren_list(&s.s)), s.b + 1.0)
                }
            }
            9 if ty == Ty::StrList => {
                let s = self.str_expr(d);
                self.cov.note("list()");
                e(format!("list({})", s.s), s.b)
            }
            10 => match self.call_of(ty, d) {
                Some(x) => x,
                None => self.literal(ty),
            },
            11 if ty == Ty::IntList => {
                // enumerate/zip materialised, then reduced back to ints.
                let xs = self.list_expr(Ty::IntList, d);
                if self.c.chance(50) {
                    self.cov.note("enumerate");
                    self.cov.note("listcomp");
                    e(format!("[a * 7 + b for a, b in enumerate({})]", xs.s), xs.b)
                } else {
                    self.cov.note("zip");
                    self.cov.note("listcomp");
                    let ys = self.list_expr(Ty::IntList, d);
                    e(format!("[a - b for a, b in zip({}, {})]", xs.s, ys.s), xs.b.min(ys.b))
                }
            }
            _ => match self.var_of(ty) {
                Some(v) => v,
                None => self.literal(ty),
            },
        }
    }
}

/// `s` in parentheses unless it is a name, a literal or already bracketed.
fn paren(s: &str) -> String {
    let simple = s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        || (s.starts_with('(') && matching_close(s) == Some(s.len() - 1));
    if simple { s.to_string() } else { format!("({s})") }
}

/// Like `paren`, but a list/str display or a subscript is also kept as is.
fn paren_list(s: &str) -> String {
    if (s.starts_with('[') && matching_close(s) == Some(s.len() - 1)) || (s.starts_with('"') && s.ends_with('"') && s.matches('"').count() == 2) {
        return s.to_string();
    }
    paren(s)
}

/// The index of the bracket closing the one `s` starts with.
fn matching_close(s: &str) -> Option<usize> {
    let mut depth = 0i32;
    let mut in_str = false;
    for (i, ch) in s.char_indices() {
        match ch {
            '"' => in_str = !in_str,
            '(' | '[' if !in_str => depth += 1,
            ')' | ']' if !in_str => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tape(seed: u64, n: usize) -> Vec<u32> {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 16) as u32
            })
            .collect()
    }

    /// `PROGEN_DUMP=N cargo test -p e2e-tests --lib dump -- --nocapture`
    /// prints N sample programs.
    #[test]
    fn dump() {
        let n: u64 = std::env::var("PROGEN_DUMP").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
        for seed in 0..n {
            println!("# ---- seed {seed}\n{}", generate(&tape(seed, 600)).source);
        }
    }

    #[test]
    fn an_empty_tape_gives_a_tiny_program() {
        let p = generate(&[]);
        assert!(p.source.lines().count() <= 6, "{}", p.source);
        assert!(p.source.contains("print("), "{}", p.source);
    }

    #[test]
    fn generation_is_deterministic() {
        let t = tape(7, 400);
        assert_eq!(generate(&t).source, generate(&t).source);
    }

    #[test]
    fn every_noted_construct_is_listed_and_most_are_reached() {
        let mut cov = Coverage::default();
        for seed in 0..400 {
            cov.merge(&generate(&tape(seed, 600)).coverage);
        }
        for k in cov.counts.keys() {
            assert!(ALL_CONSTRUCTS.contains(k), "`{k}` is noted but not in ALL_CONSTRUCTS");
        }
        let missing: Vec<&str> = ALL_CONSTRUCTS.iter().copied().filter(|c| !cov.counts.contains_key(c)).collect();
        assert!(missing.len() <= 3, "never generated in 400 programs: {missing:?}");
    }

    #[test]
    fn paren_keeps_simple_things() {
        assert_eq!(paren("x1"), "x1");
        assert_eq!(paren("(a + b)"), "(a + b)");
        assert_eq!(paren("(a) + (b)"), "((a) + (b))");
        assert_eq!(paren_list("[1, 2]"), "[1, 2]");
        assert_eq!(paren_list("[1] + [2]"), "([1] + [2])");
        assert_eq!(paren_list("\"ab\""), "\"ab\"");
    }
}

//! The ePython dialect at compile time (compiler dialect.rs): how a
//! program chooses it, and what the compiler emits differently in it,
//! checked through the disassembler. What the emitted code computes is
//! tested on the cores (tests/epython-dialect, firmware tests).

use compiler::{Dialect, ErrorKind, Options, compile, compile_kernel_with, compile_with, disassemble};
use shared_protocol::natives;

fn program(src: &str, dialect: Option<Dialect>) -> compiler::Program {
    compile_with(src, "t.py", &Options { dialect }).unwrap_or_else(|e| panic!("{e}"))
}

/// The instruction names (and operands) of the whole image, one per line.
fn code(src: &str, dialect: Option<Dialect>) -> Vec<String> {
    let text = disassemble(&program(src, dialect).image).unwrap();
    text.lines()
        .filter(|l| l.len() > 16 && l.as_bytes()[..16].iter().all(|b| b.is_ascii_digit() || *b == b' '))
        .map(|l| l[16..].split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn has(code: &[String], op: &str) -> bool {
    code.iter().any(|l| l.split(' ').next() == Some(op))
}

const EP: Option<Dialect> = Some(Dialect::Epython);
const PY: Option<Dialect> = Some(Dialect::Python3);

#[test]
fn the_marker_chooses_the_dialect_and_options_win() {
    let marked = "# epython: dialect=epython\nx = 7 / 2\n";
    assert_eq!(program(marked, None).dialect, Dialect::Epython);
    assert!(has(&code(marked, None), "DivTrunc"));
    assert_eq!(program(marked, PY).dialect, Dialect::Python3);
    assert!(has(&code(marked, PY), "TrueDiv"));
    assert_eq!(program("x = 7 / 2\n", None).dialect, Dialect::Python3);
    assert_eq!(compile("#!/usr/bin/env epython\n# epython: dialect=epython\n", "t.py").unwrap().dialect, Dialect::Epython);
    let e = compile("# epython: dialect=ePython\nx = 1\n", "t.py").unwrap_err();
    assert_eq!((e.line, e.kind), (1, ErrorKind::SyntaxError));
    assert!(e.message.contains("unknown dialect 'ePython'"), "{e}");
}

#[test]
fn operators_differ_only_in_the_dialect() {
    let src = "a = 7\nb = a / 2 + a % 3\nb += 1\nc = a ^ 2\nd = a ** 2\nb /= 2\nb %= 2\ne = a // 2\n";
    let ep = code(src, EP);
    for op in ["DivTrunc", "ModTrunc", "Add", "InplaceAdd", "Pow", "FloorDiv"] {
        assert!(has(&ep, op), "{op} missing in\n{ep:#?}");
    }
    for op in ["TrueDiv", "Mod", "BitXor"] {
        assert!(!has(&ep, op), "{op} in the dialect:\n{ep:#?}");
    }
    let py = code(src, PY);
    for op in ["TrueDiv", "Mod", "Add", "InplaceAdd", "BitXor", "Pow"] {
        assert!(has(&py, op), "{op} missing in\n{py:#?}");
    }
    assert!(!py.iter().any(|l| l.contains("Trunc")));
    // A float literal operand: float division either way, Python's opcode
    // (the fast path).
    let floats = code("x = 3\ny = x / 2.0 + -7.5 % x + x / -0.5\nx /= 2.5\n", EP);
    assert!(!floats.iter().any(|l| l.contains("Trunc")), "{floats:#?}");
    // `+` is Add; the image says str + number formats.
    let text = |src: &str, d| disassemble(&program(src, d).image).unwrap();
    assert!(text("x = 1\n", EP).contains("; flags: str + number formats the number"));
    assert!(!text("x = 1\n", PY).contains("; flags"));
}

#[test]
fn caret_is_power_with_its_precedence() {
    // -2^2 is -(2^2); 2^3^2 is 2^(3^2): as **.
    let caret = code("x = -2 ^ 3 ^ 2 * 4\n", EP);
    let stars = code("x = -2 ** 3 ** 2 * 4\n", EP);
    assert_eq!(caret, stars);
    assert_eq!(code("x ^= 2\n", EP), code("x **= 2\n", EP));
}

#[test]
fn names_are_folded() {
    let p = program("Total = 1\nTOTAL = total + 1\nDef F(A): Return a\nprint(f(TOTAL))\n", EP);
    assert!(p.globals.contains(&"total".to_string()) && p.globals.contains(&"f".to_string()), "{:?}", p.globals);
    assert!(!p.globals.iter().any(|g| g.chars().any(char::is_uppercase)), "{:?}", p.globals);
    // Builtins and module members stay reachable whatever the case.
    let c = code("import MATH\nX = LEN([1]) + Math.Floor(2.5)\nPRINT(X)\n", EP);
    assert!(c.iter().any(|l| l.contains("(len)")) && c.iter().any(|l| l.contains("(math.floor)")), "{c:#?}");
    // Python 3 is case-sensitive: `Print` is some global.
    assert!(compile("Print(1)\n", "t.py").unwrap().globals.contains(&"Print".to_string()));
}

#[test]
fn module_level_defs_are_defined_before_the_body() {
    // The first instructions make and bind `f` (hoisted), then the body
    // runs, and the def binds `f` again where it stands.
    let c = code("print(f(1))\ndef f(a, b=2, c=(1, -2.5), d='x', e=None):\n    return a\n", EP);
    assert_eq!(c.iter().filter(|l| l.starts_with("MakeFunction")).count(), 2, "{c:#?}");
    let first_print = c.iter().position(|l| l.starts_with("Print")).unwrap();
    let first_make = c.iter().position(|l| l.starts_with("MakeFunction")).unwrap();
    assert!(first_make < first_print, "{c:#?}");
    // A default that is not a constant (it could read what the body binds
    // later): defined where it stands only.
    let c = code("N = 3\ndef g(a=N):\n    return a\ndef h(a=[]):\n    return a\n", EP);
    assert_eq!(c.iter().filter(|l| l.starts_with("MakeFunction")).count(), 2, "{c:#?}");
    // Only the first def of a name; none in Python 3.
    let twice = "def f():\n    return 1\ndef f():\n    return 2\n";
    assert_eq!(code(twice, EP).iter().filter(|l| l.starts_with("MakeFunction")).count(), 3);
    assert_eq!(code(twice, PY).iter().filter(|l| l.starts_with("MakeFunction")).count(), 2);
}

#[test]
fn input_math_constants_and_imported_members() {
    let c = code("x = input('?')\n", EP);
    assert_eq!(c.first(), Some(&format!("LoadNative {} (input)", natives::INPUT_VALUE)), "{c:#?}");
    assert!(has(&c, "Input") && has(&c, "Call"));
    assert!(!has(&code("x = input('?')\n", PY), "Call"));
    // math.pi() and pi() (after import math) are the constant.
    let c = code("import math\nx = math.pi() + math.e() + pi()\n", EP);
    assert!(!has(&c, "Call"), "{c:#?}");
    // ePython's import makes the members names: coreid() after import parallel.
    let c = code("import parallel\nprint(coreid())\n", EP);
    assert!(c.contains(&format!("LoadNative {} (parallel.coreid)", natives::PARALLEL_COREID)), "{c:#?}");
    let py = compile_with("import parallel\nprint(coreid())\n", "t.py", &Options { dialect: PY }).unwrap();
    assert!(py.globals.contains(&"coreid".to_string()));
    // A name the program binds is its own.
    let c = code("import math\nsqrt = 4\nprint(sqrt)\n", EP);
    assert!(!c.iter().any(|l| l.contains("math.sqrt")), "{c:#?}");
}

#[test]
fn block_comments_in_the_default_dialect() {
    let p = compile("/* a header,\n   on two lines */\nx = 1 /* here */ + 2\n", "t.py").unwrap();
    assert_eq!(p.dialect, Dialect::Python3);
    let e = compile("x = 1\n/* open\n\ny = 2\n", "t.py").unwrap_err();
    assert_eq!((e.line, e.col), (2, 1));
    assert!(e.message.contains("unterminated '/*' comment starting at line 2"), "{e}");
}

#[test]
fn kernels_are_found_by_their_folded_names() {
    let src = "@offload\ndef MyKernel(A, Count=2):\n    Return a * COUNT\n";
    let k = compile_kernel_with("", src, "k.py", 10, "MyKernel", &Options::dialect(Dialect::Epython)).unwrap_or_else(|e| panic!("{e}"));
    let info = k.kernel.unwrap();
    assert_eq!(info.name, "MyKernel");
    assert_eq!(info.params, ["a", "count"]);
    assert_eq!((info.n_defaults, info.line), (1, 11));
    // The prelude (the host's globals) is folded too.
    let k = compile_kernel_with("LIMIT = 3\n", "def k():\n    return limit\n", "k.py", 1, "k", &Options::dialect(Dialect::Epython)).unwrap();
    assert!(k.globals.contains(&"limit".to_string()));
}

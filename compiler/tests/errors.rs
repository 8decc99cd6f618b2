//! Every compile error reads `FILE:LINE:COL: Kind: message`, pointing at the
//! offending token.

use compiler::{ErrorKind, compile};

fn error(src: &str) -> String {
    match compile(src, "prog.py") {
        Ok(_) => panic!("compiled: {src:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_bad_token() {
    assert_eq!(error("x = 1\ny = x ? 2\n"), "prog.py:2:7: SyntaxError: invalid character '?' (U+003F)");
    assert_eq!(error("x = 5 + `y`"), "prog.py:1:9: SyntaxError: invalid character '`' (U+0060)");
}

#[test]
fn a_nul_byte_anywhere_is_refused_with_its_line() {
    // CPython: "source code cannot contain null bytes", before any other error.
    let msg = "SyntaxError: source code cannot contain null bytes";
    assert_eq!(error("x = 1\0\n"), format!("prog.py:1:6: {msg}"));
    assert_eq!(error("# a comment\nx = 'a\0b'\n"), format!("prog.py:2:7: {msg}"));
    assert_eq!(error("x = 1\r\ny = 2 # \0\n"), format!("prog.py:2:9: {msg}"));
    assert_eq!(error("x = (1 +\n\0"), format!("prog.py:2:1: {msg}"), "before the unclosed bracket");
    // A kernel cut from a bigger file keeps the file's numbering.
    let e = compiler::compile_kernel("def k():\n    return '\0'\n", "f.py", 10, "k").unwrap_err();
    assert_eq!((e.line, e.col, e.message.as_str()), (11, 13, "source code cannot contain null bytes"));
}

#[test]
fn no_message_shows_a_control_character_itself() {
    assert_eq!(error("x = 1 \x01"), "prog.py:1:7: SyntaxError: invalid non-printable character U+0001");
    assert_eq!(error("x = 1 \u{1b}[31m"), "prog.py:1:7: SyntaxError: invalid non-printable character U+001B");
    assert_eq!(error("x = 1 \u{200b}"), "prog.py:1:7: SyntaxError: invalid non-printable character U+200B");
    for bad in ["x = 1\0", "x = '\0", "\0", "def f(:\0", "x = \x01\x00"] {
        assert!(!error(bad).contains('\0'), "{bad:?}");
    }
}

#[test]
fn unbalanced_parentheses() {
    assert_eq!(error("x = (1 + 2\ny = 3\n"), "prog.py:1:5: SyntaxError: '(' was never closed");
    assert_eq!(error("x = 1 + 2)\n"), "prog.py:1:10: SyntaxError: unmatched ')'");
    assert_eq!(error("print(x]\n"), "prog.py:1:8: SyntaxError: closing parenthesis ']' does not match opening parenthesis '('");
}

#[test]
fn bad_indentation() {
    assert_eq!(error("x = 1\n    y = 2\n"), "prog.py:2:5: SyntaxError: unexpected indent");
    assert_eq!(error("if x:\ny = 2\n"), "prog.py:2:1: SyntaxError: expected an indented block after 'if' statement on line 1");
    assert_eq!(
        error("while x:\n        y = 1\n    z = 2\n"),
        "prog.py:3:5: SyntaxError: unindent does not match any outer indentation level"
    );
}

#[test]
fn constructs_not_on_the_device_are_rejected_by_name() {
    assert_eq!(error("x = 1\nclass Point:\n    pass\n"), "prog.py:2:1: SyntaxError: 'class' is not supported on the device (no classes)");
    assert_eq!(error("try:\n    x = 1\nexcept:\n    pass\n"), "prog.py:1:1: SyntaxError: 'try' is not supported on the device (no exception handling)");
    assert_eq!(error("raise ValueError"), "prog.py:1:1: SyntaxError: 'raise' is not supported on the device (no exception handling)");
    assert_eq!(error("x = {}"), "prog.py:1:5: SyntaxError: dict and set displays are not supported on the device");
    assert_eq!(error("x = (y for y in z)"), "prog.py:1:5: SyntaxError: generator expressions are not supported on the device (no generators)");
    assert_eq!(error("import os"), "prog.py:1:8: SyntaxError: no module named 'os' on the device (its modules: parallel, math, random; ePython's: util, array, memory, taskfarm)");
}

#[test]
fn more_constructs_not_on_the_device() {
    assert_eq!(error("with f:\n  pass\n"), "prog.py:1:1: SyntaxError: 'with' is not supported on the device");
    assert_eq!(error("def g():\n  yield 1\n"), "prog.py:2:3: SyntaxError: 'yield' is not supported on the device (no generators)");
    assert_eq!(error("async def f():\n  pass\n"), "prog.py:1:1: SyntaxError: 'async' is not supported on the device");
    assert_eq!(error("x = {1: 2}"), "prog.py:1:5: SyntaxError: dict and set displays are not supported on the device");
    assert_eq!(error("x = {y for y in z}"), "prog.py:1:5: SyntaxError: dict and set displays are not supported on the device");
    assert_eq!(error("@dec\ndef f():\n  pass\n"), "prog.py:1:1: SyntaxError: decorators and '@' are not supported on the device");
    assert_eq!(error("assert x, 'm'"), "prog.py:1:1: SyntaxError: 'assert' is not supported on the device (no raising of exceptions)");
    assert_eq!(error("if (n := 3):\n  pass\n"), "prog.py:1:7: SyntaxError: ':=' (assignment expressions) is not supported on the device");
    assert_eq!(error("a, *b = xs"), "prog.py:1:4: SyntaxError: starred assignment targets ('*x') are not supported on the device");
    assert_eq!(error("x = [*a, 1]"), "prog.py:1:6: SyntaxError: starred expressions ('*x') are not supported on the device");
    assert_eq!(error("f(*a)"), "prog.py:1:4: SyntaxError: '*' arguments are not supported on the device");
    assert_eq!(error("f(**k)"), "prog.py:1:5: SyntaxError: '**' arguments are not supported on the device");
    assert_eq!(error("def f(*args):\n  pass\n"), "prog.py:1:7: SyntaxError: '*args' parameters are not supported on the device");
    assert_eq!(error("def f(a, **kw):\n  pass\n"), "prog.py:1:10: SyntaxError: '**kw' parameters are not supported on the device");
    assert_eq!(error("def f(a, *, b):\n  pass\n"), "prog.py:1:13: SyntaxError: keyword-only parameters are not supported on the device");
    assert_eq!(error("f = lambda *a: a"), "prog.py:1:12: SyntaxError: '*a' parameters are not supported on the device");
    assert_eq!(error("x = d.real"), "prog.py:1:5: SyntaxError: attribute access ('.real') is not supported on the device (device objects have methods only)");
    assert_eq!(error("p.x = 1"), "prog.py:1:1: SyntaxError: attribute access ('.x') is not supported on the device (device objects have methods only)");
    assert_eq!(error("xs.frobnicate(1)"), "prog.py:1:1: SyntaxError: 'frobnicate' is not a method supported on the device");
    assert_eq!(error("xs.sort(key=len)"), "prog.py:1:13: SyntaxError: keyword arguments to methods (sort(key=...)) are not supported on the device");
    assert_eq!(error("xs.sort(reverse=True, key=len)"), "prog.py:1:27: SyntaxError: keyword arguments to methods (sort(key=...)) are not supported on the device");
    assert_eq!(error("ys = sorted(xs, key=len)"), "prog.py:1:21: SyntaxError: keyword arguments to sorted() (key=...) are not supported on the device");
    assert_eq!(error("s.split(x=1)"), "prog.py:1:11: SyntaxError: keyword arguments to methods (split(x=...)) are not supported on the device");
    // split's keywords out of order only without effects (evaluation order is the source's).
    assert_eq!(error("s.split(maxsplit=f(), sep=' ')"), "prog.py:1:18: SyntaxError: keyword arguments to methods out of parameter order, with effects (split(maxsplit=...)), are not supported on the device");
    assert_eq!(error("s.split(',', sep=' ')"), "prog.py:1:18: SyntaxError: keyword arguments to methods (split(sep=...)) are not supported on the device");
    assert_eq!(error("s.find('a', start=1)"), "prog.py:1:19: SyntaxError: keyword arguments to methods (find(start=...)) are not supported on the device");
    assert_eq!(error("x = isinstance(a, int)"), "prog.py:1:5: SyntaxError: builtin 'isinstance' is not available on the device");
    assert_eq!(error("import math\nx = math.nope"), "prog.py:2:5: SyntaxError: module 'math' has no attribute 'nope'");
    assert_eq!(error("def f():\n  from math import *\n"), "prog.py:2:3: SyntaxError: import * only allowed at module level");
}

#[test]
fn what_is_not_there_yet_says_so() {
    assert_eq!(error("a[1:2] += b"), "prog.py:1:3: SyntaxError: augmented assignment to a slice is not supported yet");
    assert_eq!(error("del x"), "prog.py:1:1: SyntaxError: 'del' is not supported yet");
    assert_eq!(error("f = print"), "prog.py:1:5: SyntaxError: using 'print' other than by calling it is not supported yet");
}

#[test]
fn nonlocal_needs_an_enclosing_function_binding() {
    assert_eq!(
        error("def f():\n  def g():\n    nonlocal x\n    x = 1\n"),
        "prog.py:3:5: SyntaxError: no binding for nonlocal 'x' found"
    );
    // A global is not an enclosing function's variable.
    assert_eq!(error("x = 1\ndef g():\n  nonlocal x\n"), "prog.py:3:3: SyntaxError: no binding for nonlocal 'x' found");
    assert_eq!(error("nonlocal x\n"), "prog.py:1:1: SyntaxError: nonlocal declaration not allowed at module level");
    assert_eq!(
        error("def f(a):\n  def g(a):\n    nonlocal a\n"),
        "prog.py:3:5: SyntaxError: name 'a' is parameter and nonlocal"
    );
    assert_eq!(
        error("def f():\n  x = 1\n  def g():\n    global x\n    nonlocal x\n"),
        "prog.py:5:5: SyntaxError: name 'x' is nonlocal and global"
    );
    // Closures compile: a lambda over a parameter, nonlocal through two levels.
    assert!(compile("def f(a):\n  return lambda: a\n", "prog.py").is_ok());
    assert!(compile("def f():\n  x = 0\n  def g():\n    def h():\n      nonlocal x\n      x += 1\n    h()\n  g()\n  return x\n", "prog.py").is_ok());
}

#[test]
fn misplaced_statements_and_bad_names() {
    assert_eq!(error("x = 1\nbreak\n"), "prog.py:2:1: SyntaxError: 'break' outside loop");
    assert_eq!(error("continue"), "prog.py:1:1: SyntaxError: 'continue' not properly in loop");
    assert_eq!(error("return 1"), "prog.py:1:1: SyntaxError: 'return' outside function");
    assert_eq!(error("from parallel import nope"), "prog.py:1:22: SyntaxError: cannot import name 'nope' from 'parallel'");
    assert_eq!(error("import parallel\nparallel.nope()"), "prog.py:2:1: SyntaxError: module 'parallel' has no attribute 'nope'");
    assert_eq!(error("print(1, file=x)"), "prog.py:1:15: SyntaxError: print() keyword argument 'file' is not supported on the device");
}

#[test]
fn integer_literals_must_fit_in_32_bits() {
    let e = compile("x = 1\ny = 2147483648\n", "prog.py").unwrap_err();
    assert_eq!(e.kind, ErrorKind::OverflowError);
    assert_eq!((e.line, e.col), (2, 5));
    assert_eq!(
        e.to_string(),
        "prog.py:2:5: OverflowError: integer literal is too large: ints on the device are 32-bit (-2147483648..2147483647)"
    );
    assert_eq!(error("y = -2147483649").split(": ").nth(1), Some("OverflowError"));
    assert_eq!(error("y = 0x1_0000_0000").split(": ").nth(1), Some("OverflowError"));
    assert_eq!(error("y = 123456789012345678901234567890123456789012345").split(": ").nth(1), Some("OverflowError"));
    assert!(compile("y = -2147483648\nz = 2147483647\nw = 0x7fff_ffff", "prog.py").is_ok());
}

#[test]
fn the_error_carries_its_parts() {
    let e = compile("x = $", "dir/k.py").unwrap_err();
    assert_eq!((e.file.as_str(), e.line, e.col, e.kind), ("dir/k.py", 1, 5, ErrorKind::SyntaxError));
    assert_eq!(e.message, "invalid character '$' (U+0024)");
}

//! Codegen for the whole device language (design.md §4) on the issue-3
//! opcodes, checked through the disassembler: exact sequences for the key
//! constructs, scopes (local, global, builtin), and the closure error.

use compiler::{compile, disassemble};
use shared_protocol::natives;

fn disasm(src: &str) -> String {
    let program = compile(src, "t.py").unwrap_or_else(|e| panic!("{e}"));
    disassemble(&program.image).unwrap()
}

fn is_instruction(l: &str) -> bool {
    l.len() > 16 && l.as_bytes()[..16].iter().all(|b| b.is_ascii_digit() || *b == b' ' || *b == b'>')
}

/// The instructions (name and operand) of function `index`, one per entry.
fn function(src: &str, index: usize) -> Vec<String> {
    let text = disasm(src);
    let header = format!("function {index} ");
    let mut lines = text.lines().skip_while(|l| !l.starts_with(&header));
    lines.next().unwrap_or_else(|| panic!("no function {index} in\n{text}"));
    lines
        .take_while(|l| !l.starts_with("function "))
        .filter(|l| is_instruction(l))
        .map(|l| l[16..].split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn module(src: &str) -> Vec<String> {
    function(src, 0)
}

/// The header line of function `index` and its locals line, if any.
fn header(src: &str, index: usize) -> String {
    let text = disasm(src);
    let header = format!("function {index} ");
    let mut lines = text.lines().skip_while(|l| !l.starts_with(&header));
    let mut out = lines.next().unwrap().to_string();
    if let Some(l) = lines.next().filter(|l| l.starts_with("  locals:")) {
        out.push('\n');
        out.push_str(l.trim());
    }
    out
}

fn error(src: &str) -> String {
    match compile(src, "prog.py") {
        Ok(_) => panic!("compiled: {src:?}"),
        Err(e) => e.to_string(),
    }
}

// ---- loops ----

#[test]
fn a_for_loop_with_break_continue_and_else() {
    let src = "for x in xs:\n  if x:\n    break\n  continue\nelse:\n  y = 1\n";
    assert_eq!(
        module(src),
        [
            "LoadGlobal 0 (xs)", "GetIter",
            "ForIter to 26", // 4: exhausted pops the iterator and jumps to the else
            "StoreGlobal 1 (x)",
            "LoadGlobal 1 (x)", "PopJumpIfFalse to 20",
            "Pop", "Jump to 32", // break: drop the iterator, skip the else
            "Jump to 4",         // continue
            "Jump to 4",
            "LoadInt 1", "StoreGlobal 2 (y)",
            "LoadNone", "Return"
        ]
    );
}

#[test]
fn for_targets_unpack_and_nested_loops_break_their_own_iterator() {
    assert_eq!(
        module("for i, x in enumerate(xs):\n  pass\n"),
        [
            "LoadNative 43 (enumerate)", "LoadGlobal 0 (xs)", "Call 1", "GetIter",
            "ForIter to 24", "UnpackSequence 2", "StoreGlobal 1 (i)", "StoreGlobal 2 (x)", "Jump to 9",
            "LoadNone", "Return"
        ]
    );
    let text = module("for a in b:\n  while a:\n    break\n  for c in d:\n    break\n  break\n");
    assert_eq!(
        text,
        [
            "LoadGlobal 0 (b)", "GetIter", "ForIter to 46", "StoreGlobal 1 (a)",
            "LoadGlobal 1 (a)", "PopJumpIfFalse to 22", "Jump to 22", "Jump to 10",
            "LoadGlobal 2 (d)", "GetIter", "ForIter to 39", "StoreGlobal 3 (c)", "Pop", "Jump to 39", "Jump to 26",
            "Pop", "Jump to 46", "Jump to 4",
            "LoadNone", "Return"
        ]
    );
}

#[test]
fn return_inside_loops_drops_their_iterators_first() {
    assert_eq!(
        function("def f(xs):\n  for x in xs:\n    for y in x:\n      return y\n", 1),
        [
            "LoadLocal 0 (xs)", "GetIter", "ForIter to 32", "StoreLocal 1 (x)",
            "LoadLocal 1 (x)", "GetIter", "ForIter to 29", "StoreLocal 2 (y)",
            "Pop", "Pop", "LoadLocal 2 (y)", "Return", "Jump to 14",
            "Jump to 4",
            "LoadNone", "Return"
        ]
    );
}

#[test]
fn while_else() {
    assert_eq!(
        module("while x:\n  break\nelse:\n  y = 2\n"),
        ["LoadGlobal 0 (x)", "PopJumpIfFalse to 12", "Jump to 18", "Jump to 0", "LoadInt 2", "StoreGlobal 1 (y)", "LoadNone", "Return"]
    );
}

// ---- comprehensions ----

#[test]
fn a_list_comprehension_is_inline_with_its_own_variables() {
    assert_eq!(
        module("ys = [x * 2 for x in xs if x]"),
        [
            "BuildList 0", "LoadGlobal 0 (xs)", "GetIter",
            "ForIter to 31", "StoreLocal 0 (x)",
            "LoadLocal 0 (x)", "PopJumpIfFalse to 7",
            "LoadLocal 0 (x)", "LoadInt 2", "Mul", "ListAppend 1", "Jump to 7",
            "StoreGlobal 1 (ys)", "LoadNone", "Return"
        ]
    );
    assert_eq!(header("ys = [x * 2 for x in xs if x]", 0), "function 0 '<module>': params 0, locals 1, max stack 4, 36 bytes\nlocals: x");
    // Nested clauses: the element is appended below both iterators.
    let text = module("m = [(i, j) for i in a for j in range(i) if j]");
    assert_eq!(
        text,
        [
            "BuildList 0", "LoadGlobal 0 (a)", "GetIter",
            "ForIter to 51", "StoreLocal 0 (i)",
            "LoadNative 32 (range)", "LoadLocal 0 (i)", "Call 1", "GetIter",
            "ForIter to 48", "StoreLocal 1 (j)", "LoadLocal 1 (j)", "PopJumpIfFalse to 22",
            "LoadLocal 0 (i)", "LoadLocal 1 (j)", "BuildTuple 2", "ListAppend 2", "Jump to 22",
            "Jump to 7",
            "StoreGlobal 1 (m)", "LoadNone", "Return"
        ]
    );
}

#[test]
fn comprehension_variables_do_not_leak_and_the_first_iterable_is_outside() {
    // `x` after the comprehension is the global x again; `[x for x in x]`
    // iterates over the outer x.
    assert_eq!(
        module("x = [x for x in x]\nprint(x)"),
        [
            "BuildList 0", "LoadGlobal 0 (x)", "GetIter", "ForIter to 21", "StoreLocal 0 (x)", "LoadLocal 0 (x)",
            "ListAppend 1", "Jump to 7", "StoreGlobal 0 (x)",
            "LoadGlobal 0 (x)", "Print 1", "Pop", "LoadNone", "Return"
        ]
    );
    // In a function the comprehension's x is a slot apart from the local x.
    assert_eq!(header("def f(x):\n  return [x for x in x]\n", 1), "function 1 'f': params 1, locals 2, max stack 3, 24 bytes\nlocals: x, x");
}

// ---- functions ----

#[test]
fn def_with_defaults_locals_and_return() {
    let src = "def f(a, b=2, c='s'):\n  t = a + b\n  return t\nr = f(1)\n";
    assert_eq!(
        module(src),
        [
            "LoadInt 2", "LoadConst 2 ('s')", "BuildTuple 2", "MakeFunction 1 (f)", "StoreGlobal 0 (f)",
            "LoadGlobal 0 (f)", "LoadInt 1", "Call 1", "StoreGlobal 1 (r)",
            "LoadNone", "Return"
        ]
    );
    assert_eq!(header(src, 1), "function 1 'f': params 3 (2 with defaults), locals 4, max stack 2, 16 bytes\nlocals: a, b, c, t");
    assert_eq!(
        function(src, 1),
        ["LoadLocal 0 (a)", "LoadLocal 1 (b)", "Add", "StoreLocal 3 (t)", "LoadLocal 3 (t)", "Return", "LoadNone", "Return"]
    );
    // No defaults: None. A bare return returns None.
    assert_eq!(module("def g():\n  return\n")[..3], ["LoadNone", "MakeFunction 1 (g)", "StoreGlobal 0 (g)"]);
    assert_eq!(function("def g():\n  return\n", 1), ["LoadNone", "Return", "LoadNone", "Return"]);
}

#[test]
fn lambdas_and_recursion() {
    let src = "sq = lambda x, k=1: x * x + k\ndef fib(n):\n  return n if n < 2 else fib(n - 1) + fib(n - 2)\n";
    assert_eq!(module(src)[..4], ["LoadInt 1", "BuildTuple 1", "MakeFunction 1 (<lambda>)", "StoreGlobal 0 (sq)"]);
    assert_eq!(function(src, 1), ["LoadLocal 0 (x)", "LoadLocal 0 (x)", "Mul", "LoadLocal 1 (k)", "Add", "Return"]);
    // fib calls itself through the global.
    assert!(function(src, 2).contains(&"LoadGlobal 1 (fib)".to_string()));
}

#[test]
fn a_call_with_keywords() {
    assert_eq!(
        module("f(1, b=2, c=x)"),
        ["LoadGlobal 0 (f)", "LoadInt 1", "LoadInt 2", "LoadGlobal 1 (x)", "LoadConst 2 (('b', 'c'))", "CallKw 3", "Pop", "LoadNone", "Return"]
    );
    assert_eq!(module("f(k=1)")[..4], ["LoadGlobal 0 (f)", "LoadInt 1", "LoadConst 2 (('k',))", "CallKw 1"]);
    // The names tuple is one constant, shared.
    assert!(disasm("f(k=1)\nf(k=2)\n").contains("3 constants"));
}

#[test]
fn keywords_of_builtins_in_their_order_are_positional() {
    assert_eq!(module("e = enumerate(xs, start=1)")[..4], ["LoadNative 43 (enumerate)", "LoadGlobal 0 (xs)", "LoadInt 1", "Call 2"]);
    assert_eq!(module("r = round(x, ndigits=2)")[3], "Call 2");
    // Anything else stays a keyword call (the device says which keyword it refuses).
    assert_eq!(module("s = sum(iterable=xs)")[3], "CallKw 1");
    assert_eq!(module("s = sum(xs, begin=1)")[4], "CallKw 2");
    // sorted(xs, reverse=r) is a native of its own (so sorted(xs, r) stays an error).
    let n = natives::SORTED_REVERSE;
    assert_eq!(
        module("s = sorted(xs, reverse=r)")[..4],
        [format!("LoadNative {n} (sorted)"), "LoadGlobal 0 (xs)".into(), "LoadGlobal 1 (r)".into(), "Call 2".into()]
    );
}

#[test]
fn keywords_of_methods_are_lowered() {
    // sort(reverse=r): the method number of its own, one argument.
    assert_eq!(module("xs.sort(reverse=r)")[..3], ["LoadGlobal 0 (xs)", "LoadGlobal 1 (r)", "CallMethod sort (1 arg)"]);
    assert_eq!(module("xs.sort()")[1], "CallMethod sort (0 args)");
    // Positional arguments to sort stay (CPython's TypeError at run time).
    assert_eq!(module("xs.sort(1, reverse=r)")[3], "CallMethod sort (2 args)");
    // split's keywords become positional, a skipped sep its default None.
    assert_eq!(module("y = s.split(maxsplit=1)")[..4], ["LoadGlobal 0 (s)", "LoadNone", "LoadInt 1", "CallMethod split (2 args)"]);
    assert_eq!(module("y = s.split(sep=',')")[2], "CallMethod split (1 arg)");
    // Out of order without effects: pushed in parameter order.
    assert_eq!(
        module("y = s.split(maxsplit=n, sep=c)")[..4],
        ["LoadGlobal 0 (s)", "LoadGlobal 1 (c)", "LoadGlobal 2 (n)", "CallMethod split (2 args)"]
    );
}

#[test]
fn a_method_call() {
    assert_eq!(
        module("xs.append(x + 1)\ny = 'a,b'.split(',')"),
        [
            "LoadGlobal 0 (xs)", "LoadGlobal 1 (x)", "LoadInt 1", "Add", "CallMethod append (1 arg)", "Pop",
            "LoadConst 2 ('a,b')", "LoadConst 3 (',')", "CallMethod split (1 arg)", "StoreGlobal 2 (y)",
            "LoadNone", "Return"
        ]
    );
    assert!(disasm("xs.pop()").contains("CallMethod       pop (0 args)"));
}

// ---- subscripts, slices, unpacking ----

#[test]
fn subscripts_and_slices() {
    assert_eq!(
        module("y = a[1:n]\nz = a[::-1]\nw = a[i][j]"),
        [
            "LoadGlobal 0 (a)", "LoadInt 1", "LoadGlobal 1 (n)", "LoadSlice", "StoreGlobal 2 (y)",
            "LoadGlobal 0 (a)", "LoadNone", "LoadNone", "LoadInt -1", "LoadSliceStep", "StoreGlobal 3 (z)",
            "LoadGlobal 0 (a)", "LoadGlobal 4 (i)", "LoadSubscr", "LoadGlobal 5 (j)", "LoadSubscr", "StoreGlobal 6 (w)",
            "LoadNone", "Return"
        ]
    );
    assert_eq!(module("b = a[:]")[..4], ["LoadGlobal 0 (a)", "LoadNone", "LoadNone", "LoadSlice"]);
}

#[test]
fn subscript_assignment_and_augmented_assignment() {
    assert_eq!(
        module("a[i][j] = v"),
        ["LoadGlobal 0 (v)", "LoadGlobal 1 (a)", "LoadGlobal 2 (i)", "LoadSubscr", "LoadGlobal 3 (j)", "StoreSubscr", "LoadNone", "Return"]
    );
    // xs[lo:hi] = v: the value first (as CPython), then the method [:]= of it
    // with the list and the bounds (None when absent), its None result popped.
    assert_eq!(
        module("a[1:] = v"),
        [
            "LoadGlobal 0 (v)", "LoadGlobal 1 (a)", "LoadInt 1", "LoadNone", "LoadNone", "CallMethod [:]= (4 args)", "Pop",
            "LoadNone", "Return"
        ]
    );
    assert_eq!(module("a[::2] = v")[2..6], ["LoadNone", "LoadNone", "LoadInt 2", "CallMethod [:]= (4 args)"]);
    assert_eq!(
        module("a[i] += 1"),
        [
            "LoadGlobal 0 (a)", "LoadGlobal 1 (i)", "Dup2", "LoadSubscr", "LoadInt 1", "InplaceAdd", "Rot3", "StoreSubscr",
            "LoadNone", "Return"
        ]
    );
}

#[test]
fn a_swap_and_other_unpacking() {
    assert_eq!(
        module("a, b = b, a"),
        ["LoadGlobal 0 (b)", "LoadGlobal 1 (a)", "Rot2", "StoreGlobal 1 (a)", "StoreGlobal 0 (b)", "LoadNone", "Return"]
    );
    assert_eq!(
        module("a, b, c = c, a, b"),
        [
            "LoadGlobal 0 (c)", "LoadGlobal 1 (a)", "LoadGlobal 2 (b)", "Rot3", "Rot2",
            "StoreGlobal 1 (a)", "StoreGlobal 2 (b)", "StoreGlobal 0 (c)", "LoadNone", "Return"
        ]
    );
    assert_eq!(
        module("x, (y, z) = f()"),
        [
            "LoadGlobal 0 (f)", "Call 0", "UnpackSequence 2", "StoreGlobal 1 (x)", "UnpackSequence 2",
            "StoreGlobal 2 (y)", "StoreGlobal 3 (z)", "LoadNone", "Return"
        ]
    );
    assert_eq!(
        module("a[0], a[1] = a[1], a[0]")[..6],
        ["LoadGlobal 0 (a)", "LoadInt 1", "LoadSubscr", "LoadGlobal 0 (a)", "LoadInt 0", "LoadSubscr"]
    );
    assert_eq!(module("t = x, y = 1, 2")[..5], ["LoadInt 1", "LoadInt 2", "BuildTuple 2", "Dup", "StoreGlobal 0 (t)"]);
}

#[test]
fn displays_and_membership() {
    assert_eq!(
        module("t = ([1, 2], (), x in y, x is not None)"),
        [
            "LoadInt 1", "LoadInt 2", "BuildList 2", "BuildTuple 0",
            "LoadGlobal 0 (x)", "LoadGlobal 1 (y)", "In",
            "LoadGlobal 0 (x)", "LoadNone", "IsNot",
            "BuildTuple 4", "StoreGlobal 2 (t)", "LoadNone", "Return"
        ]
    );
    assert_eq!(module("r = a not in b is c")[..5], ["LoadGlobal 0 (a)", "LoadGlobal 1 (b)", "NotIn", "JumpIfFalseOrPop to 17", "LoadGlobal 1 (b)"]);
    // A long display is built in pieces: the stack stays shallow.
    let long = format!("x = [{}]", (0..100).map(|i| i.to_string()).collect::<Vec<_>>().join(", "));
    let text = module(&long);
    assert!(text.contains(&"BuildList 32".to_string()) && text.contains(&"ListAppend 0".to_string()));
    let long_tuple = format!("x = ({})", (0..100).map(|i| i.to_string()).collect::<Vec<_>>().join(", "));
    assert_eq!(module(&long_tuple)[0], "LoadNative 46 (tuple)");
    assert!(disasm(&long_tuple).contains("max stack 33"));
}

// ---- modules ----

#[test]
fn module_members_and_imports() {
    assert_eq!(
        module("import math\nimport random as r\ny = math.sqrt(math.pi) + r.random()"),
        [
            "LoadNative 3 (math)", "StoreGlobal 0 (math)",
            "LoadNative 24 (random)", "StoreGlobal 1 (r)",
            "LoadGlobal 0 (math)", "LoadModuleAttr 6 (math.sqrt)",
            "LoadGlobal 0 (math)", "LoadModuleAttr 4 (math.pi)", "Call 1",
            "LoadGlobal 1 (r)", "LoadModuleAttr 25 (random.random)", "Call 0", "Add",
            "StoreGlobal 2 (y)", "LoadNone", "Return"
        ]
    );
    assert_eq!(
        module("from math import sqrt, pi as PI"),
        ["LoadNative 6 (math.sqrt)", "StoreGlobal 0 (sqrt)", "LoadNative 4 (math.pi)", "StoreGlobal 1 (PI)", "LoadNone", "Return"]
    );
    let star = module("from random import *\nx = randint(1, 6)");
    assert!(star.contains(&"StoreGlobal 1 (randint)".to_string()), "{star:?}");
    assert!(star.contains(&"LoadGlobal 1 (randint)".to_string()), "{star:?}");
    // An import inside a function binds a local holding the module.
    assert_eq!(
        function("def f(x):\n  import math\n  return math.floor(x)\n", 1),
        ["LoadNative 3 (math)", "StoreLocal 1 (math)", "LoadLocal 1 (math)", "LoadModuleAttr 18 (math.floor)", "LoadLocal 0 (x)", "Call 1", "Return", "LoadNone", "Return"]
    );
}

// ---- scopes ----

#[test]
fn locals_globals_and_builtins() {
    let src = "n = 3\ndef f(a):\n  b = a + n\n  return len(b) + g\n";
    assert_eq!(
        function(src, 1),
        [
            "LoadLocal 0 (a)", "LoadGlobal 0 (n)", "Add", "StoreLocal 1 (b)",
            "LoadNative 31 (len)", "LoadLocal 1 (b)", "Call 1", "LoadGlobal 1 (g)", "Add", "Return",
            "LoadNone", "Return"
        ]
    );
    // A builtin rebound anywhere in the module is a global everywhere.
    assert_eq!(module("def len(x):\n  return 0\ny = len([])")[3..5], ["LoadGlobal 0 (len)", "BuildList 0"]);
    // ... also when a function rebinds it with `global`.
    assert!(disasm("def f():\n  global abs\n  abs = 1\ny = abs").contains("LoadGlobal       0 (abs)"));
    // Read-only in a function: the global. Assigned anywhere in it: local
    // (UnboundLocalError before the assignment, as in Python).
    assert_eq!(function("x = 1\ndef f():\n  print(x)\n  x = 2\n", 1)[0], "LoadLocal 0 (x)");
    assert_eq!(function("x = 1\ndef f():\n  print(x)\n", 1)[0], "LoadGlobal 0 (x)");
}

#[test]
fn global_declarations() {
    let src = "count = 0\ndef bump(k):\n  global count\n  count += k\n";
    assert_eq!(
        function(src, 1),
        ["LoadGlobal 0 (count)", "LoadLocal 0 (k)", "InplaceAdd", "StoreGlobal 0 (count)", "LoadNone", "Return"]
    );
    assert_eq!(header(src, 1), "function 1 'bump': params 1, locals 1, max stack 2, 12 bytes\nlocals: k");
    assert_eq!(error("def f(x):\n  global x\n"), "prog.py:2:3: SyntaxError: name 'x' is parameter and global");
}

#[test]
fn nested_functions_without_closures_are_fine() {
    let src = "def outer(a):\n  def inner(b):\n    return b * 2\n  return inner(a)\n";
    assert_eq!(function(src, 1), ["LoadNone", "MakeFunction 2 (inner)", "StoreLocal 1 (inner)", "LoadLocal 1 (inner)", "LoadLocal 0 (a)", "Call 1", "Return", "LoadNone", "Return"]);
    assert_eq!(function(src, 2), ["LoadLocal 0 (b)", "LoadInt 2", "Mul", "Return", "LoadNone", "Return"]);
    // A lambda's default carries an enclosing variable in by value.
    assert!(compile("def f(a):\n  return lambda x, a=a: x + a\n", "t.py").is_ok());
}

#[test]
fn closures_keep_captured_variables_in_cells() {
    let src = "def outer(a):\n  b = 2\n  def inner(x):\n    return a + b + x\n  return inner\n";
    // The captured parameter and local become cells at entry; the closure is
    // built from the cells themselves (LoadLocal of a cell slot).
    assert_eq!(
        function(src, 1),
        [
            "MakeCell 0 (a)",
            "MakeCell 1 (b)",
            "LoadInt 2",
            "StoreDeref 1 (b)",
            "LoadNone",
            "LoadLocal 0 (a)",
            "LoadLocal 1 (b)",
            "BuildTuple 2",
            "MakeClosure 2 (inner)",
            "StoreLocal 2 (inner)",
            "LoadLocal 2 (inner)",
            "Return",
            "LoadNone",
            "Return",
        ]
    );
    // Free variables take the slots after the parameters.
    assert_eq!(
        function(src, 2),
        ["LoadDeref 1 (a, free)", "LoadDeref 2 (b, free)", "Add", "LoadLocal 0 (x)", "Add", "Return", "LoadNone", "Return"]
    );
    // A middle function passes a variable through without using it.
    let src = "def f(a):\n  def g():\n    return lambda: a\n  return g\n";
    assert_eq!(function(src, 2), ["LoadNone", "LoadLocal 0 (a)", "BuildTuple 1", "MakeClosure 3 (<lambda>)", "Return", "LoadNone", "Return"]);
    // Module globals are not closures.
    let src = "k = 2\ndef f():\n  def g():\n    return k\n  return g()\n";
    assert_eq!(function(src, 2), ["LoadGlobal 0 (k)", "Return", "LoadNone", "Return"]);
    // A comprehension variable used by a lambda gets a fresh cell each run.
    let ops = module("fs = [lambda: i for i in range(3)]\n");
    assert!(ops.windows(3).any(|w| w == ["LoadNone", "StoreLocal 0 (i)", "MakeCell 0 (i)"]), "{ops:?}");
    assert!(ops.iter().any(|o| o == "StoreDeref 0 (i)"), "{ops:?}");
}

#[test]
fn print_stays_the_opcode_unless_rebound() {
    assert_eq!(function("def f(x):\n  print(x, end='')\n", 1)[..3], ["LoadLocal 0 (x)", "LoadConst 3 ('')", "Print 1 +end"]);
    // A local print is an ordinary call.
    assert_eq!(function("def f(print):\n  print(1)\n", 1)[..3], ["LoadLocal 0 (print)", "LoadInt 1", "Call 1"]);
}

// ---- the line table ----

#[test]
fn a_multi_line_expression_marks_the_lines_where_errors_can_happen() {
    let text = disasm("x = [1,\n     2 // 0,\n     3]\n");
    let lines: Vec<(String, String)> = text
        .lines()
        .filter(|l| is_instruction(l))
        .map(|l| (l[..6].trim().to_string(), l[16..].split_whitespace().next().unwrap_or("").to_string()))
        .collect();
    let line_of = |op: &str| {
        let i = lines.iter().position(|(_, o)| o == op).unwrap();
        lines[..=i].iter().rev().find(|(l, _)| !l.is_empty()).unwrap().0.clone()
    };
    assert_eq!(line_of("FloorDiv"), "2");
    assert_eq!(line_of("BuildList"), "1");
}

#[test]
fn function_entries_carry_defaults_and_local_names() {
    use shared_protocol::bytecode::{FUNCTION_WORDS, HEADER_WORDS, function};
    use shared_protocol::value::{Reader, Token};
    let image = compile("def f(a, b=1):\n  c = a\n  return c\n", "t.py").unwrap().image;
    let w: Vec<u32> = image.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())).collect();
    let f = &w[HEADER_WORDS + FUNCTION_WORDS..][..FUNCTION_WORDS];
    assert_eq!((f[function::N_PARAMS], f[function::N_DEFAULTS], f[function::N_LOCALS]), (2, 1, 3));
    let table = f[function::LOCAL_NAMES] as usize / 4;
    let names: Vec<String> = (0..3)
        .map(|i| match Reader::new(&w[w[table + i] as usize / 4..]).token().unwrap() {
            Token::Str { len, words } => {
                let mut out = vec![0u8; len as usize];
                shared_protocol::value::unpack_bytes(words, len, &mut out);
                String::from_utf8(out).unwrap()
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(names, ["a", "b", "c"]);
    // Function 0 has none: its table is empty but in the image.
    let f0 = &w[HEADER_WORDS..][..FUNCTION_WORDS];
    assert_eq!((f0[function::N_LOCALS], f0[function::N_DEFAULTS]), (0, 0));
    assert!((f0[function::LOCAL_NAMES] as usize) < image.len() && f0[function::LOCAL_NAMES].is_multiple_of(4));
}

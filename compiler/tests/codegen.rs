//! Codegen, checked through the image and the disassembler.

use compiler::{compile, disassemble};

fn disasm(src: &str) -> String {
    let program = compile(src, "t.py").unwrap_or_else(|e| panic!("{e}"));
    disassemble(&program.image).unwrap()
}

/// Just the instructions (name and operand), one per line.
fn instructions(src: &str) -> Vec<String> {
    disasm(src)
        .lines()
        .filter(|l| l.len() > 16 && l.as_bytes()[..16].iter().all(|b| b.is_ascii_digit() || *b == b' ' || *b == b'>'))
        .map(|l| l[16..].split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// "max stack N" and "locals N" of function 0.
fn function_header(src: &str, field: &str) -> u32 {
    let text = disasm(src);
    let header = text.lines().find(|l| l.starts_with("function 0")).unwrap().to_string();
    let after = header.split(field).nth(1).unwrap();
    after.trim_start_matches(' ').split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap()
}

#[test]
fn arithmetic_follows_precedence() {
    assert_eq!(
        instructions("x = 1 + 2 * 3"),
        ["LoadInt 1", "LoadInt 2", "LoadInt 3", "Mul", "Add", "StoreGlobal 0 (x)", "LoadNone", "Return"]
    );
    assert_eq!(
        instructions("y = -2**2 % ~x"),
        ["LoadInt 2", "LoadInt 2", "Pow", "Neg", "LoadGlobal 0 (x)", "Invert", "Mod", "StoreGlobal 1 (y)", "LoadNone", "Return"]
    );
}

#[test]
fn the_listing_shows_lines_and_jump_targets() {
    let text = disasm("x = 1\nwhile x:\n    x = x - 1\n");
    let expected = "\
; image 't.py': 1 function, 2 constants, 1 global, 188 bytes

function 0 '<module>': params 0, locals 0, max stack 2, 27 bytes
     1        0  LoadInt          1
              3  StoreGlobal      0 (x)
     2 >>     6  LoadGlobal       0 (x)
              9  PopJumpIfFalse   to 25
     3       12  LoadGlobal       0 (x)
             15  LoadInt          1
             18  Sub
             19  StoreGlobal      0 (x)
             22  Jump             to 6
       >>    25  LoadNone
             26  Return
";
    assert_eq!(text, expected);
}

#[test]
fn literals_and_constants() {
    assert_eq!(
        instructions("a = 32767\nb = -32768\nc = 32768\nd = -2147483648\ne = 2.5\nf = 'hi'\ng = 'hi'\nh = None, \n"
            .replace(", \n", "\n").as_str()),
        [
            "LoadInt 32767", "StoreGlobal 0 (a)",
            "LoadInt -32768", "StoreGlobal 1 (b)",
            "LoadConst 2 (32768)", "StoreGlobal 2 (c)",
            "LoadConst 3 (-2147483648)", "StoreGlobal 3 (d)",
            "LoadConst 4 (2.5)", "StoreGlobal 4 (e)",
            "LoadConst 5 ('hi')", "StoreGlobal 5 (f)",
            "LoadConst 5 ('hi')", "StoreGlobal 6 (g)",
            "LoadNone", "StoreGlobal 7 (h)",
            "LoadNone", "Return",
        ]
    );
    assert!(disasm("x = True").contains("LoadTrue"));
    // Constant 0 is the file name, 1 the module's name; equal constants are one.
    assert!(disasm("x = 'y'\ny = 'y'\nz = 1.5\nw = 1.5\n").starts_with("; image 't.py': 1 function, 4 constants, 4 globals"));
}

#[test]
fn chained_assignment_and_augmented_assignment() {
    assert_eq!(instructions("x = y = 7"), ["LoadInt 7", "Dup", "StoreGlobal 0 (x)", "StoreGlobal 1 (y)", "LoadNone", "Return"]);
    assert_eq!(
        instructions("x = 1\nx **= 2"),
        ["LoadInt 1", "StoreGlobal 0 (x)", "LoadGlobal 0 (x)", "LoadInt 2", "Pow", "StoreGlobal 0 (x)", "LoadNone", "Return"]
    );
}

#[test]
fn and_or_return_values_and_short_circuit() {
    assert_eq!(
        instructions("x = a or b and c"),
        [
            "LoadGlobal 0 (a)", "JumpIfTrueOrPop to 15", "LoadGlobal 1 (b)", "JumpIfFalseOrPop to 15", "LoadGlobal 2 (c)",
            "StoreGlobal 3 (x)", "LoadNone", "Return"
        ]
    );
}

#[test]
fn comparison_chains_evaluate_each_operand_once() {
    // A plain name in the middle is simply loaded again.
    assert_eq!(
        instructions("r = a < b <= c"),
        [
            "LoadGlobal 0 (a)", "LoadGlobal 1 (b)", "Lt", "JumpIfFalseOrPop to 17", "LoadGlobal 1 (b)", "LoadGlobal 2 (c)",
            "Le", "StoreGlobal 3 (r)", "LoadNone", "Return"
        ]
    );
    // A call in the middle runs once; its value waits below the first
    // result (Dup, Rot3) and is dropped if the chain stops there.
    let src = "from parallel import coreid\nr = 0 <= coreid() < 16";
    assert_eq!(
        instructions(src),
        [
            "LoadNative 1 (parallel.coreid)", "StoreGlobal 0 (coreid)",
            "LoadInt 0", "LoadGlobal 0 (coreid)", "Call 0", "Dup", "Rot3", "Le", "JumpIfFalseOrPop to 27",
            "LoadInt 16", "Lt", "Jump to 29",
            "Rot2", "Pop",
            "StoreGlobal 1 (r)", "LoadNone", "Return"
        ]
    );
    assert_eq!(function_header(src, "locals"), 0);
    assert_eq!(function_header(src, "max stack"), 3);
}

#[test]
fn if_elif_else_and_conditions_jump_directly() {
    assert_eq!(
        instructions("if not a and b:\n  x = 1\nelif c:\n  x = 2\nelse:\n  x = 3"),
        [
            "LoadGlobal 0 (a)", "PopJumpIfTrue to 21", "LoadGlobal 1 (b)", "PopJumpIfFalse to 21",
            "LoadInt 1", "StoreGlobal 2 (x)", "Jump to 42",
            "LoadGlobal 3 (c)", "PopJumpIfFalse to 36", "LoadInt 2", "StoreGlobal 2 (x)", "Jump to 42",
            "LoadInt 3", "StoreGlobal 2 (x)", "LoadNone", "Return"
        ]
    );
}

#[test]
fn while_with_break_continue_and_else() {
    let src = "i = 0\nwhile i < 10:\n  i += 1\n  if i == 2:\n    continue\n  if i == 5:\n    break\nelse:\n  i = -1\n";
    assert_eq!(
        instructions(src),
        [
            "LoadInt 0", "StoreGlobal 0 (i)",
            "LoadGlobal 0 (i)", "LoadInt 10", "Lt", "PopJumpIfFalse to 55",
            "LoadGlobal 0 (i)", "LoadInt 1", "InplaceAdd", "StoreGlobal 0 (i)",
            "LoadGlobal 0 (i)", "LoadInt 2", "Eq", "PopJumpIfFalse to 39", "Jump to 6",
            "LoadGlobal 0 (i)", "LoadInt 5", "Eq", "PopJumpIfFalse to 52", "Jump to 61",
            "Jump to 6",
            "LoadInt -1", "StoreGlobal 0 (i)",
            "LoadNone", "Return"
        ]
    );
    // `while True` tests nothing.
    assert_eq!(instructions("while True:\n  break"), ["Jump to 6", "Jump to 0", "LoadNone", "Return"]);
}

#[test]
fn conditional_expression() {
    assert_eq!(
        instructions("x = 1 if c else 2"),
        ["LoadGlobal 0 (c)", "PopJumpIfFalse to 12", "LoadInt 1", "Jump to 15", "LoadInt 2", "StoreGlobal 1 (x)", "LoadNone", "Return"]
    );
}

#[test]
fn print_calls_and_statements() {
    assert_eq!(instructions("print(1, 2)"), ["LoadInt 1", "LoadInt 2", "Print 2", "Pop", "LoadNone", "Return"]);
    assert_eq!(
        instructions("print(1, end='', sep='-')"),
        ["LoadInt 1", "LoadConst 2 ('')", "LoadConst 3 ('-')", "Rot2", "Print 1 +sep +end", "Pop", "LoadNone", "Return"]
    );
    assert_eq!(instructions("print()"), ["Print 0", "Pop", "LoadNone", "Return"]);
    assert_eq!(instructions("print 'x', 1"), ["LoadConst 2 ('x')", "LoadInt 1", "Print 2", "Pop", "LoadNone", "Return"]);
    assert_eq!(instructions("print 'x',"), ["LoadConst 2 ('x')", "LoadConst 3 (' ')", "Print 1 +end", "Pop", "LoadNone", "Return"]);
    assert!(compile("print 'x'", "t.py").unwrap().uses_print_statement);
    assert!(!compile("print('x')", "t.py").unwrap().uses_print_statement);
    // A rebound print is an ordinary function.
    assert_eq!(
        instructions("from parallel import coreid as print\nprint()"),
        ["LoadNative 1 (parallel.coreid)", "StoreGlobal 0 (print)", "LoadGlobal 0 (print)", "Call 0", "Pop", "LoadNone", "Return"]
    );
}

#[test]
fn imports_resolve_to_natives() {
    assert_eq!(
        instructions("import parallel\nimport parallel as p\nx = parallel.coreid() + p.numcores()"),
        [
            "LoadNative 0 (parallel)", "StoreGlobal 0 (parallel)",
            "LoadNative 0 (parallel)", "StoreGlobal 1 (p)",
            "LoadGlobal 0 (parallel)", "LoadModuleAttr 1 (parallel.coreid)", "Call 0",
            "LoadGlobal 1 (p)", "LoadModuleAttr 2 (parallel.numcores)", "Call 0", "Add",
            "StoreGlobal 2 (x)", "LoadNone", "Return"
        ]
    );
    // Every member of the module, in table order (15 of them).
    let star = instructions("from parallel import *");
    assert_eq!(
        star[..6],
        [
            "LoadNative 1 (parallel.coreid)", "StoreGlobal 0 (coreid)",
            "LoadNative 2 (parallel.numcores)", "StoreGlobal 1 (numcores)",
            "LoadNative 50 (parallel.ishost)", "StoreGlobal 2 (ishost)"
        ]
    );
    assert_eq!(star[star.len() - 4..], ["LoadNative 62 (parallel.reduce)", "StoreGlobal 14 (reduce)", "LoadNone", "Return"]);
    assert_eq!(star.len(), 2 * 15 + 2);
}

#[test]
fn max_stack_is_the_deepest_point() {
    assert_eq!(function_header("x = 1", "max stack"), 1);
    assert_eq!(function_header("x = 1 + (2 * (3 - (4 + 5)))", "max stack"), 5);
    assert_eq!(function_header("x = ((1 + 2) + 3) + 4", "max stack"), 2);
    assert_eq!(function_header("print(1, 2, 3, sep='', end='')", "max stack"), 5);
    assert_eq!(function_header("x = y = 1", "max stack"), 2);
    assert_eq!(function_header("r = 0 <= x < 5 < y", "max stack"), 2);
}

#[test]
fn the_line_table_marks_each_statement() {
    let text = disasm("x = 1\n\n# c\ny = 2; z = 3\nif x:\n  pass\n  y = 4\n");
    let lines: Vec<&str> = text.lines().skip(3).map(|l| l[..6].trim()).filter(|l| !l.is_empty()).collect();
    assert_eq!(lines, ["1", "4", "5", "7"]);
}

#[test]
fn input_prints_its_prompt_without_a_newline_then_waits() {
    assert_eq!(
        instructions("x = input('? ')\ny = input()\n"),
        [
            "LoadConst 2 ('? ')", "LoadConst 3 ('')", "Print 1 +end", "Pop", "Input", "StoreGlobal 0 (x)",
            "Input", "StoreGlobal 1 (y)", "LoadNone", "Return"
        ]
    );
    // A program's own `input` is called like any function.
    let own = instructions("def input():\n  return 1\nx = input()\n");
    assert!(!own.contains(&"Input".to_string()), "{own:?}");
}

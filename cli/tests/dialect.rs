//! `epython --dialect`, the first-line marker, and `/* ... */` comments, as
//! a user runs them.

mod common;

use common::{Scratch, epython, epython_with_stdin};

const ARITH: &str = "print(7 / 2, -7 % 3, 2 ^ 3)\n";

#[test]
fn the_flag_or_the_marker_chooses_the_dialect_and_the_flag_wins_with_a_note() {
    let dir = Scratch::new("dialect");
    let plain = dir.write("plain.py", ARITH);
    let plain = plain.to_str().expect("utf-8 path");
    let run = epython(&["-d", "1", plain], None);
    assert_eq!(run.lines(), ["[device 0] 3.5 2 1"], "{}", run.stderr);
    let run = epython(&["-d", "1", "--dialect", "epython", plain], None);
    assert!(run.ok(), "{}", run.stderr);
    assert_eq!(run.lines(), ["[device 0] 3 -1 8"]);
    assert!(!run.stderr.contains("note:"), "{}", run.stderr);

    let marked = dir.write("marked.py", &format!("# epython: dialect=epython\n{ARITH}"));
    let marked = marked.to_str().expect("utf-8 path");
    let run = epython(&["-d", "1", marked], None);
    assert_eq!(run.lines(), ["[device 0] 3 -1 8"], "{}", run.stderr);
    let run = epython(&["-d", "1", "--dialect", "python3", marked], None);
    assert_eq!(run.lines(), ["[device 0] 3.5 2 1"], "{}", run.stderr);
    assert!(run.stderr.contains("marked.py says `# epython: dialect=epython`; compiling it as python3 (--dialect)"), "{}", run.stderr);

    // `compile` takes it too.
    let run = epython(&["compile", "--dialect", "epython", "--disassemble", plain], None);
    assert!(run.ok() && run.stdout.contains("DivTrunc") && run.stdout.contains("ModTrunc"), "{}{}", run.stdout, run.stderr);

    let run = epython(&["--dialect", "epyton", plain], None);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("possible values: python3, epython"), "{}", run.stderr);
    let typo = dir.write("typo.py", "# epython: dialect=epyton\nprint(1)\n");
    let run = epython(&[typo.to_str().expect("utf-8 path")], None);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("typo.py:1:1: SyntaxError: unknown dialect 'epyton'"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn the_print_statements_note_points_at_the_dialect() {
    let dir = Scratch::new("dialect-note");
    let prog = dir.write("old.py", "print 7/2\n");
    let prog = prog.to_str().expect("utf-8 path");
    let run = epython(&["-d", "1", prog], None);
    assert_eq!(run.lines(), ["[device 0] 3.5"]);
    assert!(run.stderr.contains("run it with --dialect epython"), "{}", run.stderr);
    let run = epython(&["-d", "1", "--dialect", "epython", prog], None);
    assert_eq!(run.lines(), ["[device 0] 3"]);
    assert!(!run.stderr.contains("note:"), "{}", run.stderr);
}

#[test]
fn input_gives_numbers_in_the_dialect() {
    let dir = Scratch::new("dialect-input");
    let prog = dir.write("ask.py", "/* ePython's input example */\nn = input('Number:')\nprint(n + 1)\nprint(input() + '!')\n");
    let prog = prog.to_str().expect("utf-8 path");
    let run = epython_with_stdin(&["-d", "1", "--dialect", "epython", prog], "41\nNick\n");
    assert!(run.ok(), "{}", run.stderr);
    assert_eq!(run.lines(), ["[device 0] Number:", "[device 0] 42", "[device 0] Nick!"]);
    // In Python 3 the line stays a str.
    let run = epython_with_stdin(&["-d", "1", prog], "41\nNick\n");
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("ask.py:3: core 0: TypeError: can only concatenate str (not \"int\") to str"), "{}", run.stderr);
}

#[test]
fn block_comments_run_in_python3_and_an_unterminated_one_names_its_line() {
    let dir = Scratch::new("dialect-comments");
    let prog = dir.write("c.py", "/*\n A header\n*/\nx = 1 /* one */ + /* two\n */ 1\nprint(x)\nprint(1/0)\n");
    let run = epython(&["-d", "1", prog.to_str().expect("utf-8 path")], None);
    assert_eq!(run.lines(), ["[device 0] 2"]);
    assert!(run.stderr.contains("c.py:7: core 0: ZeroDivisionError"), "{}", run.stderr);
    let bad = dir.write("bad.py", "print(1)\n/* a comment\nnever closed\n");
    let run = epython(&["-d", "1", bad.to_str().expect("utf-8 path")], None);
    assert_eq!(run.code, Some(1));
    assert!(run.stdout.is_empty(), "nothing runs: {}", run.stdout);
    assert!(run.stderr.contains("bad.py:2:1: SyntaxError: unterminated '/*' comment starting at line 2"), "{}", run.stderr);
}

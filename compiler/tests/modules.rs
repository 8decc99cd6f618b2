//! ePython's source modules (compiler/src/modules.rs): linked into the
//! image when imported, once, with their globals apart from the program's.

use compiler::{compile, disassemble};

fn program(src: &str) -> compiler::Program {
    compile(src, "prog.py").unwrap_or_else(|e| panic!("{e}"))
}

fn error(src: &str) -> String {
    match compile(src, "prog.py") {
        Ok(_) => panic!("compiled: {src:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_module_imported_twice_is_compiled_once() {
    let once = program("import util\nprint(util.range(3))\n");
    let twice = program("import util\nfrom util import range\nimport util as u\ndef f():\n    import util\n    return util.xrange(1, 2)\nprint(u.range(3), range(2), f())\n");
    // "; image NAME: N functions, ..."
    let functions = |p: &compiler::Program| -> usize {
        let text = disassemble(&p.image).unwrap();
        let head = text.lines().next().unwrap().to_string();
        head.split(": ").nth(1).and_then(|rest| rest.split(' ').next()).and_then(|n| n.parse().ok()).unwrap()
    };
    // util's 3 functions, once; the second program adds f.
    assert_eq!(functions(&twice), functions(&once) + 1);
    assert_eq!(twice.globals.iter().filter(|g| *g == "util.range").count(), 1);
}

#[test]
fn module_globals_do_not_meet_the_programs() {
    let p = program("from util import *\nx = 1\nrange = 5\n");
    for g in ["util.range", "util.xrange", "util.oddSort", "range", "x"] {
        assert!(p.globals.iter().any(|n| n == g), "{g} in {:?}", p.globals);
    }
    // The module's own helpers stay under its prefix.
    assert!(p.globals.iter().all(|g| !g.starts_with('_')), "{:?}", p.globals);
}

#[test]
fn a_source_module_imports_device_and_source_modules() {
    // taskfarm imports parallel (a device module) and array (a source module).
    let p = program("from taskfarm import *\ninitTaskFarm(0)\n");
    assert!(p.globals.iter().any(|g| g == "array._is_list"), "{:?}", p.globals);
    assert!(p.globals.iter().any(|g| g == "taskfarm.initTaskFarm"));
    let text = disassemble(&p.image).unwrap();
    assert!(text.contains("source modules (first line of each): "), "{text}");
    assert!(text.contains("array.py") && text.contains("taskfarm.py"));
}

#[test]
fn the_programs_own_image_has_no_source_map() {
    let text = disassemble(&program("print(1)\n").image).unwrap();
    assert!(!text.contains("source modules"));
}

#[test]
fn import_star_of_array_shadows_len_in_the_program_only() {
    let p = program("from array import *\nprint(len(array(2, 3)))\n");
    assert!(p.globals.iter().any(|g| g == "len"), "{:?}", p.globals);
}

#[test]
fn an_unknown_module_lists_the_modules_there_are() {
    assert_eq!(
        error("x = 1\nimport numpy\n"),
        "prog.py:2:8: SyntaxError: no module named 'numpy' on the device (its modules: parallel, math, random; ePython's: util, array, memory, taskfarm)"
    );
    assert!(error("from scipy import *\n").starts_with("prog.py:1:1: SyntaxError: no module named 'scipy'"));
}

#[test]
fn names_a_module_lacks_are_compile_errors_in_the_program() {
    assert_eq!(error("import util\nutil.nothing(1)\n"), "prog.py:2:1: SyntaxError: module 'util' has no attribute 'nothing'");
    assert_eq!(error("from util import nothing\n"), "prog.py:1:18: SyntaxError: cannot import name 'nothing' from 'util'");
    assert!(error("import util\nprint(util)\n").contains("module 'util' is compiled into the program, not a value on the device"));
}

#[test]
fn builtins_reaches_the_device_builtins() {
    let p = program("import builtins\nlen = 3\nprint(builtins.len([1]), len)\nfrom builtins import range as r\n");
    assert!(!p.globals.iter().any(|g| g == "builtins"));
    assert!(error("import builtins\nbuiltins.open(1)\n").contains("module 'builtins' has no attribute 'open' on the device"));
}

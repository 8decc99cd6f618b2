//! Programs whose bytecode, constants or globals do not fit the core's SRAM
//! arena (about 5.5 KB) run from the DRAM spill area (issue 3): the image
//! goes to DRAM and SRAM keeps the globals, frames and objects; with more
//! globals than SRAM holds, they go to DRAM too. Expected outputs are
//! computed here, in Rust, from the same generated programs. A program too
//! big for a core's inbox is a clear loader error.

use std::time::Duration;

use loader::{Device, OpenOptions, Timeouts};
use shared_protocol::layout::{ARENA_SIZE, CORE_INBOX_SIZE};
use shared_protocol::{Chip, CoreId};
use simulator::Simulator;

fn open() -> (Simulator, Device) {
    let sim = Simulator::in_memory(Chip::E16).expect("start the simulator");
    let timeouts =
        Timeouts { reset_step: Duration::from_secs(2), boot: Duration::from_secs(10), command: Duration::from_secs(10) };
    let dev = Device::open_with(sim.path(), OpenOptions { timeouts, ..Default::default() }).expect("open");
    dev.boot(&[CoreId(2)]).expect("boot");
    (sim, dev)
}

/// Run `source` on core 2; asserts its image is bigger than `at_least` bytes.
fn run(dev: &Device, source: &str, at_least: u32) -> String {
    let image = compiler::compile(source, "big.py").expect("compile").image;
    assert!(image.len() as u32 > at_least, "image of {} bytes, wanted more than {at_least}", image.len());
    e2e_tests::run_text::run_program(dev, CoreId(2), "big.py", source, Duration::from_secs(60))
}

#[test]
fn a_long_function_body_runs_from_dram_with_calls_recursion_and_errors() {
    let (_sim, dev) = open();
    // 2,000 statements in one function (a ~20 KB image), called 5 times, plus
    // recursion through a small function and a list built in the loop.
    let mut src = String::from("def body(x):\n");
    let mut expected_step = 0i64;
    for i in 0..2000 {
        src.push_str(&format!("    x = x + {}\n", i % 7));
        expected_step += i % 7;
    }
    src.push_str("    return x\n\ndef fact(n):\n    return 1 if n <= 1 else n * fact(n - 1)\n\n");
    src.push_str("acc = 0\nxs = []\nfor k in range(5):\n    acc = body(acc)\n    xs.append(acc)\n");
    src.push_str("print(acc, xs[-2], fact(10), 'done')\nprint(1 // (acc - acc))\n");
    let got = run(&dev, &src, 4 * ARENA_SIZE);
    let error_line = src.lines().count();
    assert_eq!(
        got,
        format!(
            "{} {} 3628800 done\nZeroDivisionError: integer division or modulo by zero (line {})\n",
            5 * expected_step,
            4 * expected_step,
            error_line
        )
    );
}

#[test]
fn many_globals_and_constants_beyond_sram_spill_to_dram() {
    let (_sim, dev) = open();
    // 1,000 globals take 8 KB as values alone: more than the arena.
    let n = 1000;
    let mut src = String::new();
    for i in 0..n {
        src.push_str(&format!("g{i} = {}\n", i * 3));
    }
    // Distinct string constants, and a function that reads and rebinds globals.
    src.push_str("def bump():\n    global g0, g999\n    g0 = g0 + 1\n    g999 = g999 + g500\n\n");
    src.push_str("bump()\nbump()\n");
    let mut names = String::from("words = [");
    for i in 0..300 {
        names.push_str(&format!("'word number {i}', "));
    }
    names.push_str("]\n");
    src.push_str(&names);
    src.push_str("print(g0, g999, g500, len(words), words[123], sum([len(w) for w in words]))\n");
    let got = run(&dev, &src, 2 * ARENA_SIZE);
    let total_len: usize = (0..300).map(|i| format!("word number {i}").len()).sum();
    assert_eq!(got, format!("2 {} 1500 300 word number 123 {total_len}\n", 999 * 3 + 2 * 1500));
}

#[test]
fn a_program_too_big_for_the_inbox_is_a_clear_loader_error() {
    let (_sim, dev) = open();
    // 30 functions of 600 statements: more than 64 KB of bytecode in all.
    let mut src = String::new();
    for f in 0..30 {
        src.push_str(&format!("def f{f}():\n"));
        for i in 0..600 {
            src.push_str(&format!("    x{} = {}\n", i % 20, f * 1000 + i));
        }
    }
    let got = run(&dev, &src, CORE_INBOX_SIZE);
    assert!(
        got.starts_with("<loader error: the compiled program is ") && got.contains("more than a core's inbox holds (65536 bytes)"),
        "{got}"
    );
    // The core is still usable.
    assert_eq!(e2e_tests::run_text::run_program(&dev, CoreId(2), "ok.py", "print(6 * 7)\n", Duration::from_secs(10)), "42\n");
}

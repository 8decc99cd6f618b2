//! The VM on Epiphany code (a benchmark, not a test; issue 13): each
//! `tests/bench/*.py` kernel runs on one core of a simulated E16 in ISA mode
//! (the firmware built for the chip, `make epiphany`, executed by the ISS),
//! and the table gives what the ISS's cycle model counts for it: Epiphany
//! cycles, instructions, half-words fetched from DRAM and the share of the
//! cycles those fetches cost (the firmware's code runs from DRAM today), and
//! the host time. For the loop kernels, cycles per iteration (10^6 each).
//!
//! Then the VM's hot loop per bytecode: statements timed one at a time in a
//! function's `while` loop, against the same loop with `pass`, as Epiphany
//! cycles per statement and per bytecode it adds (counted in the
//! disassembly).
//!
//! `make bench-isa` builds the firmware and runs this (release).
//!
//! Usage: isabench [KERNEL ...]   (default: all of tests/bench, then the
//! statements; `bytecodes` names the statements' table)

use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use loader::{CoreOutcome, Device, OpenOptions, RunOptions, Timeouts};
use shared_protocol::sim::{info, isa_counter};
use shared_protocol::{Chip, CoreId};
use simulator::{Backing, CoreModel, SimOptions, Simulator};

const CORE: CoreId = CoreId(0);

/// The loop kernels and their iteration counts.
const LOOPS: [(&str, u64); 2] = [("int_loop", 1_000_000), ("float_loop", 1_000_000)];

struct Counters {
    cycles: u64,
    instructions: u64,
    dram_fetches: u64,
}

fn counters(file: &std::fs::File) -> Counters {
    let word = |at: u32| {
        let mut b = [0u8; 4];
        let _ = file.read_exact_at(&mut b, (info::ISA_COUNTERS + isa_counter::RECORD * CORE.0 + at) as u64);
        u32::from_le_bytes(b) as u64
    };
    let pair = |lo: u32| word(lo) | word(lo + 4) << 32;
    Counters {
        cycles: pair(isa_counter::CYCLES_LO),
        instructions: pair(isa_counter::INSTRUCTIONS_LO),
        dram_fetches: pair(isa_counter::DRAM_FETCHES_LO),
    }
}

fn main() -> ExitCode {
    let firmware = match loader::select::epiphany_firmware() {
        Ok(f) => f,
        Err(why) => {
            eprintln!("isabench: {why}");
            return ExitCode::FAILURE;
        }
    };
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut kernels: Vec<String> = args.iter().filter(|a| *a != "bytecodes").cloned().collect();
    if args.is_empty() {
        kernels = std::fs::read_dir(&dir)
            .map(|rd| rd.filter_map(|e| e.ok()?.path().file_stem()?.to_str().map(String::from)).filter(|n| n != "parallel").collect())
            .unwrap_or_default();
        kernels.sort();
    }
    let sim = match Simulator::with_options(Backing::InMemory, Chip::E16, SimOptions { model: CoreModel::Isa, ..SimOptions::default() }) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("isabench: cannot start the simulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    let timeouts = Timeouts { reset_step: Duration::from_secs(2), boot: Duration::from_secs(10), command: Duration::from_secs(10) };
    let opened = Device::open_with(sim.path(), OpenOptions { timeouts, firmware, ..OpenOptions::default() })
        .and_then(|dev| dev.boot(&[CORE]).map(|()| dev));
    let dev = match opened {
        Ok(d) => d,
        Err(e) => {
            eprintln!("isabench: {e}");
            return ExitCode::FAILURE;
        }
    };
    let Ok(file) = std::fs::File::open(sim.path()) else {
        eprintln!("isabench: cannot read the device file");
        return ExitCode::FAILURE;
    };
    println!("{:<14} {:>16} {:>15} {:>8} {:>13} {:>9} {:>8}", "kernel", "Epiphany cycles", "instructions", "CPI", "DRAM fetches", "of cycles", "host s");
    let mut ok = true;
    for name in &kernels {
        let path = dir.join(format!("{name}.py"));
        let Ok(source) = std::fs::read_to_string(&path) else {
            eprintln!("isabench: no kernel {}", path.display());
            ok = false;
            continue;
        };
        let program = match compiler::compile(&source, &format!("{name}.py")) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("isabench: {name}: {}", e.message);
                ok = false;
                continue;
            }
        };
        let before = counters(&file);
        let start = Instant::now();
        let opts = RunOptions { timeout: Some(Duration::from_secs(600)), ..Default::default() };
        let report = dev.run(&program.image, &[CORE], &opts, &mut |_, _| {});
        let host = start.elapsed().as_secs_f64();
        // The counters are published between slices: let the core's thread
        // publish its last ones.
        std::thread::sleep(Duration::from_millis(20));
        let after = counters(&file);
        match report.map(|r| r.outcomes) {
            Ok(outcomes) if matches!(outcomes.first(), Some((_, CoreOutcome::Returned(_)))) => {}
            other => {
                eprintln!("isabench: {name}: {other:?}");
                ok = false;
                continue;
            }
        }
        let (cycles, instructions, fetches) =
            (after.cycles - before.cycles, after.instructions - before.instructions, after.dram_fetches - before.dram_fetches);
        let fetch_share = (fetches * iss::cost::FETCH_EXTERNAL) as f64 / cycles.max(1) as f64;
        println!(
            "{name:<14} {cycles:>16} {instructions:>15} {:>8.1} {fetches:>13} {:>8.0}% {host:>8.1}",
            cycles as f64 / instructions.max(1) as f64,
            100.0 * fetch_share
        );
        if let Some((_, n)) = LOOPS.iter().find(|(k, _)| k == name) {
            println!("{:<14} {:>16.0} cycles and {:.0} instructions per iteration", "", cycles as f64 / *n as f64, instructions as f64 / *n as f64);
        }
    }
    if args.is_empty() || args.iter().any(|a| a == "bytecodes") {
        ok &= per_bytecode(&dev, &file);
    }
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// Iterations of each statement's loop.
const STATEMENT_ITERATIONS: u64 = 20_000;

/// The statements of the per-bytecode table, in a function where `a` is a
/// 4-list, `f` a float, `s` a str, `x` and `i` ints and `g()` returns 0.
const STATEMENTS: [&str; 12] = [
    "pass",
    "x = i",
    "x = i + 1",
    "x = i * 3",
    "x = i % 7",
    "x = i < 5",
    "x = f * 1.5",
    "x = a[2]",
    "a[2] = i",
    "x = len(a)",
    "x = g()",
    "x = s[1]",
];

fn statement_kernel(statement: &str) -> String {
    format!(
        "def g():\n    return 0\n\ndef k():\n    a = [1, 2, 3, 4]\n    f = 1.5\n    s = 'ab'\n    x = 0\n    i = 0\n    while i < {STATEMENT_ITERATIONS}:\n        {statement}\n        i += 1\n\nk()\n"
    )
}

/// How many bytecodes function `name` of an image has (its disassembly's
/// instruction lines: an offset, then an opcode name).
fn bytecodes_of(image: &[u8], name: &str) -> Option<u64> {
    let text = compiler::disasm::disassemble(image).ok()?;
    let body = text.split("\nfunction ").find(|f| f.split_whitespace().nth(1) == Some(&format!("'{name}':")))?;
    let is_insn = |line: &&str| {
        let words: Vec<&str> = line.split_whitespace().filter(|w| *w != ">>").collect();
        words.windows(2).any(|w| w[0].parse::<u32>().is_ok() && w[1].starts_with(|c: char| c.is_ascii_uppercase()))
    };
    Some(body.lines().skip(1).filter(is_insn).count() as u64)
}

/// The per-bytecode table: each statement's cycles per iteration less the
/// `pass` loop's, and per bytecode it adds.
fn per_bytecode(dev: &Device, file: &std::fs::File) -> bool {
    println!();
    println!("{:<14} {:>9} {:>18} {:>17} {:>10}", "statement", "bytecodes", "cycles/iteration", "of which the stmt", "per bytecode");
    let mut baseline: Option<(f64, u64)> = None;
    for statement in STATEMENTS {
        let source = statement_kernel(statement);
        let Ok(program) = compiler::compile(&source, "statement.py") else {
            eprintln!("isabench: `{statement}` does not compile");
            return false;
        };
        let Some(count) = bytecodes_of(&program.image, "k") else {
            eprintln!("isabench: no function k in the disassembly");
            return false;
        };
        let before = counters(file);
        let opts = RunOptions { timeout: Some(Duration::from_secs(600)), ..Default::default() };
        let report = dev.run(&program.image, &[CORE], &opts, &mut |_, _| {});
        std::thread::sleep(Duration::from_millis(20));
        let after = counters(file);
        if !matches!(report.as_ref().map(|r| r.outcomes.first()), Ok(Some((_, CoreOutcome::Returned(_))))) {
            eprintln!("isabench: `{statement}`: {:?}", report.map(|r| r.outcomes));
            return false;
        }
        let per_iteration = (after.cycles - before.cycles) as f64 / STATEMENT_ITERATIONS as f64;
        match baseline {
            None => {
                // The loop itself: compare, branch, add, store, jump.
                println!("{statement:<14} {:>9} {per_iteration:>18.0} {:>17} {:>10}", "(loop)", "", "");
                baseline = Some((per_iteration, count));
            }
            Some((base, base_count)) => {
                let (added, extra) = (per_iteration - base, count.saturating_sub(base_count));
                println!("{statement:<14} {extra:>9} {per_iteration:>18.0} {added:>17.0} {:>10.0}", added / extra.max(1) as f64);
            }
        }
    }
    true
}

//! The language corpus: every `tests/programs/NAME.py` runs on one simulated
//! core and its output must equal `tests/programs/NAME.out` exactly.
//!
//! The expected outputs come from CPython (through the f32/i32 shim,
//! tests/shim/f32shim.py; regenerate with tests/shim/gen_expected.py), never
//! from the device. The output of a run is what the core printed (without the
//! CLI's `[device 0] ` prefix), then, when the program stopped on a Python
//! exception, the line `Type: message (line N)`; a compile error gives only
//! `Type: message (line N)`.
//!
//! Programs named in `tests/programs/PENDING` (`NAME  # reason`) are skipped
//! and counted as pending. Every mismatch is collected and reported at the end.
//!
//! Environment:
//! - `CORPUS_FILTER=substr` runs only the programs whose name contains `substr`;
//! - `CORPUS_RUN_PENDING=1` runs the pending programs too and says which of
//!   them pass now (they still do not fail the test);
//! - `CORPUS_VERBOSE=1` prints each program's result as it goes.
//!
//! `corpus_on_epiphany_code` runs the corpus on a simulator in ISA mode: the
//! firmware built for the chip (`make epiphany`), executed instruction by
//! instruction on the ISS. In `make test` it runs every `CORPUS_ISA_EVERY`th
//! program (default 10); `CORPUS_ISA_EVERY=1` (make test-long) runs them all.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use loader::Device;
use shared_protocol::CoreId;
use simulator::CoreModel;

const CORE: CoreId = CoreId(0);
const RUN_TIMEOUT: Duration = Duration::from_secs(10);
/// On Epiphany code the VM runs as the ISS executes the firmware's
/// instructions, some 100 times slower than the native firmware: the
/// longest loops of the corpus (fib(24), 10^6 iterations) need more.
const ISA_RUN_TIMEOUT: Duration = Duration::from_secs(180);

fn programs_dir() -> PathBuf {
    // `cargo test` sets CARGO_MANIFEST_DIR when it runs the test too; prefer
    // that to the build-time path, so a binary built from a copy of the tree
    // reads the programs of the tree it is run from.
    let dir = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    dir.join("programs")
}

/// `NAME -> reason` from tests/programs/PENDING.
fn pending_list(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Ok(text) = std::fs::read_to_string(dir.join("PENDING")) else {
        return out;
    };
    for line in text.lines() {
        let (name, reason) = match line.split_once('#') {
            Some((n, r)) => (n.trim(), r.trim()),
            None => (line.trim(), ""),
        };
        if name.is_empty() {
            continue;
        }
        let name = name.strip_suffix(".py").unwrap_or(name);
        out.insert(name.to_string(), reason.to_string());
    }
    out
}

/// What the device did with one program, as text in the `.out` format.
fn run_program(dev: &Device, name: &str, source: &str, timeout: Duration) -> String {
    e2e_tests::run_text::run_program(dev, CORE, &format!("{name}.py"), source, timeout)
}

/// A short line diff: the first differing line with some context.
fn short_diff(expected: &str, got: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let g: Vec<&str> = got.lines().collect();
    let first = (0..e.len().max(g.len())).find(|&i| e.get(i) != g.get(i)).unwrap_or(0);
    let from = first.saturating_sub(2);
    let to = (first + 4).min(e.len().max(g.len()));
    let mut out = format!("    first difference at output line {}:\n", first + 1);
    for i in from..to {
        match (e.get(i), g.get(i)) {
            (Some(a), Some(b)) if a == b => out.push_str(&format!("      {a}\n")),
            (a, b) => {
                if let Some(a) = a {
                    out.push_str(&format!("    - {a}\n"));
                }
                if let Some(b) = b {
                    out.push_str(&format!("    + {b}\n"));
                }
            }
        }
    }
    if expected.ends_with('\n') != got.ends_with('\n') {
        out.push_str("    (the last line's newline differs)\n");
    }
    out
}

#[test]
fn corpus() {
    run_corpus(CoreModel::Native, 1);
}

#[test]
fn corpus_on_epiphany_code() {
    let every = std::env::var("CORPUS_ISA_EVERY").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    run_corpus(CoreModel::Isa, every);
}

fn run_corpus(model: CoreModel, every: usize) {
    let dir = programs_dir();
    let pending = pending_list(&dir);
    let filter = std::env::var("CORPUS_FILTER").ok();
    let run_pending = std::env::var("CORPUS_RUN_PENDING").is_ok_and(|v| v != "0");
    let verbose = std::env::var("CORPUS_VERBOSE").is_ok_and(|v| v != "0");

    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("read tests/programs")
        .filter_map(|e| {
            let path = e.ok()?.path();
            (path.extension()? == "py").then(|| path.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no programs in {}", dir.display());

    let mut problems: Vec<String> = Vec::new();
    for name in pending.keys() {
        if !names.contains(name) {
            problems.push(format!("PENDING names `{name}`, which is not a program in tests/programs"));
        }
    }

    let Some(sim) = e2e_tests::run_text::sim_device(model, "corpus") else { return };
    let dev = &sim.dev;
    dev.boot(&[CORE]).expect("boot core 0");

    let started = Instant::now();
    let (mut passed, mut failed, mut skipped) = (0usize, Vec::new(), Vec::new());
    let mut pending_now_passing = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if filter.as_deref().is_some_and(|f| !name.contains(f)) || i % every != 0 {
            continue;
        }
        let is_pending = pending.contains_key(name);
        if is_pending && !run_pending {
            skipped.push(name.clone());
            continue;
        }
        let source = std::fs::read_to_string(dir.join(format!("{name}.py"))).expect("read program");
        let expected = match std::fs::read_to_string(dir.join(format!("{name}.out"))) {
            Ok(t) => t,
            Err(_) => {
                problems.push(format!("{name}: no {name}.out (run tests/shim/gen_expected.py)"));
                continue;
            }
        };
        let t0 = Instant::now();
        let timeout = if model == CoreModel::Isa { ISA_RUN_TIMEOUT } else { RUN_TIMEOUT };
        let got = run_program(dev, name, &source, timeout);
        let ok = got == expected;
        if verbose {
            eprintln!("{:>5} ms  {}  {name}", t0.elapsed().as_millis(), if ok { "ok  " } else { "FAIL" });
        }
        match (ok, is_pending) {
            (true, false) => passed += 1,
            (true, true) => pending_now_passing.push(name.clone()),
            (false, true) => skipped.push(name.clone()),
            (false, false) => failed.push((name.clone(), expected, got)),
        }
    }

    eprintln!(
        "corpus ({model:?} cores, every {every}th program): {passed} passed, {} failed, {} pending, {} problems ({:.1} s)",
        failed.len(),
        skipped.len(),
        problems.len(),
        started.elapsed().as_secs_f64()
    );
    if !pending_now_passing.is_empty() {
        eprintln!("pending programs that pass now (remove them from PENDING): {}", pending_now_passing.join(" "));
    }
    if failed.is_empty() && problems.is_empty() {
        return;
    }
    let mut report = String::new();
    for (name, expected, got) in &failed {
        report.push_str(&format!("\n=== {name}.py: the output differs from {name}.out\n"));
        report.push_str(&short_diff(expected, got));
        if expected.lines().count() + got.lines().count() <= 30 {
            report.push_str("  expected:\n");
            for l in expected.lines() {
                report.push_str(&format!("    |{l}\n"));
            }
            report.push_str("  got:\n");
            for l in got.lines() {
                report.push_str(&format!("    |{l}\n"));
            }
        }
    }
    for p in &problems {
        report.push_str(&format!("\n=== {p}\n"));
    }
    // A program the compiler refuses with "... not supported yet" waits for
    // a feature: say which PENDING line would record that.
    let suggestions: Vec<String> = failed
        .iter()
        .filter_map(|(name, _, got)| {
            let last = got.lines().last()?;
            let msg = last.strip_prefix("SyntaxError: ")?;
            let msg = msg.rsplit_once(" (line ").map_or(msg, |(m, _)| m);
            msg.contains("not supported yet").then(|| format!("{name}  # needs: {msg}"))
        })
        .collect();
    if !suggestions.is_empty() {
        report.push_str(&format!(
            "\n=== {} failing program(s) wait for a feature the compiler does not support yet; PENDING lines for them:\n",
            suggestions.len()
        ));
        for s in &suggestions {
            report.push_str(&format!("{s}\n"));
        }
    }
    let names: Vec<&str> = failed.iter().map(|(n, _, _)| n.as_str()).collect();
    panic!(
        "{} corpus program(s) failed, {} problem(s):{report}\nfailed: {}\n(a program that needs a feature not implemented yet goes into tests/programs/PENDING with the reason)",
        failed.len(),
        problems.len(),
        names.join(" ")
    );
}

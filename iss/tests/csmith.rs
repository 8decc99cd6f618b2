//! Whole programs, differentially: random C programs from csmith, compiled
//! with the host's `gcc -m32` and with `epiphany-elf-gcc`, run natively and
//! on the ISS, must print the same checksum. A mismatch is rerun at -O0 on
//! both sides first, so that a difference GCC's optimiser makes on one
//! target is not blamed on the ISS.
//!
//! `make test` runs a few programs; `make test-long` runs CSMITH_PROGRAMS
//! (default there: 200). CSMITH_SEED sets the first seed. The programs that
//! once differed are kept in tests/csmith-regressions and always run.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{require_toolchain, Layout, Runtime};
use iss::hosted::Exit;

/// A program may run this many Epiphany instructions.
const ISS_LIMIT: u64 = 400_000_000;
/// And this long natively.
const NATIVE_SECONDS: u64 = 10;

fn have_csmith() -> bool {
    let ok = Command::new("csmith").arg("--version").output().is_ok_and(|o| o.status.success())
        && Path::new("/usr/include/csmith/csmith.h").exists();
    if !ok && std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("csmith and libcsmith-dev are needed (.ci/run installs them)");
    }
    ok
}

#[derive(Debug)]
enum Run {
    Output(String),
    /// Took too long on that side: the program is skipped, not judged.
    TooLong,
    Failed(String),
}

fn native(dir: &Path, src: &Path, opt: &str) -> Run {
    let exe = dir.join(format!("native{opt}"));
    let out = Command::new("gcc")
        .args(["-m32", opt, "-funsigned-char", "-w", "-I/usr/include/csmith"])
        .arg(src)
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("run gcc");
    if !out.status.success() {
        return Run::Failed(format!("gcc -m32: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let out = Command::new("timeout").arg(NATIVE_SECONDS.to_string()).arg(&exe).output().expect("run the program");
    match out.status.code() {
        Some(0) => Run::Output(String::from_utf8_lossy(&out.stdout).into_owned()),
        Some(124) => Run::TooLong,
        _ => Run::Failed(format!("native run: {:?}", out.status)),
    }
}

fn on_iss(rt: &Runtime, name: &str, src: &Path, opt: &str) -> Run {
    let elf = match rt.compile(name, src, opt, Layout::External, &["-I/usr/include/csmith"]) {
        Ok(elf) => elf,
        Err(e) => return Run::Failed(format!("epiphany-elf-gcc {opt}: {e}")),
    };
    let out = common::run_elf(&elf, ISS_LIMIT);
    match out.exit {
        Exit::Code(0) => Run::Output(String::from_utf8_lossy(&out.output).into_owned()),
        Exit::Limit => Run::TooLong,
        other => Run::Failed(format!("on the ISS: {other:?}, output {:?}", String::from_utf8_lossy(&out.output))),
    }
}

/// Judges one program; Err describes an ISS failure.
fn check(rt: &Runtime, dir: &Path, name: &str, src: &Path) -> Result<&'static str, String> {
    let (a, b) = (native(dir, src, "-O1"), on_iss(rt, name, src, "-O1"));
    match (&a, &b) {
        (Run::Output(x), Run::Output(y)) if x == y => return Ok("agree"),
        (Run::TooLong, _) | (_, Run::TooLong) => return Ok("too long"),
        (Run::Failed(e), _) => return Ok(if e.contains("gcc") { "native gcc failed" } else { "native failed" }),
        _ => {}
    }
    // Not the same at -O1: ask again at -O0 on both sides.
    match (native(dir, src, "-O0"), on_iss(rt, name, src, "-O0")) {
        (Run::Output(x), Run::Output(y)) if x == y => {
            eprintln!("{name}: differs at -O1 only (native {a:?}, ISS {b:?}): a GCC difference, not the ISS's");
            Ok("differs at -O1 only")
        }
        (Run::TooLong, _) | (_, Run::TooLong) => Ok("too long at -O0"),
        (x, y) => Err(format!("{name}: native {x:?}\n   ISS {y:?}\n(at -O1: native {a:?}, ISS {b:?})")),
    }
}

fn tally(results: &mut Vec<(String, usize)>, what: &str) {
    match results.iter_mut().find(|(k, _)| k == what) {
        Some((_, n)) => *n += 1,
        None => results.push((what.to_string(), 1)),
    }
}

#[test]
fn csmith_programs_print_the_same_checksum_natively_and_on_the_iss() {
    let Some(prefix) = require_toolchain("csmith_programs_print_the_same_checksum_natively_and_on_the_iss") else {
        return;
    };
    if !have_csmith() {
        eprintln!("csmith: SKIPPED: csmith/libcsmith-dev not installed");
        return;
    }
    let programs: u64 = std::env::var("CSMITH_PROGRAMS").ok().and_then(|v| v.parse().ok()).unwrap_or(4);
    let first: u64 = std::env::var("CSMITH_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let rt = Runtime::build(&prefix, "csmith-rt");
    let dir = common::scratch("csmith");
    let start = std::time::Instant::now();
    let mut results = Vec::new();
    let mut failures = Vec::new();
    let mut sources: Vec<(String, PathBuf)> = regressions();
    for seed in first..first + programs {
        let src = dir.join(format!("seed{seed}.c"));
        let out = Command::new("csmith")
            .args(["--seed", &seed.to_string(), "--no-unions", "--no-packed-struct", "-o"])
            .arg(&src)
            .output()
            .expect("run csmith");
        assert!(out.status.success(), "csmith --seed {seed}: {}", String::from_utf8_lossy(&out.stderr));
        sources.push((format!("seed{seed}"), src));
    }
    for (name, src) in &sources {
        match check(&rt, &dir, name, src) {
            Ok(what) => tally(&mut results, what),
            Err(e) => {
                tally(&mut results, "ISS MISMATCH");
                failures.push(e);
            }
        }
    }
    eprintln!(
        "csmith: {} programs (seeds {first}..{}, plus {} regressions) in {:.1?}: {results:?}",
        sources.len(),
        first + programs,
        sources.len() as u64 - programs,
        start.elapsed()
    );
    assert!(failures.is_empty(), "the ISS disagrees with native runs:\n{}", failures.join("\n\n"));
    let agreed = results.iter().find(|(k, _)| k == "agree").map_or(0, |(_, n)| *n);
    assert!(agreed * 2 >= sources.len(), "most programs must be judged, not skipped: {results:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Programs kept because they once exposed an ISS bug (minimised).
fn regressions() -> Vec<(String, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/csmith-regressions");
    let mut found: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "c"))
                .map(|p| (p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(), p))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

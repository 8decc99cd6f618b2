//! Programs in ePython's style: every `tests/epython-dialect/NAME.py`
//! compiled in the ePython dialect (what `epython --dialect epython FILE`
//! does), and every `tests/epython/NAME.py` (ePython's modules and the
//! counted send/recv, written to be valid in both dialects) compiled in
//! each dialect; each runs on the cores it names and its output must equal
//! `NAME.out`.
//!
//! Unlike the corpus (tests/programs), CPython cannot run these programs,
//! so each `.out` is written from ePython's documented semantics; the
//! program's header comment (tests/epython/README.md for that directory)
//! says where they come from. Conventions:
//! - `cores: N` on a line of its own among the first 20 (inside the header
//!   comment, or as `# cores: N`): run on cores 0..N (default 1);
//! - `NAME.in`: the lines `input()` reads;
//! - the output is `run_text::run_on_cores`'s: on one core the corpus's
//!   format, on several each core's lines together, cores in order, as
//!   `[device K] text`; an error in one of ePython's modules names its file.
//!
//! `DIALECT_FILTER=substr` runs only the programs whose name contains it.
//! `epython_dialect_on_epiphany_code` runs them on the firmware built for
//! the chip (`make epiphany`) on the ISS, as the corpus does.

use std::path::PathBuf;
use std::time::Duration;

use compiler::{Dialect, Options};
use shared_protocol::{Chip, CoreId};
use simulator::CoreModel;

const RUN_TIMEOUT: Duration = Duration::from_secs(20);
/// The ISS runs the firmware's instructions some 100 times slower.
const ISA_RUN_TIMEOUT: Duration = Duration::from_secs(180);

/// The program directories and the dialects each is compiled in.
const SUITES: [(&str, &[Dialect]); 2] =
    [("epython-dialect", &[Dialect::Epython]), ("epython", &[Dialect::Python3, Dialect::Epython])];

fn tests_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
}

/// The `cores: N` line of a program's first lines.
fn cores_named(source: &str) -> Result<u32, String> {
    for line in source.lines().take(20) {
        let line = line.trim();
        let line = line.strip_prefix('#').map_or(line, str::trim_start);
        if let Some(n) = line.strip_prefix("cores:") {
            return n.trim().parse().map_err(|_| format!("bad cores line: {line}"));
        }
    }
    Ok(1)
}

#[test]
fn epython_dialect_programs() {
    run_programs(CoreModel::Native);
}

#[test]
fn epython_dialect_on_epiphany_code() {
    run_programs(CoreModel::Isa);
}

fn run_programs(model: CoreModel) {
    let filter = std::env::var("DIALECT_FILTER").ok();
    let Some(sim) = e2e_tests::run_text::sim_device(model, "ePython-style programs") else { return };
    let dev = &sim.dev;
    let timeout = if model == CoreModel::Isa { ISA_RUN_TIMEOUT } else { RUN_TIMEOUT };
    let all: Vec<CoreId> = (0..Chip::E16.num_cores()).map(CoreId).collect();
    dev.boot(&all).expect("boot the cores");

    let (mut runs, mut failures) = (0, Vec::new());
    for (suite, dialects) in SUITES {
        let dir = tests_dir().join(suite);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
            .filter_map(|e| {
                let path = e.ok()?.path();
                (path.extension()? == "py").then(|| path.file_stem()?.to_str().map(str::to_owned))?
            })
            .filter(|name| filter.as_deref().is_none_or(|f| name.contains(f)))
            .collect();
        names.sort();
        assert!(!names.is_empty() || filter.is_some(), "no programs in {}", dir.display());
        for name in &names {
            let source = std::fs::read_to_string(dir.join(format!("{name}.py"))).expect("read program");
            let expected = std::fs::read_to_string(dir.join(format!("{name}.out")))
                .unwrap_or_else(|_| panic!("{suite}/{name}: no {name}.out beside it (expected outputs are written by hand here)"));
            let input_text = std::fs::read_to_string(dir.join(format!("{name}.in"))).unwrap_or_default();
            let input: Vec<&str> = input_text.lines().collect();
            let n = match cores_named(&source) {
                Ok(n) if (1..=all.len() as u32).contains(&n) => n,
                Ok(n) => panic!("{suite}/{name}: cores: {n} (the simulated E16 has 1..={})", all.len()),
                Err(e) => panic!("{suite}/{name}: {e}"),
            };
            for &dialect in dialects {
                let got = e2e_tests::run_text::run_on_cores(
                    dev,
                    &all[..n as usize],
                    &format!("{name}.py"),
                    &source,
                    &Options::dialect(dialect),
                    &input,
                    timeout,
                );
                runs += 1;
                if got != expected {
                    failures.push(format!("{suite}/{name} (on {n} cores, {dialect:?}):\n--- expected\n{expected}--- got\n{got}"));
                }
            }
        }
    }
    eprintln!("ePython-style programs ({model:?} cores): {runs} runs, {} failed", failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

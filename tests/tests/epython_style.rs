//! Programs in ePython's style (tests/epython/): ePython's modules (util,
//! array, taskfarm, memory) and the counted forms of send/recv, each run on
//! the cores its first lines name (`# cores: N`, default 1: cores 0..N of a
//! simulated E16) and its output compared with `NAME.out` exactly.
//!
//! The output is run_text's: on one core the lines as printed, on more each
//! core's lines prefixed `[device N] `, core after core; an exception ends
//! a core's text with `Type: message (line N)` (`(FILE, line N)` for a line
//! in one of the modules). The `.out` files are written from ePython's
//! documented behaviour (tests/epython/README.md says how for each), not
//! from a run: CPython has no `util` or `taskfarm`, and runs on one core.
//!
//! `EPYTHON_STYLE_FILTER=substr` runs only the programs whose name contains it.

use std::path::PathBuf;
use std::time::Duration;

use loader::{Device, OpenOptions, Timeouts};
use shared_protocol::{Chip, CoreId};
use simulator::{Backing, SimOptions, Simulator};

const RUN_TIMEOUT: Duration = Duration::from_secs(30);

fn programs_dir() -> PathBuf {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    dir.join("epython")
}

/// The `# cores: N` line among a program's first comment lines.
fn cores_named(source: &str) -> Result<u32, String> {
    for line in source.lines().take_while(|l| l.starts_with('#')) {
        if let Some(n) = line.strip_prefix("# cores:") {
            return n.trim().parse().map_err(|_| format!("bad '# cores:' line: {line}"));
        }
    }
    Ok(1)
}

#[test]
fn epython_style_programs() {
    let dir = programs_dir();
    let filter = std::env::var("EPYTHON_STYLE_FILTER").ok();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("read tests/epython")
        .filter_map(|e| {
            let path = e.ok()?.path();
            (path.extension()? == "py").then(|| path.file_stem()?.to_str().map(str::to_owned))?
        })
        .filter(|n| filter.as_deref().is_none_or(|f| n.contains(f)))
        .collect();
    names.sort();
    assert!(!names.is_empty() || filter.is_some(), "no programs in {}", dir.display());

    let sim = Simulator::with_options(Backing::InMemory, Chip::E16, SimOptions::default()).expect("start the simulator");
    let timeouts = Timeouts { reset_step: Duration::from_secs(2), boot: Duration::from_secs(10), command: Duration::from_secs(10) };
    let dev = Device::open_with(sim.path(), OpenOptions { timeouts, ..Default::default() }).expect("open the simulator");
    let all = dev.all_cores();
    dev.boot(&all).expect("boot the cores");

    let mut failures = Vec::new();
    for name in &names {
        let source = std::fs::read_to_string(dir.join(format!("{name}.py"))).expect("read program");
        let expected = std::fs::read_to_string(dir.join(format!("{name}.out"))).unwrap_or_else(|_| panic!("{name}: no {name}.out"));
        let n = cores_named(&source).unwrap_or_else(|e| panic!("{name}.py: {e}"));
        assert!(n >= 1 && n as usize <= all.len(), "{name}.py: {n} cores (the simulated chip has {})", all.len());
        let cores: Vec<CoreId> = (0..n).map(CoreId).collect();
        let file = format!("{name}.py");
        let got = if n == 1 {
            e2e_tests::run_text::run_program(&dev, cores[0], &file, &source, RUN_TIMEOUT)
        } else {
            e2e_tests::run_text::run_program_on(&dev, &cores, &file, &source, RUN_TIMEOUT)
        };
        eprintln!("{}  {name} ({n} core{})", if got == expected { "ok  " } else { "FAIL" }, if n == 1 { "" } else { "s" });
        if got != expected {
            failures.push(format!("=== {name}.py on {n} core(s)\n--- expected\n{expected}--- got\n{got}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} programs differ:\n{}", failures.len(), names.len(), failures.join("\n"));
}

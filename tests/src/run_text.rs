//! A program on one core or a launch group, as text in the corpus's `.out`
//! format (tests/README.md): what the corpus test, the differential test and
//! the ePython-style programs (tests/epython/) compare.

use std::collections::BTreeMap;
use std::time::Duration;

use loader::{CoreOutcome, Device, RunOptions};
use shared_protocol::CoreId;

/// Compile `source` (as `filename`) and run it on `core` of `dev`: every
/// printed line, then `Type: message (line N)` if it raised; a compile error
/// is its only line; a fault, timeout or loader error is a `<...>` line.
pub fn run_program(dev: &Device, core: CoreId, filename: &str, source: &str, timeout: Duration) -> String {
    run_on(dev, &[core], filename, source, timeout, false)
}

/// [`run_program`] on a launch group: each core's text (its lines in the
/// order it printed them) with `[device N] ` before every line, core after
/// core in the order given, so the text does not depend on how the cores'
/// lines interleaved. A compile error is its only line, without a prefix.
pub fn run_program_on(dev: &Device, cores: &[CoreId], filename: &str, source: &str, timeout: Duration) -> String {
    run_on(dev, cores, filename, source, timeout, true)
}

fn run_on(dev: &Device, cores: &[CoreId], filename: &str, source: &str, timeout: Duration, prefixed: bool) -> String {
    let program = match compiler::compile(source, filename) {
        Ok(p) => p,
        Err(e) if e.file != filename => return format!("{}: {} ({}, line {})\n", e.kind.name(), e.message, e.file, e.line),
        Err(e) => return format!("{}: {} (line {})\n", e.kind.name(), e.message, e.line),
    };
    let mut texts: BTreeMap<u32, String> = cores.iter().map(|c| (c.0, String::new())).collect();
    let mut push = |core: CoreId, line: &str| {
        let text = texts.entry(core.0).or_default();
        if prefixed {
            text.push_str(&format!("[device {}] ", core.0));
        }
        text.push_str(line);
        text.push('\n');
    };
    let opts = RunOptions { timeout: Some(timeout), ..Default::default() };
    let report = dev.run(&program.image, cores, &opts, &mut |core, line| push(core, line));
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            push(cores[0], &format!("<loader error: {e}>"));
            return cores.iter().filter_map(|c| texts.get(&c.0)).cloned().collect();
        }
    };
    for (core, outcome) in report.outcomes {
        let line = match outcome {
            CoreOutcome::Returned(_) => continue,
            // A line in one of ePython's modules names its file, as CPython's traceback does.
            CoreOutcome::Error(e) => match &e.file {
                Some(file) => format!("{}: {} ({file}, line {})", e.type_name, e.message, e.line),
                None => format!("{}: {} (line {})", e.type_name, e.message, e.line),
            },
            CoreOutcome::Fault { code, detail } => format!("<core fault: {code:?}, detail {detail:#x}>"),
            CoreOutcome::TimedOut => format!("<timed out after {timeout:?}>"),
            CoreOutcome::Cancelled => "<cancelled>".to_string(),
            CoreOutcome::ProtocolError(m) => format!("<protocol error: {m}>"),
        };
        push(core, &line);
    }
    cores.iter().filter_map(|c| texts.get(&c.0)).cloned().collect()
}

//! One program on one core, as text in the corpus's `.out` format
//! (tests/README.md): what the corpus test and the differential test compare.

use std::time::Duration;

use loader::{CoreOutcome, Device, RunOptions};
use shared_protocol::CoreId;

/// Compile `source` (as `filename`) and run it on `core` of `dev`: every
/// printed line, then `Type: message (line N)` if it raised; a compile error
/// is its only line; a fault, timeout or loader error is a `<...>` line.
pub fn run_program(dev: &Device, core: CoreId, filename: &str, source: &str, timeout: Duration) -> String {
    let program = match compiler::compile(source, filename) {
        Ok(p) => p,
        Err(e) => return format!("{}: {} (line {})\n", e.kind.name(), e.message, e.line),
    };
    let mut text = String::new();
    let opts = RunOptions { timeout: Some(timeout), ..Default::default() };
    let report = dev.run(&program.image, &[core], &opts, &mut |_core, line| {
        text.push_str(line);
        text.push('\n');
    });
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            text.push_str(&format!("<loader error: {e}>\n"));
            return text;
        }
    };
    for (_, outcome) in report.outcomes {
        match outcome {
            CoreOutcome::Returned(_) => {}
            CoreOutcome::Error(e) => text.push_str(&format!("{}: {} (line {})\n", e.type_name, e.message, e.line)),
            CoreOutcome::Fault { code, detail } => {
                text.push_str(&format!("<core fault: {code:?}, detail {detail:#x}>\n"))
            }
            CoreOutcome::TimedOut => text.push_str(&format!("<timed out after {timeout:?}>\n")),
            CoreOutcome::Cancelled => text.push_str("<cancelled>\n"),
            CoreOutcome::ProtocolError(m) => text.push_str(&format!("<protocol error: {m}>\n")),
        }
    }
    text
}

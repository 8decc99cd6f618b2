//! One program on one core, as text in the corpus's `.out` format
//! (tests/README.md): what the corpus test and the differential test compare.
//! [`run_on_cores`] is the same on several cores, with options and input
//! (the ePython dialect's programs, tests/epython_dialect.rs, and the
//! programs in ePython's style: tests/epython_dialect.rs).

use std::collections::VecDeque;
use std::time::Duration;

use loader::{CoreOutcome, Device, OpenOptions, RunOptions, Timeouts};
use shared_protocol::{Chip, CoreId};
use simulator::{Backing, CoreModel, SimOptions, Simulator};

/// An in-process simulated E16 opened for running programs (the device is
/// dropped before its simulator).
pub struct SimDevice {
    pub dev: Device,
    _sim: Simulator,
}

/// [`SimDevice`] whose cores run the native firmware, or (`CoreModel::Isa`)
/// the firmware built for the chip (`make epiphany`) on the ISS. Without
/// that build: None and a `SKIPPED` line naming `what`, or a panic under
/// `CI=true`.
pub fn sim_device(model: CoreModel, what: &str) -> Option<SimDevice> {
    let firmware = match model {
        CoreModel::Native => loader::FirmwareImage::native_simulated(),
        CoreModel::Isa => match loader::select::epiphany_firmware() {
            Ok(image) => image,
            Err(why) if std::env::var("CI").is_ok_and(|v| v == "true") => panic!("{what} on Epiphany code: {why}"),
            Err(why) => {
                eprintln!("{what} on Epiphany code: SKIPPED: {why}");
                return None;
            }
        },
    };
    let sim = Simulator::with_options(Backing::InMemory, Chip::E16, SimOptions { model, ..SimOptions::default() })
        .expect("start the simulator");
    let timeouts = Timeouts { reset_step: Duration::from_secs(2), boot: Duration::from_secs(10), command: Duration::from_secs(10) };
    let dev = Device::open_with(sim.path(), OpenOptions { timeouts, firmware, ..Default::default() }).expect("open the simulator");
    Some(SimDevice { dev, _sim: sim })
}

/// Compile `source` (as `filename`) and run it on `core` of `dev`: every
/// printed line, then `Type: message (line N)` if it raised; a compile error
/// is its only line; a fault, timeout or loader error is a `<...>` line.
pub fn run_program(dev: &Device, core: CoreId, filename: &str, source: &str, timeout: Duration) -> String {
    run_on_cores(dev, &[core], filename, source, &compiler::Options::default(), &[], timeout)
}

/// [`run_program`] on `cores`, compiled with `options`; `input` holds the
/// lines `input()` reads (in the order the cores ask; then EOFError). On
/// one core the text is as [`run_program`]'s. On several, each core's lines
/// come together, cores in order, each line as `[device K] text` (each core
/// prints in order; between cores the order of a run is not fixed), an
/// error line too. An error in a source module names its file: `Type:
/// message (util.py, line N)`.
pub fn run_on_cores(
    dev: &Device,
    cores: &[CoreId],
    filename: &str,
    source: &str,
    options: &compiler::Options,
    input: &[&str],
    timeout: Duration,
) -> String {
    let program = match compiler::compile_with(source, filename, options) {
        Ok(p) => p,
        Err(e) if e.file != filename => return format!("{}: {} ({}, line {})\n", e.kind.name(), e.message, e.file, e.line),
        Err(e) => return format!("{}: {} (line {})\n", e.kind.name(), e.message, e.line),
    };
    let many = cores.len() > 1;
    let mut lines: Vec<(CoreId, String)> = Vec::new();
    let mut input: VecDeque<String> = input.iter().map(|l| l.to_string()).collect();
    let opts = RunOptions { timeout: Some(timeout), ..Default::default() };
    let report = dev.run_with_input(
        &program.image,
        cores,
        &opts,
        &mut |core, line| lines.push((core, if many { format!("[device {}] {line}", core.0) } else { line.to_string() })),
        &mut |_core| input.pop_front(),
    );
    let mut text = String::new();
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            for (_, line) in lines {
                text.push_str(&line);
                text.push('\n');
            }
            text.push_str(&format!("<loader error: {e}>\n"));
            return text;
        }
    };
    for (core, outcome) in report.outcomes {
        for (_, line) in lines.iter().filter(|(c, _)| *c == core) {
            text.push_str(line);
            text.push('\n');
        }
        if many && !matches!(outcome, CoreOutcome::Returned(_)) {
            text.push_str(&format!("[device {}] ", core.0));
        }
        match outcome {
            CoreOutcome::Returned(_) => {}
            // A line in one of ePython's modules names its file, as CPython's traceback does.
            CoreOutcome::Error(e) => match &e.file {
                Some(file) => text.push_str(&format!("{}: {} ({file}, line {})\n", e.type_name, e.message, e.line)),
                None => text.push_str(&format!("{}: {} (line {})\n", e.type_name, e.message, e.line)),
            },
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

/// [`run_on_cores`] with the default options and no input.
pub fn run_program_on(dev: &Device, cores: &[CoreId], filename: &str, source: &str, timeout: Duration) -> String {
    run_on_cores(dev, cores, filename, source, &compiler::Options::default(), &[], timeout)
}

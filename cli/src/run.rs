//! The commands: run a program on the cores, compile, serve a simulator
//! (the bring-up commands are in device_cmds.rs).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use loader::{CoreOutcome, RunOptions};
use shared_protocol::bytecode::IMAGE_MAGIC;
use shared_protocol::{Chip, CoreId};

use crate::{device_select, signals};

pub enum CoreSelection {
    All,
    First(u32),
    List(Vec<u32>),
}

impl CoreSelection {
    pub(crate) fn resolve(&self, chip: Chip) -> Result<Vec<CoreId>, String> {
        let n = chip.num_cores();
        let cores: Vec<u32> = match self {
            CoreSelection::All => (0..n).collect(),
            CoreSelection::First(k) if *k == 0 || *k > n => {
                return Err(format!("epython: -d {k}: this device has {n} cores (use 1..={n})"));
            }
            CoreSelection::First(k) => (0..*k).collect(),
            CoreSelection::List(list) => {
                let mut seen = std::collections::BTreeSet::new();
                for c in list {
                    if *c >= n {
                        return Err(format!("epython: -c: core {c} does not exist (this device has cores 0..={})", n - 1));
                    }
                    if !seen.insert(*c) {
                        return Err(format!("epython: -c: core {c} is given twice"));
                    }
                }
                list.clone()
            }
        };
        Ok(cores.into_iter().map(CoreId).collect())
    }
}

/// A program ready to run: its image and the name errors refer to.
struct Loaded {
    image: Vec<u8>,
    display_name: String,
}

/// Compile `source` in `dialect` (from `--dialect`), else in the one its
/// marker line names. The command line wins over the marker, with a note:
/// running a marked file the other way is how one compares the two
/// dialects' answers without editing it, and the note keeps that from going
/// unnoticed.
fn compile_source(source: &str, display_name: &str, dialect: Option<compiler::Dialect>) -> Result<compiler::Program, String> {
    let marked = compiler::dialect::marker(source).map_err(|e| e.into_error(display_name).to_string())?;
    if let (Some(given), Some(marked)) = (dialect, marked)
        && given != marked
    {
        eprintln!("epython: note: {display_name} says `# epython: dialect={marked}`; compiling it as {given} (--dialect)");
    }
    let options = compiler::Options { dialect };
    compiler::compile_with(source, display_name, &options).map_err(|e| e.to_string())
}

fn load_program(file: &Path, dialect: Option<compiler::Dialect>) -> Result<Loaded, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("epython: cannot read {}: {e}", file.display()))?;
    let display_name = file.display().to_string();
    if bytes.len() >= 4 && bytes[..4] == IMAGE_MAGIC.to_le_bytes() {
        if let Some(d) = dialect {
            eprintln!("epython: note: {display_name} is a compiled image: --dialect {d} does not change it (compile the source with it)");
        }
        return Ok(Loaded { image: bytes, display_name });
    }
    let source = String::from_utf8(bytes).map_err(|e| {
        format!("epython: {}: not UTF-8 text (byte {}) and not a compiled image", display_name, e.utf8_error().valid_up_to())
    })?;
    let program = compile_source(&source, &display_name, dialect)?;
    if program.uses_print_statement && program.dialect == compiler::Dialect::Python3 {
        // Old ePython scripts may rely on ePython's own semantics.
        eprintln!(
            "epython: note: {display_name} uses ePython's `print \"...\"` statement; the cores follow Python 3 \
             semantics (e.g. 7/2 is 3.5, names are case-sensitive); run it with --dialect epython for ePython's"
        );
    }
    Ok(Loaded { image: program.image, display_name })
}

pub fn run_command(
    file: &Path,
    selection: CoreSelection,
    timeout: Option<Duration>,
    dialect: Option<compiler::Dialect>,
) -> Result<ExitCode, String> {
    // Compile before touching the device: a program with an error runs nowhere.
    let program = load_program(file, dialect)?;
    // From here on a signal stops the cores instead of leaving them running.
    signals::catch();
    let opened = device_select::open()?;
    let device = &opened.device;
    let cores = selection.resolve(device.chip())?;
    device.boot(&cores).map_err(|e| format!("epython: {e}"))?;
    if let Some(sig) = signals::caught() {
        eprintln!("epython: {}: stopped by {} before it started", program.display_name, signals::name(sig));
        return Ok(ExitCode::FAILURE);
    }

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut write_failed = None;
    let options = RunOptions { timeout, stop: Some(&signals::STOP) };
    // input() on a core reads a line of our stdin (in the order the cores
    // ask); at its end, or on unreadable input, input() raises EOFError.
    let stdin = std::io::stdin();
    let mut read_line = |_core: CoreId| read_input_line(&mut stdin.lock());
    let report = device
        .run_with_input(
            &program.image,
            &cores,
            &options,
            &mut |core, line| {
                // Each line is flushed as it is written (stdout is line
                // buffered), so a prompt shows before input() waits.
                if write_failed.is_none()
                    && let Err(e) = writeln!(out, "[device {}] {line}", core.0)
                {
                    write_failed = Some(e);
                }
            },
            &mut read_line,
        )
        .map_err(|e| format!("epython: {e}"))?;
    let _ = out.flush();
    drop(out);
    // A closed pipe (`epython prog.py | head`) is the reader's choice, not an error.
    if let Some(e) = write_failed.filter(|e| e.kind() != std::io::ErrorKind::BrokenPipe) {
        return Err(format!("epython: cannot write to stdout: {e}"));
    }

    let mut failed = false;
    let mut timed_out = Vec::new();
    for (core, outcome) in &report.outcomes {
        match outcome {
            CoreOutcome::Returned(_) => {}
            CoreOutcome::Error(exc) => {
                failed = true;
                // A line in one of ePython's modules names that module's file.
                let file = exc.file.as_deref().unwrap_or(&program.display_name);
                eprintln!("{file}:{}: core {}: {}: {}", exc.line, core.0, exc.type_name, exc.message);
            }
            CoreOutcome::Fault { code, detail } => {
                failed = true;
                eprintln!(
                    "epython: core {}: firmware fault: {} (code {}, detail {detail:#x}); the core was reset",
                    core.0,
                    code.describe(),
                    *code as u32
                );
            }
            CoreOutcome::TimedOut => {
                failed = true;
                timed_out.push(core.0);
            }
            CoreOutcome::Cancelled => {
                // Only a caught signal cancels a run (RunOptions::stop): said below.
                failed = true;
            }
            CoreOutcome::ProtocolError(msg) => {
                failed = true;
                eprintln!("epython: core {}: protocol error: {msg}; the core was reset", core.0);
            }
        }
    }
    if !timed_out.is_empty() {
        let secs = timeout.map_or(0.0, |t| t.as_secs_f64());
        eprintln!(
            "epython: {}: timed out after {secs}s on cores {}; those cores were halted and reset",
            program.display_name,
            join(&timed_out)
        );
    }
    if let Some(sig) = signals::caught() {
        // The device is dropped on return, which halts every core.
        failed = true;
        let cores: Vec<u32> = report.outcomes.iter().map(|(c, _)| c.0).collect();
        eprintln!("epython: {}: stopped by {} on cores {}; the cores are halted", program.display_name, signals::name(sig), join(&cores));
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// One line of stdin for a core's `input()`, without its line end; None at
/// the end of input, on unreadable input, or when a signal stops the run
/// (the read returns EINTR: signals.rs installs no SA_RESTART). Not
/// `read_line`, which reads on through EINTR.
fn read_input_line(stdin: &mut impl BufRead) -> Option<String> {
    if signals::caught().is_some() {
        return None; // stopping: the next core that asks must not wait either
    }
    let mut bytes = Vec::new();
    loop {
        let buf = match stdin.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted && signals::caught().is_none() => continue,
            Err(_) => return None,
        };
        if buf.is_empty() {
            // The end of input: a last line without its newline, or none.
            if bytes.is_empty() {
                return None;
            }
            break;
        }
        if let Some(i) = buf.iter().position(|&b| b == b'\n') {
            bytes.extend_from_slice(&buf[..i]);
            stdin.consume(i + 1);
            break;
        }
        let n = buf.len();
        bytes.extend_from_slice(buf);
        stdin.consume(n);
    }
    let text = String::from_utf8(bytes).ok()?;
    Some(text.strip_suffix('\r').unwrap_or(&text).to_string())
}

fn join(cores: &[u32]) -> String {
    cores.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

pub fn compile_command(
    file: &Path,
    output: Option<PathBuf>,
    disassemble: bool,
    dialect: Option<compiler::Dialect>,
) -> Result<ExitCode, String> {
    let source = std::fs::read_to_string(file).map_err(|e| format!("epython: cannot read {}: {e}", file.display()))?;
    let program = compile_source(&source, &file.display().to_string(), dialect)?;
    if disassemble {
        let text = compiler::disassemble(&program.image).map_err(|e| format!("epython: {e}"))?;
        say_raw!("{text}");
    }
    if output.is_some() || !disassemble {
        let out = output.unwrap_or_else(|| file.with_extension("epyc"));
        std::fs::write(&out, &program.image).map_err(|e| format!("epython: cannot write {}: {e}", out.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `epython sim serve FILE`: serve a simulator until SIGINT, SIGTERM or
/// SIGHUP, then stop it (loaders that have it open see it Stopped) and
/// remove FILE if this server created it, unless `keep`. `isa`: the cores
/// run Epiphany machine code on the instruction-set simulator.
pub fn serve_command(file: &Path, rows: u32, cols: u32, break_cores: &[u32], keep: bool, isa: bool) -> Result<ExitCode, String> {
    if rows == 0 || cols == 0 || rows * cols > Chip::MAX_CORES {
        return Err(format!("epython: sim serve: {rows}x{cols} cores is not a chip (at most {} cores)", Chip::MAX_CORES));
    }
    if let Some(c) = break_cores.iter().find(|&&c| c >= rows * cols) {
        return Err(format!("epython: sim serve: --break-core {c}: the chip has cores 0..={}", rows * cols - 1));
    }
    let chip = Chip { rows, cols, ..Chip::E16 };
    let (model, what) = if isa {
        (simulator::CoreModel::Isa, "; ISA mode: its cores run Epiphany machine code")
    } else {
        (simulator::CoreModel::Native, "")
    };
    // Before the core threads start, so they inherit the mask: the signal
    // comes to `signals::wait` below, not to a core thread.
    signals::block();
    let opts = simulator::SimOptions { model, ..simulator::SimOptions::default() };
    let sim = simulator::Simulator::with_options(simulator::Backing::File(file.to_path_buf()), chip, opts)
        .map_err(|e| format!("epython: sim serve: {e}"))?;
    for &core in break_cores {
        sim.break_core(CoreId(core)).map_err(|e| format!("epython: sim serve: {e}"))?;
    }
    let name = file.display();
    eprintln!("epython: serving a simulated {rows}x{cols} Epiphany at {name} (EPYTHON_DEVICE={name}){what}");
    if !break_cores.is_empty() {
        eprintln!("epython: test hook: cores {} have a faulty SRAM word", join(break_cores));
    }
    let sig = signals::wait();
    if keep {
        drop(sim);
        eprintln!("epython: sim serve: stopped by {}; {name} is kept (--keep)", signals::name(sig));
    } else if sim.stop_and_remove_file().map_err(|e| format!("epython: sim serve: {e}"))? {
        eprintln!("epython: sim serve: stopped by {}; removed {name}", signals::name(sig));
    } else {
        eprintln!("epython: sim serve: stopped by {}; {name} was not made by this server: left in place", signals::name(sig));
    }
    Ok(ExitCode::SUCCESS)
}

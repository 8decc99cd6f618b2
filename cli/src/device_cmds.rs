//! The bring-up commands (design.md §6, issue 7): `epython device info |
//! selftest | reset | firmware | dump CORE | run IMAGE.elf`. The work is in `loader::bringup`; this file
//! only formats it.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use std::collections::BTreeMap;

use loader::{BackendKind, CoreId, CoreRegs, Device, DeviceSummary, HostCall, HostCalls};

use crate::device_select::{self, Opened};
use crate::signals;
use crate::run::CoreSelection;

/// Leave the cores as they are: looking at a device must not change it, and
/// dropping a `Device` halts every core (loader device.rs). The process exits
/// right after, which unmaps, unlocks and closes as the drop would have.
fn leave_as_found(opened: Opened) {
    let Opened { device, simulator } = opened;
    std::mem::forget(device);
    drop(simulator);
}

fn backend_text(b: BackendKind) -> &'static str {
    match b {
        BackendKind::Simulator => "simulator (futex notify and wait)",
        BackendKind::Hardware => "hardware (no notify, polling with backoff)",
    }
}

fn chip_name(s: &DeviceSummary) -> &'static str {
    match (s.chip.rows, s.chip.cols) {
        (4, 4) => " (E16, Epiphany-III)",
        (8, 8) => " (E64, Epiphany-IV)",
        _ => "",
    }
}

/// The device for the first line: its path, or, for the simulator this
/// process runs (its file is a memfd, `/proc/self/fd/N`), what it is.
fn device_text(opened: &Opened, s: &DeviceSummary) -> String {
    match &opened.simulator {
        Some(_) => match (s.chip.rows, s.chip.cols) {
            (4, 4) => "in-process simulated E16 (no device file: it lives in this process)".into(),
            (r, c) => format!("in-process simulated {r}x{c} Epiphany (no device file: it lives in this process)"),
        },
        None => s.path.display().to_string(),
    }
}

fn core_label(device: &Device, core: CoreId) -> String {
    format!("core {:>2} ({:#05x})", core.0, device.chip().mesh_id(core).0)
}

/// A table with left-aligned columns two spaces apart.
fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..cols).map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            if c + 1 == r.len() {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<w$}  ", w = widths[c]);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `epython device firmware`: the places the Epiphany firmware is looked
/// for, the one used, and its build id against the one this program expects.
pub fn firmware_command(extract: Option<&Path>) -> Result<ExitCode, String> {
    use loader::select::{find_epiphany_firmware, firmware_sources};
    println!("Epiphany firmware, looked for in this order (EPYTHON_FIRMWARE overrides):");
    for source in firmware_sources() {
        println!("  {}  {source}", if source.exists() { "found  " } else { "missing" });
    }
    match loader::FirmwareImage::expected_build_id() {
        Some(id) => println!("this epython expects build id {id:#010x}"),
        None => println!("this epython was built outside its repository: it does not check build ids"),
    }
    let (image, source) = find_epiphany_firmware()?;
    println!("using {source}: {} bytes, build id {:#010x}", image.as_bytes().len(), image.build_id());
    if let Some(path) = extract {
        std::fs::write(path, image.as_bytes()).map_err(|e| format!("epython: cannot write {}: {e}", path.display()))?;
        println!("wrote it to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

pub fn info_command() -> Result<ExitCode, String> {
    let opened = device_select::open()?;
    let device = &opened.device;
    let s = device.summary();
    let chip = s.chip;
    let mut out = String::new();
    let _ = writeln!(out, "device   {}", device_text(&opened, &s));
    let _ = writeln!(out, "driver   {}", s.driver.describe());
    let _ = writeln!(out, "backend  {}", backend_text(s.backend));
    let _ = writeln!(
        out,
        "chip     {}x{} cores{}, core 0 at mesh row {} col {} (mesh id {:#05x})",
        chip.rows,
        chip.cols,
        chip_name(&s),
        chip.first_row,
        chip.first_col,
        chip.mesh_id(CoreId(0)).0
    );
    let _ = writeln!(
        out,
        "DRAM     Epiphany {:#010x}..{:#010x} ({} MB), file offset {:#010x}, size {:#x}",
        s.dram_epiphany_base,
        u64::from(s.dram_epiphany_base) + u64::from(s.dram_size) - 1,
        s.dram_size >> 20,
        s.dram_file_offset,
        s.dram_size
    );
    out.push('\n');
    let mut rows = vec![
        ["core", "mesh", "STATUS", "DEBUGSTATUS", "PC", "ILAT", "IMASK", "firmware mailbox"].map(String::from).to_vec(),
    ];
    for core in device.all_cores() {
        let r = device.core_registers(core).map_err(|e| format!("epython: {e}"))?;
        let mb = device.mailbox_state(core).map_err(|e| format!("epython: {e}"))?;
        rows.push(vec![
            format!("{:>4}", core.0),
            format!("{:#05x}", r.mesh_id),
            r.status_text(),
            r.debugstatus_text(),
            format!("{:#010x}", r.pc),
            format!("{:#05x}", r.ilat),
            format!("{:#010x}", r.imask),
            mb.firmware_summary().unwrap_or_else(|| "-".into()),
        ]);
    }
    out.push_str(&table(&rows));
    say_raw!("{out}");
    leave_as_found(opened);
    Ok(ExitCode::SUCCESS)
}

pub fn selftest_command() -> Result<ExitCode, String> {
    let opened = device_select::open()?;
    let device = &opened.device;
    let s = device.summary();
    let echo = if s.driver.is_simulator() { ", firmware boot and mailbox echo" } else { "" };
    say!(
        "selftest of {} ({}): per core SRAM patterns, halt/resume, registers, DRAM patterns{echo}",
        device_text(&opened, &s),
        s.driver.describe()
    );
    let mut failed = Vec::new();
    for core in device.all_cores() {
        let t = device.selftest_core(core);
        match &t.failure {
            None => say!("{}: pass ({} steps)", core_label(device, core), t.passed.len()),
            Some(f) => {
                say!("{}: FAIL: {f}", core_label(device, core));
                failed.push(core.0);
            }
        }
    }
    let n = device.chip().num_cores();
    if failed.is_empty() {
        say!("selftest: all {n} cores passed; the cores are left reset");
        Ok(ExitCode::SUCCESS)
    } else {
        let list = failed.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        say!("selftest: {} of {n} cores passed; failed: {list}; the cores are left reset", n - failed.len() as u32);
        Ok(ExitCode::FAILURE)
    }
}

pub fn reset_command(system: bool) -> Result<ExitCode, String> {
    if system {
        let path = device_select::board_path().ok_or_else(|| {
            "epython: device reset --system: no board device node (set EPYTHON_DEVICE=/dev/epiphany/mesh0); a simulator has no system reset".to_string()
        })?;
        loader::system_reset(&path).map_err(|e| format!("epython: {e}"))?;
        say!("reset: system reset through {} (E_IOCTL_RESET)", path.display());
    }
    let opened = device_select::open()?;
    let device = &opened.device;
    let mut failed = 0;
    for core in device.all_cores() {
        match device.reset_core(core) {
            Ok(()) => say!("{}: reset (idle, waiting for SYNC)", core_label(device, core)),
            Err(e) => {
                failed += 1;
                say!("{}: FAILED: {e}", core_label(device, core));
            }
        }
    }
    let n = device.chip().num_cores();
    if failed == 0 {
        say!("reset: all {n} cores reset");
        Ok(ExitCode::SUCCESS)
    } else {
        say!("reset: {failed} of {n} cores failed to reset");
        Ok(ExitCode::FAILURE)
    }
}

fn register_note(name: &str, r: &CoreRegs) -> String {
    match name {
        "STATUS" => r.status_text(),
        "DEBUGSTATUS" => r.debugstatus_text(),
        "COREID" if r.coreid != r.mesh_id => format!("expected {:#05x}", r.mesh_id),
        _ => String::new(),
    }
}

pub fn dump_command(core: u32) -> Result<ExitCode, String> {
    let opened = device_select::open()?;
    let device = &opened.device;
    let chip = device.chip();
    if core >= chip.num_cores() {
        return Err(format!("epython: device dump: core {core} does not exist (this device has cores 0..={})", chip.num_cores() - 1));
    }
    let id = CoreId(core);
    let r = device.core_registers(id).map_err(|e| format!("epython: {e}"))?;
    let mb = device.mailbox_state(id).map_err(|e| format!("epython: {e}"))?;
    let (row, col) = chip.coords(id);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "core {core}: mesh id {:#05x} (row {row}, col {col}), SRAM at {:#010x}, registers at {:#010x}",
        r.mesh_id,
        chip.sram_base(id).0,
        chip.regs_base(id).0
    );
    out.push_str("\nregisters\n");
    let rows: Vec<Vec<String>> = r
        .named()
        .into_iter()
        .map(|(name, v)| vec![format!("  {name}"), format!("{v:#010x}"), register_note(name, &r)])
        .collect();
    out.push_str(&table(&rows));
    match &r.general {
        Some(regs) => {
            for (i, chunk) in regs.chunks(8).enumerate() {
                let words: Vec<String> = chunk.iter().map(|w| format!("{w:08x}")).collect();
                let _ = writeln!(out, "  R{:<2}..R{:<2}  {}", i * 8, i * 8 + 7, words.join(" "));
            }
        }
        None => out.push_str("  R0..R63     not read: the core is not halted (reading them would disturb it)\n"),
    }
    out.push_str("\nmailbox: command slot (core SRAM, host writes)\n");
    let rows: Vec<Vec<String>> = mb.command.iter().map(|(n, v)| vec![format!("  {n}"), format!("{v:#010x}")]).collect();
    out.push_str(&table(&rows));
    out.push_str("\nmailbox: status block (DRAM, core writes)\n");
    let rows: Vec<Vec<String>> = mb.status.iter().map(|(n, v)| vec![format!("  {n}"), format!("{v:#010x}")]).collect();
    out.push_str(&table(&rows));
    let _ = writeln!(
        out,
        "\nevent ring: head {:#x}, ack {:#x} ({} bytes unread)",
        mb.event_head,
        mb.event_ack,
        mb.event_head.wrapping_sub(mb.event_ack)
    );
    let _ = writeln!(out, "firmware: {}", mb.firmware_summary().unwrap_or_else(|| "none (no status block)".into()));
    say_raw!("{out}");
    leave_as_found(opened);
    Ok(ExitCode::SUCCESS)
}

/// How one core of `device run` ended.
enum Ended {
    Exit(i32),
    Failed { excause: u32, iret: u32 },
    UnknownTrap { num: u8, pc: u32 },
    /// Halted, not on a host call (bkpt, a fault, a debugger).
    Halted,
}

impl Ended {
    fn clean(&self) -> bool {
        matches!(self, Ended::Exit(0))
    }

    fn text(&self, device: &Device, core: CoreId, excause: u32) -> String {
        match self {
            Ended::Exit(code) => format!("exit {code}"),
            Ended::Failed { excause, iret } => {
                format!("failed: software exception {} before {iret:#010x}", loader::bringup::excause_text(*excause))
            }
            Ended::UnknownTrap { num, pc } => format!("stopped: trap {num} at {pc:#010x} is not a host call epython serves"),
            Ended::Halted => match device.simulator_fault(core) {
                Some(why) => format!("faulted: {why}"),
                None if excause != 0 => format!("faulted: {}", loader::bringup::excause_text(excause)),
                None => "halted".into(),
            },
        }
    }
}

/// Prints a core's output a line at a time, `[device N] ` before each.
fn print_lines(core: CoreId, fd: u32, pending: &mut Vec<u8>, bytes: &[u8], flush: bool) {
    pending.extend_from_slice(bytes);
    while let Some(end) = pending.iter().position(|&b| b == b'\n').or(if flush && !pending.is_empty() { Some(pending.len()) } else { None }) {
        let line: Vec<u8> = pending.drain(..=end.min(pending.len() - 1)).collect();
        let text = String::from_utf8_lossy(&line);
        let text = text.strip_suffix('\n').unwrap_or(&text);
        if fd == 2 {
            eprintln!("[device {}] {text}", core.0);
        } else {
            say!("[device {}] {text}", core.0);
        }
    }
}

/// `epython device run IMAGE.elf [-c CORES] [--timeout S]`: an e-loader
/// replacement. Load the e-gcc image (loader elf.rs), start the cores with
/// SYNC, serve their host calls (loader hostcall.rs: output, exit) until
/// every core has exited or halted, Ctrl-C or the timeout, then report how
/// each core ended and its registers. Exits 0 when every core exited 0.
pub fn run_elf_command(image: &Path, selection: CoreSelection, timeout: Option<Duration>) -> Result<ExitCode, String> {
    let opened = device_select::open()?;
    let device = &opened.device;
    let cores = selection.resolve(device.chip())?;
    let report = device.load_elf(image, &cores).map_err(|e| format!("epython: {e}"))?;
    say!(
        "loaded {}: entry {:#010x}, {} segment(s), {} to DRAM ({} bytes)",
        image.display(),
        report.entry,
        report.segments.len(),
        report.dram_segments,
        report.dram_bytes
    );
    for load in &report.cores {
        say!("{}: {} segment(s), {} bytes in SRAM", core_label(device, load.core), load.segments, load.bytes);
    }
    signals::catch();
    device.start_cores(&cores).map_err(|e| format!("epython: {e}"))?;
    say!("started {} core(s); waiting for them to finish (Ctrl-C to stop)", cores.len());

    let deadline = timeout.map(|t| Instant::now() + t);
    let mut calls = HostCalls::new();
    let mut ended: BTreeMap<u32, Ended> = BTreeMap::new();
    let mut pending: BTreeMap<(u32, u32), Vec<u8>> = BTreeMap::new();
    let why = loop {
        for &core in &cores {
            if ended.contains_key(&core.0) {
                continue;
            }
            let end = match device.serve_host_call(core, &mut calls).map_err(|e| format!("epython: {e}"))? {
                Some(HostCall::Output { fd, bytes }) => {
                    print_lines(core, fd, pending.entry((core.0, fd)).or_default(), &bytes, false);
                    continue;
                }
                Some(HostCall::Exit { code }) => Ended::Exit(code),
                Some(HostCall::Failed { excause, iret }) => Ended::Failed { excause, iret },
                Some(HostCall::UnknownTrap { num, pc }) => Ended::UnknownTrap { num, pc },
                Some(HostCall::Halted { .. }) => Ended::Halted,
                None => {
                    // A faulted core that did not halt (EXCAUSE set) is done too.
                    let regs = device.core_registers(core).map_err(|e| format!("epython: {e}"))?;
                    if regs.excause() == 0 {
                        continue;
                    }
                    Ended::Halted
                }
            };
            ended.insert(core.0, end);
        }
        if ended.len() == cores.len() {
            break "all cores finished";
        }
        if let Some(sig) = signals::caught() {
            break signals::name(sig);
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break "timed out";
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    for ((core, fd), mut rest) in std::mem::take(&mut pending) {
        print_lines(CoreId(core), fd, &mut rest, &[], true);
    }
    if signals::caught().is_some() {
        say!("interrupted ({why}):");
    } else {
        say!("{why}:");
    }
    let mut rows = vec![["core", "mesh", "ended", "STATUS", "DEBUGSTATUS", "PC", "IPEND"].map(String::from).to_vec()];
    let mut clean = why == "all cores finished";
    for &core in &cores {
        let r = device.core_registers(core).map_err(|e| format!("epython: {e}"))?;
        let end = ended.get(&core.0);
        clean &= end.is_some_and(Ended::clean);
        rows.push(vec![
            format!("{:>4}", core.0),
            format!("{:#05x}", r.mesh_id),
            end.map_or_else(|| "did not finish".to_string(), |e| e.text(device, core, r.excause())),
            r.status_text(),
            r.debugstatus_text(),
            format!("{:#010x}", r.pc),
            format!("{:#05x}", r.ipend),
        ]);
    }
    say_raw!("{}", table(&rows));
    // Dropping the device halts every core (reference §7 step 9).
    Ok(if clean { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

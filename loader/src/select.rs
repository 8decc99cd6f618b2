//! Which device a program uses (design.md §5), the one rule the `epython`
//! CLI and the CPython package share: `EPYTHON_DEVICE` (a device node, a
//! simulator file, `sim`, or `sim:isa` for a simulator whose cores run
//! Epiphany machine code), else a board's device node if present, else a
//! simulated E16 in the process (which the caller starts: the loader does
//! not depend on the simulator).

use std::path::PathBuf;

pub use shared_protocol::sim::CoreModel;

/// The device node paths of the two driver generations, newest first.
pub const BOARD_NODES: [&str; 2] = ["/dev/epiphany/mesh0", "/dev/epiphany"];

/// What to tell the user when no board was found and nothing was chosen.
pub const NO_BOARD_NOTE: &str = "no Epiphany board found; using a simulated E16 (set EPYTHON_DEVICE to choose)";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Choice {
    /// A device node or a simulator file to open.
    Path(PathBuf),
    /// A simulator in this process; `fallback`: only because no board was
    /// found (say so, [`NO_BOARD_NOTE`]), not because `EPYTHON_DEVICE=sim`.
    /// `model`: what its cores run (`sim:isa`: the instruction-set simulator).
    InProcessSimulator { fallback: bool, model: CoreModel },
}

/// The device `EPYTHON_DEVICE` and the board nodes present choose.
pub fn choose() -> Choice {
    match std::env::var_os("EPYTHON_DEVICE") {
        Some(v) if v == "sim" => Choice::InProcessSimulator { fallback: false, model: CoreModel::Native },
        Some(v) if v == "sim:isa" => Choice::InProcessSimulator { fallback: false, model: CoreModel::Isa },
        Some(v) if !v.is_empty() => Choice::Path(PathBuf::from(v)),
        _ => match BOARD_NODES.iter().map(PathBuf::from).find(|p| p.exists()) {
            Some(node) => Choice::Path(node),
            None => Choice::InProcessSimulator { fallback: true, model: CoreModel::Native },
        },
    }
}

/// Where the Epiphany firmware (`make epiphany`) is looked for, in order:
/// `EPYTHON_FIRMWARE`, then `epython-firmware.elf` beside the running
/// program, then the build tree's `target/epiphany/` (a program in
/// `target/debug` or `target/release`, or the Python package's extension).
pub fn firmware_candidates() -> Vec<PathBuf> {
    if let Some(path) = std::env::var_os("EPYTHON_FIRMWARE").filter(|v| !v.is_empty()) {
        return vec![PathBuf::from(path)];
    }
    let mut found = Vec::new();
    if let Some(dir) = std::env::current_exe().ok().and_then(|e| e.parent().map(PathBuf::from)) {
        found.push(dir.join(FIRMWARE_FILE));
        found.push(dir.join("..").join("epiphany").join(FIRMWARE_FILE));
    }
    found.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("target").join("epiphany").join(FIRMWARE_FILE));
    found
}

/// The Epiphany firmware's file name.
pub const FIRMWARE_FILE: &str = "epython-firmware.elf";

/// The Epiphany firmware for a board or an ISA-mode simulator: the first of
/// [`firmware_candidates`] that exists, checked. Err says where it looked
/// (or why the file found is refused).
pub fn epiphany_firmware() -> Result<crate::FirmwareImage, String> {
    let candidates = firmware_candidates();
    match candidates.iter().find(|p| p.exists()) {
        Some(path) => crate::FirmwareImage::from_elf(path).map_err(|e| e.to_string()),
        None => Err(format!(
            "no Epiphany firmware: looked for {} (build it with `make epiphany`, or set EPYTHON_FIRMWARE)",
            candidates.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// Gives a device that runs Epiphany machine code (a board, an ISA-mode
/// simulator) the Epiphany firmware when one is found; otherwise its boot
/// says which file is missing and how to build it.
pub fn fit_firmware(device: &mut crate::Device) {
    if device.runs_machine_code()
        && let Ok(image) = epiphany_firmware()
    {
        device.set_firmware(image);
    }
}

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
/// `EPYTHON_FIRMWARE` (then nothing else), `epython-firmware.elf` beside the
/// running program, the firmware embedded in it (`make armv7`), then the
/// build tree's `target/epiphany/` (a program in `target/debug` or
/// `target/release`, or the Python package's extension).
pub fn firmware_sources() -> Vec<FirmwareSource> {
    if let Some(path) = std::env::var_os("EPYTHON_FIRMWARE").filter(|v| !v.is_empty()) {
        return vec![FirmwareSource::File(PathBuf::from(path))];
    }
    let exe_dir = std::env::current_exe().ok().and_then(|e| e.parent().map(PathBuf::from));
    let mut found = Vec::new();
    if let Some(dir) = &exe_dir {
        found.push(FirmwareSource::File(dir.join(FIRMWARE_FILE)));
    }
    if crate::FirmwareImage::embedded_elf().is_some() {
        found.push(FirmwareSource::Embedded);
    }
    if let Some(dir) = &exe_dir {
        found.push(FirmwareSource::File(dir.join("..").join("epiphany").join(FIRMWARE_FILE)));
    }
    found.push(FirmwareSource::File(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("target").join("epiphany").join(FIRMWARE_FILE),
    ));
    found
}

/// The files among [`firmware_sources`].
pub fn firmware_candidates() -> Vec<PathBuf> {
    firmware_sources()
        .into_iter()
        .filter_map(|s| match s {
            FirmwareSource::File(path) => Some(path),
            FirmwareSource::Embedded => None,
        })
        .collect()
}

/// One place an Epiphany firmware may come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FirmwareSource {
    File(PathBuf),
    /// Carried in this program (`EPYTHON_EMBED_FIRMWARE` at build time).
    Embedded,
}

impl FirmwareSource {
    /// Whether there is a firmware here to try.
    pub fn exists(&self) -> bool {
        match self {
            FirmwareSource::File(path) => path.exists(),
            FirmwareSource::Embedded => crate::FirmwareImage::embedded_elf().is_some(),
        }
    }

    /// The image, checked ([`crate::FirmwareImage::from_elf_bytes`]).
    pub fn read(&self) -> Result<crate::FirmwareImage, String> {
        match self {
            FirmwareSource::File(path) => crate::FirmwareImage::from_elf(path),
            FirmwareSource::Embedded => match crate::FirmwareImage::embedded_elf() {
                Some(bytes) => crate::FirmwareImage::from_elf_bytes(bytes.to_vec(), &self.to_string()),
                None => Err(crate::LoaderError::InvalidArgument("this program carries no Epiphany firmware".into())),
            },
        }
        .map_err(|e| e.to_string())
    }
}

impl std::fmt::Display for FirmwareSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FirmwareSource::File(path) => write!(f, "{}", path.display()),
            FirmwareSource::Embedded => f.write_str("the firmware embedded in this program"),
        }
    }
}

/// The Epiphany firmware's file name.
pub const FIRMWARE_FILE: &str = "epython-firmware.elf";

/// The Epiphany firmware for a board or an ISA-mode simulator: the first of
/// [`firmware_sources`] that exists, checked. Err says where it looked
/// (or why the firmware found is refused).
pub fn epiphany_firmware() -> Result<crate::FirmwareImage, String> {
    find_epiphany_firmware().map(|(image, _)| image)
}

/// [`epiphany_firmware`] and where it came from.
pub fn find_epiphany_firmware() -> Result<(crate::FirmwareImage, FirmwareSource), String> {
    let sources = firmware_sources();
    match sources.iter().find(|s| s.exists()) {
        Some(source) => source.read().map(|image| (image, source.clone())),
        None => Err(format!(
            "no Epiphany firmware: looked for {}{} (build it with `make epiphany`, or set EPYTHON_FIRMWARE)",
            sources.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", "),
            if crate::FirmwareImage::embedded_elf().is_none() { "; none is embedded in this program" } else { "" }
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

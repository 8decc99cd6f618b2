//! Which device the offload API opens (design.md §5): `EPYTHON_DEVICE` (a
//! device node, a simulator file, or `sim`), else a board's device node if
//! present, else an in-process simulated E16 — as the `epython` CLI does.

use loader::select::{self, Choice};
use loader::Device;
use shared_protocol::Chip;
use simulator::{Backing, CoreModel, SimOptions, Simulator};

/// An open device, plus the simulator serving it when it runs in this
/// process, and the note to show the user about that choice.
pub struct Opened {
    pub device: Device,
    pub simulator: Option<Simulator>,
    pub note: Option<String>,
    /// What to call the device: its path, or, for a simulator in this
    /// process (a memfd, `/proc/self/fd/N`, meaningless outside it), what
    /// it is, as `epython device info` says.
    pub name: String,
}

pub fn open() -> Result<Opened, String> {
    match select::choose() {
        Choice::Path(path) => {
            let mut device = Device::open(&path).map_err(|e| e.to_string())?;
            select::fit_firmware(&mut device);
            let name = path.display().to_string();
            Ok(Opened { device, simulator: None, note: None, name })
        }
        Choice::InProcessSimulator { fallback, model } => {
            let note = fallback.then(|| format!("epython: {}", select::NO_BOARD_NOTE));
            let opts = SimOptions { model, ..SimOptions::default() };
            let sim = Simulator::with_options(Backing::InMemory, Chip::E16, opts)
                .map_err(|e| format!("cannot start the simulator: {e}"))?;
            let mut device = Device::open(sim.path()).map_err(|e| e.to_string())?;
            select::fit_firmware(&mut device);
            let cores = match model {
                CoreModel::Native => "cores as host threads",
                CoreModel::Isa => "cores on the instruction-set simulator",
            };
            let name = format!("in-process simulated E16 ({cores}; no device file: it lives in this process)");
            Ok(Opened { device, simulator: Some(sim), note, name })
        }
    }
}

//! Which device a command uses (design.md §5): `EPYTHON_DEVICE` (a device
//! node, a simulator file, or `sim`), else a board's device node if present,
//! else an in-process simulated E16.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use loader::select::{self, Choice};
use loader::{Device, OpenOptions};
use shared_protocol::Chip;
use simulator::{Backing, SimOptions, Simulator};

/// An open device, plus the simulator serving it when it runs in this process.
/// Field order matters: the device is closed before its simulator stops.
pub struct Opened {
    pub device: Device,
    pub simulator: Option<Simulator>,
}

/// `--allow-devmem` was given (set once, by main, before any device is opened).
static ALLOW_DEVMEM: AtomicBool = AtomicBool::new(false);

pub fn allow_devmem() {
    ALLOW_DEVMEM.store(true, Ordering::Relaxed);
}

/// The device path a command would open, unless it is a simulator in this
/// process (`EPYTHON_DEVICE=sim`, or no board).
pub fn board_path() -> Option<PathBuf> {
    match select::choose() {
        Choice::Path(path) => Some(path),
        Choice::InProcessSimulator { .. } => None,
    }
}

pub fn open() -> Result<Opened, String> {
    match select::choose() {
        Choice::Path(path) => {
            let opts = OpenOptions { allow_devmem: ALLOW_DEVMEM.load(Ordering::Relaxed), ..Default::default() };
            let mut device = Device::open_with(&path, opts).map_err(|e| format!("epython: {e}"))?;
            select::fit_firmware(&mut device);
            Ok(Opened { device, simulator: None })
        }
        Choice::InProcessSimulator { fallback, model } => {
            if fallback {
                eprintln!("epython: {}", select::NO_BOARD_NOTE);
            }
            let opts = SimOptions { model, ..SimOptions::default() };
            let sim = Simulator::with_options(Backing::InMemory, Chip::E16, opts)
                .map_err(|e| format!("epython: cannot start the simulator: {e}"))?;
            let mut device = Device::open(sim.path()).map_err(|e| format!("epython: {e}"))?;
            select::fit_firmware(&mut device);
            Ok(Opened { device, simulator: Some(sim) })
        }
    }
}

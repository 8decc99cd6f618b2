//! Which device a command uses (design.md §5): `EPYTHON_DEVICE` (a device
//! node, a simulator file, or `sim`), else a board's device node if present,
//! else an in-process simulated E16.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use loader::{Device, OpenOptions};
use shared_protocol::Chip;
use simulator::Simulator;

/// The device node paths of the two driver generations, newest first.
const BOARD_NODES: [&str; 2] = ["/dev/epiphany/mesh0", "/dev/epiphany"];

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
    match std::env::var_os("EPYTHON_DEVICE").as_deref() {
        Some(v) if v == "sim" => None,
        Some(v) if !v.is_empty() => Some(PathBuf::from(v)),
        _ => BOARD_NODES.iter().map(PathBuf::from).find(|p| p.exists()),
    }
}

pub fn open() -> Result<Opened, String> {
    let path = board_path();
    if path.is_none() && std::env::var_os("EPYTHON_DEVICE").is_none_or(|v| v != "sim") {
        eprintln!("epython: no Epiphany board found; using a simulated E16 (set EPYTHON_DEVICE to choose)");
    }
    match path {
        Some(path) => {
            let opts = OpenOptions { allow_devmem: ALLOW_DEVMEM.load(Ordering::Relaxed), ..Default::default() };
            let device = Device::open_with(&path, opts).map_err(|e| format!("epython: {e}"))?;
            Ok(Opened { device, simulator: None })
        }
        None => {
            let sim = Simulator::in_memory(Chip::E16).map_err(|e| format!("epython: cannot start the simulator: {e}"))?;
            let device = Device::open(sim.path()).map_err(|e| format!("epython: {e}"))?;
            Ok(Opened { device, simulator: Some(sim) })
        }
    }
}

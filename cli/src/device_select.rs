//! Which device a command uses (design.md §5): `EPYTHON_DEVICE` (a device
//! node, a simulator file, or `sim`), else a board's device node if present,
//! else an in-process simulated E16.

use std::path::{Path, PathBuf};
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

pub fn open() -> Result<Opened, String> {
    let from_env = std::env::var_os("EPYTHON_DEVICE");
    let path: Option<PathBuf> = match from_env.as_deref() {
        Some(v) if v == "sim" => None,
        Some(v) if !v.is_empty() => Some(PathBuf::from(v)),
        _ => {
            let board = BOARD_NODES.iter().map(Path::new).find(|p| p.exists());
            if board.is_none() {
                eprintln!("epython: no Epiphany board found; using a simulated E16 (set EPYTHON_DEVICE to choose)");
            }
            board.map(Path::to_path_buf)
        }
    };
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

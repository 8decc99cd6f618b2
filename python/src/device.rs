//! Which device the offload API opens (design.md §5): `EPYTHON_DEVICE` (a
//! device node, a simulator file, or `sim`), else a board's device node if
//! present, else an in-process simulated E16 — as the `epython` CLI does.

use std::path::{Path, PathBuf};

use loader::Device;
use shared_protocol::Chip;
use simulator::Simulator;

/// The device node paths of the two driver generations, newest first.
const BOARD_NODES: [&str; 2] = ["/dev/epiphany/mesh0", "/dev/epiphany"];

/// An open device, plus the simulator serving it when it runs in this
/// process, and the note to show the user about that choice.
pub struct Opened {
    pub device: Device,
    pub simulator: Option<Simulator>,
    pub note: Option<String>,
}

pub fn open() -> Result<Opened, String> {
    let from_env = std::env::var_os("EPYTHON_DEVICE");
    let mut note = None;
    let path: Option<PathBuf> = match from_env.as_deref() {
        Some(v) if v == "sim" => None,
        Some(v) if !v.is_empty() => Some(PathBuf::from(v)),
        _ => {
            let board = BOARD_NODES.iter().map(Path::new).find(|p| p.exists());
            if board.is_none() {
                note = Some("epython: no Epiphany board found; using a simulated E16 (set EPYTHON_DEVICE to choose)".into());
            }
            board.map(Path::to_path_buf)
        }
    };
    match path {
        Some(path) => {
            let device = Device::open(&path).map_err(|e| e.to_string())?;
            Ok(Opened { device, simulator: None, note })
        }
        None => {
            let sim = Simulator::in_memory(Chip::E16).map_err(|e| format!("cannot start the simulator: {e}"))?;
            let device = Device::open(sim.path()).map_err(|e| e.to_string())?;
            Ok(Opened { device, simulator: Some(sim), note })
        }
    }
}

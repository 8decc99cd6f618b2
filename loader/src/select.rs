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

//! The simulator's one error type: each message says what failed and where
//! (the file path, the mapped piece, the core).

use std::io;
use std::path::PathBuf;

use shared_protocol::Chip;

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("{chip:?} is not a chip the simulator can model: {reason}")]
    BadChip { chip: Chip, reason: &'static str },

    #[error("cannot create the in-memory simulator file (memfd_create): {source}")]
    Memfd { source: io::Error },

    #[error("cannot create the simulator file {}: {source}", path.display())]
    Create { path: PathBuf, source: io::Error },

    #[error("will not serve a simulator at {}: it is a {kind}, not a regular file (the simulator creates a new file or reuses a regular one)", path.display())]
    NotAFile { path: PathBuf, kind: &'static str },

    #[error("cannot remove the simulator file {}: {source}", path.display())]
    Remove { path: PathBuf, source: io::Error },

    #[error("cannot open the simulator file {}: {source}", path.display())]
    Open { path: PathBuf, source: io::Error },

    #[error("{} is not a simulator file (no simulator info page)", path.display())]
    NotASimulator { path: PathBuf },

    #[error("cannot size the simulator file {} to {len:#x} bytes: {source}", path.display())]
    Resize { path: PathBuf, len: u64, source: io::Error },

    #[error("cannot map {what} of the simulator file {} (offset {offset:#x}, {len:#x} bytes): {source}", path.display())]
    Map { path: PathBuf, what: String, offset: u64, len: usize, source: io::Error },

    #[error("core {core} is not on the simulated chip ({cores} cores)")]
    NoSuchCore { core: u32, cores: u32 },

    #[error("cannot start the thread of simulated core {core}: {source}")]
    Spawn { core: u32, source: io::Error },
}

//! The one error type of the loader. Every message says what went wrong, where
//! (device path, core, step) and, where there is one, what to do about it.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum LoaderError {
    #[error("cannot open device {path}: {source}{hint}", hint = open_hint(source))]
    Open { path: PathBuf, source: io::Error },

    #[error("device {path} is in use by another process (it holds the device lock); wait for it to finish or stop it")]
    Busy { path: PathBuf },

    #[error("{path} is /dev/mem (all of physical memory) and is refused unless allowed explicitly: use the epiphany driver's node (/dev/epiphany/mesh0 or /dev/epiphany), or on a board without the driver pass --allow-devmem (root only; the chip must already be powered and its eLink set up)")]
    DevMemRefused { path: PathBuf },

    #[error("{path} is not an Epiphany device: {why}")]
    NotADevice { path: PathBuf, why: String },

    #[error("cannot map {what} of device {path} (file offset {offset:#x}, {len:#x} bytes): {source}")]
    Map { path: PathBuf, what: String, offset: u64, len: usize, source: io::Error },

    #[error("core {core} is not on this device ({cores} cores)")]
    NoSuchCore { core: u32, cores: u32 },

    #[error("{0}")]
    InvalidArgument(String),

    /// A bounded wait in the reset sequence ran out (reference §3.1C).
    #[error("core {core}: soft reset: {detail}; the core may need a full system reset (power-cycle the board)")]
    Reset { core: u32, detail: String },

    #[error("core {core} did not boot within {timeout:?}: {detail}")]
    BootTimeout { core: u32, timeout: Duration, detail: String },

    #[error("core {core} failed to boot: {detail}")]
    BootFailed { core: u32, detail: String },

    #[error("core {core}: its firmware speaks protocol version {found}, this loader speaks {expected}; rebuild the firmware and the loader from the same source")]
    VersionMismatch { core: u32, found: u32, expected: u32 },

    #[error("core {core} is not ready for a command ({state}); boot it first (Device::boot)")]
    NotReady { core: u32, state: String },

    #[error("core {core} did not finish {what} within {timeout:?}")]
    CommandTimeout { core: u32, what: &'static str, timeout: Duration },

    /// The core wrote something the protocol does not allow.
    #[error("core {core}: protocol error: {detail}")]
    Protocol { core: u32, detail: String },

    /// A board or an ISA-mode simulator runs Epiphany machine code, and the
    /// Epiphany firmware was not found.
    #[error("{path}'s cores run Epiphany machine code and need the Epiphany firmware: {why}")]
    NoEpiphanyFirmware { path: PathBuf, why: String },

    /// The simulator serving a simulator file stopped (or was killed) while
    /// this device was open.
    #[error("the simulator serving {path} {why}: restart it with `epython sim serve {path}`, then run again (this device must be opened anew)", path = path.display())]
    SimulatorGone { path: PathBuf, why: String },

    #[error("the compiled program is {len} bytes of bytecode, more than a core's inbox holds ({max} bytes): make the program or kernel smaller")]
    ImageTooBig { len: usize, max: u32 },
}

fn open_hint(e: &io::Error) -> &'static str {
    match e.kind() {
        io::ErrorKind::NotFound => {
            " (no such file: is the epiphany driver loaded, or the simulator file path right?)"
        }
        io::ErrorKind::PermissionDenied => {
            " (permission denied: add yourself to the device's group or run as root)"
        }
        _ => "",
    }
}

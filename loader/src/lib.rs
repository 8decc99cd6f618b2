//! The host side of epython: open an Epiphany device (a board's driver node
//! or a simulator file), reset/load/start its cores, talk to them through the
//! mailbox, and run bytecode images on them.
//!
//! | module      | what it does                                                  |
//! |-------------|---------------------------------------------------------------|
//! | [`device`]  | open the device file, lock it, map each window separately     |
//! | `backend`   | the only simulator/board difference: notify and wait          |
//! | `mem`       | aligned 32-bit atomic access to mapped device memory          |
//! | [`bringup`] | device info, register and mailbox dumps, per-core self-test   |
//! | [`reset`]   | soft reset, load, start, boot handshake, halt-and-reload      |
//! | [`hostcall`]| host calls (`trap`) of Epiphany programs: write, exit, faults |
//! | `mailbox`   | commands into the SRAM slot, events out of the DRAM ring      |
//! | [`image_cache`] | a verified image kept on a core between launches (tag, epoch) |
//! | [`value`]   | host values: decode, encode, Python `str()`/`repr()`          |
//! | [`run`]     | run images and kernel calls on cores, collect prints/outcomes |
//! | `print_order` | a launch group's lines in barrier order (epochs)            |
//! | [`scheduler`] | queue launches until their cores are free; follow them     |
//! | [`error`]   | the one error type                                            |
//!
//! The loader never depends on the simulator: it talks to any device only
//! through the mapped memory and the backend's notify/wait (design.md §1).
//!
//! ```no_run
//! use std::time::Duration;
//! use loader::{CoreId, CoreOutcome, Device, RunOptions};
//!
//! # fn main() -> Result<(), loader::LoaderError> {
//! # let image: Vec<u8> = Vec::new();
//! let dev = Device::open("/dev/epiphany/mesh0")?; // or a simulator file
//! let cores = dev.all_cores();
//! dev.boot(&cores)?;                               // reset, load, start, handshake
//! assert_eq!(dev.echo(CoreId(0), 42)?, 42);        // a mailbox round trip
//! let opts = RunOptions { timeout: Some(Duration::from_secs(10)), ..Default::default() };
//! let report = dev.run(&image, &cores, &opts, &mut |core, line| {
//!     println!("[device {}] {line}", core.0);
//! })?;
//! for (core, outcome) in &report.outcomes {
//!     if let CoreOutcome::Error(e) = outcome {
//!         eprintln!("core {}: {e}", core.0);
//!     }
//! }
//! # Ok(()) }
//! ```

mod backend;
pub mod bringup;
pub mod device;
pub mod elf;
pub mod error;
pub mod hostcall;
pub mod image_cache;
mod mailbox;
mod mem;
mod print_order;
pub mod reset;
pub mod run;
pub mod scheduler;
pub mod select;
pub mod value;

pub use backend::BackendKind;
pub use bringup::{CoreRegs, CoreSelftest, DeviceSummary, DriverKind, MailboxState, SelftestFailure};
pub use device::{system_reset, Device, OpenOptions, Timeouts};
pub use elf::{ConfigBlocks, CoreLoad, ElfReport, ElfSegment, SegmentTarget};
pub use error::LoaderError;
pub use hostcall::{HostCall, HostCalls};
pub use image_cache::KernelImage;
pub use reset::FirmwareImage;
pub use scheduler::{Job, JobId, JobState, JobView, Placement, Scheduler, TraceEvent, Waited};
pub use run::{CoreOutcome, DeviceException, KernelArgs, Launch, RunOptions, RunReport};
pub use shared_protocol::mailbox::Fault;
pub use shared_protocol::{Chip, CoreId};
pub use value::Value;

/// Entry points for the fuzz targets (`fuzz/`): the host's decoders of what
/// cores write, over plain memory. Not part of the loader's API.
#[doc(hidden)]
pub mod fuzzing {
    use std::sync::atomic::AtomicU32;

    use shared_protocol::layout::CORE_EVENT_RING_SIZE;

    /// Decode the event records a core published between `tail` and `head`
    /// in an event ring holding `ring` (zero-padded or cut to the ring's
    /// size), as the loader reads a core's ring. Returns how many events it
    /// decoded and the new read position, or why it refused them.
    pub fn parse_event_ring(ring: &[u8], tail: u32, head: u32) -> Result<(usize, u32), String> {
        let words: Box<[AtomicU32]> = (0..CORE_EVENT_RING_SIZE as usize / 4)
            .map(|i| {
                let mut w = [0u8; 4];
                for (j, b) in w.iter_mut().enumerate() {
                    *b = ring.get(4 * i + j).copied().unwrap_or(0);
                }
                AtomicU32::new(u32::from_le_bytes(w))
            })
            .collect();
        // SAFETY: the boxed slice is aligned, outlives the window (used only
        // in this call) and is only accessed through atomics.
        let window = unsafe { crate::mem::Window::new(words.as_ptr() as *mut u8, words.len() * 4) };
        crate::mailbox::parse_ring(&window, tail, head).map(|(events, pos)| (events.len(), pos))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_device_can_be_shared_between_threads() {
        fn check<T: Send + Sync>() {}
        check::<crate::Device>();
    }
}

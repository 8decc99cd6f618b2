//! A simulated Epiphany (design.md §1, §2, §8): a device file laid out like
//! the newer Parallella driver's `/dev/epiphany/mesh0` (file offset = mesh
//! address; reference §2.1, §7), register semantics, and one host thread per
//! core running the `firmware` crate natively through [`SimPlatform`].
//!
//! A loader drives it exactly as it drives the board: it opens [`Simulator::path`],
//! maps each core's SRAM and register page and the DRAM window, and writes
//! words. The only extra is "notify": a futex wake on the core's ILATST word,
//! which makes the core look at its registers at once (without it, a core
//! notices writes within 50 ms). Cores ring the info page's DOORBELL (a
//! shared futex word) whenever they write status or events, or change a
//! register a loader waits on (STATUS, DEBUGSTATUS, IPEND).
//!
//! Register writes have no hook here: a core thread sees them when it next
//! looks, so a loader waits for the simulator's answer before its next step
//! (each wait is immediate on the chip):
//!
//! | loader writes                         | then waits until                                  |
//! |---------------------------------------|---------------------------------------------------|
//! | DEBUGCMD = 1 (halt)                   | DEBUGSTATUS.HALT = 1                              |
//! | PC = 0x2C, DEBUGCMD = 0 (soft reset)  | STATUS.ACTIVE = ILAT = IPEND = 0 (and HALT = 0)   |
//! | DEBUGCMD = 0 (plain resume)           | DEBUGSTATUS.HALT = 0                              |
//! | RESETCORE = 1                         | STATUS = DEBUGSTATUS = IPEND = 0, then writes 0   |
//! | ILATST = SYNC                         | the firmware's status block (boot nonce)          |
//!
//! A halted core keeps its firmware, and STATUS.ACTIVE stays 1 while it does
//! (halting does not idle a core): a plain resume carries on where it was. A
//! soft reset or RESETCORE abandons the firmware; STATUS.ACTIVE, ILAT and
//! IPEND read 0 only once it has unwound, and the core waits for SYNC again.
//! A faulted core (unknown firmware, panic) is halted with IPEND.SWE set; a
//! soft reset (PC = 0x2C, with or without a DEBUGCMD halt first) clears it.
//!
//! Test hook (sim.rs `info::BROKEN_CORES_LO/HI`, [`Simulator::break_core`],
//! `epython sim serve --break-core N`): a core whose bit is set has bit
//! [`BROKEN_BIT`] of its SRAM word [`BROKEN_WORD`] stuck at 0, applied by its
//! thread after it reads DEBUGCMD and before it answers a halt, so a host
//! that writes a pattern, halts the core and reads back sees the fault every
//! time (`epython device selftest` does exactly that).
//!
//! Test hook (sim.rs `info::FORCE_FAULT`, [`Simulator::force_fault`],
//! [`force_fault_in_file`]): a core running a kernel panics, or stops on a
//! VM internal error, at one of its next halt checks (firmware feature
//! `fault-hooks`), so hosts can test how they report faulted cores.
//!
//! | module        | what it holds                                                 |
//! |---------------|---------------------------------------------------------------|
//! | `file`        | the sparse device file (memfd or path) and its mappings       |
//! | `device`      | the mapped pieces: info page, DRAM, each core's SRAM and regs |
//! | `regs`        | register words, ILATST/ILATCL consumption, the idle backoff   |
//! | `core_thread` | the core thread: reset, halt, SYNC start, panics              |
//! | `platform`    | [`SimPlatform`], the firmware's `Platform` for one core       |

mod core_thread;
mod device;
mod error;
mod file;
mod isa;
mod platform;
mod regs;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use std::sync::atomic::Ordering;

use shared_protocol::sim::{force_fault, info, ServerState};
pub use shared_protocol::sim::CoreModel;
use shared_protocol::{Chip, CoreId};

pub use device::{BROKEN_BIT, BROKEN_WORD};
pub use firmware::ForcedFault;
pub use error::SimError;
pub use platform::SimPlatform;

use device::Device;
use file::DeviceFile;

/// What a core thread runs when SYNC starts it with a known firmware header.
pub type Firmware = fn(&mut SimPlatform);

/// Where the device file lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backing {
    /// A memfd, opened by loaders in this process as `/proc/self/fd/N`.
    InMemory,
    /// A file at this path (created or truncated, mode 0600), e.g. on /dev/shm.
    File(PathBuf),
}

#[derive(Clone, Copy, Debug)]
pub struct SimOptions {
    /// The firmware the cores run natively: `firmware::run` unless a test
    /// injects one.
    pub firmware: Firmware,
    /// Native firmware threads (the default), or Epiphany machine code on
    /// the instruction-set simulator (ISA mode, `isa.rs`).
    pub model: CoreModel,
}

impl Default for SimOptions {
    fn default() -> SimOptions {
        SimOptions { firmware: firmware::run::<SimPlatform>, model: CoreModel::Native }
    }
}

impl SimOptions {
    /// ISA mode: every core runs Epiphany machine code.
    pub fn isa() -> SimOptions {
        SimOptions { model: CoreModel::Isa, ..SimOptions::default() }
    }
}

/// A running simulated chip. Dropping it (or [`Simulator::shutdown`]) marks
/// the server Stopped, holds every core in reset and joins the core threads.
pub struct Simulator {
    // Field order: threads are joined (in Drop) before the mappings are
    // unmapped (device) and before the file is closed.
    threads: Vec<JoinHandle<()>>,
    device: Arc<Device>,
    file: DeviceFile,
}

impl Simulator {
    /// A simulator whose device file is a memfd.
    pub fn in_memory(chip: Chip) -> Result<Simulator, SimError> {
        Simulator::with_options(Backing::InMemory, chip, SimOptions::default())
    }

    /// A simulator whose device file is at `path` (for a loader in another process).
    pub fn create(path: &Path, chip: Chip) -> Result<Simulator, SimError> {
        Simulator::with_options(Backing::File(path.to_path_buf()), chip, SimOptions::default())
    }

    pub fn with_options(backing: Backing, chip: Chip, opts: SimOptions) -> Result<Simulator, SimError> {
        device::check_chip(chip)?;
        let len = shared_protocol::sim::file_len(chip);
        let file = match &backing {
            Backing::InMemory => DeviceFile::in_memory(len)?,
            Backing::File(path) => DeviceFile::create(path, len)?,
        };
        let device = Arc::new(Device::map(&file, chip, opts.model)?);
        let mut sim = Simulator { threads: Vec::with_capacity(chip.num_cores() as usize), device, file };
        for n in 0..chip.num_cores() {
            let builder = std::thread::Builder::new().name(format!("epiphany-core-{n}"));
            let spawned = match opts.model {
                CoreModel::Native => {
                    let platform = SimPlatform::new(CoreId(n), Arc::clone(&sim.device));
                    let firmware = opts.firmware;
                    builder.spawn(move || core_thread::run_core(platform, firmware))
                }
                CoreModel::Isa => {
                    let device = Arc::clone(&sim.device);
                    builder.spawn(move || isa::run_isa_core(device, CoreId(n)))
                }
            };
            let thread = spawned
                // On error, dropping `sim` stops the threads already started.
                .map_err(|source| SimError::Spawn { core: n, source })?;
            sim.threads.push(thread);
        }
        sim.device.set_server_state(ServerState::Running);
        Ok(sim)
    }

    /// The path a loader opens (`/proc/self/fd/N` for an in-memory file).
    pub fn path(&self) -> &Path {
        self.file.path()
    }

    pub fn chip(&self) -> Chip {
        self.device.chip()
    }

    /// The self-test hook (sim.rs `info::BROKEN_CORES_LO/HI`): mark `core`
    /// broken, as writing its bit in the info page does. A broken core's SRAM
    /// has bit [`BROKEN_BIT`] of the word at local address [`BROKEN_WORD`]
    /// stuck at 0, applied whenever the core thread scans its registers while
    /// no firmware runs (and always before it answers a halt), so
    /// `epython device selftest` fails that core's SRAM patterns. Firmware
    /// still boots and runs on it (the loader zeroes that word).
    pub fn break_core(&self, core: CoreId) -> Result<(), SimError> {
        self.check_core(core)?;
        self.device.set_broken(core, true);
        Ok(())
    }

    /// The fault-injection test hook (sim.rs `info::FORCE_FAULT`): `core`
    /// takes `fault` at a halt check of the kernel it runs (a loop or a call;
    /// within 256 of them), once. A firmware panic is reported as
    /// `Fault::Panic`, a VM fault as `Fault::VmInternal`, as on the chip.
    /// A later request replaces one not yet taken.
    pub fn force_fault(&self, core: CoreId, fault: ForcedFault) -> Result<(), SimError> {
        self.check_core(core)?;
        self.device.info(info::FORCE_FAULT).store(force_word(core, fault), Ordering::Release);
        Ok(())
    }

    /// Undo [`Simulator::break_core`].
    pub fn repair_core(&self, core: CoreId) -> Result<(), SimError> {
        self.check_core(core)?;
        self.device.set_broken(core, false);
        Ok(())
    }

    fn check_core(&self, core: CoreId) -> Result<(), SimError> {
        let cores = self.chip().num_cores();
        if core.0 < cores { Ok(()) } else { Err(SimError::NoSuchCore { core: core.0, cores }) }
    }

    /// Stop the simulator (what Drop does).
    pub fn shutdown(self) {}

    /// Stop the simulator (marking it Stopped for loaders that have it
    /// open), then remove its file if this simulator created it and the
    /// path still names it: never a file that was there before, nor one put
    /// there since. Returns whether the file was removed.
    pub fn stop_and_remove_file(mut self) -> Result<bool, SimError> {
        self.stop();
        self.file.remove_if_created()
    }

    fn stop(&mut self) {
        self.device.begin_shutdown();
        for thread in self.threads.drain(..) {
            // A core thread catches firmware panics itself; a join error
            // could only be a simulator bug, and there is no one to tell here.
            let _ = thread.join();
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.stop();
    }
}

/// [`Simulator::force_fault`] on the simulator serving the file at `path`
/// (in this process or another: a test of a host that opened that file).
pub fn force_fault_in_file(path: &Path, core: CoreId, fault: ForcedFault) -> Result<(), SimError> {
    let file = DeviceFile::open(path)?;
    let page = file.map("the info page", 0, shared_protocol::sim::INFO_PAGE_SIZE as usize)?;
    if page.word(info::MAGIC).load(Ordering::Acquire) != shared_protocol::sim::SIM_MAGIC {
        return Err(SimError::NotASimulator { path: path.to_path_buf() });
    }
    let cores = page.word(info::ROWS).load(Ordering::Acquire) * page.word(info::COLS).load(Ordering::Acquire);
    if core.0 >= cores {
        return Err(SimError::NoSuchCore { core: core.0, cores });
    }
    page.word(info::FORCE_FAULT).store(force_word(core, fault), Ordering::Release);
    Ok(())
}

fn force_word(core: CoreId, fault: ForcedFault) -> u32 {
    let kind = match fault {
        ForcedFault::Panic => force_fault::PANIC,
        ForcedFault::VmInternal => force_fault::VM_INTERNAL,
    };
    force_fault::word(kind, core)
}

/// Create the device file at `path`, serve it, and block until the process
/// is killed (a test's server process; `epython sim serve` stops on a signal
/// and removes its file: [`Simulator::stop_and_remove_file`]).
pub fn serve(path: &Path, chip: Chip) -> Result<(), SimError> {
    let _sim = Simulator::create(path, chip)?;
    loop {
        std::thread::park();
    }
}

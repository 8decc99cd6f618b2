//! The mapped device: the info page, the DRAM window and each core's SRAM and
//! register page, each mapped on its own (design.md §8), plus the process-local
//! shutdown flag. Shared by the `Simulator` and every core thread through an
//! `Arc`, so the mappings outlive the threads (which are joined first).

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use rustix::thread::futex;
use shared_protocol::chip::{self, DRAM_BASE, DRAM_SIZE, REG_PAGE_SIZE, SRAM_SIZE};
use shared_protocol::sim::{self, info, ServerState, INFO_PAGE_SIZE};
use shared_protocol::{Chip, CoreId};

use crate::file::{DeviceFile, Mapping};
use crate::regs::Regs;
use crate::SimError;

struct CoreMaps {
    sram: Mapping,
    regs: Mapping,
}

pub(crate) struct Device {
    chip: Chip,
    info: Mapping,
    dram: Mapping,
    cores: Vec<CoreMaps>,
    shutting_down: AtomicBool,
}

impl Device {
    /// Map the pieces of `file` and initialise the info page (state Starting)
    /// and every register page (COREID; the rest stays 0: the reset state).
    /// `chip` must have passed [`check_chip`].
    pub(crate) fn map(file: &DeviceFile, chip: Chip, model: sim::CoreModel) -> Result<Device, SimError> {
        let info = file.map("the info page", 0, INFO_PAGE_SIZE as usize)?;
        let dram = file.map("the DRAM window", u64::from(DRAM_BASE), DRAM_SIZE as usize)?;
        let mut cores = Vec::with_capacity(chip.num_cores() as usize);
        for n in 0..chip.num_cores() {
            let core = CoreId(n);
            let sram_at = u64::from(chip.sram_base(core).0);
            let regs_at = u64::from(chip.regs_base(core).0);
            let sram = file.map(&format!("core {n}'s SRAM"), sram_at, SRAM_SIZE as usize)?;
            let regs = file.map(&format!("core {n}'s register page"), regs_at, REG_PAGE_SIZE as usize)?;
            cores.push(CoreMaps { sram, regs });
        }
        let device = Device { chip, info, dram, cores, shutting_down: AtomicBool::new(false) };
        for n in 0..chip.num_cores() {
            let core = CoreId(n);
            device.regs(core).store(chip::reg::COREID, chip.mesh_id(core).0);
        }
        device.info(info::VERSION).store(sim::SIM_VERSION, Ordering::Release);
        device.info(info::ROWS).store(chip.rows, Ordering::Release);
        device.info(info::COLS).store(chip.cols, Ordering::Release);
        device.info(info::FIRST_ROW).store(chip.first_row, Ordering::Release);
        device.info(info::FIRST_COL).store(chip.first_col, Ordering::Release);
        device.info(info::SERVER_PID).store(rustix::process::getpid().as_raw_nonzero().get() as u32, Ordering::Release);
        device.info(info::CORE_MODEL).store(model as u32, Ordering::Release);
        device.set_server_state(ServerState::Starting);
        // The magic last: a loader that sees it sees the fields above.
        device.info(info::MAGIC).store(sim::SIM_MAGIC, Ordering::Release);
        Ok(device)
    }

    pub(crate) fn chip(&self) -> Chip {
        self.chip
    }

    pub(crate) fn info(&self, word: u32) -> &AtomicU32 {
        self.info.word(word)
    }

    pub(crate) fn set_server_state(&self, state: ServerState) {
        self.info(info::SERVER_STATE).store(state as u32, Ordering::Release);
    }

    pub(crate) fn regs(&self, core: CoreId) -> Regs<'_> {
        Regs::new(&self.cores[core.0 as usize].regs)
    }

    pub(crate) fn sram(&self, core: CoreId) -> &Mapping {
        &self.cores[core.0 as usize].sram
    }

    pub(crate) fn dram(&self) -> &Mapping {
        &self.dram
    }

    /// The simulator's interrupt line to the host (sim.rs `info::DOORBELL`):
    /// count, then wake every waiter (shared futex: the host may be another process).
    pub(crate) fn ring_doorbell(&self) {
        let doorbell = self.info(info::DOORBELL);
        doorbell.fetch_add(1, Ordering::AcqRel);
        let _ = futex::wake(doorbell, futex::Flags::empty(), i32::MAX as u32);
    }

    /// The test hook (sim.rs `info::BROKEN_CORES_LO/HI`): is this core's bit set?
    pub(crate) fn is_broken(&self, core: CoreId) -> bool {
        let (word, bit) = broken_bit(core);
        self.info(word).load(Ordering::Acquire) & bit != 0
    }

    /// Set or clear a core's bit in the info page's BROKEN_CORES words.
    pub(crate) fn set_broken(&self, core: CoreId, broken: bool) {
        let (word, bit) = broken_bit(core);
        if broken {
            self.info(word).fetch_or(bit, Ordering::AcqRel);
        } else {
            self.info(word).fetch_and(!bit, Ordering::AcqRel);
        }
    }

    /// A broken core's SRAM fault: bit [`BROKEN_BIT`] of the word at local
    /// address [`BROKEN_WORD`] is stuck at 0. Applied by the core thread on
    /// each scan of its registers while no firmware runs, after it has read
    /// DEBUGCMD and before it answers a halt: a loader that writes a pattern,
    /// halts the core and waits for DEBUGSTATUS.HALT reads the fault back,
    /// deterministically.
    pub(crate) fn apply_sram_fault(&self, core: CoreId) {
        if self.is_broken(core) {
            self.sram(core).word(BROKEN_WORD).fetch_and(!BROKEN_BIT, Ordering::AcqRel);
        }
    }

    /// The fault-injection test hook (sim.rs `info::FORCE_FAULT`): the kind
    /// of fault forced on `core`, taken (the word cleared) so it fires once.
    pub(crate) fn take_forced_fault(&self, core: CoreId) -> Option<u32> {
        let word = self.info(info::FORCE_FAULT);
        let w = word.load(Ordering::Relaxed);
        if w == 0 || sim::force_fault::core_of(w) != core.0 {
            return None;
        }
        word.compare_exchange(w, 0, Ordering::AcqRel, Ordering::Relaxed).ok().map(sim::force_fault::kind_of)
    }

    /// Tells a loader the server is alive (sim.rs `info::HEARTBEAT`).
    pub(crate) fn heartbeat(&self) {
        self.info(info::HEARTBEAT).fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Acquire)
    }

    /// Power off: hold every core in reset (so a firmware unwinds at its next
    /// halt check, keeping that check at two loads) and wake every core thread.
    pub(crate) fn begin_shutdown(&self) {
        self.set_server_state(ServerState::Stopped);
        self.shutting_down.store(true, Ordering::Release);
        for n in 0..self.chip.num_cores() {
            let regs = self.regs(CoreId(n));
            regs.store(chip::reg::RESETCORE, 1);
            regs.notify();
        }
    }
}

/// The SRAM word (local address, bank 2) whose bit [`BROKEN_BIT`] is stuck at
/// 0 on a core marked broken in the info page.
pub const BROKEN_WORD: u32 = 0x4000;
/// The stuck bit: set in 0x55555555, in walking ones, and in address-as-data
/// patterns at other words, so every usual pattern finds it.
pub const BROKEN_BIT: u32 = 1 << 0;

/// The info-page word and bit of a core in BROKEN_CORES_LO/HI.
fn broken_bit(core: CoreId) -> (u32, u32) {
    let word = if core.0 < 32 { info::BROKEN_CORES_LO } else { info::BROKEN_CORES_HI };
    (word, 1 << (core.0 % 32))
}

/// The file must hold every core's window below the DRAM window and above
/// the info page, with mesh rows and columns of 6 bits (reference §1.1).
pub(crate) fn check_chip(chip: Chip) -> Result<(), SimError> {
    let bad = |reason| Err(SimError::BadChip { chip, reason });
    if chip.rows == 0 || chip.cols == 0 {
        return bad("it has no cores");
    }
    if chip.num_cores() > Chip::MAX_CORES {
        return bad("it has more than Chip::MAX_CORES cores");
    }
    if chip.first_row + chip.rows > 64 || chip.first_col + chip.cols > 64 {
        return bad("mesh rows and columns are 6 bits");
    }
    for n in 0..chip.num_cores() {
        let sram = u64::from(chip.sram_base(CoreId(n)).0);
        let end = sram + (1 << chip::CORE_SLOT_SHIFT);
        if sram < u64::from(INFO_PAGE_SIZE) {
            return bad("a core's window overlaps the info page at offset 0");
        }
        if end > u64::from(DRAM_BASE) && sram < u64::from(DRAM_BASE) + u64::from(DRAM_SIZE) {
            return bad("a core's window overlaps the DRAM window");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e16_and_e64_fit_and_odd_chips_are_refused() {
        assert!(check_chip(Chip::E16).is_ok());
        assert!(check_chip(Chip::E64).is_ok());
        assert!(check_chip(Chip { rows: 0, ..Chip::E16 }).is_err());
        assert!(check_chip(Chip { rows: 9, cols: 9, ..Chip::E16 }).is_err());
        // Row 35+ at column 0x20 would be inside 0x8E000000..0x90000000.
        let in_dram = Chip { rows: 1, cols: 1, first_row: 0x23, first_col: 0x20 };
        assert!(matches!(check_chip(in_dram), Err(SimError::BadChip { .. })));
        let at_zero = Chip { rows: 1, cols: 1, first_row: 0, first_col: 0 };
        assert!(check_chip(at_zero).is_err());
    }

    #[test]
    fn the_file_reaches_the_dram_window_and_every_core() {
        assert_eq!(sim::file_len(Chip::E16), sim::FILE_LEN);
        assert_eq!(sim::file_len(Chip::E64), 0x9CF0_0000 + 0xF_1000);
    }
}

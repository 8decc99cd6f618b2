//! Board bring-up (issue 7, design.md §6): what `epython device info | selftest
//! | reset | dump` need. Looking at a device (registers, mailbox words) never
//! disturbs a running core: only memory-mapped registers are read, and the
//! general registers R0..R63 only of a halted core (reference §4.3 gotcha 4).
//!
//! The self-test of one core (reference §1.2, §1.3, §3.1C):
//!
//! | step                | what                                                         |
//! |---------------------|--------------------------------------------------------------|
//! | reset               | the soft reset of reference §3.1C                            |
//! | SRAM patterns       | 0x55.., 0xAA.., walking ones, walking zeros, address-as-data |
//! |                     | over all 32 KB; each written, then the core halted (DEBUGCMD |
//! |                     | = 1, wait for DEBUGSTATUS.HALT), read back, resumed          |
//! | registers           | IMASK write/read; ILAT through ILATST and ILATCL             |
//! | DRAM patterns       | 0x55.., 0xAA.., address-as-data over the core's DRAM inbox   |
//! |                     | (host-written scratch, 64 KB)                                |
//! | boot + echo         | simulator files only: boot the firmware, echo a word         |
//! | reset               | always, so the test leaves the core reset                    |
//!
//! The halt after each SRAM pattern keeps the core from touching SRAM while
//! the host reads it back; on a simulator it is also the moment the simulated
//! core applies its faults (the `BROKEN_CORES` test hook of sim.rs).

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use shared_protocol::chip::{
    debugcmd, debugstatus, irq, reg, status as core_status, DRAM_BASE, DRAM_BASE_OLD_DRIVER, DRAM_SIZE, REG_PAGE_OFFSET,
    SRAM_SIZE,
};
use shared_protocol::layout::{self, CORE_INBOX, CORE_INBOX_SIZE, CORE_STATUS_SIZE};
use shared_protocol::mailbox::{cmd, status, CoreState, STATUS_MAGIC};
use shared_protocol::{Chip, CoreId};

use crate::backend::{deadline_after, BackendKind};
use crate::device::Device;
use crate::error::LoaderError;
use crate::mem::Window;
use crate::reset::state_text;

/// Which kind of device file a [`Device`] has open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DriverKind {
    /// A simulator file (`epython sim serve`, or in-process).
    SimulatorFile,
    /// A simulator file driven through the hardware backend (`force_hardware`).
    SimulatorFileAsHardware,
    /// The newer driver's `/dev/epiphany/mesh0` (DRAM at file offset 0x8E000000).
    Mesh0,
    /// The older driver's `/dev/epiphany` (DRAM at file offset 0x3E000000).
    Legacy,
    /// `/dev/mem`, no driver (`allow_devmem`; DRAM at its physical address
    /// 0x3E000000, cores at their mesh addresses).
    DevMem,
}

impl DriverKind {
    pub fn describe(self) -> &'static str {
        match self {
            DriverKind::SimulatorFile => "simulator file (mesh0 layout)",
            DriverKind::SimulatorFileAsHardware => "simulator file driven as hardware (mesh0 layout)",
            DriverKind::Mesh0 => "mesh0 driver (/dev/epiphany/mesh0, ESDK 2016.x)",
            DriverKind::Legacy => "legacy driver (/dev/epiphany, ESDK 2014.11-2015.1)",
            DriverKind::DevMem => "/dev/mem (no driver, --allow-devmem)",
        }
    }

    /// Where the DRAM window is in the device file (reference §2.1).
    pub fn dram_file_offset(self) -> u64 {
        u64::from(match self {
            DriverKind::Legacy | DriverKind::DevMem => DRAM_BASE_OLD_DRIVER,
            DriverKind::SimulatorFile | DriverKind::SimulatorFileAsHardware | DriverKind::Mesh0 => DRAM_BASE,
        })
    }

    /// Is a simulator behind the file (so the firmware can boot on it)?
    pub fn is_simulator(self) -> bool {
        matches!(self, DriverKind::SimulatorFile | DriverKind::SimulatorFileAsHardware)
    }
}

/// What `device info` says about the device as a whole.
#[derive(Clone, Debug)]
pub struct DeviceSummary {
    pub path: PathBuf,
    pub backend: BackendKind,
    pub driver: DriverKind,
    pub chip: Chip,
    /// Where the DRAM window is in the device file.
    pub dram_file_offset: u64,
    /// The DRAM window as the cores see it.
    pub dram_epiphany_base: u32,
    pub dram_size: u32,
}

/// A core's memory-mapped registers (reference §1.3).
#[derive(Clone, Debug)]
pub struct CoreRegs {
    pub core: CoreId,
    /// The mesh id the chip layout says the core has.
    pub mesh_id: u32,
    pub coreid: u32,
    pub config: u32,
    pub status: u32,
    pub pc: u32,
    pub debugstatus: u32,
    pub lc: u32,
    pub ls: u32,
    pub le: u32,
    pub iret: u32,
    pub imask: u32,
    pub ilat: u32,
    pub ipend: u32,
    pub ctimer0: u32,
    pub ctimer1: u32,
    pub dma0_status: u32,
    pub dma1_status: u32,
    pub memstatus: u32,
    pub memprotect: u32,
    pub meshconfig: u32,
    /// R0..R63, read only when the core is halted (reference §4.3).
    pub general: Option<Vec<u32>>,
}

impl CoreRegs {
    pub fn is_active(&self) -> bool {
        self.status & core_status::ACTIVE != 0
    }

    pub fn is_halted(&self) -> bool {
        self.debugstatus & debugstatus::HALT != 0
    }

    pub fn excause(&self) -> u32 {
        (self.status & core_status::EXCAUSE_MASK) >> core_status::EXCAUSE_SHIFT
    }

    /// STATUS in words: `active`/`idle`, and the exception cause if any.
    pub fn status_text(&self) -> String {
        let mut s = String::from(if self.is_active() { "active" } else { "idle" });
        if self.status & core_status::GID != 0 {
            s.push_str(", GID");
        }
        let ex = self.excause();
        if ex != 0 {
            s.push_str(&format!(", EXCAUSE {ex} ({})", excause_text(ex)));
        }
        s
    }

    /// DEBUGSTATUS in words.
    pub fn debugstatus_text(&self) -> String {
        let mut s = String::from(if self.is_halted() { "halted" } else { "running" });
        if self.debugstatus & debugstatus::EXT_PEND != 0 {
            s.push_str(", ext-pend");
        }
        s
    }

    /// Every register as (name, value), in page order.
    pub fn named(&self) -> Vec<(&'static str, u32)> {
        vec![
            ("CONFIG", self.config),
            ("STATUS", self.status),
            ("PC", self.pc),
            ("DEBUGSTATUS", self.debugstatus),
            ("LC", self.lc),
            ("LS", self.ls),
            ("LE", self.le),
            ("IRET", self.iret),
            ("IMASK", self.imask),
            ("ILAT", self.ilat),
            ("IPEND", self.ipend),
            ("CTIMER0", self.ctimer0),
            ("CTIMER1", self.ctimer1),
            ("DMA0STATUS", self.dma0_status),
            ("DMA1STATUS", self.dma1_status),
            ("MEMSTATUS", self.memstatus),
            ("MEMPROTECT", self.memprotect),
            ("MESHCONFIG", self.meshconfig),
            ("COREID", self.coreid),
        ]
    }
}

/// E3 EXCAUSE values (reference §1.3).
pub fn excause_text(excause: u32) -> &'static str {
    match excause {
        0 => "none",
        1 => "software interrupt",
        core_status::EXCAUSE_UNALIGNED => "unaligned access",
        core_status::EXCAUSE_FPU => "floating-point exception",
        core_status::EXCAUSE_UNIMPLEMENTED => "unimplemented instruction",
        core_status::EXCAUSE_ILLEGAL => "illegal instruction",
        _ => "unknown cause",
    }
}

/// A core's mailbox words (shared_protocol::mailbox): the host's command
/// slot in SRAM, the firmware's status block in DRAM, the event ring positions.
#[derive(Clone, Debug)]
pub struct MailboxState {
    pub command: Vec<(&'static str, u32)>,
    pub status: Vec<(&'static str, u32)>,
    /// `status::EVENT_HEAD`: ring bytes the core has written.
    pub event_head: u32,
    /// `cmd::EVENT_ACK`: ring bytes the host has consumed.
    pub event_ack: u32,
}

impl MailboxState {
    fn status_word(&self, name: &str) -> u32 {
        self.status.iter().find(|(n, _)| *n == name).map_or(0, |(_, v)| *v)
    }

    /// Has the firmware written its status block (MAGIC)?
    pub fn firmware_present(&self) -> bool {
        self.status_word("MAGIC") == STATUS_MAGIC
    }

    /// `Idle, protocol 3, reply seq 7`, or None before any firmware wrote the block.
    pub fn firmware_summary(&self) -> Option<String> {
        if !self.firmware_present() {
            return None;
        }
        let state = self.status_word("STATE");
        let mut s = format!(
            "{}, protocol {}, reply seq {}",
            state_text(state),
            self.status_word("PROTOCOL"),
            self.status_word("REPLY_SEQ")
        );
        if state == CoreState::Fault as u32 {
            s.push_str(&format!(", fault {} detail {:#x}", self.status_word("FAULT"), self.status_word("FAULT_DETAIL")));
        }
        Some(s)
    }
}

/// Where and how one core's self-test failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelftestFailure {
    /// The step, e.g. `SRAM walking ones`.
    pub step: String,
    /// The Epiphany (mesh) address involved, if any.
    pub address: Option<u32>,
    pub detail: String,
}

impl std::fmt::Display for SelftestFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.step)?;
        if let Some(a) = self.address {
            write!(f, " at {a:#010x}")?;
        }
        write!(f, ": {}", self.detail)
    }
}

/// One core's self-test result.
#[derive(Clone, Debug)]
pub struct CoreSelftest {
    pub core: CoreId,
    /// The steps that passed, in order.
    pub passed: Vec<String>,
    /// The first failure (the test stops there, then resets the core).
    pub failure: Option<SelftestFailure>,
}

impl CoreSelftest {
    pub fn ok(&self) -> bool {
        self.failure.is_none()
    }
}

/// Memory test patterns. `word(i, addr)` is the value for word `i` at
/// Epiphany address `addr`.
#[derive(Clone, Copy, Debug)]
enum Pattern {
    Fives,
    As,
    WalkingOnes,
    WalkingZeros,
    AddressAsData,
}

impl Pattern {
    const SRAM: [Pattern; 5] =
        [Pattern::Fives, Pattern::As, Pattern::WalkingOnes, Pattern::WalkingZeros, Pattern::AddressAsData];
    const DRAM: [Pattern; 3] = [Pattern::Fives, Pattern::As, Pattern::AddressAsData];

    fn name(self) -> &'static str {
        match self {
            Pattern::Fives => "0x55555555",
            Pattern::As => "0xaaaaaaaa",
            Pattern::WalkingOnes => "walking ones",
            Pattern::WalkingZeros => "walking zeros",
            Pattern::AddressAsData => "address-as-data",
        }
    }

    fn word(self, i: u32, addr: u32) -> u32 {
        match self {
            Pattern::Fives => 0x5555_5555,
            Pattern::As => 0xAAAA_AAAA,
            Pattern::WalkingOnes => 1 << (i % 32),
            Pattern::WalkingZeros => !(1 << (i % 32)),
            Pattern::AddressAsData => addr,
        }
    }
}

/// Write `p` over `w` (whose first word is at Epiphany address `base`).
fn fill(w: &Window, base: u32, p: Pattern) {
    for i in 0..(w.len() / 4) as u32 {
        w.store(i as usize * 4, p.word(i, base.wrapping_add(i * 4)));
    }
}

/// The first word of `w` that does not hold `p`: (address, expected, read).
fn first_mismatch(w: &Window, base: u32, p: Pattern) -> Option<(u32, u32, u32)> {
    (0..(w.len() / 4) as u32).find_map(|i| {
        let addr = base.wrapping_add(i * 4);
        let (want, got) = (p.word(i, addr), w.load(i as usize * 4));
        (want != got).then_some((addr, want, got))
    })
}

/// ILAT bits the register test raises and clears: masked after a reset
/// (IMASK = !SYNC), so an idle core does not take them.
const TEST_IRQS: u32 = irq::TIMER0 | irq::MESSAGE;

/// The interrupt bits IMASK implements (reference §3.4: ten IVT entries).
const IMASK_BITS: u32 = irq::ALL;

impl Device {
    /// The device as a whole: driver, chip, DRAM window.
    pub fn summary(&self) -> DeviceSummary {
        let driver = self.driver;
        let dram_file_offset = driver.dram_file_offset();
        DeviceSummary {
            path: self.path.clone(),
            backend: self.backend_kind(),
            driver,
            chip: self.chip,
            dram_file_offset,
            dram_epiphany_base: DRAM_BASE,
            dram_size: DRAM_SIZE,
        }
    }

    /// A core's registers, read without disturbing it: memory-mapped
    /// registers only, R0..R63 only if the core is halted (reference §4.3).
    pub fn core_registers(&self, core: CoreId) -> Result<CoreRegs, LoaderError> {
        self.check_core(core)?;
        let r = |reg| self.reg_read(core, reg);
        let debugstatus = r(reg::DEBUGSTATUS);
        let general = (debugstatus & debugstatus::HALT != 0)
            .then(|| (0..64).map(|i| self.reg_read(core, REG_PAGE_OFFSET + i * 4)).collect());
        Ok(CoreRegs {
            core,
            mesh_id: self.chip.mesh_id(core).0,
            coreid: r(reg::COREID),
            config: r(reg::CONFIG),
            status: r(reg::STATUS),
            pc: r(reg::PC),
            debugstatus,
            lc: r(reg::LC),
            ls: r(reg::LS),
            le: r(reg::LE),
            iret: r(reg::IRET),
            imask: r(reg::IMASK),
            ilat: r(reg::ILAT),
            ipend: r(reg::IPEND),
            ctimer0: r(reg::CTIMER0),
            ctimer1: r(reg::CTIMER1),
            dma0_status: r(reg::DMA0_STATUS),
            dma1_status: r(reg::DMA1_STATUS),
            memstatus: r(reg::MEMSTATUS),
            memprotect: r(reg::MEMPROTECT),
            meshconfig: r(reg::MESHCONFIG),
            general,
        })
    }

    /// A core's mailbox words (reads only).
    pub fn mailbox_state(&self, core: CoreId) -> Result<MailboxState, LoaderError> {
        self.check_core(core)?;
        let slot = self.cmd_slot(core);
        let st = self.status_block(core);
        let c = |off: u32| slot.load(off as usize);
        let s = |off: u32| st.load(off as usize);
        Ok(MailboxState {
            command: vec![
                ("SEQ", c(cmd::SEQ)),
                ("KIND", c(cmd::KIND)),
                ("LAUNCH", c(cmd::LAUNCH)),
                ("GROUP_SIZE", c(cmd::GROUP_SIZE)),
                ("GROUP_MASK_LO", c(cmd::GROUP_MASK_LO)),
                ("GROUP_MASK_HI", c(cmd::GROUP_MASK_HI)),
                ("ARG0", c(cmd::ARG0)),
                ("ARG1", c(cmd::ARG1)),
                ("ARG2", c(cmd::ARG2)),
                ("ARG3", c(cmd::ARG3)),
                ("EVENT_ACK", c(cmd::EVENT_ACK)),
                ("CANCEL", c(cmd::CANCEL)),
                ("BOOT_NONCE", c(cmd::BOOT_NONCE)),
                ("IMAGE_TAG_LO", c(cmd::IMAGE_TAG_LO)),
                ("IMAGE_TAG_HI", c(cmd::IMAGE_TAG_HI)),
                ("IMAGE_EPOCH", c(cmd::IMAGE_EPOCH)),
            ],
            status: vec![
                ("MAGIC", s(status::MAGIC)),
                ("PROTOCOL", s(status::PROTOCOL)),
                ("BUILD_ID", s(status::BUILD_ID)),
                ("BOOT_NONCE", s(status::BOOT_NONCE)),
                ("STATE", s(status::STATE)),
                ("REPLY_SEQ", s(status::REPLY_SEQ)),
                ("EVENT_HEAD", s(status::EVENT_HEAD)),
                ("WAITING", s(status::WAITING)),
                ("FAULT", s(status::FAULT)),
                ("FAULT_DETAIL", s(status::FAULT_DETAIL)),
                ("LAUNCH", s(status::LAUNCH)),
                ("LINE", s(status::LINE)),
                ("IMAGE_LOADS", s(status::IMAGE_LOADS)),
            ],
            event_head: s(status::EVENT_HEAD),
            event_ack: c(cmd::EVENT_ACK),
        })
    }

    /// Soft-reset one core (reference §3.1C, reset.rs): it is left idle, waiting for
    /// SYNC, with only SYNC unmasked. Its firmware (if any) is gone, so its
    /// DRAM status block is cleared too (as `boot` clears it before a start):
    /// `device info` then shows no stale firmware state.
    pub fn reset_core(&self, core: CoreId) -> Result<(), LoaderError> {
        self.check_core(core)?;
        self.booted[core.0 as usize].store(false, Ordering::SeqCst);
        self.soft_reset(core)?;
        // The core runs nothing now, so the block is ours to clear.
        self.status_block(core).zero(0, CORE_STATUS_SIZE as usize);
        Ok(())
    }

    /// Self-test one core (see the module docs). Always ends with a soft
    /// reset, so the core is left reset whatever happened.
    pub fn selftest_core(&self, core: CoreId) -> CoreSelftest {
        let mut passed = Vec::new();
        let mut failure = self.check_core(core).err().map(|e| fail("core", None, e.to_string()));
        if failure.is_none() {
            failure = self.selftest_steps(core, &mut passed).err();
            // Leave the core reset, also after a failure.
            if let Err(e) = self.reset_core(core) {
                if failure.is_none() {
                    failure = Some(fail("final reset", None, e.to_string()));
                }
            } else if failure.is_none() {
                passed.push("final reset".into());
            }
        }
        CoreSelftest { core, passed, failure }
    }

    fn selftest_steps(&self, core: CoreId, passed: &mut Vec<String>) -> Result<(), SelftestFailure> {
        self.reset_core(core).map_err(|e| fail("reset", None, e.to_string()))?;
        passed.push("reset".into());

        let sram = self.sram(core);
        let sram_base = self.chip.sram_base(core).0;
        for p in Pattern::SRAM {
            let step = format!("SRAM {}", p.name());
            fill(&sram, sram_base, p);
            self.halt_core(core).map_err(|d| fail(&step, None, d))?;
            let bad = first_mismatch(&sram, sram_base, p);
            self.resume_core(core).map_err(|d| fail(&step, None, d))?;
            if let Some((addr, want, got)) = bad {
                return Err(fail(&step, Some(addr), format!("wrote {want:#010x}, read {got:#010x}")));
            }
            passed.push(step);
        }
        sram.zero(0, SRAM_SIZE as usize);
        passed.push("halt/resume".into());

        self.register_test(core)?;
        passed.push("registers".into());

        let dram_offset = layout::core_area(self.chip, core).0 + CORE_INBOX;
        let dram = self.inbox(core);
        let dram_base = DRAM_BASE + dram_offset;
        for p in Pattern::DRAM {
            let step = format!("DRAM {}", p.name());
            fill(&dram, dram_base, p);
            if let Some((addr, want, got)) = first_mismatch(&dram, dram_base, p) {
                return Err(fail(&step, Some(addr), format!("wrote {want:#010x}, read {got:#010x}")));
            }
            passed.push(step);
        }
        dram.zero(0, CORE_INBOX_SIZE as usize);

        // ISA mode has no firmware to boot yet (LoaderError::NoEpiphanyFirmware).
        if self.summary().driver.is_simulator() && self.core_model != Some(shared_protocol::sim::CoreModel::Isa) {
            self.boot(&[core]).map_err(|e| fail("boot firmware", None, e.to_string()))?;
            passed.push("boot firmware".into());
            let word = 0xEC40_0000 | core.0;
            let got = self.echo(core, word).map_err(|e| fail("mailbox echo", None, e.to_string()))?;
            if got != word {
                return Err(fail("mailbox echo", None, format!("sent {word:#010x}, the core echoed {got:#010x}")));
            }
            passed.push("mailbox echo".into());
        }
        Ok(())
    }

    /// IMASK write/read, then ILAT through its write-1-to-set and
    /// write-1-to-clear ports (reference §1.3).
    fn register_test(&self, core: CoreId) -> Result<(), SelftestFailure> {
        let imask_at = self.chip.regs_base(core).0 - REG_PAGE_OFFSET + reg::IMASK;
        let saved = self.reg_read(core, reg::IMASK);
        for v in [0x155, 0x2AA, IMASK_BITS, 0] {
            self.reg_write(core, reg::IMASK, v);
            let got = self.reg_read(core, reg::IMASK) & IMASK_BITS;
            if got != v {
                self.reg_write(core, reg::IMASK, saved);
                return Err(fail("register IMASK", Some(imask_at), format!("wrote {v:#05x}, read {got:#05x}")));
            }
        }
        self.reg_write(core, reg::IMASK, saved);
        if saved & TEST_IRQS != TEST_IRQS {
            return Err(fail("register ILAT", None, format!("IMASK {saved:#x} does not mask the test interrupts after a reset")));
        }
        let ilat_at = self.chip.regs_base(core).0 - REG_PAGE_OFFSET + reg::ILAT;
        self.reg_write(core, reg::ILATST, TEST_IRQS);
        self.notify(core);
        self.wait_for(self.timeouts.reset_step, || self.reg_read(core, reg::ILAT) & TEST_IRQS == TEST_IRQS)
            .map_err(|t| fail("register ILATST", Some(ilat_at), format!("ILAT {:#05x} lacks {TEST_IRQS:#05x} after {t:?}", self.reg_read(core, reg::ILAT))))?;
        self.reg_write(core, reg::ILATCL, TEST_IRQS);
        self.notify(core);
        self.wait_for(self.timeouts.reset_step, || self.reg_read(core, reg::ILAT) & TEST_IRQS == 0)
            .map_err(|t| fail("register ILATCL", Some(ilat_at), format!("ILAT {:#05x} still has {TEST_IRQS:#05x} after {t:?}", self.reg_read(core, reg::ILAT))))?;
        Ok(())
    }

    /// DEBUGCMD = 1, then wait for DEBUGSTATUS.HALT (reference §3.3 e_halt).
    fn halt_core(&self, core: CoreId) -> Result<(), String> {
        self.reg_write(core, reg::DEBUGCMD, debugcmd::HALT);
        self.notify(core);
        self.wait_for(self.timeouts.reset_step, || self.reg_read(core, reg::DEBUGSTATUS) & debugstatus::HALT != 0)
            .map_err(|t| format!("halt: DEBUGSTATUS.HALT still clear {t:?} after DEBUGCMD=1"))
    }

    /// DEBUGCMD = 0, then wait for DEBUGSTATUS.HALT to clear (e_resume).
    fn resume_core(&self, core: CoreId) -> Result<(), String> {
        self.reg_write(core, reg::DEBUGCMD, debugcmd::RUN);
        self.notify(core);
        self.wait_for(self.timeouts.reset_step, || self.reg_read(core, reg::DEBUGSTATUS) & debugstatus::HALT == 0)
            .map_err(|t| format!("resume: DEBUGSTATUS.HALT still set {t:?} after DEBUGCMD=0"))
    }

    /// Poll `cond` (sleeping 10 µs growing to 1 ms) for at most `timeout`;
    /// Err(timeout) if it never held.
    fn wait_for(&self, timeout: Duration, cond: impl Fn() -> bool) -> Result<(), Duration> {
        let deadline = deadline_after(timeout);
        let mut pause = Duration::from_micros(10);
        loop {
            if cond() {
                return Ok(());
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(timeout);
            }
            std::thread::sleep(pause.min(deadline - now));
            pause = (pause * 2).min(Duration::from_millis(1));
        }
    }
}

fn fail(step: &str, address: Option<u32>, detail: String) -> SelftestFailure {
    SelftestFailure { step: step.to_owned(), address, detail }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mem::tests::Heap;

    #[test]
    fn patterns_write_and_check_and_name_the_first_bad_address() {
        let heap = Heap::new(256);
        let w = heap.window();
        for p in Pattern::SRAM {
            fill(&w, 0x8080_0000, p);
            assert_eq!(first_mismatch(&w, 0x8080_0000, p), None, "{}", p.name());
        }
        fill(&w, 0x8080_0000, Pattern::Fives);
        w.store(0x40, 0x5555_5554);
        assert_eq!(first_mismatch(&w, 0x8080_0000, Pattern::Fives), Some((0x8080_0040, 0x5555_5555, 0x5555_5554)));
        // Walking ones covers every bit position.
        assert_eq!((0..32).fold(0, |m, i| m | Pattern::WalkingOnes.word(i, 0)), u32::MAX);
    }

    #[test]
    fn a_failure_reads_as_step_address_detail() {
        let f = fail("SRAM 0x55555555", Some(0x8080_4000), "wrote 0x55555555, read 0x55555554".into());
        assert_eq!(f.to_string(), "SRAM 0x55555555 at 0x80804000: wrote 0x55555555, read 0x55555554");
    }
}

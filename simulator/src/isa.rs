//! ISA mode: each core runs Epiphany machine code on the instruction-set
//! simulator (the `iss` crate) instead of the firmware as a host thread.
//!
//! The core's SRAM is its mapping of the device file, and everything else it
//! reaches (other cores' SRAM and registers, the DRAM window) is the same
//! file, through [`DeviceMesh`]. The register page is the one a loader reads
//! and writes: between slices of execution the core thread applies what the
//! host wrote there and publishes the core's registers (PC and STATUS among
//! them, so they stay current while the core runs). Each published word
//! remembers the value last published; a word that differs from it was
//! written by someone else and is applied to the core first, and a publish
//! is a compare-and-swap from that value, so a host write racing a publish
//! is never overwritten. The general registers are exchanged only while the
//! core is stopped (halted, idle or in reset): the reference forbids reading
//! them from a running core.
//!
//! A core that halts by itself (`trap`, `bkpt`, a fault) writes DEBUGCMD =
//! HALT, so the host's resume (DEBUGCMD = 0) is a change the thread sees.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use iss::{Core, Fault, Mesh, SharedMem, Size, Stop};
use shared_protocol::chip::{self, debugcmd, reg, DRAM_BASE, DRAM_SIZE, REG_PAGE_OFFSET, REG_PAGE_SIZE, SRAM_SIZE};
use shared_protocol::sim::{info, isa_fault, MESH_WAKE};
use shared_protocol::{Chip, CoreId, MeshCoreId};

use crate::device::Device;
use crate::regs::{Backoff, Regs};

/// Instructions a core runs between looks at its register page: a host's
/// halt or interrupt waits at most this long (~0.2 ms) while a core runs.
const SLICE: u64 = 20_000;

/// The register words the core and the host exchange at every look (besides
/// the write-only ports ILATST/ILATCL/FSTATUS and the levels DEBUGCMD and
/// RESETCORE, handled on their own).
const SYNCED: &[u32] = &[
    reg::CONFIG,
    reg::STATUS,
    reg::PC,
    reg::DEBUGSTATUS,
    reg::LC,
    reg::LS,
    reg::LE,
    reg::IRET,
    reg::IMASK,
    reg::ILAT,
    reg::IPEND,
    reg::CTIMER0,
    reg::CTIMER1,
    reg::MEMSTATUS,
    reg::MEMPROTECT,
    reg::MESHCONFIG,
    reg::MULTICAST,
];

fn word_index(addr: u32) -> usize {
    ((addr - REG_PAGE_OFFSET) / 4) as usize
}

/// The last value this thread published in each word of its register page.
struct Published {
    words: Box<[u32]>,
}

impl Published {
    /// What the page holds now (COREID and the rest of the reset state).
    fn of(regs: Regs<'_>) -> Published {
        let n = (REG_PAGE_SIZE / 4) as usize;
        let words = (0..n).map(|i| regs.load(REG_PAGE_OFFSET + 4 * i as u32)).collect();
        Published { words }
    }

    /// Words the host changed since they were published are applied to the
    /// core; the write-1 ports (the host's in the register page, other
    /// cores' in the info page) are consumed.
    fn apply_host_writes(&mut self, core: &mut Core, device: &Device, id: CoreId, with_gprs: bool) {
        let regs = device.regs(id);
        let take = |w: &std::sync::atomic::AtomicU32| w.swap(0, Ordering::AcqRel);
        let cleared = take(regs.word(reg::ILATCL)) | take(device.info(info::MESH_ILATCL + 4 * id.0));
        if cleared != 0 {
            let _ = core.write_reg(reg::ILATCL, cleared);
        }
        let set = (take(regs.word(reg::ILATST)) & !MESH_WAKE) | take(device.info(info::MESH_ILATST + 4 * id.0));
        if set != 0 {
            core.raise(set);
        }
        let gprs = (0..64).map(|r| REG_PAGE_OFFSET + 4 * r).take(if with_gprs { 64 } else { 0 });
        for addr in SYNCED.iter().copied().chain(std::iter::once(reg::FSTATUS)).chain(gprs) {
            let v = regs.load(addr);
            let last = &mut self.words[word_index(addr)];
            if v != *last {
                *last = v;
                // A write that would start DMA is refused here as it is from
                // the core: the host's DMA abort writes zeros.
                let _ = core.write_reg(addr, v);
            }
        }
    }

    /// Publishes the core's registers (the general ones too when stopped).
    fn publish(&mut self, core: &Core, regs: Regs<'_>, with_gprs: bool) {
        let gprs = (0..64).map(|r| REG_PAGE_OFFSET + 4 * r).take(if with_gprs { 64 } else { 0 });
        for addr in SYNCED.iter().copied().chain(gprs) {
            let v = core.read_reg(addr);
            let last = &mut self.words[word_index(addr)];
            if v != *last && regs.word(addr).compare_exchange(*last, v, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                *last = v;
            }
        }
    }
}

/// The mesh as one core sees it: every core's SRAM and register page and
/// the DRAM window, all in the device file.
pub(crate) struct DeviceMesh {
    device: Arc<Device>,
    chip: Chip,
    srams: Vec<SharedMem>,
    dram: SharedMem,
}

enum Target {
    Sram(usize, u32),
    Regs(CoreId, u32),
    Dram(u32),
}

/// A core's SRAM mapping as the ISS's shared memory.
fn sram_view(device: &Device, core: CoreId) -> SharedMem {
    // SAFETY: the mapping is page aligned and SRAM_SIZE bytes long, lives as
    // long as the device (every holder of a view also holds the Arc<Device>,
    // and core threads are joined before the device drops), and is only
    // accessed atomically (design.md §8).
    unsafe { SharedMem::from_raw(device.sram(core).non_null(), SRAM_SIZE) }
}

impl DeviceMesh {
    pub(crate) fn new(device: Arc<Device>) -> DeviceMesh {
        let chip = device.chip();
        let srams = (0..chip.num_cores()).map(|n| sram_view(&device, CoreId(n))).collect();
        // SAFETY: as in sram_view, for the DRAM window's mapping.
        let dram = unsafe { SharedMem::from_raw(device.dram().non_null(), DRAM_SIZE) };
        DeviceMesh { device, chip, srams, dram }
    }

    fn target(&self, addr: u32) -> Option<Target> {
        if (DRAM_BASE..DRAM_BASE + DRAM_SIZE).contains(&addr) {
            return Some(Target::Dram(addr - DRAM_BASE));
        }
        let core = self.chip.core_of_mesh_id(MeshCoreId(addr >> chip::CORE_SLOT_SHIFT))?;
        let offset = addr & ((1 << chip::CORE_SLOT_SHIFT) - 1);
        if offset < SRAM_SIZE {
            Some(Target::Sram(core.0 as usize, offset))
        } else if (REG_PAGE_OFFSET..REG_PAGE_OFFSET + REG_PAGE_SIZE).contains(&offset) {
            Some(Target::Regs(core, offset))
        } else {
            None
        }
    }
}

impl Mesh for DeviceMesh {
    fn read(&mut self, addr: u32, size: Size) -> Option<u32> {
        match self.target(addr)? {
            Target::Sram(core, off) => self.srams[core].read(off, size),
            Target::Dram(off) => self.dram.read(off, size),
            Target::Regs(core, off) => {
                let word = self.device.regs(core).load(off & !3);
                Some(word >> (8 * (off & 3)) & ((1u64 << (8 * size.bytes())) - 1) as u32)
            }
        }
    }

    fn write(&mut self, addr: u32, size: Size, value: u32) -> bool {
        match self.target(addr) {
            Some(Target::Sram(core, off)) => self.srams[core].write(off, size, value),
            Some(Target::Dram(off)) => self.dram.write(off, size, value),
            Some(Target::Regs(core, off)) => {
                let regs = self.device.regs(core);
                let (word, shift) = (off & !3, 8 * (off & 3));
                let value = value << shift;
                match word {
                    // Write-1 ports: OR into the owner's info-page words, so
                    // no bit is lost to another writer before the owner
                    // consumes it (sim.rs MESH_ILATST, design.md §8).
                    reg::ILATST => {
                        self.device.info(info::MESH_ILATST + 4 * core.0).fetch_or(value, Ordering::AcqRel);
                    }
                    reg::ILATCL => {
                        self.device.info(info::MESH_ILATCL + 4 * core.0).fetch_or(value, Ordering::AcqRel);
                    }
                    _ => regs.store(word, value),
                }
                if word == reg::ILATST || word == reg::ILATCL {
                    regs.word(reg::ILATST).fetch_or(MESH_WAKE, Ordering::AcqRel);
                }
                regs.notify();
                true
            }
            None => false,
        }
    }

    fn testset(&mut self, addr: u32, size: Size, value: u32) -> Option<u32> {
        match self.target(addr)? {
            Target::Sram(core, off) => self.srams[core].testset(off, size, value),
            Target::Dram(off) => self.dram.testset(off, size, value),
            Target::Regs(..) => None,
        }
    }

    fn is_external(&self, addr: u32) -> bool {
        (DRAM_BASE..DRAM_BASE + DRAM_SIZE).contains(&addr)
    }
}

/// Records why the core stopped (info page ISA_FAULTS), then stops it as
/// the chip stops on an exception: EXCAUSE set, the software exception (or
/// the memory fault) pending, halted.
fn stop_on_fault(core: &mut Core, device: &Device, id: CoreId, fault: Fault) {
    use iss::ExCause;
    let (kind, addr, excause) = match fault {
        Fault::FetchUnmapped { pc } => (isa_fault::FETCH_UNMAPPED, pc, Some(ExCause::Illegal)),
        Fault::FetchRegisterPage { pc } => (isa_fault::FETCH_REGISTER_PAGE, pc, Some(ExCause::Illegal)),
        Fault::Unmapped { addr, .. } => (isa_fault::UNMAPPED, addr, None),
        Fault::Exception { pc, cause } => (isa_fault::EXCEPTION, pc, Some(cause)),
        Fault::DmaNotModelled { pc } => (isa_fault::DMA, pc, Some(ExCause::Unimplemented)),
        Fault::SimulatorBug { pc } => (isa_fault::SIMULATOR_BUG, pc, None),
    };
    let record = info::ISA_FAULTS + 8 * id.0;
    device.info(record + 4).store(addr, Ordering::Release);
    device.info(record).store(kind, Ordering::Release);
    match excause {
        Some(cause) => {
            core.set_excause(cause);
            core.ipend |= 1 << iss::irq::SWE;
        }
        None => core.ipend |= 1 << iss::irq::MEM_FAULT,
    }
    core.halt();
}

/// A core's profile as `address instructions cycles` lines (hex address).
fn write_profile(dir: &std::path::Path, id: CoreId, profile: &iss::Profile) {
    use std::fmt::Write;
    if profile.by_pc.is_empty() {
        return;
    }
    let mut text = String::new();
    for (pc, (n, cycles)) in &profile.by_pc {
        let _ = writeln!(text, "{pc:08x}\t{n}\t{cycles}");
    }
    // A profile that cannot be written is lost, not a reason to fail.
    let _ = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(dir.join(format!("core-{}.tsv", id.0)), text));
}

/// The core's counters into its info-page record (sim.rs `ISA_COUNTERS`).
fn publish_counters(core: &Core, device: &Device, id: CoreId) {
    use shared_protocol::sim::isa_counter::*;
    let record = info::ISA_COUNTERS + isa_counter_record(id);
    for (at, value) in [(CYCLES_LO, core.cycles), (INSTRUCTIONS_LO, core.instructions), (DRAM_FETCHES_LO, core.dram_fetches)] {
        device.info(record + at).store(value as u32, Ordering::Relaxed);
        device.info(record + at + 4).store((value >> 32) as u32, Ordering::Release);
    }
}

fn isa_counter_record(id: CoreId) -> u32 {
    shared_protocol::sim::isa_counter::RECORD * id.0
}

fn clear_fault_record(device: &Device, id: CoreId) {
    device.info(info::ISA_FAULTS + 8 * id.0).store(isa_fault::NONE, Ordering::Release);
}

/// The core thread's body in ISA mode: returns when the simulator shuts down.
pub(crate) fn run_isa_core(device: Arc<Device>, id: CoreId) {
    let regs = device.regs(id);
    let mut core = Core::new(device.chip().mesh_id(id).0, sram_view(&device, id));
    let mut mesh = DeviceMesh::new(Arc::clone(&device));
    let mut published = Published::of(regs);
    let mut backoff = Backoff::new();
    let mut in_reset = false;
    // EPYTHON_ISS_PROFILE=DIR: each core writes DIR/core-N.tsv (instruction
    // address, instructions, cycles) when the simulator stops;
    // tools/iss-profile.py names the functions.
    let profile_dir = std::env::var_os("EPYTHON_ISS_PROFILE").map(std::path::PathBuf::from);
    if profile_dir.is_some() {
        core.start_profile();
    }
    loop {
        if device.shutting_down() {
            if let (Some(dir), Some(profile)) = (&profile_dir, core.profile()) {
                write_profile(dir, id, profile);
            }
            return;
        }
        device.heartbeat();
        // RESETCORE is a level: the core stays in reset while it reads 1.
        if regs.load(reg::RESETCORE) != 0 {
            regs.discard_interrupt_writes();
            if !in_reset {
                core.reset();
                clear_fault_record(&device, id);
                published.publish(&core, regs, true);
                device.ring_doorbell();
                in_reset = true;
            }
            backoff.sleep(regs);
            continue;
        }
        in_reset = false;
        // DEBUGCMD first: a host writes it last, so what it wrote before is
        // visible to the loads that follow.
        let halt_command = regs.load(reg::DEBUGCMD) & 3 == debugcmd::HALT;
        let stopped = core.halted() || !core.active();
        published.apply_host_writes(&mut core, &device, id, stopped);
        device.apply_sram_fault(id);
        let mut changed = false;
        if halt_command && !core.halted() {
            core.halt();
            changed = true;
        } else if !halt_command && core.halted() {
            core.resume();
            clear_fault_record(&device, id);
            changed = true;
        }
        let mut running = false;
        if !core.halted() && (core.active() || core.can_wake()) {
            // A bug in the ISS must not kill this thread (the core would stop
            // answering) or the process: the core stops on a fault instead.
            let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| core.run(&mut mesh, SLICE)));
            match ran.unwrap_or(Stop::Fault(Fault::SimulatorBug { pc: core.pc })) {
                Stop::Budget => running = true,
                // It went to sleep (it was running: run returns at once
                // only for a core that was asleep and stays so).
                Stop::Idle => changed = true,
                Stop::Trap { .. } | Stop::Breakpoint => {
                    regs.store(reg::DEBUGCMD, debugcmd::HALT);
                    changed = true;
                }
                Stop::Fault(fault) => {
                    stop_on_fault(&mut core, &device, id, fault);
                    regs.store(reg::DEBUGCMD, debugcmd::HALT);
                    changed = true;
                }
            }
        }
        published.publish(&core, regs, core.halted() || !core.active());
        publish_counters(&core, &device, id);
        if changed {
            device.ring_doorbell();
        }
        if running || changed {
            backoff.reset();
        } else {
            backoff.sleep(regs);
        }
    }
}

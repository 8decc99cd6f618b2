//! The Epiphany [`Platform`] (wasm32 side) and the firmware's entry points.

use core::ptr::with_exposed_provenance_mut;
use core::sync::atomic::{AtomicU32, Ordering};

use firmware::{Platform, Wake};
use shared_protocol::chip::{irq, reg, CORE_SLOT_SHIFT, DRAM_BASE};
use shared_protocol::layout::{core_area, ARENA_END, ARENA_START, CORE_STATUS, EPIPHANY_C_STACK_START, EPIPHANY_SHADOW_STACK_START};
use shared_protocol::mailbox::{status, CoreState, Fault};
use shared_protocol::{Chip, CoreId, MeshCoreId};

/// The Parallella's chip. (The loader checks the firmware's view of the
/// chip at boot: the status block reports the core it booted as.)
const CHIP: Chip = Chip::E16;

/// Cycles per second of CTIMER0 in clock mode: the Parallella's Epiphany
/// clock (600 MHz is the common setting; the ISS counts model cycles).
const CLOCK_HZ: u32 = 600_000_000;

// What the chip has and wasm has not: the C glue (c/platform.c).
#[link(wasm_import_module = "epiphany")]
unsafe extern "C" {
    /// Sleep in `idle` until the USER interrupt, unless one came since the
    /// last call (so a doorbell rung while the firmware was looking at its
    /// mailbox is never lost).
    fn wait_for_user_interrupt();
    /// Stop this core for good (interrupts off, `idle` forever): the host
    /// reads the status block and reloads the core.
    fn halt() -> !;
}

/// A word of memory at an Epiphany address (wasm address = chip address).
fn word(addr: u32) -> &'static AtomicU32 {
    // SAFETY: `addr` is a word-aligned address of this core's register page
    // or SRAM, or of the DRAM window, all of which exist for the firmware's
    // life; shared words are only accessed atomically (design.md §8).
    unsafe { AtomicU32::from_ptr(with_exposed_provenance_mut::<u32>(addr as usize)) }
}

/// This core's mesh id (its COREID register).
fn mesh_id() -> MeshCoreId {
    MeshCoreId(word(reg::COREID).load(Ordering::Relaxed))
}

/// One Epiphany core.
pub struct Epiphany {
    core: CoreId,
    mesh: MeshCoreId,
}

impl Epiphany {
    fn boot() -> Option<Epiphany> {
        let mesh = mesh_id();
        let core = CHIP.core_of_mesh_id(mesh)?;
        // CTIMER0 counts clock cycles down from the top (CONFIG[7:4] = 1).
        word(reg::CTIMER0).store(u32::MAX, Ordering::Relaxed);
        let config = word(reg::CONFIG).load(Ordering::Relaxed);
        word(reg::CONFIG).store((config & !0xF0) | 0x10, Ordering::Relaxed);
        Some(Epiphany { core, mesh })
    }
}

impl Platform for Epiphany {
    fn core(&self) -> CoreId {
        self.core
    }

    /// The C stack's and the Rust shadow stack's lowest words: a C stack
    /// that outgrew its region is writing the shadow stack's top, and a
    /// shadow stack that outgrew its own, the resident data below it.
    fn stack_ends(&self) -> &'static [u32] {
        &[EPIPHANY_C_STACK_START, EPIPHANY_SHADOW_STACK_START]
    }

    fn chip(&self) -> Chip {
        CHIP
    }

    fn sram(&self) -> *mut u8 {
        // The global alias of local address 0: the null pointer is not an
        // address Rust lets us offset from.
        with_exposed_provenance_mut((self.mesh.0 << CORE_SLOT_SHIFT) as usize)
    }

    fn dram(&self) -> *mut u8 {
        with_exposed_provenance_mut(DRAM_BASE as usize)
    }

    fn remote_sram(&self, core: CoreId) -> *mut u8 {
        with_exposed_provenance_mut(CHIP.sram_base(core).0 as usize)
    }

    fn arena(&mut self) -> &'static mut [u8] {
        // SAFETY: ARENA_START..ARENA_END of this core's SRAM belongs to the
        // VM alone (the layout table; nothing the build emits lands there),
        // and `arena` is called once at boot.
        unsafe {
            core::slice::from_raw_parts_mut(
                with_exposed_provenance_mut(ARENA_START as usize),
                (ARENA_END - ARENA_START) as usize,
            )
        }
    }

    fn wait_for_interrupt(&mut self) -> Wake {
        // SAFETY: an import of the C glue; it only sleeps.
        unsafe { wait_for_user_interrupt() };
        Wake::Interrupt
    }

    fn raise_user_interrupt(&self, core: CoreId) {
        // ILATST of that core, through the mesh (reference §1.3).
        word(CHIP.regs_base(core).0 - shared_protocol::chip::REG_PAGE_OFFSET + reg::ILATST).store(irq::USER, Ordering::Release);
    }

    fn notify_host(&self) {}

    fn halt_requested(&mut self) -> bool {
        // The host halts the chip's cores itself (DEBUGCMD); nothing to poll.
        false
    }

    fn cycles(&self) -> u32 {
        !word(reg::CTIMER0).load(Ordering::Relaxed)
    }

    fn cycles_per_second(&self) -> u32 {
        CLOCK_HZ
    }
}

/// Records a fault in this core's status block (FAULT, FAULT_DETAIL, then
/// STATE last: the host reads STATE first) and stops the core.
fn stop_on_fault(fault: Fault, detail: u32) -> ! {
    if let Some(core) = CHIP.core_of_mesh_id(mesh_id()) {
        let block = DRAM_BASE + core_area(CHIP, core).0 + CORE_STATUS;
        word(block + status::FAULT).store(fault as u32, Ordering::Release);
        word(block + status::FAULT_DETAIL).store(detail, Ordering::Release);
        word(block + status::STATE).store(CoreState::Fault as u32, Ordering::Release);
    }
    // SAFETY: an import of the C glue; it never returns.
    unsafe { halt() }
}

/// The firmware's entry, called by the start-up code once the core runs.
#[unsafe(no_mangle)]
pub extern "C" fn epython_main() {
    match Epiphany::boot() {
        Some(mut chip) => firmware::run(&mut chip),
        None => stop_on_fault(Fault::Panic, 0xC0DE_0000 | mesh_id().0),
    }
    // SAFETY: as in stop_on_fault.
    unsafe { halt() }
}

/// The start-up code's software-exception handler: an unaligned access, an
/// illegal or unimplemented instruction in the firmware. FAULT_DETAIL is
/// 0x8000_0000 | EXCAUSE << 24 | the address after the faulting instruction
/// (below 16 MB for SRAM; DRAM code addresses keep their low 24 bits).
#[unsafe(no_mangle)]
pub extern "C" fn epython_exception(excause: u32, iret: u32) {
    stop_on_fault(Fault::Panic, 0x8000_0000 | (excause & 0x7F) << 24 | (iret & 0x00FF_FFFF))
}

/// A fault found by the C glue (a wasm trap, a runtime limit): FAULT_DETAIL
/// is its code (firmware-epiphany/c/epiphany-glue.h).
#[unsafe(no_mangle)]
pub extern "C" fn epython_fault(detail: u32) {
    stop_on_fault(Fault::Panic, detail)
}

/// A firmware panic: no formatting (design.md §3). FAULT_DETAIL 0.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    stop_on_fault(Fault::Panic, 0)
}

//! Startup, the proxy `Platform`, the panic and fault handlers.
//!
//! No statics (design.md §8): the vector table and the firmware header are
//! assembler data, and every address comes from the linker layout or from
//! [`crate::board`].

use core::arch::{asm, global_asm};
use core::ptr::with_exposed_provenance_mut;
use core::sync::atomic::{AtomicU32, Ordering};

use firmware::{Platform, Wake};
use shared_protocol::layout::{ARENA_END, ARENA_START, CORE_STATUS, core_area};
use shared_protocol::mailbox::{CoreState, FIRMWARE_MAGIC, Fault, FirmwareKind, status};
use shared_protocol::{Chip, CoreId, PROTOCOL_VERSION};

use crate::board;

// The vector table fills the Epiphany IVT (10 words at 0x0; the linker script
// checks the size). The firmware header opens the code region at CODE_START
// (mailbox::firmware_header). Reset enables the FPU and the unaligned-access
// trap (the Epiphany faults on unaligned access), then enters Rust.
global_asm!(
    ".section .ivt, \"a\", %progbits",
    ".p2align 2",
    ".word __stack_top",  // initial SP: the layout's STACK_TOP
    ".word Reset",
    ".word CpuFault",     // NMI
    ".word CpuFault",     // HardFault
    ".word CpuFault",     // MemManage
    ".word CpuFault",     // BusFault
    ".word CpuFault",     // UsageFault
    ".word 0, 0, 0",      // reserved
    "",
    ".section .fw_header, \"a\", %progbits",
    ".p2align 2",
    ".word {magic}",
    ".word {protocol}",
    ".word {kind}",
    ".word {build_id}",
    ".word __image_len",
    // Reserved words of the header: where the cold code goes (offset in the
    // DRAM window's shared area) and its length (linker/README.md).
    ".word __dram_code_offset",
    ".word __dram_code_len",
    ".word 0",
    "",
    ".section .text.Reset, \"ax\", %progbits",
    ".global Reset",
    ".type Reset, %function",
    ".thumb_func",
    "Reset:",
    // CPACR: CP10 and CP11 full access (the FPU).
    "movw r0, #0xED88",
    "movt r0, #0xE000",
    "ldr r1, [r0]",
    "orr r1, r1, #0x00F00000",
    "str r1, [r0]",
    // CCR.UNALIGN_TRP: every unaligned LDR/STR/LDRH/STRH faults, as on the chip.
    "movw r0, #0xED14",
    "movt r0, #0xE000",
    "ldr r1, [r0]",
    "orr r1, r1, #8",
    "str r1, [r0]",
    "dsb",
    "isb",
    "bl epython_proxy_main",
    "b .",
    ".size Reset, . - Reset",
    "",
    ".section .text.CpuFault, \"ax\", %progbits",
    ".global CpuFault",
    ".type CpuFault, %function",
    ".thumb_func",
    "CpuFault:",
    "b epython_cpu_fault",
    ".size CpuFault, . - CpuFault",
    magic = const FIRMWARE_MAGIC,
    protocol = const PROTOCOL_VERSION,
    kind = const FirmwareKind::ThumbProxy as u32,
    build_id = const firmware::BUILD_ID,
);

/// A memory-mapped register of the Cortex-M system control space.
fn mmio(addr: u32) -> *mut u32 {
    with_exposed_provenance_mut(addr as usize)
}

const DEMCR: u32 = 0xE000_EDFC;
const DEMCR_TRCENA: u32 = 1 << 24;
const DWT_CTRL: u32 = 0xE000_1000;
const DWT_CYCCNT: u32 = 0xE000_1004;
const DWT_CTRL_NOCYCCNT: u32 = 1 << 25;
const SYST_CSR: u32 = 0xE000_E010;
const SYST_RVR: u32 = 0xE000_E014;
const SYST_CVR: u32 = 0xE000_E018;
/// The Configurable Fault Status Register (MemManage, BusFault, UsageFault bits).
const CFSR: u32 = 0xE000_ED28;

/// The proxy board seen as one Epiphany core (core 0 of an E16).
pub struct Proxy {
    /// DWT's cycle counter runs (real silicon); otherwise SysTick (QEMU).
    cyccnt: bool,
}

impl Proxy {
    fn new() -> Proxy {
        // SAFETY: architectural registers of the Cortex-M4 system control
        // space; aligned word accesses; nothing else uses them.
        unsafe {
            // SysTick: free-running over 24 bits on the core clock, no interrupt.
            mmio(SYST_RVR).write_volatile(0x00FF_FFFF);
            mmio(SYST_CVR).write_volatile(0);
            mmio(SYST_CSR).write_volatile(0b101);
            // DWT CYCCNT, where it exists (QEMU does not model it: reads 0).
            mmio(DEMCR).write_volatile(mmio(DEMCR).read_volatile() | DEMCR_TRCENA);
            let ctrl = mmio(DWT_CTRL).read_volatile();
            let mut cyccnt = false;
            if ctrl & DWT_CTRL_NOCYCCNT == 0 {
                mmio(DWT_CYCCNT).write_volatile(0);
                mmio(DWT_CTRL).write_volatile(ctrl | 1);
                cyccnt = mmio(DWT_CYCCNT).read_volatile() != 0;
            }
            Proxy { cyccnt }
        }
    }
}

impl Platform for Proxy {
    fn core(&self) -> CoreId {
        board::CORE
    }

    fn chip(&self) -> Chip {
        board::CHIP
    }

    fn sram(&self) -> *mut u8 {
        with_exposed_provenance_mut(board::SRAM_ALIAS as usize)
    }

    fn dram(&self) -> *mut u8 {
        with_exposed_provenance_mut(board::DRAM_BASE as usize)
    }

    fn remote_sram(&self, core: CoreId) -> *mut u8 {
        if core == board::CORE {
            self.sram()
        } else {
            // The board has one core: another core's mesh address is
            // unmapped here, so a stray write faults (and is reported)
            // instead of landing in our own SRAM.
            with_exposed_provenance_mut(board::CHIP.sram_base(core).0 as usize)
        }
    }

    fn arena(&mut self) -> &'static mut [u8] {
        // SAFETY: ARENA_START..ARENA_END of the core window is RAM that no
        // section and no other agent uses (linker/proxy.ld places nothing
        // there); `arena` is called once at boot.
        unsafe {
            core::slice::from_raw_parts_mut(
                with_exposed_provenance_mut((board::SRAM_BASE + ARENA_START) as usize),
                (ARENA_END - ARENA_START) as usize,
            )
        }
    }

    fn wait_for_interrupt(&mut self) -> Wake {
        // Nothing on the board raises USER: the host's doorbell is the
        // command slot itself, so waiting is polling it. Return at once and
        // let the service loop look at the slot again.
        Wake::Interrupt
    }

    fn raise_user_interrupt(&self, _core: CoreId) {}

    fn notify_host(&self) {}

    fn halt_requested(&mut self) -> bool {
        false
    }

    fn cycles(&self) -> u32 {
        // SAFETY: read-only accesses to architectural counters.
        unsafe {
            if self.cyccnt {
                mmio(DWT_CYCCNT).read_volatile()
            } else {
                // SysTick counts down over 24 bits.
                0x00FF_FFFF - mmio(SYST_CVR).read_volatile()
            }
        }
    }
}

#[unsafe(no_mangle)]
extern "C" fn epython_proxy_main() -> ! {
    let mut p = Proxy::new();
    firmware::run(&mut p);
    halt()
}

/// Stop for good: the core idles, the host reads the status block.
fn halt() -> ! {
    loop {
        // SAFETY: `wfi` only waits.
        unsafe { asm!("wfi", options(nomem, nostack, preserves_flags)) };
    }
}

/// Record a fault in core 0's status block (mailbox::status), state last.
fn record_fault(detail: u32) {
    let status_block = board::DRAM_BASE + core_area(board::CHIP, board::CORE).0 + CORE_STATUS;
    let word = |offset: u32| {
        // SAFETY: the status block is in the board's RAM (board.rs checks the
        // area fits), word aligned; the host only reads it.
        unsafe {
            AtomicU32::from_ptr(with_exposed_provenance_mut::<u32>(
                (status_block + offset) as usize,
            ))
        }
    };
    word(status::FAULT).store(Fault::Panic as u32, Ordering::Release);
    word(status::FAULT_DETAIL).store(detail, Ordering::Release);
    word(status::STATE).store(CoreState::Fault as u32, Ordering::Release);
}

/// A CPU fault (an unaligned access, a bus error, an undefined instruction):
/// FAULT_DETAIL = 0x8000_0000 | CFSR, which tells it from a panic (0 or a line).
#[unsafe(no_mangle)]
extern "C" fn epython_cpu_fault() -> ! {
    // SAFETY: reading an architectural status register.
    let cfsr = unsafe { mmio(CFSR).read_volatile() };
    record_fault(0x8000_0000 | cfsr);
    halt()
}

/// A firmware panic: no formatting. FAULT_DETAIL is 0, or with the
/// `panic-line` feature (debugging only) the panic's source line. The line
/// costs about 0.9 KB of the code budget: every panic site then keeps its
/// `Location` and the code that passes it, and core's integer formatting
/// stays linked; LTO removes all of it when the handler never looks.
#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    #[cfg(feature = "panic-line")]
    let detail = info.location().map_or(0, |l| l.line());
    #[cfg(not(feature = "panic-line"))]
    let detail = {
        let _ = info;
        0
    };
    record_fault(detail);
    halt()
}

//! One thread per simulated core (`epiphany-core-N`). It follows the core's
//! registers while no firmware runs (reset, halt, SYNC start), runs the
//! firmware when SYNC starts a core whose code region holds a known header,
//! and reports a firmware panic as a core fault.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use firmware::Platform;
use shared_protocol::chip::{debugcmd, debugstatus, irq, reg, status, SOFT_RESET_PC};
use shared_protocol::layout::{core_area, CODE_START, CORE_STATUS};
use shared_protocol::mailbox::{self, firmware_header, CoreState, Fault, FirmwareKind, FIRMWARE_MAGIC};
use shared_protocol::PROTOCOL_VERSION;

use crate::regs::Regs;
use crate::{Firmware, SimPlatform};

/// What a core is doing while no firmware instance runs on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Idle out of reset (or after a soft reset): waiting for SYNC.
    Ready,
    /// Halted by DEBUGCMD. `faulted`: it had stopped on a fault before.
    Halted { faulted: bool },
    /// Stopped on a fault (unknown firmware, firmware panic): halted, with
    /// the exception pending (IPEND.SWE), until RESETCORE or a soft reset.
    Faulted,
    /// RESETCORE reads 1.
    InReset,
}

/// The core thread's body: returns when the simulator shuts down.
pub(crate) fn run_core(mut platform: SimPlatform, firmware: Firmware) {
    let device = Arc::clone(platform.device());
    let core = platform.core();
    let regs = device.regs(core);
    let mut mode = Mode::Ready;
    loop {
        if device.shutting_down() {
            return;
        }
        device.heartbeat();
        // RESETCORE is a level: the core stays in reset while it reads 1 (reference §7).
        if regs.load(reg::RESETCORE) != 0 {
            regs.discard_interrupt_writes();
            if mode != Mode::InReset {
                enter_reset(regs);
                device.ring_doorbell();
                mode = Mode::InReset;
            }
            platform.backoff.sleep(regs);
            continue;
        }
        let mut active = regs.consume_interrupt_writes();
        let halt_command = regs.load(reg::DEBUGCMD) & 3 == debugcmd::HALT;
        // The test hook: after reading DEBUGCMD (so a pattern written before
        // the halt is seen), before answering it (so the host reads the fault).
        device.apply_sram_fault(core);
        let next = match mode {
            Mode::InReset => Mode::Ready,
            Mode::Ready | Mode::Faulted if halt_command => {
                regs.clear_bits(reg::STATUS, status::ACTIVE);
                regs.set_bits(reg::DEBUGSTATUS, debugstatus::HALT);
                device.ring_doorbell();
                Mode::Halted { faulted: mode == Mode::Faulted }
            }
            // A loader soft-resetting a core that already reads HALT does not
            // write DEBUGCMD = 1 (reference §3.1C step 1), so a faulted core
            // takes PC = SOFT_RESET_PC alone as the soft reset. The loader
            // waits for IPEND = 0 (step 11), which only go_idle gives it.
            Mode::Faulted if !halt_command && regs.load(reg::PC) == SOFT_RESET_PC => {
                go_idle(regs);
                device.ring_doorbell();
                Mode::Ready
            }
            Mode::Halted { faulted } if !halt_command => {
                let next = if regs.load(reg::PC) == SOFT_RESET_PC {
                    go_idle(regs);
                    Mode::Ready
                } else if faulted {
                    Mode::Faulted
                } else {
                    regs.clear_bits(reg::DEBUGSTATUS, debugstatus::HALT);
                    Mode::Ready
                };
                device.ring_doorbell();
                next
            }
            // SYNC starts a core that is idle with SYNC unmasked (reference §3.3, §7).
            Mode::Ready if regs.load(reg::ILAT) & irq::SYNC != 0 && regs.load(reg::IMASK) & irq::SYNC == 0 => {
                regs.clear_bits(reg::ILAT, irq::SYNC);
                start(&mut platform, regs, firmware)
            }
            unchanged => unchanged,
        };
        if next != mode {
            mode = next;
            active = true;
        }
        if active {
            platform.backoff.reset();
        } else {
            platform.backoff.sleep(regs);
        }
    }
}

/// Check the firmware header and run the firmware until it stops; returns
/// the mode the core is left in.
fn start(platform: &mut SimPlatform, regs: Regs<'_>, firmware: Firmware) -> Mode {
    let device = Arc::clone(platform.device());
    if !knows_firmware(platform) {
        // An unknown image: the core stops as on an illegal instruction.
        regs.store(reg::STATUS, status::EXCAUSE_ILLEGAL << status::EXCAUSE_SHIFT);
        stop_on_fault(regs);
        device.ring_doorbell();
        return Mode::Faulted;
    }
    regs.store(reg::STATUS, status::ACTIVE);
    platform.begin_run();
    // A firmware bug must not kill the process or another core (design.md §8).
    let outcome = catch_unwind(AssertUnwindSafe(|| firmware(platform)));
    let next = match outcome {
        Err(_) => {
            report_panic(platform);
            regs.clear_bits(reg::STATUS, status::ACTIVE);
            stop_on_fault(regs);
            Mode::Faulted
        }
        Ok(()) => match platform.stop.take() {
            Some(crate::platform::Stop::SoftReset) => {
                go_idle(regs);
                Mode::Ready
            }
            Some(crate::platform::Stop::Reset) => {
                enter_reset(regs);
                Mode::InReset
            }
            // The firmware returned by itself: the core is idle again.
            None => {
                regs.clear_bits(reg::STATUS, status::ACTIVE);
                Mode::Ready
            }
        },
    };
    device.ring_doorbell();
    next
}

/// The header at CODE_START must name this protocol and the native firmware
/// (mailbox.rs `firmware_header`).
fn knows_firmware(platform: &SimPlatform) -> bool {
    let sram = platform.device().sram(platform.core());
    let word = |offset: u32| sram.word(CODE_START + offset).load(Ordering::Acquire);
    word(firmware_header::MAGIC) == FIRMWARE_MAGIC
        && word(firmware_header::PROTOCOL) == PROTOCOL_VERSION
        && word(firmware_header::KIND) == FirmwareKind::NativeSimulated as u32
}

/// What the chip's panic handler will do: FAULT, then STATE last, in the
/// core's DRAM status block (the host reads STATE first).
fn report_panic(platform: &SimPlatform) {
    let status_block = core_area(platform.chip(), platform.core()).0 + CORE_STATUS;
    let dram = platform.device().dram();
    dram.word(status_block + mailbox::status::FAULT).store(Fault::Panic as u32, Ordering::Release);
    dram.word(status_block + mailbox::status::FAULT_DETAIL).store(0, Ordering::Release);
    dram.word(status_block + mailbox::status::STATE).store(CoreState::Fault as u32, Ordering::Release);
}

/// A faulted core is halted inside its exception: IPEND.SWE stays set until
/// a reset (the soft-reset payload exists to clear IPEND, reference §3.1C).
fn stop_on_fault(regs: Regs<'_>) {
    regs.store(reg::IPEND, irq::SWE);
    regs.set_bits(reg::DEBUGSTATUS, debugstatus::HALT);
}

/// The reset state (reference §7): idle, nothing latched or pending, not halted.
fn enter_reset(regs: Regs<'_>) {
    regs.store(reg::ILAT, 0);
    regs.store(reg::IPEND, 0);
    regs.store(reg::STATUS, 0);
    regs.store(reg::DEBUGSTATUS, 0);
}

/// Resumed at the soft-reset idle payload (reference §3.1C, §7): idle with
/// nothing latched or pending. HALT is cleared last: it is the loader's sign
/// that the core has gone idle and its SRAM may be reloaded.
fn go_idle(regs: Regs<'_>) {
    regs.store(reg::ILAT, 0);
    regs.store(reg::IPEND, 0);
    regs.store(reg::STATUS, 0);
    regs.clear_bits(reg::DEBUGSTATUS, debugstatus::HALT);
}

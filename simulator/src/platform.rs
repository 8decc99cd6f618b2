//! `SimPlatform`: the firmware's `Platform` for one simulated core, backed by
//! the mapped device file. One lives in each core thread and is reused by
//! every firmware instance that thread runs.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use firmware::{Platform, Wake};
use shared_protocol::chip::{debugcmd, debugstatus, irq, reg, SOFT_RESET_PC};
use shared_protocol::layout::{ARENA_SIZE, ARENA_START};
use shared_protocol::{sim, Chip, CoreId};

use crate::device::Device;
use crate::regs::Backoff;

/// Why the running firmware instance was told to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// RESETCORE reads 1 (or the simulator is shutting down).
    Reset,
    /// Resumed from a halt with PC at the soft-reset idle payload (reference §3.1C).
    SoftReset,
}

/// The firmware's `Platform` for one simulated core.
pub struct SimPlatform {
    core: CoreId,
    device: Arc<Device>,
    pub(crate) backoff: Backoff,
    /// The core is halted by DEBUGCMD while its firmware is alive.
    halted: bool,
    /// Set when a wait returned `Stop` (or a halt check returned true).
    pub(crate) stop: Option<Stop>,
    epoch: Instant,
    /// Halt checks since the last heartbeat: a core busy in the VM still
    /// shows the server alive, without an atomic write per check.
    checks_since_heartbeat: u32,
    /// A forced fault seen and not yet taken by the VM.
    forced: Option<firmware::ForcedFault>,
}

/// A busy core bumps the heartbeat once per this many halt checks.
const HALT_CHECKS_PER_HEARTBEAT: u32 = 1 << 16;
/// A busy core looks for a forced fault (sim.rs `info::FORCE_FAULT`) once
/// per this many halt checks, so the check costs the fast path nothing.
const HALT_CHECKS_PER_FAULT_LOOK: u32 = 1 << 8;

impl SimPlatform {
    pub(crate) fn new(core: CoreId, device: Arc<Device>) -> SimPlatform {
        SimPlatform { core, device, backoff: Backoff::new(), halted: false, stop: None, epoch: Instant::now(), checks_since_heartbeat: 0, forced: None }
    }

    pub(crate) fn device(&self) -> &Arc<Device> {
        &self.device
    }

    /// Ready a fresh firmware instance.
    pub(crate) fn begin_run(&mut self) {
        self.halted = false;
        self.stop = None;
        self.forced = None;
        self.backoff.reset();
    }

    /// The slow path of a halt check, for a live firmware: follow RESETCORE and
    /// DEBUGCMD (reference §1.3, §7). While halted, block here; a plain resume
    /// returns false and the firmware carries on where it was, as on the chip.
    /// True (with `self.stop` set) means the firmware must unwind now.
    fn must_stop(&mut self) -> bool {
        // Once told to stop, an instance stays stopped while it unwinds.
        if self.stop.is_some() {
            return true;
        }
        loop {
            let device = &*self.device;
            let regs = device.regs(self.core);
            if regs.load(reg::RESETCORE) != 0 {
                self.stop = Some(Stop::Reset);
                return true;
            }
            if regs.load(reg::DEBUGCMD) & 3 == debugcmd::HALT {
                if !self.halted {
                    // STATUS.ACTIVE stays 1: halting does not make a core idle.
                    // A loader resuming into the soft-reset payload waits for
                    // ACTIVE = 0 (reference §3.1C step 11), which must then
                    // come from us, after this instance has unwound.
                    self.halted = true;
                    regs.set_bits(reg::DEBUGSTATUS, debugstatus::HALT);
                    device.ring_doorbell();
                }
                device.heartbeat();
                // Interrupts still latch while halted.
                if regs.consume_interrupt_writes() {
                    self.backoff.reset();
                }
                self.backoff.sleep(regs);
                continue;
            }
            if self.halted {
                if regs.load(reg::PC) == SOFT_RESET_PC {
                    // The core thread clears HALT once this instance has
                    // unwound, so a loader never reloads SRAM under it.
                    self.stop = Some(Stop::SoftReset);
                    return true;
                }
                self.halted = false;
                regs.clear_bits(reg::DEBUGSTATUS, debugstatus::HALT);
                self.backoff.reset();
                device.ring_doorbell();
            }
            return false;
        }
    }
}

impl Platform for SimPlatform {
    fn core(&self) -> CoreId {
        self.core
    }

    fn chip(&self) -> Chip {
        self.device.chip()
    }

    fn sram(&self) -> *mut u8 {
        self.device.sram(self.core).ptr()
    }

    fn dram(&self) -> *mut u8 {
        self.device.dram().ptr()
    }

    fn remote_sram(&self, core: CoreId) -> *mut u8 {
        assert!(core.0 < self.chip().num_cores(), "remote_sram: core {} is not on this chip", core.0);
        self.device.sram(core).ptr()
    }

    fn arena(&mut self) -> &'static mut [u8] {
        // SAFETY: ARENA_START..ARENA_END lies inside this core's 32 KB SRAM
        // mapping, which only this core's firmware touches (design.md §2). The
        // mapping is owned by the `Device` this platform holds an `Arc` of, and
        // the simulator joins every core thread before dropping the device, so
        // the slice outlives every firmware instance that can use it. One
        // instance runs at a time per core, and each calls this once at boot.
        unsafe {
            let start = self.device.sram(self.core).ptr().add(ARENA_START as usize);
            std::slice::from_raw_parts_mut(start, ARENA_SIZE as usize)
        }
    }

    fn wait_for_interrupt(&mut self) -> Wake {
        loop {
            if self.must_stop() {
                return Wake::Stop;
            }
            let device = &*self.device;
            let regs = device.regs(self.core);
            if regs.consume_interrupt_writes() {
                self.backoff.reset();
            }
            device.heartbeat();
            if regs.load(reg::ILAT) & irq::USER != 0 {
                regs.clear_bits(reg::ILAT, irq::USER);
                self.backoff.reset();
                return Wake::Interrupt;
            }
            self.backoff.sleep(regs);
        }
    }

    fn raise_user_interrupt(&self, core: CoreId) {
        assert!(core.0 < self.chip().num_cores(), "raise_user_interrupt: core {} is not on this chip", core.0);
        self.device.regs(core).raise(irq::USER);
    }

    fn notify_host(&self) {
        self.device.ring_doorbell();
    }

    // Inlined into the VM's halt check: on the chip this is one register
    // read, so the simulator's fast path should cost little more.
    #[inline(always)]
    fn halt_requested(&mut self) -> bool {
        // The fast path, taken on every backward jump and call: two loads.
        let regs = self.device.regs(self.core);
        if regs.word(reg::DEBUGCMD).load(Ordering::Acquire) == 0 && regs.word(reg::RESETCORE).load(Ordering::Acquire) == 0 {
            self.checks_since_heartbeat += 1;
            if self.checks_since_heartbeat.is_multiple_of(HALT_CHECKS_PER_FAULT_LOOK) {
                self.every_few_checks();
            }
            return false;
        }
        self.must_stop()
    }

    fn cycles(&self) -> u32 {
        // A 1 GHz free-running counter that wraps like CTIMER.
        self.epoch.elapsed().as_nanos() as u32
    }

    fn forced_fault(&mut self) -> Option<firmware::ForcedFault> {
        self.forced.take()
    }
}

impl SimPlatform {
    /// Every HALT_CHECKS_PER_FAULT_LOOK halt checks: look for a forced fault,
    /// and bump the heartbeat every HALT_CHECKS_PER_HEARTBEAT.
    #[cold]
    #[inline(never)]
    fn every_few_checks(&mut self) {
        self.look_for_forced_fault();
        if self.checks_since_heartbeat == HALT_CHECKS_PER_HEARTBEAT {
            self.checks_since_heartbeat = 0;
            self.device.heartbeat();
        }
    }

    /// Take a fault the info page forces on this core (test hook).
    fn look_for_forced_fault(&mut self) {
        self.forced = match self.device.take_forced_fault(self.core) {
            Some(sim::force_fault::PANIC) => Some(firmware::ForcedFault::Panic),
            Some(sim::force_fault::VM_INTERNAL) => Some(firmware::ForcedFault::VmInternal),
            _ => self.forced,
        };
    }
}

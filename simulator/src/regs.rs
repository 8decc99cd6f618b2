//! One core's register page (reference §1.3) and the side effects the
//! simulator gives its registers (reference §7 "Device model"). Every register
//! is a word of the mapped page; the simulator acts on what it finds there
//! whenever a core thread wakes, since a loader's writes have no hook.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use rustix::thread::futex;
use shared_protocol::chip::{irq, reg};

use crate::file::Mapping;

/// A view of one core's mapped register page.
#[derive(Clone, Copy)]
pub(crate) struct Regs<'a> {
    page: &'a Mapping,
}

impl<'a> Regs<'a> {
    pub(crate) fn new(page: &'a Mapping) -> Regs<'a> {
        Regs { page }
    }

    /// The word of register `reg` (a `chip::reg` constant).
    pub(crate) fn word(&self, reg: u32) -> &'a AtomicU32 {
        self.page.word(reg::page_offset(reg) as u32)
    }

    pub(crate) fn load(&self, reg: u32) -> u32 {
        self.word(reg).load(Ordering::Acquire)
    }

    pub(crate) fn store(&self, reg: u32, value: u32) {
        self.word(reg).store(value, Ordering::Release);
    }

    /// Set bits of a register the simulator owns (ILAT, STATUS, DEBUGSTATUS).
    pub(crate) fn set_bits(&self, reg: u32, bits: u32) {
        self.word(reg).fetch_or(bits, Ordering::AcqRel);
    }

    pub(crate) fn clear_bits(&self, reg: u32, bits: u32) {
        self.word(reg).fetch_and(!bits, Ordering::AcqRel);
    }

    /// Apply the write-1-to-clear and write-1-to-set ports to ILAT (design.md
    /// §8): each port is consumed with a swap, so no bit raised concurrently
    /// by the host or another core is lost. ILATCL goes first because loaders
    /// clear and then set (reference §3.1C, §7: ILATCL = all, later ILATST = SYNC).
    /// Returns whether anything was written.
    pub(crate) fn consume_interrupt_writes(&self) -> bool {
        let cleared = self.word(reg::ILATCL).swap(0, Ordering::AcqRel);
        if cleared != 0 {
            self.clear_bits(reg::ILAT, cleared & irq::ALL);
        }
        let set = self.word(reg::ILATST).swap(0, Ordering::AcqRel);
        if set != 0 {
            self.set_bits(reg::ILAT, set & irq::ALL);
        }
        cleared != 0 || set != 0
    }

    /// Drop whatever was written to ILATST/ILATCL (a core in reset latches nothing).
    pub(crate) fn discard_interrupt_writes(&self) {
        self.word(reg::ILATCL).store(0, Ordering::Release);
        self.word(reg::ILATST).store(0, Ordering::Release);
    }

    /// A loader's or another core's "notify": wake this core's thread at once.
    pub(crate) fn notify(&self) {
        let _ = futex::wake(self.word(reg::ILATST), futex::Flags::empty(), i32::MAX as u32);
    }

    /// Raise interrupts from another agent: the write-1-to-set port, then a wake.
    pub(crate) fn raise(&self, bits: u32) {
        self.word(reg::ILATST).fetch_or(bits, Ordering::AcqRel);
        self.notify();
    }
}

/// How long an idle core sleeps between scans of its registers. Writes made
/// without a notify (the hardware backend makes none) are still seen within
/// `MAX`; a notify ends the sleep at once.
pub(crate) struct Backoff {
    next: Duration,
}

impl Backoff {
    pub(crate) const FIRST: Duration = Duration::from_millis(1);
    pub(crate) const MAX: Duration = Duration::from_millis(50);

    pub(crate) fn new() -> Backoff {
        Backoff { next: Self::FIRST }
    }

    /// Something happened: the next sleeps are short again.
    pub(crate) fn reset(&mut self) {
        self.next = Self::FIRST;
    }

    /// Sleep on the core's ILATST word while it reads 0 (a shared futex: the
    /// writer may be another process), for at most the current step, then
    /// lengthen the step.
    pub(crate) fn sleep(&mut self, regs: Regs<'_>) {
        let timeout = futex::Timespec { tv_sec: 0, tv_nsec: self.next.as_nanos() as i64 };
        // EAGAIN (a write arrived), ETIMEDOUT and EINTR all mean "scan again".
        let _ = futex::wait(regs.word(reg::ILATST), futex::Flags::empty(), 0, Some(&timeout));
        self.next = (self.next * 2).min(Self::MAX);
    }

    #[cfg(test)]
    fn step(&self) -> Duration {
        self.next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_resets() {
        let mut b = Backoff::new();
        let mut steps = vec![];
        for _ in 0..8 {
            steps.push(b.step());
            b.next = (b.next * 2).min(Backoff::MAX);
        }
        assert_eq!(steps[0], Duration::from_millis(1));
        assert_eq!(steps[1], Duration::from_millis(2));
        assert_eq!(*steps.last().unwrap(), Backoff::MAX);
        b.reset();
        assert_eq!(b.step(), Backoff::FIRST);
    }
}

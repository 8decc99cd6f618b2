//! A minimal loader for the tests: it opens the simulator's file by path and
//! maps the pieces itself, as the real loader does (reference §7), and talks
//! to the cores only through words of the device file plus the simulator's
//! notify (a futex wake on ILATST) and doorbell (a futex wait).
#![allow(dead_code)]

use std::ffi::c_void;
use std::os::fd::OwnedFd;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use rustix::fs::{Mode, OFlags};
use rustix::mm::{MapFlags, ProtFlags};
use rustix::thread::futex;
use shared_protocol::chip::{irq, reg, DRAM_BASE, DRAM_SIZE, REG_PAGE_SIZE, SRAM_SIZE};
use shared_protocol::layout::{core_area, CODE_START, COMMAND_SLOT_SIZE, COMMAND_SLOT_START, CORE_EVENT_RING, CORE_STATUS};
use shared_protocol::mailbox::{cmd, event, firmware_header, status, Command, CoreState, FirmwareKind, FIRMWARE_MAGIC, STATUS_MAGIC};
use shared_protocol::sim::{info, INFO_PAGE_SIZE};
use shared_protocol::{Chip, CoreId, PROTOCOL_VERSION};

/// How long any test waits for the simulator before failing.
pub const TIMEOUT: Duration = Duration::from_secs(10);

struct Map {
    ptr: *mut u8,
    len: usize,
}

// SAFETY: shared memory reached only through atomics.
unsafe impl Send for Map {}
unsafe impl Sync for Map {}

impl Map {
    fn word(&self, offset: u32) -> &AtomicU32 {
        assert!(offset.is_multiple_of(4) && (offset as usize) + 4 <= self.len);
        // SAFETY: in bounds, aligned, mapped for the Map's life; atomics only.
        unsafe { AtomicU32::from_ptr(self.ptr.add(offset as usize).cast()) }
    }
}

impl Drop for Map {
    fn drop(&mut self) {
        // SAFETY: what mmap returned.
        let _ = unsafe { rustix::mm::munmap(self.ptr.cast::<c_void>(), self.len) };
    }
}

fn map(fd: &OwnedFd, offset: u32, len: u32) -> Map {
    // SAFETY: a fresh shared mapping of the device file.
    let ptr = unsafe {
        rustix::mm::mmap(std::ptr::null_mut(), len as usize, ProtFlags::READ | ProtFlags::WRITE, MapFlags::SHARED, fd, u64::from(offset))
    }
    .expect("map a piece of the device file");
    Map { ptr: ptr.cast(), len: len as usize }
}

pub struct Host {
    pub chip: Chip,
    info: Map,
    dram: Map,
    srams: Vec<Map>,
    regs: Vec<Map>,
    _fd: OwnedFd,
}

impl Host {
    pub fn open(path: &Path, chip: Chip) -> Host {
        let fd = rustix::fs::open(path, OFlags::RDWR | OFlags::CLOEXEC, Mode::empty()).expect("open the device file");
        let info = map(&fd, 0, INFO_PAGE_SIZE);
        let dram = map(&fd, DRAM_BASE, DRAM_SIZE);
        let cores = (0..chip.num_cores()).map(CoreId);
        let srams = cores.clone().map(|c| map(&fd, chip.sram_base(c).0, SRAM_SIZE)).collect();
        let regs = cores.map(|c| map(&fd, chip.regs_base(c).0, REG_PAGE_SIZE)).collect();
        Host { chip, info, dram, srams, regs, _fd: fd }
    }

    pub fn info(&self, word: u32) -> u32 {
        self.info.word(word).load(Ordering::Acquire)
    }

    pub fn reg(&self, core: u32, r: u32) -> u32 {
        self.regs[core as usize].word(reg::page_offset(r) as u32).load(Ordering::Acquire)
    }

    pub fn set_reg(&self, core: u32, r: u32, value: u32) {
        self.regs[core as usize].word(reg::page_offset(r) as u32).store(value, Ordering::Release);
    }

    /// The simulator's notify: wake the core's thread.
    pub fn notify(&self, core: u32) {
        let ilatst = self.regs[core as usize].word(reg::page_offset(reg::ILATST) as u32);
        futex::wake(ilatst, futex::Flags::empty(), 1).expect("futex wake");
    }

    /// Write registers, then notify.
    pub fn write_regs(&self, core: u32, writes: &[(u32, u32)]) {
        for &(r, v) in writes {
            self.set_reg(core, r, v);
        }
        self.notify(core);
    }

    /// Raise interrupts: on the simulator the write-1-to-set port is OR'ed
    /// into, so bits raised by other cores are not lost.
    pub fn raise(&self, core: u32, bits: u32) {
        self.regs[core as usize].word(reg::page_offset(reg::ILATST) as u32).fetch_or(bits, Ordering::AcqRel);
        self.notify(core);
    }

    pub fn sram(&self, core: u32, offset: u32) -> &AtomicU32 {
        self.srams[core as usize].word(offset)
    }

    pub fn cmd(&self, core: u32, word: u32) -> &AtomicU32 {
        self.sram(core, COMMAND_SLOT_START + word)
    }

    pub fn dram(&self, offset: u32) -> &AtomicU32 {
        self.dram.word(offset)
    }

    pub fn status(&self, core: u32, word: u32) -> u32 {
        self.dram(core_area(self.chip, CoreId(core)).0 + CORE_STATUS + word).load(Ordering::Acquire)
    }

    pub fn ring(&self, core: u32, byte: u32) -> u32 {
        self.dram(core_area(self.chip, CoreId(core)).0 + CORE_EVENT_RING + byte).load(Ordering::Acquire)
    }

    /// Wait (bounded) until `cond` holds, sleeping on the doorbell between
    /// looks; polls every 10 ms too, for state changes that ring no bell.
    pub fn wait_until(&self, what: &str, cond: impl Fn(&Host) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        let doorbell = self.info.word(info::DOORBELL);
        loop {
            let seen = doorbell.load(Ordering::Acquire);
            if cond(self) {
                return;
            }
            assert!(Instant::now() < deadline, "timed out after {TIMEOUT:?} waiting for {what}");
            let step = futex::Timespec { tv_sec: 0, tv_nsec: 10_000_000 };
            let _ = futex::wait(doorbell, futex::Flags::empty(), seen, Some(&step));
        }
    }

    pub fn write_header(&self, core: u32, magic: u32, kind: u32) {
        let h = |w: u32, v: u32| self.sram(core, CODE_START + w).store(v, Ordering::Release);
        h(firmware_header::MAGIC, magic);
        h(firmware_header::PROTOCOL, PROTOCOL_VERSION);
        h(firmware_header::KIND, kind);
        h(firmware_header::BUILD_ID, 0);
        h(firmware_header::IMAGE_LEN, firmware_header::SIZE);
    }

    /// Load a valid header, clear the mailbox and start the core with SYNC.
    pub fn start(&self, core: u32, nonce: u32) {
        self.write_header(core, FIRMWARE_MAGIC, FirmwareKind::NativeSimulated as u32);
        for w in (0..COMMAND_SLOT_SIZE).step_by(4) {
            self.cmd(core, w).store(0, Ordering::Release);
        }
        self.cmd(core, cmd::BOOT_NONCE).store(nonce, Ordering::Release);
        self.raise(core, irq::SYNC);
    }

    pub fn wait_booted(&self, core: u32, nonce: u32) {
        self.wait_until(&format!("core {core} to boot with nonce {nonce:#x}"), |h| {
            h.status(core, status::MAGIC) == STATUS_MAGIC
                && h.status(core, status::STATE) == CoreState::Idle as u32
                && h.status(core, status::BOOT_NONCE) == nonce
        });
    }

    pub fn boot(&self, core: u32, nonce: u32) {
        self.start(core, nonce);
        self.wait_booted(core, nonce);
    }

    /// Send Echo(word) and check the Echo and Done events that come back.
    pub fn echo(&self, core: u32, word: u32) {
        let seq = self.cmd(core, cmd::SEQ).load(Ordering::Acquire) + 1;
        let head = self.status(core, status::EVENT_HEAD);
        self.cmd(core, cmd::ARG0).store(word, Ordering::Release);
        self.cmd(core, cmd::KIND).store(Command::Echo as u32, Ordering::Release);
        self.cmd(core, cmd::SEQ).store(seq, Ordering::Release);
        self.raise(core, irq::USER);
        self.wait_until(&format!("core {core} to reply to echo #{seq}"), |h| h.status(core, status::REPLY_SEQ) == seq);
        // Two records: [Echo|3 words][launch][word], [Done|3 words][launch][Ok].
        let echo = self.ring(core, head);
        assert_eq!(event::kind_of(echo), shared_protocol::mailbox::EventKind::Echo as u32, "core {core}");
        assert_eq!(event::words_of(echo), 3);
        assert_eq!(self.ring(core, head + 8), word);
        let done = self.ring(core, head + 12);
        assert_eq!(event::kind_of(done), shared_protocol::mailbox::EventKind::Done as u32);
        assert_eq!(self.ring(core, head + 20), shared_protocol::mailbox::DoneStatus::Ok as u32);
        assert_eq!(self.status(core, status::EVENT_HEAD), head + 24);
        // Consume the events.
        self.cmd(core, cmd::EVENT_ACK).store(head + 24, Ordering::Release);
    }
}

//! Boot and the service loop: idle → command → run → report → idle.

use shared_protocol::layout::{
    core_area, data_store_size, data_store_start, spill_size, CORE_EVENT_RING, CORE_SPILL, CORE_EVENT_RING_SIZE, CORE_INBOX, CORE_INBOX_SIZE, CORE_STATUS,
    CORE_STATUS_SIZE, COMMAND_SLOT_SIZE, COMMAND_SLOT_START, STACK_CANARY,
};
use shared_protocol::mailbox::{
    cmd, status, Command, CoreState, DoneStatus, EventKind, Fault, Waiting, STATUS_MAGIC,
};
use shared_protocol::PROTOCOL_VERSION;

use crate::events::{EmitError, Ring};
use crate::platform::{Platform, Wake};
use crate::shared::Shared;

/// The windows of shared memory this core talks through.
#[derive(Clone, Copy)]
pub struct Mailbox {
    pub cmd: Shared,
    pub status: Shared,
    pub inbox: Shared,
    pub ring: Ring,
    /// This core's DRAM spill area (the VM's memory above the SRAM arena).
    pub spill: Shared,
    /// This core's data store (`layout::data_store`).
    pub data: Shared,
}

impl Mailbox {
    pub fn new<P: Platform>(p: &P) -> Mailbox {
        let area = core_area(p.chip(), p.core()).0;
        // SAFETY: the platform guarantees its SRAM (32 KB) and DRAM window
        // (32 MB) stay mapped while the firmware runs; the layout table keeps
        // every region inside them.
        let (sram, dram) = unsafe {
            (
                Shared::new(p.sram(), shared_protocol::chip::SRAM_SIZE),
                Shared::new(p.dram(), shared_protocol::chip::DRAM_SIZE),
            )
        };
        let cmd = sram.sub(COMMAND_SLOT_START, COMMAND_SLOT_SIZE);
        let status = dram.sub(area + CORE_STATUS, CORE_STATUS_SIZE);
        let ring = Ring { ring: dram.sub(area + CORE_EVENT_RING, CORE_EVENT_RING_SIZE), status, cmd };
        let spill = dram.sub(area + CORE_SPILL, spill_size(p.chip()));
        let data = dram.sub(area + data_store_start(p.chip()), data_store_size(p.chip()));
        Mailbox { cmd, status, inbox: dram.sub(area + CORE_INBOX, CORE_INBOX_SIZE), ring, spill, data }
    }

    fn set_state(&self, state: CoreState) {
        self.status.store(status::STATE, state as u32);
    }

    /// Stop on a fault: record it, tell the host, and stay idle until reset.
    pub fn fault<P: Platform>(&self, p: &mut P, fault: Fault, detail: u32) {
        self.status.store(status::FAULT, fault as u32);
        self.status.store(status::FAULT_DETAIL, detail);
        self.set_state(CoreState::Fault);
        p.notify_host();
        while p.wait_for_interrupt() != Wake::Stop {}
    }
}

/// Runs one command; returns how it ended, or `Err` when the core must stop.
pub trait Executor {
    fn run<P: Platform>(&mut self, p: &mut P, mb: &Mailbox, launch: u32) -> Result<DoneStatus, EmitError>;
}

/// Boot, then serve commands until the platform says stop. Returns only on
/// `Wake::Stop` (halt or reset); on the chip that never happens.
pub fn serve<P: Platform, E: Executor>(p: &mut P, exec: &mut E) {
    let (mb, mut last_seq) = boot(p);
    loop {
        let seq = mb.cmd.load(cmd::SEQ);
        if seq == last_seq {
            if p.wait_for_interrupt() == Wake::Stop {
                return;
            }
            continue;
        }
        last_seq = seq;
        mb.status.store(status::WAITING, Waiting::Nothing as u32);
        let launch = mb.cmd.load(cmd::LAUNCH);
        // No barriers passed yet: before LAUNCH, so a host that sees this
        // launch there never reads the last launch's count (`status::EPOCH`).
        mb.status.store(status::EPOCH, 0);
        mb.status.store(status::LAUNCH, launch);
        mb.set_state(CoreState::Running);
        let done = match Command::from_u32(mb.cmd.load(cmd::KIND)) {
            Some(Command::Echo) => {
                let word = mb.cmd.load(cmd::ARG0);
                mb.ring.emit(p, EventKind::Echo, launch, 1, |r| {
                    use shared_protocol::value::WordSink;
                    r.push(word)
                })
                .map(|_| DoneStatus::Ok)
            }
            Some(Command::Run) => exec.run(p, &mb, launch),
            None => {
                mb.fault(p, Fault::BadCommand, cmd::KIND);
                return;
            }
        };
        let done = match done {
            Ok(done) => done,
            Err(EmitError::Stop) => return,
            Err(EmitError::TooBig) => {
                mb.fault(p, Fault::VmInternal, 0);
                return;
            }
        };
        if !stack_end(p, false) {
            mb.fault(p, Fault::StackOverflow, 0);
            return;
        }
        if mb.ring.emit(p, EventKind::Done, launch, 1, |r| {
            use shared_protocol::value::WordSink;
            r.push(done as u32)
        })
        .is_err()
        {
            return;
        }
        mb.set_state(CoreState::Idle);
        mb.status.store(status::WAITING, Waiting::Command as u32);
        // The reply sequence last: everything before it is complete.
        mb.status.store(status::REPLY_SEQ, seq);
        p.notify_host();
    }
}

/// The lowest word of each of the firmware's stacks
/// ([`Platform::stack_ends`]): write `layout::STACK_CANARY` there (`set`),
/// or tell whether they all still hold it (a stack that reached its end
/// overwrote it).
#[inline(never)]
fn stack_end<P: Platform>(p: &P, set: bool) -> bool {
    // SAFETY: the platform keeps its 32 KB of SRAM mapped while the firmware
    // runs; the stacks are inside it.
    let sram = unsafe { Shared::new(p.sram(), shared_protocol::chip::SRAM_SIZE) };
    let mut intact = true;
    for &end in p.stack_ends() {
        if set {
            sram.store(end, STACK_CANARY);
        }
        intact &= sram.load(end) == STACK_CANARY;
    }
    intact
}

/// Boot: the windows, then the status block, the nonce last (the host waits
/// on it). Returns the mailbox and the command sequence to start after. Once
/// per boot: DRAM code (linker scripts).
#[inline(never)]
fn boot<P: Platform>(p: &mut P) -> (Mailbox, u32) {
    let mb = Mailbox::new(p);
    mb.set_state(CoreState::Booting);
    mb.status.store(status::FAULT, Fault::None as u32);
    stack_end(p, true);
    // PROTOCOL before MAGIC: a host that sees MAGIC can trust PROTOCOL
    // (both stay at these offsets in every protocol version).
    mb.status.store(status::PROTOCOL, PROTOCOL_VERSION);
    mb.status.store(status::MAGIC, STATUS_MAGIC);
    mb.status.store(status::BUILD_ID, crate::BUILD_ID);
    mb.status.store(status::EVENT_HEAD, mb.cmd.load(cmd::EVENT_ACK));
    // Commands already in the slot before boot are stale: start after them.
    let last_seq = mb.cmd.load(cmd::SEQ);
    mb.status.store(status::REPLY_SEQ, last_seq);
    mb.status.store(status::WAITING, Waiting::Command as u32);
    mb.set_state(CoreState::Idle);
    mb.status.store(status::BOOT_NONCE, mb.cmd.load(cmd::BOOT_NONCE));
    p.notify_host();
    (mb, last_seq)
}

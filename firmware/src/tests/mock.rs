//! A test platform: heap SRAM and DRAM (only as much DRAM as one core's area
//! needs), commands posted one at a time when the core idles, and
//! `wait_for_interrupt` returning Stop once nothing is pending so tests end.

use std::collections::VecDeque;
use std::vec::Vec;

use shared_protocol::layout::{
    ARENA_SIZE, ARENA_START, COMMAND_SLOT_START, CORE_EVENT_RING, CORE_INBOX, CORE_STATUS,
    core_area, per_core_size,
};
use shared_protocol::mailbox::{Command, Waiting, cmd, event, status};
use shared_protocol::{Chip, CoreId};

use crate::platform::{Platform, Wake};

pub struct Cmd {
    pub launch: u32,
    pub group_size: u32,
    pub image: Vec<u32>,
    /// Bytes of the image the command claims (ARG1), normally 4 × words.
    pub claimed_len: Option<u32>,
}

pub struct Mock {
    pub core: u32,
    sram: Vec<u32>,
    dram: Vec<u32>,
    pub pending: VecDeque<Cmd>,
    /// `halt_requested` answers true from this call on.
    pub halt_after: Option<u32>,
    /// From this halt check on, `cmd::CANCEL` names the running launch.
    pub cancel_after: Option<u32>,
    pub halt_checks: u32,
    /// Overwrite the stack's lowest word (`layout::STACK_CANARY`) as each
    /// command is posted, as a stack overflow would.
    pub smash_stack_end: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub kind: u32,
    pub launch: u32,
    pub payload: Vec<u32>,
}

impl Mock {
    pub fn new(core: u32) -> Mock {
        // Up to the end of this core's area: the spill area is VM memory.
        let dram_len = core_area(Chip::E16, CoreId(core)).0 + per_core_size(Chip::E16);
        Mock {
            core,
            sram: vec![0u32; 0x8000 / 4],
            dram: vec![0u32; dram_len as usize / 4],
            pending: VecDeque::new(),
            halt_after: None,
            cancel_after: None,
            halt_checks: 0,
            smash_stack_end: false,
        }
    }

    pub fn post(&mut self, image: Vec<u32>) {
        let launch = self.pending.len() as u32 + 1;
        self.pending.push_back(Cmd {
            launch,
            group_size: 16,
            image,
            claimed_len: None,
        });
    }

    fn area(&self) -> usize {
        core_area(Chip::E16, CoreId(self.core)).0 as usize / 4
    }
    pub fn status(&self, word: u32) -> u32 {
        self.dram[self.area() + (CORE_STATUS + word) as usize / 4]
    }
    fn cmd(&self, word: u32) -> u32 {
        self.sram[(COMMAND_SLOT_START + word) as usize / 4]
    }
    fn set_cmd(&mut self, word: u32, v: u32) {
        self.sram[(COMMAND_SLOT_START + word) as usize / 4] = v;
    }

    /// The ring's records from the start (tests never wrap the ring).
    pub fn events(&self) -> Vec<Event> {
        let ring = self.area() + CORE_EVENT_RING as usize / 4;
        let head = self.status(status::EVENT_HEAD) as usize / 4;
        let mut out = Vec::new();
        let mut i = 0;
        while i < head {
            let h = self.dram[ring + i];
            let words = event::words_of(h) as usize;
            assert!(words >= 2, "bad record header {h:#x}");
            out.push(Event {
                kind: event::kind_of(h),
                launch: self.dram[ring + i + 1],
                payload: self.dram[ring + i + 2..ring + i + words].to_vec(),
            });
            i += words;
        }
        out
    }
}

impl Platform for Mock {
    fn core(&self) -> CoreId {
        CoreId(self.core)
    }
    fn chip(&self) -> Chip {
        Chip::E16
    }
    fn sram(&self) -> *mut u8 {
        self.sram.as_ptr() as *mut u8
    }
    fn dram(&self) -> *mut u8 {
        self.dram.as_ptr() as *mut u8
    }
    fn remote_sram(&self, _core: CoreId) -> *mut u8 {
        self.sram()
    }
    fn arena(&mut self) -> &'static mut [u8] {
        // SAFETY: the SRAM lives as long as the Mock, which outlives every
        // run of the firmware on it (tests drop it after `run` returns); the
        // arena part is only touched through this slice, the rest through
        // the raw pointer.
        unsafe {
            std::slice::from_raw_parts_mut(
                (self.sram.as_mut_ptr() as *mut u8).add(ARENA_START as usize),
                ARENA_SIZE as usize,
            )
        }
    }
    fn wait_for_interrupt(&mut self) -> Wake {
        if self.status(status::WAITING) == Waiting::RingSpace as u32 {
            panic!("tests never fill the event ring");
        }
        if self.cmd(cmd::SEQ) != self.status(status::REPLY_SEQ) {
            return Wake::Stop;
        }
        let Some(c) = self.pending.pop_front() else {
            return Wake::Stop;
        };
        let inbox = self.area() + CORE_INBOX as usize / 4;
        self.dram[inbox..inbox + c.image.len()].copy_from_slice(&c.image);
        if self.smash_stack_end {
            self.sram[shared_protocol::layout::STACK_BOTTOM as usize / 4] = 0;
        }
        self.set_cmd(cmd::KIND, Command::Run as u32);
        self.set_cmd(cmd::LAUNCH, c.launch);
        self.set_cmd(cmd::GROUP_SIZE, c.group_size);
        self.set_cmd(cmd::ARG0, 0);
        self.set_cmd(cmd::ARG1, c.claimed_len.unwrap_or(c.image.len() as u32 * 4));
        let seq = self.cmd(cmd::SEQ);
        self.set_cmd(cmd::SEQ, seq + 1);
        Wake::Interrupt
    }
    fn raise_user_interrupt(&self, _core: CoreId) {}
    fn notify_host(&self) {}
    fn halt_requested(&mut self) -> bool {
        self.halt_checks += 1;
        if self.cancel_after.is_some_and(|n| self.halt_checks >= n) {
            let launch = self.cmd(cmd::LAUNCH);
            self.set_cmd(cmd::CANCEL, launch);
        }
        self.halt_after.is_some_and(|n| self.halt_checks >= n)
    }
    fn cycles(&self) -> u32 {
        0
    }
}

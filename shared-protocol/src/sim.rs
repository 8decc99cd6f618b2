//! The simulator file's info page: file offset 0, which is no core's memory
//! and no DRAM (the real mesh0 driver refuses it). It tells a loader that the
//! file is a simulated device and of which chip, and holds the host doorbell.
//! Nothing in it is part of the chip; the hardware path never reads it.

/// Word offsets in the info page.
pub mod info {
    /// [`super::SIM_MAGIC`].
    pub const MAGIC: u32 = 0x00;
    /// [`super::SIM_VERSION`].
    pub const VERSION: u32 = 0x04;
    pub const ROWS: u32 = 0x08;
    pub const COLS: u32 = 0x0C;
    pub const FIRST_ROW: u32 = 0x10;
    pub const FIRST_COL: u32 = 0x14;
    /// Incremented (atomically: this is the simulator's model of an interrupt
    /// line to the host, not a shared protocol word) after a core writes an
    /// event or its status; the host's futex word.
    pub const DOORBELL: u32 = 0x18;
    /// The process serving the simulated cores.
    pub const SERVER_PID: u32 = 0x1C;
    /// A [`super::ServerState`].
    pub const SERVER_STATE: u32 = 0x20;
    /// Bumped by the simulator whenever its core threads go around a scan;
    /// lets a loader see that a server is alive.
    pub const HEARTBEAT: u32 = 0x24;
    /// Test hook: for each core whose bit is set, bit 0 of its SRAM word at
    /// local 0x4000 is stuck at 0 (the simulator forces it on every register
    /// scan, before it answers a halt), so `device selftest` fails that core.
    /// Bits 0..31 and 32..63.
    pub const BROKEN_CORES_LO: u32 = 0x28;
    pub const BROKEN_CORES_HI: u32 = 0x2C;
    /// Test hook: force a fault on one core ([`super::force_fault`]): 0, or
    /// `kind << 16 | core`. The core takes it (and writes 0 back) at a halt
    /// check of a running kernel, so a host can test how it reports faults.
    /// On its own cache line: core threads read it while the words above
    /// are written all the time.
    pub const FORCE_FAULT: u32 = 0x40;
    /// What the cores run: a [`super::CoreModel`]. Written before MAGIC.
    pub const CORE_MODEL: u32 = 0x44;
    /// ISA mode: why each core stopped on a fault the chip has no EXCAUSE
    /// for, two words per core from here (core n at `ISA_FAULTS + 8 n`):
    /// an [`super::isa_fault`] kind and the address involved. Written
    /// before the core shows HALT; cleared by a reset.
    pub const ISA_FAULTS: u32 = 0x100;
    /// ISA mode: interrupts raised by other cores, one word per core from
    /// here (core n at `MESH_ILATST + 4 n`). A core's store to another's
    /// ILATST lands here with an atomic OR, not in the register page: the
    /// host writes ILATST with plain stores (as on a board), and one of those
    /// must not overwrite a bit another core raised a moment before. The
    /// owner consumes both with a swap.
    pub const MESH_ILATST: u32 = 0x300;
    /// Likewise for ILATCL (core n at `MESH_ILATCL + 4 n`).
    pub const MESH_ILATCL: u32 = 0x400;
    /// ISA mode: each core's counters, [`super::isa_counter`] words from
    /// `ISA_COUNTERS + 32 n`, published with its registers (a benchmark's
    /// figures: the chip has no such registers).
    pub const ISA_COUNTERS: u32 = 0x500;
}

/// Words of a core's [`info::ISA_COUNTERS`] record (64-bit counts as low,
/// high word pairs).
pub mod isa_counter {
    /// Model cycles since reset (README "What the cycle figures mean").
    pub const CYCLES_LO: u32 = 0x00;
    pub const CYCLES_HI: u32 = 0x04;
    pub const INSTRUCTIONS_LO: u32 = 0x08;
    pub const INSTRUCTIONS_HI: u32 = 0x0C;
    /// Half-words fetched from external DRAM (code run from DRAM).
    pub const DRAM_FETCHES_LO: u32 = 0x10;
    pub const DRAM_FETCHES_HI: u32 = 0x14;
    pub const RECORD: u32 = 0x20;
}

/// ISA mode: the bit a core ORs into another core's ILATST word after
/// raising an interrupt through [`info::MESH_ILATST`]/[`info::MESH_ILATCL`]:
/// not an interrupt line, it only makes the word nonzero so the owner's
/// thread, which sleeps on that word, wakes (a host's store may replace
/// it, which wakes the owner as well).
pub const MESH_WAKE: u32 = 1 << 31;

/// What a simulator's cores run ([`info::CORE_MODEL`]).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoreModel {
    /// The firmware crate as host threads (the fast default).
    Native = 0,
    /// Epiphany machine code on the instruction-set simulator ("ISA mode").
    Isa = 1,
}

impl CoreModel {
    pub const fn from_u32(v: u32) -> Option<CoreModel> {
        match v {
            0 => Some(CoreModel::Native),
            1 => Some(CoreModel::Isa),
            _ => None,
        }
    }
}

/// Kinds of [`info::ISA_FAULTS`] records.
pub mod isa_fault {
    pub const NONE: u32 = 0;
    /// Instruction fetch from an address no memory answers at.
    pub const FETCH_UNMAPPED: u32 = 1;
    /// Instruction fetch from the register page.
    pub const FETCH_REGISTER_PAGE: u32 = 2;
    /// A load or store to an address no memory answers at.
    pub const UNMAPPED: u32 = 3;
    /// A software exception that could not be taken (masked, GID, nested).
    pub const EXCEPTION: u32 = 4;
    /// A DMA channel was started: not modelled.
    pub const DMA: u32 = 5;
    /// The instruction-set simulator itself failed (a bug in it).
    pub const SIMULATOR_BUG: u32 = 6;

    pub const fn text(kind: u32) -> &'static str {
        match kind {
            FETCH_UNMAPPED => "instruction fetch from an unmapped address",
            FETCH_REGISTER_PAGE => "instruction fetch from the register page",
            UNMAPPED => "load or store to an unmapped address",
            EXCEPTION => "software exception with interrupts off, masked, or inside its own handler",
            DMA => "a DMA channel was started; DMA is not modelled by the simulator",
            SIMULATOR_BUG => "the instruction-set simulator failed here (a simulator bug; please report it)",
            _ => "none",
        }
    }
}

/// The kinds of fault `info::FORCE_FAULT` forces.
pub mod force_fault {
    /// The firmware panics (reported as `mailbox::Fault::Panic`).
    pub const PANIC: u32 = 1;
    /// The VM stops on an internal error (`mailbox::Fault::VmInternal`).
    pub const VM_INTERNAL: u32 = 2;

    pub const fn word(kind: u32, core: crate::CoreId) -> u32 {
        kind << 16 | (core.0 & 0xFFFF)
    }
    pub const fn kind_of(word: u32) -> u32 {
        word >> 16
    }
    pub const fn core_of(word: u32) -> u32 {
        word & 0xFFFF
    }
}

pub const INFO_PAGE_SIZE: u32 = 0x1000;
/// "EPSM".
pub const SIM_MAGIC: u32 = u32::from_le_bytes(*b"EPSM");
pub const SIM_VERSION: u32 = 2;

/// Length of a simulator file (sparse): up to the end of the DRAM window or
/// of the last core's register page, whichever is further (an E64's last rows
/// lie above the DRAM window).
pub const fn file_len(chip: crate::Chip) -> u64 {
    let dram_end = crate::chip::DRAM_BASE as u64 + crate::chip::DRAM_SIZE as u64;
    let last = crate::CoreId(chip.num_cores() - 1);
    let regs_end = chip.regs_base(last).0 as u64 + crate::chip::REG_PAGE_SIZE as u64;
    if regs_end > dram_end { regs_end } else { dram_end }
}

/// Length of an E16 simulator file.
pub const FILE_LEN: u64 = file_len(crate::Chip::E16);

#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerState {
    Starting = 0,
    Running = 1,
    Stopped = 2,
}

//! THE layout table (design.md §8): where everything lives, per core, in its
//! 32 KB of SRAM and in its share of the DRAM window. The linker scripts, the
//! firmware and the loader all take their addresses from here.
//!
//! SRAM (local addresses; the same on every core):
//!
//! ```text
//! 0x0000 ┌ IVT: 10 vectors                       (reference §3.4)
//! 0x0028 │ workgroup_cfg, ext_mem_cfg (0x50), loader_cfg (0x58): written by loaders
//! 0x0100 ├ code: CODE_BUDGET bytes; starts with the FirmwareHeader
//! 0x6100 ├ command slot: host → core words (host is the only writer)
//! 0x6200 ├ postbox: core → core messages (issue: parallel module)
//! 0x6400 ├ VM arena: bytecode, heap, frames (private to the core)
//! 0x78F0 ├ stack (grows down from STACK_TOP)
//! 0x7FF0 └ 16 bytes above the stack top (crt0 convention, fast.ldf)
//! ```
//!
//! The stack sits at the top, as the Epiphany crt0 expects (stack top 0x7FF0),
//! so the arena is everything between the postbox and the stack. Lowering
//! CODE_BUDGET when the firmware shrinks is a deliberate, versioned change
//! (bump `PROTOCOL_VERSION`) that grows the arena.

use crate::chip::{Chip, CoreId, DRAM_SIZE, SRAM_SIZE};

/// A named, half-open range of local SRAM addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub name: &'static str,
    pub start: u32,
    pub end: u32,
}

impl Region {
    pub const fn size(&self) -> u32 {
        self.end - self.start
    }
    pub const fn contains(&self, addr: u32) -> bool {
        addr >= self.start && addr < self.end
    }
}

pub const IVT_START: u32 = 0x0000;
/// e-loader's `e_group_config_t` (10 words).
pub const WORKGROUP_CFG: u32 = 0x0028;
/// e-loader's `e_emem_config_t` (2 words).
pub const EXT_MEM_CFG: u32 = 0x0050;
/// e-loader's `loader_cfg` (4 words).
pub const LOADER_CFG: u32 = 0x0058;

pub const CODE_START: u32 = 0x0100;
/// The firmware's code budget (.text + .rodata). At most 24 KB: ePython's
/// resident interpreter. 23.5 KB since protocol 5: the cold code moved to
/// DRAM code left room, and the stack needed 512 bytes more.
pub const CODE_BUDGET: u32 = 23 * 1024 + 512;
pub const CODE_END: u32 = CODE_START + CODE_BUDGET;

pub const COMMAND_SLOT_START: u32 = CODE_END;
pub const COMMAND_SLOT_SIZE: u32 = 0x100;
pub const POSTBOX_START: u32 = COMMAND_SLOT_START + COMMAND_SLOT_SIZE;
pub const POSTBOX_SIZE: u32 = 0x200;
pub const ARENA_START: u32 = POSTBOX_START + POSTBOX_SIZE;

/// Stack top, as the Epiphany crt0 sets it (fast.ldf: end of SRAM - 0x10).
pub const STACK_TOP: u32 = SRAM_SIZE - 0x10;
/// 2.25 KB: the VM's deepest paths go to about 1.95 KB on the proxy core
/// (sorting nested lists, then a TypeError from an unorderable sort:
/// qemu-programs/sort_nested.py; the QEMU test reports each program's
/// depth). Protocol 3 took 256 bytes from the arena, protocol 5 took 512
/// from the code budget.
pub const STACK_SIZE: u32 = 0x900;
pub const STACK_BOTTOM: u32 = STACK_TOP - STACK_SIZE;
/// The lowest stack word holds this from boot (the firmware writes it). Any
/// other value after a command means the stack reached the VM arena below
/// it: the core stops with `Fault::StackOverflow` rather than run on with a
/// corrupted heap. (The QEMU test paints the whole stack with it to measure
/// the deepest use.)
pub const STACK_CANARY: u32 = 0x57AC_57AC;
pub const ARENA_END: u32 = STACK_BOTTOM;
pub const ARENA_SIZE: u32 = ARENA_END - ARENA_START;

/// The Epiphany build (firmware-epiphany) divides the CODE region: its
/// resident code and C data (the header, start-up code, the wasm runtime's
/// few words), the C stack of the wasm2c code, and the Rust code's shadow
/// stack (wasm's linear-memory stack). Its other code runs from DRAM.
/// Sizes from measurements (tests/isa_stacks.rs over the whole corpus:
/// C stack 1,964 bytes, shadow stack 1,680; the stacks keep about 1 KB
/// more than that): what the stacks do not need holds the hot code
/// (vm::run, the arena accessors and the small functions a loop calls
/// most, firmware-epiphany/postprocess.py RESIDENT).
pub const EPIPHANY_RESIDENT_START: u32 = CODE_START;
pub const EPIPHANY_RESIDENT_SIZE: u32 = 0x4600;
pub const EPIPHANY_SHADOW_STACK_START: u32 = EPIPHANY_RESIDENT_START + EPIPHANY_RESIDENT_SIZE;
pub const EPIPHANY_SHADOW_STACK_SIZE: u32 = 0xC00;
pub const EPIPHANY_C_STACK_START: u32 = EPIPHANY_SHADOW_STACK_START + EPIPHANY_SHADOW_STACK_SIZE;
pub const EPIPHANY_C_STACK_END: u32 = CODE_END;
/// The Epiphany build's CODE region, in address order, gap-free.
pub const EPIPHANY_CODE_REGIONS: [Region; 3] = [
    Region { name: "resident", start: EPIPHANY_RESIDENT_START, end: EPIPHANY_SHADOW_STACK_START },
    Region { name: "shadow stack", start: EPIPHANY_SHADOW_STACK_START, end: EPIPHANY_C_STACK_START },
    Region { name: "C stack", start: EPIPHANY_C_STACK_START, end: EPIPHANY_C_STACK_END },
];

/// The SRAM table, in address order, gap-free from 0 to STACK_TOP.
pub const SRAM_REGIONS: [Region; 7] = [
    Region { name: "ivt+config", start: IVT_START, end: CODE_START },
    Region { name: "code", start: CODE_START, end: CODE_END },
    Region { name: "command", start: COMMAND_SLOT_START, end: POSTBOX_START },
    Region { name: "postbox", start: POSTBOX_START, end: ARENA_START },
    Region { name: "arena", start: ARENA_START, end: ARENA_END },
    Region { name: "stack", start: STACK_BOTTOM, end: STACK_TOP },
    Region { name: "top", start: STACK_TOP, end: SRAM_SIZE },
];

// The table is checked when this crate compiles: contiguous, in SRAM, budget kept.
const _: () = {
    assert!(CODE_BUDGET <= 24 * 1024, "the code budget is at most 24 KB");
    assert!(CODE_START >= LOADER_CFG + 16);
    let mut i = 1;
    while i < SRAM_REGIONS.len() {
        assert!(SRAM_REGIONS[i - 1].end == SRAM_REGIONS[i].start);
        assert!(SRAM_REGIONS[i].start < SRAM_REGIONS[i].end);
        i += 1;
    }
    assert!(SRAM_REGIONS[0].start == 0);
    assert!(SRAM_REGIONS[SRAM_REGIONS.len() - 1].end == SRAM_SIZE);
    // Everything shared is word aligned; the stack is 8-byte aligned (ABI).
    assert!(COMMAND_SLOT_START.is_multiple_of(8) && POSTBOX_START.is_multiple_of(8) && ARENA_START.is_multiple_of(8));
    assert!(ARENA_SIZE >= 4 * 1024, "the VM needs an arena of at least 4 KB");
    assert!(STACK_TOP.is_multiple_of(8) && STACK_BOTTOM.is_multiple_of(8));
    assert!(EPIPHANY_CODE_REGIONS[0].start == CODE_START && EPIPHANY_CODE_REGIONS[2].end == CODE_END);
    assert!(EPIPHANY_CODE_REGIONS[0].end == EPIPHANY_CODE_REGIONS[1].start);
    assert!(EPIPHANY_CODE_REGIONS[1].end == EPIPHANY_CODE_REGIONS[2].start);
    assert!(EPIPHANY_C_STACK_END.is_multiple_of(8) && EPIPHANY_SHADOW_STACK_START.is_multiple_of(16));
};

// ---------------------------------------------------------------------------
// DRAM window (offsets from the window's start, Epiphany 0x8E000000).
//
// ```text
// 0x000000 ┌ shared area (1 MB): reserved for data all cores share
// 0x100000 ├ core 0's area ┐
//          ├ core 1's area │ per_core_size(chip) bytes each, 4 KB aligned
//          ├ ...           ┘
//          └ (rest unused)
// ```
//
// Inside a core's area:
//
// ```text
// +0x00000 status block (core writes; mailbox::status)     4 KB
// +0x01000 event ring   (core writes; mailbox::event)     64 KB
// +0x11000 inbox        (host writes: bytecode, arguments) 64 KB
// +0x21000 spill        (core's: frames, big objects, big bytecode)
//          data store   (core's: device-resident data; a quarter of what
//                        the outbox leaves)
//          outbox       (core's: messages to other cores, `postbox`; the end)
// ```
// ---------------------------------------------------------------------------

/// Offset of a byte inside the DRAM window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DramOffset(pub u32);

pub const DRAM_SHARED_START: u32 = 0;
pub const DRAM_SHARED_SIZE: u32 = 0x10_0000;
pub const DRAM_CORES_START: u32 = DRAM_SHARED_START + DRAM_SHARED_SIZE;

/// The DRAM code region: cold firmware code (math, verifier, error reporting,
/// formatting), run from the DRAM window like e-gcc's fast.ldf runs libgcc
/// from DRAM. One copy at the start of the shared area serves every core.
pub const DRAM_CODE_START: u32 = DRAM_SHARED_START;
/// What the layout keeps for it (512 KB of the 1 MB shared area): the
/// proxy image uses up to DRAM_CODE_CAP of it, the Epiphany build (whose
/// code is 2-3 times the proxy's) up to DRAM_CODE_CAP_EPIPHANY, then its
/// wasm data segment (EPIPHANY_WASM_DATA).
pub const DRAM_CODE_RESERVED: u32 = 0x8_0000;
/// The most cold code (.text + .rodata) an image may put there; more is a
/// link error, like CODE_BUDGET for the resident code. 64 KB: the language
/// (methods, Unicode tables, printing) moved there from the resident code.
pub const DRAM_CODE_CAP: u32 = 0x1_0000;
/// The Epiphany build's DRAM code cap (.text + .rodata in DRAM).
pub const DRAM_CODE_CAP_EPIPHANY: u32 = 0x7_0000;
/// The Epiphany build: where the Rust crate's wasm data segment (its
/// read-only data) lives, one copy for all cores, right after its code.
pub const EPIPHANY_WASM_DATA: u32 = DRAM_CODE_START + DRAM_CODE_CAP_EPIPHANY;
pub const EPIPHANY_WASM_DATA_CAP: u32 = DRAM_CODE_RESERVED - DRAM_CODE_CAP_EPIPHANY;
const PAGE: u32 = 0x1000;

pub const CORE_STATUS: u32 = 0x0_0000;
pub const CORE_STATUS_SIZE: u32 = 0x1000;
pub const CORE_EVENT_RING: u32 = 0x0_1000;
/// A power of two, so ring positions (byte counts that wrap at 2^32) map to
/// the same offset on both sides forever.
pub const CORE_EVENT_RING_SIZE: u32 = 0x1_0000;
pub const CORE_INBOX: u32 = CORE_EVENT_RING + CORE_EVENT_RING_SIZE;
pub const CORE_INBOX_SIZE: u32 = 0x1_0000;
pub const CORE_SPILL: u32 = CORE_INBOX + CORE_INBOX_SIZE;

const _: () = {
    assert!(CORE_STATUS + CORE_STATUS_SIZE == CORE_EVENT_RING);
    assert!(CORE_EVENT_RING + CORE_EVENT_RING_SIZE == CORE_INBOX);
    assert!(CORE_INBOX + CORE_INBOX_SIZE == CORE_SPILL);
    assert!(CORE_EVENT_RING_SIZE.is_power_of_two());
    assert!(DRAM_CODE_CAP <= DRAM_CODE_RESERVED);
    assert!(EPIPHANY_WASM_DATA + EPIPHANY_WASM_DATA_CAP == DRAM_CODE_START + DRAM_CODE_RESERVED);
    assert!(DRAM_CODE_START + DRAM_CODE_RESERVED <= DRAM_SHARED_START + DRAM_SHARED_SIZE);
    assert!(DRAM_CODE_START.is_multiple_of(8));
    // An E64 still gets a spill area and a data store.
    assert!(per_core_size(Chip::E64) > CORE_SPILL);
    assert!(spill_size(Chip::E64) >= 128 * 1024 && data_store_size(Chip::E64) >= 64 * 1024);
    // The outbox ends the area; an E64 still gets rings of 512 bytes.
    assert!(outbox_start(Chip::E64) == data_store_start(Chip::E64) + data_store_size(Chip::E64));
    assert!(outbox_start(Chip::E16) == data_store_start(Chip::E16) + data_store_size(Chip::E16));
    assert!(outbox_start(Chip::E16) + outbox_size(Chip::E16) == per_core_size(Chip::E16));
    assert!(outbox_ring_size(Chip::E64) >= 512 && outbox_ring_size(Chip::E16) == 8 * 1024);
};

/// Bytes of DRAM each core owns: the window after the shared area, split
/// evenly and rounded down to a page (E16: 1984 KB, E64: 496 KB).
pub const fn per_core_size(chip: Chip) -> u32 {
    ((DRAM_SIZE - DRAM_CORES_START) / chip.num_cores()) & !(PAGE - 1)
}

/// Start of a core's DRAM area.
pub const fn core_area(chip: Chip, core: CoreId) -> DramOffset {
    DramOffset(DRAM_CORES_START + core.0 * per_core_size(chip))
}

/// Size of a core's spill area (the VM's DRAM memory).
pub const fn spill_size(chip: Chip) -> u32 {
    outbox_start(chip) - CORE_SPILL - data_store_size(chip)
}

/// Size of a core's data store, after its spill area: a quarter of what
/// lies between the inbox and the outbox, in whole pages (E16: 396 KB,
/// E64: 72 KB).
pub const fn data_store_size(chip: Chip) -> u32 {
    ((outbox_start(chip) - CORE_SPILL) / 4) & !(PAGE - 1)
}

/// Bytes of one message ring of a core's outbox (`postbox`): the largest
/// power of two that lets the 2 × num_cores rings take at most a quarter of
/// the core's area, at most 8 KB (E16: 8 KB, E64: 512 bytes). A power of
/// two, so ring positions (byte counts that wrap at 2^32) map to offsets.
pub const fn outbox_ring_size(chip: Chip) -> u32 {
    let fit = per_core_size(chip) / 4 / (2 * chip.num_cores());
    let pow = 1u32 << (31 - fit.leading_zeros());
    if pow > 8 * 1024 { 8 * 1024 } else { pow }
}

/// Size of a core's outbox: one ring per channel and receiving core.
pub const fn outbox_size(chip: Chip) -> u32 {
    2 * chip.num_cores() * outbox_ring_size(chip)
}

/// Offset of a core's outbox in its DRAM area (it ends the area).
pub const fn outbox_start(chip: Chip) -> u32 {
    per_core_size(chip) - outbox_size(chip)
}

/// Offset of a core's data store in its DRAM area.
pub const fn data_store_start(chip: Chip) -> u32 {
    CORE_SPILL + spill_size(chip)
}

/// The data store: device-resident values (`define_on_device`) that outlive
/// a launch, kept by the core in the value encoding. Only the core writes
/// it, except that the loader zeroes its header before the core boots.
///
/// ```text
/// +0       ACTIVE: which half holds the live values (0 or 1)
/// +4       table of half 0: SLOTS × (byte offset in the store, words); 0 words = empty
/// +4+8*SLOTS table of half 1
/// HEADER   half 0 | half 1 (equal sizes, the rest of the store)
/// ```
///
/// At the end of a launch with bindings the core writes every slot into the
/// other half (bound slots from their globals, the others copied) and then
/// flips ACTIVE: a launch that stops half way leaves the old values whole.
pub mod data_store {
    /// Slots (distinct device-resident names) per core.
    pub const SLOTS: u32 = 64;
    pub const ACTIVE: u32 = 0;
    /// Byte offset of half `h`'s slot table.
    pub const fn table(h: u32) -> u32 {
        4 + h * SLOTS * 8
    }
    pub const HEADER_SIZE: u32 = 4 + 2 * SLOTS * 8;
    /// Byte offset and size of half `h` in a store of `size` bytes.
    pub const fn half(size: u32, h: u32) -> (u32, u32) {
        let len = ((size - HEADER_SIZE) / 2) & !3;
        (HEADER_SIZE + h * len, len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_areas_fit_the_window_and_do_not_overlap() {
        for chip in [Chip::E16, Chip::E64] {
            let n = chip.num_cores();
            let last = core_area(chip, CoreId(n - 1)).0 + per_core_size(chip);
            assert!(last <= DRAM_SIZE);
            assert_eq!(core_area(chip, CoreId(1)).0 - core_area(chip, CoreId(0)).0, per_core_size(chip));
            assert!(per_core_size(chip).is_multiple_of(PAGE));
        }
        assert_eq!(per_core_size(Chip::E16), 1984 * 1024);
    }

    #[test]
    fn the_arena_is_what_the_table_leaves() {
        let arena = SRAM_REGIONS.iter().find(|r| r.name == "arena").unwrap();
        assert_eq!(arena.size(), ARENA_SIZE);
    }
}

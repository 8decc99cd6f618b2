//! The proxy board: QEMU's `mps2-an386` (ARM MPS2 with the AN386 FPGA image,
//! a Cortex-M4F), the stand-in for one Epiphany core (design.md §1, §3).
//!
//! | board memory             | what the proxy puts there                                 |
//! |--------------------------|-----------------------------------------------------------|
//! | 0x0000_0000 SSRAM1 (4 MB)| the core's 32 KB window, local addresses as on the chip   |
//! | 0x0040_0000 SSRAM1 mirror| the same window again: [`SRAM_ALIAS`], what `sram()` gives |
//! | 0x2100_0000 PSRAM (16 MB)| the DRAM window ([`DRAM_BASE`], [`DRAM_SIZE`])           |
//!
//! `sram()` hands out the mirror, not address 0: a window based at the null
//! pointer cannot be offset from in Rust (an in-bounds offset of null is
//! undefined behaviour, and LLVM folds it to poison). The chip's platform has
//! the same choice to make and the same answer: its core's global mesh address.
//!
//! This file is also compiled into build.rs (the linker layout), so it holds
//! only constants.

use shared_protocol::chip::SRAM_SIZE;
use shared_protocol::layout::{core_area, per_core_size};
use shared_protocol::{Chip, CoreId};

/// The chip the proxy claims to be, and the one core it has.
pub const CHIP: Chip = Chip::E16;
pub const CORE: CoreId = CoreId(0);

/// Where the core's 32 KB window sits (local address 0, as on the chip).
pub const SRAM_BASE: u32 = 0x0000_0000;
/// The SSRAM1 mirror of the window: the same bytes, at a non-null address.
pub const SRAM_ALIAS: u32 = 0x0040_0000;
/// The board's 16 MB PSRAM holds the DRAM window (the chip's is 32 MB at 0x8E000000).
pub const DRAM_BASE: u32 = 0x2100_0000;
pub const DRAM_SIZE: u32 = 0x0100_0000;

const _: () = {
    assert!(SRAM_ALIAS >= SRAM_BASE + SRAM_SIZE);
    // Core 0's whole DRAM area (status, event ring, inbox, spill) is in the board's RAM.
    assert!(core_area(CHIP, CORE).0 + per_core_size(CHIP) <= DRAM_SIZE);
    assert!(DRAM_BASE & 0xFFF == 0);
};

//! The Epiphany memory map (reference/epiphany-hardware.md §1).
//!
//! Mesh addresses are also the file offsets of the newer driver's
//! `/dev/epiphany/mesh0` and of the simulator file.

/// One core's slot in the mesh is 1 MB: `(mesh core id << 20) | local offset`.
pub const CORE_SLOT_SHIFT: u32 = 20;
/// Local SRAM: 32 KB in four 8 KB banks at local offset 0.
pub const SRAM_SIZE: u32 = 0x8000;
/// The memory-mapped register page (local offsets 0xF0000..0xF1000).
pub const REG_PAGE_OFFSET: u32 = 0xF_0000;
pub const REG_PAGE_SIZE: u32 = 0x1000;

/// The shared DRAM window as the cores see it, and as the mesh0 driver's file
/// offset (reference §1.4, §2.1).
pub const DRAM_BASE: u32 = 0x8E00_0000;
/// The older `/dev/epiphany` driver maps the same DRAM at its ARM physical address.
pub const DRAM_BASE_OLD_DRIVER: u32 = 0x3E00_0000;
pub const DRAM_SIZE: u32 = 0x0200_0000;

/// A core as users number it: 0..rows*cols, row-major ("device N" in prints).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CoreId(pub u32);

/// The 12-bit mesh core id `(row << 6) | col`, with absolute row and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MeshCoreId(pub u32);

/// A 32-bit mesh (Epiphany global) address; also a device-file offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MeshAddr(pub u32);

/// Chip geometry. Rows and columns are parameters so E64 needs no new code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chip {
    pub rows: u32,
    pub cols: u32,
    /// Absolute mesh row/column of core 0 (32, 8 on the Parallella).
    pub first_row: u32,
    pub first_col: u32,
}

impl Chip {
    /// Epiphany-III E16G301 on the Parallella: 4x4 at (32, 8).
    pub const E16: Chip = Chip { rows: 4, cols: 4, first_row: 32, first_col: 8 };
    /// Epiphany-IV E64G401: 8x8 at (32, 8).
    pub const E64: Chip = Chip { rows: 8, cols: 8, first_row: 32, first_col: 8 };
    /// The most cores any layout in this crate must serve (postboxes, group masks).
    pub const MAX_CORES: u32 = 64;

    pub const fn num_cores(&self) -> u32 {
        self.rows * self.cols
    }

    pub const fn core(&self, index: u32) -> Option<CoreId> {
        if index < self.num_cores() { Some(CoreId(index)) } else { None }
    }

    /// (row, col) relative to core 0.
    pub const fn coords(&self, core: CoreId) -> (u32, u32) {
        (core.0 / self.cols, core.0 % self.cols)
    }

    pub const fn mesh_id(&self, core: CoreId) -> MeshCoreId {
        let (r, c) = self.coords(core);
        MeshCoreId(((self.first_row + r) << 6) | (self.first_col + c))
    }

    /// The core with this mesh id, if it is on this chip.
    pub const fn core_of_mesh_id(&self, id: MeshCoreId) -> Option<CoreId> {
        let row = id.0 >> 6;
        let col = id.0 & 0x3F;
        if row < self.first_row || col < self.first_col {
            return None;
        }
        let (r, c) = (row - self.first_row, col - self.first_col);
        if r < self.rows && c < self.cols { Some(CoreId(r * self.cols + c)) } else { None }
    }

    /// Mesh address of local offset 0 of this core (its SRAM).
    pub const fn sram_base(&self, core: CoreId) -> MeshAddr {
        MeshAddr(self.mesh_id(core).0 << CORE_SLOT_SHIFT)
    }

    /// Mesh address of this core's register page.
    pub const fn regs_base(&self, core: CoreId) -> MeshAddr {
        MeshAddr(self.sram_base(core).0 | REG_PAGE_OFFSET)
    }
}

/// Register offsets, local to a core's 1 MB slot (reference §1.3).
/// Use [`reg::page_offset`] for the offset inside the mapped register page.
pub mod reg {
    pub const CONFIG: u32 = 0xF0400;
    pub const STATUS: u32 = 0xF0404;
    pub const PC: u32 = 0xF0408;
    pub const DEBUGSTATUS: u32 = 0xF040C;
    pub const LC: u32 = 0xF0414;
    pub const LS: u32 = 0xF0418;
    pub const LE: u32 = 0xF041C;
    pub const IRET: u32 = 0xF0420;
    pub const IMASK: u32 = 0xF0424;
    pub const ILAT: u32 = 0xF0428;
    /// Write-1-to-set ILAT bits.
    pub const ILATST: u32 = 0xF042C;
    /// Write-1-to-clear ILAT bits.
    pub const ILATCL: u32 = 0xF0430;
    pub const IPEND: u32 = 0xF0434;
    pub const CTIMER0: u32 = 0xF0438;
    pub const CTIMER1: u32 = 0xF043C;
    pub const FSTATUS: u32 = 0xF0440;
    pub const DEBUGCMD: u32 = 0xF0448;
    pub const DMA0_CONFIG: u32 = 0xF0500;
    pub const DMA0_STATUS: u32 = 0xF051C;
    pub const DMA1_CONFIG: u32 = 0xF0520;
    pub const DMA1_STATUS: u32 = 0xF053C;
    /// Each DMA channel has 8 registers: CONFIG, STRIDE, COUNT, SRCADDR,
    /// DSTADDR, AUTODMA0, AUTODMA1, STATUS.
    pub const DMA_CHANNEL_WORDS: u32 = 8;
    pub const MEMSTATUS: u32 = 0xF0604;
    pub const MEMPROTECT: u32 = 0xF0608;
    pub const MESHCONFIG: u32 = 0xF0700;
    pub const COREID: u32 = 0xF0704;
    pub const MULTICAST: u32 = 0xF0708;
    pub const RESETCORE: u32 = 0xF070C;

    /// Offset of a register inside the 4 KB register page mapping.
    pub const fn page_offset(reg: u32) -> usize {
        (reg - super::REG_PAGE_OFFSET) as usize
    }
}

/// ILAT / ILATST / ILATCL / IMASK bits: one per IVT entry (reference §3.4).
pub mod irq {
    pub const SYNC: u32 = 1 << 0;
    pub const SWE: u32 = 1 << 1;
    pub const PROT: u32 = 1 << 2;
    pub const TIMER0: u32 = 1 << 3;
    pub const TIMER1: u32 = 1 << 4;
    pub const MESSAGE: u32 = 1 << 5;
    pub const DMA0: u32 = 1 << 6;
    pub const DMA1: u32 = 1 << 7;
    pub const WAND: u32 = 1 << 8;
    /// The doorbell: the host and other cores raise it to wake an idle core.
    pub const USER: u32 = 1 << 9;
    pub const ALL: u32 = 0x3FF;
}

/// STATUS bits.
pub mod status {
    pub const ACTIVE: u32 = 1 << 0;
    pub const GID: u32 = 1 << 1;
    pub const EXCAUSE_SHIFT: u32 = 16;
    pub const EXCAUSE_MASK: u32 = 0xF << EXCAUSE_SHIFT;
    /// E3 EXCAUSE values.
    pub const EXCAUSE_UNALIGNED: u32 = 2;
    pub const EXCAUSE_FPU: u32 = 3;
    pub const EXCAUSE_UNIMPLEMENTED: u32 = 4;
    pub const EXCAUSE_ILLEGAL: u32 = 5;
}

/// DEBUGSTATUS bits.
pub mod debugstatus {
    pub const HALT: u32 = 1 << 0;
    /// An external load or fetch is outstanding: do not reset the core now.
    pub const EXT_PEND: u32 = 1 << 1;
}

/// DEBUGCMD values.
pub mod debugcmd {
    pub const RUN: u32 = 0;
    pub const HALT: u32 = 1;
}

/// CONFIG values used by the reset sequences (reference §3.1).
pub mod config {
    pub const PAUSE_DMA: u32 = 0x0100_0000;
    pub const CLOCK_GATING: u32 = 0x0040_0000;
}

/// The soft-reset idle payload's entry (reference §3.1C step 7): a core
/// resumed at this PC with the payload in SRAM goes idle with no interrupts
/// pending.
pub const SOFT_RESET_PC: u32 = 0x2C;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e16_mesh_addresses_match_the_reference() {
        let chip = Chip::E16;
        assert_eq!(chip.sram_base(CoreId(0)), MeshAddr(0x8080_0000));
        assert_eq!(chip.sram_base(CoreId(3)), MeshAddr(0x80B0_0000));
        assert_eq!(chip.sram_base(CoreId(4)), MeshAddr(0x8480_0000));
        assert_eq!(chip.sram_base(CoreId(15)), MeshAddr(0x8CB0_0000));
        assert_eq!(chip.regs_base(CoreId(0)), MeshAddr(0x808F_0000));
        assert_eq!(chip.mesh_id(CoreId(0)), MeshCoreId(0x808));
    }

    #[test]
    fn mesh_ids_round_trip_on_e16_and_e64() {
        for chip in [Chip::E16, Chip::E64] {
            for i in 0..chip.num_cores() {
                let id = chip.mesh_id(CoreId(i));
                assert_eq!(chip.core_of_mesh_id(id), Some(CoreId(i)));
            }
            assert_eq!(chip.core(chip.num_cores()), None);
        }
        assert_eq!(Chip::E16.core_of_mesh_id(MeshCoreId(0x80C)), None);
    }

    #[test]
    fn the_dram_window_does_not_overlap_any_core() {
        let chip = Chip::E64;
        let last = chip.sram_base(CoreId(63)).0;
        assert!(last + (1 << CORE_SLOT_SHIFT) <= DRAM_BASE || last >= DRAM_BASE + DRAM_SIZE);
    }
}

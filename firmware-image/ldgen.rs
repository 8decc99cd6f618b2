//! Writes the memory part of the linker scripts from shared-protocol's layout
//! table, so the scripts cannot drift from it (design.md §8).
//!
//! Used by build.rs (the proxy image links with the text generated into
//! OUT_DIR) and by tests/layout.rs (the copies checked in under linker/ must
//! equal what this generates; `EPYTHON_UPDATE_LAYOUT=1 cargo test -p
//! firmware-image --test layout` rewrites them).

use std::fmt::Write;

use shared_protocol::chip::SRAM_SIZE;
use shared_protocol::layout::{
    ARENA_END, ARENA_START, CODE_BUDGET, CODE_END, CODE_START, COMMAND_SLOT_SIZE,
    COMMAND_SLOT_START, CORE_EVENT_RING, CORE_INBOX, CORE_SPILL, CORE_STATUS, DRAM_CODE_CAP,
    DRAM_CODE_RESERVED, DRAM_CODE_START, DRAM_SHARED_SIZE, DRAM_SHARED_START, EXT_MEM_CFG,
    IVT_START, LOADER_CFG, POSTBOX_SIZE, POSTBOX_START, SRAM_REGIONS, STACK_BOTTOM, STACK_SIZE,
    STACK_TOP, WORKGROUP_CFG, core_area, per_core_size,
};
use shared_protocol::{Chip, CoreId};

/// Which script: the chip's (linker/epiphany.ld) or the proxy board's (linker/proxy.ld).
#[derive(Clone, Copy, Debug)]
pub enum Target {
    Epiphany,
    /// The proxy's DRAM window: base and size in the board's RAM.
    Proxy {
        dram_base: u32,
        dram_size: u32,
    },
}

impl Target {
    /// The file name the target's section script INCLUDEs.
    pub fn file_name(self) -> &'static str {
        match self {
            Target::Epiphany => "epiphany-layout.ld",
            Target::Proxy { .. } => "proxy-layout.ld",
        }
    }
}

/// The MEMORY block and the layout symbols for `target`.
pub fn layout_ld(target: Target) -> String {
    let (dram_base, dram_size, what) = match target {
        Target::Epiphany => (
            shared_protocol::chip::DRAM_BASE,
            shared_protocol::chip::DRAM_SIZE,
            "the Epiphany core (local SRAM addresses; DRAM window at the chip's address)",
        ),
        Target::Proxy {
            dram_base,
            dram_size,
        } => (
            dram_base,
            dram_size,
            "the thumbv7em proxy board (same SRAM layout; DRAM window in the board's RAM)",
        ),
    };
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(
        w,
        "/* GENERATED from shared-protocol/src/layout.rs by firmware-image/ldgen.rs: do not edit."
    );
    let _ = writeln!(w, " * Layout of {what}.");
    let _ = writeln!(
        w,
        " * Regenerate: EPYTHON_UPDATE_LAYOUT=1 cargo test -p firmware-image --test layout */"
    );
    let _ = writeln!(w);
    let _ = writeln!(w, "MEMORY");
    let _ = writeln!(w, "{{");
    let regions: [(&str, &str, u32, u32); 9] = [
        ("IVT", "rx", IVT_START, WORKGROUP_CFG),
        ("WORKGROUP_CFG", "rw", WORKGROUP_CFG, EXT_MEM_CFG),
        ("EXT_MEM_CFG", "rw", EXT_MEM_CFG, LOADER_CFG),
        // loader_cfg (4 words) and the reserved bytes up to the code.
        ("LOADER_CFG", "rw", LOADER_CFG, CODE_START),
        ("CODE", "rx", CODE_START, CODE_END),
        (
            "COMMAND",
            "rw",
            COMMAND_SLOT_START,
            COMMAND_SLOT_START + COMMAND_SLOT_SIZE,
        ),
        ("POSTBOX", "rw", POSTBOX_START, POSTBOX_START + POSTBOX_SIZE),
        ("ARENA", "rw", ARENA_START, ARENA_END),
        ("STACK", "rw", STACK_BOTTOM, STACK_TOP),
    ];
    for (name, attr, start, end) in regions {
        let _ = writeln!(
            w,
            "  {name:<14}({attr}) : ORIGIN = 0x{start:08X}, LENGTH = 0x{:X}",
            end - start
        );
    }
    let _ = writeln!(
        w,
        "  {:<14}(rw) : ORIGIN = 0x{dram_base:08X}, LENGTH = 0x{dram_size:X}",
        "DRAM"
    );
    // Inside DRAM's shared area: the cold code (resident vs DRAM code, linker/README.md).
    let _ = writeln!(
        w,
        "  {:<14}(rx) : ORIGIN = 0x{:08X}, LENGTH = 0x{DRAM_CODE_CAP:X}",
        "DRAM_CODE",
        dram_base + DRAM_CODE_START
    );
    let _ = writeln!(w, "}}");
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "/* The table, region by region (shared_protocol::layout::SRAM_REGIONS). */"
    );
    for r in SRAM_REGIONS {
        let sym = r.name.replace('+', "_");
        let _ = writeln!(w, "__layout_{sym}_start = 0x{:08X};", r.start);
        let _ = writeln!(w, "__layout_{sym}_end = 0x{:08X};", r.end);
    }
    let _ = writeln!(w);
    let syms: [(&str, u32); 24] = [
        ("__sram_size", SRAM_SIZE),
        ("__ivt_start", IVT_START),
        ("__workgroup_cfg", WORKGROUP_CFG),
        ("__ext_mem_cfg", EXT_MEM_CFG),
        ("__loader_cfg", LOADER_CFG),
        ("__code_start", CODE_START),
        ("__code_budget", CODE_BUDGET),
        ("__code_end", CODE_END),
        ("__command_slot", COMMAND_SLOT_START),
        ("__postbox", POSTBOX_START),
        ("__arena_start", ARENA_START),
        ("__arena_end", ARENA_END),
        ("__stack_bottom", STACK_BOTTOM),
        ("__stack_size", STACK_SIZE),
        ("__stack_top", STACK_TOP),
        ("__dram_base", dram_base),
        ("__dram_size", dram_size),
        ("__dram_shared_start", dram_base + DRAM_SHARED_START),
        (
            "__dram_shared_end",
            dram_base + DRAM_SHARED_START + DRAM_SHARED_SIZE,
        ),
        ("__dram_code_start", dram_base + DRAM_CODE_START),
        ("__dram_code_offset", DRAM_CODE_START),
        ("__dram_code_cap", DRAM_CODE_CAP),
        (
            "__dram_code_reserved_end",
            dram_base + DRAM_CODE_START + DRAM_CODE_RESERVED,
        ),
        ("__protocol_version", shared_protocol::PROTOCOL_VERSION),
    ];
    for (name, v) in syms {
        let _ = writeln!(w, "{name} = 0x{v:08X};");
    }
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "/* Core 0's DRAM area on an E16, as addresses in the window above. */"
    );
    let area = dram_base + core_area(Chip::E16, CoreId(0)).0;
    let dram: [(&str, u32); 5] = [
        ("__core0_status", area + CORE_STATUS),
        ("__core0_event_ring", area + CORE_EVENT_RING),
        ("__core0_inbox", area + CORE_INBOX),
        ("__core0_spill", area + CORE_SPILL),
        ("__core0_area_end", area + per_core_size(Chip::E16)),
    ];
    for (name, v) in dram {
        let _ = writeln!(w, "{name} = 0x{v:08X};");
    }
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "ASSERT(__core0_area_end <= __dram_base + __dram_size, \"core 0's DRAM area does not fit the DRAM window\");"
    );
    let _ = writeln!(
        w,
        "ASSERT(__dram_code_start + __dram_code_cap <= __dram_code_reserved_end && __dram_code_reserved_end <= __dram_shared_end && __dram_shared_end <= __core0_status, \"the DRAM code region must stay in the DRAM window's shared area, below every core's area\");"
    );
    s
}

//! Loading ELF images built with the vendor's e-gcc: an e-loader replacement
//! (reference §3.2; issue 7 "ELF loading").
//!
//! [`Device::load_elf`] reads the whole file, parses it with the `object`
//! crate and checks every program header against the group of target cores
//! BEFORE it touches the device: a refused image leaves the device exactly as
//! it was. Only then does it soft-reset the target cores (§3.1C), zero their
//! SRAM, copy each segment word by word (partial words at a segment's ends
//! are read, merged and written back: SRAM and DRAM only), zero BSS itself
//! (e-loader does not: §3.2 step 6e), and write e-lib's config blocks where
//! the image has their sections (§3.2 step 7). [`Device::start_cores`]
//! (reset.rs) then raises SYNC on each core (§3.3).
//!
//! What is accepted (stricter than e-loader, which checks neither `p_type`
//! nor overlaps nor truncation):
//!
//! - ELF32, little-endian, `EV_CURRENT`, `ET_EXEC`, `e_machine` 0x1223
//!   (EM_ADAPTEVA_EPIPHANY);
//! - program headers: `PT_LOAD` only (any other type with `p_memsz > 0` is
//!   refused; empty ones are ignored), `p_filesz <= p_memsz`, the file data
//!   inside the file;
//! - each segment `[p_vaddr, p_vaddr + p_memsz)` entirely inside ONE of: local
//!   SRAM (`< 0x8000`, relocated to every target core), the SRAM of a core in
//!   the group by its global (mesh) address, or the DRAM window
//!   (0x8E000000..0x90000000). Register pages, holes, other cores and ranges
//!   that straddle two of these are refused;
//! - no two segments overlap where they land (a local segment lands on every
//!   target core);
//! - the sections `workgroup_cfg`, `ext_mem_cfg`, `loader_cfg`, where present,
//!   at word-aligned local SRAM addresses (e-gcc's fast.ldf puts them at
//!   0x28/0x50/0x58), and with `workgroup_cfg` the cores must form a
//!   rectangle (e-lib computes neighbours from it).

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use object::LittleEndian;
use object::elf;
use object::read::ReadRef;
use object::elf::FileHeader32;
use object::read::elf::{FileHeader, ProgramHeader, SectionHeader};
use shared_protocol::chip::{CORE_SLOT_SHIFT, DRAM_BASE, DRAM_SIZE, MeshCoreId, REG_PAGE_OFFSET, REG_PAGE_SIZE, SRAM_SIZE};
use shared_protocol::{Chip, CoreId};

use crate::device::Device;
use crate::error::LoaderError;
use crate::mem::Window;

/// `e_machine` of Epiphany images (EM_ADAPTEVA_EPIPHANY).
pub const EM_ADAPTEVA_EPIPHANY: u16 = 0x1223;

/// e-lib's `e_group_config_t` objtype (E_EPI_GROUP) and chip types
/// (E16G301, E64G401).
const E_EPI_GROUP: u32 = 3;
const E_E16G301: u32 = 0;
const E_E64G401: u32 = 1;
/// e-lib's `e_emem_config_t` objtype (E_SHARED_MEM).
const E_SHARED_MEM: u32 = 5;
/// `loader_cfg.flags`: BSS already zeroed by the loader (crt0 skips its clear).
const LOADER_BSS_CLEARED: u32 = 1;

/// The three config sections: name, size of the struct the loader writes.
const WORKGROUP_CFG: (&str, u32) = ("workgroup_cfg", 40);
const EXT_MEM_CFG: (&str, u32) = ("ext_mem_cfg", 8);
const LOADER_CFG: (&str, u32) = ("loader_cfg", 16);

/// Where a segment lands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegmentTarget {
    /// Local SRAM address: written to the same offset on every target core.
    Local,
    /// The global SRAM address of this core (one of the group).
    Core(CoreId),
    /// The shared DRAM window (written once).
    Dram,
}

/// One `PT_LOAD` segment that was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElfSegment {
    /// Index in the program header table.
    pub index: usize,
    pub vaddr: u32,
    /// Bytes copied from the file.
    pub filesz: u32,
    /// Bytes in memory: `memsz - filesz` bytes of BSS were zeroed.
    pub memsz: u32,
    pub target: SegmentTarget,
}

/// What landed in one target core's SRAM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoreLoad {
    pub core: CoreId,
    /// Segments written to this core's SRAM (local ones and those addressed
    /// to it globally).
    pub segments: usize,
    /// Their `p_memsz` total (file data + zeroed BSS).
    pub bytes: u64,
}

/// Which e-lib config blocks were written (at the section's address on each
/// target core).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConfigBlocks {
    pub workgroup_cfg: Option<u32>,
    pub ext_mem_cfg: Option<u32>,
    pub loader_cfg: Option<u32>,
}

/// What [`Device::load_elf`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElfReport {
    pub path: PathBuf,
    /// `e_entry` (informational: cores start at IVT entry 0 on SYNC).
    pub entry: u32,
    /// The segments written, in program header order.
    pub segments: Vec<ElfSegment>,
    /// Per target core, in the order given.
    pub cores: Vec<CoreLoad>,
    /// Segments written to the DRAM window, and their `p_memsz` total.
    pub dram_segments: usize,
    pub dram_bytes: u64,
    pub config: ConfigBlocks,
}

/// A checked image: everything needed to write it, nothing written yet.
struct Plan<'d> {
    entry: u32,
    segments: Vec<(ElfSegment, &'d [u8])>,
    config: ConfigBlocks,
    group: Group,
}

/// The bounding rectangle of the target cores (absolute mesh coordinates).
#[derive(Clone, Copy, Debug)]
struct Group {
    row: u32,
    col: u32,
    rows: u32,
    cols: u32,
    /// Every core of the rectangle is a target.
    full: bool,
}

impl Group {
    fn of(chip: Chip, cores: &[CoreId]) -> Group {
        let abs = |c: CoreId| {
            let (r, col) = chip.coords(c);
            (chip.first_row + r, chip.first_col + col)
        };
        let rows = cores.iter().map(|&c| abs(c).0);
        let cols = cores.iter().map(|&c| abs(c).1);
        let (r0, r1) = (rows.clone().min().unwrap_or(0), rows.max().unwrap_or(0));
        let (c0, c1) = (cols.clone().min().unwrap_or(0), cols.max().unwrap_or(0));
        let (nr, nc) = (r1 - r0 + 1, c1 - c0 + 1);
        Group { row: r0, col: c0, rows: nr, cols: nc, full: cores.len() as u64 == u64::from(nr) * u64::from(nc) }
    }
}

impl Device {
    /// Load an e-gcc ELF image onto `cores` (an e-loader replacement,
    /// reference §3.2): validate everything first (a refused image writes
    /// nothing), then soft-reset the cores, zero their SRAM, copy the
    /// segments, zero BSS, write the config blocks. The cores stay idle;
    /// [`Device::start_cores`] starts them. The cores are no longer booted
    /// for the mailbox.
    pub fn load_elf(&self, path: &Path, cores: &[CoreId]) -> Result<ElfReport, LoaderError> {
        self.check_cores(cores)?;
        if cores.is_empty() {
            return Err(LoaderError::InvalidArgument(format!(
                "ELF image {}: no cores to load it onto",
                path.display()
            )));
        }
        let data = std::fs::read(path).map_err(|e| {
            LoaderError::InvalidArgument(format!("cannot read ELF image {}: {e}", path.display()))
        })?;
        // Checked before anything is written.
        plan(path, &data, self.chip, cores)?;
        for &core in cores {
            self.booted[core.0 as usize].store(false, Ordering::SeqCst);
            self.soft_reset(core)?;
        }
        self.write_elf_image(path, &data, cores)
    }

    /// Writes a checked ELF image onto cores that are reset and idle (the
    /// rest of [`Device::load_elf`], and the boot of the Epiphany firmware):
    /// zero their SRAM, copy the segments, zero BSS, write the config blocks.
    pub(crate) fn write_elf_image(&self, path: &Path, data: &[u8], cores: &[CoreId]) -> Result<ElfReport, LoaderError> {
        let plan = plan(path, data, self.chip, cores)?;
        for &core in cores {
            self.sram(core).zero(0, SRAM_SIZE as usize);
        }
        let mut per_core: Vec<CoreLoad> = cores.iter().map(|&core| CoreLoad { core, segments: 0, bytes: 0 }).collect();
        let (mut dram_segments, mut dram_bytes) = (0, 0);
        let dram = self.dram_window();
        for (seg, bytes) in &plan.segments {
            let zeros = (seg.memsz - seg.filesz) as usize;
            match seg.target {
                SegmentTarget::Local => {
                    for load in &mut per_core {
                        write_span(&self.sram(load.core), seg.vaddr as usize, bytes, zeros);
                        load.segments += 1;
                        load.bytes += u64::from(seg.memsz);
                    }
                }
                SegmentTarget::Core(core) => {
                    let offset = (seg.vaddr & ((1 << CORE_SLOT_SHIFT) - 1)) as usize;
                    write_span(&self.sram(core), offset, bytes, zeros);
                    if let Some(load) = per_core.iter_mut().find(|l| l.core == core) {
                        load.segments += 1;
                        load.bytes += u64::from(seg.memsz);
                    }
                }
                SegmentTarget::Dram => {
                    write_span(&dram, (seg.vaddr - DRAM_BASE) as usize, bytes, zeros);
                    dram_segments += 1;
                    dram_bytes += u64::from(seg.memsz);
                }
            }
        }
        self.write_config_blocks(&plan, cores);
        // Segments may land in any core's SRAM or inbox.
        self.images.invalidate_all();
        Ok(ElfReport {
            path: path.to_path_buf(),
            entry: plan.entry,
            segments: plan.segments.into_iter().map(|(s, _)| s).collect(),
            cores: per_core,
            dram_segments,
            dram_bytes,
            config: plan.config,
        })
    }

    /// Reference §3.2 step 7: e_group_config_t, e_emem_config_t, loader_cfg.
    fn write_config_blocks(&self, plan: &Plan<'_>, cores: &[CoreId]) {
        let g = plan.group;
        let chip_type = if self.chip == Chip::E64 { E_E64G401 } else { E_E16G301 };
        for &core in cores {
            let sram = self.sram(core);
            let (r, c) = self.chip.coords(core);
            let (row, col) = (self.chip.first_row + r, self.chip.first_col + c);
            if let Some(at) = plan.config.workgroup_cfg {
                let words = [
                    E_EPI_GROUP,
                    chip_type,
                    (g.row << 6) | g.col,
                    g.row,
                    g.col,
                    g.rows,
                    g.cols,
                    row - g.row,
                    col - g.col,
                    0xDEAD_BEEF,
                ];
                store_words(&sram, at, &words);
            }
            if let Some(at) = plan.config.ext_mem_cfg {
                store_words(&sram, at, &[E_SHARED_MEM, DRAM_BASE]);
            }
            if let Some(at) = plan.config.loader_cfg {
                store_words(&sram, at, &[LOADER_BSS_CLEARED, 0, 0, 0]);
            }
        }
    }
}

/// The `len` bytes of `data`'s loadable segments at address `addr` (all in
/// one segment's file data): the firmware header of an Epiphany firmware.
pub(crate) fn bytes_at(data: &[u8], addr: u32, len: u32) -> Result<&[u8], String> {
    let elf = object::read::elf::ElfFile32::<LittleEndian>::parse(data).map_err(|e| format!("not an ELF image: {e}"))?;
    let endian = LittleEndian;
    if elf.elf_header().e_machine(endian).0 != EM_ADAPTEVA_EPIPHANY {
        return Err(format!("an ELF image for machine {}, not the Epiphany ({EM_ADAPTEVA_EPIPHANY:#x})", elf.elf_header().e_machine(endian).0));
    }
    for ph in elf.elf_program_headers() {
        let (vaddr, filesz) = (ph.p_vaddr(endian), ph.p_filesz(endian));
        if ph.p_type(endian) == elf::PT_LOAD && vaddr <= addr && addr.saturating_add(len) <= vaddr.saturating_add(filesz) {
            let seg = ph.data(endian, data).map_err(|()| "a segment lies outside the file".to_string())?;
            let at = (addr - vaddr) as usize;
            return seg.get(at..at + len as usize).ok_or_else(|| "a segment lies outside the file".to_string());
        }
    }
    Err(format!("no loadable segment holds {len} bytes at {addr:#x}"))
}

fn store_words(win: &Window, at: u32, words: &[u32]) {
    for (i, w) in words.iter().enumerate() {
        win.store(at as usize + 4 * i, *w);
    }
}

/// Write `data` and then `zeros` zero bytes at byte offset `at` of `win`, one
/// aligned word at a time. A word only partly covered (an unaligned start or
/// end) is read, merged and written back; `win` must be memory (SRAM or
/// DRAM), never registers.
fn write_span(win: &Window, at: usize, data: &[u8], zeros: usize) {
    let end = at + data.len() + zeros;
    let byte = |a: usize| data.get(a - at).copied().unwrap_or(0);
    for w in (at & !3..end.next_multiple_of(4)).step_by(4) {
        let mut bytes = if w >= at && w + 4 <= end { [0; 4] } else { win.load(w).to_le_bytes() };
        for (k, b) in bytes.iter_mut().enumerate() {
            if (at..end).contains(&(w + k)) {
                *b = byte(w + k);
            }
        }
        win.store(w, u32::from_le_bytes(bytes));
    }
}

/// Check an image against the chip and the group; return what to write.
fn plan<'d>(path: &Path, data: &'d [u8], chip: Chip, cores: &[CoreId]) -> Result<Plan<'d>, LoaderError> {
    let bad = |why: String| LoaderError::InvalidArgument(format!("ELF image {}: {why}", path.display()));

    // The identification bytes first, for a precise message.
    let raw: &FileHeader32<LittleEndian> = data
        .read_at(0)
        .map_err(|()| bad(format!("not an ELF file: {} bytes, too short for an ELF header", data.len())))?;
    let ident = &raw.e_ident;
    if ident.magic != elf::ELFMAG {
        return Err(bad("not an ELF file (no \\x7fELF magic)".into()));
    }
    if ident.class != elf::ELFCLASS32 {
        let class = if ident.class == elf::ELFCLASS64 { "ELF64".to_owned() } else { format!("ELF class {}", ident.class.0) };
        return Err(bad(format!("{class}; Epiphany images are ELF32")));
    }
    if ident.data != elf::ELFDATA2LSB {
        return Err(bad("big-endian (or unknown data encoding); Epiphany images are little-endian".into()));
    }
    if ident.version != elf::EV_CURRENT {
        return Err(bad(format!("ELF identification version {}, expected {}", ident.version.0, elf::EV_CURRENT.0)));
    }
    let header = FileHeader32::<LittleEndian>::parse(data).map_err(|e| bad(format!("bad ELF header: {e}")))?;
    let endian = header.endian().map_err(|e| bad(format!("bad ELF header: {e}")))?;
    if header.e_machine(endian).0 != EM_ADAPTEVA_EPIPHANY {
        return Err(bad(format!(
            "e_machine is {:#x}, not {EM_ADAPTEVA_EPIPHANY:#x} (Epiphany); was it built with e-gcc?",
            header.e_machine(endian).0
        )));
    }
    if header.e_type(endian) != elf::ET_EXEC {
        return Err(bad(format!(
            "e_type is {}, not ET_EXEC (2): only linked executables can be loaded",
            header.e_type(endian).0
        )));
    }
    if header.e_version(endian) != u32::from(elf::EV_CURRENT.0) {
        return Err(bad(format!("e_version is {}, expected {}", header.e_version(endian), elf::EV_CURRENT.0)));
    }
    let phdrs = header.program_headers(endian, data).map_err(|e| bad(format!("bad program header table: {e}")))?;
    if phdrs.is_empty() {
        return Err(bad("no program headers: nothing to load".into()));
    }

    let mut segments = Vec::new();
    for (index, ph) in phdrs.iter().enumerate() {
        let (vaddr, filesz, memsz) = (ph.p_vaddr(endian), ph.p_filesz(endian), ph.p_memsz(endian));
        let range = format!("segment {index} [{vaddr:#010x}, {:#010x})", u64::from(vaddr) + u64::from(memsz));
        let p_type = ph.p_type(endian);
        if p_type != elf::PT_LOAD {
            if memsz == 0 {
                continue;
            }
            return Err(bad(format!(
                "{range}: program header type {} is not PT_LOAD; only PT_LOAD segments can be loaded",
                program_type_name(p_type.0)
            )));
        }
        if filesz > memsz {
            return Err(bad(format!("{range}: p_filesz {filesz:#x} is larger than p_memsz {memsz:#x}")));
        }
        if memsz == 0 {
            continue;
        }
        let bytes = ph.data(endian, data).map_err(|()| {
            bad(format!(
                "{range}: its file data [{:#x}, {:#x}) lies past the end of the file ({:#x} bytes): truncated?",
                ph.p_offset(endian),
                u64::from(ph.p_offset(endian)) + u64::from(filesz),
                data.len()
            ))
        })?;
        let target = classify(chip, cores, vaddr, memsz).map_err(|why| bad(format!("{range}: {why}")))?;
        segments.push((ElfSegment { index, vaddr, filesz, memsz, target }, bytes));
    }
    check_overlaps(chip, cores, &segments).map_err(bad)?;

    // e-lib's config sections (reference §3.2 step 3).
    let sections = header.sections(endian, data).map_err(|e| bad(format!("bad section header table: {e}")))?;
    let mut config = ConfigBlocks::default();
    for ((name, size), slot) in [
        (WORKGROUP_CFG, &mut config.workgroup_cfg),
        (EXT_MEM_CFG, &mut config.ext_mem_cfg),
        (LOADER_CFG, &mut config.loader_cfg),
    ] {
        if let Some((_, sh)) = sections.section_by_name(endian, name.as_bytes()) {
            let addr = sh.sh_addr(endian);
            if !addr.is_multiple_of(4) || u64::from(addr) + u64::from(size) > u64::from(SRAM_SIZE) {
                return Err(bad(format!(
                    "section {name} is at {addr:#x}; the loader writes a {size}-byte config block there, so it must be a word-aligned local SRAM address (e-gcc's linker scripts put it below 0x100)"
                )));
            }
            *slot = Some(addr);
        }
    }
    let group = Group::of(chip, cores);
    if config.workgroup_cfg.is_some() && !group.full {
        return Err(bad(format!(
            "it has a workgroup_cfg section, so the cores must form a rectangle (e-lib finds its neighbours from it); cores {} do not fill the {}x{} rectangle at row {}, col {}",
            core_list(cores),
            group.rows,
            group.cols,
            group.row - chip.first_row,
            group.col - chip.first_col
        )));
    }
    Ok(Plan { entry: header.e_entry(endian), segments, config, group })
}

/// Where `[vaddr, vaddr + memsz)` lands, or why it may not be loaded.
fn classify(chip: Chip, cores: &[CoreId], vaddr: u32, memsz: u32) -> Result<SegmentTarget, String> {
    const SLOT: u64 = 1 << CORE_SLOT_SHIFT;
    let where_ok = format!(
        "a segment must lie inside local SRAM [0, {SRAM_SIZE:#x}), the SRAM of a core being loaded, or the DRAM window [{DRAM_BASE:#x}, {:#x})",
        u64::from(DRAM_BASE) + u64::from(DRAM_SIZE)
    );
    let (start, end) = (u64::from(vaddr), u64::from(vaddr) + u64::from(memsz));
    let (dram_lo, dram_hi) = (u64::from(DRAM_BASE), u64::from(DRAM_BASE) + u64::from(DRAM_SIZE));
    if start >= dram_lo {
        return if end <= dram_hi {
            Ok(SegmentTarget::Dram)
        } else {
            Err(format!("runs past the end of the DRAM window; {where_ok}"))
        };
    }
    if end > dram_lo {
        return Err(format!("straddles the start of the DRAM window; {where_ok}"));
    }
    let slot_base = start & !(SLOT - 1);
    let (off, end_off) = (start - slot_base, end - slot_base);
    let within_slot = |whose: &str| -> String {
        let (regs_lo, regs_hi) = (u64::from(REG_PAGE_OFFSET), u64::from(REG_PAGE_OFFSET + REG_PAGE_SIZE));
        if end_off > SLOT {
            format!("crosses the end of {whose} 1 MB slot; {where_ok}")
        } else if off < regs_hi && end_off > regs_lo {
            format!("overlaps {whose} register page [{regs_lo:#x}, {regs_hi:#x}); images may not write registers; {where_ok}")
        } else if off < u64::from(SRAM_SIZE) {
            format!("runs past the end of {whose} SRAM ({SRAM_SIZE:#x}) into unmapped space; {where_ok}")
        } else {
            format!("lies in the unmapped hole of {whose} slot between SRAM and the register page; {where_ok}")
        }
    };
    if slot_base == 0 {
        // A local address (e-loader: < 0x100000): relocated to each target core.
        return if end_off <= u64::from(SRAM_SIZE) { Ok(SegmentTarget::Local) } else { Err(within_slot("the core's")) };
    }
    let mesh = MeshCoreId((start >> CORE_SLOT_SHIFT) as u32);
    let Some(core) = chip.core_of_mesh_id(mesh) else {
        return Err(format!(
            "is in the slot of mesh core {:#x} (row {}, col {}), which is not a core of this {}x{} chip; {where_ok}",
            mesh.0,
            mesh.0 >> 6,
            mesh.0 & 0x3F,
            chip.rows,
            chip.cols
        ));
    };
    if !cores.contains(&core) {
        return Err(format!(
            "is core {}'s memory, and core {} is outside the group being loaded (cores {}); {where_ok}",
            core.0,
            core.0,
            core_list(cores)
        ));
    }
    if end_off <= u64::from(SRAM_SIZE) {
        Ok(SegmentTarget::Core(core))
    } else {
        Err(within_slot(&format!("core {}'s", core.0)))
    }
}

/// Refuse segments whose destinations overlap (a local segment lands on
/// every target core, so it may collide with a global one).
fn check_overlaps(chip: Chip, cores: &[CoreId], segments: &[(ElfSegment, &[u8])]) -> Result<(), String> {
    // (destination: None = DRAM, start, end, segment)
    let mut dests: Vec<(Option<CoreId>, u64, u64, &ElfSegment)> = Vec::new();
    for (seg, _) in segments {
        let len = u64::from(seg.memsz);
        match seg.target {
            SegmentTarget::Local => {
                for &core in cores {
                    dests.push((Some(core), u64::from(seg.vaddr), u64::from(seg.vaddr) + len, seg));
                }
            }
            SegmentTarget::Core(core) => {
                let off = u64::from(seg.vaddr - chip.sram_base(core).0);
                dests.push((Some(core), off, off + len, seg));
            }
            SegmentTarget::Dram => {
                let off = u64::from(seg.vaddr - DRAM_BASE);
                dests.push((None, off, off + len, seg));
            }
        }
    }
    dests.sort_by_key(|&(dest, start, _, seg)| (dest.map_or(u32::MAX, |c| c.0), start, seg.index));
    let range = |s: &ElfSegment| format!("segment {} [{:#010x}, {:#010x})", s.index, s.vaddr, u64::from(s.vaddr) + u64::from(s.memsz));
    let mut prev: Option<(Option<CoreId>, u64, &ElfSegment)> = None;
    for &(dest, start, end, seg) in &dests {
        if let Some((pdest, pend, pseg)) = prev
            && pdest == dest
        {
            if start < pend {
                let place = match dest {
                    Some(core) => format!("in core {}'s SRAM (local addresses land on every target core)", core.0),
                    None => "in the DRAM window".to_owned(),
                };
                let (a, b) = if pseg.index < seg.index { (pseg, seg) } else { (seg, pseg) };
                return Err(format!("{}: overlaps {} {place}", range(b), range(a)));
            }
            if end > pend {
                prev = Some((dest, end, seg));
            }
            continue;
        }
        prev = Some((dest, end, seg));
    }
    Ok(())
}

fn core_list(cores: &[CoreId]) -> String {
    cores.iter().map(|c| c.0.to_string()).collect::<Vec<_>>().join(",")
}

fn program_type_name(t: u32) -> String {
    let name = match t {
        0 => "PT_NULL",
        2 => "PT_DYNAMIC",
        3 => "PT_INTERP",
        4 => "PT_NOTE",
        5 => "PT_SHLIB",
        6 => "PT_PHDR",
        7 => "PT_TLS",
        0x6474_e550 => "PT_GNU_EH_FRAME",
        0x6474_e551 => "PT_GNU_STACK",
        0x6474_e552 => "PT_GNU_RELRO",
        _ => return format!("{t:#x}"),
    };
    format!("{name} ({t:#x})")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mem::tests::Heap;

    #[test]
    fn spans_merge_partial_words_and_zero_bss() {
        let heap = Heap::new(32);
        let w = heap.window();
        for i in 0..8 {
            w.store(i * 4, 0xAAAA_AAAA);
        }
        // Bytes 3..6 from the file, 6..13 BSS.
        write_span(&w, 3, &[1, 2, 3], 7);
        let got = w.read_bytes(0, 16);
        assert_eq!(got, [0xAA, 0xAA, 0xAA, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0xAA, 0xAA, 0xAA]);
        // Empty spans write nothing.
        write_span(&w, 17, &[], 0);
        assert_eq!(w.load(16), 0xAAAA_AAAA);
    }

    #[test]
    fn addresses_are_classified_like_the_reference_says() {
        let chip = Chip::E16;
        let group = [CoreId(5), CoreId(6)];
        assert_eq!(classify(chip, &group, 0x100, 0x7F00), Ok(SegmentTarget::Local));
        assert_eq!(classify(chip, &group, 0x8E00_0000, DRAM_SIZE), Ok(SegmentTarget::Dram));
        let core6 = chip.sram_base(CoreId(6)).0;
        assert_eq!(classify(chip, &group, core6 + 0x4000, 0x100), Ok(SegmentTarget::Core(CoreId(6))));
        let err = |vaddr, memsz| classify(chip, &group, vaddr, memsz).unwrap_err();
        assert!(err(0x7F00, 0x200).contains("past the end of the core's SRAM"));
        assert!(err(0xF_0400, 4).contains("register page"));
        assert!(err(0x9000, 4).contains("hole"));
        assert!(err(chip.sram_base(CoreId(7)).0, 4).contains("outside the group"));
        assert!(err(core6 | 0xF_0000, 4).contains("register page"));
        assert!(err(0x8DFF_FFF0, 0x20).contains("straddles"));
        assert!(err(0x8FFF_FFF0, 0x20).contains("past the end of the DRAM window"));
        assert!(err(0x0010_0000, 4).contains("not a core of this"));
    }
}

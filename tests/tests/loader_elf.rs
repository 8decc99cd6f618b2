//! ELF loading (issue 7 "What it must show"): e-gcc style images, generated
//! here by a small ELF32 writer, loaded onto a simulated E16 through
//! `Device::load_elf`; valid images land at the right offsets on every target
//! core with BSS zeroed; hostile ones are refused with a message naming the
//! file, the segment and the reason, and leave the device file byte for byte
//! as it was. The simulated cores do not run Epiphany code: after
//! `start_cores` they stop with STATUS.EXCAUSE = illegal instruction.

use std::fs::File;
use std::hash::{DefaultHasher, Hasher};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use loader::{Device, LoaderError, OpenOptions, SegmentTarget, Timeouts};
use shared_protocol::chip::{DRAM_BASE, DRAM_SIZE, REG_PAGE_SIZE, SRAM_SIZE, debugstatus, reg, status};
use shared_protocol::{Chip, CoreId};
use simulator::Simulator;

// ---------------------------------------------------------------------------
// A minimal ELF32 writer for fixtures (headers assembled by hand).

const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const PT_NOTE: u32 = 4;
const PT_GNU_STACK: u32 = 0x6474_e551;
const ET_EXEC: u16 = 2;
const ET_DYN: u16 = 3;
const EM_EPIPHANY: u16 = 0x1223;

#[derive(Clone)]
struct Seg {
    p_type: u32,
    vaddr: u32,
    data: Vec<u8>,
    memsz: u32,
}

fn load(vaddr: u32, data: &[u8], memsz: u32) -> Seg {
    Seg { p_type: PT_LOAD, vaddr, data: data.to_vec(), memsz }
}

#[derive(Clone)]
struct Elf {
    class: u8,
    encoding: u8,
    e_type: u16,
    machine: u16,
    entry: u32,
    segs: Vec<Seg>,
    /// (name, address, size): SHT_PROGBITS headers without data.
    sections: Vec<(&'static str, u32, u32)>,
    /// Cut this many bytes off the end of the file.
    truncate: usize,
}

impl Elf {
    fn new(segs: Vec<Seg>) -> Elf {
        Elf { class: 1, encoding: 1, e_type: ET_EXEC, machine: EM_EPIPHANY, entry: 0x100, segs, sections: vec![], truncate: 0 }
    }

    fn with_config_sections(mut self) -> Elf {
        self.sections = vec![("workgroup_cfg", 0x28, 40), ("ext_mem_cfg", 0x50, 8), ("loader_cfg", 0x58, 16)];
        self
    }

    fn bytes(&self) -> Vec<u8> {
        let phoff = 52u32;
        let mut data_off = phoff + 32 * self.segs.len() as u32;
        let mut body = Vec::new();
        let mut phdrs = Vec::new();
        for s in &self.segs {
            let off = data_off + body.len() as u32;
            for w in [s.p_type, off, s.vaddr, s.vaddr, s.data.len() as u32, s.memsz, 7, 4] {
                phdrs.extend_from_slice(&w.to_le_bytes());
            }
            body.extend_from_slice(&s.data);
            while body.len() % 4 != 0 {
                body.push(0);
            }
        }
        data_off += body.len() as u32;
        // Section headers after the segment data: null, the named ones, .shstrtab.
        let (mut shoff, mut shnum, mut shstrndx) = (0u32, 0u16, 0u16);
        let mut tail = Vec::new();
        if !self.sections.is_empty() {
            let mut strtab = vec![0u8];
            let mut names = Vec::new();
            for (name, _, _) in &self.sections {
                names.push(strtab.len() as u32);
                strtab.extend_from_slice(name.as_bytes());
                strtab.push(0);
            }
            let shstrtab_name = strtab.len() as u32;
            strtab.extend_from_slice(b".shstrtab\0");
            while strtab.len() % 4 != 0 {
                strtab.push(0);
            }
            let strtab_off = data_off;
            shoff = strtab_off + strtab.len() as u32;
            tail.extend_from_slice(&strtab);
            let mut shdr = |words: [u32; 10]| {
                for w in words {
                    tail.extend_from_slice(&w.to_le_bytes());
                }
            };
            shdr([0; 10]);
            for ((_, addr, size), name) in self.sections.iter().zip(&names) {
                // SHT_PROGBITS, SHF_ALLOC|SHF_WRITE.
                shdr([*name, 1, 3, *addr, 0, *size, 0, 0, 4, 0]);
            }
            // SHT_STRTAB.
            shdr([shstrtab_name, 3, 0, 0, strtab_off, strtab.len() as u32, 0, 0, 1, 0]);
            shnum = self.sections.len() as u16 + 2;
            shstrndx = shnum - 1;
        }
        let mut out = Vec::new();
        out.extend_from_slice(&[0x7f, b'E', b'L', b'F', self.class, self.encoding, 1, 0]);
        out.extend_from_slice(&[0; 8]);
        out.extend_from_slice(&self.e_type.to_le_bytes());
        out.extend_from_slice(&self.machine.to_le_bytes());
        for w in [1u32, self.entry, phoff, shoff, 0] {
            out.extend_from_slice(&w.to_le_bytes());
        }
        for h in [52u16, 32, self.segs.len() as u16, 40, shnum, shstrndx] {
            out.extend_from_slice(&h.to_le_bytes());
        }
        assert_eq!(out.len(), 52);
        out.extend_from_slice(&phdrs);
        out.extend_from_slice(&body);
        out.extend_from_slice(&tail);
        out.truncate(out.len() - self.truncate);
        out
    }

    /// Write to a fresh file (removed on drop).
    fn write(&self, name: &str) -> Fixture {
        let path = std::env::temp_dir().join(format!("epython-elf-test-{}-{name}.elf", std::process::id()));
        std::fs::write(&path, self.bytes()).unwrap();
        Fixture { path }
    }
}

struct Fixture {
    path: PathBuf,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

// ---------------------------------------------------------------------------
// The rig: an in-process simulator and the device, plus the file read directly.

struct Rig {
    dev: Device,
    file: File,
    sim: Simulator,
}

fn rig() -> Rig {
    let sim = Simulator::in_memory(Chip::E16).expect("start the simulator");
    let timeouts =
        Timeouts { reset_step: Duration::from_secs(2), boot: Duration::from_secs(10), command: Duration::from_secs(10) };
    let dev = Device::open_with(sim.path(), OpenOptions { timeouts, ..Default::default() }).expect("open");
    let file = File::options().read(true).write(true).open(sim.path()).expect("open the device file");
    Rig { dev, file, sim }
}

impl Rig {
    fn chip(&self) -> Chip {
        self.sim.chip()
    }

    fn read(&self, offset: u32, len: usize) -> Vec<u8> {
        let mut buf = vec![0; len];
        self.file.read_exact_at(&mut buf, u64::from(offset)).unwrap();
        buf
    }

    fn write(&self, offset: u32, bytes: &[u8]) {
        self.file.write_all_at(bytes, u64::from(offset)).unwrap();
    }

    fn sram(&self, core: u32, offset: u32, len: usize) -> Vec<u8> {
        self.read(self.chip().sram_base(CoreId(core)).0 + offset, len)
    }

    fn sram_word(&self, core: u32, offset: u32) -> u32 {
        u32::from_le_bytes(self.sram(core, offset, 4).try_into().unwrap())
    }

    fn reg(&self, core: u32, r: u32) -> u32 {
        self.sram_word(core, r)
    }

    /// Every core's SRAM and register page, and the DRAM window.
    fn hash(&self) -> u64 {
        let mut h = DefaultHasher::new();
        for i in 0..self.chip().num_cores() {
            let core = CoreId(i);
            h.write(&self.read(self.chip().sram_base(core).0, SRAM_SIZE as usize));
            h.write(&self.read(self.chip().regs_base(core).0, REG_PAGE_SIZE as usize));
        }
        h.write(&self.read(DRAM_BASE, DRAM_SIZE as usize));
        h.finish()
    }
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(7).wrapping_add(seed)).collect()
}

fn ids(cores: &[u32]) -> Vec<CoreId> {
    cores.iter().map(|&c| CoreId(c)).collect()
}

const GROUP: [u32; 4] = [5, 6, 9, 10];

/// The two-segment image: code+data+BSS in local SRAM, data+BSS in DRAM at an
/// unaligned address.
fn two_segment_image() -> Elf {
    Elf::new(vec![load(0x100, &pattern(0x23, 1), 0x200), load(0x8E10_0003, &pattern(10, 100), 0x20)]).with_config_sections()
}

#[test]
fn a_two_segment_image_lands_on_every_target_core_with_bss_zeroed() {
    let r = rig();
    // Old contents that the load must replace (SRAM, DRAM BSS) or keep
    // (DRAM around the segment, cores outside the group).
    r.write(DRAM_BASE + 0x10_0000, &[0xAA; 0x40]);
    for &c in &GROUP {
        r.write(r.chip().sram_base(CoreId(c)).0 + 0x100, &[0x55; 0x400]);
    }
    r.write(r.chip().sram_base(CoreId(0)).0 + 0x100, &[0x66; 0x100]);
    let outside_before: Vec<Vec<u8>> =
        (0..16).filter(|c| !GROUP.contains(c)).map(|c| r.sram(c, 0, SRAM_SIZE as usize)).collect();

    let fx = two_segment_image().write("valid");
    let report = r.dev.load_elf(&fx.path, &ids(&GROUP)).expect("load the image");

    assert_eq!(report.entry, 0x100);
    assert_eq!(report.segments.len(), 2);
    assert_eq!(report.segments[0].target, SegmentTarget::Local);
    assert_eq!((report.segments[0].vaddr, report.segments[0].filesz, report.segments[0].memsz), (0x100, 0x23, 0x200));
    assert_eq!(report.segments[1].target, SegmentTarget::Dram);
    assert_eq!((report.dram_segments, report.dram_bytes), (1, 0x20));
    assert_eq!(report.cores.len(), 4);
    for (load, &c) in report.cores.iter().zip(&GROUP) {
        assert_eq!((load.core, load.segments, load.bytes), (CoreId(c), 1, 0x200));
    }
    assert_eq!(report.config.workgroup_cfg, Some(0x28));
    assert_eq!(report.config.ext_mem_cfg, Some(0x50));
    assert_eq!(report.config.loader_cfg, Some(0x58));

    // SRAM: zero below the config blocks, the blocks, zero up to the segment,
    // the file bytes, zeroed BSS (it held 0x55), zero after.
    let chip = r.chip();
    for &c in &GROUP {
        assert_eq!(r.sram(c, 0, 0x28), vec![0; 0x28], "core {c}: IVT area");
        let (row, col) = chip.coords(CoreId(c));
        let cfg: Vec<u32> = (0..10).map(|i| r.sram_word(c, 0x28 + 4 * i)).collect();
        // Group origin is core 5: row 1, col 1 relative, (33, 9) absolute.
        assert_eq!(cfg, vec![3, 0, (33 << 6) | 9, 33, 9, 2, 2, row - 1, col - 1, 0xDEAD_BEEF], "core {c}: e_group_config");
        assert_eq!((r.sram_word(c, 0x50), r.sram_word(c, 0x54)), (5, 0x8E00_0000), "core {c}: e_emem_config");
        let lcfg: Vec<u32> = (0..4).map(|i| r.sram_word(c, 0x58 + 4 * i)).collect();
        assert_eq!(lcfg, vec![1, 0, 0, 0], "core {c}: loader_cfg");
        assert_eq!(r.sram(c, 0x68, 0x100 - 0x68), vec![0; 0x98], "core {c}");
        assert_eq!(r.sram(c, 0x100, 0x23), pattern(0x23, 1), "core {c}: segment 0 data");
        assert_eq!(r.sram(c, 0x123, 0x200 - 0x23), vec![0; 0x1DD], "core {c}: segment 0 BSS");
        assert_eq!(r.sram(c, 0x300, 0x200), vec![0; 0x200], "core {c}: SRAM zeroed");
    }
    // DRAM: 3 old bytes, 10 file bytes, 22 bytes of zeroed BSS, old bytes after.
    let dram = r.read(DRAM_BASE + 0x10_0000, 0x40);
    assert_eq!(dram[..3], [0xAA; 3]);
    assert_eq!(dram[3..13], pattern(10, 100)[..]);
    assert_eq!(dram[13..0x23], [0; 22]);
    assert_eq!(dram[0x23..], [0xAA; 0x1D]);
    // Cores outside the group were not touched.
    let outside_after: Vec<Vec<u8>> =
        (0..16).filter(|c| !GROUP.contains(c)).map(|c| r.sram(c, 0, SRAM_SIZE as usize)).collect();
    assert!(outside_before == outside_after, "a core outside the group changed");

    // Start: the simulator does not run Epiphany code, so each core stops on
    // an illegal instruction (STATUS.EXCAUSE) and halts.
    r.dev.start_cores(&ids(&GROUP)).expect("start");
    let deadline = Instant::now() + Duration::from_secs(10);
    for &c in &GROUP {
        loop {
            let st = r.reg(c, reg::STATUS);
            let excause = (st & status::EXCAUSE_MASK) >> status::EXCAUSE_SHIFT;
            if excause != 0 {
                assert_eq!(excause, status::EXCAUSE_ILLEGAL, "core {c}");
                assert_ne!(r.reg(c, reg::DEBUGSTATUS) & debugstatus::HALT, 0, "core {c} halted");
                break;
            }
            assert!(Instant::now() < deadline, "core {c} never stopped (STATUS {st:#x})");
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    // A core outside the group was not started.
    assert_eq!(r.reg(0, reg::STATUS) & status::EXCAUSE_MASK, 0);

    // The faulted cores can be loaded again, and booted with the firmware.
    r.dev.load_elf(&fx.path, &ids(&GROUP)).expect("load again over faulted cores");
    assert_eq!(r.sram(6, 0x100, 0x23), pattern(0x23, 1));
    r.dev.boot(&[CoreId(5)]).expect("boot the firmware after an ELF image");
    assert_eq!(r.dev.echo(CoreId(5), 77).unwrap(), 77);
}

#[test]
fn a_global_address_lands_only_on_that_core_of_the_group() {
    let r = rig();
    let core6 = r.chip().sram_base(CoreId(6)).0;
    let fx = Elf::new(vec![load(0x100, &pattern(16, 3), 16), load(core6 + 0x4002, &pattern(9, 9), 0x40)]).write("global");
    let report = r.dev.load_elf(&fx.path, &ids(&[5, 6])).expect("load");
    assert_eq!(report.segments[1].target, SegmentTarget::Core(CoreId(6)));
    assert_eq!(report.cores[0].segments, 1);
    assert_eq!((report.cores[1].segments, report.cores[1].bytes), (2, 16 + 0x40));
    assert_eq!(report.config.workgroup_cfg, None);
    assert_eq!(r.sram(6, 0x4000, 2), vec![0, 0]);
    assert_eq!(r.sram(6, 0x4002, 9), pattern(9, 9));
    assert_eq!(r.sram(6, 0x400B, 0x40 - 9), vec![0; 0x37]);
    assert_eq!(r.sram(5, 0x4000, 0x80), vec![0; 0x80]);
    for c in [5, 6] {
        assert_eq!(r.sram(c, 0x100, 16), pattern(16, 3));
        // No config sections, no config blocks.
        assert_eq!(r.sram(c, 0x28, 0x40), vec![0; 0x40]);
    }
}

#[test]
fn hostile_images_are_refused_and_leave_the_device_unchanged() {
    let r = rig();
    // Something on the device first, so a reset or a zeroing would show.
    let good = two_segment_image().write("good");
    r.dev.load_elf(&good.path, &ids(&GROUP)).expect("load a valid image first");
    let chip = r.chip();
    let before = r.hash();

    let ok = load(0x100, &pattern(0x40, 1), 0x80);
    let core = |c: u32| chip.sram_base(CoreId(c)).0;
    let with = |f: &dyn Fn(&mut Elf)| {
        let mut e = Elf::new(vec![ok.clone(), load(0x8E00_1000, &pattern(8, 2), 8)]);
        f(&mut e);
        e
    };
    let seg1 = |s: Seg| Elf::new(vec![ok.clone(), s]);
    let cases: Vec<(&str, Elf, Vec<&str>)> = vec![
        ("local-regs", seg1(load(0xF_0400, &[1, 2, 3, 4], 4)), vec!["segment 1 [0x000f0400, 0x000f0404)", "register page"]),
        ("global-regs", seg1(load(core(5) | 0xF_0000, &[1; 8], 8)), vec!["segment 1 [0x849f0000, 0x849f0008)", "core 5's register page"]),
        ("outside-group", seg1(load(core(0) + 0x100, &[1; 8], 8)), vec!["segment 1 [0x80800100, 0x80800108)", "outside the group"]),
        ("not-on-chip", seg1(load(0x8100_0000, &[1; 8], 8)), vec!["segment 1", "not a core of this"]),
        ("hole", seg1(load(0x9000, &[1; 8], 8)), vec!["segment 1 [0x00009000, 0x00009008)", "hole"]),
        ("past-sram", seg1(load(0x7FF0, &[1; 8], 0x20)), vec!["segment 1", "past the end of the core's SRAM"]),
        ("past-dram", seg1(load(0x8FFF_FFF0, &[1; 8], 0x20)), vec!["segment 1", "past the end of the DRAM window"]),
        (
            "overlap-local",
            seg1(load(0x120, &[1; 8], 8)),
            vec!["segment 1 [0x00000120, 0x00000128): overlaps segment 0 [0x00000100, 0x00000180)"],
        ),
        ("overlap-global", seg1(load(core(6) + 0x170, &[1; 0x20], 0x20)), vec!["segment 1", "overlaps segment 0", "core 6's SRAM"]),
        (
            "overlap-dram",
            Elf::new(vec![load(0x8E00_1000, &[1; 0x10], 0x100), load(0x8E00_10F0, &[2; 8], 8)]),
            vec!["segment 1", "overlaps segment 0", "DRAM"],
        ),
        ("truncated", with(&|e| e.truncate = 4), vec!["segment 1", "past the end of the file"]),
        ("truncated-phdrs", with(&|e| e.truncate = 88), vec!["bad program header table"]),
        ("filesz-over-memsz", seg1(load(0x400, &[1; 16], 8)), vec!["segment 1", "p_filesz 0x10 is larger than p_memsz 0x8"]),
        ("machine", with(&|e| e.machine = 0x28), vec!["e_machine is 0x28", "not 0x1223"]),
        ("class", with(&|e| e.class = 2), vec!["ELF64", "ELF32"]),
        ("big-endian", with(&|e| e.encoding = 2), vec!["big-endian"]),
        ("et-dyn", with(&|e| e.e_type = ET_DYN), vec!["not ET_EXEC"]),
        ("pt-note", seg1(Seg { p_type: PT_NOTE, vaddr: 0x1000, data: vec![0; 8], memsz: 8 }), vec!["segment 1", "PT_NOTE", "not PT_LOAD"]),
        ("pt-dynamic", seg1(Seg { p_type: PT_DYNAMIC, vaddr: 0x1000, data: vec![], memsz: 8 }), vec!["segment 1", "PT_DYNAMIC"]),
        ("sections-not-rectangle", two_segment_image(), vec!["rectangle"]),
    ];
    for (name, elf, expect) in cases {
        let fx = elf.write(name);
        let on = if name == "sections-not-rectangle" { ids(&[5, 10]) } else { ids(&GROUP) };
        let e = match r.dev.load_elf(&fx.path, &on) {
            Ok(rep) => panic!("{name}: loaded: {rep:?}"),
            Err(e) => e,
        };
        assert!(matches!(e, LoaderError::InvalidArgument(_)), "{name}: {e:?}");
        let msg = e.to_string();
        assert!(msg.contains(&fx.path.display().to_string()), "{name}: the message names the file: {msg}");
        for s in expect {
            assert!(msg.contains(s), "{name}: expected {s:?} in: {msg}");
        }
        assert_eq!(r.hash(), before, "{name}: the device changed");
    }

    // Not ELF at all, and a missing file.
    let junk = std::env::temp_dir().join(format!("epython-elf-test-{}-junk.elf", std::process::id()));
    std::fs::write(&junk, b"hello").unwrap();
    let e = r.dev.load_elf(&junk, &ids(&GROUP)).unwrap_err();
    let _ = std::fs::remove_file(&junk);
    assert!(e.to_string().contains("not an ELF file"), "{e}");
    let e = r.dev.load_elf(Path::new("/nonexistent/image.elf"), &ids(&GROUP)).unwrap_err();
    assert!(e.to_string().contains("cannot read ELF image /nonexistent/image.elf"), "{e}");
    // Bad core lists.
    let e = r.dev.load_elf(&good.path, &[]).unwrap_err();
    assert!(e.to_string().contains("no cores"), "{e}");
    let e = r.dev.load_elf(&good.path, &ids(&[5, 5])).unwrap_err();
    assert!(e.to_string().contains("listed twice"), "{e}");
    let e = r.dev.load_elf(&good.path, &ids(&[16])).unwrap_err();
    assert!(matches!(e, LoaderError::NoSuchCore { core: 16, .. }), "{e}");
    assert_eq!(r.hash(), before, "the device changed");
}

#[test]
fn empty_non_load_segments_are_ignored() {
    // e-gcc images carry a PT_GNU_STACK of size 0; e-loader skips empty
    // headers, so do we.
    let r = rig();
    let stack = Seg { p_type: PT_GNU_STACK, vaddr: 0, data: vec![], memsz: 0 };
    let fx = Elf::new(vec![stack, load(0x100, &pattern(8, 5), 8)]).write("gnustack");
    let report = r.dev.load_elf(&fx.path, &ids(&[3])).expect("load");
    assert_eq!(report.segments.len(), 1);
    assert_eq!(report.segments[0].index, 1);
    assert_eq!(r.sram(3, 0x100, 8), pattern(8, 5));
}

//! Shared by the ISS's integration tests: finding the Epiphany toolchain
//! (tools/epiphany-toolchain.sh builds it into a cache outside the checkout).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The toolchain's prefix (`PREFIX/bin/epiphany-elf-*`): `$EPIPHANY_PREFIX`,
/// else what `tools/epiphany-toolchain.sh --prefix` names when it is built.
pub fn toolchain_prefix() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("EPIPHANY_PREFIX") {
        return Some(PathBuf::from(p));
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/epiphany-toolchain.sh");
    let out = Command::new("bash")
        .arg(script)
        .arg("--prefix")
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let p = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    p.join("bin/epiphany-elf-objdump").exists().then_some(p)
}

/// The toolchain for a test that needs it. Without one the test is skipped
/// with a message, except under CI (`CI=true`), where that is a failure:
/// CI builds the toolchain first, so a missing one is a broken CI.
pub fn require_toolchain(test: &str) -> Option<PathBuf> {
    match toolchain_prefix() {
        Some(p) => Some(p),
        None if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "{test}: no Epiphany toolchain (run tools/epiphany-toolchain.sh); CI=true requires it"
            )
        }
        None => {
            eprintln!(
                "{test}: SKIPPED: no Epiphany toolchain (build it with `make epiphany-toolchain`)"
            );
            None
        }
    }
}

pub fn tool(prefix: &Path, name: &str) -> PathBuf {
    prefix.join("bin").join(format!("epiphany-elf-{name}"))
}

/// A small deterministic generator (splitmix64): the tests' random words.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
}

/// A scratch directory for one test's files (removed by the caller or left
/// for a failure to be looked at).
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("iss-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create a scratch directory");
    dir
}

/// Assembles `source` (GNU as syntax for Epiphany) placed at address 0 and
/// returns the raw bytes (code and data, as laid out by `ld -Ttext=0`).
pub fn assemble(prefix: &Path, name: &str, source: &str) -> Vec<u8> {
    let dir = scratch(name);
    let (s, o, elf, bin) = (dir.join("t.s"), dir.join("t.o"), dir.join("t.elf"), dir.join("t.bin"));
    std::fs::write(&s, source).expect("write the source");
    let run = |cmd: &mut Command| {
        let out = cmd.output().expect("run a toolchain program");
        assert!(out.status.success(), "{cmd:?} failed:\n{}\n--- source ---\n{source}", String::from_utf8_lossy(&out.stderr));
    };
    run(Command::new(tool(prefix, "as")).arg("-o").arg(&o).arg(&s));
    run(Command::new(tool(prefix, "ld")).args(["-Ttext=0", "-e", "0", "-o"]).arg(&elf).arg(&o));
    run(Command::new(tool(prefix, "objcopy")).args(["-O", "binary"]).arg(&elf).arg(&bin));
    let bytes = std::fs::read(&bin).expect("read the binary");
    let _ = std::fs::remove_dir_all(&dir);
    bytes
}

/// Where a program's code and data go (iss/runtime/*.ld).
#[derive(Clone, Copy, Debug)]
pub enum Layout {
    /// Everything in the core's SRAM.
    Internal,
    /// Code and data in DRAM at 0x8E000000, the stack in SRAM.
    External,
}

/// Compiles C programs with `tools/epiphany-cc` (the runtime in
/// iss/runtime) into a scratch directory.
pub struct Runtime {
    pub prefix: PathBuf,
    dir: PathBuf,
}

impl Runtime {
    pub fn build(prefix: &Path, name: &str) -> Runtime {
        Runtime { prefix: prefix.to_path_buf(), dir: scratch(name) }
    }

    /// Compiles and links `source` (C) into an ELF; Err holds the compiler's
    /// message.
    pub fn compile(&self, name: &str, source: &Path, opt: &str, layout: Layout, extra: &[&str]) -> Result<PathBuf, String> {
        let elf = self.dir.join(format!("{name}.elf"));
        let layout = match layout {
            Layout::Internal => "internal",
            Layout::External => "external",
        };
        let cc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/epiphany-cc");
        let out = Command::new(cc)
            .env("EPIPHANY_PREFIX", &self.prefix)
            .args(["--layout", layout, opt, "-w"])
            .args(extra)
            .arg("-o")
            .arg(&elf)
            .arg(source)
            .output()
            .map_err(|e| format!("run tools/epiphany-cc: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        Ok(elf)
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Loads an ELF's PT_LOAD segments: local addresses into the core's SRAM,
/// DRAM addresses into `dram`; memory beyond the file size is zeroed.
pub fn load_elf(core: &mut iss::Core, dram: &mut iss::Region, path: &Path) -> Result<u32, String> {
    use object::read::elf::{ElfFile32, FileHeader, ProgramHeader};
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let elf = ElfFile32::<object::LittleEndian>::parse(&*bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let endian = object::LittleEndian;
    for ph in elf.elf_program_headers() {
        if ph.p_type(endian) != object::elf::PT_LOAD || ph.p_memsz(endian) == 0 {
            continue;
        }
        let (vaddr, memsz) = (ph.p_vaddr(endian), ph.p_memsz(endian));
        let data = ph.data(endian, &*bytes).map_err(|_| "segment outside the file".to_string())?;
        let mut image = data.to_vec();
        image.resize(memsz as usize, 0);
        if vaddr < 0x10_0000 {
            if !core.sram.load_bytes(vaddr, &image) {
                return Err(format!("segment {vaddr:#x}+{memsz:#x} does not fit SRAM"));
            }
        } else if dram.contains(vaddr) && dram.contains(vaddr + memsz - 1) {
            let off = (vaddr - dram.base) as usize;
            dram.bytes[off..off + image.len()].copy_from_slice(&image);
        } else {
            return Err(format!("segment {vaddr:#x}+{memsz:#x} is neither in SRAM nor in the DRAM window"));
        }
    }
    Ok(elf.elf_header().e_entry(endian))
}

/// Runs an ELF built with the runtime on a fresh core (mesh id 0x808) with
/// a 1 MB DRAM window at 0x8E000000, from reset (SYNC), for at most `limit`
/// instructions.
pub fn run_elf(path: &Path, limit: u64) -> iss::hosted::Outcome {
    let mut core = iss::Core::new(0x808, iss::Sram::new());
    let mut dram = iss::Region::new(0x8E00_0000, 1 << 20, true);
    load_elf(&mut core, &mut dram, path).expect("load the ELF");
    core.raise(1); // SYNC, as the loader starts a core
    iss::hosted::run(&mut core, &mut dram, limit)
}

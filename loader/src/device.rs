//! Opening a device: a board's driver node or a simulator file (reference §2,
//! §7 steps 1-2; design.md §8 "Memory and layout").

use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rustix::fs::{FileType, FlockOperation, Mode, OFlags};
use shared_protocol::chip::{self, DRAM_BASE, DRAM_SIZE, REG_PAGE_SIZE, SRAM_SIZE};
use shared_protocol::layout::{self, COMMAND_SLOT_SIZE, COMMAND_SLOT_START};
use shared_protocol::mailbox::cmd;
use shared_protocol::sim::{self, info, CoreModel, INFO_PAGE_SIZE, SIM_MAGIC, SIM_VERSION};
use shared_protocol::{Chip, CoreId};

use crate::backend::{dead_server, Backend, BackendKind};
use crate::bringup::DriverKind;
use crate::error::LoaderError;
use crate::image_cache::ImageCache;
use crate::mem::{Mapping, Window};
use crate::reset::FirmwareImage;

/// Is this the kernel's `/dev/mem` (character device 1:1), under any name?
fn is_dev_mem(st: &rustix::fs::Stat) -> bool {
    FileType::from_raw_mode(st.st_mode) == FileType::CharacterDevice
        && rustix::fs::major(st.st_rdev) == 1
        && rustix::fs::minor(st.st_rdev) == 1
}

/// Bounds on every wait the loader does. Defaults suit a loaded CI machine.
#[derive(Clone, Debug)]
pub struct Timeouts {
    /// Each polled step of the soft reset (halt, external fetch, DMA, idle).
    pub reset_step: Duration,
    /// From SYNC to the boot handshake.
    pub boot: Duration,
    /// A command that must answer promptly (echo).
    pub command: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            reset_step: Duration::from_millis(500),
            boot: Duration::from_secs(2),
            command: Duration::from_secs(2),
        }
    }
}

/// How often [`Device::check_server`] looks at most.
const SERVER_LOOK: Duration = Duration::from_millis(10);

/// How to open a device.
#[derive(Clone, Debug)]
pub struct OpenOptions {
    /// Drive a simulator file through the hardware backend (no futex notify,
    /// polling waits, Chip::E16, no info page): proves the board's code path
    /// against the simulator.
    pub force_hardware: bool,
    /// The image `boot` loads at `layout::CODE_START`.
    pub firmware: FirmwareImage,
    pub timeouts: Timeouts,
    /// Accept `/dev/mem` (a board without the epiphany driver, root only):
    /// refused otherwise, as it reaches all of physical memory.
    pub allow_devmem: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            force_hardware: false,
            firmware: FirmwareImage::native_simulated(),
            timeouts: Timeouts::default(),
            allow_devmem: false,
        }
    }
}

/// One core's two mappings: its SRAM and its register page.
struct CoreMaps {
    sram: Mapping,
    regs: Mapping,
}

/// An open Epiphany device (board or simulator), holding its lock.
///
/// All methods take `&self`; the caller must not drive the same core from two
/// threads at once (the scheduler above owns that).
pub struct Device {
    pub(crate) path: PathBuf,
    pub(crate) chip: Chip,
    pub(crate) driver: DriverKind,
    pub(crate) backend: Backend,
    pub(crate) firmware: FirmwareImage,
    pub(crate) timeouts: Timeouts,
    /// A simulator file's cores: native firmware threads or the ISS (None:
    /// a board).
    pub(crate) core_model: Option<CoreModel>,
    /// Cores booted by this Device and not halted since.
    pub(crate) booted: Vec<AtomicBool>,
    /// Resets of each core by this Device ([`Device::reset_count`]).
    pub(crate) resets: Vec<AtomicU32>,
    /// What each core's inbox and VM memory hold (the image cache).
    pub(crate) images: ImageCache,
    /// Launch numbers (stamped on commands and their events).
    pub(crate) launch: AtomicU32,
    pub(crate) nonce: AtomicU32,
    shut_down: AtomicBool,
    /// When the device was opened, and when `check_server` last looked
    /// (microseconds after that; 0: never).
    opened: Instant,
    server_looked: AtomicU64,
    // Mappings, then the fd LAST: fields drop in declaration order, and on
    // the real driver the chip powers down at the last close (reference §4.3).
    cores: Vec<CoreMaps>,
    dram: Mapping,
    _info: Option<Mapping>,
    _fd: OwnedFd,
}

impl Device {
    /// Open a device node or simulator file with the default options.
    pub fn open(path: impl AsRef<Path>) -> Result<Device, LoaderError> {
        Device::open_with(path, OpenOptions::default())
    }

    pub fn open_with(path: impl AsRef<Path>, opts: OpenOptions) -> Result<Device, LoaderError> {
        let path = path.as_ref().to_path_buf();
        // Before opening (which would need root): /dev/mem reaches all of
        // physical memory, so only an explicit allow_devmem gets past here.
        if !opts.allow_devmem && rustix::fs::stat(&path).is_ok_and(|st| is_dev_mem(&st)) {
            return Err(LoaderError::DevMemRefused { path });
        }
        let fd = rustix::fs::open(&path, OFlags::RDWR | OFlags::SYNC | OFlags::CLOEXEC, Mode::empty())
            .map_err(|e| LoaderError::Open { path: path.clone(), source: e.into() })?;
        let stat = rustix::fs::fstat(&fd).map_err(|e| LoaderError::Open { path: path.clone(), source: e.into() })?;
        let not_a_device = |why: String| LoaderError::NotADevice { path: path.clone(), why };

        // What is it? (reference §2.1 for the driver nodes; sim.rs for files)
        let mut core_model = None;
        let (chip, dram_offset, driver) = match FileType::from_raw_mode(stat.st_mode) {
            FileType::RegularFile => {
                let size = u64::try_from(stat.st_size).unwrap_or(0);
                if size < sim::FILE_LEN {
                    return Err(not_a_device(format!(
                        "a regular file of {size} bytes; a simulator file is {} bytes (start one with `epython sim serve FILE`)",
                        sim::FILE_LEN
                    )));
                }
                let (chip, model) = read_sim_info(&fd).map_err(not_a_device)?;
                core_model = Some(model);
                if opts.force_hardware {
                    (Chip::E16, DriverKind::SimulatorFileAsHardware.dram_file_offset(), DriverKind::SimulatorFileAsHardware)
                } else {
                    (chip, DriverKind::SimulatorFile.dram_file_offset(), DriverKind::SimulatorFile)
                }
            }
            FileType::CharacterDevice => {
                // The older driver (/dev/epiphany) and /dev/mem map DRAM at
                // its ARM physical address; the newer driver
                // (/dev/epiphany/mesh0) at the mesh address (reference §2.1).
                // Core windows are at the mesh address in all three.
                let driver = if is_dev_mem(&stat) {
                    if !opts.allow_devmem {
                        return Err(LoaderError::DevMemRefused { path });
                    }
                    DriverKind::DevMem
                } else if path.file_name().is_some_and(|n| n == "epiphany") {
                    DriverKind::Legacy
                } else {
                    DriverKind::Mesh0
                };
                (Chip::E16, driver.dram_file_offset(), driver)
            }
            other => {
                return Err(not_a_device(format!(
                    "it is a {other:?}, not a character device or a simulator file"
                )));
            }
        };

        // One process per device: a second one must not reset cores under us.
        // The lock dies with its holder (design.md §8).
        match rustix::fs::flock(&fd, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => {}
            Err(rustix::io::Errno::WOULDBLOCK) => return Err(LoaderError::Busy { path }),
            Err(e) => return Err(LoaderError::Open { path, source: e.into() }),
        }

        // Map each window separately, never the whole file (design.md §8).
        let map = |what: &str, offset: u64, len: u32| {
            Mapping::new(fd.as_fd(), offset, len as usize).map_err(|source| LoaderError::Map {
                path: path.clone(),
                what: what.to_owned(),
                offset,
                len: len as usize,
                source,
            })
        };
        let mut cores = Vec::with_capacity(chip.num_cores() as usize);
        for i in 0..chip.num_cores() {
            let core = CoreId(i);
            cores.push(CoreMaps {
                sram: map(&format!("core {i} SRAM"), u64::from(chip.sram_base(core).0), SRAM_SIZE)?,
                regs: map(&format!("core {i} registers"), u64::from(chip.regs_base(core).0), REG_PAGE_SIZE)?,
            });
        }
        let dram = map("the DRAM window", dram_offset, DRAM_SIZE)?;
        let info_map = if driver == DriverKind::SimulatorFile { Some(map("the simulator info page", 0, INFO_PAGE_SIZE)?) } else { None };
        let backend = match &info_map {
            Some(m) => Backend::Simulator { info: m.window() },
            None => Backend::Hardware,
        };

        // Each core's image epoch goes one past the last user's (read from
        // the command slot, where every Run writes it): nothing a core held
        // before this open is taken for ours.
        let images = ImageCache::new(chip.num_cores(), |core| {
            let sram = cores[core.0 as usize].sram.window();
            sram.load(COMMAND_SLOT_START as usize + cmd::IMAGE_EPOCH as usize)
        });

        Ok(Device {
            path,
            chip,
            driver,
            backend,
            firmware: opts.firmware,
            timeouts: opts.timeouts,
            core_model,
            booted: (0..chip.num_cores()).map(|_| AtomicBool::new(false)).collect(),
            resets: (0..chip.num_cores()).map(|_| AtomicU32::new(0)).collect(),
            images,
            launch: AtomicU32::new(0),
            nonce: AtomicU32::new(initial_nonce()),
            shut_down: AtomicBool::new(false),
            opened: Instant::now(),
            server_looked: AtomicU64::new(0),
            cores,
            dram,
            _info: info_map,
            _fd: fd,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn chip(&self) -> Chip {
        self.chip
    }

    pub fn backend_kind(&self) -> BackendKind {
        self.backend.kind()
    }

    /// What a simulator's cores run (None on a board): the native firmware
    /// threads, or Epiphany machine code on the ISS (ISA mode).
    pub fn simulated_core_model(&self) -> Option<CoreModel> {
        self.core_model
    }

    /// The firmware [`Device::boot`] loads from now on (the Epiphany ELF for
    /// a board or an ISA-mode simulator: [`crate::select::epiphany_firmware`]).
    pub fn set_firmware(&mut self, image: FirmwareImage) {
        self.firmware = image;
    }

    /// Whether this device's cores run Epiphany machine code (a board, or a
    /// simulator in ISA mode), so they need the Epiphany firmware.
    pub fn runs_machine_code(&self) -> bool {
        self.core_model != Some(CoreModel::Native)
    }

    /// ISA mode: why the simulator stopped `core` on a fault the chip has no
    /// exception cause for (sim.rs `ISA_FAULTS`), e.g. "instruction fetch
    /// from an unmapped address at 0x00123456". None elsewhere.
    pub fn simulator_fault(&self, core: CoreId) -> Option<String> {
        let info = self._info.as_ref()?.window();
        if self.check_core(core).is_err() {
            return None;
        }
        let record = (info::ISA_FAULTS + 8 * core.0) as usize;
        let kind = info.load(record);
        (kind != sim::isa_fault::NONE).then(|| format!("{} at {:#010x}", sim::isa_fault::text(kind), info.load(record + 4)))
    }

    /// All cores of the chip, in order.
    pub fn all_cores(&self) -> Vec<CoreId> {
        (0..self.chip.num_cores()).map(CoreId).collect()
    }

    /// Halt every core (DEBUGCMD = 1), then unmap and close (reference §7
    /// step 9). Dropping the Device does the same.
    pub fn shutdown(self) {
        drop(self);
    }

    /// Err when this is a simulator file whose server no longer runs its
    /// cores: every wait on them would only time out. Waits call it when
    /// they see no progress, so the error says what happened and what to do
    /// instead of hanging or blaming a board.
    pub(crate) fn check_server(&self) -> Result<(), LoaderError> {
        // At most once per SERVER_LOOK: a look may cost a system call (is
        // the server's process alive?), and quiet polls come every launch.
        let now = u64::try_from(self.opened.elapsed().as_micros()).unwrap_or(u64::MAX);
        let last = self.server_looked.load(Ordering::Relaxed);
        if last != 0 && now.saturating_sub(last) < SERVER_LOOK.as_micros() as u64 {
            return Ok(());
        }
        self.server_looked.store(now.max(1), Ordering::Relaxed);
        match self.backend.server_gone() {
            Some(why) => Err(LoaderError::SimulatorGone { path: self.path.clone(), why }),
            None => Ok(()),
        }
    }

    fn halt_all(&self) {
        if self.shut_down.swap(true, Ordering::SeqCst) {
            return;
        }
        for i in 0..self.chip.num_cores() {
            let core = CoreId(i);
            self.booted[i as usize].store(false, Ordering::SeqCst);
            self.reg_write(core, chip::reg::DEBUGCMD, chip::debugcmd::HALT);
            self.notify(core);
        }
    }

    // --- per-core windows (crate-internal) ---

    /// Check a core number against this chip.
    pub(crate) fn check_core(&self, core: CoreId) -> Result<(), LoaderError> {
        if core.0 < self.chip.num_cores() {
            Ok(())
        } else {
            Err(LoaderError::NoSuchCore { core: core.0, cores: self.chip.num_cores() })
        }
    }

    /// Check a list of cores: on the chip, no duplicates.
    pub(crate) fn check_cores(&self, cores: &[CoreId]) -> Result<(), LoaderError> {
        for (i, c) in cores.iter().enumerate() {
            self.check_core(*c)?;
            if cores[..i].contains(c) {
                return Err(LoaderError::InvalidArgument(format!("core {} is listed twice", c.0)));
            }
        }
        Ok(())
    }

    pub(crate) fn sram(&self, core: CoreId) -> Window {
        self.cores[core.0 as usize].sram.window()
    }

    /// The whole DRAM window (elf.rs: image segments addressed to DRAM).
    pub(crate) fn dram_window(&self) -> Window {
        self.dram.window()
    }

    pub(crate) fn regs(&self, core: CoreId) -> Window {
        self.cores[core.0 as usize].regs.window()
    }

    pub(crate) fn reg_read(&self, core: CoreId, reg: u32) -> u32 {
        self.regs(core).load(chip::reg::page_offset(reg))
    }

    pub(crate) fn reg_write(&self, core: CoreId, reg: u32, value: u32) {
        self.regs(core).store(chip::reg::page_offset(reg), value)
    }

    /// The host → core command slot in the core's SRAM.
    pub(crate) fn cmd_slot(&self, core: CoreId) -> Window {
        self.sram(core).sub(COMMAND_SLOT_START as usize, COMMAND_SLOT_SIZE as usize)
    }

    fn core_dram(&self, core: CoreId, offset: u32, len: u32) -> Window {
        let area = layout::core_area(self.chip, core).0;
        self.dram.window().sub((area + offset) as usize, len as usize)
    }

    /// The core → host status block in DRAM.
    pub(crate) fn status_block(&self, core: CoreId) -> Window {
        self.core_dram(core, layout::CORE_STATUS, layout::CORE_STATUS_SIZE)
    }

    pub(crate) fn event_ring(&self, core: CoreId) -> Window {
        self.core_dram(core, layout::CORE_EVENT_RING, layout::CORE_EVENT_RING_SIZE)
    }

    /// The core's data store (device-resident data; the core's own, but
    /// the loader clears its header before a boot).
    pub(crate) fn data_store(&self, core: CoreId) -> Window {
        self.core_dram(core, layout::data_store_start(self.chip), layout::data_store_size(self.chip))
    }

    pub(crate) fn inbox(&self, core: CoreId) -> Window {
        self.core_dram(core, layout::CORE_INBOX, layout::CORE_INBOX_SIZE)
    }

    /// Poke a core after writing registers it must react to (backend.rs).
    pub(crate) fn notify(&self, core: CoreId) {
        self.backend.notify(&self.regs(core));
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        self.halt_all();
        // Mappings unmap and the fd closes as the fields drop, fd last.
    }
}

/// Read and check the simulator's info page (sim.rs) with pread, before
/// mapping anything: returns the chip geometry it announces and what its
/// cores run.
fn read_sim_info(fd: &OwnedFd) -> Result<(Chip, CoreModel), String> {
    let mut page = [0u8; 0x48];
    let n = rustix::io::pread(fd, &mut page, 0).map_err(|e| format!("cannot read its first page: {e}"))?;
    let word = |off: u32| {
        let o = off as usize;
        page.get(o..o + 4).filter(|_| o + 4 <= n).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    if word(info::MAGIC) != SIM_MAGIC {
        return Err("a regular file without a simulator info page (no EPSM magic at offset 0)".into());
    }
    if word(info::VERSION) != SIM_VERSION {
        return Err(format!(
            "a simulator file of version {}, this loader reads version {SIM_VERSION}",
            word(info::VERSION)
        ));
    }
    let chip = Chip {
        rows: word(info::ROWS),
        cols: word(info::COLS),
        first_row: word(info::FIRST_ROW),
        first_col: word(info::FIRST_COL),
    };
    let fits = (1..=64).contains(&chip.rows)
        && (1..=64).contains(&chip.cols)
        && chip.first_row < 64
        && chip.first_col < 64
        && chip.rows * chip.cols <= Chip::MAX_CORES
        && chip.first_row + chip.rows <= 64
        && chip.first_col + chip.cols <= 64
        // Every core's slot must lie between the info page and the DRAM window.
        && chip.first_row >= 1
        && chip.regs_base(CoreId(chip.num_cores() - 1)).0 < DRAM_BASE;
    if !fits {
        return Err(format!(
            "its info page announces an impossible chip: {}x{} cores at ({}, {})",
            chip.rows, chip.cols, chip.first_row, chip.first_col
        ));
    }
    // A simulator file outlives its server (e.g. on /dev/shm): refuse a dead
    // one here rather than time out in the first reset.
    if let Some(why) = dead_server(word(info::SERVER_STATE), word(info::SERVER_PID)) {
        return Err(format!("a simulator file whose simulator {why}; start one with `epython sim serve FILE`"));
    }
    let model = CoreModel::from_u32(word(info::CORE_MODEL))
        .ok_or_else(|| format!("its info page names an unknown core model {}", word(info::CORE_MODEL)))?;
    Ok((chip, model))
}

/// E_IOCTL_RESET of the newer driver (`_IO('E', 0)`, reference §2.1, §3):
/// resets the eLink and re-runs the driver's chip reset; it zaps every
/// process's mappings of the device, so it is done before mapping anything,
/// under the device lock (a process using the board makes it `Busy`). Only a
/// `/dev/epiphany/mesh0`-style node has it: the older `/dev/epiphany`, a
/// simulator file or another device is refused with what to do instead.
pub fn system_reset(path: impl AsRef<Path>) -> Result<(), LoaderError> {
    const E_IOCTL_RESET: rustix::ioctl::Opcode = 0x4500;
    let path = path.as_ref().to_path_buf();
    let not_a_device = |why: &str| LoaderError::NotADevice { path: path.clone(), why: why.to_owned() };
    let fd = rustix::fs::open(&path, OFlags::RDWR | OFlags::SYNC | OFlags::CLOEXEC, Mode::empty())
        .map_err(|e| LoaderError::Open { path: path.clone(), source: e.into() })?;
    let stat = rustix::fs::fstat(&fd).map_err(|e| LoaderError::Open { path: path.clone(), source: e.into() })?;
    if FileType::from_raw_mode(stat.st_mode) != FileType::CharacterDevice || is_dev_mem(&stat) {
        return Err(not_a_device(
            "a system reset needs the board's driver node (/dev/epiphany/mesh0); reset the cores with `epython device reset`",
        ));
    }
    if path.file_name().is_some_and(|n| n == "epiphany") {
        return Err(not_a_device("the older /dev/epiphany driver has no reset ioctl; power-cycle the board"));
    }
    match rustix::fs::flock(&fd, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => {}
        Err(rustix::io::Errno::WOULDBLOCK) => return Err(LoaderError::Busy { path }),
        Err(e) => return Err(LoaderError::Open { path, source: e.into() }),
    }
    // SAFETY: a no-argument ioctl on a file we opened; the kernel reads no
    // memory of ours for it.
    unsafe { rustix::ioctl::ioctl(&fd, rustix::ioctl::NoArg::<E_IOCTL_RESET>::new()) }.map_err(|e| {
        LoaderError::NotADevice { path: path.clone(), why: format!("its driver refused the reset ioctl (E_IOCTL_RESET): {e}") }
    })
}

/// A boot nonce that differs between processes and boots.
fn initial_nonce() -> u32 {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    t ^ std::process::id().rotate_left(16)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use shared_protocol::sim::ServerState;
    use std::fs::File;
    use std::os::unix::fs::FileExt;

    /// A sparse file with a simulator info page and no simulator behind it.
    pub(crate) struct SimFile {
        pub path: PathBuf,
    }

    impl SimFile {
        pub(crate) fn new(name: &str, words: &[(u32, u32)]) -> SimFile {
            let dir = if Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
            let path = dir.join(format!("epython-loader-test-{}-{name}", std::process::id()));
            let f = File::create(&path).unwrap();
            f.set_len(sim::FILE_LEN).unwrap();
            let mut page = vec![0u8; 0x30];
            let chip = Chip::E16;
            for (off, v) in [
                (info::MAGIC, SIM_MAGIC),
                (info::VERSION, SIM_VERSION),
                (info::ROWS, chip.rows),
                (info::COLS, chip.cols),
                (info::FIRST_ROW, chip.first_row),
                (info::FIRST_COL, chip.first_col),
            ]
            .iter()
            .chain(words)
            {
                page[*off as usize..*off as usize + 4].copy_from_slice(&v.to_le_bytes());
            }
            f.write_all_at(&page, 0).unwrap();
            SimFile { path }
        }
    }

    impl Drop for SimFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.path);
        }
    }

    fn err(r: Result<Device, LoaderError>) -> LoaderError {
        match r {
            Ok(_) => panic!("opened"),
            Err(e) => e,
        }
    }

    #[test]
    fn a_missing_path_is_an_open_error_with_a_hint() {
        let e = err(Device::open("/nonexistent/epiphany/mesh0"));
        assert!(matches!(e, LoaderError::Open { .. }), "{e}");
        assert!(e.to_string().contains("/nonexistent/epiphany/mesh0"), "{e}");
        assert!(e.to_string().contains("no such file"), "{e}");
    }

    #[test]
    fn files_that_are_not_devices_are_refused() {
        let dir = std::env::temp_dir().join(format!("epython-loader-notdev-{}", std::process::id()));
        std::fs::write(&dir, b"hello").unwrap();
        let e = err(Device::open(&dir));
        let _ = std::fs::remove_file(&dir);
        assert!(matches!(e, LoaderError::NotADevice { .. }), "{e}");
        assert!(e.to_string().contains("is not an Epiphany device"), "{e}");

        // Long enough but no info page.
        let f = SimFile::new("nomagic", &[(info::MAGIC, 0)]);
        let e = err(Device::open(&f.path));
        assert!(e.to_string().contains("EPSM"), "{e}");

        // An info page announcing an impossible chip.
        let f = SimFile::new("badchip", &[(info::ROWS, 0xFFFF_FFFF)]);
        let e = err(Device::open(&f.path));
        assert!(e.to_string().contains("impossible chip"), "{e}");

        // A simulator that has stopped, or whose process is gone.
        let f = SimFile::new("stopped", &[(info::SERVER_STATE, ServerState::Stopped as u32)]);
        let e = err(Device::open(&f.path));
        assert!(e.to_string().contains("has stopped"), "{e}");
        let f = SimFile::new("gone", &[(info::SERVER_PID, 0x3FFF_FFF0)]);
        let e = err(Device::open(&f.path));
        assert!(e.to_string().contains("is gone"), "{e}");

        // A newer simulator file version.
        let f = SimFile::new("badversion", &[(info::VERSION, SIM_VERSION + 1)]);
        let e = err(Device::open(&f.path));
        assert!(e.to_string().contains("version"), "{e}");
    }

    #[test]
    fn dev_mem_is_refused_under_any_name_unless_allowed() {
        // A node with /dev/mem's numbers (1:1) in a scratch directory: the
        // refusal comes from stat, before any open, so nothing is mapped.
        let node = std::env::temp_dir().join(format!("epython-loader-devmem-{}", std::process::id()));
        let _ = std::fs::remove_file(&node);
        let made = rustix::fs::mknodat(
            rustix::fs::CWD,
            &node,
            FileType::CharacterDevice,
            Mode::from_raw_mode(0o600),
            rustix::fs::makedev(1, 1),
        );
        if let Err(e) = made {
            eprintln!("skipped: cannot create a device node here ({e}); needs CAP_MKNOD");
            return;
        }
        let e = err(Device::open(&node));
        let _ = std::fs::remove_file(&node);
        assert!(matches!(e, LoaderError::DevMemRefused { .. }), "{e}");
        let msg = e.to_string();
        assert!(msg.contains(&node.display().to_string()) && msg.contains("--allow-devmem"), "{msg}");
        // /dev/null (1:3) is not /dev/mem: it gets as far as mapping.
        let e = err(Device::open("/dev/null"));
        assert!(matches!(e, LoaderError::Map { .. }), "{e}");
    }

    #[test]
    fn drivers_put_the_dram_window_where_reference_2_1_says() {
        assert_eq!(DriverKind::Mesh0.dram_file_offset(), 0x8E00_0000);
        assert_eq!(DriverKind::SimulatorFile.dram_file_offset(), 0x8E00_0000);
        assert_eq!(DriverKind::Legacy.dram_file_offset(), 0x3E00_0000);
        assert_eq!(DriverKind::DevMem.dram_file_offset(), 0x3E00_0000);
    }

    #[test]
    fn a_system_reset_needs_the_boards_driver_node() {
        let f = SimFile::new("sysreset", &[]);
        let e = system_reset(&f.path).unwrap_err();
        assert!(e.to_string().contains("needs the board's driver node"), "{e}");
        // A character device that is not the epiphany driver: the ioctl is refused.
        let e = system_reset("/dev/null").unwrap_err();
        assert!(e.to_string().contains("refused the reset ioctl"), "{e}");
        let e = system_reset("/nonexistent/epiphany/mesh0").unwrap_err();
        assert!(matches!(e, LoaderError::Open { .. }), "{e}");
    }

    #[test]
    fn a_directory_is_refused() {
        // O_RDWR on a directory fails in open itself.
        let e = err(Device::open(std::env::temp_dir()));
        assert!(matches!(e, LoaderError::Open { .. } | LoaderError::NotADevice { .. }), "{e}");
    }

    #[test]
    fn a_second_open_is_busy_until_the_first_closes() {
        let f = SimFile::new("busy", &[]);
        let first = Device::open(&f.path).unwrap();
        assert_eq!(first.chip(), Chip::E16);
        assert_eq!(first.backend_kind(), BackendKind::Simulator);
        let e = err(Device::open(&f.path));
        assert!(matches!(e, LoaderError::Busy { .. }), "{e}");
        assert!(e.to_string().contains("is in use by another process"), "{e}");
        drop(first);
        let again = Device::open_with(&f.path, OpenOptions { force_hardware: true, ..Default::default() }).unwrap();
        assert_eq!(again.backend_kind(), BackendKind::Hardware);
    }

    #[test]
    fn commands_to_cores_that_are_not_booted_are_refused() {
        let f = SimFile::new("notready", &[]);
        let dev = Device::open(&f.path).unwrap();
        let e = dev.echo(CoreId(3), 1).unwrap_err();
        assert!(e.to_string().contains("core 3 is not ready"), "{e}");
        let e = dev.echo(CoreId(16), 1).unwrap_err();
        assert!(matches!(e, LoaderError::NoSuchCore { core: 16, cores: 16 }), "{e}");
        let e = dev.run(&[], &[CoreId(1), CoreId(1)], &Default::default(), &mut |_, _| {}).unwrap_err();
        assert!(e.to_string().contains("listed twice"), "{e}");
    }

    #[test]
    fn a_core_nobody_runs_fails_its_reset_with_a_clear_message() {
        // No simulator behind the file: DEBUGCMD=1 never shows up as HALT.
        let f = SimFile::new("noreset", &[]);
        let opts = OpenOptions {
            timeouts: Timeouts { reset_step: Duration::from_millis(20), ..Default::default() },
            ..Default::default()
        };
        let dev = Device::open_with(&f.path, opts).unwrap();
        let e = dev.boot(&[CoreId(3)]).unwrap_err();
        assert!(e.to_string().starts_with("core 3: soft reset: DEBUGSTATUS.HALT"), "{e}");
    }
}

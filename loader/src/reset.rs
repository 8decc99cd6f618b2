//! Reset, load, start, and the boot handshake (reference §3.1C, §3.2, §3.3,
//! §7 steps 3-7). The same code drives the board and the simulator.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use shared_protocol::chip::{config, debugcmd, debugstatus, irq, reg, status as core_status, SOFT_RESET_PC, SRAM_SIZE};
use shared_protocol::layout::{data_store, CODE_BUDGET, CODE_START, CORE_STATUS_SIZE};
use shared_protocol::mailbox::{
    cmd, firmware_header, status, CoreState, Fault, FirmwareKind, FIRMWARE_MAGIC, STATUS_MAGIC,
};
use shared_protocol::{CoreId, PROTOCOL_VERSION};

use crate::backend::{deadline_after, Waiter};
use crate::device::Device;
use crate::error::LoaderError;

/// What the build knew of the Epiphany firmware (loader/build.rs).
mod built {
    include!(concat!(env!("OUT_DIR"), "/firmware_build.rs"));
}

/// A firmware image: raw bytes for the code region (`layout::CODE_START`),
/// starting with the header of `mailbox::firmware_header`, or an Epiphany
/// ELF (the firmware built for the chip, firmware-epiphany) whose segment at
/// CODE_START starts with that header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirmwareImage {
    bytes: Vec<u8>,
    elf: bool,
}

impl FirmwareImage {
    /// The image that tells the simulator to run the firmware crate natively:
    /// just the 32-byte header (kind NativeSimulated, our protocol version,
    /// IMAGE_LEN 32). BUILD_ID is 0: the simulator runs the firmware it was
    /// built with, which reports its own build id at boot.
    pub fn native_simulated() -> FirmwareImage {
        let mut words = [0u32; (firmware_header::SIZE / 4) as usize];
        words[(firmware_header::MAGIC / 4) as usize] = FIRMWARE_MAGIC;
        words[(firmware_header::PROTOCOL / 4) as usize] = PROTOCOL_VERSION;
        words[(firmware_header::KIND / 4) as usize] = FirmwareKind::NativeSimulated as u32;
        words[(firmware_header::BUILD_ID / 4) as usize] = 0;
        words[(firmware_header::IMAGE_LEN / 4) as usize] = firmware_header::SIZE;
        FirmwareImage { bytes: words.iter().flat_map(|w| w.to_le_bytes()).collect(), elf: false }
    }

    /// An image built elsewhere: it must start with a firmware header whose
    /// IMAGE_LEN is its length, and fit the code budget.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<FirmwareImage, LoaderError> {
        let word = |off: u32| {
            bytes.get(off as usize..off as usize + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        let bad = |why: String| LoaderError::InvalidArgument(format!("not a firmware image: {why}"));
        if bytes.len() > CODE_BUDGET as usize {
            return Err(bad(format!("{} bytes is more than the {CODE_BUDGET}-byte code budget", bytes.len())));
        }
        if word(firmware_header::MAGIC) != Some(FIRMWARE_MAGIC) {
            return Err(bad("no EPFW header".into()));
        }
        if word(firmware_header::IMAGE_LEN) != Some(bytes.len() as u32) {
            return Err(bad(format!("header IMAGE_LEN {:?} is not the length {}", word(firmware_header::IMAGE_LEN), bytes.len())));
        }
        Ok(FirmwareImage { bytes, elf: false })
    }

    /// The Epiphany firmware ELF (`make epiphany`) in the file `path`.
    pub fn from_elf(path: &std::path::Path) -> Result<FirmwareImage, LoaderError> {
        let bytes = std::fs::read(path)
            .map_err(|e| LoaderError::InvalidArgument(format!("firmware {}: cannot read it: {e}", path.display())))?;
        FirmwareImage::from_elf_bytes(bytes, &path.display().to_string())
    }

    /// The Epiphany firmware ELF, read from `origin` (a file, or "the
    /// firmware embedded in this program"): it must be an Epiphany ELF whose
    /// firmware header (the first bytes of its segment at CODE_START) names
    /// this protocol, the Epiphany kind, and the build id of the sources
    /// this loader was built with (when it knows them: built in this
    /// repository). Where it goes is checked against the chip when it is
    /// loaded.
    pub fn from_elf_bytes(bytes: Vec<u8>, origin: &str) -> Result<FirmwareImage, LoaderError> {
        let bad = |why: String| LoaderError::InvalidArgument(format!("firmware {origin}: {why}"));
        let header = crate::elf::bytes_at(&bytes, CODE_START, firmware_header::SIZE).map_err(&bad)?;
        let word = |off: u32| u32::from_le_bytes([0, 1, 2, 3].map(|i| header[(off + i) as usize]));
        if word(firmware_header::MAGIC) != FIRMWARE_MAGIC {
            return Err(bad(format!("no firmware header (EPFW) at {CODE_START:#x}: not an epython firmware")));
        }
        if word(firmware_header::PROTOCOL) != PROTOCOL_VERSION {
            return Err(bad(format!(
                "it speaks protocol version {}, this loader speaks {PROTOCOL_VERSION}; rebuild it (make epiphany) from the same source",
                word(firmware_header::PROTOCOL)
            )));
        }
        if word(firmware_header::KIND) != FirmwareKind::Epiphany as u32 {
            return Err(bad(format!("its header names firmware kind {}, not the Epiphany build", word(firmware_header::KIND))));
        }
        let build_id = word(firmware_header::BUILD_ID);
        if let Some(expected) = built::EXPECTED_BUILD_ID
            && build_id != expected
        {
            return Err(bad(format!(
                "it was built from other sources than this program (build id {build_id:#010x}, expected {expected:#010x}); \
                 rebuild it from this tree (make epiphany), or use the epython built with it"
            )));
        }
        Ok(FirmwareImage { bytes, elf: true })
    }

    /// The Epiphany firmware this program carries (`EPYTHON_EMBED_FIRMWARE`
    /// at build time, as `make armv7` builds the board's `epython`), as bytes.
    pub fn embedded_elf() -> Option<&'static [u8]> {
        built::EMBEDDED
    }

    /// The build id of the firmware sources this loader was built with
    /// (None when built outside the repository).
    pub fn expected_build_id() -> Option<u32> {
        built::EXPECTED_BUILD_ID
    }

    /// The build id in the image's header.
    pub fn build_id(&self) -> u32 {
        let header = if self.elf {
            crate::elf::bytes_at(&self.bytes, CODE_START, firmware_header::SIZE).ok()
        } else {
            self.bytes.get(..firmware_header::SIZE as usize)
        };
        let at = firmware_header::BUILD_ID as usize;
        header.and_then(|h| h.get(at..at + 4)).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Whether this is an ELF (the Epiphany build) rather than raw code.
    pub fn is_elf(&self) -> bool {
        self.elf
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// Reference §3.1C: e-hal's waits are 1000 × 10 µs for the external fetch and
/// the DMA; polls here start at 10 µs and back off to 1 ms.
const EXT_PEND_TIMEOUT: Duration = Duration::from_millis(10);
const DMA_TIMEOUT: Duration = Duration::from_millis(10);

/// The soft-reset payload written at SRAM 0 (reference §3.1C step 8, e-hal
/// `ee_soft_reset_core`): IVT entries 0..=10 branch to `clear_ipend` at 0x2C,
/// which returns from every pending interrupt and then idles with interrupts
/// enabled. The IVT words are computed (reference §3.4 entry encoding); the
/// code after them is e-hal's:
///
/// ```text
/// clear_ipend:
///   2c: movfs r0, ipend   1f 15 02 04
///   30: orr   r0, r0, r0  7a 00
///   32: beq   1f          00 03
///   34: rti               d2 01
///   36: b     clear_ipend e0 fb
/// 1:
///   38: gie               92 01
///   3a: idle              b2 01
///   3c: b     1b          e0 fe
/// ```
fn soft_reset_payload() -> Vec<u8> {
    const CLEAR_IPEND: [u8; 18] =
        [0x1f, 0x15, 0x02, 0x04, 0x7a, 0x00, 0x00, 0x03, 0xd2, 0x01, 0xe0, 0xfb, 0x92, 0x01, 0xb2, 0x01, 0xe0, 0xfe];
    let mut bytes = Vec::with_capacity(64);
    for entry in (0..SOFT_RESET_PC).step_by(4) {
        bytes.extend_from_slice(&ivt_branch(entry, SOFT_RESET_PC).to_le_bytes());
    }
    bytes.extend_from_slice(&CLEAR_IPEND);
    bytes
}

/// An IVT entry: a 32-bit unconditional branch from `entry` to `target`
/// (reference §3.4: displacement in half-words in bits 31:8, 0xE8 below).
pub(crate) const fn ivt_branch(entry: u32, target: u32) -> u32 {
    ((target.wrapping_sub(entry) >> 1) << 8) | 0xE8
}

impl Device {
    /// Reset, load and start these cores, and wait until each one's firmware
    /// has booted (status MAGIC, our protocol version, our boot nonce, Idle).
    pub fn boot(&self, cores: &[CoreId]) -> Result<(), LoaderError> {
        self.check_cores(cores)?;
        if self.runs_machine_code() && !self.firmware.is_elf() {
            let why = crate::select::epiphany_firmware().err().unwrap_or_else(|| "it was not given to this device".into());
            return Err(LoaderError::NoEpiphanyFirmware { path: self.path.clone(), why });
        }
        let mut nonces = Vec::with_capacity(cores.len());
        for &core in cores {
            self.booted[core.0 as usize].store(false, Ordering::SeqCst);
            // Its data store is gone from here on, whether the boot succeeds or not.
            self.resets[core.0 as usize].fetch_add(1, Ordering::SeqCst);
            self.soft_reset(core)?;
        }
        if self.firmware.is_elf() {
            // The ELF's segments: its SRAM image on each core, its code in
            // the DRAM code region (one copy for all cores).
            self.write_elf_image(std::path::Path::new("the Epiphany firmware"), self.firmware.as_bytes(), cores)?;
        }
        for &core in cores {
            nonces.push(self.load(core));
        }
        for &core in cores {
            self.start(core);
        }
        self.wait_for_boot(cores, &nonces)?;
        for &core in cores {
            // The ring read position starts where the firmware's head is.
            let head = self.status_block(core).load(status::EVENT_HEAD as usize);
            self.cmd_slot(core).store(cmd::EVENT_ACK as usize, head);
            self.booted[core.0 as usize].store(true, Ordering::SeqCst);
        }
        Ok(())
    }

    /// How many times this Device has reset `core` (every boot, and every
    /// halt-and-reload after a fault, a timeout or an unanswered cancel).
    /// Each reset loses the core's device-resident data, so a host that
    /// keeps data there compares counts to know which cores lost it, even
    /// for launches nobody waited for. 0 for a core not on the chip.
    pub fn reset_count(&self, core: CoreId) -> u32 {
        self.resets.get(core.0 as usize).map_or(0, |r| r.load(Ordering::SeqCst))
    }

    /// The one primitive behind timeouts, cancel and reset (design.md §8):
    /// halt the core, soft-reset it, reload the firmware, start it and wait
    /// for its boot. Device-resident data on that core is lost.
    pub fn halt_and_reload(&self, core: CoreId) -> Result<(), LoaderError> {
        self.boot(&[core])
    }

    /// Reference §3.1C, steps 1-12.
    pub(crate) fn soft_reset(&self, core: CoreId) -> Result<(), LoaderError> {
        // Whatever the core held is gone or no longer trusted.
        self.images.invalidate(core);
        let step = self.timeouts.reset_step;
        // 1. Halt. (A core halts only between instructions; the simulator's
        // core thread also needs the notify to look.)
        if self.reg_read(core, reg::DEBUGSTATUS) & debugstatus::HALT == 0 {
            self.reg_write(core, reg::DEBUGCMD, debugcmd::HALT);
            self.notify(core);
        }
        self.poll(core, step, "DEBUGSTATUS.HALT still clear after DEBUGCMD=1", || {
            self.reg_read(core, reg::DEBUGSTATUS) & debugstatus::HALT != 0
        })?;
        // 2. No external load or fetch outstanding (reference §4.3 gotcha 4).
        self.poll(core, EXT_PEND_TIMEOUT, "DEBUGSTATUS.EXT_PEND still set", || {
            self.reg_read(core, reg::DEBUGSTATUS) & debugstatus::EXT_PEND == 0
        })?;
        // 3. Abort DMA (e-hal ee_soft_reset_dma): pause, clear both channels'
        // CONFIG, STRIDE, COUNT, SRCADDR, DSTADDR and STATUS, unpause.
        let cfg = self.reg_read(core, reg::CONFIG) | config::PAUSE_DMA;
        self.reg_write(core, reg::CONFIG, cfg);
        for base in [reg::DMA0_CONFIG, reg::DMA1_CONFIG] {
            for word in [0, 1, 2, 3, 4, reg::DMA_CHANNEL_WORDS - 1] {
                self.reg_write(core, base + word * 4, 0);
            }
        }
        self.reg_write(core, reg::CONFIG, cfg & !config::PAUSE_DMA);
        self.poll(core, DMA_TIMEOUT, "DMA still busy after the abort", || {
            self.reg_read(core, reg::DMA0_STATUS) & 7 == 0 && self.reg_read(core, reg::DMA1_STATUS) & 7 == 0
        })?;
        // 4-7. Timers off, nothing latched or masked, return into the payload.
        self.reg_write(core, reg::CONFIG, 0);
        self.reg_write(core, reg::ILATCL, u32::MAX);
        self.reg_write(core, reg::IMASK, 0);
        self.reg_write(core, reg::IRET, SOFT_RESET_PC);
        self.reg_write(core, reg::PC, SOFT_RESET_PC);
        // 8. The payload.
        self.sram(core).write_bytes(0, &soft_reset_payload());
        // 9-10. Set ACTIVE and resume: the payload clears IPEND and idles.
        self.reg_write(core, reg::FSTATUS, 1);
        self.reg_write(core, reg::DEBUGCMD, debugcmd::RUN);
        self.notify(core);
        // 11. Wait for idle with nothing pending (e-hal: 10000 × 10 µs), and
        // no longer halted: only then may SRAM be reloaded under the core.
        self.poll(core, step, "not idle after resuming into the reset payload (HALT, IPEND, ILAT or STATUS.ACTIVE set)", || {
            self.reg_read(core, reg::DEBUGSTATUS) & debugstatus::HALT == 0
                && self.reg_read(core, reg::IPEND) == 0
                && self.reg_read(core, reg::ILAT) == 0
                && self.reg_read(core, reg::STATUS) & core_status::ACTIVE == 0
        })?;
        // 12. Register reset (e-hal ee_reset_regs without DMA).
        for r in 0..64 {
            self.reg_write(core, shared_protocol::chip::REG_PAGE_OFFSET + r * 4, 0);
        }
        self.reg_write(core, reg::CONFIG, config::CLOCK_GATING);
        self.reg_write(core, reg::FSTATUS, 0);
        self.reg_write(core, reg::PC, 0);
        self.reg_write(core, reg::LC, 0);
        self.reg_write(core, reg::LS, 0);
        self.reg_write(core, reg::LE, 0);
        self.reg_write(core, reg::IRET, 0);
        self.reg_write(core, reg::IMASK, !irq::SYNC);
        self.reg_write(core, reg::ILATCL, u32::MAX);
        self.reg_write(core, reg::CTIMER0, 0);
        self.reg_write(core, reg::CTIMER1, 0);
        self.reg_write(core, reg::MEMSTATUS, 0);
        self.reg_write(core, reg::MEMPROTECT, 0);
        self.reg_write(core, reg::MESHCONFIG, 2);
        self.notify(core);
        Ok(())
    }

    /// Reference §3.2 steps 5-6 and §7 steps 4-6: zero SRAM, write the
    /// firmware at CODE_START, prepare the mailbox. Returns the boot nonce.
    fn load(&self, core: CoreId) -> u32 {
        if !self.firmware.is_elf() {
            let sram = self.sram(core);
            sram.zero(0, SRAM_SIZE as usize);
            sram.write_bytes(CODE_START as usize, self.firmware.as_bytes());
        }
        // Before SYNC the core runs nothing, so its status block is ours to
        // clear: whatever is there afterwards is from this boot.
        self.status_block(core).zero(0, CORE_STATUS_SIZE as usize);
        // A new boot starts with no device-resident data.
        self.data_store(core).zero(0, data_store::HEADER_SIZE as usize);
        let nonce = self.next_nonce();
        self.cmd_slot(core).store(cmd::BOOT_NONCE as usize, nonce);
        nonce
    }

    /// Reference §3.3 alone: raise SYNC (ILATST) on each core, in the order
    /// given, with no boot handshake: for images that are not this project's
    /// firmware (an e-gcc image loaded by [`Device::load_elf`]). The cores
    /// are not booted for the mailbox afterwards.
    pub fn start_cores(&self, cores: &[CoreId]) -> Result<(), LoaderError> {
        self.check_cores(cores)?;
        for &core in cores {
            self.booted[core.0 as usize].store(false, Ordering::SeqCst);
        }
        for &core in cores {
            self.start(core);
        }
        Ok(())
    }

    /// Reference §3.3: ILATST = SYNC starts a core idling with SYNC unmasked.
    fn start(&self, core: CoreId) {
        self.reg_write(core, reg::ILATST, irq::SYNC);
        self.notify(core);
    }

    fn next_nonce(&self) -> u32 {
        loop {
            let n = self.nonce.fetch_add(0x9E37_79B9, Ordering::SeqCst).wrapping_add(0x9E37_79B9);
            if n != 0 {
                return n;
            }
        }
    }

    /// Wait (one deadline for all) for each core's boot handshake.
    fn wait_for_boot(&self, cores: &[CoreId], nonces: &[u32]) -> Result<(), LoaderError> {
        let timeout = self.timeouts.boot;
        let deadline = deadline_after(timeout);
        let mut pending: Vec<(CoreId, u32)> = cores.iter().copied().zip(nonces.iter().copied()).collect();
        let mut waiter = Waiter::new(&self.backend);
        loop {
            let seen = self.backend.doorbell();
            let before = pending.len();
            let mut result = Ok(());
            pending.retain(|&(core, nonce)| match self.boot_progress(core, nonce) {
                Ok(done) => !done,
                Err(e) => {
                    result = Err(e);
                    false
                }
            });
            result?;
            if pending.is_empty() {
                return Ok(());
            }
            if pending.len() != before {
                waiter.progressed();
            }
            let now = Instant::now();
            if now >= deadline {
                let (core, _) = pending[0];
                self.check_server()?;
                return Err(LoaderError::BootTimeout { core: core.0, timeout, detail: self.describe_state(core) });
            }
            waiter.wait(seen, (deadline - now).min(Duration::from_millis(50)));
        }
    }

    /// Ok(true) once booted, Ok(false) while not yet, Err on a failure.
    fn boot_progress(&self, core: CoreId, nonce: u32) -> Result<bool, LoaderError> {
        let st = self.status_block(core);
        let excause = (self.reg_read(core, reg::STATUS) & core_status::EXCAUSE_MASK) >> core_status::EXCAUSE_SHIFT;
        if excause != 0 {
            return Err(LoaderError::BootFailed {
                core: core.0,
                detail: format!(
                    "the core stopped with STATUS.EXCAUSE = {excause} ({}); is the firmware image one this device can run?",
                    crate::bringup::excause_text(excause)
                ),
            });
        }
        // The block was zeroed before start, so anything in it is from this boot.
        let state = st.load(status::STATE as usize);
        if state == CoreState::Fault as u32 {
            return Err(LoaderError::BootFailed { core: core.0, detail: fault_text(&st) });
        }
        // The firmware writes PROTOCOL, then MAGIC, ..., the nonce LAST:
        // MAGIC vouches for PROTOCOL (so another version is recognised even
        // if it never echoes our nonce), and the nonce for everything else.
        if st.load(status::MAGIC as usize) != STATUS_MAGIC {
            return Ok(false);
        }
        let protocol = st.load(status::PROTOCOL as usize);
        if protocol != PROTOCOL_VERSION {
            return Err(LoaderError::VersionMismatch { core: core.0, found: protocol, expected: PROTOCOL_VERSION });
        }
        if st.load(status::BOOT_NONCE as usize) != nonce {
            return Ok(false);
        }
        let state = st.load(status::STATE as usize);
        if state != CoreState::Idle as u32 {
            return Err(LoaderError::BootFailed {
                core: core.0,
                detail: format!("it finished booting in state {}, not Idle", state_text(state)),
            });
        }
        Ok(true)
    }

    /// A one-line picture of a core for error messages.
    pub(crate) fn describe_state(&self, core: CoreId) -> String {
        let st = self.status_block(core);
        let state = st.load(status::STATE as usize);
        let mut s = format!("state {}", state_text(state));
        if state == CoreState::Fault as u32 {
            s = fault_text(&st);
        }
        if st.load(status::MAGIC as usize) != STATUS_MAGIC {
            s.push_str(" (the firmware never wrote its status block)");
        }
        let dbg = self.reg_read(core, reg::DEBUGSTATUS);
        if dbg & debugstatus::HALT != 0 {
            s.push_str(", core halted");
        }
        s
    }

    /// Halt the core poll loop helper: `cond` must become true within
    /// `timeout`, polling with a short sleep (the device may not ring the
    /// host for register changes, so this polls on both backends).
    fn poll(&self, core: CoreId, timeout: Duration, what: &str, cond: impl Fn() -> bool) -> Result<(), LoaderError> {
        let deadline = deadline_after(timeout);
        let mut pause = Duration::from_micros(10);
        loop {
            if cond() {
                return Ok(());
            }
            let now = Instant::now();
            if now >= deadline {
                self.check_server()?;
                return Err(LoaderError::Reset { core: core.0, detail: format!("{what} after {timeout:?}") });
            }
            std::thread::sleep(pause.min(deadline - now));
            pause = (pause * 2).min(Duration::from_millis(1));
        }
    }
}

pub(crate) fn state_text(state: u32) -> String {
    match CoreState::from_u32(state) {
        Some(s) => format!("{s:?}"),
        None if state == 0 => "none".into(),
        None => format!("{state} (unknown)"),
    }
}

fn fault_text(st: &crate::mem::Window) -> String {
    let code = st.load(status::FAULT as usize);
    let detail = st.load(status::FAULT_DETAIL as usize);
    match Fault::from_u32(code) {
        Some(f) => format!("firmware fault: {} (code {code}, detail {detail:#x})", f.describe()),
        None => format!("firmware fault with unknown code {code} (detail {detail:#x})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payload_matches_e_hal_byte_for_byte() {
        // e-hal's soft_reset_payload (reference §3.1C step 8): 62 bytes.
        let p = soft_reset_payload();
        assert_eq!(p.len(), 62);
        assert_eq!(&p[..8], &[0xe8, 0x16, 0x00, 0x00, 0xe8, 0x14, 0x00, 0x00]);
        assert_eq!(&p[40..44], &[0xe8, 0x02, 0x00, 0x00]);
        assert_eq!(&p[44..48], &[0x1f, 0x15, 0x02, 0x04]);
    }

    #[test]
    fn the_native_image_is_a_32_byte_header() {
        let img = FirmwareImage::native_simulated();
        assert_eq!(img.as_bytes().len(), 32);
        assert_eq!(&img.as_bytes()[..4], b"EPFW");
        assert_eq!(FirmwareImage::from_bytes(img.as_bytes().to_vec()).unwrap(), img);
        assert!(FirmwareImage::from_bytes(vec![0; 8]).is_err());
    }
}

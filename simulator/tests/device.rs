//! The simulator driven through its device file, the way a loader drives it.

mod common;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::Host;
use firmware::{Platform, Wake};
use shared_protocol::chip::{debugcmd, debugstatus, irq, reg, status as st, SOFT_RESET_PC};
use shared_protocol::layout::POSTBOX_START;
use shared_protocol::mailbox::{status, CoreState, Fault, FirmwareKind, FIRMWARE_MAGIC};
use shared_protocol::sim::{info, ServerState, FILE_LEN, SIM_MAGIC, SIM_VERSION};
use shared_protocol::{Chip, CoreId};
use simulator::{Backing, SimError, SimOptions, SimPlatform, Simulator};

fn sim_with(firmware: simulator::Firmware) -> (Simulator, Host) {
    let sim = Simulator::with_options(Backing::InMemory, Chip::E16, SimOptions { firmware, ..SimOptions::default() }).expect("start the simulator");
    let host = Host::open(sim.path(), sim.chip());
    (sim, host)
}

fn sim() -> (Simulator, Host) {
    sim_with(SimOptions::default().firmware)
}

fn halted(h: &Host, core: u32) -> bool {
    h.reg(core, reg::DEBUGSTATUS) & debugstatus::HALT != 0
}

fn active(h: &Host, core: u32) -> bool {
    h.reg(core, reg::STATUS) & st::ACTIVE != 0
}

/// Nothing changes for a while (used to check that something does NOT happen).
fn settle() {
    std::thread::sleep(Duration::from_millis(150));
}

#[test]
fn the_info_page_and_register_pages_start_in_the_reset_state() {
    let (sim, h) = sim();
    assert!(sim.path().to_string_lossy().starts_with("/proc/self/fd/"), "{}", sim.path().display());
    assert_eq!(h.info(info::MAGIC), SIM_MAGIC);
    assert_eq!(h.info(info::VERSION), SIM_VERSION);
    assert_eq!((h.info(info::ROWS), h.info(info::COLS)), (4, 4));
    assert_eq!((h.info(info::FIRST_ROW), h.info(info::FIRST_COL)), (32, 8));
    assert_eq!(h.info(info::SERVER_PID), std::process::id());
    assert_eq!(h.info(info::SERVER_STATE), ServerState::Running as u32);
    for core in 0..16 {
        assert_eq!(h.reg(core, reg::COREID), Chip::E16.mesh_id(CoreId(core)).0);
        for r in [reg::STATUS, reg::DEBUGSTATUS, reg::ILAT, reg::IPEND, reg::IMASK, reg::PC, reg::RESETCORE] {
            assert_eq!(h.reg(core, r), 0, "core {core} register {r:#x}");
        }
    }
    let beats = h.info(info::HEARTBEAT);
    h.wait_until("a heartbeat", |h| h.info(info::HEARTBEAT) != beats);
}

#[test]
fn every_core_boots_and_echoes() {
    let (_sim, h) = sim();
    for core in 0..16 {
        h.start(core, 0xB007_0000 + core);
    }
    for core in 0..16 {
        h.wait_booted(core, 0xB007_0000 + core);
        assert!(active(&h, core), "core {core} STATUS ACTIVE while its firmware runs");
        assert_eq!(h.reg(core, reg::ILAT) & irq::SYNC, 0, "SYNC consumed");
    }
    for core in 0..16 {
        h.echo(core, 0x5EED_0000 + core);
        h.echo(core, !core);
        assert_eq!(h.reg(core, reg::ILAT) & irq::USER, 0, "USER consumed");
    }
}

#[test]
fn an_unknown_firmware_header_halts_the_core_with_an_illegal_fault() {
    let (_sim, h) = sim();
    h.write_header(1, 0xBAD0_BAD0, FirmwareKind::NativeSimulated as u32);
    h.write_header(2, FIRMWARE_MAGIC, FirmwareKind::ThumbProxy as u32);
    for core in [1, 2] {
        h.raise(core, irq::SYNC);
    }
    for core in [1, 2] {
        h.wait_until(&format!("core {core} to fault"), |h| halted(h, core));
        let status = h.reg(core, reg::STATUS);
        assert_eq!((status & st::EXCAUSE_MASK) >> st::EXCAUSE_SHIFT, st::EXCAUSE_ILLEGAL);
        assert_eq!(status & st::ACTIVE, 0);
        assert_eq!(h.reg(core, reg::IPEND), irq::SWE);
        assert_eq!(h.status(core, status::MAGIC), 0, "no firmware ran");
    }
    // A loader does not halt a core that already reads HALT: PC = 0x2C alone
    // soft-resets a faulted core.
    h.write_regs(2, &[(reg::PC, SOFT_RESET_PC), (reg::DEBUGCMD, debugcmd::RUN)]);
    h.wait_until("core 2 idle after soft reset", |h| h.reg(2, reg::IPEND) == 0 && !halted(h, 2));
    assert_eq!(h.reg(2, reg::STATUS), 0);
    h.set_reg(2, reg::PC, 0);
    h.boot(2, 0x2222);
    // A plain halt/resume leaves it faulted; a soft reset makes it bootable again.
    h.write_regs(1, &[(reg::DEBUGCMD, debugcmd::HALT)]);
    settle();
    h.write_regs(1, &[(reg::DEBUGCMD, debugcmd::RUN)]);
    settle();
    assert!(halted(&h, 1), "still faulted after a plain resume");
    h.write_regs(1, &[(reg::DEBUGCMD, debugcmd::HALT)]);
    settle();
    h.write_regs(1, &[(reg::PC, SOFT_RESET_PC), (reg::DEBUGCMD, debugcmd::RUN)]);
    h.wait_until("core 1 idle after soft reset", |h| !halted(h, 1) && h.reg(1, reg::STATUS) == 0);
    h.set_reg(1, reg::PC, 0);
    h.boot(1, 0x1111);
    h.echo(1, 7);
}

#[test]
fn sync_waits_while_masked() {
    let (_sim, h) = sim();
    h.write_regs(4, &[(reg::IMASK, irq::SYNC)]);
    h.start(4, 0x44);
    settle();
    assert_eq!(h.status(4, status::MAGIC), 0, "a masked SYNC starts nothing");
    assert_eq!(h.reg(4, reg::ILAT) & irq::SYNC, irq::SYNC, "SYNC stays latched");
    h.write_regs(4, &[(reg::IMASK, !irq::SYNC)]);
    h.wait_booted(4, 0x44);
}

#[test]
fn debugcmd_halts_and_resumes_a_booted_core_which_carries_on() {
    let (_sim, h) = sim();
    h.boot(0, 0xA);
    h.write_regs(0, &[(reg::DEBUGCMD, debugcmd::HALT)]);
    // Halting does not idle a core: ACTIVE stays while its firmware lives.
    h.wait_until("core 0 halted", |h| halted(h, 0) && active(h, 0));
    // A command sent while halted is not served until the resume.
    let seq = h.cmd(0, shared_protocol::mailbox::cmd::SEQ).load(Ordering::Acquire);
    let (echo, resumed) = std::thread::scope(|s| {
        let echo = s.spawn(|| h.echo(0, 0xFEED));
        settle();
        let served_while_halted = h.status(0, status::REPLY_SEQ) != seq;
        h.write_regs(0, &[(reg::DEBUGCMD, debugcmd::RUN)]);
        (echo.join(), !served_while_halted)
    });
    assert!(echo.is_ok(), "echo after resume");
    assert!(resumed, "a halted core served a command");
    assert!(!halted(&h, 0) && active(&h, 0));
    h.echo(0, 2);

    // A core that never started halts and resumes too.
    h.write_regs(5, &[(reg::DEBUGCMD, debugcmd::HALT)]);
    h.wait_until("core 5 halted", |h| halted(h, 5));
    h.write_regs(5, &[(reg::DEBUGCMD, debugcmd::RUN)]);
    h.wait_until("core 5 resumed", |h| !halted(h, 5));
    h.boot(5, 0x5);
}

#[test]
fn resetcore_returns_a_booted_core_to_not_started() {
    let (_sim, h) = sim();
    h.boot(3, 0x30);
    h.write_regs(3, &[(reg::RESETCORE, 1)]);
    h.wait_until("core 3 in reset", |h| h.reg(3, reg::STATUS) == 0 && h.reg(3, reg::DEBUGSTATUS) == 0);
    assert_eq!((h.reg(3, reg::ILAT), h.reg(3, reg::IPEND)), (0, 0));
    // A core in reset latches nothing: SYNC now starts nothing.
    h.start(3, 0x31);
    settle();
    assert_eq!(h.status(3, status::BOOT_NONCE), 0x30);
    assert_eq!(h.reg(3, reg::ILAT), 0);
    h.write_regs(3, &[(reg::RESETCORE, 0)]);
    h.boot(3, 0x32);
    h.echo(3, 3);
}

#[test]
fn a_soft_reset_returns_a_booted_core_to_not_started() {
    let (_sim, h) = sim();
    h.boot(6, 0x60);
    // reference §3.1C: halt, clear interrupts, PC = 0x2C, resume, wait for idle.
    h.write_regs(6, &[(reg::DEBUGCMD, debugcmd::HALT)]);
    h.wait_until("core 6 halted", |h| halted(h, 6));
    h.write_regs(6, &[(reg::ILATCL, u32::MAX), (reg::IMASK, 0), (reg::IRET, SOFT_RESET_PC), (reg::PC, SOFT_RESET_PC)]);
    h.write_regs(6, &[(reg::FSTATUS, 1), (reg::DEBUGCMD, debugcmd::RUN)]);
    h.wait_until("core 6 idle", |h| {
        !halted(h, 6) && h.reg(6, reg::STATUS) & st::ACTIVE == 0 && h.reg(6, reg::ILAT) == 0 && h.reg(6, reg::IPEND) == 0
    });
    // ee_reset_regs, then a new start.
    h.write_regs(6, &[(reg::PC, 0), (reg::IMASK, !irq::SYNC), (reg::ILATCL, u32::MAX)]);
    h.boot(6, 0x61);
    h.echo(6, 6);
}

/// The loader's soft reset (reference §3.1C), which after the resume waits
/// only for ACTIVE, ILAT and IPEND to read 0 and then at once rewrites PC: the
/// simulator must not let it see "idle" before the old firmware is gone.
fn soft_reset_like_the_loader(h: &Host, core: u32) {
    if !halted(h, core) {
        h.write_regs(core, &[(reg::DEBUGCMD, debugcmd::HALT)]);
        h.wait_until("halted", |h| halted(h, core));
    }
    h.write_regs(core, &[(reg::ILATCL, u32::MAX), (reg::IMASK, 0), (reg::IRET, SOFT_RESET_PC), (reg::PC, SOFT_RESET_PC)]);
    h.write_regs(core, &[(reg::FSTATUS, 1), (reg::DEBUGCMD, debugcmd::RUN)]);
    h.wait_until("idle", |h| h.reg(core, reg::IPEND) == 0 && h.reg(core, reg::ILAT) == 0 && !active(h, core));
    h.write_regs(core, &[(reg::FSTATUS, 0), (reg::PC, 0), (reg::IRET, 0), (reg::IMASK, !irq::SYNC), (reg::ILATCL, u32::MAX)]);
}

#[test]
fn a_loader_that_waits_only_for_idle_reloads_running_and_faulted_cores() {
    let (_sim, h) = sim();
    for round in 0..20 {
        let nonce = 0x100 + round;
        h.boot(10, nonce);
        h.echo(10, round);
        soft_reset_like_the_loader(&h, 10);
        // The old firmware is gone: a new boot answers with the new nonce.
        assert_eq!(h.reg(10, reg::STATUS), 0, "round {round}");
    }
    for round in 0..10 {
        h.write_header(11, 0xBAD, FirmwareKind::NativeSimulated as u32);
        h.raise(11, irq::SYNC);
        h.wait_until("core 11 to fault", |h| halted(h, 11));
        soft_reset_like_the_loader(&h, 11);
        h.boot(11, 0x200 + round);
        h.echo(11, round);
        soft_reset_like_the_loader(&h, 11);
    }
}

fn panics_on_core_2(p: &mut SimPlatform) {
    if p.core() == CoreId(2) {
        panic!("injected firmware panic on core 2 (expected by the test)");
    }
    firmware::run(p);
}

#[test]
fn a_firmware_panic_is_a_fault_of_that_core_only() {
    let (_sim, h) = sim_with(panics_on_core_2);
    for core in 0..16 {
        h.start(core, 0x900 + core);
    }
    h.wait_until("core 2's panic report", |h| h.status(2, status::STATE) == CoreState::Fault as u32);
    assert_eq!(h.status(2, status::FAULT), Fault::Panic as u32);
    h.wait_until("core 2 halted", |h| halted(h, 2) && !active(h, 2));
    assert_eq!(h.reg(2, reg::IPEND), irq::SWE, "halted inside its exception");
    for core in (0..16).filter(|&c| c != 2) {
        h.wait_booted(core, 0x900 + core);
        h.echo(core, core);
    }
    // The faulted core can be reset and started again (and panics again).
    h.write_regs(2, &[(reg::RESETCORE, 1)]);
    h.wait_until("core 2 in reset", |h| h.reg(2, reg::DEBUGSTATUS) == 0);
    h.write_regs(2, &[(reg::RESETCORE, 0)]);
    h.dram(shared_protocol::layout::core_area(Chip::E16, CoreId(2)).0 + status::STATE).store(0, Ordering::Release);
    h.start(2, 0x902);
    h.wait_until("core 2's second panic report", |h| h.status(2, status::STATE) == CoreState::Fault as u32);
}

/// A stand-in for the VM: counts in DRAM (shared area word `core`), checking
/// for a halt on every "backward jump".
fn busy_vm(p: &mut SimPlatform) {
    // SAFETY: the DRAM window is mapped while the firmware runs; atomic access.
    let counter = unsafe { std::sync::atomic::AtomicU32::from_ptr(p.dram().add(p.core().0 as usize * 4).cast()) };
    while !p.halt_requested() {
        counter.fetch_add(1, Ordering::AcqRel);
        std::thread::sleep(Duration::from_micros(200));
    }
}

#[test]
fn a_busy_firmware_halts_resumes_soft_resets_and_shuts_down() {
    let (sim, h) = sim_with(busy_vm);
    let count = |h: &Host| h.dram(4 * 7).load(Ordering::Acquire);
    h.start(7, 1);
    h.wait_until("the VM to run", |h| count(h) > 10);
    assert!(active(&h, 7));
    h.write_regs(7, &[(reg::DEBUGCMD, debugcmd::HALT)]);
    h.wait_until("core 7 halted", |h| halted(h, 7) && active(h, 7));
    let at_halt = count(&h);
    settle();
    assert_eq!(count(&h), at_halt, "a halted core does not run");
    h.write_regs(7, &[(reg::DEBUGCMD, debugcmd::RUN)]);
    h.wait_until("the VM to carry on", |h| count(h) > at_halt + 10);
    assert!(active(&h, 7) && !halted(&h, 7));

    h.write_regs(7, &[(reg::DEBUGCMD, debugcmd::HALT)]);
    h.wait_until("core 7 halted", |h| halted(h, 7));
    h.write_regs(7, &[(reg::PC, SOFT_RESET_PC), (reg::DEBUGCMD, debugcmd::RUN)]);
    h.wait_until("core 7 idle", |h| !halted(h, 7) && h.reg(7, reg::STATUS) == 0);
    let at_reset = count(&h);
    settle();
    assert_eq!(count(&h), at_reset, "the abandoned VM does not run");

    // Shutdown with one core running, one halted mid-run and one in reset.
    h.set_reg(7, reg::PC, 0);
    h.start(7, 2);
    h.start(8, 3);
    h.wait_until("cores 7, 8 to run", |h| count(h) > at_reset && h.dram(4 * 8).load(Ordering::Acquire) > 0);
    h.write_regs(8, &[(reg::DEBUGCMD, debugcmd::HALT)]);
    h.wait_until("core 8 halted", |h| halted(h, 8));
    h.write_regs(9, &[(reg::RESETCORE, 1)]);
    let t = Instant::now();
    sim.shutdown();
    assert!(t.elapsed() < Duration::from_secs(2), "shutdown took {:?}", t.elapsed());
    assert_eq!(h.info(info::SERVER_STATE), ServerState::Stopped as u32);
}

/// Core 0 posts a word into core 1's postbox and raises its USER interrupt;
/// core 1 copies the word to DRAM and rings the host.
fn postbox_pair(p: &mut SimPlatform) {
    let word = |base: *mut u8, offset: usize| {
        // SAFETY: inside a mapped window; atomic access.
        unsafe { std::sync::atomic::AtomicU32::from_ptr(base.add(offset).cast()) }
    };
    match p.core().0 {
        0 => {
            word(p.remote_sram(CoreId(1)), POSTBOX_START as usize).store(0xC0DE_0001, Ordering::Release);
            p.raise_user_interrupt(CoreId(1));
        }
        1 if p.wait_for_interrupt() == Wake::Interrupt => {
            let got = word(p.sram(), POSTBOX_START as usize).load(Ordering::Acquire);
            word(p.dram(), 0x100).store(got, Ordering::Release);
            p.notify_host();
        }
        _ => {}
    }
    while p.wait_for_interrupt() != Wake::Stop {}
}

#[test]
fn cores_post_to_each_other_and_raise_user_interrupts() {
    let (_sim, h) = sim_with(postbox_pair);
    h.start(1, 0);
    h.wait_until("core 1 running", |h| active(h, 1));
    h.start(0, 0);
    h.wait_until("core 1 to receive core 0's word", |h| h.dram(0x100).load(Ordering::Acquire) == 0xC0DE_0001);
}

#[test]
fn a_file_backed_simulator_is_private_sparse_and_stops_on_drop() {
    use std::os::unix::fs::PermissionsExt;
    let dir = if std::path::Path::new("/dev/shm").is_dir() { "/dev/shm".into() } else { std::env::temp_dir() };
    let path = dir.join(format!("epython-sim-test-{}", std::process::id()));
    std::fs::write(&path, b"stale contents").expect("write a stale file");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let sim = Simulator::create(&path, Chip::E16).expect("create a file-backed simulator");
    assert_eq!(sim.path(), path);
    let meta = std::fs::metadata(&path).expect("stat");
    assert_eq!(meta.len(), FILE_LEN);
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    {
        let h = Host::open(&path, Chip::E16);
        assert_eq!(h.info(info::MAGIC), SIM_MAGIC);
        h.boot(9, 0x99);
        h.echo(9, 0x9999);
        drop(sim);
        assert_eq!(h.info(info::SERVER_STATE), ServerState::Stopped as u32);
    }
    use std::os::unix::fs::MetadataExt;
    assert!(std::fs::metadata(&path).expect("stat").blocks() * 512 < 16 << 20, "the file is sparse");
    std::fs::remove_file(&path).expect("remove the test file");
}

#[test]
fn an_e64_serves_its_last_core() {
    let sim = Simulator::in_memory(Chip::E64).expect("start an E64");
    let h = Host::open(sim.path(), sim.chip());
    assert_eq!(h.reg(63, reg::COREID), Chip::E64.mesh_id(CoreId(63)).0);
    h.boot(63, 0x63);
    h.echo(63, 63);
}

#[test]
fn errors_say_what_and_where() {
    let missing = std::path::Path::new("/nonexistent-dir/epython-sim");
    let err = Simulator::create(missing, Chip::E16).err().expect("no such directory");
    assert!(matches!(err, SimError::Create { .. }));
    assert!(err.to_string().contains("/nonexistent-dir/epython-sim"), "{err}");
    let err = Simulator::in_memory(Chip { rows: 0, ..Chip::E16 }).err().expect("no cores");
    assert!(err.to_string().contains("no cores"), "{err}");
    let err = simulator::serve(missing, Chip::E16).expect_err("serve cannot create the file");
    assert!(err.to_string().contains("/nonexistent-dir/epython-sim"), "{err}");
}

#[test]
fn a_simulator_can_move_between_threads() {
    fn send_and_sync<T: Send + Sync>() {}
    send_and_sync::<Simulator>();
    send_and_sync::<SimError>();
}

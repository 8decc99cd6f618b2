//! ISA mode end to end: the simulated E16 runs Epiphany machine code on
//! every core (the `iss` crate behind the device file), driven by the
//! loader's own reset/load/start code and host-call service, as on a board.
//! The programs are examples/epiphany/*.c, built with tools/epiphany-cc.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use std::time::{Duration, Instant};

use loader::{Device, HostCall, HostCalls, OpenOptions};
use shared_protocol::chip::debugstatus;
use shared_protocol::{Chip, CoreId};
use simulator::{Backing, SimOptions, Simulator};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Builds examples/epiphany/NAME.c; None (skipped, with a message) without
/// the toolchain, except under CI=true, where that fails.
fn build(name: &str) -> Option<PathBuf> {
    let have = Command::new(root().join("tools/epiphany-toolchain.sh")).arg("--prefix").output().is_ok_and(|o| o.status.success());
    if !have {
        assert!(std::env::var("CI").map_or(true, |v| v != "true"), "no Epiphany toolchain under CI=true");
        eprintln!("isa_mode: SKIPPED: no Epiphany toolchain (make epiphany-toolchain)");
        return None;
    }
    let out = std::env::temp_dir().join(format!("isa-mode-{name}-{}.elf", std::process::id()));
    let status = Command::new(root().join("tools/epiphany-cc"))
        .args(["-O2", "-o"])
        .arg(&out)
        .arg(root().join(format!("examples/epiphany/{name}.c")))
        .status()
        .expect("run tools/epiphany-cc");
    assert!(status.success(), "tools/epiphany-cc {name}.c failed");
    Some(out)
}

fn isa_simulator() -> Simulator {
    Simulator::with_options(Backing::InMemory, Chip::E16, SimOptions::isa()).expect("start an ISA-mode simulator")
}

/// What each core printed and how it ended.
#[derive(Debug, Default)]
struct Ran {
    output: BTreeMap<u32, String>,
    exits: BTreeMap<u32, HostCall>,
}

/// Loads `elf` onto `cores`, starts them and serves their host calls until
/// every one has exited (or failed), or `timeout` passes.
fn run(device: &Device, elf: &Path, cores: &[CoreId], timeout: Duration) -> Ran {
    device.load_elf(elf, cores).expect("load the ELF");
    device.start_cores(cores).expect("start the cores");
    let mut calls = HostCalls::new();
    let mut ran = Ran::default();
    let deadline = Instant::now() + timeout;
    while ran.exits.len() < cores.len() && Instant::now() < deadline {
        for &core in cores {
            if ran.exits.contains_key(&core.0) {
                continue;
            }
            match device.serve_host_call(core, &mut calls).expect("serve host calls") {
                Some(HostCall::Output { bytes, .. }) => {
                    ran.output.entry(core.0).or_default().push_str(&String::from_utf8_lossy(&bytes));
                }
                Some(other) => {
                    ran.exits.insert(core.0, other);
                }
                None => {}
            }
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    ran
}

fn hello_on_three_cores(force_hardware: bool) {
    let Some(elf) = build("hello") else { return };
    let sim = isa_simulator();
    let device = Device::open_with(sim.path(), OpenOptions { force_hardware, ..OpenOptions::default() }).expect("open");
    let cores = [CoreId(0), CoreId(5), CoreId(15)];
    let ran = run(&device, &elf, &cores, Duration::from_secs(20));
    for core in cores {
        let (row, col) = (core.0 / 4, core.0 % 4);
        let id = ((32 + row) << 6) | (8 + col);
        assert_eq!(
            ran.output.get(&core.0).map(String::as_str),
            Some(format!("hello from core {} (mesh id {id:#x}, row {row}, column {col})\n", core.0).as_str()),
            "core {core:?}: {ran:?}"
        );
        assert_eq!(ran.exits.get(&core.0), Some(&HostCall::Exit { code: core.0 as i32 }), "core {core:?}");
    }
    // A core that was not loaded stays in reset-idle, untouched.
    assert_eq!(device.core_registers(CoreId(1)).expect("registers").pc, 0);
}


#[test]
fn hello_runs_on_cores_0_5_15_with_their_exit_codes() {
    hello_on_three_cores(false);
}

#[test]
fn hello_runs_through_the_hardware_backend_too() {
    hello_on_three_cores(true);
}

#[test]
fn sixteen_cores_write_their_neighbours_raise_interrupts_and_idle() {
    let Some(elf) = build("neighbours") else { return };
    let sim = isa_simulator();
    let device = Device::open(sim.path()).expect("open");
    let cores = device.all_cores();
    let ran = run(&device, &elf, &cores, Duration::from_secs(30));
    for core in &cores {
        if !ran.exits.contains_key(&core.0) {
            let r = device.core_registers(*core).expect("registers");
            eprintln!("core {}: pc {:#x} status {:#x} dbg {:#x} ilat {:#x} ipend {:#x} imask {:#x}", core.0, r.pc, r.status, r.debugstatus, r.ilat, r.ipend, r.imask);
        }
    }
    for core in &cores {
        let (row, col) = (core.0 / 4, core.0 % 4);
        let me = ((32 + row) << 6) | (8 + col);
        let west = ((32 + row) << 6) | (8 + (col + 3) % 4);
        assert_eq!(
            ran.output.get(&core.0).map(String::as_str),
            Some(format!("core {me:#x}: {west:#x} wrote to me, 1 interrupt(s)\n").as_str()),
            "core {}: {ran:?}",
            core.0
        );
        assert_eq!(ran.exits.get(&core.0), Some(&HostCall::Exit { code: (west & 63) as i32 }));
    }
}

#[test]
fn an_endless_loop_is_halted_and_the_core_runs_the_next_program() {
    let (Some(endless), Some(hello)) = (build("endless"), build("hello")) else { return };
    let sim = isa_simulator();
    let core = CoreId(6);
    {
        let device = Device::open(sim.path()).expect("open");
        let ran = run(&device, &endless, &[core], Duration::from_millis(300));
        assert!(ran.exits.is_empty(), "an endless loop ended: {ran:?}");
        let regs = device.core_registers(core).expect("registers");
        assert_eq!(regs.debugstatus & debugstatus::HALT, 0, "still running");
        // Dropping the device halts every core (reference §7 step 9).
    }
    let device = Device::open(sim.path()).expect("reopen");
    let deadline = Instant::now() + Duration::from_secs(5);
    while device.core_registers(core).expect("registers").debugstatus & debugstatus::HALT == 0 {
        assert!(Instant::now() < deadline, "the core did not halt when the device was closed");
        std::thread::sleep(Duration::from_millis(5));
    }
    let ran = run(&device, &hello, &[core], Duration::from_secs(20));
    assert_eq!(ran.exits.get(&core.0), Some(&HostCall::Exit { code: 6 }), "{ran:?}");
}

#[test]
fn booting_isa_cores_without_the_epiphany_firmware_is_refused_clearly() {
    let sim = isa_simulator();
    // Opened without an Epiphany firmware (the native header is the default).
    let device = Device::open(sim.path()).expect("open");
    let err = device.boot(&[CoreId(0)]).expect_err("boot must refuse");
    let text = err.to_string();
    assert!(text.contains("run Epiphany machine code and need the Epiphany firmware"), "{text}");
}

#[test]
fn a_firmware_for_another_protocol_or_build_or_not_an_epython_firmware_is_refused() {
    let Some(hello) = build("hello") else { return };
    // An Epiphany ELF without a firmware header at CODE_START.
    let err = loader::FirmwareImage::from_elf(&hello).expect_err("hello.elf is not a firmware").to_string();
    assert!(err.contains("no firmware header"), "{err}");
    // The real firmware with its header's protocol changed.
    let Ok(path) = loader::select::firmware_candidates().into_iter().find(|p| p.exists()).ok_or(()) else {
        eprintln!("isa_mode: SKIPPED: no Epiphany firmware built (make epiphany)");
        return;
    };
    let bytes = std::fs::read(&path).expect("read the firmware");
    let at = find_header(&bytes).expect("the firmware header");
    let image = loader::FirmwareImage::from_elf_bytes(bytes.clone(), "the test's copy").expect("the firmware of this tree");
    assert_eq!(image.build_id(), firmware::BUILD_ID, "the header carries the firmware crate's build id");
    let mut other_protocol = bytes.clone();
    other_protocol[at + 4] ^= 0x40; // PROTOCOL
    let err = loader::FirmwareImage::from_elf_bytes(other_protocol, "copy").expect_err("another protocol").to_string();
    assert!(err.contains("protocol version"), "{err}");
    // Built from other sources (or a stale `make epiphany`): another build id.
    let mut other_build = bytes;
    other_build[at + 12] ^= 0x01; // BUILD_ID
    let err = loader::FirmwareImage::from_elf_bytes(other_build, "copy").expect_err("another build").to_string();
    assert!(err.contains("built from other sources") && err.contains("make epiphany"), "{err}");
}

/// The file offset of the firmware header (magic "EPFW", then the protocol).
fn find_header(bytes: &[u8]) -> Option<usize> {
    let magic = shared_protocol::mailbox::FIRMWARE_MAGIC.to_le_bytes();
    let protocol = shared_protocol::PROTOCOL_VERSION.to_le_bytes();
    bytes.windows(8).position(|w| w[..4] == magic && w[4..] == protocol)
}

#[test]
fn elf_refusals_hold_in_isa_mode_and_write_nothing() {
    let Some(elf) = build("hello") else { return };
    let sim = isa_simulator();
    let device = Device::open(sim.path()).expect("open");
    let good = std::fs::read(&elf).expect("read the ELF");
    // Core 2 runs the good image first, so there is something to protect.
    let ran = run(&device, &elf, &[CoreId(2)], Duration::from_secs(20));
    assert_eq!(ran.exits.get(&2), Some(&HostCall::Exit { code: 2 }));
    let before = device.read_core_memory(CoreId(2), 0, 0x8000).expect("core 2's SRAM");

    let refused = |name: &str, bytes: Vec<u8>, why: &str| {
        let path = std::env::temp_dir().join(format!("isa-refused-{name}-{}.elf", std::process::id()));
        std::fs::write(&path, bytes).expect("write");
        let err = device.load_elf(&path, &[CoreId(2)]).expect_err(name).to_string();
        assert!(err.contains(why), "{name}: {err}");
        assert_eq!(device.read_core_memory(CoreId(2), 0, 0x8000).as_deref(), Some(&before[..]), "{name} wrote SRAM");
    };
    // Not for the Epiphany: e_machine ARM (40).
    let mut arm = good.clone();
    arm[18..20].copy_from_slice(&40u16.to_le_bytes());
    refused("machine", arm, "machine");
    // The first program header's segment moved to where no memory is.
    let phoff = u32::from_le_bytes(good[28..32].try_into().expect("e_phoff")) as usize;
    let mut nowhere = good.clone();
    nowhere[phoff + 8..phoff + 12].copy_from_slice(&0x0090_0000u32.to_le_bytes());
    refused("segment", nowhere, "segment");
    // Cut short.
    refused("truncated", good[..100].to_vec(), "ELF");
}

/// `source` assembled (position-independent: absolute values only) into raw
/// bytes with the toolchain.
fn assemble(name: &str, source: &str) -> Vec<u8> {
    let prefix = PathBuf::from(String::from_utf8(Command::new(root().join("tools/epiphany-toolchain.sh")).arg("--prefix").output().expect("toolchain").stdout).expect("utf-8").trim());
    let dir = std::env::temp_dir().join(format!("isa-asm-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("p.s"), source).expect("write");
    let tool = |t: &str| prefix.join("bin").join(format!("epiphany-elf-{t}"));
    for (t, args) in [("as", vec!["-o", "p.o", "p.s"]), ("objcopy", vec!["-O", "binary", "-j", ".text", "p.o", "p.bin"])] {
        let ok = Command::new(tool(t)).args(args).current_dir(&dir).status().expect("run the toolchain").success();
        assert!(ok, "{t} failed on {source}");
    }
    let bytes = std::fs::read(dir.join("p.bin")).expect("read");
    let _ = std::fs::remove_dir_all(&dir);
    bytes
}

#[test]
fn faults_in_the_epiphany_firmware_are_core_faults_and_a_reload_recovers() {
    use loader::{CoreOutcome, Fault, RunOptions};
    use object::{Object, ObjectSymbol};
    use std::os::unix::fs::FileExt;
    if build("hello").is_none() {
        return;
    }
    let Ok(firmware) = loader::select::epiphany_firmware() else {
        return eprintln!("isa_mode: SKIPPED: no Epiphany firmware built (make epiphany)");
    };
    let path = loader::select::firmware_candidates().into_iter().find(|p| p.exists()).expect("the firmware file");
    let bytes = std::fs::read(&path).expect("read the firmware");
    let elf = object::File::parse(&*bytes).expect("an ELF");
    let symbol = |part: &str| elf.symbols().find(|s| s.name().is_ok_and(|n| n.contains(part))).map(|s| s.address() as u32).unwrap_or_else(|| panic!("no symbol {part}"));
    let (isr, instance, panic_fn) = (symbol("_epy_user_isr"), symbol("_instance"), symbol("panic_const_div_by_zero"));
    // What the core does when the host rings its doorbell for the launch:
    // the USER interrupt's handler, replaced by each fault in turn. With
    // interrupts enabled again (gie) the firmware's exception handler takes
    // the illegal instruction and reports it (Fault::Panic, detail
    // 0x8000_0000 | EXCAUSE << 24 | ...); the unaligned access, with
    // interrupts still off, stops the core on the exception, which the host
    // reads from its registers (Fault::CpuException).
    let faults: [(&str, String); 3] = [
        ("illegal instruction", "gie\n.hword 0x003e\n".into()), // bitr with a nonzero shift field: no such encoding
        ("unaligned access", "mov r0,1\nldr r0,[r0]\n".into()),
        ("firmware panic", format!(
            "mov r0,%low({instance})\nmovt r0,%high({instance})\nmov r1,0\nmov r2,%low({panic_fn})\nmovt r2,%high({panic_fn})\njalr r2\n"
        )),
    ];

    let sim = isa_simulator();
    let timeouts = loader::Timeouts { reset_step: Duration::from_secs(2), boot: Duration::from_secs(10), command: Duration::from_secs(10) };
    let device = Device::open_with(sim.path(), OpenOptions { timeouts, firmware, ..OpenOptions::default() }).expect("open");
    let cores = [CoreId(0), CoreId(1), CoreId(2)];
    device.boot(&cores).expect("boot the Epiphany firmware");
    let file = std::fs::OpenOptions::new().write(true).open(sim.path()).expect("the device file");
    for (core, (what, source)) in cores.iter().zip(&faults) {
        let patch = assemble(&what.replace(' ', "-"), source);
        file.write_all_at(&patch, (Chip::E16.sram_base(*core).0 + isr) as u64).expect("patch the handler");
    }
    let program = compiler::compile("x = 6 * 7\nprint(x)\n", "k.py").expect("compile");
    let opts = RunOptions { timeout: Some(Duration::from_secs(20)), ..Default::default() };
    let report = device.run(&program.image, &cores, &opts, &mut |_, _| {}).expect("run");
    for ((core, outcome), (what, _)) in report.outcomes.iter().zip(&faults) {
        eprintln!("core {}: {what}: {outcome:?}", core.0);
        match (*what, outcome) {
            ("illegal instruction", CoreOutcome::Fault { code: Fault::Panic, detail }) => {
                assert_eq!((detail >> 31, (detail >> 24) & 0x7F), (1, 5), "EXCAUSE illegal, from the firmware's handler")
            }
            ("unaligned access", CoreOutcome::Fault { code: Fault::CpuException, detail }) => {
                assert_eq!(detail >> 24, 2, "EXCAUSE unaligned, from the core's registers")
            }
            ("firmware panic", CoreOutcome::Fault { code: Fault::Panic, detail }) => assert_eq!(*detail, 0),
            (what, other) => panic!("core {}: {what}: not the expected core fault: {other:?}", core.0),
        }
    }
    // A reload gives back a working core (the handler comes from the ELF again).
    for &core in &cores {
        device.halt_and_reload(core).expect("reload");
    }
    let mut lines = Vec::new();
    let report = device.run(&program.image, &cores, &opts, &mut |core, line| lines.push((core.0, line.to_string()))).expect("run again");
    assert!(report.outcomes.iter().all(|(_, o)| matches!(o, CoreOutcome::Returned(_))), "{:?}", report.outcomes);
    lines.sort();
    assert_eq!(lines, vec![(0, "42".to_string()), (1, "42".to_string()), (2, "42".to_string())]);

    // A kernel that never ends is stopped by the host's halt (the chip's
    // cores are halted in hardware; there is no halt word to poll).
    let spin = compiler::compile("while True:\n    pass\n", "spin.py").expect("compile");
    let short = RunOptions { timeout: Some(Duration::from_millis(500)), ..Default::default() };
    let report = device.run(&spin.image, &[CoreId(0)], &short, &mut |_, _| {}).expect("run the spin");
    assert!(matches!(report.outcomes[0].1, CoreOutcome::TimedOut), "{:?}", report.outcomes);
    let report = device.run(&program.image, &[CoreId(0)], &opts, &mut |_, _| {}).expect("run after the timeout");
    assert!(matches!(report.outcomes[0].1, CoreOutcome::Returned(_)), "{:?}", report.outcomes);
}

#[test]
fn a_stack_that_reached_its_end_is_a_stack_overflow_fault() {
    use loader::{CoreOutcome, Fault, RunOptions};
    use shared_protocol::layout::{EPIPHANY_C_STACK_START, EPIPHANY_SHADOW_STACK_START, STACK_CANARY};
    use std::os::unix::fs::FileExt;
    let Ok(firmware) = loader::select::epiphany_firmware() else {
        return eprintln!("isa_mode: SKIPPED: no Epiphany firmware built (make epiphany)");
    };
    let sim = isa_simulator();
    let device = Device::open_with(sim.path(), OpenOptions { firmware, ..OpenOptions::default() }).expect("open");
    let cores = [CoreId(3), CoreId(4), CoreId(5)];
    device.boot(&cores).expect("boot the Epiphany firmware");
    // The boot painted the lowest word of both stacks. Overwrite it on two
    // cores, as a C stack (core 3) or a Rust shadow stack (core 4) that
    // reached its region's end would; core 5 keeps its canaries.
    let file = std::fs::OpenOptions::new().read(true).write(true).open(sim.path()).expect("the device file");
    for (core, end) in [(CoreId(3), EPIPHANY_C_STACK_START), (CoreId(4), EPIPHANY_SHADOW_STACK_START)] {
        let at = (Chip::E16.sram_base(core).0 + end) as u64;
        let mut word = [0u8; 4];
        file.read_exact_at(&mut word, at).expect("read the canary");
        assert_eq!(u32::from_le_bytes(word), STACK_CANARY, "core {}: the boot painted {end:#x}", core.0);
        file.write_all_at(&0xDEAD_BEEFu32.to_le_bytes(), at).expect("overwrite the canary");
    }
    let program = compiler::compile("print(6 * 7)\n", "k.py").expect("compile");
    let opts = RunOptions { timeout: Some(Duration::from_secs(20)), ..Default::default() };
    let report = device.run(&program.image, &cores, &opts, &mut |_, _| {}).expect("run");
    for (core, outcome) in &report.outcomes {
        match core.0 {
            3 | 4 => assert!(matches!(outcome, CoreOutcome::Fault { code: Fault::StackOverflow, .. }), "core {}: {outcome:?}", core.0),
            _ => assert!(matches!(outcome, CoreOutcome::Returned(_)), "core {}: {outcome:?}", core.0),
        }
    }
}

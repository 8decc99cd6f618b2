//! How deep the Epiphany firmware's two stacks go (issue 13's memory plan):
//! the C stack of the wasm2c code and the Rust code's shadow stack, measured
//! on the ISS. After boot, while the core sleeps, the unused part of each
//! stack region is painted; then corpus programs run (every 10th, or every
//! CORPUS_ISA_EVERY-th), and the lowest word no longer holding the paint
//! gives each stack's depth. The test prints both and fails if either
//! reaches within 256 bytes of its region's end.

use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::time::Duration;

use loader::{Device, OpenOptions, Timeouts};
use object::read::elf::{ElfFile32, FileHeader};
use object::{Object, ObjectSymbol};
use shared_protocol::chip::REG_PAGE_OFFSET;
use shared_protocol::layout::{EPIPHANY_C_STACK_END, EPIPHANY_C_STACK_START, EPIPHANY_SHADOW_STACK_START};
use shared_protocol::{Chip, CoreId};
use simulator::{Backing, CoreModel, SimOptions, Simulator};

const CORE: CoreId = CoreId(0);
const PAINT: u32 = 0x5AC4_5AC4;
const MARGIN: u32 = 256;

fn word_at(file: &std::fs::File, offset: u64) -> u32 {
    let mut b = [0u8; 4];
    file.read_exact_at(&mut b, offset).expect("read the device file");
    u32::from_le_bytes(b)
}

/// The lowest word of `start..end` (SRAM addresses) that is not the paint.
fn low_water(file: &std::fs::File, sram: u64, start: u32, end: u32) -> u32 {
    (start..end).step_by(4).find(|&a| word_at(file, sram + a as u64) != PAINT).unwrap_or(end)
}

#[test]
fn the_epiphany_firmwares_stacks_stay_inside_their_regions() {
    let firmware = match loader::select::epiphany_firmware() {
        Ok(f) => f,
        Err(why) if std::env::var("CI").is_ok_and(|v| v == "true") => panic!("{why}"),
        Err(why) => return eprintln!("isa_stacks: SKIPPED: {why}"),
    };
    let elf_path = loader::select::firmware_candidates().into_iter().find(|p| p.exists()).expect("the firmware file");
    let elf_bytes = std::fs::read(&elf_path).expect("read the firmware");
    let elf = ElfFile32::<object::LittleEndian>::parse(&*elf_bytes).expect("an ELF");
    let _ = elf.elf_header().e_machine(object::LittleEndian);
    let instance = elf.symbols().find(|s| s.name() == Ok("_instance")).map(|s| s.address() as u32).expect("the wasm instance symbol");

    let sim = Simulator::with_options(Backing::InMemory, Chip::E16, SimOptions { model: CoreModel::Isa, ..SimOptions::default() })
        .expect("start the simulator");
    let timeouts = Timeouts { reset_step: Duration::from_secs(2), boot: Duration::from_secs(10), command: Duration::from_secs(10) };
    let dev = Device::open_with(sim.path(), OpenOptions { timeouts, firmware, ..Default::default() }).expect("open");
    dev.boot(&[CORE]).expect("boot core 0");

    let file = std::fs::OpenOptions::new().read(true).write(true).open(sim.path()).expect("open the device file");
    let sram = Chip::E16.sram_base(CORE).0 as u64;
    let regs = Chip::E16.regs_base(CORE).0 as u64;
    // The core sleeps in its service loop: its stack pointers are published.
    std::thread::sleep(Duration::from_millis(50));
    let c_sp = word_at(&file, regs + (13 * 4) as u64);
    let shadow_sp = word_at(&file, sram + instance as u64 + 4);
    assert!((EPIPHANY_C_STACK_START..=EPIPHANY_C_STACK_END).contains(&c_sp), "C sp {c_sp:#x}");
    assert!((EPIPHANY_SHADOW_STACK_START..=EPIPHANY_C_STACK_START).contains(&shadow_sp), "shadow sp {shadow_sp:#x}");
    let paint = |from: u32, to: u32| {
        for a in (from..to).step_by(4) {
            file.write_all_at(&PAINT.to_le_bytes(), sram + a as u64).expect("paint");
        }
    };
    // Below each stack pointer (with room for the frame of the sleeping
    // call), above the lowest word: the firmware's canary (STACK_CANARY,
    // Platform::stack_ends), which must stay as it is.
    paint(EPIPHANY_C_STACK_START + 4, c_sp - 64);
    paint(EPIPHANY_SHADOW_STACK_START + 4, shadow_sp - 64);
    let _ = REG_PAGE_OFFSET;

    let every: usize = std::env::var("CORPUS_ISA_EVERY").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("programs");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir).expect("programs").filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "py")).collect();
    names.sort();
    let mut ran = 0;
    let mut faulted = Vec::new();
    for path in names.iter().step_by(every) {
        let source = std::fs::read_to_string(path).expect("read a program");
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("program");
        let text = e2e_tests::run_text::run_program(&dev, CORE, name, &source, Duration::from_secs(180));
        // A fault (a stack overflow among them) would end the measurement
        // early and reload the core: no program may take one here.
        if ["<core fault", "<timed out", "<loader error", "<protocol error"].iter().any(|m| text.contains(m)) {
            faulted.push(format!("{name}: {}", text.lines().last().unwrap_or("")));
        }
        ran += 1;
    }
    let c_low = low_water(&file, sram, EPIPHANY_C_STACK_START + 4, EPIPHANY_C_STACK_END);
    let shadow_low = low_water(&file, sram, EPIPHANY_SHADOW_STACK_START + 4, EPIPHANY_C_STACK_START);
    let (c_depth, shadow_depth) = (EPIPHANY_C_STACK_END - c_low, EPIPHANY_C_STACK_START - shadow_low);
    eprintln!(
        "Epiphany firmware stacks after {ran} corpus programs: C stack {c_depth} of {} bytes, shadow stack {shadow_depth} of {} bytes",
        EPIPHANY_C_STACK_END - EPIPHANY_C_STACK_START,
        EPIPHANY_C_STACK_START - EPIPHANY_SHADOW_STACK_START
    );
    assert!(faulted.is_empty(), "programs that did not run to their end: {faulted:#?}");
    assert!(c_low >= EPIPHANY_C_STACK_START + MARGIN, "the C stack reached {c_low:#x}, within {MARGIN} bytes of its region's end");
    assert!(shadow_low >= EPIPHANY_SHADOW_STACK_START + MARGIN, "the shadow stack reached {shadow_low:#x}");
}

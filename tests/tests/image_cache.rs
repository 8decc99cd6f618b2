//! The image cache (issue 17, loader image_cache.rs): a core that runs the
//! same kernel again skips the copy and the verifier, and never runs a
//! stale image. Each invalidation case (reset, reload, fault, cancel and
//! timeout mid-run, a new open) runs on an in-process simulated E16 through
//! the simulator backend and through the hardware backend's code path
//! (`force_hardware`).
//!
//! How staleness would show: after the event, the test plants another
//! kernel's image (same length, `x + 2` instead of `x + 1`) in the core's
//! VM memory and in its inbox, behind the loader's back. A launch that
//! trusted either copy would return x + 2; a core that reloads from an
//! inbox the host rewrote returns x + 1. The control case shows that a
//! planted image does run when nothing invalidated the cache.

use std::fs::OpenOptions as FileOptions;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::time::{Duration, Instant};

use loader::{CoreOutcome, Device, KernelArgs, KernelImage, Launch, OpenOptions, RunOptions, Timeouts, Value};
use shared_protocol::chip::DRAM_BASE;
use shared_protocol::layout::{self, ARENA_START, CORE_INBOX};
use shared_protocol::{Chip, CoreId};
use simulator::{ForcedFault, Simulator};

/// `x < 0` spins until stopped; otherwise x + ADD.
fn kernel(add: u32) -> KernelImage {
    let src = format!("def k(x):\n    while x < 0:\n        pass\n    return x + {add}\n");
    KernelImage::new(compiler::compile_kernel(&src, "k.py", 1, "k").expect("compile").image)
}

fn args(x: i32) -> KernelArgs {
    KernelArgs::encode(&[Value::Int(x)]).expect("encode")
}

fn open(sim: &Simulator, hardware: bool) -> Device {
    // Generous bounds: 2 CPUs for 16 core threads, and idle cores that only
    // poll their registers when nothing notifies them (hardware backend).
    let timeouts = Timeouts { reset_step: Duration::from_secs(5), boot: Duration::from_secs(20), command: Duration::from_secs(20) };
    Device::open_with(sim.path(), OpenOptions { force_hardware: hardware, timeouts, ..Default::default() }).expect("open")
}

/// Poll the launch until every core has an outcome.
fn finish(dev: &Device, mut launch: Launch) -> Vec<CoreOutcome> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !launch.is_finished() {
        assert!(Instant::now() < deadline, "launch {} did not finish in a minute", launch.number());
        if !dev.poll_launch(&mut launch, &mut |_, _| {}).expect("poll") {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    launch.into_report().outcomes.into_iter().map(|(_, o)| o).collect()
}

fn call(dev: &Device, image: &KernelImage, core: CoreId, x: i32) -> CoreOutcome {
    let launch = dev.launch(image, Some(&args(x)), &[core]).expect("launch");
    finish(dev, launch).remove(0)
}

/// Start the spinning call and wait until the core runs it.
fn start_spinning(dev: &Device, image: &KernelImage, core: CoreId) -> Launch {
    let launch = dev.launch(image, Some(&args(-1)), &[core]).expect("launch");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let m = dev.mailbox_state(core).expect("mailbox");
        let word = |name: &str| m.status.iter().find(|(n, _)| *n == name).map_or(0, |(_, v)| *v);
        if word("STATE") == shared_protocol::mailbox::CoreState::Running as u32 && word("LAUNCH") == launch.number() {
            return launch;
        }
        assert!(Instant::now() < deadline, "core {} never started the spinning call", core.0);
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Write `image` where a core's VM memory and its inbox hold the image
/// (both at offset 0: exec.rs puts a small image at arena word 0).
fn plant(path: &Path, chip: Chip, core: CoreId, image: &KernelImage) {
    let file = FileOptions::new().write(true).open(path).expect("open the simulator file");
    let arena = u64::from(chip.sram_base(core).0) + u64::from(ARENA_START);
    let inbox = u64::from(DRAM_BASE) + u64::from(layout::core_area(chip, core).0 + CORE_INBOX);
    for at in [arena, inbox] {
        file.write_all_at(image.bytes(), at).expect("write");
    }
}

/// Which event a case puts between caching `x + 1` and planting `x + 2`.
#[derive(Clone, Copy, Debug)]
enum Event {
    Nothing,
    Reset,
    Reload,
    Fault,
    Cancel,
    Timeout,
}

/// Cache k on `core`, make `event` happen, plant the other image, call
/// again: returns the call's outcome and whether the core loaded an image
/// for it.
fn after(dev: &Device, sim: &Simulator, core: CoreId, event: Event) -> (CoreOutcome, bool) {
    let (k, other) = (kernel(1), kernel(2));
    assert_eq!(call(dev, &k, core, 1), CoreOutcome::Returned(Value::Int(2)));
    let loads = dev.image_loads(core);
    assert_eq!(call(dev, &k, core, 2), CoreOutcome::Returned(Value::Int(3)));
    assert_eq!(dev.image_loads(core), loads, "{event:?}: the second call of k on core {} loaded it again", core.0);
    match event {
        Event::Nothing => {}
        Event::Reset => {
            dev.reset_core(core).expect("reset");
            dev.boot(&[core]).expect("boot");
        }
        Event::Reload => dev.halt_and_reload(core).expect("reload"),
        Event::Fault => {
            let launch = start_spinning(dev, &k, core);
            sim.force_fault(core, ForcedFault::Panic).expect("force a fault");
            let outcome = finish(dev, launch).remove(0);
            assert!(matches!(outcome, CoreOutcome::Fault { .. }), "{outcome:?}");
        }
        Event::Cancel => {
            let launch = start_spinning(dev, &k, core);
            dev.cancel(&launch);
            assert_eq!(finish(dev, launch), vec![CoreOutcome::Cancelled]);
        }
        Event::Timeout => {
            let opts = RunOptions { timeout: Some(Duration::from_millis(300)), ..Default::default() };
            let report = dev.run_kernel(k.bytes(), &args(-1), &[core], &opts, &mut |_, _| {}).expect("run");
            assert_eq!(report.outcomes, vec![(core, CoreOutcome::TimedOut)]);
        }
    }
    plant(sim.path(), dev.chip(), core, &other);
    let loads = dev.image_loads(core);
    let outcome = call(dev, &k, core, 5);
    (outcome, dev.image_loads(core) == loads.wrapping_add(1))
}

fn every_case(hardware: bool) {
    let sim = Simulator::in_memory(Chip::E16).expect("start the simulator");
    let (k, other) = (kernel(1), kernel(2));
    assert_eq!(k.bytes().len(), other.bytes().len(), "the planted image must fit the cached one's place");
    assert_ne!(k.tag(), other.tag());
    let dev = open(&sim, hardware);
    let cores: Vec<CoreId> = (0..7).map(CoreId).collect();
    dev.boot(&cores).expect("boot");

    // The control: nothing invalidated the cache, so the planted image runs.
    let (outcome, loaded) = after(&dev, &sim, cores[0], Event::Nothing);
    assert_eq!((outcome, loaded), (CoreOutcome::Returned(Value::Int(7)), false), "the planted image did not run");

    for (&core, event) in cores[1..6].iter().zip([Event::Reset, Event::Reload, Event::Fault, Event::Cancel, Event::Timeout]) {
        let (outcome, loaded) = after(&dev, &sim, core, event);
        assert_eq!(outcome, CoreOutcome::Returned(Value::Int(6)), "{event:?} on core {}: a stale image ran", core.0);
        assert!(loaded, "{event:?} on core {}: the core did not load the image again", core.0);
    }

    // A new open: every core's epoch goes past the last one the previous
    // open used, and a core booted by it loads the image again.
    let core = cores[6];
    assert_eq!(call(&dev, &k, core, 1), CoreOutcome::Returned(Value::Int(2)));
    let epochs: Vec<u32> = dev.all_cores().into_iter().map(|c| dev.image_epoch(c)).collect();
    drop(dev);
    plant(sim.path(), sim.chip(), core, &other);
    let dev = open(&sim, hardware);
    // The slot holds the last epoch a launch sent each core; cores that
    // never ran a launch hold 0, one a boot cleared too.
    assert_eq!(dev.image_epoch(core), epochs[core.0 as usize].wrapping_add(1), "a new open reused the epoch");
    dev.boot(&[core]).expect("boot");
    assert_ne!(dev.image_epoch(core), epochs[core.0 as usize]);
    assert_eq!(call(&dev, &k, core, 5), CoreOutcome::Returned(Value::Int(6)), "a new open ran a stale image");
    assert_eq!(dev.image_loads(core), 1);
}

#[test]
fn no_invalidation_case_runs_a_stale_image_simulator_backend() {
    every_case(false);
}

#[test]
fn no_invalidation_case_runs_a_stale_image_hardware_backend() {
    every_case(true);
}

/// One entry per core: another kernel in between is loaded, and so is the
/// first one again; a 16-core launch loads once per core.
#[test]
fn a_core_keeps_the_last_image_only() {
    let sim = Simulator::in_memory(Chip::E16).expect("start the simulator");
    let dev = open(&sim, false);
    let all = dev.all_cores();
    dev.boot(&all).expect("boot");
    let (a, b) = (kernel(1), kernel(2));
    let core = CoreId(3);
    let mut loads = Vec::new();
    for (image, want) in [(&a, 2), (&a, 2), (&b, 3), (&a, 2), (&a, 2)] {
        assert_eq!(call(&dev, image, core, 1), CoreOutcome::Returned(Value::Int(want)));
        loads.push(dev.image_loads(core));
    }
    assert_eq!(loads, vec![1, 1, 2, 3, 3]);
    for round in 0..3 {
        let launch = dev.launch(&a, Some(&args(round)), &all).expect("launch");
        let outcomes = finish(&dev, launch);
        assert!(outcomes.iter().all(|o| *o == CoreOutcome::Returned(Value::Int(round + 1))), "{outcomes:?}");
    }
    let per_core: Vec<u32> = all.iter().map(|&c| dev.image_loads(c)).collect();
    let want: Vec<u32> = all.iter().map(|&c| if c == core { 3 } else { 1 }).collect();
    assert_eq!(per_core, want);
}

//! The parallel examples on 16 cores running the Epiphany firmware's own
//! machine code (ISA mode), against the native simulator's output, and the
//! host's deadlock report on those cores (issue 13).
//!
//! Each core's lines are compared in order; lines of different cores may
//! interleave differently on the two devices, so the comparison is per core.
//! Skipped (with a message) without the Epiphany firmware, except under
//! CI=true, where that fails.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use e2e_tests::run_text::{sim_device, SimDevice};
use loader::{CoreOutcome, Device, RunOptions};
use simulator::CoreModel;

/// A booted E16 whose cores are `model` (run_text's device); None when ISA
/// mode has no firmware (a panic under CI=true).
fn rig(model: CoreModel) -> Option<SimDevice> {
    let rig = sim_device(model, "parallel examples")?;
    rig.dev.boot(&rig.dev.all_cores()).expect("boot 16 cores");
    Some(rig)
}

/// Each core's printed lines, then how it ended, as text.
fn run_on_all_cores(dev: &Device, name: &str, source: &str) -> BTreeMap<u32, Vec<String>> {
    let program = compiler::compile(source, name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let opts = RunOptions { timeout: Some(Duration::from_secs(120)), ..Default::default() };
    let mut per_core: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    let report = dev
        .run(&program.image, &dev.all_cores(), &opts, &mut |core, line| per_core.entry(core.0).or_default().push(line.into()))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    for (core, outcome) in report.outcomes {
        per_core.entry(core.0).or_default().push(format!("ended: {outcome:?}"));
    }
    per_core
}

#[test]
fn the_parallel_examples_print_the_same_on_16_isa_cores_as_on_the_native_simulator() {
    let Some(isa) = rig(CoreModel::Isa) else { return };
    let native = rig(CoreModel::Native).expect("the native simulator");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    for name in ["token_ring.py", "bcast.py", "pi_dartboard.py", "jacobi.py"] {
        let source = std::fs::read_to_string(examples.join(name)).expect("read the example");
        let started = Instant::now();
        let on_isa = run_on_all_cores(&isa.dev, name, &source);
        let isa_time = started.elapsed();
        let on_native = run_on_all_cores(&native.dev, name, &source);
        println!("{name}: 16 ISA cores in {:.2} s", isa_time.as_secs_f64());
        assert_eq!(on_isa.len(), 16, "{name}: {on_isa:?}");
        assert!(on_isa.values().any(|lines| lines.len() > 1), "{name}: no core printed anything");
        assert_eq!(on_isa, on_native, "{name}: ISA mode (left) differs from the native simulator (right)");
    }
}

#[test]
fn two_isa_cores_waiting_on_each_other_are_reported_as_a_deadlock_and_the_device_runs_on() {
    let Some(r) = rig(CoreModel::Isa) else { return };
    let src = "from parallel import coreid, recv\nme = coreid()\nif me == 0:\n    x = recv(1)\nelif me == 1:\n    y = recv(0)\n";
    let program = compiler::compile(src, "deadlock.py").expect("compile");
    let opts = RunOptions { timeout: Some(Duration::from_secs(120)), ..Default::default() };
    let started = Instant::now();
    let report = r.dev.run(&program.image, &r.dev.all_cores(), &opts, &mut |_, _| {}).expect("run");
    // The figure the issue asks for (within a second); not asserted: the
    // machine may be loaded. The 120 s timeout would be the other ending.
    println!("deadlock on 16 ISA cores reported {:.3} s after the launch", started.elapsed().as_secs_f64());
    for (core, outcome) in &report.outcomes {
        match (core.0, outcome) {
            (0 | 1, CoreOutcome::Error(e)) => {
                assert_eq!(e.type_name, "Deadlock", "core {}", core.0);
                assert!(e.message.contains("core 0 in recv(1) at line 4"), "{}", e.message);
                assert!(e.message.contains("core 1 in recv(0) at line 6"), "{}", e.message);
            }
            (2.., CoreOutcome::Returned(_)) => {}
            (c, other) => panic!("core {c}: {other:?}"),
        }
    }
    let again = run_on_all_cores(&r.dev, "token_ring.py", &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/token_ring.py")).expect("read"));
    assert!(again[&0][0].contains("reads 160"), "{:?}", again[&0]);
}

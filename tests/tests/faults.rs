//! Faulted cores (issue 8): a firmware panic and a VM fault, forced on a
//! core of an in-process simulated E16 through the simulator's test hook
//! (`Simulator::force_fault`, firmware feature `fault-hooks`), are reported
//! as `CoreOutcome::Fault` with the firmware's code; the scheduler reloads
//! the core, a following launch on it succeeds, its device-resident data is
//! gone while other cores keep theirs, and the other cores of the launch are
//! not disturbed.

use std::time::Duration;

use compiler::compile_kernel;
use loader::{CoreOutcome, Device, Fault, Job, JobView, KernelArgs, KernelImage, Placement, Scheduler, Value};
use shared_protocol::{Chip, CoreId};
use simulator::{ForcedFault, Simulator};

/// The scheduler first: it closes the device before the simulator stops.
struct Rig {
    sched: Scheduler,
    sim: Simulator,
}

fn rig() -> Rig {
    let sim = Simulator::in_memory(Chip::E16).expect("start the simulator");
    let dev = Device::open(sim.path()).expect("open the simulator");
    Rig { sched: Scheduler::new(dev).expect("boot the cores"), sim }
}

const KERNELS: &str = "\
def spin(n):
    from parallel import coreid
    if coreid() == n:
        while True:
            pass
    return coreid()

def count(n):
    total = 0
    for i in range(n):
        total += i
    return total

def setg(v):
    global g
    g = v
    return g

def getg(n):
    return g
";

/// A launch of `entry(arg)`, with `g` bound to data-store slot 0 when `data`.
fn job(entry: &str, arg: i32, cores: &[u32], data: bool) -> Job {
    let program = compile_kernel(KERNELS, "kernels.py", 1, entry).unwrap_or_else(|e| panic!("{e}"));
    let mut args = KernelArgs::encode(&[Value::Int(arg)]).expect("encode");
    if data {
        let g = program.globals.iter().position(|n| n == "g").expect("g is a global") as u32;
        args = args.with_data(&[(g, 0)]).expect("bind g");
    }
    let placement = Placement::Target(cores.iter().copied().map(CoreId).collect());
    Job { image: KernelImage::new(program.image), args: Some(args), placement }
}

/// Wait for the job's end (generous: 2 CPUs run 16 core threads).
fn finish(s: &Scheduler, id: u64) -> JobView {
    for _ in 0..600 {
        let v = s.wait(id, Duration::from_millis(100), None).expect("a known job");
        if v.state.is_final() {
            return v;
        }
    }
    panic!("job {id} did not finish in a minute");
}

fn outcome(v: &JobView, core: u32) -> CoreOutcome {
    let (_, o) = v.outcomes.iter().find(|(c, _)| c.0 == core).expect("the core is in the launch");
    o.clone().expect("final")
}

/// Start `spin(3)` on cores 3 and 4, wait until core 4 has returned (so
/// core 3 is in its loop), force `fault` on core 3; the launch's view.
fn fault_core_3(r: &Rig, fault: ForcedFault) -> JobView {
    let id = r.sched.submit(job("spin", 3, &[3, 4], false)).expect("submit");
    let mut done = false;
    while !done {
        let v = r.sched.wait(id, Duration::from_secs(5), Some(&[])).expect("a known job");
        done = v.outcomes.iter().any(|(_, o)| o.is_some());
    }
    r.sim.force_fault(CoreId(3), fault).expect("force the fault");
    finish(&r.sched, id)
}

#[test]
fn a_firmware_panic_is_a_core_fault_and_the_core_is_reloaded() {
    let r = rig();
    let v = fault_core_3(&r, ForcedFault::Panic);
    assert_eq!(outcome(&v, 3), CoreOutcome::Fault { code: Fault::Panic, detail: 0 });
    assert_eq!(outcome(&v, 4), CoreOutcome::Returned(Value::Int(4)));
    assert!(r.sched.busy_cores().is_empty());
    // Reloaded: the next launch on core 3 runs.
    let next = finish(&r.sched, r.sched.submit(job("count", 5, &[3], false)).unwrap());
    assert_eq!(outcome(&next, 3), CoreOutcome::Returned(Value::Int(10)));
}

#[test]
fn a_vm_fault_is_a_core_fault_with_its_code_and_the_core_is_reloaded() {
    let r = rig();
    let v = fault_core_3(&r, ForcedFault::VmInternal);
    assert_eq!(outcome(&v, 3), CoreOutcome::Fault { code: Fault::VmInternal, detail: 0 });
    assert_eq!(outcome(&v, 4), CoreOutcome::Returned(Value::Int(4)));
    let next = finish(&r.sched, r.sched.submit(job("count", 5, &[3, 4], false)).unwrap());
    assert_eq!(outcome(&next, 3), CoreOutcome::Returned(Value::Int(10)));
    assert_eq!(outcome(&next, 4), CoreOutcome::Returned(Value::Int(10)));
}

#[test]
fn a_faulted_core_loses_its_device_data_and_the_others_keep_theirs() {
    let r = rig();
    let set = finish(&r.sched, r.sched.submit(job("setg", 42, &[3, 5], true)).unwrap());
    assert_eq!(outcome(&set, 3), CoreOutcome::Returned(Value::Int(42)));
    let v = fault_core_3(&r, ForcedFault::Panic);
    assert!(matches!(outcome(&v, 3), CoreOutcome::Fault { code: Fault::Panic, .. }));
    let get = finish(&r.sched, r.sched.submit(job("getg", 0, &[3, 5], true)).unwrap());
    // Core 3 was reloaded with an empty data store: g is not defined there.
    match outcome(&get, 3) {
        CoreOutcome::Error(e) => assert_eq!(e.type_name, "NameError", "{e}"),
        other => panic!("core 3 should have lost g: {other:?}"),
    }
    assert_eq!(outcome(&get, 5), CoreOutcome::Returned(Value::Int(42)));
}

#[test]
fn a_forced_fault_on_a_core_that_is_not_on_the_chip_is_refused() {
    let r = rig();
    assert!(r.sim.force_fault(CoreId(16), ForcedFault::Panic).is_err());
    let missing = std::path::Path::new("/nonexistent/epython-sim");
    assert!(simulator::force_fault_in_file(missing, CoreId(0), ForcedFault::Panic).is_err());
    // Through the file, as a test in another process does.
    let id = r.sched.submit(job("spin", 3, &[3], false)).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    simulator::force_fault_in_file(r.sim.path(), CoreId(3), ForcedFault::VmInternal).expect("force through the file");
    let v = finish(&r.sched, id);
    assert_eq!(outcome(&v, 3), CoreOutcome::Fault { code: Fault::VmInternal, detail: 0 });
}

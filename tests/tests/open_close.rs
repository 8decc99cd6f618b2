//! The device opened and closed again and again (issue 8): 100 cycles of
//! `loader::Device` open, boot, echo, run, close on one simulator, and of a
//! `Scheduler` over it, leak no file descriptor or thread and leave the
//! device usable. One test in its own binary, so the counts are its own.

use std::time::{Duration, Instant};

use loader::{CoreOutcome, Device, Job, JobState, KernelArgs, KernelImage, OpenOptions, Placement, RunOptions, Scheduler, Timeouts, Value};
use shared_protocol::{Chip, CoreId};
use simulator::Simulator;

const CYCLES: u32 = 100;

fn count(dir: &str) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or_else(|e| panic!("{dir}: {e}"))
}

fn options() -> OpenOptions {
    let timeouts =
        Timeouts { reset_step: Duration::from_secs(2), boot: Duration::from_secs(10), command: Duration::from_secs(10) };
    OpenOptions { timeouts, ..Default::default() }
}

#[test]
fn a_device_opened_and_closed_100_times_leaks_nothing_and_still_works() {
    let sim = Simulator::in_memory(Chip::E16).expect("start the simulator");
    let program = compiler::compile_kernel("def k(x):\n    return x + 1\n", "k.py", 1, "k").expect("compile");
    let image = KernelImage::new(program.image);
    let (fds, threads) = (count("/proc/self/fd"), count("/proc/self/task"));
    let start = Instant::now();
    for cycle in 0..CYCLES {
        let core = CoreId(cycle % 16);
        let dev = Device::open_with(sim.path(), options()).unwrap_or_else(|e| panic!("cycle {cycle}: open: {e}"));
        if cycle % 2 == 0 {
            // The loader's own calls.
            dev.boot(&[core]).expect("boot");
            assert_eq!(dev.echo(core, cycle).expect("echo"), cycle);
            let args = KernelArgs::encode(&[Value::Int(cycle as i32)]).expect("args");
            let report = dev.run_kernel(image.bytes(), &args, &[core], &RunOptions::default(), &mut |_, _| {}).expect("run");
            assert_eq!(report.outcomes, vec![(core, CoreOutcome::Returned(Value::Int(cycle as i32 + 1)))]);
        } else {
            // A scheduler over it (boots every core), closed with a launch queued.
            let sched = Scheduler::new(dev).expect("boot");
            let args = KernelArgs::encode(&[Value::Int(cycle as i32)]).expect("args");
            let job = |placement| Job { image: image.clone(), args: Some(args.clone()), placement };
            let id = sched.submit(job(Placement::Target(vec![core]))).expect("submit");
            let _left = sched.submit(job(Placement::All)).expect("submit");
            let v = loop {
                let v = sched.wait(id, Duration::from_secs(10), None).expect("known job");
                if v.state.is_final() {
                    break v;
                }
            };
            assert_eq!(v.state, JobState::Finished);
            assert_eq!(v.outcomes, vec![(core, Some(CoreOutcome::Returned(Value::Int(cycle as i32 + 1))))]);
        }
    }
    let took = start.elapsed();
    let (fds_after, threads_after) = (count("/proc/self/fd"), count("/proc/self/task"));
    println!("{CYCLES} open/close cycles in {took:.2?}: fds {fds} -> {fds_after}, threads {threads} -> {threads_after}");
    assert!(fds_after <= fds, "file descriptors leaked: {fds} -> {fds_after}");
    assert!(threads_after <= threads, "threads leaked: {threads} -> {threads_after}");
}

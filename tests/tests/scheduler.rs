//! The loader's scheduler (loader/src/scheduler.rs) on an in-process
//! simulated E16: queue order, core exclusivity, auto placement, cancel.
//! The CPython API's tests (python/tests) drive the same code from Python.

use std::time::Duration;

use compiler::compile_kernel;
use loader::{CoreOutcome, Device, Job, JobState, JobView, KernelArgs, KernelImage, Placement, Scheduler, TraceEvent, Value, Waited};
use shared_protocol::{Chip, CoreId};
use simulator::Simulator;

/// The scheduler first: it closes the device before the simulator stops.
struct Rig {
    sched: Scheduler,
    _sim: Simulator,
}

fn rig() -> Rig {
    let sim = Simulator::in_memory(Chip::E16).expect("start the simulator");
    let dev = Device::open(sim.path()).expect("open the simulator");
    Rig { sched: Scheduler::new(dev).expect("boot the cores"), _sim: sim }
}

const KERNELS: &str = "\
def count(n):
    total = 0
    for i in range(n):
        total += i
    return total

def spin(n):
    from parallel import coreid
    if coreid() == n:
        while True:
            pass
    return coreid()

def hello(n):
    print('hi', n)
    return n
";

fn job(entry: &str, arg: i32, placement: Placement) -> Job {
    let image = compile_kernel(KERNELS, "kernels.py", 1, entry).unwrap_or_else(|e| panic!("{e}")).image;
    let args = KernelArgs::encode(&[Value::Int(arg)]).expect("encode");
    Job { image: KernelImage::new(image), args: Some(args), placement }
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

fn values(v: &JobView) -> Vec<(u32, Value)> {
    v.outcomes
        .iter()
        .map(|(c, o)| match o {
            Some(CoreOutcome::Returned(v)) => (c.0, v.clone()),
            other => panic!("core {}: {other:?}", c.0),
        })
        .collect()
}

#[test]
fn launches_on_one_core_run_one_at_a_time_in_submission_order() {
    let r = rig();
    r.sched.start_trace();
    let ids: Vec<u64> =
        (0..6).map(|i| r.sched.submit(job("count", 100 + i, Placement::Target(vec![CoreId(3)]))).unwrap()).collect();
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(values(&finish(&r.sched, *id)), vec![(3, Value::Int((0..100 + i as i32).sum()))]);
    }
    let trace = r.sched.take_trace();
    let mut expected = Vec::new();
    for id in &ids {
        expected.push(TraceEvent::Started { job: *id, cores: vec![CoreId(3)] });
        expected.push(TraceEvent::Finished { job: *id, core: CoreId(3) });
    }
    assert_eq!(trace, expected);
}

#[test]
fn auto_takes_free_cores_and_waits_behind_a_full_device() {
    let r = rig();
    let all = r.sched.submit(job("count", 5000, Placement::All)).unwrap();
    let two = r.sched.submit(job("count", 10, Placement::Auto(2))).unwrap();
    let v = finish(&r.sched, two);
    assert_eq!(v.outcomes.len(), 2);
    assert!(values(&v).iter().all(|(_, x)| *x == Value::Int(45)));
    assert_eq!(values(&finish(&r.sched, all)).len(), 16);
    // Bad placements are refused at once, not queued forever.
    assert!(r.sched.submit(job("count", 1, Placement::Auto(17))).is_err());
    assert!(r.sched.submit(job("count", 1, Placement::Target(vec![CoreId(16)]))).is_err());
    assert!(r.sched.submit(job("count", 1, Placement::Target(vec![CoreId(2), CoreId(2)]))).is_err());
}

#[test]
fn cancel_stops_a_running_launch_and_a_queued_one_and_the_core_goes_on() {
    let r = rig();
    let endless = r.sched.submit(job("spin", 7, Placement::Target(vec![CoreId(7), CoreId(8)]))).unwrap();
    let queued = r.sched.submit(job("count", 3, Placement::Target(vec![CoreId(7)]))).unwrap();
    // Core 8 returns; core 7 spins.
    let mut seen = Vec::new();
    while seen.is_empty() {
        let v = r.sched.wait(endless, Duration::from_secs(5), Some(&[])).unwrap();
        seen = v.outcomes.iter().filter(|(_, o)| o.is_some()).map(|(c, _)| c.0).collect();
    }
    assert_eq!(seen, vec![8]);
    assert_eq!(r.sched.view(queued).unwrap().state, JobState::Queued);
    assert!(r.sched.cancel(queued));
    assert_eq!(r.sched.view(queued).unwrap().state, JobState::CancelledQueued);
    assert!(r.sched.cancel(endless));
    let v = finish(&r.sched, endless);
    assert_eq!(v.outcomes[0], (CoreId(7), Some(CoreOutcome::Cancelled)));
    assert_eq!(v.outcomes[1], (CoreId(8), Some(CoreOutcome::Returned(Value::Int(8)))));
    assert!(!r.sched.cancel(endless), "already final");
    let next = r.sched.submit(job("count", 4, Placement::Target(vec![CoreId(7)]))).unwrap();
    assert_eq!(values(&finish(&r.sched, next)), vec![(7, Value::Int(6))]);
    assert!(r.sched.busy_cores().is_empty());
}

/// Poll the job's state without following it (`view` moves nothing on):
/// only the engine can end it.
fn ended_by_the_engine(s: &Scheduler, id: u64) -> JobView {
    for _ in 0..6000 {
        let v = s.view(id).expect("a known job");
        if v.state.is_final() {
            return v;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("job {id} did not end in a minute: nobody followed it");
}

#[test]
fn wait_end_hands_over_the_outcomes_and_forgets_the_job() {
    let r = rig();
    let id = r.sched.submit_followed(job("count", 10, Placement::Target(vec![CoreId(2), CoreId(5)]))).unwrap();
    let view = loop {
        match r.sched.wait_end(id, Duration::from_millis(100)) {
            (Waited::Ended(v), _) => break v,
            (Waited::Pending, _) => {}
            (Waited::Unknown, _) => panic!("job {id} unknown before it ended"),
        }
    };
    assert_eq!(view.state, JobState::Finished);
    assert_eq!(values(&view), vec![(2, Value::Int(45)), (5, Value::Int(45))]);
    assert!(r.sched.view(id).is_none(), "the ended job's record is gone");
    assert!(matches!(r.sched.wait_end(id, Duration::ZERO), (Waited::Unknown, false)));
    assert!(r.sched.busy_cores().is_empty());
}

#[test]
fn the_engine_takes_over_when_a_waiter_stops_waiting() {
    let r = rig();
    // An async submission is followed by the engine from the start; once
    // it has ended, the engine sleeps until woken.
    let first = r.sched.submit(job("count", 7, Placement::Auto(1))).unwrap();
    assert_eq!(values(&ended_by_the_engine(&r.sched, first)).len(), 1);
    // A launch its submitter follows: the engine is not woken for it.
    let long = r.sched.submit_followed(job("count", 20_000, Placement::Target(vec![CoreId(4)]))).unwrap();
    // The submitter looks once and leaves (as a Python thread does between
    // its slices): from then on only the engine can end the launch.
    assert!(matches!(r.sched.wait_end(long, Duration::ZERO), (Waited::Pending, false)));
    let v = ended_by_the_engine(&r.sched, long);
    assert_eq!(values(&v), vec![(4, Value::Int((0..20_000).sum()))]);
}

#[test]
fn wait_end_many_ends_the_leading_jobs_in_order() {
    let r = rig();
    let a = r.sched.submit(job("count", 10, Placement::Target(vec![CoreId(2)]))).unwrap();
    let b = r.sched.submit(job("spin", 5, Placement::Target(vec![CoreId(5)]))).unwrap();
    let c = r.sched.submit(job("count", 20, Placement::Target(vec![CoreId(6)]))).unwrap();
    // c ends too, but b does not: only a is handed over.
    let _ = finish(&r.sched, c);
    let (found, _) = r.sched.wait_end_many(&[a, b, c], Duration::from_millis(300));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(matches!(&found[0], Waited::Ended(v) if values(v) == vec![(2, Value::Int(45))]));
    assert!(r.sched.view(a).is_none() && r.sched.view(c).is_some());
    assert!(r.sched.cancel(b));
    let mut found = Vec::new();
    for _ in 0..600 {
        found = r.sched.wait_end_many(&[b, c], Duration::from_millis(100)).0;
        if found.len() == 2 {
            break;
        }
    }
    assert!(matches!(&found[0], Waited::Ended(v) if v.outcomes == vec![(CoreId(5), Some(CoreOutcome::Cancelled))]));
    assert!(matches!(&found[1], Waited::Ended(v) if values(v) == vec![(6, Value::Int(190))]));
    // Collected jobs are unknown now.
    assert!(matches!(r.sched.wait_end_many(&[a, c], Duration::ZERO).0[..], [Waited::Unknown, Waited::Unknown]));
}

#[test]
fn a_result_waits_for_its_lines_to_be_written() {
    let r = rig();
    let id = r.sched.submit(job("hello", 7, Placement::Target(vec![CoreId(1)]))).unwrap();
    // Another thread (the Python printer) takes the lines before the waiter.
    let mut lines = Vec::new();
    for _ in 0..600 {
        if r.sched.wait_for_prints(Duration::from_millis(100)) {
            lines = r.sched.take_prints();
            break;
        }
    }
    assert_eq!(lines, vec![(CoreId(1), "hi 7".to_string())]);
    let (ended, pending) = loop {
        match r.sched.wait_end(id, Duration::from_millis(100)) {
            (Waited::Pending, _) => {}
            (w, pending) => break (w, pending),
        }
    };
    assert!(matches!(ended, Waited::Ended(ref v) if values(v) == vec![(1, Value::Int(7))]));
    assert!(pending, "the ended launch's lines are still being written");
    r.sched.printed();
    assert!(!r.sched.wait_end_many(&[], Duration::ZERO).1, "written: nothing pending");
}

/// The same launch path through the hardware backend (no futex notify,
/// polling with backoff, a simulator file driven as a board): blocking-style
/// launches that reuse the image a core holds, a launch on every core, and
/// async launches collected in one wait.
#[test]
fn the_launch_path_through_the_hardware_backend() {
    use loader::{OpenOptions, Timeouts};
    let sim = Simulator::in_memory(Chip::E16).expect("start the simulator");
    let timeouts = Timeouts { reset_step: Duration::from_secs(5), boot: Duration::from_secs(30), command: Duration::from_secs(30) };
    let dev = Device::open_with(sim.path(), OpenOptions { force_hardware: true, timeouts, ..Default::default() })
        .expect("open");
    assert_eq!(dev.backend_kind(), loader::BackendKind::Hardware);
    let sched = Scheduler::new(dev).expect("boot the cores");
    let blocking = |j: Job| {
        let id = sched.submit_followed(j).unwrap();
        for _ in 0..600 {
            if let (Waited::Ended(v), _) = sched.wait_end(id, Duration::from_millis(100)) {
                return v;
            }
        }
        panic!("launch {id} did not end in a minute");
    };
    for n in [10, 20, 30] {
        let v = blocking(job("count", n, Placement::Target(vec![CoreId(3)])));
        assert_eq!(values(&v), vec![(3, Value::Int((0..n).sum()))]);
    }
    assert_eq!(sched.device().image_loads(CoreId(3)), 1, "the core reloaded an image it held");
    let v = blocking(job("count", 5, Placement::All));
    assert_eq!(values(&v).len(), 16);
    assert!(values(&v).iter().all(|(_, x)| *x == Value::Int(10)));
    let ids: Vec<u64> = (0..20).map(|i| sched.submit(job("count", i, Placement::Auto(1))).unwrap()).collect();
    let mut ended = Vec::new();
    for _ in 0..600 {
        let (found, _) = sched.wait_end_many(&ids[ended.len()..], Duration::from_millis(100));
        ended.extend(found);
        if ended.len() == ids.len() {
            break;
        }
    }
    let got: Vec<Value> = ended
        .iter()
        .map(|w| match w {
            Waited::Ended(v) => values(v)[0].1.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(got, (0..20).map(|i| Value::Int((0..i).sum())).collect::<Vec<_>>());
}

#[test]
fn every_line_of_a_barrier_kernel_is_taken_by_the_time_its_end_is_collected() {
    let r = rig();
    let src = "def k(seed):
    from parallel import coreid, sync, bcast, reduce
    me = coreid()
    root = 5
    def say(e, k):
        print('e' + str(e), 'c' + str(me), 'k' + str(k))
    x = 0
    for i in range((me * 7 + seed) % 16 * 40):
        x += i
    for k in range(me % 3 + 1):
        say(0, k)
    sync()
    for k in range((me + seed) % 3):
        say(1, k)
    v = bcast(me * 10, root)
    if me == root:
        for k in range(6):
            say(2, k)
    else:
        say(2, v)
    say(3, reduce(1, 'sum'))
";
    for seed in 0..40 {
        let image = compile_kernel(src, "k.py", 1, "k").unwrap_or_else(|e| panic!("{e}")).image;
        let args = KernelArgs::encode(&[Value::Int(seed)]).expect("encode");
        let all: Vec<CoreId> = (0..16).map(CoreId).collect();
        let id = r.sched.submit(Job { image: KernelImage::new(image), args: Some(args), placement: Placement::Target(all) }).unwrap();
        let mut lines = Vec::new();
        // Let the engine thread follow it for a while, as a Python caller does.
        std::thread::sleep(Duration::from_micros(50 * (seed as u64 % 7)));
        loop {
            let (waited, _) = r.sched.wait_end(id, Duration::from_millis(100));
            lines.extend(r.sched.take_prints());
            r.sched.printed();
            if matches!(waited, Waited::Ended(_)) {
                break;
            }
        }
        let expected: usize = (0..16).map(|me: usize| me % 3 + 1 + (me + seed as usize) % 3 + if me == 5 { 6 } else { 1 } + 1).sum();
        assert_eq!(lines.len(), expected, "seed {seed}: {lines:?}");
    }
}

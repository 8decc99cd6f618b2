//! The `parallel` module on the in-process simulator (design.md §8, issue 6):
//! messages between cores, the collectives over a launch group, back-pressure,
//! launch isolation and the host's deadlock report. Every run has a generous
//! timeout, so no test here can hang.

use std::time::{Duration, Instant};

use compiler::compile_kernel;
use loader::{CoreOutcome, Device, KernelArgs, OpenOptions, RunOptions, RunReport, Timeouts, Value};
use shared_protocol::{Chip, CoreId};
use simulator::Simulator;

/// The device first: it is dropped (halting the cores) before the simulator.
struct Rig {
    dev: Device,
    _sim: Simulator,
}

/// Generous bounds: CI machines have 2 CPUs for 16 core threads.
fn rig() -> Rig {
    let sim = Simulator::in_memory(Chip::E16).expect("start the simulator");
    let timeouts =
        Timeouts { reset_step: Duration::from_secs(2), boot: Duration::from_secs(10), command: Duration::from_secs(10) };
    let dev = Device::open_with(sim.path(), OpenOptions { timeouts, ..Default::default() }).expect("open the simulator");
    dev.boot(&dev.all_cores()).expect("boot");
    Rig { dev, _sim: sim }
}

fn opts() -> RunOptions {
    RunOptions { timeout: Some(Duration::from_secs(120)), ..Default::default() }
}

fn cores(list: impl IntoIterator<Item = u32>) -> Vec<CoreId> {
    list.into_iter().map(CoreId).collect()
}

/// Run kernel `entry` of `src` with `args` on `on`.
fn kernel(dev: &Device, src: &str, entry: &str, args: &[Value], on: &[CoreId]) -> RunReport {
    let image = compile_kernel(src, "kernel.py", 1, entry).unwrap_or_else(|e| panic!("{e}")).image;
    let args = KernelArgs::encode(args).expect("encode the arguments");
    dev.run_kernel(&image, &args, on, &opts(), &mut |core, line| println!("[device {}] {line}", core.0)).expect("run")
}

/// Each core's return value (panics on any other outcome).
fn returned(report: &RunReport) -> Vec<Value> {
    report
        .outcomes
        .iter()
        .map(|(core, outcome)| match outcome {
            CoreOutcome::Returned(v) => v.clone(),
            other => panic!("core {}: {other:?}", core.0),
        })
        .collect()
}

fn ints(vs: &[i32]) -> Value {
    Value::List(vs.iter().map(|&v| Value::Int(v)).collect())
}

#[test]
fn a_token_goes_around_16_cores_100_times() {
    let r = rig();
    let src = "
def ring(laps):
    from parallel import coreid, numcores, send, recv
    me = coreid()
    n = numcores()
    token = 0
    seen = 0
    for lap in range(laps):
        if me == 0:
            send(token + 1, 1)
            token = recv(n - 1)
        else:
            token = recv(me - 1)
            send(token + 1, (me + 1) % n)
        seen += 1
    return [token, seen]
";
    let report = kernel(&r.dev, src, "ring", &[Value::Int(100)], &r.dev.all_cores());
    let got = returned(&report);
    // Core 0 ends with the token after 100 full laps; core k (k > 0) holds
    // what it received on the last lap: 99 laps of 16 plus k.
    assert_eq!(got[0], ints(&[1600, 100]));
    for k in 1..16 {
        assert_eq!(got[k as usize], ints(&[99 * 16 + k, 100]), "core {k}");
    }
}

#[test]
fn reduce_and_bcast_over_all_cores() {
    let r = rig();
    let src = "
def coll():
    from parallel import coreid, reduce, bcast
    me = coreid()
    return [reduce(me, 'sum'), reduce(me, 'min'), reduce(me * 0.5, 'max'), reduce(me % 3 + 1, 'prod'),
            bcast([me, 'from', [me * 2, None]], 5), reduce(me > 7, 'sum')]
";
    let got = returned(&kernel(&r.dev, src, "coll", &[], &r.dev.all_cores()));
    for (k, v) in got.iter().enumerate() {
        let Value::List(items) = v else { panic!("core {k}: {v:?}") };
        assert_eq!(items[0], Value::Int(120), "core {k}: sum");
        assert_eq!(items[1], Value::Int(0), "core {k}: min");
        assert_eq!(items[2], Value::Float(7.5), "core {k}: max");
        assert_eq!(items[3], Value::Int(32 * 243), "core {k}: prod");
        assert_eq!(
            items[4],
            Value::List(vec![Value::Int(5), Value::Str("from".into()), Value::List(vec![Value::Int(10), Value::None])]),
            "core {k}: bcast from root 5"
        );
        // Bools count as ints (True + True == 2).
        assert_eq!(items[5], Value::Int(8), "core {k}: sum of bools");
    }
}

#[test]
fn sync_separates_the_sends_before_it_from_the_receives_after_it() {
    let r = rig();
    // Each round every core, after a delay that differs per core and round,
    // sends to its right neighbour and syncs (barrier A), receives, looks
    // again and syncs (barrier B). A send returns once the message is in the
    // receiver's postbox, so after A every probe of the left neighbour is
    // True; the neighbour's next message is sent only after it has left B,
    // which needs every core to have entered B, so the probe between the
    // receive and B is always False. Counted, not timed.
    let src = "
def rounds(k):
    from parallel import coreid, numcores, send, recv, probe, sync
    me = coreid()
    n = numcores()
    left = (me - 1) % n
    present = 0
    too_early = 0
    for r in range(k):
        spin = 0
        for i in range(((me * 7 + r * 13) % 16) * 40):
            spin += i
        send([r, me], (me + 1) % n)
        sync()
        if probe(left):
            present += 1
        if recv(left) != [r, left]:
            return -1
        for i in range(((me * 5 + r * 3) % 16) * 40):
            spin += i
        if probe(left):
            too_early += 1
        sync()
    return [present, too_early]
";
    let got = returned(&kernel(&r.dev, src, "rounds", &[Value::Int(20)], &r.dev.all_cores()));
    for (k, v) in got.iter().enumerate() {
        assert_eq!(*v, ints(&[20, 0]), "core {k}");
    }
}

/// The Jacobi iteration of examples/jacobi.py, sequentially in Rust: `cells`
/// interior cells between fixed boundaries `lo` and `hi`, integer averaging.
fn jacobi_sequential(cells: usize, lo: i32, hi: i32, iters: usize) -> Vec<i32> {
    let mut u = vec![0i32; cells + 2];
    u[0] = lo;
    u[cells + 1] = hi;
    for _ in 0..iters {
        let mut next = u.clone();
        for i in 1..=cells {
            next[i] = (u[i - 1] + 2 * u[i] + u[i + 1]) / 4;
        }
        u = next;
    }
    u[1..=cells].to_vec()
}

const JACOBI: &str = "
def jacobi(per, lo, hi, iters):
    from parallel import coreid, numcores, send, recv
    me = coreid()
    n = numcores()
    u = [0] * (per + 2)
    if me == 0:
        u[0] = lo
    if me == n - 1:
        u[per + 1] = hi
    for it in range(iters):
        # Halo exchange: send the edge cells, receive the neighbours' edges.
        if me > 0:
            send(u[1], me - 1)
        if me < n - 1:
            send(u[per], me + 1)
        if me > 0:
            u[0] = recv(me - 1)
        if me < n - 1:
            u[per + 1] = recv(me + 1)
        nu = u[:]
        for i in range(1, per + 1):
            nu[i] = (u[i - 1] + 2 * u[i] + u[i + 1]) // 4
        u = nu
    return u[1:per + 1]
";

#[test]
fn jacobi_with_halo_exchange_on_16_cores_equals_the_sequential_iteration() {
    let r = rig();
    let (per, lo, hi, iters) = (8, 1000, 5000, 60);
    let args = [Value::Int(per), Value::Int(lo), Value::Int(hi), Value::Int(iters)];
    let t = Instant::now();
    let got = returned(&kernel(&r.dev, JACOBI, "jacobi", &args, &r.dev.all_cores()));
    println!("jacobi: {} cells x {iters} iterations on 16 cores in {:?}", 16 * per, t.elapsed());
    let mut all = Vec::new();
    for v in got {
        let Value::List(items) = v else { panic!("{v:?}") };
        all.extend(items.into_iter().map(|x| match x {
            Value::Int(i) => i,
            other => panic!("{other:?}"),
        }));
    }
    let want = jacobi_sequential(16 * per as usize, lo, hi, iters as usize);
    assert_eq!(all, want);
    // The heat has spread into the interior (the test would pass trivially otherwise).
    assert!(want[0] > 0 && want[want.len() - 1] > 0);
}

#[test]
fn inside_a_kernel_on_target_9_10_the_group_is_those_two_cores() {
    let r = rig();
    let src = "
def k(x):
    from parallel import coreid, numcores, reduce, bcast, sync, sendrecv
    me = coreid()
    sync()
    other = sendrecv(me * x, 19 - me)
    return [me, numcores(), reduce(me, 'sum'), reduce(me * x, 'prod'), bcast(me, 10), other]
";
    let got = returned(&kernel(&r.dev, src, "k", &[Value::Int(3)], &cores([9, 10])));
    assert_eq!(got, vec![ints(&[9, 2, 19, 27 * 30, 10, 30]), ints(&[10, 2, 19, 27 * 30, 10, 27])]);
}

#[test]
fn a_full_ring_makes_the_sender_wait_and_nothing_is_lost() {
    let r = rig();
    // 3000 messages are more than a ring holds (8 KB): the sender waits for
    // the receiver, which starts late, and every message arrives in order.
    let src = "
def flood(count):
    from parallel import coreid, send, recv, test_sent, wait_sent, nonblocking_send
    if coreid() == 0:
        for i in range(count):
            send(i, 1)
        nonblocking_send('last', 1)
        wait_sent(1)
        return test_sent(1)
    spin = 0
    for i in range(20000):
        spin += i
    total = 0
    ordered = True
    for i in range(count):
        v = recv(0)
        if v != i:
            ordered = False
        total += v
    return [total, ordered, recv(0)]
";
    let got = returned(&kernel(&r.dev, src, "flood", &[Value::Int(3000)], &cores([0, 1])));
    assert_eq!(got[0], Value::Bool(true));
    assert_eq!(got[1], Value::List(vec![Value::Int(3000 * 2999 / 2), Value::Bool(true), Value::Str("last".into())]));
}

#[test]
fn messages_do_not_leak_into_the_next_launch() {
    let r = rig();
    let on = cores([0, 1]);
    let sender = "
def k():
    from parallel import coreid, send
    if coreid() == 0:
        send('stale', 1)
        send('stale too', 1)
    return 0
";
    returned(&kernel(&r.dev, sender, "k", &[], &on));
    let prober = "
def k():
    from parallel import coreid, send, recv, probe
    if coreid() == 0:
        send('fresh', 1)
        return 0
    return recv(0)
";
    let got = returned(&kernel(&r.dev, prober, "k", &[], &on));
    assert_eq!(got[1], Value::Str("fresh".into()));
    let probe_only = "
def k():
    from parallel import coreid, probe, sync
    sync()
    return probe(0)
";
    assert_eq!(returned(&kernel(&r.dev, probe_only, "k", &[], &on)), vec![Value::Bool(false), Value::Bool(false)]);
}

#[test]
fn errors_name_the_core_and_the_reason() {
    let r = rig();
    let cases = [
        ("def k():\n    from parallel import recv\n    return recv(7)\n", "ValueError", "core 7 is not in this launch group"),
        ("def k():\n    from parallel import send\n    send(1, 'a')\n", "TypeError", "send() argument must be an integer, not 'str'"),
        ("def k():\n    from parallel import reduce\n    return reduce(1, 'avg')\n", "ValueError", "not avg"),
        ("def k():\n    from parallel import reduce\n    return reduce([1], 'sum')\n", "TypeError", "reduce() argument must be an int or a float, not 'list'"),
        (
            "def k():\n    from parallel import send, coreid\n    send([0] * 2000, 1 - coreid())\n",
            "ValueError",
            "does not fit a postbox ring (8192 bytes)",
        ),
        (
            "def k():\n    from parallel import send, coreid\n    a = [1]\n    a.append((a,))\n    send(a, 1 - coreid())\n",
            "ValueError",
            "a list or tuple that contains itself cannot leave the kernel",
        ),
    ];
    for (src, ty, text) in cases {
        let report = kernel(&r.dev, src, "k", &[], &cores([0, 1]));
        for (core, outcome) in &report.outcomes {
            let CoreOutcome::Error(e) = outcome else { panic!("core {}: {outcome:?} for {src}", core.0) };
            assert_eq!(e.type_name, ty, "{src}");
            assert!(e.message.contains(text), "{}: {} (want {text})", core.0, e.message);
        }
    }
}

/// Outcome of each core of a run of `src` (a whole program) on `on`.
fn program(dev: &Device, src: &str, on: &[CoreId]) -> RunReport {
    let image = compiler::compile(src, "deadlock.py").expect("compile").image;
    dev.run(&image, on, &opts(), &mut |core, line| println!("[device {}] {line}", core.0)).expect("run")
}

#[test]
fn two_cores_waiting_on_each_other_are_reported_as_a_deadlock() {
    let r = rig();
    let src = "from parallel import coreid, recv, send
me = coreid()
if me == 0:
    x = recv(1)
elif me == 1:
    y = recv(0)
else:
    z = me
";
    let t = Instant::now();
    let report = program(&r.dev, src, &r.dev.all_cores());
    // The watchdog is the 120 s timeout; detection takes two looks 100 ms apart.
    let latency = t.elapsed();
    println!("deadlock detected and reported {latency:?} after the launch");
    assert!(latency < Duration::from_secs(30), "{latency:?}");
    for (core, outcome) in &report.outcomes {
        match core.0 {
            0 | 1 => {
                let CoreOutcome::Error(e) = outcome else { panic!("core {}: {outcome:?}", core.0) };
                assert_eq!(e.type_name, "Deadlock");
                assert_eq!(e.line, if core.0 == 0 { 4 } else { 6 });
                assert!(e.message.contains("core 0 in recv(1) at line 4"), "{}", e.message);
                assert!(e.message.contains("core 1 in recv(0) at line 6"), "{}", e.message);
            }
            _ => assert_eq!(*outcome, CoreOutcome::Returned(Value::None), "core {}", core.0),
        }
    }
    // The cores were stopped cooperatively: the device runs the next program.
    let again = returned(&kernel(&r.dev, "def k():\n    from parallel import reduce, coreid\n    return reduce(coreid(), 'sum')\n", "k", &[], &r.dev.all_cores()));
    assert!(again.iter().all(|v| *v == Value::Int(120)));
}

#[test]
fn a_sync_that_one_core_skips_is_a_deadlock_of_the_others() {
    let r = rig();
    let src = "from parallel import coreid, sync
if coreid() != 3:
    sync()
";
    let report = program(&r.dev, src, &cores(0..6));
    for (core, outcome) in &report.outcomes {
        if core.0 == 3 {
            assert_eq!(*outcome, CoreOutcome::Returned(Value::None));
            continue;
        }
        let CoreOutcome::Error(e) = outcome else { panic!("core {}: {outcome:?}", core.0) };
        assert_eq!((e.type_name.as_str(), e.line), ("Deadlock", 3), "core {}", core.0);
        assert!(e.message.contains("sync()"), "{}", e.message);
    }
}

#[test]
fn busy_message_traffic_is_never_taken_for_a_deadlock() {
    let r = rig();
    // Cores block and unblock all the time here; the host must never see
    // a deadlock (each run would end with a Deadlock error).
    let src = "
def k(rounds):
    from parallel import coreid, numcores, sendrecv, reduce, sync
    me = coreid()
    n = numcores()
    acc = 0
    for r in range(rounds):
        acc += sendrecv(r, me ^ 1)
        if r % 10 == 0:
            acc += reduce(1, 'sum')
            sync()
    return acc
";
    for _ in 0..3 {
        let got = returned(&kernel(&r.dev, src, "k", &[Value::Int(200)], &r.dev.all_cores()));
        assert!(got.iter().all(|v| *v == Value::Int(199 * 200 / 2 + 20 * 16)), "{got:?}");
    }
}

#[test]
fn a_sender_waiting_on_a_core_that_has_ended_is_a_deadlock() {
    let r = rig();
    // Core 1 ends at once; core 0 fills its ring to core 1 (8 KB) and then
    // waits for room that never comes.
    let src = "from parallel import coreid, send
if coreid() == 0:
    for i in range(5000):
        send(i, 1)
";
    let report = program(&r.dev, src, &cores([0, 1]));
    assert_eq!(report.outcomes[1].1, CoreOutcome::Returned(Value::None));
    let CoreOutcome::Error(e) = &report.outcomes[0].1 else { panic!("{:?}", report.outcomes[0]) };
    assert_eq!((e.type_name.as_str(), e.line), ("Deadlock", 4));
    assert!(e.message.contains("core 0 in send(..., 1)"), "{}", e.message);
}

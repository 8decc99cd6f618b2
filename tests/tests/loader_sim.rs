//! The loader against the real simulator: reset, load, start, boot handshake,
//! the mailbox, runs, timeouts and the device lock. Every wait inside the
//! loader is bounded, so no test here can hang.

use std::time::{Duration, Instant};

use loader::{BackendKind, CoreOutcome, Device, LoaderError, OpenOptions, RunOptions, Timeouts, Value};
use shared_protocol::{Chip, CoreId};
use simulator::Simulator;

/// The device first: it is dropped (halting the cores) before the simulator.
struct Rig {
    dev: Device,
    sim: Simulator,
}

/// Generous bounds: CI machines have 2 CPUs for 16 core threads.
fn timeouts() -> Timeouts {
    Timeouts { reset_step: Duration::from_secs(2), boot: Duration::from_secs(10), command: Duration::from_secs(10) }
}

fn rig_with(force_hardware: bool) -> Rig {
    let sim = Simulator::in_memory(Chip::E16).expect("start the simulator");
    let opts = OpenOptions { force_hardware, timeouts: timeouts(), ..Default::default() };
    let dev = Device::open_with(sim.path(), opts).expect("open the simulator file");
    Rig { dev, sim }
}

fn rig() -> Rig {
    rig_with(false)
}

fn cores(n: u32) -> Vec<CoreId> {
    (0..n).map(CoreId).collect()
}

fn compile(src: &str) -> Vec<u8> {
    compiler::compile(src, "test.py").expect("compile").image
}

type Outcomes = Vec<(CoreId, CoreOutcome)>;
type Lines = Vec<(CoreId, String)>;

/// Run `src` on `on` and collect the output lines per core.
fn run(dev: &Device, src: &str, on: &[CoreId], timeout: Option<Duration>) -> (Outcomes, Lines) {
    let image = compile(src);
    let mut lines = Vec::new();
    let report = dev
        .run(&image, on, &RunOptions { timeout, ..Default::default() }, &mut |core, line| lines.push((core, line.to_owned())))
        .expect("run");
    (report.outcomes, lines)
}

#[test]
fn boot_16_cores_and_echo_on_each() {
    let r = rig();
    assert_eq!(r.dev.backend_kind(), BackendKind::Simulator);
    assert_eq!(r.dev.chip(), r.sim.chip());
    let all = r.dev.all_cores();
    assert_eq!(all.len(), 16);
    r.dev.boot(&all).expect("boot");
    for core in &all {
        let word = 0xC0DE_0000 | core.0;
        assert_eq!(r.dev.echo(*core, word).expect("echo"), word);
    }
    // The mailbox keeps working over many commands.
    for i in 0..50 {
        assert_eq!(r.dev.echo(CoreId(5), i).unwrap(), i);
    }
}

#[test]
fn halt_and_reload_one_core_then_echo_again() {
    let r = rig();
    let all = r.dev.all_cores();
    r.dev.boot(&all).unwrap();
    assert_eq!(r.dev.echo(CoreId(7), 1).unwrap(), 1);
    r.dev.halt_and_reload(CoreId(7)).expect("halt and reload");
    assert_eq!(r.dev.echo(CoreId(7), 2).unwrap(), 2);
    // The other cores did not notice.
    assert_eq!(r.dev.echo(CoreId(6), 3).unwrap(), 3);
    // Booting twice in a row works too.
    r.dev.boot(&[CoreId(0), CoreId(15)]).unwrap();
    assert_eq!(r.dev.echo(CoreId(15), 4).unwrap(), 4);
}

#[test]
fn a_second_open_on_the_same_path_is_busy() {
    // A child forked by another test holds a copy of every fd open at the
    // fork (our flock with it) until it execs, and under qemu-user spawn()
    // may return before that exec. So no fork may happen while this test has
    // the device open: it holds the lock that every spawn here takes.
    let no_spawn = SPAWN.lock().unwrap_or_else(|e| e.into_inner());
    let r = rig();
    let e = match Device::open(r.sim.path()) {
        Ok(_) => panic!("a second open succeeded"),
        Err(e) => e,
    };
    assert!(matches!(e, LoaderError::Busy { .. }), "{e}");
    assert!(e.to_string().contains("in use"), "{e}");
    // Once the first is closed, the device can be opened and booted again.
    let Rig { dev, sim } = r;
    drop(dev);
    let dev = Device::open_with(sim.path(), OpenOptions { timeouts: timeouts(), ..Default::default() }).unwrap();
    drop(no_spawn);
    dev.boot(&[CoreId(2)]).unwrap();
    assert_eq!(dev.echo(CoreId(2), 9).unwrap(), 9);
}

#[test]
fn the_hardware_backend_forced_on_a_sim_file_boots_and_echoes() {
    let r = rig_with(true);
    assert_eq!(r.dev.backend_kind(), BackendKind::Hardware);
    let all = r.dev.all_cores();
    r.dev.boot(&all).expect("boot through the hardware path");
    for core in &all {
        assert_eq!(r.dev.echo(*core, 100 + core.0).unwrap(), 100 + core.0);
    }
    r.dev.halt_and_reload(CoreId(3)).unwrap();
    assert_eq!(r.dev.echo(CoreId(3), 7).unwrap(), 7);
    let (outcomes, lines) = run(&r.dev, "print('hw', 1)\n", &cores(2), Some(Duration::from_secs(20)));
    assert_eq!(outcomes, vec![(CoreId(0), CoreOutcome::Returned(Value::None)), (CoreId(1), CoreOutcome::Returned(Value::None))]);
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|(_, l)| l == "hw 1"), "{lines:?}");
}

/// Issue 7: the hardware backend (no notify, polling waits; the simulator
/// notices register writes by itself) runs a whole program on a simulator
/// file with exactly the default path's output and outcomes, an error on one
/// core included.
#[test]
fn the_hardware_backend_gives_the_same_output_as_the_default_path() {
    let src = "\
import parallel
me = parallel.coreid()
n = 1 + me
steps = 0
while n != 1:
    if n % 2 == 0:
        n = n // 2
    else:
        n = 3 * n + 1
    steps += 1
print('core', me, 'of', parallel.numcores(), 'steps', steps)
xs = [i * 0.5 for i in range(me + 1)]
print(sum(xs), xs[-1], 1 / (me + 3))
if me == 3:
    print(len(xs) // (me - 3))
print('done', me)
";
    let on = cores(8);
    let per_path = |force_hardware: bool| {
        let r = rig_with(force_hardware);
        let expected = if force_hardware { BackendKind::Hardware } else { BackendKind::Simulator };
        assert_eq!(r.dev.backend_kind(), expected);
        r.dev.boot(&on).expect("boot");
        let (outcomes, lines) = run(&r.dev, src, &on, Some(Duration::from_secs(30)));
        // Lines of different cores may interleave differently; each core's
        // own lines keep their order.
        let by_core: Vec<Vec<String>> =
            on.iter().map(|c| lines.iter().filter(|(lc, _)| lc == c).map(|(_, l)| l.clone()).collect()).collect();
        (outcomes, by_core)
    };
    let (default_outcomes, default_lines) = per_path(false);
    let (hw_outcomes, hw_lines) = per_path(true);
    // The default path did the whole program, so the comparison means something.
    assert_eq!(default_lines[5], vec!["core 5 of 8 steps 8", "7.5 2.5 0.125", "done 5"]);
    assert_eq!(default_lines[3].len(), 2, "{:?}", default_lines[3]);
    match &default_outcomes[3].1 {
        CoreOutcome::Error(e) => assert!(e.to_string().contains("ZeroDivisionError"), "{e}"),
        other => panic!("core 3: {other:?}"),
    }
    assert!(default_outcomes.iter().filter(|(c, _)| c.0 != 3).all(|(_, o)| *o == CoreOutcome::Returned(Value::None)));
    assert_eq!(hw_lines, default_lines);
    assert_eq!(hw_outcomes, default_outcomes);
}

#[test]
fn a_run_prints_lines_per_core_and_returns() {
    let r = rig();
    let on = cores(4);
    r.dev.boot(&on).unwrap();
    let src = "print('hello', 1, 2.5, None, True, sep='|')\nprint('no newline', end='')\nprint(' continued')\nprint(1/3)\n";
    let (outcomes, lines) = run(&r.dev, src, &on, Some(Duration::from_secs(20)));
    for (core, outcome) in &outcomes {
        assert_eq!(outcome, &CoreOutcome::Returned(Value::None), "core {}", core.0);
    }
    for core in &on {
        let mine: Vec<&str> = lines.iter().filter(|(c, _)| c == core).map(|(_, l)| l.as_str()).collect();
        assert_eq!(mine, ["hello|1|2.5|None|True", "no newline continued", "0.33333334"], "core {}", core.0);
    }
    // A partial last line is flushed at the end of the run.
    let (_, lines) = run(&r.dev, "print('tail', end='')\n", &[CoreId(1)], Some(Duration::from_secs(20)));
    assert_eq!(lines, vec![(CoreId(1), "tail".to_owned())]);
}

#[test]
fn a_runtime_error_is_an_outcome_with_type_message_and_line() {
    let r = rig();
    r.dev.boot(&[CoreId(0), CoreId(1)]).unwrap();
    let (outcomes, _) = run(&r.dev, "x = 1\ny = 0\nprint(x // y)\n", &[CoreId(0), CoreId(1)], Some(Duration::from_secs(20)));
    for (_, outcome) in outcomes {
        let CoreOutcome::Error(e) = outcome else { panic!("{outcome:?}") };
        assert_eq!(e.type_name, "ZeroDivisionError");
        assert_eq!(e.line, 3);
        assert!(e.message.contains("by zero"), "{}", e.message);
    }
    // The cores are idle again: the next run works.
    let (outcomes, lines) = run(&r.dev, "print(undefined_name)\n", &[CoreId(1)], Some(Duration::from_secs(20)));
    let CoreOutcome::Error(e) = &outcomes[0].1 else { panic!("{outcomes:?}") };
    assert_eq!((e.type_name.as_str(), e.message.as_str()), ("NameError", "name 'undefined_name' is not defined"));
    assert!(lines.is_empty());
}

#[test]
fn a_timeout_reloads_the_cores_and_the_next_run_works() {
    let r = rig();
    let on = cores(3);
    r.dev.boot(&on).unwrap();
    let started = Instant::now();
    let (outcomes, lines) = run(&r.dev, "print('start')\nwhile True:\n    pass\n", &on, Some(Duration::from_millis(300)));
    assert!(started.elapsed() < Duration::from_secs(30));
    for (_, outcome) in &outcomes {
        assert_eq!(outcome, &CoreOutcome::TimedOut);
    }
    assert_eq!(lines.iter().filter(|(_, l)| l == "start").count(), 3, "{lines:?}");
    let (outcomes, lines) = run(&r.dev, "print('again')\n", &on, Some(Duration::from_secs(20)));
    assert!(outcomes.iter().all(|(_, o)| *o == CoreOutcome::Returned(Value::None)), "{outcomes:?}");
    assert_eq!(lines.len(), 3);
}

#[test]
fn lots_of_output_goes_through_the_ring_with_back_pressure() {
    let r = rig();
    r.dev.boot(&[CoreId(4)]).unwrap();
    // Far more than the 64 KB event ring holds: the core must wait for the
    // host to ack, and the host must wake it.
    let (outcomes, lines) = run(&r.dev, "i = 0\nwhile i < 5000:\n    print('line', i, 'of output')\n    i = i + 1\n", &[CoreId(4)], Some(Duration::from_secs(60)));
    assert_eq!(outcomes, vec![(CoreId(4), CoreOutcome::Returned(Value::None))]);
    assert_eq!(lines.len(), 5000);
    assert_eq!(lines[4999].1, "line 4999 of output");
}

#[test]
fn commands_before_boot_and_bad_arguments_are_clear_errors() {
    let r = rig();
    let e = r.dev.echo(CoreId(1), 1).unwrap_err();
    assert!(e.to_string().contains("core 1 is not ready"), "{e}");
    let e = r.dev.boot(&[CoreId(16)]).unwrap_err();
    assert!(e.to_string().contains("core 16 is not on this device"), "{e}");
    r.dev.boot(&[CoreId(0)]).unwrap();
    let too_big = vec![0u8; 0x1_0001];
    let e = r.dev.run(&too_big, &[CoreId(0)], &RunOptions::default(), &mut |_, _| {}).unwrap_err();
    assert!(matches!(e, LoaderError::ImageTooBig { .. }), "{e}");
}

#[test]
fn a_refused_image_is_an_error_outcome_and_the_core_stays_usable() {
    let r = rig();
    r.dev.boot(&[CoreId(9)]).unwrap();
    let garbage = vec![0xA5u8; 64];
    let report = r.dev.run(&garbage, &[CoreId(9)], &RunOptions { timeout: Some(Duration::from_secs(20)), ..Default::default() }, &mut |_, _| {}).unwrap();
    match &report.outcomes[0].1 {
        CoreOutcome::Error(e) => assert!(e.message.contains("refused"), "{e}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(r.dev.echo(CoreId(9), 5).unwrap(), 5);
}

/// A firmware whose Run panics: the simulator reports the panic as a fault.
struct PanickingVm;

impl firmware::service::Executor for PanickingVm {
    fn run<P: firmware::Platform>(
        &mut self,
        _p: &mut P,
        _mb: &firmware::service::Mailbox,
        _launch: u32,
    ) -> Result<shared_protocol::mailbox::DoneStatus, firmware::events::EmitError> {
        panic!("injected firmware bug (expected by this test)");
    }
}

fn panicking_firmware(p: &mut simulator::SimPlatform) {
    firmware::service::serve(p, &mut PanickingVm);
}

#[test]
fn a_firmware_fault_is_a_fault_outcome_and_the_core_is_reloaded() {
    let sim = Simulator::with_options(
        simulator::Backing::InMemory,
        Chip::E16,
        simulator::SimOptions { firmware: panicking_firmware, ..Default::default() },
    )
    .unwrap();
    let dev = Device::open_with(sim.path(), OpenOptions { timeouts: timeouts(), ..Default::default() }).unwrap();
    let on = [CoreId(2), CoreId(10)];
    dev.boot(&on).unwrap();
    let report = dev.run(&compile("print(1)\n"), &on, &RunOptions { timeout: Some(Duration::from_secs(20)), ..Default::default() }, &mut |_, _| {}).unwrap();
    for (core, outcome) in &report.outcomes {
        match outcome {
            CoreOutcome::Fault { code, .. } => assert_eq!(*code, loader::Fault::Panic, "core {}", core.0),
            other => panic!("core {}: {other:?}", core.0),
        }
    }
    // Reloaded: they answer again.
    for core in on {
        assert_eq!(dev.echo(core, 11).unwrap(), 11);
    }
    drop(dev);
}

#[test]
fn an_image_the_core_cannot_run_fails_the_boot_with_excause_and_a_good_image_recovers() {
    let sim = Simulator::in_memory(Chip::E16).unwrap();
    // A header of another kind (the bare-metal proxy): the simulator stops
    // the core as on an illegal instruction.
    let mut bytes = loader::FirmwareImage::native_simulated().as_bytes().to_vec();
    bytes[8..12].copy_from_slice(&(shared_protocol::mailbox::FirmwareKind::ThumbProxy as u32).to_le_bytes());
    let firmware = loader::FirmwareImage::from_bytes(bytes).unwrap();
    let dev = Device::open_with(sim.path(), OpenOptions { firmware, timeouts: timeouts(), ..Default::default() }).unwrap();
    let e = dev.boot(&[CoreId(3)]).unwrap_err();
    assert!(e.to_string().starts_with("core 3 failed to boot"), "{e}");
    assert!(e.to_string().contains("EXCAUSE = 5 (illegal instruction)"), "{e}");
    drop(dev);
    let dev = Device::open_with(sim.path(), OpenOptions { timeouts: timeouts(), ..Default::default() }).unwrap();
    dev.boot(&[CoreId(3)]).unwrap();
    assert_eq!(dev.echo(CoreId(3), 8).unwrap(), 8);
}

/// Write one word of this core's DRAM status block, as a firmware would.
fn write_status(p: &simulator::SimPlatform, word: u32, value: u32) {
    use firmware::Platform;
    let off = shared_protocol::layout::core_area(p.chip(), p.core()).0 + shared_protocol::layout::CORE_STATUS + word;
    // SAFETY: inside the mapped 32 MB DRAM window, word aligned.
    let w = unsafe { std::sync::atomic::AtomicU32::from_ptr(p.dram().add(off as usize).cast()) };
    w.store(value, std::sync::atomic::Ordering::SeqCst);
    p.notify_host();
}

/// Boots claiming another protocol version, then idles until stopped.
fn future_firmware(p: &mut simulator::SimPlatform) {
    use firmware::Platform;
    use shared_protocol::mailbox::{status, STATUS_MAGIC};
    write_status(p, status::PROTOCOL, shared_protocol::PROTOCOL_VERSION + 1);
    write_status(p, status::MAGIC, STATUS_MAGIC);
    while p.wait_for_interrupt() != firmware::Wake::Stop {}
}

/// Never writes its status block.
fn silent_firmware(p: &mut simulator::SimPlatform) {
    use firmware::Platform;
    while p.wait_for_interrupt() != firmware::Wake::Stop {}
}

fn sim_running(firmware: simulator::Firmware) -> Simulator {
    Simulator::with_options(simulator::Backing::InMemory, Chip::E16, simulator::SimOptions { firmware, ..Default::default() }).unwrap()
}

#[test]
fn a_protocol_version_mismatch_is_reported_at_boot() {
    let sim = sim_running(future_firmware);
    let dev = Device::open_with(sim.path(), OpenOptions { timeouts: timeouts(), ..Default::default() }).unwrap();
    let e = dev.boot(&[CoreId(1)]).unwrap_err();
    assert!(matches!(e, LoaderError::VersionMismatch { core: 1, .. }), "{e}");
    assert!(e.to_string().contains("protocol version"), "{e}");
}

#[test]
fn a_core_that_never_boots_times_out_with_its_state() {
    let sim = sim_running(silent_firmware);
    let mut t = timeouts();
    t.boot = Duration::from_millis(300);
    let dev = Device::open_with(sim.path(), OpenOptions { timeouts: t, ..Default::default() }).unwrap();
    let started = Instant::now();
    let e = dev.boot(&[CoreId(4), CoreId(5)]).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(e.to_string().starts_with("core 4 did not boot within 300ms"), "{e}");
    assert!(e.to_string().contains("never wrote its status block"), "{e}");
}

#[test]
fn different_cores_can_be_driven_from_different_threads() {
    let r = rig();
    let all = r.dev.all_cores();
    r.dev.boot(&all).unwrap();
    std::thread::scope(|s| {
        for core in all.clone() {
            let dev = &r.dev;
            s.spawn(move || {
                for i in 0..20 {
                    assert_eq!(dev.echo(core, core.0 * 1000 + i).unwrap(), core.0 * 1000 + i);
                }
                let image = compile("print('from a thread')\n");
                let mut lines = 0;
                let report = dev
                    .run(&image, &[core], &RunOptions { timeout: Some(Duration::from_secs(30)), ..Default::default() }, &mut |_, _| lines += 1)
                    .unwrap();
                assert_eq!(report.outcomes, vec![(core, CoreOutcome::Returned(Value::None))]);
                assert_eq!(lines, 1);
            });
        }
    });
}

/// Set in a child process of the test below: serve a simulator at this path.
const SERVE_ENV: &str = "EPYTHON_LOADER_TEST_SERVE";

/// Held while this test binary starts a child process (see its users).
static SPAWN: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// If set, the program that runs the child test process (e.g. `qemu-arm-static`).
const EXEC_WRAPPER_ENV: &str = "EPYTHON_TEST_EXEC_WRAPPER";

/// Not a test of its own: the body of the child process that
/// `a_simulator_in_another_process_works` starts (it returns at once otherwise).
#[test]
fn sim_server_child() {
    if let Ok(path) = std::env::var(SERVE_ENV) {
        // Blocks until the parent kills this process.
        simulator::serve(std::path::Path::new(&path), Chip::E16).expect("serve");
    }
}

/// Kills and reaps the child when the test ends, however it ends.
struct Child(std::process::Child, std::path::PathBuf);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        let _ = std::fs::remove_file(&self.1);
    }
}

#[test]
fn a_simulator_in_another_process_works() {
    use std::os::unix::fs::FileExt;
    let dir = if std::path::Path::new("/dev/shm").is_dir() { "/dev/shm".into() } else { std::env::temp_dir() };
    let path = dir.join(format!("epython-loader-xproc-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    // Under qemu-user (`make armv7-test`) an ARM test binary cannot exec
    // another ARM binary without binfmt_misc, so the Makefile names the
    // emulator to start the child through.
    let exe = std::env::current_exe().unwrap();
    let mut command = match std::env::var_os(EXEC_WRAPPER_ENV) {
        Some(wrapper) if !wrapper.is_empty() => {
            let mut c = std::process::Command::new(wrapper);
            c.arg(exe);
            c
        }
        _ => std::process::Command::new(exe),
    };
    // See a_second_open_on_the_same_path_is_busy.
    let spawning = SPAWN.lock().unwrap_or_else(|e| e.into_inner());
    let child = command
        .args(["--exact", "sim_server_child", "--nocapture"])
        .env(SERVE_ENV, &path)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start the simulator process");
    drop(spawning);
    let _child = Child(child, path.clone());
    // Wait (bounded) for the server to say Running.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mut word = [0u8; 4];
        let state = std::fs::File::open(&path)
            .and_then(|f| f.read_exact_at(&mut word, u64::from(shared_protocol::sim::info::SERVER_STATE)))
            .map(|_| u32::from_le_bytes(word));
        if state.ok() == Some(shared_protocol::sim::ServerState::Running as u32) {
            break;
        }
        assert!(Instant::now() < deadline, "the simulator process did not start");
        std::thread::sleep(Duration::from_millis(10));
    }
    let dev = Device::open_with(&path, OpenOptions { timeouts: timeouts(), ..Default::default() }).unwrap();
    assert_eq!(dev.backend_kind(), BackendKind::Simulator);
    let all = dev.all_cores();
    dev.boot(&all).unwrap();
    for core in &all {
        assert_eq!(dev.echo(*core, 77 + core.0).unwrap(), 77 + core.0);
    }
    let (outcomes, lines) = run(&dev, "print('across processes')\n", &[CoreId(0), CoreId(15)], Some(Duration::from_secs(20)));
    assert!(outcomes.iter().all(|(_, o)| *o == CoreOutcome::Returned(Value::None)), "{outcomes:?}");
    assert_eq!(lines.len(), 2);
}

/// A firmware whose Run publishes a record of an unknown kind.
struct HostileVm;

impl firmware::service::Executor for HostileVm {
    fn run<P: firmware::Platform>(
        &mut self,
        p: &mut P,
        mb: &firmware::service::Mailbox,
        _launch: u32,
    ) -> Result<shared_protocol::mailbox::DoneStatus, firmware::events::EmitError> {
        use shared_protocol::layout::CORE_EVENT_RING_SIZE;
        use shared_protocol::mailbox::status;
        let head = mb.status.load(status::EVENT_HEAD);
        mb.ring.ring.store(head % CORE_EVENT_RING_SIZE, 0x7F | (2 << 8));
        mb.status.store(status::EVENT_HEAD, head.wrapping_add(8));
        p.notify_host();
        Ok(shared_protocol::mailbox::DoneStatus::Ok)
    }
}

fn hostile_firmware(p: &mut simulator::SimPlatform) {
    firmware::service::serve(p, &mut HostileVm);
}

#[test]
fn a_core_that_writes_garbage_is_a_protocol_error_and_is_reloaded() {
    let sim = sim_running(hostile_firmware);
    let dev = Device::open_with(sim.path(), OpenOptions { timeouts: timeouts(), ..Default::default() }).unwrap();
    dev.boot(&[CoreId(6)]).unwrap();
    let report = dev.run(&compile("print(1)\n"), &[CoreId(6)], &RunOptions { timeout: Some(Duration::from_secs(20)), ..Default::default() }, &mut |_, _| {}).unwrap();
    match &report.outcomes[0].1 {
        CoreOutcome::ProtocolError(msg) => assert!(msg.contains("unknown event kind 127"), "{msg}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(dev.echo(CoreId(6), 12).unwrap(), 12);
}

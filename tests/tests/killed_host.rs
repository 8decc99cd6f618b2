//! A host process killed with SIGKILL in the middle of a run (issue 8):
//! the simulator serves its file in one process, a host in a second
//! process boots the cores and starts a kernel that never ends, and is
//! killed. Its flock dies with it, so the next process opens the device,
//! resets the cores that were still running and uses every core cleanly:
//! through the simulator backend and through the hardware backend's
//! sequence (a simulator file driven as a board).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use loader::{CoreOutcome, Device, LoaderError, OpenOptions, RunOptions, Timeouts, Value};
use shared_protocol::sim::{info, ServerState};
use shared_protocol::Chip;

const SERVE_ENV: &str = "EPYTHON_KILLED_HOST_SERVE";
const HOST_ENV: &str = "EPYTHON_KILLED_HOST_DEVICE";
const HARDWARE_ENV: &str = "EPYTHON_KILLED_HOST_HARDWARE";
/// If set, the program that runs the child test process (e.g. `qemu-arm-static`).
const EXEC_WRAPPER_ENV: &str = "EPYTHON_TEST_EXEC_WRAPPER";
const RUNNING: &str = "host: cores running";

/// Generous bounds: CI machines have 2 CPUs for 16 core threads.
fn timeouts() -> Timeouts {
    Timeouts { reset_step: Duration::from_secs(2), boot: Duration::from_secs(10), command: Duration::from_secs(10) }
}

fn options(hardware: bool) -> OpenOptions {
    OpenOptions { force_hardware: hardware, timeouts: timeouts(), ..Default::default() }
}

/// Not a test of its own: the simulator server process (returns at once otherwise).
#[test]
fn serve_child() {
    if let Ok(path) = std::env::var(SERVE_ENV) {
        // Blocks until the parent kills this process.
        simulator::serve(Path::new(&path), Chip::E16).expect("serve");
    }
}

/// Not a test of its own: the host process that is killed mid-run. Boots
/// every core, starts an endless kernel on all of them, says so on stdout
/// and waits to be killed, holding the device.
#[test]
fn host_child() {
    let Ok(path) = std::env::var(HOST_ENV) else { return };
    let dev = Device::open_with(&path, options(std::env::var_os(HARDWARE_ENV).is_some())).expect("open");
    let all = dev.all_cores();
    dev.boot(&all).expect("boot");
    let image = compiler::compile("i = 0\nwhile True:\n    i += 1\n", "endless.py").expect("compile").image;
    let _launch = dev.launch(&image.into(), None, &all).expect("launch");
    println!("{RUNNING}");
    loop {
        std::thread::park();
    }
}

/// Kills and reaps the child when the test ends, however it ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn child(test: &str, env: &[(&str, &Path)], stdout: Stdio) -> Child {
    let exe = std::env::current_exe().expect("the test binary");
    let mut command = match std::env::var_os(EXEC_WRAPPER_ENV) {
        Some(wrapper) if !wrapper.is_empty() => {
            let mut c = Command::new(wrapper);
            c.arg(exe);
            c
        }
        _ => Command::new(exe),
    };
    command.args(["--exact", test, "--nocapture", "--test-threads=1"]).stdout(stdout);
    for (k, v) in env {
        command.env(k, v);
    }
    Child(command.spawn().unwrap_or_else(|e| panic!("start {test}: {e}")))
}

fn served_file(tag: &str) -> PathBuf {
    let dir = if Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
    dir.join(format!("epython-killed-host-{tag}-{}", std::process::id()))
}

fn wait_for_server(path: &Path) {
    use std::os::unix::fs::FileExt;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mut word = [0u8; 4];
        let state = std::fs::File::open(path)
            .and_then(|f| f.read_exact_at(&mut word, u64::from(info::SERVER_STATE)))
            .map(|_| u32::from_le_bytes(word));
        if state.ok() == Some(ServerState::Running as u32) {
            return;
        }
        assert!(Instant::now() < deadline, "the simulator process did not start");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Start a host child on `path`, wait until its kernel runs on every core,
/// SIGKILL it and reap it.
fn kill_a_host_mid_run(path: &Path, hardware: bool) {
    let mut env = vec![(HOST_ENV, path)];
    if hardware {
        env.push((HARDWARE_ENV, Path::new("1")));
    }
    let mut host = child("host_child", &env, Stdio::piped());
    let stdout = host.0.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.ends_with(RUNNING) {
                let _ = tx.send(());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(60)).expect("the host child started its kernel");
    // While it lives, the device is its own.
    match Device::open_with(path, options(hardware)) {
        Err(LoaderError::Busy { .. }) => {}
        Err(e) => panic!("expected Busy, got {e}"),
        Ok(_) => panic!("a second process opened the device under a running host"),
    }
    host.0.kill().expect("SIGKILL the host");
    let status = host.0.wait().expect("reap the host");
    assert!(!status.success(), "the host was killed: {status}");
}

fn reopen_and_use(path: &Path, hardware: bool) {
    let dev = Device::open_with(path, options(hardware)).expect("the next process opens the device");
    let all = dev.all_cores();
    // The cores still run the dead host's kernel: boot resets them.
    dev.boot(&all).expect("reset and boot every core");
    for core in &all {
        assert_eq!(dev.echo(*core, 1000 + core.0).expect("echo"), 1000 + core.0);
    }
    let image = compiler::compile("from parallel import coreid\nprint(coreid() * 2)\n", "after.py").expect("compile").image;
    let mut lines = Vec::new();
    let report = dev
        .run(&image, &all, &RunOptions { timeout: Some(Duration::from_secs(60)), ..Default::default() }, &mut |c, l| lines.push((c.0, l.to_string())))
        .expect("run");
    assert!(report.outcomes.iter().all(|(_, o)| *o == CoreOutcome::Returned(Value::None)), "{:?}", report.outcomes);
    lines.sort();
    let expected: Vec<(u32, String)> = (0..16).map(|c| (c, (2 * c).to_string())).collect();
    assert_eq!(lines, expected);
}

#[test]
fn a_host_killed_mid_run_leaves_a_device_the_next_process_resets_and_uses() {
    let path = served_file("sim");
    let _ = std::fs::remove_file(&path);
    let _server = child("serve_child", &[(SERVE_ENV, &path)], Stdio::null());
    wait_for_server(&path);
    // Through the simulator backend, then the hardware backend's sequence,
    // each after its own killed host.
    kill_a_host_mid_run(&path, false);
    reopen_and_use(&path, false);
    kill_a_host_mid_run(&path, true);
    reopen_and_use(&path, true);
    let _ = std::fs::remove_file(&path);
}

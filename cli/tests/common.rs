//! Running the `epython` binary under a watchdog: no test may hang.

#![allow(dead_code)]

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const EPYTHON: &str = env!("CARGO_BIN_EXE_epython");

pub struct Run {
    pub code: Option<i32>,
    /// The signal that killed it, if one did.
    pub signal: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

/// Wait for `child` at most `limit`, killing it past that (then panicking).
pub fn wait_with_watchdog(mut child: Child, limit: Duration, what: &str) -> Run {
    let start = Instant::now();
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    // Drain pipes on threads so a chatty child cannot block on a full pipe.
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(o) = out.as_mut() {
            let _ = o.read_to_string(&mut s);
        }
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(e) = err.as_mut() {
            let _ = e.read_to_string(&mut s);
        }
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("watchdog: `{what}` still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    Run { code: status.code(), signal: status.signal(), stdout: out_t.join().unwrap_or_default(), stderr: err_t.join().unwrap_or_default(), elapsed }
}

/// Run `epython ARGS` with `EPYTHON_DEVICE=device` (default `sim`).
pub fn epython(args: &[&str], device: Option<&Path>) -> Run {
    let mut cmd = Command::new(EPYTHON);
    cmd.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    match device {
        Some(p) => cmd.env("EPYTHON_DEVICE", p),
        None => cmd.env("EPYTHON_DEVICE", "sim"),
    };
    let child = cmd.spawn().expect("spawn epython");
    wait_with_watchdog(child, Duration::from_secs(60), &format!("epython {}", args.join(" ")))
}

/// `epython ARGS` on the in-process simulator with `input` as its stdin.
pub fn epython_with_stdin(args: &[&str], input: &str) -> Run {
    use std::io::Write;
    let mut cmd = Command::new(EPYTHON);
    cmd.args(args).env("EPYTHON_DEVICE", "sim").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn epython");
    let mut stdin = child.stdin.take().expect("epython's stdin");
    let input = input.to_string();
    // Written on a thread and closed: epython sees the end of its input.
    std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    wait_with_watchdog(child, Duration::from_secs(60), &format!("epython {}", args.join(" ")))
}

/// A scratch directory removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(tag: &str) -> Scratch {
        let base = if Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
        let dir = base.join(format!("epython-test-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        Scratch(dir)
    }
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, text).expect("write scratch file");
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The cores that printed `text`, from `[device K] text` lines.
pub fn cores_printing(run: &Run, text: &str) -> Vec<u32> {
    let mut cores: Vec<u32> = run
        .stdout
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("[device ")?;
            let (k, t) = rest.split_once("] ")?;
            (t == text).then(|| k.parse().ok()).flatten()
        })
        .collect();
    cores.sort_unstable();
    cores
}

/// `epython sim serve FILE [EXTRA...]` in a child process, killed on drop.
pub struct SimServer {
    child: Child,
}

impl SimServer {
    pub fn start(file: &Path, extra: &[&str]) -> SimServer {
        let child = Command::new(EPYTHON)
            .args(["sim", "serve", file.to_str().expect("utf-8 path")])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn sim serve");
        let server = SimServer { child };
        // Ready once the info page says Running.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let magic = read_word(file, u64::from(shared_protocol::sim::info::MAGIC)).ok();
            let state = read_word(file, u64::from(shared_protocol::sim::info::SERVER_STATE)).ok();
            if magic == Some(shared_protocol::sim::SIM_MAGIC)
                && state == Some(shared_protocol::sim::ServerState::Running as u32)
            {
                return server;
            }
            assert!(Instant::now() < deadline, "sim serve did not come up");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl SimServer {
    /// Send `sig` to the server and wait (at most 30 s) for it to exit.
    pub fn stop_with(&mut self, sig: libc::c_int) -> std::process::ExitStatus {
        let pid = libc::pid_t::try_from(self.child.id()).expect("a pid");
        // SAFETY: signalling our own child process.
        assert_eq!(unsafe { libc::kill(pid, sig) }, 0, "kill({pid}, {sig})");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "sim serve did not stop after signal {sig}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A little-endian word of a file.
pub fn read_word(file: &Path, offset: u64) -> std::io::Result<u32> {
    use std::os::unix::fs::FileExt;
    let f = std::fs::File::open(file)?;
    let mut b = [0u8; 4];
    f.read_exact_at(&mut b, offset)?;
    Ok(u32::from_le_bytes(b))
}

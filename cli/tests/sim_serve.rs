//! A simulator in its own process (`epython sim serve FILE`) and the CLI in
//! another, as a loader elsewhere would use it; timeouts; idle CPU.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// A `sim serve` child, killed on drop.
struct Server {
    child: std::process::Child,
}

impl Server {
    fn start(file: &std::path::Path) -> Server {
        let child = Command::new(EPYTHON)
            .args(["sim", "serve", file.to_str().unwrap()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn sim serve");
        // Ready once the info page says Running.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let state = read_word(file, shared_protocol::sim::info::SERVER_STATE as u64).ok();
            let magic = read_word(file, shared_protocol::sim::info::MAGIC as u64).ok();
            if magic == Some(shared_protocol::sim::SIM_MAGIC)
                && state == Some(shared_protocol::sim::ServerState::Running as u32)
            {
                break;
            }
            assert!(Instant::now() < deadline, "sim serve did not come up");
            std::thread::sleep(Duration::from_millis(10));
        }
        Server { child }
    }

    fn cpu_seconds(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).expect("read stat");
        // Fields after the ")" of the command name: utime is field 14, stime 15.
        let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
        ticks / 100.0 // USER_HZ
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_word(file: &std::path::Path, offset: u64) -> std::io::Result<u32> {
    use std::os::unix::fs::FileExt;
    let f = std::fs::File::open(file)?;
    let mut b = [0u8; 4];
    f.read_exact_at(&mut b, offset)?;
    Ok(u32::from_le_bytes(b))
}

#[test]
fn a_simulator_in_another_process_runs_programs_and_survives_a_timeout() {
    let dir = Scratch::new("serve");
    let dev = dir.0.join("epiphany");
    let server = Server::start(&dev);

    let hello = dir.write("hello.py", "print \"Hello world\"\n");
    let run = epython(&[hello.to_str().unwrap()], Some(&dev));
    assert!(run.ok(), "{}", run.stderr);
    assert_eq!(cores_printing(&run, "Hello world"), (0..16).collect::<Vec<_>>());

    // An endless loop with --timeout 1: a clear message, a reset device.
    let endless = dir.write("loop.py", "x = 0\nwhile True:\n    x = x + 1\n");
    let run = epython(&["--timeout", "1", endless.to_str().unwrap()], Some(&dev));
    assert!(!run.ok());
    assert!(run.stderr.contains("timed out after 1s"), "{}", run.stderr);
    let latency = run.elapsed.as_secs_f64() - 1.0;
    println!("timeout stop latency (process total minus the 1 s timeout): {latency:.3} s");

    // The next run on the same simulator file works.
    let run = epython(&["-d", "2", hello.to_str().unwrap()], Some(&dev));
    assert!(run.ok(), "{}", run.stderr);
    assert_eq!(cores_printing(&run, "Hello world"), vec![0, 1]);

    // Idle cores use no CPU.
    std::thread::sleep(Duration::from_millis(300));
    let before = server.cpu_seconds();
    let t = Instant::now();
    std::thread::sleep(Duration::from_secs(1));
    let used = server.cpu_seconds() - before;
    let wall = t.elapsed().as_secs_f64();
    println!("idle simulator: {used:.3} s CPU over {wall:.3} s wall ({:.1}%)", 100.0 * used / wall);
    assert!(used < 0.05 * wall, "idle simulator used {used} s CPU in {wall} s");
}

#[test]
fn a_file_nobody_serves_is_a_clear_error_not_a_hang() {
    let dir = Scratch::new("noserver");
    let not_a_device = dir.write("plain", "hello");
    let hello = dir.write("hello.py", "print(1)\n");
    let run = epython(&[hello.to_str().unwrap()], Some(&not_a_device));
    assert!(!run.ok());
    assert!(run.stderr.contains("epython:"), "{}", run.stderr);
}

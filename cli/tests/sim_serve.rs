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

/// `sim serve` on SIGINT, SIGTERM or SIGHUP: the file it created is removed
/// and it dies of the signal.
#[test]
fn sim_serve_removes_the_file_it_created_when_stopped() {
    use std::os::unix::process::ExitStatusExt;
    let dir = Scratch::new("serve-remove");
    for (sig, name) in [(libc::SIGINT, "int"), (libc::SIGTERM, "term"), (libc::SIGHUP, "hup")] {
        let dev = dir.0.join(format!("epiphany-{name}"));
        let mut server = SimServer::start(&dev, &[]);
        assert!(dev.exists());
        let status = server.stop_with(sig);
        assert_eq!(status.signal(), Some(sig), "{status:?}");
        assert!(!dev.exists(), "signal {name}: {} is still there", dev.display());
    }
}

/// Never a file it did not create; `--keep` keeps its own.
#[test]
fn sim_serve_keeps_a_file_it_did_not_create_and_with_keep() {
    let dir = Scratch::new("serve-keep");
    let old = dir.write("old", "was here before");
    let mut server = SimServer::start(&old, &[]);
    server.stop_with(libc::SIGTERM);
    assert!(old.exists(), "a file that existed before was removed");

    let kept = dir.0.join("kept");
    let mut server = SimServer::start(&kept, &["--keep"]);
    server.stop_with(libc::SIGINT);
    assert!(kept.exists(), "--keep did not keep the file");
    // A file kept after its server stopped is refused with how to restart.
    let hello = dir.write("hello.py", "print(1)\n");
    let run = epython(&[hello.to_str().unwrap()], Some(&kept));
    assert!(!run.ok());
    assert!(run.stderr.contains("whose simulator has stopped") && run.stderr.contains("epython sim serve"), "{}", run.stderr);
}

/// A device node or a FIFO at the path is refused untouched.
#[test]
fn sim_serve_refuses_what_is_not_a_regular_file() {
    let run = epython(&["sim", "serve", "/dev/null"], None);
    assert!(!run.ok());
    assert!(run.stderr.contains("/dev/null: it is a character device, not a regular file"), "{}", run.stderr);
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata("/dev/null").expect("/dev/null").file_type().is_char_device());

    let dir = Scratch::new("serve-fifo");
    let fifo = dir.0.join("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid C string path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let run = epython(&["sim", "serve", fifo.to_str().unwrap()], None);
    assert!(!run.ok());
    assert!(run.stderr.contains("it is a FIFO"), "{}", run.stderr);
}

/// A client running a program when its server stops (SIGTERM: the server
/// marks the file Stopped) or dies (SIGKILL: its process is gone) gets an
/// error saying so and how to restart it: not a hang, not board advice.
#[test]
fn a_client_whose_server_stops_says_so_and_how_to_restart_it() {
    use std::io::{BufRead, BufReader};
    let dir = Scratch::new("serve-dies");
    let endless = dir.write("loop.py", "print('started')\nwhile True:\n    pass\n");
    for (sig, says) in [(libc::SIGTERM, "has stopped"), (libc::SIGKILL, "is gone")] {
        let dev = dir.0.join(format!("epiphany-{sig}"));
        let mut server = SimServer::start(&dev, &[]);
        let mut client = Command::new(EPYTHON)
            .args(["-c", "2", endless.to_str().unwrap()])
            .env("EPYTHON_DEVICE", &dev)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn epython");
        let mut out = BufReader::new(client.stdout.take().expect("stdout"));
        let mut line = String::new();
        out.read_line(&mut line).expect("read the client's first line");
        assert_eq!(line.trim(), "[device 2] started");
        server.stop_with(sig);
        let stopped = Instant::now();
        let run = wait_with_watchdog(client, Duration::from_secs(30), "epython on a stopped simulator");
        println!("signal {sig}: the client stopped {:.3} s after its server", stopped.elapsed().as_secs_f64());
        assert!(!run.ok());
        let restart = format!("restart it with `epython sim serve {}`", dev.display());
        assert!(run.stderr.contains(says) && run.stderr.contains(&restart), "{}", run.stderr);
        assert!(!run.stderr.contains("power-cycle"), "{}", run.stderr);
        let _ = std::fs::remove_file(&dev);
    }
}

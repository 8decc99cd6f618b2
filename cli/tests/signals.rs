//! SIGINT, SIGTERM and SIGHUP to `epython prog.py` on a simulator served by
//! another process (issue 15): the cores it started are halted before it
//! exits (as `epython device info` then shows), it dies of the signal, and
//! the next run on those cores goes at once.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;

const ENDLESS: &str = "print('started')\ni = 0\nwhile True:\n    i += 1\n";
const ASKS: &str = "print('started')\nname = input()\nprint(name)\n";

/// `epython -c 3,4 PROG` on `dev`, with stdin a pipe nobody writes to.
fn start(prog: &Path, dev: &Path) -> Child {
    Command::new(EPYTHON)
        .args(["-c", "3,4", prog.to_str().expect("utf-8 path")])
        .env("EPYTHON_DEVICE", dev)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn epython")
}

/// Wait until a core printed `started` (the launch started both; a core
/// waiting in `input()` holds back the other's output).
fn wait_started(child: &mut Child) {
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    loop {
        let line = rx.recv_timeout(Duration::from_secs(60)).expect("the program did not start");
        if line.ends_with("] started") {
            return;
        }
    }
}

/// Cores 3 and 4's rows of `epython device info` (read only: it changes nothing).
fn core_rows(dev: &Path) -> Vec<String> {
    let info = epython(&["device", "info"], Some(dev));
    assert!(info.ok(), "{}", info.stderr);
    info.lines().into_iter().filter(|l| l.starts_with("   3 ") || l.starts_with("   4 ")).map(String::from).collect()
}

fn stop_with(sig: libc::c_int, name: &str, program: &str, tag: &str) {
    let dir = Scratch::new(&format!("signal-{tag}"));
    let dev = dir.0.join("epiphany");
    let _server = SimServer::start(&dev, &[]);
    let prog = dir.write("prog.py", program);
    let mut child = start(&prog, &dev);
    let _stdin = child.stdin.take();
    wait_started(&mut child);
    let pid = libc::pid_t::try_from(child.id()).expect("a pid");
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
    let sent = Instant::now();
    let run = wait_with_watchdog(child, Duration::from_secs(30), "epython prog.py, signalled");
    println!("{name}: epython exited {:.3} s after the signal", sent.elapsed().as_secs_f64());
    assert_eq!(run.signal, Some(sig), "epython should die of {name} (exit {:?}); stderr: {}", run.code, run.stderr);
    assert!(run.stderr.contains(&format!("stopped by {name} on cores 3,4; the cores are halted")), "{}", run.stderr);

    // Halted, and the firmware not running a program any more.
    let rows = core_rows(&dev);
    assert_eq!(rows.len(), 2, "{rows:?}");
    for row in &rows {
        assert!(row.contains("halted") && !row.contains("Running"), "core still running after {name}: {row}");
    }

    // The next run on those cores goes at once.
    let hello = dir.write("hello.py", "print('again')\n");
    let run = epython(&["-c", "3,4", hello.to_str().expect("utf-8 path")], Some(&dev));
    assert!(run.ok(), "{}", run.stderr);
    assert_eq!(cores_printing(&run, "again"), vec![3, 4]);
    println!("{name}: the next run took {:.3} s", run.elapsed.as_secs_f64());
    assert!(run.elapsed < Duration::from_secs(1), "the next run took {:?}", run.elapsed);
}

#[test]
fn sigint_halts_the_cores_of_an_endless_program() {
    stop_with(libc::SIGINT, "SIGINT", ENDLESS, "int");
}

#[test]
fn sigterm_halts_the_cores_of_an_endless_program() {
    stop_with(libc::SIGTERM, "SIGTERM", ENDLESS, "term");
}

#[test]
fn sighup_halts_the_cores_of_an_endless_program() {
    stop_with(libc::SIGHUP, "SIGHUP", ENDLESS, "hup");
}

/// A core waiting in `input()` for a line of stdin that never comes.
#[test]
fn sigint_stops_a_program_waiting_for_input() {
    stop_with(libc::SIGINT, "SIGINT", ASKS, "input");
}

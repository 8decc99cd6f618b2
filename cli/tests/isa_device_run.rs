//! `epython device run` on a simulated E16 in ISA mode, served by `epython
//! sim serve FILE --isa` in another process: Epiphany programs built with
//! tools/epiphany-cc (examples/epiphany) print through the host, each core's
//! exit code is reported, an endless loop is stopped by --timeout and its
//! core runs the next program, and the bring-up commands show the cores'
//! real registers.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// `epython sim serve FILE --isa`, killed on drop.
struct IsaServer(Child);

impl IsaServer {
    fn start(file: &Path) -> IsaServer {
        let child = Command::new(EPYTHON)
            .args(["sim", "serve", "--isa"])
            .arg(file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn sim serve --isa");
        let server = IsaServer(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while epython(&["device", "info"], Some(file)).code != Some(0) {
            assert!(Instant::now() < deadline, "sim serve --isa did not come up");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }
}

impl Drop for IsaServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// examples/epiphany/NAME.c built into `dir`; None without the toolchain
/// (skipped with a message; a failure under CI=true).
fn build(dir: &Scratch, name: &str) -> Option<PathBuf> {
    let have = Command::new(root().join("tools/epiphany-toolchain.sh")).arg("--prefix").output().is_ok_and(|o| o.status.success());
    if !have {
        assert!(std::env::var("CI").map_or(true, |v| v != "true"), "no Epiphany toolchain under CI=true");
        eprintln!("isa_device_run: SKIPPED: no Epiphany toolchain (make epiphany-toolchain)");
        return None;
    }
    let elf = dir.0.join(format!("{name}.elf"));
    let ok = Command::new(root().join("tools/epiphany-cc"))
        .args(["-O2", "-o"])
        .arg(&elf)
        .arg(root().join(format!("examples/epiphany/{name}.c")))
        .status()
        .expect("run tools/epiphany-cc")
        .success();
    assert!(ok, "building {name}.c");
    Some(elf)
}

fn row(run: &Run, core: u32) -> &str {
    let prefix = format!("{core:>4}  0x");
    run.stdout.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("no row for core {core}:\n{}", run.stdout))
}

#[test]
fn device_run_prints_per_core_reports_exit_codes_and_recovers_from_a_timeout() {
    let dir = Scratch::new("isa-run");
    let (Some(hello), Some(endless)) = (build(&dir, "hello"), build(&dir, "endless")) else { return };
    let dev = dir.0.join("epiphany-isa");
    let _server = IsaServer::start(&dev);

    let run = epython(&["device", "run", hello.to_str().unwrap(), "-c", "0,5,15"], Some(&dev));
    for (core, row_, col) in [(0, 0, 0), (5, 1, 1), (15, 3, 3)] {
        let id = ((32 + row_) << 6) | (8 + col);
        let line = format!("[device {core}] hello from core {core} (mesh id {id:#x}, row {row_}, column {col})");
        assert_eq!(run.stdout.lines().filter(|l| *l == line).count(), 1, "{line}\n{}", run.stdout);
        assert!(row(&run, core).contains(&format!("exit {core} ")), "{}", row(&run, core));
    }
    assert!(run.stdout.contains("all cores finished"), "{}", run.stdout);
    assert_eq!(run.code, Some(1), "cores 5 and 15 exit non-zero: {}", run.stderr);

    // An endless loop: --timeout stops waiting and halts the core.
    let run = epython(&["device", "run", endless.to_str().unwrap(), "-c", "5", "--timeout", "0.5"], Some(&dev));
    assert!(run.stdout.contains("timed out") && row(&run, 5).contains("did not finish"), "{}", run.stdout);
    assert_eq!(run.code, Some(1));
    // The core is reusable.
    let run = epython(&["device", "run", hello.to_str().unwrap(), "-c", "5"], Some(&dev));
    assert!(run.stdout.contains("[device 5] hello from core 5"), "{}\n{}", run.stdout, run.stderr);
    assert!(row(&run, 5).contains("exit 5"), "{}", run.stdout);

    // Bring-up shows the halted core's real registers: r0 holds the exit
    // code, the PC is past the exit trap.
    let dump = epython(&["device", "dump", "5"], Some(&dev));
    assert!(dump.ok(), "{}", dump.stderr);
    assert!(dump.stdout.contains("halted"), "{}", dump.stdout);
    let r0 = dump.stdout.lines().find(|l| l.trim_start().starts_with("R0 ..R7")).expect("a R0..R7 line");
    assert_eq!(r0.split_whitespace().nth(2), Some("00000005"), "{}", dump.stdout);
}

#[test]
fn selftest_passes_on_every_isa_core() {
    let dir = Scratch::new("isa-selftest");
    let dev = dir.0.join("epiphany-isa");
    let _server = IsaServer::start(&dev);
    let run = epython(&["device", "selftest"], Some(&dev));
    assert!(run.ok(), "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("all 16 cores passed"), "{}", run.stdout);
}

#[test]
fn sixteen_idle_isa_cores_use_almost_no_cpu() {
    let dir = Scratch::new("isa-idle");
    let dev = dir.0.join("epiphany-isa");
    let server = IsaServer::start(&dev);
    let cpu = || {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", server.0.id())).expect("read stat");
        let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
        let f: Vec<&str> = rest.split_whitespace().collect();
        (f[11].parse::<f64>().unwrap_or(0.0) + f[12].parse::<f64>().unwrap_or(0.0)) / 100.0
    };
    // Let the start-up settle (the cores sleep in growing steps), then measure.
    std::thread::sleep(Duration::from_millis(300));
    let before = cpu();
    std::thread::sleep(Duration::from_secs(2));
    let used = cpu() - before;
    eprintln!("16 idle ISA cores: {used:.3} s of CPU in 2 s");
    assert!(used < 0.2, "idle ISA cores used {used:.3} s of CPU in 2 s");
}

/// `epython` with `EPYTHON_FIRMWARE=firmware` and `EPYTHON_DEVICE=sim:isa`.
fn with_firmware(args: &[&str], firmware: &Path) -> common::Run {
    let child = Command::new(EPYTHON)
        .args(args)
        .env("EPYTHON_DEVICE", "sim:isa")
        .env("EPYTHON_FIRMWARE", firmware)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn epython");
    wait_with_watchdog(child, Duration::from_secs(60), &format!("epython {}", args.join(" ")))
}

#[test]
fn device_firmware_names_the_firmware_used_and_a_firmware_from_other_sources_is_refused() {
    let tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/epiphany/epython-firmware.elf");
    if !tree.exists() {
        assert!(std::env::var("CI").map_or(true, |v| v != "true"), "no Epiphany firmware under CI=true");
        return eprintln!("isa_device_run: SKIPPED: no Epiphany firmware built (make epiphany)");
    }
    let dir = Scratch::new("isa-firmware");
    std::fs::create_dir_all(&dir.0).expect("mkdir");
    let run = with_firmware(&["device", "firmware"], &tree);
    assert!(run.ok(), "{}\n{}", run.stdout, run.stderr);
    let id = |prefix: &str| {
        let line = run.stdout.lines().find(|l| l.contains(prefix)).unwrap_or_else(|| panic!("no `{prefix}` in {}", run.stdout));
        line.rsplit(' ').next().expect("an id").to_string()
    };
    assert_eq!(id("using"), id("expects build id"), "{}", run.stdout);
    assert!(run.stdout.contains(&format!("using {}", tree.display())), "{}", run.stdout);

    // The same firmware with another build id in its header: refused by the
    // command and by a program's boot, each saying why and what to do.
    let mut bytes = std::fs::read(&tree).expect("read the firmware");
    let header = [shared_protocol::mailbox::FIRMWARE_MAGIC, shared_protocol::PROTOCOL_VERSION].map(u32::to_le_bytes).concat();
    let at = bytes.windows(8).position(|w| w == header).expect("the firmware header");
    bytes[at + 12] ^= 0x80;
    let other = dir.0.join("other-build.elf");
    std::fs::write(&other, &bytes).expect("write");
    let run = with_firmware(&["device", "firmware"], &other);
    assert!(!run.ok() && run.stderr.contains("built from other sources"), "{}\n{}", run.stdout, run.stderr);
    let program = dir.0.join("hello.py");
    std::fs::write(&program, "print('hello')\n").expect("write");
    let run = with_firmware(&["-c", "0", program.to_str().expect("utf-8 path")], &other);
    assert!(!run.ok(), "{}", run.stdout);
    assert!(run.stderr.contains("built from other sources") && run.stderr.contains("make epiphany"), "{}", run.stderr);
    assert!(!run.stdout.contains("hello"), "{}", run.stdout);

    let run = with_firmware(&["device", "firmware"], &dir.0.join("missing.elf"));
    assert!(!run.ok() && run.stderr.contains("no Epiphany firmware: looked for"), "{}", run.stderr);
}

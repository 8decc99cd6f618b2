//! The bring-up commands (`epython device info | selftest | reset | dump`) on a
//! simulated E16: in-process (`EPYTHON_DEVICE=sim`) and served by `epython sim
//! serve` in another process, with and without a broken core (the BROKEN_CORES
//! test hook).

mod common;

use common::*;

/// `core  N (0xMMM): pass ...` / `core  N (0xMMM): FAIL: ...` lines: (core, passed).
fn core_lines(run: &Run) -> Vec<(u32, bool)> {
    run.stdout
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("core ")?;
            let (n, tail) = rest.trim_start().split_once(' ')?;
            let verdict = tail.split_once(": ")?.1;
            let n: u32 = n.parse().ok()?;
            if verdict.starts_with("pass") {
                Some((n, true))
            } else if verdict.starts_with("FAIL") {
                Some((n, false))
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn selftest_passes_all_16_cores_of_a_simulated_e16() {
    let run = epython(&["device", "selftest"], None);
    assert!(run.ok(), "exit {:?}\nstdout:\n{}\nstderr:\n{}", run.code, run.stdout, run.stderr);
    let lines = core_lines(&run);
    assert_eq!(lines, (0..16).map(|c| (c, true)).collect::<Vec<_>>(), "{}", run.stdout);
    assert!(run.stdout.contains("mailbox echo"), "{}", run.stdout);
    assert!(run.stdout.contains("all 16 cores passed"), "{}", run.stdout);
}

#[test]
fn a_broken_core_fails_selftest_and_the_others_pass() {
    let dir = Scratch::new("selftest-broken");
    let dev = dir.0.join("epiphany");
    let _server = SimServer::start(&dev, &["--break-core", "5"]);
    let run = epython(&["device", "selftest"], Some(&dev));
    assert!(!run.ok(), "exit {:?}\n{}", run.code, run.stdout);
    let lines = core_lines(&run);
    assert_eq!(lines, (0..16).map(|c| (c, c != 5)).collect::<Vec<_>>(), "{}", run.stdout);
    // The failing line names the step and the Epiphany address (core 5 is mesh 0x849).
    let fail = run.stdout.lines().find(|l| l.contains("FAIL")).unwrap();
    assert!(fail.contains("SRAM") && fail.contains(" at 0x849"), "{fail}");
    assert!(run.stdout.contains("15 of 16 cores passed; failed: 5"), "{}", run.stdout);

    // The broken core still runs programs (its stuck bit is in a word the
    // firmware leaves zero), and the device was left usable.
    let hello = dir.write("hello.py", "print(\"hi\")\n");
    let run = epython(&["-c", "4,5", hello.to_str().unwrap()], Some(&dev));
    assert!(run.ok(), "{}", run.stderr);
    assert_eq!(cores_printing(&run, "hi"), vec![4, 5]);
}

#[test]
fn sim_serve_refuses_a_break_core_that_does_not_exist() {
    let dir = Scratch::new("break-bad");
    let run = epython(&["sim", "serve", dir.0.join("dev").to_str().unwrap(), "--break-core", "16"], None);
    assert!(!run.ok());
    assert!(run.stderr.contains("--break-core 16"), "{}", run.stderr);
}

#[test]
fn info_shows_the_backend_the_chip_and_16_cores() {
    let run = epython(&["device", "info"], None);
    assert!(run.ok(), "{}", run.stderr);
    let out = &run.stdout;
    assert!(out.contains("backend  simulator"), "{out}");
    assert!(out.contains("driver   simulator file"), "{out}");
    // Not its memfd's /proc/self/fd/N: what it is.
    assert!(out.contains("device   in-process simulated E16 (no device file: it lives in this process)"), "{out}");
    assert!(!out.contains("/proc/self/fd"), "{out}");
    assert!(out.contains("4x4 cores (E16"), "{out}");
    assert!(out.contains("file offset 0x8e000000"), "{out}");
    let header = out.lines().find(|l| l.starts_with("core  mesh")).expect("a core table");
    for col in ["STATUS", "DEBUGSTATUS", "PC", "ILAT", "IMASK", "firmware mailbox"] {
        assert!(header.contains(col), "{header}");
    }
    let rows: Vec<&str> = out.lines().skip_while(|l| !l.starts_with("core  mesh")).skip(1).collect();
    assert_eq!(rows.len(), 16, "{out}");
    assert!(rows[0].trim_start().starts_with("0  0x808"), "{}", rows[0]);
    assert!(rows[15].trim_start().starts_with("15  0x8cb"), "{}", rows[15]);
}

#[test]
fn info_shows_the_firmware_mailbox_after_a_run_and_dump_shows_core_3() {
    let dir = Scratch::new("info-after-run");
    let dev = dir.0.join("epiphany");
    let _server = SimServer::start(&dev, &[]);
    let hello = dir.write("hello.py", "print(\"hi\")\n");
    let run = epython(&["-c", "3", hello.to_str().unwrap()], Some(&dev));
    assert!(run.ok(), "{}", run.stderr);

    let run = epython(&["device", "info"], Some(&dev));
    assert!(run.ok(), "{}", run.stderr);
    let row3 = run.stdout.lines().find(|l| l.trim_start().starts_with("3  0x80b")).expect("core 3's row");
    assert!(row3.contains("Idle, protocol"), "{row3}");
    let row4 = run.stdout.lines().find(|l| l.trim_start().starts_with("4  0x848")).expect("core 4's row");
    assert!(row4.trim_end().ends_with(" -"), "{row4}");

    let run = epython(&["device", "dump", "3"], Some(&dev));
    assert!(run.ok(), "{}", run.stderr);
    let out = &run.stdout;
    assert!(out.starts_with("core 3: mesh id 0x80b (row 0, col 3)"), "{out}");
    for reg in ["CONFIG", "STATUS", "PC", "DEBUGSTATUS", "IMASK", "ILAT", "IPEND", "IRET"] {
        assert!(out.lines().any(|l| l.trim_start().starts_with(&format!("{reg} "))), "{reg} missing:\n{out}");
    }
    assert!(out.contains("COREID       0x0000080b"), "{out}");
    // The run left a status block and a consumed ring.
    assert!(out.contains("MAGIC         0x53595045"), "{out}");
    assert!(out.contains("EVENT_ACK"), "{out}");
    assert!(out.contains("(0 bytes unread)"), "{out}");
    assert!(out.contains("firmware: Idle, protocol"), "{out}");
}

#[test]
fn dump_of_a_core_that_does_not_exist_is_refused() {
    let run = epython(&["device", "dump", "16"], None);
    assert!(!run.ok());
    assert!(run.stderr.contains("core 16 does not exist"), "{}", run.stderr);
}

#[test]
fn reset_succeeds_and_a_following_run_works() {
    let dir = Scratch::new("reset");
    let dev = dir.0.join("epiphany");
    let _server = SimServer::start(&dev, &[]);
    let hello = dir.write("hello.py", "from parallel import coreid\nprint(\"hi\", coreid())\n");
    let run = epython(&["-d", "2", hello.to_str().unwrap()], Some(&dev));
    assert!(run.ok(), "{}", run.stderr);

    let run = epython(&["device", "reset"], Some(&dev));
    assert!(run.ok(), "{}\n{}", run.stdout, run.stderr);
    let reset_lines = run.stdout.lines().filter(|l| l.ends_with("reset (idle, waiting for SYNC)")).count();
    assert_eq!(reset_lines, 16, "{}", run.stdout);
    assert!(run.stdout.contains("all 16 cores reset"), "{}", run.stdout);

    // Reset cores show no stale firmware state.
    let run = epython(&["device", "info"], Some(&dev));
    assert!(run.ok(), "{}", run.stderr);
    assert!(!run.stdout.contains("Idle, protocol"), "{}", run.stdout);

    let run = epython(&[hello.to_str().unwrap()], Some(&dev));
    assert!(run.ok(), "{}", run.stderr);
    for k in 0..16 {
        assert_eq!(cores_printing(&run, &format!("hi {k}")), vec![k]);
    }
}

#[test]
fn a_system_reset_is_refused_on_a_simulator_and_names_why() {
    let dir = Scratch::new("sysreset");
    let dev = dir.0.join("epiphany");
    let _server = SimServer::start(&dev, &[]);
    let run = epython(&["device", "reset", "--system"], Some(&dev));
    assert!(!run.ok());
    assert!(run.stderr.contains("a system reset needs the board's driver node"), "{}", run.stderr);
    // Nothing was reset: the cores still run programs.
    let hello = dir.write("hello.py", "print(\"hi\")\n");
    let run = epython(&["-d", "1", hello.to_str().unwrap()], Some(&dev));
    assert!(run.ok(), "{}", run.stderr);
}

/// A minimal e-gcc-like image: ELF32 LE, ET_EXEC, machine 0x1223, one PT_LOAD
/// segment of 8 bytes (+8 of BSS) at local SRAM 0x100.
fn tiny_elf() -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&[0x7f, b'E', b'L', b'F', 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    f.extend_from_slice(&2u16.to_le_bytes()); // e_type ET_EXEC
    f.extend_from_slice(&0x1223u16.to_le_bytes()); // e_machine
    f.extend_from_slice(&1u32.to_le_bytes()); // e_version
    f.extend_from_slice(&0x100u32.to_le_bytes()); // e_entry
    f.extend_from_slice(&52u32.to_le_bytes()); // e_phoff
    f.extend_from_slice(&0u32.to_le_bytes()); // e_shoff
    f.extend_from_slice(&0u32.to_le_bytes()); // e_flags
    for h in [52u16, 32, 1, 40, 0, 0] {
        // e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx
        f.extend_from_slice(&h.to_le_bytes());
    }
    for w in [1u32, 84, 0x100, 0x100, 8, 16, 5, 4] {
        // PT_LOAD, offset, vaddr, paddr, filesz, memsz, flags, align
        f.extend_from_slice(&w.to_le_bytes());
    }
    f.extend_from_slice(&[0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04]);
    f
}

#[test]
fn device_run_loads_an_elf_starts_it_and_reports_each_core() {
    let dir = Scratch::new("device-run");
    let elf = dir.0.join("tiny.elf");
    std::fs::write(&elf, tiny_elf()).unwrap();
    // The native simulator (the default) does not execute Epiphany code
    // (ISA mode does: isa_device_run.rs): SYNC on an image without its
    // firmware header stops the core on an illegal instruction, halted.
    let run = epython(&["device", "run", elf.to_str().unwrap(), "-c", "1,2", "--timeout", "20"], None);
    assert!(!run.ok(), "{}", run.stdout);
    let out = &run.stdout;
    assert!(out.contains("entry 0x00000100, 1 segment(s)"), "{out}\n{}", run.stderr);
    assert!(out.contains("core  1 (0x809): 1 segment(s), 16 bytes in SRAM"), "{out}");
    assert!(out.contains("all cores finished:"), "{out}");
    let rows: Vec<&str> = out.lines().filter(|l| l.contains("EXCAUSE 5 (illegal instruction)")).collect();
    assert_eq!(rows.len(), 2, "{out}");
    assert!(rows[0].trim_start().starts_with("1  0x809  faulted: illegal instruction") && rows[0].contains("halted"), "{out}");

    // A file that is not an Epiphany ELF is refused before anything is written.
    let bad = dir.write("bad.elf", "not an elf");
    let run = epython(&["device", "run", bad.to_str().unwrap()], None);
    assert!(!run.ok());
    assert!(run.stderr.contains("epython:"), "{}", run.stderr);
}

#[test]
fn dev_mem_needs_allow_devmem() {
    // A node with /dev/mem's numbers (1:1) under another name. The refusal
    // comes before any open; with the flag the open itself is attempted (and
    // fails here: no such driver behind the node, nothing is mapped).
    let dir = Scratch::new("devmem");
    let node = dir.0.join("mem");
    let made = std::process::Command::new("mknod").arg(&node).args(["c", "1", "1"]).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: cannot create a device node here (needs CAP_MKNOD)");
        return;
    }
    let prog = dir.write("p.py", "print(1)\n");
    for args in [vec!["device", "info"], vec![prog.to_str().unwrap()]] {
        let run = epython(&args, Some(&node));
        assert!(!run.ok(), "{args:?}: {}", run.stdout);
        assert!(run.stderr.contains("is /dev/mem") && run.stderr.contains("--allow-devmem"), "{args:?}: {}", run.stderr);
    }
    for args in [vec!["device", "--allow-devmem", "info"], vec!["device", "info", "--allow-devmem"], vec!["--allow-devmem", prog.to_str().unwrap()]] {
        let run = epython(&args, Some(&node));
        assert!(!run.ok(), "{args:?}: {}", run.stdout);
        assert!(run.stderr.contains("cannot open device"), "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("is /dev/mem"), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn a_report_into_a_closed_pipe_does_not_panic_and_the_command_finishes() {
    // `epython device selftest | head -0`: the reader is gone before the
    // first line. Every write fails with EPIPE; the command must still run
    // to its end (leaving the cores reset) and exit by its own verdict.
    let mut child = std::process::Command::new(EPYTHON)
        .args(["device", "selftest"])
        .env("EPYTHON_DEVICE", "sim")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn epython");
    drop(child.stdout.take());
    let run = wait_with_watchdog(child, std::time::Duration::from_secs(60), "epython device selftest | head -0");
    assert!(!run.stderr.contains("panicked"), "stderr:\n{}", run.stderr);
    assert!(run.ok(), "exit {:?} signal {:?}\nstderr:\n{}", run.code, run.signal, run.stderr);
}

//! `epython FILE` as a user runs it, on the in-process simulated E16.

mod common;

use common::*;

fn example(name: &str) -> String {
    format!("{}/../examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn hello_prints_once_per_core_on_all_16() {
    let run = epython(&[&example("hello.py")], None);
    assert!(run.ok(), "exit {:?}\nstderr: {}", run.code, run.stderr);
    assert_eq!(run.lines().len(), 16, "stdout:\n{}", run.stdout);
    assert_eq!(cores_printing(&run, "Hello world"), (0..16).collect::<Vec<_>>());
    // EPYTHON_DEVICE=sim says nothing about the device; the old print form gets its note once.
    assert_eq!(run.stderr.matches("note:").count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("follow Python 3"), "{}", run.stderr);
}

#[test]
fn dash_d_and_dash_c_pick_cores() {
    let run = epython(&["-d", "4", &example("hello.py")], None);
    assert!(run.ok(), "{}", run.stderr);
    assert_eq!(cores_printing(&run, "Hello world"), vec![0, 1, 2, 3]);
    assert_eq!(run.lines().len(), 4);

    let run = epython(&["-c", "3,7", &example("hello.py")], None);
    assert!(run.ok(), "{}", run.stderr);
    assert_eq!(cores_printing(&run, "Hello world"), vec![3, 7]);
    assert_eq!(run.lines().len(), 2);
}

#[test]
fn bad_core_selections_are_refused() {
    let run = epython(&["-c", "3,16", &example("hello.py")], None);
    assert!(!run.ok());
    assert!(run.stderr.contains("core 16 does not exist"), "{}", run.stderr);
    let run = epython(&["-c", "2,2", &example("hello.py")], None);
    assert!(!run.ok());
    assert!(run.stderr.contains("core 2 is given twice"), "{}", run.stderr);
    let run = epython(&["-d", "0", &example("hello.py")], None);
    assert!(!run.ok());
    assert!(run.stdout.is_empty());
}

#[test]
fn coreid_and_numcores_follow_the_launch() {
    let run = epython(&["-c", "5,9", &example("cores.py")], None);
    assert!(run.ok(), "{}", run.stderr);
    assert_eq!(cores_printing(&run, "core 5 of 2 squared is 25"), vec![5]);
    assert_eq!(cores_printing(&run, "core 9 of 2 squared is 81"), vec![9]);
}

#[test]
fn a_syntax_error_runs_nothing() {
    let dir = Scratch::new("syntax");
    let file = dir.write("bad.py", "x = 1\nif x ==:\n    print(x)\n");
    let run = epython(&[file.to_str().unwrap()], None);
    assert!(!run.ok());
    assert!(run.stdout.is_empty(), "ran something: {}", run.stdout);
    let expected = format!("{}:2:", file.display());
    assert!(run.stderr.contains(&expected), "{}", run.stderr);
    assert!(run.stderr.contains("SyntaxError:"), "{}", run.stderr);
}

#[test]
fn a_runtime_error_on_one_core_names_it_and_the_others_finish() {
    let dir = Scratch::new("zerodiv");
    let file = dir.write(
        "zd.py",
        "from parallel import coreid\nprint(\"before\", coreid())\nif coreid() == 3:\n    x = 1 / 0\nprint(\"after\", coreid())\n",
    );
    let run = epython(&[file.to_str().unwrap()], None);
    assert!(!run.ok(), "exit {:?}", run.code);
    let msg = format!("{}:4: core 3: ZeroDivisionError: division by zero", file.display());
    assert!(run.stderr.contains(&msg), "stderr: {}", run.stderr);
    for k in 0..16u32 {
        assert_eq!(cores_printing(&run, &format!("before {k}")), vec![k]);
        let after = cores_printing(&run, &format!("after {k}"));
        assert_eq!(after, if k == 3 { vec![] } else { vec![k] }, "core {k}");
    }
}

#[test]
fn compiled_images_run_like_source() {
    let dir = Scratch::new("compile");
    let src = dir.write("p.py", "from parallel import coreid\nprint(coreid() * 2 + 0.5)\n");
    let out = dir.0.join("p.epyc");
    let run = epython(&["compile", src.to_str().unwrap(), "-o", out.to_str().unwrap()], None);
    assert!(run.ok(), "{}", run.stderr);
    let run = epython(&["-c", "4", out.to_str().unwrap()], None);
    assert!(run.ok(), "{}", run.stderr);
    assert_eq!(run.lines(), vec!["[device 4] 8.5"]);

    let run = epython(&["compile", src.to_str().unwrap(), "--disassemble"], None);
    assert!(run.ok(), "{}", run.stderr);
    assert!(run.stdout.contains("Print"), "{}", run.stdout);
}

#[test]
fn without_epython_device_the_simulator_is_announced_once() {
    let out = std::process::Command::new(EPYTHON)
        .args(["-d", "1", &example("cores.py")])
        .env_remove("EPYTHON_DEVICE")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let run = wait_with_watchdog(out, std::time::Duration::from_secs(60), "epython cores.py");
    assert!(run.ok(), "{}", run.stderr);
    if !std::path::Path::new("/dev/epiphany").exists() {
        assert_eq!(run.stderr.matches("using a simulated E16").count(), 1, "{}", run.stderr);
    }
    assert_eq!(run.lines(), vec!["[device 0] running on 1 cores", "[device 0] core 0 of 1 squared is 0"]);
}

#[test]
fn input_reads_lines_of_stdin_then_raises_eoferror() {
    let dir = Scratch::new("input");
    let prog = dir.write(
        "ask.py",
        "name = input('name? ')\nprint('hi', name, len(name))\nn = int(input())\nprint(n * 2)\nprint(input())\n",
    );
    let prog = prog.to_str().expect("utf-8 path");
    // Lines lose their newline (and a CR before it); the prompt is shown as a line of its own.
    let run = epython_with_stdin(&["-d", "1", prog], "élan\r\n21\nlast line without newline");
    assert!(run.ok(), "exit {:?}\nstderr: {}", run.code, run.stderr);
    assert_eq!(run.lines(), ["[device 0] name? ", "[device 0] hi élan 4", "[device 0] 42", "[device 0] last line without newline"]);

    // At the end of stdin input() raises EOFError, with the line and the core.
    let run = epython_with_stdin(&["-d", "1", prog], "bob\n3\n");
    assert_eq!(run.code, Some(1), "stdout: {}\nstderr: {}", run.stdout, run.stderr);
    assert_eq!(run.lines(), ["[device 0] name? ", "[device 0] hi bob 3", "[device 0] 6"]);
    assert!(run.stderr.contains("ask.py:5: core 0: EOFError: EOF when reading a line"), "{}", run.stderr);

    // Stdin closed at once (no input): the first input() raises.
    let run = epython(&["-d", "1", prog], None);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("ask.py:1: core 0: EOFError"), "{}", run.stderr);
}

#[test]
fn each_core_asking_for_input_gets_its_own_line() {
    let dir = Scratch::new("input2");
    let prog = dir.write("each.py", "print('got', input())\n");
    let run = epython_with_stdin(&["-d", "3", prog.to_str().expect("utf-8 path")], "a\nb\nc\n");
    assert!(run.ok(), "exit {:?}\nstderr: {}", run.code, run.stderr);
    let mut got: Vec<&str> = run.lines().iter().filter_map(|l| l.split_once("] got ").map(|(_, w)| w)).collect();
    got.sort_unstable();
    assert_eq!(got, ["a", "b", "c"], "stdout: {}", run.stdout);
}

/// ePython's synccores: every core prints, syncs, prints again. Every
/// "before" line comes out ahead of every "after" line (issue 14), also
/// with `-c` picking the group.
#[test]
fn lines_printed_before_sync_come_out_before_lines_printed_after_it() {
    let dir = Scratch::new("synccores");
    let file = dir.write(
        "synccores.py",
        "from parallel import coreid, sync\nprint(\"before\", coreid())\nsync()\nprint(\"after\", coreid())\n",
    );
    let group: Vec<u32> = (0..16).filter(|k| k % 3 != 1).collect();
    let list = group.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
    for args in [vec![file.to_str().unwrap()], vec!["-c", &list, file.to_str().unwrap()]] {
        let cores: Vec<u32> = if args.len() == 1 { (0..16).collect() } else { group.clone() };
        for _ in 0..5 {
            let run = epython(&args, None);
            assert!(run.ok(), "{}", run.stderr);
            let lines = run.lines();
            assert_eq!(lines.len(), 2 * cores.len(), "{}", run.stdout);
            let (before, after) = lines.split_at(cores.len());
            assert!(before.iter().all(|l| l.contains("] before ")), "an after line came early:\n{}", run.stdout);
            assert!(after.iter().all(|l| l.contains("] after ")), "{}", run.stdout);
            for &k in &cores {
                assert_eq!(cores_printing(&run, &format!("before {k}")), vec![k]);
                assert_eq!(cores_printing(&run, &format!("after {k}")), vec![k]);
            }
        }
    }
}

//! The differential test: random programs over the device subset (generated
//! by `e2e_tests::progen`) run on one simulated core and under the f32/i32
//! shim (tests/shim/f32shim.py, CPython with the device's number rules); the
//! two outputs must be equal, in the corpus format (printed lines, then
//! `Type: message (line N)` if the program stops on an error).
//!
//! One simulator, one booted core and one `python3 f32shim.py --serve`
//! process serve every program. Each proptest case is several programs
//! (process start-up and proptest's per-case cost are paid once per case),
//! so CI's PROPTEST_CASES=256 runs 4096 programs (about 20 s).
//!
//! Environment:
//! - `PROPTEST_CASES=N` — cases (default 256);
//! - `DIFF_PER_CASE=K` — programs per case (default 16);
//! - `DIFF_CASES=N` — the long run: N programs in all (overrides
//!   PROPTEST_CASES; `make test-long` sets it);
//! - `DIFF_SEED=S` — reproduce a run (every run prints its seed);
//! - `DIFF_SHOW=1` — print each program and its output as it goes.
//!
//! A mismatch fails the test after proptest has shrunk the case; the message
//! holds the (shrunk) program, both outputs and the seed. `--nocapture` shows
//! the generator's coverage (constructs and builtins exercised).

use std::cell::RefCell;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use e2e_tests::progen::{self, Coverage};
use loader::{Device, OpenOptions, Timeouts};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use shared_protocol::{Chip, CoreId};
use simulator::Simulator;

const CORE: CoreId = CoreId(0);
const RUN_TIMEOUT: Duration = Duration::from_secs(10);
/// Choices per program: enough for ~40 statements.
const TAPE_LEN: usize = 700;

fn tests_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
}

fn env_num(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    Some(v.trim().parse().unwrap_or_else(|_| panic!("{name}={v:?} is not a number")))
}

/// `python3 f32shim.py --serve`: programs in, expected outputs out, framed
/// as `LENGTH\nTEXT`. A reader thread hands frames over, so a program the
/// shim does not finish within [`SHIM_TIMEOUT`] (minimizing can delete a
/// loop's step) ends as [`SHIM_TIMED_OUT`] and the shim is restarted.
struct Shim {
    child: Child,
    stdin: ChildStdin,
    frames: Receiver<String>,
}

/// The most one program may take under the shim.
const SHIM_TIMEOUT: Duration = Duration::from_secs(10);
/// What `Shim::run` gives for a program the shim did not finish in time.
const SHIM_TIMED_OUT: &str = "<the shim did not finish>\n";

impl Shim {
    fn start() -> Shim {
        let script = tests_dir().join("shim").join("f32shim.py");
        let mut child = Command::new("python3")
            .arg(&script)
            .arg("--serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start python3 {}: {e}", script.display()));
        let stdin = child.stdin.take().expect("shim stdin");
        let mut stdout = BufReader::new(child.stdout.take().expect("shim stdout"));
        let (tx, frames) = channel();
        std::thread::spawn(move || {
            loop {
                let mut header = String::new();
                if stdout.read_line(&mut header).unwrap_or(0) == 0 {
                    return; // the shim ended (or was killed)
                }
                let n: usize = header.trim().parse().unwrap_or_else(|_| panic!("the shim sent {header:?}"));
                let mut buf = vec![0; n];
                stdout.read_exact(&mut buf).expect("read the shim's output");
                if tx.send(String::from_utf8(buf).expect("the shim's output is UTF-8")).is_err() {
                    return;
                }
            }
        });
        Shim { child, stdin, frames }
    }

    fn run(&mut self, source: &str) -> String {
        write!(self.stdin, "{}\n{source}", source.len()).and_then(|()| self.stdin.flush()).expect("write to the shim");
        match self.frames.recv_timeout(SHIM_TIMEOUT) {
            Ok(text) => text,
            Err(RecvTimeoutError::Timeout) => {
                let _ = self.child.kill();
                let _ = self.child.wait();
                *self = Shim::start();
                SHIM_TIMED_OUT.to_string()
            }
            Err(RecvTimeoutError::Disconnected) => panic!("the shim died"),
        }
    }
}

impl Drop for Shim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the device did with one program, in the corpus format.
fn run_on_device(dev: &Device, source: &str) -> String {
    e2e_tests::run_text::run_program(dev, CORE, "<program>", source, RUN_TIMEOUT)
}

fn numbered(source: &str) -> String {
    source.lines().enumerate().map(|(i, l)| format!("{:>4}| {l}\n", i + 1)).collect()
}

/// A smaller program that still shows the mismatch: deletes lines (and
/// whole indented blocks) while the device and the shim still differ and the
/// shim still accepts the program. Proptest's shrinking works on the choice
/// tape, which seldom gives a short program; this works on the text.
fn minimize(source: &str, still_differs: &mut dyn FnMut(&str) -> bool) -> String {
    let mut lines: Vec<String> = source.lines().map(str::to_owned).collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    loop {
        let mut progress = false;
        let mut i = 0;
        while i < lines.len() {
            // Line i and the block it opens (the deeper-indented lines after it).
            let mut end = i + 1;
            while end < lines.len() && indent(&lines[end]) > indent(&lines[i]) {
                end += 1;
            }
            for (from, to) in [(i, end), (i, i + 1)] {
                let mut candidate = lines.clone();
                candidate.drain(from..to);
                let text: String = candidate.iter().map(|l| format!("{l}\n")).collect();
                if !candidate.is_empty() && still_differs(&text) {
                    lines = candidate;
                    progress = true;
                    break;
                }
            }
            if !progress || i >= lines.len() {
                i += 1;
            } else {
                progress = false;
                // Keep i: the next line moved up into its place.
                continue;
            }
        }
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        if !still_differs(&text) || !progress {
            return text;
        }
    }
}

/// How the outputs ended: the error type of the last line, or "ok".
fn ending(out: &str) -> &str {
    let last = out.lines().last().unwrap_or("");
    match last.split_once(": ") {
        Some((ty, _)) if last.ends_with(')') && ty.ends_with("Error") => ty,
        _ => "ok",
    }
}

#[test]
fn device_matches_the_shim_on_random_programs() {
    let per_case = env_num("DIFF_PER_CASE").unwrap_or(16).max(1);
    let total = env_num("DIFF_CASES");
    let cases = match total {
        Some(n) => n.div_ceil(per_case),
        None => env_num("PROPTEST_CASES").unwrap_or(256),
    };
    let show = std::env::var("DIFF_SHOW").is_ok_and(|v| v != "0");
    let seed = env_num("DIFF_SEED")
        .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64));
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());

    let sim = Simulator::in_memory(Chip::E16).expect("start the simulator");
    let timeouts = Timeouts {
        reset_step: Duration::from_secs(2),
        boot: Duration::from_secs(10),
        command: Duration::from_secs(10),
    };
    let dev = Device::open_with(sim.path(), OpenOptions { timeouts, ..Default::default() }).expect("open the simulator");
    dev.boot(&[CORE]).expect("boot core 0");
    let shim = RefCell::new(Shim::start());

    let coverage = RefCell::new(Coverage::default());
    let endings = RefCell::new(std::collections::BTreeMap::<String, u64>::new());
    let (device_time, shim_time) = (RefCell::new(Duration::ZERO), RefCell::new(Duration::ZERO));
    let config = Config {
        cases: u32::try_from(cases).unwrap_or(u32::MAX),
        failure_persistence: None,
        max_shrink_iters: 4000,
        max_shrink_time: 20_000,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes));
    eprintln!(
        "differential test: {cases} cases x {per_case} programs, seed {seed} (DIFF_SEED={seed} reproduces this run)"
    );
    let started = Instant::now();
    let strategy = vec(vec(any::<u32>(), 0..TAPE_LEN), per_case as usize);
    let result = runner.run(&strategy, |tapes| {
        for tape in &tapes {
            let program = progen::generate(tape);
            coverage.borrow_mut().merge(&program.coverage);
            let t0 = Instant::now();
            let expected = shim.borrow_mut().run(&program.source);
            let t1 = Instant::now();
            let got = run_on_device(&dev, &program.source);
            *shim_time.borrow_mut() += t1 - t0;
            *device_time.borrow_mut() += t1.elapsed();
            *endings.borrow_mut().entry(ending(&expected).to_string()).or_insert(0) += 1;
            if show {
                eprintln!("---- program\n{}---- output\n{got}", program.source);
            }
            if got != expected {
                return Err(TestCaseError::fail(format!(
                    "the device and the shim differ on this program:\n{}\n--- shim (CPython, f32/i32 rules):\n{expected}--- device:\n{got}",
                    numbered(&program.source)
                )));
            }
        }
        Ok(())
    });

    let cov = coverage.borrow();
    eprintln!("{}", cov.report());
    let endings: Vec<String> = endings.borrow().iter().map(|(k, v)| format!("{k} {v}")).collect();
    eprintln!("how the programs ended: {}", endings.join(", "));
    eprintln!(
        "differential test: {} programs in {:.1} s (device {:.1} s, shim {:.1} s), seed {seed}",
        cov.programs,
        started.elapsed().as_secs_f64(),
        device_time.borrow().as_secs_f64(),
        shim_time.borrow().as_secs_f64()
    );
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, tapes)) => {
            // The failing program of the shrunk case, made smaller line by line.
            let mut shim = shim.borrow_mut();
            let mut differs = |src: &str| {
                let expected = shim.run(src);
                let e = ending(&expected);
                expected != SHIM_TIMED_OUT
                    && e != "SyntaxError"
                    && e != "IndentationError"
                    && e != "NameError"
                    && run_on_device(&dev, src) != expected
            };
            let small = tapes
                .iter()
                .map(|t| progen::generate(t).source)
                .find(|src| differs(src))
                .map(|src| minimize(&src, &mut differs));
            let small = match small {
                Some(src) => {
                    let expected = shim.run(&src);
                    let got = run_on_device(&dev, &src);
                    format!(
                        "\nthe same mismatch, minimized by deleting lines:\n{}\n--- shim:\n{expected}--- device:\n{got}",
                        numbered(&src)
                    )
                }
                None => String::new(),
            };
            panic!("{reason}{small}\n(seed {seed}: DIFF_SEED={seed} reproduces the run)")
        }
        Err(TestError::Abort(reason)) => panic!("the differential test aborted: {reason}"),
    }
    // The generator must keep reaching nearly everything it knows.
    if cov.programs >= 1000 {
        let missing = Coverage::all_constructs().iter().filter(|c| !cov.counts.contains_key(*c)).count();
        assert!(missing <= 2, "{missing} constructs were never generated in {} programs", cov.programs);
    }
}

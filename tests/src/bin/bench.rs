//! The VM against CPython on the same kernels (a benchmark, not a test):
//! each `tests/bench/*.py` runs as a whole process, `epython -d 1 FILE` on a
//! simulated device (EPYTHON_DEVICE=sim) and `python3 FILE`, a few times
//! each, alternating; the table shows the median wall-clock times and their ratio, and
//! the median CPU time (user + system of the child process, which a busy
//! machine disturbs much less than the wall clock) and its ratio.
//!
//! `make bench` builds the release `epython` and runs this.
//!
//! `python3` is resolved to the interpreter itself (`sys.executable`) first:
//! a version manager's `python3` on PATH (pyenv's shim is a shell script)
//! would add ~100 ms of its own to every CPython run.
//!
//! Usage: bench [--runs N] [--epython PATH] [--python PATH] [KERNEL ...]
//! (KERNEL: a name in tests/bench without `.py`; default: all of them.)

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// The target: the VM at least this many times faster than CPython.
const TARGET_SPEEDUP: f64 = 2.0;

struct Args {
    runs: usize,
    epython: PathBuf,
    python: Option<PathBuf>,
    kernels: Vec<String>,
}

fn tests_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn default_epython() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| tests_dir().join("..").join("target"), PathBuf::from);
    target.join("release").join("epython")
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { runs: 5, epython: default_epython(), python: None, kernels: Vec::new() };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => {
                let v = it.next().ok_or("--runs needs a number")?;
                args.runs = v.parse().map_err(|_| format!("--runs {v}: not a number"))?;
                if args.runs == 0 {
                    return Err("--runs must be at least 1".into());
                }
            }
            "--epython" => args.epython = PathBuf::from(it.next().ok_or("--epython needs a path")?),
            "--python" => args.python = Some(PathBuf::from(it.next().ok_or("--python needs a path")?)),
            "-h" | "--help" => {
                return Err("usage: bench [--runs N] [--epython PATH] [--python PATH] [KERNEL ...]".into());
            }
            k => args.kernels.push(k.trim_end_matches(".py").to_string()),
        }
    }
    Ok(args)
}

/// User + system CPU time of this process's waited-for children so far.
fn children_cpu() -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) } != 0 {
        return Duration::ZERO;
    }
    let tv = |t: libc::timeval| Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// One run: wall-clock time, CPU time and stdout, or why it failed.
fn time_once(cmd: &mut Command) -> Result<(Duration, Duration, String), String> {
    let cpu0 = children_cpu();
    let t0 = Instant::now();
    let out = cmd.stdin(Stdio::null()).output().map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    let elapsed = t0.elapsed();
    let cpu = children_cpu().saturating_sub(cpu0);
    if !out.status.success() {
        return Err(format!("{cmd:?} failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim()));
    }
    Ok((elapsed, cpu, String::from_utf8_lossy(&out.stdout).into_owned()))
}

struct Timing {
    wall: Duration,
    cpu: Duration,
    output: String,
}

/// Median wall and CPU times of `runs` runs of each command, and the output
/// of each one's last run. The runs alternate (a, b, a, b, ...), so a machine
/// that gets busier or quieter meanwhile (a shared VM) moves both alike.
fn medians_of(
    runs: usize,
    mut make_a: impl FnMut() -> Command,
    mut make_b: impl FnMut() -> Command,
) -> Result<(Timing, Timing), String> {
    let mut times: [(Vec<Duration>, Vec<Duration>, String); 2] = Default::default();
    for _ in 0..runs {
        for (k, t) in times.iter_mut().enumerate() {
            let (w, c, out) = time_once(&mut if k == 0 { make_a() } else { make_b() })?;
            t.0.push(w);
            t.1.push(c);
            t.2 = out;
        }
    }
    let [a, b] = times.map(|(mut walls, mut cpus, output)| {
        walls.sort();
        cpus.sort();
        Timing { wall: walls[runs / 2], cpu: cpus[runs / 2], output }
    });
    Ok((a, b))
}

/// The CPython executable behind `python3` on PATH.
fn resolve_python() -> Result<PathBuf, String> {
    let out = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || path.is_empty() {
        return Err("python3 did not say where its executable is (sys.executable)".into());
    }
    Ok(PathBuf::from(path))
}

fn ms(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1000.0)
}

fn kernel_names(dir: &Path) -> Result<Vec<String>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("read {}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(|e| {
            let p = e.ok()?.path();
            (p.extension()? == "py").then(|| p.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect();
    names.sort();
    Ok(names)
}

fn run() -> Result<bool, String> {
    let args = parse_args()?;
    let dir = tests_dir().join("bench");
    if !args.epython.is_file() {
        return Err(format!(
            "{} does not exist: build it with `cargo build --release -p cli` (or pass --epython PATH)",
            args.epython.display()
        ));
    }
    let python = match &args.python {
        Some(p) => p.clone(),
        None => resolve_python()?,
    };
    let kernels = if args.kernels.is_empty() { kernel_names(&dir)? } else { args.kernels.clone() };
    println!(
        "epython -d 1 (EPYTHON_DEVICE=sim, {}) vs {}; whole process, median of {} runs each, alternating",
        args.epython.display(),
        python.display(),
        args.runs
    );
    println!();
    println!(
        "| kernel | python3 wall (ms) | epython wall (ms) | speedup (wall) | python3 CPU (ms) | epython CPU (ms) | speedup (CPU) | >= {TARGET_SPEEDUP}x | same output |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|:---:|:---:|");
    let mut all_met = true;
    for k in &kernels {
        let file = dir.join(format!("{k}.py"));
        if !file.is_file() {
            return Err(format!("no kernel {}", file.display()));
        }
        let (py, vm) = medians_of(
            args.runs,
            || {
                let mut c = Command::new(&python);
                c.arg(&file);
                c
            },
            || {
                let mut c = Command::new(&args.epython);
                c.arg("-d").arg("1").arg(&file).env("EPYTHON_DEVICE", "sim");
                c
            },
        )?;
        let vm_out: String = vm.output.lines().map(|l| format!("{}\n", l.strip_prefix("[device 0] ").unwrap_or(l))).collect();
        let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64().max(1e-9);
        let (wall, cpu) = (ratio(py.wall, vm.wall), ratio(py.cpu, vm.cpu));
        let met = wall >= TARGET_SPEEDUP && cpu >= TARGET_SPEEDUP;
        all_met &= met;
        println!(
            "| {k} | {} | {} | {wall:.2}x | {} | {} | {cpu:.2}x | {} | {} |",
            ms(py.wall),
            ms(vm.wall),
            ms(py.cpu),
            ms(vm.cpu),
            if met { "yes" } else { "no" },
            if py.output == vm_out { "yes" } else { "no" }
        );
    }
    println!();
    println!("speedup = python3 time / epython time (>= {TARGET_SPEEDUP}x: on both clocks); 'same output': the printed text is identical");
    println!("(the dartboard's random numbers differ: the device's generator is not CPython's).");
    Ok(all_met)
}

fn main() -> ExitCode {
    match run() {
        // Missing the speed target is a finding, not a failure of the benchmark.
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}

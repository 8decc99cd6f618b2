//! The parallel module's figures (a benchmark, not a test): ring messages
//! per second, the 1-D Jacobi time and barriers (sync, reduce) per second,
//! on a simulated E16 with the release
//! `epython` (`make bench-parallel`; BENCHMARKS.md). Each program
//! (tests/bench/parallel/*.py) times itself on core 0 with `parallel.wtime()`
//! between two barriers; the whole process's wall time is shown too.
//!
//! Usage: parbench [--runs N] [--epython PATH]

use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::Instant;

fn main() -> ExitCode {
    let mut runs = 3usize;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut epython = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| dir.join("..").join("target"), PathBuf::from)
        .join("release")
        .join("epython");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match (a.as_str(), args.next()) {
            ("--runs", Some(n)) => runs = n.parse().unwrap_or(3).max(1),
            ("--epython", Some(p)) => epython = PathBuf::from(p),
            _ => {
                eprintln!("usage: parbench [--runs N] [--epython PATH]");
                return ExitCode::FAILURE;
            }
        }
    }
    let cases = [("ring", "16"), ("ring", "2"), ("jacobi", "16"), ("jacobi", "3"), ("barrier", "16"), ("barrier", "3")];
    println!("{:<8} {:>5} {:>12} {:>14} {:>10}", "program", "cores", "device (s)", "figure", "wall (s)");
    for (name, cores) in cases {
        let file = dir.join("bench").join("parallel").join(format!("{name}.py"));
        let mut best: Option<(f64, f64, String)> = None;
        for _ in 0..runs {
            let t = Instant::now();
            let out = Command::new(&epython).args(["-d", cores]).arg(&file).env("EPYTHON_DEVICE", "sim").output();
            let wall = t.elapsed().as_secs_f64();
            let out = match out {
                Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).into_owned(),
                Ok(o) => {
                    eprintln!("parbench: {name} failed: {}", String::from_utf8_lossy(&o.stderr));
                    return ExitCode::FAILURE;
                }
                Err(e) => {
                    eprintln!("parbench: cannot run {}: {e} (make bench-parallel builds it)", epython.display());
                    return ExitCode::FAILURE;
                }
            };
            // "[device 0] ring 16 cores 32000 messages 0.41 s"
            let words: Vec<&str> = out.split_whitespace().collect();
            let Some(secs) = words.len().checked_sub(2).and_then(|i| words[i].parse::<f64>().ok()) else {
                eprintln!("parbench: unexpected output of {name}: {out}");
                return ExitCode::FAILURE;
            };
            // "[device 0] barrier 16 cores 2000 barriers 0.2 s"
            let count: f64 = words.get(5).and_then(|w| w.parse().ok()).unwrap_or(0.0);
            let figure = if name == "ring" {
                format!("{:.0} msg/s", count / secs)
            } else if name == "barrier" {
                format!("{:.0} bar/s", count / secs)
            } else {
                format!("{} iters", words.get(5).copied().unwrap_or("?"))
            };
            if best.as_ref().is_none_or(|b| secs < b.0) {
                best = Some((secs, wall, figure));
            }
        }
        if let Some((secs, wall, figure)) = best {
            println!("{name:<8} {cores:>5} {secs:>12.4} {figure:>14} {wall:>10.3}");
        }
    }
    println!("(best of {runs} runs; device time from parallel.wtime() on core 0, between two barriers)");
    ExitCode::SUCCESS
}

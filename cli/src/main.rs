//! The `epython` binary: the command is the cli library (lib.rs), which the
//! Python package's `epython` command runs too.

fn main() -> std::process::ExitCode {
    cli::run(std::env::args_os())
}

//! `epython`: run Python on the Epiphany cores (ePython's native mode), compile
//! programs, and serve a simulated device. See design.md §6.

mod device_select;
mod run;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "epython",
    version,
    about = "Run Python on the cores of an Adapteva Epiphany (or its simulator)",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Cli {
    #[command(flatten)]
    run: RunArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Args)]
struct RunArgs {
    /// The program: Python source (.py) or a compiled image (.epyc).
    #[arg(required = true)]
    file: Option<PathBuf>,
    /// Run on the first N cores.
    #[arg(short = 'd', value_name = "N", conflicts_with = "cores")]
    devices: Option<u32>,
    /// Run on exactly these cores, e.g. 0,5,9.
    #[arg(short = 'c', value_name = "CORES", value_delimiter = ',')]
    cores: Option<Vec<u32>>,
    /// Stop the program after this many seconds (cores are halted and reset).
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<f64>,
}

#[derive(Subcommand)]
enum Command {
    /// Compile a program to a bytecode image.
    Compile {
        file: PathBuf,
        /// Output image (default: FILE with the extension .epyc).
        #[arg(short = 'o', value_name = "OUT")]
        output: Option<PathBuf>,
        /// Print the bytecode with source lines instead of (or as well as) writing it.
        #[arg(long)]
        disassemble: bool,
    },
    /// The simulated Epiphany.
    Sim {
        #[command(subcommand)]
        command: SimCommand,
    },
}

#[derive(Subcommand)]
enum SimCommand {
    /// Create FILE as a simulated device (laid out like /dev/epiphany/mesh0) and
    /// run its cores in this process until killed. Point a loader at it with
    /// EPYTHON_DEVICE=FILE.
    Serve {
        file: PathBuf,
        /// Rows and columns of the chip (4x4: E16, 8x8: E64).
        #[arg(long, default_value_t = 4)]
        rows: u32,
        #[arg(long, default_value_t = 4)]
        cols: u32,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Compile { file, output, disassemble }) => run::compile_command(&file, output, disassemble),
        Some(Command::Sim { command: SimCommand::Serve { file, rows, cols } }) => {
            run::serve_command(&file, rows, cols)
        }
        None => {
            let Some(file) = cli.run.file else {
                eprintln!("epython: no program given (try --help)");
                return ExitCode::from(2);
            };
            let timeout = match cli.run.timeout {
                Some(s) if !(s.is_finite() && s > 0.0) => {
                    eprintln!("epython: --timeout must be a positive number of seconds, not {s}");
                    return ExitCode::from(2);
                }
                Some(s) => Some(Duration::from_secs_f64(s)),
                None => None,
            };
            let selection = match (cli.run.devices, cli.run.cores) {
                (Some(n), _) => run::CoreSelection::First(n),
                (None, Some(list)) => run::CoreSelection::List(list),
                (None, None) => run::CoreSelection::All,
            };
            run::run_command(&file, selection, timeout)
        }
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

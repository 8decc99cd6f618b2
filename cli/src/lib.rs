//! `epython`: run Python on the Epiphany cores (ePython's native mode), compile
//! programs, bring up a board, and serve a simulated device. See design.md §6.
//!
//! All of the command is this library's [`run`]: the `epython` binary
//! (main.rs) calls it, and so do the Python package's `epython` command and
//! `python -m epython` (python/src/cli.rs), so there is one CLI.

/// `println!` for a command's report on stdout, which may be a pipe closed
/// early (`epython device selftest | head -1`): a failed write is dropped
/// instead of panicking, so the command still finishes and leaves the cores
/// as it says. (`run` does more: a failed write stops the program; run.rs.)
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// [`say!`] without the line end.
macro_rules! say_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

mod device_cmds;
mod device_select;
mod run;
mod signals;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    /// The language of the program: python3 (the default) or epython
    /// (ePython's: C's integer / and %, ^ as power, case-insensitive names,
    /// ...). Overrides a `# epython: dialect=...` first line.
    #[arg(long, value_enum, value_name = "DIALECT")]
    dialect: Option<DialectArg>,
    /// Accept /dev/mem as the device (EPYTHON_DEVICE=/dev/mem), on a board
    /// without the epiphany driver. Root only; refused without this flag.
    #[arg(long)]
    allow_devmem: bool,
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
        /// The language of the program (as for running it).
        #[arg(long, value_enum, value_name = "DIALECT")]
        dialect: Option<DialectArg>,
    },
    /// Board bring-up: inspect, test and reset the cores.
    Device {
        /// Accept /dev/mem as the device (EPYTHON_DEVICE=/dev/mem), on a board
        /// without the epiphany driver. Root only; refused without this flag.
        #[arg(long, global = true)]
        allow_devmem: bool,
        #[command(subcommand)]
        command: DeviceCommand,
    },
    /// The simulated Epiphany.
    Sim {
        #[command(subcommand)]
        command: SimCommand,
    },
}

#[derive(Subcommand)]
enum DeviceCommand {
    /// The driver, the chip, the DRAM window and each core's registers and
    /// mailbox state (reads only: running cores are not disturbed).
    Info,
    /// Test every core: SRAM and DRAM patterns, register access, halt/resume
    /// (and, on a simulator, boot the firmware and echo a mailbox message).
    /// Exits non-zero if any core fails. Leaves the cores reset.
    Selftest,
    /// Soft-reset every core (reference §3.1C): idle, waiting for SYNC.
    Reset {
        /// First reset the whole system through the driver (E_IOCTL_RESET:
        /// eLink reset and the driver's chip reset; /dev/epiphany/mesh0 only).
        #[arg(long)]
        system: bool,
    },
    /// Which Epiphany firmware a board or ISA-mode simulator would be given:
    /// where it is looked for, which is used, its build id (reads no device).
    Firmware {
        /// Write the firmware that would be used to this file (to compare
        /// the one a board build carries with the one that was tested).
        #[arg(long, value_name = "FILE")]
        extract: Option<PathBuf>,
    },
    /// One core's registers and mailbox words.
    Dump {
        /// The core number (0..rows*cols).
        core: u32,
    },
    /// Load an ELF image built with e-gcc onto the cores and start it (an
    /// e-loader replacement); report each core's status when all have halted,
    /// on Ctrl-C, or at the timeout.
    Run {
        image: PathBuf,
        /// Load onto exactly these cores, e.g. 0,1,4,5 (default: all).
        #[arg(short = 'c', value_name = "CORES", value_delimiter = ',')]
        cores: Option<Vec<u32>>,
        /// Stop waiting after this many seconds (the cores are then halted).
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<f64>,
    },
}

#[derive(Subcommand)]
enum SimCommand {
    /// Create FILE as a simulated device (laid out like /dev/epiphany/mesh0) and
    /// run its cores in this process until SIGINT, SIGTERM or SIGHUP, then
    /// remove FILE if this server created it. Point a loader at it with
    /// EPYTHON_DEVICE=FILE.
    Serve {
        file: PathBuf,
        /// Rows and columns of the chip (4x4: E16, 8x8: E64).
        #[arg(long, default_value_t = 4)]
        rows: u32,
        #[arg(long, default_value_t = 4)]
        cols: u32,
        /// Test hook: make these cores' SRAM faulty (a stuck bit), so
        /// `epython device selftest` fails them. E.g. --break-core 5,9.
        #[arg(long = "break-core", value_name = "CORE", value_delimiter = ',')]
        break_cores: Vec<u32>,
        /// Keep FILE when the server stops (by default a FILE this server
        /// created is removed on SIGINT, SIGTERM or SIGHUP).
        #[arg(long)]
        keep: bool,
        /// ISA mode: the cores run Epiphany machine code on the
        /// instruction-set simulator (for `epython device run IMAGE.elf`),
        /// not the firmware as native threads.
        #[arg(long)]
        isa: bool,
    },
}

/// `--dialect`'s values.
#[derive(Clone, Copy, ValueEnum)]
enum DialectArg {
    /// Python 3 (the default).
    Python3,
    /// ePython's language, for programs written for ePython.
    Epython,
}

impl From<DialectArg> for compiler::Dialect {
    fn from(d: DialectArg) -> Self {
        match d {
            DialectArg::Python3 => compiler::Dialect::Python3,
            DialectArg::Epython => compiler::Dialect::Epython,
        }
    }
}

/// `--timeout S`: a positive number of seconds (exit status 2 otherwise).
fn parse_timeout(seconds: Option<f64>) -> Result<Option<Duration>, ExitCode> {
    match seconds {
        Some(s) if !(s.is_finite() && s > 0.0) => {
            eprintln!("epython: --timeout must be a positive number of seconds, not {s}");
            Err(ExitCode::from(2))
        }
        Some(s) => Ok(Some(Duration::from_secs_f64(s))),
        None => Ok(None),
    }
}

/// Run the `epython` command with `args` (the first is the program's name,
/// as in `std::env::args_os`). Help, version and usage errors are printed
/// here and give their status (0 or 2) instead of exiting the process.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    if cli.run.allow_devmem || matches!(cli.command, Some(Command::Device { allow_devmem: true, .. })) {
        device_select::allow_devmem();
    }
    let result = match cli.command {
        Some(Command::Compile { file, output, disassemble, dialect }) => {
            run::compile_command(&file, output, disassemble, dialect.map(Into::into))
        }
        Some(Command::Sim { command: SimCommand::Serve { file, rows, cols, break_cores, keep, isa } }) => {
            run::serve_command(&file, rows, cols, &break_cores, keep, isa)
        }
        Some(Command::Device { command, .. }) => match command {
            DeviceCommand::Info => device_cmds::info_command(),
            DeviceCommand::Selftest => device_cmds::selftest_command(),
            DeviceCommand::Reset { system } => device_cmds::reset_command(system),
            DeviceCommand::Dump { core } => device_cmds::dump_command(core),
            DeviceCommand::Firmware { extract } => device_cmds::firmware_command(extract.as_deref()),
            DeviceCommand::Run { image, cores, timeout } => {
                let timeout = match parse_timeout(timeout) {
                    Ok(t) => t,
                    Err(code) => return code,
                };
                let selection = cores.map_or(run::CoreSelection::All, run::CoreSelection::List);
                device_cmds::run_elf_command(&image, selection, timeout)
            }
        },
        None => {
            let Some(file) = cli.run.file else {
                eprintln!("epython: no program given (try --help)");
                return ExitCode::from(2);
            };
            let timeout = match parse_timeout(cli.run.timeout) {
                Ok(t) => t,
                Err(code) => return code,
            };
            let selection = match (cli.run.devices, cli.run.cores) {
                (Some(n), _) => run::CoreSelection::First(n),
                (None, Some(list)) => run::CoreSelection::List(list),
                (None, None) => run::CoreSelection::All,
            };
            run::run_command(&file, selection, timeout, cli.run.dialect.map(Into::into))
        }
    };
    let code = match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    };
    // The device is closed (its cores halted): now die of a signal caught
    // while they ran, as the signal's default action would have.
    signals::die_of_caught_signal();
    code
}

/// [`run`]'s status as a number (0 success, 1 failure, 2 usage), for a
/// caller that is not `main` (the Python package's command).
pub fn run_status<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let code = run(args);
    // ExitCode keeps its number private; it compares equal to its own.
    (0..=u8::MAX).find(|&n| ExitCode::from(n) == code).unwrap_or(1)
}

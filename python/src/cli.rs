//! `epython` and `python -m epython` (pysrc/epython/__main__.py): the
//! command line, run by the `cli` crate's own code, not a second copy.

use std::ffi::OsString;

use pyo3::prelude::*;

/// Run the `epython` command with `argv` (`argv[0]` is the program's name);
/// returns its exit status. The GIL is released while it runs; it writes to
/// the process's stdout and stderr directly (flush Python's first). A
/// SIGINT, SIGTERM or SIGHUP while cores run ends the process as it ends
/// the `epython` binary (cli signals.rs).
#[pyfunction]
pub fn cli_main(py: Python<'_>, argv: Vec<OsString>) -> u8 {
    py.detach(|| cli::run_status(argv))
}

//! `epython._native`: the Rust half of the CPython offload API (design.md
//! §5). The decorators, handles and printing are Python (pysrc/epython);
//! this module compiles kernels (the compiler crate), opens the device and
//! runs the scheduler (the loader crate), and converts values.
//!
//! | module      | what it does                                              |
//! |-------------|-----------------------------------------------------------|
//! | `convert`   | Python objects <-> device values, buffers as typed arrays |
//! | `kernel`    | `compile_kernel`: source -> a kernel image, SyntaxError;  |
//! |             | the dialect's marker and name folding                     |
//! | `runtime`   | the open device: submit, wait, prints, cancel             |
//! | `device`    | which device: EPYTHON_DEVICE, a board, or a simulator     |
//! | `cli`       | `cli_main`: the `epython` command (the cli crate's code)  |

mod cli;
mod convert;
mod device;
mod kernel;
mod runtime;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<kernel::Kernel>()?;
    m.add_class::<runtime::Runtime>()?;
    m.add_function(wrap_pyfunction!(kernel::compile_kernel, m)?)?;
    m.add_function(wrap_pyfunction!(kernel::dialect_marker, m)?)?;
    m.add_function(wrap_pyfunction!(kernel::fold_name, m)?)?;
    m.add_function(wrap_pyfunction!(kernel::implicit_names, m)?)?;
    m.add_function(wrap_pyfunction!(convert::to_device_value, m)?)?;
    m.add_function(wrap_pyfunction!(convert::check_value, m)?)?;
    m.add_function(wrap_pyfunction!(cli::cli_main, m)?)?;
    Ok(())
}

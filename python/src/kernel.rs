//! Compiling a kernel: a decorated function's source -> a kernel image.

use compiler::{Dialect, ErrorKind, Options};
use loader::KernelImage;
use pyo3::exceptions::{PyOverflowError, PySyntaxError, PyValueError};
use pyo3::prelude::*;

/// A compiled kernel: the image every launch sends, and its signature.
#[pyclass(frozen, module = "epython._native")]
pub struct Kernel {
    pub image: KernelImage,
    #[pyo3(get)]
    pub name: String,
    #[pyo3(get)]
    pub params: Vec<String>,
    #[pyo3(get)]
    pub n_defaults: u32,
    /// The line of the kernel's `def` in its file.
    #[pyo3(get)]
    pub line: u32,
    #[pyo3(get)]
    pub filename: String,
    /// The source used ePython's `print x` statement.
    #[pyo3(get)]
    pub uses_print_statement: bool,
    /// The image's global names, by index (device-data bindings; folded to
    /// lower case in the ePython dialect).
    #[pyo3(get)]
    pub globals: Vec<String>,
    /// The dialect it was compiled in: "python3" or "epython".
    #[pyo3(get)]
    pub dialect: &'static str,
}

#[pymethods]
impl Kernel {
    /// Bytes of the bytecode image.
    #[getter]
    fn image_size(&self) -> usize {
        self.image.bytes().len()
    }

    fn __repr__(&self) -> String {
        format!("<epython kernel {}({}) from {}:{}, {} bytes>", self.name, self.params.join(", "), self.filename, self.line, self.image.bytes().len())
    }
}

/// The dialect named `name` ("python3" or "epython"); ValueError otherwise.
fn dialect_named(name: &str) -> PyResult<Dialect> {
    Dialect::from_name(name).ok_or_else(|| PyValueError::new_err(format!("unknown dialect {name:?} (use 'python3' or 'epython')")))
}

/// Compile `source` (a module defining `def name(...)` at its top level,
/// starting at line `first_line` of `filename`) into a kernel. `prelude`
/// runs first (the host's values of globals the kernel reads). `dialect`:
/// "python3" or "epython"; None: the one the source's marker line names,
/// else Python 3. A compile error is raised as SyntaxError (OverflowError
/// for a literal beyond 32 bits) with the file's name and line, as CPython
/// raises them.
#[pyfunction]
#[pyo3(signature = (source, filename, first_line, name, prelude = "", dialect = None))]
pub fn compile_kernel(
    py: Python<'_>,
    source: &str,
    filename: &str,
    first_line: u32,
    name: &str,
    prelude: &str,
    dialect: Option<&str>,
) -> PyResult<Kernel> {
    let options = Options { dialect: dialect.map(dialect_named).transpose()? };
    let compiled = py.detach(|| compiler::compile_kernel_with(prelude, source, filename, first_line, name, &options));
    let program = match compiled {
        Ok(p) => p,
        Err(e) => {
            let line = source.lines().nth(e.line.saturating_sub(first_line.max(1)) as usize).unwrap_or("");
            // The line up to a NUL, as CPython shows it (never a raw NUL).
            let text = line.split('\0').next().unwrap_or("").to_string();
            return Err(match e.kind {
                ErrorKind::OverflowError => PyOverflowError::new_err(format!("{}:{}: {}", e.file, e.line, e.message)),
                _ => PySyntaxError::new_err((e.message.clone(), (e.file.clone(), e.line, e.col, text))),
            });
        }
    };
    let info = program.kernel.ok_or_else(|| PySyntaxError::new_err(format!("no function '{}' in the kernel's source", name.escape_debug())))?;
    Ok(Kernel {
        image: KernelImage::new(program.image),
        name: info.name,
        params: info.params,
        n_defaults: info.n_defaults,
        line: info.line,
        filename: filename.to_string(),
        uses_print_statement: program.uses_print_statement,
        globals: program.globals,
        dialect: program.dialect.name(),
    })
}

/// The dialect `text`'s marker line names (`# epython: dialect=epython` on
/// the first line, or the second after `#!`), or None; SyntaxError for a
/// marker naming no dialect.
#[pyfunction]
pub fn dialect_marker(text: &str) -> PyResult<Option<&'static str>> {
    match compiler::dialect::marker(text) {
        Ok(d) => Ok(d.map(Dialect::name)),
        Err(e) => Err(PySyntaxError::new_err(e.message)),
    }
}

/// `name` as a kernel in `dialect` spells it (lower case in "epython":
/// its names are case-insensitive), to match host names with the image's.
#[pyfunction]
pub fn fold_name(name: &str, dialect: &str) -> PyResult<String> {
    Ok(dialect_named(dialect)?.fold(name).into_owned())
}

/// The device names a kernel in `dialect` reads without importing them: in
/// "epython", ePython's (`coreid()`, `sqrt(x)`, a bare `random`:
/// `compiler::dialect::implicit_names`); none in "python3".
#[pyfunction]
pub fn implicit_names(dialect: &str) -> PyResult<Vec<&'static str>> {
    Ok(match dialect_named(dialect)? {
        Dialect::Epython => compiler::dialect::implicit_names().collect(),
        Dialect::Python3 => Vec::new(),
    })
}

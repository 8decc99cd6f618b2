//! Python objects <-> device values (`loader::Value`).
//!
//! To the device: None, bool, int (32-bit), float (to f32; a finite one
//! beyond f32's range is an OverflowError, not inf), str, and lists
//! and tuples of these; buffers (bytes, bytearray, array.array, numpy
//! arrays, memoryviews) travel as lists of ints or floats, read through the
//! buffer protocol in Rust (no Python call per element). From the device:
//! floats come back as the Python float with the same shortest digits the
//! device prints (`0.1`, not `0.10000000149011612`).

use loader::Value;
use pyo3::buffer::PyBuffer;
use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyFloat, PyInt, PyList, PyString, PyTuple};
use shared_protocol::numfmt;

/// How deep lists and tuples nest in one argument (the firmware's limit).
const MAX_DEPTH: usize = loader::KernelArgs::MAX_DEPTH;

/// Why a value cannot travel.
pub enum Refused {
    /// Not a type the device has (TypeError).
    Type(String),
    /// An int beyond 32 bits, a float beyond single precision (OverflowError).
    Overflow(String),
}

impl Refused {
    /// The Python exception, with `what` (e.g. "kernel 'f' argument 'a'") first.
    pub fn into_err(self, what: &str) -> PyErr {
        match self {
            Refused::Type(m) => PyTypeError::new_err(format!("{what}: {m}")),
            Refused::Overflow(m) => PyOverflowError::new_err(format!("{what}: {m}")),
        }
    }
}

/// Convert one Python object for the device.
pub fn to_value(obj: &Bound<'_, PyAny>) -> Result<Value, Refused> {
    to_value_at(obj, 1)
}

fn to_value_at(obj: &Bound<'_, PyAny>, depth: usize) -> Result<Value, Refused> {
    if obj.is_none() {
        return Ok(Value::None);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        return int(obj);
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return float(f.value());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        let text = s.to_str().map_err(|_| Refused::Type("a str that is not valid UTF-8 (lone surrogates)".into()))?;
        return Ok(Value::Str(text.to_owned()));
    }
    let nested = |items: Vec<Bound<'_, PyAny>>| -> Result<Vec<Value>, Refused> {
        if depth > MAX_DEPTH {
            return Err(Refused::Type(format!("lists and tuples nest more than {MAX_DEPTH} deep; the device takes at most {MAX_DEPTH} levels")));
        }
        items.iter().map(|item| to_value_at(item, depth + 1)).collect()
    };
    if let Ok(l) = obj.cast::<PyList>() {
        return Ok(Value::List(nested(l.iter().collect())?));
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return Ok(Value::Tuple(nested(t.iter().collect())?));
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Value::List(b.as_bytes().iter().map(|&x| Value::Int(i32::from(x))).collect()));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(Value::List(b.to_vec().into_iter().map(|x| Value::Int(i32::from(x))).collect()));
    }
    if let Some(v) = buffer(obj)? {
        return Ok(v);
    }
    // Numbers of other libraries (numpy scalars): ints by __index__, then floats.
    if obj.hasattr("__index__").unwrap_or(false) {
        return int(obj);
    }
    if obj.hasattr("__float__").unwrap_or(false)
        && let Ok(f) = obj.extract::<f64>()
    {
        return float(f);
    }
    Err(Refused::Type(format!(
        "{} cannot be sent to the device (only int, float, bool, None, str, lists and tuples of them, and buffers of numbers)",
        type_name(obj)
    )))
}

fn int(obj: &Bound<'_, PyAny>) -> Result<Value, Refused> {
    let overflow = || Refused::Overflow(format!("{} does not fit in 32 bits (ints on the device are 32-bit)", obj.str().map_or_else(|_| "the int".into(), |s| s.to_string())));
    let v: i64 = obj.extract().map_err(|_| overflow())?;
    i32::try_from(v).map(Value::Int).map_err(|_| overflow())
}

/// A float as the device's single precision. A finite one beyond its range
/// would silently become inf, so it is refused as an int beyond 32 bits is;
/// inf and nan stay what they are.
fn float(x: f64) -> Result<Value, Refused> {
    let f = x as f32;
    if f.is_infinite() && x.is_finite() {
        return Err(Refused::Overflow(format!("{} {F32_RANGE}", py_float_text(x))));
    }
    Ok(Value::Float(f))
}

const F32_RANGE: &str = "is out of range for a float on the device (floats on the device are single precision: at most 3.4028235e+38 in magnitude)";

/// `x` as Python writes a big float (`1.5e+300`).
fn py_float_text(x: f64) -> String {
    let text = format!("{x:e}");
    match text.split_once('e') {
        Some((mantissa, exp)) if !exp.starts_with('-') => format!("{mantissa}e+{exp}"),
        _ => text,
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map_or_else(|_| "this object".into(), |n| format!("a '{n}' object"))
}

/// A buffer of numbers (array.array, numpy, memoryview) as a list (nested
/// lists for more than one dimension). None: not a buffer.
fn buffer(obj: &Bound<'_, PyAny>) -> Result<Option<Value>, Refused> {
    macro_rules! try_as {
        ($t:ty, $conv:expr) => {
            if let Ok(buf) = PyBuffer::<$t>::get(obj) {
                let data = buf.to_vec(obj.py()).map_err(|e| Refused::Type(format!("cannot read the buffer: {e}")))?;
                let items = data.into_iter().map($conv).collect::<Result<Vec<Value>, Refused>>()?;
                return shape(items, buf.shape()).map(Some);
            }
        };
    }
    let too_big = |x: String| Refused::Overflow(format!("the buffer holds {x}, which does not fit in 32 bits"));
    let float_too_big = |x: f64| Refused::Overflow(format!("the buffer holds {}, which {F32_RANGE}", py_float_text(x)));
    try_as!(f64, |x: f64| float(x).map_err(|_| float_too_big(x)));
    try_as!(f32, |x: f32| Ok(Value::Float(x)));
    try_as!(i32, |x: i32| Ok(Value::Int(x)));
    try_as!(i16, |x: i16| Ok(Value::Int(i32::from(x))));
    try_as!(i8, |x: i8| Ok(Value::Int(i32::from(x))));
    try_as!(u16, |x: u16| Ok(Value::Int(i32::from(x))));
    try_as!(u8, |x: u8| Ok(Value::Int(i32::from(x))));
    try_as!(i64, |x: i64| i32::try_from(x).map(Value::Int).map_err(|_| too_big(x.to_string())));
    try_as!(u32, |x: u32| i32::try_from(x).map(Value::Int).map_err(|_| too_big(x.to_string())));
    try_as!(u64, |x: u64| i32::try_from(x).map(Value::Int).map_err(|_| too_big(x.to_string())));
    Ok(None)
}

/// Nest a flat C-order buffer by its shape.
fn shape(items: Vec<Value>, dims: &[usize]) -> Result<Value, Refused> {
    if dims.len() > MAX_DEPTH {
        return Err(Refused::Type(format!("a buffer of {} dimensions; the device takes at most {MAX_DEPTH}", dims.len())));
    }
    let mut level = items;
    for &d in dims.iter().skip(1).rev() {
        let d = d.max(1);
        let mut rows = Vec::with_capacity(level.len() / d);
        let mut it = level.into_iter().peekable();
        while it.peek().is_some() {
            rows.push(Value::List(it.by_ref().take(d).collect()));
        }
        level = rows;
    }
    Ok(Value::List(level))
}

/// A device value as a Python object.
pub fn to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::None => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Int(i) => i.into_pyobject(py)?.into_any(),
        Value::Float(f) => PyFloat::new(py, shortest_f64(*f)).into_any(),
        Value::Str(s) | Value::Opaque(s) => PyString::new(py, s).into_any(),
        Value::List(items) => PyList::new(py, items.iter().map(|i| to_py(py, i)).collect::<PyResult<Vec<_>>>()?)?.into_any(),
        Value::Tuple(items) => PyTuple::new(py, items.iter().map(|i| to_py(py, i)).collect::<PyResult<Vec<_>>>()?)?.into_any(),
    })
}

/// The f64 with the shortest digits that round-trip the f32 (what the
/// device prints), so `0.1f32` comes back as Python's `0.1`.
fn shortest_f64(f: f32) -> f64 {
    std::str::from_utf8(&numfmt::format_float(f)).ok().and_then(|t| t.parse::<f64>().ok()).unwrap_or(f64::from(f))
}

/// `to_device_value(obj)`: what `obj` becomes on the device and back (the
/// value a kernel that returns its argument gives): for tests and for
/// users checking what travels.
#[pyfunction]
pub fn to_device_value<'py>(py: Python<'py>, obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let v = to_value(obj).map_err(|r| r.into_err("value"))?;
    to_py(py, &v)
}

/// `check_value(obj, what)`: raise what sending `obj` would raise (TypeError,
/// OverflowError, prefixed by `what`), without sending it: a value copied in
/// parts is checked whole before the first part changes the device.
#[pyfunction]
pub fn check_value(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<()> {
    to_value(obj).map(drop).map_err(|r| r.into_err(what))
}

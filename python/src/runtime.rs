//! The open device and its scheduler, as the Python layer sees them.
//!
//! Every call that can block (opening, waiting) releases the GIL; waits are
//! short slices chosen by the caller (the Python layer loops, so Ctrl-C and
//! prints are handled between slices, in Python), except `run`, a blocking
//! launch from start to end in one call: it loops here, checking signals
//! and calling the Python layer's print flusher between its slices.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use loader::{
    CoreId, CoreOutcome, Job, JobState, JobView, KernelArgs, LoaderError, Placement, Scheduler, TraceEvent, Waited,
};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use simulator::Simulator;

use crate::convert::{to_py, to_value};
use crate::kernel::Kernel;

/// Field order: the scheduler (and its device) closes before the simulator.
struct Inner {
    sched: Scheduler,
    _sim: Option<Simulator>,
}

/// The open device (`Runtime.open()`); `close()` or interpreter exit ends it.
#[pyclass(frozen, module = "epython._native")]
pub struct Runtime {
    inner: Mutex<Option<Arc<Inner>>>,
    #[pyo3(get)]
    note: Option<String>,
    #[pyo3(get)]
    num_cores: u32,
    /// What to call the device (device_info()).
    #[pyo3(get)]
    device: String,
    /// The file the loader opened (a memfd's /proc/self/fd/N for an
    /// in-process simulator): what the test hooks open again.
    device_path: std::path::PathBuf,
    #[pyo3(get)]
    backend: String,
}

fn loader_err(e: LoaderError) -> PyErr {
    match e {
        LoaderError::NoSuchCore { .. } | LoaderError::InvalidArgument(_) | LoaderError::ImageTooBig { .. } => {
            PyValueError::new_err(e.to_string())
        }
        other => PyRuntimeError::new_err(format!("epython: {other}")),
    }
}

/// The longest a blocking `run` sleeps before it looks at signals and prints
/// (as the Python layer's WAIT_SLICE).
const WAIT_SLICE: Duration = Duration::from_millis(50);
/// How long a blocking `run` stopped by an exception waits for its
/// cancelled launch to end (as the Python layer's CANCEL_SETTLE: the
/// scheduler halts and reloads cores still running after 1 s).
const CANCEL_SETTLE: Duration = Duration::from_secs(2);

impl Runtime {
    fn inner(&self) -> PyResult<Arc<Inner>> {
        let guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        guard.clone().ok_or_else(|| PyRuntimeError::new_err("the epython device is closed"))
    }

    /// The job for a launch of `kernel` (see `submit`).
    #[allow(clippy::too_many_arguments)]
    fn job(
        kernel: &Kernel,
        args: &Bound<'_, PyTuple>,
        target: Option<Vec<u32>>,
        auto: Option<u32>,
        data: Option<Vec<(u32, u32)>>,
        what: Option<&str>,
    ) -> PyResult<Job> {
        let mut values = Vec::with_capacity(args.len());
        for (i, arg) in args.iter().enumerate() {
            let v = to_value(&arg).map_err(|r| {
                let param = kernel.params.get(i).map_or_else(|| format!("#{}", i + 1), |p| format!("'{p}'"));
                r.into_err(&what.map_or_else(|| format!("kernel '{}' argument {param}", kernel.name), str::to_owned))
            })?;
            values.push(v);
        }
        let args = KernelArgs::encode(&values).map_err(loader_err)?;
        let args = args.with_data(data.as_deref().unwrap_or(&[])).map_err(loader_err)?;
        let placement = match (target, auto) {
            (Some(t), _) => Placement::Target(t.into_iter().map(CoreId).collect()),
            (None, Some(k)) => Placement::Auto(k),
            (None, None) => Placement::All,
        };
        Ok(Job { image: kernel.image.clone(), args: Some(args), placement })
    }
}

/// A wait's length from Python seconds (negative: none; NaN or huge: 1 s,
/// the caller loops).
fn seconds(timeout: f64) -> Duration {
    Duration::try_from_secs_f64(timeout.max(0.0)).unwrap_or(Duration::from_secs(1))
}

/// Call the Python layer's print flusher, if given.
fn flush_prints(flush: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    match flush {
        Some(f) => f.call0().map(drop),
        None => Ok(()),
    }
}

/// Each core's value, in core order, when every core of an ended launch
/// returned; None otherwise.
fn returned_values<'py>(py: Python<'py>, view: &JobView) -> PyResult<Option<Bound<'py, PyList>>> {
    if view.state != JobState::Finished {
        return Ok(None);
    }
    let values = PyList::empty(py);
    for (_, outcome) in &view.outcomes {
        match outcome {
            Some(CoreOutcome::Returned(v)) => values.append(to_py(py, v)?)?,
            _ => return Ok(None),
        }
    }
    Ok(Some(values))
}

/// An ended job for a handle: every core's value (a list) and the cores as
/// a bit mask when every core returned, else `(state, detail, outcomes)`
/// and 0. (A list and an int: thousands of handles collected at once are
/// fewer objects for the cyclic GC than a tuple and two lists each.)
fn ended_to_py<'py>(py: Python<'py>, view: &JobView) -> PyResult<(Bound<'py, PyAny>, u64)> {
    Ok(match returned_values(py, view)? {
        Some(values) => (values.into_any(), view.outcomes.iter().fold(0, |m, (c, _)| m | 1u64 << (c.0 % 64))),
        None => (view_to_py(py, view)?.into_any(), 0),
    })
}

/// `(state, detail, outcomes)` as `Runtime.wait` documents it.
fn view_to_py<'py>(py: Python<'py>, view: &JobView) -> PyResult<Bound<'py, PyTuple>> {
    let (state, detail) = match &view.state {
        JobState::Queued => ("queued", String::new()),
        JobState::Running => ("running", String::new()),
        JobState::Finished => ("finished", String::new()),
        JobState::CancelledQueued => ("cancelled", String::new()),
        JobState::Failed(why) => ("failed", why.clone()),
    };
    let outcomes = PyList::empty(py);
    for (core, outcome) in &view.outcomes {
        let (kind, payload): (&str, Bound<'py, PyAny>) = match outcome {
            None => ("running", py.None().into_bound(py)),
            Some(CoreOutcome::Returned(v)) => ("ok", to_py(py, v)?),
            Some(CoreOutcome::Error(e)) => {
                ("error", (e.type_name.as_str(), e.message.as_str(), e.line, e.file.as_deref()).into_pyobject(py)?.into_any())
            }
            Some(CoreOutcome::Fault { code, detail }) => (
                "fault",
                format!("firmware fault: {} (code {}, detail {detail:#x}); the core was reloaded", code.describe(), *code as u32)
                    .into_pyobject(py)?
                    .into_any(),
            ),
            Some(CoreOutcome::ProtocolError(m)) => {
                ("protocol", format!("protocol error: {m}; the core was reloaded").into_pyobject(py)?.into_any())
            }
            Some(CoreOutcome::TimedOut) => ("timeout", py.None().into_bound(py)),
            Some(CoreOutcome::Cancelled) => ("cancelled", py.None().into_bound(py)),
        };
        outcomes.append((core.0, kind, payload))?;
    }
    (state, detail, outcomes).into_pyobject(py)
}

/// A blocking launch that ends early (an exception from a signal handler or
/// from printing): cancel it and give it CANCEL_SETTLE to end, so its cores
/// are free for the next call; then drop its record.
fn settle(py: Python<'_>, inner: &Inner, id: u64, flush: Option<&Bound<'_, PyAny>>) {
    if py.detach(|| inner.sched.cancel(id)) {
        let deadline = Instant::now() + CANCEL_SETTLE;
        loop {
            let (waited, prints) = py.detach(|| inner.sched.wait_end(id, WAIT_SLICE));
            if prints {
                // An exception is already on its way; this one would hide it.
                let _ = flush_prints(flush);
            }
            if !matches!(waited, Waited::Pending) || Instant::now() >= deadline {
                break;
            }
        }
    }
    inner.sched.forget(id);
}

#[pymethods]
impl Runtime {
    /// Open the device (design.md §5: EPYTHON_DEVICE, a board, or an
    /// in-process simulated E16) and boot every core.
    #[staticmethod]
    fn open(py: Python<'_>) -> PyResult<Runtime> {
        py.detach(|| {
            let opened = crate::device::open().map_err(|e| PyRuntimeError::new_err(format!("epython: {e}")))?;
            let device = opened.name.clone();
            let device_path = opened.device.path().to_path_buf();
            let backend = format!("{:?}", opened.device.backend_kind()).to_lowercase();
            let num_cores = opened.device.chip().num_cores();
            let sched = Scheduler::new(opened.device).map_err(loader_err)?;
            let inner = Inner { sched, _sim: opened.simulator };
            Ok(Runtime { inner: Mutex::new(Some(Arc::new(inner))), note: opened.note, num_cores, device, device_path, backend })
        })
    }

    /// Queue a launch of `kernel` with `args` (already bound to its
    /// parameters, in order) on `target` cores, or `auto` free ones, or all.
    /// Returns the job id. A value that cannot travel is a TypeError (or
    /// OverflowError) naming the parameter, or `what` when given (e.g.
    /// "copy_to_device('a') value": the caller's words for the argument).
    /// `data` binds device-resident data: (global index, store slot) pairs.
    #[pyo3(signature = (kernel, args, target = None, auto = None, data = None, what = None))]
    #[allow(clippy::too_many_arguments)]
    fn submit(
        &self,
        py: Python<'_>,
        kernel: &Kernel,
        args: &Bound<'_, PyTuple>,
        target: Option<Vec<u32>>,
        auto: Option<u32>,
        data: Option<Vec<(u32, u32)>>,
        what: Option<&str>,
    ) -> PyResult<u64> {
        let job = Self::job(kernel, args, target, auto, data, what)?;
        let inner = self.inner()?;
        py.detach(|| inner.sched.submit(job)).map_err(loader_err)
    }

    /// A blocking launch (`submit`'s arguments), from start to end: returns
    /// each core's value in core order when every core returned, else the
    /// ended launch as `wait` gives it, `(state, detail, outcomes)`. The
    /// launch's record is gone either way. Waits in slices of at most 50 ms
    /// with the GIL released; between them `flush()` runs when output lines
    /// are waiting, and signal handlers run: an exception from one (Ctrl-C's
    /// KeyboardInterrupt) cancels the launch, waits at most 2 s for it to
    /// end, and propagates.
    #[pyo3(signature = (kernel, args, target = None, auto = None, data = None, what = None, flush = None))]
    #[allow(clippy::too_many_arguments)]
    fn run<'py>(
        &self,
        py: Python<'py>,
        kernel: &Kernel,
        args: &Bound<'py, PyTuple>,
        target: Option<Vec<u32>>,
        auto: Option<u32>,
        data: Option<Vec<(u32, u32)>>,
        what: Option<&str>,
        flush: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let job = Self::job(kernel, args, target, auto, data, what)?;
        let inner = self.inner()?;
        // Submit and the first slice in one release of the GIL: no gap in
        // which nobody follows the launch.
        let (id, mut waited) = py
            .detach(|| {
                let id = inner.sched.submit_followed(job)?;
                Ok::<_, LoaderError>((id, inner.sched.wait_end(id, WAIT_SLICE)))
            })
            .map_err(loader_err)?;
        loop {
            let (now, prints) = waited;
            let mut step = if prints { flush_prints(flush) } else { Ok(()) };
            match now {
                Waited::Ended(view) => {
                    step?;
                    return match returned_values(py, &view)? {
                        Some(values) => Ok(values.into_any()),
                        None => Ok(view_to_py(py, &view)?.into_any()),
                    };
                }
                Waited::Unknown => return Err(PyRuntimeError::new_err(format!("epython: launch {id} vanished"))),
                Waited::Pending => {}
            }
            if step.is_ok() {
                step = py.check_signals();
            }
            if let Err(e) = step {
                settle(py, &inner, id, flush);
                return Err(e);
            }
            waited = py.detach(|| inner.sched.wait_end(id, WAIT_SLICE));
        }
    }

    /// `collect` for many handles in one wait (`waitAll`): for the leading
    /// jobs of `jobs` that have ended, in order, after at most `timeout`
    /// seconds (all of them once all have ended), two lists: each one's
    /// result and core mask as `collect` gives an ended job's (None and 0
    /// for a job another thread collected).
    #[pyo3(signature = (jobs, timeout, flush = None))]
    fn collect_many<'py>(
        &self,
        py: Python<'py>,
        jobs: Vec<u64>,
        timeout: f64,
        flush: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<(Bound<'py, PyList>, Vec<u64>)> {
        let inner = self.inner()?;
        let slice = seconds(timeout);
        let (found, prints) = py.detach(|| inner.sched.wait_end_many(&jobs, slice));
        let results = PyList::empty(py);
        let mut masks = Vec::with_capacity(found.len());
        for waited in &found {
            let (result, mask) = match waited {
                Waited::Ended(view) => ended_to_py(py, view)?,
                _ => (py.None().into_bound(py), 0),
            };
            results.append(result)?;
            masks.push(mask);
        }
        if prints {
            flush_prints(flush)?;
        }
        Ok((results, masks))
    }

    /// `wait` for a handle's `wait()`: at most `timeout` seconds. Returns
    /// `(result, mask)`: when the job has ended its record is gone, and if
    /// every core returned the result is their values (a list, in core
    /// order) and the mask has a bit set for each of its cores; otherwise
    /// (ended or not) the result is `(state, detail, outcomes)` as `wait`
    /// gives it and the mask 0. `flush()` runs first when output lines are
    /// waiting.
    #[pyo3(signature = (job, timeout, flush = None))]
    fn collect<'py>(
        &self,
        py: Python<'py>,
        job: u64,
        timeout: f64,
        flush: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<(Bound<'py, PyAny>, u64)> {
        let inner = self.inner()?;
        let slice = seconds(timeout);
        let (waited, prints) = py.detach(|| inner.sched.wait_end(job, slice));
        let unknown = || PyValueError::new_err(format!("no launch {job} (already collected?)"));
        // A pending job's view is taken before its lines are written: if it
        // ended in between (the engine thread moved it on), the lines of
        // the step that ended it are waiting by now and go out with these.
        let result = match waited {
            Waited::Ended(view) => ended_to_py(py, &view),
            Waited::Pending => Ok((view_to_py(py, &inner.sched.view(job).ok_or_else(unknown)?)?.into_any(), 0)),
            Waited::Unknown => Err(unknown()),
        };
        if prints || py.detach(|| inner.sched.wait_for_prints(Duration::ZERO)) {
            flush_prints(flush)?;
        }
        result
    }

    /// Wait at most `timeout` seconds for the job to end (or, given
    /// `collected`, for a core not in it to finish), or for prints to take.
    /// Returns `(state, detail, outcomes)`: state is "queued", "running",
    /// "finished", "cancelled" or "failed" (detail says why); outcomes are
    /// `(core, kind, payload)` with kind "running", "ok" (payload: the
    /// value), "error" (payload: (type, message, line, file); file is the
    /// source module the line is in, e.g. "util.py", or None), "fault",
    /// "protocol" (payload: text), "timeout" or "cancelled".
    #[pyo3(signature = (job, timeout, collected = None))]
    fn wait<'py>(
        &self,
        py: Python<'py>,
        job: u64,
        timeout: f64,
        collected: Option<Vec<u32>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let inner = self.inner()?;
        let slice = seconds(timeout);
        let collected: Option<Vec<CoreId>> = collected.map(|c| c.into_iter().map(CoreId).collect());
        let view = py
            .detach(|| inner.sched.wait(job, slice, collected.as_deref()))
            .ok_or_else(|| PyValueError::new_err(format!("no launch {job} (already collected?)")))?;
        view_to_py(py, &view)
    }

    /// The kernels' output lines since the last call: `[(core, line), ...]`.
    /// Call `printed()` once they are written, when there were some.
    fn take_prints(&self, py: Python<'_>) -> PyResult<Vec<(u32, String)>> {
        let inner = self.inner()?;
        Ok(py.detach(|| inner.sched.take_prints()).into_iter().map(|(c, l)| (c.0, l)).collect())
    }

    /// The lines of the last `take_prints` that returned some are written:
    /// a blocking call or a handle no longer waits for them.
    fn printed(&self) {
        if let Ok(inner) = self.inner() {
            inner.sched.printed();
        }
    }

    /// Wait at most `timeout` seconds for output lines to take (the Python
    /// printer thread); returns whether there are some.
    fn wait_prints(&self, py: Python<'_>, timeout: f64) -> PyResult<bool> {
        let inner = self.inner()?;
        let t = seconds(timeout);
        Ok(py.detach(|| inner.sched.wait_for_prints(t)))
    }

    /// Cancel a job (False if it had already ended).
    fn cancel(&self, py: Python<'_>, job: u64) -> PyResult<bool> {
        let inner = self.inner()?;
        Ok(py.detach(|| inner.sched.cancel(job)))
    }

    /// Forget an ended job (its handle was collected or dropped).
    fn forget(&self, job: u64) {
        if let Ok(inner) = self.inner() {
            inner.sched.forget(job);
        }
    }

    /// How many times each core (in core order) was reset since the device
    /// opened (`Device::reset_count`): a core whose count rose lost its
    /// device-resident data.
    fn reset_counts(&self) -> PyResult<Vec<u32>> {
        let inner = self.inner()?;
        let dev = inner.sched.device();
        Ok(dev.all_cores().into_iter().map(|c| dev.reset_count(c)).collect())
    }

    /// Cores running a launch now.
    fn busy_cores(&self) -> PyResult<Vec<u32>> {
        Ok(self.inner()?.sched.busy_cores().into_iter().map(|c| c.0).collect())
    }

    /// Record the scheduler's start/finish decisions (tests).
    fn start_trace(&self) -> PyResult<()> {
        self.inner()?.sched.start_trace();
        Ok(())
    }

    /// The decisions since `start_trace`: `("start", job, [cores])` and
    /// `("finish", job, core)`, in the order they were made.
    fn take_trace<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let events = self.inner()?.sched.take_trace();
        let out = PyList::empty(py);
        for e in events {
            match e {
                TraceEvent::Started { job, cores } => {
                    out.append(("start", job, cores.iter().map(|c| c.0).collect::<Vec<u32>>()))?
                }
                TraceEvent::Finished { job, core } => out.append(("finish", job, core.0))?,
            }
        }
        Ok(out)
    }

    /// Test hook (simulated devices only): make `core` take a firmware
    /// fault at its next halt checks while it runs a kernel: `kind` is
    /// "panic" (a firmware panic) or "vm" (a VM internal error).
    /// `simulator::force_fault_in_file` on this device's file.
    fn _force_fault(&self, core: u32, kind: &str) -> PyResult<()> {
        let fault = match kind {
            "panic" => simulator::ForcedFault::Panic,
            "vm" => simulator::ForcedFault::VmInternal,
            other => return Err(PyValueError::new_err(format!("unknown fault kind {other:?} (panic or vm)"))),
        };
        simulator::force_fault_in_file(&self.device_path, CoreId(core), fault)
            .map_err(|e| PyRuntimeError::new_err(format!("epython: {e}")))
    }

    /// Close the device: running launches are cancelled, queued ones fail,
    /// the cores are halted. Idempotent.
    fn close(&self, py: Python<'_>) {
        let taken = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take();
        // The last reference closes it (a wait in another thread holds one).
        py.detach(move || drop(taken));
    }

    #[getter]
    fn closed(&self) -> bool {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).is_none()
    }
}

//! Running a bytecode image on a group of cores: the call the CLI makes.

use std::fmt;
use std::time::{Duration, Instant};

use shared_protocol::bytecode::header::ENTRY;
use shared_protocol::layout::CORE_INBOX_SIZE;
use shared_protocol::mailbox::{status, Command, CoreState, DoneStatus, Fault};
use shared_protocol::CoreId;

use crate::backend::{deadline_after, Waiter};
use crate::device::Device;
use crate::error::LoaderError;
use crate::mailbox::{CommandWords, EventBody};
use crate::value::Value;

#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Stop (halt and reload) cores still running after this long.
    pub timeout: Option<Duration>,
}

/// The arguments of a kernel call ([`Device::run_kernel`]), encoded once
/// (shared_protocol::value: one Tuple of the arguments) and copied into the
/// inbox of every core of a launch, after the image.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KernelArgs {
    words: Vec<u32>,
}

impl KernelArgs {
    /// The deepest nesting of lists and tuples in one argument that the
    /// firmware builds (`[[1]]` is 2 deep); a Result travels as deep.
    pub const MAX_DEPTH: usize = 8;

    /// Encode `args` (int, float, bool, None, str, lists and tuples of
    /// them). Opaque values, nesting deeper than [`Self::MAX_DEPTH`] and
    /// strings or sequences over the wire's 24-bit lengths are
    /// [`LoaderError::InvalidArgument`]s naming the argument.
    pub fn encode(args: &[Value]) -> Result<KernelArgs, LoaderError> {
        let mut words = Vec::new();
        let count = u32::try_from(args.len()).ok().filter(|&n| n <= shared_protocol::value::MAX_LEN);
        let Some(count) = count else {
            return Err(LoaderError::InvalidArgument(format!("a kernel call with {} arguments is too many", args.len())));
        };
        words.push(shared_protocol::value::TUPLE | count << 8);
        for (i, arg) in args.iter().enumerate() {
            let which = || format!("kernel argument {} ({})", i + 1, type_name(arg));
            // Depth first, without recursion (the value may be deep).
            let mut stack = vec![(arg, 1usize)];
            while let Some((v, depth)) = stack.pop() {
                match v {
                    Value::List(items) | Value::Tuple(items) => {
                        if depth > Self::MAX_DEPTH {
                            return Err(LoaderError::InvalidArgument(format!(
                                "{}: lists and tuples nest more than {} deep; the device takes at most {} levels",
                                which(),
                                Self::MAX_DEPTH,
                                Self::MAX_DEPTH
                            )));
                        }
                        stack.extend(items.iter().map(|item| (item, depth + 1)));
                    }
                    Value::Opaque(text) => {
                        return Err(LoaderError::InvalidArgument(format!(
                            "{}: {text} cannot be sent to the device (only int, float, bool, None, str, and lists and tuples of them)",
                            which()
                        )));
                    }
                    _ => {}
                }
            }
            arg.encode(&mut words).map_err(|e| LoaderError::InvalidArgument(format!("{}: {e}", which())))?;
        }
        Ok(KernelArgs { words })
    }

    /// Arguments from words as they are, unchecked: for testing how the
    /// firmware refuses malformed argument data.
    pub fn from_words_unchecked(words: Vec<u32>) -> KernelArgs {
        KernelArgs { words }
    }

    /// The encoded words.
    pub fn words(&self) -> &[u32] {
        &self.words
    }

    /// Bytes the arguments take in a core's inbox.
    pub fn byte_len(&self) -> usize {
        self.words.len() * 4
    }
}

/// Python's type name, for argument errors.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::None => "NoneType",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Float(_) => "float",
        Value::Str(_) => "str",
        Value::List(_) => "list",
        Value::Tuple(_) => "tuple",
        Value::Opaque(_) => "object",
    }
}

/// How one core's run ended.
#[derive(Clone, Debug, PartialEq)]
pub enum CoreOutcome {
    /// The kernel returned (None when it ran off its end).
    Returned(Value),
    /// A Python exception on the core.
    Error(DeviceException),
    /// The firmware stopped on a fault; the core was reloaded.
    Fault { code: Fault, detail: u32 },
    /// Still running at the timeout; the core was reloaded.
    TimedOut,
    /// The core broke the protocol; the core was reloaded.
    ProtocolError(String),
}

/// A Python exception raised on a core.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceException {
    pub type_name: String,
    pub message: String,
    pub line: u32,
}

impl fmt::Display for DeviceException {
    /// `line 3: ZeroDivisionError: division by zero`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.type_name, self.message)
    }
}

/// Each core's outcome, in the order the cores were given.
#[derive(Clone, Debug, PartialEq)]
pub struct RunReport {
    pub outcomes: Vec<(CoreId, CoreOutcome)>,
}

/// The longest a run waits in one go before looking at its deadline again.
const WAIT_SLICE: Duration = Duration::from_millis(50);

/// One core's part of a run.
struct CoreRun {
    core: CoreId,
    seq: u32,
    /// Output not yet ended by a newline.
    partial: String,
    result: Option<Value>,
    error: Option<DeviceException>,
    done: Option<DoneStatus>,
    outcome: Option<CoreOutcome>,
}

impl Device {
    /// Run `image` (a bytecode image) on `cores` as one launch group. Each
    /// complete output line goes to `on_line(core, text)` as it arrives;
    /// unfinished lines are flushed at the end. Cores must be booted.
    ///
    /// Per-core failures (exceptions, faults, timeouts, protocol errors) are
    /// outcomes; `Err` means the device itself failed (e.g. a core could not
    /// be reloaded after a timeout).
    pub fn run(
        &self,
        image: &[u8],
        cores: &[CoreId],
        opts: &RunOptions,
        on_line: &mut dyn FnMut(CoreId, &str),
    ) -> Result<RunReport, LoaderError> {
        self.run_with_args(image, None, cores, opts, on_line, &mut |_| None)
    }

    /// [`Device::run`] where `input()` on a core gets a line from
    /// `on_input(core)` (without its newline; `None`: end of input, the
    /// core's `input()` raises EOFError). Output the core printed before
    /// asking (e.g. `input("name? ")`'s prompt) is flushed to `on_line`
    /// first, as a line of its own. With [`Device::run`] every `input()`
    /// raises EOFError.
    pub fn run_with_input(
        &self,
        image: &[u8],
        cores: &[CoreId],
        opts: &RunOptions,
        on_line: &mut dyn FnMut(CoreId, &str),
        on_input: &mut dyn FnMut(CoreId) -> Option<String>,
    ) -> Result<RunReport, LoaderError> {
        self.run_with_args(image, None, cores, opts, on_line, on_input)
    }

    /// Run a kernel image (`compiler::compile_kernel`) on `cores`: each core
    /// runs the module body, then calls the kernel with `args` and reports
    /// its return value as [`CoreOutcome::Returned`]. Otherwise as
    /// [`Device::run`]. The arguments go into each core's inbox after the
    /// image (4-byte aligned); image and arguments together must fit
    /// `CORE_INBOX_SIZE`, else [`LoaderError::InvalidArgument`] says by how
    /// much. Errors of the call itself (a wrong number of arguments) are
    /// the core's TypeError, as Python raises it.
    ///
    /// ```no_run
    /// use loader::{CoreOutcome, Device, KernelArgs, RunOptions, Value};
    ///
    /// # fn main() -> Result<(), loader::LoaderError> {
    /// // compiler::compile_kernel(source, "app.py", first_line, "helloworld")?.image
    /// # let image: Vec<u8> = Vec::new();
    /// let dev = Device::open("/dev/epiphany/mesh0")?;
    /// let cores = dev.all_cores();
    /// dev.boot(&cores)?;
    /// let args = KernelArgs::encode(&[Value::Int(10), Value::Int(20)])?; // once, for any launches
    /// let report = dev.run_kernel(&image, &args, &cores, &RunOptions::default(), &mut |core, line| {
    ///     println!("[device {}] {line}", core.0);
    /// })?;
    /// for (core, outcome) in &report.outcomes {
    ///     if let CoreOutcome::Returned(v) = outcome {
    ///         println!("core {}: {v}", core.0);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn run_kernel(
        &self,
        image: &[u8],
        args: &KernelArgs,
        cores: &[CoreId],
        opts: &RunOptions,
        on_line: &mut dyn FnMut(CoreId, &str),
    ) -> Result<RunReport, LoaderError> {
        let entry = image.get(4 * ENTRY..4 * ENTRY + 4).map_or(0, |w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
        if entry == 0 {
            return Err(LoaderError::InvalidArgument(
                "run_kernel needs a kernel image (compiler::compile_kernel); this image has no kernel entry".into(),
            ));
        }
        self.run_with_args(image, Some(args), cores, opts, on_line, &mut |_| None)
    }

    fn run_with_args(
        &self,
        image: &[u8],
        args: Option<&KernelArgs>,
        cores: &[CoreId],
        opts: &RunOptions,
        on_line: &mut dyn FnMut(CoreId, &str),
        on_input: &mut dyn FnMut(CoreId) -> Option<String>,
    ) -> Result<RunReport, LoaderError> {
        self.check_cores(cores)?;
        if image.len() > CORE_INBOX_SIZE as usize {
            return Err(LoaderError::ImageTooBig { len: image.len(), max: CORE_INBOX_SIZE });
        }
        let args_off = image.len().next_multiple_of(4);
        let args_len = args.map_or(0, KernelArgs::byte_len);
        if args_off + args_len > CORE_INBOX_SIZE as usize {
            return Err(LoaderError::InvalidArgument(format!(
                "the kernel's arguments take {args_len} bytes encoded; with its {}-byte image that is more than a core's inbox holds ({CORE_INBOX_SIZE} bytes): pass less data per call",
                image.len()
            )));
        }
        for &core in cores {
            self.check_ready(core)?;
        }
        let launch = self.next_launch();
        // Every image (and argument tuple) first, then the commands: the
        // group starts together.
        for &core in cores {
            let inbox = self.inbox(core);
            inbox.write_bytes(0, image);
            for (i, &w) in args.map_or(&[][..], KernelArgs::words).iter().enumerate() {
                inbox.store(args_off + 4 * i, w);
            }
        }
        // input() lines go after the image and the arguments.
        let input_off = (args_off + args_len).next_multiple_of(4);
        let run_args = [0, image.len() as u32, if args_len == 0 { 0 } else { args_off as u32 }, args_len as u32];
        let mut runs = Vec::with_capacity(cores.len());
        for &core in cores {
            let seq = self.send_command(
                core,
                &CommandWords {
                    kind: Command::Run,
                    launch,
                    group: cores.to_vec(),
                    args: run_args,
                },
            );
            runs.push(CoreRun {
                core,
                seq,
                partial: String::new(),
                result: None,
                error: None,
                done: None,
                outcome: None,
            });
        }

        let deadline = opts.timeout.map(deadline_after);
        let mut waiter = Waiter::new(&self.backend);
        loop {
            let seen = self.backend.doorbell();
            for run in runs.iter_mut().filter(|r| r.outcome.is_none()) {
                if self.poll_core(run, launch, on_line, &mut |core| {
                    let line = on_input(core);
                    self.answer_input(core, input_off, line.as_deref());
                }) {
                    waiter.progressed();
                }
                if let Some(outcome) = &run.outcome {
                    // A core that faulted or broke the protocol is in an
                    // unknown state: reload it so the next run works.
                    if matches!(outcome, CoreOutcome::Fault { .. } | CoreOutcome::ProtocolError(_)) {
                        self.halt_and_reload(run.core)?;
                    }
                }
            }
            if runs.iter().all(|r| r.outcome.is_some()) {
                break;
            }
            let now = Instant::now();
            if deadline.is_some_and(|d| now >= d) {
                for run in runs.iter_mut().filter(|r| r.outcome.is_none()) {
                    // A last look, so output written just before the
                    // deadline is not lost (and a core that just finished
                    // is not reported as timed out).
                    self.poll_core(run, launch, on_line, &mut |core| self.answer_input(core, input_off, None));
                    if !matches!(run.outcome, Some(CoreOutcome::Returned(_) | CoreOutcome::Error(_))) {
                        self.halt_and_reload(run.core)?;
                    }
                    run.outcome.get_or_insert(CoreOutcome::TimedOut);
                }
                break;
            }
            let slice = deadline.map_or(WAIT_SLICE, |d| (d - now).min(WAIT_SLICE));
            waiter.wait(seen, slice);
        }

        let mut outcomes = Vec::with_capacity(runs.len());
        for run in runs {
            if !run.partial.is_empty() {
                on_line(run.core, &run.partial);
            }
            let outcome = run.outcome.unwrap_or(CoreOutcome::TimedOut);
            outcomes.push((run.core, outcome));
        }
        Ok(RunReport { outcomes })
    }

    /// Look at one running core: consume its events, notice its end or its
    /// fault. Returns whether anything happened.
    fn poll_core(
        &self,
        run: &mut CoreRun,
        launch: u32,
        on_line: &mut dyn FnMut(CoreId, &str),
        on_input: &mut dyn FnMut(CoreId),
    ) -> bool {
        let core = run.core;
        let events = match self.read_events(core) {
            Ok(events) => events,
            Err(e) => {
                run.outcome = Some(CoreOutcome::ProtocolError(e));
                return true;
            }
        };
        let progressed = !events.is_empty();
        for ev in events {
            if ev.launch != launch || run.done.is_some() {
                run.outcome = Some(CoreOutcome::ProtocolError(format!(
                    "an event of launch {} after or outside launch {launch}: {:?}",
                    ev.launch, ev.body
                )));
                return true;
            }
            match ev.body {
                EventBody::Print { sep, end, values } => {
                    let text: Vec<String> = values.iter().map(|v| v.to_string()).collect();
                    run.partial.push_str(&text.join(&sep));
                    run.partial.push_str(&end);
                    while let Some(nl) = run.partial.find('\n') {
                        let line: String = run.partial.drain(..=nl).collect();
                        on_line(core, &line[..line.len() - 1]);
                    }
                }
                EventBody::Result(v) if run.result.is_none() && run.error.is_none() => run.result = Some(v),
                EventBody::Error(e) if run.result.is_none() && run.error.is_none() => run.error = Some(e),
                EventBody::Done(d) => run.done = Some(d),
                EventBody::Input => {
                    // The prompt (or any unfinished line) first, so it shows.
                    if !run.partial.is_empty() {
                        on_line(core, &std::mem::take(&mut run.partial));
                    }
                    on_input(core);
                }
                other => {
                    run.outcome = Some(CoreOutcome::ProtocolError(format!("unexpected event during a run: {other:?}")));
                    return true;
                }
            }
        }

        let st = self.status_block(core);
        if st.load(status::STATE as usize) == CoreState::Fault as u32 {
            let code = st.load(status::FAULT as usize);
            let detail = st.load(status::FAULT_DETAIL as usize);
            run.outcome = Some(match Fault::from_u32(code) {
                Some(code) => CoreOutcome::Fault { code, detail },
                None => CoreOutcome::ProtocolError(format!("fault with unknown code {code} (detail {detail:#x})")),
            });
            return true;
        }
        // Finished once Done is read and the reply sequence says so (the
        // firmware writes REPLY_SEQ last, after Done).
        if let Some(done) = run.done
            && st.load(status::REPLY_SEQ as usize) == run.seq {
                run.outcome = Some(match (done, run.error.take(), run.result.take()) {
                    (DoneStatus::Ok, None, result) => CoreOutcome::Returned(result.unwrap_or(Value::None)),
                    (DoneStatus::Error, Some(e), None) => CoreOutcome::Error(e),
                    (done, error, result) => CoreOutcome::ProtocolError(format!(
                        "the run ended {done:?} after {} and {}",
                        if error.is_some() { "an Error event" } else { "no Error event" },
                        if result.is_some() { "a Result event" } else { "no Result event" },
                    )),
                });
                return true;
            }
        progressed
    }
}

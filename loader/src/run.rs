//! Running a bytecode image on a group of cores: the call the CLI makes.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use shared_protocol::bytecode::header::{self, ENTRY};
use shared_protocol::bytecode::{source_of_line, NO_CONST};
use shared_protocol::layout::CORE_INBOX_SIZE;
use shared_protocol::mailbox::{cmd, status, Command, CoreState, DoneStatus, Fault};
use shared_protocol::postbox::{self, WaitKind};
use shared_protocol::CoreId;

use crate::backend::{deadline_after, Waiter};
use crate::device::Device;
use crate::error::LoaderError;
use crate::image_cache::KernelImage;
use crate::mailbox::{CommandWords, EventBody};
use crate::print_order::{later, PrintOrder};
use crate::value::Value;

#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Stop (halt and reload) cores still running after this long.
    pub timeout: Option<Duration>,
    /// Set (e.g. by a signal handler) to stop the run: its cores are
    /// cancelled as [`Device::cancel`] does and, if they do not stop within
    /// [`CANCEL_GRACE`], halted and reloaded; their outcome is Cancelled.
    pub stop: Option<&'static AtomicBool>,
}

/// A cancelled launch's cores have this long to stop at a halt check before
/// they are halted and reloaded (the scheduler's cancel and a stopped run).
pub const CANCEL_GRACE: Duration = Duration::from_secs(1);

/// The arguments of a kernel call ([`Device::run_kernel`]), encoded once
/// (shared_protocol::value: one Tuple of the arguments) and copied into the
/// inbox of every core of a launch, after the image.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KernelArgs {
    words: Vec<u32>,
    /// Device-data bindings: (global index in the image, data-store slot).
    data: Vec<(u32, u32)>,
}

impl KernelArgs {
    /// The deepest nesting of lists and tuples in one argument that the
    /// firmware builds (`[[1]]` is 2 deep). A Result may be deeper, up to
    /// `shared_protocol::value::MAX_DEPTH`.
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
        Ok(KernelArgs { words, data: Vec::new() })
    }

    /// Bind device-resident data (design.md §5) for the launch: global
    /// `index` of the image starts with the value in store slot `slot` of
    /// each core, and the slot keeps the global's value when the launch ends
    /// (`mailbox::cmd::ARG4`). Slots are below
    /// `layout::data_store::SLOTS`, each bound once.
    pub fn with_data(mut self, bindings: &[(u32, u32)]) -> Result<KernelArgs, LoaderError> {
        let slots = shared_protocol::layout::data_store::SLOTS;
        for (i, &(_, slot)) in bindings.iter().enumerate() {
            if slot >= slots || bindings[..i].iter().any(|b| b.1 == slot) {
                return Err(LoaderError::InvalidArgument(format!(
                    "device-data slot {slot} is out of range (0..{slots}) or bound twice"
                )));
            }
        }
        self.data = bindings.to_vec();
        Ok(self)
    }

    /// Arguments from words as they are, unchecked: for testing how the
    /// firmware refuses malformed argument data.
    pub fn from_words_unchecked(words: Vec<u32>) -> KernelArgs {
        KernelArgs { words, data: Vec::new() }
    }

    /// The encoded words.
    pub fn words(&self) -> &[u32] {
        &self.words
    }

    /// Bytes the arguments take in a core's inbox.
    pub fn byte_len(&self) -> usize {
        self.words.len() * 4
    }

    /// Check that `image` with these arguments and bindings fits a core's
    /// inbox; returns where the arguments and the bindings go.
    pub fn place(args: Option<&KernelArgs>, image: &[u8]) -> Result<(usize, usize), LoaderError> {
        if image.len() > CORE_INBOX_SIZE as usize {
            return Err(LoaderError::ImageTooBig { len: image.len(), max: CORE_INBOX_SIZE });
        }
        let args_off = image.len().next_multiple_of(4);
        let args_len = args.map_or(0, KernelArgs::byte_len);
        // The bindings after the arguments, 8-byte aligned (two words each).
        let data_off = (args_off + args_len).next_multiple_of(8);
        let data_len = 8 * args.map_or(0, |a| a.data.len());
        if data_off + data_len > CORE_INBOX_SIZE as usize {
            return Err(LoaderError::InvalidArgument(format!(
                "the kernel's arguments take {args_len} bytes encoded; with its {}-byte image that is more than a core's inbox holds ({CORE_INBOX_SIZE} bytes): pass less data per call",
                image.len()
            )));
        }
        Ok((args_off, data_off))
    }

    /// The device-data bindings ([`KernelArgs::with_data`]).
    pub fn data(&self) -> &[(u32, u32)] {
        &self.data
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
    /// A Python exception on the core; also a deadlock of the launch group
    /// (type_name "Deadlock", the line the core waited at, and a message
    /// naming every blocked core's wait and line; the core was cancelled).
    Error(DeviceException),
    /// Stopped by [`Device::cancel`] (or reloaded when it did not answer).
    Cancelled,
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
    /// The line in `file`.
    pub line: u32,
    /// The source module the line is in (`util.py`: one of ePython's
    /// modules compiled into the image), or None for the program's own file.
    pub file: Option<String>,
}

impl fmt::Display for DeviceException {
    /// `line 3: ZeroDivisionError: division by zero`, `util.py:12: ...`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{file}:{}: {}: {}", self.line, self.type_name, self.message),
            None => write!(f, "line {}: {}: {}", self.line, self.type_name, self.message),
        }
    }
}

impl DeviceException {
    /// The file and line of an image line, when it is in a source module
    /// (the image's SOURCES text, `bytecode::header::SOURCES`).
    fn locate(mut self, sources: Option<&str>) -> DeviceException {
        if let Some((file, line)) = sources.and_then(|s| source_of_line(s, self.line)) {
            self.file = Some(file.to_string());
            self.line = line;
        }
        self
    }
}

/// `line N`, or `FILE:N` for a line in a source module.
fn describe_line(sources: Option<&str>, line: u32) -> String {
    match sources.and_then(|s| source_of_line(s, line)) {
        Some((file, line)) => format!("{file}:{line}"),
        None => format!("line {line}"),
    }
}

/// The image's SOURCES text (None when it has none or it is malformed:
/// lines are then reported as they are).
fn image_sources(image: &[u8]) -> Option<String> {
    let word = |i: usize| -> Option<u32> {
        let b = image.get(4 * i..4 * i + 4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let k = word(header::SOURCES)?;
    if k == NO_CONST || k >= word(header::N_CONSTS)? {
        return None;
    }
    let off = word((word(header::CONSTS_OFF)? / 4) as usize + k as usize)? as usize;
    let head = word(off / 4)?;
    if !off.is_multiple_of(4) || shared_protocol::value::tag_of(head) != shared_protocol::value::STR {
        return None;
    }
    let len = shared_protocol::value::len_of(head) as usize;
    let bytes = image.get(off + 4..(off + 4).checked_add(len)?)?;
    String::from_utf8(bytes.to_vec()).ok()
}

/// Each core's outcome, in the order the cores were given.
#[derive(Clone, Debug, PartialEq)]
pub struct RunReport {
    pub outcomes: Vec<(CoreId, CoreOutcome)>,
}

/// The longest a run waits in one go before looking at its deadline again.
const WAIT_SLICE: Duration = Duration::from_millis(50);

/// How long every core of a group must stay in the same waits, with nothing
/// on its way, before that is a deadlock (two looks this far apart).
pub const DEADLOCK_CONFIRM: Duration = Duration::from_millis(100);

/// `recv(3)`, `sync()`, ... for a wait word (`postbox::wait_word`).
fn describe_wait(word: u32) -> String {
    let (kind, peer, _) = postbox::wait_parts(word);
    match WaitKind::from_u32(kind) {
        Some(WaitKind::Recv) => format!("recv({peer})"),
        Some(WaitKind::Sync) => "sync()".into(),
        Some(WaitKind::Bcast) => format!("bcast(..., {peer})"),
        Some(WaitKind::Reduce) => "reduce()".into(),
        Some(WaitKind::Send) => format!("send(..., {peer}) (core {peer} is not receiving)"),
        Some(WaitKind::Sent) => format!("wait_sent({peer})"),
        None => format!("an unknown wait ({word:#x})"),
    }
}

/// One core's part of a run.
struct CoreRun {
    core: CoreId,
    seq: u32,
    /// Output not yet ended by a newline, and the epoch of its last print.
    partial: String,
    partial_epoch: u32,
    /// The epoch this core is known to be at (`print_order`): all it
    /// printed before is read, and it prints nothing older.
    epoch: u32,
    result: Option<Value>,
    error: Option<DeviceException>,
    done: Option<DoneStatus>,
    outcome: Option<CoreOutcome>,
    /// The deadlock this core was cancelled for: its outcome once it stops.
    deadlock: Option<DeviceException>,
}

/// Where a core's complete lines go: (core, epoch, text).
type LineSink<'a> = dyn FnMut(CoreId, u32, String) + 'a;

impl CoreRun {
    /// Hand over an unfinished last line (the core has ended, or asks for input).
    fn flush(&mut self, out: &mut LineSink<'_>) {
        if !self.partial.is_empty() {
            out(self.core, self.partial_epoch, std::mem::take(&mut self.partial));
        }
    }
}

/// A launch in flight ([`Device::launch`]): one image on a group of cores.
pub struct Launch {
    number: u32,
    runs: Vec<CoreRun>,
    /// The group's lines in barrier order.
    order: PrintOrder,
    /// Where answers to `input()` go in each core's inbox.
    input_off: usize,
    /// The last look that found every unfinished core blocked in a
    /// `parallel` wait with nothing on its way to it: when, and what each
    /// core's wait word read (a deadlock once it holds across two looks).
    blocked_since: Option<(Instant, Vec<u32>)>,
    /// The image's source-module line map, to name the file of an error's line.
    sources: Option<String>,
}

impl Launch {
    /// The launch number stamped on its commands and events.
    pub fn number(&self) -> u32 {
        self.number
    }

    /// The cores of the launch group, in the order given.
    pub fn cores(&self) -> impl Iterator<Item = CoreId> + '_ {
        self.runs.iter().map(|r| r.core)
    }

    /// Each core and its outcome so far (None: still running).
    pub fn outcomes(&self) -> impl Iterator<Item = (CoreId, Option<&CoreOutcome>)> + '_ {
        self.runs.iter().map(|r| (r.core, r.outcome.as_ref()))
    }

    pub fn is_finished(&self) -> bool {
        self.runs.iter().all(|r| r.outcome.is_some())
    }

    /// After a look at the cores: let out the lines no core can print
    /// anything older than any more (`print_order`); all of them when
    /// `all` (the launch failed or was given up) or when it has finished.
    fn release_lines(&mut self, all: bool, on_line: &mut dyn FnMut(CoreId, &str)) {
        if all {
            self.order.release_all(on_line);
        } else {
            let running = self.runs.iter().filter(|r| r.outcome.is_none()).map(|r| r.epoch);
            self.order.advance(running, on_line);
        }
    }

    /// Each core and its outcome (None: it never finished), moved out.
    pub fn into_outcomes(self) -> Vec<(CoreId, Option<CoreOutcome>)> {
        self.runs.into_iter().map(|r| (r.core, r.outcome)).collect()
    }

    /// Each core's outcome (TimedOut for a core that never finished).
    pub fn into_report(self) -> RunReport {
        let outcomes = self.runs.into_iter().map(|r| (r.core, r.outcome.unwrap_or(CoreOutcome::TimedOut))).collect();
        RunReport { outcomes }
    }
}

impl Device {
    /// Run `image` (a bytecode image) on `cores` as one launch group. Each
    /// complete output line goes to `on_line(core, text)` as it arrives,
    /// unless a core of the group has not yet passed a barrier the line's
    /// core passed before printing it: then once it has (`print_order`);
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
        let mut launch = self.launch(&KernelImage::from(image), args, cores)?;
        let deadline = opts.timeout.map(deadline_after);
        // Set once `opts.stop` was seen: when the cancelled cores are given up.
        let mut cancel_deadline = None;
        let mut waiter = Waiter::new(&self.backend);
        loop {
            let seen = self.backend.doorbell();
            if self.poll_launch_with_input(&mut launch, on_line, on_input)? {
                waiter.progressed();
            }
            if launch.is_finished() {
                break;
            }
            let now = Instant::now();
            if cancel_deadline.is_none() && opts.stop.is_some_and(|s| s.load(Ordering::SeqCst)) {
                self.cancel(&launch);
                cancel_deadline = Some(now + CANCEL_GRACE);
            }
            if cancel_deadline.is_some_and(|d| now >= d) {
                self.abandon(&mut launch, CoreOutcome::Cancelled, on_line)?;
                break;
            }
            if deadline.is_some_and(|d| now >= d) {
                self.abandon(&mut launch, CoreOutcome::TimedOut, on_line)?;
                break;
            }
            let slice = deadline.map_or(WAIT_SLICE, |d| (d - now).min(WAIT_SLICE));
            waiter.wait(seen, slice);
        }
        Ok(launch.into_report())
    }

    /// Start `image` (with kernel `args`, if any) on `cores` as one launch
    /// group and return at once; [`Device::poll_launch`] follows it. The cores must
    /// be booted and idle. This is what the scheduler builds on; [`Device::run`]
    /// and [`Device::run_kernel`] are start + poll until finished.
    pub fn launch(&self, image: &KernelImage, args: Option<&KernelArgs>, cores: &[CoreId]) -> Result<Launch, LoaderError> {
        let launch = self.launch_unnotified(image, args, cores)?;
        self.notify_cores(cores);
        Ok(launch)
    }

    /// [`Device::launch`] without the backend's notify of the cores (their
    /// USER interrupt is raised): the caller calls `notify_cores` (the
    /// scheduler, once it has released its lock).
    pub(crate) fn launch_unnotified(
        &self,
        image: &KernelImage,
        args: Option<&KernelArgs>,
        cores: &[CoreId],
    ) -> Result<Launch, LoaderError> {
        self.check_cores(cores)?;
        let (args_off, data_off) = KernelArgs::place(args, image.bytes())?;
        let args_len = args.map_or(0, KernelArgs::byte_len);
        let data = args.map_or(&[][..], KernelArgs::data);
        for &core in cores {
            self.check_ready(core)?;
        }
        let number = self.next_launch();
        // Every image (and argument tuple) first, then the commands: the
        // group starts together. A core's inbox that holds the image
        // already (the image cache) only gets the arguments.
        let mut sends = Vec::with_capacity(cores.len());
        for &core in cores {
            let inbox = self.inbox(core);
            let send = self.images.send(core, image);
            if send.write_image {
                inbox.write_bytes(0, image.bytes());
            }
            sends.push(send);
            for (i, &w) in args.map_or(&[][..], KernelArgs::words).iter().enumerate() {
                inbox.store(args_off + 4 * i, w);
            }
            for (i, &(global, slot)) in data.iter().enumerate() {
                inbox.store(data_off + 8 * i, global);
                inbox.store(data_off + 8 * i + 4, slot);
            }
        }
        // input() lines go after the image, the arguments and the bindings
        // (the core reads the bindings again when the launch ends).
        let input_off = data_off + 8 * data.len();
        let run_args = [0, image.bytes().len() as u32, if args_len == 0 { 0 } else { args_off as u32 }, args_len as u32];
        let data_args = if data.is_empty() { [0, 0] } else { [data_off as u32, 8 * data.len() as u32] };
        let mut runs = Vec::with_capacity(cores.len());
        for (&core, send) in cores.iter().zip(&sends) {
            let slot = self.cmd_slot(core);
            slot.store(cmd::IMAGE_TAG_LO as usize, send.tag as u32);
            slot.store(cmd::IMAGE_TAG_HI as usize, (send.tag >> 32) as u32);
            slot.store(cmd::IMAGE_EPOCH as usize, send.epoch);
            let seq = self.send_command(
                core,
                &CommandWords {
                    kind: Command::Run,
                    launch: number,
                    group: cores,
                    args: [run_args[0], run_args[1], run_args[2], run_args[3], data_args[0], data_args[1]],
                },
            );
            runs.push(CoreRun {
                core,
                seq,
                partial: String::new(),
                partial_epoch: 0,
                epoch: 0,
                result: None,
                error: None,
                done: None,
                outcome: None,
                deadlock: None,
            });
        }
        Ok(Launch { number, order: PrintOrder::new(runs.len()), runs, input_off, blocked_since: None, sources: image_sources(image.bytes()) })
    }

    /// Look at the launch's unfinished cores: hand complete output lines to
    /// `on_line` in barrier order (`print_order`), notice ends and faults (a core that faulted or broke the
    /// protocol is reloaded at once). Returns whether anything happened.
    /// `Err` only when a core could not be reloaded, or when the simulator
    /// serving the file has stopped ([`LoaderError::SimulatorGone`]).
    /// A core that calls `input()` gets end of input (EOFError): see
    /// [`Device::poll_launch_with_input`].
    pub fn poll_launch(&self, launch: &mut Launch, on_line: &mut dyn FnMut(CoreId, &str)) -> Result<bool, LoaderError> {
        self.poll_launch_with_input(launch, on_line, &mut |_| None)
    }

    /// [`Device::poll_launch`], answering a core's `input()` with
    /// `on_input(core)` (a line without its newline; None: end of input).
    pub fn poll_launch_with_input(
        &self,
        launch: &mut Launch,
        on_line: &mut dyn FnMut(CoreId, &str),
        on_input: &mut dyn FnMut(CoreId) -> Option<String>,
    ) -> Result<bool, LoaderError> {
        let mut progressed = false;
        let Launch { number, runs, order, input_off, .. } = launch;
        let mut out = |core: CoreId, epoch: u32, text: String| order.line(core, epoch, text, on_line);
        let mut failed = None;
        // One look at every core still running, then the lines it let out.
        for run in runs.iter_mut().filter(|r| r.outcome.is_none()) {
            progressed |= self.poll_core(run, *number, &mut out, &mut |core| {
                let line = on_input(core);
                self.answer_input(core, *input_off, line.as_deref());
            });
            if run.outcome.is_some() {
                // A core cancelled for a deadlock ends with the deadlock.
                if let (Some(CoreOutcome::Cancelled), Some(e)) = (&run.outcome, run.deadlock.take()) {
                    run.outcome = Some(CoreOutcome::Error(e));
                }
                if let Some(CoreOutcome::Error(e)) = run.outcome.take_if(|o| matches!(o, CoreOutcome::Error(_))) {
                    run.outcome = Some(CoreOutcome::Error(e.locate(launch.sources.as_deref())));
                }
                run.flush(&mut out);
                // A core in an unknown state: reload it so the next run works.
                if matches!(run.outcome, Some(CoreOutcome::Fault { .. } | CoreOutcome::ProtocolError(_))) {
                    self.images.invalidate(run.core);
                    if let Err(e) = self.halt_and_reload(run.core) {
                        failed = Some(e);
                        break;
                    }
                }
            }
        }
        let result = match failed {
            Some(e) => Err(e),
            None => {
                progressed |= self.look_for_deadlock(launch);
                // Quiet cores: they may be quiet because their server is gone.
                if progressed { Ok(()) } else { self.check_server() }
            }
        };
        launch.release_lines(result.is_err(), on_line);
        result.map(|()| progressed)
    }

    /// Deadlock (design.md §8): every unfinished core of the launch group
    /// is blocked in a `parallel` wait (recv, sync, bcast, reduce, a full
    /// ring, wait_sent) and nothing is on its way to a core that waits for
    /// a message. Judged from the cores' status blocks (`postbox`): first
    /// every wait word, then the message counts of the awaited channels (a
    /// core clears its wait word before it consumes, so a message taken in
    /// between is never missed), and only when two looks at least
    /// [`DEADLOCK_CONFIRM`] apart saw the same waits (each wait word carries
    /// an episode number). Then each blocked core is cancelled and ends
    /// with an Error outcome of type "Deadlock" naming every core's wait
    /// and line. Returns whether it declared one.
    fn look_for_deadlock(&self, launch: &mut Launch) -> bool {
        if launch.runs.iter().any(|r| r.deadlock.is_some()) {
            return false;
        }
        let Some(words) = self.blocked_waits(launch) else {
            launch.blocked_since = None;
            return false;
        };
        match &launch.blocked_since {
            Some((since, seen)) if *seen == words => {
                if since.elapsed() < DEADLOCK_CONFIRM {
                    return false;
                }
            }
            _ => {
                launch.blocked_since = Some((Instant::now(), words));
                return false;
            }
        }
        let waits: Vec<(CoreId, String, u32)> = launch
            .runs
            .iter()
            .filter(|r| r.outcome.is_none())
            .map(|r| {
                let st = self.status_block(r.core);
                let word = st.load(status::PAR_WAIT as usize);
                (r.core, describe_wait(word), st.load(status::PAR_LINE as usize))
            })
            .collect();
        let sources = launch.sources.as_deref();
        let all: Vec<String> = waits
            .iter()
            .map(|(core, what, line)| format!("core {} in {what} at {}", core.0, describe_line(sources, *line)))
            .collect();
        let message = format!(
            "every core still running in the launch group waits and no message is on its way: {}",
            all.join("; ")
        );
        for run in launch.runs.iter_mut().filter(|r| r.outcome.is_none()) {
            let line = waits.iter().find(|w| w.0 == run.core).map_or(0, |w| w.2);
            run.deadlock = Some(DeviceException { type_name: "Deadlock".into(), message: message.clone(), line, file: None });
            self.images.invalidate(run.core);
            self.cmd_slot(run.core).store(cmd::CANCEL as usize, launch.number);
            self.raise_user(run.core);
        }
        launch.blocked_since = None;
        true
    }

    /// The wait words of the launch's unfinished cores when every one of
    /// them is blocked with nothing on its way to it; None otherwise.
    fn blocked_waits(&self, launch: &Launch) -> Option<Vec<u32>> {
        let running: Vec<&CoreRun> = launch.runs.iter().filter(|r| r.outcome.is_none()).collect();
        if running.is_empty() || running.iter().any(|r| r.done.is_some()) {
            return None;
        }
        // The wait words first (see look_for_deadlock).
        let mut words = Vec::with_capacity(running.len());
        for run in &running {
            let st = self.status_block(run.core);
            if st.load(status::STATE as usize) != CoreState::Running as u32
                || st.load(status::LAUNCH as usize) != launch.number
            {
                return None;
            }
            let word = st.load(status::PAR_WAIT as usize);
            if word == 0 {
                return None;
            }
            words.push(word);
        }
        for (run, &word) in running.iter().zip(&words) {
            let (kind, peer, ch) = postbox::wait_parts(word);
            let waits_for_message =
                !matches!(WaitKind::from_u32(kind), Some(WaitKind::Send | WaitKind::Sent) | None);
            if waits_for_message && self.check_core(CoreId(peer)).is_ok() {
                let sent = self.status_block(CoreId(peer)).load(postbox::sent(ch, run.core.0) as usize);
                let recvd = self.status_block(run.core).load(postbox::recvd(ch, peer) as usize);
                if sent != recvd {
                    return None;
                }
            }
        }
        Some(words)
    }

    /// Ask the launch's unfinished cores to stop (`cmd::CANCEL`, then USER):
    /// the VM stops at its next halt check (a backward jump, a call or a
    /// wait) and reports [`CoreOutcome::Cancelled`]; its device-resident
    /// state is kept. Poll on to see them end.
    pub fn cancel(&self, launch: &Launch) {
        for run in launch.runs.iter().filter(|r| r.outcome.is_none()) {
            // Stopped mid-run: its image is not trusted again.
            self.images.invalidate(run.core);
            self.cmd_slot(run.core).store(cmd::CANCEL as usize, launch.number);
            self.raise_user(run.core);
        }
    }

    /// Give up on the launch's unfinished cores: a last look at each (so
    /// output written just before is not lost and a core that just finished
    /// keeps its outcome), then halt and reload the rest and give them
    /// `outcome` (TimedOut, or Cancelled when a cancel went unanswered).
    pub fn abandon(
        &self,
        launch: &mut Launch,
        outcome: CoreOutcome,
        on_line: &mut dyn FnMut(CoreId, &str),
    ) -> Result<(), LoaderError> {
        let Launch { number, runs, order, input_off, .. } = launch;
        let mut out = |core: CoreId, epoch: u32, text: String| order.line(core, epoch, text, on_line);
        let mut result = Ok(());
        for run in runs.iter_mut().filter(|r| r.outcome.is_none()) {
            self.poll_core(run, *number, &mut out, &mut |core| self.answer_input(core, *input_off, None));
            if !matches!(run.outcome, Some(CoreOutcome::Returned(_) | CoreOutcome::Error(_) | CoreOutcome::Cancelled)) {
                if let Err(e) = self.halt_and_reload(run.core) {
                    result = Err(e);
                    break;
                }
                run.outcome = Some(outcome.clone());
            }
            run.flush(&mut out);
        }
        launch.release_lines(true, on_line);
        result
    }

    /// FAULT_DETAIL of [`Fault::CpuException`] if `core` is halted on an
    /// exception: EXCAUSE << 24 | the PC's low 24 bits.
    fn cpu_exception(&self, core: CoreId) -> Option<u32> {
        use shared_protocol::chip::{debugstatus, irq, reg, status as core_status};
        if self.reg_read(core, reg::DEBUGSTATUS) & debugstatus::HALT == 0 {
            return None;
        }
        let excause = (self.reg_read(core, reg::STATUS) & core_status::EXCAUSE_MASK) >> core_status::EXCAUSE_SHIFT;
        let pending = self.reg_read(core, reg::IPEND) & (irq::SWE | irq::PROT) != 0;
        (excause != 0 || pending).then(|| excause << 24 | (self.reg_read(core, reg::PC) & 0x00FF_FFFF))
    }

    /// Look at one running core: consume its events, notice its end or its
    /// fault. Returns whether anything happened.
    fn poll_core(&self, run: &mut CoreRun, launch: u32, out: &mut LineSink<'_>, on_input: &mut dyn FnMut(CoreId)) -> bool {
        let core = run.core;
        let st = self.status_block(core);
        // The barriers it has passed, before its events (`print_order`):
        // once it runs this launch (it stores EPOCH before LAUNCH).
        if st.load(status::LAUNCH as usize) == launch {
            run.epoch = later(run.epoch, st.load(status::EPOCH as usize));
        }
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
                EventBody::Print { epoch, sep, end, values } => {
                    run.epoch = later(run.epoch, epoch);
                    run.partial_epoch = epoch;
                    let text: Vec<String> = values.iter().map(|v| v.to_string()).collect();
                    run.partial.push_str(&text.join(&sep));
                    run.partial.push_str(&end);
                    while let Some(nl) = run.partial.find('\n') {
                        let mut line: String = run.partial.drain(..=nl).collect();
                        line.pop();
                        out(core, epoch, line);
                    }
                }
                EventBody::Result(v) if run.result.is_none() && run.error.is_none() => run.result = Some(v),
                EventBody::Error(e) if run.result.is_none() && run.error.is_none() => run.error = Some(e),
                EventBody::Done(d) => run.done = Some(d),
                EventBody::Input => {
                    // The prompt (or any unfinished line) first, so it shows.
                    run.flush(out);
                    on_input(core);
                }
                other => {
                    run.outcome = Some(CoreOutcome::ProtocolError(format!("unexpected event during a run: {other:?}")));
                    return true;
                }
            }
        }

        if st.load(status::STATE as usize) == CoreState::Fault as u32 {
            let code = st.load(status::FAULT as usize);
            let detail = st.load(status::FAULT_DETAIL as usize);
            run.outcome = Some(match Fault::from_u32(code) {
                Some(code) => CoreOutcome::Fault { code, detail },
                None => CoreOutcome::ProtocolError(format!("fault with unknown code {code} (detail {detail:#x})")),
            });
            return true;
        }
        // A core the chip stopped on an exception its firmware did not
        // report (a board's core, or the ISS's): halted, with an exception
        // cause or a software/memory exception pending.
        if let Some(detail) = self.cpu_exception(core) {
            run.outcome = Some(CoreOutcome::Fault { code: Fault::CpuException, detail });
            return true;
        }
        // Finished once Done is read and the reply sequence says so (the
        // firmware writes REPLY_SEQ last, after Done).
        if let Some(done) = run.done
            && st.load(status::REPLY_SEQ as usize) == run.seq {
                run.outcome = Some(match (done, run.error.take(), run.result.take()) {
                    (DoneStatus::Ok, None, result) => CoreOutcome::Returned(result.unwrap_or(Value::None)),
                    (DoneStatus::Error, Some(e), None) => CoreOutcome::Error(e),
                    (DoneStatus::Cancelled, None, None) => CoreOutcome::Cancelled,
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

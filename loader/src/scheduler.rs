//! The kernel scheduler (design.md §5, §8): launches queue in submission
//! order until their cores are free, then run as one launch group each.
//!
//! Whoever holds the state lock moves things on ([`pump`]): a submitter
//! starts its launch at once when the cores are free; a thread waiting for
//! a launch follows every running launch itself (their prints, ends and
//! faults, starting queued ones as cores free up) and sleeps on the
//! device's doorbell (a futex on the simulator, polling with backoff on a
//! board). The engine thread does the same while launches run and nobody
//! waits, and sleeps on a condition variable otherwise: a core's ring wakes
//! one thread, not two. Nothing busy-waits. Three condition variables, so
//! each change wakes only who cares: waiters (job progress), the engine
//! (launches to follow), the printer (output lines).
//!
//! Order: a queued launch that cannot start holds back the cores it names
//! from every later launch, and a queued `Auto` launch holds back all later
//! launches, so no launch waits forever behind later ones.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use shared_protocol::CoreId;

use crate::backend::Waiter;
use crate::device::Device;
use crate::error::LoaderError;
use crate::image_cache::KernelImage;
use crate::run::{CoreOutcome, KernelArgs, Launch, CANCEL_GRACE};

/// A submitted launch's number in this scheduler (never reused).
pub type JobId = u64;

/// Which cores a launch runs on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Every core of the device.
    All,
    /// This many cores, whichever are free.
    Auto(u32),
    /// Exactly these cores (distinct, on the chip).
    Target(Vec<CoreId>),
}

/// What to run: a bytecode image, with kernel arguments for a kernel image
/// (`compiler::compile_kernel`), on `placement`.
#[derive(Clone, Debug)]
pub struct Job {
    pub image: KernelImage,
    pub args: Option<KernelArgs>,
    pub placement: Placement,
}

/// Where a job is.
#[derive(Clone, Debug, PartialEq)]
pub enum JobState {
    /// Waiting for its cores.
    Queued,
    /// Started; some cores may have finished.
    Running,
    /// Every core has an outcome.
    Finished,
    /// Cancelled before it started.
    CancelledQueued,
    /// It could not start, or the device failed under it.
    Failed(String),
}

impl JobState {
    /// No more changes will come.
    pub fn is_final(&self) -> bool {
        !matches!(self, JobState::Queued | JobState::Running)
    }
}

/// A snapshot of one job.
#[derive(Clone, Debug)]
pub struct JobView {
    pub state: JobState,
    /// Its cores once started (in the order of the launch group), with
    /// each core's outcome so far.
    pub outcomes: Vec<(CoreId, Option<CoreOutcome>)>,
}

/// A scheduling decision, recorded when tracing is on (tests check from
/// these that no core ran two launches at once, not from timing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceEvent {
    Started { job: JobId, cores: Vec<CoreId> },
    Finished { job: JobId, core: CoreId },
}

/// The engine's longest sleep while launches run (cancel deadlines, closing).
const ENGINE_SLICE: Duration = Duration::from_millis(50);

struct Entry {
    state: JobState,
    /// Until it starts.
    job: Option<Job>,
    launch: Option<Launch>,
    /// When a cancelled launch's cores are halted if still running.
    cancel_deadline: Option<Instant>,
    /// Nobody will collect it: drop the record when it ends.
    orphaned: bool,
}

struct State {
    next_id: JobId,
    /// Jobs not started, in submission order.
    queue: VecDeque<JobId>,
    /// Every job not yet forgotten.
    jobs: HashMap<JobId, Entry>,
    /// Jobs started and not finished.
    running: Vec<JobId>,
    /// Which job each core runs.
    busy: Vec<Option<JobId>>,
    /// Complete output lines, oldest first, until someone takes them.
    prints: VecDeque<(CoreId, String)>,
    /// Takes of lines not yet reported written ([`Scheduler::printed`]):
    /// a waiter whose launch ended then lets the writer finish first, so a
    /// launch's output is out before its result.
    prints_in_flight: u32,
    trace: Option<Vec<TraceEvent>>,
    closing: bool,
    /// Threads inside a wait: while there is one, it follows the running
    /// launches and the engine sleeps.
    followers: u32,
    /// The engine sleeps on `engine_wake` (not on the doorbell): only then
    /// does a change need to notify it (a notify is a system call).
    engine_asleep: bool,
    /// Cores of launches started under the lock, whose backend notify (a
    /// futex wake on the simulator, costly) waits until it is released:
    /// every site that may start launches ends with [`unlock_and_notify`].
    unnotified: Vec<CoreId>,
}

struct Shared {
    dev: Device,
    state: Mutex<State>,
    /// Waiters: a job's progress.
    changed: Condvar,
    /// The engine: launches it may have to follow, closing.
    engine_wake: Condvar,
    /// `wait_for_prints`: output lines to take, closing.
    printed: Condvar,
}

/// What [`Scheduler::wait_end`] found.
#[derive(Debug)]
pub enum Waited {
    /// The job ended; its record is gone (no `forget` needed).
    Ended(JobView),
    /// Not yet: the time was up, or output lines are waiting.
    Pending,
    /// No such job (never submitted, or forgotten).
    Unknown,
}

/// The scheduler of one open device. Dropping it cancels what runs, waits
/// for its engine thread and closes the device.
pub struct Scheduler {
    shared: Arc<Shared>,
    engine: Option<JoinHandle<()>>,
}

impl Scheduler {
    /// Boot every core of `dev` and start the engine thread.
    pub fn new(dev: Device) -> Result<Scheduler, LoaderError> {
        dev.boot(&dev.all_cores())?;
        let cores = dev.chip().num_cores() as usize;
        let shared = Arc::new(Shared {
            dev,
            state: Mutex::new(State {
                next_id: 1,
                queue: VecDeque::new(),
                jobs: HashMap::new(),
                running: Vec::new(),
                busy: vec![None; cores],
                prints: VecDeque::new(),
                prints_in_flight: 0,
                trace: None,
                closing: false,
                followers: 0,
                engine_asleep: false,
                unnotified: Vec::new(),
            }),
            changed: Condvar::new(),
            engine_wake: Condvar::new(),
            printed: Condvar::new(),
        });
        let engine_shared = Arc::clone(&shared);
        let engine = std::thread::Builder::new()
            .name("epython-scheduler".into())
            .spawn(move || engine(&engine_shared))
            .map_err(|e| LoaderError::InvalidArgument(format!("cannot start the scheduler thread: {e}")))?;
        Ok(Scheduler { shared, engine: Some(engine) })
    }

    pub fn device(&self) -> &Device {
        &self.shared.dev
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.shared)
    }

    /// Queue a job; it starts at once when its cores are free. A placement
    /// that can never be met (a core not on the chip, a core twice, more
    /// cores than the chip has, none) is an error here, not a queued job.
    pub fn submit(&self, job: Job) -> Result<JobId, LoaderError> {
        let (id, engine_needed) = self.enqueue(job)?;
        // Someone must follow it: a waiter, or else the engine.
        if engine_needed {
            self.shared.engine_wake.notify_one();
        }
        Ok(id)
    }

    /// [`Scheduler::submit`] for a caller that waits for the job at once
    /// ([`Scheduler::wait_end`]): the engine is not woken for it, as the
    /// waiter follows it (and wakes the engine if it stops waiting early).
    pub fn submit_followed(&self, job: Job) -> Result<JobId, LoaderError> {
        self.enqueue(job).map(|(id, _)| id)
    }

    /// Queue the job and start what can start; returns its id and whether
    /// the engine must be woken to follow it (it sleeps, and nobody waits).
    fn enqueue(&self, job: Job) -> Result<(JobId, bool), LoaderError> {
        let n = self.shared.dev.chip().num_cores();
        match &job.placement {
            Placement::All => {}
            Placement::Auto(k) if *k == 0 || *k > n => {
                return Err(LoaderError::InvalidArgument(format!(
                    "auto={k}: the device has {n} cores; ask for 1 to {n}"
                )));
            }
            Placement::Auto(_) => {}
            Placement::Target(cores) if cores.is_empty() => {
                return Err(LoaderError::InvalidArgument("target names no cores".into()));
            }
            Placement::Target(cores) => self.shared.dev.check_cores(cores)?,
        }
        KernelArgs::place(job.args.as_ref(), job.image.bytes())?;
        let mut st = self.lock();
        if st.closing {
            return Err(LoaderError::InvalidArgument("the device is closed".into()));
        }
        let id = st.next_id;
        st.next_id += 1;
        st.jobs.insert(id, Entry { state: JobState::Queued, job: Some(job), launch: None, cancel_deadline: None, orphaned: false });
        st.queue.push_back(id);
        // Start it if its cores are free; following the running launches is
        // the engine's and the waiters' work (a started launch rings the
        // doorbell itself), so a submission stays cheap.
        start_queued(&self.shared.dev, &mut st);
        let engine_needed = st.engine_asleep && st.followers == 0;
        unlock_and_notify(&self.shared.dev, st);
        Ok((id, engine_needed))
    }

    /// The job as it is now (None: unknown or forgotten).
    pub fn view(&self, id: JobId) -> Option<JobView> {
        view(&self.lock(), id)
    }

    /// Wait at most `timeout` until the job is final, or (with `any_new`)
    /// until one of its cores not in `collected` has an outcome, or until
    /// output lines are waiting to be taken ([`Scheduler::take_prints`]).
    /// Returns the job's view then (None: unknown job).
    pub fn wait(&self, id: JobId, timeout: Duration, any_new: Option<&[CoreId]>) -> Option<JobView> {
        let deadline = Instant::now() + timeout;
        let mut st = self.lock();
        let mut following = false;
        let mut waiter = Waiter::new(&self.shared.dev.backend);
        let found = loop {
            let Some(v) = view(&st, id) else { break None };
            let new_core = any_new.is_some_and(|seen| {
                v.outcomes.iter().any(|(c, o)| o.is_some() && !seen.contains(c))
            });
            let now = Instant::now();
            if v.state.is_final() || new_core || !st.prints.is_empty() || now >= deadline {
                break Some(v);
            }
            follow(&mut st, &mut following);
            st = self.progress_or_sleep(st, &mut waiter, deadline - now);
        };
        self.unfollow(st, following);
        found
    }

    /// [`Scheduler::wait_end`] for many jobs in one wait (a list of handles
    /// waited in turn would start and stop following at each): ends, in
    /// order, the leading jobs of `ids` that have ended, until all have, or
    /// output lines are waiting, or `timeout` passes. Returns what it found
    /// for each of those leading jobs (Ended, or Unknown for a job another
    /// thread collected), and whether output lines are waiting (as
    /// `wait_end`).
    pub fn wait_end_many(&self, ids: &[JobId], timeout: Duration) -> (Vec<Waited>, bool) {
        let deadline = Instant::now() + timeout;
        let mut st = self.lock();
        let mut following = false;
        let mut waiter = Waiter::new(&self.shared.dev.backend);
        let mut found = Vec::new();
        loop {
            while let Some(&id) = ids.get(found.len()) {
                match st.jobs.get(&id) {
                    None => found.push(Waited::Unknown),
                    Some(e) if e.state.is_final() => {
                        if let Some(entry) = st.jobs.remove(&id) {
                            let outcomes = entry.launch.map(Launch::into_outcomes).unwrap_or_default();
                            found.push(Waited::Ended(JobView { state: entry.state, outcomes }));
                        }
                    }
                    Some(_) => break,
                }
            }
            let now = Instant::now();
            if found.len() == ids.len() || !st.prints.is_empty() || now >= deadline {
                break;
            }
            follow(&mut st, &mut following);
            st = self.progress_or_sleep(st, &mut waiter, deadline - now);
        }
        let prints = output_pending(&st);
        self.unfollow(st, following);
        (found, prints)
    }

    /// Wait at most `timeout` for the job to end. An ended job's record is
    /// removed and its view returned, its outcomes moved out (not copied).
    /// Also returns whether output lines are waiting to be taken or being
    /// written ([`Scheduler::take_prints`]): a job's prints are out before
    /// its result is used.
    pub fn wait_end(&self, id: JobId, timeout: Duration) -> (Waited, bool) {
        let deadline = Instant::now() + timeout;
        let mut st = self.lock();
        let mut following = false;
        let mut waiter = Waiter::new(&self.shared.dev.backend);
        let waited = loop {
            let Some(entry) = st.jobs.get(&id) else { break Waited::Unknown };
            if entry.state.is_final() {
                let Some(entry) = st.jobs.remove(&id) else { break Waited::Unknown };
                let outcomes = entry.launch.map(Launch::into_outcomes).unwrap_or_default();
                break Waited::Ended(JobView { state: entry.state, outcomes });
            }
            let now = Instant::now();
            if !st.prints.is_empty() || now >= deadline {
                break Waited::Pending;
            }
            follow(&mut st, &mut following);
            st = self.progress_or_sleep(st, &mut waiter, deadline - now);
        };
        let prints = output_pending(&st);
        self.unfollow(st, following);
        (waited, prints)
    }

    /// Leave a wait (`following`: it slept following the launches): the
    /// engine follows what still runs if nobody else does and it sleeps.
    /// (A wait that found its answer at once never followed: after many
    /// ended handles in a row the engine is awake and nobody is woken.)
    fn unfollow(&self, mut st: MutexGuard<'_, State>, following: bool) {
        if following {
            st.followers -= 1;
        }
        let engine_needed = st.followers == 0 && !st.running.is_empty() && st.engine_asleep;
        drop(st);
        if engine_needed {
            self.shared.engine_wake.notify_one();
        }
    }

    /// Sleep until something may have changed, at most `timeout`. While
    /// launches run, the waiter moves them on itself and sleeps on the
    /// doorbell, so a core's ring wakes it directly (one wake-up less than
    /// going through the engine thread: this is the launch latency).
    fn progress_or_sleep<'a>(
        &'a self,
        mut st: MutexGuard<'a, State>,
        waiter: &mut Waiter<'_>,
        timeout: Duration,
    ) -> MutexGuard<'a, State> {
        let dev = &self.shared.dev;
        if st.running.is_empty() {
            return sleep(&self.shared.changed, st, timeout);
        }
        let seen = dev.backend.doorbell();
        if pump(dev, &mut st) {
            waiter.progressed();
            let printed = !st.prints.is_empty();
            unlock_and_notify(dev, st);
            progressed(&self.shared, printed);
            return self.lock();
        }
        unlock_and_notify(dev, st);
        waiter.wait(seen, timeout);
        self.lock()
    }

    /// Wake every thread that waits (on a condition variable or the
    /// doorbell) after a change no core rings for.
    fn wake_all(&self) {
        self.shared.changed.notify_all();
        self.shared.engine_wake.notify_all();
        self.shared.printed.notify_all();
        self.shared.dev.backend.wake_doorbell_waiters();
    }

    /// Wait at most `timeout` until output lines are waiting to be taken;
    /// returns whether there are some.
    pub fn wait_for_prints(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut st = self.lock();
        loop {
            let now = Instant::now();
            if !st.prints.is_empty() || st.closing || now >= deadline {
                return !st.prints.is_empty();
            }
            st = sleep(&self.shared.printed, st, deadline - now);
        }
    }

    /// The output lines printed since the last call, oldest first. When
    /// there are some, the caller reports with [`Scheduler::printed`] once
    /// it has written them.
    pub fn take_prints(&self) -> Vec<(CoreId, String)> {
        let mut st = self.lock();
        if !st.prints.is_empty() {
            st.prints_in_flight += 1;
        }
        st.prints.drain(..).collect()
    }

    /// The lines of a `take_prints` that returned some are written.
    pub fn printed(&self) {
        let mut st = self.lock();
        st.prints_in_flight = st.prints_in_flight.saturating_sub(1);
    }

    /// Cancel a job: a queued one never starts; a running one's cores stop
    /// at their next halt check (device-resident data kept) and get the
    /// outcome Cancelled, and cores that do not stop within a second are
    /// halted and reloaded. Cores that already finished keep their outcome.
    /// Returns false when the job was already final.
    pub fn cancel(&self, id: JobId) -> bool {
        let mut st = self.lock();
        let Some(entry) = st.jobs.get_mut(&id) else { return false };
        let cancelled = match entry.state {
            JobState::Queued => {
                entry.state = JobState::CancelledQueued;
                entry.job = None;
                st.queue.retain(|&q| q != id);
                // Later launches held back by this one may start now.
                pump(&self.shared.dev, &mut st);
                true
            }
            JobState::Running => {
                if let Some(launch) = &entry.launch {
                    self.shared.dev.cancel(launch);
                }
                entry.cancel_deadline.get_or_insert(Instant::now() + CANCEL_GRACE);
                true
            }
            _ => false,
        };
        unlock_and_notify(&self.shared.dev, st);
        self.wake_all();
        cancelled
    }

    /// Drop a job's record (its handle was collected or dropped). A job
    /// still queued or running goes on and its record goes when it ends.
    pub fn forget(&self, id: JobId) {
        let mut st = self.lock();
        match st.jobs.get_mut(&id) {
            Some(e) if e.state.is_final() => {
                st.jobs.remove(&id);
            }
            Some(e) => e.orphaned = true,
            None => {}
        }
    }

    /// Record scheduling decisions from now on (tests).
    pub fn start_trace(&self) {
        self.lock().trace = Some(Vec::new());
    }

    /// The decisions recorded since `start_trace`, and stop recording.
    pub fn take_trace(&self) -> Vec<TraceEvent> {
        self.lock().trace.take().unwrap_or_default()
    }

    /// Which cores are running a launch now.
    pub fn busy_cores(&self) -> Vec<CoreId> {
        let st = self.lock();
        st.busy.iter().enumerate().filter(|(_, b)| b.is_some()).map(|(i, _)| CoreId(i as u32)).collect()
    }
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        self.lock().closing = true;
        self.wake_all();
        if let Some(engine) = self.engine.take() {
            let _ = engine.join();
        }
    }
}

/// Sleep on `cv` at most `timeout` (a poisoned lock: as `lock`).
fn sleep<'a>(cv: &Condvar, st: MutexGuard<'a, State>, timeout: Duration) -> MutexGuard<'a, State> {
    match cv.wait_timeout(st, timeout) {
        Ok((guard, _)) => guard,
        Err(poisoned) => poisoned.into_inner().0,
    }
}

fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    // A panic while holding the lock leaves consistent-enough state for
    // the remaining users (every change is one step); go on with it.
    shared.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn view(st: &State, id: JobId) -> Option<JobView> {
    let entry = st.jobs.get(&id)?;
    let outcomes = match &entry.launch {
        Some(l) => l.outcomes().map(|(c, o)| (c, o.cloned())).collect(),
        None => Vec::new(),
    };
    Some(JobView { state: entry.state.clone(), outcomes })
}

/// Output lines not taken yet, or taken and not yet written: whoever
/// returns a result now writes (or waits for) them first.
fn output_pending(st: &State) -> bool {
    !st.prints.is_empty() || st.prints_in_flight > 0
}

/// A wait is about to sleep: from now on it follows the running launches
/// (once per wait), so the engine need not.
fn follow(st: &mut State, following: &mut bool) {
    if !*following {
        st.followers += 1;
        *following = true;
    }
}

/// Release the state lock, then notify the cores of the launches started
/// under it (system calls are not made while others wait for the lock).
fn unlock_and_notify(dev: &Device, mut st: MutexGuard<'_, State>) {
    let cores = std::mem::take(&mut st.unnotified);
    drop(st);
    dev.notify_cores(&cores);
}

/// After a pump that changed something: wake the waiters, and the printer
/// when there are lines.
fn progressed(shared: &Shared, printed: bool) {
    shared.changed.notify_all();
    if printed {
        shared.printed.notify_all();
    }
}

/// The engine thread: follow running launches nobody waits for, until the
/// scheduler closes.
fn engine(shared: &Shared) {
    let dev = &shared.dev;
    let mut waiter = Waiter::new(&dev.backend);
    let mut st = lock(shared);
    loop {
        if st.closing {
            shut_down(dev, &mut st);
            let printed = !st.prints.is_empty();
            unlock_and_notify(dev, st);
            progressed(shared, printed);
            return;
        }
        if st.running.is_empty() {
            // Nothing to follow: a submission or close wakes us.
            st.engine_asleep = true;
            st = match shared.engine_wake.wait(st) {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            };
            st.engine_asleep = false;
            continue;
        }
        if st.followers > 0 {
            // A waiter follows them; it wakes us when it leaves. The slice
            // bounds a wake-up lost to a waiter that leaves abnormally.
            st.engine_asleep = true;
            st = sleep(&shared.engine_wake, st, ENGINE_SLICE);
            st.engine_asleep = false;
            continue;
        }
        // The doorbell before looking, so a ring in between is not missed.
        let seen = dev.backend.doorbell();
        if pump(dev, &mut st) {
            waiter.progressed();
            let printed = !st.prints.is_empty();
            unlock_and_notify(dev, st);
            progressed(shared, printed);
            st = lock(shared);
            continue;
        }
        unlock_and_notify(dev, st);
        waiter.wait(seen, ENGINE_SLICE);
        st = lock(shared);
    }
}

/// Move everything on: poll running launches, end finished ones, enforce
/// cancel deadlines, start queued launches whose cores are free. Returns
/// whether anything changed.
fn pump(dev: &Device, st: &mut State) -> bool {
    let mut changed = false;
    let now = Instant::now();
    let State { jobs, running, busy, prints, trace, .. } = st;
    running.retain(|&id| {
        let Some(entry) = jobs.get_mut(&id) else { return false };
        let Some(launch) = entry.launch.as_mut() else { return false };
        let mut on_line = |core: CoreId, line: &str| prints.push_back((core, line.to_owned()));
        // Which of its cores had ended before this look, by position (a
        // launch group has at most 64 cores: cmd::GROUP_MASK_*); no
        // allocation per look.
        let before = launch.outcomes().enumerate().fold(0u64, |m, (i, (_, o))| m | u64::from(o.is_some()) << (i % 64));
        let mut polled = dev.poll_launch(launch, &mut on_line);
        if polled.is_ok() && entry.cancel_deadline.is_some_and(|d| now >= d) {
            polled = dev.abandon(launch, CoreOutcome::Cancelled, &mut on_line).map(|()| true);
        }
        match polled {
            Ok(progressed) => changed |= progressed,
            Err(e) => {
                // A core could not be reloaded: the job fails with why.
                entry.state = JobState::Failed(e.to_string());
                changed = true;
            }
        }
        for (i, (core, outcome)) in launch.outcomes().enumerate() {
            if outcome.is_some() && before & 1 << (i % 64) == 0 {
                busy[core.0 as usize] = None;
                if let Some(t) = trace.as_mut() {
                    t.push(TraceEvent::Finished { job: id, core });
                }
            }
        }
        if launch.is_finished() || entry.state.is_final() {
            if !entry.state.is_final() {
                entry.state = JobState::Finished;
            }
            for core in launch.cores() {
                if busy[core.0 as usize] == Some(id) {
                    busy[core.0 as usize] = None;
                }
            }
            if entry.orphaned {
                jobs.remove(&id);
            }
            changed = true;
            return false;
        }
        true
    });
    changed |= start_queued(dev, st);
    changed
}

/// Start the queued launches that can start, in order (module comment).
fn start_queued(dev: &Device, st: &mut State) -> bool {
    let n = st.busy.len();
    let mut held = vec![false; n];
    let mut auto_waiting = false;
    let mut started = false;
    let mut i = 0;
    while i < st.queue.len() && !auto_waiting {
        let id = st.queue[i];
        let Some(placement) = st.jobs.get(&id).and_then(|e| e.job.as_ref()).map(|j| j.placement.clone()) else {
            st.queue.remove(i);
            continue;
        };
        let free = |c: usize, st: &State| st.busy[c].is_none() && !held[c];
        let cores: Option<Vec<CoreId>> = match &placement {
            Placement::All => (0..n).all(|c| free(c, st)).then(|| (0..n as u32).map(CoreId).collect()),
            Placement::Target(cs) => cs.iter().all(|c| free(c.0 as usize, st)).then(|| cs.clone()),
            Placement::Auto(k) => {
                let avail: Vec<CoreId> = (0..n).filter(|&c| free(c, st)).map(|c| CoreId(c as u32)).collect();
                (avail.len() >= *k as usize).then(|| avail[..*k as usize].to_vec())
            }
        };
        let Some(cores) = cores else {
            match &placement {
                Placement::All => held.iter_mut().for_each(|h| *h = true),
                Placement::Target(cs) => cs.iter().for_each(|c| held[c.0 as usize] = true),
                Placement::Auto(_) => auto_waiting = true,
            }
            i += 1;
            continue;
        };
        st.queue.remove(i);
        start(dev, st, id, cores);
        started = true;
    }
    started
}

/// Start job `id` on `cores` (all free).
fn start(dev: &Device, st: &mut State, id: JobId, cores: Vec<CoreId>) {
    let Some(entry) = st.jobs.get_mut(&id) else { return };
    let Some(job) = entry.job.take() else { return };
    match dev.launch_unnotified(&job.image, job.args.as_ref(), &cores) {
        Ok(launch) => {
            entry.launch = Some(launch);
            entry.state = JobState::Running;
            for c in &cores {
                st.busy[c.0 as usize] = Some(id);
            }
            st.unnotified.extend_from_slice(&cores);
            st.running.push(id);
            if let Some(t) = st.trace.as_mut() {
                t.push(TraceEvent::Started { job: id, cores });
            }
        }
        Err(e) => entry.state = JobState::Failed(e.to_string()),
    }
}

/// Closing: queued jobs fail, running ones are cancelled and given their
/// grace, then abandoned.
fn shut_down(dev: &Device, st: &mut State) {
    for id in std::mem::take(&mut st.queue) {
        if let Some(entry) = st.jobs.get_mut(&id) {
            entry.state = JobState::Failed("the device was closed before the launch started".into());
            entry.job = None;
        }
    }
    for id in &st.running {
        if let Some(launch) = st.jobs.get(id).and_then(|e| e.launch.as_ref()) {
            dev.cancel(launch);
        }
    }
    let deadline = Instant::now() + CANCEL_GRACE;
    let mut waiter = Waiter::new(&dev.backend);
    while !st.running.is_empty() {
        let seen = dev.backend.doorbell();
        if Instant::now() >= deadline {
            for id in std::mem::take(&mut st.running) {
                if let Some(entry) = st.jobs.get_mut(&id) {
                    if let Some(launch) = entry.launch.as_mut() {
                        let _ = dev.abandon(launch, CoreOutcome::Cancelled, &mut |_, _| {});
                    }
                    entry.state = JobState::Finished;
                }
            }
            break;
        }
        if !pump(dev, st) {
            waiter.wait(seen, Duration::from_millis(10));
        }
    }
    st.busy.iter_mut().for_each(|b| *b = None);
}

//! The only place where the simulator and the board differ (design.md §1, §2):
//! how the host pokes a core after writing its registers (`notify`) and how it
//! waits for a core to write something (`Waiter::wait`). Reset, load, start and
//! the mailbox are the same code for both, so the hardware path is exercised
//! against the simulator too (open the simulator file with `force_hardware`).

use std::time::{Duration, Instant};

use rustix::thread::futex;
use shared_protocol::chip::reg;
use shared_protocol::sim::{info, ServerState};

use crate::mem::Window;

/// Which backend a device uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendKind {
    /// A simulator file: futex wakes and waits on the shared mapping.
    Simulator,
    /// A board (or a simulator file driven as if it were one): no notify,
    /// polling with backoff.
    Hardware,
}

pub(crate) enum Backend {
    /// `info` is the simulator's info page (holds the host doorbell).
    Simulator { info: Window },
    Hardware,
}

/// The hardware backend's polling backoff (design.md §2: "polling with backoff").
const POLL_MIN: Duration = Duration::from_micros(20);
const POLL_MAX: Duration = Duration::from_millis(2);
/// How long a waiter spins (polls without sleeping) before it sleeps, after
/// each sign of progress (design.md §8 allows a bounded spin). A trivial
/// kernel ends within it, so its waiter is not put to sleep and woken again,
/// which on a loaded 2-CPU VM costs more than the kernel (measured: 1-core
/// round trips of 31-35 µs with 5 µs, 16-18 with 10, 13 with 20); on a
/// board a first poll comes no later than that instead of after a sleep.
const SPIN: Duration = Duration::from_micros(20);

impl Backend {
    pub(crate) fn kind(&self) -> BackendKind {
        match self {
            Backend::Simulator { .. } => BackendKind::Simulator,
            Backend::Hardware => BackendKind::Hardware,
        }
    }

    /// Tell a core that its registers changed. The simulator's core thread
    /// futex-waits on its ILATST word; the shared kind of futex (no
    /// FUTEX_PRIVATE_FLAG, design.md §8) so a simulator in another process
    /// wakes too. On the board the register write itself is the signal.
    pub(crate) fn notify(&self, regs: &Window) {
        if let Backend::Simulator { .. } = self {
            let _ = futex::wake(regs.word(reg::page_offset(reg::ILATST)), futex::Flags::empty(), i32::MAX as u32);
        }
    }

    /// Wake the host threads sleeping on the doorbell without ringing it
    /// (a host-side change they must see; the doorbell word has one writer,
    /// the simulator, so it is not written). A wake that comes between a
    /// waiter's look and its sleep is lost; waiters sleep in bounded slices.
    pub(crate) fn wake_doorbell_waiters(&self) {
        if let Backend::Simulator { info } = self {
            let _ = futex::wake(info.word(info::DOORBELL as usize), futex::Flags::empty(), i32::MAX as u32);
        }
    }

    /// Why the simulator serving this file no longer runs its cores (it
    /// stopped, or its process is gone), or None while it runs. Always None
    /// on a board.
    pub(crate) fn server_gone(&self) -> Option<String> {
        match self {
            Backend::Simulator { info } => {
                dead_server(info.load(info::SERVER_STATE as usize), info.load(info::SERVER_PID as usize))
            }
            Backend::Hardware => None,
        }
    }

    /// A snapshot of "how often a core has rung", taken BEFORE looking at the
    /// cores' memory, so a wait with it never misses a ring in between.
    pub(crate) fn doorbell(&self) -> u32 {
        match self {
            Backend::Simulator { info } => info.load(info::DOORBELL as usize),
            Backend::Hardware => 0,
        }
    }
}

/// Whether this host has more than one CPU (asked once: the standard
/// library reads cgroup files for it).
fn several_cpus() -> bool {
    static SEVERAL: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *SEVERAL.get_or_init(|| std::thread::available_parallelism().is_ok_and(|n| n.get() > 1))
}

/// One waiting loop's state: take `seen = doorbell()`, look at the cores,
/// then `wait(seen, ..)` if nothing was there.
pub(crate) struct Waiter<'a> {
    backend: &'a Backend,
    backoff: Duration,
    /// Until when waits spin instead of sleeping (from the first wait after
    /// progress); None on a host with one CPU, where spinning only delays
    /// the thread it waits for.
    spin_until: Option<Instant>,
    spin: bool,
}

impl<'a> Waiter<'a> {
    pub(crate) fn new(backend: &'a Backend) -> Waiter<'a> {
        Waiter { backend, backoff: POLL_MIN, spin_until: None, spin: several_cpus() }
    }

    /// Something happened: the next hardware poll comes soon again, and the
    /// next wait spins first again.
    pub(crate) fn progressed(&mut self) {
        self.backoff = POLL_MIN;
        self.spin_until = None;
    }

    /// Wait at most `timeout` for a core to ring the doorbell after `seen`.
    /// First, for up to [`SPIN`] after the last progress: simulator, spin
    /// while the doorbell still equals `seen`; hardware, return after a
    /// pause of about a microsecond (the caller polls the cores again).
    /// Then: simulator, futex wait while the doorbell still equals `seen`;
    /// hardware, sleep with backoff (~20 µs growing to 2 ms). Spurious
    /// returns are fine: callers re-check the cores and their deadline.
    pub(crate) fn wait(&mut self, seen: u32, timeout: Duration) {
        if self.spin {
            let now = Instant::now();
            let until = *self.spin_until.get_or_insert(now + SPIN.min(timeout));
            if now < until {
                match self.backend {
                    Backend::Simulator { info } => {
                        while info.load(info::DOORBELL as usize) == seen && Instant::now() < until {
                            for _ in 0..32 {
                                std::hint::spin_loop();
                            }
                        }
                    }
                    Backend::Hardware => {
                        for _ in 0..256 {
                            std::hint::spin_loop();
                        }
                    }
                }
                return;
            }
        }
        match self.backend {
            Backend::Simulator { info } => {
                let ts = futex::Timespec {
                    tv_sec: timeout.as_secs().min(i64::MAX as u64) as i64,
                    // < 10^9: fits every platform's tv_nsec type.
                    tv_nsec: timeout.subsec_nanos() as _,
                };
                // EAGAIN (already rung), ETIMEDOUT and EINTR all mean "look again".
                let _ = futex::wait(info.word(info::DOORBELL as usize), futex::Flags::empty(), seen, Some(&ts));
            }
            Backend::Hardware => {
                std::thread::sleep(self.backoff.min(timeout));
                self.backoff = (self.backoff * 2).min(POLL_MAX);
            }
        }
    }
}

/// From a simulator file's info page (its SERVER_STATE and SERVER_PID
/// words): why its server no longer runs, or None while it does.
pub(crate) fn dead_server(state: u32, pid: u32) -> Option<String> {
    if state == ServerState::Stopped as u32 {
        return Some(format!("has stopped (it was process {pid})"));
    }
    let gone = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
        .is_some_and(|p| rustix::process::test_kill_process(p) == Err(rustix::io::Errno::SRCH));
    gone.then(|| format!("is gone (process {pid} no longer exists)"))
}

/// `now + timeout`, saturating: a huge timeout means "a very long time", not
/// a panic.
pub(crate) fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout).unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 86_400))
}

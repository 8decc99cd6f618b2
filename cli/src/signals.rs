//! SIGINT, SIGTERM and SIGHUP (issue 15). While the cores run, the default
//! action would kill `epython` with its cores still running on a board or a
//! served simulator: instead the handler records the signal, the run stops
//! its cores (`RunOptions::stop`), the device is dropped (which halts every
//! core). `sim serve` blocks them and waits for one, then stops its
//! simulator and removes its file. Either way `epython` then dies of the
//! same signal, so its parent sees what happened as it would have without
//! the handler.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

/// Set by the handler: stop what runs.
pub static STOP: AtomicBool = AtomicBool::new(false);
/// The signal that set STOP (0: none yet).
static SIGNAL: AtomicI32 = AtomicI32::new(0);

const CAUGHT: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

extern "C" fn on_signal(sig: libc::c_int) {
    // Only atomic stores: async-signal-safe.
    SIGNAL.store(sig, Ordering::SeqCst);
    STOP.store(true, Ordering::SeqCst);
}

/// Catch the three signals from now on. Without SA_RESTART: a read of stdin
/// (a core's `input()`) returns EINTR instead of waiting on for a line.
pub fn catch() {
    for sig in CAUGHT {
        // SAFETY: a zeroed sigaction is valid; the handler only stores to
        // atomics, which is async-signal-safe.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            action.sa_flags = 0;
            libc::sigaction(sig, &action, std::ptr::null_mut());
        }
    }
}

/// The three signals as a set.
fn stop_set() -> libc::sigset_t {
    // SAFETY: sigemptyset initialises the set before sigaddset uses it.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for sig in CAUGHT {
            libc::sigaddset(&mut set, sig);
        }
        set
    }
}

/// Block the three signals in this thread, and so in every thread it starts
/// from now on, so that [`wait`] takes them (`sim serve`: call it before the
/// core threads start, or one of them would get the signal and die of it).
pub fn block() {
    let set = stop_set();
    // SAFETY: a valid set; the old mask is not wanted.
    unsafe {
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

/// Wait for one of the three signals (blocked by [`block`]); it is recorded
/// as caught.
pub fn wait() -> libc::c_int {
    let set = stop_set();
    let mut sig: libc::c_int = 0;
    // SAFETY: a valid set and a place for the signal number. sigwait only
    // fails for an invalid set.
    while unsafe { libc::sigwait(&set, &mut sig) } != 0 {}
    SIGNAL.store(sig, Ordering::SeqCst);
    STOP.store(true, Ordering::SeqCst);
    sig
}

/// The signal caught, if any.
pub fn caught() -> Option<libc::c_int> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        sig => Some(sig),
    }
}

/// The signal's name, for messages.
pub fn name(sig: libc::c_int) -> &'static str {
    match sig {
        libc::SIGINT => "SIGINT",
        libc::SIGTERM => "SIGTERM",
        libc::SIGHUP => "SIGHUP",
        _ => "a signal",
    }
}

/// After the device is closed: die of the signal caught, if any (its default
/// action), as `epython` would have without the handler.
pub fn die_of_caught_signal() {
    if let Some(sig) = caught() {
        // SAFETY: restoring the default action and raising a signal is sound
        // at any time; nothing of ours is left that needs unwinding.
        unsafe {
            libc::signal(sig, libc::SIG_DFL);
            let set = stop_set();
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
            libc::raise(sig);
        }
    }
}

//! SIGINT, SIGTERM and SIGHUP while the cores run (issue 15): the default
//! action would kill `epython` with its cores still running on a board or a
//! served simulator. Instead the handler records the signal, the run stops
//! its cores (`RunOptions::stop`), the device is dropped (which halts every
//! core) and `epython` then dies of the same signal, so its parent sees what
//! happened as it would have without the handler.

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
            libc::raise(sig);
        }
    }
}

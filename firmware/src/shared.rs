//! Aligned 32-bit atomic accessors for memory other agents touch (design.md
//! §8). Plain loads and stores only: no read-modify-write crosses the mesh.
//!
//! SeqCst, not Acquire/Release: the mailbox has store-then-load handshakes
//! (the core stores `WAITING = RingSpace` then loads `EVENT_ACK`; the host
//! stores `EVENT_ACK` then loads `WAITING`), which only sequential
//! consistency keeps from both sides missing each other.

use core::sync::atomic::{AtomicU32, Ordering};

/// A window of shared memory: a base pointer and a length in bytes.
#[derive(Clone, Copy)]
pub struct Shared {
    base: *mut u8,
    len: u32,
}

impl Shared {
    /// # Safety
    /// `base..base+len` must stay mapped, 4-byte aligned, for as long as this is used.
    pub unsafe fn new(base: *mut u8, len: u32) -> Shared {
        Shared { base, len }
    }

    /// A sub-window starting `offset` bytes in (clamped to this window).
    pub fn sub(&self, offset: u32, len: u32) -> Shared {
        let offset = offset.min(self.len);
        let len = len.min(self.len - offset);
        // SAFETY: offset is within the window.
        Shared { base: unsafe { self.base.add(offset as usize) }, len }
    }

    pub fn len(&self) -> u32 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn word(&self, offset: u32) -> Option<&AtomicU32> {
        if offset & 3 != 0 || offset.checked_add(4)? > self.len {
            return None;
        }
        // SAFETY: in bounds and aligned (base is aligned, offset % 4 == 0);
        // the window is mapped for our lifetime (constructor contract), and
        // every agent touches it only through atomics.
        Some(unsafe { AtomicU32::from_ptr(self.base.add(offset as usize).cast::<u32>()) })
    }

    /// Load the word at `offset`; out-of-window reads give 0.
    pub fn load(&self, offset: u32) -> u32 {
        self.word(offset).map_or(0, |w| w.load(Ordering::SeqCst))
    }

    /// Store `value` at `offset`; out-of-window writes are dropped.
    pub fn store(&self, offset: u32, value: u32) {
        if let Some(w) = self.word(offset) {
            w.store(value, Ordering::SeqCst);
        }
    }

    pub fn contains(&self, offset: u32, len: u32) -> bool {
        offset.checked_add(len).is_some_and(|end| end <= self.len)
    }
}

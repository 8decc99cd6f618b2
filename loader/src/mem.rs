//! Shared memory access (design.md §2, §8).
//!
//! Memory the device touches (core SRAM, registers, DRAM, the simulator's info
//! page) is never behind `&` or `&mut`: it is reached only through aligned
//! 32-bit atomic loads and stores over raw pointers. On the board these
//! mappings are strongly ordered and unaligned or wider accesses fault
//! (reference §4.1), so bulk copies go word by word as well.

use std::os::fd::BorrowedFd;
use std::sync::atomic::{AtomicU32, Ordering};

use rustix::mm::{MapFlags, ProtFlags};

/// One mmap of the device file, unmapped on drop.
pub(crate) struct Mapping {
    base: *mut u8,
    len: usize,
}

// SAFETY: the mapping is shared memory that every agent accesses only through
// atomic word accessors (`Window`); the pointer itself is never dereferenced
// as a plain reference, so moving or sharing it between threads is sound.
unsafe impl Send for Mapping {}
unsafe impl Sync for Mapping {}

impl Mapping {
    /// Map `len` bytes of `fd` at `offset` (a 64-bit file offset: mesh
    /// addresses are above 2 GiB, reference §4.3 gotcha 6), read-write, shared.
    pub(crate) fn new(fd: BorrowedFd<'_>, offset: u64, len: usize) -> std::io::Result<Mapping> {
        // SAFETY: a fresh mapping chosen by the kernel (null hint); nothing
        // else in this process refers to that address range.
        let base = unsafe {
            rustix::mm::mmap(
                std::ptr::null_mut(),
                len,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::SHARED,
                fd,
                offset,
            )?
        };
        Ok(Mapping { base: base.cast(), len })
    }

    pub(crate) fn window(&self) -> Window {
        // SAFETY: the mapping lives as long as `self`; windows are only used
        // by the `Device` that owns the mapping (and is dropped after them).
        unsafe { Window::new(self.base, self.len) }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: base/len are exactly what mmap returned; no Window outlives
        // the owning Device, which drops its mappings last.
        let _ = unsafe { rustix::mm::munmap(self.base.cast(), self.len) };
    }
}

/// A view of shared memory: a base pointer and a length in bytes. Every
/// access is bounds-checked and word aligned; an out-of-range offset is a bug
/// in the loader (offsets from a core are validated before use), so it panics
/// rather than touching memory outside the mapping.
#[derive(Clone, Copy)]
pub(crate) struct Window {
    base: *mut u8,
    len: usize,
}

// SAFETY: see `Mapping`: the memory is only touched through atomics.
unsafe impl Send for Window {}
unsafe impl Sync for Window {}

impl Window {
    /// # Safety
    /// `base..base+len` must be 4-byte aligned, mapped and valid for atomic
    /// 32-bit access for as long as the window (or copies of it) is used.
    pub(crate) unsafe fn new(base: *mut u8, len: usize) -> Window {
        Window { base, len }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The sub-window `offset..offset+len`.
    pub(crate) fn sub(&self, offset: usize, len: usize) -> Window {
        assert!(
            offset.checked_add(len).is_some_and(|end| end <= self.len),
            "window {offset:#x}+{len:#x} outside {:#x}",
            self.len
        );
        // SAFETY: in bounds (checked above).
        Window { base: unsafe { self.base.add(offset) }, len }
    }

    /// The atomic word at `offset`. Needed by the futex calls, which take a
    /// `&AtomicU32`; an atomic behind a shared reference is fine to share.
    pub(crate) fn word(&self, offset: usize) -> &AtomicU32 {
        assert!(
            offset.is_multiple_of(4) && offset.checked_add(4).is_some_and(|end| end <= self.len),
            "word {offset:#x} outside or misaligned in a window of {:#x}",
            self.len
        );
        // SAFETY: aligned (base is page aligned, offset % 4 == 0), in bounds,
        // and mapped for the window's lifetime (constructor contract). Every
        // agent accesses this memory only through atomics.
        unsafe { AtomicU32::from_ptr(self.base.add(offset).cast::<u32>()) }
    }

    /// SeqCst everywhere: the host side of the mailbox has store-then-load
    /// handshakes (ack the ring, then read WAITING) that need it, and the cost
    /// is nothing next to a trip over the eLink.
    pub(crate) fn load(&self, offset: usize) -> u32 {
        self.word(offset).load(Ordering::SeqCst)
    }

    pub(crate) fn store(&self, offset: usize, value: u32) {
        self.word(offset).store(value, Ordering::SeqCst)
    }

    /// Copy bytes in, word by word: little-endian packing, the last word
    /// zero-padded. `offset` must be word aligned.
    pub(crate) fn write_bytes(&self, offset: usize, bytes: &[u8]) {
        for (i, chunk) in bytes.chunks(4).enumerate() {
            let mut word = [0u8; 4];
            word[..chunk.len()].copy_from_slice(chunk);
            self.store(offset + i * 4, u32::from_le_bytes(word));
        }
    }

    /// Read `len` bytes, word by word.
    #[allow(dead_code)] // for `device dump` and the tests
    pub(crate) fn read_bytes(&self, offset: usize, len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len.next_multiple_of(4));
        for i in 0..len.div_ceil(4) {
            out.extend_from_slice(&self.load(offset + i * 4).to_le_bytes());
        }
        out.truncate(len);
        out
    }

    /// Zero `len` bytes (a multiple of 4) at `offset`.
    pub(crate) fn zero(&self, offset: usize, len: usize) {
        for i in 0..len / 4 {
            self.store(offset + i * 4, 0);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A window over plain heap memory, for tests that need no device.
    pub(crate) struct Heap {
        words: Box<[AtomicU32]>,
    }

    impl Heap {
        pub(crate) fn new(bytes: usize) -> Heap {
            Heap { words: (0..bytes / 4).map(|_| AtomicU32::new(0)).collect() }
        }
        pub(crate) fn window(&self) -> Window {
            // SAFETY: the boxed slice is aligned, lives as long as the test
            // keeps `self`, and is only accessed through atomics.
            unsafe { Window::new(self.words.as_ptr() as *mut u8, self.words.len() * 4) }
        }
    }

    #[test]
    fn bytes_round_trip_word_by_word() {
        let heap = Heap::new(64);
        let w = heap.window();
        w.write_bytes(8, b"hello");
        assert_eq!(w.load(8), u32::from_le_bytes(*b"hell"));
        assert_eq!(w.load(12), u32::from(b'o'));
        assert_eq!(w.read_bytes(8, 5), b"hello");
        w.zero(8, 8);
        assert_eq!(w.read_bytes(8, 8), [0; 8]);
    }

    #[test]
    #[should_panic]
    fn out_of_range_access_panics_instead_of_reading_past_the_mapping() {
        let heap = Heap::new(16);
        heap.window().load(16);
    }
}

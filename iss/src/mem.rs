//! Memory as a core sees it: its own 32 KB of SRAM, reached directly, and
//! everything else (other cores, the DRAM window) through the [`Mesh`].
//!
//! SRAM is shared memory: the host and other cores write into it while the
//! core runs (design.md §8), so every access is an atomic load or store of
//! its own width on a naturally aligned address (the core checks alignment
//! before it gets here, as the chip does): [`SharedMem`].

use std::ptr::NonNull;
use std::sync::atomic::{AtomicU8, AtomicU16, AtomicU32, Ordering};

use crate::insn::Size;

/// Bytes of SRAM per core.
pub const SRAM_SIZE: u32 = 0x8000;

/// Memory other agents share: a core's SRAM, another core's, the DRAM
/// window. Every access is an atomic load or store of its own width.
pub struct SharedMem {
    base: NonNull<u8>,
    len: u32,
    /// Backing store when the memory is not in someone else's mapping.
    _owned: Option<Box<[AtomicU32]>>,
}

/// A core's local memory (32 KB).
pub type Sram = SharedMem;

// SAFETY: every access is atomic; the pointer is valid for `len` bytes for
// the value's lifetime (from_raw's contract, or the owned box).
unsafe impl Send for SharedMem {}
unsafe impl Sync for SharedMem {}

impl SharedMem {
    /// Zeroed SRAM owned by this value (tests, a core outside a device file).
    pub fn new() -> SharedMem {
        SharedMem::zeroed(SRAM_SIZE)
    }

    /// `len` zeroed bytes owned by this value (`len` a multiple of 4).
    pub fn zeroed(len: u32) -> SharedMem {
        let owned: Box<[AtomicU32]> = (0..len / 4).map(|_| AtomicU32::new(0)).collect();
        let base = NonNull::new(owned.as_ptr() as *mut u8).expect("a box is never null");
        SharedMem { base, len, _owned: Some(owned) }
    }

    /// Memory inside a mapping (the simulated device file).
    ///
    /// # Safety
    /// `base` must be 4-byte aligned and valid for reads and writes of
    /// `len` bytes for as long as the returned value lives, and every other
    /// access to those bytes must be atomic.
    pub unsafe fn from_raw(base: NonNull<u8>, len: u32) -> SharedMem {
        SharedMem { base, len, _owned: None }
    }

    pub fn len(&self) -> u32 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The address of `offset` for an access of `size`, if in bounds.
    #[inline(always)]
    fn at(&self, offset: u32, size: Size) -> Option<*mut u8> {
        if offset >= self.len || self.len - offset < size.bytes() {
            return None;
        }
        debug_assert_eq!(offset % size.bytes(), 0);
        // SAFETY: in bounds (checked above).
        Some(unsafe { self.base.as_ptr().add(offset as usize) })
    }

    /// Reads `size` (not Double) at `offset`, zero-extended; None out of
    /// bounds. `offset` must be aligned to the size.
    #[inline(always)]
    pub fn read(&self, offset: u32, size: Size) -> Option<u32> {
        let p = self.at(offset, size)?;
        // SAFETY: in bounds and aligned (the caller's rule); the memory is
        // only ever accessed atomically (from_raw's contract).
        Some(unsafe {
            match size {
                Size::Byte => AtomicU8::from_ptr(p).load(Ordering::Relaxed) as u32,
                Size::Half => AtomicU16::from_ptr(p as *mut u16).load(Ordering::Relaxed) as u32,
                _ => AtomicU32::from_ptr(p as *mut u32).load(Ordering::Relaxed),
            }
        })
    }

    /// Writes `size` (not Double) at `offset`; false out of bounds.
    #[inline(always)]
    pub fn write(&self, offset: u32, size: Size, value: u32) -> bool {
        let Some(p) = self.at(offset, size) else { return false };
        // SAFETY: as in `read`.
        unsafe {
            match size {
                Size::Byte => AtomicU8::from_ptr(p).store(value as u8, Ordering::Relaxed),
                Size::Half => AtomicU16::from_ptr(p as *mut u16).store(value as u16, Ordering::Relaxed),
                _ => AtomicU32::from_ptr(p as *mut u32).store(value, Ordering::Relaxed),
            }
        }
        true
    }

    /// `testset`: if the word/half/byte at `offset` is 0, store `value`;
    /// return the old contents. One atomic step, as the chip's is.
    pub fn testset(&self, offset: u32, size: Size, value: u32) -> Option<u32> {
        let p = self.at(offset, size)?;
        // SAFETY: as in `read`.
        let old = unsafe {
            match size {
                Size::Byte => {
                    let a = AtomicU8::from_ptr(p);
                    a.compare_exchange(0, value as u8, Ordering::AcqRel, Ordering::Acquire).unwrap_or_else(|v| v) as u32
                }
                Size::Half => {
                    let a = AtomicU16::from_ptr(p as *mut u16);
                    a.compare_exchange(0, value as u16, Ordering::AcqRel, Ordering::Acquire).unwrap_or_else(|v| v) as u32
                }
                _ => {
                    let a = AtomicU32::from_ptr(p as *mut u32);
                    a.compare_exchange(0, value, Ordering::AcqRel, Ordering::Acquire).unwrap_or_else(|v| v)
                }
            }
        };
        Some(old)
    }

    /// Copies `bytes` in at `offset` (loading a program; byte by byte).
    pub fn load_bytes(&self, offset: u32, bytes: &[u8]) -> bool {
        let Some(end) = offset.checked_add(bytes.len() as u32) else { return false };
        if end > self.len {
            return false;
        }
        bytes.iter().enumerate().all(|(i, &b)| self.write(offset + i as u32, Size::Byte, b as u32))
    }
}

impl Default for SharedMem {
    fn default() -> Self {
        SharedMem::new()
    }
}

/// Everything outside the core's own SRAM and register page, by global
/// (mesh) address: other cores' SRAM and registers, the DRAM window.
/// Accesses are naturally aligned and never Double (the core splits those).
pub trait Mesh {
    /// None: nothing answers at that address (the core faults).
    fn read(&mut self, addr: u32, size: Size) -> Option<u32>;
    /// false: nothing answers at that address.
    fn write(&mut self, addr: u32, size: Size, value: u32) -> bool;
    /// `testset` on a remote address: store `value` if the old contents
    /// are 0; return the old contents.
    fn testset(&mut self, addr: u32, size: Size, value: u32) -> Option<u32>;
    /// Whether `addr` is in external DRAM (for the cycle model).
    fn is_external(&self, addr: u32) -> bool;
}

/// A mesh with nothing on it: a lone core.
pub struct NoMesh;

impl Mesh for NoMesh {
    fn read(&mut self, _: u32, _: Size) -> Option<u32> {
        None
    }
    fn write(&mut self, _: u32, _: Size, _: u32) -> bool {
        false
    }
    fn testset(&mut self, _: u32, _: Size, _: u32) -> Option<u32> {
        None
    }
    fn is_external(&self, _: u32) -> bool {
        false
    }
}

/// A plain memory region at a global base address: a DRAM window for tests
/// and for `Mesh`es built from pieces.
pub struct Region {
    pub base: u32,
    pub bytes: Vec<u8>,
    pub external: bool,
}

impl Region {
    pub fn new(base: u32, size: u32, external: bool) -> Region {
        Region {
            base,
            bytes: vec![0; size as usize],
            external,
        }
    }

    fn offset(&self, addr: u32, size: Size) -> Option<usize> {
        let off = addr.checked_sub(self.base)? as usize;
        (off + size.bytes() as usize <= self.bytes.len()).then_some(off)
    }

    pub fn contains(&self, addr: u32) -> bool {
        self.offset(addr, Size::Byte).is_some()
    }
}

impl Mesh for Region {
    fn read(&mut self, addr: u32, size: Size) -> Option<u32> {
        let off = self.offset(addr, size)?;
        let b = &self.bytes[off..off + size.bytes() as usize];
        Some(match size {
            Size::Byte => b[0] as u32,
            Size::Half => u16::from_le_bytes([b[0], b[1]]) as u32,
            _ => u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        })
    }
    fn write(&mut self, addr: u32, size: Size, value: u32) -> bool {
        let Some(off) = self.offset(addr, size) else {
            return false;
        };
        let n = size.bytes() as usize;
        self.bytes[off..off + n].copy_from_slice(&value.to_le_bytes()[..n]);
        true
    }
    fn testset(&mut self, addr: u32, size: Size, value: u32) -> Option<u32> {
        let old = self.read(addr, size)?;
        if old == 0 {
            self.write(addr, size, value);
        }
        Some(old)
    }
    fn is_external(&self, _: u32) -> bool {
        self.external
    }
}

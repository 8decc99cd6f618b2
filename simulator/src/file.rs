//! The device file (design.md §1, reference §7 "Device model"): a sparse file
//! laid out like the newer driver's /dev/epiphany/mesh0, where the file offset
//! is the mesh address. It lives in a memfd (in-process use) or at a path
//! (tmpfs, for a loader in another process).
//!
//! Pieces are mapped separately (design.md §8: never the whole 2+ GB file),
//! MAP_SHARED, at 64-bit offsets.

use std::ffi::c_void;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::ptr::NonNull;
use std::sync::atomic::AtomicU32;

use rustix::fs::{Mode, OFlags};
use rustix::mm::{MapFlags, ProtFlags};

use crate::SimError;

/// The open device file and the path a loader opens it by.
pub(crate) struct DeviceFile {
    fd: OwnedFd,
    path: PathBuf,
}

// Files are created all zeros and `len` bytes long (sparse: only what is
// written takes memory).

impl DeviceFile {
    /// A memfd, reachable by loaders in this process as `/proc/self/fd/N`.
    pub(crate) fn in_memory(len: u64) -> Result<DeviceFile, SimError> {
        let fd = rustix::fs::memfd_create("epython-sim", rustix::fs::MemfdFlags::CLOEXEC)
            .map_err(|e| SimError::Memfd { source: e.into() })?;
        let path = PathBuf::from(format!("/proc/self/fd/{}", fd.as_raw_fd()));
        let file = DeviceFile { fd, path };
        file.set_len(len)?;
        Ok(file)
    }

    /// A file at `path`, mode 0600, created or truncated (so it starts all zeros).
    pub(crate) fn create(path: &Path, len: u64) -> Result<DeviceFile, SimError> {
        let create_error = |e: rustix::io::Errno| SimError::Create { path: path.to_path_buf(), source: e.into() };
        let mode = Mode::from_raw_mode(0o600);
        let flags = OFlags::RDWR | OFlags::CREATE | OFlags::TRUNC | OFlags::CLOEXEC;
        let fd = rustix::fs::open(path, flags, mode).map_err(create_error)?;
        // An existing file keeps its old mode on open: the device is private.
        rustix::fs::fchmod(&fd, mode).map_err(create_error)?;
        let file = DeviceFile { fd, path: path.to_path_buf() };
        file.set_len(len)?;
        Ok(file)
    }

    /// An existing simulator file at `path` (served by another simulator).
    pub(crate) fn open(path: &Path) -> Result<DeviceFile, SimError> {
        let fd = rustix::fs::open(path, OFlags::RDWR | OFlags::CLOEXEC, Mode::empty())
            .map_err(|e| SimError::Open { path: path.to_path_buf(), source: e.into() })?;
        Ok(DeviceFile { fd, path: path.to_path_buf() })
    }

    fn set_len(&self, len: u64) -> Result<(), SimError> {
        rustix::fs::ftruncate(&self.fd, len).map_err(|e| SimError::Resize { path: self.path.clone(), len, source: e.into() })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Map `len` bytes at file offset `offset` (a mesh address), read-write, shared.
    pub(crate) fn map(&self, what: &str, offset: u64, len: usize) -> Result<Mapping, SimError> {
        let map_error = |e: rustix::io::Errno| SimError::Map {
            path: self.path.clone(),
            what: what.to_string(),
            offset,
            len,
            source: e.into(),
        };
        // SAFETY: a fresh mapping chosen by the kernel (null hint) aliases no
        // Rust object; it is only reached through `Mapping`'s accessors.
        let ptr = unsafe {
            rustix::mm::mmap(
                std::ptr::null_mut(),
                len,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::SHARED,
                &self.fd,
                offset,
            )
        }
        .map_err(map_error)?;
        let ptr = NonNull::new(ptr.cast::<u8>()).ok_or(map_error(rustix::io::Errno::NOMEM))?;
        Ok(Mapping { ptr, len })
    }
}

/// One mapped piece of the device file; unmapped on drop.
///
/// Other agents (loaders, other processes, other core threads) write this
/// memory at any time, so it is never behind a Rust reference: words are
/// reached through [`Mapping::word`] (atomics) only (design.md §2, §8).
pub(crate) struct Mapping {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: the mapping is plain shared memory; every access goes through
// atomics, except the VM arena, which is handed to exactly one core thread.
unsafe impl Send for Mapping {}
unsafe impl Sync for Mapping {}

impl Mapping {
    pub(crate) fn ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    pub(crate) fn non_null(&self) -> NonNull<u8> {
        self.ptr
    }

    /// The aligned 32-bit word at byte `offset`. Offsets come from the
    /// contract's constants, so a bad one is a simulator bug (panic).
    pub(crate) fn word(&self, offset: u32) -> &AtomicU32 {
        let at = offset as usize;
        assert!(at.is_multiple_of(4) && at + 4 <= self.len, "word offset {offset:#x} outside a {:#x}-byte mapping", self.len);
        // SAFETY: in bounds and 4-byte aligned (the mapping is page aligned);
        // the memory lives as long as `self`, and is only accessed atomically.
        unsafe { AtomicU32::from_ptr(self.ptr.as_ptr().add(at).cast::<u32>()) }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: ptr/len are exactly what mmap returned; no accessor outlives
        // the mapping (core threads are joined before the device is dropped).
        // An munmap error cannot be acted on in drop.
        let _ = unsafe { rustix::mm::munmap(self.ptr.as_ptr().cast::<c_void>(), self.len) };
    }
}

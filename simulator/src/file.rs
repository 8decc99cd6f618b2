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

use rustix::fs::{FileType, Mode, OFlags};
use rustix::mm::{MapFlags, ProtFlags};

use crate::SimError;

/// The open device file and the path a loader opens it by.
pub(crate) struct DeviceFile {
    fd: OwnedFd,
    path: PathBuf,
    /// This simulator made the file (it did not exist): only then may it
    /// remove it ([`DeviceFile::remove_if_created`]).
    created: bool,
}

// Files are created all zeros and `len` bytes long (sparse: only what is
// written takes memory).

impl DeviceFile {
    /// A memfd, reachable by loaders in this process as `/proc/self/fd/N`.
    pub(crate) fn in_memory(len: u64) -> Result<DeviceFile, SimError> {
        let fd = rustix::fs::memfd_create("epython-sim", rustix::fs::MemfdFlags::CLOEXEC)
            .map_err(|e| SimError::Memfd { source: e.into() })?;
        let path = PathBuf::from(format!("/proc/self/fd/{}", fd.as_raw_fd()));
        let file = DeviceFile { fd, path, created: false };
        file.set_len(len)?;
        Ok(file)
    }

    /// A file at `path`, mode 0600, created, or an existing regular file
    /// truncated (so it starts all zeros). Anything else there (a device
    /// node, a directory, a FIFO) is refused untouched.
    pub(crate) fn create(path: &Path, len: u64) -> Result<DeviceFile, SimError> {
        let create_error = |e: rustix::io::Errno| SimError::Create { path: path.to_path_buf(), source: e.into() };
        let mode = Mode::from_raw_mode(0o600);
        let flags = OFlags::RDWR | OFlags::CLOEXEC;
        let (fd, created) = match rustix::fs::open(path, flags | OFlags::CREATE | OFlags::EXCL, mode) {
            Ok(fd) => (fd, true),
            Err(rustix::io::Errno::EXIST) => {
                // O_NONBLOCK: opening a FIFO must not wait for a writer.
                let fd = rustix::fs::open(path, flags | OFlags::NONBLOCK, Mode::empty()).map_err(create_error)?;
                let kind = FileType::from_raw_mode(rustix::fs::fstat(&fd).map_err(create_error)?.st_mode);
                if kind != FileType::RegularFile {
                    return Err(SimError::NotAFile { path: path.to_path_buf(), kind: kind_text(kind) });
                }
                rustix::fs::ftruncate(&fd, 0).map_err(create_error)?;
                (fd, false)
            }
            Err(e) => return Err(create_error(e)),
        };
        // An existing file keeps its old mode on open: the device is private.
        rustix::fs::fchmod(&fd, mode).map_err(create_error)?;
        let file = DeviceFile { fd, path: path.to_path_buf(), created };
        file.set_len(len)?;
        Ok(file)
    }

    /// Remove the file from its path if this simulator created it and the
    /// path still names this very file (not a file put there since, not a
    /// symlink to it). Returns whether it was removed.
    pub(crate) fn remove_if_created(&self) -> Result<bool, SimError> {
        if !self.created {
            return Ok(false);
        }
        let remove_error = |e: rustix::io::Errno| SimError::Remove { path: self.path.clone(), source: e.into() };
        let ours = rustix::fs::fstat(&self.fd).map_err(remove_error)?;
        let there = match rustix::fs::lstat(&self.path) {
            Ok(st) => st,
            Err(rustix::io::Errno::NOENT) => return Ok(false),
            Err(e) => return Err(remove_error(e)),
        };
        if (there.st_dev, there.st_ino) != (ours.st_dev, ours.st_ino) {
            return Ok(false);
        }
        rustix::fs::unlink(&self.path).map_err(remove_error)?;
        Ok(true)
    }

    /// An existing simulator file at `path` (served by another simulator).
    pub(crate) fn open(path: &Path) -> Result<DeviceFile, SimError> {
        let fd = rustix::fs::open(path, OFlags::RDWR | OFlags::CLOEXEC, Mode::empty())
            .map_err(|e| SimError::Open { path: path.to_path_buf(), source: e.into() })?;
        Ok(DeviceFile { fd, path: path.to_path_buf(), created: false })
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

fn kind_text(kind: FileType) -> &'static str {
    match kind {
        FileType::CharacterDevice => "character device",
        FileType::BlockDevice => "block device",
        FileType::Directory => "directory",
        FileType::Fifo => "FIFO",
        FileType::Socket => "socket",
        _ => "special file",
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

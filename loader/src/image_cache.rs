//! Keeping a verified image on a core between launches (issue 17).
//!
//! A launch names its image by a tag (a hash of the bytes, [`KernelImage`])
//! and the core's image epoch (`mailbox::cmd::IMAGE_TAG_*`, `IMAGE_EPOCH`).
//! A core that holds the verified image it loaded with that tag, epoch and
//! length runs it again without the copy and the verifier (firmware
//! exec.rs), and the host skips writing the image into the inbox.
//!
//! What keeps a held image from ever being stale:
//! - The epoch of a core advances on everything after which its memory may
//!   not be what the firmware left there: every soft reset (boot, reload
//!   after a fault, a timeout or an unanswered cancel, `device reset`, an
//!   ELF load, the self-test), every cancel of a running launch (also a
//!   deadlock's), every fault seen, and every open of the device: a new
//!   Device starts each core one past the epoch the last one wrote into
//!   the command slot.
//! - Within an epoch the host never sends one tag for two different images:
//!   it keeps the bytes of the last image each core was sent, and a tag
//!   that matches with other bytes (a hash collision) advances the epoch.
//! - The core forgets its image before loading another (a failed load
//!   leaves none), and the VM only reads an image.
//!
//! Both backends take the same path: it saves the host's inbox writes and
//! the core's copy and verification, not a simulator wake-up.

use std::sync::{Arc, Mutex, MutexGuard};

use shared_protocol::CoreId;

use crate::device::Device;

/// A bytecode image and its tag, computed once (a kernel's image is sent
/// with every launch of it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelImage {
    bytes: Arc<[u8]>,
    tag: u64,
}

impl KernelImage {
    pub fn new(bytes: impl Into<Arc<[u8]>>) -> KernelImage {
        let bytes = bytes.into();
        let tag = tag_of(&bytes);
        KernelImage { bytes, tag }
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The content hash the cores know this image by (never 0: 0 is "no tag").
    pub fn tag(&self) -> u64 {
        self.tag
    }

    /// Same bytes (the pointer first: a kernel sends the same Arc each time).
    fn same_bytes(&self, other: &KernelImage) -> bool {
        Arc::ptr_eq(&self.bytes, &other.bytes) || self.bytes == other.bytes
    }
}

impl From<Vec<u8>> for KernelImage {
    fn from(bytes: Vec<u8>) -> KernelImage {
        KernelImage::new(bytes)
    }
}

impl From<Arc<[u8]>> for KernelImage {
    fn from(bytes: Arc<[u8]>) -> KernelImage {
        KernelImage::new(bytes)
    }
}

impl From<&[u8]> for KernelImage {
    fn from(bytes: &[u8]) -> KernelImage {
        KernelImage::new(bytes)
    }
}

/// FNV-1a, 64 bits, then a finalizer that spreads every input bit over the
/// high word too; 0 becomes 1 (0 means "no tag").
fn tag_of(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h.max(1)
}

/// One core's side of the cache, as the host knows it.
#[derive(Default)]
struct CoreEntry {
    epoch: u32,
    /// The image last written into this core's inbox, in this epoch: the
    /// only one the core may hold.
    sent: Option<KernelImage>,
}

/// The host's records, one per core.
pub(crate) struct ImageCache {
    cores: Vec<Mutex<CoreEntry>>,
}

/// What a launch sends a core: whether the inbox needs the image, and the
/// tag and epoch the command carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Send {
    pub write_image: bool,
    pub tag: u64,
    pub epoch: u32,
}

impl ImageCache {
    /// Records for a device just opened: each core's epoch is one past
    /// `last_epoch(core)`, what the previous user wrote into its slot.
    pub(crate) fn new(n: u32, last_epoch: impl Fn(CoreId) -> u32) -> ImageCache {
        let cores = (0..n)
            .map(|i| Mutex::new(CoreEntry { epoch: last_epoch(CoreId(i)).wrapping_add(1), sent: None }))
            .collect();
        ImageCache { cores }
    }

    fn entry(&self, core: CoreId) -> Option<MutexGuard<'_, CoreEntry>> {
        // A panic under this lock leaves a whole record: go on with it.
        self.cores.get(core.0 as usize).map(|m| m.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// The core's memory may have changed: nothing it holds is trusted.
    pub(crate) fn invalidate(&self, core: CoreId) {
        if let Some(mut e) = self.entry(core) {
            e.epoch = e.epoch.wrapping_add(1);
            e.sent = None;
        }
    }

    pub(crate) fn invalidate_all(&self) {
        for i in 0..self.cores.len() as u32 {
            self.invalidate(CoreId(i));
        }
    }

    /// Decide how `image` goes to `core` in a launch, and record it as sent.
    pub(crate) fn send(&self, core: CoreId, image: &KernelImage) -> Send {
        let Some(mut e) = self.entry(core) else {
            return Send { write_image: true, tag: 0, epoch: 0 };
        };
        let write_image = match &e.sent {
            Some(sent) if sent.tag == image.tag => {
                if sent.same_bytes(image) {
                    false
                } else {
                    // Two images, one tag: the core must not take one for the other.
                    e.epoch = e.epoch.wrapping_add(1);
                    true
                }
            }
            _ => true,
        };
        if write_image {
            e.sent = Some(image.clone());
        }
        Send { write_image, tag: image.tag, epoch: e.epoch }
    }

    /// The core's current epoch.
    pub(crate) fn epoch(&self, core: CoreId) -> u32 {
        self.entry(core).map_or(0, |e| e.epoch)
    }
}

impl Device {
    /// The image epoch of `core` (tests, `device dump`): advances on every
    /// reset, reload, fault and cancel, and with every open of the device.
    pub fn image_epoch(&self, core: CoreId) -> u32 {
        self.images.epoch(core)
    }

    /// How many images `core` has copied from its inbox and verified since
    /// it booted: a launch served from the image cache does not count.
    pub fn image_loads(&self, core: CoreId) -> u32 {
        if self.check_core(core).is_err() {
            return 0;
        }
        self.status_block(core).load(shared_protocol::mailbox::status::IMAGE_LOADS as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_follow_the_bytes_and_are_never_0() {
        let a = KernelImage::new(vec![1u8, 2, 3, 4]);
        assert_eq!(a.tag(), KernelImage::new(vec![1u8, 2, 3, 4]).tag());
        assert_ne!(a.tag(), KernelImage::new(vec![1u8, 2, 3, 5]).tag());
        assert_ne!(a.tag(), KernelImage::new(vec![1u8, 2, 3, 4, 0]).tag());
        assert_ne!(KernelImage::new(Vec::new()).tag(), 0);
    }

    #[test]
    fn an_image_is_written_once_per_epoch() {
        let cache = ImageCache::new(2, |_| 7);
        let a = KernelImage::new(vec![1u8; 64]);
        let b = KernelImage::new(vec![2u8; 64]);
        let first = cache.send(CoreId(0), &a);
        assert_eq!(first, Send { write_image: true, tag: a.tag(), epoch: 8 });
        assert_eq!(cache.send(CoreId(0), &a), Send { write_image: false, ..first });
        // An equal image in another allocation is the same image.
        assert!(!cache.send(CoreId(0), &KernelImage::new(vec![1u8; 64])).write_image);
        // Another core has its own record.
        assert!(cache.send(CoreId(1), &a).write_image);
        // Another image replaces it; going back writes it again.
        assert!(cache.send(CoreId(0), &b).write_image);
        assert!(cache.send(CoreId(0), &a).write_image);
        // Invalidation: a new epoch and the image written again.
        cache.invalidate(CoreId(0));
        let after = cache.send(CoreId(0), &a);
        assert_eq!(after, Send { write_image: true, tag: a.tag(), epoch: 9 });
        assert!(!cache.send(CoreId(0), &a).write_image);
        // A core not on the chip is sent everything, untagged.
        assert_eq!(cache.send(CoreId(5), &a), Send { write_image: true, tag: 0, epoch: 0 });
    }

    #[test]
    fn two_images_with_one_tag_never_share_an_epoch() {
        let cache = ImageCache::new(1, |_| 0);
        let a = KernelImage::new(vec![1u8; 8]);
        // A forged collision: b's bytes differ, its tag is a's.
        let b = KernelImage { bytes: Arc::from(vec![2u8; 8]), tag: a.tag() };
        let first = cache.send(CoreId(0), &a);
        let second = cache.send(CoreId(0), &b);
        assert!(second.write_image);
        assert_eq!(second.tag, first.tag);
        assert_ne!(second.epoch, first.epoch, "the core could take b for a");
    }
}

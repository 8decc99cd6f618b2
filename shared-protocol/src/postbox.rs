//! Core → core messages: the `parallel` module's wire (design.md §2, §8).
//!
//! Every ordered pair of cores (sender s, receiver r) has two channels, USER
//! (`send`/`recv`) and COLL (the collectives `sync`, `bcast`, `reduce`), so
//! a collective never waits behind a user message. A channel is a byte ring
//! in the SENDER's outbox (its DRAM area, `layout::outbox_start`) plus
//! three words, each with one writer:
//!
//! | word | where | writer | meaning |
//! |------|-------|--------|---------|
//! | HEAD | r's SRAM postbox, [`head`]`(ch, s)` | s | bytes s has written into the ring (the doorbell) |
//! | SENT | s's DRAM status block, [`sent`]`(ch, r)` | s | the same count, s's own copy (the host reads it) |
//! | RECVD | r's DRAM status block, [`recvd`]`(ch, s)` | r | bytes r has consumed (the ack) |
//!
//! Counts are monotonic and wrap at 2^32; a ring holds [`layout::outbox_ring_size`]
//! bytes, a power of two. Sending: wait until `SENT - RECVD` leaves room
//! (back-pressure: the sender idles until the receiver's USER interrupt);
//! write the record into the ring; store SENT, then HEAD (last) into the
//! receiver's SRAM, then raise the receiver's USER interrupt (ILATST bit 9),
//! as the mesh allows on the chip. Receiving: compare HEAD (local SRAM)
//! with RECVD, decode the record from the sender's ring, store RECVD, raise
//! the sender's USER interrupt (it may be waiting for room). Records of
//! another launch are skipped: nothing leaks into the next kernel.
//!
//! The SRAM postbox (0x200 bytes) holds only the HEAD words: 2 channels ×
//! 64 senders = 128 words, so an E64 fits the same region as an E16.
//!
//! A record never straddles the ring's end: `[header][launch][value...]`,
//! `header = words << 8 | kind` (words include both header words); a
//! [`PAD`] header skips to the end of the ring.
//!
//! A core blocked in recv/sync/bcast/reduce (or on a full ring) publishes
//! [`status::PAR_WAIT`] (what, peer, an episode number) and the line in its
//! status block, so the host can judge a deadlock (loader `run.rs`).
//!
//! [`layout::outbox_ring_size`]: crate::layout::outbox_ring_size
//! [`status::PAR_WAIT`]: crate::mailbox::status::PAR_WAIT

use crate::chip::Chip;
use crate::layout::{self, POSTBOX_SIZE};

/// Point-to-point messages.
pub const USER: u32 = 0;
/// Collectives (sync, bcast, reduce).
pub const COLL: u32 = 1;
/// Cores a postbox has HEAD words for (an E64).
pub const MAX_SENDERS: u32 = 64;

/// Byte offset of HEAD for channel `ch` from sender `s`, in the receiver's
/// postbox (from `layout::POSTBOX_START`).
pub const fn head(ch: u32, s: u32) -> u32 {
    4 * (ch * MAX_SENDERS + s)
}

/// Byte offset of SENT for channel `ch` to receiver `r`, in the sender's
/// status block.
pub const fn sent(ch: u32, r: u32) -> u32 {
    SENT_BASE + 4 * (ch * MAX_SENDERS + r)
}

/// Byte offset of RECVD for channel `ch` from sender `s`, in the receiver's
/// status block.
pub const fn recvd(ch: u32, s: u32) -> u32 {
    RECVD_BASE + 4 * (ch * MAX_SENDERS + s)
}

const SENT_BASE: u32 = 0x100;
const RECVD_BASE: u32 = 0x300;
/// End of the parallel words in the status block.
pub const STATUS_END: u32 = RECVD_BASE + 4 * 2 * MAX_SENDERS;

/// Byte offset, in the sender's DRAM area, of its ring for channel `ch` to
/// receiver `r`.
pub const fn ring(chip: Chip, ch: u32, r: u32) -> u32 {
    layout::outbox_start(chip) + (ch * chip.num_cores() + r) * layout::outbox_ring_size(chip)
}

/// Record kinds (low byte of the header).
pub const PAD: u32 = 0;
pub const MSG: u32 = 1;
pub const HEADER_WORDS: u32 = 2;

pub const fn header(kind: u32, words: u32) -> u32 {
    words << 8 | kind
}

/// What a blocked core waits for (`status::PAR_WAIT` bits 0..8).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitKind {
    Recv = 1,
    Sync = 2,
    Bcast = 3,
    Reduce = 4,
    /// Room in the ring to the peer (its receiver is behind).
    Send = 5,
    /// `wait_sent(peer)`: the peer to consume everything sent to it.
    Sent = 6,
}

impl WaitKind {
    pub const fn from_u32(v: u32) -> Option<WaitKind> {
        match v {
            1 => Some(WaitKind::Recv),
            2 => Some(WaitKind::Sync),
            3 => Some(WaitKind::Bcast),
            4 => Some(WaitKind::Reduce),
            5 => Some(WaitKind::Send),
            6 => Some(WaitKind::Sent),
            _ => None,
        }
    }

    /// How the host names it in a deadlock report.
    pub const fn describe(self) -> &'static str {
        match self {
            WaitKind::Recv => "recv",
            WaitKind::Sync => "sync",
            WaitKind::Bcast => "bcast",
            WaitKind::Reduce => "reduce",
            WaitKind::Send => "send (the receiver's ring is full)",
            WaitKind::Sent => "wait_sent",
        }
    }
}

/// `status::PAR_WAIT`: 0 when not blocked, else `kind | peer << 8 | channel
/// << 15 | episode << 16` (the episode grows with every wait, so two looks
/// that see the same word saw one unbroken wait).
pub const fn wait_word(kind: WaitKind, peer: u32, ch: u32, episode: u32) -> u32 {
    kind as u32 | (peer & 0x7F) << 8 | (ch & 1) << 15 | episode << 16
}

/// (kind, peer, channel) of a nonzero `PAR_WAIT`.
pub const fn wait_parts(word: u32) -> (u32, u32, u32) {
    (word & 0xFF, (word >> 8) & 0x7F, (word >> 15) & 1)
}

const _: () = {
    assert!(head(COLL, MAX_SENDERS - 1) + 4 <= POSTBOX_SIZE, "the HEAD words fill the postbox");
    assert!(STATUS_END <= layout::CORE_STATUS_SIZE);
    assert!(SENT_BASE >= 0x40, "after the mailbox's status words");
    assert!(crate::chip::Chip::E64.num_cores() <= MAX_SENDERS);
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_words_round_trip_for_every_core_of_an_e64() {
        for peer in 0..Chip::E64.num_cores() {
            for ch in [USER, COLL] {
                let w = wait_word(WaitKind::Reduce, peer, ch, 0xBEEF);
                assert_eq!(wait_parts(w), (WaitKind::Reduce as u32, peer, ch));
                assert_eq!(w >> 16, 0xBEEF);
                assert_ne!(w, 0, "a published wait is never 0");
            }
        }
    }

    #[test]
    fn rings_tile_the_outbox_and_words_do_not_collide() {
        for chip in [Chip::E16, Chip::E64] {
            let n = chip.num_cores();
            let size = layout::outbox_ring_size(chip);
            assert!(size.is_power_of_two());
            assert_eq!(ring(chip, COLL, n - 1) + size, layout::outbox_start(chip) + layout::outbox_size(chip));
            assert_eq!(ring(chip, USER, 0), layout::outbox_start(chip));
        }
        // SENT and RECVD of both channels for 64 cores, after the mailbox words.
        assert_eq!(sent(COLL, 63) + 4, recvd(USER, 0));
        assert_eq!(recvd(COLL, 63) + 4, STATUS_END);
        assert!(crate::mailbox::status::EPOCH < sent(USER, 0));
    }
}

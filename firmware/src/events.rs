//! The core's event ring writer (`shared_protocol::mailbox::event`). Records
//! are whole words; the core is the ring's only writer and publishes each
//! record by storing `status::EVENT_HEAD` after it. When the host has not made
//! room, the core waits for its USER interrupt (back-pressure, never overwrite).

use shared_protocol::layout::CORE_EVENT_RING_SIZE;
use shared_protocol::mailbox::{cmd, event, status, EventKind, Waiting};
use shared_protocol::value::{Full, WordSink};

use crate::platform::{Platform, Wake};
use crate::shared::Shared;

/// Where the ring and its control words live.
#[derive(Clone, Copy)]
pub struct Ring {
    /// The ring bytes in this core's DRAM area.
    pub ring: Shared,
    /// This core's status block (we write EVENT_HEAD, WAITING).
    pub status: Shared,
    /// This core's command slot (the host writes EVENT_ACK).
    pub cmd: Shared,
}

/// A record being written: words go straight into the ring after the header.
pub struct Record<'a> {
    ring: &'a Ring,
    start: u32,
    /// Words written so far, header included.
    words: u32,
    /// Room (in words) the record may use.
    limit: u32,
}

impl WordSink for Record<'_> {
    fn push(&mut self, word: u32) -> Result<(), Full> {
        if self.words >= self.limit {
            return Err(Full);
        }
        self.ring.ring.store((self.start + self.words * 4) % CORE_EVENT_RING_SIZE, word);
        self.words += 1;
        Ok(())
    }
}

/// Why an event could not be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmitError {
    /// The payload does not fit even an empty ring.
    TooBig,
    /// The core is being halted.
    Stop,
}

impl Ring {
    fn head(&self) -> u32 {
        self.status.load(status::EVENT_HEAD)
    }

    fn free_bytes(&self) -> u32 {
        let used = self.head().wrapping_sub(self.cmd.load(cmd::EVENT_ACK));
        CORE_EVENT_RING_SIZE.saturating_sub(used)
    }

    /// Wait until `bytes` are free. Records never straddle the ring's end, so
    /// a record that does not fit before the end first pads to it.
    fn reserve<P: Platform>(&self, p: &mut P, bytes: u32) -> Result<(), EmitError> {
        if bytes > CORE_EVENT_RING_SIZE / 2 {
            return Err(EmitError::TooBig);
        }
        loop {
            let head = self.head();
            let offset = head % CORE_EVENT_RING_SIZE;
            let to_end = CORE_EVENT_RING_SIZE - offset;
            let need = if bytes > to_end { to_end + bytes } else { bytes };
            if self.free_bytes() >= need {
                if bytes > to_end {
                    self.ring.store(offset, event::header(EventKind::Pad, to_end / 4));
                    self.status.store(status::EVENT_HEAD, head.wrapping_add(to_end));
                }
                return Ok(());
            }
            self.status.store(status::WAITING, Waiting::RingSpace as u32);
            p.notify_host();
            // Re-check after publishing WAITING: the host may have acked in between.
            if self.free_bytes() < need && p.wait_for_interrupt() == Wake::Stop {
                return Err(EmitError::Stop);
            }
            self.status.store(status::WAITING, Waiting::Nothing as u32);
        }
    }

    /// Write one record of at most `max_payload_words` payload words, filled
    /// by `fill`, then publish it. `fill` returning `Err(Full)` means the
    /// payload did not fit in `max_payload_words`.
    pub fn emit<P: Platform>(
        &self,
        p: &mut P,
        kind: EventKind,
        launch: u32,
        max_payload_words: u32,
        fill: impl FnOnce(&mut Record) -> Result<(), Full>,
    ) -> Result<(), EmitError> {
        let max_words = max_payload_words + event::HEADER_WORDS;
        self.reserve(p, max_words * 4)?;
        let mut rec = Record { ring: self, start: self.head() % CORE_EVENT_RING_SIZE, words: 1, limit: max_words };
        rec.push(launch).map_err(|_| EmitError::TooBig)?;
        fill(&mut rec).map_err(|_| EmitError::TooBig)?;
        let words = rec.words;
        // Header last, then the head: the host reads the record only after both.
        self.ring.store(rec.start, event::header(kind, words));
        self.status.store(status::EVENT_HEAD, self.head().wrapping_add(words * 4));
        Ok(())
    }
}

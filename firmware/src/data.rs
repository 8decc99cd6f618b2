//! Device-resident data (design.md §5: `define_on_device`, `copy_to_device`,
//! `copy_from_device`): values that outlive a launch, kept in this core's
//! data store (`layout::data_store`) in the value encoding.
//!
//! A launch names its bindings (global index, store slot) in the inbox
//! (`cmd::ARG4`/`ARG5`). Before function 0 runs, each bound global gets its
//! slot's value, built in VM memory ([`load`]); when the launch ends (even
//! with an exception or a cancel: Python keeps mutations made before an
//! exception), each bound slot gets its global's value ([`store`]), written
//! into the store's other half with the unbound slots copied, and the halves
//! flip last.

use shared_protocol::errors::{ExcType, Msg};
use shared_protocol::layout::data_store::{self, ACTIVE, SLOTS};
use shared_protocol::mailbox::cmd;
use shared_protocol::value::WordSink;

use crate::exc::Exc;
use crate::exec::{decode_onto_stack, room};
use crate::report::{self, Cycles};
use crate::service::Mailbox;
use crate::shared::Shared;
use crate::value::Value;
use crate::vm::St;

fn bad_bindings() -> Exc {
    Exc::generic(ExcType::ValueError, "malformed device-data bindings")
}

fn bad_store() -> Exc {
    Exc::generic(ExcType::ValueError, "the device-data store is corrupt")
}

/// The launch's bindings: (inbox offset, count), checked against the inbox
/// and the image (every global index and slot in range).
fn bindings(st: &St, mb: &Mailbox) -> Result<(u32, u32), Exc> {
    let (at, len) = (mb.cmd.load(cmd::ARG4), mb.cmd.load(cmd::ARG5));
    if len == 0 {
        return Ok((0, 0));
    }
    if (at | len) & 7 != 0 || len > 8 * SLOTS || !mb.inbox.contains(at, len) {
        return Err(bad_bindings());
    }
    for i in 0..len / 8 {
        let (g, slot) = (mb.inbox.load(at + 8 * i), mb.inbox.load(at + 8 * i + 4));
        if g >= st.img.n_globals || slot >= SLOTS {
            return Err(bad_bindings());
        }
    }
    Ok((at, len / 8))
}

/// The live (byte offset, words) of `slot`, or None when it is empty. An
/// entry outside the live half (a corrupt store) counts as empty.
fn entry(d: &Shared, h: u32, slot: u32) -> Option<(u32, u32)> {
    let t = data_store::table(h) + 8 * slot;
    let (off, words) = (d.load(t), d.load(t + 4));
    let (start, len) = data_store::half(d.len(), h);
    let fits = off >= start && (off - start) as u64 + 4 * words as u64 <= len as u64;
    (words != 0 && fits).then_some((off, words))
}

/// Give each bound global its slot's value (before function 0 runs).
#[inline(never)]
pub fn load(st: &mut St, mb: &Mailbox) -> Result<(), Exc> {
    let (at, n) = bindings(st, mb)?;
    let d = mb.data;
    let h = d.load(ACTIVE) & 1;
    for i in 0..n {
        let (g, slot) = (mb.inbox.load(at + 8 * i), mb.inbox.load(at + 8 * i + 4));
        let Some((mut off, words)) = entry(&d, h, slot) else { continue };
        room(st, 1)?;
        let end = off + 4 * words;
        decode_onto_stack(st, &d, &mut off, end, 1, bad_store)?;
        let v = st.pop();
        st.m.store(st.globals + 2 * g, v);
    }
    Ok(())
}

/// Keep each bound global's value in its slot (when the launch ends).
/// MemoryError when the values do not fit the store's half, ValueError for
/// a list inside itself, RecursionError past `value::MAX_DEPTH` levels;
/// the old values stay then.
#[inline(never)]
pub fn store(st: &mut St, mb: &Mailbox) -> Result<(), Exc> {
    let (at, n) = bindings(st, mb)?;
    if n == 0 {
        return Ok(());
    }
    let d = mb.data;
    let old = d.load(ACTIVE) & 1;
    let new = old ^ 1;
    let (start, len) = data_store::half(d.len(), new);
    // The one encoder (report.rs), writing into the store.
    let mut sink = report::Out { rec: None, words: 0, store: Some((d, start, start + len)) };
    let at_now = |s: &report::Out| s.store.map_or(0, |(_, at, _)| at);
    let full = || Exc::new(ExcType::MemoryError, Msg::OutOfMemory);
    for slot in 0..SLOTS {
        let bound = (0..n).find(|&i| mb.inbox.load(at + 8 * i + 4) == slot).map(|i| mb.inbox.load(at + 8 * i));
        let first = at_now(&sink);
        match bound {
            Some(g) => match st.m.load(st.globals + 2 * g) {
                // Unbound (never defined here, or `del`): the slot empties.
                Value::Unbound => {}
                v => {
                    let walk_room = crate::nest::room_after_run(st);
                    report::put_value(&mut sink, &mut st.m, v, walk_room, Cycles::Refuse)
                        .map_err(|e| e.exc(Cycles::Refuse))?
                }
            },
            None => {
                if let Some((off, words)) = entry(&d, old, slot) {
                    for w in 0..words {
                        sink.push(d.load(off + 4 * w)).map_err(|_| full())?;
                    }
                }
            }
        }
        let t = data_store::table(new) + 8 * slot;
        d.store(t, first);
        d.store(t + 4, (at_now(&sink) - first) / 4);
    }
    // Last: the new half becomes the live one.
    d.store(ACTIVE, new);
    Ok(())
}

//! The `parallel` module (design.md §8): core identity, the launch group,
//! messages between cores and the collectives over the group. The wire is
//! `shared_protocol::postbox` (rings in the sender's DRAM outbox, doorbells
//! in the receiver's SRAM postbox, USER interrupts).
//!
//! `coreid()` is the absolute core id; `numcores()` the size of the launch
//! group; peers and `bcast`'s root are absolute ids and must be in the
//! group. `send` is buffered: it returns once the message is in the
//! receiver's ring, and waits only while that ring is full. The collectives
//! run over the COLL channel, gathered at the group's lowest core (its
//! leader), which combines in core order and answers everyone.
//!
//! A waiting core idles until an interrupt (`Platform::wait_for_interrupt`)
//! and checks halt and cancel on each wake, publishing what it waits for
//! (`status::PAR_WAIT`, `PAR_LINE`) for the host's deadlock check.
//!
//! All of it runs from the DRAM code region (linker/README.md): every
//! function here is out of line and named under this module.

use shared_protocol::bytecode::Op;
use shared_protocol::chip::{DRAM_SIZE, SRAM_SIZE};
use shared_protocol::errors::{ExcType, Msg};
use shared_protocol::layout::{core_area, outbox_ring_size, CORE_STATUS, POSTBOX_SIZE, POSTBOX_START};
use shared_protocol::mailbox::{cmd, status};
use shared_protocol::natives as n;
use shared_protocol::postbox::{self as pb, WaitKind, COLL, USER};
use shared_protocol::CoreId;

use crate::exc::{Exc, Part};
use crate::exec::{decode_onto_stack, room};
use crate::ops;
use crate::platform::{Platform, Wake};
use crate::report;
use crate::seq::{self, int_of};
use crate::service::Mailbox;
use crate::shared::Shared;
use crate::value::Value;
use crate::vm::{St, Stop};

/// This core's view of the message network for one call.
struct Net {
    me: u32,
    n: u32,
    launch: u32,
    /// Launch-group membership (`cmd::GROUP_MASK_LO`, `_HI`; two words:
    /// no 64-bit shifts in the image).
    mask: [u32; 2],
    ring: u32,
    dram: Shared,
    /// This core's status block and postbox.
    status: Shared,
    postbox: Shared,
    /// This core's command slot (the host's CANCEL word).
    cmd: Shared,
}

impl Net {
    fn new<P: Platform>(p: &P, mb: &Mailbox) -> Net {
        let mask = [mb.cmd.load(cmd::GROUP_MASK_LO), mb.cmd.load(cmd::GROUP_MASK_HI)];
        // SAFETY: the platform keeps its SRAM and DRAM window mapped while
        // the firmware runs (as in `Mailbox::new`).
        let (sram, dram) = unsafe { (Shared::new(p.sram(), SRAM_SIZE), Shared::new(p.dram(), DRAM_SIZE)) };
        Net {
            me: p.core().0,
            n: p.chip().num_cores(),
            launch: mb.cmd.load(cmd::LAUNCH),
            mask,
            ring: outbox_ring_size(p.chip()),
            dram,
            status: mb.status,
            postbox: sram.sub(POSTBOX_START, POSTBOX_SIZE),
            cmd: mb.cmd,
        }
    }

    fn in_group(&self, c: u32) -> bool {
        c < self.n && self.mask.get(c as usize / 32).is_some_and(|w| w >> (c % 32) & 1 == 1)
    }

    /// The group's lowest core: it gathers the collectives.
    fn leader(&self) -> u32 {
        if self.mask[0] != 0 { self.mask[0].trailing_zeros() } else { 32 + self.mask[1].trailing_zeros() }
    }

    /// Byte offset in the DRAM window of `core`'s status block.
    fn status_of<P: Platform>(&self, p: &P, core: u32) -> u32 {
        core_area(p.chip(), CoreId(core)).0 + CORE_STATUS
    }

    /// The ring from `s` to `r` on channel `ch` (in `s`'s outbox).
    fn ring_of<P: Platform>(&self, p: &P, ch: u32, s: u32, r: u32) -> Shared {
        let at = core_area(p.chip(), CoreId(s)).0 + pb::ring(p.chip(), ch, r);
        self.dram.sub(at, self.ring)
    }
}

fn not_in_group(c: i32) -> Exc {
    Exc::new(ExcType::ValueError, Msg::NotInGroup).with(Part::Int(c))
}

/// A core id argument: an int naming a core of the launch group.
fn peer(net: &Net, v: Value, what: &'static str) -> Result<u32, Exc> {
    let c = int_of(v).ok_or_else(|| {
        Exc::new(ExcType::TypeError, Msg::ArgumentMustBe)
            .with(Part::Text(what))
            .with(Part::Text("an integer"))
            .with(Part::Text(v.type_name()))
    })?;
    if c < 0 || !net.in_group(c as u32) {
        return Err(not_in_group(c));
    }
    Ok(c as u32)
}

/// Call native `id` of this module with `argc` arguments from word `args`.
#[inline(never)]
pub fn call<P: Platform>(st: &mut St, p: &mut P, mb: &Mailbox, id: u16, args: u32) -> Result<Value, Exc> {
    let net = Net::new(p, mb);
    let a = st.m.load(args);
    let b = st.m.load(args + 2);
    Ok(match id {
        // The absolute core id, whatever the launch's target list.
        n::PARALLEL_COREID => Value::Int(net.me as i32),
        n::PARALLEL_NUMCORES => Value::Int(mb.cmd.load(cmd::GROUP_SIZE) as i32),
        n::PARALLEL_ISHOST => Value::Bool(false),
        n::PARALLEL_ISDEVICE => Value::Bool(true),
        n::PARALLEL_WTIME => Value::Float(wtime(p, mb)),
        n::PARALLEL_SEND | n::PARALLEL_NONBLOCKING_SEND => {
            let r = peer(&net, b, "send")?;
            send(st, p, &net, USER, r, a)?;
            Value::None
        }
        n::PARALLEL_RECV => {
            let s = peer(&net, a, "recv")?;
            recv(st, p, &net, USER, s, WaitKind::Recv)?
        }
        n::PARALLEL_SENDRECV => {
            let r = peer(&net, b, "sendrecv")?;
            send(st, p, &net, USER, r, a)?;
            recv(st, p, &net, USER, r, WaitKind::Recv)?
        }
        n::PARALLEL_PROBE => {
            let s = peer(&net, a, "probe")?;
            Value::Bool(next(st, p, &net, USER, s)?.is_some())
        }
        n::PARALLEL_TEST_SENT | n::PARALLEL_WAIT_SENT => {
            let r = peer(&net, a, "test_sent")?;
            loop {
                let done = net.status.load(pb::sent(USER, r)) == acked(p, &net, USER, r);
                if id == n::PARALLEL_TEST_SENT {
                    break Value::Bool(done);
                }
                if done {
                    break Value::None;
                }
                wait_for(st, p, &net, WaitKind::Sent, r, USER)?;
            }
        }
        n::PARALLEL_SYNC => {
            collective(st, p, &net, WaitKind::Sync, Value::None, 0)?;
            Value::None
        }
        n::PARALLEL_REDUCE => {
            let op = reduce_op(st, b)?;
            collective(st, p, &net, WaitKind::Reduce, a, op)?
        }
        _ => {
            let root = peer(&net, b, "bcast")?;
            bcast(st, p, &net, a, root)?
        }
    })
}

/// The operator of `reduce(value, op)`: Add, Mul, Lt (min) or Gt (max).
fn reduce_op(st: &St, v: Value) -> Result<u32, Exc> {
    if let Value::Str(s) = v {
        let byte = |i| st.m.str_byte(s, i);
        let op = match (st.m.str_len(s), byte(0), byte(1), byte(2)) {
            (3, b's', b'u', b'm') => Some(Op::Add),
            (4, b'p', b'r', b'o') if byte(3) == b'd' => Some(Op::Mul),
            (3, b'm', b'i', b'n') => Some(Op::Lt),
            (3, b'm', b'a', b'x') => Some(Op::Gt),
            _ => None,
        };
        if let Some(op) = op {
            return Ok(op as u32);
        }
    }
    Err(Exc::new(ExcType::ValueError, Msg::UnknownReduceOp).with(match v {
        Value::Str(s) => Part::Str(s),
        _ => Part::Text(v.type_name()),
    }))
}

/// `acc op x` for reduce (min/max keep the first of equals, as Python's).
fn combine(st: &mut St, op: u32, acc: Value, x: Value) -> Result<Value, Exc> {
    if op == Op::Add as u32 || op == Op::Mul as u32 {
        let op = if op == Op::Add as u32 { Op::Add } else { Op::Mul };
        return seq::binary(st, op, acc, x);
    }
    let cmp = if op == Op::Lt as u32 { Op::Lt } else { Op::Gt };
    let better = seq::binary(st, cmp, x, acc)?;
    Ok(if ops::truthy(&st.m, better) { x } else { acc })
}

/// sync (`op` unused) or reduce over the launch group: everyone sends its
/// value to the leader, which combines them in core order and sends the
/// result back to everyone.
fn collective<P: Platform>(st: &mut St, p: &mut P, net: &Net, kind: WaitKind, v: Value, op: u32) -> Result<Value, Exc> {
    let leader = net.leader();
    if net.me != leader {
        send(st, p, net, COLL, leader, v)?;
        return recv(st, p, net, COLL, leader, kind);
    }
    // The accumulator is a root while the next value is built (tmp 0).
    let mut acc = v;
    for c in (leader + 1)..net.n.min(64) {
        if !net.in_group(c) {
            continue;
        }
        let x = recv(st, p, net, COLL, c, kind)?;
        if kind == WaitKind::Reduce {
            // x stays on the operand stack (a root) while combining.
            st.push(x);
            st.tmp[0] = acc;
            let r = combine(st, op, acc, x);
            st.tmp[0] = Value::None;
            st.pop();
            acc = r?;
        }
    }
    st.tmp[0] = acc;
    for c in (leader + 1)..net.n.min(64) {
        if net.in_group(c) {
            let sent = send(st, p, net, COLL, c, acc);
            if sent.is_err() {
                st.tmp[0] = Value::None;
                sent?;
            }
        }
    }
    st.tmp[0] = Value::None;
    Ok(acc)
}

/// bcast(v, root): the root sends `v` to every other core of the group.
fn bcast<P: Platform>(st: &mut St, p: &mut P, net: &Net, v: Value, root: u32) -> Result<Value, Exc> {
    if net.me != root {
        return recv(st, p, net, COLL, root, WaitKind::Bcast);
    }
    for c in 0..net.n.min(64) {
        if c != root && net.in_group(c) {
            send(st, p, net, COLL, c, v)?;
        }
    }
    Ok(v)
}

/// What `r` has consumed of our ring to it (its RECVD word, in its status block).
fn acked<P: Platform>(p: &P, net: &Net, ch: u32, r: u32) -> u32 {
    net.dram.load(net.status_of(p, r) + pb::recvd(ch, net.me))
}

/// Send `v` to core `r` on channel `ch` (buffered: waits only while the
/// ring to `r` is full).
fn send<P: Platform>(st: &mut St, p: &mut P, net: &Net, ch: u32, r: u32, v: Value) -> Result<(), Exc> {
    let words = report::value_words(&st.m, v).saturating_add(pb::HEADER_WORDS);
    let bytes = words.saturating_mul(4);
    if bytes > net.ring {
        return Err(Exc::new(ExcType::ValueError, Msg::MessageTooLarge)
            .with(Part::Int(bytes as i32))
            .with(Part::Int(net.ring as i32)));
    }
    let ring = net.ring_of(p, ch, net.me, r);
    loop {
        let mut sent = net.status.load(pb::sent(ch, r));
        let ack = acked(p, net, ch, r);
        if sent.wrapping_sub(ack) > net.ring {
            // Counts that cannot be: one side was reloaded. Start from its count.
            sent = ack;
            net.status.store(pb::sent(ch, r), sent);
        }
        let free = net.ring - sent.wrapping_sub(ack);
        let off = sent % net.ring;
        let to_end = net.ring - off;
        if bytes > to_end && free >= to_end {
            // A record never straddles the end: pad to it first.
            ring.store(off, pb::header(pb::PAD, to_end / 4));
            publish(p, net, ch, r, sent.wrapping_add(to_end));
            continue;
        }
        if bytes <= to_end && free >= bytes {
            let mut out = report::Out { rec: None, words: 0, store: Some((ring, off + 8, off + bytes)) };
            // It fits: value_words counted exactly these words.
            let _ = report::put_value(&mut out, &st.m, v);
            ring.store(off + 4, net.launch);
            ring.store(off, pb::header(pb::MSG, words));
            publish(p, net, ch, r, sent.wrapping_add(bytes));
            return Ok(());
        }
        wait_for(st, p, net, WaitKind::Send, r, ch)?;
    }
}

/// Our SENT count, then the receiver's doorbell (HEAD, last), then its USER interrupt.
fn publish<P: Platform>(p: &mut P, net: &Net, ch: u32, r: u32, count: u32) {
    net.status.store(pb::sent(ch, r), count);
    // SAFETY: the platform keeps every core's SRAM of the chip mapped.
    let theirs = unsafe { Shared::new(p.remote_sram(CoreId(r)), SRAM_SIZE) }.sub(POSTBOX_START, POSTBOX_SIZE);
    theirs.store(pb::head(ch, net.me), count);
    p.raise_user_interrupt(CoreId(r));
}

/// The next message of this launch from `s` on `ch`, not consumed: its
/// ring, offset and words. Pads and records of other launches are consumed
/// on the way.
fn next<P: Platform>(st: &mut St, p: &mut P, net: &Net, ch: u32, s: u32) -> Result<Option<(Shared, u32, u32)>, Exc> {
    let _ = st;
    let ring = net.ring_of(p, ch, s, net.me);
    loop {
        let head = net.postbox.load(pb::head(ch, s));
        let recvd = net.status.load(pb::recvd(ch, s));
        let pending = head.wrapping_sub(recvd);
        if pending == 0 {
            return Ok(None);
        }
        let off = recvd % net.ring;
        let h = ring.load(off);
        let words = h >> 8;
        let len = words.saturating_mul(4);
        let bad = pending > net.ring || len > pending || len > net.ring - off || words == 0;
        if bad {
            // Counts or a record that cannot be (a side was reloaded): drop what is there.
            consume(p, net, ch, s, head);
            continue;
        }
        if h & 0xFF == pb::MSG && words >= pb::HEADER_WORDS && ring.load(off + 4) == net.launch {
            return Ok(Some((ring, off, words)));
        }
        consume(p, net, ch, s, recvd.wrapping_add(len));
    }
}

/// Our RECVD count, then the sender's USER interrupt (it may wait for room).
fn consume<P: Platform>(p: &mut P, net: &Net, ch: u32, s: u32, count: u32) {
    net.status.store(pb::recvd(ch, s), count);
    p.raise_user_interrupt(CoreId(s));
}

fn bad_message() -> Exc {
    Exc::generic(ExcType::ValueError, "malformed message")
}

/// Receive the next message from `s` on `ch`, waiting for it.
fn recv<P: Platform>(st: &mut St, p: &mut P, net: &Net, ch: u32, s: u32, kind: WaitKind) -> Result<Value, Exc> {
    loop {
        if let Some((ring, off, words)) = next(st, p, net, ch, s)? {
            room(st, 1)?;
            let mut at = off + 4 * pb::HEADER_WORDS;
            decode_onto_stack(st, &ring, &mut at, off + 4 * words, 1, bad_message)?;
            let v = st.pop();
            let recvd = net.status.load(pb::recvd(ch, s));
            consume(p, net, ch, s, recvd.wrapping_add(4 * words));
            return Ok(v);
        }
        wait_for(st, p, net, kind, s, ch)?;
    }
}

/// Idle until an interrupt: publish the wait, idle, clear it (before the
/// caller looks at what woke us). Halt and cancel end it (`St::stop`).
fn wait_for<P: Platform>(st: &mut St, p: &mut P, net: &Net, kind: WaitKind, peer: u32, ch: u32) -> Result<(), Exc> {
    // The cooperative stop points of design.md §8 (as vm's check_halt).
    let stop = if p.halt_requested() {
        Some(Stop::Halt)
    } else if net.launch != 0 && net.cmd.load(cmd::CANCEL) == net.launch {
        Some(Stop::Cancel)
    } else {
        let episode = net.status.load(status::PAR_EPISODE).wrapping_add(1);
        net.status.store(status::PAR_EPISODE, episode);
        net.status.store(status::PAR_LINE, st.line());
        net.status.store(status::PAR_WAIT, pb::wait_word(kind, peer, ch, episode));
        let woke = p.wait_for_interrupt();
        net.status.store(status::PAR_WAIT, 0);
        (woke == Wake::Stop).then_some(Stop::Halt)
    };
    match stop {
        None => Ok(()),
        Some(stop) => {
            // The executor (exec.rs) ends the launch with this stop.
            st.stop = Some(stop);
            Err(Exc::new(ExcType::ValueError, Msg::Empty))
        }
    }
}

/// Seconds from the core's cycle counter, extended past its wrap by the
/// words TIMER_LAST/TIMER_WRAPS (a wrap between two reads counts once).
fn wtime<P: Platform>(p: &P, mb: &Mailbox) -> f32 {
    let now = p.cycles();
    let mut wraps = mb.status.load(status::TIMER_WRAPS);
    if now < mb.status.load(status::TIMER_LAST) {
        wraps = wraps.wrapping_add(1);
        mb.status.store(status::TIMER_WRAPS, wraps);
    }
    mb.status.store(status::TIMER_LAST, now);
    let hz = p.cycles_per_second() as f32;
    (wraps as f32 * 4_294_967_296.0 + now as f32) / hz
}

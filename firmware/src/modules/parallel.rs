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
//!
//! The stack is 2.25 KB, and building a received value may run the
//! collector. So `St::call` hands these natives straight here (not through
//! `builtins::call`), a message is decoded in [`call`]'s own small frame,
//! never under the waits or the collectives, errors travel as a one-byte
//! `Stop` with the exception in `St::exc` (not as 40-byte results in every
//! frame), and `sync`/`reduce` carry numbers only (read without allocating,
//! combined with `ops::binary`).

use shared_protocol::bytecode::Op;
use shared_protocol::chip::{DRAM_SIZE, SRAM_SIZE};
use shared_protocol::errors::{ExcType, Msg};
use shared_protocol::layout::{core_area, outbox_ring_size, CORE_STATUS, POSTBOX_SIZE, POSTBOX_START};
use shared_protocol::mailbox::{cmd, status};
use shared_protocol::natives::{self as n, Kind};
use shared_protocol::postbox::{self as pb, WaitKind, COLL, USER};
use shared_protocol::value as enc;
use shared_protocol::CoreId;

use crate::exc::{Exc, Part};
use crate::exec::{decode_onto_stack, room};
use crate::ops;
use crate::platform::{Platform, Wake};
use crate::report::{self, Cycles};
use crate::seq::int_of;
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
    /// This core's status block and command slot.
    status: Shared,
    cmd: Shared,
}

impl Net {
    fn new<P: Platform>(p: &P, mb: &Mailbox) -> Net {
        Net {
            me: p.core().0,
            n: p.chip().num_cores(),
            launch: mb.cmd.load(cmd::LAUNCH),
            mask: [mb.cmd.load(cmd::GROUP_MASK_LO), mb.cmd.load(cmd::GROUP_MASK_HI)],
            ring: outbox_ring_size(p.chip()),
            dram: dram(p),
            status: mb.status,
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

    /// A core's SRAM postbox.
    fn postbox<P: Platform>(&self, p: &P, core: u32) -> Shared {
        let base = if core == self.me { p.sram() } else { p.remote_sram(CoreId(core)) };
        // SAFETY: the platform keeps every core's SRAM of the chip mapped.
        unsafe { Shared::new(base, SRAM_SIZE) }.sub(POSTBOX_START, POSTBOX_SIZE)
    }
}

fn dram<P: Platform>(p: &P) -> Shared {
    // SAFETY: the platform keeps its DRAM window mapped while the firmware
    // runs (as in `Mailbox::new`).
    unsafe { Shared::new(p.dram(), DRAM_SIZE) }
}

/// The ring from `s` to `r` on channel `ch` (in `s`'s outbox).
fn ring_of<P: Platform>(p: &P, ch: u32, s: u32, r: u32) -> Shared {
    let at = core_area(p.chip(), CoreId(s)).0 + pb::ring(p.chip(), ch, r);
    dram(p).sub(at, outbox_ring_size(p.chip()))
}

/// Call native `id` (a messaging native: `natives::is_messaging`) with the
/// `argc` arguments on top of the operand stack, and replace them and the
/// callee by its value (`St::call` returns this: `Ok(false)`, no frame
/// entered). ePython's counted forms, `send(v, pid, n)`, `recv(pid, n)` and
/// `sendrecv(v, pid, n)`, go to [`counted`].
#[inline(never)]
pub fn call<P: Platform>(st: &mut St, p: &mut P, packed: u32) -> Result<bool, Exc> {
    let (id, argc) = ((packed >> 16) as u16, packed & 0xFFFF);
    let plain = if id == n::PARALLEL_RECV { 1 } else { 2 };
    if argc == plain + 1 && matches!(id, n::PARALLEL_SEND | n::PARALLEL_RECV | n::PARALLEL_SENDRECV) {
        return counted(st, p, id, argc);
    }
    one(st, p, packed)
}

/// `send(v, pid, n)`: `v[0]` to `v[n-1]`, one message each (as ePython
/// sends them); `recv(pid, n)`: n messages, as a list; `sendrecv(v, pid,
/// n)`: each item sent, then one received, n times, as a list. Each step
/// is the plain call ([`one`]) on values pushed for it; the list being
/// filled stays rooted in the count's stack slot.
#[inline(never)]
fn counted<P: Platform>(st: &mut St, p: &mut P, id: u16, argc: u32) -> Result<bool, Exc> {
    let name = if id == n::PARALLEL_SEND { "send" } else if id == n::PARALLEL_RECV { "recv" } else { "sendrecv" };
    let count = match int_of(st.peek(0)) {
        Some(c) if c >= 0 => c as u32,
        Some(_) => return Err(Exc::new(ExcType::ValueError, Msg::NegativeCount).with(Part::Text(name))),
        None => {
            return Err(Exc::new(ExcType::TypeError, Msg::ArgumentMustBe)
                .with(Part::Text(name))
                .with(Part::Text("an integer count"))
                .with(Part::Text(st.peek(0).type_name())));
        }
    };
    let (pid, data) = (st.peek(1), st.peek(2));
    let out = if id == n::PARALLEL_SEND {
        Value::None
    } else {
        let l = st.new_list(count)?;
        st.m.set(l, crate::heap::LIST | count << 8);
        // The items stay Unbound until they arrive (the collector skips them).
        Value::List(l)
    };
    let out_slot = st.sp - 2;
    st.m.store(out_slot, out);
    for i in 0..count {
        room(st, 4)?;
        st.push(Value::None);
        if id != n::PARALLEL_RECV {
            st.push(data);
            st.push(Value::Int(i as i32));
            crate::seq::op(st, Op::LoadSubscr, 0)?;
        }
        st.push(pid);
        one(st, p, (id as u32) << 16 | (argc - 1))?;
        let v = st.pop();
        if let Value::List(l) = out {
            let base = st.m.word(l + 2) + 1;
            st.m.store(base + 2 * i, v);
        }
    }
    st.replace(argc + 1, out);
    Ok(false)
}

/// The plain call (no count). A message is decoded here, in this small
/// frame: everything else happens in [`prepare`], which has returned by then.
#[inline(never)]
fn one<P: Platform>(st: &mut St, p: &mut P, packed: u32) -> Result<bool, Exc> {
    let (id, argc) = ((packed >> 16) as u16, packed & 0xFFFF);
    let mb = Mailbox::new(p);
    let ran = match prepare(st, p, &mb, id, argc) {
        Ok(Some((ch, from, off, words))) => {
            let ring = ring_of(p, ch, from, p.core().0);
            let mut at = off + 4 * pb::HEADER_WORDS;
            let built = room(st, 1).and_then(|()| decode_onto_stack(st, &ring, &mut at, off + 4 * words, 1, bad_message));
            match built {
                Ok(()) => {
                    received(p, &mb, ch, from, words);
                    Ok(())
                }
                Err(e) => Err(e),
            }
        }
        Ok(None) => Ok(()),
        // A halt or cancel travels as a raise the executor turns back (exec.rs `finish`).
        Err(Stop::Halt) => Err(Exc::new(ExcType::ValueError, Msg::StopHalt)),
        Err(Stop::Cancel) => Err(Exc::new(ExcType::ValueError, Msg::StopCancel)),
        Err(_) => Err(st.exc),
    };
    ran?;
    if matches!(id, n::PARALLEL_SYNC | n::PARALLEL_REDUCE | n::PARALLEL_BCAST) {
        passed_barrier(&mb);
    }
    let v = st.pop();
    st.replace(argc + 1, v);
    Ok(false)
}

/// Count a barrier of the launch group passed (`status::EPOCH`): the
/// host holds this core's later prints back until every core of the group
/// has passed it too. Prints before it are in the event ring already
/// (written before this word), so the host needs no answer from anyone.
fn passed_barrier(mb: &Mailbox) {
    mb.status.store(status::EPOCH, mb.status.load(status::EPOCH).wrapping_add(1));
}

/// Everything of [`call`] but the decode: either the value is pushed on
/// the operand stack (`None`), or a message waits to be decoded (channel,
/// sender, offset in its ring, words). Errors are in `st.exc`.
#[inline(never)]
fn prepare<P: Platform>(st: &mut St, p: &mut P, mb: &Mailbox, id: u16, argc: u32) -> Result<Option<(u32, u32, u32, u32)>, Stop> {
    if let Some(&n::Native { kind: Kind::Function { min_args, max_args }, .. }) = n::get(id)
        && (argc < min_args as u32 || argc > max_args as u32)
    {
        return Err(st.raise(crate::builtins::call_error(Value::Native(id), argc)));
    }
    let net = Net::new(p, mb);
    let args = st.sp.wrapping_sub(2 * argc);
    let a = st.m.load(args);
    let b = st.m.load(args + 2);
    // What to receive: (channel, sender, wait).
    let (ch, from, kind) = match id {
        n::PARALLEL_RECV => (USER, peer(st, &net, a, "recv")?, WaitKind::Recv),
        n::PARALLEL_SEND | n::PARALLEL_NONBLOCKING_SEND | n::PARALLEL_SENDRECV => {
            let r = peer(st, &net, b, "send")?;
            send(st, p, &net, USER, r, a)?;
            if id != n::PARALLEL_SENDRECV {
                st.push(Value::None);
                return Ok(None);
            }
            (USER, r, WaitKind::Recv)
        }
        n::PARALLEL_BCAST => {
            let root = peer(st, &net, b, "bcast")?;
            if root == net.me {
                for c in 0..net.n {
                    if c != net.me && net.in_group(c) {
                        send(st, p, &net, COLL, c, a)?;
                    }
                }
                st.push(a);
                return Ok(None);
            }
            (COLL, root, WaitKind::Bcast)
        }
        _ => {
            let v = other(st, p, mb, &net, id, a, b)?;
            st.push(v);
            return Ok(None);
        }
    };
    let (_, off, words) = wait_message(st, p, &net, ch, from, kind)?;
    Ok(Some((ch, from, off, words)))
}

/// The natives that receive nothing, or numbers only.
#[inline(never)]
fn other<P: Platform>(st: &mut St, p: &mut P, mb: &Mailbox, net: &Net, id: u16, a: Value, b: Value) -> Result<Value, Stop> {
    Ok(match id {
        n::PARALLEL_ISHOST => Value::Bool(false),
        n::PARALLEL_ISDEVICE => Value::Bool(true),
        n::PARALLEL_WTIME => Value::Float(wtime(p, mb)),
        n::PARALLEL_PROBE => {
            let s = peer(st, net, a, "probe")?;
            Value::Bool(next(p, net, USER, s).is_some())
        }
        n::PARALLEL_TEST_SENT | n::PARALLEL_WAIT_SENT => {
            let r = peer(st, net, a, "test_sent")?;
            loop {
                let done = net.status.load(pb::sent(USER, r)) == acked(p, net, USER, r);
                if id == n::PARALLEL_TEST_SENT {
                    break Value::Bool(done);
                }
                if done {
                    break Value::None;
                }
                wait_for(st, p, net, WaitKind::Sent, r, USER)?;
            }
        }
        n::PARALLEL_SYNC => {
            collective(st, p, net, WaitKind::Sync, Value::None, 0)?;
            Value::None
        }
        // PARALLEL_REDUCE (St::call and the verifier let nothing else here).
        _ => {
            if !matches!(a, Value::Int(_) | Value::Float(_) | Value::Bool(_)) {
                return Err(st.raise(
                    Exc::new(ExcType::TypeError, Msg::ArgumentMustBe)
                        .with(Part::Text("reduce"))
                        .with(Part::Text("an int or a float"))
                        .with(Part::Text(a.type_name())),
                ));
            }
            let op = reduce_op(st, b)?;
            collective(st, p, net, WaitKind::Reduce, a, op)?
        }
    })
}

/// A core id argument: an int naming a core of the launch group.
fn peer(st: &mut St, net: &Net, v: Value, what: &'static str) -> Result<u32, Stop> {
    match int_of(v) {
        Some(c) if c >= 0 && net.in_group(c as u32) => Ok(c as u32),
        Some(c) => Err(st.raise(Exc::new(ExcType::ValueError, Msg::NotInGroup).with(Part::Int(c)))),
        None => Err(st.raise(
            Exc::new(ExcType::TypeError, Msg::ArgumentMustBe)
                .with(Part::Text(what))
                .with(Part::Text("an integer"))
                .with(Part::Text(v.type_name())),
        )),
    }
}

/// The operator of `reduce(value, op)`: Add, Mul, Lt (min) or Gt (max).
fn reduce_op(st: &mut St, v: Value) -> Result<u32, Stop> {
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
    let what = match v {
        Value::Str(s) => Part::Str(s),
        _ => Part::Text(v.type_name()),
    };
    Err(st.raise(Exc::new(ExcType::ValueError, Msg::UnknownReduceOp).with(what)))
}

/// `acc op x` for reduce (numbers; min/max keep the first of equals, as
/// Python's).
fn combine(st: &St, op: u32, acc: Value, x: Value) -> Result<Value, Exc> {
    if op == Op::Add as u32 || op == Op::Mul as u32 {
        let op = if op == Op::Add as u32 { Op::Add } else { Op::Mul };
        return ops::binary(&st.m, op, acc, x);
    }
    let cmp = if op == Op::Lt as u32 { Op::Lt } else { Op::Gt };
    let better = ops::binary(&st.m, cmp, x, acc)?;
    Ok(if ops::truthy(&st.m, better) { x } else { acc })
}

/// sync (`op` unused) or reduce over the launch group: everyone sends its
/// number to the leader, which combines them in core order and sends the
/// result back to everyone. Numbers travel and are read without allocating.
fn collective<P: Platform>(st: &mut St, p: &mut P, net: &Net, kind: WaitKind, v: Value, op: u32) -> Result<Value, Stop> {
    let leader = net.leader();
    if net.me != leader {
        send_number(st, p, net, leader, v)?;
        return recv_number(st, p, net, leader, kind);
    }
    let mut acc = v;
    for c in (leader + 1)..net.n {
        if net.in_group(c) {
            let x = recv_number(st, p, net, c, kind)?;
            if kind == WaitKind::Reduce {
                acc = combine(st, op, acc, x).map_err(|e| st.raise(e))?;
            }
        }
    }
    for c in (leader + 1)..net.n {
        if net.in_group(c) {
            send_number(st, p, net, c, acc)?;
        }
    }
    Ok(acc)
}

/// The next COLL message from `s`, a number (or None or a bool).
fn recv_number<P: Platform>(st: &mut St, p: &mut P, net: &Net, s: u32, kind: WaitKind) -> Result<Value, Stop> {
    let (ring, off, words) = wait_message(st, p, net, COLL, s, kind)?;
    let head = ring.load(off + 8);
    let word = ring.load(off + 12);
    let v = match (enc::tag_of(head), enc::len_of(head), words) {
        (enc::NONE, 0, 3) => Value::None,
        (enc::BOOL, b, 3) if b <= 1 => Value::Bool(b == 1),
        (enc::INT, 0, 4) => Value::Int(word as i32),
        (enc::FLOAT, 0, 4) => Value::Float(f32::from_bits(word)),
        _ => return Err(st.raise(bad_message())),
    };
    consume(p, net, COLL, s, net.status.load(pb::recvd(COLL, s)).wrapping_add(4 * words));
    Ok(v)
}

/// Send a number (or None or a bool) to `r` on the COLL channel, encoded
/// by hand (no encoder frames under the collectives).
fn send_number<P: Platform>(st: &mut St, p: &mut P, net: &Net, r: u32, v: Value) -> Result<(), Stop> {
    let (head, word, words) = match v {
        Value::Int(i) => (enc::INT, i as u32, 4),
        Value::Float(f) => (enc::FLOAT, f.to_bits(), 4),
        Value::Bool(b) => (enc::BOOL | (b as u32) << 8, 0, 3),
        _ => (enc::NONE, 0, 3),
    };
    let (ring, off, sent) = reserve(st, p, net, COLL, r, 4 * words)?;
    ring.store(off + 8, head);
    ring.store(off + 12, word);
    ring.store(off + 4, net.launch);
    ring.store(off, pb::header(pb::MSG, words));
    publish(p, net, COLL, r, sent.wrapping_add(4 * words));
    Ok(())
}

/// What `r` has consumed of our ring to it (its RECVD word, in its status block).
fn acked<P: Platform>(p: &P, net: &Net, ch: u32, r: u32) -> u32 {
    net.dram.load(core_area(p.chip(), CoreId(r)).0 + CORE_STATUS + pb::recvd(ch, net.me))
}

/// Send `v` to core `r` on channel `ch` (buffered: waits only while the
/// ring to `r` is full).
fn send<P: Platform>(st: &mut St, p: &mut P, net: &Net, ch: u32, r: u32, v: Value) -> Result<(), Stop> {
    let walk_room = crate::nest::room(st, st.sp);
    let words = match report::value_words(&mut st.m, v, walk_room, Cycles::Send) {
        Ok(words) => words.saturating_add(pb::HEADER_WORDS),
        Err(e) => return Err(st.raise(e.exc(Cycles::Send))),
    };
    let bytes = words.saturating_mul(4);
    if bytes > net.ring {
        let e = Exc::new(ExcType::ValueError, Msg::MessageTooLarge)
            .with(Part::Int(bytes as i32))
            .with(Part::Int(net.ring as i32));
        return Err(st.raise(e));
    }
    let (ring, off, sent) = reserve(st, p, net, ch, r, bytes)?;
    let mut out = report::Out { rec: None, words: 0, store: Some((ring, off + 8, off + bytes)) };
    // It fits: value_words counted exactly these words (waiting for room
    // runs no Python code and leaves the stack and its room as they were).
    let _ = report::put_value(&mut out, &mut st.m, v, walk_room, Cycles::Send);
    ring.store(off + 4, net.launch);
    ring.store(off, pb::header(pb::MSG, words));
    publish(p, net, ch, r, sent.wrapping_add(bytes));
    Ok(())
}

/// Wait until `bytes` (at most a ring) fit in the ring to `r` without
/// straddling its end (padding to the end first when they would not):
/// the ring, the record's offset and our SENT count.
fn reserve<P: Platform>(st: &mut St, p: &mut P, net: &Net, ch: u32, r: u32, bytes: u32) -> Result<(Shared, u32, u32), Stop> {
    let ring = ring_of(p, ch, net.me, r);
    // The ring size is a power of two (`layout::outbox_ring_size`).
    let mask = net.ring - 1;
    loop {
        let mut sent = net.status.load(pb::sent(ch, r));
        let ack = acked(p, net, ch, r);
        if sent.wrapping_sub(ack) > net.ring {
            // Counts that cannot be: one side was reloaded. Start from its count.
            sent = ack;
            net.status.store(pb::sent(ch, r), sent);
        }
        let free = net.ring - sent.wrapping_sub(ack);
        let off = sent & mask;
        let to_end = net.ring - off;
        if bytes > to_end && free >= to_end {
            ring.store(off, pb::header(pb::PAD, to_end / 4));
            publish(p, net, ch, r, sent.wrapping_add(to_end));
            continue;
        }
        if bytes <= to_end && free >= bytes {
            return Ok((ring, off, sent));
        }
        wait_for(st, p, net, WaitKind::Send, r, ch)?;
    }
}

/// Our SENT count, then the receiver's doorbell (HEAD, last), then its USER interrupt.
fn publish<P: Platform>(p: &mut P, net: &Net, ch: u32, r: u32, count: u32) {
    net.status.store(pb::sent(ch, r), count);
    net.postbox(p, r).store(pb::head(ch, net.me), count);
    p.raise_user_interrupt(CoreId(r));
}

/// The next message of this launch from `s` on `ch`, not consumed: its
/// ring, offset and words. Pads and records of other launches are consumed
/// on the way.
fn next<P: Platform>(p: &mut P, net: &Net, ch: u32, s: u32) -> Option<(Shared, u32, u32)> {
    let ring = ring_of(p, ch, s, net.me);
    let postbox = net.postbox(p, net.me);
    loop {
        let head = postbox.load(pb::head(ch, s));
        let recvd = net.status.load(pb::recvd(ch, s));
        let pending = head.wrapping_sub(recvd);
        if pending == 0 {
            return None;
        }
        let off = recvd & (net.ring - 1);
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
            return Some((ring, off, words));
        }
        consume(p, net, ch, s, recvd.wrapping_add(len));
    }
}

/// Our RECVD count, then the sender's USER interrupt (it may wait for room).
fn consume<P: Platform>(p: &mut P, net: &Net, ch: u32, s: u32, count: u32) {
    net.status.store(pb::recvd(ch, s), count);
    p.raise_user_interrupt(CoreId(s));
}

/// The message of `words` from `s` on `ch` is taken: count it, tell `s`.
#[inline(never)]
fn received<P: Platform>(p: &mut P, mb: &Mailbox, ch: u32, s: u32, words: u32) {
    let count = mb.status.load(pb::recvd(ch, s)).wrapping_add(4 * words);
    mb.status.store(pb::recvd(ch, s), count);
    p.raise_user_interrupt(CoreId(s));
}

fn bad_message() -> Exc {
    Exc::generic(ExcType::ValueError, "malformed message")
}

/// Wait for the next message of this launch from `s` on `ch`: its ring,
/// offset and words (the caller reads it, then counts it consumed).
fn wait_message<P: Platform>(st: &mut St, p: &mut P, net: &Net, ch: u32, s: u32, kind: WaitKind) -> Result<(Shared, u32, u32), Stop> {
    loop {
        if let Some(found) = next(p, net, ch, s) {
            return Ok(found);
        }
        wait_for(st, p, net, kind, s, ch)?;
    }
}

/// Idle until an interrupt: publish the wait, idle, clear it (before the
/// caller looks at what woke us). Halt and cancel end it.
fn wait_for<P: Platform>(st: &mut St, p: &mut P, net: &Net, kind: WaitKind, peer: u32, ch: u32) -> Result<(), Stop> {
    // The cooperative stop points of design.md §8 (as vm's check_halt).
    if p.halt_requested() {
        return Err(Stop::Halt);
    }
    if net.launch != 0 && net.cmd.load(cmd::CANCEL) == net.launch {
        return Err(Stop::Cancel);
    }
    let episode = net.status.load(status::PAR_EPISODE).wrapping_add(1);
    net.status.store(status::PAR_EPISODE, episode);
    net.status.store(status::PAR_LINE, st.line());
    net.status.store(status::PAR_WAIT, pb::wait_word(kind, peer, ch, episode));
    let woke = p.wait_for_interrupt();
    net.status.store(status::PAR_WAIT, 0);
    if woke == Wake::Stop { Err(Stop::Halt) } else { Ok(()) }
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

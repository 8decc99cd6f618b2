//! The Run command: copy the image from the inbox into the arena, verify
//! it, run function 0, and report (Print events as it runs, then a Result or
//! an Error event). The service loop then emits Done and the reply.
//!
//! The image cache: the executor remembers the verified image VM memory
//! holds and the key it came with (`cmd::IMAGE_TAG_*`, `cmd::IMAGE_EPOCH`,
//! length). A Run with the same key skips the copy and the verifier; any
//! other Run forgets it first. The host changes the epoch whenever the
//! core's memory may have changed under it (reset, fault, cancel, a new
//! open), so a held image is never stale.
//!
//! A kernel image (`header::ENTRY` != 0) goes on after function 0: the
//! argument tuple in the inbox (`cmd::ARG2`/`ARG3`, value encoding) is
//! checked and built in VM memory, the ENTRY global is called with it
//! through the VM's own call path (defaults, argument-count errors,
//! recursion), and its return value is the Result.

use shared_protocol::bytecode::header;
use shared_protocol::errors::{ExcType, Msg};
use shared_protocol::mailbox::{DoneStatus, cmd, status};
use shared_protocol::value as enc;

use crate::arena::Mem;
use crate::data;
use crate::events::EmitError;
use crate::modules::rng::Rng;
use crate::exc::{Exc, Part};
use crate::heap;
use crate::image::Image;
use crate::seq;
use crate::platform::Platform;
use crate::report;
use crate::service::{Executor, Mailbox};
use crate::shared::Shared;
use crate::verify::{self, Reject};
use crate::value::Value;
use crate::vm::{self, St, Stop};

/// The VM executor: owns the arena (this core's private SRAM words).
pub struct Vm {
    mem: &'static mut [u32],
    /// The verified image VM memory holds, and the key it was loaded with
    /// (the image cache): a Run with the same key runs it as it is.
    held: Option<Held>,
}

/// What a Run names its image by (`cmd::IMAGE_TAG_*`, `cmd::IMAGE_EPOCH`,
/// its length): the host never sends one key for two different images.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Key {
    tag: [u32; 2],
    epoch: u32,
    len: u32,
}

#[derive(Clone, Copy)]
struct Held {
    key: Key,
    img: Image,
}

impl Vm {
    pub fn new(arena: &'static mut [u8]) -> Vm {
        // SAFETY: any bit pattern is a valid u32; the aligned middle part is
        // all of the arena on the chip (ARENA_START is 8-byte aligned).
        let (_, mem, _) = unsafe { arena.align_to_mut::<u32>() };
        Vm { mem, held: None }
    }
}

impl Executor for Vm {
    // Out of line: the VM state lives in this frame, not in the service loop's.
    #[inline(never)]
    fn run<P: Platform>(
        &mut self,
        p: &mut P,
        mb: &Mailbox,
        launch: u32,
    ) -> Result<DoneStatus, EmitError> {
        let (off, len) = (mb.cmd.load(cmd::ARG0), mb.cmd.load(cmd::ARG1));
        if (off | len) & 3 != 0 || !mb.inbox.contains(off, len) {
            report::refused(p, mb, launch, Reject::Header as u32, 0)?;
            return Ok(DoneStatus::Error);
        }
        let core = p.core().0;
        let seed = core.wrapping_mul(0x9E37_79B9) ^ mb.cmd.load(cmd::BOOT_NONCE) ^ launch.wrapping_mul(0x85EB_CA6B);
        // The VM state is built in place here; loading and verifying run in
        // a frame of their own (the stack under the VM stays small).
        let key = Key { tag: [mb.cmd.load(cmd::IMAGE_TAG_LO), mb.cmd.load(cmd::IMAGE_TAG_HI)], epoch: mb.cmd.load(cmd::IMAGE_EPOCH), len };
        // Forget the held image before anything can overwrite it: a load
        // that fails halfway leaves VM memory holding no verified image.
        let cached = self.held.take().filter(|h| key.tag != [0, 0] && h.key == key).map(|h| h.img);
        let mut st = St::new(Mem { sram: &mut *self.mem, spill: mb.spill }, Rng::seeded(seed));
        match load(&mut st, mb, off, len, cached) {
            Ok(img) => {
                if key.tag != [0, 0] {
                    self.held = Some(Held { key, img });
                }
            }
            Err(bad) if bad.reason == Reject::NoRoom => {
                let e = Exc::new(ExcType::MemoryError, Msg::OutOfMemory);
                report::error(p, mb, launch, &st.m, &e, 0)?;
                return Ok(DoneStatus::Error);
            }
            Err(bad) => {
                report::refused(p, mb, launch, bad.reason as u32, bad.at)?;
                return Ok(DoneStatus::Error);
            }
        }
        let mut loaded = false;
        let mut ran = run_vm(&mut st, p, mb, launch, &mut loaded);
        if ran.is_ok() && st.m.word(st.img.base + header::ENTRY as u32) != 0 {
            ran = run_kernel(&mut st, p, mb, launch);
        }
        // Only a launch whose device data was loaded may write it back.
        let ran = if loaded { keep_data(&mut st, mb, ran) } else { ran };
        // A VM that broke its invariants may have written anywhere.
        if let Err(Stop::Internal) = ran {
            self.held = None;
        }
        finish(&mut st, ran, p, mb, launch)
    }
}

/// Copy the image from the inbox into VM memory, verify it, lay out memory;
/// or, given the `cached` image VM memory already holds (verified by an
/// earlier Run, never written since: the VM only reads an image), only lay
/// out memory around it. The image goes at word 0 of the SRAM arena when it
/// fits there with its globals, else at the start of the DRAM spill area
/// (slower to run, but SRAM then keeps the globals, frames and objects).
#[inline(never)]
fn load(st: &mut St, mb: &Mailbox, off: u32, len: u32, cached: Option<Image>) -> Result<Image, verify::Bad> {
    let no_room = verify::Bad { reason: Reject::NoRoom, at: 0 };
    if let Some(img) = cached {
        return if st.layout(img) { Ok(img) } else { Err(no_room) };
    }
    mb.status.store(status::IMAGE_LOADS, mb.status.load(status::IMAGE_LOADS).wrapping_add(1));
    let (s, words) = (st.m.sram.len() as u32, len / 4);
    // Unverified here; the verifier checks the copy against it.
    let n_globals = mb.inbox.load(off + 4 * header::N_GLOBALS as u32);
    let base = if words as u64 + 2 * n_globals as u64 <= s as u64 { 0 } else { s };
    if base as u64 + words as u64 > st.m.words() as u64 {
        return Err(no_room);
    }
    for i in 0..words {
        st.m.set(base + i, mb.inbox.load(off + 4 * i));
    }
    let img = verify::verify(&mut st.m, base, len)?;
    // ENTRY is 0 or 1 + a global's index.
    if st.m.word(base + header::ENTRY as u32) > img.n_globals {
        return Err(verify::Bad { reason: Reject::Header, at: 4 * header::ENTRY as u32 });
    }
    if st.layout(img) { Ok(img) } else { Err(no_room) }
}

/// Enter function 0 and run it (out of line: nothing of the loading and
/// verifying stays on the stack under the VM).
#[inline(never)]
fn run_vm<P: Platform>(st: &mut St, p: &mut P, mb: &Mailbox, launch: u32, loaded: &mut bool) -> Result<Value, Stop> {
    st.start()?;
    data::load(st, mb).map_err(|e| st.raise(e))?;
    *loaded = true;
    vm::run(st, p, mb, launch)
}

/// After function 0 of a kernel image returned: call the kernel. Function
/// 0 stopped at its final Return and its frame is still current: the
/// kernel is called from there, so its Return comes back to that Return,
/// which hands its value over. A call error is reported at it (the compiler
/// gives it the kernel's `def` line). Out of line and ending in a tail call
/// of the VM: no frame of it stays under the VM (the stack is 2.25 KB).
#[inline(never)]
fn run_kernel<P: Platform>(st: &mut St, p: &mut P, mb: &Mailbox, launch: u32) -> Result<Value, Stop> {
    let entry = st.m.word(st.img.base + header::ENTRY as u32);
    match enter_kernel(st, p, mb, entry.wrapping_sub(1)) {
        Ok(true) => vm::run(st, p, mb, launch),
        Ok(false) => Ok(st.pop()),
        Err(stop) => Err(stop),
    }
}

/// Push global `k` and the arguments, and call it (`Ok(true)`: a Python
/// function's frame is current, run it; `Ok(false)`: a native's value is
/// on the stack).
#[inline(never)]
fn enter_kernel<P: Platform>(st: &mut St, p: &mut P, mb: &Mailbox, k: u32) -> Result<bool, Stop> {
    let called = match args(st, mb, k) {
        Ok(argc) => st.call(p, mb, argc, None),
        Err(e) => Err(e),
    };
    called.map_err(|e| st.raise(e))
}

/// Deepest nesting of lists and tuples in a kernel's arguments, device data
/// and messages decoded here (a Result, print and str() go deeper: nest.rs).
const NEST: usize = 8;

fn bad_args() -> Exc {
    Exc::generic(ExcType::ValueError, "malformed kernel arguments")
}

/// Push global `k` and the arguments of the Run command (an encoded tuple
/// in the inbox, or nothing) on the operand stack; returns their count.
/// Everything is checked: bad data is a ValueError, too much a MemoryError.
#[inline(never)]
fn args(st: &mut St, mb: &Mailbox, k: u32) -> Result<u32, Exc> {
    let f = st.m.load(st.globals + 2 * k);
    if let Value::Unbound = f {
        let name = st.img.global_name(&st.m, k);
        return Err(Exc::new(ExcType::NameError, Msg::NameNotDefined).with(Part::Str(name)));
    }
    let (mut at, len) = (mb.cmd.load(cmd::ARG2), mb.cmd.load(cmd::ARG3));
    if (at | len) & 3 != 0 || !mb.inbox.contains(at, len) {
        return Err(bad_args());
    }
    let end = at + len;
    let argc = if len == 0 {
        0
    } else {
        let head = mb.inbox.load(at);
        at += 4;
        if enc::tag_of(head) != enc::TUPLE {
            return Err(bad_args());
        }
        enc::len_of(head)
    };
    room(st, argc + 1)?;
    st.push(f);
    decode_onto_stack(st, &mb.inbox, &mut at, end, argc, bad_args)?;
    // Nothing may follow the tuple.
    if at == end { Ok(argc) } else { Err(bad_args()) }
}

/// MemoryError unless `n` more values fit on the operand stack, in the
/// frame segment of the current frame (function 0's: it is the last one).
pub(crate) fn room(st: &St, n: u32) -> Result<(), Exc> {
    let fp = st.fp;
    let hi = st.segs.iter().find(|s| fp >= s.0 && fp < s.1).map_or(0, |s| s.1);
    if st.sp as u64 + 2 * n as u64 > hi as u64 {
        return Err(Exc::new(ExcType::MemoryError, Msg::OutOfMemory));
    }
    Ok(())
}

/// Build `count` values encoded in `src` from byte `*at` (never reading at
/// or past `end`) and push them on the operand stack (the caller checked
/// the room). Strs are copied into the heap, lists and tuples built in
/// place; every object is reachable from the stack when the next one is
/// allocated. Bad data is `bad()`, too much a MemoryError.
#[inline(never)]
pub(crate) fn decode_onto_stack(
    st: &mut St,
    src: &Shared,
    at: &mut u32,
    end: u32,
    count: u32,
    bad: fn() -> Exc,
) -> Result<(), Exc> {
    // The next word (no closure: it would be a function of its own, and
    // the outliner would call it from resident code).
    macro_rules! word {
        () => {{
            *at += 4;
            if *at > end {
                return Err(bad());
            }
            src.load(*at - 4)
        }};
    }
    // Open sequences: (word of the next item, items still to come); the
    // outermost (the values themselves) go onto the stack (word 0).
    let mut open = [(0u32, 0u32); NEST + 1];
    open[0].1 = count;
    let mut depth = 1usize;
    loop {
        // `get`s, not indexing: no panic paths (their data stays resident).
        let (slot, left) = loop {
            match depth.checked_sub(1).and_then(|d| open.get_mut(d)) {
                Some((_, 0)) => depth -= 1,
                Some((slot, left)) => break (slot, left),
                None => return Ok(()),
            }
        };
        let head = word!();
        let n = enc::len_of(head);
        let v = match enc::tag_of(head) {
            enc::NONE if n == 0 => Value::None,
            enc::BOOL if n <= 1 => Value::Bool(n == 1),
            enc::INT if n == 0 => Value::Int(word!() as i32),
            enc::FLOAT if n == 0 => Value::Float(f32::from_bits(word!())),
            enc::STR => {
                let s = st.new_str(n)?;
                for i in 0..enc::words_for_bytes(n) {
                    // The bytes past the end are 0, as in every Str.
                    let (w, left) = (word!(), n - 4 * i);
                    st.m.set(s + 1 + i, if left < 4 { w & ((1 << (8 * left)) - 1) } else { w });
                }
                if !utf8(&st.m, s) {
                    return Err(bad());
                }
                Value::Str(s)
            }
            enc::LIST => {
                // Its items are filled in below (Unbound until then).
                let l = st.new_list(n)?;
                st.m.set(l, heap::LIST | n << 8);
                Value::List(l)
            }
            enc::TUPLE => Value::Tuple(st.new_tuple(n)?),
            // A function of this image from a core of the launch: its
            // defaults (None, or a tuple as long as the function has) follow.
            enc::FUNC => {
                let next = if *at < end { src.load(*at) } else { return Err(bad()) };
                let want = if n > 0 && n < st.img.n_functions { st.img.func(&st.m, n).n_defaults } else { return Err(bad()) };
                let fits = if want == 0 { next == enc::NONE } else { next == enc::TUPLE | want << 8 };
                if !fits {
                    return Err(bad());
                }
                Value::Func(st.alloc(5, heap::FUNC | n << 8)?)
            }
            enc::NATIVE if (n as usize) < shared_protocol::natives::NATIVES.len() => Value::Native(n as u16),
            _ => return Err(bad()),
        };
        if *slot == 0 {
            st.push(v);
        } else {
            st.m.store(*slot, v);
            *slot += 2;
        }
        *left -= 1;
        // A function's one item is its defaults, in its defaults slot.
        let items = if let Value::Func(f) = v { Some((1, f + 1)) } else { seq::items(&st.m, v) };
        if let Some(items) = items {
            let Some(level) = open.get_mut(depth) else { return Err(bad()) };
            *level = (items.1, items.0);
            depth += 1;
        }
    }
}

/// Whether the Str at word `s` is well-formed UTF-8 (no overlongs, no
/// surrogates, nothing above U+10FFFF), as the verifier's is_utf8 checks
/// string constants.
fn utf8(m: &Mem, s: u32) -> bool {
    let len = m.str_len(s);
    let mut i = 0;
    while i < len {
        // Continuation count and the allowed range of the second byte.
        let (n, lo, hi) = match m.str_byte(s, i) {
            0x00..=0x7F => (0, 0, 0),
            0xC2..=0xDF => (1, 0x80, 0xBF),
            0xE0 => (2, 0xA0, 0xBF),
            0xED => (2, 0x80, 0x9F),
            0xE1..=0xEF => (2, 0x80, 0xBF),
            0xF0 => (3, 0x90, 0xBF),
            0xF1..=0xF3 => (3, 0x80, 0xBF),
            0xF4 => (3, 0x80, 0x8F),
            _ => return false,
        };
        for j in 1..n + 1 {
            let (lo, hi) = if j == 1 { (lo, hi) } else { (0x80, 0xBF) };
            if i + j >= len || !(lo..=hi).contains(&m.str_byte(s, i + j)) {
                return false;
            }
        }
        i += n + 1;
    }
    true
}

/// Keep the device-resident data when the launch ends (returned, raised or
/// cancelled; not when halted). A store that does not fit turns a return
/// into its MemoryError.
#[inline(never)]
fn keep_data(st: &mut St, mb: &Mailbox, ran: Result<Value, Stop>) -> Result<Value, Stop> {
    if let Ok(_) | Err(Stop::Raise | Stop::Cancel) = ran
        && let Err(e) = data::store(st, mb)
        && ran.is_ok()
    {
        return Err(st.raise(e));
    }
    ran
}

/// Report how a launch ended (out of line: not on the stack under the VM).
#[inline(never)]
fn finish<P: Platform>(
    st: &mut St,
    ran: Result<Value, Stop>,
    p: &mut P,
    mb: &Mailbox,
    launch: u32,
) -> Result<DoneStatus, EmitError> {
    let stop = match ran {
        Ok(v) => {
            let e = match report::result(p, mb, launch, st, v) {
                Ok(Ok(())) => return Ok(DoneStatus::Ok),
                // Nested too deep, or inside itself.
                Ok(Err(e)) => e,
                // A value bigger than the whole event ring cannot travel:
                // the kernel's MemoryError, not a core fault.
                Err(EmitError::TooBig) => Exc::new(ExcType::MemoryError, Msg::ResultTooBig),
                Err(e) => return Err(e),
            };
            report::error(p, mb, launch, &st.m, &e, st.line())?;
            return Ok(DoneStatus::Error);
        }
        Err(stop) => stop,
    };
    // Where it stopped, for the host's timeout and cancel reports too.
    let line = st.line();
    mb.status.store(status::LINE, line);
    // A halt or cancel seen in a `parallel` wait travelled as a raise
    // (here, not under the VM: its stack stays as it was).
    let stop = match stop {
        Stop::Raise if st.exc.msg == Msg::StopHalt as u8 => Stop::Halt,
        Stop::Raise if st.exc.msg == Msg::StopCancel as u8 => Stop::Cancel,
        other => other,
    };
    match stop {
        Stop::Raise => {
            report::error(p, mb, launch, &st.m, &st.exc, line)?;
            Ok(DoneStatus::Error)
        }
        Stop::Cancel => Ok(DoneStatus::Cancelled),
        Stop::Halt => Err(EmitError::Stop),
        // The service loop reports this as Fault::VmInternal.
        Stop::Internal => Err(EmitError::TooBig),
    }
}

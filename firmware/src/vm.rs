//! The dispatch loop and the VM state. Not recursive: a Python call pushes
//! a frame in VM memory and the loop carries on in the callee; a return pops
//! it. Nothing of the VM lives on the Rust stack per Python call.
//!
//! VM memory (`arena::Mem`, word offsets; SRAM first, then the DRAM spill):
//!
//! ```text
//! SRAM  image | globals | frame segment 0 | heap region 0
//! DRAM  frame segment 1 (a quarter of the spill area) | heap region 1
//! ```
//!
//! An image that does not fit in SRAM with its globals goes to DRAM first
//! (`St::layout`): SRAM then holds the globals (from word 2; they follow the
//! image in DRAM if there are too many), frame segment 0 and heap region 0.
//!
//! A frame: `prev` (0 for function 0), function index, saved pc, saved sp
//! (both written when it calls), then its locals and its operand stack, two
//! words per value. A callee's frame starts where the callee value sat on
//! the caller's stack (its arguments slide up into the callee's locals); when
//! segment 0 has no room it starts at segment 1; when neither has room:
//! RecursionError.
//!
//! It trusts what the verifier proved (opcodes known, operands complete,
//! indices in range, stack depths within 0..=MAX_STACK), and still touches
//! memory only through bounds-checked accessors.

use shared_protocol::bytecode::{Op, PRINT_HAS_END, PRINT_HAS_SEP, opcode as o};
use shared_protocol::errors::{ExcType, Msg};
use shared_protocol::mailbox::{cmd, EventKind, INPUT_EOF};
use shared_protocol::natives::{self, Kind};
use shared_protocol::value as enc;

use crate::arena::Mem;
use crate::builtins;
use crate::events::EmitError;
use crate::exc::{Exc, Part};
use crate::heap::{self, Heap, Marker};
use crate::image::{Func, Image};
use crate::ops;
use crate::platform::{Platform, Wake};
use crate::report;
use crate::seq;
use crate::service::Mailbox;
use crate::value::{T_BOOL, T_FLOAT, T_INT, T_ITER, T_LIST, Value};

/// Why the loop stopped before returning.
#[cfg_attr(test, derive(Debug))]
#[derive(Clone, Copy)]
pub enum Stop {
    /// A Python exception: `St::exc` holds it (a one-byte `Stop` keeps the
    /// `Result`s in the dispatch loop small on the 2.25 KB stack).
    Raise,
    /// The core is being halted or reset (`Platform::halt_requested`).
    Halt,
    /// `cmd::CANCEL` names this launch.
    Cancel,
    /// An invariant the verifier should have made true did not hold.
    Internal,
}

impl From<EmitError> for Stop {
    fn from(e: EmitError) -> Stop {
        match e {
            EmitError::Stop => Stop::Halt,
            EmitError::TooBig => Stop::Internal,
        }
    }
}

/// Frame header words.
const F_PREV: u32 = 0;
const F_FUNC: u32 = 1;
const F_PC: u32 = 2;
const F_SP: u32 = 3;
pub(crate) const F_LOCALS: u32 = 4;

/// The first word a frame or object may use when the image is not at word 0.
const FIRST_FREE: u32 = 2;

/// Temporary roots for natives that allocate while holding objects.
pub const TMP: usize = if cfg!(feature = "extras") { 4 } else { 0 };

/// The VM state of one launch.
pub struct St<'a> {
    pub m: Mem<'a>,
    pub img: Image,
    pub heap: Heap,
    pub globals: u32,
    /// Current frame, its function (index and entry), pc and operand sp.
    pub fp: u32,
    pub fi: u32,
    /// Byte index of the current function's code.
    pub code: u32,
    pub pc: u32,
    pub sp: u32,
    /// Frame segments (half-open word ranges).
    pub segs: [(u32, u32); 2],
    pub tmp: [Value; TMP],
    pub rng: crate::modules::rng::Rng,
    /// The exception being raised (`Stop::Raise`). A halt or cancel seen
    /// in a `parallel` wait travels as a raise of `Msg::StopHalt` or
    /// `StopCancel` (no `try` on the device: it goes straight out), which
    /// exec.rs's `finish` turns back into the stop.
    pub exc: Exc,
}

fn recursion() -> Exc {
    Exc::new(ExcType::RecursionError, Msg::RecursionDepth)
}

/// TypeError: `npos` positional arguments for function `f` (DRAM code).
#[inline(never)]
#[cold]
fn too_many_args(f: &Func, name: Part, npos: u32) -> Exc {
    let e = if f.n_defaults == 0 {
        Exc::new(ExcType::TypeError, Msg::WrongArgCount)
            .with(name)
            .with(Part::Int(f.n_params as i32))
    } else {
        Exc::new(ExcType::TypeError, Msg::WrongArgCountRange)
            .with(name)
            .with(Part::Int((f.n_params - f.n_defaults) as i32))
            .with(Part::Int(f.n_params as i32))
    };
    e.with(Part::Int(npos as i32))
}

impl<'a> St<'a> {
    /// Lay out memory after the verified image and enter function 0.
    pub fn new(m: Mem<'a>, rng: crate::modules::rng::Rng) -> St<'a> {
        St {
            m,
            img: Image::default(),
            heap: Heap {
                free: 0,
                regions: [(0, 0); 2],
            },
            globals: 0,
            fp: 0,
            fi: 0,
            code: 0,
            pc: 0,
            sp: 0,
            segs: [(0, 0); 2],
            tmp: [Value::None; TMP],
            rng,
            exc: Exc::new(ExcType::MemoryError, Msg::OutOfMemory),
        }
    }

    /// Lay out memory around the verified image `img`: its globals (unbound)
    /// right after an SRAM image, or at the start of SRAM when the image is
    /// in DRAM (after it when they do not fit there either); the rest of
    /// SRAM and of DRAM each split between a frame segment and a heap
    /// region. `false` when the globals do not fit.
    #[inline(never)]
    pub fn layout(&mut self, img: Image) -> bool {
        let m = &mut self.m;
        let s = m.sram.len() as u32;
        let total = m.words();
        let img_end = img.base + img.words;
        let g_words = 2 * img.n_globals as u64;
        // Word 0 is never a frame: a frame's `prev` 0 means function 0.
        let globals = match img.base {
            0 => img_end,
            _ if FIRST_FREE as u64 + g_words <= s as u64 => FIRST_FREE,
            _ => img_end,
        };
        let Some(g_end) = u32::try_from(globals as u64 + g_words).ok().filter(|&e| e <= total) else {
            return false;
        };
        for i in globals..g_end {
            m.set(i, 0);
        }
        let (lo, d_lo) = match (g_end <= s, img.base) {
            (true, _) => (g_end, s.max(img_end)),
            // exec.rs `load` puts an image at word 0 only with room for its globals.
            (false, 0) => return false,
            (false, _) => (FIRST_FREE, g_end),
        };
        let mid = lo + (s - lo) / 2;
        let d_mid = d_lo + (total - d_lo) / 4;
        self.heap = Heap::new(m, [(mid, s), (d_mid, total)]);
        self.img = img;
        self.globals = globals;
        self.segs = [(lo, mid), (d_lo, d_mid)];
        true
    }

    /// Enter function 0 (MemoryError, already in `exc`, when even its
    /// frame does not fit).
    pub fn start(&mut self) -> Result<(), Stop> {
        let f = self.img.func(&self.m, 0);
        let base = self.frame_at(self.segs[0].0, &f).ok_or(Stop::Raise)?;
        self.enter(base, 0, &f, 0);
        Ok(())
    }

    /// Raise `e`: keep it in `exc`.
    #[inline(never)]
    pub fn raise(&mut self, e: Exc) -> Stop {
        self.exc = e;
        Stop::Raise
    }

    /// Where a frame for `f` goes if it would start at `at`.
    #[inline(never)]
    fn frame_at(&self, at: u32, f: &Func) -> Option<u32> {
        let size = F_LOCALS + 2 * (f.n_locals + f.max_stack);
        let fits =
            |(lo, hi): (u32, u32), b: u32| b >= lo && b.checked_add(size).is_some_and(|e| e <= hi);
        if fits(self.segs[0], at) || fits(self.segs[1], at) {
            Some(at)
        } else if at < self.segs[1].0 && fits(self.segs[1], self.segs[1].0) {
            Some(self.segs[1].0)
        } else {
            None
        }
    }

    /// Make the frame at `base` for function `fi` (`f`; its locals below
    /// `bound` already in place) current.
    #[inline(never)]
    fn enter(&mut self, base: u32, fi: u32, f: &Func, bound: u32) {
        self.m.set(base + F_PREV, self.fp);
        self.m.set(base + F_FUNC, fi);
        let locals = base + F_LOCALS;
        for i in 2 * bound..2 * f.n_locals {
            self.m.set(locals + i, 0);
        }
        self.fp = base;
        self.fi = fi;
        self.code = f.code;
        self.pc = 0;
        self.sp = locals + 2 * f.n_locals;
    }

    pub fn push(&mut self, v: Value) {
        self.m.store(self.sp, v);
        self.sp = self.sp.wrapping_add(2);
    }

    pub fn pop(&mut self) -> Value {
        self.sp = self.sp.wrapping_sub(2);
        self.m.load(self.sp)
    }

    /// The value `k` below the top (0 is the top).
    pub fn peek(&self, k: u32) -> Value {
        self.m.load(self.sp.wrapping_sub(2 * (k + 1)))
    }

    /// Replace the top `n` values by `v`.
    pub fn replace(&mut self, n: u32, v: Value) {
        self.sp = self.sp.wrapping_sub(2 * n);
        self.push(v);
    }

    /// Mark from every root, then sweep.
    #[inline(never)]
    pub fn collect(&mut self) {
        let mut mk = Marker::new();
        let (m, h) = (&mut self.m, &self.heap);
        mk.mark_range(m, h, self.globals, self.img.n_globals);
        for v in self.tmp {
            mk.mark(m, h, v);
        }
        let (mut fp, mut sp) = (self.fp, self.sp);
        while fp != 0 {
            let locals = fp + F_LOCALS;
            mk.mark_range(m, h, locals, sp.saturating_sub(locals) / 2);
            fp = m.word(fp + F_PREV);
            sp = m.word(fp + F_SP);
        }
        mk.finish(m, h);
        self.heap.sweep(m);
    }

    /// A zeroed object of `words` words with head word `head`.
    pub fn alloc(&mut self, words: u32, head: u32) -> Result<u32, Exc> {
        let p = match self.heap.alloc(&mut self.m, words) {
            Some(p) => p,
            None => {
                self.collect();
                self.heap
                    .alloc(&mut self.m, words)
                    .ok_or(Exc::new(ExcType::MemoryError, Msg::OutOfMemory))?
            }
        };
        self.m.set(p, head);
        Ok(p)
    }

    /// A Str of `len` bytes (zeroed: the caller writes them).
    pub fn new_str(&mut self, len: u32) -> Result<u32, Exc> {
        if len > enc::MAX_LEN {
            return Err(Exc::new(ExcType::MemoryError, Msg::OutOfMemory));
        }
        self.alloc(1 + enc::words_for_bytes(len), heap::STR | len << 8)
    }

    /// A Str holding `bytes`.
    pub fn str_from(&mut self, bytes: &[u8]) -> Result<Value, Exc> {
        let p = self.new_str(bytes.len() as u32)?;
        for (i, &b) in bytes.iter().enumerate() {
            self.m.set_byte((p + 1) * 4 + i as u32, b);
        }
        Ok(Value::Str(p))
    }

    /// A Tuple of `n` Unbound items (the caller fills them).
    pub fn new_tuple(&mut self, n: u32) -> Result<u32, Exc> {
        self.alloc(
            n.checked_mul(2)
                .and_then(|w| w.checked_add(1))
                .ok_or_else(seq::too_long)?,
            heap::TUPLE | n << 8,
        )
    }

    /// An empty List with room for `cap` items. The List and its Array are
    /// cut from one block (two objects, each with its GC word), so neither
    /// needs rooting while the other is allocated.
    pub fn new_list(&mut self, cap: u32) -> Result<u32, Exc> {
        let words = cap
            .checked_mul(2)
            .and_then(|w| w.checked_add(5))
            .ok_or_else(seq::too_long)?;
        let p = self.alloc(words, heap::LIST)?;
        self.m.set(p - 1, 4);
        self.m.set(p + 3, 2 * cap + 2);
        self.m.set(p + 4, heap::ARRAY | cap << 8);
        self.m.store(p + 1, Value::Array(p + 4));
        Ok(p)
    }

    /// Constant `k`; Tuple constants are built as heap tuples.
    #[inline(never)]
    pub fn constant(&mut self, k: u32) -> Result<Value, Exc> {
        let at = self.img.const_at(&self.m, k);
        let head = self.m.word(at);
        if !cfg!(feature = "extras") || enc::tag_of(head) != enc::TUPLE {
            return Ok(Image::scalar_at(&self.m, at).0);
        }
        let n = enc::len_of(head);
        let t = self.new_tuple(n)?;
        let mut at = at + 1;
        for i in 0..n {
            let (v, words) = Image::scalar_at(&self.m, at);
            self.m.store(t + 1 + 2 * i, v);
            at += words;
        }
        Ok(Value::Tuple(t))
    }

    /// The source line of the current instruction.
    pub fn line(&self) -> u32 {
        self.img
            .line_of(&self.m, &self.img.func(&self.m, self.fi), self.pc)
    }

    /// Call the function object at `p` with `argc` arguments on the stack
    /// (the last `names`' length of them keywords); the callee value sits
    /// below them. Leaves the callee's frame current.
    #[inline(never)]
    fn call_function(&mut self, p: u32, argc: u32, names: Option<u32>) -> Result<(), Exc> {
        let fi = self.m.word(p) >> 8;
        let defaults = self.m.load(p + 1);
        let f = self.img.func(&self.m, fi);
        let nkw = if cfg!(feature = "extras") {
            names.map_or(0, |t| self.m.word(t) >> 8)
        } else {
            0
        };
        let npos = argc - nkw;
        let callee = self.sp - 2 * (argc + 1);
        // The function's name, for argument errors only.
        let name = |st: &St| Part::Str(st.img.func_name(&st.m, fi));
        if npos > f.n_params {
            return Err(too_many_args(&f, name(self), npos));
        }
        let base = self.frame_at(callee, &f).ok_or_else(recursion)?;
        let locals = base + F_LOCALS;
        // Keyword values go past the callee's frame first (room checked).
        let scratch = locals + 2 * (f.n_locals + f.max_stack);
        if nkw > 0 {
            let end = scratch + 2 * nkw;
            if !self.segs.iter().any(|&(lo, hi)| base >= lo && end <= hi) {
                return Err(recursion());
            }
            self.m.copy(scratch, callee + 2 + 2 * npos, 2 * nkw);
        }
        // The arguments slide up (the last first: the ranges overlap when
        // the frame starts at the callee).
        for i in (0..npos).rev() {
            self.m.copy_value(locals + 2 * i, callee + 2 + 2 * i);
        }
        let caller = self.fp;
        self.m.set(caller + F_PC, self.pc);
        self.m.set(caller + F_SP, callee);
        let (caller_fi, caller_code) = (self.fi, self.code);
        self.enter(base, fi, &f, npos);
        // Keywords, defaults and missing arguments (DRAM code): not for a
        // call that passes every parameter by position.
        let result = if nkw > 0 || npos < f.n_params {
            self.bind(&f, name(self), names, scratch, nkw, npos, defaults)
        } else {
            Ok(())
        };
        if result.is_ok() {
            // Only a closure (its closure slot is not Unbound, tag 0) goes to
            // DRAM code; plain calls stay on the fast path.
            if self.m.word(p + 3) != 0 {
                crate::closure::enter(self, p);
            }
        } else {
            // Report the error in the caller, at the call.
            self.fp = caller;
            self.fi = caller_fi;
            self.code = caller_code;
            self.pc = self.m.word(caller + F_PC);
            self.sp = callee + 2 * (argc + 1);
        }
        result
    }

    /// Bind keyword arguments and defaults in the new frame.
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    #[cfg_attr(not(feature = "extras"), allow(unused_variables))]
    fn bind(
        &mut self,
        f: &Func,
        name: Part,
        names: Option<u32>,
        kw: u32,
        nkw: u32,
        npos: u32,
        defaults: Value,
    ) -> Result<(), Exc> {
        let locals = self.fp + F_LOCALS;
        #[cfg(feature = "extras")]
        for j in 0..nkw {
            let key = match names.map(|t| self.m.load(t + 1 + 2 * j)) {
                Some(Value::Str(s)) => s,
                _ => return Err(Exc::new(ExcType::TypeError, Msg::NoKeywordArguments).with(name)),
            };
            let mut slot = None;
            for i in 0..f.n_params {
                if self.m.str_cmp(self.img.local_name(&self.m, f, i), key).is_eq() {
                    slot = Some(i);
                    break;
                }
            }
            let Some(i) = slot else {
                return Err(Exc::new(ExcType::TypeError, Msg::UnexpectedKeyword)
                    .with(name)
                    .with(Part::Str(key)));
            };
            if self.m.word(locals + 2 * i) != 0 {
                return Err(Exc::new(ExcType::TypeError, Msg::MultipleValuesForArgument)
                    .with(name)
                    .with(Part::Str(key)));
            }
            let v = self.m.load(kw + 2 * j);
            self.m.store(locals + 2 * i, v);
        }
        let first_default = f.n_params - f.n_defaults;
        for i in npos..f.n_params {
            if self.m.word(locals + 2 * i) != 0 {
                continue;
            }
            if i < first_default {
                return Err(self.missing_arguments(f, name, i));
            }
            let v = match defaults {
                Value::Tuple(t) => self.m.load(t + 1 + 2 * (i - first_default)),
                _ => Value::None,
            };
            self.m.store(locals + 2 * i, v);
        }
        Ok(())
    }

    /// TypeError naming the required parameters no argument bound, from
    /// `first` on: their names go space-separated in one new Str (the host
    /// words the list as CPython does), or, when that allocation fails, the
    /// first name alone. Cold: DRAM code (linker scripts).
    #[inline(never)]
    #[cold]
    fn missing_arguments(&mut self, f: &Func, name: Part, first: u32) -> Exc {
        let locals = self.fp + F_LOCALS;
        let missing: fn(&St, u32, u32) -> bool = |st, locals, i| st.m.word(locals + 2 * i) == 0;
        let names = first..f.n_params - f.n_defaults;
        let mut count = 0;
        let mut bytes = 0;
        for i in names.clone().filter(|&i| missing(self, locals, i)) {
            count += 1;
            bytes += 1 + self.m.str_len(self.img.local_name(&self.m, f, i));
        }
        let mut all = self.img.local_name(&self.m, f, first);
        if let Ok(p) = self.new_str(bytes - 1) {
            let mut out = (p + 1) * 4;
            for i in names {
                if !missing(self, locals, i) {
                    continue;
                }
                let n = self.img.local_name(&self.m, f, i);
                if out > (p + 1) * 4 {
                    self.m.set_byte(out, b' ');
                    out += 1;
                }
                for k in 0..self.m.str_len(n) {
                    let c = self.m.str_byte(n, k);
                    self.m.set_byte(out, c);
                    out += 1;
                }
            }
            all = p;
        }
        Exc::new(ExcType::TypeError, Msg::MissingArguments)
            .with(name)
            .with(Part::Int(count))
            .with(Part::Str(all))
    }

    /// `Call`/`CallKw`: the callee and its arguments are on the stack.
    /// `Ok(true)`: a Python function's frame is now current (run it).
    #[inline(never)]
    pub(crate) fn call<P: Platform>(
        &mut self,
        p: &mut P,
        mb: &Mailbox,
        argc: u32,
        names: Option<u32>,
    ) -> Result<bool, Exc> {
        let callee = self.sp - 2 * (argc + 1);
        let f = self.m.load(callee);
        if let Value::Func(obj) = f {
            self.call_function(obj, argc, names)?;
            return Ok(true);
        }
        #[cfg(feature = "extras")]
        if let Some(t) = names
            && self.m.word(t) >> 8 != 0
        {
            let name = match f {
                Value::Native(id) => natives::get(id).map_or("?", |n| n.name),
                _ => f.type_name(),
            };
            return Err(
                Exc::new(ExcType::TypeError, Msg::NoKeywordArguments).with(Part::Text(name))
            );
        }
        // The parallel module's messaging natives: not under builtins::call
        // (a received message is built, and may collect, under them; the
        // stack is 2.25 KB). A tail call.
        if let Value::Native(id) = f
            && natives::is_messaging(id)
        {
            return crate::modules::parallel::call(self, p, (id as u32) << 16 | argc);
        }
        let v = builtins::call(self, p, mb, f, argc, callee + 2)?;
        self.replace(argc + 1, v);
        Ok(false)
    }
}

/// The cooperative stop point: every backward jump and every call (but
/// random.random(), which returns at once: `run`'s Call arm).
#[inline(never)]
fn check_halt<P: Platform>(p: &mut P, mb: &Mailbox, launch: u32) -> Result<(), Stop> {
    #[cfg(feature = "fault-hooks")]
    match p.forced_fault() {
        Some(crate::platform::ForcedFault::Panic) => panic!("fault-hooks: the host forced a firmware panic"),
        Some(crate::platform::ForcedFault::VmInternal) => return Err(Stop::Internal),
        None => {}
    }
    if p.halt_requested() {
        return Err(Stop::Halt);
    }
    // Launch 0 is never cancelled: it is the slot's value before any cancel.
    if launch != 0 && mb.cmd.load(cmd::CANCEL) == launch {
        return Err(Stop::Cancel);
    }
    Ok(())
}

/// The opcodes that may raise an exception (and allocate).
/// Inlined: a frame of its own would add to the deepest stack chains (the
/// firmware stack is 2.25 KB).
#[inline(always)]
fn step(st: &mut St, op: Op, arg: u32) -> Result<(), Exc> {
    match op {
        Op::LoadConst => {
            let v = st.constant(arg)?;
            st.push(v);
        }
        Op::Neg | Op::Pos | Op::Not | Op::Invert => {
            let a = st.pop();
            let v = ops::unary(&st.m, op, a)?;
            st.push(v);
        }
        #[cfg(feature = "extras")]
        Op::CallMethod => {
            let v = builtins::method(st, arg & 0xFF, arg >> 8)?;
            st.replace((arg >> 8) + 1, v);
        }
        // Without the extras only `list.append` (method 0, one argument)
        // passes the verifier.
        #[cfg(not(feature = "extras"))]
        Op::CallMethod => {
            let Value::List(l) = st.peek(1) else {
                return Err(Exc::new(ExcType::AttributeError, Msg::NoMethod)
                    .with(Part::Text(st.peek(1).type_name()))
                    .with(Part::Int(i32::from(natives::METHOD_APPEND))));
            };
            seq::list_append(st, l, st.peek(0))?;
            st.replace(2, Value::None);
        }
        Op::MakeFunction => {
            // Room for a closure too (Unbound: none; closure.rs).
            let obj = st.alloc(5, heap::FUNC | arg << 8)?;
            let defaults = st.peek(0);
            st.m.store(obj + 1, defaults);
            st.replace(1, Value::Func(obj));
        }
        Op::LoadSubscr
        | Op::StoreSubscr
        | Op::LoadSlice
        | Op::LoadSliceStep
        | Op::BuildList
        | Op::BuildTuple
        | Op::UnpackSequence
        | Op::ListAppend
        | Op::GetIter => seq::op(st, op, arg)?,
        // Every other opcode is a binary operator (CallMethod without the
        // extras is refused by the verifier).
        _ => {
            binary(st, op as u8)?;
        }
    }
    Ok(())
}

/// A binary operator on the top two values, replaced by the result (also
/// returned in memory form): numbers in ops::binary, the rest (sequences,
/// `in`) in seq::binary, which is DRAM code.
#[inline(never)]
fn binary(st: &mut St, op: u8) -> Result<[u32; 2], Exc> {
    // Only binary operators come here (the dispatch loop's arm, `step`).
    let op = Op::from_u8(op).unwrap_or(Op::Nop);
    let (a, b) = (st.peek(1), st.peek(0));
    let v = match op {
        // `xs += ys` extends the list in place (every alias sees it).
        #[cfg(feature = "extras")]
        Op::InplaceAdd if matches!(a, Value::List(_)) => {
            if let Value::List(l) = a {
                builtins::list_method(st, l, u32::from(natives::METHOD_EXTEND), 1, b, Value::None)?;
            }
            a
        }
        // The ePython dialect's operators (DRAM code).
        #[cfg(feature = "extras")]
        _ if op.is_dialect() => crate::dialect::binary(st, op)?,
        _ => {
            let op = if op == Op::InplaceAdd { Op::Add } else { op };
            if numbers(&st.m, st.sp) {
                ops::binary(&st.m, op, a, b)?
            } else {
                seq::binary(st, op, a, b)?
            }
        }
    };
    st.replace(2, v);
    Ok(v.to_words())
}

/// NameError or UnboundLocalError naming global or local `k`.
#[inline(never)]
fn unbound(st: &mut St, local: bool, k: u32) -> Stop {
    let (ty, msg, name) = if local {
        let f = st.img.func(&st.m, st.fi);
        (
            ExcType::UnboundLocalError,
            Msg::LocalUnbound,
            st.img.local_name(&st.m, &f, k),
        )
    } else {
        (
            ExcType::NameError,
            Msg::NameNotDefined,
            st.img.global_name(&st.m, k),
        )
    };
    st.raise(Exc::new(ty, msg).with(Part::Str(name)))
}

/// AttributeError for `module.<native attr>`.
#[inline(never)]
fn no_attribute(st: &mut St, module: Value, attr: u32) -> Stop {
    let name = natives::get(attr as u16).map_or("?", |n| n.name);
    let (msg, owner) = match module {
        Value::Native(id) if natives::get(id).is_some_and(|n| n.kind == Kind::Module) => (
            Msg::NoModuleAttribute,
            natives::get(id).map_or("?", |n| n.name),
        ),
        _ => (Msg::NotAnObjectAttribute, module.type_name()),
    };
    st.raise(
        Exc::new(ExcType::AttributeError, msg)
            .with(Part::Text(owner))
            .with(Part::Text(name)),
    )
}

/// `Print arg`: the values (and sep/end) on the stack become a Print event.
#[inline(never)]
fn print<P: Platform>(
    st: &mut St,
    p: &mut P,
    mb: &Mailbox,
    launch: u32,
    arg: u32,
) -> Result<(), Stop> {
    let n = arg & 0xFF;
    let end = if arg & PRINT_HAS_END as u32 != 0 {
        st.pop()
    } else {
        Value::None
    };
    let sep = if arg & PRINT_HAS_SEP as u32 != 0 {
        st.pop()
    } else {
        Value::None
    };
    /// "sep must be None or a string, not int" (out of line: the frame of
    /// print, under every print, stays small; DRAM code with print).
    #[inline(never)]
    #[cold]
    fn not_str(sep: Value, end: Value) -> Exc {
        let (msg, v) = if matches!(sep, Value::None | Value::Str(_)) {
            (Msg::EndNotStr, end)
        } else {
            (Msg::SepNotStr, sep)
        };
        Exc::new(ExcType::TypeError, msg).with(Part::Text(v.type_name()))
    }
    if !matches!(sep, Value::None | Value::Str(_)) || !matches!(end, Value::None | Value::Str(_)) {
        return Err(st.raise(not_str(sep, end)));
    }
    st.sp = st.sp.wrapping_sub(2 * n);
    report::print(p, mb, launch, st, n, [sep, end])?;
    st.push(Value::None);
    Ok(())
}

/// `input()`: ask the host for a line (an Input event), wait for its answer
/// in the command slot (mailbox.rs `cmd::INPUT_*`), push it as a str.
/// Out of line and cold (DRAM code): it waits for a person anyway.
#[inline(never)]
fn input<P: Platform>(st: &mut St, p: &mut P, mb: &Mailbox, launch: u32) -> Result<(), Stop> {
    let asked = mb.cmd.load(cmd::INPUT_SEQ);
    mb.ring.emit(p, EventKind::Input, launch, 0, |_| Ok(()))?;
    p.notify_host();
    while mb.cmd.load(cmd::INPUT_SEQ) == asked {
        check_halt(p, mb, launch)?;
        if p.wait_for_interrupt() == Wake::Stop {
            return Err(Stop::Halt);
        }
    }
    let (len, off) = (mb.cmd.load(cmd::INPUT_LEN), mb.cmd.load(cmd::INPUT_OFF));
    // The host checks the line fits the inbox; a bad pair is the end of input.
    if len == INPUT_EOF || !mb.inbox.contains(off, len) {
        return Err(st.raise(Exc::new(ExcType::EOFError, Msg::EndOfInput)));
    }
    let s = st.new_str(len).map_err(|e| st.raise(e))?;
    for i in 0..len {
        let at = off + i;
        st.m.set_byte((s + 1) * 4 + i, (mb.inbox.load(at & !3) >> (at % 4 * 8)) as u8);
    }
    st.push(Value::Str(s));
    Ok(())
}

/// The four code bytes from byte `i` (little-endian): an opcode, its
/// operand, and for short instructions the next one's first bytes. Two
/// aligned word reads, however `i` is aligned.
#[inline(always)]
fn fetch(m: &Mem, i: u32) -> u32 {
    let [lo, hi] = m.pair(i / 4);
    let shift = i % 4 * 8;
    // `hi << 1 << (31 - shift)`: nothing of `hi` when `shift` is 0.
    lo >> shift | hi << 1 << (31 - shift)
}

/// Whether the top two values are numbers (bool, int or float).
fn numbers(m: &Mem, sp: u32) -> bool {
    let num = |i: u32| m.word(sp.wrapping_sub(i)).wrapping_sub(2) < 3;
    num(4) && num(2)
}

/// A native's value: a Float constant or the native itself.
fn native_value(id: u16) -> Value {
    match natives::get(id).map(|n| n.kind) {
        Some(Kind::Float(x)) => Value::Float(x),
        _ => Value::Native(id),
    }
}

/// Run the current frame (function 0) to its return value; on a stop, `st`
/// is left at the function and pc that stopped.
#[inline(never)]
pub fn run<P: Platform>(st: &mut St, p: &mut P, mb: &Mailbox, launch: u32) -> Result<Value, Stop> {
    loop {
        let at = st.pc;
        // The instruction and what follows (`fetch`), matched as bytes: the
        // operand is `arg` (a u16, or a u8 in its low byte: Call and CallKw
        // mask it), an unknown opcode ends in the default arm (`decode`).
        let w = fetch(&st.m, st.code + at);
        let b = w as u8;
        let arg = w >> 8 & 0xFFFF;
        let mut next = at + Op::len_of(b);
        match b {
            o::Nop => {}
            o::Pop => st.sp = st.sp.wrapping_sub(2),
            // Loads, stores and copies move raw words: no Value temporaries.
            o::Dup | o::Dup2 => {
                let n = if b == o::Dup { 2 } else { 4 };
                st.m.copy(st.sp, st.sp.wrapping_sub(n), n);
                st.sp = st.sp.wrapping_add(n);
            }
            // a b -> b a and a b c -> c a b: the top moves down `n` words.
            o::Rot2 | o::Rot3 => {
                let n = if b == o::Rot2 { 2 } else { 4 };
                let top = st.sp.wrapping_sub(2);
                let (t0, t1) = (st.m.word(top), st.m.word(top + 1));
                st.m.copy(top - n + 2, top - n, n);
                st.m.set(top - n, t0);
                st.m.set(top - n + 1, t1);
            }
            o::LoadNone => st.push(Value::None),
            o::LoadTrue => st.push(Value::Bool(true)),
            o::LoadFalse => st.push(Value::Bool(false)),
            o::LoadInt => st.push(Value::Int(arg as u16 as i16 as i32)),
            o::LoadGlobal | o::LoadLocal => {
                let local = b == o::LoadLocal;
                let at = if local { st.fp + F_LOCALS } else { st.globals } + 2 * arg;
                // Tag 0 is Unbound (copied above the top, which is harmless).
                if st.m.copy_value(st.sp, at) == 0 {
                    return Err(unbound(st, local, arg));
                }
                st.sp = st.sp.wrapping_add(2);
            }
            o::StoreGlobal | o::StoreLocal => {
                let at = if b == o::StoreLocal {
                    st.fp + F_LOCALS
                } else {
                    st.globals
                } + 2 * arg;
                st.sp = st.sp.wrapping_sub(2);
                st.m.copy_value(at, st.sp);
            }
            // The binary operators that ops::fast knows, on the two values
            // in place; else `binary`. A comparison followed by a
            // conditional jump takes the jump here.
            o::Add
            | o::Sub
            | o::Mul
            | o::TrueDiv
            | o::FloorDiv
            | o::Mod
            | o::InplaceAdd
            | o::Eq
            | o::Ne
            | o::Lt
            | o::Le
            | o::Gt
            | o::Ge => {
                let a = st.sp.wrapping_sub(4);
                let fast = st.m.sram_words::<4>(a).and_then(|v| {
                    let r = ops::fast(b, v[0], v[1], v[2], v[3])?;
                    [v[0], v[1]] = r;
                    Some(r)
                });
                let [tag, payload] = match fast {
                    Some(r) => r,
                    None => binary(st, b).map_err(|e| st.raise(e))?,
                };
                st.sp = a + 2;
                // The code word's next bytes: a PopJumpIf* and its target,
                // or a StoreLocal/StoreGlobal and its variable, done here.
                let then = (w >> 8) as u8;
                if tag == T_BOOL && (then == o::PopJumpIfFalse || then == o::PopJumpIfTrue) {
                    st.sp = a;
                    next = at + 4;
                    if (payload != 0) == (then == o::PopJumpIfTrue) {
                        let target = w >> 16;
                        if target <= at {
                            check_halt(p, mb, launch)?;
                        }
                        next = target;
                    }
                } else if then == o::StoreLocal || then == o::StoreGlobal {
                    let base = if then == o::StoreLocal { st.fp + F_LOCALS } else { st.globals };
                    st.m.set_pair(base + 2 * (w >> 16), [tag, payload]);
                    st.sp = a;
                    next = at + 4;
                }
            }
            // A range iterator steps here; the others in seq::next.
            o::ForIter => {
                let top = st.sp.wrapping_sub(2);
                let it = st.m.pair(top);
                let stepped = match it {
                    [T_ITER, p] => seq::range_next(&mut st.m, p),
                    _ => None,
                };
                let item = match stepped {
                    Some(item) => item.map(|i| [T_INT, i as u32]),
                    None => seq::next(st, Value::from_words(it[0], it[1]))
                        .map_err(|e| st.raise(e))?
                        .map(Value::to_words),
                };
                // `for x in ...:` stores the item at once (StoreLocal or
                // StoreGlobal: opcode in the code word, operand after).
                let store = (w >> 24) as u8;
                match item {
                    Some(item) if store == o::StoreLocal || store == o::StoreGlobal => {
                        let k = fetch(&st.m, st.code + at + 4) & 0xFFFF;
                        let base = if store == o::StoreLocal { st.fp + F_LOCALS } else { st.globals };
                        st.m.set_pair(base + 2 * k, item);
                        next = at + 6;
                    }
                    Some(item) => {
                        st.m.set_pair(st.sp, item);
                        st.sp = st.sp.wrapping_add(2);
                    }
                    None => {
                        st.sp = top;
                        next = arg;
                    }
                }
            }
            // `a[i]` and `a[i] = v` for a List or Tuple and an int in range
            // here; the rest (and every error) in seq::op.
            o::LoadSubscr | o::StoreSubscr => {
                let seq = st.m.pair(st.sp.wrapping_sub(4));
                match seq::item_word(&st.m, seq, st.m.pair(st.sp.wrapping_sub(2))) {
                    // a i -> a[i]
                    Some(item) if b == o::LoadSubscr => {
                        st.sp = st.sp.wrapping_sub(2);
                        st.m.copy_value(st.sp.wrapping_sub(2), item);
                    }
                    // v a i -> (a list's item i = v)
                    Some(item) if seq[0] == T_LIST => {
                        st.sp = st.sp.wrapping_sub(6);
                        st.m.copy_value(item, st.sp);
                    }
                    _ => {
                        let op = if b == o::LoadSubscr { Op::LoadSubscr } else { Op::StoreSubscr };
                        seq::op(st, op, 0).map_err(|e| st.raise(e))?;
                    }
                }
            }
            // Int and float constants here; the others in St::constant.
            o::LoadConst => {
                let at = st.img.const_at(&st.m, arg);
                let [head, x] = st.m.pair(at);
                let tag = enc::tag_of(head);
                if tag == enc::INT || tag == enc::FLOAT {
                    // The value encoding's tag + 1 is the memory form's.
                    st.m.set_pair(st.sp, [tag + 1, x]);
                    st.sp = st.sp.wrapping_add(2);
                } else {
                    let v = st.constant(arg).map_err(|e| st.raise(e))?;
                    st.push(v);
                }
            }
            o::LoadNative => st.push(native_value(arg as u16)),
            o::LoadModuleAttr => {
                let top = st.sp.wrapping_sub(2);
                let module = st.m.pair(top);
                let owner = natives::get(arg as u16).map_or(0, |n| n.module);
                if module != Value::Native(owner).to_words() {
                    return Err(no_attribute(st, Value::from_words(module[0], module[1]), arg));
                }
                st.m.set_pair(top, native_value(arg as u16).to_words());
            }
            o::Is | o::IsNot => {
                let a = st.sp.wrapping_sub(4);
                let same = st.m.word(a) == st.m.word(a + 2) && st.m.word(a + 1) == st.m.word(a + 3);
                st.sp = a;
                st.push(Value::Bool(same == (b == o::Is)));
            }
            o::Jump => {
                if arg <= at {
                    check_halt(p, mb, launch)?;
                }
                next = arg;
            }
            o::PopJumpIfFalse | o::PopJumpIfTrue => {
                st.sp = st.sp.wrapping_sub(2);
                if ops::truthy_at(&st.m, st.sp) == (b == o::PopJumpIfTrue) {
                    if arg <= at {
                        check_halt(p, mb, launch)?;
                    }
                    next = arg;
                }
            }
            o::JumpIfFalseOrPop | o::JumpIfTrueOrPop => {
                if ops::truthy_at(&st.m, st.sp.wrapping_sub(2)) == (b == o::JumpIfTrueOrPop) {
                    if arg <= at {
                        check_halt(p, mb, launch)?;
                    }
                    next = arg;
                } else {
                    st.sp = st.sp.wrapping_sub(2);
                }
            }
            o::Call | o::CallKw => {
                let argc = arg & 0xFF;
                // random.random(), the hot native of simulations: here, not
                // through the natives' dispatch (DRAM code), and without the
                // halt check: it returns at once (a loop around it is checked
                // at its backward jump).
                let callee = st.sp.wrapping_sub(2 * (argc + 1));
                if b == o::Call
                    && argc == 0
                    && st.m.pair(callee) == Value::Native(natives::RANDOM_RANDOM).to_words()
                {
                    let r = st.rng.random();
                    st.m.set_pair(callee, [T_FLOAT, r.to_bits()]);
                    st.sp = callee + 2;
                    st.pc = next;
                    continue;
                }
                check_halt(p, mb, launch)?;
                let names = if cfg!(feature = "extras") && b == o::CallKw {
                    match st.pop() {
                        Value::Tuple(t) if st.m.word(t) >> 8 <= argc => Some(t),
                        _ => return Err(Stop::Internal),
                    }
                } else {
                    None
                };
                st.pc = next;
                let entered = st.call(p, mb, argc, names);
                if !matches!(entered, Ok(false)) {
                    // A new frame runs from its pc 0; an error stays at the call.
                    if let Err(e) = entered {
                        st.pc = at;
                        return Err(st.raise(e));
                    }
                    continue;
                }
            }
            o::Print => print(st, p, mb, launch, arg)?,
            o::Input => input(st, p, mb, launch)?,
            o::Return => {
                let prev = st.m.word(st.fp + F_PREV);
                if prev == 0 {
                    return Ok(st.pop());
                }
                let top = st.sp.wrapping_sub(2);
                let (t0, t1) = (st.m.word(top), st.m.word(top + 1));
                st.fp = prev;
                st.fi = st.m.word(prev + F_FUNC);
                st.code = st.img.code_of(&st.m, st.fi);
                st.pc = st.m.word(prev + F_PC);
                st.sp = st.m.word(prev + F_SP) + 2;
                st.m.set(st.sp - 2, t0);
                st.m.set(st.sp - 1, t1);
                continue;
            }
            // The opcodes that may raise, out of line (`step`, closures'
            // cells), and bytes that are no opcode (the verifier lets none
            // through).
            _ => {
                let Some((op, len)) = Op::decode(b) else {
                    return Err(Stop::Internal);
                };
                // No operand, one byte or two (lengths 1, 2, 3).
                let arg = arg & [0, 0, 0xFF, 0xFFFF][len as usize & 3];
                if matches!(op, Op::MakeCell | Op::LoadDeref | Op::StoreDeref | Op::MakeClosure) {
                    crate::closure::op(st, op, arg)?;
                } else {
                    step(st, op, arg).map_err(|e| st.raise(e))?;
                }
            }
        }
        st.pc = next;
    }
}

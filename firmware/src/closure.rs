//! Closures (compiler codegen.rs has how they are compiled). A cell is a
//! 1-tuple the VM updates in place: the compiler only ever loads one to
//! build a closure, so a program never sees it as a value. A function
//! object's second value is its closure, a tuple of cells in the order of
//! its free variables, which take the local slots after its parameters.
//! Out of line and in DRAM code: closures are rare in kernels.

use shared_protocol::bytecode::{DEREF_FREE, Op};
use shared_protocol::errors::{ExcType, Msg};

use crate::exc::{Exc, Part};
use crate::heap;
use crate::value::Value;
use crate::vm::{F_LOCALS, St, Stop};

/// Run `MakeCell`, `LoadDeref`, `StoreDeref` or `MakeClosure`.
#[inline(never)]
pub fn op(st: &mut St, op: Op, arg: u32) -> Result<(), Stop> {
    let slot = arg & !(DEREF_FREE as u32);
    let local = st.fp + F_LOCALS + 2 * slot;
    match op {
        Op::MakeCell => {
            let cell = st.new_tuple(1).map_err(|e| st.raise(e))?;
            let v = st.m.load(local);
            st.m.store(cell + 1, v);
            st.m.store(local, Value::Tuple(cell));
        }
        Op::LoadDeref => {
            let v = st.m.load(cell(st, local)? + 1);
            if matches!(v, Value::Unbound) {
                return Err(unbound(st, slot, arg & DEREF_FREE as u32 != 0));
            }
            st.push(v);
        }
        Op::StoreDeref => {
            let cell = cell(st, local)?;
            let v = st.pop();
            st.m.store(cell + 1, v);
        }
        Op::MakeClosure => {
            let obj = st.alloc(5, heap::FUNC | arg << 8).map_err(|e| st.raise(e))?;
            let (defaults, cells) = (st.peek(1), st.peek(0));
            st.m.store(obj + 1, defaults);
            st.m.store(obj + 3, cells);
            st.replace(2, Value::Func(obj));
        }
        _ => return Err(Stop::Internal),
    }
    Ok(())
}

/// The cell in the local slot at word `local` (only a malformed image puts
/// anything else there).
fn cell(st: &St, local: u32) -> Result<u32, Stop> {
    match st.m.load(local) {
        Value::Tuple(t) if st.m.word(t) >> 8 == 1 => Ok(t),
        _ => Err(Stop::Internal),
    }
}

/// Reading an empty cell: UnboundLocalError for the function's own
/// variable, NameError for a free one (as CPython words them).
fn unbound(st: &mut St, slot: u32, free: bool) -> Stop {
    let f = st.img.func(&st.m, st.fi);
    let name = Part::Str(st.img.local_name(&st.m, &f, slot));
    let e = if free {
        Exc::new(ExcType::NameError, Msg::FreeUnbound)
    } else {
        Exc::new(ExcType::UnboundLocalError, Msg::LocalUnbound)
    };
    st.raise(e.with(name))
}

/// After a call bound the arguments of the closure `func` in the new frame:
/// its closure's cells go into the slots after the parameters (as many as
/// the function has locals for). The caller checked it has a closure.
#[inline(never)]
pub fn enter(st: &mut St, func: u32) {
    if let Value::Tuple(cells) = st.m.load(func + 3) {
        let f = st.img.func(&st.m, st.m.word(func) >> 8);
        let (n_params, n_locals) = (f.n_params, f.n_locals);
        let n = (st.m.word(cells) >> 8).min(n_locals.saturating_sub(n_params));
        st.m.copy(st.fp + F_LOCALS + 2 * n_params, cells + 1, 2 * n);
    }
}

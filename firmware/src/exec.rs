//! The Run command: copy the image from the inbox into the arena, verify
//! it, run function 0, and report (Print events as it runs, then a Result or
//! an Error event). The service loop then emits Done and the reply.

use shared_protocol::errors::{ExcType, Msg};
use shared_protocol::mailbox::{DoneStatus, cmd, status};

use crate::arena::Mem;
use crate::events::EmitError;
use crate::modules::rng::Rng;
use crate::exc::Exc;
use crate::platform::Platform;
use crate::report;
use crate::service::{Executor, Mailbox};
use crate::verify::{self, Reject};
use crate::value::Value;
use crate::vm::{self, St, Stop};

/// The VM executor: owns the arena (this core's private SRAM words).
pub struct Vm {
    mem: &'static mut [u32],
}

impl Vm {
    pub fn new(arena: &'static mut [u8]) -> Vm {
        // SAFETY: any bit pattern is a valid u32; the aligned middle part is
        // all of the arena on the chip (ARENA_START is 8-byte aligned).
        let (_, mem, _) = unsafe { arena.align_to_mut::<u32>() };
        Vm { mem }
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
        let mut st = St::new(Mem { sram: &mut *self.mem, spill: mb.spill }, Rng::seeded(seed));
        match load(&mut st, mb, off, len) {
            Ok(()) => {}
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
        let ran = run_vm(&mut st, p, mb, launch);
        finish(&st, ran, p, mb, launch)
    }
}

/// Copy the image from the inbox into the arena, verify it, lay out memory.
#[inline(never)]
fn load(st: &mut St, mb: &Mailbox, off: u32, len: u32) -> Result<(), verify::Bad> {
    let m = &mut *st.m.sram;
    if len / 4 > m.len() as u32 {
        return Err(verify::Bad { reason: Reject::NoRoom, at: 0 });
    }
    for i in 0..len / 4 {
        crate::arena::set_word(m, i as usize, mb.inbox.load(off + 4 * i));
    }
    let img = verify::verify(m, len)?;
    st.layout(img);
    Ok(())
}

/// Enter function 0 and run it (out of line: nothing of the loading and
/// verifying stays on the stack under the VM).
#[inline(never)]
fn run_vm<P: Platform>(st: &mut St, p: &mut P, mb: &Mailbox, launch: u32) -> Result<Value, Stop> {
    st.start()?;
    vm::run(st, p, mb, launch)
}

/// Report how a launch ended (out of line: not on the stack under the VM).
#[inline(never)]
fn finish<P: Platform>(
    st: &St,
    ran: Result<Value, Stop>,
    p: &mut P,
    mb: &Mailbox,
    launch: u32,
) -> Result<DoneStatus, EmitError> {
    let stop = match ran {
        Ok(v) => {
            report::result(p, mb, launch, &st.m, v)?;
            return Ok(DoneStatus::Ok);
        }
        Err(stop) => stop,
    };
    // Where it stopped, for the host's timeout and cancel reports too.
    let line = st.line();
    mb.status.store(status::LINE, line);
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

//! The Run command: copy the image from the inbox into the arena, verify
//! it, run function 0, and report (Print events as it runs, then a Result or
//! an Error event). The service loop then emits Done and the reply.

use shared_protocol::errors::{ExcType, Msg};
use shared_protocol::mailbox::{DoneStatus, cmd, status};

use crate::events::EmitError;
use crate::exc::Exc;
use crate::platform::Platform;
use crate::report;
use crate::service::{Executor, Mailbox};
use crate::verify::{self, Reject};
use crate::vm::{self, Stop};

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
    fn run<P: Platform>(
        &mut self,
        p: &mut P,
        mb: &Mailbox,
        launch: u32,
    ) -> Result<DoneStatus, EmitError> {
        let m = &mut *self.mem;
        let (off, len) = (mb.cmd.load(cmd::ARG0), mb.cmd.load(cmd::ARG1));
        if (off | len) & 3 != 0 || !mb.inbox.contains(off, len) {
            report::refused(p, mb, launch, Reject::Header as u32, 0)?;
            return Ok(DoneStatus::Error);
        }
        let checked = if len / 4 > m.len() as u32 {
            Err(verify::Bad {
                reason: Reject::NoRoom,
                at: 0,
            })
        } else {
            for i in 0..len / 4 {
                crate::arena::set_word(m, i as usize, mb.inbox.load(off + 4 * i));
            }
            verify::verify(m, len)
        };
        let img = match checked {
            Ok(img) => img,
            Err(bad) if bad.reason == Reject::NoRoom => {
                report::error(
                    p,
                    mb,
                    launch,
                    m,
                    &Exc::new(ExcType::MemoryError, Msg::OutOfMemory),
                    0,
                )?;
                return Ok(DoneStatus::Error);
            }
            Err(bad) => {
                report::refused(p, mb, launch, bad.reason as u32, bad.at)?;
                return Ok(DoneStatus::Error);
            }
        };
        let (stop, pc) = match vm::run(m, &img, p, mb, launch) {
            Ok(v) => {
                report::result(p, mb, launch, m, v)?;
                return Ok(DoneStatus::Ok);
            }
            Err(stopped) => stopped,
        };
        // Where it stopped, for the host's timeout and cancel reports too.
        let line = img.line_of(m, &img.func(m, 0), pc);
        mb.status.store(status::LINE, line);
        match stop {
            Stop::Raise(e) => {
                report::error(p, mb, launch, m, &e, line)?;
                Ok(DoneStatus::Error)
            }
            Stop::Cancel => Ok(DoneStatus::Cancelled),
            Stop::Halt => Err(EmitError::Stop),
            // The service loop reports this as Fault::VmInternal.
            Stop::Internal => Err(EmitError::TooBig),
        }
    }
}

//! Running one program on one core with the host calls serviced here, as
//! the loader services them on a board (shared-protocol `traps`): the ISS's
//! tests, its benchmark and fuzzing use this; the simulated device's cores
//! are serviced by the loader through the device file instead.

use shared_protocol::traps::{self, EBADF, EFAULT, ENOSYS, SYS_WRITE};

use crate::core::{Core, Fault, Stop};
use crate::insn::Size;
use crate::mem::Mesh;

/// How a hosted run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exit {
    /// `trap 3` (or `trap 4`, "passed": 0).
    Code(i32),
    /// `trap 5` from the runtime's exception handler: EXCAUSE and the
    /// address after the faulting instruction.
    Failed { excause: u32, iret: u32 },
    /// A trap number the host does not serve.
    UnknownTrap { num: u8, pc: u32 },
    /// The core stopped on a fault.
    Fault(Fault),
    /// `bkpt`.
    Breakpoint { pc: u32 },
    /// `idle` with no interrupt that could ever wake it.
    Asleep { pc: u32 },
    /// The instruction limit was reached.
    Limit,
}

/// A finished hosted run: what the program wrote (fd 1 and 2 interleaved)
/// and how it ended.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub output: Vec<u8>,
    pub exit: Exit,
    pub instructions: u64,
    pub cycles: u64,
}

/// The most one write call may ask for (a runaway length is EFAULT).
const MAX_WRITE: u32 = 1 << 20;

/// Runs `core` from its current state for at most `limit` instructions,
/// serving its host calls.
pub fn run(core: &mut Core, mesh: &mut impl Mesh, limit: u64) -> Outcome {
    let start = core.instructions;
    let mut output = Vec::new();
    let exit = loop {
        let left = limit.saturating_sub(core.instructions - start);
        if left == 0 {
            break Exit::Limit;
        }
        match core.run(mesh, left.min(1 << 20)) {
            Stop::Budget => continue,
            Stop::Idle => break Exit::Asleep { pc: core.pc },
            Stop::Breakpoint => break Exit::Breakpoint { pc: core.pc.wrapping_sub(2) },
            Stop::Fault(f) => break Exit::Fault(f),
            Stop::Trap { num } => match num {
                traps::TRAP_EXIT => break Exit::Code(core.r[0] as i32),
                traps::TRAP_PASS => break Exit::Code(0),
                traps::TRAP_FAIL => break Exit::Failed { excause: core.r[0], iret: core.r[1] },
                traps::TRAP_WRITE => {
                    write_call(core, mesh, &mut output);
                    core.resume();
                }
                traps::TRAP_SYSCALL => {
                    if core.r[3] == SYS_WRITE {
                        write_call(core, mesh, &mut output);
                    } else {
                        core.r[0] = u32::MAX;
                        core.r[3] = ENOSYS;
                    }
                    core.resume();
                }
                num => break Exit::UnknownTrap { num, pc: core.pc.wrapping_sub(2) },
            },
        }
    };
    Outcome { output, exit, instructions: core.instructions - start, cycles: core.cycles }
}

/// write(r0 = fd, r1 = buffer, r2 = length): r0 = bytes written, r3 = errno.
fn write_call(core: &mut Core, mesh: &mut impl Mesh, output: &mut Vec<u8>) {
    let (fd, buf, len) = (core.r[0], core.r[1], core.r[2]);
    let (r0, r3) = if fd != 1 && fd != 2 {
        (u32::MAX, EBADF)
    } else if len > MAX_WRITE {
        (u32::MAX, EFAULT)
    } else {
        match (0..len).map(|i| core.peek(mesh, buf.wrapping_add(i), Size::Byte).map(|b| b as u8)).collect::<Option<Vec<u8>>>() {
            Some(bytes) => {
                output.extend_from_slice(&bytes);
                (len, 0)
            }
            None => (u32::MAX, EFAULT),
        }
    };
    core.r[0] = r0;
    core.r[3] = r3;
}

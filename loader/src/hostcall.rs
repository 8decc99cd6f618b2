//! Host calls of Epiphany programs (`epython device run`): a program's
//! `trap` halts its core; the host finds the trap at PC - 2, serves the
//! call through the core's registers and memory and resumes it, as a
//! debugger does on the board (shared-protocol `traps`, reference: TRAP).
//! The same code serves a board and a simulator file in ISA mode.

use shared_protocol::chip::{self, debugcmd, debugstatus, reg, DRAM_BASE, DRAM_SIZE, REG_PAGE_OFFSET, SRAM_SIZE};
use shared_protocol::traps::{self, EBADF, EFAULT, ENOSYS, SYS_WRITE};
use shared_protocol::{CoreId, MeshCoreId};

use crate::device::Device;
use crate::error::LoaderError;

/// What a halted core asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostCall {
    /// The program wrote `bytes` to `fd` (1 or 2); the core was resumed.
    Output { fd: u32, bytes: Vec<u8> },
    /// `trap 3` (or `trap 4`, "passed": 0): the core stays halted.
    Exit { code: i32 },
    /// `trap 5` from the runtime's exception handler: EXCAUSE and the
    /// address after the faulting instruction. The core stays halted.
    Failed { excause: u32, iret: u32 },
    /// A trap the host does not serve: the core stays halted.
    UnknownTrap { num: u8, pc: u32 },
    /// Halted, not on a trap (`bkpt`, a debugger's halt, a fault).
    Halted { pc: u32 },
}

/// The most one write may ask for; a longer one is refused with EFAULT.
const MAX_WRITE: u32 = 1 << 20;

/// Per core, the call last served and not yet seen resumed: the PC of its
/// trap and the r0/r3 the host put there. A core still halted there with
/// those values has not run since (on a simulator the resume takes effect
/// a moment later); a new call at the same trap carries its own arguments.
#[derive(Default)]
pub struct HostCalls {
    served: Vec<Option<(u32, u32, u32)>>,
}

impl HostCalls {
    pub fn new() -> HostCalls {
        HostCalls::default()
    }

    fn slot(&mut self, core: CoreId) -> &mut Option<(u32, u32, u32)> {
        let i = core.0 as usize;
        if self.served.len() <= i {
            self.served.resize(i + 1, None);
        }
        &mut self.served[i]
    }
}

impl Device {
    fn gpr(&self, core: CoreId, r: u32) -> u32 {
        self.reg_read(core, REG_PAGE_OFFSET + 4 * r)
    }

    fn set_gpr(&self, core: CoreId, r: u32, value: u32) {
        self.reg_write(core, REG_PAGE_OFFSET + 4 * r, value)
    }

    /// `len` bytes at `addr` as `core` sees memory: its own SRAM (local or
    /// global address), another core's SRAM, or the DRAM window. None when
    /// the span is not inside one of them.
    pub fn read_core_memory(&self, core: CoreId, addr: u32, len: u32) -> Option<Vec<u8>> {
        let end = addr.checked_add(len)?;
        let (window, offset, limit) = if addr < 1 << chip::CORE_SLOT_SHIFT {
            (self.sram(core), addr, SRAM_SIZE)
        } else if (DRAM_BASE..DRAM_BASE + DRAM_SIZE).contains(&addr) {
            (self.dram_window(), addr - DRAM_BASE, DRAM_SIZE)
        } else {
            let owner = self.chip.core_of_mesh_id(MeshCoreId(addr >> chip::CORE_SLOT_SHIFT))?;
            (self.sram(owner), addr & ((1 << chip::CORE_SLOT_SHIFT) - 1), SRAM_SIZE)
        };
        if offset.checked_add(len)? > limit || end < addr {
            return None;
        }
        // Word reads (the mapping is only read by aligned words, §8).
        let start = offset & !3;
        let bytes = window.read_bytes(start as usize, (offset - start + len) as usize);
        Some(bytes[(offset - start) as usize..].to_vec())
    }

    /// If `core` is halted on a host call, serve it: a write is done and the
    /// core resumed; an exit or failure leaves it halted. Ok(None): the core
    /// is running (or its last call was served and it has not run since).
    pub fn serve_host_call(&self, core: CoreId, calls: &mut HostCalls) -> Result<Option<HostCall>, LoaderError> {
        self.check_core(core)?;
        if self.reg_read(core, reg::DEBUGSTATUS) & debugstatus::HALT == 0 {
            *calls.slot(core) = None;
            return Ok(None);
        }
        let pc = self.reg_read(core, reg::PC);
        if *calls.slot(core) == Some((pc, self.gpr(core, 0), self.gpr(core, 3))) {
            return Ok(None);
        }
        let trap_at = pc.wrapping_sub(2);
        let num = self
            .read_core_memory(core, trap_at, 2)
            .and_then(|b| traps::trap_number(u16::from_le_bytes([b[0], b[1]]) as u32));
        let Some(num) = num else { return Ok(Some(HostCall::Halted { pc })) };
        let call = match num {
            traps::TRAP_EXIT => HostCall::Exit { code: self.gpr(core, 0) as i32 },
            traps::TRAP_PASS => HostCall::Exit { code: 0 },
            traps::TRAP_FAIL => HostCall::Failed { excause: self.gpr(core, 0), iret: self.gpr(core, 1) },
            traps::TRAP_SYSCALL => {
                let (fd, buf, len, number) = (self.gpr(core, 0), self.gpr(core, 1), self.gpr(core, 2), self.gpr(core, 3));
                let (result, errno, output) = if number != SYS_WRITE {
                    (u32::MAX, ENOSYS, None)
                } else if fd != 1 && fd != 2 {
                    (u32::MAX, EBADF, None)
                } else if len > MAX_WRITE {
                    (u32::MAX, EFAULT, None)
                } else {
                    match self.read_core_memory(core, buf, len) {
                        Some(bytes) => (len, 0, Some(bytes)),
                        None => (u32::MAX, EFAULT, None),
                    }
                };
                self.set_gpr(core, 0, result);
                self.set_gpr(core, 3, errno);
                *calls.slot(core) = Some((pc, result, errno));
                // Resume after the trap (PC already points there).
                self.reg_write(core, reg::DEBUGCMD, debugcmd::RUN);
                self.notify(core);
                return Ok(output.map(|bytes| HostCall::Output { fd, bytes }));
            }
            num => HostCall::UnknownTrap { num, pc: trap_at },
        };
        *calls.slot(core) = Some((pc, self.gpr(core, 0), self.gpr(core, 3)));
        Ok(Some(call))
    }
}

//! Running arbitrary bytes as code: the body of the `iss_code` fuzz target
//! (fuzz/) and of the random-code tests (tests/random_code.rs). Whatever the
//! bytes are, the core must end in a [`Stop`] the host can report, and the
//! simulator must not panic.

use crate::core::{Core, Stop};
use crate::mem::{Region, SharedMem, SRAM_SIZE};

/// Instructions one run may take.
pub const BUDGET: u64 = 20_000;

/// Loads `data` as a core's state and code and runs it: the first 64 bytes
/// are r0..r15 (little-endian words; r13, the stack pointer, is kept in
/// SRAM), the next 4 the PC (somewhere in the image), the rest the SRAM
/// image from address 0 (the IVT and code). A 64 KB DRAM window sits at 0x8E000000. Traps are served
/// by resuming; idle is woken by a USER interrupt a few times. Returns how
/// the core stopped last.
pub fn run_bytes(data: &[u8]) -> Stop {
    let word = |i: usize| {
        let mut b = [0u8; 4];
        for (j, x) in b.iter_mut().enumerate() {
            *x = data.get(4 * i + j).copied().unwrap_or(0);
        }
        u32::from_le_bytes(b)
    };
    let sram = SharedMem::new();
    let image = data.get(68..).unwrap_or(&[]);
    let image = &image[..image.len().min(SRAM_SIZE as usize)];
    sram.load_bytes(0, image);
    let mut core = Core::new(0x808, sram);
    for r in 0..16 {
        core.r[r] = word(r);
    }
    core.r[13] = 0x7FF0 - (word(13) & 0x3FF8);
    core.pc = (word(16) % (image.len().max(2) as u32)) & !1;
    core.set_active(true);
    let mut dram = Region::new(0x8E00_0000, 1 << 16, true);
    let mut last = Stop::Budget;
    let mut wakes = 0;
    while core.instructions < BUDGET {
        last = core.run(&mut dram, BUDGET - core.instructions);
        match last {
            Stop::Trap { .. } | Stop::Breakpoint => core.resume(),
            Stop::Idle if wakes < 4 => {
                wakes += 1;
                core.write_reg(crate::core::regs::IMASK, 0).ok();
                core.raise(1 << crate::core::irq::USER);
                if !core.can_wake() {
                    break;
                }
            }
            Stop::Budget => {}
            _ => break,
        }
    }
    last
}

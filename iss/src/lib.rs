//! An instruction-set simulator for the Adapteva Epiphany-III core.
//!
//! The specification is the Epiphany Architecture Reference (REV 14.03.11)
//! and binutils' CGEN description `cpu/epiphany.cpu`; `epiphany-elf-objdump`
//! is the independent decoder the tests compare against.
//!
//! | module    | what it holds                                                  |
//! |-----------|----------------------------------------------------------------|
//! | `insn`    | the typed instruction ([`Insn`]) and its operand types         |
//! | `decode`  | the encoding table and [`decode`]: word -> [`Decoded`]         |
//! | `disasm`  | [`disassemble`]: objdump's syntax                              |
//! | `mem`     | the core's SRAM ([`Sram`]) and the [`Mesh`] beyond it          |
//! | `fpu`     | single-precision arithmetic as the FPU rounds and flushes it  |
//! | `core`    | [`Core`]: registers, interrupts, the execute loop              |
//! | `hosted`  | one program on one core with its host calls served here       |
//! | `arbitrary` | any bytes as code (the fuzz target's and tests' body)        |
//!
//! Facts the implementation follows, with their sources: `ARCH-NOTES.md`.

pub mod arbitrary;
mod core;
mod decode;
mod disasm;
pub mod hosted;
pub mod fpu;
mod insn;
mod mem;

pub use crate::core::{
    Core, ExCause, Fault, Profile, REG_PAGE, REG_PAGE_END, Stop, cost, irq, regs, status,
};
pub use decode::{decode, insn_len};
pub use disasm::{disassemble, reg_name, special_name};
pub use insn::*;
pub use mem::{Mesh, NoMesh, Region, SharedMem, Sram, SRAM_SIZE};

//! The firmware each core runs: boot, then the service loop (idle → command →
//! run → report → idle) over the mailbox of `shared_protocol::mailbox`.
//!
//! no_std, no allocator, no statics: in the simulator every core is a thread
//! of one process, so all state lives in the arena and on the stack.
//!
//! | module      | what it does                                                  |
//! |-------------|---------------------------------------------------------------|
//! | `service`   | boot and the command loop                                     |
//! | `exec`      | the Run command: copy, verify, run, report                    |
//! | `verify`    | the bytecode verifier                                         |
//! | `image`     | reading a verified image (functions, constants, lines)        |
//! | `vm`        | the dispatch loop, frames, calls                              |
//! | `closure`   | cells and closures                                            |
//! | `heap`      | objects in VM memory, allocator, mark-sweep collector         |
//! | `seq`       | lists, tuples, strs, ranges, iterators: subscripts, slices... |
//! | `strings`   | str methods                                                   |
//! | `unicode`   | case mapping and character classes, as CPython's              |
//! | `repr`      | repr of lists and tuples                                      |
//! | `value`     | the VM's values                                               |
//! | `arena`     | bounds-checked VM memory: the SRAM arena, then DRAM spill     |
//! | `ops`       | arithmetic and comparison semantics                           |
//! | `float`     | floor and fmod without libm or 64-bit division                |
//! | `exc`       | exceptions raised on the core                                 |
//! | `builtins`  | calling natives; `modules::*` implement them                  |
//! | `report`    | encoding prints, results and errors into events               |
//! | `nest`      | walking nested lists and tuples without recursion, cycles     |
//! | `dialect`   | the ePython dialect's `/`, `%`, `+` and `input()`             |
#![cfg_attr(firmware_target, no_std)]

pub mod arena;
pub mod builtins;
pub mod closure;
pub mod data;
#[cfg(feature = "extras")]
pub mod dialect;
pub mod events;
pub mod exc;
pub mod exec;
pub mod float;
pub mod heap;
pub mod image;
pub mod modules;
pub mod nest;
pub mod ops;
pub mod platform;
pub mod report;
#[cfg(feature = "extras")]
pub mod repr;
pub mod seq;
pub mod service;
pub mod shared;
#[cfg(feature = "extras")]
pub mod strings;
#[cfg(feature = "extras")]
pub mod unicode;
pub mod value;
pub mod verify;
pub mod vm;

#[cfg(test)]
mod tests;

#[cfg(feature = "fault-hooks")]
pub use platform::ForcedFault;
pub use platform::{Platform, Wake};

// Identifies this firmware build: a hash of its sources (crate firmware-id),
// reported in `status::BUILD_ID` at boot and in the Epiphany ELF's header.
include!(concat!(env!("OUT_DIR"), "/build_id.rs"));

/// The firmware's entry point: boot and serve commands. Returns only when the
/// platform reports the core is being halted or reset.
pub fn run<P: Platform>(p: &mut P) {
    let mut vm = exec::Vm::new(p.arena());
    service::serve(p, &mut vm);
}

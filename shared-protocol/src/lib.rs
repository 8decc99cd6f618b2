//! The contract between every part of epython.
//!
//! Firmware (no_std), compiler, simulator and loader all import this crate, so
//! the memory map, the mailbox and the bytecode cannot drift apart:
//!
//! | module      | what it defines                                                    |
//! |-------------|--------------------------------------------------------------------|
//! | [`chip`]    | the Epiphany memory map: mesh addresses, registers, DRAM window    |
//! | [`layout`]  | THE layout table: per-core SRAM regions and per-core DRAM areas    |
//! | [`mailbox`] | host→core command slot, core→host status block and event ring     |
//! | [`value`]   | how values travel (prints, results, arguments, constants)          |
//! | [`bytecode`]| the bytecode image format and the one opcode table                 |
//! | [`postbox`] | core→core messages of the `parallel` module (rings, doorbells) |
//! | [`natives`] | the device's modules and builtin functions, by number              |
//! | [`errors`]  | exception types and message codes (text lives on the host)        |
//! | [`numfmt`]  | the one int/float formatter (no core::fmt), used by both sides     |
//! | [`sim`]     | the simulator file's info page (not part of the real device)       |
//! | [`traps`]   | host calls of Epiphany programs (`trap N`): numbers and registers  |
#![no_std]

pub mod bytecode;
pub mod chip;
pub mod errors;
pub mod layout;
pub mod mailbox;
pub mod natives;
pub mod numfmt;
pub mod postbox;
pub mod sim;
pub mod traps;
pub mod value;

/// Version of everything in this crate that crosses a boundary (memory layout,
/// mailbox, value encoding). Bump it on any incompatible change: the firmware
/// reports it at boot and the loader refuses a mismatch.
pub const PROTOCOL_VERSION: u32 = 7;

pub use chip::{Chip, CoreId, MeshAddr, MeshCoreId};

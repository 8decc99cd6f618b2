//! The firmware each core runs: boot, then the service loop (idle → command →
//! run → report → idle) over the mailbox of `shared_protocol::mailbox`.
//!
//! no_std, no allocator, no statics: in the simulator every core is a thread
//! of one process, so all state lives in the arena and on the stack.
#![cfg_attr(target_os = "none", no_std)]

pub mod events;
pub mod platform;
pub mod service;
pub mod shared;

pub use platform::{Platform, Wake};

use shared_protocol::mailbox::DoneStatus;

/// Identifies this firmware build; reported in `status::BUILD_ID` at boot.
pub const BUILD_ID: u32 = 0x0001_0000 | shared_protocol::PROTOCOL_VERSION;

/// The firmware's entry point: boot and serve commands. Returns only when the
/// platform reports the core is being halted or reset.
pub fn run<P: Platform>(p: &mut P) {
    let mut exec = NoVm;
    service::serve(p, &mut exec);
}

/// Placeholder executor until the VM lands: every Run ends as an error-free no-op.
struct NoVm;

impl service::Executor for NoVm {
    fn run<P: Platform>(&mut self, _p: &mut P, _mb: &service::Mailbox, _launch: u32) -> Result<DoneStatus, events::EmitError> {
        Ok(DoneStatus::Ok)
    }
}

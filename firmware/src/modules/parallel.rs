//! The `parallel` module: core identity and the launch group (design.md §8).
//! Messaging (send/recv, collectives) comes with the postbox.

use shared_protocol::mailbox::cmd;
use shared_protocol::natives::{PARALLEL_COREID, PARALLEL_NUMCORES};

use crate::platform::Platform;
use crate::service::Mailbox;
use crate::value::Value;

/// Call native `id` of this module; `None` if it is not one of ours.
pub fn call<P: Platform>(p: &mut P, mb: &Mailbox, id: u16) -> Option<Value> {
    match id {
        // The absolute core id, whatever the launch's target list.
        PARALLEL_COREID => Some(Value::Int(p.core().0 as i32)),
        PARALLEL_NUMCORES => Some(Value::Int(mb.cmd.load(cmd::GROUP_SIZE) as i32)),
        _ => None,
    }
}

//! Calling native functions: argument count checks, then dispatch to the
//! module that implements them.

use shared_protocol::errors::{ExcType, Msg};
use shared_protocol::natives::{self, Kind};

use crate::exc::{Exc, Part};
use crate::modules;
use crate::platform::Platform;
use crate::service::Mailbox;
use crate::value::Value;

/// Call `f` with `args` (arena Values, 2 words each, already on the stack).
pub fn call<P: Platform>(p: &mut P, mb: &Mailbox, f: Value, argc: u32) -> Result<Value, Exc> {
    let not_callable =
        || Exc::new(ExcType::TypeError, Msg::NotCallable).with(Part::Text(f.type_name()));
    let Value::Native(id) = f else {
        return Err(not_callable());
    };
    let Some(native) = natives::get(id) else {
        return Err(not_callable());
    };
    let Kind::Function { min_args, max_args } = native.kind else {
        return Err(not_callable());
    };
    if argc < min_args as u32 || argc > max_args as u32 {
        return Err(Exc::new(ExcType::TypeError, Msg::WrongArgCount)
            .with(Part::Text(native.name))
            .with(Part::Int(max_args as i32))
            .with(Part::Int(argc as i32)));
    }
    modules::parallel::call(p, mb, id).ok_or_else(not_callable)
}

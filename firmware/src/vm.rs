//! The dispatch loop. Not recursive: one frame (function 0; user function
//! calls are not in this slice's opcode table). The globals, locals and the
//! operand stack are arena words after the image (see `arena`).
//!
//! It trusts what the verifier proved (opcodes known, operands complete,
//! indices in range, stack depths within 0..=MAX_STACK), and still touches
//! the arena only through bounds-checked accessors.

use shared_protocol::bytecode::{Op, Operand, PRINT_HAS_END, PRINT_HAS_SEP};
use shared_protocol::errors::{ExcType, Msg};
use shared_protocol::mailbox::cmd;
use shared_protocol::natives::{self, Kind};

use crate::arena::{self, byte, half, load, store};
use crate::builtins;
use crate::events::EmitError;
use crate::exc::{Exc, Part};
use crate::image::Image;
use crate::ops;
use crate::platform::Platform;
use crate::report;
use crate::service::Mailbox;
use crate::value::Value;

/// Why the loop stopped before returning.
#[cfg_attr(test, derive(Debug))]
pub enum Stop {
    /// A Python exception.
    Raise(Exc),
    /// The core is being halted or reset (`Platform::halt_requested`).
    Halt,
    /// `cmd::CANCEL` names this launch.
    Cancel,
    /// An invariant the verifier should have made true did not hold.
    Internal,
}

impl From<EmitError> for Stop {
    fn from(e: EmitError) -> Stop {
        match e {
            EmitError::Stop => Stop::Halt,
            EmitError::TooBig => Stop::Internal,
        }
    }
}

/// The cooperative stop point: every backward jump and every call.
fn check_halt<P: Platform>(p: &mut P, mb: &Mailbox, launch: u32) -> Result<(), Stop> {
    if p.halt_requested() {
        return Err(Stop::Halt);
    }
    // Launch 0 is never cancelled: it is the slot's value before any cancel.
    if launch != 0 && mb.cmd.load(cmd::CANCEL) == launch {
        return Err(Stop::Cancel);
    }
    Ok(())
}

/// Run function 0 of the verified image `img` to its return value, or say
/// why it stopped and at which pc.
pub fn run<P: Platform>(
    m: &mut [u32],
    img: &Image,
    p: &mut P,
    mb: &Mailbox,
    launch: u32,
) -> Result<Value, (Stop, u32)> {
    let mut pc = 0;
    execute(m, img, p, mb, launch, &mut pc).map_err(|stop| (stop, pc))
}

/// The loop; it leaves `pc` at the instruction that stopped it.
fn execute<P: Platform>(
    m: &mut [u32],
    img: &Image,
    p: &mut P,
    mb: &Mailbox,
    launch: u32,
    pc: &mut u32,
) -> Result<Value, Stop> {
    let f = img.func(m, 0);
    let globals = img.words as usize;
    let locals = globals + 2 * img.n_globals as usize;
    let base = locals + 2 * f.n_locals as usize;
    // Unbound is all zero bits.
    for i in globals..base {
        arena::set_word(m, i, 0);
    }
    // `sp`: the first free stack word. Wrapping arithmetic: a broken
    // invariant must not panic, only read zeros through the accessors.
    let mut sp = base;
    macro_rules! pop {
        () => {{
            sp = sp.wrapping_sub(2);
            load(m, sp)
        }};
    }
    macro_rules! push {
        ($v:expr) => {{
            let v = $v;
            store(m, sp, v);
            sp = sp.wrapping_add(2);
        }};
    }
    loop {
        let at = *pc;
        let raise = Stop::Raise;
        let code = (f.code + at) as usize;
        let Some(op) = Op::from_u8(byte(m, code)) else {
            return Err(Stop::Internal);
        };
        let arg = match op.operand() {
            Operand::None => 0,
            Operand::U8 => byte(m, code + 1) as u32,
            Operand::U16 | Operand::I16 => half(m, code + 1),
        };
        let mut next = at + op.len() as u32;
        match op {
            Op::Nop => {}
            Op::Pop => sp = sp.wrapping_sub(2),
            Op::Dup => push!(load(m, sp.wrapping_sub(2))),
            Op::Rot2 => {
                let b = pop!();
                let a = pop!();
                push!(b);
                push!(a);
            }
            Op::LoadNone => push!(Value::None),
            Op::LoadTrue => push!(Value::Bool(true)),
            Op::LoadFalse => push!(Value::Bool(false)),
            Op::LoadInt => push!(Value::Int(arg as u16 as i16 as i32)),
            Op::LoadConst => push!(img.constant(m, arg)),
            Op::LoadGlobal => {
                let v = load(m, globals + 2 * arg as usize);
                if v == Value::Unbound {
                    let name = img.global_name(m, arg);
                    return Err(raise(
                        Exc::new(ExcType::NameError, Msg::NameNotDefined).with(Part::Str(name)),
                    ));
                }
                push!(v);
            }
            Op::StoreGlobal => {
                let v = pop!();
                store(m, globals + 2 * arg as usize, v);
            }
            Op::LoadLocal => {
                let v = load(m, locals + 2 * arg as usize);
                if v == Value::Unbound {
                    // The image has no local names: the detail is the slot.
                    return Err(raise(
                        Exc::new(ExcType::NameError, Msg::LocalUnbound).with(Part::Int(arg as i32)),
                    ));
                }
                push!(v);
            }
            Op::StoreLocal => {
                let v = pop!();
                store(m, locals + 2 * arg as usize, v);
            }
            Op::LoadNative => push!(Value::Native(arg as u16)),
            Op::LoadModuleAttr => {
                let module = pop!();
                let attr = natives::get(arg as u16);
                let owner = attr.map_or(0, |n| n.module);
                if module != Value::Native(owner) {
                    let name = attr.map_or("?", |n| n.name);
                    let e = match module {
                        Value::Native(id)
                            if natives::get(id).is_some_and(|n| n.kind == Kind::Module) =>
                        {
                            let module_name = natives::get(id).map_or("?", |n| n.name);
                            Exc::new(ExcType::AttributeError, Msg::NoModuleAttribute)
                                .with(Part::Text(module_name))
                        }
                        _ => Exc::new(ExcType::AttributeError, Msg::NotAnObjectAttribute)
                            .with(Part::Text(module.type_name())),
                    };
                    return Err(raise(e.with(Part::Text(name))));
                }
                push!(Value::Native(arg as u16));
            }
            Op::Neg | Op::Pos | Op::Not | Op::Invert => {
                let a = pop!();
                push!(ops::unary(m, op, a).map_err(raise)?);
            }
            Op::Jump => {
                if arg <= at {
                    check_halt(p, mb, launch)?;
                }
                next = arg;
            }
            Op::PopJumpIfFalse | Op::PopJumpIfTrue => {
                let a = pop!();
                if ops::truthy(m, a) == (op == Op::PopJumpIfTrue) {
                    if arg <= at {
                        check_halt(p, mb, launch)?;
                    }
                    next = arg;
                }
            }
            Op::JumpIfFalseOrPop | Op::JumpIfTrueOrPop => {
                let a = load(m, sp.wrapping_sub(2));
                if ops::truthy(m, a) == (op == Op::JumpIfTrueOrPop) {
                    if arg <= at {
                        check_halt(p, mb, launch)?;
                    }
                    next = arg;
                } else {
                    sp = sp.wrapping_sub(2);
                }
            }
            Op::Call => {
                check_halt(p, mb, launch)?;
                let callee = sp.wrapping_sub(2 * (arg as usize + 1));
                let result = builtins::call(p, mb, load(m, callee), arg).map_err(raise)?;
                sp = callee;
                push!(result);
            }
            Op::Print => {
                let n = arg & 0xFF;
                let end = if arg & PRINT_HAS_END as u32 != 0 {
                    pop!()
                } else {
                    Value::None
                };
                let sep = if arg & PRINT_HAS_SEP as u32 != 0 {
                    pop!()
                } else {
                    Value::None
                };
                for text in [sep, end] {
                    if !matches!(text, Value::None | Value::Str(_)) {
                        return Err(raise(Exc::generic(
                            ExcType::TypeError,
                            "print() sep and end must be None or a string",
                        )));
                    }
                }
                sp = sp.wrapping_sub(2 * n as usize);
                report::print(p, mb, launch, m, sp, n, [sep, end])?;
                push!(Value::None);
            }
            Op::Return => return Ok(pop!()),
            // Every other opcode is a binary operator.
            _ => {
                let b = pop!();
                let a = pop!();
                push!(ops::binary(m, op, a, b).map_err(raise)?);
            }
        }
        *pc = next;
    }
}

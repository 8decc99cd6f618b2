//! Host tests: images built by `builder`, run through the real service loop
//! on `mock::Mock`, checked through the events the host would read.

mod builder;
#[cfg(feature = "extras")]
mod extras;
mod lang;
mod mock;

use std::format;
use std::string::String;
use std::vec::Vec;

use shared_protocol::bytecode::{Op, PRINT_HAS_END, PRINT_HAS_SEP};
use shared_protocol::errors::{ExcType, Msg};
use shared_protocol::mailbox::{DoneStatus, EventKind};
use shared_protocol::natives::{PARALLEL, PARALLEL_COREID, PARALLEL_NUMCORES};
use shared_protocol::value::{Reader, Token, unpack_bytes};

use builder::{Asm, Builder, C, image_of};
use mock::{Event, Mock};

/// Render an encoded value stream as text: `5 2.5 'hi' True None (2 ...`.
fn render(words: &[u32]) -> String {
    let mut r = Reader::new(words);
    let mut out = Vec::new();
    while !r.is_empty() {
        out.push(match r.token().expect("well-formed payload") {
            Token::None => "None".into(),
            Token::Bool(b) => if b { "True" } else { "False" }.into(),
            Token::Int(i) => format!("{i}"),
            Token::Float(f) => format!("{f:?}"),
            Token::Str { len, words } | Token::Opaque { len, words } => {
                let mut b = vec![0u8; len as usize];
                unpack_bytes(words, len, &mut b);
                format!("'{}'", String::from_utf8(b).unwrap())
            }
            Token::List(n) => format!("[{n}"),
            Token::Tuple(n) => format!("({n}"),
        });
    }
    out.join(" ")
}

/// A Print payload: the epoch word, sep, end, the count word, then the values.
fn render_print(words: &[u32]) -> String {
    // The epoch first: these programs pass no barrier.
    assert_eq!(words[0], 0, "a print before any barrier is of epoch 0");
    let words = &words[1..];
    let mut r = Reader::new(words);
    r.token().unwrap();
    r.token().unwrap();
    let at = r.position();
    let mut out = render(&words[..at]);
    out.push_str(&format!(" {} ", words[at]));
    out.push_str(&render(&words[at + 1..]));
    out
}

/// The host's rule (loader/src/mailbox.rs): the detail is None, a Str or a
/// Tuple, with exactly as many values as the message has `{}`s.
fn check_details(payload: &[u32]) {
    let holes = Msg::from_u32(payload[1])
        .unwrap()
        .text()
        .matches("{}")
        .count();
    let mut r = Reader::new(&payload[3..]);
    let n = match r.token().unwrap() {
        Token::None => 0,
        Token::Str { .. } => 1,
        Token::Tuple(n) => n as usize,
        other => panic!("detail {other:?}"),
    };
    assert_eq!(n, holes, "{:?}", Msg::from_u32(payload[1]));
}

/// How a run ended, as the host sees it.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// The Result event's value, rendered.
    Value(String),
    /// The Error event: type, message, line, rendered detail.
    Error(ExcType, Msg, u32, String),
}

fn run_mock(mut mock: Mock) -> (Mock, Vec<Event>) {
    crate::run(&mut mock);
    let events = mock.events();
    (mock, events)
}

/// Run one image; the events, with the final Done checked and removed.
fn run_image(image: Vec<u32>) -> Vec<Event> {
    let mut mock = Mock::new(3);
    mock.post(image);
    let (_, mut events) = run_mock(mock);
    let done = events.pop().expect("a Done event");
    assert_eq!(done.kind, EventKind::Done as u32);
    events
}

fn outcome_of(events: &[Event]) -> Outcome {
    let last = events.last().expect("a Result or Error event");
    match EventKind::from_u32(last.kind) {
        Some(EventKind::Result) => Outcome::Value(render(&last.payload)),
        Some(EventKind::Error) => {
            check_details(&last.payload);
            Outcome::Error(
                ExcType::from_u32(last.payload[0]).unwrap(),
                Msg::from_u32(last.payload[1]).unwrap(),
                last.payload[2],
                render(&last.payload[3..]),
            )
        }
        Some(EventKind::Pad) => Outcome::Error(
            ExcType::from_u32(last.payload[0]).unwrap(),
            Msg::from_u32(last.payload[1]).unwrap(),
            last.payload[2],
            render(&last.payload[3..]),
        ),
        _ => panic!("unexpected event {last:?}"),
    }
}

fn run_asm(consts: &[C<'static>], asm: &Asm) -> Outcome {
    outcome_of(&run_image(image_of(consts, asm)))
}

/// `a <op> b` on constants, returned.
fn binop(a: C<'static>, op: Op, b: C<'static>) -> Outcome {
    let mut asm = Asm::new();
    asm.line(7)
        .op16(Op::LoadConst, 0)
        .op16(Op::LoadConst, 1)
        .op(op)
        .op(Op::Return);
    run_asm(&[a, b], &asm)
}

fn val(s: &str) -> Outcome {
    Outcome::Value(s.into())
}

fn err(t: ExcType, m: Msg) -> impl Fn(Outcome) -> bool {
    move |o| matches!(o, Outcome::Error(t2, m2, _, _) if t2 == t && m2 == m)
}

use C::{Float as F, Int as I, Str as S};

#[test]
fn int_arithmetic_and_overflow() {
    assert_eq!(binop(I(2), Op::Add, I(3)), val("5"));
    assert_eq!(binop(I(2), Op::Sub, I(3)), val("-1"));
    assert_eq!(binop(I(-4), Op::Mul, I(3)), val("-12"));
    assert_eq!(binop(I(2), Op::Pow, I(30)), val("1073741824"));
    assert_eq!(binop(I(-2), Op::Pow, I(31)), val("-2147483648"));
    assert_eq!(binop(I(2), Op::Pow, I(-1)), val("0.5"));
    assert_eq!(binop(I(6), Op::BitAnd, I(3)), val("2"));
    assert_eq!(binop(I(6), Op::BitOr, I(3)), val("7"));
    assert_eq!(binop(I(6), Op::BitXor, I(3)), val("5"));
    assert_eq!(binop(I(1), Op::LShift, I(30)), val("1073741824"));
    assert_eq!(binop(I(-1), Op::RShift, I(40)), val("-1"));
    assert_eq!(binop(I(0), Op::LShift, I(99)), val("0"));
    let overflow = err(ExcType::OverflowError, Msg::IntOverflow);
    assert!(overflow(binop(I(i32::MAX), Op::Add, I(1))));
    assert!(overflow(binop(I(i32::MIN), Op::Sub, I(1))));
    assert!(overflow(binop(I(65536), Op::Mul, I(65536))));
    assert!(overflow(binop(I(i32::MIN), Op::FloorDiv, I(-1))));
    assert!(overflow(binop(I(2), Op::Pow, I(31))));
    assert!(overflow(binop(I(1), Op::LShift, I(31))));
    assert!(overflow(binop(I(1), Op::LShift, I(32))));
    assert!(err(ExcType::ValueError, Msg::NegativeShift)(binop(
        I(1),
        Op::LShift,
        I(-1)
    )));
    assert_eq!(binop(I(i32::MIN), Op::Mod, I(-1)), val("0"));
}

#[test]
fn floor_division_and_modulo_take_the_divisors_sign() {
    assert_eq!(binop(I(7), Op::FloorDiv, I(2)), val("3"));
    assert_eq!(binop(I(-7), Op::FloorDiv, I(2)), val("-4"));
    assert_eq!(binop(I(7), Op::FloorDiv, I(-2)), val("-4"));
    assert_eq!(binop(I(-7), Op::FloorDiv, I(-2)), val("3"));
    assert_eq!(binop(I(7), Op::Mod, I(-2)), val("-1"));
    assert_eq!(binop(I(-7), Op::Mod, I(2)), val("1"));
    assert_eq!(binop(I(-6), Op::Mod, I(2)), val("0"));
    assert_eq!(binop(F(7.5), Op::FloorDiv, I(-2)), val("-4.0"));
    assert_eq!(binop(F(-7.5), Op::Mod, I(2)), val("0.5"));
    assert_eq!(binop(F(7.0), Op::Mod, F(-2.0)), val("-1.0"));
    assert_eq!(binop(F(6.0), Op::Mod, F(-2.0)), val("-0.0"));
    assert_eq!(binop(F(-0.5), Op::FloorDiv, F(1.0)), val("-1.0"));
}

#[test]
fn division_by_zero_has_the_message_of_its_case() {
    let zd = |m| err(ExcType::ZeroDivisionError, m);
    assert!(zd(Msg::DivisionByZero)(binop(I(1), Op::TrueDiv, I(0))));
    assert!(zd(Msg::IntDivisionOrModuloByZero)(binop(
        I(1),
        Op::FloorDiv,
        I(0)
    )));
    assert!(zd(Msg::IntModuloByZero)(binop(I(1), Op::Mod, I(0))));
    assert!(zd(Msg::FloatDivisionByZero)(binop(
        F(1.0),
        Op::TrueDiv,
        I(0)
    )));
    assert!(zd(Msg::FloatDivisionByZero)(binop(
        I(1),
        Op::TrueDiv,
        F(0.0)
    )));
    assert!(zd(Msg::FloatFloorDivisionByZero)(binop(
        F(1.0),
        Op::FloorDiv,
        F(0.0)
    )));
    assert!(zd(Msg::FloatModuloByZero)(binop(F(1.0), Op::Mod, I(0))));
    assert!(zd(Msg::ZeroToNegativePower)(binop(I(0), Op::Pow, I(-1))));
    assert!(zd(Msg::ZeroToNegativePower)(binop(F(0.0), Op::Pow, I(-2))));
}

#[test]
fn mixing_promotes_and_bool_is_an_int() {
    assert_eq!(binop(C::Bool(true), Op::Add, I(1)), val("2"));
    assert_eq!(
        binop(C::Bool(true), Op::BitAnd, C::Bool(false)),
        val("False")
    );
    assert_eq!(binop(I(1), Op::Add, F(2.5)), val("3.5"));
    assert_eq!(binop(I(7), Op::TrueDiv, I(2)), val("3.5"));
    assert_eq!(binop(I(4), Op::TrueDiv, I(2)), val("2.0"));
    assert_eq!(binop(F(2.0), Op::Pow, I(3)), val("8.0"));
    assert_eq!(binop(F(2.0), Op::Pow, F(-1.0)), val("0.5"));
    assert!(err(ExcType::OverflowError, Msg::FloatOverflow)(binop(
        F(10.0),
        Op::Pow,
        I(39)
    )));
    assert_eq!(binop(F(2.0), Op::Pow, F(0.5)), val("1.4142135"));
    assert_eq!(binop(F(-2.0), Op::Pow, I(3)), val("-8.0"));
    assert_eq!(binop(I(2), Op::Pow, I(-2)), val("0.25"));
    assert_eq!(binop(F(0.0), Op::Pow, I(0)), val("1.0"));
    assert!(err(ExcType::ValueError, Msg::Generic)(binop(
        F(-8.0),
        Op::Pow,
        F(0.5)
    )));
    assert_eq!(
        binop(I(1), Op::Add, S("a")),
        Outcome::Error(
            ExcType::TypeError,
            Msg::UnsupportedOperands,
            7,
            "(3 '+' 'int' 'str'".into()
        )
    );
    assert!(err(ExcType::TypeError, Msg::UnsupportedOperands)(binop(
        F(1.0),
        Op::LShift,
        I(1)
    )));
}

#[test]
fn comparisons() {
    let t = || val("True");
    let f = || val("False");
    assert_eq!(binop(I(1), Op::Eq, F(1.0)), t());
    assert_eq!(binop(I(16_777_217), Op::Eq, F(16_777_216.0)), f());
    assert_eq!(binop(I(16_777_217), Op::Gt, F(16_777_216.0)), t());
    assert_eq!(binop(I(1), Op::Lt, F(1.5)), t());
    assert_eq!(binop(F(-1.5), Op::Lt, I(-1)), t());
    assert_eq!(binop(C::Bool(true), Op::Eq, I(1)), t());
    assert_eq!(binop(F(f32::NAN), Op::Eq, F(f32::NAN)), f());
    assert_eq!(binop(F(f32::NAN), Op::Ne, F(f32::NAN)), t());
    assert_eq!(binop(I(3), Op::Le, I(3)), t());
    assert_eq!(binop(I(3), Op::Ge, I(4)), f());
    assert_eq!(binop(S("abc"), Op::Lt, S("abd")), t());
    assert_eq!(binop(S("b"), Op::Gt, S("abc")), t());
    assert_eq!(binop(S("ab"), Op::Lt, S("abc")), t());
    assert_eq!(binop(S("é"), Op::Gt, S("z")), t());
    assert_eq!(binop(S("hi"), Op::Eq, S("hi")), t());
    assert_eq!(binop(I(1), Op::Eq, S("1")), f());
    assert_eq!(binop(I(1), Op::Ne, S("1")), t());
    assert_eq!(binop(C::None, Op::Eq, C::None), t());
    assert_eq!(binop(C::None, Op::Eq, I(0)), f());
    assert_eq!(
        binop(I(1), Op::Lt, S("1")),
        Outcome::Error(
            ExcType::TypeError,
            Msg::NotSupportedBetween,
            7,
            "(3 '<' 'int' 'str'".into()
        )
    );
}

#[test]
fn unary_and_truthiness() {
    let un = |c: C<'static>, op: Op| {
        let mut asm = Asm::new();
        asm.op16(Op::LoadConst, 0).op(op).op(Op::Return);
        run_asm(&[c], &asm)
    };
    assert_eq!(un(I(5), Op::Neg), val("-5"));
    assert_eq!(un(C::Bool(true), Op::Neg), val("-1"));
    assert_eq!(un(I(5), Op::Invert), val("-6"));
    assert_eq!(un(F(1.5), Op::Pos), val("1.5"));
    assert!(err(ExcType::OverflowError, Msg::IntOverflow)(un(
        I(i32::MIN),
        Op::Neg
    )));
    assert!(err(ExcType::TypeError, Msg::BadUnaryOperand)(un(
        S("x"),
        Op::Neg
    )));
    assert!(err(ExcType::TypeError, Msg::BadUnaryOperand)(un(
        F(1.0),
        Op::Invert
    )));
    for (c, not) in [
        (S(""), "True"),
        (S("a"), "False"),
        (F(0.0), "True"),
        (F(-0.5), "False"),
        (C::None, "True"),
        (I(0), "True"),
        (I(3), "False"),
    ] {
        assert_eq!(un(c, Op::Not), val(not), "{c:?}");
    }
}

#[test]
fn while_loop_and_if_via_jumps() {
    // total = 0; i = 0
    // while i < 10: i = i + 1; if i % 2: total = total + i
    // return total   (1+3+5+7+9 = 25)
    let mut b = Builder::default();
    let total = b.global("total");
    let i = b.global("i");
    let mut a = Asm::new();
    a.int(0)
        .op16(Op::StoreGlobal, total)
        .int(0)
        .op16(Op::StoreGlobal, i);
    let top = a.pc();
    a.op16(Op::LoadGlobal, i).int(10).op(Op::Lt);
    let exit = a.jump(Op::PopJumpIfFalse);
    a.op16(Op::LoadGlobal, i)
        .int(1)
        .op(Op::Add)
        .op16(Op::StoreGlobal, i);
    a.op16(Op::LoadGlobal, i).int(2).op(Op::Mod);
    let skip = a.jump(Op::PopJumpIfFalse);
    a.op16(Op::LoadGlobal, total)
        .op16(Op::LoadGlobal, i)
        .op(Op::Add)
        .op16(Op::StoreGlobal, total);
    let here = a.pc();
    a.patch(skip, here);
    a.op16(Op::Jump, top);
    let end = a.pc();
    a.patch(exit, end);
    a.op16(Op::LoadGlobal, total).op(Op::Return);
    b.funcs.push(a);
    assert_eq!(outcome_of(&run_image(b.build())), val("25"));
}

#[test]
fn short_circuit_jumps_keep_the_value() {
    // return 0 or "x"  → 'x';   return 0 and "x" → 0
    for (op, want) in [(Op::JumpIfTrueOrPop, "'x'"), (Op::JumpIfFalseOrPop, "0")] {
        let mut a = Asm::new();
        a.int(0);
        let j = a.jump(op);
        a.op16(Op::LoadConst, 0);
        let end = a.pc();
        a.patch(j, end);
        a.op(Op::Return);
        assert_eq!(run_asm(&[S("x")], &a), val(want));
    }
}

#[test]
fn locals_stack_ops_and_a_script_returns_none() {
    let mut a = Asm::new();
    a.n_locals = 2;
    a.int(1)
        .int(2)
        .op(Op::Rot2)
        .op(Op::Sub)
        .op16(Op::StoreLocal, 1);
    a.op16(Op::LoadLocal, 1)
        .op(Op::Dup)
        .op(Op::Mul)
        .op(Op::Return);
    assert_eq!(run_asm(&[], &a), val("1"));
    let mut a = Asm::new();
    a.op(Op::Nop).op(Op::LoadNone).op(Op::Return);
    assert_eq!(run_asm(&[], &a), val("None"));
    let mut a = Asm::new();
    a.n_locals = 1;
    a.line(4).op16(Op::LoadLocal, 0).op(Op::Return);
    assert_eq!(
        run_asm(&[], &a),
        Outcome::Error(ExcType::UnboundLocalError, Msg::LocalUnbound, 4, "'l0'".into())
    );
}

#[test]
fn print_events_carry_the_values() {
    // print(1, "hi", 2.5, True, None); print("a", "b", sep="-", end="")
    let mut a = Asm::new();
    a.int(1)
        .op16(Op::LoadConst, 0)
        .op16(Op::LoadConst, 1)
        .op(Op::LoadTrue)
        .op(Op::LoadNone);
    a.op16(Op::Print, 5).op(Op::Pop);
    a.op16(Op::LoadConst, 2)
        .op16(Op::LoadConst, 3)
        .op16(Op::LoadConst, 4)
        .op16(Op::LoadConst, 5);
    a.op16(Op::Print, 2 | PRINT_HAS_SEP | PRINT_HAS_END)
        .op(Op::Return);
    let events = run_image(image_of(
        &[S("hi"), F(2.5), S("a"), S("b"), S("-"), S("")],
        &a,
    ));
    assert_eq!(events.len(), 3);
    assert!(events.iter().all(|e| e.launch == 1));
    assert_eq!(events[0].kind, EventKind::Print as u32);
    assert_eq!(
        render_print(&events[0].payload),
        "' ' '\n' 5 1 'hi' 2.5 True None"
    );
    assert_eq!(render_print(&events[1].payload), "'-' '' 2 'a' 'b'");
    assert_eq!(outcome_of(&events), val("None"));
    // A native prints as its repr; sep=None means the default.
    let mut a = Asm::new();
    a.op16(Op::LoadNative, PARALLEL)
        .op(Op::LoadNone)
        .op16(Op::Print, 1 | PRINT_HAS_SEP)
        .op(Op::Return);
    let events = run_image(image_of(&[], &a));
    assert_eq!(
        render_print(&events[0].payload),
        "' ' '\n' 1 '<module 'parallel'>'"
    );
    // sep must be a str.
    let mut a = Asm::new();
    a.line(3)
        .int(1)
        .int(2)
        .op16(Op::Print, 1 | PRINT_HAS_SEP)
        .op(Op::Return);
    assert_eq!(
        run_asm(&[], &a),
        Outcome::Error(ExcType::TypeError, Msg::SepNotStr, 3, "'int'".into())
    );
}

#[test]
fn coreid_and_numcores() {
    let mut a = Asm::new();
    a.op16(Op::LoadNative, PARALLEL)
        .op16(Op::LoadModuleAttr, PARALLEL_COREID)
        .op8(Op::Call, 0);
    a.op16(Op::LoadNative, PARALLEL_NUMCORES).op8(Op::Call, 0);
    a.op16(Op::Print, 2).op(Op::Return);
    let events = run_image(image_of(&[], &a));
    assert_eq!(render_print(&events[0].payload), "' ' '\n' 2 3 16");
}

#[test]
fn calls_check_the_callee_and_the_argument_count() {
    let mut a = Asm::new();
    a.line(2).int(5).op8(Op::Call, 0).op(Op::Return);
    assert_eq!(
        run_asm(&[], &a),
        Outcome::Error(ExcType::TypeError, Msg::NotCallable, 2, "'int'".into())
    );
    let mut a = Asm::new();
    a.op16(Op::LoadNative, PARALLEL)
        .op8(Op::Call, 0)
        .op(Op::Return);
    assert_eq!(
        run_asm(&[], &a),
        Outcome::Error(ExcType::TypeError, Msg::NotCallable, 0, "'module'".into())
    );
    let mut a = Asm::new();
    a.op16(Op::LoadNative, PARALLEL_COREID)
        .int(1)
        .op8(Op::Call, 1)
        .op(Op::Return);
    assert_eq!(
        run_asm(&[], &a),
        Outcome::Error(
            ExcType::TypeError,
            Msg::WrongArgCount,
            0,
            "(3 'coreid' 0 1".into()
        )
    );
    let mut a = Asm::new();
    a.int(1)
        .op16(Op::LoadModuleAttr, PARALLEL_COREID)
        .op(Op::Return);
    assert_eq!(
        run_asm(&[], &a),
        Outcome::Error(
            ExcType::AttributeError,
            Msg::NotAnObjectAttribute,
            0,
            "(2 'int' 'coreid'".into()
        )
    );
}

#[test]
fn name_error_names_the_global_and_its_line() {
    let mut b = Builder::default();
    let x = b.global("x");
    let y = b.global("speed");
    let mut a = Asm::new();
    a.line(1).int(1).op16(Op::StoreGlobal, x);
    a.line(2).op16(Op::LoadGlobal, x).op(Op::Pop);
    a.line(5).op16(Op::LoadGlobal, y).op(Op::Return);
    b.funcs.push(a);
    assert_eq!(
        outcome_of(&run_image(b.build())),
        Outcome::Error(ExcType::NameError, Msg::NameNotDefined, 5, "'speed'".into())
    );
}

#[test]
fn zero_division_reports_its_line() {
    let mut a = Asm::new();
    a.line(10).int(1).op(Op::Pop);
    a.line(11).int(4).op16(Op::StoreLocal, 0);
    a.line(12)
        .op16(Op::LoadLocal, 0)
        .int(0)
        .op(Op::FloorDiv)
        .op(Op::Return);
    a.n_locals = 1;
    assert_eq!(
        run_asm(&[], &a),
        Outcome::Error(
            ExcType::ZeroDivisionError,
            Msg::IntDivisionOrModuloByZero,
            12,
            "None".into()
        )
    );
}

fn infinite_loop() -> Vec<u32> {
    let mut a = Asm::new();
    a.line(3).op(Op::Nop).op16(Op::Jump, 0);
    image_of(&[], &a)
}

#[test]
fn halt_requested_stops_the_loop() {
    let mut mock = Mock::new(0);
    mock.halt_after = Some(100);
    mock.post(infinite_loop());
    let (mock, events) = run_mock(mock);
    assert_eq!(mock.halt_checks, 100);
    // Where it stopped, for the host's report.
    assert_eq!(mock.status(shared_protocol::mailbox::status::LINE), 3);
    assert!(events.is_empty(), "{events:?}");
}

#[test]
fn cancel_ends_the_launch_and_the_core_serves_the_next() {
    let mut mock = Mock::new(0);
    mock.cancel_after = Some(50);
    mock.post(infinite_loop());
    let mut a = Asm::new();
    a.int(42).op(Op::Return);
    mock.post(image_of(&[], &a));
    let (_, events) = run_mock(mock);
    assert_eq!(events.len(), 3);
    assert_eq!(
        (events[0].kind, events[0].payload[0]),
        (EventKind::Done as u32, DoneStatus::Cancelled as u32)
    );
    assert_eq!(render(&events[1].payload), "42");
    assert_eq!(
        (events[2].kind, events[2].launch, events[2].payload[0]),
        (EventKind::Done as u32, 2, DoneStatus::Ok as u32)
    );
}

// ---- the verifier ---------------------------------------------------------

use crate::verify::{Bad, Reject, verify};

/// Verify an image at word `base` of VM memory made of an arena-sized SRAM
/// buffer and a 64 KB spill buffer.
fn check_at(image: &[u32], base: u32) -> Result<crate::image::Image, Bad> {
    let mut sram = vec![0u32; shared_protocol::layout::ARENA_SIZE as usize / 4];
    let mut dram = vec![0u32; 0x1_0000 / 4];
    // SAFETY: `dram` outlives `m` and is only touched through it.
    let spill = unsafe { crate::shared::Shared::new(dram.as_mut_ptr().cast(), 0x1_0000) };
    let mut m = crate::arena::Mem { sram: &mut sram, spill };
    for (i, w) in image.iter().enumerate() {
        m.set(base + i as u32, *w);
    }
    verify(&mut m, base, image.len() as u32 * 4)
}

/// Verify an image at the start of the SRAM arena.
fn check(image: &[u32]) -> Result<(), Reject> {
    check_at(image, 0).map(|_| ()).map_err(|Bad { reason, .. }| reason)
}

fn asm_check(n_locals: u32, max_stack: u32, build: impl FnOnce(&mut Asm)) -> Result<(), Reject> {
    let mut a = Asm::new();
    a.n_locals = n_locals;
    a.max_stack = max_stack;
    build(&mut a);
    check(&image_of(&[I(1)], &a))
}

#[test]
fn the_verifier_accepts_good_images() {
    assert_eq!(
        asm_check(0, 1, |a| {
            a.op(Op::LoadNone).op(Op::Return);
        }),
        Ok(())
    );
}

#[test]
fn the_verifier_rejects_bad_headers_and_tables() {
    use shared_protocol::bytecode::header;
    let mut a = Asm::new();
    a.op(Op::LoadNone).op(Op::Return);
    let good = image_of(&[I(1)], &a);
    let with = |i: usize, v: u32| {
        let mut img = good.clone();
        img[i] = v;
        check(&img)
    };
    assert_eq!(check(&good), Ok(()));
    assert_eq!(with(header::MAGIC, 0), Err(Reject::Header));
    assert_eq!(with(header::VERSION, 99), Err(Reject::Header));
    assert_eq!(with(header::TOTAL_LEN, 4), Err(Reject::Header));
    assert_eq!(check(&good[..10]), Err(Reject::Header));
    assert_eq!(with(header::N_FUNCTIONS, 0), Err(Reject::Table));
    assert_eq!(with(header::N_FUNCTIONS, 1000), Err(Reject::Table));
    assert_eq!(with(header::FUNCTIONS_OFF, 2), Err(Reject::Table));
    assert_eq!(with(header::CONSTS_OFF, 0xFFFF_FFF0), Err(Reject::Table));
    assert_eq!(with(header::N_GLOBALS, 0x4000_0001), Err(Reject::Table));
    assert_eq!(with(header::CODE_LEN, 0xFFFF_FFFF), Err(Reject::Table));
    assert_eq!(with(header::FILENAME, 0), Err(Reject::Constant)); // an Int, not a Str
    // A constant whose encoding runs past the image end.
    let consts_at = good[header::CONSTS_OFF] as usize / 4;
    assert_eq!(
        with(consts_at, good.len() as u32 * 4 - 4),
        Err(Reject::Constant)
    );
    assert_eq!(with(consts_at, 2), Err(Reject::Constant));
}

/// An image is verified the same wherever it lies in VM memory: at word 0,
/// across the SRAM/DRAM boundary, or in DRAM (its offsets are image-relative).
#[test]
fn the_verifier_judges_an_image_the_same_at_any_base() {
    let mut a = Asm::new();
    a.n_locals = 1;
    a.max_stack = 2;
    a.op16(Op::LoadConst, 1).op16(Op::StoreLocal, 0);
    a.op16(Op::LoadLocal, 0).op(Op::Return);
    let good = image_of(&[I(1), S("héllo")], &a);
    let s = shared_protocol::layout::ARENA_SIZE / 4;
    let strip = |r: Result<crate::image::Image, Bad>, base: u32| {
        r.map(|img| (img.words, img.functions - base, img.consts - base, img.code - 4 * base, img.code_len))
    };
    // Every word of the image set to a few values, at three bases.
    let mut judged = 0;
    for i in 0..good.len() {
        for v in [0, 1, 3, 0xFFFF, 0xFFFF_FFFF, good[i].wrapping_add(4)] {
            let mut img = good.clone();
            img[i] = v;
            let at0 = strip(check_at(&img, 0), 0);
            for base in [s - 7, s + 100] {
                assert_eq!(strip(check_at(&img, base), base), at0, "word {i} = {v:#x}, base {base}");
            }
            judged += at0.is_err() as u32;
        }
    }
    assert!(judged > 20, "the mutations must be refused in several ways");
}

#[test]
fn the_verifier_checks_strings_are_utf8() {
    let ok = |t: &'static str| {
        let mut a = Asm::new();
        a.op(Op::LoadNone).op(Op::Return);
        check(&image_of(&[S(t)], &a))
    };
    for t in ["", "abc", "héllo", "€", "𝄞x", "\u{7FF}\u{FFFF}\u{10FFFF}"] {
        assert_eq!(ok(t), Ok(()), "{t}");
    }
    // Patch bytes of an "abcd" constant into invalid sequences.
    let mut a = Asm::new();
    a.op(Op::LoadNone).op(Op::Return);
    let good = image_of(&[S("abcd")], &a);
    let at = good[shared_protocol::bytecode::header::CONSTS_OFF] as usize / 4;
    let str_word = good[at] as usize / 4 + 1;
    for bytes in [
        [0x80, 0x41, 0x41, 0x41],
        [0xC0, 0x80, 0x41, 0x41],
        [0xE0, 0x80, 0x80, 0x41],
        [0xED, 0xA0, 0x80, 0x41],
        [0xF4, 0x90, 0x80, 0x80],
        [0x41, 0x41, 0x41, 0xE2],
        [0xF5, 0x80, 0x80, 0x80],
    ] {
        let mut img = good.clone();
        img[str_word] = u32::from_le_bytes(bytes);
        assert_eq!(check(&img), Err(Reject::Constant), "{bytes:x?}");
    }
}

#[test]
fn the_verifier_rejects_bad_code() {
    use Reject::*;
    assert_eq!(
        asm_check(0, 4, |a| {
            a.code.push(0xEE);
            a.op(Op::Return);
        }),
        Err(Opcode)
    );
    assert_eq!(
        asm_check(0, 4, |a| {
            a.op(Op::LoadNone)
                .op(Op::Return)
                .code
                .push(Op::LoadInt as u8);
        }),
        Err(Operand)
    );
    assert_eq!(
        asm_check(0, 4, |a| {
            a.op16(Op::Jump, 1).op(Op::LoadNone).op(Op::Return);
        }),
        Err(Jump)
    );
    assert_eq!(
        asm_check(0, 4, |a| {
            a.op16(Op::Jump, 200).op(Op::LoadNone).op(Op::Return);
        }),
        Err(Jump)
    );
    assert_eq!(
        asm_check(0, 4, |a| {
            a.op16(Op::LoadConst, 9).op(Op::Return);
        }),
        Err(Index)
    );
    assert_eq!(
        asm_check(0, 4, |a| {
            a.op16(Op::LoadGlobal, 0).op(Op::Return);
        }),
        Err(Index)
    );
    assert_eq!(
        asm_check(1, 4, |a| {
            a.op16(Op::LoadLocal, 1).op(Op::Return);
        }),
        Err(Index)
    );
    assert_eq!(
        asm_check(0, 4, |a| {
            a.op16(Op::LoadNative, 999).op(Op::Return);
        }),
        Err(Index)
    );
    assert_eq!(
        asm_check(0, 4, |a| {
            a.op(Op::LoadNone)
                .op16(Op::LoadModuleAttr, PARALLEL)
                .op(Op::Return);
        }),
        Err(Index)
    );
    assert_eq!(
        asm_check(0, 4, |a| {
            a.op16(Op::Print, 0x400).op(Op::Return);
        }),
        Err(Operand)
    );
    assert_eq!(
        asm_check(0, 4, |a| {
            a.op(Op::Pop).op(Op::LoadNone).op(Op::Return);
        }),
        Err(Stack)
    );
    assert_eq!(
        asm_check(0, 4, |a| {
            a.op(Op::Return);
        }),
        Err(Stack)
    );
    assert_eq!(
        asm_check(0, 1, |a| {
            a.int(1).int(2).op(Op::Add).op(Op::Return);
        }),
        Err(Stack)
    );
    assert_eq!(
        asm_check(0, 4, |a| {
            a.int(1).op8(Op::Call, 1).op(Op::Return);
        }),
        Err(Stack)
    );
    assert_eq!(
        asm_check(0, 4, |a| {
            a.op(Op::LoadNone)
                .op16(Op::Print, 1 | PRINT_HAS_SEP)
                .op(Op::Return);
        }),
        Err(Stack)
    );
    // Depths differ where two paths join: one path pushes an extra value.
    assert_eq!(
        asm_check(0, 4, |a| {
            a.op(Op::LoadTrue);
            let j = a.jump(Op::PopJumpIfFalse);
            a.int(1);
            let join = a.pc();
            a.patch(j, join);
            a.op(Op::LoadNone).op(Op::Return);
        }),
        Err(Stack)
    );
    // A loop whose body grows the stack each time round.
    assert_eq!(
        asm_check(0, 4, |a| {
            a.int(1).op16(Op::Jump, 0);
        }),
        Err(Stack)
    );
    assert_eq!(
        asm_check(0, 4, |a| {
            a.op(Op::LoadNone);
        }),
        Err(FallsOff)
    );
    assert_eq!(
        asm_check(0, 4, |a| {
            a.op(Op::LoadTrue)
                .op16(Op::PopJumpIfTrue, 0)
                .op(Op::LoadNone)
                .op(Op::Pop);
        }),
        Err(FallsOff)
    );
    assert_eq!(
        asm_check(0, 4, |a| {
            a.line(5).op(Op::LoadNone).line(6).op(Op::Return);
            a.lines.swap(0, 1);
        }),
        Err(Lines)
    );
    assert_eq!(
        asm_check(0, 4, |a| {
            a.op(Op::LoadNone).op(Op::Return);
            a.lines.push(shared_protocol::bytecode::line_entry(9, 1));
        }),
        Err(Lines)
    );
    assert_eq!(
        asm_check(0, 251, |a| {
            a.op(Op::LoadNone).op(Op::Return);
        }),
        Err(Function)
    );
    assert_eq!(
        asm_check(0, 250, |a| {
            a.op(Op::LoadNone).op(Op::Return);
        }),
        Ok(())
    );
    assert_eq!(
        asm_check(1, 4, |a| {
            a.n_params = 1;
            a.op(Op::LoadNone).op(Op::Return);
        }),
        Err(Function)
    );
    assert_eq!(
        asm_check(0, 4, |a| {
            a.n_params = 1;
            a.op(Op::LoadNone).op(Op::Return);
        }),
        Err(Function)
    );
    // A frame bigger than the SRAM frame segment goes to DRAM.
    assert_eq!(
        asm_check(300, 4, |a| {
            a.op(Op::LoadNone).op(Op::Return);
        }),
        Ok(())
    );
    let mut a = Asm::new();
    a.n_locals = 300;
    a.int(5).op16(Op::StoreLocal, 299).op16(Op::LoadLocal, 299).op(Op::Return);
    assert_eq!(run_asm(&[], &a), val("5"));
    // Dead code after a return is fine, however deep it would be.
    assert_eq!(
        asm_check(0, 1, |a| {
            a.op(Op::LoadNone).op(Op::Return).op(Op::Pop).op(Op::Return);
        }),
        Ok(())
    );
    // Code only reachable by a backward jump from later code.
    assert_eq!(
        asm_check(0, 2, |a| {
            let j = a.jump(Op::Jump);
            let back = a.pc();
            a.op(Op::LoadNone).op(Op::Return);
            let t = a.pc();
            a.patch(j, t);
            a.op16(Op::Jump, back);
        }),
        Ok(())
    );
}

/// A command after which the stack's lowest word no longer holds the
/// canary (the stack reached the arena) stops the core with
/// Fault::StackOverflow instead of serving on with a corrupted heap.
#[test]
fn an_overwritten_stack_canary_stops_the_core_with_a_stack_overflow_fault() {
    use shared_protocol::mailbox::{CoreState, Fault, status};
    let mut a = Asm::new();
    a.int(7).op(Op::Return);
    // Intact: both commands run.
    let mut mock = Mock::new(5);
    mock.post(image_of(&[], &a));
    mock.post(image_of(&[], &a));
    let (mock, events) = run_mock(mock);
    assert_eq!(events.iter().filter(|e| e.kind == EventKind::Done as u32).count(), 2);
    assert_eq!(mock.status(status::FAULT), Fault::None as u32);
    // Overwritten during the first command: its result went out, then the
    // core stops before Done, and the second command never runs.
    let mut mock = Mock::new(5);
    mock.smash_stack_end = true;
    mock.post(image_of(&[], &a));
    mock.post(image_of(&[], &a));
    let (mock, events) = run_mock(mock);
    assert_eq!(render(&events[0].payload), "7");
    assert!(events.iter().all(|e| e.kind != EventKind::Done as u32), "{events:?}");
    assert_eq!(mock.status(status::STATE), CoreState::Fault as u32);
    assert_eq!(mock.status(status::FAULT), Fault::StackOverflow as u32);
}

#[test]
fn a_refused_image_is_an_error_event_and_the_core_stays_usable() {
    let mut mock = Mock::new(1);
    let mut bad = infinite_loop();
    bad[0] ^= 1;
    mock.post(bad);
    let mut a = Asm::new();
    a.int(7).op(Op::Return);
    mock.post(image_of(&[], &a));
    let (_, events) = run_mock(mock);
    assert_eq!(
        outcome_of(&events[..1]),
        Outcome::Error(
            ExcType::ValueError,
            Msg::ImageRefused,
            0,
            "(2 1 0".into()
        )
    );
    assert_eq!(events[1].payload, [DoneStatus::Error as u32]);
    assert_eq!(render(&events[2].payload), "7");
    // An image larger than the arena runs from the DRAM spill area.
    let mut mock = Mock::new(1);
    let mut big = image_of(&[], &a);
    let words = shared_protocol::layout::ARENA_SIZE as usize / 4 + 1000;
    big.resize(words, 0);
    big[shared_protocol::bytecode::header::TOTAL_LEN] = words as u32 * 4;
    mock.post(big);
    let (_, events) = run_mock(mock);
    assert_eq!(render(&events[0].payload), "7");
    assert_eq!(events[1].payload, [DoneStatus::Ok as u32]);
}

/// xorshift32: deterministic "random" bytes for the mutation loop.
fn next(state: &mut u32) -> u32 {
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    *state
}

fn sample_program() -> Vec<u32> {
    let mut b = Builder::default();
    let g = b.global("g");
    let k = b.konst(S("text"));
    let f = b.konst(F(1.5));
    let mut a = Asm::new();
    a.n_locals = 2;
    a.line(1).int(3).op16(Op::StoreGlobal, g);
    let top = a.pc();
    a.line(2)
        .op16(Op::LoadGlobal, g)
        .op(Op::Dup)
        .op(Op::Not)
        .op(Op::Pop);
    let exit = a.jump(Op::PopJumpIfFalse);
    a.line(3)
        .op16(Op::LoadGlobal, g)
        .int(1)
        .op(Op::Sub)
        .op16(Op::StoreGlobal, g);
    a.op16(Op::LoadConst, k)
        .op16(Op::LoadConst, f)
        .int(-2)
        .op(Op::FloorDiv)
        .op16(Op::Print, 2)
        .op(Op::Pop);
    a.op16(Op::LoadNative, PARALLEL_COREID)
        .op8(Op::Call, 0)
        .op16(Op::StoreLocal, 1);
    a.op16(Op::Jump, top);
    let end = a.pc();
    a.patch(exit, end);
    a.line(4).op16(Op::LoadLocal, 1).op(Op::Return);
    b.funcs.push(a);
    b.build()
}

#[test]
fn the_sample_program_runs() {
    let events = run_image(sample_program());
    assert_eq!(events.len(), 4);
    assert_eq!(render_print(&events[0].payload), "' ' '\n' 2 'text' -1.0");
    assert_eq!(outcome_of(&events), val("3"));
}

#[test]
fn mutated_images_never_panic_the_verifier() {
    let good = sample_program();
    let mut state = 0x1234_5678;
    for _ in 0..20_000 {
        let mut img = good.clone();
        for _ in 0..1 + next(&mut state) % 4 {
            let i = next(&mut state) as usize % img.len();
            match next(&mut state) % 3 {
                0 => img[i] ^= 1 << (next(&mut state) % 32),
                1 => img[i] = next(&mut state),
                _ => img[i] = (img[i] & !0xFF) | (next(&mut state) % 0x40),
            }
        }
        let cut = if next(&mut state) & 15 == 0 {
            next(&mut state) as usize % img.len()
        } else {
            img.len()
        };
        let _ = check(&img[..cut]);
    }
}

#[test]
fn mutated_images_that_verify_run_without_panicking() {
    let good = sample_program();
    let mut state = 0x9E37_79B9;
    let mut ran = 0;
    for _ in 0..3_000 {
        let mut img = good.clone();
        let i = next(&mut state) as usize % img.len();
        img[i] ^= 1 << (next(&mut state) % 32);
        if check(&img).is_err() {
            continue;
        }
        ran += 1;
        let mut mock = Mock::new(0);
        mock.halt_after = Some(200);
        mock.post(img);
        let _ = run_mock(mock);
    }
    assert!(ran > 100, "only {ran} mutants verified");
}

#[test]
fn random_bytes_and_bad_lengths_are_refused_through_the_mailbox() {
    let mut state = 0xDEAD_BEEF;
    let mut mock = Mock::new(2);
    for n in 0..200u32 {
        let mut img: Vec<u32> = (0..(n % 40) + 1).map(|_| next(&mut state)).collect();
        if n % 2 == 0 && img.len() > 3 {
            // Mostly plausible headers, so later checks get exercised too.
            img[0] = shared_protocol::bytecode::IMAGE_MAGIC;
            img[1] = shared_protocol::bytecode::BYTECODE_VERSION;
            img[2] = img.len() as u32 * 4;
        }
        mock.post(img);
    }
    for claimed in [3, 0x1_0004, 0xFFFF_FFFC] {
        let launch = mock.pending.len() as u32 + 1;
        mock.pending.push_back(mock::Cmd {
            launch,
            group_size: 1,
            image: infinite_loop(),
            claimed_len: Some(claimed),
        });
    }
    let (_, events) = run_mock(mock);
    let dones: Vec<_> = events
        .iter()
        .filter(|e| e.kind == EventKind::Done as u32)
        .collect();
    assert_eq!(dones.len(), 203);
    assert!(
        dones
            .iter()
            .all(|e| e.payload == [DoneStatus::Error as u32])
    );
}

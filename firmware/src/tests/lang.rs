//! Issue 3: heap and GC, functions and frames, lists/tuples/iteration.
//! Images are built by hand (`builder`) and run on the mock through the
//! service loop, like the rest of these tests.

use std::string::String;
use std::vec::Vec;

use shared_protocol::bytecode::Op;
use shared_protocol::errors::{ExcType, Msg};
use shared_protocol::natives;

use super::builder::{Asm, Builder, C};
use super::{Outcome, check, outcome_of, render, render_print, run_asm, run_image, val};
use crate::verify::Reject;

use C::{Int as I, Str as S};

fn func(name: &str, params: &[&str], n_locals: u32) -> Asm {
    let mut f = Asm::new();
    f.name = name.into();
    f.n_params = params.len() as u32;
    f.n_locals = n_locals.max(params.len() as u32);
    f.local_names = params.iter().map(|p| String::from(*p)).collect();
    f
}

/// `def fib(n): return n if n < 2 else fib(n-1) + fib(n-2)`; `fib(n)`.
fn fib_image(n: i16) -> Vec<u32> {
    let mut b = Builder::default();
    let g = b.global("fib");
    let mut m = Asm::new();
    m.line(1)
        .op(Op::LoadNone)
        .op16(Op::MakeFunction, 1)
        .op16(Op::StoreGlobal, g);
    m.line(5)
        .op16(Op::LoadGlobal, g)
        .int(n)
        .op8(Op::Call, 1)
        .op(Op::Return);
    let mut f = func("fib", &["n"], 1);
    f.max_stack = 5;
    f.line(2).op16(Op::LoadLocal, 0).int(2).op(Op::Lt);
    let j = f.jump(Op::PopJumpIfFalse);
    f.line(3).op16(Op::LoadLocal, 0).op(Op::Return);
    let t = f.pc();
    f.patch(j, t);
    f.line(4)
        .op16(Op::LoadGlobal, g)
        .op16(Op::LoadLocal, 0)
        .int(1)
        .op(Op::Sub)
        .op8(Op::Call, 1);
    f.op16(Op::LoadGlobal, g)
        .op16(Op::LoadLocal, 0)
        .int(2)
        .op(Op::Sub)
        .op8(Op::Call, 1);
    f.op(Op::Add).op(Op::Return);
    b.funcs.push(m);
    b.funcs.push(f);
    b.build()
}

#[test]
fn fib_24_recurses_through_frames_in_vm_memory() {
    assert_eq!(outcome_of(&run_image(fib_image(24))), val("46368"));
    assert_eq!(outcome_of(&run_image(fib_image(1))), val("1"));
}

/// `def down(n): return 0 if n == 0 else down(n - 1) + 1`; `down(depth)`.
fn down_image(depth: u16) -> Vec<u32> {
    let mut b = Builder::default();
    let g = b.global("down");
    let k = b.konst(I(depth as i32));
    let mut m = Asm::new();
    m.line(1)
        .op(Op::LoadNone)
        .op16(Op::MakeFunction, 1)
        .op16(Op::StoreGlobal, g);
    m.line(9)
        .op16(Op::LoadGlobal, g)
        .op16(Op::LoadConst, k)
        .op8(Op::Call, 1)
        .op(Op::Return);
    let mut f = func("down", &["n"], 1);
    f.max_stack = 3;
    f.line(2).op16(Op::LoadLocal, 0).int(0).op(Op::Eq);
    let j = f.jump(Op::PopJumpIfFalse);
    f.int(0).op(Op::Return);
    let t = f.pc();
    f.patch(j, t);
    f.line(3)
        .op16(Op::LoadGlobal, g)
        .op16(Op::LoadLocal, 0)
        .int(1)
        .op(Op::Sub)
        .op8(Op::Call, 1);
    f.int(1).op(Op::Add).op(Op::Return);
    b.funcs.push(m);
    b.funcs.push(f);
    b.build()
}

#[test]
fn deep_recursion_spills_frames_to_dram_then_raises_recursion_error() {
    assert_eq!(outcome_of(&run_image(down_image(500))), val("500"));
    assert_eq!(outcome_of(&run_image(down_image(5000))), val("5000"));
    assert_eq!(
        outcome_of(&run_image(down_image(60000))),
        Outcome::Error(
            ExcType::RecursionError,
            Msg::RecursionDepth,
            3,
            "None".into()
        )
    );
}

#[test]
fn defaults_missing_and_extra_arguments() {
    // def f(a, b=10): return a - b
    let run = |args: &[i16]| {
        let mut b = Builder::default();
        let d = b.konst(I(10));
        let mut m = Asm::new();
        m.line(1)
            .op16(Op::LoadConst, d)
            .op16(Op::BuildTuple, 1)
            .op16(Op::MakeFunction, 1);
        m.line(2);
        for &a in args {
            m.int(a);
        }
        m.op8(Op::Call, args.len() as u8).op(Op::Return);
        let mut f = func("f", &["a", "b"], 2);
        f.n_defaults = 1;
        f.line(7)
            .op16(Op::LoadLocal, 0)
            .op16(Op::LoadLocal, 1)
            .op(Op::Sub)
            .op(Op::Return);
        b.funcs.push(m);
        b.funcs.push(f);
        outcome_of(&run_image(b.build()))
    };
    assert_eq!(run(&[1]), val("-9"));
    assert_eq!(run(&[1, 2]), val("-1"));
    assert_eq!(
        run(&[]),
        Outcome::Error(
            ExcType::TypeError,
            Msg::MissingArguments,
            2,
            "(3 'f' 1 'a'".into()
        )
    );
    assert_eq!(
        run(&[1, 2, 3]),
        Outcome::Error(
            ExcType::TypeError,
            Msg::WrongArgCountRange,
            2,
            "(4 'f' 1 2 3".into()
        )
    );
    // No defaults: the plain message.
    let mut b = Builder::default();
    let mut m = Asm::new();
    m.line(4)
        .op(Op::LoadNone)
        .op16(Op::MakeFunction, 1)
        .int(1)
        .op8(Op::Call, 1)
        .op(Op::Return);
    let mut f = func("g", &[], 0);
    f.op(Op::LoadNone).op(Op::Return);
    b.funcs.push(m);
    b.funcs.push(f);
    assert_eq!(
        outcome_of(&run_image(b.build())),
        Outcome::Error(
            ExcType::TypeError,
            Msg::WrongArgCount,
            4,
            "(3 'g' 0 1".into()
        )
    );
}

#[test]
fn unbound_local_names_the_variable() {
    let mut b = Builder::default();
    let mut m = Asm::new();
    m.line(1)
        .op(Op::LoadNone)
        .op16(Op::MakeFunction, 1)
        .op8(Op::Call, 0)
        .op(Op::Return);
    let mut f = func("h", &[], 2);
    f.local_names = vec!["x".into(), "total".into()];
    f.line(3).op16(Op::LoadLocal, 1).op(Op::Return);
    b.funcs.push(m);
    b.funcs.push(f);
    assert_eq!(
        outcome_of(&run_image(b.build())),
        Outcome::Error(
            ExcType::UnboundLocalError,
            Msg::LocalUnbound,
            3,
            "'total'".into()
        )
    );
}

/// The module body: `keep = []`, then `loops` times build an 8-item list
/// (garbage) and every 1000th time append its first item to `keep`.
fn churn_image(loops: i16) -> Vec<u32> {
    let mut b = Builder::default();
    let keep = b.global("keep");
    let mut a = Asm::new();
    a.n_locals = 2;
    a.max_stack = 12;
    a.line(1).op16(Op::BuildList, 0).op16(Op::StoreGlobal, keep);
    // for i in range(loops):
    a.line(2)
        .op16(Op::LoadNative, natives::RANGE)
        .int(loops)
        .op8(Op::Call, 1)
        .op(Op::GetIter);
    let top = a.pc();
    let exit = a.jump(Op::ForIter);
    a.op16(Op::StoreLocal, 0);
    // x = [i, i, i, i, i, i, i, i]
    a.line(3);
    for _ in 0..8 {
        a.op16(Op::LoadLocal, 0);
    }
    a.op16(Op::BuildList, 8).op16(Op::StoreLocal, 1);
    // if i % 1000 == 0: keep.append(x[0]) (ListAppend on keep)
    a.line(4)
        .op16(Op::LoadLocal, 0)
        .int(1000)
        .op(Op::Mod)
        .int(0)
        .op(Op::Eq);
    let skip = a.jump(Op::PopJumpIfFalse);
    a.line(5)
        .op16(Op::LoadGlobal, keep)
        .op16(Op::LoadLocal, 1)
        .int(0)
        .op(Op::LoadSubscr);
    a.op8(Op::ListAppend, 0).op(Op::Pop);
    let here = a.pc();
    a.patch(skip, here);
    a.op16(Op::Jump, top);
    let end = a.pc();
    a.patch(exit, end);
    a.line(6).op16(Op::LoadGlobal, keep).op(Op::Return);
    b.funcs.push(a);
    b.build()
}

#[test]
fn the_collector_frees_garbage_far_beyond_memory_and_keeps_live_data() {
    // 30000 lists of 8 items: about 700K words, more than the whole heap.
    let want: Vec<String> = (0..30).map(|k| format!("{}", k * 1000)).collect();
    assert_eq!(
        outcome_of(&run_image(churn_image(30000))),
        Outcome::Value(format!("[30 {}", want.join(" ")))
    );
}

#[test]
fn memory_error_when_sram_and_dram_are_full() {
    // xs = []; while True: xs.append(xs)  (via ListAppend)
    let mut a = Asm::new();
    a.n_locals = 1;
    a.line(1).op16(Op::BuildList, 0).op16(Op::StoreLocal, 0);
    let top = a.pc();
    a.line(2)
        .op16(Op::LoadLocal, 0)
        .int(7)
        .op8(Op::ListAppend, 0)
        .op(Op::Pop)
        .op16(Op::Jump, top);
    assert_eq!(
        run_asm(&[], &a),
        Outcome::Error(ExcType::MemoryError, Msg::OutOfMemory, 2, "None".into())
    );
}

/// `[10, 20, 30, 40]` then `op` with `idx` on it.
fn on_list(build: impl FnOnce(&mut Asm)) -> Outcome {
    let mut a = Asm::new();
    a.n_locals = 1;
    a.line(1)
        .int(10)
        .int(20)
        .int(30)
        .int(40)
        .op16(Op::BuildList, 4)
        .op16(Op::StoreLocal, 0);
    a.line(2);
    build(&mut a);
    a.op(Op::Return);
    run_asm(&[S("s"), C::Float(1.5)], &a)
}

#[test]
fn subscripts_with_negative_indices_and_their_errors() {
    let get = |i: i16| {
        on_list(|a| {
            a.op16(Op::LoadLocal, 0).int(i).op(Op::LoadSubscr);
        })
    };
    assert_eq!(get(0), val("10"));
    assert_eq!(get(3), val("40"));
    assert_eq!(get(-1), val("40"));
    assert_eq!(get(-4), val("10"));
    for i in [4, -5] {
        assert_eq!(
            get(i),
            Outcome::Error(
                ExcType::IndexError,
                Msg::IndexOutOfRange,
                2,
                "'list'".into()
            )
        );
    }
    assert_eq!(
        on_list(|a| {
            a.op16(Op::LoadLocal, 0)
                .op16(Op::LoadConst, 0)
                .op(Op::LoadSubscr);
        }),
        Outcome::Error(
            ExcType::TypeError,
            Msg::IndicesMustBeIntegers,
            2,
            "(2 'list' 'str'".into()
        )
    );
    assert_eq!(
        on_list(|a| {
            a.int(3).int(0).op(Op::LoadSubscr);
        }),
        Outcome::Error(ExcType::TypeError, Msg::NotSubscriptable, 2, "'int'".into())
    );
    // x[-2] = 99; x
    assert_eq!(
        on_list(|a| {
            a.int(99)
                .op16(Op::LoadLocal, 0)
                .int(-2)
                .op(Op::StoreSubscr)
                .op16(Op::LoadLocal, 0);
        }),
        val("[4 10 20 99 40")
    );
    assert_eq!(
        on_list(|a| {
            a.int(99)
                .op16(Op::LoadLocal, 0)
                .int(4)
                .op(Op::StoreSubscr)
                .op(Op::LoadNone);
        }),
        Outcome::Error(
            ExcType::IndexError,
            Msg::AssignmentIndexOutOfRange,
            2,
            "'list'".into()
        )
    );
    // Tuples are immutable.
    assert_eq!(
        on_list(|a| {
            a.int(1)
                .int(5)
                .int(6)
                .op16(Op::BuildTuple, 2)
                .int(0)
                .op(Op::StoreSubscr)
                .op(Op::LoadNone);
        }),
        Outcome::Error(
            ExcType::TypeError,
            Msg::NoItemAssignment,
            2,
            "'tuple'".into()
        )
    );
    assert_eq!(
        on_list(|a| {
            a.int(5)
                .int(6)
                .op16(Op::BuildTuple, 2)
                .int(-1)
                .op(Op::LoadSubscr);
        }),
        val("6")
    );
}

#[test]
fn unpacking_lengths_and_order() {
    // a, b = (1, 2) ; return (b, a) with the first target popped first.
    let mut a = Asm::new();
    a.n_locals = 2;
    a.int(1)
        .int(2)
        .op16(Op::BuildTuple, 2)
        .op16(Op::UnpackSequence, 2);
    a.op16(Op::StoreLocal, 0).op16(Op::StoreLocal, 1);
    a.op16(Op::LoadLocal, 1)
        .op16(Op::LoadLocal, 0)
        .op16(Op::BuildList, 2)
        .op(Op::Return);
    assert_eq!(run_asm(&[], &a), val("[2 2 1"));
    let unpack = |n: u16| {
        on_list(|a| {
            a.op16(Op::LoadLocal, 0)
                .op16(Op::UnpackSequence, n)
                .op16(Op::BuildTuple, n);
        })
    };
    assert_eq!(unpack(4), val("(4 40 30 20 10"));
    assert_eq!(
        unpack(3),
        Outcome::Error(ExcType::ValueError, Msg::TooManyToUnpack, 2, "(1 3".into())
    );
    assert_eq!(
        unpack(5),
        Outcome::Error(
            ExcType::ValueError,
            Msg::NotEnoughToUnpack,
            2,
            "(2 5 4".into()
        )
    );
}

#[test]
fn stack_shuffles_identity_and_deep_equality() {
    // Rot3: a b c -> c a b ; Dup2: a b -> a b a b
    let mut a = Asm::new();
    a.int(1)
        .int(2)
        .int(3)
        .op(Op::Rot3)
        .op16(Op::BuildList, 3)
        .op(Op::Return);
    assert_eq!(run_asm(&[], &a), val("[3 3 1 2"));
    let mut a = Asm::new();
    a.int(1)
        .int(2)
        .op(Op::Dup2)
        .op16(Op::BuildList, 4)
        .op(Op::Return);
    assert_eq!(run_asm(&[], &a), val("[4 1 2 1 2"));
    // [1, [2, (3,)]] == [1, [2, (3,)]] ; and against a tuple inside
    let nested = |a: &mut Asm, last_is_tuple: bool| {
        a.int(1).int(2).int(3);
        a.op16(
            if last_is_tuple {
                Op::BuildTuple
            } else {
                Op::BuildList
            },
            1,
        );
        a.op16(Op::BuildList, 2).op16(Op::BuildList, 2);
    };
    for (op, tuple, want) in [
        (Op::Eq, true, "True"),
        (Op::Eq, false, "False"),
        (Op::Ne, false, "True"),
    ] {
        let mut a = Asm::new();
        nested(&mut a, true);
        nested(&mut a, tuple);
        a.op(op).op(Op::Return);
        assert_eq!(run_asm(&[], &a), val(want));
    }
    // is / is not: the same list object vs an equal one; None is None.
    let mut a = Asm::new();
    a.n_locals = 1;
    a.op16(Op::BuildList, 0).op16(Op::StoreLocal, 0);
    a.op16(Op::LoadLocal, 0).op16(Op::LoadLocal, 0).op(Op::Is);
    a.op16(Op::LoadLocal, 0).op16(Op::BuildList, 0).op(Op::Is);
    a.op(Op::LoadNone).op(Op::LoadNone).op(Op::IsNot);
    a.op16(Op::BuildTuple, 3).op(Op::Return);
    assert_eq!(run_asm(&[], &a), val("(3 True False False"));
}

#[test]
fn for_loops_over_ranges_lists_and_tuples() {
    // total = 0; for x in <seq>: total = total * 10 + x ; return total
    let sum_over = |build: &dyn Fn(&mut Asm)| {
        let mut a = Asm::new();
        a.n_locals = 1;
        a.int(0).op16(Op::StoreLocal, 0);
        build(&mut a);
        a.op(Op::GetIter);
        let top = a.pc();
        let exit = a.jump(Op::ForIter);
        a.op16(Op::LoadLocal, 0)
            .int(10)
            .op(Op::Mul)
            .op(Op::Add)
            .op16(Op::StoreLocal, 0);
        a.op16(Op::Jump, top);
        let end = a.pc();
        a.patch(exit, end);
        a.op16(Op::LoadLocal, 0).op(Op::Return);
        run_asm(&[], &a)
    };
    fn range(args: &'static [i16]) -> impl Fn(&mut Asm) {
        move |a: &mut Asm| {
            a.op16(Op::LoadNative, natives::RANGE);
            for &x in args {
                a.int(x);
            }
            a.op8(Op::Call, args.len() as u8);
        }
    }
    assert_eq!(sum_over(&range(&[4])), val("123"));
    assert_eq!(sum_over(&range(&[2, 5])), val("234"));
    assert_eq!(sum_over(&range(&[9, 0, -3])), val("963"));
    assert_eq!(sum_over(&range(&[5, 2])), val("0"));
    assert_eq!(
        sum_over(&|a: &mut Asm| {
            a.int(7).int(8).op16(Op::BuildList, 2);
        }),
        val("78")
    );
    assert_eq!(
        sum_over(&|a: &mut Asm| {
            a.int(1).int(2).int(3).op16(Op::BuildTuple, 3);
        }),
        val("123")
    );
    assert_eq!(
        sum_over(&|a: &mut Asm| {
            a.int(5);
        }),
        Outcome::Error(ExcType::TypeError, Msg::NotIterable, 0, "'int'".into())
    );
    let zero_step = sum_over(&range(&[1, 5, 0]));
    assert_eq!(
        zero_step,
        Outcome::Error(
            ExcType::ValueError,
            Msg::ZeroStep,
            0,
            "'range() arg 3'".into()
        )
    );
}

#[test]
fn comprehension_style_append_and_len() {
    // [x * x for x in range(5)] via BuildList 0, ForIter, ListAppend 1; len() of it.
    let mut a = Asm::new();
    a.n_locals = 1;
    a.op16(Op::BuildList, 0);
    a.op16(Op::LoadNative, natives::RANGE)
        .int(5)
        .op8(Op::Call, 1)
        .op(Op::GetIter);
    let top = a.pc();
    let exit = a.jump(Op::ForIter);
    a.op16(Op::StoreLocal, 0)
        .op16(Op::LoadLocal, 0)
        .op16(Op::LoadLocal, 0)
        .op(Op::Mul);
    a.op8(Op::ListAppend, 1).op16(Op::Jump, top);
    let end = a.pc();
    a.patch(exit, end);
    a.op(Op::Dup)
        .op16(Op::LoadNative, natives::LEN)
        .op(Op::Rot2)
        .op8(Op::Call, 1);
    a.op16(Op::BuildTuple, 2).op(Op::Return);
    assert_eq!(run_asm(&[], &a), val("(2 [5 0 1 4 9 16 5"));
    // len of a str counts code points; len of an int is a TypeError.
    let mut a = Asm::new();
    a.op16(Op::LoadNative, natives::LEN)
        .op16(Op::LoadConst, 0)
        .op8(Op::Call, 1);
    a.op16(Op::LoadNative, natives::LEN)
        .op16(Op::LoadConst, 1)
        .op8(Op::Call, 1);
    a.op16(Op::BuildTuple, 2).op(Op::Return);
    assert_eq!(run_asm(&[S("héllo"), S("")], &a), val("(2 5 0"));
    let mut a = Asm::new();
    a.op16(Op::LoadNative, natives::LEN)
        .int(3)
        .op8(Op::Call, 1)
        .op(Op::Return);
    assert_eq!(
        run_asm(&[], &a),
        Outcome::Error(ExcType::TypeError, Msg::NoLen, 0, "'int'".into())
    );
}

#[test]
fn a_big_list_lives_in_dram_and_prints_nested() {
    // xs = list of 20000 ints (through ListAppend): more than the SRAM arena.
    let mut a = Asm::new();
    a.n_locals = 1;
    a.op16(Op::BuildList, 0).op16(Op::StoreLocal, 0);
    a.op16(Op::LoadNative, natives::RANGE)
        .int(20000)
        .op8(Op::Call, 1)
        .op(Op::GetIter);
    let top = a.pc();
    let exit = a.jump(Op::ForIter);
    a.op16(Op::LoadLocal, 0)
        .op(Op::Rot2)
        .op8(Op::ListAppend, 0)
        .op(Op::Pop)
        .op16(Op::Jump, top);
    let end = a.pc();
    a.patch(exit, end);
    // return (len(xs), xs[19999], xs[-20000])
    a.op16(Op::LoadNative, natives::LEN)
        .op16(Op::LoadLocal, 0)
        .op8(Op::Call, 1);
    a.op16(Op::LoadLocal, 0).int(19999).op(Op::LoadSubscr);
    a.op16(Op::LoadLocal, 0).int(-20000).op(Op::LoadSubscr);
    a.op16(Op::BuildTuple, 3).op(Op::Return);
    assert_eq!(run_asm(&[], &a), val("(3 20000 19999 0"));
    // print([1, (2, "x"), []])
    let mut a = Asm::new();
    a.int(1)
        .int(2)
        .op16(Op::LoadConst, 0)
        .op16(Op::BuildTuple, 2)
        .op16(Op::BuildList, 0);
    a.op16(Op::BuildList, 3)
        .op16(shared_protocol::bytecode::Op::Print, 1)
        .op(Op::Return);
    let events = run_image(super::builder::image_of(&[S("x")], &a));
    assert_eq!(
        render_print(&events[0].payload),
        "' ' '\n' 1 [3 1 (2 2 'x' [0"
    );
    let _ = render;
}

#[test]
fn the_verifier_checks_the_new_operands() {
    let with_fn = |build: &dyn Fn(&mut Asm), f: Asm| {
        let mut b = Builder::default();
        let mut m = Asm::new();
        build(&mut m);
        b.funcs.push(m);
        b.funcs.push(f);
        check(&b.build())
    };
    let ok_fn = || {
        let mut f = func("f", &["a"], 1);
        f.op(Op::LoadNone).op(Op::Return);
        f
    };
    let make = |k: u16| {
        move |m: &mut Asm| {
            m.op(Op::LoadNone).op16(Op::MakeFunction, k).op(Op::Return);
        }
    };
    assert_eq!(with_fn(&make(1), ok_fn()), Ok(()));
    assert_eq!(with_fn(&make(0), ok_fn()), Err(Reject::Index));
    assert_eq!(with_fn(&make(2), ok_fn()), Err(Reject::Index));
    let mut f = ok_fn();
    f.n_defaults = 2;
    assert_eq!(with_fn(&make(1), f), Err(Reject::Function));
    // ListAppend must reach a value `k` below the top.
    let mut a = Asm::new();
    a.op16(Op::BuildList, 0)
        .int(1)
        .op8(Op::ListAppend, 1)
        .op(Op::Return);
    assert_eq!(
        check(&super::builder::image_of(&[], &a)),
        Err(Reject::Stack)
    );
    let mut a = Asm::new();
    a.op16(Op::BuildList, 0)
        .int(1)
        .op8(Op::ListAppend, 0)
        .op(Op::Return);
    assert_eq!(check(&super::builder::image_of(&[], &a)), Ok(()));
    // Method numbers in range; unbuilt natives refused.
    let mut a = Asm::new();
    a.op16(Op::BuildList, 0)
        .op16(Op::CallMethod, 200)
        .op(Op::Return);
    assert!(check(&super::builder::image_of(&[], &a)).is_err());
    if !cfg!(feature = "extras") {
        let mut a = Asm::new();
        a.op16(Op::LoadNative, natives::MATH_SQRT).op(Op::Return);
        assert_eq!(
            check(&super::builder::image_of(&[], &a)),
            Err(Reject::Unsupported)
        );
        let mut a = Asm::new();
        a.op16(Op::LoadNative, natives::MATH_PI).op(Op::Return);
        assert_eq!(check(&super::builder::image_of(&[], &a)), Ok(()));
    }
}

#[test]
fn math_pi_is_a_float_constant() {
    let mut a = Asm::new();
    a.op16(Op::LoadNative, natives::MATH)
        .op16(Op::LoadModuleAttr, natives::MATH_PI)
        .op(Op::Return);
    assert_eq!(run_asm(&[], &a), val("3.1415927"));
}

#[test]
fn list_append_runs_in_every_build_and_other_methods_need_the_extras() {
    use shared_protocol::bytecode::call_method_operand;
    let append = call_method_operand(natives::method("append").unwrap(), 1);
    // xs = [1]; xs.append(2); xs.append(xs[0]); xs
    let mut a = Asm::new();
    a.n_locals = 1;
    a.line(1)
        .int(1)
        .op16(Op::BuildList, 1)
        .op16(Op::StoreLocal, 0);
    a.line(2)
        .op16(Op::LoadLocal, 0)
        .int(2)
        .op16(Op::CallMethod, append)
        .op(Op::Pop);
    a.op16(Op::LoadLocal, 0)
        .op16(Op::LoadLocal, 0)
        .int(0)
        .op(Op::LoadSubscr);
    a.op16(Op::CallMethod, append).op(Op::Pop);
    a.op16(Op::LoadLocal, 0).op(Op::Return);
    assert_eq!(run_asm(&[], &a), val("[3 1 2 1"));
    // (5).append(1): AttributeError naming the type and the method.
    let mut a = Asm::new();
    a.line(4)
        .int(5)
        .int(1)
        .op16(Op::CallMethod, append)
        .op(Op::Return);
    assert_eq!(
        run_asm(&[], &a),
        Outcome::Error(
            ExcType::AttributeError,
            Msg::NoMethod,
            4,
            "(2 'int' 0".into()
        )
    );
    if !cfg!(feature = "extras") {
        let mut a = Asm::new();
        let pop = call_method_operand(natives::method("pop").unwrap(), 0);
        a.op16(Op::BuildList, 0)
            .op16(Op::CallMethod, pop)
            .op(Op::Return);
        assert_eq!(
            check(&super::builder::image_of(&[], &a)),
            Err(Reject::Unsupported)
        );
    }
}

#[test]
fn collections_during_deep_recursion_keep_every_frames_locals() {
    // def f(n):
    //     x = [n, n]
    //     if n == 0:
    //         for i in range(30000): y = [i, i, i, i, i, i, i, i]   (garbage)
    //     else:
    //         r = f(n - 1)
    //     return x[1] + r          (r = 0 at the bottom)
    // f(300)  -> 45150, with collections while 301 frames (SRAM and DRAM) hold lists
    let mut b = Builder::default();
    let g = b.global("f");
    let mut m = Asm::new();
    m.line(1)
        .op(Op::LoadNone)
        .op16(Op::MakeFunction, 1)
        .op16(Op::StoreGlobal, g);
    m.line(9)
        .op16(Op::LoadGlobal, g)
        .int(300)
        .op8(Op::Call, 1)
        .op(Op::Return);
    let mut f = func("f", &["n"], 4);
    f.max_stack = 10;
    f.line(2)
        .op16(Op::LoadLocal, 0)
        .op(Op::Dup)
        .op16(Op::BuildList, 2)
        .op16(Op::StoreLocal, 1);
    f.line(3).op16(Op::LoadLocal, 0).int(0).op(Op::Eq);
    let els = f.jump(Op::PopJumpIfFalse);
    f.line(4)
        .op16(Op::LoadNative, natives::RANGE)
        .int(30000)
        .op8(Op::Call, 1)
        .op(Op::GetIter);
    let top = f.pc();
    let done = f.jump(Op::ForIter);
    f.op16(Op::StoreLocal, 2);
    for _ in 0..8 {
        f.op16(Op::LoadLocal, 2);
    }
    f.op16(Op::BuildList, 8)
        .op16(Op::StoreLocal, 3)
        .op16(Op::Jump, top);
    let end = f.pc();
    f.patch(done, end);
    f.int(0).op16(Op::StoreLocal, 2);
    let after = f.jump(Op::Jump);
    let here = f.pc();
    f.patch(els, here);
    f.line(6)
        .op16(Op::LoadGlobal, g)
        .op16(Op::LoadLocal, 0)
        .int(1)
        .op(Op::Sub)
        .op8(Op::Call, 1)
        .op16(Op::StoreLocal, 2);
    let here = f.pc();
    f.patch(after, here);
    f.line(7)
        .op16(Op::LoadLocal, 1)
        .int(1)
        .op(Op::LoadSubscr)
        .op16(Op::LoadLocal, 2)
        .op(Op::Add)
        .op(Op::Return);
    b.funcs.push(m);
    b.funcs.push(f);
    assert_eq!(outcome_of(&run_image(b.build())), val("45150"));
}

// ---- closures (closure.rs) --------------------------------------------------

/// A cell made, written and read through, and a closure called: `MakeCell`,
/// `StoreDeref`, `LoadDeref`, `MakeClosure` by hand, as the compiler emits them.
#[test]
fn cells_and_closures_run_and_a_non_cell_slot_is_an_internal_fault() {
    use shared_protocol::bytecode::DEREF_FREE;
    use shared_protocol::mailbox::{CoreState, Fault, status};
    // function 1: inner(x) with free variable `c` in slot 1 -> x + c
    let mut inner = func("inner", &["x"], 2);
    inner.local_names.push("c".into());
    inner.op16(Op::LoadLocal, 0).op16(Op::LoadDeref, 1 | DEREF_FREE).op(Op::Add).op(Op::Return);
    let mut m = Asm::new();
    m.n_locals = 2;
    m.op16(Op::MakeCell, 0).int(40).op16(Op::StoreDeref, 0);
    m.op(Op::LoadNone).op16(Op::LoadLocal, 0).op16(Op::BuildTuple, 1).op16(Op::MakeClosure, 1);
    m.op16(Op::StoreLocal, 1).op16(Op::LoadLocal, 1).int(2).op8(Op::Call, 1).op(Op::Return);
    let mut b = Builder::default();
    b.funcs.push(m);
    b.funcs.push(inner);
    assert_eq!(outcome_of(&run_image(b.build())), val("42"));

    // LoadDeref of a slot that holds an int: the VM stops (a fault), it does
    // not read through the int.
    let mut bad = Asm::new();
    bad.n_locals = 1;
    bad.int(7).op16(Op::StoreLocal, 0).op16(Op::LoadDeref, 0).op(Op::Return);
    let mut mock = super::mock::Mock::new(4);
    mock.post(super::builder::image_of(&[], &bad));
    let (mock, _) = super::run_mock(mock);
    assert_eq!(mock.status(status::STATE), CoreState::Fault as u32);
    assert_eq!(mock.status(status::FAULT), Fault::VmInternal as u32);
}

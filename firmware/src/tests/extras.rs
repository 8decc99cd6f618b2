//! The `extras` feature (over the code budget today, so not in the image):
//! keyword calls, slices, `in`, sequence `+`/`*`/ordering, the builtins,
//! list and str methods, math and random. `cargo test -p firmware --features extras`.

use std::string::String;

use shared_protocol::bytecode::{Op, call_method_operand};
use shared_protocol::errors::{ExcType, Msg};
use shared_protocol::natives::{self as n, method};

use super::builder::{Asm, Builder, C};
use super::{Outcome, outcome_of, run_asm, run_image, val};

use C::{Float as F, Int as I, Str as S};

/// Push constants (ints inline, others as consts).
fn push(a: &mut Asm, consts: &mut Vec<C<'static>>, c: C<'static>) {
    match c {
        I(i) if (-32768..32768).contains(&i) => {
            a.int(i as i16);
        }
        _ => {
            consts.push(c);
            a.op16(Op::LoadConst, consts.len() as u16 - 1);
        }
    }
}

/// `native(*args)`.
fn call(id: u16, args: &[C<'static>]) -> Outcome {
    let mut a = Asm::new();
    let mut consts = Vec::new();
    a.line(1).op16(Op::LoadNative, id);
    for &c in args {
        push(&mut a, &mut consts, c);
    }
    a.op8(Op::Call, args.len() as u8).op(Op::Return);
    run_asm(&consts, &a)
}

/// `native(list_of(args))`.
fn call_on_list(id: u16, items: &[C<'static>]) -> Outcome {
    let mut a = Asm::new();
    let mut consts = Vec::new();
    a.line(1).op16(Op::LoadNative, id);
    for &c in items {
        push(&mut a, &mut consts, c);
    }
    a.op16(Op::BuildList, items.len() as u16)
        .op8(Op::Call, 1)
        .op(Op::Return);
    run_asm(&consts, &a)
}

/// `recv.name(*args)` with a list receiver (`recv_list`) or a constant.
fn meth(recv: &[C<'static>], as_list: bool, name: &str, args: &[C<'static>]) -> Outcome {
    meth_n(recv, as_list, method(name).unwrap(), args)
}

/// `recv.m(*args)` by method number (the compiler's variants have no name
/// of their own).
fn meth_n(recv: &[C<'static>], as_list: bool, m: u8, args: &[C<'static>]) -> Outcome {
    let mut a = Asm::new();
    let mut consts = Vec::new();
    a.line(1);
    for &c in recv {
        push(&mut a, &mut consts, c);
    }
    if as_list {
        a.op16(Op::BuildList, recv.len() as u16);
    }
    for &c in args {
        push(&mut a, &mut consts, c);
    }
    a.op16(Op::CallMethod, call_method_operand(m, args.len() as u8))
        .op(Op::Return);
    run_asm(&consts, &a)
}

fn e(t: ExcType, m: Msg, detail: &str) -> Outcome {
    Outcome::Error(t, m, 1, detail.into())
}

#[test]
fn keyword_arguments_match_parameter_names() {
    // def f(a, b=2, c=3): return [a, b, c]
    let run = |pos: &[i16], kw: &[(&'static str, i16)]| {
        let mut b = Builder::default();
        let d1 = b.konst(I(2));
        let d2 = b.konst(I(3));
        let names: &'static [C<'static>] = Box::leak(
            kw.iter()
                .map(|(k, _)| S(k))
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        );
        let t = b.konst(C::Tuple(names));
        let mut m = Asm::new();
        m.line(1)
            .op16(Op::LoadConst, d1)
            .op16(Op::LoadConst, d2)
            .op16(Op::BuildTuple, 2)
            .op16(Op::MakeFunction, 1);
        m.line(2);
        for &p in pos {
            m.int(p);
        }
        for &(_, v) in kw {
            m.int(v);
        }
        m.op16(Op::LoadConst, t)
            .op8(Op::CallKw, (pos.len() + kw.len()) as u8)
            .op(Op::Return);
        let mut f = Asm::new();
        f.name = "f".into();
        f.n_params = 3;
        f.n_locals = 3;
        f.n_defaults = 2;
        f.local_names = vec!["a".into(), "b".into(), "c".into()];
        f.op16(Op::LoadLocal, 0)
            .op16(Op::LoadLocal, 1)
            .op16(Op::LoadLocal, 2)
            .op16(Op::BuildList, 3)
            .op(Op::Return);
        b.funcs.push(m);
        b.funcs.push(f);
        outcome_of(&run_image(b.build()))
    };
    assert_eq!(run(&[1], &[("c", 9)]), val("[3 1 2 9"));
    assert_eq!(run(&[], &[("b", 5), ("a", 4)]), val("[3 4 5 3"));
    let at2 = |m, d: &str| Outcome::Error(ExcType::TypeError, m, 2, d.into());
    assert_eq!(
        run(&[1], &[("a", 2)]),
        at2(Msg::MultipleValuesForArgument, "(2 'f' 'a'")
    );
    assert_eq!(
        run(&[1], &[("d", 2)]),
        at2(Msg::UnexpectedKeyword, "(2 'f' 'd'")
    );
    assert_eq!(
        run(&[], &[("b", 2)]),
        at2(Msg::MissingArguments, "(3 'f' 1 'a'")
    );
    // A builtin takes no keywords.
    let mut b = Builder::default();
    let t = b.konst(C::Tuple(&[S("x")]));
    let mut m = Asm::new();
    m.line(3)
        .op16(Op::LoadNative, n::LEN)
        .int(1)
        .op16(Op::LoadConst, t)
        .op8(Op::CallKw, 1)
        .op(Op::Return);
    b.funcs.push(m);
    assert_eq!(
        outcome_of(&run_image(b.build())),
        Outcome::Error(
            ExcType::TypeError,
            Msg::NoKeywordArguments,
            3,
            "'len'".into()
        )
    );
}

/// `seq[lo:hi:step]` with None for a missing bound.
fn slice(
    seq: C<'static>,
    as_list: bool,
    lo: Option<i16>,
    hi: Option<i16>,
    step: Option<i16>,
) -> Outcome {
    let mut a = Asm::new();
    let mut consts = Vec::new();
    a.line(1);
    if as_list {
        for i in 0..6 {
            a.int(i);
        }
        a.op16(Op::BuildList, 6);
    } else {
        push(&mut a, &mut consts, seq);
    }
    for b in [lo, hi, step] {
        match b {
            Some(x) => a.int(x),
            None => a.op(Op::LoadNone),
        };
    }
    a.op(Op::LoadSliceStep).op(Op::Return);
    run_asm(&consts, &a)
}

#[test]
fn slices_follow_python() {
    let l = |lo, hi, step| slice(C::None, true, lo, hi, step);
    type Bounds = (Option<i16>, Option<i16>, Option<i16>);
    let table: &[(Bounds, &str)] = &[
        ((Some(1), Some(4), None), "[3 1 2 3"),
        ((None, Some(-2), None), "[4 0 1 2 3"),
        ((Some(-2), None, None), "[2 4 5"),
        ((None, None, Some(2)), "[3 0 2 4"),
        ((None, None, Some(-1)), "[6 5 4 3 2 1 0"),
        ((Some(4), Some(1), Some(-1)), "[3 4 3 2"),
        ((Some(-1), Some(-4), Some(-2)), "[2 5 3"),
        ((Some(10), None, None), "[0"),
        ((None, Some(100), None), "[6 0 1 2 3 4 5"),
        ((Some(-100), Some(2), None), "[2 0 1"),
        ((Some(5), Some(0), Some(-2)), "[3 5 3 1"),
        ((None, None, Some(-2)), "[3 5 3 1"),
        ((Some(2), Some(2), None), "[0"),
        ((Some(-100), Some(100), Some(-1)), "[0"),
        ((Some(100), Some(-100), Some(-3)), "[2 5 2"),
    ];
    for &((lo, hi, step), want) in table {
        assert_eq!(l(lo, hi, step), val(want), "[{lo:?}:{hi:?}:{step:?}]");
    }
    assert_eq!(
        slice(S("héllo"), false, Some(1), Some(3), None),
        val("'él'")
    );
    assert_eq!(slice(S("abc"), false, None, None, Some(-1)), val("'cba'"));
    assert_eq!(
        l(None, None, Some(0)),
        e(ExcType::ValueError, Msg::ZeroStep, "'slice'")
    );
}

#[test]
fn sorted_is_stable_and_refuses_unorderable_items() {
    assert_eq!(
        call_on_list(n::SORTED, &[C::Bool(true), F(1.0), I(1), I(0), I(-3)]),
        val("[5 -3 0 True 1.0 1")
    );
    assert_eq!(
        call_on_list(n::SORTED, &[S("b"), S("a"), S("c")]),
        val("[3 'a' 'b' 'c'")
    );
    assert_eq!(
        call_on_list(n::SORTED, &[I(3), S("a")]),
        e(
            ExcType::TypeError,
            Msg::NotSupportedBetween,
            "(3 '<' 'str' 'int'"
        )
    );
}

#[test]
fn conversions_and_numeric_builtins() {
    assert_eq!(call(n::INT, &[S(" -12 ")]), val("-12"));
    assert_eq!(call(n::INT, &[S("1_000")]), val("1000"));
    assert_eq!(call(n::INT, &[S("-2147483648")]), val("-2147483648"));
    assert_eq!(
        call(n::INT, &[S("2147483648")]),
        e(ExcType::OverflowError, Msg::IntOverflow, "None")
    );
    for bad in ["abc", "", "1__0", "_1", "1.5"] {
        assert_eq!(
            call(n::INT, &[S(bad)]),
            e(
                ExcType::ValueError,
                Msg::InvalidIntLiteral,
                &format!("(2 10 '{bad}'")
            ),
            "{bad}"
        );
    }
    // int(s, base): the base, then the text; an overflow only for valid text.
    let base = |s: &'static str, b: i32| call(n::INT, &[S(s), I(b)]);
    assert_eq!(base("-0x7FFFFFFF", 0), val("-2147483647"));
    assert_eq!(base("0b_1", 2), val("1"));
    assert_eq!(base("Zz", 36), val("1295"));
    assert_eq!(base("0x10", 36), val("42804"));
    assert_eq!(base("80000000", 16), e(ExcType::OverflowError, Msg::IntOverflow, "None"));
    assert_eq!(base("99999999999_", 10), e(ExcType::ValueError, Msg::InvalidIntLiteral, "(2 10 '99999999999_'"));
    for (bad, b) in [("010", 0), ("0x", 16), ("0b2", 0), ("0_", 0), ("1 0", 10), ("0o8", 8)] {
        let detail = format!("(2 {b} '{bad}'");
        assert_eq!(base(bad, b), e(ExcType::ValueError, Msg::InvalidIntLiteral, &detail), "{bad:?}");
    }
    assert_eq!(base("1", 1), e(ExcType::ValueError, Msg::IntBaseRange, "None"));
    assert_eq!(base("1", 37), e(ExcType::ValueError, Msg::IntBaseRange, "None"));
    assert_eq!(call(n::INT, &[I(1), I(10)]), e(ExcType::TypeError, Msg::IntNonStringWithBase, "None"));
    assert_eq!(call(n::INT, &[I(1), I(99)]), e(ExcType::ValueError, Msg::IntBaseRange, "None"), "the base first");
    assert_eq!(call(n::INT, &[F(3.9)]), val("3"));
    assert_eq!(call(n::INT, &[F(-3.9)]), val("-3"));
    assert_eq!(
        call(n::INT, &[F(f32::NAN)]),
        e(ExcType::ValueError, Msg::FloatToIntNan, "None")
    );
    assert_eq!(
        call(n::INT, &[F(f32::INFINITY)]),
        e(ExcType::OverflowError, Msg::FloatToIntInfinity, "None")
    );
    assert_eq!(
        call(n::INT, &[F(1e10)]),
        e(ExcType::OverflowError, Msg::IntOverflow, "None")
    );
    assert_eq!(call(n::INT, &[]), val("0"));
    assert_eq!(call(n::FLOAT, &[S("1e-5")]), val("1e-5"));
    assert_eq!(call(n::FLOAT, &[S(" -inf")]), val("-inf"));
    assert_eq!(
        call(n::FLOAT, &[S("x")]),
        e(ExcType::ValueError, Msg::InvalidFloatLiteral, "'x'")
    );
    assert_eq!(call(n::FLOAT, &[I(3)]), val("3.0"));
    assert_eq!(call(n::STR, &[F(0.1)]), val("'0.1'"));
    assert_eq!(call(n::STR, &[I(-7)]), val("'-7'"));
    assert_eq!(call(n::STR, &[C::None]), val("'None'"));
    // The longest texts numfmt writes fill its buffers exactly; a byte short
    // and they would come out cut.
    assert_eq!(call(n::STR, &[I(i32::MIN)]), val("'-2147483648'"));
    assert_eq!(call(n::STR, &[F(-1.234568e15)]), val("'-1234568000000000.0'"));
    assert_eq!(call(n::STR, &[F(-3.4028235e38)]), val("'-3.4028235e+38'"));
    assert_eq!(call(n::ROUND, &[F(2.5)]), val("2"));
    assert_eq!(call(n::ROUND, &[F(3.5)]), val("4"));
    assert_eq!(call(n::ROUND, &[F(-0.5)]), val("0"));
    assert_eq!(call(n::ROUND, &[F(1.25), I(1)]), val("1.2"));
    assert_eq!(call(n::ROUND, &[I(7)]), val("7"));
    assert_eq!(call(n::MIN, &[I(3), I(1), I(2)]), val("1"));
    assert_eq!(call_on_list(n::MAX, &[I(4), I(9), I(2)]), val("9"));
    assert_eq!(
        call_on_list(n::MIN, &[]),
        e(ExcType::ValueError, Msg::EmptySequenceArgument, "'min'")
    );
    assert_eq!(call_on_list(n::SUM, &[I(1), I(2), I(3)]), val("6"));
    assert_eq!(call_on_list(n::SUM, &[F(0.5), I(1)]), val("1.5"));
    assert_eq!(call(n::ABS, &[I(-5)]), val("5"));
    assert_eq!(call(n::ABS, &[F(-2.5)]), val("2.5"));
    assert_eq!(
        call(n::ABS, &[I(i32::MIN)]),
        e(ExcType::OverflowError, Msg::IntOverflow, "None")
    );
    assert_eq!(call(n::DIVMOD, &[I(7), I(-2)]), val("(2 -4 -1"));
    assert_eq!(call(n::POW, &[I(2), I(10)]), val("1024"));
    assert_eq!(call_on_list(n::BOOL, &[]), val("False"));
    assert_eq!(call_on_list(n::TUPLE, &[I(1), I(2)]), val("(2 1 2"));
    assert_eq!(call(n::LEN, &[S("héllo")]), val("5"));
}

#[test]
fn str_of_lists_is_their_repr() {
    let mut a = Asm::new();
    a.op16(Op::LoadNative, n::STR)
        .int(1)
        .op16(Op::LoadConst, 0)
        .int(2)
        .op16(Op::BuildTuple, 1);
    a.op16(Op::LoadConst, 1)
        .op16(Op::BuildList, 4)
        .op8(Op::Call, 1)
        .op(Op::Return);
    assert_eq!(
        run_asm(&[S("a'b"), F(0.5)], &a),
        val("'[1, \"a'b\", (2,), 0.5]'")
    );
}

#[test]
fn iterators_enumerate_zip_and_list() {
    // list(enumerate([5, 6], 1)); list(zip([1, 2, 3], "ab"))
    let mut a = Asm::new();
    a.op16(Op::LoadNative, n::LIST)
        .op16(Op::LoadNative, n::ENUMERATE)
        .int(5)
        .int(6)
        .op16(Op::BuildList, 2)
        .int(1);
    a.op8(Op::Call, 2).op8(Op::Call, 1);
    a.op16(Op::LoadNative, n::LIST)
        .op16(Op::LoadNative, n::ZIP)
        .int(1)
        .int(2)
        .int(3)
        .op16(Op::BuildList, 3);
    a.op16(Op::LoadConst, 0).op8(Op::Call, 2).op8(Op::Call, 1);
    a.op16(Op::BuildTuple, 2).op(Op::Return);
    assert_eq!(
        run_asm(&[S("ab")], &a),
        val("(2 [2 (2 1 5 (2 2 6 [2 (2 1 'a' (2 2 'b'")
    );
    assert_eq!(call(n::LIST, &[S("hé")]), val("[2 'h' 'é'"));
}

#[test]
fn list_methods() {
    let l = &[I(1), I(2)];
    assert_eq!(meth(l, true, "append", &[I(3)]), val("None"));
    assert_eq!(meth(l, true, "pop", &[]), val("2"));
    assert_eq!(meth(l, true, "pop", &[I(0)]), val("1"));
    assert_eq!(
        meth(&[], true, "pop", &[]),
        e(ExcType::IndexError, Msg::PopFromEmptyList, "None")
    );
    assert_eq!(
        meth(l, true, "pop", &[I(5)]),
        e(ExcType::IndexError, Msg::PopIndexOutOfRange, "None")
    );
    assert_eq!(meth(l, true, "index", &[I(2)]), val("1"));
    assert_eq!(
        meth(l, true, "index", &[I(7)]),
        e(ExcType::ValueError, Msg::NotInList, "'7'")
    );
    assert_eq!(meth(&[I(1), I(2), I(1)], true, "count", &[I(1)]), val("2"));
    assert_eq!(
        meth(&[I(5)], false, "append", &[I(1)]),
        e(ExcType::AttributeError, Msg::NoMethod, "(2 'int' 0")
    );
    assert_eq!(
        meth(&[S("x")], false, "append", &[I(1)]),
        e(ExcType::AttributeError, Msg::NoMethod, "(2 'str' 0")
    );
    assert_eq!(
        meth(l, true, "append", &[]),
        e(ExcType::TypeError, Msg::MethodArgCount, "(3 0 'list' 0")
    );
    // xs = [1, 2]; xs.insert(0, 9); xs.insert(-1, 8); xs.extend((7,)); xs.reverse(); xs
    let mut a = Asm::new();
    a.n_locals = 1;
    a.int(1)
        .int(2)
        .op16(Op::BuildList, 2)
        .op16(Op::StoreLocal, 0);
    let m = |name| method(name).unwrap();
    a.op16(Op::LoadLocal, 0)
        .int(0)
        .int(9)
        .op16(Op::CallMethod, call_method_operand(m("insert"), 2))
        .op(Op::Pop);
    a.op16(Op::LoadLocal, 0)
        .int(-1)
        .int(8)
        .op16(Op::CallMethod, call_method_operand(m("insert"), 2))
        .op(Op::Pop);
    a.op16(Op::LoadLocal, 0)
        .int(7)
        .op16(Op::BuildTuple, 1)
        .op16(Op::CallMethod, call_method_operand(m("extend"), 1))
        .op(Op::Pop);
    a.op16(Op::LoadLocal, 0)
        .op16(Op::CallMethod, call_method_operand(m("reverse"), 0))
        .op(Op::Pop);
    a.op16(Op::LoadLocal, 0).op(Op::Return);
    assert_eq!(run_asm(&[], &a), val("[5 7 2 8 1 9"));
}

#[test]
fn str_methods() {
    let s = |t: &'static str| [S(t)];
    assert_eq!(
        meth(&s("a,b"), false, "split", &[S(",")]),
        val("[2 'a' 'b'")
    );
    assert_eq!(
        meth(&s(" a b  c "), false, "split", &[]),
        val("[3 'a' 'b' 'c'")
    );
    assert_eq!(
        meth(&s("a,,b,"), false, "split", &[S(",")]),
        val("[4 'a' '' 'b' ''")
    );
    assert_eq!(meth(&s(" x \n"), false, "strip", &[]), val("'x'"));
    assert_eq!(
        meth(&s("xxhixx"), false, "lstrip", &[S("x")]),
        val("'hixx'")
    );
    assert_eq!(
        meth(&s("xxhixx"), false, "rstrip", &[S("x")]),
        val("'xxhi'")
    );
    assert_eq!(
        meth(&s("-"), false, "join", &[]),
        e(ExcType::TypeError, Msg::MethodArgCount, "(3 14 'str' 0")
    );
    assert_eq!(meth(&s("hello"), false, "find", &[S("ll")]), val("2"));
    assert_eq!(meth(&s("héllo"), false, "find", &[S("l")]), val("2"));
    assert_eq!(meth(&s("hello"), false, "find", &[S("z")]), val("-1"));
    assert_eq!(
        meth(&s("aaa"), false, "replace", &[S("a"), S("bb")]),
        val("'bbbbbb'")
    );
    assert_eq!(meth(&s("Hi!"), false, "upper", &[]), val("'HI!'"));
    assert_eq!(meth(&s("Hi!"), false, "lower", &[]), val("'hi!'"));
    assert_eq!(
        meth(&s("abc"), false, "startswith", &[S("ab")]),
        val("True")
    );
    assert_eq!(meth(&s("abc"), false, "endswith", &[S("bc")]), val("True"));
    assert_eq!(
        meth(&s("abc"), false, "endswith", &[S("abcd")]),
        val("False")
    );
    assert_eq!(meth(&s("12"), false, "isdigit", &[]), val("True"));
    assert_eq!(meth(&s(""), false, "isalpha", &[]), val("False"));
    assert_eq!(meth(&s(" \t"), false, "isspace", &[]), val("True"));
    // "-".join(["a", "b", "c"])
    let mut a = Asm::new();
    a.op16(Op::LoadConst, 0)
        .op16(Op::LoadConst, 1)
        .op16(Op::LoadConst, 2)
        .op16(Op::LoadConst, 3);
    a.op16(Op::BuildList, 3)
        .op16(
            Op::CallMethod,
            call_method_operand(method("join").unwrap(), 1),
        )
        .op(Op::Return);
    assert_eq!(
        run_asm(&[S("-"), S("a"), S("b"), S("c")], &a),
        val("'a-b-c'")
    );
}

#[test]
fn membership_concatenation_repetition_and_order() {
    let bin = |x: &[C<'static>], as_list: bool, op: Op, y: C<'static>, y_first: bool| {
        let mut a = Asm::new();
        let mut consts = Vec::new();
        a.line(1);
        if y_first {
            push(&mut a, &mut consts, y);
        }
        for &c in x {
            push(&mut a, &mut consts, c);
        }
        a.op16(
            if as_list {
                Op::BuildList
            } else {
                Op::BuildTuple
            },
            x.len() as u16,
        );
        if !y_first {
            push(&mut a, &mut consts, y);
        }
        a.op(op).op(Op::Return);
        run_asm(&consts, &a)
    };
    assert_eq!(
        bin(&[I(1), I(2), I(3)], true, Op::In, I(3), true),
        val("True")
    );
    assert_eq!(
        bin(&[I(1), I(2), I(3)], false, Op::NotIn, F(2.0), true),
        val("False")
    );
    assert_eq!(bin(&[I(1)], true, Op::Mul, I(3), false), val("[3 1 1 1"));
    assert_eq!(bin(&[I(1)], true, Op::Mul, I(-1), false), val("[0"));
    assert_eq!(
        bin(&[I(1)], true, Op::Add, I(1), false),
        e(
            ExcType::TypeError,
            Msg::CanOnlyConcatenate,
            "(3 'list' 'int' 'list'"
        )
    );
    let strs = |x: &'static str, op: Op, y: C<'static>| {
        let mut a = Asm::new();
        a.line(1)
            .op16(Op::LoadConst, 0)
            .op16(Op::LoadConst, 1)
            .op(op)
            .op(Op::Return);
        run_asm(&[S(x), y], &a)
    };
    assert_eq!(strs("ll", Op::In, S("hello")), val("True"));
    assert_eq!(strs("ab", Op::Add, S("cé")), val("'abcé'"));
    assert_eq!(strs("ab", Op::Mul, I(3)), val("'ababab'"));
    assert_eq!(
        strs("a", Op::Add, I(1)),
        e(
            ExcType::TypeError,
            Msg::CanOnlyConcatenate,
            "(3 'str' 'int' 'str'"
        )
    );
    // (1, 2) < (1, 3); [1, [2]] < [1, [1, 5]]; [1, 2] < [1, 2, 0]
    let mut a = Asm::new();
    a.int(1)
        .int(2)
        .op16(Op::BuildTuple, 2)
        .int(1)
        .int(3)
        .op16(Op::BuildTuple, 2)
        .op(Op::Lt);
    a.int(1)
        .int(2)
        .op16(Op::BuildList, 1)
        .op16(Op::BuildList, 2);
    a.int(1)
        .int(1)
        .int(5)
        .op16(Op::BuildList, 2)
        .op16(Op::BuildList, 2)
        .op(Op::Lt);
    a.int(1)
        .int(2)
        .op16(Op::BuildList, 2)
        .int(1)
        .int(2)
        .int(0)
        .op16(Op::BuildList, 3)
        .op(Op::Lt);
    a.op16(Op::BuildTuple, 3).op(Op::Return);
    assert_eq!(run_asm(&[], &a), val("(3 True False True"));
    // 5 in range(0, 10, 5); 4 in range(0, 10, 5)
    for (x, want) in [(5, "True"), (4, "False"), (-5, "False")] {
        let mut a = Asm::new();
        a.int(x)
            .op16(Op::LoadNative, n::RANGE)
            .int(0)
            .int(10)
            .int(5)
            .op8(Op::Call, 3)
            .op(Op::In)
            .op(Op::Return);
        assert_eq!(run_asm(&[], &a), val(want));
    }
}

#[test]
fn math_and_random() {
    assert_eq!(call(n::MATH_SQRT, &[F(4.0)]), val("2.0"));
    assert_eq!(
        call(n::MATH_SQRT, &[I(-1)]),
        e(ExcType::ValueError, Msg::MathDomainError, "None")
    );
    assert_eq!(call(n::MATH_FLOOR, &[F(-2.5)]), val("-3"));
    assert_eq!(call(n::MATH_CEIL, &[F(2.1)]), val("3"));
    assert_eq!(call(n::MATH_FLOOR, &[I(7)]), val("7"));
    assert_eq!(
        call(n::MATH_FLOOR, &[F(1e10)]),
        e(ExcType::OverflowError, Msg::IntOverflow, "None")
    );
    assert_eq!(
        call(n::MATH_EXP, &[F(1000.0)]),
        e(ExcType::OverflowError, Msg::MathRangeError, "None")
    );
    assert_eq!(call(n::MATH_LOG, &[F(8.0), F(2.0)]), val("3.0"));
    assert_eq!(call(n::MATH_FABS, &[I(-3)]), val("3.0"));
    assert_eq!(call(n::RANDOM_RANDINT, &[I(4), I(4)]), val("4"));
    assert_eq!(
        call(n::RANDOM_RANDRANGE, &[I(0)]),
        e(ExcType::ValueError, Msg::EmptyRange, "'randrange()'")
    );
    assert_eq!(
        call(n::RANDOM_RANDINT, &[I(5), I(4)]),
        e(ExcType::ValueError, Msg::EmptyRange, "'randrange()'")
    );
    assert_eq!(
        call_on_list(n::RANDOM_CHOICE, &[]),
        e(ExcType::IndexError, Msg::CannotChooseFromEmpty, "None")
    );
    assert_eq!(call_on_list(n::RANDOM_CHOICE, &[I(9)]), val("9"));
    // seed(5); a = random(); seed(5); a == random(); and randint stays in range.
    let mut a = Asm::new();
    a.n_locals = 1;
    a.op16(Op::LoadNative, n::RANDOM_SEED)
        .int(5)
        .op8(Op::Call, 1)
        .op(Op::Pop);
    a.op16(Op::LoadNative, n::RANDOM_RANDOM)
        .op8(Op::Call, 0)
        .op16(Op::StoreLocal, 0);
    a.op16(Op::LoadNative, n::RANDOM_SEED)
        .int(5)
        .op8(Op::Call, 1)
        .op(Op::Pop);
    a.op16(Op::LoadNative, n::RANDOM_RANDOM)
        .op8(Op::Call, 0)
        .op16(Op::LoadLocal, 0)
        .op(Op::Eq)
        .op(Op::Return);
    assert_eq!(run_asm(&[], &a), val("True"));
    let mut seen = [false; 3];
    for _ in 0..20 {
        let Outcome::Value(v) = call(n::RANDOM_RANDINT, &[I(1), I(3)]) else {
            panic!()
        };
        seen[v.parse::<usize>().unwrap() - 1] = true;
    }
    let _ = String::new();
    assert!(seen.iter().any(|&s| s));
}

#[test]
fn str_methods_with_start_end_and_counts() {
    let s = |t: &'static str| [S(t)];
    assert_eq!(meth(&s("abcabc"), false, "find", &[S("c"), I(3), I(5)]), val("-1"));
    assert_eq!(meth(&s("abcabc"), false, "find", &[S("c"), I(-2)]), val("5"));
    assert_eq!(meth(&s("abcabc"), false, "rfind", &[S("b"), I(0), I(4)]), val("1"));
    assert_eq!(meth(&s("héhé"), false, "rindex", &[S("é")]), val("3"));
    assert_eq!(meth(&s("abc"), false, "find", &[S(""), I(4)]), val("-1"));
    assert_eq!(meth(&s("abc"), false, "count", &[S(""), I(1)]), val("3"));
    assert_eq!(meth(&s("aaaa"), false, "count", &[S("aa")]), val("2"));
    assert_eq!(
        meth(&s("abc"), false, "index", &[S("a"), I(1)]),
        e(ExcType::ValueError, Msg::SubstringNotFound, "None")
    );
    // start and end are checked before the substring (as CPython).
    assert_eq!(
        meth(&s("abc"), false, "find", &[I(1), S("x")]),
        e(ExcType::TypeError, Msg::SliceIndices, "None")
    );
    assert_eq!(
        meth(&s("abc"), false, "count", &[I(1)]),
        e(ExcType::TypeError, Msg::StrMethodArgType, "(3 5 1 'int'")
    );
    assert_eq!(meth(&s("abc"), false, "replace", &[S(""), S("-"), I(2)]), val("'-a-bc'"));
    assert_eq!(meth(&s("héé"), false, "replace", &[S(""), S(".")]), val("'.h.é.é.'"));
    assert_eq!(meth(&s("aaa"), false, "replace", &[S("a"), S("b"), I(-1)]), val("'bbb'"));
    assert_eq!(
        meth(&s("aaa"), false, "replace", &[S("a"), S("b"), F(1.0)]),
        e(ExcType::TypeError, Msg::NotAnInteger, "'float'")
    );
    assert_eq!(meth(&s("  a b  c "), false, "split", &[C::None, I(1)]), val("[2 'a' 'b  c '"));
    assert_eq!(meth(&s("a,b,c"), false, "split", &[S(","), I(0)]), val("[1 'a,b,c'"));
    assert_eq!(meth(&s("a,b,"), false, "split", &[S(","), I(-1)]), val("[3 'a' 'b' ''"));
    assert_eq!(
        meth(&s("abc"), false, "startswith", &[C::Tuple(&[S("x"), S("ab")]), I(0), I(2)]),
        val("True")
    );
    assert_eq!(
        meth(&s("abc"), false, "upper", &[I(1)]),
        e(ExcType::TypeError, Msg::MethodArgCount, "(3 8 'str' 1")
    );
}

#[test]
fn sort_reverse_and_slice_store_are_method_numbers_of_their_own() {
    // [1, True, 0, 2].sort(reverse=True) returns None; sorted(.., reverse=True) keeps ties in order.
    let items = [I(1), C::Bool(true), I(0), I(2)];
    assert_eq!(meth_n(&items, true, n::METHOD_SORT_REVERSE, &[C::Bool(true)]), val("None"));
    let mut a = Asm::new();
    a.line(1).op16(Op::LoadNative, n::SORTED_REVERSE);
    for i in [1, 1, 0, 2] {
        a.int(i);
    }
    a.op16(Op::BuildList, 4).int(1).op8(Op::Call, 2).op(Op::Return);
    assert_eq!(run_asm(&[], &a), val("[4 2 1 1 0"));
    assert_eq!(
        meth_n(&items, true, n::METHOD_SORT_REVERSE, &[S("yes")]),
        e(ExcType::TypeError, Msg::NotAnInteger, "'str'")
    );
    // xs = [0, 1, 2, 3]; xs[1:3] = v; xs  (the value is the receiver).
    let store = |v: &[i16], lo: Option<i16>, hi: Option<i16>, step: Option<i16>| {
        let mut a = Asm::new();
        a.n_locals = 1;
        a.line(1);
        for i in 0..4 {
            a.int(i);
        }
        a.op16(Op::BuildList, 4).op16(Op::StoreLocal, 0);
        for &x in v {
            a.int(x);
        }
        a.op16(Op::BuildList, v.len() as u16).op16(Op::LoadLocal, 0);
        for b in [lo, hi, step] {
            match b {
                Some(i) => a.int(i),
                None => a.op(Op::LoadNone),
            };
        }
        a.op16(Op::CallMethod, call_method_operand(n::METHOD_STORE_SLICE, 4))
            .op(Op::Pop)
            .op16(Op::LoadLocal, 0)
            .op(Op::Return);
        run_asm(&[], &a)
    };
    assert_eq!(store(&[9], Some(1), Some(3), None), val("[3 0 9 3"));
    assert_eq!(store(&[7, 8, 9], Some(1), Some(2), None), val("[6 0 7 8 9 2 3"));
    assert_eq!(store(&[], None, None, None), val("[0"));
    assert_eq!(store(&[5, 6], None, None, Some(2)), val("[4 5 1 6 3"));
    assert_eq!(store(&[5, 6, 7, 8], None, None, Some(-1)), val("[4 8 7 6 5"));
    assert_eq!(
        store(&[5], None, None, Some(2)),
        e(ExcType::ValueError, Msg::ExtendedSliceSize, "(2 1 2")
    );
    assert_eq!(
        store(&[5], None, None, Some(0)),
        e(ExcType::ValueError, Msg::ZeroStep, "'slice'")
    );
}

/// The ePython dialect's operators (dialect.rs): C's integer `/` and `%`;
/// Python's operators on everything else.
#[test]
fn epython_dialect_operators() {
    use super::binop;
    // binop's code is on line 7; errors of the number ops carry no detail.
    let fail = |t, m| Outcome::Error(t, m, 7, "None".into());
    let zd = |m| fail(ExcType::ZeroDivisionError, m);
    assert_eq!(binop(I(7), Op::DivTrunc, I(2)), val("3"));
    assert_eq!(binop(I(-7), Op::DivTrunc, I(2)), val("-3"));
    assert_eq!(binop(I(7), Op::DivTrunc, I(-2)), val("-3"));
    assert_eq!(binop(I(-7), Op::DivTrunc, I(-2)), val("3"));
    assert_eq!(binop(C::Bool(true), Op::DivTrunc, I(2)), val("0"));
    assert_eq!(binop(I(1), Op::DivTrunc, I(0)), zd(Msg::DivisionByZero));
    assert_eq!(binop(I(i32::MIN), Op::DivTrunc, I(-1)), fail(ExcType::OverflowError, Msg::IntOverflow));
    assert_eq!(binop(F(7.0), Op::DivTrunc, I(2)), val("3.5"));
    assert_eq!(binop(I(7), Op::DivTrunc, F(0.0)), zd(Msg::FloatDivisionByZero));
    assert_eq!(binop(I(-7), Op::ModTrunc, I(3)), val("-1"));
    assert_eq!(binop(I(7), Op::ModTrunc, I(-3)), val("1"));
    assert_eq!(binop(I(i32::MIN), Op::ModTrunc, I(-1)), val("0"));
    assert_eq!(binop(I(1), Op::ModTrunc, I(0)), zd(Msg::IntModuloByZero));
    assert_eq!(binop(F(-7.5), Op::ModTrunc, I(2)), val("0.5"));
    // Errors name Python's operator.
    assert_eq!(
        binop(S("a"), Op::DivTrunc, I(2)),
        Outcome::Error(ExcType::TypeError, Msg::UnsupportedOperands, 7, "(3 '/' 'str' 'int'".into())
    );
    assert_eq!(
        binop(S("a"), Op::ModTrunc, S("b")),
        Outcome::Error(ExcType::TypeError, Msg::UnsupportedOperands, 7, "(3 '%' 'str' 'str'".into())
    );
}

/// `input()`'s line in the ePython dialect (natives::INPUT_VALUE).
#[test]
fn epython_dialect_input_conversion() {
    let conv = |line: &'static str| call(n::INPUT_VALUE, &[S(line)]);
    assert_eq!(conv("41"), val("41"));
    assert_eq!(conv("-5"), val("-5"));
    assert_eq!(conv("+7"), val("7"));
    assert_eq!(conv("007"), val("7"));
    assert_eq!(conv("000000000000000000042"), val("42"));
    assert_eq!(conv("2147483647"), val("2147483647"));
    assert_eq!(conv("-2147483648"), val("-2147483648"));
    assert_eq!(conv("1.5"), val("1.5"));
    assert_eq!(conv("-.25"), val("-0.25"));
    assert_eq!(conv("3."), val("3.0"));
    for text in ["", "abc", "1.2.3", ".", "-", "1e5", " 5", "5 ", "0x10", "12a"] {
        assert_eq!(conv(text), Outcome::Value(format!("'{text}'")), "{text:?}");
    }
    for big in ["2147483648", "99999999999", "123456789012345678901234567890"] {
        assert_eq!(conv(big), e(ExcType::OverflowError, Msg::IntOverflow, "None"), "{big}");
    }
}

/// `+` of a str and a number: the str joined with str() of the number in an
/// image with `flags::STR_PLUS_NUMBER` (the ePython dialect), Python's
/// TypeError without it; an image with a flag this firmware does not know
/// is refused.
#[test]
fn epython_dialect_str_plus_number() {
    use shared_protocol::bytecode::{flags, header};
    let add = |a: C<'static>, op: Op, b: C<'static>, with: u32| {
        let mut asm = Asm::new();
        asm.line(7).op16(Op::LoadConst, 0).op16(Op::LoadConst, 1).op(op).op(Op::Return);
        let mut image = super::builder::image_of(&[a, b], &asm);
        image[header::FLAGS] = with;
        outcome_of(&run_image(image))
    };
    let on = flags::STR_PLUS_NUMBER;
    assert_eq!(add(S("x="), Op::Add, I(5), on), val("'x=5'"));
    assert_eq!(add(I(-5), Op::Add, S(" apples"), on), val("'-5 apples'"));
    assert_eq!(add(S("f="), Op::InplaceAdd, F(0.1), on), val("'f=0.1'"));
    assert_eq!(add(S("b="), Op::Add, C::Bool(false), on), val("'b=False'"));
    assert_eq!(add(C::None, Op::InplaceAdd, S("!"), on), val("'None!'"));
    assert_eq!(add(I(2), Op::Add, I(3), on), val("5"));
    assert_eq!(add(S("a"), Op::Add, S("b"), on), val("'ab'"));
    // Not lists, not without the flag.
    assert!(matches!(add(S("a"), Op::Add, C::Tuple(&[I(1)]), on), Outcome::Error(ExcType::TypeError, Msg::CanOnlyConcatenate, ..)));
    assert!(matches!(add(S("x="), Op::Add, I(5), 0), Outcome::Error(ExcType::TypeError, Msg::CanOnlyConcatenate, ..)));
    assert!(matches!(add(I(5), Op::Add, S("x"), 0), Outcome::Error(ExcType::TypeError, Msg::UnsupportedOperands, ..)));
    // A flag from a newer compiler: refused before anything runs.
    let refused = add(I(1), Op::Add, I(2), 1 << 31);
    assert!(!matches!(refused, Outcome::Value(_)), "{refused:?}");
}

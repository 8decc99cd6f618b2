//! C programs built with epiphany-elf-gcc and the runtime (iss/runtime),
//! run on one ISS core with their host calls served: output, exit codes,
//! faults and limits, from SRAM and from DRAM.

mod common;

use common::{require_toolchain, Layout, Runtime};
use iss::hosted::Exit;

fn source(name: &str, text: &str) -> std::path::PathBuf {
    let dir = common::scratch(name);
    let path = dir.join(format!("{name}.c"));
    std::fs::write(&path, text).expect("write the source");
    path
}

const HELLO: &str = r#"
#include <stdio.h>
int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
unsigned char bytes[5] = {1, 2, 3, 250, 255};
int main(void) {
    long long big = 123456789012345LL;
    unsigned sum = 0;
    for (int i = 0; i < 5; i++) sum += bytes[i];
    printf("hello %d %u %x %X %s %lld %c%%|%5d|%-4d|%04d\n", -42, 42u, 255, 255, "str", big / 7, 'z', 12, 34, 7);
    printf("fib(20)=%d mul=%d div=%d mod=%d sum=%u\n", fib(20), 1234 * 5678, 100000 / 7, -100000 % 7, sum);
    return 3;
}
"#;

const HELLO_OUT: &str = "hello -42 42 ff FF str 17636684144620 z%|   12|34  |0007\nfib(20)=6765 mul=7006652 div=14285 mod=-5 sum=511\n";

#[test]
fn hello_prints_and_exits_from_sram_and_from_dram() {
    let Some(prefix) = require_toolchain("hello_prints_and_exits_from_sram_and_from_dram") else { return };
    let rt = Runtime::build(&prefix, "hello-rt");
    let src = source("hello", HELLO);
    for (layout, opt) in [(Layout::Internal, "-O2"), (Layout::External, "-O2"), (Layout::Internal, "-O0"), (Layout::Internal, "-Os")] {
        let elf = rt.compile("hello", &src, opt, layout, &[]).expect("compile hello.c");
        let out = common::run_elf(&elf, 50_000_000);
        assert_eq!(String::from_utf8_lossy(&out.output), HELLO_OUT, "{layout:?} {opt}");
        assert_eq!(out.exit, Exit::Code(3), "{layout:?} {opt}");
        eprintln!("hello {layout:?} {opt}: {} instructions, {} cycles", out.instructions, out.cycles);
    }
}

#[test]
fn a_misaligned_access_reports_the_exception_cause() {
    let Some(prefix) = require_toolchain("a_misaligned_access_reports_the_exception_cause") else { return };
    let rt = Runtime::build(&prefix, "fault-rt");
    let src = source(
        "unaligned",
        // The address goes through a volatile so GCC cannot see it is odd
        // (it would split a known-unaligned store into bytes).
        "int buf[2]; volatile unsigned addr; \
         int main(void) { addr = (unsigned)buf + 1; *(volatile int *)addr = 5; return 0; }",
    );
    let elf = rt.compile("unaligned", &src, "-O1", Layout::Internal, &[]).expect("compile");
    let out = common::run_elf(&elf, 1_000_000);
    match out.exit {
        Exit::Failed { excause, .. } => assert_eq!(excause, 2, "EXCAUSE unaligned"),
        other => panic!("expected a reported unaligned exception, got {other:?}"),
    }
}

#[test]
fn an_endless_loop_stops_at_the_instruction_limit() {
    let Some(prefix) = require_toolchain("an_endless_loop_stops_at_the_instruction_limit") else { return };
    let rt = Runtime::build(&prefix, "loop-rt");
    let src = source("endless", "volatile int x; int main(void) { for (;;) x++; }");
    let elf = rt.compile("endless", &src, "-O1", Layout::Internal, &[]).expect("compile");
    let out = common::run_elf(&elf, 100_000);
    assert_eq!(out.exit, Exit::Limit);
    assert_eq!(out.instructions, 100_000);
}

//! `make bench-iss`: the instruction-set simulator's speed, in simulated
//! Epiphany instructions per second on one host core (a benchmark that
//! prints figures, not a test; BENCHMARKS.md keeps them).
//!
//! Workloads, each run for a fixed number of instructions:
//! - `alu16`: straight-line 16-bit integer ALU code (add, sub, eor, orr,
//!   and, lsl, lsr over r0..r7), a 4,000-instruction block with one branch
//!   back: the figure of merit (goal: 100 million/s);
//! - `alu32`: the same with the 32-bit forms over r0..r63;
//! - `mixed`: loads, stores, immediates, compare-and-branch loops;
//! - `csmith`/`fib` are the C tests' job (iss/tests), not timed here.
//!
//! Usage: cargo run --release -p iss --example bench [-- INSTRUCTIONS]

use std::time::Instant;

use iss::{Core, Insn, NoMesh, Sram, Stop};

const OPS: [u32; 7] = [1 /* add */, 3 /* sub */, 0 /* eor */, 7 /* orr */, 5 /* and */, 2 /* lsl */, 4 /* lsr */];

fn alu16(op: u32, rd: u32, rn: u32, rm: u32) -> Vec<u8> {
    let w = 0xA | op << 4 | rm << 7 | rn << 10 | rd << 13;
    (w as u16).to_le_bytes().to_vec()
}

fn alu32(op: u32, rd: u32, rn: u32, rm: u32) -> Vec<u8> {
    let f = |r: u32| (r & 7, r >> 3);
    let ((d, dx), (n, nx), (m, mx)) = (f(rd), f(rn), f(rm));
    let w = 0xF | op << 4 | m << 7 | n << 10 | d << 13 | 0xA << 16 | mx << 23 | nx << 26 | dx << 29;
    w.to_le_bytes().to_vec()
}

/// `b` (32-bit, unconditional) from `at` to `to`.
fn branch(at: u32, to: u32) -> Vec<u8> {
    let offset = (to.wrapping_sub(at) as i32) / 2;
    (0x8 | 0xE << 4 | ((offset as u32) & 0xFF_FFFF) << 8).to_le_bytes().to_vec()
}

/// A block of `n` instructions made by `make(i)` at 0x100, then a branch
/// back to its start.
fn looped(n: usize, make: impl Fn(usize) -> Vec<u8>) -> Vec<u8> {
    let mut code: Vec<u8> = (0..n).flat_map(&make).collect();
    let at = 0x100 + code.len() as u32;
    code.extend(branch(at, 0x100));
    code
}

fn mixed() -> Vec<u8> {
    // r0 = 0x4000 (a buffer); loop: ldr r1,[r0,#1]; add r2,r2,r1;
    // str r2,[r0,#2]; add r3,r3,#1; sub r4,r3,#7? ... built from known
    // encodings checked by decoding below.
    let mut code = Vec::new();
    let half = |w: u32| (w as u16).to_le_bytes().to_vec();
    code.extend(half(0x0003 | 0x80 << 5)); // mov r0,0x80
    code.extend(half(0x0016 | 7 << 5)); // lsl r0,r0,7 -> 0x4000
    for i in 0..200u32 {
        code.extend(half(0x0044 | (i % 4) << 7 | 1 << 13)); // ldr r1,[r0,#i%4]
        code.extend(alu16(1, 2, 2, 1)); // add r2,r2,r1
        code.extend(half(0x0054 | ((i + 1) % 4) << 7 | 2 << 13)); // str r2,[r0,#(i+1)%4]
        code.extend(half(0x0013 | 1 << 7 | 3 << 10 | 3 << 13)); // add r3,r3,1
    }
    let at = 0x100 + code.len() as u32;
    code.extend(branch(at, 0x100 + 4));
    code
}

fn measure(name: &str, code: &[u8], instructions: u64) -> f64 {
    // Decode the block once to check the encodings are what we meant.
    let mut pc = 0usize;
    while pc + 2 <= code.len() {
        let lo = u16::from_le_bytes([code[pc], code[pc + 1]]) as u32;
        let hi = code.get(pc + 2..pc + 4).map_or(0, |b| u16::from_le_bytes([b[0], b[1]]) as u32);
        let d = iss::decode(lo | hi << 16);
        assert!(!matches!(d.insn, Insn::Invalid), "{name}: invalid encoding at {pc:#x}");
        pc += d.len as usize;
    }
    let sram = Sram::new();
    assert!(sram.load_bytes(0x100, code), "{name}: the code does not fit SRAM");
    let mut core = Core::new(0x808, sram);
    core.pc = 0x100;
    core.set_active(true);
    for r in 0..64 {
        core.r[r] = 0x1234_5677u32.wrapping_mul(r as u32 + 1);
    }
    let start = Instant::now();
    while core.instructions < instructions {
        match core.run(&mut NoMesh, instructions - core.instructions) {
            Stop::Budget => {}
            other => panic!("{name}: stopped: {other:?}"),
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let mips = core.instructions as f64 / secs / 1e6;
    println!(
        "{name:<6} {:>6.1} million instructions/s ({} in {secs:.2} s; {:.2} simulated cycles per instruction)",
        mips,
        core.instructions,
        core.cycles as f64 / core.instructions as f64
    );
    mips
}

fn main() {
    let instructions: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(300_000_000);
    println!("ISS speed on one host core, {instructions} instructions per workload:");
    let a16 = looped(4000, |i| alu16(OPS[i % 7], (i % 8) as u32, ((i + 3) % 8) as u32, ((i + 5) % 8) as u32));
    let a32 = looped(4000, |i| alu32(OPS[i % 7], (i % 64) as u32, ((i * 7 + 3) % 64) as u32, ((i * 13 + 5) % 64) as u32));
    let best = measure("alu16", &a16, instructions);
    measure("alu32", &a32, instructions);
    measure("mixed", &mixed(), instructions);
    let goal = 100.0;
    println!("straight-line integer code: {best:.1} million instructions/s (goal {goal:.0}): {}", if best >= goal { "met" } else { "NOT met" });
}

//! Runs an Epiphany ELF on one ISS core (core 0, mesh id 0x808) with a DRAM
//! window, serving its host calls, and prints how it ended: a debugging
//! tool for programs and the firmware. `--trace N` prints the last N
//! instructions before the stop.
//!
//! Usage: cargo run --release -p iss --example run -- ELF [--limit N] [--trace N]

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::VecDeque;

use iss::{decode, disassemble, Core, Region, Sram, Stop};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(elf) = args.first() else {
        eprintln!("usage: run ELF [--limit N] [--trace N]");
        std::process::exit(2);
    };
    let flag = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse::<u64>().ok());
    let limit = flag("--limit").unwrap_or(100_000_000);
    let trace = flag("--trace").unwrap_or(0) as usize;
    let mut core = Core::new(0x808, Sram::new());
    let mut dram = Region::new(0x8E00_0000, 32 << 20, true);
    if let Err(e) = common::load_elf(&mut core, &mut dram, std::path::Path::new(elf)) {
        eprintln!("run: {e}");
        std::process::exit(1);
    }
    core.raise(1);
    let mut last: VecDeque<String> = VecDeque::new();
    let stop = loop {
        if trace > 0 {
            let pc = core.pc;
            let lo = core.peek(&mut dram, pc, iss::Size::Half).unwrap_or(0);
            let hi = core.peek(&mut dram, pc.wrapping_add(2), iss::Size::Half).unwrap_or(0);
            let d = decode(lo | hi << 16);
            last.push_back(format!("{pc:#010x}: {:<32} r0={:#x} r1={:#x} r2={:#x} r3={:#x} sp={:#x} lr={:#x}", disassemble(&d, pc), core.r[0], core.r[1], core.r[2], core.r[3], core.r[13], core.r[14]));
            if last.len() > trace {
                last.pop_front();
            }
        }
        let stop = core.run(&mut dram, if trace > 0 { 1 } else { limit });
        if stop != Stop::Budget || core.instructions >= limit {
            break stop;
        }
    };
    for line in &last {
        println!("{line}");
    }
    println!("stopped: {stop:?} at pc {:#010x} after {} instructions ({} cycles)", core.pc, core.instructions, core.cycles);
    println!("r0..r3 {:#x} {:#x} {:#x} {:#x}, sp {:#x}, lr {:#x}, status {:#x}, ipend {:#x}", core.r[0], core.r[1], core.r[2], core.r[3], core.r[13], core.r[14], core.status(), core.ipend);
}

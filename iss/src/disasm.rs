//! Printing instructions in `epiphany-elf-objdump`'s syntax, so the two
//! decoders can be compared text for text (tests/objdump.rs) and so traces
//! and fault reports read like the toolchain's listings.

use std::fmt::Write;

use crate::insn::*;

/// Register names as objdump prints them: the preferred aliases fp, sp and lr.
pub fn reg_name(r: Reg) -> String {
    match r {
        11 => "fp".into(),
        13 => "sp".into(),
        14 => "lr".into(),
        _ => format!("r{r}"),
    }
}

const CORE_NAMES: [&str; 17] = [
    "config", "status", "pc", "debug", "iab", "lc", "ls", "le", "iret", "imask", "ilat", "ilatst",
    "ilatcl", "ipend", "ctimer0", "ctimer1", "hstatus",
];
const DMA_NAMES: [&str; 16] = [
    "dma0config",
    "dma0stride",
    "dma0count",
    "dma0srcaddr",
    "dma0dstaddr",
    "dma0auto0",
    "dma0auto1",
    "dma0status",
    "dma1config",
    "dma1stride",
    "dma1count",
    "dma1srcaddr",
    "dma1dstaddr",
    "dma1auto0",
    "dma1auto1",
    "dma1status",
];
const MEM_NAMES: [&str; 4] = ["memconfig", "memstatus", "memprotect", "memreserve"];
const MESH_NAMES: [&str; 4] = ["meshconfig", "coreid", "meshmulticast", "swreset"];

/// A special register's name ("???" where the group has none at that index,
/// as objdump prints it).
pub fn special_name(sr: Special) -> &'static str {
    let names: &[&'static str] = match sr.group {
        SpecialGroup::Core => &CORE_NAMES,
        SpecialGroup::Dma => &DMA_NAMES,
        SpecialGroup::Mem => &MEM_NAMES,
        SpecialGroup::Mesh => &MESH_NAMES,
    };
    names.get(sr.index as usize).copied().unwrap_or("???")
}

fn sign(sub: bool) -> char {
    if sub { '-' } else { '+' }
}

/// The address operand. The 16-bit forms print no sign (they only add) and
/// drop a zero displacement; the 32-bit forms always print the sign.
fn addr_text(addr: Addr, short: bool) -> String {
    let r = reg_name;
    match (addr, short) {
        (Addr::Index { rn, rm, .. }, true) => format!("[{},{}]", r(rn), r(rm)),
        (Addr::PostIndex { rn, rm, .. }, true) => format!("[{}],{}", r(rn), r(rm)),
        (Addr::Disp { rn, disp: 0, .. }, true) => format!("[{}]", r(rn)),
        (Addr::Disp { rn, disp, .. }, true) => format!("[{},{disp:#x}]", r(rn)),
        (Addr::PostDisp { rn, disp, .. }, true) => format!("[{}],{disp:#x}", r(rn)),
        (Addr::Index { rn, rm, sub }, false) => format!("[{},{}{}]", r(rn), sign(sub), r(rm)),
        (Addr::PostIndex { rn, rm, sub }, false) => format!("[{}],{}{}", r(rn), sign(sub), r(rm)),
        (Addr::Disp { rn, disp, sub }, false) => format!("[{},{}{disp:#x}]", r(rn), sign(sub)),
        (Addr::PostDisp { rn, disp, sub }, false) => format!("[{}],{}{disp:#x}", r(rn), sign(sub)),
    }
}

/// The instruction at `pc` as objdump prints it (`*unknown*` for an invalid
/// encoding). Branch targets are absolute, wrapping at 32 bits.
pub fn disassemble(d: &Decoded, pc: u32) -> String {
    let short = d.len == 2;
    let r = reg_name;
    let mut s = String::new();
    let _ = match d.insn {
        Insn::Branch { cond, offset } => {
            write!(
                s,
                "b{} {:#x}",
                cond.suffix(),
                pc.wrapping_add(offset as u32)
            )
        }
        Insn::Jump {
            rn: 14,
            link: false,
        } if !short => write!(s, "rts"),
        Insn::Jump { rn, link } => write!(s, "{} {}", if link { "jalr" } else { "jr" }, r(rn)),
        Insn::Load { size, rd, addr } => write!(
            s,
            "ldr{} {},{}",
            size.suffix(),
            r(rd),
            addr_text(addr, short)
        ),
        // objdump prints the 32-bit store with +0 through CGEN's `str rd,[rn]`
        // macro (the load's twin is marked NO-DIS, so loads keep "+0x0").
        Insn::Store {
            size,
            rd,
            addr:
                Addr::Disp {
                    rn,
                    disp: 0,
                    sub: false,
                },
        } => {
            write!(s, "str{} {},[{}]", size.suffix(), r(rd), r(rn))
        }
        Insn::Store { size, rd, addr } => write!(
            s,
            "str{} {},{}",
            size.suffix(),
            r(rd),
            addr_text(addr, short)
        ),
        Insn::TestSet {
            size,
            rd,
            rn,
            rm,
            sub,
        } => {
            write!(
                s,
                "testset{} {},[{},{}{}]",
                size.suffix(),
                r(rd),
                r(rn),
                sign(sub),
                r(rm)
            )
        }
        Insn::Alu { op, rd, rn, rm } => write!(s, "{} {},{},{}", op.name(), r(rd), r(rn), r(rm)),
        Insn::AluImm { op, rd, rn, imm } => write!(s, "{} {},{},{imm}", op.name(), r(rd), r(rn)),
        Insn::ShiftImm { op, rd, rn, shift } => {
            write!(s, "{} {},{},{shift:#x}", op.name(), r(rd), r(rn))
        }
        Insn::Bitr { rd, rn } => write!(s, "bitr {},{}", r(rd), r(rn)),
        Insn::Mov { cond, rd, rn } => write!(s, "mov{} {},{}", cond.suffix(), r(rd), r(rn)),
        Insn::MovImm { rd, imm } => write!(s, "mov {},{imm:#x}", r(rd)),
        Insn::MovT { rd, imm } => write!(s, "movt {},{imm:#x}", r(rd)),
        Insn::MovToSpecial { sr, rd } => write!(s, "movts {},{}", special_name(sr), r(rd)),
        Insn::MovFromSpecial { rd, sr } => write!(s, "movfs {},{}", r(rd), special_name(sr)),
        Insn::Fpu { op, rd, rn, rm } => write!(s, "{} {},{},{}", op.name(), r(rd), r(rn), r(rm)),
        // The 16-bit fabs prints its operands' names literally (a typo in
        // CGEN's syntax string that objdump carries).
        Insn::FpuUnary {
            op: FpuUnary::Abs, ..
        } if short => write!(s, "fabs rd,rn"),
        Insn::FpuUnary { op, rd, rn } => {
            let name = match op {
                FpuUnary::Float => "float",
                FpuUnary::Fix => "fix",
                FpuUnary::Abs => "fabs",
                FpuUnary::Recip => "frecip",
                FpuUnary::Sqrt => "fsqrt",
            };
            write!(s, "{name} {},{}", r(rd), r(rn))
        }
        Insn::BitField { op, rd, rn, rm } => {
            write!(s, "{} {},{},{}", op.name(), r(rd), r(rn), r(rm))
        }
        Insn::Nop => write!(s, "nop"),
        Insn::Snop => write!(s, "snop"),
        Insn::Idle => write!(s, "idle"),
        Insn::Bkpt => write!(s, "bkpt"),
        Insn::Mbkpt => write!(s, "mbkpt"),
        Insn::Rti => write!(s, "rti"),
        Insn::Wand => write!(s, "wand"),
        Insn::Sync => write!(s, "sync"),
        Insn::GlobalInterrupts { enable } => write!(s, "{}", if enable { "gie" } else { "gid" }),
        Insn::Swi { num: 0 } => write!(s, "swi"),
        Insn::Swi { num } => write!(s, "swi {num:#x}"),
        Insn::Trap { num } => write!(s, "trap {num:#x}"),
        Insn::Unimpl => write!(s, "unimpl"),
        Insn::Invalid => write!(s, "*unknown*"),
    };
    s
}

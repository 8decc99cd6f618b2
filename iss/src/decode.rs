//! Decoding: one table of encodings, written once from the CGEN description
//! (binutils `cpu/epiphany.cpu`), and a pure function from an instruction
//! word to a typed [`Insn`].
//!
//! The low four bits (CGEN `f-opc`) pick the family and with it the length:
//! 0x0-0x7, 0xA and 0xE are 16-bit families, the rest 32-bit. A 32-bit
//! instruction is stored as two little-endian half-words, low half first, so
//! the word handed to [`decode`] is `low | high << 16` and a 16-bit
//! instruction looks only at the low half.

use crate::insn::*;

/// One encoding: the bits under `mask` equal `bits`; `build` reads the
/// operand fields.
struct Encoding {
    /// The CGEN name, for reading the table against `epiphany.cpu`.
    #[allow(dead_code)]
    name: &'static str,
    mask: u32,
    bits: u32,
    build: fn(u32) -> Insn,
}

const fn enc(name: &'static str, mask: u32, bits: u32, build: fn(u32) -> Insn) -> Encoding {
    Encoding {
        name,
        mask,
        bits,
        build,
    }
}

// Operand fields (CGEN `dnf`/`dnmf`; bit numbers are lsb0).
const fn field(w: u32, hi: u32, lo: u32) -> u32 {
    (w >> lo) & ((1 << (hi - lo + 1)) - 1)
}
const fn sext(v: u32, bits: u32) -> i32 {
    ((v << (32 - bits)) as i32) >> (32 - bits)
}
const fn rd(w: u32) -> Reg {
    field(w, 15, 13) as Reg
}
const fn rn(w: u32) -> Reg {
    field(w, 12, 10) as Reg
}
const fn rm(w: u32) -> Reg {
    field(w, 9, 7) as Reg
}
const fn rd6(w: u32) -> Reg {
    (field(w, 31, 29) << 3) as Reg | rd(w)
}
const fn rn6(w: u32) -> Reg {
    (field(w, 28, 26) << 3) as Reg | rn(w)
}
const fn rm6(w: u32) -> Reg {
    (field(w, 25, 23) << 3) as Reg | rm(w)
}
const fn cond(w: u32) -> Cond {
    Cond::from_bits(field(w, 7, 4))
}
const fn size(w: u32) -> Size {
    Size::from_bits(field(w, 6, 5))
}
const fn is_store(w: u32) -> bool {
    field(w, 4, 4) == 1
}
/// The +/- bit of the indexed and post-modify 32-bit forms.
const fn direction(w: u32) -> bool {
    field(w, 20, 20) == 1
}
const fn disp3(w: u32) -> u16 {
    field(w, 9, 7) as u16
}
const fn disp11(w: u32) -> u16 {
    ((field(w, 23, 16) << 3) | field(w, 9, 7)) as u16
}
const fn simm3(w: u32) -> i32 {
    sext(field(w, 9, 7), 3)
}
const fn simm11(w: u32) -> i32 {
    sext(disp11(w) as u32, 11)
}
const fn imm8(w: u32) -> u16 {
    field(w, 12, 5) as u16
}
const fn imm16(w: u32) -> u16 {
    ((field(w, 27, 20) << 8) | field(w, 12, 5)) as u16
}
const fn shift(w: u32) -> u8 {
    field(w, 9, 5) as u8
}
const fn num6(w: u32) -> u8 {
    field(w, 15, 10) as u8
}
const fn op3(w: u32) -> u32 {
    field(w, 6, 4)
}

fn mem(w: u32, rd: Reg, addr: Addr) -> Insn {
    let size = size(w);
    if is_store(w) {
        Insn::Store { size, rd, addr }
    } else {
        Insn::Load { size, rd, addr }
    }
}

fn cmov(cond: Cond, rd: Reg, rn: Reg) -> Insn {
    // There is no "movl": the link condition has no move.
    if cond == Cond::Link {
        Insn::Invalid
    } else {
        Insn::Mov { cond, rd, rn }
    }
}

fn fpu(w: u32, rd: Reg, rn: Reg, rm: Reg) -> Insn {
    let unary = |op| Insn::FpuUnary { op, rd, rn };
    match op3(w) {
        0 => Insn::Fpu {
            op: FpuOp::Add,
            rd,
            rn,
            rm,
        },
        1 => Insn::Fpu {
            op: FpuOp::Sub,
            rd,
            rn,
            rm,
        },
        2 => Insn::Fpu {
            op: FpuOp::Mul,
            rd,
            rn,
            rm,
        },
        3 => Insn::Fpu {
            op: FpuOp::Madd,
            rd,
            rn,
            rm,
        },
        4 => Insn::Fpu {
            op: FpuOp::Msub,
            rd,
            rn,
            rm,
        },
        5 => unary(FpuUnary::Float),
        6 => unary(FpuUnary::Fix),
        _ => unary(FpuUnary::Abs),
    }
}

fn special(w: u32) -> Special {
    Special {
        group: SpecialGroup::from_bits(field(w, 21, 20)),
        index: rn6(w),
    }
}

/// Every encoding, 16-bit forms first (CGEN's order). Where two patterns
/// could both match, the first wins; as written, none overlap.
const ENCODINGS: &[Encoding] = &[
    // ---- 16-bit ----
    enc("b<cond>16", 0x000F, 0x0000, |w| Insn::Branch {
        cond: cond(w),
        offset: sext(field(w, 15, 8), 8) * 2,
    }),
    enc("ldst x16", 0x000F, 0x0001, |w| {
        mem(
            w,
            rd(w),
            Addr::Index {
                rn: rn(w),
                rm: rm(w),
                sub: false,
            },
        )
    }),
    enc("ldst p16", 0x000F, 0x0005, |w| {
        mem(
            w,
            rd(w),
            Addr::PostIndex {
                rn: rn(w),
                rm: rm(w),
                sub: false,
            },
        )
    }),
    enc("ldst d16", 0x000F, 0x0004, |w| {
        mem(
            w,
            rd(w),
            Addr::Disp {
                rn: rn(w),
                disp: disp3(w),
                sub: false,
            },
        )
    }),
    enc("cmov16<cond>", 0x030F, 0x0002, |w| {
        cmov(cond(w), rd(w), rn(w))
    }),
    enc("jr16", 0xE3FF, 0x0142, |w| Insn::Jump {
        rn: rn(w),
        link: false,
    }),
    enc("jalr16", 0xE3FF, 0x0152, |w| Insn::Jump {
        rn: rn(w),
        link: true,
    }),
    enc("movts16", 0x03FF, 0x0102, |w| Insn::MovToSpecial {
        sr: Special {
            group: SpecialGroup::Core,
            index: rn(w),
        },
        rd: rd(w),
    }),
    enc("movfs16", 0x03FF, 0x0112, |w| Insn::MovFromSpecial {
        rd: rd(w),
        sr: Special {
            group: SpecialGroup::Core,
            index: rn(w),
        },
    }),
    enc("nop", 0xFFFF, 0x01A2, |_| Insn::Nop),
    enc("snop", 0xFFFF, 0x03A2, |_| Insn::Snop),
    enc("idle", 0xFFFF, 0x01B2, |_| Insn::Idle),
    enc("bkpt", 0xFFFF, 0x01C2, |_| Insn::Bkpt),
    enc("mbkpt", 0xFFFF, 0x03C2, |_| Insn::Mbkpt),
    enc("rti", 0xFFFF, 0x01D2, |_| Insn::Rti),
    enc("wand", 0xFFFF, 0x0182, |_| Insn::Wand),
    enc("sync", 0xFFFF, 0x01F2, |_| Insn::Sync),
    enc("gien", 0xFFFF, 0x0192, |_| Insn::GlobalInterrupts {
        enable: true,
    }),
    enc("gidis", 0xFFFF, 0x0392, |_| Insn::GlobalInterrupts {
        enable: false,
    }),
    enc("swi_num", 0x03FF, 0x01E2, |w| Insn::Swi { num: num6(w) }),
    enc("trap16", 0x03FF, 0x03E2, |w| Insn::Trap { num: num6(w) }),
    enc("mov8", 0x001F, 0x0003, |w| Insn::MovImm {
        rd: rd(w),
        imm: imm8(w),
    }),
    enc("addi16", 0x007F, 0x0013, |w| Insn::AluImm {
        op: AluOp::Add,
        rd: rd(w),
        rn: rn(w),
        imm: simm3(w),
    }),
    enc("subi16", 0x007F, 0x0033, |w| Insn::AluImm {
        op: AluOp::Sub,
        rd: rd(w),
        rn: rn(w),
        imm: simm3(w),
    }),
    enc("lsri16", 0x001F, 0x0006, |w| Insn::ShiftImm {
        op: ShiftOp::Lsr,
        rd: rd(w),
        rn: rn(w),
        shift: shift(w),
    }),
    enc("lsli16", 0x001F, 0x0016, |w| Insn::ShiftImm {
        op: ShiftOp::Lsl,
        rd: rd(w),
        rn: rn(w),
        shift: shift(w),
    }),
    enc("asri16", 0x001F, 0x000E, |w| Insn::ShiftImm {
        op: ShiftOp::Asr,
        rd: rd(w),
        rn: rn(w),
        shift: shift(w),
    }),
    enc("bitr16", 0x03FF, 0x001E, |w| Insn::Bitr {
        rd: rd(w),
        rn: rn(w),
    }),
    enc("<alu>16", 0x000F, 0x000A, |w| Insn::Alu {
        op: AluOp::from_bits(op3(w)),
        rd: rd(w),
        rn: rn(w),
        rm: rm(w),
    }),
    enc("f_<op>f16", 0x000F, 0x0007, |w| fpu(w, rd(w), rn(w), rm(w))),
    // ---- 32-bit ----
    enc("b<cond>", 0x0000_000F, 0x0000_0008, |w| Insn::Branch {
        cond: cond(w),
        offset: sext(field(w, 31, 8), 24) * 2,
    }),
    enc("ldst x", 0x006F_000F, 0x0000_0009, |w| {
        mem(
            w,
            rd6(w),
            Addr::Index {
                rn: rn6(w),
                rm: rm6(w),
                sub: direction(w),
            },
        )
    }),
    enc("testset", 0x006F_001F, 0x0020_0009, |w| match size(w) {
        Size::Double => Insn::Invalid,
        size => Insn::TestSet {
            size,
            rd: rd6(w),
            rn: rn6(w),
            rm: rm6(w),
            sub: direction(w),
        },
    }),
    enc("ldst p", 0x006F_000F, 0x0000_000D, |w| {
        mem(
            w,
            rd6(w),
            Addr::PostIndex {
                rn: rn6(w),
                rm: rm6(w),
                sub: direction(w),
            },
        )
    }),
    enc("ldst d", 0x0200_000F, 0x0000_000C, |w| {
        mem(
            w,
            rd6(w),
            Addr::Disp {
                rn: rn6(w),
                disp: disp11(w),
                sub: field(w, 24, 24) == 1,
            },
        )
    }),
    enc("ldst dpm", 0x0200_000F, 0x0200_000C, |w| {
        mem(
            w,
            rd6(w),
            Addr::PostDisp {
                rn: rn6(w),
                disp: disp11(w),
                sub: field(w, 24, 24) == 1,
            },
        )
    }),
    enc("mov16", 0x100F_001F, 0x0002_000B, |w| Insn::MovImm {
        rd: rd6(w),
        imm: imm16(w),
    }),
    enc("movt", 0x100F_001F, 0x1002_000B, |w| Insn::MovT {
        rd: rd6(w),
        imm: imm16(w),
    }),
    enc("addi", 0x0300_007F, 0x0000_001B, |w| Insn::AluImm {
        op: AluOp::Add,
        rd: rd6(w),
        rn: rn6(w),
        imm: simm11(w),
    }),
    enc("subi", 0x0300_007F, 0x0000_003B, |w| Insn::AluImm {
        op: AluOp::Sub,
        rd: rd6(w),
        rn: rn6(w),
        imm: simm11(w),
    }),
    enc("<alu>", 0x007F_000F, 0x000A_000F, |w| Insn::Alu {
        op: AluOp::from_bits(op3(w)),
        rd: rd6(w),
        rn: rn6(w),
        rm: rm6(w),
    }),
    enc("fext", 0x007F_007F, 0x001A_000F, |w| Insn::BitField {
        op: BitFieldOp::Fext,
        rd: rd6(w),
        rn: rn6(w),
        rm: rm6(w),
    }),
    enc("fdep", 0x007F_007F, 0x001A_001F, |w| Insn::BitField {
        op: BitFieldOp::Fdep,
        rd: rd6(w),
        rn: rn6(w),
        rm: rm6(w),
    }),
    enc("lfsr", 0x007F_007F, 0x001A_002F, |w| Insn::BitField {
        op: BitFieldOp::Lfsr,
        rd: rd6(w),
        rn: rn6(w),
        rm: rm6(w),
    }),
    enc("lsri32", 0x03FF_001F, 0x0006_000F, |w| Insn::ShiftImm {
        op: ShiftOp::Lsr,
        rd: rd6(w),
        rn: rn6(w),
        shift: shift(w),
    }),
    enc("lsli32", 0x03FF_001F, 0x0006_001F, |w| Insn::ShiftImm {
        op: ShiftOp::Lsl,
        rd: rd6(w),
        rn: rn6(w),
        shift: shift(w),
    }),
    enc("asri32", 0x03FF_001F, 0x000E_000F, |w| Insn::ShiftImm {
        op: ShiftOp::Asr,
        rd: rd6(w),
        rn: rn6(w),
        shift: shift(w),
    }),
    enc("bitr", 0x03FF_03FF, 0x000E_001F, |w| Insn::Bitr {
        rd: rd6(w),
        rn: rn6(w),
    }),
    enc("f_<op>f32", 0x007F_000F, 0x0007_000F, |w| {
        fpu(w, rd6(w), rn6(w), rm6(w))
    }),
    enc("f_recipf32", 0x007F_007F, 0x0017_000F, |w| Insn::FpuUnary {
        op: FpuUnary::Recip,
        rd: rd6(w),
        rn: rn6(w),
    }),
    enc("f_sqrtf32", 0x007F_007F, 0x0017_001F, |w| Insn::FpuUnary {
        op: FpuUnary::Sqrt,
        rd: rd6(w),
        rn: rn6(w),
    }),
    enc("jr", 0xE3FF_E3FF, 0x0002_014F, |w| Insn::Jump {
        rn: rn6(w),
        link: false,
    }),
    enc("jalr", 0xE3FF_E3FF, 0x0002_015F, |w| Insn::Jump {
        rn: rn6(w),
        link: true,
    }),
    enc("cmov<cond>", 0x03FF_030F, 0x0002_000F, |w| {
        cmov(cond(w), rd6(w), rn6(w))
    }),
    enc("movts<group>", 0x03CF_03FF, 0x0002_010F, |w| {
        Insn::MovToSpecial {
            sr: special(w),
            rd: rd6(w),
        }
    }),
    enc("movfs<group>", 0x03CF_03FF, 0x0002_011F, |w| {
        Insn::MovFromSpecial {
            rd: rd6(w),
            sr: special(w),
        }
    }),
    enc("unimpl", 0xFFFF_FFFF, 0x000F_000F, |_| Insn::Unimpl),
];

/// The length in bytes of the instruction whose low half-word is `low`.
pub const fn insn_len(low: u32) -> u8 {
    match low & 0xF {
        0x8 | 0x9 | 0xB | 0xC | 0xD | 0xF => 4,
        _ => 2,
    }
}

/// Decodes the instruction at the start of `word` (low half-word first).
pub fn decode(word: u32) -> Decoded {
    let len = insn_len(word);
    let word = if len == 2 { word & 0xFFFF } else { word };
    let insn = ENCODINGS
        .iter()
        .find(|e| word & e.mask == e.bits)
        .map_or(Insn::Invalid, |e| (e.build)(word));
    Decoded { insn, len }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_follow_the_family_nibble() {
        for low in 0..16u32 {
            let want = if [8, 9, 0xB, 0xC, 0xD, 0xF].contains(&low) {
                4
            } else {
                2
            };
            assert_eq!(insn_len(low), want, "family {low:#x}");
        }
    }

    #[test]
    fn every_encoding_fixes_its_family_and_width() {
        for e in ENCODINGS {
            assert_eq!(e.bits & !e.mask, 0, "{}: bits outside the mask", e.name);
            assert_eq!(
                e.mask & 0xF,
                0xF,
                "{}: the family nibble is not fixed",
                e.name
            );
            if insn_len(e.bits) == 2 {
                assert_eq!(
                    e.mask >> 16,
                    0,
                    "{}: a 16-bit form looks at the next half-word",
                    e.name
                );
            }
        }
    }

    #[test]
    fn no_two_encodings_overlap() {
        // Two patterns overlap when they agree on every bit both fix.
        for (i, a) in ENCODINGS.iter().enumerate() {
            for b in &ENCODINGS[i + 1..] {
                let both = a.mask & b.mask;
                assert!(
                    a.bits & both != b.bits & both,
                    "{} overlaps {}",
                    a.name,
                    b.name
                );
            }
        }
    }
}

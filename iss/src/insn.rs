//! The typed instruction: what a decoded word means, independent of how it
//! was encoded (the 16- and 32-bit forms of one operation decode to the same
//! variant; [`Decoded::len`] remembers which).

/// A general register, r0..r63 (r11 fp, r13 sp, r14 lr).
pub type Reg = u8;

/// Branch and conditional-move conditions (CGEN `insn-cond`, bits 7..4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Cond {
    Eq = 0,
    Ne = 1,
    Gtu = 2,
    Gteu = 3,
    Lteu = 4,
    Ltu = 5,
    Gt = 6,
    Gte = 7,
    Lt = 8,
    Lte = 9,
    /// The float conditions test the FPU flags BZ/BN.
    Beq = 10,
    Bne = 11,
    Blt = 12,
    Blte = 13,
    /// Unconditional.
    Always = 14,
    /// Unconditional, with link (branches only).
    Link = 15,
}

impl Cond {
    pub const ALL: [Cond; 16] = [
        Cond::Eq,
        Cond::Ne,
        Cond::Gtu,
        Cond::Gteu,
        Cond::Lteu,
        Cond::Ltu,
        Cond::Gt,
        Cond::Gte,
        Cond::Lt,
        Cond::Lte,
        Cond::Beq,
        Cond::Bne,
        Cond::Blt,
        Cond::Blte,
        Cond::Always,
        Cond::Link,
    ];

    pub const fn from_bits(bits: u32) -> Cond {
        Cond::ALL[(bits & 0xF) as usize]
    }

    /// The suffix in `b<cond>` / `mov<cond>` ("" for always, "l" for link).
    pub const fn suffix(self) -> &'static str {
        match self {
            Cond::Eq => "eq",
            Cond::Ne => "ne",
            Cond::Gtu => "gtu",
            Cond::Gteu => "gteu",
            Cond::Lteu => "lteu",
            Cond::Ltu => "ltu",
            Cond::Gt => "gt",
            Cond::Gte => "gte",
            Cond::Lt => "lt",
            Cond::Lte => "lte",
            Cond::Beq => "beq",
            Cond::Bne => "bne",
            Cond::Blt => "blt",
            Cond::Blte => "blte",
            Cond::Always => "",
            Cond::Link => "l",
        }
    }
}

/// Load/store width (CGEN `insn-wordsize`, bits 6..5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Size {
    Byte = 0,
    Half = 1,
    Word = 2,
    /// A register pair rd, rd+1 (64 bits).
    Double = 3,
}

impl Size {
    pub const fn from_bits(bits: u32) -> Size {
        match bits & 3 {
            0 => Size::Byte,
            1 => Size::Half,
            2 => Size::Word,
            _ => Size::Double,
        }
    }
    /// log2 of the width in bytes: the displacement scale and alignment.
    pub const fn shift(self) -> u32 {
        self as u32
    }
    pub const fn bytes(self) -> u32 {
        1 << self.shift()
    }
    pub const fn suffix(self) -> &'static str {
        match self {
            Size::Byte => "b",
            Size::Half => "h",
            Size::Word => "",
            Size::Double => "d",
        }
    }
}

/// Three-register integer operations (CGEN `insn-bop`, bits 6..4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AluOp {
    Eor,
    Add,
    Lsl,
    Sub,
    Lsr,
    And,
    Asr,
    Orr,
}

impl AluOp {
    pub const fn from_bits(bits: u32) -> AluOp {
        match bits & 7 {
            0 => AluOp::Eor,
            1 => AluOp::Add,
            2 => AluOp::Lsl,
            3 => AluOp::Sub,
            4 => AluOp::Lsr,
            5 => AluOp::And,
            6 => AluOp::Asr,
            _ => AluOp::Orr,
        }
    }
    pub const fn name(self) -> &'static str {
        match self {
            AluOp::Eor => "eor",
            AluOp::Add => "add",
            AluOp::Lsl => "lsl",
            AluOp::Sub => "sub",
            AluOp::Lsr => "lsr",
            AluOp::And => "and",
            AluOp::Asr => "asr",
            AluOp::Orr => "orr",
        }
    }
}

/// Shift by an immediate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShiftOp {
    Lsr,
    Lsl,
    Asr,
}

impl ShiftOp {
    pub const fn name(self) -> &'static str {
        match self {
            ShiftOp::Lsr => "lsr",
            ShiftOp::Lsl => "lsl",
            ShiftOp::Asr => "asr",
        }
    }
}

/// Three-operand FPU operations (CGEN `insn-fop`). In integer mode
/// (CONFIG arithmetic mode 100) the same encodings are iadd/isub/imul/imadd/imsub.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FpuOp {
    Add,
    Sub,
    Mul,
    /// rd = rd + rn * rm
    Madd,
    /// rd = rd - rn * rm
    Msub,
}

impl FpuOp {
    pub const fn name(self) -> &'static str {
        match self {
            FpuOp::Add => "fadd",
            FpuOp::Sub => "fsub",
            FpuOp::Mul => "fmul",
            FpuOp::Madd => "fmadd",
            FpuOp::Msub => "fmsub",
        }
    }
}

/// One-operand FPU operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FpuUnary {
    /// int -> float
    Float,
    /// float -> int
    Fix,
    Abs,
    /// Extended (`frecip`, `fsqrt`): encoded, but not implemented on Epiphany-III.
    Recip,
    Sqrt,
}

/// The extended bit-field operations (`fext`, `fdep`, `lfsr`): encoded, but
/// not implemented on Epiphany-III.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BitFieldOp {
    Fext,
    Fdep,
    Lfsr,
}

impl BitFieldOp {
    pub const fn name(self) -> &'static str {
        match self {
            BitFieldOp::Fext => "fext",
            BitFieldOp::Fdep => "fdep",
            BitFieldOp::Lfsr => "lfsr",
        }
    }
}

/// How a load or store forms its address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Addr {
    /// `[rn, +/-rm]`
    Index { rn: Reg, rm: Reg, sub: bool },
    /// `[rn], +/-rm`: access at rn, then rn +/-= rm.
    PostIndex { rn: Reg, rm: Reg, sub: bool },
    /// `[rn, +/-disp]`: `disp` is the unscaled field; the byte offset is
    /// `disp << size.shift()`.
    Disp { rn: Reg, disp: u16, sub: bool },
    /// `[rn], +/-disp`: access at rn, then rn +/-= disp << size.shift().
    PostDisp { rn: Reg, disp: u16, sub: bool },
}

/// Which block of the register page a special register lives in
/// (movts/movfs bits 21..20): address `0xF0400 + 0x100 * group + 4 * n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum SpecialGroup {
    Core = 0,
    Dma = 1,
    Mem = 2,
    Mesh = 3,
}

impl SpecialGroup {
    pub const fn from_bits(bits: u32) -> SpecialGroup {
        match bits & 3 {
            0 => SpecialGroup::Core,
            1 => SpecialGroup::Dma,
            2 => SpecialGroup::Mem,
            _ => SpecialGroup::Mesh,
        }
    }
}

/// A special register: a word of the core's register page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Special {
    pub group: SpecialGroup,
    pub index: u8,
}

impl Special {
    /// The register's local address (0xF0400..0xF07FC).
    pub const fn address(self) -> u32 {
        0xF0400 + 0x100 * self.group as u32 + 4 * self.index as u32
    }
}

/// A decoded instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Insn {
    /// `b<cond> target`; `Cond::Link` is `bl` (lr = next pc). `offset` in bytes.
    Branch {
        cond: Cond,
        offset: i32,
    },
    /// `jr rn` / `jalr rn` (link: lr = next pc).
    Jump {
        rn: Reg,
        link: bool,
    },
    Load {
        size: Size,
        rd: Reg,
        addr: Addr,
    },
    Store {
        size: Size,
        rd: Reg,
        addr: Addr,
    },
    /// `testset rd, [rn, +/-rm]`: old = mem; if old == 0 { mem = rd }; rd = old.
    TestSet {
        size: Size,
        rd: Reg,
        rn: Reg,
        rm: Reg,
        sub: bool,
    },
    Alu {
        op: AluOp,
        rd: Reg,
        rn: Reg,
        rm: Reg,
    },
    /// `add`/`sub` with a signed immediate (simm3 or simm11).
    AluImm {
        op: AluOp,
        rd: Reg,
        rn: Reg,
        imm: i32,
    },
    ShiftImm {
        op: ShiftOp,
        rd: Reg,
        rn: Reg,
        shift: u8,
    },
    Bitr {
        rd: Reg,
        rn: Reg,
    },
    /// `mov<cond> rd, rn` (Cond::Always: plain `mov`).
    Mov {
        cond: Cond,
        rd: Reg,
        rn: Reg,
    },
    /// `mov rd, imm` (imm8 or imm16, zero-extended).
    MovImm {
        rd: Reg,
        imm: u16,
    },
    /// `movt rd, imm16`: the high half of rd.
    MovT {
        rd: Reg,
        imm: u16,
    },
    /// `movts special, rd`
    MovToSpecial {
        sr: Special,
        rd: Reg,
    },
    /// `movfs rd, special`
    MovFromSpecial {
        rd: Reg,
        sr: Special,
    },
    Fpu {
        op: FpuOp,
        rd: Reg,
        rn: Reg,
        rm: Reg,
    },
    FpuUnary {
        op: FpuUnary,
        rd: Reg,
        rn: Reg,
    },
    BitField {
        op: BitFieldOp,
        rd: Reg,
        rn: Reg,
        rm: Reg,
    },
    Nop,
    /// `snop` (0x03A2): a second no-op encoding objdump knows.
    Snop,
    Idle,
    Bkpt,
    Mbkpt,
    Rti,
    Wand,
    Sync,
    /// `gie` (enable: true) / `gid`
    GlobalInterrupts {
        enable: bool,
    },
    Swi {
        num: u8,
    },
    Trap {
        num: u8,
    },
    /// The documented-by-example `unimpl` word 0x000F000F.
    Unimpl,
    /// No instruction has this encoding.
    Invalid,
}

impl Cond {
    /// The float conditions, which read the FPU's BZ/BN flags.
    pub const fn reads_fpu_flags(self) -> bool {
        matches!(self, Cond::Beq | Cond::Bne | Cond::Blt | Cond::Blte)
    }
}

impl Addr {
    fn reads(self, r: Reg) -> bool {
        match self {
            Addr::Index { rn, rm, .. } | Addr::PostIndex { rn, rm, .. } => rn == r || rm == r,
            Addr::Disp { rn, .. } | Addr::PostDisp { rn, .. } => rn == r,
        }
    }
}

impl Insn {
    /// Whether the instruction reads general register `r` (the cycle
    /// model's interlock on a pending FPU result).
    pub fn reads(&self, r: Reg) -> bool {
        match *self {
            Insn::Jump { rn, .. } | Insn::AluImm { rn, .. } | Insn::ShiftImm { rn, .. } | Insn::Bitr { rn, .. } => rn == r,
            Insn::Mov { rn, .. } => rn == r,
            Insn::FpuUnary { rn, .. } => rn == r,
            Insn::MovT { rd, .. } | Insn::MovToSpecial { rd, .. } => rd == r,
            Insn::Load { addr, .. } => addr.reads(r),
            Insn::Store { size, rd, addr } => rd == r || (size == Size::Double && rd + 1 == r) || addr.reads(r),
            Insn::TestSet { rd, rn, rm, .. } => rd == r || rn == r || rm == r,
            Insn::Alu { rn, rm, .. } | Insn::BitField { rn, rm, .. } => rn == r || rm == r,
            Insn::Fpu { op, rd, rn, rm } => rn == r || rm == r || (matches!(op, FpuOp::Madd | FpuOp::Msub) && rd == r),
            _ => false,
        }
    }

    /// Whether the instruction reads the FPU flags (a branch or move on a
    /// float condition).
    pub fn reads_fpu_flags(&self) -> bool {
        match *self {
            Insn::Branch { cond, .. } | Insn::Mov { cond, .. } => cond.reads_fpu_flags(),
            _ => false,
        }
    }
}

/// A decoded word: the instruction and its length in bytes (2 or 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub insn: Insn,
    pub len: u8,
}

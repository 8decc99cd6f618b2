//! One Epiphany core: its registers, its SRAM, and the execute loop.
//!
//! [`Core::run`] executes until something needs the world outside the core:
//! a trap for the host to service, `idle` with nothing to wake it, a
//! breakpoint, a fault, or the end of the instruction budget the caller
//! gave (so the caller can look at the host's register writes between
//! slices). Decoded instructions are cached per half-word address and
//! re-validated against the raw word on every fetch, so code the host or
//! another core writes is always seen.

use crate::decode::{decode, insn_len};
use crate::fpu::{self, FpFlags, Rounding};
use crate::insn::*;
use crate::mem::{Mesh, SRAM_SIZE, Sram};

/// Local addresses of the register page (0xF0000..0xF1000).
pub const REG_PAGE: u32 = 0xF_0000;
pub const REG_PAGE_END: u32 = 0xF_1000;

/// Register-page offsets (local addresses): shared-protocol's table, the
/// one the loader and the simulator use.
pub use shared_protocol::chip::reg as regs;

/// The end of the two DMA channels' registers.
const DMA_END: u32 = regs::DMA1_STATUS + 4;

/// STATUS bits (reference §1.3; CGEN `h-core-registers`).
pub mod status {
    pub const ACTIVE: u32 = 1 << 0;
    pub const GID: u32 = 1 << 1;
    pub const KM: u32 = 1 << 2;
    pub const WAND: u32 = 1 << 3;
    pub const AZ: u32 = 1 << 4;
    pub const AN: u32 = 1 << 5;
    pub const AC: u32 = 1 << 6;
    pub const AV: u32 = 1 << 7;
    pub const BZ: u32 = 1 << 8;
    pub const BN: u32 = 1 << 9;
    pub const BV: u32 = 1 << 10;
    pub const AVS: u32 = 1 << 12;
    pub const BIS: u32 = 1 << 13;
    pub const BVS: u32 = 1 << 14;
    pub const BUS: u32 = 1 << 15;
    pub const EXCAUSE_SHIFT: u32 = 16;
    pub const EXCAUSE_MASK: u32 = 0xF << EXCAUSE_SHIFT;
}

/// Interrupt lines: ILAT/IMASK/IPEND bit n is IVT entry n at address 4n;
/// a lower number is a higher priority.
pub mod irq {
    pub const SYNC: u32 = 0;
    pub const SWE: u32 = 1;
    pub const MEM_FAULT: u32 = 2;
    pub const TIMER0: u32 = 3;
    pub const TIMER1: u32 = 4;
    pub const MESSAGE: u32 = 5;
    pub const DMA0: u32 = 6;
    pub const DMA1: u32 = 7;
    pub const WAND: u32 = 8;
    pub const USER: u32 = 9;
    pub const COUNT: u32 = 10;
    pub const MASK: u32 = (1 << COUNT) - 1;
}

/// Software-exception causes (STATUS EXCAUSE on Epiphany-III).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum ExCause {
    Swi = 1,
    Unaligned = 2,
    Fpu = 3,
    Unimplemented = 4,
    Illegal = 5,
}

/// Why [`Core::run`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The instruction budget ran out; the core can go on.
    Budget,
    /// `idle` with no interrupt to take: the core sleeps until one is raised.
    Idle,
    /// `trap num`: the core halted (DEBUGSTATUS.HALT) for the host to
    /// service the call, with `pc` after the trap (as on the chip: a host
    /// finds the trap at pc - 2); [`Core::resume`] goes on.
    Trap { num: u8 },
    /// `bkpt`: the core halted, `pc` after the bkpt.
    Breakpoint,
    /// Something the chip cannot go on from (or would hang on).
    Fault(Fault),
}

/// A fault that stops the core for the host to report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Instruction fetch from an address no memory answers at.
    FetchUnmapped { pc: u32 },
    /// Instruction fetch from the register page (0xF0000..0xF1000).
    FetchRegisterPage { pc: u32 },
    /// A load or store to an address no memory answers at.
    Unmapped { pc: u32, addr: u32 },
    /// A software exception the core cannot take: masked, interrupts off
    /// (GID), or raised inside its own handler. The chip would latch it and
    /// run on with a wrong result; the simulator stops the core instead.
    Exception { pc: u32, cause: ExCause },
    /// DMA was started: not modelled.
    DmaNotModelled { pc: u32 },
    /// The simulator itself failed while running the core (a host that
    /// catches a panic in [`Core::run`] reports it so).
    SimulatorBug { pc: u32 },
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Fault::FetchUnmapped { pc } => {
                write!(f, "instruction fetch from unmapped address {pc:#010x}")
            }
            Fault::FetchRegisterPage { pc } => {
                write!(f, "instruction fetch from the register page at {pc:#010x}")
            }
            Fault::Unmapped { pc, addr } => write!(
                f,
                "access to unmapped address {addr:#010x} at pc {pc:#010x}"
            ),
            Fault::Exception { pc, cause } => write!(
                f,
                "unhandled software exception ({cause:?}) at pc {pc:#010x}"
            ),
            Fault::SimulatorBug { pc } => write!(f, "the instruction-set simulator failed near pc {pc:#010x}"),
            Fault::DmaNotModelled { pc } => {
                write!(
                    f,
                    "a DMA channel was started at pc {pc:#010x}; DMA is not modelled by the simulator"
                )
            }
        }
    }
}

/// A register write that would start a DMA channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DmaStarted;

/// Cycle costs of the model (README "What the cycle figures mean").
pub mod cost {
    /// Extra cycles of a taken branch or jump (the pipeline refills).
    pub const BRANCH_TAKEN: u64 = 3;
    /// Extra cycles of a load from another core's SRAM (a mesh round trip).
    pub const LOAD_REMOTE: u64 = 8;
    /// Extra cycles of a load from external DRAM (over the eLink).
    pub const LOAD_EXTERNAL: u64 = 100;
    /// Extra cycles per instruction half-word fetched from external DRAM.
    pub const FETCH_EXTERNAL: u64 = 50;
    /// Cycles from an FPU (or integer-mode FPU) instruction to one that uses
    /// its result or its flags, in truncating mode; round-to-nearest takes
    /// one more (the reference's pipeline table: FPU -> FPU/IALU 3+R). A
    /// dependent instruction issued sooner waits; an independent one does
    /// not.
    pub const FPU_RESULT: u64 = 3;
}

/// The encoding of `idle`.
const IDLE_WORD: u32 = 0x01B2;

#[derive(Clone, Copy)]
struct CacheEntry {
    pc: u32,
    raw: u32,
    d: Decoded,
}

const CACHE_SLOTS: usize = 1 << 15;
const EMPTY: CacheEntry = CacheEntry {
    pc: 1,
    raw: 0,
    d: Decoded {
        insn: Insn::Invalid,
        len: 2,
    },
};

/// The integer flags (STATUS AZ AN AC AV, sticky AVS).
#[derive(Clone, Copy, Debug, Default)]
struct IntFlags {
    z: bool,
    n: bool,
    c: bool,
    v: bool,
    vs: bool,
}

/// The FPU flags (STATUS BZ BN BV, sticky BIS BVS BUS).
#[derive(Clone, Copy, Debug, Default)]
struct FloatFlags {
    z: bool,
    n: bool,
    v: bool,
    is: bool,
    vs: bool,
    us: bool,
}

/// One core.
pub struct Core {
    pub r: [u32; 64],
    pub pc: u32,
    /// The 12-bit mesh id: addresses `(id << 20) | offset` are this core's own.
    pub mesh_id: u32,
    pub sram: Sram,
    a: IntFlags,
    b: FloatFlags,
    /// STATUS bits other than the flags: ACTIVE, GID, KM, WAND, EXCAUSE.
    status_rest: u32,
    pub config: u32,
    pub iret: u32,
    pub imask: u32,
    pub ilat: u32,
    pub ipend: u32,
    pub lc: u32,
    pub ls: u32,
    pub le: u32,
    pub ctimer: [u32; 2],
    pub debugstatus: u32,
    /// Words of the register page the core keeps but gives no meaning to
    /// (DMA, memory protection, mesh config, ...), by word index.
    other_regs: Box<[u32; 1024]>,
    /// Cycles and instructions executed since the core was created, and half-words of
    /// instructions fetched from external DRAM.
    pub cycles: u64,
    pub instructions: u64,
    pub dram_fetches: u64,
    /// An interrupt may be takeable: ILAT, IMASK, IPEND or GID changed.
    irq_dirty: bool,
    /// The register an FPU instruction is still computing and the cycle from
    /// which an instruction may use it (or the FPU flags).
    fpu_pending: Option<(Reg, u64)>,
    /// `gie` directly followed by `idle`: no interrupt is taken between the
    /// two, so a program can check a flag with interrupts off and sleep
    /// without losing a wake-up (CGEN's simulator; ARCH-NOTES §2).
    gie_idle_pair: bool,
    cache: Box<[CacheEntry]>,
    /// Instructions and cycles per instruction address, when profiling
    /// ([`Core::start_profile`]).
    profile: Option<Profile>,
}

/// Where a core spent its time: instructions executed and cycles charged
/// at each instruction address (a branch's refill and a fetch from DRAM
/// are charged to the instruction that caused them).
#[derive(Default)]
pub struct Profile {
    pub by_pc: std::collections::HashMap<u32, (u64, u64)>,
}

/// What executing one instruction asks the loop to do.
enum Flow {
    Next,
    Jump(u32),
    Stop(Stop),
}

impl Core {
    pub fn new(mesh_id: u32, sram: Sram) -> Core {
        let mut core = Core {
            r: [0; 64],
            pc: 0,
            mesh_id,
            sram,
            a: IntFlags::default(),
            b: FloatFlags::default(),
            status_rest: 0,
            config: 0,
            iret: 0,
            imask: 0,
            ilat: 0,
            ipend: 0,
            lc: 0,
            ls: 0,
            le: 0,
            ctimer: [0; 2],
            debugstatus: 0,
            other_regs: Box::new([0; 1024]),
            cycles: 0,
            instructions: 0,
            dram_fetches: 0,
            irq_dirty: true,
            gie_idle_pair: false,
            fpu_pending: None,
            profile: None,
            cache: vec![EMPTY; CACHE_SLOTS].into_boxed_slice(),
        };
        core.reset();
        core
    }

    /// The state after RESETCORE (reference §3.1B): registers cleared, PC 0,
    /// interrupts cleared, not active (waiting for SYNC). SRAM is kept.
    pub fn reset(&mut self) {
        self.r = [0; 64];
        self.pc = 0;
        self.a = IntFlags::default();
        self.b = FloatFlags::default();
        self.status_rest = 0;
        self.config = 0;
        self.iret = 0;
        self.imask = 0;
        self.ilat = 0;
        self.ipend = 0;
        self.lc = 0;
        self.ls = 0;
        self.le = 0;
        self.ctimer = [0; 2];
        self.debugstatus = 0;
        self.other_regs.fill(0);
        self.irq_dirty = true;
    }

    pub fn status(&self) -> u32 {
        let (a, b) = (self.a, self.b);
        let bit = |on: bool, b: u32| if on { b } else { 0 };
        self.status_rest
            | bit(a.z, status::AZ)
            | bit(a.n, status::AN)
            | bit(a.c, status::AC)
            | bit(a.v, status::AV)
            | bit(a.vs, status::AVS)
            | bit(b.z, status::BZ)
            | bit(b.n, status::BN)
            | bit(b.v, status::BV)
            | bit(b.is, status::BIS)
            | bit(b.vs, status::BVS)
            | bit(b.us, status::BUS)
    }

    /// Writes STATUS as `movts status` does: the flag bits, WAND and
    /// EXCAUSE; bits 2:0 (ACTIVE, GID, KM) are read-only there and only the
    /// FSTATUS alias writes them (ARCH-NOTES §8).
    fn set_status(&mut self, v: u32, all: bool) {
        let has = |b: u32| v & b != 0;
        self.a = IntFlags {
            z: has(status::AZ),
            n: has(status::AN),
            c: has(status::AC),
            v: has(status::AV),
            vs: has(status::AVS),
        };
        self.b = FloatFlags {
            z: has(status::BZ),
            n: has(status::BN),
            v: has(status::BV),
            is: has(status::BIS),
            vs: has(status::BVS),
            us: has(status::BUS),
        };
        let rest_bits = status::WAND | status::EXCAUSE_MASK;
        let low = status::ACTIVE | status::GID | status::KM;
        let (keep, set) = if all { (0, rest_bits | low) } else { (low, rest_bits) };
        self.status_rest = (self.status_rest & keep) | (v & set);
        self.irq_dirty = true;
    }

    /// Sets STATUS.EXCAUSE (a host stopping the core on a fault).
    pub fn set_excause(&mut self, cause: ExCause) {
        self.status_rest = (self.status_rest & !status::EXCAUSE_MASK) | ((cause as u32) << status::EXCAUSE_SHIFT);
    }

    pub fn active(&self) -> bool {
        self.status_rest & status::ACTIVE != 0
    }

    pub fn set_active(&mut self, on: bool) {
        if on {
            self.status_rest |= status::ACTIVE;
        } else {
            self.status_rest &= !status::ACTIVE;
        }
    }

    fn gid(&self) -> bool {
        self.status_rest & status::GID != 0
    }

    fn set_gid(&mut self, on: bool) {
        if on {
            self.status_rest |= status::GID;
        } else {
            self.status_rest &= !status::GID;
        }
        self.irq_dirty = true;
    }

    /// Raises interrupt lines (ILATST from the host, another core, or a
    /// timer): they are latched and taken at the next instruction boundary
    /// when unmasked.
    pub fn raise(&mut self, bits: u32) {
        self.ilat |= bits & irq::MASK;
        self.irq_dirty = true;
    }

    pub fn rounding(&self) -> Rounding {
        if self.config & 1 == 0 {
            Rounding::NearestEven
        } else {
            Rounding::TowardZero
        }
    }

    fn integer_mode(&self) -> bool {
        // CONFIG[19:17] = 100: the FPU's integer mode (CGEN tests bit 19).
        self.config & (1 << 19) != 0
    }

    // ---- the register page ----

    /// Reads a register-page word by local address (movfs, loads, the host).
    pub fn read_reg(&self, addr: u32) -> u32 {
        match addr {
            a if a < REG_PAGE + 0x100 => self.r[((a - REG_PAGE) / 4) as usize],
            regs::CONFIG => self.config,
            regs::STATUS => self.status(),
            regs::PC => self.pc,
            regs::DEBUGSTATUS => self.debugstatus,
            regs::LC => self.lc,
            regs::LS => self.ls,
            regs::LE => self.le,
            regs::IRET => self.iret,
            regs::IMASK => self.imask,
            regs::ILAT => self.ilat,
            regs::IPEND => self.ipend,
            regs::CTIMER0 => self.ctimer[0],
            regs::CTIMER1 => self.ctimer[1],
            regs::COREID => self.mesh_id,
            // Write-only ports read as 0.
            regs::ILATST | regs::ILATCL | regs::FSTATUS | regs::DEBUGCMD => 0,
            a => self.other_regs[((a - REG_PAGE) / 4) as usize & 1023],
        }
    }

    /// Writes a register-page word by local address. A write that starts a
    /// DMA channel is refused: DMA is not modelled.
    pub fn write_reg(&mut self, addr: u32, v: u32) -> Result<(), DmaStarted> {
        match addr {
            a if a < REG_PAGE + 0x100 => self.r[((a - REG_PAGE) / 4) as usize] = v,
            regs::CONFIG => self.config = v,
            regs::STATUS => self.set_status(v, false),
            regs::FSTATUS => self.set_status(v, true),
            regs::PC => self.pc = v & !1,
            regs::DEBUGSTATUS | regs::COREID | regs::ILAT | regs::IPEND => {
                // Read-only from software (ILAT/IPEND change through ILATST/
                // ILATCL and interrupt entry/return).
                if addr == regs::IPEND {
                    self.ipend = v & irq::MASK;
                    self.irq_dirty = true;
                }
            }
            regs::LC => self.lc = v,
            regs::LS => self.ls = v & !1,
            regs::LE => self.le = v & !1,
            regs::IRET => self.iret = v & !1,
            regs::IMASK => {
                self.imask = v & irq::MASK;
                self.irq_dirty = true;
            }
            regs::ILATST => self.raise(v),
            regs::ILATCL => {
                self.ilat &= !v;
                self.irq_dirty = true;
            }
            regs::CTIMER0 => self.ctimer[0] = v,
            regs::CTIMER1 => self.ctimer[1] = v,
            a if (regs::DMA0_CONFIG..DMA_END).contains(&a) => {
                self.other_regs[((a - REG_PAGE) / 4) as usize] = v;
                // CONFIG of either channel with EN set starts it.
                if (a == regs::DMA0_CONFIG || a == regs::DMA1_CONFIG) && v & 1 != 0 {
                    return Err(DmaStarted);
                }
            }
            a => self.other_regs[((a - REG_PAGE) / 4) as usize & 1023] = v,
        }
        Ok(())
    }

    // ---- memory ----

    /// The local offset of `addr` if it is this core's own (local alias or
    /// its global address).
    #[inline(always)]
    fn local(&self, addr: u32) -> Option<u32> {
        if addr < 0x10_0000 || addr >> 20 == self.mesh_id {
            Some(addr & 0xF_FFFF)
        } else {
            None
        }
    }

    fn load(&mut self, mesh: &mut impl Mesh, addr: u32, size: Size) -> Option<u32> {
        match self.local(addr) {
            Some(off) if off < SRAM_SIZE => self.sram.read(off, size),
            Some(off) if (REG_PAGE..REG_PAGE_END).contains(&off) => {
                Some(self.read_reg(off & !3) >> (8 * (off & 3)))
            }
            Some(_) => None,
            None => {
                self.cycles += if mesh.is_external(addr) {
                    cost::LOAD_EXTERNAL
                } else {
                    cost::LOAD_REMOTE
                };
                mesh.read(addr, size)
            }
        }
    }

    /// Reads memory as the core sees it, for the host (no cycles charged,
    /// no alignment rule): `size` must not be Double.
    pub fn peek(&mut self, mesh: &mut impl Mesh, addr: u32, size: Size) -> Option<u32> {
        if addr & (size.bytes() - 1) != 0 {
            return None;
        }
        let cycles = self.cycles;
        let v = self.load(mesh, addr, size);
        self.cycles = cycles;
        v
    }

    /// Ok(false): nothing at that address.
    fn store(
        &mut self,
        mesh: &mut impl Mesh,
        addr: u32,
        size: Size,
        v: u32,
    ) -> Result<bool, DmaStarted> {
        match self.local(addr) {
            Some(off) if off < SRAM_SIZE => Ok(self.sram.write(off, size, v)),
            Some(off) if (REG_PAGE..REG_PAGE_END).contains(&off) => {
                self.write_reg(off & !3, v).map(|_| true)
            }
            Some(_) => Ok(false),
            None => Ok(mesh.write(addr, size, v)),
        }
    }

    fn fetch_half(&mut self, mesh: &mut impl Mesh, addr: u32) -> Result<u32, Fault> {
        match self.local(addr) {
            Some(off) if off < SRAM_SIZE => self
                .sram
                .read(off, Size::Half)
                .ok_or(Fault::FetchUnmapped { pc: self.pc }),
            Some(off) if (REG_PAGE..REG_PAGE_END).contains(&off) => {
                Err(Fault::FetchRegisterPage { pc: self.pc })
            }
            Some(_) => Err(Fault::FetchUnmapped { pc: self.pc }),
            None => {
                if mesh.is_external(addr) {
                    self.cycles += cost::FETCH_EXTERNAL;
                    self.dram_fetches += 1;
                }
                mesh.read(addr, Size::Half)
                    .ok_or(Fault::FetchUnmapped { pc: self.pc })
            }
        }
    }

    /// The instruction at pc, from the cache when its raw word is unchanged.
    #[inline(always)]
    fn fetch(&mut self, mesh: &mut impl Mesh) -> Result<Decoded, Fault> {
        let pc = self.pc;
        let lo = self.fetch_half(mesh, pc)?;
        let raw = if insn_len(lo) == 4 {
            lo | self.fetch_half(mesh, pc.wrapping_add(2))? << 16
        } else {
            lo
        };
        let slot = &mut self.cache[(pc as usize >> 1) & (CACHE_SLOTS - 1)];
        if slot.pc == pc && slot.raw == raw {
            return Ok(slot.d);
        }
        let d = decode(raw);
        *slot = CacheEntry { pc, raw, d };
        Ok(d)
    }

    // ---- interrupts ----

    /// Whether an interrupt can be taken now (it would wake an idle core).
    pub fn can_wake(&self) -> bool {
        self.pending_irq().is_some()
    }

    /// The highest-priority latched, unmasked interrupt that may preempt
    /// what is in service now.
    fn pending_irq(&self) -> Option<u32> {
        let ready = self.ilat & !self.imask & irq::MASK;
        if ready == 0 || self.gid() {
            return None;
        }
        let line = ready.trailing_zeros();
        // Only a higher priority (lower number) than every interrupt in
        // service may nest.
        let in_service = if self.ipend == 0 {
            irq::COUNT
        } else {
            self.ipend.trailing_zeros()
        };
        (line < in_service).then_some(line)
    }

    /// Enters interrupt `line`: IRET holds where to return, ILAT's bit moves
    /// to IPEND, interrupts are disabled (GID) and the core jumps to the IVT
    /// (ARCH-NOTES §2; an idle or reset core becomes active).
    fn enter_irq(&mut self, line: u32) {
        self.iret = self.pc;
        self.ilat &= !(1 << line);
        self.ipend |= 1 << line;
        self.status_rest |= status::GID | status::KM | status::ACTIVE;
        self.pc = 4 * line;
        self.irq_dirty = true;
        self.cycles += cost::BRANCH_TAKEN;
    }

    /// Raises the software exception with `cause` (ARCH-NOTES §3): EXCAUSE
    /// is set and ILAT bit 1 latched, so the handler at 0x4 is entered at
    /// the next instruction boundary with IRET after the faulting
    /// instruction, which has no other effect. An exception the core
    /// cannot take now stops it with a fault.
    fn exception(&mut self, cause: ExCause, pc: u32) -> Flow {
        if self.raise_exception(cause) { Flow::Next } else { Flow::Stop(Stop::Fault(Fault::Exception { pc, cause })) }
    }

    /// Sets EXCAUSE and latches the software exception if the core can take
    /// it now (not masked, GID clear, not already in its handler); false
    /// when it cannot.
    fn raise_exception(&mut self, cause: ExCause) -> bool {
        self.set_excause(cause);
        let bit = 1 << irq::SWE;
        if self.gid() || self.imask & bit != 0 || self.ipend & bit != 0 {
            return false;
        }
        self.raise(bit);
        true
    }

    // ---- the loop ----

    /// Runs at most `budget` instructions. A core that is not active (reset,
    /// or asleep in `idle`) wakes when an interrupt can be taken
    /// ([`Core::can_wake`]) and otherwise returns [`Stop::Idle`] at once; a
    /// halted core returns [`Stop::Budget`] without running.
    pub fn run(&mut self, mesh: &mut impl Mesh, budget: u64) -> Stop {
        if self.debugstatus & 1 != 0 {
            return Stop::Budget;
        }
        if !self.active() {
            if !self.can_wake() {
                return Stop::Idle;
            }
            self.set_active(true);
        }
        let end = self.instructions + budget;
        while self.instructions < end {
            let start_cycles = self.cycles;
            if self.irq_dirty && !std::mem::take(&mut self.gie_idle_pair) {
                self.irq_dirty = false;
                if let Some(line) = self.pending_irq() {
                    self.enter_irq(line);
                }
            }
            let d = match self.fetch(mesh) {
                Ok(d) => d,
                // A fetch from nowhere (or from the register page) raises
                // the software exception, EXCAUSE illegal, with IRET at the
                // address (ARCH-NOTES §3, CGEN); a core that cannot take
                // it stops with the fetch fault.
                Err(f) => {
                    if !self.raise_exception(ExCause::Illegal) {
                        return Stop::Fault(f);
                    }
                    self.instructions += 1;
                    continue;
                }
            };
            let pc = self.pc;
            let next = pc.wrapping_add(d.len as u32);
            if let Some((reg, ready)) = self.fpu_pending {
                if self.cycles >= ready {
                    self.fpu_pending = None;
                } else if d.insn.reads(reg) || d.insn.reads_fpu_flags() {
                    self.cycles = ready;
                    self.fpu_pending = None;
                }
            }
            self.instructions += 1;
            self.cycles += 1;
            match self.execute(mesh, d.insn, pc, next) {
                Flow::Next => {
                    // Hardware loop: the instruction at LE ends an iteration.
                    if pc == self.le && self.lc != 0 {
                        self.lc -= 1;
                        self.pc = if self.lc != 0 { self.ls } else { next };
                    } else {
                        self.pc = next;
                    }
                }
                Flow::Jump(target) => {
                    self.pc = target;
                    self.cycles += cost::BRANCH_TAKEN;
                }
                Flow::Stop(stop) => return stop,
            }
            self.tick_timers(self.cycles - start_cycles);
            if let Some(profile) = &mut self.profile {
                let entry = profile.by_pc.entry(pc).or_default();
                entry.0 += 1;
                entry.1 += self.cycles - start_cycles;
            }
        }
        Stop::Budget
    }

    /// Starts counting instructions and cycles per instruction address
    /// (slower: a table update per instruction).
    pub fn start_profile(&mut self) {
        self.profile.get_or_insert_with(Profile::default);
    }

    /// The profile so far, if profiling.
    pub fn profile(&self) -> Option<&Profile> {
        self.profile.as_ref()
    }

    /// Halts the core at an instruction boundary (DEBUGCMD = 1).
    pub fn halt(&mut self) {
        self.debugstatus |= 1;
    }

    /// Resumes a halted core at `pc` (DEBUGCMD = 0; after a trap, the host
    /// has put the call's results in r0 and r3).
    pub fn resume(&mut self) {
        self.debugstatus &= !1;
    }

    pub fn halted(&self) -> bool {
        self.debugstatus & 1 != 0
    }

    /// CTIMERn count down by the clock cycles an instruction took in mode 1
    /// (CONFIG[7:4] and [11:8]), stop at zero and raise TIMERn once when
    /// they get there (ARCH-NOTES §10).
    #[inline(always)]
    fn tick_timers(&mut self, cycles: u64) {
        if self.config & 0xFF0 == 0 {
            return;
        }
        for t in 0..2 {
            if (self.config >> (4 + 4 * t)) & 0xF == 1 && self.ctimer[t] != 0 {
                self.ctimer[t] -= cycles.min(self.ctimer[t] as u64) as u32;
                if self.ctimer[t] == 0 {
                    self.raise(1 << (irq::TIMER0 + t as u32));
                }
            }
        }
    }

    fn cond(&self, c: Cond) -> bool {
        let (a, b) = (self.a, self.b);
        match c {
            Cond::Eq => a.z,
            Cond::Ne => !a.z,
            Cond::Gtu => a.c && !a.z,
            Cond::Gteu => a.c,
            Cond::Lteu => !a.c || a.z,
            Cond::Ltu => !a.c,
            Cond::Gt => !a.z && a.v == a.n,
            Cond::Gte => a.v == a.n,
            Cond::Lt => a.v != a.n,
            Cond::Lte => a.z || a.v != a.n,
            Cond::Beq => b.z,
            Cond::Bne => !b.z,
            Cond::Blt => b.n && !b.z,
            Cond::Blte => b.n || b.z,
            Cond::Always | Cond::Link => true,
        }
    }

    fn set_zn(&mut self, v: u32) {
        self.a.z = v == 0;
        self.a.n = (v as i32) < 0;
    }

    fn alu(&mut self, op: AluOp, x: u32, y: u32) -> u32 {
        let r = match op {
            AluOp::Add => {
                let (r, c) = x.overflowing_add(y);
                self.a.c = c;
                self.a.v = (x as i32).overflowing_add(y as i32).1;
                self.a.vs |= self.a.v;
                r
            }
            AluOp::Sub => {
                self.a.c = x >= y; // carry = no borrow
                self.a.v = (x as i32).overflowing_sub(y as i32).1;
                self.a.vs |= self.a.v;
                x.wrapping_sub(y)
            }
            _ => {
                self.a.c = false;
                self.a.v = false;
                match op {
                    AluOp::And => x & y,
                    AluOp::Orr => x | y,
                    AluOp::Eor => x ^ y,
                    AluOp::Lsl => x << (y & 31),
                    AluOp::Lsr => x >> (y & 31),
                    AluOp::Asr => ((x as i32) >> (y & 31)) as u32,
                    AluOp::Add | AluOp::Sub => unreachable!("handled above"),
                }
            }
        };
        self.set_zn(r);
        r
    }

    /// An FPU instruction issued this cycle writes `rd` later (cost::FPU_RESULT).
    fn fpu_result(&mut self, rd: Reg) {
        let latency = cost::FPU_RESULT + (self.rounding() == Rounding::NearestEven) as u64;
        self.fpu_pending = Some((rd, self.cycles - 1 + latency));
    }

    fn float_flags(&mut self, f: FpFlags) {
        self.b.z = f.zero;
        self.b.n = f.negative;
        self.b.v = f.overflow;
        self.b.vs |= f.overflow;
        self.b.us |= f.underflow;
        self.b.is |= f.invalid;
    }

    /// Whether the FPU exception fires after an FPU operation: CONFIG bits
    /// 1-3 enable it on the sticky BIS, BVS and BUS, so it fires again on
    /// every FPU operation until software clears them (ARCH-NOTES §3).
    fn fpu_traps(&self) -> bool {
        let b = self.b;
        (self.config & 2 != 0 && b.is) || (self.config & 4 != 0 && b.vs) || (self.config & 8 != 0 && b.us)
    }

    fn effective(&mut self, addr: Addr, size: Size) -> (u32, Option<(Reg, u32)>) {
        let scale = size.shift();
        let step = |base: u32, off: u32, sub: bool| {
            if sub {
                base.wrapping_sub(off)
            } else {
                base.wrapping_add(off)
            }
        };
        match addr {
            Addr::Index { rn, rm, sub } => {
                (step(self.r[rn as usize], self.r[rm as usize], sub), None)
            }
            Addr::Disp { rn, disp, sub } => {
                (step(self.r[rn as usize], (disp as u32) << scale, sub), None)
            }
            Addr::PostIndex { rn, rm, sub } => {
                let base = self.r[rn as usize];
                (base, Some((rn, step(0, self.r[rm as usize], sub))))
            }
            Addr::PostDisp { rn, disp, sub } => {
                let base = self.r[rn as usize];
                (base, Some((rn, step(0, (disp as u32) << scale, sub))))
            }
        }
    }

    fn execute(&mut self, mesh: &mut impl Mesh, insn: Insn, pc: u32, next: u32) -> Flow {
        match insn {
            Insn::Alu { op, rd, rn, rm } => {
                let v = self.alu(op, self.r[rn as usize], self.r[rm as usize]);
                self.r[rd as usize] = v;
            }
            Insn::AluImm { op, rd, rn, imm } => {
                let v = self.alu(op, self.r[rn as usize], imm as u32);
                self.r[rd as usize] = v;
            }
            Insn::ShiftImm { op, rd, rn, shift } => {
                let x = self.r[rn as usize];
                let v = match op {
                    ShiftOp::Lsl => x << shift,
                    ShiftOp::Lsr => x >> shift,
                    ShiftOp::Asr => ((x as i32) >> shift) as u32,
                };
                self.a.c = false;
                self.a.v = false;
                self.set_zn(v);
                self.r[rd as usize] = v;
            }
            Insn::Bitr { rd, rn } => {
                let v = self.r[rn as usize].reverse_bits();
                self.a.c = false;
                self.a.v = false;
                self.set_zn(v);
                self.r[rd as usize] = v;
            }
            Insn::MovImm { rd, imm } => self.r[rd as usize] = imm as u32,
            Insn::MovT { rd, imm } => {
                self.r[rd as usize] = (self.r[rd as usize] & 0xFFFF) | (imm as u32) << 16
            }
            Insn::Mov { cond, rd, rn } => {
                if self.cond(cond) {
                    self.r[rd as usize] = self.r[rn as usize];
                }
            }
            Insn::Branch { cond, offset } => {
                if cond == Cond::Link {
                    self.r[14] = next;
                }
                if self.cond(cond) {
                    return Flow::Jump(pc.wrapping_add(offset as u32));
                }
            }
            Insn::Jump { rn, link } => {
                let target = self.r[rn as usize] & !1;
                if link {
                    self.r[14] = next;
                }
                return Flow::Jump(target);
            }
            Insn::Load { size, rd, addr } => {
                let (ea, post) = self.effective(addr, size);
                // A pair starts at an even register (CGEN-new: else unaligned).
                if ea & (size.bytes() - 1) != 0 || (size == Size::Double && rd & 1 != 0) {
                    return self.exception(ExCause::Unaligned, pc);
                }
                let first = if size == Size::Double {
                    Size::Word
                } else {
                    size
                };
                let Some(v) = self.load(mesh, ea, first) else {
                    return Flow::Stop(Stop::Fault(Fault::Unmapped { pc, addr: ea }));
                };
                self.r[rd as usize] = v;
                if size == Size::Double {
                    let Some(hi) = self.load(mesh, ea.wrapping_add(4), Size::Word) else {
                        return Flow::Stop(Stop::Fault(Fault::Unmapped {
                            pc,
                            addr: ea.wrapping_add(4),
                        }));
                    };
                    self.r[rd as usize + 1] = hi;
                }
                if let Some((rn, delta)) = post {
                    self.r[rn as usize] = self.r[rn as usize].wrapping_add(delta);
                }
            }
            Insn::Store { size, rd, addr } => {
                let (ea, post) = self.effective(addr, size);
                if ea & (size.bytes() - 1) != 0 || (size == Size::Double && rd & 1 != 0) {
                    return self.exception(ExCause::Unaligned, pc);
                }
                let words: &[(u32, Size, u32)] = &if size == Size::Double {
                    [
                        (ea, Size::Word, self.r[rd as usize]),
                        (ea.wrapping_add(4), Size::Word, self.r[rd as usize + 1]),
                    ]
                } else {
                    [(ea, size, self.r[rd as usize]), (0, Size::Byte, 0)]
                };
                let n = if size == Size::Double { 2 } else { 1 };
                for &(a, s, v) in &words[..n] {
                    match self.store(mesh, a, s, v) {
                        Ok(true) => {}
                        Ok(false) => {
                            return Flow::Stop(Stop::Fault(Fault::Unmapped { pc, addr: a }));
                        }
                        Err(DmaStarted) => {
                            return Flow::Stop(Stop::Fault(Fault::DmaNotModelled { pc }));
                        }
                    }
                }
                if let Some((rn, delta)) = post {
                    self.r[rn as usize] = self.r[rn as usize].wrapping_add(delta);
                }
            }
            Insn::TestSet {
                size,
                rd,
                rn,
                rm,
                sub,
            } => {
                let (base, off) = (self.r[rn as usize], self.r[rm as usize]);
                let ea = if sub {
                    base.wrapping_sub(off)
                } else {
                    base.wrapping_add(off)
                };
                if ea & (size.bytes() - 1) != 0 {
                    return self.exception(ExCause::Unaligned, pc);
                }
                let v = self.r[rd as usize];
                let old = match self.local(ea) {
                    Some(o) if o < SRAM_SIZE => self.sram.testset(o, size, v),
                    Some(_) => None,
                    None => {
                        self.cycles += cost::LOAD_REMOTE;
                        mesh.testset(ea, size, v)
                    }
                };
                let Some(old) = old else {
                    return Flow::Stop(Stop::Fault(Fault::Unmapped { pc, addr: ea }));
                };
                self.r[rd as usize] = old;
            }
            Insn::MovToSpecial { sr, rd } => {
                let v = self.r[rd as usize];
                if self.write_reg(sr.address(), v).is_err() {
                    return Flow::Stop(Stop::Fault(Fault::DmaNotModelled { pc }));
                }
                if sr.address() == regs::PC {
                    return Flow::Jump(self.pc);
                }
            }
            Insn::MovFromSpecial { rd, sr } => {
                let v = if sr.address() == regs::PC {
                    pc
                } else {
                    self.read_reg(sr.address())
                };
                self.r[rd as usize] = v;
            }
            Insn::Fpu { op, rd, rn, rm } => {
                let (n, m, acc) = (
                    self.r[rn as usize],
                    self.r[rm as usize],
                    self.r[rd as usize],
                );
                self.fpu_result(rd);
                if self.integer_mode() {
                    let v = match op {
                        FpuOp::Add => n.wrapping_add(m),
                        FpuOp::Sub => n.wrapping_sub(m),
                        FpuOp::Mul => n.wrapping_mul(m),
                        FpuOp::Madd => acc.wrapping_add(n.wrapping_mul(m)),
                        FpuOp::Msub => acc.wrapping_sub(n.wrapping_mul(m)),
                    };
                    // Only BN and BZ, from the result's bits as the FPU
                    // reads them (ARCH-NOTES §5).
                    self.b.z = v & 0x7FFF_FFFF == 0;
                    self.b.n = v >> 31 != 0;
                    self.r[rd as usize] = v;
                } else {
                    let (v, f) = fpu::arith(op, acc, n, m, self.rounding());
                    self.float_flags(f);
                    self.r[rd as usize] = v;
                    if self.fpu_traps() {
                        return self.exception(ExCause::Fpu, pc);
                    }
                }
            }
            Insn::FpuUnary { op, rd, rn } => {
                let n = self.r[rn as usize];
                self.fpu_result(rd);
                let (v, f) = match op {
                    FpuUnary::Float => fpu::float(n, self.rounding()),
                    FpuUnary::Fix => fpu::fix(n, self.rounding()),
                    FpuUnary::Abs => fpu::abs(n),
                    FpuUnary::Recip | FpuUnary::Sqrt => {
                        return self.exception(ExCause::Unimplemented, pc);
                    }
                };
                self.float_flags(f);
                self.r[rd as usize] = v;
                if self.fpu_traps() {
                    return self.exception(ExCause::Fpu, pc);
                }
            }
            Insn::BitField { .. } | Insn::Unimpl => {
                return self.exception(ExCause::Unimplemented, pc);
            }
            Insn::Invalid => return self.exception(ExCause::Illegal, pc),
            Insn::Swi { .. } => return self.exception(ExCause::Swi, pc),
            Insn::Nop | Insn::Snop | Insn::Sync | Insn::Mbkpt => {}
            Insn::Wand => self.status_rest |= status::WAND,
            Insn::GlobalInterrupts { enable } => {
                self.set_gid(!enable);
                if enable {
                    self.gie_idle_pair = self.peek(mesh, next, Size::Half) == Some(IDLE_WORD);
                }
            }
            Insn::Idle => {
                // STATUS.ACTIVE = 0 until an interrupt is taken, which then
                // returns after the idle. A latched but masked (or GID-held)
                // interrupt does not wake the core, as in CGEN's simulator:
                // e-hal's start sequence relies on it (a neighbour's USER
                // interrupt must not start a core before its SYNC), though
                // the reference's pseudo-code reads "while (!ILAT)"
                // (ARCH-NOTES §2).
                self.pc = next;
                if self.can_wake() {
                    return Flow::Jump(next);
                }
                self.set_active(false);
                return Flow::Stop(Stop::Idle);
            }
            Insn::Rti => {
                // The highest-priority interrupt in service is done.
                if self.ipend != 0 {
                    self.ipend &= self.ipend - 1;
                }
                self.status_rest &= !(status::GID | status::KM);
                self.irq_dirty = true;
                return Flow::Jump(self.iret);
            }
            Insn::Trap { num } => {
                self.pc = next;
                self.halt();
                return Flow::Stop(Stop::Trap { num });
            }
            Insn::Bkpt => {
                self.pc = next;
                self.halt();
                return Flow::Stop(Stop::Breakpoint);
            }
        }
        Flow::Next
    }
}

//! The bytecode image: what the compiler writes, the loader copies to a core's
//! inbox, and the firmware verifies and runs.
//!
//! An image is little-endian, 4-byte aligned, and self-contained:
//!
//! ```text
//! header      HEADER_WORDS words (offsets from the image start, in bytes)
//! functions   n_functions × FUNCTION_WORDS words; function 0 is the module body
//! const table n_consts words: byte offset of each constant (value encoding)
//! name table  n_globals words: byte offset of each global's name (a Str value)
//! const/name values (value encoding)
//! line table  n_lines words: `pc | line << 16`, sorted by pc within a function
//! code        bytes: instructions of every function, back to back
//! ```
//!
//! An instruction is one opcode byte followed by its operand (0, 1 or 2 bytes,
//! little-endian, see [`Operand`]). Jump targets are byte offsets from the
//! start of the function's own code, and must be instruction boundaries.

/// "EPYB".
pub const IMAGE_MAGIC: u32 = u32::from_le_bytes(*b"EPYB");
/// Bump on any change to the image format or to an opcode's meaning.
pub const BYTECODE_VERSION: u32 = 5;

/// Header word indices.
pub mod header {
    pub const MAGIC: usize = 0;
    pub const VERSION: usize = 1;
    /// Total image length in bytes.
    pub const TOTAL_LEN: usize = 2;
    pub const N_FUNCTIONS: usize = 3;
    pub const FUNCTIONS_OFF: usize = 4;
    pub const N_CONSTS: usize = 5;
    pub const CONSTS_OFF: usize = 6;
    pub const N_GLOBALS: usize = 7;
    pub const NAMES_OFF: usize = 8;
    pub const LINES_OFF: usize = 9;
    pub const N_LINES: usize = 10;
    pub const CODE_OFF: usize = 11;
    pub const CODE_LEN: usize = 12;
    /// Const index of the source file name (a Str), or `NO_CONST`.
    pub const FILENAME: usize = 13;
    /// The kernel to call after the module body (version 3): 0 for a plain
    /// program (the Run's result is the module body's), else 1 + the index
    /// of the global bound to the kernel function. The firmware calls that
    /// global with the Run command's argument tuple (`mailbox::cmd::ARG2`,
    /// `ARG3`) and reports its return value as the Result.
    pub const ENTRY: usize = 14;
    /// Const index of the source modules' line map (version 5), or
    /// `NO_CONST` when the program has none: a Str of lines `BASE FILE`,
    /// by increasing BASE. Line-table lines up to the first BASE are the
    /// program's own; a line above BASE (up to the next) is line
    /// `line - BASE` of FILE (a source module compiled into the image, e.g.
    /// `util.py`). Only the host reads it, to name the file of an error.
    pub const SOURCES: usize = 15;
    /// Bits of [`super::flags`] (version 5); the others are 0.
    pub const FLAGS: usize = 16;
}

/// The image header's FLAGS word.
pub mod flags {
    /// Compiled in the ePython dialect: `Add` and `InplaceAdd` of a str and
    /// an int, float, bool or None (either order) give the str joined with
    /// the number as str() writes it (`"x=" + 5` is `"x=5"`) instead of a
    /// TypeError. A flag, not opcodes of their own, so that `+` on numbers
    /// keeps the dispatch loop's fast path.
    pub const STR_PLUS_NUMBER: u32 = 1;
    /// Every flag this version defines (an image with others is refused).
    pub const KNOWN: u32 = STR_PLUS_NUMBER;
}
pub const HEADER_WORDS: usize = 17;
pub const NO_CONST: u32 = u32::MAX;

/// Function entry word indices.
pub mod function {
    /// Byte offset of its code from the image's code section.
    pub const CODE_START: usize = 0;
    pub const CODE_LEN: usize = 1;
    pub const N_PARAMS: usize = 2;
    /// Local slots, parameters first.
    pub const N_LOCALS: usize = 3;
    /// Deepest operand stack the function needs (the verifier checks it).
    pub const MAX_STACK: usize = 4;
    /// Const index of the function's name (a Str).
    pub const NAME: usize = 5;
    /// Its entries in the line table: first index and count.
    pub const LINES_START: usize = 6;
    pub const LINES_COUNT: usize = 7;
    /// How many trailing parameters have defaults (`MakeFunction` takes
    /// them as one tuple of exactly this length).
    pub const N_DEFAULTS: usize = 8;
    /// Byte offset (from the image start) of N_LOCALS words, each the byte
    /// offset of a Str value: the locals' names, parameters first. Keyword
    /// arguments match against them; UnboundLocalError names them.
    pub const LOCAL_NAMES: usize = 9;
}
pub const FUNCTION_WORDS: usize = 10;

/// The file and line a line-table `line` is in, from the image's SOURCES
/// text (`header::SOURCES`): `Some((module file, its line))`, or None for
/// a line of the program's own file (or a malformed text).
pub fn source_of_line(sources: &str, line: u32) -> Option<(&str, u32)> {
    let mut found = None;
    for entry in sources.split('\n') {
        let (base, file) = entry.split_once(' ')?;
        let base: u32 = base.parse().ok()?;
        if line <= base {
            break;
        }
        found = Some((file, line - base));
    }
    found
}

pub const fn line_entry(pc: u16, line: u16) -> u32 {
    pc as u32 | (line as u32) << 16
}
pub const fn line_entry_pc(entry: u32) -> u32 {
    entry & 0xFFFF
}
pub const fn line_entry_line(entry: u32) -> u32 {
    entry >> 16
}

/// What follows an opcode byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    None,
    U8,
    U16,
    I16,
}

impl Operand {
    pub const fn size(self) -> usize {
        match self {
            Operand::None => 0,
            Operand::U8 => 1,
            Operand::U16 | Operand::I16 => 2,
        }
    }
}

/// How an instruction moves the operand stack when it falls through to the
/// next instruction. Branching instructions also have a [`Op::jump_effect`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Pops `.0`, then pushes `.1`.
    Fixed(u8, u8),
    /// `Call argc`: pops argc + 1, pushes 1.
    Call,
    /// `Print flags`: pops (flags & 0xFF) + sep? + end?, pushes 1 (None).
    Print,
    /// `BuildList n` / `BuildTuple n`: pops n, pushes 1.
    Build,
    /// `UnpackSequence n`: pops 1, pushes n.
    Unpack,
    /// `CallKw n`: pops f, n arguments and the names tuple; pushes 1.
    CallKw,
    /// `CallMethod m | argc << 8`: pops the receiver and argc arguments; pushes 1.
    CallMethod,
}

/// `CallMethod` operand: method number (`natives::METHODS`) and argument count.
pub const fn call_method_operand(method: u8, argc: u8) -> u16 {
    method as u16 | (argc as u16) << 8
}

/// `Print` operand bits above the count.
pub const PRINT_HAS_SEP: u16 = 1 << 8;
pub const PRINT_HAS_END: u16 = 1 << 9;

macro_rules! opcodes {
    ($( $name:ident = $code:literal, $operand:ident, $effect:expr, $doc:literal; )*) => {
        /// The opcodes as bytes, for matching a code byte undecoded (the
        /// VM's dispatch loop): `opcode::Add == Op::Add as u8`.
        #[allow(non_upper_case_globals)]
        pub mod opcode {
            $( pub const $name: u8 = $code; )*
        }

        /// The one opcode table: the compiler's emitter, the firmware's
        /// verifier and dispatch, and the disassembler all derive from it.
        #[repr(u8)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Op {
            $( #[doc = $doc] $name = $code, )*
        }

        // An instruction's length is never zero; `len` is the natural name.
        #[allow(clippy::len_without_is_empty)]
        impl Op {
            pub const ALL: &'static [Op] = &[$(Op::$name),*];

            #[cfg_attr(not(target_os = "none"), inline(always))]
            pub const fn from_u8(byte: u8) -> Option<Op> {
                match byte {
                    $( $code => Some(Op::$name), )*
                    _ => None,
                }
            }
            #[cfg_attr(not(target_os = "none"), inline(always))]
            pub const fn operand(self) -> Operand {
                match self {
                    $( Op::$name => Operand::$operand, )*
                }
            }
            pub const fn effect(self) -> Effect {
                match self {
                    $( Op::$name => $effect, )*
                }
            }
            pub const fn name(self) -> &'static str {
                match self {
                    $( Op::$name => stringify!($name), )*
                }
            }
            pub const fn doc(self) -> &'static str {
                match self {
                    $( Op::$name => $doc, )*
                }
            }
            /// Instruction length in bytes, opcode included.
            #[cfg_attr(not(target_os = "none"), inline(always))]
            pub const fn len(self) -> usize {
                1 + self.operand().size()
            }

            /// (pops, pushes) when the instruction falls through.
            pub const fn stack_effect(self, operand: u16) -> (u16, u16) {
                match self.effect() {
                    Effect::Fixed(pop, push) => (pop as u16, push as u16),
                    Effect::Call => (operand + 1, 1),
                    Effect::Print => {
                        let extra = ((operand & PRINT_HAS_SEP) != 0) as u16 + ((operand & PRINT_HAS_END) != 0) as u16;
                        ((operand & 0xFF) + extra, 1)
                    }
                    Effect::Build => (operand, 1),
                    Effect::Unpack => (1, operand),
                    Effect::CallKw => (operand + 2, 1),
                    Effect::CallMethod => ((operand >> 8) + 1, 1),
                }
            }

            /// (pops, pushes) when a branching instruction jumps; `None` for
            /// instructions that never jump.
            pub const fn jump_effect(self) -> Option<(u16, u16)> {
                match self {
                    Op::Jump => Some((0, 0)),
                    Op::PopJumpIfFalse | Op::PopJumpIfTrue => Some((1, 0)),
                    // Jumping keeps the tested value; falling through pops it.
                    Op::JumpIfFalseOrPop | Op::JumpIfTrueOrPop => Some((1, 1)),
                    // Exhausted: the iterator is popped and the loop exits.
                    Op::ForIter => Some((1, 0)),
                    _ => None,
                }
            }
        }
    };
}

use Effect::Fixed;

/// Instruction lengths by opcode byte (0: no opcode), for [`Op::decode`]
/// and [`Op::len_of`]; indexed by any byte, no bounds check.
const LENGTHS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < Op::ALL.len() {
        t[Op::ALL[i] as usize] = Op::ALL[i].len() as u8;
        i += 1;
    }
    t
};

impl Op {
    /// The length of the instruction whose opcode is `byte`; 0 when `byte`
    /// is no opcode. One table look-up.
    #[inline(always)]
    pub fn len_of(byte: u8) -> u32 {
        LENGTHS[byte as usize] as u32
    }

    /// The opcode `byte` and its instruction's length in bytes: one table
    /// look-up (`from_u8` and `len` are matches).
    #[inline(always)]
    pub fn decode(byte: u8) -> Option<(Op, u32)> {
        let len = LENGTHS[byte as usize];
        if len == 0 {
            return None;
        }
        // SAFETY: `Op` is `repr(u8)` and LENGTHS is non-zero exactly at the
        // values of `Op::ALL`, every variant (the test below checks both).
        Some((unsafe { core::mem::transmute::<u8, Op>(byte) }, len as u32))
    }
}

opcodes! {
    Nop            = 0x00, None, Fixed(0, 0), "—";
    Pop            = 0x01, None, Fixed(1, 0), "a ->";
    Dup            = 0x02, None, Fixed(1, 2), "a -> a a";
    Rot2           = 0x03, None, Fixed(2, 2), "a b -> b a";
    LoadNone       = 0x04, None, Fixed(0, 1), "-> None";
    LoadTrue       = 0x05, None, Fixed(0, 1), "-> True";
    LoadFalse      = 0x06, None, Fixed(0, 1), "-> False";
    LoadInt        = 0x07, I16,  Fixed(0, 1), "-> int(operand)";
    LoadConst      = 0x08, U16,  Fixed(0, 1), "-> consts[k]";
    LoadGlobal     = 0x09, U16,  Fixed(0, 1), "-> globals[k]; NameError if unbound";
    StoreGlobal    = 0x0A, U16,  Fixed(1, 0), "a -> ; globals[k] = a";
    LoadLocal      = 0x0B, U16,  Fixed(0, 1), "-> locals[k]; NameError if unbound";
    StoreLocal     = 0x0C, U16,  Fixed(1, 0), "a -> ; locals[k] = a";
    LoadNative     = 0x0D, U16,  Fixed(0, 1), "-> natives[k] (a module or a native function)";
    LoadModuleAttr = 0x0E, U16,  Fixed(1, 1), "module -> natives[k]; AttributeError unless module is natives[k]'s module";
    Rot3           = 0x0F, None, Fixed(3, 3), "a b c -> c a b";
    Neg            = 0x10, None, Fixed(1, 1), "a -> -a";
    Pos            = 0x11, None, Fixed(1, 1), "a -> +a";
    Not            = 0x12, None, Fixed(1, 1), "a -> not a";
    Invert         = 0x13, None, Fixed(1, 1), "a -> ~a";
    Dup2           = 0x14, None, Fixed(2, 4), "a b -> a b a b";
    InplaceAdd     = 0x15, None, Fixed(2, 1), "a b -> a += b: a list a is extended by b in place and stays, else a + b";
    Input          = 0x16, None, Fixed(0, 1), "-> a line from the host's input, without its newline (EOFError at its end)";
    Add            = 0x18, None, Fixed(2, 1), "a b -> a + b";
    Sub            = 0x19, None, Fixed(2, 1), "a b -> a - b";
    Mul            = 0x1A, None, Fixed(2, 1), "a b -> a * b";
    TrueDiv        = 0x1B, None, Fixed(2, 1), "a b -> a / b";
    FloorDiv       = 0x1C, None, Fixed(2, 1), "a b -> a // b (floor)";
    Mod            = 0x1D, None, Fixed(2, 1), "a b -> a % b (sign of b)";
    Pow            = 0x1E, None, Fixed(2, 1), "a b -> a ** b";
    LShift         = 0x1F, None, Fixed(2, 1), "a b -> a << b";
    RShift         = 0x20, None, Fixed(2, 1), "a b -> a >> b";
    BitAnd         = 0x21, None, Fixed(2, 1), "a b -> a & b";
    BitOr          = 0x22, None, Fixed(2, 1), "a b -> a | b";
    BitXor         = 0x23, None, Fixed(2, 1), "a b -> a ^ b";
    Is             = 0x24, None, Fixed(2, 1), "a b -> a is b";
    IsNot          = 0x25, None, Fixed(2, 1), "a b -> a is not b";
    In             = 0x26, None, Fixed(2, 1), "a b -> a in b";
    NotIn          = 0x27, None, Fixed(2, 1), "a b -> a not in b";
    Eq             = 0x28, None, Fixed(2, 1), "a b -> a == b";
    Ne             = 0x29, None, Fixed(2, 1), "a b -> a != b";
    Lt             = 0x2A, None, Fixed(2, 1), "a b -> a < b";
    Le             = 0x2B, None, Fixed(2, 1), "a b -> a <= b";
    Gt             = 0x2C, None, Fixed(2, 1), "a b -> a > b";
    Ge             = 0x2D, None, Fixed(2, 1), "a b -> a >= b";
    Jump           = 0x30, U16,  Fixed(0, 0), "pc = target";
    PopJumpIfFalse = 0x31, U16,  Fixed(1, 0), "a -> ; if not a: pc = target";
    PopJumpIfTrue  = 0x32, U16,  Fixed(1, 0), "a -> ; if a: pc = target";
    JumpIfFalseOrPop = 0x33, U16, Fixed(1, 0), "a -> a (and jump) if not a, else a ->";
    JumpIfTrueOrPop  = 0x34, U16, Fixed(1, 0), "a -> a (and jump) if a, else a ->";
    ForIter        = 0x35, U16,  Fixed(1, 2), "it -> it next(it); exhausted: it -> and jump";
    Call           = 0x38, U8,   Effect::Call, "f a1..an -> f(a1..an); n = operand";
    Print          = 0x39, U16,  Effect::Print, "a1..an [sep] [end] -> None; n = operand & 0xFF, PRINT_HAS_SEP/END";
    Return         = 0x3A, None, Fixed(1, 0), "a -> ; return a to the caller (from function 0: the launch's result)";
    CallKw         = 0x3B, U8,   Effect::CallKw, "f a1..an names -> f(...); names: a Tuple const of the last len(names) arguments' keywords";
    CallMethod     = 0x3C, U16,  Effect::CallMethod, "obj a1..an -> obj.m(a1..an); operand = m | n << 8 (natives::METHODS)";
    MakeFunction   = 0x3D, U16,  Fixed(1, 1), "defaults -> function k; defaults: a tuple of N_DEFAULTS values, or None when it has none";
    LoadSubscr     = 0x40, None, Fixed(2, 1), "a i -> a[i]";
    StoreSubscr    = 0x41, None, Fixed(3, 0), "v a i -> ; a[i] = v";
    LoadSlice      = 0x42, None, Fixed(3, 1), "a lo hi -> a[lo:hi] (None for an omitted bound)";
    LoadSliceStep  = 0x43, None, Fixed(4, 1), "a lo hi step -> a[lo:hi:step]";
    BuildList      = 0x44, U16,  Effect::Build, "a1..an -> [a1..an]";
    BuildTuple     = 0x45, U16,  Effect::Build, "a1..an -> (a1..an)";
    UnpackSequence = 0x46, U16,  Effect::Unpack, "seq -> sn..s1 (s1 on top); ValueError unless len(seq) == n";
    ListAppend     = 0x47, U8,   Fixed(1, 0), "list x1..xk v -> list x1..xk; list.append(v), list k deep below v";
    GetIter        = 0x48, None, Fixed(1, 1), "a -> iter(a)";
    // Closures (version 4). A cell is a 1-tuple the VM updates in place; a
    // local slot holding one is read and written through it. A function's
    // free variables take the slots after its parameters, filled from its
    // closure when it is called.
    MakeCell       = 0x2E, U16,  Fixed(0, 0), "locals[k] = cell(locals[k]) (an unbound local gives an empty cell)";
    LoadDeref      = 0x2F, U16,  Fixed(0, 1), "-> the value in the cell locals[k & 0x7FFF]; unbound: UnboundLocalError, or NameError when k & DEREF_FREE";
    StoreDeref     = 0x36, U16,  Fixed(1, 0), "a -> ; the cell locals[k] holds a";
    MakeClosure    = 0x37, U16,  Fixed(2, 1), "defaults cells -> function k with its free variables' cells (a tuple, in slot order)";
    // The ePython dialect's `/` and `%` (version 5): the compiler emits them
    // in that dialect only; on other operands each is its Python operator
    // (`Op::python`). Its `+` is `Add` with `flags::STR_PLUS_NUMBER`.
    DivTrunc       = 0x49, None, Fixed(2, 1), "a b -> a / b; two ints: C's quotient, truncated toward zero (7/2 = 3)";
    ModTrunc       = 0x4A, None, Fixed(2, 1), "a b -> a % b; two ints: C's remainder, with a's sign (-7%3 = -1)";
}

impl Op {
    /// Whether this is one of the ePython dialect's operators.
    pub const fn is_dialect(self) -> bool {
        matches!(self, Op::DivTrunc | Op::ModTrunc)
    }

    /// The Python operator a dialect operator is on the operands it does
    /// not treat its own way (itself for every other opcode).
    pub const fn python(self) -> Op {
        match self {
            Op::DivTrunc => Op::TrueDiv,
            Op::ModTrunc => Op::Mod,
            other => other,
        }
    }
}

/// `LoadDeref` operand bit: the slot is a free variable (its cell belongs to
/// an enclosing function), which changes the error for an empty cell.
pub const DEREF_FREE: u16 = 0x8000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_opcode_decodes_to_itself_and_codes_are_unique() {
        for op in Op::ALL {
            assert_eq!(Op::from_u8(*op as u8), Some(*op), "{}", op.name());
        }
        let decoded = (0..=255u8).filter(|b| Op::from_u8(*b).is_some()).count();
        assert_eq!(decoded, Op::ALL.len());
    }

    #[test]
    fn decode_agrees_with_from_u8_and_len() {
        for b in 0..=255u8 {
            let want = Op::from_u8(b).map(|op| (op, op.len() as u32));
            assert_eq!(Op::decode(b), want, "byte {b:#x}");
            assert_eq!(Op::len_of(b), want.map_or(0, |(_, len)| len), "byte {b:#x}");
        }
        assert_eq!(opcode::GetIter, Op::GetIter as u8);
    }

    #[test]
    fn dialect_operators_stand_for_python_ones() {
        for op in Op::ALL {
            assert_eq!(op.is_dialect(), op.python() != *op, "{}", op.name());
            assert!(!op.python().is_dialect());
            assert_eq!(op.python().effect(), op.effect());
        }
    }

    #[test]
    fn line_entries_pack_pc_and_line() {
        let e = line_entry(0x1234, 999);
        assert_eq!((line_entry_pc(e), line_entry_line(e)), (0x1234, 999));
    }
}

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
pub const BYTECODE_VERSION: u32 = 1;

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
    pub const RESERVED0: usize = 14;
    pub const RESERVED1: usize = 15;
}
pub const HEADER_WORDS: usize = 16;
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
}
pub const FUNCTION_WORDS: usize = 8;

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

/// How an instruction moves the operand stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Pops `.0`, then pushes `.1`.
    Fixed(u8, u8),
    /// `Call argc`: pops argc + 1, pushes 1.
    Call,
    /// `Print flags`: pops (flags & 0xFF) + sep? + end?, pushes 1 (None).
    Print,
}

/// `Print` operand bits above the count.
pub const PRINT_HAS_SEP: u16 = 1 << 8;
pub const PRINT_HAS_END: u16 = 1 << 9;

macro_rules! opcodes {
    ($( $name:ident = $code:literal, $operand:ident, $effect:expr, $doc:literal; )*) => {
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

            pub const fn from_u8(byte: u8) -> Option<Op> {
                match byte {
                    $( $code => Some(Op::$name), )*
                    _ => None,
                }
            }
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
            pub const fn len(self) -> usize {
                1 + self.operand().size()
            }
        }
    };
}

use Effect::Fixed;

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
    LoadModuleAttr = 0x0E, U16,  Fixed(1, 1), "module -> natives[k]; TypeError unless module is natives[k]'s module";
    Neg            = 0x10, None, Fixed(1, 1), "a -> -a";
    Pos            = 0x11, None, Fixed(1, 1), "a -> +a";
    Not            = 0x12, None, Fixed(1, 1), "a -> not a";
    Invert         = 0x13, None, Fixed(1, 1), "a -> ~a";
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
    Eq             = 0x28, None, Fixed(2, 1), "a b -> a == b";
    Ne             = 0x29, None, Fixed(2, 1), "a b -> a != b";
    Lt             = 0x2A, None, Fixed(2, 1), "a b -> a < b";
    Le             = 0x2B, None, Fixed(2, 1), "a b -> a <= b";
    Gt             = 0x2C, None, Fixed(2, 1), "a b -> a > b";
    Ge             = 0x2D, None, Fixed(2, 1), "a b -> a >= b";
    Jump           = 0x30, U16,  Fixed(0, 0), "pc = target";
    PopJumpIfFalse = 0x31, U16,  Fixed(1, 0), "a -> ; if not a: pc = target";
    PopJumpIfTrue  = 0x32, U16,  Fixed(1, 0), "a -> ; if a: pc = target";
    JumpIfFalseOrPop = 0x33, U16, Fixed(1, 1), "a -> a (and jump) if not a, else a ->";
    JumpIfTrueOrPop  = 0x34, U16, Fixed(1, 1), "a -> a (and jump) if a, else a ->";
    Call           = 0x38, U8,   Effect::Call, "f a1..an -> f(a1..an); n = operand";
    Print          = 0x39, U16,  Effect::Print, "a1..an [sep] [end] -> None; n = operand & 0xFF, PRINT_HAS_SEP/END";
    Return         = 0x3A, None, Fixed(1, 0), "a -> ; return a to the caller (from function 0: the launch's result)";
}

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
    fn line_entries_pack_pc_and_line() {
        let e = line_entry(0x1234, 999);
        assert_eq!((line_entry_pc(e), line_entry_line(e)), (0x1234, 999));
    }
}

//! Compile errors. Every error points at a token: `FILE:LINE:COL: Kind: message`,
//! with 1-based line and column (columns count characters).

use std::fmt;

/// The Python exception a compile error corresponds to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    SyntaxError,
    /// An integer or float literal that does not fit the device's 32-bit values.
    OverflowError,
}

impl ErrorKind {
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::SyntaxError => "SyntaxError",
            ErrorKind::OverflowError => "OverflowError",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    pub file: String,
    pub line: u32,
    pub col: u32,
    pub kind: ErrorKind,
    pub message: String,
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}: {}", self.file, self.line, self.col, self.kind.name(), self.message)
    }
}

impl std::error::Error for CompileError {}

/// A position in the source: 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

/// An error before the file name is attached (the stages don't carry it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub pos: Pos,
    pub kind: ErrorKind,
    pub message: String,
}

impl Located {
    pub fn into_error(self, file: &str) -> CompileError {
        CompileError { file: file.to_string(), line: self.pos.line, col: self.pos.col, kind: self.kind, message: self.message }
    }
}

/// A SyntaxError at `pos`.
pub fn syntax(pos: Pos, message: impl Into<String>) -> Located {
    Located { pos, kind: ErrorKind::SyntaxError, message: message.into() }
}

/// An OverflowError at `pos`.
pub fn overflow(pos: Pos, message: impl Into<String>) -> Located {
    Located { pos, kind: ErrorKind::OverflowError, message: message.into() }
}

pub type Result<T> = std::result::Result<T, Located>;

/// Why an image cannot be disassembled.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DisasmError {
    #[error("not a bytecode image: {0}")]
    NotAnImage(&'static str),
    #[error("bytecode version {found} (this disassembler reads version {expected})")]
    Version { found: u32, expected: u32 },
    #[error("malformed image: {0}")]
    Malformed(String),
}

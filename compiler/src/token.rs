//! The tokens the lexer hands to the parser.

use crate::error::Pos;

#[derive(Clone, Debug, PartialEq)]
pub enum TokenKind {
    /// An identifier that is not a keyword.
    Name(String),
    /// A keyword, spelled as in [`KEYWORDS`].
    Keyword(&'static str),
    /// An integer literal; `None` when it does not even fit in a u128.
    Int(Option<u128>),
    /// A float literal, as parsed (correctly rounded) to f32.
    Float(f32),
    /// A string literal after escape processing.
    Str(String),
    /// An operator or delimiter, spelled as in [`OPERATORS`].
    Op(&'static str),
    Newline,
    Indent,
    Dedent,
    EndOfFile,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    pub pos: Pos,
}

pub const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
    "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or",
    "pass", "raise", "return", "try", "while", "with", "yield",
];

/// Longest first, so the lexer can take the first that matches.
pub const OPERATORS: &[&str] = &[
    "**=", "//=", ">>=", "<<=", "...", "->", ":=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", "**", "//", "<<",
    ">>", "<=", ">=", "==", "!=", "+", "-", "*", "/", "%", "@", "&", "|", "^", "~", "<", ">", "(", ")", "[", "]", "{", "}",
    ",", ":", ";", ".", "=",
];

impl TokenKind {
    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match self {
            TokenKind::Name(n) => format!("name '{n}'"),
            TokenKind::Keyword(k) => format!("'{k}'"),
            TokenKind::Int(_) | TokenKind::Float(_) => "number".to_string(),
            TokenKind::Str(_) => "string".to_string(),
            TokenKind::Op(o) => format!("'{o}'"),
            TokenKind::Newline => "end of line".to_string(),
            TokenKind::Indent => "indent".to_string(),
            TokenKind::Dedent => "dedent".to_string(),
            TokenKind::EndOfFile => "end of file".to_string(),
        }
    }
}

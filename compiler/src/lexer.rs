//! Source text -> tokens. Python's rules: INDENT/DEDENT from a stack of
//! indentation widths, implicit line joining inside brackets, backslash
//! continuation, comments, and a final NEWLINE plus DEDENTs at end of file.
//!
//! Also ePython's `/* ... */` comments, in both dialects (never valid Python
//! 3: `/` followed by `*` cannot start an operand). As in C and ePython they
//! do not nest, and one is whitespace: the newlines inside it do not end the
//! statement. Where a `#` comment may stand, so may one: at the end of a
//! line, on lines of their own (a comment block, as every ePython example
//! opens with), or between tokens. A line that starts with a comment and
//! has code after it keeps the indentation in front of the comment.
//!
//! In the ePython dialect names are folded to lower case
//! ([`Dialect::fold`]), keywords and `True`/`False`/`None` included.

use crate::dialect::Dialect;
use crate::error::{Pos, Result, overflow, syntax};
use crate::token::{KEYWORDS, OPERATORS, Token, TokenKind};

/// CPython's limits; they also keep the recursive parser's depth bounded.
const MAX_INDENT_LEVELS: usize = 100;
const MAX_BRACKET_DEPTH: usize = 200;

pub fn tokenize(source: &str) -> Result<Vec<Token>> {
    tokenize_from(source, 1)
}

/// Like [`tokenize`], with the source's first line numbered `first_line`
/// (a kernel cut out of a bigger file keeps that file's line numbers).
pub fn tokenize_from(source: &str, first_line: u32) -> Result<Vec<Token>> {
    tokenize_with(source, first_line, Dialect::Python3)
}

/// Like [`tokenize_from`], in `dialect`.
pub fn tokenize_with(source: &str, first_line: u32, dialect: Dialect) -> Result<Vec<Token>> {
    // One newline convention, and no byte-order mark, before counting columns.
    let text = source.strip_prefix('\u{feff}').unwrap_or(source).replace("\r\n", "\n").replace('\r', "\n");
    // Anywhere, in a comment or a string too, as CPython refuses it.
    if let Some(at) = text.find('\0') {
        let before = &text[..at];
        let line = first_line.max(1) + before.matches('\n').count() as u32;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
        return Err(syntax(Pos { line, col }, "source code cannot contain null bytes"));
    }
    let mut lexer = Lexer {
        chars: text.chars().collect(),
        i: 0,
        line: first_line.max(1),
        col: 1,
        tokens: Vec::new(),
        // Each level as (width with tabs to multiples of 8, width with tabs as 1):
        // a line whose order differs under the two is ambiguous (CPython's TabError).
        indents: vec![(0, 0)],
        brackets: Vec::new(),
        dialect,
    };
    lexer.run()?;
    Ok(lexer.tokens)
}

struct Lexer {
    chars: Vec<char>,
    i: usize,
    line: u32,
    col: u32,
    tokens: Vec<Token>,
    indents: Vec<(u32, u32)>,
    brackets: Vec<(char, Pos)>,
    dialect: Dialect,
}

/// Whether an error message may show `c` itself (CPython's
/// `str.isprintable`, near enough: not a control, space or format character).
fn is_printable(c: char) -> bool {
    !(c.is_control()
        || c.is_whitespace()
        || matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}'))
}

fn is_name_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}
fn is_name_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

impl Lexer {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }
    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).copied()
    }
    fn pos(&self) -> Pos {
        Pos { line: self.line, col: self.col }
    }
    fn advance(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }
    fn push(&mut self, kind: TokenKind, pos: Pos) {
        self.tokens.push(Token { kind, pos });
    }

    fn run(&mut self) -> Result<()> {
        let mut at_line_start = true;
        loop {
            if at_line_start && self.brackets.is_empty() {
                if !self.indentation()? {
                    break;
                }
                at_line_start = false;
            }
            let Some(c) = self.peek() else { break };
            let pos = self.pos();
            match c {
                ' ' | '\t' | '\x0c' => {
                    self.advance();
                }
                '#' => self.skip_comment(),
                '/' if self.peek_at(1) == Some('*') => self.skip_block_comment()?,
                '*' if self.peek_at(1) == Some('/') => {
                    return Err(syntax(pos, "'*/' ends no comment (a '/* ... */' comment starts with '/*')"));
                }
                '\n' => {
                    self.advance();
                    if self.brackets.is_empty() {
                        self.push(TokenKind::Newline, pos);
                        at_line_start = true;
                    }
                }
                '\\' => {
                    self.advance();
                    match self.peek() {
                        Some('\n') => {
                            self.advance();
                        }
                        None => return Err(syntax(pos, "unexpected end of file after line continuation character")),
                        Some(_) => return Err(syntax(pos, "unexpected character after line continuation character")),
                    }
                }
                '\'' | '"' => self.string("", pos)?,
                c if c.is_ascii_digit() => self.number(pos)?,
                '.' if self.peek_at(1).is_some_and(|d| d.is_ascii_digit()) => self.number(pos)?,
                c if is_name_start(c) => self.name_or_prefixed_string(pos)?,
                _ => self.operator(c, pos)?,
            }
        }
        let end = self.pos();
        if let Some((open, at)) = self.brackets.first() {
            return Err(syntax(*at, format!("'{open}' was never closed")));
        }
        if self.tokens.last().is_some_and(|t| !matches!(t.kind, TokenKind::Newline | TokenKind::Dedent)) {
            self.push(TokenKind::Newline, end);
        }
        for _ in 1..self.indents.len() {
            self.push(TokenKind::Dedent, end);
        }
        self.push(TokenKind::EndOfFile, end);
        Ok(())
    }

    /// At the start of a line: skip blank and comment-only lines, then emit
    /// INDENT or DEDENTs. Returns false at end of file.
    fn indentation(&mut self) -> Result<bool> {
        loop {
            let (mut wide, mut narrow) = (0u32, 0u32);
            while let Some(c) = self.peek() {
                match c {
                    ' ' => {
                        wide += 1;
                        narrow += 1;
                    }
                    '\t' => {
                        wide = (wide / 8 + 1) * 8;
                        narrow += 1;
                    }
                    '\x0c' => {}
                    _ => break,
                }
                self.advance();
            }
            // A block comment in front of the line's code: skipped; the
            // line is blank if nothing but spaces or a `#` comment follows
            // it, else it keeps the indentation counted so far.
            let mut after_block_comment = false;
            while self.peek() == Some('/') && self.peek_at(1) == Some('*') {
                self.skip_block_comment()?;
                while matches!(self.peek(), Some(' ' | '\t' | '\x0c')) {
                    self.advance();
                }
                after_block_comment = true;
            }
            match self.peek() {
                None => return Ok(false),
                Some('#') => {
                    self.skip_comment();
                    continue;
                }
                Some('\n') => {
                    self.advance();
                    continue;
                }
                _ => {}
            }
            let pos = if after_block_comment { Pos { line: self.line, col: narrow + 1 } } else { self.pos() };
            let &(top_wide, top_narrow) = self.indents.last().expect("the base level is never popped");
            let inconsistent = || syntax(pos, "inconsistent use of tabs and spaces in indentation");
            if wide > top_wide {
                if narrow <= top_narrow {
                    return Err(inconsistent());
                }
                if self.indents.len() > MAX_INDENT_LEVELS {
                    return Err(syntax(pos, "too many levels of indentation"));
                }
                self.indents.push((wide, narrow));
                self.push(TokenKind::Indent, pos);
            } else {
                while self.indents.last().is_some_and(|&(w, _)| w > wide) {
                    self.indents.pop();
                    self.push(TokenKind::Dedent, pos);
                }
                let &(w, n) = self.indents.last().expect("the base level is never popped");
                if w != wide {
                    return Err(syntax(pos, "unindent does not match any outer indentation level"));
                }
                if n != narrow {
                    return Err(inconsistent());
                }
            }
            return Ok(true);
        }
    }

    fn skip_comment(&mut self) {
        while self.peek().is_some_and(|c| c != '\n') {
            self.advance();
        }
    }

    /// Skip a `/* ... */` comment (the cursor is at its `/`): up to the first
    /// `*/`, across lines. An unterminated one is an error at its start.
    fn skip_block_comment(&mut self) -> Result<()> {
        let start = self.pos();
        self.advance();
        self.advance();
        loop {
            match self.advance() {
                Some('*') if self.peek() == Some('/') => {
                    self.advance();
                    return Ok(());
                }
                Some(_) => {}
                None => {
                    return Err(syntax(
                        start,
                        format!("unterminated '/*' comment starting at line {} (no '*/' before the end of the file)", start.line),
                    ));
                }
            }
        }
    }

    fn operator(&mut self, c: char, pos: Pos) -> Result<()> {
        let Some(op) = OPERATORS.iter().copied().find(|op| op.chars().enumerate().all(|(k, oc)| self.peek_at(k) == Some(oc)))
        else {
            let what = if c == '!' {
                "invalid syntax ('!' is not an operator; use 'not')".to_string()
            } else if is_printable(c) {
                format!("invalid character '{c}' (U+{:04X})", c as u32)
            } else {
                format!("invalid non-printable character U+{:04X}", c as u32)
            };
            return Err(syntax(pos, what));
        };
        for _ in 0..op.chars().count() {
            self.advance();
        }
        match op {
            "(" | "[" | "{" => {
                if self.brackets.len() >= MAX_BRACKET_DEPTH {
                    return Err(syntax(pos, "too many nested parentheses"));
                }
                self.brackets.push((c, pos));
            }
            ")" | "]" | "}" => {
                let Some((open, at)) = self.brackets.pop() else {
                    return Err(syntax(pos, format!("unmatched '{c}'")));
                };
                let expected = match open {
                    '(' => ')',
                    '[' => ']',
                    _ => '}',
                };
                if c != expected {
                    let place = if at.line != pos.line { format!(" on line {}", at.line) } else { String::new() };
                    return Err(syntax(pos, format!("closing parenthesis '{c}' does not match opening parenthesis '{open}'{place}")));
                }
            }
            _ => {}
        }
        self.push(TokenKind::Op(op), pos);
        Ok(())
    }

    fn name_or_prefixed_string(&mut self, pos: Pos) -> Result<()> {
        let start = self.i;
        while self.peek().is_some_and(is_name_char) {
            self.advance();
        }
        let word: String = self.chars[start..self.i].iter().collect();
        if matches!(self.peek(), Some('\'' | '"')) {
            let lower = word.to_ascii_lowercase();
            if matches!(lower.as_str(), "r" | "u" | "b" | "br" | "rb" | "f" | "fr" | "rf") {
                return self.string(&lower, pos);
            }
        }
        let word = match self.dialect.fold(&word) {
            std::borrow::Cow::Owned(folded) => folded,
            std::borrow::Cow::Borrowed(_) => word,
        };
        let keyword = match self.dialect {
            // `true`, `TRUE` and `True` are all the constant.
            Dialect::Epython => KEYWORDS.iter().find(|k| k.eq_ignore_ascii_case(&word)),
            Dialect::Python3 => KEYWORDS.iter().find(|k| **k == word),
        };
        let kind = match keyword {
            Some(k) => TokenKind::Keyword(k),
            None => TokenKind::Name(word),
        };
        self.push(kind, pos);
        Ok(())
    }

    /// A string literal starting at the quote under the cursor; `prefix` is
    /// lower-case and already consumed.
    fn string(&mut self, prefix: &str, pos: Pos) -> Result<()> {
        if prefix.contains('b') {
            return Err(syntax(pos, "bytes literals are not supported on the device"));
        }
        if prefix.contains('f') {
            return Err(syntax(pos, "f-strings are not supported yet"));
        }
        let raw = prefix.contains('r');
        let quote = self.advance().expect("called at a quote");
        let triple = self.peek() == Some(quote) && self.peek_at(1) == Some(quote);
        if triple {
            self.advance();
            self.advance();
        }
        let mut text = String::new();
        loop {
            let here = self.pos();
            let unterminated = |line: u32| {
                let what = if triple { "unterminated triple-quoted string literal" } else { "unterminated string literal" };
                syntax(pos, format!("{what} (detected at line {line})"))
            };
            let Some(c) = self.advance() else { return Err(unterminated(here.line)) };
            match c {
                '\n' if !triple => return Err(unterminated(here.line)),
                c if c == quote => {
                    if !triple {
                        break;
                    }
                    if self.peek() == Some(quote) && self.peek_at(1) == Some(quote) {
                        self.advance();
                        self.advance();
                        break;
                    }
                    text.push(c);
                }
                '\\' if raw => {
                    // In a raw string a backslash stays, and it still escapes a quote.
                    text.push('\\');
                    match self.advance() {
                        Some(next) => text.push(next),
                        None => return Err(unterminated(here.line)),
                    }
                }
                '\\' => self.escape(&mut text, here)?,
                c => text.push(c),
            }
        }
        self.push(TokenKind::Str(text), pos);
        Ok(())
    }

    /// The escape after a backslash at `at` (already consumed).
    fn escape(&mut self, text: &mut String, at: Pos) -> Result<()> {
        let Some(e) = self.advance() else { return Ok(()) };
        let simple = match e {
            '\n' => return Ok(()),
            '\\' | '\'' | '"' => Some(e),
            'a' => Some('\x07'),
            'b' => Some('\x08'),
            'f' => Some('\x0c'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\x0b'),
            _ => None,
        };
        if let Some(c) = simple {
            text.push(c);
            return Ok(());
        }
        match e {
            '0'..='7' => {
                let mut value = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match self.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            value = value * 8 + d;
                            self.advance();
                        }
                        None => break,
                    }
                }
                text.push(char::from_u32(value).unwrap_or('\u{fffd}'));
            }
            'x' | 'u' | 'U' => {
                let digits = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let mut value = 0u32;
                for _ in 0..digits {
                    match self.peek().and_then(|d| d.to_digit(16)) {
                        Some(d) => {
                            value = value * 16 + d;
                            self.advance();
                        }
                        None => {
                            let form = match e {
                                'x' => "\\xXX",
                                'u' => "\\uXXXX",
                                _ => "\\UXXXXXXXX",
                            };
                            return Err(syntax(at, format!("truncated {form} escape")));
                        }
                    }
                }
                match char::from_u32(value) {
                    Some(c) => text.push(c),
                    None => return Err(syntax(at, format!("illegal Unicode character \\{e}{value:0digits$x} (not a code point the device can hold)"))),
                }
            }
            'N' => return Err(syntax(at, "\\N{...} escapes are not supported")),
            // Python keeps an unknown escape as it is (with a warning).
            _ => {
                text.push('\\');
                text.push(e);
            }
        }
        Ok(())
    }

    fn number(&mut self, pos: Pos) -> Result<()> {
        let radix = match (self.peek(), self.peek_at(1)) {
            (Some('0'), Some('x' | 'X')) => 16,
            (Some('0'), Some('o' | 'O')) => 8,
            (Some('0'), Some('b' | 'B')) => 2,
            _ => 10,
        };
        if radix != 10 {
            self.advance();
            self.advance();
            let digits = self.digits(radix, true, pos)?;
            if digits.is_empty() {
                return Err(syntax(pos, format!("invalid {} literal", radix_name(radix))));
            }
            self.no_name_after(pos, radix)?;
            self.push(TokenKind::Int(parse_int(&digits, radix)), pos);
            return Ok(());
        }
        let int_part = self.digits(10, false, pos)?;
        let mut is_float = false;
        let mut text = int_part.clone();
        if self.peek() == Some('.') {
            is_float = true;
            self.advance();
            text.push('.');
            if self.peek() == Some('_') {
                return Err(syntax(pos, "invalid decimal literal"));
            }
            text.push_str(&self.digits(10, false, pos)?);
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            let sign = self.peek_at(1);
            let has_sign = matches!(sign, Some('+' | '-'));
            let first_digit = if has_sign { self.peek_at(2) } else { sign };
            if first_digit.is_some_and(|d| d.is_ascii_digit()) {
                is_float = true;
                text.push('e');
                self.advance();
                if has_sign {
                    text.push(self.advance().unwrap_or('+'));
                }
                text.push_str(&self.digits(10, false, pos)?);
            }
        }
        if matches!(self.peek(), Some('j' | 'J')) {
            return Err(syntax(pos, "complex numbers are not supported on the device"));
        }
        self.no_name_after(pos, 10)?;
        if is_float {
            let value: f32 = text.parse().map_err(|_| syntax(pos, "invalid decimal literal"))?;
            if value.is_infinite() {
                return Err(overflow(pos, "float literal is out of range for a 32-bit float (floats on the device are single precision)"));
            }
            self.push(TokenKind::Float(value), pos);
        } else {
            if int_part.len() > 1 && int_part.starts_with('0') && int_part.chars().any(|d| d != '0') {
                return Err(syntax(
                    pos,
                    "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers",
                ));
            }
            self.push(TokenKind::Int(parse_int(&int_part, 10)), pos);
        }
        Ok(())
    }

    /// Digits of `radix` with single underscores between them (and, after a
    /// base prefix, one before the first). Returns the digits without underscores.
    fn digits(&mut self, radix: u32, underscore_first: bool, pos: Pos) -> Result<String> {
        let mut out = String::new();
        let mut last_underscore = false;
        while let Some(c) = self.peek() {
            if c == '_' {
                if last_underscore || (out.is_empty() && !underscore_first) {
                    return Err(syntax(pos, format!("invalid {} literal", radix_name(radix))));
                }
                last_underscore = true;
            } else if c.is_digit(radix) {
                out.push(c);
                last_underscore = false;
            } else {
                break;
            }
            self.advance();
        }
        if last_underscore {
            return Err(syntax(pos, format!("invalid {} literal", radix_name(radix))));
        }
        Ok(out)
    }

    /// `1abc` or `0x1g` is one bad literal, not a number followed by a name.
    fn no_name_after(&self, pos: Pos, radix: u32) -> Result<()> {
        if self.peek().is_some_and(is_name_char) {
            return Err(syntax(pos, format!("invalid {} literal", radix_name(radix))));
        }
        Ok(())
    }
}

fn radix_name(radix: u32) -> &'static str {
    match radix {
        16 => "hexadecimal",
        8 => "octal",
        2 => "binary",
        _ => "decimal",
    }
}

/// `None` if the value does not fit in a u128 (it is far too large anyway).
fn parse_int(digits: &str, radix: u32) -> Option<u128> {
    digits.chars().try_fold(0u128, |acc, d| acc.checked_mul(radix as u128)?.checked_add(d.to_digit(radix)? as u128))
}

#[cfg(test)]
mod tests {
    use super::*;
    use TokenKind::*;

    fn kinds(src: &str) -> Vec<TokenKind> {
        tokenize(src).unwrap().into_iter().map(|t| t.kind).collect()
    }
    fn name(s: &str) -> TokenKind {
        Name(s.to_string())
    }
    fn err(src: &str) -> (u32, u32, String) {
        let e = tokenize(src).unwrap_err();
        (e.pos.line, e.pos.col, e.message)
    }

    #[test]
    fn indentation_makes_indent_and_dedent() {
        let src = "if a:\n    b\n\n    # comment\n    if c:\n    \td\ne\n";
        assert_eq!(
            kinds(src),
            vec![
                Keyword("if"), name("a"), Op(":"), Newline,
                Indent, name("b"), Newline,
                Keyword("if"), name("c"), Op(":"), Newline,
                Indent, name("d"), Newline,
                Dedent, Dedent, name("e"), Newline, EndOfFile
            ]
        );
    }

    #[test]
    fn end_of_file_closes_the_line_and_the_blocks() {
        assert_eq!(kinds("while x:\n  y"), vec![Keyword("while"), name("x"), Op(":"), Newline, Indent, name("y"), Newline, Dedent, EndOfFile]);
        assert_eq!(kinds(""), vec![EndOfFile]);
        assert_eq!(kinds("\n\n# only a comment\n"), vec![EndOfFile]);
    }

    #[test]
    fn brackets_and_backslashes_join_lines() {
        assert_eq!(kinds("x = (1,\n  2)\n"), vec![name("x"), Op("="), Op("("), Int(Some(1)), Op(","), Int(Some(2)), Op(")"), Newline, EndOfFile]);
        assert_eq!(kinds("x = 1 + \\\n    2\n"), vec![name("x"), Op("="), Int(Some(1)), Op("+"), Int(Some(2)), Newline, EndOfFile]);
    }

    #[test]
    fn numbers() {
        assert_eq!(kinds("0x1F 0o17 0b101 1_000 0 00 0x_ff"), vec![
            Int(Some(31)), Int(Some(15)), Int(Some(5)), Int(Some(1000)), Int(Some(0)), Int(Some(0)), Int(Some(255)), Newline, EndOfFile
        ]);
        assert_eq!(kinds("1.5 .5 5. 1e3 2.5E-1 1_0.0_1"), vec![
            Float(1.5), Float(0.5), Float(5.0), Float(1000.0), Float(0.25), Float(10.01), Newline, EndOfFile
        ]);
        assert_eq!(kinds("0.1"), vec![Float(0.1f32), Newline, EndOfFile]);
        assert_eq!(kinds("99999999999999999999999999999999999999999"), vec![Int(None), Newline, EndOfFile]);
        assert_eq!(kinds("x.y 1 .real"), vec![name("x"), Op("."), name("y"), Int(Some(1)), Op("."), name("real"), Newline, EndOfFile]);
    }

    #[test]
    fn bad_numbers() {
        assert_eq!(err("x = 012"), (1, 5, "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers".into()));
        assert_eq!(err("x = 1__0").2, "invalid decimal literal");
        assert_eq!(err("x = 1_").2, "invalid decimal literal");
        assert_eq!(err("x = 0x").2, "invalid hexadecimal literal");
        assert_eq!(err("x = 0b102").2, "invalid binary literal");
        assert_eq!(err("x = 12abc").2, "invalid decimal literal");
        assert_eq!(err("x = 1j").2, "complex numbers are not supported on the device");
        let e = tokenize("y = 1e39").unwrap_err();
        assert_eq!((e.pos, e.kind), (Pos { line: 1, col: 5 }, crate::error::ErrorKind::OverflowError));
    }

    #[test]
    fn strings_and_escapes() {
        let s = |src: &str| match &kinds(src)[0] {
            Str(s) => s.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(s(r#"'a\tb\n'"#), "a\tb\n");
        assert_eq!(s(r#""q\"\'\\""#), "q\"'\\");
        assert_eq!(s(r#"'\x41\u00e9\U0001F600\0\101'"#), "Aé😀\0A");
        assert_eq!(s(r#"r'\n\''"#), "\\n\\'");
        assert_eq!(s("'''a\n'b'\"\"\"'''"), "a\n'b'\"\"\"");
        assert_eq!(s("\"\"\"x\"\"\""), "x");
        assert_eq!(s("'a\\\nb'"), "ab");
        assert_eq!(s(r#"'\d'"#), "\\d");
        assert_eq!(s("u'é'"), "é");
        assert_eq!(kinds("'a' \"b\""), vec![Str("a".into()), Str("b".into()), Newline, EndOfFile]);
    }

    #[test]
    fn bad_strings() {
        assert_eq!(err("x = 'abc\ny = 1"), (1, 5, "unterminated string literal (detected at line 1)".into()));
        assert_eq!(err("x = '''abc\n\n"), (1, 5, "unterminated triple-quoted string literal (detected at line 3)".into()));
        assert_eq!(err("x = '\\x4'"), (1, 6, "truncated \\xXX escape".into()));
        assert_eq!(err("x = b'a'").2, "bytes literals are not supported on the device");
        assert_eq!(err("x = f'a'").2, "f-strings are not supported yet");
    }

    #[test]
    fn bad_tokens_and_brackets() {
        assert_eq!(err("x = 1 $ 2"), (1, 7, "invalid character '$' (U+0024)".into()));
        assert_eq!(err("x = (1,\n 2"), (1, 5, "'(' was never closed".into()));
        assert_eq!(err("x = 1)"), (1, 6, "unmatched ')'".into()));
        assert_eq!(err("x = [1,\n 2)"), (2, 3, "closing parenthesis ')' does not match opening parenthesis '[' on line 1".into()));
        assert_eq!(err("x = 1 \\ 2"), (1, 7, "unexpected character after line continuation character".into()));
    }

    #[test]
    fn bad_indentation() {
        assert_eq!(err("if a:\n    b\n  c\n"), (3, 3, "unindent does not match any outer indentation level".into()));
        assert_eq!(err("if a:\n        b\n\tc\n"), (3, 2, "inconsistent use of tabs and spaces in indentation".into()));
    }

    fn kinds_in(src: &str, dialect: Dialect) -> Vec<TokenKind> {
        tokenize_with(src, 1, dialect).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn block_comments_are_whitespace_in_both_dialects() {
        let header = "/* a header\n   with # and 'quotes' and /* inside */\nx = 1 /* end */\n";
        for dialect in Dialect::ALL {
            assert_eq!(kinds_in(header, dialect), vec![name("x"), Op("="), Int(Some(1)), Newline, EndOfFile]);
        }
        // Between tokens, across lines: the statement goes on.
        assert_eq!(kinds("x = 1 + /* two\n lines */ 2\n"), vec![name("x"), Op("="), Int(Some(1)), Op("+"), Int(Some(2)), Newline, EndOfFile]);
        // A comment before code on its line: the indentation in front of it counts.
        assert_eq!(
            kinds("if a:\n    /* c */ b\n  /* only a comment */\n    c\n"),
            vec![Keyword("if"), name("a"), Op(":"), Newline, Indent, name("b"), Newline, name("c"), Newline, Dedent, EndOfFile]
        );
        // No nesting: the first */ ends it; what follows is code.
        assert_eq!(kinds("/* a /* b */ x"), vec![name("x"), Newline, EndOfFile]);
        // Inside strings and # comments, /* and */ are text.
        assert_eq!(kinds("s = '/* x */' # /* y\n"), vec![name("s"), Op("="), Str("/* x */".into()), Newline, EndOfFile]);
        assert_eq!(kinds("a // b"), vec![name("a"), Op("//"), name("b"), Newline, EndOfFile]);
    }

    #[test]
    fn block_comments_keep_line_numbers() {
        let toks = tokenize("/*\n\n*/\nx = (1 /*\n*/ +\n 2)\ny\n").unwrap();
        let at = |k: &TokenKind| toks.iter().find(|t| &t.kind == k).map(|t| (t.pos.line, t.pos.col));
        assert_eq!(at(&name("x")), Some((4, 1)));
        assert_eq!(at(&Op("+")), Some((5, 4)));
        assert_eq!(at(&Int(Some(2))), Some((6, 2)));
        assert_eq!(at(&name("y")), Some((7, 1)));
        // A later error names its own line.
        assert_eq!(err("/* one\ntwo */\nx = $").0, 3);
    }

    #[test]
    fn bad_block_comments() {
        assert_eq!(
            err("x = 1\n  /* never\nclosed\n"),
            (2, 3, "unterminated '/*' comment starting at line 2 (no '*/' before the end of the file)".into())
        );
        // Unterminated, with another comment closed before it.
        assert_eq!(err("/* a */\n/* b /* c\n").0, 2);
        assert_eq!(err("x = 2 */ 3"), (1, 7, "'*/' ends no comment (a '/* ... */' comment starts with '/*')".into()));
    }

    #[test]
    fn epython_names_are_case_insensitive() {
        assert_eq!(
            kinds_in("IF True: PRINT numCores(), TRUE, false, NONE, Xs.APPEND", Dialect::Epython),
            vec![
                Keyword("if"), Keyword("True"), Op(":"), name("print"), name("numcores"), Op("("), Op(")"), Op(","),
                Keyword("True"), Op(","), Keyword("False"), Op(","), Keyword("None"), Op(","), name("xs"), Op("."),
                name("append"), Newline, EndOfFile
            ]
        );
        // Strings keep their case; so do their prefixes' meanings.
        assert_eq!(kinds_in("R'\\N' 'AbC'", Dialect::Epython), vec![Str("\\N".into()), Str("AbC".into()), Newline, EndOfFile]);
        // Python 3 is case-sensitive.
        assert_eq!(kinds_in("TRUE If", Dialect::Python3), vec![name("TRUE"), name("If"), Newline, EndOfFile]);
    }

    #[test]
    fn positions_are_one_based_columns() {
        let toks = tokenize("a = 'é' + b\n  \n").unwrap();
        let cols: Vec<(u32, u32)> = toks.iter().map(|t| (t.pos.line, t.pos.col)).collect();
        assert_eq!(cols, vec![(1, 1), (1, 3), (1, 5), (1, 9), (1, 11), (1, 12), (3, 1)]);
    }
}

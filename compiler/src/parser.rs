//! Tokens -> syntax tree, by recursive descent over Python's grammar.
//!
//! Constructs that will never run on the device (classes, exception
//! handling, generators, dicts/sets, ...) are rejected here by name; the rest
//! of the grammar parses even where codegen cannot run it yet.

use crate::ast::*;
use crate::dialect::Dialect;
use crate::error::{Located, Pos, Result, syntax};
use crate::token::{Token, TokenKind};

/// Limits that keep the recursive parser, codegen and the tree's drop off
/// the end of the Rust stack on hostile input (lib.rs runs them on a thread
/// with a known stack). `MAX_DEPTH` bounds parser recursion (brackets,
/// unary operators); `MAX_TREE_DEPTH` bounds the depth of the tree, which
/// long operator chains (`a+b+...`, `f()()`, elif chains) grow without recursion.
const MAX_DEPTH: usize = 100;
const MAX_TREE_DEPTH: usize = 3000;

pub fn parse(tokens: Vec<Token>) -> Result<Vec<Stmt>> {
    parse_with(tokens, Dialect::Python3)
}

/// Parse in `dialect`: in ePython's, `^` is power (`**`'s precedence and
/// right associativity) and `^=` its augmented form; there is no xor.
pub fn parse_with(tokens: Vec<Token>, dialect: Dialect) -> Result<Vec<Stmt>> {
    let mut parser = Parser { tokens, i: 0, depth: 0, tree_depth: 0, dialect };
    parser.file()
}

struct Parser {
    tokens: Vec<Token>,
    i: usize,
    depth: usize,
    tree_depth: usize,
    dialect: Dialect,
}

/// The message for a statement keyword the device will never run.
fn not_on_device(keyword: &str) -> Option<&'static str> {
    Some(match keyword {
        "class" => "'class' is not supported on the device (no classes)",
        "try" | "except" | "finally" => "'try' is not supported on the device (no exception handling)",
        "raise" => "'raise' is not supported on the device (no exception handling)",
        "with" => "'with' is not supported on the device",
        "yield" => "'yield' is not supported on the device (no generators)",
        "async" => "'async' is not supported on the device",
        "await" => "'await' is not supported on the device",
        _ => return None,
    })
}

impl Parser {
    // ---- token access ----

    fn tok(&self) -> &Token {
        // The lexer always ends with EndOfFile, and nothing advances past it.
        &self.tokens[self.i.min(self.tokens.len() - 1)]
    }
    fn peek(&self) -> &TokenKind {
        &self.tok().kind
    }
    fn peek_at(&self, ahead: usize) -> &TokenKind {
        &self.tokens[(self.i + ahead).min(self.tokens.len() - 1)].kind
    }
    fn pos(&self) -> Pos {
        self.tok().pos
    }
    fn advance(&mut self) -> Token {
        let t = self.tok().clone();
        if self.i < self.tokens.len() - 1 {
            self.i += 1;
        }
        t
    }
    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), TokenKind::Op(o) if *o == op)
    }
    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), TokenKind::Keyword(k) if *k == kw)
    }
    fn eat_op(&mut self, op: &str) -> bool {
        let yes = self.is_op(op);
        if yes {
            self.advance();
        }
        yes
    }
    fn eat_kw(&mut self, kw: &str) -> bool {
        let yes = self.is_kw(kw);
        if yes {
            self.advance();
        }
        yes
    }
    fn expect_op(&mut self, op: &str) -> Result<Pos> {
        if self.is_op(op) {
            return Ok(self.advance().pos);
        }
        Err(self.expected(&format!("'{op}'")))
    }
    fn expect_name(&mut self) -> Result<(String, Pos)> {
        match self.peek().clone() {
            TokenKind::Name(n) => Ok((n, self.advance().pos)),
            _ => Err(self.expected("a name")),
        }
    }
    fn expected(&self, what: &str) -> Located {
        match self.peek() {
            TokenKind::Keyword(k) if not_on_device(k).is_some() => self.unexpected(),
            TokenKind::Indent | TokenKind::Op(":=") => self.unexpected(),
            found => syntax(self.pos(), format!("expected {what}, found {}", found.describe())),
        }
    }
    /// The error for a token that cannot appear here.
    fn unexpected(&self) -> Located {
        let pos = self.pos();
        match self.peek() {
            TokenKind::Indent => syntax(pos, "unexpected indent"),
            TokenKind::EndOfFile => syntax(pos, "unexpected end of file"),
            TokenKind::Keyword(k) if not_on_device(k).is_some() => syntax(pos, not_on_device(k).unwrap_or_default()),
            TokenKind::Op("{") => syntax(pos, "dict and set displays are not supported on the device"),
            TokenKind::Op("@") => syntax(pos, "decorators and '@' are not supported on the device"),
            TokenKind::Op("...") => syntax(pos, "'...' (Ellipsis) is not supported on the device"),
            TokenKind::Op(":=") => syntax(pos, "':=' (assignment expressions) is not supported on the device"),
            // An expression cut off by the end of the line: CPython's own words.
            TokenKind::Newline => syntax(pos, "invalid syntax"),
            found => syntax(pos, format!("invalid syntax (unexpected {})", found.describe())),
        }
    }
    fn at_statement_end(&self) -> bool {
        matches!(self.peek(), TokenKind::Newline | TokenKind::EndOfFile) || self.is_op(";")
    }
    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(syntax(self.pos(), "expression too deeply nested"));
        }
        self.grow()
    }
    fn leave(&mut self) {
        self.depth -= 1;
        self.shrink(1);
    }
    /// One more level of tree below the current node.
    fn grow(&mut self) -> Result<()> {
        self.tree_depth += 1;
        if self.tree_depth > MAX_TREE_DEPTH {
            return Err(syntax(self.pos(), "expression or statement too deeply nested"));
        }
        Ok(())
    }
    fn shrink(&mut self, levels: usize) {
        self.tree_depth -= levels;
    }

    /// Whether the current token can begin an expression.
    fn starts_expression(&self) -> bool {
        match self.peek() {
            TokenKind::Name(_) | TokenKind::Int(_) | TokenKind::Float(_) | TokenKind::Str(_) => true,
            TokenKind::Keyword(k) => matches!(*k, "not" | "lambda" | "None" | "True" | "False" | "await" | "yield"),
            TokenKind::Op(o) => matches!(*o, "(" | "[" | "{" | "-" | "+" | "~" | "*" | "..."),
            _ => false,
        }
    }

    // ---- statements ----

    fn file(&mut self) -> Result<Vec<Stmt>> {
        let mut body = Vec::new();
        loop {
            match self.peek() {
                TokenKind::EndOfFile => return Ok(body),
                TokenKind::Newline => {
                    self.advance();
                }
                _ => self.statement(&mut body)?,
            }
        }
    }

    /// One statement line (or compound statement) appended to `out`.
    fn statement(&mut self, out: &mut Vec<Stmt>) -> Result<()> {
        let pos = self.pos();
        let stmt = match self.peek().clone() {
            TokenKind::Keyword("if") => self.if_statement()?,
            TokenKind::Keyword("while") => {
                self.advance();
                let cond = self.test()?;
                let body = self.block("while", pos)?;
                let orelse = self.else_block()?;
                StmtKind::While { cond, body, orelse }
            }
            TokenKind::Keyword("for") => {
                self.advance();
                let target = self.target_list()?;
                if !self.eat_kw("in") {
                    return Err(self.expected("'in'"));
                }
                let iter = self.testlist(false)?;
                let body = self.block("for", pos)?;
                let orelse = self.else_block()?;
                StmtKind::For { target, iter, body, orelse }
            }
            TokenKind::Keyword("def") => self.def_statement()?,
            TokenKind::Op("@") | TokenKind::Indent => return Err(self.unexpected()),
            _ => return self.simple_statements(out),
        };
        out.push(Stmt { pos, kind: stmt });
        Ok(())
    }

    fn if_statement(&mut self) -> Result<StmtKind> {
        // Collect the if/elif clauses first, then nest them from the end, so a
        // long elif chain costs no recursion.
        let mut clauses = Vec::new();
        loop {
            let pos = self.advance().pos; // 'if' or 'elif'
            self.grow()?;
            let cond = self.test()?;
            let body = self.block(if clauses.is_empty() { "if" } else { "elif" }, pos)?;
            clauses.push((pos, cond, body));
            if !self.is_kw("elif") {
                break;
            }
        }
        let orelse = self.else_block();
        self.shrink(clauses.len());
        let mut orelse = orelse?;
        while clauses.len() > 1 {
            let (pos, cond, body) = clauses.pop().expect("len > 1");
            orelse = vec![Stmt { pos, kind: StmtKind::If { cond, body, orelse } }];
        }
        let (_, cond, body) = clauses.pop().expect("one clause");
        Ok(StmtKind::If { cond, body, orelse })
    }

    fn else_block(&mut self) -> Result<Vec<Stmt>> {
        if self.is_kw("else") {
            let pos = self.advance().pos;
            return self.block("else", pos);
        }
        Ok(Vec::new())
    }

    /// `: simple_statements` or `: NEWLINE INDENT statements DEDENT`.
    fn block(&mut self, what: &str, header: Pos) -> Result<Vec<Stmt>> {
        self.expect_op(":")?;
        let mut body = Vec::new();
        if !matches!(self.peek(), TokenKind::Newline) {
            self.simple_statements(&mut body)?;
            return Ok(body);
        }
        self.advance();
        if !matches!(self.peek(), TokenKind::Indent) {
            return Err(syntax(self.pos(), format!("expected an indented block after '{what}' statement on line {}", header.line)));
        }
        self.advance();
        while !matches!(self.peek(), TokenKind::Dedent | TokenKind::EndOfFile) {
            self.statement(&mut body)?;
        }
        self.advance();
        Ok(body)
    }

    fn def_statement(&mut self) -> Result<StmtKind> {
        let def_pos = self.advance().pos;
        let (name, _) = self.expect_name()?;
        self.expect_op("(")?;
        let params = self.parameters(")")?;
        self.expect_op(")")?;
        if self.is_op("->") {
            return Err(syntax(self.pos(), "annotations are not supported on the device"));
        }
        let body = self.block("def", def_pos)?;
        Ok(StmtKind::Def { name, params, body })
    }

    /// Parameters of a def (up to `)`) or a lambda (up to `:`).
    fn parameters(&mut self, closing: &str) -> Result<Vec<Param>> {
        let mut params: Vec<Param> = Vec::new();
        let mut keyword_only = false;
        let mut seen_default = false;
        while !self.is_op(closing) {
            let pos = self.pos();
            let kind = if self.eat_op("**") {
                ParamKind::KwArgs
            } else if self.eat_op("*") {
                if self.is_op(",") || self.is_op(closing) {
                    keyword_only = true;
                    if !self.eat_op(",") {
                        return Err(syntax(pos, "named arguments must follow bare *"));
                    }
                    continue;
                }
                ParamKind::VarArgs
            } else if keyword_only {
                ParamKind::KeywordOnly
            } else {
                ParamKind::Normal
            };
            let (name, _) = self.expect_name()?;
            if self.is_op(":") && closing == ")" {
                return Err(syntax(self.pos(), "annotations are not supported on the device"));
            }
            if params.iter().any(|p| p.name == name) {
                return Err(syntax(pos, format!("duplicate argument '{name}' in function definition")));
            }
            let default = if matches!(kind, ParamKind::Normal | ParamKind::KeywordOnly) && self.eat_op("=") {
                Some(self.test()?)
            } else {
                None
            };
            if kind == ParamKind::Normal {
                if default.is_some() {
                    seen_default = true;
                } else if seen_default {
                    return Err(syntax(pos, "parameter without a default follows parameter with a default"));
                }
            }
            if kind == ParamKind::VarArgs {
                keyword_only = true;
            }
            let is_kwargs = kind == ParamKind::KwArgs;
            params.push(Param { pos, name, default, kind });
            if !self.eat_op(",") {
                break;
            }
            if is_kwargs && !self.is_op(closing) {
                return Err(syntax(self.pos(), "arguments cannot follow var-keyword argument"));
            }
        }
        Ok(params)
    }

    /// `small (';' small)* [';'] NEWLINE`
    fn simple_statements(&mut self, out: &mut Vec<Stmt>) -> Result<()> {
        loop {
            let pos = self.pos();
            let kind = self.small_statement()?;
            out.push(Stmt { pos, kind });
            if !self.eat_op(";") || matches!(self.peek(), TokenKind::Newline | TokenKind::EndOfFile) {
                break;
            }
        }
        match self.peek() {
            TokenKind::Newline => {
                self.advance();
                Ok(())
            }
            TokenKind::EndOfFile => Ok(()),
            _ => Err(self.unexpected()),
        }
    }

    fn small_statement(&mut self) -> Result<StmtKind> {
        let pos = self.pos();
        match self.peek().clone() {
            TokenKind::Keyword("pass") => {
                self.advance();
                Ok(StmtKind::Pass)
            }
            TokenKind::Keyword("break") => {
                self.advance();
                Ok(StmtKind::Break)
            }
            TokenKind::Keyword("continue") => {
                self.advance();
                Ok(StmtKind::Continue)
            }
            TokenKind::Keyword("return") => {
                self.advance();
                let value = if self.at_statement_end() { None } else { Some(self.testlist(true)?) };
                Ok(StmtKind::Return(value))
            }
            TokenKind::Keyword(k @ ("global" | "nonlocal")) => {
                self.advance();
                let mut names = vec![self.expect_name()?.0];
                while self.eat_op(",") {
                    names.push(self.expect_name()?.0);
                }
                Ok(if k == "global" { StmtKind::Global(names) } else { StmtKind::Nonlocal(names) })
            }
            TokenKind::Keyword("import") => {
                self.advance();
                let mut aliases = Vec::new();
                loop {
                    let pos = self.pos();
                    let name = self.dotted_name()?;
                    let as_name = if self.eat_kw("as") { Some(self.expect_name()?.0) } else { None };
                    aliases.push(Alias { pos, name, as_name });
                    if !self.eat_op(",") {
                        break;
                    }
                }
                Ok(StmtKind::Import(aliases))
            }
            TokenKind::Keyword("from") => self.import_from(),
            TokenKind::Keyword("del") => Err(syntax(pos, "'del' is not supported yet")),
            // No opcode raises an exception (AssertionError) on the device.
            TokenKind::Keyword("assert") => Err(syntax(pos, "'assert' is not supported on the device (no raising of exceptions)")),
            TokenKind::Name(n) if self.dialect == Dialect::Epython && (n == "dim" || n == "sdim") && self.dim_follows() => {
                self.dim_statement()
            }
            TokenKind::Name(n) if n == "print" && self.print_statement_follows() => {
                self.advance();
                if !self.starts_expression() {
                    // A bare `print` just names the builtin (Python 3): no effect.
                    if self.at_statement_end() {
                        return Ok(StmtKind::Pass);
                    }
                    return Err(self.unexpected());
                }
                let mut args = vec![self.test()?];
                let mut trailing_comma = false;
                while self.eat_op(",") {
                    if self.at_statement_end() {
                        trailing_comma = true;
                        break;
                    }
                    args.push(self.test()?);
                }
                Ok(StmtKind::Print { args, trailing_comma })
            }
            _ => self.expression_statement(),
        }
    }

    /// At `print`: does ePython's statement form follow (`print x`, `print -1`,
    /// `print [1]`), or a bare `print`? `print(...)`, `print = f` and the like
    /// stay ordinary Python 3 expressions. In the ePython dialect `print (a)/b`
    /// is the statement too (ePython's print takes one expression): a
    /// parenthesis after `print` whose match an operator follows.
    fn print_statement_follows(&self) -> bool {
        match self.peek_at(1) {
            TokenKind::Name(_) | TokenKind::Int(_) | TokenKind::Float(_) | TokenKind::Str(_)
            | TokenKind::Keyword("not" | "lambda" | "None" | "True" | "False")
            | TokenKind::Op("-" | "+" | "~" | "[" | ";")
            | TokenKind::Newline | TokenKind::EndOfFile => true,
            TokenKind::Op("(") if self.dialect == Dialect::Epython => {
                self.matching_bracket(self.i + 1).is_some_and(|close| continues_expression(self.peek_at(close + 1 - self.i)))
            }
            _ => false,
        }
    }

    /// The index of the token that closes the bracket at token `open`.
    fn matching_bracket(&self, open: usize) -> Option<usize> {
        let mut depth = 0usize;
        for (at, token) in self.tokens.iter().enumerate().skip(open) {
            match &token.kind {
                TokenKind::Op("(" | "[" | "{") => depth += 1,
                TokenKind::Op(")" | "]" | "}") => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(at);
                    }
                }
                TokenKind::Newline | TokenKind::EndOfFile => return None,
                _ => {}
            }
        }
        None
    }

    /// ePython's `dim NAME[size]` or `sdim NAME[size]` (an array in core or
    /// shared memory: both are an ordinary list here)?
    fn dim_follows(&self) -> bool {
        matches!(self.peek_at(1), TokenKind::Name(_)) && matches!(self.peek_at(2), TokenKind::Op("["))
    }

    /// `dim NAME[size]`: `NAME = [0] * (size)`, zero-filled as ePython's.
    fn dim_statement(&mut self) -> Result<StmtKind> {
        self.advance();
        let (name, pos) = self.expect_name()?;
        self.expect_op("[")?;
        let size = self.test()?;
        self.expect_op("]")?;
        if self.is_op("[") || self.is_op(",") {
            return Err(syntax(
                self.pos(),
                "dim with more than one dimension is not supported: use array(d1, d2, ...) from the array module",
            ));
        }
        let zero = Expr { pos, kind: ExprKind::List(vec![Expr { pos, kind: ExprKind::Int(0) }]) };
        let value = Expr { pos, kind: ExprKind::Binary(BinOp::Mul, Box::new(zero), Box::new(size)) };
        Ok(StmtKind::Assign { targets: vec![Expr { pos, kind: ExprKind::Name(name) }], value })
    }

    fn dotted_name(&mut self) -> Result<String> {
        if self.is_op(".") || self.is_op("...") {
            return Err(syntax(self.pos(), "relative imports are not supported on the device"));
        }
        let mut name = self.expect_name()?.0;
        while self.eat_op(".") {
            name.push('.');
            name.push_str(&self.expect_name()?.0);
        }
        Ok(name)
    }

    fn import_from(&mut self) -> Result<StmtKind> {
        self.advance();
        let module = self.dotted_name()?;
        if !self.eat_kw("import") {
            return Err(self.expected("'import'"));
        }
        if self.eat_op("*") {
            return Ok(StmtKind::ImportFrom { module, names: Vec::new() });
        }
        let parenthesized = self.eat_op("(");
        let mut names = Vec::new();
        loop {
            let (name, pos) = self.expect_name()?;
            let as_name = if self.eat_kw("as") { Some(self.expect_name()?.0) } else { None };
            names.push(Alias { pos, name, as_name });
            if !self.eat_op(",") {
                break;
            }
            if parenthesized && self.is_op(")") {
                break;
            }
        }
        if parenthesized {
            self.expect_op(")")?;
        }
        Ok(StmtKind::ImportFrom { module, names })
    }

    fn expression_statement(&mut self) -> Result<StmtKind> {
        let first = self.testlist(true)?;
        if self.is_op("=") {
            let mut exprs = vec![first];
            while self.eat_op("=") {
                exprs.push(self.testlist(true)?);
            }
            let value = exprs.pop().expect("at least two");
            for target in &exprs {
                check_target(target)?;
            }
            no_bare_star(&value)?;
            return Ok(StmtKind::Assign { targets: exprs, value });
        }
        if let TokenKind::Op(op) = self.peek()
            && let Some(bin) = augmented_op(op, self.dialect)
        {
            match &first.kind {
                ExprKind::Name(_) | ExprKind::Attribute(..) | ExprKind::Subscript(..) => {}
                ExprKind::Tuple(_) | ExprKind::List(_) => {
                    let what = if matches!(first.kind, ExprKind::Tuple(_)) { "tuple" } else { "list" };
                    return Err(syntax(first.pos, format!("'{what}' is an illegal expression for augmented assignment")));
                }
                _ => check_target(&first)?,
            }
            self.advance();
            let value = self.testlist(false)?;
            return Ok(StmtKind::AugAssign { target: first, op: bin, value });
        }
        if self.is_op(":") {
            return Err(syntax(self.pos(), "variable annotations are not supported on the device"));
        }
        no_bare_star(&first)?;
        Ok(StmtKind::Expr(first))
    }

    // ---- expressions ----

    /// `test (',' test)* [',']`: a tuple when there is a comma. `star` allows
    /// `*x` items (assignment targets, displays).
    fn testlist(&mut self, star: bool) -> Result<Expr> {
        let first = if star { self.test_or_star()? } else { self.test()? };
        if !self.is_op(",") {
            return Ok(first);
        }
        let pos = first.pos;
        let mut items = vec![first];
        while self.eat_op(",") {
            if !self.starts_expression() || self.is_kw("yield") {
                break;
            }
            items.push(if star { self.test_or_star()? } else { self.test()? });
        }
        Ok(Expr { pos, kind: ExprKind::Tuple(items) })
    }

    fn test_or_star(&mut self) -> Result<Expr> {
        if self.is_op("*") {
            let pos = self.advance().pos;
            let inner = self.bit_or()?;
            return Ok(Expr { pos, kind: ExprKind::Starred(Box::new(inner)) });
        }
        self.test()
    }

    /// Targets of `for` and comprehensions: stops before `in`.
    fn target_list(&mut self) -> Result<Expr> {
        let pos = self.pos();
        let mut items = vec![self.star_target()?];
        let mut tuple = false;
        while self.eat_op(",") {
            tuple = true;
            if self.is_kw("in") {
                break;
            }
            items.push(self.star_target()?);
        }
        let target = if tuple { Expr { pos, kind: ExprKind::Tuple(items) } } else { items.pop().expect("one") };
        check_target(&target)?;
        Ok(target)
    }

    fn star_target(&mut self) -> Result<Expr> {
        if self.is_op("*") {
            let pos = self.advance().pos;
            let inner = self.bit_or()?;
            return Ok(Expr { pos, kind: ExprKind::Starred(Box::new(inner)) });
        }
        self.bit_or()
    }

    pub fn test(&mut self) -> Result<Expr> {
        self.enter()?;
        let result = self.test_inner();
        self.leave();
        result
    }

    fn test_inner(&mut self) -> Result<Expr> {
        if self.is_kw("lambda") {
            let pos = self.advance().pos;
            let params = self.parameters(":")?;
            self.expect_op(":")?;
            let body = self.test()?;
            return Ok(Expr { pos, kind: ExprKind::Lambda { params, body: Box::new(body) } });
        }
        let value = self.or_test()?;
        if !self.is_kw("if") {
            return Ok(value);
        }
        self.advance();
        let cond = self.or_test()?;
        if !self.eat_kw("else") {
            return Err(self.expected("'else' in the conditional expression"));
        }
        let otherwise = self.test()?;
        Ok(Expr { pos: value.pos, kind: ExprKind::IfElse { cond: Box::new(cond), then: Box::new(value), otherwise: Box::new(otherwise) } })
    }

    fn or_test(&mut self) -> Result<Expr> {
        self.bool_chain("or", BoolOp::Or, Self::and_test)
    }
    fn and_test(&mut self) -> Result<Expr> {
        self.bool_chain("and", BoolOp::And, Self::not_test)
    }
    fn bool_chain(&mut self, kw: &str, op: BoolOp, operand: fn(&mut Self) -> Result<Expr>) -> Result<Expr> {
        let first = operand(self)?;
        if !self.is_kw(kw) {
            return Ok(first);
        }
        let pos = first.pos;
        let mut values = vec![first];
        while self.eat_kw(kw) {
            values.push(operand(self)?);
        }
        Ok(Expr { pos, kind: ExprKind::BoolOp(op, values) })
    }

    fn not_test(&mut self) -> Result<Expr> {
        if self.is_kw("not") {
            let pos = self.advance().pos;
            self.enter()?;
            let operand = self.not_test();
            self.leave();
            return Ok(Expr { pos, kind: ExprKind::Unary(UnaryOp::Not, Box::new(operand?)) });
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr> {
        let first = self.bit_or()?;
        let mut rest = Vec::new();
        loop {
            let op = match self.peek() {
                TokenKind::Op("==") => CmpOp::Eq,
                TokenKind::Op("!=") => CmpOp::Ne,
                TokenKind::Op("<") => CmpOp::Lt,
                TokenKind::Op("<=") => CmpOp::Le,
                TokenKind::Op(">") => CmpOp::Gt,
                TokenKind::Op(">=") => CmpOp::Ge,
                TokenKind::Keyword("in") => CmpOp::In,
                TokenKind::Keyword("not") if matches!(self.peek_at(1), TokenKind::Keyword("in")) => {
                    self.advance();
                    CmpOp::NotIn
                }
                TokenKind::Keyword("is") => {
                    if matches!(self.peek_at(1), TokenKind::Keyword("not")) {
                        self.advance();
                        CmpOp::IsNot
                    } else {
                        CmpOp::Is
                    }
                }
                _ => break,
            };
            self.advance();
            rest.push((op, self.bit_or()?));
        }
        if rest.is_empty() {
            return Ok(first);
        }
        Ok(Expr { pos: first.pos, kind: ExprKind::Compare(Box::new(first), rest) })
    }

    /// One left-associative level of binary operators.
    fn binary_level(&mut self, ops: &[(&str, BinOp)], operand: fn(&mut Self) -> Result<Expr>) -> Result<Expr> {
        let mut left = operand(self)?;
        let mut levels = 0;
        let result = loop {
            let Some(&(_, op)) = ops.iter().find(|(sym, _)| self.is_op(sym)) else { break Ok(left) };
            if let Err(e) = self.grow() {
                break Err(e);
            }
            levels += 1;
            self.advance();
            match operand(self) {
                Ok(right) => left = Expr { pos: left.pos, kind: ExprKind::Binary(op, Box::new(left), Box::new(right)) },
                Err(e) => break Err(e),
            }
        };
        self.shrink(levels);
        result
    }
    fn bit_or(&mut self) -> Result<Expr> {
        self.binary_level(&[("|", BinOp::BitOr)], Self::bit_xor)
    }
    fn bit_xor(&mut self) -> Result<Expr> {
        if self.dialect == Dialect::Epython {
            return self.bit_and();
        }
        self.binary_level(&[("^", BinOp::BitXor)], Self::bit_and)
    }
    fn bit_and(&mut self) -> Result<Expr> {
        self.binary_level(&[("&", BinOp::BitAnd)], Self::shift)
    }
    fn shift(&mut self) -> Result<Expr> {
        self.binary_level(&[("<<", BinOp::LShift), (">>", BinOp::RShift)], Self::arith)
    }
    fn arith(&mut self) -> Result<Expr> {
        self.binary_level(&[("+", BinOp::Add), ("-", BinOp::Sub)], Self::term)
    }
    fn term(&mut self) -> Result<Expr> {
        let ops = [("*", BinOp::Mul), ("/", BinOp::TrueDiv), ("//", BinOp::FloorDiv), ("%", BinOp::Mod)];
        let e = self.binary_level(&ops, Self::factor)?;
        if self.is_op("@") {
            return Err(syntax(self.pos(), "the '@' operator is not supported on the device"));
        }
        Ok(e)
    }

    fn factor(&mut self) -> Result<Expr> {
        let op = match self.peek() {
            TokenKind::Op("-") => UnaryOp::Neg,
            TokenKind::Op("+") => UnaryOp::Pos,
            TokenKind::Op("~") => UnaryOp::Invert,
            _ => return self.power(),
        };
        let pos = self.advance().pos;
        self.enter()?;
        let operand = self.factor();
        self.leave();
        let operand = operand?;
        // Fold `-literal` so that -2147483648 is a valid i32 literal.
        if let (UnaryOp::Neg, ExprKind::Int(v)) = (op, &operand.kind) {
            return Ok(Expr { pos, kind: ExprKind::Int(-v) });
        }
        Ok(Expr { pos, kind: ExprKind::Unary(op, Box::new(operand)) })
    }

    fn power(&mut self) -> Result<Expr> {
        if self.is_kw("await") {
            return Err(self.unexpected());
        }
        let base = self.primary()?;
        if !(self.eat_op("**") || (self.dialect == Dialect::Epython && self.eat_op("^"))) {
            return Ok(base);
        }
        self.enter()?;
        let exponent = self.factor();
        self.leave();
        Ok(Expr { pos: base.pos, kind: ExprKind::Binary(BinOp::Pow, Box::new(base), Box::new(exponent?)) })
    }

    fn primary(&mut self) -> Result<Expr> {
        let mut levels = 0;
        let result = self.trailers(&mut levels);
        self.shrink(levels);
        result
    }

    /// An atom and its trailers; `levels` counts the tree depth they add.
    fn trailers(&mut self, levels: &mut usize) -> Result<Expr> {
        let mut e = self.atom()?;
        loop {
            self.grow()?;
            *levels += 1;
            if self.eat_op("(") {
                let args = self.call_arguments()?;
                e = Expr { pos: e.pos, kind: ExprKind::Call { func: Box::new(e), args } };
            } else if self.eat_op("[") {
                let index = self.subscript()?;
                self.expect_op("]")?;
                e = Expr { pos: e.pos, kind: ExprKind::Subscript(Box::new(e), Box::new(index)) };
            } else if self.eat_op(".") {
                let (name, _) = self.expect_name()?;
                e = Expr { pos: e.pos, kind: ExprKind::Attribute(Box::new(e), name) };
            } else {
                return Ok(e);
            }
        }
    }

    /// After `(`: arguments up to and including `)`.
    fn call_arguments(&mut self) -> Result<Vec<Arg>> {
        let mut args: Vec<Arg> = Vec::new();
        while !self.is_op(")") {
            let pos = self.pos();
            let arg = if self.eat_op("**") {
                Arg::DoubleStar(self.test()?)
            } else if self.eat_op("*") {
                Arg::Star(self.test()?)
            } else if matches!(self.peek(), TokenKind::Name(_)) && matches!(self.peek_at(1), TokenKind::Op("=")) {
                let (name, _) = self.expect_name()?;
                self.advance();
                if args.iter().any(|a| matches!(a, Arg::Keyword(n, _) if *n == name)) {
                    return Err(syntax(pos, format!("keyword argument repeated: {name}")));
                }
                Arg::Keyword(name, self.test()?)
            } else {
                let value = self.test()?;
                if args.iter().any(|a| matches!(a, Arg::Keyword(..) | Arg::DoubleStar(_))) {
                    return Err(syntax(pos, "positional argument follows keyword argument"));
                }
                if self.is_kw("for") {
                    let clauses = self.comprehension_clauses()?;
                    if !args.is_empty() || !self.is_op(")") {
                        return Err(syntax(pos, "generator expression must be parenthesized"));
                    }
                    Arg::Positional(Expr { pos, kind: ExprKind::Generator { element: Box::new(value), clauses } })
                } else {
                    Arg::Positional(value)
                }
            };
            args.push(arg);
            if !self.eat_op(",") {
                break;
            }
        }
        self.expect_op(")")?;
        Ok(args)
    }

    /// Inside `[...]` after a primary: an index, a slice, or a tuple of them.
    fn subscript(&mut self) -> Result<Expr> {
        let first = self.slice_item()?;
        if !self.is_op(",") {
            return Ok(first);
        }
        let pos = first.pos;
        let mut items = vec![first];
        while self.eat_op(",") {
            if self.is_op("]") {
                break;
            }
            items.push(self.slice_item()?);
        }
        Ok(Expr { pos, kind: ExprKind::Tuple(items) })
    }

    fn slice_item(&mut self) -> Result<Expr> {
        let pos = self.pos();
        let lower = if self.is_op(":") { None } else { Some(self.test()?) };
        if !self.eat_op(":") {
            return lower.ok_or_else(|| self.unexpected());
        }
        let bound = |p: &mut Self| -> Result<Option<Box<Expr>>> {
            if p.is_op(":") || p.is_op("]") || p.is_op(",") { Ok(None) } else { Ok(Some(Box::new(p.test()?))) }
        };
        let upper = bound(self)?;
        let step = if self.eat_op(":") { bound(self)? } else { None };
        Ok(Expr { pos, kind: ExprKind::Slice(lower.map(Box::new), upper, step) })
    }

    fn comprehension_clauses(&mut self) -> Result<Vec<Comprehension>> {
        let mut clauses = Vec::new();
        while self.eat_kw("for") {
            let target = self.target_list()?;
            if !self.eat_kw("in") {
                return Err(self.expected("'in'"));
            }
            let iter = self.or_test()?;
            let mut conditions = Vec::new();
            while self.eat_kw("if") {
                conditions.push(self.or_test()?);
            }
            clauses.push(Comprehension { target, iter, conditions });
        }
        Ok(clauses)
    }

    fn atom(&mut self) -> Result<Expr> {
        let pos = self.pos();
        let kind = match self.peek().clone() {
            TokenKind::Int(v) => {
                self.advance();
                // Too large for an i128 is too large for an i32 as well.
                ExprKind::Int(v.and_then(|v| i128::try_from(v).ok()).unwrap_or(i128::MAX))
            }
            TokenKind::Float(v) => {
                self.advance();
                ExprKind::Float(v)
            }
            TokenKind::Str(_) => {
                // Adjacent literals are one string.
                let mut text = String::new();
                while let TokenKind::Str(s) = self.peek() {
                    text.push_str(s);
                    self.advance();
                }
                ExprKind::Str(text)
            }
            TokenKind::Name(n) => {
                self.advance();
                ExprKind::Name(n)
            }
            TokenKind::Keyword("None") => {
                self.advance();
                ExprKind::None
            }
            TokenKind::Keyword("True") => {
                self.advance();
                ExprKind::Bool(true)
            }
            TokenKind::Keyword("False") => {
                self.advance();
                ExprKind::Bool(false)
            }
            TokenKind::Op("(") => {
                self.advance();
                if self.eat_op(")") {
                    return Ok(Expr { pos, kind: ExprKind::Tuple(Vec::new()) });
                }
                if self.is_kw("yield") {
                    return Err(self.unexpected());
                }
                let first = self.test_or_star()?;
                if self.is_kw("for") {
                    let clauses = self.comprehension_clauses()?;
                    self.expect_op(")")?;
                    return Ok(Expr { pos, kind: ExprKind::Generator { element: Box::new(first), clauses } });
                }
                if !self.is_op(",") {
                    self.expect_op(")")?;
                    if matches!(first.kind, ExprKind::Starred(_)) {
                        return Err(syntax(first.pos, "cannot use starred expression here"));
                    }
                    return Ok(first);
                }
                let mut items = vec![first];
                while self.eat_op(",") {
                    if self.is_op(")") {
                        break;
                    }
                    items.push(self.test_or_star()?);
                }
                self.expect_op(")")?;
                ExprKind::Tuple(items)
            }
            TokenKind::Op("[") => {
                self.advance();
                if self.eat_op("]") {
                    return Ok(Expr { pos, kind: ExprKind::List(Vec::new()) });
                }
                let first = self.test_or_star()?;
                if self.is_kw("for") {
                    let clauses = self.comprehension_clauses()?;
                    self.expect_op("]")?;
                    return Ok(Expr { pos, kind: ExprKind::ListComp { element: Box::new(first), clauses } });
                }
                let mut items = vec![first];
                while self.eat_op(",") {
                    if self.is_op("]") {
                        break;
                    }
                    items.push(self.test_or_star()?);
                }
                self.expect_op("]")?;
                ExprKind::List(items)
            }
            _ => return Err(self.unexpected()),
        };
        Ok(Expr { pos, kind })
    }
}

/// Whether `t`, after a closing parenthesis, continues an expression (an
/// operator that takes a right operand, or a subscript or call of it).
fn continues_expression(t: &TokenKind) -> bool {
    matches!(
        t,
        TokenKind::Op(
            "+" | "-" | "*" | "/" | "//" | "%" | "**" | "^" | "<" | ">" | "<=" | ">=" | "==" | "!=" | "&" | "|" | "<<"
                | ">>" | "." | "["
        ) | TokenKind::Keyword("and" | "or" | "if" | "in" | "is" | "not")
    )
}

fn augmented_op(op: &str, dialect: Dialect) -> Option<BinOp> {
    Some(match op {
        "^=" if dialect == Dialect::Epython => BinOp::Pow,
        "+=" => BinOp::Add,
        "-=" => BinOp::Sub,
        "*=" => BinOp::Mul,
        "/=" => BinOp::TrueDiv,
        "//=" => BinOp::FloorDiv,
        "%=" => BinOp::Mod,
        "**=" => BinOp::Pow,
        "<<=" => BinOp::LShift,
        ">>=" => BinOp::RShift,
        "&=" => BinOp::BitAnd,
        "|=" => BinOp::BitOr,
        "^=" => BinOp::BitXor,
        _ => return None,
    })
}

/// `*x` alone is only meaningful inside a display or a target list.
fn no_bare_star(e: &Expr) -> Result<()> {
    if matches!(e.kind, ExprKind::Starred(_)) {
        return Err(syntax(e.pos, "cannot use starred expression here"));
    }
    Ok(())
}

/// Can `e` be assigned to? (Python's rules, with Python's messages.)
fn check_target(e: &Expr) -> Result<()> {
    match &e.kind {
        ExprKind::Name(_) | ExprKind::Attribute(..) | ExprKind::Subscript(..) => Ok(()),
        ExprKind::Tuple(items) | ExprKind::List(items) => {
            let mut starred = 0;
            for item in items {
                if let ExprKind::Starred(inner) = &item.kind {
                    starred += 1;
                    if starred > 1 {
                        return Err(syntax(item.pos, "multiple starred expressions in assignment"));
                    }
                    check_target(inner)?;
                } else {
                    check_target(item)?;
                }
            }
            Ok(())
        }
        ExprKind::Starred(_) => Err(syntax(e.pos, "starred assignment target must be in a list or tuple")),
        ExprKind::Bool(b) => Err(syntax(e.pos, format!("cannot assign to {}", if *b { "True" } else { "False" }))),
        ExprKind::None => Err(syntax(e.pos, "cannot assign to None")),
        ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Str(_) => Err(syntax(e.pos, "cannot assign to literal")),
        ExprKind::Call { .. } => Err(syntax(e.pos, "cannot assign to function call")),
        _ => Err(syntax(e.pos, "cannot assign to expression")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::tokenize;

    /// An expression as a compact s-expression, to check the tree's shape.
    fn sexp(e: &Expr) -> String {
        let list = |items: &[Expr]| items.iter().map(sexp).collect::<Vec<_>>().join(" ");
        match &e.kind {
            ExprKind::Int(v) => v.to_string(),
            ExprKind::Float(v) => format!("{v:?}"),
            ExprKind::Str(s) => format!("{s:?}"),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::None => "None".to_string(),
            ExprKind::Name(n) => n.clone(),
            ExprKind::Unary(op, x) => format!("({op:?} {})", sexp(x)),
            ExprKind::Binary(op, a, b) => format!("({op:?} {} {})", sexp(a), sexp(b)),
            ExprKind::BoolOp(op, vs) => format!("({op:?} {})", list(vs)),
            ExprKind::Compare(first, rest) => {
                let rest: Vec<String> = rest.iter().map(|(op, x)| format!("{} {}", op.symbol(), sexp(x))).collect();
                format!("(cmp {} {})", sexp(first), rest.join(" "))
            }
            ExprKind::IfElse { cond, then, otherwise } => format!("(if {} {} {})", sexp(cond), sexp(then), sexp(otherwise)),
            ExprKind::Lambda { params, body } => {
                format!("(lambda {} {})", params.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(","), sexp(body))
            }
            ExprKind::Call { func, args } => {
                let args: Vec<String> = args
                    .iter()
                    .map(|a| match a {
                        Arg::Positional(x) => sexp(x),
                        Arg::Keyword(n, x) => format!("{n}={}", sexp(x)),
                        Arg::Star(x) => format!("*{}", sexp(x)),
                        Arg::DoubleStar(x) => format!("**{}", sexp(x)),
                    })
                    .collect();
                format!("(call {} {})", sexp(func), args.join(" "))
            }
            ExprKind::Attribute(x, a) => format!("(. {} {a})", sexp(x)),
            ExprKind::Subscript(x, i) => format!("([] {} {})", sexp(x), sexp(i)),
            ExprKind::Slice(a, b, c) => {
                let part = |p: &Option<Box<Expr>>| p.as_ref().map_or("_".to_string(), |x| sexp(x));
                format!("(: {} {} {})", part(a), part(b), part(c))
            }
            ExprKind::List(items) => format!("[{}]", list(items)),
            ExprKind::Tuple(items) => format!("(tuple {})", list(items)),
            ExprKind::ListComp { element, clauses } => format!("(listcomp {} {})", sexp(element), clauses.len()),
            ExprKind::Generator { element, clauses } => format!("(gen {} {})", sexp(element), clauses.len()),
            ExprKind::Starred(x) => format!("*{}", sexp(x)),
        }
    }

    fn parse_src(src: &str) -> Result<Vec<Stmt>> {
        parse(tokenize(src)?)
    }

    fn expr(src: &str) -> String {
        let body = parse_src(src).unwrap();
        match &body[0].kind {
            StmtKind::Expr(e) => sexp(e),
            other => panic!("not an expression statement: {other:?}"),
        }
    }

    fn err(src: &str) -> (u32, u32, String) {
        let e = parse_src(src).unwrap_err();
        (e.pos.line, e.pos.col, e.message)
    }

    #[test]
    fn precedence() {
        assert_eq!(expr("-2**2"), "(Neg (Pow 2 2))");
        assert_eq!(expr("2**-1"), "(Pow 2 -1)");
        assert_eq!(expr("2**3**2"), "(Pow 2 (Pow 3 2))");
        assert_eq!(expr("not a == b"), "(Not (cmp a == b))");
        assert_eq!(expr("a or b and c"), "(Or a (And b c))");
        assert_eq!(expr("a and b or c and d"), "(Or (And a b) (And c d))");
        assert_eq!(expr("a or b or c"), "(Or a b c)");
        assert_eq!(expr("1 + 2 * 3 - 4"), "(Sub (Add 1 (Mul 2 3)) 4)");
        assert_eq!(expr("a | b ^ c & d << 1 + 2"), "(BitOr a (BitXor b (BitAnd c (LShift d (Add 1 2)))))");
        assert_eq!(expr("a // b % c / d"), "(TrueDiv (Mod (FloorDiv a b) c) d)");
        assert_eq!(expr("~-x"), "(Invert (Neg x))");
        assert_eq!(expr("-(2)"), "-2");
        assert_eq!(expr("- -3"), "3");
        assert_eq!(expr("-2147483648"), "-2147483648");
        assert_eq!(expr("x if c else y if d else z"), "(if c x (if d y z))");
        assert_eq!(expr("not not a"), "(Not (Not a))");
    }

    #[test]
    fn comparison_chains() {
        assert_eq!(expr("a < b < c"), "(cmp a < b < c)");
        assert_eq!(expr("a == b != c >= d"), "(cmp a == b != c >= d)");
        assert_eq!(expr("a not in b is not c in d is e"), "(cmp a not in b is not c in d is e)");
        assert_eq!(expr("a < b == (c < d)"), "(cmp a < b == (cmp c < d))");
    }

    #[test]
    fn the_rest_of_the_expression_grammar() {
        assert_eq!(expr("f(1, x=2, *a, **k)"), "(call f 1 x=2 *a **k)");
        assert_eq!(expr("parallel.coreid()"), "(call (. parallel coreid) )");
        assert_eq!(expr("a[1:2, ::-1][i]"), "([] ([] a (tuple (: 1 2 _) (: _ _ -1))) i)");
        assert_eq!(expr("[x*x for x in xs if x]"), "(listcomp (Mul x x) 1)");
        assert_eq!(expr("sum(x for x in xs)"), "(call sum (gen x 1))");
        assert_eq!(expr("lambda a, b=1: a + b"), "(lambda a,b (Add a b))");
        assert_eq!(expr("(1,)"), "(tuple 1)");
        assert_eq!(expr("()"), "(tuple )");
        assert_eq!(expr("[1, [2, 3], *r]"), "[1 [2 3] *r]");
        assert_eq!(expr("'a' 'b' \"c\""), "\"abc\"");
        assert_eq!(expr("1, 2"), "(tuple 1 2)");
    }

    #[test]
    fn statements() {
        let body = parse_src("x = y = 1\nx += 2\nif a:\n  pass\nelif b:\n  pass\nelse:\n  pass\nwhile c: break\nfor i, j in z:\n  continue\ndef f(a, b=2, *c, d, **e):\n  return a\nimport parallel as p, parallel\nfrom parallel import (coreid, numcores as n,)\nglobal g\n").unwrap();
        let kinds: Vec<&str> = body
            .iter()
            .map(|s| match &s.kind {
                StmtKind::Assign { .. } => "assign",
                StmtKind::AugAssign { .. } => "augassign",
                StmtKind::If { orelse, .. } => {
                    assert!(matches!(orelse[0].kind, StmtKind::If { .. }), "elif nests an if");
                    "if"
                }
                StmtKind::While { .. } => "while",
                StmtKind::For { .. } => "for",
                StmtKind::Def { .. } => "def",
                StmtKind::Import(_) => "import",
                StmtKind::ImportFrom { .. } => "from",
                StmtKind::Global(_) => "global",
                _ => "other",
            })
            .collect();
        assert_eq!(kinds, ["assign", "augassign", "if", "while", "for", "def", "import", "from", "global"]);
        assert_eq!(body[2].pos, Pos { line: 3, col: 1 });
    }

    #[test]
    fn epython_dim_and_print_of_one_expression() {
        let parse = |src: &str| parse_with(crate::lexer::tokenize(src).unwrap(), Dialect::Epython);
        let shown = |src: &str| match &parse(src).unwrap()[0].kind {
            StmtKind::Assign { targets, value } => format!("{} = {}", sexp(&targets[0]), sexp(value)),
            StmtKind::Print { args, .. } => args.iter().map(sexp).collect::<Vec<_>>().join(" "),
            StmtKind::Expr(e) => sexp(e),
            other => format!("{other:?}"),
        };
        assert_eq!(shown("dim a[n + 1]"), "a = (Mul [0] (Add n 1))");
        assert_eq!(shown("sdim b[4]"), "b = (Mul [0] 4)");
        assert!(parse("dim a[2][3]").unwrap_err().message.contains("more than one dimension"));
        // `dim` is an ordinary name otherwise, and in Python 3.
        assert_eq!(shown("dim = 3"), "dim = 3");
        assert!(parse_src("dim a[3]").is_err());
        assert_eq!(shown("print (a)/b"), "(TrueDiv a b)");
        assert_eq!(shown("print (a) + (b)"), "(Add a b)");
        assert_eq!(shown("print (a, b)"), "(call print a b)");
        assert_eq!(shown("print(a)"), "(call print a)");
        // Python 3: the call's None divided by b.
        assert_eq!(expr("print (a)/b"), "(TrueDiv (call print a) b)");
    }

    #[test]
    fn print_statement_form() {
        let print = |src: &str| match &parse_src(src).unwrap()[0].kind {
            StmtKind::Print { args, trailing_comma } => format!("{} {trailing_comma}", args.iter().map(sexp).collect::<Vec<_>>().join(" ")),
            StmtKind::Expr(e) => sexp(e),
            StmtKind::Pass => "pass".to_string(),
            other => format!("{other:?}"),
        };
        assert_eq!(print("print \"x\""), "\"x\" false");
        assert_eq!(print("print x, y"), "x y false");
        assert_eq!(print("print x,"), "x true");
        assert_eq!(print("print -1"), "-1 false");
        assert_eq!(print("print(x, y)"), "(call print x y)");
        assert_eq!(print("print (x)"), "(call print x)");
        assert_eq!(print("print"), "pass");
        assert!(matches!(parse_src("print = 3").unwrap()[0].kind, StmtKind::Assign { .. }));
    }

    #[test]
    fn syntax_errors_point_at_the_token() {
        assert_eq!(err("x = = 1"), (1, 5, "invalid syntax (unexpected '=')".into()));
        assert_eq!(err("if x\n  y\n"), (1, 5, "expected ':', found end of line".into()));
        assert_eq!(err("if x:\ny\n"), (2, 1, "expected an indented block after 'if' statement on line 1".into()));
        assert_eq!(err("x = 1\n  y = 2\n"), (2, 3, "unexpected indent".into()));
        assert_eq!(err("class A:\n  pass\n"), (1, 1, "'class' is not supported on the device (no classes)".into()));
        assert_eq!(err("try:\n  x\nexcept:\n  y\n"), (1, 1, "'try' is not supported on the device (no exception handling)".into()));
        assert_eq!(err("x = {1: 2}"), (1, 5, "dict and set displays are not supported on the device".into()));
        assert_eq!(err("with f: pass"), (1, 1, "'with' is not supported on the device".into()));
        assert_eq!(err("x = yield"), (1, 5, "'yield' is not supported on the device (no generators)".into()));
        assert_eq!(err("1 = x"), (1, 1, "cannot assign to literal".into()));
        assert_eq!(err("f() = x"), (1, 1, "cannot assign to function call".into()));
        assert_eq!(err("a, b += 1"), (1, 1, "'tuple' is an illegal expression for augmented assignment".into()));
        assert_eq!(err("f(x=1, 2)"), (1, 8, "positional argument follows keyword argument".into()));
        assert_eq!(err("f(x=1, x=2)"), (1, 8, "keyword argument repeated: x".into()));
        assert_eq!(err("@dec\ndef f(): pass"), (1, 1, "decorators and '@' are not supported on the device".into()));
        assert_eq!(err("def f(a=1, b): pass"), (1, 12, "parameter without a default follows parameter with a default".into()));
        assert_eq!(err("x = (1 +\n"), (1, 5, "'(' was never closed".into()));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        // The parser's own limits fit a stack like the one lib.rs gives it.
        let on_big_stack = |src: String| {
            std::thread::Builder::new().stack_size(64 << 20).spawn(move || err(&src)).unwrap().join().unwrap()
        };
        let err = |src: &str| on_big_stack(src.to_string());
        let src = format!("x = {}1{}", "(".repeat(150), ")".repeat(150));
        assert_eq!(err(&src).2, "expression too deeply nested");
        let src = format!("x = {}1", "-".repeat(100_000));
        assert_eq!(err(&src).2, "expression too deeply nested");
        let src = format!("x = {}1", "not ".repeat(100_000));
        assert_eq!(err(&src).2, "expression too deeply nested");
        let src = format!("x = 1{}", "+1".repeat(100_000));
        assert_eq!(err(&src).2, "expression or statement too deeply nested");
        let src = format!("x = f{}", "()".repeat(100_000));
        assert_eq!(err(&src).2, "expression or statement too deeply nested");
    }
}

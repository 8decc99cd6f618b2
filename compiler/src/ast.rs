//! The syntax tree: the whole Python expression and statement grammar the
//! device language needs (design.md §4), whether or not codegen runs it yet.

use crate::error::Pos;

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub pos: Pos,
    pub kind: ExprKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Pos,
    Not,
    Invert,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    TrueDiv,
    FloorDiv,
    Mod,
    Pow,
    LShift,
    RShift,
    BitAnd,
    BitOr,
    BitXor,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoolOp {
    And,
    Or,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Is,
    IsNot,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::In => "in",
            CmpOp::NotIn => "not in",
            CmpOp::Is => "is",
            CmpOp::IsNot => "is not",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Positional(Expr),
    Keyword(String, Expr),
    /// `*xs`
    Star(Expr),
    /// `**kw`
    DoubleStar(Expr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    Normal,
    /// `*args`
    VarArgs,
    /// After `*` or `*args`.
    KeywordOnly,
    /// `**kwargs`
    KwArgs,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub pos: Pos,
    pub name: String,
    pub default: Option<Expr>,
    pub kind: ParamKind,
}

/// One `for target in iter if cond...` clause of a comprehension.
#[derive(Clone, Debug, PartialEq)]
pub struct Comprehension {
    pub target: Expr,
    pub iter: Expr,
    pub conditions: Vec<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// Unbounded until codegen checks it fits in an i32 (so `-2147483648`
    /// can be folded first).
    Int(i128),
    Float(f32),
    Str(String),
    Bool(bool),
    None,
    Name(String),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `a and b and c`: two or more operands.
    BoolOp(BoolOp, Vec<Expr>),
    /// `a < b <= c`: the first operand, then each (op, operand).
    Compare(Box<Expr>, Vec<(CmpOp, Expr)>),
    /// `then if cond else otherwise`
    IfElse { cond: Box<Expr>, then: Box<Expr>, otherwise: Box<Expr> },
    Lambda { params: Vec<Param>, body: Box<Expr> },
    Call { func: Box<Expr>, args: Vec<Arg> },
    Attribute(Box<Expr>, String),
    Subscript(Box<Expr>, Box<Expr>),
    /// `lo:hi:step` inside a subscript.
    Slice(Option<Box<Expr>>, Option<Box<Expr>>, Option<Box<Expr>>),
    List(Vec<Expr>),
    Tuple(Vec<Expr>),
    ListComp { element: Box<Expr>, clauses: Vec<Comprehension> },
    /// `(x for x in xs)`: parsed so it can be rejected by name.
    Generator { element: Box<Expr>, clauses: Vec<Comprehension> },
    /// `*xs` in a list, tuple or assignment target.
    Starred(Box<Expr>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub pos: Pos,
    pub kind: StmtKind,
}

/// `import a.b as c` or one name of `from m import x as y`.
#[derive(Clone, Debug, PartialEq)]
pub struct Alias {
    pub pos: Pos,
    pub name: String,
    pub as_name: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    Expr(Expr),
    /// `t1 = t2 = value`: targets left to right.
    Assign { targets: Vec<Expr>, value: Expr },
    AugAssign { target: Expr, op: BinOp, value: Expr },
    If { cond: Expr, body: Vec<Stmt>, orelse: Vec<Stmt> },
    While { cond: Expr, body: Vec<Stmt>, orelse: Vec<Stmt> },
    For { target: Expr, iter: Expr, body: Vec<Stmt>, orelse: Vec<Stmt> },
    Def { name: String, params: Vec<Param>, body: Vec<Stmt> },
    Return(Option<Expr>),
    Pass,
    Break,
    Continue,
    Global(Vec<String>),
    Nonlocal(Vec<String>),
    /// `import m` / `import m as n` (dotted names kept whole).
    Import(Vec<Alias>),
    /// `from m import x, y as z`; `names` empty means `from m import *`.
    ImportFrom { module: String, names: Vec<Alias> },
    /// ePython's statement form `print x, y` (a trailing comma keeps
    /// `trailing_comma`, as Python 2's "no newline").
    Print { args: Vec<Expr>, trailing_comma: bool },
}

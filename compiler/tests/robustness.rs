//! compile() and disassemble() never panic, whatever they are given; what
//! compiles always disassembles cleanly (jumps on instruction boundaries).

use compiler::{compile, disassemble};

const SAMPLES: &[&str] = &[
    "from parallel import coreid, numcores as nc\nimport parallel as p\nx = 1 + 2 * 3\ny = z = -2147483648\n",
    "import parallel as p\ns = 'h\\xe9llo' \"world\" '''tri\nple'''\nif x < y <= p.coreid() < 10 and not s:\n    print(x, y, sep=', ', end='!\\n')\nelif x == 3 or y:\n    print \"x is\", x\nelse:\n    pass\n",
    "i = 0\nwhile True:\n    i += 1\n    if i > 5:\n        break\n    if i % 2 == 0: continue\n    print(i, coreid(), nc())\nelse:\n    print('never')\n",
    "a = x if x else 2.5e-3\nb = ~a ** -b // 0x_ff % 0o17 | 0b1 ^ 3 & 4 << 1 >> 2\nprint(end='', sep='-')\n",
    "def f(a, b=2, *c, d, **e):\n    return [x * y for x in a if x for y in b], (1,), a[1:2:3], lambda q: q\n",
    "def f(a, b=2, c='x'):\n    global g\n    g = [x * y for x in a if x for y in range(b)]\n    return g[1:2:3], (1,), a[::-1], lambda q, r=a: q + r\nprint(f([1, 2], c=3))\n",
    "import math\nimport random as r\nfrom math import sqrt, pi\nfrom random import *\nxs = [1, 2.5, 'a', None, (1, 2)]\nfor i, x in enumerate(xs):\n    if x is None or x in (1, 2):\n        continue\n    xs[i] += 1\n    xs.append(math.floor(r.random() * 10))\nelse:\n    a, b = b, a\n",
    "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\ntotal = 0\nwhile total < 100:\n    for k in range(3):\n        if k == 2:\n            break\n        total += fib(k + 5)\n    else:\n        pass\nm = [[0] * 3 for _ in range(3)]\nm[1][2] = 5\nx, (y, z) = 1, (2, 3)\nprint(m, x, y, z, sep=', ', end='\\n')\n",
    "def outer(a):\n    def inner(b):\n        return b * 2\n    s = 'a,b'.split(',')\n    return inner(a) if 0 <= len(s) < a else s.index('b')\nprint(outer(3))\n",
    "x = (1 +\n     2) \\\n    + 3\n# comment\n\n\tpass\n",
];

/// A small deterministic generator (no crates needed).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "(", ")", "[", "]", "{", "}", ":", "\n", "\n    ", "\t", " ", "'", "\"", "\\", "#", "=", "==", "<", "-", "**", "not ",
    " and ", " or ", "if ", "while ", "else", "elif ", "print ", "print(", "0x", "2147483648", "-2147483648", "1e40",
    ".5", "_", "é", "\u{0}", "\r", "break", "continue", "import ", "from ", "parallel", ".", ",", ";", "lambda", "for ",
    " in ", "def ", "return", "class ", "*", "yield", "@", "global ", "nonlocal ", "lambda x: x", "[0]", "[1:2]", "[::-1]",
    ", ", "x=1", ".append(", ".pop()", "math.", "for i in range(3):\n    ", " is not ", " not in ", "(a, b)", "a, b = ", "+=",
    "else:\n    ", "[x for x in y]", "return ", "def g(x=1):\n    ",
];

fn mutate(src: &str, rng: &mut Lcg) -> String {
    let mut chars: Vec<char> = src.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(chars.len() + 1);
        match rng.below(4) {
            0 if !chars.is_empty() => {
                let end = (at + 1 + rng.below(8)).min(chars.len());
                chars.drain(at.min(chars.len())..end);
            }
            1 => {
                let piece = PIECES[rng.below(PIECES.len())];
                chars.splice(at..at, piece.chars());
            }
            2 if !chars.is_empty() => {
                let other = rng.below(chars.len());
                let at = at.min(chars.len() - 1);
                chars.swap(at, other);
            }
            _ => {
                // Duplicate a slice: deepens nesting and repeats lines.
                let end = (at + rng.below(20)).min(chars.len());
                let copy: Vec<char> = chars[at.min(end)..end].to_vec();
                chars.splice(at.min(end)..at.min(end), copy);
            }
        }
    }
    chars.into_iter().collect()
}

#[test]
fn compile_never_panics_on_mutated_programs() {
    let mut rng = Lcg(0x5eed);
    let mut compiled = 0;
    for round in 0..6000 {
        let base = SAMPLES[round % SAMPLES.len()];
        let src = mutate(base, &mut rng);
        match compile(&src, "fuzz.py") {
            Ok(program) => {
                compiled += 1;
                let text = disassemble(&program.image).unwrap_or_else(|e| panic!("{e} for {src:?}"));
                check_image(&program.image).unwrap_or_else(|e| panic!("{e} for {src:?}\n{text}"));
                assert!(!text.contains("not an instruction boundary"), "{src:?}\n{text}");
            }
            Err(e) => {
                let text = e.to_string();
                assert!(text.starts_with("fuzz.py:") && e.line >= 1 && e.col >= 1, "{text}");
                assert!(!text.contains("internal compiler error"), "{text} for {src:?}");
            }
        }
    }
    assert!(compiled > 200, "only {compiled} mutants compiled; the samples or mutations are off");
}

#[test]
fn disassemble_never_panics_on_mutated_images() {
    let mut rng = Lcg(42);
    let images: Vec<Vec<u8>> = SAMPLES.iter().filter_map(|s| compile(s, "s.py").ok()).map(|p| p.image).collect();
    assert!(!images.is_empty());
    for round in 0..3000 {
        let mut image = images[round % images.len()].clone();
        for _ in 0..1 + rng.below(4) {
            if image.len() < 4 {
                break;
            }
            match rng.below(3) {
                0 => {
                    let at = rng.below(image.len());
                    image[at] = rng.next() as u8;
                }
                1 => {
                    // Corrupt a header word wholesale.
                    let at = (rng.below(16) * 4).min(image.len() - 4);
                    let v = [0u32, 1, u32::MAX, 0x8000_0000, image.len() as u32, rng.next() as u32][rng.below(6)];
                    image[at..at + 4].copy_from_slice(&v.to_le_bytes());
                }
                _ => image.truncate(rng.below(image.len() + 1)),
            }
        }
        let _ = disassemble(&image);
    }
}

#[test]
fn random_bytes_as_source_never_panic() {
    let mut rng = Lcg(7);
    let alphabet: Vec<char> = "abcxyz019_ ()[]{}:;,.=+-*/%<>!~^&|'\"\\#\n\t@$?é".chars().collect();
    for _ in 0..2000 {
        let len = rng.below(60);
        let src: String = (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect();
        let _ = compile(&src, "r.py");
    }
}

/// An independent check of a compiled image, as the firmware's verifier
/// would do it: every index in range, the keyword names of each `CallKw` a
/// tuple constant no longer than its argument count, MAX_STACK right and
/// within the device's limit, LOCAL_NAMES tables of Strs.
fn check_image(image: &[u8]) -> Result<(), String> {
    use shared_protocol::bytecode::{FUNCTION_WORDS, Op, function, header};
    use shared_protocol::value::{Reader, Token};
    let w: Vec<u32> = image.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())).collect();
    let h = |i: usize| w[i] as usize;
    let token_at = |byte_off: u32| Reader::new(&w[byte_off as usize / 4..]).token().map_err(|e| format!("{e:?}"));
    let n_functions = h(header::N_FUNCTIONS);
    let n_consts = h(header::N_CONSTS);
    let n_globals = h(header::N_GLOBALS);
    let consts = h(header::CONSTS_OFF) / 4;
    let code = &image[h(header::CODE_OFF)..h(header::CODE_OFF) + h(header::CODE_LEN)];
    for f in 0..n_functions {
        let e = &w[h(header::FUNCTIONS_OFF) / 4 + f * FUNCTION_WORDS..][..FUNCTION_WORDS];
        let start = e[function::CODE_START] as usize;
        let body = &code[start..start + e[function::CODE_LEN] as usize];
        let n_locals = e[function::N_LOCALS] as usize;
        if e[function::N_PARAMS] > e[function::N_LOCALS] || e[function::N_DEFAULTS] > e[function::N_PARAMS] {
            return Err(format!("function {f}: bad params/defaults"));
        }
        for i in 0..n_locals {
            let off = w[e[function::LOCAL_NAMES] as usize / 4 + i];
            if !matches!(token_at(off)?, Token::Str { .. }) {
                return Err(format!("function {f}: local name {i} is not a Str"));
            }
        }
        let depth = compiler::codegen::max_stack_depth(body)?;
        if depth != e[function::MAX_STACK] || depth > compiler::codegen::DEVICE_MAX_STACK {
            return Err(format!("function {f}: MAX_STACK {} but {depth} needed", e[function::MAX_STACK]));
        }
        let (mut pc, mut last_const) = (0, None);
        while pc < body.len() {
            let op = Op::from_u8(body[pc]).ok_or("bad opcode")?;
            let k = match op.len() {
                2 => body[pc + 1] as usize,
                3 => u16::from_le_bytes([body[pc + 1], body[pc + 2]]) as usize,
                _ => 0,
            };
            let ok = match op {
                Op::LoadConst => k < n_consts,
                Op::LoadGlobal | Op::StoreGlobal => k < n_globals,
                Op::LoadLocal | Op::StoreLocal => k < n_locals,
                Op::MakeFunction => k < n_functions && k > 0,
                Op::LoadNative | Op::LoadModuleAttr => (k) < shared_protocol::natives::NATIVES.len(),
                Op::CallMethod => (k & 0xFF) < shared_protocol::natives::METHODS.len(),
                Op::CallKw => match last_const.map(|c: usize| token_at(w[consts + c])) {
                    Some(Ok(Token::Tuple(n))) => n as usize <= k && n > 0,
                    _ => false,
                },
                _ => true,
            };
            if !ok {
                return Err(format!("function {f}: bad operand {k} of {} at {pc}", op.name()));
            }
            last_const = (op == Op::LoadConst).then_some(k);
            pc += op.len();
        }
    }
    Ok(())
}

#[test]
fn the_samples_compile_and_check() {
    for (i, src) in SAMPLES.iter().enumerate() {
        match compile(src, "s.py") {
            Ok(p) => check_image(&p.image).unwrap_or_else(|e| panic!("sample {i}: {e}")),
            // The sample with `*c, d, **e` parameters, and the one ending in a stray indent.
            Err(e) => {
                let text = e.to_string();
                assert!(
                    text.contains("'*c' parameters are not supported on the device") || text.contains("unexpected indent"),
                    "sample {i}: {e}"
                );
            }
        }
    }
}

#[test]
fn deep_functions_loops_and_comprehensions_compile_or_fail_cleanly() {
    let nested = |head: &dyn Fn(usize) -> String, tail: &str, n: usize| {
        let mut src = String::new();
        for i in 0..n {
            src.push_str(&" ".repeat(i));
            src.push_str(&head(i));
            src.push('\n');
        }
        src.push_str(&" ".repeat(n));
        src.push_str(tail);
        src.push('\n');
        src
    };
    for n in [1, 10, 60, 99, 100, 150] {
        let programs = [
            nested(&|i| format!("def f{i}(a{i}=1):"), "return [a for a in range(3)]", n),
            nested(&|i| format!("for x{i} in range(2):"), "break", n),
            nested(&|_| "while x:".to_string(), "continue", n),
            format!("f = {}1", "lambda: ".repeat(n)),
            format!("f = {}x{}", "[".repeat(n), " for x in y]".repeat(n)),
        ];
        for src in &programs {
            match compile(src, "deep.py") {
                Ok(p) => check_image(&p.image).unwrap_or_else(|e| panic!("{e} for {src}")),
                Err(e) => assert!(!e.to_string().contains("internal compiler error"), "{e}"),
            }
        }
    }
}

#[test]
fn an_operand_stack_deeper_than_the_device_allows_is_a_compile_error() {
    let args = (0..255).map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
    let e = compile(&format!("f({args})"), "t.py").unwrap_err().to_string();
    assert!(e.contains("expression too complex: it needs 256 operand stack slots, the device has 250"), "{e}");
    assert!(compile(&format!("f({})", (0..200).map(|i| i.to_string()).collect::<Vec<_>>().join(", ")), "t.py").is_ok());
}

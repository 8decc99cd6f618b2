//! compile() and disassemble() never panic, whatever they are given; what
//! compiles always disassembles cleanly (jumps on instruction boundaries).

use compiler::{compile, disassemble};

const SAMPLES: &[&str] = &[
    "from parallel import coreid, numcores as nc\nimport parallel as p\nx = 1 + 2 * 3\ny = z = -2147483648\n",
    "s = 'h\\xe9llo' \"world\" '''tri\nple'''\nif x < y <= p.coreid() < 10 and not s:\n    print(x, y, sep=', ', end='!\\n')\nelif x == 3 or y:\n    print \"x is\", x\nelse:\n    pass\n",
    "i = 0\nwhile True:\n    i += 1\n    if i > 5:\n        break\n    if i % 2 == 0: continue\n    print(i, coreid(), nc())\nelse:\n    print('never')\n",
    "a = x if x else 2.5e-3\nb = ~a ** -b // 0x_ff % 0o17 | 0b1 ^ 3 & 4 << 1 >> 2\nprint(end='', sep='-')\n",
    "def f(a, b=2, *c, d, **e):\n    return [x * y for x in a if x for y in b], (1,), a[1:2:3], lambda q: q\n",
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
    " in ", "def ", "return", "class ", "*", "yield", "@",
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
    for round in 0..3000 {
        let base = SAMPLES[round % SAMPLES.len()];
        let src = mutate(base, &mut rng);
        match compile(&src, "fuzz.py") {
            Ok(program) => {
                compiled += 1;
                let text = disassemble(&program.image).unwrap_or_else(|e| panic!("{e} for {src:?}"));
                assert!(!text.contains("not an instruction boundary"), "{src:?}\n{text}");
            }
            Err(e) => {
                let text = e.to_string();
                assert!(text.starts_with("fuzz.py:") && e.line >= 1 && e.col >= 1, "{text}");
                assert!(!text.contains("internal compiler error"), "{text} for {src:?}");
            }
        }
    }
    assert!(compiled > 50, "only {compiled} mutants compiled; the samples or mutations are off");
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

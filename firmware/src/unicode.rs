//! Unicode for the str methods: `upper`, `lower`, `isalpha`, `isdigit` and
//! `isspace` answer for every code point as CPython does (the CPython and
//! Unicode versions the tables come from are in `tables.rs`), including
//! uppercase that grows (`'ß'.upper()` is `'SS'`, `'ﬁ'` gives `'FI'`), the
//! one lowercase that does (`'İ'` gives `'i̇'`) and the final sigma of
//! `lower()` (`'ΟΔΟΣ'.lower()` is `'οδος'`).
//!
//! The tables are compact byte streams (`firmware/tools/gen_unicode.py`
//! generates them from CPython and describes the encodings), read by a
//! linear scan: ASCII never reaches them, Latin, Greek and Cyrillic are
//! found in the first few dozen entries, a CJK character in some hundreds.
//! They and this code are DRAM code (cold: the linker scripts route
//! `firmware::unicode` there).

use crate::arena::Mem;
use crate::exc::Exc;
use crate::seq::char_len;
use crate::value::Value;
use crate::vm::St;

#[cfg(test)]
mod expected;
mod tables;

/// A varint at `*i` (7 bits a byte, most significant first; bit 7 set on
/// all bytes but the last).
fn varint(t: &[u8], i: &mut usize) -> u32 {
    let mut v = 0u32;
    while let Some(&b) = t.get(*i) {
        *i += 1;
        v = v << 7 | (b & 0x7F) as u32;
        if b & 0x80 == 0 {
            break;
        }
    }
    v
}

/// Whether `c` is in the set `t` (the code points where membership flips).
fn in_set(t: &[u8], c: u32) -> bool {
    let (mut i, mut at, mut inside) = (0, 0u32, false);
    while i < t.len() {
        at = at.wrapping_add(varint(t, &mut i));
        if c < at {
            return inside;
        }
        inside = !inside;
    }
    false
}

/// `c` through the case map `t` (runs of code points sharing a delta).
fn map(t: &[u8], c: u32) -> u32 {
    let (mut i, mut end) = (0, 0u32);
    while i < t.len() {
        let start = end.wrapping_add(varint(t, &mut i));
        let nk = varint(t, &mut i);
        let delta = varint(t, &mut i);
        if c < start {
            break;
        }
        // Every k-th code point from start (k is 1 or 2), (nk >> 1) + 1 of them.
        let k = (nk & 1) + 1;
        let last = start.wrapping_add((nk >> 1) * k);
        if c <= last {
            if (c - start) & (k - 1) != 0 {
                break;
            }
            let d = delta >> 1;
            return if delta & 1 == 0 { c.wrapping_add(d) } else { c.wrapping_sub(d) };
        }
        end = last.wrapping_add(1);
    }
    c
}

pub fn is_alpha(c: u32) -> bool {
    if c < 0x80 {
        (c as u8).is_ascii_alphabetic()
    } else {
        in_set(&tables::ALPHA, c)
    }
}

pub fn is_digit(c: u32) -> bool {
    if c < 0x80 {
        (c as u8).is_ascii_digit()
    } else {
        in_set(&tables::DIGIT, c)
    }
}

/// CPython's `isspace`: also `\x1c`..`\x1f`, U+0085, U+00A0, U+2000...
pub fn is_space(c: u32) -> bool {
    in_set(&tables::SPACE, c)
}

fn is_cased(c: u32) -> bool {
    in_set(&tables::CASED, c)
}

fn is_ignorable(c: u32) -> bool {
    in_set(&tables::IGNORABLE, c)
}

/// `c.upper()` when it is 2 or 3 characters (SPECIAL_UPPER), into `out`;
/// how many (0: it is not).
fn special_upper(c: u32, out: &mut [u32; 3]) -> usize {
    let t = &tables::SPECIAL_UPPER;
    let (mut i, mut at) = (0, 0u32);
    while i < t.len() {
        at = at.wrapping_add(varint(t, &mut i));
        let mut n = 0;
        loop {
            let b = t.get(i).copied().unwrap_or(0);
            i += 1;
            if let (true, Some(o)) = (at == c, out.get_mut(n)) {
                *o = tables::PALETTE.get((b & 0x7F) as usize).copied().unwrap_or(0) as u32;
            }
            n += 1;
            if b & 0x80 == 0 {
                break;
            }
        }
        if at >= c {
            return if at == c { n } else { 0 };
        }
    }
    0
}

/// `c.upper()` into `out`; how many characters (1 to 3).
pub fn upper(c: u32, out: &mut [u32; 3]) -> usize {
    if c < 0x80 {
        out[0] = (c as u8).to_ascii_uppercase() as u32;
        return 1;
    }
    let n = special_upper(c, out);
    if n > 0 {
        return n;
    }
    out[0] = map(&tables::UPPER, c);
    1
}

/// `c.lower()` for a lone character, but for U+0130 (`'İ'`, 2 characters:
/// [`lower_str`] has it) and a capital sigma's context.
pub fn lower(c: u32) -> u32 {
    if c < 0x80 {
        (c as u8).to_ascii_lowercase() as u32
    } else {
        map(&tables::LOWER, c)
    }
}

/// The code point at byte `i` of the Str at `s` (well-formed UTF-8, as
/// every Str is) and its length in bytes.
fn char_at(m: &Mem, s: u32, i: u32) -> (u32, u32) {
    let lead = m.str_byte(s, i);
    let n = char_len(lead);
    let mut c = match n {
        1 => lead as u32,
        2 => (lead & 0x1F) as u32,
        3 => (lead & 0x0F) as u32,
        _ => (lead & 0x07) as u32,
    };
    for k in 1..n {
        c = c << 6 | (m.str_byte(s, i + k) & 0x3F) as u32;
    }
    (c, n)
}

/// Write `c` as UTF-8 at byte `at` (when given); its length in bytes.
fn put_utf8(m: &mut Mem, at: Option<u32>, c: u32) -> u32 {
    let n = match c {
        0..=0x7F => 1,
        0x80..=0x7FF => 2,
        0x800..=0xFFFF => 3,
        _ => 4,
    };
    if let Some(a) = at {
        // The lead byte's marker: none, 0xC0, 0xE0, 0xF0.
        let lead = if n == 1 { 0 } else { (0xFF00u32 >> n) as u8 };
        for k in 0..n {
            let bits = (c >> (6 * (n - 1 - k))) as u8;
            m.set_byte(a + k, if k == 0 { lead | bits } else { 0x80 | bits & 0x3F });
        }
    }
    n
}

/// Whether the capital sigma at byte `i` (2 bytes) of the Str at `s` is
/// final (CPython's `handle_capital_sigma`): a cased letter before it and
/// none after, skipping case-ignorable characters both ways.
fn final_sigma(m: &Mem, s: u32, len: u32, i: u32) -> bool {
    let mut j = i;
    let before = loop {
        if j == 0 {
            break false;
        }
        j -= 1;
        if m.str_byte(s, j) & 0xC0 == 0x80 {
            continue;
        }
        let (c, _) = char_at(m, s, j);
        if !is_ignorable(c) {
            break is_cased(c);
        }
    };
    let mut j = i + 2;
    while before && j < len {
        let (c, n) = char_at(m, s, j);
        if !is_ignorable(c) {
            return !is_cased(c);
        }
        j += n;
    }
    before
}

/// Convert the Str at `s` (`upper()` or `lower()`), writing from byte `at`
/// when given; the converted length in bytes.
fn convert(m: &mut Mem, s: u32, to_upper: bool, at: Option<u32>) -> u32 {
    let len = m.str_len(s);
    let (mut i, mut pos) = (0, 0);
    while i < len {
        let (c, n) = char_at(m, s, i);
        let mut out = [0u32; 3];
        let k = if to_upper {
            upper(c, &mut out)
        } else if c == 0x130 {
            out = [b'i' as u32, 0x307, 0];
            2
        } else if c == 0x3A3 {
            out[0] = if final_sigma(m, s, len, i) { 0x3C2 } else { 0x3C3 };
            1
        } else {
            out[0] = lower(c);
            1
        };
        for &x in out.iter().take(k) {
            pos += put_utf8(m, at.map(|a| a + pos), x);
        }
        i += n;
    }
    pos
}

/// `s.upper()` or `s.lower()` (the Str at `s` rooted by the caller).
#[inline(never)]
pub fn change_case(st: &mut St, s: u32, to_upper: bool) -> Result<Value, Exc> {
    let n = convert(&mut st.m, s, to_upper, None);
    let p = st.new_str(n)?;
    convert(&mut st.m, s, to_upper, Some((p + 1) * 4));
    Ok(Value::Str(p))
}

/// Which `is...` method.
#[derive(Clone, Copy)]
pub enum Class {
    Digit,
    Alpha,
    Space,
}

/// `s.isdigit()`, `s.isalpha()`, `s.isspace()`: not empty, and every
/// character is one.
#[inline(never)]
pub fn all(m: &Mem, s: u32, class: Class) -> bool {
    let len = m.str_len(s);
    let mut i = 0;
    while i < len {
        let (c, n) = char_at(m, s, i);
        let yes = match class {
            Class::Digit => is_digit(c),
            Class::Alpha => is_alpha(c),
            Class::Space => is_space(c),
        };
        if !yes {
            return false;
        }
        i += n;
    }
    len > 0
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    use super::*;

    /// A second reader of a set: answers for code points in increasing
    /// order, in one pass over the stream (the lookups scan from the start
    /// every time: too slow for all 1.1M code points in a debug build).
    struct SetSweep {
        t: &'static [u8],
        i: usize,
        next: u32,
        inside: bool,
    }

    impl SetSweep {
        fn new(t: &'static [u8]) -> SetSweep {
            let mut i = 0;
            let next = varint(t, &mut i);
            SetSweep { t, i, next, inside: false }
        }
        fn at(&mut self, c: u32) -> bool {
            while c >= self.next {
                self.inside = !self.inside;
                self.next = if self.i < self.t.len() { self.next + varint(self.t, &mut self.i) } else { u32::MAX };
            }
            self.inside
        }
    }

    /// A second reader of a case map, for code points in increasing order.
    struct MapSweep {
        t: &'static [u8],
        i: usize,
        end: u32,
        run: Option<(u32, u32, u32, u32)>,
    }

    impl MapSweep {
        fn new(t: &'static [u8]) -> MapSweep {
            MapSweep { t, i: 0, end: 0, run: None }
        }
        fn at(&mut self, c: u32) -> u32 {
            loop {
                match self.run {
                    Some((_, _, last, _)) if c > last => self.run = None,
                    Some((start, k, _, delta)) if c >= start => {
                        let d = delta >> 1;
                        let mapped = if delta & 1 == 0 { c + d } else { c - d };
                        return if (c - start).is_multiple_of(k) { mapped } else { c };
                    }
                    Some(_) => return c,
                    None if self.i >= self.t.len() => return c,
                    None => {
                        let start = self.end + varint(self.t, &mut self.i);
                        let nk = varint(self.t, &mut self.i);
                        let delta = varint(self.t, &mut self.i);
                        let k = (nk & 1) + 1;
                        let last = start + (nk >> 1) * k;
                        self.end = last + 1;
                        self.run = Some((start, k, last, delta));
                    }
                }
            }
        }
    }

    /// Every answer the tables give about `c`, as the digest takes it.
    struct Answers {
        flags: u32,
        upper: Vec<u32>,
        lower: Vec<u32>,
    }

    /// SPECIAL_UPPER read whole (a second reader of its format).
    fn special_rows() -> Vec<Vec<u32>> {
        let t = &tables::SPECIAL_UPPER;
        let (mut rows, mut i, mut c) = (Vec::new(), 0, 0);
        while i < t.len() {
            c += varint(t, &mut i);
            let mut row = std::vec![c];
            loop {
                let b = t[i];
                i += 1;
                row.push(tables::PALETTE[(b & 0x7F) as usize] as u32);
                if b & 0x80 == 0 {
                    break;
                }
            }
            rows.push(row);
        }
        rows
    }

    /// The tables' answers through the sweeps (code points in increasing order).
    struct Sweeps {
        sets: [SetSweep; 5],
        upper: MapSweep,
        lower: MapSweep,
        /// SPECIAL_UPPER's rows: the code point, then its uppercase.
        special: Vec<Vec<u32>>,
    }

    impl Sweeps {
        fn new() -> Sweeps {
            use tables::*;
            Sweeps {
                sets: [&ALPHA[..], &DIGIT, &SPACE, &CASED, &IGNORABLE].map(SetSweep::new),
                upper: MapSweep::new(&UPPER),
                lower: MapSweep::new(&LOWER),
                special: special_rows(),
            }
        }
        fn at(&mut self, c: u32) -> Answers {
            let flags = self.sets.iter_mut().enumerate().map(|(b, s)| (s.at(c) as u32) << b).sum();
            let special = self.special.iter().find(|r| r[0] == c);
            let upper = match special {
                Some(r) => r[1..].to_vec(),
                None => std::vec![self.upper.at(c)],
            };
            let lower = if c == 0x130 { std::vec![b'i' as u32, 0x307] } else { std::vec![self.lower.at(c)] };
            Answers { flags, upper, lower }
        }
    }

    /// The lookups' answers about `c` (what the str methods use).
    fn lookups(c: u32) -> Answers {
        let flags = is_alpha(c) as u32
            | (is_digit(c) as u32) << 1
            | (is_space(c) as u32) << 2
            | (is_cased(c) as u32) << 3
            | (is_ignorable(c) as u32) << 4;
        let mut up = [0u32; 3];
        let n = upper(c, &mut up);
        let lower = if c == 0x130 { std::vec![b'i' as u32, 0x307] } else { std::vec![lower(c)] };
        Answers { flags, upper: up[..n].to_vec(), lower }
    }

    fn is_code_point(c: u32) -> bool {
        c < 0x11_0000 && !(0xD800..0xE000).contains(&c)
    }

    #[test]
    fn every_code_point_answers_as_cpython() {
        // `firmware/tools/gen_unicode.py`'s digest of each plane.
        let mut sweeps = Sweeps::new();
        for (plane, &want) in expected::PLANE_DIGESTS.iter().enumerate() {
            let mut h = 0x811C_9DC5u32;
            let mut word = |w: u32| {
                for b in w.to_le_bytes() {
                    h ^= b as u32;
                    h = h.wrapping_mul(0x0100_0193);
                }
            };
            for c in (plane as u32) << 16..(plane as u32 + 1) << 16 {
                if !is_code_point(c) {
                    continue;
                }
                let a = sweeps.at(c);
                word(c);
                word(a.flags);
                a.upper.iter().chain([&0]).chain(&a.lower).chain([&0]).for_each(|&x| word(x));
            }
            assert_eq!(h, want, "plane {plane} (tables from Unicode {})", expected::VERSION);
        }
    }

    #[test]
    fn the_lookups_agree_with_the_sweeps_around_every_boundary() {
        // Where a lookup could go wrong: next to where a set flips or a
        // case run starts or ends; and a spread of the rest.
        let mut at = Vec::new();
        let mut near = |c: u32| at.extend(c.saturating_sub(2)..c + 3);
        for t in [&tables::ALPHA[..], &tables::DIGIT, &tables::SPACE, &tables::CASED, &tables::IGNORABLE] {
            let (mut i, mut c) = (0, 0);
            while i < t.len() {
                c += varint(t, &mut i);
                near(c);
            }
        }
        for t in [&tables::UPPER[..], &tables::LOWER] {
            let (mut i, mut end) = (0, 0);
            while i < t.len() {
                let start = end + varint(t, &mut i);
                let nk = varint(t, &mut i);
                varint(t, &mut i);
                end = start + (nk >> 1) * ((nk & 1) + 1) + 1;
                near(start);
                near(end);
            }
        }
        special_rows().iter().for_each(|r| near(r[0]));
        at.extend((0..0x11_0000).step_by(97));
        at.sort_unstable();
        at.dedup();
        let mut sweeps = Sweeps::new();
        for c in at.into_iter().filter(|&c| is_code_point(c)) {
            let (want, got) = (sweeps.at(c), lookups(c));
            assert_eq!((got.flags, &got.upper, &got.lower), (want.flags, &want.upper, &want.lower), "U+{c:04X}");
        }
    }

    #[test]
    fn a_few_by_name() {
        let up = |c: char| {
            let mut out = [0u32; 3];
            let n = upper(c as u32, &mut out);
            out[..n].iter().map(|&x| char::from_u32(x).unwrap()).collect::<std::string::String>()
        };
        assert_eq!(up('é'), "É");
        assert_eq!(up('ß'), "SS");
        assert_eq!(up('ΐ'), "\u{399}\u{308}\u{301}");
        assert_eq!(up('ﬃ'), "FFI");
        assert_eq!(up('ÿ'), "Ÿ");
        assert_eq!(up('ı'), "I");
        assert_eq!(up('𐐨'), "𐐀");
        assert_eq!(lower('Σ' as u32), 'σ' as u32);
        assert_eq!(lower('Ω' as u32), 'ω' as u32);
        assert_eq!(lower('K' as u32), 'k' as u32);
        assert!(is_alpha('é' as u32) && is_alpha('中' as u32) && !is_alpha('1' as u32) && !is_alpha('·' as u32));
        assert!(is_digit('²' as u32) && is_digit('٣' as u32) && !is_digit('½' as u32));
        assert!(is_space(0x1C) && is_space(0xA0) && is_space(0x3000) && !is_space(0x200B));
    }
}

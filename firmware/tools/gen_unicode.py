#!/usr/bin/env python3
"""Generate firmware/src/unicode/tables.rs: the Unicode tables behind the
device's str.upper, lower, isalpha, isdigit and isspace, taken from the
CPython that runs this script (its str methods are the specification, so the
device answers as that CPython does; the Unicode version is in the output).

    python3 firmware/tools/gen_unicode.py           # rewrite the tables
    python3 firmware/tools/gen_unicode.py --check   # fail if they are stale

Encodings (decoded by firmware/src/unicode.rs; all byte streams, in DRAM
code rodata). A number is a varint: 7 bits a byte, most significant group
first, bit 7 set on every byte but the last.

- A set (alpha, digit, space, cased, case-ignorable): the code points where
  membership flips, as gaps from the previous one (from 0): in from the 1st,
  out from the 2nd, ...
- A case map (upper, lower: the one-character mappings): runs of code points
  `start, start + k, ... start + (n - 1) k` (k is 1 or 2) that all map by
  adding the same delta. Each run is three varints: `start` minus the end
  of the previous run (its last code point + 1), `(n - 1) << 1 | (k - 1)`,
  and the delta zigzagged (`d << 1` for d >= 0, `(-d) << 1 | 1` below 0).
- SPECIAL_UPPER: the code points whose uppercase is 2 or 3 characters, each
  a varint (the code point minus the previous one, from 0) and then its
  characters as indices into PALETTE (the characters these uppercases use,
  at most 128), bit 7 set on every index but the row's last.

Besides the tables, the script writes a digest per 64K plane of what CPython
says for every code point (firmware/src/unicode/expected.rs, test only); the
firmware's unit test computes the same digests from the tables.
"""

import os
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(os.path.dirname(HERE), 'src', 'unicode')
N = 0x110000


def is_surrogate(c):
    return 0xD800 <= c < 0xE000


# Case-ignorable and cased, as CPython's lower() uses them for the final
# sigma rule (Unicode 3.13, "Final_Sigma": a capital sigma lowers to
# final sigma when a cased letter comes before it and none after, skipping
# case-ignorable characters). CPython has no str method for either
# property, so they are read off lower() itself: a character that lets
# 'A' + x + 'Σ' end in 'ς' but not x + 'Σ' is skipped (case-ignorable);
# one that makes x + 'Σ' end in 'ς' is cased. (A character that is both
# counts as case-ignorable: the scan skips it before asking if it is cased.)
def ignorable(x):
    return ('A' + x + 'Σ').lower()[-1] == 'ς' and (x + 'Σ').lower()[-1] == 'σ'


def cased(x):
    return (x + 'Σ').lower()[-1] == 'ς'


SETS = [
    ('ALPHA', 'str.isalpha', str.isalpha),
    ('DIGIT', 'str.isdigit', str.isdigit),
    ('SPACE', 'str.isspace', str.isspace),
    ('CASED', 'cased (before or after a capital sigma, for lower())', cased),
    ('IGNORABLE', 'case-ignorable (skipped around a capital sigma, for lower())', ignorable),
]


def varint(v):
    assert v >= 0
    groups = [v & 0x7F]
    v >>= 7
    while v:
        groups.append(v & 0x7F)
        v >>= 7
    groups.reverse()
    return [g | 0x80 for g in groups[:-1]] + [groups[-1]]


def zigzag(d):
    return d << 1 if d >= 0 else (-d) << 1 | 1


def set_stream(pred):
    out, inside, last = [], False, 0
    for c in range(N):
        p = not is_surrogate(c) and pred(chr(c))
        if p != inside:
            out += varint(c - last)
            last, inside = c, p
    assert not inside
    return out


def case_runs(f):
    """Runs of the one-character mappings of `f` (str.upper or str.lower)."""
    pairs = []
    for c in range(N):
        if is_surrogate(c):
            continue
        t = f(chr(c))
        if len(t) == 1 and t != chr(c):
            pairs.append((c, ord(t) - c))
    runs, i = [], 0
    while i < len(pairs):
        c, d = pairs[i]
        best_n, best_k = 1, 1
        for k in (1, 2):
            j = i + 1
            while j < len(pairs) and pairs[j] == (c + k * (j - i), d):
                j += 1
            if j - i > best_n:
                best_n, best_k = j - i, k
        runs.append((c, best_n, best_k, d))
        i += best_n
    return runs


def map_stream(f):
    out, end = [], 0
    for start, n, k, d in case_runs(f):
        out += varint(start - end) + varint((n - 1) << 1 | (k - 1)) + varint(zigzag(d))
        end = start + (n - 1) * k + 1
    return out


def special_upper():
    """The SPECIAL_UPPER stream and its PALETTE."""
    rows = [(c, chr(c).upper()) for c in range(N) if not is_surrogate(c) and len(chr(c).upper()) > 1]
    palette = sorted(set(ord(x) for _, t in rows for x in t))
    assert len(palette) <= 128 and all(x < 0x10000 for x in palette)
    out, last = [], 0
    for c, t in rows:
        out += varint(c - last)
        last = c
        idx = [palette.index(ord(x)) for x in t]
        out += [i | 0x80 for i in idx[:-1]] + idx[-1:]
    return out, palette, len(rows)


def check_assumptions():
    """What unicode.rs takes for granted about CPython's case mapping."""
    lower_multi = [c for c in range(N) if not is_surrogate(c) and len(chr(c).lower()) > 1]
    assert lower_multi == [0x130] and chr(0x130).lower() == 'i\u0307', lower_multi
    assert 'ΑΣ'.lower() == 'ας' and 'Σ'.lower() == 'σ' and 'ΑΣΑ'.lower() == 'ασα'


def rust_bytes(name, doc, data):
    lines = ['/// %s (%d bytes).' % (doc, len(data)), 'pub static %s: [u8; %d] = [' % (name, len(data))]
    for i in range(0, len(data), 20):
        lines.append('    ' + ', '.join('%d' % b for b in data[i:i + 20]) + ',')
    lines.append('];')
    return '\n'.join(lines)


def tables():
    check_assumptions()
    parts = [
        '//! GENERATED by firmware/tools/gen_unicode.py from CPython %d.%d.%d (Unicode %s): do not edit.'
        % (sys.version_info[:3] + (unicodedata.unidata_version,)),
        '//! The encodings are described there and decoded by `unicode.rs`.',
    ]
    for name, doc, pred in SETS:
        parts.append('')
        parts.append(rust_bytes(name, 'The set of ' + doc, set_stream(pred)))
    for name, f in (('UPPER', str.upper), ('LOWER', str.lower)):
        parts.append('')
        parts.append(rust_bytes(name, 'The one-character mappings of str.%s' % f.__name__, map_stream(f)))
    stream, palette, n = special_upper()
    parts.append('')
    parts.append(rust_bytes('SPECIAL_UPPER', 'The %d code points whose str.upper is 2 or 3 characters' % n, stream))
    parts.append('')
    parts.append('/// The characters of those uppercases (%d bytes).' % (2 * len(palette)))
    parts.append('pub static PALETTE: [u16; %d] = [' % len(palette))
    for i in range(0, len(palette), 10):
        parts.append('    ' + ', '.join('0x%04X' % x for x in palette[i:i + 10]) + ',')
    parts.append('];')
    return '\n'.join(parts) + '\n'


# The digest of what CPython says about the code points of one plane: FNV-1a
# over 32-bit words, per code point c (surrogates skipped): c, the flags
# (alpha 1, digit 2, space 4, cased 8, case-ignorable 16), then the code
# points of c.upper(), a 0, the code points of c.lower(), a 0.
# firmware/src/unicode.rs's test computes the same.
def digest(plane):
    h = 0x811C9DC5

    def word(w):
        nonlocal h
        for i in range(4):
            h ^= (w >> (8 * i)) & 0xFF
            h = (h * 0x01000193) & 0xFFFFFFFF

    for c in range(plane << 16, (plane + 1) << 16):
        if is_surrogate(c):
            continue
        x = chr(c)
        flags = sum(bit for bit, (_, _, pred) in zip((1, 2, 4, 8, 16), SETS) if pred(x))
        word(c)
        word(flags)
        for t in (x.upper(), x.lower()):
            for y in t:
                word(ord(y))
            word(0)
    return h


def expected():
    digests = [digest(p) for p in range(N >> 16)]
    lines = [
        '//! GENERATED by firmware/tools/gen_unicode.py from CPython %d.%d.%d (Unicode %s): do not edit.'
        % (sys.version_info[:3] + (unicodedata.unidata_version,)),
        '//! What CPython says about every code point, a digest per plane (the',
        '//! script has the definition); `unicode::tests` computes the same from the tables.',
        '',
        '/// The Unicode version of the tables (CPython\'s `unicodedata.unidata_version`).',
        'pub const VERSION: &str = "%s";' % unicodedata.unidata_version,
        '',
        'pub const PLANE_DIGESTS: [u32; %d] = [' % len(digests),
    ]
    lines += ['    0x%08X,' % d for d in digests]
    lines.append('];')
    return '\n'.join(lines) + '\n'


def main():
    check = '--check' in sys.argv[1:]
    stale = []
    for name, text in (('tables.rs', tables()), ('expected.rs', expected())):
        path = os.path.join(OUT_DIR, name)
        old = open(path, encoding='utf-8').read() if os.path.exists(path) else None
        if check:
            if old != text:
                stale.append(path)
        elif old != text:
            os.makedirs(OUT_DIR, exist_ok=True)
            with open(path, 'w', encoding='utf-8') as f:
                f.write(text)
            print('wrote', path)
    if stale:
        sys.exit('stale (run firmware/tools/gen_unicode.py): ' + ', '.join(stale))


if __name__ == '__main__':
    main()

//! The VM arena: this core's private words of SRAM (`layout::ARENA_START..
//! ARENA_END`), indexed in words. Every access goes through `get`, so no
//! bytecode, verified or not, can touch memory outside the arena: an
//! out-of-range read gives 0, an out-of-range write is dropped.
//!
//! ```text
//! word 0     the image (copied from the inbox, then verified)
//! globals    2 words per global (a Value)
//! locals     2 words per local slot of the running function
//! stack      the operand stack, 2 words per Value, growing up
//! ```
//! While the verifier runs, the words after the image are its scratch space.

use core::cmp::Ordering;

use crate::value::Value;

pub fn word(m: &[u32], i: usize) -> u32 {
    m.get(i).copied().unwrap_or(0)
}

pub fn set_word(m: &mut [u32], i: usize, w: u32) {
    if let Some(slot) = m.get_mut(i) {
        *slot = w;
    }
}

/// Byte `i` of the arena (words are little-endian, as in the image).
pub fn byte(m: &[u32], i: usize) -> u8 {
    (word(m, i / 4) >> (i % 4 * 8)) as u8
}

pub fn set_byte(m: &mut [u32], i: usize, b: u8) {
    let shift = i % 4 * 8;
    let w = word(m, i / 4) & !(0xFF << shift) | (b as u32) << shift;
    set_word(m, i / 4, w);
}

/// The little-endian u16 at byte `i`.
pub fn half(m: &[u32], i: usize) -> u32 {
    byte(m, i) as u32 | (byte(m, i + 1) as u32) << 8
}

pub fn load(m: &[u32], i: usize) -> Value {
    Value::from_words(word(m, i), word(m, i + 1))
}

pub fn store(m: &mut [u32], i: usize, v: Value) {
    let [tag, payload] = v.to_words();
    set_word(m, i, tag);
    set_word(m, i + 1, payload);
}

/// Byte length of the Str at word `at`.
pub fn str_len(m: &[u32], at: u32) -> u32 {
    word(m, at as usize) >> 8
}

pub fn str_byte(m: &[u32], at: u32, i: u32) -> u8 {
    byte(m, (at as usize + 1) * 4 + i as usize)
}

/// Bytewise order of two Strs (UTF-8 byte order is code point order).
pub fn str_cmp(m: &[u32], a: u32, b: u32) -> Ordering {
    let (la, lb) = (str_len(m, a), str_len(m, b));
    for i in 0..la.min(lb) {
        match str_byte(m, a, i).cmp(&str_byte(m, b, i)) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    la.cmp(&lb)
}

//! The VM's memory. The arena is this core's private words of SRAM
//! (`layout::ARENA_START..ARENA_END`); [`Mem`] extends it with the core's
//! DRAM spill area into one space of word offsets (SRAM first). Every access
//! is bounds-checked, so no bytecode, verified or not, can touch memory
//! outside them: an out-of-range read gives 0, an out-of-range write is
//! dropped. `vm` has the layout (image, globals, frame segments, heap).
//! While the verifier runs, the words after the image are its scratch space.

// `inline(never)` only on the firmware targets (`cfg(firmware_target)`: it
// keeps the firmware image small); on the host (the simulator) the accessors
// are `inline(always)` (their DRAM halves out of line), so they inline into
// the run loop, which is what the benchmarks time. Same code, same paths:
// only the inlining differs.

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

/// The VM's memory: one space of 32-bit word offsets. Offsets below
/// `sram.len()` are the SRAM arena (fast); the ones above are the core's DRAM
/// spill area, reached only through the shared word accessors (design.md §8).
/// Out-of-range reads give 0 and out-of-range writes are dropped, whatever
/// the bytecode does.
pub struct Mem<'a> {
    pub sram: &'a mut [u32],
    pub spill: crate::shared::Shared,
}

impl Mem<'_> {
    /// Total words (SRAM then DRAM).
    pub fn words(&self) -> u32 {
        self.sram.len() as u32 + self.spill.len() / 4
    }

    fn spill_off(&self, i: u32) -> u32 {
        i.wrapping_sub(self.sram.len() as u32).saturating_mul(4)
    }

    #[cfg_attr(firmware_target, inline(never))]
    #[cfg_attr(not(firmware_target), inline(always))]
    pub fn word(&self, i: u32) -> u32 {
        match self.sram.get(i as usize) {
            Some(w) => *w,
            None => self.spill_word(i),
        }
    }

    // The DRAM halves of `word` and `set`: out of line where the accessors
    // are inlined (the host), so the inlined SRAM path stays short.
    #[cfg_attr(not(firmware_target), inline(never), cold)]
    fn spill_word(&self, i: u32) -> u32 {
        self.spill.load(self.spill_off(i))
    }

    #[cfg_attr(not(firmware_target), inline(never), cold)]
    fn spill_set(&self, i: u32, w: u32) {
        self.spill.store(self.spill_off(i), w)
    }

    #[cfg_attr(firmware_target, inline(never))]
    #[cfg_attr(not(firmware_target), inline(always))]
    pub fn set(&mut self, i: u32, w: u32) {
        match self.sram.get_mut(i as usize) {
            Some(slot) => *slot = w,
            None => self.spill_set(i, w),
        }
    }

    /// Words `i..i + N` when all of them are in SRAM, to work on in place
    /// (one bounds check, and the slice's address stays in a register);
    /// `None` when any is in DRAM or out of range: the caller then goes
    /// through `word`/`set`. The dispatch loop's fast paths use it.
    #[cfg_attr(firmware_target, inline(never))]
    #[cfg_attr(not(firmware_target), inline(always))]
    pub fn sram_words<const N: usize>(&mut self, i: u32) -> Option<&mut [u32; N]> {
        let end = (i as usize).checked_add(N)?;
        self.sram.get_mut(i as usize..end)?.try_into().ok()
    }

    /// The two words of the value at `i`.
    #[cfg_attr(firmware_target, inline(never))]
    #[cfg_attr(not(firmware_target), inline(always))]
    pub fn pair(&self, i: u32) -> [u32; 2] {
        let words = (i as usize).checked_add(2).and_then(|end| self.sram.get(i as usize..end));
        match words {
            Some(&[tag, payload]) => [tag, payload],
            _ => [self.word(i), self.word(i.wrapping_add(1))],
        }
    }

    /// Store the two words of a value at `i`.
    #[cfg_attr(firmware_target, inline(never))]
    #[cfg_attr(not(firmware_target), inline(always))]
    pub fn set_pair(&mut self, i: u32, w: [u32; 2]) {
        match self.sram_words::<2>(i) {
            Some(slot) => *slot = w,
            None => {
                self.set(i, w[0]);
                self.set(i.wrapping_add(1), w[1]);
            }
        }
    }

    #[cfg_attr(firmware_target, inline(never))]
    #[cfg_attr(not(firmware_target), inline(always))]
    pub fn load(&self, i: u32) -> Value {
        let [tag, payload] = self.pair(i);
        Value::from_words(tag, payload)
    }

    #[cfg_attr(firmware_target, inline(never))]
    #[cfg_attr(not(firmware_target), inline(always))]
    pub fn store(&mut self, i: u32, v: Value) {
        self.set_pair(i, v.to_words());
    }

    /// Byte `i` of the space (words are little-endian).
    #[cfg_attr(firmware_target, inline(never))]
    #[cfg_attr(not(firmware_target), inline(always))]
    pub fn byte(&self, i: u32) -> u8 {
        (self.word(i / 4) >> (i % 4 * 8)) as u8
    }

    /// The little-endian u16 at byte `i`.
    pub fn half(&self, i: u32) -> u32 {
        self.byte(i) as u32 | (self.byte(i.wrapping_add(1)) as u32) << 8
    }

    #[cfg_attr(firmware_target, inline(never))]
    #[cfg_attr(not(firmware_target), inline(always))]
    pub fn set_byte(&mut self, i: u32, b: u8) {
        let shift = i % 4 * 8;
        let w = self.word(i / 4) & !(0xFF << shift) | (b as u32) << shift;
        self.set(i / 4, w);
    }

    /// Copy the value (two words) at `src` to `dst`; returns its tag.
    #[cfg_attr(firmware_target, inline(never))]
    #[cfg_attr(not(firmware_target), inline(always))]
    pub fn copy_value(&mut self, dst: u32, src: u32) -> u32 {
        let w = self.pair(src);
        self.set_pair(dst, w);
        w[0]
    }

    /// Copy `n` words from `src` to `dst` (the ranges may overlap).
    pub fn copy(&mut self, dst: u32, src: u32, n: u32) {
        if dst > src {
            for i in (0..n).rev() {
                self.set(dst + i, self.word(src + i));
            }
        } else {
            for i in 0..n {
                self.set(dst + i, self.word(src + i));
            }
        }
    }

    /// Byte length of the Str at word `at`.
    pub fn str_len(&self, at: u32) -> u32 {
        self.word(at) >> 8
    }

    /// Byte `i` of the Str at word `at`.
    pub fn str_byte(&self, at: u32, i: u32) -> u8 {
        self.byte((at + 1) * 4 + i)
    }

    /// Bytewise order of two Strs (UTF-8 byte order is code point order).
    pub fn str_cmp(&self, a: u32, b: u32) -> Ordering {
        let (la, lb) = (self.str_len(a), self.str_len(b));
        for i in 0..la.min(lb) {
            match self.str_byte(a, i).cmp(&self.str_byte(b, i)) {
                Ordering::Equal => {}
                other => return other,
            }
        }
        la.cmp(&lb)
    }
}

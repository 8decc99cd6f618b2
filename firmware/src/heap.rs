//! The VM heap: objects in VM memory (`arena::Mem`), addressed by word
//! offsets, in two regions (the rest of the SRAM arena, then most of the DRAM
//! spill area), threaded by one free list. Non-moving mark-sweep:
//!
//! - Every block starts with a GC word: `size` (words, GC word included,
//!   always even) | `FREE` | `MARK`. A free block's next word links the free
//!   list (0 ends it). An object's offset is the word after its GC word.
//! - An object is a head word `kind | n << 8` followed, except for Strs, by
//!   Values (2 words each) only, so the marker needs no per-kind layout:
//!
//! ```text
//! Str    STR   | bytes << 8   UTF-8 bytes, 0-padded (the value encoding)
//! Tuple  TUPLE | n << 8       n values
//! List   LIST  | len << 8     one value: Array(items)
//! Array  ARRAY | cap << 8     cap values (a list's items; the rest Unbound)
//! Func   FUNC  | index << 8   two values: the defaults (a Tuple or None) and
//!                             the closure (a Tuple of cells, or Unbound)
//! Range  RANGE                start, stop, step (Ints)
//! Iter   ITER  | kind << 8    three values (`seq::next`)
//! ```
//!
//! - Allocation is first fit, cut from the end of the free block (no
//!   relinking). When nothing fits: collect, retry, else MemoryError.
//! - Marking is not recursive and needs no stack: roots are marked, then
//!   the heap is scanned linearly, tracing marked objects, until a scan marks
//!   nothing new (`Marker`).
//! - Sweeping coalesces neighbouring free blocks and rebuilds the list.
//!
//! Roots (globals, every frame's locals and operand stack, the VM's temporary
//! slots) are the VM's business (`vm::Vm::collect`): an object is live only
//! while something there refers to it, so ops allocate before they pop.

use crate::arena::Mem;
use crate::value::Value;

pub const MARK: u32 = 1 << 31;
pub const FREE: u32 = 1 << 30;
pub const SIZE: u32 = FREE - 1;

pub use shared_protocol::value::{LIST, STR, TUPLE};
pub const FUNC: u32 = 8;
pub const RANGE: u32 = 9;
pub const ITER: u32 = 10;
pub const ARRAY: u32 = 11;

pub struct Heap {
    pub free: u32,
    pub regions: [(u32, u32); 2],
}

impl Heap {
    /// A heap over `regions` (half-open word ranges; empty ones allowed).
    pub fn new(m: &mut Mem, regions: [(u32, u32); 2]) -> Heap {
        let mut h = Heap {
            free: 0,
            regions: [(0, 0); 2],
        };
        // Pushed last, region 0 (SRAM) heads the list: allocation tries it first.
        for (i, (lo, hi)) in regions.into_iter().enumerate().rev() {
            let hi = lo + (hi.saturating_sub(lo) & !1);
            if hi > lo {
                h.regions[i] = (lo, hi);
                m.set(lo, FREE | (hi - lo));
                m.set(lo + 1, h.free);
                h.free = lo;
            }
        }
        h
    }

    pub fn contains(&self, p: u32) -> bool {
        self.regions.iter().any(|&(lo, hi)| p > lo && p < hi)
    }

    /// An object of `words` words (head included), zeroed; `None` when no
    /// free block is big enough (the caller collects and retries).
    pub fn alloc(&mut self, m: &mut Mem, words: u32) -> Option<u32> {
        let need = words.checked_add(2)? & !1;
        let (mut prev, mut q) = (0, self.free);
        while q != 0 {
            let size = m.word(q) & SIZE;
            if size >= need {
                let r = if size - need >= 2 {
                    m.set(q, FREE | (size - need));
                    q + size - need
                } else {
                    let next = m.word(q + 1);
                    if prev == 0 {
                        self.free = next;
                    } else {
                        m.set(prev + 1, next);
                    }
                    q
                };
                m.set(r, need);
                for i in 1..need {
                    m.set(r + i, 0);
                }
                return Some(r + 1);
            }
            prev = q;
            q = m.word(q + 1);
        }
        None
    }

    /// Free every unmarked block, coalescing, and clear the marks.
    pub fn sweep(&mut self, m: &mut Mem) {
        self.free = 0;
        // Region 0 (SRAM) last, so its blocks head the free list again.
        for (lo, hi) in self.regions.into_iter().rev() {
            let mut q = lo;
            while q < hi {
                let g = m.word(q);
                if g & SIZE == 0 {
                    break;
                }
                if g & MARK != 0 {
                    m.set(q, g & !MARK);
                    q += g & SIZE;
                    continue;
                }
                let mut run = g & SIZE;
                while q + run < hi {
                    let g2 = m.word(q + run);
                    if g2 & MARK != 0 || g2 & SIZE == 0 {
                        break;
                    }
                    run += g2 & SIZE;
                }
                m.set(q, FREE | run);
                m.set(q + 1, self.free);
                self.free = q;
                q += run;
            }
        }
    }
}

/// The marker: marks are set on the roots, then the heap is scanned in
/// address order, tracing every marked object, until a scan marks nothing
/// new. Lists are usually allocated below their items (blocks are cut from
/// the end of free space), so one or two scans are the common case; the
/// worst case costs one scan per nesting level, and no stack at all.
pub struct Marker {
    changed: bool,
}

impl Marker {
    pub fn new() -> Marker {
        Marker { changed: false }
    }

    pub fn mark(&mut self, m: &mut Mem, h: &Heap, v: Value) {
        let Some(p) = v.object().filter(|&p| h.contains(p)) else {
            return;
        };
        let g = m.word(p - 1);
        if g & (MARK | FREE) == 0 {
            m.set(p - 1, g | MARK);
            self.changed = true;
        }
    }

    /// Mark the `n` values from word `at`.
    pub fn mark_range(&mut self, m: &mut Mem, h: &Heap, at: u32, n: u32) {
        for i in 0..n {
            self.mark(m, h, m.load(at + 2 * i));
        }
    }

    /// Trace everything reachable from what is marked.
    pub fn finish(&mut self, m: &mut Mem, h: &Heap) {
        while self.changed {
            self.changed = false;
            for (lo, hi) in h.regions {
                let mut q = lo;
                while q < hi {
                    let g = m.word(q);
                    if g & SIZE == 0 {
                        break;
                    }
                    if g & MARK != 0 && m.word(q + 1) & 0xFF != STR {
                        self.mark_range(m, h, q + 2, ((g & SIZE) - 2) / 2);
                    }
                    q += g & SIZE;
                }
            }
        }
    }
}

impl Default for Marker {
    fn default() -> Self {
        Self::new()
    }
}

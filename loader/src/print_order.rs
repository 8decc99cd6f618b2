//! Output lines of a launch group in barrier order: a line a core printed
//! before a barrier of the group (`sync`, `reduce`, `bcast`) goes out
//! before every line any core of the group printed after it; each core's
//! lines keep their order; lines between the same two barriers go out in
//! the order they were read.
//!
//! How, without asking the cores anything: each core counts the barriers it
//! has passed (its epoch, `mailbox::status::EPOCH`) and every Print event
//! carries the count at its print. A line counts from the print that ends
//! it (its newline). Each look at a core reads EPOCH first and then the
//! core's event ring: the core wrote every line of an earlier epoch before
//! it stored that count (one writer, its own DRAM area, in program order:
//! the ordering the event ring's records and EVENT_HEAD rely on already),
//! so after the look all of them are here, and the core prints nothing of
//! an earlier epoch again. A core is also known to be at least at the
//! epoch of the last line read from it. The floor is the lowest epoch a
//! core still running is known to be at: every line of an epoch at or below
//! the floor can go out, since no line of a lower epoch can come any more.
//! Lines above it are held until a later look raises it; a core that ended
//! holds nothing back.
//!
//! So lines of the lowest epoch still running go out as they are read, and
//! a core held back is one that has passed a barrier another core has not
//! yet been seen past. With `sync` and `reduce` nobody gets far ahead (the
//! barrier waits for everyone); a `bcast` root does not wait for the other
//! cores, and may print a lot ahead of them. Held text is capped at
//! [`HOLD_LIMIT`] bytes per launch: beyond it the oldest held lines go out
//! early (the order is given up for them) rather than grow the host's
//! memory without bound or stop the core (which could deadlock a group
//! whose other cores wait for it).

use shared_protocol::CoreId;

/// Bytes of held lines a launch keeps at most (see the module comment).
pub const HOLD_LIMIT: usize = 1 << 20;

/// Whether epoch `a` is after epoch `b` (epochs count from 0 in each
/// launch and may wrap: the cores of a group are never 2^31 barriers apart).
fn after(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) > 0
}

/// The later of two epochs.
pub(crate) fn later(a: u32, b: u32) -> u32 {
    if after(a, b) { a } else { b }
}

struct Held {
    epoch: u32,
    core: CoreId,
    text: String,
}

/// One launch group's lines on their way out.
pub(crate) struct PrintOrder {
    /// Off for a group of one core: its lines go out as they come.
    ordered: bool,
    /// Lines of this epoch or an earlier one go out as they come.
    floor: u32,
    /// Lines of later epochs, in the order they were read.
    held: Vec<Held>,
    held_bytes: usize,
}

impl PrintOrder {
    pub fn new(cores: usize) -> PrintOrder {
        PrintOrder { ordered: cores > 1, floor: 0, held: Vec::new(), held_bytes: 0 }
    }

    /// A complete line `core` printed in `epoch`: out now, or held.
    pub fn line(&mut self, core: CoreId, epoch: u32, text: String, on_line: &mut dyn FnMut(CoreId, &str)) {
        if !self.ordered || !after(epoch, self.floor) {
            on_line(core, &text);
            return;
        }
        self.held_bytes += text.len();
        self.held.push(Held { epoch, core, text });
        if self.held_bytes > HOLD_LIMIT {
            let floor = self.floor;
            self.release(floor, |_, bytes_left| bytes_left > HOLD_LIMIT / 2, on_line);
        }
    }

    /// After a look at every core still running: `running` gives the epoch
    /// each is known to be at (see the module comment). Lines up to the
    /// lowest go out, in epoch order; with no core running, all of them.
    pub fn advance(&mut self, running: impl Iterator<Item = u32>, on_line: &mut dyn FnMut(CoreId, &str)) {
        if !self.ordered {
            return;
        }
        let floor = self.floor;
        let lowest = running.map(|e| e.wrapping_sub(floor) as i32).min();
        match lowest {
            None => self.release_all(on_line),
            Some(d) => {
                if d > 0 {
                    self.floor = floor.wrapping_add(d as u32);
                }
                let to = self.floor;
                self.release(floor, |h, _| !after(h.epoch, to), on_line);
            }
        }
    }

    /// Everything held, in epoch order (the launch has ended, or failed).
    pub fn release_all(&mut self, on_line: &mut dyn FnMut(CoreId, &str)) {
        let floor = self.floor;
        self.release(floor, |_, _| true, on_line);
    }

    /// Sort the held lines by epoch (stable: each core's stay in order)
    /// and let out the leading ones `go` agrees to (given the bytes held
    /// before each). `floor`: the floor they were held at (every held
    /// epoch is after it: they sort by their distance from it).
    fn release(&mut self, floor: u32, go: impl Fn(&Held, usize) -> bool, on_line: &mut dyn FnMut(CoreId, &str)) {
        if self.held.is_empty() {
            return;
        }
        self.held.sort_by_key(|h| h.epoch.wrapping_sub(floor));
        let mut out = 0;
        for h in &self.held {
            if !go(h, self.held_bytes) {
                break;
            }
            self.held_bytes -= h.text.len();
            out += 1;
        }
        for h in self.held.drain(..out) {
            on_line(h.core, &h.text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(order: &mut PrintOrder, out: &mut Vec<(u32, String)>, f: impl FnOnce(&mut PrintOrder, &mut dyn FnMut(CoreId, &str))) {
        f(order, &mut |c, t| out.push((c.0, t.to_owned())));
    }

    #[test]
    fn lines_above_the_floor_wait_for_every_running_core() {
        let mut o = PrintOrder::new(3);
        let mut out = Vec::new();
        run(&mut o, &mut out, |o, f| {
            o.line(CoreId(0), 0, "a0".into(), f);
            o.line(CoreId(0), 1, "a1".into(), f);
        });
        assert_eq!(out, [(0, "a0".to_owned())]);
        // Core 1 seen at epoch 1, core 2 still at 0: nothing more.
        run(&mut o, &mut out, |o, f| o.advance([1, 1, 0].into_iter(), f));
        assert_eq!(out.len(), 1);
        // Core 2's epoch-0 line goes straight out, ahead of a1.
        run(&mut o, &mut out, |o, f| o.line(CoreId(2), 0, "c0".into(), f));
        run(&mut o, &mut out, |o, f| o.line(CoreId(1), 2, "b2".into(), f));
        run(&mut o, &mut out, |o, f| o.line(CoreId(2), 1, "c1".into(), f));
        run(&mut o, &mut out, |o, f| o.advance([1, 2, 1].into_iter(), f));
        let texts: Vec<&str> = out.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(texts, ["a0", "c0", "a1", "c1"]);
        // Cores 0 and 2 end: the rest goes out.
        run(&mut o, &mut out, |o, f| o.advance([2].into_iter(), f));
        run(&mut o, &mut out, |o, f| o.advance(std::iter::empty(), f));
        assert_eq!(out.last().unwrap().1, "b2");
        assert_eq!(out.len(), 5);
    }

    #[test]
    fn release_is_in_epoch_order_and_keeps_each_cores_order() {
        let mut o = PrintOrder::new(2);
        let mut out = Vec::new();
        run(&mut o, &mut out, |o, f| {
            o.line(CoreId(0), 2, "x2a".into(), f);
            o.line(CoreId(1), 1, "y1".into(), f);
            o.line(CoreId(0), 2, "x2b".into(), f);
            o.line(CoreId(0), 3, "x3".into(), f);
            o.advance([3, 2].into_iter(), f);
        });
        let texts: Vec<&str> = out.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(texts, ["y1", "x2a", "x2b"]);
    }

    #[test]
    fn epochs_wrap() {
        let mut o = PrintOrder::new(2);
        o.floor = u32::MAX - 1;
        let mut out = Vec::new();
        run(&mut o, &mut out, |o, f| {
            o.line(CoreId(0), 1, "late".into(), f);
            o.line(CoreId(1), u32::MAX, "early".into(), f);
            o.advance([1, 1].into_iter(), f);
        });
        let texts: Vec<&str> = out.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(texts, ["early", "late"]);
        assert_eq!(o.floor, 1);
    }

    #[test]
    fn held_text_is_bounded() {
        let mut o = PrintOrder::new(2);
        let mut out = Vec::new();
        let line = "x".repeat(1000);
        run(&mut o, &mut out, |o, f| {
            for _ in 0..2000 {
                o.line(CoreId(0), 1, line.clone(), f);
            }
        });
        assert!(o.held_bytes <= HOLD_LIMIT, "{} bytes held", o.held_bytes);
        assert!(!out.is_empty());
        run(&mut o, &mut out, |o, f| o.release_all(f));
        assert_eq!(out.len(), 2000);
    }

    #[test]
    fn one_core_is_never_held() {
        let mut o = PrintOrder::new(1);
        let mut out = Vec::new();
        run(&mut o, &mut out, |o, f| o.line(CoreId(4), 7, "now".into(), f));
        assert_eq!(out, [(4, "now".to_owned())]);
    }
}

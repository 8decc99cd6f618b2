//! The firmware's decoders of what the host writes: the command slot's words
//! (kind, group, image/argument/binding offsets and lengths), the kernel
//! arguments' value encoding and the device-data bindings in the inbox, and
//! the data store's tables. A valid kernel image sits at the inbox's start;
//! the rest comes from the input. The core must refuse bad data (an
//! exception or a fault report), never read or write outside its windows.
//!
//! Input: 1 flag byte, then 6 command argument words when flag bit 0 is set
//! (else the loader's layout is used), the kind word when bit 1 is set, then
//! the argument words and 1/4 of what is left as data-store bytes.
#![no_main]

use std::sync::OnceLock;

use epython_fuzz::{run_command, Host};
use libfuzzer_sys::fuzz_target;

fn kernel() -> &'static [u8] {
    static IMAGE: OnceLock<Vec<u8>> = OnceLock::new();
    IMAGE.get_or_init(|| {
        let src = "g = [1, 2]\ndef k(a, b=2, *, c=3):\n    g.append(a)\n    return [a, b, c, g, len(g)]\n";
        match compiler::compile_kernel(src, "fuzz.py", 1, "k") {
            Ok(p) => p.image,
            Err(e) => panic!("the fuzz kernel does not compile: {e}"),
        }
    })
}

fn words(bytes: &[u8]) -> Vec<u32> {
    bytes.chunks(4).map(|c| {
        let mut w = [0u8; 4];
        w[..c.len()].copy_from_slice(c);
        u32::from_le_bytes(w)
    }).collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, mut rest)) = data.split_first() else { return };
    let mut raw_args = None;
    if flags & 1 != 0 {
        if rest.len() < 24 {
            return;
        }
        let w = words(&rest[..24]);
        raw_args = Some([w[0], w[1], w[2], w[3], w[4], w[5]]);
        rest = &rest[24..];
    }
    let mut kind = None;
    if flags & 2 != 0 {
        if rest.len() < 4 {
            return;
        }
        kind = Some(words(&rest[..4])[0]);
        rest = &rest[4..];
    }
    let split = rest.len() - rest.len() / 4;
    let (arg_bytes, store) = rest.split_at(split);
    let image = kernel();
    let mut c = run_command(image, &words(arg_bytes));
    if flags & 4 != 0 {
        // Bindings: the argument bytes' first words as (global, slot) pairs.
        let pairs = words(arg_bytes);
        let n = pairs.len() / 2;
        c.args[4] = c.inbox.len() as u32;
        c.args[5] = 8 * n as u32;
        for w in &pairs[..2 * n] {
            c.inbox.extend_from_slice(&w.to_le_bytes());
        }
    }
    if let Some(a) = raw_args {
        c.args = a;
    }
    if let Some(k) = kind {
        c.kind = k;
    }
    c.group_size = u32::from(flags >> 4);
    c.data_store = store.to_vec();
    Host::new(c).run();
});

//! The loader's decoder of a core's event ring: any ring contents and any
//! read/publish positions give events or an error, never a panic.
//!
//! Input: tail (4 bytes), head - tail (4 bytes), then the ring's bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let tail = u32::from_le_bytes([data[0], data[1], data[2], data[3]]);
    let published = u32::from_le_bytes([data[4], data[5], data[6], data[7]]);
    // Mostly plausible amounts: within the ring and word aligned.
    let published = if published & 0x8000_0000 != 0 { published } else { (published % 0x1_0000) & !3 };
    let tail = if tail & 0x8000_0000 != 0 { tail } else { tail & !3 };
    let _ = loader::fuzzing::parse_event_ring(&data[8..], tail, tail.wrapping_add(published));
});

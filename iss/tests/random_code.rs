//! Any bytes as code end in a stop the host can report, never a panic:
//! random words, random words mostly made of valid encodings, jumps into
//! data, a runaway PC. (The `iss_code` fuzz target runs the same body.)

mod common;

use common::Rng;
use iss::{Fault, Stop};

fn program(rng: &mut Rng, words: usize, valid_bias: bool) -> Vec<u8> {
    let mut data = Vec::with_capacity(68 + 4 * words);
    for _ in 0..17 {
        data.extend_from_slice(&rng.next_u32().to_le_bytes());
    }
    for _ in 0..words {
        let mut w = rng.next_u32();
        if valid_bias {
            // Clear the high half's register fields often, and pick common
            // families, so more words decode to real instructions.
            w &= if rng.next_u32().is_multiple_of(2) { 0x00FF_FFFF } else { u32::MAX };
        }
        data.extend_from_slice(&w.to_le_bytes());
    }
    data
}

#[test]
fn random_code_always_stops_cleanly() {
    let mut rng = Rng(0xC0DE_0001);
    let mut stops = std::collections::BTreeMap::new();
    for i in 0..3000 {
        let data = program(&mut rng, 64 + (i % 512), i.is_multiple_of(2));
        let stop = iss::arbitrary::run_bytes(&data);
        let kind = match stop {
            Stop::Budget => "budget",
            Stop::Idle => "idle",
            Stop::Trap { .. } => "trap",
            Stop::Breakpoint => "bkpt",
            Stop::Fault(Fault::FetchUnmapped { .. }) => "fetch unmapped",
            Stop::Fault(Fault::FetchRegisterPage { .. }) => "fetch register page",
            Stop::Fault(Fault::Unmapped { .. }) => "unmapped access",
            Stop::Fault(Fault::Exception { .. }) => "exception",
            Stop::Fault(Fault::DmaNotModelled { .. }) => "dma",
            Stop::Fault(Fault::SimulatorBug { .. }) => panic!("the ISS reported its own failure"),
        };
        *stops.entry(kind).or_insert(0) += 1;
    }
    eprintln!("3000 random programs stopped: {stops:?}");
    // The generator must reach the interesting endings, not only one.
    assert!(stops.len() >= 4, "{stops:?}");
}

#[test]
fn running_off_the_end_of_sram_is_a_fetch_fault() {
    // Zeroed SRAM is `beq .` with AZ clear: it falls through, half-word by
    // half-word, to 0x8000, where no memory answers.
    let mut data = vec![0u8; 68];
    data.extend(std::iter::repeat_n(0u8, 0x8000));
    data[64..68].copy_from_slice(&0x7F00u32.to_le_bytes());
    assert_eq!(iss::arbitrary::run_bytes(&data), Stop::Fault(Fault::FetchUnmapped { pc: 0x8000 }));
}

//! The Epiphany instruction-set simulator on arbitrary bytes as code and
//! state (iss/src/arbitrary.rs): it must stop cleanly, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = iss::arbitrary::run_bytes(data);
});

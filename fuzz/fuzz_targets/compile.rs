//! The compiler (tests/src/fuzz.rs `compile`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    e2e_tests::fuzz::compile(data);
});

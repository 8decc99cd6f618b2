//! The bytecode verifier and the VM (tests/src/fuzz.rs `vm`). Seeded with
//! the test programs compiled to images (fuzz/run.sh).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    e2e_tests::fuzz::vm(data);
});

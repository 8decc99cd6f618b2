//! The firmware's mailbox decoders (tests/src/fuzz.rs `firmware_mailbox`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    e2e_tests::fuzz::firmware_mailbox(data);
});

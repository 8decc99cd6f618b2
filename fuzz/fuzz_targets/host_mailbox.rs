//! The loader's event-ring decoder (tests/src/fuzz.rs `host_mailbox`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    e2e_tests::fuzz::host_mailbox(data);
});

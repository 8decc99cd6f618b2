//! Helpers for the end-to-end tests. Most live in the test files; the
//! program generator of the differential test (tests/diff.rs) is here so its
//! own unit tests run with `cargo test -p e2e-tests --lib`.

pub mod progen;

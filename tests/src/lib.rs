//! Helpers for the end-to-end tests. Most live in the test files; here are
//! the program generator of the differential test (tests/diff.rs), so its
//! own unit tests run with `cargo test -p e2e-tests --lib`, and the fuzz
//! targets' bodies (`fuzz`), shared by fuzz/ and the regression test of
//! their findings.

pub mod fuzz;
pub mod progen;
pub mod run_text;

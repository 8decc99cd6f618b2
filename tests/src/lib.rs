//! Helpers for the end-to-end tests live in the test files; the fuzz
//! targets' bodies live here (`fuzz`), shared by fuzz/ and the regression
//! test of their findings.

pub mod fuzz;

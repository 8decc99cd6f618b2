//! The device modules (`shared_protocol::natives`), one file each.

pub mod parallel;

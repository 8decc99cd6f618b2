//! Shared by the ISS's integration tests: finding the Epiphany toolchain
//! (tools/epiphany-toolchain.sh builds it into a cache outside the checkout).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The toolchain's prefix (`PREFIX/bin/epiphany-elf-*`): `$EPIPHANY_PREFIX`,
/// else what `tools/epiphany-toolchain.sh --prefix` names when it is built.
pub fn toolchain_prefix() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("EPIPHANY_PREFIX") {
        return Some(PathBuf::from(p));
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/epiphany-toolchain.sh");
    let out = Command::new("bash")
        .arg(script)
        .arg("--prefix")
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let p = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    p.join("bin/epiphany-elf-objdump").exists().then_some(p)
}

/// The toolchain for a test that needs it. Without one the test is skipped
/// with a message, except under CI (`CI=true`), where that is a failure:
/// CI builds the toolchain first, so a missing one is a broken CI.
pub fn require_toolchain(test: &str) -> Option<PathBuf> {
    match toolchain_prefix() {
        Some(p) => Some(p),
        None if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "{test}: no Epiphany toolchain (run tools/epiphany-toolchain.sh); CI=true requires it"
            )
        }
        None => {
            eprintln!(
                "{test}: SKIPPED: no Epiphany toolchain (build it with `make epiphany-toolchain`)"
            );
            None
        }
    }
}

pub fn tool(prefix: &Path, name: &str) -> PathBuf {
    prefix.join("bin").join(format!("epiphany-elf-{name}"))
}

/// A small deterministic generator (splitmix64): the tests' random words.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
}

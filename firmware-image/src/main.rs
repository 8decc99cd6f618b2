//! The firmware as a bare-metal image for the proxy core (design.md §1, §3):
//! `thumbv7em-none-eabihf` on QEMU's `mps2-an386`, in the Epiphany core
//! layout of shared-protocol's table (linker/proxy.ld + the generated
//! proxy-layout.ld).
//!
//! Build (firmware-image/size.sh does exactly this):
//! `CARGO_ENCODED_RUSTFLAGS=-Ctarget-feature=+strict-align cargo build -p firmware-image
//! --bin epython-firmware --target thumbv7em-none-eabihf --profile firmware`.
//! Strict alignment because the Epiphany faults on unaligned access; the
//! startup also sets CCR.UNALIGN_TRP, so what the precompiled `core` does
//! unaligned traps at run time too. (CARGO_ENCODED_RUSTFLAGS, not RUSTFLAGS
//! or the per-target variable: it takes precedence over both, so a RUSTFLAGS
//! in the environment cannot silently drop the flag.)
//!
//! On the host this is an empty program, so `cargo test --workspace` keeps
//! building it.
#![cfg_attr(target_os = "none", no_std, no_main)]

#[allow(dead_code)]
mod board;
#[cfg(all(target_arch = "arm", target_os = "none"))]
mod proxy;

#[cfg(not(target_os = "none"))]
fn main() {}

/// `--features budget-overflow-test` (firmware-image/ld-check.sh): a whole
/// budget of read-only data on top of the code, so the link must fail.
#[cfg(all(feature = "budget-overflow-test", target_os = "none"))]
#[used]
static BUDGET_OVERFLOW_TEST: [u8; shared_protocol::layout::CODE_BUDGET as usize] =
    [0; shared_protocol::layout::CODE_BUDGET as usize];

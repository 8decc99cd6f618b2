//! `cfg(firmware_target)`: every target the firmware runs on as firmware
//! (bare metal, `target_os = "none"`, and wasm32 for the Epiphany route,
//! whose `target_os` is "unknown"), as opposed to the host, where it runs as
//! threads of the simulator and in tests. no_std and the firmware-only code
//! paths are gated on it.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(firmware_target)");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if os == "none" || arch == "wasm32" {
        println!("cargo::rustc-cfg=firmware_target");
    }
}

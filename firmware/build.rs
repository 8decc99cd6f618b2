//! `cfg(firmware_target)`: every target the firmware runs on as firmware
//! (bare metal, `target_os = "none"`, and wasm32 for the Epiphany route,
//! whose `target_os` is "unknown"), as opposed to the host, where it runs as
//! threads of the simulator and in tests. no_std and the firmware-only code
//! paths are gated on it.
//!
//! `$OUT_DIR/build_id.rs`: the firmware's build id (crate firmware-id), the
//! one the loader expects of an Epiphany firmware from this tree.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(firmware_target)");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if os == "none" || arch == "wasm32" {
        println!("cargo::rustc-cfg=firmware_target");
    }

    let manifest = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let repo = manifest.parent().expect("the firmware crate is in the repository");
    // This crate's own sources are always there: an id of 1 is never reached
    // in this repository, only if the crate were built out of it.
    let id = firmware_id::build_id(repo).map_or(1, |(id, _)| id);
    for source in firmware_id::SOURCES {
        println!("cargo::rerun-if-changed={}", repo.join(source).display());
    }
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("build_id.rs"), format!("pub const BUILD_ID: u32 = {id:#010x};\n")).expect("write build_id.rs");
}

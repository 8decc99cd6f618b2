//! Links the bare-metal image with a script made from the layout table.
//!
//! For `target_os = "none"`: writes `proxy-layout.ld` (MEMORY regions and
//! symbols, from shared-protocol) next to a copy of `linker/proxy.ld` (the
//! sections) in OUT_DIR and links with them. Host builds link normally.

#[path = "src/board.rs"]
#[allow(dead_code)]
mod board;
#[path = "ldgen.rs"]
#[allow(dead_code)]
mod ldgen;

use std::path::PathBuf;

fn main() {
    let manifest =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let linker_dir = manifest.join("../linker");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=ldgen.rs");
    println!("cargo:rerun-if-changed=src/board.rs");
    println!(
        "cargo:rerun-if-changed={}",
        linker_dir.join("proxy.ld").display()
    );
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("none") {
        return;
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let target = ldgen::Target::Proxy {
        dram_base: board::DRAM_BASE,
        dram_size: board::DRAM_SIZE,
    };
    std::fs::write(out.join(target.file_name()), ldgen::layout_ld(target))
        .expect("write the layout script");
    let sections =
        std::fs::read_to_string(linker_dir.join("proxy.ld")).expect("read linker/proxy.ld");
    std::fs::write(out.join("epython-proxy.ld"), sections).expect("write the section script");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rustc-link-arg-bins=-Tepython-proxy.ld");
    // Sections nobody placed are an error, not a silent orphan.
    println!("cargo:rustc-link-arg-bins=--orphan-handling=error");
    println!(
        "cargo:rustc-link-arg-bins=-Map={}",
        out.join("epython-firmware.map").display()
    );
}

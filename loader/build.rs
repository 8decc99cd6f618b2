//! `$OUT_DIR/firmware_build.rs`, what the loader knows of the Epiphany
//! firmware at build time:
//! - `EXPECTED_BUILD_ID`: the build id (crate firmware-id) of this tree's
//!   firmware sources; an Epiphany firmware with another id is refused.
//! - `EMBEDDED`: the Epiphany firmware ELF named by `EPYTHON_EMBED_FIRMWARE`
//!   at build time (`make armv7` sets it), carried in the binary so a board
//!   needs no file beside it; None when the variable is unset.
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let repo = manifest.parent().expect("the loader crate is in the repository");
    let expected = firmware_id::build_id(repo).map(|(id, _)| id);
    for source in firmware_id::SOURCES {
        println!("cargo::rerun-if-changed={}", repo.join(source).display());
    }
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=EPYTHON_EMBED_FIRMWARE");

    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let embedded = match std::env::var_os("EPYTHON_EMBED_FIRMWARE").filter(|v| !v.is_empty()) {
        Some(path) => {
            let path = PathBuf::from(path);
            println!("cargo::rerun-if-changed={}", path.display());
            let bytes = std::fs::read(&path).unwrap_or_else(|e| {
                panic!("EPYTHON_EMBED_FIRMWARE={}: cannot read it ({e}); build it with `make epiphany`", path.display())
            });
            std::fs::write(out.join("embedded-firmware.elf"), bytes).expect("copy the firmware into OUT_DIR");
            "Some(include_bytes!(concat!(env!(\"OUT_DIR\"), \"/embedded-firmware.elf\")))"
        }
        None => "None",
    };
    let expected = expected.map_or("None".to_string(), |id| format!("Some({id:#010x})"));
    std::fs::write(
        out.join("firmware_build.rs"),
        format!("pub const EXPECTED_BUILD_ID: Option<u32> = {expected};\npub const EMBEDDED: Option<&[u8]> = {embedded};\n"),
    )
    .expect("write firmware_build.rs");
}

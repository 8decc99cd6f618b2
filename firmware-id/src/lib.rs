//! The firmware's build id, for build scripts (design.md §8: one definition
//! shared by both sides). The firmware reports it (`status::BUILD_ID`, and
//! the Epiphany ELF's header); the loader compares an Epiphany firmware's
//! header with the id of the sources it was itself built with, so a board
//! never runs a firmware from another tree, nor a stale `make epiphany`.
//!
//! The id is FNV-1a (64-bit, folded to 32) over every source file of the
//! firmware images: relative path and contents, in sorted path order, so
//! it is the same on every machine and changes with any edit.

use std::path::{Path, PathBuf};

/// What the firmware images are built from, relative to the repository
/// root: the VM, the protocol, and the Epiphany platform and its route.
pub const SOURCES: &[&str] = &[
    "shared-protocol/Cargo.toml",
    "shared-protocol/src",
    "firmware/Cargo.toml",
    "firmware/build.rs",
    "firmware/src",
    "firmware-epiphany/Cargo.toml",
    "firmware-epiphany/src",
    "firmware-epiphany/c",
    "firmware-epiphany/firmware.ld",
    "firmware-epiphany/postprocess.py",
    "firmware-epiphany/build.sh",
];

/// The build id of the sources under `repo`, and the files it covers (for
/// `cargo::rerun-if-changed`). None when `repo` holds no firmware sources
/// (a loader built outside this repository cannot know the id).
pub fn build_id(repo: &Path) -> Option<(u32, Vec<PathBuf>)> {
    let mut files = Vec::new();
    for source in SOURCES {
        collect(&repo.join(source), &mut files);
    }
    if files.is_empty() {
        return None;
    }
    files.sort();
    let mut hash = Fnv1a::new();
    for file in &files {
        let relative = file.strip_prefix(repo).unwrap_or(file);
        hash.write(relative.to_string_lossy().replace('\\', "/").as_bytes());
        hash.write(&[0]);
        hash.write(&std::fs::read(file).unwrap_or_default());
        hash.write(&[0]);
    }
    Some((hash.fold32(), files))
}

/// Every regular file at or under `path`, skipping hidden entries.
fn collect(path: &Path, files: &mut Vec<PathBuf>) {
    if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
        return;
    }
    if path.is_file() {
        files.push(path.to_path_buf());
    } else if let Ok(entries) = std::fs::read_dir(path) {
        for entry in entries.flatten() {
            collect(&entry.path(), files);
        }
    }
}

struct Fnv1a(u64);

impl Fnv1a {
    fn new() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// 32 bits, never 0 (0 means "no id": the native simulator's header).
    fn fold32(&self) -> u32 {
        ((self.0 >> 32) as u32 ^ self.0 as u32).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("firmware-id-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("firmware/src")).expect("mkdir");
        std::fs::write(dir.join("firmware/src/lib.rs"), "fn a() {}\n").expect("write");
        std::fs::write(dir.join("firmware/src/vm.rs"), "fn b() {}\n").expect("write");
        dir
    }

    #[test]
    fn an_edit_a_new_file_or_a_rename_changes_the_id_and_nothing_else_does() {
        let dir = tree("edit");
        let (first, files) = build_id(&dir).expect("an id");
        assert_eq!(files.len(), 2);
        assert_eq!(build_id(&dir).expect("an id").0, first, "the same tree, the same id");
        std::fs::write(dir.join("firmware/src/vm.rs"), "fn b() { }\n").expect("write");
        let edited = build_id(&dir).expect("an id").0;
        assert_ne!(edited, first);
        std::fs::write(dir.join("firmware/src/.vm.rs.swp"), "editor state").expect("write");
        std::fs::write(dir.join("README.md"), "not a source").expect("write");
        assert_eq!(build_id(&dir).expect("an id").0, edited, "hidden and unlisted files do not count");
        std::fs::rename(dir.join("firmware/src/vm.rs"), dir.join("firmware/src/exec.rs")).expect("rename");
        assert_ne!(build_id(&dir).expect("an id").0, edited);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_tree_without_firmware_sources_has_no_id() {
        let dir = std::env::temp_dir().join(format!("firmware-id-empty-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        assert!(build_id(&dir).is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

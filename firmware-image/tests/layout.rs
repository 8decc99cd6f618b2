//! The linker scripts take every address from shared-protocol's layout table
//! (design.md §8): the generated layout files checked in under linker/ must
//! be exactly what firmware-image/ldgen.rs makes from the table today (the
//! proxy image's build generates its own copy, so it cannot drift at all).
//!
//! After a change to the table: `EPYTHON_UPDATE_LAYOUT=1 cargo test -p
//! firmware-image --test layout` rewrites them; commit the result.

#[path = "../src/board.rs"]
#[allow(dead_code)]
mod board;
#[path = "../ldgen.rs"]
mod ldgen;

use std::path::{Path, PathBuf};

use shared_protocol::layout::{CODE_BUDGET, CODE_START, STACK_TOP};

fn linker_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../linker")
}

fn targets() -> [ldgen::Target; 2] {
    [
        ldgen::Target::Epiphany,
        ldgen::Target::Proxy {
            dram_base: board::DRAM_BASE,
            dram_size: board::DRAM_SIZE,
        },
    ]
}

#[test]
fn checked_in_layout_scripts_match_the_table() {
    let update = std::env::var_os("EPYTHON_UPDATE_LAYOUT").is_some();
    for target in targets() {
        let path = linker_dir().join(target.file_name());
        let want = ldgen::layout_ld(target);
        if update {
            std::fs::write(&path, &want).unwrap();
            continue;
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{} is out of date with shared-protocol's layout table; run \
             `EPYTHON_UPDATE_LAYOUT=1 cargo test -p firmware-image --test layout`",
            path.display()
        );
    }
}

#[test]
fn the_section_scripts_use_the_generated_layout() {
    for (script, layout) in [
        ("epiphany.ld", "epiphany-layout.ld"),
        ("proxy.ld", "proxy-layout.ld"),
    ] {
        let text = std::fs::read_to_string(linker_dir().join(script)).unwrap();
        assert!(
            text.contains(&format!("INCLUDE {layout}")),
            "{script} must INCLUDE {layout}"
        );
        // Addresses come from the layout, not from numbers typed into the script.
        let numbers = hex_numbers(&strip_comments(&text));
        for v in [CODE_START, CODE_BUDGET, STACK_TOP] {
            assert!(
                !numbers.contains(&v),
                "{script} spells out {v:#x}: use the layout symbol"
            );
        }
    }
}

#[test]
fn the_layout_has_every_region_and_the_budget() {
    let text = ldgen::layout_ld(ldgen::Target::Epiphany);
    assert!(
        text.contains(&format!(
            "CODE          (rx) : ORIGIN = 0x{CODE_START:08X}, LENGTH = 0x{CODE_BUDGET:X}"
        )),
        "{text}"
    );
    assert!(text.contains(&format!("__stack_top = 0x{STACK_TOP:08X};")));
    for r in shared_protocol::layout::SRAM_REGIONS {
        assert!(text.contains(&format!(
            "__layout_{}_start = 0x{:08X};",
            r.name.replace('+', "_"),
            r.start
        )));
    }
}

fn strip_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("/*") {
        out.push_str(&rest[..i]);
        rest = rest[i..].find("*/").map_or("", |j| &rest[i + j + 2..]);
    }
    out.push_str(rest);
    out
}

/// Every `0x...` number in the text.
fn hex_numbers(text: &str) -> Vec<u32> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter_map(|t| t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")))
        .filter_map(|h| u32::from_str_radix(h, 16).ok())
        .collect()
}

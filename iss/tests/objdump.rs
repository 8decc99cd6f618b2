//! The decoder against `epiphany-elf-objdump`, an independent decoder of the
//! same instruction set: every 16-bit instruction word and a million random
//! 32-bit words decode to the same mnemonic and operands, or both to
//! "invalid" (objdump's `*unknown*`).

mod common;

use std::collections::BTreeMap;
use std::process::Command;

use common::{Rng, require_toolchain, tool};

/// Runs objdump over `bytes` (raw code at address 0) and returns each
/// instruction it prints: address -> text.
fn objdump(prefix: &std::path::Path, bytes: &[u8]) -> BTreeMap<u32, String> {
    let dir = std::env::temp_dir().join(format!("iss-objdump-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let bin = dir.join(format!("code-{}.bin", bytes.len()));
    std::fs::write(&bin, bytes).expect("write code");
    let out = Command::new(tool(prefix, "objdump"))
        .args(["-D", "-z", "-b", "binary", "-m", "epiphany"])
        .arg(&bin)
        .output()
        .expect("run objdump");
    assert!(
        out.status.success(),
        "objdump failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_file(&bin);
    let text = String::from_utf8(out.stdout).expect("objdump prints UTF-8");
    let mut insns = BTreeMap::new();
    for line in text.lines() {
        // "     4c:\t3e00 4000 \t*unknown*"
        let mut parts = line.splitn(3, '\t');
        let (Some(addr), Some(_bytes), Some(asm)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let Some(addr) = addr.trim().strip_suffix(':') else {
            continue;
        };
        let Ok(addr) = u32::from_str_radix(addr, 16) else {
            continue;
        };
        insns.insert(addr, asm.trim().to_string());
    }
    insns
}

fn half(bytes: &[u8], at: usize) -> u32 {
    match bytes.get(at..at + 2) {
        Some(h) => u16::from_le_bytes([h[0], h[1]]) as u32,
        None => 0,
    }
}

/// Compares ours with objdump's at every address objdump lists; returns the
/// number compared. Where both decode an instruction, its length must also
/// agree with where objdump's next instruction starts.
fn compare(bytes: &[u8], theirs: &BTreeMap<u32, String>) -> usize {
    let mut mismatches = Vec::new();
    let addrs: Vec<u32> = theirs.keys().copied().collect();
    for (i, &addr) in addrs.iter().enumerate() {
        let at = addr as usize;
        let word = half(bytes, at) | half(bytes, at + 2) << 16;
        let d = iss::decode(word);
        let ours = iss::disassemble(&d, addr);
        let want = &theirs[&addr];
        if &ours != want {
            mismatches.push(format!(
                "{addr:#x}: word {word:#010x}: ours `{ours}`, objdump `{want}`"
            ));
        } else if d.insn != iss::Insn::Invalid
            && let Some(&next) = addrs.get(i + 1)
            && next - addr != d.len as u32
        {
            mismatches.push(format!(
                "{addr:#x}: word {word:#010x}: length {} but objdump's next is at {next:#x}",
                d.len
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} instructions differ; first ones:\n{}",
        mismatches.len(),
        addrs.len(),
        mismatches
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    addrs.len()
}

#[test]
fn every_16_bit_word_decodes_as_objdump_does() {
    let Some(prefix) = require_toolchain("every_16_bit_word_decodes_as_objdump_does") else {
        return;
    };
    // Each half-word in a 4-byte slot, followed by `nop`, so a 16-bit
    // instruction is followed by a known one and objdump's 4-byte reads of
    // an unknown word never swallow the next case.
    let mut bytes = Vec::with_capacity(65536 * 4);
    for w in 0..=0xFFFFu16 {
        bytes.extend_from_slice(&w.to_le_bytes());
        bytes.extend_from_slice(&0x01A2u16.to_le_bytes());
    }
    let theirs = objdump(&prefix, &bytes);
    for w in 0..=0xFFFFu32 {
        assert!(
            theirs.contains_key(&(w * 4)),
            "objdump skipped the word at {:#x}",
            w * 4
        );
    }
    let n = compare(&bytes, &theirs);
    eprintln!("16-bit words: {n} instructions agree with objdump");
}

#[test]
fn a_million_random_32_bit_words_decode_as_objdump_does() {
    let Some(prefix) = require_toolchain("a_million_random_32_bit_words_decode_as_objdump_does")
    else {
        return;
    };
    // Random words with the family nibble of a 32-bit form, so each is one
    // 32-bit instruction (or one unknown word) in its own 4-byte slot.
    const FAMILIES_32: [u32; 6] = [0x8, 0x9, 0xB, 0xC, 0xD, 0xF];
    let mut rng = Rng(0x5EED_0001);
    let mut bytes = Vec::with_capacity(4_000_000);
    for _ in 0..1_000_000 {
        let r = rng.next_u64();
        let w = (r as u32 & !0xF) | FAMILIES_32[((r >> 32) % 6) as usize];
        bytes.extend_from_slice(&w.to_le_bytes());
    }
    let theirs = objdump(&prefix, &bytes);
    assert_eq!(
        theirs.len(),
        1_000_000,
        "objdump listed every word as one instruction"
    );
    let n = compare(&bytes, &theirs);
    let valid = theirs.values().filter(|t| *t != "*unknown*").count();
    eprintln!(
        "random 32-bit words: {n} agree with objdump ({valid} valid, {} unknown)",
        n - valid
    );
}

#[test]
fn random_byte_streams_decode_as_objdump_does() {
    let Some(prefix) = require_toolchain("random_byte_streams_decode_as_objdump_does") else {
        return;
    };
    // Mixed 16- and 32-bit forms back to back, walked as objdump walks them.
    let mut rng = Rng(0x5EED_0002);
    let bytes: Vec<u8> = (0..250_000)
        .flat_map(|_| rng.next_u32().to_le_bytes())
        .collect();
    let theirs = objdump(&prefix, &bytes);
    let n = compare(&bytes, &theirs);
    eprintln!("random byte stream: {n} instructions agree with objdump");
}

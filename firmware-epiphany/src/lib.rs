//! The firmware for the Epiphany itself (issue 13): the `firmware` crate with
//! an Epiphany [`Platform`], built for `wasm32-unknown-unknown` and turned
//! into Epiphany code by `wasm2c` and `epiphany-elf-gcc` (`make epiphany`,
//! firmware-epiphany/build.sh; README "The firmware on the chip").
//!
//! Addresses: the C side gives the wasm module a linear memory based at
//! address 0, so a wasm address *is* an Epiphany address: this core's SRAM
//! is reached through its global alias (`mesh id << 20`, never the null
//! pointer), other cores' SRAM through theirs, the DRAM window at
//! 0x8E000000. What the chip has and wasm has not (the core id, `idle`, the
//! cycle counter, raising another core's interrupt, stopping on a fault) are
//! imports the C glue (firmware-epiphany/c/platform.c) implements with the
//! chip's instructions.
//!
//! On the host this crate is empty, so `cargo build --workspace` builds it.
#![cfg_attr(target_arch = "wasm32", no_std)]

#[cfg(target_arch = "wasm32")]
mod chip;

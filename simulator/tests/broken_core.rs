//! The self-test hook (sim.rs `info::BROKEN_CORES_LO/HI`): a broken core's SRAM
//! word `BROKEN_WORD` has bit `BROKEN_BIT` stuck at 0, seen by the host once
//! the core has answered a halt; other cores and other words are untouched.

mod common;

use std::sync::atomic::Ordering;

use common::Host;
use shared_protocol::chip::{debugcmd, debugstatus, reg};
use shared_protocol::sim::info;
use shared_protocol::{Chip, CoreId};
use simulator::{SimError, Simulator, BROKEN_BIT, BROKEN_WORD};

/// Write `value` at `word` on `core`, halt it, wait for HALT, read back, resume.
fn write_halt_read(h: &Host, core: u32, word: u32, value: u32) -> u32 {
    h.sram(core, word).store(value, Ordering::SeqCst);
    h.set_reg(core, reg::DEBUGCMD, debugcmd::HALT);
    h.notify(core);
    h.wait_until("halt", |h| h.reg(core, reg::DEBUGSTATUS) & debugstatus::HALT != 0);
    let got = h.sram(core, word).load(Ordering::SeqCst);
    h.set_reg(core, reg::DEBUGCMD, debugcmd::RUN);
    h.notify(core);
    h.wait_until("resume", |h| h.reg(core, reg::DEBUGSTATUS) & debugstatus::HALT == 0);
    got
}

#[test]
fn a_broken_core_has_a_stuck_bit_and_the_others_do_not() {
    let sim = Simulator::in_memory(Chip::E16).expect("simulator");
    let h = Host::open(sim.path(), sim.chip());
    sim.break_core(CoreId(5)).expect("break core 5");
    assert_eq!(h.info(info::BROKEN_CORES_LO), 1 << 5);
    for _ in 0..3 {
        assert_eq!(write_halt_read(&h, 5, BROKEN_WORD, u32::MAX), !BROKEN_BIT);
        assert_eq!(write_halt_read(&h, 5, BROKEN_WORD + 4, u32::MAX), u32::MAX);
        assert_eq!(write_halt_read(&h, 4, BROKEN_WORD, u32::MAX), u32::MAX);
    }
    sim.repair_core(CoreId(5)).expect("repair");
    assert_eq!(h.info(info::BROKEN_CORES_LO), 0);
    assert_eq!(write_halt_read(&h, 5, BROKEN_WORD, u32::MAX), u32::MAX);
    assert!(matches!(sim.break_core(CoreId(16)), Err(SimError::NoSuchCore { core: 16, cores: 16 })));
}

//! Idle cores must not spin (design.md §2): 16 idle simulated cores, booted
//! and waiting for commands, use near-zero CPU, yet a notify wakes one at once.
//! Alone in its own test binary so no other test's threads count.

mod common;

use std::time::{Duration, Instant};

use common::Host;
use rustix::time::{clock_gettime, ClockId};
use shared_protocol::chip::irq;
use shared_protocol::mailbox::{cmd, status, Command};
use shared_protocol::Chip;
use simulator::Simulator;

fn cpu_time() -> Duration {
    let t = clock_gettime(ClockId::ProcessCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

#[test]
fn idle_cores_use_little_cpu_and_wake_at_once() {
    let sim = Simulator::in_memory(Chip::E16).expect("start the simulator");
    let h = Host::open(sim.path(), sim.chip());
    for core in 0..16 {
        h.boot(core, 0x1D1E + core);
    }
    // And 16 more that never started.
    let sim2 = Simulator::in_memory(Chip::E16).expect("start a second simulator");

    let (cpu0, wall0) = (cpu_time(), Instant::now());
    std::thread::sleep(Duration::from_secs(1));
    let (cpu, wall) = (cpu_time() - cpu0, wall0.elapsed());
    let share = cpu.as_secs_f64() / wall.as_secs_f64();
    println!("32 idle cores (16 booted, 16 not started): {cpu:?} CPU in {wall:?} = {:.2}%", share * 100.0);
    assert!(share < 0.10, "idle cores used {:.1}% of a CPU", share * 100.0);

    // After a long idle the backoff is at its longest; a notify still wakes
    // the core at once.
    let core = 5;
    let seq = h.cmd(core, cmd::SEQ).load(std::sync::atomic::Ordering::Acquire) + 1;
    h.cmd(core, cmd::KIND).store(Command::Echo as u32, std::sync::atomic::Ordering::Release);
    h.cmd(core, cmd::SEQ).store(seq, std::sync::atomic::Ordering::Release);
    let t = Instant::now();
    h.raise(core, irq::USER);
    h.wait_until("the echo reply", |h| h.status(core, status::REPLY_SEQ) == seq);
    let latency = t.elapsed();
    println!("reply latency after a notify: {latency:?}");
    assert!(latency < Duration::from_millis(40), "a notified core took {latency:?} to answer");

    // A write without a notify (as on hardware) is still seen, within the
    // longest backoff step (50 ms) plus scheduling slack.
    std::thread::sleep(Duration::from_millis(300));
    let seq = seq + 1;
    h.cmd(core, cmd::SEQ).store(seq, std::sync::atomic::Ordering::Release);
    let t = Instant::now();
    h.set_reg(core, shared_protocol::chip::reg::ILATST, irq::USER);
    h.wait_until("the echo reply without a notify", |h| h.status(core, status::REPLY_SEQ) == seq);
    let latency = t.elapsed();
    println!("reply latency without a notify: {latency:?}");
    assert!(latency < Duration::from_millis(250), "an un-notified core took {latency:?} to answer");
    drop(sim2);
}

//! The fuzz targets' bodies (fuzz/, cargo fuzz) and their host `Platform`,
//! here so that `cargo test` runs the findings kept in
//! tests/fuzz-regressions/TARGET/ through the same code
//! (tests/tests/fuzz_regressions.rs).
//!
//! The platform fuzzes the firmware as one core (core 0 of an E16)
//! with its SRAM and exactly as much DRAM as its own area needs, so that
//! AddressSanitizer reports any access outside those windows. It plays the
//! host's part of the mailbox for one command: it posts the command when the
//! core first idles, drains the event ring (through the loader's own
//! decoder, which must accept whatever the firmware writes), and stops the
//! core once the command is answered, the core faults, or the step budget
//! (halt checks: every backward jump, call and wait) is spent.

use shared_protocol::layout::{
    core_area, data_store_start, per_core_size, ARENA_SIZE, ARENA_START, COMMAND_SLOT_START, CORE_EVENT_RING,
    CORE_EVENT_RING_SIZE, CORE_INBOX, CORE_STATUS,
};
use shared_protocol::mailbox::{cmd, status, CoreState, Waiting};
use shared_protocol::{Chip, CoreId};

use firmware::{Platform, Wake};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Halt checks before the core is told to stop (a kernel that loops).
pub const STEP_BUDGET: u32 = 20_000;
/// Time before the core is told to stop: a loop whose every step does a
/// lot of work (a string doubled each time) spends it before the steps.
/// Found by the vm target (tests/fuzz-regressions/vm/timeout-*).
pub const TIME_BUDGET: Duration = Duration::from_secs(1);
/// Ring drains before the core is told to stop (a kernel that prints forever).
const DRAIN_BUDGET: u32 = 16;

const CHIP: Chip = Chip::E16;
const CORE: CoreId = CoreId(0);

/// One command to post: the command slot's words and the inbox's bytes.
pub struct Command {
    pub kind: u32,
    pub launch: u32,
    pub group_size: u32,
    pub args: [u32; 6],
    pub inbox: Vec<u8>,
    /// Bytes written at the start of the data store (its header and tables).
    pub data_store: Vec<u8>,
}

pub struct Host {
    sram: Vec<u32>,
    dram: Vec<u32>,
    command: Option<Command>,
    posted: bool,
    steps: u32,
    drains: u32,
    tail: u32,
    started: Instant,
    /// Events the loader decoded.
    pub events: usize,
}

impl Host {
    pub fn new(command: Command) -> Host {
        let dram_len = (core_area(CHIP, CORE).0 + per_core_size(CHIP)) as usize / 4;
        Host {
            sram: vec![0; 0x8000 / 4],
            dram: vec![0; dram_len],
            command: Some(command),
            posted: false,
            steps: 0,
            drains: 0,
            tail: 0,
            started: Instant::now(),
            events: 0,
        }
    }

    fn area(&self) -> usize {
        core_area(CHIP, CORE).0 as usize / 4
    }
    fn status(&self, word: u32) -> u32 {
        self.dram[self.area() + (CORE_STATUS + word) as usize / 4]
    }
    fn cmd(&self, word: u32) -> u32 {
        self.sram[(COMMAND_SLOT_START + word) as usize / 4]
    }
    fn set_cmd(&mut self, word: u32, v: u32) {
        self.sram[(COMMAND_SLOT_START + word) as usize / 4] = v;
    }
    fn write_dram(&mut self, offset: u32, bytes: &[u8]) {
        let at = self.area() + offset as usize / 4;
        for (i, chunk) in bytes.chunks(4).enumerate() {
            let mut w = [0u8; 4];
            w[..chunk.len()].copy_from_slice(chunk);
            self.dram[at + i] = u32::from_le_bytes(w);
        }
    }

    /// Read what the core published, as the loader does; its decoder must
    /// accept everything the firmware writes.
    fn drain(&mut self) {
        let head = self.status(status::EVENT_HEAD);
        if head == self.tail {
            return;
        }
        let ring = self.area() + CORE_EVENT_RING as usize / 4;
        let bytes: Vec<u8> = self.dram[ring..ring + CORE_EVENT_RING_SIZE as usize / 4]
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        match loader::fuzzing::parse_event_ring(&bytes, self.tail, head) {
            Ok((n, new_tail)) => {
                self.events += n;
                self.tail = new_tail;
            }
            Err(e) => panic!("the loader refused the firmware's events: {e}"),
        }
        let tail = self.tail;
        self.set_cmd(cmd::EVENT_ACK, tail);
    }

    /// Run the firmware until it stops.
    pub fn run(&mut self) {
        firmware::run(self);
        self.drain();
    }
}

impl Platform for Host {
    fn core(&self) -> CoreId {
        CORE
    }
    fn chip(&self) -> Chip {
        CHIP
    }
    fn sram(&self) -> *mut u8 {
        self.sram.as_ptr() as *mut u8
    }
    fn dram(&self) -> *mut u8 {
        self.dram.as_ptr() as *mut u8
    }
    fn remote_sram(&self, _core: CoreId) -> *mut u8 {
        // One core: a kernel's send to another core lands in its own postbox.
        self.sram()
    }
    fn arena(&mut self) -> &'static mut [u8] {
        // SAFETY: the SRAM vector lives as long as the Host, which outlives
        // the firmware run (`Host::run` borrows it mutably throughout); the
        // arena part is only touched through this slice.
        unsafe {
            std::slice::from_raw_parts_mut(
                (self.sram.as_mut_ptr() as *mut u8).add(ARENA_START as usize),
                ARENA_SIZE as usize,
            )
        }
    }
    fn wait_for_interrupt(&mut self) -> Wake {
        if self.status(status::STATE) == CoreState::Fault as u32 {
            return Wake::Stop;
        }
        if self.status(status::WAITING) == Waiting::RingSpace as u32 {
            self.drains += 1;
            if self.drains > DRAIN_BUDGET {
                return Wake::Stop;
            }
            self.drain();
            return Wake::Interrupt;
        }
        if self.posted {
            // Answered (or waiting for a message no core sends): done.
            return Wake::Stop;
        }
        let Some(c) = self.command.take() else { return Wake::Stop };
        self.posted = true;
        self.started = Instant::now();
        self.write_dram(CORE_INBOX, &c.inbox);
        self.write_dram(data_store_start(CHIP), &c.data_store);
        self.set_cmd(cmd::KIND, c.kind);
        self.set_cmd(cmd::LAUNCH, c.launch);
        self.set_cmd(cmd::GROUP_SIZE, c.group_size);
        self.set_cmd(cmd::GROUP_MASK_LO, 1);
        for (i, a) in c.args.iter().enumerate() {
            self.set_cmd(cmd::ARG0 + 4 * i as u32, *a);
        }
        let seq = self.cmd(cmd::SEQ);
        self.set_cmd(cmd::SEQ, seq.wrapping_add(1));
        Wake::Interrupt
    }
    fn raise_user_interrupt(&self, _core: CoreId) {}
    fn notify_host(&self) {}
    fn halt_requested(&mut self) -> bool {
        self.steps += 1;
        self.steps > STEP_BUDGET || (self.steps.is_multiple_of(16) && self.started.elapsed() > TIME_BUDGET)
    }
    fn cycles(&self) -> u32 {
        self.steps
    }
}

/// A Run command for `image` with kernel `args` (encoded words) and no
/// device-data bindings, laid out as the loader lays it out.
pub fn run_command(image: &[u8], args: &[u32]) -> Command {
    let mut inbox = image.to_vec();
    let args_off = image.len().next_multiple_of(4);
    inbox.resize(args_off, 0);
    for w in args {
        inbox.extend_from_slice(&w.to_le_bytes());
    }
    Command {
        kind: shared_protocol::mailbox::Command::Run as u32,
        launch: 1,
        group_size: 1,
        args: [
            0,
            image.len() as u32,
            if args.is_empty() { 0 } else { args_off as u32 },
            4 * args.len() as u32,
            0,
            0,
        ],
        inbox,
        data_store: Vec::new(),
    }
}


/// The compiler: any bytes (as text) compile or give a CompileError; never
/// a panic. A program that compiles must disassemble.
pub fn compile(data: &[u8]) {
    let source = String::from_utf8_lossy(data);
    if let Ok(program) = compiler::compile(&source, "fuzz.py")
        && let Err(e) = compiler::disassemble(&program.image)
    {
        panic!("the compiler's own image does not disassemble: {e}");
    }
    // The kernel entry too: a prelude and a named function.
    let _ = compiler::compile_kernel_with_prelude("N = 1\n", &source, "fuzz.py", 3, "k");
    // And the ePython dialect (folding, `^`, hoisted defs, its opcodes).
    let epython = compiler::Options::dialect(compiler::Dialect::Epython);
    if let Ok(program) = compiler::compile_with(&source, "fuzz.py", &epython)
        && let Err(e) = compiler::disassemble(&program.image)
    {
        panic!("the compiler's own image (ePython dialect) does not disassemble: {e}");
    }
}

/// The bytecode verifier and the VM: any image is refused (a BadImage
/// report or an exception on the core), or runs within the core's windows
/// (ASan checks every access against SRAM and the core's own DRAM area) and
/// the step budget, and whatever it reports the loader's decoder accepts.
/// Returns how many events the core published.
pub fn vm(data: &[u8]) -> usize {
    if data.len() > shared_protocol::layout::CORE_INBOX_SIZE as usize {
        return 0;
    }
    let mut host = Host::new(run_command(data, &[]));
    host.run();
    host.events
}

fn fuzz_kernel() -> &'static [u8] {
    static IMAGE: OnceLock<Vec<u8>> = OnceLock::new();
    IMAGE.get_or_init(|| {
        let src = "g = [1, 2]\ndef k(a, b=2, c=3):\n    g.append(a)\n    return [a, b, c, g, len(g)]\n";
        match compiler::compile_kernel(src, "fuzz.py", 1, "k") {
            Ok(p) => p.image,
            Err(e) => panic!("the fuzz kernel does not compile: {e}"),
        }
    })
}

fn words(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks(4)
        .map(|c| {
            let mut w = [0u8; 4];
            w[..c.len()].copy_from_slice(c);
            u32::from_le_bytes(w)
        })
        .collect()
}

/// The firmware's decoders of what the host writes: the command slot's
/// words (kind, group, image/argument/binding offsets and lengths), the
/// kernel arguments' value encoding and the device-data bindings in the
/// inbox, and the data store's tables. A valid kernel image sits at the
/// inbox's start; the rest comes from the input. The core must refuse bad
/// data (an exception or a fault report), never read or write outside its
/// windows. Returns how many events the core published.
///
/// Input: 1 flag byte; 6 command argument words when flag bit 0 is set
/// (else the loader's layout); the kind word when bit 1 is set; then the
/// argument words (bit 2: also read as (global, slot) bindings) and, last,
/// a quarter of what is left as data-store bytes. Bits 4-7: group size.
pub fn firmware_mailbox(data: &[u8]) -> usize {
    let Some((&flags, mut rest)) = data.split_first() else { return 0 };
    let mut raw_args = None;
    if flags & 1 != 0 {
        if rest.len() < 24 {
            return 0;
        }
        let w = words(&rest[..24]);
        raw_args = Some([w[0], w[1], w[2], w[3], w[4], w[5]]);
        rest = &rest[24..];
    }
    let mut kind = None;
    if flags & 2 != 0 {
        if rest.len() < 4 {
            return 0;
        }
        kind = Some(words(&rest[..4])[0]);
        rest = &rest[4..];
    }
    let split = rest.len() - rest.len() / 4;
    let (arg_bytes, store) = rest.split_at(split);
    let mut c = run_command(fuzz_kernel(), &words(arg_bytes));
    if flags & 4 != 0 {
        let pairs = words(arg_bytes);
        let n = pairs.len() / 2;
        c.args[4] = c.inbox.len() as u32;
        c.args[5] = 8 * n as u32;
        for w in &pairs[..2 * n] {
            c.inbox.extend_from_slice(&w.to_le_bytes());
        }
    }
    if let Some(a) = raw_args {
        c.args = a;
    }
    if let Some(k) = kind {
        c.kind = k;
    }
    c.group_size = u32::from(flags >> 4);
    c.data_store = store.to_vec();
    let mut host = Host::new(c);
    host.run();
    host.events
}

/// The loader's decoder of a core's event ring: any ring contents and any
/// read/publish positions give events or an error, never a panic.
///
/// Input: tail (4 bytes), head - tail (4 bytes), then the ring's bytes.
pub fn host_mailbox(data: &[u8]) -> Option<usize> {
    if data.len() < 8 {
        return None;
    }
    let tail = u32::from_le_bytes([data[0], data[1], data[2], data[3]]);
    let published = u32::from_le_bytes([data[4], data[5], data[6], data[7]]);
    // Mostly plausible amounts: within the ring and word aligned.
    let published = if published & 0x8000_0000 != 0 { published } else { (published % 0x1_0000) & !3 };
    let tail = if tail & 0x8000_0000 != 0 { tail } else { tail & !3 };
    loader::fuzzing::parse_event_ring(&data[8..], tail, tail.wrapping_add(published)).ok().map(|(n, _)| n)
}

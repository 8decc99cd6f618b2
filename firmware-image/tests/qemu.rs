//! Boots the bare-metal image under QEMU (`qemu-system-arm -M mps2-an386`,
//! a Cortex-M4F) and talks to it as the host does: through the command slot
//! in the core's SRAM and the status block and event ring in its DRAM area.
//!
//! Checks, in order: the boot status block (magic, protocol, build id, state
//! Idle, the loader's nonce), the startup's FPU and unaligned-trap settings,
//! two Echo commands (events Echo + Done), optionally a Run, the deepest
//! stack use, a BadCommand fault, an unaligned load trapping into the CPU
//! fault handler, a reset and reboot, and a panic recorded by the panic
//! handler.
//!
//! The test plays the host over QEMU's gdb stub (a unix socket, nothing on
//! the network): it stops the CPU, reads or writes the mailbox words, lets it
//! run again. Before boot it paints the stack region, after the commands it
//! reports the deepest stack use, which must stay inside the layout's stack.
//!
//! Skips (passing, with a message) when qemu-system-arm or the
//! thumbv7em-none-eabihf target is missing. `EPYTHON_FIRMWARE_ELF=path` tests
//! a prebuilt image instead of building one. `EPYTHON_QEMU_RUN=prog.epyc`
//! also runs a compiled bytecode image with the Run command and prints its
//! output as the CLI would; `EPYTHON_QEMU_EXPECT=file` compares that output
//! with the file (firmware-image/qemu-test.sh passes the simulator's) and
//! `EPYTHON_QEMU_EXPECT_ERROR=1` says the program must raise.

#[path = "../src/board.rs"]
#[allow(dead_code)]
mod board;

use std::io::{ErrorKind, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use shared_protocol::layout::{
    ARENA_START, CODE_END, CODE_START, COMMAND_SLOT_START, CORE_EVENT_RING, CORE_EVENT_RING_SIZE, CORE_INBOX,
    CORE_INBOX_SIZE, CORE_STATUS, STACK_BOTTOM, STACK_TOP, core_area,
};
use shared_protocol::mailbox::{
    Command as Cmd, CoreState, DoneStatus, EventKind, FIRMWARE_MAGIC, Fault, FirmwareKind,
    STATUS_MAGIC, cmd, event, firmware_header, status,
};

const TARGET: &str = "thumbv7em-none-eabihf";
const MACHINE: &str = "mps2-an386";
/// The whole test (boot and commands, not the build) must finish within this.
const DEADLINE: Duration = Duration::from_secs(60);
/// What the stack region holds before boot; a word that still holds it was never written.
const PAINT: u32 = shared_protocol::layout::STACK_CANARY;

fn status_addr(offset: u32) -> u32 {
    board::DRAM_BASE + core_area(board::CHIP, board::CORE).0 + CORE_STATUS + offset
}

fn ring_addr() -> u32 {
    board::DRAM_BASE + core_area(board::CHIP, board::CORE).0 + CORE_EVENT_RING
}

fn inbox_addr() -> u32 {
    board::DRAM_BASE + core_area(board::CHIP, board::CORE).0 + CORE_INBOX
}

fn cmd_addr(offset: u32) -> u32 {
    board::SRAM_BASE + COMMAND_SLOT_START + offset
}

fn find_in_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(program))
        .find(|p| p.is_file())
}

/// The image to boot: `EPYTHON_FIRMWARE_ELF`, or a fresh build into this
/// test's own target directory. `Err` = skip, with the reason.
fn firmware_elf() -> Result<PathBuf, String> {
    if let Some(elf) = std::env::var_os("EPYTHON_FIRMWARE_ELF") {
        return Ok(PathBuf::from(elf));
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .map_err(|e| format!("cannot run {rustc}: {e}"))?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    if !sysroot.join("lib/rustlib").join(TARGET).is_dir() {
        return Err(format!(
            "the {TARGET} target is not installed (rustup target add {TARGET})"
        ));
    }
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("firmware-image");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let out = Command::new(cargo)
        .args([
            "build",
            "-q",
            "-p",
            "firmware-image",
            "--bin",
            "epython-firmware",
            "--target",
            TARGET,
        ])
        .args(["--profile", "firmware", "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir)
        .env_remove("RUSTFLAGS")
        .env("CARGO_ENCODED_RUSTFLAGS", "-Ctarget-feature=+strict-align")
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    assert!(
        out.status.success(),
        "building the image failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(target_dir
        .join(TARGET)
        .join("firmware")
        .join("epython-firmware"))
}

/// QEMU, killed when dropped.
struct Qemu {
    child: Child,
    dir: PathBuf,
}

impl Drop for Qemu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Qemu {
    fn stderr(&mut self) -> String {
        let _ = self.child.kill();
        let mut s = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut s);
        }
        s
    }
}

/// A minimal gdb remote-protocol client (all-stop mode, with acks).
struct Gdb {
    sock: UnixStream,
    deadline: Instant,
    running: bool,
}

fn checksum(data: &[u8]) -> u8 {
    data.iter().fold(0u8, |a, b| a.wrapping_add(*b))
}

impl Gdb {
    fn read_byte(&mut self) -> u8 {
        let mut b = [0u8];
        loop {
            assert!(Instant::now() < self.deadline, "QEMU test: deadline passed");
            match self.sock.read(&mut b) {
                Ok(1) => return b[0],
                Ok(_) => panic!("QEMU closed the gdb connection"),
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                    ) => {}
                Err(e) => panic!("gdb socket: {e}"),
            }
        }
    }

    fn send(&mut self, data: &str) {
        let pkt = format!("${data}#{:02x}", checksum(data.as_bytes()));
        self.sock.write_all(pkt.as_bytes()).expect("gdb write");
        loop {
            match self.read_byte() {
                b'+' => return,
                b'-' => self.sock.write_all(pkt.as_bytes()).expect("gdb write"),
                _ => {}
            }
        }
    }

    fn recv(&mut self) -> String {
        while self.read_byte() != b'$' {}
        let mut data = Vec::new();
        loop {
            match self.read_byte() {
                b'#' => break,
                b => data.push(b),
            }
        }
        let sum = [self.read_byte(), self.read_byte()];
        let sum = u8::from_str_radix(std::str::from_utf8(&sum).unwrap(), 16).expect("checksum");
        assert_eq!(sum, checksum(&data), "gdb checksum");
        self.sock.write_all(b"+").expect("gdb ack");
        String::from_utf8(data).expect("gdb reply is text")
    }

    /// A QEMU monitor command through the stub (gdb's `monitor`).
    fn monitor(&mut self, command: &str) {
        self.stop();
        let hex: String = command.bytes().map(|b| format!("{b:02x}")).collect();
        self.send(&format!("qRcmd,{hex}"));
        loop {
            let reply = self.recv();
            if reply == "OK" {
                return;
            }
            // "O..." packets carry the command's output; anything else is an error.
            assert!(reply.starts_with('O'), "monitor {command}: {reply:?}");
        }
    }

    fn command(&mut self, data: &str) -> String {
        self.send(data);
        self.recv()
    }

    /// Stop the CPU (if running) so memory can be accessed.
    fn stop(&mut self) {
        if self.running {
            self.sock.write_all(&[0x03]).expect("gdb interrupt");
            let reply = self.recv();
            assert!(
                reply.starts_with('T') || reply.starts_with('S'),
                "stop reply {reply:?}"
            );
            self.running = false;
        }
    }

    fn cont(&mut self) {
        assert!(!self.running);
        let pkt = format!("$c#{:02x}", checksum(b"c"));
        self.sock.write_all(pkt.as_bytes()).expect("gdb write");
        while self.read_byte() != b'+' {}
        self.running = true;
    }

    fn read_mem(&mut self, addr: u32, len: u32) -> Vec<u8> {
        self.stop();
        let mut out = Vec::with_capacity(len as usize);
        let mut at = addr;
        while at < addr + len {
            let n = (addr + len - at).min(0x400);
            let reply = self.command(&format!("m{at:x},{n:x}"));
            assert!(
                !reply.starts_with('E') && reply.len() == 2 * n as usize,
                "read {at:#x}: {reply:?}"
            );
            out.extend(
                (0..n as usize).map(|i| u8::from_str_radix(&reply[2 * i..2 * i + 2], 16).unwrap()),
            );
            at += n;
        }
        out
    }

    fn read_words(&mut self, addr: u32, words: u32) -> Vec<u32> {
        self.read_mem(addr, words * 4)
            .chunks(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect()
    }

    fn write_mem(&mut self, addr: u32, bytes: &[u8]) {
        self.stop();
        for (i, chunk) in bytes.chunks(0x200).enumerate() {
            let hex: String = chunk.iter().map(|b| format!("{b:02x}")).collect();
            let at = addr + (i * 0x200) as u32;
            let reply = self.command(&format!("M{at:x},{:x}:{hex}", chunk.len()));
            assert_eq!(reply, "OK", "write {at:#x}");
        }
    }

    fn write_word(&mut self, addr: u32, value: u32) {
        self.write_mem(addr, &value.to_le_bytes());
    }

    /// Let the CPU run, then look at `addr` every few milliseconds until `done` holds.
    fn wait_for(
        &mut self,
        what: &str,
        addr: u32,
        words: u32,
        done: impl Fn(&[u32]) -> bool,
    ) -> Vec<u32> {
        loop {
            let w = self.read_words(addr, words);
            if done(&w) {
                return w;
            }
            assert!(
                Instant::now() + Duration::from_millis(20) < self.deadline,
                "QEMU test: timed out waiting for {what}; last {w:x?}"
            );
            self.cont();
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// One event-ring record.
#[derive(Debug)]
struct Event {
    kind: u32,
    launch: u32,
    payload: Vec<u32>,
}

/// The records in `ring[from..to]` (byte offsets, monotonic as EVENT_HEAD is).
fn parse_events(ring: &[u8], from: u32, to: u32) -> Vec<Event> {
    let word = |off: u32| {
        let o = (off % CORE_EVENT_RING_SIZE) as usize;
        u32::from_le_bytes(ring[o..o + 4].try_into().unwrap())
    };
    let mut at = from;
    let mut out = Vec::new();
    while at != to {
        let header = word(at);
        let words = event::words_of(header);
        assert!(words >= 1, "bad event header {header:#x} at {at}");
        if event::kind_of(header) != EventKind::Pad as u32 {
            assert!(words >= event::HEADER_WORDS, "bad event header {header:#x}");
            out.push(Event {
                kind: event::kind_of(header),
                launch: word(at + 4),
                payload: (2..words).map(|i| word(at + 4 * i)).collect(),
            });
        }
        at = at.wrapping_add(4 * words);
    }
    out
}

/// The text a run's Print events make, each line prefixed `[device N] ` as
/// the CLI does: scalars (None, bool, int, float, str), lists and tuples of
/// them (strs in them quoted plainly: `'x'`, no escapes) and Opaque texts
/// (`[...]`); enough for the test programs.
fn stdout_of(events: &[Event]) -> String {
    use shared_protocol::numfmt::{format_float, format_int};
    use shared_protocol::value::{Reader, Token, unpack_bytes};
    fn text(len: u32, words: &[u32]) -> String {
        let mut buf = vec![0; len as usize];
        unpack_bytes(words, len, &mut buf);
        String::from_utf8(buf).expect("UTF-8 str")
    }
    fn scalar(r: &mut Reader) -> String {
        value(r, false)
    }
    // Recursive: the test's own values are shallow.
    fn value(r: &mut Reader, nested: bool) -> String {
        match r.token().expect("decode a value") {
            Token::None => "None".into(),
            Token::Bool(b) => if b { "True" } else { "False" }.into(),
            Token::Int(v) => String::from_utf8_lossy(&format_int(v)).into_owned(),
            Token::Float(v) => String::from_utf8_lossy(&format_float(v)).into_owned(),
            Token::Str { len, words } if nested => format!("'{}'", text(len, words)),
            Token::Str { len, words } | Token::Opaque { len, words } => text(len, words),
            Token::List(n) => format!("[{}]", (0..n).map(|_| value(r, true)).collect::<Vec<_>>().join(", ")),
            Token::Tuple(1) => format!("({},)", value(r, true)),
            Token::Tuple(n) => format!("({})", (0..n).map(|_| value(r, true)).collect::<Vec<_>>().join(", ")),
        }
    }
    let mut out = String::new();
    let mut line_start = true;
    for e in events.iter().filter(|e| e.kind == EventKind::Print as u32) {
        let mut r = Reader::new(&e.payload);
        let _epoch = r.word().expect("print epoch");
        let sep = scalar(&mut r);
        let end = scalar(&mut r);
        let count = r.word().expect("print count");
        let values: Vec<String> = (0..count).map(|_| scalar(&mut r)).collect();
        let text = values.join(&sep) + &end;
        for ch in text.chars() {
            if line_start {
                out.push_str(&format!("[device {}] ", board::CORE.0));
            }
            out.push(ch);
            line_start = ch == '\n';
        }
    }
    out
}

struct Host {
    gdb: Gdb,
    seq: u32,
    ack: u32,
}

impl Host {
    /// Send a command (arguments first, SEQ last) and collect its events up to REPLY_SEQ.
    fn command(&mut self, kind: Cmd, launch: u32, args: [u32; 4]) -> Vec<Event> {
        let g = &mut self.gdb;
        g.write_word(cmd_addr(cmd::KIND), kind as u32);
        g.write_word(cmd_addr(cmd::LAUNCH), launch);
        g.write_word(cmd_addr(cmd::GROUP_SIZE), 1);
        g.write_word(cmd_addr(cmd::GROUP_MASK_LO), 1 << board::CORE.0);
        g.write_word(cmd_addr(cmd::GROUP_MASK_HI), 0);
        for (i, a) in args.iter().enumerate() {
            g.write_word(cmd_addr(cmd::ARG0 + 4 * i as u32), *a);
        }
        self.seq += 1;
        let seq = self.seq;
        g.write_word(cmd_addr(cmd::SEQ), seq);
        g.cont();
        let st = g.wait_for("the reply", status_addr(0), 12, |s| {
            s[(status::REPLY_SEQ / 4) as usize] == seq
                || s[(status::STATE / 4) as usize] == CoreState::Fault as u32
        });
        assert_ne!(
            st[(status::STATE / 4) as usize],
            CoreState::Fault as u32,
            "the core faulted: {:?}, detail {:#x}",
            Fault::from_u32(st[(status::FAULT / 4) as usize]),
            st[(status::FAULT_DETAIL / 4) as usize]
        );
        let head = st[(status::EVENT_HEAD / 4) as usize];
        let ring = g.read_mem(ring_addr(), CORE_EVENT_RING_SIZE);
        let events = parse_events(&ring, self.ack, head);
        self.ack = head;
        g.write_word(cmd_addr(cmd::EVENT_ACK), head);
        events
    }
}

#[test]
fn boots_under_qemu_and_answers_echo() {
    let Some(qemu) = std::env::var_os("QEMU_SYSTEM_ARM")
        .map(PathBuf::from)
        .or_else(|| find_in_path("qemu-system-arm"))
    else {
        eprintln!("SKIPPED: qemu-system-arm is not installed (apt-get install -y qemu-system-arm)");
        return;
    };
    let elf = match firmware_elf() {
        Ok(elf) => elf,
        Err(why) => {
            eprintln!("SKIPPED: {why}");
            return;
        }
    };

    // The gdb socket: under the temp dir, since a unix socket path must stay
    // short (108 bytes), which a deep target directory may not be.
    let dir = std::env::temp_dir().join(format!("epython-qemu-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sock_path = dir.join("gdb.sock");
    let child = Command::new(&qemu)
        .args([
            "-M",
            MACHINE,
            "-nographic",
            "-monitor",
            "none",
            "-serial",
            "none",
            "-S",
        ])
        .arg("-gdb")
        .arg(format!("unix:{},server=on,wait=off", sock_path.display()))
        .arg("-kernel")
        .arg(&elf)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start qemu-system-arm");
    let mut vm = Qemu { child, dir };
    let deadline = Instant::now() + DEADLINE;
    let sock = loop {
        match UnixStream::connect(&sock_path) {
            Ok(s) => break s,
            Err(_) if Instant::now() < deadline && vm.child.try_wait().unwrap().is_none() => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(e) => panic!("QEMU's gdb stub never came up ({e}):\n{}", vm.stderr()),
        }
    };
    sock.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut g = Gdb {
        sock,
        deadline,
        running: false,
    };
    let stop = g.command("?");
    assert!(
        stop.starts_with('T') || stop.starts_with('S'),
        "initial stop reply {stop:?}"
    );

    // Before boot, as the loader does: paint the stack, a fresh boot nonce,
    // an empty command slot, a cleared status block.
    let stack_words = (STACK_TOP - STACK_BOTTOM) / 4;
    let paint: Vec<u8> = (0..stack_words).flat_map(|_| PAINT.to_le_bytes()).collect();
    g.write_mem(STACK_BOTTOM, &paint);
    g.write_mem(cmd_addr(0), &[0; 0x100]);
    g.write_mem(status_addr(0), &[0; 0x40]);
    let nonce = 0x5EED_0000 | (std::process::id() & 0xFFFF);
    g.write_word(cmd_addr(cmd::BOOT_NONCE), nonce);

    // Boot: the status block fills, the nonce last.
    g.cont();
    let st = g.wait_for("boot", status_addr(0), 12, |s| {
        s[(status::BOOT_NONCE / 4) as usize] == nonce
    });
    assert_eq!(
        st[(status::MAGIC / 4) as usize],
        STATUS_MAGIC,
        "status magic"
    );
    assert_eq!(
        st[(status::PROTOCOL / 4) as usize],
        shared_protocol::PROTOCOL_VERSION
    );
    assert_eq!(st[(status::BUILD_ID / 4) as usize], firmware::BUILD_ID);
    assert_eq!(
        st[(status::STATE / 4) as usize],
        CoreState::Idle as u32,
        "state after boot: {st:x?}"
    );
    eprintln!(
        "boot: magic EPYS, protocol {}, build id {:#x}, state Idle",
        st[1], st[2]
    );

    // The firmware header at CODE_START (mailbox::firmware_header).
    let h = g.read_words(CODE_START, firmware_header::SIZE / 4);
    let word = |off: u32| h[(off / 4) as usize];
    assert_eq!(word(firmware_header::MAGIC), FIRMWARE_MAGIC);
    assert_eq!(
        word(firmware_header::PROTOCOL),
        shared_protocol::PROTOCOL_VERSION
    );
    assert_eq!(word(firmware_header::KIND), FirmwareKind::ThumbProxy as u32);
    assert_eq!(word(firmware_header::BUILD_ID), firmware::BUILD_ID);
    let image_end = elf_loaded_end(&elf, CODE_START, CODE_END);
    assert_eq!(
        word(firmware_header::IMAGE_LEN),
        image_end - CODE_START,
        "header's image length"
    );
    eprintln!(
        "header: EPFW, kind ThumbProxy, image {} bytes",
        word(firmware_header::IMAGE_LEN)
    );

    // The cold code (linker/README.md): a segment in the DRAM window's shared
    // area, below core 0's area, loaded by QEMU like the resident image. The
    // header's reserved words 0x14/0x18 give its offset in the window and
    // its length.
    let dram_code = elf_symbol_value(&elf, "__dram_code_start").expect("__dram_code_start");
    let dram_len = elf_symbol_value(&elf, "__dram_code_len").expect("__dram_code_len");
    let dram_cap = elf_symbol_value(&elf, "__dram_code_cap").expect("__dram_code_cap");
    assert!(dram_len <= dram_cap, "DRAM code {dram_len} bytes > cap {dram_cap}");
    assert!(
        dram_code >= board::DRAM_BASE
            && dram_code + dram_cap <= status_addr(0)
            && dram_code + dram_cap <= board::DRAM_BASE + shared_protocol::layout::DRAM_CORES_START,
        "the DRAM code region {dram_code:#x}+{dram_cap:#x} must be in the shared area"
    );
    assert_eq!(word(0x14), dram_code - board::DRAM_BASE, "header: DRAM code offset");
    assert_eq!(word(0x18), dram_len, "header: DRAM code length");
    let loaded_end = elf_loaded_end(&elf, dram_code, dram_code + dram_cap);
    let want = elf_bytes(&elf, dram_code, loaded_end - dram_code);
    assert_eq!(
        g.read_mem(dram_code, want.len() as u32),
        want,
        "the DRAM code segment is not loaded at {dram_code:#x}"
    );
    eprintln!(
        "dram code: {dram_len} bytes at {dram_code:#x} (cap {dram_cap}), loaded"
    );

    // Startup set the chip's rules: the FPU on, unaligned accesses trapping.
    let ccr = g.read_words(0xE000_ED14, 1)[0];
    let cpacr = g.read_words(0xE000_ED88, 1)[0];
    assert_eq!(
        ccr & (1 << 3),
        1 << 3,
        "CCR.UNALIGN_TRP is not set: {ccr:#x}"
    );
    assert_eq!(
        cpacr & (0xF << 20),
        0xF << 20,
        "CPACR does not enable the FPU: {cpacr:#x}"
    );

    let mut host = Host {
        gdb: g,
        seq: 0,
        ack: st[(status::EVENT_HEAD / 4) as usize],
    };
    for (launch, word) in [(7, 0xC0FF_EE42u32), (8, 0x1234_5678)] {
        let events = host.command(Cmd::Echo, launch, [word, 0, 0, 0]);
        eprintln!("echo {word:#x}: {events:x?}");
        assert_eq!(events.len(), 2, "Echo then Done: {events:x?}");
        assert_eq!(
            (events[0].kind, events[0].launch, &events[0].payload[..]),
            (EventKind::Echo as u32, launch, &[word][..])
        );
        assert_eq!(
            (events[1].kind, events[1].launch, &events[1].payload[..]),
            (EventKind::Done as u32, launch, &[DoneStatus::Ok as u32][..])
        );
    }

    if let Some(prog) = std::env::var_os("EPYTHON_QEMU_RUN") {
        let image = std::fs::read(&prog).expect("read EPYTHON_QEMU_RUN");
        assert!(
            image.len() as u32 <= CORE_INBOX_SIZE,
            "image too big for the inbox"
        );
        let mut padded = image.clone();
        padded.resize(image.len().next_multiple_of(4), 0);
        host.gdb.write_mem(inbox_addr(), &padded);
        let events = host.command(Cmd::Run, 9, [0, image.len() as u32, 0, 0]);
        let done = events.last().expect("Run produced no events");
        assert_eq!(
            done.kind,
            EventKind::Done as u32,
            "Run must end with Done: {events:x?}"
        );
        let text = stdout_of(&events);
        let status = DoneStatus::from_u32(done.payload[0]);
        println!("run {}: done status {status:?}", Path::new(&prog).display());
        print!("{text}");
        let error = events.iter().find(|e| e.kind == EventKind::Error as u32);
        if let Some(e) = error {
            println!(
                "run: error event (exception type {}, message {}, line {})",
                e.payload[0], e.payload[1], e.payload[2]
            );
        }
        // EPYTHON_QEMU_EXPECT_ERROR=1: the program must raise (as it does on the simulator).
        let expect_error = std::env::var("EPYTHON_QEMU_EXPECT_ERROR").is_ok_and(|v| v == "1");
        assert_eq!(
            error.is_some(),
            expect_error,
            "Error event present: {events:x?}"
        );
        assert_eq!(
            status == Some(DoneStatus::Error),
            expect_error,
            "done status {status:?}"
        );
        if let Some(expect) = std::env::var_os("EPYTHON_QEMU_EXPECT") {
            let expect = std::fs::read_to_string(expect).expect("read EPYTHON_QEMU_EXPECT");
            assert_eq!(
                text, expect,
                "QEMU's output differs from the expected (simulator's) output"
            );
            println!("run: output matches the expected output");
        }
    }

    // The deepest stack use: the lowest word that no longer holds the paint.
    let g = &mut host.gdb;
    let stack = g.read_words(STACK_BOTTOM, stack_words);
    let lowest = stack
        .iter()
        .position(|w| *w != PAINT)
        .expect("the stack was never used");
    let depth = (stack_words - lowest as u32) * 4;
    let regs = g.command("g"); // r0..r15, 8 hex digits each, little-endian
    let sp = regs
        .get(13 * 8..14 * 8)
        .and_then(|h| u32::from_str_radix(h, 16).ok())
        .map_or(0, u32::swap_bytes);
    eprintln!(
        "stack: deepest use {depth} of {} bytes (lowest written word {:#06x}); sp now {sp:#06x}",
        STACK_TOP - STACK_BOTTOM,
        STACK_BOTTOM + 4 * lowest as u32
    );
    println!(
        "qemu: stack depth {depth} bytes of {}",
        STACK_TOP - STACK_BOTTOM
    );
    assert!(
        lowest > 0,
        "the stack reached STACK_BOTTOM: it may have overflowed into the arena"
    );

    // A malformed command: the core stops with a BadCommand fault.
    g.write_word(cmd_addr(cmd::KIND), 0x99);
    host.seq += 1;
    host.gdb.write_word(cmd_addr(cmd::SEQ), host.seq);
    host.gdb.cont();
    let st = host
        .gdb
        .wait_for("the BadCommand fault", status_addr(0), 12, |s| {
            s[(status::STATE / 4) as usize] == CoreState::Fault as u32
        });
    assert_eq!(st[(status::FAULT / 4) as usize], Fault::BadCommand as u32);
    assert_eq!(st[(status::FAULT_DETAIL / 4) as usize], cmd::KIND);
    eprintln!(
        "bad command: state Fault, fault BadCommand, detail {:#x}",
        cmd::KIND
    );

    // The chip faults on unaligned access; so must the proxy. Run one
    // `ldr r0, [r1]` (0x6808) from the arena with r1 unaligned: the CPU fault
    // handler records FAULT_DETAIL = 0x8000_0000 | CFSR (UNALIGNED = bit 24).
    let g = &mut host.gdb;
    g.write_mem(status_addr(0), &[0; 0x30]);
    g.write_mem(ARENA_START, &[0x08, 0x68, 0xFE, 0xE7]); // ldr r0, [r1]; b .
    set_regs(g, &[(1, board::DRAM_BASE + 1), (15, ARENA_START)]);
    g.cont();
    let st = g.wait_for("the unaligned-access fault", status_addr(0), 12, |s| {
        s[(status::STATE / 4) as usize] == CoreState::Fault as u32
    });
    let detail = st[(status::FAULT_DETAIL / 4) as usize];
    assert_eq!(st[(status::FAULT / 4) as usize], Fault::Panic as u32);
    assert_eq!(
        detail & 0x8100_0000,
        0x8100_0000,
        "FAULT_DETAIL {detail:#x}: not an UNALIGNED usage fault"
    );
    eprintln!("unaligned load: state Fault, detail {detail:#x} (CFSR.UNALIGNED)");

    // A CPU fault leaves the core halted for good, so reset the board: the
    // image boots again (QEMU reloads it) and reports a fresh status.
    let g = &mut host.gdb;
    g.write_mem(status_addr(0), &[0; 0x30]);
    g.write_word(cmd_addr(cmd::BOOT_NONCE), nonce + 1);
    g.monitor("system_reset");
    g.cont();
    let st = g.wait_for("the reboot", status_addr(0), 12, |s| {
        s[(status::BOOT_NONCE / 4) as usize] == nonce + 1
    });
    assert_eq!(
        st[(status::STATE / 4) as usize],
        CoreState::Idle as u32,
        "state after the reboot: {st:x?}"
    );
    eprintln!("reset: the image booted again, state Idle");

    // A firmware panic: call core's panic_bounds_check with a made-up
    // Location whose words all read 0x1234, so its line is 0x1234 whatever
    // the field order. The handler records Fault::Panic (with the line when
    // the image has the `panic-line` feature).
    let panic_fn = elf_symbol(&elf, "panic_bounds_check")
        .expect("core::panicking::panic_bounds_check in the image");
    g.write_mem(status_addr(0), &[0; 0x30]);
    let location = ARENA_START + 0x100;
    g.write_mem(location, &[0x34, 0x12, 0, 0].repeat(4));
    set_regs(g, &[(0, 5), (1, 2), (2, location), (15, panic_fn & !1)]);
    g.cont();
    let st = g.wait_for("the panic", status_addr(0), 12, |s| {
        s[(status::STATE / 4) as usize] == CoreState::Fault as u32
    });
    assert_eq!(st[(status::FAULT / 4) as usize], Fault::Panic as u32);
    // 0, or the line with the image's `panic-line` feature.
    let detail = st[(status::FAULT_DETAIL / 4) as usize];
    assert!(
        detail == 0 || detail == 0x1234,
        "panic FAULT_DETAIL {detail:#x}"
    );
    eprintln!("panic: state Fault, fault Panic, detail {detail:#x}");
}

/// Set core registers (r0..r15) of the stopped CPU.
fn set_regs(g: &mut Gdb, regs: &[(usize, u32)]) {
    g.stop();
    let mut all = g.command("g");
    for (r, v) in regs {
        all.replace_range(r * 8..(r + 1) * 8, &hex_le(*v));
    }
    assert_eq!(g.command(&format!("G{all}")), "OK", "set registers");
}

/// The end of the loaded (SHT_PROGBITS, SHF_ALLOC) sections in `from..to`.
fn elf_loaded_end(elf: &Path, from: u32, to: u32) -> u32 {
    let f = std::fs::read(elf).expect("read the image");
    let u16_at = |o: usize| u16::from_le_bytes([f[o], f[o + 1]]) as usize;
    let u32_at = |o: usize| u32::from_le_bytes(f[o..o + 4].try_into().unwrap());
    let (shoff, shentsize, shnum) = (u32_at(0x20) as usize, u16_at(0x2E), u16_at(0x30));
    (0..shnum)
        .map(|i| shoff + i * shentsize)
        .filter(|&sh| {
            u32_at(sh + 4) == 1
                && u32_at(sh + 8) & 2 != 0
                && u32_at(sh + 12) >= from
                && u32_at(sh + 12) < to
        })
        .map(|sh| u32_at(sh + 12) + u32_at(sh + 20))
        .max()
        .expect("no loaded section in the region")
}

/// `len` bytes of the image's loaded sections from address `addr` (gaps
/// between sections read as 0).
fn elf_bytes(elf: &Path, addr: u32, len: u32) -> Vec<u8> {
    let f = std::fs::read(elf).expect("read the image");
    let u16_at = |o: usize| u16::from_le_bytes([f[o], f[o + 1]]) as usize;
    let u32_at = |o: usize| u32::from_le_bytes(f[o..o + 4].try_into().unwrap());
    let (shoff, shentsize, shnum) = (u32_at(0x20) as usize, u16_at(0x2E), u16_at(0x30));
    let mut out = vec![0u8; len as usize];
    for sh in (0..shnum).map(|i| shoff + i * shentsize) {
        let (kind, flags, at, off, size) = (
            u32_at(sh + 4),
            u32_at(sh + 8),
            u32_at(sh + 12),
            u32_at(sh + 16),
            u32_at(sh + 20),
        );
        if kind != 1 || flags & 2 == 0 || at + size <= addr || at >= addr + len {
            continue;
        }
        for i in at.max(addr)..(at + size).min(addr + len) {
            out[(i - addr) as usize] = f[(off + i - at) as usize];
        }
    }
    out
}

/// The value of the symbol named exactly `name` (a linker-script symbol).
fn elf_symbol_value(elf: &Path, name: &str) -> Option<u32> {
    let f = std::fs::read(elf).ok()?;
    let u16_at = |o: usize| u16::from_le_bytes([f[o], f[o + 1]]) as usize;
    let u32_at = |o: usize| u32::from_le_bytes(f[o..o + 4].try_into().unwrap()) as usize;
    let (shoff, shentsize, shnum) = (u32_at(0x20), u16_at(0x2E), u16_at(0x30));
    let section = |i: usize| shoff + i * shentsize;
    let symtab = (0..shnum).map(section).find(|&sh| u32_at(sh + 4) == 2)?; // SHT_SYMTAB
    let strtab = section(u32_at(symtab + 24));
    let (str_off, sym_off, sym_size) = (
        u32_at(strtab + 16),
        u32_at(symtab + 16),
        u32_at(symtab + 20),
    );
    (0..sym_size / 16).map(|i| sym_off + i * 16).find_map(|sym| {
        let name_at = str_off + u32_at(sym);
        let end = f[name_at..].iter().position(|b| *b == 0)?;
        (&f[name_at..name_at + end] == name.as_bytes()).then(|| u32_at(sym + 4) as u32)
    })
}

/// The address of the first function whose (mangled) name contains `part`,
/// from the image's ELF32 symbol table.
fn elf_symbol(elf: &Path, part: &str) -> Option<u32> {
    let f = std::fs::read(elf).ok()?;
    let u16_at = |o: usize| u16::from_le_bytes([f[o], f[o + 1]]) as usize;
    let u32_at = |o: usize| u32::from_le_bytes(f[o..o + 4].try_into().unwrap()) as usize;
    let (shoff, shentsize, shnum) = (u32_at(0x20), u16_at(0x2E), u16_at(0x30));
    let section = |i: usize| shoff + i * shentsize;
    let symtab = (0..shnum).map(section).find(|&sh| u32_at(sh + 4) == 2)?; // SHT_SYMTAB
    let strtab = section(u32_at(symtab + 24));
    let (str_off, sym_off, sym_size) = (
        u32_at(strtab + 16),
        u32_at(symtab + 16),
        u32_at(symtab + 20),
    );
    (0..sym_size / 16)
        .map(|i| sym_off + i * 16)
        .find_map(|sym| {
            let name_at = str_off + u32_at(sym);
            let end = f[name_at..].iter().position(|b| *b == 0)?;
            let name = std::str::from_utf8(&f[name_at..name_at + end]).ok()?;
            (name.contains(part) && f[sym + 12] & 0xF == 2).then(|| u32_at(sym + 4) as u32) // STT_FUNC
        })
}

fn hex_le(v: u32) -> String {
    v.to_le_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

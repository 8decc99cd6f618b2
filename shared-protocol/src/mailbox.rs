//! The mailbox between the host and one core (design.md §2, §8).
//!
//! Every word has exactly one writer. All accesses are aligned 32-bit loads and
//! stores (no read-modify-write across the boundary). Handshakes use sequence
//! numbers that only grow, never flags two sides clear.
//!
//! | direction   | where                          | writer | words                     |
//! |-------------|--------------------------------|--------|---------------------------|
//! | host → core | SRAM command slot ([`cmd`])    | host   | command, event ack, cancel|
//! | core → host | DRAM status block ([`status`]) | core   | state, reply seq, faults  |
//! | core → host | DRAM event ring ([`event`])    | core   | prints, results, errors   |
//!
//! A command: the host fills the slot's argument words and any inbox data,
//! then writes `cmd::SEQ` (+1) LAST, then raises the core's USER interrupt.
//! The core runs it, appends events to its ring (each ring write followed by
//! `status::EVENT_HEAD`), writes `status::REPLY_SEQ` = the command's seq LAST,
//! and notifies the host. The host consumes events and writes `cmd::EVENT_ACK`
//! (the ring bytes it has consumed); a core whose ring is full sets
//! `status::WAITING` = [`Waiting::RingSpace`] and idles until the host raises
//! USER after acking.

/// Host → core command slot, word offsets from `layout::COMMAND_SLOT_START`.
pub mod cmd {
    /// Sequence number of the current command; written last.
    pub const SEQ: u32 = 0x00;
    /// A [`super::Command`] code.
    pub const KIND: u32 = 0x04;
    /// Launch number: stamped on every event the command produces.
    pub const LAUNCH: u32 = 0x08;
    /// Number of cores in the launch group (`numcores()`).
    pub const GROUP_SIZE: u32 = 0x0C;
    /// Launch-group membership, one bit per core (cores 0..31, 32..63).
    pub const GROUP_MASK_LO: u32 = 0x10;
    pub const GROUP_MASK_HI: u32 = 0x14;
    /// Command arguments. For [`super::Command::Run`]: ARG0 = inbox offset of
    /// the bytecode image, ARG1 = its length in bytes, ARG2 = inbox offset of
    /// the encoded argument tuple, ARG3 = its length (0: no arguments).
    /// For [`super::Command::Echo`]: ARG0 = the word to echo back.
    pub const ARG0: u32 = 0x18;
    pub const ARG1: u32 = 0x1C;
    pub const ARG2: u32 = 0x20;
    pub const ARG3: u32 = 0x24;
    /// For [`super::Command::Run`]: ARG4 = inbox offset of the launch's
    /// device-data bindings, ARG5 = their length in bytes (0: none). A
    /// binding is two words, a global's index in the image and a slot of the
    /// core's data store (`layout::data_store`): the global starts with the
    /// slot's value, and the slot keeps the global's value when the launch
    /// ends (device-resident data, design.md §5).
    pub const ARG4: u32 = 0x28;
    pub const ARG5: u32 = 0x2C;
    /// `input()` during a Run: after an [`super::EventKind::Input`] event
    /// the host writes the line's UTF-8 bytes into the inbox at INPUT_OFF,
    /// their count into INPUT_LEN ([`super::INPUT_EOF`]: no more input),
    /// then bumps INPUT_SEQ (last) and raises USER; the core waits for
    /// INPUT_SEQ to change.
    pub const INPUT_SEQ: u32 = 0x30;
    pub const INPUT_LEN: u32 = 0x34;
    pub const INPUT_OFF: u32 = 0x38;
    /// Bytes of the event ring the host has consumed (monotonic, wraps at 2^32).
    pub const EVENT_ACK: u32 = 0x40;
    /// A launch number to stop cooperatively (checked where the VM checks halt).
    pub const CANCEL: u32 = 0x44;
    /// Written by the loader before start; the firmware echoes it into
    /// `status::BOOT_NONCE` so the host never mistakes a stale status for a boot.
    pub const BOOT_NONCE: u32 = 0x48;
    /// For [`super::Command::Run`]: the image's tag (a hash of its bytes,
    /// low and high word; 0 and 0: no tag) and the core's image epoch. A core
    /// that holds a verified image it loaded with the same tag, epoch and
    /// length runs it again without copying or verifying the inbox's copy
    /// (the image cache, issue 17). The host advances a core's epoch on
    /// every reset, reload, fault and cancel, and on every open of the
    /// device, and never sends one tag for two different images in an epoch.
    pub const IMAGE_TAG_LO: u32 = 0x4C;
    pub const IMAGE_TAG_HI: u32 = 0x50;
    pub const IMAGE_EPOCH: u32 = 0x54;
}

/// `cmd::INPUT_LEN` when the host's input has ended (the core raises EOFError).
pub const INPUT_EOF: u32 = u32::MAX;

/// Command codes (`cmd::KIND`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// Append an [`EventKind::Echo`] event carrying ARG0 and finish.
    Echo = 1,
    /// Run a bytecode image from the inbox.
    Run = 2,
}

impl Command {
    pub const fn from_u32(v: u32) -> Option<Command> {
        match v {
            1 => Some(Command::Echo),
            2 => Some(Command::Run),
            _ => None,
        }
    }
}

/// Core → host status block, word offsets from the core's DRAM area + `layout::CORE_STATUS`.
pub mod status {
    /// [`super::STATUS_MAGIC`] once the firmware has booted. MAGIC and
    /// PROTOCOL keep these offsets in every protocol version, and the
    /// firmware writes PROTOCOL before MAGIC, so a host can always tell a
    /// firmware of another version from one still booting.
    pub const MAGIC: u32 = 0x00;
    /// The firmware's `PROTOCOL_VERSION`.
    pub const PROTOCOL: u32 = 0x04;
    /// The firmware's build id (see `FirmwareHeader::build_id`).
    pub const BUILD_ID: u32 = 0x08;
    /// Echo of `cmd::BOOT_NONCE` read at boot; written last at boot.
    pub const BOOT_NONCE: u32 = 0x0C;
    /// A [`super::CoreState`].
    pub const STATE: u32 = 0x10;
    /// `cmd::SEQ` of the last command completed; written last after its events.
    pub const REPLY_SEQ: u32 = 0x14;
    /// Bytes written into the event ring (monotonic, wraps at 2^32).
    pub const EVENT_HEAD: u32 = 0x18;
    /// What the core is blocked on: a [`super::Waiting`].
    pub const WAITING: u32 = 0x1C;
    /// A [`super::Fault`] code once `STATE` is `Fault`.
    pub const FAULT: u32 = 0x20;
    /// Detail for the fault (e.g. the command word that was refused).
    pub const FAULT_DETAIL: u32 = 0x24;
    /// The launch the core is running (valid while `STATE` is `Running`).
    pub const LAUNCH: u32 = 0x28;
    /// Source line being executed when last reported (for deadlock/timeout reports).
    pub const LINE: u32 = 0x2C;
    /// The `parallel` wait the core is blocked in (0: none), see
    /// `postbox::wait_word`; written before the core idles, cleared (0)
    /// before it consumes what ended the wait.
    pub const PAR_WAIT: u32 = 0x30;
    /// The source line of that wait.
    pub const PAR_LINE: u32 = 0x34;
    /// Wait episodes so far (the core's own counter).
    pub const PAR_EPISODE: u32 = 0x38;
    /// `parallel.wtime()`: the cycle counter when last read, and how many
    /// times it had wrapped.
    pub const TIMER_LAST: u32 = 0x3C;
    pub const TIMER_WRAPS: u32 = 0x40;
    /// Images this core copied from its inbox and verified since boot (the
    /// image cache's misses; a Run served from the cache leaves it alone).
    pub const IMAGE_LOADS: u32 = 0x44;
    /// The launch group's barriers (`sync`, `reduce`, `bcast`) this core
    /// has passed in the launch it runs: stored as 0 before `LAUNCH` at
    /// the start of every command, then after each barrier. Every Print
    /// event carries the count at its print; a host that reads `LAUNCH`
    /// (this launch), then this word E, then the event ring has every
    /// line the core printed before its E-th barrier (the core wrote them
    /// before this word), and the core prints nothing older from then on:
    /// how the host puts lines printed before a barrier ahead of the
    /// group's lines printed after it (loader `print_order.rs`).
    pub const EPOCH: u32 = 0x48;
    // 0x100..postbox::STATUS_END: the postbox's SENT and RECVD words.
}

/// `status::MAGIC` after boot: "EPYS".
pub const STATUS_MAGIC: u32 = u32::from_le_bytes(*b"EPYS");

#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoreState {
    Booting = 1,
    Idle = 2,
    Running = 3,
    /// The core stopped on a fault; `status::FAULT` says which.
    Fault = 4,
}

impl CoreState {
    pub const fn from_u32(v: u32) -> Option<CoreState> {
        match v {
            1 => Some(CoreState::Booting),
            2 => Some(CoreState::Idle),
            3 => Some(CoreState::Running),
            4 => Some(CoreState::Fault),
            _ => None,
        }
    }
}

#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waiting {
    Nothing = 0,
    /// The event ring is full: raise USER after advancing `cmd::EVENT_ACK`.
    RingSpace = 1,
    /// Idle, waiting for a command.
    Command = 2,
}

/// Firmware fault codes (`status::FAULT`). Text for them lives on the host.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    None = 0,
    /// The firmware panicked (a firmware bug).
    Panic = 1,
    /// A command word was out of range (`FAULT_DETAIL` = the word's offset).
    BadCommand = 2,
    /// An image or argument block in the inbox was refused by the verifier.
    BadImage = 3,
    /// The VM hit an internal invariant violation.
    VmInternal = 4,
    /// The firmware's stack reached its end (`layout::STACK_CANARY` was
    /// overwritten): the VM arena below it may be corrupted.
    StackOverflow = 5,
    /// The core stopped on an exception the firmware did not report itself
    /// (only the host records this one, from the core's registers: the
    /// core is halted with STATUS.EXCAUSE or a pending exception).
    /// `FAULT_DETAIL` = EXCAUSE << 24 | the PC's low 24 bits.
    CpuException = 6,
}

impl Fault {
    pub const fn from_u32(v: u32) -> Option<Fault> {
        match v {
            0 => Some(Fault::None),
            1 => Some(Fault::Panic),
            2 => Some(Fault::BadCommand),
            3 => Some(Fault::BadImage),
            4 => Some(Fault::VmInternal),
            5 => Some(Fault::StackOverflow),
            6 => Some(Fault::CpuException),
            _ => None,
        }
    }

    pub const fn describe(self) -> &'static str {
        match self {
            Fault::None => "no fault",
            Fault::Panic => "firmware panic",
            Fault::BadCommand => "malformed command in the mailbox",
            Fault::BadImage => "bytecode image refused by the verifier",
            Fault::VmInternal => "VM internal error",
            Fault::StackOverflow => "firmware stack overflow (the VM's memory may be corrupted)",
            Fault::CpuException => "the core stopped on an exception the firmware did not handle",
        }
    }
}

/// The event ring: a byte ring of `layout::CORE_EVENT_RING_SIZE` bytes holding
/// records of whole words. A record never straddles the end: when it does not
/// fit before the end, the core writes a `Pad` header there and continues at 0.
///
/// Record: `[header][launch][payload words...]` where
/// `header = kind | (total_words << 8)` (total includes header and launch).
pub mod event {
    pub const HEADER_WORDS: u32 = 2;

    pub const fn header(kind: super::EventKind, total_words: u32) -> u32 {
        kind as u32 | (total_words << 8)
    }
    pub const fn kind_of(header: u32) -> u32 {
        header & 0xFF
    }
    pub const fn words_of(header: u32) -> u32 {
        header >> 8
    }
}

/// Event kinds and their payloads (values in `value` encoding).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// Skip to the start of the ring.
    Pad = 0,
    /// `print`: payload = epoch word (`status::EPOCH` at the print), sep
    /// (Str value), end (Str value), count word, values.
    Print = 1,
    /// The kernel's return value: payload = one value.
    Result = 2,
    /// A Python exception on the core: payload = exception type word
    /// (`errors::ExcType`), message code word (`errors::Msg`), line word,
    /// one detail value (a Str, a Tuple of Strs, or None).
    Error = 3,
    /// The command finished: payload = a [`DoneStatus`] word.
    Done = 4,
    /// Reply to [`Command::Echo`]: payload = the echoed word.
    Echo = 5,
    /// `input()`: the core waits for a line (`cmd::INPUT_*`); no payload.
    Input = 6,
}

impl EventKind {
    pub const fn from_u32(v: u32) -> Option<EventKind> {
        match v {
            0 => Some(EventKind::Pad),
            1 => Some(EventKind::Print),
            2 => Some(EventKind::Result),
            3 => Some(EventKind::Error),
            4 => Some(EventKind::Done),
            5 => Some(EventKind::Echo),
            6 => Some(EventKind::Input),
            _ => None,
        }
    }
}

#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DoneStatus {
    Ok = 0,
    /// An Error event precedes this.
    Error = 1,
    /// Stopped by `cmd::CANCEL`.
    Cancelled = 2,
}

impl DoneStatus {
    pub const fn from_u32(v: u32) -> Option<DoneStatus> {
        match v {
            0 => Some(DoneStatus::Ok),
            1 => Some(DoneStatus::Error),
            2 => Some(DoneStatus::Cancelled),
            _ => None,
        }
    }
}

/// The header at `layout::CODE_START` of every firmware image, in words.
/// A core whose code region does not start with a header it knows stays
/// halted with a fault status (the simulator checks it at SYNC).
pub mod firmware_header {
    /// [`super::FIRMWARE_MAGIC`].
    pub const MAGIC: u32 = 0x00;
    /// The `PROTOCOL_VERSION` the firmware speaks.
    pub const PROTOCOL: u32 = 0x04;
    /// A [`super::FirmwareKind`].
    pub const KIND: u32 = 0x08;
    /// Identifies the build (the firmware reports it in `status::BUILD_ID`).
    pub const BUILD_ID: u32 = 0x0C;
    /// Length of the whole image in bytes, header included.
    pub const IMAGE_LEN: u32 = 0x10;
    pub const SIZE: u32 = 0x20;
}

/// "EPFW".
pub const FIRMWARE_MAGIC: u32 = u32::from_le_bytes(*b"EPFW");

#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FirmwareKind {
    /// The firmware crate compiled into the simulator, run by its core threads.
    NativeSimulated = 1,
    /// The bare-metal proxy image (thumbv7em).
    ThumbProxy = 2,
    /// Epiphany machine code (firmware-epiphany: Rust -> wasm32 -> wasm2c ->
    /// epiphany-elf-gcc), loaded from an ELF.
    Epiphany = 3,
}

//! The host side of the mailbox (`shared_protocol::mailbox`): sending
//! commands into a core's SRAM slot and reading its event ring in DRAM.
//!
//! Everything a core wrote is checked before use: record kinds and lengths
//! against what EVENT_HEAD publishes and the ring's end, value payloads with
//! the shared `Reader`. Bad data is a protocol error for that core, never a
//! panic or a read outside the ring.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use shared_protocol::chip::{irq, reg};
use shared_protocol::errors::{ExcType, Msg};
use shared_protocol::layout::{CORE_EVENT_RING_SIZE, CORE_INBOX_SIZE};
use shared_protocol::mailbox::{cmd, event, status, Command, CoreState, DoneStatus, EventKind, Waiting, INPUT_EOF};
use shared_protocol::natives;
use shared_protocol::value::Reader;
use shared_protocol::CoreId;

use crate::backend::{deadline_after, Waiter};
use crate::device::Device;
use crate::error::LoaderError;
use crate::mem::Window;
use crate::run::DeviceException;
use crate::value::Value;

/// One record from a core's event ring.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Event {
    pub launch: u32,
    pub body: EventBody,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum EventBody {
    /// `print`; `epoch`: the group barriers the core had passed
    /// (`mailbox::status::EPOCH`).
    Print { epoch: u32, sep: String, end: String, values: Vec<Value> },
    Result(Value),
    Error(DeviceException),
    Done(DoneStatus),
    Echo(u32),
    /// `input()`: the core waits for [`Device::answer_input`].
    Input,
}

/// A command as the slot holds it.
pub(crate) struct CommandWords<'a> {
    pub kind: Command,
    pub launch: u32,
    pub group: &'a [CoreId],
    pub args: [u32; 6],
}

impl Device {
    /// Send a command (mailbox.rs: arguments first, `cmd::SEQ` last, then
    /// raise USER). Returns the command's sequence number. The backend's
    /// notify is the caller's ([`Device::notify_cores`]): a launch notifies
    /// its cores once every command is written, and the scheduler outside
    /// its lock.
    pub(crate) fn send_command(&self, core: CoreId, c: &CommandWords<'_>) -> u32 {
        let slot = self.cmd_slot(core);
        for (i, a) in c.args.iter().enumerate() {
            slot.store(cmd::ARG0 as usize + i * 4, *a);
        }
        let mask = c.group.iter().fold(0u64, |m, g| m | 1u64 << (g.0 % 64));
        slot.store(cmd::KIND as usize, c.kind as u32);
        slot.store(cmd::LAUNCH as usize, c.launch);
        slot.store(cmd::GROUP_SIZE as usize, c.group.len() as u32);
        slot.store(cmd::GROUP_MASK_LO as usize, mask as u32);
        slot.store(cmd::GROUP_MASK_HI as usize, (mask >> 32) as u32);
        // We are the slot's only writer, so the previous SEQ is what we wrote.
        let seq = slot.load(cmd::SEQ as usize).wrapping_add(1);
        slot.store(cmd::SEQ as usize, seq);
        self.reg_write(core, reg::ILATST, irq::USER);
        seq
    }

    /// Answer a core's `input()` (mailbox.rs `cmd::INPUT_*`): the line's
    /// bytes go into the inbox at `offset` (after the image and arguments),
    /// at most what is left of the inbox (a longer line is cut at a
    /// character boundary); `None` is the end of input (EOFError on the core).
    pub(crate) fn answer_input(&self, core: CoreId, offset: usize, line: Option<&str>) {
        let slot = self.cmd_slot(core);
        let len = match line {
            Some(text) => {
                let room = (CORE_INBOX_SIZE as usize).saturating_sub(offset);
                let mut n = text.len().min(room);
                while !text.is_char_boundary(n) {
                    n -= 1;
                }
                self.inbox(core).write_bytes(offset, &text.as_bytes()[..n]);
                n as u32
            }
            None => INPUT_EOF,
        };
        slot.store(cmd::INPUT_OFF as usize, offset as u32);
        slot.store(cmd::INPUT_LEN as usize, len);
        // We are INPUT_SEQ's only writer; the core waits for it to change.
        let seq = slot.load(cmd::INPUT_SEQ as usize).wrapping_add(1);
        slot.store(cmd::INPUT_SEQ as usize, seq);
        self.raise_user(core);
    }

    pub(crate) fn raise_user(&self, core: CoreId) {
        self.reg_write(core, reg::ILATST, irq::USER);
        self.notify(core);
    }

    /// The backend's notify for cores whose registers were written (no
    /// system call on a board; a futex wake per core on the simulator).
    pub(crate) fn notify_cores(&self, cores: &[CoreId]) {
        for &core in cores {
            self.notify(core);
        }
    }

    /// A new launch number (never 0).
    pub(crate) fn next_launch(&self) -> u32 {
        loop {
            let n = self.launch.fetch_add(1, Ordering::SeqCst).wrapping_add(1);
            if n != 0 {
                return n;
            }
        }
    }

    /// Err(state description) unless the core was booted by this Device and
    /// is idle.
    pub(crate) fn check_ready(&self, core: CoreId) -> Result<(), LoaderError> {
        self.check_core(core)?;
        let state = self.status_block(core).load(status::STATE as usize);
        if !self.booted[core.0 as usize].load(Ordering::SeqCst) {
            return Err(LoaderError::NotReady { core: core.0, state: "not booted by this process".into() });
        }
        if state != CoreState::Idle as u32 {
            return Err(LoaderError::NotReady { core: core.0, state: self.describe_state(core) });
        }
        Ok(())
    }

    /// Read every event the core has published since the last read, ack them
    /// (`cmd::EVENT_ACK`), and wake the core if it waits for ring space.
    pub(crate) fn read_events(&self, core: CoreId) -> Result<Vec<Event>, String> {
        let slot = self.cmd_slot(core);
        let st = self.status_block(core);
        let tail = slot.load(cmd::EVENT_ACK as usize);
        let head = st.load(status::EVENT_HEAD as usize);
        let events = if head != tail {
            let (events, new_tail) = parse_ring(&self.event_ring(core), tail, head)?;
            slot.store(cmd::EVENT_ACK as usize, new_tail);
            events
        } else {
            Vec::new()
        };
        // After the ack (SeqCst store, then load): a core that published
        // WAITING before we acked gets its USER interrupt.
        if st.load(status::WAITING as usize) == Waiting::RingSpace as u32 {
            self.raise_user(core);
        }
        Ok(events)
    }

    /// Send Echo with `word` and return what the core echoes (self-test).
    pub fn echo(&self, core: CoreId, word: u32) -> Result<u32, LoaderError> {
        self.check_ready(core)?;
        let launch = self.next_launch();
        let protocol = |detail: String| LoaderError::Protocol { core: core.0, detail };
        let seq = self.send_command(
            core,
            &CommandWords { kind: Command::Echo, launch, group: &[core], args: [word, 0, 0, 0, 0, 0] },
        );
        self.notify(core);
        let timeout = self.timeouts.command;
        let deadline = deadline_after(timeout);
        let mut waiter = Waiter::new(&self.backend);
        let (mut echoed, mut done) = (None, false);
        loop {
            let seen = self.backend.doorbell();
            for ev in self.read_events(core).map_err(protocol)? {
                if ev.launch != launch {
                    return Err(protocol(format!("an event of launch {} during echo launch {launch}", ev.launch)));
                }
                match ev.body {
                    EventBody::Echo(w) if echoed.is_none() => echoed = Some(w),
                    EventBody::Done(DoneStatus::Ok) => done = true,
                    other => return Err(protocol(format!("unexpected event during echo: {other:?}"))),
                }
                waiter.progressed();
            }
            let st = self.status_block(core);
            if st.load(status::STATE as usize) == CoreState::Fault as u32 {
                return Err(protocol(self.describe_state(core)));
            }
            if done && st.load(status::REPLY_SEQ as usize) == seq {
                return echoed.ok_or_else(|| protocol("echo finished without an Echo event".into()));
            }
            let now = Instant::now();
            if now >= deadline {
                self.check_server()?;
                return Err(LoaderError::CommandTimeout { core: core.0, what: "echo", timeout });
            }
            waiter.wait(seen, (deadline - now).min(Duration::from_millis(50)));
        }
    }
}

/// Parse the records published between `tail` (our read position) and
/// `head` (the core's EVENT_HEAD). Returns them and the new read position.
///
/// Offsets in the ring are `position % ring size`, exactly as the firmware
/// computes them (events.rs).
pub(crate) fn parse_ring(ring: &Window, tail: u32, head: u32) -> Result<(Vec<Event>, u32), String> {
    let size = CORE_EVENT_RING_SIZE;
    debug_assert_eq!(ring.len(), size as usize);
    let published = head.wrapping_sub(tail);
    if published > size || !published.is_multiple_of(4) || !tail.is_multiple_of(4) {
        return Err(format!(
            "EVENT_HEAD {head:#x} is not a whole number of words within one ring ({size} bytes) after the host's read position {tail:#x}"
        ));
    }
    let mut events = Vec::new();
    let mut pos = tail;
    while pos != head {
        let left = head.wrapping_sub(pos);
        let off = pos % size;
        let to_end = size - off;
        let header = ring.load(off as usize);
        let words = event::words_of(header);
        let bytes = u64::from(words) * 4;
        let kind = EventKind::from_u32(event::kind_of(header))
            .ok_or_else(|| format!("unknown event kind {} at ring offset {off:#x}", event::kind_of(header)))?;
        if kind == EventKind::Pad {
            // A Pad only ever fills the rest of the ring.
            if bytes != u64::from(to_end) || to_end > left {
                return Err(format!(
                    "Pad record at ring offset {off:#x} covers {bytes} bytes; the ring ends {to_end} bytes later and {left} bytes are published"
                ));
            }
            pos = pos.wrapping_add(to_end);
            continue;
        }
        if words < event::HEADER_WORDS || bytes > u64::from(to_end) || bytes > u64::from(left) {
            return Err(format!(
                "{kind:?} record at ring offset {off:#x} claims {words} words; {left} bytes are published and the ring ends {to_end} bytes later"
            ));
        }
        let record: Vec<u32> = (0..words as usize).map(|i| ring.load(off as usize + i * 4)).collect();
        let body = parse_payload(kind, &record[event::HEADER_WORDS as usize..])
            .map_err(|e| format!("{kind:?} record at ring offset {off:#x}: {e}"))?;
        events.push(Event { launch: record[1], body });
        pos = pos.wrapping_add(words * 4);
    }
    Ok((events, pos))
}

/// Decode one record's payload; every word must be used.
fn parse_payload(kind: EventKind, payload: &[u32]) -> Result<EventBody, String> {
    let mut r = Reader::new(payload);
    let word = |r: &mut Reader<'_>, what: &str| r.word().map_err(|_| format!("payload ends before its {what}"));
    let body = match kind {
        EventKind::Pad => return Err("Pad has no payload".into()),
        EventKind::Print => {
            let epoch = word(&mut r, "epoch")?;
            let sep = expect_str(Value::decode(&mut r)?, "sep")?;
            let end = expect_str(Value::decode(&mut r)?, "end")?;
            let count = word(&mut r, "value count")?;
            // Every value takes at least one word: do not trust the count further.
            if count as usize > payload.len() {
                return Err(format!("print of {count} values in a {}-word payload", payload.len()));
            }
            let values = (0..count).map(|_| Value::decode(&mut r)).collect::<Result<Vec<_>, _>>()?;
            EventBody::Print { epoch, sep, end, values }
        }
        EventKind::Result => EventBody::Result(Value::decode(&mut r)?),
        EventKind::Error => {
            let exc = word(&mut r, "exception type")?;
            let msg = word(&mut r, "message code")?;
            let line = word(&mut r, "line")?;
            let detail = Value::decode(&mut r)?;
            EventBody::Error(exception(exc, msg, line, detail)?)
        }
        EventKind::Done => {
            let w = word(&mut r, "status")?;
            EventBody::Done(DoneStatus::from_u32(w).ok_or_else(|| format!("unknown done status {w}"))?)
        }
        EventKind::Echo => EventBody::Echo(word(&mut r, "echoed word")?),
        EventKind::Input => EventBody::Input,
    };
    if !r.is_empty() {
        return Err(format!("{} unused words after the payload", payload.len() - r.position()));
    }
    Ok(body)
}

fn expect_str(v: Value, what: &str) -> Result<String, String> {
    match v {
        Value::Str(s) => Ok(s),
        other => Err(format!("print's {what} is {}, not a str", other.repr())),
    }
}

/// Build the exception text from the host's tables (errors.rs): each `{}` of
/// the message template takes the str() of the next detail value.
fn exception(exc: u32, msg: u32, line: u32, detail: Value) -> Result<DeviceException, String> {
    let exc = ExcType::from_u32(exc).ok_or_else(|| format!("unknown exception type {exc}"))?;
    let msg = Msg::from_u32(msg).ok_or_else(|| format!("unknown message code {msg}"))?;
    let mut details = match detail {
        Value::None => Vec::new(),
        Value::Tuple(items) => items,
        v @ Value::Str(_) => vec![v],
        other => return Err(format!("exception detail is {}, not a str, tuple or None", other.repr())),
    };
    // The firmware sends method numbers; name them.
    let method_at = match msg {
        Msg::NoMethod => Some(1),
        Msg::MethodArgCount | Msg::StrMethodArgType => Some(0),
        _ => None,
    };
    if let Some(i) = method_at
        && let Some(&Value::Int(m)) = details.get(i)
    {
        let name = natives::METHODS.get(m as usize).ok_or_else(|| format!("unknown method number {m}"))?;
        details[i] = Value::Str((*name).into());
    }
    let template = msg.text();
    let holes = template.matches("{}").count();
    if holes != details.len() {
        return Err(format!("message {msg:?} takes {holes} detail values, the core sent {}", details.len()));
    }
    let mut message = String::new();
    let mut parts = template.split("{}");
    message.push_str(parts.next().unwrap_or(""));
    for (part, value) in parts.zip(&details) {
        // CPython quotes the text it could not parse (its repr).
        let quoted = matches!(msg, Msg::InvalidIntLiteral | Msg::InvalidFloatLiteral);
        message.push_str(&if quoted { value.repr() } else { value.to_string() });
        message.push_str(part);
    }
    // A str the program made (reduce's operator) or a name in a crafted
    // image may hold a NUL: never a raw one in a message.
    let message = cpython_wording(msg, &details, message).replace('\0', "\\x00");
    Ok(DeviceException { type_name: exc.text().to_owned(), message, line, file: None })
}

/// CPython's exact wording where one template cannot give it: singular and
/// plural of argument counts, the slice step's own sentence, the methods'
/// own sentences. Only the host's text changes: the firmware sends the same
/// codes and values.
fn cpython_wording(msg: Msg, details: &[Value], message: String) -> String {
    let is_one = |i: usize| matches!(details.get(i), Some(Value::Int(1)));
    let text = |i: usize| match details.get(i) {
        Some(Value::Str(s)) => s.as_str(),
        _ => "?",
    };
    let int = |i: usize| match details.get(i) {
        Some(Value::Int(n)) => *n,
        _ => 0,
    };
    match msg {
        Msg::MissingArguments => {
            let names: Vec<String> = text(2).split(' ').map(|n| format!("'{n}'")).collect();
            let list = match names.as_slice() {
                [one] => one.clone(),
                [a, b] => format!("{a} and {b}"),
                [first @ .., last] => format!("{}, and {last}", first.join(", ")),
                [] => String::new(),
            };
            let s = if is_one(1) { "" } else { "s" };
            format!("{}() missing {} required positional argument{s}: {list}", text(0), int(1))
        }
        Msg::MethodArgCount => method_arg_count(text(0), text(1), int(2)),
        Msg::StrMethodArgType => {
            let (m, k, t) = (text(0), int(1), text(2));
            match m {
                "replace" => format!("replace() argument {k} must be str, not {t}"),
                "split" => format!("must be str or None, not {t}"),
                "strip" | "lstrip" | "rstrip" => format!("{m} arg must be None or str"),
                "startswith" | "endswith" if k == 0 => format!("tuple for {m} must only contain str, not {t}"),
                "startswith" | "endswith" => format!("{m} first arg must be str or a tuple of str, not {t}"),
                _ => format!("must be str, not {t}"),
            }
        }
        Msg::WrongArgCount if text(0) == "type" => "type() takes 1 or 3 arguments".into(),
        Msg::WrongArgCount if text(0) == "NoneType" => "NoneType takes no arguments".into(),
        Msg::WrongArgCount | Msg::WrongArgCountRange => {
            // "takes from 0 to 1 positional arguments" stays plural in CPython.
            let (takes, given) = if msg == Msg::WrongArgCount { (Some(1), 2) } else { (None, 3) };
            let mut m = message;
            if takes.is_some_and(is_one) {
                m = m.replacen("positional arguments", "positional argument", 1);
            }
            if is_one(given) {
                m = m.replacen("were given", "was given", 1);
            }
            m
        }
        // The firmware names the sequence as its IndexError does.
        Msg::IndicesMustBeIntegers if text(0) == "range object" => message.replacen("range object", "range", 1),
        Msg::IndicesMustBeIntegers if text(0) == "string" => format!("string indices must be integers, not '{}'", text(1)),
        Msg::ZeroStep if matches!(details.first(), Some(Value::Str(s)) if s == "slice") => "slice step cannot be zero".into(),
        Msg::ZeroStep => message.replacen(" step must not be zero", " must not be zero", 1),
        _ => message,
    }
}

/// CPython's TypeError for method `name` of a `ty` ("list" or "str") given
/// `n` arguments (3.11's wording, which differs from method to method).
fn method_arg_count(name: &str, ty: &str, n: i32) -> String {
    let (min, max) = natives::method(name)
        .and_then(|m| natives::method_arity(m, ty == "str"))
        .map_or((0, 0), |(lo, hi)| (i32::from(lo), i32::from(hi)));
    let s = |k: i32| if k == 1 { "" } else { "s" };
    match (ty, name) {
        ("list", "append" | "extend" | "count") | ("tuple", "count") | ("str", "join") => {
            format!("{ty}.{name}() takes exactly one argument ({n} given)")
        }
        ("list", "sort") if n <= 2 => "sort() takes no positional arguments".into(),
        ("list", "sort") => format!("sort() takes at most 2 arguments ({n} given)"),
        _ if max == 0 => format!("{ty}.{name}() takes no arguments ({n} given)"),
        ("list" | "tuple", "pop" | "insert" | "index") | ("str", "strip" | "lstrip" | "rstrip" | "replace") => {
            if min == max {
                format!("{name} expected {min} argument{}, got {n}", s(min))
            } else if n < min {
                format!("{name} expected at least {min} argument{}, got {n}", s(min))
            } else {
                format!("{name} expected at most {max} argument{}, got {n}", s(max))
            }
        }
        _ if n < min => format!("{name}() takes at least {min} argument{} ({n} given)", s(min)),
        _ => format!("{name}() takes at most {max} argument{} ({n} given)", s(max)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mem::tests::Heap;
    use shared_protocol::value::{self as wire, SliceSink, WordSink};

    fn ring() -> Heap {
        Heap::new(CORE_EVENT_RING_SIZE as usize)
    }

    /// Write a record at byte position `pos`; returns the next position.
    fn put(w: &Window, pos: u32, kind: EventKind, launch: u32, payload: &[u32]) -> u32 {
        let words = payload.len() as u32 + 2;
        let off = (pos % CORE_EVENT_RING_SIZE) as usize;
        w.store(off, event::header(kind, words));
        w.store(off + 4, launch);
        for (i, p) in payload.iter().enumerate() {
            w.store(off + 8 + i * 4, *p);
        }
        pos + words * 4
    }

    fn encode(f: impl FnOnce(&mut SliceSink<'_>)) -> Vec<u32> {
        let mut buf = [0u32; 256];
        let mut s = SliceSink::new(&mut buf);
        f(&mut s);
        let n = s.len;
        buf[..n].to_vec()
    }

    #[test]
    fn well_formed_records_parse_and_pad_wraps() {
        let heap = ring();
        let w = heap.window();
        // Start near the end so the second record needs a Pad.
        let start = CORE_EVENT_RING_SIZE - 16;
        let print = encode(|s| {
            s.push(3).unwrap();
            wire::put_str(s, " ").unwrap();
            wire::put_str(s, "\n").unwrap();
            s.push(2).unwrap();
            wire::put_int(s, 7).unwrap();
            wire::put_str(s, "a").unwrap();
        });
        let mut pos = put(&w, start, EventKind::Done, 9, &[0]);
        // 4 bytes left: pad them.
        w.store((pos % CORE_EVENT_RING_SIZE) as usize, event::header(EventKind::Pad, 1));
        pos += 4;
        assert_eq!(pos % CORE_EVENT_RING_SIZE, 0);
        pos = put(&w, pos, EventKind::Print, 9, &print);
        let (events, end) = parse_ring(&w, start, pos).unwrap();
        assert_eq!(end, pos);
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].body, EventBody::Done(DoneStatus::Ok));
        assert_eq!(
            events[1].body,
            EventBody::Print { epoch: 3, sep: " ".into(), end: "\n".into(), values: vec![Value::Int(7), Value::Str("a".into())] }
        );
    }

    #[test]
    fn errors_are_formatted_from_the_tables() {
        let heap = ring();
        let w = heap.window();
        let payload = encode(|s| {
            s.push(ExcType::NameError as u32).unwrap();
            s.push(Msg::NameNotDefined as u32).unwrap();
            s.push(12).unwrap();
            wire::put_str(s, "x").unwrap();
        });
        let pos = put(&w, 0, EventKind::Error, 1, &payload);
        let (events, _) = parse_ring(&w, 0, pos).unwrap();
        assert_eq!(
            events[0].body,
            EventBody::Error(DeviceException {
                type_name: "NameError".into(),
                message: "name 'x' is not defined".into(),
                line: 12,
                file: None,
            })
        );
    }

    #[test]
    fn messages_follow_cpythons_wording() {
        let s = |t: &str| Value::Str(t.into());
        let text = |msg: Msg, details: Vec<Value>| exception(1, msg as u32, 1, Value::Tuple(details)).unwrap().message;
        assert_eq!(
            text(Msg::WrongArgCount, vec![s("g"), Value::Int(1), Value::Int(2)]),
            "g() takes 1 positional argument but 2 were given"
        );
        assert_eq!(
            text(Msg::WrongArgCount, vec![s("g"), Value::Int(0), Value::Int(1)]),
            "g() takes 0 positional arguments but 1 was given"
        );
        assert_eq!(
            text(Msg::WrongArgCountRange, vec![s("k"), Value::Int(0), Value::Int(1), Value::Int(2)]),
            "k() takes from 0 to 1 positional arguments but 2 were given"
        );
        assert_eq!(text(Msg::ZeroStep, vec![s("range() arg 3")]), "range() arg 3 must not be zero");
        assert_eq!(text(Msg::ZeroStep, vec![s("slice")]), "slice step cannot be zero");
        assert_eq!(
            text(Msg::InvalidIntLiteral, vec![Value::Int(16), s("zz\0")]),
            "invalid literal for int() with base 16: 'zz\\x00'"
        );
        assert_eq!(text(Msg::NotInTuple, vec![]), "tuple.index(x): x not in tuple");
        assert_eq!(text(Msg::NameNotDefined, vec![s("a\0b")]), "name 'a\\x00b' is not defined");
        assert_eq!(text(Msg::WrongArgCount, vec![s("type"), Value::Int(1), Value::Int(2)]), "type() takes 1 or 3 arguments");
        let indices = |what: &str| text(Msg::IndicesMustBeIntegers, vec![s(what), s("str")]);
        assert_eq!(indices("range object"), "range indices must be integers or slices, not str");
        assert_eq!(indices("string"), "string indices must be integers, not 'str'");
        assert_eq!(indices("list"), "list indices must be integers or slices, not str");
        let missing = |n: i32, names: &str| text(Msg::MissingArguments, vec![s("f"), Value::Int(n), s(names)]);
        assert_eq!(missing(1, "b"), "f() missing 1 required positional argument: 'b'");
        assert_eq!(missing(2, "a b"), "f() missing 2 required positional arguments: 'a' and 'b'");
        assert_eq!(missing(4, "a b c d"), "f() missing 4 required positional arguments: 'a', 'b', 'c', and 'd'");
    }

    #[test]
    fn methods_are_named_and_worded_as_cpython() {
        let s = |t: &str| Value::Str(t.into());
        let m = |name: &str| Value::Int(i32::from(natives::method(name).unwrap()));
        let text = |msg: Msg, details: Vec<Value>| exception(1, msg as u32, 1, Value::Tuple(details)).unwrap().message;
        assert_eq!(text(Msg::NoMethod, vec![s("int"), m("count")]), "'int' object has no attribute 'count'");
        let sort_reverse = Value::Int(i32::from(natives::METHOD_SORT_REVERSE));
        assert_eq!(text(Msg::NoMethod, vec![s("str"), sort_reverse]), "'str' object has no attribute 'sort'");
        let count = |name: &str, ty: &str, n: i32| text(Msg::MethodArgCount, vec![m(name), s(ty), Value::Int(n)]);
        assert_eq!(count("append", "list", 0), "list.append() takes exactly one argument (0 given)");
        assert_eq!(count("join", "str", 2), "str.join() takes exactly one argument (2 given)");
        assert_eq!(count("reverse", "list", 1), "list.reverse() takes no arguments (1 given)");
        assert_eq!(count("upper", "str", 2), "str.upper() takes no arguments (2 given)");
        assert_eq!(count("sort", "list", 1), "sort() takes no positional arguments");
        assert_eq!(count("sort", "list", 3), "sort() takes at most 2 arguments (3 given)");
        assert_eq!(count("pop", "list", 2), "pop expected at most 1 argument, got 2");
        assert_eq!(count("insert", "list", 1), "insert expected 2 arguments, got 1");
        assert_eq!(count("index", "list", 0), "index expected at least 1 argument, got 0");
        assert_eq!(count("index", "list", 4), "index expected at most 3 arguments, got 4");
        assert_eq!(count("index", "tuple", 0), "index expected at least 1 argument, got 0");
        assert_eq!(count("count", "tuple", 2), "tuple.count() takes exactly one argument (2 given)");
        assert_eq!(count("strip", "str", 2), "strip expected at most 1 argument, got 2");
        assert_eq!(count("replace", "str", 1), "replace expected at least 2 arguments, got 1");
        assert_eq!(count("find", "str", 0), "find() takes at least 1 argument (0 given)");
        assert_eq!(count("index", "str", 4), "index() takes at most 3 arguments (4 given)");
        assert_eq!(count("split", "str", 3), "split() takes at most 2 arguments (3 given)");
        let arg = |name: &str, k: i32, ty: &str| text(Msg::StrMethodArgType, vec![m(name), Value::Int(k), s(ty)]);
        assert_eq!(arg("find", 1, "int"), "must be str, not int");
        assert_eq!(arg("replace", 2, "int"), "replace() argument 2 must be str, not int");
        assert_eq!(arg("split", 1, "list"), "must be str or None, not list");
        assert_eq!(arg("lstrip", 1, "int"), "lstrip arg must be None or str");
        assert_eq!(arg("endswith", 1, "int"), "endswith first arg must be str or a tuple of str, not int");
        assert_eq!(arg("startswith", 0, "int"), "tuple for startswith must only contain str, not int");
        assert!(exception(1, Msg::NoMethod as u32, 1, Value::Tuple(vec![s("int"), Value::Int(999)])).is_err());
    }

    #[test]
    fn hostile_rings_are_protocol_errors() {
        let heap = ring();
        let w = heap.window();
        let size = CORE_EVENT_RING_SIZE;
        // Head beyond one ring, unaligned head, unaligned tail.
        assert!(parse_ring(&w, 0, size + 4).is_err());
        assert!(parse_ring(&w, 0, 6).is_err());
        assert!(parse_ring(&w, 2, 6).is_err());
        // Unknown kind.
        w.store(0, event::header(EventKind::Echo, 3) | 0x7F);
        assert!(parse_ring(&w, 0, 12).is_err());
        // A record longer than what is published.
        put(&w, 0, EventKind::Echo, 1, &[5]);
        assert!(parse_ring(&w, 0, 8).is_err());
        // A record shorter than its header.
        w.store(0, event::header(EventKind::Echo, 1));
        assert!(parse_ring(&w, 0, 4).is_err());
        // A huge length claim (would read past the ring's end).
        w.store(0, event::header(EventKind::Echo, 0x00FF_FFFF));
        assert!(parse_ring(&w, 0, size).is_err());
        // A record straddling the end of the ring.
        let near_end = size - 8;
        w.store(near_end as usize, event::header(EventKind::Echo, 3));
        w.store(near_end as usize + 4, 1);
        assert!(parse_ring(&w, near_end, near_end + 12).is_err());
        // A Pad that does not reach the end of the ring.
        w.store(0, event::header(EventKind::Pad, 2));
        assert!(parse_ring(&w, 0, 8).is_err());
        // Payloads: trailing words, truncated values, bad tags, bad counts.
        for payload in [
            vec![5, 6],                      // Echo with an extra word
            vec![],                          // Echo without its word
        ] {
            put(&w, 0, EventKind::Echo, 1, &payload);
            assert!(parse_ring(&w, 0, 8 + payload.len() as u32 * 4).is_err(), "{payload:?}");
        }
        for payload in [
            vec![wire::INT],                                  // truncated value
            vec![0x55],                                       // unknown tag
            vec![wire::STR | 3 << 8, 0xFFFF_FFFF],            // not UTF-8
            vec![wire::LIST | 0xFF_FFFF << 8, wire::NONE],    // list count larger than the payload
        ] {
            put(&w, 0, EventKind::Result, 1, &payload);
            assert!(parse_ring(&w, 0, 8 + payload.len() as u32 * 4).is_err(), "{payload:?}");
        }
        // Print with a non-str sep, and with a count far past the payload.
        let bad_sep = encode(|s| {
            s.push(0).unwrap();
            wire::put_int(s, 1).unwrap();
            wire::put_str(s, "\n").unwrap();
            s.push(0).unwrap();
        });
        put(&w, 0, EventKind::Print, 1, &bad_sep);
        assert!(parse_ring(&w, 0, 8 + bad_sep.len() as u32 * 4).is_err());
        let big_count = encode(|s| {
            s.push(0).unwrap();
            wire::put_str(s, " ").unwrap();
            wire::put_str(s, "\n").unwrap();
            s.push(u32::MAX).unwrap();
        });
        put(&w, 0, EventKind::Print, 1, &big_count);
        assert!(parse_ring(&w, 0, 8 + big_count.len() as u32 * 4).is_err());
        // Error: unknown type, unknown message, wrong number of details.
        for (exc, msg, detail) in [(99, 1, wire::NONE), (1, 999, wire::NONE), (1, Msg::NameNotDefined as u32, wire::NONE)] {
            let payload = [exc, msg, 3, detail];
            put(&w, 0, EventKind::Error, 1, &payload);
            assert!(parse_ring(&w, 0, 24).is_err());
        }
        // Done with an unknown status.
        put(&w, 0, EventKind::Done, 1, &[77]);
        assert!(parse_ring(&w, 0, 12).is_err());
    }

    #[test]
    fn nesting_is_bounded() {
        let heap = ring();
        let w = heap.window();
        for (depth, ok) in [(crate::value::MAX_DEPTH, true), (7000, false)] {
            let mut payload = vec![wire::LIST | 1 << 8; depth];
            payload.push(wire::NONE);
            put(&w, 0, EventKind::Result, 1, &payload);
            let parsed = parse_ring(&w, 0, 8 + payload.len() as u32 * 4);
            assert_eq!(parsed.is_ok(), ok, "depth {depth}");
        }
    }
}

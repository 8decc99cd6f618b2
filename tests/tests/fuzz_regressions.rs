//! The fuzz targets' findings (fuzz/, cargo fuzz), kept as regression
//! tests: every file in tests/fuzz-regressions/TARGET/ goes through the
//! target's body (tests/src/fuzz.rs) as the fuzzer ran it; a panic fails.
//! Also checks that the fuzzing harness is not vacuous: real programs run
//! through it and publish events the loader decodes.

use std::path::Path;

use e2e_tests::fuzz;

fn findings(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz-regressions").join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut files: Vec<(String, Vec<u8>)> = entries
        .map(|e| {
            let path = e.expect("a directory entry").path();
            let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path.display().to_string(), data)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn compile_findings() {
    for (name, data) in findings("compile") {
        eprintln!("compile: {name}");
        fuzz::compile(&data);
    }
}

#[test]
fn vm_findings() {
    for (name, data) in findings("vm") {
        eprintln!("vm: {name}");
        fuzz::vm(&data);
    }
}

#[test]
fn firmware_mailbox_findings() {
    for (name, data) in findings("firmware_mailbox") {
        eprintln!("firmware_mailbox: {name}");
        fuzz::firmware_mailbox(&data);
    }
}

#[test]
fn host_mailbox_findings() {
    for (name, data) in findings("host_mailbox") {
        eprintln!("host_mailbox: {name}");
        fuzz::host_mailbox(&data);
    }
}

#[test]
fn the_harness_runs_real_programs_and_decodes_their_events() {
    let image = compiler::compile("for i in range(3):\n    print(i, 'x')\n", "p.py").expect("compile").image;
    // Three prints, the Result (None) and Done.
    assert_eq!(fuzz::vm(&image), 5);
    // An endless loop stops at the step budget: nothing but what it printed.
    let endless = compiler::compile("print(1)\nwhile True:\n    pass\n", "p.py").expect("compile").image;
    assert_eq!(fuzz::vm(&endless), 1);
    // Garbage is refused (an Error event and Done, or a fault).
    assert!(fuzz::vm(b"not an image") <= 2);
    // The firmware_mailbox kernel with arguments (7,) returns: Result, Done.
    let mut input = vec![1u8 << 4]; // loader layout, group of 1
    for w in [shared_protocol::value::TUPLE | 1 << 8, shared_protocol::value::INT, 7] {
        input.extend_from_slice(&w.to_le_bytes());
    }
    assert_eq!(fuzz::firmware_mailbox(&input), 2);
    // A ring with one Done record of launch 5.
    let mut ring = vec![0u8; 8];
    ring[4..8].copy_from_slice(&12u32.to_le_bytes());
    let done = shared_protocol::mailbox::event::header(shared_protocol::mailbox::EventKind::Done, 3);
    for w in [done, 5, 0] {
        ring.extend_from_slice(&w.to_le_bytes());
    }
    assert_eq!(fuzz::host_mailbox(&ring), Some(1));
}

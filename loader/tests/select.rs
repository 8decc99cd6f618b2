//! `loader::select::choose`, the device rule the CLI and the CPython package
//! share. One test in its own binary: it sets EPYTHON_DEVICE.

use std::path::PathBuf;

use loader::select::{BOARD_NODES, Choice, CoreModel, choose};

#[test]
fn epython_device_chooses_then_a_board_node_then_the_simulator() {
    // SAFETY: the only test in this binary; nothing else reads the
    // environment while it runs.
    unsafe { std::env::set_var("EPYTHON_DEVICE", "sim") };
    assert_eq!(choose(), Choice::InProcessSimulator { fallback: false, model: CoreModel::Native });
    unsafe { std::env::set_var("EPYTHON_DEVICE", "sim:isa") };
    assert_eq!(choose(), Choice::InProcessSimulator { fallback: false, model: CoreModel::Isa });
    unsafe { std::env::set_var("EPYTHON_DEVICE", "/tmp/some-sim-file") };
    assert_eq!(choose(), Choice::Path(PathBuf::from("/tmp/some-sim-file")));
    // Unset or empty: a board node if this machine has one, else the
    // simulator as a fallback the caller reports.
    for value in [None, Some("")] {
        match value {
            Some(v) => unsafe { std::env::set_var("EPYTHON_DEVICE", v) },
            None => unsafe { std::env::remove_var("EPYTHON_DEVICE") },
        }
        let expected = match BOARD_NODES.iter().map(PathBuf::from).find(|p| p.exists()) {
            Some(node) => Choice::Path(node),
            None => Choice::InProcessSimulator { fallback: true, model: CoreModel::Native },
        };
        assert_eq!(choose(), expected);
    }
}

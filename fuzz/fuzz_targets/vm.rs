//! The bytecode verifier and the VM: any image is refused (a BadImage report
//! or an exception on the core), or runs within the core's windows (ASan
//! checks every access against SRAM and the core's own DRAM area) and a step
//! budget, and whatever it reports the loader's decoder accepts. Seed with
//! compiled programs (make fuzz-corpus) so the mutations start from images
//! the verifier accepts.
#![no_main]

use epython_fuzz::{run_command, Host};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() > shared_protocol::layout::CORE_INBOX_SIZE as usize {
        return;
    }
    let mut host = Host::new(run_command(data, &[]));
    host.run();
});

//! The compiler: any bytes (as text) compile or give a CompileError; never a
//! panic. A program that compiles must disassemble.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let source = String::from_utf8_lossy(data);
    if let Ok(program) = compiler::compile(&source, "fuzz.py") {
        if let Err(e) = compiler::disassemble(&program.image) {
            panic!("the compiler's own image does not disassemble: {e}");
        }
    }
    // The kernel entry too: a prelude and a named function.
    let _ = compiler::compile_kernel_with_prelude("N = 1\n", &source, "fuzz.py", 3, "k");
});

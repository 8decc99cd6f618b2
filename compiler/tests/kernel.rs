//! `compile_kernel`: the ENTRY header word, the kernel's signature, line
//! numbers in the caller's file, decorators left to the host.

use compiler::{ErrorKind, KernelInfo, compile, compile_kernel, disassemble};
use shared_protocol::bytecode::{function, header, line_entry_line};
use shared_protocol::value::{Reader, Token, unpack_bytes};

fn words(image: &[u8]) -> Vec<u32> {
    image.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())).collect()
}

fn global_name(w: &[u32], k: usize) -> String {
    let off = w[w[header::NAMES_OFF] as usize / 4 + k] as usize / 4;
    match Reader::new(&w[off..]).token().unwrap() {
        Token::Str { len, words } => {
            let mut out = vec![0u8; len as usize];
            unpack_bytes(words, len, &mut out);
            String::from_utf8(out).unwrap()
        }
        other => panic!("not a Str: {other:?}"),
    }
}

#[test]
fn entry_names_the_kernels_global() {
    let src = "import math\nK = 3\n\ndef helper(x):\n    return x\n\ndef kern(a, b=K, c=None):\n    return helper(a) + b\n";
    let program = compile_kernel(src, "app.py", 1, "kern").unwrap();
    let w = words(&program.image);
    let entry = w[header::ENTRY] as usize;
    assert_ne!(entry, 0);
    assert_eq!(global_name(&w, entry - 1), "kern");
    assert_eq!(
        program.kernel,
        Some(KernelInfo { name: "kern".into(), params: vec!["a".into(), "b".into(), "c".into()], n_defaults: 2, line: 7 })
    );
    assert_eq!(program.kernel.unwrap().min_args(), 1);
    let text = disassemble(&program.image).unwrap();
    assert!(text.contains(&format!("; kernel entry: global {} 'kern'", entry - 1)), "{text}");

    // A plain program has none.
    let plain = compile(src, "app.py").unwrap();
    assert_eq!(words(&plain.image)[header::ENTRY], 0);
    assert_eq!(plain.kernel, None);
    assert!(!disassemble(&plain.image).unwrap().contains("kernel entry"));
}

#[test]
fn lines_are_the_callers_and_the_final_return_is_the_defs() {
    // The kernel starts at line 100 of the user's file; its def is on 101.
    let src = "@offload(target=[1,\n    2])\ndef k(a):\n    x = a\n    return x\n";
    let program = compile_kernel(src, "app.py", 100, "k").unwrap();
    assert_eq!(program.kernel.as_ref().unwrap().line, 102);
    let w = words(&program.image);
    let lines: Vec<u32> =
        w[w[header::LINES_OFF] as usize / 4..][..w[header::N_LINES] as usize].iter().map(|&e| line_entry_line(e)).collect();
    assert!(lines.iter().all(|&l| (102..=104).contains(&l)), "{lines:?}");

    // Function 0's last line entry (its final Return, where a call error is
    // reported) is the def's line, even with statements after the def.
    let program = compile_kernel("def k(a):\n    return a\nY = 5\n", "app.py", 1, "k").unwrap();
    let w = words(&program.image);
    let f0 = w[header::FUNCTIONS_OFF] as usize / 4;
    let (start, count) = (w[f0 + function::LINES_START] as usize, w[f0 + function::LINES_COUNT] as usize);
    let f0_lines: Vec<u32> =
        w[w[header::LINES_OFF] as usize / 4 + start..][..count].iter().map(|&e| line_entry_line(e)).collect();
    assert_eq!(f0_lines, vec![1, 3, 1]);

    let e = compile_kernel("def k(a):\n\n    return a +\n", "app.py", 20, "k").unwrap_err();
    assert_eq!((e.line, e.kind), (22, ErrorKind::SyntaxError), "{e}");
    // Line 0 counts as 1.
    let e = compile_kernel("def k(:\n", "app.py", 0, "k").unwrap_err();
    assert_eq!(e.line, 1, "{e}");
}

#[test]
fn decorators_are_the_hosts_but_only_at_the_top_level() {
    let src = "@offload\n@offload_multiple(cores=8)\ndef k():\n    return 1\n";
    assert!(compile_kernel(src, "a.py", 1, "k").is_ok());
    // Not for a plain program.
    let e = compile(src, "a.py").unwrap_err();
    assert!(e.message.contains("decorators"), "{e}");
    // Nor inside the kernel.
    let e = compile_kernel("def k():\n    @d\n    def f():\n        pass\n    return f\n", "a.py", 1, "k").unwrap_err();
    assert!(e.message.contains("decorators"), "{e}");
    // `@` as an operator stays what it was.
    let e = compile_kernel("def k(a, b):\n    return a @ b\n", "a.py", 1, "k").unwrap_err();
    assert!(e.message.contains("'@' operator"), "{e}");
}

#[test]
fn the_entry_must_be_a_top_level_def() {
    for (src, entry) in [
        ("def other():\n    pass\n", "k"),
        ("k = 5\n", "k"),
        ("def outer():\n    def k():\n        pass\n", "k"),
        ("k = lambda: 1\n", "k"),
    ] {
        let e = compile_kernel(src, "a.py", 7, entry).unwrap_err();
        assert_eq!((e.file.as_str(), e.line, e.kind), ("a.py", 7, ErrorKind::SyntaxError));
        assert!(e.message.contains("no function 'k'"), "{e}");
    }
    // A name no def can have is shown escaped (never a raw NUL).
    let e = compile_kernel("def k():\n    pass\n", "a.py", 1, "k\0").unwrap_err();
    assert!(e.message.contains("no function 'k\\0'"), "{e}");
    // The last def of the name is the kernel (as in Python).
    let program = compile_kernel("def k(a):\n    pass\n\ndef k(a, b):\n    pass\n", "a.py", 1, "k").unwrap();
    assert_eq!(program.kernel.unwrap().params.len(), 2);
}

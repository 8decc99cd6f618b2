//! The image layout, read back by hand from the words the contract defines
//! (independently of the disassembler).

use compiler::{compile, disassemble};
use shared_protocol::bytecode::{BYTECODE_VERSION, FUNCTION_WORDS, HEADER_WORDS, IMAGE_MAGIC, Op, function, header, line_entry};
use shared_protocol::value::{Reader, Token, unpack_bytes};

fn words(image: &[u8]) -> Vec<u32> {
    image.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())).collect()
}

fn str_at(w: &[u32], byte_offset: u32) -> String {
    assert_eq!(byte_offset % 4, 0);
    match Reader::new(&w[byte_offset as usize / 4..]).token().unwrap() {
        Token::Str { len, words } => {
            let mut out = vec![0u8; len as usize];
            unpack_bytes(words, len, &mut out);
            String::from_utf8(out).unwrap()
        }
        other => panic!("not a Str: {other:?}"),
    }
}

#[test]
fn the_image_follows_the_contract() {
    let program = compile("x = 1\ny = x + 100000\n", "k.py").unwrap();
    let image = &program.image;
    assert_eq!(image.len() % 4, 0);
    let w = words(image);
    assert_eq!(w[header::MAGIC], IMAGE_MAGIC);
    assert_eq!(w[header::VERSION], BYTECODE_VERSION);
    assert_eq!(w[header::TOTAL_LEN] as usize, image.len());
    assert_eq!(w[header::N_FUNCTIONS], 1);
    assert_eq!(w[header::FUNCTIONS_OFF] as usize, HEADER_WORDS * 4);

    // Constants: the file name, the module's name, 100000.
    let consts = w[header::CONSTS_OFF] as usize / 4;
    assert_eq!(w[header::N_CONSTS], 3);
    assert_eq!(str_at(&w, w[consts + w[header::FILENAME] as usize]), "k.py");
    let at = w[consts + 2] as usize / 4;
    assert_eq!(Reader::new(&w[at..]).token().unwrap(), Token::Int(100000));

    // Globals in order of first use, by name.
    let names = w[header::NAMES_OFF] as usize / 4;
    assert_eq!(w[header::N_GLOBALS], 2);
    assert_eq!(str_at(&w, w[names]), "x");
    assert_eq!(str_at(&w, w[names + 1]), "y");

    // The module function: its code, lines and name.
    let f = &w[HEADER_WORDS..HEADER_WORDS + FUNCTION_WORDS];
    assert_eq!(str_at(&w, w[consts + f[function::NAME] as usize]), "<module>");
    assert_eq!((f[function::CODE_START], f[function::N_PARAMS], f[function::N_LOCALS], f[function::MAX_STACK]), (0, 0, 0, 2));
    let code_off = w[header::CODE_OFF] as usize;
    let code_len = w[header::CODE_LEN] as usize;
    assert_eq!(f[function::CODE_LEN] as usize, code_len);
    let code = &image[code_off..code_off + code_len];
    assert_eq!(code[0], Op::LoadInt as u8);
    assert_eq!(code[code_len - 1], Op::Return as u8);
    let lines = w[header::LINES_OFF] as usize / 4;
    assert_eq!(w[header::N_LINES], 2);
    assert_eq!((f[function::LINES_START], f[function::LINES_COUNT]), (0, 2));
    assert_eq!(&w[lines..lines + 2], &[line_entry(0, 1), line_entry(6, 2)]);
    // The sections are in the contract's order.
    assert!(w[header::FUNCTIONS_OFF] < w[header::CONSTS_OFF]);
    assert!(w[header::CONSTS_OFF] < w[header::NAMES_OFF]);
    assert!(w[header::NAMES_OFF] < w[header::LINES_OFF]);
    assert!(w[header::LINES_OFF] < w[header::CODE_OFF]);
}

#[test]
fn the_disassembler_rejects_what_is_not_an_image() {
    assert!(disassemble(b"").is_err());
    assert!(disassemble(&[0u8; 64]).is_err());
    let mut image = compile("x = 1", "k.py").unwrap().image;
    image[4] = 99; // version
    let expected = format!("bytecode version 99 (this disassembler reads version {BYTECODE_VERSION})");
    assert_eq!(disassemble(&image).unwrap_err().to_string(), expected);
}

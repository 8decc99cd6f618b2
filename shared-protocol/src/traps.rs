//! Host calls of Epiphany programs (`epython device run`, the ISS's tests):
//! `trap N` halts the core with DEBUGSTATUS.HALT and PC after the trap; the
//! host reads the trap number from the half-word at PC - 2, services the
//! call through the core's registers and memory, puts the result in r0 and
//! the error number in r3, and resumes the core (reference: the TRAP
//! instruction; iss/ARCH-NOTES.md §1 has the sources).

/// `trap 0`: write(r0 = fd, r1 = buffer, r2 = length) (the older direct form).
pub const TRAP_WRITE: u8 = 0;
/// `trap 3`: exit, r0 = status.
pub const TRAP_EXIT: u8 = 3;
/// `trap 4`: "test passed" (exit 0).
pub const TRAP_PASS: u8 = 4;
/// `trap 5`: failure. The runtime's exception handler passes r0 = EXCAUSE
/// and r1 = IRET (the address after the faulting instruction).
pub const TRAP_FAIL: u8 = 5;
/// `trap 7`: a system call, r3 = number, arguments in r0..r2.
pub const TRAP_SYSCALL: u8 = 7;

/// System call numbers in r3 (newlib's libgloss numbering).
pub const SYS_WRITE: u32 = 5;

/// The encoding of `trap N`: `0x03E2 | N << 10`.
pub const fn trap_number(half_word: u32) -> Option<u8> {
    if half_word & 0x03FF == 0x03E2 { Some((half_word >> 10) as u8 & 0x3F) } else { None }
}

/// errno for an unsupported call.
pub const ENOSYS: u32 = 38;
/// errno for a bad file descriptor.
pub const EBADF: u32 = 9;
/// errno for a buffer the host cannot read.
pub const EFAULT: u32 = 14;

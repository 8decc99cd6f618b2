//! The firmware's only door to the world (embassy style): the chip, the
//! bare-metal proxy and the simulator each implement this trait.
//!
//! Memory that another agent can touch (the command slot, the postbox, DRAM,
//! other cores' SRAM) is reached only through raw pointers and the atomic
//! word accessors in [`crate::shared`], never through `&`/`&mut`. Only the
//! VM arena, private to this core, is handed out as a plain slice.

use shared_protocol::{Chip, CoreId};

/// Why the firmware's `run` returned, or a wait ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wake {
    /// An interrupt (USER) arrived: look at the mailbox.
    Interrupt,
    /// The core is being halted or reset: unwind to `run`'s caller now.
    Stop,
}

pub trait Platform {
    /// This core's number and the chip it is on.
    fn core(&self) -> CoreId;
    fn chip(&self) -> Chip;

    /// This core's SRAM at local address 0 (32 KB). Shared: atomic words only.
    fn sram(&self) -> *mut u8;
    /// The DRAM window's first byte (Epiphany 0x8E000000). Shared: atomic words only.
    fn dram(&self) -> *mut u8;
    /// Another core's SRAM at its local address 0 (for postbox writes).
    fn remote_sram(&self, core: CoreId) -> *mut u8;

    /// The VM arena (`layout::ARENA_START..ARENA_END` of this core's SRAM).
    /// Private to this core, so it may be a plain slice. Called once at boot.
    fn arena(&mut self) -> &'static mut [u8];

    /// Idle until an interrupt is latched (the `idle` instruction on the
    /// chip). Returns `Stop` when the core is being halted or reset.
    fn wait_for_interrupt(&mut self) -> Wake;
    /// Raise `core`'s USER interrupt (ILATST bit 9 through the mesh).
    fn raise_user_interrupt(&self, core: CoreId);
    /// Tell the host that the status block or the event ring changed (a
    /// futex wake in the simulator; nothing on the chip, where the host polls).
    fn notify_host(&self);
    /// Called on every backward jump, call and wait (design.md §8): true
    /// means the core is being halted or reset and the VM must unwind now.
    fn halt_requested(&mut self) -> bool;
    /// A free-running cycle counter (CTIMER on the chip).
    fn cycles(&self) -> u32;
    /// The rate of [`Platform::cycles`] (`parallel.wtime()`); the
    /// simulator's counter runs at 1 GHz.
    fn cycles_per_second(&self) -> u32 {
        1_000_000_000
    }

    /// The lowest word of each stack the firmware runs on (SRAM offsets):
    /// at boot the firmware writes `layout::STACK_CANARY` there, and after
    /// a command that overwrote one it stops with `Fault::StackOverflow`.
    /// The simulator and the proxy: the one stack below STACK_TOP.
    fn stack_ends(&self) -> &'static [u32] {
        &[shared_protocol::layout::STACK_BOTTOM]
    }

    /// Test hook (feature `fault-hooks`, turned on by the simulator): a
    /// fault the host asked this core to take at this halt check.
    #[cfg(feature = "fault-hooks")]
    fn forced_fault(&mut self) -> Option<ForcedFault> {
        None
    }
}

/// What [`Platform::forced_fault`] makes the core do.
#[cfg(feature = "fault-hooks")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForcedFault {
    /// Panic, as a firmware bug would (`Fault::Panic`).
    Panic,
    /// Stop as on a broken VM invariant (`Fault::VmInternal`).
    VmInternal,
}

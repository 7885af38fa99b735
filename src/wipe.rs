//! What the dependencies leave behind: crypto-bigint's exponentiations, SHA-256 and HMAC keep
//! copies of their operands (S in Montgomery form, the exponent a + u·x, the PRK) in their own
//! stack frames, and moves of our own secret values leave their old bytes where they were. None of
//! that is reachable from Rust once the frames are dead, but it stays in memory until overwritten:
//! a core dump, a swap page or a later bug that reads uninitialized memory would show it.
//!
//! Every public operation that touches a secret does its work in a callee and then calls
//! [`wipe_stack`], which overwrites the dead frames below it. `tests/stack_residue.rs` zeroes a
//! region of stack, runs each operation, and searches the region for every secret in every
//! form; it is what fixes [`WIPE_BYTES`].

use zeroize::Zeroize;

/// How much dead stack [`wipe_stack`] overwrites. The deepest secret computation (a response's
/// S) leaves its last secret byte about 25 KiB below its caller in the optimized test build;
/// `tests/stack_residue.rs` fails if that ever outgrows this.
const WIPE_BYTES: usize = 64 * 1024;

/// Overwrites the `WIPE_BYTES` of stack below the caller's frame with zeros, through volatile
/// writes the compiler cannot remove. A device response's two wipes add 0.07% to 0.28% to its
/// instruction count (callgrind, with and without ERMS).
#[inline(never)]
pub(crate) fn wipe_stack() {
    let mut scratch = [0u64; WIPE_BYTES / 8];
    scratch.zeroize();
    core::hint::black_box(&mut scratch);
}

/// Runs `work` in a frame of its own, then wipes the dead stack it used: for an operation whose
/// secret temporaries live in its callees. Only references should go into `work`: a secret
/// moved into the closure would leave its moved-from bytes behind.
#[inline(always)]
pub(crate) fn wiped<T>(work: impl FnOnce() -> T) -> T {
    let result = in_own_frame(work);
    wipe_stack();
    result
}

#[inline(never)]
fn in_own_frame<T>(work: impl FnOnce() -> T) -> T {
    work()
}

//! Declassification points for the constant-time gate (`scripts/ct-check`).
//!
//! The gate runs the crate under valgrind's memcheck with every secret marked undefined, so a
//! branch or memory index that depends on one is an error. Where a secret-derived value becomes
//! public by design (A, B and v, which are sent; the signature; the length of TC(S), which the
//! protocol makes visible (`docs/protocol.md`, "The client's side"); the verdict of the proof
//! check; whether a secret exponent is zero, which is then refused or drawn again), the crate
//! calls [`declassify`] with a label. Normal builds compile it to nothing; builds with
//! `--cfg cognito_srp6a_ct` (only `scripts/ct-check` makes them) call the hook the gate
//! installed, which marks the bytes defined again. The library stays free of `unsafe`: the
//! valgrind requests live in the gate.

/// Marks `value`'s bytes as public from here on, in gate builds. It takes `&mut` so that the
/// compiler reloads the value from memory afterwards instead of reusing a register copy that
/// valgrind still holds undefined.
#[inline(always)]
pub(crate) fn declassify<T: ?Sized>(label: &'static str, value: &mut T) {
    #[cfg(cognito_srp6a_ct)]
    if let Some(hook) = hook::HOOK.get() {
        hook(
            label,
            (value as *mut T).cast::<u8>(),
            core::mem::size_of_val(value),
        );
    }
    #[cfg(not(cognito_srp6a_ct))]
    let _ = (label, value);
}

#[cfg(cognito_srp6a_ct)]
mod hook {
    /// What the gate installs: a label, then the address and length of the now-public bytes.
    pub type Hook = fn(&'static str, *mut u8, usize);
    pub static HOOK: std::sync::OnceLock<Hook> = std::sync::OnceLock::new();
}

/// Installs the gate's hook (gate builds only).
#[cfg(cognito_srp6a_ct)]
#[doc(hidden)]
pub fn set_declassify_hook(hook: hook::Hook) {
    let _ = hook::HOOK.set(hook);
}

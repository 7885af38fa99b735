//! The constant-time gate: run by `scripts/ct-check` under valgrind's memcheck, in a build with
//! `--cfg cognito_srp6a_ct`. Every secret input is marked undefined memory (BoringSSL's method):
//! any branch, memory index or syscall that depends on a secret is then a memcheck error. The
//! crate marks its public outputs defined again at its `ct::declassify` points.
//!
//! Modes (first argument):
//! - `gate`: every secret path, client and service. Must produce no memcheck error.
//! - `controls`: deliberately leaky functions on a poisoned secret (crypto-bigint's
//!   `pow_vartime`, an early-exit comparison). Must produce errors, or the gate cannot bite.
//! - `callgrind SEED`: one whole device response with secrets drawn from SEED (ct-check pads it
//!   to 20 digits so every run has the same stack layout), inside
//!   `device_response`, for `valgrind --tool=callgrind --toggle-collect=*device_response*`.
//! - `seeds N`: prints N seeds whose TC(S) is 385 bytes (run natively), so the callgrind runs
//!   compare secrets of one public length.

// The reviewed exception to the crate's no-unsafe rule: the valgrind client requests below,
// three instructions that are a no-op when not under valgrind, and the reads of the memory the
// crate declassifies.
#![allow(unsafe_code)]
// Test code may index and unwrap: a panic here is a failed check, not bad input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

#[cfg(cognito_srp6a_ct)]
mod gate;
#[cfg(cognito_srp6a_ct)]
mod valgrind;

fn main() {
    #[cfg(cognito_srp6a_ct)]
    std::process::exit(gate::main());
    #[cfg(not(cognito_srp6a_ct))]
    {
        eprintln!(
            "ct_gate needs a build with RUSTFLAGS=\"--cfg cognito_srp6a_ct\": run scripts/ct-check"
        );
        std::process::exit(2);
    }
}

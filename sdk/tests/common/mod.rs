//! What this crate's tests against the emulator share: the end of a sign-in, and the
//! challenges of one through a remembered device.

// Shared by several test binaries; each uses a part.
#![allow(dead_code)]

use cognito_srp6a_sdk::{SignIn, SignedIn};

/// The challenges of a sign-in with a remembered device, as [`SignedIn`] lists them.
pub const DEVICE_CHALLENGES: [&str; 3] = [
    "PASSWORD_VERIFIER",
    "DEVICE_SRP_AUTH",
    "DEVICE_PASSWORD_VERIFIER",
];

/// The tokens a sign-in ended with; panics when it stopped at a challenge for the app.
pub fn signed_in(step: SignIn) -> SignedIn {
    match step {
        SignIn::SignedIn(signed_in) => signed_in,
        other => panic!("expected SignedIn, got {other:?}"),
    }
}

#![doc = include_str!("../README.md")]
#![no_std]
// The one exception, the AVX-512 IFMA kernel (feature `ifma`, `monty::ifma`), allows it for
// its intrinsics; without the feature, the crate has none.
#![cfg_attr(not(feature = "ifma"), forbid(unsafe_code))]
#![cfg_attr(feature = "ifma", deny(unsafe_code))]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

#[cfg(feature = "__bench")]
#[doc(hidden)]
pub mod bench;
mod bits;
#[cfg(feature = "comb-table")]
mod comb;
mod ct;
mod device;
mod encoding;
mod error;
#[cfg(feature = "__fuzz")]
#[doc(hidden)]
pub mod fuzz;
mod group;
mod kernel;
#[cfg(test)]
mod kernel_tests;
mod mac;
mod monty;
#[cfg(all(test, feature = "server"))]
mod oracle_tests;
mod params;
mod pow;
#[cfg(feature = "server")]
mod server;
mod srp;
mod timestamp;
mod user;
#[cfg(feature = "vectors")]
pub mod vectors;
mod wipe;
mod wire;

#[cfg(cognito_srp6a_ct)]
#[doc(hidden)]
pub use ct::set_declassify_hook;
pub use device::{
    DevicePassword, DevicePasswordVerifierChallenge, DevicePasswordVerifierResponse,
    DeviceRegistration, DeviceSecretVerifierConfig, DeviceSignIn, DeviceSrpAuthResponse,
    RememberedDevice, SALT_RANDOM_BYTES,
};
pub use error::Error;
pub use group::N_HEX;
pub use params::Parameters;
pub use rand_core;
#[cfg(feature = "server")]
pub use server::{IssuedChallenge, VerifierRecord};
pub use timestamp::Timestamp;
pub use user::{
    PasswordVerifierChallenge, PasswordVerifierResponse, User, UserPoolId, UserSignIn,
    UserSrpAuthParameters,
};
pub use wire::{
    AppClient, AsciiHex, PasswordClaimSignature, Salt, SecretBlock, SecretHash, SrpA, SrpB,
};

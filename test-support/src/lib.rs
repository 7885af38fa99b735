//! What the integration tests of the emulator, the SDK crate and the CLI share, so that each
//! thing they all need is written once: a JWT's claims ([`jwt`]), an authenticator app's TOTP
//! codes ([`totp`], [`clock`]), an `aws-sdk-cognitoidentityprovider` client of a local endpoint
//! ([`sdk`]), the Cognito JSON API over HTTP ([`api`]) and the objects it answers ([`json`]),
//! child processes under a deadline ([`process`]), the pinned interop clients of
//! `emulator/interop/` ([`interop`]), the pinned AWS CLI of `cli/tests/awscli/` ([`aws_cli`]),
//! the arguments that name a user to the CLI and to the SDK crate's example ([`args`]), and a
//! seed file of one pool ([`seed`]).
//!
//! Not published: the published crates take it as a dev-dependency by path only. It does not
//! depend on the emulator, so the emulator's own tests can use it: every helper takes the
//! endpoint's URL, and starting an emulator stays in each crate's `tests/common`.

// Test helpers: a panic, with what was expected, is how a failed expectation is reported.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

pub mod api;
pub mod args;
pub mod aws_cli;
pub mod clock;
pub mod interop;
pub mod json;
pub mod jwt;
pub mod process;
pub mod sdk;
pub mod seed;
pub mod totp;

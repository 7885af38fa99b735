//! Check a vector file of the real clients' answers against this crate: the known-answer files
//! under `vectors/` (made by amazon-cognito-identity-js and pycognito; their schema is in
//! `vectors/README.md`), or one of another implementation in the same schema. Each case is
//! recomputed from its inputs through the public API, the client's side (`docs/protocol.md`,
//! "Registering a device", "The client's side") and, where the case has `b_hex`, the service's
//! side ("The service's side"), and compared with the values the client produced.
//!
//! Behind the `vectors` feature; `tests/vectors.rs` and the CLI's `validate` both run it. The
//! outcome types are here, the checks of each section in `checks`.

mod checks;

use crate::Error;
use alloc::{
    borrow::ToOwned,
    boxed::Box,
    format,
    string::{String, ToString},
    vec::Vec,
};
use core::fmt;
use serde_json::Value;

/// A section of a vector file: the kind of its cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// `device`: registration and a device sign-in.
    Device,
    /// `user`: a user sign-in with a password.
    User,
    /// `invalid`: an exchange the client refused, which this crate must refuse too.
    Invalid,
    /// `secret_hash`: `SECRET_HASH` for an app client with a secret.
    SecretHash,
    /// `timestamp`: `TIMESTAMP` at an instant.
    Timestamp,
}

impl Section {
    /// Every section, in the order [`check_file`] checks them.
    pub const ALL: [Self; 5] = [
        Self::Device,
        Self::User,
        Self::Invalid,
        Self::SecretHash,
        Self::Timestamp,
    ];

    /// The section's key in the file.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Device => "device",
            Self::User => "user",
            Self::Invalid => "invalid",
            Self::SecretHash => "secret_hash",
            Self::Timestamp => "timestamp",
        }
    }

    fn check(self, case: &Value) -> Result<(), Failure> {
        match self {
            Self::Device => checks::device(case),
            Self::User => checks::user(case),
            Self::Invalid => checks::invalid(case),
            Self::SecretHash => checks::secret_hash(case),
            Self::Timestamp => checks::timestamp(case),
        }
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One case's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The section the case is in.
    pub section: Section,
    /// The case's place in its section, from 0.
    pub index: usize,
    /// The case's `case` label, `(unnamed)` where it has none.
    pub label: String,
    /// `Ok`, or the first thing that did not match.
    pub result: Result<(), Failure>,
}

impl Outcome {
    /// `section[index] label`, as a report names the case.
    pub fn name(&self) -> String {
        format!("{}[{}] {}", self.section, self.index, self.label)
    }
}

/// Why a case failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// The case lacks a string field the check reads.
    MissingString {
        /// The field's key.
        field: &'static str,
    },
    /// The case lacks an integer field the check reads.
    MissingInteger {
        /// The field's key.
        field: &'static str,
    },
    /// A hex field of the case is not hex.
    BadHex {
        /// The text as the case gives it.
        value: String,
    },
    /// `salt_random_hex` is not 16 bytes.
    SaltLength {
        /// Its length in bytes.
        bytes: usize,
    },
    /// `SECRET_BLOCK` is not base64, so the service side cannot issue it.
    SecretBlock,
    /// An `invalid` case's `kind` is neither `device` nor `user`.
    UnknownKind {
        /// The kind as the case gives it.
        kind: String,
    },
    /// This crate refused the case's values where the client took them.
    Refused {
        /// What was being done (`start`, `challenge`, `respond`, …), where the error alone does
        /// not tell.
        step: Option<&'static str>,
        /// The crate's error.
        error: Error,
    },
    /// A value this crate computed is not the one the client produced.
    Mismatch {
        /// The field's key.
        field: &'static str,
        /// The value in the case.
        expected: String,
        /// The value computed here.
        got: String,
    },
    /// A response does not echo what it must: `field` is not `source`.
    NotEchoed {
        /// The response's field.
        field: &'static str,
        /// The challenge's field it echoes.
        source: &'static str,
    },
    /// The service side made another `SRP_B` than the case's.
    ServiceSrpB {
        /// `SRP_B` in the case.
        expected: String,
        /// `SRP_B` the service side issued.
        got: String,
    },
    /// The service side refused the case's signature.
    ServiceRefused(Error),
    /// The service side did not refuse a signature with one character changed.
    AlteredSignature(Result<(), Error>),
    /// An `invalid` case's exchange succeeded.
    Accepted {
        /// The signature this crate made.
        signature: String,
    },
    /// An `invalid` case failed, but not on the parameter it names.
    OtherParameter {
        /// The parameter the case names.
        expected: String,
        /// How it failed instead.
        failure: Box<Failure>,
    },
}

impl Failure {
    fn refused(step: &'static str) -> impl FnOnce(Error) -> Self {
        move |error| Self::Refused {
            step: Some(step),
            error,
        }
    }

    fn error(error: Error) -> Self {
        Self::Refused { step: None, error }
    }

    /// The parameter the crate's error names, where this crate refused a value.
    fn parameter(&self) -> Option<&'static str> {
        match self {
            Self::Refused { error, .. } => error.parameter(),
            _ => None,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingString { field } => write!(f, "missing string field {field}"),
            Self::MissingInteger { field } => write!(f, "missing {field}"),
            Self::BadHex { value } => write!(f, "bad hex {value:?}"),
            Self::SaltLength { bytes } => {
                write!(f, "salt_random_hex must be 16 bytes, is {bytes}")
            }
            Self::SecretBlock => f.write_str("SECRET_BLOCK: not base64"),
            Self::UnknownKind { kind } => write!(f, "unknown kind {kind:?}"),
            Self::Refused {
                step: Some(step),
                error,
            } => write!(f, "{step}: {error}"),
            Self::Refused { step: None, error } => write!(f, "{error}"),
            Self::Mismatch {
                field,
                expected,
                got,
            } => write!(f, "{field}: expected {expected}, got {got}"),
            Self::NotEchoed { field, source } => write!(f, "{field} is not {source}"),
            Self::ServiceSrpB { expected, got } => {
                write!(f, "service SRP_B: expected {expected}, got {got}")
            }
            Self::ServiceRefused(error) => {
                write!(f, "service refused the expected signature: {error}")
            }
            Self::AlteredSignature(verdict) => {
                write!(f, "service gave {verdict:?} for an altered signature")
            }
            Self::Accepted { signature } => write!(
                f,
                "exchange succeeded (signature {signature}); an error was expected"
            ),
            Self::OtherParameter { expected, failure } => {
                write!(
                    f,
                    "error {:?} does not name {expected}",
                    failure.to_string()
                )
            }
        }
    }
}

impl core::error::Error for Failure {}

/// Checks every case of a parsed vector file. Unknown sections and keys are ignored.
pub fn check_file(doc: &Value) -> Vec<Outcome> {
    let mut out = Vec::new();
    for section in Section::ALL {
        let cases = doc.get(section.as_str()).and_then(Value::as_array);
        for (index, case) in cases.into_iter().flatten().enumerate() {
            let label = case.get("case").and_then(Value::as_str);
            out.push(Outcome {
                section,
                index,
                label: label.unwrap_or("(unnamed)").to_owned(),
                result: section.check(case),
            });
        }
    }
    out
}

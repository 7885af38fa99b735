//! The one error type. Variants name the parameter at fault, never its value, so an error can be
//! logged without leaking a secret or an attacker-chosen string.

use core::fmt;

/// What went wrong, and with which parameter.
///
/// `parameter` is a wire name (`"SRP_B"`, `"SALT"`, `"SECRET_BLOCK"`, …) or, for values that are
/// not on the wire, their name in `docs/protocol.md` or the argument's (`"u"`, `"a"`,
/// `"user_pool_id"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    /// A required challenge parameter is absent.
    Missing {
        /// The wire name of the absent parameter.
        parameter: &'static str,
    },
    /// A challenge parameter appears twice.
    Duplicate {
        /// The wire name of the repeated parameter.
        parameter: &'static str,
    },
    /// A value is empty, or not valid hex, base64 or the format its parameter requires.
    Malformed {
        /// The name of the malformed parameter.
        parameter: &'static str,
    },
    /// A value is longer than the protocol allows.
    TooLong {
        /// The name of the oversize parameter.
        parameter: &'static str,
    },
    /// The verifier refused the proof: wrong signature, user, device, secret block or a
    /// timestamp outside the window. One variant for all, so it tells an attacker nothing.
    NotAuthorized,
    /// A well-formed value that SRP-6a forbids: `B mod N = 0`, `A mod N` in {0, 1, N - 1},
    /// `u = 0`, a verifier in {0, 1, N - 1}, a zero secret exponent `a` or `b` (given, or
    /// drawn again and again from a broken RNG).
    IllegalValue {
        /// The name of the forbidden value.
        parameter: &'static str,
    },
}

impl Error {
    /// The name of the parameter at fault; `None` for [`Error::NotAuthorized`].
    pub const fn parameter(&self) -> Option<&'static str> {
        match self {
            Self::Missing { parameter }
            | Self::Duplicate { parameter }
            | Self::Malformed { parameter }
            | Self::TooLong { parameter }
            | Self::IllegalValue { parameter } => Some(parameter),
            Self::NotAuthorized => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing { parameter } => write!(f, "parameter {parameter} is missing"),
            Self::Duplicate { parameter } => write!(f, "parameter {parameter} appears twice"),
            Self::Malformed { parameter } => write!(f, "parameter {parameter} is malformed"),
            Self::TooLong { parameter } => write!(f, "parameter {parameter} is too long"),
            Self::NotAuthorized => f.write_str("incorrect username or password"),
            Self::IllegalValue { parameter } => {
                write!(f, "parameter {parameter} has a value SRP-6a forbids")
            }
        }
    }
}

impl core::error::Error for Error {}

//! Check a vector file of the real clients' answers against this crate: the known-answer files
//! under `vectors/` (made by amazon-cognito-identity-js and pycognito; their schema is in
//! `vectors/README.md`), or one of another implementation in the same schema. Each case is
//! recomputed from its inputs through the public API, the client's side (`docs/protocol.md`,
//! "Registering a device", "The client's side") and, where the case has `b_hex`, the service's
//! side ("The service's side"), and compared with the values the client produced.
//!
//! Behind the `vectors` feature; `tests/vectors.rs` and the CLI's `validate` both run it.

use crate::{
    AppClient, DevicePasswordVerifierChallenge, DeviceSecretVerifierConfig, Error,
    PasswordVerifierChallenge, RememberedDevice, Salt, SecretHash, SrpA, SrpB, Timestamp, User,
    VerifierRecord,
};
use alloc::{
    borrow::ToOwned,
    format,
    string::{String, ToString},
    vec,
    vec::Vec,
};
use core::fmt;
use serde_json::Value;

/// Username the runner passes for device cases, which carry none: it is only echoed.
const ECHO_USERNAME: &str = "validate-vectors";

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
            Self::Device => check_device(case),
            Self::User => check_user(case),
            Self::Invalid => check_invalid(case),
            Self::SecretHash => check_secret_hash(case),
            Self::Timestamp => check_timestamp(case),
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
        failure: alloc::boxed::Box<Failure>,
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

fn field<'v>(case: &'v Value, key: &'static str) -> Result<&'v str, Failure> {
    case.get(key)
        .and_then(Value::as_str)
        .ok_or(Failure::MissingString { field: key })
}

fn expect(case: &Value, key: &'static str, got: &str) -> Result<(), Failure> {
    let want = field(case, key)?;
    if want == got {
        Ok(())
    } else {
        Err(Failure::Mismatch {
            field: key,
            expected: want.to_owned(),
            got: got.to_owned(),
        })
    }
}

/// The hex field `key` (any length, as `toString(16)` writes it) as big-endian bytes.
fn hex_bytes(case: &Value, key: &'static str) -> Result<Vec<u8>, Failure> {
    let text = field(case, key)?;
    let digits: Vec<u8> = text
        .chars()
        .map(|c| c.to_digit(16).and_then(|d| u8::try_from(d).ok()))
        .collect::<Option<_>>()
        .ok_or_else(|| Failure::BadHex {
            value: text.to_owned(),
        })?;
    // An odd count has an implied leading zero.
    let lead = (!digits.len().is_multiple_of(2)).then_some(0);
    let nibbles: Vec<u8> = lead.into_iter().chain(digits).collect();
    Ok(nibbles
        .chunks_exact(2)
        .map(|pair| pair.iter().fold(0, |byte, nibble| byte << 4 | nibble))
        .collect())
}

fn timestamp(case: &Value) -> Result<Timestamp, Failure> {
    Timestamp::parse(field(case, "TIMESTAMP")?).map_err(Failure::error)
}

/// Checks the `SRP_A` a sign-in sends: optional in the schema's invalid cases, required in
/// device and user ones.
fn check_srp_a(case: &Value, srp_a: &SrpA) -> Result<(), Failure> {
    if case.get("SRP_A").is_some() {
        expect(case, "SRP_A", srp_a.as_str())?;
    }
    Ok(())
}

/// The device's answer to the case's challenge: `PASSWORD_CLAIM_SIGNATURE`.
fn device_signature(case: &Value) -> Result<String, Failure> {
    let device = RememberedDevice {
        device_group_key: field(case, "device_group_key")?,
        device_key: field(case, "device_key")?,
        device_password: field(case, "device_password")?.as_bytes(),
    };
    let sign_in = device
        .start_sign_in_with_test_exponent(&hex_bytes(case, "a_hex")?)
        .map_err(Failure::refused("start"))?;
    check_srp_a(case, sign_in.srp_a())?;
    let username = case.get("USERNAME").and_then(Value::as_str);
    let challenge = DevicePasswordVerifierChallenge::new(
        username.unwrap_or(ECHO_USERNAME),
        field(case, "SRP_B")?,
        field(case, "SALT")?,
        field(case, "SECRET_BLOCK")?,
    )
    .map_err(Failure::refused("challenge"))?;
    let response = sign_in
        .respond(&challenge, timestamp(case)?)
        .map_err(Failure::refused("respond"))?;
    if response.password_claim_secret_block != field(case, "SECRET_BLOCK")? {
        return Err(Failure::NotEchoed {
            field: "PASSWORD_CLAIM_SECRET_BLOCK",
            source: "SECRET_BLOCK",
        });
    }
    Ok(response.password_claim_signature.as_str().to_owned())
}

fn check_device(case: &Value) -> Result<(), Failure> {
    let bytes = hex_bytes(case, "salt_random_hex")?;
    let salt_random: [u8; 16] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| Failure::SaltLength { bytes: bytes.len() })?;
    let config = DeviceSecretVerifierConfig::from_parts(
        field(case, "device_group_key")?,
        field(case, "device_key")?,
        field(case, "device_password")?,
        &salt_random,
    );
    expect(case, "Salt", config.salt())?;
    expect(case, "PasswordVerifier", config.password_verifier())?;
    expect(case, "PASSWORD_CLAIM_SIGNATURE", &device_signature(case)?)?;
    if case.get("b_hex").is_some() {
        // The service reads what ConfirmDevice received.
        let record = VerifierRecord::from_confirm_device(
            field(case, "device_group_key")?,
            field(case, "device_key")?,
            field(case, "PasswordVerifier")?,
            field(case, "Salt")?,
        )
        .map_err(Failure::refused("ConfirmDevice record"))?;
        let device_key = field(case, "device_key")?;
        let challenge_salt = Salt::parse(field(case, "SALT")?).map_err(Failure::error)?;
        let same_salt = &challenge_salt == record.salt();
        check_service(case, &record, ECHO_USERNAME, Some(device_key), same_salt)?;
    }
    Ok(())
}

/// The service side of a case with `b_hex`: SRP_B = (k·v + g^b) mod N for the record made from
/// the case's inputs, and the verifier accepts the expected signature and refuses it with one
/// character changed.
fn check_service(
    case: &Value,
    record: &VerifierRecord,
    username: &str,
    device_key: Option<&str>,
    check_proof: bool,
) -> Result<(), Failure> {
    use base64ct::{Base64, Encoding};
    let b = hex_bytes(case, "b_hex")?;
    let block =
        Base64::decode_vec(field(case, "SECRET_BLOCK")?).map_err(|_| Failure::SecretBlock)?;
    let srp_a = field(case, "SRP_A")?;
    let issue = || {
        record
            .issue_challenge_with_test_values(srp_a, username, &b, &block)
            .map_err(Failure::refused("issue challenge"))
    };
    let want_b = SrpB::parse(field(case, "SRP_B")?).map_err(Failure::error)?;
    let issued = issue()?;
    if issued.srp_b() != want_b.to_hex().as_str() {
        return Err(Failure::ServiceSrpB {
            expected: want_b.to_hex().as_str().to_owned(),
            got: issued.srp_b().to_owned(),
        });
    }
    if !check_proof {
        return Ok(());
    }
    let timestamp = field(case, "TIMESTAMP")?;
    let now = Timestamp::parse(timestamp).map_err(Failure::error)?;
    let signature = field(case, "PASSWORD_CLAIM_SIGNATURE")?;
    let secret_block = field(case, "SECRET_BLOCK")?;
    let responses = |sig: &str| {
        let mut r = vec![
            ("USERNAME", username.to_owned()),
            ("PASSWORD_CLAIM_SECRET_BLOCK", secret_block.to_owned()),
            ("TIMESTAMP", timestamp.to_owned()),
            ("PASSWORD_CLAIM_SIGNATURE", sig.to_owned()),
        ];
        if let Some(k) = device_key {
            r.push(("DEVICE_KEY", k.to_owned()));
        }
        r
    };
    let accepted = responses(signature);
    issued
        .verify(accepted.iter().map(|(k, v)| (*k, v)), now, 0)
        .map_err(Failure::ServiceRefused)?;
    let altered = responses(&alter_one_char(signature));
    match issue()?.verify(altered.iter().map(|(k, v)| (*k, v)), now, 0) {
        Err(Error::NotAuthorized) => Ok(()),
        other => Err(Failure::AlteredSignature(other)),
    }
}

/// Changes one character of a base64 text to another base64 character.
fn alter_one_char(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => {
            let other = if first == 'A' { 'B' } else { 'A' };
            core::iter::once(other).chain(chars).collect()
        }
        None => String::new(),
    }
}

/// The user's answer to the case's challenge: `PASSWORD_CLAIM_SIGNATURE`.
fn user_signature(case: &Value) -> Result<String, Failure> {
    let user = User::new(
        field(case, "user_pool_id")?,
        field(case, "USERNAME")?,
        field(case, "password")?,
    )
    .map_err(Failure::refused("user"))?;
    let sign_in = user
        .start_sign_in_with_test_exponent(&hex_bytes(case, "a_hex")?)
        .map_err(Failure::refused("start"))?;
    check_srp_a(case, sign_in.srp_a())?;
    let user_id = field(case, "USER_ID_FOR_SRP")?;
    let challenge = PasswordVerifierChallenge::new(
        user_id,
        field(case, "SRP_B")?,
        field(case, "SALT")?,
        field(case, "SECRET_BLOCK")?,
    )
    .map_err(Failure::refused("challenge"))?;
    let response = sign_in
        .respond(&challenge, timestamp(case)?)
        .map_err(Failure::refused("respond"))?;
    if response.username != user_id {
        return Err(Failure::NotEchoed {
            field: "USERNAME",
            source: "USER_ID_FOR_SRP",
        });
    }
    Ok(response.password_claim_signature.as_str().to_owned())
}

fn check_user(case: &Value) -> Result<(), Failure> {
    expect(case, "PASSWORD_CLAIM_SIGNATURE", &user_signature(case)?)?;
    if case.get("b_hex").is_some() {
        let (pool, user_id, salt) = (
            field(case, "user_pool_id")?,
            field(case, "USER_ID_FOR_SRP")?,
            field(case, "SALT")?,
        );
        let from_password =
            VerifierRecord::for_user_password(pool, user_id, field(case, "password")?, salt)
                .map_err(Failure::refused("user record"))?;
        let record = match case.get("verifier_hex").and_then(Value::as_str) {
            Some(v) => VerifierRecord::for_user_verifier(pool, user_id, salt, v)
                .map_err(Failure::refused("verifier_hex"))?,
            None => from_password.clone(),
        };
        // A SALT spelled so that it is another integer than the stored salt (`-`-signed) is a
        // client-side case: the service's check of the proof does not apply.
        let same_salt = record == from_password;
        check_service(case, &record, user_id, None, same_salt)?;
    }
    Ok(())
}

fn check_invalid(case: &Value) -> Result<(), Failure> {
    let outcome = match field(case, "kind")? {
        "device" => device_signature(case),
        "user" => user_signature(case),
        other => {
            return Err(Failure::UnknownKind {
                kind: other.to_owned(),
            });
        }
    };
    let named = case.get("error_parameter").and_then(Value::as_str);
    match (outcome, named) {
        (Ok(signature), _) => Err(Failure::Accepted { signature }),
        (Err(missing @ Failure::MissingString { .. }), _) => Err(missing),
        // The crate's errors name the parameter at fault; a case may say which it must be.
        (Err(failure), Some(parameter)) if failure.parameter() != Some(parameter) => {
            Err(Failure::OtherParameter {
                expected: parameter.to_owned(),
                failure: alloc::boxed::Box::new(failure),
            })
        }
        (Err(_), _) => Ok(()),
    }
}

fn check_secret_hash(case: &Value) -> Result<(), Failure> {
    let client = AppClient::new(field(case, "client_id")?, field(case, "client_secret")?);
    let hash = SecretHash::new(&client, field(case, "username")?);
    expect(case, "SECRET_HASH", hash.as_str())
}

fn check_timestamp(case: &Value) -> Result<(), Failure> {
    let secs = case
        .get("unix_seconds")
        .and_then(Value::as_i64)
        .ok_or(Failure::MissingInteger {
            field: "unix_seconds",
        })?;
    let t = Timestamp::from_unix_seconds(secs).map_err(Failure::error)?;
    expect(case, "TIMESTAMP", t.as_str())?;
    let parsed = Timestamp::parse(field(case, "TIMESTAMP")?).map_err(Failure::refused("parse"))?;
    // TIMESTAMP read back must be the instant it was made from.
    if parsed.unix_seconds() != secs {
        return Err(Failure::Mismatch {
            field: "unix_seconds",
            expected: format!("{secs}"),
            got: format!("{}", parsed.unix_seconds()),
        });
    }
    Ok(())
}

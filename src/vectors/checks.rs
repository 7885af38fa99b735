//! The checks of each section of a vector file: every case recomputed from its inputs through
//! the public API (`docs/protocol.md`, "Registering a device", "The client's side" and "The
//! service's side") and compared with what the client produced.

use super::Failure;
use crate::{
    AppClient, DevicePasswordVerifierChallenge, DeviceSecretVerifierConfig, Error,
    PasswordVerifierChallenge, RememberedDevice, Salt, SecretHash, SrpA, SrpB, Timestamp, User,
    VerifierRecord,
};
use alloc::{borrow::ToOwned, boxed::Box, format, string::String, vec, vec::Vec};
use serde_json::Value;

/// Username the runner passes for device cases, which carry none: it is only echoed.
const ECHO_USERNAME: &str = "validate-vectors";

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

/// The case's `TIMESTAMP`, parsed.
fn case_timestamp(case: &Value) -> Result<Timestamp, Failure> {
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

/// The case's challenge to `subject`, as the typed challenge's `new` reads it.
fn challenge<'v, T>(
    case: &'v Value,
    subject: &'v str,
    new: fn(&'v str, &str, &str, &'v str) -> Result<T, Error>,
) -> Result<T, Failure> {
    let (srp_b, salt) = (field(case, "SRP_B")?, field(case, "SALT")?);
    new(subject, srp_b, salt, field(case, "SECRET_BLOCK")?).map_err(Failure::refused("challenge"))
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
    let username = username.unwrap_or(ECHO_USERNAME);
    let challenge = challenge(case, username, DevicePasswordVerifierChallenge::new)?;
    let response = sign_in
        .respond(&challenge, case_timestamp(case)?)
        .map_err(Failure::refused("respond"))?;
    if response.password_claim_secret_block != field(case, "SECRET_BLOCK")? {
        return Err(Failure::NotEchoed {
            field: "PASSWORD_CLAIM_SECRET_BLOCK",
            source: "SECRET_BLOCK",
        });
    }
    Ok(response.password_claim_signature.as_str().to_owned())
}

pub(super) fn device(case: &Value) -> Result<(), Failure> {
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
    let challenge = challenge(case, user_id, PasswordVerifierChallenge::new)?;
    let response = sign_in
        .respond(&challenge, case_timestamp(case)?)
        .map_err(Failure::refused("respond"))?;
    if response.username != user_id {
        return Err(Failure::NotEchoed {
            field: "USERNAME",
            source: "USER_ID_FOR_SRP",
        });
    }
    Ok(response.password_claim_signature.as_str().to_owned())
}

pub(super) fn user(case: &Value) -> Result<(), Failure> {
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

pub(super) fn invalid(case: &Value) -> Result<(), Failure> {
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
                failure: Box::new(failure),
            })
        }
        (Err(_), _) => Ok(()),
    }
}

pub(super) fn secret_hash(case: &Value) -> Result<(), Failure> {
    let client = AppClient::new(field(case, "client_id")?, field(case, "client_secret")?);
    let hash = SecretHash::new(&client, field(case, "username")?);
    expect(case, "SECRET_HASH", hash.as_str())
}

pub(super) fn timestamp(case: &Value) -> Result<(), Failure> {
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

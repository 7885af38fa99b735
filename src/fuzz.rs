//! Bodies of the fuzz targets (`fuzz/fuzz_targets/*.rs` call these in one line each), so that
//! `tests/fuzz_corpus.rs` can replay every committed corpus on the stable toolchain.
//!
//! Each function takes arbitrary bytes and panics only when a property of the crate fails:
//! parsers agree with a `num-bigint` oracle, base64 is accepted exactly when canonical, every
//! challenge map ends in a response or a typed error, and the service never accepts a forged
//! response. Not part of the API; behind the hidden `__fuzz` feature.

// A failed property is meant to panic here: that is what the fuzzer looks for.
#![allow(clippy::panic, clippy::unwrap_used, clippy::indexing_slicing)]

use crate::{
    DevicePasswordVerifierChallenge, Error, PasswordVerifierChallenge, RememberedDevice,
    SecretBlock, Timestamp, User, VerifierRecord,
    encoding::{MAX_WIRE_BYTES, MAX_WIRE_HEX, WireInt},
};
use alloc::{string::String, vec::Vec};
use num_bigint::BigInt;

/// Splits fuzz input into `(key, value)` pairs: pairs are separated by `\n`, key from value by
/// the first `=`. Keys that look like wire names come out often enough this way.
fn pairs(data: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(data);
    text.split('\n')
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.into(), v.into()))
        .collect()
}

/// A fixed test exponent: the fuzzer explores the challenge, not a.
const A: [u8; 32] = [0x5a; 32];

/// `DEVICE_PASSWORD_VERIFIER` and `PASSWORD_VERIFIER` challenge maps: a response with the
/// echoed values, or a typed error naming a parameter.
pub fn challenge_maps(data: &[u8]) {
    let map = pairs(data);
    let now = Timestamp::from_unix_seconds(1_793_499_720).unwrap_or_else(|_| unreachable_time());
    let device = RememberedDevice {
        device_group_key: "-Xy12AbCd",
        device_key: "us-west-2_0f1e",
        device_password: b"pw",
    };
    match DevicePasswordVerifierChallenge::from_parameters(map.iter().map(|(k, v)| (k, v))) {
        Ok(challenge) => {
            let sign_in = device
                .start_sign_in_with_test_exponent(&A)
                .unwrap_or_else(|e| fail(e));
            match sign_in.respond(&challenge, now) {
                Ok(response) => {
                    let block = map
                        .iter()
                        .find(|(k, _)| k == "SECRET_BLOCK")
                        .map(|(_, v)| v.as_str());
                    assert_eq!(Some(response.password_claim_secret_block), block);
                    assert_eq!(response.password_claim_signature.as_str().len(), 44);
                }
                // u = 0 would need a SHA-256 preimage; anything else is a bug.
                Err(e) => assert_eq!(e, Error::IllegalValue { parameter: "u" }),
            }
        }
        Err(e) => assert!(e.parameter().is_some(), "{e:?} names no parameter"),
    }
    let user = User::new("us-east-1_AbC123", "alice", "pw").unwrap_or_else(|e| fail(e));
    match PasswordVerifierChallenge::from_parameters(map.iter().map(|(k, v)| (k, v))) {
        Ok(challenge) => {
            let sign_in = user
                .start_sign_in_with_test_exponent(&A)
                .unwrap_or_else(|e| fail(e));
            if let Ok(response) = sign_in.respond(&challenge, now) {
                assert_eq!(response.username, challenge.user_id_for_srp());
            }
        }
        Err(e) => assert!(e.parameter().is_some(), "{e:?} names no parameter"),
    }
}

/// Hex parsing and TC encoding against `num-bigint`: what the oracle reads as signed hex (in
/// the crate's size limits) parses, to the same TC bytes as `BigInt::to_signed_bytes_be`
/// (Java's `toByteArray`); everything else is refused.
pub fn hex_and_tc(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let ours = WireInt::parse_hex_vartime(text, "SRP_B");
    let digits = text.strip_prefix('-').unwrap_or(text);
    let grammar = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_hexdigit());
    if !grammar {
        assert!(ours.is_err(), "accepted {text:?}");
        return;
    }
    let oracle = BigInt::parse_bytes(digits.as_bytes(), 16).unwrap_or_else(|| fail_str(text));
    let oracle = if text.starts_with('-') {
        -oracle
    } else {
        oracle
    };
    let magnitude_bytes = oracle.magnitude().to_bytes_be();
    let fits =
        digits.len() <= MAX_WIRE_HEX && (oracle.magnitude().bits() as usize) <= 8 * MAX_WIRE_BYTES;
    match ours {
        Ok(wire) => {
            assert!(fits, "accepted an oversize {text:?}");
            assert_eq!(
                wire.tc_vartime().as_bytes(),
                oracle.to_signed_bytes_be().as_slice()
            );
            assert_eq!(wire.is_negative(), oracle.sign() == num_bigint::Sign::Minus);
            let significant = magnitude_bytes.len();
            let tail = wire
                .magnitude()
                .get(MAX_WIRE_BYTES - significant..)
                .unwrap_or(&[]);
            if oracle.magnitude().bits() > 0 {
                assert_eq!(tail, magnitude_bytes.as_slice());
            }
        }
        Err(e) => {
            assert!(!fits, "refused {text:?}: {e}");
            assert_eq!(e, Error::TooLong { parameter: "SRP_B" });
        }
    }
}

/// Strict base64 for `SECRET_BLOCK`: accepted exactly when the text is canonical standard
/// base64 with padding (decoding and encoding again gives the same text).
pub fn base64(data: &[u8]) {
    use base64ct::{Base64, Encoding};
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let canonical = Base64::decode_vec(text)
        .map(|bytes| Base64::encode_string(&bytes) == text)
        .unwrap_or(false);
    let ours = SecretBlock::parse(text);
    assert_eq!(ours.is_ok(), canonical, "{text:?}");
    if let Err(e) = ours {
        assert_eq!(
            e,
            Error::Malformed {
                parameter: "SECRET_BLOCK"
            }
        );
    }
}

/// The service's reading of `ChallengeResponses`, TIMESTAMP included: arbitrary responses to a
/// real challenge never panic and are never accepted; every TIMESTAMP that parses prints back
/// as itself.
pub fn verifier_responses(data: &[u8]) {
    let map = pairs(data);
    for (_, v) in map.iter().filter(|(k, _)| k == "TIMESTAMP") {
        if let Ok(t) = Timestamp::parse(v) {
            assert_eq!(t.as_str(), v.as_str());
        }
    }
    let record = VerifierRecord::for_user_verifier("us-east-1_AbC123", "alice", "3e389bd7", "2")
        .unwrap_or_else(|e| fail(e));
    let issued = record
        // A one-byte b: the target explores parsing, and a short exponent keeps it fast.
        .issue_challenge_with_test_values("1234abcd", "alice", &[7], b"block")
        .unwrap_or_else(|e| fail(e));
    let now = Timestamp::from_unix_seconds(1_793_499_720).unwrap_or_else(|_| unreachable_time());
    match issued.verify(map.iter().map(|(k, v)| (k, v)), now, 300) {
        Ok(()) => panic!("a response made of fuzz input was accepted"),
        Err(Error::NotAuthorized) => {}
        Err(e) => assert!(
            matches!(
                e,
                Error::Missing { .. }
                    | Error::Duplicate { .. }
                    | Error::Malformed {
                        parameter: "ChallengeResponses"
                    }
            ),
            "{e:?}"
        ),
    }
}

fn fail(e: Error) -> ! {
    panic!("fixed input refused: {e}")
}

fn fail_str(text: &str) -> ! {
    panic!("oracle refused {text:?}")
}

fn unreachable_time() -> Timestamp {
    panic!("fixed timestamp refused")
}

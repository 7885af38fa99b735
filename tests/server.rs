//! Client and service agree for random pools, users, devices, passwords and ephemerals; the
//! service refuses a wrong password, device key, group key, secret block, user, a timestamp
//! outside its window, an altered signature, and a malformed or out-of-range stored verifier.

// Test code may index and unwrap: a panic there is a failed check, not bad input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]
#![cfg(feature = "server")]

use cognito_srp6a::{
    DevicePasswordVerifierChallenge, DeviceRegistration, Error, IssuedChallenge,
    PasswordVerifierChallenge, RememberedDevice, Timestamp, User, VerifierRecord,
};
use proptest::prelude::*;
use rand::{SeedableRng, rngs::StdRng};

const NOW: i64 = 1_793_499_720;
const SKEW: u32 = 300;

/// The response map, with one parameter replaced or dropped.
fn responses(
    params: &[(&'static str, String)],
    replace: Option<(&str, Option<&str>)>,
) -> Vec<(String, String)> {
    params
        .iter()
        .filter_map(|(k, v)| match replace {
            Some((name, with)) if name == *k => with.map(|w| (k.to_string(), w.to_string())),
            _ => Some((k.to_string(), v.clone())),
        })
        .collect()
}

fn verify(issued: IssuedChallenge, map: &[(String, String)], now: i64) -> Result<(), Error> {
    issued.verify(
        map.iter().map(|(k, v)| (k, v)),
        Timestamp::from_unix_seconds(now).unwrap(),
        SKEW,
    )
}

/// A different string of the same kind.
fn other(s: &str) -> String {
    format!("{s}x")
}

struct DeviceCase {
    group_key: String,
    device_key: String,
    username: String,
    record: VerifierRecord,
    password: String,
}

fn device_case(seed: u64, group_key: String, device_key: String, username: String) -> DeviceCase {
    let mut rng = StdRng::seed_from_u64(seed);
    let reg = DeviceRegistration::generate(&group_key, &device_key, &mut rng);
    let config = &reg.device_secret_verifier_config;
    let record = VerifierRecord::from_confirm_device(
        &group_key,
        &device_key,
        config.password_verifier(),
        config.salt(),
    )
    .unwrap();
    DeviceCase {
        group_key,
        device_key,
        username,
        record,
        password: reg.device_password.as_str().to_string(),
    }
}

/// Runs a device sign-in where the client may hold other credentials than the record, and
/// the response may be tampered with; returns the service's verdict.
fn device_round(
    case: &DeviceCase,
    seed: u64,
    client: RememberedDevice<'_>,
    tamper: Option<(&str, Option<&str>)>,
    timestamp: i64,
) -> Result<(), Error> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    let sign_in = client.start_sign_in(&mut rng).unwrap();
    let issued = case
        .record
        .issue_challenge(sign_in.srp_a().as_str(), &case.username, &mut rng)
        .unwrap();
    assert_eq!(issued.challenge_name(), "DEVICE_PASSWORD_VERIFIER");
    // As from the SDK: an owned map, apart from the service's state.
    let challenge_params: Vec<(String, String)> = issued
        .parameters()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let challenge = DevicePasswordVerifierChallenge::from_parameters(
        challenge_params.iter().map(|(k, v)| (k, v)),
    )
    .unwrap();
    let response = sign_in
        .respond(&challenge, Timestamp::from_unix_seconds(timestamp).unwrap())
        .unwrap();
    let params: Vec<(&'static str, String)> = response
        .parameters()
        .iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect();
    let map = responses(&params, tamper);
    verify(issued, &map, NOW)
}

fn ident() -> impl Strategy<Value = String> {
    prop_oneof!["[A-Za-z0-9_-]{1,40}", "\\PC{1,12}"]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn device_client_and_service_agree(
        seed in any::<u64>(),
        group_key in ident(),
        device_key in ident(),
        username in ident(),
        skew in -(SKEW as i64)..=(SKEW as i64),
    ) {
        let case = device_case(seed, group_key, device_key, username);
        let good = RememberedDevice {
            device_group_key: &case.group_key,
            device_key: &case.device_key,
            device_password: case.password.as_bytes(),
        };
        prop_assert_eq!(device_round(&case, seed, good, None, NOW + skew), Ok(()));

        let wrong_password = other(&case.password);
        let wrong_device_key = other(&case.device_key);
        let wrong_group_key = other(&case.group_key);
        let rejected = [
            device_round(&case, seed, RememberedDevice { device_password: wrong_password.as_bytes(), ..good }, None, NOW),
            device_round(&case, seed, RememberedDevice { device_key: &wrong_device_key, ..good }, None, NOW),
            device_round(&case, seed, RememberedDevice { device_group_key: &wrong_group_key, ..good }, None, NOW),
            // The DEVICE_KEY claimed must be the record's, even when the proof was made for it.
            device_round(&case, seed, good, Some(("DEVICE_KEY", Some(&wrong_device_key))), NOW),
            device_round(&case, seed, good, Some(("USERNAME", Some("someone-else"))), NOW),
            device_round(&case, seed, good, Some(("PASSWORD_CLAIM_SECRET_BLOCK", Some("AAAA"))), NOW),
            device_round(&case, seed, good, Some(("PASSWORD_CLAIM_SIGNATURE", Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="))), NOW),
            device_round(&case, seed, good, Some(("PASSWORD_CLAIM_SIGNATURE", Some("not base64"))), NOW),
            // 33 and 31 bytes: longer than the service's 32-byte buffer, and shorter.
            device_round(&case, seed, good, Some(("PASSWORD_CLAIM_SIGNATURE", Some(&"A".repeat(44)))), NOW),
            device_round(&case, seed, good, Some(("PASSWORD_CLAIM_SIGNATURE", Some(&format!("{}AA==", "A".repeat(40))))), NOW),
            device_round(&case, seed, good, None, NOW + SKEW as i64 + 1),
            device_round(&case, seed, good, None, NOW - SKEW as i64 - 1),
        ];
        for (i, verdict) in rejected.into_iter().enumerate() {
            prop_assert_eq!(verdict, Err(Error::NotAuthorized), "rejection {}", i);
        }
        prop_assert_eq!(
            device_round(&case, seed, good, Some(("TIMESTAMP", None)), NOW),
            Err(Error::Missing { parameter: "TIMESTAMP" })
        );
    }

    #[test]
    fn user_client_and_service_agree(
        seed in any::<u64>(),
        pool in "[A-Za-z0-9]{1,12}",
        user_id in ident(),
        alias in ident(),
        password in "\\PC{0,40}",
        salt in "[0-9a-f]{1,40}",
    ) {
        let pool_id = format!("eu-west-1_{pool}");
        let record = VerifierRecord::for_user_password(&pool_id, &user_id, &password, &salt).unwrap();
        let round = |password: &str, tamper: Option<(&str, Option<&str>)>, timestamp: i64| {
            let mut rng = StdRng::seed_from_u64(seed);
            let sign_in = User::new(&pool_id, &alias, password).unwrap().start_sign_in(&mut rng).unwrap();
            let issued = record.issue_challenge(sign_in.srp_a().as_str(), &user_id, &mut rng).unwrap();
            assert_eq!(issued.challenge_name(), "PASSWORD_VERIFIER");
            let params: Vec<(&'static str, String)> =
                issued.parameters().iter().map(|(k, v)| (k, v.to_string())).collect();
            let challenge = PasswordVerifierChallenge::from_parameters(params.iter().map(|(k, v)| (*k, v.as_str()))).unwrap();
            let response = sign_in.respond(&challenge, Timestamp::from_unix_seconds(timestamp).unwrap()).unwrap();
            prop_assert_eq!(response.username, user_id.as_str());
            let params: Vec<(&'static str, String)> =
                response.parameters().iter().map(|(k, v)| (k, v.to_string())).collect();
            Ok(verify(issued, &responses(&params, tamper), NOW))
        };
        prop_assert_eq!(round(&password, None, NOW)?, Ok(()));
        prop_assert_eq!(round(&other(&password), None, NOW)?, Err(Error::NotAuthorized));
        prop_assert_eq!(round(&password, Some(("USERNAME", Some(&alias))), NOW)?,
            if alias == user_id { Ok(()) } else { Err(Error::NotAuthorized) });
        prop_assert_eq!(round(&password, None, NOW + 10_000)?, Err(Error::NotAuthorized));
    }
}

#[test]
fn a_bad_stored_verifier_or_salt_is_a_typed_error() {
    let record = |v: &str, s: &str| VerifierRecord::from_confirm_device("g", "k", v, s).err();
    let n_b64 = {
        // TC(N): 00 then N's 384 bytes, all ff at both ends; base64 of its actual bytes.
        let mut rng = StdRng::seed_from_u64(1);
        let reg = DeviceRegistration::generate("g", "k", &mut rng);
        reg.device_secret_verifier_config.salt().to_string()
    };
    assert_eq!(
        record("", &n_b64),
        Some(Error::Malformed {
            parameter: "PasswordVerifier"
        })
    );
    assert_eq!(
        record("AQ=", &n_b64),
        Some(Error::Malformed {
            parameter: "PasswordVerifier"
        })
    );
    assert_eq!(
        record("AQ==\n", &n_b64),
        Some(Error::Malformed {
            parameter: "PasswordVerifier"
        })
    );
    // 0, a negative value (0xff = -1), and values >= N are out of range.
    assert_eq!(
        record("AA==", &n_b64),
        Some(Error::IllegalValue {
            parameter: "PasswordVerifier"
        })
    );
    assert_eq!(
        record("/w==", &n_b64),
        Some(Error::IllegalValue {
            parameter: "PasswordVerifier"
        })
    );
    assert_eq!(
        record("AQ==", &n_b64),
        Some(Error::IllegalValue {
            parameter: "PasswordVerifier"
        }),
        "v = 1"
    );
    let at_least_n = base64(&[&[0u8][..], &[0xff; 384]].concat());
    assert_eq!(
        record(&at_least_n, &n_b64),
        Some(Error::IllegalValue {
            parameter: "PasswordVerifier"
        })
    );
    let too_long = base64(&[1u8; 600]);
    assert_eq!(
        record(&too_long, &n_b64),
        Some(Error::Malformed {
            parameter: "PasswordVerifier"
        })
    );
    assert_eq!(
        record("Ag==", ""),
        Some(Error::Malformed { parameter: "Salt" })
    );
    assert_eq!(
        record("Ag==", "abc!"),
        Some(Error::Malformed { parameter: "Salt" })
    );
    assert_eq!(
        record("Ag==", &too_long),
        Some(Error::Malformed { parameter: "Salt" })
    );
    assert!(
        record("Ag==", "gA==").is_none(),
        "a negative salt is an integer like any other"
    );
}

#[test]
fn a_bad_user_record_is_a_typed_error() {
    let n_hex = cognito_srp6a::N_HEX;
    let stored = |pool: &str, salt: &str, v: &str| {
        VerifierRecord::for_user_verifier(pool, "u", salt, v).err()
    };
    assert_eq!(
        stored("us-east-1_P", "ab", "0"),
        Some(Error::IllegalValue {
            parameter: "verifier"
        })
    );
    assert_eq!(
        stored("us-east-1_P", "ab", "-5"),
        Some(Error::IllegalValue {
            parameter: "verifier"
        })
    );
    assert_eq!(
        stored("us-east-1_P", "ab", n_hex),
        Some(Error::IllegalValue {
            parameter: "verifier"
        })
    );
    // The elements of order 1 and 2 verify proofs made without the password.
    let n_minus_one = {
        let mut digits = n_hex.to_lowercase().into_bytes();
        let last = digits.last_mut().unwrap();
        *last -= 1; // N ends in f: no borrow
        String::from_utf8(digits).unwrap()
    };
    for degenerate in ["1", "01", n_minus_one.as_str()] {
        assert_eq!(
            stored("us-east-1_P", "ab", degenerate),
            Some(Error::IllegalValue {
                parameter: "verifier"
            }),
            "v = {degenerate}"
        );
    }
    assert!(stored("us-east-1_P", "ab", "2").is_none());
    assert_eq!(
        stored("us-east-1_P", "ab", "xyz"),
        Some(Error::Malformed {
            parameter: "verifier"
        })
    );
    assert_eq!(
        stored("us-east-1_P", "", "5"),
        Some(Error::Malformed { parameter: "SALT" })
    );
    assert_eq!(
        stored("nounderscore", "ab", "5"),
        Some(Error::Malformed {
            parameter: "user_pool_id"
        })
    );
    assert!(stored("us-east-1_P", "ab", "5").is_none());
    let from_password =
        |salt: &str| VerifierRecord::for_user_password("us-east-1_P", "u", "pw", salt).err();
    assert_eq!(
        from_password("0x12"),
        Some(Error::Malformed { parameter: "SALT" })
    );
    assert_eq!(
        from_password(&"1".repeat(1025)),
        Some(Error::TooLong { parameter: "SALT" })
    );
}

#[test]
fn a_zero_srp_a_is_refused_before_any_challenge() {
    let record = VerifierRecord::for_user_password("us-east-1_P", "u", "pw", "abcd").unwrap();
    let mut rng = StdRng::seed_from_u64(3);
    let n_hex = &cognito_srp6a::N_HEX.to_lowercase();
    for a in ["0", "00", n_hex.as_str(), &format!("-{n_hex}")] {
        assert_eq!(
            record.issue_challenge(a, "u", &mut rng).err(),
            Some(Error::IllegalValue { parameter: "SRP_A" }),
            "{}",
            &a[..a.len().min(8)]
        );
    }
    assert_eq!(
        record.issue_challenge("xyz", "u", &mut rng).err(),
        Some(Error::Malformed { parameter: "SRP_A" })
    );
    assert_eq!(
        record
            .issue_challenge_with_test_values("2", "u", &[], b"")
            .err(),
        Some(Error::Malformed { parameter: "b" })
    );
}

#[test]
fn missing_response_parameters_are_named() {
    let record = VerifierRecord::for_user_password("us-east-1_P", "u", "pw", "abcd").unwrap();
    for missing in [
        "USERNAME",
        "PASSWORD_CLAIM_SECRET_BLOCK",
        "TIMESTAMP",
        "PASSWORD_CLAIM_SIGNATURE",
    ] {
        let mut rng = StdRng::seed_from_u64(4);
        let issued = record.issue_challenge("2", "u", &mut rng).unwrap();
        let map: Vec<(String, String)> = [
            "USERNAME",
            "PASSWORD_CLAIM_SECRET_BLOCK",
            "TIMESTAMP",
            "PASSWORD_CLAIM_SIGNATURE",
        ]
        .iter()
        .filter(|k| **k != missing)
        .map(|k| (k.to_string(), "x".to_string()))
        .collect();
        assert_eq!(
            verify(issued, &map, NOW),
            Err(Error::Missing { parameter: missing })
        );
    }
}

fn base64(bytes: &[u8]) -> String {
    use base64ct::{Base64, Encoding};
    Base64::encode_string(bytes)
}

//! Every bad input gets a typed error naming its parameter, never a panic.

// Test and example code may index and unwrap: a panic there is a failed check, not bad input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

#[cfg(feature = "server")]
use cognito_srp6a::VerifierRecord;
use cognito_srp6a::{
    AppClient, DevicePasswordVerifierChallenge, DeviceRegistration, DeviceSecretVerifierConfig,
    Error, N_HEX, PasswordVerifierChallenge, RememberedDevice, Salt, SecretBlock, SecretHash, SrpB,
    Timestamp, User,
};
use proptest::prelude::*;

/// 2N in hex (N shifted left one bit).
fn two_n_hex() -> String {
    let n = num_bigint::BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap();
    (n << 1u32).to_str_radix(16)
}

#[test]
fn srp_b_zero_mod_n_is_refused() {
    let illegal = Some(Error::IllegalValue { parameter: "SRP_B" });
    let two_n = two_n_hex();
    let minus_n = format!("-{N_HEX}");
    let lower_n = N_HEX.to_lowercase();
    for b in ["0", "000", "-0", N_HEX, &lower_n, &two_n, &minus_n] {
        assert_eq!(SrpB::parse(b).err(), illegal, "{b}");
    }
    // N + 1 and -1 are accepted: they are 1 and N - 1 modulo N.
    assert!(SrpB::parse("-1").is_ok());
}

#[test]
fn srp_b_and_salt_must_be_hex_of_bounded_size() {
    for (parameter, parse) in [
        (
            "SRP_B",
            (|s: &str| SrpB::parse(s).err()) as fn(&str) -> Option<Error>,
        ),
        ("SALT", |s: &str| Salt::parse(s).err()),
    ] {
        for bad in ["", "-", "xyz", "0x12", "12 ", "+12", "1_2", "１２"] {
            assert_eq!(
                parse(bad),
                Some(Error::Malformed { parameter }),
                "{parameter} {bad:?}"
            );
        }
        // 4096 bits is the most either may carry; 2049 zeros of padding is also too much.
        assert_eq!(parse(&"f".repeat(1025)), Some(Error::TooLong { parameter }));
        assert_eq!(parse(&"0".repeat(2049)), Some(Error::TooLong { parameter }));
        assert_eq!(
            parse(&"7".repeat(1024)),
            None,
            "{parameter}: 4096 bits is allowed"
        );
    }
}

#[test]
fn secret_block_must_be_canonical_base64() {
    for bad in [
        "abc!", "abc", "YQ=", "YQ", "-_-_", "YR==", "YQ==YQ==", " YQ==", "YQ==\n", "Y Q==",
    ] {
        assert_eq!(
            SecretBlock::parse(bad).err(),
            Some(Error::Malformed {
                parameter: "SECRET_BLOCK"
            }),
            "{bad:?}"
        );
    }
    for good in ["", "YQ==", "YWI=", "YWJj", "+/+/"] {
        assert!(SecretBlock::parse(good).is_ok(), "{good:?}");
    }
}

fn device_challenge(pairs: &[(&'static str, &'static str)]) -> Result<(), Error> {
    DevicePasswordVerifierChallenge::from_parameters(pairs.iter().map(|(k, v)| (*k, *v)))
        .map(|_| ())
}

fn user_challenge(pairs: &[(&'static str, &'static str)]) -> Result<(), Error> {
    PasswordVerifierChallenge::from_parameters(pairs.iter().map(|(k, v)| (*k, *v))).map(|_| ())
}

type ChallengeParse = fn(&[(&'static str, &'static str)]) -> Result<(), Error>;

/// `complete` parses; leaving out any one parameter is `Missing` naming it; giving any one
/// twice is `Duplicate` naming it.
fn assert_each_parameter_required_once(
    parse: ChallengeParse,
    complete: &[(&'static str, &'static str)],
) {
    assert_eq!(parse(complete), Ok(()));
    for (i, &(name, value)) in complete.iter().enumerate() {
        let mut partial = complete.to_vec();
        partial.remove(i);
        assert_eq!(parse(&partial), Err(Error::Missing { parameter: name }));
        let mut twice = complete.to_vec();
        twice.push((name, value));
        assert_eq!(parse(&twice), Err(Error::Duplicate { parameter: name }));
    }
}

#[test]
fn missing_and_duplicate_challenge_parameters() {
    let device = [
        ("USERNAME", "u"),
        ("SRP_B", "ab"),
        ("SALT", "cd"),
        ("SECRET_BLOCK", "YQ=="),
    ];
    assert_each_parameter_required_once(device_challenge, &device);
    let user = [
        ("USER_ID_FOR_SRP", "u"),
        ("SRP_B", "ab"),
        ("SALT", "cd"),
        ("SECRET_BLOCK", "YQ=="),
    ];
    assert_each_parameter_required_once(user_challenge, &user);
    let empty_id = [
        ("USER_ID_FOR_SRP", ""),
        ("SRP_B", "ab"),
        ("SALT", "cd"),
        ("SECRET_BLOCK", "YQ=="),
    ];
    assert_eq!(
        user_challenge(&empty_id),
        Err(Error::Malformed {
            parameter: "USER_ID_FOR_SRP"
        })
    );
    // Errors surface in parameter order of checking, each naming its own parameter.
    let bad_b = [
        ("USER_ID_FOR_SRP", "u"),
        ("SRP_B", "0"),
        ("SALT", "cd"),
        ("SECRET_BLOCK", "YQ=="),
    ];
    assert_eq!(
        user_challenge(&bad_b),
        Err(Error::IllegalValue { parameter: "SRP_B" })
    );
}

#[test]
fn test_exponent_is_checked() {
    let device = RememberedDevice {
        device_group_key: "g",
        device_key: "k",
        device_password: b"p",
    };
    assert_eq!(
        device.start_sign_in_with_test_exponent(&[]).err(),
        Some(Error::Malformed { parameter: "a" })
    );
    assert_eq!(
        device.start_sign_in_with_test_exponent(&[0; 32]).err(),
        Some(Error::IllegalValue { parameter: "a" })
    );
    assert_eq!(
        device.start_sign_in_with_test_exponent(&[1; 385]).err(),
        Some(Error::TooLong { parameter: "a" })
    );
    assert!(device.start_sign_in_with_test_exponent(&[1; 384]).is_ok());
}

#[test]
fn user_pool_id_is_checked() {
    for bad in ["", "nounderscore", "_name", "region_"] {
        assert_eq!(
            User::new(bad, "u", "p").err(),
            Some(Error::Malformed {
                parameter: "user_pool_id"
            })
        );
    }
}

#[test]
fn errors_name_the_parameter_and_never_the_value() {
    let secret_looking = "SuperSecretValue";
    let e = SrpB::parse(secret_looking).unwrap_err();
    let text = e.to_string();
    assert_eq!(text, "parameter SRP_B is malformed");
    assert!(!format!("{e:?}").contains(secret_looking));
    assert_eq!(e.parameter(), Some("SRP_B"));
}

#[test]
fn secrets_stay_out_of_debug() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let reg = DeviceRegistration::generate("us-east-1_group", "us-east-1_device", &mut rng);
    let password = reg.device_password.as_str().to_string();
    assert_eq!(password.len(), 56);
    assert!(!format!("{reg:?}").contains(&password));
    assert!(!format!("{:#?}", reg.device_password).contains(&password));
    let device = RememberedDevice {
        device_group_key: "g",
        device_key: "k",
        device_password: password.as_bytes(),
    };
    assert!(!format!("{device:?}").contains(&password));
    let sign_in = device.start_sign_in(&mut rng).unwrap();
    assert!(!format!("{sign_in:?}").contains(&password));
    let user = User::new("us-east-1_Pool", "alice", "hunter2-Passw0rd").unwrap();
    assert!(!format!("{user:?}").contains("hunter2"));
    let sign_in = user.start_sign_in(&mut rng).unwrap();
    assert!(!format!("{sign_in:?}").contains("hunter2"));
    let client = AppClient::new("3n4b5urk1ft4fl3mg5e62d9ado", "client-s3cr3t");
    let shown = format!("{client:?}");
    assert!(shown.contains("3n4b5urk1ft4fl3mg5e62d9ado") && !shown.contains("s3cr3t"));
    let auth = sign_in.user_srp_auth().with_secret_hash(&client);
    assert!(!format!("{auth:?}").contains("s3cr3t"));
}

use rand::SeedableRng;

fn challenge_map() -> impl Strategy<Value = Vec<(String, String)>> {
    let key = prop_oneof![
        Just("USERNAME".to_string()),
        Just("USER_ID_FOR_SRP".to_string()),
        Just("SRP_B".to_string()),
        Just("SALT".to_string()),
        Just("SECRET_BLOCK".to_string()),
        ".{0,12}",
    ];
    let value = prop_oneof!["[0-9a-fA-F-]{0,40}", "[A-Za-z0-9+/=]{0,40}", ".{0,40}"];
    proptest::collection::vec((key, value), 0..8)
}

proptest! {
    #[test]
    fn no_input_panics(s in ".{0,80}", hexish in "-?[0-9a-fA-F]{0,1100}") {
        let _ = SrpB::parse(&s);
        let _ = SrpB::parse(&hexish);
        let _ = Salt::parse(&s);
        let _ = Salt::parse(&hexish);
        let _ = SecretBlock::parse(&s);
        let _ = Timestamp::parse(&s);
        let _ = User::new(&s, &s, &s);
    }

    #[test]
    fn no_public_function_panics(
        s in "\\PC{0,60}",
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
        salt in any::<[u8; 16]>(),
        secs in any::<i64>(),
    ) {
        let _ = Timestamp::from_unix_seconds(secs);
        let _ = SecretHash::new(&AppClient::new(&s, &s), &s);
        let config = DeviceSecretVerifierConfig::from_parts(&s, &s, &s, &salt);
        prop_assert!(!config.salt().is_empty() && !config.password_verifier().is_empty());
        let device = RememberedDevice { device_group_key: &s, device_key: &s, device_password: s.as_bytes() };
        if let Ok(sign_in) = device.start_sign_in_with_test_exponent(&bytes) {
            let _ = sign_in.device_srp_auth(&s).parameters().iter().count();
        }
        if let Ok(user) = User::new(&s, &s, &s) {
            let _ = user.start_sign_in_with_test_exponent(&bytes);
        }
    }

    #[cfg(feature = "server")]
    #[test]
    fn no_service_function_panics(s in "\\PC{0,60}", bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = VerifierRecord::from_confirm_device(&s, &s, &s, &s);
        let _ = VerifierRecord::for_user_password(&s, &s, &s, &s);
        let _ = VerifierRecord::for_user_verifier(&s, &s, &s, &s);
        let record = VerifierRecord::for_user_password("us-east-1_P", "u", "pw", "ab").unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let _ = record.issue_challenge(&s, &s, &mut rng);
        let _ = record.issue_challenge_with_test_values("2", &s, &bytes, &bytes);
    }

    #[test]
    fn challenge_maps_never_panic(map in challenge_map()) {
        let pairs: Vec<(&str, &str)> = map.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let _ = DevicePasswordVerifierChallenge::from_parameters(pairs.iter().map(|(k, v)| (*k, *v)));
        let _ = PasswordVerifierChallenge::from_parameters(pairs.iter().map(|(k, v)| (*k, *v)));
    }

    #[test]
    fn timestamps_round_trip(secs in 0i64..=253_402_300_799) {
        let t = Timestamp::from_unix_seconds(secs).unwrap();
        prop_assert_eq!(Timestamp::parse(t.as_str()).unwrap().unix_seconds(), secs);
    }
}

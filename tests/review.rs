//! The outside review's findings that are about values, each kept closed: degenerate A and
//! verifiers, a broken RNG, zero test exponents, and the parameters a verifier takes in a response.
//! The stack residue has `tests/stack_residue.rs`, the constant-time findings `scripts/ct-check`.

// Test code may index and unwrap: a panic there is a failed check, not bad input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]
#![cfg(feature = "server")]

use cognito_srp6a::rand_core::{TryCryptoRng, TryRng};
use cognito_srp6a::{
    DevicePasswordVerifierChallenge, DeviceRegistration, Error, RememberedDevice, Timestamp, User,
    VerifierRecord,
};
use rand::{Rng, SeedableRng, rngs::StdRng};
use std::convert::Infallible;

const NOW: i64 = 1_793_499_720;
const GROUP: &str = "-Xy12AbCd";
const KEY: &str = "us-east-1_0f1e";

/// An RNG that passes `skip` draws through, then gives `zeros` all-zero draws, then goes on
/// with its seeded stream.
struct ZeroRng {
    skip: usize,
    zeros: usize,
    then: StdRng,
}

impl ZeroRng {
    /// `zeros` zero draws first.
    fn new(zeros: usize) -> Self {
        Self::after(0, zeros, 99)
    }

    fn after(skip: usize, zeros: usize, seed: u64) -> Self {
        Self {
            skip,
            zeros,
            then: StdRng::seed_from_u64(seed),
        }
    }
}

impl TryRng for ZeroRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.then.next_u32())
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.then.next_u64())
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        if self.skip > 0 {
            self.skip -= 1;
            self.then.fill_bytes(dst);
        } else if self.zeros > 0 {
            self.zeros -= 1;
            dst.fill(0);
        } else {
            self.then.fill_bytes(dst);
        }
        Ok(())
    }
}

impl TryCryptoRng for ZeroRng {}

fn n_minus(k: u8) -> String {
    let n = num_bigint::BigUint::parse_bytes(cognito_srp6a::N_HEX.as_bytes(), 16).unwrap();
    (n - k).to_str_radix(16)
}

fn record() -> (DeviceRegistration, VerifierRecord) {
    let registration = DeviceRegistration::generate(GROUP, KEY, &mut StdRng::seed_from_u64(1));
    let config = &registration.device_secret_verifier_config;
    let record =
        VerifierRecord::from_confirm_device(GROUP, KEY, config.password_verifier(), config.salt())
            .unwrap();
    (registration, record)
}

/// The registered device, its password taken as the README takes it.
fn device(registration: &DeviceRegistration) -> RememberedDevice<'_> {
    RememberedDevice {
        device_group_key: GROUP,
        device_key: KEY,
        device_password: registration.device_password.as_bytes(),
    }
}

#[test]
fn the_service_refuses_a_degenerate_srp_a() {
    let (_, record) = record();
    let mut rng = StdRng::seed_from_u64(2);
    let n_minus_one = n_minus(1);
    let n_plus_one = {
        let n = num_bigint::BigUint::parse_bytes(cognito_srp6a::N_HEX.as_bytes(), 16).unwrap();
        (n + 1u8).to_str_radix(16)
    };
    for a in [
        "0",
        "1",
        "01",
        &n_minus_one,
        &n_plus_one,
        &format!("-{n_minus_one}"),
    ] {
        assert_eq!(
            record.issue_challenge(a, "alice", &mut rng).err(),
            Some(Error::IllegalValue { parameter: "SRP_A" }),
            "A = {}",
            &a[..a.len().min(8)]
        );
    }
    // Their neighbours are ordinary group elements.
    for a in ["2", &n_minus(2)] {
        assert!(record.issue_challenge(a, "alice", &mut rng).is_ok());
    }
}

#[test]
fn a_zero_draw_is_drawn_again() {
    let (registration, record) = record();
    let device = device(&registration);
    // One zero draw: it is thrown away and the next one is a, the same a as an RNG that
    // starts at that next draw gives.
    let sign_in = device.start_sign_in(&mut ZeroRng::new(1)).unwrap();
    let srp_a = sign_in.srp_a().as_str().to_string();
    assert_ne!(srp_a, "1");
    assert_eq!(
        srp_a,
        device
            .start_sign_in(&mut ZeroRng::new(0))
            .unwrap()
            .srp_a()
            .as_str()
    );
    let user = User::new("us-east-1_P", "alice", "pw").unwrap();
    assert_eq!(
        user.start_sign_in(&mut ZeroRng::new(3))
            .unwrap()
            .srp_a()
            .as_str(),
        user.start_sign_in(&mut ZeroRng::new(0))
            .unwrap()
            .srp_a()
            .as_str()
    );
    // The service's b likewise: its first draw is the secret block, then b.
    let issue = |zeros| {
        let mut rng = ZeroRng::after(1, zeros, 5);
        record.issue_challenge(&srp_a, "alice", &mut rng).unwrap()
    };
    assert_eq!(issue(1).srp_b(), issue(0).srp_b());
}

#[test]
fn an_rng_of_zeros_is_refused() {
    let (registration, record) = record();
    let device = device(&registration);
    let broken = || ZeroRng::new(usize::MAX);
    assert_eq!(
        device.start_sign_in(&mut broken()).err(),
        Some(Error::IllegalValue { parameter: "a" })
    );
    let user = User::new("us-east-1_P", "alice", "pw").unwrap();
    assert_eq!(
        user.start_sign_in(&mut broken()).err(),
        Some(Error::IllegalValue { parameter: "a" })
    );
    assert_eq!(
        record.issue_challenge("2", "alice", &mut broken()).err(),
        Some(Error::IllegalValue { parameter: "b" })
    );
}

#[test]
fn zero_test_exponents_are_refused() {
    let (registration, record) = record();
    let device = device(&registration);
    let user = User::new("us-east-1_P", "alice", "pw").unwrap();
    for zero in [&[0u8][..], &[0; 32], &[0; 384]] {
        assert_eq!(
            device.start_sign_in_with_test_exponent(zero).err(),
            Some(Error::IllegalValue { parameter: "a" })
        );
        assert_eq!(
            user.start_sign_in_with_test_exponent(zero).err(),
            Some(Error::IllegalValue { parameter: "a" })
        );
        assert_eq!(
            record
                .issue_challenge_with_test_values("2", "alice", zero, b"block")
                .err(),
            Some(Error::IllegalValue { parameter: "b" })
        );
    }
    assert!(device.start_sign_in_with_test_exponent(&[1]).is_ok());
}

#[test]
fn degenerate_stored_verifiers_are_refused() {
    use base64ct::{Base64, Encoding};
    let tc = |hex: &str| {
        let mut bytes = num_bigint::BigUint::parse_bytes(hex.as_bytes(), 16)
            .unwrap()
            .to_bytes_be();
        if bytes[0] & 0x80 != 0 {
            bytes.insert(0, 0);
        }
        Base64::encode_string(&bytes)
    };
    let salt = Base64::encode_string(&[0x11; 16]);
    for v in ["0", "1", &n_minus(1), &n_minus(0)] {
        assert_eq!(
            VerifierRecord::from_confirm_device(GROUP, KEY, &tc(v), &salt).err(),
            Some(Error::IllegalValue {
                parameter: "PasswordVerifier"
            }),
            "v = {}",
            &v[..v.len().min(8)]
        );
        assert_eq!(
            VerifierRecord::for_user_verifier("us-east-1_P", "u", "abcd", v).err(),
            Some(Error::IllegalValue {
                parameter: "verifier"
            })
        );
    }
    assert!(VerifierRecord::from_confirm_device(GROUP, KEY, &tc("2"), &salt).is_ok());
}

/// A device response to a fresh challenge, and the challenge it answers.
fn device_exchange(extra: &[(&str, &str)]) -> Result<(), Error> {
    let (registration, record) = record();
    let device = device(&registration);
    let mut rng = StdRng::seed_from_u64(7);
    let sign_in = device.start_sign_in(&mut rng).unwrap();
    let issued = record
        .issue_challenge(sign_in.srp_a().as_str(), "alice", &mut rng)
        .unwrap();
    let parameters = issued.parameters().to_map();
    let challenge = DevicePasswordVerifierChallenge::from_parameters(&parameters).unwrap();
    let now = Timestamp::from_unix_seconds(NOW).unwrap();
    let mut responses = sign_in
        .respond(&challenge, now)
        .unwrap()
        .parameters()
        .to_map();
    for (name, value) in extra {
        responses.insert(name.to_string(), value.to_string());
    }
    issued.verify(&responses, now, 300)
}

#[test]
fn a_response_carries_only_what_the_api_documents() {
    assert_eq!(device_exchange(&[]), Ok(()));
    // SECRET_HASH is the caller's to check: it has the client secret.
    assert_eq!(device_exchange(&[("SECRET_HASH", "anything")]), Ok(()));
    for extra in ["SRP_A", "SRP_B", "PASSWORD", "unknown", "username"] {
        assert_eq!(
            device_exchange(&[(extra, "2")]),
            Err(Error::Malformed {
                parameter: "ChallengeResponses"
            }),
            "{extra}"
        );
    }
}

#[test]
fn a_user_response_may_name_a_device_for_the_caller_to_check() {
    let record = VerifierRecord::for_user_password("us-east-1_P", "sub-1", "pw", "abcd").unwrap();
    let user = User::new("us-east-1_P", "alice", "pw").unwrap();
    let mut rng = StdRng::seed_from_u64(8);
    for extra in [
        None,
        Some(("DEVICE_KEY", "us-east-1_any")),
        Some(("SRP_A", "2")),
    ] {
        let sign_in = user.start_sign_in(&mut rng).unwrap();
        let issued = record
            .issue_challenge(sign_in.srp_a().as_str(), "alice", &mut rng)
            .unwrap();
        let parameters = issued.parameters().to_map();
        let challenge =
            cognito_srp6a::PasswordVerifierChallenge::from_parameters(&parameters).unwrap();
        let now = Timestamp::from_unix_seconds(NOW).unwrap();
        let mut responses = sign_in
            .respond(&challenge, now)
            .unwrap()
            .parameters()
            .to_map();
        if let Some((name, value)) = extra {
            responses.insert(name.into(), value.into());
        }
        let expected = match extra {
            Some(("SRP_A", _)) => Err(Error::Malformed {
                parameter: "ChallengeResponses",
            }),
            _ => Ok(()),
        };
        assert_eq!(issued.verify(&responses, now, 300), expected, "{extra:?}");
    }
}

//! Speed of the crate's constant-time SRP-6a math against a variable-time `num-bigint`
//! baseline, measured in the same run so that the ratio, not the absolute time, is the result.
//!
//! Each group holds two benchmarks over the same inputs:
//!
//! - `<group>/cognito-srp6a`: this crate (its own constant-time Montgomery kernels and, with
//!   the default `comb-table` feature, the fixed-base comb for g).
//! - `<group>/num-bigint-vartime`: the same math written the way the peer Rust crates
//!   (`aws-cognito-srp`, `cognito_srp`) write it: `num_bigint::BigUint::modpow`, `sha2`, `hmac`
//!   and `hkdf`. `BigUint::modpow` is variable time; it stands for the peer crates' approach and
//!   is not a recommendation.
//!
//! Groups:
//!
//! - `device_registration`: `DeviceSecretVerifierConfig::from_parts`, the x and v = g^x of
//!   `ConfirmDevice`, both values base64-encoded.
//! - `srp_a`: A = g^a for a 128-byte a (`start_sign_in_with_test_exponent`), hex-encoded.
//! - `device_password_verifier`: the whole `DEVICE_PASSWORD_VERIFIER` answer, u, x,
//!   S = (B - k g^x)^(a + u x), HKDF and the HMAC signature (`DeviceSignIn::respond`). The
//!   sign-in state (a, A) is made in the untimed `iter_batched` setup, so only `respond` is timed.
//! - `user_password_verifier`: the same for the `PASSWORD_VERIFIER` answer (`UserSignIn::respond`).
//! - `device_sign_in_as_shipped`: A and the `DEVICE_PASSWORD_VERIFIER` answer with each side's
//!   own drawn exponent: 256 bits here, 1024 in amazon-cognito-identity-js and the peer crates.
//!
//! The inputs are the first `device` and `user` entries of
//! `vectors/amazon-cognito-identity-js.json`. Before timing, every group checks that the crate,
//! the baseline and the vector agree (verifier and salt, `SRP_A`, `PASSWORD_CLAIM_SIGNATURE`), so
//! the baseline provably does the same work.
//!
//! Run with `cargo bench --bench srp` (about a minute and a half on two cores; 20 samples, 1 s
//! warm-up and 3 s measurement per benchmark). Criterion prints each median; the ratio of the
//! num-bigint-vartime time to the cognito-srp6a time is above 1 where the crate is faster and
//! below 1 where constant time costs more than the variable-time baseline.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a benchmark: malformed vectors should stop it loudly"
)]

use rand::{Rng, SeedableRng, rngs::StdRng};
use std::{hint::black_box, time::Duration};

use base64ct::{Base64, Encoding};
use cognito_srp6a::{
    DevicePasswordVerifierChallenge, DevicePasswordVerifierResponse, DeviceSecretVerifierConfig,
    N_HEX, PasswordClaimSignature, PasswordVerifierChallenge, PasswordVerifierResponse,
    RememberedDevice, SALT_RANDOM_BYTES, Timestamp, User,
};
use criterion::{
    BatchSize, BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use num_bigint::BigUint;
use serde_json::Value;
use sha2::{Digest, Sha256};

const VECTORS: &str = include_str!("../vectors/amazon-cognito-identity-js.json");

const CRATE: &str = "cognito-srp6a";
const BASELINE: &str = "num-bigint-vartime";

// ---------------------------------------------------------------------------------------------
// The num-bigint baseline: the peer crates' approach, variable time.
// ---------------------------------------------------------------------------------------------

/// N, g and k = H(TC(N) || TC(g)), computed once, as the peer crates do.
struct Group {
    n: BigUint,
    g: BigUint,
    k: BigUint,
}

impl Group {
    fn new() -> Self {
        let n = BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap();
        let g = BigUint::from(2u32);
        let mut h = Sha256::new();
        h.update(tc(&n));
        h.update(tc(&g));
        let k = BigUint::from_bytes_be(&h.finalize());
        Self { n, g, k }
    }
}

/// Java `BigInteger.toByteArray()` of a non-negative value (the JS `padHex`).
fn tc(v: &BigUint) -> Vec<u8> {
    let mut bytes = v.to_bytes_be();
    if bytes.first().is_some_and(|b| *b >= 0x80) {
        bytes.insert(0, 0);
    }
    bytes
}

/// x = H(TC(salt) || H(P || I || ":" || secret)).
fn private_key(p: &str, i: &str, secret: &str, salt_tc: &[u8]) -> BigUint {
    let inner = Sha256::digest(format!("{p}{i}:{secret}").as_bytes());
    let mut outer = Sha256::new();
    outer.update(salt_tc);
    outer.update(inner);
    BigUint::from_bytes_be(&outer.finalize())
}

/// `DeviceSecretVerifierConfig`: (base64(TC(v)), base64(TC(salt))).
fn baseline_verifier_config(
    grp: &Group,
    p: &str,
    i: &str,
    secret: &str,
    salt_random: &[u8; SALT_RANDOM_BYTES],
) -> (String, String) {
    let salt_tc = tc(&BigUint::from_bytes_be(salt_random));
    let x = private_key(p, i, secret, &salt_tc);
    let v = grp.g.modpow(&x, &grp.n);
    (
        Base64::encode_string(&tc(&v)),
        Base64::encode_string(&salt_tc),
    )
}

/// `SRP_A` = hex(g^a mod N).
fn baseline_srp_a(grp: &Group, a: &BigUint) -> String {
    grp.g.modpow(a, &grp.n).to_str_radix(16)
}

/// A parsed `*PASSWORD_VERIFIER` challenge, as the crate's challenge types hold it.
struct BaselineChallenge {
    b: BigUint,
    salt: BigUint,
    secret_block: String,
}

impl BaselineChallenge {
    fn parse(srp_b: &str, salt: &str, secret_block: &str) -> Self {
        Self {
            b: BigUint::parse_bytes(srp_b.as_bytes(), 16).unwrap(),
            salt: BigUint::parse_bytes(salt.as_bytes(), 16).unwrap(),
            secret_block: secret_block.to_owned(),
        }
    }
}

/// The client state after `SRP_A` was sent: a and A = g^a.
#[derive(Clone)]
struct BaselineSignIn {
    a: BigUint,
    big_a: BigUint,
}

impl BaselineSignIn {
    fn new(grp: &Group, a: &BigUint) -> Self {
        Self {
            a: a.clone(),
            big_a: grp.g.modpow(a, &grp.n),
        }
    }

    /// `PASSWORD_CLAIM_SIGNATURE`, base64.
    fn respond(
        self,
        grp: &Group,
        p: &str,
        i: &str,
        secret: &str,
        ch: &BaselineChallenge,
        timestamp: &str,
    ) -> String {
        let b_mod_n = &ch.b % &grp.n;
        assert!(b_mod_n != BigUint::ZERO, "B mod N = 0");
        let mut h = Sha256::new();
        h.update(tc(&self.big_a));
        h.update(tc(&ch.b));
        let u = BigUint::from_bytes_be(&h.finalize());
        assert!(u != BigUint::ZERO, "u = 0");

        let x = private_key(p, i, secret, &tc(&ch.salt));
        let k_gx = (&grp.k * grp.g.modpow(&x, &grp.n)) % &grp.n;
        let base = (b_mod_n + &grp.n - k_gx) % &grp.n;
        let exponent = &self.a + &u * &x;
        let s = base.modpow(&exponent, &grp.n);

        let hk = Hkdf::<Sha256>::new(Some(&tc(&u)), &tc(&s));
        let mut key = [0u8; 16];
        hk.expand(b"Caldera Derived Key", &mut key).unwrap();

        let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
        mac.update(p.as_bytes());
        mac.update(i.as_bytes());
        mac.update(&Base64::decode_vec(&ch.secret_block).unwrap());
        mac.update(timestamp.as_bytes());
        Base64::encode_string(&mac.finalize().into_bytes())
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs and settings.
// ---------------------------------------------------------------------------------------------

fn vectors() -> Value {
    serde_json::from_str(VECTORS).unwrap()
}

fn field<'a>(case: &'a Value, name: &str) -> &'a str {
    case[name]
        .as_str()
        .unwrap_or_else(|| panic!("vector field {name}"))
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    assert!(hex.len().is_multiple_of(2), "odd-length hex");
    (0..hex.len())
        .step_by(2)
        .map(|j| u8::from_str_radix(&hex[j..j + 2], 16).unwrap())
        .collect()
}

/// 20 samples, 1 s warm-up, 3 s measurement: the whole run stays under two minutes.
fn group<'c>(c: &'c mut Criterion, name: &str) -> BenchmarkGroup<'c, WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    g
}

// ---------------------------------------------------------------------------------------------
// Benchmarks.
// ---------------------------------------------------------------------------------------------

fn device_registration(c: &mut Criterion) {
    let v = vectors();
    let case = &v["device"][0];
    let (gk, dk, pw) = (
        field(case, "device_group_key"),
        field(case, "device_key"),
        field(case, "device_password"),
    );
    let salt: [u8; SALT_RANDOM_BYTES] = hex_bytes(field(case, "salt_random_hex"))
        .try_into()
        .unwrap();
    let grp = Group::new();

    let ours = DeviceSecretVerifierConfig::from_parts(gk, dk, pw, &salt);
    let theirs = baseline_verifier_config(&grp, gk, dk, pw, &salt);
    assert_eq!(ours.password_verifier(), field(case, "PasswordVerifier"));
    assert_eq!(ours.salt(), field(case, "Salt"));
    assert_eq!(theirs.0, ours.password_verifier());
    assert_eq!(theirs.1, ours.salt());

    let mut g = group(c, "device_registration");
    g.bench_function(CRATE, |b| {
        b.iter(|| {
            DeviceSecretVerifierConfig::from_parts(
                black_box(gk),
                black_box(dk),
                black_box(pw),
                black_box(&salt),
            )
        })
    });
    g.bench_function(BASELINE, |b| {
        b.iter(|| {
            baseline_verifier_config(
                &grp,
                black_box(gk),
                black_box(dk),
                black_box(pw),
                black_box(&salt),
            )
        })
    });
    g.finish();
}

fn srp_a(c: &mut Criterion) {
    let v = vectors();
    let case = &v["device"][0];
    let device = RememberedDevice {
        device_group_key: field(case, "device_group_key"),
        device_key: field(case, "device_key"),
        device_password: field(case, "device_password").as_bytes(),
    };
    let a_bytes = hex_bytes(field(case, "a_hex"));
    assert_eq!(a_bytes.len(), 128);
    let a = BigUint::from_bytes_be(&a_bytes);
    let grp = Group::new();

    let ours = device.start_sign_in_with_test_exponent(&a_bytes).unwrap();
    assert_eq!(ours.srp_a().as_str(), field(case, "SRP_A"));
    assert_eq!(baseline_srp_a(&grp, &a), ours.srp_a().as_str());

    let mut g = group(c, "srp_a");
    g.bench_function(CRATE, |b| {
        b.iter(|| {
            black_box(device)
                .start_sign_in_with_test_exponent(black_box(&a_bytes))
                .unwrap()
        })
    });
    g.bench_function(BASELINE, |b| b.iter(|| baseline_srp_a(&grp, black_box(&a))));
    g.finish();
}

/// A `*PASSWORD_VERIFIER` answer of this crate: device or user.
trait Signed {
    fn signature(&self) -> &PasswordClaimSignature;
}

impl Signed for DevicePasswordVerifierResponse<'_> {
    fn signature(&self) -> &PasswordClaimSignature {
        &self.password_claim_signature
    }
}

impl Signed for PasswordVerifierResponse<'_> {
    fn signature(&self) -> &PasswordClaimSignature {
        &self.password_claim_signature
    }
}

/// A `*PASSWORD_VERIFIER` case of the vectors: a, the challenge's values and the signature the
/// client made.
struct VerifierCase<'v> {
    a: Vec<u8>,
    srp_b: &'v str,
    salt: &'v str,
    secret_block: &'v str,
    timestamp: &'v str,
    expected: &'v str,
}

impl<'v> VerifierCase<'v> {
    fn read(case: &'v Value) -> Self {
        Self {
            a: hex_bytes(field(case, "a_hex")),
            srp_b: field(case, "SRP_B"),
            salt: field(case, "SALT"),
            secret_block: field(case, "SECRET_BLOCK"),
            timestamp: field(case, "TIMESTAMP"),
            expected: field(case, "PASSWORD_CLAIM_SIGNATURE"),
        }
    }

    /// Times the answer of this crate against the baseline's for `(p, i, secret)`, after
    /// checking that both sign as the client did. `start` makes the crate's sign-in (a, A) in
    /// the untimed setup and returns its answer to the challenge at a timestamp, which alone is
    /// timed.
    fn bench<A, R>(
        &self,
        c: &mut Criterion,
        name: &str,
        (p, i, secret): (&str, &str, &str),
        start: impl Fn() -> A,
    ) where
        A: FnOnce(Timestamp) -> Result<R, cognito_srp6a::Error>,
        R: Signed,
    {
        let timestamp = Timestamp::parse(self.timestamp).unwrap();
        let grp = Group::new();
        let challenge = BaselineChallenge::parse(self.srp_b, self.salt, self.secret_block);
        let state = BaselineSignIn::new(&grp, &BigUint::from_bytes_be(&self.a));
        let theirs = state
            .clone()
            .respond(&grp, p, i, secret, &challenge, self.timestamp);
        let ours = start()(timestamp).unwrap();
        assert_eq!(ours.signature().as_str(), self.expected);
        assert_eq!(theirs, self.expected);

        let mut g = group(c, name);
        g.bench_function(CRATE, |b| {
            b.iter_batched(
                &start,
                |answer| answer(black_box(timestamp)),
                BatchSize::SmallInput,
            )
        });
        g.bench_function(BASELINE, |b| {
            b.iter_batched(
                || state.clone(),
                |state| {
                    let challenge = black_box(&challenge);
                    state.respond(&grp, p, i, secret, challenge, self.timestamp)
                },
                BatchSize::SmallInput,
            )
        });
        g.finish();
    }
}

/// The first `device` case of the vectors, read.
struct DeviceCase<'v> {
    /// `(DeviceGroupKey, DeviceKey, device password)`.
    identity: (&'v str, &'v str, &'v str),
    device: RememberedDevice<'v>,
    exchange: VerifierCase<'v>,
    /// The challenge. Its USERNAME is echoed, not signed; any name does.
    challenge: DevicePasswordVerifierChallenge<'v>,
}

impl<'v> DeviceCase<'v> {
    fn read(v: &'v Value) -> Self {
        let case = &v["device"][0];
        let (gk, dk, pw) = (
            field(case, "device_group_key"),
            field(case, "device_key"),
            field(case, "device_password"),
        );
        let exchange = VerifierCase::read(case);
        let challenge = DevicePasswordVerifierChallenge::new(
            "user",
            exchange.srp_b,
            exchange.salt,
            exchange.secret_block,
        )
        .unwrap();
        Self {
            identity: (gk, dk, pw),
            device: RememberedDevice {
                device_group_key: gk,
                device_key: dk,
                device_password: pw.as_bytes(),
            },
            exchange,
            challenge,
        }
    }
}

fn device_password_verifier(c: &mut Criterion) {
    let v = vectors();
    let d = DeviceCase::read(&v);
    let (a, challenge) = (&d.exchange.a, &d.challenge);
    d.exchange
        .bench(c, "device_password_verifier", d.identity, || {
            let sign_in = d.device.start_sign_in_with_test_exponent(a).unwrap();
            move |t| sign_in.respond(black_box(challenge), t)
        });
}

fn user_password_verifier(c: &mut Criterion) {
    let v = vectors();
    let case = &v["user"][0];
    let (pool_id, username, password, user_id) = (
        field(case, "user_pool_id"),
        field(case, "USERNAME"),
        field(case, "password"),
        field(case, "USER_ID_FOR_SRP"),
    );
    let user = User::new(pool_id, username, password).unwrap();
    let vc = VerifierCase::read(case);
    let challenge =
        &PasswordVerifierChallenge::new(user_id, vc.srp_b, vc.salt, vc.secret_block).unwrap();
    let pool_name = pool_id.split('_').nth(1).unwrap();
    let identity = (pool_name, user_id, password);
    vc.bench(c, "user_password_verifier", identity, || {
        let sign_in = user.start_sign_in_with_test_exponent(&vc.a).unwrap();
        move |t| sign_in.respond(black_box(challenge), t)
    });
}

/// A whole device sign-in on the client (A, then the DEVICE_PASSWORD_VERIFIER answer), each
/// side with the secret exponent it draws in use: this crate 256 bits (NIST SP 800-56A for a
/// 128-bit-strength safe-prime group), amazon-cognito-identity-js and the peer crates 1024.
fn device_sign_in_as_shipped(c: &mut Criterion) {
    let v = vectors();
    let DeviceCase {
        identity: (gk, dk, pw),
        device,
        exchange: vc,
        challenge,
    } = DeviceCase::read(&v);
    let timestamp = Timestamp::parse(vc.timestamp).unwrap();
    let grp = Group::new();
    let base_challenge = BaselineChallenge::parse(vc.srp_b, vc.salt, vc.secret_block);
    let mut rng = StdRng::seed_from_u64(7);

    let mut g = group(c, "device_sign_in_as_shipped");
    g.bench_function(CRATE, |b| {
        b.iter(|| {
            let state = black_box(device).start_sign_in(&mut rng).unwrap();
            state
                .respond(black_box(&challenge), timestamp)
                .unwrap()
                .password_claim_signature
        })
    });
    g.bench_function(BASELINE, |b| {
        b.iter(|| {
            let mut a = [0u8; 128];
            rng.fill_bytes(&mut a);
            let state = BaselineSignIn::new(&grp, &BigUint::from_bytes_be(&a));
            state.respond(&grp, gk, dk, pw, black_box(&base_challenge), vc.timestamp)
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    device_registration,
    srp_a,
    device_password_verifier,
    user_password_verifier,
    device_sign_in_as_shipped
);
criterion_main!(benches);

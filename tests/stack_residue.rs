//! Nothing secret is left on the dead stack.
//!
//! Each scenario zeroes a large region of stack below its own frame, runs one public operation
//! there (registration, a device response, a user response, the service's challenge and check),
//! drops what it returned, then reads the same region back and searches it for every secret the
//! operation touched, in every form it takes in memory: big-endian bytes, little-endian limbs,
//! Montgomery form, the exponent a + u·x, the HKDF PRK and key, the device password's bytes and
//! text. The secrets are recomputed here from `docs/protocol.md` with num-bigint, SHA-256 and HKDF,
//! from the random bytes the operation drew (a recording RNG) and its public outputs.
//!
//! A control plants a known value in a dead frame on purpose; the search must find it, or it
//! could not find anything.
//!
//! Reading the dead region is outside Rust's memory model (the bytes are uninitialized from
//! the language's point of view); it is done with volatile reads of memory the thread owns,
//! in a thread of its own with a known stack, the standard way such residue is measured.

#![cfg(target_arch = "x86_64")]
// The reads of the dead stack.
#![allow(unsafe_code)]
// Test code may index and unwrap: a panic here is a failed check, not bad input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use cognito_srp6a::rand_core::{TryCryptoRng, TryRng};
use cognito_srp6a::{
    DevicePasswordVerifierChallenge, DeviceRegistration, PasswordVerifierChallenge,
    RememberedDevice, Timestamp, User, VerifierRecord,
};
use hmac::{KeyInit, Mac};
use num_bigint::BigUint;
use rand::{Rng, RngExt, SeedableRng, rngs::StdRng};
use sha2::{Digest, Sha256};
use std::{cell::RefCell, collections::HashMap, convert::Infallible, hint::black_box, rc::Rc};

/// How much dead stack each scenario clears and searches: far more than any operation uses.
const REGION: usize = 256 * 1024;
/// Length of each searched fragment of a secret.
const NEEDLE: usize = 12;
const NOW: i64 = 1_793_499_720;

#[inline(never)]
fn clear_region() {
    let mut region = [0u8; REGION];
    for byte in region.iter_mut() {
        // SAFETY: a write to a local array.
        unsafe { core::ptr::write_volatile(byte, 0) };
    }
    black_box(&mut region);
}

/// Copies the dead region into `out` (allocated beforehand: no call while reading).
#[inline(never)]
fn read_region(out: &mut [u8]) {
    let region = core::mem::MaybeUninit::<[u8; REGION]>::uninit();
    let start = region.as_ptr().cast::<u8>();
    for (i, byte) in out.iter_mut().enumerate().take(REGION) {
        // SAFETY: `start..start + REGION` is this frame's own array, mapped stack memory of
        // this thread; its bytes are whatever the operation's frames left there.
        *byte = unsafe { core::ptr::read_volatile(start.add(i)) };
    }
}

/// Runs `operation` on a cleared region and returns what its dead frames left behind. The
/// operation's closure is inlined here, so its own locals (the values the caller keeps) sit in
/// this frame, above the region; the region holds the frames of what the closure called.
#[inline(never)]
fn residue(mut operation: impl FnMut()) -> Vec<u8> {
    let mut out = vec![0u8; REGION];
    clear_region();
    operation();
    read_region(&mut out);
    out
}

/// An RNG that records every draw (on the heap), so the test knows a, b and the password.
#[derive(Clone)]
struct RecordingRng {
    inner: Rc<RefCell<StdRng>>,
    draws: Rc<RefCell<Vec<Vec<u8>>>>,
}

impl RecordingRng {
    fn new(seed: u64) -> Self {
        Self {
            inner: Rc::new(RefCell::new(StdRng::seed_from_u64(seed))),
            draws: Rc::default(),
        }
    }
    fn draws(&self) -> Vec<Vec<u8>> {
        self.draws.borrow().clone()
    }
}

impl TryRng for RecordingRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.inner.borrow_mut().next_u32())
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.inner.borrow_mut().next_u64())
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.inner.borrow_mut().fill_bytes(dst);
        self.draws.borrow_mut().push(dst.to_vec());
        Ok(())
    }
}

impl TryCryptoRng for RecordingRng {}

fn n() -> BigUint {
    BigUint::parse_bytes(cognito_srp6a::N_HEX.as_bytes(), 16).unwrap()
}

fn sha256(parts: &[&[u8]]) -> Vec<u8> {
    let mut h = Sha256::new();
    for part in parts {
        h.update(part);
    }
    h.finalize().to_vec()
}

/// TC(n): big-endian, minimal, with a 00 byte in front when the top bit is set.
fn tc(n: &BigUint) -> Vec<u8> {
    let mut bytes = n.to_bytes_be();
    if bytes[0] & 0x80 != 0 {
        bytes.insert(0, 0);
    }
    bytes
}

fn hex_int(hex: &str) -> BigUint {
    BigUint::parse_bytes(hex.as_bytes(), 16).unwrap()
}

/// x = H(TC(salt) || H(P || I || ":" || secret)).
fn private_key(p: &str, i: &str, secret: &[u8], salt: &BigUint) -> BigUint {
    let inner = sha256(&[p.as_bytes(), i.as_bytes(), b":", secret]);
    BigUint::from_bytes_be(&sha256(&[&tc(salt), &inner]))
}

/// What an exchange's secrets are, recomputed: x, the exponent a + u·x, S, PRK and the key.
struct Exchange {
    x: BigUint,
    exponent: BigUint,
    s: BigUint,
    prk: Vec<u8>,
    key: Vec<u8>,
}

fn exchange(p: &str, i: &str, secret: &[u8], salt_hex: &str, a: &[u8], b_hex: &str) -> Exchange {
    let n = n();
    let g = BigUint::from(2u8);
    let k = BigUint::from_bytes_be(&sha256(&[&tc(&n), &[2]]));
    let a = BigUint::from_bytes_be(a);
    let big_a = g.modpow(&a, &n);
    let big_b = hex_int(b_hex);
    let u = BigUint::from_bytes_be(&sha256(&[&tc(&big_a), &tc(&big_b)]));
    let x = private_key(p, i, secret, &hex_int(salt_hex));
    let exponent = &a + &u * &x;
    let base = (&big_b + &n * &k - (&k * g.modpow(&x, &n)) % &n) % &n;
    let s = base.modpow(&exponent, &n);
    let mut extract = hmac::Hmac::<Sha256>::new_from_slice(&tc(&u)).unwrap();
    extract.update(&tc(&s));
    let prk = extract.finalize().into_bytes().to_vec();
    let mut expand = hmac::Hmac::<Sha256>::new_from_slice(&prk).unwrap();
    expand.update(b"Caldera Derived Key\x01");
    let key = expand.finalize().into_bytes()[..16].to_vec();
    Exchange {
        x,
        exponent,
        s,
        prk,
        key,
    }
}

/// One secret, in each form it can take in memory.
struct Secret {
    name: String,
    forms: Vec<(&'static str, Vec<u8>)>,
}

impl Secret {
    fn bytes(name: &str, bytes: &[u8]) -> Self {
        Self {
            name: name.into(),
            forms: vec![("bytes", bytes.to_vec())],
        }
    }

    /// An integer mod N (or an exponent): big-endian, little-endian limbs, Montgomery form.
    fn integer(name: &str, value: &BigUint, montgomery: bool) -> Self {
        let mut forms = vec![
            ("big-endian", value.to_bytes_be()),
            ("limbs", value.to_bytes_le()),
        ];
        if montgomery {
            let n = n();
            let mont = (value << 3072u32) % &n;
            forms.push(("Montgomery limbs", mont.to_bytes_le()));
            forms.push(("Montgomery big-endian", mont.to_bytes_be()));
            // The IFMA kernel's form (feature `ifma`): x·2^3120 mod N in 52-bit limbs, one per
            // little-endian u64, as its elements lie in memory.
            let wide = (value << 3120u32) % &n;
            let mask = (BigUint::from(1u8) << 52u32) - 1u8;
            let mut limbs = Vec::new();
            for j in 0..60u32 {
                let limb = (&wide >> (52 * j)) & &mask;
                let mut bytes = limb.to_bytes_le();
                bytes.resize(8, 0);
                limbs.extend(bytes);
            }
            forms.push(("IFMA 52-bit limbs", limbs));
        }
        Self {
            name: name.into(),
            forms,
        }
    }
}

/// Where in `haystack` some fragment of some form of `secret` lies, if anywhere. Fragments
/// with few distinct bytes (the zero padding of a wide integer) are not searched.
fn find(haystack: &[u8], secret: &Secret) -> Option<String> {
    for (form, bytes) in &secret.forms {
        for start in (0..bytes.len().saturating_sub(NEEDLE - 1)).step_by(4) {
            let needle = &bytes[start..start + NEEDLE];
            let mut distinct = needle.to_vec();
            distinct.sort_unstable();
            distinct.dedup();
            if distinct.len() < 8 {
                continue;
            }
            if let Some(at) = haystack.windows(NEEDLE).position(|w| w == needle) {
                return Some(format!(
                    "{} ({form}, bytes {start}..{}) {} bytes below the caller's frame",
                    secret.name,
                    start + NEEDLE,
                    haystack.len() - at
                ));
            }
        }
    }
    None
}

fn assert_clean(scenario: &str, haystack: &[u8], secrets: &[Secret]) {
    assert!(
        haystack.iter().any(|&b| b != 0),
        "{scenario}: the region was never written"
    );
    let found: Vec<String> = secrets.iter().filter_map(|s| find(haystack, s)).collect();
    assert!(
        found.is_empty(),
        "{scenario}: the dead stack still holds {}",
        found.join("; ")
    );
}

/// Runs `test` in a thread with a stack of its own, large enough for the region.
fn on_big_stack(test: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(16 * 1024 * 1024)
        .spawn(test)
        .unwrap()
        .join()
        .unwrap();
}

#[inline(never)]
fn plant(value: &[u8; 32]) {
    let mut local = [0u8; 96];
    local[40..72].copy_from_slice(value);
    black_box(&mut local);
}

#[test]
fn the_search_finds_a_planted_residue() {
    on_big_stack(|| {
        let planted: [u8; 32] = StdRng::seed_from_u64(7).random();
        let haystack = residue(|| plant(&planted));
        let control = Secret::bytes("the planted control", &planted);
        assert!(
            find(&haystack, &control).is_some(),
            "the control was not found"
        );
        // And a value never written is not found.
        let absent: [u8; 32] = StdRng::seed_from_u64(8).random();
        assert!(find(&haystack, &Secret::bytes("absent", &absent)).is_none());
    });
}

const GROUP: &str = "-Xy12AbCd";
const KEY: &str = "us-east-1_0f1e2d3c-4b5a-6c7d-8e9f-0a1b2c3d4e5f";

#[test]
fn registration_leaves_no_password_and_no_x() {
    on_big_stack(|| {
        let rng = RecordingRng::new(11);
        let mut verifier = (String::new(), String::new());
        let haystack = residue(|| {
            let registration = DeviceRegistration::generate(GROUP, KEY, &mut rng.clone());
            let config = &registration.device_secret_verifier_config;
            verifier = (config.password_verifier().into(), config.salt().into());
        });
        let draws = rng.draws();
        let (password_bytes, salt) = (&draws[0], &draws[1]);
        let text = <base64ct::Base64 as base64ct::Encoding>::encode_string(password_bytes);
        let x = private_key(GROUP, KEY, text.as_bytes(), &BigUint::from_bytes_be(salt));
        assert_clean(
            "DeviceRegistration::generate",
            &haystack,
            &[
                Secret::bytes("the device password's random bytes", password_bytes),
                Secret::bytes("the device password's text", text.as_bytes()),
                Secret::integer("x", &x, false),
            ],
        );
        assert!(!verifier.0.is_empty());
    });
}

/// A remembered device and the service's record of it.
fn device() -> (String, VerifierRecord) {
    let registration = DeviceRegistration::generate(GROUP, KEY, &mut RecordingRng::new(12));
    let config = &registration.device_secret_verifier_config;
    let record =
        VerifierRecord::from_confirm_device(GROUP, KEY, config.password_verifier(), config.salt())
            .unwrap();
    (registration.device_password.as_str().to_string(), record)
}

#[test]
fn a_device_response_leaves_no_secret() {
    on_big_stack(|| {
        let (password, record) = device();
        let rng = RecordingRng::new(13);
        let b = [0x5au8; 32];
        let mut public = None;
        let haystack = residue(|| {
            let device = RememberedDevice {
                device_group_key: GROUP,
                device_key: KEY,
                device_password: password.as_bytes(),
            };
            let sign_in = device.start_sign_in(&mut rng.clone()).unwrap();
            let issued = record
                .issue_challenge_with_test_values(sign_in.srp_a().as_str(), "alice", &b, b"block")
                .unwrap();
            let parameters = issued.parameters().to_map();
            let challenge = DevicePasswordVerifierChallenge::from_parameters(&parameters).unwrap();
            let response = sign_in
                .respond(&challenge, Timestamp::from_unix_seconds(NOW).unwrap())
                .unwrap();
            black_box(response.parameters().to_map());
            public = Some(parameters);
        });
        // The response only: the service's half ran with a known b, and is checked below.
        assert_response_clean(
            "DeviceSignIn::respond",
            &haystack,
            (GROUP, KEY, password.as_bytes()),
            &public.unwrap(),
            &rng.draws()[0],
        );
    });
}

/// Asserts that a client's answer left none of its secrets in `haystack`: a (the exponent the
/// RNG drew), the password of `(P, I, password)`, and x, a + u·x, S, the PRK and the key of the
/// exchange recomputed from the challenge's `parameters`.
fn assert_response_clean(
    scenario: &str,
    haystack: &[u8],
    (p, i, password): (&str, &str, &[u8]),
    parameters: &HashMap<String, String>,
    a: &[u8],
) {
    let e = exchange(p, i, password, &parameters["SALT"], a, &parameters["SRP_B"]);
    let secrets = [
        Secret::bytes("a", a),
        Secret::integer("x", &e.x, false),
        Secret::integer("the exponent a + u·x", &e.exponent, false),
        Secret::integer("S", &e.s, true),
        Secret::bytes("the HKDF PRK", &e.prk),
        Secret::bytes("the session key", &e.key),
        Secret::bytes("the password", password),
    ];
    assert_clean(scenario, haystack, &secrets);
}

#[test]
fn a_user_response_leaves_no_secret() {
    on_big_stack(|| {
        const POOL: &str = "us-east-1_AbC123";
        const ID: &str = "7f3a9c2e-1b4d-4e6f";
        let password = "correct horse battery staple, with more entropy";
        let record =
            VerifierRecord::for_user_password(POOL, ID, password, "3e389bd71bfc3dabb45cd8e6")
                .unwrap();
        let rng = RecordingRng::new(14);
        let b = [0x3cu8; 32];
        let mut public = None;
        let haystack = residue(|| {
            let user = User::new(POOL, "alice", password).unwrap();
            let sign_in = user.start_sign_in(&mut rng.clone()).unwrap();
            let issued = record
                .issue_challenge_with_test_values(sign_in.srp_a().as_str(), "alice", &b, b"block")
                .unwrap();
            let parameters = issued.parameters().to_map();
            let challenge = PasswordVerifierChallenge::from_parameters(&parameters).unwrap();
            let response = sign_in
                .respond(&challenge, Timestamp::from_unix_seconds(NOW).unwrap())
                .unwrap();
            black_box(response.parameters().to_map());
            public = Some(parameters);
        });
        assert_response_clean(
            "UserSignIn::respond",
            &haystack,
            ("AbC123", ID, password.as_bytes()),
            &public.unwrap(),
            &rng.draws()[0],
        );
    });
}

#[test]
fn the_service_leaves_no_secret() {
    on_big_stack(|| {
        let (password, record) = device();
        let a = [0x77u8; 32];
        // The client's half runs outside the region.
        let device = RememberedDevice {
            device_group_key: GROUP,
            device_key: KEY,
            device_password: password.as_bytes(),
        };
        let sign_in = device.start_sign_in_with_test_exponent(&a).unwrap();
        let srp_a = sign_in.srp_a().as_str().to_string();
        let rng = RecordingRng::new(15);
        let mut issued = None;
        let mut parameters = None;
        let issue_residue = residue(|| {
            let challenge = record
                .issue_challenge(&srp_a, "alice", &mut rng.clone())
                .unwrap();
            parameters = Some(challenge.parameters().to_map());
            issued = Some(Box::new(challenge));
        });
        let parameters = parameters.unwrap();
        let challenge = DevicePasswordVerifierChallenge::from_parameters(&parameters).unwrap();
        let now = Timestamp::from_unix_seconds(NOW).unwrap();
        let responses = sign_in
            .respond(&challenge, now)
            .unwrap()
            .parameters()
            .to_map();
        let mut verdict = None;
        let verify_residue = residue(|| {
            verdict = Some(issued.take().unwrap().verify(&responses, now, 300));
        });
        assert_eq!(verdict, Some(Ok(())));
        let b = &rng.draws()[1];
        let e = exchange(
            GROUP,
            KEY,
            password.as_bytes(),
            &parameters["SALT"],
            &a,
            &parameters["SRP_B"],
        );
        assert_clean(
            "VerifierRecord::issue_challenge",
            &issue_residue,
            &[Secret::bytes("b", b)],
        );
        assert_clean(
            "IssuedChallenge::verify",
            &verify_residue,
            &[
                Secret::bytes("b", b),
                Secret::integer("S", &e.s, true),
                Secret::bytes("the HKDF PRK", &e.prk),
                Secret::bytes("the session key", &e.key),
            ],
        );
    });
}

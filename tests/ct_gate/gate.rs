//! The gate's runs: see `main.rs`.

use crate::valgrind::{error_count, poison, running_on_valgrind, unpoison, unpoison_raw};
use cognito_srp6a::rand_core::{TryCryptoRng, TryRng};
use cognito_srp6a::{
    AppClient, DevicePasswordVerifierChallenge, DeviceRegistration, DeviceSecretVerifierConfig,
    PasswordVerifierChallenge, RememberedDevice, SecretHash, Timestamp, User, VerifierRecord,
};
use rand::{Rng, SeedableRng, rngs::StdRng};
use std::{cell::Cell, convert::Infallible};

const NOW: i64 = 1_793_499_720;

/// A CSPRNG whose every output is secret: seeded bytes, marked undefined as they are drawn.
struct PoisonRng(StdRng);

impl TryRng for PoisonRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.0.next_u32())
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.0.next_u64())
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.0.fill_bytes(dst);
        poison(dst);
        Ok(())
    }
}

impl TryCryptoRng for PoisonRng {}

/// Secret bytes: undefined from the start.
fn secret_bytes(bytes: &[u8]) -> Vec<u8> {
    let v = bytes.to_vec();
    poison(v.as_slice());
    v
}

/// A secret string: its bytes are undefined after UTF-8 was checked.
fn secret(text: &str) -> String {
    let s = text.to_string();
    poison(s.as_bytes());
    s
}

thread_local! {
    /// The last TC(S) start the crate declassified, for `seeds`.
    static TC_S_START: Cell<u32> = const { Cell::new(0) };
}

fn hook(label: &'static str, ptr: *mut u8, len: usize) {
    unpoison_raw(ptr.cast_const(), len);
    if label == "TC(S) start" && len == 4 {
        // SAFETY: the crate passes the address and size of a live u32.
        let start = unsafe { ptr.cast::<u32>().read_unaligned() };
        TC_S_START.with(|c| c.set(start));
    }
}

pub fn main() -> i32 {
    cognito_srp6a::set_declassify_hook(hook);
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("seeds") => seeds(args.get(1).and_then(|n| n.parse().ok()).unwrap_or(4)),
        Some("callgrind") => {
            let seed = args
                .get(1)
                .and_then(|n| n.parse().ok())
                .expect("callgrind SEED");
            let (password, mut rng) = device_secrets(seed);
            let (signature, _) = device_response(&password, &mut rng);
            println!("seed {seed}: signature {signature}");
            0
        }
        Some(mode @ ("gate" | "controls")) => {
            if !running_on_valgrind() {
                eprintln!(
                    "ct_gate {mode} must run under valgrind's memcheck: use scripts/ct-check"
                );
                return 2;
            }
            if mode == "gate" { gate() } else { controls() }
        }
        _ => {
            eprintln!("usage: ct_gate gate | controls | callgrind SEED | seeds N");
            2
        }
    }
}

/// Runs `f` and reports how many memcheck errors it caused.
fn step(name: &str, f: impl FnOnce()) -> usize {
    let before = error_count();
    f();
    let found = error_count() - before;
    println!(
        "{name}: {}",
        if found == 0 {
            "clean".to_string()
        } else {
            format!("{found} finding(s)")
        }
    );
    found
}

fn gate() -> i32 {
    let mut rng = PoisonRng(StdRng::seed_from_u64(1));
    let now = Timestamp::from_unix_seconds(NOW).unwrap();
    let mut findings = 0;

    findings += step("verifier from password and salt (x, v = g^x)", || {
        let password = secret("kR+yT5epOn8KOcNlEykBJEAYfvpTe6PFXpTlz1A5m4uxL7blEx7D5w==");
        let config = DeviceSecretVerifierConfig::from_parts(
            "-Xy12AbCd",
            "us-west-2_0f1e",
            &password,
            &[0x9a; 16],
        );
        assert!(config.password_verifier().len() > 500);
    });

    let registration = DeviceRegistration::generate("-Xy12AbCd", "us-west-2_0f1e", &mut rng);
    findings += step(
        "device sign-in and service (a, A, x, u, S, TC(S), HKDF, signature; b, B, S, comparison)",
        || {
            let config = &registration.device_secret_verifier_config;
            let record = VerifierRecord::from_confirm_device(
                "-Xy12AbCd",
                "us-west-2_0f1e",
                config.password_verifier(),
                config.salt(),
            )
            .unwrap();
            // As the README builds it: the generated password's bytes, still undefined.
            let password = registration.device_password.as_bytes();
            for tamper in [false, true] {
                let device = RememberedDevice {
                    device_group_key: "-Xy12AbCd",
                    device_key: "us-west-2_0f1e",
                    device_password: password,
                };
                let sign_in = device.start_sign_in(&mut rng).unwrap();
                let issued = record
                    .issue_challenge(sign_in.srp_a().as_str(), "alice", &mut rng)
                    .unwrap();
                let params = issued.parameters().to_map();
                let challenge = DevicePasswordVerifierChallenge::from_parameters(&params).unwrap();
                let mut response = sign_in
                    .respond(&challenge, now)
                    .unwrap()
                    .parameters()
                    .to_map();
                if tamper {
                    response.insert(
                        "PASSWORD_CLAIM_SIGNATURE".into(),
                        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into(),
                    );
                }
                assert_eq!(issued.verify(&response, now, 300).is_ok(), !tamper);
            }
        },
    );

    findings += step(
        "user sign-in and service (password, a, x, S, signature; b, S, comparison)",
        || {
            let password = secret("correct horse battery staple");
            let record = VerifierRecord::for_user_password(
                "us-east-1_AbC123",
                "7f3a9c2e",
                &password,
                "3e389bd7",
            )
            .unwrap();
            let sign_in = User::new("us-east-1_AbC123", "alice", &password)
                .unwrap()
                .start_sign_in(&mut rng)
                .unwrap();
            let issued = record
                .issue_challenge(sign_in.srp_a().as_str(), "7f3a9c2e", &mut rng)
                .unwrap();
            let params = issued.parameters().to_map();
            let challenge = PasswordVerifierChallenge::from_parameters(&params).unwrap();
            let response = sign_in
                .respond(&challenge, now)
                .unwrap()
                .parameters()
                .to_map();
            assert!(issued.verify(&response, now, 300).is_ok());
        },
    );

    findings += step(
        "test-exponent constructors (caller-given a and b, refused when zero)",
        || {
            let password = secret("kR+yT5epOn8KOcNlEykBJEAYfvpTe6PFXpTlz1A5m4uxL7blEx7D5w==");
            let config = &registration.device_secret_verifier_config;
            let record = VerifierRecord::from_confirm_device(
                "-Xy12AbCd",
                "us-west-2_0f1e",
                config.password_verifier(),
                config.salt(),
            )
            .unwrap();
            let device = RememberedDevice {
                device_group_key: "-Xy12AbCd",
                device_key: "us-west-2_0f1e",
                device_password: password.as_bytes(),
            };
            let user = User::new("us-east-1_AbC123", "alice", &password).unwrap();
            for bytes in [[0u8; 32], [0x5a; 32]] {
                let a = secret_bytes(&bytes);
                let b = secret_bytes(&bytes);
                let zero = bytes == [0; 32];
                let sign_in = device.start_sign_in_with_test_exponent(&a);
                assert_eq!(sign_in.is_err(), zero);
                assert_eq!(user.start_sign_in_with_test_exponent(&a).is_err(), zero);
                let srp_a = match &sign_in {
                    Ok(sign_in) => sign_in.srp_a().as_str().to_string(),
                    Err(_) => "2".to_string(),
                };
                let issued = record.issue_challenge_with_test_values(&srp_a, "alice", &b, b"blk");
                assert_eq!(issued.is_err(), zero);
            }
        },
    );

    findings += step("SECRET_HASH (client secret)", || {
        let client_secret = secret("s3cr3t-client-secret-value-0123456789abcdefghij");
        let client = AppClient::new("3n4b5urk1ft4fl3mg5e62d9ado", &client_secret);
        let hash = SecretHash::new(&client, "7f3a9c2e");
        assert_eq!(hash.as_str().len(), 44);
    });

    println!("gate: {findings} finding(s)");
    i32::from(findings != 0)
}

/// Leaky on purpose: each must be flagged, or the gate is blind.
fn controls() -> i32 {
    use crypto_bigint::{
        Odd, U256,
        modular::{FixedMontyForm, FixedMontyParams},
    };
    let mut blind = Vec::new();
    let mut exponent = [0u8; 32];
    StdRng::seed_from_u64(2).fill_bytes(&mut exponent);
    let exponent = U256::from_be_slice(&exponent);
    poison(&exponent);
    let found = step(
        "control: crypto-bigint pow_vartime on a secret exponent",
        || {
            let modulus = Odd::new(U256::from_u64(0xffff_ffff_0000_0001)).unwrap();
            let params = FixedMontyParams::new_vartime(modulus);
            let r = FixedMontyForm::new(&U256::from_u8(3), &params)
                .pow_vartime(&exponent)
                .retrieve();
            unpoison(&r);
            std::hint::black_box(r);
        },
    );
    if found == 0 {
        blind.push("pow_vartime");
    }
    let mac = secret("the expected signature, secret until compared");
    let claimed = "the expected signature, public guess";
    let found = step("control: early-exit comparison of a secret", || {
        std::hint::black_box(early_exit_eq(mac.as_bytes(), claimed.as_bytes()));
    });
    if found == 0 {
        blind.push("early-exit comparison");
    }
    if blind.is_empty() {
        println!("controls: every control flagged");
    } else {
        println!("controls: NOT flagged: {}", blind.join(", "));
    }
    // The findings make valgrind exit non-zero; this says whether each control bit.
    if blind.is_empty() { 0 } else { 3 }
}

#[inline(never)]
fn early_exit_eq(a: &[u8], b: &[u8]) -> bool {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return false;
        }
    }
    a.len() == b.len()
}

/// A device password and a ready RNG for the secret exponent, from `seed`.
fn device_secrets(seed: u64) -> (String, StdRng) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut pw = [0u8; 40];
    rng.fill_bytes(&mut pw);
    use base64ct::{Base64, Encoding};
    (Base64::encode_string(&pw), rng)
}

/// The challenge's fixed `SRP_B`.
const SRP_B: &str =
    "5c5df301f1b7182f836b98b7abdc2c2466f29243eff16eb94f37fed55a61e3a7c7d5a44b0ca9ed1d";

/// The whole device response, public inputs fixed: only a and the password vary. Returns the
/// signature and `SRP_A`.
#[inline(never)]
fn device_response(password: &str, rng: &mut StdRng) -> (String, String) {
    let device = RememberedDevice {
        device_group_key: "-Xy12AbCd",
        device_key: "us-west-2_0f1e",
        device_password: password.as_bytes(),
    };
    let sign_in = device.start_sign_in(rng).unwrap();
    let srp_a = sign_in.srp_a().as_str().to_string();
    let challenge = DevicePasswordVerifierChallenge::new(
        "alice",
        SRP_B,
        "3e389bd71bfc3dabb45cd8e683da7ef4",
        "pyvhhlVcTihVm4EPfP9Y+EU47y8SVNuOCZtmwCke6qlX9vgPGqtKjvTuMixW",
    )
    .unwrap();
    let now = Timestamp::from_unix_seconds(NOW).unwrap();
    let signature = sign_in
        .respond(&challenge, now)
        .unwrap()
        .password_claim_signature
        .as_str()
        .to_string();
    (signature, srp_a)
}

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Seeds whose secret-derived lengths are all the same, so their instruction counts must be:
/// `SRP_A` of 768 hex digits with its top bit set (TC(A) 385 bytes), u with its top bit set (TC(u)
/// 33 bytes), and TC(S) of 385 bytes. A and u are public and the TC(S) length is the protocol's one
/// allowed leak (`docs/protocol.md`: S enters in TC form); everything else about a and the password
/// must not show.
fn seeds(n: usize) -> i32 {
    use sha2::{Digest, Sha256};
    let mut found = 0;
    for seed in 1.. {
        let (password, mut rng) = device_secrets(seed);
        let (_, srp_a) = device_response(&password, &mut rng);
        let a_ok = srp_a.len() == 768 && srp_a.as_bytes()[0] >= b'8';
        // Odd-length hex is not an A we want anyway; only hash when the lengths fit.
        let u_top = a_ok && {
            let u = Sha256::new()
                .chain_update([0u8])
                .chain_update(hex_bytes(&srp_a))
                .chain_update(hex_bytes(SRP_B))
                .finalize();
            u[0] >= 0x80
        };
        if u_top && TC_S_START.with(Cell::get) == 0 {
            println!("{seed}");
            found += 1;
            if found == n {
                break;
            }
        }
    }
    0
}

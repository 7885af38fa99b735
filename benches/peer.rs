//! A whole Amazon Cognito device sign-in on the client, this crate against the peer crate
//! `aws-cognito-srp` 0.2.6 (crates.io, variable-time `num-bigint` 0.4), measured in the same run
//! so that the ratio, not the absolute time, is the result.
//!
//! A sign-in is (a) a new `ConfirmDevice` verifier for a random device password and salt,
//! (b) `DEVICE_SRP_AUTH` with a freshly drawn ephemeral (`SRP_A`), and (c) the
//! `DEVICE_PASSWORD_VERIFIER` answer (`PASSWORD_CLAIM_SIGNATURE`) to a valid challenge for that
//! device and that A. The challenge comes from this crate's service side
//! (`VerifierRecord::issue_challenge`) and is never timed. Both crates draw from `rand::rng()`
//! (the peer takes no RNG) and sign at the current time (the peer reads the clock itself and
//! takes no timestamp), so ours reads it too, with `Timestamp::now`.
//!
//! Each group holds `<group>/cognito-srp6a` and `<group>/aws-cognito-srp`:
//!
//! - `device_confirm_and_srp_auth`: (a) and (b). Ours: `DeviceRegistration::generate`,
//!   `RememberedDevice::start_sign_in`, `DeviceSignIn::device_srp_auth`. The peer:
//!   `SrpClient::new(UntrackedDevice::new(..), ..).get_password_verifier()`,
//!   `take_credentials().into_tracked(&password)`, `SrpClient::new(tracked, ..)` (which draws
//!   a) and `get_auth_parameters()`.
//! - `device_password_verifier`: (c). The untimed `iter_batched` setup starts a sign-in for a
//!   device registered beforehand and has the service issue the challenge for its A. Timed: ours
//!   `DevicePasswordVerifierChallenge::new`, `Timestamp::now`, `DeviceSignIn::respond`; the
//!   peer `SrpClient::<TrackedDevice>::verify(SECRET_BLOCK, SALT, SRP_B)`.
//! - `device_sign_in`: (a), (b) and (c) for a new device each time, with `iter_custom`: the
//!   client's parts are timed with `Instant` and summed; the service's work between them
//!   (`VerifierRecord::from_confirm_device`, `issue_challenge`) is not.
//!
//! The work differs where the peer chose so: its secret exponent has 1024 bits (ours 256),
//! its `verify` computes A = g^a again instead of keeping it, and it compiles a regex for each
//! `TIMESTAMP`.
//!
//! Before timing, the service's `IssuedChallenge::verify` must accept each crate's answer for
//! its own new device and for the other crate's (the peer signing with our device password
//! against our verifier, and ours with the peer's), and refuse the peer's signature under
//! another `TIMESTAMP`.
//!
//! Run with `cargo bench --bench peer` (under a minute on two cores: 20 samples, 1 s warm-up
//! and 3 s measurement per benchmark, flat sampling as one sign-in takes milliseconds).
//! Criterion prints each median; the ratio of the aws-cognito-srp time to the cognito-srp6a
//! time is above 1 where this crate is faster.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a benchmark: a refused answer should stop it loudly"
)]

use std::{
    hint::black_box,
    time::{Duration, Instant},
};

use aws_cognito_srp::{
    DeviceAuthenticationParameters, PasswordVerifierParameters, SrpClient, TrackedDevice,
    UntrackedDevice, VerificationParameters,
};
use cognito_srp6a::{
    DevicePasswordVerifierChallenge, DevicePasswordVerifierResponse, DeviceRegistration,
    DeviceSignIn, Error, IssuedChallenge, RememberedDevice, Timestamp, VerifierRecord, bench,
};
use criterion::{
    BatchSize, BenchmarkGroup, Criterion, SamplingMode, criterion_group, measurement::WallTime,
};

const CRATE: &str = "cognito-srp6a";
const PEER: &str = "aws-cognito-srp";

// The peer's devices carry a pool id and its clients an app client id; neither enters the math.
const POOL_ID: &str = "us-east-1_a1b2c3d4";
const CLIENT_ID: &str = "3n4b5urk1ft4fl3mg5e62d9ado";
const DEVICE_GROUP_KEY: &str = "-J7NR9Yb3";
const DEVICE_KEY: &str = "us-east-1_a1b2c3d4-5e6f-4a0b-8c9d-0e1f2a3b4c5d";
const USERNAME: &str = "7f3a9c2e-1b4d-4e6f-8a0b-9c8d7e6f5a4b";
const MAX_CLOCK_SKEW_SECS: u32 = 300;

// ---------------------------------------------------------------------------------------------
// The service side: this crate's, for both clients.
// ---------------------------------------------------------------------------------------------

/// The `DEVICE_PASSWORD_VERIFIER` challenge parameters as the client receives them.
struct Challenge {
    srp_b: String,
    salt: String,
    secret_block: String,
}

/// What `ConfirmDevice` stores for a `DeviceSecretVerifierConfig`.
fn record(password_verifier: &str, salt: &str) -> VerifierRecord {
    VerifierRecord::from_confirm_device(DEVICE_GROUP_KEY, DEVICE_KEY, password_verifier, salt)
        .expect("the service reads the DeviceSecretVerifierConfig")
}

/// The challenge that answers `DEVICE_SRP_AUTH` with `srp_a`.
fn issue(record: &VerifierRecord, srp_a: &str) -> (IssuedChallenge, Challenge) {
    let issued = record
        .issue_challenge(srp_a, USERNAME, &mut rand::rng())
        .unwrap();
    let parameters = issued.parameters();
    let get = |name| String::from(parameters.get(name).unwrap());
    let challenge = Challenge {
        srp_b: get("SRP_B"),
        salt: get("SALT"),
        secret_block: get("SECRET_BLOCK"),
    };
    (issued, challenge)
}

// ---------------------------------------------------------------------------------------------
// The two clients, each doing (a), (b) and (c).
// ---------------------------------------------------------------------------------------------

fn ours_register() -> DeviceRegistration {
    DeviceRegistration::generate(DEVICE_GROUP_KEY, DEVICE_KEY, &mut rand::rng())
}

fn ours_start(device_password: &[u8]) -> DeviceSignIn<'_> {
    let device = RememberedDevice {
        device_group_key: DEVICE_GROUP_KEY,
        device_key: DEVICE_KEY,
        device_password,
    };
    let sign_in = device.start_sign_in(&mut rand::rng()).unwrap();
    black_box(sign_in.device_srp_auth(USERNAME));
    sign_in
}

fn ours_answer<'c>(
    sign_in: DeviceSignIn<'c>,
    challenge: &'c Challenge,
) -> DevicePasswordVerifierResponse<'c> {
    let parsed = DevicePasswordVerifierChallenge::new(
        USERNAME,
        &challenge.srp_b,
        &challenge.salt,
        &challenge.secret_block,
    )
    .unwrap();
    sign_in.respond(&parsed, Timestamp::now().unwrap()).unwrap()
}

fn peer_register() -> PasswordVerifierParameters {
    let device = UntrackedDevice::new(POOL_ID, DEVICE_GROUP_KEY, DEVICE_KEY);
    SrpClient::new(device, CLIENT_ID, None).get_password_verifier()
}

fn peer_start(device_password: &str) -> (SrpClient<TrackedDevice>, DeviceAuthenticationParameters) {
    let device = TrackedDevice::new(POOL_ID, DEVICE_GROUP_KEY, DEVICE_KEY, device_password);
    let client = SrpClient::new(device, CLIENT_ID, None);
    let auth = client.get_auth_parameters();
    (client, auth)
}

fn peer_answer(client: &SrpClient<TrackedDevice>, challenge: &Challenge) -> VerificationParameters {
    client
        .verify(&challenge.secret_block, &challenge.salt, &challenge.srp_b)
        .unwrap()
}

/// The peer's answer as `ChallengeResponses`: it returns only the three values it computes.
fn peer_responses(answer: &VerificationParameters) -> [(&str, &str); 5] {
    [
        ("USERNAME", USERNAME),
        (
            "PASSWORD_CLAIM_SECRET_BLOCK",
            &answer.password_claim_secret_block,
        ),
        ("TIMESTAMP", &answer.timestamp),
        ("PASSWORD_CLAIM_SIGNATURE", &answer.password_claim_signature),
        ("DEVICE_KEY", DEVICE_KEY),
    ]
}

// ---------------------------------------------------------------------------------------------
// Before timing: the service accepts both answers.
// ---------------------------------------------------------------------------------------------

fn check_answers() {
    let now = || Timestamp::now().unwrap();
    for _ in 0..8 {
        let ours = ours_register();
        let ours_config = &ours.device_secret_verifier_config;
        let ours_record = record(ours_config.password_verifier(), ours_config.salt());
        let peer = peer_register();
        let peer_record = record(&peer.verifier, &peer.salt);

        // Each crate for its own device, then for the other's.
        for (record, password) in [
            (&ours_record, ours.device_password.as_str()),
            (&peer_record, peer.password.as_str()),
        ] {
            let sign_in = ours_start(password.as_bytes());
            let (issued, challenge) = issue(record, sign_in.srp_a().as_str());
            let response = ours_answer(sign_in, &challenge).parameters().to_map();
            issued
                .verify(&response, now(), MAX_CLOCK_SKEW_SECS)
                .expect("the service accepts cognito-srp6a's answer");

            let (client, auth) = peer_start(password);
            let (issued, challenge) = issue(record, &auth.a);
            let answer = peer_answer(&client, &challenge);
            issued
                .verify(peer_responses(&answer), now(), MAX_CLOCK_SKEW_SECS)
                .expect("the service accepts aws-cognito-srp's answer");
        }
    }

    // A control: the peer's signature under another TIMESTAMP is refused.
    let peer = peer_register();
    let (client, auth) = peer_start(&peer.password);
    let (issued, challenge) = issue(&record(&peer.verifier, &peer.salt), &auth.a);
    let mut answer = peer_answer(&client, &challenge);
    let earlier = Timestamp::from_unix_seconds(
        Timestamp::parse(&answer.timestamp).unwrap().unix_seconds() - 1,
    );
    answer.timestamp = earlier.unwrap().as_str().into();
    assert_eq!(
        issued.verify(peer_responses(&answer), now(), MAX_CLOCK_SKEW_SECS),
        Err(Error::NotAuthorized)
    );
}

// ---------------------------------------------------------------------------------------------
// Benchmarks.
// ---------------------------------------------------------------------------------------------

fn group<'c>(c: &'c mut Criterion, name: &str) -> BenchmarkGroup<'c, WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sampling_mode(SamplingMode::Flat);
    g
}

/// (a) and (b): the `ConfirmDevice` verifier, then `SRP_A`.
fn device_confirm_and_srp_auth(c: &mut Criterion) {
    let mut g = group(c, "device_confirm_and_srp_auth");
    g.bench_function(CRATE, |b| {
        b.iter(|| {
            let registration = ours_register();
            black_box(&registration.device_secret_verifier_config);
            black_box(&ours_start(registration.device_password.as_bytes()));
        })
    });
    g.bench_function(PEER, |b| {
        b.iter(|| {
            let registration = peer_register();
            black_box(&registration.verifier);
            black_box(&peer_start(&registration.password));
        })
    });
    g.finish();
}

/// (c): the `DEVICE_PASSWORD_VERIFIER` answer; the sign-in and the challenge are made untimed.
fn device_password_verifier(c: &mut Criterion) {
    let ours = ours_register();
    let ours_config = &ours.device_secret_verifier_config;
    let ours_record = record(ours_config.password_verifier(), ours_config.salt());
    let peer = peer_register();
    let peer_record = record(&peer.verifier, &peer.salt);

    let mut g = group(c, "device_password_verifier");
    g.bench_function(CRATE, |b| {
        b.iter_batched(
            || {
                let sign_in = ours_start(ours.device_password.as_bytes());
                let (_, challenge) = issue(&ours_record, sign_in.srp_a().as_str());
                (sign_in, challenge)
            },
            |(sign_in, challenge)| {
                ours_answer(sign_in, black_box(&challenge)).password_claim_signature
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function(PEER, |b| {
        b.iter_batched(
            || {
                let (client, auth) = peer_start(&peer.password);
                let (_, challenge) = issue(&peer_record, &auth.a);
                (client, challenge)
            },
            |(client, challenge)| peer_answer(&client, black_box(&challenge)),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

/// (a), (b) and (c) for a new device with this crate: the client's time, the service's
/// challenge left out.
fn ours_sign_in() -> Duration {
    let started = Instant::now();
    let registration = ours_register();
    let sign_in = ours_start(registration.device_password.as_bytes());
    let mut client = started.elapsed();

    let config = &registration.device_secret_verifier_config;
    let record = record(config.password_verifier(), config.salt());
    let (_, challenge) = issue(&record, sign_in.srp_a().as_str());

    let started = Instant::now();
    black_box(&ours_answer(sign_in, black_box(&challenge)).password_claim_signature);
    drop(registration);
    client += started.elapsed();
    client
}

/// The same with the peer.
fn peer_sign_in() -> Duration {
    let started = Instant::now();
    let registration = peer_register();
    let (device, auth) = peer_start(&registration.password);
    let mut client = started.elapsed();

    let record = record(&registration.verifier, &registration.salt);
    let (_, challenge) = issue(&record, &auth.a);

    let started = Instant::now();
    black_box(&peer_answer(&device, black_box(&challenge)));
    drop((registration, device, auth));
    client += started.elapsed();
    client
}

/// (a), (b) and (c) for a new device, the service's challenge left out of the time.
fn device_sign_in(c: &mut Criterion) {
    let mut g = group(c, "device_sign_in");
    g.bench_function(CRATE, |b| {
        b.iter_custom(|iters| (0..iters).map(|_| ours_sign_in()).sum())
    });
    g.bench_function(PEER, |b| {
        b.iter_custom(|iters| (0..iters).map(|_| peer_sign_in()).sum())
    });
    g.finish();
}

/// Whole sign-ins in interleaved rounds: in each round, five with this crate on the IFMA
/// kernel (where it runs), five on the scalar kernel, five with the peer, and each round gives
/// its ratios. The medians and the spread over the rounds are printed: the machine's drift
/// lands on every side of a round alike, where criterion's groups, a minute apart, do not.
fn paired() {
    const ROUNDS: usize = 40;
    const CALLS: u32 = 5;
    let ifma = bench::ifma_kernel_runs();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    println!(
        "device_sign_in paired: {cpu}; IFMA kernel {}",
        if ifma { "runs" } else { "not available" }
    );
    let time = |f: &dyn Fn() -> Duration| {
        (0..CALLS).map(|_| f()).sum::<Duration>().as_secs_f64() * 1e3 / f64::from(CALLS)
    };
    let rounds: Vec<[f64; 3]> = (0..ROUNDS)
        .map(|_| {
            let best = if ifma { time(&ours_sign_in) } else { f64::NAN };
            bench::use_scalar_kernel(true);
            let scalar = time(&ours_sign_in);
            bench::use_scalar_kernel(false);
            let peer = time(&peer_sign_in);
            [best, scalar, peer]
        })
        .collect();
    let report = |name: &str, ratio: &dyn Fn(&[f64; 3]) -> f64| {
        let mut r: Vec<f64> = rounds.iter().map(ratio).collect();
        r.sort_by(f64::total_cmp);
        println!(
            "  {name}: median {:.2}x (quartiles {:.2} to {:.2}, range {:.2} to {:.2}, {ROUNDS} rounds)",
            r[ROUNDS / 2],
            r[ROUNDS / 4],
            r[3 * ROUNDS / 4],
            r[0],
            r[ROUNDS - 1]
        );
    };
    let median_ms = |i: usize| {
        let mut v: Vec<f64> = rounds.iter().map(|r| r[i]).collect();
        v.sort_by(f64::total_cmp);
        v[ROUNDS / 2]
    };
    println!(
        "  per sign-in, medians: {CRATE} IFMA {:.2} ms, {CRATE} scalar {:.2} ms, {PEER} {:.2} ms",
        median_ms(0),
        median_ms(1),
        median_ms(2)
    );
    if ifma {
        report(&format!("{PEER} / {CRATE} IFMA"), &|r| r[2] / r[0]);
        report(&format!("{CRATE} scalar / {CRATE} IFMA"), &|r| r[1] / r[0]);
    }
    report(&format!("{PEER} / {CRATE} scalar"), &|r| r[2] / r[1]);
}

fn all(c: &mut Criterion) {
    check_answers();
    device_confirm_and_srp_auth(c);
    device_password_verifier(c);
    device_sign_in(c);
}

criterion_group!(benches, all);

/// With `PEER_BENCH_SIGN_INS=ours` (or `peer`) and a count in `PEER_BENCH_COUNT` (default 5),
/// only that many sign-ins of that side run, untimed: for `scripts/peer-instructions`, which
/// counts their instructions under callgrind.
fn main() {
    if let Ok(side) = std::env::var("PEER_BENCH_SIGN_INS") {
        let count: u32 = std::env::var("PEER_BENCH_COUNT").map_or(5, |n| n.parse().unwrap());
        for _ in 0..count {
            match side.as_str() {
                "ours" => black_box(ours_sign_in()),
                "peer" => black_box(peer_sign_in()),
                other => panic!("PEER_BENCH_SIGN_INS: ours or peer, not {other}"),
            };
        }
        return;
    }
    benches();
    paired();
    Criterion::default().configure_from_args().final_summary();
}

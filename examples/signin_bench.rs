//! N whole device sign-ins, as a device does them, timed:
//!
//! ```text
//! cargo run --release --example signin_bench -- [N]     # N defaults to 100
//! ```
//!
//! Each sign-in is a new device: `DeviceRegistration::generate` (a random password and salt,
//! the `ConfirmDevice` verifier), then `DEVICE_SRP_AUTH` with the default ephemeral (SRP_A),
//! then the `DEVICE_PASSWORD_VERIFIER` answer to a valid challenge. The challenge comes from
//! this crate's service side, which also checks every answer; the service's time (B, then S and
//! the proof check) is measured apart and printed before the last line, which counts only the
//! device's work:
//!
//! ```text
//! N device sign-ins in X ms
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark")]

use cognito_srp6a::{
    DevicePasswordVerifierChallenge, DeviceRegistration, RememberedDevice, Timestamp,
    VerifierRecord,
};
use std::time::{Duration, Instant};

const DEVICE_GROUP_KEY: &str = "-J7NR9Yb3";
const DEVICE_KEY: &str = "us-east-1_a1b2c3d4-5e6f-4a0b-8c9d-0e1f2a3b4c5d";
const USERNAME: &str = "7f3a9c2e-1b4d-4e6f-8a0b-9c8d7e6f5a4b";

fn main() {
    let count: u32 = match std::env::args().nth(1) {
        None => 100,
        Some(arg) => arg.parse().expect("N: a whole number of sign-ins"),
    };
    let mut rng = rand::rng();
    let now = Timestamp::from_unix_seconds(1_767_225_600).unwrap();
    let (mut device, mut service) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..count {
        let started = Instant::now();
        let registration = DeviceRegistration::generate(DEVICE_GROUP_KEY, DEVICE_KEY, &mut rng);
        let remembered = RememberedDevice {
            device_group_key: DEVICE_GROUP_KEY,
            device_key: DEVICE_KEY,
            device_password: registration.device_password.as_bytes(),
        };
        let pending = remembered.start_sign_in(&mut rng).unwrap();
        device += started.elapsed();

        let started = Instant::now();
        let config = &registration.device_secret_verifier_config;
        let record = VerifierRecord::from_confirm_device(
            DEVICE_GROUP_KEY,
            DEVICE_KEY,
            config.password_verifier(),
            config.salt(),
        )
        .unwrap();
        let issued = record
            .issue_challenge(pending.srp_a().as_str(), USERNAME, &mut rng)
            .unwrap();
        service += started.elapsed();

        let parameters = issued.parameters().to_map();
        let started = Instant::now();
        let challenge = DevicePasswordVerifierChallenge::from_parameters(&parameters).unwrap();
        let response = pending
            .respond(&challenge, now)
            .unwrap()
            .parameters()
            .to_map();
        device += started.elapsed();

        let started = Instant::now();
        issued
            .verify(&response, now, 300)
            .expect("the service accepts the answer");
        service += started.elapsed();
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "service side (ConfirmDevice record, B, S and the proof check): {count} in {:.1} ms",
        ms(service)
    );
    println!("{count} device sign-ins in {:.1} ms", ms(device));
}

//! Offline "remember this device": registers a device (the `ConfirmDevice` request) and answers a
//! `DEVICE_SRP_AUTH` / `DEVICE_PASSWORD_VERIFIER` exchange, printing the wire parameters.
//!
//! The challenge comes from a vector that amazon-cognito-identity-js answered
//! (`vectors/amazon-cognito-identity-js.json`), so the answer is checked against the real
//! client's signature.
//!
//! `cargo run --release --example device_flow`

// Test and example code may index and unwrap: a panic there is a failed check, not bad input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use cognito_srp6a::{
    DevicePasswordVerifierChallenge, DeviceRegistration, RememberedDevice, Timestamp,
};
use serde_json::{Value, json};
use std::{process::ExitCode, time::Instant};

const VECTORS: &str = include_str!("../vectors/amazon-cognito-identity-js.json");

fn main() -> ExitCode {
    let started = Instant::now();
    let mut rng = rand::rng();

    // 1. After a sign-in returns NewDeviceMetadata, the app registers the device.
    let group_key = "-Xy12AbCd";
    let device_key = "us-west-2_0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
    let registration = DeviceRegistration::generate(group_key, device_key, &mut rng);
    let config = &registration.device_secret_verifier_config;
    print_json(
        "ConfirmDevice request",
        &json!({
            "AccessToken": "<redacted>",
            "DeviceKey": device_key,
            "DeviceName": "cognito-srp6a device_flow example",
            "DeviceSecretVerifierConfig": {
                "PasswordVerifier": config.password_verifier(),
                "Salt": config.salt(),
            },
        }),
    );
    println!(
        "device password: <kept by the app, {} characters>",
        registration.device_password.as_str().len()
    );

    // 2. A later sign-in with the remembered device, against a challenge the JS client answered.
    let vectors: Value = match serde_json::from_str(VECTORS) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("cannot read the committed vectors: {e}");
            return ExitCode::FAILURE;
        }
    };
    let case = &vectors["device"][0];
    let s = |k: &str| case[k].as_str().unwrap_or_default();
    let a: Vec<u8> = hex_bytes(s("a_hex"));
    let device = RememberedDevice {
        device_group_key: s("device_group_key"),
        device_key: s("device_key"),
        device_password: s("device_password"),
    };
    let result = (|| -> Result<String, cognito_srp6a::Error> {
        // The vector's fixed exponent stands in for `device.start_sign_in(&mut rng)`.
        let sign_in = device.start_sign_in_with_test_exponent(&a)?;
        let username = "7f3a9c2e-1b4d-4e6f-8a0b-9c8d7e6f5a4b";
        let auth = sign_in.device_srp_auth(username);
        print_json(
            "RespondToAuthChallenge DEVICE_SRP_AUTH",
            &challenge_request("DEVICE_SRP_AUTH", auth.parameters().iter()),
        );
        let challenge = DevicePasswordVerifierChallenge::new(
            username,
            s("SRP_B"),
            s("SALT"),
            s("SECRET_BLOCK"),
        )?;
        let response = sign_in.respond(&challenge, Timestamp::parse(s("TIMESTAMP"))?)?;
        print_json(
            "RespondToAuthChallenge DEVICE_PASSWORD_VERIFIER",
            &challenge_request("DEVICE_PASSWORD_VERIFIER", response.parameters().iter()),
        );
        Ok(response.password_claim_signature.as_str().to_string())
    })();
    match result {
        Ok(sig) if sig == s("PASSWORD_CLAIM_SIGNATURE") => {
            println!(
                "OK: device registered and DEVICE_PASSWORD_VERIFIER answered; signature matches amazon-cognito-identity-js ({:.1} ms)",
                started.elapsed().as_secs_f64() * 1e3
            );
            ExitCode::SUCCESS
        }
        Ok(sig) => {
            eprintln!(
                "FAILED: signature {sig} differs from the JS client's {}",
                s("PASSWORD_CLAIM_SIGNATURE")
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}

fn challenge_request<'a>(
    name: &str,
    params: impl Iterator<Item = (&'static str, &'a str)>,
) -> Value {
    let responses: serde_json::Map<String, Value> = params
        .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
        .collect();
    json!({ "ChallengeName": name, "ClientId": "<client id>", "Session": "<session>", "ChallengeResponses": responses })
}

fn print_json(title: &str, value: &Value) {
    println!("--- {title}");
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

fn hex_bytes(s: &str) -> Vec<u8> {
    let padded = if s.len() % 2 == 1 {
        format!("0{s}")
    } else {
        s.to_string()
    };
    (0..padded.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(&padded[i..i + 2], 16).ok())
        .collect()
}

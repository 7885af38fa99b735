//! The walk-through the AWS CLI documentation (docs/aws-documents.md, `aws cognito-idp
//! confirm-device`) implies and this tool completes, with the pinned AWS CLI from PyPI
//! (`tests/awscli/setup.sh`) against an in-process emulator: `login` without a device,
//! `device-verifier` for the `NewDeviceMetadata` it printed, `aws cognito-idp confirm-device
//! --device-secret-verifier-config PasswordVerifier=...,Salt=...` exactly as the reference
//! writes it, then `login --device-file` through the device challenges. Fails, never skips,
//! without the AWS CLI.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use cognito_srp6a_test_support::{
    aws_cli::{self, CliRun},
    jwt::claims,
};
use common::*;
use serde_json::Value;

/// `cognito-srp6a device-verifier` for a sign-in's NewDeviceMetadata: (stdout, the file).
async fn device_verifier(metadata: &Value, file: &str, format: &str) -> String {
    let args: Vec<String> = [
        "device-verifier",
        "--device-group-key",
        metadata["DeviceGroupKey"].as_str().unwrap(),
        "--device-key",
        metadata["DeviceKey"].as_str().unwrap(),
        "--device-file",
        file,
        "--output",
        format,
    ]
    .iter()
    .map(|arg| arg.to_string())
    .collect();
    let output = run_async(args, String::new(), Vec::new()).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    text(&output.stdout)
}

/// `aws cognito-idp confirm-device` as the reference writes it, with `config` as printed.
async fn confirm_device(url: &str, answer: &Value, config: &str) -> CliRun {
    let result = &answer["AuthenticationResult"];
    aws_cli::cognito_idp(
        url,
        "confirm-device",
        &[
            "--access-token",
            result["AccessToken"].as_str().unwrap(),
            "--device-key",
            result["NewDeviceMetadata"]["DeviceKey"].as_str().unwrap(),
            "--device-secret-verifier-config",
            config,
        ],
    )
    .await
}

/// The second sign-in goes through the device the AWS CLI confirmed.
async fn assert_device_sign_in(emulator: &cognito_srp6a_emulator::RunningEmulator, file: &str) {
    let device = device_file(std::path::Path::new(file));
    let output = login(emulator, PASSWORD, &["--device-file", file, "--verbose"]).await;
    let answer = success_json(&output);
    assert_eq!(
        text(&output.stderr),
        "region: us-east-1\nchallenges: PASSWORD_VERIFIER DEVICE_SRP_AUTH DEVICE_PASSWORD_VERIFIER\n"
    );
    assert!(
        answer["AuthenticationResult"]
            .get("NewDeviceMetadata")
            .is_none()
    );
    let access = claims(
        answer["AuthenticationResult"]["AccessToken"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(access["device_key"], device["DeviceKey"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_aws_cli_confirms_the_device_with_the_printed_shorthand() {
    let version = aws_cli::run(vec!["--version".into()]).await;
    assert_eq!(version.status, Some(0), "{}", version.stderr);
    let emulator = start(builder()).await;
    let url = emulator.url();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("alice.device.json");
    let file = file.to_str().unwrap();

    // 1. Sign in without a device: the answer carries NewDeviceMetadata.
    let answer = success_json(&login(&emulator, PASSWORD, &[]).await);
    let metadata = &answer["AuthenticationResult"]["NewDeviceMetadata"];
    assert!(
        metadata["DeviceKey"]
            .as_str()
            .unwrap()
            .starts_with("us-east-1_")
    );

    // 2. The verifier config for it, as the shorthand. TC(salt) is 16 or 17 bytes (a 00 in
    //    front when the top bit is set), so its base64 nearly always ends in `==` or `=`: the
    //    AWS CLI's shorthand parser must take `=` inside a value. (One run in 256 the first
    //    random byte is zero and TC drops it: 15 bytes, no padding, as the real clients do.)
    let shorthand = device_verifier(metadata, file, "shorthand").await;
    let shorthand = shorthand.strip_suffix('\n').unwrap();
    assert!(shorthand.starts_with("PasswordVerifier="), "{shorthand}");
    assert!(shorthand.contains(",Salt="), "{shorthand}");

    // 3. aws cognito-idp confirm-device ... --device-secret-verifier-config <shorthand>.
    let confirmed = confirm_device(&url, &answer, shorthand).await;
    assert_eq!(
        confirmed.status,
        Some(0),
        "{} stderr: {}",
        confirmed.stdout,
        confirmed.stderr
    );
    let reply: Value = serde_json::from_str(&confirmed.stdout).unwrap();
    assert_eq!(
        reply,
        serde_json::json!({ "UserConfirmationNecessary": false })
    );

    // 4. The device signs in: the verifier and the salt reached the service byte for byte, or
    //    its check of the device proof would fail.
    assert_device_sign_in(&emulator, file).await;

    // The JSON form, for the next device of the same user: the reference's other syntax.
    let answer = success_json(&login(&emulator, PASSWORD, &[]).await);
    let metadata = &answer["AuthenticationResult"]["NewDeviceMetadata"];
    let second = dir.path().join("second.device.json");
    let second = second.to_str().unwrap();
    let json = device_verifier(metadata, second, "json").await;
    let confirmed = confirm_device(&url, &answer, &json).await;
    assert_eq!(confirmed.status, Some(0), "{}", confirmed.stderr);
    assert_device_sign_in(&emulator, second).await;
    emulator.shutdown().await;
}

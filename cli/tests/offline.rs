//! The subcommands that make no call: `device-verifier` (the device file, mode 0600, never
//! overwritten, and the printed config the service will check proofs against), `secret-hash`
//! (the core's value), `validate` (the committed vectors pass, an altered copy fails), and a
//! worked example in every subcommand's `--help`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use cognito_srp6a::{
    AppClient, DevicePasswordVerifierChallenge, RememberedDevice, Timestamp, VerifierRecord,
};
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const GROUP: &str = "-Xy12AbCd";
const KEY: &str = "us-east-1_0f1e2d3c-4b5a-6c7d-8e9f-0a1b2c3d4e5f";

/// A device sign-in with the file's password, checked by the service side against what
/// `ConfirmDevice` would have stored from the printed config.
fn assert_verifier_matches(device: &Value, verifier: &str, salt: &str) {
    let record = VerifierRecord::from_confirm_device(GROUP, KEY, verifier, salt).unwrap();
    let remembered = RememberedDevice {
        device_group_key: device["DeviceGroupKey"].as_str().unwrap(),
        device_key: device["DeviceKey"].as_str().unwrap(),
        device_password: device["DevicePassword"].as_str().unwrap().as_bytes(),
    };
    let mut rng = rand::rng();
    let sign_in = remembered.start_sign_in(&mut rng).unwrap();
    let issued = record
        .issue_challenge(sign_in.srp_a().as_str(), "alice", &mut rng)
        .unwrap();
    let parameters = issued.parameters().to_map();
    let challenge = DevicePasswordVerifierChallenge::from_parameters(&parameters).unwrap();
    let now = Timestamp::now().unwrap();
    let response = sign_in
        .respond(&challenge, now)
        .unwrap()
        .parameters()
        .to_map();
    issued.verify(&response, now, 300).unwrap();
}

fn device_verifier(path: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "device-verifier",
        "--device-group-key",
        GROUP,
        "--device-key",
        KEY,
        "--device-file",
        path.to_str().unwrap(),
    ];
    args.extend(extra);
    run(&args, "", &[])
}

#[test]
fn device_verifier_prints_the_shorthand_and_writes_a_0600_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.json");
    let output = device_verifier(&path, &[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(output.stderr.is_empty());
    let stdout = text(&output.stdout);
    // Exactly one line, `PasswordVerifier=<base64>,Salt=<base64>`.
    let line = stdout.strip_suffix('\n').unwrap();
    assert!(!line.contains('\n'));
    let (verifier, salt) = line
        .strip_prefix("PasswordVerifier=")
        .and_then(|rest| rest.split_once(",Salt="))
        .unwrap();
    let base64 = |value: &str| {
        value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
    };
    assert!(base64(verifier) && verifier.len() >= 512, "{verifier}");
    // TC of 16 random bytes: 16 or 17 bytes, 24 characters with padding, which the AWS CLI's
    // shorthand must take (tests/awscli.rs); shorter when the first random byte is zero (one
    // run in 256), as the real clients make it (docs/protocol.md).
    assert!(
        base64(salt) && salt.len() <= 24 && salt.len().is_multiple_of(4),
        "{salt}"
    );

    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);
    let device = device_file(&path);
    assert_eq!(device["DeviceGroupKey"], GROUP);
    assert_eq!(device["DeviceKey"], KEY);
    assert!(!stdout.contains(device["DevicePassword"].as_str().unwrap()));
    assert_verifier_matches(&device, verifier, salt);
}

#[test]
fn device_verifier_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.json");
    std::fs::write(&path, "anything at all").unwrap();
    let output = device_verifier(&path, &[]);
    assert_eq!(output.status.code(), Some(255));
    assert!(output.stdout.is_empty());
    assert_eq!(
        text(&output.stderr),
        format!(
            "DeviceFileError: {} exists; refusing to overwrite it (it may hold a remembered device)\n",
            path.display()
        )
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "anything at all");

    // A second run over its own file: the same.
    let fresh = dir.path().join("fresh.json");
    assert!(device_verifier(&fresh, &[]).status.success());
    let before = std::fs::read(&fresh).unwrap();
    let again = device_verifier(&fresh, &[]);
    assert_eq!(again.status.code(), Some(255));
    assert!(again.stdout.is_empty());
    assert_eq!(std::fs::read(&fresh).unwrap(), before);

    // A directory that is not there: nothing printed, nothing left.
    let nowhere = dir.path().join("missing").join("device.json");
    let output = device_verifier(&nowhere, &[]);
    assert_eq!(output.status.code(), Some(255));
    assert!(output.stdout.is_empty());
    assert!(text(&output.stderr).starts_with("DeviceFileError: cannot create "));
}

#[test]
fn device_verifier_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.json");
    let output = device_verifier(&path, &["--output", "json"]);
    let config = success_json(&output);
    let keys: Vec<&str> = config
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["PasswordVerifier", "Salt"]);
    assert!(text(&output.stdout).starts_with("{\n    \"PasswordVerifier\": \""));
    let device = device_file(&path);
    assert_verifier_matches(
        &device,
        config["PasswordVerifier"].as_str().unwrap(),
        config["Salt"].as_str().unwrap(),
    );
}

#[test]
fn device_verifier_query_and_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.json");
    let output = device_verifier(&path, &["--output", "text"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let (verifier, salt) = stdout.strip_suffix('\n').unwrap().split_once('\t').unwrap();
    assert_verifier_matches(&device_file(&path), verifier, salt);

    let other = dir.path().join("other.json");
    let output = device_verifier(&other, &["--output", "text", "--query", "Salt"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let salt = text(&output.stdout);
    let salt = salt.strip_suffix('\n').unwrap();
    assert!(salt.len() <= 24 && salt.len().is_multiple_of(4), "{salt:?}");

    // A query on the shorthand is a usage error, refused before any file is made.
    let refused = dir.path().join("refused.json");
    let output = device_verifier(&refused, &["--query", "Salt"]);
    assert_eq!(output.status.code(), Some(252));
    assert!(output.stdout.is_empty());
    assert!(!refused.exists());
}

#[test]
fn secret_hash_is_the_cores() {
    const SECRET: &str = "1example23456789secret1example23456789secret12";
    let output = run(
        &[
            "secret-hash",
            "--client-id",
            CLIENT,
            "--client-secret-env",
            "CLI_TEST_SECRET",
            "--username",
            "alice@example.com",
        ],
        "",
        &[("CLI_TEST_SECRET", SECRET)],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let expected = AppClient::new(CLIENT, SECRET).secret_hash("alice@example.com");
    assert_eq!(text(&output.stdout), format!("{}\n", expected.as_str()));
    assert_no_secret(&output, &[SECRET]);

    let unset = run(
        &[
            "secret-hash",
            "--client-id",
            CLIENT,
            "--client-secret-env",
            "CLI_TEST_SECRET_UNSET",
            "--username",
            "alice",
        ],
        "",
        &[],
    );
    assert_eq!(unset.status.code(), Some(252));
    assert_eq!(
        text(&unset.stderr),
        "InvalidArguments: the environment variable CLI_TEST_SECRET_UNSET is not set\n"
    );
}

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors")
}

/// Cases in the known sections of a vector file.
fn count_cases(path: &Path) -> usize {
    let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    ["device", "user", "invalid", "secret_hash", "timestamp"]
        .iter()
        .filter_map(|section| doc.get(section).and_then(Value::as_array))
        .map(Vec::len)
        .sum()
}

#[test]
fn validate_passes_the_committed_vectors() {
    let files = [
        vectors().join("amazon-cognito-identity-js.json"),
        vectors().join("pycognito.json"),
    ];
    let cases: usize = files.iter().map(|file| count_cases(file)).sum();
    assert!(cases > 200, "{cases}");
    let args: Vec<&str> = std::iter::once("validate")
        .chain(files.iter().map(|file| file.to_str().unwrap()))
        .collect();
    let output = run(&args, "", &[]);
    assert!(output.status.success(), "{}", text(&output.stdout));
    assert_eq!(text(&output.stdout), format!("{cases} passed, 0 failed\n"));
}

#[test]
fn validate_fails_an_altered_copy() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc: Value =
        serde_json::from_slice(&std::fs::read(vectors().join("pycognito.json")).unwrap()).unwrap();
    let case = &mut doc["device"][3];
    let signature = case["PASSWORD_CLAIM_SIGNATURE"]
        .as_str()
        .unwrap()
        .to_string();
    let first = if signature.starts_with('B') { "C" } else { "B" };
    case["PASSWORD_CLAIM_SIGNATURE"] = Value::String(format!("{first}{}", &signature[1..]));
    let name = case["case"].as_str().unwrap().to_string();
    let altered = dir.path().join("altered.json");
    std::fs::write(
        &altered,
        serde_json::to_vec(&serde_json::json!({ "device": [doc["device"][3].clone()] })).unwrap(),
    )
    .unwrap();
    let file = altered.to_str().unwrap();
    let output = run(&["validate", file], "", &[]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].starts_with(&format!(
            "FAIL {file}: device[0] {name}: PASSWORD_CLAIM_SIGNATURE: expected "
        )),
        "{stdout}"
    );
    assert_eq!(lines[1], "0 passed, 1 failed");

    // A file that cannot be read, and one with no known section: failures too.
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, "{}").unwrap();
    let missing = dir.path().join("missing.json");
    let output = run(
        &[
            "validate",
            empty.to_str().unwrap(),
            missing.to_str().unwrap(),
        ],
        "",
        &[],
    );
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    assert!(
        stdout.starts_with(&format!(
            "{}: no cases in any known section\n{}: cannot read: ",
            empty.display(),
            missing.display()
        )),
        "{stdout}"
    );
    assert!(stdout.ends_with("\n0 passed, 0 failed\n"), "{stdout}");
}

#[test]
fn every_subcommand_help_has_a_worked_example() {
    for subcommand in ["login", "device-verifier", "secret-hash", "validate"] {
        let output = run(&[subcommand, "--help"], "", &[]);
        assert!(output.status.success(), "{subcommand}");
        let help = text(&output.stdout);
        assert!(help.contains("Example"), "{subcommand}: {help}");
        assert!(
            help.contains(&format!("cognito-srp6a {subcommand} ")),
            "{subcommand}: {help}"
        );
    }
}

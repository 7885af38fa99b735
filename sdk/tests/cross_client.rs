//! Remembered devices across clients, against one in-process emulator per test: a device this
//! crate registers (`sign_in`, then `remember_device`) signs in from pycognito 2024.5.1's
//! `AWSSRP` over boto3, and a device pycognito registers (`authenticate_user`,
//! `generate_hash_device`, boto3 `ConfirmDevice`) signs in through this crate's `sign_in`,
//! by `DEVICE_SRP_AUTH` and `DEVICE_PASSWORD_VERIFIER`. The device crosses over as the device
//! file's JSON object, `{"DeviceGroupKey", "DeviceKey", "DevicePassword"}`.
//!
//! pycognito runs from `emulator/interop/.venv` (`bash emulator/interop/setup.sh` installs
//! it); the tests fail, never skip, when it is missing. The helper is
//! `tests/pycognito_device.py`; its secrets go through the environment and stdin, never argv.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use aws_sdk_cognitoidentityprovider::{
    Client, Config,
    config::{BehaviorVersion, Credentials, Region, retry::RetryConfig},
};
use base64::Engine as _;
use cognito_srp6a_emulator::Emulator;
use cognito_srp6a_sdk::{CognitoSrpClient, SignIn, SignedIn, StoredDevice};
use serde_json::{Value, json};
use std::{
    io::{Read, Write},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

const POOL_ID: &str = "us-east-1_CrossClient";
const CLIENT_ID: &str = "5k2n8qcm4ptlqb0ue7ocbvvv7c";
const USERNAME: &str = "alice";
/// Not ASCII, so both clients' UTF-8 handling of the password meets.
const PASSWORD: &str = "correct horse battery staple \u{2713} \u{fc}n\u{ef}c\u{f8}d\u{e9}";
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(120);
const SETUP_HINT: &str = "run `bash emulator/interop/setup.sh` from the repository root first: \
                          it installs the pinned pycognito and boto3 into emulator/interop/.venv";

/// pycognito's device sign-in, as its boto3 client saw it.
const PYCOGNITO_DEVICE_SIGN_IN: [&str; 4] = [
    "InitiateAuth USER_SRP_AUTH -> PASSWORD_VERIFIER",
    "RespondToAuthChallenge PASSWORD_VERIFIER -> DEVICE_SRP_AUTH",
    "RespondToAuthChallenge DEVICE_SRP_AUTH -> DEVICE_PASSWORD_VERIFIER",
    "RespondToAuthChallenge DEVICE_PASSWORD_VERIFIER -> AuthenticationResult",
];

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../emulator/interop")
}

/// The venv's interpreter; panics with the setup command when it is not there.
fn python() -> PathBuf {
    let python = interop_dir().join(".venv/bin/python");
    assert!(
        python.is_file(),
        "{} is missing: {SETUP_HINT}",
        python.display()
    );
    python
}

/// The pycognito version `requirements.txt` pins.
fn pinned_pycognito() -> String {
    let path = interop_dir().join("requirements.txt");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}: {SETUP_HINT}", path.display()));
    text.lines()
        .find_map(|line| line.trim().strip_prefix("pycognito=="))
        .unwrap_or_else(|| panic!("no pycognito== pin in {}", path.display()))
        .trim()
        .to_owned()
}

/// Runs `tests/pycognito_device.py` in `mode` against the emulator at `url`, with `stdin`
/// written to its standard input; panics unless it exits 0 within [`SCRIPT_TIMEOUT`], and
/// returns its last stdout line as JSON.
fn run_pycognito(mode: &str, url: &str, stdin: Option<&str>) -> Value {
    let python = python();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pycognito_device.py");
    let mut command = Command::new(&python);
    command.arg(&script).current_dir(interop_dir());
    // None of the caller's AWS setup (profiles, endpoints, keys) may reach boto3.
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("AWS_") {
            command.env_remove(&name);
        }
    }
    command
        .env("MODE", mode)
        .env("COGNITO_ENDPOINT", url)
        .env("POOL_ID", POOL_ID)
        .env("CLIENT_ID", CLIENT_ID)
        .env("USERNAME", USERNAME)
        .env("PASSWORD", PASSWORD)
        .env("PYCOGNITO_VERSION", pinned_pycognito())
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUTF8", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {} ({e}): {SETUP_HINT}", python.display()));
    {
        let mut pipe = child.stdin.take().unwrap();
        if let Some(input) = stdin {
            pipe.write_all(input.as_bytes()).unwrap();
        }
        // Dropped here: the script reads to end of file.
    }
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + SCRIPT_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "pycognito_device.py {mode} timed out after {SCRIPT_TIMEOUT:?}\n--- stderr ---\n{}",
                stderr.join().unwrap()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());
    assert!(
        status.success(),
        "pycognito_device.py {mode} failed ({status}) against {url} (if the client is \
         missing or stale: {SETUP_HINT})\n--- stderr ---\n{stderr}"
    );
    let last = stdout
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| {
        panic!("pycognito_device.py {mode}: the last stdout line is not JSON ({e})\n{stderr}")
    })
}

/// [`run_pycognito`] off the async runtime.
async fn pycognito(mode: &'static str, url: &str, stdin: Option<String>) -> Value {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || run_pycognito(mode, &url, stdin.as_deref()))
        .await
        .unwrap()
}

/// This crate's client for the emulator at `url`: dummy credentials, no retries.
fn srp_client(url: &str) -> CognitoSrpClient {
    let config = Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(url)
        .credentials_provider(Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "cross_client",
        ))
        .retry_config(RetryConfig::disabled())
        .build();
    CognitoSrpClient::new(Client::from_conf(config), POOL_ID, CLIENT_ID).unwrap()
}

/// A JWT's claims, unverified (the emulator's tests check its signatures).
fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT has three parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn signed_in(sign_in: SignIn) -> SignedIn {
    match sign_in {
        SignIn::SignedIn(signed_in) => signed_in,
        other => panic!("expected tokens, got {other:?}"),
    }
}

/// The device file's JSON object for `device`, written field by field.
fn device_file(device: &StoredDevice) -> Value {
    json!({
        "DeviceGroupKey": device.device_group_key,
        "DeviceKey": device.device_key,
        "DevicePassword": device.device_password,
    })
}

/// A `StoredDevice` from the device file's JSON object, read field by field; with the
/// `serde` feature, serde's reading must agree.
fn stored_device(file: &Value) -> StoredDevice {
    let object = file.as_object().expect("the device file is a JSON object");
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["DeviceGroupKey", "DeviceKey", "DevicePassword"],
        "device file members"
    );
    let field = |name: &str| {
        file[name]
            .as_str()
            .filter(|value| !value.is_empty())
            .unwrap_or_else(|| panic!("device file: {name} is not a non-empty string"))
            .to_owned()
    };
    let device = StoredDevice {
        device_group_key: field("DeviceGroupKey"),
        device_key: field("DeviceKey"),
        device_password: field("DevicePassword"),
    };
    #[cfg(feature = "serde")]
    {
        let by_serde: StoredDevice = serde_json::from_value(file.clone()).unwrap();
        assert_eq!(by_serde, device, "serde reads the device file differently");
        // Compared without printing: the values include the device password.
        assert!(
            serde_json::to_value(&device).unwrap() == *file,
            "serde writes the device file differently"
        );
    }
    device
}

/// Both directions against one emulator.
async fn both_ways(device_only_remembered_on_user_prompt: bool) {
    let emulator = Emulator::builder()
        .pool_id(POOL_ID)
        .client_id(CLIENT_ID)
        .user(USERNAME, PASSWORD)
        .device_only_remembered_on_user_prompt(device_only_remembered_on_user_prompt)
        .start()
        .await
        .expect("the emulator starts");
    let url = emulator.url();
    let client = srp_client(&url);

    // (a) This crate registers a device; pycognito signs in with it.
    let first = signed_in(client.sign_in(USERNAME, PASSWORD).send().await.unwrap());
    assert_eq!(first.challenges, ["PASSWORD_VERIFIER"]);
    let metadata = first
        .new_device_metadata
        .as_ref()
        .expect("a first sign-in is issued NewDeviceMetadata");
    let ours = client
        .remember_device(&first.tokens.access_token, metadata)
        .device_name("cognito-srp6a-sdk")
        .send()
        .await
        .unwrap();
    assert_eq!(ours.device_key, metadata.device_key);
    assert_eq!(ours.device_group_key, metadata.device_group_key);
    let file = device_file(&ours);
    assert_eq!(stored_device(&file), ours, "the device file round trip");

    let theirs_sign_in = pycognito("sign-in", &url, Some(file.to_string())).await;
    assert_eq!(
        theirs_sign_in["trace"],
        json!(PYCOGNITO_DEVICE_SIGN_IN),
        "pycognito's sign-in with this crate's device: {theirs_sign_in}"
    );
    assert_eq!(
        theirs_sign_in["access_token_claims"]["device_key"],
        ours.device_key.as_str(),
        "{theirs_sign_in}"
    );
    assert_eq!(
        theirs_sign_in["access_token_claims"]["token_use"], "access",
        "{theirs_sign_in}"
    );
    assert_eq!(
        theirs_sign_in["access_token_claims"]["username"], USERNAME,
        "{theirs_sign_in}"
    );
    assert_eq!(
        theirs_sign_in["new_device_metadata"], false,
        "a known device was issued a new key: {theirs_sign_in}"
    );

    // (b) pycognito registers a device; this crate signs in with it.
    let registered = pycognito("register", &url, None).await;
    let theirs = stored_device(&registered);
    assert_ne!(theirs.device_key, ours.device_key, "a second device");
    assert_eq!(
        theirs.device_group_key, ours.device_group_key,
        "one DeviceGroupKey per user"
    );
    let with_theirs = signed_in(
        client
            .sign_in(USERNAME, PASSWORD)
            .device(&theirs)
            .send()
            .await
            .unwrap(),
    );
    assert_eq!(
        with_theirs.challenges,
        [
            "PASSWORD_VERIFIER",
            "DEVICE_SRP_AUTH",
            "DEVICE_PASSWORD_VERIFIER"
        ]
    );
    assert!(with_theirs.new_device_metadata.is_none());
    assert!(!with_theirs.device_forgotten);
    assert_eq!(with_theirs.username, USERNAME);
    let access = claims(&with_theirs.tokens.access_token);
    assert_eq!(access["device_key"], theirs.device_key.as_str(), "{access}");
    assert_eq!(access["token_use"], "access", "{access}");

    // Both are remembered devices of the user, whoever registered them.
    let listed: Vec<String> = client
        .list_devices(&with_theirs.tokens.access_token)
        .await
        .unwrap()
        .iter()
        .filter_map(|device| device.device_key().map(str::to_owned))
        .collect();
    assert!(listed.contains(&ours.device_key), "{listed:?}");
    assert!(listed.contains(&theirs.device_key), "{listed:?}");

    // And this crate's own device still works from here after pycognito used it.
    let with_ours = signed_in(
        client
            .sign_in(USERNAME, PASSWORD)
            .device(&ours)
            .send()
            .await
            .unwrap(),
    );
    assert_eq!(
        with_ours.challenges,
        [
            "PASSWORD_VERIFIER",
            "DEVICE_SRP_AUTH",
            "DEVICE_PASSWORD_VERIFIER"
        ]
    );
    assert_eq!(
        claims(&with_ours.tokens.access_token)["device_key"],
        ours.device_key.as_str()
    );
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn devices_cross_between_this_crate_and_pycognito() {
    both_ways(false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn devices_cross_when_the_pool_remembers_on_user_prompt() {
    both_ways(true).await;
}

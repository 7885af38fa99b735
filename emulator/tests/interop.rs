//! Live interop tests: the emulator against two real, pinned Cognito clients.
//!
//! Each test starts an emulator in-process on a free port, runs one script from
//! `emulator/interop/` against it and checks the one-line JSON summary the script prints
//! last, then asks the emulator itself (admin API) whether the devices ended up as the
//! client left them:
//!
//! - `pycognito_device.py`: pycognito 2024.5.1's `AWSSRP` over boto3 (`endpoint_url`),
//!   pinned with every transitive dependency in `interop/requirements.txt`;
//! - `identity_js_device.js`: npm `amazon-cognito-identity-js` 6.3.21
//!   (`interop/package.json` + `package-lock.json`) with `endpoint` set on the pool.
//!
//! Both walk the device life cycle: first sign-in with `NewDeviceMetadata`, `ConfirmDevice`,
//! sign-in through `DEVICE_SRP_AUTH` / `DEVICE_PASSWORD_VERIFIER` with `device_key` in
//! the access token, a wrong device password (`NotAuthorizedException`), and a forgotten
//! device (`ResourceNotFoundException` "Device does not exist."). The scripts document
//! their steps at their top.
//!
//! The clients are installed by `bash emulator/interop/setup.sh` into
//! `emulator/interop/.venv` and `emulator/interop/node_modules`; without them these
//! tests panic (they never skip).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cognito_srp6a_emulator::{Emulator, RunningEmulator};
use serde_json::{Value, json};

const POOL_ID: &str = "us-east-1_Interop";
const CLIENT_ID: &str = "4i0pdqcm2ptlqb0ue7ocbvvv5a";
const CLIENT_SECRET: &str = "1example23456789secret0abcdefghijklmnopqrstuvwxyz12";
const USERNAME: &str = "alice";
// Non-ASCII on purpose: both clients hash the password as UTF-8.
const PASSWORD: &str = "correct horse battery staple \u{2713} \u{fc}n\u{ef}c\u{f8}d\u{e9}";
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(180);
const SETUP_HINT: &str = "run `bash emulator/interop/setup.sh` from the repository root first: it installs the \
     pinned pycognito/boto3 into emulator/interop/.venv and amazon-cognito-identity-js into \
     emulator/interop/node_modules";

/// The successful device sign-in, as both scripts record it.
const DEVICE_SIGN_IN: [&str; 4] = [
    "InitiateAuth USER_SRP_AUTH -> PASSWORD_VERIFIER",
    "RespondToAuthChallenge PASSWORD_VERIFIER -> DEVICE_SRP_AUTH",
    "RespondToAuthChallenge DEVICE_SRP_AUTH -> DEVICE_PASSWORD_VERIFIER",
    "RespondToAuthChallenge DEVICE_PASSWORD_VERIFIER -> AuthenticationResult",
];

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("interop")
}

/// The version pinned for `name` in `interop/requirements.txt`.
fn pinned_python(name: &str) -> String {
    let path = interop_dir().join("requirements.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter_map(|line| line.split_once("=="))
        .find(|(package, _)| package.trim().eq_ignore_ascii_case(name))
        .map_or_else(
            || panic!("{name} is not pinned in {}", path.display()),
            |(_, version)| version.trim().to_owned(),
        )
}

/// The version pinned for `name` in `interop/package.json`.
fn pinned_npm(name: &str) -> String {
    let path = interop_dir().join("package.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let manifest: Value = serde_json::from_str(&text).unwrap();
    manifest["dependencies"][name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} is not pinned in {}", path.display()))
        .to_owned()
}

fn python() -> PathBuf {
    let python = interop_dir().join(".venv/bin/python");
    assert!(
        python.is_file(),
        "{} is missing: {SETUP_HINT}",
        python.display()
    );
    python
}

fn check_node_modules() {
    let manifest = interop_dir().join("node_modules/amazon-cognito-identity-js/package.json");
    let Ok(text) = std::fs::read_to_string(&manifest) else {
        panic!("{} is missing: {SETUP_HINT}", manifest.display());
    };
    let installed: Value = serde_json::from_str(&text).unwrap();
    let pinned = pinned_npm("amazon-cognito-identity-js");
    assert!(
        installed["version"] == pinned.as_str(),
        "node_modules has amazon-cognito-identity-js {} but package.json pins {pinned}: {SETUP_HINT}",
        installed["version"]
    );
}

/// Which pool to start and what the script is told about it.
#[derive(Clone, Copy, Default)]
struct Pool {
    client_secret: bool,
    device_only_remembered_on_user_prompt: bool,
}

async fn start(pool: Pool) -> RunningEmulator {
    let mut builder = Emulator::builder()
        .pool_id(POOL_ID)
        .client_id(CLIENT_ID)
        .user(USERNAME, PASSWORD)
        .challenge_required_on_new_device(false)
        .device_only_remembered_on_user_prompt(pool.device_only_remembered_on_user_prompt);
    if pool.client_secret {
        builder = builder.client_secret(CLIENT_SECRET);
    }
    builder.start().await.expect("the emulator starts")
}

/// Runs `program script` from `interop/` against the emulator at `url`; panics with the
/// script's output unless it exits 0, and returns its last stdout line as JSON.
async fn run_script(program: PathBuf, script: &'static str, url: String, pool: Pool) -> Value {
    tokio::task::spawn_blocking(move || {
        let mut command = Command::new(&program);
        command.arg(script).current_dir(interop_dir());
        // Nothing of the caller's AWS setup may leak in (profiles, endpoints, keys).
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("AWS_") {
                command.env_remove(&name);
            }
        }
        command
            .env("COGNITO_ENDPOINT", &url)
            .env("POOL_ID", POOL_ID)
            .env("CLIENT_ID", CLIENT_ID)
            .env("USERNAME", USERNAME)
            .env("PASSWORD", PASSWORD)
            .env(
                "DEVICE_ONLY_REMEMBERED_ON_USER_PROMPT",
                pool.device_only_remembered_on_user_prompt.to_string(),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env("no_proxy", "127.0.0.1,localhost")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PYTHONUTF8", "1");
        if pool.client_secret {
            command.env("CLIENT_SECRET", CLIENT_SECRET);
        } else {
            command.env_remove("CLIENT_SECRET");
        }
        let (status, stdout, stderr) = run_with_timeout(command, SCRIPT_TIMEOUT)
            .unwrap_or_else(|e| panic!("{} {script}: {e}", program.display()));
        assert!(
            status == Some(0),
            "{script} failed (exit status {status:?}) against {url} (if the clients are \
             missing or stale: {SETUP_HINT})\n--- stderr ---\n{stderr}\n--- stdout ---\n{stdout}"
        );
        let last = stdout
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default();
        serde_json::from_str(last).unwrap_or_else(|e| {
            panic!("{script}: last stdout line is not JSON ({e}): {last:?}\n{stderr}")
        })
    })
    .await
    .unwrap()
}

/// Spawns `command`, kills it after `timeout`; returns its exit code (None when killed
/// or signalled), stdout and stderr.
fn run_with_timeout(
    mut command: Command,
    timeout: Duration,
) -> Result<(Option<i32>, String, String), String> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start: {e} ({SETUP_HINT}; node must be on PATH)"))?;
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status.code();
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            let (out, err) = (stdout.join().unwrap(), stderr.join().unwrap());
            return Err(format!(
                "timed out after {timeout:?}\n--- stderr ---\n{err}\n--- stdout ---\n{out}"
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Ok((status, stdout.join().unwrap(), stderr.join().unwrap()))
}

/// One call of the emulator's admin API; returns the HTTP status and the JSON body.
async fn admin(url: &str, operation: &str, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{url}/"))
        .header("Content-Type", "application/x-amz-json-1.1")
        .header(
            "X-Amz-Target",
            format!("AWSCognitoIdentityProviderService.{operation}"),
        )
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn admin_get_device(url: &str, device_key: &str) -> (u16, Value) {
    admin(
        url,
        "AdminGetDevice",
        json!({"UserPoolId": POOL_ID, "Username": USERNAME, "DeviceKey": device_key}),
    )
    .await
}

/// The keys `AdminListDevices` gives for the user.
async fn device_keys(url: &str) -> Vec<String> {
    let (status, body) = admin(
        url,
        "AdminListDevices",
        json!({"UserPoolId": POOL_ID, "Username": USERNAME}),
    )
    .await;
    assert_eq!(status, 200, "AdminListDevices: {body}");
    body["Devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|device| device["DeviceKey"].as_str().unwrap().to_owned())
        .collect()
}

/// What both clients must have seen; returns the device key.
fn check_device_flow(summary: &Value, pool: Pool) -> String {
    assert_eq!(summary["ok"], true, "{summary}");
    let device_key = summary["device_key"]
        .as_str()
        .expect("device_key")
        .to_owned();
    assert!(
        device_key.starts_with("us-east-1_"),
        "device key {device_key}"
    );
    assert!(
        summary["device_group_key"]
            .as_str()
            .is_some_and(|k| !k.is_empty()),
        "{summary}"
    );
    assert_eq!(
        summary["user_confirmation_necessary"], pool.device_only_remembered_on_user_prompt,
        "ConfirmDevice's UserConfirmationNecessary: {summary}"
    );

    assert_eq!(
        summary["traces"]["device_sign_in"],
        json!(DEVICE_SIGN_IN),
        "{summary}"
    );
    for challenge in [
        "PASSWORD_VERIFIER",
        "DEVICE_SRP_AUTH",
        "DEVICE_PASSWORD_VERIFIER",
    ] {
        assert!(
            summary["challenges_seen"]
                .as_array()
                .unwrap()
                .contains(&json!(challenge)),
            "{challenge} not seen: {summary}"
        );
    }
    let claims = &summary["access_token_claims"];
    assert_eq!(claims["device_key"], device_key.as_str(), "{summary}");
    assert_eq!(claims["token_use"], "access", "{summary}");
    assert_eq!(claims["client_id"], CLIENT_ID, "{summary}");
    assert_eq!(claims["username"], USERNAME, "{summary}");

    let wrong = &summary["errors"]["wrong_device_password"];
    assert_eq!(wrong["code"], "NotAuthorizedException", "{summary}");
    assert_eq!(
        wrong["step"], "RespondToAuthChallenge DEVICE_PASSWORD_VERIFIER",
        "{summary}"
    );

    let forgotten = &summary["errors"]["forgotten_device"];
    assert_eq!(forgotten["code"], "ResourceNotFoundException", "{summary}");
    assert_eq!(forgotten["message"], "Device does not exist.", "{summary}");
    assert_eq!(
        forgotten["step"], "RespondToAuthChallenge PASSWORD_VERIFIER",
        "{summary}"
    );
    device_key
}

async fn pycognito(pool: Pool) {
    let python = python();
    let emulator = start(pool).await;
    let url = emulator.url();
    let summary = run_script(python, "pycognito_device.py", url.clone(), pool).await;

    assert_eq!(
        summary["client"],
        format!("pycognito {}", pinned_python("pycognito")),
        "{summary}"
    );
    assert_eq!(summary["boto3"], pinned_python("boto3"), "{summary}");
    assert_eq!(
        summary["device_only_remembered_on_user_prompt"],
        pool.device_only_remembered_on_user_prompt,
        "DescribeUserPool: {summary}"
    );
    let device_key = check_device_flow(&summary, pool);
    assert_eq!(
        summary["traces"]["confirm_device"],
        json!(["ConfirmDevice (requests.post) -> 200"]),
        "{summary}"
    );
    // Refresh tokens are bound to the device: pycognito's renew_access_token (no
    // DEVICE_KEY) is refused, a refresh with it works, and none after ForgetDevice.
    assert_eq!(
        summary["errors"]["refresh_without_device_key"]["code"], "NotAuthorizedException",
        "{summary}"
    );
    assert_eq!(
        summary["traces"]["refresh_with_device_key"],
        json!(["InitiateAuth REFRESH_TOKEN_AUTH -> AuthenticationResult"]),
        "{summary}"
    );
    assert_eq!(
        summary["refreshed_access_token_device_key"],
        device_key.as_str(),
        "{summary}"
    );
    assert_eq!(
        summary["errors"]["refresh_after_forget"]["code"], "NotAuthorizedException",
        "{summary}"
    );
    if pool.client_secret {
        // pycognito's DEVICE_SRP_AUTH answer has no SECRET_HASH (aws_srp.py, authenticate_user).
        let refused = &summary["errors"]["device_srp_without_secret_hash"];
        assert_eq!(refused["code"], "NotAuthorizedException", "{summary}");
        assert_eq!(
            refused["step"], "RespondToAuthChallenge DEVICE_SRP_AUTH",
            "{summary}"
        );
    } else {
        assert!(
            summary["errors"]
                .get("device_srp_without_secret_hash")
                .is_none(),
            "{summary}"
        );
    }

    // ForgetDevice really removed it.
    let (status, body) = admin_get_device(&url, &device_key).await;
    assert_eq!(
        status, 400,
        "AdminGetDevice of the forgotten device: {body}"
    );
    assert_eq!(body["__type"], "ResourceNotFoundException", "{body}");
    assert!(!device_keys(&url).await.contains(&device_key));
    emulator.shutdown().await;
}

async fn identity_js(pool: Pool) {
    check_node_modules();
    let emulator = start(pool).await;
    let url = emulator.url();
    let summary = run_script(
        PathBuf::from("node"),
        "identity_js_device.js",
        url.clone(),
        pool,
    )
    .await;

    assert_eq!(
        summary["client"],
        format!(
            "amazon-cognito-identity-js {}",
            pinned_npm("amazon-cognito-identity-js")
        ),
        "{summary}"
    );
    let device_key = check_device_flow(&summary, pool);
    assert_eq!(
        summary["traces"]["device_sign_in_same_user"],
        json!(DEVICE_SIGN_IN),
        "{summary}"
    );
    assert_eq!(
        summary["traces"]["refresh"],
        json!(["InitiateAuth REFRESH_TOKEN_AUTH -> AuthenticationResult"]),
        "{summary}"
    );
    assert_eq!(
        summary["refreshed_access_token_device_key"],
        device_key.as_str(),
        "{summary}"
    );
    let forgotten = &summary["errors"]["forgotten_device"];
    assert_eq!(forgotten["retried_with_device_key_null"], true, "{summary}");
    assert_eq!(
        forgotten["retry_outcome"], "AuthenticationResult+NewDeviceMetadata",
        "{summary}"
    );

    // The library confirmed a new device after the retry; the forgotten one is gone.
    // (ListDevices lists remembered devices only; the new one is not remembered yet when
    // the pool waits for the user's prompt, so AdminGetDevice looks it up.)
    let new_device_key = summary["new_device_key_after_forget"]
        .as_str()
        .expect("a new device")
        .to_owned();
    assert_ne!(new_device_key, device_key);
    let (status, body) = admin_get_device(&url, &new_device_key).await;
    assert_eq!(status, 200, "AdminGetDevice of the new device: {body}");
    assert_eq!(
        body["Device"]["DeviceKey"],
        new_device_key.as_str(),
        "{body}"
    );
    let (status, body) = admin_get_device(&url, &device_key).await;
    assert_eq!(
        status, 400,
        "AdminGetDevice of the forgotten device: {body}"
    );
    assert_eq!(body["__type"], "ResourceNotFoundException", "{body}");
    let devices = device_keys(&url).await;
    assert!(!devices.contains(&device_key), "{devices:?}");
    assert_eq!(
        devices.contains(&new_device_key),
        !pool.device_only_remembered_on_user_prompt,
        "{devices:?}"
    );
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pycognito_device_flow() {
    pycognito(Pool::default()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pycognito_device_flow_with_client_secret() {
    pycognito(Pool {
        client_secret: true,
        ..Pool::default()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pycognito_device_flow_remembered_on_user_prompt() {
    pycognito(Pool {
        device_only_remembered_on_user_prompt: true,
        ..Pool::default()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn identity_js_device_flow() {
    identity_js(Pool::default()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn identity_js_device_flow_remembered_on_user_prompt() {
    identity_js(Pool {
        device_only_remembered_on_user_prompt: true,
        ..Pool::default()
    })
    .await;
}

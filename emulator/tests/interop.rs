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

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;
use std::time::Duration;

use cognito_srp6a_emulator::{Emulator, RunningEmulator};
use cognito_srp6a_test_support::{
    api::{call, listed_devices},
    interop::{
        self, DEVICE_SIGN_IN, Target, assert_pinned_pycognito, node, pinned_npm, pinned_python,
        python,
    },
};
use serde_json::{Value, json};

const POOL_ID: &str = "us-east-1_Interop";
const CLIENT_ID: &str = "4i0pdqcm2ptlqb0ue7ocbvvv5a";
const CLIENT_SECRET: &str = "1example23456789secret0abcdefghijklmnopqrstuvwxyz12";
const USERNAME: &str = "alice";
// Non-ASCII on purpose: both clients hash the password as UTF-8.
const PASSWORD: &str = "correct horse battery staple \u{2713} \u{fc}n\u{ef}c\u{f8}d\u{e9}";
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(180);

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
    let target = Target {
        url: url.clone(),
        pool_id: POOL_ID.into(),
        client_id: CLIENT_ID.into(),
        client_secret: pool.client_secret.then(|| CLIENT_SECRET.into()),
        username: USERNAME.into(),
        password: PASSWORD.into(),
    };
    let mut command = target.command(&program, script);
    command.env(
        "DEVICE_ONLY_REMEMBERED_ON_USER_PROMPT",
        pool.device_only_remembered_on_user_prompt.to_string(),
    );
    let what = format!("{} {script} against {url}", program.display());
    interop::run_script(command, None, what, SCRIPT_TIMEOUT).await
}

async fn admin_get_device(url: &str, device_key: &str) -> (u16, Value) {
    call(
        url,
        "AdminGetDevice",
        json!({"UserPoolId": POOL_ID, "Username": USERNAME, "DeviceKey": device_key}),
    )
    .await
}

/// The emulator knows the device no more: `AdminGetDevice` does not find it and
/// `AdminListDevices` does not list it. Returns the devices listed.
async fn assert_forgotten(url: &str, device_key: &str) -> Vec<String> {
    let (status, body) = admin_get_device(url, device_key).await;
    assert_eq!(
        status, 400,
        "AdminGetDevice of the forgotten device: {body}"
    );
    assert_eq!(body["__type"], "ResourceNotFoundException", "{body}");
    let devices = listed_devices(url, POOL_ID, USERNAME).await;
    assert!(!devices.iter().any(|key| key == device_key), "{devices:?}");
    devices
}

/// The script's trace `name` is one REFRESH_TOKEN_AUTH, and the refreshed access token names
/// `device_key`.
fn assert_refreshed_for(summary: &Value, name: &str, device_key: &str) {
    assert_eq!(
        summary["traces"][name],
        json!(["InitiateAuth REFRESH_TOKEN_AUTH -> AuthenticationResult"]),
        "{summary}"
    );
    assert_eq!(
        summary["refreshed_access_token_device_key"], device_key,
        "{summary}"
    );
}

/// What both clients must have seen; returns the device key.
fn check_device_flow(summary: &Value, pool: Pool) -> String {
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

    assert_pinned_pycognito(&summary);
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
    assert_refreshed_for(&summary, "refresh_with_device_key", &device_key);
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
    assert_forgotten(&url, &device_key).await;
    emulator.shutdown().await;
}

async fn identity_js(pool: Pool) {
    let emulator = start(pool).await;
    let url = emulator.url();
    let summary = run_script(node(), "identity_js_device.js", url.clone(), pool).await;

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
    assert_refreshed_for(&summary, "refresh", &device_key);
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
    let devices = assert_forgotten(&url, &device_key).await;
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

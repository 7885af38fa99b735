//! Remembered devices across clients, against one in-process emulator per test: a device this
//! crate registers (`sign_in`, then `remember_device`) signs in from pycognito 2024.5.1's
//! `AWSSRP` over boto3, and a device pycognito registers (`authenticate_user`,
//! `generate_hash_device`, boto3 `ConfirmDevice`) signs in through this crate's `sign_in`,
//! by `DEVICE_SRP_AUTH` and `DEVICE_PASSWORD_VERIFIER`. The device crosses over as the device
//! file's JSON object, `{"DeviceGroupKey", "DeviceKey", "DevicePassword"}`.
//!
//! pycognito runs from `emulator/interop/.venv` (`bash emulator/interop/setup.sh` installs
//! it); the tests fail, never skip, when it is missing. The helper is
//! `emulator/interop/pycognito_cross_client.py`; its secrets go through the environment and
//! stdin, never argv.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use aws_sdk_cognitoidentityprovider::{Client, config::retry::RetryConfig};
use cognito_srp6a_emulator::Emulator;
use cognito_srp6a_sdk::{CognitoSrpClient, StoredDevice};
use cognito_srp6a_test_support::{
    interop::{self, DEVICE_SIGN_IN, Target, assert_pinned_pycognito, python},
    json::assert_device_file,
    jwt::claims,
    sdk,
};
use common::{DEVICE_CHALLENGES, signed_in};
use serde_json::{Value, json};
use std::time::Duration;

const POOL_ID: &str = "us-east-1_CrossClient";
const CLIENT_ID: &str = "5k2n8qcm4ptlqb0ue7ocbvvv7c";
const USERNAME: &str = "alice";
/// Not ASCII, so both clients' UTF-8 handling of the password meets.
const PASSWORD: &str = "correct horse battery staple \u{2713} \u{fc}n\u{ef}c\u{f8}d\u{e9}";
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(120);
/// Runs `pycognito_cross_client.py` in `mode` against the emulator at `url`, with `stdin`
/// written to its standard input; panics unless it exits 0 within [`SCRIPT_TIMEOUT`] with the
/// pinned pycognito, and returns its summary.
async fn pycognito(mode: &str, url: &str, stdin: Option<String>) -> Value {
    let target = Target {
        url: url.into(),
        pool_id: POOL_ID.into(),
        client_id: CLIENT_ID.into(),
        client_secret: None,
        username: USERNAME.into(),
        password: PASSWORD.into(),
    };
    let mut command = target.command(&python(), "pycognito_cross_client.py");
    command.env("MODE", mode);
    let what = format!("pycognito_cross_client.py {mode} against {url}");
    let summary = interop::run_script(command, stdin, what, SCRIPT_TIMEOUT).await;
    assert_eq!(summary["mode"], mode, "{summary}");
    assert_pinned_pycognito(&summary);
    summary
}

/// This crate's client for the emulator at `url`: dummy credentials, no retries.
fn srp_client(url: &str) -> CognitoSrpClient {
    let config = sdk::config(url)
        .credentials_provider(sdk::test_credentials())
        .retry_config(RetryConfig::disabled())
        .build();
    CognitoSrpClient::new(Client::from_conf(config), POOL_ID, CLIENT_ID).unwrap()
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
    assert_device_file(file);
    let field = |name: &str| file[name].as_str().unwrap().to_owned();
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
        json!(DEVICE_SIGN_IN),
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
    let theirs = stored_device(&registered["device"]);
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
    assert_eq!(with_theirs.challenges, DEVICE_CHALLENGES);
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
    assert_eq!(with_ours.challenges, DEVICE_CHALLENGES);
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

//! Live interop tests of the many-pool emulator: real clients against pools made through the
//! API, a seed file, a CloudFormation template, a `--state` file across a restart, and a state
//! file of the one-pool emulator.
//!
//! - The pinned AWS CLI (`cli/tests/awscli/.venv`, `bash cli/tests/awscli/setup.sh`) makes
//!   the pools, clients and users with `aws cognito-idp ...` only, as a new user would.
//! - `interop/pycognito_pools.py`: pycognito's `AWSSRP` over boto3 (`endpoint_url`), the app's
//!   `SOFTWARE_TOKEN_MFA` and `MFA_SETUP` answers with boto3;
//! - `interop/identity_js_pools.js`: amazon-cognito-identity-js with `endpoint` set,
//!   `totpRequired` answered with `sendMFACode`.
//!
//! Two pools in each case. Pool A: `DeviceConfiguration` with `ChallengeRequiredOnNewDevice`
//! and `DeviceOnlyRememberedOnUserPrompt`, MFA `ON` with software tokens; a remembered device
//! stands in for the TOTP. Pool B: no `DeviceConfiguration`, so no device is ever issued.
//! identity-js cannot send `SECRET_HASH`, so pool A has a second app client without a secret
//! for it. The clients are installed by `bash emulator/interop/setup.sh`; without them, or
//! without the AWS CLI, these tests panic (they never skip).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use cognito_srp6a_emulator::{Emulator, ManualClock, PoolSummary, RunningEmulator};
use cognito_srp6a_test_support::{
    api::{call, call_ok, listed_devices},
    aws_cli,
    clock::unix_now,
    interop::{self, DEVICE_SIGN_IN, Target, node, python, trace},
    json::attribute,
    jwt::claims,
};
use serde_json::{Value, json};

/// The users' password in every pool (and in the fixtures): it meets the default policy of a
/// pool made by `CreateUserPool`, and is not ASCII, as both clients hash UTF-8.
const PASSWORD: &str = "Correct horse battery staple 9! \u{2713} \u{fc}n\u{ef}c\u{f8}d\u{e9}";
/// `tests/fixtures/pools-seed.yaml`.
const SEED_POOL_A: &str = "us-east-1_SeedPoolA";
const SEED_POOL_B: &str = "us-east-1_SeedPoolB";
const SEED_A_SERVER: &str = "1seedaserver00000000000000";
const SEED_A_SERVER_SECRET: &str = "1seedaserversecret0000000000000000000000000000000000";
const SEED_A_WEB: &str = "1seedaweb00000000000000000";
const SEED_A_GENERATED: &str = "1seedagenerated00000000000";
const SEED_B_WEB: &str = "1seedbweb00000000000000000";
const SEED_ALICE_TOTP: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
/// `tests/fixtures/pools-cloudformation.yaml`'s `Alice` Metadata.
const TEMPLATE_ALICE_TOTP: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
/// `tests/fixtures/README.md`: what wrote `state-v1.sqlite`.
const LEGACY_POOL: &str = "us-east-1_Legacy";
const LEGACY_CLIENT: &str = "5legacyclient0000000000000";
const LEGACY_PASSWORD: &str = "correct horse battery staple";
const LEGACY_TOTP: &str = "JBSWY3DPEHPK3PXP";

const SCRIPT_TIMEOUT: Duration = Duration::from_secs(120);

const PASSWORD_ONLY: [&str; 2] = [
    "InitiateAuth USER_SRP_AUTH -> PASSWORD_VERIFIER",
    "RespondToAuthChallenge PASSWORD_VERIFIER -> AuthenticationResult",
];
const TOTP_ASKED: [&str; 2] = [
    "InitiateAuth USER_SRP_AUTH -> PASSWORD_VERIFIER",
    "RespondToAuthChallenge PASSWORD_VERIFIER -> SOFTWARE_TOKEN_MFA",
];
/// The TOTP asked and answered, on a pool that tracks devices.
const TOTP_ANSWERED: [&str; 3] = [
    TOTP_ASKED[0],
    TOTP_ASKED[1],
    "RespondToAuthChallenge SOFTWARE_TOKEN_MFA -> AuthenticationResult+NewDeviceMetadata",
];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// `aws cognito-idp create-user-pool-client` of `name` in `pool_id`, with `extra` arguments:
/// the new client's id, and the whole output.
async fn aws_create_client(
    url: &str,
    pool_id: &str,
    name: &str,
    extra: &[&str],
) -> (String, Value) {
    let args = [&["--user-pool-id", pool_id, "--client-name", name], extra].concat();
    let created = aws_cli::json(url, "create-user-pool-client", &args).await;
    let id = created["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap_or_else(|| panic!("no ClientId: {created}"))
        .to_string();
    (id, created)
}

/// The user `user` of `client_id` in `pool_id`, with [`PASSWORD`].
fn target(url: &str, pool_id: &str, client_id: &str, secret: Option<&str>, user: &str) -> Target {
    Target {
        url: url.into(),
        pool_id: pool_id.into(),
        client_id: client_id.into(),
        client_secret: secret.map(str::to_string),
        username: user.into(),
        password: PASSWORD.into(),
    }
}

/// Runs `program script` from `interop/` against `target` in `mode`, with `extra` in its
/// environment; panics with its output unless it exits 0; returns its last stdout line as JSON.
async fn run_script(
    program: PathBuf,
    script: &'static str,
    target: &Target,
    mode: &str,
    extra: &[(&str, &str)],
) -> Value {
    let mut command = target.command(&program, script);
    command.env("MODE", mode);
    for name in [
        "TOTP_SECRET",
        "DEVICE_KEY",
        "DEVICE_GROUP_KEY",
        "DEVICE_PASSWORD",
        "REFRESH_TOKEN",
    ] {
        command.env_remove(name);
    }
    for (name, value) in extra {
        command.env(name, value);
    }
    let what = format!(
        "{} {script} MODE={mode} on {}",
        program.display(),
        target.pool_id
    );
    let summary = interop::run_script(command, None, what, SCRIPT_TIMEOUT).await;
    assert_eq!(summary["mode"], mode, "{summary}");
    assert_eq!(summary["pool_id"], target.pool_id.as_str(), "{summary}");
    summary
}

async fn pycognito(target: &Target, mode: &str, extra: &[(&str, &str)]) -> Value {
    run_script(python(), "pycognito_pools.py", target, mode, extra).await
}

async fn identity_js(target: &Target, mode: &str, extra: &[(&str, &str)]) -> Value {
    run_script(node(), "identity_js_pools.js", target, mode, extra).await
}

/// A device a client remembered.
#[derive(Clone, Debug)]
struct Device {
    key: String,
    group_key: String,
    password: String,
}

/// The access token claims a script reported name the target's client and user.
fn check_claims(claims: &Value, target: &Target, device_key: Option<&str>) {
    assert_eq!(claims["token_use"], "access", "{claims}");
    assert_eq!(claims["client_id"], target.client_id.as_str(), "{claims}");
    assert_eq!(claims["username"], target.username.as_str(), "{claims}");
    assert_eq!(
        claims["iss"],
        format!("{}/{}", target.url, target.pool_id),
        "{claims}"
    );
    assert_eq!(claims["device_key"], json!(device_key), "{claims}");
}

/// The script's trace `name` went as `expected`.
fn assert_trace(summary: &Value, name: &str, expected: &[&str]) {
    assert_eq!(trace(summary, name), expected, "{name}: {summary}");
}

/// The script refreshed its tokens (REFRESH_TOKEN_AUTH), and the new access token names the
/// target's client and user, and `device_key`.
fn assert_refreshed(summary: &Value, target: &Target, device_key: Option<&str>) {
    assert_trace(
        summary,
        "refresh",
        &["InitiateAuth REFRESH_TOKEN_AUTH -> AuthenticationResult"],
    );
    check_claims(
        &summary["refreshed_access_token_claims"],
        target,
        device_key,
    );
}

/// pycognito on a device-tracking pool with MFA ON: TOTP first, then the device stands in.
/// Returns the remembered device and the device sign-in's refresh token.
async fn pycognito_tracked(target: &Target, totp_secret: &str) -> (Device, String) {
    let summary = pycognito(target, "tracked", &[("TOTP_SECRET", totp_secret)]).await;
    assert_eq!(summary["has_device_configuration"], true, "{summary}");
    assert_eq!(
        summary["device_configuration"],
        json!({"ChallengeRequiredOnNewDevice": true, "DeviceOnlyRememberedOnUserPrompt": true}),
        "{summary}"
    );
    assert_eq!(summary["mfa_configuration"], "ON", "{summary}");
    assert_trace(&summary, "first_sign_in", &TOTP_ANSWERED);
    assert_eq!(summary["user_confirmation_necessary"], true, "{summary}");
    assert_trace(
        &summary,
        "confirm_device",
        &["ConfirmDevice -> 200", "UpdateDeviceStatus -> 200"],
    );
    // The remembered device stands in for the TOTP (ChallengeRequiredOnNewDevice)...
    assert_trace(&summary, "device_sign_in", &DEVICE_SIGN_IN);
    let device = Device {
        key: summary["device"]["device_key"].as_str().unwrap().into(),
        group_key: summary["device"]["device_group_key"]
            .as_str()
            .unwrap()
            .into(),
        password: summary["device"]["device_password"]
            .as_str()
            .unwrap()
            .into(),
    };
    assert!(device.key.starts_with("us-east-1_"), "{summary}");
    // The first sign-in's tokens already name the new device.
    check_claims(
        &summary["first_access_token_claims"],
        target,
        Some(&device.key),
    );
    check_claims(
        &summary["device_access_token_claims"],
        target,
        Some(&device.key),
    );
    // ... and only the device: without it the TOTP is asked again.
    assert_trace(&summary, "sign_in_without_device", &TOTP_ASKED);
    assert_refreshed(&summary, target, Some(&device.key));
    let refresh_token = summary["refresh_token"].as_str().unwrap().to_string();
    (device, refresh_token)
}

/// pycognito signing in with a remembered `device` (`extra`: REFRESH_TOKEN, TOTP_SECRET): the
/// device challenges, and an access token naming the device.
async fn pycognito_device(target: &Target, device: &Device, extra: &[(&str, &str)]) -> Value {
    let env = [
        ("DEVICE_KEY", device.key.as_str()),
        ("DEVICE_GROUP_KEY", device.group_key.as_str()),
        ("DEVICE_PASSWORD", device.password.as_str()),
    ];
    let summary = pycognito(target, "device", &[env.as_slice(), extra].concat()).await;
    assert_trace(&summary, "device_sign_in", &DEVICE_SIGN_IN);
    check_claims(
        &summary["device_access_token_claims"],
        target,
        Some(&device.key),
    );
    summary
}

/// pycognito on a pool without a DeviceConfiguration: no device, ever.
async fn pycognito_untracked(target: &Target) {
    let summary = pycognito(target, "untracked", &[]).await;
    assert_eq!(summary["has_device_configuration"], false, "{summary}");
    assert_eq!(summary["device_configuration"], Value::Null, "{summary}");
    assert_trace(&summary, "sign_in", &PASSWORD_ONLY);
    assert_trace(&summary, "sign_in_with_device_key", &PASSWORD_ONLY);
    check_claims(&summary["access_token_claims"], target, None);
    assert_refreshed(&summary, target, None);
}

/// identity-js on a device-tracking pool with MFA ON; returns the device key it remembered.
async fn identity_js_tracked(target: &Target, totp_secret: &str) -> String {
    assert!(
        target.client_secret.is_none(),
        "identity-js has no client secret support"
    );
    let summary = identity_js(target, "tracked", &[("TOTP_SECRET", totp_secret)]).await;
    assert_trace(
        &summary,
        "first_sign_in",
        &[TOTP_ANSWERED.as_slice(), &["ConfirmDevice -> 200"]].concat(),
    );
    assert_eq!(summary["user_confirmation_necessary"], true, "{summary}");
    assert_trace(&summary, "remember", &["UpdateDeviceStatus -> 200"]);
    assert_trace(&summary, "device_sign_in", &DEVICE_SIGN_IN);
    let device_key = summary["device_key"].as_str().unwrap().to_string();
    check_claims(
        &summary["device_access_token_claims"],
        target,
        Some(&device_key),
    );
    assert_trace(&summary, "sign_in_without_device", &TOTP_ASKED);
    device_key
}

/// identity-js on a pool without a DeviceConfiguration, with and without a cached device.
async fn identity_js_untracked(target: &Target) {
    let summary = identity_js(target, "untracked", &[]).await;
    assert_trace(&summary, "sign_in", &PASSWORD_ONLY);
    assert_trace(&summary, "sign_in_with_device_key", &PASSWORD_ONLY);
    assert!(summary["sent_device_key"].is_string(), "{summary}");
    check_claims(&summary["access_token_claims"], target, None);
}

/// `AdminGetDevice`'s `dev:device_remembered_status`.
async fn remembered_status(url: &str, pool_id: &str, username: &str, device_key: &str) -> String {
    let reply = call_ok(
        url,
        "AdminGetDevice",
        json!({"UserPoolId": pool_id, "Username": username, "DeviceKey": device_key}),
    )
    .await;
    attribute(
        &reply["Device"]["DeviceAttributes"],
        "dev:device_remembered_status",
    )
    .unwrap_or_else(|| panic!("no remembered status: {reply}"))
}

async fn client_secret(url: &str, pool_id: &str, client_id: &str) -> Option<String> {
    let reply = call_ok(
        url,
        "DescribeUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientId": client_id}),
    )
    .await;
    reply["UserPoolClient"]["ClientSecret"]
        .as_str()
        .map(str::to_string)
}

/// The pool of `pools` with this name.
fn pool_named<'p>(pools: &'p [PoolSummary], name: &str) -> &'p PoolSummary {
    pools
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no pool named {name}: {pools:?}"))
}

/// The id and whether it has a secret, of the client of `pool` with this name.
fn client_named(pool: &PoolSummary, name: &str) -> (String, bool) {
    pool.clients
        .iter()
        .find(|(_, n, _)| n == name)
        .map(|(id, _, secret)| (id.clone(), *secret))
        .unwrap_or_else(|| panic!("no client named {name} in {pool:?}"))
}

/// A pool of `pools()`: id, name, devices tracked, its clients (id, name, has a secret).
type PoolRow = (String, String, bool, Vec<(String, String, bool)>);

/// `pools()` sorted, clients too, for comparing runs.
fn inventory(emulator: &RunningEmulator) -> Vec<PoolRow> {
    let mut pools: Vec<_> = emulator
        .pools()
        .unwrap()
        .into_iter()
        .map(|mut p| {
            p.clients.sort();
            (p.id, p.name, p.devices, p.clients)
        })
        .collect();
    pools.sort();
    pools
}

/// Two pools made with the AWS CLI alone, software token set up
/// through MFA_SETUP as an app does, then pycognito and identity-js on both pools.
#[tokio::test(flavor = "multi_thread")]
async fn pools_made_with_the_aws_cli_serve_pycognito_and_identity_js() {
    let emulator = Emulator::builder().start().await.unwrap();
    assert!(emulator.pools().unwrap().is_empty(), "starts empty");
    let url = emulator.url();

    // Pool A: devices tracked, remembered on the user's prompt, standing in for MFA (ON).
    let created = aws_cli::json(
        &url,
        "create-user-pool",
        &[
            "--pool-name",
            "a",
            "--device-configuration",
            "ChallengeRequiredOnNewDevice=true,DeviceOnlyRememberedOnUserPrompt=true",
        ],
    )
    .await;
    let pool_a = created["UserPool"]["Id"].as_str().unwrap().to_string();
    assert!(pool_a.starts_with("us-east-1_"), "{created}");
    let mfa = aws_cli::json(
        &url,
        "set-user-pool-mfa-config",
        &[
            "--user-pool-id",
            &pool_a,
            "--mfa-configuration",
            "ON",
            "--software-token-mfa-configuration",
            "Enabled=true",
        ],
    )
    .await;
    assert_eq!(mfa["MfaConfiguration"], "ON", "{mfa}");
    assert_eq!(
        mfa["SoftwareTokenMfaConfiguration"]["Enabled"], true,
        "{mfa}"
    );
    let (a_server, server) =
        aws_create_client(&url, &pool_a, "a-server", &["--generate-secret"]).await;
    let a_secret = server["UserPoolClient"]["ClientSecret"]
        .as_str()
        .unwrap_or_else(|| panic!("--generate-secret gave no secret: {server}"))
        .to_string();
    // amazon-cognito-identity-js has no client-secret support: a second client of pool A,
    // without a secret, for it.
    let (a_web, web) = aws_create_client(&url, &pool_a, "a-web", &[]).await;
    assert!(web["UserPoolClient"].get("ClientSecret").is_none(), "{web}");

    // Pool B: no DeviceConfiguration; a client without a secret.
    let created = aws_cli::json(&url, "create-user-pool", &["--pool-name", "b"]).await;
    let pool_b = created["UserPool"]["Id"].as_str().unwrap().to_string();
    assert_ne!(pool_a, pool_b);
    let (b_web, b_client) = aws_create_client(&url, &pool_b, "b-web", &[]).await;
    assert!(
        b_client["UserPoolClient"].get("ClientSecret").is_none(),
        "{b_client}"
    );

    for (pool, user) in [(&pool_a, "alice"), (&pool_b, "bob")] {
        let made = aws_cli::json(
            &url,
            "admin-create-user",
            &[
                "--user-pool-id",
                pool,
                "--username",
                user,
                "--message-action",
                "SUPPRESS",
            ],
        )
        .await;
        assert_eq!(
            made["User"]["UserStatus"], "FORCE_CHANGE_PASSWORD",
            "{made}"
        );
        let set = aws_cli::json(
            &url,
            "admin-set-user-password",
            &[
                "--user-pool-id",
                pool,
                "--username",
                user,
                "--password",
                PASSWORD,
                "--permanent",
            ],
        )
        .await;
        assert_eq!(set, Value::Null, "admin-set-user-password prints nothing");
        let got = aws_cli::json(
            &url,
            "admin-get-user",
            &["--user-pool-id", pool, "--username", user],
        )
        .await;
        assert_eq!(got["UserStatus"], "CONFIRMED", "{got}");
    }

    let described_a = aws_cli::json(&url, "describe-user-pool", &["--user-pool-id", &pool_a]).await;
    assert_eq!(
        described_a["UserPool"]["DeviceConfiguration"],
        json!({"ChallengeRequiredOnNewDevice": true, "DeviceOnlyRememberedOnUserPrompt": true}),
        "{described_a}"
    );
    assert_eq!(
        described_a["UserPool"]["MfaConfiguration"], "ON",
        "{described_a}"
    );
    let described_b = aws_cli::json(&url, "describe-user-pool", &["--user-pool-id", &pool_b]).await;
    assert_eq!(described_b["UserPool"]["Id"], pool_b.as_str());
    assert!(
        described_b["UserPool"].get("DeviceConfiguration").is_none(),
        "pool B has no DeviceConfiguration: {described_b}"
    );
    let listed = aws_cli::json(&url, "list-user-pools", &["--max-results", "10"]).await;
    assert_eq!(listed["UserPools"].as_array().unwrap().len(), 2, "{listed}");

    // 2. MFA is ON and alice has no token: MFA_SETUP, set up as an app does (boto3).
    let alice_a = target(&url, &pool_a, &a_server, Some(&a_secret), "alice");
    let setup = pycognito(&alice_a, "mfa-setup", &[]).await;
    assert_trace(
        &setup,
        "mfa_setup",
        &[
            "InitiateAuth USER_SRP_AUTH -> PASSWORD_VERIFIER",
            "RespondToAuthChallenge PASSWORD_VERIFIER -> MFA_SETUP",
            "AssociateSoftwareToken -> 200",
            "VerifySoftwareToken -> 200",
            "RespondToAuthChallenge MFA_SETUP -> AuthenticationResult+NewDeviceMetadata",
        ],
    );
    assert_trace(&setup, "after_mfa_setup", &TOTP_ANSWERED);
    let setup_device = setup["mfa_setup_device_key"]
        .as_str()
        .expect("NewDeviceMetadata");
    check_claims(
        &setup["mfa_setup_access_token_claims"],
        &alice_a,
        Some(setup_device),
    );
    let totp_secret = setup["secret_code"].as_str().unwrap().to_string();
    let alice = aws_cli::json(
        &url,
        "admin-get-user",
        &["--user-pool-id", &pool_a, "--username", "alice"],
    )
    .await;
    assert_eq!(
        alice["UserMFASettingList"],
        json!(["SOFTWARE_TOKEN_MFA"]),
        "{alice}"
    );

    // 3. Both clients on both pools, at once.
    let alice_web = target(&url, &pool_a, &a_web, None, "alice");
    let bob_b = target(&url, &pool_b, &b_web, None, "bob");
    let ((py_device, _), js_device, (), ()) = tokio::join!(
        pycognito_tracked(&alice_a, &totp_secret),
        identity_js_tracked(&alice_web, &totp_secret),
        pycognito_untracked(&bob_b),
        identity_js_untracked(&bob_b),
    );
    assert_ne!(py_device.key, js_device);

    // What the AWS CLI sees afterwards: both devices remembered in A, none in B.
    let devices = aws_cli::json(
        &url,
        "admin-list-devices",
        &["--user-pool-id", &pool_a, "--username", "alice"],
    )
    .await;
    let keys: Vec<&str> = devices["Devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["DeviceKey"].as_str().unwrap())
        .collect();
    assert!(keys.contains(&py_device.key.as_str()), "{devices}");
    assert!(keys.contains(&js_device.as_str()), "{devices}");
    for key in [&py_device.key, &js_device] {
        assert_eq!(
            remembered_status(&url, &pool_a, "alice", key).await,
            "remembered"
        );
    }
    let devices = aws_cli::json(
        &url,
        "admin-list-devices",
        &["--user-pool-id", &pool_b, "--username", "bob"],
    )
    .await;
    assert_eq!(devices["Devices"], json!([]), "{devices}");
    emulator.shutdown().await;
}

/// Step 4's clients at once: pycognito (`alice`, an app client with a secret) and identity-js
/// (`alice_web`, one without) on the pool that tracks devices, with the user's TOTP secret, and
/// pycognito (`bob`) on the pool without; then both devices are listed there and none in
/// `bob`'s pool.
async fn tracked_and_untracked(alice: &Target, alice_web: &Target, bob: &Target, totp: &str) {
    let ((py_device, _), js_device, ()) = tokio::join!(
        pycognito_tracked(alice, totp),
        identity_js_tracked(alice_web, totp),
        pycognito_untracked(bob),
    );
    let listed = listed_devices(&alice.url, &alice.pool_id, &alice.username).await;
    assert!(listed.contains(&py_device.key), "{listed:?}");
    assert!(listed.contains(&js_device), "{listed:?}");
    assert!(
        listed_devices(&bob.url, &bob.pool_id, &bob.username)
            .await
            .is_empty()
    );
}

/// Step 4 with the seed file: the pools, clients and users it names, with its fixed ids and
/// secret; pycognito on both pools, identity-js on pool A.
#[tokio::test(flavor = "multi_thread")]
async fn seed_file_pools_serve_pycognito_and_identity_js() {
    let emulator = Emulator::builder()
        .config_file(fixture("pools-seed.yaml"))
        .start()
        .await
        .unwrap();
    let url = emulator.url();
    let pools = emulator.pools().unwrap();
    assert_eq!(pools.len(), 2, "{pools:?}");
    let a = pool_named(&pools, "a");
    let b = pool_named(&pools, "b");
    assert_eq!((a.id.as_str(), a.devices), (SEED_POOL_A, true));
    assert_eq!((b.id.as_str(), b.devices), (SEED_POOL_B, false));
    assert_eq!(
        client_named(a, "a-server"),
        (SEED_A_SERVER.to_string(), true)
    );
    assert_eq!(client_named(a, "a-web"), (SEED_A_WEB.to_string(), false));
    assert_eq!(client_named(b, "b-web"), (SEED_B_WEB.to_string(), false));
    assert_eq!(
        client_secret(&url, SEED_POOL_A, SEED_A_SERVER)
            .await
            .as_deref(),
        Some(SEED_A_SERVER_SECRET)
    );

    let alice = target(
        &url,
        SEED_POOL_A,
        SEED_A_SERVER,
        Some(SEED_A_SERVER_SECRET),
        "alice",
    );
    let alice_web = target(&url, SEED_POOL_A, SEED_A_WEB, None, "alice");
    let bob = target(&url, SEED_POOL_B, SEED_B_WEB, None, "bob");
    tracked_and_untracked(&alice, &alice_web, &bob, SEED_ALICE_TOTP).await;
    emulator.shutdown().await;
}

/// Step 4 with the CloudFormation template: pool A's DeviceConfiguration in the template's
/// YAML form, `MfaConfiguration: "ON"`, `EnabledMfas: [SOFTWARE_TOKEN_MFA]`, passwords and the
/// software token from the Metadata extension; ids from `pools()`, the generated secret from
/// DescribeUserPoolClient. pycognito on both pools, identity-js on pool A.
#[tokio::test(flavor = "multi_thread")]
async fn cloudformation_pools_serve_pycognito_and_identity_js() {
    let emulator = Emulator::builder()
        .cloudformation(fixture("pools-cloudformation.yaml"))
        .start()
        .await
        .unwrap();
    assert!(emulator.warnings().is_empty(), "{:?}", emulator.warnings());
    let url = emulator.url();
    let pools = emulator.pools().unwrap();
    assert_eq!(pools.len(), 2, "{pools:?}");
    let a = pool_named(&pools, "a");
    let b = pool_named(&pools, "b");
    assert!(a.devices && !b.devices, "{pools:?}");
    assert_eq!(a.clients.len(), 2, "{a:?}");
    assert_eq!(b.clients.len(), 1, "{b:?}");
    let (a_server, has_secret) = client_named(a, "a-server");
    assert!(has_secret);
    let (a_web, has_secret) = client_named(a, "a-web");
    assert!(!has_secret);
    let (b_web, has_secret) = client_named(b, "b-web");
    assert!(!has_secret);
    let a_secret = client_secret(&url, &a.id, &a_server)
        .await
        .expect("GenerateSecret: true made a secret");

    let mfa = call_ok(&url, "GetUserPoolMfaConfig", json!({ "UserPoolId": a.id })).await;
    assert_eq!(mfa["MfaConfiguration"], "ON", "{mfa}");
    assert_eq!(
        mfa["SoftwareTokenMfaConfiguration"]["Enabled"], true,
        "{mfa}"
    );

    let alice = target(&url, &a.id, &a_server, Some(&a_secret), "alice");
    let alice_web = target(&url, &a.id, &a_web, None, "alice");
    let bob = target(&url, &b.id, &b_web, None, "bob");
    tracked_and_untracked(&alice, &alice_web, &bob, TEMPLATE_ALICE_TOTP).await;
    emulator.shutdown().await;
}

/// Step 5: a seed file over a `--state` file, twice. The second start finds the pools,
/// clients (the generated secret too), users and the remembered device of the first, and the
/// seed applied again duplicated nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_state_file_keeps_the_seeded_pools_and_a_remembered_device_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.sqlite");
    let start = || {
        Emulator::builder()
            .config_file(fixture("pools-seed.yaml"))
            .state_file(&state)
            .start()
    };

    let first = start().await.unwrap();
    let url = first.url();
    let before = inventory(&first);
    assert_eq!(before.len(), 2, "{before:?}");
    let generated = client_secret(&url, SEED_POOL_A, SEED_A_GENERATED)
        .await
        .expect("GenerateSecret: true made a secret");
    let user_before = call_ok(
        &url,
        "AdminGetUser",
        json!({"UserPoolId": SEED_POOL_A, "Username": "alice"}),
    )
    .await;
    let alice = target(
        &url,
        SEED_POOL_A,
        SEED_A_SERVER,
        Some(SEED_A_SERVER_SECRET),
        "alice",
    );
    let (device, refresh_token) = pycognito_tracked(&alice, SEED_ALICE_TOTP).await;
    let devices_before = listed_devices(&url, SEED_POOL_A, "alice").await;
    assert_eq!(devices_before, [device.key.as_str()]);
    first.shutdown().await;

    let second = start().await.unwrap();
    let url = second.url();
    assert_eq!(
        inventory(&second),
        before,
        "the same pools and clients, once each"
    );
    let listed = call_ok(&url, "ListUserPools", json!({"MaxResults": 60})).await;
    assert_eq!(listed["UserPools"].as_array().unwrap().len(), 2, "{listed}");
    let clients = call_ok(
        &url,
        "ListUserPoolClients",
        json!({"UserPoolId": SEED_POOL_A, "MaxResults": 60}),
    )
    .await;
    assert_eq!(
        clients["UserPoolClients"].as_array().unwrap().len(),
        3,
        "{clients}"
    );
    assert_eq!(
        client_secret(&url, SEED_POOL_A, SEED_A_GENERATED).await,
        Some(generated),
        "the generated secret survives"
    );
    assert_eq!(
        client_secret(&url, SEED_POOL_A, SEED_A_SERVER)
            .await
            .as_deref(),
        Some(SEED_A_SERVER_SECRET)
    );
    for pool in [SEED_POOL_A, SEED_POOL_B] {
        let described = call_ok(&url, "DescribeUserPool", json!({"UserPoolId": pool})).await;
        assert_eq!(
            described["UserPool"]["EstimatedNumberOfUsers"], 1,
            "{described}"
        );
    }
    let user_after = call_ok(
        &url,
        "AdminGetUser",
        json!({"UserPoolId": SEED_POOL_A, "Username": "alice"}),
    )
    .await;
    let sub = |user: &Value| {
        attribute(&user["UserAttributes"], "sub").unwrap_or_else(|| panic!("no sub: {user}"))
    };
    assert_eq!(sub(&user_after), sub(&user_before), "the same user");
    assert_eq!(user_after["UserCreateDate"], user_before["UserCreateDate"]);
    assert_eq!(
        user_after["UserMFASettingList"],
        json!(["SOFTWARE_TOKEN_MFA"]),
        "{user_after}"
    );
    assert_eq!(
        listed_devices(&url, SEED_POOL_A, "alice").await,
        devices_before
    );
    assert_eq!(
        remembered_status(&url, SEED_POOL_A, "alice", &device.key).await,
        "remembered"
    );

    // The device signs in through the device challenges, no TOTP; the refresh token of the
    // first run refreshes with it; without the device the TOTP is still asked.
    let alice = Target {
        url: url.clone(),
        ..alice
    };
    let summary = pycognito_device(
        &alice,
        &device,
        &[
            ("REFRESH_TOKEN", &refresh_token),
            ("TOTP_SECRET", SEED_ALICE_TOTP),
        ],
    )
    .await;
    assert_refreshed(&summary, &alice, Some(&device.key));
    assert_eq!(
        trace(&summary, "sign_in_without_device")[..2],
        TOTP_ASKED,
        "{summary}"
    );
    second.shutdown().await;
}

/// Step 6: the state file the one-pool emulator wrote (`tests/fixtures/state-v1.sqlite`)
/// opens under the flags of the run that wrote it; its remembered device signs in through the
/// device challenges without the TOTP, and its refresh token refreshes with its DEVICE_KEY.
#[tokio::test(flavor = "multi_thread")]
async fn a_version_1_state_file_opens_and_its_device_signs_in() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state-v1.sqlite");
    std::fs::copy(fixture("state-v1.sqlite"), &state).unwrap();
    let fixture_device: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("state-v1-device.json")).unwrap())
            .unwrap();
    let field = |name: &str| fixture_device[name].as_str().unwrap().to_string();
    let (device_key, refresh_token) = (field("device_key"), field("refresh_token"));
    // The fixture's refresh token lasts 30 days from when it was written: it is refreshed at
    // a time inside them (the clock is moved there), so this test does not expire with it.
    // Read from the copy (before the emulator migrates it): opening the committed file would
    // leave SQLite's -wal/-shm files next to it.
    let issued: i64 =
        rusqlite::Connection::open_with_flags(&state, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap()
            .query_row(
                "SELECT auth_time FROM refresh_tokens WHERE device_key = ?1",
                [&device_key],
                |row| row.get(0),
            )
            .unwrap();
    let clock = ManualClock::at(unix_now());

    let emulator = Emulator::builder()
        .state_file(&state)
        .pool_id(LEGACY_POOL)
        .client_id(LEGACY_CLIENT)
        .totp("alice", LEGACY_TOTP)
        .challenge_required_on_new_device(true)
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let url = emulator.url();
    let pools = emulator.pools().unwrap();
    assert_eq!(pools.len(), 1, "{pools:?}");
    assert_eq!(pools[0].id, LEGACY_POOL);
    assert!(pools[0].devices);
    assert_eq!(pools[0].clients.len(), 1, "{pools:?}");
    assert_eq!(pools[0].clients[0].0, LEGACY_CLIENT);
    assert_eq!(
        listed_devices(&url, LEGACY_POOL, "alice").await,
        [device_key.as_str()]
    );
    let device = call_ok(
        &url,
        "AdminGetDevice",
        json!({"UserPoolId": LEGACY_POOL, "Username": "alice", "DeviceKey": device_key}),
    )
    .await;
    assert!(
        device["Device"]["DeviceAttributes"]
            .as_array()
            .unwrap()
            .contains(&json!({"Name": "device_name", "Value": "fixture laptop"})),
        "{device}"
    );

    // pycognito, with the fixture's device, at the real time: device challenges, no TOTP;
    // without the device the TOTP of the flags is asked (and passes).
    let alice = Target {
        password: LEGACY_PASSWORD.into(),
        ..target(&url, LEGACY_POOL, LEGACY_CLIENT, None, "alice")
    };
    let device = Device {
        key: device_key.clone(),
        group_key: field("device_group_key"),
        password: field("device_password"),
    };
    let summary = pycognito_device(&alice, &device, &[("TOTP_SECRET", LEGACY_TOTP)]).await;
    assert_trace(&summary, "sign_in_without_device", &TOTP_ANSWERED);

    // The fixture's refresh token, an hour after it was issued.
    clock.set(issued + 3600);
    let refresh = |device: Option<&str>| {
        let mut params = json!({ "REFRESH_TOKEN": refresh_token });
        if let Some(key) = device {
            params["DEVICE_KEY"] = json!(key);
        }
        call(
            &url,
            "InitiateAuth",
            json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": LEGACY_CLIENT, "AuthParameters": params}),
        )
    };
    let (status, refused) = refresh(None).await;
    assert_eq!(
        status, 400,
        "a device's refresh token without DEVICE_KEY: {refused}"
    );
    assert_eq!(refused["__type"], "NotAuthorizedException", "{refused}");
    let (status, refreshed) = refresh(Some(&device_key)).await;
    assert_eq!(status, 200, "{refreshed}");
    let result = &refreshed["AuthenticationResult"];
    assert!(result.get("RefreshToken").is_none(), "{refreshed}");
    for token in ["AccessToken", "IdToken"] {
        assert!(result[token].is_string(), "{refreshed}");
    }
    let claims = claims(result["AccessToken"].as_str().unwrap());
    assert_eq!(claims["device_key"], device_key.as_str(), "{claims}");
    assert_eq!(claims["username"], "alice", "{claims}");
    assert_eq!(claims["client_id"], LEGACY_CLIENT, "{claims}");
    assert_eq!(claims["iss"], format!("{url}/{LEGACY_POOL}"), "{claims}");
    assert_eq!(claims["iat"], issued + 3600, "{claims}");
    emulator.shutdown().await;
}

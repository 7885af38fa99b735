//! Live interop tests of the emulator with two more real JavaScript clients, pinned in
//! `interop/package.json` and installed by `bash emulator/interop/setup.sh`:
//!
//! - `interop/amplify_life.mjs`: aws-amplify 6 in Node, a user's whole life: `signIn`
//!   (USER_SRP_AUTH, the library confirming its new device), attributes, `rememberDevice`,
//!   `signOut` (RevokeToken), a sign-in through the remembered device, `fetchAuthSession
//!   ({forceRefresh})` on an app client with refresh-token rotation (GetTokensFromRefreshToken)
//!   and on one without, TOTP set-up and a TOTP sign-in skipped by the remembered device,
//!   `forgetDevice`, `signIn` with USER_AUTH and PASSWORD_SRP, `signOut({global: true})`.
//! - `interop/sdk_v3_srp_helper.mjs`: @aws-sdk/client-cognito-identity-provider v3 with
//!   cognito-srp-helper answering the SRP challenges: sign-in, `ConfirmDevice` with the
//!   helper's verifier, `UpdateDeviceStatus`, a device sign-in, a wrong device password.
//!
//! The pool, its app clients and users are made over HTTP through the emulator's own API, as
//! any SDK would. The scripts print a JSON summary (the trace of every request's operation
//! and challenge, token claims, what the emulator answered to direct calls with old tokens);
//! the assertions are here. Without the clients these tests panic with the set-up hint; they
//! never skip.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::time::Duration;

use cognito_srp6a_emulator::Emulator;
use cognito_srp6a_test_support::{
    api::{call, call_ok, confirmed_user, listed_devices},
    interop::{self, DEVICE_SIGN_IN, Target, node_with, pinned_npm, trace},
};
use serde_json::{Value, json};

/// The users' password: it meets the default policy of a pool made by `CreateUserPool`, and
/// is not ASCII, as the clients hash UTF-8.
const PASSWORD: &str = "Correct horse battery staple 9! \u{2713} \u{fc}n\u{ef}c\u{f8}d\u{e9}";
/// Amplify's script waits for fresh TOTP steps (30 s each) twice at most; its own watchdog
/// is 150 s.
const AMPLIFY_TIMEOUT: Duration = Duration::from_secs(200);
const SDK_TIMEOUT: Duration = Duration::from_secs(120);

const PASSWORD_SIGN_IN: [&str; 3] = [
    "InitiateAuth USER_SRP_AUTH -> PASSWORD_VERIFIER",
    "RespondToAuthChallenge PASSWORD_VERIFIER -> AuthenticationResult+NewDeviceMetadata",
    "ConfirmDevice -> 200",
];
const TOTP_ANSWERED: [&str; 2] = [
    "RespondToAuthChallenge SOFTWARE_TOKEN_MFA -> AuthenticationResult+NewDeviceMetadata",
    "ConfirmDevice -> 200",
];
const REFRESHED: [&str; 1] = ["GetTokensFromRefreshToken -> AuthenticationResult"];

/// The pool both scripts sign in to: devices tracked and remembered on the user's prompt,
/// standing in for the second factor; MFA optional with software tokens.
struct Pool {
    url: String,
    id: String,
    /// Refresh-token rotation on, no grace period.
    rotating: String,
    /// Refresh-token rotation off.
    plain: String,
}

async fn make_pool(url: &str) -> Pool {
    let created = call_ok(
        url,
        "CreateUserPool",
        json!({
            "PoolName": "js-clients",
            "DeviceConfiguration": {
                "ChallengeRequiredOnNewDevice": true,
                "DeviceOnlyRememberedOnUserPrompt": true,
            },
            "MfaConfiguration": "OPTIONAL",
            "SoftwareTokenMfaConfiguration": {"Enabled": true},
        }),
    )
    .await;
    let id = created["UserPool"]["Id"].as_str().unwrap().to_string();
    assert_eq!(
        created["UserPool"]["MfaConfiguration"], "OPTIONAL",
        "{created}"
    );
    let client = |name: &str, rotation: Option<Value>| {
        let mut body = json!({
            "UserPoolId": id,
            "ClientName": name,
            "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            "EnableTokenRevocation": true,
        });
        if let Some(rotation) = rotation {
            body["RefreshTokenRotation"] = rotation;
        }
        async move {
            let created = call_ok(url, "CreateUserPoolClient", body).await;
            let client = &created["UserPoolClient"];
            assert!(client.get("ClientSecret").is_none(), "{created}");
            client["ClientId"].as_str().unwrap().to_string()
        }
    };
    let rotating = client(
        "rotating",
        Some(json!({"Feature": "ENABLED", "RetryGracePeriodSeconds": 0})),
    )
    .await;
    let plain = client("plain", None).await;
    let described = call_ok(
        url,
        "DescribeUserPoolClient",
        json!({"UserPoolId": id, "ClientId": rotating}),
    )
    .await;
    assert_eq!(
        described["UserPoolClient"]["RefreshTokenRotation"]["Feature"], "ENABLED",
        "{described}"
    );
    Pool {
        url: url.into(),
        id,
        rotating,
        plain,
    }
}

/// A confirmed user with a permanent password and an e-mail, as an administrator makes one.
async fn make_user(pool: &Pool, username: &str) {
    let email = json!([{"Name": "email", "Value": format!("{username}@example.com")}]);
    confirmed_user(&pool.url, &pool.id, username, PASSWORD, email).await;
    let user = call_ok(
        &pool.url,
        "AdminGetUser",
        json!({"UserPoolId": pool.id, "Username": username}),
    )
    .await;
    assert_eq!(user["UserStatus"], "CONFIRMED", "{user}");
}

/// Runs `node <script>` from `interop/` against `username` of `client_id` in `pool` (with
/// `extra` variables, and nothing else of the caller's AWS set-up), under `timeout`, once
/// `packages` are the pinned versions; panics with its output unless it exits 0 with
/// `ok: true` (`interop::run_script`).
async fn run_node(
    packages: &[&str],
    script: &str,
    (pool, client_id, username): (&Pool, &str, &str),
    extra: &[(&str, &str)],
    timeout: Duration,
) -> Value {
    let target = Target {
        url: pool.url.clone(),
        pool_id: pool.id.clone(),
        client_id: client_id.into(),
        client_secret: None,
        username: username.into(),
        password: PASSWORD.into(),
    };
    let mut command = target.command(&node_with(packages), script);
    command.envs(extra.iter().copied());
    let what = format!("node {script}");
    let summary = interop::run_script(command, None, what.clone(), timeout).await;
    // Shown with --nocapture, and on a failure below.
    eprintln!("{what}: {summary}");
    summary
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {value}"))
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("not a string: {v}"))
                .to_string()
        })
        .collect()
}

/// A direct call's answer in a summary was a refusal of one of `types`.
fn refused(answer: &Value, types: &[&str], what: &str) {
    assert_eq!(answer["status"], 400, "{what}: {answer}");
    let kind = answer["type"].as_str().unwrap_or_default();
    assert!(
        types.contains(&kind),
        "{what}: {answer}, expected one of {types:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn amplify_signs_in_remembers_refreshes_sets_up_totp_and_signs_out() {
    let emulator = Emulator::builder().start().await.unwrap();
    let pool = make_pool(&emulator.url()).await;
    make_user(&pool, "alice").await;

    let summary = run_node(
        &["aws-amplify"],
        "amplify_life.mjs",
        (&pool, &pool.rotating, "alice"),
        &[("CLIENT_ID_NO_ROTATION", &pool.plain)],
        AMPLIFY_TIMEOUT,
    )
    .await;
    let s = &summary;
    assert_eq!(
        s["client"],
        format!("aws-amplify {}", pinned_npm("aws-amplify")),
        "{s}"
    );

    // 1. USER_SRP_AUTH; Amplify confirms the new device, which stays not remembered.
    assert_eq!(trace(s, "sign_in"), PASSWORD_SIGN_IN, "{s}");
    assert_eq!(s["sign_in"]["next_step"], "DONE", "{s}");
    let device_key = s["device_key"].as_str().unwrap().to_string();
    assert!(device_key.starts_with("us-east-1_"), "{device_key}");
    assert_eq!(s["device_stored"], true, "{s}");
    let claims = &s["sign_in"]["claims"];
    assert_eq!(claims["token_use"], "access", "{claims}");
    assert_eq!(claims["client_id"], pool.rotating.as_str(), "{claims}");
    assert_eq!(claims["username"], "alice", "{claims}");
    assert_eq!(claims["device_key"], device_key.as_str(), "{claims}");
    assert_eq!(
        claims["iss"],
        format!("{}/{}", pool.url, pool.id),
        "{claims}"
    );

    // 2-3. attributes read, changed, read again
    assert_eq!(trace(s, "fetch_user_attributes"), ["GetUser -> 200"]);
    assert_eq!(s["attributes_before"]["email"], "alice@example.com", "{s}");
    assert!(s["attributes_before"].get("name").is_none(), "{s}");
    assert_eq!(
        trace(s, "update_user_attributes"),
        ["UpdateUserAttributes -> 200"]
    );
    assert_eq!(s["update_attributes"]["name"]["is_updated"], true, "{s}");
    assert_eq!(s["attributes_after"]["name"], "Alice Amplify", "{s}");
    assert_eq!(s["attributes_after"]["locale"], "fr-CA", "{s}");

    // 4. rememberDevice: the device is listed
    assert_eq!(trace(s, "remember_device"), ["UpdateDeviceStatus -> 200"]);
    assert_eq!(trace(s, "fetch_devices"), ["ListDevices -> 200"]);
    assert_eq!(strings(&s["devices_after_remember"]), [device_key.as_str()]);

    // 5. signOut revokes the refresh token: refused afterwards, even with its device key
    assert_eq!(trace(s, "sign_out"), ["RevokeToken -> 200"]);
    let after = &s["after_sign_out"];
    assert_eq!(after["refresh_token_kept_in_storage"], false, "{after}");
    assert_eq!(after["device_key_kept_in_storage"], true, "{after}");
    refused(
        &after["revoked_refresh"],
        &["NotAuthorizedException"],
        "GetTokensFromRefreshToken with the revoked token",
    );
    refused(
        &after["revoked_access"],
        &["NotAuthorizedException"],
        "GetUser with an access token of the revoked refresh token",
    );
    // A rotating client takes no REFRESH_TOKEN_AUTH at all.
    refused(
        &after["revoked_refresh_initiate_auth"],
        &["NotAuthorizedException", "InvalidParameterException"],
        "REFRESH_TOKEN_AUTH on a rotating client",
    );

    // 6. through the remembered device
    assert_eq!(trace(s, "device_sign_in"), DEVICE_SIGN_IN, "{s}");
    let device_claims = &s["device_sign_in"]["claims"];
    assert_eq!(device_claims["device_key"], device_key.as_str(), "{s}");

    // 7. forceRefresh with rotation: a new refresh token each time, the old one refused at
    // once (RetryGracePeriodSeconds 0), the device key sent and kept in the claims
    let rotations = s["refresh_rotation"].as_array().unwrap();
    assert_eq!(rotations.len(), 2, "{s}");
    for (name, rotation) in ["refresh_rotation", "refresh_rotation_again"]
        .iter()
        .zip(rotations)
    {
        assert_eq!(trace(s, name), REFRESHED, "{s}");
        assert_eq!(rotation["new_access_token"], true, "{rotation}");
        assert_eq!(rotation["refresh_token_changed"], true, "{rotation}");
        assert_eq!(
            rotation["response_has_refresh_token"],
            json!([true]),
            "{rotation}"
        );
        assert_eq!(
            rotation["device_key_sent"],
            json!([device_key]),
            "{rotation}"
        );
        assert_eq!(
            rotation["claims"]["device_key"],
            device_key.as_str(),
            "{rotation}"
        );
        assert_eq!(
            rotation["claims"]["auth_time"], device_claims["auth_time"],
            "{rotation}"
        );
        // The API model's error for "a refresh token that has been invalidated by
        // refresh-token rotation".
        refused(
            &rotation["rotated_out"],
            &["RefreshTokenReuseException"],
            "the refresh token rotated out",
        );
    }

    // 8. TOTP set up and preferred
    assert_eq!(trace(s, "set_up_totp"), ["AssociateSoftwareToken -> 200"]);
    assert_eq!(s["totp_setup_uri"], true, "{s}");
    assert_eq!(
        trace(s, "verify_totp_setup"),
        ["VerifySoftwareToken -> 200"]
    );
    assert_eq!(
        trace(s, "update_mfa_preference"),
        ["SetUserMFAPreference -> 200"]
    );
    assert_eq!(s["mfa_preference"]["enabled"], json!(["TOTP"]), "{s}");
    assert_eq!(s["mfa_preference"]["preferred"], "TOTP", "{s}");

    // 9. the remembered device stands in for the TOTP (ChallengeRequiredOnNewDevice)
    assert_eq!(
        trace(s, "sign_out_before_totp_device_sign_in"),
        ["RevokeToken -> 200"]
    );
    assert_eq!(trace(s, "totp_skipped_by_device"), DEVICE_SIGN_IN, "{s}");
    assert_eq!(s["totp_skipped_by_device"]["next_step"], "DONE", "{s}");
    assert_eq!(
        s["totp_skipped_by_device"]["claims"]["device_key"],
        device_key.as_str(),
        "{s}"
    );

    // 10. forgetDevice: gone from the storage and from the emulator
    assert_eq!(trace(s, "forget_device"), ["ForgetDevice -> 200"]);
    assert_eq!(
        s["after_forget_device"]["device_key_in_storage"],
        Value::Null
    );
    // Forgetting the device ended the session's refresh token; revoking it again is no error
    // (RevokeToken's model has no error for a token already ended).
    assert_eq!(trace(s, "sign_out_after_forget"), ["RevokeToken -> 200"]);
    refused(
        &s["after_forget_device"]["get_device"],
        &["ResourceNotFoundException"],
        "AdminGetDevice of the forgotten device",
    );

    // 11. USER_AUTH with PASSWORD_SRP: SRP straight away, then the TOTP (no device now)
    assert_eq!(
        trace(s, "user_auth_password_srp"),
        [
            "InitiateAuth USER_AUTH -> PASSWORD_VERIFIER",
            "RespondToAuthChallenge PASSWORD_VERIFIER -> SOFTWARE_TOKEN_MFA",
        ],
        "{s}"
    );
    let user_auth_request = s["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["label"] == "InitiateAuth USER_AUTH")
        .unwrap();
    let keys = strings(&user_auth_request["request_keys"]);
    assert!(
        keys.iter().any(|k| k == "PREFERRED_CHALLENGE") && keys.iter().any(|k| k == "SRP_A"),
        "{user_auth_request}"
    );
    assert_eq!(
        s["user_auth"]["next_step"], "CONFIRM_SIGN_IN_WITH_TOTP_CODE",
        "{s}"
    );
    assert_eq!(trace(s, "user_auth_totp"), TOTP_ANSWERED, "{s}");
    assert_eq!(s["user_auth"]["after_totp"]["next_step"], "DONE", "{s}");
    let new_device = s["user_auth"]["new_device_key"].as_str().unwrap();
    assert_ne!(new_device, device_key, "{s}");
    assert_eq!(s["user_auth"]["claims"]["device_key"], new_device, "{s}");

    // 12. signOut({global: true}): the unused refresh token and the access token refused
    assert_eq!(trace(s, "refresh_before_global_sign_out"), REFRESHED, "{s}");
    assert_eq!(trace(s, "global_sign_out"), ["GlobalSignOut -> 200"], "{s}");
    let global = &s["after_global_sign_out"];
    refused(
        &global["refresh"],
        &["NotAuthorizedException"],
        "GetTokensFromRefreshToken after GlobalSignOut",
    );
    refused(
        &global["get_user"],
        &["NotAuthorizedException"],
        "GetUser with an access token from before GlobalSignOut",
    );
    assert_eq!(global["storage_cleared"], true, "{global}");

    // Phase 2, the client without rotation: a new sign-in works after the global sign-out;
    // the TOTP is asked (this client's storage has no device)
    assert_eq!(
        trace(s, "no_rotation_sign_in"),
        [
            "InitiateAuth USER_SRP_AUTH -> PASSWORD_VERIFIER",
            "RespondToAuthChallenge PASSWORD_VERIFIER -> SOFTWARE_TOKEN_MFA",
        ],
        "{s}"
    );
    assert_eq!(trace(s, "no_rotation_totp"), TOTP_ANSWERED, "{s}");
    let plain = &s["no_rotation"];
    assert_eq!(plain["claims"]["client_id"], pool.plain.as_str(), "{plain}");
    assert_eq!(trace(s, "no_rotation_refresh"), REFRESHED, "{s}");
    let refresh = &plain["refresh"];
    assert_eq!(refresh["new_access_token"], true, "{refresh}");
    assert_eq!(refresh["refresh_token_unchanged"], true, "{refresh}");
    assert_eq!(
        refresh["response_has_refresh_token"],
        json!([false]),
        "{refresh}"
    );
    assert_eq!(
        refresh["device_key_sent"],
        json!([refresh["device_key"]]),
        "{refresh}"
    );
    assert_eq!(
        refresh["claims"]["device_key"], refresh["device_key"],
        "{refresh}"
    );
    for name in ["again_get_tokens", "again_initiate_auth"] {
        let again = &refresh[name];
        assert_eq!(again["status"], 200, "{name}: {again}");
        assert_eq!(again["has_access_token"], true, "{name}: {again}");
        assert_eq!(again["has_refresh_token"], false, "{name}: {again}");
    }
    assert_eq!(trace(s, "no_rotation_sign_out"), ["RevokeToken -> 200"]);
    refused(
        &plain["after_sign_out"]["initiate_auth"],
        &["NotAuthorizedException"],
        "REFRESH_TOKEN_AUTH with the revoked token",
    );

    // The emulator's own view of the user afterwards.
    let user = call_ok(
        &pool.url,
        "AdminGetUser",
        json!({"UserPoolId": pool.id, "Username": "alice"}),
    )
    .await;
    assert_eq!(user["PreferredMfaSetting"], "SOFTWARE_TOKEN_MFA", "{user}");
    assert_eq!(
        user["UserMFASettingList"],
        json!(["SOFTWARE_TOKEN_MFA"]),
        "{user}"
    );
    let name = user["UserAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Name"] == "name")
        .map(|a| a["Value"].clone());
    assert_eq!(name, Some(json!("Alice Amplify")), "{user}");
    let (status, forgotten) = call(
        &pool.url,
        "AdminGetDevice",
        json!({"UserPoolId": pool.id, "Username": "alice", "DeviceKey": device_key}),
    )
    .await;
    assert_eq!(status, 400, "{forgotten}");
    assert_eq!(
        forgotten["__type"], "ResourceNotFoundException",
        "{forgotten}"
    );
    // Both later devices were confirmed, never remembered (DeviceOnlyRememberedOnUserPrompt).
    assert!(
        listed_devices(&pool.url, &pool.id, "alice")
            .await
            .is_empty(),
        "no device remembered"
    );

    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sdk_v3_with_cognito_srp_helper_remembers_a_device_and_signs_in_with_it() {
    let emulator = Emulator::builder().start().await.unwrap();
    let pool = make_pool(&emulator.url()).await;
    make_user(&pool, "bob").await;

    let summary = run_node(
        &[
            "@aws-sdk/client-cognito-identity-provider",
            "cognito-srp-helper",
        ],
        "sdk_v3_srp_helper.mjs",
        (&pool, &pool.plain, "bob"),
        &[],
        SDK_TIMEOUT,
    )
    .await;
    let s = &summary;
    assert_eq!(
        s["client"],
        format!(
            "@aws-sdk/client-cognito-identity-provider {} + cognito-srp-helper {}",
            pinned_npm("@aws-sdk/client-cognito-identity-provider"),
            pinned_npm("cognito-srp-helper")
        ),
        "{s}"
    );

    // USER_SRP_AUTH, the helper's answer carrying SRP_A besides the proof
    assert_eq!(
        trace(s, "sign_in"),
        [PASSWORD_SIGN_IN[0], PASSWORD_SIGN_IN[1]],
        "{s}"
    );
    let keys = strings(&s["password_verifier_answer_keys"]);
    for key in [
        "PASSWORD_CLAIM_SECRET_BLOCK",
        "PASSWORD_CLAIM_SIGNATURE",
        "SRP_A",
        "TIMESTAMP",
        "USERNAME",
    ] {
        assert!(keys.iter().any(|k| k == key), "{key} not in {keys:?}");
    }
    let device_key = s["device_key"].as_str().unwrap().to_string();
    assert!(device_key.starts_with("us-east-1_"), "{device_key}");
    assert_eq!(
        s["sign_in"]["claims"]["device_key"],
        device_key.as_str(),
        "{s}"
    );
    assert_eq!(
        s["sign_in"]["claims"]["client_id"],
        pool.plain.as_str(),
        "{s}"
    );

    // ConfirmDevice with createDeviceVerifier's verifier, remembered on the user's prompt
    assert_eq!(
        trace(s, "remember_device"),
        [
            "ConfirmDevice -> 200",
            "UpdateDeviceStatus -> 200",
            "GetDevice -> 200",
            "ListDevices -> 200",
        ]
    );
    assert_eq!(s["user_confirmation_necessary"], true, "{s}");
    assert_eq!(s["device"]["remembered_status"], "remembered", "{s}");
    assert_eq!(s["device"]["name"], "sdk-v3-srp-helper", "{s}");
    assert_eq!(strings(&s["listed_devices"]), [device_key.as_str()]);

    // the device sign-in: both device proofs checked, the access token names the device
    assert_eq!(trace(s, "device_sign_in"), DEVICE_SIGN_IN, "{s}");
    assert_eq!(
        s["device_sign_in"]["claims"]["device_key"],
        device_key.as_str(),
        "{s}"
    );
    assert_eq!(s["device_sign_in"]["new_device_metadata"], false, "{s}");

    // GetTokensFromRefreshToken with the device (rotation off)
    assert_eq!(trace(s, "refresh"), REFRESHED, "{s}");
    assert_eq!(
        s["refresh"]["claims"]["device_key"],
        device_key.as_str(),
        "{s}"
    );
    assert_eq!(s["refresh"]["new_refresh_token"], false, "{s}");

    // a wrong device password: refused at DEVICE_PASSWORD_VERIFIER, as a wrong password
    assert_eq!(
        trace(s, "wrong_device_password"),
        [
            DEVICE_SIGN_IN[0],
            DEVICE_SIGN_IN[1],
            DEVICE_SIGN_IN[2],
            "RespondToAuthChallenge DEVICE_PASSWORD_VERIFIER -> NotAuthorizedException",
        ],
        "{s}"
    );
    assert_eq!(
        s["wrong_device_password"]["type"], "NotAuthorizedException",
        "{s}"
    );
    assert_eq!(
        s["wrong_device_password"]["message"], "Incorrect username or password.",
        "{s}"
    );
    assert_eq!(
        trace(s, "wrong_password"),
        [
            "InitiateAuth USER_SRP_AUTH -> PASSWORD_VERIFIER",
            "RespondToAuthChallenge PASSWORD_VERIFIER -> NotAuthorizedException",
        ],
        "{s}"
    );
    assert_eq!(s["wrong_password"]["type"], "NotAuthorizedException", "{s}");

    // The failed attempt did not cost the user the device.
    assert_eq!(
        listed_devices(&pool.url, &pool.id, "bob").await,
        [device_key]
    );

    emulator.shutdown().await;
}

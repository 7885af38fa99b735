//! `CognitoSrpClient` through the real `aws-sdk-cognitoidentityprovider` over HTTP, against the
//! workspace's emulator, which checks every user and device proof. Each test starts its own
//! emulator on a free port: password sign-in, remembering a device under each
//! `DeviceConfiguration`, device sign-in, TOTP with and without `ChallengeRequiredOnNewDevice`,
//! refresh bound to the device, a forgotten device, a wrong device password, an app client with a
//! secret, `ListDevices`, `NEW_PASSWORD_REQUIRED`, and that `Debug` shows no secret.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use aws_sdk_cognitoidentityprovider::types::MessageActionType;
use cognito_srp6a_emulator::{Emulator, EmulatorBuilder, RunningEmulator};
use cognito_srp6a_sdk::{CognitoSrpClient, Error, Refreshed, SignIn, SignedIn, StoredDevice};
use cognito_srp6a_test_support::{
    clock::unix_now,
    jwt::claims,
    sdk,
    totp::{self, RFC6238_SECRET, RFC6238_SECRET_BASE32},
};
use common::{DEVICE_CHALLENGES, signed_in};

const POOL: &str = "us-east-1_SdkTests";
const CLIENT: &str = "4sdktestsclient4";
const SECRET: &str = "the app client's secret";
const USER: &str = "alice";
const PASSWORD: &str = "correct horse battery staple";

fn builder() -> EmulatorBuilder {
    Emulator::builder()
        .pool_id(POOL)
        .client_id(CLIENT)
        .user(USER, PASSWORD)
}

async fn start(builder: EmulatorBuilder) -> (RunningEmulator, CognitoSrpClient) {
    let emulator = builder.start().await.unwrap();
    let client = CognitoSrpClient::new(sdk::client(&emulator.url()), POOL, CLIENT).unwrap();
    (emulator, client)
}

/// A first sign-in, then the device it was issued remembered (`remembered` is the user's answer
/// when the pool asks).
async fn sign_in_and_remember(client: &CognitoSrpClient, remembered: bool) -> StoredDevice {
    let first = signed_in(client.sign_in(USER, PASSWORD).send().await.unwrap());
    let metadata = first.new_device_metadata.as_ref().unwrap();
    let device = client
        .remember_device(&first.tokens.access_token, metadata)
        .device_name("integration test")
        .remembered(remembered)
        .send()
        .await
        .unwrap();
    assert_eq!(device.device_key, metadata.device_key);
    assert_eq!(device.device_group_key, metadata.device_group_key);
    device
}

/// The authenticator app's code now.
fn totp_now() -> String {
    totp::code(RFC6238_SECRET, unix_now())
}

/// The code of the next 30-second step (accepted as clock drift).
fn totp_next() -> String {
    totp::code(RFC6238_SECRET, unix_now() + 30)
}

/// An emulator of [`builder`] and its client, a device remembered (the user says yes when the
/// pool asks), and a sign-in through it.
async fn start_with_device() -> (RunningEmulator, CognitoSrpClient, StoredDevice, SignedIn) {
    let (emulator, client) = start(builder()).await;
    let device = sign_in_and_remember(&client, true).await;
    let signed_in = device_sign_in(&client, &device).await;
    (emulator, client, device, signed_in)
}

/// A first sign-in that passes MFA with the app's code, then the device it was issued
/// remembered (as the pool decides: no answer to its prompt).
async fn totp_sign_in_and_remember(client: &CognitoSrpClient) -> StoredDevice {
    let step = client.sign_in(USER, PASSWORD).send().await.unwrap();
    let SignIn::SoftwareTokenMfa(mfa) = step else {
        panic!("a new device must pass MFA, got {step:?}");
    };
    let first = signed_in(mfa.answer(&totp_now()).await.unwrap());
    client
        .remember_device(
            &first.tokens.access_token,
            first.new_device_metadata.as_ref().unwrap(),
        )
        .send()
        .await
        .unwrap()
}

/// A sign-in of the user with `device`, at whatever step it stops.
async fn sign_in_with_device(client: &CognitoSrpClient, device: &StoredDevice) -> SignIn {
    client
        .sign_in(USER, PASSWORD)
        .device(device)
        .send()
        .await
        .unwrap()
}

/// A sign-in of the user with `device` that ends with tokens.
async fn device_sign_in(client: &CognitoSrpClient, device: &StoredDevice) -> SignedIn {
    signed_in(sign_in_with_device(client, device).await)
}

/// `dev:device_remembered_status` of the device, by `GetDevice`.
async fn remembered_status(client: &CognitoSrpClient, access_token: &str, key: &str) -> String {
    let output = client
        .sdk_client()
        .get_device()
        .access_token(access_token)
        .device_key(key)
        .send()
        .await
        .unwrap();
    let device = output.device().unwrap();
    device
        .device_attributes()
        .iter()
        .find(|attribute| attribute.name() == "dev:device_remembered_status")
        .and_then(|attribute| attribute.value())
        .unwrap()
        .to_string()
}

/// The device challenges were answered and the tokens name the device.
fn assert_device_sign_in(signed_in: &SignedIn, device: &StoredDevice) {
    assert_eq!(signed_in.challenges, DEVICE_CHALLENGES);
    assert_eq!(signed_in.new_device_metadata, None);
    assert!(!signed_in.device_forgotten);
    let access = claims(&signed_in.tokens.access_token);
    assert_eq!(access["device_key"], device.device_key.as_str());
    assert_eq!(access["token_use"], "access");
}

#[test]
fn totp_matches_rfc_6238() {
    // RFC 6238 appendix B, SHA-1, the last six of the eight digits.
    assert_eq!(totp::code(RFC6238_SECRET, 59), "287082");
    assert_eq!(totp::code(RFC6238_SECRET, 1_111_111_109), "081804");
    assert_eq!(totp::code(RFC6238_SECRET, 1_234_567_890), "005924");
    assert_eq!(totp::code(RFC6238_SECRET, 2_000_000_000), "279037");
}

#[tokio::test(flavor = "multi_thread")]
async fn password_sign_in_issues_a_device() {
    let (emulator, client) = start(builder()).await;
    let signed_in = signed_in(client.sign_in(USER, PASSWORD).send().await.unwrap());
    assert_eq!(signed_in.challenges, ["PASSWORD_VERIFIER"]);
    assert!(!signed_in.device_forgotten);
    let metadata = signed_in.new_device_metadata.as_ref().unwrap();
    assert!(
        metadata.device_key.starts_with("us-east-1_"),
        "{metadata:?}"
    );
    assert!(!metadata.device_group_key.is_empty());
    let tokens = &signed_in.tokens;
    assert_eq!(tokens.token_type, "Bearer");
    assert!(tokens.expires_in > 0);
    assert!(tokens.refresh_token.is_some());
    let access = claims(&tokens.access_token);
    assert_eq!(access["username"], signed_in.username.as_str());
    assert_eq!(access["client_id"], CLIENT);
    assert_eq!(claims(&tokens.id_token)["token_use"], "id");
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_password_is_not_authorized() {
    let (emulator, client) = start(builder()).await;
    let error = client
        .sign_in(USER, "not the password")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("NotAuthorizedException"));
    assert_eq!(error.message(), Some("Incorrect username or password."));
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn remembered_device_signs_in_with_device_challenges() {
    let (emulator, client) = start(builder()).await;
    // Without DeviceOnlyRememberedOnUserPrompt, ConfirmDevice answers
    // UserConfirmationNecessary false: the device is remembered at once, whatever `remembered`.
    let device = sign_in_and_remember(&client, false).await;
    let second = device_sign_in(&client, &device).await;
    assert_device_sign_in(&second, &device);
    assert_eq!(
        remembered_status(&client, &second.tokens.access_token, &device.device_key).await,
        "remembered"
    );
    // And again: the device is not used up.
    let third = device_sign_in(&client, &device).await;
    assert_device_sign_in(&third, &device);
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn user_prompt_pool_remembers_the_device_the_user_accepts() {
    let (emulator, client) = start(builder().device_only_remembered_on_user_prompt(true)).await;
    let device = sign_in_and_remember(&client, true).await;
    let second = device_sign_in(&client, &device).await;
    assert_device_sign_in(&second, &device);
    assert_eq!(
        remembered_status(&client, &second.tokens.access_token, &device.device_key).await,
        "remembered"
    );
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn user_prompt_pool_does_not_remember_a_declined_device() {
    let (emulator, client) = start(builder().device_only_remembered_on_user_prompt(true)).await;
    let device = sign_in_and_remember(&client, false).await;
    // Confirmed but not remembered: no device challenges, and no new key either.
    let second = device_sign_in(&client, &device).await;
    assert_eq!(second.challenges, ["PASSWORD_VERIFIER"]);
    assert_eq!(second.new_device_metadata, None);
    assert!(!second.device_forgotten);
    let access_token = &second.tokens.access_token;
    assert_eq!(
        remembered_status(&client, access_token, &device.device_key).await,
        "not_remembered"
    );
    assert!(client.list_devices(access_token).await.unwrap().is_empty());
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn totp_user_answers_software_token_mfa() {
    let (emulator, client) = start(builder().totp(USER, RFC6238_SECRET_BASE32)).await;
    let step = client.sign_in(USER, PASSWORD).send().await.unwrap();
    let SignIn::SoftwareTokenMfa(mfa) = step else {
        panic!("expected SOFTWARE_TOKEN_MFA, got {step:?}");
    };
    assert_eq!(mfa.challenge_name(), "SOFTWARE_TOKEN_MFA");
    let signed_in = signed_in(mfa.answer(&totp_now()).await.unwrap());
    assert_eq!(
        signed_in.challenges,
        ["PASSWORD_VERIFIER", "SOFTWARE_TOKEN_MFA"]
    );
    assert!(signed_in.new_device_metadata.is_some());
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_totp_code_is_a_code_mismatch() {
    let (emulator, client) = start(builder().totp(USER, RFC6238_SECRET_BASE32)).await;
    let step = client.sign_in(USER, PASSWORD).send().await.unwrap();
    let SignIn::SoftwareTokenMfa(mfa) = step else {
        panic!("expected SOFTWARE_TOKEN_MFA, got {step:?}");
    };
    // A code of an hour ago is outside the accepted drift.
    let stale = totp::code(RFC6238_SECRET, unix_now() - 3600);
    let wrong = if stale == totp_now() {
        "000000".to_string()
    } else {
        stale
    };
    let error = mfa.answer(&wrong).await.unwrap_err();
    assert_eq!(error.code(), Some("CodeMismatchException"));
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn remembered_device_skips_mfa_when_challenge_required_on_new_device() {
    let (emulator, client) = start(
        builder()
            .totp(USER, RFC6238_SECRET_BASE32)
            .challenge_required_on_new_device(true),
    )
    .await;
    let device = totp_sign_in_and_remember(&client).await;
    let second = device_sign_in(&client, &device).await;
    assert_device_sign_in(&second, &device);
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn remembered_device_still_gets_mfa_without_challenge_required_on_new_device() {
    let (emulator, client) = start(builder().totp(USER, RFC6238_SECRET_BASE32)).await;
    let device = totp_sign_in_and_remember(&client).await;
    let step = sign_in_with_device(&client, &device).await;
    let SignIn::SoftwareTokenMfa(mfa) = step else {
        panic!("MFA must follow the device challenges, got {step:?}");
    };
    // A code is accepted once: the second sign-in types the app's next code.
    let second = signed_in(mfa.answer(&totp_next()).await.unwrap());
    assert_eq!(
        second.challenges,
        [
            "PASSWORD_VERIFIER",
            "DEVICE_SRP_AUTH",
            "DEVICE_PASSWORD_VERIFIER",
            "SOFTWARE_TOKEN_MFA"
        ]
    );
    assert_eq!(second.new_device_metadata, None);
    assert_eq!(
        claims(&second.tokens.access_token)["device_key"],
        device.device_key.as_str()
    );
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_needs_the_device() {
    let (emulator, client, device, signed_in) = start_with_device().await;
    let refresh_token = signed_in.tokens.refresh_token.clone().unwrap();
    let original = claims(&signed_in.tokens.access_token);

    let refreshed = client
        .refresh(&refresh_token)
        .device(&device)
        .send()
        .await
        .unwrap();
    let Refreshed::Kept(refreshed) = refreshed else {
        panic!("no rotation on this client, got {refreshed:?}");
    };
    assert_eq!(refreshed.refresh_token, None);
    let access = claims(&refreshed.access_token);
    assert_eq!(access["device_key"], device.device_key.as_str());
    assert_eq!(access["origin_jti"], original["origin_jti"]);
    assert_eq!(claims(&refreshed.id_token)["token_use"], "id");

    let error = client.refresh(&refresh_token).send().await.unwrap_err();
    assert_eq!(error.code(), Some("NotAuthorizedException"));
    assert_eq!(error.message(), Some("Invalid Refresh Token."));
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn forgotten_device_signs_in_again_without_it() {
    let (emulator, client, device, second) = start_with_device().await;
    client
        .forget_device(&second.tokens.access_token, &device.device_key)
        .await
        .unwrap();

    let third = device_sign_in(&client, &device).await;
    assert!(third.device_forgotten);
    assert_eq!(third.challenges, ["PASSWORD_VERIFIER"]);
    let metadata = third.new_device_metadata.as_ref().unwrap();
    assert_ne!(metadata.device_key, device.device_key);
    assert!(
        client
            .list_devices(&third.tokens.access_token)
            .await
            .unwrap()
            .is_empty()
    );
    // Forgetting ended the device's refresh tokens.
    let error = client
        .refresh(second.tokens.refresh_token.as_deref().unwrap())
        .device(&device)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("NotAuthorizedException"));
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_device_password_is_not_authorized() {
    let (emulator, client) = start(builder()).await;
    let device = sign_in_and_remember(&client, true).await;
    let mut impostor = device.clone();
    // Another device password of the same form (base64 of 40 bytes).
    impostor.device_password = "kR+yT5epOn8KOcNlEykBJEAYfvpTe6PFXpTlz1A5m4uxL7blEx7D5w==".into();
    assert_ne!(impostor.device_password, device.device_password);

    let error = client
        .sign_in(USER, PASSWORD)
        .device(&impostor)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("NotAuthorizedException"));
    assert_eq!(error.message(), Some("Incorrect username or password."));
    assert!(!error.is_device_not_found());
    assert_eq!(
        error.to_string(),
        "NotAuthorizedException: Incorrect username or password."
    );
    match &error {
        Error::Service(service) => assert!(
            matches!(
                **service,
                aws_sdk_cognitoidentityprovider::Error::NotAuthorizedException(_)
            ),
            "{service:?}"
        ),
        other => panic!("expected a service error, got {other:?}"),
    }
    // The real device still signs in.
    let again = device_sign_in(&client, &device).await;
    assert_device_sign_in(&again, &device);
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn client_with_a_secret_does_the_whole_flow() {
    let emulator = builder().client_secret(SECRET).start().await.unwrap();
    let url = emulator.url();
    let client = CognitoSrpClient::new(sdk::client(&url), POOL, CLIENT)
        .unwrap()
        .with_client_secret(SECRET);

    let device = sign_in_and_remember(&client, true).await;
    let second = device_sign_in(&client, &device).await;
    assert_device_sign_in(&second, &device);
    let refresh_token = second.tokens.refresh_token.as_deref().unwrap();
    let refreshed = client
        .refresh(refresh_token)
        .device(&device)
        .send()
        .await
        .unwrap();
    assert_eq!(
        claims(&refreshed.tokens().access_token)["device_key"],
        device.device_key.as_str()
    );
    let devices = client
        .list_devices(&second.tokens.access_token)
        .await
        .unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].device_key(), Some(device.device_key.as_str()));
    client
        .forget_device(&second.tokens.access_token, &device.device_key)
        .await
        .unwrap();
    let third = device_sign_in(&client, &device).await;
    assert!(third.device_forgotten);

    // The same client without the secret, and with another one, is refused.
    let without = CognitoSrpClient::new(sdk::client(&url), POOL, CLIENT).unwrap();
    let error = without.sign_in(USER, PASSWORD).send().await.unwrap_err();
    assert_eq!(error.code(), Some("NotAuthorizedException"));
    let wrong = without.clone().with_client_secret("another secret");
    let error = wrong.sign_in(USER, PASSWORD).send().await.unwrap_err();
    assert_eq!(error.code(), Some("NotAuthorizedException"));
    assert_eq!(
        error.message(),
        Some(format!("Unable to verify secret hash for client {CLIENT}").as_str())
    );
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn list_devices_lists_the_remembered_device() {
    let (emulator, client, device, second) = start_with_device().await;
    let devices = client
        .list_devices(&second.tokens.access_token)
        .await
        .unwrap();
    assert_eq!(devices.len(), 1, "{devices:?}");
    let listed = &devices[0];
    assert_eq!(listed.device_key(), Some(device.device_key.as_str()));
    let name = listed
        .device_attributes()
        .iter()
        .find(|attribute| attribute.name() == "device_name")
        .and_then(|attribute| attribute.value());
    assert_eq!(name, Some("integration test"));
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_created_user_sets_a_new_password() {
    let (emulator, client) = start(builder()).await;
    let created = sdk::admin_client(&emulator.url())
        .admin_create_user()
        .user_pool_id(POOL)
        .username("bob")
        .temporary_password("Temporary-Password-1")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.user().unwrap().user_status().unwrap().as_str(),
        "FORCE_CHANGE_PASSWORD"
    );

    let step = client
        .sign_in("bob", "Temporary-Password-1")
        .send()
        .await
        .unwrap();
    let SignIn::NewPasswordRequired(new_password) = step else {
        panic!("expected NEW_PASSWORD_REQUIRED, got {step:?}");
    };
    let signed_in = signed_in(new_password.answer("bob's own password").await.unwrap());
    assert_eq!(
        signed_in.challenges,
        ["PASSWORD_VERIFIER", "NEW_PASSWORD_REQUIRED"]
    );
    assert!(signed_in.new_device_metadata.is_some());

    let again = signed_in_with(&client, "bob", "bob's own password").await;
    assert_eq!(again.challenges, ["PASSWORD_VERIFIER"]);
    let error = client
        .sign_in("bob", "Temporary-Password-1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("NotAuthorizedException"));
    emulator.shutdown().await;
}

async fn signed_in_with(client: &CognitoSrpClient, username: &str, password: &str) -> SignedIn {
    signed_in(client.sign_in(username, password).send().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn debug_shows_no_secret() {
    let (emulator, client, device, signed_in) = start_with_device().await;
    let tokens = &signed_in.tokens;
    let secrets = [
        device.device_password.as_str(),
        tokens.access_token.as_str(),
        tokens.id_token.as_str(),
        tokens.refresh_token.as_deref().unwrap(),
    ];
    let device_debug = format!("{device:?}");
    assert!(device_debug.contains(&device.device_key), "{device_debug}");
    for shown in [
        device_debug,
        format!("{device:#?}"),
        format!("{tokens:?}"),
        format!("{tokens:#?}"),
        format!("{signed_in:?}"),
        format!("{signed_in:#?}"),
        format!("{client:?}"),
    ] {
        for secret in secrets {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(!shown.contains(PASSWORD), "{shown}");
    }

    // A step waiting for the app (its flow holds the device) shows no device password.
    let (emulator_mfa, mfa_client) = start(builder().totp(USER, RFC6238_SECRET_BASE32)).await;
    let secret_client = mfa_client.clone().with_client_secret(SECRET);
    let mfa_device = totp_sign_in_and_remember(&mfa_client).await;
    let step = sign_in_with_device(&mfa_client, &mfa_device).await;
    let shown = format!("{step:?}");
    assert!(matches!(step, SignIn::SoftwareTokenMfa(_)), "{shown}");
    assert!(!shown.contains(&mfa_device.device_password), "{shown}");
    assert!(!shown.contains(PASSWORD), "{shown}");
    assert!(!format!("{secret_client:?}").contains(SECRET));
    emulator_mfa.shutdown().await;
    emulator.shutdown().await;
}

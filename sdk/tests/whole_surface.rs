//! The rest of a sign-in's life through `CognitoSrpClient`, against the workspace's emulator
//! over HTTP: refresh on an app client that rotates refresh tokens (the rotated token works,
//! the old one is refused after the grace period, a declined device refreshes),
//! `USER_AUTH` and server-side sign-in through a remembered device, `MFA_SETUP` to the end,
//! `revoke` and `sign_out`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use aws_sdk_cognitoidentityprovider::{
    Client,
    types::{
        DeviceConfigurationType, ExplicitAuthFlowsType, RefreshTokenRotationType, UserPoolMfaType,
    },
};
use cognito_srp6a_emulator::{Emulator, ManualClock, RunningEmulator};
use cognito_srp6a_sdk::{AuthFlow, CognitoSrpClient, Refreshed, SignIn, SignedIn, StoredDevice};
use cognito_srp6a_test_support::{clock::unix_now, sdk, totp};
use common::{DEVICE_CHALLENGES, signed_in};

const USER: &str = "alice";
const PASSWORD: &str = "Correct horse 9 battery!";

/// The emulator on a clock the test moves, with an SDK client signed with dummy credentials
/// (the `Admin*` and control-plane calls are signed; the rest ignore it).
async fn start() -> (RunningEmulator, Client, ManualClock) {
    let clock = ManualClock::at(unix_now());
    let emulator = Emulator::builder()
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let sdk = sdk::admin_client(&emulator.url());
    (emulator, sdk, clock)
}

/// A pool tracking devices (remembered on the user's answer), MFA as `mfa`, a user, and an app
/// client rotating refresh tokens with a 10-second grace period.
async fn pool(sdk: &Client, mfa: UserPoolMfaType) -> CognitoSrpClient {
    let pool = sdk
        .create_user_pool()
        .pool_name("sdk")
        .mfa_configuration(mfa)
        .device_configuration(
            DeviceConfigurationType::builder()
                .challenge_required_on_new_device(true)
                .device_only_remembered_on_user_prompt(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_string();
    let client = sdk
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("app")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .refresh_token_rotation(
            RefreshTokenRotationType::builder()
                .feature("ENABLED".into())
                .retry_grace_period_seconds(10)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let client_id = client
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_string();
    sdk.admin_create_user()
        .user_pool_id(&pool_id)
        .username(USER)
        .temporary_password(PASSWORD)
        .send()
        .await
        .unwrap();
    sdk.admin_set_user_password()
        .user_pool_id(&pool_id)
        .username(USER)
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
    CognitoSrpClient::new(sdk.clone(), pool_id, client_id).unwrap()
}

/// A sign-in of the user with `device` that ends with tokens.
async fn device_sign_in(cognito: &CognitoSrpClient, device: &StoredDevice) -> SignedIn {
    signed_in(
        cognito
            .sign_in(USER, PASSWORD)
            .device(device)
            .send()
            .await
            .unwrap(),
    )
}

async fn remember(cognito: &CognitoSrpClient, first: &SignedIn) -> StoredDevice {
    cognito
        .remember_device(
            &first.tokens.access_token,
            first.new_device_metadata.as_ref().unwrap(),
        )
        .device_name("sdk test")
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_with_rotation_and_a_declined_device() {
    let (_emulator, sdk, clock) = start().await;
    let cognito = pool(&sdk, UserPoolMfaType::Off).await;
    let first = signed_in(cognito.sign_in(USER, PASSWORD).send().await.unwrap());
    let device = remember(&cognito, &first).await;
    let second = device_sign_in(&cognito, &device).await;
    assert_eq!(second.challenges, DEVICE_CHALLENGES);
    assert_eq!(second.device_key(), Some(device.device_key.as_str()));
    let old = second.tokens.refresh_token.clone().unwrap();
    let refreshed = cognito.refresh(&old).device(&device).send().await.unwrap();
    let Refreshed::Rotated(rotated) = refreshed else {
        panic!("the client rotates, got {refreshed:?}");
    };
    let new = rotated.refresh_token.clone().unwrap();
    assert_ne!(new, old);
    // The old token works for the grace period, then not; the rotated one works.
    clock.advance(11);
    let error = cognito
        .refresh(&old)
        .device(&device)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("RefreshTokenReuseException"), "{error}");
    assert!(error.is_service_error());
    let again = cognito.refresh(&new).device(&device).send().await.unwrap();
    assert!(matches!(again, Refreshed::Rotated(_)), "{again:?}");

    // A device the user declined still names the tokens: its key refreshes them.
    let third = signed_in(cognito.sign_in(USER, PASSWORD).send().await.unwrap());
    let declined = third.new_device_metadata.clone().unwrap();
    cognito
        .remember_device(&third.tokens.access_token, &declined)
        .remembered(false)
        .send()
        .await
        .unwrap();
    let refresh_token = third.tokens.refresh_token.clone().unwrap();
    let outcome = cognito
        .refresh(&refresh_token)
        .device_key(third.device_key().unwrap())
        .send()
        .await
        .unwrap();
    assert!(matches!(outcome, Refreshed::Rotated(_)), "{outcome:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn user_auth_and_server_side_sign_in_through_a_device() {
    let (_emulator, sdk, _clock) = start().await;
    let cognito = pool(&sdk, UserPoolMfaType::Off).await;
    let first = signed_in(
        cognito
            .sign_in(USER, PASSWORD)
            .auth_flow(AuthFlow::UserAuth)
            .send()
            .await
            .unwrap(),
    );
    assert_eq!(first.challenges, ["PASSWORD_VERIFIER"]);
    let device = remember(&cognito, &first).await;
    let choice = signed_in(
        cognito
            .sign_in(USER, PASSWORD)
            .auth_flow(AuthFlow::UserAuth)
            .device(&device)
            .send()
            .await
            .unwrap(),
    );
    assert_eq!(choice.challenges, DEVICE_CHALLENGES);
    // From a back end: AdminInitiateAuth and AdminRespondToAuthChallenge, signed.
    let server = signed_in(
        cognito
            .sign_in(USER, PASSWORD)
            .device(&device)
            .server_side()
            .send()
            .await
            .unwrap(),
    );
    assert_eq!(server.challenges, DEVICE_CHALLENGES);
    // A wrong password is the service's refusal, not another kind of error.
    let error = cognito
        .sign_in(USER, "wrong password")
        .server_side()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("NotAuthorizedException"));

    // revoke: the refresh token and its access token end; sign_out ends the rest.
    cognito
        .revoke(server.tokens.refresh_token.as_deref().unwrap())
        .await
        .unwrap();
    let error = cognito
        .refresh(server.tokens.refresh_token.as_deref().unwrap())
        .device(&device)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.message(), Some("Refresh Token has been revoked"));
    cognito.sign_out(&choice.tokens.access_token).await.unwrap();
    let error = cognito
        .refresh(choice.tokens.refresh_token.as_deref().unwrap())
        .device(&device)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.message(), Some("Refresh Token has been revoked"));
}

#[tokio::test(flavor = "multi_thread")]
async fn mfa_setup_completes_and_the_device_then_stands_in() {
    let (_emulator, sdk, clock) = start().await;
    let cognito = pool(&sdk, UserPoolMfaType::On).await;
    let step = cognito.sign_in(USER, PASSWORD).send().await.unwrap();
    let SignIn::MfaSetup(setup) = step else {
        panic!("the pool requires MFA, got {step:?}");
    };
    let (secret, verify) = setup.associate().await.unwrap();
    assert_eq!(format!("{secret:?}"), "TotpSecret(..)");
    let now = cognito_srp6a_emulator::Clock::now(&clock);
    let first = signed_in(
        verify
            .verify(&totp::code_base32(secret.expose(), now))
            .await
            .unwrap(),
    );
    assert_eq!(first.challenges, ["PASSWORD_VERIFIER", "MFA_SETUP"]);
    let device = remember(&cognito, &first).await;
    // Without the device the code is asked; with it, the device stands in.
    let step = cognito.sign_in(USER, PASSWORD).send().await.unwrap();
    let SignIn::SoftwareTokenMfa(mfa) = step else {
        panic!("expected SOFTWARE_TOKEN_MFA, got {step:?}");
    };
    signed_in(
        mfa.answer(&totp::code_base32(secret.expose(), now + 30))
            .await
            .unwrap(),
    );
    let through_device = device_sign_in(&cognito, &device).await;
    assert_eq!(through_device.challenges, DEVICE_CHALLENGES);
}

//! The control plane through the real `aws-sdk-cognitoidentityprovider`, so every answer is
//! read by the SDK's own model: `CreateUserPool` … `DeleteUserPool`, the MFA settings, app
//! clients, and each pool and client setting taking effect in a whole SRP sign-in (made by
//! `cognito-srp6a` over raw JSON, `common::sign_in`). Raw JSON also sends what the SDK could not
//! (wrong JSON types, missing members, malformed ids), which must come back in the service's
//! error shape. Then tokens per pool (issuer, JWKS, routing by `iss`) and a state file across a
//! restart.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use aws_sdk_cognitoidentityprovider::{
    Client,
    config::Region,
    error::{DisplayErrorContext, ProvideErrorMetadata, SdkError},
    operation::{
        create_user_pool::builders::CreateUserPoolFluentBuilder,
        get_user_pool_mfa_config::GetUserPoolMfaConfigOutput,
        set_user_pool_mfa_config::SetUserPoolMfaConfigOutput,
    },
    types::{
        AdminCreateUserConfigType, AttributeType, AuthFlowType, ChallengeNameType,
        DeletionProtectionType, DeviceConfigurationType, ExplicitAuthFlowsType, LambdaConfigType,
        MessageActionType, PasswordPolicyType, SoftwareTokenMfaConfigType, TimeUnitsType,
        TokenValidityUnitsType, UserPoolClientType, UserPoolMfaType, UserPoolPolicyType,
        UserPoolType, UserStatusType, UsernameAttributeType, VerifiedAttributeType,
        VerifySoftwareTokenResponseType,
    },
};
use base64::Engine as _;
use cognito_srp6a_emulator::{Emulator, RunningEmulator};
use cognito_srp6a_test_support::{self as test_support, clock::unix_now, jwt::claims, totp};
use common::{Api, Device, password_step, remember, sign_in};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

/// Meets the service's default policy (8 characters, upper, lower, digit, symbol).
const PASSWORD: &str = "Correct-Horse-Battery-9";
const PRE_SIGN_UP: &str = "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up";
const UNKNOWN_POOL: &str = "us-east-1_Nope12345";

/// An emulator with no pool yet, and an SDK client of it for us-east-1.
async fn start() -> (RunningEmulator, Client) {
    let emulator = Emulator::builder().start().await.unwrap();
    let sdk = sdk(&emulator.url(), "us-east-1");
    (emulator, sdk)
}

/// An SDK client for the emulator, signing with static test credentials for `region`.
fn sdk(url: &str, region: &'static str) -> Client {
    let config = test_support::sdk::config(url)
        .region(Region::new(region))
        .credentials_provider(test_support::sdk::test_credentials())
        .build();
    Client::from_conf(config)
}

/// The error code and message of a refused SDK call; anything but a service error fails.
fn refusal<E, R>(error: SdkError<E, R>) -> (String, String)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match error.code() {
        Some(code) => (
            code.to_string(),
            error.message().unwrap_or_default().to_string(),
        ),
        None => panic!("not a service error: {}", DisplayErrorContext(&error)),
    }
}

/// The refusal of an SDK request that must fail: `refused!(sdk.operation().member(..))` sends
/// it and gives [`refusal`] of its error.
macro_rules! refused {
    ($request:expr) => {
        refusal($request.send().await.unwrap_err())
    };
}

fn pair(code: &str, message: &str) -> (String, String) {
    (code.to_string(), message.to_string())
}

/// `<region>_` and 9 letters or digits.
fn is_pool_id(id: &str, region: &str) -> bool {
    id.split_once('_').is_some_and(|(r, suffix)| {
        r == region && suffix.len() == 9 && suffix.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// `len` characters of `[a-z0-9]`.
fn is_lower_alnum(text: &str, len: usize) -> bool {
    text.len() == len
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

fn device_configuration(challenge: bool, prompt: bool) -> DeviceConfigurationType {
    DeviceConfigurationType::builder()
        .challenge_required_on_new_device(challenge)
        .device_only_remembered_on_user_prompt(prompt)
        .build()
}

/// `DescribeUserPool` of a pool that must exist.
async fn described_pool(sdk: &Client, id: &str) -> UserPoolType {
    let output = sdk
        .describe_user_pool()
        .user_pool_id(id)
        .send()
        .await
        .unwrap();
    output.user_pool().unwrap().clone()
}

/// `DescribeUserPoolClient` of an app client that must exist.
async fn described_client(sdk: &Client, pool_id: &str, client_id: &str) -> UserPoolClientType {
    let output = sdk
        .describe_user_pool_client()
        .user_pool_id(pool_id)
        .client_id(client_id)
        .send()
        .await
        .unwrap();
    output.user_pool_client().unwrap().clone()
}

/// Sends a `CreateUserPool` that must succeed; the new pool's id.
async fn created_pool_id(request: CreateUserPoolFluentBuilder) -> String {
    let output = request.send().await.unwrap();
    output.user_pool().unwrap().id().unwrap().to_string()
}

/// A pool with the service's defaults, and device tracking when `devices`.
async fn create_pool(sdk: &Client, name: &str, devices: bool) -> String {
    let mut request = sdk.create_user_pool().pool_name(name);
    if devices {
        request = request.device_configuration(device_configuration(false, false));
    }
    created_pool_id(request).await
}

/// An app client of `pool_id`: its id, and its secret when `secret`.
async fn create_client(sdk: &Client, pool_id: &str, secret: bool) -> (String, Option<String>) {
    let output = sdk
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name("app")
        .generate_secret(secret)
        .send()
        .await
        .unwrap();
    let client = output.user_pool_client().unwrap();
    (
        client.client_id().unwrap().to_string(),
        client.client_secret().map(str::to_string),
    )
}

/// `AdminCreateUser` and a permanent `AdminSetUserPassword`: the user's internal name.
async fn create_user(
    sdk: &Client,
    pool_id: &str,
    username: &str,
    attributes: &[(&str, &str)],
) -> String {
    let mut request = sdk
        .admin_create_user()
        .user_pool_id(pool_id)
        .username(username)
        .message_action(MessageActionType::Suppress);
    for (name, value) in attributes {
        request = request.user_attributes(
            AttributeType::builder()
                .name(*name)
                .value(*value)
                .build()
                .unwrap(),
        );
    }
    let created = request.send().await.unwrap();
    sdk.admin_set_user_password()
        .user_pool_id(pool_id)
        .username(username)
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
    created.user().unwrap().username().unwrap().to_string()
}

/// A pool (device tracking when `devices`), a client without a secret and the user `alice`.
async fn pool_with_alice(emulator: &RunningEmulator, sdk: &Client, devices: bool) -> Api {
    let pool_id = create_pool(sdk, "with alice", devices).await;
    let (client_id, _) = create_client(sdk, &pool_id, false).await;
    create_user(sdk, &pool_id, "alice", &[]).await;
    Api::new(emulator.url(), &pool_id, &client_id, None)
}

/// A JWT with one claim of its payload replaced and its signature kept.
fn with_claim(jwt: &str, claim: &str, value: &str) -> String {
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut payload = claims(jwt);
    payload[claim] = json!(value);
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload.to_string());
    format!("{}.{encoded}.{}", parts[0], parts[2])
}

/// Seconds from a token's `iat` to its `exp`.
fn lifetime(jwt: &str) -> i64 {
    let claims = claims(jwt);
    claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap()
}

// ---------------------------------------------------------------- 1. user pools

#[tokio::test(flavor = "multi_thread")]
async fn create_user_pool_returns_every_member_and_describe_user_pool_too() {
    let (emulator, sdk) = start().await;
    let before = unix_now();
    let created = sdk
        .create_user_pool()
        .pool_name("every member")
        .device_configuration(device_configuration(true, true))
        .mfa_configuration(UserPoolMfaType::Optional)
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(10)
                        .require_uppercase(false)
                        .require_lowercase(true)
                        .require_numbers(true)
                        .require_symbols(false)
                        .temporary_password_validity_days(3)
                        .build(),
                )
                .build(),
        )
        .user_pool_tags("team", "identity")
        .user_pool_tags("stage", "test")
        .lambda_config(LambdaConfigType::builder().pre_sign_up(PRE_SIGN_UP).build())
        .email_verification_message("Your code is {####}")
        .email_verification_subject("Your code")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .admin_create_user_config(
            AdminCreateUserConfigType::builder()
                .allow_admin_create_user_only(true)
                .build(),
        )
        .deletion_protection(DeletionProtectionType::Inactive)
        .send()
        .await
        .unwrap();
    let after = unix_now();
    let id = created.user_pool().unwrap().id().unwrap().to_string();
    assert!(is_pool_id(&id, "us-east-1"), "{id}");

    let described = described_pool(&sdk, &id).await;
    for pool in [created.user_pool().unwrap(), &described] {
        assert_eq!(pool.id(), Some(id.as_str()));
        assert_eq!(pool.name(), Some("every member"));
        let devices = pool.device_configuration().expect("DeviceConfiguration");
        assert!(devices.challenge_required_on_new_device());
        assert!(devices.device_only_remembered_on_user_prompt());
        assert_eq!(pool.mfa_configuration(), Some(&UserPoolMfaType::Optional));
        let policy = pool.policies().unwrap().password_policy().unwrap();
        assert_eq!(policy.minimum_length(), Some(10));
        assert!(!policy.require_uppercase());
        assert!(policy.require_lowercase());
        assert!(policy.require_numbers());
        assert!(!policy.require_symbols());
        assert_eq!(policy.temporary_password_validity_days(), 3);
        let tags: HashMap<String, String> = HashMap::from([
            ("team".into(), "identity".into()),
            ("stage".into(), "test".into()),
        ]);
        assert_eq!(pool.user_pool_tags(), Some(&tags));
        assert_eq!(
            pool.lambda_config().unwrap().pre_sign_up(),
            Some(PRE_SIGN_UP)
        );
        // Members the emulator only keeps come back as given.
        assert_eq!(
            pool.email_verification_message(),
            Some("Your code is {####}")
        );
        assert_eq!(pool.email_verification_subject(), Some("Your code"));
        assert_eq!(
            pool.auto_verified_attributes(),
            [VerifiedAttributeType::Email]
        );
        assert!(
            pool.admin_create_user_config()
                .unwrap()
                .allow_admin_create_user_only()
        );
        assert_eq!(
            pool.deletion_protection(),
            Some(&DeletionProtectionType::Inactive)
        );
        let arn = pool.arn().unwrap();
        assert!(
            arn.starts_with("arn:aws:cognito-idp:us-east-1:")
                && arn.ends_with(&format!(":userpool/{id}")),
            "{arn}"
        );
        let created_at = pool.creation_date().unwrap().secs();
        assert!((before..=after).contains(&created_at), "{created_at}");
        assert_eq!(pool.last_modified_date().unwrap().secs(), created_at);
        assert_eq!(pool.estimated_number_of_users(), 0);
    }
    create_user(&sdk, &id, "alice", &[]).await;
    let described = described_pool(&sdk, &id).await;
    assert_eq!(described.estimated_number_of_users(), 1);

    // The region is the one the request was signed for.
    let paris = self::sdk(&emulator.url(), "eu-west-3");
    let paris_id = create_pool(&paris, "paris", false).await;
    assert!(is_pool_id(&paris_id, "eu-west-3"), "{paris_id}");
    // Made without DeviceConfiguration: none is described, and the defaults are.
    let pool = described_pool(&sdk, &paris_id).await;
    assert!(pool.arn().unwrap().contains(":eu-west-3:"));
    assert!(pool.device_configuration().is_none());
    assert_eq!(pool.mfa_configuration(), Some(&UserPoolMfaType::Off));
    let policy = pool.policies().unwrap().password_policy().unwrap();
    assert_eq!(policy.minimum_length(), Some(8));
    assert!(
        policy.require_uppercase()
            && policy.require_lowercase()
            && policy.require_numbers()
            && policy.require_symbols()
    );
    assert!(pool.email_verification_message().is_none());
    assert!(
        pool.lambda_config()
            .is_none_or(|l| l.pre_sign_up().is_none())
    );

    // Unsigned, a pool is made in the emulator's region.
    let raw = Api::new(emulator.url(), "", "", None);
    let made = raw
        .call("CreateUserPool", json!({ "PoolName": "unsigned" }))
        .await
        .unwrap();
    let unsigned_id = made["UserPool"]["Id"].as_str().unwrap();
    assert!(is_pool_id(unsigned_id, "us-east-1"), "{unsigned_id}");
    assert!(made["UserPool"].get("DeviceConfiguration").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn update_user_pool_replaces_the_settings_and_keeps_the_pool() {
    let (emulator, sdk) = start().await;
    let id = created_pool_id(
        sdk.create_user_pool()
            .pool_name("before update")
            .device_configuration(device_configuration(true, false))
            .mfa_configuration(UserPoolMfaType::Optional)
            .policies(
                UserPoolPolicyType::builder()
                    .password_policy(PasswordPolicyType::builder().minimum_length(12).build())
                    .build(),
            )
            .user_pool_tags("team", "identity")
            .lambda_config(LambdaConfigType::builder().pre_sign_up(PRE_SIGN_UP).build())
            .email_verification_message("Your code is {####}"),
    )
    .await;
    let (client_id, _) = create_client(&sdk, &id, false).await;
    create_user(&sdk, &id, "alice", &[]).await;
    let api = Api::new(emulator.url(), &id, &client_id, None);
    let tracked = sign_in(&api, "alice", PASSWORD, None, None).await.unwrap();
    assert!(tracked.new_device().is_some());
    let created_at = sdk
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap()
        .user_pool()
        .unwrap()
        .creation_date()
        .unwrap()
        .secs();

    sdk.update_user_pool()
        .user_pool_id(&id)
        .mfa_configuration(UserPoolMfaType::Off)
        .email_verification_subject("Only this")
        .send()
        .await
        .unwrap();
    let pool = described_pool(&sdk, &id).await;
    assert_eq!(pool.id(), Some(id.as_str()));
    assert_eq!(pool.name(), Some("before update"), "no PoolName keeps it");
    // Every member left out is back to its default.
    assert!(pool.device_configuration().is_none());
    assert_eq!(pool.mfa_configuration(), Some(&UserPoolMfaType::Off));
    let policy = pool.policies().unwrap().password_policy().unwrap();
    assert_eq!(policy.minimum_length(), Some(8));
    assert!(policy.require_symbols() && policy.require_uppercase());
    assert!(pool.user_pool_tags().is_none_or(HashMap::is_empty));
    assert!(
        pool.lambda_config()
            .is_none_or(|l| l.pre_sign_up().is_none())
    );
    assert!(pool.email_verification_message().is_none());
    assert_eq!(pool.email_verification_subject(), Some("Only this"));
    assert_eq!(pool.creation_date().unwrap().secs(), created_at);
    assert!(pool.last_modified_date().unwrap().secs() >= created_at);
    assert_eq!(pool.estimated_number_of_users(), 1, "users stay");

    // Its client and user still sign in, now without device tracking.
    let untracked = sign_in(&api, "alice", PASSWORD, None, None).await.unwrap();
    assert!(untracked.new_device().is_none(), "{:?}", untracked.result);

    // A rename, and device tracking back.
    sdk.update_user_pool()
        .user_pool_id(&id)
        .pool_name("after update")
        .device_configuration(device_configuration(false, false))
        .send()
        .await
        .unwrap();
    let described = described_pool(&sdk, &id).await;
    assert_eq!(described.name(), Some("after update"));
    assert!(described.device_configuration().is_some());
    let tracked = sign_in(&api, "alice", PASSWORD, None, None).await.unwrap();
    assert!(tracked.new_device().is_some());

    assert_eq!(
        refused!(sdk.update_user_pool().user_pool_id(UNKNOWN_POOL)),
        pair(
            "ResourceNotFoundException",
            &format!("User pool {UNKNOWN_POOL} does not exist.")
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn list_user_pools_pages_through_next_token() {
    let (_emulator, sdk) = start().await;
    let mut made = HashSet::new();
    for name in ["first", "second", "third"] {
        made.insert(create_pool(&sdk, name, false).await);
    }

    // By hand: one pool a page, each page but the last with a NextToken.
    let mut pages: Vec<Vec<String>> = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = sdk
            .list_user_pools()
            .max_results(1)
            .set_next_token(token.clone())
            .send()
            .await
            .unwrap();
        for pool in page.user_pools() {
            assert!(pool.name().is_some() && pool.creation_date().is_some());
        }
        pages.push(
            page.user_pools()
                .iter()
                .map(|p| p.id().unwrap().to_string())
                .collect(),
        );
        token = page.next_token().map(str::to_string);
        if token.is_none() || pages.len() > 3 {
            break;
        }
    }
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert!(pages.iter().all(|page| page.len() == 1), "{pages:?}");
    let listed: Vec<String> = pages.concat();
    assert_eq!(listed.iter().cloned().collect::<HashSet<_>>(), made);

    // The SDK's paginator walks the same pages.
    let items = sdk
        .list_user_pools()
        .max_results(1)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    let by_paginator: Vec<String> = items.iter().map(|p| p.id().unwrap().to_string()).collect();
    assert_eq!(by_paginator, listed);

    let all = sdk.list_user_pools().max_results(60).send().await.unwrap();
    assert_eq!(all.user_pools().len(), 3);
    assert!(all.next_token().is_none());

    for (max, message) in [
        (
            0,
            "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
        ),
        (
            61,
            "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60",
        ),
    ] {
        assert_eq!(
            refused!(sdk.list_user_pools().max_results(max)),
            pair("InvalidParameterException", message)
        );
    }
    assert_eq!(
        refused!(
            sdk.list_user_pools()
                .max_results(1)
                .next_token("not-a-token")
        )
        .0,
        "InvalidParameterException"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_user_pool_takes_everything_and_deletion_protection_refuses() {
    let (emulator, sdk) = start().await;
    let api = pool_with_alice(&emulator, &sdk, true).await;
    let id = api.pool_id.clone();
    sign_in(&api, "alice", PASSWORD, None, None).await.unwrap();

    sdk.delete_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap();
    let gone = pair(
        "ResourceNotFoundException",
        &format!("User pool {id} does not exist."),
    );
    assert_eq!(refused!(sdk.describe_user_pool().user_pool_id(&id)), gone);
    assert_eq!(refused!(sdk.delete_user_pool().user_pool_id(&id)), gone);
    assert_eq!(
        refused!(
            sdk.describe_user_pool_client()
                .user_pool_id(&id)
                .client_id(&api.client_id)
        ),
        gone
    );
    // Its app client went with it.
    let refused = sign_in(&api, "alice", PASSWORD, None, None)
        .await
        .unwrap_err();
    assert!(
        refused.is(
            "ResourceNotFoundException",
            &format!("User pool client {} does not exist.", api.client_id)
        ),
        "{refused:?}"
    );
    let jwks = reqwest::get(format!("{}/{id}/.well-known/jwks.json", emulator.url()))
        .await
        .unwrap();
    assert_eq!(jwks.status(), 404);
    let listed = sdk.list_user_pools().max_results(60).send().await.unwrap();
    assert!(listed.user_pools().is_empty());

    // Deletion protection.
    let protected = created_pool_id(
        sdk.create_user_pool()
            .pool_name("protected")
            .deletion_protection(DeletionProtectionType::Active),
    )
    .await;
    let (code, message) = refused!(sdk.delete_user_pool().user_pool_id(&protected));
    assert_eq!(code, "InvalidParameterException");
    assert!(message.contains("deletion protection"), "{message}");
    let still = described_pool(&sdk, &protected).await;
    assert_eq!(
        still.deletion_protection(),
        Some(&DeletionProtectionType::Active)
    );
    sdk.update_user_pool()
        .user_pool_id(&protected)
        .deletion_protection(DeletionProtectionType::Inactive)
        .send()
        .await
        .unwrap();
    sdk.delete_user_pool()
        .user_pool_id(&protected)
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused!(sdk.describe_user_pool().user_pool_id(&protected)).0,
        "ResourceNotFoundException"
    );
}

// ---------------------------------------------------------------- 2. app clients

#[tokio::test(flavor = "multi_thread")]
async fn app_clients_are_created_described_listed_updated_and_deleted() {
    let (_emulator, sdk) = start().await;
    let pool_id = create_pool(&sdk, "clients", false).await;

    let plain = sdk
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("web")
        .send()
        .await
        .unwrap();
    let plain = plain.user_pool_client().unwrap();
    let plain_id = plain.client_id().unwrap().to_string();
    assert!(is_lower_alnum(&plain_id, 26), "{plain_id}");
    assert!(plain.client_secret().is_none());
    assert_eq!(plain.user_pool_id(), Some(pool_id.as_str()));
    assert_eq!(plain.client_name(), Some("web"));
    assert!(plain.creation_date().is_some() && plain.last_modified_date().is_some());
    // The service's defaults: 60 minutes, 60 minutes, 30 days.
    assert_eq!(plain.access_token_validity(), Some(60));
    assert_eq!(plain.id_token_validity(), Some(60));
    assert_eq!(plain.refresh_token_validity(), 30);
    let units = plain.token_validity_units().unwrap();
    assert_eq!(units.access_token(), Some(&TimeUnitsType::Minutes));
    assert_eq!(units.id_token(), Some(&TimeUnitsType::Minutes));
    assert_eq!(units.refresh_token(), Some(&TimeUnitsType::Days));

    let (secret_id, secret) = create_client(&sdk, &pool_id, true).await;
    let secret = secret.expect("GenerateSecret makes a secret");
    assert!(is_lower_alnum(&secret_id, 26), "{secret_id}");
    assert!(is_lower_alnum(&secret, 51), "{secret}");
    assert_ne!(secret_id, plain_id);
    let described = described_client(&sdk, &pool_id, &secret_id).await;
    assert_eq!(described.client_secret(), Some(secret.as_str()));
    let (third_id, _) = create_client(&sdk, &pool_id, false).await;

    // Listed a page at a time, by hand and by the paginator.
    let made: HashSet<String> = [plain_id.clone(), secret_id.clone(), third_id.clone()].into();
    let mut listed = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..4 {
        let page = sdk
            .list_user_pool_clients()
            .user_pool_id(&pool_id)
            .max_results(1)
            .set_next_token(token.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(page.user_pool_clients().len(), 1);
        let client = &page.user_pool_clients()[0];
        assert_eq!(client.user_pool_id(), Some(pool_id.as_str()));
        listed.push(client.client_id().unwrap().to_string());
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(listed.len(), 3);
    assert_eq!(listed.iter().cloned().collect::<HashSet<_>>(), made);
    let by_paginator: Vec<String> = sdk
        .list_user_pool_clients()
        .user_pool_id(&pool_id)
        .max_results(1)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap()
        .iter()
        .map(|c| c.client_id().unwrap().to_string())
        .collect();
    assert_eq!(by_paginator, listed);
    assert_eq!(
        refused!(
            sdk.list_user_pool_clients()
                .user_pool_id(&pool_id)
                .max_results(61)
        )
        .0,
        "InvalidParameterException"
    );

    // An update replaces the settings and keeps the id and the secret.
    let updated = sdk
        .update_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&secret_id)
        .client_name("renamed")
        .access_token_validity(2)
        .token_validity_units(
            TokenValidityUnitsType::builder()
                .access_token(TimeUnitsType::Hours)
                .build(),
        )
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap();
    let client = updated.user_pool_client().unwrap();
    assert_eq!(client.client_id(), Some(secret_id.as_str()));
    assert_eq!(client.client_name(), Some("renamed"));
    assert_eq!(client.client_secret(), Some(secret.as_str()));
    assert_eq!(client.access_token_validity(), Some(2));
    assert_eq!(
        client.token_validity_units().unwrap().access_token(),
        Some(&TimeUnitsType::Hours)
    );
    assert_eq!(
        client.explicit_auth_flows(),
        [
            ExplicitAuthFlowsType::AllowUserSrpAuth,
            ExplicitAuthFlowsType::AllowRefreshTokenAuth
        ]
    );
    sdk.update_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&secret_id)
        .send()
        .await
        .unwrap();
    let client = described_client(&sdk, &pool_id, &secret_id).await;
    assert_eq!(
        client.client_name(),
        Some("renamed"),
        "no ClientName keeps it"
    );
    assert_eq!(client.client_secret(), Some(secret.as_str()));
    assert_eq!(client.access_token_validity(), Some(60), "back to default");
    assert_eq!(
        client.token_validity_units().unwrap().access_token(),
        Some(&TimeUnitsType::Minutes)
    );
    assert!(client.explicit_auth_flows().is_empty());

    // Deleted: gone from Describe and List; a client of another pool is not found either.
    sdk.delete_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&plain_id)
        .send()
        .await
        .unwrap();
    let gone = pair(
        "ResourceNotFoundException",
        &format!("User pool client {plain_id} does not exist."),
    );
    assert_eq!(
        refused!(
            sdk.describe_user_pool_client()
                .user_pool_id(&pool_id)
                .client_id(&plain_id)
        ),
        gone
    );
    assert_eq!(
        refused!(
            sdk.delete_user_pool_client()
                .user_pool_id(&pool_id)
                .client_id(&plain_id)
        ),
        gone
    );
    let left = sdk
        .list_user_pool_clients()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(left.user_pool_clients().len(), 2);
    let other_pool = create_pool(&sdk, "other", false).await;
    assert_eq!(
        refused!(
            sdk.describe_user_pool_client()
                .user_pool_id(&other_pool)
                .client_id(&secret_id)
        ),
        pair(
            "ResourceNotFoundException",
            &format!("User pool client {secret_id} does not exist.")
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn token_validity_of_the_client_sets_expires_in_and_the_tokens_lifetimes() {
    let (emulator, sdk) = start().await;
    let pool_id = create_pool(&sdk, "validity", false).await;
    create_user(&sdk, &pool_id, "alice", &[]).await;
    let (default_id, _) = create_client(&sdk, &pool_id, false).await;
    let custom = sdk
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("short")
        .access_token_validity(10)
        .id_token_validity(15)
        .token_validity_units(
            TokenValidityUnitsType::builder()
                .access_token(TimeUnitsType::Minutes)
                .id_token(TimeUnitsType::Minutes)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let custom_id = custom
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_string();
    // A validity without a unit is in hours.
    let hours = sdk
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("hours")
        .access_token_validity(2)
        .send()
        .await
        .unwrap();
    let hours_id = hours
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_string();

    for (client_id, access, id) in [
        (&default_id, 3600, 3600),
        (&custom_id, 600, 900),
        (&hours_id, 7200, 3600),
    ] {
        let api = Api::new(emulator.url(), &pool_id, client_id, None);
        let signed_in = sign_in(&api, "alice", PASSWORD, None, None).await.unwrap();
        let result = &signed_in.result;
        assert_eq!(result["ExpiresIn"], access, "{client_id}");
        assert_eq!(lifetime(result["AccessToken"].as_str().unwrap()), access);
        assert_eq!(lifetime(result["IdToken"].as_str().unwrap()), id);

        // A refresh, read by the SDK, lasts as long.
        let refreshed = sdk
            .initiate_auth()
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .client_id(client_id)
            .auth_parameters("REFRESH_TOKEN", result["RefreshToken"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        let tokens = refreshed.authentication_result().unwrap();
        assert_eq!(i64::from(tokens.expires_in()), access);
        assert_eq!(lifetime(tokens.access_token().unwrap()), access);
        assert_eq!(lifetime(tokens.id_token().unwrap()), id);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn explicit_auth_flows_and_unknown_clients_refuse_a_sign_in() {
    let (emulator, sdk) = start().await;
    let pool_id = create_pool(&sdk, "flows", false).await;
    create_user(&sdk, &pool_id, "alice", &[]).await;
    let created = sdk
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("password only")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap();
    let client_id = created
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_string();
    let user = cognito_srp6a::User::new(&pool_id, "alice", PASSWORD).unwrap();
    let srp_a = user
        .start_sign_in(&mut rand::rng())
        .unwrap()
        .user_srp_auth()
        .parameters()
        .to_map()["SRP_A"]
        .clone();
    let srp_auth = |client: &str| {
        sdk.initiate_auth()
            .auth_flow(AuthFlowType::UserSrpAuth)
            .client_id(client)
            .auth_parameters("USERNAME", "alice")
            .auth_parameters("SRP_A", &srp_a)
    };
    assert_eq!(
        refused!(srp_auth(&client_id)),
        pair(
            "InvalidParameterException",
            "USER_SRP_AUTH flow not enabled for this client"
        )
    );
    // Over raw JSON too, in the service's shape.
    let api = Api::new(emulator.url(), &pool_id, &client_id, None);
    let refused = sign_in(&api, "alice", PASSWORD, None, None)
        .await
        .unwrap_err();
    assert!(
        refused.is(
            "InvalidParameterException",
            "USER_SRP_AUTH flow not enabled for this client"
        ),
        "{refused:?}"
    );

    // Allowed by an update, the same client signs in.
    sdk.update_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap();
    let signed_in = sign_in(&api, "alice", PASSWORD, None, None).await.unwrap();
    assert_eq!(signed_in.access_claims()["client_id"], client_id.as_str());

    let unknown = "nosuchclient0000000000000a";
    let missing = pair(
        "ResourceNotFoundException",
        &format!("User pool client {unknown} does not exist."),
    );
    assert_eq!(refused!(srp_auth(unknown)), missing);
    assert_eq!(
        refused!(
            sdk.describe_user_pool_client()
                .user_pool_id(&pool_id)
                .client_id(unknown)
        ),
        missing
    );
}

// ---------------------------------------------------------------- 3. settings take effect

#[tokio::test(flavor = "multi_thread")]
async fn device_configuration_decides_whether_devices_are_tracked() {
    let (emulator, sdk) = start().await;
    let untracked = pool_with_alice(&emulator, &sdk, false).await;
    let tracked = pool_with_alice(&emulator, &sdk, true).await;

    let signed_in = sign_in(&untracked, "alice", PASSWORD, None, None)
        .await
        .unwrap();
    assert!(signed_in.result.get("NewDeviceMetadata").is_none());
    assert!(signed_in.access_claims().get("device_key").is_none());
    // A DEVICE_KEY sent anyway is ignored: no device step, no new device.
    let stranger = Device {
        group_key: "-abcdefghi".into(),
        key: format!("us-east-1_{}", uuid::Uuid::new_v4()),
        password: "not a device".into(),
    };
    let with_key = sign_in(&untracked, "alice", PASSWORD, Some(&stranger), None)
        .await
        .unwrap();
    assert_eq!(with_key.challenges, ["PASSWORD_VERIFIER"]);
    assert!(with_key.result.get("NewDeviceMetadata").is_none());
    assert!(with_key.access_claims().get("device_key").is_none());

    let first = sign_in(&tracked, "alice", PASSWORD, None, None)
        .await
        .unwrap();
    let (group_key, key) = first.new_device().expect("NewDeviceMetadata");
    assert!(key.starts_with("us-east-1_"), "{key}");
    assert!(group_key.starts_with('-'), "{group_key}");
    assert_eq!(first.access_claims()["device_key"], key.as_str());
    let (device, _) = remember(&tracked, &first).await.unwrap();
    let second = sign_in(&tracked, "alice", PASSWORD, Some(&device), None)
        .await
        .unwrap();
    assert_eq!(second.challenges, common::DEVICE_CHALLENGES);

    // Device tracking turned off by an update: the remembered device is ignored too.
    sdk.update_user_pool()
        .user_pool_id(&tracked.pool_id)
        .send()
        .await
        .unwrap();
    let after = sign_in(&tracked, "alice", PASSWORD, Some(&device), None)
        .await
        .unwrap();
    assert_eq!(after.challenges, ["PASSWORD_VERIFIER"]);
    assert!(after.result.get("NewDeviceMetadata").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_secret_makes_secret_hash_required() {
    let (emulator, sdk) = start().await;
    let pool_id = create_pool(&sdk, "secret", false).await;
    create_user(&sdk, &pool_id, "alice", &[]).await;
    let (client_id, secret) = create_client(&sdk, &pool_id, true).await;
    let secret = secret.unwrap();

    let without = Api::new(emulator.url(), &pool_id, &client_id, None);
    let refused = sign_in(&without, "alice", PASSWORD, None, None)
        .await
        .unwrap_err();
    assert!(
        refused.is(
            "NotAuthorizedException",
            &format!(
                "Client {client_id} is configured with secret but SECRET_HASH was not received"
            )
        ),
        "{refused:?}"
    );
    let wrong = Api::new(emulator.url(), &pool_id, &client_id, Some(&"x".repeat(51)));
    let refused = sign_in(&wrong, "alice", PASSWORD, None, None)
        .await
        .unwrap_err();
    assert!(
        refused.is(
            "NotAuthorizedException",
            &format!("Unable to verify secret hash for client {client_id}")
        ),
        "{refused:?}"
    );
    let with = Api::new(emulator.url(), &pool_id, &client_id, Some(&secret));
    let signed_in = sign_in(&with, "alice", PASSWORD, None, None).await.unwrap();
    assert_eq!(signed_in.access_claims()["client_id"], client_id.as_str());

    // A client of the same pool without a secret needs none.
    let (plain_id, _) = create_client(&sdk, &pool_id, false).await;
    let plain = Api::new(emulator.url(), &pool_id, &plain_id, None);
    sign_in(&plain, "alice", PASSWORD, None, None)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_password_policy_refuses_what_it_does_not_allow() {
    let (emulator, sdk) = start().await;
    let pool_id = created_pool_id(
        sdk.create_user_pool().pool_name("policy").policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(10)
                        .require_numbers(true)
                        .require_uppercase(false)
                        .require_lowercase(false)
                        .require_symbols(false)
                        .build(),
                )
                .build(),
        ),
    )
    .await;
    let (client_id, _) = create_client(&sdk, &pool_id, false).await;
    sdk.admin_create_user()
        .user_pool_id(&pool_id)
        .username("alice")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let set = |password: &'static str| {
        sdk.admin_set_user_password()
            .user_pool_id(&pool_id)
            .username("alice")
            .password(password)
            .permanent(true)
            .send()
    };
    let too_short = pair(
        "InvalidPasswordException",
        "Password did not conform with policy: Password not long enough",
    );
    let no_number = pair(
        "InvalidPasswordException",
        "Password did not conform with policy: Password must have numeric characters",
    );
    assert_eq!(refusal(set("short1").await.unwrap_err()), too_short);
    assert_eq!(
        refusal(set("long enough but no").await.unwrap_err()),
        no_number
    );
    set("long enough 4 me").await.unwrap();
    let api = Api::new(emulator.url(), &pool_id, &client_id, None);
    sign_in(&api, "alice", "long enough 4 me", None, None)
        .await
        .unwrap();

    let sign_up = |username: &'static str, password: &'static str| {
        sdk.sign_up()
            .client_id(&client_id)
            .username(username)
            .password(password)
            .send()
    };
    assert_eq!(
        refusal(sign_up("bob", "short1").await.unwrap_err()),
        too_short
    );
    assert_eq!(
        refusal(sign_up("bob", "nonumbersatall").await.unwrap_err()),
        no_number
    );
    let signed_up = sign_up("bob", "bobs password 7").await.unwrap();
    assert!(!signed_up.user_confirmed());
    sdk.admin_confirm_sign_up()
        .user_pool_id(&pool_id)
        .username("bob")
        .send()
        .await
        .unwrap();
    sign_in(&api, "bob", "bobs password 7", None, None)
        .await
        .unwrap();

    assert_eq!(
        refused!(
            sdk.admin_create_user()
                .user_pool_id(&pool_id)
                .username("carol")
                .temporary_password("temp1")
        ),
        too_short
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn username_attributes_email_signs_in_by_email_as_a_uuid() {
    let (emulator, sdk) = start().await;
    let pool_id = created_pool_id(
        sdk.create_user_pool()
            .pool_name("email names")
            .username_attributes(UsernameAttributeType::Email),
    )
    .await;
    let (client_id, _) = create_client(&sdk, &pool_id, false).await;
    let created = sdk
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("alice@example.com")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let user = created.user().unwrap();
    let internal = user.username().unwrap().to_string();
    let parsed = uuid::Uuid::parse_str(&internal).expect("the user name is a UUID");
    assert_eq!(parsed.hyphenated().to_string(), internal);
    let attribute = |name: &str| {
        user.attributes()
            .iter()
            .find(|a| a.name() == name)
            .and_then(|a| a.value())
            .map(str::to_string)
    };
    assert_eq!(attribute("email").as_deref(), Some("alice@example.com"));
    assert_eq!(attribute("sub").as_deref(), Some(internal.as_str()));
    sdk.admin_set_user_password()
        .user_pool_id(&pool_id)
        .username("alice@example.com")
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
    let got = sdk
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("alice@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(got.username(), internal);
    assert_eq!(got.user_status(), Some(&UserStatusType::Confirmed));

    // The PASSWORD_VERIFIER names the UUID; the proof over it signs in.
    let api = Api::new(emulator.url(), &pool_id, &client_id, None);
    let step = password_step(&api, "alice@example.com", PASSWORD, None)
        .await
        .unwrap();
    assert_eq!(step.username, internal, "USER_ID_FOR_SRP");
    let reply = step.answer(&api).await.unwrap();
    let access = claims(
        reply["AuthenticationResult"]["AccessToken"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(access["username"], internal.as_str());
    assert_eq!(access["sub"], internal.as_str());

    // A name that is no e-mail address, and the same address twice, are refused.
    assert_eq!(
        refused!(
            sdk.admin_create_user()
                .user_pool_id(&pool_id)
                .username("bob")
        ),
        pair(
            "InvalidParameterException",
            "Username should be either an email or a phone number."
        )
    );
    assert_eq!(
        refused!(
            sdk.admin_create_user()
                .user_pool_id(&pool_id)
                .username("alice@example.com")
        )
        .0,
        "UsernameExistsException"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn alias_attributes_email_signs_in_by_a_verified_email() {
    let (emulator, sdk) = start().await;
    let pool_id = created_pool_id(
        sdk.create_user_pool()
            .pool_name("email alias")
            .alias_attributes(aws_sdk_cognitoidentityprovider::types::AliasAttributeType::Email),
    )
    .await;
    let (client_id, _) = create_client(&sdk, &pool_id, false).await;
    let carol = create_user(
        &sdk,
        &pool_id,
        "carol",
        &[("email", "carol@example.com"), ("email_verified", "true")],
    )
    .await;
    assert_eq!(carol, "carol", "an alias pool keeps the name given");
    create_user(
        &sdk,
        &pool_id,
        "dave",
        &[("email", "dave@example.com"), ("email_verified", "false")],
    )
    .await;

    let api = Api::new(emulator.url(), &pool_id, &client_id, None);
    let step = password_step(&api, "carol@example.com", PASSWORD, None)
        .await
        .unwrap();
    assert_eq!(step.username, "carol", "USER_ID_FOR_SRP");
    let signed_in = sign_in(&api, "carol@example.com", PASSWORD, None, None)
        .await
        .unwrap();
    assert_eq!(signed_in.access_claims()["username"], "carol");

    // An unverified address is no alias; the user name still works.
    let refused = sign_in(&api, "dave@example.com", PASSWORD, None, None)
        .await
        .unwrap_err();
    assert!(
        refused.is("UserNotFoundException", "User does not exist."),
        "{refused:?}"
    );
    sign_in(&api, "dave", PASSWORD, None, None).await.unwrap();

    assert_eq!(
        refused!(
            sdk.admin_create_user()
                .user_pool_id(&pool_id)
                .username("eve@example.com")
        ),
        pair(
            "InvalidParameterException",
            "Username cannot be of email format, since user pool is configured for email alias."
        )
    );
}

/// `AssociateSoftwareToken` + `VerifySoftwareToken` with an access token: the TOTP secret.
/// `SetUserPoolMfaConfig` with software tokens enabled and `mfa`, which must succeed.
async fn set_software_token_mfa(
    sdk: &Client,
    pool_id: &str,
    mfa: UserPoolMfaType,
) -> SetUserPoolMfaConfigOutput {
    sdk.set_user_pool_mfa_config()
        .user_pool_id(pool_id)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .mfa_configuration(mfa)
        .send()
        .await
        .unwrap()
}

/// `GetUserPoolMfaConfig`, which must succeed.
async fn mfa_config(sdk: &Client, pool_id: &str) -> GetUserPoolMfaConfigOutput {
    sdk.get_user_pool_mfa_config()
        .user_pool_id(pool_id)
        .send()
        .await
        .unwrap()
}

async fn set_up_totp(sdk: &Client, access_token: &str) -> Vec<u8> {
    let associated = sdk
        .associate_software_token()
        .access_token(access_token)
        .send()
        .await
        .unwrap();
    let secret = data_encoding::BASE32_NOPAD
        .decode(associated.secret_code().unwrap().as_bytes())
        .unwrap();
    let verified = sdk
        .verify_software_token()
        .access_token(access_token)
        .user_code(totp::code(&secret, unix_now()))
        .friendly_device_name("phone")
        .send()
        .await
        .unwrap();
    assert_eq!(
        verified.status(),
        Some(&VerifySoftwareTokenResponseType::Success)
    );
    secret
}

#[tokio::test(flavor = "multi_thread")]
async fn mfa_configuration_off_optional_and_on() {
    let (emulator, sdk) = start().await;
    let pool_id = created_pool_id(
        sdk.create_user_pool()
            .pool_name("mfa")
            .mfa_configuration(UserPoolMfaType::Off),
    )
    .await;
    let (client_id, _) = create_client(&sdk, &pool_id, false).await;
    create_user(&sdk, &pool_id, "alice", &[]).await;
    create_user(&sdk, &pool_id, "bob", &[]).await;
    let api = Api::new(emulator.url(), &pool_id, &client_id, None);

    // OFF: alice gets a software token, and is not asked for it.
    let first = sign_in(&api, "alice", PASSWORD, None, None).await.unwrap();
    let alice_secret = set_up_totp(&sdk, first.result["AccessToken"].as_str().unwrap()).await;
    let off = sign_in(&api, "alice", PASSWORD, None, Some(&alice_secret))
        .await
        .unwrap();
    assert_eq!(off.challenges, ["PASSWORD_VERIFIER"]);

    // OPTIONAL: asked of alice, who has a token, not of bob.
    let set = set_software_token_mfa(&sdk, &pool_id, UserPoolMfaType::Optional).await;
    assert_eq!(set.mfa_configuration(), Some(&UserPoolMfaType::Optional));
    assert!(set.software_token_mfa_configuration().unwrap().enabled());
    let got = mfa_config(&sdk, &pool_id).await;
    assert_eq!(got.mfa_configuration(), Some(&UserPoolMfaType::Optional));
    assert!(got.software_token_mfa_configuration().unwrap().enabled());
    let described = described_pool(&sdk, &pool_id).await;
    assert_eq!(
        described.mfa_configuration(),
        Some(&UserPoolMfaType::Optional)
    );
    let optional = sign_in(&api, "alice", PASSWORD, None, Some(&alice_secret))
        .await
        .unwrap();
    assert_eq!(
        optional.challenges,
        ["PASSWORD_VERIFIER", "SOFTWARE_TOKEN_MFA"]
    );
    assert!(optional.result["AccessToken"].is_string());
    let bob_optional = sign_in(&api, "bob", PASSWORD, None, None).await.unwrap();
    assert_eq!(bob_optional.challenges, ["PASSWORD_VERIFIER"]);

    // ON: bob, without a token, must set one up within the sign-in.
    set_software_token_mfa(&sdk, &pool_id, UserPoolMfaType::On).await;
    let got = mfa_config(&sdk, &pool_id).await;
    assert_eq!(got.mfa_configuration(), Some(&UserPoolMfaType::On));
    let step = password_step(&api, "bob", PASSWORD, None).await.unwrap();
    let reply = step.answer(&api).await.unwrap();
    assert_eq!(reply["ChallengeName"], "MFA_SETUP", "{reply}");
    assert!(
        reply["ChallengeParameters"]["MFAS_CAN_SETUP"]
            .as_str()
            .unwrap()
            .contains("SOFTWARE_TOKEN_MFA")
    );
    let setup_session = reply["Session"].as_str().unwrap().to_string();
    let associated = sdk
        .associate_software_token()
        .session(&setup_session)
        .send()
        .await
        .unwrap();
    let bob_secret = data_encoding::BASE32_NOPAD
        .decode(associated.secret_code().unwrap().as_bytes())
        .unwrap();
    let associate_session = associated.session().unwrap().to_string();
    // The MFA_SETUP session was spent by AssociateSoftwareToken.
    assert_eq!(
        refused!(sdk.associate_software_token().session(&setup_session)).0,
        "NotAuthorizedException"
    );
    let verified = sdk
        .verify_software_token()
        .session(&associate_session)
        .user_code(totp::code(&bob_secret, unix_now()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        verified.status(),
        Some(&VerifySoftwareTokenResponseType::Success)
    );
    let done = sdk
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::MfaSetup)
        .session(verified.session().unwrap())
        .challenge_responses("USERNAME", "bob")
        .send()
        .await
        .unwrap();
    assert!(done.challenge_name().is_none());
    let tokens = done.authentication_result().unwrap();
    assert_eq!(claims(tokens.access_token().unwrap())["username"], "bob");

    // From now on the token is asked of both.
    let bob_on = sign_in(&api, "bob", PASSWORD, None, Some(&bob_secret))
        .await
        .unwrap();
    assert_eq!(
        bob_on.challenges,
        ["PASSWORD_VERIFIER", "SOFTWARE_TOKEN_MFA"]
    );
    let alice_on = sign_in(&api, "alice", PASSWORD, None, Some(&alice_secret))
        .await
        .unwrap();
    assert_eq!(
        alice_on.challenges,
        ["PASSWORD_VERIFIER", "SOFTWARE_TOKEN_MFA"]
    );
}

// ---------------------------------------------------------------- 4. bad input

/// A request of every operation on a pool, naming `pool_id` (and `client_id`, or a client
/// name, where the operation needs one).
fn pool_scoped_requests(pool_id: &str, client_id: &str) -> [(&'static str, Value); 10] {
    [
        ("UpdateUserPool", json!({"UserPoolId": pool_id})),
        ("DescribeUserPool", json!({"UserPoolId": pool_id})),
        ("DeleteUserPool", json!({"UserPoolId": pool_id})),
        ("SetUserPoolMfaConfig", json!({"UserPoolId": pool_id})),
        ("GetUserPoolMfaConfig", json!({"UserPoolId": pool_id})),
        (
            "CreateUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientName": "c"}),
        ),
        (
            "UpdateUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientId": client_id}),
        ),
        (
            "DescribeUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientId": client_id}),
        ),
        ("ListUserPoolClients", json!({"UserPoolId": pool_id})),
        (
            "DeleteUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientId": client_id}),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_to_every_new_operation_is_refused_in_the_service_shape() {
    let (emulator, sdk) = start().await;
    let pool = create_pool(&sdk, "target", false).await;
    let (client, _) = create_client(&sdk, &pool, false).await;
    let api = Api::new(emulator.url(), "", "", None);
    let null = |member: &str| {
        format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy \
             constraint: Member must not be null"
        )
    };

    // Wrong JSON types: SerializationException naming the member, never echoing the value.
    let wrong_types = [
        (
            "CreateUserPool",
            json!({"PoolName": "p", "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": "hunter2"}}),
            "deviceConfiguration.challengeRequiredOnNewDevice",
        ),
        (
            "CreateUserPool",
            json!({"PoolName": ["hunter2"]}),
            "poolName",
        ),
        (
            "UpdateUserPool",
            json!({"UserPoolId": pool, "Policies": {"PasswordPolicy": {"RequireNumbers": "hunter2"}}}),
            "policies.passwordPolicy.requireNumbers",
        ),
        (
            "DescribeUserPool",
            json!({"UserPoolId": ["hunter2"]}),
            "userPoolId",
        ),
        (
            "ListUserPools",
            json!({"MaxResults": "hunter2"}),
            "maxResults",
        ),
        (
            "DeleteUserPool",
            json!({"UserPoolId": {"hunter2": true}}),
            "userPoolId",
        ),
        (
            "SetUserPoolMfaConfig",
            json!({"UserPoolId": pool, "SoftwareTokenMfaConfiguration": {"Enabled": "hunter2"}}),
            "softwareTokenMfaConfiguration.enabled",
        ),
        (
            "GetUserPoolMfaConfig",
            json!({"UserPoolId": 7}),
            "userPoolId",
        ),
        (
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "c", "GenerateSecret": "hunter2"}),
            "generateSecret",
        ),
        (
            "UpdateUserPoolClient",
            json!({"UserPoolId": pool, "ClientId": client, "AccessTokenValidity": "hunter2"}),
            "accessTokenValidity",
        ),
        (
            "DescribeUserPoolClient",
            json!({"UserPoolId": pool, "ClientId": ["hunter2"]}),
            "clientId",
        ),
        (
            "ListUserPoolClients",
            json!({"UserPoolId": pool, "MaxResults": "hunter2"}),
            "maxResults",
        ),
        (
            "DeleteUserPoolClient",
            json!({"UserPoolId": true, "ClientId": client}),
            "userPoolId",
        ),
    ];
    for (operation, body, member) in wrong_types {
        let refused = api.call(operation, body).await.unwrap_err();
        assert_eq!(refused.status, 400, "{operation}: {refused:?}");
        assert_eq!(
            refused.kind, "SerializationException",
            "{operation}: {refused:?}"
        );
        assert!(
            refused
                .message
                .to_lowercase()
                .contains(&member.to_lowercase()),
            "{operation}: {refused:?} should name {member}"
        );
        assert!(
            !refused.message.contains("hunter2"),
            "{operation}: {refused:?}"
        );
    }

    // Missing required members.
    let missing = [
        ("CreateUserPool", json!({}), "poolName"),
        ("UpdateUserPool", json!({}), "userPoolId"),
        ("DescribeUserPool", json!({}), "userPoolId"),
        ("ListUserPools", json!({}), "maxResults"),
        ("DeleteUserPool", json!({}), "userPoolId"),
        ("SetUserPoolMfaConfig", json!({}), "userPoolId"),
        ("GetUserPoolMfaConfig", json!({}), "userPoolId"),
        (
            "CreateUserPoolClient",
            json!({"UserPoolId": pool}),
            "clientName",
        ),
        (
            "UpdateUserPoolClient",
            json!({"UserPoolId": pool}),
            "clientId",
        ),
        (
            "DescribeUserPoolClient",
            json!({"ClientId": client}),
            "userPoolId",
        ),
        ("ListUserPoolClients", json!({}), "userPoolId"),
        (
            "DeleteUserPoolClient",
            json!({"UserPoolId": pool}),
            "clientId",
        ),
    ];
    for (operation, body, member) in missing {
        let refused = api.call(operation, body).await.unwrap_err();
        assert!(
            refused.is("InvalidParameterException", &null(member)),
            "{operation}: {refused:?}"
        );
    }

    // Values outside an enum.
    let mfa_enum = "1 validation error detected: Value 'SOMETIMES' at 'mfaConfiguration' failed \
                    to satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]";
    let enums = [
        (
            "CreateUserPool",
            json!({"PoolName": "p", "MfaConfiguration": "SOMETIMES"}),
            Some(mfa_enum),
        ),
        (
            "UpdateUserPool",
            json!({"UserPoolId": pool, "MfaConfiguration": "SOMETIMES"}),
            Some(mfa_enum),
        ),
        (
            "SetUserPoolMfaConfig",
            json!({"UserPoolId": pool, "MfaConfiguration": "SOMETIMES"}),
            Some(mfa_enum),
        ),
        (
            "CreateUserPool",
            json!({"PoolName": "p", "DeletionProtection": "MAYBE"}),
            None,
        ),
        (
            "CreateUserPool",
            json!({"PoolName": "p", "UsernameAttributes": ["nickname"]}),
            None,
        ),
        (
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "c", "TokenValidityUnits": {"AccessToken": "weeks"}}),
            Some(
                "1 validation error detected: Value 'weeks' at 'tokenValidityUnits.accessToken' \
                 failed to satisfy constraint: Member must satisfy enum value set: [seconds, \
                 minutes, hours, days]",
            ),
        ),
        (
            "UpdateUserPoolClient",
            json!({"UserPoolId": pool, "ClientId": client, "ExplicitAuthFlows": ["ALLOW_MAGIC"]}),
            None,
        ),
    ];
    for (operation, body, message) in enums {
        let refused = api.call(operation, body).await.unwrap_err();
        assert_eq!(
            refused.kind, "InvalidParameterException",
            "{operation}: {refused:?}"
        );
        assert!(
            refused
                .message
                .starts_with("1 validation error detected: Value '"),
            "{operation}: {refused:?}"
        );
        assert!(
            !refused.message.contains("at '.'"),
            "{operation}: the member is named: {refused:?}"
        );
        if let Some(message) = message {
            assert_eq!(refused.message, message, "{operation}");
        }
    }

    // Malformed ids: refused by pattern, never looked up, never echoed raw.
    let bad_pool = "us-east-1_abc\ndef";
    let long_pool = format!("us-east-1_{}", "A".repeat(1000));
    for pool_id in [bad_pool, long_pool.as_str()] {
        for (operation, body) in pool_scoped_requests(pool_id, &client) {
            let refused = api.call(operation, body).await.unwrap_err();
            assert_eq!(
                refused.kind, "InvalidParameterException",
                "{operation}: {refused:?}"
            );
            assert!(
                refused.message.contains("'userPoolId'"),
                "{operation}: {refused:?}"
            );
            assert!(!refused.message.contains('\n'), "{operation}: {refused:?}");
            assert!(refused.message.len() < 400, "{operation}: {refused:?}");
        }
    }
    for operation in [
        "UpdateUserPoolClient",
        "DescribeUserPoolClient",
        "DeleteUserPoolClient",
    ] {
        let refused = api
            .call(
                operation,
                json!({"UserPoolId": pool, "ClientId": "abc\ndef"}),
            )
            .await
            .unwrap_err();
        assert_eq!(
            refused.kind, "InvalidParameterException",
            "{operation}: {refused:?}"
        );
        assert!(
            refused.message.contains("'clientId'"),
            "{operation}: {refused:?}"
        );
        assert!(!refused.message.contains('\n'), "{operation}: {refused:?}");
    }

    // An unknown pool.
    let no_pool = format!("User pool {UNKNOWN_POOL} does not exist.");
    for (operation, body) in pool_scoped_requests(UNKNOWN_POOL, &client) {
        let refused = api.call(operation, body).await.unwrap_err();
        assert!(
            refused.is("ResourceNotFoundException", &no_pool),
            "{operation}: {refused:?}"
        );
    }

    // Out of range, out of pattern, and not an object at all.
    let others = [
        (
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "c", "AccessTokenValidity": i64::MAX,
                   "TokenValidityUnits": {"AccessToken": "days"}}),
            "InvalidParameterException",
        ),
        (
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "c", "ClientSecret": "hunter2"}),
            "InvalidParameterException",
        ),
        (
            "CreateUserPool",
            json!({"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": 5}}}),
            "InvalidParameterException",
        ),
        (
            "CreateUserPool",
            json!({"PoolName": "bad/name"}),
            "InvalidParameterException",
        ),
        (
            "CreateUserPool",
            json!({"PoolName": "p", "UserPoolTags": {"": "x"}}),
            "InvalidParameterException",
        ),
        (
            "CreateUserPool",
            json!({"PoolName": "p", "AliasAttributes": ["email"], "UsernameAttributes": ["email"]}),
            "InvalidParameterException",
        ),
        (
            "ListUserPools",
            json!({"MaxResults": 1e300}),
            "SerializationException",
        ),
        (
            "ListUserPools",
            json!({"MaxResults": -1}),
            "InvalidParameterException",
        ),
        (
            "UpdateUserPool",
            json!(["hunter2"]),
            "SerializationException",
        ),
    ];
    for (operation, body, kind) in others {
        let refused = api.call(operation, body).await.unwrap_err();
        assert_eq!(refused.status, 400, "{operation}: {refused:?}");
        assert_eq!(refused.kind, kind, "{operation}: {refused:?}");
        assert!(
            !refused.message.contains("hunter2"),
            "{operation}: {refused:?}"
        );
    }
    let (status, _, body) = api
        .raw(
            Some("AWSCognitoIdentityProviderService.CreateUserPool"),
            Some("application/x-amz-json-1.1"),
            b"{\"PoolName\": ".to_vec(),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "SerializationException");

    // The server still answers, and nothing refused was made.
    let listed = sdk.list_user_pools().max_results(60).send().await.unwrap();
    let ids: Vec<&str> = listed.user_pools().iter().filter_map(|p| p.id()).collect();
    assert_eq!(ids, [pool.as_str()]);
    let clients = sdk
        .list_user_pool_clients()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(clients.user_pool_clients().len(), 1);
    let health = reqwest::get(format!("{}/health", emulator.url()))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

// ---------------------------------------------------------------- 5. tokens per pool

#[tokio::test(flavor = "multi_thread")]
async fn each_pool_issues_its_own_tokens_and_the_issuer_routes_them() {
    let emulator = Emulator::builder().start().await.unwrap();
    let url = emulator.url();
    let sdk = sdk(&url, "us-east-1");
    let a = pool_with_alice(&emulator, &sdk, true).await;
    let b = pool_with_alice(&emulator, &sdk, true).await;
    let in_a = sign_in(&a, "alice", PASSWORD, None, None).await.unwrap();
    let in_b = sign_in(&b, "alice", PASSWORD, None, None).await.unwrap();
    let issuer_a = format!("{url}/{}", a.pool_id);
    let issuer_b = format!("{url}/{}", b.pool_id);
    assert_eq!(emulator.issuer_of(&a.pool_id), issuer_a);
    assert_eq!(in_a.access_claims()["iss"], issuer_a.as_str());
    assert_eq!(in_b.access_claims()["iss"], issuer_b.as_str());
    assert_eq!(
        claims(in_a.result["IdToken"].as_str().unwrap())["iss"],
        issuer_a.as_str()
    );
    assert_ne!(in_a.access_claims()["sub"], in_b.access_claims()["sub"]);

    // Each pool's discovery documents; an unknown pool has none.
    for issuer in [&issuer_a, &issuer_b] {
        let config = reqwest::get(format!("{issuer}/.well-known/openid-configuration"))
            .await
            .unwrap();
        assert_eq!(config.status(), 200);
        let config: Value = config.json().await.unwrap();
        assert_eq!(config["issuer"], issuer.as_str());
        let jwks_uri = format!("{issuer}/.well-known/jwks.json");
        assert_eq!(config["jwks_uri"], jwks_uri.as_str());
        let jwks = reqwest::get(&jwks_uri).await.unwrap();
        assert_eq!(jwks.status(), 200);
        let jwks: Value = jwks.json().await.unwrap();
        assert!(!jwks["keys"].as_array().unwrap().is_empty());
    }
    for document in ["jwks.json", "openid-configuration"] {
        let response = reqwest::get(format!("{url}/{UNKNOWN_POOL}/.well-known/{document}"))
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{document}");
    }

    // A's access token verifies with A's JWKS and A's issuer, not B's.
    let token_a = in_a.result["AccessToken"].as_str().unwrap().to_string();
    let token_b = in_b.result["AccessToken"].as_str().unwrap().to_string();
    let (_, decoding) = common::first_jwk(&issuer_a).await;
    let mut validation = common::rs256_validation(&issuer_a);
    jsonwebtoken::decode::<Value>(&token_a, &decoding, &validation).unwrap();
    validation.set_issuer(&[issuer_b.as_str()]);
    assert!(jsonwebtoken::decode::<Value>(&token_a, &decoding, &validation).is_err());

    // ListDevices and GetDevice take no pool id: the token's issuer names the pool.
    let (device, _) = remember(&a, &in_a).await.unwrap();
    let listed = sdk
        .list_devices()
        .access_token(&token_a)
        .send()
        .await
        .unwrap();
    let keys: Vec<&str> = listed
        .devices()
        .iter()
        .filter_map(|d| d.device_key())
        .collect();
    assert_eq!(keys, [device.key.as_str()]);
    let got = sdk
        .get_device()
        .access_token(&token_a)
        .device_key(&device.key)
        .send()
        .await
        .unwrap();
    let got = got.device().unwrap();
    assert_eq!(got.device_key(), Some(device.key.as_str()));
    assert!(
        got.device_attributes()
            .iter()
            .any(|a| a.name() == "device_name" && a.value() == Some("test device"))
    );
    let listed_b = sdk
        .list_devices()
        .access_token(&token_b)
        .send()
        .await
        .unwrap();
    assert!(listed_b.devices().is_empty(), "B's user has no device of A");
    assert_eq!(
        refused!(
            sdk.get_device()
                .access_token(&token_b)
                .device_key(&device.key)
        ),
        pair("ResourceNotFoundException", "Device does not exist.")
    );

    // An edited issuer (the signature kept) is refused, whatever it names.
    let invalid = pair("NotAuthorizedException", "Invalid Access Token");
    for issuer in [
        issuer_b.clone(),
        format!("{url}/{UNKNOWN_POOL}"),
        format!("http://elsewhere.example/{}", a.pool_id),
    ] {
        let tampered = with_claim(&token_a, "iss", &issuer);
        assert_eq!(
            refused!(sdk.list_devices().access_token(&tampered)),
            invalid,
            "{issuer}"
        );
        assert_eq!(
            refused!(
                sdk.get_device()
                    .access_token(&tampered)
                    .device_key(&device.key)
            ),
            invalid,
            "{issuer}"
        );
    }
    sdk.list_devices()
        .access_token(&token_a)
        .send()
        .await
        .unwrap();

    // A deleted pool's tokens are refused.
    sdk.delete_user_pool()
        .user_pool_id(&b.pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(refused!(sdk.list_devices().access_token(&token_b)), invalid);
}

// ---------------------------------------------------------------- 6. state file

#[tokio::test(flavor = "multi_thread")]
async fn a_state_file_keeps_pools_clients_users_and_devices_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.sqlite3");

    let emulator = Emulator::builder().state_file(&path).start().await.unwrap();
    let sdk1 = sdk(&emulator.url(), "us-east-1");
    let pool_id = sdk1
        .create_user_pool()
        .pool_name("kept")
        .device_configuration(device_configuration(true, true))
        .mfa_configuration(UserPoolMfaType::Optional)
        .send()
        .await
        .unwrap()
        .user_pool()
        .unwrap()
        .id()
        .unwrap()
        .to_string();
    let (client_id, secret) = create_client(&sdk1, &pool_id, true).await;
    let secret = secret.unwrap();
    create_user(&sdk1, &pool_id, "alice", &[]).await;
    let api = Api::new(emulator.url(), &pool_id, &client_id, Some(&secret));
    let first = sign_in(&api, "alice", PASSWORD, None, None).await.unwrap();
    let (device, necessary) = remember(&api, &first).await.unwrap();
    assert!(necessary, "DeviceOnlyRememberedOnUserPrompt");
    emulator.shutdown().await;

    let emulator = Emulator::builder().state_file(&path).start().await.unwrap();
    let sdk2 = sdk(&emulator.url(), "us-east-1");
    let pools = emulator.pools().unwrap();
    assert_eq!(pools.len(), 1);
    assert_eq!(pools[0].id, pool_id);
    assert!(pools[0].devices);
    assert_eq!(
        pools[0].clients,
        [(client_id.clone(), "app".to_string(), true)]
    );
    let pool = described_pool(&sdk2, &pool_id).await;
    assert_eq!(pool.name(), Some("kept"));
    assert_eq!(pool.mfa_configuration(), Some(&UserPoolMfaType::Optional));
    let devices = pool.device_configuration().unwrap();
    assert!(
        devices.challenge_required_on_new_device()
            && devices.device_only_remembered_on_user_prompt()
    );
    assert_eq!(pool.estimated_number_of_users(), 1);
    let client = described_client(&sdk2, &pool_id, &client_id).await;
    assert_eq!(client.client_secret(), Some(secret.as_str()));
    let user = sdk2
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status(), Some(&UserStatusType::Confirmed));
    let devices = sdk2
        .admin_list_devices()
        .user_pool_id(&pool_id)
        .username("alice")
        .send()
        .await
        .unwrap();
    let keys: Vec<&str> = devices
        .devices()
        .iter()
        .filter_map(|d| d.device_key())
        .collect();
    assert_eq!(keys, [device.key.as_str()]);

    // The remembered device signs in, through both device challenges.
    let api = Api::new(emulator.url(), &pool_id, &client_id, Some(&secret));
    let again = sign_in(&api, "alice", PASSWORD, Some(&device), None)
        .await
        .unwrap();
    assert_eq!(again.challenges, common::DEVICE_CHALLENGES);
    assert!(again.new_device().is_none());
    let access = again.access_claims();
    assert_eq!(access["device_key"], device.key.as_str());
    assert_eq!(
        access["iss"],
        format!("{}/{pool_id}", emulator.url()).as_str()
    );
    emulator.shutdown().await;
}

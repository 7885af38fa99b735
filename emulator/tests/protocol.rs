//! Hostile input over HTTP: every malformed request gets the service's error shape (HTTP 400
//! or 413, `__type`, `message`, `x-amzn-ErrorType`), never a panic or a dropped connection,
//! and the server keeps serving.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use cognito_srp6a_emulator::{Emulator, protocol::MAX_BODY_BYTES};
use common::Api;
use rand::{Rng, RngExt};
use serde_json::json;

const POOL: &str = "us-east-1_Hostile";
const CLIENT: &str = "hostileclient";
const TARGET: &str = "AWSCognitoIdentityProviderService.";
const JSON: &str = "application/x-amz-json-1.1";

async fn start() -> (cognito_srp6a_emulator::RunningEmulator, Api) {
    let emulator = Emulator::builder()
        .pool_id(POOL)
        .client_id(CLIENT)
        .user("alice", "pw")
        .start()
        .await
        .unwrap();
    let api = Api::new(emulator.url(), POOL, CLIENT, None);
    (emulator, api)
}

/// A refusal in the service's shape, with this `__type`.
async fn refused(
    api: &Api,
    target: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
    kind: &str,
) -> String {
    let (status, headers, value) = api.raw(target, content_type, body.to_vec()).await;
    assert!(
        status == 400 || status == 413,
        "status {status} for {kind}: {value}"
    );
    assert_eq!(value["__type"], kind, "{value}");
    assert_eq!(
        headers.get("x-amzn-errortype").unwrap().to_str().unwrap(),
        kind
    );
    assert_eq!(headers.get("content-type").unwrap().to_str().unwrap(), JSON);
    value["message"].as_str().unwrap().to_string()
}

async fn still_serving(api: &Api) {
    let pool = api
        .call("DescribeUserPool", json!({ "UserPoolId": POOL }))
        .await
        .unwrap();
    assert_eq!(pool["UserPool"]["Id"], POOL);
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_requests_get_the_service_error_shape() {
    let (_emulator, api) = start().await;
    let describe = format!("{TARGET}DescribeUserPool");
    let initiate = format!("{TARGET}InitiateAuth");
    let pool = json!({ "UserPoolId": POOL }).to_string().into_bytes();

    refused(&api, None, Some(JSON), &pool, "UnknownOperationException").await;
    refused(
        &api,
        Some("AWSCognitoIdentityProviderService.NoSuchThing"),
        Some(JSON),
        &pool,
        "UnknownOperationException",
    )
    .await;
    refused(
        &api,
        Some("DynamoDB_20120810.GetItem"),
        Some(JSON),
        &pool,
        "UnknownOperationException",
    )
    .await;
    refused(
        &api,
        Some(&describe),
        Some("text/plain"),
        &pool,
        "UnknownOperationException",
    )
    .await;
    refused(
        &api,
        Some(&describe),
        None,
        &pool,
        "UnknownOperationException",
    )
    .await;
    // The same media type with a charset is fine.
    let (status, _, _) = api
        .raw(
            Some(&describe),
            Some("application/x-amz-json-1.1; charset=utf-8"),
            pool.clone(),
        )
        .await;
    assert_eq!(status, 200);

    refused(
        &api,
        Some(&describe),
        Some(JSON),
        b"{",
        "SerializationException",
    )
    .await;
    refused(
        &api,
        Some(&describe),
        Some(JSON),
        b"[1, 2]",
        "SerializationException",
    )
    .await;
    refused(
        &api,
        Some(&describe),
        Some(JSON),
        b"\xff\xfe not utf-8",
        "SerializationException",
    )
    .await;
    refused(
        &api,
        Some(&describe),
        Some(JSON),
        br#"{"UserPoolId": 7}"#,
        "SerializationException",
    )
    .await;
    let message = refused(&api, Some(&initiate), Some(JSON),
        br#"{"AuthFlow": "USER_SRP_AUTH", "ClientId": "hostileclient", "AuthParameters": {"USERNAME": ["my secret"]}}"#,
        "SerializationException").await;
    assert!(
        !message.contains("my secret"),
        "a member's value is never echoed: {message}"
    );
    let message = refused(
        &api,
        Some(&describe),
        Some(JSON),
        b"{}",
        "InvalidParameterException",
    )
    .await;
    assert_eq!(
        message,
        "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"
    );
    refused(
        &api,
        Some(&initiate),
        Some(JSON),
        br#"{"AuthFlow": "USER_SRP_AUTH", "ClientId": ""}"#,
        "InvalidParameterException",
    )
    .await;
    refused(
        &api,
        Some(&initiate),
        Some(JSON),
        br#"{"AuthFlow": "MAGIC", "ClientId": "hostileclient"}"#,
        "InvalidParameterException",
    )
    .await;
    let message = refused(
        &api,
        Some(&initiate),
        Some(JSON),
        br#"{"AuthFlow": "USER_SRP_AUTH", "ClientId": "other"}"#,
        "ResourceNotFoundException",
    )
    .await;
    assert_eq!(message, "User pool client other does not exist.");
    let message = refused(&api, Some(&initiate), Some(JSON), br#"{"AuthFlow": "USER_SRP_AUTH", "ClientId": "hostileclient", "AuthParameters": {"USERNAME": "alice"}}"#, "InvalidParameterException").await;
    assert_eq!(message, "Missing required parameter SRP_A");
    // SRP_A = 0, N, and not hex: refused before any challenge.
    for srp_a in ["0", cognito_srp6a::N_HEX, "xyz", ""] {
        let body = json!({ "AuthFlow": "USER_SRP_AUTH", "ClientId": CLIENT, "AuthParameters": { "USERNAME": "alice", "SRP_A": srp_a } });
        refused(
            &api,
            Some(&initiate),
            Some(JSON),
            body.to_string().as_bytes(),
            "InvalidParameterException",
        )
        .await;
    }
    // Over the size limit.
    let huge = format!(r#"{{"UserPoolId": "{}"}}"#, "x".repeat(MAX_BODY_BYTES));
    let (status, headers, value) = api
        .raw(Some(&describe), Some(JSON), huge.into_bytes())
        .await;
    assert_eq!(status, 413);
    assert_eq!(value["__type"], "RequestEntityTooLargeException");
    assert!(headers.get("x-amzn-errortype").is_some());
    // A browser's CORS preflight, and the header on answers.
    let preflight = api
        .http
        .request(reqwest::Method::OPTIONS, format!("{}/", api.url))
        .header("Origin", "http://localhost:3000")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "content-type,x-amz-target,x-amz-user-agent",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status().as_u16(), 204);
    let allowed = |name: &str| {
        preflight
            .headers()
            .get(name)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string()
    };
    // A loopback dev server's origin is allowed by name, not by `*`.
    assert_eq!(
        allowed("access-control-allow-origin"),
        "http://localhost:3000"
    );
    assert!(allowed("access-control-allow-headers").contains("x-amz-target"));
    assert!(allowed("access-control-allow-methods").contains("POST"));
    // No Origin (not a browser): no CORS headers at all.
    let (_, headers, _) = api.raw(Some(&describe), Some(JSON), pool.clone()).await;
    assert!(headers.get("access-control-allow-origin").is_none());
    // A GET of the API.
    let response = reqwest::get(format!("{}/", api.url)).await.unwrap();
    assert_eq!(response.status().as_u16(), 400);
    still_serving(&api).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn random_bodies_for_every_operation_never_break_the_server() {
    let (_emulator, api) = start().await;
    let operations = [
        "InitiateAuth",
        "RespondToAuthChallenge",
        "AdminInitiateAuth",
        "AdminRespondToAuthChallenge",
        "ConfirmDevice",
        "UpdateDeviceStatus",
        "GetDevice",
        "ListDevices",
        "ForgetDevice",
        "AdminGetDevice",
        "AdminListDevices",
        "AdminForgetDevice",
        "AdminUpdateDeviceStatus",
        "SignUp",
        "AdminConfirmSignUp",
        "AdminCreateUser",
        "AdminSetUserPassword",
        "AdminGetUser",
        "AdminDeleteUser",
        "GetUser",
        "UpdateUserAttributes",
        "DeleteUser",
        "ChangePassword",
        "CreateUserPool",
        "UpdateUserPool",
        "DescribeUserPool",
        "ListUserPools",
        // Not DeleteUserPool: a random body may name this pool, which the end checks is still
        // there (tests/pools.rs sends it bad input).
        "SetUserPoolMfaConfig",
        "GetUserPoolMfaConfig",
        "CreateUserPoolClient",
        "UpdateUserPoolClient",
        "DescribeUserPoolClient",
        "ListUserPoolClients",
        "DeleteUserPoolClient",
        "AssociateSoftwareToken",
        "VerifySoftwareToken",
        "SetUserMFAPreference",
        "AdminSetUserMFAPreference",
        "GetTokensFromRefreshToken",
        "RevokeToken",
        "GlobalSignOut",
        "AdminUserGlobalSignOut",
        "ConfirmSignUp",
        "ResendConfirmationCode",
        "ForgotPassword",
        "ConfirmForgotPassword",
        "AdminResetUserPassword",
        "ListUsers",
        "AdminDisableUser",
        "AdminEnableUser",
    ];
    let members = [
        "AuthFlow",
        "ClientId",
        "AuthParameters",
        "ChallengeName",
        "ChallengeResponses",
        "Session",
        "AccessToken",
        "DeviceKey",
        "DeviceSecretVerifierConfig",
        "UserPoolId",
        "Username",
        "Password",
        "Limit",
        "PaginationToken",
        "Permanent",
        "DeviceRememberedStatus",
        "UserAttributes",
        "PoolName",
        "ClientName",
        "MaxResults",
        "NextToken",
        "GenerateSecret",
        "DeviceConfiguration",
        "MfaConfiguration",
        "Policies",
        "ExplicitAuthFlows",
        "AccessTokenValidity",
        "TokenValidityUnits",
        "PreviousPassword",
        "ProposedPassword",
        "UserCode",
        "SoftwareTokenMfaSettings",
        "RefreshToken",
        "ClientSecret",
        "Token",
        "ConfirmationCode",
        "Filter",
        "AttributesToGet",
    ];
    let values = [
        json!(null),
        json!(true),
        json!(-1),
        json!(1e308),
        json!(""),
        json!("USER_SRP_AUTH"),
        json!(CLIENT),
        json!(POOL),
        json!("alice"),
        json!([]),
        json!([{"Name": 1}]),
        json!({}),
        json!({"USERNAME": "alice", "SRP_A": "2", "DEVICE_KEY": null}),
        json!({"PasswordVerifier": "AA==", "Salt": 5}),
        json!("DEVICE_SRP_AUTH"),
        json!("PASSWORD_VERIFIER"),
        json!({"PASSWORD_CLAIM_SECRET_BLOCK": "x", "TIMESTAMP": "Sun Nov 1 02:22:00 UTC 2026"}),
        json!({"ChallengeRequiredOnNewDevice": "yes"}),
        json!({"PasswordPolicy": {"MinimumLength": 1000}}),
        json!(["ALLOW_USER_SRP_AUTH", 5]),
        json!("ON"),
        json!(60),
        json!(9_223_372_036_854_775_807_i64),
        json!("email ^= \"a\\"),
        json!("cognito:user_status = \"CONFIRMED\""),
        json!("123456"),
        json!("a.b.c"),
        json!(["email", 7]),
        json!("USER_AUTH"),
        json!({"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD_SRP"}),
        json!("SELECT_CHALLENGE"),
        json!({"USERNAME": "alice", "ANSWER": "PASSWORD", "PASSWORD": 1}),
    ];
    let mut rng = rand::rng();
    let mut answered = 0;
    for _ in 0..1000 {
        let operation = operations[rng.random_range(0..operations.len())];
        let mut body = serde_json::Map::new();
        for _ in 0..rng.random_range(0..6) {
            let member = members[rng.random_range(0..members.len())];
            body.insert(
                member.into(),
                values[rng.random_range(0..values.len())].clone(),
            );
        }
        let mut bytes = serde_json::Value::Object(body).to_string().into_bytes();
        if rng.random_range(0..8) == 0 {
            // Some raw garbage too.
            let mut garbage = vec![0u8; rng.random_range(0..64)];
            rng.fill_bytes(&mut garbage);
            bytes = garbage;
        }
        let (status, headers, value) = api
            .raw(Some(&format!("{TARGET}{operation}")), Some(JSON), bytes)
            .await;
        assert!(
            status == 200 || status == 400,
            "{operation}: status {status}, {value}"
        );
        if status == 400 {
            let kind = value["__type"].as_str().unwrap();
            assert_eq!(
                headers.get("x-amzn-errortype").unwrap().to_str().unwrap(),
                kind
            );
            assert!(value["message"].is_string());
        }
        answered += 1;
    }
    assert_eq!(answered, 1000);
    still_serving(&api).await;
}

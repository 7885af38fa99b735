//! The service's behaviour over HTTP, with every SRP value made by the core crate: sign-in,
//! remembered devices under each `DeviceConfiguration`, MFA, refresh, and each documented
//! refusal with the service's error name and message.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use cognito_srp6a::DevicePasswordVerifierChallenge;
use cognito_srp6a::DeviceRegistration;
use cognito_srp6a_emulator::{Emulator, EmulatorBuilder, RunningEmulator};
use cognito_srp6a_test_support::{
    clock::unix_now,
    jwt::claims,
    totp::{RFC6238_SECRET, RFC6238_SECRET_BASE32},
};
use common::{
    Api, Device, Params, Refusal, assert_refused, device_steps, password_step, remember, sign_in,
};
use serde_json::{Value, json};

const POOL: &str = "us-west-2_Flows";
const CLIENT: &str = "5flowsclient5";
const USER: &str = "alice";
const PASSWORD: &str = "correct horse battery staple";

fn builder() -> EmulatorBuilder {
    Emulator::builder()
        .pool_id(POOL)
        .client_id(CLIENT)
        .user(USER, PASSWORD)
}

async fn start(builder: EmulatorBuilder) -> (RunningEmulator, Api) {
    let emulator = builder.start().await.unwrap();
    let api = Api::new(emulator.url(), POOL, CLIENT, None);
    (emulator, api)
}

/// First sign-in, then the device remembered.
async fn with_device(api: &Api) -> Device {
    let first = sign_in(api, USER, PASSWORD, None, None).await.unwrap();
    remember(api, &first).await.unwrap().0
}

#[tokio::test(flavor = "multi_thread")]
async fn first_sign_in_issues_a_device_and_signed_tokens() {
    let (emulator, api) = start(builder()).await;
    let signed_in = sign_in(&api, USER, PASSWORD, None, None).await.unwrap();
    assert_eq!(signed_in.challenges, ["PASSWORD_VERIFIER"]);
    let (group_key, device_key) = signed_in.new_device().unwrap();
    assert!(
        group_key.starts_with('-') && group_key.len() == 10,
        "{group_key}"
    );
    let (region, uuid) = device_key.split_once('_').unwrap();
    assert_eq!(region, "us-west-2");
    assert_eq!(uuid.len(), 36);
    let result = &signed_in.result;
    assert_eq!(result["TokenType"], "Bearer");
    assert_eq!(result["ExpiresIn"], 3600);
    assert!(result["RefreshToken"].as_str().unwrap().len() > 40);

    // Both tokens verify against the published JWKS.
    let (key, decoding) = common::first_jwk(&emulator.issuer()).await;
    let validation = common::rs256_validation(&emulator.issuer());
    for token in ["AccessToken", "IdToken"] {
        let token = result[token].as_str().unwrap();
        let header = jsonwebtoken::decode_header(token).unwrap();
        assert_eq!(header.kid.as_deref(), key["kid"].as_str());
        jsonwebtoken::decode::<Value>(token, &decoding, &validation).unwrap();
    }
    let access = signed_in.access_claims();
    for claim in [
        "sub",
        "iss",
        "client_id",
        "origin_jti",
        "event_id",
        "exp",
        "iat",
        "auth_time",
        "jti",
    ] {
        assert!(!access[claim].is_null(), "access token lacks {claim}");
    }
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin");
    assert_eq!(access["username"], USER);
    assert_eq!(access["client_id"], CLIENT);
    assert_eq!(access["device_key"], device_key.as_str());
    let id = claims(result["IdToken"].as_str().unwrap());
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["cognito:username"], USER);
    assert_eq!(id["aud"], CLIENT);
    assert_eq!(id["sub"], access["sub"]);
    assert_eq!(id["origin_jti"], access["origin_jti"]);
    assert_ne!(id["jti"], access["jti"]);
    // A tampered signature is refused where an access token is taken.
    let token = result["AccessToken"].as_str().unwrap();
    let tampered = format!("{}x", &token[..token.len() - 1]);
    assert_refused(
        api.call("ListDevices", json!({ "AccessToken": tampered }))
            .await,
        "NotAuthorizedException",
        "Invalid Access Token",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_remembered_device_signs_in_through_both_device_challenges() {
    let (_emulator, api) = start(builder()).await;
    let first = sign_in(&api, USER, PASSWORD, None, None).await.unwrap();
    let (device, necessary) = remember(&api, &first).await.unwrap();
    assert!(!necessary, "the pool remembers devices without asking");
    let second = sign_in(&api, USER, PASSWORD, Some(&device), None)
        .await
        .unwrap();
    assert_eq!(second.challenges, common::DEVICE_CHALLENGES);
    assert!(
        second.new_device().is_none(),
        "no new key for a known device"
    );
    assert_eq!(second.access_claims()["device_key"], device.key.as_str());

    let token = second.result["AccessToken"].as_str().unwrap();
    let listed = api
        .call("ListDevices", json!({ "AccessToken": token }))
        .await
        .unwrap();
    assert_eq!(listed["Devices"].as_array().unwrap().len(), 1);
    let got = api
        .call(
            "GetDevice",
            json!({ "AccessToken": token, "DeviceKey": device.key }),
        )
        .await
        .unwrap();
    let attributes = got["Device"]["DeviceAttributes"].as_array().unwrap();
    let attribute = |name: &str| {
        attributes
            .iter()
            .find(|a| a["Name"] == name)
            .map(|a| a["Value"].as_str().unwrap().to_string())
    };
    assert_eq!(
        attribute("dev:device_remembered_status").as_deref(),
        Some("remembered")
    );
    assert_eq!(attribute("device_name").as_deref(), Some("test device"));
    assert_eq!(attribute("last_ip_used").as_deref(), Some("127.0.0.1"));
    assert!(got["Device"]["DeviceLastAuthenticatedDate"].is_number());
}

#[tokio::test(flavor = "multi_thread")]
async fn device_only_remembered_on_user_prompt() {
    let (_emulator, api) = start(builder().device_only_remembered_on_user_prompt(true)).await;
    let first = sign_in(&api, USER, PASSWORD, None, None).await.unwrap();
    let (group_key, key) = first.new_device().unwrap();
    let registration = DeviceRegistration::generate(&group_key, &key, &mut rand::rng());
    let config = &registration.device_secret_verifier_config;
    let token = first.result["AccessToken"].as_str().unwrap();
    let reply = api
        .call(
            "ConfirmDevice",
            json!({ "AccessToken": token, "DeviceKey": key, "DeviceSecretVerifierConfig": {
                "PasswordVerifier": config.password_verifier(), "Salt": config.salt() } }),
        )
        .await
        .unwrap();
    assert_eq!(reply["UserConfirmationNecessary"], true);
    let device = Device {
        group_key,
        key: key.clone(),
        password: registration.device_password.as_str().into(),
    };
    // Confirmed but not remembered: no device challenge, not listed, no new key either.
    let signed_in = sign_in(&api, USER, PASSWORD, Some(&device), None)
        .await
        .unwrap();
    assert_eq!(signed_in.challenges, ["PASSWORD_VERIFIER"]);
    assert!(signed_in.new_device().is_none());
    let listed = api
        .call("ListDevices", json!({ "AccessToken": token }))
        .await
        .unwrap();
    assert_eq!(listed["Devices"], json!([]));
    // The user says yes.
    let refusal = api
        .call(
            "UpdateDeviceStatus",
            json!({ "AccessToken": token, "DeviceKey": key, "DeviceRememberedStatus": "maybe" }),
        )
        .await
        .unwrap_err();
    assert_eq!(refusal.kind, "InvalidParameterException");
    api.call(
        "UpdateDeviceStatus",
        json!({ "AccessToken": token, "DeviceKey": key, "DeviceRememberedStatus": "remembered" }),
    )
    .await
    .unwrap();
    let signed_in = sign_in(&api, USER, PASSWORD, Some(&device), None)
        .await
        .unwrap();
    assert_eq!(signed_in.challenges.len(), 3);
    assert_eq!(signed_in.access_claims()["device_key"], key.as_str());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_remembered_device_stands_in_for_totp_only_when_the_pool_says_so() {
    for challenge_required_on_new_device in [true, false] {
        let (_emulator, api) = start(
            builder()
                .totp(USER, RFC6238_SECRET_BASE32)
                .challenge_required_on_new_device(challenge_required_on_new_device),
        )
        .await;
        // Without a device: the code is asked for; a wrong one is refused.
        let step = password_step(&api, USER, PASSWORD, None).await.unwrap();
        let reply = step.answer(&api).await.unwrap();
        assert_eq!(reply["ChallengeName"], "SOFTWARE_TOKEN_MFA");
        let wrong = Params::from([
            ("USERNAME".into(), USER.into()),
            ("SOFTWARE_TOKEN_MFA_CODE".into(), "000000".into()),
        ]);
        assert_refused(
            api.respond("SOFTWARE_TOKEN_MFA", reply["Session"].as_str(), &wrong)
                .await,
            "CodeMismatchException",
            "Invalid code received for user",
        );

        let first = sign_in(&api, USER, PASSWORD, None, Some(RFC6238_SECRET))
            .await
            .unwrap();
        assert_eq!(
            first.challenges,
            ["PASSWORD_VERIFIER", "SOFTWARE_TOKEN_MFA"]
        );
        let (device, _) = remember(&api, &first).await.unwrap();
        let second = sign_in(&api, USER, PASSWORD, Some(&device), Some(RFC6238_SECRET))
            .await
            .unwrap();
        let mut expected = common::DEVICE_CHALLENGES.to_vec();
        if !challenge_required_on_new_device {
            expected.push("SOFTWARE_TOKEN_MFA");
        }
        assert_eq!(
            second.challenges, expected,
            "ChallengeRequiredOnNewDevice = {challenge_required_on_new_device}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_proofs_replays_and_timestamps_are_refused() {
    let (_emulator, api) = start(builder()).await;
    // Wrong user password.
    let step = password_step(&api, USER, "wrong password", None)
        .await
        .unwrap();
    assert_refused(
        step.answer(&api).await,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );
    // Unknown user.
    let refusal = password_step(&api, "nobody", PASSWORD, None)
        .await
        .err()
        .unwrap();
    assert!(
        refusal.is("UserNotFoundException", "User does not exist."),
        "{refusal:?}"
    );

    // A replayed PASSWORD_VERIFIER answer, with and without its Session.
    let step = password_step(&api, USER, PASSWORD, None).await.unwrap();
    step.answer(&api).await.unwrap();
    for session in [step.session.as_deref(), None] {
        assert_refused(
            api.respond("PASSWORD_VERIFIER", session, &step.responses)
                .await,
            "NotAuthorizedException",
            "Incorrect username or password.",
        );
    }
    // A made-up session.
    assert_refused(
        api.respond(
            "PASSWORD_VERIFIER",
            Some("bm90IGEgc2Vzc2lvbg"),
            &step.responses,
        )
        .await,
        "NotAuthorizedException",
        "Invalid session for the user.",
    );

    // A stale TIMESTAMP (an hour ago, well-formed) and a malformed one.
    for (timestamp, kind, message) in [
        (
            cognito_srp6a::Timestamp::from_unix_seconds(unix_now() - 3600)
                .unwrap()
                .as_str()
                .to_string(),
            "NotAuthorizedException",
            "Incorrect username or password.",
        ),
        (
            "2026-11-01T02:22:00Z".to_string(),
            "InvalidParameterException",
            "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.",
        ),
    ] {
        let mut step = password_step(&api, USER, PASSWORD, None).await.unwrap();
        step.responses.insert("TIMESTAMP".into(), timestamp);
        assert_refused(step.answer(&api).await, kind, message);
    }

    // A wrong device password, and a replayed device answer.
    let device = with_device(&api).await;
    let wrong = Device {
        password: "AAAA".repeat(14),
        ..device.clone()
    };
    let step = password_step(&api, USER, PASSWORD, Some(&device.key))
        .await
        .unwrap();
    let reply = step.answer(&api).await.unwrap();
    assert_refused(
        device_steps(&api, &reply, &step.username, &wrong, true).await,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );
}

/// pycognito's sign-in: one ephemeral `a` for `USER_SRP_AUTH` and `DEVICE_SRP_AUTH`, and no
/// `Session` on `PASSWORD_VERIFIER` nor on the device steps. Returns the reply to
/// `PASSWORD_VERIFIER` and the `a`, so the device steps can reuse it.
async fn pycognito_password_step(api: &Api, device: &Device) -> (Value, [u8; 32]) {
    use rand::Rng;
    let mut a = [0u8; 32];
    rand::rng().fill_bytes(&mut a);
    let user = cognito_srp6a::User::new(&api.pool_id, USER, PASSWORD).unwrap();
    let sign_in = user.start_sign_in_with_test_exponent(&a).unwrap();
    let mut auth = sign_in.user_srp_auth().parameters().to_map();
    auth.insert("DEVICE_KEY".into(), device.key.clone());
    let reply = api
        .call(
            "InitiateAuth",
            json!({ "AuthFlow": "USER_SRP_AUTH", "ClientId": api.client_id, "AuthParameters": auth }),
        )
        .await
        .unwrap();
    let params: Params = serde_json::from_value(reply["ChallengeParameters"].clone()).unwrap();
    let challenge = cognito_srp6a::PasswordVerifierChallenge::from_parameters(&params).unwrap();
    let mut responses = sign_in
        .respond(&challenge, cognito_srp6a::Timestamp::now().unwrap())
        .unwrap()
        .parameters()
        .to_map();
    responses.insert("DEVICE_KEY".into(), device.key.clone());
    let reply = api
        .respond("PASSWORD_VERIFIER", None, &responses)
        .await
        .unwrap();
    assert_eq!(reply["ChallengeName"], "DEVICE_SRP_AUTH", "{reply}");
    (reply, a)
}

/// `DEVICE_SRP_AUTH` and `DEVICE_PASSWORD_VERIFIER` without a `Session`, with the device's
/// ephemeral exponent `a`.
async fn sessionless_device_steps(api: &Api, device: &Device, a: &[u8]) -> Result<Value, Refusal> {
    let pending = device
        .remembered()
        .start_sign_in_with_test_exponent(a)
        .unwrap();
    let auth = pending.device_srp_auth(USER).parameters().to_map();
    let reply = api.respond("DEVICE_SRP_AUTH", None, &auth).await?;
    assert_eq!(
        reply["ChallengeName"], "DEVICE_PASSWORD_VERIFIER",
        "{reply}"
    );
    assert_eq!(
        reply["ChallengeParameters"]["DEVICE_KEY"],
        device.key.as_str()
    );
    let params: Params = serde_json::from_value(reply["ChallengeParameters"].clone()).unwrap();
    let challenge = DevicePasswordVerifierChallenge::from_parameters(&params).unwrap();
    let responses = pending
        .respond(&challenge, cognito_srp6a::Timestamp::now().unwrap())
        .unwrap()
        .parameters()
        .to_map();
    api.respond("DEVICE_PASSWORD_VERIFIER", None, &responses)
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn device_steps_without_a_session_as_pycognito_sends_them() {
    let (_emulator, api) = start(builder()).await;
    let device = with_device(&api).await;
    let (_, a) = pycognito_password_step(&api, &device).await;
    let reply = sessionless_device_steps(&api, &device, &a).await.unwrap();
    assert_eq!(
        claims(
            reply["AuthenticationResult"]["AccessToken"]
                .as_str()
                .unwrap()
        )["device_key"],
        device.key.as_str()
    );
    // DEVICE_SRP_AUTH with no sign-in before it.
    let mut rng = rand::rng();
    let pending = device.remembered().start_sign_in(&mut rng).unwrap();
    let auth = pending.device_srp_auth(USER).parameters().to_map();
    assert_refused(
        api.respond("DEVICE_SRP_AUTH", None, &auth).await,
        "NotAuthorizedException",
        "Cannot initiate DEVICE_SRP_AUTH flow without first authenticating",
    );
}

/// A thief with the device file (key and device password) but not the user's password answers
/// `DEVICE_SRP_AUTH` without a `Session` while the user's own sign-in waits on that step: the
/// answer finds no sign-in (so no tokens, and nothing spent), and the user finishes hers.
#[tokio::test(flavor = "multi_thread")]
async fn a_device_file_alone_cannot_take_over_a_sign_in_in_progress() {
    let (_emulator, api) = start(builder()).await;
    let device = with_device(&api).await;
    let thief = |api: Api, device: Device| async move {
        let mut rng = rand::rng();
        let pending = device.remembered().start_sign_in(&mut rng).unwrap();
        let auth = pending.device_srp_auth(USER).parameters().to_map();
        api.respond("DEVICE_SRP_AUTH", None, &auth).await
    };

    // 1. A client that sends Sessions (identity-js, the SDKs): its sign-in waits on
    //    DEVICE_SRP_AUTH; the thief tries ten times.
    let step = password_step(&api, USER, PASSWORD, Some(&device.key))
        .await
        .unwrap();
    let reply = step.answer(&api).await.unwrap();
    assert_eq!(reply["ChallengeName"], "DEVICE_SRP_AUTH");
    for _ in 0..10 {
        assert_refused(
            thief(api.clone(), device.clone()).await,
            "NotAuthorizedException",
            "Cannot initiate DEVICE_SRP_AUTH flow without first authenticating",
        );
    }
    let done = device_steps(&api, &reply, &step.username, &device, true)
        .await
        .unwrap();
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());

    // 2. A sessionless client (pycognito): the step is found only with the SRP_A of the
    //    user's USER_SRP_AUTH, which the thief does not have.
    let (_, a) = pycognito_password_step(&api, &device).await;
    for _ in 0..10 {
        assert_eq!(
            thief(api.clone(), device.clone()).await.unwrap_err().kind,
            "NotAuthorizedException"
        );
    }
    let done = sessionless_device_steps(&api, &device, &a).await.unwrap();
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forgotten_device_does_not_exist_and_the_same_answer_goes_through_without_it() {
    let (_emulator, api) = start(builder()).await;
    let first = sign_in(&api, USER, PASSWORD, None, None).await.unwrap();
    let (device, _) = remember(&api, &first).await.unwrap();
    let token = first.result["AccessToken"].as_str().unwrap();
    api.call(
        "ForgetDevice",
        json!({ "AccessToken": token, "DeviceKey": device.key }),
    )
    .await
    .unwrap();
    let refusal = api
        .call(
            "ForgetDevice",
            json!({ "AccessToken": token, "DeviceKey": device.key }),
        )
        .await
        .unwrap_err();
    assert!(refusal.is("ResourceNotFoundException", "Device does not exist."));

    let step = password_step(&api, USER, PASSWORD, Some(&device.key))
        .await
        .unwrap();
    assert_refused(
        step.answer(&api).await,
        "ResourceNotFoundException",
        "Device does not exist.",
    );
    // identity-js resends the same answer with "DEVICE_KEY": null.
    let mut retry = serde_json::to_value(&step.responses).unwrap();
    retry["DEVICE_KEY"] = Value::Null;
    let reply = api
        .call(
            "RespondToAuthChallenge",
            json!({ "ClientId": CLIENT, "ChallengeName": "PASSWORD_VERIFIER", "Session": step.session, "ChallengeResponses": retry }),
        )
        .await
        .unwrap();
    let metadata = &reply["AuthenticationResult"]["NewDeviceMetadata"];
    assert!(metadata["DeviceKey"].is_string() && metadata["DeviceKey"] != device.key.as_str());
    // An unknown device key is the same.
    let step = password_step(
        &api,
        USER,
        PASSWORD,
        Some("us-west-2_00000000-0000-0000-0000-000000000000"),
    )
    .await
    .unwrap();
    let refusal = step.answer(&api).await.unwrap_err();
    assert!(refusal.is("ResourceNotFoundException", "Device does not exist."));
}

#[tokio::test(flavor = "multi_thread")]
async fn confirm_device_refuses_what_the_service_refuses() {
    let (_emulator, api) = start(builder()).await;
    let first = sign_in(&api, USER, PASSWORD, None, None).await.unwrap();
    let (_, key) = first.new_device().unwrap();
    let token = first.result["AccessToken"].as_str().unwrap();
    let confirm = |key: String, verifier: &str, salt: &str| {
        let body = json!({ "AccessToken": token, "DeviceKey": key,
            "DeviceSecretVerifierConfig": { "PasswordVerifier": verifier, "Salt": salt } });
        let api = api.clone();
        async move { api.call("ConfirmDevice", body).await }
    };
    let good_salt = "AKqqqqqqqqqqqqqqqqqqqqo=";
    for (verifier, salt, what) in [
        ("AA==", good_salt, "v = 0"),
        ("AQ==", good_salt, "v = 1"),
        ("/w==", good_salt, "a negative verifier"),
        ("not base64!", good_salt, "a verifier that is not base64"),
        ("Ag==", "gA==", "a negative salt"),
        ("Ag==", "", "an empty salt"),
    ] {
        let refusal = confirm(key.clone(), verifier, salt).await.unwrap_err();
        assert_eq!(
            refusal.kind, "InvalidParameterException",
            "{what}: {refusal:?}"
        );
    }
    // The AWS CLI reference's own example values, unpadded base64 ("MyVerifierString",
    // "MySRPSalt"), are accepted as the service accepts them.
    let second = sign_in(&api, USER, PASSWORD, None, None).await.unwrap();
    let (_, seed_key) = second.new_device().unwrap();
    let seeded = api
        .call("ConfirmDevice", json!({ "AccessToken": second.result["AccessToken"], "DeviceKey": seed_key,
            "DeviceSecretVerifierConfig": { "PasswordVerifier": "TXlWZXJpZmllclN0cmluZw", "Salt": "TXlTUlBTYWx0" } }))
        .await
        .unwrap();
    assert_eq!(seeded, json!({ "UserConfirmationNecessary": false }));
    assert_refused(
        confirm("us-west-2_not-issued".into(), "Ag==", good_salt).await,
        "InvalidParameterException",
        "Invalid device key given.",
    );
    confirm(key.clone(), "Ag==", good_salt).await.unwrap();
    let refusal = confirm(key.clone(), "Ag==", good_salt).await.unwrap_err();
    assert_eq!(refusal.kind, "DeviceKeyExistsException");
}

#[tokio::test(flavor = "multi_thread")]
async fn secret_hash_is_required_and_checked_on_every_step() {
    let emulator = builder()
        .client_secret("sup3r-s3cret")
        .start()
        .await
        .unwrap();
    let api = Api::new(emulator.url(), POOL, CLIENT, Some("sup3r-s3cret"));
    let first = sign_in(&api, USER, PASSWORD, None, None).await.unwrap();
    let (device, _) = remember(&api, &first).await.unwrap();
    let second = sign_in(&api, USER, PASSWORD, Some(&device), None)
        .await
        .unwrap();
    assert_eq!(second.challenges.len(), 3);

    let without = Api::new(emulator.url(), POOL, CLIENT, None);
    let refusal = password_step(&without, USER, PASSWORD, None)
        .await
        .err()
        .unwrap();
    assert!(
        refusal.is(
            "NotAuthorizedException",
            &format!("Client {CLIENT} is configured with secret but SECRET_HASH was not received")
        ),
        "{refusal:?}"
    );
    let wrong = Api::new(emulator.url(), POOL, CLIENT, Some("another secret"));
    let refusal = password_step(&wrong, USER, PASSWORD, None)
        .await
        .err()
        .unwrap();
    assert!(
        refusal.is(
            "NotAuthorizedException",
            &format!("Unable to verify secret hash for client {CLIENT}")
        ),
        "{refusal:?}"
    );
    // A challenge answer without it.
    let mut step = password_step(&api, USER, PASSWORD, None).await.unwrap();
    step.responses.remove("SECRET_HASH");
    let refusal = step.answer(&api).await.unwrap_err();
    assert_eq!(refusal.kind, "NotAuthorizedException");
    assert!(refusal.message.contains("SECRET_HASH was not received"));
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_needs_the_bound_device_key() {
    let (_emulator, api) = start(builder()).await;
    let first = sign_in(&api, USER, PASSWORD, None, None).await.unwrap();
    let (device, _) = remember(&api, &first).await.unwrap();
    let second = sign_in(&api, USER, PASSWORD, Some(&device), None)
        .await
        .unwrap();
    let refresh_token = second.result["RefreshToken"].as_str().unwrap();
    let refresh = |device_key: Option<&str>| {
        let mut params = json!({ "REFRESH_TOKEN": refresh_token });
        if let Some(key) = device_key {
            params["DEVICE_KEY"] = json!(key);
        }
        let api = api.clone();
        async move {
            api.call("InitiateAuth", json!({ "AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": CLIENT, "AuthParameters": params }))
                .await
        }
    };
    let refreshed = refresh(Some(&device.key)).await.unwrap();
    let result = &refreshed["AuthenticationResult"];
    assert!(
        result["RefreshToken"].is_null(),
        "the refresh token stays the same"
    );
    let access = claims(result["AccessToken"].as_str().unwrap());
    assert_eq!(access["device_key"], device.key.as_str());
    assert_eq!(access["origin_jti"], second.access_claims()["origin_jti"]);
    for key in [None, Some("us-west-2_other")] {
        assert_refused(
            refresh(key).await,
            "NotAuthorizedException",
            "Invalid Refresh Token.",
        );
    }
    // Forgetting the device ends its refresh tokens.
    let token = second.result["AccessToken"].as_str().unwrap();
    api.call(
        "ForgetDevice",
        json!({ "AccessToken": token, "DeviceKey": device.key }),
    )
    .await
    .unwrap();
    assert_refused(
        refresh(Some(&device.key)).await,
        "NotAuthorizedException",
        "Invalid Refresh Token.",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn users_from_sign_up_and_admin_calls() {
    let (_emulator, api) = start(builder()).await;
    // SignUp, then a sign-in before and after AdminConfirmSignUp.
    let reply = api
        .call(
            "SignUp",
            json!({ "ClientId": CLIENT, "Username": "bob", "Password": "pässwörd ☃",
            "UserAttributes": [{ "Name": "email", "Value": "bob@example.com" }] }),
        )
        .await
        .unwrap();
    assert_eq!(reply["UserConfirmed"], false);
    assert_refused(
        sign_in(&api, "bob", "pässwörd ☃", None, None).await,
        "UserNotConfirmedException",
        "User is not confirmed.",
    );
    let refusal = api
        .call(
            "SignUp",
            json!({ "ClientId": CLIENT, "Username": "bob", "Password": "x" }),
        )
        .await
        .unwrap_err();
    assert_eq!(refusal.kind, "UsernameExistsException");
    api.call(
        "AdminConfirmSignUp",
        json!({ "UserPoolId": POOL, "Username": "bob" }),
    )
    .await
    .unwrap();
    let signed_in = sign_in(&api, "bob", "pässwörd ☃", None, None)
        .await
        .unwrap();
    let id = claims(signed_in.result["IdToken"].as_str().unwrap());
    assert_eq!(id["email"], "bob@example.com");
    assert_eq!(id["sub"], reply["UserSub"]);

    // AdminCreateUser: NEW_PASSWORD_REQUIRED, then the new password signs in.
    api.call(
        "AdminCreateUser",
        json!({ "UserPoolId": POOL, "Username": "carol", "TemporaryPassword": "temp-1" }),
    )
    .await
    .unwrap();
    let step = password_step(&api, "carol", "temp-1", None).await.unwrap();
    let reply = step.answer(&api).await.unwrap();
    assert_eq!(reply["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    let responses = Params::from([
        ("USERNAME".into(), "carol".into()),
        ("NEW_PASSWORD".into(), "chosen-2".into()),
    ]);
    let reply = api
        .respond(
            "NEW_PASSWORD_REQUIRED",
            reply["Session"].as_str(),
            &responses,
        )
        .await
        .unwrap();
    assert!(reply["AuthenticationResult"]["AccessToken"].is_string());
    sign_in(&api, "carol", "chosen-2", None, None)
        .await
        .unwrap();

    // AdminSetUserPassword, permanent.
    api.call(
        "AdminSetUserPassword",
        json!({ "UserPoolId": POOL, "Username": USER, "Password": "new one", "Permanent": true }),
    )
    .await
    .unwrap();
    assert_eq!(
        sign_in(&api, USER, PASSWORD, None, None)
            .await
            .unwrap_err()
            .kind,
        "NotAuthorizedException"
    );
    sign_in(&api, USER, "new one", None, None).await.unwrap();
    let refusal = api.call("AdminSetUserPassword", json!({ "UserPoolId": "us-west-2_Other", "Username": USER, "Password": "x", "Permanent": true }))
        .await
        .unwrap_err();
    assert!(refusal.is(
        "ResourceNotFoundException",
        "User pool us-west-2_Other does not exist."
    ));

    let pool = api
        .call("DescribeUserPool", json!({ "UserPoolId": POOL }))
        .await
        .unwrap();
    assert_eq!(
        pool["UserPool"]["DeviceConfiguration"],
        json!({ "ChallengeRequiredOnNewDevice": false, "DeviceOnlyRememberedOnUserPrompt": false })
    );
    assert_eq!(pool["UserPool"]["EstimatedNumberOfUsers"], 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_device_calls() {
    let (_emulator, api) = start(builder().device_only_remembered_on_user_prompt(true)).await;
    let first = sign_in(&api, USER, PASSWORD, None, None).await.unwrap();
    let (device, necessary) = remember(&api, &first).await.unwrap();
    assert!(necessary);
    let named = |extra: Value| {
        let mut body = json!({ "UserPoolId": POOL, "Username": USER });
        for (name, value) in extra.as_object().unwrap() {
            body[name] = value.clone();
        }
        body
    };
    let listed = api
        .call("AdminListDevices", named(json!({})))
        .await
        .unwrap();
    assert_eq!(listed["Devices"][0]["DeviceKey"], device.key.as_str());
    api.call(
        "AdminUpdateDeviceStatus",
        named(json!({ "DeviceKey": device.key, "DeviceRememberedStatus": "not_remembered" })),
    )
    .await
    .unwrap();
    assert_eq!(
        api.call("AdminListDevices", named(json!({})))
            .await
            .unwrap()["Devices"],
        json!([])
    );
    let got = api
        .call("AdminGetDevice", named(json!({ "DeviceKey": device.key })))
        .await
        .unwrap();
    assert_eq!(got["Device"]["DeviceKey"], device.key.as_str());
    api.call(
        "AdminForgetDevice",
        named(json!({ "DeviceKey": device.key })),
    )
    .await
    .unwrap();
    let refusal = api
        .call("AdminGetDevice", named(json!({ "DeviceKey": device.key })))
        .await
        .unwrap_err();
    assert!(refusal.is("ResourceNotFoundException", "Device does not exist."));
    let refusal = api
        .call(
            "AdminListDevices",
            json!({ "UserPoolId": POOL, "Username": "nobody" }),
        )
        .await
        .unwrap_err();
    assert!(refusal.is("UserNotFoundException", "User does not exist."));
}

#[tokio::test(flavor = "multi_thread")]
async fn remembered_devices_survive_a_restart_with_a_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("pool.sqlite");
    let (emulator, api) = start(builder().state_file(&state)).await;
    let first = sign_in(&api, USER, PASSWORD, None, None).await.unwrap();
    let (device, _) = remember(&api, &first).await.unwrap();
    let refresh_token = first.result["RefreshToken"].as_str().unwrap().to_string();
    emulator.shutdown().await;

    let (_emulator, api) = start(builder().state_file(&state)).await;
    let signed_in = sign_in(&api, USER, PASSWORD, Some(&device), None)
        .await
        .unwrap();
    assert_eq!(signed_in.challenges.len(), 3);
    let refreshed = api
        .call(
            "InitiateAuth",
            json!({ "AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": CLIENT,
            "AuthParameters": { "REFRESH_TOKEN": refresh_token, "DEVICE_KEY": device.key } }),
        )
        .await
        .unwrap();
    assert!(refreshed["AuthenticationResult"]["AccessToken"].is_string());
    // What the file holds: the verifier, not the password; the refresh token's hash only.
    _emulator.shutdown().await;
    for file in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(file.unwrap().path()).unwrap(); // the database and its WAL
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(PASSWORD)
                && !text.contains(&device.password)
                && !text.contains(&refresh_token)
        );
        assert!(!text.is_empty());
    }
}

/// Entries a step does not use are ignored, as the service ignores them: cognito-srp-helper
/// sends `SRP_A` in every `PASSWORD_VERIFIER` answer and signs in against AWS. A right password
/// with an extra entry is never answered as a wrong one.
#[tokio::test(flavor = "multi_thread")]
async fn entries_a_step_does_not_use_are_ignored() {
    let (_emulator, api) = start(builder()).await;
    let device = with_device(&api).await;
    let mut step = password_step(&api, USER, PASSWORD, Some(&device.key))
        .await
        .unwrap();
    step.responses.insert("SRP_A".into(), "ab".repeat(384));
    step.responses.insert("SOMETHING_ELSE".into(), "x".into());
    let reply = api
        .respond(
            "PASSWORD_VERIFIER",
            step.session.as_deref(),
            &step.responses,
        )
        .await
        .unwrap();
    assert_eq!(reply["ChallengeName"], "DEVICE_SRP_AUTH", "{reply}");
    // A wrong proof with the same extra entries is still refused.
    let mut step = password_step(&api, USER, "not the password", None)
        .await
        .unwrap();
    step.responses.insert("SRP_A".into(), "ab".repeat(384));
    assert_refused(
        api.respond(
            "PASSWORD_VERIFIER",
            step.session.as_deref(),
            &step.responses,
        )
        .await,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );
}

/// A signed-in user reads and changes itself with its access token; attributes the service
/// reserves (token claims, `cognito:*`) are refused everywhere, so no caller chooses a claim
/// of its own ID token.
#[tokio::test(flavor = "multi_thread")]
async fn users_read_change_and_delete_themselves() {
    let (_emulator, api) = start(builder()).await;
    let signed_in = sign_in(&api, USER, PASSWORD, None, None).await.unwrap();
    let token = signed_in.result["AccessToken"]
        .as_str()
        .unwrap()
        .to_string();
    let me = api
        .call("GetUser", json!({ "AccessToken": token }))
        .await
        .unwrap();
    assert_eq!(me["Username"], USER);
    let sub = claims(signed_in.result["IdToken"].as_str().unwrap())["sub"].clone();
    assert!(
        me["UserAttributes"]
            .as_array()
            .unwrap()
            .contains(&json!({ "Name": "sub", "Value": sub })),
        "{me}"
    );

    api.call(
        "UpdateUserAttributes",
        json!({ "AccessToken": token, "UserAttributes": [
            { "Name": "email", "Value": "alice@example.com" },
            { "Name": "custom:team", "Value": "blue" },
        ]}),
    )
    .await
    .unwrap();
    let me = api
        .call("GetUser", json!({ "AccessToken": token }))
        .await
        .unwrap();
    let attributes = me["UserAttributes"].as_array().unwrap();
    assert!(attributes.contains(&json!({ "Name": "email", "Value": "alice@example.com" })));
    assert!(attributes.contains(&json!({ "Name": "custom:team", "Value": "blue" })));

    for reserved in ["cognito:groups", "sub", "iss", "Cognito:Roles", "token_use"] {
        let attributes = json!([{ "Name": reserved, "Value": "admin" }]);
        for (operation, body) in [
            (
                "UpdateUserAttributes",
                json!({ "AccessToken": token, "UserAttributes": attributes }),
            ),
            (
                "SignUp",
                json!({ "ClientId": CLIENT, "Username": "mallory", "Password": "pw-123456",
                        "UserAttributes": attributes }),
            ),
            (
                "AdminCreateUser",
                json!({ "UserPoolId": POOL, "Username": "mallory", "UserAttributes": attributes }),
            ),
        ] {
            let refusal = api.call(operation, body).await.unwrap_err();
            assert_eq!(
                refusal.kind, "InvalidParameterException",
                "{operation} {reserved}"
            );
            assert!(
                refusal
                    .message
                    .contains("Attribute does not exist in the schema"),
                "{refusal:?}"
            );
        }
    }
    let again = sign_in(&api, USER, PASSWORD, None, None).await.unwrap();
    let id = claims(again.result["IdToken"].as_str().unwrap());
    assert_eq!(id["email"], "alice@example.com");
    assert!(id.get("cognito:groups").is_none(), "{id}");

    assert_refused(api
        .call(
            "ChangePassword",
            json!({ "AccessToken": token, "PreviousPassword": "not it", "ProposedPassword": "new-pw-1" }),
        )
        .await
        , "NotAuthorizedException", "Incorrect username or password.");
    api.call(
        "ChangePassword",
        json!({ "AccessToken": token, "PreviousPassword": PASSWORD, "ProposedPassword": "new-pw-1" }),
    )
    .await
    .unwrap();
    assert!(sign_in(&api, USER, PASSWORD, None, None).await.is_err());
    sign_in(&api, USER, "new-pw-1", None, None).await.unwrap();

    api.call("DeleteUser", json!({ "AccessToken": token }))
        .await
        .unwrap();
    let refusal = api
        .call("GetUser", json!({ "AccessToken": token }))
        .await
        .unwrap_err();
    assert_eq!(refusal.kind, "NotAuthorizedException");
    assert_refused(
        sign_in(&api, USER, "new-pw-1", None, None).await,
        "UserNotFoundException",
        "User does not exist.",
    );

    api.call(
        "AdminCreateUser",
        json!({ "UserPoolId": POOL, "Username": "bob", "TemporaryPassword": "temp-123" }),
    )
    .await
    .unwrap();
    api.call(
        "AdminDeleteUser",
        json!({ "UserPoolId": POOL, "Username": "bob" }),
    )
    .await
    .unwrap();
    let refusal = api
        .call(
            "AdminGetUser",
            json!({ "UserPoolId": POOL, "Username": "bob" }),
        )
        .await
        .unwrap_err();
    assert_eq!(refusal.kind, "UserNotFoundException");
}

/// `USER_PASSWORD_AUTH`, and a back end's `AdminInitiateAuth` / `AdminRespondToAuthChallenge`
/// with `ADMIN_USER_PASSWORD_AUTH` (and `ADMIN_NO_SRP_AUTH`, pycognito's name) and with
/// `USER_SRP_AUTH`, each only where the app client's `ExplicitAuthFlows` allows it, each
/// going on through a remembered device's challenges.
#[tokio::test(flavor = "multi_thread")]
async fn password_flows_and_server_side_sign_in() {
    let (_emulator, api) = start(builder()).await;
    let device = with_device(&api).await;
    // The flags' client allows what a client without ExplicitAuthFlows allows: not these.
    for (operation, flow) in [
        ("InitiateAuth", "USER_PASSWORD_AUTH"),
        ("AdminInitiateAuth", "ADMIN_USER_PASSWORD_AUTH"),
    ] {
        let refusal = api
            .call(
                operation,
                json!({ "UserPoolId": POOL, "ClientId": CLIENT, "AuthFlow": flow,
                        "AuthParameters": { "USERNAME": USER, "PASSWORD": PASSWORD } }),
            )
            .await
            .unwrap_err();
        assert!(
            refusal.is(
                "InvalidParameterException",
                &format!("{flow} flow not enabled for this client")
            ),
            "{refusal:?}"
        );
    }
    let created = api
        .call(
            "CreateUserPoolClient",
            json!({ "UserPoolId": POOL, "ClientName": "backend", "ExplicitAuthFlows": [
                "ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }),
        )
        .await
        .unwrap();
    let backend = created["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    let call = |operation: &'static str, body: Value| {
        let api = api.clone();
        async move { api.call(operation, body).await }
    };
    let password_auth = |operation: &'static str, flow: &'static str, password: &'static str| {
        let mut params = json!({ "USERNAME": USER, "PASSWORD": password });
        if flow != "ADMIN_NO_SRP_AUTH" {
            params["DEVICE_KEY"] = json!(device.key);
        }
        call(
            operation,
            json!({ "UserPoolId": POOL, "ClientId": backend, "AuthFlow": flow,
                    "AuthParameters": params }),
        )
    };
    // A wrong password, and an SRP flow the user pool's own client does not get this way.
    assert_refused(
        password_auth("InitiateAuth", "USER_PASSWORD_AUTH", "wrong").await,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );
    assert_refused(
        password_auth("InitiateAuth", "ADMIN_USER_PASSWORD_AUTH", PASSWORD).await,
        "InvalidParameterException",
        "Initiate Auth method not supported.",
    );
    // The password flows, through the remembered device named by DEVICE_KEY.
    for (operation, flow) in [
        ("InitiateAuth", "USER_PASSWORD_AUTH"),
        ("AdminInitiateAuth", "ADMIN_USER_PASSWORD_AUTH"),
    ] {
        let reply = password_auth(operation, flow, PASSWORD).await.unwrap();
        let backend_api = Api::new(api.url.clone(), POOL, &backend, None);
        let done = device_steps(&backend_api, &reply, USER, &device, true)
            .await
            .unwrap();
        assert_eq!(
            claims(
                done["AuthenticationResult"]["AccessToken"]
                    .as_str()
                    .unwrap()
            )["device_key"],
            device.key.as_str(),
            "{flow}"
        );
    }
    // pycognito's admin_authenticate: ADMIN_NO_SRP_AUTH, no device: tokens and a new device.
    let reply = password_auth("AdminInitiateAuth", "ADMIN_NO_SRP_AUTH", PASSWORD)
        .await
        .unwrap();
    assert!(reply["AuthenticationResult"]["NewDeviceMetadata"]["DeviceKey"].is_string());

    // Server-side SRP: AdminInitiateAuth USER_SRP_AUTH, AdminRespondToAuthChallenge.
    let user = cognito_srp6a::User::new(POOL, USER, PASSWORD).unwrap();
    let sign_in = user.start_sign_in(&mut rand::rng()).unwrap();
    let reply = call(
        "AdminInitiateAuth",
        json!({ "UserPoolId": POOL, "ClientId": backend, "AuthFlow": "USER_SRP_AUTH",
                "AuthParameters": sign_in.user_srp_auth().parameters().to_map() }),
    )
    .await
    .unwrap();
    let params: Params = serde_json::from_value(reply["ChallengeParameters"].clone()).unwrap();
    let challenge = cognito_srp6a::PasswordVerifierChallenge::from_parameters(&params).unwrap();
    let responses = sign_in
        .respond(&challenge, cognito_srp6a::Timestamp::now().unwrap())
        .unwrap()
        .parameters()
        .to_map();
    let done = call(
        "AdminRespondToAuthChallenge",
        json!({ "UserPoolId": POOL, "ClientId": backend, "ChallengeName": "PASSWORD_VERIFIER",
                "ChallengeResponses": responses, "Session": reply["Session"] }),
    )
    .await
    .unwrap();
    assert!(
        done["AuthenticationResult"]["AccessToken"].is_string(),
        "{done}"
    );
    // A client named with another pool's id does not exist there.
    let other = call("CreateUserPool", json!({ "PoolName": "other" }))
        .await
        .unwrap();
    let refusal = call(
        "AdminInitiateAuth",
        json!({ "UserPoolId": other["UserPool"]["Id"], "ClientId": backend,
                "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                "AuthParameters": { "USERNAME": USER, "PASSWORD": PASSWORD } }),
    )
    .await
    .unwrap_err();
    assert!(
        refusal.is(
            "ResourceNotFoundException",
            &format!("User pool client {backend} does not exist.")
        ),
        "{refusal:?}"
    );
}

/// Whether a device key is a user's is told only to a caller who proved the password: with a
/// wrong password, a forgotten or made-up device gets the wrong-password answer, and the
/// sign-in is spent; the retry a right proof earns ends when its session would have.
#[tokio::test(flavor = "multi_thread")]
async fn a_device_key_cannot_be_probed_without_the_password() {
    let clock = cognito_srp6a_emulator::ManualClock::at(unix_now());
    let (_emulator, api) = start(builder().clock(clock.clone())).await;
    let first = sign_in(&api, USER, PASSWORD, None, None).await.unwrap();
    let (device, _) = remember(&api, &first).await.unwrap();
    for key in [
        device.key.as_str(),
        "us-west-2_00000000-0000-0000-0000-000000000000",
    ] {
        let step = password_step(&api, USER, "not the password", Some(key))
            .await
            .unwrap();
        let refusal = step.answer(&api).await.unwrap_err();
        assert!(
            refusal.is("NotAuthorizedException", "Incorrect username or password."),
            "{key}: {refusal:?}"
        );
        // The probe spent the sign-in: the same answer again is a replay.
        let again = step.answer(&api).await.unwrap_err();
        assert!(
            again.is("NotAuthorizedException", "Incorrect username or password."),
            "{again:?}"
        );
    }
    // A right password and an unknown device: told, and the retry without the device works
    // only within the session's original three minutes.
    let step = password_step(
        &api,
        USER,
        PASSWORD,
        Some("us-west-2_00000000-0000-0000-0000-000000000000"),
    )
    .await
    .unwrap();
    let refusal = step.answer(&api).await.unwrap_err();
    assert!(refusal.is("ResourceNotFoundException", "Device does not exist."));
    clock.advance(181);
    let mut retry = serde_json::to_value(&step.responses).unwrap();
    retry["DEVICE_KEY"] = Value::Null;
    assert_refused(
        api.call(
            "RespondToAuthChallenge",
            json!({ "ClientId": CLIENT, "ChallengeName": "PASSWORD_VERIFIER",
                    "Session": step.session, "ChallengeResponses": retry }),
        )
        .await,
        "NotAuthorizedException",
        "Invalid session for the user, session is expired.",
    );
}

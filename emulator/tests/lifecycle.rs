//! A user's life after the first sign-in, over HTTP, on a service clock the tests move:
//! refresh with and without rotation, revocation and global sign-out; choice-based sign-in
//! (`USER_AUTH`); the codes of sign-up and password reset; `ListUsers` and disabled users; and
//! a TOTP code accepted once, with wrong codes limited. Each refusal is checked by the
//! service's error name and message.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use cognito_srp6a::{PasswordVerifierChallenge, Timestamp, User};
use cognito_srp6a_emulator::{Emulator, ManualClock, RunningEmulator};
use cognito_srp6a_test_support::{clock::unix_now, jwt::claims, totp};
use common::{Api, Params, Refusal, assert_refused};
use serde_json::{Value, json};

const PASSWORD: &str = "Correct horse 9 battery!";
const NEW_PASSWORD: &str = "Another horse 7 battery!";

/// An emulator with no pool yet, on a clock that stands still at the real time (so SRP
/// `TIMESTAMP`s and TOTP codes made now are current).
async fn start() -> (RunningEmulator, Api, ManualClock) {
    let clock = ManualClock::at(unix_now());
    let emulator = Emulator::builder()
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let api = Api::new(emulator.url(), "", "", None);
    (emulator, api, clock)
}

/// A pool made with `CreateUserPool` from `settings`; its id.
async fn pool(api: &Api, settings: Value) -> String {
    let mut body = json!({ "PoolName": "life" });
    body.as_object_mut()
        .unwrap()
        .extend(settings.as_object().unwrap().clone());
    let created = api.call("CreateUserPool", body).await.unwrap();
    created["UserPool"]["Id"].as_str().unwrap().to_string()
}

/// An app client of `pool_id` from `settings`, as an `Api` that calls with it.
async fn client(api: &Api, pool_id: &str, settings: Value) -> Api {
    let mut body = json!({ "UserPoolId": pool_id, "ClientName": "app" });
    body.as_object_mut()
        .unwrap()
        .extend(settings.as_object().unwrap().clone());
    let created = api.call("CreateUserPoolClient", body).await.unwrap();
    let client_id = created["UserPoolClient"]["ClientId"].as_str().unwrap();
    Api::new(api.url.clone(), pool_id, client_id, None)
}

/// A confirmed user with `attributes`.
async fn user(api: &Api, pool_id: &str, username: &str, attributes: Value) {
    api.call(
        "AdminCreateUser",
        json!({ "UserPoolId": pool_id, "Username": username, "UserAttributes": attributes,
                "TemporaryPassword": PASSWORD }),
    )
    .await
    .unwrap();
    api.call(
        "AdminSetUserPassword",
        json!({ "UserPoolId": pool_id, "Username": username, "Password": PASSWORD,
                "Permanent": true }),
    )
    .await
    .unwrap();
}

/// `USER_PASSWORD_AUTH`: the `AuthenticationResult`, or the refusal.
async fn password_sign_in(app: &Api, username: &str, password: &str) -> Result<Value, Refusal> {
    let reply = app
        .call(
            "InitiateAuth",
            json!({ "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": app.client_id,
                    "AuthParameters": { "USERNAME": username, "PASSWORD": password } }),
        )
        .await?;
    Ok(reply["AuthenticationResult"].clone())
}

async fn refresh(app: &Api, token: &Value) -> Result<Value, Refusal> {
    let reply = app
        .call(
            "GetTokensFromRefreshToken",
            json!({ "ClientId": app.client_id, "RefreshToken": token }),
        )
        .await?;
    Ok(reply["AuthenticationResult"].clone())
}

async fn get_user(app: &Api, access: &Value) -> Result<Value, Refusal> {
    app.call("GetUser", json!({ "AccessToken": access })).await
}

/// The codes the pool "sent", by the emulator-only endpoint.
async fn sent_code(api: &Api, pool_id: &str, username: &str, purpose: &str) -> String {
    let url = format!("{}/_emulator/{pool_id}/codes", api.url);
    let codes: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    codes["Codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|code| code["Username"] == username && code["Purpose"] == purpose)
        .unwrap_or_else(|| panic!("no {purpose} code for {username}: {codes}"))["Code"]
        .as_str()
        .unwrap()
        .to_string()
}

const FLOWS: [&str; 3] = [
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_SRP_AUTH",
];

#[tokio::test(flavor = "multi_thread")]
async fn refresh_rotation_revocation_and_global_sign_out() {
    let (_emulator, api, clock) = start().await;
    let pool_id = pool(&api, json!({})).await;
    let rotating = client(
        &api,
        &pool_id,
        json!({ "ExplicitAuthFlows": FLOWS,
                "RefreshTokenRotation": { "Feature": "ENABLED", "RetryGracePeriodSeconds": 10 } }),
    )
    .await;
    let plain = client(&api, &pool_id, json!({ "ExplicitAuthFlows": FLOWS })).await;
    let no_revocation = client(
        &api,
        &pool_id,
        json!({ "ExplicitAuthFlows": FLOWS, "EnableTokenRevocation": false }),
    )
    .await;
    user(&api, &pool_id, "alice", json!([])).await;

    // Rotation: REFRESH_TOKEN_AUTH cannot hand a new token back, so it is refused.
    let first = password_sign_in(&rotating, "alice", PASSWORD)
        .await
        .unwrap();
    let refusal = rotating
        .call(
            "InitiateAuth",
            json!({ "AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": rotating.client_id,
                    "AuthParameters": { "REFRESH_TOKEN": first["RefreshToken"] } }),
        )
        .await;
    assert_refused(
        refusal,
        "NotAuthorizedException",
        "Refresh token rotation is enabled for this app client: use GetTokensFromRefreshToken.",
    );
    let second = refresh(&rotating, &first["RefreshToken"]).await.unwrap();
    assert!(second["RefreshToken"].is_string());
    assert_ne!(second["RefreshToken"], first["RefreshToken"]);
    let origin = claims(first["AccessToken"].as_str().unwrap())["origin_jti"].clone();
    assert_eq!(
        claims(second["AccessToken"].as_str().unwrap())["origin_jti"],
        origin
    );
    // The replaced token works for the grace period (a retry after a lost answer), then not.
    clock.advance(9);
    refresh(&rotating, &first["RefreshToken"]).await.unwrap();
    clock.advance(1);
    assert_refused(
        refresh(&rotating, &first["RefreshToken"]).await,
        "RefreshTokenReuseException",
        "Refresh token has been replaced by rotation and its grace period is over.",
    );
    let third = refresh(&rotating, &second["RefreshToken"]).await.unwrap();

    // Without rotation: no new refresh token, and REFRESH_TOKEN_AUTH works.
    let other = password_sign_in(&plain, "alice", PASSWORD).await.unwrap();
    let again = refresh(&plain, &other["RefreshToken"]).await.unwrap();
    assert!(again.get("RefreshToken").is_none(), "{again}");
    plain
        .call(
            "InitiateAuth",
            json!({ "AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": plain.client_id,
                    "AuthParameters": { "REFRESH_TOKEN": other["RefreshToken"] } }),
        )
        .await
        .unwrap();

    // RevokeToken: only the issuing client, only refresh tokens, only where enabled.
    let revoke = |app: &Api, token: &Value| {
        let body = json!({ "ClientId": app.client_id, "Token": token });
        let app = app.clone();
        async move { app.call("RevokeToken", body).await }
    };
    assert_refused(
        revoke(&rotating, &other["RefreshToken"]).await,
        "UnauthorizedException",
        "The refresh token was not issued to this app client.",
    );
    assert_refused(
        revoke(&plain, &other["AccessToken"]).await,
        "UnsupportedTokenTypeException",
        "Only refresh tokens can be revoked.",
    );
    let third_party = password_sign_in(&no_revocation, "alice", PASSWORD)
        .await
        .unwrap();
    assert_refused(
        revoke(&no_revocation, &third_party["RefreshToken"]).await,
        "UnsupportedOperationException",
        "Token revocation is not enabled for this app client.",
    );
    // A token never issued is answered as revoked (RFC 7009).
    revoke(&plain, &json!("not-a-token")).await.unwrap();
    revoke(&plain, &other["RefreshToken"]).await.unwrap();
    // Its access tokens (the sign-in's and the refresh's) and the refresh token stop working;
    // the other sign-ins do not.
    for access in [&other["AccessToken"], &again["AccessToken"]] {
        assert_refused(
            get_user(&plain, access).await,
            "NotAuthorizedException",
            "Access Token has been revoked",
        );
    }
    assert_refused(
        refresh(&plain, &other["RefreshToken"]).await,
        "NotAuthorizedException",
        "Refresh Token has been revoked",
    );
    get_user(&rotating, &third["AccessToken"]).await.unwrap();

    // GlobalSignOut ends every sign-in of the user, on every client.
    rotating
        .call(
            "GlobalSignOut",
            json!({ "AccessToken": third["AccessToken"] }),
        )
        .await
        .unwrap();
    for (app, tokens) in [(&rotating, &third), (&no_revocation, &third_party)] {
        assert_refused(
            get_user(app, &tokens["AccessToken"]).await,
            "NotAuthorizedException",
            "Access Token has been revoked",
        );
    }
    assert_refused(
        refresh(&rotating, &third["RefreshToken"]).await,
        "NotAuthorizedException",
        "Refresh Token has been revoked",
    );
    // A new sign-in works, until an administrator signs the user out everywhere.
    let fresh = password_sign_in(&plain, "alice", PASSWORD).await.unwrap();
    get_user(&plain, &fresh["AccessToken"]).await.unwrap();
    api.call(
        "AdminUserGlobalSignOut",
        json!({ "UserPoolId": pool_id, "Username": "alice" }),
    )
    .await
    .unwrap();
    assert_refused(
        get_user(&plain, &fresh["AccessToken"]).await,
        "NotAuthorizedException",
        "Access Token has been revoked",
    );

    // An access token is refused at its `exp` (RFC 7519: now must be before it), not after.
    let last = password_sign_in(&plain, "alice", PASSWORD).await.unwrap();
    let exp = claims(last["AccessToken"].as_str().unwrap())["exp"]
        .as_i64()
        .unwrap();
    clock.set(exp - 1);
    get_user(&plain, &last["AccessToken"]).await.unwrap();
    clock.set(exp);
    assert_refused(
        get_user(&plain, &last["AccessToken"]).await,
        "NotAuthorizedException",
        "Access Token has expired",
    );
}

/// The `PASSWORD_VERIFIER` answer for a challenge reply, by the core crate.
fn srp_answer(sign_in: cognito_srp6a::UserSignIn<'_>, reply: &Value) -> (Params, Option<String>) {
    assert_eq!(reply["ChallengeName"], "PASSWORD_VERIFIER", "{reply}");
    let params: Params = serde_json::from_value(reply["ChallengeParameters"].clone()).unwrap();
    let challenge = PasswordVerifierChallenge::from_parameters(&params).unwrap();
    let responses = sign_in
        .respond(&challenge, Timestamp::now().unwrap())
        .unwrap()
        .parameters()
        .to_map();
    (responses, reply["Session"].as_str().map(str::to_string))
}

#[tokio::test(flavor = "multi_thread")]
async fn choice_based_sign_in() {
    let (_emulator, api, _clock) = start().await;
    let pool_id = pool(&api, json!({})).await;
    let app = client(
        &api,
        &pool_id,
        json!({ "ExplicitAuthFlows": ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }),
    )
    .await;
    let srp_only = client(&api, &pool_id, json!({ "ExplicitAuthFlows": FLOWS })).await;
    user(&api, &pool_id, "carol", json!([])).await;
    let user_auth = |app: &Api, params: Value| {
        let body = json!({ "AuthFlow": "USER_AUTH", "ClientId": app.client_id,
                           "AuthParameters": params });
        let app = app.clone();
        async move { app.call("InitiateAuth", body).await }
    };
    assert_refused(
        user_auth(&srp_only, json!({ "USERNAME": "carol" })).await,
        "InvalidParameterException",
        "USER_AUTH flow not enabled for this client",
    );

    // No preference: SELECT_CHALLENGE lists the first factors; the choice is answered in the
    // same call.
    let reply = user_auth(&app, json!({ "USERNAME": "carol" }))
        .await
        .unwrap();
    assert_eq!(reply["ChallengeName"], "SELECT_CHALLENGE");
    assert_eq!(
        reply["AvailableChallenges"],
        json!(["PASSWORD", "PASSWORD_SRP"])
    );
    let select = |session: &Value, responses: Value| {
        let body = json!({ "ChallengeName": "SELECT_CHALLENGE", "ClientId": app.client_id,
                           "Session": session, "ChallengeResponses": responses });
        let app = app.clone();
        async move { app.call("RespondToAuthChallenge", body).await }
    };
    assert_refused(
        select(
            &reply["Session"],
            json!({ "USERNAME": "carol", "ANSWER": "PASSWORD", "PASSWORD": "wrong" }),
        )
        .await,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );
    let reply = user_auth(&app, json!({ "USERNAME": "carol" }))
        .await
        .unwrap();
    let done = select(
        &reply["Session"],
        json!({ "USERNAME": "carol", "ANSWER": "PASSWORD", "PASSWORD": PASSWORD }),
    )
    .await
    .unwrap();
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());

    // PASSWORD_SRP chosen in SELECT_CHALLENGE, and as the preferred challenge.
    for preferred in [false, true] {
        let srp_user = User::new(&pool_id, "carol", PASSWORD).unwrap();
        let sign_in = srp_user.start_sign_in(&mut rand::rng()).unwrap();
        let srp_a = sign_in.user_srp_auth().parameters().to_map()["SRP_A"].clone();
        let reply = if preferred {
            user_auth(
                &app,
                json!({ "USERNAME": "carol", "PREFERRED_CHALLENGE": "PASSWORD_SRP",
                        "SRP_A": srp_a }),
            )
            .await
            .unwrap()
        } else {
            let reply = user_auth(&app, json!({ "USERNAME": "carol" }))
                .await
                .unwrap();
            select(
                &reply["Session"],
                json!({ "USERNAME": "carol", "ANSWER": "PASSWORD_SRP", "SRP_A": srp_a }),
            )
            .await
            .unwrap()
        };
        let (responses, session) = srp_answer(sign_in, &reply);
        let done = app
            .respond("PASSWORD_VERIFIER", session.as_deref(), &responses)
            .await
            .unwrap();
        assert!(
            done["AuthenticationResult"]["AccessToken"].is_string(),
            "{done}"
        );
    }
    // PASSWORD as the preferred challenge: tokens at once.
    let done = user_auth(
        &app,
        json!({ "USERNAME": "carol", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD }),
    )
    .await
    .unwrap();
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
    // An answer that is not on offer.
    let reply = user_auth(&app, json!({ "USERNAME": "carol" }))
        .await
        .unwrap();
    assert_refused(
        select(
            &reply["Session"],
            json!({ "USERNAME": "carol", "ANSWER": "EMAIL_OTP" }),
        )
        .await,
        "InvalidParameterException",
        "ANSWER must be one of the AvailableChallenges: PASSWORD, PASSWORD_SRP",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_up_and_password_reset_codes() {
    let (_emulator, api, clock) = start().await;
    let pool_id = pool(&api, json!({ "AutoVerifiedAttributes": ["email"] })).await;
    let app = client(&api, &pool_id, json!({ "ExplicitAuthFlows": FLOWS })).await;
    let signed_up = app
        .call(
            "SignUp",
            json!({ "ClientId": app.client_id, "Username": "dave", "Password": PASSWORD,
                    "UserAttributes": [{ "Name": "email", "Value": "dave@example.com" }] }),
        )
        .await
        .unwrap();
    assert_eq!(
        signed_up["CodeDeliveryDetails"],
        json!({ "Destination": "d***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email" })
    );
    // A forgotten password needs a verified address, which dave does not have yet.
    let forgot = |username: &str| {
        let body = json!({ "ClientId": app.client_id, "Username": username });
        let app = app.clone();
        async move { app.call("ForgotPassword", body).await }
    };
    assert_refused(
        forgot("dave").await,
        "InvalidParameterException",
        "Cannot reset password for the user as there is no registered/verified email or \
         phone_number",
    );
    let confirm = |code: &str| {
        let body = json!({ "ClientId": app.client_id, "Username": "dave",
                           "ConfirmationCode": code });
        let app = app.clone();
        async move { app.call("ConfirmSignUp", body).await }
    };
    let resent = app
        .call(
            "ResendConfirmationCode",
            json!({ "ClientId": app.client_id, "Username": "dave" }),
        )
        .await
        .unwrap();
    assert_eq!(resent["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    let code = sent_code(&api, &pool_id, "dave", "SIGN_UP").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_refused(
        confirm(wrong).await,
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    );
    confirm(&code).await.unwrap();
    assert_refused(
        confirm(&code).await,
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is CONFIRMED",
    );
    let got = api
        .call(
            "AdminGetUser",
            json!({ "UserPoolId": pool_id, "Username": "dave" }),
        )
        .await
        .unwrap();
    assert!(
        got["UserAttributes"]
            .as_array()
            .unwrap()
            .contains(&json!({ "Name": "email_verified", "Value": "true" })),
        "{got}"
    );
    password_sign_in(&app, "dave", PASSWORD).await.unwrap();

    // ForgotPassword: five wrong codes spend the code.
    let confirm_forgot = |code: &str, password: &str| {
        let body = json!({ "ClientId": app.client_id, "Username": "dave",
                           "ConfirmationCode": code, "Password": password });
        let app = app.clone();
        async move { app.call("ConfirmForgotPassword", body).await }
    };
    forgot("dave").await.unwrap();
    let code = sent_code(&api, &pool_id, "dave", "FORGOT_PASSWORD").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..4 {
        assert_refused(
            confirm_forgot(wrong, NEW_PASSWORD).await,
            "CodeMismatchException",
            "Invalid verification code provided, please try again.",
        );
    }
    assert_refused(
        confirm_forgot(wrong, NEW_PASSWORD).await,
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    );
    assert_refused(
        confirm_forgot(&code, NEW_PASSWORD).await,
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    );
    // A code past its hour.
    forgot("dave").await.unwrap();
    let code = sent_code(&api, &pool_id, "dave", "FORGOT_PASSWORD").await;
    clock.advance(3600);
    assert_refused(
        confirm_forgot(&code, NEW_PASSWORD).await,
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    );
    forgot("dave").await.unwrap();
    let code = sent_code(&api, &pool_id, "dave", "FORGOT_PASSWORD").await;
    confirm_forgot(&code, NEW_PASSWORD).await.unwrap();
    assert_refused(
        password_sign_in(&app, "dave", PASSWORD).await,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );
    password_sign_in(&app, "dave", NEW_PASSWORD).await.unwrap();

    // An administrator's reset: the old password signs in no more, a code sets a new one.
    api.call(
        "AdminResetUserPassword",
        json!({ "UserPoolId": pool_id, "Username": "dave" }),
    )
    .await
    .unwrap();
    assert_refused(
        password_sign_in(&app, "dave", NEW_PASSWORD).await,
        "PasswordResetRequiredException",
        "Password reset required for the user",
    );
    let code = sent_code(&api, &pool_id, "dave", "FORGOT_PASSWORD").await;
    confirm_forgot(&code, PASSWORD).await.unwrap();
    password_sign_in(&app, "dave", PASSWORD).await.unwrap();
    // The codes endpoint is per pool, and knows no other.
    let missing = reqwest::get(format!("{}/_emulator/us-east-1_Nothing/codes", api.url))
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn list_users_filters_pages_and_disabled_users() {
    let (_emulator, api, _clock) = start().await;
    let pool_id = pool(&api, json!({})).await;
    let app = client(&api, &pool_id, json!({ "ExplicitAuthFlows": FLOWS })).await;
    for name in ["erin", "frank", "fred", "gina", "hal"] {
        user(
            &api,
            &pool_id,
            name,
            json!([{ "Name": "email", "Value": format!("{name}@example.com") },
                   { "Name": "name", "Value": name.to_uppercase() }]),
        )
        .await;
    }
    let list = |body: Value| {
        let mut body = body;
        body["UserPoolId"] = json!(pool_id);
        let api = api.clone();
        async move { api.call("ListUsers", body).await }
    };
    let names = |reply: &Value| -> Vec<String> {
        reply["Users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|user| user["Username"].as_str().unwrap().to_string())
            .collect()
    };
    // Pages of two: every user once, in name order.
    let mut seen = Vec::new();
    let mut token = Value::Null;
    for _ in 0..5 {
        let mut body = json!({ "Limit": 2 });
        if !token.is_null() {
            body["PaginationToken"] = token.clone();
        }
        let page = list(body).await.unwrap();
        seen.extend(names(&page));
        token = page["PaginationToken"].clone();
        if token.is_null() {
            break;
        }
    }
    assert_eq!(seen, ["erin", "frank", "fred", "gina", "hal"]);
    for (filter, expected) in [
        (r#"email = "gina@example.com""#, vec!["gina"]),
        (r#"username ^= "fr""#, vec!["frank", "fred"]),
        (r#"name ^= "H""#, vec!["hal"]),
        (
            r#"cognito:user_status = "confirmed""#,
            seen.iter().map(String::as_str).collect(),
        ),
        (r#"status = "Disabled""#, vec![]),
    ] {
        let reply = list(json!({ "Filter": filter })).await.unwrap();
        assert_eq!(names(&reply), expected, "{filter}");
    }
    let only_email = list(json!({ "Filter": r#"username = "erin""#,
                                  "AttributesToGet": ["email"] }))
    .await
    .unwrap();
    assert_eq!(
        only_email["Users"][0]["Attributes"],
        json!([{ "Name": "email", "Value": "erin@example.com" }])
    );
    for bad in [r#"email == "x""#, r#"custom:team = "x""#, "email"] {
        assert_refused(
            list(json!({ "Filter": bad })).await,
            "InvalidParameterException",
            "Error while parsing filter.",
        );
    }

    // A disabled user: no sign-in, tokens revoked, listed as disabled; enabled again.
    let tokens = password_sign_in(&app, "hal", PASSWORD).await.unwrap();
    let admin = |operation: &'static str| {
        let body = json!({ "UserPoolId": pool_id, "Username": "hal" });
        let api = api.clone();
        async move { api.call(operation, body).await }
    };
    admin("AdminDisableUser").await.unwrap();
    assert_refused(
        password_sign_in(&app, "hal", PASSWORD).await,
        "NotAuthorizedException",
        "User is disabled.",
    );
    assert_refused(
        get_user(&app, &tokens["AccessToken"]).await,
        "NotAuthorizedException",
        "Access Token has been revoked",
    );
    let disabled = list(json!({ "Filter": r#"status = "Disabled""# }))
        .await
        .unwrap();
    assert_eq!(names(&disabled), ["hal"]);
    assert_eq!(disabled["Users"][0]["Enabled"], false);
    admin("AdminEnableUser").await.unwrap();
    password_sign_in(&app, "hal", PASSWORD).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_totp_code_is_accepted_once_and_wrong_codes_are_limited() {
    let secret = totp::RFC6238_SECRET;
    let clock = ManualClock::at(unix_now());
    let emulator = Emulator::builder()
        .pool_id("us-east-1_Totp")
        .client_id("5totpclient5")
        .user("ivan", PASSWORD)
        .totp("ivan", totp::RFC6238_SECRET_BASE32)
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let app = Api::new(emulator.url(), "us-east-1_Totp", "5totpclient5", None);
    let answer = |session: &Value, code: String| {
        let responses = Params::from([
            ("USERNAME".into(), "ivan".into()),
            ("SOFTWARE_TOKEN_MFA_CODE".into(), code),
        ]);
        let session = session.as_str().map(str::to_string);
        let app = app.clone();
        async move {
            app.respond("SOFTWARE_TOKEN_MFA", session.as_deref(), &responses)
                .await
        }
    };
    let mfa_session = || async {
        let step = common::password_step(&app, "ivan", PASSWORD, None)
            .await
            .unwrap();
        let reply = step.answer(&app).await.unwrap();
        assert_eq!(reply["ChallengeName"], "SOFTWARE_TOKEN_MFA");
        reply["Session"].clone()
    };
    let now = clock_now(&clock);
    let right = totp::code(secret, now);
    let wrong = if right == "000000" {
        "111111".to_string()
    } else {
        "000000".to_string()
    };

    // Four wrong codes leave the session usable; the right one then signs in.
    let session = mfa_session().await;
    for _ in 0..4 {
        assert_refused(
            answer(&session, wrong.clone()).await,
            "CodeMismatchException",
            "Invalid code received for user",
        );
    }
    let done = answer(&session, right.clone()).await.unwrap();
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());

    // The same code, or one of the step before, is refused once used.
    let session = mfa_session().await;
    for code in [right.clone(), totp::code(secret, now - 30)] {
        assert_refused(
            answer(&session, code).await,
            "ExpiredCodeException",
            "Your software token has already been used once.",
        );
    }
    // The next step's code is new.
    answer(&session, totp::code(secret, now + 30))
        .await
        .unwrap();

    // Five wrong codes end the sign-in.
    let session = mfa_session().await;
    for _ in 0..5 {
        assert_refused(
            answer(&session, wrong.clone()).await,
            "CodeMismatchException",
            "Invalid code received for user",
        );
    }
    clock.advance(60);
    let refusal = answer(&session, totp::code(secret, now + 60))
        .await
        .unwrap_err();
    assert_eq!(refusal.kind, "NotAuthorizedException", "{refusal:?}");
}

fn clock_now(clock: &ManualClock) -> i64 {
    use cognito_srp6a_emulator::Clock;
    clock.now()
}

#[tokio::test(flavor = "multi_thread")]
async fn sms_mfa_and_the_choice_between_two_factors() {
    let (_emulator, api, clock) = start().await;
    let pool_id = pool(&api, json!({ "MfaConfiguration": "OPTIONAL" })).await;
    let app = client(&api, &pool_id, json!({ "ExplicitAuthFlows": FLOWS })).await;
    user(
        &api,
        &pool_id,
        "judy",
        json!([{ "Name": "phone_number", "Value": "+15555550123" }]),
    )
    .await;
    let tokens = password_sign_in(&app, "judy", PASSWORD).await.unwrap();
    let access = &tokens["AccessToken"];
    // A software token, set up with the access token.
    let secret = app
        .call("AssociateSoftwareToken", json!({ "AccessToken": access }))
        .await
        .unwrap()["SecretCode"]
        .as_str()
        .unwrap()
        .to_string();
    let secret = data_encoding::BASE32_NOPAD
        .decode(secret.as_bytes())
        .unwrap();
    let now = clock_now(&clock);
    app.call(
        "VerifySoftwareToken",
        json!({ "AccessToken": access, "UserCode": totp::code(&secret, now) }),
    )
    .await
    .unwrap();
    let preference = |settings: Value| {
        let mut body = json!({ "UserPoolId": pool_id, "Username": "judy" });
        body.as_object_mut()
            .unwrap()
            .extend(settings.as_object().unwrap().clone());
        let api = api.clone();
        async move { api.call("AdminSetUserMFAPreference", body).await }
    };
    preference(json!({ "SoftwareTokenMfaSettings": { "Enabled": true },
                       "SMSMfaSettings": { "Enabled": true } }))
    .await
    .unwrap();
    let got = api
        .call(
            "AdminGetUser",
            json!({ "UserPoolId": pool_id, "Username": "judy" }),
        )
        .await
        .unwrap();
    assert_eq!(
        got["UserMFASettingList"],
        json!(["SMS_MFA", "SOFTWARE_TOKEN_MFA"])
    );
    assert!(got.get("PreferredMfaSetting").is_none(), "{got}");

    // Two factors, none preferred: the user chooses; SMS then asks for the code it "sent".
    let start_sign_in = || {
        let app = app.clone();
        async move {
            app.call(
                "InitiateAuth",
                json!({ "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": app.client_id,
                        "AuthParameters": { "USERNAME": "judy", "PASSWORD": PASSWORD } }),
            )
            .await
            .unwrap()
        }
    };
    let respond = |name: &str, session: &Value, responses: Value| {
        let body = json!({ "ChallengeName": name, "ClientId": app.client_id,
                           "Session": session, "ChallengeResponses": responses });
        let app = app.clone();
        async move { app.call("RespondToAuthChallenge", body).await }
    };
    let reply = start_sign_in().await;
    assert_eq!(reply["ChallengeName"], "SELECT_MFA_TYPE");
    assert_eq!(
        reply["ChallengeParameters"]["MFAS_CAN_CHOOSE"],
        "[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\"]"
    );
    let reply = respond(
        "SELECT_MFA_TYPE",
        &reply["Session"],
        json!({ "USERNAME": "judy", "ANSWER": "SMS_MFA" }),
    )
    .await
    .unwrap();
    assert_eq!(reply["ChallengeName"], "SMS_MFA");
    assert_eq!(
        reply["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"],
        "+*******0123"
    );
    let code = sent_code(&api, &pool_id, "judy", "SMS_MFA").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_refused(
        respond(
            "SMS_MFA",
            &reply["Session"],
            json!({ "USERNAME": "judy", "SMS_MFA_CODE": wrong }),
        )
        .await,
        "CodeMismatchException",
        "Invalid code or auth state for the user.",
    );
    let done = respond(
        "SMS_MFA",
        &reply["Session"],
        json!({ "USERNAME": "judy", "SMS_MFA_CODE": code }),
    )
    .await
    .unwrap();
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());

    // A preferred factor is asked for at once.
    preference(json!({ "SoftwareTokenMfaSettings": { "Enabled": true, "PreferredMfa": true } }))
        .await
        .unwrap();
    let reply = start_sign_in().await;
    assert_eq!(reply["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    let done = respond(
        "SOFTWARE_TOKEN_MFA",
        &reply["Session"],
        json!({ "USERNAME": "judy", "SOFTWARE_TOKEN_MFA_CODE": totp::code(&secret, now + 30) }),
    )
    .await
    .unwrap();
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
    // SMS turned off: only the software token is left.
    preference(json!({ "SMSMfaSettings": { "Enabled": false } }))
        .await
        .unwrap();
    let got = api
        .call(
            "AdminGetUser",
            json!({ "UserPoolId": pool_id, "Username": "judy" }),
        )
        .await
        .unwrap();
    assert_eq!(got["UserMFASettingList"], json!(["SOFTWARE_TOKEN_MFA"]));
    assert_eq!(got["PreferredMfaSetting"], "SOFTWARE_TOKEN_MFA");
}

#[tokio::test(flavor = "multi_thread")]
async fn users_are_bounded_by_max_users() {
    let emulator = Emulator::builder()
        .limits(cognito_srp6a_emulator::Limits {
            max_users: 2,
            ..cognito_srp6a_emulator::Limits::default()
        })
        .start()
        .await
        .unwrap();
    let api = Api::new(emulator.url(), "", "", None);
    let pool_id = pool(&api, json!({})).await;
    let app = client(&api, &pool_id, json!({})).await;
    let sign_up = |name: &str| {
        let body = json!({ "ClientId": app.client_id, "Username": name, "Password": PASSWORD });
        let app = app.clone();
        async move { app.call("SignUp", body).await }
    };
    sign_up("one").await.unwrap();
    user(&api, &pool_id, "two", json!([])).await;
    assert_refused(
        sign_up("three").await,
        "LimitExceededException",
        "This emulator holds at most 2 users (--max-users).",
    );
    // Room again once a user is gone.
    api.call(
        "AdminDeleteUser",
        json!({ "UserPoolId": pool_id, "Username": "one" }),
    )
    .await
    .unwrap();
    sign_up("three").await.unwrap();
}

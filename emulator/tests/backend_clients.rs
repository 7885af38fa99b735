//! Live tests of the emulator with the clients a back end uses: the pinned AWS CLI
//! (`cli/tests/awscli/.venv`, `bash cli/tests/awscli/setup.sh`) and pycognito's `Cognito`
//! class over boto3 (`interop/pycognito_backend.py`, `bash emulator/interop/setup.sh`).
//!
//! The AWS CLI, with dummy keys, region us-east-1 and a clean environment, makes each pool, its
//! app clients (with and without a secret; `ALLOW_USER_PASSWORD_AUTH`,
//! `ALLOW_ADMIN_USER_PASSWORD_AUTH`, `ALLOW_REFRESH_TOKEN_AUTH`, `ALLOW_USER_SRP_AUTH`;
//! `EnableTokenRevocation`) and its users (`admin-create-user`, `admin-set-user-password
//! --permanent`), then signs in (`initiate-auth USER_PASSWORD_AUTH`, `admin-initiate-auth
//! ADMIN_USER_PASSWORD_AUTH`, `REFRESH_TOKEN_AUTH`), reads the user (`get-user`), ends sign-ins
//! (`revoke-token`, `global-sign-out`, `admin-user-global-sign-out`), lists users
//! (`list-users`: filters, pages) and disables and enables one (`admin-disable-user`,
//! `admin-enable-user`), and a deleted user's token is refused for a new user of that name.
//! Every refusal is checked by the CLI's exit status (255) and the error code it prints on
//! stderr.
//!
//! pycognito: `admin_authenticate`, `get_user`, `renew_access_token`, `check_token` (on a fresh
//! and on an expired access token), `get_users` and `logout`, on a pool without
//! `DeviceConfiguration`; `authenticate` (SRP) and `admin_authenticate` of a disabled user.
//!
//! Without the CLI or pycognito these tests panic with the set-up command; they never skip.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeSet;
use std::time::Duration;

use cognito_srp6a::AppClient;
use cognito_srp6a_emulator::{Emulator, ManualClock, RunningEmulator};
use cognito_srp6a_test_support::{
    api::{call_ok, confirmed_user},
    aws_cli,
    clock::unix_now,
    interop::{Target, assert_pinned_pycognito, python, run_script, trace},
    json::attribute,
    jwt::claims,
};
use serde_json::{Value, json};

/// Every user's password: it meets the default policy of a pool made by `CreateUserPool`, and
/// is not ASCII.
const PASSWORD: &str = "Backend clients 7! \u{2713} p\u{e4}sswort";
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(120);
/// The flows every app client here allows.
const FLOWS: [&str; 4] = [
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_SRP_AUTH",
];

/// An app client made by the CLI.
#[derive(Clone, Debug)]
struct Client {
    id: String,
    secret: Option<String>,
}

impl Client {
    fn secret_hash(&self, username: &str) -> Option<String> {
        self.secret.as_deref().map(|secret| {
            AppClient::new(&self.id, secret)
                .secret_hash(username)
                .as_str()
                .to_string()
        })
    }
}

/// A pool made by the CLI, with two app clients allowing [`FLOWS`] and token revocation:
/// `web` without a secret, `server` with one.
#[derive(Clone, Debug)]
struct Pool {
    url: String,
    id: String,
    web: Client,
    server: Client,
}

/// `create-user-pool` (no DeviceConfiguration) and its two app clients.
async fn make_pool(url: &str, name: &str) -> Pool {
    let created = aws_cli::json(url, "create-user-pool", &["--pool-name", name]).await;
    let id = created["UserPool"]["Id"]
        .as_str()
        .unwrap_or_else(|| panic!("no pool id: {created}"))
        .to_string();
    assert!(id.starts_with("us-east-1_"), "{created}");
    assert!(
        created["UserPool"].get("DeviceConfiguration").is_none(),
        "{created}"
    );
    let web = make_client(url, &id, "web", &["--enable-token-revocation"]).await;
    let server = make_client(
        url,
        &id,
        "server",
        &["--generate-secret", "--enable-token-revocation"],
    )
    .await;
    assert!(web.secret.is_none());
    assert!(server.secret.is_some());
    Pool {
        url: url.into(),
        id,
        web,
        server,
    }
}

/// `create-user-pool-client` allowing [`FLOWS`], with `extra` arguments; checks what it echoes.
async fn make_client(url: &str, pool_id: &str, name: &str, extra: &[&str]) -> Client {
    let mut args = vec!["--user-pool-id", pool_id, "--client-name", name];
    args.push("--explicit-auth-flows");
    args.extend(FLOWS);
    args.extend(extra);
    let created = aws_cli::json(url, "create-user-pool-client", &args).await;
    let client = &created["UserPoolClient"];
    let flows: BTreeSet<&str> = client["ExplicitAuthFlows"]
        .as_array()
        .unwrap_or_else(|| panic!("no ExplicitAuthFlows: {created}"))
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(flows, FLOWS.into_iter().collect(), "{created}");
    let revocation = !extra.contains(&"--no-enable-token-revocation");
    assert_eq!(client["EnableTokenRevocation"], revocation, "{created}");
    let secret = client["ClientSecret"].as_str().map(str::to_string);
    assert_eq!(
        secret.is_some(),
        extra.contains(&"--generate-secret"),
        "{created}"
    );
    Client {
        id: client["ClientId"].as_str().unwrap().to_string(),
        secret,
    }
}

/// An emulator with no pool, and a pool of it made by [`make_pool`].
async fn start_with_pool(name: &str) -> (RunningEmulator, Pool) {
    let emulator = Emulator::builder().start().await.unwrap();
    let pool = make_pool(&emulator.url(), name).await;
    (emulator, pool)
}

/// `admin-create-user` with `email` and `name` (and `--message-action SUPPRESS`), then, when
/// `confirm`, `admin-set-user-password --permanent`.
async fn make_user(pool: &Pool, username: &str, email: &str, name: &str, confirm: bool) {
    let attributes = json!([
        {"Name": "email", "Value": email},
        {"Name": "name", "Value": name},
    ])
    .to_string();
    let made = aws_cli::json(
        &pool.url,
        "admin-create-user",
        &[
            "--user-pool-id",
            &pool.id,
            "--username",
            username,
            "--user-attributes",
            &attributes,
            "--message-action",
            "SUPPRESS",
        ],
    )
    .await;
    assert_eq!(made["User"]["Username"], username, "{made}");
    assert_eq!(
        made["User"]["UserStatus"], "FORCE_CHANGE_PASSWORD",
        "{made}"
    );
    assert_eq!(
        attribute(&made["User"]["Attributes"], "email"),
        Some(email.into()),
        "{made}"
    );
    if confirm {
        let set = aws_cli::json(
            &pool.url,
            "admin-set-user-password",
            &[
                "--user-pool-id",
                &pool.id,
                "--username",
                username,
                "--password",
                PASSWORD,
                "--permanent",
            ],
        )
        .await;
        assert_eq!(set, Value::Null, "admin-set-user-password prints nothing");
    }
}

/// A user the tests make: the name it signs in with, its e-mail and its name attributes.
struct Person {
    username: &'static str,
    email: &'static str,
    name: &'static str,
}

const ALICE: Person = Person {
    username: "alice",
    email: "alice@example.com",
    name: "Alice Liddell",
};
const BOB: Person = Person {
    username: "bob",
    email: "bob@example.com",
    name: "Bob Builder",
};
const CAROL: Person = Person {
    username: "carol",
    email: "carol@example.com",
    name: "Carol Danvers",
};
const DAVE: Person = Person {
    username: "dave",
    email: "dave@example.com",
    name: "Dave Bowman",
};

/// [`make_user`] of `person`, confirmed.
async fn make_person(pool: &Pool, person: &Person) {
    make_user(pool, person.username, person.email, person.name, true).await;
}

/// A sign-in's tokens.
#[derive(Clone, Debug)]
struct Tokens {
    access: String,
    id: String,
    refresh: String,
}

/// The tokens of an `AuthenticationResult` of a sign-in (not a refresh): all three, `Bearer`,
/// an hour, no challenge.
fn tokens_of(reply: &Value) -> Tokens {
    assert!(reply.get("ChallengeName").is_none(), "{reply}");
    let result = &reply["AuthenticationResult"];
    assert_eq!(result["TokenType"], "Bearer", "{reply}");
    assert_eq!(result["ExpiresIn"], 3600, "{reply}");
    assert!(result.get("NewDeviceMetadata").is_none(), "{reply}");
    let field = |name: &str| {
        result[name]
            .as_str()
            .unwrap_or_else(|| panic!("no {name}: {reply}"))
            .to_string()
    };
    Tokens {
        access: field("AccessToken"),
        id: field("IdToken"),
        refresh: field("RefreshToken"),
    }
}

/// `USERNAME`, `PASSWORD` and, for a client with a secret, `SECRET_HASH`, as JSON.
fn password_parameters(client: &Client, username: &str, password: &str) -> String {
    let mut params = json!({"USERNAME": username, "PASSWORD": password});
    if let Some(hash) = client.secret_hash(username) {
        params["SECRET_HASH"] = json!(hash);
    }
    params.to_string()
}

fn initiate_auth_args<'a>(client: &'a Client, flow: &'a str, params: &'a str) -> Vec<&'a str> {
    vec![
        "--client-id",
        &client.id,
        "--auth-flow",
        flow,
        "--auth-parameters",
        params,
    ]
}

/// `initiate-auth --auth-flow USER_PASSWORD_AUTH` (with `SECRET_HASH` for a client with a
/// secret).
async fn sign_in(pool: &Pool, client: &Client, username: &str) -> Tokens {
    let params = password_parameters(client, username, PASSWORD);
    let reply = aws_cli::json(
        &pool.url,
        "initiate-auth",
        &initiate_auth_args(client, "USER_PASSWORD_AUTH", &params),
    )
    .await;
    tokens_of(&reply)
}

/// `initiate-auth --auth-flow USER_PASSWORD_AUTH` that must be refused with `code`.
async fn sign_in_refused(pool: &Pool, client: &Client, username: &str, code: &str) -> String {
    let params = password_parameters(client, username, PASSWORD);
    aws_cli::refused_with(
        &pool.url,
        "initiate-auth",
        &initiate_auth_args(client, "USER_PASSWORD_AUTH", &params),
        code,
    )
    .await
}

fn admin_initiate_auth_args<'a>(
    pool: &'a Pool,
    client: &'a Client,
    params: &'a str,
) -> Vec<&'a str> {
    vec![
        "--user-pool-id",
        &pool.id,
        "--client-id",
        &client.id,
        "--auth-flow",
        "ADMIN_USER_PASSWORD_AUTH",
        "--auth-parameters",
        params,
    ]
}

/// `admin-initiate-auth --auth-flow ADMIN_USER_PASSWORD_AUTH`.
async fn admin_sign_in(pool: &Pool, client: &Client, username: &str) -> Tokens {
    let params = password_parameters(client, username, PASSWORD);
    let reply = aws_cli::json(
        &pool.url,
        "admin-initiate-auth",
        &admin_initiate_auth_args(pool, client, &params),
    )
    .await;
    tokens_of(&reply)
}

fn refresh_parameters(client: &Client, username: &str, refresh_token: &str) -> String {
    let mut params = json!({"REFRESH_TOKEN": refresh_token});
    if let Some(hash) = client.secret_hash(username) {
        params["SECRET_HASH"] = json!(hash);
    }
    params.to_string()
}

/// `initiate-auth --auth-flow REFRESH_TOKEN_AUTH`: the new access token (no new refresh token).
async fn refresh(pool: &Pool, client: &Client, username: &str, refresh_token: &str) -> String {
    let params = refresh_parameters(client, username, refresh_token);
    let reply = aws_cli::json(
        &pool.url,
        "initiate-auth",
        &initiate_auth_args(client, "REFRESH_TOKEN_AUTH", &params),
    )
    .await;
    let result = &reply["AuthenticationResult"];
    assert!(result.get("RefreshToken").is_none(), "{reply}");
    assert!(result["IdToken"].is_string(), "{reply}");
    result["AccessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("no AccessToken: {reply}"))
        .to_string()
}

/// `REFRESH_TOKEN_AUTH` that must be refused: NotAuthorizedException; the message.
async fn refresh_refused(
    pool: &Pool,
    client: &Client,
    username: &str,
    refresh_token: &str,
) -> String {
    let params = refresh_parameters(client, username, refresh_token);
    aws_cli::refused_with(
        &pool.url,
        "initiate-auth",
        &initiate_auth_args(client, "REFRESH_TOKEN_AUTH", &params),
        "NotAuthorizedException",
    )
    .await
}

/// `get-user --access-token`.
async fn get_user(pool: &Pool, access_token: &str) -> Value {
    aws_cli::json(&pool.url, "get-user", &["--access-token", access_token]).await
}

/// `get-user` that must be refused: NotAuthorizedException; the message.
async fn get_user_refused(pool: &Pool, access_token: &str) -> String {
    aws_cli::refused_with(
        &pool.url,
        "get-user",
        &["--access-token", access_token],
        "NotAuthorizedException",
    )
    .await
}

/// `get-user` answers for `person`.
async fn assert_get_person(pool: &Pool, access_token: &str, person: &Person) {
    assert_get_user(
        pool,
        access_token,
        person.username,
        person.email,
        person.name,
    )
    .await;
}

/// `get-user` answers for `username` (its name, and its e-mail and name attributes).
async fn assert_get_user(pool: &Pool, access_token: &str, username: &str, email: &str, name: &str) {
    let user = get_user(pool, access_token).await;
    assert_eq!(user["Username"], username, "{user}");
    let attributes = &user["UserAttributes"];
    assert_eq!(attribute(attributes, "email"), Some(email.into()), "{user}");
    assert_eq!(attribute(attributes, "name"), Some(name.into()), "{user}");
    assert!(attribute(attributes, "sub").is_some(), "{user}");
}

/// An error message that says a token was revoked (the service's "Access Token has been
/// revoked" / "Refresh Token has been revoked", as the SDKs' bug reports quote them).
fn says_revoked(message: &str) -> bool {
    message.to_ascii_lowercase().contains("revoked")
}

/// A: sign-ins through the CLI with and without a client secret, `get-user`, refresh, and the
/// refusals of a missing `SECRET_HASH` and a wrong password.
#[tokio::test(flavor = "multi_thread")]
async fn aws_cli_signs_in_with_and_without_a_secret_and_reads_the_user() {
    let (emulator, pool) = start_with_pool("backend-sign-in").await;
    let url = pool.url.clone();
    make_person(&pool, &ALICE).await;
    let admin = aws_cli::json(
        &url,
        "admin-get-user",
        &["--user-pool-id", &pool.id, "--username", "alice"],
    )
    .await;
    assert_eq!(admin["UserStatus"], "CONFIRMED", "{admin}");
    assert_eq!(admin["Enabled"], true, "{admin}");
    let sub = attribute(&admin["UserAttributes"], "sub").unwrap();

    // USER_PASSWORD_AUTH, both clients; ADMIN_USER_PASSWORD_AUTH, both clients.
    let web = sign_in(&pool, &pool.web, "alice").await;
    let server = sign_in(&pool, &pool.server, "alice").await;
    let admin_web = admin_sign_in(&pool, &pool.web, "alice").await;
    let admin_server = admin_sign_in(&pool, &pool.server, "alice").await;
    for (tokens, client) in [
        (&web, &pool.web),
        (&server, &pool.server),
        (&admin_web, &pool.web),
        (&admin_server, &pool.server),
    ] {
        let access = claims(&tokens.access);
        assert_eq!(access["token_use"], "access", "{access}");
        assert_eq!(access["client_id"], client.id.as_str(), "{access}");
        assert_eq!(access["username"], "alice", "{access}");
        assert_eq!(access["sub"], sub.as_str(), "{access}");
        assert_eq!(access["iss"], format!("{url}/{}", pool.id), "{access}");
        let id = claims(&tokens.id);
        assert_eq!(id["token_use"], "id", "{id}");
        assert_eq!(id["aud"], client.id.as_str(), "{id}");
        assert_eq!(id["cognito:username"], "alice", "{id}");
        assert_eq!(id["email"], "alice@example.com", "{id}");
        assert_eq!(id["name"], "Alice Liddell", "{id}");
        assert_get_person(&pool, &tokens.access, &ALICE).await;
    }
    let sessions: BTreeSet<_> = [&web, &server, &admin_web, &admin_server]
        .iter()
        .map(|t| claims(&t.access)["origin_jti"].to_string())
        .collect();
    assert_eq!(
        sessions.len(),
        4,
        "four sign-ins, four origin_jti: {sessions:?}"
    );

    // Refresh on each client (the server one with its SECRET_HASH).
    let refreshed = refresh(&pool, &pool.web, "alice", &web.refresh).await;
    assert_ne!(refreshed, web.access);
    assert_eq!(
        claims(&refreshed)["origin_jti"],
        claims(&web.access)["origin_jti"]
    );
    assert_get_person(&pool, &refreshed, &ALICE).await;
    refresh(&pool, &pool.server, "alice", &server.refresh).await;

    // The secret client without SECRET_HASH; a wrong password; an unknown user.
    let no_hash = json!({"USERNAME": "alice", "PASSWORD": PASSWORD}).to_string();
    let message = aws_cli::refused_with(
        &url,
        "initiate-auth",
        &initiate_auth_args(&pool.server, "USER_PASSWORD_AUTH", &no_hash),
        "NotAuthorizedException",
    )
    .await;
    assert!(message.contains("SECRET_HASH"), "{message}");
    let wrong = password_parameters(&pool.web, "alice", "Wrong password 7!");
    let message = aws_cli::refused_with(
        &url,
        "initiate-auth",
        &initiate_auth_args(&pool.web, "USER_PASSWORD_AUTH", &wrong),
        "NotAuthorizedException",
    )
    .await;
    assert_eq!(message, "Incorrect username or password.");
    let wrong = password_parameters(&pool.server, "alice", "Wrong password 7!");
    aws_cli::refused_with(
        &url,
        "admin-initiate-auth",
        &admin_initiate_auth_args(&pool, &pool.server, &wrong),
        "NotAuthorizedException",
    )
    .await;
    sign_in_refused(&pool, &pool.web, "nobody", "UserNotFoundException").await;

    emulator.shutdown().await;
}

/// A deleted user's access token is refused by `get-user`, and stays refused once a new user
/// takes the same name: the token names the old user's `sub`, and the service's tokens belong
/// to a user, not to a name. Its refresh token is refused too.
#[tokio::test(flavor = "multi_thread")]
async fn aws_cli_refuses_a_deleted_users_token_for_a_new_user_of_the_same_name() {
    let (emulator, pool) = start_with_pool("backend-deleted").await;
    let url = pool.url.clone();
    make_person(&pool, &ALICE).await;
    let web = sign_in(&pool, &pool.web, "alice").await;
    assert_get_person(&pool, &web.access, &ALICE).await;
    aws_cli::json(
        &url,
        "admin-delete-user",
        &["--user-pool-id", &pool.id, "--username", "alice"],
    )
    .await;
    let refused = aws_cli::refused(&url, "get-user", &["--access-token", &web.access]).await;
    assert!(
        ["NotAuthorizedException", "UserNotFoundException"].contains(&refused.code.as_str()),
        "get-user of a deleted user: {refused:?}"
    );
    make_user(&pool, "alice", "alice2@example.com", "Alice Again", true).await;
    let refused = aws_cli::refused(&url, "get-user", &["--access-token", &web.access]).await;
    assert!(
        ["NotAuthorizedException", "UserNotFoundException"].contains(&refused.code.as_str()),
        "get-user of a deleted user's token once the name is taken again: {refused:?}"
    );
    refresh_refused(&pool, &pool.web, "alice", &web.refresh).await;
    emulator.shutdown().await;
}

/// A: `revoke-token` ends one sign-in: its refresh token, its access token and the access
/// tokens refreshed from it; the user's other sign-ins go on. A client with a secret needs
/// `--client-secret`; an access token is not a token `revoke-token` takes; a client without
/// `EnableTokenRevocation` cannot revoke.
#[tokio::test(flavor = "multi_thread")]
async fn aws_cli_revoke_token_ends_one_sign_in() {
    let (emulator, pool) = start_with_pool("backend-revoke").await;
    let url = pool.url.clone();
    make_person(&pool, &ALICE).await;

    let first = sign_in(&pool, &pool.web, "alice").await;
    let first_refreshed = refresh(&pool, &pool.web, "alice", &first.refresh).await;
    let second = sign_in(&pool, &pool.server, "alice").await;
    let third = admin_sign_in(&pool, &pool.web, "alice").await;

    let revoked = aws_cli::json(
        &url,
        "revoke-token",
        &["--token", &first.refresh, "--client-id", &pool.web.id],
    )
    .await;
    assert!(
        revoked.is_null() || revoked == json!({}),
        "revoke-token answers nothing: {revoked}"
    );
    let message = refresh_refused(&pool, &pool.web, "alice", &first.refresh).await;
    assert!(
        says_revoked(&message),
        "refresh after revoke-token: {message}"
    );
    let message = get_user_refused(&pool, &first.access).await;
    assert!(
        says_revoked(&message),
        "get-user after revoke-token: {message}"
    );
    let message = get_user_refused(&pool, &first_refreshed).await;
    assert!(
        says_revoked(&message),
        "get-user with a token refreshed before revoke-token: {message}"
    );

    // The other sign-ins are untouched.
    assert_get_person(&pool, &second.access, &ALICE).await;
    assert_get_person(&pool, &third.access, &ALICE).await;
    refresh(&pool, &pool.server, "alice", &second.refresh).await;
    refresh(&pool, &pool.web, "alice", &third.refresh).await;

    // The client with a secret: without --client-secret refused (and nothing revoked), with it
    // revoked.
    let refused = aws_cli::refused(
        &url,
        "revoke-token",
        &["--token", &second.refresh, "--client-id", &pool.server.id],
    )
    .await;
    println!("revoke-token without --client-secret: {refused:?}");
    refresh(&pool, &pool.server, "alice", &second.refresh).await;
    let secret = pool.server.secret.clone().unwrap();
    aws_cli::json(
        &url,
        "revoke-token",
        &[
            "--token",
            &second.refresh,
            "--client-id",
            &pool.server.id,
            "--client-secret",
            &secret,
        ],
    )
    .await;
    refresh_refused(&pool, &pool.server, "alice", &second.refresh).await;
    get_user_refused(&pool, &second.access).await;
    assert_get_person(&pool, &third.access, &ALICE).await;

    // An access token is not a refresh token.
    aws_cli::refused_with(
        &url,
        "revoke-token",
        &["--token", &third.access, "--client-id", &pool.web.id],
        "UnsupportedTokenTypeException",
    )
    .await;
    assert_get_person(&pool, &third.access, &ALICE).await;

    // A client made without naming EnableTokenRevocation has it on (CreateUserPoolClient:
    // "If you don't include this parameter, token revocation is automatically activated").
    let made = aws_cli::json(
        &url,
        "create-user-pool-client",
        &[
            "--user-pool-id",
            &pool.id,
            "--client-name",
            "default",
            "--explicit-auth-flows",
            FLOWS[0],
            FLOWS[2],
        ],
    )
    .await;
    assert_eq!(
        made["UserPoolClient"]["EnableTokenRevocation"], true,
        "{made}"
    );
    let default = Client {
        id: made["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap()
            .to_string(),
        secret: None,
    };
    let default_tokens = sign_in(&pool, &default, "alice").await;
    aws_cli::json(
        &url,
        "revoke-token",
        &[
            "--token",
            &default_tokens.refresh,
            "--client-id",
            &default.id,
        ],
    )
    .await;
    refresh_refused(&pool, &default, "alice", &default_tokens.refresh).await;

    // A client made with --no-enable-token-revocation.
    let legacy = make_client(&url, &pool.id, "legacy", &["--no-enable-token-revocation"]).await;
    let described = aws_cli::json(
        &url,
        "describe-user-pool-client",
        &["--user-pool-id", &pool.id, "--client-id", &legacy.id],
    )
    .await;
    assert_eq!(
        described["UserPoolClient"]["EnableTokenRevocation"], false,
        "{described}"
    );
    let legacy_tokens = sign_in(&pool, &legacy, "alice").await;
    aws_cli::refused_with(
        &url,
        "revoke-token",
        &["--token", &legacy_tokens.refresh, "--client-id", &legacy.id],
        "UnsupportedOperationException",
    )
    .await;
    refresh(&pool, &legacy, "alice", &legacy_tokens.refresh).await;
    emulator.shutdown().await;
}

/// A: `global-sign-out` ends every sign-in of the user (every client, every flow), not another
/// user's; `admin-user-global-sign-out` does the same by name; the user signs in again after
/// either.
#[tokio::test(flavor = "multi_thread")]
async fn aws_cli_global_sign_out_ends_every_sign_in_of_the_user() {
    let (emulator, pool) = start_with_pool("backend-sign-out").await;
    let url = pool.url.clone();
    make_person(&pool, &ALICE).await;
    make_person(&pool, &BOB).await;

    let bob_web = sign_in(&pool, &pool.web, "bob").await;
    let bob_server = sign_in(&pool, &pool.server, "bob").await;
    let bob_admin = admin_sign_in(&pool, &pool.web, "bob").await;
    let bob_refreshed = refresh(&pool, &pool.web, "bob", &bob_admin.refresh).await;
    let alice = sign_in(&pool, &pool.web, "alice").await;

    let out = aws_cli::json(
        &url,
        "global-sign-out",
        &["--access-token", &bob_web.access],
    )
    .await;
    assert!(out.is_null() || out == json!({}), "{out}");
    for access in [
        &bob_web.access,
        &bob_server.access,
        &bob_admin.access,
        &bob_refreshed,
    ] {
        let message = get_user_refused(&pool, access).await;
        assert!(
            says_revoked(&message),
            "get-user after global-sign-out: {message}"
        );
    }
    let message = refresh_refused(&pool, &pool.web, "bob", &bob_web.refresh).await;
    assert!(
        says_revoked(&message),
        "refresh after global-sign-out: {message}"
    );
    refresh_refused(&pool, &pool.server, "bob", &bob_server.refresh).await;
    refresh_refused(&pool, &pool.web, "bob", &bob_admin.refresh).await;
    // The administrator's refresh too.
    let params = refresh_parameters(&pool.server, "bob", &bob_server.refresh);
    aws_cli::refused_with(
        &url,
        "admin-initiate-auth",
        &[
            "--user-pool-id",
            &pool.id,
            "--client-id",
            &pool.server.id,
            "--auth-flow",
            "REFRESH_TOKEN_AUTH",
            "--auth-parameters",
            &params,
        ],
        "NotAuthorizedException",
    )
    .await;
    // The signed-out token cannot sign out again.
    aws_cli::refused_with(
        &url,
        "global-sign-out",
        &["--access-token", &bob_web.access],
        "NotAuthorizedException",
    )
    .await;

    // Alice is not signed out; bob signs in again.
    assert_get_person(&pool, &alice.access, &ALICE).await;
    refresh(&pool, &pool.web, "alice", &alice.refresh).await;
    let bob_again = sign_in(&pool, &pool.server, "bob").await;
    assert_get_person(&pool, &bob_again.access, &BOB).await;
    refresh(&pool, &pool.server, "bob", &bob_again.refresh).await;

    // admin-user-global-sign-out of alice: her tokens end, bob's new ones go on.
    let alice_refreshed = refresh(&pool, &pool.web, "alice", &alice.refresh).await;
    let alice_server = admin_sign_in(&pool, &pool.server, "alice").await;
    let out = aws_cli::json(
        &url,
        "admin-user-global-sign-out",
        &["--user-pool-id", &pool.id, "--username", "alice"],
    )
    .await;
    assert!(out.is_null() || out == json!({}), "{out}");
    for access in [&alice.access, &alice_refreshed, &alice_server.access] {
        get_user_refused(&pool, access).await;
    }
    refresh_refused(&pool, &pool.web, "alice", &alice.refresh).await;
    refresh_refused(&pool, &pool.server, "alice", &alice_server.refresh).await;
    assert_get_person(&pool, &bob_again.access, &BOB).await;
    let alice_again = sign_in(&pool, &pool.web, "alice").await;
    assert_get_person(&pool, &alice_again.access, &ALICE).await;

    aws_cli::refused_with(
        &url,
        "admin-user-global-sign-out",
        &["--user-pool-id", &pool.id, "--username", "nobody"],
        "UserNotFoundException",
    )
    .await;
    emulator.shutdown().await;
}

/// The user names of a `list-users` output, and checks each user's shape.
fn listed(output: &Value) -> BTreeSet<String> {
    output["Users"]
        .as_array()
        .unwrap_or_else(|| panic!("no Users: {output}"))
        .iter()
        .map(|user| {
            assert!(user["Enabled"].is_boolean(), "{user}");
            assert!(user["UserStatus"].is_string(), "{user}");
            assert!(user["UserCreateDate"].is_number(), "{user}");
            assert!(user["UserLastModifiedDate"].is_number(), "{user}");
            assert!(user["Attributes"].is_array(), "{user}");
            user["Username"].as_str().unwrap().to_string()
        })
        .collect()
}

/// `list-users --user-pool-id <pool> <args>`.
async fn list_users(pool: &Pool, args: Vec<&str>) -> Value {
    let mut all = vec!["--user-pool-id", pool.id.as_str()];
    all.extend(args);
    aws_cli::json(&pool.url, "list-users", &all).await
}

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// A: `list-users`: each documented filter kind (`=`, `^=`, with and without spaces, on
/// `username` case-sensitively, `email`, `name`, `cognito:user_status` case-insensitively),
/// `--attributes-to-get`, pages by `--limit` and the token, by the CLI's `--page-size` and
/// `--max-items`, and malformed filters and limits refused with InvalidParameterException.
#[tokio::test(flavor = "multi_thread")]
async fn aws_cli_lists_users_by_filter_and_by_page() {
    let (emulator, pool) = start_with_pool("backend-list").await;
    let url = pool.url.clone();
    let users = [
        ("alice", "alice@example.com", "Alice Liddell", true),
        ("bob", "bob@example.com", "Bob Builder", true),
        ("team-a-1", "team-a-1@example.org", "Team A One", true),
        ("team-a-2", "team-a-2@example.org", "Team A Two", true),
        ("team-b-1", "team-b-1@example.org", "Team B One", true),
        ("pending", "pending@example.com", "Pending Person", false),
    ];
    for (username, email, name, confirm) in users {
        make_user(&pool, username, email, name, confirm).await;
    }
    let everyone = names(&users.map(|u| u.0));
    let confirmed = names(&["alice", "bob", "team-a-1", "team-a-2", "team-b-1"]);

    let all = list_users(&pool, vec![]).await;
    assert_eq!(listed(&all), everyone, "{all}");
    assert!(all.get("PaginationToken").is_none(), "{all}");

    let bob = list_users(&pool, vec!["--filter", "email = \"bob@example.com\""]).await;
    assert_eq!(listed(&bob), names(&["bob"]), "{bob}");
    let user = &bob["Users"][0];
    assert_eq!(user["UserStatus"], "CONFIRMED", "{bob}");
    assert_eq!(user["Enabled"], true, "{bob}");
    assert_eq!(
        attribute(&user["Attributes"], "name"),
        Some("Bob Builder".into()),
        "{bob}"
    );
    assert!(attribute(&user["Attributes"], "sub").is_some(), "{bob}");

    let bob_sub = attribute(&user["Attributes"], "sub").unwrap();
    let by_sub = list_users(&pool, vec!["--filter", &format!("sub = \"{bob_sub}\"")]).await;
    assert_eq!(listed(&by_sub), names(&["bob"]), "{by_sub}");

    for (filter, expected) in [
        ("username ^= \"team-a\"", names(&["team-a-1", "team-a-2"])),
        ("username = \"team-a-1\"", names(&["team-a-1"])),
        ("username ^= \"Team-a\"", names(&[])),
        (
            "email^=\"team-\"",
            names(&["team-a-1", "team-a-2", "team-b-1"]),
        ),
        ("name = \"Alice Liddell\"", names(&["alice"])),
        ("name = \"Alice\"", names(&[])),
        ("name ^= \"Team A\"", names(&["team-a-1", "team-a-2"])),
        ("email = \"nobody@example.com\"", names(&[])),
        ("cognito:user_status = \"CONFIRMED\"", confirmed.clone()),
        ("cognito:user_status = \"confirmed\"", confirmed.clone()),
        (
            "cognito:user_status = \"FORCE_CHANGE_PASSWORD\"",
            names(&["pending"]),
        ),
        ("", everyone.clone()),
    ] {
        let found = list_users(&pool, vec!["--filter", filter]).await;
        assert_eq!(listed(&found), expected, "--filter {filter:?}: {found}");
    }

    let emails = list_users(
        &pool,
        vec![
            "--filter",
            "username ^= \"team-\"",
            "--attributes-to-get",
            "email",
        ],
    )
    .await;
    assert_eq!(listed(&emails).len(), 3, "{emails}");
    for user in emails["Users"].as_array().unwrap() {
        let attributes: Vec<&str> = user["Attributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["Name"].as_str().unwrap())
            .collect();
        assert_eq!(attributes, ["email"], "--attributes-to-get email: {emails}");
    }

    // Pages of 2 by the service's own token.
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut args = vec!["--limit", "2"];
        match &token {
            Some(t) => args.extend(["--pagination-token", t.as_str()]),
            None => args.push("--no-paginate"),
        }
        let page = list_users(&pool, args).await;
        let users = listed(&page);
        assert!(users.len() <= 2, "--limit 2 gave {}: {page}", users.len());
        seen.extend(users);
        pages += 1;
        assert!(pages <= 4, "pagination does not end: {seen:?}");
        match page["PaginationToken"].as_str() {
            Some(next) => token = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3, "{seen:?}");
    assert_eq!(seen.len(), 6, "each user once: {seen:?}");
    assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), everyone);

    // The CLI's own paging: it follows the token with --page-size; --max-items stops and gives
    // a NextToken that --starting-token resumes from.
    let paged = list_users(&pool, vec!["--page-size", "4"]).await;
    assert_eq!(listed(&paged), everyone, "{paged}");
    assert!(paged.get("NextToken").is_none(), "{paged}");
    let head = list_users(&pool, vec!["--page-size", "3", "--max-items", "4"]).await;
    let head_users = listed(&head);
    assert_eq!(head_users.len(), 4, "{head}");
    let next = head["NextToken"]
        .as_str()
        .unwrap_or_else(|| panic!("--max-items 4 of 6 gave no NextToken: {head}"))
        .to_string();
    let tail = list_users(
        &pool,
        vec![
            "--page-size",
            "3",
            "--max-items",
            "4",
            "--starting-token",
            &next,
        ],
    )
    .await;
    let tail_users = listed(&tail);
    assert_eq!(tail_users.len(), 2, "{tail}");
    assert!(tail.get("NextToken").is_none(), "{tail}");
    assert!(head_users.is_disjoint(&tail_users), "{head} {tail}");
    assert_eq!(&head_users | &tail_users, everyone);

    // A filter over pages.
    let first = list_users(
        &pool,
        vec![
            "--filter",
            "username ^= \"team-\"",
            "--no-paginate",
            "--limit",
            "2",
        ],
    )
    .await;
    assert_eq!(listed(&first).len(), 2, "{first}");
    let token = first["PaginationToken"]
        .as_str()
        .unwrap_or_else(|| panic!("3 matches, limit 2, no token: {first}"))
        .to_string();
    let second = list_users(
        &pool,
        vec![
            "--filter",
            "username ^= \"team-\"",
            "--limit",
            "2",
            "--pagination-token",
            &token,
        ],
    )
    .await;
    assert_eq!(listed(&second).len(), 1, "{second}");
    assert!(second.get("PaginationToken").is_none(), "{second}");
    assert_eq!(
        &listed(&first) | &listed(&second),
        names(&["team-a-1", "team-a-2", "team-b-1"])
    );

    // Malformed filters, an attribute that cannot be searched, a limit over 60.
    for filter in [
        "email = bob@example.com",
        "email == \"bob@example.com\"",
        "email \"bob@example.com\"",
        "email = \"bob@example.com",
        "custom:tier = \"gold\"",
    ] {
        let message = aws_cli::refused_with(
            &url,
            "list-users",
            &["--user-pool-id", &pool.id, "--filter", filter],
            "InvalidParameterException",
        )
        .await;
        println!("--filter {filter:?}: {message}");
    }
    aws_cli::refused_with(
        &url,
        "list-users",
        &["--user-pool-id", &pool.id, "--no-paginate", "--limit", "61"],
        "InvalidParameterException",
    )
    .await;
    aws_cli::refused_with(
        &url,
        "list-users",
        &["--user-pool-id", "us-east-1_NoSuchPool"],
        "ResourceNotFoundException",
    )
    .await;
    emulator.shutdown().await;
}

/// A: `admin-disable-user`: the user cannot sign in (either flow) nor refresh, the access
/// tokens it had are revoked, it is still listed, with `Enabled` false; `admin-enable-user`
/// lets it sign in again.
#[tokio::test(flavor = "multi_thread")]
async fn aws_cli_disables_and_enables_a_user() {
    let (emulator, pool) = start_with_pool("backend-disable").await;
    let url = pool.url.clone();
    make_person(&pool, &CAROL).await;
    make_person(&pool, &DAVE).await;
    let carol = sign_in(&pool, &pool.web, "carol").await;
    let dave_before = sign_in(&pool, &pool.server, "dave").await;
    let enabled = |expected: bool| {
        let pool = pool.clone();
        async move {
            let got = aws_cli::json(
                &pool.url,
                "admin-get-user",
                &["--user-pool-id", &pool.id, "--username", "carol"],
            )
            .await;
            assert_eq!(got["Enabled"], expected, "{got}");
            let listed = aws_cli::json(
                &pool.url,
                "list-users",
                &[
                    "--user-pool-id",
                    &pool.id,
                    "--filter",
                    "username = \"carol\"",
                ],
            )
            .await;
            assert_eq!(
                listed["Users"].as_array().map(Vec::len),
                Some(1),
                "{listed}"
            );
            assert_eq!(listed["Users"][0]["Enabled"], expected, "{listed}");
        }
    };
    enabled(true).await;

    let out = aws_cli::json(
        &url,
        "admin-disable-user",
        &["--user-pool-id", &pool.id, "--username", "carol"],
    )
    .await;
    assert!(out.is_null() || out == json!({}), "{out}");
    enabled(false).await;
    for (filter, expected) in [
        ("status = \"Disabled\"", names(&["carol"])),
        ("status = \"Enabled\"", names(&["dave"])),
    ] {
        let found = aws_cli::json(
            &url,
            "list-users",
            &["--user-pool-id", &pool.id, "--filter", filter],
        )
        .await;
        assert_eq!(listed(&found), expected, "--filter {filter:?}: {found}");
    }

    let message = sign_in_refused(&pool, &pool.web, "carol", "NotAuthorizedException").await;
    assert_eq!(message, "User is disabled.");
    let params = password_parameters(&pool.server, "carol", PASSWORD);
    let message = aws_cli::refused_with(
        &url,
        "admin-initiate-auth",
        &admin_initiate_auth_args(&pool, &pool.server, &params),
        "NotAuthorizedException",
    )
    .await;
    assert_eq!(message, "User is disabled.");
    refresh_refused(&pool, &pool.web, "carol", &carol.refresh).await;
    get_user_refused(&pool, &carol.access).await;
    // Another user is not disabled, nor are his tokens revoked.
    assert_get_person(&pool, &dave_before.access, &DAVE).await;
    refresh(&pool, &pool.server, "dave", &dave_before.refresh).await;
    let dave = sign_in(&pool, &pool.web, "dave").await;
    assert_get_person(&pool, &dave.access, &DAVE).await;

    let out = aws_cli::json(
        &url,
        "admin-enable-user",
        &["--user-pool-id", &pool.id, "--username", "carol"],
    )
    .await;
    assert!(out.is_null() || out == json!({}), "{out}");
    enabled(true).await;
    let again = sign_in(&pool, &pool.web, "carol").await;
    assert_get_person(&pool, &again.access, &CAROL).await;
    let again = admin_sign_in(&pool, &pool.server, "carol").await;
    refresh(&pool, &pool.server, "carol", &again.refresh).await;
    // The access token revoked by the disabling stays revoked.
    get_user_refused(&pool, &carol.access).await;

    for operation in ["admin-disable-user", "admin-enable-user"] {
        aws_cli::refused_with(
            &url,
            operation,
            &["--user-pool-id", &pool.id, "--username", "nobody"],
            "UserNotFoundException",
        )
        .await;
    }
    emulator.shutdown().await;
}

/// A pool without DeviceConfiguration made through the API, with a client allowing [`FLOWS`]
/// (with a secret or not) and a confirmed `erin` with e-mail and name: pool id, client id and
/// secret.
async fn pycognito_pool(url: &str, secret: bool) -> (String, String, Option<String>) {
    let pool = call_ok(url, "CreateUserPool", json!({"PoolName": "pycognito"})).await;
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_string();
    assert!(
        pool["UserPool"].get("DeviceConfiguration").is_none(),
        "{pool}"
    );
    let client = call_ok(
        url,
        "CreateUserPoolClient",
        json!({
            "UserPoolId": pool_id,
            "ClientName": "backend",
            "GenerateSecret": secret,
            "ExplicitAuthFlows": FLOWS,
            "EnableTokenRevocation": true,
        }),
    )
    .await;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    let client_secret = client["UserPoolClient"]["ClientSecret"]
        .as_str()
        .map(str::to_string);
    assert_eq!(client_secret.is_some(), secret, "{client}");
    let attributes = json!([
        {"Name": "email", "Value": "erin@example.com"},
        {"Name": "name", "Value": "Erin Hannon"},
    ]);
    confirmed_user(url, &pool_id, "erin", PASSWORD, attributes).await;
    (pool_id, client_id, client_secret)
}

/// `interop/pycognito_backend.py` in `mode`, for erin: its summary.
async fn pycognito_backend(
    url: &str,
    pool_id: &str,
    client_id: &str,
    secret: Option<&str>,
    mode: &str,
    extra: &[(&str, &str)],
) -> Value {
    let erin = Target {
        url: url.into(),
        pool_id: pool_id.into(),
        client_id: client_id.into(),
        client_secret: secret.map(str::to_string),
        username: "erin".into(),
        password: PASSWORD.into(),
    };
    let mut command = erin.command(&python(), "pycognito_backend.py");
    command.env("MODE", mode);
    for name in ["ACCESS_TOKEN", "ID_TOKEN", "REFRESH_TOKEN", "COGNITO_JWKS"] {
        command.env_remove(name);
    }
    for (name, value) in extra {
        command.env(name, value);
    }
    let what = format!(
        "pycognito_backend.py MODE={mode} (secret: {})",
        secret.is_some()
    );
    let summary = run_script(command, None, what, SCRIPT_TIMEOUT).await;
    assert_eq!(summary["mode"], mode, "{summary}");
    assert_pinned_pycognito(&summary);
    assert_eq!(summary["client_secret"], secret.is_some(), "{summary}");
    summary
}

/// What pycognito's `get_user()` gave for erin.
fn assert_erin(user: &Value, summary: &Value) {
    assert_eq!(user["username"], "erin", "{summary}");
    assert_eq!(user["metadata_username"], "erin", "{summary}");
    assert!(user["sub"].is_string(), "{summary}");
    assert_eq!(user["attributes"]["email"], "erin@example.com", "{summary}");
    assert_eq!(user["attributes"]["name"], "Erin Hannon", "{summary}");
}

/// B: pycognito's `Cognito` against the emulator, with and without a client secret:
/// `admin_authenticate` (tokens verified by pycognito against the pool's JWKS), `get_user`,
/// `renew_access_token` (a new access token, the same refresh token), `check_token` on a fresh
/// token, and `logout` (GlobalSignOut), after which the tokens are refused.
#[tokio::test(flavor = "multi_thread")]
async fn pycognito_authenticates_renews_and_logs_out() {
    let emulator = Emulator::builder().start().await.unwrap();
    let url = emulator.url();
    for secret in [false, true] {
        let (pool_id, client_id, client_secret) = pycognito_pool(&url, secret).await;
        let summary = pycognito_backend(
            &url,
            &pool_id,
            &client_id,
            client_secret.as_deref(),
            "session",
            &[],
        )
        .await;
        assert_eq!(
            trace(&summary, "admin_authenticate"),
            ["AdminInitiateAuth -> AuthenticationResult"],
            "{summary}"
        );
        assert_eq!(summary["token_type"], "Bearer", "{summary}");
        let access = &summary["access_claims"];
        assert_eq!(access["token_use"], "access", "{summary}");
        assert_eq!(access["client_id"], client_id.as_str(), "{summary}");
        assert_eq!(access["username"], "erin", "{summary}");
        assert_eq!(access["iss"], format!("{url}/{pool_id}"), "{summary}");
        assert_eq!(
            access["device_key"],
            Value::Null,
            "no device in this pool: {summary}"
        );
        let id = &summary["id_claims"];
        assert_eq!(id["aud"], client_id.as_str(), "{summary}");
        assert_eq!(id["cognito:username"], "erin", "{summary}");
        assert_eq!(id["email"], "erin@example.com", "{summary}");
        assert_eq!(id["name"], "Erin Hannon", "{summary}");
        assert_eq!(summary["verified_access_username"], "erin", "{summary}");
        assert_eq!(summary["verified_id_aud"], client_id.as_str(), "{summary}");

        assert_eq!(trace(&summary, "get_user"), ["GetUser -> 200"], "{summary}");
        assert_erin(&summary["user"], &summary);

        assert_eq!(
            trace(&summary, "renew_access_token"),
            ["InitiateAuth REFRESH_TOKEN_AUTH -> AuthenticationResult"],
            "{summary}"
        );
        let renewed = &summary["renewed"];
        assert_eq!(renewed["access_token_changed"], true, "{summary}");
        assert_eq!(renewed["id_token_changed"], true, "{summary}");
        assert_eq!(renewed["refresh_token_same"], true, "{summary}");
        let new_access = &renewed["access_claims"];
        assert_eq!(new_access["origin_jti"], access["origin_jti"], "{summary}");
        assert_ne!(new_access["jti"], access["jti"], "{summary}");
        assert!(
            new_access["iat"].as_i64().unwrap() > access["iat"].as_i64().unwrap(),
            "{summary}"
        );

        assert_eq!(summary["check_token_expired"], false, "{summary}");
        assert_eq!(summary["check_token_kept_token"], true, "{summary}");
        assert_eq!(
            trace(&summary, "check_token"),
            Vec::<String>::new(),
            "{summary}"
        );
        assert_eq!(summary["user_after_renew"], "erin", "{summary}");
        assert_eq!(summary["get_users"], json!(["erin"]), "{summary}");
        assert_eq!(
            trace(&summary, "get_users"),
            ["ListUsers -> 200"],
            "{summary}"
        );
        assert_eq!(summary["old_access_token_user"], "erin", "{summary}");

        assert_eq!(
            trace(&summary, "logout"),
            ["GlobalSignOut -> 200"],
            "{summary}"
        );
        let after = &summary["after_logout"];
        assert_eq!(after["tokens_cleared"], true, "{summary}");
        for step in ["get_user_current", "get_user_first", "refresh"] {
            assert_eq!(
                after[step]["code"], "NotAuthorizedException",
                "{step}: {summary}"
            );
        }
        assert_eq!(after["sign_in_again_user"], "erin", "{summary}");
    }
    emulator.shutdown().await;
}

/// B: pycognito's `check_token()` on an access token that has expired (issued while the
/// emulator's clock was two hours behind): it answers True and renews through
/// REFRESH_TOKEN_AUTH; the new token is not expired and `get_user()` works with it.
#[tokio::test(flavor = "multi_thread")]
async fn pycognito_check_token_renews_an_expired_access_token() {
    let now = unix_now();
    let clock = ManualClock::at(now - 2 * 3600);
    let emulator = Emulator::builder()
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let url = emulator.url();
    for secret in [false, true] {
        let (pool_id, client_id, client_secret) = pycognito_pool(&url, secret).await;
        clock.set(now - 2 * 3600);
        let mut params = json!({"USERNAME": "erin", "PASSWORD": PASSWORD});
        if let Some(secret) = &client_secret {
            params["SECRET_HASH"] = json!(
                AppClient::new(&client_id, secret)
                    .secret_hash("erin")
                    .as_str()
            );
        }
        let signed_in = call_ok(
            &url,
            "AdminInitiateAuth",
            json!({
                "UserPoolId": pool_id,
                "ClientId": client_id,
                "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                "AuthParameters": params,
            }),
        )
        .await;
        let result = &signed_in["AuthenticationResult"];
        let token = |name: &str| result[name].as_str().unwrap().to_string();
        let (access, id, refresh) = (
            token("AccessToken"),
            token("IdToken"),
            token("RefreshToken"),
        );
        assert!(
            claims(&access)["exp"].as_i64().unwrap() < now,
            "{signed_in}"
        );
        clock.set(now);
        let summary = pycognito_backend(
            &url,
            &pool_id,
            &client_id,
            client_secret.as_deref(),
            "expired",
            &[
                ("ACCESS_TOKEN", &access),
                ("ID_TOKEN", &id),
                ("REFRESH_TOKEN", &refresh),
            ],
        )
        .await;
        assert_eq!(summary["old_access_exp_in_past"], true, "{summary}");
        assert_eq!(summary["check_token_expired"], true, "{summary}");
        assert_eq!(
            trace(&summary, "check_token"),
            ["InitiateAuth REFRESH_TOKEN_AUTH -> AuthenticationResult"],
            "{summary}"
        );
        assert_eq!(summary["access_token_changed"], true, "{summary}");
        assert_eq!(summary["refresh_token_same"], true, "{summary}");
        assert_eq!(summary["new_access_exp_in_future"], true, "{summary}");
        assert_eq!(summary["check_token_again"], false, "{summary}");
        assert_eq!(summary["access_claims"]["iat"], now, "{summary}");
        assert_eq!(
            summary["access_claims"]["origin_jti"],
            claims(&access)["origin_jti"],
            "{summary}"
        );
        assert_eq!(trace(&summary, "get_user"), ["GetUser -> 200"], "{summary}");
        assert_erin(&summary["user"], &summary);
    }
    emulator.shutdown().await;
}

/// B, with A's `admin-disable-user`: pycognito cannot sign a disabled user in, by SRP
/// (`authenticate`) nor by password (`admin_authenticate`): NotAuthorizedException "User is
/// disabled."; once enabled, `authenticate` signs in.
#[tokio::test(flavor = "multi_thread")]
async fn pycognito_cannot_sign_in_a_disabled_user() {
    let emulator = Emulator::builder().start().await.unwrap();
    let url = emulator.url();
    let (pool_id, client_id, client_secret) = pycognito_pool(&url, true).await;
    let erin = json!({"UserPoolId": pool_id, "Username": "erin"});
    call_ok(&url, "AdminDisableUser", erin.clone()).await;
    let summary = pycognito_backend(
        &url,
        &pool_id,
        &client_id,
        client_secret.as_deref(),
        "disabled",
        &[],
    )
    .await;
    for step in ["authenticate", "admin_authenticate"] {
        assert_eq!(
            summary[step]["code"], "NotAuthorizedException",
            "{step}: {summary}"
        );
        assert_eq!(
            summary[step]["message"], "User is disabled.",
            "{step}: {summary}"
        );
    }
    call_ok(&url, "AdminEnableUser", erin).await;
    let summary = pycognito_backend(
        &url,
        &pool_id,
        &client_id,
        client_secret.as_deref(),
        "srp",
        &[],
    )
    .await;
    assert_eq!(
        trace(&summary, "authenticate"),
        [
            "InitiateAuth USER_SRP_AUTH -> PASSWORD_VERIFIER",
            "RespondToAuthChallenge PASSWORD_VERIFIER -> AuthenticationResult"
        ],
        "{summary}"
    );
    assert_erin(&summary["user"], &summary);
    emulator.shutdown().await;
}

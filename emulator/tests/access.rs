//! Who may talk to an in-process emulator, over a real socket: the `Host` rules (DNS
//! rebinding), the browser-origin rules and their CORS headers, the OpenID configuration of
//! each pool, and the bounds on sign-ins in progress that keep one caller's flood from
//! costing another user's sign-in.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use cognito_srp6a::{PasswordVerifierChallenge, Timestamp, User};
use cognito_srp6a_emulator::{Access, Emulator, RunningEmulator, protocol::MAX_BODY_BYTES};
use common::{Api, Params, RawResponse, http, http_call, password_step, remember, sign_in};
use serde_json::{Value, json};
use std::net::SocketAddr;

const POOL: &str = "us-east-1_Access";
const CLIENT: &str = "accessclient1";
const PASSWORD: &str = "correct horse battery staple";

async fn start(access: Access) -> (RunningEmulator, Api) {
    let emulator = Emulator::builder()
        .pool_id(POOL)
        .client_id(CLIENT)
        .user("alice", PASSWORD)
        .user("mallory", PASSWORD)
        .access(access)
        .start()
        .await
        .unwrap();
    let api = Api::new(emulator.url(), POOL, CLIENT, None);
    (emulator, api)
}

fn describe() -> Value {
    json!({ "UserPoolId": POOL })
}

/// Refused by the guard: HTTP 403, the service's error shape, and no CORS header (a page
/// cannot even read the refusal).
fn assert_access_denied(response: &RawResponse, what: &str) {
    assert_eq!(response.status, 403, "{what}: {response:?}");
    let body = response.json();
    assert_eq!(body["__type"], "AccessDeniedException", "{what}: {body}");
    assert!(body["message"].is_string(), "{what}: {body}");
    assert_eq!(
        response.header("x-amzn-errortype"),
        Some("AccessDeniedException"),
        "{what}"
    );
    assert!(!response.has_cors_headers(), "{what}: {response:?}");
}

/// `DescribeUserPool` of the emulator's pool with these headers.
async fn describe_with(addr: SocketAddr, headers: &[(&str, &str)]) -> RawResponse {
    http_call(addr, "DescribeUserPool", headers, &describe()).await
}

/// A `DescribeUserPool` with each of `values` as its `header` is refused by the guard.
async fn assert_each_denied(addr: SocketAddr, header: &str, values: &[&str]) {
    for value in values {
        let refused = describe_with(addr, &[(header, value)]).await;
        assert_access_denied(&refused, value);
    }
}

/// A `DescribeUserPool` from `origin` is served, its `Access-Control-Allow-Origin` being
/// `allowed`; the response, for more checks.
async fn assert_served_to(addr: SocketAddr, origin: &str, allowed: &str) -> RawResponse {
    let response = describe_with(addr, &[("Origin", origin)]).await;
    assert_served_describe(&response, origin);
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some(allowed),
        "{origin}"
    );
    response
}

fn assert_served_describe(response: &RawResponse, what: &str) {
    assert_eq!(response.status, 200, "{what}: {response:?}");
    assert_eq!(response.json()["UserPool"]["Id"], POOL, "{what}");
}

#[tokio::test(flavor = "multi_thread")]
async fn loopback_host_names_are_served() {
    let (emulator, _api) = start(Access::default()).await;
    let addr = emulator.local_addr();
    let port = addr.port();
    for host in [
        format!("localhost:{port}"),
        "localhost".to_string(),
        "LOCALHOST".to_string(),
        format!("127.0.0.1:{port}"),
        "127.0.0.1".to_string(),
        format!("[::1]:{port}"),
        // Another port: a reverse proxy or a container's port mapping.
        "localhost:80".to_string(),
    ] {
        let response = describe_with(addr, &[("Host", &host)]).await;
        assert_served_describe(&response, &host);
    }
    let jwks = http(
        addr,
        "GET",
        &format!("/{POOL}/.well-known/jwks.json"),
        &[("Host", &format!("localhost:{port}"))],
        b"",
    )
    .await;
    assert_eq!(jwks.status, 200, "{jwks:?}");
    assert!(!jwks.json()["keys"].as_array().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn other_host_names_are_refused_but_health_answers() {
    let (emulator, api) = start(Access::default()).await;
    let addr = emulator.local_addr();
    let port = addr.port();
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        // A name that only starts like localhost.
        format!("localhost.evil.example:{port}"),
        // An address that is not loopback nor the one listened on.
        format!("192.0.2.7:{port}"),
        format!("[2001:db8::1]:{port}"),
    ] {
        let refused = describe_with(addr, &[("Host", &host)]).await;
        assert_access_denied(&refused, &format!("API for {host}"));
        for document in ["jwks.json", "openid-configuration"] {
            let refused = http(
                addr,
                "GET",
                &format!("/{POOL}/.well-known/{document}"),
                &[("Host", &host)],
                b"",
            )
            .await;
            assert_access_denied(&refused, &format!("{document} for {host}"));
        }
        let health = http(addr, "GET", "/health", &[("Host", &host)], b"").await;
        assert_eq!(health.status, 200, "{host}: {health:?}");
        assert_eq!(health.json()["status"], "ok");
    }
    // A refused SignUp made no user.
    let refused = http_call(
        addr,
        "SignUp",
        &[("Host", "evil.example")],
        &json!({ "ClientId": CLIENT, "Username": "rebound", "Password": PASSWORD }),
    )
    .await;
    assert_access_denied(&refused, "SignUp");
    let missing = api
        .call(
            "AdminGetUser",
            json!({ "UserPoolId": POOL, "Username": "rebound" }),
        )
        .await
        .unwrap_err();
    assert_eq!(missing.kind, "UserNotFoundException", "{missing:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_allowed_host_is_served() {
    let (emulator, _api) = start(Access {
        hosts: vec!["cognito.test".into()],
        ..Access::default()
    })
    .await;
    let addr = emulator.local_addr();
    let port = addr.port();
    for host in [
        "cognito.test".to_string(),
        format!("cognito.test:{port}"),
        format!("COGNITO.test:{port}"),
        format!("localhost:{port}"),
    ] {
        let response = describe_with(addr, &[("Host", &host)]).await;
        assert_served_describe(&response, &host);
    }
    assert_each_denied(
        addr,
        "Host",
        &[
            "evil.example",
            "sub.cognito.test",
            "cognito.test.evil.example",
        ],
    )
    .await;

    let (emulator, _api) = start(Access {
        hosts: vec!["*".into()],
        ..Access::default()
    })
    .await;
    let response = describe_with(emulator.local_addr(), &[("Host", "anything.example")]).await;
    assert_served_describe(&response, "'*' serves any name");
}

#[tokio::test(flavor = "multi_thread")]
async fn loopback_origins_get_cors_headers() {
    let (emulator, _api) = start(Access::default()).await;
    let addr = emulator.local_addr();
    for origin in [
        "http://localhost:5173",
        "https://localhost",
        "http://127.0.0.1:3000",
        "http://[::1]:8080",
    ] {
        let response = assert_served_to(addr, origin, origin).await;
        assert_eq!(response.header("vary"), Some("Origin"), "{origin}");
        let exposed = response
            .header("access-control-expose-headers")
            .unwrap()
            .to_ascii_lowercase();
        assert!(exposed.contains("x-amzn-errortype"), "{exposed}");
    }
    // A refusal by the service still carries the headers, so the page reads the error.
    let refused = http_call(
        addr,
        "DescribeUserPool",
        &[("Origin", "http://localhost:5173")],
        &json!({ "UserPoolId": "us-east-1_Nope" }),
    )
    .await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.json()["__type"], "ResourceNotFoundException");
    assert_eq!(
        refused.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );

    let preflight = http(
        addr,
        "OPTIONS",
        "/",
        &[
            ("Origin", "http://127.0.0.1:3000"),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "content-type,x-amz-target,x-amz-user-agent",
            ),
        ],
        b"",
    )
    .await;
    assert_eq!(preflight.status, 204, "{preflight:?}");
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some("http://127.0.0.1:3000")
    );
    assert_eq!(preflight.header("vary"), Some("Origin"));
    let methods = preflight.header("access-control-allow-methods").unwrap();
    assert!(methods.contains("POST"), "{methods}");
    let headers = preflight
        .header("access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    for asked in ["content-type", "x-amz-target", "x-amz-user-agent"] {
        assert!(headers.contains(asked), "{headers}");
    }
    assert!(preflight.header("access-control-max-age").is_some());

    // Without an Origin, no CORS header at all.
    let plain = describe_with(addr, &[]).await;
    assert_served_describe(&plain, "no Origin");
    assert!(!plain.has_cors_headers(), "{plain:?}");
    assert!(plain.header("vary").is_none(), "{plain:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn other_origins_are_refused_and_the_operation_does_not_run() {
    let (emulator, api) = start(Access::default()).await;
    let addr = emulator.local_addr();
    for origin in [
        "https://evil.example",
        "null",
        "http://localhost.evil.example",
        "http://localhost:5173/path",
        "http://localhost:99999",
        "file://",
        "http://192.0.2.7:3000",
    ] {
        let preflight = http(
            addr,
            "OPTIONS",
            "/",
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "POST"),
                (
                    "Access-Control-Request-Headers",
                    "content-type,x-amz-target",
                ),
            ],
            b"",
        )
        .await;
        assert_access_denied(&preflight, &format!("preflight from {origin}"));
        let refused = describe_with(addr, &[("Origin", origin)]).await;
        assert_access_denied(&refused, &format!("POST from {origin}"));
    }
    for (origin, username) in [("https://evil.example", "eve"), ("null", "nully")] {
        let refused = http_call(
            addr,
            "SignUp",
            &[("Origin", origin)],
            &json!({ "ClientId": CLIENT, "Username": username, "Password": PASSWORD }),
        )
        .await;
        assert_access_denied(&refused, &format!("SignUp from {origin}"));
        let missing = api
            .call(
                "AdminGetUser",
                json!({ "UserPoolId": POOL, "Username": username }),
            )
            .await
            .unwrap_err();
        assert_eq!(missing.kind, "UserNotFoundException", "{missing:?}");
    }
    // The same SignUp from an allowed page does run: the refusal above was the origin's.
    let allowed = http_call(
        addr,
        "SignUp",
        &[("Origin", "http://localhost:5173")],
        &json!({ "ClientId": CLIENT, "Username": "eve", "Password": PASSWORD }),
    )
    .await;
    assert_eq!(allowed.status, 200, "{allowed:?}");
    let user = api
        .call(
            "AdminGetUser",
            json!({ "UserPoolId": POOL, "Username": "eve" }),
        )
        .await
        .unwrap();
    assert_eq!(user["UserStatus"], "UNCONFIRMED");
}

#[tokio::test(flavor = "multi_thread")]
async fn configured_origins_are_allowed() {
    let (emulator, _api) = start(Access {
        cors_origins: vec!["https://app.example.test".into()],
        ..Access::default()
    })
    .await;
    let addr = emulator.local_addr();
    for origin in ["https://app.example.test", "http://localhost:5173"] {
        assert_served_to(addr, origin, origin).await;
    }
    assert_each_denied(
        addr,
        "Origin",
        &[
            "https://evil.example",
            "http://app.example.test",
            "https://app.example.test:8443",
        ],
    )
    .await;

    let (emulator, _api) = start(Access {
        cors_origins: vec!["*".into()],
        ..Access::default()
    })
    .await;
    let addr = emulator.local_addr();
    for origin in ["https://evil.example", "null", "http://localhost:5173"] {
        assert_served_to(addr, origin, "*").await;
    }
    let preflight = http(
        addr,
        "OPTIONS",
        "/",
        &[
            ("Origin", "https://evil.example"),
            ("Access-Control-Request-Method", "POST"),
        ],
        b"",
    )
    .await;
    assert_eq!(preflight.status, 204, "{preflight:?}");
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    let plain = describe_with(addr, &[]).await;
    assert!(!plain.has_cors_headers(), "no Origin, no CORS: {plain:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn openid_configuration_names_each_pools_issuer_and_jwks() {
    let (emulator, api) = start(Access::default()).await;
    let addr = emulator.local_addr();
    let created = api
        .call("CreateUserPool", json!({ "PoolName": "second" }))
        .await
        .unwrap();
    let second = created["UserPool"]["Id"].as_str().unwrap().to_string();
    for pool in [POOL, second.as_str()] {
        let response = reqwest::get(format!(
            "{}/{pool}/.well-known/openid-configuration",
            emulator.url()
        ))
        .await
        .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let document: Value = response.json().await.unwrap();
        let issuer = format!("{}/{pool}", emulator.url());
        assert_eq!(document["issuer"], issuer.as_str(), "{document}");
        assert_eq!(issuer, emulator.issuer_of(pool));
        assert_eq!(
            document["jwks_uri"],
            format!("{issuer}/.well-known/jwks.json"),
            "{document}"
        );
        let jwks: Value = reqwest::get(document["jwks_uri"].as_str().unwrap())
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(jwks["keys"][0]["kty"], "RSA", "{jwks}");
    }
    // The issuer is the one the tokens name.
    let signed_in = sign_in(&api, "alice", PASSWORD, None, None).await.unwrap();
    assert_eq!(signed_in.access_claims()["iss"], emulator.issuer());
    for path in [
        "/us-east-1_Unknown/.well-known/openid-configuration",
        "/us-east-1_Unknown/.well-known/jwks.json",
    ] {
        let missing = http(addr, "GET", path, &[], b"").await;
        assert_eq!(missing.status, 404, "{path}: {missing:?}");
        assert!(missing.json()["message"].is_string(), "{missing:?}");
    }
    // A deleted pool's documents are gone with it.
    api.call("DeleteUserPool", json!({ "UserPoolId": second }))
        .await
        .unwrap();
    let gone = http(
        addr,
        "GET",
        &format!("/{second}/.well-known/openid-configuration"),
        &[],
        b"",
    )
    .await;
    assert_eq!(gone.status, 404, "{gone:?}");
}

/// mallory's fixed ephemeral: every flood request sends the same valid `SRP_A`, and any of
/// her challenges can still be answered.
const MALLORY_EXPONENT: [u8; 32] = [0x5a; 32];

fn mallory_auth_parameters() -> Params {
    User::new(POOL, "mallory", PASSWORD)
        .unwrap()
        .start_sign_in_with_test_exponent(&MALLORY_EXPONENT)
        .unwrap()
        .user_srp_auth()
        .parameters()
        .to_map()
}

async fn mallory_initiate(api: &Api, auth: &Params) -> Value {
    let reply = api
        .call(
            "InitiateAuth",
            json!({ "AuthFlow": "USER_SRP_AUTH", "ClientId": CLIENT, "AuthParameters": auth }),
        )
        .await
        .unwrap();
    assert_eq!(reply["ChallengeName"], "PASSWORD_VERIFIER");
    reply
}

/// A right answer to one of mallory's challenges, sent with its `Session`.
async fn mallory_answer(api: &Api, reply: &Value) -> Result<Value, common::Refusal> {
    let params: Params = serde_json::from_value(reply["ChallengeParameters"].clone()).unwrap();
    let challenge = PasswordVerifierChallenge::from_parameters(&params).unwrap();
    let responses = User::new(POOL, "mallory", PASSWORD)
        .unwrap()
        .start_sign_in_with_test_exponent(&MALLORY_EXPONENT)
        .unwrap()
        .respond(&challenge, Timestamp::now().unwrap())
        .unwrap()
        .parameters()
        .to_map();
    api.respond("PASSWORD_VERIFIER", reply["Session"].as_str(), &responses)
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sign_in_flood_costs_only_the_flooder() {
    const FLOOD: usize = 300;
    const WORKERS: usize = 6;
    let (_emulator, api) = start(Access::default()).await;
    let auth = mallory_auth_parameters();
    // alice starts her sign-in before the flood and answers it after.
    let alice = password_step(&api, "alice", PASSWORD, None).await.unwrap();
    let earliest = mallory_initiate(&api, &auth).await;

    let mut workers = tokio::task::JoinSet::new();
    for worker in 0..WORKERS {
        let api = api.clone();
        let auth = auth.clone();
        workers.spawn(async move {
            let mut first = None;
            for _ in 0..FLOOD / WORKERS {
                let reply = mallory_initiate(&api, &auth).await;
                first.get_or_insert(reply);
            }
            (worker, first.unwrap())
        });
    }
    let firsts: Vec<(usize, Value)> = workers.join_all().await;
    assert_eq!(firsts.len(), WORKERS);
    let latest = mallory_initiate(&api, &auth).await;

    let answered = alice.answer(&api).await.unwrap();
    assert!(
        answered["AuthenticationResult"]["AccessToken"].is_string(),
        "alice's sign-in survived the flood: {answered}"
    );
    // mallory's earliest sign-ins were dropped for her newer ones, right answers or not.
    for reply in std::iter::once(&earliest).chain(firsts.iter().map(|(_, reply)| reply)) {
        let refusal = mallory_answer(&api, reply).await.unwrap_err();
        assert!(
            refusal.is("NotAuthorizedException", "Invalid session for the user."),
            "{refusal:?}"
        );
    }
    let signed_in = mallory_answer(&api, &latest).await.unwrap();
    assert!(
        signed_in["AuthenticationResult"]["AccessToken"].is_string(),
        "{signed_in}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_over_long_device_key_names_no_device() {
    let (_emulator, api) = start(Access::default()).await;
    // A real remembered device of alice's: an over-long key that starts with it must not be
    // cut down to it.
    let first = sign_in(&api, "alice", PASSWORD, None, None).await.unwrap();
    let (device, _) = remember(&api, &first).await.unwrap();
    let mut long_key = device.key.clone();
    let room = MAX_BODY_BYTES - 2048;
    while long_key.len() < room {
        long_key.push('x');
    }

    // A whole 64 KiB key makes the body too large: refused before any sign-in is kept.
    let user = User::new(POOL, "alice", PASSWORD).unwrap();
    let sign_in_state = user.start_sign_in(&mut rand::rng()).unwrap();
    let mut auth = sign_in_state.user_srp_auth().parameters().to_map();
    auth.insert("DEVICE_KEY".into(), "k".repeat(64 * 1024));
    let too_large = api
        .call(
            "InitiateAuth",
            json!({ "AuthFlow": "USER_SRP_AUTH", "ClientId": CLIENT, "AuthParameters": auth }),
        )
        .await
        .unwrap_err();
    assert_eq!(too_large.status, 413, "{too_large:?}");
    assert_eq!(too_large.kind, "RequestEntityTooLargeException");

    // The longest key that fits: accepted, and it names no device at PASSWORD_VERIFIER.
    auth.insert("DEVICE_KEY".into(), long_key.clone());
    let reply = api
        .call(
            "InitiateAuth",
            json!({ "AuthFlow": "USER_SRP_AUTH", "ClientId": CLIENT, "AuthParameters": auth }),
        )
        .await
        .unwrap();
    assert_eq!(reply["ChallengeName"], "PASSWORD_VERIFIER");
    assert!(
        !reply.to_string().contains(&long_key[..100]),
        "the key is not echoed"
    );
    let params: Params = serde_json::from_value(reply["ChallengeParameters"].clone()).unwrap();
    let challenge = PasswordVerifierChallenge::from_parameters(&params).unwrap();
    let responses = sign_in_state
        .respond(&challenge, Timestamp::now().unwrap())
        .unwrap()
        .parameters()
        .to_map();
    let session = reply["Session"].as_str().unwrap();
    let refusal = api
        .respond("PASSWORD_VERIFIER", Some(session), &responses)
        .await
        .unwrap_err();
    assert!(
        refusal.is("ResourceNotFoundException", "Device does not exist."),
        "{refusal:?}"
    );
    // The sign-in is kept for the retry without the device, as identity-js makes it.
    let retried = api
        .call(
            "RespondToAuthChallenge",
            json!({
                "ClientId": CLIENT,
                "ChallengeName": "PASSWORD_VERIFIER",
                "Session": session,
                "ChallengeResponses": {
                    "USERNAME": responses["USERNAME"],
                    "PASSWORD_CLAIM_SECRET_BLOCK": responses["PASSWORD_CLAIM_SECRET_BLOCK"],
                    "PASSWORD_CLAIM_SIGNATURE": responses["PASSWORD_CLAIM_SIGNATURE"],
                    "TIMESTAMP": responses["TIMESTAMP"],
                    "DEVICE_KEY": null,
                },
            }),
        )
        .await
        .unwrap();
    let result = &retried["AuthenticationResult"];
    assert!(result["AccessToken"].is_string(), "{retried}");
    assert!(
        result["NewDeviceMetadata"]["DeviceKey"].is_string(),
        "signed in as a new device, not as {}: {retried}",
        device.key
    );
    // The real device still works with its own key.
    let again = sign_in(&api, "alice", PASSWORD, Some(&device), None)
        .await
        .unwrap();
    assert!(again.result["AccessToken"].is_string());
}

/// A `Content-Length` over the limit is answered 413 at once, from the headers alone: the
/// emulator does not wait for (or read) a body of 10^12 bytes.
#[test]
fn an_oversized_content_length_is_refused_before_the_body() {
    use std::io::{Read as _, Write as _};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime.block_on(Emulator::builder().start()).unwrap();
    let mut stream = std::net::TcpStream::connect(emulator.local_addr()).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {}\r\nX-Amz-Target: AWSCognitoIdentityProviderService.SignUp\r\n\
         Content-Type: application/x-amz-json-1.1\r\nContent-Length: 1000000000000\r\n\r\n{{",
        emulator.local_addr()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = [0u8; 512];
    let read = stream.read(&mut answer).expect("an answer before any body");
    let head = String::from_utf8_lossy(&answer[..read]);
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    assert!(head.contains("RequestEntityTooLargeException"), "{head}");
    drop(stream);
    runtime.block_on(emulator.shutdown());
}

/// Connections are bounded: one that sends no request, or its headers a byte at a time, is
/// closed after the header timeout, and past `max_connections` a new connection is closed at
/// once; the server keeps serving throughout.
#[test]
fn idle_slow_and_surplus_connections_are_closed() {
    use std::io::{Read as _, Write as _};
    use std::time::{Duration, Instant};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime
        .block_on(
            Emulator::builder()
                .limits(cognito_srp6a_emulator::Limits {
                    max_connections: 4,
                    header_timeout_secs: 1,
                    ..cognito_srp6a_emulator::Limits::default()
                })
                .start(),
        )
        .unwrap();
    let addr = emulator.local_addr();
    let connect = || {
        let stream = std::net::TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream
    };
    // Closed: the read sees the end (or a reset) well before its own 10 s timeout.
    let closed_within = |stream: &mut std::net::TcpStream, limit: Duration| {
        let started = Instant::now();
        let mut byte = [0u8; 1];
        let outcome = stream.read(&mut byte);
        assert!(
            matches!(outcome, Ok(0) | Err(_)) && started.elapsed() < limit,
            "{outcome:?} after {:?}",
            started.elapsed()
        );
        if let Err(error) = outcome {
            assert_ne!(error.kind(), std::io::ErrorKind::WouldBlock, "still open");
        }
    };
    // Four idle connections hold every place: a fifth is closed at once.
    let mut idle: Vec<_> = (0..4).map(|_| connect()).collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut surplus = connect();
    closed_within(&mut surplus, Duration::from_millis(900));
    // The idle ones are closed after the header timeout.
    for stream in &mut idle {
        closed_within(stream, Duration::from_secs(5));
    }
    // A slow sender (slowloris) is closed too, however it trickles.
    let mut slow = connect();
    let started = Instant::now();
    for byte in b"POST / HTTP/1.1\r\nHost: x\r\n".iter().cycle().take(40) {
        if slow.write_all(&[*byte]).is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    closed_within(&mut slow, Duration::from_secs(5));
    assert!(started.elapsed() < Duration::from_secs(8));
    // And the server still answers.
    let health = common::http_blocking(addr, "GET", "/health", &[], b"");
    assert_eq!(health.status, 200);
    runtime.block_on(emulator.shutdown());
}

/// A client still sending a body over the limit reads the 413, not a reset: the emulator
/// answers from the headers, then stops writing and reads (and drops) what is still coming
/// for a few seconds before it closes (a lingering close). Closing with unread bytes would
/// make the kernel reset the connection, and the reset can destroy the answer on its way.
#[test]
fn a_client_still_sending_a_large_body_reads_the_413() {
    use std::io::{Read as _, Write as _};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime.block_on(Emulator::builder().start()).unwrap();
    for (framing, body_bytes) in [("content-length", 4 << 20), ("chunked", 4 << 20)] {
        let mut stream = std::net::TcpStream::connect(emulator.local_addr()).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let length_header = if framing == "chunked" {
            "Transfer-Encoding: chunked".to_owned()
        } else {
            format!("Content-Length: {body_bytes}")
        };
        let head = format!(
            "POST / HTTP/1.1\r\nHost: {}\r\nX-Amz-Target: AWSCognitoIdentityProviderService.SignUp\r\n\
             Content-Type: application/x-amz-json-1.1\r\n{length_header}\r\n\r\n",
            emulator.local_addr()
        );
        stream.write_all(head.as_bytes()).unwrap();
        // The whole body, as a client that does not look for an early answer sends it.
        let block = vec![b' '; 64 * 1024];
        let mut sent = Ok(());
        for _ in 0..body_bytes / block.len() {
            sent = if framing == "chunked" {
                stream
                    .write_all(format!("{:x}\r\n", block.len()).as_bytes())
                    .and_then(|()| stream.write_all(&block))
                    .and_then(|()| stream.write_all(b"\r\n"))
            } else {
                stream.write_all(&block)
            };
            if sent.is_err() {
                break;
            }
        }
        assert!(
            sent.is_ok(),
            "{framing}: the body could not be sent: {sent:?}"
        );
        let mut answer = Vec::new();
        let read = stream.read_to_end(&mut answer);
        let answer = String::from_utf8_lossy(&answer);
        assert!(read.is_ok(), "{framing}: {read:?} after {answer:?}");
        assert!(answer.starts_with("HTTP/1.1 413"), "{framing}: {answer}");
        assert!(
            answer.contains("RequestEntityTooLargeException"),
            "{framing}: {answer}"
        );
    }
    // And the server still answers.
    let health = common::http_blocking(emulator.local_addr(), "GET", "/health", &[], b"");
    assert_eq!(health.status, 200);
    runtime.block_on(emulator.shutdown());
}

//! A test client of the Cognito JSON protocol: raw requests, and whole sign-ins answered with
//! the core crate, step by step, so each test can stop, tamper or replay at any step.

// Shared by several test binaries; each uses a part.
#![allow(dead_code)]

use cognito_srp6a::{
    AppClient, DevicePasswordVerifierChallenge, DeviceRegistration, PasswordVerifierChallenge,
    RememberedDevice, Timestamp, User,
};
use cognito_srp6a_test_support::{clock::unix_now, jwt::claims, totp};
use serde_json::{Value, json};
use std::collections::HashMap;

pub type Params = HashMap<String, String>;

/// The challenges of a sign-in with a remembered device, as [`SignedIn`] lists them.
pub const DEVICE_CHALLENGES: [&str; 3] = [
    "PASSWORD_VERIFIER",
    "DEVICE_SRP_AUTH",
    "DEVICE_PASSWORD_VERIFIER",
];

/// A service error as the wire carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub kind: String,
    pub message: String,
}

impl Refusal {
    pub fn is(&self, kind: &str, message: &str) -> bool {
        self.kind == kind && self.message == message
    }
}

/// `result` is the refusal `kind` with `message`.
pub fn assert_refused<T: std::fmt::Debug>(result: Result<T, Refusal>, kind: &str, message: &str) {
    let refusal = result.expect_err(message);
    assert!(refusal.is(kind, message), "{refusal:?}");
}

/// One emulator's endpoint, pool and app client.
#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub url: String,
    pub pool_id: String,
    pub client_id: String,
    pub client_secret: Option<String>,
}

impl Api {
    pub fn new(url: String, pool_id: &str, client_id: &str, client_secret: Option<&str>) -> Self {
        Self {
            http: reqwest::Client::new(),
            url,
            pool_id: pool_id.into(),
            client_id: client_id.into(),
            client_secret: client_secret.map(str::to_string),
        }
    }

    /// A request with any target, content type and body: the status, the headers and the body
    /// read as JSON (`Value::Null` if it is not).
    pub async fn raw(
        &self,
        target: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut request = self.http.post(format!("{}/", self.url)).body(body);
        if let Some(target) = target {
            request = request.header("X-Amz-Target", target);
        }
        if let Some(content_type) = content_type {
            request = request.header("Content-Type", content_type);
        }
        let response = request.send().await.expect("the emulator answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("a whole body");
        (
            status,
            headers,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// One operation; a refusal must have the service's shape (`__type`, `message`, and the
    /// same name in `x-amzn-ErrorType`).
    pub async fn call(&self, operation: &str, body: Value) -> Result<Value, Refusal> {
        let target = format!("AWSCognitoIdentityProviderService.{operation}");
        let (status, headers, value) = self
            .raw(
                Some(&target),
                Some("application/x-amz-json-1.1"),
                body.to_string().into_bytes(),
            )
            .await;
        if status == 200 {
            return Ok(value);
        }
        let kind = value["__type"].as_str().expect("__type").to_string();
        assert_eq!(
            headers
                .get("x-amzn-errortype")
                .and_then(|v| v.to_str().ok()),
            Some(kind.as_str()),
            "x-amzn-ErrorType"
        );
        Err(Refusal {
            status,
            kind,
            message: value["message"].as_str().expect("message").to_string(),
        })
    }

    pub fn secret_hash(&self, username: &str) -> Option<String> {
        self.client_secret.as_ref().map(|secret| {
            AppClient::new(&self.client_id, secret)
                .secret_hash(username)
                .as_str()
                .to_string()
        })
    }

    fn with_hash(&self, mut params: Params, username: &str) -> Params {
        if let Some(hash) = self.secret_hash(username) {
            params.insert("SECRET_HASH".into(), hash);
        }
        params
    }

    pub async fn respond(
        &self,
        challenge: &str,
        session: Option<&str>,
        responses: &Params,
    ) -> Result<Value, Refusal> {
        let mut body = json!({
            "ClientId": self.client_id,
            "ChallengeName": challenge,
            "ChallengeResponses": responses,
        });
        if let Some(session) = session {
            body["Session"] = json!(session);
        }
        self.call("RespondToAuthChallenge", body).await
    }
}

/// A device the app keeps.
#[derive(Clone, Debug)]
pub struct Device {
    pub group_key: String,
    pub key: String,
    pub password: String,
}

impl Device {
    pub fn remembered(&self) -> RememberedDevice<'_> {
        RememberedDevice {
            device_group_key: &self.group_key,
            device_key: &self.key,
            device_password: self.password.as_bytes(),
        }
    }
}

/// A sign-in's `PASSWORD_VERIFIER` answer, ready to send (or to tamper with).
pub struct PasswordStep {
    pub session: Option<String>,
    pub responses: Params,
    pub username: String,
}

impl PasswordStep {
    /// Sends this `PASSWORD_VERIFIER` answer.
    pub async fn answer(&self, api: &Api) -> Result<Value, Refusal> {
        api.respond(
            "PASSWORD_VERIFIER",
            self.session.as_deref(),
            &self.responses,
        )
        .await
    }
}

/// `InitiateAuth` `USER_SRP_AUTH` and the `PASSWORD_VERIFIER` answer for `password`.
pub async fn password_step(
    api: &Api,
    username: &str,
    password: &str,
    device_key: Option<&str>,
) -> Result<PasswordStep, Refusal> {
    let mut rng = rand::rng();
    let user = User::new(&api.pool_id, username, password).unwrap();
    let sign_in = user.start_sign_in(&mut rng).unwrap();
    let mut auth = sign_in.user_srp_auth().parameters().to_map();
    if let Some(key) = device_key {
        auth.insert("DEVICE_KEY".into(), key.into());
    }
    let auth = api.with_hash(auth, username);
    let reply = api
        .call(
            "InitiateAuth",
            json!({ "AuthFlow": "USER_SRP_AUTH", "ClientId": api.client_id, "AuthParameters": auth }),
        )
        .await?;
    assert_eq!(reply["ChallengeName"], "PASSWORD_VERIFIER");
    let params: Params = serde_json::from_value(reply["ChallengeParameters"].clone()).unwrap();
    let challenge = PasswordVerifierChallenge::from_parameters(&params).unwrap();
    let internal = challenge.user_id_for_srp().to_string();
    let mut responses = sign_in
        .respond(&challenge, Timestamp::now().unwrap())
        .unwrap()
        .parameters()
        .to_map();
    if let Some(key) = device_key {
        responses.insert("DEVICE_KEY".into(), key.into());
    }
    Ok(PasswordStep {
        session: reply["Session"].as_str().map(str::to_string),
        responses: api.with_hash(responses, &internal),
        username: internal,
    })
}

/// The `DEVICE_SRP_AUTH` answer and then the `DEVICE_PASSWORD_VERIFIER` answer for `device`:
/// returns the reply to the latter. `with_session` false answers as pycognito does.
pub async fn device_steps(
    api: &Api,
    reply: &Value,
    username: &str,
    device: &Device,
    with_session: bool,
) -> Result<Value, Refusal> {
    assert_eq!(reply["ChallengeName"], "DEVICE_SRP_AUTH", "{reply}");
    let session = reply["Session"].as_str().filter(|_| with_session);
    let mut rng = rand::rng();
    let pending = device.remembered().start_sign_in(&mut rng).unwrap();
    let auth = api.with_hash(
        pending.device_srp_auth(username).parameters().to_map(),
        username,
    );
    let reply = api.respond("DEVICE_SRP_AUTH", session, &auth).await?;
    assert_eq!(
        reply["ChallengeName"], "DEVICE_PASSWORD_VERIFIER",
        "{reply}"
    );
    let params: Params = serde_json::from_value(reply["ChallengeParameters"].clone()).unwrap();
    let challenge = DevicePasswordVerifierChallenge::from_parameters(&params).unwrap();
    let responses = pending
        .respond(&challenge, Timestamp::now().unwrap())
        .unwrap()
        .parameters()
        .to_map();
    let responses = api.with_hash(responses, username);
    let session = reply["Session"].as_str().filter(|_| with_session);
    api.respond("DEVICE_PASSWORD_VERIFIER", session, &responses)
        .await
}

/// What a whole sign-in went through.
#[derive(Debug)]
pub struct SignedIn {
    pub challenges: Vec<String>,
    pub result: Value,
}

impl SignedIn {
    pub fn access_claims(&self) -> Value {
        claims(self.result["AccessToken"].as_str().unwrap())
    }

    pub fn new_device(&self) -> Option<(String, String)> {
        let metadata = &self.result["NewDeviceMetadata"];
        Some((
            metadata["DeviceGroupKey"].as_str()?.to_string(),
            metadata["DeviceKey"].as_str()?.to_string(),
        ))
    }
}

/// A whole sign-in: password, the device's challenges when the pool asks, and the TOTP code
/// from `totp_secret` when it asks for one.
pub async fn sign_in(
    api: &Api,
    username: &str,
    password: &str,
    device: Option<&Device>,
    totp_secret: Option<&[u8]>,
) -> Result<SignedIn, Refusal> {
    let step = password_step(api, username, password, device.map(|d| d.key.as_str())).await?;
    let mut challenges = vec!["PASSWORD_VERIFIER".to_string()];
    let mut reply = step.answer(api).await?;
    loop {
        let Some(name) = reply["ChallengeName"].as_str().map(str::to_string) else {
            return Ok(SignedIn {
                challenges,
                result: reply["AuthenticationResult"].clone(),
            });
        };
        challenges.push(name.clone());
        reply = match name.as_str() {
            "DEVICE_SRP_AUTH" => {
                challenges.push("DEVICE_PASSWORD_VERIFIER".into());
                device_steps(api, &reply, &step.username, device.expect("a device"), true).await?
            }
            "SOFTWARE_TOKEN_MFA" => {
                totp_answer(
                    api,
                    &step.username,
                    totp_secret.expect("a TOTP secret"),
                    reply["Session"].as_str(),
                )
                .await?
            }
            other => panic!("unexpected challenge {other}"),
        };
    }
}

/// Answers `SOFTWARE_TOKEN_MFA` with a code the emulator has not seen: a code is accepted
/// once, so a second sign-in in the same 30-second step uses the next step's code (accepted as
/// clock drift), and a third waits for the next step.
pub async fn totp_answer(
    api: &Api,
    username: &str,
    secret: &[u8],
    session: Option<&str>,
) -> Result<Value, Refusal> {
    let mut offset = 0;
    for _ in 0..3 {
        let responses = api.with_hash(
            Params::from([
                ("USERNAME".into(), username.to_string()),
                (
                    "SOFTWARE_TOKEN_MFA_CODE".into(),
                    totp::code(secret, unix_now() + offset),
                ),
            ]),
            username,
        );
        match api.respond("SOFTWARE_TOKEN_MFA", session, &responses).await {
            Err(refusal) if refusal.kind == "ExpiredCodeException" => {
                if offset == 30 {
                    let wait = 30 - unix_now().rem_euclid(30) + 1;
                    tokio::time::sleep(std::time::Duration::from_secs(wait.unsigned_abs())).await;
                }
                offset = 30;
            }
            other => return other,
        }
    }
    panic!("no fresh TOTP code was accepted in three tries")
}

/// `ConfirmDevice` with a verifier for the device a sign-in was given, and `UpdateDeviceStatus`
/// `remembered` when the pool asks the user.
pub async fn remember(api: &Api, signed_in: &SignedIn) -> Result<(Device, bool), Refusal> {
    let (group_key, key) = signed_in.new_device().expect("NewDeviceMetadata");
    let registration = DeviceRegistration::generate(&group_key, &key, &mut rand::rng());
    let config = &registration.device_secret_verifier_config;
    let access_token = signed_in.result["AccessToken"].as_str().unwrap();
    let reply = api
        .call(
            "ConfirmDevice",
            json!({
                "AccessToken": access_token,
                "DeviceKey": key,
                "DeviceName": "test device",
                "DeviceSecretVerifierConfig": {
                    "PasswordVerifier": config.password_verifier(),
                    "Salt": config.salt(),
                },
            }),
        )
        .await?;
    let necessary = reply["UserConfirmationNecessary"].as_bool().unwrap();
    if necessary {
        api.call(
            "UpdateDeviceStatus",
            json!({ "AccessToken": access_token, "DeviceKey": key, "DeviceRememberedStatus": "remembered" }),
        )
        .await?;
    }
    let device = Device {
        group_key,
        key,
        password: registration.device_password.as_str().to_string(),
    };
    Ok((device, necessary))
}

/// An HTTP answer read off a plain socket.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    /// Names lower-cased, in the order sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The first header of that name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether any `Access-Control-*` header came.
    pub fn has_cors_headers(&self) -> bool {
        self.headers
            .iter()
            .any(|(name, _)| name.starts_with("access-control-"))
    }

    /// The body as JSON (`Value::Null` if it is not).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// One HTTP/1.1 request on a fresh connection to `addr`, with exactly the headers given (and
/// `Host: <addr>` when they name no `Host`, `Content-Length`, `Connection: close`): a raw
/// socket, so the `Host` can name anything. Blocking, with a 30 s read deadline.
pub fn http_blocking(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> RawResponse {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("the emulator accepts");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\n");
    if !headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("host"))
    {
        request.push_str(&format!("Host: {addr}\r\n"));
    }
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    stream.write_all(request.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).expect("a whole answer");
    parse_http_response(&bytes)
}

/// [`http_blocking`] off the async workers.
pub async fn http(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> RawResponse {
    let method = method.to_string();
    let path = path.to_string();
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let body = body.to_vec();
    tokio::task::spawn_blocking(move || {
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        http_blocking(addr, &method, &path, &headers, &body)
    })
    .await
    .unwrap()
}

/// A `POST /` of `operation` with the JSON protocol's headers and `extra` ones.
pub async fn http_call(
    addr: std::net::SocketAddr,
    operation: &str,
    extra: &[(&str, &str)],
    body: &Value,
) -> RawResponse {
    let target = format!("AWSCognitoIdentityProviderService.{operation}");
    let mut headers = vec![
        ("X-Amz-Target", target.as_str()),
        ("Content-Type", "application/x-amz-json-1.1"),
    ];
    headers.extend_from_slice(extra);
    http(addr, "POST", "/", &headers, body.to_string().as_bytes()).await
}

/// The first key `<issuer>/.well-known/jwks.json` publishes: the JWK, and its RSA key for
/// `jsonwebtoken`.
pub async fn first_jwk(issuer: &str) -> (Value, jsonwebtoken::DecodingKey) {
    let jwks: Value = reqwest::get(format!("{issuer}/.well-known/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = jwks["keys"][0].clone();
    let decoding = jsonwebtoken::DecodingKey::from_rsa_components(
        key["n"].as_str().unwrap(),
        key["e"].as_str().unwrap(),
    )
    .unwrap();
    (key, decoding)
}

/// RS256 with `issuer`, any audience.
pub fn rs256_validation(issuer: &str) -> jsonwebtoken::Validation {
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_issuer(&[issuer]);
    validation.validate_aud = false;
    validation
}

/// Status line, headers, and a body framed by `Content-Length`, chunked, or the connection's end.
fn parse_http_response(bytes: &[u8]) -> RawResponse {
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP head");
    let head = std::str::from_utf8(&bytes[..end]).expect("an ASCII head");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("a status line: {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .map(|line| {
            let (name, value) = line.split_once(':').expect("a header line");
            (name.trim().to_ascii_lowercase(), value.trim().to_string())
        })
        .collect();
    let rest = &bytes[end + 4..];
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let body = if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        let mut body = Vec::new();
        let mut rest = rest;
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size_text = std::str::from_utf8(&rest[..line_end]).unwrap();
            let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16)
                .expect("a chunk size");
            rest = &rest[line_end + 2..];
            if size == 0 {
                break;
            }
            body.extend_from_slice(&rest[..size]);
            rest = &rest[size + 2..];
        }
        body
    } else if let Some(length) = find("content-length") {
        let length: usize = length.parse().unwrap();
        rest[..length].to_vec()
    } else {
        rest.to_vec()
    };
    RawResponse {
        status,
        headers,
        body,
    }
}

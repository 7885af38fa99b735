//! A test client of the Cognito JSON protocol: raw requests, and whole sign-ins answered with
//! the core crate, step by step, so each test can stop, tamper or replay at any step.

// Shared by several test binaries; each uses a part.
#![allow(dead_code)]

use base64::Engine as _;
use cognito_srp6a::{
    AppClient, DevicePasswordVerifierChallenge, DeviceRegistration, PasswordVerifierChallenge,
    RememberedDevice, Timestamp, User,
};
use serde_json::{Value, json};
use std::collections::HashMap;

pub type Params = HashMap<String, String>;

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
    let mut reply = api
        .respond(
            "PASSWORD_VERIFIER",
            step.session.as_deref(),
            &step.responses,
        )
        .await?;
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
                let code = totp_code(totp_secret.expect("a TOTP secret"), now());
                let responses = api.with_hash(
                    Params::from([
                        ("USERNAME".into(), step.username.clone()),
                        ("SOFTWARE_TOKEN_MFA_CODE".into(), code),
                    ]),
                    &step.username,
                );
                api.respond("SOFTWARE_TOKEN_MFA", reply["Session"].as_str(), &responses)
                    .await?
            }
            other => panic!("unexpected challenge {other}"),
        };
    }
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

/// A JWT's payload.
pub fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// RFC 6238 (HMAC-SHA1, 30 s, 6 digits), written apart from the emulator's.
pub fn totp_code(secret: &[u8], unix_seconds: i64) -> String {
    use hmac::{KeyInit, Mac};
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(secret).unwrap();
    mac.update(&((unix_seconds / 30) as u64).to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0xf) as usize;
    let word = u32::from_be_bytes(digest[offset..offset + 4].try_into().unwrap()) & 0x7fff_ffff;
    format!("{:06}", word % 1_000_000)
}

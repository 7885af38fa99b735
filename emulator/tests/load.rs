//! A bounded load test on loopback: many whole device sign-ins against one in-process emulator.
//!
//! One user and one remembered device are registered over the HTTP API, then `LOAD_SIGNINS`
//! (default 200) sign-ins run, `LOAD_CONCURRENCY` (default 16) at a time, each the full
//! exchange: `InitiateAuth` `USER_SRP_AUTH` with `DEVICE_KEY`, `PASSWORD_VERIFIER`,
//! `DEVICE_SRP_AUTH`, `DEVICE_PASSWORD_VERIFIER`, tokens. The client is plain `reqwest` with
//! the JSON the AWS SDKs send, and `cognito-srp6a` for every SRP value. Every sign-in must
//! succeed with an access token naming the device, and the server must still answer
//! afterwards. The rate is printed (see it with `-- --nocapture`), never asserted: this is a
//! shared machine.
//!
//! ```text
//! cargo test -p cognito-srp6a-emulator --release --test load -- --nocapture
//! ```

// Test code may index and unwrap: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use cognito_srp6a::{
    DevicePasswordVerifierChallenge, DeviceRegistration, PasswordVerifierChallenge,
    RememberedDevice, Timestamp, User,
};
use cognito_srp6a_test_support::{api::request, jwt::try_claims};
use serde_json::{Value, json};
use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Instant,
};

const POOL_ID: &str = "us-east-1_LoadTest";
const CLIENT_ID: &str = "3n4b5urk1ft4fl3mg5e62d9ado";
const USERNAME: &str = "load-user";
const PASSWORD: &str = "correct horse battery staple";
const DEFAULT_SIGNINS: usize = 200;
const DEFAULT_CONCURRENCY: usize = 16;
/// How many failure messages to show when sign-ins fail; the count is always shown.
const SHOWN_FAILURES: usize = 5;

type Params = HashMap<String, String>;

/// The remembered device. Its strings live for the whole test (leaked once), so the SRP states
/// that borrow them can move between tasks and blocking threads.
#[derive(Clone, Copy)]
struct Device {
    group_key: &'static str,
    key: &'static str,
    password: &'static str,
}

impl Device {
    fn remembered(self) -> RememberedDevice<'static> {
        RememberedDevice {
            device_group_key: self.group_key,
            device_key: self.key,
            device_password: self.password.as_bytes(),
        }
    }
}

/// The Cognito JSON protocol over one shared connection pool.
#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    url: String,
}

impl Api {
    /// One operation. A non-2xx answer is an error naming the operation and the `__type`
    /// (the body may carry nothing secret, but it is kept short).
    async fn call(&self, operation: &str, body: Value) -> Result<Value, String> {
        let response = request(&self.http, &self.url, operation, &body)
            .send()
            .await
            .map_err(|e| format!("{operation}: {e}"))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| format!("{operation}: reading the body: {e}"))?;
        let value: Value = serde_json::from_slice(&bytes)
            .map_err(|e| format!("{operation}: HTTP {status}, body is not JSON: {e}"))?;
        if !status.is_success() {
            return Err(format!(
                "{operation}: HTTP {status} {} {:?}",
                value["__type"], value["message"]
            ));
        }
        Ok(value)
    }

    async fn respond(
        &self,
        challenge: &str,
        session: &str,
        responses: &Params,
    ) -> Result<Value, String> {
        self.call(
            "RespondToAuthChallenge",
            json!({
                "ChallengeName": challenge,
                "ClientId": CLIENT_ID,
                "Session": session,
                "ChallengeResponses": responses,
            }),
        )
        .await
    }
}

/// Runs SRP math off the async workers: the clients share the runtime with the server, and a
/// 3072-bit exponentiation on a worker would stall every connection it serves.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, cognito_srp6a::Error> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| format!("SRP task: {e}"))?
        .map_err(|e| format!("SRP: {e}"))
}

/// The challenge a response asks for, its parameters and its session.
fn challenge(response: &Value, want: &str) -> Result<(Params, String), String> {
    let name = response["ChallengeName"].as_str();
    if name != Some(want) {
        return Err(format!("expected challenge {want}, got {name:?}"));
    }
    let parameters: Params = serde_json::from_value(response["ChallengeParameters"].clone())
        .map_err(|e| format!("{want}: ChallengeParameters: {e}"))?;
    let session = response["Session"]
        .as_str()
        .ok_or(format!("{want}: no Session"))?
        .to_owned();
    Ok((parameters, session))
}

/// The `AuthenticationResult` of a finished sign-in.
fn tokens(response: &Value) -> Result<&Value, String> {
    if let Some(name) = response["ChallengeName"].as_str() {
        return Err(format!("expected tokens, got challenge {name}"));
    }
    let result = &response["AuthenticationResult"];
    for field in ["AccessToken", "IdToken", "RefreshToken"] {
        if !result[field].is_string() {
            return Err(format!("AuthenticationResult has no {field}"));
        }
    }
    Ok(result)
}

/// The access token's `device_key` claim (read, not verified: the test checks the binding).
fn device_key_claim(result: &Value) -> Result<String, String> {
    let token = result["AccessToken"].as_str().unwrap_or_default();
    let claims = try_claims(token).map_err(|e| format!("access token: {e}"))?;
    claims["device_key"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| "access token has no device_key".to_owned())
}

/// `InitiateAuth` `USER_SRP_AUTH` and the `PASSWORD_VERIFIER` answer; returns the response to
/// that answer and the internal user name.
async fn password_step(
    api: &Api,
    device_key: Option<&'static str>,
) -> Result<(Value, String), String> {
    let sign_in =
        blocking(|| User::new(POOL_ID, USERNAME, PASSWORD)?.start_sign_in(&mut rand::rng()))
            .await?;
    let mut auth = sign_in.user_srp_auth();
    if let Some(key) = device_key {
        auth = auth.with_device_key(key);
    }
    let initiated = api
        .call(
            "InitiateAuth",
            json!({
                "AuthFlow": "USER_SRP_AUTH",
                "ClientId": CLIENT_ID,
                "AuthParameters": auth.parameters().to_map(),
            }),
        )
        .await?;
    let (parameters, session) = challenge(&initiated, "PASSWORD_VERIFIER")?;
    let user_id_for_srp = parameters
        .get("USER_ID_FOR_SRP")
        .ok_or("PASSWORD_VERIFIER without USER_ID_FOR_SRP")?
        .clone();
    let responses = blocking(move || {
        let challenge = PasswordVerifierChallenge::from_parameters(&parameters)?;
        let mut response = sign_in.respond(&challenge, Timestamp::now()?)?;
        if let Some(key) = device_key {
            response = response.with_device_key(key);
        }
        Ok(response.parameters().to_map())
    })
    .await?;
    let answer = api
        .respond("PASSWORD_VERIFIER", &session, &responses)
        .await?;
    Ok((answer, user_id_for_srp))
}

/// One whole sign-in with the remembered device; returns the access token's `device_key`.
async fn device_sign_in(api: &Api, device: Device) -> Result<String, String> {
    let (answer, user_id_for_srp) = password_step(api, Some(device.key)).await?;
    let (_, session) = challenge(&answer, "DEVICE_SRP_AUTH")?;
    // A fresh ephemeral for the device exchange, as the JS client draws.
    let sign_in = blocking(move || device.remembered().start_sign_in(&mut rand::rng())).await?;
    let responses = sign_in
        .device_srp_auth(&user_id_for_srp)
        .parameters()
        .to_map();
    let answer = api.respond("DEVICE_SRP_AUTH", &session, &responses).await?;
    let (parameters, session) = challenge(&answer, "DEVICE_PASSWORD_VERIFIER")?;
    let responses = blocking(move || {
        let challenge = DevicePasswordVerifierChallenge::from_parameters(&parameters)?;
        Ok(sign_in
            .respond(&challenge, Timestamp::now()?)?
            .parameters()
            .to_map())
    })
    .await?;
    let answer = api
        .respond("DEVICE_PASSWORD_VERIFIER", &session, &responses)
        .await?;
    let result = tokens(&answer)?;
    if !result["NewDeviceMetadata"].is_null() {
        return Err("a remembered device's sign-in returned NewDeviceMetadata".to_owned());
    }
    device_key_claim(result)
}

/// Signs in without a device, confirms the device the pool offers, and remembers it.
async fn register_device(api: &Api) -> Device {
    let (answer, _) = password_step(api, None).await.unwrap();
    let result = tokens(&answer).unwrap();
    let metadata = &result["NewDeviceMetadata"];
    let key = metadata["DeviceKey"]
        .as_str()
        .expect("NewDeviceMetadata.DeviceKey");
    let group_key = metadata["DeviceGroupKey"]
        .as_str()
        .expect("NewDeviceMetadata.DeviceGroupKey");
    let access_token = result["AccessToken"].as_str().unwrap();
    let registration = DeviceRegistration::generate(group_key, key, &mut rand::rng());
    let config = &registration.device_secret_verifier_config;
    let confirmed = api
        .call(
            "ConfirmDevice",
            json!({
                "AccessToken": access_token,
                "DeviceKey": key,
                "DeviceName": "load test",
                "DeviceSecretVerifierConfig": {
                    "PasswordVerifier": config.password_verifier(),
                    "Salt": config.salt(),
                },
            }),
        )
        .await
        .unwrap();
    if confirmed["UserConfirmationNecessary"].as_bool() == Some(true) {
        api.call(
            "UpdateDeviceStatus",
            json!({
                "AccessToken": access_token,
                "DeviceKey": key,
                "DeviceRememberedStatus": "remembered",
            }),
        )
        .await
        .unwrap();
    }
    // Leaked once per test run: the SRP states borrow these for as long as the test lasts.
    let leak = |s: &str| -> &'static str { Box::leak(s.to_owned().into_boxed_str()) };
    Device {
        group_key: leak(group_key),
        key: leak(key),
        password: leak(registration.device_password.as_str()),
    }
}

fn env_count(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(text) => {
            let count: usize = text
                .parse()
                .unwrap_or_else(|_| panic!("{name}={text:?} is not a count"));
            assert!(count > 0, "{name} must be at least 1");
            count
        }
        Err(_) => default,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_device_sign_ins() {
    let total = env_count("LOAD_SIGNINS", DEFAULT_SIGNINS);
    let concurrency = env_count("LOAD_CONCURRENCY", DEFAULT_CONCURRENCY);
    let emulator = cognito_srp6a_emulator::Emulator::builder()
        .pool_id(POOL_ID)
        .client_id(CLIENT_ID)
        .user(USERNAME, PASSWORD)
        .challenge_required_on_new_device(false)
        .device_only_remembered_on_user_prompt(false)
        .start()
        .await
        .unwrap();
    let api = Api {
        http: reqwest::Client::new(),
        url: emulator.url(),
    };
    let device = register_device(&api).await;

    // Workers take sign-in numbers from one counter, so exactly `total` run whatever the
    // concurrency, and each worker reports what it saw.
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (api, next) = (api.clone(), Arc::clone(&next));
        workers.spawn(async move {
            let (mut succeeded, mut failures) = (0usize, Vec::new());
            while next.fetch_add(1, Ordering::Relaxed) < total {
                match device_sign_in(&api, device).await {
                    Ok(claim) if claim == device.key => succeeded += 1,
                    Ok(claim) => failures.push(format!(
                        "access token device_key {claim:?} is not the device's"
                    )),
                    Err(e) => failures.push(e),
                }
            }
            (succeeded, failures)
        });
    }
    let (mut succeeded, mut failures) = (0usize, Vec::new());
    while let Some(joined) = workers.join_next().await {
        let (ok, failed) = joined.unwrap();
        succeeded += ok;
        failures.extend(failed);
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{total} device sign-ins, {concurrency} concurrent, in {elapsed:.2} s: {:.1} sign-ins/s",
        total as f64 / elapsed
    );
    assert!(
        failures.is_empty(),
        "{} of {total} sign-ins failed; first: {:#?}",
        failures.len(),
        &failures[..failures.len().min(SHOWN_FAILURES)]
    );
    assert_eq!(succeeded, total, "every sign-in must be counted once");

    // The server still works after the burst: one more whole sign-in, and a wrong device
    // password is still refused (a server that stopped checking would pass the first alone).
    assert_eq!(device_sign_in(&api, device).await.unwrap(), device.key);
    let wrong = Device {
        password: Box::leak(
            DeviceRegistration::generate(device.group_key, device.key, &mut rand::rng())
                .device_password
                .as_str()
                .to_owned()
                .into_boxed_str(),
        ),
        ..device
    };
    let refused = device_sign_in(&api, wrong).await.unwrap_err();
    assert!(
        refused.contains("NotAuthorizedException"),
        "a wrong device password after the load: {refused}"
    );
    emulator.shutdown().await;
}

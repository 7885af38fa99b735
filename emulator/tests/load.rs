//! A bounded load test on loopback: many whole device sign-ins against one in-process emulator.
//!
//! One user and one remembered device are registered over the HTTP API, then `LOAD_SIGNINS`
//! (default 200) sign-ins run, `LOAD_CONCURRENCY` (default 16) at a time, each the full
//! exchange: `InitiateAuth` `USER_SRP_AUTH` with `DEVICE_KEY`, `PASSWORD_VERIFIER`,
//! `DEVICE_SRP_AUTH`, `DEVICE_PASSWORD_VERIFIER`, tokens. The client is plain `reqwest` with
//! the JSON the AWS SDKs send, and `cognito-srp6a` for every SRP value. Every sign-in must
//! succeed with an access token naming the device, and the server must still answer
//! afterwards.
//!
//! Printed (see them with `-- --nocapture`), never asserted, since this is a shared machine:
//! - the rate, sign-ins per second of wall time;
//! - the server's CPU time over the burst, per sign-in and as sign-ins per second per server
//!   core. The emulator runs on a tokio runtime of its own, so this is its threads' time alone
//!   (read from `/proc`, so Linux only), not the clients' that share the machine;
//! - the SRP math the service does per sign-in, timed in the same run in thread CPU time: two
//!   checks (the user's and the device's), each B = k·v + g^b and S = (A·v^u)^b, through
//!   `cognito_srp6a::bench::service_math`; and the ratio of the server's CPU per sign-in to it,
//!   which says how much the rest of the server (HTTP, JSON, the store, signing two RS256
//!   tokens) costs beside the math.
//!
//! ```text
//! cargo test -p cognito-srp6a-emulator --test load -- --nocapture
//! ```

// Test code may index and unwrap: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use cognito_srp6a::{
    DevicePasswordVerifierChallenge, DeviceRegistration, PasswordVerifierChallenge,
    RememberedDevice, Timestamp, User, bench,
};
use cognito_srp6a_test_support::{api::request, jwt::try_claims};
use crypto_bigint::U256;
use rustix::{
    thread::{Pid, gettid},
    time::{ClockId, clock_gettime},
};
use serde_json::{Value, json};
use std::{
    collections::HashMap,
    hint::black_box,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

const POOL_ID: &str = "us-east-1_LoadTest";
const CLIENT_ID: &str = "3n4b5urk1ft4fl3mg5e62d9ado";
const USERNAME: &str = "load-user";
const PASSWORD: &str = "correct horse battery staple";
const DEFAULT_SIGNINS: usize = 200;
const DEFAULT_CONCURRENCY: usize = 16;
/// How many failure messages to show when sign-ins fail; the count is always shown.
const SHOWN_FAILURES: usize = 5;
/// The SRP math is timed in this many rounds of `SRP_CHECKS` checks; the median round is shown.
const SRP_ROUNDS: u32 = 7;
const SRP_CHECKS: u32 = 10;

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

/// The CPU time of one runtime's threads. Each registers itself when it starts; one that stops
/// (tokio ends blocking threads left idle) adds its own total on the way out, under the same
/// lock, so its time is counted once whether it is still running at a reading or not.
#[derive(Default)]
struct ThreadsCpu(Mutex<ThreadsCpuState>);

#[derive(Default)]
struct ThreadsCpuState {
    running: Vec<Pid>,
    stopped: Duration,
}

impl ThreadsCpu {
    /// For `on_thread_start`.
    fn started(&self) {
        self.0.lock().unwrap().running.push(gettid());
    }

    /// For `on_thread_stop`.
    fn stopping(&self) {
        let tid = gettid();
        let mut state = self.0.lock().unwrap();
        state.running.retain(|&running| running != tid);
        state.stopped += own_cpu();
    }

    /// The threads' CPU time so far; `None` where `/proc` does not say.
    fn total(&self) -> Option<Duration> {
        let state = self.0.lock().unwrap();
        let mut total = state.stopped;
        for &tid in &state.running {
            total += thread_cpu(tid)?;
        }
        Some(total)
    }
}

/// The calling thread's CPU time.
fn own_cpu() -> Duration {
    let now = clock_gettime(ClockId::ThreadCPUTime);
    Duration::new(
        u64::try_from(now.tv_sec).unwrap(),
        u32::try_from(now.tv_nsec).unwrap(),
    )
}

/// Another thread's CPU time: the first field of its `schedstat`, the nanoseconds it ran (what
/// the thread's own CPU-time clock reads).
fn thread_cpu(tid: Pid) -> Option<Duration> {
    let path = format!("/proc/self/task/{}/schedstat", tid.as_raw_pid());
    let text = std::fs::read_to_string(path).ok()?;
    let nanos = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// The runtime the emulator runs on, apart from the clients': its threads' CPU time is the
/// server's.
fn server_runtime(cpu: &Arc<ThreadsCpu>) -> tokio::runtime::Runtime {
    let (on_start, on_stop) = (Arc::clone(cpu), Arc::clone(cpu));
    tokio::runtime::Builder::new_multi_thread()
        .thread_name("emulator")
        .on_thread_start(move || on_start.started())
        .on_thread_stop(move || on_stop.stopping())
        .enable_all()
        .build()
        .unwrap()
}

/// The service's SRP math for one whole device sign-in, in this thread's CPU time: two checks
/// (the user's and the device's), each B = k·v + g^b and S = (A·v^u)^b, through the functions
/// the service runs. Returns the median, fastest and slowest of `SRP_ROUNDS` rounds.
fn srp_math_per_sign_in() -> [Duration; 3] {
    let random = || U256::from_be_slice(&rand::random::<[u8; 32]>());
    let mut rounds: Vec<Duration> = (0..SRP_ROUNDS)
        .map(|_| {
            // A verifier and a client's A are powers of g, as in a real sign-in.
            let (v, srp_a) = (bench::g_pow(&random()), bench::g_pow(&random()));
            let (b, u) = (random(), random());
            let start = own_cpu();
            for _ in 0..SRP_CHECKS {
                black_box(bench::service_math(
                    black_box(&v),
                    black_box(&b),
                    &srp_a,
                    &u,
                ));
            }
            (own_cpu() - start) * 2 / SRP_CHECKS
        })
        .collect();
    rounds.sort();
    [
        rounds[rounds.len() / 2],
        rounds[0],
        rounds[rounds.len() - 1],
    ]
}

fn milliseconds(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
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

/// `total` sign-ins, `concurrency` at a time; returns how many succeeded and the failures.
async fn burst(
    api: &Api,
    device: Device,
    total: usize,
    concurrency: usize,
) -> (usize, Vec<String>) {
    // Workers take sign-in numbers from one counter, so exactly `total` run whatever the
    // concurrency, and each worker reports what it saw.
    let next = Arc::new(AtomicUsize::new(0));
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
    (succeeded, failures)
}

#[test]
fn concurrent_device_sign_ins() {
    let total = env_count("LOAD_SIGNINS", DEFAULT_SIGNINS);
    let concurrency = env_count("LOAD_CONCURRENCY", DEFAULT_CONCURRENCY);
    let server_cpu = Arc::new(ThreadsCpu::default());
    let server = server_runtime(&server_cpu);
    let emulator = server
        .block_on(
            cognito_srp6a_emulator::Emulator::builder()
                .pool_id(POOL_ID)
                .client_id(CLIENT_ID)
                .user(USERNAME, PASSWORD)
                .challenge_required_on_new_device(false)
                .device_only_remembered_on_user_prompt(false)
                .start(),
        )
        .unwrap();
    let clients = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let api = Api {
        http: reqwest::Client::new(),
        url: emulator.url(),
    };
    let device = clients.block_on(register_device(&api));

    let (cpu_before, started) = (server_cpu.total(), Instant::now());
    let (succeeded, failures) = clients.block_on(burst(&api, device, total, concurrency));
    let elapsed = started.elapsed().as_secs_f64();
    let server_time = server_cpu
        .total()
        .zip(cpu_before)
        .map(|(end, start)| end - start);
    // With the server idle: the math it did per sign-in, on this machine as it is now.
    let [srp, srp_fastest, srp_slowest] = srp_math_per_sign_in();
    println!(
        "{total} device sign-ins, {concurrency} concurrent, in {elapsed:.2} s: {:.1} sign-ins/s",
        total as f64 / elapsed
    );
    println!(
        "SRP math per sign-in (two checks): {:.2} ms (median of {SRP_ROUNDS} rounds of \
         {SRP_CHECKS} checks, {:.2} to {:.2})",
        milliseconds(srp),
        milliseconds(srp_fastest),
        milliseconds(srp_slowest),
    );
    match server_time {
        Some(server_time) => {
            let per_sign_in = server_time / u32::try_from(total).unwrap();
            println!(
                "server CPU {:.2} s: {:.2} ms per sign-in, {:.1} sign-ins/s per server core, \
                 {:.2}x the SRP math",
                server_time.as_secs_f64(),
                milliseconds(per_sign_in),
                1.0 / per_sign_in.as_secs_f64(),
                per_sign_in.as_secs_f64() / srp.as_secs_f64(),
            );
        }
        None => println!("server CPU: not measured (no /proc/self/task/<tid>/schedstat)"),
    }
    assert!(
        failures.is_empty(),
        "{} of {total} sign-ins failed; first: {:#?}",
        failures.len(),
        &failures[..failures.len().min(SHOWN_FAILURES)]
    );
    assert_eq!(succeeded, total, "every sign-in must be counted once");

    // The server still works after the burst: one more whole sign-in, and a wrong device
    // password is still refused (a server that stopped checking would pass the first alone).
    clients.block_on(async {
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
    });
    server.block_on(emulator.shutdown());
}

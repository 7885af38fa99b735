//! Offline "remember this device", one process playing both an app and a user pool.
//!
//! The pool's `DeviceConfiguration` comes from flags:
//!
//! ```text
//! cargo run --release --example device_flow -- \
//!     [--challenge-required-on-new-device] [--device-only-remembered-on-user-prompt] \
//!     [--user-declines]
//! ```
//!
//! 1. First sign-in: `InitiateAuth` `USER_SRP_AUTH`, the `PASSWORD_VERIFIER` challenge (and a
//!    TOTP challenge when new devices need one), tokens with `NewDeviceMetadata`.
//! 2. `ConfirmDevice` with the generated verifier; `UserConfirmationNecessary` as the pool says;
//!    `UpdateDeviceStatus` when asked (the user accepts unless `--user-declines`).
//! 3. Second sign-in: `DEVICE_SRP_AUTH` and `DEVICE_PASSWORD_VERIFIER`; a remembered device
//!    stands in for the second factor.
//! 4. The device is forgotten on the pool's side; the next sign-in with it gets
//!    `ResourceNotFoundException` "Device does not exist.", and the app signs in without it.
//!
//! Every request and response is printed as the JSON the Cognito API carries, with tokens,
//! passwords and sessions redacted. The pool checks every proof with this crate's service side.

// Example code may index and unwrap: a panic here is a failed demonstration, not bad input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use cognito_srp6a::{
    DevicePasswordVerifierChallenge, DeviceRegistration, IssuedChallenge,
    PasswordVerifierChallenge, RememberedDevice, Timestamp, User, VerifierRecord,
};
use rand::RngExt;
use serde_json::{Map, Value, json};
use std::{collections::HashMap, process::ExitCode, time::Instant};

const POOL_ID: &str = "us-east-1_ExAmPlE12";
const CLIENT_ID: &str = "3n4b5urk1ft4fl3mg5e62d9ado";
const USERNAME: &str = "alice@example.com";
const USER_ID_FOR_SRP: &str = "7f3a9c2e-1b4d-4e6f-8a0b-9c8d7e6f5a4b";
const PASSWORD: &str = "correct horse battery staple";
const TOTP_CODE: &str = "123456";
/// How far the pool lets a client's TIMESTAMP be from its own clock.
const CLOCK_SKEW_SECS: u32 = 300;

type Params = HashMap<String, String>;

/// The pool's `DeviceConfiguration`.
#[derive(Clone, Copy, Debug)]
struct DeviceConfiguration {
    challenge_required_on_new_device: bool,
    device_only_remembered_on_user_prompt: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum DeviceStatus {
    /// Confirmed, waiting for the user's answer.
    Unconfirmed,
    Remembered,
    NotRemembered,
}

struct Device {
    record: VerifierRecord,
    status: DeviceStatus,
}

/// What the pool remembers between a challenge and its answer.
enum Session {
    PasswordVerifier {
        issued: IssuedChallenge,
        device_key: Option<String>,
    },
    SoftwareTokenMfa {
        device_key: Option<String>,
    },
    DeviceSrpAuth {
        device_key: String,
    },
    DevicePasswordVerifier {
        issued: IssuedChallenge,
    },
}

/// A user pool with one user, answering like the service (the parts this flow needs).
struct Pool {
    config: DeviceConfiguration,
    user: VerifierRecord,
    devices: HashMap<String, Device>,
    sessions: HashMap<String, Session>,
    counter: u32,
    rng: rand::rngs::ThreadRng,
}

/// A service error, as the API returns it.
#[derive(Debug)]
struct ServiceError {
    kind: &'static str,
    message: &'static str,
}

fn not_authorized() -> ServiceError {
    ServiceError {
        kind: "NotAuthorizedException",
        message: "Incorrect username or password.",
    }
}

impl Pool {
    fn new(config: DeviceConfiguration) -> Self {
        let mut rng = rand::rng();
        // Sign-up: the service stores the salt and verifier of the password.
        let salt: [u8; 16] = rng.random();
        let salt_hex: String = salt.iter().map(|b| format!("{b:02x}")).collect();
        let user = VerifierRecord::for_user_password(POOL_ID, USER_ID_FOR_SRP, PASSWORD, &salt_hex)
            .unwrap();
        Self {
            config,
            user,
            devices: HashMap::new(),
            sessions: HashMap::new(),
            counter: 0,
            rng,
        }
    }

    fn new_session(&mut self, session: Session) -> String {
        self.counter += 1;
        let id = format!("session-{}", self.counter);
        self.sessions.insert(id.clone(), session);
        id
    }

    fn now() -> Timestamp {
        Timestamp::now().unwrap()
    }

    fn initiate_auth(&mut self, auth: &Params) -> Result<Value, ServiceError> {
        if auth.get("USERNAME").map(String::as_str) != Some(USERNAME) {
            return Err(not_authorized());
        }
        let srp_a = auth.get("SRP_A").ok_or(not_authorized())?;
        let issued = self
            .user
            .issue_challenge(srp_a, USER_ID_FOR_SRP, &mut self.rng)
            .map_err(|_| not_authorized())?;
        let parameters = to_json(issued.parameters().iter());
        let device_key = auth.get("DEVICE_KEY").cloned();
        let session = self.new_session(Session::PasswordVerifier { issued, device_key });
        Ok(
            json!({ "ChallengeName": "PASSWORD_VERIFIER", "ChallengeParameters": parameters, "Session": session }),
        )
    }

    fn respond_to_auth_challenge(
        &mut self,
        name: &str,
        session: &str,
        responses: &Params,
    ) -> Result<Value, ServiceError> {
        // A session is used once: a replayed answer finds nothing.
        let state = self.sessions.remove(session).ok_or(ServiceError {
            kind: "NotAuthorizedException",
            message: "Invalid session for the user.",
        })?;
        match (name, state) {
            ("PASSWORD_VERIFIER", Session::PasswordVerifier { issued, device_key }) => {
                issued
                    .verify(responses, Self::now(), CLOCK_SKEW_SECS)
                    .map_err(|_| not_authorized())?;
                match device_key {
                    Some(key) => {
                        if !self.devices.contains_key(&key) {
                            return Err(ServiceError {
                                kind: "ResourceNotFoundException",
                                message: "Device does not exist.",
                            });
                        }
                        let session = self.new_session(Session::DeviceSrpAuth { device_key: key });
                        Ok(
                            json!({ "ChallengeName": "DEVICE_SRP_AUTH", "ChallengeParameters": { "USERNAME": USER_ID_FOR_SRP }, "Session": session }),
                        )
                    }
                    None if self.config.challenge_required_on_new_device => {
                        let session =
                            self.new_session(Session::SoftwareTokenMfa { device_key: None });
                        Ok(
                            json!({ "ChallengeName": "SOFTWARE_TOKEN_MFA", "ChallengeParameters": {}, "Session": session }),
                        )
                    }
                    None => Ok(self.tokens(true)),
                }
            }
            ("SOFTWARE_TOKEN_MFA", Session::SoftwareTokenMfa { device_key }) => {
                if responses.get("SOFTWARE_TOKEN_MFA_CODE").map(String::as_str) != Some(TOTP_CODE) {
                    return Err(ServiceError {
                        kind: "CodeMismatchException",
                        message: "Invalid code received for user",
                    });
                }
                Ok(self.tokens(device_key.is_none()))
            }
            ("DEVICE_SRP_AUTH", Session::DeviceSrpAuth { device_key }) => {
                if responses.get("DEVICE_KEY") != Some(&device_key) {
                    return Err(not_authorized());
                }
                let device = self.devices.get(&device_key).ok_or(ServiceError {
                    kind: "ResourceNotFoundException",
                    message: "Device does not exist.",
                })?;
                let srp_a = responses.get("SRP_A").ok_or(not_authorized())?;
                let issued = device
                    .record
                    .issue_challenge(srp_a, USER_ID_FOR_SRP, &mut self.rng)
                    .map_err(|_| not_authorized())?;
                let parameters = to_json(issued.parameters().iter());
                let session = self.new_session(Session::DevicePasswordVerifier { issued });
                Ok(
                    json!({ "ChallengeName": "DEVICE_PASSWORD_VERIFIER", "ChallengeParameters": parameters, "Session": session }),
                )
            }
            ("DEVICE_PASSWORD_VERIFIER", Session::DevicePasswordVerifier { issued }) => {
                let device_key = responses.get("DEVICE_KEY").cloned().unwrap_or_default();
                issued
                    .verify(responses, Self::now(), CLOCK_SKEW_SECS)
                    .map_err(|_| not_authorized())?;
                let status = self.devices.get(&device_key).map(|d| d.status);
                // A remembered device stands in for the second factor; any other still needs it.
                if self.config.challenge_required_on_new_device
                    && status != Some(DeviceStatus::Remembered)
                {
                    let session = self.new_session(Session::SoftwareTokenMfa {
                        device_key: Some(device_key),
                    });
                    return Ok(
                        json!({ "ChallengeName": "SOFTWARE_TOKEN_MFA", "ChallengeParameters": {}, "Session": session }),
                    );
                }
                Ok(self.tokens(false))
            }
            _ => Err(not_authorized()),
        }
    }

    fn tokens(&mut self, new_device: bool) -> Value {
        let mut result = json!({
            "AccessToken": "<redacted>", "IdToken": "<redacted>", "RefreshToken": "<redacted>",
            "ExpiresIn": 3600, "TokenType": "Bearer",
        });
        if new_device {
            let id: [u8; 16] = self.rng.random();
            let hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
            result["NewDeviceMetadata"] = json!({
                "DeviceKey": format!("us-east-1_{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]),
                "DeviceGroupKey": format!("-{}", &hex[..9]),
            });
        }
        json!({ "AuthenticationResult": result })
    }

    fn confirm_device(
        &mut self,
        device_group_key: &str,
        request: &Value,
    ) -> Result<Value, ServiceError> {
        let device_key = request["DeviceKey"].as_str().unwrap_or_default();
        let config = &request["DeviceSecretVerifierConfig"];
        let record = VerifierRecord::from_confirm_device(
            device_group_key,
            device_key,
            config["PasswordVerifier"].as_str().unwrap_or_default(),
            config["Salt"].as_str().unwrap_or_default(),
        )
        .map_err(|_| ServiceError {
            kind: "InvalidParameterException",
            message: "Invalid DeviceSecretVerifierConfig.",
        })?;
        let prompt = self.config.device_only_remembered_on_user_prompt;
        let status = if prompt {
            DeviceStatus::Unconfirmed
        } else {
            DeviceStatus::Remembered
        };
        self.devices
            .insert(device_key.to_string(), Device { record, status });
        Ok(json!({ "UserConfirmationNecessary": prompt }))
    }

    fn update_device_status(&mut self, request: &Value) -> Result<Value, ServiceError> {
        let device_key = request["DeviceKey"].as_str().unwrap_or_default();
        let device = self.devices.get_mut(device_key).ok_or(ServiceError {
            kind: "ResourceNotFoundException",
            message: "Device does not exist.",
        })?;
        device.status = match request["DeviceRememberedStatus"].as_str() {
            Some("remembered") => DeviceStatus::Remembered,
            _ => DeviceStatus::NotRemembered,
        };
        Ok(json!({}))
    }

    fn forget_device(&mut self, device_key: &str) {
        self.devices.remove(device_key);
    }
}

/// What the app keeps of a remembered device.
struct StoredDevice {
    device_group_key: String,
    device_key: String,
    device_password: String,
}

/// The app: signs in, answers every challenge with this crate, registers its device.
struct App<'p> {
    pool: &'p mut Pool,
    device: Option<StoredDevice>,
}

impl App<'_> {
    /// One whole sign-in; returns the AuthenticationResult.
    fn sign_in(&mut self) -> Result<Value, ServiceError> {
        let mut rng = rand::rng();
        let user = User::new(POOL_ID, USERNAME, PASSWORD).unwrap();
        let sign_in = user.start_sign_in(&mut rng).unwrap();
        let mut auth = sign_in.user_srp_auth();
        if let Some(device) = &self.device {
            auth = auth.with_device_key(&device.device_key);
        }
        let auth = auth.parameters().to_map();
        let mut reply = call(
            "InitiateAuth",
            json!({ "AuthFlow": "USER_SRP_AUTH", "ClientId": CLIENT_ID, "AuthParameters": auth }),
            |_| self.pool.initiate_auth(&auth),
        )?;
        let mut user_sign_in = Some(sign_in);
        let mut device_sign_in = None;
        loop {
            let Some(name) = reply["ChallengeName"].as_str().map(str::to_string) else {
                return Ok(reply["AuthenticationResult"].clone());
            };
            let session = reply["Session"].as_str().unwrap_or_default().to_string();
            let params: Params =
                serde_json::from_value(reply["ChallengeParameters"].clone()).unwrap();
            let responses: Params = match name.as_str() {
                "PASSWORD_VERIFIER" => {
                    let challenge = PasswordVerifierChallenge::from_parameters(&params).unwrap();
                    let response = user_sign_in
                        .take()
                        .unwrap()
                        .respond(&challenge, Timestamp::now().unwrap())
                        .unwrap();
                    let response = match &self.device {
                        Some(d) => response.with_device_key(&d.device_key),
                        None => response,
                    };
                    response.parameters().to_map()
                }
                "SOFTWARE_TOKEN_MFA" => Params::from([
                    ("USERNAME".into(), USER_ID_FOR_SRP.into()),
                    ("SOFTWARE_TOKEN_MFA_CODE".into(), TOTP_CODE.into()),
                ]),
                "DEVICE_SRP_AUTH" => {
                    let d = self.device.as_ref().unwrap();
                    let remembered = RememberedDevice {
                        device_group_key: &d.device_group_key,
                        device_key: &d.device_key,
                        device_password: d.device_password.as_bytes(),
                    };
                    let pending = remembered.start_sign_in(&mut rng).unwrap();
                    let map = pending
                        .device_srp_auth(&params["USERNAME"])
                        .parameters()
                        .to_map();
                    // Owned copies: the pending state borrows the stored device.
                    device_sign_in = Some((pending, d.device_key.clone()));
                    map
                }
                "DEVICE_PASSWORD_VERIFIER" => {
                    let challenge =
                        DevicePasswordVerifierChallenge::from_parameters(&params).unwrap();
                    let (pending, _) = device_sign_in.take().unwrap();
                    pending
                        .respond(&challenge, Timestamp::now().unwrap())
                        .unwrap()
                        .parameters()
                        .to_map()
                }
                other => panic!("unexpected challenge {other}"),
            };
            let request = json!({ "ChallengeName": name, "ClientId": CLIENT_ID, "Session": session, "ChallengeResponses": redact(&responses) });
            reply = call(&format!("RespondToAuthChallenge {name}"), request, |_| {
                self.pool
                    .respond_to_auth_challenge(&name, &session, &responses)
            })?;
        }
    }
}

/// Prints a request and the pool's reply, as JSON.
fn call(
    operation: &str,
    request: Value,
    handler: impl FnOnce(&Value) -> Result<Value, ServiceError>,
) -> Result<Value, ServiceError> {
    println!("--> {operation}\n{}", pretty(&request));
    let reply = handler(&request);
    match &reply {
        // Tokens are written as "<redacted>" by the pool itself.
        Ok(v) => println!("<-- {operation} 200\n{}", pretty(v)),
        Err(e) => println!(
            "<-- {operation} 400\n{}",
            pretty(&json!({ "__type": e.kind, "message": e.message }))
        ),
    }
    reply
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap()
}

fn to_json<'a>(params: impl Iterator<Item = (&'static str, &'a str)>) -> Value {
    Value::Object(
        params
            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
            .collect::<Map<_, _>>(),
    )
}

/// Challenge responses as printed: the one-time code hidden. (The SRP values are public.)
fn redact(params: &Params) -> Value {
    let mut sorted: Vec<_> = params.iter().collect();
    sorted.sort();
    let hide = |k: &str, v: &str| {
        if k == "SOFTWARE_TOKEN_MFA_CODE" {
            "<redacted>".to_string()
        } else {
            v.to_string()
        }
    };
    Value::Object(
        sorted
            .into_iter()
            .map(|(k, v)| (k.clone(), Value::String(hide(k, v))))
            .collect(),
    )
}

fn run(config: DeviceConfiguration, user_accepts: bool) -> Result<(), String> {
    let mut pool = Pool::new(config);
    let mut app = App {
        pool: &mut pool,
        device: None,
    };
    println!("=== pool DeviceConfiguration: {config:?}");

    println!("\n=== 1. first sign-in (new device)");
    let result = app.sign_in().map_err(|e| format!("first sign-in: {e:?}"))?;
    let meta = result["NewDeviceMetadata"].clone();
    let device_key = meta["DeviceKey"]
        .as_str()
        .ok_or("no NewDeviceMetadata")?
        .to_string();
    let device_group_key = meta["DeviceGroupKey"].as_str().unwrap().to_string();

    println!("\n=== 2. ConfirmDevice");
    let mut rng = rand::rng();
    let registration = DeviceRegistration::generate(&device_group_key, &device_key, &mut rng);
    let config_wire = &registration.device_secret_verifier_config;
    let request = json!({
        "AccessToken": "<redacted>", "DeviceKey": device_key, "DeviceName": "cognito-srp6a example",
        "DeviceSecretVerifierConfig": { "PasswordVerifier": config_wire.password_verifier(), "Salt": config_wire.salt() },
    });
    let reply = call("ConfirmDevice", request, |r| {
        app.pool.confirm_device(&device_group_key, r)
    })
    .map_err(|e| format!("{e:?}"))?;
    app.device = Some(StoredDevice {
        device_group_key: device_group_key.clone(),
        device_key: device_key.clone(),
        device_password: registration.device_password.as_str().to_string(),
    });
    if reply["UserConfirmationNecessary"].as_bool() == Some(true) {
        let status = if user_accepts {
            "remembered"
        } else {
            "not_remembered"
        };
        println!("app: the user is asked to remember this device and answers {status}");
        let request = json!({ "AccessToken": "<redacted>", "DeviceKey": device_key, "DeviceRememberedStatus": status });
        call("UpdateDeviceStatus", request, |r| {
            app.pool.update_device_status(r)
        })
        .map_err(|e| format!("{e:?}"))?;
    }

    println!("\n=== 3. second sign-in, with the device");
    let result = app
        .sign_in()
        .map_err(|e| format!("second sign-in: {e:?}"))?;
    if result.get("NewDeviceMetadata").is_some() {
        return Err("the device was not recognized".into());
    }

    println!(
        "\n=== 4. the device is forgotten by the pool; the app finds out and signs in without it"
    );
    app.pool.forget_device(&device_key);
    match app.sign_in() {
        Err(e) if e.message == "Device does not exist." => {
            println!("app: dropping the stored device");
            app.device = None;
        }
        other => return Err(format!("expected 'Device does not exist.', got {other:?}")),
    }
    let result = app
        .sign_in()
        .map_err(|e| format!("sign-in without the device: {e:?}"))?;
    if result.get("NewDeviceMetadata").is_none() {
        return Err("a new sign-in without a device should get NewDeviceMetadata".into());
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let known = [
        "--challenge-required-on-new-device",
        "--device-only-remembered-on-user-prompt",
        "--user-declines",
    ];
    if let Some(bad) = args.iter().find(|a| !known.contains(&a.as_str())) {
        eprintln!("unknown flag {bad}; flags: {}", known.join(" "));
        return ExitCode::FAILURE;
    }
    let has = |f: &str| args.iter().any(|a| a == f);
    let config = DeviceConfiguration {
        challenge_required_on_new_device: has(known[0]),
        device_only_remembered_on_user_prompt: has(known[1]),
    };
    let started = Instant::now();
    match run(config, !has(known[2])) {
        Ok(()) => {
            println!(
                "\nOK: device registered, signed in with DEVICE_SRP_AUTH/DEVICE_PASSWORD_VERIFIER, forgotten device handled ({:.1} ms)",
                started.elapsed().as_secs_f64() * 1e3
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("\nFAILED: {e}");
            ExitCode::FAILURE
        }
    }
}

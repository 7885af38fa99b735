//! "Remember this device" through the official AWS SDK for Rust
//! (`aws-sdk-cognitoidentityprovider`), with every SRP value computed by `cognito-srp6a`.
//!
//! ```text
//! cargo run -p cognito-srp6a-emulator --example sdk_device_login
//! COGNITO_PASSWORD=... cargo run -p cognito-srp6a-emulator --example sdk_device_login -- \
//!     --endpoint URL --pool-id us-east-1_AbC123 --client-id ID --username alice \
//!     [--client-secret-env VAR]
//! ```
//!
//! Without flags it starts the emulator in this process on a free loopback port (with an app
//! client secret and `DeviceOnlyRememberedOnUserPrompt`, so `SECRET_HASH` and
//! `UpdateDeviceStatus` are exercised too). With flags it talks to that endpoint instead; the
//! password comes from `COGNITO_PASSWORD` and the client secret, if any, from the variable
//! `--client-secret-env` names, never from the command line, where `ps` would show them.
//!
//! The flow, each step printed as one line (never a token or a password):
//!
//! 1. `USER_SRP_AUTH`, `PASSWORD_VERIFIER`: tokens and `NewDeviceMetadata`.
//! 2. `ConfirmDevice` with a `DeviceSecretVerifierConfig` from `DeviceRegistration`, and
//!    `UpdateDeviceStatus` `remembered` when the pool wants the user's say.
//! 3. A sign-in with the device: `PASSWORD_VERIFIER` (with `DEVICE_KEY`), `DEVICE_SRP_AUTH`,
//!    `DEVICE_PASSWORD_VERIFIER`; the access token carries `device_key` and no new device is
//!    issued.
//! 4. The same with a wrong device password: `NotAuthorizedException`.
//! 5. `ForgetDevice`; signing in with the device is then `ResourceNotFoundException`
//!    "Device does not exist.", and signing in without it works.
//!
//! It exits 0 only if every step held.

// Example code may index and unwrap: a panic here is a failed demonstration, not bad input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use aws_sdk_cognitoidentityprovider::{
    Client, Config,
    config::{BehaviorVersion, Region},
    error::{DisplayErrorContext, ProvideErrorMetadata},
    operation::{
        initiate_auth::InitiateAuthOutput,
        respond_to_auth_challenge::{RespondToAuthChallengeError, RespondToAuthChallengeOutput},
    },
    types::{
        AuthFlowType, AuthenticationResultType, ChallengeNameType, DeviceRememberedStatusType,
        DeviceSecretVerifierConfigType,
    },
};
use base64::Engine as _;
use cognito_srp6a::{
    AppClient, DevicePasswordVerifierChallenge, DeviceRegistration, DeviceSignIn,
    PasswordVerifierChallenge, RememberedDevice, Timestamp, User, UserSignIn,
};
use std::{collections::HashMap, process::ExitCode};

/// Any failure: a message for the last line of output.
type Failure = Box<dyn std::error::Error + Send + Sync>;

/// A `RespondToAuthChallenge` the service refused, kept as the SDK's typed error (so a step
/// that expects a refusal can match on it) and named by the challenge it answered.
#[derive(Debug)]
struct Refused {
    challenge: ChallengeNameType,
    error: RespondToAuthChallengeError,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "RespondToAuthChallenge {}: {}",
            self.challenge,
            describe(&self.error)
        )
    }
}

/// A service error as `Code: message`; anything else (no connection, a body the SDK cannot
/// read) with its whole chain of causes.
fn describe<E: ProvideErrorMetadata + std::error::Error>(error: &E) -> String {
    match error.code() {
        Some(code) => format!("{code}: {}", error.message().unwrap_or("(no message)")),
        None => DisplayErrorContext(error).to_string(),
    }
}

impl std::error::Error for Refused {}

// What the in-process emulator is started with.
const LOCAL_POOL_ID: &str = "us-east-1_Example";
const LOCAL_CLIENT_ID: &str = "3n4b5urk1ft4fl3mg5e62d9ado";
const LOCAL_CLIENT_SECRET: &str = "example-client-secret";
const LOCAL_USERNAME: &str = "alice";
const LOCAL_PASSWORD: &str = "correct horse battery staple";

/// The app's view of one user pool and one app client.
struct App {
    client: Client,
    pool_id: String,
    client_id: String,
    client_secret: Option<String>,
    username: String,
    password: String,
}

/// What the app keeps after `ConfirmDevice`.
struct StoredDevice {
    device_group_key: String,
    device_key: String,
    device_password: String,
}

impl StoredDevice {
    fn remembered(&self) -> RememberedDevice<'_> {
        RememberedDevice {
            device_group_key: &self.device_group_key,
            device_key: &self.device_key,
            device_password: self.device_password.as_bytes(),
        }
    }
}

/// Where to connect, from the command line, or `None` for the in-process emulator.
struct Remote {
    endpoint: String,
    pool_id: String,
    client_id: String,
    username: String,
    client_secret_env: Option<String>,
}

fn parse_args() -> Result<Option<Remote>, Failure> {
    let mut flags: HashMap<String, String> = HashMap::new();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let known = [
            "--endpoint",
            "--pool-id",
            "--client-id",
            "--username",
            "--client-secret-env",
        ];
        if !known.contains(&flag.as_str()) {
            return Err(format!("unknown argument {flag:?}; flags: {}", known.join(" ")).into());
        }
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        if flags.insert(flag.clone(), value).is_some() {
            return Err(format!("{flag} given twice").into());
        }
    }
    if flags.is_empty() {
        return Ok(None);
    }
    let mut take = |flag: &str| {
        flags
            .remove(flag)
            .ok_or_else(|| format!("{flag} is required with a remote endpoint"))
    };
    Ok(Some(Remote {
        endpoint: take("--endpoint")?,
        pool_id: take("--pool-id")?,
        client_id: take("--client-id")?,
        username: take("--username")?,
        client_secret_env: flags.remove("--client-secret-env"),
    }))
}

/// An SDK client for `endpoint`. No credentials: the calls used here are the ones the Cognito
/// model marks as not needing SigV4 (the access token authorizes the device calls), so the SDK
/// sends them unsigned, as a browser or phone app would.
fn sdk_client(endpoint: &str, pool_id: &str) -> Result<Client, Failure> {
    // A pool id is `<region>_<name>`; the SDK needs the region even with an explicit endpoint.
    let region = pool_id
        .split_once('_')
        .map(|(region, _)| region.to_owned())
        .filter(|region| !region.is_empty())
        .ok_or(format!("pool id {pool_id:?} is not <region>_<name>"))?;
    let config = Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .endpoint_url(endpoint)
        .build();
    Ok(Client::from_conf(config))
}

impl App {
    fn app_client(&self) -> Option<AppClient<'_>> {
        self.client_secret
            .as_deref()
            .map(|secret| AppClient::new(&self.client_id, secret))
    }

    /// `InitiateAuth` `USER_SRP_AUTH`; the answer must be a `PASSWORD_VERIFIER` challenge.
    async fn initiate(
        &self,
        device_key: Option<&str>,
    ) -> Result<(UserSignIn<'_>, InitiateAuthOutput), Failure> {
        let user = User::new(&self.pool_id, &self.username, &self.password)?;
        let sign_in = user.start_sign_in(&mut rand::rng())?;
        let mut auth = sign_in.user_srp_auth();
        if let Some(device_key) = device_key {
            auth = auth.with_device_key(device_key);
        }
        if let Some(app_client) = self.app_client() {
            auth = auth.with_secret_hash(&app_client);
        }
        let output = self
            .client
            .initiate_auth()
            .auth_flow(AuthFlowType::UserSrpAuth)
            .client_id(&self.client_id)
            .set_auth_parameters(Some(auth.parameters().to_map()))
            .send()
            .await
            .map_err(|e| format!("InitiateAuth: {}", describe(&e)))?;
        expect_challenge(
            output.challenge_name(),
            &ChallengeNameType::PasswordVerifier,
        )?;
        Ok((sign_in, output))
    }

    /// Answers `PASSWORD_VERIFIER`. A service error comes back as the typed
    /// `RespondToAuthChallengeError`, so callers can match on it.
    async fn password_verifier(
        &self,
        sign_in: UserSignIn<'_>,
        initiated: &InitiateAuthOutput,
        device_key: Option<&str>,
    ) -> Result<RespondToAuthChallengeOutput, Failure> {
        let parameters = initiated
            .challenge_parameters()
            .ok_or("PASSWORD_VERIFIER came without ChallengeParameters")?;
        let challenge = PasswordVerifierChallenge::from_parameters(parameters)?;
        let mut response = sign_in.respond(&challenge, Timestamp::now()?)?;
        if let Some(device_key) = device_key {
            response = response.with_device_key(device_key);
        }
        if let Some(app_client) = self.app_client() {
            response = response.with_secret_hash(&app_client);
        }
        self.respond(
            ChallengeNameType::PasswordVerifier,
            initiated.session(),
            response.parameters().to_map(),
        )
        .await
    }

    /// Answers `DEVICE_SRP_AUTH` with a fresh ephemeral for the device; the answer must be a
    /// `DEVICE_PASSWORD_VERIFIER` challenge.
    async fn device_srp_auth<'d>(
        &self,
        device: RememberedDevice<'d>,
        previous: &RespondToAuthChallengeOutput,
        user_id_for_srp: &str,
    ) -> Result<(DeviceSignIn<'d>, RespondToAuthChallengeOutput), Failure> {
        expect_challenge(previous.challenge_name(), &ChallengeNameType::DeviceSrpAuth)?;
        // The JS client answers with the internal user name it learned from PASSWORD_VERIFIER;
        // take the challenge's own USERNAME when the service sends one.
        let username = previous
            .challenge_parameters()
            .and_then(|p| p.get("USERNAME"))
            .map_or(user_id_for_srp, String::as_str);
        // A new ephemeral, not the USER_SRP_AUTH one: reusing `a` across exchanges breaks SRP.
        let sign_in = device.start_sign_in(&mut rand::rng())?;
        let mut auth = sign_in.device_srp_auth(username);
        if let Some(app_client) = self.app_client() {
            auth = auth.with_secret_hash(&app_client);
        }
        let output = self
            .respond(
                ChallengeNameType::DeviceSrpAuth,
                previous.session(),
                auth.parameters().to_map(),
            )
            .await?;
        expect_challenge(
            output.challenge_name(),
            &ChallengeNameType::DevicePasswordVerifier,
        )?;
        Ok((sign_in, output))
    }

    /// Answers `DEVICE_PASSWORD_VERIFIER`.
    async fn device_password_verifier(
        &self,
        sign_in: DeviceSignIn<'_>,
        previous: &RespondToAuthChallengeOutput,
    ) -> Result<RespondToAuthChallengeOutput, Failure> {
        let parameters = previous
            .challenge_parameters()
            .ok_or("DEVICE_PASSWORD_VERIFIER came without ChallengeParameters")?;
        let challenge = DevicePasswordVerifierChallenge::from_parameters(parameters)?;
        let mut response = sign_in.respond(&challenge, Timestamp::now()?)?;
        if let Some(app_client) = self.app_client() {
            response = response.with_secret_hash(&app_client);
        }
        self.respond(
            ChallengeNameType::DevicePasswordVerifier,
            previous.session(),
            response.parameters().to_map(),
        )
        .await
    }

    /// One `RespondToAuthChallenge`, carrying the previous step's `Session` forward: the
    /// service ties each answer to the challenge it issued.
    async fn respond(
        &self,
        name: ChallengeNameType,
        session: Option<&str>,
        responses: HashMap<String, String>,
    ) -> Result<RespondToAuthChallengeOutput, Failure> {
        let session = session.ok_or(format!("no Session to answer {name} with"))?;
        let output = self
            .client
            .respond_to_auth_challenge()
            .client_id(&self.client_id)
            .challenge_name(name.clone())
            .session(session)
            .set_challenge_responses(Some(responses))
            .send()
            .await
            .map_err(|e| Refused {
                challenge: name,
                error: e.into_service_error(),
            })?;
        Ok(output)
    }

    /// A whole sign-in with the remembered device.
    async fn sign_in_with_device(
        &self,
        device: RememberedDevice<'_>,
    ) -> Result<RespondToAuthChallengeOutput, Failure> {
        let (user_sign_in, initiated) = self.initiate(Some(device.device_key)).await?;
        let user_id_for_srp = user_id_for_srp(&initiated)?;
        let verified = self
            .password_verifier(user_sign_in, &initiated, Some(device.device_key))
            .await?;
        let (device_sign_in, challenge) = self
            .device_srp_auth(device, &verified, &user_id_for_srp)
            .await?;
        self.device_password_verifier(device_sign_in, &challenge)
            .await
    }
}

fn user_id_for_srp(initiated: &InitiateAuthOutput) -> Result<String, Failure> {
    Ok(initiated
        .challenge_parameters()
        .and_then(|p| p.get("USER_ID_FOR_SRP"))
        .ok_or("PASSWORD_VERIFIER came without USER_ID_FOR_SRP")?
        .clone())
}

fn expect_challenge(
    got: Option<&ChallengeNameType>,
    want: &ChallengeNameType,
) -> Result<(), Failure> {
    match got {
        Some(name) if name == want => Ok(()),
        Some(name) => Err(format!("expected challenge {want}, got {name}").into()),
        None => Err(format!("expected challenge {want}, got none").into()),
    }
}

/// The tokens of a finished sign-in; it must not be another challenge.
fn tokens(output: &RespondToAuthChallengeOutput) -> Result<&AuthenticationResultType, Failure> {
    if let Some(name) = output.challenge_name() {
        return Err(format!("expected tokens, got challenge {name}").into());
    }
    let result = output
        .authentication_result()
        .ok_or("no AuthenticationResult")?;
    for (name, present) in [
        ("AccessToken", result.access_token().is_some()),
        ("IdToken", result.id_token().is_some()),
        ("RefreshToken", result.refresh_token().is_some()),
    ] {
        if !present {
            return Err(format!("AuthenticationResult has no {name}").into());
        }
    }
    Ok(result)
}

/// The claims of a JWT, unverified: the app only reads its own token here.
fn jwt_claims(token: &str) -> Result<serde_json::Value, Failure> {
    let payload = token.split('.').nth(1).ok_or("access token is not a JWT")?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload)?;
    Ok(serde_json::from_slice(&bytes)?)
}

/// The service error of a failed step, or a failure saying what came instead.
fn expect_error(
    step: &str,
    result: Result<RespondToAuthChallengeOutput, Failure>,
    want_type: &str,
    want_message: &str,
) -> Result<(), Failure> {
    let error = match result {
        Ok(_) => return Err(format!("{step}: expected {want_type}, but it succeeded").into()),
        Err(error) => error,
    };
    let refused = error.downcast_ref::<Refused>().map(|r| &r.error);
    let (got_type, got_message) = match refused {
        Some(RespondToAuthChallengeError::NotAuthorizedException(e)) => {
            ("NotAuthorizedException", e.message())
        }
        Some(RespondToAuthChallengeError::ResourceNotFoundException(e)) => {
            ("ResourceNotFoundException", e.message())
        }
        _ => {
            return Err(format!("{step}: expected {want_type}, got: {error}").into());
        }
    };
    if got_type != want_type || got_message != Some(want_message) {
        return Err(format!(
            "{step}: expected {want_type} {want_message:?}, got {got_type} {got_message:?}"
        )
        .into());
    }
    Ok(())
}

async fn run(app: &App, expect_user_prompt: Option<bool>) -> Result<(), Failure> {
    // (a) A first sign-in on this device: the pool hands out NewDeviceMetadata.
    let (sign_in, initiated) = app.initiate(None).await?;
    println!("InitiateAuth USER_SRP_AUTH: PASSWORD_VERIFIER challenge");
    let output = app.password_verifier(sign_in, &initiated, None).await?;
    let result = tokens(&output)?;
    let metadata = result
        .new_device_metadata()
        .ok_or("first sign-in returned no NewDeviceMetadata")?;
    let device_key = metadata.device_key().ok_or("no DeviceKey")?.to_owned();
    let device_group_key = metadata
        .device_group_key()
        .ok_or("no DeviceGroupKey")?
        .to_owned();
    let access_token = result.access_token().unwrap_or_default().to_owned();
    println!("PASSWORD_VERIFIER: tokens and NewDeviceMetadata for device {device_key}");

    // (b) Remember the device. Only the verifier and salt leave the app; the device password
    // stays with it.
    let registration =
        DeviceRegistration::generate(&device_group_key, &device_key, &mut rand::rng());
    let config = &registration.device_secret_verifier_config;
    let confirmed = app
        .client
        .confirm_device()
        .access_token(&access_token)
        .device_key(&device_key)
        .device_name("sdk_device_login example")
        .device_secret_verifier_config(
            DeviceSecretVerifierConfigType::builder()
                .password_verifier(config.password_verifier())
                .salt(config.salt())
                .build(),
        )
        .send()
        .await
        .map_err(|e| format!("ConfirmDevice: {}", describe(&e)))?;
    let asks_user = confirmed.user_confirmation_necessary();
    println!("ConfirmDevice: UserConfirmationNecessary = {asks_user}");
    if let Some(expected) = expect_user_prompt
        && asks_user != expected
    {
        return Err(format!(
            "ConfirmDevice: UserConfirmationNecessary should be {expected} for this pool"
        )
        .into());
    }
    if asks_user {
        // The pool remembers the device only when the user says so; here the user agrees.
        app.client
            .update_device_status()
            .access_token(&access_token)
            .device_key(&device_key)
            .device_remembered_status(DeviceRememberedStatusType::Remembered)
            .send()
            .await
            .map_err(|e| format!("UpdateDeviceStatus: {}", describe(&e)))?;
        println!("UpdateDeviceStatus: remembered");
    }
    let device = StoredDevice {
        device_group_key,
        device_key,
        device_password: registration.device_password.as_str().to_owned(),
    };

    // (c) Sign in again with the device: DEVICE_SRP_AUTH proves the device password, and the
    // session is bound to this device rather than issuing a new one.
    let output = app.sign_in_with_device(device.remembered()).await?;
    let result = tokens(&output)?;
    if result.new_device_metadata().is_some() {
        return Err("device sign-in returned NewDeviceMetadata for a known device".into());
    }
    let claims = jwt_claims(result.access_token().unwrap_or_default())?;
    if claims.get("device_key").and_then(serde_json::Value::as_str) != Some(&device.device_key) {
        return Err("device sign-in: the access token's device_key is not the device's".into());
    }
    println!("DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER: tokens, access token names the device");
    let access_token = result.access_token().unwrap_or_default().to_owned();

    // (d) The same device key with the wrong device password: the proof must be refused.
    let wrong = StoredDevice {
        device_password: DeviceRegistration::generate(
            &device.device_group_key,
            &device.device_key,
            &mut rand::rng(),
        )
        .device_password
        .as_str()
        .to_owned(),
        device_group_key: device.device_group_key.clone(),
        device_key: device.device_key.clone(),
    };
    let (user_sign_in, initiated) = app.initiate(Some(&wrong.device_key)).await?;
    let user_id = user_id_for_srp(&initiated)?;
    let verified = app
        .password_verifier(user_sign_in, &initiated, Some(&wrong.device_key))
        .await?;
    let (device_sign_in, challenge) = app
        .device_srp_auth(wrong.remembered(), &verified, &user_id)
        .await?;
    expect_error(
        "DEVICE_PASSWORD_VERIFIER with a wrong device password",
        app.device_password_verifier(device_sign_in, &challenge)
            .await,
        "NotAuthorizedException",
        "Incorrect username or password.",
    )?;
    println!("wrong device password: NotAuthorizedException");

    // (e) Forget the device; the pool must then refuse it by name, and the app falls back to a
    // plain sign-in.
    app.client
        .forget_device()
        .access_token(&access_token)
        .device_key(&device.device_key)
        .send()
        .await
        .map_err(|e| format!("ForgetDevice: {}", describe(&e)))?;
    println!("ForgetDevice: done");
    let (user_sign_in, initiated) = app.initiate(Some(&device.device_key)).await?;
    expect_error(
        "PASSWORD_VERIFIER with a forgotten device",
        app.password_verifier(user_sign_in, &initiated, Some(&device.device_key))
            .await,
        "ResourceNotFoundException",
        "Device does not exist.",
    )?;
    println!("sign-in with the forgotten device: ResourceNotFoundException");
    let (user_sign_in, initiated) = app.initiate(None).await?;
    let output = app
        .password_verifier(user_sign_in, &initiated, None)
        .await?;
    tokens(&output)?;
    println!("sign-in without the device: tokens");
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let remote = match parse_args() {
        Ok(remote) => remote,
        Err(e) => {
            eprintln!("sdk_device_login: {e}");
            return ExitCode::from(2);
        }
    };
    let (app, emulator, expect_user_prompt) = match remote {
        Some(remote) => {
            let Ok(password) = std::env::var("COGNITO_PASSWORD") else {
                eprintln!("sdk_device_login: set COGNITO_PASSWORD to the user's password");
                return ExitCode::from(2);
            };
            let client_secret = match remote.client_secret_env.map(std::env::var).transpose() {
                Ok(secret) => secret,
                Err(_) => {
                    eprintln!("sdk_device_login: --client-secret-env names an unset variable");
                    return ExitCode::from(2);
                }
            };
            let client = match sdk_client(&remote.endpoint, &remote.pool_id) {
                Ok(client) => client,
                Err(e) => {
                    eprintln!("sdk_device_login: {e}");
                    return ExitCode::from(2);
                }
            };
            let app = App {
                client,
                pool_id: remote.pool_id,
                client_id: remote.client_id,
                client_secret,
                username: remote.username,
                password,
            };
            // A remote pool's DeviceConfiguration is unknown here: follow what it says.
            (app, None, None)
        }
        None => {
            let started = cognito_srp6a_emulator::Emulator::builder()
                .pool_id(LOCAL_POOL_ID)
                .client_id(LOCAL_CLIENT_ID)
                .client_secret(LOCAL_CLIENT_SECRET)
                .user(LOCAL_USERNAME, LOCAL_PASSWORD)
                .challenge_required_on_new_device(false)
                .device_only_remembered_on_user_prompt(true)
                .start()
                .await;
            let emulator = match started {
                Ok(emulator) => emulator,
                Err(e) => {
                    eprintln!("sdk_device_login: the emulator did not start: {e}");
                    return ExitCode::FAILURE;
                }
            };
            println!("emulator listening on {}", emulator.url());
            let app = App {
                client: sdk_client(&emulator.url(), LOCAL_POOL_ID).unwrap(),
                pool_id: LOCAL_POOL_ID.to_owned(),
                client_id: LOCAL_CLIENT_ID.to_owned(),
                client_secret: Some(LOCAL_CLIENT_SECRET.to_owned()),
                username: LOCAL_USERNAME.to_owned(),
                password: LOCAL_PASSWORD.to_owned(),
            };
            (app, Some(emulator), Some(true))
        }
    };
    let outcome = run(&app, expect_user_prompt).await;
    if let Some(emulator) = emulator {
        emulator.shutdown().await;
    }
    match outcome {
        Ok(()) => {
            println!("all steps held");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sdk_device_login: FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}

//! Remembers this machine as a Cognito device, then signs in through it.
//!
//! ```sh
//! printf '%s\n' "$PASSWORD" | cargo run -p cognito-srp6a-sdk --features serde \
//!     --example remember_device -- --endpoint-url http://127.0.0.1:9229 \
//!     --pool-id us-east-1_Example --client-id 3n4b5urk1ft4fl3mg5e62d9ado \
//!     --username alice --device-file alice.device.json
//! ```
//!
//! The password is read from stdin (one line, its line ending stripped), out of `ps`'s sight;
//! an app client secret from the environment variable `--client-secret-env` names. When the
//! device file does not exist, a password sign-in is done and the device the service issued is
//! remembered into it (`{"DeviceGroupKey", "DeviceKey", "DevicePassword"}`, created with mode
//! 0600, never overwritten). When it exists, the sign-in goes through the device's
//! `DEVICE_SRP_AUTH` and `DEVICE_PASSWORD_VERIFIER`; if the service says the device was
//! forgotten, that is reported on stderr and the file is left alone.
//!
//! Prints the name of each challenge answered, one per line; after a device sign-in, refreshes
//! the tokens with the device (`GetTokensFromRefreshToken`) and prints `refresh: kept`, or
//! `refresh: rotated` and the second refresh's result with the rotated token when the app
//! client rotates refresh tokens. Any failure exits with status 1
//! (2 for bad arguments) after printing `Code: message` on stderr. Tokens and passwords are
//! never printed.

use aws_sdk_cognitoidentityprovider::{
    Client, Config,
    config::{BehaviorVersion, Region},
};
use cognito_srp6a_sdk::{CognitoSrpClient, Refreshed, SignIn, SignedIn, StoredDevice};
use std::{
    fmt,
    fs::{File, OpenOptions},
    io::{self, BufRead as _, Read as _, Write as _},
    path::{Path, PathBuf},
    process::ExitCode,
};
use zeroize::Zeroizing;

const USAGE: &str = "usage: remember_device --endpoint-url URL --pool-id P --client-id C \
                     --username U --device-file F [--client-secret-env VAR] [--region R] \
                     (the password on stdin)";

/// A failure: printed as `Code: message`.
#[derive(Debug)]
struct Failure {
    code: String,
    message: String,
}

impl Failure {
    fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl From<cognito_srp6a_sdk::Error> for Failure {
    fn from(error: cognito_srp6a_sdk::Error) -> Self {
        match (error.code(), error.message()) {
            (Some(code), message) => Self::new(code, message.unwrap_or("(no message)")),
            // Not the service's refusal: a malformed answer, a bad challenge parameter, a
            // challenge this example cannot answer, or the call did not reach the service.
            _ => Self::new("SignInFailed", error.to_string()),
        }
    }
}

/// The command line.
#[derive(Debug)]
struct Args {
    endpoint_url: String,
    pool_id: String,
    client_id: String,
    username: String,
    device_file: PathBuf,
    client_secret_env: Option<String>,
    region: Option<String>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, Failure> {
    let bad = |message: String| Failure::new("InvalidArguments", message);
    let (mut endpoint_url, mut pool_id, mut client_id, mut username) = (None, None, None, None);
    let (mut device_file, mut client_secret_env, mut region) = (None, None, None);
    while let Some(flag) = args.next() {
        let slot = match flag.as_str() {
            "--endpoint-url" => &mut endpoint_url,
            "--pool-id" => &mut pool_id,
            "--client-id" => &mut client_id,
            "--username" => &mut username,
            "--device-file" => &mut device_file,
            "--client-secret-env" => &mut client_secret_env,
            "--region" => &mut region,
            "-h" | "--help" => return Err(bad(USAGE.into())),
            other => return Err(bad(format!("unknown argument {other:?}; {USAGE}"))),
        };
        let value = args
            .next()
            .ok_or_else(|| bad(format!("{flag} needs a value")))?;
        if slot.replace(value).is_some() {
            return Err(bad(format!("{flag} given twice")));
        }
    }
    let required = |value: Option<String>, flag: &str| {
        value
            .filter(|value| !value.is_empty())
            .ok_or_else(|| bad(format!("{flag} is required; {USAGE}")))
    };
    Ok(Args {
        endpoint_url: required(endpoint_url, "--endpoint-url")?,
        pool_id: required(pool_id, "--pool-id")?,
        client_id: required(client_id, "--client-id")?,
        username: required(username, "--username")?,
        device_file: PathBuf::from(required(device_file, "--device-file")?),
        client_secret_env,
        region,
    })
}

/// One line of stdin, without its `\n` or `\r\n`.
fn read_password() -> Result<Zeroizing<String>, Failure> {
    let mut line = Zeroizing::new(String::new());
    io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|error| Failure::new("InvalidPassword", format!("cannot read stdin: {error}")))?;
    if line.ends_with('\n') {
        line.pop();
        if line.ends_with('\r') {
            line.pop();
        }
    }
    if line.is_empty() {
        return Err(Failure::new(
            "InvalidPassword",
            "no password on stdin (one line expected)",
        ));
    }
    Ok(line)
}

fn client(args: &Args) -> Result<CognitoSrpClient, Failure> {
    // The SDK needs a region even with an explicit endpoint: the pool id's, unless given.
    let region = match &args.region {
        Some(region) => region.clone(),
        None => cognito_srp6a::UserPoolId::parse(&args.pool_id)
            .map(|id| id.region().to_string())
            .map_err(|_| {
                Failure::new(
                    "InvalidArguments",
                    format!("pool id {:?} is not <region>_<name>", args.pool_id),
                )
            })?,
    };
    // No credentials: the sign-in and device operations are the ones the service takes
    // unsigned, as an app on a phone calls them.
    let config = Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .endpoint_url(&args.endpoint_url)
        .build();
    let mut client = CognitoSrpClient::new(
        Client::from_conf(config),
        args.pool_id.clone(),
        args.client_id.clone(),
    )
    .map_err(|error| Failure::new("InvalidArguments", error.to_string()))?;
    if let Some(variable) = &args.client_secret_env {
        let secret = Zeroizing::new(std::env::var(variable).map_err(|_| {
            Failure::new(
                "InvalidArguments",
                format!("the environment variable {variable} is not set"),
            )
        })?);
        client = client.with_client_secret(secret.as_str());
    }
    Ok(client)
}

/// The sign-in's end; a challenge this example cannot answer is a failure.
fn finished(step: SignIn) -> Result<SignedIn, Failure> {
    let challenge = match step {
        SignIn::SignedIn(signed_in) => return Ok(signed_in),
        SignIn::SoftwareTokenMfa(_) => "SOFTWARE_TOKEN_MFA",
        SignIn::SmsMfa(_) => "SMS_MFA",
        SignIn::NewPasswordRequired(_) => "NEW_PASSWORD_REQUIRED",
        SignIn::SelectMfaType(_) => "SELECT_MFA_TYPE",
        _ => "an unknown challenge",
    };
    Err(Failure::new(
        "UnsupportedChallenge",
        format!("the service asks for {challenge}, which this example does not answer"),
    ))
}

fn print_challenges(signed_in: &SignedIn) {
    let mut out = io::stdout().lock();
    for challenge in &signed_in.challenges {
        // A closed stdout is no reason to fail a sign-in that succeeded.
        let _ = writeln!(out, "{challenge}");
    }
}

/// No device file yet: sign in with the password and remember the device into a new file.
async fn first_run(args: &Args, client: &CognitoSrpClient, password: &str) -> Result<(), Failure> {
    // Created (empty) before anything is asked of the service, so that a file that appears
    // meanwhile is never overwritten and a device key is not spent on an unwritable path.
    let mut file = create_device_file(&args.device_file)?;
    let result = remember(args, client, password).await;
    let written = result.and_then(|(device, signed_in)| {
        let json = Zeroizing::new(serde_json::to_string_pretty(&device).map_err(|error| {
            Failure::new(
                "DeviceFileError",
                format!("cannot encode the device: {error}"),
            )
        })?);
        file.write_all(json.as_bytes())
            .and_then(|()| file.write_all(b"\n"))
            .and_then(|()| file.sync_all())
            .map_err(|error| device_file_error(&args.device_file, "cannot write", &error))?;
        print_challenges(&signed_in);
        Ok(())
    });
    if written.is_err() {
        // Only the empty file this run created: nothing anyone wrote is lost.
        drop(file);
        let _ = std::fs::remove_file(&args.device_file);
    }
    written
}

async fn remember(
    args: &Args,
    client: &CognitoSrpClient,
    password: &str,
) -> Result<(StoredDevice, SignedIn), Failure> {
    let signed_in = finished(client.sign_in(&args.username, password).send().await?)?;
    let metadata = signed_in.new_device_metadata.as_ref().ok_or_else(|| {
        Failure::new(
            "NoNewDeviceMetadata",
            "the service issued no device key (is device tracking on for the pool?)",
        )
    })?;
    let device = client
        .remember_device(&signed_in.tokens.access_token, metadata)
        .send()
        .await?;
    Ok((device, signed_in))
}

/// The device file exists: sign in through the device.
async fn device_run(
    args: &Args,
    client: &CognitoSrpClient,
    password: &str,
    mut file: File,
) -> Result<(), Failure> {
    let mut json = Zeroizing::new(String::new());
    file.read_to_string(&mut json)
        .map_err(|error| device_file_error(&args.device_file, "cannot read", &error))?;
    let device: StoredDevice = serde_json::from_str(&json).map_err(|error| {
        // serde_json's message names the line and column, never the value.
        Failure::new(
            "DeviceFileError",
            format!(
                "{} is not a device file ({{\"DeviceGroupKey\", \"DeviceKey\", \
                 \"DevicePassword\"}}): {error}",
                args.device_file.display()
            ),
        )
    })?;
    let signed_in = finished(
        client
            .sign_in(&args.username, password)
            .device(&device)
            .send()
            .await?,
    )?;
    print_challenges(&signed_in);
    if signed_in.device_forgotten {
        eprintln!(
            "DeviceForgotten: the service no longer knows device {}; signed in without it. \
             {} is left as it is: delete it to remember this device again.",
            device.device_key,
            args.device_file.display()
        );
        return Ok(());
    }
    refresh(client, &signed_in, &device).await
}

/// Refreshes the tokens with the device they are bound to; when the app client rotates
/// refresh tokens, the new one is the one to keep (the old stops working after the grace
/// period), so it refreshes once more with it. Says which on stdout, never the tokens.
async fn refresh(
    client: &CognitoSrpClient,
    signed_in: &SignedIn,
    device: &StoredDevice,
) -> Result<(), Failure> {
    let token = signed_in.tokens.refresh_token.as_deref().ok_or_else(|| {
        Failure::new(
            "MalformedAnswer",
            "the sign-in's answer has no RefreshToken",
        )
    })?;
    match client.refresh(token).device(device).send().await? {
        Refreshed::Rotated(tokens) => {
            println!("refresh: rotated");
            let rotated = tokens.refresh_token.as_deref().unwrap_or_default();
            let again = client.refresh(rotated).device(device).send().await?;
            println!("refresh with the rotated token: {}", kind(&again));
        }
        kept => println!("refresh: {}", kind(&kept)),
    }
    Ok(())
}

fn kind(refreshed: &Refreshed) -> &'static str {
    match refreshed {
        Refreshed::Rotated(_) => "rotated",
        _ => "kept",
    }
}

/// A new file, readable by its owner only; an existing one is an error.
fn create_device_file(path: &Path) -> Result<File, Failure> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .map_err(|error| device_file_error(path, "cannot create", &error))
}

fn device_file_error(path: &Path, what: &str, error: &io::Error) -> Failure {
    Failure::new(
        "DeviceFileError",
        format!("{what} {}: {error}", path.display()),
    )
}

async fn run() -> Result<(), Failure> {
    let args = parse_args(std::env::args().skip(1))?;
    let password = read_password()?;
    let client = client(&args)?;
    match File::open(&args.device_file) {
        Ok(file) => device_run(&args, &client, &password, file).await,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            first_run(&args, &client, &password).await
        }
        Err(error) => Err(device_file_error(&args.device_file, "cannot open", &error)),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{failure}");
            if failure.code == "InvalidArguments" {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

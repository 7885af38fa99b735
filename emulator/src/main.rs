//! `cognito-srp6a-emulator`: a local Cognito user-pools endpoint on 127.0.0.1 that checks user
//! and device SRP proofs. Prints `listening on 127.0.0.1:PORT` once it accepts connections.

use clap::Parser;
use cognito_srp6a_emulator::Emulator;
use std::{path::PathBuf, process::ExitCode};

/// A local Amazon Cognito user-pools endpoint that really checks user and device SRP proofs.
///
/// Example:
///
///   cognito-srp6a-emulator --port 9229 --pool-id us-east-1_Example \
///       --client-id 3n4b5urk1ft4fl3mg5e62d9ado --user 'alice:correct horse battery staple'
///
/// then point any SDK, the AWS CLI (--endpoint-url http://127.0.0.1:9229) or a JS/Python client
/// at it. Passwords given with --user are turned into a salt and verifier at start-up and never
/// stored; prefer --user-env for real-looking passwords, as arguments are visible to other
/// local users.
// No Debug: the arguments hold passwords and the client secret.
#[derive(Parser)]
#[command(version, verbatim_doc_comment)]
struct Args {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// User pool id, <region>_<name>.
    #[arg(long, default_value = "us-east-1_Example")]
    pool_id: String,
    /// App client id.
    #[arg(long, default_value = "3n4b5urk1ft4fl3mg5e62d9ado")]
    client_id: String,
    /// App client secret (then SECRET_HASH is required everywhere).
    #[arg(long, conflicts_with = "client_secret_env")]
    client_secret: Option<String>,
    /// Like --client-secret, but read from this environment variable.
    #[arg(long, value_name = "VAR")]
    client_secret_env: Option<String>,
    /// A confirmed user, NAME:PASSWORD, split at the first ':' (any Unicode). Repeatable.
    #[arg(long = "user", value_name = "NAME:PASSWORD")]
    users: Vec<String>,
    /// Like --user, but the value is read from this environment variable.
    #[arg(long = "user-env", value_name = "VAR")]
    user_envs: Vec<String>,
    /// Gives a user a software token: NAME:BASE32SECRET. Repeatable.
    #[arg(long = "totp", value_name = "NAME:BASE32SECRET")]
    totp: Vec<String>,
    /// DeviceConfiguration.ChallengeRequiredOnNewDevice: a remembered device stands in for TOTP.
    #[arg(long)]
    challenge_required_on_new_device: bool,
    /// DeviceConfiguration.DeviceOnlyRememberedOnUserPrompt: devices wait for UpdateDeviceStatus.
    #[arg(long)]
    device_only_remembered_on_user_prompt: bool,
    /// Keep users, devices and refresh tokens in this SQLite file across restarts.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
}

fn split_pair<'a>(text: &'a str, flag: &str) -> Result<(&'a str, &'a str), String> {
    match text.split_once(':') {
        Some((name, value)) if !name.is_empty() => Ok((name, value)),
        // Never echo the value: it holds a password or secret.
        _ => Err(format!("{flag} takes NAME:VALUE")),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("cognito-srp6a-emulator: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let mut builder = Emulator::builder()
        .port(args.port)
        .pool_id(args.pool_id)
        .client_id(args.client_id)
        .challenge_required_on_new_device(args.challenge_required_on_new_device)
        .device_only_remembered_on_user_prompt(args.device_only_remembered_on_user_prompt);
    if let Some(secret) = args.client_secret {
        builder = builder.client_secret(secret);
    }
    if let Some(var) = &args.client_secret_env {
        let secret =
            std::env::var(var).map_err(|_| format!("--client-secret-env: ${var} is not set"))?;
        builder = builder.client_secret(secret);
    }
    for user in &args.users {
        let (name, password) = split_pair(user, "--user")?;
        builder = builder.user(name, password);
    }
    for var in &args.user_envs {
        let value = std::env::var(var).map_err(|_| format!("--user-env: ${var} is not set"))?;
        let (name, password) = split_pair(&value, "--user-env")?;
        builder = builder.user(name, password);
    }
    for entry in &args.totp {
        let (name, secret) = split_pair(entry, "--totp")?;
        builder = builder.totp(name, secret);
    }
    if let Some(state) = args.state {
        builder = builder.state_file(state);
    }
    let emulator = builder.start().await.map_err(|error| error.to_string())?;
    println!("listening on {}", emulator.local_addr());
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = tokio::signal::ctrl_c().await;
    emulator.shutdown().await;
    Ok(())
}

//! `cognito-srp6a-emulator`: a local Cognito user-pools endpoint that checks user and device
//! SRP proofs. Prints `listening on HOST:PORT` once it accepts connections, then the endpoint
//! and each pool and app client it serves (never a secret).
#![forbid(unsafe_code)]

use clap::Parser;
use cognito_srp6a_emulator::{Access, DEFAULT_PORT, Emulator, Limits};
use std::{net::IpAddr, path::PathBuf, process::ExitCode};

/// A local Amazon Cognito user-pools endpoint that really checks user and device SRP proofs.
///
/// Pools and app clients come from the API (CreateUserPool, CreateUserPoolClient, as the AWS
/// CLI and SDKs make them), from a seed file (--config), from a CloudFormation template
/// (--cloudformation), or from the flags below for one pool.
///
/// Examples:
///
///   cognito-srp6a-emulator
///   aws --endpoint-url http://127.0.0.1:9229 cognito-idp create-user-pool --pool-name app
///
///   cognito-srp6a-emulator --config pools.yaml --state state.sqlite
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
    /// Port to listen on; 0 picks a free one.
    #[arg(long, env = "COGNITO_EMULATOR_PORT", default_value_t = DEFAULT_PORT)]
    port: u16,
    /// Address to listen on. Another than 127.0.0.1 exposes the emulator to the network.
    #[arg(long, env = "COGNITO_EMULATOR_HOST", default_value = "127.0.0.1")]
    host: IpAddr,
    /// Region of pools made by CreateUserPool when the request is not signed for one.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// A seed file (JSON or YAML) of pools, app clients and users to make at start. Repeatable.
    #[arg(long = "config", value_name = "FILE")]
    configs: Vec<PathBuf>,
    /// A CloudFormation template (JSON or YAML) whose Cognito user pools, clients and users are
    /// made at start. Repeatable.
    #[arg(long = "cloudformation", value_name = "FILE")]
    templates: Vec<PathBuf>,
    /// Keep pools, clients, users, devices and refresh tokens in this SQLite file.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// A Host name to serve besides localhost and the addresses listened on; '*' serves any.
    /// Repeatable.
    #[arg(long = "allowed-host", value_name = "NAME")]
    allowed_hosts: Vec<String>,
    /// A browser origin allowed to call the API besides http://localhost:*, 127.0.0.1 and
    /// [::1] (like https://app.example.test:8443); '*' allows any page. Repeatable.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origins: Vec<String>,
    /// User pools this emulator holds at most.
    #[arg(long, default_value_t = Limits::default().max_pools)]
    max_pools: u64,
    /// Users this emulator holds at most, across its pools; `SignUp` and `AdminCreateUser`
    /// past it are refused (LimitExceededException).
    #[arg(long, default_value_t = Limits::default().max_users)]
    max_users: u64,
    /// Connections served at once; past it a new one is closed at once.
    #[arg(long, default_value_t = Limits::default().max_connections)]
    max_connections: usize,
    /// Seconds a connection has to send a request's headers; an idle keep-alive connection
    /// is closed after as long.
    #[arg(long, value_name = "SECONDS", default_value_t = Limits::default().header_timeout_secs)]
    header_timeout: u64,
    /// One pool made at start: its id, <region>_<name> (default us-east-1_Example).
    #[arg(long)]
    pool_id: Option<String>,
    /// That pool's app client id (default 3n4b5urk1ft4fl3mg5e62d9ado).
    #[arg(long)]
    client_id: Option<String>,
    /// That client's secret (then SECRET_HASH is required everywhere).
    #[arg(long, conflicts_with = "client_secret_env")]
    client_secret: Option<String>,
    /// Like --client-secret, but read from this environment variable.
    #[arg(long, value_name = "VAR")]
    client_secret_env: Option<String>,
    /// A confirmed user of that pool, NAME:PASSWORD, split at the first ':' (any Unicode).
    /// Repeatable.
    #[arg(long = "user", value_name = "NAME:PASSWORD")]
    users: Vec<String>,
    /// Like --user, but the value is read from this environment variable.
    #[arg(long = "user-env", value_name = "VAR")]
    user_envs: Vec<String>,
    /// Gives a user of that pool a software token: NAME:BASE32SECRET. Repeatable.
    #[arg(long = "totp", value_name = "NAME:BASE32SECRET")]
    totp: Vec<String>,
    /// That pool's DeviceConfiguration.ChallengeRequiredOnNewDevice: a remembered device
    /// stands in for TOTP.
    #[arg(long)]
    challenge_required_on_new_device: bool,
    /// That pool's DeviceConfiguration.DeviceOnlyRememberedOnUserPrompt: devices wait for
    /// UpdateDeviceStatus.
    #[arg(long)]
    device_only_remembered_on_user_prompt: bool,
}

impl Args {
    /// Whether any flag of the one start-up pool is given.
    fn makes_flags_pool(&self) -> bool {
        self.pool_id.is_some()
            || self.client_id.is_some()
            || self.client_secret.is_some()
            || self.client_secret_env.is_some()
            || !self.users.is_empty()
            || !self.user_envs.is_empty()
            || !self.totp.is_empty()
            || self.challenge_required_on_new_device
            || self.device_only_remembered_on_user_prompt
    }
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
        // Colours only on a terminal: a log file or pipe gets plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
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
        .host(args.host)
        .region(args.region.clone())
        .access(Access {
            hosts: args.allowed_hosts.clone(),
            cors_origins: args.cors_origins.clone(),
        })
        .limits(Limits {
            max_pools: args.max_pools,
            max_users: args.max_users,
            max_connections: args.max_connections,
            header_timeout_secs: args.header_timeout,
            ..Limits::default()
        });
    for path in &args.configs {
        builder = builder.config_file(path);
    }
    for path in &args.templates {
        builder = builder.cloudformation(path);
    }
    if args.makes_flags_pool() {
        builder = builder
            .challenge_required_on_new_device(args.challenge_required_on_new_device)
            .device_only_remembered_on_user_prompt(args.device_only_remembered_on_user_prompt);
        if let Some(pool_id) = &args.pool_id {
            builder = builder.pool_id(pool_id);
        }
        if let Some(client_id) = &args.client_id {
            builder = builder.client_id(client_id);
        }
    }
    if let Some(secret) = &args.client_secret {
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
    if let Some(state) = &args.state {
        builder = builder.state_file(state);
    }
    let emulator = builder.start().await.map_err(|error| error.to_string())?;
    for warning in emulator.warnings() {
        eprintln!("cognito-srp6a-emulator: skipped: {warning}");
    }
    // Listened for before the first line says the emulator is up: a signal sent as soon as
    // it appears stops it cleanly, rather than killing it with the default action.
    let stop = stop_signals();
    println!("listening on {}", emulator.local_addr());
    println!("endpoint {}", emulator.url());
    // Names are the caller's text: printed quoted and escaped.
    for pool in emulator.pools().map_err(|error| error.to_string())? {
        let devices = if pool.devices {
            "device tracking on"
        } else {
            "no device tracking"
        };
        println!("pool {} {:?} ({devices})", pool.id, pool.name);
        for (client_id, name, secret) in &pool.clients {
            let secret = if *secret { ", with a secret" } else { "" };
            println!("  app client {client_id} {name:?}{secret}");
        }
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
    stop.await;
    emulator.shutdown().await;
    Ok(())
}

/// Ctrl-C (SIGINT) or SIGTERM. The handlers are installed when this is called, not when the
/// future is first polled.
#[cfg(unix)]
fn stop_signals() -> impl Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let interrupt = signal(SignalKind::interrupt());
    let terminate = signal(SignalKind::terminate());
    async move {
        match (interrupt, terminate) {
            (Ok(mut interrupt), Ok(mut terminate)) => {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
}

/// Ctrl-C.
#[cfg(not(unix))]
fn stop_signals() -> impl Future<Output = ()> {
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

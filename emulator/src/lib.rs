//! A local Amazon Cognito user-pools endpoint that really checks SRP-6a proofs: the user's
//! `PASSWORD_VERIFIER`, and a remembered device's `DEVICE_SRP_AUTH` / `DEVICE_PASSWORD_VERIFIER`
//! with the verifier `ConfirmDevice` stored. Real clients (the AWS SDKs, the AWS CLI,
//! amazon-cognito-identity-js, pycognito) talk to it over HTTP as they talk to the service.
//!
//! Three rooms, as `s3s` has them: [`protocol`] turns HTTP into one call per operation,
//! `pool` implements the operations with the service's rules, and `store` keeps users, devices
//! and refresh tokens in SQLite (a file, or memory). The SRP math is `cognito-srp6a`'s.
//!
//! ```no_run
//! # async fn demo() -> Result<(), cognito_srp6a_emulator::StartError> {
//! let emulator = cognito_srp6a_emulator::Emulator::builder()
//!     .pool_id("us-east-1_Example")
//!     .client_id("3n4b5urk1ft4fl3mg5e62d9ado")
//!     .user("alice", "correct horse battery staple")
//!     .start()
//!     .await?;
//! println!("endpoint: {}", emulator.url()); // http://127.0.0.1:<a free port>
//! emulator.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod config;
mod error;
pub(crate) mod ids;
mod input;
mod pool;
pub mod protocol;
pub(crate) mod seed;
mod sessions;
mod store;
mod tokens;
mod totp;

pub use config::PoolConfig;
pub use error::ServiceError;

use std::{
    fmt,
    net::{Ipv4Addr, SocketAddr},
    path::PathBuf,
    sync::Arc,
};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use zeroize::Zeroizing;

/// The emulator: [`Emulator::builder`] sets up a pool and starts serving it.
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// A builder with the defaults: pool `us-east-1_Example`, client
    /// `3n4b5urk1ft4fl3mg5e62d9ado` without a secret, no users, both `DeviceConfiguration`
    /// settings off, state in memory, a free port.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder {
            pool_id: "us-east-1_Example".into(),
            client_id: "3n4b5urk1ft4fl3mg5e62d9ado".into(),
            client_secret: None,
            users: Vec::new(),
            totp: Vec::new(),
            challenge_required_on_new_device: false,
            device_only_remembered_on_user_prompt: false,
            state_file: None,
            port: 0,
        }
    }
}

/// What the emulator starts with.
pub struct EmulatorBuilder {
    pool_id: String,
    client_id: String,
    client_secret: Option<Zeroizing<String>>,
    users: Vec<(String, Zeroizing<String>)>,
    totp: Vec<(String, Zeroizing<String>)>,
    challenge_required_on_new_device: bool,
    device_only_remembered_on_user_prompt: bool,
    state_file: Option<PathBuf>,
    port: u16,
}

impl fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("pool_id", &self.pool_id)
            .field("client_id", &self.client_id)
            .field(
                "users",
                &self.users.iter().map(|(name, _)| name).collect::<Vec<_>>(),
            )
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl EmulatorBuilder {
    /// The user pool id, `<region>_<name>`.
    pub fn pool_id(mut self, pool_id: impl Into<String>) -> Self {
        self.pool_id = pool_id.into();
        self
    }

    /// The app client id.
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = client_id.into();
        self
    }

    /// Gives the app client a secret: every request then needs `SECRET_HASH`.
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        self.client_secret = Some(Zeroizing::new(secret.into()));
        self
    }

    /// A confirmed user. Only the salt and verifier of the password are kept.
    pub fn user(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.users
            .push((username.into(), Zeroizing::new(password.into())));
        self
    }

    /// Gives a user a software token (base32 secret): that user must then pass
    /// `SOFTWARE_TOKEN_MFA`, unless a remembered device stands in for it.
    pub fn totp(mut self, username: impl Into<String>, base32_secret: impl Into<String>) -> Self {
        self.totp
            .push((username.into(), Zeroizing::new(base32_secret.into())));
        self
    }

    /// `DeviceConfiguration.ChallengeRequiredOnNewDevice`.
    pub fn challenge_required_on_new_device(mut self, on: bool) -> Self {
        self.challenge_required_on_new_device = on;
        self
    }

    /// `DeviceConfiguration.DeviceOnlyRememberedOnUserPrompt`.
    pub fn device_only_remembered_on_user_prompt(mut self, on: bool) -> Self {
        self.device_only_remembered_on_user_prompt = on;
        self
    }

    /// Keeps users, devices and refresh tokens in this SQLite file, across restarts.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// The port on 127.0.0.1; 0 (the default) picks a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Binds 127.0.0.1, sets up the pool, and serves it until [`RunningEmulator::shutdown`].
    pub async fn start(self) -> Result<RunningEmulator, StartError> {
        cognito_srp6a::UserPoolId::parse(&self.pool_id).map_err(|_| {
            StartError::Config(format!(
                "the pool id {:?} is not <region>_<name>",
                self.pool_id
            ))
        })?;
        if self.client_id.is_empty() {
            return Err(StartError::Config("the client id is empty".into()));
        }
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, self.port))
            .await
            .map_err(StartError::Bind)?;
        let addr = listener.local_addr().map_err(StartError::Bind)?;
        let url = format!("http://{addr}");
        let config = PoolConfig {
            pool_id: self.pool_id,
            client_id: self.client_id,
            client_secret: self.client_secret,
            challenge_required_on_new_device: self.challenge_required_on_new_device,
            device_only_remembered_on_user_prompt: self.device_only_remembered_on_user_prompt,
        };
        let issuer = format!("{url}/{}", config.pool_id);
        let users = self.users;
        let totp = self.totp;
        let state_file = self.state_file;
        // Key generation and the users' verifiers are CPU work: off the async workers.
        let pool = tokio::task::spawn_blocking(move || -> Result<pool::Pool, StartError> {
            let store = store::Store::open(state_file.as_deref())
                .map_err(|error| StartError::State(error.to_string()))?;
            let signer = tokens::Signer::generate()
                .map_err(|error| StartError::Config(error.to_string()))?;
            let pool = pool::Pool::new(config, store, signer, issuer);
            for (username, password) in &users {
                pool.seed_user(username, password).map_err(|error| {
                    StartError::Config(format!("user {username}: {}", error.message()))
                })?;
            }
            for (username, secret) in &totp {
                pool.seed_totp(username, secret).map_err(|error| {
                    StartError::Config(format!("--totp for {username}: {}", error.message()))
                })?;
            }
            Ok(pool)
        })
        .await
        .map_err(|error| StartError::Config(error.to_string()))??;
        let pool = Arc::new(pool);
        let app =
            protocol::router(pool.clone()).into_make_service_with_connect_info::<SocketAddr>();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
            if let Err(error) = served {
                tracing::error!(%error, "the server stopped");
            }
        });
        Ok(RunningEmulator {
            addr,
            url,
            pool,
            stop: Some(stop),
            task,
        })
    }
}

/// A serving emulator. Dropping it stops the server too; [`RunningEmulator::shutdown`] also
/// waits for it.
pub struct RunningEmulator {
    addr: SocketAddr,
    url: String,
    pool: Arc<pool::Pool>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl fmt::Debug for RunningEmulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningEmulator")
            .field("url", &self.url)
            .field("pool_id", &self.pool.config().pool_id)
            .finish_non_exhaustive()
    }
}

impl RunningEmulator {
    /// `http://127.0.0.1:<port>`: the endpoint URL for SDKs and clients.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The user pool id.
    pub fn pool_id(&self) -> &str {
        &self.pool.config().pool_id
    }

    /// The app client id.
    pub fn client_id(&self) -> &str {
        &self.pool.config().client_id
    }

    /// The token issuer (`iss`): `<url>/<pool-id>`; its JWKS is at
    /// `<issuer>/.well-known/jwks.json`.
    pub fn issuer(&self) -> String {
        format!("{}/{}", self.url, self.pool_id())
    }

    /// Stops accepting connections, lets requests in flight finish, and waits.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Why the emulator did not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// The port could not be bound.
    Bind(std::io::Error),
    /// The state file could not be opened.
    State(String),
    /// A setting is invalid.
    Config(String),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bind(error) => write!(f, "cannot listen on 127.0.0.1: {error}"),
            Self::State(error) => write!(f, "cannot open the state file: {error}"),
            Self::Config(error) => write!(f, "invalid setting: {error}"),
        }
    }
}

impl std::error::Error for StartError {}

//! A local Amazon Cognito user-pools service that really checks SRP-6a proofs: the user's
//! `PASSWORD_VERIFIER`, and a remembered device's `DEVICE_SRP_AUTH` / `DEVICE_PASSWORD_VERIFIER`
//! with the verifier `ConfirmDevice` stored. Real clients (the AWS SDKs, the AWS CLI,
//! amazon-cognito-identity-js, pycognito) talk to it over HTTP as they talk to the service.
//! Any number of pools and app clients, made through the API, a seed file, a CloudFormation
//! template or the start-up flags.
//!
//! Three rooms, as `s3s` has them: [`protocol`] turns HTTP into one call per operation,
//! `service` is the service above its pools (routing, and one method per operation with the
//! service's rules), and `store` keeps pools, clients, users, devices and refresh tokens in
//! SQLite (a file, or memory). The SRP math is `cognito-srp6a`'s.
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
#![forbid(unsafe_code)]

mod clock;
mod error;
pub(crate) mod ids;
mod input;
mod model;
pub mod protocol;
mod seed;
mod serve;
mod service;
mod sessions;
mod store;
mod tokens;
mod totp;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::ServiceError;
pub use protocol::Access;
pub use service::Limits;

use std::{
    fmt,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::PathBuf,
    sync::Arc,
    time::Duration,
};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use zeroize::Zeroizing;

/// The port the emulator listens on unless told otherwise: cognito-local's, so set-ups made
/// for it work unchanged.
pub const DEFAULT_PORT: u16 = 9229;
/// The pool id the start-up flags use when none is given, and the pool a state file of the
/// one-pool emulator moves into unless the flags name another.
pub const DEFAULT_POOL_ID: &str = "us-east-1_Example";
/// The app client id the start-up flags use when none is given.
pub const DEFAULT_CLIENT_ID: &str = "3n4b5urk1ft4fl3mg5e62d9ado";

/// The emulator: [`Emulator::builder`] says what it starts with and starts serving it.
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// A builder with the defaults: no pools (unless a pool, client or user is set: then the
    /// one pool of the start-up flags, `us-east-1_Example` with client
    /// `3n4b5urk1ft4fl3mg5e62d9ado`), state in memory, a free port on 127.0.0.1, region
    /// `us-east-1`.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder {
            flags_pool: None,
            seed_files: Vec::new(),
            templates: Vec::new(),
            state_file: None,
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            region: "us-east-1".into(),
            access: Access::default(),
            clock: Arc::new(SystemClock),
            limits: Limits::default(),
        }
    }
}

/// The one pool and client the start-up flags describe.
struct FlagsPool {
    pool_id: String,
    client_id: String,
    client_secret: Option<Zeroizing<String>>,
    users: Vec<(String, Zeroizing<String>)>,
    totp: Vec<(String, Zeroizing<String>)>,
    challenge_required_on_new_device: bool,
    device_only_remembered_on_user_prompt: bool,
}

impl Default for FlagsPool {
    fn default() -> Self {
        Self {
            pool_id: DEFAULT_POOL_ID.into(),
            client_id: DEFAULT_CLIENT_ID.into(),
            client_secret: None,
            users: Vec::new(),
            totp: Vec::new(),
            challenge_required_on_new_device: false,
            device_only_remembered_on_user_prompt: false,
        }
    }
}

impl FlagsPool {
    /// The pool as a seed: device tracking on (the emulator's reason to be), the flags'
    /// `DeviceConfiguration`, MFA `OPTIONAL` when a user has a software token, and a policy
    /// that takes any password.
    fn seed(&self) -> seed::Seed {
        use serde_json::json;
        let name = ids::parse_pool_id(&self.pool_id).map_or("pool", |id| id.pool_name());
        let create = json!({
            "PoolName": name,
            "DeviceConfiguration": {
                "ChallengeRequiredOnNewDevice": self.challenge_required_on_new_device,
                "DeviceOnlyRememberedOnUserPrompt": self.device_only_remembered_on_user_prompt,
            },
            "MfaConfiguration": if self.totp.is_empty() { "OFF" } else { "OPTIONAL" },
            "Policies": { "PasswordPolicy": {
                "MinimumLength": 6, "RequireUppercase": false, "RequireLowercase": false,
                "RequireNumbers": false, "RequireSymbols": false,
            }},
        });
        let client = json!({ "ClientName": "emulator" });
        let totp_of = |name: &str| {
            self.totp
                .iter()
                .find(|(user, _)| user == name)
                .map(|(_, secret)| secret.clone())
        };
        let mut users: Vec<seed::SeedUser> = self
            .users
            .iter()
            .map(|(username, password)| seed::SeedUser {
                username: username.clone(),
                password: Some(password.clone()),
                temporary_password: None,
                attributes: Vec::new(),
                software_token_secret: totp_of(username),
            })
            .collect();
        for (username, secret) in &self.totp {
            if !self.users.iter().any(|(user, _)| user == username) {
                users.push(seed::SeedUser {
                    username: username.clone(),
                    password: None,
                    temporary_password: None,
                    attributes: Vec::new(),
                    software_token_secret: Some(secret.clone()),
                });
            }
        }
        seed::Seed {
            pools: vec![seed::SeedPool {
                id: self.pool_id.clone(),
                create: create.as_object().cloned().unwrap_or_default(),
                software_token_mfa: !self.totp.is_empty(),
                clients: vec![seed::SeedClient {
                    client_id: self.client_id.clone(),
                    client_secret: self.client_secret.clone(),
                    create: client.as_object().cloned().unwrap_or_default(),
                }],
                users,
            }],
        }
    }
}

/// What the emulator starts with.
pub struct EmulatorBuilder {
    flags_pool: Option<FlagsPool>,
    seed_files: Vec<PathBuf>,
    templates: Vec<PathBuf>,
    state_file: Option<PathBuf>,
    host: IpAddr,
    port: u16,
    region: String,
    access: Access,
    clock: Arc<dyn Clock>,
    limits: Limits,
}

impl fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("pool_id", &self.flags_pool.as_ref().map(|p| &p.pool_id))
            .field("seed_files", &self.seed_files)
            .field("templates", &self.templates)
            .field("host", &self.host)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl EmulatorBuilder {
    fn flags(&mut self) -> &mut FlagsPool {
        self.flags_pool.get_or_insert_with(FlagsPool::default)
    }

    /// The start-up pool's id, `<region>_<name>`.
    pub fn pool_id(mut self, pool_id: impl Into<String>) -> Self {
        self.flags().pool_id = pool_id.into();
        self
    }

    /// The start-up pool's app client id.
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.flags().client_id = client_id.into();
        self
    }

    /// Gives the start-up app client a secret: every request then needs `SECRET_HASH`.
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        self.flags().client_secret = Some(Zeroizing::new(secret.into()));
        self
    }

    /// A confirmed user of the start-up pool. Only the salt and verifier are kept.
    pub fn user(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.flags()
            .users
            .push((username.into(), Zeroizing::new(password.into())));
        self
    }

    /// Gives a user of the start-up pool a software token (base32 secret): that user must
    /// then pass `SOFTWARE_TOKEN_MFA`, unless a remembered device stands in for it.
    pub fn totp(mut self, username: impl Into<String>, base32_secret: impl Into<String>) -> Self {
        self.flags()
            .totp
            .push((username.into(), Zeroizing::new(base32_secret.into())));
        self
    }

    /// The start-up pool's `DeviceConfiguration.ChallengeRequiredOnNewDevice`.
    pub fn challenge_required_on_new_device(mut self, on: bool) -> Self {
        self.flags().challenge_required_on_new_device = on;
        self
    }

    /// The start-up pool's `DeviceConfiguration.DeviceOnlyRememberedOnUserPrompt`.
    pub fn device_only_remembered_on_user_prompt(mut self, on: bool) -> Self {
        self.flags().device_only_remembered_on_user_prompt = on;
        self
    }

    /// Makes the pools, clients and users of a seed file (JSON or YAML) at start.
    pub fn config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.seed_files.push(path.into());
        self
    }

    /// Makes the Cognito resources of a CloudFormation template (JSON or YAML) at start.
    pub fn cloudformation(mut self, path: impl Into<PathBuf>) -> Self {
        self.templates.push(path.into());
        self
    }

    /// Keeps pools, clients, users, devices and refresh tokens in this SQLite file, across
    /// restarts.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// The address to listen on: 127.0.0.1 by default; any other only when asked.
    pub fn host(mut self, host: IpAddr) -> Self {
        self.host = host;
        self
    }

    /// The port; 0 (the default here; the command's is 9229) picks a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The region of pools `CreateUserPool` makes when the request is not signed for one.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// Which `Host` names and browser origins are served.
    pub fn access(mut self, access: Access) -> Self {
        self.access = access;
        self
    }

    /// The clock (tests move a [`ManualClock`] instead of waiting).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// What one emulator may hold.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Binds the address, makes what the flags, seed files and templates say, and serves
    /// until [`RunningEmulator::shutdown`].
    pub async fn start(self) -> Result<RunningEmulator, StartError> {
        if !ids::is_region(&self.region) {
            return Err(StartError::Config(format!(
                "the region {:?} is not a region name",
                self.region
            )));
        }
        if let Some(flags) = &self.flags_pool {
            if ids::parse_pool_id(&flags.pool_id).is_none() {
                return Err(StartError::Config(format!(
                    "the pool id {:?} is not <region>_<name>",
                    flags.pool_id
                )));
            }
            if flags.client_id.is_empty() {
                return Err(StartError::Config("the client id is empty".into()));
            }
        }
        let listener = TcpListener::bind((self.host, self.port))
            .await
            .map_err(StartError::Bind)?;
        let addr = listener.local_addr().map_err(StartError::Bind)?;
        // Tokens name a URL clients can reach: the loopback address when bound to all.
        let shown = if addr.ip().is_unspecified() {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
        } else {
            addr
        };
        let url = format!("http://{shown}");
        let legacy_pool_id = self
            .flags_pool
            .as_ref()
            .map_or(DEFAULT_POOL_ID.to_string(), |flags| flags.pool_id.clone());
        let access = self.access.clone();
        let flags_ids = self
            .flags_pool
            .as_ref()
            .map(|flags| (flags.pool_id.clone(), flags.client_id.clone()));
        let base_url = url.clone();
        let limits = self.limits;
        // Key generation and the users' verifiers are CPU work: off the async workers.
        let (service, warnings) =
            tokio::task::spawn_blocking(move || self.build(base_url, &legacy_pool_id))
                .await
                .map_err(|error| StartError::Config(error.to_string()))??;
        let service = Arc::new(service);
        let app = protocol::router(service.clone(), access.for_address(addr));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve::serve(
            listener,
            app,
            limits.max_connections,
            Duration::from_secs(limits.header_timeout_secs),
            async {
                let _ = stopped.await;
            },
        ));
        Ok(RunningEmulator {
            addr,
            url,
            service,
            flags_ids,
            warnings,
            stop: Some(stop),
            task,
        })
    }

    /// Opens the state, makes the signing key, and applies the seed files, the templates and
    /// the flags' pool, in that order. Returns the templates' warnings.
    fn build(
        self,
        base_url: String,
        legacy_pool_id: &str,
    ) -> Result<(service::Service, Vec<String>), StartError> {
        let store = store::Store::open(self.state_file.as_deref(), legacy_pool_id)
            .map_err(|error| StartError::State(error.to_string()))?;
        let signer =
            tokens::Signer::generate().map_err(|error| StartError::Config(error.to_string()))?;
        let service = service::Service::new(
            store,
            signer,
            self.clock,
            base_url,
            self.region.clone(),
            self.limits,
        );
        let mut warnings = Vec::new();
        let read = |path: &PathBuf| {
            std::fs::read_to_string(path)
                .map_err(|error| StartError::Config(format!("{}: {error}", path.display())))
        };
        for path in &self.seed_files {
            let seed = seed::parse_seed_file(&read(path)?, &self.region)
                .map_err(|error| StartError::Config(format!("{}: {error}", path.display())))?;
            service
                .apply_seed(&seed)
                .map_err(|error| StartError::Config(format!("{}: {error}", path.display())))?;
        }
        for path in &self.templates {
            let (seed, skipped) = seed::cloudformation::parse_template(&read(path)?, &self.region)
                .map_err(|error| StartError::Config(format!("{}: {error}", path.display())))?;
            warnings.extend(
                skipped
                    .into_iter()
                    .map(|warning| format!("{}: {warning}", path.display())),
            );
            service
                .apply_seed(&seed)
                .map_err(|error| StartError::Config(format!("{}: {error}", path.display())))?;
        }
        if let Some(flags) = &self.flags_pool {
            service
                .apply_seed(&flags.seed())
                .map_err(StartError::Config)?;
        }
        Ok((service, warnings))
    }
}

/// A pool and its app clients as the start-up banner lists them: ids and names, never a
/// secret.
#[derive(Clone, Debug)]
pub struct PoolSummary {
    /// The pool id.
    pub id: String,
    /// The pool name.
    pub name: String,
    /// Whether device tracking is on (`DeviceConfiguration` present).
    pub devices: bool,
    /// `(client id, client name, has a secret)` of each app client.
    pub clients: Vec<(String, String, bool)>,
}

/// A serving emulator. Dropping it stops the server too; [`RunningEmulator::shutdown`] also
/// waits for it.
pub struct RunningEmulator {
    addr: SocketAddr,
    url: String,
    service: Arc<service::Service>,
    flags_ids: Option<(String, String)>,
    warnings: Vec<String>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl fmt::Debug for RunningEmulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningEmulator")
            .field("url", &self.url)
            .field("flags_pool", &self.flags_ids)
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

    /// The start-up flags' pool id (empty when the flags made no pool).
    pub fn pool_id(&self) -> &str {
        self.flags_ids.as_ref().map_or("", |(pool, _)| pool)
    }

    /// The start-up flags' app client id (empty when the flags made no pool).
    pub fn client_id(&self) -> &str {
        self.flags_ids.as_ref().map_or("", |(_, client)| client)
    }

    /// The token issuer (`iss`) of the start-up flags' pool: `<url>/<pool-id>`; its JWKS is at
    /// `<issuer>/.well-known/jwks.json`.
    pub fn issuer(&self) -> String {
        self.issuer_of(self.pool_id())
    }

    /// The token issuer of any pool.
    pub fn issuer_of(&self, pool_id: &str) -> String {
        format!("{}/{pool_id}", self.url)
    }

    /// What the seeds' templates skipped, one line each.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The pools served now, with their app clients.
    pub fn pools(&self) -> Result<Vec<PoolSummary>, ServiceError> {
        Ok(self
            .service
            .inventory()?
            .into_iter()
            .map(|(pool, clients)| PoolSummary {
                devices: pool.devices().is_some(),
                id: pool.id,
                name: pool.name,
                clients: clients
                    .iter()
                    .map(|c| {
                        (
                            c.client_id.clone(),
                            c.client_name.clone(),
                            c.client_secret.is_some(),
                        )
                    })
                    .collect(),
            })
            .collect())
    }

    /// Stops accepting connections, lets requests in flight finish, and waits; the state file
    /// is then closed with everything acknowledged in it.
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
    /// The address could not be bound.
    Bind(std::io::Error),
    /// The state file could not be opened.
    State(String),
    /// A setting, seed file or template is invalid.
    Config(String),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bind(error) => write!(f, "cannot listen: {error}"),
            Self::State(error) => write!(f, "cannot open the state file: {error}"),
            Self::Config(error) => write!(f, "invalid setting: {error}"),
        }
    }
}

impl std::error::Error for StartError {}

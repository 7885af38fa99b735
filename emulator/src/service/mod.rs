//! The service room: one emulated Cognito user-pools service above its pools. It owns the
//! store, the sign-ins in progress, the token signer and the clock; it routes each request to
//! its pool by `UserPoolId`, by `ClientId` (the app client names its pool) or by access token
//! (whose `iss` names the pool); and it has one method per operation, on the request's members
//! and returning the response's JSON, with the service's rules and errors and no HTTP types,
//! so every rule can be tested without a socket. The SRP math is the core crate's; this room
//! decides what the service does with it.
//!
//! - `pools`: `CreateUserPool`, `UpdateUserPool`, `DescribeUserPool`, `ListUserPools`,
//!   `DeleteUserPool`, `SetUserPoolMfaConfig`, `GetUserPoolMfaConfig`.
//! - `clients`: `CreateUserPoolClient`, `UpdateUserPoolClient`, `DescribeUserPoolClient`,
//!   `ListUserPoolClients`, `DeleteUserPoolClient`.
//! - `auth`: `InitiateAuth`, `RespondToAuthChallenge`, their `Admin*` forms, and the tokens
//!   they end in.
//! - `refresh`: `REFRESH_TOKEN_AUTH`, `GetTokensFromRefreshToken` and rotation, `RevokeToken`,
//!   `GlobalSignOut`, `AdminUserGlobalSignOut`.
//! - `devices`: `ConfirmDevice`, `UpdateDeviceStatus`, `GetDevice`, `ListDevices`,
//!   `ForgetDevice` and their `Admin*` forms.
//! - `users`: `SignUp`, `AdminConfirmSignUp`, `AdminCreateUser`, `AdminSetUserPassword`,
//!   `AdminGetUser`, `AdminDeleteUser`, `GetUser`, `UpdateUserAttributes`, `DeleteUser`,
//!   `ChangePassword`.
//! - `codes`: `ConfirmSignUp`, `ResendConfirmationCode`, `ForgotPassword`,
//!   `ConfirmForgotPassword`, `AdminResetUserPassword`: the codes the service would send.
//! - `admin`: `ListUsers`, `AdminDisableUser`, `AdminEnableUser`.
//! - `second_factor`: `SOFTWARE_TOKEN_MFA`, `SMS_MFA`, `SELECT_MFA_TYPE` and `MFA_SETUP` in a
//!   sign-in.
//! - `mfa`: `AssociateSoftwareToken`, `VerifySoftwareToken`, `SetUserMFAPreference`,
//!   `AdminSetUserMFAPreference`.
//! - `seed`: what a seed file, a template or the start-up flags make.

mod admin;
mod auth;
mod clients;
mod codes;
mod devices;
mod mfa;
mod pools;
mod refresh;
mod second_factor;
mod seed;
mod users;

use crate::{
    clock::Clock,
    error::ServiceError,
    input::{Input, Params},
    model::{client::UserPoolClient, pool::UserPool},
    sessions::Sessions,
    store::{Store, UserRow, UserStatus},
    tokens::{AccessClaims, Signer, invalid_access_token},
};
use cognito_srp6a::{AppClient, VerifierRecord};
use serde_json::{Map, Value};
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// How far a client's `TIMESTAMP` may be from the service's clock. The service's window is not
/// documented ("a few minutes"); five, as Kerberos allows.
pub const CLOCK_SKEW_SECS: u32 = 300;

/// Where a request came from.
#[derive(Clone, Debug, Default)]
pub struct Caller {
    /// The peer's IP address: a device's `last_ip_used`.
    pub ip: String,
    /// The region the request was signed for (its SigV4 credential scope), if it was signed:
    /// where `CreateUserPool` puts a new pool.
    pub region: Option<String>,
}

/// What one emulator may hold, so a caller cannot grow it without bound.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// User pools at most (the service's default quota is 1,000 per account and region).
    pub max_pools: u64,
    /// Users at most, across every pool: each is a few KiB of memory or disk.
    pub max_users: u64,
    /// Connections served at once; past it a new one is closed at once.
    pub max_connections: usize,
    /// Seconds a connection has to send a request's headers; a keep-alive connection idle
    /// this long is closed too.
    pub header_timeout_secs: u64,
    /// App clients per pool at most (the service's default quota is 1,000).
    pub max_clients_per_pool: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_pools: 1000,
            max_users: 100_000,
            max_connections: 512,
            header_timeout_secs: 10,
            max_clients_per_pool: 1000,
        }
    }
}

/// The emulated service.
#[derive(Debug)]
pub struct Service {
    store: Store,
    sessions: Sessions,
    signer: Signer,
    clock: Arc<dyn Clock>,
    /// `http://HOST:PORT`: a pool's issuer is this and its id.
    base_url: String,
    /// Where `CreateUserPool` puts a pool when the request names no region.
    region: String,
    limits: Limits,
}

/// How a request names its user: by a sign-in's `AccessToken` (the app's operations), or by
/// `UserPoolId` and `Username` (their `Admin*` forms, which an IAM principal signs).
#[derive(Clone, Copy, Debug)]
enum UserBy {
    AccessToken,
    Admin,
}

/// A request's app client and the pool it belongs to.
#[derive(Debug)]
pub(crate) struct ClientAt {
    pool: UserPool,
    client: UserPoolClient,
}

impl Service {
    /// A service over `store`, issuing tokens under `base_url` (`http://127.0.0.1:PORT`).
    pub fn new(
        store: Store,
        signer: Signer,
        clock: Arc<dyn Clock>,
        base_url: String,
        region: String,
        limits: Limits,
    ) -> Self {
        Self {
            store,
            sessions: Sessions::new(clock.clone(), crate::sessions::MAX_BYTES),
            signer,
            clock,
            base_url,
            region,
            limits,
        }
    }

    /// The JWKS document of the token signing key, if `pool_id` is a pool here.
    pub fn jwks(&self, pool_id: &str) -> Result<Option<Value>, ServiceError> {
        Ok(self
            .store
            .pool(pool_id)?
            .map(|_| self.signer.jwks().clone()))
    }

    /// The OpenID configuration of `pool_id`, if it is a pool here: its issuer, its JWKS, and
    /// what its tokens are signed with.
    pub fn openid_configuration(&self, pool_id: &str) -> Result<Option<Value>, ServiceError> {
        let Some(pool) = self.store.pool(pool_id)? else {
            return Ok(None);
        };
        let issuer = self.issuer(&pool.id);
        Ok(Some(serde_json::json!({
            "issuer": issuer,
            "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "token"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        })))
    }

    /// The codes waiting in `pool_id`, if it is a pool here: `{"Codes": [{"Username",
    /// "Purpose", "Code", "ExpiresAt"}]}`, for the emulator-only codes endpoint.
    pub fn pending_codes(&self, pool_id: &str) -> Result<Option<Value>, ServiceError> {
        if self.store.pool(pool_id)?.is_none() {
            return Ok(None);
        }
        let now = self.now();
        let codes: Vec<Value> = self
            .store
            .codes(pool_id, None)?
            .into_iter()
            .filter(|code| code.expires > now)
            .map(|code| {
                serde_json::json!({
                    "Username": code.username,
                    "Purpose": code.purpose.as_str(),
                    "Code": code.code,
                    "ExpiresAt": code.expires,
                })
            })
            .collect();
        Ok(Some(serde_json::json!({ "Codes": codes })))
    }

    /// The pools and their clients, for the start-up banner: ids and names, never a secret.
    pub fn inventory(&self) -> Result<Vec<(UserPool, Vec<UserPoolClient>)>, ServiceError> {
        let mut out = Vec::new();
        for pool in self.store.pools()? {
            let clients = self.store.clients(&pool.id)?;
            out.push((pool, clients));
        }
        Ok(out)
    }

    /// Runs one operation by its name. `None` for an operation this emulator does not have.
    pub fn call(
        &self,
        operation: &str,
        input: &Input,
        caller: &Caller,
    ) -> Option<Result<Value, ServiceError>> {
        Some(match operation {
            "CreateUserPool" => self.create_user_pool(input, caller),
            "UpdateUserPool" => self.update_user_pool(input),
            "DescribeUserPool" => self.describe_user_pool(input),
            "ListUserPools" => self.list_user_pools(input),
            "DeleteUserPool" => self.delete_user_pool(input),
            "SetUserPoolMfaConfig" => self.set_user_pool_mfa_config(input),
            "GetUserPoolMfaConfig" => self.get_user_pool_mfa_config(input),
            "CreateUserPoolClient" => self.create_user_pool_client(input),
            "UpdateUserPoolClient" => self.update_user_pool_client(input),
            "DescribeUserPoolClient" => self.describe_user_pool_client(input),
            "ListUserPoolClients" => self.list_user_pool_clients(input),
            "DeleteUserPoolClient" => self.delete_user_pool_client(input),
            "InitiateAuth" => self.initiate_auth(input),
            "RespondToAuthChallenge" => self.respond_to_auth_challenge(input, caller),
            "AdminInitiateAuth" => self.admin_initiate_auth(input),
            "AdminRespondToAuthChallenge" => self.admin_respond_to_auth_challenge(input, caller),
            "ConfirmDevice" => self.confirm_device(input),
            "UpdateDeviceStatus" => self.update_device_status(input, UserBy::AccessToken),
            "GetDevice" => self.get_device(input, UserBy::AccessToken),
            "ListDevices" => self.list_devices(input, UserBy::AccessToken),
            "ForgetDevice" => self.forget_device(input, UserBy::AccessToken),
            "AdminUpdateDeviceStatus" => self.update_device_status(input, UserBy::Admin),
            "AdminGetDevice" => self.get_device(input, UserBy::Admin),
            "AdminListDevices" => self.list_devices(input, UserBy::Admin),
            "AdminForgetDevice" => self.forget_device(input, UserBy::Admin),
            "SignUp" => self.sign_up(input),
            "AdminConfirmSignUp" => self.admin_confirm_sign_up(input),
            "AdminCreateUser" => self.admin_create_user(input),
            "AdminSetUserPassword" => self.admin_set_user_password(input),
            "AdminGetUser" => self.admin_get_user(input),
            "AdminDeleteUser" => self.delete_user(input, UserBy::Admin),
            "GetUser" => self.get_user(input),
            "UpdateUserAttributes" => self.update_user_attributes(input),
            "DeleteUser" => self.delete_user(input, UserBy::AccessToken),
            "ChangePassword" => self.change_password(input),
            "AssociateSoftwareToken" => self.associate_software_token(input),
            "VerifySoftwareToken" => self.verify_software_token(input),
            "SetUserMFAPreference" => self.set_user_mfa_preference(input, UserBy::AccessToken),
            "AdminSetUserMFAPreference" => self.set_user_mfa_preference(input, UserBy::Admin),
            "GetTokensFromRefreshToken" => self.get_tokens_from_refresh_token(input),
            "RevokeToken" => self.revoke_token(input),
            "GlobalSignOut" => self.global_sign_out(input, UserBy::AccessToken),
            "AdminUserGlobalSignOut" => self.global_sign_out(input, UserBy::Admin),
            "ConfirmSignUp" => self.confirm_sign_up(input),
            "ResendConfirmationCode" => self.resend_confirmation_code(input),
            "ForgotPassword" => self.forgot_password(input),
            "ConfirmForgotPassword" => self.confirm_forgot_password(input),
            "AdminResetUserPassword" => self.admin_reset_user_password(input),
            "ListUsers" => self.list_users(input),
            "AdminDisableUser" => self.admin_disable_user(input),
            "AdminEnableUser" => self.admin_enable_user(input),
            _ => return None,
        })
    }

    /// Unix seconds now, on the service's clock.
    fn now(&self) -> i64 {
        self.clock.now()
    }

    /// `<base>/<pool-id>`: a pool's token issuer; its JWKS is under it.
    fn issuer(&self, pool_id: &str) -> String {
        format!("{}/{pool_id}", self.base_url)
    }

    /// The pool with this id, or the service's "User pool <id> does not exist.".
    fn pool(&self, pool_id: &str) -> Result<UserPool, ServiceError> {
        // A name that is not of the pool id pattern is not looked up, nor echoed raw.
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
        if pool_id.len() > 55
            || crate::ids::parse_pool_id(pool_id).is_none()
            || !pool_id.bytes().all(word)
        {
            return Err(crate::model::validation(
                "userPoolId",
                &pool_id
                    .chars()
                    .take(64)
                    .collect::<String>()
                    .escape_debug()
                    .to_string(),
                "Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+",
            ));
        }
        self.store.pool(pool_id)?.ok_or_else(|| no_pool(pool_id))
    }

    /// The pool `UserPoolId` names.
    fn input_pool(&self, input: &Input) -> Result<UserPool, ServiceError> {
        self.pool(input.str("UserPoolId")?)
    }

    /// The app client with this id and its pool.
    fn app_client(&self, client_id: &str) -> Result<ClientAt, ServiceError> {
        crate::model::client::check_client_id("clientId", client_id)?;
        let client = self
            .store
            .client(client_id)?
            .ok_or_else(|| no_client(client_id))?;
        let pool = self
            .store
            .pool(&client.user_pool_id)?
            .ok_or_else(|| no_client(client_id))?;
        Ok(ClientAt { pool, client })
    }

    /// The claims of a valid access token, and its pool: the token's `iss` names the pool, our
    /// key signed it, it has not expired, its app client and user (by name and `sub`) still
    /// exist, its sign-in was not revoked and its user is not disabled.
    fn access_token(&self, token: &str) -> Result<(UserPool, AccessClaims), ServiceError> {
        let pool_id = crate::tokens::unverified_issuer(token)
            .and_then(|issuer| {
                issuer
                    .strip_prefix(&self.base_url)
                    .and_then(|rest| rest.strip_prefix('/'))
                    .map(str::to_string)
            })
            .ok_or_else(invalid_access_token)?;
        let pool = self
            .store
            .pool(&pool_id)?
            .ok_or_else(invalid_access_token)?;
        let claims = self
            .signer
            .verify_access(token, &self.issuer(&pool.id), self.now())?;
        let client_ok = self
            .store
            .client(&claims.client_id)?
            .is_some_and(|client| client.user_pool_id == pool.id);
        // The user of that name and `sub`: a user deleted and made again under the same
        // name is another user, whom the old token must not act for.
        let Some(user) = self
            .store
            .user(&pool.id, &claims.username)?
            .filter(|user| user.sub == claims.sub)
        else {
            return Err(invalid_access_token());
        };
        if !client_ok {
            return Err(invalid_access_token());
        }
        // Revoked with its refresh token, or by a global sign-out: the service checks this on
        // every operation that takes an access token.
        if self.store.origin_revoked(&pool.id, &claims.origin_jti)? {
            return Err(ServiceError::NotAuthorizedException(
                "Access Token has been revoked".into(),
            ));
        }
        refresh::check_enabled(&user)?;
        Ok((pool, claims))
    }

    /// The user `AccessToken` names, with its pool.
    fn access_token_user(&self, input: &Input) -> Result<(UserPool, UserRow), ServiceError> {
        let (pool, claims) = self.access_token(input.str("AccessToken")?)?;
        let user = self
            .store
            .user(&pool.id, &claims.username)?
            .filter(|user| user.sub == claims.sub)
            .ok_or_else(invalid_access_token)?;
        Ok((pool, user))
    }

    /// The user a request names, with its pool, as `by` says.
    fn user_by(&self, input: &Input, by: UserBy) -> Result<(UserPool, UserRow), ServiceError> {
        match by {
            UserBy::AccessToken => self.access_token_user(input),
            UserBy::Admin => self.admin_user(input),
        }
    }

    /// The user an `Admin*` request names (`UserPoolId`, `Username` or an alias), with its pool.
    fn admin_user(&self, input: &Input) -> Result<(UserPool, UserRow), ServiceError> {
        let pool = self.input_pool(input)?;
        let user = self.find_user(&pool, input.str("Username")?)?;
        Ok((pool, user))
    }

    /// The app client `ClientId` names and the `Username` of an unauthenticated request about
    /// a user (sign-up, its code, a forgotten password). The request's other members are read
    /// before its `SecretHash` is checked ([`Service::named_user`]), as the service does.
    fn client_and_username<'i>(
        &self,
        input: &'i Input,
    ) -> Result<(ClientAt, &'i str), ServiceError> {
        let at = self.app_client(input.str("ClientId")?)?;
        Ok((at, input.str("Username")?))
    }

    /// The user `username` names in such a request, once its `SecretHash` is right.
    fn named_user(
        &self,
        at: &ClientAt,
        input: &Input,
        username: &str,
    ) -> Result<UserRow, ServiceError> {
        check_secret_hash(&at.client, input.opt_str("SecretHash")?, &[username])?;
        self.find_user(&at.pool, username)
    }

    /// Replaces `user`'s attributes.
    fn save_attributes(
        &self,
        pool: &UserPool,
        user: &UserRow,
        attributes: Map<String, Value>,
    ) -> Result<(), ServiceError> {
        self.store.set_user_attributes(
            &pool.id,
            &user.username,
            &Value::Object(attributes).to_string(),
            self.now(),
        )?;
        Ok(())
    }

    /// The user `name` signs in as: the user of that name, or in a pool with
    /// `UsernameAttributes` the user with that e-mail or phone number, or in a pool with
    /// `AliasAttributes` the user whose verified alias it is (`preferred_username` needs no
    /// verification). `UserNotFoundException` otherwise.
    fn find_user(&self, pool: &UserPool, name: &str) -> Result<UserRow, ServiceError> {
        if name.chars().count() > 128 {
            return Err(ServiceError::no_user());
        }
        if let Some(user) = self.store.user(&pool.id, name)? {
            return Ok(user);
        }
        for attribute in pool.username_attributes.iter().flatten() {
            if let Some(user) =
                self.store
                    .user_by_attribute(&pool.id, attribute.attribute(), name, false)?
            {
                return Ok(user);
            }
        }
        for alias in pool.alias_attributes.iter().flatten() {
            let verified = *alias != crate::model::pool::AliasAttribute::PreferredUsername;
            if let Some(user) =
                self.store
                    .user_by_attribute(&pool.id, alias.attribute(), name, verified)?
            {
                return Ok(user);
            }
        }
        Err(ServiceError::no_user())
    }

    /// What sign-up stores for a password: a fresh salt and v = g^x, both hex, over the
    /// internal user name.
    fn new_verifier(
        &self,
        pool: &UserPool,
        username: &str,
        password: &str,
    ) -> Result<(String, String), ServiceError> {
        use rand::Rng;
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt_hex: String = salt.iter().map(|b| format!("{b:02x}")).collect();
        let record = VerifierRecord::for_user_password(&pool.id, username, password, &salt_hex)
            .map_err(|error| {
                ServiceError::InvalidParameterException(format!(
                    "Cannot store the password: {error}"
                ))
            })?;
        Ok((
            record.salt().to_hex().as_str().to_string(),
            record.verifier_hex().as_str().to_string(),
        ))
    }

    /// The user's stored record, for a `PASSWORD_VERIFIER` challenge.
    fn user_record(&self, pool: &UserPool, user: &UserRow) -> Result<VerifierRecord, ServiceError> {
        VerifierRecord::for_user_verifier(
            &pool.id,
            &user.username,
            &user.salt_hex,
            &user.verifier_hex,
        )
        .map_err(|error| {
            tracing::error!(%error, "a stored user verifier does not parse");
            ServiceError::InternalErrorException("A stored verifier is corrupt.".into())
        })
    }

    /// Whether `password` is the user's: its verifier over the stored salt, compared with the
    /// stored one in constant time.
    fn password_matches(&self, pool: &UserPool, user: &UserRow, password: &str) -> bool {
        VerifierRecord::for_user_password(&pool.id, &user.username, password, &user.salt_hex)
            .is_ok_and(|record| {
                bool::from(
                    record
                        .verifier_hex()
                        .as_str()
                        .as_bytes()
                        .ct_eq(user.verifier_hex.as_bytes()),
                )
            })
    }

    /// The user named `username` (internal name) in `pool`, or `UserNotFoundException`.
    fn user(&self, pool: &UserPool, username: &str) -> Result<UserRow, ServiceError> {
        self.store
            .user(&pool.id, username)?
            .ok_or_else(ServiceError::no_user)
    }
}

/// `SECRET_HASH` when the app client has a secret: present, and the hash over one of
/// `usernames` (the name the client used, or the internal one). Compared in constant time.
fn check_secret_hash(
    client: &UserPoolClient,
    given: Option<&str>,
    usernames: &[&str],
) -> Result<(), ServiceError> {
    let Some(secret) = &client.client_secret else {
        return Ok(());
    };
    let client_id = &client.client_id;
    let Some(given) = given else {
        return Err(ServiceError::NotAuthorizedException(format!(
            "Client {client_id} is configured with secret but SECRET_HASH was not received"
        )));
    };
    let app = AppClient::new(client_id, secret);
    let mut ok = subtle::Choice::from(0);
    for username in usernames {
        ok |= app
            .secret_hash(username)
            .as_str()
            .as_bytes()
            .ct_eq(given.as_bytes());
    }
    if bool::from(ok) {
        Ok(())
    } else {
        Err(ServiceError::NotAuthorizedException(format!(
            "Unable to verify secret hash for client {client_id}"
        )))
    }
}

/// A new user's row in `pool`: a fresh `sub` and `DeviceGroupKey`.
fn new_user_row(
    pool: &UserPool,
    username: &str,
    sub: String,
    (salt_hex, verifier_hex): (String, String),
    status: UserStatus,
    attributes: String,
    now: i64,
) -> UserRow {
    UserRow {
        pool_id: pool.id.clone(),
        username: username.to_string(),
        sub,
        status,
        salt_hex,
        verifier_hex,
        totp_secret: None,
        attributes,
        device_group_key: new_device_group_key(),
        created: now,
        modified: now,
        enabled: true,
        sms_mfa: false,
        preferred_mfa: None,
    }
}

/// A `DeviceGroupKey` in the service's shape: `-` and nine letters or digits.
fn new_device_group_key() -> String {
    use rand::RngExt;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    let mut key = String::from("-");
    for _ in 0..9 {
        let index = rng.random_range(0..ALPHABET.len());
        key.push(char::from(ALPHABET.get(index).copied().unwrap_or(b'A')));
    }
    key
}

/// "User pool <id> does not exist.".
fn no_pool(pool_id: &str) -> ServiceError {
    ServiceError::ResourceNotFoundException(format!("User pool {pool_id} does not exist."))
}

/// "User pool client <id> does not exist.".
fn no_client(client_id: &str) -> ServiceError {
    ServiceError::ResourceNotFoundException(format!("User pool client {client_id} does not exist."))
}

/// A required entry of `AuthParameters` / `ChallengeResponses`.
fn required<'p>(params: &'p Params, name: &str) -> Result<&'p str, ServiceError> {
    params
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| ServiceError::missing_parameter(name))
}

//! The pool room: one method per operation, on the request's members and returning the
//! response's JSON, with the service's rules and errors and no HTTP types, so every rule can be
//! tested without a socket. The SRP math is the core crate's; this room decides what the
//! service does with it.
//!
//! - `auth`: `InitiateAuth`, `RespondToAuthChallenge`, and the tokens they end in.
//! - `devices`: `ConfirmDevice`, `UpdateDeviceStatus`, `GetDevice`, `ListDevices`,
//!   `ForgetDevice` and their `Admin*` forms.
//! - `users`: `SignUp`, `AdminConfirmSignUp`, `AdminCreateUser`, `AdminSetUserPassword`,
//!   `DescribeUserPool`.

mod auth;
mod devices;
mod users;

use crate::{
    config::PoolConfig,
    error::ServiceError,
    input::{Input, Params},
    sessions::Sessions,
    store::{Store, UserRow},
    tokens::Signer,
};
use cognito_srp6a::{AppClient, VerifierRecord};
use serde_json::Value;
use std::time::{SystemTime, UNIX_EPOCH};
use subtle::ConstantTimeEq;

/// How far a client's `TIMESTAMP` may be from the pool's clock. The service's window is not
/// documented; SPEC.md says "a few minutes". Five, as Kerberos allows.
pub const CLOCK_SKEW_SECS: u32 = 300;

/// Where a request came from: `last_ip_used` of a device.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The peer's IP address.
    pub ip: String,
}

/// One user pool with one app client.
#[derive(Debug)]
pub struct Pool {
    config: PoolConfig,
    store: Store,
    sessions: Sessions,
    signer: Signer,
    issuer: String,
}

impl Pool {
    /// A pool over `store`, issuing tokens as `issuer` (`http://127.0.0.1:PORT/<pool-id>`).
    pub fn new(config: PoolConfig, store: Store, signer: Signer, issuer: String) -> Self {
        Self {
            config,
            store,
            sessions: Sessions::default(),
            signer,
            issuer,
        }
    }

    /// The pool's configuration.
    pub fn config(&self) -> &PoolConfig {
        &self.config
    }

    /// The JWKS document of the token signing key.
    pub fn jwks(&self) -> &Value {
        self.signer.jwks()
    }

    /// Runs one operation by its name. `None` for an operation this emulator does not have.
    pub fn call(
        &self,
        operation: &str,
        input: &Input,
        caller: &Caller,
    ) -> Option<Result<Value, ServiceError>> {
        Some(match operation {
            "InitiateAuth" => self.initiate_auth(input),
            "RespondToAuthChallenge" => self.respond_to_auth_challenge(input, caller),
            "ConfirmDevice" => self.confirm_device(input),
            "UpdateDeviceStatus" => self.update_device_status(input),
            "GetDevice" => self.get_device(input),
            "ListDevices" => self.list_devices(input),
            "ForgetDevice" => self.forget_device(input),
            "AdminUpdateDeviceStatus" => self.admin_update_device_status(input),
            "AdminGetDevice" => self.admin_get_device(input),
            "AdminListDevices" => self.admin_list_devices(input),
            "AdminForgetDevice" => self.admin_forget_device(input),
            "SignUp" => self.sign_up(input),
            "AdminConfirmSignUp" => self.admin_confirm_sign_up(input),
            "AdminCreateUser" => self.admin_create_user(input),
            "AdminSetUserPassword" => self.admin_set_user_password(input),
            "DescribeUserPool" => self.describe_user_pool(input),
            _ => return None,
        })
    }

    /// Adds a user at start-up (`--user`), or resets the password of one a state file already
    /// holds, keeping its `sub` and devices.
    pub fn seed_user(&self, username: &str, password: &str) -> Result<(), ServiceError> {
        let now = now();
        let (salt_hex, verifier_hex) = self.new_verifier(username, password)?;
        if self.store.user(username)?.is_some() {
            self.store.set_user_password(
                username,
                &salt_hex,
                &verifier_hex,
                crate::store::UserStatus::Confirmed,
                now,
            )?;
            return Ok(());
        }
        self.store.insert_user(&new_user_row(
            username,
            salt_hex,
            verifier_hex,
            crate::store::UserStatus::Confirmed,
            "{}".into(),
            now,
        ))?;
        Ok(())
    }

    /// Gives a seeded user a software token.
    pub fn seed_totp(&self, username: &str, secret: &str) -> Result<(), ServiceError> {
        if crate::totp::decode_secret(secret).is_none() {
            return Err(ServiceError::InvalidParameterException(format!(
                "The TOTP secret of {username} is not base32."
            )));
        }
        if !self.store.set_user_totp(username, Some(secret))? {
            return Err(ServiceError::no_user());
        }
        Ok(())
    }

    /// What sign-up stores for a password: a fresh salt and v = g^x, both hex.
    fn new_verifier(
        &self,
        username: &str,
        password: &str,
    ) -> Result<(String, String), ServiceError> {
        use rand::Rng;
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt_hex: String = salt.iter().map(|b| format!("{b:02x}")).collect();
        let record =
            VerifierRecord::for_user_password(&self.config.pool_id, username, password, &salt_hex)
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
    fn user_record(&self, user: &UserRow) -> Result<VerifierRecord, ServiceError> {
        VerifierRecord::for_user_verifier(
            &self.config.pool_id,
            &user.username,
            &user.salt_hex,
            &user.verifier_hex,
        )
        .map_err(|error| {
            tracing::error!(%error, "a stored user verifier does not parse");
            ServiceError::InternalErrorException("A stored verifier is corrupt.".into())
        })
    }

    /// `ClientId` must be this pool's app client.
    fn check_client(&self, client_id: &str) -> Result<(), ServiceError> {
        if client_id == self.config.client_id {
            Ok(())
        } else {
            Err(ServiceError::ResourceNotFoundException(format!(
                "User pool client {client_id} does not exist."
            )))
        }
    }

    /// `UserPoolId` must be this pool.
    fn check_pool(&self, input: &Input) -> Result<(), ServiceError> {
        let pool_id = input.str("UserPoolId")?;
        if pool_id == self.config.pool_id {
            Ok(())
        } else {
            Err(ServiceError::ResourceNotFoundException(format!(
                "User pool {pool_id} does not exist."
            )))
        }
    }

    /// `SECRET_HASH` when the app client has a secret: present, and the hash over one of
    /// `usernames` (the name the client used, or the internal one). Compared in constant time.
    fn check_secret_hash(
        &self,
        given: Option<&str>,
        usernames: &[&str],
    ) -> Result<(), ServiceError> {
        let Some(secret) = &self.config.client_secret else {
            return Ok(());
        };
        let client_id = &self.config.client_id;
        let Some(given) = given else {
            return Err(ServiceError::NotAuthorizedException(format!(
                "Client {client_id} is configured with secret but SECRET_HASH was not received"
            )));
        };
        let client = AppClient::new(client_id, secret);
        let mut ok = subtle::Choice::from(0);
        for username in usernames {
            ok |= client
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

    /// The user named `username`, or `UserNotFoundException`.
    fn user(&self, username: &str) -> Result<UserRow, ServiceError> {
        self.store.user(username)?.ok_or_else(ServiceError::no_user)
    }
}

/// A new user's row: a fresh `sub` and `DeviceGroupKey`.
fn new_user_row(
    username: &str,
    salt_hex: String,
    verifier_hex: String,
    status: crate::store::UserStatus,
    attributes: String,
    now: i64,
) -> UserRow {
    UserRow {
        username: username.to_string(),
        sub: uuid::Uuid::new_v4().to_string(),
        status,
        salt_hex,
        verifier_hex,
        totp_secret: None,
        attributes,
        device_group_key: new_device_group_key(),
        created: now,
        modified: now,
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

/// Unix seconds now.
pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A required entry of `AuthParameters` / `ChallengeResponses`.
fn required<'p>(params: &'p Params, name: &str) -> Result<&'p str, ServiceError> {
    params
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| ServiceError::missing_parameter(name))
}

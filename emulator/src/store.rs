//! The store room: what the emulator keeps between requests, in SQLite (rusqlite, bundled).
//! A file with `--state FILE`, so pools, clients, users, remembered devices and refresh tokens
//! survive a restart; otherwise an in-memory database, so both modes run the same queries.
//!
//! Every row carries its pool. Pools and app clients are kept as the JSON of their API records
//! (`UserPoolType`, `UserPoolClientType`), so a member the emulator only keeps is kept whole.
//! As the service does, a user is kept as the SRP salt and verifier, never the password; a
//! device as the `DeviceSecretVerifierConfig` it was confirmed with; a refresh token as its
//! SHA-256, so the file holds nothing that signs in by itself.
//!
//! The schema is versioned by `PRAGMA user_version`. Version 1 (written before pools were
//! made through the API, `user_version` 0) had one implicit pool: opening such a file moves its
//! rows into the pool the start-up flags name, in one transaction. Version 3 adds what token
//! revocation, disabled users, once-only TOTP codes and confirmation codes need; a version 2
//! file gains those columns and tables when opened. A new file is made as version 2 and then
//! migrated, so the migration runs on every start of a fresh emulator and cannot rot.

use crate::model::{client::UserPoolClient, pool::UserPool};
use rusqlite::{Connection, OptionalExtension, params};
use std::{path::Path, sync::Mutex};

/// The schema this code writes.
pub const SCHEMA_VERSION: i64 = 3;

const SCHEMA: &str = "
CREATE TABLE pools (
    id TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE clients (
    client_id TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    record TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE INDEX clients_by_pool ON clients (pool_id);
CREATE TABLE users (
    pool_id TEXT NOT NULL,
    username TEXT NOT NULL,
    sub TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    salt_hex TEXT NOT NULL,
    verifier_hex TEXT NOT NULL,
    totp_secret TEXT,
    attributes TEXT NOT NULL,
    device_group_key TEXT NOT NULL,
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL,
    totp_pending TEXT,
    PRIMARY KEY (pool_id, username)
);
CREATE TABLE devices (
    device_key TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    username TEXT NOT NULL,
    device_group_key TEXT NOT NULL,
    confirmed INTEGER NOT NULL,
    remembered TEXT NOT NULL,
    password_verifier TEXT,
    salt TEXT,
    name TEXT,
    last_ip TEXT,
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL,
    last_authenticated INTEGER
);
CREATE INDEX devices_by_user ON devices (pool_id, username);
CREATE TABLE refresh_tokens (
    token_sha256 TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    username TEXT NOT NULL,
    client_id TEXT NOT NULL,
    device_key TEXT,
    auth_time INTEGER NOT NULL,
    origin_jti TEXT NOT NULL,
    expires INTEGER NOT NULL
);
";

/// Version 2 to 3: a user can be disabled, remembers the TOTP step it last used, and has SMS
/// MFA and a preferred factor; a refresh
/// token can be revoked (with every token of its sign-in, found by `origin_jti`) or replaced
/// by rotation; codes sent for sign-up, password reset and SMS MFA are kept until used.
const MIGRATE_V2: &str = "
ALTER TABLE users ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
ALTER TABLE users ADD COLUMN sms_mfa INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN preferred_mfa TEXT;
ALTER TABLE refresh_tokens ADD COLUMN revoked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE refresh_tokens ADD COLUMN replaced_at INTEGER;
CREATE INDEX refresh_by_origin ON refresh_tokens (origin_jti);
CREATE INDEX refresh_by_user ON refresh_tokens (pool_id, username);
CREATE TABLE codes (
    pool_id TEXT NOT NULL,
    username TEXT NOT NULL,
    purpose TEXT NOT NULL,
    code TEXT NOT NULL,
    expires INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (pool_id, username, purpose)
);
";

/// Version 1 to 2: every row goes to the pool `?1`.
const MIGRATE_V1: &str = "
ALTER TABLE users RENAME TO users_v1;
ALTER TABLE devices RENAME TO devices_v1;
ALTER TABLE refresh_tokens RENAME TO refresh_tokens_v1;
DROP INDEX IF EXISTS devices_by_user;
";

const COPY_V1: [&str; 3] = [
    "INSERT INTO users SELECT ?1, username, sub, status, salt_hex, verifier_hex, totp_secret,
         attributes, device_group_key, created, modified, NULL FROM users_v1",
    "INSERT INTO devices SELECT device_key, ?1, username, device_group_key, confirmed,
         remembered, password_verifier, salt, name, last_ip, created, modified,
         last_authenticated FROM devices_v1",
    "INSERT INTO refresh_tokens SELECT token_sha256, ?1, username, client_id, device_key,
         auth_time, origin_jti, expires FROM refresh_tokens_v1",
];

/// A user's account status, as `UserStatus` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserStatus {
    /// Signed up, not yet confirmed.
    Unconfirmed,
    /// Can sign in.
    Confirmed,
    /// Created by an administrator with a temporary password: must set a new one.
    ForceChangePassword,
    /// An administrator reset the password: the user must set a new one with a code.
    ResetRequired,
}

impl UserStatus {
    /// The API's name for the status.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unconfirmed => "UNCONFIRMED",
            Self::Confirmed => "CONFIRMED",
            Self::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
            Self::ResetRequired => "RESET_REQUIRED",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "UNCONFIRMED" => Self::Unconfirmed,
            "FORCE_CHANGE_PASSWORD" => Self::ForceChangePassword,
            "RESET_REQUIRED" => Self::ResetRequired,
            _ => Self::Confirmed,
        }
    }
}

/// A user as the pool keeps it.
#[derive(Clone, PartialEq, Eq)]
pub struct UserRow {
    /// The pool.
    pub pool_id: String,
    /// The internal user name: `USER_ID_FOR_SRP`, and what the SRP verifier is made over.
    pub username: String,
    /// The immutable `sub`.
    pub sub: String,
    /// The account status.
    pub status: UserStatus,
    /// The SRP salt, hex.
    pub salt_hex: String,
    /// The SRP verifier v = g^x, hex.
    pub verifier_hex: String,
    /// The base32 TOTP secret of a software token, if the user has one.
    pub totp_secret: Option<String>,
    /// Other attributes (`email`, …) as a JSON object.
    pub attributes: String,
    /// The `DeviceGroupKey` of every device this user registers.
    pub device_group_key: String,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds.
    pub modified: i64,
    /// `false` after `AdminDisableUser`: no sign-in, no refresh.
    pub enabled: bool,
    /// SMS MFA turned on (`SMSMfaSettings.Enabled`).
    pub sms_mfa: bool,
    /// `SMS_MFA` or `SOFTWARE_TOKEN_MFA`, when the user prefers one.
    pub preferred_mfa: Option<String>,
}

impl UserRow {
    /// The attributes as a JSON object; a record that does not read as one has none.
    pub fn attribute_map(&self) -> serde_json::Map<String, serde_json::Value> {
        serde_json::from_str(&self.attributes).unwrap_or_default()
    }
}

impl std::fmt::Debug for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The verifier allows offline guessing and the TOTP secret makes codes: not printed.
        f.debug_struct("UserRow")
            .field("username", &self.username)
            .field("sub", &self.sub)
            .field("status", &self.status)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

/// A device key the pool issued in `NewDeviceMetadata`, and once confirmed, its verifier.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceRow {
    /// `DeviceKey`, `<region>_<uuid>`.
    pub device_key: String,
    /// The pool.
    pub pool_id: String,
    /// The owner.
    pub username: String,
    /// `DeviceGroupKey`.
    pub device_group_key: String,
    /// Whether `ConfirmDevice` has stored a verifier.
    pub confirmed: bool,
    /// `remembered` or `not_remembered`.
    pub remembered: String,
    /// `DeviceSecretVerifierConfig.PasswordVerifier` as received (base64).
    pub password_verifier: Option<String>,
    /// `DeviceSecretVerifierConfig.Salt` as received (base64).
    pub salt: Option<String>,
    /// `DeviceName`.
    pub name: Option<String>,
    /// The address of the last sign-in.
    pub last_ip: Option<String>,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds.
    pub modified: i64,
    /// Unix seconds of the last device sign-in.
    pub last_authenticated: Option<i64>,
}

impl std::fmt::Debug for DeviceRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceRow")
            .field("device_key", &self.device_key)
            .field("username", &self.username)
            .field("confirmed", &self.confirmed)
            .field("remembered", &self.remembered)
            .finish_non_exhaustive()
    }
}

/// What a refresh token stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshRow {
    /// The pool.
    pub pool_id: String,
    /// Whose token.
    pub username: String,
    /// The app client it was issued to.
    pub client_id: String,
    /// The device it is bound to: refresh must present this `DEVICE_KEY`.
    pub device_key: Option<String>,
    /// When the user authenticated (the tokens' `auth_time`).
    pub auth_time: i64,
    /// The `origin_jti` of the sign-in.
    pub origin_jti: String,
    /// Unix seconds.
    pub expires: i64,
    /// Revoked by `RevokeToken` or a global sign-out.
    pub revoked: bool,
    /// When rotation replaced it (Unix seconds): it works for the grace period after.
    pub replaced_at: Option<i64>,
}

/// Why a state file was not opened.
#[derive(Debug)]
pub enum OpenError {
    /// SQLite refused it.
    Sqlite(rusqlite::Error),
    /// Written by a newer emulator.
    NewerSchema(i64),
    /// Users other than its owner may write it (or its directory is not usable): its salts,
    /// verifiers and TOTP secrets could be read or replaced.
    Permissions(String),
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(error) => write!(f, "{error}"),
            Self::Permissions(message) => f.write_str(message),
            Self::NewerSchema(version) => write!(
                f,
                "the file has schema version {version}, written by a newer emulator \
                 (this one writes {SCHEMA_VERSION})"
            ),
        }
    }
}

impl From<rusqlite::Error> for OpenError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Sqlite(error)
    }
}

/// The emulator's state. One connection behind a mutex: every query is short, and the SRP
/// math runs outside it.
#[derive(Debug)]
pub struct Store {
    connection: Mutex<Connection>,
}

type Result<T> = std::result::Result<T, rusqlite::Error>;

const USER_COLUMNS: &str = "SELECT pool_id, username, sub, status, salt_hex, verifier_hex,
    totp_secret, attributes, device_group_key, created, modified, enabled, sms_mfa, preferred_mfa
    FROM users";

fn user_row(row: &rusqlite::Row<'_>) -> Result<UserRow> {
    Ok(UserRow {
        pool_id: row.get(0)?,
        username: row.get(1)?,
        sub: row.get(2)?,
        status: UserStatus::parse(&row.get::<_, String>(3)?),
        salt_hex: row.get(4)?,
        verifier_hex: row.get(5)?,
        totp_secret: row.get(6)?,
        attributes: row.get(7)?,
        device_group_key: row.get(8)?,
        created: row.get(9)?,
        modified: row.get(10)?,
        enabled: row.get(11)?,
        sms_mfa: row.get(12)?,
        preferred_mfa: row.get(13)?,
    })
}

const DEVICE_COLUMNS: &str = "SELECT device_key, pool_id, username, device_group_key, confirmed,
    remembered, password_verifier, salt, name, last_ip, created, modified, last_authenticated
    FROM devices";

fn device_row(row: &rusqlite::Row<'_>) -> Result<DeviceRow> {
    Ok(DeviceRow {
        device_key: row.get(0)?,
        pool_id: row.get(1)?,
        username: row.get(2)?,
        device_group_key: row.get(3)?,
        confirmed: row.get(4)?,
        remembered: row.get(5)?,
        password_verifier: row.get(6)?,
        salt: row.get(7)?,
        name: row.get(8)?,
        last_ip: row.get(9)?,
        created: row.get(10)?,
        modified: row.get(11)?,
        last_authenticated: row.get(12)?,
    })
}

/// A record kept as JSON that no longer parses: the file was edited by hand.
fn corrupt(error: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(error))
}

fn to_json<T: serde::Serialize>(record: &T) -> Result<String> {
    serde_json::to_string(record)
        .map_err(|error| rusqlite::Error::ToSqlConversionFailure(Box::new(error)))
}

/// A new state file is made readable and writable by its owner only (0600), before SQLite
/// opens it: SQLite makes its `-wal` and `-shm` files with the same mode. An existing file that
/// any user may write is refused; one the group may write or others read is made 0600 (a
/// checkout under umask 002 is group-writable and is still the owner's).
#[cfg(unix)]
fn prepare_state_file(path: &Path) -> std::result::Result<(), OpenError> {
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    let shown = path.display();
    match std::fs::metadata(path) {
        Ok(metadata) => {
            let mode = metadata.permissions().mode() & 0o777;
            if mode & 0o002 != 0 {
                return Err(OpenError::Permissions(format!(
                    "{shown} may be written by other users (mode {mode:o}): it holds the \
                     users' verifiers and TOTP secrets; run `chmod 600 {shown}` if its \
                     contents are yours"
                )));
            }
            if mode & 0o077 != 0 {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(
                    |error| OpenError::Permissions(format!("cannot make {shown} 0600: {error}")),
                )?;
                for suffix in ["-wal", "-shm"] {
                    let mut side = path.as_os_str().to_owned();
                    side.push(suffix);
                    let side = std::path::PathBuf::from(side);
                    if side.exists() {
                        let _ =
                            std::fs::set_permissions(&side, std::fs::Permissions::from_mode(0o600));
                    }
                }
            }
            Ok(())
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map(drop)
            .map_err(|error| OpenError::Permissions(format!("cannot create {shown}: {error}"))),
        Err(error) => Err(OpenError::Permissions(format!(
            "cannot read {shown}: {error}"
        ))),
    }
}

#[cfg(not(unix))]
fn prepare_state_file(_path: &Path) -> std::result::Result<(), OpenError> {
    Ok(())
}

impl Store {
    /// Opens (or creates) the state file, or an in-memory database for `None`. A file of
    /// schema version 1 is migrated, its rows moving into `legacy_pool_id`.
    pub fn open(path: Option<&Path>, legacy_pool_id: &str) -> std::result::Result<Self, OpenError> {
        let mut connection = match path {
            Some(path) => {
                prepare_state_file(path)?;
                Connection::open(path)?
            }
            None => Connection::open_in_memory()?,
        };
        // Durable enough for a test fixture, and readers never wait on the writer.
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        let version: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
        let has_users: bool = connection.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'users')",
            [],
            |row| row.get(0),
        )?;
        match version {
            SCHEMA_VERSION => {}
            2 => {
                let transaction = connection.transaction()?;
                transaction.execute_batch(MIGRATE_V2)?;
                transaction.pragma_update(None, "user_version", SCHEMA_VERSION)?;
                transaction.commit()?;
                tracing::info!("state file migrated from schema 2");
            }
            0 => {
                let transaction = connection.transaction()?;
                if has_users {
                    transaction.execute_batch(MIGRATE_V1)?;
                }
                transaction.execute_batch(SCHEMA)?;
                if has_users {
                    for copy in COPY_V1 {
                        transaction.execute(copy, params![legacy_pool_id])?;
                    }
                    transaction.execute_batch(
                        "DROP TABLE users_v1; DROP TABLE devices_v1; DROP TABLE refresh_tokens_v1;",
                    )?;
                    tracing::info!(pool = ?legacy_pool_id, "state file migrated from schema 1");
                }
                transaction.execute_batch(MIGRATE_V2)?;
                transaction.pragma_update(None, "user_version", SCHEMA_VERSION)?;
                transaction.commit()?;
            }
            newer => return Err(OpenError::NewerSchema(newer)),
        }
        Ok(Self {
            connection: Mutex::new(connection),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        // A panic while the lock was held cannot leave a half-done statement behind (each
        // statement is atomic in SQLite), so a poisoned lock is still usable.
        let connection = self
            .connection
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&connection)
    }

    fn with_transaction<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut connection = self
            .connection
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let transaction = connection.transaction()?;
        let out = f(&transaction)?;
        transaction.commit()?;
        Ok(out)
    }

    /// Runs one statement that changes rows, however many.
    fn change(&self, sql: &str, parameters: impl rusqlite::Params) -> Result<()> {
        self.with(|c| c.execute(sql, parameters).map(drop))
    }

    /// Runs one statement that changes at most one row; whether it changed one (an insert
    /// that found its key taken, or an update that found no row or not the state it wants,
    /// did not).
    fn change_one(&self, sql: &str, parameters: impl rusqlite::Params) -> Result<bool> {
        self.with(|c| Ok(c.execute(sql, parameters)? == 1))
    }

    /// The API records (kept as JSON) a query selects.
    fn records<T: serde::de::DeserializeOwned>(
        &self,
        sql: &str,
        parameters: impl rusqlite::Params,
    ) -> Result<Vec<T>> {
        let texts: Vec<String> = self.with(|c| {
            let mut statement = c.prepare(sql)?;
            let rows = statement.query_map(parameters, |row| row.get(0))?;
            rows.collect()
        })?;
        texts
            .iter()
            .map(|text| serde_json::from_str(text).map_err(corrupt))
            .collect()
    }

    // ---- pools

    /// Adds a pool; `false` if the id is taken.
    pub fn insert_pool(&self, pool: &UserPool) -> Result<bool> {
        let record = to_json(pool)?;
        self.change_one(
            "INSERT OR IGNORE INTO pools (id, record, created) VALUES (?1, ?2, ?3)",
            params![pool.id, record, pool.creation_date],
        )
    }

    /// Replaces a pool's record.
    pub fn update_pool(&self, pool: &UserPool) -> Result<bool> {
        let record = to_json(pool)?;
        self.change_one(
            "UPDATE pools SET record = ?2 WHERE id = ?1",
            params![pool.id, record],
        )
    }

    /// The pool with this id.
    pub fn pool(&self, pool_id: &str) -> Result<Option<UserPool>> {
        Ok(self
            .records("SELECT record FROM pools WHERE id = ?1", params![pool_id])?
            .pop())
    }

    /// Every pool, oldest first.
    pub fn pools(&self) -> Result<Vec<UserPool>> {
        self.records("SELECT record FROM pools ORDER BY created, id", [])
    }

    /// How many pools there are.
    pub fn pool_count(&self) -> Result<u64> {
        self.with(|c| c.query_row("SELECT COUNT(*) FROM pools", [], |row| row.get::<_, i64>(0)))
            .map(|count| u64::try_from(count).unwrap_or(0))
    }

    /// Deletes a pool and everything in it. `false` if there was none.
    pub fn delete_pool(&self, pool_id: &str) -> Result<bool> {
        self.with_transaction(|t| {
            for table in ["clients", "users", "devices", "refresh_tokens", "codes"] {
                t.execute(
                    &format!("DELETE FROM {table} WHERE pool_id = ?1"),
                    params![pool_id],
                )?;
            }
            Ok(t.execute("DELETE FROM pools WHERE id = ?1", params![pool_id])? == 1)
        })
    }

    // ---- app clients

    /// Adds an app client; `false` if the id is taken.
    pub fn insert_client(&self, client: &UserPoolClient) -> Result<bool> {
        let record = to_json(client)?;
        self.change_one(
            "INSERT OR IGNORE INTO clients (client_id, pool_id, record, created)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                client.client_id,
                client.user_pool_id,
                record,
                client.creation_date
            ],
        )
    }

    /// Replaces an app client's record.
    pub fn update_client(&self, client: &UserPoolClient) -> Result<bool> {
        let record = to_json(client)?;
        self.change_one(
            "UPDATE clients SET record = ?2 WHERE client_id = ?1",
            params![client.client_id, record],
        )
    }

    /// The app client with this id.
    pub fn client(&self, client_id: &str) -> Result<Option<UserPoolClient>> {
        Ok(self
            .records(
                "SELECT record FROM clients WHERE client_id = ?1",
                params![client_id],
            )?
            .pop())
    }

    /// A pool's app clients, oldest first.
    pub fn clients(&self, pool_id: &str) -> Result<Vec<UserPoolClient>> {
        self.records(
            "SELECT record FROM clients WHERE pool_id = ?1 ORDER BY created, client_id",
            params![pool_id],
        )
    }

    /// Deletes an app client and its refresh tokens. `false` if there was none.
    pub fn delete_client(&self, client_id: &str) -> Result<bool> {
        self.with_transaction(|t| {
            t.execute(
                "DELETE FROM refresh_tokens WHERE client_id = ?1",
                params![client_id],
            )?;
            Ok(t.execute(
                "DELETE FROM clients WHERE client_id = ?1",
                params![client_id],
            )? == 1)
        })
    }

    // ---- users

    /// The user of `pool_id` named `username` (the internal name).
    pub fn user(&self, pool_id: &str, username: &str) -> Result<Option<UserRow>> {
        self.with(|c| {
            c.query_row(
                &format!("{USER_COLUMNS} WHERE pool_id = ?1 AND username = ?2"),
                params![pool_id, username],
                user_row,
            )
            .optional()
        })
    }

    /// The user of `pool_id` whose attribute `name` is `value`; with `verified`, only if
    /// `<name>_verified` is `"true"` too (aliases sign in only once verified).
    pub fn user_by_attribute(
        &self,
        pool_id: &str,
        name: &str,
        value: &str,
        verified: bool,
    ) -> Result<Option<UserRow>> {
        let path = format!("$.\"{}\"", name.replace('"', ""));
        let verified_path = format!("$.\"{}_verified\"", name.replace('"', ""));
        self.with(|c| {
            c.query_row(
                &format!(
                    "{USER_COLUMNS} WHERE pool_id = ?1 AND json_extract(attributes, ?2) = ?3
                       AND (?4 = 0 OR json_extract(attributes, ?5) = 'true')
                     ORDER BY created LIMIT 1"
                ),
                params![pool_id, path, value, verified, verified_path],
                user_row,
            )
            .optional()
        })
    }

    /// Adds a user; `false` if the name is taken in its pool.
    pub fn insert_user(&self, user: &UserRow) -> Result<bool> {
        self.change_one(
            "INSERT OR IGNORE INTO users (pool_id, username, sub, status, salt_hex,
                 verifier_hex, totp_secret, attributes, device_group_key, created, modified)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                user.pool_id,
                user.username,
                user.sub,
                user.status.as_str(),
                user.salt_hex,
                user.verifier_hex,
                user.totp_secret,
                user.attributes,
                user.device_group_key,
                user.created,
                user.modified
            ],
        )
    }

    /// Replaces a user's password verifier and status.
    pub fn set_user_password(
        &self,
        pool_id: &str,
        username: &str,
        salt_hex: &str,
        verifier_hex: &str,
        status: UserStatus,
        now: i64,
    ) -> Result<bool> {
        self.change_one(
            "UPDATE users SET salt_hex = ?3, verifier_hex = ?4, status = ?5, modified = ?6
             WHERE pool_id = ?1 AND username = ?2",
            params![
                pool_id,
                username,
                salt_hex,
                verifier_hex,
                status.as_str(),
                now
            ],
        )
    }

    /// Sets a user's status.
    pub fn set_user_status(
        &self,
        pool_id: &str,
        username: &str,
        status: UserStatus,
        now: i64,
    ) -> Result<bool> {
        self.change_one(
            "UPDATE users SET status = ?3, modified = ?4 WHERE pool_id = ?1 AND username = ?2",
            params![pool_id, username, status.as_str(), now],
        )
    }

    /// Keeps a software token secret `AssociateSoftwareToken` made until `VerifySoftwareToken`
    /// proves the user's app has it; `None` drops it.
    pub fn set_user_totp_pending(
        &self,
        pool_id: &str,
        username: &str,
        secret: Option<&str>,
    ) -> Result<bool> {
        self.change_one(
            "UPDATE users SET totp_pending = ?3 WHERE pool_id = ?1 AND username = ?2",
            params![pool_id, username, secret],
        )
    }

    /// The secret waiting for `VerifySoftwareToken`.
    pub fn user_totp_pending(&self, pool_id: &str, username: &str) -> Result<Option<String>> {
        self.with(|c| {
            c.query_row(
                "SELECT totp_pending FROM users WHERE pool_id = ?1 AND username = ?2",
                params![pool_id, username],
                |row| row.get(0),
            )
            .optional()
            .map(Option::flatten)
        })
    }

    /// Gives a user a software token (or takes it away).
    pub fn set_user_totp(
        &self,
        pool_id: &str,
        username: &str,
        secret: Option<&str>,
    ) -> Result<bool> {
        self.change_one(
            "UPDATE users SET totp_secret = ?3 WHERE pool_id = ?1 AND username = ?2",
            params![pool_id, username, secret],
        )
    }

    /// Replaces a user's attributes (a JSON object).
    pub fn set_user_attributes(
        &self,
        pool_id: &str,
        username: &str,
        attributes: &str,
        now: i64,
    ) -> Result<bool> {
        self.change_one(
            "UPDATE users SET attributes = ?3, modified = ?4 WHERE pool_id = ?1 AND username = ?2",
            params![pool_id, username, attributes, now],
        )
    }

    /// Deletes a user, its devices and its refresh tokens. `false` if there was none.
    pub fn delete_user(&self, pool_id: &str, username: &str) -> Result<bool> {
        self.with_transaction(|t| {
            for table in ["devices", "refresh_tokens", "codes"] {
                t.execute(
                    &format!("DELETE FROM {table} WHERE pool_id = ?1 AND username = ?2"),
                    params![pool_id, username],
                )?;
            }
            Ok(t.execute(
                "DELETE FROM users WHERE pool_id = ?1 AND username = ?2",
                params![pool_id, username],
            )? == 1)
        })
    }

    /// The number of users in every pool, for `--max-users`.
    pub fn total_user_count(&self) -> Result<u64> {
        self.with(|c| c.query_row("SELECT COUNT(*) FROM users", [], |row| row.get::<_, i64>(0)))
            .map(|count| u64::try_from(count).unwrap_or(0))
    }

    /// The number of users of a pool, for `EstimatedNumberOfUsers`.
    pub fn user_count(&self, pool_id: &str) -> Result<u64> {
        self.with(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM users WHERE pool_id = ?1",
                params![pool_id],
                |row| row.get::<_, i64>(0),
            )
        })
        .map(|count| u64::try_from(count).unwrap_or(0))
    }

    // ---- devices

    /// Records a device key issued in `NewDeviceMetadata`.
    pub fn issue_device(&self, device: &DeviceRow) -> Result<()> {
        self.change(
            "INSERT INTO devices (device_key, pool_id, username, device_group_key, confirmed,
                 remembered, created, modified)
             VALUES (?1, ?2, ?3, ?4, 0, 'not_remembered', ?5, ?5)",
            params![
                device.device_key,
                device.pool_id,
                device.username,
                device.device_group_key,
                device.created
            ],
        )
    }

    /// The device with this key in `pool_id`, issued or confirmed.
    pub fn device(&self, pool_id: &str, device_key: &str) -> Result<Option<DeviceRow>> {
        self.with(|c| {
            c.query_row(
                &format!("{DEVICE_COLUMNS} WHERE device_key = ?1 AND pool_id = ?2"),
                params![device_key, pool_id],
                device_row,
            )
            .optional()
        })
    }

    /// A user's confirmed devices, oldest first; only remembered ones if asked.
    pub fn devices(
        &self,
        pool_id: &str,
        username: &str,
        remembered_only: bool,
    ) -> Result<Vec<DeviceRow>> {
        self.with(|c| {
            let mut statement = c.prepare(&format!(
                "{DEVICE_COLUMNS} WHERE pool_id = ?1 AND username = ?2 AND confirmed = 1
                   AND (?3 = 0 OR remembered = 'remembered')
                 ORDER BY created, device_key"
            ))?;
            let rows =
                statement.query_map(params![pool_id, username, remembered_only], device_row)?;
            rows.collect()
        })
    }

    /// Stores the verifier of an issued, unconfirmed device. `false` if it was not in that
    /// state (confirmed meanwhile by a concurrent request).
    pub fn confirm_device(
        &self,
        device_key: &str,
        password_verifier: &str,
        salt: &str,
        name: Option<&str>,
        remembered: &str,
        now: i64,
    ) -> Result<bool> {
        self.change_one(
            "UPDATE devices SET confirmed = 1, password_verifier = ?2, salt = ?3, name = ?4,
                 remembered = ?5, modified = ?6
             WHERE device_key = ?1 AND confirmed = 0",
            params![device_key, password_verifier, salt, name, remembered, now],
        )
    }

    /// Sets `remembered` / `not_remembered`.
    pub fn set_device_remembered(&self, device_key: &str, status: &str, now: i64) -> Result<bool> {
        self.change_one(
            "UPDATE devices SET remembered = ?2, modified = ?3 WHERE device_key = ?1",
            params![device_key, status, now],
        )
    }

    /// Records a device sign-in.
    pub fn touch_device(&self, device_key: &str, ip: &str, now: i64) -> Result<()> {
        self.change(
            "UPDATE devices SET last_authenticated = ?2, last_ip = ?3 WHERE device_key = ?1",
            params![device_key, now, ip],
        )
    }

    /// Forgets a device, and the refresh tokens bound to it. `false` if there was none.
    pub fn forget_device(&self, device_key: &str) -> Result<bool> {
        self.with_transaction(|t| {
            t.execute(
                "DELETE FROM refresh_tokens WHERE device_key = ?1",
                params![device_key],
            )?;
            Ok(t.execute(
                "DELETE FROM devices WHERE device_key = ?1",
                params![device_key],
            )? == 1)
        })
    }

    // ---- refresh tokens

    /// Keeps a refresh token (by its SHA-256).
    pub fn insert_refresh(&self, token_sha256: &str, row: &RefreshRow) -> Result<()> {
        self.change(
            "INSERT INTO refresh_tokens (token_sha256, pool_id, username, client_id,
                 device_key, auth_time, origin_jti, expires)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                token_sha256,
                row.pool_id,
                row.username,
                row.client_id,
                row.device_key,
                row.auth_time,
                row.origin_jti,
                row.expires
            ],
        )
    }

    /// What a refresh token (by its SHA-256) stands for.
    pub fn refresh(&self, token_sha256: &str) -> Result<Option<RefreshRow>> {
        self.with(|c| {
            c.query_row(
                "SELECT pool_id, username, client_id, device_key, auth_time, origin_jti, expires,
                     revoked, replaced_at
                 FROM refresh_tokens WHERE token_sha256 = ?1",
                params![token_sha256],
                |row| {
                    Ok(RefreshRow {
                        pool_id: row.get(0)?,
                        username: row.get(1)?,
                        client_id: row.get(2)?,
                        device_key: row.get(3)?,
                        auth_time: row.get(4)?,
                        origin_jti: row.get(5)?,
                        expires: row.get(6)?,
                        revoked: row.get(7)?,
                        replaced_at: row.get(8)?,
                    })
                },
            )
            .optional()
        })
    }
}

impl Store {
    /// Marks a refresh token replaced by rotation at `now`, unless it was already.
    pub fn replace_refresh(&self, token_sha256: &str, now: i64) -> Result<()> {
        self.change(
            "UPDATE refresh_tokens SET replaced_at = ?2
             WHERE token_sha256 = ?1 AND replaced_at IS NULL",
            params![token_sha256, now],
        )
    }

    /// Revokes every refresh token of one sign-in; its access tokens, which carry the same
    /// `origin_jti`, stop working with them.
    pub fn revoke_origin(&self, pool_id: &str, origin_jti: &str) -> Result<()> {
        self.change(
            "UPDATE refresh_tokens SET revoked = 1 WHERE pool_id = ?1 AND origin_jti = ?2",
            params![pool_id, origin_jti],
        )
    }

    /// Revokes every refresh token of a user, and so every token of theirs (a global sign-out).
    pub fn revoke_user(&self, pool_id: &str, username: &str) -> Result<()> {
        self.change(
            "UPDATE refresh_tokens SET revoked = 1 WHERE pool_id = ?1 AND username = ?2",
            params![pool_id, username],
        )
    }

    /// Whether the sign-in `origin_jti` names was revoked.
    pub fn origin_revoked(&self, pool_id: &str, origin_jti: &str) -> Result<bool> {
        self.with(|c| {
            c.query_row(
                "SELECT EXISTS (SELECT 1 FROM refresh_tokens
                     WHERE pool_id = ?1 AND origin_jti = ?2 AND revoked = 1)",
                params![pool_id, origin_jti],
                |row| row.get(0),
            )
        })
    }

    /// `AdminDisableUser` / `AdminEnableUser`.
    pub fn set_user_enabled(
        &self,
        pool_id: &str,
        username: &str,
        enabled: bool,
        now: i64,
    ) -> Result<bool> {
        self.change_one(
            "UPDATE users SET enabled = ?3, modified = ?4 WHERE pool_id = ?1 AND username = ?2",
            params![pool_id, username, enabled, now],
        )
    }

    /// A user's SMS MFA switch and preferred factor.
    pub fn set_user_mfa(
        &self,
        pool_id: &str,
        username: &str,
        sms_mfa: bool,
        preferred: Option<&str>,
    ) -> Result<bool> {
        self.change_one(
            "UPDATE users SET sms_mfa = ?3, preferred_mfa = ?4
             WHERE pool_id = ?1 AND username = ?2",
            params![pool_id, username, sms_mfa, preferred],
        )
    }

    /// Spends TOTP step `step` of a user: `true` if no code of this step or a later one was
    /// used before (RFC 6238 section 5.2: a code is accepted once). One statement, so two
    /// requests racing with the same code cannot both win.
    pub fn use_totp_step(&self, pool_id: &str, username: &str, step: i64) -> Result<bool> {
        self.change_one(
            "UPDATE users SET totp_last_step = ?3
             WHERE pool_id = ?1 AND username = ?2
               AND (totp_last_step IS NULL OR totp_last_step < ?3)",
            params![pool_id, username, step],
        )
    }

    // ---- codes sent to users

    /// Keeps a new code for `purpose`, replacing the one before (whose attempts start over).
    pub fn set_code(&self, code: &CodeRow) -> Result<()> {
        self.change(
            "INSERT OR REPLACE INTO codes (pool_id, username, purpose, code, expires, attempts)
             VALUES (?1, ?2, ?3, ?4, ?5, 0)",
            params![
                code.pool_id,
                code.username,
                code.purpose.as_str(),
                code.code,
                code.expires
            ],
        )
    }

    /// The code waiting for `purpose`, if any.
    pub fn code(
        &self,
        pool_id: &str,
        username: &str,
        purpose: CodePurpose,
    ) -> Result<Option<CodeRow>> {
        self.with(|c| {
            c.query_row(
                &format!("{CODE_COLUMNS} WHERE pool_id = ?1 AND username = ?2 AND purpose = ?3"),
                params![pool_id, username, purpose.as_str()],
                code_row,
            )
            .optional()
        })
    }

    /// Counts a wrong attempt at a code; the attempts so far.
    pub fn code_attempt(&self, pool_id: &str, username: &str, purpose: CodePurpose) -> Result<u32> {
        self.with(|c| {
            c.execute(
                "UPDATE codes SET attempts = attempts + 1
                 WHERE pool_id = ?1 AND username = ?2 AND purpose = ?3",
                params![pool_id, username, purpose.as_str()],
            )?;
            c.query_row(
                "SELECT attempts FROM codes WHERE pool_id = ?1 AND username = ?2 AND purpose = ?3",
                params![pool_id, username, purpose.as_str()],
                |row| row.get(0),
            )
            .optional()
            .map(Option::unwrap_or_default)
        })
    }

    /// Drops a used code.
    pub fn delete_code(&self, pool_id: &str, username: &str, purpose: CodePurpose) -> Result<()> {
        self.change(
            "DELETE FROM codes WHERE pool_id = ?1 AND username = ?2 AND purpose = ?3",
            params![pool_id, username, purpose.as_str()],
        )
    }

    /// The codes waiting in a pool (for one user, or all), for the emulator-only endpoint.
    pub fn codes(&self, pool_id: &str, username: Option<&str>) -> Result<Vec<CodeRow>> {
        self.with(|c| {
            let mut statement = c.prepare(&format!(
                "{CODE_COLUMNS} WHERE pool_id = ?1 AND (?2 IS NULL OR username = ?2)
                 ORDER BY username, purpose"
            ))?;
            let rows = statement.query_map(params![pool_id, username], code_row)?;
            rows.collect()
        })
    }

    /// One page of a pool's users in name order after `after`, at most `limit`, those
    /// `filter` keeps.
    pub fn list_users(
        &self,
        pool_id: &str,
        filter: Option<&UserFilter>,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<UserRow>> {
        let (condition, value) = match filter {
            None => ("1 = 1".to_string(), String::new()),
            Some(filter) => {
                let column = match &filter.field {
                    FilterField::Username => "username".to_string(),
                    FilterField::Sub => "sub".to_string(),
                    FilterField::Status => "status".to_string(),
                    FilterField::Enabled => {
                        "CASE enabled WHEN 1 THEN 'Enabled' ELSE 'Disabled' END".to_string()
                    }
                    FilterField::Attribute(name) => {
                        format!(
                            "json_extract(attributes, '$.\"{}\"')",
                            name.replace(['"', '\''], "")
                        )
                    }
                };
                let condition = if filter.prefix {
                    format!("substr({column}, 1, length(?3)) = ?3")
                } else {
                    format!("{column} = ?3")
                };
                (condition, filter.value.clone())
            }
        };
        self.with(|c| {
            let mut statement = c.prepare(&format!(
                "{USER_COLUMNS} WHERE pool_id = ?1 AND (?2 IS NULL OR username > ?2)
                   AND (?3 = ?3) AND {condition}
                 ORDER BY username LIMIT ?4"
            ))?;
            let rows = statement.query_map(params![pool_id, after, value, limit], user_row)?;
            rows.collect()
        })
    }
}

/// What a code was sent for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodePurpose {
    /// `SignUp`, `ResendConfirmationCode`: confirms the account.
    SignUp,
    /// `ForgotPassword`, `AdminResetUserPassword`: sets a new password.
    ForgotPassword,
    /// `SMS_MFA`: the second factor of a sign-in.
    SmsMfa,
}

impl CodePurpose {
    /// The name kept in the store and shown by the codes endpoint.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignUp => "SIGN_UP",
            Self::ForgotPassword => "FORGOT_PASSWORD",
            Self::SmsMfa => "SMS_MFA",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "SIGN_UP" => Self::SignUp,
            "SMS_MFA" => Self::SmsMfa,
            _ => Self::ForgotPassword,
        }
    }
}

/// A code the service "sent": never sent anywhere, it is logged and kept for the emulator-only
/// codes endpoint.
#[derive(Clone, PartialEq, Eq)]
pub struct CodeRow {
    /// The pool.
    pub pool_id: String,
    /// The user (internal name).
    pub username: String,
    /// What it is for.
    pub purpose: CodePurpose,
    /// Six digits.
    pub code: String,
    /// Unix seconds.
    pub expires: i64,
    /// Wrong attempts so far.
    pub attempts: u32,
}

impl std::fmt::Debug for CodeRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeRow")
            .field("username", &self.username)
            .field("purpose", &self.purpose)
            .finish_non_exhaustive()
    }
}

const CODE_COLUMNS: &str = "SELECT pool_id, username, purpose, code, expires, attempts FROM codes";

fn code_row(row: &rusqlite::Row<'_>) -> Result<CodeRow> {
    Ok(CodeRow {
        pool_id: row.get(0)?,
        username: row.get(1)?,
        purpose: CodePurpose::parse(&row.get::<_, String>(2)?),
        code: row.get(3)?,
        expires: row.get(4)?,
        attempts: row.get(5)?,
    })
}

/// What `ListUsers` compares in its `Filter`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilterField {
    /// `username`.
    Username,
    /// `sub`.
    Sub,
    /// `cognito:user_status`.
    Status,
    /// `status`: `Enabled` or `Disabled`.
    Enabled,
    /// A standard attribute (`email`, `phone_number`, `name`, ...).
    Attribute(String),
}

/// A parsed `ListUsers` `Filter`: `field = "value"` or `field ^= "prefix"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserFilter {
    /// What is compared.
    pub field: FilterField,
    /// `^=`: starts with.
    pub prefix: bool,
    /// The quoted value.
    pub value: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The file the one-pool emulator wrote (tests/fixtures/README.md) opens, its rows in the
    /// pool named at start; opening it again changes nothing.
    #[test]
    fn a_version_1_file_is_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        let fixture = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/state-v1.sqlite"
        );
        std::fs::copy(fixture, &path).unwrap();
        let store = Store::open(Some(&path), "us-east-1_Legacy").unwrap();
        let alice = store.user("us-east-1_Legacy", "alice").unwrap().unwrap();
        assert!(alice.totp_secret.is_some());
        let devices = store.devices("us-east-1_Legacy", "alice", true).unwrap();
        assert_eq!(devices.len(), 1);
        assert_eq!(devices[0].name.as_deref(), Some("fixture laptop"));
        assert!(store.user("us-east-1_Other", "alice").unwrap().is_none());
        drop(store);
        let again = Store::open(Some(&path), "us-east-1_Ignored").unwrap();
        assert!(again.user("us-east-1_Legacy", "alice").unwrap().is_some());
        assert!(again.user("us-east-1_Ignored", "alice").unwrap().is_none());
    }

    /// A file of schema 2 (what the many-pool emulator wrote before revocation) gains the
    /// columns and tables of schema 3 and keeps its rows.
    #[test]
    fn a_version_2_file_is_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        let connection = Connection::open(&path).unwrap();
        connection.execute_batch(SCHEMA).unwrap();
        connection
            .execute_batch(
                "INSERT INTO users VALUES ('p_1', 'bob', 'sub-1', 'CONFIRMED', '00', '01', NULL,
                     '{}', '-ABCDEFGHI', 1, 1, NULL);
                 INSERT INTO refresh_tokens VALUES ('h', 'p_1', 'bob', 'c', NULL, 1, 'o', 99);",
            )
            .unwrap();
        connection.pragma_update(None, "user_version", 2).unwrap();
        drop(connection);
        let store = Store::open(Some(&path), "x_y").unwrap();
        let bob = store.user("p_1", "bob").unwrap().unwrap();
        assert!(bob.enabled);
        let token = store.refresh("h").unwrap().unwrap();
        assert!(!token.revoked);
        assert_eq!(token.replaced_at, None);
        assert!(!store.origin_revoked("p_1", "o").unwrap());
        store.revoke_origin("p_1", "o").unwrap();
        assert!(store.origin_revoked("p_1", "o").unwrap());
        assert!(store.use_totp_step("p_1", "bob", 5).unwrap());
        assert!(!store.use_totp_step("p_1", "bob", 5).unwrap());
        drop(store);
        let connection = Connection::open(&path).unwrap();
        let version: i64 = connection
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
    }

    /// A new state file and its `-wal` and `-shm` are 0600 whatever the umask; a file others
    /// may write is refused, one they may read is made 0600.
    #[cfg(unix)]
    #[test]
    fn state_files_are_the_owners_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        let store = Store::open(Some(&path), "x_y").unwrap();
        store.revoke_origin("p", "o").unwrap();
        assert_eq!(mode(&path), 0o600);
        for suffix in ["-wal", "-shm"] {
            let side = dir.path().join(format!("state.sqlite{suffix}"));
            assert_eq!(mode(&side), 0o600, "{suffix}");
        }
        drop(store);
        for readable in [0o644, 0o664] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(readable)).unwrap();
            Store::open(Some(&path), "x_y").unwrap();
            assert_eq!(mode(&path), 0o600, "{readable:o}");
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        let refused = Store::open(Some(&path), "x_y").unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("may be written by other users"),
            "{refused}"
        );
    }

    #[test]
    fn a_newer_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        let connection = Connection::open(&path).unwrap();
        connection.pragma_update(None, "user_version", 9).unwrap();
        drop(connection);
        assert!(matches!(
            Store::open(Some(&path), "x_y"),
            Err(OpenError::NewerSchema(9))
        ));
    }
}

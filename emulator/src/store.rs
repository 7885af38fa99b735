//! The store room: what a user pool keeps between requests, in SQLite (rusqlite, bundled).
//! A file with `--state FILE`, so users, remembered devices and refresh tokens survive a
//! restart; otherwise an in-memory database, so both modes run the same queries.
//!
//! As the service does, a user is kept as the SRP salt and verifier, never the password; a
//! device as the `DeviceSecretVerifierConfig` it was confirmed with; a refresh token as its
//! SHA-256, so the file holds nothing that signs in by itself.

use rusqlite::{Connection, OptionalExtension, params};
use std::{path::Path, sync::Mutex};

/// The schema; `IF NOT EXISTS` so a state file from an earlier run is reused as it is.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    sub TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    salt_hex TEXT NOT NULL,
    verifier_hex TEXT NOT NULL,
    totp_secret TEXT,
    attributes TEXT NOT NULL,
    device_group_key TEXT NOT NULL,
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS devices (
    device_key TEXT PRIMARY KEY,
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
CREATE INDEX IF NOT EXISTS devices_by_user ON devices (username);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    token_sha256 TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    client_id TEXT NOT NULL,
    device_key TEXT,
    auth_time INTEGER NOT NULL,
    origin_jti TEXT NOT NULL,
    expires INTEGER NOT NULL
);
";

/// A user's account status, as `UserStatus` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserStatus {
    /// Signed up, not yet confirmed.
    Unconfirmed,
    /// Can sign in.
    Confirmed,
    /// Created by an administrator with a temporary password: must set a new one.
    ForceChangePassword,
}

impl UserStatus {
    /// The API's name for the status.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unconfirmed => "UNCONFIRMED",
            Self::Confirmed => "CONFIRMED",
            Self::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "UNCONFIRMED" => Self::Unconfirmed,
            "FORCE_CHANGE_PASSWORD" => Self::ForceChangePassword,
            _ => Self::Confirmed,
        }
    }
}

/// A user as the pool keeps it.
#[derive(Clone, PartialEq, Eq)]
pub struct UserRow {
    /// The user name, which is also `USER_ID_FOR_SRP` in this pool (no aliases).
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
}

impl std::fmt::Debug for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The verifier allows offline guessing and the TOTP secret makes codes: not printed.
        f.debug_struct("UserRow")
            .field("username", &self.username)
            .field("sub", &self.sub)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// A device key the pool issued in `NewDeviceMetadata`, and once confirmed, its verifier.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceRow {
    /// `DeviceKey`, `<region>_<uuid>`.
    pub device_key: String,
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
}

/// The pool's state. One connection behind a mutex: every query is short, and the SRP math
/// runs outside it.
#[derive(Debug)]
pub struct Store {
    connection: Mutex<Connection>,
}

type Result<T> = std::result::Result<T, rusqlite::Error>;

impl Store {
    /// Opens (or creates) the state file, or an in-memory database for `None`.
    pub fn open(path: Option<&Path>) -> Result<Self> {
        let connection = match path {
            Some(path) => Connection::open(path)?,
            None => Connection::open_in_memory()?,
        };
        // Durable enough for a test fixture, and readers never wait on the writer.
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.execute_batch(SCHEMA)?;
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

    /// The user named `username`.
    pub fn user(&self, username: &str) -> Result<Option<UserRow>> {
        self.with(|c| {
            c.query_row(
                "SELECT username, sub, status, salt_hex, verifier_hex, totp_secret, attributes,
                        device_group_key, created, modified
                 FROM users WHERE username = ?1",
                params![username],
                |row| {
                    Ok(UserRow {
                        username: row.get(0)?,
                        sub: row.get(1)?,
                        status: UserStatus::parse(&row.get::<_, String>(2)?),
                        salt_hex: row.get(3)?,
                        verifier_hex: row.get(4)?,
                        totp_secret: row.get(5)?,
                        attributes: row.get(6)?,
                        device_group_key: row.get(7)?,
                        created: row.get(8)?,
                        modified: row.get(9)?,
                    })
                },
            )
            .optional()
        })
    }

    /// Adds a user; `false` if the name is taken.
    pub fn insert_user(&self, user: &UserRow) -> Result<bool> {
        self.with(|c| {
            let added = c.execute(
                "INSERT OR IGNORE INTO users (username, sub, status, salt_hex, verifier_hex,
                     totp_secret, attributes, device_group_key, created, modified)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
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
            )?;
            Ok(added == 1)
        })
    }

    /// Replaces a user's password verifier and status.
    pub fn set_user_password(
        &self,
        username: &str,
        salt_hex: &str,
        verifier_hex: &str,
        status: UserStatus,
        now: i64,
    ) -> Result<bool> {
        self.with(|c| {
            let changed = c.execute(
                "UPDATE users SET salt_hex = ?2, verifier_hex = ?3, status = ?4, modified = ?5
                 WHERE username = ?1",
                params![username, salt_hex, verifier_hex, status.as_str(), now],
            )?;
            Ok(changed == 1)
        })
    }

    /// Sets a user's status.
    pub fn set_user_status(&self, username: &str, status: UserStatus, now: i64) -> Result<bool> {
        self.with(|c| {
            let changed = c.execute(
                "UPDATE users SET status = ?2, modified = ?3 WHERE username = ?1",
                params![username, status.as_str(), now],
            )?;
            Ok(changed == 1)
        })
    }

    /// Gives a user a software token (or takes it away).
    pub fn set_user_totp(&self, username: &str, secret: Option<&str>) -> Result<bool> {
        self.with(|c| {
            let changed = c.execute(
                "UPDATE users SET totp_secret = ?2 WHERE username = ?1",
                params![username, secret],
            )?;
            Ok(changed == 1)
        })
    }

    /// Records a device key issued in `NewDeviceMetadata`.
    pub fn issue_device(&self, device: &DeviceRow) -> Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO devices (device_key, username, device_group_key, confirmed,
                     remembered, created, modified)
                 VALUES (?1, ?2, ?3, 0, 'not_remembered', ?4, ?4)",
                params![
                    device.device_key,
                    device.username,
                    device.device_group_key,
                    device.created
                ],
            )?;
            Ok(())
        })
    }

    /// The device with this key, issued or confirmed.
    pub fn device(&self, device_key: &str) -> Result<Option<DeviceRow>> {
        self.with(|c| {
            c.query_row(
                &format!("{DEVICE_COLUMNS} WHERE device_key = ?1"),
                params![device_key],
                device_row,
            )
            .optional()
        })
    }

    /// A user's confirmed devices, oldest first; only remembered ones if asked.
    pub fn devices(&self, username: &str, remembered_only: bool) -> Result<Vec<DeviceRow>> {
        self.with(|c| {
            let mut statement = c.prepare(&format!(
                "{DEVICE_COLUMNS} WHERE username = ?1 AND confirmed = 1
                   AND (?2 = 0 OR remembered = 'remembered')
                 ORDER BY created, device_key"
            ))?;
            let rows = statement.query_map(params![username, remembered_only], device_row)?;
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
        self.with(|c| {
            let changed = c.execute(
                "UPDATE devices SET confirmed = 1, password_verifier = ?2, salt = ?3, name = ?4,
                     remembered = ?5, modified = ?6
                 WHERE device_key = ?1 AND confirmed = 0",
                params![device_key, password_verifier, salt, name, remembered, now],
            )?;
            Ok(changed == 1)
        })
    }

    /// Sets `remembered` / `not_remembered`.
    pub fn set_device_remembered(&self, device_key: &str, status: &str, now: i64) -> Result<bool> {
        self.with(|c| {
            let changed = c.execute(
                "UPDATE devices SET remembered = ?2, modified = ?3 WHERE device_key = ?1",
                params![device_key, status, now],
            )?;
            Ok(changed == 1)
        })
    }

    /// Records a device sign-in.
    pub fn touch_device(&self, device_key: &str, ip: &str, now: i64) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE devices SET last_authenticated = ?2, last_ip = ?3 WHERE device_key = ?1",
                params![device_key, now, ip],
            )?;
            Ok(())
        })
    }

    /// Forgets a device, and the refresh tokens bound to it. `false` if there was none.
    pub fn forget_device(&self, device_key: &str) -> Result<bool> {
        self.with(|c| {
            c.execute(
                "DELETE FROM refresh_tokens WHERE device_key = ?1",
                params![device_key],
            )?;
            let removed = c.execute(
                "DELETE FROM devices WHERE device_key = ?1",
                params![device_key],
            )?;
            Ok(removed == 1)
        })
    }

    /// Keeps a refresh token (by its SHA-256).
    pub fn insert_refresh(&self, token_sha256: &str, row: &RefreshRow) -> Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO refresh_tokens (token_sha256, username, client_id, device_key,
                     auth_time, origin_jti, expires)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    token_sha256,
                    row.username,
                    row.client_id,
                    row.device_key,
                    row.auth_time,
                    row.origin_jti,
                    row.expires
                ],
            )?;
            Ok(())
        })
    }

    /// What a refresh token (by its SHA-256) stands for.
    pub fn refresh(&self, token_sha256: &str) -> Result<Option<RefreshRow>> {
        self.with(|c| {
            c.query_row(
                "SELECT username, client_id, device_key, auth_time, origin_jti, expires
                 FROM refresh_tokens WHERE token_sha256 = ?1",
                params![token_sha256],
                |row| {
                    Ok(RefreshRow {
                        username: row.get(0)?,
                        client_id: row.get(1)?,
                        device_key: row.get(2)?,
                        auth_time: row.get(3)?,
                        origin_jti: row.get(4)?,
                        expires: row.get(5)?,
                    })
                },
            )
            .optional()
        })
    }

    /// The number of users, for `EstimatedNumberOfUsers`.
    pub fn user_count(&self) -> Result<i64> {
        self.with(|c| c.query_row("SELECT COUNT(*) FROM users", [], |row| row.get(0)))
    }
}

const DEVICE_COLUMNS: &str = "SELECT device_key, username, device_group_key, confirmed, remembered,
    password_verifier, salt, name, last_ip, created, modified, last_authenticated FROM devices";

fn device_row(row: &rusqlite::Row<'_>) -> Result<DeviceRow> {
    Ok(DeviceRow {
        device_key: row.get(0)?,
        username: row.get(1)?,
        device_group_key: row.get(2)?,
        confirmed: row.get(3)?,
        remembered: row.get(4)?,
        password_verifier: row.get(5)?,
        salt: row.get(6)?,
        name: row.get(7)?,
        last_ip: row.get(8)?,
        created: row.get(9)?,
        modified: row.get(10)?,
        last_authenticated: row.get(11)?,
    })
}

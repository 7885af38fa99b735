//! The `Session` of a sign-in in progress: what the pool remembers between a challenge and its
//! answer. Single-use and expiring after 3 minutes, as the service's are.
//!
//! The service also takes answers without a `Session` (pycognito sends none on the device
//! steps and on `PASSWORD_VERIFIER`, and it works against AWS): a `*PASSWORD_VERIFIER` answer is
//! then found by the `PASSWORD_CLAIM_SECRET_BLOCK` it echoes (the service's `SECRET_BLOCK` is
//! its own sealed state), and a `DEVICE_SRP_AUTH` answer by its user and `DEVICE_KEY`. A given
//! `Session` must be valid.

use crate::error::ServiceError;
use cognito_srp6a::IssuedChallenge;
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// How long a challenge can be answered.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(180);
/// Pending sign-ins kept at most; past it the oldest are dropped (a flood of `InitiateAuth`
/// cannot grow the emulator without bound).
const MAX_PENDING: usize = 100_000;

/// Which device a sign-in goes through, as far as it has got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeviceState {
    /// No device: the tokens come with `NewDeviceMetadata`.
    None,
    /// A confirmed device that is not remembered: no device challenge, no new key.
    NotRemembered(String),
    /// A remembered device, not yet proven: `DEVICE_SRP_AUTH` comes next.
    Remembered(String),
    /// A remembered device whose proof passed.
    Authenticated(String),
}

impl DeviceState {
    /// The device key the tokens are bound to, if any.
    pub fn key(&self) -> Option<&str> {
        match self {
            Self::None => None,
            Self::NotRemembered(key) | Self::Remembered(key) | Self::Authenticated(key) => {
                Some(key)
            }
        }
    }
}

/// How far a sign-in has got.
#[derive(Clone, Debug)]
pub struct Progress {
    /// The internal user name.
    pub username: String,
    /// The app client it signs in to.
    pub client_id: String,
    /// The device.
    pub device: DeviceState,
    /// Whether `SOFTWARE_TOKEN_MFA` passed.
    pub mfa_passed: bool,
}

/// The challenge a session waits on.
#[derive(Debug)]
pub enum Step {
    /// `PASSWORD_VERIFIER`, with the `DEVICE_KEY` `InitiateAuth` named, if any.
    PasswordVerifier {
        /// The issued challenge, consumed by its check.
        issued: IssuedChallenge,
        /// `DEVICE_KEY` from `InitiateAuth`.
        initiate_device_key: Option<String>,
    },
    /// `NEW_PASSWORD_REQUIRED`.
    NewPasswordRequired,
    /// `SOFTWARE_TOKEN_MFA`.
    SoftwareTokenMfa,
    /// `DEVICE_SRP_AUTH`.
    DeviceSrpAuth,
    /// `DEVICE_PASSWORD_VERIFIER`.
    DevicePasswordVerifier {
        /// The issued challenge, consumed by its check.
        issued: IssuedChallenge,
    },
}

impl Step {
    /// The `ChallengeName` this step answers.
    pub fn challenge_name(&self) -> &'static str {
        match self {
            Self::PasswordVerifier { .. } => "PASSWORD_VERIFIER",
            Self::NewPasswordRequired => "NEW_PASSWORD_REQUIRED",
            Self::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA",
            Self::DeviceSrpAuth => "DEVICE_SRP_AUTH",
            Self::DevicePasswordVerifier { .. } => "DEVICE_PASSWORD_VERIFIER",
        }
    }
}

/// A sign-in waiting for an answer.
#[derive(Debug)]
pub struct Pending {
    /// How far it has got.
    pub progress: Progress,
    /// What it waits for.
    pub step: Step,
}

/// How an answer without a `Session` finds its sign-in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Handle {
    /// The `SECRET_BLOCK` of a `*PASSWORD_VERIFIER` challenge.
    SecretBlock(String),
    /// User and device of a `DEVICE_SRP_AUTH` challenge.
    Device(String, String),
}

struct Entry {
    pending: Pending,
    expires: Instant,
    handle: Option<Handle>,
}

#[derive(Default)]
struct Inner {
    by_id: HashMap<String, Entry>,
    by_handle: HashMap<Handle, String>,
    /// Used sessions until they would have expired: a replayed answer is told apart from a
    /// made-up session.
    spent: HashMap<String, Instant>,
    inserts: u64,
}

/// The pool's sessions.
pub struct Sessions {
    inner: Mutex<Inner>,
    lifetime: Duration,
}

impl Default for Sessions {
    fn default() -> Self {
        Self {
            inner: Mutex::default(),
            lifetime: SESSION_LIFETIME,
        }
    }
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions").finish_non_exhaustive()
    }
}

/// A pending sign-in taken out of the map, with what [`Sessions::restore`] needs.
#[derive(Debug)]
pub struct Taken {
    /// Its session id.
    pub id: String,
    /// Its handle, if it had one.
    pub handle: Option<Handle>,
    /// The sign-in.
    pub pending: Pending,
}

/// Where an answer's sign-in is looked up.
#[derive(Clone, Copy, Debug)]
pub enum Lookup<'a> {
    /// By the `Session` the client sent.
    Session(&'a str),
    /// No `Session`: by a handle.
    Handle(&'a Handle),
}

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Every change below is a whole map operation: a poisoned lock holds consistent maps.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Stores a pending sign-in under a new session id, and under `handle` for answers that
    /// come without it. Returns the session id.
    pub fn insert(&self, pending: Pending, handle: Option<Handle>) -> String {
        let id = new_session_id();
        let now = Instant::now();
        let mut inner = self.lock();
        inner.inserts += 1;
        if inner.inserts.is_multiple_of(256) || inner.by_id.len() >= MAX_PENDING {
            purge(&mut inner, now);
        }
        if let Some(handle) = &handle {
            inner.by_handle.insert(handle.clone(), id.clone());
        }
        inner.by_id.insert(
            id.clone(),
            Entry {
                pending,
                expires: now + self.lifetime,
                handle,
            },
        );
        id
    }

    /// Takes the pending sign-in an answer belongs to; it cannot be taken twice. The error for
    /// a session that is unknown, expired or already used, as the service words it.
    pub fn take(&self, lookup: Lookup<'_>) -> Result<Taken, ServiceError> {
        let now = Instant::now();
        let mut inner = self.lock();
        let id = match lookup {
            Lookup::Session(id) => id.to_string(),
            Lookup::Handle(handle) => match inner.by_handle.get(handle) {
                Some(id) => id.clone(),
                None => return Err(ServiceError::incorrect_password()),
            },
        };
        let Some(entry) = inner.by_id.remove(&id) else {
            return Err(if inner.spent.contains_key(&id) {
                // A replayed answer: the same refusal as a wrong proof.
                ServiceError::incorrect_password()
            } else {
                invalid_session()
            });
        };
        if let Some(handle) = &entry.handle {
            inner.by_handle.remove(handle);
        }
        inner.spent.insert(id.clone(), entry.expires);
        if entry.expires <= now {
            return Err(ServiceError::NotAuthorizedException(
                "Invalid session for the user, session is expired.".into(),
            ));
        }
        Ok(Taken {
            id,
            handle: entry.handle,
            pending: entry.pending,
        })
    }

    /// Puts back a sign-in taken by [`Sessions::take`] that the answer did not use up: after
    /// "Device does not exist." the client retries the same answer without the device.
    pub fn restore(&self, taken: Taken) {
        let Taken {
            id,
            handle,
            pending,
        } = taken;
        let mut inner = self.lock();
        inner.spent.remove(&id);
        if let Some(handle) = &handle {
            inner.by_handle.insert(handle.clone(), id.clone());
        }
        inner.by_id.insert(
            id,
            Entry {
                pending,
                // The original deadline is not kept: a fresh one for the retry, as short.
                expires: Instant::now() + self.lifetime,
                handle,
            },
        );
    }
}

/// "Invalid session for the user.": a session this pool never issued.
pub fn invalid_session() -> ServiceError {
    ServiceError::NotAuthorizedException("Invalid session for the user.".into())
}

fn purge(inner: &mut Inner, now: Instant) {
    let expired: Vec<String> = inner
        .by_id
        .iter()
        .filter(|(_, entry)| entry.expires <= now)
        .map(|(id, _)| id.clone())
        .collect();
    for id in expired {
        if let Some(entry) = inner.by_id.remove(&id)
            && let Some(handle) = entry.handle
        {
            inner.by_handle.remove(&handle);
        }
    }
    inner.spent.retain(|_, expires| *expires > now);
    // Still full of live entries: drop the ones closest to expiry.
    if inner.by_id.len() >= MAX_PENDING {
        let mut ids: Vec<(Instant, String)> = inner
            .by_id
            .iter()
            .map(|(id, entry)| (entry.expires, id.clone()))
            .collect();
        ids.sort();
        for (_, id) in ids.into_iter().take(MAX_PENDING / 10) {
            if let Some(entry) = inner.by_id.remove(&id)
                && let Some(handle) = entry.handle
            {
                inner.by_handle.remove(&handle);
            }
        }
    }
}

/// 64 random bytes, URL-safe base64: unguessable, and safe in any client's JSON.
fn new_session_id() -> String {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    use rand::Rng;
    let mut bytes = [0u8; 64];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending() -> Pending {
        Pending {
            progress: Progress {
                username: "u".into(),
                client_id: "c".into(),
                device: DeviceState::None,
                mfa_passed: false,
            },
            step: Step::SoftwareTokenMfa,
        }
    }

    #[test]
    fn single_use_expiring_and_found_by_handle() {
        let sessions = Sessions::default();
        let id = sessions.insert(pending(), None);
        assert!(sessions.take(Lookup::Session(&id)).is_ok());
        let replay = sessions.take(Lookup::Session(&id)).unwrap_err();
        assert_eq!(replay.message(), "Incorrect username or password.");
        let unknown = sessions.take(Lookup::Session("made-up")).unwrap_err();
        assert_eq!(unknown.message(), "Invalid session for the user.");

        let handle = Handle::SecretBlock("block".into());
        let id = sessions.insert(pending(), Some(handle.clone()));
        let taken = sessions.take(Lookup::Handle(&handle)).unwrap();
        assert_eq!(taken.id, id);
        assert!(sessions.take(Lookup::Handle(&handle)).is_err());
        sessions.restore(taken);
        assert!(
            sessions.take(Lookup::Session(&id)).is_ok(),
            "restored for the retry"
        );

        let expired = Sessions {
            inner: Mutex::default(),
            lifetime: Duration::ZERO,
        };
        let id = expired.insert(pending(), None);
        let error = expired.take(Lookup::Session(&id)).unwrap_err();
        assert_eq!(
            error.message(),
            "Invalid session for the user, session is expired."
        );
    }
}

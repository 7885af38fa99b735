//! The `Session` of a sign-in in progress: what the service remembers between a challenge and
//! its answer. Single-use, and expiring after the client's `AuthSessionValidity` (3 minutes
//! by default), as the service's are.
//!
//! The service also takes answers without a `Session` (pycognito sends none on
//! `PASSWORD_VERIFIER` and the device steps, and it works against AWS). A `*PASSWORD_VERIFIER`
//! answer is then found by the `PASSWORD_CLAIM_SECRET_BLOCK` it echoes: the service's
//! `SECRET_BLOCK` is random and only the client it was sent to knows it. A `DEVICE_SRP_AUTH`
//! answer is found by its `DEVICE_KEY` and its `SRP_A`, which must be the `SRP_A` the sign-in's
//! `USER_SRP_AUTH` sent (pycognito reuses its ephemeral for the device step), and only when the
//! `PASSWORD_VERIFIER` answer before it came without a `Session` too. A caller who holds a
//! device's key and password but not the user's password cannot know that `SRP_A`, so cannot
//! take over a sign-in in progress nor spend it; a client that sends `Session`s is never found
//! any other way. A given `Session` must be valid.
//!
//! Memory is bounded by the flood, not the users: every kept field is bounded (user names by
//! the pool, device keys by the service's 55 characters, `SRP_A` by the core's 4096 bits), each
//! user holds at most [`MAX_PER_USER`] sign-ins in progress (a new one drops that user's
//! oldest), and when the total passes [`MAX_BYTES`] the user holding the most loses its oldest.

use crate::{clock::Clock, error::ServiceError};
use cognito_srp6a::IssuedChallenge;
use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
};

/// Sign-ins in progress one user may have at once.
pub const MAX_PER_USER: usize = 16;
/// The estimated memory all sign-ins in progress may hold.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// The longest `DEVICE_KEY` kept: the service's `DeviceKeyType` is at most 55 characters.
pub const MAX_DEVICE_KEY: usize = 55;
/// The estimated size of an issued challenge (the verifier, `B`, `b`, `A` and the identity).
const CHALLENGE_BYTES: usize = 4096;

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
    /// The pool.
    pub pool_id: String,
    /// The internal user name.
    pub username: String,
    /// The app client it signs in to.
    pub client_id: String,
    /// The device.
    pub device: DeviceState,
    /// Whether `SOFTWARE_TOKEN_MFA` passed.
    pub mfa_passed: bool,
    /// SHA-256 of the `SRP_A` that `USER_SRP_AUTH` sent: what ties a sessionless device step
    /// to this sign-in.
    pub user_srp_a: [u8; 32],
    /// Whether the client has answered without a `Session` so far.
    pub sessionless: bool,
    /// Wrong MFA codes answered in this sign-in so far.
    pub wrong_codes: u32,
}

/// The challenge a session waits on.
#[derive(Debug)]
pub enum Step {
    /// `PASSWORD_VERIFIER`, with the `DEVICE_KEY` `InitiateAuth` named, if any (cut to
    /// [`MAX_DEVICE_KEY`] characters: a longer one names no device).
    PasswordVerifier {
        /// The issued challenge, consumed by its check.
        issued: IssuedChallenge,
        /// `DEVICE_KEY` from `InitiateAuth`.
        initiate_device_key: Option<String>,
    },
    /// `PASSWORD_VERIFIER` answered with a right proof but an unknown device: the client may
    /// send the same answer (the SHA-256 of its `PASSWORD_CLAIM_SIGNATURE`) again without the
    /// device, once.
    PasswordProven {
        /// SHA-256 of the proven answer's `PASSWORD_CLAIM_SIGNATURE`.
        signature: [u8; 32],
    },
    /// `SELECT_CHALLENGE`: a `USER_AUTH` sign-in choosing its first factor.
    SelectChallenge,
    /// `NEW_PASSWORD_REQUIRED`.
    NewPasswordRequired,
    /// `SOFTWARE_TOKEN_MFA`.
    SoftwareTokenMfa,
    /// `SMS_MFA`: the code sent by SMS (logged, never sent).
    SmsMfa,
    /// `SELECT_MFA_TYPE`: the user has two factors and prefers neither.
    SelectMfaType,
    /// `MFA_SETUP`: `AssociateSoftwareToken` and `VerifySoftwareToken` take its `Session`.
    MfaSetup,
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
            Self::PasswordVerifier { .. } | Self::PasswordProven { .. } => "PASSWORD_VERIFIER",
            Self::SelectChallenge => "SELECT_CHALLENGE",
            Self::NewPasswordRequired => "NEW_PASSWORD_REQUIRED",
            Self::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA",
            Self::SmsMfa => "SMS_MFA",
            Self::SelectMfaType => "SELECT_MFA_TYPE",
            Self::MfaSetup => "MFA_SETUP",
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

impl Pending {
    /// An estimate of the memory it holds, for [`MAX_BYTES`].
    fn bytes(&self) -> usize {
        let progress = &self.progress;
        let strings = progress.pool_id.len()
            + progress.username.len()
            + progress.client_id.len()
            + progress.device.key().map_or(0, str::len);
        let step = match &self.step {
            Step::PasswordVerifier {
                initiate_device_key,
                ..
            } => CHALLENGE_BYTES + initiate_device_key.as_ref().map_or(0, String::len),
            Step::DevicePasswordVerifier { .. } => CHALLENGE_BYTES,
            _ => 0,
        };
        std::mem::size_of::<Entry>() + strings + step + 2 * SESSION_ID_BYTES
    }
}

/// How an answer without a `Session` finds its sign-in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Handle {
    /// The `SECRET_BLOCK` of a `*PASSWORD_VERIFIER` challenge.
    SecretBlock(String),
    /// The `DEVICE_SRP_AUTH` step of a sign-in whose client sends no `Session`: its pool,
    /// device key, and the SHA-256 of its `USER_SRP_AUTH` `SRP_A`.
    Device {
        /// The pool.
        pool_id: String,
        /// `DEVICE_KEY`.
        device_key: String,
        /// SHA-256 of `SRP_A`.
        srp_a: [u8; 32],
    },
}

type Owner = (String, String);

#[derive(Debug)]
struct Entry {
    pending: Pending,
    expires: i64,
    handle: Option<Handle>,
    bytes: usize,
}

#[derive(Default)]
struct Inner {
    by_id: HashMap<String, Entry>,
    by_handle: HashMap<Handle, String>,
    /// Each user's sign-ins in progress, oldest first.
    by_owner: HashMap<Owner, VecDeque<String>>,
    bytes: usize,
    /// Used sessions until they would have expired: a replayed answer is told apart from a
    /// made-up session.
    spent: HashMap<String, i64>,
    inserts: u64,
}

/// The length of a session id (64 random bytes, base64url).
const SESSION_ID_BYTES: usize = 86;
/// Spent session ids remembered at most; past it the oldest are forgotten (a replay is then
/// answered as a made-up session, which refuses it all the same).
const MAX_SPENT: usize = 200_000;

/// The service's sign-ins in progress.
pub struct Sessions {
    inner: Mutex<Inner>,
    clock: Arc<dyn Clock>,
    max_bytes: usize,
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
    /// When it expires (Unix seconds): a restored sign-in keeps it.
    expires: i64,
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
    /// Sessions on `clock`, holding at most `max_bytes` (estimated).
    pub fn new(clock: Arc<dyn Clock>, max_bytes: usize) -> Self {
        Self {
            inner: Mutex::default(),
            clock,
            max_bytes,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Every change below is a whole map operation: a poisoned lock holds consistent maps.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Stores a pending sign-in for `lifetime` seconds under a new session id, and under
    /// `handle` for answers that come without it. Returns the session id.
    pub fn insert(&self, pending: Pending, handle: Option<Handle>, lifetime: i64) -> String {
        let id = new_session_id();
        self.put(id.clone(), pending, handle, lifetime);
        id
    }

    fn put(&self, id: String, pending: Pending, handle: Option<Handle>, lifetime: i64) {
        let expires = self.clock.now().saturating_add(lifetime);
        self.put_until(id, pending, handle, expires);
    }

    fn put_until(&self, id: String, pending: Pending, handle: Option<Handle>, expires: i64) {
        let now = self.clock.now();
        let owner = (
            pending.progress.pool_id.clone(),
            pending.progress.username.clone(),
        );
        let bytes = pending.bytes();
        let mut inner = self.lock();
        inner.inserts += 1;
        if inner.inserts.is_multiple_of(256) {
            purge(&mut inner, now);
        }
        // This user's oldest first, then the biggest holder's, until the new one fits.
        while inner
            .by_owner
            .get(&owner)
            .is_some_and(|ids| ids.len() >= MAX_PER_USER)
        {
            evict_oldest_of(&mut inner, &owner);
        }
        while inner.bytes + bytes > self.max_bytes && !inner.by_id.is_empty() {
            let Some(biggest) = inner
                .by_owner
                .iter()
                .max_by_key(|(_, ids)| ids.len())
                .map(|(owner, _)| owner.clone())
            else {
                break;
            };
            evict_oldest_of(&mut inner, &biggest);
        }
        // Two sign-ins cannot share a handle: the older one is no longer reachable without
        // its Session.
        if let Some(handle) = &handle
            && let Some(previous) = inner.by_handle.insert(handle.clone(), id.clone())
            && let Some(entry) = inner.by_id.get_mut(&previous)
        {
            entry.handle = None;
        }
        inner
            .by_owner
            .entry(owner)
            .or_default()
            .push_back(id.clone());
        inner.bytes += bytes;
        inner.by_id.insert(
            id,
            Entry {
                pending,
                expires,
                handle,
                bytes,
            },
        );
    }

    /// Takes the pending sign-in an answer belongs to; it cannot be taken twice. The error for
    /// a session that is unknown, expired or already used, as the service words it.
    pub fn take(&self, lookup: Lookup<'_>) -> Result<Taken, ServiceError> {
        let now = self.clock.now();
        let mut inner = self.lock();
        let id = match lookup {
            Lookup::Session(id) => id.to_string(),
            Lookup::Handle(handle) => match inner.by_handle.get(handle) {
                Some(id) => id.clone(),
                None => return Err(ServiceError::incorrect_password()),
            },
        };
        let Some(entry) = remove(&mut inner, &id) else {
            return Err(if inner.spent.contains_key(&id) {
                // A replayed answer: the same refusal as a wrong proof.
                ServiceError::incorrect_password()
            } else {
                invalid_session()
            });
        };
        if inner.spent.len() >= MAX_SPENT {
            inner.spent.retain(|_, expires| *expires > now);
        }
        if inner.spent.len() < MAX_SPENT {
            inner.spent.insert(id.clone(), entry.expires);
        }
        if entry.expires <= now {
            return Err(ServiceError::NotAuthorizedException(
                "Invalid session for the user, session is expired.".into(),
            ));
        }
        Ok(Taken {
            id,
            handle: entry.handle,
            pending: entry.pending,
            expires: entry.expires,
        })
    }

    /// Puts back a sign-in taken by [`Sessions::take`] that the answer did not use up: after
    /// "Device does not exist." the client retries the same answer without the device.
    pub fn restore(&self, taken: Taken) {
        let Taken {
            id,
            handle,
            pending,
            expires,
        } = taken;
        self.lock().spent.remove(&id);
        // The original deadline is kept: a sign-in retried any number of times still ends
        // when its session would have.
        self.put_until(id, pending, handle, expires);
    }

    /// How many sign-ins are in progress and the memory they are estimated to hold.
    #[cfg(test)]
    pub fn usage(&self) -> (usize, usize) {
        let inner = self.lock();
        (inner.by_id.len(), inner.bytes)
    }
}

/// Removes a sign-in and its index entries.
fn remove(inner: &mut Inner, id: &str) -> Option<Entry> {
    let entry = inner.by_id.remove(id)?;
    if let Some(handle) = &entry.handle
        && inner.by_handle.get(handle).is_some_and(|held| held == id)
    {
        inner.by_handle.remove(handle);
    }
    let owner = (
        entry.pending.progress.pool_id.clone(),
        entry.pending.progress.username.clone(),
    );
    if let Some(ids) = inner.by_owner.get_mut(&owner) {
        ids.retain(|held| held != id);
        if ids.is_empty() {
            inner.by_owner.remove(&owner);
        }
    }
    inner.bytes = inner.bytes.saturating_sub(entry.bytes);
    Some(entry)
}

fn evict_oldest_of(inner: &mut Inner, owner: &Owner) {
    let oldest = inner
        .by_owner
        .get(owner)
        .and_then(|ids| ids.front().cloned());
    match oldest {
        Some(id) => {
            remove(inner, &id);
        }
        None => {
            inner.by_owner.remove(owner);
        }
    }
}

/// "Invalid session for the user.": a session this service never issued.
pub fn invalid_session() -> ServiceError {
    ServiceError::NotAuthorizedException("Invalid session for the user.".into())
}

fn purge(inner: &mut Inner, now: i64) {
    let expired: Vec<String> = inner
        .by_id
        .iter()
        .filter(|(_, entry)| entry.expires <= now)
        .map(|(id, _)| id.clone())
        .collect();
    for id in expired {
        remove(inner, &id);
    }
    inner.spent.retain(|_, expires| *expires > now);
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
    use crate::clock::ManualClock;

    fn pending(user: &str) -> Pending {
        Pending {
            progress: Progress {
                wrong_codes: 0,
                pool_id: "us-east-1_p".into(),
                username: user.into(),
                client_id: "c".into(),
                device: DeviceState::None,
                mfa_passed: false,
                user_srp_a: [0; 32],
                sessionless: false,
            },
            step: Step::SoftwareTokenMfa,
        }
    }

    #[test]
    fn single_use_expiring_and_found_by_handle() {
        let clock = ManualClock::at(1_000);
        let sessions = Sessions::new(Arc::new(clock.clone()), MAX_BYTES);
        let id = sessions.insert(pending("u"), None, 180);
        assert!(sessions.take(Lookup::Session(&id)).is_ok());
        let replay = sessions.take(Lookup::Session(&id)).unwrap_err();
        assert_eq!(replay.message(), "Incorrect username or password.");
        let unknown = sessions.take(Lookup::Session("made-up")).unwrap_err();
        assert_eq!(unknown.message(), "Invalid session for the user.");

        let handle = Handle::SecretBlock("block".into());
        let id = sessions.insert(pending("u"), Some(handle.clone()), 180);
        let taken = sessions.take(Lookup::Handle(&handle)).unwrap();
        assert_eq!(taken.id, id);
        assert!(sessions.take(Lookup::Handle(&handle)).is_err());
        sessions.restore(taken);
        assert!(
            sessions.take(Lookup::Session(&id)).is_ok(),
            "restored for the retry"
        );

        let id = sessions.insert(pending("u"), None, 180);
        clock.advance(180);
        let error = sessions.take(Lookup::Session(&id)).unwrap_err();
        assert_eq!(
            error.message(),
            "Invalid session for the user, session is expired."
        );
    }

    /// A flood of sign-ins for one user, or past the memory bound, drops the flood's own
    /// sign-ins, never another user's.
    #[test]
    fn a_flood_costs_the_flood() {
        let clock = ManualClock::at(0);
        let one = pending("x").bytes();
        let sessions = Sessions::new(Arc::new(clock), one * 40);
        let victim = sessions.insert(pending("victim"), None, 180);
        for _ in 0..1000 {
            sessions.insert(pending("flooder"), None, 180);
        }
        let (count, bytes) = sessions.usage();
        assert_eq!(count, 1 + MAX_PER_USER);
        assert!(bytes <= one * 40);
        for n in 0..1000 {
            sessions.insert(pending(&format!("flooder{}", n % 30)), None, 180);
        }
        let (_, bytes) = sessions.usage();
        assert!(bytes <= one * 40, "{bytes}");
        assert!(sessions.take(Lookup::Session(&victim)).is_ok());
    }
}

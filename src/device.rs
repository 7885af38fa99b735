//! "Remember this device" (`docs/protocol.md`, "Registering a device" and "On the wire" steps
//! 3-4): the `DeviceSecretVerifierConfig` for `ConfirmDevice`, and the `DEVICE_SRP_AUTH` /
//! `DEVICE_PASSWORD_VERIFIER` answers. The identity is P = DeviceGroupKey, I = DeviceKey,
//! secret = the device password; the math and the exchange it shares with a user sign-in
//! (the ephemeral, the parsed challenge, the answer's parameters) are in `srp` and `params`.

use crate::{
    Error,
    encoding::{AsciiBuf, encode_base64},
    params::{Parameters, PasswordClaim},
    srp::{self, ClientEphemeral, Identity},
    timestamp::Timestamp,
    wire::{AppClient, PasswordClaimSignature, Salt, SecretHash, SrpA},
};
use core::fmt;
use rand_core::CryptoRng;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Random bytes in a device password (it is their base64: 56 characters).
const DEVICE_PASSWORD_BYTES: usize = 40;
/// Random bytes in a registration salt.
pub const SALT_RANDOM_BYTES: usize = 16;

/// What `ConfirmDevice` takes as `DeviceSecretVerifierConfig`: base64 of `TC(v)` and of
/// `TC(salt)`. These are not secret, but the verifier is a password equivalent for offline
/// guessing; store it as the service does.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceSecretVerifierConfig {
    password_verifier: AsciiBuf<516>,
    salt: AsciiBuf<24>,
}

impl DeviceSecretVerifierConfig {
    /// The verifier for a device password and salt chosen by the caller, for known-answer
    /// tests. `salt_random` is the 16 random bytes before encoding.
    pub fn from_parts(
        device_group_key: &str,
        device_key: &str,
        device_password: &str,
        salt_random: &[u8; SALT_RANDOM_BYTES],
    ) -> Self {
        Self::from_password_bytes(
            device_group_key,
            device_key,
            device_password.as_bytes(),
            salt_random,
        )
    }

    /// The password as bytes: a generated one is used without a UTF-8 check, which would
    /// branch on its secret bytes.
    fn from_password_bytes(
        device_group_key: &str,
        device_key: &str,
        device_password: &[u8],
        salt_random: &[u8; SALT_RANDOM_BYTES],
    ) -> Self {
        let salt = Salt::from_unsigned_be(salt_random);
        let id = Identity {
            p: device_group_key,
            i: device_key,
        };
        let v = crate::wipe::wiped(|| srp::verifier(&srp::private_key(id, device_password, &salt)));
        Self {
            password_verifier: encode_base64(crate::wire::public_tc(&v).as_bytes()),
            salt: encode_base64(salt.tc().as_bytes()),
        }
    }

    /// `PasswordVerifier`, base64.
    pub fn password_verifier(&self) -> &str {
        self.password_verifier.as_str()
    }

    /// `Salt`, base64.
    pub fn salt(&self) -> &str {
        self.salt.as_str()
    }
}

impl fmt::Debug for DeviceSecretVerifierConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceSecretVerifierConfig")
            .field("PasswordVerifier", &self.password_verifier())
            .field("Salt", &self.salt())
            .finish()
    }
}

/// The device password: base64 of 40 random bytes. The app keeps it with the device key and
/// never sends it. Zeroized on drop; `Debug` does not show it.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DevicePassword(AsciiBuf<56>);

impl DevicePassword {
    /// Draws a new password into `self`, in place.
    fn generate_in_place<R: CryptoRng + ?Sized>(&mut self, rng: &mut R) {
        let mut bytes = Zeroizing::new([0u8; DEVICE_PASSWORD_BYTES]);
        rng.fill_bytes(bytes.as_mut());
        self.0.set_base64(bytes.as_ref());
    }

    /// The password text, to store beside the device key.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The password's ASCII bytes. Unlike [`DevicePassword::as_str`], this does not run a
    /// UTF-8 check, whose branches look at the secret bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for DevicePassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevicePassword").finish_non_exhaustive()
    }
}

/// A new device's registration: the config for `ConfirmDevice` and the password to keep.
#[derive(Debug)]
pub struct DeviceRegistration {
    /// Send this to `ConfirmDevice`.
    pub device_secret_verifier_config: DeviceSecretVerifierConfig,
    /// Keep this (with the device key and group key) to sign in with the device later.
    pub device_password: DevicePassword,
}

impl DeviceRegistration {
    /// Draws a device password and a salt from `rng` and makes the verifier, from the
    /// `NewDeviceMetadata` of a sign-in.
    // The result is built where it is returned: the password is written there in place by a
    // callee whose frames are wiped, and never moved.
    pub fn generate<R: CryptoRng + ?Sized>(
        device_group_key: &str,
        device_key: &str,
        rng: &mut R,
    ) -> Self {
        let mut registration = Self {
            device_secret_verifier_config: DeviceSecretVerifierConfig {
                password_verifier: AsciiBuf::new(),
                salt: AsciiBuf::new(),
            },
            device_password: DevicePassword(AsciiBuf::new()),
        };
        crate::wipe::wiped(|| registration.fill(device_group_key, device_key, rng));
        registration
    }

    fn fill<R: CryptoRng + ?Sized>(
        &mut self,
        device_group_key: &str,
        device_key: &str,
        rng: &mut R,
    ) {
        self.device_password.generate_in_place(rng);
        let mut salt = [0u8; SALT_RANDOM_BYTES];
        rng.fill_bytes(&mut salt);
        // The salt is sent to ConfirmDevice: public from the moment it is drawn.
        crate::ct::declassify("salt", &mut salt);
        self.device_secret_verifier_config = DeviceSecretVerifierConfig::from_password_bytes(
            device_group_key,
            device_key,
            self.device_password.0.as_bytes(),
            &salt,
        );
    }
}

/// A device remembered earlier: what the app stored after `ConfirmDevice`.
#[derive(Clone, Copy)]
pub struct RememberedDevice<'a> {
    /// `DeviceGroupKey` from `NewDeviceMetadata`.
    pub device_group_key: &'a str,
    /// `DeviceKey` from `NewDeviceMetadata`.
    pub device_key: &'a str,
    /// The device password from [`DeviceRegistration`], as bytes: `stored.as_bytes()` for a
    /// stored `String`, [`DevicePassword::as_bytes`] for a fresh one. Neither looks at the
    /// bytes; a `&str` from [`DevicePassword::as_str`] would have run a UTF-8 check over them,
    /// which branches on the secret.
    pub device_password: &'a [u8],
}

impl fmt::Debug for RememberedDevice<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RememberedDevice")
            .field("device_group_key", &self.device_group_key)
            .field("device_key", &self.device_key)
            .finish_non_exhaustive()
    }
}

srp::client_sign_in!(RememberedDevice => DeviceSignIn, device, "a device sign-in");

/// A device sign-in waiting for its `DEVICE_PASSWORD_VERIFIER` challenge. Answering it consumes
/// this state, so an ephemeral is never used twice. Not `Clone`:
///
/// ```compile_fail,E0382
/// # use cognito_srp6a::{DevicePasswordVerifierChallenge, DeviceSignIn, Timestamp};
/// # fn answer(sign_in: DeviceSignIn<'_>, c: &DevicePasswordVerifierChallenge<'_>, t: Timestamp) {
/// let first = sign_in.respond(c, t);
/// let again = sign_in.respond(c, t); // error: `sign_in` was moved by the first answer
/// # }
/// ```
pub struct DeviceSignIn<'a> {
    device: RememberedDevice<'a>,
    ephemeral: ClientEphemeral,
}

impl<'a> DeviceSignIn<'a> {
    /// The answer to the `DEVICE_SRP_AUTH` challenge. `username` is the challenge's
    /// `USERNAME` (the internal user name).
    pub fn device_srp_auth<'r>(&'r self, username: &'r str) -> DeviceSrpAuthResponse<'r> {
        DeviceSrpAuthResponse {
            username,
            device_key: self.device.device_key,
            srp_a: self.ephemeral.srp_a(),
            secret_hash: None,
        }
    }

    /// Answers the `DEVICE_PASSWORD_VERIFIER` challenge, signing it at `timestamp`.
    pub fn respond<'r>(
        self,
        challenge: &DevicePasswordVerifierChallenge<'r>,
        timestamp: Timestamp,
    ) -> Result<DevicePasswordVerifierResponse<'r>, Error>
    where
        'a: 'r,
    {
        let id = Identity {
            p: self.device.device_group_key,
            i: self.device.device_key,
        };
        let signature =
            self.ephemeral
                .sign(id, self.device.device_password, &challenge.0, &timestamp)?;
        Ok(DevicePasswordVerifierResponse {
            username: challenge.username(),
            password_claim_secret_block: challenge.0.secret_block(),
            timestamp,
            password_claim_signature: signature,
            device_key: self.device.device_key,
            secret_hash: None,
        })
    }
}

/// The `DEVICE_SRP_AUTH` challenge responses.
#[derive(Debug)]
pub struct DeviceSrpAuthResponse<'a> {
    /// `USERNAME`.
    pub username: &'a str,
    /// `DEVICE_KEY`.
    pub device_key: &'a str,
    /// `SRP_A`.
    pub srp_a: &'a SrpA,
    /// `SECRET_HASH`, for app clients with a secret.
    pub secret_hash: Option<SecretHash>,
}

impl DeviceSrpAuthResponse<'_> {
    /// Adds `SECRET_HASH` for an app client with a secret.
    pub fn with_secret_hash(mut self, client: &AppClient<'_>) -> Self {
        self.secret_hash = Some(client.secret_hash(self.username));
        self
    }

    /// The `ChallengeResponses` parameters.
    pub fn parameters(&self) -> Parameters<'_> {
        Parameters::new([
            Some(("USERNAME", self.username)),
            Some(("DEVICE_KEY", self.device_key)),
            Some(("SRP_A", self.srp_a.as_str())),
            self.secret_hash
                .as_ref()
                .map(|h| ("SECRET_HASH", h.as_str())),
            None,
            None,
        ])
    }
}

/// A `DEVICE_PASSWORD_VERIFIER` challenge, parsed.
pub struct DevicePasswordVerifierChallenge<'a>(srp::Challenge<'a>);

srp::verifier_challenge!(
    DevicePasswordVerifierChallenge,
    "USERNAME",
    username,
    "`USERNAME`.",
    refuse_empty: false
);

/// The `DEVICE_PASSWORD_VERIFIER` challenge responses.
#[derive(Debug)]
pub struct DevicePasswordVerifierResponse<'a> {
    /// `USERNAME`, echoed from the challenge.
    pub username: &'a str,
    /// `PASSWORD_CLAIM_SECRET_BLOCK`, the challenge's `SECRET_BLOCK` as received.
    pub password_claim_secret_block: &'a str,
    /// `TIMESTAMP`.
    pub timestamp: Timestamp,
    /// `PASSWORD_CLAIM_SIGNATURE`.
    pub password_claim_signature: PasswordClaimSignature,
    /// `DEVICE_KEY`.
    pub device_key: &'a str,
    /// `SECRET_HASH`, for app clients with a secret.
    pub secret_hash: Option<SecretHash>,
}

impl DevicePasswordVerifierResponse<'_> {
    /// Adds `SECRET_HASH` for an app client with a secret.
    pub fn with_secret_hash(mut self, client: &AppClient<'_>) -> Self {
        self.secret_hash = Some(client.secret_hash(self.username));
        self
    }

    /// The `ChallengeResponses` parameters.
    pub fn parameters(&self) -> Parameters<'_> {
        PasswordClaim {
            username: self.username,
            secret_block: self.password_claim_secret_block,
            timestamp: &self.timestamp,
            signature: &self.password_claim_signature,
            device_key: Some(self.device_key),
            secret_hash: self.secret_hash.as_ref(),
        }
        .parameters()
    }
}

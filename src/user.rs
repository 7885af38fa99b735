//! User sign-in with a password (`docs/protocol.md`, "On the wire" steps 1-2): `USER_SRP_AUTH`
//! and the `PASSWORD_VERIFIER` challenge. The identity is P = the pool name (the user pool id
//! after its `_`), I = `USER_ID_FOR_SRP`, secret = the password; the math and the exchange it
//! shares with a device sign-in (the ephemeral, the parsed challenge, the answer's parameters)
//! are in `srp` and `params`.

use crate::{
    Error,
    params::{Parameters, PasswordClaim},
    srp::{self, ClientEphemeral, Identity},
    timestamp::Timestamp,
    wire::{AppClient, PasswordClaimSignature, SecretHash, SrpA},
};
use core::fmt;

/// A user pool id such as `us-east-1_AbC123`, and the pool name SRP hashes (`AbC123`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserPoolId<'a> {
    id: &'a str,
    name: &'a str,
}

impl<'a> UserPoolId<'a> {
    /// Splits `region_name`. Like both reference clients, the name is the text between the
    /// first `_` and the next one, if any.
    pub fn parse(id: &'a str) -> Result<Self, Error> {
        let bad = Error::Malformed {
            parameter: "user_pool_id",
        };
        let mut parts = id.split('_');
        let region = parts.next().ok_or(bad)?;
        let name = parts.next().ok_or(bad)?;
        if region.is_empty() || name.is_empty() {
            return Err(bad);
        }
        Ok(Self { id, name })
    }

    /// The whole id.
    pub fn as_str(&self) -> &'a str {
        self.id
    }

    /// The pool name, P in the SRP identity.
    pub fn pool_name(&self) -> &'a str {
        self.name
    }

    /// The region, the text before the first `_` (`us-east-1`): where the pool's endpoint is,
    /// and what its device keys start with.
    pub fn region(&self) -> &'a str {
        // `parse` found a non-empty region before the first `_`; `split` always yields one.
        self.id.split('_').next().unwrap_or_default()
    }
}

/// A user about to sign in with a password.
#[derive(Clone, Copy)]
pub struct User<'a> {
    pool: UserPoolId<'a>,
    username: &'a str,
    password: &'a str,
}

impl fmt::Debug for User<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("pool", &self.pool)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl<'a> User<'a> {
    /// `username` is what the user typed (an alias is fine here: the service answers with the
    /// internal `USER_ID_FOR_SRP`, which the proof uses).
    pub fn new(user_pool_id: &'a str, username: &'a str, password: &'a str) -> Result<Self, Error> {
        Ok(Self {
            pool: UserPoolId::parse(user_pool_id)?,
            username,
            password,
        })
    }
}

srp::client_sign_in!(User => UserSignIn, user, "a sign-in");

/// A user sign-in waiting for its `PASSWORD_VERIFIER` challenge. Answering it consumes this
/// state, so an ephemeral is never used twice. Not `Clone`:
///
/// ```compile_fail,E0382
/// # use cognito_srp6a::{PasswordVerifierChallenge, UserSignIn, Timestamp};
/// # fn answer(sign_in: UserSignIn<'_>, c: &PasswordVerifierChallenge<'_>, t: Timestamp) {
/// let first = sign_in.respond(c, t);
/// let again = sign_in.respond(c, t); // error: `sign_in` was moved by the first answer
/// # }
/// ```
pub struct UserSignIn<'a> {
    user: User<'a>,
    ephemeral: ClientEphemeral,
}

impl<'a> UserSignIn<'a> {
    /// The `AuthParameters` of `InitiateAuth` with `AuthFlow = USER_SRP_AUTH`.
    pub fn user_srp_auth(&self) -> UserSrpAuthParameters<'_> {
        UserSrpAuthParameters {
            username: self.user.username,
            srp_a: self.ephemeral.srp_a(),
            device_key: None,
            secret_hash: None,
        }
    }

    /// Answers the `PASSWORD_VERIFIER` challenge, signing it at `timestamp`.
    pub fn respond<'r>(
        self,
        challenge: &PasswordVerifierChallenge<'r>,
        timestamp: Timestamp,
    ) -> Result<PasswordVerifierResponse<'r>, Error> {
        let id = Identity {
            p: self.user.pool.pool_name(),
            i: challenge.user_id_for_srp(),
        };
        let signature =
            self.ephemeral
                .sign(id, self.user.password.as_bytes(), &challenge.0, &timestamp)?;
        Ok(PasswordVerifierResponse {
            username: challenge.user_id_for_srp(),
            password_claim_secret_block: challenge.0.secret_block(),
            timestamp,
            password_claim_signature: signature,
            device_key: None,
            secret_hash: None,
        })
    }
}

/// `AuthParameters` for `InitiateAuth` with `USER_SRP_AUTH`.
#[derive(Debug)]
pub struct UserSrpAuthParameters<'a> {
    /// `USERNAME`, as the user typed it.
    pub username: &'a str,
    /// `SRP_A`.
    pub srp_a: &'a SrpA,
    /// `DEVICE_KEY` of a remembered device, if any.
    pub device_key: Option<&'a str>,
    /// `SECRET_HASH`, for app clients with a secret.
    pub secret_hash: Option<SecretHash>,
}

impl<'a> UserSrpAuthParameters<'a> {
    /// Adds `DEVICE_KEY`.
    pub fn with_device_key(mut self, device_key: &'a str) -> Self {
        self.device_key = Some(device_key);
        self
    }

    /// Adds `SECRET_HASH`, over `USERNAME` as sent here.
    pub fn with_secret_hash(mut self, client: &AppClient<'_>) -> Self {
        self.secret_hash = Some(client.secret_hash(self.username));
        self
    }

    /// The `AuthParameters`.
    pub fn parameters(&self) -> Parameters<'_> {
        Parameters::new([
            Some(("USERNAME", self.username)),
            Some(("SRP_A", self.srp_a.as_str())),
            self.device_key.map(|k| ("DEVICE_KEY", k)),
            self.secret_hash
                .as_ref()
                .map(|h| ("SECRET_HASH", h.as_str())),
            None,
            None,
        ])
    }
}

/// A `PASSWORD_VERIFIER` challenge, parsed.
pub struct PasswordVerifierChallenge<'a>(srp::Challenge<'a>);

// USER_ID_FOR_SRP is signed, so an empty one is refused; a device's USERNAME is only echoed.
srp::verifier_challenge!(
    PasswordVerifierChallenge,
    "USER_ID_FOR_SRP",
    user_id_for_srp,
    "`USER_ID_FOR_SRP`, the internal user name.",
    refuse_empty: true
);

/// The `PASSWORD_VERIFIER` challenge responses.
#[derive(Debug)]
pub struct PasswordVerifierResponse<'a> {
    /// `USERNAME`: the challenge's `USER_ID_FOR_SRP`.
    pub username: &'a str,
    /// `PASSWORD_CLAIM_SECRET_BLOCK`, the challenge's `SECRET_BLOCK` as received.
    pub password_claim_secret_block: &'a str,
    /// `TIMESTAMP`.
    pub timestamp: Timestamp,
    /// `PASSWORD_CLAIM_SIGNATURE`.
    pub password_claim_signature: PasswordClaimSignature,
    /// `DEVICE_KEY` of a remembered device, if any.
    pub device_key: Option<&'a str>,
    /// `SECRET_HASH`, for app clients with a secret.
    pub secret_hash: Option<SecretHash>,
}

impl<'a> PasswordVerifierResponse<'a> {
    /// Adds `DEVICE_KEY`.
    pub fn with_device_key(mut self, device_key: &'a str) -> Self {
        self.device_key = Some(device_key);
        self
    }

    /// Adds `SECRET_HASH`, over the internal user name.
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
            device_key: self.device_key,
            secret_hash: self.secret_hash.as_ref(),
        }
        .parameters()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_name_is_after_the_underscore() {
        assert_eq!(
            UserPoolId::parse("us-east-1_AbC123").unwrap().pool_name(),
            "AbC123"
        );
        for bad in ["", "us-east-1", "_AbC", "us-east-1_"] {
            assert_eq!(
                UserPoolId::parse(bad).err(),
                Some(Error::Malformed {
                    parameter: "user_pool_id"
                }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn region_is_before_the_first_underscore() {
        let id = UserPoolId::parse("eu-west-3_AbC123").unwrap();
        assert_eq!(id.region(), "eu-west-3");
        assert_eq!(id.as_str(), "eu-west-3_AbC123");
        // A second `_` ends the name, not the region: the split both reference clients make.
        let id = UserPoolId::parse("us-east-1_AbC_x").unwrap();
        assert_eq!((id.region(), id.pool_name()), ("us-east-1", "AbC"));
    }
}

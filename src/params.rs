//! Challenge parameter maps in, response parameter lists out (`docs/protocol.md`, "On the
//! wire").
//!
//! Input is any iterator of string pairs, so the `HashMap<String, String>` that
//! `aws-sdk-cognitoidentityprovider` returns as `challenge_parameters` works as it is, and so
//! does a slice of `(&str, &str)` in `no_std`. Output is a fixed list of `(wire name, value)`.

use crate::{
    Error,
    timestamp::Timestamp,
    wire::{PasswordClaimSignature, SecretHash},
};

/// Picks the named parameters out of a challenge map, refusing duplicates.
/// Unknown parameters are ignored, as the service adds new ones over time.
pub(crate) fn pick<'m, K, V, const COUNT: usize>(
    parameters: impl IntoIterator<Item = (&'m K, &'m V)>,
    names: [&'static str; COUNT],
) -> Result<[Option<&'m str>; COUNT], Error>
where
    K: AsRef<str> + ?Sized + 'm,
    V: AsRef<str> + ?Sized + 'm,
{
    pick_from(parameters, names, None)
}

/// Picks the named parameters out of a client's `ChallengeResponses`, refusing duplicates and
/// any name not in `names` as [`Error::Malformed`] `parameter`: a verifier takes only what the
/// API documents for the challenge.
#[cfg(feature = "server")]
pub(crate) fn pick_only<'m, K, V, const COUNT: usize>(
    parameters: impl IntoIterator<Item = (&'m K, &'m V)>,
    names: [&'static str; COUNT],
    parameter: &'static str,
) -> Result<[Option<&'m str>; COUNT], Error>
where
    K: AsRef<str> + ?Sized + 'm,
    V: AsRef<str> + ?Sized + 'm,
{
    pick_from(parameters, names, Some(parameter))
}

fn pick_from<'m, K, V, const COUNT: usize>(
    parameters: impl IntoIterator<Item = (&'m K, &'m V)>,
    names: [&'static str; COUNT],
    refuse_unknown: Option<&'static str>,
) -> Result<[Option<&'m str>; COUNT], Error>
where
    K: AsRef<str> + ?Sized + 'm,
    V: AsRef<str> + ?Sized + 'm,
{
    let mut found = [None; COUNT];
    for (key, value) in parameters {
        let key = key.as_ref();
        let mut known = false;
        for (name, slot) in names.iter().zip(found.iter_mut()) {
            if key == *name {
                if slot.is_some() {
                    return Err(Error::Duplicate { parameter: name });
                }
                *slot = Some(value.as_ref());
                known = true;
            }
        }
        if let (false, Some(parameter)) = (known, refuse_unknown) {
            return Err(Error::Malformed { parameter });
        }
    }
    Ok(found)
}

/// A required parameter's value.
pub(crate) fn required<'m>(
    value: Option<&'m str>,
    parameter: &'static str,
) -> Result<&'m str, Error> {
    value.ok_or(Error::Missing { parameter })
}

/// The four values of a `*PASSWORD_VERIFIER` challenge, each required: `subject` (whom it asks
/// to prove: `USERNAME` for a device, `USER_ID_FOR_SRP` for a user), `SRP_B`, `SALT` and
/// `SECRET_BLOCK`.
pub(crate) fn verifier_challenge<'m, K, V>(
    parameters: impl IntoIterator<Item = (&'m K, &'m V)>,
    subject: &'static str,
) -> Result<[&'m str; 4], Error>
where
    K: AsRef<str> + ?Sized + 'm,
    V: AsRef<str> + ?Sized + 'm,
{
    let [who, srp_b, salt, secret_block] =
        pick(parameters, [subject, "SRP_B", "SALT", "SECRET_BLOCK"])?;
    Ok([
        required(who, subject)?,
        required(srp_b, "SRP_B")?,
        required(salt, "SALT")?,
        required(secret_block, "SECRET_BLOCK")?,
    ])
}

/// What a `*PASSWORD_VERIFIER` answer sends, device or user: the `ChallengeResponses` in the
/// order the clients send them.
pub(crate) struct PasswordClaim<'a> {
    /// `USERNAME`.
    pub(crate) username: &'a str,
    /// `PASSWORD_CLAIM_SECRET_BLOCK`.
    pub(crate) secret_block: &'a str,
    /// `TIMESTAMP`.
    pub(crate) timestamp: &'a Timestamp,
    /// `PASSWORD_CLAIM_SIGNATURE`.
    pub(crate) signature: &'a PasswordClaimSignature,
    /// `DEVICE_KEY`, for a device and a user signing in from a remembered one.
    pub(crate) device_key: Option<&'a str>,
    /// `SECRET_HASH`, for app clients with a secret.
    pub(crate) secret_hash: Option<&'a SecretHash>,
}

impl<'a> PasswordClaim<'a> {
    /// The `ChallengeResponses` parameters.
    pub(crate) fn parameters(self) -> Parameters<'a> {
        Parameters::new([
            Some(("USERNAME", self.username)),
            Some(("PASSWORD_CLAIM_SECRET_BLOCK", self.secret_block)),
            Some(("TIMESTAMP", self.timestamp.as_str())),
            Some(("PASSWORD_CLAIM_SIGNATURE", self.signature.as_str())),
            self.device_key.map(|k| ("DEVICE_KEY", k)),
            self.secret_hash.map(|h| ("SECRET_HASH", h.as_str())),
        ])
    }
}

/// The parameters of a response or of `AuthParameters`, in wire order, absent optional ones
/// skipped.
#[derive(Clone, Debug)]
pub struct Parameters<'a> {
    entries: [Option<(&'static str, &'a str)>; 6],
}

impl<'a> Parameters<'a> {
    pub(crate) fn new(entries: [Option<(&'static str, &'a str)>; 6]) -> Self {
        Self { entries }
    }

    /// The value of one parameter, if present.
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    /// `(wire name, value)` pairs.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &'a str)> + '_ {
        self.entries.iter().flatten().copied()
    }

    /// Owned `(wire name, value)` pairs.
    #[cfg(feature = "alloc")]
    pub fn to_vec(&self) -> alloc::vec::Vec<(alloc::string::String, alloc::string::String)> {
        self.iter().map(|(k, v)| (k.into(), v.into())).collect()
    }

    /// The map that `aws-sdk-cognitoidentityprovider`'s `challenge_responses` and
    /// `auth_parameters` take.
    #[cfg(feature = "std")]
    pub fn to_map(
        &self,
    ) -> std::collections::HashMap<alloc::string::String, alloc::string::String> {
        self.iter().map(|(k, v)| (k.into(), v.into())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_and_refuses_duplicates() {
        let params = [("SRP_B", "1"), ("OTHER", "x"), ("SALT", "2")];
        let got = pick(
            params.iter().map(|(k, v)| (*k, *v)),
            ["SALT", "SRP_B", "SECRET_BLOCK"],
        );
        assert_eq!(got, Ok([Some("2"), Some("1"), None]));
        let dup = [("SALT", "1"), ("SALT", "2")];
        assert_eq!(
            pick(dup.iter().map(|(k, v)| (*k, *v)), ["SALT"]),
            Err(Error::Duplicate { parameter: "SALT" })
        );
        assert_eq!(
            required(None, "SRP_B"),
            Err(Error::Missing { parameter: "SRP_B" })
        );
    }
}

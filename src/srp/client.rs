//! The client's half of an exchange, which device and user sign-in share (`docs/protocol.md`,
//! "The client's side"): the ephemeral (a, A) and its signature over a parsed
//! `*PASSWORD_VERIFIER` challenge, and the public surface both entrances have around them,
//! written once as macros that `device` and `user` instantiate with their Cognito names.

use super::{
    Identity, SecretExponent, claim_mac, client_premaster, client_public, private_key, scrambler,
    session_key,
};
use crate::{
    Error,
    timestamp::Timestamp,
    wire::{PasswordClaimSignature, Salt, SecretBlock, SrpA, SrpB},
};
use core::fmt;
use rand_core::CryptoRng;

/// The client's half of one exchange: the secret a, and A = g^a, which it sends as `SRP_A`. A
/// device or a user sign-in holds one and is consumed by its answer, so an a signs one challenge
/// only. Dropping it zeroizes a.
pub(crate) struct ClientEphemeral {
    a: SecretExponent,
    srp_a: SrpA,
}

impl ClientEphemeral {
    /// A fresh 256-bit a from `rng`.
    pub(crate) fn random<R: CryptoRng + ?Sized>(rng: &mut R) -> Result<Self, Error> {
        Self::new(SecretExponent::random(rng, "a")?)
    }

    /// A caller-given a (big-endian, 1 to 384 bytes), for known-answer tests.
    pub(crate) fn from_test_exponent(a: &[u8]) -> Result<Self, Error> {
        Self::new(SecretExponent::from_be_bytes(a, "a")?)
    }

    fn new(a: SecretExponent) -> Result<Self, Error> {
        let srp_a = client_public(&a)?;
        Ok(Self { a, srp_a })
    }

    /// `SRP_A`.
    pub(crate) fn srp_a(&self) -> &SrpA {
        &self.srp_a
    }

    /// The whole proof for a `*PASSWORD_VERIFIER` challenge: `PASSWORD_CLAIM_SIGNATURE` by `id`,
    /// whose password (or device password) is `secret`, signed at `timestamp`. Its x, S,
    /// exponent and key live in callees' frames, wiped before it returns.
    pub(crate) fn sign(
        &self,
        id: Identity<'_>,
        secret: &[u8],
        challenge: &Challenge<'_>,
        timestamp: &Timestamp,
    ) -> Result<PasswordClaimSignature, Error> {
        crate::wipe::wiped(|| {
            let u = scrambler(&self.srp_a, &challenge.srp_b)?;
            let x = private_key(id, secret, &challenge.salt);
            let s = client_premaster(&self.a, &challenge.srp_b, &u, &x);
            let key = session_key(&u, &s);
            let mut mac = claim_mac(&key, id, &challenge.secret_block, timestamp)?;
            crate::ct::declassify("PASSWORD_CLAIM_SIGNATURE", &mut mac);
            Ok(PasswordClaimSignature::from_mac(&mac))
        })
    }
}

/// What device and user sign-in share around their [`ClientEphemeral`]: `$owner` (what signs
/// in: `RememberedDevice` or `User`) starts the sign-in `$sign_in`, which keeps the owner in its
/// field `$field` and answers with `SRP_A`; its `Debug` shows the owner and `SRP_A`, never a.
/// `$what` names the sign-in in the docs. The sign-in type itself, and its answer, are the
/// caller's.
macro_rules! client_sign_in {
    ($owner:ident => $sign_in:ident, $field:ident, $what:literal) => {
        impl<'a> $owner<'a> {
            #[doc = concat!("Starts ", $what, " with a fresh 256-bit secret exponent from `rng`.")]
            pub fn start_sign_in<R: ::rand_core::CryptoRng + ?Sized>(
                self,
                rng: &mut R,
            ) -> Result<$sign_in<'a>, $crate::Error> {
                Ok($sign_in {
                    $field: self,
                    ephemeral: $crate::srp::ClientEphemeral::random(rng)?,
                })
            }

            #[doc = concat!(
                "Starts ", $what, " with a caller-given secret exponent `a` (big-endian, 1 to ",
                "384 bytes). For known-answer tests only: reusing an exponent breaks SRP."
            )]
            pub fn start_sign_in_with_test_exponent(
                self,
                a: &[u8],
            ) -> Result<$sign_in<'a>, $crate::Error> {
                Ok($sign_in {
                    $field: self,
                    ephemeral: $crate::srp::ClientEphemeral::from_test_exponent(a)?,
                })
            }
        }

        impl ::core::fmt::Debug for $sign_in<'_> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(stringify!($sign_in))
                    .field(stringify!($field), &self.$field)
                    .field("srp_a", self.ephemeral.srp_a())
                    .finish_non_exhaustive()
            }
        }

        impl $sign_in<'_> {
            /// `SRP_A`.
            pub fn srp_a(&self) -> &$crate::SrpA {
                self.ephemeral.srp_a()
            }
        }
    };
}
pub(crate) use client_sign_in;

/// A `*PASSWORD_VERIFIER` challenge, parsed: whom it asks to prove (a device's `USERNAME`, a
/// user's `USER_ID_FOR_SRP`), `SRP_B`, `SALT` and `SECRET_BLOCK`.
pub(crate) struct Challenge<'a> {
    subject: &'a str,
    srp_b: SrpB,
    salt: Salt,
    secret_block: SecretBlock<'a>,
}

impl<'a> Challenge<'a> {
    /// From the four values; the subject is taken as it is.
    pub(crate) fn parse(
        subject: &'a str,
        srp_b: &str,
        salt: &str,
        secret_block: &'a str,
    ) -> Result<Self, Error> {
        Ok(Self {
            subject,
            srp_b: SrpB::parse(srp_b)?,
            salt: Salt::parse(salt)?,
            secret_block: SecretBlock::parse(secret_block)?,
        })
    }

    /// Whom the challenge asks to prove.
    pub(crate) fn subject(&self) -> &'a str {
        self.subject
    }

    /// `SECRET_BLOCK` as received, echoed as `PASSWORD_CLAIM_SECRET_BLOCK`.
    pub(crate) fn secret_block(&self) -> &'a str {
        self.secret_block.as_str()
    }

    /// `Debug` as the typed challenge `name`, its subject shown as `subject_field`.
    pub(crate) fn debug_as(
        &self,
        f: &mut fmt::Formatter<'_>,
        name: &str,
        subject_field: &str,
    ) -> fmt::Result {
        f.debug_struct(name)
            .field(subject_field, &self.subject)
            .field("srp_b", &self.srp_b)
            .field("salt", &self.salt)
            .field("secret_block", &self.secret_block)
            .finish()
    }
}

/// The typed `*PASSWORD_VERIFIER` challenge `$challenge`, a newtype over [`Challenge`]: read
/// from the `ChallengeParameters` or from its four values, its subject (the parameter `$subject`,
/// whom it asks to prove) given by `$accessor`, and a `Debug` that shows the subject under that
/// name. With `refuse_empty: true`, an empty subject is [`Error::Malformed`] before anything
/// else is read.
macro_rules! verifier_challenge {
    ($challenge:ident, $subject:literal, $accessor:ident, $accessor_doc:literal,
        refuse_empty: $refuse_empty:literal) => {
        impl ::core::fmt::Debug for $challenge<'_> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                self.0
                    .debug_as(f, stringify!($challenge), stringify!($accessor))
            }
        }

        impl<'a> $challenge<'a> {
            #[doc = concat!(
                                        "From the challenge's `ChallengeParameters` (`", $subject,
                                        "`, `SRP_B`, `SALT`, `SECRET_BLOCK`; others are ignored)."
                                    )]
            pub fn from_parameters<K, V>(
                parameters: impl IntoIterator<Item = (&'a K, &'a V)>,
            ) -> Result<Self, $crate::Error>
            where
                K: AsRef<str> + ?Sized + 'a,
                V: AsRef<str> + ?Sized + 'a,
            {
                let [subject, srp_b, salt, secret_block] =
                    $crate::params::verifier_challenge(parameters, $subject)?;
                Self::new(subject, srp_b, salt, secret_block)
            }

            /// From the four values.
            pub fn new(
                $accessor: &'a str,
                srp_b: &str,
                salt: &str,
                secret_block: &'a str,
            ) -> Result<Self, $crate::Error> {
                if $refuse_empty && $accessor.is_empty() {
                    return Err($crate::Error::Malformed {
                        parameter: $subject,
                    });
                }
                $crate::srp::Challenge::parse($accessor, srp_b, salt, secret_block).map(Self)
            }

            #[doc = $accessor_doc]
            pub fn $accessor(&self) -> &'a str {
                self.0.subject()
            }
        }
    };
}
pub(crate) use verifier_challenge;

//! The service side (`docs/protocol.md`, "The service's side"): what a user pool stores after
//! `ConfirmDevice` or sign-up, the `DEVICE_PASSWORD_VERIFIER` / `PASSWORD_VERIFIER` challenge it
//! issues, and the check of the client's proof. For offline tests of apps and of other
//! implementations.
//!
//! An issued challenge is consumed by its verification, so it cannot be answered twice; every
//! refusal of a proof is the one [`Error::NotAuthorized`]. The secret b, S and the key are
//! handled as the client handles a, S and the key (`srp`), and the signature is compared in
//! constant time.

use crate::{
    Error,
    encoding::{WireInt, decode_base64_into_vartime, decode_base64_vartime},
    group::N,
    params::{Parameters, pick_only, required},
    srp::{self, Identity, SecretExponent},
    timestamp::Timestamp,
    user::UserPoolId,
    wire::{AsciiHex, Salt, SecretBlock, SrpA, SrpB},
};
use alloc::string::String;
use core::fmt;
use crypto_bigint::{U3072, U4096};
use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Random bytes in an issued `SECRET_BLOCK` (the service's is an opaque encrypted blob).
const SECRET_BLOCK_BYTES: usize = 64;

/// Who the record is for: it fixes the SRP identity and the challenge's shape.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Subject {
    /// P = DeviceGroupKey, I = DeviceKey.
    Device {
        device_group_key: String,
        device_key: String,
    },
    /// P = pool name, I = USER_ID_FOR_SRP.
    User {
        pool_name: String,
        user_id_for_srp: String,
    },
}

/// What the service keeps for a device or user: the SRP identity, the salt and the verifier.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifierRecord {
    subject: Subject,
    salt: Salt,
    verifier: U3072,
}

impl fmt::Debug for VerifierRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The verifier is public but password-equivalent for offline guessing: not printed.
        f.debug_struct("VerifierRecord")
            .field("subject", &self.subject)
            .field("salt", &self.salt)
            .finish_non_exhaustive()
    }
}

impl VerifierRecord {
    /// Reads `DeviceSecretVerifierConfig` as `ConfirmDevice` receives it: strict base64 of
    /// signed big-endian integers (Java `BigInteger`). The verifier must be in 1..N; the salt
    /// may be any non-empty integer of at most 4096 bits.
    pub fn from_confirm_device(
        device_group_key: &str,
        device_key: &str,
        password_verifier: &str,
        salt: &str,
    ) -> Result<Self, Error> {
        let v_bytes = decode_base64_vartime(password_verifier, "PasswordVerifier")?;
        let v = WireInt::from_signed_be(&v_bytes).ok_or(Error::Malformed {
            parameter: "PasswordVerifier",
        })?;
        let verifier = verifier_in_range(&v, "PasswordVerifier")?;
        let salt_bytes = decode_base64_vartime(salt, "Salt")?;
        let salt = Salt::from_wire(
            WireInt::from_signed_be(&salt_bytes).ok_or(Error::Malformed { parameter: "Salt" })?,
        );
        Ok(Self {
            subject: Subject::Device {
                device_group_key: device_group_key.into(),
                device_key: device_key.into(),
            },
            salt,
            verifier,
        })
    }

    /// What sign-up stores for a user: v = g^x for the password and a salt (hex, as `SALT`).
    pub fn for_user_password(
        user_pool_id: &str,
        user_id_for_srp: &str,
        password: &str,
        salt: &str,
    ) -> Result<Self, Error> {
        let pool = UserPoolId::parse(user_pool_id)?;
        let salt = Salt::parse(salt)?;
        let id = Identity {
            p: pool.pool_name(),
            i: user_id_for_srp,
        };
        let verifier =
            crate::wipe::wiped(|| srp::verifier(&srp::private_key(id, password.as_bytes(), &salt)));
        Ok(Self::user(pool, user_id_for_srp, salt, verifier))
    }

    /// A user's stored salt and verifier, both hex.
    pub fn for_user_verifier(
        user_pool_id: &str,
        user_id_for_srp: &str,
        salt: &str,
        verifier: &str,
    ) -> Result<Self, Error> {
        let pool = UserPoolId::parse(user_pool_id)?;
        let v = WireInt::parse_hex_vartime(verifier, "verifier")?;
        let verifier = verifier_in_range(&v, "verifier")?;
        Ok(Self::user(
            pool,
            user_id_for_srp,
            Salt::parse(salt)?,
            verifier,
        ))
    }

    /// The stored salt.
    pub fn salt(&self) -> &Salt {
        &self.salt
    }

    /// The stored verifier v as hex (lower case, no leading zeros), the form
    /// [`VerifierRecord::for_user_verifier`] reads back: for a user store that keeps what the
    /// service keeps, the salt and the verifier, and never the password.
    pub fn verifier_hex(&self) -> AsciiHex {
        crate::wire::public_hex(&self.verifier)
    }

    fn user(pool: UserPoolId<'_>, user_id_for_srp: &str, salt: Salt, verifier: U3072) -> Self {
        Self {
            subject: Subject::User {
                pool_name: pool.pool_name().into(),
                user_id_for_srp: user_id_for_srp.into(),
            },
            salt,
            verifier,
        }
    }

    /// Issues the challenge that answers `SRP_A` (from `DEVICE_SRP_AUTH`, or `USER_SRP_AUTH`),
    /// with a fresh b and `SECRET_BLOCK` from `rng`. `username` is the internal user name the
    /// challenge carries as `USERNAME`.
    pub fn issue_challenge<R: CryptoRng + ?Sized>(
        &self,
        srp_a: &str,
        username: &str,
        rng: &mut R,
    ) -> Result<IssuedChallenge, Error> {
        let mut secret_block = [0u8; SECRET_BLOCK_BYTES];
        rng.fill_bytes(&mut secret_block);
        // Sent in the challenge: public from the moment it is drawn.
        crate::ct::declassify("SECRET_BLOCK", &mut secret_block);
        self.issue(
            srp_a,
            username,
            SecretExponent::random(rng, "b")?,
            &secret_block,
        )
    }

    /// Issues a challenge with a caller-given b (big-endian, 1 to 384 bytes) and secret block.
    /// For known-answer tests only: a reused b breaks SRP.
    pub fn issue_challenge_with_test_values(
        &self,
        srp_a: &str,
        username: &str,
        b: &[u8],
        secret_block: &[u8],
    ) -> Result<IssuedChallenge, Error> {
        self.issue(
            srp_a,
            username,
            SecretExponent::from_be_bytes(b, "b")?,
            secret_block,
        )
    }

    fn issue(
        &self,
        srp_a: &str,
        username: &str,
        b: SecretExponent,
        secret_block: &[u8],
    ) -> Result<IssuedChallenge, Error> {
        // Refuses A ≡ 0 (mod N), after which S would be 0 whatever the password.
        let srp_a = SrpA::parse(srp_a)?;
        let srp_b = crate::wipe::wiped(|| srp::server_public(&b, &self.verifier));
        srp::scrambler(&srp_a, &srp_b)?;
        let secret_block_text = String::from(base64_string(secret_block).as_str());
        Ok(IssuedChallenge {
            record: self.clone(),
            username: username.into(),
            srp_b_hex: srp_b.to_hex(),
            salt_hex: self.salt.to_hex(),
            srp_a,
            srp_b,
            b,
            secret_block: secret_block_text,
        })
    }
}

/// A verifier must be a residue in 2..N-2, as the service reads it: 0 and N and above make no
/// group element, and with v = 1 or v = N - 1 (the elements of order 1 and 2) proofs made
/// without any password verify half the time or more.
fn verifier_in_range(v: &WireInt, parameter: &'static str) -> Result<U3072, Error> {
    let wide = U4096::from_be_slice(v.magnitude());
    let n: U4096 = N.resize();
    let n_minus_one = n.wrapping_sub(&U4096::ONE);
    if v.is_negative() || v.is_zero() || wide >= n || wide == U4096::ONE || wide == n_minus_one {
        return Err(Error::IllegalValue { parameter });
    }
    Ok(wide.resize())
}

fn base64_string(bytes: &[u8]) -> String {
    use base64ct::{Base64, Encoding};
    Base64::encode_string(bytes)
}

/// A challenge the service issued and has not yet seen answered. Not `Clone`: verifying
/// consumes it, so each challenge is answered at most once.
///
/// ```compile_fail,E0382
/// # use cognito_srp6a::{IssuedChallenge, Timestamp};
/// # fn replay(issued: IssuedChallenge, responses: &[(&str, &str)], now: Timestamp) {
/// let first = issued.verify(responses.iter().map(|(k, v)| (*k, *v)), now, 300);
/// let replayed = issued.verify(responses.iter().map(|(k, v)| (*k, *v)), now, 300); // moved
/// # }
/// ```
pub struct IssuedChallenge {
    record: VerifierRecord,
    username: String,
    srp_a: SrpA,
    srp_b: SrpB,
    srp_b_hex: AsciiHex,
    salt_hex: AsciiHex,
    b: SecretExponent,
    secret_block: String,
}

impl fmt::Debug for IssuedChallenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedChallenge")
            .field("challenge_name", &self.challenge_name())
            .field("username", &self.username)
            .field("srp_b", &self.srp_b)
            .finish_non_exhaustive()
    }
}

impl IssuedChallenge {
    /// The `ChallengeResponses` names [`IssuedChallenge::verify`] reads, the API reference's
    /// for both challenges, and no other. A service that, as Cognito does, ignores any other
    /// entry a client adds (cognito-srp-helper sends `SRP_A` again) keeps only these.
    pub const RESPONSE_NAMES: [&'static str; 6] = [
        "USERNAME",
        "PASSWORD_CLAIM_SECRET_BLOCK",
        "TIMESTAMP",
        "PASSWORD_CLAIM_SIGNATURE",
        "DEVICE_KEY",
        "SECRET_HASH",
    ];

    /// `DEVICE_PASSWORD_VERIFIER` or `PASSWORD_VERIFIER`.
    pub fn challenge_name(&self) -> &'static str {
        match self.record.subject {
            Subject::Device { .. } => "DEVICE_PASSWORD_VERIFIER",
            Subject::User { .. } => "PASSWORD_VERIFIER",
        }
    }

    /// `SRP_B`.
    pub fn srp_b(&self) -> &str {
        self.srp_b_hex.as_str()
    }

    /// The `ChallengeParameters`: `SRP_B`, `SALT`, `SECRET_BLOCK`, `USERNAME`, and for a user
    /// `USER_ID_FOR_SRP`.
    pub fn parameters(&self) -> Parameters<'_> {
        let user_id = match &self.record.subject {
            Subject::User {
                user_id_for_srp, ..
            } => Some(("USER_ID_FOR_SRP", user_id_for_srp.as_str())),
            Subject::Device { .. } => None,
        };
        Parameters::new([
            Some(("SALT", self.salt_hex.as_str())),
            Some(("SECRET_BLOCK", self.secret_block.as_str())),
            Some(("SRP_B", self.srp_b_hex.as_str())),
            Some(("USERNAME", self.username.as_str())),
            user_id,
            None,
        ])
    }

    /// Checks the client's `ChallengeResponses` at `now`, accepting a `TIMESTAMP` at most
    /// `max_clock_skew_secs` away from it. Missing and repeated parameters are named, a name
    /// outside `USERNAME`, `PASSWORD_CLAIM_SECRET_BLOCK`, `TIMESTAMP`,
    /// `PASSWORD_CLAIM_SIGNATURE`, `DEVICE_KEY` and `SECRET_HASH` is [`Error::Malformed`]
    /// `ChallengeResponses`; every other refusal is [`Error::NotAuthorized`]. `SECRET_HASH`
    /// and, in a user's response, `DEVICE_KEY` are not checked here: the caller has the client
    /// secret and the user's devices.
    pub fn verify<'m, K, V>(
        self,
        responses: impl IntoIterator<Item = (&'m K, &'m V)>,
        now: Timestamp,
        max_clock_skew_secs: u32,
    ) -> Result<(), Error>
    where
        K: AsRef<str> + ?Sized + 'm,
        V: AsRef<str> + ?Sized + 'm,
    {
        // The names the API reference gives for both challenges' responses, and no other:
        // `SRP_A` belongs to the step before and an unknown name to no step, so either means a
        // confused or forged answer. `SECRET_HASH` is the caller's to check (it alone has the
        // client secret); so is a `DEVICE_KEY` in a user's response, which names the device
        // the user signs in from and must be one of theirs.
        let [
            username,
            secret_block,
            timestamp,
            signature,
            device_key,
            _secret_hash,
        ] = pick_only(responses, Self::RESPONSE_NAMES, "ChallengeResponses")?;
        let username = required(username, "USERNAME")?;
        let secret_block = required(secret_block, "PASSWORD_CLAIM_SECRET_BLOCK")?;
        let timestamp = required(timestamp, "TIMESTAMP")?;
        let signature = required(signature, "PASSWORD_CLAIM_SIGNATURE")?;
        let id = match &self.record.subject {
            Subject::Device {
                device_group_key,
                device_key: expected,
            } => {
                let device_key = required(device_key, "DEVICE_KEY")?;
                if device_key != expected || username != self.username {
                    return Err(Error::NotAuthorized);
                }
                Identity {
                    p: device_group_key,
                    i: expected,
                }
            }
            Subject::User {
                pool_name,
                user_id_for_srp,
            } => {
                if username != user_id_for_srp {
                    return Err(Error::NotAuthorized);
                }
                Identity {
                    p: pool_name,
                    i: user_id_for_srp,
                }
            }
        };
        // Only the block this challenge carried, byte for byte.
        if secret_block != self.secret_block {
            return Err(Error::NotAuthorized);
        }
        let timestamp = Timestamp::parse(timestamp).map_err(|_| Error::NotAuthorized)?;
        if timestamp.unix_seconds().abs_diff(now.unix_seconds()) > u64::from(max_clock_skew_secs) {
            return Err(Error::NotAuthorized);
        }
        // A signature is 32 bytes; a longer one fails to decode and is refused as a wrong one.
        let mut claimed = [0u8; 32];
        let claimed =
            decode_base64_into_vartime(signature, &mut claimed, "PASSWORD_CLAIM_SIGNATURE")
                .map_err(|_| Error::NotAuthorized)?;
        let expected = crate::wipe::wiped(|| self.expected_mac(id, &timestamp))?;
        let mut verdict = claimed.ct_eq(expected.as_slice()).unwrap_u8();
        crate::ct::declassify("verdict", &mut verdict);
        if verdict == 1 {
            Ok(())
        } else {
            Err(Error::NotAuthorized)
        }
    }

    /// HMAC(key, P || I || SECRET_BLOCK || TIMESTAMP) with the service's S = (A·v^u)^b.
    fn expected_mac(
        &self,
        id: Identity<'_>,
        timestamp: &Timestamp,
    ) -> Result<Zeroizing<[u8; 32]>, Error> {
        let u = srp::scrambler(&self.srp_a, &self.srp_b)?;
        let s = srp::server_premaster(&self.b, &self.srp_a, &self.record.verifier, &u);
        let key = srp::session_key(&u, &s);
        let block = SecretBlock::parse(&self.secret_block)?;
        Ok(Zeroizing::new(srp::claim_mac(&key, id, &block, timestamp)?))
    }
}

//! HMAC-SHA256, the one keyed hash of the protocol (`docs/protocol.md`, "The client's side" and
//! "On the wire"): `SECRET_HASH`, the HKDF that makes the session key, and the
//! `PASSWORD_CLAIM_SIGNATURE`. Below both `wire` and `srp`, which each key it.

use hmac::KeyInit;
use sha2::Sha256;

/// HMAC with SHA-256.
pub(crate) type HmacSha256 = hmac::Hmac<Sha256>;

/// HMAC-SHA256 keyed with `key`. HMAC takes keys of any length, so `new_from_slice` cannot
/// fail; the fallback only keeps this total.
pub(crate) fn hmac_sha256(key: &[u8]) -> HmacSha256 {
    HmacSha256::new_from_slice(key).unwrap_or_else(|_| HmacSha256::new(&Default::default()))
}

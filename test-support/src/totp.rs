//! An authenticator app's codes: RFC 6238 with HMAC-SHA1, 30-second steps and 6 digits,
//! written apart from the emulator's own.

use hmac::{KeyInit as _, Mac as _};

/// RFC 6238's test secret (appendix B), "12345678901234567890".
pub const RFC6238_SECRET: &[u8] = b"12345678901234567890";
/// [`RFC6238_SECRET`] in base32, as a seed file or `AssociateSoftwareToken` gives a secret.
pub const RFC6238_SECRET_BASE32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

/// The code of `secret` at `unix_seconds`.
pub fn code(secret: &[u8], unix_seconds: i64) -> String {
    let step = u64::try_from(unix_seconds.div_euclid(30)).unwrap();
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(secret).unwrap();
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let word = u32::from_be_bytes(digest[offset..offset + 4].try_into().unwrap()) & 0x7fff_ffff;
    format!("{:06}", word % 1_000_000)
}

/// The code of a base32 secret (no padding) at `unix_seconds`.
pub fn code_base32(secret_base32: &str, unix_seconds: i64) -> String {
    let secret = data_encoding::BASE32_NOPAD
        .decode(secret_base32.as_bytes())
        .unwrap_or_else(|e| panic!("the TOTP secret is not base32: {e}"));
    code(&secret, unix_seconds)
}

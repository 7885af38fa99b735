//! `SOFTWARE_TOKEN_MFA`: RFC 6238 codes as authenticator apps make them (HMAC-SHA1, 30-second
//! steps, 6 digits), from the base32 secret `--totp NAME:SECRET` gives a user.

use data_encoding::BASE32_NOPAD;
use hmac::{KeyInit, Mac};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Seconds per code.
const STEP: i64 = 30;
/// Codes of the step before and after `now` are accepted too: a phone's clock drifts, and a
/// code typed at the end of its step arrives in the next.
const DRIFT_STEPS: i64 = 1;

/// Decodes a base32 secret as authenticator apps show it: any case, spaces and `=` padding
/// ignored. `None` if it is not base32 or is empty.
pub fn decode_secret(text: &str) -> Option<Zeroizing<Vec<u8>>> {
    let cleaned: Zeroizing<String> = Zeroizing::new(
        text.chars()
            .filter(|c| !c.is_whitespace() && *c != '=')
            .map(|c| c.to_ascii_uppercase())
            .collect(),
    );
    let bytes = BASE32_NOPAD.decode(cleaned.as_bytes()).ok()?;
    (!bytes.is_empty()).then(|| Zeroizing::new(bytes))
}

/// The 6-digit code of `secret` for the step holding `unix_seconds`.
pub fn code(secret: &[u8], unix_seconds: i64) -> [u8; 6] {
    let counter = unix_seconds.div_euclid(STEP) as u64;
    // HMAC takes keys of any length: new_from_slice cannot fail.
    let mut mac = match hmac::Hmac::<sha1::Sha1>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => return [0; 6],
    };
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    // RFC 4226 dynamic truncation.
    let offset = usize::from(digest.last().copied().unwrap_or(0) & 0x0f);
    let mut word = [0u8; 4];
    for (i, byte) in word.iter_mut().enumerate() {
        *byte = digest.get(offset + i).copied().unwrap_or(0);
    }
    let value = (u32::from_be_bytes(word) & 0x7fff_ffff) % 1_000_000;
    let mut digits = [b'0'; 6];
    let mut rest = value;
    for digit in digits.iter_mut().rev() {
        *digit = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    digits
}

/// The step (`unix_seconds / 30`) whose code `given` is, looking one step either side of
/// `unix_seconds`; `None` if it is none of them. Every step is computed and compared, and the
/// match picked with masks, so the time taken says nothing about which step matched.
pub fn matching_step(secret: &[u8], given: &str, unix_seconds: i64) -> Option<i64> {
    let given = given.as_bytes();
    let now_step = unix_seconds.div_euclid(STEP);
    let mut found = subtle::CtOption::new(0i64, subtle::Choice::from(0));
    for drift in -DRIFT_STEPS..=DRIFT_STEPS {
        let expected = code(secret, unix_seconds + drift * STEP);
        let this = subtle::CtOption::new(now_step + drift, expected.as_slice().ct_eq(given));
        // The latest matching step wins, so a replay of it is refused.
        found = subtle::ConditionallySelectable::conditional_select(&found, &this, this.is_some());
    }
    found.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows (the 8-digit values' last 6 digits).
    #[test]
    fn rfc_6238_vectors() {
        let secret = b"12345678901234567890";
        for (time, expected) in [
            (59, b"287082"),
            (1_111_111_109, b"081804"),
            (1_111_111_111, b"050471"),
            (1_234_567_890, b"005924"),
            (2_000_000_000, b"279037"),
        ] {
            assert_eq!(&code(secret, time), expected, "t = {time}");
        }
    }

    #[test]
    fn drift_window_and_refusals() {
        let secret = decode_secret("gezd gnbv gy3t qojq gezd gnbv gy3t qojq").unwrap();
        assert_eq!(secret.as_slice(), b"12345678901234567890");
        assert_eq!(matching_step(&secret, "287082", 59), Some(1));
        assert_eq!(matching_step(&secret, "287082", 59 + 30), Some(1));
        assert_eq!(matching_step(&secret, "287082", 59 + 60), None);
        assert_eq!(matching_step(&secret, "28708", 59), None);
        assert_eq!(matching_step(&secret, "2870822", 59), None);
        assert!(decode_secret("not base32!").is_none());
        assert!(decode_secret("").is_none());
    }
}

//! Integers on the wire (`docs/protocol.md`, "Notation"): hex as Cognito and the JS client spell
//! it, and `TC`, Java's `BigInteger.toByteArray()` (the JS `padHex`), which is what gets hashed.
//!
//! Everything named `*_vartime` here takes public values only (SRP_A, SRP_B, SALT). The one
//! secret that is ever TC-encoded, S, goes through [`SecretTc`], which copies in constant time
//! and lets only the encoding's length show, as every client's HMAC over it does.

use crate::Error;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Largest magnitude accepted for a wire integer (SRP_B, SALT): 4096 bits, room for any
/// value below N and for the out-of-range ones a client must still reject cleanly.
pub(crate) const MAX_WIRE_BYTES: usize = 512;

/// Longest hex text accepted for a wire integer, leading zeros included.
pub(crate) const MAX_WIRE_HEX: usize = 4 * MAX_WIRE_BYTES;

/// Room for the hex of any wire integer: a sign and two digits a byte.
pub(crate) const WIRE_HEX_CAP: usize = 2 * MAX_WIRE_BYTES + 1;

/// A short ASCII string in a fixed buffer, so wire values need no allocator.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct AsciiBuf<const CAP: usize> {
    bytes: [u8; CAP],
    len: usize,
}

impl<const CAP: usize> AsciiBuf<CAP> {
    pub(crate) const fn new() -> Self {
        Self {
            bytes: [0; CAP],
            len: 0,
        }
    }

    /// Appends ASCII bytes, silently stopping at capacity (callers size buffers exactly).
    pub(crate) fn push_bytes(&mut self, s: &[u8]) {
        for &b in s {
            if let Some(slot) = self.bytes.get_mut(self.len) {
                *slot = b;
                self.len += 1;
            }
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }

    pub(crate) fn as_str(&self) -> &str {
        let bytes = self.bytes.get(..self.len).unwrap_or(&[]);
        // Only ASCII is ever pushed; the fallback is never taken.
        core::str::from_utf8(bytes).unwrap_or("")
    }
}

impl<const CAP: usize> core::fmt::Write for AsciiBuf<CAP> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        if self.len + s.len() > CAP {
            return Err(core::fmt::Error);
        }
        self.push_bytes(s.as_bytes());
        Ok(())
    }
}

impl<const CAP: usize> Zeroize for AsciiBuf<CAP> {
    fn zeroize(&mut self) {
        self.bytes.zeroize();
        self.len.zeroize();
    }
}

/// A public signed integer as read from wire hex: sign and big-endian magnitude, right-aligned.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct WireInt {
    negative: bool,
    magnitude: [u8; MAX_WIRE_BYTES],
}

impl WireInt {
    /// Reads hex as JS's `new BigInteger(s, 16)` and Python's `int(s, 16)` do: either case, any
    /// number of leading zeros, odd length, an optional leading `-`. Nothing else: no `+`, no
    /// `0x`, no whitespace.
    pub(crate) fn parse_hex_vartime(s: &str, parameter: &'static str) -> Result<Self, Error> {
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest.as_bytes()),
            None => (false, s.as_bytes()),
        };
        if digits.is_empty() {
            return Err(Error::Malformed { parameter });
        }
        if digits.len() > MAX_WIRE_HEX {
            return Err(Error::TooLong { parameter });
        }
        let mut out = Self {
            negative,
            magnitude: [0; MAX_WIRE_BYTES],
        };
        let significant = digits
            .iter()
            .position(|&d| d != b'0')
            .map_or(&[][..], |i| digits.get(i..).unwrap_or(&[]));
        for &d in digits {
            if hex_value(d).is_none() {
                return Err(Error::Malformed { parameter });
            }
        }
        if significant.len() > 2 * MAX_WIRE_BYTES {
            return Err(Error::TooLong { parameter });
        }
        // Fill nibbles from the least significant end.
        for (i, &d) in significant.iter().rev().enumerate() {
            let nibble = hex_value(d).unwrap_or(0);
            let Some(byte) = out.magnitude.get_mut(MAX_WIRE_BYTES - 1 - i / 2) else {
                return Err(Error::TooLong { parameter });
            };
            *byte |= if i % 2 == 0 { nibble } else { nibble << 4 };
        }
        if out.is_zero() {
            out.negative = false;
        }
        Ok(out)
    }

    /// A non-negative integer from big-endian bytes; the size check is at compile time.
    pub(crate) fn from_unsigned_be<const LEN: usize>(bytes: &[u8; LEN]) -> Self {
        const { assert!(LEN <= MAX_WIRE_BYTES) };
        let mut out = Self::zero();
        let (_, tail) = out.magnitude.split_at_mut(MAX_WIRE_BYTES - LEN);
        tail.copy_from_slice(bytes);
        out
    }

    /// A signed big-endian integer, as Java's `new BigInteger(byte[])` reads it (the service
    /// reads ConfirmDevice's Salt and PasswordVerifier so). `None` when empty or when the
    /// magnitude needs more than 512 bytes.
    #[cfg(feature = "server")]
    pub(crate) fn from_signed_be(bytes: &[u8]) -> Option<Self> {
        let first = *bytes.first()?;
        let negative = first & 0x80 != 0;
        let fill = if negative { 0xff } else { 0x00 };
        // Sign-extend into 513 bytes, room for TC(m) of any 512-byte magnitude m.
        let mut ext = [fill; MAX_WIRE_BYTES + 1];
        let start = ext.len().checked_sub(bytes.len())?;
        ext.get_mut(start..)?.copy_from_slice(bytes);
        if negative {
            // The magnitude of a negative value is its two's complement.
            negate_vartime(&mut ext);
        }
        let (top, magnitude) = ext.split_first()?;
        if *top != 0 {
            return None;
        }
        let mut out = Self {
            negative,
            magnitude: [0; MAX_WIRE_BYTES],
        };
        out.magnitude.copy_from_slice(magnitude);
        Some(out)
    }

    pub(crate) const fn zero() -> Self {
        Self {
            negative: false,
            magnitude: [0; MAX_WIRE_BYTES],
        }
    }

    pub(crate) fn is_negative(&self) -> bool {
        self.negative
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.magnitude.iter().all(|&b| b == 0)
    }

    /// The magnitude as 512 big-endian bytes.
    pub(crate) fn magnitude(&self) -> &[u8; MAX_WIRE_BYTES] {
        &self.magnitude
    }

    /// Lower-case hex without leading zeros, `-` in front of a negative value.
    pub(crate) fn hex_vartime(&self) -> AsciiBuf<WIRE_HEX_CAP> {
        let mut out = AsciiBuf::new();
        if self.negative {
            out.push_bytes(b"-");
        }
        let digits: AsciiBuf<{ 2 * MAX_WIRE_BYTES }> = hex_vartime(&self.magnitude);
        out.push_bytes(digits.as_str().as_bytes());
        out
    }

    /// `TC(self)`: the shortest big-endian two's-complement encoding (Java `toByteArray`).
    pub(crate) fn tc_vartime(&self) -> TcBuf {
        let mut buf = TcBuf {
            bytes: [0; MAX_WIRE_BYTES + 1],
            start: 0,
        };
        let (_sign, body) = buf.bytes.split_at_mut(1);
        body.copy_from_slice(&self.magnitude);
        if self.negative {
            // Two's complement over 513 bytes.
            negate_vartime(&mut buf.bytes);
        }
        buf.start = minimal_tc_start(&buf.bytes, self.negative);
        buf
    }
}

/// Two's-complement negation of a big-endian number in place (invert, add one). Public values
/// only: the carry loop stops early.
fn negate_vartime(bytes: &mut [u8]) {
    for b in bytes.iter_mut() {
        *b = !*b;
    }
    for b in bytes.iter_mut().rev() {
        let (v, carry) = b.overflowing_add(1);
        *b = v;
        if !carry {
            break;
        }
    }
}

/// Where the shortest two's-complement encoding starts in a sign-extended buffer: drop a
/// leading sign byte (`00` or `ff`) while the next byte carries the same sign bit.
fn minimal_tc_start(bytes: &[u8], negative: bool) -> usize {
    let fill = if negative { 0xff } else { 0x00 };
    let mut start = 0;
    while let (Some(&b), Some(&next)) = (bytes.get(start), bytes.get(start + 1)) {
        if b == fill && (next & 0x80 == fill & 0x80) {
            start += 1;
        } else {
            break;
        }
    }
    start
}

/// A TC encoding of a public integer.
pub(crate) struct TcBuf {
    bytes: [u8; MAX_WIRE_BYTES + 1],
    start: usize,
}

impl TcBuf {
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(self.start..).unwrap_or(&[])
    }
}

/// `TC(S)` for the secret S (an integer below N).
///
/// The bytes are moved with constant-time selects, and where the encoding starts is computed
/// without branches; that start (so the length) is then used openly, because hashing TC(S)
/// reveals its length through the number of SHA-256 blocks in every client.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct SecretTc {
    bytes: [u8; crate::group::N_BYTES + 1],
    start: usize,
}

impl SecretTc {
    pub(crate) fn new(be: &[u8; crate::group::N_BYTES]) -> Self {
        let mut bytes = [0u8; crate::group::N_BYTES + 1];
        if let Some(body) = bytes.get_mut(1..) {
            body.copy_from_slice(be);
        }
        let mut leading_zeros: u32 = 0;
        let mut seen = Choice::from(0);
        let mut first = 0u8;
        for &b in be {
            let nonzero = !b.ct_eq(&0);
            first.conditional_assign(&b, nonzero & !seen);
            seen |= nonzero;
            // Wrapping: an overflow check is a branch on the secret (found by the ct gate in
            // debug builds). The count is at most 384.
            leading_zeros = leading_zeros.wrapping_add(u32::conditional_select(&1, &0, seen));
        }
        let top_bit = u32::from(first >> 7);
        // S = 0 encodes as the single byte 00, the last byte of the buffer.
        let mut start = u32::conditional_select(
            &leading_zeros.wrapping_add(1).wrapping_sub(top_bit),
            &(crate::group::N_BYTES as u32),
            !seen,
        );
        first.zeroize();
        // The one allowed leak: TC(S)'s length, which the HMAC over it shows anyway.
        crate::ct::declassify("TC(S) start", &mut start);
        Self {
            bytes,
            start: start as usize,
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(self.start..).unwrap_or(&[])
    }
}

/// Lower-case, unpadded hex of a public big-endian integer, as JS's `toString(16)` writes it.
pub(crate) fn hex_vartime<const CAP: usize>(be: &[u8]) -> AsciiBuf<CAP> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = AsciiBuf::new();
    let mut started = false;
    for &b in be {
        for nibble in [b >> 4, b & 0x0f] {
            started |= nibble != 0;
            if started {
                out.push_bytes(
                    DIGITS
                        .get(usize::from(nibble)..=usize::from(nibble))
                        .unwrap_or(b"0"),
                );
            }
        }
    }
    if !started {
        out.push_bytes(b"0");
    }
    out
}

fn hex_value(d: u8) -> Option<u8> {
    match d {
        b'0'..=b'9' => Some(d - b'0'),
        b'a'..=b'f' => Some(d - b'a' + 10),
        b'A'..=b'F' => Some(d - b'A' + 10),
        _ => None,
    }
}

/// Whether `text` uses only the standard base64 alphabet and padding. base64ct alone would
/// tolerate a trailing newline, which no wire value has.
pub(crate) fn is_base64_alphabet(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=')
}

/// Strict standard base64 (canonical, padded) into a `Vec`.
#[cfg(feature = "server")]
pub(crate) fn decode_base64_vartime(
    text: &str,
    parameter: &'static str,
) -> Result<alloc::vec::Vec<u8>, Error> {
    use base64ct::{Base64, Encoding};
    if !is_base64_alphabet(text) {
        return Err(Error::Malformed { parameter });
    }
    Base64::decode_vec(text).map_err(|_| Error::Malformed { parameter })
}

/// Public base64 decoded into `buf`, without the heap: the decoded bytes, or
/// [`Error::Malformed`] for text outside the alphabet or longer than `buf` holds.
#[cfg(feature = "server")]
pub(crate) fn decode_base64_into_vartime<'b>(
    text: &str,
    buf: &'b mut [u8],
    parameter: &'static str,
) -> Result<&'b [u8], Error> {
    use base64ct::{Base64, Encoding};
    if !is_base64_alphabet(text) {
        return Err(Error::Malformed { parameter });
    }
    let decoded = Base64::decode(text, buf).map_err(|_| Error::Malformed { parameter })?;
    Ok(decoded)
}

/// Standard base64 with padding into a fixed buffer. Constant time in the bytes (base64ct's
/// arithmetic encoder; the gate checks it on the generated device password): only their
/// length shows, so it may take secrets.
pub(crate) fn encode_base64<const CAP: usize>(bytes: &[u8]) -> AsciiBuf<CAP> {
    let mut out = AsciiBuf::new();
    out.set_base64(bytes);
    out
}

impl<const CAP: usize> AsciiBuf<CAP> {
    /// Replaces the contents with [`encode_base64`]'s, written in place: a secret encoded
    /// here is never moved, so it leaves no copy behind.
    pub(crate) fn set_base64(&mut self, bytes: &[u8]) {
        use base64ct::{Base64, Encoding};
        self.zeroize();
        // Callers size CAP as 4 * ceil(len / 3); a short buffer would give an empty string,
        // which the known-answer tests would catch.
        self.len = Base64::encode(bytes, &mut self.bytes).map_or(0, str::len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{format, string::String};

    fn tc_hex(s: &str) -> String {
        let v = WireInt::parse_hex_vartime(s, "x").unwrap();
        v.tc_vartime()
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    #[test]
    fn tc_matches_java_to_byte_array() {
        assert_eq!(tc_hex("0"), "00");
        assert_eq!(tc_hex("-0"), "00");
        assert_eq!(tc_hex("7f"), "7f");
        assert_eq!(tc_hex("80"), "0080");
        assert_eq!(tc_hex("00000abc"), "0abc");
        assert_eq!(tc_hex("ABC"), "0abc");
        assert_eq!(tc_hex("-1"), "ff");
        assert_eq!(tc_hex("-80"), "80");
        assert_eq!(tc_hex("-81"), "ff7f");
        assert_eq!(tc_hex("-100"), "ff00");
        assert_eq!(tc_hex("-8000"), "8000");
        assert_eq!(tc_hex("-f0"), "ff10");
        assert_eq!(tc_hex("-7f"), "81");
    }

    #[test]
    fn hex_rejects_what_bigint_rejects() {
        for bad in ["", "-", "+1", "0x12", "12 ", " 12", "g", "1-2", "--1"] {
            assert_eq!(
                WireInt::parse_hex_vartime(bad, "SRP_B").err(),
                Some(Error::Malformed { parameter: "SRP_B" }),
                "{bad:?}"
            );
        }
        let long = "1".repeat(2 * MAX_WIRE_BYTES + 1);
        assert_eq!(
            WireInt::parse_hex_vartime(&long, "SALT").err(),
            Some(Error::TooLong { parameter: "SALT" })
        );
        let padded = format!("{}1", "0".repeat(MAX_WIRE_HEX));
        assert_eq!(
            WireInt::parse_hex_vartime(&padded, "SALT").err(),
            Some(Error::TooLong { parameter: "SALT" })
        );
        let max = "f".repeat(2 * MAX_WIRE_BYTES);
        assert!(WireInt::parse_hex_vartime(&max, "SALT").is_ok());
    }

    #[test]
    fn secret_tc_matches_public_tc() {
        let cases: [&[u8]; 5] = [&[], &[1], &[0x80], &[0x7f, 0xff], &[0x00, 0x00, 0x93, 0x01]];
        for case in cases {
            let mut be = [0u8; crate::group::N_BYTES];
            be[crate::group::N_BYTES - case.len()..].copy_from_slice(case);
            let public = WireInt::from_unsigned_be(&be).tc_vartime();
            assert_eq!(SecretTc::new(&be).as_bytes(), public.as_bytes(), "{case:?}");
        }
        let full = [0xffu8; crate::group::N_BYTES];
        assert_eq!(
            SecretTc::new(&full).as_bytes().len(),
            crate::group::N_BYTES + 1
        );
    }

    #[cfg(feature = "server")]
    #[test]
    fn signed_be_reads_as_java_biginteger() {
        use std::string::ToString;
        let hex =
            |b: &[u8]| WireInt::from_signed_be(b).map(|w| w.hex_vartime().as_str().to_string());
        assert_eq!(hex(&[0x00, 0x80]).as_deref(), Some("80"));
        assert_eq!(hex(&[0x80]).as_deref(), Some("-80"));
        assert_eq!(hex(&[0xff]).as_deref(), Some("-1"));
        assert_eq!(hex(&[0xff, 0x7f]).as_deref(), Some("-81"));
        assert_eq!(hex(&[0x7f, 0xff]).as_deref(), Some("7fff"));
        assert_eq!(hex(&[]), None);
        assert_eq!(hex(&[1; MAX_WIRE_BYTES + 1]), None);
        let mut max = [0xff; MAX_WIRE_BYTES + 1];
        max[0] = 0;
        assert_eq!(hex(&max).map(|h| h.len()), Some(2 * MAX_WIRE_BYTES));
        // TC and back.
        for s in ["1", "-1", "80", "-80", "-81", "ff00", "-ff00", "7f"] {
            let w = WireInt::parse_hex_vartime(s, "x").unwrap();
            let back = WireInt::from_signed_be(w.tc_vartime().as_bytes()).unwrap();
            assert_eq!(back.hex_vartime().as_str(), s);
        }
    }

    #[test]
    fn hex_is_unpadded_lower_case() {
        assert_eq!(hex_vartime::<8>(&[0, 0x0a, 0xbc]).as_str(), "abc");
        assert_eq!(hex_vartime::<8>(&[0, 0]).as_str(), "0");
    }
}

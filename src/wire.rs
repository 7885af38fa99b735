//! Typed wire values, parsed once at the edge (`docs/protocol.md`, "The client's side" and "On
//! the wire"): what arrives as `SRP_B`, `SALT` and `SECRET_BLOCK`, and what leaves as `SRP_A`,
//! `PASSWORD_CLAIM_SIGNATURE` and `SECRET_HASH`. Nothing deeper in the crate sees raw strings.

use crate::{
    Error,
    encoding::{AsciiBuf, TcBuf, WIRE_HEX_CAP, WireInt, encode_base64},
    group::{N, N_BYTES},
};
use core::fmt;
use crypto_bigint::{NonZero, U3072, U4096};

/// A public value of the group as it came on the wire: kept as sent for hashing (u is
/// computed over `TC` of the value as given, as the JS client does) and reduced mod N for the
/// arithmetic, where `≡ 0 (mod N)` is refused.
#[derive(Clone, PartialEq, Eq)]
struct GroupElement {
    wire: WireInt,
    reduced: U3072,
}

impl GroupElement {
    fn parse(hex: &str, parameter: &'static str) -> Result<Self, Error> {
        let wire = WireInt::parse_hex_vartime(hex, parameter)?;
        let reduced = reduce_vartime(&wire);
        if bool::from(reduced.is_zero()) {
            return Err(Error::IllegalValue { parameter });
        }
        Ok(Self { wire, reduced })
    }

    /// A value computed here, already in 1..N.
    fn from_reduced(reduced: U3072) -> Self {
        let mut be = [0u8; N_BYTES];
        be.copy_from_slice(&reduced.to_be_bytes());
        Self {
            wire: WireInt::from_unsigned_be(&be),
            reduced,
        }
    }

    fn hex(&self) -> AsciiHex {
        AsciiHex(self.wire.hex_vartime())
    }
}

/// `SRP_A`: the client's public ephemeral A = g^a mod N, sent as unpadded lower-case hex.
#[derive(Clone, PartialEq, Eq)]
pub struct SrpA {
    element: GroupElement,
    hex: AsciiHex,
}

impl SrpA {
    pub(crate) fn new(value: U3072) -> Self {
        let element = GroupElement::from_reduced(value);
        Self {
            hex: element.hex(),
            element,
        }
    }

    /// Parses `SRP_A` as a verifier receives it: the spellings `SRP_B` accepts. A degenerate A,
    /// ≡ 0, 1 or N - 1 (mod N), is refused: with A ≡ 0 S is 0 whatever the password, and 1 and
    /// N - 1 (the elements of order 1 and 2) only come from a = 0 or a forged A.
    pub fn parse(hex: &str) -> Result<Self, Error> {
        let element = GroupElement::parse(hex, "SRP_A")?;
        let srp_a = Self {
            hex: element.hex(),
            element,
        };
        if srp_a.is_degenerate() {
            return Err(Error::IllegalValue { parameter: "SRP_A" });
        }
        Ok(srp_a)
    }

    /// A mod N in {0, 1, N - 1}. A is public.
    pub(crate) fn is_degenerate(&self) -> bool {
        let a = &self.element.reduced;
        let n_minus_one = crate::group::N.wrapping_sub(&U3072::ONE);
        bool::from(a.is_zero()) || *a == U3072::ONE || *a == n_minus_one
    }

    #[cfg_attr(not(feature = "server"), allow(dead_code))]
    pub(crate) fn reduced(&self) -> &U3072 {
        &self.element.reduced
    }

    pub(crate) fn tc(&self) -> TcBuf {
        self.element.wire.tc_vartime()
    }

    /// The hex text for the `SRP_A` parameter.
    pub fn as_str(&self) -> &str {
        self.hex.as_str()
    }
}

impl fmt::Debug for SrpA {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SrpA").field(&self.as_str()).finish()
    }
}

impl fmt::Display for SrpA {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `SRP_B`: the service's public ephemeral B, from the challenge. `B ≡ 0 (mod N)` is refused.
#[derive(Clone, PartialEq, Eq)]
pub struct SrpB {
    element: GroupElement,
}

impl SrpB {
    /// Parses `SRP_B` hex: any case, leading zeros, odd length, a leading `-`; at most 4096 bits.
    pub fn parse(hex: &str) -> Result<Self, Error> {
        Ok(Self {
            element: GroupElement::parse(hex, "SRP_B")?,
        })
    }

    /// B as a verifier computed it, in 1..N.
    #[cfg_attr(not(feature = "server"), allow(dead_code))]
    pub(crate) fn from_reduced(reduced: U3072) -> Self {
        Self {
            element: GroupElement::from_reduced(reduced),
        }
    }

    pub(crate) fn reduced(&self) -> &U3072 {
        &self.element.reduced
    }

    pub(crate) fn tc(&self) -> TcBuf {
        self.element.wire.tc_vartime()
    }

    /// Hex as received, normalized: lower case, no leading zeros (as the service sends it).
    pub fn to_hex(&self) -> AsciiHex {
        self.element.hex()
    }
}

impl fmt::Debug for SrpB {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SrpB")
            .field(&self.to_hex().as_str())
            .finish()
    }
}

/// Hex text of a public value.
#[derive(Clone, PartialEq, Eq)]
pub struct AsciiHex(AsciiBuf<WIRE_HEX_CAP>);

impl AsciiHex {
    /// The text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for AsciiHex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// The salt: `SALT` hex in a challenge, or the bytes a device registration drew.
/// It is always hashed as `TC(salt)`, read as a signed integer (`docs/protocol.md`, "The
/// client's side").
#[derive(Clone, PartialEq, Eq)]
pub struct Salt {
    wire: WireInt,
}

impl Salt {
    /// Parses `SALT` hex: any case, leading zeros, odd length, a leading `-`; at most 4096 bits.
    pub fn parse(hex: &str) -> Result<Self, Error> {
        Ok(Self {
            wire: WireInt::parse_hex_vartime(hex, "SALT")?,
        })
    }

    /// A salt the service decoded from `ConfirmDevice`.
    #[cfg(feature = "server")]
    pub(crate) fn from_wire(wire: WireInt) -> Self {
        Self { wire }
    }

    /// A salt from unsigned big-endian bytes (a registration's 16 random bytes).
    pub(crate) fn from_unsigned_be<const LEN: usize>(bytes: &[u8; LEN]) -> Self {
        Self {
            wire: WireInt::from_unsigned_be(bytes),
        }
    }

    pub(crate) fn tc(&self) -> TcBuf {
        self.wire.tc_vartime()
    }

    /// Hex as the service sends it in `SALT`: lower case, unpadded, `-` for a negative salt.
    pub fn to_hex(&self) -> AsciiHex {
        AsciiHex(self.wire.hex_vartime())
    }
}

impl fmt::Debug for Salt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Salt")
            .field(&self.to_hex().as_str())
            .finish()
    }
}

/// `SECRET_BLOCK`: opaque service data, strictly standard base64 with padding. It is echoed
/// back unchanged as `PASSWORD_CLAIM_SECRET_BLOCK`, and its decoded bytes are signed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SecretBlock<'a> {
    text: &'a str,
}

impl<'a> SecretBlock<'a> {
    /// Checks that `text` is canonical standard base64 with padding; never guesses at a bad
    /// one. The empty text (zero bytes) is valid base64 and the JS client signs it, so it is
    /// accepted, though the service never sends it.
    pub fn parse(text: &'a str) -> Result<Self, Error> {
        if !crate::encoding::is_base64_alphabet(text) {
            return Err(Error::Malformed {
                parameter: "SECRET_BLOCK",
            });
        }
        let block = Self { text };
        block.for_each_chunk(|_| ())?;
        Ok(block)
    }

    /// The text exactly as received.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// Decodes in fixed-size pieces, so no allocator is needed whatever the block's size.
    pub(crate) fn for_each_chunk(&self, mut sink: impl FnMut(&[u8])) -> Result<(), Error> {
        use base64ct::{Base64, Decoder};
        let bad = Error::Malformed {
            parameter: "SECRET_BLOCK",
        };
        if self.text.is_empty() {
            return Ok(());
        }
        let mut decoder = Decoder::<Base64>::new(self.text.as_bytes()).map_err(|_| bad)?;
        let mut buf = [0u8; 192];
        while !decoder.is_finished() {
            let n = decoder.remaining_len().min(buf.len());
            let out = buf.get_mut(..n).ok_or(bad)?;
            let chunk = decoder.decode(out).map_err(|_| bad)?;
            sink(chunk);
        }
        Ok(())
    }
}

impl fmt::Debug for SecretBlock<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretBlock")
            .field("len", &self.text.len())
            .finish_non_exhaustive()
    }
}

/// `PASSWORD_CLAIM_SIGNATURE`: base64 of the 32-byte HMAC-SHA256 proof.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PasswordClaimSignature(AsciiBuf<44>);

impl PasswordClaimSignature {
    pub(crate) fn from_mac(mac: &[u8]) -> Self {
        Self(encode_base64(mac))
    }

    /// The base64 text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for PasswordClaimSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PasswordClaimSignature")
            .field(&self.as_str())
            .finish()
    }
}

/// An app client that has a secret: its `ClientId` and `ClientSecret`, in the order
/// `DescribeUserPoolClient` gives them. The one place both strings are named, so the hash's own
/// argument order (secret as key, then username, then id) can never be mixed up by a caller.
/// `Debug` shows the id only.
#[derive(Clone, Copy)]
pub struct AppClient<'a> {
    client_id: &'a str,
    client_secret: &'a str,
}

impl<'a> AppClient<'a> {
    /// The app client `client_id`, whose secret is `client_secret`.
    pub fn new(client_id: &'a str, client_secret: &'a str) -> Self {
        Self {
            client_id,
            client_secret,
        }
    }

    /// The app client id.
    pub fn client_id(&self) -> &'a str {
        self.client_id
    }

    /// `SECRET_HASH` for `username` (the internal one in challenge responses).
    pub fn secret_hash(&self, username: &str) -> SecretHash {
        SecretHash::new(self, username)
    }
}

impl fmt::Debug for AppClient<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppClient")
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// `SECRET_HASH`: base64(HMAC-SHA256(client secret, username || client id)), for app clients
/// that have a secret. `username` must be the internal one (`USER_ID_FOR_SRP`), not an alias.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SecretHash(AsciiBuf<44>);

impl SecretHash {
    /// Computes the hash; the client secret is used as the HMAC key and not kept.
    pub fn new(client: &AppClient<'_>, username: &str) -> Self {
        use hmac::Mac;
        let mut mac = crate::mac::hmac_sha256(client.client_secret.as_bytes());
        mac.update(username.as_bytes());
        mac.update(client.client_id.as_bytes());
        let mut hash = mac.finalize().into_bytes();
        crate::ct::declassify("SECRET_HASH", &mut hash);
        Self(encode_base64(&hash))
    }

    /// The base64 text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SecretHash").field(&self.as_str()).finish()
    }
}

/// Hex of a public value below 2^3072 (lower case, no leading zeros).
#[cfg_attr(not(feature = "server"), allow(dead_code))]
pub(crate) fn public_hex(value: &U3072) -> AsciiHex {
    GroupElement::from_reduced(*value).hex()
}

/// `TC(v)` of a public value below 2^3072.
pub(crate) fn public_tc(value: &U3072) -> TcBuf {
    let mut be = [0u8; N_BYTES];
    be.copy_from_slice(&value.to_be_bytes());
    WireInt::from_unsigned_be(&be).tc_vartime()
}

/// A public wire integer reduced into 0..N, negative values taken non-negative as jsbn's
/// `mod` does.
fn reduce_vartime(wire: &WireInt) -> U3072 {
    let wide = U4096::from_be_slice(wire.magnitude());
    let n_wide: U4096 = N.resize();
    let modulus = NonZero::new(n_wide).unwrap_or(NonZero::<U4096>::ONE);
    let r: U3072 = wide.rem_vartime(&modulus).resize();
    if wire.is_negative() && !bool::from(r.is_zero()) {
        N.wrapping_sub(&r)
    } else {
        r
    }
}

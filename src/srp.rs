//! The SRP-6a math, in one place for device and user sign-in and registration
//! (`docs/protocol.md`, "Registering a device", "The client's side" and "The service's side"):
//! x, v = g^x, A = g^a, u, S, the HKDF key and the `PASSWORD_CLAIM_SIGNATURE`, and the service's
//! B and S. The client's half of an exchange, which device and user sign-in share (the
//! ephemeral (a, A) and the parsed `*PASSWORD_VERIFIER` challenge it signs), is in `client`.
//! `device`, `user` and `server` only choose the identity `(P, I, secret)` and the wire shapes.
//!
//! Secrets (a, b, x, S, the key) only meet the constant-time exponentiations of `pow` with
//! public exponent bounds, `subtle` selects, SHA-256 and HMAC; every buffer that holds one is
//! zeroized.

mod client;

pub(crate) use client::{Challenge, ClientEphemeral, client_sign_in, verifier_challenge};

use crate::{
    Error,
    encoding::SecretTc,
    group::{K, N_BYTES},
    mac::hmac_sha256,
    monty::Elem,
    pow::{pow, pow_g},
    timestamp::Timestamp,
    wire::{Salt, SecretBlock, SrpA, SrpB},
};
use crypto_bigint::{U256, U3072, U4096};
use hmac::Mac;
use rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Bytes of a freshly drawn secret exponent (a, or the service's b): 256 bits, the size NIST
/// SP 800-56A Rev. 3 (5.6.1.1.1) sets for a safe-prime group of 128-bit strength such as this
/// 3072-bit one. amazon-cognito-identity-js draws 1024 bits; the service cannot tell, and the
/// exponentiations with a, and S's with a + u·x (now 513 bits), are 4 and 2 times shorter.
pub(crate) const EPHEMERAL_BYTES: usize = 32;

/// Draws of a secret exponent before an RNG that gives only zeros is refused. A working RNG
/// draws zero with probability 2^-256.
const RANDOM_DRAWS: usize = 4;

/// HKDF `info` for the session key (`docs/protocol.md`, "The client's side").
const KEY_INFO: &[u8] = b"Caldera Derived Key";

/// Who is proving: `P` and `I` of `docs/protocol.md`, "The client's side", borrowed from the
/// caller.
#[derive(Clone, Copy)]
pub(crate) struct Identity<'a> {
    /// DeviceGroupKey, or the pool name.
    pub(crate) p: &'a str,
    /// DeviceKey, or USER_ID_FOR_SRP.
    pub(crate) i: &'a str,
}

/// A secret exponent (a, or the verifier's b) with the public bound on its bit length, which
/// is all that exponentiation's running time depends on.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct SecretExponent {
    value: U3072,
    bits: u32,
}

impl SecretExponent {
    /// A fresh exponent from `rng`. A zero draw (a = 0 sends A = 1, and an eavesdropper can
    /// then test passwords offline; b = 0 sends B = k·v + 1, which gives v away) is drawn
    /// again; an RNG that gives only zeros is refused after [`RANDOM_DRAWS`] tries.
    pub(crate) fn random<R: CryptoRng + ?Sized>(
        rng: &mut R,
        parameter: &'static str,
    ) -> Result<Self, Error> {
        let mut bytes = Zeroizing::new([0u8; EPHEMERAL_BYTES]);
        for _ in 0..RANDOM_DRAWS {
            rng.fill_bytes(bytes.as_mut());
            let e = Self::from_be_bytes_unchecked(bytes.as_ref());
            if !e.is_zero_public() {
                return Ok(e);
            }
        }
        Err(Error::IllegalValue { parameter })
    }

    /// A caller-given exponent: 1 to 384 big-endian bytes, not zero. Its length is public.
    pub(crate) fn from_be_bytes(bytes: &[u8], parameter: &'static str) -> Result<Self, Error> {
        if bytes.is_empty() {
            return Err(Error::Malformed { parameter });
        }
        if bytes.len() > N_BYTES {
            return Err(Error::TooLong { parameter });
        }
        let e = Self::from_be_bytes_unchecked(bytes);
        if e.is_zero_public() {
            return Err(Error::IllegalValue { parameter });
        }
        Ok(e)
    }

    /// Whether the exponent is zero, computed without a branch and then made public: that one
    /// bit is all a refusal (or a redraw) shows, and a zero exponent is never used.
    fn is_zero_public(&self) -> bool {
        let mut zero = u8::from(bool::from(self.value.is_zero()));
        crate::ct::declassify("exponent is zero", &mut zero);
        zero != 0
    }

    fn from_be_bytes_unchecked(bytes: &[u8]) -> Self {
        let mut padded = Zeroizing::new([0u8; N_BYTES]);
        let start = N_BYTES.saturating_sub(bytes.len());
        if let Some(tail) = padded.get_mut(start..) {
            tail.copy_from_slice(bytes.get(..N_BYTES).unwrap_or(bytes));
        }
        Self {
            value: U3072::from_be_slice(padded.as_ref()),
            bits: 8 * (N_BYTES - start) as u32,
        }
    }

    /// g^self mod N.
    pub(crate) fn public_value(&self) -> U3072 {
        pow_g(self.value.as_words(), self.bits).retrieve()
    }

    pub(crate) fn value(&self) -> &U3072 {
        &self.value
    }

    pub(crate) fn bits(&self) -> u32 {
        self.bits
    }
}

impl core::fmt::Debug for SecretExponent {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SecretExponent").finish_non_exhaustive()
    }
}

/// A = g^a mod N, refusing to send a degenerate A in {0, 1, N - 1} (`SrpA::is_degenerate`):
/// g^a is 1 only for a ≡ 0, which the exponent checks refuse, and never 0 or N - 1, but the
/// check on the public A costs nothing and holds whatever the exponent's origin.
fn client_public(a: &SecretExponent) -> Result<SrpA, Error> {
    // pow_g's frames hold g to the leading bits of a on the way: wiped after.
    let mut big_a = crate::wipe::wiped(|| a.public_value());
    crate::ct::declassify("A", &mut big_a);
    let srp_a = SrpA::new(big_a);
    if srp_a.is_degenerate() {
        return Err(Error::IllegalValue { parameter: "SRP_A" });
    }
    Ok(srp_a)
}

/// The password-equivalent x = H(TC(salt) || H(P || I || ":" || secret)), read unsigned.
pub(crate) fn private_key(id: Identity<'_>, secret: &[u8], salt: &Salt) -> Zeroizing<U256> {
    let mut inner = Sha256::new();
    inner.update(id.p.as_bytes());
    inner.update(id.i.as_bytes());
    inner.update(b":");
    inner.update(secret);
    let mut inner_hash = Zeroizing::new([0u8; 32]);
    let mut digest = inner.finalize();
    inner_hash.copy_from_slice(&digest);
    digest.as_mut_slice().zeroize();

    let mut outer = Sha256::new();
    outer.update(salt.tc().as_bytes());
    outer.update(inner_hash.as_ref());
    let mut x_bytes = Zeroizing::new([0u8; 32]);
    let mut digest = outer.finalize();
    x_bytes.copy_from_slice(&digest);
    digest.as_mut_slice().zeroize();
    Zeroizing::new(U256::from_be_slice(x_bytes.as_ref()))
}

/// The verifier v = g^x mod N. x is 256 bits, the public bound of the exponentiation.
pub(crate) fn verifier(x: &U256) -> U3072 {
    let mut v = pow_g(x.as_words(), 256).retrieve();
    crate::ct::declassify("v", &mut v);
    v
}

/// u = H(TC(A) || TC(B)), read unsigned; u = 0 is refused.
pub(crate) fn scrambler(srp_a: &SrpA, srp_b: &SrpB) -> Result<U256, Error> {
    let mut h = Sha256::new();
    h.update(srp_a.tc().as_bytes());
    h.update(srp_b.tc().as_bytes());
    let u = U256::from_be_slice(&h.finalize());
    check_scrambler(&u)?;
    Ok(u)
}

pub(crate) fn check_scrambler(u: &U256) -> Result<(), Error> {
    if bool::from(u.is_zero()) {
        return Err(Error::IllegalValue { parameter: "u" });
    }
    Ok(())
}

/// The client's S = (B - k·g^x)^(a + u·x) mod N.
///
/// The exponent is not reduced, as in every client; its bound, max(bits(a), 512) + 1, is public.
pub(crate) fn client_premaster(
    a: &SecretExponent,
    srp_b: &SrpB,
    u: &U256,
    x: &U256,
) -> Zeroizing<U3072> {
    let k_v = Elem::new(&K).mul(&pow_g(x.as_words(), 256));
    let base = Elem::new(srp_b.reduced()).sub(&k_v);
    let u_x: Zeroizing<U4096> = Zeroizing::new(u.concatenating_mul::<4, 8>(x).resize());
    let exponent: Zeroizing<U4096> = Zeroizing::new(a.value().resize::<64>().wrapping_add(&u_x));
    let bits = a.bits().max(512) + 1;
    Zeroizing::new(pow(&base, exponent.as_words(), bits).retrieve())
}

/// The service's B = (k·v + g^b) mod N.
#[cfg(feature = "server")]
pub(crate) fn server_public(b: &SecretExponent, v: &U3072) -> SrpB {
    let g_b = pow_g(b.value().as_words(), b.bits());
    let mut big_b = Elem::new(&K).mul(&Elem::new(v)).add(&g_b).retrieve();
    crate::ct::declassify("B", &mut big_b);
    SrpB::from_reduced(big_b)
}

/// The service's S = (A·v^u)^b mod N. u and v are public; b's bound is public.
#[cfg(feature = "server")]
pub(crate) fn server_premaster(
    b: &SecretExponent,
    srp_a: &SrpA,
    v: &U3072,
    u: &U256,
) -> Zeroizing<U3072> {
    // u = H(A, B) is public: a sliding window, its steps following u's bits, is allowed.
    let v_u = crate::pow::pow_public_exponent(&Elem::new(v), u.as_words(), 256);
    let base = Elem::new(srp_a.reduced()).mul(&v_u);
    Zeroizing::new(pow(&base, b.value().as_words(), b.bits()).retrieve())
}

/// The 16-byte session key HKDF-SHA256(salt = TC(u), ikm = TC(S), "Caldera Derived Key").
pub(crate) fn session_key(u: &U256, s: &U3072) -> Zeroizing<[u8; 16]> {
    let tc_u = crate::wire::public_tc(&u.resize());
    let mut s_be = Zeroizing::new([0u8; N_BYTES]);
    s_be.copy_from_slice(&s.to_be_bytes());
    let tc_s = SecretTc::new(&s_be);
    // HKDF with one output block is HMAC(HMAC(salt, ikm), info || 01) cut to 16 bytes;
    // written out so that no length error path exists. `tests::matches_hkdf_crate` checks it.
    let mut extract = hmac_sha256(tc_u.as_bytes());
    extract.update(tc_s.as_bytes());
    // `CtOutput` zeroizes itself on drop; only `as_bytes` views of it are taken.
    let prk = extract.finalize();
    let mut expand = hmac_sha256(prk.as_bytes());
    expand.update(KEY_INFO);
    expand.update(&[1]);
    let okm = expand.finalize();
    let mut key = Zeroizing::new([0u8; 16]);
    key.copy_from_slice(okm.as_bytes().get(..16).unwrap_or(&[0; 16]));
    key
}

/// HMAC-SHA256(key, P || I || SECRET_BLOCK bytes || TIMESTAMP).
pub(crate) fn claim_mac(
    key: &[u8; 16],
    id: Identity<'_>,
    secret_block: &SecretBlock<'_>,
    timestamp: &Timestamp,
) -> Result<[u8; 32], Error> {
    let mut mac = hmac_sha256(key);
    mac.update(id.p.as_bytes());
    mac.update(id.i.as_bytes());
    secret_block.for_each_chunk(|chunk| mac.update(chunk))?;
    mac.update(timestamp.as_str().as_bytes());
    Ok(mac.finalize().into_bytes().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_hkdf_crate() {
        for seed in 0u8..20 {
            let u = U256::from_be_slice(&[seed.wrapping_mul(37) | 1; 32]);
            let mut s_bytes = [0u8; N_BYTES];
            for (i, b) in s_bytes.iter_mut().enumerate() {
                *b = (i as u8).wrapping_mul(seed).wrapping_add(seed);
            }
            s_bytes[0] = if seed % 3 == 0 {
                0
            } else {
                s_bytes[0] | (seed << 4)
            };
            let s = U3072::from_be_slice(&s_bytes);
            let ours = session_key(&u, &s);
            let tc_u = crate::wire::public_tc(&u.resize());
            let tc_s = SecretTc::new(&s_bytes);
            let hk = hkdf::Hkdf::<Sha256>::new(Some(tc_u.as_bytes()), tc_s.as_bytes());
            let mut okm = [0u8; 16];
            hk.expand(KEY_INFO, &mut okm).unwrap();
            assert_eq!(*ours, okm);
        }
    }

    #[test]
    fn zero_scrambler_is_refused() {
        assert_eq!(
            check_scrambler(&U256::ZERO),
            Err(Error::IllegalValue { parameter: "u" })
        );
        assert_eq!(check_scrambler(&U256::ONE), Ok(()));
    }

    #[test]
    fn exponent_checks() {
        assert_eq!(
            SecretExponent::from_be_bytes(&[], "a").err(),
            Some(Error::Malformed { parameter: "a" })
        );
        assert_eq!(
            SecretExponent::from_be_bytes(&[0; 8], "a").err(),
            Some(Error::IllegalValue { parameter: "a" })
        );
        assert_eq!(
            SecretExponent::from_be_bytes(&[1; N_BYTES + 1], "a").err(),
            Some(Error::TooLong { parameter: "a" })
        );
        let e = SecretExponent::from_be_bytes(&[0, 0, 1], "a").unwrap();
        assert_eq!(e.bits(), 24);
        assert_eq!(e.public_value(), U3072::from_u8(2));
    }
}

//! The SRP group Cognito uses (`docs/protocol.md`, "The group"): N is the RFC 3526 3072-bit MODP
//! prime, g = 2, and the multiplier k = H(TC(N) || TC(g)) = H(00 || N || 02), not RFC 5054's padded
//! form.
//!
//! Arithmetic modulo N is this crate's own (`monty`, `pow`, `comb`); crypto-bigint holds the
//! integers and computes the Montgomery constants at compile time.

use crypto_bigint::{U3072, const_monty_params};

/// N, the RFC 3526 3072-bit MODP prime (group 15), as upper-case hex: for tests and for other
/// implementations that want the same constant.
pub const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74",
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437",
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05",
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB",
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718",
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33",
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864",
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2",
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
);

const_monty_params!(Modulus, U3072, N_HEX, "The RFC 3526 3072-bit MODP prime N.");

/// N as an integer.
pub(crate) const N: U3072 =
    *<Modulus as crypto_bigint::modular::ConstMontyParams<{ U3072::LIMBS }>>::PARAMS
        .modulus()
        .as_ref();

/// The generator g = 2. The arithmetic uses it as a doubling or through the comb's table
/// (`pow::pow_g`); tests check both against this value.
#[cfg(all(test, feature = "server"))]
pub(crate) const G: U3072 = U3072::from_u8(2);

/// Byte length of N, and so the largest a value modulo N can need.
pub(crate) const N_BYTES: usize = 384;

/// k = H(00 || N || 02). `tests::k_is_hash_of_n_and_g` recomputes it.
pub(crate) const K: U3072 = U3072::from_be_hex(concat!(
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"
));

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn k_is_hash_of_n_and_g() {
        // TC(N): N's top bit is set, so one 00 byte goes in front; TC(2) = 02.
        let mut h = Sha256::new();
        h.update([0u8]);
        h.update(N.to_be_bytes());
        h.update([2u8]);
        let k = h.finalize();
        assert_eq!(&K.to_be_bytes()[N_BYTES - 32..], k.as_slice());
        assert_eq!(N.to_be_bytes()[0], 0xff);
        assert_eq!(N.bits(), 3072);
    }

    #[test]
    fn n_ends_as_rfc_3526_says() {
        let b = N.to_be_bytes();
        assert_eq!(
            &b[..12],
            &[
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc9, 0x0f, 0xda, 0xa2
            ]
        );
        assert_eq!(
            &b[N_BYTES - 12..],
            &[
                0xa9, 0x3a, 0xd2, 0xca, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
            ]
        );
    }
}

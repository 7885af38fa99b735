//! Property tests of the crate's integer encoding and modular arithmetic against `num-bigint`
//! (variable time, but an independent implementation). Regressions are committed under
//! `proptest-regressions/`.

// Test code may index and unwrap: a panic here is a failed check, not bad input.
#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::{
    encoding::{MAX_WIRE_BYTES, SecretTc, WireInt},
    group::{G, K, N_BYTES},
    kernel_tests::{big, n, residue, u3072},
    srp::{self, SecretExponent},
    wire::{SrpA, SrpB, public_tc},
};
use crypto_bigint::U256;
use num_bigint::{BigInt, BigUint, Sign};
use proptest::prelude::*;
use std::{
    format,
    string::{String, ToString},
    vec::Vec,
};

/// Java's `toByteArray` is `BigInt::to_signed_bytes_be`.
fn java_tc(b: &BigInt) -> Vec<u8> {
    b.to_signed_bytes_be()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn tc_of_wire_hex_is_java_to_byte_array(negative in any::<bool>(), bytes in proptest::collection::vec(any::<u8>(), 0..=MAX_WIRE_BYTES), zeros in 0usize..4, upper in any::<bool>()) {
        let magnitude = BigUint::from_bytes_be(&bytes);
        let mut text = format!("{}{}", "0".repeat(zeros), magnitude.to_str_radix(16));
        if upper { text = text.to_uppercase(); }
        if negative { text.insert(0, '-'); }
        let wire = WireInt::parse_hex_vartime(&text, "SRP_B").unwrap();
        let oracle = BigInt::from_biguint(if negative { Sign::Minus } else { Sign::Plus }, magnitude);
        let (ours, java) = (wire.tc_vartime(), java_tc(&oracle));
        prop_assert_eq!(ours.as_bytes(), java.as_slice());
        // TC decodes back to the same integer, as Java's `new BigInteger(byte[])` reads it.
        #[cfg(feature = "server")]
        {
            let back = WireInt::from_signed_be(wire.tc_vartime().as_bytes()).unwrap();
            prop_assert!(back == wire);
            let oracle_back = BigInt::from_signed_bytes_be(wire.tc_vartime().as_bytes());
            prop_assert_eq!(oracle_back, oracle);
        }
    }

    #[test]
    fn secret_tc_is_java_to_byte_array(value in prop_oneof![residue(), Just(BigUint::ZERO)]) {
        let mut be = [0u8; N_BYTES];
        be.copy_from_slice(&u3072(&value).to_be_bytes());
        let tc = SecretTc::new(&be);
        let java = java_tc(&BigInt::from(value));
        prop_assert_eq!(tc.as_bytes(), java.as_slice());
    }

    #[test]
    fn srp_b_is_reduced_as_jsbn_does(negative in any::<bool>(), bytes in proptest::collection::vec(any::<u8>(), 1..=MAX_WIRE_BYTES)) {
        let magnitude = BigUint::from_bytes_be(&bytes);
        let text = format!("{}{}", if negative { "-" } else { "" }, magnitude.to_str_radix(16));
        let signed = BigInt::from_biguint(if negative { Sign::Minus } else { Sign::Plus }, magnitude);
        let reduced = signed.modpow(&BigInt::from(1u8), &BigInt::from(n()));
        let reduced = if reduced.sign() == Sign::Minus { reduced + BigInt::from(n()) } else { reduced };
        match SrpB::parse(&text) {
            Ok(b) => {
                prop_assert_eq!(big(b.reduced()), reduced.to_biguint().unwrap());
                let (ours, java) = (b.tc(), java_tc(&signed));
                prop_assert_eq!(ours.as_bytes(), java.as_slice());
            }
            Err(e) => {
                prop_assert_eq!(e, crate::Error::IllegalValue { parameter: "SRP_B" });
                prop_assert_eq!(reduced, BigInt::ZERO);
            }
        }
    }
}

proptest! {
    // Each case runs several 3072-bit exponentiations in num-bigint.
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn public_values_match_modpow(a in proptest::collection::vec(any::<u8>(), 1..=N_BYTES), x in any::<[u8; 32]>()) {
        prop_assume!(a.iter().any(|&b| b != 0));
        let exponent = SecretExponent::from_be_bytes(&a, "a").unwrap();
        let oracle_a = BigUint::from(2u8).modpow(&BigUint::from_bytes_be(&a), &n());
        prop_assert_eq!(big(&exponent.public_value()), oracle_a);
        let x_u = U256::from_be_slice(&x);
        prop_assert_eq!(big(&srp::verifier(&x_u)), BigUint::from(2u8).modpow(&BigUint::from_bytes_be(&x), &n()));
    }

    #[test]
    fn client_and_service_premasters_match_the_formulas(
        a in any::<[u8; 32]>(), b in any::<[u8; 32]>(), x in any::<[u8; 32]>(), u in any::<[u8; 32]>(), b_spoof in residue(),
    ) {
        prop_assume!(a.iter().any(|&v| v != 0) && b.iter().any(|&v| v != 0));
        let (a_e, b_e) = (SecretExponent::from_be_bytes(&a, "a").unwrap(), SecretExponent::from_be_bytes(&b, "b").unwrap());
        let (x_u, u_u) = (U256::from_be_slice(&x), U256::from_be_slice(&u));
        let (a_n, b_n, x_n, u_n) = (BigUint::from_bytes_be(&a), BigUint::from_bytes_be(&b), BigUint::from_bytes_be(&x), BigUint::from_bytes_be(&u));
        let g = BigUint::from(2u8);
        let k = big(&K);
        let v = g.modpow(&x_n, &n());

        // Client: S = (B - k·v mod N)^(a + u·x) for any B, including one no honest service sends.
        let srp_b = SrpB::parse(&b_spoof.to_str_radix(16)).unwrap();
        let base = (&b_spoof + &n() - (&k * &v) % n()) % n();
        let s_client = base.modpow(&(&a_n + &u_n * &x_n), &n());
        prop_assert_eq!(big(&srp::client_premaster(&a_e, &srp_b, &u_u, &x_u)), s_client);

        // Service: B = k·v + g^b, S = (A·v^u)^b, and both sides agree for the true verifier.
        let big_b = srp::server_public(&b_e, &u3072(&v));
        prop_assert_eq!(big(big_b.reduced()), (&k * &v + g.modpow(&b_n, &n())) % n());
        let srp_a = SrpA::new(u3072(&g.modpow(&a_n, &n())));
        let s_service = srp::server_premaster(&b_e, &srp_a, &u3072(&v), &u_u);
        let oracle = (big(srp_a.reduced()) * v.modpow(&u_n, &n())).modpow(&b_n, &n());
        prop_assert_eq!(big(&s_service), oracle.clone());
        prop_assert_eq!(big(&srp::client_premaster(&a_e, &big_b, &u_u, &x_u)), oracle);
    }

    #[test]
    fn public_tc_round_trips(value in residue()) {
        let tc = public_tc(&u3072(&value));
        let java = java_tc(&BigInt::from(value.clone()));
        prop_assert_eq!(tc.as_bytes(), java.as_slice());
        prop_assert_eq!(hex(tc.as_bytes()).trim_start_matches('0').to_string(), value.to_str_radix(16));
    }
}

#[test]
fn g_and_k_are_what_the_spec_says() {
    assert_eq!(big(&G), BigUint::from(2u8));
    assert_eq!(
        hex(&K.to_be_bytes()[N_BYTES - 32..]),
        "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"
    );
}

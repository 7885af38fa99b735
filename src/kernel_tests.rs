//! Property tests of the arithmetic kernels (`monty`, `pow`, `comb`) against two independent
//! implementations: crypto-bigint's `ConstMontyForm` (constant time, same R) and num-bigint
//! (variable time). Regressions are committed under `proptest-regressions/`.

// Test code may index and unwrap: a panic here is a failed check, not bad input.
#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use crate::{
    bits::window,
    group::{Modulus, N, N_BYTES},
    monty::{Acc, Elem, LIMBS, ONE, limbs_of},
    pow::{
        best_window, pow, pow_g, pow_g_doubling, pow_g_in, pow_in, pow_public_exponent,
        pow_public_exponent_in,
    },
};
use crypto_bigint::{U3072, Word, modular::ConstMontyForm};
use num_bigint::BigUint;
use proptest::prelude::*;
use std::vec::Vec;

type Fe = ConstMontyForm<Modulus, { U3072::LIMBS }>;

pub(crate) fn big(u: &U3072) -> BigUint {
    BigUint::from_bytes_be(&u.to_be_bytes())
}

pub(crate) fn n() -> BigUint {
    big(&N)
}

pub(crate) fn u3072(b: &BigUint) -> U3072 {
    let bytes = b.to_bytes_be();
    let mut be = [0u8; N_BYTES];
    be[N_BYTES - bytes.len()..].copy_from_slice(&bytes);
    U3072::from_be_slice(&be)
}

/// Residues mod N with the shapes that matter to TC and the reduction: small, near N, top bits,
/// random.
pub(crate) fn residue() -> impl Strategy<Value = BigUint> {
    prop_oneof![
        (1u64..1000).prop_map(BigUint::from),
        (1u64..1000).prop_map(|d| n() - BigUint::from(d)),
        proptest::collection::vec(any::<u8>(), 1..=N_BYTES)
            .prop_map(|b| BigUint::from_bytes_be(&b) % n()),
    ]
    .prop_filter("nonzero", |v| *v != BigUint::ZERO)
}

/// Residues including zero, and limbs of all ones where N allows.
fn operand() -> impl Strategy<Value = BigUint> {
    prop_oneof![
        4 => residue(),
        1 => Just(BigUint::ZERO),
        1 => (0usize..LIMBS - 1).prop_map(|k| (BigUint::from(1u8) << (64 * k as u32)) - 1u8),
    ]
}

fn r() -> BigUint {
    (BigUint::from(1u8) << 3072u32) % n()
}

/// R^-1 mod N, by Fermat (N is prime); computed once, num-bigint is unoptimized in tests.
fn r_inv() -> BigUint {
    static R_INV: std::sync::OnceLock<BigUint> = std::sync::OnceLock::new();
    R_INV.get_or_init(|| r().modpow(&(n() - 2u8), &n())).clone()
}

/// An element holding `limbs` as they are (not converted into Montgomery form).
fn raw(b: &BigUint) -> Elem {
    Elem::from_limbs(limbs_of(&u3072(b)))
}

fn of_raw(e: &Elem) -> BigUint {
    let mut bytes = Vec::new();
    for limb in e.limbs() {
        bytes.extend(limb.to_le_bytes());
    }
    BigUint::from_bytes_le(&bytes)
}

fn exponent(bits: u32) -> impl Strategy<Value = BigUint> {
    proptest::collection::vec(any::<u8>(), bits.div_ceil(8) as usize)
        .prop_map(move |b| BigUint::from_bytes_be(&b) % (BigUint::from(1u8) << bits))
}

/// Runs `$body` once per kernel this build has, `$k` bound to it: the scalar kernel, and under
/// feature `ifma` the IFMA kernel too, whose absence from the CPU fails the test.
macro_rules! each_kernel {
    (|$k:ident| $body:expr) => {{
        {
            let $k = crate::monty::Scalar;
            $body
        }
        #[cfg(all(feature = "ifma", target_arch = "x86_64"))]
        {
            let $k = crate::monty::ifma::tests::kernel();
            $body
        }
    }};
}

fn words(e: &BigUint) -> [Word; U3072::LIMBS] {
    u3072(e).to_words()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn montgomery_product_is_a_b_over_r(a in operand(), b in operand()) {
        let product = raw(&a).mul(&raw(&b));
        prop_assert_eq!(of_raw(&product), &a * &b * r_inv() % n());
        prop_assert!(of_raw(&product) < n());
    }

    #[test]
    fn square_is_the_product_with_itself(a in operand()) {
        let square = raw(&a).square();
        prop_assert_eq!(&square, &raw(&a).mul(&raw(&a)));
        prop_assert_eq!(of_raw(&square), &a * &a * r_inv() % n());
    }

    #[test]
    fn matches_crypto_bigint(a in operand(), b in operand()) {
        let (x, y) = (Elem::new(&u3072(&a)), Elem::new(&u3072(&b)));
        let (fx, fy) = (Fe::new(&u3072(&a)), Fe::new(&u3072(&b)));
        // Same R: the Montgomery forms are the same integers.
        prop_assert_eq!(x.limbs(), &limbs_of(fx.as_montgomery()));
        prop_assert_eq!(x.mul(&y).retrieve(), fx.mul(&fy).retrieve());
        prop_assert_eq!(x.square().retrieve(), fx.square().retrieve());
        prop_assert_eq!(x.add(&y).retrieve(), fx.add(&fy).retrieve());
        prop_assert_eq!(x.sub(&y).retrieve(), fx.sub(&fy).retrieve());
        prop_assert_eq!(x.double().retrieve(), fx.double().retrieve());
    }

    #[test]
    fn conversions_round_trip_and_reduce(a in proptest::collection::vec(any::<u8>(), N_BYTES)) {
        // Any 3072-bit integer, N and above included.
        let a = BigUint::from_bytes_be(&a);
        let x = Elem::new(&u3072(&a));
        prop_assert_eq!(of_raw(&x), &a * r() % n());
        prop_assert_eq!(big(&x.retrieve()), &a % n());
    }

    #[test]
    fn windowed_pow_matches_modpow(base in operand(), bits in 1u32..=600, seed in any::<[u8; 80]>()) {
        let e = BigUint::from_bytes_be(&seed) % (BigUint::from(1u8) << bits);
        let want = base.modpow(&e, &n());
        each_kernel!(|k| {
            let got = pow_in(k, &Elem::new(&u3072(&base)), &words(&e), bits).retrieve();
            prop_assert_eq!(&big(&got), &want);
        });
    }

    #[test]
    fn public_exponent_pow_matches_modpow(base in operand(), bits in 1u32..=300, seed in any::<[u8; 40]>()) {
        let e = BigUint::from_bytes_be(&seed) % (BigUint::from(1u8) << bits);
        let want = base.modpow(&e, &n());
        each_kernel!(|k| {
            let got = pow_public_exponent_in(k, &Elem::new(&u3072(&base)), &words(&e), bits);
            prop_assert_eq!(&big(&got.retrieve()), &want);
        });
    }

    #[test]
    fn pow_g_matches_modpow(e in exponent(256), near in exponent(280), bits in 250u32..=280) {
        let g = BigUint::from(2u8);
        // The comb for exponents up to 270 bits, square-and-double above and without the table.
        let near = near % (BigUint::from(1u8) << bits);
        each_kernel!(|k| {
            prop_assert_eq!(big(&pow_g_in(k, &words(&e), 256).retrieve()), g.modpow(&e, &n()));
            prop_assert_eq!(big(&pow_g_in(k, &words(&near), bits).retrieve()), g.modpow(&near, &n()));
        });
        prop_assert_eq!(big(&pow_g(&words(&e), 256).retrieve()), g.modpow(&e, &n()));
        prop_assert_eq!(big(&pow_g_doubling(&words(&e), 256).retrieve()), g.modpow(&e, &n()));
    }

    #[test]
    fn window_reads_the_bits(e in exponent(3072), pos in 0u32..3100, width in 1u32..=6) {
        let want = (&e >> pos) % (1u32 << width);
        prop_assert_eq!(BigUint::from(window(&words(&e), pos, width)), want);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn pow_g_takes_any_length(long in exponent(3072)) {
        let g = BigUint::from(2u8);
        let want = g.modpow(&long, &n());
        each_kernel!(|k| prop_assert_eq!(&big(&pow_g_in(k, &words(&long), 3072).retrieve()), &want));
    }
}

#[test]
fn edge_exponents() {
    let g = BigUint::from(2u8);
    for e in [
        BigUint::ZERO,
        BigUint::from(1u8),
        (BigUint::from(1u8) << 256u32) - 1u8,
        (BigUint::from(1u8) << 269u32),
        (BigUint::from(1u8) << 270u32) - 1u8,
    ] {
        let bits = e.bits().max(1) as u32;
        each_kernel!(|k| {
            assert_eq!(
                big(&pow_g_in(k, &words(&e), bits).retrieve()),
                g.modpow(&e, &n())
            );
            assert_eq!(
                big(&pow_g_in(k, &words(&e), 270).retrieve()),
                g.modpow(&e, &n())
            );
            let base = Elem::new(&u3072(&(n() - 1u8)));
            let want = (n() - 1u8).modpow(&e, &n());
            assert_eq!(big(&pow_in(k, &base, &words(&e), bits).retrieve()), want);
            assert_eq!(
                big(&pow_public_exponent_in(k, &base, &words(&e), bits).retrieve()),
                want
            );
        });
        let base = Elem::new(&u3072(&(n() - 1u8)));
        assert_eq!(
            big(&pow(&base, &words(&e), bits).retrieve()),
            (n() - 1u8).modpow(&e, &n())
        );
        assert_eq!(
            big(&pow_public_exponent(&base, &words(&e), bits).retrieve()),
            (n() - 1u8).modpow(&e, &n())
        );
    }
    assert_eq!(pow_g(&[], 0), ONE);
    // Windows of every length, runs of zeros between them, and a bound above the top bit.
    let base = Elem::new(&U3072::from_u32(3));
    for e in [
        0b1u32,
        0b11111,
        0b100001,
        0b1000000001,
        0xffff_ffff,
        0x8000_0001,
    ] {
        for bits in [32, 40] {
            let want = BigUint::from(3u8).modpow(&BigUint::from(e), &n());
            let got = pow_public_exponent(&base, &words(&BigUint::from(e)), bits);
            assert_eq!(big(&got.retrieve()), want, "3^{e:#x}, {bits} bits");
        }
    }
    assert_eq!(pow_public_exponent(&base, &[], 0), ONE);
}

#[test]
fn select_reads_the_chosen_entry() {
    let table: Vec<Elem> = (1u32..=8).map(|i| Elem::new(&U3072::from_u32(i))).collect();
    for (i, entry) in table.iter().enumerate() {
        assert_eq!(&Elem::select(&table, i as u64), entry);
    }
    assert_eq!(Elem::select(&table, 8), Elem::ZERO);
}

#[test]
fn windows_are_the_cheapest() {
    assert_eq!(best_window(256), 4);
    assert_eq!(best_window(513), 5);
    assert_eq!(best_window(1), 2);
    assert_eq!(best_window(3072), 6);
}

#[test]
fn the_accumulator_holds_the_column_sum() {
    // A column at its largest (96 products of the largest limbs and a carried-in word), then
    // doubled, added and shifted as a square's column and the reduction do.
    let edges = [0, 1, u64::MAX / 2, u64::MAX - 1, u64::MAX];
    for &x in &edges {
        for &y in &edges {
            let mut acc = Acc::default();
            let mut model = BigUint::from(0u8);
            for _ in 0..96 {
                acc.add_product(x, y);
                model += BigUint::from(x) * BigUint::from(y);
            }
            acc.add_word(u64::MAX);
            model += BigUint::from(u64::MAX);
            let value = |acc: &Acc| BigUint::from(acc.lo) + (BigUint::from(acc.hi) << 64u32);
            assert_eq!(value(&acc), model, "{x} · {y}");
            let mut twice = Acc::default();
            twice.add(&acc);
            twice.double();
            assert_eq!(value(&twice), &model * 2u8, "doubled");
            twice.add(&acc);
            assert_eq!(value(&twice), &model * 3u8, "added");
            let low = twice.shift();
            assert_eq!(
                BigUint::from(low),
                (&model * 3u8) % (BigUint::from(1u8) << 64u32)
            );
            assert_eq!(value(&twice), (&model * 3u8) >> 64u32, "shifted");
        }
    }
}

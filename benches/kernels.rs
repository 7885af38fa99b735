//! The exponentiations under the protocol, one at a time, against the code this crate ran
//! before its own kernels (crypto-bigint 0.7's `ConstMontyForm`, constant time) and against
//! variable-time `num-bigint`, measured in the same run so that the ratios are the result.
//!
//! Each group holds, over the same random inputs:
//!
//! - `cognito-srp6a`: this crate (`__bench` hooks into `pow`, `comb` and `monty`).
//! - `crypto-bigint`: the same step as this crate computed it before (commit 5a0e5a6):
//!   g^e by square-and-double on `ConstMontyForm`, any other base by `pow_bounded_exp`
//!   (crypto-bigint's 4-bit fixed window), products with `ConstMontyForm`'s multiply.
//! - `num-bigint-vartime`: `BigUint::modpow` and `%`, what the peer Rust crates use.
//!
//! Groups:
//!
//! - `g_pow_256`: g^x for a 256-bit x (v, A, k·g^x, the service's g^b). This crate through the
//!   comb (`cognito-srp6a`) and through square-and-double (`cognito-srp6a-without-table`, the
//!   path without the `comb-table` feature).
//! - `pow_513`: base^e for a 513-bit e, the client's S = (B - k·g^x)^(a + u·x).
//! - `mul_x100`, `square_x100`: 100 Montgomery products, or squarings, in a row.
//! - `service_math`: the service's share of one sign-in, B = k·v + g^b and S = (A·v^u)^b with a
//!   256-bit b (this crate through `srp::server_public` and `srp::server_premaster`).
//!
//! After the groups, `service_math paired` times the service's math again, this crate and the
//! code before it alternating, and prints the median ratio of 60 rounds: on a shared machine
//! the steadier figure.
//!
//! Every group checks that all its implementations agree before timing. Run with
//! `cargo bench --features __bench --bench kernels` (about a minute on two cores: 20 samples,
//! 1 s warm-up and 2 s measurement per benchmark).

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a benchmark: an input that does not parse should stop it loudly"
)]

use std::{
    hint::black_box,
    time::{Duration, Instant},
};

use cognito_srp6a::{N_HEX, bench};
use criterion::{BenchmarkGroup, Criterion, criterion_group, measurement::WallTime};
use crypto_bigint::{CtAssign, U256, U3072, U4096, const_monty_params, modular::ConstMontyForm};
use num_bigint::BigUint;
use rand::{RngExt, SeedableRng, rngs::StdRng};

const CRATE: &str = "cognito-srp6a";
const BEFORE: &str = "crypto-bigint";
const BASELINE: &str = "num-bigint-vartime";

const_monty_params!(Modulus, U3072, N_HEX, "N, for the crypto-bigint baseline.");
type Fe = ConstMontyForm<Modulus, { U3072::LIMBS }>;

/// g^e by square-and-double on crypto-bigint, as `group::pow_g` was before the comb.
fn before_pow_g(e: &U256, bits: u32) -> Fe {
    let mut acc = Fe::ONE;
    for i in (0..bits).rev() {
        acc = acc.square();
        let doubled = acc.double();
        acc.ct_assign(&doubled, e.bit(i));
    }
    acc
}

/// The service's B and S as `srp::server_public` and `srp::server_premaster` computed them
/// before.
fn before_service_math(v: &U3072, b: &U256, srp_a: &U3072, u: &U256) -> (U3072, U3072) {
    let (k, v) = (Fe::new(&bench::k()), Fe::new(v));
    let big_b = (k * v + before_pow_g(b, 256)).retrieve();
    let base = Fe::new(srp_a) * v.pow_bounded_exp(u, 256);
    (big_b, base.pow_bounded_exp(b, 256).retrieve())
}

fn baseline_service_math(
    n: &BigUint,
    v: &BigUint,
    b: &BigUint,
    srp_a: &BigUint,
    u: &BigUint,
) -> (BigUint, BigUint) {
    let k = big(&bench::k());
    let big_b = (k * v + BigUint::from(2u8).modpow(b, n)) % n;
    let base = srp_a * v.modpow(u, n) % n;
    (big_b, base.modpow(b, n))
}

fn big<const L: usize>(x: &crypto_bigint::Uint<L>) -> BigUint {
    BigUint::from_bytes_be(&x.to_be_bytes())
}

fn random_below_n(rng: &mut StdRng) -> U3072 {
    // The top bit clear: below N, which starts with 64 one bits.
    let mut bytes = [0u8; 384];
    rng.fill(&mut bytes[..]);
    bytes[0] &= 0x7f;
    U3072::from_be_slice(&bytes)
}

fn random_bits<const L: usize>(rng: &mut StdRng, bits: u32) -> crypto_bigint::Uint<L> {
    let mut bytes = vec![0u8; crypto_bigint::Uint::<L>::BYTES];
    rng.fill(&mut bytes[..]);
    let x = crypto_bigint::Uint::<L>::from_be_slice(&bytes);
    // The top bit of the bound set: the exponent has exactly `bits` bits.
    let top = crypto_bigint::Uint::<L>::ONE.shl_vartime(bits - 1);
    (x & top.wrapping_sub(&crypto_bigint::Uint::ONE)) | top
}

fn group<'c>(c: &'c mut Criterion, name: &str) -> BenchmarkGroup<'c, WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2));
    g
}

fn g_pow_256(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(1);
    let x: U256 = random_bits(&mut rng, 256);
    let (n, two) = (
        BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap(),
        BigUint::from(2u8),
    );
    let expected = two.modpow(&big(&x), &n);
    assert_eq!(big(&bench::g_pow(&x)), expected);
    assert_eq!(big(&bench::g_pow_without_table(&x)), expected);
    assert_eq!(big(&before_pow_g(&x, 256).retrieve()), expected);

    let mut g = group(c, "g_pow_256");
    g.bench_function(CRATE, |b| b.iter(|| bench::g_pow(black_box(&x))));
    g.bench_function(format!("{CRATE}-without-table"), |b| {
        b.iter(|| bench::g_pow_without_table(black_box(&x)))
    });
    g.bench_function(BEFORE, |b| {
        b.iter(|| before_pow_g(black_box(&x), 256).retrieve())
    });
    let big_x = big(&x);
    g.bench_function(BASELINE, |b| b.iter(|| two.modpow(black_box(&big_x), &n)));
    g.finish();
}

fn pow_513(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(2);
    let base = random_below_n(&mut rng);
    let e: U4096 = random_bits(&mut rng, 513);
    let n = BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap();
    let (big_base, big_e) = (big(&base), big(&e));
    let expected = big_base.modpow(&big_e, &n);
    assert_eq!(big(&bench::pow_mod(&base, &e, 513)), expected);
    assert_eq!(
        big(&Fe::new(&base).pow_bounded_exp(&e, 513).retrieve()),
        expected
    );

    let mut g = group(c, "pow_513");
    g.bench_function(CRATE, |b| {
        b.iter(|| bench::pow_mod(black_box(&base), black_box(&e), 513))
    });
    g.bench_function(BEFORE, |b| {
        b.iter(|| {
            Fe::new(black_box(&base))
                .pow_bounded_exp(black_box(&e), 513)
                .retrieve()
        })
    });
    g.bench_function(BASELINE, |b| {
        b.iter(|| black_box(&big_base).modpow(black_box(&big_e), &n))
    });
    g.finish();
}

fn products(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(3);
    let (x, y) = (random_below_n(&mut rng), random_below_n(&mut rng));
    let n = BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap();
    let before_mul = |x: &U3072, y: &U3072| {
        let (mut acc, y) = (Fe::new(x), Fe::new(y));
        for _ in 0..100 {
            acc *= y;
        }
        acc.retrieve()
    };
    let before_square = |x: &U3072| {
        let mut acc = Fe::new(x);
        for _ in 0..100 {
            acc = acc.square();
        }
        acc.retrieve()
    };
    let baseline_mul = |x: &BigUint, y: &BigUint| {
        let mut acc = x.clone();
        for _ in 0..100 {
            acc = acc * y % &n;
        }
        acc
    };
    let baseline_square = |x: &BigUint| {
        let mut acc = x.clone();
        for _ in 0..100 {
            acc = &acc * &acc % &n;
        }
        acc
    };
    let (big_x, big_y) = (big(&x), big(&y));
    assert_eq!(
        big(&bench::products(&x, &y, 100)),
        baseline_mul(&big_x, &big_y)
    );
    assert_eq!(big(&before_mul(&x, &y)), baseline_mul(&big_x, &big_y));
    assert_eq!(big(&bench::squarings(&x, 100)), baseline_square(&big_x));
    assert_eq!(big(&before_square(&x)), baseline_square(&big_x));

    let mut g = group(c, "mul_x100");
    g.bench_function(CRATE, |b| {
        b.iter(|| bench::products(black_box(&x), black_box(&y), 100))
    });
    g.bench_function(BEFORE, |b| {
        b.iter(|| before_mul(black_box(&x), black_box(&y)))
    });
    g.bench_function(BASELINE, |b| {
        b.iter(|| baseline_mul(black_box(&big_x), black_box(&big_y)))
    });
    g.finish();

    let mut g = group(c, "square_x100");
    g.bench_function(CRATE, |b| b.iter(|| bench::squarings(black_box(&x), 100)));
    g.bench_function(BEFORE, |b| b.iter(|| before_square(black_box(&x))));
    g.bench_function(BASELINE, |b| b.iter(|| baseline_square(black_box(&big_x))));
    g.finish();
}

/// The service's inputs: v, A, b and u.
fn service_inputs() -> (U3072, U3072, U256, U256) {
    let mut rng = StdRng::seed_from_u64(4);
    let v = random_below_n(&mut rng);
    let srp_a = random_below_n(&mut rng);
    (
        v,
        srp_a,
        random_bits(&mut rng, 256),
        random_bits(&mut rng, 256),
    )
}

fn service_math(c: &mut Criterion) {
    let (v, srp_a, b, u) = service_inputs();
    let n = BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap();
    let (big_v, big_b, big_a, big_u) = (big(&v), big(&b), big(&srp_a), big(&u));
    let expected = baseline_service_math(&n, &big_v, &big_b, &big_a, &big_u);
    let ours = bench::service_math(&v, &b, &srp_a, &u).unwrap();
    assert_eq!((big(&ours.0), big(&ours.1)), expected);
    let before = before_service_math(&v, &b, &srp_a, &u);
    assert_eq!((big(&before.0), big(&before.1)), expected);

    let mut g = group(c, "service_math");
    g.bench_function(CRATE, |bencher| {
        bencher.iter(|| bench::service_math(black_box(&v), black_box(&b), &srp_a, &u))
    });
    g.bench_function(BEFORE, |bencher| {
        bencher.iter(|| before_service_math(black_box(&v), black_box(&b), &srp_a, &u))
    });
    g.bench_function(BASELINE, |bencher| {
        bencher.iter(|| {
            baseline_service_math(&n, black_box(&big_v), black_box(&big_b), &big_a, &big_u)
        })
    });
    g.finish();
}

/// The service's math again, this crate and the code before it alternating in rounds of five
/// calls, so that a change in the machine's speed during the run (a shared VM) falls on both:
/// the median of the rounds' ratios, steadier than two groups timed a minute apart.
fn paired_service_ratio() {
    const ROUNDS: usize = 60;
    const CALLS: u32 = 5;
    let (v, srp_a, b, u) = service_inputs();
    let time = |f: &dyn Fn()| {
        let started = Instant::now();
        for _ in 0..CALLS {
            f();
        }
        started.elapsed().as_secs_f64() * 1e3 / f64::from(CALLS)
    };
    let mut rounds: Vec<(f64, f64, f64)> = (0..ROUNDS)
        .map(|_| {
            let ours = time(&|| {
                black_box(bench::service_math(black_box(&v), &b, &srp_a, &u));
            });
            let before = time(&|| {
                black_box(before_service_math(black_box(&v), &b, &srp_a, &u));
            });
            (before / ours, ours, before)
        })
        .collect();
    rounds.sort_by(|x, y| x.0.total_cmp(&y.0));
    let (median, ours, before) = rounds[ROUNDS / 2];
    println!(
        "service_math paired: {CRATE} {ours:.2} ms, {BEFORE} {before:.2} ms, ratio {median:.2} \
         (median of {ROUNDS} rounds; quartiles {:.2} to {:.2})",
        rounds[ROUNDS / 4].0,
        rounds[3 * ROUNDS / 4].0
    );
}

criterion_group!(benches, g_pow_256, pow_513, products, service_math);

fn main() {
    benches();
    paired_service_ratio();
    Criterion::default().configure_from_args().final_summary();
}

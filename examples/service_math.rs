//! The service's math for COUNT SRP checks, timed: B = k·v + g^b and S = (A·v^u)^b with a
//! 256-bit b and u and random v and A, through the functions the service runs
//! (`bench::service_math`). `scripts/openssl-bench` times it against the same steps on
//! OpenSSL (`benches/openssl/service_math.c`) in interleaved rounds.
//!
//! ```text
//! cargo run --release --features __bench,ifma --example service_math -- [COUNT] [scalar]
//! ```
//!
//! `scalar` runs the scalar kernel even where the IFMA kernel could. Prints
//! `COUNT checks in X ms`, and on stderr which kernel ran.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark")]

use cognito_srp6a::bench;
use crypto_bigint::{U256, U3072};
use rand::RngExt;
use std::time::Instant;

fn main() {
    let count: u32 = match std::env::args().nth(1) {
        None => 100,
        Some(arg) => arg.parse().expect("COUNT: a whole number of checks"),
    };
    bench::use_scalar_kernel(std::env::args().nth(2).as_deref() == Some("scalar"));
    let mut rng = rand::rng();
    let below_n = |rng: &mut rand::rngs::ThreadRng| {
        let mut bytes = [0u8; 384];
        rng.fill(&mut bytes[1..]);
        U3072::from_be_slice(&bytes)
    };
    let (v, srp_a) = (below_n(&mut rng), below_n(&mut rng));
    let started = Instant::now();
    for _ in 0..count {
        let (b, u): ([u8; 32], [u8; 32]) = (rng.random(), rng.random());
        let (b, u) = (U256::from_be_slice(&b), U256::from_be_slice(&u));
        std::hint::black_box(bench::service_math(&v, &b, &srp_a, &u));
    }
    let ms = started.elapsed().as_secs_f64() * 1e3;
    let kernel = if bench::ifma_kernel_runs() {
        "IFMA"
    } else {
        "scalar"
    };
    eprintln!("kernel: {kernel}");
    println!("{count} checks in {ms:.1} ms");
}

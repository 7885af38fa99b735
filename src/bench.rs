//! Not an API: the internal steps the benchmarks (`benches/`) time one by one, behind the
//! `__bench` feature. Each takes and returns plain integers.

use crate::{
    monty::Elem,
    pow::{pow, pow_g},
};
use crypto_bigint::{U256, U3072, U4096};

/// g^x for a 256-bit x.
pub fn g_pow(x: &U256) -> U3072 {
    pow_g(x.as_words(), 256).retrieve()
}

/// g^x by square-and-double, the path without the comb's table.
pub fn g_pow_without_table(x: &U256) -> U3072 {
    crate::pow::pow_g_doubling(x.as_words(), 256).retrieve()
}

/// base^e for e below 2^bits.
pub fn pow_mod(base: &U3072, e: &U4096, bits: u32) -> U3072 {
    pow(&Elem::new(base), e.as_words(), bits).retrieve()
}

/// `count` Montgomery products of `a` with itself and `b`, alternating.
pub fn products(a: &U3072, b: &U3072, count: u32) -> U3072 {
    let (mut x, y) = (Elem::new(a), Elem::new(b));
    for _ in 0..count {
        x = x.mul(&y);
    }
    x.retrieve()
}

/// `count` Montgomery squarings of `a`.
pub fn squarings(a: &U3072, count: u32) -> U3072 {
    let mut x = Elem::new(a);
    for _ in 0..count {
        x = x.square();
    }
    x.retrieve()
}

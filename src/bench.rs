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

/// The service's math for one sign-in, through the functions the service runs: B = k·v + g^b
/// for a 256-bit b, then S = (A·v^u)^b. Returns B and S; `None` for b = 0.
#[cfg(feature = "server")]
pub fn service_math(v: &U3072, b: &U256, srp_a: &U3072, u: &U256) -> Option<(U3072, U3072)> {
    let b = crate::srp::SecretExponent::from_be_bytes(&b.to_be_bytes(), "b").ok()?;
    let big_b = crate::srp::server_public(&b, v);
    let s = crate::srp::server_premaster(&b, &crate::wire::SrpA::new(*srp_a), v, u);
    Some((*big_b.reduced(), *s))
}

/// The multiplier k = H(00 || N || 02).
pub fn k() -> U3072 {
    crate::group::K
}

/// Whether the exponentiations run on the AVX-512 IFMA kernel: built with feature `ifma`, on a
/// CPU that has it, and not turned off by [`use_scalar_kernel`].
pub fn ifma_kernel_runs() -> bool {
    #[cfg(all(feature = "ifma", target_arch = "x86_64"))]
    return crate::kernel::ifma().is_some();
    #[cfg(not(all(feature = "ifma", target_arch = "x86_64")))]
    false
}

/// Runs every exponentiation on the scalar kernel from now on (`true`), or on the best one
/// again (`false`), so that a benchmark times both kernels in one run.
pub fn use_scalar_kernel(scalar: bool) {
    #[cfg(all(feature = "ifma", target_arch = "x86_64"))]
    crate::kernel::SCALAR_ONLY.store(scalar, core::sync::atomic::Ordering::Relaxed);
    #[cfg(not(all(feature = "ifma", target_arch = "x86_64")))]
    let _ = scalar;
}

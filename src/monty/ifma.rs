//! The AVX-512 IFMA kernel (feature `ifma`, x86-64): Montgomery products modulo N with the
//! 52-bit multiply-adds `vpmadd52luq`/`vpmadd52huq`, eight lanes at a time
//! (`docs/architecture.md`, "Kernels").
//!
//! An element is 60 limbs of 52 bits (3,120 bits) in 64 lanes, the last four zero, holding
//! x·R' mod N with R' = 2^3120, and kept below 2N rather than below N: R' > 4N, so the product
//! of two such values reduces to below 2N again and no product needs a final subtraction. Only
//! [`Ifma::leave`] subtracts, once, on the way out.
//!
//! The product scans b's limbs: per limb b_i, the low halves of a·b_i and of m·N (m chosen so
//! that limb 0 cancels: N ≡ -1 mod 2^52, so m is limb 0 itself) go into the 64 lane sums, the
//! sums move down one lane, and the high halves go in where they now belong. A lane gains at
//! most four 52-bit halves and a small carry per limb, 240 halves in all, so the 64-bit lanes
//! never overflow and the carries are propagated once, at the end.
//!
//! The comb's table is in the scalar kernel's form, x·R with R = 2^3072. Its entries go into
//! products as they are: each product with one leaves a factor R/R' on the result, the same
//! number of times for every exponent (`comb::ENTRY_PRODUCTS`), and one product with
//! [`COMB`] at the end takes it off.
//!
//! Constant time: every loop runs over public lengths, no secret picks a branch or an address
//! (table scans read every entry and keep one with masks), and the multiply-adds take the same
//! time for every operand. `scripts/ifma-check` checks the compiled functions of this module
//! for branches and addresses that depend on loaded data; valgrind, which checks the scalar
//! kernel, cannot run AVX-512.

#![allow(
    clippy::indexing_slicing,
    reason = "lane and limb indices are loop counters over fixed-size arrays, in bounds by construction"
)]
#![allow(
    clippy::incompatible_msrv,
    reason = "the AVX-512 intrinsics are stable from Rust 1.89; feature `ifma` says so, and the \
              default build, without it, stays on the core's MSRV"
)]

use super::{Elem, LIMBS, MODULUS, ONE, eq_mask, limbs_of};
use crate::kernel::Kernel;
use core::arch::x86_64::{
    __m512i, _mm_cvtsi128_si64, _mm512_add_epi64, _mm512_alignr_epi64, _mm512_castsi512_si128,
    _mm512_loadu_epi64, _mm512_madd52hi_epu64, _mm512_madd52lo_epu64, _mm512_mask_add_epi64,
    _mm512_mask_madd52hi_epu64, _mm512_mask_madd52lo_epu64, _mm512_set1_epi64,
    _mm512_setzero_si512, _mm512_storeu_epi64,
};
use crypto_bigint::U3072;
use zeroize::Zeroize;

/// Bits per limb.
const RADIX: usize = 52;
const MASK: u64 = (1 << RADIX) - 1;
/// Limbs of a value: 60 · 52 = 3,120 bits.
const WIDE_LIMBS: usize = 60;
/// Lanes: eight vectors of eight.
const LANES: usize = 64;
const VECTORS: usize = LANES / 8;

/// An element of this kernel. Not `Copy`, as [`Elem`].
#[derive(Clone, Zeroize)]
#[repr(C, align(64))]
pub(crate) struct Wide([u64; LANES]);

impl core::fmt::Debug for Wide {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Wide").finish_non_exhaustive()
    }
}

/// N in 52-bit limbs.
static N52: Wide = Wide(to_radix52(&MODULUS));

/// R'^2/R mod N = 2^3168 mod N: the product of x·R with it is x·R'.
static ENTER: Wide = Wide(to_radix52(&limbs_of(&U3072::from_be_hex(concat!(
    "DE973DCB4703CE7DFEBC9C475CE331957D5100CF3B169FD1949B2952414387DC",
    "34AC2D1A178DC1E361B2CD6341A10E1D71E4E807109B3F2EE256485AB24F8F7E",
    "E0728C0AA4319E09EA3EE306BD4CB617427D93A77142BE6FDE4D0F86130B6B64",
    "90DC6901509C61732278A448BFC58896BF5EFCA5C62EAA8C7853D63147943457",
    "D26A77C6D6EA3C4A6B40AF2F0C02584C9B0848492AE6993DA6B0F4246029C016",
    "2A2C1C1949CBEFA3859A5765D562C51924021FAD9DAC902B7C5432EDB4F81702",
    "75C4150F0D79A283B6CB6B76917D55B6127E97751D9BEFFBD05A417C2AFB7C52",
    "A993CA069073B7384127AF5079A37995145CB363BBEBD8F177E1FF076A2ED9F9",
    "6027C406381A07E2928F4D79E7C6E3DF500AD1BB6F4F61EF5357BD7401DB6996",
    "611E8FFE5027F61698AD2BBEEA89BCD502F179D8A2618AC25B57B4808F5161D5",
    "9C0231AD96903208B387833D7A085D85262E54A9F87276FB0FC6CB23522F27A6",
    "B033C7D528CFFC1D6740E715275808A3B6EF3F1194DA15410000000036F0255D",
)))));

/// R mod N: the product of x·R' with it is x·R, the scalar kernel's form.
static LEAVE: Wide = Wide(to_radix52(&ONE.0));

/// The comb's correction, R'^c / R^(c-1) mod N for c = `comb::ENTRY_PRODUCTS` = 279: the comb's
/// result carries R^c·R'^(1-c) (each entry brings an R, each of the c - 1 products and squarings
/// takes an R' away), and one product with this leaves x·R. That is 2^(48c + 3072) =
/// 2^16464 mod N; `tests::constants_are_powers_of_two` recomputes it.
#[cfg(feature = "comb-table")]
const _: () = assert!(
    crate::comb::ENTRY_PRODUCTS == 279,
    "COMB is 2^(48·279 + 3072) mod N"
);
#[cfg(feature = "comb-table")]
static COMB: Wide = Wide(to_radix52(&limbs_of(&U3072::from_be_hex(concat!(
    "C2545AE1319A7D3A878A6B78B21D6CA087BFDCE46801D2F09070E50CAF301B26",
    "DFE5768A6892CC25D1D275533C2DD594CE6296D0199DBD4048028053487D092D",
    "E2283E955F547DBB9F909F0088D55089728595E119D3C28FFD2EAB24667DDC73",
    "04A4470ECF815111452A06F3548896F982F65C75AF46AFE989025AF6D27FC998",
    "3BEB6A21CBED5277D2DF26BED91CD3CCC2E5DC6CA298064C693FA1CF425F6799",
    "B777285AF89A97CD0579FE58B8BC54274BA803315E37AA2C5E57CC2DB4907213",
    "8759596D5CACBD8D03D7A225C4138A5B8AE96CBAD5E485341C6C043B1C66DC21",
    "14A5A73F0197A666B445B7DFEAD2BA968781F62A9BA0B9B172391C3C89345FD3",
    "DF6AB7FD11B4A6A6FE624FE51CB6C19A1ECF0B5C3D0CAA2FE3BA4A52DBFC2E9A",
    "89AA21ACE68E0392E0017053B0D89465F47399F603DA5599BCD734FD10CD8612",
    "54DCB955C16430E068ACB8F4F1544017D23427123287F4E45296705C6D1CB052",
    "1F33A9515A11F900093D3A0B24C5BBCD379CCCDB968B326E11C0CF6C39DC74C2",
)))));

/// The IFMA kernel. A value of it exists only once [`Ifma::detect`] saw the CPU (and the
/// operating system) support AVX-512F, AVX-512 IFMA and AVX-512VL: holding one is the proof
/// the `unsafe` calls below rely on.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ifma(());

cpufeatures::new!(cpu, "avx512f", "avx512ifma", "avx512vl");

impl Ifma {
    /// The kernel, if this CPU has it. The CPUID check runs once; later calls read a cached flag.
    pub(crate) fn detect() -> Option<Self> {
        cpu::get().then_some(Self(()))
    }
}

impl Kernel for Ifma {
    type Elem = Wide;
    const DOUBLES: bool = false;

    fn one(self) -> Wide {
        self.enter(&ONE)
    }

    #[inline(never)]
    fn enter(self, x: &Elem) -> Wide {
        let mut wide = Wide(to_radix52(&x.0));
        let out = self.mul(&wide, &ENTER);
        wide.zeroize();
        out
    }

    #[inline(never)]
    fn leave(self, x: &Wide) -> Elem {
        self.leave_by(x, &LEAVE)
    }

    #[inline(never)]
    fn mul(self, a: &Wide, b: &Wide) -> Wide {
        // SAFETY: `self` exists only if `detect` saw avx512f and avx512ifma, the features
        // `product` is compiled for.
        unsafe { product(a, b) }
    }

    #[inline(never)]
    fn square(self, a: &Wide) -> Wide {
        // SAFETY: as in `mul`.
        unsafe { square(a) }
    }

    #[inline(never)]
    fn select(self, table: &[Wide], index: u64) -> Wide {
        // SAFETY: as in `mul`; `select_wide` needs only avx512f.
        unsafe { select_wide(table, index) }
    }

    #[cfg(feature = "comb-table")]
    #[inline(never)]
    fn select_comb(self, table: &[Elem], index: u64) -> Wide {
        // SAFETY: as in `mul`; `select_entry` needs only avx512f.
        let mut entry = unsafe { select_entry(table, index) };
        // Converted out of the AVX-512 function: compiled there, the conversion becomes
        // gathers, which scripts/ifma-check cannot tell from secret-indexed reads.
        let out = Wide(to_radix52(&entry.0));
        entry.zeroize();
        out
    }

    #[cfg(feature = "comb-table")]
    #[inline(never)]
    fn leave_comb(self, x: &Wide) -> Elem {
        self.leave_by(x, &COMB)
    }
}

impl Ifma {
    /// x·c·R'^-1, fully reduced, in the scalar kernel's form.
    fn leave_by(self, x: &Wide, c: &Wide) -> Elem {
        let mut product = self.mul(x, c);
        subtract_n_if_needed(&mut product.0);
        let out = Elem(from_radix52(&product.0));
        product.zeroize();
        out
    }
}

/// a·b·R'^-1 mod N, below 2N for a and b below 2N.
#[target_feature(enable = "avx512f,avx512ifma")]
#[inline(never)]
fn product(a: &Wide, b: &Wide) -> Wide {
    let zero = _mm512_setzero_si512();
    let (av, nv) = (vectors(a), vectors(&N52));
    let mut acc = [zero; VECTORS];
    for &bi in &b.0[..WIDE_LIMBS] {
        let bv = _mm512_set1_epi64(bi as i64);
        for k in 0..VECTORS {
            acc[k] = _mm512_madd52lo_epu64(acc[k], av[k], bv);
        }
        // Limb 0's multiplier: with N ≡ -1 (mod 2^52), -N^-1 is 1 and m is the limb itself.
        let t0 = _mm_cvtsi128_si64(_mm512_castsi512_si128(acc[0])) as u64;
        let m = t0 & MASK;
        let mv = _mm512_set1_epi64(m as i64);
        // The gate's controls (scripts/ifma-check --controls): leaks it must find.
        #[cfg(cognito_srp6a_ifma_control = "branch")]
        if m & 1 == 1 {
            core::hint::black_box(&mut acc);
        }
        #[cfg(cognito_srp6a_ifma_control = "index")]
        core::hint::black_box(N52.0[(m & 63) as usize]);
        for k in 0..VECTORS {
            acc[k] = _mm512_madd52lo_epu64(acc[k], nv[k], mv);
        }
        // Limb 0 is now a multiple of 2^52 (the low half of m·N_0 is -m mod 2^52): its carry
        // goes into the next limb as the lanes move down one.
        let carry = t0.wrapping_add(m.wrapping_mul(MASK) & MASK) >> RADIX;
        for k in 0..VECTORS - 1 {
            acc[k] = _mm512_alignr_epi64::<1>(acc[k + 1], acc[k]);
        }
        acc[VECTORS - 1] = _mm512_alignr_epi64::<1>(zero, acc[VECTORS - 1]);
        acc[0] = _mm512_mask_add_epi64(acc[0], 1, acc[0], _mm512_set1_epi64(carry as i64));
        // The high halves belong one lane up from their low halves: where they are now.
        for k in 0..VECTORS {
            acc[k] = _mm512_madd52hi_epu64(acc[k], av[k], bv);
            acc[k] = _mm512_madd52hi_epu64(acc[k], nv[k], mv);
        }
    }
    normalized(&acc)
}

/// a^2·R'^-1 mod N, below 2N for a below 2N: `product`'s scan with each cross product
/// a_i·a_j (i < j) computed once, into a second window of lane sums that is added twice, and
/// the squares a_i^2 once. Per limb a_i, only the vectors holding some j > i take products,
/// 568 multiply-adds for the cross products and 120 for the squares in all against the 960 of
/// a product's a·b. The reduction is the product's.
#[target_feature(enable = "avx512f,avx512ifma")]
#[inline(never)]
#[allow(
    clippy::reversed_empty_ranges,
    reason = "the last vector has no vectors above it: its loops over them are empty by design"
)]
fn square(a: &Wide) -> Wide {
    let zero = _mm512_setzero_si512();
    let (av, nv) = (vectors(a), vectors(&N52));
    let mut acc = [zero; VECTORS];
    let mut cross = [zero; VECTORS];
    // Limb i = 8p + r: vector p holds a_i itself (lane r), vectors below it only j < i. The
    // vector loops run from the literal p, so that every window stays in registers.
    macro_rules! limb {
        ($p:literal, $r:expr) => {{
            let r: u32 = $r;
            let bv = _mm512_set1_epi64(a.0[8 * $p + r as usize] as i64);
            // Lanes j > i of vector p, and lane i.
            let above = (0xff_u32 << (r + 1)) as u8;
            let own = (1_u32 << r) as u8;
            cross[$p] = _mm512_mask_madd52lo_epu64(cross[$p], above, av[$p], bv);
            for k in $p + 1..VECTORS {
                cross[k] = _mm512_madd52lo_epu64(cross[k], av[k], bv);
            }
            acc[$p] = _mm512_mask_madd52lo_epu64(acc[$p], own, av[$p], bv);
            // Lane 0 is complete: the column is acc's lane plus twice cross's.
            let twice = _mm512_add_epi64(cross[0], cross[0]);
            acc[0] = _mm512_mask_add_epi64(acc[0], 1, acc[0], twice);
            let t0 = _mm_cvtsi128_si64(_mm512_castsi512_si128(acc[0])) as u64;
            let m = t0 & MASK;
            let mv = _mm512_set1_epi64(m as i64);
            for k in 0..VECTORS {
                acc[k] = _mm512_madd52lo_epu64(acc[k], nv[k], mv);
            }
            let carry = t0.wrapping_add(m.wrapping_mul(MASK) & MASK) >> RADIX;
            for k in 0..VECTORS - 1 {
                acc[k] = _mm512_alignr_epi64::<1>(acc[k + 1], acc[k]);
                cross[k] = _mm512_alignr_epi64::<1>(cross[k + 1], cross[k]);
            }
            acc[VECTORS - 1] = _mm512_alignr_epi64::<1>(zero, acc[VECTORS - 1]);
            cross[VECTORS - 1] = _mm512_alignr_epi64::<1>(zero, cross[VECTORS - 1]);
            acc[0] = _mm512_mask_add_epi64(acc[0], 1, acc[0], _mm512_set1_epi64(carry as i64));
            cross[$p] = _mm512_mask_madd52hi_epu64(cross[$p], above, av[$p], bv);
            for k in $p + 1..VECTORS {
                cross[k] = _mm512_madd52hi_epu64(cross[k], av[k], bv);
            }
            acc[$p] = _mm512_mask_madd52hi_epu64(acc[$p], own, av[$p], bv);
            for k in 0..VECTORS {
                acc[k] = _mm512_madd52hi_epu64(acc[k], nv[k], mv);
            }
        }};
    }
    for r in 0..8 {
        limb!(0, r);
    }
    for r in 0..8 {
        limb!(1, r);
    }
    for r in 0..8 {
        limb!(2, r);
    }
    for r in 0..8 {
        limb!(3, r);
    }
    for r in 0..8 {
        limb!(4, r);
    }
    for r in 0..8 {
        limb!(5, r);
    }
    for r in 0..8 {
        limb!(6, r);
    }
    // 60 limbs: the last vector holds four.
    for r in 0..(WIDE_LIMBS - 56) as u32 {
        limb!(7, r);
    }
    for k in 0..VECTORS {
        acc[k] = _mm512_add_epi64(acc[k], _mm512_add_epi64(cross[k], cross[k]));
    }
    normalized(&acc)
}

/// An element's 64 lanes as eight vectors, for `product` and `square`.
#[target_feature(enable = "avx512f")]
#[inline]
fn vectors(w: &Wide) -> [__m512i; VECTORS] {
    let mut out = [_mm512_setzero_si512(); VECTORS];
    for (k, v) in out.iter_mut().enumerate() {
        // SAFETY: lanes 8k to 8k + 7 of a 64-lane array, k < 8; unaligned loads are allowed.
        *v = unsafe { _mm512_loadu_epi64(w.0.as_ptr().add(8 * k).cast()) };
    }
    out
}

/// The element whose lane sums are `sums`, each lane's excess over 52 bits carried into the
/// next: how `product` and `square` end.
#[target_feature(enable = "avx512f")]
#[inline]
fn normalized(sums: &[__m512i; VECTORS]) -> Wide {
    let mut out = Wide([0; LANES]);
    for (k, v) in sums.iter().enumerate() {
        // SAFETY: as in `vectors`.
        unsafe { _mm512_storeu_epi64(out.0.as_mut_ptr().add(8 * k).cast(), *v) };
    }
    let mut carry = 0u64;
    for limb in out.0.iter_mut() {
        let v = limb.wrapping_add(carry);
        *limb = v & MASK;
        carry = v >> RADIX;
    }
    out
}

/// `table[index]`, reading every entry.
#[target_feature(enable = "avx512f")]
#[inline(never)]
fn select_wide(table: &[Wide], index: u64) -> Wide {
    let mut out = Wide([0; LANES]);
    for (i, entry) in table.iter().enumerate() {
        let m = eq_mask(i as u64, index);
        for (o, &e) in out.0.iter_mut().zip(&entry.0) {
            *o |= e & m;
        }
    }
    out
}

/// `table[index]` of the comb's table, with AVX-512 registers.
#[cfg(feature = "comb-table")]
#[target_feature(enable = "avx512f")]
#[inline(never)]
fn select_entry(table: &[Elem], index: u64) -> Elem {
    Elem::select(table, index)
}

/// x := x - N where x ≥ N, for x below 2N in normalized 52-bit limbs.
fn subtract_n_if_needed(x: &mut [u64; LANES]) {
    let mut diff = [0u64; LANES];
    let mut borrow = 0;
    for ((d, &xi), &n) in diff.iter_mut().zip(x.iter()).zip(&N52.0) {
        let t = xi.wrapping_sub(n).wrapping_sub(borrow);
        *d = t & MASK;
        borrow = t >> 63;
    }
    // No borrow out: x ≥ N, take the difference.
    let take = !eq_mask(borrow, 1);
    for (xi, &d) in x.iter_mut().zip(&diff) {
        *xi ^= (*xi ^ d) & take;
    }
    diff.zeroize();
}

/// 48 64-bit limbs as 60 52-bit ones.
const fn to_radix52(x: &[u64; LIMBS]) -> [u64; LANES] {
    let mut out = [0u64; LANES];
    let mut j = 0;
    while j < WIDE_LIMBS {
        let (q, r) = (RADIX * j / 64, (RADIX * j % 64) as u32);
        let next = if q + 1 < LIMBS { x[q + 1] } else { 0 };
        out[j] = (((x[q] as u128 | ((next as u128) << 64)) >> r) as u64) & MASK;
        j += 1;
    }
    out
}

/// 60 normalized 52-bit limbs, below 2^3072, as 48 64-bit ones.
const fn from_radix52(y: &[u64; LANES]) -> [u64; LIMBS] {
    let mut out = [0u64; LIMBS];
    let mut i = 0;
    while i < LIMBS {
        let (j, r) = (64 * i / RADIX, (64 * i % RADIX) as u32);
        let v = ((y[j] as u128) >> r)
            | ((y[j + 1] as u128) << (RADIX as u32 - r))
            | ((y[j + 2] as u128) << (2 * RADIX as u32 - r));
        out[i] = v as u64;
        i += 1;
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::kernel_tests::{big, n, residue, u3072};
    use num_bigint::BigUint;
    use proptest::prelude::*;

    /// The kernel; its tests fail, never skip, on a CPU without it.
    pub(crate) fn kernel() -> Ifma {
        Ifma::detect().expect(
            "this CPU lacks AVX-512F, IFMA or VL: the IFMA kernel's tests need a CPU that has them",
        )
    }

    fn value(w: &Wide) -> BigUint {
        w.0.iter()
            .rev()
            .fold(BigUint::ZERO, |acc, &limb| (acc << RADIX) + limb)
    }

    fn wide(v: &BigUint) -> Wide {
        let mut out = Wide([0; LANES]);
        for (j, limb) in out.0.iter_mut().enumerate() {
            *limb = ((v >> (RADIX * j)) & BigUint::from(MASK))
                .iter_u64_digits()
                .next()
                .unwrap_or(0);
        }
        assert_eq!(&value(&out), v);
        out
    }

    /// R'^-1 mod N, by Fermat; computed once, num-bigint is unoptimized in tests.
    fn r_prime_inv() -> BigUint {
        static INV: std::sync::OnceLock<BigUint> = std::sync::OnceLock::new();
        INV.get_or_init(|| (BigUint::from(1u8) << 3120u32).modpow(&(n() - 2u8), &n()))
            .clone()
    }

    /// Values below 2N, the kernel's whole input range: residues, and residues plus N.
    fn operand() -> impl Strategy<Value = BigUint> {
        prop_oneof![
            3 => residue(),
            1 => residue().prop_map(|r| r + n()),
            1 => Just(BigUint::ZERO),
            1 => Just(n() * 2u8 - 1u8),
            1 => (1usize..WIDE_LIMBS).prop_map(|k| (BigUint::from(1u8) << (RADIX * k)) - 1u8),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn product_is_a_b_over_r_prime_below_2n(a in operand(), b in operand()) {
            let k = kernel();
            let p = k.mul(&wide(&a), &wide(&b));
            prop_assert!(value(&p) < n() * 2u8);
            prop_assert!(p.0.iter().all(|&limb| limb <= MASK));
            prop_assert_eq!(value(&p) % n(), &a * &b * r_prime_inv() % n());
            prop_assert_eq!(value(&k.square(&wide(&a))) % n(), &a * &a * r_prime_inv() % n());
        }

        #[test]
        fn products_match_the_scalar_kernel(a in residue(), b in residue()) {
            let k = kernel();
            let (x, y) = (Elem::new(&u3072(&a)), Elem::new(&u3072(&b)));
            let (wx, wy) = (k.enter(&x), k.enter(&y));
            prop_assert!(k.leave(&wx) == x);
            prop_assert!(k.leave(&k.mul(&wx, &wy)) == x.mul(&y));
            prop_assert!(k.leave(&k.square(&wx)) == x.square());
        }
    }

    #[test]
    fn leave_reduces_fully() {
        let k = kernel();
        // x·R' for x = N - 1 + N (unreduced) leaves as N - 1's scalar form.
        let r_prime = (BigUint::from(1u8) << 3120u32) % n();
        let x = (n() - 1u8) * &r_prime % n() + n();
        let out = k.leave(&wide(&x));
        assert!(out == Elem::new(&u3072(&(n() - 1u8))));
        assert_eq!(big(&out.retrieve()), n() - 1u8);
    }

    #[test]
    fn constants_are_powers_of_two() {
        let two = BigUint::from(2u8);
        assert_eq!(value(&ENTER), two.modpow(&BigUint::from(3168u32), &n()));
        assert_eq!(value(&LEAVE), two.modpow(&BigUint::from(3072u32), &n()));
        assert_eq!(value(&N52), n());
        #[cfg(feature = "comb-table")]
        {
            let e = 48 * crate::comb::ENTRY_PRODUCTS + 3072;
            assert_eq!(value(&COMB), two.modpow(&BigUint::from(e), &n()));
        }
    }

    #[test]
    fn radix_conversions_round_trip() {
        let x = limbs_of(&crate::group::N.wrapping_sub(&U3072::from_u8(5)));
        let wide = to_radix52(&x);
        assert!(wide.iter().all(|&limb| limb <= MASK));
        assert_eq!(value(&Wide(wide)), big(&crate::group::N) - 5u8);
        assert_eq!(from_radix52(&wide), x);
    }

    #[test]
    fn select_reads_the_chosen_entry() {
        let k = kernel();
        let table: std::vec::Vec<Wide> = (1u32..=8).map(|i| wide(&BigUint::from(i))).collect();
        for (i, entry) in table.iter().enumerate() {
            assert_eq!(value(&k.select(&table, i as u64)), value(entry));
        }
        assert_eq!(value(&k.select(&table, 8)), BigUint::ZERO);
    }
}

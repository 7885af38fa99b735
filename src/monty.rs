//! Multiplication modulo N in Montgomery form (`docs/protocol.md`, "The group"): the kernels every
//! exponentiation of the protocol runs on (v = g^x, A = g^a, k·g^x, S, and the service's B and S).
//!
//! An element is 48 little-endian 64-bit limbs holding x·R mod N, R = 2^3072, the same R as
//! crypto-bigint's `ConstMontyForm` for this modulus. Products and squares scan the result
//! column by column with the Montgomery reduction interleaved (`montgomery`); a square computes
//! each cross product once and doubles it, 3,480 limb products against a product's 4,608.
//! N ≡ -1 (mod 2^64), so the reduction's per-limb factor is the low limb itself.
//!
//! This is the scalar kernel of `kernel::Kernel` (`Scalar`), on every target, and the form
//! every value modulo N has outside an exponentiation: the other kernel (`ifma`, a child
//! module, as it shares this representation's constants) converts into its own form and back.
//!
//! Everything here is constant time for secret operands: loops run over public lengths, the
//! final subtraction and every table lookup select with masks, and all arithmetic is wrapping,
//! because this crate keeps overflow checks in debug builds and their branches would depend on
//! the operands (the constant-time gate runs debug builds too).

#![allow(
    clippy::indexing_slicing,
    reason = "limb indices are loop counters over fixed-size arrays, in bounds by construction"
)]

use crate::group::N;
use crypto_bigint::{U3072, Word};
use subtle::{ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroize;

/// Limbs of an element.
pub(crate) const LIMBS: usize = 48;

#[cfg(all(feature = "ifma", target_arch = "x86_64"))]
#[allow(unsafe_code, reason = "the AVX-512 intrinsics; every block has its SAFETY comment")]
pub(crate) mod ifma;

/// An integer modulo N in Montgomery form. Not `Copy`: a copy of a secret is a decision. The
/// limbs are private to this module and its kernels.
#[derive(Clone, PartialEq, Eq, Zeroize)]
pub(crate) struct Elem([u64; LIMBS]);

/// The scalar kernel: products, squares and scans on [`Elem`] itself.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scalar;

impl crate::kernel::Kernel for Scalar {
    type Elem = Elem;
    const DOUBLES: bool = true;

    fn one(self) -> Elem {
        ONE
    }

    fn enter(self, x: &Elem) -> Elem {
        x.clone()
    }

    fn leave(self, x: &Elem) -> Elem {
        x.clone()
    }

    fn mul(self, a: &Elem, b: &Elem) -> Elem {
        a.mul(b)
    }

    fn square(self, a: &Elem) -> Elem {
        a.square()
    }

    fn select(self, table: &[Elem], index: u64) -> Elem {
        Elem::select(table, index)
    }

    #[cfg(feature = "comb-table")]
    fn select_comb(self, table: &[Elem], index: u64) -> Elem {
        Elem::select(table, index)
    }

    #[cfg(feature = "comb-table")]
    fn leave_comb(self, x: &Elem) -> Elem {
        x.clone()
    }
}

/// N's limbs.
const MODULUS: [u64; LIMBS] = limbs_of(&N);

/// R mod N = 2^3072 - N (N > 2^3071): the Montgomery form of 1.
pub(crate) const ONE: Elem = Elem(neg(&MODULUS));

/// R^2 mod N, which takes an integer into Montgomery form.
const R2: [u64; LIMBS] = limbs_of(
    <crate::group::Modulus as crypto_bigint::modular::ConstMontyParams<{ U3072::LIMBS }>>::PARAMS
        .r2(),
);

/// The limbs of a crypto-bigint integer, whatever its word size.
pub(crate) const fn limbs_of(x: &U3072) -> [u64; LIMBS] {
    let words = x.as_words();
    let per_limb = (u64::BITS / Word::BITS) as usize;
    let mut out = [0u64; LIMBS];
    let mut i = 0;
    while i < words.len() {
        out[i / per_limb] |= widen(words[i]) << ((i % per_limb) as u32 * Word::BITS);
        i += 1;
    }
    out
}

/// A crypto-bigint word as a limb: 32 bits on some targets, 64 on others, so the cast widens
/// or does nothing (`From` is not const).
#[allow(clippy::unnecessary_cast, reason = "a no-op only where words are 64 bits")]
pub(crate) const fn widen(word: Word) -> u64 {
    word as u64
}

/// The crypto-bigint integer of `limbs`.
fn uint_of(limbs: &[u64; LIMBS]) -> U3072 {
    let per_limb = (u64::BITS / Word::BITS) as usize;
    let mut words = [0 as Word; U3072::LIMBS];
    for (i, word) in words.iter_mut().enumerate() {
        *word = (limbs[i / per_limb] >> ((i % per_limb) as u32 * Word::BITS)) as Word;
    }
    let value = U3072::from_words(words);
    words.zeroize();
    value
}

/// 2^3072 - x.
const fn neg(x: &[u64; LIMBS]) -> [u64; LIMBS] {
    let mut out = [0u64; LIMBS];
    let mut borrow = 0u64;
    let mut i = 0;
    while i < LIMBS {
        let d = 0u128
            .wrapping_sub(x[i] as u128)
            .wrapping_sub(borrow as u128);
        out[i] = d as u64;
        borrow = ((d >> 64) as u64) & 1;
        i += 1;
    }
    out
}

/// a + b + carry as (sum, carry out).
#[inline(always)]
fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = (a as u128)
        .wrapping_add(b as u128)
        .wrapping_add(carry as u128);
    (t as u64, (t >> 64) as u64)
}

/// a - b - borrow as (difference, borrow out).
#[inline(always)]
fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let t = (a as u128)
        .wrapping_sub(b as u128)
        .wrapping_sub(borrow as u128);
    (t as u64, ((t >> 64) as u64) & 1)
}

/// A mask of all ones where `choice` is 1, all zeros where 0; through `subtle`, so the compiler
/// does not see a boolean it could branch on.
#[inline(always)]
fn mask(choice: u64) -> u64 {
    u64::conditional_select(&0, &u64::MAX, (choice as u8).ct_eq(&1))
}

/// All ones where a = b, all zeros otherwise, through `subtle`.
#[inline(always)]
fn eq_mask(a: u64, b: u64) -> u64 {
    mask(u64::from(bool::from(a.ct_eq(&b))))
}

impl Elem {
    /// Zero.
    #[cfg(any(feature = "comb-table", test))]
    pub(crate) const ZERO: Self = Self([0; LIMBS]);

    /// The element whose limbs are the 384 little-endian bytes at `bytes[at..]`, as they are
    /// (already in Montgomery form): the comb's table, decoded at compile time.
    #[cfg(feature = "comb-table")]
    pub(crate) const fn from_le_bytes_at(bytes: &[u8], at: usize) -> Self {
        let mut limbs = [0u64; LIMBS];
        let mut i = 0;
        while i < LIMBS {
            let b = at + 8 * i;
            limbs[i] = u64::from_le_bytes([
                bytes[b],
                bytes[b + 1],
                bytes[b + 2],
                bytes[b + 3],
                bytes[b + 4],
                bytes[b + 5],
                bytes[b + 6],
                bytes[b + 7],
            ]);
            i += 1;
        }
        Self(limbs)
    }

    /// The element holding `limbs` as they are, for tests of the kernels.
    #[cfg(test)]
    pub(crate) const fn from_limbs(limbs: [u64; LIMBS]) -> Self {
        Self(limbs)
    }

    /// The limbs as they are, for tests of the kernels.
    #[cfg(test)]
    pub(crate) const fn limbs(&self) -> &[u64; LIMBS] {
        &self.0
    }

    /// x·R mod N, for any x below 2^3072 (a value at or above N comes out reduced).
    pub(crate) fn new(x: &U3072) -> Self {
        let mut limbs = limbs_of(x);
        // x·R^2·R^-1; the product of x < 2^3072 with R^2 < N is below N·R, as REDC needs.
        let out = Self(limbs).mul(&Self(R2));
        limbs.zeroize();
        out
    }

    /// The integer this element stands for, below N: the Montgomery product with 1.
    pub(crate) fn retrieve(&self) -> U3072 {
        let mut one = [0u64; LIMBS];
        one[0] = 1;
        let mut out = self.mul(&Self(one));
        let value = uint_of(&out.0);
        out.zeroize();
        value
    }

    /// self·other·R^-1 mod N: the Montgomery product.
    pub(crate) fn mul(&self, other: &Self) -> Self {
        montgomery(&Product(&self.0, &other.0))
    }

    /// self^2·R^-1 mod N.
    pub(crate) fn square(&self) -> Self {
        montgomery(&Square(&self.0))
    }

    /// 2·self mod N (g = 2's multiply step).
    pub(crate) fn double(&self) -> Self {
        let mut out = [0u64; LIMBS];
        let mut top = 0;
        for (o, &x) in out.iter_mut().zip(&self.0) {
            *o = (x << 1) | top;
            top = x >> 63;
        }
        subtract_n_if_needed(&mut out, top);
        Self(out)
    }

    /// self - other mod N.
    pub(crate) fn sub(&self, other: &Self) -> Self {
        let mut out = [0u64; LIMBS];
        let mut borrow = 0;
        for ((o, &x), &y) in out.iter_mut().zip(&self.0).zip(&other.0) {
            (*o, borrow) = sbb(x, y, borrow);
        }
        // Went below zero: add N back.
        let add = mask(borrow);
        let mut carry = 0;
        for (o, &n) in out.iter_mut().zip(&MODULUS) {
            (*o, carry) = adc(*o, n & add, carry);
        }
        Self(out)
    }

    /// self + other mod N (the service's B).
    #[cfg(any(feature = "server", test))]
    pub(crate) fn add(&self, other: &Self) -> Self {
        let mut out = [0u64; LIMBS];
        let mut carry = 0;
        for ((o, &x), &y) in out.iter_mut().zip(&self.0).zip(&other.0) {
            (*o, carry) = adc(x, y, carry);
        }
        subtract_n_if_needed(&mut out, carry);
        Self(out)
    }

    /// Replaces self by `other` where `choice` is 1, in constant time.
    pub(crate) fn assign_if(&mut self, other: &Self, choice: u64) {
        let m = mask(choice);
        for (x, &y) in self.0.iter_mut().zip(&other.0) {
            *x ^= (*x ^ y) & m;
        }
    }

    /// `table[index]`, reading every entry: which one was taken shows neither in the branches
    /// nor in the addresses read. An index past the end gives zero. Inlined, so that the IFMA
    /// kernel's scan of the comb's table compiles with its wider registers.
    #[inline(always)]
    pub(crate) fn select(table: &[Self], index: u64) -> Self {
        let mut out = [0u64; LIMBS];
        for (i, entry) in table.iter().enumerate() {
            let m = eq_mask(i as u64, index);
            for (o, &e) in out.iter_mut().zip(&entry.0) {
                *o |= e & m;
            }
        }
        Self(out)
    }
}

/// A column sum of 128-bit products, worth `lo + hi·2^64`. A column has at most 96 products
/// and a carry below 2^73, so `hi` never overflows. Each product costs one multiply and three
/// additions: its low limb joins `lo`, and its high limb takes that addition's carry (it is at
/// most 2^64 - 2, so the sum fits a limb) and joins `hi`. Measured against a three-limb
/// accumulator with a chained carry and against two 128-bit sums, this form gives LLVM the
/// fewest instructions per product: 5% less time per product, 7% per square.
#[derive(Default)]
pub(crate) struct Acc {
    pub(crate) lo: u64,
    pub(crate) hi: u128,
}

impl Acc {
    #[inline(always)]
    pub(crate) fn add_product(&mut self, x: u64, y: u64) {
        let p = (x as u128).wrapping_mul(y as u128);
        let (lo, carry) = self.lo.overflowing_add(p as u64);
        self.lo = lo;
        let high = ((p >> 64) as u64).wrapping_add(u64::from(carry));
        self.hi = self.hi.wrapping_add(u128::from(high));
    }

    /// Σ xs_i · ys_(n-1-i): a column's products, `ys` read backwards. Unrolled by four, as
    /// the compiler does not unroll a loop of varying length.
    #[inline(always)]
    pub(crate) fn add_dot(&mut self, xs: &[u64], ys: &[u64]) {
        let (mut xs4, mut ys4) = (xs.chunks_exact(4), ys.rchunks_exact(4));
        for (x, y) in (&mut xs4).zip(&mut ys4) {
            self.add_product(x[0], y[3]);
            self.add_product(x[1], y[2]);
            self.add_product(x[2], y[1]);
            self.add_product(x[3], y[0]);
        }
        for (&x, &y) in xs4.remainder().iter().zip(ys4.remainder().iter().rev()) {
            self.add_product(x, y);
        }
    }

    #[inline(always)]
    pub(crate) fn add_word(&mut self, x: u64) {
        let (lo, carry) = self.lo.overflowing_add(x);
        self.lo = lo;
        self.hi = self.hi.wrapping_add(u128::from(carry));
    }

    #[inline(always)]
    pub(crate) fn add(&mut self, other: &Self) {
        let (lo, carry) = self.lo.overflowing_add(other.lo);
        self.lo = lo;
        self.hi = self
            .hi
            .wrapping_add(other.hi)
            .wrapping_add(u128::from(carry));
    }

    #[inline(always)]
    pub(crate) fn double(&mut self) {
        self.hi = (self.hi << 1) | u128::from(self.lo >> 63);
        self.lo <<= 1;
    }

    /// The low limb out, the rest shifted down one limb.
    #[inline(always)]
    pub(crate) fn shift(&mut self) -> u64 {
        let out = self.lo;
        self.lo = self.hi as u64;
        self.hi >>= 64;
        out
    }
}

/// The columns of a 6144-bit product, one at a time.
trait Columns {
    /// Adds column k's limb products to `acc`.
    fn add_column(&self, k: usize, acc: &mut Acc);
}

/// a·b.
struct Product<'a>(&'a [u64; LIMBS], &'a [u64; LIMBS]);

impl Columns for Product<'_> {
    #[inline(always)]
    fn add_column(&self, k: usize, acc: &mut Acc) {
        let low = k.saturating_sub(LIMBS - 1);
        let high = k.min(LIMBS - 1);
        acc.add_dot(&self.0[low..=high], &self.1[low..=high]);
    }
}

/// a^2: each column's cross products a_i·a_j (i < j) once, doubled, plus the square on the
/// diagonal.
struct Square<'a>(&'a [u64; LIMBS]);

impl Columns for Square<'_> {
    #[inline(always)]
    fn add_column(&self, k: usize, acc: &mut Acc) {
        let a = self.0;
        let low = k.saturating_sub(LIMBS - 1);
        let half = k.div_ceil(2);
        let mut cross = Acc::default();
        if half > low {
            cross.add_dot(&a[low..half], &a[k + 1 - half..=k - low]);
        }
        cross.double();
        if k.is_multiple_of(2) {
            cross.add_product(a[k / 2], a[k / 2]);
        }
        cross.add(acc);
        *acc = cross;
    }
}

/// Montgomery multiplication by product scanning with the reduction interleaved: column k of
/// the result sums `columns`' column k of the 6144-bit product (below N·R), and
/// Σ m_i·N_(k-i). For k < 48 the column then picks m_k so that its low limb cancels: m_k =
/// low · (-N^-1 mod 2^64) = low, as N ≡ -1 (mod 2^64), and m_k·N_0 + low = m_k·2^64. The
/// columns from 48 on are the result, below 2N. Summing by column keeps the carries off the
/// critical path that a row-by-row schoolbook puts on every limb product.
#[inline(always)]
fn montgomery(columns: &impl Columns) -> Elem {
    let mut m = [0u64; LIMBS];
    let mut out = [0u64; LIMBS];
    let mut acc = Acc::default();
    for k in 0..LIMBS {
        columns.add_column(k, &mut acc);
        acc.add_dot(&m[..k], &MODULUS[1..=k]);
        let mk = acc.lo;
        m[k] = mk;
        acc.shift();
        acc.add_word(mk);
    }
    for k in LIMBS..2 * LIMBS - 1 {
        let low = k - (LIMBS - 1);
        columns.add_column(k, &mut acc);
        acc.add_dot(&m[low..], &MODULUS[low..]);
        out[k - LIMBS] = acc.shift();
    }
    out[LIMBS - 1] = acc.shift();
    let high = acc.shift();
    m.zeroize();
    subtract_n_if_needed(&mut out, high);
    Elem(out)
}

/// x := x - N where high·2^3072 + x ≥ N, for x below 2N.
#[inline(always)]
fn subtract_n_if_needed(x: &mut [u64; LIMBS], high: u64) {
    let mut diff = [0u64; LIMBS];
    let mut borrow = 0;
    for ((d, &xi), &n) in diff.iter_mut().zip(x.iter()).zip(&MODULUS) {
        (*d, borrow) = sbb(xi, n, borrow);
    }
    let take = mask(high | (borrow ^ 1));
    for (xi, &d) in x.iter_mut().zip(&diff) {
        *xi ^= (*xi ^ d) & take;
    }
    diff.zeroize();
}

impl core::fmt::Debug for Elem {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Elem").finish_non_exhaustive()
    }
}

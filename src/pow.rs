//! The exponentiations of SRP-6a (`docs/protocol.md`, "Registering a device", "The client's
//! side" and "The service's side"): g^e for v, A, k·g^x and the service's g^b, and base^e for S
//! and the service's v^u.
//!
//! g^e goes through the fixed-base comb (`comb`, feature `comb-table`) when e fits it, and
//! otherwise through square-and-double, which needs no table: with g = 2 the multiply step of
//! square-and-multiply is a modular doubling. Any other base uses a fixed window whose width
//! depends only on the public bit bound, scanning its whole table for every window.
//!
//! Each exponentiation picks its kernel once (`kernel::on_best_kernel!`) and runs in it; the
//! code here only multiplies, squares and scans tables through `kernel::Kernel`.
//!
//! Exponents are secret; their bit bound `bits` is public and is all the running time depends
//! on. Bits of the exponent at or above `bits` must be zero. Exponents are read only through
//! `bits::window`.

#![allow(
    clippy::indexing_slicing,
    reason = "table indices are loop counters below the table's length"
)]

use crate::{
    bits::window,
    kernel::{Kernel, on_best_kernel},
    monty::{Elem, ONE},
};
use crypto_bigint::Word;
use zeroize::Zeroize;

/// g^e, for e below 2^bits.
pub(crate) fn pow_g(e: &[Word], bits: u32) -> Elem {
    on_best_kernel!(|k| pow_g_in(k, e, bits))
}

/// [`pow_g`] in kernel `k`.
pub(crate) fn pow_g_in<K: Kernel>(k: K, e: &[Word], bits: u32) -> Elem {
    #[cfg(feature = "comb-table")]
    if bits <= crate::comb::BITS {
        return crate::comb::pow_g(k, e);
    }
    if K::DOUBLES {
        pow_g_doubling(e, bits)
    } else {
        pow_in(k, &ONE.double(), e, bits)
    }
}

/// g^e by square-and-double: per bit, one squaring, one doubling and a masked select.
pub(crate) fn pow_g_doubling(e: &[Word], bits: u32) -> Elem {
    let mut acc = ONE;
    for i in (0..bits).rev() {
        acc = acc.square();
        let doubled = acc.double();
        acc.assign_if(&doubled, window(e, i, 1));
    }
    acc
}

/// base^e for e below 2^bits, with the fixed window that costs least for `bits`.
pub(crate) fn pow(base: &Elem, e: &[Word], bits: u32) -> Elem {
    on_best_kernel!(|k| pow_in(k, base, e, bits))
}

/// [`pow`] in kernel `k`.
pub(crate) fn pow_in<K: Kernel>(k: K, base: &Elem, e: &[Word], bits: u32) -> Elem {
    let mut base = k.enter(base);
    let mut out = match best_window(bits) {
        0..=2 => pow_window::<K, 2, 4>(k, &base, e, bits),
        3 => pow_window::<K, 3, 8>(k, &base, e, bits),
        4 => pow_window::<K, 4, 16>(k, &base, e, bits),
        5 => pow_window::<K, 5, 32>(k, &base, e, bits),
        _ => pow_window::<K, 6, 64>(k, &base, e, bits),
    };
    base.zeroize();
    let result = k.leave(&out);
    out.zeroize();
    result
}

/// base^e for a **public** e below 2^bits (the service's u = H(A, B) in v^u), by a sliding
/// window over base's odd powers: which squarings and products run follows e's bits, so e
/// must be public. base is never branched on nor used as an index, and every step is the
/// constant-time kernel's product or square. Five-bit windows: 16 odd powers and about 43
/// products for 256 bits, against the fixed window's 14 and 64 and its table scans.
#[cfg(any(feature = "server", test))]
pub(crate) fn pow_public_exponent(base: &Elem, e: &[Word], bits: u32) -> Elem {
    on_best_kernel!(|k| pow_public_exponent_in(k, base, e, bits))
}

/// [`pow_public_exponent`] in kernel `k`.
#[cfg(any(feature = "server", test))]
pub(crate) fn pow_public_exponent_in<K: Kernel>(k: K, base: &Elem, e: &[Word], bits: u32) -> Elem {
    const W: u32 = 5;
    let base = k.enter(base);
    let mut square = k.square(&base);
    let mut odd: [K::Elem; 1 << (W - 1)] = core::array::from_fn(|_| base.clone());
    for i in 1..odd.len() {
        odd[i] = k.mul(&odd[i - 1], &square);
    }
    let mut acc: Option<K::Elem> = None;
    let mut top = bits;
    while top > 0 {
        if window(e, top - 1, 1) == 0 {
            acc = acc.map(|a| k.square(&a));
            top -= 1;
            continue;
        }
        // The longest window of at most W bits from bit top - 1 down that ends in a 1.
        let mut low = top.saturating_sub(W);
        while window(e, low, 1) == 0 {
            low += 1;
        }
        let power = &odd[(window(e, low, top - low) >> 1) as usize];
        acc = Some(match acc {
            None => power.clone(),
            Some(mut a) => {
                for _ in low..top {
                    a = k.square(&a);
                }
                k.mul(&a, power)
            }
        });
        top = low;
    }
    odd.zeroize();
    square.zeroize();
    match acc {
        Some(mut acc) => {
            let out = k.leave(&acc);
            acc.zeroize();
            out
        }
        None => ONE,
    }
}

/// The window width, 2 to 6, with the fewest products for a `bits`-bit exponent: the table's
/// 2^w - 2, one per window, and the scans (each entry costs about 1/200 of a product to read).
/// The squarings are `bits` whatever the width. 5 for S's 513 bits, 4 for 256.
pub(crate) const fn best_window(bits: u32) -> u32 {
    let mut best = (2, u32::MAX);
    let mut w = 2;
    while w <= 6 {
        let windows = bits.div_ceil(w);
        let cost = 200 * ((1 << w) - 2 + windows) + windows * (1 << w);
        if cost < best.1 {
            best = (w, cost);
        }
        w += 1;
    }
    best.0
}

/// base^e with a `W`-bit fixed window over a table of `T` = 2^W powers. Never inlined: inlined
/// into `pow_in`, the five widths' tables shared one frame (62 KiB of IFMA elements), deeper
/// than the stack wipe after each secret operation reaches (`wipe::WIPE_BYTES`).
#[inline(never)]
fn pow_window<K: Kernel, const W: u32, const T: usize>(
    k: K,
    base: &K::Elem,
    e: &[Word],
    bits: u32,
) -> K::Elem {
    let mut table: [K::Elem; T] = core::array::from_fn(|_| base.clone());
    for i in 0..T {
        table[i] = match i {
            0 => k.one(),
            1 => continue,
            // Squaring is cheaper than a product: even powers square their half.
            _ if i % 2 == 0 => k.square(&table[i / 2]),
            _ => k.mul(&table[i - 1], base),
        };
    }
    let windows = bits.div_ceil(W).max(1);
    let mut acc = k.select(&table, window(e, (windows - 1) * W, W));
    for j in (0..windows - 1).rev() {
        for _ in 0..W {
            acc = k.square(&acc);
        }
        let mut entry = k.select(&table, window(e, j * W, W));
        acc = k.mul(&acc, &entry);
        entry.zeroize();
    }
    table.zeroize();
    acc
}

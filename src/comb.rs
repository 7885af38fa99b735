//! g^e by a Lim-Lee comb over a table fixed ahead of time (`docs/protocol.md`, "The group":
//! g = 2), for every g^e of the protocol: v = g^x, A = g^a, k·g^x and the service's g^b, all
//! with exponents of at most 256 bits.
//!
//! The exponent's 270 bits are read as 6 rows of 45; each row as 9 blocks of 5 columns. Column
//! t of block k, one bit from each row, is a 6-bit index into block k's sub-table, which holds
//! the 64 products of g^(2^(45·j + 5·k)) over the rows j the index's bits select. Then
//! g^e = Π_t (Π_k T_k[index(k, t)])^(2^t): 4 squarings and 44 products against the 256
//! squarings of square-and-double, for 216 KiB of read-only data.
//!
//! The products run in the kernel the caller picked (`kernel::Kernel`); the table stays in the
//! scalar kernel's form, and each kernel reads its entries through `select_comb`.
//!
//! Each lookup reads all 64 entries of its sub-table and keeps one with masks, so neither the
//! branches nor the addresses read depend on the exponent.
//!
//! The table is `comb_table.bin` (9 × 64 entries, each 48 little-endian u64 limbs in Montgomery
//! form), written by `cargo run --example comb_table -- --write` with num-bigint, which does not
//! share this crate's arithmetic; `cargo run --example comb_table` checks the committed file.

#![allow(
    clippy::indexing_slicing,
    reason = "table and limb indices are loop counters below the constant lengths"
)]

use crate::{
    bits::window,
    kernel::Kernel,
    monty::{Elem, LIMBS},
};
use crypto_bigint::Word;
use zeroize::Zeroize;

/// Bits per lookup (the comb's rows, h).
pub(crate) const ROWS: u32 = 6;
/// Sub-tables (v).
pub(crate) const BLOCKS: u32 = 9;
/// Columns per block (b).
pub(crate) const COLUMNS: u32 = 5;
/// The longest exponent the comb takes: 6 · 9 · 5 = 270 bits.
pub(crate) const BITS: u32 = ROWS * BLOCKS * COLUMNS;
/// Entries per sub-table, entry 0 being 1.
const ENTRIES: usize = 1 << ROWS;
const COUNT: usize = BLOCKS as usize * ENTRIES;
/// The table's size in bytes: 221,184 (216 KiB).
pub(crate) const TABLE_BYTES: usize = COUNT * LIMBS * 8;

static TABLE: [Elem; COUNT] = decode(include_bytes!("comb_table.bin"));

/// The table's file into elements, at compile time.
const fn decode(bytes: &[u8; TABLE_BYTES]) -> [Elem; COUNT] {
    let mut out = [const { Elem::ZERO }; COUNT];
    let mut i = 0;
    while i < COUNT {
        out[i] = Elem::from_le_bytes_at(bytes, i * LIMBS * 8);
        i += 1;
    }
    out
}

/// The bit position of row `row`, block `block`, column `column`.
pub(crate) const fn position(row: u32, block: u32, column: u32) -> u32 {
    row * BLOCKS * COLUMNS + block * COLUMNS + column
}

/// The products in one run of the comb for each entry read, counting the first entry as one:
/// 9 per column, and each squaring doubles what came before. A kernel whose entries carry a
/// scale (`ifma`) undoes it once at the end, by this count.
#[cfg(all(feature = "ifma", target_arch = "x86_64"))]
pub(crate) const ENTRY_PRODUCTS: u32 = BLOCKS * ((1 << COLUMNS) - 1);

/// g^e for e below 2^270, in kernel `k`.
pub(crate) fn pow_g<K: Kernel>(k: K, e: &[Word]) -> Elem {
    // None until the first entry: the first product would be 1 · entry.
    let mut acc: Option<K::Elem> = None;
    for column in (0..COLUMNS).rev() {
        acc = acc.map(|a| k.square(&a));
        for block in 0..BLOCKS {
            let mut index = 0;
            for row in 0..ROWS {
                index |= window(e, position(row, block, column), 1) << row;
            }
            let start = block as usize * ENTRIES;
            let entry = k.select_comb(&TABLE[start..start + ENTRIES], index);
            acc = Some(match acc {
                None => entry,
                Some(a) => k.mul(&a, &entry),
            });
        }
    }
    let mut acc = acc.unwrap_or_else(|| k.one());
    let out = k.leave_comb(&acc);
    acc.zeroize();
    out
}

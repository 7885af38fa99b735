//! Writes or checks `src/comb_table.bin`, the fixed-base table of g = 2 behind the comb
//! (`src/comb.rs`), computed with num-bigint so that the table does not come from the
//! arithmetic it feeds.
//!
//! ```text
//! cargo run --example comb_table            # checks the committed file, exit 1 if it differs
//! cargo run --example comb_table -- --write # writes it
//! ```
//!
//! Layout: for each of the 9 blocks k, 64 entries; entry m is
//! g^(Σ_{j: bit j of m} 2^(45·j + 5·k)) · 2^3072 mod N (Montgomery form), as 48 little-endian
//! 64-bit limbs, each little-endian.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "a generator")]

use num_bigint::BigUint;
use std::process::ExitCode;

/// The comb's shape, as `src/comb.rs` has it: rows (bits per lookup), blocks, columns.
const ROWS: u32 = 6;
const BLOCKS: u32 = 9;
const COLUMNS: u32 = 5;
const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/comb_table.bin");

fn table() -> Vec<u8> {
    let n = BigUint::parse_bytes(cognito_srp6a::N_HEX.as_bytes(), 16).unwrap();
    let r: BigUint = (BigUint::from(1u8) << 3072u32) % &n;
    // g^(2^p) for every bit position p of the comb.
    let mut powers = vec![BigUint::from(2u8)];
    for p in 1..ROWS * BLOCKS * COLUMNS {
        let last = &powers[p as usize - 1];
        powers.push(last * last % &n);
    }
    let mut out = Vec::new();
    for block in 0..BLOCKS {
        for m in 0..1u32 << ROWS {
            let mut entry = r.clone();
            for row in (0..ROWS).filter(|row| m >> row & 1 == 1) {
                let p = row * BLOCKS * COLUMNS + block * COLUMNS;
                entry = entry * &powers[p as usize] % &n;
            }
            let mut limbs = entry.to_u64_digits();
            limbs.resize(48, 0);
            out.extend(limbs.iter().flat_map(|limb| limb.to_le_bytes()));
        }
    }
    out
}

fn main() -> ExitCode {
    let table = table();
    if std::env::args().any(|arg| arg == "--write") {
        std::fs::write(PATH, &table).unwrap();
        println!("wrote {PATH}: {} bytes", table.len());
        return ExitCode::SUCCESS;
    }
    match std::fs::read(PATH) {
        Ok(committed) if committed == table => {
            println!("{PATH}: {} bytes, as num-bigint computes them", table.len());
            ExitCode::SUCCESS
        }
        Ok(_) => {
            eprintln!("{PATH} differs from the table num-bigint computes; run with --write");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("{PATH}: {e}");
            ExitCode::FAILURE
        }
    }
}

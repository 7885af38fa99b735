//! Checks vector files made by the real clients against this crate.
//!
//! `cargo run --release --example validate_vectors -- FILE...` prints each failing case and a
//! last line `N passed, M failed`; it exits 1 if any case failed or a file could not be read.

// Test and example code may index and unwrap: a panic there is a failed check, not bad input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod check;

use std::process::ExitCode;

fn main() -> ExitCode {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: validate_vectors FILE...");
        return ExitCode::FAILURE;
    }
    let (mut passed, mut failed, mut unreadable) = (0usize, 0usize, false);
    for file in &files {
        let doc = match std::fs::read_to_string(file)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()))
        {
            Ok(doc) => doc,
            Err(e) => {
                println!("{file}: cannot read: {e}");
                unreadable = true;
                continue;
            }
        };
        let outcomes = check::check_file(&doc);
        if outcomes.is_empty() {
            println!("{file}: no cases in any known section");
            unreadable = true;
        }
        for outcome in outcomes {
            match outcome.result {
                Ok(()) => passed += 1,
                Err(why) => {
                    failed += 1;
                    println!("FAIL {file}: {}: {why}", outcome.name);
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 || unreadable {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

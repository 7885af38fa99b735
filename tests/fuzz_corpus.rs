//! Replays the committed fuzz corpora on the stable toolchain: every file under
//! `fuzz/corpus/<target>/` (which must exist and be non-empty) and under
//! `fuzz/regressions/<target>/` (minimized crashes, when a target has any) goes through the
//! matching `cognito_srp6a::fuzz` function, which panics when a property fails. Run with
//! `cargo test --features __fuzz --test fuzz_corpus`; `scripts/fuzz` does the fuzzing itself.
#![cfg(feature = "__fuzz")]
// Test code: a missing corpus or a failed read should panic with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::{
    fs,
    panic::{self, AssertUnwindSafe},
    path::{Path, PathBuf},
};

/// The regular files in `dir`, sorted by name; none if `dir` does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    if !dir.exists() {
        return Vec::new();
    }
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `target` on every corpus and regression file of `name`, and reports every input that
/// panics (by path) rather than only the first.
fn replay(name: &str, target: fn(&[u8])) {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let corpus = fuzz.join("corpus").join(name);
    assert!(
        corpus.is_dir(),
        "the seed corpus {} is missing",
        corpus.display()
    );
    let seeds = files(&corpus);
    assert!(
        !seeds.is_empty(),
        "the seed corpus {} is empty",
        corpus.display()
    );
    let regressions = files(&fuzz.join("regressions").join(name));
    let mut failed = Vec::new();
    for path in seeds.iter().chain(&regressions) {
        let data = fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        if panic::catch_unwind(AssertUnwindSafe(|| target(&data))).is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(
        failed.is_empty(),
        "{name}: {} of {} inputs failed (panic messages above):\n{}",
        failed.len(),
        seeds.len() + regressions.len(),
        failed.join("\n")
    );
}

#[test]
fn challenge_maps() {
    replay("challenge_maps", cognito_srp6a::fuzz::challenge_maps);
}

#[test]
fn hex_and_tc() {
    replay("hex_and_tc", cognito_srp6a::fuzz::hex_and_tc);
}

#[test]
fn base64() {
    replay("base64", cognito_srp6a::fuzz::base64);
}

#[test]
fn verifier_responses() {
    replay(
        "verifier_responses",
        cognito_srp6a::fuzz::verifier_responses,
    );
}

//! `validate`: checks vector files (schema in `vectors/README.md`) against this workspace's
//! core, so that another SRP implementation can check the values it produces. The checks are
//! the core's own (`cognito_srp6a::vectors`, which its `tests/vectors.rs` runs too); the output
//! is each failing case, then `N passed, M failed`.

use cognito_srp6a::vectors::check_file;
use std::{path::PathBuf, process::ExitCode};

const EXAMPLE: &str = "\
Example:

  cognito-srp6a validate vectors/pycognito.json my-implementation.json
  # FAIL my-implementation.json: device[3] salt with a leading zero: PASSWORD_CLAIM_SIGNATURE: expected ..., got ...
  # 302 passed, 1 failed

Each device case is recomputed from its inputs (device keys, password, salt bytes, a, SRP_B,
SECRET_BLOCK, TIMESTAMP) and compared with its Salt, PasswordVerifier, SRP_A and
PASSWORD_CLAIM_SIGNATURE; user, invalid, secret_hash and timestamp cases likewise. Exits 1 if
any case failed or a file could not be read.";

/// Checks vector files: prints each failing case and `N passed, M failed`.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLE)]
pub struct Args {
    /// Vector files, JSON with "device", "user", "invalid", "secret_hash" or "timestamp" cases.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> ExitCode {
    let (mut passed, mut failed, mut unreadable) = (0usize, 0usize, false);
    for path in &args.files {
        let file = path.display();
        let doc = match std::fs::read_to_string(path)
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
        let outcomes = check_file(&doc);
        if outcomes.is_empty() {
            println!("{file}: no cases in any known section");
            unreadable = true;
        }
        for outcome in outcomes {
            match &outcome.result {
                Ok(()) => passed += 1,
                Err(why) => {
                    failed += 1;
                    println!("FAIL {file}: {}: {why}", outcome.name());
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

//! The pinned AWS CLI (`cli/tests/awscli/.venv`, installed by `bash cli/tests/awscli/setup.sh`)
//! against a local endpoint, as a new user would run it: dummy keys, no configuration files,
//! no pager, one attempt per call, under a deadline.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use crate::process::{clean_command, run_with_timeout};

/// What to run when the AWS CLI is missing.
pub const SETUP_HINT: &str = "run `bash cli/tests/awscli/setup.sh` from the repository root first: it installs \
     the pinned AWS CLI into cli/tests/awscli/.venv";
/// How long one run may take.
const TIMEOUT: Duration = Duration::from_secs(120);

/// The pinned `aws`; panics with [`SETUP_HINT`] when it is not installed.
pub fn path() -> PathBuf {
    let aws = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cli/tests/awscli/.venv/bin/aws");
    assert!(
        aws.is_file(),
        "the pinned AWS CLI is missing at {}: {SETUP_HINT}",
        aws.display()
    );
    aws
}

/// One run of the AWS CLI.
#[derive(Debug)]
pub struct CliRun {
    /// The arguments after `aws`.
    pub argv: Vec<String>,
    /// The exit code; `None` when a signal ended it.
    pub status: Option<i32>,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error, where a refusal is reported.
    pub stderr: String,
}

/// A refusal as the AWS CLI reports it: `An error occurred (<code>) when calling the <Op>
/// operation: <message>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The service's error code (`NotAuthorizedException`).
    pub code: String,
    /// The service's message.
    pub message: String,
}

/// `aws <argv>` off the async workers.
pub async fn run(argv: Vec<String>) -> CliRun {
    let aws = path();
    tokio::task::spawn_blocking(move || {
        let mut command = clean_command(&aws);
        command
            .args(&argv)
            .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "dummy-secret-for-the-emulator")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_PAGER", "")
            .env("AWS_MAX_ATTEMPTS", "1")
            .env("AWS_RETRY_MODE", "standard");
        let finished = run_with_timeout(command, None, TIMEOUT)
            .unwrap_or_else(|e| panic!("aws {argv:?}: {e} ({SETUP_HINT})"));
        CliRun {
            argv,
            status: finished.status,
            stdout: finished.stdout,
            stderr: finished.stderr,
        }
    })
    .await
    .unwrap()
}

/// `aws cognito-idp <operation> <args> --endpoint-url <url> --region us-east-1 --output json`.
pub async fn cognito_idp(url: &str, operation: &str, args: &[&str]) -> CliRun {
    let mut argv: Vec<String> = [
        "cognito-idp",
        operation,
        "--endpoint-url",
        url,
        "--region",
        "us-east-1",
        "--output",
        "json",
    ]
    .map(str::to_string)
    .to_vec();
    argv.extend(args.iter().map(|arg| arg.to_string()));
    run(argv).await
}

/// [`cognito_idp`] that must exit 0: its JSON output (`Null` when it prints nothing).
pub async fn json(url: &str, operation: &str, args: &[&str]) -> Value {
    let run = cognito_idp(url, operation, args).await;
    assert!(
        run.status == Some(0),
        "aws {:?} failed (exit status {:?})\n--- stderr ---\n{}\n--- stdout ---\n{}",
        run.argv,
        run.status,
        run.stderr,
        run.stdout
    );
    if run.stdout.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("aws {:?}: not JSON ({e}): {}", run.argv, run.stdout))
    }
}

/// [`cognito_idp`] that the service must refuse: the CLI exits 255 and names the error code;
/// no output on stdout.
pub async fn refused(url: &str, operation: &str, args: &[&str]) -> Refused {
    let run = cognito_idp(url, operation, args).await;
    assert_eq!(
        run.status,
        Some(255),
        "aws {:?} should have been refused\n--- stderr ---\n{}\n--- stdout ---\n{}",
        run.argv,
        run.stderr,
        run.stdout
    );
    let refused = parse_refusal(&run.stderr).unwrap_or_else(|| {
        panic!(
            "aws {:?}: no service error on stderr (a client-side failure?)\n{}",
            run.argv, run.stderr
        )
    });
    assert!(run.stdout.trim().is_empty(), "{run:?}");
    refused
}

/// [`refused`] with the error code `code`: the message.
pub async fn refused_with(url: &str, operation: &str, args: &[&str], code: &str) -> String {
    let refused = refused(url, operation, args).await;
    assert_eq!(
        refused.code, code,
        "aws cognito-idp {operation} {args:?}: {refused:?}"
    );
    refused.message
}

/// The service error the CLI printed on stderr, if any.
pub fn parse_refusal(stderr: &str) -> Option<Refused> {
    let rest = stderr.split("An error occurred (").nth(1)?;
    let (code, rest) = rest.split_once(')')?;
    // "... when calling the <Op> operation: <message>", or "... operation (reached max
    // retries: 0): <message>" when the CLI's retry mode says so.
    let after = rest.split_once(" operation").map_or("", |(_, m)| m);
    let after = match after.strip_prefix(" (") {
        Some(note) => note.split_once("): ").map_or("", |(_, m)| m),
        None => after.strip_prefix(": ").unwrap_or(after),
    };
    Some(Refused {
        code: code.to_string(),
        message: after.trim().to_string(),
    })
}

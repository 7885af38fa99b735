//! What this crate's tests share: the built `cognito-srp6a` binary run as a user runs it, and
//! an emulator on a free port.

// Shared by several test binaries; each uses a part.
#![allow(dead_code)]

use cognito_srp6a_emulator::{Emulator, EmulatorBuilder, RunningEmulator};
use cognito_srp6a_test_support::{args, json::assert_device_file};
use serde_json::Value;
use std::{
    io::Write as _,
    path::Path,
    process::{Command, Output, Stdio},
};

pub const POOL: &str = "us-east-1_CliTest";
pub const CLIENT: &str = "5cli7test7client5";
pub const USER: &str = "alice";
pub const PASSWORD: &str = "correct horse battery staple";

/// The binary under test, as cargo built it for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_cognito-srp6a");

pub fn builder() -> EmulatorBuilder {
    Emulator::builder()
        .pool_id(POOL)
        .client_id(CLIENT)
        .user(USER, PASSWORD)
}

pub async fn start(builder: EmulatorBuilder) -> RunningEmulator {
    builder.start().await.expect("the emulator starts")
}

/// The AWS configuration variables the binary reads: cleared for every run, so that the
/// machine's own (an `AWS_REGION`, a `~/.aws/config`) never decide a test; a test sets its own.
const AWS_VARIABLES: [&str; 8] = [
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
];

/// `command` without the machine's AWS configuration: no variables, empty files.
pub fn without_aws_config(command: &mut Command) -> &mut Command {
    for variable in AWS_VARIABLES {
        command.env_remove(variable);
    }
    command
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
}

/// Runs the binary with `args`, `stdin` written to its standard input, and `env` added (after
/// the AWS configuration is cleared: [`without_aws_config`]).
pub fn run(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut child = without_aws_config(&mut Command::new(BIN))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut input = child.stdin.take().expect("a stdin pipe");
    // The binary may exit before reading (a usage error): a broken pipe is no failure here.
    let _ = input.write_all(stdin.as_bytes());
    drop(input);
    child.wait_with_output().expect("the binary ends")
}

/// [`run`] off the async runtime, whose threads serve the in-process emulator meanwhile.
pub async fn run_async(args: Vec<String>, stdin: String, env: Vec<(String, String)>) -> Output {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        run(&args, &stdin, &env)
    })
    .await
    .expect("the run finished")
}

/// `login` against `emulator` with the password on stdin, and `extra` arguments.
pub async fn login(emulator: &RunningEmulator, password: &str, extra: &[&str]) -> Output {
    login_at(&emulator.url(), password, extra).await
}

/// [`login`] against the endpoint `url`, whatever (if anything) listens there.
pub async fn login_at(url: &str, password: &str, extra: &[&str]) -> Output {
    run_async(login_args(url, extra), format!("{password}\n"), Vec::new()).await
}

/// `login` for [`USER`] of the test pool at `url` (when given; else the endpoint comes from
/// the environment or a profile), then `extra`.
pub fn login_user_args(url: Option<&str>, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["login".to_string()];
    args.extend(args::user(url, POOL, CLIENT, USER));
    args.extend(extra.iter().map(|arg| arg.to_string()));
    args
}

/// `login` for [`USER`] of the test pool at `url`, password on stdin, then `extra`.
pub fn login_args(url: &str, extra: &[&str]) -> Vec<String> {
    login_user_args(Some(url), &[&["--password-stdin"], extra].concat())
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The output of a successful run, as JSON; panics with stderr otherwise.
pub fn success_json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "exit {:?}, stderr: {}",
        output.status.code(),
        text(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

/// The device file as JSON, checked to be the three members, each a non-empty string.
pub fn device_file(path: &Path) -> Value {
    let json: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    assert_device_file(&json);
    json
}

#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Nothing secret in what the run printed.
pub fn assert_no_secret(output: &Output, secrets: &[&str]) {
    for stream in [&output.stdout, &output.stderr] {
        let stream = text(stream);
        for secret in secrets {
            assert!(!stream.contains(secret), "a secret was printed: {stream}");
        }
    }
}

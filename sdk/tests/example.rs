//! The `remember_device` example as a user runs it: built with `cargo build --example` (cargo
//! gives tests no path to an example binary), then run against an in-process emulator. The
//! first run remembers the device into a new file (mode 0600), the second signs in through it,
//! a forgotten device is reported and its file left alone, and failures print `Code: message`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use cognito_srp6a_emulator::{Emulator, RunningEmulator};
use cognito_srp6a_sdk::{CognitoSrpClient, SignIn, StoredDevice};
use cognito_srp6a_test_support::{args, json::assert_device_file, sdk, seed::OnePool};
use serde_json::Value;
use std::{
    io::{BufRead as _, BufReader, Write as _},
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    sync::OnceLock,
};

const POOL: &str = "us-east-1_SdkExample";
const CLIENT: &str = "6exampleclient6";
const SECRET: &str = "the example client's secret";
const SECRET_VARIABLE: &str = "REMEMBER_DEVICE_TEST_CLIENT_SECRET";
const USER: &str = "alice";
const PASSWORD: &str = "correct horse battery staple";

/// Builds the example once (test profile, so the dependencies already built for this test are
/// reused) and returns the path cargo reports for it.
fn example_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let output = Command::new(cargo)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "build",
                "--profile",
                "test",
                "-p",
                "cognito-srp6a-sdk",
                "--features",
                "serde",
                "--example",
                "remember_device",
                "--message-format",
                "json-render-diagnostics",
            ])
            .stderr(Stdio::inherit())
            .output()
            .unwrap();
        assert!(output.status.success(), "cargo build --example failed");
        BufReader::new(output.stdout.as_slice())
            .lines()
            .map(Result::unwrap)
            .filter_map(|line| serde_json::from_str::<Value>(&line).ok())
            .filter(|message| {
                message["reason"] == "compiler-artifact"
                    && message["target"]["name"] == "remember_device"
            })
            .find_map(|message| message["executable"].as_str().map(PathBuf::from))
            .expect("cargo reported no remember_device executable")
    })
}

async fn start() -> RunningEmulator {
    Emulator::builder()
        .pool_id(POOL)
        .client_id(CLIENT)
        .client_secret(SECRET)
        .user(USER, PASSWORD)
        .start()
        .await
        .unwrap()
}

/// The example's arguments for [`USER`] of `client_id` in `pool_id` at `url`, with
/// `device_file`.
fn device_args(url: &str, pool_id: &str, client_id: &str, device_file: &Path) -> Vec<String> {
    let mut args = args::user(Some(url), pool_id, client_id, USER);
    args.extend(["--device-file".into(), device_file.to_str().unwrap().into()]);
    args
}

/// Runs the example with `password` on stdin and the client secret in the environment.
async fn run(url: &str, device_file: &Path, password: &str) -> Output {
    let mut args = device_args(url, POOL, CLIENT, device_file);
    args.extend(["--client-secret-env".into(), SECRET_VARIABLE.into()]);
    run_with(args, format!("{password}\n")).await
}

async fn run_with(args: Vec<String>, stdin: String) -> Output {
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(example_binary())
            .args(args)
            .env(SECRET_VARIABLE, SECRET)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // A run refused before it reads stdin may have closed it already.
        let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// Neither output shows the user's or the device's password.
fn assert_no_secret(output: &Output, device: Option<&StoredDevice>) {
    for shown in [text(&output.stdout), text(&output.stderr)] {
        assert!(!shown.contains(PASSWORD), "{shown}");
        assert!(!shown.contains(SECRET), "{shown}");
        if let Some(device) = device {
            assert!(!shown.contains(&device.device_password), "{shown}");
        }
    }
}

/// The device file, read as JSON by hand (this test does not need the `serde` feature).
fn read_device(path: &Path) -> (StoredDevice, Value) {
    let json: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let member = |name: &str| json[name].as_str().unwrap().to_string();
    let device = StoredDevice {
        device_group_key: member("DeviceGroupKey"),
        device_key: member("DeviceKey"),
        device_password: member("DevicePassword"),
    };
    (device, json)
}

#[tokio::test(flavor = "multi_thread")]
async fn remembers_then_signs_in_through_the_device() {
    // Built before the emulator starts: the first build can take a while.
    tokio::task::spawn_blocking(example_binary).await.unwrap();
    let emulator = start().await;
    let url = emulator.url();
    let dir = tempfile::tempdir().unwrap();
    let device_file = dir.path().join("alice.device.json");

    let first = run(&url, &device_file, PASSWORD).await;
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert_eq!(text(&first.stdout), "PASSWORD_VERIFIER\n");
    assert_eq!(text(&first.stderr), "");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&device_file)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    let (device, json) = read_device(&device_file);
    assert_device_file(&json);
    assert!(device.device_key.starts_with("us-east-1_"));
    assert_no_secret(&first, Some(&device));
    let written = std::fs::read(&device_file).unwrap();

    let second = run(&url, &device_file, PASSWORD).await;
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert_eq!(
        text(&second.stdout),
        "PASSWORD_VERIFIER\nDEVICE_SRP_AUTH\nDEVICE_PASSWORD_VERIFIER\nrefresh: kept\n"
    );
    assert_eq!(text(&second.stderr), "");
    assert_no_secret(&second, Some(&device));
    assert_eq!(std::fs::read(&device_file).unwrap(), written);

    // A wrong password with the device file: the service's refusal, the file kept.
    let refused = run(&url, &device_file, "not the password").await;
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(text(&refused.stdout), "");
    assert_eq!(
        text(&refused.stderr),
        "NotAuthorizedException: Incorrect username or password.\n"
    );
    assert_eq!(std::fs::read(&device_file).unwrap(), written);

    // The device forgotten through the library: reported, the file left as it is.
    let client = CognitoSrpClient::new(sdk::client(&url), POOL, CLIENT)
        .unwrap()
        .with_client_secret(SECRET);
    let SignIn::SignedIn(signed_in) = client
        .sign_in(USER, PASSWORD)
        .device(&device)
        .send()
        .await
        .unwrap()
    else {
        panic!("expected SignedIn");
    };
    client
        .forget_device(&signed_in.tokens.access_token, &device.device_key)
        .await
        .unwrap();
    let forgotten = run(&url, &device_file, PASSWORD).await;
    assert!(forgotten.status.success(), "{}", text(&forgotten.stderr));
    assert_eq!(text(&forgotten.stdout), "PASSWORD_VERIFIER\n");
    let notice = text(&forgotten.stderr);
    assert!(notice.starts_with("DeviceForgotten: "), "{notice}");
    assert!(notice.contains(&device.device_key), "{notice}");
    assert_no_secret(&forgotten, Some(&device));
    assert_eq!(std::fs::read(&device_file).unwrap(), written);
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_first_run_leaves_no_file() {
    tokio::task::spawn_blocking(example_binary).await.unwrap();
    let emulator = start().await;
    let dir = tempfile::tempdir().unwrap();
    let device_file = dir.path().join("alice.device.json");
    let refused = run(&emulator.url(), &device_file, "not the password").await;
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(text(&refused.stdout), "");
    assert_eq!(
        text(&refused.stderr),
        "NotAuthorizedException: Incorrect username or password.\n"
    );
    assert!(!device_file.exists());
    assert_no_secret(&refused, None);
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_before_any_call() {
    tokio::task::spawn_blocking(example_binary).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens here: none of these may get as far as a call.
    let url = "http://127.0.0.1:9";

    let missing = run_with(
        vec!["--pool-id".into(), POOL.into()],
        format!("{PASSWORD}\n"),
    )
    .await;
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing.stderr).starts_with("InvalidArguments: --endpoint-url is required"),
        "{}",
        text(&missing.stderr)
    );

    let device_file = dir.path().join("garbage.json");
    std::fs::write(&device_file, "not json").unwrap();
    let garbage = run(url, &device_file, PASSWORD).await;
    assert_eq!(garbage.status.code(), Some(1));
    assert!(
        text(&garbage.stderr).starts_with("DeviceFileError: "),
        "{}",
        text(&garbage.stderr)
    );
    assert_eq!(std::fs::read_to_string(&device_file).unwrap(), "not json");

    let no_password = run_with(
        device_args(url, POOL, CLIENT, &dir.path().join("new.json")),
        String::new(),
    )
    .await;
    assert_eq!(no_password.status.code(), Some(1));
    assert!(
        text(&no_password.stderr).starts_with("InvalidPassword: "),
        "{}",
        text(&no_password.stderr)
    );
    assert!(!dir.path().join("new.json").exists());
}

/// On an app client that rotates refresh tokens (a seed file's), the example's refresh after
/// the device sign-in gets a new refresh token, and that token refreshes again.
#[tokio::test(flavor = "multi_thread")]
async fn the_refresh_after_a_device_sign_in_keeps_the_rotated_token() {
    let dir = tempfile::tempdir().unwrap();
    let seed = OnePool {
        pool_id: "us-east-1_Rotating",
        pool_name: "rotating",
        challenge_required_on_new_device: true,
        client_name: "app",
        client_id: "5rotatingclient5",
        flows: &["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        rotation: true,
        username: USER,
        password: PASSWORD,
    }
    .write(dir.path());
    let emulator = Emulator::builder()
        .config_file(&seed)
        .start()
        .await
        .unwrap();
    let device_file = dir.path().join("alice.device.json");
    let args = device_args(
        &emulator.url(),
        "us-east-1_Rotating",
        "5rotatingclient5",
        &device_file,
    );
    let first = run_with(args.clone(), format!("{PASSWORD}\n")).await;
    assert!(first.status.success(), "{}", text(&first.stderr));
    let second = run_with(args, format!("{PASSWORD}\n")).await;
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert_eq!(
        text(&second.stdout),
        "PASSWORD_VERIFIER\nDEVICE_SRP_AUTH\nDEVICE_PASSWORD_VERIFIER\nrefresh: rotated\n\
         refresh with the rotated token: rotated\n"
    );
    let (device, _) = read_device(&device_file);
    assert_no_secret(&second, Some(&device));
}

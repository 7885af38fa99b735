//! `login` against an in-process emulator on a free port, the binary run as a user runs it:
//! remembering a device into a new file, signing in through it, a corrupted device file, a
//! forgotten device, an app client secret, an MFA code typed on the terminal, and failures
//! printed as `<ErrorName>: <message>` with the AWS CLI's exit status (254 the service refused, 255
//! anything else, 252 a usage error).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use cognito_srp6a_emulator::Emulator;
use cognito_srp6a_test_support::{clock::unix_now, json, jwt::claims, sdk, seed::OnePool, totp};
use common::*;
use serde_json::Value;

/// The AWS CLI's answer shape, with or without `NewDeviceMetadata`.
fn assert_aws_shape(answer: &Value, new_device: bool) {
    // Sorted: the printed order is checked on the text, and serde_json keeps it when parsing
    // only with `preserve_order`, which the workspace's feature set turns on.
    assert_eq!(
        json::keys(answer),
        ["AuthenticationResult", "ChallengeParameters"]
    );
    assert_eq!(answer["ChallengeParameters"], serde_json::json!({}));
    let result = &answer["AuthenticationResult"];
    assert_eq!(result["TokenType"], "Bearer");
    assert!(result["ExpiresIn"].as_i64().unwrap() > 0);
    for token in ["AccessToken", "IdToken", "RefreshToken"] {
        assert!(
            result[token].as_str().is_some_and(|t| !t.is_empty()),
            "{token}"
        );
    }
    assert_eq!(
        result.get("NewDeviceMetadata").is_some(),
        new_device,
        "{result}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn remember_then_sign_in_through_the_device() {
    let emulator = start(builder()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alice.device.json");
    let file = path.to_str().unwrap();

    let first = login(
        &emulator,
        PASSWORD,
        &["--device-file", file, "--remember-device", "-v"],
    )
    .await;
    let answer = success_json(&first);
    assert_aws_shape(&answer, true);
    // Printed as the AWS CLI prints it: four-space indent, the service's member order.
    let stdout = text(&first.stdout);
    assert!(stdout.starts_with("{\n    \"ChallengeParameters\": {},\n    \"AuthenticationResult\": {\n        \"AccessToken\": "), "{stdout}");
    let metadata = &answer["AuthenticationResult"]["NewDeviceMetadata"];
    assert_eq!(json::keys(metadata), ["DeviceGroupKey", "DeviceKey"]);
    let stderr = text(&first.stderr);
    assert!(
        stderr.contains("challenges: PASSWORD_VERIFIER\n"),
        "{stderr}"
    );
    assert!(stderr.contains("remembered device us-east-1_"), "{stderr}");

    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);
    let device = device_file(&path);
    assert_eq!(device["DeviceKey"], metadata["DeviceKey"]);
    assert_eq!(device["DeviceGroupKey"], metadata["DeviceGroupKey"]);
    let device_password = device["DevicePassword"].as_str().unwrap();
    assert_no_secret(&first, &[PASSWORD, device_password]);

    // The device is remembered: the next sign-in goes through its challenges.
    let second = login(&emulator, PASSWORD, &["--device-file", file, "--verbose"]).await;
    let answer = success_json(&second);
    assert_aws_shape(&answer, false);
    assert_eq!(
        text(&second.stderr),
        "region: us-east-1\nchallenges: PASSWORD_VERIFIER DEVICE_SRP_AUTH DEVICE_PASSWORD_VERIFIER\n"
    );
    let access = claims(
        answer["AuthenticationResult"]["AccessToken"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(access["device_key"], device["DeviceKey"]);
    assert_eq!(access["username"], USER);
    assert_no_secret(&second, &[PASSWORD, device_password]);

    // --remember-device with a file already there signs in through it, and leaves it alone.
    let before = std::fs::read(&path).unwrap();
    let third = login(
        &emulator,
        PASSWORD,
        &["--device-file", file, "--remember-device"],
    )
    .await;
    let answer = success_json(&third);
    assert_aws_shape(&answer, false);
    assert_eq!(text(&third.stderr), "");
    let access = claims(
        answer["AuthenticationResult"]["AccessToken"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(access["device_key"], device["DeviceKey"]);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_corrupted_device_file_is_not_authorized() {
    let emulator = start(builder()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.json");
    let file = path.to_str().unwrap();
    success_json(
        &login(
            &emulator,
            PASSWORD,
            &["--device-file", file, "--remember-device"],
        )
        .await,
    );

    // Another device password of the same form: the proof is wrong, nothing else is.
    let mut device = device_file(&path);
    let password = device["DevicePassword"].as_str().unwrap().to_string();
    let first = password.chars().next().unwrap();
    let altered = format!("{}{}", if first == 'A' { 'B' } else { 'A' }, &password[1..]);
    device["DevicePassword"] = Value::String(altered.clone());
    std::fs::write(&path, serde_json::to_vec(&device).unwrap()).unwrap();

    let output = login(&emulator, PASSWORD, &["--device-file", file]).await;
    assert_eq!(output.status.code(), Some(254));
    assert_eq!(
        text(&output.stderr),
        "NotAuthorizedException: Incorrect username or password.\n"
    );
    assert!(output.stdout.is_empty());
    assert_no_secret(&output, &[PASSWORD, &password, &altered]);

    // Not JSON at all: said so, before any password is asked or call made.
    std::fs::write(&path, "DevicePassword=hunter2hunter2").unwrap();
    let output = login(&emulator, PASSWORD, &["--device-file", file]).await;
    assert_eq!(output.status.code(), Some(255));
    let stderr = text(&output.stderr);
    assert!(stderr.starts_with("DeviceFileError: "), "{stderr}");
    assert!(stderr.contains("is not a device file"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn service_refusals_print_the_service_error() {
    let emulator = start(builder()).await;
    let output = login(&emulator, "not the password", &[]).await;
    assert_eq!(output.status.code(), Some(254));
    assert_eq!(
        text(&output.stderr),
        "NotAuthorizedException: Incorrect username or password.\n"
    );
    assert!(output.stdout.is_empty());
    assert_no_secret(&output, &["not the password"]);

    let mut args = vec![
        "login".to_string(),
        "--endpoint-url".into(),
        emulator.url(),
        "--pool-id".into(),
        POOL.into(),
        "--client-id".into(),
        CLIENT.into(),
        "--username".into(),
        "mallory".into(),
        "--password-stdin".into(),
    ];
    let output = run_async(args.clone(), format!("{PASSWORD}\n"), Vec::new()).await;
    assert_eq!(output.status.code(), Some(254));
    assert_eq!(
        text(&output.stderr),
        "UserNotFoundException: User does not exist.\n"
    );

    // No password on stdin at all.
    let output = run_async(args.clone(), String::new(), Vec::new()).await;
    assert_eq!(output.status.code(), Some(255));
    assert_eq!(
        text(&output.stderr),
        "InvalidPassword: no password on stdin (one line expected)\n"
    );

    // A device file that is not there, without --remember-device.
    args.extend([
        "--device-file".to_string(),
        "/nonexistent/device.json".into(),
    ]);
    let output = run_async(args, format!("{PASSWORD}\n"), Vec::new()).await;
    assert_eq!(output.status.code(), Some(255));
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with(
            "DeviceFileError: /nonexistent/device.json does not exist; add --remember-device"
        ),
        "{stderr}"
    );
    let url = emulator.url();
    emulator.shutdown().await;

    // Nothing listens there any more: the cause is said, not just "dispatch failure".
    let output = login_at(&url, PASSWORD, &[]).await;
    assert_eq!(output.status.code(), Some(255));
    let stderr = text(&output.stderr);
    assert!(stderr.starts_with("RequestFailed: "), "{stderr}");
    assert!(stderr.to_lowercase().contains("connect"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forgotten_device_is_reported_and_its_file_left_alone() {
    let emulator = start(builder()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.json");
    let file = path.to_str().unwrap();
    let answer = success_json(
        &login(
            &emulator,
            PASSWORD,
            &["--device-file", file, "--remember-device"],
        )
        .await,
    );
    let device = device_file(&path);

    // The user forgets the device from elsewhere (ForgetDevice with the access token).
    sdk::client(&emulator.url())
        .forget_device()
        .access_token(
            answer["AuthenticationResult"]["AccessToken"]
                .as_str()
                .unwrap(),
        )
        .device_key(device["DeviceKey"].as_str().unwrap())
        .send()
        .await
        .unwrap();

    let before = std::fs::read(&path).unwrap();
    let output = login(&emulator, PASSWORD, &["--device-file", file]).await;
    let answer = success_json(&output);
    // Signed in without the device, and issued a new one.
    assert_aws_shape(&answer, true);
    let stderr = text(&output.stderr);
    let expected = format!(
        "DeviceForgotten: the service no longer knows device {}; signed in without it. {file} is left as it is",
        device["DeviceKey"].as_str().unwrap()
    );
    assert!(stderr.starts_with(&expected), "{stderr}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_client_secret_comes_from_the_environment() {
    const SECRET: &str = "the app client's secret, 1234567890";
    let emulator = start(builder().client_secret(SECRET)).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.json");
    let url = emulator.url();
    let args = |device: bool| {
        let mut args = login_args(
            &url,
            &[
                "--client-secret-env",
                "CLI_TEST_CLIENT_SECRET",
                "--device-file",
                path.to_str().unwrap(),
            ],
        );
        if device {
            args.push("--remember-device".into());
        }
        args
    };
    let env = vec![("CLI_TEST_CLIENT_SECRET".to_string(), SECRET.to_string())];

    // SECRET_HASH on every step: the password sign-in, ConfirmDevice, the device sign-in.
    let first = run_async(args(true), format!("{PASSWORD}\n"), env.clone()).await;
    assert_aws_shape(&success_json(&first), true);
    let second = run_async(args(false), format!("{PASSWORD}\n"), env).await;
    let answer = success_json(&second);
    let device = device_file(&path);
    let access = claims(
        answer["AuthenticationResult"]["AccessToken"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(access["device_key"], device["DeviceKey"]);
    assert_no_secret(&first, &[SECRET, PASSWORD]);
    assert_no_secret(&second, &[SECRET, PASSWORD]);

    // The variable unset: a usage error naming it, before any call.
    let unset = run_async(args(false), format!("{PASSWORD}\n"), Vec::new()).await;
    assert_eq!(unset.status.code(), Some(252));
    assert_eq!(
        text(&unset.stderr),
        "InvalidArguments: the environment variable CLI_TEST_CLIENT_SECRET is not set\n"
    );

    // Without --client-secret-env: the service's refusal.
    let without = login(&emulator, PASSWORD, &[]).await;
    assert_eq!(without.status.code(), Some(254));
    assert_eq!(
        text(&without.stderr),
        format!(
            "NotAuthorizedException: Client {CLIENT} is configured with secret but SECRET_HASH was not received\n"
        )
    );
    emulator.shutdown().await;
}

/// The MFA code is asked on the terminal while stdin carries the password and stdout the
/// tokens: run under `script`, which gives the binary a terminal, and type the code there.
#[tokio::test(flavor = "multi_thread")]
async fn the_mfa_code_is_asked_on_the_terminal() {
    // "JBSWY3DPEHPK3PXP" in base32.
    const KEY: &[u8] = b"Hello!\xde\xad\xbe\xef";
    assert!(
        std::path::Path::new("/usr/bin/script").exists(),
        "this test needs util-linux's `script`: apt-get install -y bsdutils"
    );
    let emulator = start(builder().totp(USER, "JBSWY3DPEHPK3PXP")).await;
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("out.json"), dir.path().join("err.txt"));
    let command = format!(
        "printf '%s\\n' '{PASSWORD}' | '{BIN}' login --endpoint-url {} --pool-id {POOL} \
         --client-id {CLIENT} --username {USER} --password-stdin -v >'{}' 2>'{}'",
        emulator.url(),
        out.display(),
        err.display()
    );
    let code = totp::code(KEY, unix_now());
    let terminal = tokio::task::spawn_blocking(move || {
        let mut child = without_aws_config(&mut std::process::Command::new("script"))
            .args(["--quiet", "--return", "--command", &command, "/dev/null"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        // Typed once the prompt is there, as a person would: `script` reads ahead otherwise.
        std::thread::sleep(std::time::Duration::from_secs(2));
        std::io::Write::write_all(&mut stdin, format!("{code}\n").as_bytes()).unwrap();
        drop(stdin);
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    let shown = text(&terminal.stdout);
    let stderr = std::fs::read_to_string(&err).unwrap();
    assert!(
        terminal.status.success(),
        "terminal: {shown}\nstderr: {stderr}"
    );
    assert!(
        shown.contains("MFA code from your authenticator app: "),
        "{shown}"
    );
    assert_eq!(
        stderr,
        "region: us-east-1\nchallenges: PASSWORD_VERIFIER SOFTWARE_TOKEN_MFA\n"
    );
    let answer: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_aws_shape(&answer, true);

    // No terminal at all (stdin a pipe, no controlling terminal): said so, exit 255.
    let output = tokio::task::spawn_blocking({
        let url = emulator.url();
        move || {
            let mut child = without_aws_config(&mut std::process::Command::new("setsid"))
                .args(["--wait", BIN])
                .args(login_args(&url, &[]))
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            let mut stdin = child.stdin.take().unwrap();
            std::io::Write::write_all(&mut stdin, format!("{PASSWORD}\n").as_bytes()).unwrap();
            drop(stdin);
            child.wait_with_output().unwrap()
        }
    })
    .await
    .unwrap();
    assert_eq!(output.status.code(), Some(255));
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with(
            "NoTerminal: the pool asks for SOFTWARE_TOKEN_MFA, but there is no terminal to ask on"
        ),
        "{stderr}"
    );
    emulator.shutdown().await;
}

/// `login --auth-flow USER_AUTH`: choice-based sign-in with `PASSWORD_SRP` preferred,
/// remembering the device and then going through its challenges, on an app client of a seed
/// file that allows `ALLOW_USER_AUTH` only.
#[tokio::test(flavor = "multi_thread")]
async fn user_auth_remembers_and_signs_in_through_the_device() {
    let dir = tempfile::tempdir().unwrap();
    let seed = OnePool {
        pool_id: "us-east-1_UserAuth",
        pool_name: "choice",
        challenge_required_on_new_device: true,
        client_name: "web",
        client_id: "5userauthclient5",
        flows: &["ALLOW_USER_AUTH"],
        rotation: false,
        username: USER,
        password: PASSWORD,
    }
    .write(dir.path());
    let emulator = start(Emulator::builder().config_file(&seed)).await;
    let path = dir.path().join("alice.device.json");
    let args = |extra: &[&str]| {
        let mut args = vec![
            "login",
            "--endpoint-url",
            "URL",
            "--pool-id",
            "us-east-1_UserAuth",
            "--client-id",
            "5userauthclient5",
            "--username",
            USER,
            "--password-stdin",
            "--auth-flow",
            "USER_AUTH",
            "--device-file",
            path.to_str().unwrap(),
            "-v",
        ];
        args.extend_from_slice(extra);
        let url = emulator.url();
        args.iter()
            .map(|arg| {
                if *arg == "URL" {
                    url.clone()
                } else {
                    arg.to_string()
                }
            })
            .collect::<Vec<_>>()
    };
    let first = run_async(
        args(&["--remember-device"]),
        format!("{PASSWORD}\n"),
        Vec::new(),
    )
    .await;
    success_json(&first);
    let second = run_async(args(&[]), format!("{PASSWORD}\n"), Vec::new()).await;
    success_json(&second);
    assert!(
        text(&second.stderr)
            .contains("challenges: PASSWORD_VERIFIER DEVICE_SRP_AUTH DEVICE_PASSWORD_VERIFIER\n"),
        "{}",
        text(&second.stderr)
    );
    // The same client refuses USER_SRP_AUTH, which it does not allow: the flag did choose.
    let mut srp = args(&[]);
    let flow = srp.iter().position(|arg| arg == "USER_AUTH").unwrap();
    srp[flow] = "USER_SRP_AUTH".into();
    let refused = run_async(srp, format!("{PASSWORD}\n"), Vec::new()).await;
    assert_eq!(
        refused.status.code(),
        Some(254),
        "{}",
        text(&refused.stderr)
    );
    assert!(
        text(&refused.stderr).contains("USER_SRP_AUTH flow not enabled for this client"),
        "{}",
        text(&refused.stderr)
    );
    emulator.shutdown().await;
}

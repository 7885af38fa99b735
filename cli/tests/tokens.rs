//! `refresh`, `sign-out`, `list-devices` and `forget-device` against an in-process emulator
//! whose app client rotates refresh tokens, the binary run as a user runs it: the tokens come
//! from stdin or a variable, never an argument, and never show on stderr; and a fake service
//! that trickles its answer a byte at a time, which `--cli-read-timeout` must end.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use cognito_srp6a_emulator::{Emulator, RunningEmulator};
use cognito_srp6a_test_support::{args, jwt::claims, seed::OnePool};
use common::*;
use serde_json::Value;
use std::{
    io::{Read as _, Write as _},
    net::TcpListener,
    path::{Path, PathBuf},
    process::Output,
    time::{Duration, Instant},
};

const ROTATING_POOL: &str = "us-east-1_Rotating";
const ROTATING_CLIENT: &str = "5rotatingclient5";

/// A pool that tracks devices, with an app client that rotates refresh tokens (no grace).
async fn rotating_emulator(dir: &Path) -> RunningEmulator {
    let seed = OnePool {
        pool_id: ROTATING_POOL,
        pool_name: "rotating",
        challenge_required_on_new_device: false,
        client_name: "web",
        client_id: ROTATING_CLIENT,
        flows: &["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        rotation: true,
        username: USER,
        password: PASSWORD,
    }
    .write(dir);
    start(Emulator::builder().config_file(&seed)).await
}

/// `login` to the rotating client, then `extra`.
async fn sign_in(emulator: &RunningEmulator, extra: &[&str]) -> Value {
    let mut args = vec!["login".to_string()];
    args.extend(args::user(
        Some(&emulator.url()),
        ROTATING_POOL,
        ROTATING_CLIENT,
        USER,
    ));
    args.push("--password-stdin".into());
    args.extend(extra.iter().map(|arg| arg.to_string()));
    success_json(&run_async(args, format!("{PASSWORD}\n"), Vec::new()).await)
}

/// The rotating emulator, and a first sign-in remembering its device into a file in `dir`:
/// the emulator, the sign-in's answer and the device file's path.
async fn signed_in_with_device(dir: &Path) -> (RunningEmulator, Value, PathBuf) {
    let emulator = rotating_emulator(dir).await;
    let device_path = dir.join("alice.device.json");
    let answer = sign_in(
        &emulator,
        &[
            "--device-file",
            device_path.to_str().unwrap(),
            "--remember-device",
        ],
    )
    .await;
    (emulator, answer, device_path)
}

/// `command` of the binary against `emulator` (`--endpoint-url`, `--pool-id`), `stdin` on its
/// standard input, then `extra`.
async fn call(
    emulator_url: &str,
    command: &str,
    stdin: &str,
    env: &[(&str, &str)],
    extra: &[&str],
) -> Output {
    let mut args = vec![
        command.to_string(),
        "--endpoint-url".into(),
        emulator_url.into(),
        "--pool-id".into(),
        ROTATING_POOL.into(),
    ];
    if command == "refresh" {
        args.extend(["--client-id".to_string(), ROTATING_CLIENT.into()]);
    }
    args.extend(extra.iter().map(|arg| arg.to_string()));
    let env = env
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    run_async(args, stdin.to_string(), env).await
}

fn token<'a>(answer: &'a Value, name: &str) -> &'a str {
    answer["AuthenticationResult"][name]
        .as_str()
        .unwrap_or_else(|| panic!("no {name}: {answer}"))
}

/// The refresh token rotates into `--write-refresh-token`'s file (mode 0600, no temporary left
/// behind), the rotated one refreshes again, the replaced one is refused; without the flag the
/// new one is printed and stderr says it rotated; no token is ever on stderr.
#[tokio::test(flavor = "multi_thread")]
async fn refresh_rotates_into_the_file_and_the_old_token_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (emulator, signed_in, device_path) = signed_in_with_device(dir.path()).await;
    let url = emulator.url();
    let device_file_arg = device_path.to_str().unwrap();
    let first = token(&signed_in, "RefreshToken").to_string();
    let device = device_file(&device_path);

    // Rotated, into the file: stdout has the new access token, not the refresh token.
    let token_path = dir.path().join("alice.refresh");
    std::fs::write(&token_path, "stale\n").unwrap();
    let token_file = token_path.to_str().unwrap();
    let output = call(
        &url,
        "refresh",
        &format!("{first}\n"),
        &[],
        &[
            "--refresh-token-stdin",
            "--device-file",
            device_file_arg,
            "--write-refresh-token",
            token_file,
        ],
    )
    .await;
    let answer = success_json(&output);
    assert_eq!(
        answer.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["AuthenticationResult"]
    );
    assert!(
        answer["AuthenticationResult"].get("RefreshToken").is_none(),
        "{answer}"
    );
    assert_eq!(answer["AuthenticationResult"]["TokenType"], "Bearer");
    let access = claims(token(&answer, "AccessToken"));
    assert_eq!(access["username"], USER);
    assert_eq!(access["device_key"], device["DeviceKey"]);
    let second = std::fs::read_to_string(&token_path).unwrap();
    let second = second.strip_suffix('\n').unwrap().to_string();
    assert!(!second.is_empty() && second != first && second != "stale");
    #[cfg(unix)]
    assert_eq!(mode(&token_path), 0o600);
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["alice.device.json", "alice.refresh", "seed.yaml"]);
    assert_eq!(text(&output.stderr), "");
    assert_no_secret(&output, &[&first, &second]);

    // The rotated token refreshes again, read from the file as the help says; from a
    // variable, without --write-refresh-token: the new token printed, stderr says it rotated.
    let output = call(
        &url,
        "refresh",
        "",
        &[("CLI_TEST_REFRESH", &second)],
        &[
            "--refresh-token-env",
            "CLI_TEST_REFRESH",
            "--device-key",
            device["DeviceKey"].as_str().unwrap(),
        ],
    )
    .await;
    let answer = success_json(&output);
    let third = token(&answer, "RefreshToken").to_string();
    assert!(third != second && third != first);
    let stderr = text(&output.stderr);
    assert!(stderr.starts_with("RefreshTokenRotated: "), "{stderr}");
    assert!(stderr.contains("grace period"), "{stderr}");
    assert!(
        !stderr.contains(&second) && !stderr.contains(&third),
        "{stderr}"
    );

    // The replaced tokens are refused (grace period 0).
    for old in [&first, &second] {
        let output = call(
            &url,
            "refresh",
            &format!("{old}\n"),
            &[],
            &["--refresh-token-stdin", "--device-file", device_file_arg],
        )
        .await;
        assert_eq!(output.status.code(), Some(254), "{}", text(&output.stderr));
        assert!(
            text(&output.stderr).starts_with("RefreshTokenReuseException: "),
            "{}",
            text(&output.stderr)
        );
        assert!(output.stdout.is_empty());
        assert_no_secret(&output, &[&first, &second, &third]);
    }

    // Without the device the token is bound to: refused.
    let output = call(
        &url,
        "refresh",
        &format!("{third}\n"),
        &[],
        &["--refresh-token-stdin"],
    )
    .await;
    assert_eq!(output.status.code(), Some(254), "{}", text(&output.stderr));
    assert_no_secret(&output, &[&third]);

    // --query and --output text, and REFRESH_TOKEN_AUTH, which a rotating client refuses.
    let output = call(
        &url,
        "refresh",
        &format!("{third}\n"),
        &[],
        &[
            "--refresh-token-stdin",
            "--device-file",
            device_file_arg,
            "--flow",
            "REFRESH_TOKEN_AUTH",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(254), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("Refresh token rotation is enabled"),
        "{}",
        text(&output.stderr)
    );
    let output = call(
        &url,
        "refresh",
        &format!("{third}\n"),
        &[],
        &[
            "--refresh-token-stdin",
            "--device-file",
            device_file_arg,
            "--query",
            "AuthenticationResult.ExpiresIn",
            "--output",
            "text",
        ],
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).trim_end().parse::<u32>().unwrap() > 0);
    emulator.shutdown().await;
}

/// A device the user declined to remember still names the sign-in: its key, from
/// `NewDeviceMetadata`, refreshes with `--device-key`.
#[tokio::test(flavor = "multi_thread")]
async fn a_declined_devices_key_refreshes() {
    let dir = tempfile::tempdir().unwrap();
    let emulator = rotating_emulator(dir.path()).await;
    let answer = sign_in(&emulator, &[]).await;
    let key = answer["AuthenticationResult"]["NewDeviceMetadata"]["DeviceKey"]
        .as_str()
        .unwrap();
    let refresh = token(&answer, "RefreshToken");
    let output = call(
        &emulator.url(),
        "refresh",
        &format!("{refresh}\n"),
        &[],
        &["--refresh-token-stdin", "--device-key", key],
    )
    .await;
    let refreshed = success_json(&output);
    assert_eq!(claims(token(&refreshed, "AccessToken"))["device_key"], key);
    assert_ne!(token(&refreshed, "RefreshToken"), refresh);
    assert_no_secret(&output, &[refresh]);
    emulator.shutdown().await;
}

/// `list-devices` lists the remembered device (and `--query ... --output text` its key alone),
/// `forget-device --device-file` forgets it and says the file can go (leaving it), then the
/// list is empty; `sign-out` ends the refresh token. The access token only from stdin or a
/// variable, never on stderr.
#[tokio::test(flavor = "multi_thread")]
async fn devices_are_listed_forgotten_and_sign_out_ends_the_refresh_token() {
    let dir = tempfile::tempdir().unwrap();
    let (emulator, answer, device_path) = signed_in_with_device(dir.path()).await;
    let url = emulator.url();
    let device_file_arg = device_path.to_str().unwrap();
    let access = token(&answer, "AccessToken").to_string();
    let refresh = token(&answer, "RefreshToken").to_string();
    let device = device_file(&device_path);
    let key = device["DeviceKey"].as_str().unwrap();

    let output = call(
        &url,
        "list-devices",
        &format!("{access}\n"),
        &[],
        &["--access-token-stdin"],
    )
    .await;
    let listed = success_json(&output);
    let devices = listed["Devices"].as_array().unwrap();
    assert_eq!(devices.len(), 1, "{listed}");
    assert_eq!(devices[0]["DeviceKey"], key);
    assert!(devices[0]["DeviceAttributes"].is_array(), "{listed}");
    assert!(
        devices[0]["DeviceCreateDate"].as_f64().unwrap() > 1.6e9,
        "{listed}"
    );
    assert_eq!(text(&output.stderr), "");
    assert_no_secret(&output, &[&access, &refresh]);

    let output = call(
        &url,
        "list-devices",
        "",
        &[("CLI_TEST_ACCESS", &access)],
        &[
            "--access-token-env",
            "CLI_TEST_ACCESS",
            "--query",
            "Devices[0].DeviceKey",
            "--output",
            "text",
        ],
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), format!("{key}\n"));

    let before = std::fs::read(&device_path).unwrap();
    let output = call(
        &url,
        "forget-device",
        &format!("{access}\n"),
        &[],
        &["--access-token-stdin", "--device-file", device_file_arg],
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(output.stdout.is_empty());
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(key) && stderr.contains("can be deleted"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&device_path).unwrap(), before);
    assert_no_secret(&output, &[&access]);

    let output = call(
        &url,
        "list-devices",
        &format!("{access}\n"),
        &[],
        &["--access-token-stdin"],
    )
    .await;
    assert_eq!(success_json(&output), serde_json::json!({"Devices": []}));

    // Forgetting it again: the service's refusal.
    let output = call(
        &url,
        "forget-device",
        &format!("{access}\n"),
        &[],
        &["--access-token-stdin", "--device-key", key],
    )
    .await;
    assert_eq!(output.status.code(), Some(254), "{}", text(&output.stderr));

    // sign-out, with the tokens of a new sign-in (a declined device: its key names it).
    let answer = sign_in(&emulator, &[]).await;
    let access = token(&answer, "AccessToken").to_string();
    let refresh = token(&answer, "RefreshToken").to_string();
    let key = answer["AuthenticationResult"]["NewDeviceMetadata"]["DeviceKey"]
        .as_str()
        .unwrap()
        .to_string();
    let output = call(
        &url,
        "sign-out",
        &format!("{access}\n"),
        &[],
        &["--access-token-stdin"],
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(output.stdout.is_empty() && output.stderr.is_empty());

    let output = call(
        &url,
        "refresh",
        &format!("{refresh}\n"),
        &[],
        &["--refresh-token-stdin", "--device-key", &key],
    )
    .await;
    assert_eq!(output.status.code(), Some(254), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stderr),
        "NotAuthorizedException: Refresh Token has been revoked\n"
    );
    assert_no_secret(&output, &[&refresh, &access]);

    // The access token is revoked too.
    let output = call(
        &url,
        "sign-out",
        "",
        &[("CLI_TEST_ACCESS", &access)],
        &["--access-token-env", "CLI_TEST_ACCESS"],
    )
    .await;
    assert_eq!(output.status.code(), Some(254), "{}", text(&output.stderr));
    assert_no_secret(&output, &[&access]);
    emulator.shutdown().await;
}

/// No flag takes a token as its value: `--help` lists none, and one given is a usage error.
#[test]
fn no_token_is_taken_from_an_argument() {
    for command in ["refresh", "sign-out", "list-devices", "forget-device"] {
        let output = run(&[command, "--help"], "", &[]);
        assert_eq!(output.status.code(), Some(0));
        let help = text(&output.stdout);
        assert!(help.contains("Examples:"), "{command}: {help}");
        for flag in [
            "--refresh-token ",
            "--access-token ",
            "--refresh-token=",
            "--access-token=",
        ] {
            assert!(!help.contains(flag), "{command} has {flag}: {help}");
        }
    }
    let output = run(
        &[
            "refresh",
            "--pool-id",
            ROTATING_POOL,
            "--client-id",
            ROTATING_CLIENT,
            "--refresh-token",
            "eyJsecret",
        ],
        "",
        &[],
    );
    assert_eq!(output.status.code(), Some(252));
    let output = run(
        &[
            "sign-out",
            "--pool-id",
            ROTATING_POOL,
            "--access-token",
            "eyJsecret",
        ],
        "",
        &[],
    );
    assert_eq!(output.status.code(), Some(252));
    // Neither source given, or both: usage errors.
    let output = run(&["list-devices", "--pool-id", ROTATING_POOL], "", &[]);
    assert_eq!(output.status.code(), Some(252));
    let output = run(
        &[
            "forget-device",
            "--pool-id",
            ROTATING_POOL,
            "--access-token-stdin",
        ],
        "",
        &[],
    );
    assert_eq!(output.status.code(), Some(252));
}

/// A fake service that answers each request a byte at a time, one every 300 ms, for
/// `seconds`. `head_first`: the head at once and only the body trickled.
fn trickling_service(head_first: bool, seconds: u64) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let body = format!(
        "{{\"AuthenticationResult\": {{\"AccessToken\": \"{}\"}}}}",
        "a".repeat(400)
    );
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (head, body) = (head.clone(), body.clone());
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
                let mut buffer = [0u8; 8192];
                let _ = stream.read(&mut buffer);
                let trickled = if head_first {
                    if stream.write_all(head.as_bytes()).is_err() {
                        return;
                    }
                    body
                } else {
                    head + &body
                };
                for byte in trickled.bytes() {
                    if Instant::now() > deadline || stream.write_all(&[byte]).is_err() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(300));
                }
            });
            if Instant::now() > deadline {
                return;
            }
        }
    });
    url
}

async fn refresh_against(url: &str, extra: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let mut args = vec!["--refresh-token-stdin"];
    args.extend_from_slice(extra);
    let output = call(url, "refresh", "a-refresh-token\n", &[], &args).await;
    (output, started.elapsed())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trickling_answer_ends_within_the_timeouts() {
    let url = trickling_service(false, 120);
    let (output, took) = refresh_against(&url, &["--cli-read-timeout", "2"]).await;
    assert_eq!(output.status.code(), Some(255), "{}", text(&output.stderr));
    assert!(took < Duration::from_secs(30), "{took:?}");
    assert!(
        text(&output.stderr).starts_with("RequestFailed: "),
        "{}",
        text(&output.stderr)
    );
    assert_no_secret(&output, &["a-refresh-token"]);

    // The head at once, the body trickled: the read timeout is over once the head is in, and
    // each attempt is bounded by the connect and read timeouts together (service.rs).
    let url = trickling_service(true, 120);
    let (output, took) = refresh_against(
        &url,
        &["--cli-read-timeout", "2", "--cli-connect-timeout", "2"],
    )
    .await;
    assert_eq!(output.status.code(), Some(255), "{}", text(&output.stderr));
    assert!(took < Duration::from_secs(30), "{took:?}");
}

/// `--flow REFRESH_TOKEN_AUTH` on a client that does not rotate: printed as `initiate-auth`
/// prints it, no refresh token; with a client secret it needs `--username` (252 before any call)
/// and then signs its SECRET_HASH.
#[tokio::test(flavor = "multi_thread")]
async fn refresh_token_auth_keeps_the_token() {
    const SECRET: &str = "the app client's secret, 1234567890";
    let emulator = start(builder().client_secret(SECRET)).await;
    let env = vec![("CLI_TEST_CLIENT_SECRET".to_string(), SECRET.to_string())];
    let signed_in = success_json(
        &run_async(
            login_args(
                &emulator.url(),
                &["--client-secret-env", "CLI_TEST_CLIENT_SECRET"],
            ),
            format!("{PASSWORD}\n"),
            env.clone(),
        )
        .await,
    );
    let refresh = token(&signed_in, "RefreshToken").to_string();
    let key = signed_in["AuthenticationResult"]["NewDeviceMetadata"]["DeviceKey"]
        .as_str()
        .unwrap()
        .to_string();
    let args = |extra: &[&str]| {
        let mut args: Vec<String> = [
            "refresh",
            "--endpoint-url",
            &emulator.url(),
            "--pool-id",
            POOL,
            "--client-id",
            CLIENT,
            "--refresh-token-stdin",
            "--device-key",
            &key,
            "--client-secret-env",
            "CLI_TEST_CLIENT_SECRET",
            "--flow",
            "REFRESH_TOKEN_AUTH",
        ]
        .iter()
        .map(|arg| arg.to_string())
        .collect();
        args.extend(extra.iter().map(|arg| arg.to_string()));
        args
    };
    let output = run_async(args(&[]), format!("{refresh}\n"), env.clone()).await;
    assert_eq!(output.status.code(), Some(252), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("--username"));

    let output = run_async(args(&["--username", USER]), format!("{refresh}\n"), env).await;
    let answer = success_json(&output);
    assert_eq!(answer["ChallengeParameters"], serde_json::json!({}));
    assert!(
        answer["AuthenticationResult"].get("RefreshToken").is_none(),
        "{answer}"
    );
    assert_eq!(claims(token(&answer, "AccessToken"))["username"], USER);
    assert_eq!(text(&output.stderr), "");
    assert_no_secret(&output, &[&refresh, SECRET]);
    emulator.shutdown().await;
}

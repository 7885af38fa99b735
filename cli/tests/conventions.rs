//! What `login` shares with the AWS CLI, the binary run as a user runs it: the region and
//! endpoint from the environment and from a profile (flags first), `--query` and `--output
//! text`, the exit statuses (252 arguments, 253 configuration, 254 the service refused, 255
//! anything else), `--cli-read-timeout` against a service that never answers, an answer too
//! large, and a service's error message with terminal escapes printed escaped. Against the
//! in-process emulator, or a fake service on a loopback port that answers what the test says.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use cognito_srp6a_test_support::jwt::claims;
use common::*;
use std::{
    io::{Read as _, Write as _},
    net::{TcpListener, TcpStream},
    process::Output,
    time::{Duration, Instant},
};

/// `login` for the test user, no `--endpoint-url`: the endpoint comes from the environment or
/// a profile. The password on stdin, `env` set, then `extra` arguments.
async fn login_with(env: &[(&str, &str)], extra: &[&str]) -> Output {
    let args = login_user_args(None, &[&["--password-stdin"], extra].concat());
    let env = env
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    run_async(args, format!("{PASSWORD}\n"), env).await
}

/// A loopback address where nothing listens: bound, then let go.
fn closed_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// The `region: ...` line `--verbose` prints.
fn region_said(output: &Output) -> String {
    text(&output.stderr)
        .lines()
        .find_map(|line| line.strip_prefix("region: ").map(str::to_string))
        .unwrap_or_else(|| panic!("no region line: {}", text(&output.stderr)))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_environment_gives_the_endpoint_and_region() {
    let emulator = start(builder()).await;
    let url = emulator.url();

    // Only AWS_ENDPOINT_URL and AWS_REGION: signed in, in that region.
    let env = [
        ("AWS_ENDPOINT_URL", url.as_str()),
        ("AWS_REGION", "eu-west-2"),
    ];
    let output = login_with(&env, &["-v"]).await;
    let answer = success_json(&output);
    assert_eq!(
        claims(
            answer["AuthenticationResult"]["AccessToken"]
                .as_str()
                .unwrap()
        )["username"],
        USER
    );
    assert_eq!(region_said(&output), "eu-west-2");

    // --query and --output text: the token alone and a newline.
    let output = login_with(
        &env,
        &[
            "--query",
            "AuthenticationResult.AccessToken",
            "--output",
            "text",
        ],
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(output.stderr.is_empty(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let token = stdout.strip_suffix('\n').unwrap();
    assert!(!token.contains(['\n', '\t', ' ', '"']), "{stdout:?}");
    assert_eq!(claims(token)["username"], USER);
    assert_eq!(claims(token)["token_use"], "access");

    // The whole answer as text: the AWS CLI's AUTHENTICATIONRESULT line, tab-separated.
    let output = login_with(&env, &["--output", "text"]).await;
    let stdout = text(&output.stdout);
    let fields: Vec<&str> = stdout.lines().next().unwrap().split('\t').collect();
    assert_eq!(fields[0], "AUTHENTICATIONRESULT", "{stdout}");
    assert_eq!(fields.len(), 6, "{stdout}");
    assert_eq!(fields[5], "Bearer");

    // A query the answer cannot take (abs of a string): an argument error, found before the
    // device is confirmed, so no device file is left behind.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.json");
    let output = login_with(
        &env,
        &[
            "--query",
            "abs(AuthenticationResult.AccessToken)",
            "--device-file",
            path.to_str().unwrap(),
            "--remember-device",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(252), "{}", text(&output.stderr));
    assert!(output.stdout.is_empty());
    assert!(!path.exists());

    // The service's own variable wins over AWS_ENDPOINT_URL, the flags over both.
    let closed = closed_url();
    let service_specific = [
        ("AWS_ENDPOINT_URL", closed.as_str()),
        ("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", url.as_str()),
        ("AWS_REGION", "eu-west-2"),
    ];
    success_json(&login_with(&service_specific, &[]).await);
    let flag = [
        (
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
            closed.as_str(),
        ),
        ("AWS_REGION", "eu-west-2"),
    ];
    let output = login_with(
        &flag,
        &["--endpoint-url", &url, "--region", "ca-central-1", "-v"],
    )
    .await;
    success_json(&output);
    assert_eq!(region_said(&output), "ca-central-1");

    // AWS_REGION before AWS_DEFAULT_REGION; without either, the pool id's region.
    let both = [
        ("AWS_REGION", "eu-west-2"),
        ("AWS_DEFAULT_REGION", "eu-west-1"),
    ];
    let output = login_with(&both, &["--endpoint-url", &url, "-v"]).await;
    assert_eq!(region_said(&output), "eu-west-2");
    let output = login_with(&both[1..], &["--endpoint-url", &url, "-v"]).await;
    assert_eq!(region_said(&output), "eu-west-1");
    let output = login_with(&[], &["--endpoint-url", &url, "-v"]).await;
    success_json(&output);
    assert_eq!(region_said(&output), "us-east-1");

    // The exit statuses: the service refused (254), nothing listens (255).
    let wrong = run_async(
        login_args(&url, &[]),
        "not the password\n".to_string(),
        Vec::new(),
    )
    .await;
    assert_eq!(wrong.status.code(), Some(254));
    assert_eq!(
        text(&wrong.stderr),
        "NotAuthorizedException: Incorrect username or password.\n"
    );
    emulator.shutdown().await;
    let refused = login_at(&closed, PASSWORD, &[]).await;
    assert_eq!(refused.status.code(), Some(255));
    assert!(text(&refused.stderr).starts_with("RequestFailed: "));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_gives_the_region_and_endpoint() {
    let emulator = start(builder()).await;
    let url = emulator.url();
    let closed = closed_url();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        format!(
            "[default]\nregion = sa-east-1\nendpoint_url = {closed}\n\n\
             [profile test]\nregion = ap-south-1\nendpoint_url = {url}\n\n\
             [profile split]\nregion = eu-central-1\nendpoint_url = {closed}\nservices = local\n\n\
             [services local]\ncognito-identity-provider =\n  endpoint_url = {url}\n"
        ),
    )
    .unwrap();
    let file = config.to_str().unwrap();
    let env = [("AWS_CONFIG_FILE", file)];

    let output = login_with(&env, &["--profile", "test", "-v"]).await;
    success_json(&output);
    assert_eq!(region_said(&output), "ap-south-1");
    // AWS_PROFILE names it as well as --profile; the flag wins over it.
    let output = login_with(
        &[("AWS_CONFIG_FILE", file), ("AWS_PROFILE", "test")],
        &["-v"],
    )
    .await;
    success_json(&output);
    assert_eq!(region_said(&output), "ap-south-1");
    let output = login_with(
        &[("AWS_CONFIG_FILE", file), ("AWS_PROFILE", "nowhere")],
        &["--profile", "test"],
    )
    .await;
    success_json(&output);
    // The environment wins over the profile.
    let output = login_with(
        &[("AWS_CONFIG_FILE", file), ("AWS_REGION", "us-west-2")],
        &["--profile", "test", "-v"],
    )
    .await;
    success_json(&output);
    assert_eq!(region_said(&output), "us-west-2");

    // The [services] section's cognito-identity-provider endpoint wins over the profile's.
    let output = login_with(&env, &["--profile", "split", "-v"]).await;
    success_json(&output);
    assert_eq!(region_said(&output), "eu-central-1");

    // No profile named: [default], whose endpoint has nothing listening.
    let output = login_with(&env, &["-v"]).await;
    assert_eq!(output.status.code(), Some(255), "{}", text(&output.stderr));
    assert_eq!(region_said(&output), "sa-east-1");

    // A profile that is not there, and a file that does not parse: configuration, 253.
    let output = login_with(&env, &["--profile", "missing"]).await;
    assert_eq!(output.status.code(), Some(253));
    assert_eq!(
        text(&output.stderr),
        "ProfileNotFound: The config profile (missing) could not be found\n"
    );
    let broken = dir.path().join("broken");
    std::fs::write(&broken, "region = us-east-1\n[profile test\n").unwrap();
    let output = login_with(&[("AWS_CONFIG_FILE", broken.to_str().unwrap())], &[]).await;
    assert_eq!(output.status.code(), Some(253), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).starts_with("InvalidConfiguration: "),
        "{}",
        text(&output.stderr)
    );
    emulator.shutdown().await;
}

#[test]
fn usage_errors_exit_252_and_help_0() {
    let missing = run(
        &["login", "--pool-id", POOL, "--client-id", CLIENT],
        "",
        &[],
    );
    assert_eq!(missing.status.code(), Some(252));
    let stderr = text(&missing.stderr);
    assert!(stderr.contains("--username"), "{stderr}");
    assert!(missing.stdout.is_empty());

    for extra in [
        &["--query", "AuthenticationResult.["][..],
        &["--output", "yaml"],
        &["--cli-read-timeout", "-1"],
        &["--cli-connect-timeout", "soon"],
    ] {
        let args = login_user_args(None, extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = run(&args, "", &[]);
        assert_eq!(output.status.code(), Some(252), "{extra:?}");
    }
    let bad_pool = run(
        &[
            "login",
            "--pool-id",
            "Pool",
            "--client-id",
            CLIENT,
            "--username",
            USER,
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
        &[],
    );
    assert_eq!(bad_pool.status.code(), Some(252));
    assert_eq!(
        text(&bad_pool.stderr),
        "InvalidArguments: --pool-id \"Pool\" is not <region>_<name>\n"
    );

    for help in [&["--help"][..], &["login", "--help"], &["--version"]] {
        let output = run(help, "", &[]);
        assert_eq!(output.status.code(), Some(0), "{help:?}");
        assert!(!output.stdout.is_empty());
        assert!(output.stderr.is_empty());
    }
}

/// A fake service on a loopback port for `seconds`: each connection's request is read, then
/// `answer` written and the connection closed; with no answer, the connection is held open
/// and never answered. Returns its URL; the thread ends by itself.
fn fake_service(answer: Option<Vec<u8>>, seconds: u64) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let mut held = Vec::new();
        while Instant::now() < deadline {
            match listener.accept() {
                Ok((mut stream, _)) => {
                    stream.set_nonblocking(false).unwrap();
                    stream
                        .set_read_timeout(Some(Duration::from_secs(5)))
                        .unwrap();
                    match &answer {
                        Some(answer) => {
                            read_request(&mut stream);
                            let _ = stream.write_all(answer);
                        }
                        None => held.push(stream),
                    }
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    });
    url
}

/// Reads one HTTP request: the head, then as many body bytes as it declares.
fn read_request(stream: &mut TcpStream) {
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let Ok(read) = stream.read(&mut buffer) else {
            return;
        };
        if read == 0 {
            return;
        }
        request.extend_from_slice(&buffer[..read]);
        let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length:"))
            .and_then(|value| value.trim().parse().ok())
            .unwrap_or(0);
        if request.len() >= end + 4 + length {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_service_that_never_answers_times_out() {
    let url = fake_service(None, 60);
    let started = Instant::now();
    let output = login_at(&url, PASSWORD, &["--cli-read-timeout", "2"]).await;
    let took = started.elapsed();
    assert_eq!(output.status.code(), Some(255), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(stderr.starts_with("RequestFailed: "), "{stderr}");
    assert!(stderr.to_lowercase().contains("timeout"), "{stderr}");
    // At least the one read timeout; the SDK's retries (three attempts) and their backoff
    // stay well within this.
    assert!(took >= Duration::from_secs(2), "{took:?}");
    assert!(took < Duration::from_secs(30), "{took:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_services_text_is_printed_escaped() {
    // JSON's \u001b is a raw ESC once decoded: colour, then a window title, then a bell.
    let body =
        r#"{"__type":"NotAuthorizedException","message":"\u001b[31mred\u001b]0;owned\u0007 text"}"#;
    let answer = format!(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let url = fake_service(Some(answer.into_bytes()), 30);
    let output = login_at(&url, PASSWORD, &[]).await;
    assert_eq!(output.status.code(), Some(254), "{}", text(&output.stderr));
    assert!(!output.stderr.contains(&0x1b), "{:?}", output.stderr);
    assert!(!output.stderr.contains(&0x07), "{:?}", output.stderr);
    assert_eq!(
        text(&output.stderr),
        "NotAuthorizedException: \\x1b[31mred\\x1b]0;owned\\x07 text\n"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_too_large_is_refused() {
    // Declares 64 MiB and sends none of it: refused on the headers alone.
    let answer = "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n\
                  Content-Length: 67108864\r\n\r\n{";
    let url = fake_service(Some(answer.as_bytes().to_vec()), 30);
    let started = Instant::now();
    let output = login_at(&url, PASSWORD, &["--cli-read-timeout", "5"]).await;
    assert_eq!(output.status.code(), Some(255), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("the answer declares 67108864 bytes, more than the 1048576"),
        "{stderr}"
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_line_and_a_device_file_are_bounded() {
    let url = closed_url();
    let long = "p".repeat(5000);
    let output = run_async(login_args(&url, &[]), format!("{long}\n"), Vec::new()).await;
    assert_eq!(output.status.code(), Some(255));
    assert_eq!(
        text(&output.stderr),
        "InvalidPassword: password on stdin is longer than 4096 bytes\n"
    );
    assert_no_secret(&output, &[&long]);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.json");
    std::fs::write(&path, " ".repeat(100 * 1024)).unwrap();
    let output = login_at(&url, PASSWORD, &["--device-file", path.to_str().unwrap()]).await;
    assert_eq!(output.status.code(), Some(255));
    assert!(
        text(&output.stderr).contains("is larger than 65536 bytes: not a device file"),
        "{}",
        text(&output.stderr)
    );
}

//! The built command, started as a child process: its flags and environment, the start-up
//! lines it prints (never a secret), `/health`, a seed file, a state file across a restart,
//! and a clean stop on SIGTERM and SIGINT. Every child is killed on every path.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{RawResponse, http_blocking};
use serde_json::{Value, json};
use std::{
    io::{BufRead, BufReader, Read},
    net::{SocketAddr, TcpListener},
    path::Path,
    process::{Child, Command, ExitStatus, Stdio},
    sync::{Arc, Condvar, Mutex},
    thread::JoinHandle,
    time::{Duration, Instant},
};

const BIN: &str = env!("CARGO_BIN_EXE_cognito-srp6a-emulator");
/// How long a start, an answer or a stop may take on a busy machine.
const DEADLINE: Duration = Duration::from_secs(60);

/// The lines read so far, and whether the stream has ended.
type Seen = Mutex<(Vec<String>, bool)>;

/// Lines a child wrote to one stream, as they come.
#[derive(Clone, Default)]
struct Lines(Arc<(Seen, Condvar)>);

impl Lines {
    /// Reads `stream` to its end on a thread.
    fn follow(stream: impl Read + Send + 'static) -> (Self, JoinHandle<()>) {
        let lines = Self::default();
        let writer = lines.clone();
        let thread = std::thread::spawn(move || {
            // Byte lines, read lossily: the reader never stops before the end, so the child
            // never blocks on a full pipe.
            let mut reader = BufReader::new(stream);
            let mut line = Vec::new();
            while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
                let text = String::from_utf8_lossy(&line);
                let (lock, changed) = &*writer.0;
                lock.lock()
                    .unwrap()
                    .0
                    .push(text.trim_end_matches(['\n', '\r']).to_string());
                changed.notify_all();
                line.clear();
            }
            let (lock, changed) = &*writer.0;
            lock.lock().unwrap().1 = true;
            changed.notify_all();
        });
        (lines, thread)
    }

    fn snapshot(&self) -> Vec<String> {
        self.0.0.lock().unwrap().0.clone()
    }

    /// Waits until a line satisfies `found`, and returns it. Fails at the deadline or when
    /// the stream ends without one.
    fn wait_for(&self, what: &str, found: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + DEADLINE;
        let (lock, changed) = &*self.0;
        let mut state = lock.lock().unwrap();
        loop {
            if let Some(line) = state.0.iter().find(|line| found(line)) {
                return line.clone();
            }
            let now = Instant::now();
            assert!(
                !state.1 && now < deadline,
                "no {what} line; the stream had: {:?}",
                state.0
            );
            state = changed.wait_timeout(state, deadline - now).unwrap().0;
        }
    }
}

/// A running emulator command. Dropping it kills the child.
struct Running {
    child: Child,
    stdout: Lines,
    stderr: Lines,
    readers: Vec<JoinHandle<()>>,
}

/// What a stopped child said.
struct Stopped {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// The command with the given arguments and environment, and none of the emulator's
/// variables from the test's own environment.
fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env_remove("COGNITO_EMULATOR_PORT")
        .env_remove("COGNITO_EMULATOR_HOST")
        .env_remove("RUST_LOG")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn spawn(args: &[&str], env: &[(&str, &str)]) -> Running {
    let mut child = command(args, env).spawn().expect("the command starts");
    let (stdout, out_reader) = Lines::follow(child.stdout.take().unwrap());
    let (stderr, err_reader) = Lines::follow(child.stderr.take().unwrap());
    Running {
        child,
        stdout,
        stderr,
        readers: vec![out_reader, err_reader],
    }
}

impl Running {
    /// Waits for the `listening on` and `endpoint` lines; returns the address listened on and
    /// the endpoint.
    fn started(&self) -> (SocketAddr, String) {
        let listening = self
            .stdout
            .wait_for("listening on", |line| line.starts_with("listening on "));
        let endpoint = self
            .stdout
            .wait_for("endpoint", |line| line.starts_with("endpoint "));
        let addr = listening["listening on ".len()..]
            .parse()
            .unwrap_or_else(|_| panic!("an address: {listening:?}"));
        (addr, endpoint["endpoint ".len()..].to_string())
    }

    /// Sends `signal` (`TERM`, `INT`) and waits for the exit and the end of both streams.
    fn stop(mut self, signal: &str) -> Stopped {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args([format!("-{signal}").as_str(), pid.as_str()])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -{signal} {pid}");
        self.exited()
    }

    /// Waits (to the deadline) for the child to exit by itself.
    fn exited(&mut self) -> Stopped {
        let deadline = Instant::now() + DEADLINE;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "still running; stdout {:?}, stderr {:?}",
                self.stdout.snapshot(),
                self.stderr.snapshot()
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        for reader in self.readers.drain(..) {
            reader.join().unwrap();
        }
        Stopped {
            status,
            stdout: self.stdout.snapshot().join("\n"),
            stderr: self.stderr.snapshot().join("\n"),
        }
    }
}

/// Runs the command to its end (it is expected to refuse to start).
fn run_to_exit(args: &[&str]) -> Stopped {
    spawn(args, &[]).exited()
}

/// A port nothing listens on now: bound on port 0, then let go.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn get(addr: SocketAddr, path: &str) -> RawResponse {
    get_with(addr, path, &[])
}

fn get_with(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> RawResponse {
    http_blocking(addr, "GET", path, headers, b"")
}

fn call(addr: SocketAddr, operation: &str, body: &Value) -> RawResponse {
    let target = format!("AWSCognitoIdentityProviderService.{operation}");
    http_blocking(
        addr,
        "POST",
        "/",
        &[
            ("X-Amz-Target", target.as_str()),
            ("Content-Type", "application/x-amz-json-1.1"),
        ],
        body.to_string().as_bytes(),
    )
}

fn assert_health(addr: SocketAddr, pools: u64) {
    let health = get(addr, "/health");
    assert_eq!(health.status, 200);
    let body = health.json();
    assert_eq!(body["status"], "ok", "{body}");
    assert_eq!(body["pools"], pools, "{body}");
}

/// Stopped with exit status 0 (not by the signal).
fn assert_clean(stopped: &Stopped) {
    assert_eq!(
        stopped.status.code(),
        Some(0),
        "{:?}; stderr: {}",
        stopped.status,
        stopped.stderr
    );
}

fn pool_lines(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|line| line.starts_with("pool ") || line.starts_with("  app client "))
        .collect()
}

#[test]
fn starts_with_no_pools_answers_health_and_stops_on_sigterm() {
    let running = spawn(&["--port", "0"], &[]);
    let (addr, endpoint) = running.started();
    assert_eq!(addr.ip().to_string(), "127.0.0.1");
    assert_ne!(addr.port(), 0);
    assert_eq!(endpoint, format!("http://127.0.0.1:{}", addr.port()));
    let health = get(addr, "/health");
    assert_eq!(
        health.header("content-type"),
        Some("application/json"),
        "{health:?}"
    );
    assert_health(addr, 0);
    let stopped = running.stop("TERM");
    assert_clean(&stopped);
    let lines: Vec<&str> = stopped.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            format!("listening on 127.0.0.1:{}", addr.port()),
            format!("endpoint http://127.0.0.1:{}", addr.port()),
        ],
        "exactly the two start-up lines, no pool"
    );
}

#[test]
fn the_port_comes_from_the_environment_unless_the_flag_gives_one() {
    let from_env = free_port();
    let running = spawn(&[], &[("COGNITO_EMULATOR_PORT", &from_env.to_string())]);
    let (addr, endpoint) = running.started();
    assert_eq!(addr, SocketAddr::from(([127, 0, 0, 1], from_env)));
    assert_eq!(endpoint, format!("http://127.0.0.1:{from_env}"));
    assert_health(addr, 0);
    // SIGINT (Ctrl-C) stops it as cleanly as SIGTERM.
    assert_clean(&running.stop("INT"));

    let (env_port, flag_port) = (free_port(), free_port());
    let running = spawn(
        &["--port", &flag_port.to_string()],
        &[("COGNITO_EMULATOR_PORT", &env_port.to_string())],
    );
    let (addr, _) = running.started();
    assert_eq!(addr.port(), flag_port, "--port wins over the environment");
    assert_health(addr, 0);
    assert_clean(&running.stop("INT"));
}

#[test]
fn the_flags_pool_is_listed_and_no_secret_or_password_is_printed() {
    const SECRET: &str = "s3cret-value";
    const PASSWORD: &str = "pw-123456";
    const NEW_PASSWORD: &str = "pw-654321-new";
    const CLIENT: &str = "abcdefghijklmnopqrstu12345";
    let running = spawn(
        &[
            "--port",
            "0",
            "--pool-id",
            "us-east-1_Flags",
            "--client-id",
            CLIENT,
            "--client-secret",
            SECRET,
            "--user",
            &format!("alice:{PASSWORD}"),
        ],
        // The most the log says, so a secret in any log line is seen.
        &[("RUST_LOG", "trace")],
    );
    let (addr, _) = running.started();
    running
        .stdout
        .wait_for("app client", |line| line.starts_with("  app client "));
    assert_health(addr, 1);
    // Requests that carry the secret and a password: answered, and never logged.
    let client = call(
        addr,
        "DescribeUserPoolClient",
        &json!({ "UserPoolId": "us-east-1_Flags", "ClientId": CLIENT }),
    );
    assert_eq!(client.status, 200, "{client:?}");
    assert_eq!(client.json()["UserPoolClient"]["ClientSecret"], SECRET);
    let set = call(
        addr,
        "AdminSetUserPassword",
        &json!({ "UserPoolId": "us-east-1_Flags", "Username": "alice",
                 "Password": NEW_PASSWORD, "Permanent": true }),
    );
    assert_eq!(set.status, 200, "{set:?}");
    let refused = call(
        addr,
        "SignUp",
        &json!({ "ClientId": CLIENT, "Username": "bob", "Password": PASSWORD }),
    );
    assert_eq!(refused.status, 400, "no SECRET_HASH: {refused:?}");
    let stopped = running.stop("TERM");
    assert_clean(&stopped);
    assert_eq!(
        pool_lines(&stopped.stdout),
        [
            "pool us-east-1_Flags \"Flags\" (device tracking on)".to_string(),
            format!("  app client {CLIENT} \"emulator\", with a secret"),
        ],
        "{}",
        stopped.stdout
    );
    assert!(
        !stopped.stderr.is_empty(),
        "the trace log says something, or this test proves nothing"
    );
    for (stream, text) in [("stdout", &stopped.stdout), ("stderr", &stopped.stderr)] {
        for secret in [SECRET, PASSWORD, NEW_PASSWORD] {
            assert!(!text.contains(secret), "{stream} shows {secret:?}: {text}");
        }
    }
}

#[test]
fn a_state_file_keeps_an_api_pool_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.sqlite");
    let state = state.to_str().unwrap();

    let running = spawn(&["--port", "0", "--state", state], &[]);
    let (addr, _) = running.started();
    let created = call(
        addr,
        "CreateUserPool",
        &json!({ "PoolName": "kept-pool", "DeviceConfiguration": {} }),
    );
    assert_eq!(created.status, 200, "{created:?}");
    let pool_id = created.json()["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let client = call(
        addr,
        "CreateUserPoolClient",
        &json!({ "UserPoolId": pool_id, "ClientName": "kept-client" }),
    );
    assert_eq!(client.status, 200, "{client:?}");
    let client_id = client.json()["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    // The pool is written when CreateUserPool answers; the stop must not lose it.
    assert_clean(&running.stop("TERM"));

    let running = spawn(&["--port", "0", "--state", state], &[]);
    let (addr, _) = running.started();
    let line = format!("pool {pool_id} \"kept-pool\" (device tracking on)");
    running.stdout.wait_for(&line, |l| l == line);
    let client_line = format!("  app client {client_id} \"kept-client\"");
    running.stdout.wait_for(&client_line, |l| l == client_line);
    assert_health(addr, 1);
    let described = call(addr, "DescribeUserPool", &json!({ "UserPoolId": pool_id }));
    assert_eq!(described.status, 200, "{described:?}");
    assert_eq!(described.json()["UserPool"]["Name"], "kept-pool");
    assert_clean(&running.stop("TERM"));
}

#[test]
fn a_seed_file_makes_its_pools_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("pools.yaml");
    std::fs::write(
        &seed,
        r#"
UserPools:
  - Id: us-east-1_SeededOne
    PoolName: seeded-one
    DeviceConfiguration: {ChallengeRequiredOnNewDevice: false}
    Clients:
      - ClientName: web
        ClientId: seededwebclient1
    Users:
      - Username: alice
        Password: correct horse battery staple
  - PoolName: seeded-two
    Clients:
      - ClientName: backend
        ClientSecret: seeded-client-secret
"#,
    )
    .unwrap();
    let running = spawn(&["--port", "0", "--config", seed.to_str().unwrap()], &[]);
    let (addr, _) = running.started();
    running.stdout.wait_for("the second pool's client", |line| {
        line.contains("\"backend\"")
    });
    assert_health(addr, 2);
    let user = call(
        addr,
        "AdminGetUser",
        &json!({ "UserPoolId": "us-east-1_SeededOne", "Username": "alice" }),
    );
    assert_eq!(user.status, 200, "{user:?}");
    assert_eq!(user.json()["UserStatus"], "CONFIRMED");
    let stopped = running.stop("TERM");
    assert_clean(&stopped);
    let lines = pool_lines(&stopped.stdout);
    assert_eq!(lines.len(), 4, "{lines:?}");
    // Each pool line is followed by its client's line; the pools come in the order of their
    // ids.
    let one = lines
        .iter()
        .position(|line| line.starts_with("pool us-east-1_SeededOne "))
        .unwrap();
    assert_eq!(
        lines[one],
        "pool us-east-1_SeededOne \"seeded-one\" (device tracking on)"
    );
    assert_eq!(lines[one + 1], "  app client seededwebclient1 \"web\"");
    let two = 2 - one;
    assert!(
        lines[two].starts_with("pool us-east-1_")
            && lines[two].ends_with(" \"seeded-two\" (no device tracking)"),
        "{lines:?}"
    );
    assert!(
        lines[two + 1].starts_with("  app client ")
            && lines[two + 1].ends_with(" \"backend\", with a secret"),
        "{lines:?}"
    );
    assert!(!stopped.stdout.contains("seeded-client-secret"));
    assert!(!stopped.stdout.contains("correct horse"));
}

#[test]
fn a_bad_seed_file_stops_the_start_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("broken-seed.yaml");
    std::fs::write(
        &seed,
        "UserPools:\n  - PoolName: app\n    Users:\n      - Username: a\n        Password: 12345\n",
    )
    .unwrap();
    let missing = dir.path().join("no-such-seed.yaml");
    for path in [&seed, &missing] {
        let stopped = run_to_exit(&["--port", "0", "--config", path.to_str().unwrap()]);
        assert!(!stopped.status.success(), "{:?}", stopped.status);
        assert_eq!(stopped.status.code(), Some(1), "{:?}", stopped.status);
        assert!(
            stopped.stderr.contains(path.to_str().unwrap()),
            "names the file: {}",
            stopped.stderr
        );
        assert!(
            !stopped.stdout.contains("listening on"),
            "never served: {}",
            stopped.stdout
        );
        assert!(!stopped.stderr.contains("12345"), "{}", stopped.stderr);
    }
}

#[test]
fn host_takes_an_ip_address_only() {
    let running = spawn(&["--port", "0", "--host", "0.0.0.0"], &[]);
    let (addr, endpoint) = running.started();
    assert_eq!(addr.ip().to_string(), "0.0.0.0");
    assert_eq!(
        endpoint,
        format!("http://127.0.0.1:{}", addr.port()),
        "the endpoint names an address clients can reach"
    );
    assert_health(SocketAddr::from(([127, 0, 0, 1], addr.port())), 0);
    assert_clean(&running.stop("TERM"));

    for host in ["not-an-ip", "localhost"] {
        let stopped = run_to_exit(&["--port", "0", "--host", host]);
        assert_eq!(stopped.status.code(), Some(2), "clap's usage error");
        assert!(
            stopped.stderr.contains("--host") && stopped.stderr.contains(host),
            "{}",
            stopped.stderr
        );
        assert!(stopped.stdout.is_empty(), "{}", stopped.stdout);
    }
}

#[test]
fn allowed_host_and_cors_origin_flags_reach_the_rules() {
    let running = spawn(
        &[
            "--port",
            "0",
            "--allowed-host",
            "cognito.test",
            "--cors-origin",
            "https://app.example.test",
        ],
        &[],
    );
    let (addr, _) = running.started();
    let host = format!("cognito.test:{}", addr.port());
    let served = get_with(addr, "/no-pool/.well-known/jwks.json", &[("Host", &host)]);
    assert_eq!(
        served.status, 404,
        "served, and the pool is unknown: {served:?}"
    );
    let refused = get_with(
        addr,
        "/no-pool/.well-known/jwks.json",
        &[("Host", "other.test")],
    );
    assert_eq!(refused.status, 403, "{refused:?}");
    let allowed = get_with(addr, "/health", &[("Origin", "https://app.example.test")]);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://app.example.test")
    );
    let refused = get_with(addr, "/health", &[("Origin", "https://other.example.test")]);
    assert_eq!(refused.status, 403, "{refused:?}");
    assert_clean(&running.stop("TERM"));
}

/// The child is killed when a test fails while it runs.
#[test]
fn a_dropped_guard_kills_the_child() {
    let running = spawn(&["--port", "0"], &[]);
    let (addr, _) = running.started();
    let pid = running.child.id();
    drop(running);
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "the child is gone and reaped"
    );
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "nothing listens on {addr} any more"
    );
}

/// A signal sent the moment the first line appears, while the pool lines are still being
/// printed, stops the command cleanly: the handlers are in place before it says it is up.
#[test]
fn a_signal_right_after_the_first_line_stops_it_cleanly() {
    for signal in ["TERM", "INT", "TERM", "INT"] {
        let running = spawn(
            &[
                "--port",
                "0",
                "--pool-id",
                "us-east-1_Early",
                "--user",
                "a:pw-123456",
            ],
            &[],
        );
        running
            .stdout
            .wait_for("listening on", |line| line.starts_with("listening on "));
        let stopped = running.stop(signal);
        assert_clean(&stopped);
    }
}

/// A caller's values are logged quoted and escaped: a newline in a `ClientId` or `UserPoolId`
/// cannot start a forged log line.
#[test]
fn caller_values_cannot_forge_a_log_line() {
    let running = spawn(&["--port", "0"], &[("RUST_LOG", "info")]);
    let (addr, _) = running.started();
    let forged = "x\nFORGED ERROR admin signed in\r\u{1b}[2K";
    for (operation, body) in [
        (
            "InitiateAuth",
            json!({ "ClientId": forged, "AuthFlow": "USER_SRP_AUTH" }),
        ),
        ("DescribeUserPool", json!({ "UserPoolId": forged })),
        (
            "ListUserPoolClients",
            json!({ "UserPoolId": format!("us-east-1_A{forged}") }),
        ),
        (
            "RevokeToken",
            json!({ "ClientId": forged, "Token": forged }),
        ),
    ] {
        let refused = call(addr, operation, &body);
        assert_eq!(refused.status, 400, "{operation}: {refused:?}");
    }
    let stopped = running.stop("TERM");
    assert_clean(&stopped);
    assert!(
        stopped.stderr.contains("FORGED"),
        "the refusals are logged, or this test proves nothing: {}",
        stopped.stderr
    );
    for line in stopped.stderr.lines() {
        assert!(
            !line.trim_start().starts_with("FORGED"),
            "a forged line: {line:?}"
        );
        assert!(
            !line.contains('\u{1b}') && !line.contains('\r'),
            "raw control: {line:?}"
        );
    }
}

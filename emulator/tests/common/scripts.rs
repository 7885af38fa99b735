//! Running the live interop clients: the pinned pycognito/boto3 and amazon-cognito-identity-js
//! of `emulator/interop/` (and other programs, such as the pinned AWS CLI) as child processes
//! with a clean environment and a deadline, and the emulator's JSON API over `reqwest`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const SETUP_HINT: &str = "run `bash emulator/interop/setup.sh` from the repository root first: it installs the \
     pinned pycognito/boto3 into emulator/interop/.venv and amazon-cognito-identity-js, \
     aws-amplify, the AWS SDK for JavaScript v3 and cognito-srp-helper into \
     emulator/interop/node_modules";

/// A sign-in with a remembered device, as the scripts record it.
pub const DEVICE_SIGN_IN: [&str; 4] = [
    "InitiateAuth USER_SRP_AUTH -> PASSWORD_VERIFIER",
    "RespondToAuthChallenge PASSWORD_VERIFIER -> DEVICE_SRP_AUTH",
    "RespondToAuthChallenge DEVICE_SRP_AUTH -> DEVICE_PASSWORD_VERIFIER",
    "RespondToAuthChallenge DEVICE_PASSWORD_VERIFIER -> AuthenticationResult",
];

/// `emulator/interop/`, where the scripts and their pinned clients are.
pub fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("interop")
}

/// The version pinned for `name` in `interop/requirements.txt`.
pub fn pinned_python(name: &str) -> String {
    let path = interop_dir().join("requirements.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter_map(|line| line.split_once("=="))
        .find(|(package, _)| package.trim().eq_ignore_ascii_case(name))
        .map_or_else(
            || panic!("{name} is not pinned in {}", path.display()),
            |(_, version)| version.trim().to_owned(),
        )
}

/// The version pinned for `name` in `interop/package.json`.
pub fn pinned_npm(name: &str) -> String {
    let path = interop_dir().join("package.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let manifest: Value = serde_json::from_str(&text).unwrap();
    manifest["dependencies"][name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} is not pinned in {}", path.display()))
        .to_owned()
}

/// The interop virtualenv's python (pycognito, boto3); panics when it is not installed.
pub fn python() -> PathBuf {
    let python = interop_dir().join(".venv/bin/python");
    assert!(
        python.is_file(),
        "{} is missing: {SETUP_HINT}",
        python.display()
    );
    python
}

/// `node`, once `interop/node_modules` holds the pinned amazon-cognito-identity-js; panics
/// when it is missing or another version.
pub fn node() -> PathBuf {
    let manifest = interop_dir().join("node_modules/amazon-cognito-identity-js/package.json");
    let Ok(text) = std::fs::read_to_string(&manifest) else {
        panic!("{} is missing: {SETUP_HINT}", manifest.display());
    };
    let installed: Value = serde_json::from_str(&text).unwrap();
    let pinned = pinned_npm("amazon-cognito-identity-js");
    assert!(
        installed["version"] == pinned.as_str(),
        "node_modules has amazon-cognito-identity-js {} but package.json pins {pinned}: {SETUP_HINT}",
        installed["version"]
    );
    PathBuf::from("node")
}

/// Spawns `command`, kills it after `timeout`; returns its exit code (None when killed or
/// signalled), stdout and stderr.
pub fn run_with_timeout(
    mut command: Command,
    timeout: Duration,
) -> Result<(Option<i32>, String, String), String> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start: {e} ({SETUP_HINT}; node must be on PATH)"))?;
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status.code();
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            let (out, err) = (stdout.join().unwrap(), stderr.join().unwrap());
            return Err(format!(
                "timed out after {timeout:?}\n--- stderr ---\n{err}\n--- stdout ---\n{out}"
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Ok((status, stdout.join().unwrap(), stderr.join().unwrap()))
}

/// A command with none of the caller's AWS set-up (profiles, endpoints, keys, region), no
/// instance metadata, no proxy for the loopback, and Python in UTF-8 writing no bytecode.
pub fn clean_command(program: &Path) -> Command {
    let mut command = Command::new(program);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("AWS_") {
            command.env_remove(&name);
        }
    }
    command
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUTF8", "1");
    command
}

/// `program script`, run from `interop/` with a [`clean_command`] environment.
pub fn script_command(program: &Path, script: &str) -> Command {
    let mut command = clean_command(program);
    command.arg(script).current_dir(interop_dir());
    command
}

/// Runs a script's `command` (`what` names it in failures) with a deadline; panics with its
/// output unless it exits 0; returns its last non-empty stdout line as JSON.
pub fn run_script_json(command: Command, what: &str, timeout: Duration) -> Value {
    let (status, stdout, stderr) =
        run_with_timeout(command, timeout).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        status == Some(0),
        "{what} failed (exit status {status:?}) (if the clients are missing or stale: \
         {SETUP_HINT})\n--- stderr ---\n{stderr}\n--- stdout ---\n{stdout}"
    );
    let last = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| {
        panic!("{what}: last stdout line is not JSON ({e}): {last:?}\n{stderr}")
    })
}

/// One call of the emulator's JSON API at `url` (admin operations are not signature-checked
/// locally); returns the HTTP status and the JSON body (a string when it is not JSON).
pub async fn api(url: &str, operation: &str, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{url}/"))
        .header("Content-Type", "application/x-amz-json-1.1")
        .header(
            "X-Amz-Target",
            format!("AWSCognitoIdentityProviderService.{operation}"),
        )
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// [`api`] of an operation that must succeed: the JSON body.
pub async fn api_ok(url: &str, operation: &str, body: Value) -> Value {
    let (status, reply) = api(url, operation, body.clone()).await;
    assert_eq!(status, 200, "{operation} {body}: {reply}");
    reply
}

/// The keys `AdminListDevices` gives for the user (its remembered devices).
pub async fn listed_devices(url: &str, pool_id: &str, username: &str) -> Vec<String> {
    let reply = api_ok(
        url,
        "AdminListDevices",
        json!({"UserPoolId": pool_id, "Username": username}),
    )
    .await;
    reply["Devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["DeviceKey"].as_str().unwrap().to_string())
        .collect()
}

//! The pinned interop clients of `emulator/interop/` (pycognito and boto3 in its `.venv`,
//! the JavaScript clients in its `node_modules`, both installed by its `setup.sh`) and the
//! scripts that drive them: each is told its target through the environment and prints a
//! one-line JSON summary last.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::process::{clean_command, run_with_timeout};

/// What to run when the clients are missing or stale.
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
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../emulator/interop")
}

/// The version pinned for `name` in `requirements.txt`.
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

/// The version pinned for `name` in `package.json`.
pub fn pinned_npm(name: &str) -> String {
    let path = interop_dir().join("package.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let manifest: Value = serde_json::from_str(&text).unwrap();
    manifest["dependencies"][name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} is not pinned in {}", path.display()))
        .to_owned()
}

/// The virtualenv's python (pycognito, boto3); panics when it is not installed.
pub fn python() -> PathBuf {
    let python = interop_dir().join(".venv/bin/python");
    assert!(
        python.is_file(),
        "{} is missing: {SETUP_HINT}",
        python.display()
    );
    python
}

/// `node`, once `node_modules` holds the pinned amazon-cognito-identity-js; panics when it is
/// missing or another version.
pub fn node() -> PathBuf {
    node_with(&[])
}

/// [`node`], once `node_modules` also holds the pinned version of each of `packages`.
pub fn node_with(packages: &[&str]) -> PathBuf {
    for name in ["amazon-cognito-identity-js"].iter().chain(packages) {
        let manifest = interop_dir()
            .join("node_modules")
            .join(name)
            .join("package.json");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            panic!("{} is missing: {SETUP_HINT}", manifest.display());
        };
        let installed: Value = serde_json::from_str(&text).unwrap();
        let pinned = pinned_npm(name);
        assert!(
            installed["version"] == pinned.as_str(),
            "node_modules has {name} {} but package.json pins {pinned}: {SETUP_HINT}",
            installed["version"]
        );
    }
    PathBuf::from("node")
}

/// One pool, app client and user a script signs in to.
#[derive(Clone, Debug)]
pub struct Target {
    /// The emulator's endpoint.
    pub url: String,
    /// The pool.
    pub pool_id: String,
    /// Its app client.
    pub client_id: String,
    /// The app client's secret, if it has one.
    pub client_secret: Option<String>,
    /// A confirmed user of the pool.
    pub username: String,
    /// That user's password.
    pub password: String,
}

impl Target {
    /// `program script`, run from `emulator/interop/` with a [`clean_command`] environment
    /// that names this target: `COGNITO_ENDPOINT`, `POOL_ID`, `CLIENT_ID`, `USERNAME`,
    /// `PASSWORD`, and `CLIENT_SECRET` when the client has one.
    pub fn command(&self, program: &Path, script: &str) -> Command {
        let mut command = clean_command(program);
        command
            .arg(script)
            .current_dir(interop_dir())
            .env("COGNITO_ENDPOINT", &self.url)
            .env("POOL_ID", &self.pool_id)
            .env("CLIENT_ID", &self.client_id)
            .env("USERNAME", &self.username)
            .env("PASSWORD", &self.password);
        match &self.client_secret {
            Some(secret) => command.env("CLIENT_SECRET", secret),
            None => command.env_remove("CLIENT_SECRET"),
        };
        command
    }
}

/// Runs a script's `command` (`what` names it in failures) off the async workers, with
/// `stdin` on its standard input, under `timeout`; panics with its output unless it exits 0;
/// returns its summary, the last non-empty stdout line as JSON, which must say `"ok": true`.
pub async fn run_script(
    command: Command,
    stdin: Option<String>,
    what: String,
    timeout: Duration,
) -> Value {
    tokio::task::spawn_blocking(move || {
        let finished = run_with_timeout(command, stdin.as_deref(), timeout)
            .unwrap_or_else(|e| panic!("{what}: {e} ({SETUP_HINT})"));
        let (stdout, stderr) = (&finished.stdout, &finished.stderr);
        assert!(
            finished.status == Some(0),
            "{what} failed (exit status {:?}) (if the clients are missing or stale: \
             {SETUP_HINT})\n--- stderr ---\n{stderr}\n--- stdout ---\n{stdout}",
            finished.status
        );
        let last = stdout
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default();
        let summary: Value = serde_json::from_str(last).unwrap_or_else(|e| {
            panic!("{what}: last stdout line is not JSON ({e}): {last:?}\n{stderr}")
        });
        assert_eq!(summary["ok"], true, "{what}: {summary}");
        summary
    })
    .await
    .unwrap()
}

/// The summary names the pinned pycognito as its client.
pub fn assert_pinned_pycognito(summary: &Value) {
    assert_eq!(
        summary["client"],
        format!("pycognito {}", pinned_python("pycognito")),
        "{summary}"
    );
}

/// The trace `name` of a script's summary (`"traces": {name: [...]}`): each request it made,
/// as `Operation STEP -> OUTCOME`. A TOTP code is accepted once, so a script may type the next
/// code as a person would; the recorders leave that retry out.
pub fn trace(summary: &Value, name: &str) -> Vec<String> {
    serde_json::from_value(summary["traces"][name].clone())
        .unwrap_or_else(|_| panic!("no trace {name}: {summary}"))
}

//! Child processes (the interop scripts, the AWS CLI) with a clean environment and a
//! deadline, so that neither the machine's AWS set-up nor a hung client decides a test.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What a child process left when it ended by itself.
#[derive(Debug)]
pub struct Finished {
    /// Its exit code; `None` when a signal ended it.
    pub status: Option<i32>,
    /// Its standard output, as UTF-8 (lossy).
    pub stdout: String,
    /// Its standard error, as UTF-8 (lossy).
    pub stderr: String,
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

/// Spawns `command` with `stdin` (or nothing) on its standard input and kills it after
/// `timeout`: what it left, or why it did not start or end.
pub fn run_with_timeout(
    mut command: Command,
    stdin: Option<&str>,
    timeout: Duration,
) -> Result<Finished, String> {
    let program = command.get_program().to_string_lossy().into_owned();
    let mut child = command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // Dropped at the end of this block: the child reads to the end of its input. One that
        // exits before reading has closed the pipe, which is no failure here.
        let _ = pipe.write_all(input.as_bytes());
    }
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
                "{program} timed out after {timeout:?}\n--- stderr ---\n{err}\n--- stdout ---\n{out}"
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Ok(Finished {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    })
}

/// Reads a pipe to its end on a thread of its own, so that a full pipe never stalls the child.
fn drain(mut pipe: Box<dyn Read + Send>) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

//! Where secrets come from: the password from stdin (`--password-stdin`) or a no-echo prompt on
//! the terminal, the app client secret from an environment variable, an MFA code typed on the
//! terminal. Never from an argument, where `ps` and shell history would see it. Each is held in
//! `Zeroizing` and wiped when dropped.

use crate::failure::Failure;
use std::io::{self, BufRead, Read as _, Write};
use zeroize::Zeroizing;

/// The longest line read as a secret, in bytes: Cognito's passwords are at most 256 characters,
/// and a pipe that never sends a newline must not fill the memory.
pub const MAX_LINE: usize = 4 * 1024;

/// One line of `input` without its `\n` or `\r\n`; an empty one is refused, and so is one
/// longer than [`MAX_LINE`].
pub fn read_line_secret(
    input: &mut impl BufRead,
    what: &str,
) -> Result<Zeroizing<String>, Failure> {
    read_line_named(input, what, "InvalidPassword")
}

/// [`read_line_secret`], its failures named `name`.
fn read_line_named(
    input: &mut impl BufRead,
    what: &str,
    name: &str,
) -> Result<Zeroizing<String>, Failure> {
    // The whole room up front: a growing buffer would leave copies of the secret behind.
    let mut line = Zeroizing::new(String::with_capacity(MAX_LINE + 2));
    input
        .take(MAX_LINE as u64 + 2)
        .read_line(&mut line)
        .map_err(|error| Failure::new(name, format!("cannot read {what}: {error}")))?;
    let ended = line.ends_with('\n');
    if line.len() > MAX_LINE + usize::from(ended) + usize::from(line.ends_with("\r\n")) {
        return Err(Failure::new(
            name,
            format!("{what} is longer than {MAX_LINE} bytes"),
        ));
    }
    if line.ends_with('\n') {
        line.pop();
        if line.ends_with('\r') {
            line.pop();
        }
    }
    if line.is_empty() {
        return Err(Failure::new(name, format!("no {what} (one line expected)")));
    }
    Ok(line)
}

/// The password: the first line of stdin, or typed on the terminal without echo.
pub fn password(from_stdin: bool, username: &str) -> Result<Zeroizing<String>, Failure> {
    if from_stdin {
        return read_line_secret(&mut io::stdin().lock(), "password on stdin");
    }
    let typed = rpassword::prompt_password(format!("Password for {username}: "))
        .map(Zeroizing::new)
        .map_err(|error| {
            Failure::new(
                "NoTerminal",
                format!(
                    "cannot ask for the password on the terminal ({error}): use --password-stdin"
                ),
            )
        })?;
    if typed.is_empty() {
        return Err(Failure::new("InvalidPassword", "empty password"));
    }
    // rpassword reads the whole line; a terminal's own line limit keeps it short.
    if typed.len() > MAX_LINE {
        return Err(Failure::new(
            "InvalidPassword",
            format!("the password is longer than {MAX_LINE} bytes"),
        ));
    }
    Ok(typed)
}

/// The value of the environment variable `variable`, which must be set and not empty.
pub fn from_env(variable: &str) -> Result<Zeroizing<String>, Failure> {
    match std::env::var(variable) {
        Ok(value) if !value.is_empty() => Ok(Zeroizing::new(value)),
        Ok(_) => Err(Failure::usage(format!(
            "the environment variable {variable} is empty"
        ))),
        Err(std::env::VarError::NotPresent) => Err(Failure::usage(format!(
            "the environment variable {variable} is not set"
        ))),
        Err(std::env::VarError::NotUnicode(_)) => Err(Failure::usage(format!(
            "the environment variable {variable} is not UTF-8"
        ))),
    }
}

/// Where a token comes from: the first line of stdin, or an environment variable. Tokens are
/// bearer secrets, never arguments.
fn token(stdin: bool, env: Option<&str>, what: &str) -> Result<Zeroizing<String>, Failure> {
    match env {
        Some(variable) => from_env(variable),
        None if stdin => read_line_named(
            &mut io::stdin().lock(),
            &format!("{what} on stdin"),
            "InvalidToken",
        ),
        // clap's group requires one of the two.
        None => Err(Failure::usage(format!(
            "no {what}: give it on stdin or in a variable"
        ))),
    }
}

/// `--access-token-stdin` or `--access-token-env VAR`: the access token of a sign-in.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct AccessTokenArgs {
    /// Read the access token from the first line of stdin.
    #[arg(long)]
    access_token_stdin: bool,
    /// The environment variable holding the access token.
    #[arg(long, value_name = "VAR")]
    access_token_env: Option<String>,
}

impl AccessTokenArgs {
    /// The access token, from where the flags say.
    pub fn read(&self) -> Result<Zeroizing<String>, Failure> {
        token(
            self.access_token_stdin,
            self.access_token_env.as_deref(),
            "access token",
        )
    }
}

/// `--refresh-token-stdin` or `--refresh-token-env VAR`: the refresh token of a sign-in.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct RefreshTokenArgs {
    /// Read the refresh token from the first line of stdin (a file written by
    /// --write-refresh-token is one such line).
    #[arg(long)]
    refresh_token_stdin: bool,
    /// The environment variable holding the refresh token.
    #[arg(long, value_name = "VAR")]
    refresh_token_env: Option<String>,
}

impl RefreshTokenArgs {
    /// The refresh token, from where the flags say.
    pub fn read(&self) -> Result<Zeroizing<String>, Failure> {
        token(
            self.refresh_token_stdin,
            self.refresh_token_env.as_deref(),
            "refresh token",
        )
    }
}

/// Asks on `output` and reads the answer's line from `input`, trimmed.
pub fn ask(
    input: &mut impl BufRead,
    output: &mut impl Write,
    prompt: &str,
) -> Result<Zeroizing<String>, Failure> {
    let no_terminal = |error: io::Error| Failure::new("NoTerminal", format!("cannot ask: {error}"));
    output
        .write_all(prompt.as_bytes())
        .and_then(|()| output.flush())
        .map_err(no_terminal)?;
    let line = read_line_secret(input, "answer")?;
    Ok(Zeroizing::new(line.trim().to_string()))
}

/// Asks on the terminal (`/dev/tty`), so that stdin and stdout stay the caller's pipes. An MFA
/// code is short-lived and typed with echo, as the authenticator app shows it.
pub fn ask_terminal(prompt: &str, why: &str) -> Result<Zeroizing<String>, Failure> {
    let terminal = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|error| {
            Failure::new(
                "NoTerminal",
                format!("{why}, but there is no terminal to ask on: {error}"),
            )
        })?;
    let mut output = &terminal;
    ask(&mut io::BufReader::new(&terminal), &mut output, prompt)
}

/// Writes `text` on the terminal (`/dev/tty`), never stdout or stderr, which a script may keep:
/// for a secret the user must see once, such as a new TOTP secret.
pub fn tell_terminal(text: &str) -> Result<(), Failure> {
    use std::io::Write as _;
    let mut terminal = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/tty")
        .map_err(|error| {
            Failure::new(
                "NoTerminal",
                format!(
                    "the pool asks to set up MFA, but there is no terminal to show it on: {error}"
                ),
            )
        })?;
    terminal
        .write_all(text.as_bytes())
        .map_err(|error| Failure::new("NoTerminal", format!("writing to the terminal: {error}")))
}

/// A new password, typed twice on the terminal without echo.
pub fn new_password() -> Result<Zeroizing<String>, Failure> {
    let prompt = |text: &str| {
        rpassword::prompt_password(text)
            .map(Zeroizing::new)
            .map_err(|error| {
                Failure::new(
                    "NoTerminal",
                    format!("the pool asks for a new password, but it cannot be asked: {error}"),
                )
            })
    };
    let first = prompt("New password: ")?;
    let second = prompt("New password again: ")?;
    if first.is_empty() || *first != *second {
        return Err(Failure::new(
            "InvalidPassword",
            "the two new passwords are empty or differ",
        ));
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_without_its_ending() {
        for input in ["pa ss\n", "pa ss\r\n", "pa ss", "pa ss\nrest\n"] {
            let line = read_line_secret(&mut input.as_bytes(), "password").unwrap();
            assert_eq!(line.as_str(), "pa ss", "{input:?}");
        }
        for input in ["", "\n", "\r\n"] {
            let failure = read_line_secret(&mut input.as_bytes(), "password").unwrap_err();
            assert_eq!(
                failure.to_string(),
                "InvalidPassword: no password (one line expected)"
            );
        }
    }

    #[test]
    fn a_line_is_bounded() {
        let longest = "p".repeat(MAX_LINE);
        for ending in ["", "\n", "\r\n"] {
            let input = format!("{longest}{ending}");
            let line = read_line_secret(&mut input.as_bytes(), "password").unwrap();
            assert_eq!(line.len(), MAX_LINE);
        }
        for input in [
            format!("{longest}p"),
            format!("{longest}p\n"),
            "p".repeat(1 << 20),
        ] {
            let failure = read_line_secret(&mut input.as_bytes(), "password").unwrap_err();
            assert_eq!(
                failure.to_string(),
                "InvalidPassword: password is longer than 4096 bytes"
            );
        }
    }

    #[test]
    fn asks_then_reads_a_trimmed_answer() {
        let mut shown = Vec::new();
        let code = ask(&mut " 123456 \n".as_bytes(), &mut shown, "MFA code: ").unwrap();
        assert_eq!(code.as_str(), "123456");
        assert_eq!(shown, b"MFA code: ");
    }

    #[test]
    fn an_unset_variable_is_named_never_read_out() {
        let failure = from_env("COGNITO_SRP6A_CLI_TEST_SURELY_UNSET").unwrap_err();
        assert_eq!(
            failure.to_string(),
            "InvalidArguments: the environment variable COGNITO_SRP6A_CLI_TEST_SURELY_UNSET is not set"
        );
    }
}

//! `refresh`: new access and ID tokens from a refresh token, by `GetTokensFromRefreshToken`
//! (the SDK's default, which hands back a rotated refresh token) or `REFRESH_TOKEN_AUTH`, with
//! the device the refresh token is bound to. Prints the answer as
//! `aws cognito-idp get-tokens-from-refresh-token` prints it; a rotated refresh token can go to
//! a file instead, replaced atomically with mode 0600.

use crate::{
    authentication::Answer,
    device_file,
    failure::Failure,
    output::{self, OutputArgs},
    pool::AppClientArgs,
    secrets::RefreshTokenArgs,
    service::{self, ServiceArgs},
};
use cognito_srp6a_sdk::{RefreshFlow, Refreshed, Tokens};
use std::{
    fs::OpenOptions,
    io::Write as _,
    path::{Path, PathBuf},
};
use zeroize::Zeroizing;

const EXAMPLE: &str = "\
Examples:

  # Refresh through the remembered device; a rotated refresh token replaces the old one in
  # alice.refresh (mode 0600), and only the new access token is printed:
  cognito-srp6a refresh --pool-id us-east-1_Example --client-id 3n4b5urk1ft4fl3mg5e62d9ado \\
      --device-file ~/.alice.device.json --refresh-token-stdin < ~/.alice.refresh \\
      --write-refresh-token ~/.alice.refresh \\
      --query AuthenticationResult.AccessToken --output text

  # The token from a variable, with a declined device's key, by the older REFRESH_TOKEN_AUTH:
  REFRESH=... cognito-srp6a refresh --pool-id us-east-1_Example \\
      --client-id 3n4b5urk1ft4fl3mg5e62d9ado --refresh-token-env REFRESH \\
      --device-key us-east-1_0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b --flow REFRESH_TOKEN_AUTH

Prints the answer as `aws cognito-idp get-tokens-from-refresh-token` prints it:
{\"AuthenticationResult\": {\"AccessToken\", \"ExpiresIn\", \"TokenType\", \"RefreshToken\",
\"IdToken\"}} (RefreshToken only when the app client rotates refresh tokens; with
REFRESH_TOKEN_AUTH, as `initiate-auth` prints it, with \"ChallengeParameters\"). When the token
rotated, the one given stops working after the app client's grace period: keep the new one
(--write-refresh-token, or the printed answer; stderr says so). Exits 252 bad arguments, 253 bad
configuration, 254 the service refused (e.g. RefreshTokenReuseException), 255 anything else.";

/// Refreshes the tokens of a sign-in; prints them as the AWS CLI does.
// No secret here: the refresh token and the client secret never come from arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLE)]
pub struct Args {
    #[command(flatten)]
    app: AppClientArgs,
    #[command(flatten)]
    refresh_token: RefreshTokenArgs,
    /// The device file of the device the sign-in went through: its DeviceKey is sent (a pool
    /// that tracks devices refuses the refresh without it).
    #[arg(long, value_name = "FILE", conflicts_with = "device_key")]
    device_file: Option<PathBuf>,
    /// The device key the sign-in went through or was issued (NewDeviceMetadata.DeviceKey; a
    /// declined device's key works too).
    #[arg(long, value_name = "KEY")]
    device_key: Option<String>,
    /// GetTokensFromRefreshToken (rotation-aware), or the older InitiateAuth
    /// REFRESH_TOKEN_AUTH, which an app client that rotates refresh tokens refuses.
    #[arg(long, value_name = "FLOW", default_value = "GET_TOKENS_FROM_REFRESH_TOKEN",
          value_parser = ["GET_TOKENS_FROM_REFRESH_TOKEN", "REFRESH_TOKEN_AUTH"])]
    flow: String,
    /// The user name: REFRESH_TOKEN_AUTH hashes it into SECRET_HASH when the client has a secret.
    #[arg(long, value_name = "NAME")]
    username: Option<String>,
    /// When the service rotates the refresh token, write the new one to FILE (one line, mode
    /// 0600, replacing the file atomically) and leave it out of the printed answer. A refresh
    /// that did not rotate leaves FILE alone: the token given stays valid.
    #[arg(long, value_name = "FILE")]
    write_refresh_token: Option<PathBuf>,
    #[command(flatten)]
    service: ServiceArgs,
    #[command(flatten)]
    output: OutputArgs,
}

/// Runs the subcommand: local checks, the configuration and the token first, then the call.
pub fn run(args: &Args) -> Result<(), Failure> {
    let region = args.app.region()?;
    let flow = match args.flow.as_str() {
        "REFRESH_TOKEN_AUTH" => RefreshFlow::RefreshTokenAuth,
        _ => RefreshFlow::GetTokensFromRefreshToken,
    };
    if flow == RefreshFlow::RefreshTokenAuth
        && args.app.client_secret_env.is_some()
        && args.username.is_none()
    {
        return Err(Failure::usage(
            "--flow REFRESH_TOKEN_AUTH with a client secret needs --username (for SECRET_HASH)",
        ));
    }
    let client_secret = args.app.secret()?;
    let device_key =
        device_file::device_key(args.device_file.as_deref(), args.device_key.as_deref())?;
    let runtime = service::runtime()?;
    let service = runtime.block_on(args.service.client(region))?;
    let refresh_token = args.refresh_token.read()?;
    let client = args.app.client(service, client_secret.as_ref())?;
    let mut request = client
        .refresh(&refresh_token)
        .set_device_key(device_key.as_deref().map(String::as_str))
        .flow(flow);
    if let Some(username) = &args.username {
        request = request.username(username);
    }
    let refreshed = runtime.block_on(request.send())?;
    let rotated = matches!(refreshed, Refreshed::Rotated(_));
    let tokens = refreshed.tokens();
    let written = match (&args.write_refresh_token, rotated, &tokens.refresh_token) {
        (Some(path), true, Some(new)) => {
            write_token(path, new)?;
            true
        }
        _ => false,
    };
    let printed = render(args, flow, tokens, written)?;
    if rotated && !written {
        eprintln!(
            "RefreshTokenRotated: the service rotated the refresh token; the new one is \
             AuthenticationResult.RefreshToken of the answer, and the one given stops working \
             after the app client's grace period."
        );
    }
    output::to_stdout(&printed)
}

/// What the AWS CLI prints for this refresh, after `--query` and `--output`; without the
/// refresh token when it went to a file.
fn render(
    args: &Args,
    flow: RefreshFlow,
    tokens: &Tokens,
    written: bool,
) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let answer = Answer::new(tokens, flow == RefreshFlow::RefreshTokenAuth);
    let answer = if written {
        answer.without_refresh_token()
    } else {
        answer
    };
    args.output.render(&answer)
}

/// Writes `token` and a newline to `path`, mode 0600, replacing what was there atomically: a
/// new file beside it, synced, then renamed over it. A failure leaves the old file whole.
fn write_token(path: &Path, token: &str) -> Result<(), Failure> {
    let failed = |what: &str, error: std::io::Error| {
        Failure::new(
            "RefreshTokenFileError",
            format!(
                "{what} {}: {error}; the new refresh token is lost and the old one stops \
                 working after the grace period: sign in again",
                path.display()
            ),
        )
    };
    let name = path
        .file_name()
        .ok_or_else(|| failed("no file name in", std::io::ErrorKind::InvalidInput.into()))?;
    let mut temporary_name = std::ffi::OsString::from(".");
    temporary_name.push(name);
    temporary_name.push(format!(
        ".{}.{:016x}.tmp",
        std::process::id(),
        rand::random::<u64>()
    ));
    let temporary = path.with_file_name(temporary_name);
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&temporary)
        .map_err(|error| failed("cannot create a file beside", error))?;
    let mut line = Zeroizing::new(Vec::with_capacity(token.len() + 1));
    line.extend_from_slice(token.as_bytes());
    line.push(b'\n');
    let result = file
        .write_all(&line)
        .and_then(|()| file.sync_all())
        .map_err(|error| failed("cannot write beside", error))
        .and_then(|()| {
            std::fs::rename(&temporary, path).map_err(|error| failed("cannot replace", error))
        });
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        refresh: Args,
    }

    fn args(extra: &[&str]) -> Result<Args, clap::Error> {
        let base = ["refresh", "--pool-id", "eu-west-3_Pool", "--client-id", "c"];
        Cli::try_parse_from(base.iter().chain(extra)).map(|cli| cli.refresh)
    }

    #[test]
    fn the_token_comes_from_stdin_or_a_variable_never_an_argument() {
        assert!(args(&[]).is_err());
        assert!(args(&["--refresh-token-stdin"]).is_ok());
        assert!(args(&["--refresh-token-env", "R"]).is_ok());
        assert!(args(&["--refresh-token-stdin", "--refresh-token-env", "R"]).is_err());
        assert!(args(&["--refresh-token", "eyJ"]).is_err());
        assert!(
            args(&[
                "--refresh-token-stdin",
                "--device-file",
                "f",
                "--device-key",
                "k"
            ])
            .is_err()
        );
    }

    #[test]
    fn the_token_file_is_replaced_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("refresh");
        std::fs::write(&path, "old\n").unwrap();
        write_token(&path, "new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}

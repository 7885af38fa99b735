//! `cognito-srp6a`: Amazon Cognito's SRP from the command line. `login` signs in with
//! `USER_SRP_AUTH` (and a remembered device), `refresh`, `sign-out`, `list-devices` and
//! `forget-device` carry on from its tokens, `device-verifier` computes what
//! `aws cognito-idp confirm-device` takes, `secret-hash` the `SECRET_HASH`, and `validate`
//! checks another implementation's vector files. One module per subcommand; the protocol lives
//! in `cognito-srp6a` and the calls in `cognito-srp6a-sdk`.
#![forbid(unsafe_code)]
// The argument structs' doc comments are clap's `--help` text, read in a terminal: there
// `<region>_<name>` is what the user types, not an HTML tag.
#![allow(rustdoc::invalid_html_tags)]

mod answer_limit;
mod authentication;
mod device_file;
mod device_verifier;
mod failure;
mod forget_device;
mod list_devices;
mod login;
mod output;
mod pool;
mod refresh;
mod secret_hash;
mod secrets;
mod service;
mod sign_out;
mod terminal;
mod text;
mod validate;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Amazon Cognito SRP-6a from the command line: USER_SRP_AUTH sign-in, its tokens refreshed and
/// revoked, remembered devices listed and forgotten, the DeviceSecretVerifierConfig for `aws cognito-idp confirm-device`, SECRET_HASH, and a
/// checker for other SRP implementations' vectors.
///
/// Secrets never go in arguments: passwords come from stdin or a prompt without echo, client
/// secrets from an environment variable, refresh and access tokens from stdin or a variable. `cognito-srp6a <COMMAND> --help` shows an example.
#[derive(Debug, Parser)]
#[command(name = "cognito-srp6a", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sign in with USER_SRP_AUTH (and a remembered device); print the tokens as the AWS CLI does.
    Login(login::Args),
    /// Refresh the tokens of a sign-in (GetTokensFromRefreshToken); keep a rotated refresh token.
    Refresh(refresh::Args),
    /// Sign the user out of every device (GlobalSignOut).
    SignOut(sign_out::Args),
    /// List the user's remembered devices (ListDevices, every page).
    ListDevices(list_devices::Args),
    /// Make the service forget a remembered device (ForgetDevice).
    ForgetDevice(forget_device::Args),
    /// Draw a device password and salt, write the device file, print the verifier config.
    DeviceVerifier(device_verifier::Args),
    /// Print the SECRET_HASH of a user name for an app client with a secret.
    SecretHash(secret_hash::Args),
    /// Check SRP vector files against this implementation: `N passed, M failed`.
    Validate(validate::Args),
}

/// Makes the process non-dumpable (Linux): no core file, and no `ptrace` attach or
/// `/proc/PID/mem` read by other processes of the same user, while it holds a password, a
/// device password or tokens. Every subcommand but `validate` holds one of them.
fn not_dumpable() {
    #[cfg(target_os = "linux")]
    if let Err(error) =
        rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)
    {
        eprintln!("warning: cannot make the process non-dumpable: {error}");
    }
}

fn main() -> ExitCode {
    not_dumpable();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return clap_exit(&error),
    };
    let result = match &cli.command {
        Command::Login(args) => login::run(args),
        Command::Refresh(args) => refresh::run(args),
        Command::SignOut(args) => sign_out::run(args),
        Command::ListDevices(args) => list_devices::run(args),
        Command::ForgetDevice(args) => forget_device::run(args),
        Command::DeviceVerifier(args) => device_verifier::run(args),
        Command::SecretHash(args) => secret_hash::run(args),
        Command::Validate(args) => return validate::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{failure}");
            failure.exit_code()
        }
    }
}

/// clap's own exits, with the AWS CLI's status: `--help` and `--version` print on stdout and
/// exit 0; a usage error prints clap's message on stderr and exits 252.
fn clap_exit(error: &clap::Error) -> ExitCode {
    // Nothing useful is left to do if the terminal is gone.
    let _ = error.print();
    if error.use_stderr() {
        ExitCode::from(failure::Exit::Usage.code())
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn the_process_is_not_dumpable() {
        not_dumpable();
        assert_eq!(
            rustix::process::dumpable_behavior().unwrap(),
            rustix::process::DumpableBehavior::NotDumpable
        );
    }

    #[test]
    fn the_command_line_is_well_formed() {
        <Cli as clap::CommandFactory>::command().debug_assert();
    }

    #[test]
    fn usage_errors_exit_252_and_help_0() {
        let missing =
            Cli::try_parse_from(["cognito-srp6a", "login", "--pool-id", "p"]).unwrap_err();
        assert!(missing.use_stderr());
        let help = Cli::try_parse_from(["cognito-srp6a", "login", "--help"]).unwrap_err();
        assert!(!help.use_stderr());
        let version = Cli::try_parse_from(["cognito-srp6a", "--version"]).unwrap_err();
        assert!(!version.use_stderr());
    }
}

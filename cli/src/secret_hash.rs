//! `secret-hash`: the `SECRET_HASH` an app client with a secret must send,
//! base64(HMAC-SHA256(client secret, username + client id)), for `aws cognito-idp
//! initiate-auth --auth-parameters ...,SECRET_HASH=...` and the like.

use crate::{failure::Failure, secrets};
use cognito_srp6a::AppClient;
use std::io::Write as _;

const EXAMPLE: &str = "\
Example:

  export CLIENT_SECRET='...'          # from the app client's settings
  cognito-srp6a secret-hash --client-id 3n4b5urk1ft4fl3mg5e62d9ado \\
      --client-secret-env CLIENT_SECRET --username alice
  # prints e.g. rH4Av0dYk6KsZ7qOcsZJdpnqrY9CcWpx5fWD4TWpU1A=

After the first step of a sign-in, Cognito hashes over USER_ID_FOR_SRP, not the alias the user
typed: pass that as --username for the challenge answers.";

/// Prints the SECRET_HASH of a user name for an app client with a secret.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLE)]
pub struct Args {
    /// The app client id.
    #[arg(long, value_name = "ID")]
    client_id: String,
    /// The environment variable that holds the app client secret (never pass it as an argument).
    #[arg(long, value_name = "VAR")]
    client_secret_env: String,
    /// The user name the hash is over.
    #[arg(long, value_name = "NAME")]
    username: String,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<(), Failure> {
    let secret = secrets::from_env(&args.client_secret_env)?;
    let client = AppClient::new(&args.client_id, &secret);
    let hash = client.secret_hash(&args.username);
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", hash.as_str())
        .and_then(|()| stdout.flush())
        .map_err(|error| Failure::new("OutputError", format!("cannot write stdout: {error}")))
}

//! `sign-out`: `GlobalSignOut` with a sign-in's access token: every token of the user, on
//! every device, stops working. Prints nothing on success, as `aws cognito-idp
//! global-sign-out` prints nothing.

use crate::{failure::Failure, pool::TokenCallArgs};

const EXAMPLE: &str = "\
Examples:

  # Sign alice out everywhere with the access token of a sign-in:
  cognito-srp6a login --pool-id us-east-1_Example --client-id 3n4b5urk1ft4fl3mg5e62d9ado \\
      --username alice --query AuthenticationResult.AccessToken --output text \\
    | cognito-srp6a sign-out --pool-id us-east-1_Example --access-token-stdin

  # The token from a variable:
  ACCESS=... cognito-srp6a sign-out --pool-id us-east-1_Example --access-token-env ACCESS

Prints nothing on success; refresh tokens of the user are refused afterwards (\"Refresh Token
has been revoked\"). Exits 252 bad arguments, 253 bad configuration, 254 the service refused
(e.g. NotAuthorizedException for a revoked or expired token), 255 anything else.";

/// Signs the user out of every device (GlobalSignOut).
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLE)]
pub struct Args {
    #[command(flatten)]
    call: TokenCallArgs,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<(), Failure> {
    args.call
        .call(async |client, token| client.sign_out(token).await)
}

//! `login`: a `USER_SRP_AUTH` sign-in through `cognito-srp6a-sdk` (`docs/protocol.md`, "Wire
//! flow"), with a remembered device's `DEVICE_SRP_AUTH` / `DEVICE_PASSWORD_VERIFIER` when a device
//! file is given, or remembering the new device into one. Prints the final answer as
//! `aws cognito-idp initiate-auth` / `respond-to-auth-challenge` print it.

use crate::{
    authentication::Answer,
    device_file,
    failure::Failure,
    output::{self, OutputArgs},
    pool::AppClientArgs,
    secrets,
    service::{self, ServiceArgs},
    terminal::escape_control,
};
use cognito_srp6a_sdk::{AuthFlow, CognitoSrpClient, MfaType, SignIn, SignedIn, StoredDevice};
use std::path::PathBuf;
use zeroize::Zeroizing;

const EXAMPLE: &str = "\
Examples:

  # Sign in and remember this machine as a device (the password is asked without echo):
  cognito-srp6a login --pool-id us-east-1_Example --client-id 3n4b5urk1ft4fl3mg5e62d9ado \\
      --username alice --device-file ~/.alice.device.json --remember-device

  # Later sign-ins go through the device's DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER
  # (here the password comes from a pipe, and only the access token is kept):
  pass show cognito/alice | cognito-srp6a login --pool-id us-east-1_Example \\
      --client-id 3n4b5urk1ft4fl3mg5e62d9ado --username alice --password-stdin \\
      --device-file ~/.alice.device.json \\
      --query AuthenticationResult.AccessToken --output text

  # Against a local emulator named in the profile `local` of ~/.aws/config
  # ([profile local] with region = us-east-1 and endpoint_url = http://127.0.0.1:9229):
  cognito-srp6a login --profile local --pool-id us-east-1_Example \\
      --client-id 3n4b5urk1ft4fl3mg5e62d9ado --username alice

Prints the final answer as `aws cognito-idp initiate-auth` prints it: {\"ChallengeParameters\",
\"AuthenticationResult\": {\"AccessToken\", \"ExpiresIn\", \"TokenType\", \"RefreshToken\",
\"IdToken\", \"NewDeviceMetadata\"}}. An MFA code is asked on the terminal. On failure prints
`<ErrorName>: <message>` (the service's, e.g. `NotAuthorizedException: Incorrect username or
password.`) on stderr and exits as the AWS CLI does: 252 bad arguments, 253 bad configuration,
254 the service refused, 255 anything else.";

/// Signs a user in with USER_SRP_AUTH and prints the tokens as the AWS CLI does; with a device
/// file, through the remembered device.
// No secret here: the password and the client secret never come from arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLE)]
pub struct Args {
    #[command(flatten)]
    app: AppClientArgs,
    /// The user name (or an alias the pool accepts, such as the email address).
    #[arg(long, value_name = "NAME")]
    username: String,
    /// Read the password from the first line of stdin instead of asking on the terminal.
    #[arg(long)]
    password_stdin: bool,
    #[command(flatten)]
    service: ServiceArgs,
    #[command(flatten)]
    output: OutputArgs,
    /// A device file: sign in through the device in it; with --remember-device, created
    /// (mode 0600) with the device this sign-in is issued if it does not exist yet.
    #[arg(long, value_name = "FILE")]
    device_file: Option<PathBuf>,
    /// Remember the new device (ConfirmDevice, and UpdateDeviceStatus when the pool asks the
    /// user) into --device-file, when that file does not exist yet.
    #[arg(long, requires = "device_file")]
    remember_device: bool,
    /// The device's name in ConfirmDevice (DeviceName), with --remember-device.
    #[arg(long, value_name = "NAME", requires = "remember_device")]
    device_name: Option<String>,
    /// USER_SRP_AUTH, or USER_AUTH (choice-based sign-in, PASSWORD_SRP preferred); the
    /// password is proved, never sent, either way.
    #[arg(long, value_name = "FLOW", default_value = "USER_SRP_AUTH", value_parser = ["USER_SRP_AUTH", "USER_AUTH"])]
    auth_flow: String,
    /// Say on stderr the region, which challenges were answered and what became of the
    /// device file.
    #[arg(long, short)]
    verbose: bool,
}

/// What the AWS CLI prints for this finished sign-in, after `--query` and `--output`.
fn render(args: &Args, signed_in: &SignedIn) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let answer =
        Answer::new(&signed_in.tokens, true).new_device(signed_in.new_device_metadata.as_ref());
    args.output.render(&answer)
}

/// Runs the subcommand: local checks, the configuration and the password first, then the calls.
pub fn run(args: &Args) -> Result<(), Failure> {
    let pool_region = args.app.region()?;
    let client_secret = args.app.secret()?;
    let device = match &args.device_file {
        Some(path) => match device_file::read(path)? {
            Some(device) => Some(device),
            None if args.remember_device => None,
            None => {
                return Err(Failure::new(
                    "DeviceFileError",
                    format!(
                        "{} does not exist; add --remember-device to remember this device into it",
                        path.display()
                    ),
                ));
            }
        },
        None => None,
    };
    let runtime = service::runtime()?;
    let service = runtime.block_on(args.service.client(pool_region))?;
    if args.verbose {
        eprintln!("region: {}", escape_control(service.region.as_ref()));
    }
    let password = secrets::password(args.password_stdin, &args.username)?;
    let client = args.app.client(service, client_secret.as_ref())?;
    let printed = runtime.block_on(async {
        match (&args.device_file, device) {
            (Some(path), None) => remember(args, &client, &password, path).await,
            (path, device) => {
                let signed_in = sign_in(&client, args, &password, device.as_ref()).await?;
                if let (Some(path), Some(device), true) =
                    (path, &device, signed_in.device_forgotten)
                {
                    eprintln!(
                        "DeviceForgotten: the service no longer knows device {}; signed in \
                         without it. {} is left as it is: delete it and sign in with \
                         --remember-device to remember this device again.",
                        escape_control(&device.device_key),
                        path.display()
                    );
                }
                report(args, &signed_in, None);
                render(args, &signed_in)
            }
        }
    })?;
    output::to_stdout(&printed)
}

/// No device file yet: a password sign-in, then the device it was issued is confirmed and
/// written to a new file. The file is created before the first call, so a path that cannot be
/// written costs no device key, and is removed again if anything after fails.
async fn remember(
    args: &Args,
    client: &CognitoSrpClient,
    password: &str,
    path: &std::path::Path,
) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let mut file = device_file::create(path)?;
    let result = async {
        let signed_in = sign_in(client, args, password, None).await?;
        // Before ConfirmDevice: a --query that fails on this answer must cost no device.
        let printed = render(args, &signed_in)?;
        let metadata = signed_in.new_device_metadata.as_ref().ok_or_else(|| {
            Failure::new(
                "NoNewDeviceMetadata",
                "the service issued no device key with the tokens: does the pool remember devices?",
            )
        })?;
        let device = client.remember_device(&signed_in.tokens.access_token, metadata);
        let device = match args.device_name.as_deref() {
            Some(name) => device.device_name(name),
            None => device,
        }
        .send()
        .await?;
        device_file::write(&mut file, path, &device)?;
        report(args, &signed_in, Some(&device));
        Ok(printed)
    }
    .await;
    if result.is_err() {
        device_file::remove_created(&file, path);
    }
    result
}

/// The sign-in to its end, asking on the terminal whatever the pool asks the user.
async fn sign_in(
    client: &CognitoSrpClient,
    args: &Args,
    password: &str,
    device: Option<&StoredDevice>,
) -> Result<SignedIn, Failure> {
    let flow = match args.auth_flow.as_str() {
        "USER_AUTH" => AuthFlow::UserAuth,
        _ => AuthFlow::UserSrp,
    };
    let mut step = client
        .sign_in(&args.username, password)
        .set_device(device)
        .auth_flow(flow)
        .send()
        .await?;
    loop {
        step = match step {
            SignIn::SignedIn(signed_in) => return Ok(signed_in),
            SignIn::SoftwareTokenMfa(mfa) => {
                let code = secrets::ask_terminal(
                    "MFA code from your authenticator app: ",
                    "the pool asks for SOFTWARE_TOKEN_MFA",
                )?;
                mfa.answer(&code).await?
            }
            SignIn::SmsMfa(mfa) => {
                let destination = mfa
                    .parameters()
                    .get("CODE_DELIVERY_DESTINATION")
                    .map_or("your phone", String::as_str);
                let code = secrets::ask_terminal(
                    &format!("MFA code sent to {}: ", escape_control(destination)),
                    "the pool asks for SMS_MFA",
                )?;
                mfa.answer(&code).await?
            }
            SignIn::SelectMfaType(select) => {
                let choice = secrets::ask_terminal(
                    "Second factor, SOFTWARE_TOKEN_MFA or SMS_MFA: ",
                    "the pool asks to choose an MFA type",
                )?;
                let mfa = match choice.to_ascii_uppercase().as_str() {
                    "SMS_MFA" | "SMS" => MfaType::Sms,
                    "SOFTWARE_TOKEN_MFA" | "TOTP" | "APP" => MfaType::SoftwareToken,
                    _ => return Err(Failure::usage("answer SOFTWARE_TOKEN_MFA or SMS_MFA")),
                };
                select.choose(mfa).await?
            }
            SignIn::NewPasswordRequired(new) => new.answer(&secrets::new_password()?).await?,
            SignIn::SelectChallenge(choice) => choice.password_srp().await?,
            SignIn::MfaSetup(setup) => {
                let (secret, verify) = setup.associate().await?;
                // On the terminal only, never stdout: the secret makes codes.
                secrets::tell_terminal(&format!(
                    "The pool requires MFA. Add this secret to your authenticator app: {}\n",
                    escape_control(secret.expose())
                ))?;
                let code = secrets::ask_terminal(
                    "MFA code from your authenticator app: ",
                    "the pool asks for MFA_SETUP",
                )?;
                verify.verify(&code).await?
            }
            _ => {
                return Err(Failure::new(
                    "UnsupportedChallenge",
                    "the pool asks for a challenge this tool does not answer",
                ));
            }
        };
    }
}

/// With --verbose: the challenges answered and the device file written, on stderr.
fn report(args: &Args, signed_in: &SignedIn, remembered: Option<&StoredDevice>) {
    if !args.verbose {
        return;
    }
    eprintln!(
        "challenges: {}",
        escape_control(&signed_in.challenges.join(" "))
    );
    if let (Some(device), Some(path)) = (remembered, &args.device_file) {
        eprintln!(
            "remembered device {} into {}",
            escape_control(&device.device_key),
            path.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        login: Args,
    }

    fn args(extra: &[&str]) -> Result<Args, clap::Error> {
        let base = [
            "login",
            "--pool-id",
            "eu-west-3_Pool",
            "--client-id",
            "c",
            "--username",
            "u",
        ];
        Cli::try_parse_from(base.iter().chain(extra)).map(|cli| cli.login)
    }

    #[test]
    fn the_service_flags_are_taken() {
        assert!(args(&["--region", "us-east-1", "--profile", "p"]).is_ok());
    }

    #[test]
    fn remember_device_needs_a_device_file() {
        assert!(args(&["--remember-device"]).is_err());
        assert!(args(&["--remember-device", "--device-file", "f"]).is_ok());
        assert!(args(&["--device-name", "laptop", "--device-file", "f"]).is_err());
    }

    #[test]
    fn no_password_argument_exists() {
        assert!(args(&["--password", "hunter2"]).is_err());
        assert!(args(&["--client-secret", "s"]).is_err());
    }
}

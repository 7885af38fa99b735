//! `forget-device`: `ForgetDevice` with a sign-in's access token: the service forgets a
//! remembered device, whose device file then signs in as nothing.

use crate::{device_file, failure::Failure, pool::TokenCallArgs, terminal::escape_control};
use std::path::PathBuf;

const EXAMPLE: &str = "\
Examples:

  # Forget the device of a device file (the file is left; delete it afterwards):
  printf '%s\\n' \"$ACCESS\" | cognito-srp6a forget-device --pool-id us-east-1_Example \\
      --access-token-stdin --device-file ~/.alice.device.json

  # A device listed by list-devices, by its key, the token from a variable:
  ACCESS=... cognito-srp6a forget-device --pool-id us-east-1_Example --access-token-env ACCESS \\
      --device-key us-east-1_0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b

Prints nothing on success. Exits 252 bad arguments, 253 bad configuration, 254 the service
refused (e.g. ResourceNotFoundException for a device it does not know), 255 anything else.";

/// Makes the service forget a remembered device (ForgetDevice).
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLE)]
#[group(id = "device", required = true, multiple = false, args = ["device_key", "device_file"])]
pub struct Args {
    #[command(flatten)]
    call: TokenCallArgs,
    /// The device's key (DeviceKey, as list-devices prints it).
    #[arg(long, value_name = "KEY")]
    device_key: Option<String>,
    /// A device file: forget its device. The file is left as it is; delete it afterwards.
    #[arg(long, value_name = "FILE")]
    device_file: Option<PathBuf>,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<(), Failure> {
    let device_key =
        device_file::device_key(args.device_file.as_deref(), args.device_key.as_deref())?
            .ok_or_else(|| Failure::usage("give --device-key or --device-file"))?;
    args.call
        .call(async |client, token| client.forget_device(token, &device_key).await)?;
    if let Some(path) = &args.device_file {
        eprintln!(
            "forgot device {}; {} signs in as nothing now and can be deleted",
            escape_control(&device_key),
            path.display()
        );
    }
    Ok(())
}

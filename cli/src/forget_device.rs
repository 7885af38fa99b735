//! `forget-device`: `ForgetDevice` with a sign-in's access token: the service forgets a
//! remembered device, whose device file then signs in as nothing.

use crate::{
    device_file,
    failure::Failure,
    login::pool_region,
    secrets::AccessTokenArgs,
    service::{self, ServiceArgs},
    terminal::escape_control,
};
use std::path::PathBuf;
use zeroize::Zeroizing;

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
    /// The user pool id, <region>_<name> (its region is the last resort for the region).
    #[arg(long, value_name = "ID")]
    pool_id: String,
    #[command(flatten)]
    access_token: AccessTokenArgs,
    /// The device's key (DeviceKey, as list-devices prints it).
    #[arg(long, value_name = "KEY")]
    device_key: Option<String>,
    /// A device file: forget its device. The file is left as it is; delete it afterwards.
    #[arg(long, value_name = "FILE")]
    device_file: Option<PathBuf>,
    #[command(flatten)]
    service: ServiceArgs,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<(), Failure> {
    let region = pool_region(&args.pool_id)?;
    let device_key = match (&args.device_file, &args.device_key) {
        (Some(path), _) => Zeroizing::new(
            device_file::read(path)?
                .ok_or_else(|| {
                    Failure::new(
                        "DeviceFileError",
                        format!("{} does not exist", path.display()),
                    )
                })?
                .device_key
                .clone(),
        ),
        (None, Some(key)) => Zeroizing::new(key.clone()),
        (None, None) => return Err(Failure::usage("give --device-key or --device-file")),
    };
    let runtime = service::runtime()?;
    let service = runtime.block_on(args.service.client(region))?;
    let token = args.access_token.read()?;
    let client = service::token_client(service, &args.pool_id)?;
    runtime.block_on(client.forget_device(&token, &device_key))?;
    if let Some(path) = &args.device_file {
        eprintln!(
            "forgot device {}; {} signs in as nothing now and can be deleted",
            escape_control(&device_key),
            path.display()
        );
    }
    Ok(())
}

//! `device-verifier`: what `aws cognito-idp confirm-device --device-secret-verifier-config`
//! takes, for a device key a sign-in returned in `NewDeviceMetadata` (`docs/protocol.md`,
//! "Device registration"). Draws the device password and salt, writes the device file first, then
//! prints `PasswordVerifier=...,Salt=...`.

use crate::{
    device_file,
    failure::Failure,
    output::{self, Query},
};
use clap::ValueEnum;
use cognito_srp6a::{DeviceRegistration, DeviceSecretVerifierConfig};
use cognito_srp6a_sdk::StoredDevice;
use serde::Serialize;
use std::path::PathBuf;

const EXAMPLE: &str = "\
Example, after a sign-in whose output had NewDeviceMetadata:

  config=$(cognito-srp6a device-verifier --device-group-key -Xy12AbCd \\
      --device-key us-east-1_0f1e2d3c-4b5a-6c7d-8e9f-0a1b2c3d4e5f --device-file alice.device.json)
  echo \"$config\"    # PasswordVerifier=kx0C...2w,Salt=mXQ1...Bg==
  aws cognito-idp confirm-device --access-token \"$ACCESS_TOKEN\" \\
      --device-key us-east-1_0f1e2d3c-4b5a-6c7d-8e9f-0a1b2c3d4e5f \\
      --device-secret-verifier-config \"$config\"

then `cognito-srp6a login ... --device-file alice.device.json` signs in through the device.";

/// Draws a device password and salt for a device key, writes them to a new device file
/// (mode 0600, never overwriting one) and prints the DeviceSecretVerifierConfig that
/// `aws cognito-idp confirm-device` takes.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLE)]
pub struct Args {
    /// NewDeviceMetadata.DeviceGroupKey of the sign-in.
    #[arg(long, value_name = "KEY", allow_hyphen_values = true)]
    device_group_key: String,
    /// NewDeviceMetadata.DeviceKey of the sign-in, <region>_<uuid>.
    #[arg(long, value_name = "KEY", allow_hyphen_values = true)]
    device_key: String,
    /// The device file to create: {"DeviceGroupKey", "DeviceKey", "DevicePassword"}.
    #[arg(long, value_name = "FILE")]
    device_file: PathBuf,
    /// `shorthand`: PasswordVerifier=...,Salt=... ; `json`: {"PasswordVerifier": ..., "Salt": ...};
    /// `text`: the two values tab-separated, as the AWS CLI's text output.
    #[arg(long, value_enum, default_value_t = Format::Shorthand)]
    output: Format,
    /// A JMESPath expression applied to {"PasswordVerifier", "Salt"} (with --output json or
    /// text), e.g. Salt.
    #[arg(long, value_name = "JMESPATH")]
    query: Option<Query>,
}

/// How the config is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The AWS CLI's shorthand syntax.
    Shorthand,
    /// The AWS CLI's JSON syntax.
    Json,
    /// The AWS CLI's text output.
    Text,
}

/// `DeviceSecretVerifierConfig` in the API's member names.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Config<'a> {
    password_verifier: &'a str,
    salt: &'a str,
}

/// The config as `--device-secret-verifier-config` takes it, with its final newline; `query`
/// applies to the AWS CLI's forms (`run` refuses it with the shorthand).
fn render(
    config: &DeviceSecretVerifierConfig,
    format: Format,
    query: Option<&Query>,
) -> Result<Vec<u8>, Failure> {
    let as_aws_cli = |format| {
        let config = Config {
            password_verifier: config.password_verifier(),
            salt: config.salt(),
        };
        output::render(&config, query, format).map(|text| text.to_vec())
    };
    match format {
        Format::Json => as_aws_cli(output::Format::Json),
        Format::Text => as_aws_cli(output::Format::Text),
        Format::Shorthand => Ok(format!(
            "PasswordVerifier={},Salt={}\n",
            config.password_verifier(),
            config.salt()
        )
        .into_bytes()),
    }
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<(), Failure> {
    if args.device_group_key.is_empty() || args.device_key.is_empty() {
        return Err(Failure::usage(
            "--device-group-key and --device-key must not be empty",
        ));
    }
    if args.query.is_some() && args.output == Format::Shorthand {
        return Err(Failure::usage(
            "--query applies to --output json or text, not the shorthand",
        ));
    }
    // The file first: an existing one is refused before anything is drawn or printed.
    let mut file = device_file::create(&args.device_file)?;
    let registration =
        DeviceRegistration::generate(&args.device_group_key, &args.device_key, &mut rand::rng());
    let device = StoredDevice {
        device_group_key: args.device_group_key.clone(),
        device_key: args.device_key.clone(),
        device_password: registration.device_password.as_str().to_string(),
    };
    let printed = device_file::write(&mut file, &args.device_file, &device).and_then(|()| {
        render(
            &registration.device_secret_verifier_config,
            args.output,
            args.query.as_ref(),
        )
    });
    let printed = match printed {
        Ok(printed) => printed,
        Err(failure) => {
            device_file::remove_created(&file, &args.device_file);
            return Err(failure);
        }
    };
    output::to_stdout(&printed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same verifier and salt in every form (cli/tests/offline.rs checks them against the
    /// service side through the binary).
    #[test]
    fn every_form_carries_the_same_verifier_and_salt() {
        let registration =
            DeviceRegistration::generate("-Xy12", "us-east-1_0f1e", &mut rand::rng());
        let config = &registration.device_secret_verifier_config;
        let shorthand =
            String::from_utf8(render(config, Format::Shorthand, None).unwrap()).unwrap();
        let (verifier, salt) = shorthand
            .trim_end()
            .strip_prefix("PasswordVerifier=")
            .and_then(|rest| rest.split_once(",Salt="))
            .unwrap();
        let json: serde_json::Value =
            serde_json::from_slice(&render(config, Format::Json, None).unwrap()).unwrap();
        assert_eq!(json["PasswordVerifier"], verifier);
        assert_eq!(json["Salt"], salt);
        assert_eq!(json.as_object().unwrap().len(), 2);
        let text = render(config, Format::Text, None).unwrap();
        assert_eq!(text, format!("{verifier}\t{salt}\n").into_bytes());
        let salt_only = render(config, Format::Text, Some(&"Salt".parse().unwrap())).unwrap();
        assert_eq!(salt_only, format!("{salt}\n").into_bytes());
    }
}

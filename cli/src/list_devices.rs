//! `list-devices`: `ListDevices` with a sign-in's access token, every page (bounded by the
//! SDK's `MAX_DEVICE_PAGES`), printed as `aws cognito-idp list-devices` prints it:
//! `{"Devices": [...]}` in the API's member names, dates in epoch seconds.

use crate::{
    failure::Failure,
    output::{self, OutputArgs},
    pool::TokenCallArgs,
};
use cognito_srp6a_sdk::aws_sdk_cognitoidentityprovider::{primitives::DateTime, types::DeviceType};
use serde::Serialize;

const EXAMPLE: &str = "\
Examples:

  # alice's remembered devices, with the access token of a sign-in on stdin:
  printf '%s\\n' \"$ACCESS\" | cognito-srp6a list-devices --pool-id us-east-1_Example \\
      --access-token-stdin

  # Only the first device's key, the token from a variable:
  ACCESS=... cognito-srp6a list-devices --pool-id us-east-1_Example --access-token-env ACCESS \\
      --query 'Devices[0].DeviceKey' --output text

Prints the devices as `aws cognito-idp list-devices` prints them: {\"Devices\": [{\"DeviceKey\",
\"DeviceAttributes\": [{\"Name\", \"Value\"}], \"DeviceCreateDate\", \"DeviceLastModifiedDate\",
\"DeviceLastAuthenticatedDate\"}]}, dates in seconds since 1970, every page read (at most
6000 devices). Exits 252 bad arguments, 253 bad configuration, 254 the service refused, 255
anything else.";

/// Lists the user's remembered devices (ListDevices, every page).
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLE)]
pub struct Args {
    #[command(flatten)]
    call: TokenCallArgs,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Answer<'a> {
    devices: Vec<Device<'a>>,
}

/// `DeviceType`, in the API's member names and order; absent members left out.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Device<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    device_key: Option<&'a str>,
    device_attributes: Vec<Attribute<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    device_create_date: Option<serde_json::Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    device_last_modified_date: Option<serde_json::Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    device_last_authenticated_date: Option<serde_json::Number>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Attribute<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a str>,
}

/// A date as the wire and the AWS CLI's JSON have it: seconds since 1970, a fraction only when
/// there is one.
fn epoch_seconds(date: &DateTime) -> serde_json::Number {
    if date.subsec_nanos() == 0 {
        serde_json::Number::from(date.secs())
    } else {
        serde_json::Number::from_f64(date.as_secs_f64())
            .unwrap_or_else(|| serde_json::Number::from(date.secs()))
    }
}

fn device(device: &DeviceType) -> Device<'_> {
    Device {
        device_key: device.device_key(),
        device_attributes: device
            .device_attributes()
            .iter()
            .map(|attribute| Attribute {
                name: attribute.name(),
                value: attribute.value(),
            })
            .collect(),
        device_create_date: device.device_create_date().map(epoch_seconds),
        device_last_modified_date: device.device_last_modified_date().map(epoch_seconds),
        device_last_authenticated_date: device.device_last_authenticated_date().map(epoch_seconds),
    }
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<(), Failure> {
    let devices = args
        .call
        .call(async |client, token| client.list_devices(token).await)?;
    let printed = args.output.render(&Answer {
        devices: devices.iter().map(device).collect(),
    })?;
    output::to_stdout(&printed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_epoch_seconds() {
        assert_eq!(
            epoch_seconds(&DateTime::from_secs(1_700_000_000)).to_string(),
            "1700000000"
        );
        assert_eq!(
            epoch_seconds(&DateTime::from_millis(1_700_000_000_500)).to_string(),
            "1700000000.5"
        );
    }
}

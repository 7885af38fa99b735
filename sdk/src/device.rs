//! Remembered devices (`docs/protocol.md`, "Device registration"): the device file's
//! `StoredDevice`, and `ConfirmDevice` with a fresh verifier, `UpdateDeviceStatus` when the pool
//! asks the user, `ListDevices` (bounded), `ForgetDevice`.

use crate::{CognitoSrpClient, Error};
use aws_sdk_cognitoidentityprovider::types::{
    DeviceRememberedStatusType, DeviceSecretVerifierConfigType, DeviceType,
};
use cognito_srp6a::{DeviceRegistration, RememberedDevice};
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// What an app keeps of a remembered device: the service's `DeviceGroupKey` and `DeviceKey`,
/// and the device password that never leaves the device. Zeroized on drop; `Debug` shows the
/// keys only.
///
/// With the `serde` feature it is the device file's JSON object,
/// `{"DeviceGroupKey": ..., "DeviceKey": ..., "DevicePassword": ...}`, the file the
/// `cognito-srp6a` command reads and writes.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StoredDevice {
    /// `DeviceGroupKey` from `NewDeviceMetadata`.
    #[cfg_attr(feature = "serde", serde(rename = "DeviceGroupKey"))]
    pub device_group_key: String,
    /// `DeviceKey` from `NewDeviceMetadata`, `<region>_<uuid>`.
    #[cfg_attr(feature = "serde", serde(rename = "DeviceKey"))]
    pub device_key: String,
    /// The device password (base64 of 40 random bytes): the secret the device proves.
    #[cfg_attr(feature = "serde", serde(rename = "DevicePassword"))]
    pub device_password: String,
}

impl fmt::Debug for StoredDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredDevice")
            .field("device_group_key", &self.device_group_key)
            .field("device_key", &self.device_key)
            .finish_non_exhaustive()
    }
}

impl StoredDevice {
    /// The core crate's view of it, for the device challenges.
    pub fn remembered(&self) -> RememberedDevice<'_> {
        RememberedDevice {
            device_group_key: &self.device_group_key,
            device_key: &self.device_key,
            device_password: self.device_password.as_bytes(),
        }
    }
}

/// `NewDeviceMetadata`: the device key the service issued with a sign-in's tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDeviceMetadata {
    /// `DeviceGroupKey`.
    pub device_group_key: String,
    /// `DeviceKey`.
    pub device_key: String,
}

/// A device to register: [`CognitoSrpClient::remember_device`], options, then
/// [`RememberDeviceRequest::send`].
#[must_use = "nothing is registered until `send().await`"]
pub struct RememberDeviceRequest<'a> {
    client: &'a CognitoSrpClient,
    access_token: &'a str,
    metadata: &'a NewDeviceMetadata,
    device_name: Option<&'a str>,
    remembered: bool,
}

impl fmt::Debug for RememberDeviceRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RememberDeviceRequest")
            .field("metadata", &self.metadata)
            .field("device_name", &self.device_name)
            .field("remembered", &self.remembered)
            .finish_non_exhaustive()
    }
}

impl<'a> RememberDeviceRequest<'a> {
    /// `DeviceName`, as `ListDevices` will show it.
    pub fn device_name(mut self, name: &'a str) -> Self {
        self.device_name = Some(name);
        self
    }

    /// The user's answer when the pool asks (`DeviceOnlyRememberedOnUserPrompt`): `true` (the
    /// default) remembers the device, `false` declines; the device is confirmed either way,
    /// and its key still names it on refresh.
    pub fn remembered(mut self, remembered: bool) -> Self {
        self.remembered = remembered;
        self
    }

    /// Draws a device password and salt, sends `ConfirmDevice` with the verifier, and when the
    /// pool answers `UserConfirmationNecessary`, `UpdateDeviceStatus` with the user's answer.
    /// Returns what the app keeps.
    pub async fn send(self) -> Result<StoredDevice, Error> {
        let NewDeviceMetadata {
            device_group_key,
            device_key,
        } = self.metadata;
        let registration = {
            let mut rng = rand::rng();
            DeviceRegistration::generate(device_group_key, device_key, &mut rng)
        };
        let config = &registration.device_secret_verifier_config;
        let verifier = DeviceSecretVerifierConfigType::builder()
            .password_verifier(config.password_verifier())
            .salt(config.salt())
            .build();
        let client = &self.client.client;
        let confirmed = client
            .confirm_device()
            .access_token(self.access_token)
            .device_key(device_key)
            .device_secret_verifier_config(verifier)
            .set_device_name(self.device_name.map(str::to_string))
            .send()
            .await?;
        if confirmed.user_confirmation_necessary() {
            let status = if self.remembered {
                DeviceRememberedStatusType::Remembered
            } else {
                DeviceRememberedStatusType::NotRemembered
            };
            client
                .update_device_status()
                .access_token(self.access_token)
                .device_key(device_key)
                .device_remembered_status(status)
                .send()
                .await?;
        }
        // The app's copy is wiped when the StoredDevice drops; the registration's when it does.
        Ok(StoredDevice {
            device_group_key: device_group_key.clone(),
            device_key: device_key.clone(),
            device_password: registration.device_password.as_str().to_string(),
        })
    }
}

/// Pages `list_devices` reads at most (60 devices a page): a service that keeps handing out
/// fresh tokens ends in [`Error::TooManySteps`].
pub const MAX_DEVICE_PAGES: usize = 100;

impl CognitoSrpClient {
    /// Registers the device a sign-in was issued (`NewDeviceMetadata`) with the sign-in's
    /// access token; send it with [`RememberDeviceRequest::send`].
    pub fn remember_device<'a>(
        &'a self,
        access_token: &'a str,
        new_device_metadata: &'a NewDeviceMetadata,
    ) -> RememberDeviceRequest<'a> {
        RememberDeviceRequest {
            client: self,
            access_token,
            metadata: new_device_metadata,
            device_name: None,
            remembered: true,
        }
    }

    /// `ForgetDevice`: the service forgets the device; the app should delete its device file.
    pub async fn forget_device(&self, access_token: &str, device_key: &str) -> Result<(), Error> {
        self.client
            .forget_device()
            .access_token(access_token)
            .device_key(device_key)
            .send()
            .await?;
        Ok(())
    }

    /// `ListDevices`, every page: the user's remembered devices.
    pub async fn list_devices(&self, access_token: &str) -> Result<Vec<DeviceType>, Error> {
        let mut devices = Vec::new();
        let mut token: Option<String> = None;
        // Every token sent so far: a service that hands one back again, at once or after a
        // cycle, would otherwise be asked for ever.
        let mut sent = std::collections::HashSet::new();
        for _ in 0..MAX_DEVICE_PAGES {
            let page = self
                .client
                .list_devices()
                .access_token(access_token)
                .set_pagination_token(token.take())
                .send()
                .await?;
            devices.extend(page.devices().iter().cloned());
            match page.pagination_token() {
                None => return Ok(devices),
                Some("") => return Ok(devices),
                Some(next) if sent.insert(next.to_string()) => token = Some(next.to_string()),
                Some(_) => {
                    return Err(Error::malformed(
                        "ListDevices",
                        "PaginationToken: one sent before (the listing would never end)",
                    ));
                }
            }
        }
        Err(Error::TooManySteps {
            operation: "ListDevices",
            limit: MAX_DEVICE_PAGES,
        })
    }
}

//! Remembered devices (SPEC "Device registration"): the device file's `StoredDevice`, and
//! `ConfirmDevice` with a fresh verifier, `UpdateDeviceStatus` when the pool asks the user,
//! `ListDevices`, `ForgetDevice`.

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

impl CognitoSrpClient {
    /// Registers the device a sign-in was issued: draws a device password and salt, sends
    /// `ConfirmDevice` with the verifier, and, when the pool answers
    /// `UserConfirmationNecessary` (`DeviceOnlyRememberedOnUserPrompt`), `UpdateDeviceStatus`
    /// with the user's answer `remembered`. Returns what the app keeps.
    pub async fn remember_device(
        &self,
        access_token: &str,
        new_device_metadata: &NewDeviceMetadata,
        device_name: Option<&str>,
        remembered: bool,
    ) -> Result<StoredDevice, Error> {
        let NewDeviceMetadata {
            device_group_key,
            device_key,
        } = new_device_metadata;
        let registration = {
            let mut rng = rand::rng();
            DeviceRegistration::generate(device_group_key, device_key, &mut rng)
        };
        let config = &registration.device_secret_verifier_config;
        let verifier = DeviceSecretVerifierConfigType::builder()
            .password_verifier(config.password_verifier())
            .salt(config.salt())
            .build();
        let confirmed = self
            .client
            .confirm_device()
            .access_token(access_token)
            .device_key(device_key)
            .device_secret_verifier_config(verifier)
            .set_device_name(device_name.map(str::to_string))
            .send()
            .await?;
        if confirmed.user_confirmation_necessary() {
            let status = if remembered {
                DeviceRememberedStatusType::Remembered
            } else {
                DeviceRememberedStatusType::NotRemembered
            };
            self.client
                .update_device_status()
                .access_token(access_token)
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
        loop {
            let page = self
                .client
                .list_devices()
                .access_token(access_token)
                .set_pagination_token(token.take())
                .send()
                .await?;
            devices.extend(page.devices().iter().cloned());
            match page.pagination_token() {
                Some(next) if !next.is_empty() && sent.insert(next.to_string()) => {
                    token = Some(next.to_string());
                }
                _ => return Ok(devices),
            }
        }
    }
}

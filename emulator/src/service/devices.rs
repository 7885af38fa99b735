//! The device operations: `ConfirmDevice` stores the verifier a
//! client made for a key this pool issued, `UpdateDeviceStatus` remembers or not, and
//! `GetDevice`, `ListDevices`, `ForgetDevice`; each also in its `Admin*` form, which names the
//! pool and user instead of presenting an access token (no IAM check locally).

use super::{Service, UserBy};
use crate::{error::ServiceError, input::Input, store::DeviceRow};
use cognito_srp6a::VerifierRecord;
use serde_json::{Value, json};

/// `ListDevices` pages hold at most this many (the API's `Limit` maximum).
const MAX_LIMIT: i64 = 60;

impl Service {
    pub(super) fn confirm_device(&self, input: &Input) -> Result<Value, ServiceError> {
        let (pool, user) = self.access_token_user(input)?;
        let username = user.username;
        let device_key = input.str("DeviceKey")?;
        let device_name = input.opt_str("DeviceName")?;
        let invalid_key =
            || ServiceError::InvalidParameterException("Invalid device key given.".into());
        let device = match self.store.device(&pool.id, device_key)? {
            Some(device) if device.username == username => device,
            _ => return Err(invalid_key()),
        };
        if device.confirmed {
            return Err(ServiceError::DeviceKeyExistsException(
                "Device key already exists.".into(),
            ));
        }
        let config = input
            .opt_object("DeviceSecretVerifierConfig")?
            .ok_or_else(invalid_key)?;
        let verifier = config.opt_str("PasswordVerifier")?.ok_or_else(|| {
            ServiceError::InvalidParameterException("PasswordVerifier is required.".into())
        })?;
        let salt = config
            .opt_str("Salt")?
            .ok_or_else(|| ServiceError::InvalidParameterException("Salt is required.".into()))?;
        // The service takes base64 without its `=` padding: the AWS CLI's own confirm-device
        // example sends `PasswordVerifier=TXlWZXJpZmllclN0cmluZw` (docs/aws-documents.md) and gets
        // `UserConfirmationNecessary`. Padded here, then the core reads both as the service
        // does (base64 of signed big-endian integers, a verifier in 2..N-2); a negative salt is
        // refused here.
        let verifier = &with_padding(verifier);
        let salt = &with_padding(salt);
        let record = VerifierRecord::from_confirm_device(
            &device.device_group_key,
            device_key,
            verifier,
            salt,
        )
        .map_err(|error| {
            ServiceError::InvalidParameterException(match error.parameter() {
                Some("Salt") => "Salt is invalid.".into(),
                _ => "PasswordVerifier is invalid.".into(),
            })
        })?;
        if record.salt().to_hex().as_str().starts_with('-') {
            return Err(ServiceError::InvalidParameterException(
                "Salt is invalid.".into(),
            ));
        }
        let prompt = pool
            .devices()
            .and_then(|config| config.device_only_remembered_on_user_prompt)
            .unwrap_or(false);
        // DeviceOnlyRememberedOnUserPrompt: the user decides with UpdateDeviceStatus;
        // otherwise the device is remembered at once.
        let status = if prompt {
            "not_remembered"
        } else {
            "remembered"
        };
        if !self.store.confirm_device(
            device_key,
            verifier,
            salt,
            device_name,
            status,
            self.now(),
        )? {
            return Err(ServiceError::DeviceKeyExistsException(
                "Device key already exists.".into(),
            ));
        }
        Ok(json!({ "UserConfirmationNecessary": prompt }))
    }

    /// `UpdateDeviceStatus` and `AdminUpdateDeviceStatus`.
    pub(super) fn update_device_status(
        &self,
        input: &Input,
        by: UserBy,
    ) -> Result<Value, ServiceError> {
        let (pool, user) = self.user_by(input, by)?;
        let device_key = input.str("DeviceKey")?;
        let status = match input.opt_str("DeviceRememberedStatus")? {
            Some(status @ ("remembered" | "not_remembered")) => status,
            Some(_) => {
                return Err(ServiceError::InvalidParameterException(
                    "1 validation error detected: Value at 'deviceRememberedStatus' failed to \
                     satisfy constraint: Member must satisfy enum value set: [remembered, \
                     not_remembered]"
                        .into(),
                ));
            }
            // The API lets it be absent; the service then leaves the device as it is.
            None => {
                return self
                    .confirmed_device(&pool.id, device_key, &user.username)
                    .map(|_| json!({}));
            }
        };
        self.confirmed_device(&pool.id, device_key, &user.username)?;
        self.store
            .set_device_remembered(device_key, status, self.now())?;
        Ok(json!({}))
    }

    /// `GetDevice` and `AdminGetDevice`.
    pub(super) fn get_device(&self, input: &Input, by: UserBy) -> Result<Value, ServiceError> {
        let (pool, user) = self.user_by(input, by)?;
        let device = self.confirmed_device(&pool.id, input.str("DeviceKey")?, &user.username)?;
        Ok(json!({ "Device": device_json(&device) }))
    }

    /// `ListDevices` and `AdminListDevices`: a page of the user's remembered devices. The
    /// `PaginationToken` is the last key of the page before.
    pub(super) fn list_devices(&self, input: &Input, by: UserBy) -> Result<Value, ServiceError> {
        let (pool, user) = self.user_by(input, by)?;
        let limit = input.opt_i64("Limit")?.unwrap_or(MAX_LIMIT);
        if !(0..=MAX_LIMIT).contains(&limit) {
            return Err(ServiceError::InvalidParameterException(format!(
                "1 validation error detected: Value '{limit}' at 'limit' failed to satisfy \
                 constraint: Member must have value less than or equal to {MAX_LIMIT}"
            )));
        }
        let limit = usize::try_from(limit).unwrap_or(0);
        let after = input.opt_str("PaginationToken")?;
        let devices = self.store.devices(&pool.id, &user.username, true)?;
        let start = match after {
            None => 0,
            Some(token) => match devices.iter().position(|d| d.device_key == token) {
                Some(index) => index + 1,
                None => {
                    return Err(ServiceError::InvalidParameterException(
                        "Invalid pagination token.".into(),
                    ));
                }
            },
        };
        let page: Vec<&DeviceRow> = devices.iter().skip(start).take(limit).collect();
        let mut output = serde_json::Map::new();
        output.insert(
            "Devices".into(),
            page.iter().map(|d| device_json(d)).collect(),
        );
        if start + page.len() < devices.len()
            && let Some(last) = page.last()
        {
            output.insert("PaginationToken".into(), json!(last.device_key));
        }
        Ok(Value::Object(output))
    }

    /// `ForgetDevice` and `AdminForgetDevice`: the device's refresh tokens stop working with
    /// it.
    pub(super) fn forget_device(&self, input: &Input, by: UserBy) -> Result<Value, ServiceError> {
        let (pool, user) = self.user_by(input, by)?;
        let device_key = input.str("DeviceKey")?;
        match self.store.device(&pool.id, device_key)? {
            Some(device) if device.username == user.username => {
                self.store.forget_device(device_key)?;
                Ok(json!({}))
            }
            _ => Err(ServiceError::no_device()),
        }
    }
}

/// Base64 with the `=` padding an unpadded value lacks; anything else is left for the core
/// to judge.
fn with_padding(text: &str) -> String {
    match text.len() % 4 {
        2 => format!("{text}=="),
        3 => format!("{text}="),
        _ => text.to_string(),
    }
}

/// A `DeviceType`: the key, the service's attribute names, and epoch-second dates.
fn device_json(device: &DeviceRow) -> Value {
    let mut attributes = vec![
        json!({ "Name": "device_status", "Value": "valid" }),
        json!({ "Name": "dev:device_remembered_status", "Value": device.remembered }),
    ];
    if let Some(name) = &device.name {
        attributes.push(json!({ "Name": "device_name", "Value": name }));
    }
    if let Some(ip) = &device.last_ip {
        attributes.push(json!({ "Name": "last_ip_used", "Value": ip }));
    }
    let mut output = serde_json::Map::new();
    output.insert("DeviceKey".into(), json!(device.device_key));
    output.insert("DeviceAttributes".into(), json!(attributes));
    output.insert("DeviceCreateDate".into(), json!(device.created));
    output.insert("DeviceLastModifiedDate".into(), json!(device.modified));
    if let Some(at) = device.last_authenticated {
        output.insert("DeviceLastAuthenticatedDate".into(), json!(at));
    }
    Value::Object(output)
}

//! `InitiateAuth` and `RespondToAuthChallenge`: the `USER_SRP_AUTH` sign-in through
//! `PASSWORD_VERIFIER`, a remembered device's `DEVICE_SRP_AUTH` and `DEVICE_PASSWORD_VERIFIER`,
//! `SOFTWARE_TOKEN_MFA` and `NEW_PASSWORD_REQUIRED`, the tokens they end in, and
//! `REFRESH_TOKEN_AUTH` (SPEC "Wire flow" and "What the service answers").
//!
//! Which challenge comes next is decided in one place, [`Pool::next_step`]: a new password if
//! the user must set one, then a remembered device's proof, then TOTP unless a remembered
//! device stands in for it (`ChallengeRequiredOnNewDevice`), then tokens.

use super::{CLOCK_SKEW_SECS, Caller, Pool, now, required};
use crate::{
    error::ServiceError,
    input::{Input, Params},
    sessions::{DeviceState, Handle, Lookup, Pending, Progress, Step, Taken, invalid_session},
    store::{DeviceRow, RefreshRow, UserRow, UserStatus},
    tokens::{Subject, TOKEN_SECONDS},
};
use cognito_srp6a::{Error as SrpError, IssuedChallenge, Parameters, Timestamp, VerifierRecord};
use serde_json::{Map, Value, json};

/// How long a refresh token lasts: the service's default, 30 days.
const REFRESH_SECONDS: i64 = 30 * 24 * 3600;

impl Pool {
    pub(super) fn initiate_auth(&self, input: &Input) -> Result<Value, ServiceError> {
        let flow = input.str("AuthFlow")?;
        let client_id = input.str("ClientId")?;
        self.check_client(client_id)?;
        let params = input.opt_params("AuthParameters")?.unwrap_or_default();
        match flow {
            "USER_SRP_AUTH" => self.user_srp_auth(client_id, &params),
            "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => self.refresh_token_auth(client_id, &params),
            "USER_PASSWORD_AUTH" | "CUSTOM_AUTH" | "USER_AUTH" => {
                Err(ServiceError::InvalidParameterException(format!(
                    "{flow} flow not enabled for this client"
                )))
            }
            "ADMIN_NO_SRP_AUTH" | "ADMIN_USER_PASSWORD_AUTH" => {
                Err(ServiceError::InvalidParameterException(
                    "Initiate Auth method not supported.".into(),
                ))
            }
            _ => Err(ServiceError::InvalidParameterException(
                "1 validation error detected: Value at 'authFlow' failed to satisfy constraint: \
                 Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, \
                 REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, \
                 ADMIN_USER_PASSWORD_AUTH, USER_AUTH]"
                    .into(),
            )),
        }
    }

    /// `USER_SRP_AUTH`: the `PASSWORD_VERIFIER` challenge for `SRP_A`.
    fn user_srp_auth(&self, client_id: &str, params: &Params) -> Result<Value, ServiceError> {
        let username = required(params, "USERNAME")?;
        let srp_a = required(params, "SRP_A")?;
        // Before the user lookup, so a caller without the secret learns nothing of users.
        self.check_secret_hash(params.get("SECRET_HASH").map(String::as_str), &[username])?;
        let user = self.user(username)?;
        let issued = self
            .user_record(&user)?
            .issue_challenge(srp_a, &user.username, &mut rand::rng())
            .map_err(srp_a_error)?;
        let parameters = to_json(&issued.parameters());
        let secret_block = issued
            .parameters()
            .get("SECRET_BLOCK")
            .unwrap_or_default()
            .to_string();
        let pending = Pending {
            progress: Progress {
                username: user.username,
                client_id: client_id.to_string(),
                device: DeviceState::None,
                mfa_passed: false,
            },
            step: Step::PasswordVerifier {
                issued,
                initiate_device_key: params.get("DEVICE_KEY").cloned(),
            },
        };
        let session = self
            .sessions
            .insert(pending, Some(Handle::SecretBlock(secret_block)));
        Ok(challenge(
            "PASSWORD_VERIFIER",
            Value::Object(parameters),
            &session,
        ))
    }

    pub(super) fn respond_to_auth_challenge(
        &self,
        input: &Input,
        caller: &Caller,
    ) -> Result<Value, ServiceError> {
        let client_id = input.str("ClientId")?;
        let name = input.str("ChallengeName")?;
        self.check_client(client_id)?;
        let responses = input.opt_params("ChallengeResponses")?.unwrap_or_default();
        let handle;
        let lookup = match (input.opt_str("Session")?, name) {
            (Some(session), _) => Lookup::Session(session),
            (None, "PASSWORD_VERIFIER" | "DEVICE_PASSWORD_VERIFIER") => {
                let block = required(&responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
                handle = Handle::SecretBlock(block.to_string());
                Lookup::Handle(&handle)
            }
            (None, "DEVICE_SRP_AUTH") => {
                let username = required(&responses, "USERNAME")?;
                let device_key = required(&responses, "DEVICE_KEY")?;
                handle = Handle::Device(username.to_string(), device_key.to_string());
                Lookup::Handle(&handle)
            }
            (None, _) => return Err(invalid_session()),
        };
        let taken = self.sessions.take(lookup).map_err(|error| match name {
            "DEVICE_SRP_AUTH" if matches!(lookup, Lookup::Handle(_)) => device_srp_out_of_order(),
            _ => error,
        })?;
        if taken.pending.progress.client_id != client_id {
            return Err(invalid_session());
        }
        if taken.pending.step.challenge_name() != name {
            return Err(match name {
                "DEVICE_SRP_AUTH" => device_srp_out_of_order(),
                _ => ServiceError::incorrect_password(),
            });
        }
        let progress = &taken.pending.progress;
        let mut usernames = vec![progress.username.as_str()];
        if let Some(username) = responses.get("USERNAME") {
            usernames.push(username);
        }
        self.check_secret_hash(responses.get("SECRET_HASH").map(String::as_str), &usernames)?;
        match &taken.pending.step {
            Step::PasswordVerifier { .. } => {
                self.answer_password_verifier(taken, input, &responses)
            }
            Step::DeviceSrpAuth => self.device_srp_auth(taken.pending.progress, &responses),
            Step::DevicePasswordVerifier { .. } => {
                self.device_password_verifier(taken.pending, &responses, caller)
            }
            Step::SoftwareTokenMfa => self.software_token_mfa(taken.pending.progress, &responses),
            Step::NewPasswordRequired => self.new_password(taken.pending.progress, &responses),
        }
    }

    /// `PASSWORD_VERIFIER`: the user's proof, and which device the sign-in goes through.
    fn answer_password_verifier(
        &self,
        taken: Taken,
        input: &Input,
        responses: &Params,
    ) -> Result<Value, ServiceError> {
        let Step::PasswordVerifier {
            initiate_device_key,
            ..
        } = &taken.pending.step
        else {
            return Err(ServiceError::incorrect_password());
        };
        // The answer's DEVICE_KEY when it has the entry, `null` meaning none (identity-js's
        // retry after "Device does not exist."); else the one InitiateAuth named.
        let device_key = if input.is_null_entry("ChallengeResponses", "DEVICE_KEY") {
            None
        } else {
            responses
                .get("DEVICE_KEY")
                .or(initiate_device_key.as_ref())
                .cloned()
        };
        let device = match device_key {
            None => DeviceState::None,
            Some(key) => match self.store.device(&key)? {
                Some(row) if row.confirmed && row.username == taken.pending.progress.username => {
                    if row.remembered == "remembered" {
                        DeviceState::Remembered(key)
                    } else {
                        DeviceState::NotRemembered(key)
                    }
                }
                // Checked before the proof, which stays unused: the client retries the same
                // answer without the device, as identity-js does.
                _ => {
                    self.sessions.restore(taken);
                    return Err(ServiceError::no_device());
                }
            },
        };
        let Pending { mut progress, step } = taken.pending;
        let Step::PasswordVerifier { issued, .. } = step else {
            return Err(ServiceError::incorrect_password());
        };
        check_proof(issued, responses)?;
        let user = self.user(&progress.username)?;
        if user.status == UserStatus::Unconfirmed {
            return Err(ServiceError::UserNotConfirmedException(
                "User is not confirmed.".into(),
            ));
        }
        progress.device = device;
        self.next_step(progress)
    }

    /// `DEVICE_SRP_AUTH`: the device's `DEVICE_PASSWORD_VERIFIER` challenge for its new `SRP_A`.
    fn device_srp_auth(
        &self,
        progress: Progress,
        responses: &Params,
    ) -> Result<Value, ServiceError> {
        let device_key = required(responses, "DEVICE_KEY")?;
        let srp_a = required(responses, "SRP_A")?;
        required(responses, "USERNAME")?;
        if Some(device_key) != progress.device.key() {
            return Err(ServiceError::incorrect_password());
        }
        let device = self.confirmed_device(device_key, &progress.username)?;
        let issued = device_record(&device)?
            .issue_challenge(srp_a, &progress.username, &mut rand::rng())
            .map_err(srp_a_error)?;
        let parameters = to_json(&issued.parameters());
        let secret_block = issued
            .parameters()
            .get("SECRET_BLOCK")
            .unwrap_or_default()
            .to_string();
        let pending = Pending {
            progress,
            step: Step::DevicePasswordVerifier { issued },
        };
        let session = self
            .sessions
            .insert(pending, Some(Handle::SecretBlock(secret_block)));
        Ok(challenge(
            "DEVICE_PASSWORD_VERIFIER",
            Value::Object(parameters),
            &session,
        ))
    }

    /// `DEVICE_PASSWORD_VERIFIER`: the device's proof.
    fn device_password_verifier(
        &self,
        pending: Pending,
        responses: &Params,
        caller: &Caller,
    ) -> Result<Value, ServiceError> {
        let Pending { mut progress, step } = pending;
        let Step::DevicePasswordVerifier { issued } = step else {
            return Err(ServiceError::incorrect_password());
        };
        let Some(device_key) = progress.device.key().map(str::to_string) else {
            return Err(ServiceError::incorrect_password());
        };
        // Forgotten between the two device steps.
        self.confirmed_device(&device_key, &progress.username)?;
        check_proof(issued, responses)?;
        self.store.touch_device(&device_key, &caller.ip, now())?;
        progress.device = DeviceState::Authenticated(device_key);
        self.next_step(progress)
    }

    /// `SOFTWARE_TOKEN_MFA`: the TOTP code.
    fn software_token_mfa(
        &self,
        mut progress: Progress,
        responses: &Params,
    ) -> Result<Value, ServiceError> {
        let code = required(responses, "SOFTWARE_TOKEN_MFA_CODE")?;
        let user = self.user(&progress.username)?;
        let secret = user
            .totp_secret
            .as_deref()
            .and_then(crate::totp::decode_secret);
        let valid = secret.is_some_and(|secret| crate::totp::verify(&secret, code, now()));
        if !valid {
            return Err(ServiceError::CodeMismatchException(
                "Invalid code received for user".into(),
            ));
        }
        progress.mfa_passed = true;
        self.next_step(progress)
    }

    /// `NEW_PASSWORD_REQUIRED`: an administrator-created user sets a password.
    fn new_password(&self, progress: Progress, responses: &Params) -> Result<Value, ServiceError> {
        let password = required(responses, "NEW_PASSWORD")?;
        super::users::check_password_policy(password)?;
        let (salt_hex, verifier_hex) = self.new_verifier(&progress.username, password)?;
        self.store.set_user_password(
            &progress.username,
            &salt_hex,
            &verifier_hex,
            UserStatus::Confirmed,
            now(),
        )?;
        self.next_step(progress)
    }

    /// What comes after a passed step: the next challenge, or the tokens.
    fn next_step(&self, progress: Progress) -> Result<Value, ServiceError> {
        let user = self.user(&progress.username)?;
        if user.status == UserStatus::ForceChangePassword {
            let parameters = json!({
                "USER_ID_FOR_SRP": user.username,
                "requiredAttributes": "[]",
                "userAttributes": user.attributes,
            });
            let session = self.sessions.insert(
                Pending {
                    progress,
                    step: Step::NewPasswordRequired,
                },
                None,
            );
            return Ok(challenge("NEW_PASSWORD_REQUIRED", parameters, &session));
        }
        if let DeviceState::Remembered(key) = &progress.device {
            let handle = Handle::Device(progress.username.clone(), key.clone());
            let parameters = json!({ "USERNAME": progress.username });
            let session = self.sessions.insert(
                Pending {
                    progress,
                    step: Step::DeviceSrpAuth,
                },
                Some(handle),
            );
            return Ok(challenge("DEVICE_SRP_AUTH", parameters, &session));
        }
        // ChallengeRequiredOnNewDevice: a remembered device's proof stands in for the second
        // factor; without the setting, MFA is asked for on every sign-in.
        let device_stands_in = matches!(progress.device, DeviceState::Authenticated(_))
            && self.config.challenge_required_on_new_device;
        if user.totp_secret.is_some() && !progress.mfa_passed && !device_stands_in {
            let parameters = json!({});
            let session = self.sessions.insert(
                Pending {
                    progress,
                    step: Step::SoftwareTokenMfa,
                },
                None,
            );
            return Ok(challenge("SOFTWARE_TOKEN_MFA", parameters, &session));
        }
        self.sign_in_tokens(&progress, &user)
    }

    /// The end of a sign-in: tokens, and `NewDeviceMetadata` when it went through no device.
    fn sign_in_tokens(&self, progress: &Progress, user: &UserRow) -> Result<Value, ServiceError> {
        let now = now();
        let (device_key, new_device) = match progress.device.key() {
            Some(key) => (key.to_string(), None),
            None => {
                let key = format!("{}_{}", self.config.region(), uuid::Uuid::new_v4());
                self.store.issue_device(&DeviceRow {
                    device_key: key.clone(),
                    username: user.username.clone(),
                    device_group_key: user.device_group_key.clone(),
                    confirmed: false,
                    remembered: "not_remembered".into(),
                    password_verifier: None,
                    salt: None,
                    name: None,
                    last_ip: None,
                    created: now,
                    modified: now,
                    last_authenticated: None,
                })?;
                let metadata = json!({ "DeviceKey": key, "DeviceGroupKey": user.device_group_key });
                (key, Some(metadata))
            }
        };
        let origin_jti = uuid::Uuid::new_v4().to_string();
        let refresh_token = new_refresh_token();
        // Bound to the device: a refresh must name it (SPEC, "Invalid Refresh Token").
        self.store.insert_refresh(
            &sha256_hex(&refresh_token),
            &RefreshRow {
                username: user.username.clone(),
                client_id: progress.client_id.clone(),
                device_key: Some(device_key.clone()),
                auth_time: now,
                origin_jti: origin_jti.clone(),
                expires: now + REFRESH_SECONDS,
            },
        )?;
        let mut result = self.token_pair(
            user,
            &progress.client_id,
            Some(&device_key),
            now,
            &origin_jti,
            now,
        )?;
        result.insert("RefreshToken".into(), json!(refresh_token));
        if let Some(metadata) = new_device {
            result.insert("NewDeviceMetadata".into(), metadata);
        }
        Ok(json!({ "ChallengeParameters": {}, "AuthenticationResult": result }))
    }

    /// `AccessToken`, `IdToken`, `ExpiresIn`, `TokenType`.
    fn token_pair(
        &self,
        user: &UserRow,
        client_id: &str,
        device_key: Option<&str>,
        auth_time: i64,
        origin_jti: &str,
        now: i64,
    ) -> Result<Map<String, Value>, ServiceError> {
        let attributes: Map<String, Value> =
            serde_json::from_str(&user.attributes).unwrap_or_default();
        let (access, id) = self.signer.tokens(
            &self.issuer,
            &Subject {
                sub: &user.sub,
                username: &user.username,
                client_id,
                device_key,
                auth_time,
                origin_jti,
                attributes: &attributes,
            },
            now,
        )?;
        let mut result = Map::new();
        result.insert("AccessToken".into(), json!(access));
        result.insert("ExpiresIn".into(), json!(TOKEN_SECONDS));
        result.insert("IdToken".into(), json!(id));
        result.insert("TokenType".into(), json!("Bearer"));
        Ok(result)
    }

    /// `REFRESH_TOKEN_AUTH`: new ID and access tokens; the refresh token stays.
    fn refresh_token_auth(&self, client_id: &str, params: &Params) -> Result<Value, ServiceError> {
        let token = required(params, "REFRESH_TOKEN")?;
        let invalid = || ServiceError::NotAuthorizedException("Invalid Refresh Token.".into());
        let row = self
            .store
            .refresh(&sha256_hex(token))?
            .ok_or_else(invalid)?;
        if row.client_id != client_id {
            return Err(invalid());
        }
        let now = now();
        if row.expires <= now {
            return Err(ServiceError::NotAuthorizedException(
                "Refresh Token has expired".into(),
            ));
        }
        if row.device_key.as_deref() != params.get("DEVICE_KEY").map(String::as_str)
            && row.device_key.is_some()
        {
            return Err(invalid());
        }
        let user = self.store.user(&row.username)?.ok_or_else(invalid)?;
        // The service's documentation names USERNAME for the hash; clients hash the user name
        // or, in pools signed in by alias, the `sub`: either is accepted.
        let mut usernames = vec![user.username.as_str(), user.sub.as_str()];
        if let Some(username) = params.get("USERNAME") {
            usernames.push(username);
        }
        self.check_secret_hash(params.get("SECRET_HASH").map(String::as_str), &usernames)?;
        let result = self.token_pair(
            &user,
            client_id,
            row.device_key.as_deref(),
            row.auth_time,
            &row.origin_jti,
            now,
        )?;
        Ok(json!({ "ChallengeParameters": {}, "AuthenticationResult": result }))
    }

    /// A confirmed device of `username`, or "Device does not exist.".
    pub(super) fn confirmed_device(
        &self,
        device_key: &str,
        username: &str,
    ) -> Result<DeviceRow, ServiceError> {
        match self.store.device(device_key)? {
            Some(row) if row.confirmed && row.username == username => Ok(row),
            _ => Err(ServiceError::no_device()),
        }
    }
}

/// The stored `DeviceSecretVerifierConfig` of a confirmed device, as the core reads it.
fn device_record(device: &DeviceRow) -> Result<VerifierRecord, ServiceError> {
    let (Some(verifier), Some(salt)) = (&device.password_verifier, &device.salt) else {
        return Err(ServiceError::no_device());
    };
    VerifierRecord::from_confirm_device(
        &device.device_group_key,
        &device.device_key,
        verifier,
        salt,
    )
    .map_err(|error| {
        tracing::error!(%error, "a stored device verifier does not parse");
        ServiceError::InternalErrorException("A stored verifier is corrupt.".into())
    })
}

/// A challenge response.
fn challenge(name: &str, parameters: Value, session: &str) -> Value {
    json!({ "ChallengeName": name, "ChallengeParameters": parameters, "Session": session })
}

/// Challenge parameters as the JSON object the API carries.
fn to_json(parameters: &Parameters<'_>) -> Map<String, Value> {
    parameters
        .iter()
        .map(|(name, value)| (name.to_string(), json!(value)))
        .collect()
}

fn device_srp_out_of_order() -> ServiceError {
    ServiceError::NotAuthorizedException(
        "Cannot initiate DEVICE_SRP_AUTH flow without first authenticating".into(),
    )
}

/// A refused `SRP_A` (malformed, over 4096 bits, ≡ 0 mod N, or giving u = 0).
fn srp_a_error(error: SrpError) -> ServiceError {
    ServiceError::InvalidParameterException(match error.parameter() {
        Some("u") | Some("SRP_A") | None => "SRP_A is invalid.".into(),
        Some(parameter) => format!("{parameter} is invalid."),
    })
}

/// A refused proof: a missing entry is named, every other refusal is the one message.
fn proof_error(error: SrpError) -> ServiceError {
    match error {
        SrpError::Missing { parameter } => ServiceError::missing_parameter(parameter),
        _ => ServiceError::incorrect_password(),
    }
}

fn clock_error(_: SrpError) -> ServiceError {
    ServiceError::InternalErrorException("The emulator's clock is out of range.".into())
}

/// Checks a `*PASSWORD_VERIFIER` answer against the challenge it answers, which is used up.
fn check_proof(issued: IssuedChallenge, responses: &Params) -> Result<(), ServiceError> {
    check_timestamp_form(responses)?;
    let now = Timestamp::now().map_err(clock_error)?;
    issued
        .verify(responses, now, CLOCK_SKEW_SECS)
        .map_err(proof_error)
}

/// A `TIMESTAMP` that is not of the form at all is `InvalidParameterException`; one of the
/// form with a wrong value (a zero-padded day, a wrong weekday, far from now) is a refused
/// proof, checked by the core with the signature (SPEC "What the service answers").
fn check_timestamp_form(responses: &Params) -> Result<(), ServiceError> {
    let Some(timestamp) = responses.get("TIMESTAMP") else {
        return Ok(()); // named as missing by the proof check
    };
    let fields: Vec<&str> = timestamp.split(' ').collect();
    let letters = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_alphabetic());
    let digits = |s: &str, lo: usize, hi: usize| {
        (lo..=hi).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    let clock = |s: &str| {
        let parts: Vec<&str> = s.split(':').collect();
        parts.len() == 3 && parts.iter().all(|p| digits(p, 2, 2))
    };
    let well_formed = match fields.as_slice() {
        [weekday, month, day, time, zone, year] => {
            letters(weekday, 3)
                && letters(month, 3)
                && digits(day, 1, 2)
                && clock(time)
                && !zone.is_empty()
                && zone.bytes().all(|b| b.is_ascii_alphabetic())
                && digits(year, 4, 4)
        }
        _ => false,
    };
    if well_formed {
        Ok(())
    } else {
        Err(ServiceError::InvalidParameterException(
            "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.".into(),
        ))
    }
}

/// 64 random bytes, URL-safe base64.
fn new_refresh_token() -> String {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    use rand::Rng;
    let mut bytes = [0u8; 64];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// How the store names a refresh token.
pub(super) fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_form() {
        let check = |t: &str| check_timestamp_form(&Params::from([("TIMESTAMP".into(), t.into())]));
        assert!(check("Sun Nov 1 02:22:00 UTC 2026").is_ok());
        // Of the form, wrong in content: left to the proof check.
        assert!(check("Sun Nov 01 02:22:00 UTC 2026").is_ok());
        assert!(check("Mon Nov 1 02:22:00 UTC 2026").is_ok());
        for bad in [
            "",
            "2026-11-01T02:22:00Z",
            "Sun Nov 1 2:22:00 UTC 2026",
            "Sun Nov 1 02:22:00 UTC 26",
            "Sun  Nov 1 02:22:00 UTC 2026",
        ] {
            assert_eq!(
                check(bad).unwrap_err().name(),
                "InvalidParameterException",
                "{bad}"
            );
        }
    }
}

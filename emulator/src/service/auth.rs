//! `InitiateAuth` and `RespondToAuthChallenge`, and their `Admin*` forms: `USER_PASSWORD_AUTH`
//! and `ADMIN_USER_PASSWORD_AUTH`, the `USER_SRP_AUTH` sign-in through
//! `PASSWORD_VERIFIER`, a remembered device's `DEVICE_SRP_AUTH` and `DEVICE_PASSWORD_VERIFIER`,
//! `SOFTWARE_TOKEN_MFA`, `MFA_SETUP` and `NEW_PASSWORD_REQUIRED`, the tokens they end in, and
//! `REFRESH_TOKEN_AUTH`.
//!
//! Which challenge comes next is decided in one place, [`Service::next_step`]: a new password
//! if the user must set one, then a remembered device's proof, then the second factor unless a
//! remembered device stands in for it (`ChallengeRequiredOnNewDevice`), then tokens. Device
//! steps happen only in a pool with a `DeviceConfiguration`.

use super::{CLOCK_SKEW_SECS, Caller, ClientAt, Service, check_secret_hash, required};
use crate::{
    error::ServiceError,
    input::{Input, Params},
    model::client::Flow,
    sessions::{
        DeviceState, Handle, Lookup, MAX_DEVICE_KEY, Pending, Progress, Step, Taken,
        invalid_session,
    },
    store::{DeviceRow, UserRow, UserStatus},
    tokens::Subject,
};
use cognito_srp6a::{Error as SrpError, IssuedChallenge, Parameters, Timestamp, VerifierRecord};
use serde_json::{Map, Value, json};

impl Service {
    pub(super) fn initiate_auth(&self, input: &Input) -> Result<Value, ServiceError> {
        let flow = input.str("AuthFlow")?;
        let at = self.app_client(input.str("ClientId")?)?;
        let params = input.opt_params("AuthParameters")?.unwrap_or_default();
        let wanted = match flow {
            "USER_SRP_AUTH" => Flow::UserSrp,
            "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => Flow::RefreshToken,
            "USER_PASSWORD_AUTH" => Flow::UserPassword,
            "CUSTOM_AUTH" => Flow::Custom,
            "USER_AUTH" => Flow::UserAuth,
            "ADMIN_NO_SRP_AUTH" | "ADMIN_USER_PASSWORD_AUTH" => return Err(not_supported()),
            _ => return Err(unknown_flow()),
        };
        self.start_flow(&at, flow, wanted, &params)
    }

    /// `AdminInitiateAuth`: a back end signs a user in with the pool's id and its AWS
    /// credentials (not checked here): `ADMIN_USER_PASSWORD_AUTH` (and `ADMIN_NO_SRP_AUTH`, its
    /// older name), `USER_SRP_AUTH` with the device challenges after it, `REFRESH_TOKEN_AUTH`.
    pub(super) fn admin_initiate_auth(&self, input: &Input) -> Result<Value, ServiceError> {
        let flow = input.str("AuthFlow")?;
        let at = self.admin_app_client(input)?;
        let params = input.opt_params("AuthParameters")?.unwrap_or_default();
        let wanted = match flow {
            "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => Flow::AdminUserPassword,
            "USER_SRP_AUTH" => Flow::UserSrp,
            "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => Flow::RefreshToken,
            "CUSTOM_AUTH" => Flow::Custom,
            "USER_AUTH" => Flow::UserAuth,
            "USER_PASSWORD_AUTH" => return Err(not_supported()),
            _ => return Err(unknown_flow()),
        };
        self.start_flow(&at, flow, wanted, &params)
    }

    /// `AdminRespondToAuthChallenge`: `RespondToAuthChallenge` with the pool named too.
    pub(super) fn admin_respond_to_auth_challenge(
        &self,
        input: &Input,
        caller: &Caller,
    ) -> Result<Value, ServiceError> {
        self.admin_app_client(input)?;
        self.respond_to_auth_challenge(input, caller)
    }

    /// The app client `ClientId` names, which must be of the pool `UserPoolId` names.
    fn admin_app_client(&self, input: &Input) -> Result<ClientAt, ServiceError> {
        let pool = self.input_pool(input)?;
        let client_id = input.str("ClientId")?;
        let at = self.app_client(client_id)?;
        if at.pool.id != pool.id {
            return Err(super::no_client(client_id));
        }
        Ok(at)
    }

    /// The first step of a flow the client allows, or the service's refusal.
    fn start_flow(
        &self,
        at: &ClientAt,
        flow: &str,
        wanted: Flow,
        params: &Params,
    ) -> Result<Value, ServiceError> {
        if !at.client.allows(wanted) {
            return Err(ServiceError::InvalidParameterException(format!(
                "{flow} flow not enabled for this client"
            )));
        }
        match wanted {
            Flow::UserSrp => self.user_srp_auth(at, params),
            Flow::RefreshToken => self.refresh_token_auth(at, params),
            Flow::UserPassword | Flow::AdminUserPassword => self.password_auth(at, params),
            Flow::UserAuth => self.user_auth(at, params),
            // Allowed by the client, not emulated: said as the service says a flow is off.
            Flow::Custom => Err(ServiceError::InvalidParameterException(format!(
                "{flow} flow not enabled for this client"
            ))),
        }
    }

    /// `USER_AUTH`, choice-based sign-in: with `PREFERRED_CHALLENGE` `PASSWORD_SRP` (and
    /// `SRP_A`) it goes on as `USER_SRP_AUTH`, with `PASSWORD` (and `PASSWORD`) as
    /// `USER_PASSWORD_AUTH`; without a preference, or one this emulator does not offer (the
    /// one-time codes and passkeys), `SELECT_CHALLENGE` lists `AvailableChallenges`.
    fn user_auth(&self, at: &ClientAt, params: &Params) -> Result<Value, ServiceError> {
        let username = required(params, "USERNAME")?;
        check_secret_hash(
            &at.client,
            params.get("SECRET_HASH").map(String::as_str),
            &[username],
        )?;
        if !at.pool.allows_password_first() {
            return Err(ServiceError::InvalidParameterException(
                "The user pool's sign-in policy allows no first factor this emulator offers                  (PASSWORD)."
                    .into(),
            ));
        }
        match params.get("PREFERRED_CHALLENGE").map(String::as_str) {
            Some("PASSWORD_SRP") => return self.user_srp_auth(at, params),
            Some("PASSWORD") => return self.password_auth(at, params),
            _ => {}
        }
        let user = self.find_user(&at.pool, username)?;
        let progress = Progress {
            pool_id: at.pool.id.clone(),
            username: user.username,
            client_id: at.client.client_id.clone(),
            device: DeviceState::None,
            mfa_passed: false,
            user_srp_a: rand_digest(),
            sessionless: false,
            wrong_codes: 0,
        };
        let mut answer = self.ask(
            at,
            Pending {
                progress,
                step: Step::SelectChallenge,
            },
            None,
            "SELECT_CHALLENGE",
            json!({}),
        );
        if let Some(object) = answer.as_object_mut() {
            object.insert("AvailableChallenges".into(), json!(AVAILABLE_FIRST_FACTORS));
        }
        Ok(answer)
    }

    /// `SELECT_CHALLENGE`: the chosen first factor, answered in the same call (`SRP_A` for
    /// `PASSWORD_SRP`, `PASSWORD` for `PASSWORD`), for the user the session is of.
    fn select_challenge(
        &self,
        at: &ClientAt,
        progress: Progress,
        responses: &Params,
    ) -> Result<Value, ServiceError> {
        // The client's secret was checked with this answer.
        match required(responses, "ANSWER")? {
            "PASSWORD_SRP" => self.srp_challenge(at, &progress.username, responses),
            "PASSWORD" => self.check_password(at, &progress.username, responses),
            _ => Err(ServiceError::InvalidParameterException(format!(
                "ANSWER must be one of the AvailableChallenges: {}",
                AVAILABLE_FIRST_FACTORS.join(", ")
            ))),
        }
    }

    /// `USER_PASSWORD_AUTH` / `ADMIN_USER_PASSWORD_AUTH`: the password itself, checked
    /// against the stored verifier; then the same steps as after `PASSWORD_VERIFIER` (a
    /// remembered device named by `DEVICE_KEY`, the second factor, a new password).
    fn password_auth(&self, at: &ClientAt, params: &Params) -> Result<Value, ServiceError> {
        let username = first_step_username(at, params, "PASSWORD")?;
        self.check_password(at, username, params)
    }

    /// The password of `username` in `params`, and the steps after it.
    fn check_password(
        &self,
        at: &ClientAt,
        username: &str,
        params: &Params,
    ) -> Result<Value, ServiceError> {
        let password = required(params, "PASSWORD")?;
        let user = self.find_user(&at.pool, username)?;
        if !self.password_matches(&at.pool, &user, password) {
            return Err(ServiceError::incorrect_password());
        }
        check_may_sign_in(&user)?;
        let device_key = at
            .pool
            .devices()
            .and(params.get("DEVICE_KEY"))
            .map(|key| bounded_device_key(key));
        let device = match device_key {
            None => DeviceState::None,
            Some(key) => self.device_state(&at.pool.id, &user.username, key)?,
        };
        let progress = Progress {
            pool_id: at.pool.id.clone(),
            username: user.username,
            client_id: at.client.client_id.clone(),
            device,
            mfa_passed: false,
            // No SRP_A: a sessionless device step can never be tied to this sign-in, so its
            // device steps need their Session.
            user_srp_a: rand_digest(),
            sessionless: false,
            wrong_codes: 0,
        };
        self.next_step(at, progress)
    }

    /// Where a sign-in goes with the device `key` of `username`: through the device's proof
    /// if it is remembered, straight on if it is only confirmed; "Device does not exist."
    /// otherwise.
    fn device_state(
        &self,
        pool_id: &str,
        username: &str,
        key: String,
    ) -> Result<DeviceState, ServiceError> {
        match self.store.device(pool_id, &key)? {
            Some(row) if row.confirmed && row.username == username => {
                Ok(if row.remembered == "remembered" {
                    DeviceState::Remembered(key)
                } else {
                    DeviceState::NotRemembered(key)
                })
            }
            _ => Err(ServiceError::no_device()),
        }
    }

    /// `USER_SRP_AUTH`: the `PASSWORD_VERIFIER` challenge for `SRP_A`.
    fn user_srp_auth(&self, at: &ClientAt, params: &Params) -> Result<Value, ServiceError> {
        let username = first_step_username(at, params, "SRP_A")?;
        self.srp_challenge(at, username, params)
    }

    /// The `PASSWORD_VERIFIER` challenge of `username` for the `SRP_A` in `params`.
    fn srp_challenge(
        &self,
        at: &ClientAt,
        username: &str,
        params: &Params,
    ) -> Result<Value, ServiceError> {
        let srp_a = required(params, "SRP_A")?;
        let user = self.find_user(&at.pool, username)?;
        let issued = self
            .user_record(&at.pool, &user)?
            .issue_challenge(srp_a, &user.username, &mut rand::rng())
            .map_err(srp_a_error)?;
        let parameters = to_json(&issued.parameters());
        let secret_block = issued
            .parameters()
            .get("SECRET_BLOCK")
            .unwrap_or_default()
            .to_string();
        // Without a DeviceConfiguration the pool tracks no devices: DEVICE_KEY is ignored.
        let initiate_device_key = at
            .pool
            .devices()
            .and(params.get("DEVICE_KEY"))
            .map(|key| bounded_device_key(key));
        let pending = Pending {
            progress: Progress {
                pool_id: at.pool.id.clone(),
                username: user.username,
                client_id: at.client.client_id.clone(),
                device: DeviceState::None,
                mfa_passed: false,
                user_srp_a: sha256(srp_a),
                sessionless: false,
                wrong_codes: 0,
            },
            step: Step::PasswordVerifier {
                issued,
                initiate_device_key,
            },
        };
        Ok(self.ask(
            at,
            pending,
            Some(Handle::SecretBlock(secret_block)),
            "PASSWORD_VERIFIER",
            Value::Object(parameters),
        ))
    }

    pub(super) fn respond_to_auth_challenge(
        &self,
        input: &Input,
        caller: &Caller,
    ) -> Result<Value, ServiceError> {
        let at = self.app_client(input.str("ClientId")?)?;
        let name = input.str("ChallengeName")?;
        let responses = input.opt_params("ChallengeResponses")?.unwrap_or_default();
        let session = input.opt_str("Session")?;
        let handle;
        let lookup = match (session, name) {
            (Some(session), _) => Lookup::Session(session),
            (None, "PASSWORD_VERIFIER" | "DEVICE_PASSWORD_VERIFIER") => {
                let block = required(&responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
                handle = Handle::SecretBlock(block.to_string());
                Lookup::Handle(&handle)
            }
            (None, "DEVICE_SRP_AUTH") => {
                let device_key = required(&responses, "DEVICE_KEY")?;
                let srp_a = required(&responses, "SRP_A")?;
                handle = Handle::Device {
                    pool_id: at.pool.id.clone(),
                    device_key: bounded_device_key(device_key),
                    srp_a: sha256(srp_a),
                };
                Lookup::Handle(&handle)
            }
            (None, _) => return Err(invalid_session()),
        };
        let mut taken = self.sessions.take(lookup).map_err(|error| match name {
            "DEVICE_SRP_AUTH" if matches!(lookup, Lookup::Handle(_)) => device_srp_out_of_order(),
            _ => error,
        })?;
        if taken.pending.progress.client_id != at.client.client_id {
            return Err(invalid_session());
        }
        if taken.pending.step.challenge_name() != name {
            return Err(match name {
                "DEVICE_SRP_AUTH" => device_srp_out_of_order(),
                _ => ServiceError::incorrect_password(),
            });
        }
        taken.pending.progress.sessionless = session.is_none();
        let progress = &taken.pending.progress;
        let mut usernames = vec![progress.username.as_str()];
        if let Some(username) = responses.get("USERNAME") {
            usernames.push(username);
        }
        check_secret_hash(
            &at.client,
            responses.get("SECRET_HASH").map(String::as_str),
            &usernames,
        )?;
        match &taken.pending.step {
            Step::PasswordVerifier { .. } | Step::PasswordProven { .. } => {
                self.answer_password_verifier(&at, taken, input, &responses)
            }
            Step::DeviceSrpAuth => self.device_srp_auth(&at, taken.pending.progress, &responses),
            Step::DevicePasswordVerifier { .. } => {
                self.device_password_verifier(&at, taken.pending, &responses, caller)
            }
            Step::SoftwareTokenMfa => self.software_token_mfa(&at, taken, &responses),
            Step::SmsMfa => self.sms_mfa(&at, taken, &responses),
            Step::SelectMfaType => self.select_mfa_type(&at, taken.pending.progress, &responses),
            Step::MfaSetup => self.mfa_setup_done(&at, taken.pending.progress),
            Step::SelectChallenge => self.select_challenge(&at, taken.pending.progress, &responses),
            Step::NewPasswordRequired => self.new_password(&at, taken.pending.progress, &responses),
        }
    }

    /// `PASSWORD_VERIFIER`: the user's proof, and which device the sign-in goes through.
    fn answer_password_verifier(
        &self,
        at: &ClientAt,
        mut taken: Taken,
        input: &Input,
        responses: &Params,
    ) -> Result<Value, ServiceError> {
        let (proven, initiate_device_key) = match &taken.pending.step {
            Step::PasswordVerifier {
                initiate_device_key,
                ..
            } => (None, initiate_device_key.clone()),
            Step::PasswordProven { signature } => (Some(*signature), None),
            _ => return Err(ServiceError::incorrect_password()),
        };
        // The answer's DEVICE_KEY when it has the entry, `null` meaning none (identity-js's
        // retry after "Device does not exist."); else the one InitiateAuth named. A pool that
        // tracks no devices ignores both.
        let device_key = if at.pool.devices().is_none()
            || input.is_null_entry("ChallengeResponses", "DEVICE_KEY")
        {
            None
        } else {
            responses
                .get("DEVICE_KEY")
                .map(|key| bounded_device_key(key))
                .or(initiate_device_key)
        };
        let username = taken.pending.progress.username.clone();
        let signature = sha256(required(responses, "PASSWORD_CLAIM_SIGNATURE")?);
        let device = match device_key.map(|key| self.device_state(&at.pool.id, &username, key)) {
            None => DeviceState::None,
            Some(Ok(device)) => device,
            // An unknown device is told only to a caller who proved the password: otherwise
            // anyone could learn, without it, whether a device key is a user's. A right
            // proof keeps the sign-in once more, proven, until its session would have ended,
            // for the client's retry of the same answer without the device (identity-js's).
            Some(Err(error)) => {
                if proven.is_some() {
                    return Err(error);
                }
                let step =
                    std::mem::replace(&mut taken.pending.step, Step::PasswordProven { signature });
                let Step::PasswordVerifier { issued, .. } = step else {
                    return Err(ServiceError::incorrect_password());
                };
                self.check_proof(issued, responses)?;
                self.sessions.restore(taken);
                return Err(error);
            }
        };
        let mut progress = match proven {
            // The retry: the same proof, already checked.
            Some(expected) => {
                if !bool::from(subtle::ConstantTimeEq::ct_eq(&expected[..], &signature[..])) {
                    return Err(ServiceError::incorrect_password());
                }
                taken.pending.progress
            }
            None => {
                let Pending { progress, step } = taken.pending;
                let Step::PasswordVerifier { issued, .. } = step else {
                    return Err(ServiceError::incorrect_password());
                };
                self.check_proof(issued, responses)?;
                progress
            }
        };
        let user = self.user(&at.pool, &progress.username)?;
        check_may_sign_in(&user)?;
        progress.device = device;
        self.next_step(at, progress)
    }

    /// `DEVICE_SRP_AUTH`: the device's `DEVICE_PASSWORD_VERIFIER` challenge for its new `SRP_A`.
    fn device_srp_auth(
        &self,
        at: &ClientAt,
        progress: Progress,
        responses: &Params,
    ) -> Result<Value, ServiceError> {
        let device_key = required(responses, "DEVICE_KEY")?;
        let srp_a = required(responses, "SRP_A")?;
        required(responses, "USERNAME")?;
        if Some(device_key) != progress.device.key() {
            return Err(ServiceError::incorrect_password());
        }
        let device = self.confirmed_device(&at.pool.id, device_key, &progress.username)?;
        let issued = device_record(&device)?
            .issue_challenge(srp_a, &progress.username, &mut rand::rng())
            .map_err(srp_a_error)?;
        let mut parameters = to_json(&issued.parameters());
        // The service names the device in the challenge too; cognito-srp-helper reads it there.
        parameters.insert("DEVICE_KEY".into(), json!(device_key));
        let secret_block = issued
            .parameters()
            .get("SECRET_BLOCK")
            .unwrap_or_default()
            .to_string();
        let pending = Pending {
            progress,
            step: Step::DevicePasswordVerifier { issued },
        };
        Ok(self.ask(
            at,
            pending,
            Some(Handle::SecretBlock(secret_block)),
            "DEVICE_PASSWORD_VERIFIER",
            Value::Object(parameters),
        ))
    }

    /// `DEVICE_PASSWORD_VERIFIER`: the device's proof.
    fn device_password_verifier(
        &self,
        at: &ClientAt,
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
        self.confirmed_device(&at.pool.id, &device_key, &progress.username)?;
        self.check_proof(issued, responses)?;
        self.store
            .touch_device(&device_key, &caller.ip, self.now())?;
        progress.device = DeviceState::Authenticated(device_key);
        self.next_step(at, progress)
    }

    /// `MFA_SETUP` answered: `VerifySoftwareToken` gave the user a software token meanwhile.
    fn mfa_setup_done(&self, at: &ClientAt, mut progress: Progress) -> Result<Value, ServiceError> {
        let user = self.user(&at.pool, &progress.username)?;
        if user.totp_secret.is_none() {
            return Err(ServiceError::InvalidParameterException(
                "Software token MFA has not been set up: call AssociateSoftwareToken and \
                 VerifySoftwareToken with this Session first."
                    .into(),
            ));
        }
        // Setting the token up proved the user holds it.
        progress.mfa_passed = true;
        self.next_step(at, progress)
    }

    /// `NEW_PASSWORD_REQUIRED`: an administrator-created user sets a password.
    fn new_password(
        &self,
        at: &ClientAt,
        progress: Progress,
        responses: &Params,
    ) -> Result<Value, ServiceError> {
        let password = required(responses, "NEW_PASSWORD")?;
        super::users::check_password(&at.pool, password)?;
        let (salt_hex, verifier_hex) = self.new_verifier(&at.pool, &progress.username, password)?;
        self.store.set_user_password(
            &at.pool.id,
            &progress.username,
            &salt_hex,
            &verifier_hex,
            UserStatus::Confirmed,
            self.now(),
        )?;
        self.next_step(at, progress)
    }

    /// What comes after a passed step: the next challenge, or the tokens.
    pub(super) fn next_step(
        &self,
        at: &ClientAt,
        progress: Progress,
    ) -> Result<Value, ServiceError> {
        let user = self.user(&at.pool, &progress.username)?;
        if user.status == UserStatus::ForceChangePassword {
            let parameters = json!({
                "USER_ID_FOR_SRP": user.username,
                "requiredAttributes": "[]",
                "userAttributes": user.attributes,
            });
            return Ok(self.ask(
                at,
                Pending {
                    progress,
                    step: Step::NewPasswordRequired,
                },
                None,
                "NEW_PASSWORD_REQUIRED",
                parameters,
            ));
        }
        if let DeviceState::Remembered(key) = &progress.device {
            // A sessionless client finds this step by the device and its USER_SRP_AUTH SRP_A;
            // a client that sends Sessions only by its Session (sessions.rs says why).
            let handle = progress.sessionless.then(|| Handle::Device {
                pool_id: progress.pool_id.clone(),
                device_key: key.clone(),
                srp_a: progress.user_srp_a,
            });
            let parameters = json!({ "USERNAME": progress.username });
            return Ok(self.ask(
                at,
                Pending {
                    progress,
                    step: Step::DeviceSrpAuth,
                },
                handle,
                "DEVICE_SRP_AUTH",
                parameters,
            ));
        }
        // ChallengeRequiredOnNewDevice: a remembered device's proof stands in for the second
        // factor; without the setting, MFA is asked for on every sign-in.
        let device_stands_in = matches!(progress.device, DeviceState::Authenticated(_))
            && at
                .pool
                .devices()
                .and_then(|config| config.challenge_required_on_new_device)
                .unwrap_or(false);
        if !progress.mfa_passed && !device_stands_in {
            return self.second_factor(at, progress, &user);
        }
        self.sign_in_tokens(at, &progress, &user)
    }

    /// Keeps `pending` for its client's session lifetime, findable by `handle` too, and
    /// answers with challenge `name` and its `parameters`.
    pub(super) fn ask(
        &self,
        at: &ClientAt,
        pending: Pending,
        handle: Option<Handle>,
        name: &str,
        parameters: Value,
    ) -> Value {
        let session = self
            .sessions
            .insert(pending, handle, at.client.session_seconds());
        challenge(name, parameters, &session)
    }

    /// The end of a sign-in: tokens, and `NewDeviceMetadata` when the pool tracks devices and
    /// the sign-in went through none.
    pub(super) fn sign_in_tokens(
        &self,
        at: &ClientAt,
        progress: &Progress,
        user: &UserRow,
    ) -> Result<Value, ServiceError> {
        let now = self.now();
        let (device_key, new_device) = match (progress.device.key(), at.pool.devices()) {
            (Some(key), _) => (Some(key.to_string()), None),
            (None, None) => (None, None),
            (None, Some(_)) => {
                let key = format!("{}_{}", at.pool.region(), uuid::Uuid::new_v4());
                self.store.issue_device(&DeviceRow {
                    device_key: key.clone(),
                    pool_id: at.pool.id.clone(),
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
                (Some(key), Some(metadata))
            }
        };
        let origin_jti = uuid::Uuid::new_v4().to_string();
        // Bound to the device: a refresh must name it ("Invalid Refresh Token." otherwise).
        let refresh_token =
            self.new_refresh_token(at, user, device_key.clone(), now, &origin_jti)?;
        let mut result = self.token_pair(at, user, device_key.as_deref(), now, &origin_jti)?;
        result.insert("RefreshToken".into(), json!(refresh_token));
        if let Some(metadata) = new_device {
            result.insert("NewDeviceMetadata".into(), metadata);
        }
        Ok(json!({ "ChallengeParameters": {}, "AuthenticationResult": result }))
    }

    /// `AccessToken`, `IdToken`, `ExpiresIn`, `TokenType`, lasting as the client says.
    pub(super) fn token_pair(
        &self,
        at: &ClientAt,
        user: &UserRow,
        device_key: Option<&str>,
        auth_time: i64,
        origin_jti: &str,
    ) -> Result<Map<String, Value>, ServiceError> {
        let attributes = user.attribute_map();
        let access_seconds = at.client.settings.access_seconds()?;
        let (access, id) = self.signer.tokens(
            &self.issuer(&at.pool.id),
            &Subject {
                sub: &user.sub,
                username: &user.username,
                client_id: &at.client.client_id,
                device_key,
                auth_time,
                origin_jti,
                attributes: &attributes,
            },
            self.now(),
            access_seconds,
            at.client.settings.id_seconds()?,
        )?;
        let mut result = Map::new();
        result.insert("AccessToken".into(), json!(access));
        result.insert("ExpiresIn".into(), json!(access_seconds));
        result.insert("IdToken".into(), json!(id));
        result.insert("TokenType".into(), json!("Bearer"));
        Ok(result)
    }

    /// A confirmed device of `username` in `pool_id`, or "Device does not exist.".
    pub(super) fn confirmed_device(
        &self,
        pool_id: &str,
        device_key: &str,
        username: &str,
    ) -> Result<DeviceRow, ServiceError> {
        match self.store.device(pool_id, device_key)? {
            Some(row) if row.confirmed && row.username == username => Ok(row),
            _ => Err(ServiceError::no_device()),
        }
    }

    /// Checks a `*PASSWORD_VERIFIER` answer against the challenge it answers, which is used
    /// up, at the service's clock.
    ///
    /// Only the entries a proof is made of reach the core's check, which refuses any other: the
    /// service ignores the rest (cognito-srp-helper adds `SRP_A` to every answer and signs in
    /// against AWS), so an extra entry must never turn a right password into a wrong one.
    fn check_proof(&self, issued: IssuedChallenge, responses: &Params) -> Result<(), ServiceError> {
        check_timestamp_form(responses)?;
        let now = Timestamp::from_unix_seconds(self.now()).map_err(clock_error)?;
        let proof = responses
            .iter()
            .filter(|(name, _)| IssuedChallenge::RESPONSE_NAMES.contains(&name.as_str()));
        issued
            .verify(proof, now, CLOCK_SKEW_SECS)
            .map_err(proof_error)
    }
}

/// The `USERNAME` of a sign-in's first step, which must carry `proof` (`PASSWORD` or `SRP_A`)
/// too; its `SECRET_HASH` is checked here, before the user is looked up, so a caller without
/// the client secret learns nothing of users.
fn first_step_username<'p>(
    at: &ClientAt,
    params: &'p Params,
    proof: &str,
) -> Result<&'p str, ServiceError> {
    let username = required(params, "USERNAME")?;
    required(params, proof)?;
    check_secret_hash(
        &at.client,
        params.get("SECRET_HASH").map(String::as_str),
        &[username],
    )?;
    Ok(username)
}

/// After a right password: a user who may not sign in yet (unconfirmed, or reset by an
/// administrator) or any more (disabled) is told so. Only after the password, so the answer
/// tells nothing about an account to someone who does not know its password.
fn check_may_sign_in(user: &UserRow) -> Result<(), ServiceError> {
    super::refresh::check_enabled(user)?;
    match user.status {
        UserStatus::Unconfirmed => Err(ServiceError::UserNotConfirmedException(
            "User is not confirmed.".into(),
        )),
        UserStatus::ResetRequired => Err(ServiceError::PasswordResetRequiredException(
            "Password reset required for the user".into(),
        )),
        UserStatus::Confirmed | UserStatus::ForceChangePassword => Ok(()),
    }
}

/// The first factors a `USER_AUTH` sign-in may choose here: the password, sent or proved.
const AVAILABLE_FIRST_FACTORS: [&str; 2] = ["PASSWORD", "PASSWORD_SRP"];

/// A `DEVICE_KEY` as kept: a longer one than the service's 55 characters can name no device,
/// and is kept as the empty key, which names none either.
fn bounded_device_key(key: &str) -> String {
    if key.len() <= MAX_DEVICE_KEY {
        key.to_string()
    } else {
        String::new()
    }
}

/// 32 random bytes, standing where an `SRP_A` digest would: they match no answer.
fn rand_digest() -> [u8; 32] {
    use rand::Rng;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

fn not_supported() -> ServiceError {
    ServiceError::InvalidParameterException("Initiate Auth method not supported.".into())
}

fn unknown_flow() -> ServiceError {
    ServiceError::InvalidParameterException(
        "1 validation error detected: Value at 'authFlow' failed to satisfy constraint: Member \
         must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, \
         CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]"
            .into(),
    )
}

/// SHA-256 of a text.
fn sha256(text: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes()).into()
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

/// A `TIMESTAMP` that is not of the form at all is `InvalidParameterException`; one of the
/// form with a wrong value (a zero-padded day, a wrong weekday, far from now) is a refused
/// proof, checked by the core with the signature.
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

//! Software token MFA set-up: `AssociateSoftwareToken` makes a TOTP secret for the user (by
//! access token, or by the `Session` of an `MFA_SETUP` challenge), `VerifySoftwareToken`
//! checks a code of it and gives the user the token, and `SetUserMFAPreference` /
//! `AdminSetUserMFAPreference` turn it on or off. The secret is kept (base32) until the code
//! proves the user's app has it; codes are RFC 6238 (`totp`).

use super::{Service, UserBy};
use crate::{
    error::ServiceError,
    input::Input,
    model::pool::UserPool,
    sessions::{Lookup, Step},
    store::UserRow,
};
use serde_json::{Value, json};

/// Bytes of a new TOTP secret: 160 bits, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;

impl Service {
    /// The user an `AccessToken` or an `MFA_SETUP` `Session` names, and, for a session, the
    /// new session that carries the sign-in on.
    fn token_or_session_user(
        &self,
        input: &Input,
    ) -> Result<(UserPool, UserRow, Option<String>), ServiceError> {
        if let Some(token) = input.opt_str("AccessToken")? {
            let (pool, claims) = self.access_token(token)?;
            let user = self.user(&pool, &claims.username)?;
            return Ok((pool, user, None));
        }
        let Some(session) = input.opt_str("Session")? else {
            return Err(ServiceError::missing("AccessToken"));
        };
        // The session is spent and the sign-in goes on under a new one, as the service
        // returns a new Session from each call.
        let taken = self
            .sessions
            .take(Lookup::Session(session))
            .map_err(|_| crate::sessions::invalid_session())?;
        if !matches!(taken.pending.step, Step::MfaSetup) {
            return Err(crate::sessions::invalid_session());
        }
        let at = self.app_client(&taken.pending.progress.client_id)?;
        let user = self.user(&at.pool, &taken.pending.progress.username)?;
        let next = self
            .sessions
            .insert(taken.pending, None, at.client.session_seconds());
        Ok((at.pool, user, Some(next)))
    }

    pub(super) fn associate_software_token(&self, input: &Input) -> Result<Value, ServiceError> {
        let (pool, user, session) = self.token_or_session_user(input)?;
        use rand::Rng;
        let mut bytes = zeroize::Zeroizing::new([0u8; SECRET_BYTES]);
        rand::rng().fill_bytes(bytes.as_mut_slice());
        let secret = zeroize::Zeroizing::new(data_encoding::BASE32_NOPAD.encode(bytes.as_slice()));
        self.store
            .set_user_totp_pending(&pool.id, &user.username, Some(&secret))?;
        let mut output = json!({ "SecretCode": secret.as_str() });
        if let (Some(session), Some(object)) = (session, output.as_object_mut()) {
            object.insert("Session".into(), json!(session));
        }
        Ok(output)
    }

    pub(super) fn verify_software_token(&self, input: &Input) -> Result<Value, ServiceError> {
        let code = input.str("UserCode")?;
        let (pool, user, session) = self.token_or_session_user(input)?;
        let pending = self.store.user_totp_pending(&pool.id, &user.username)?;
        let Some(pending) = pending.map(zeroize::Zeroizing::new) else {
            return Err(ServiceError::InvalidParameterException(
                "User has not associated a software token: call AssociateSoftwareToken first."
                    .into(),
            ));
        };
        let Some(step) = crate::totp::decode_secret(&pending)
            .and_then(|secret| crate::totp::matching_step(&secret, code, self.now()))
        else {
            return Err(ServiceError::EnableSoftwareTokenMFAException(
                "Code mismatch and fail enable Software Token MFA".into(),
            ));
        };
        self.spend_totp_step(&user, step)?;
        self.store
            .set_user_totp(&pool.id, &user.username, Some(&pending))?;
        self.store
            .set_user_totp_pending(&pool.id, &user.username, None)?;
        let mut output = json!({ "Status": "SUCCESS" });
        if let (Some(session), Some(object)) = (session, output.as_object_mut()) {
            object.insert("Session".into(), json!(session));
        }
        Ok(output)
    }

    /// Spends the TOTP step a code matched: a code is accepted once (RFC 6238 section 5.2), and
    /// so is any code of an earlier step.
    pub(super) fn spend_totp_step(&self, user: &UserRow, step: i64) -> Result<(), ServiceError> {
        if self
            .store
            .use_totp_step(&user.pool_id, &user.username, step)?
        {
            Ok(())
        } else {
            Err(ServiceError::ExpiredCodeException(
                "Your software token has already been used once.".into(),
            ))
        }
    }

    /// `SetUserMFAPreference` and `AdminSetUserMFAPreference`.
    pub(super) fn set_user_mfa_preference(
        &self,
        input: &Input,
        by: UserBy,
    ) -> Result<Value, ServiceError> {
        let (pool, user) = self.user_by(input, by)?;
        self.mfa_preference(input, &pool, &user)
    }

    /// `SoftwareTokenMfaSettings` and `SMSMfaSettings`, each `{Enabled, PreferredMfa}`: a
    /// software token is turned on only once verified and off by forgetting it; SMS needs a
    /// `phone_number`; a factor preferred is turned on, and at most one is preferred.
    fn mfa_preference(
        &self,
        input: &Input,
        pool: &UserPool,
        user: &UserRow,
    ) -> Result<Value, ServiceError> {
        let totp = input.opt_object("SoftwareTokenMfaSettings")?;
        let sms = input.opt_object("SMSMfaSettings")?;
        let read = |settings: &Option<Input>| -> Result<(Option<bool>, bool), ServiceError> {
            match settings {
                None => Ok((None, false)),
                Some(settings) => {
                    let preferred = settings.opt_bool("PreferredMfa")?.unwrap_or(false);
                    let enabled = settings.opt_bool("Enabled")?;
                    Ok((enabled.or(preferred.then_some(true)), preferred))
                }
            }
        };
        let (totp_enabled, totp_preferred) = read(&totp)?;
        let (sms_enabled, sms_preferred) = read(&sms)?;
        if totp_preferred && sms_preferred {
            return Err(ServiceError::InvalidParameterException(
                "Only one MFA method can be preferred.".into(),
            ));
        }
        if totp_enabled == Some(true) && user.totp_secret.is_none() {
            return Err(ServiceError::InvalidParameterException(
                "User has not verified software token mfa".into(),
            ));
        }
        let has_phone = serde_json::from_str::<serde_json::Map<String, Value>>(&user.attributes)
            .is_ok_and(|attributes| attributes.contains_key("phone_number"));
        if sms_enabled == Some(true) && !has_phone {
            return Err(ServiceError::InvalidParameterException(
                "User does not have a phone_number for SMS MFA.".into(),
            ));
        }
        if totp_enabled == Some(false) {
            self.store.set_user_totp(&pool.id, &user.username, None)?;
        }
        let sms_on = sms_enabled.unwrap_or(user.sms_mfa);
        let mut preferred = user.preferred_mfa.clone();
        if totp_preferred {
            preferred = Some("SOFTWARE_TOKEN_MFA".into());
        } else if sms_preferred {
            preferred = Some("SMS_MFA".into());
        }
        // A factor turned off is no longer preferred.
        let off = |name: &str| match name {
            "SMS_MFA" => !sms_on,
            _ => totp_enabled == Some(false),
        };
        if preferred.as_deref().is_some_and(off) {
            preferred = None;
        }
        self.store
            .set_user_mfa(&pool.id, &user.username, sms_on, preferred.as_deref())?;
        Ok(json!({}))
    }
}

//! The second factor of a sign-in, in a pool whose `MfaConfiguration` is `ON` or `OPTIONAL`:
//! `SOFTWARE_TOKEN_MFA` (an RFC 6238 code, accepted once), `SMS_MFA` (a code "sent" by SMS:
//! logged and kept for the codes endpoint, as `codes` does), `SELECT_MFA_TYPE` when the user
//! has both and prefers neither, and `MFA_SETUP` when the pool requires a factor the user does
//! not have yet.
//!
//! A wrong code keeps the sign-in's session for another try, up to [`MAX_WRONG_CODES`] wrong
//! codes; the last one ends it.

use super::{ClientAt, Service, required};
use crate::{
    error::ServiceError,
    input::Params,
    model::pool::MfaConfiguration,
    sessions::{Pending, Progress, Step, Taken},
    store::{CodePurpose, UserRow},
};
use serde_json::{Map, Value, json};
use subtle::ConstantTimeEq;

/// Wrong MFA codes one sign-in may answer. The service's limit is not documented; five, as
/// its code-confirmation limits are said to start at five.
const MAX_WRONG_CODES: u32 = 5;

/// A second factor a user can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Factor {
    /// `SMS_MFA`.
    Sms,
    /// `SOFTWARE_TOKEN_MFA`.
    SoftwareToken,
}

impl Factor {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "SMS_MFA",
            Self::SoftwareToken => "SOFTWARE_TOKEN_MFA",
        }
    }
}

/// The factors a user has turned on: SMS with a phone number to send to, a verified software
/// token.
pub(super) fn factors(user: &UserRow) -> Vec<Factor> {
    let mut factors = Vec::new();
    if user.sms_mfa && phone_number(user).is_some() {
        factors.push(Factor::Sms);
    }
    if user.totp_secret.is_some() {
        factors.push(Factor::SoftwareToken);
    }
    factors
}

/// `UserMFASettingList` and `PreferredMfaSetting`, as `GetUser` and `AdminGetUser` add them.
pub(super) fn mfa_settings(user: &UserRow, output: &mut Map<String, Value>) {
    let factors = factors(user);
    if factors.is_empty() {
        return;
    }
    let preferred = user
        .preferred_mfa
        .as_deref()
        .filter(|name| factors.iter().any(|factor| factor.as_str() == *name))
        .or(match factors.as_slice() {
            [only] => Some(only.as_str()),
            _ => None,
        });
    if let Some(preferred) = preferred {
        output.insert("PreferredMfaSetting".into(), json!(preferred));
    }
    let names: Vec<&str> = factors.iter().map(|factor| factor.as_str()).collect();
    output.insert("UserMFASettingList".into(), json!(names));
}

fn phone_number(user: &UserRow) -> Option<String> {
    let attributes = user.attribute_map();
    attributes
        .get("phone_number")
        .and_then(Value::as_str)
        .map(str::to_string)
}

impl Service {
    /// After the first factor (and a device that does not stand in): the second factor's
    /// challenge if the pool asks for one and the user has or must set one up, else tokens.
    pub(super) fn second_factor(
        &self,
        at: &ClientAt,
        progress: Progress,
        user: &UserRow,
    ) -> Result<Value, ServiceError> {
        let mfa = at.pool.mfa();
        if mfa == MfaConfiguration::Off {
            return self.sign_in_tokens(at, &progress, user);
        }
        let factors = factors(user);
        let preferred = user
            .preferred_mfa
            .as_deref()
            .and_then(|name| factors.iter().find(|factor| factor.as_str() == name));
        match (factors.as_slice(), preferred) {
            ([], _) if mfa == MfaConfiguration::On => {
                let parameters = json!({
                    "MFAS_CAN_SETUP": "[\"SOFTWARE_TOKEN_MFA\"]",
                    "USER_ID_FOR_SRP": user.username,
                });
                Ok(self.ask_step(at, progress, Step::MfaSetup, parameters))
            }
            ([], _) => self.sign_in_tokens(at, &progress, user),
            ([only], _) | (_, Some(only)) => self.ask_factor(at, progress, user, *only),
            (several, None) => {
                let names: Vec<&str> = several.iter().map(|factor| factor.as_str()).collect();
                let parameters = json!({
                    "MFAS_CAN_CHOOSE": serde_json::to_string(&names).unwrap_or_default(),
                    "USER_ID_FOR_SRP": user.username,
                });
                Ok(self.ask_step(at, progress, Step::SelectMfaType, parameters))
            }
        }
    }

    /// The challenge of one factor; for SMS, a new code "sent".
    fn ask_factor(
        &self,
        at: &ClientAt,
        progress: Progress,
        user: &UserRow,
        factor: Factor,
    ) -> Result<Value, ServiceError> {
        match factor {
            Factor::SoftwareToken => {
                let parameters = json!({ "USER_ID_FOR_SRP": user.username });
                Ok(self.ask_step(at, progress, Step::SoftwareTokenMfa, parameters))
            }
            Factor::Sms => {
                let details = self
                    .send_code(&at.pool, user, CodePurpose::SmsMfa)?
                    .ok_or_else(|| {
                        ServiceError::InvalidParameterException(
                            "The user has SMS MFA but no phone_number to send a code to.".into(),
                        )
                    })?;
                let parameters = json!({
                    "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
                    "CODE_DELIVERY_DESTINATION": details.get("Destination"),
                    "USER_ID_FOR_SRP": user.username,
                });
                Ok(self.ask_step(at, progress, Step::SmsMfa, parameters))
            }
        }
    }

    fn ask_step(&self, at: &ClientAt, progress: Progress, step: Step, parameters: Value) -> Value {
        let name = step.challenge_name();
        self.ask(at, Pending { progress, step }, None, name, parameters)
    }

    /// `SELECT_MFA_TYPE`: `ANSWER` names one of the user's factors, whose challenge follows.
    pub(super) fn select_mfa_type(
        &self,
        at: &ClientAt,
        progress: Progress,
        responses: &Params,
    ) -> Result<Value, ServiceError> {
        let user = self.user(&at.pool, &progress.username)?;
        let answer = required(responses, "ANSWER")?;
        let factor = factors(&user)
            .into_iter()
            .find(|factor| factor.as_str() == answer)
            .ok_or_else(|| {
                ServiceError::InvalidParameterException(
                    "ANSWER must be one of MFAS_CAN_CHOOSE.".into(),
                )
            })?;
        self.ask_factor(at, progress, &user, factor)
    }

    /// `SOFTWARE_TOKEN_MFA`: the TOTP code, of the current step or one either side, not used
    /// before.
    pub(super) fn software_token_mfa(
        &self,
        at: &ClientAt,
        taken: Taken,
        responses: &Params,
    ) -> Result<Value, ServiceError> {
        let code = required(responses, "SOFTWARE_TOKEN_MFA_CODE")?;
        let user = self.user(&at.pool, &taken.pending.progress.username)?;
        let secret = user
            .totp_secret
            .as_deref()
            .and_then(crate::totp::decode_secret);
        let step = secret.and_then(|secret| crate::totp::matching_step(&secret, code, self.now()));
        let accepted = match step {
            None => Err(ServiceError::CodeMismatchException(
                "Invalid code received for user".into(),
            )),
            // A code already used is refused as the service refuses it.
            Some(step) => self.spend_totp_step(&user, step),
        };
        self.factor_passed(at, taken, accepted)
    }

    /// `SMS_MFA`: the code last sent for this sign-in, in time.
    pub(super) fn sms_mfa(
        &self,
        at: &ClientAt,
        taken: Taken,
        responses: &Params,
    ) -> Result<Value, ServiceError> {
        let given = required(responses, "SMS_MFA_CODE")?;
        let username = taken.pending.progress.username.clone();
        let sent = self
            .store
            .code(&at.pool.id, &username, CodePurpose::SmsMfa)?
            .filter(|sent| sent.expires > self.now());
        let right =
            sent.is_some_and(|sent| bool::from(sent.code.as_bytes().ct_eq(given.as_bytes())));
        let accepted = if right {
            self.store
                .delete_code(&at.pool.id, &username, CodePurpose::SmsMfa)?;
            Ok(())
        } else {
            Err(ServiceError::CodeMismatchException(
                "Invalid code or auth state for the user.".into(),
            ))
        };
        self.factor_passed(at, taken, accepted)
    }

    /// Goes on after a right code; after a wrong one keeps the session for another try, unless
    /// that was the last wrong code allowed.
    fn factor_passed(
        &self,
        at: &ClientAt,
        mut taken: Taken,
        accepted: Result<(), ServiceError>,
    ) -> Result<Value, ServiceError> {
        if let Err(refusal) = accepted {
            taken.pending.progress.wrong_codes += 1;
            if taken.pending.progress.wrong_codes < MAX_WRONG_CODES {
                self.sessions.restore(taken);
            }
            return Err(refusal);
        }
        let mut progress = taken.pending.progress;
        progress.mfa_passed = true;
        self.next_step(at, progress)
    }
}

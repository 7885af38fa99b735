//! Codes the service sends a user: the sign-up confirmation code (`SignUp`,
//! `ResendConfirmationCode`, `ConfirmSignUp`) and the password-reset code (`ForgotPassword`,
//! `AdminResetUserPassword`, `ConfirmForgotPassword`).
//!
//! The emulator sends nothing: a code is written to the log at info level and kept for the
//! emulator-only endpoint `GET /_emulator/{pool-id}/codes` (README), until it is used, replaced
//! by a new one, or has been guessed wrong [`MAX_ATTEMPTS`] times. A code goes where the service
//! would send it, and the answer names that place masked, as `CodeDeliveryDetails` does: a
//! sign-up code to an attribute the pool's `AutoVerifiedAttributes` names (e-mail first); a
//! reset code to a verified phone number, else a verified e-mail address (the service's order
//! without an `AccountRecoverySetting`).

use super::Service;
use crate::{
    error::ServiceError,
    input::Input,
    model::pool::UserPool,
    store::{CodePurpose, CodeRow, UserRow, UserStatus},
};
use serde_json::{Map, Value, json};
use subtle::ConstantTimeEq;

/// Wrong guesses a code survives; the next wrong one spends it.
pub(super) const MAX_ATTEMPTS: u32 = 5;
/// A sign-up code lasts 24 hours, a password-reset code one hour (the service's documented
/// validity periods).
const SIGN_UP_SECONDS: i64 = 24 * 3600;
const RESET_SECONDS: i64 = 3600;
/// An SMS MFA code lasts three minutes, the service's default session length.
const SMS_MFA_SECONDS: i64 = 180;

/// Where a code went.
struct Delivery {
    /// `EMAIL` or `SMS`.
    medium: &'static str,
    /// `email` or `phone_number`.
    attribute: &'static str,
    /// The address, masked.
    destination: String,
}

impl Delivery {
    fn details(&self) -> Value {
        json!({
            "Destination": self.destination,
            "DeliveryMedium": self.medium,
            "AttributeName": self.attribute,
        })
    }
}

impl Service {
    /// Sends a new code for `purpose` to `user` (logged and kept, never sent), if the user has
    /// somewhere it could go; `None` otherwise.
    pub(super) fn send_code(
        &self,
        pool: &UserPool,
        user: &UserRow,
        purpose: CodePurpose,
    ) -> Result<Option<Value>, ServiceError> {
        let attributes = user.attribute_map();
        let Some(delivery) = delivery(pool, &attributes, purpose) else {
            return Ok(None);
        };
        let code = new_code();
        let lifetime = match purpose {
            CodePurpose::SignUp => SIGN_UP_SECONDS,
            CodePurpose::ForgotPassword => RESET_SECONDS,
            CodePurpose::SmsMfa => SMS_MFA_SECONDS,
        };
        self.store.set_code(&CodeRow {
            pool_id: pool.id.clone(),
            username: user.username.clone(),
            purpose,
            code: code.clone(),
            expires: self.now().saturating_add(lifetime),
            attempts: 0,
        })?;
        // The emulator's "delivery": a developer reads it here or from the codes endpoint.
        tracing::info!(
            pool = ?pool.id,
            username = ?user.username,
            purpose = purpose.as_str(),
            medium = delivery.medium,
            code = %code,
            "code sent (emulated: not delivered)"
        );
        Ok(Some(delivery.details()))
    }

    /// Checks and spends a code: right and in time, or the service's refusal; a wrong guess
    /// counts, and the last allowed one spends the code.
    pub(super) fn use_code(
        &self,
        pool: &UserPool,
        user: &UserRow,
        purpose: CodePurpose,
        given: &str,
    ) -> Result<(), ServiceError> {
        let expired = || {
            ServiceError::ExpiredCodeException(
                "Invalid code provided, please request a code again.".into(),
            )
        };
        let Some(row) = self.store.code(&pool.id, &user.username, purpose)? else {
            return Err(expired());
        };
        if row.expires <= self.now() {
            self.store.delete_code(&pool.id, &user.username, purpose)?;
            return Err(expired());
        }
        if !bool::from(row.code.as_bytes().ct_eq(given.as_bytes())) {
            let attempts = self.store.code_attempt(&pool.id, &user.username, purpose)?;
            if attempts >= MAX_ATTEMPTS {
                self.store.delete_code(&pool.id, &user.username, purpose)?;
                return Err(ServiceError::LimitExceededException(
                    "Attempt limit exceeded, please try after some time.".into(),
                ));
            }
            return Err(ServiceError::CodeMismatchException(
                "Invalid verification code provided, please try again.".into(),
            ));
        }
        self.store.delete_code(&pool.id, &user.username, purpose)?;
        Ok(())
    }

    pub(super) fn confirm_sign_up(&self, input: &Input) -> Result<Value, ServiceError> {
        let (at, username) = self.client_and_username(input)?;
        let code = input.str("ConfirmationCode")?;
        let user = self.named_user(&at, input, username)?;
        if user.status != UserStatus::Unconfirmed {
            return Err(ServiceError::NotAuthorizedException(format!(
                "User cannot be confirmed. Current status is {}",
                user.status.as_str()
            )));
        }
        self.use_code(&at.pool, &user, CodePurpose::SignUp, code)?;
        self.store.set_user_status(
            &at.pool.id,
            &user.username,
            UserStatus::Confirmed,
            self.now(),
        )?;
        self.mark_delivery_verified(&at.pool, &user)?;
        Ok(json!({}))
    }

    pub(super) fn resend_confirmation_code(&self, input: &Input) -> Result<Value, ServiceError> {
        let (at, username) = self.client_and_username(input)?;
        let user = self.named_user(&at, input, username)?;
        if user.status != UserStatus::Unconfirmed {
            return Err(ServiceError::InvalidParameterException(
                "User is already confirmed.".into(),
            ));
        }
        match self.send_code(&at.pool, &user, CodePurpose::SignUp)? {
            Some(details) => Ok(json!({ "CodeDeliveryDetails": details })),
            None => Err(ServiceError::InvalidParameterException(
                "Auto verification not turned on.".into(),
            )),
        }
    }

    pub(super) fn forgot_password(&self, input: &Input) -> Result<Value, ServiceError> {
        let (at, username) = self.client_and_username(input)?;
        let user = self.named_user(&at, input, username)?;
        super::refresh::check_enabled(&user)?;
        match self.send_code(&at.pool, &user, CodePurpose::ForgotPassword)? {
            Some(details) => Ok(json!({ "CodeDeliveryDetails": details })),
            None => Err(no_verified_address()),
        }
    }

    pub(super) fn confirm_forgot_password(&self, input: &Input) -> Result<Value, ServiceError> {
        let (at, username) = self.client_and_username(input)?;
        let code = input.str("ConfirmationCode")?;
        let password = input.str("Password")?;
        let user = self.named_user(&at, input, username)?;
        super::users::check_password(&at.pool, password)?;
        self.use_code(&at.pool, &user, CodePurpose::ForgotPassword, code)?;
        self.set_password(&at.pool, &user, password, true)?;
        Ok(json!({}))
    }

    pub(super) fn admin_reset_user_password(&self, input: &Input) -> Result<Value, ServiceError> {
        let (pool, user) = self.admin_user(input)?;
        super::refresh::check_enabled(&user)?;
        if self
            .send_code(&pool, &user, CodePurpose::ForgotPassword)?
            .is_none()
        {
            return Err(no_verified_address());
        }
        // A user who never confirmed keeps that status; anyone else must reset.
        if user.status != UserStatus::Unconfirmed {
            self.store.set_user_status(
                &pool.id,
                &user.username,
                UserStatus::ResetRequired,
                self.now(),
            )?;
        }
        Ok(json!({}))
    }

    /// `<attribute>_verified` becomes `"true"` for where the confirmation code went.
    fn mark_delivery_verified(&self, pool: &UserPool, user: &UserRow) -> Result<(), ServiceError> {
        let mut attributes = user.attribute_map();
        let Some(delivery) = delivery(pool, &attributes, CodePurpose::SignUp) else {
            return Ok(());
        };
        attributes.insert(format!("{}_verified", delivery.attribute), json!("true"));
        self.save_attributes(pool, user, attributes)?;
        Ok(())
    }
}

/// Where a code for `purpose` to a user with `attributes` goes, if anywhere.
fn delivery(
    pool: &UserPool,
    attributes: &Map<String, Value>,
    purpose: CodePurpose,
) -> Option<Delivery> {
    let value = |name: &str| attributes.get(name).and_then(Value::as_str);
    let verified = |name: &str| value(&format!("{name}_verified")) == Some("true");
    let email = |address: &str| Delivery {
        medium: "EMAIL",
        attribute: "email",
        destination: mask_email(address),
    };
    let sms = |number: &str| Delivery {
        medium: "SMS",
        attribute: "phone_number",
        destination: mask_phone(number),
    };
    match purpose {
        CodePurpose::SignUp => {
            let auto = pool
                .settings
                .auto_verified_attributes
                .as_deref()
                .unwrap_or_default();
            let names = |name: &str| auto.iter().any(|a| a == name);
            match (value("email"), value("phone_number")) {
                (Some(address), _) if names("email") => Some(email(address)),
                (_, Some(number)) if names("phone_number") => Some(sms(number)),
                _ => None,
            }
        }
        CodePurpose::ForgotPassword => match (value("phone_number"), value("email")) {
            (Some(number), _) if verified("phone_number") => Some(sms(number)),
            (_, Some(address)) if verified("email") => Some(email(address)),
            _ => None,
        },
        CodePurpose::SmsMfa => value("phone_number").map(sms),
    }
}

/// `a***@e***`: the first character of each side of the address.
fn mask_email(email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let first = |text: &str| text.chars().next().map(String::from).unwrap_or_default();
    format!("{}***@{}***", first(local), first(domain))
}

/// `+*******1234`: the last four digits.
fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    let keep = chars.len().min(4);
    let hidden = chars.len().saturating_sub(keep).saturating_sub(1);
    let tail: String = chars.iter().skip(chars.len() - keep).collect();
    format!("+{}{tail}", "*".repeat(hidden))
}

/// Six random digits.
fn new_code() -> String {
    use rand::RngExt;
    let mut rng = rand::rng();
    (0..6)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

fn no_verified_address() -> ServiceError {
    ServiceError::InvalidParameterException(
        "Cannot reset password for the user as there is no registered/verified email or \
         phone_number"
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_are_masked() {
        assert_eq!(mask_email("alice@example.com"), "a***@e***");
        assert_eq!(mask_phone("+15555550123"), "+*******0123");
        assert_eq!(mask_phone("12"), "+12");
    }
}

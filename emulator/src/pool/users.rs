//! Users, for test set-up from any SDK: `SignUp` (then `AdminConfirmSignUp`),
//! `AdminCreateUser` (a temporary password: `NEW_PASSWORD_REQUIRED` at the next sign-in),
//! `AdminSetUserPassword`, and `DescribeUserPool` with the pool's `DeviceConfiguration`.
//! Every password becomes a salt and verifier at once; no password is kept.

use super::{Pool, new_user_row, now};
use crate::{error::ServiceError, input::Input, store::UserStatus};
use serde_json::{Value, json};

/// The longest password the API accepts (its model's length constraint).
const MAX_PASSWORD_CHARS: usize = 256;

/// The pool's password policy: what the API model allows (1 to 256 characters, no leading or
/// trailing whitespace) and no more, so test users can have any password a test needs.
pub(super) fn check_password_policy(password: &str) -> Result<(), ServiceError> {
    let chars = password.chars().count();
    if chars == 0 || chars > MAX_PASSWORD_CHARS || password.trim() != password {
        return Err(ServiceError::InvalidPasswordException(
            "Password does not conform to policy: Password must have between 1 and 256 \
             characters and no leading or trailing whitespace"
                .into(),
        ));
    }
    Ok(())
}

impl Pool {
    pub(super) fn sign_up(&self, input: &Input) -> Result<Value, ServiceError> {
        let client_id = input.str("ClientId")?;
        let username = input.str("Username")?;
        let password = input.str("Password")?;
        let attributes = input.opt_attributes("UserAttributes")?;
        self.check_client(client_id)?;
        self.check_secret_hash(input.opt_str("SecretHash")?, &[username])?;
        check_password_policy(password)?;
        let sub = self.add_user(username, password, UserStatus::Unconfirmed, &attributes)?;
        Ok(json!({ "UserConfirmed": false, "UserSub": sub }))
    }

    pub(super) fn admin_confirm_sign_up(&self, input: &Input) -> Result<Value, ServiceError> {
        self.check_pool(input)?;
        let user = self.user(input.str("Username")?)?;
        if user.status != UserStatus::Unconfirmed {
            return Err(ServiceError::NotAuthorizedException(format!(
                "User cannot be confirmed. Current status is {}",
                user.status.as_str()
            )));
        }
        self.store
            .set_user_status(&user.username, UserStatus::Confirmed, now())?;
        Ok(json!({}))
    }

    pub(super) fn admin_create_user(&self, input: &Input) -> Result<Value, ServiceError> {
        self.check_pool(input)?;
        let username = input.str("Username")?;
        let attributes = input.opt_attributes("UserAttributes")?;
        // Without a temporary password the service mails one; here nobody could read it, so
        // the user can only sign in after AdminSetUserPassword.
        let generated;
        let password = match input.opt_str("TemporaryPassword")? {
            Some(password) => password,
            None => {
                generated = uuid::Uuid::new_v4().to_string();
                &generated
            }
        };
        check_password_policy(password)?;
        let sub = self.add_user(
            username,
            password,
            UserStatus::ForceChangePassword,
            &attributes,
        )?;
        let user = self.user(username)?;
        let mut attribute_list = vec![json!({ "Name": "sub", "Value": sub })];
        for (name, value) in &attributes {
            attribute_list.push(json!({ "Name": name, "Value": value }));
        }
        Ok(json!({ "User": {
            "Username": user.username,
            "Attributes": attribute_list,
            "UserCreateDate": user.created,
            "UserLastModifiedDate": user.modified,
            "Enabled": true,
            "UserStatus": user.status.as_str(),
        }}))
    }

    pub(super) fn admin_set_user_password(&self, input: &Input) -> Result<Value, ServiceError> {
        self.check_pool(input)?;
        let username = input.str("Username")?;
        let password = input.str("Password")?;
        let permanent = input.opt_bool("Permanent")?.unwrap_or(false);
        let user = self.user(username)?;
        check_password_policy(password)?;
        let (salt_hex, verifier_hex) = self.new_verifier(&user.username, password)?;
        let status = if permanent {
            UserStatus::Confirmed
        } else {
            UserStatus::ForceChangePassword
        };
        self.store
            .set_user_password(&user.username, &salt_hex, &verifier_hex, status, now())?;
        Ok(json!({}))
    }

    pub(super) fn describe_user_pool(&self, input: &Input) -> Result<Value, ServiceError> {
        self.check_pool(input)?;
        let config = &self.config;
        Ok(json!({ "UserPool": {
            "Id": config.pool_id,
            "Name": config.pool_name(),
            "Arn": format!("arn:aws:cognito-idp:{}:000000000000:userpool/{}", config.region(), config.pool_id),
            "Status": "Enabled",
            "DeviceConfiguration": {
                "ChallengeRequiredOnNewDevice": config.challenge_required_on_new_device,
                "DeviceOnlyRememberedOnUserPrompt": config.device_only_remembered_on_user_prompt,
            },
            "MfaConfiguration": "OPTIONAL",
            "EstimatedNumberOfUsers": self.store.user_count()?,
            "UsernameConfiguration": { "CaseSensitive": true },
        }}))
    }

    /// Stores a new user's salt and verifier; `UsernameExistsException` if the name is taken.
    fn add_user(
        &self,
        username: &str,
        password: &str,
        status: UserStatus,
        attributes: &serde_json::Map<String, Value>,
    ) -> Result<String, ServiceError> {
        if self.store.user(username)?.is_some() {
            return Err(user_exists());
        }
        let (salt_hex, verifier_hex) = self.new_verifier(username, password)?;
        let attributes = Value::Object(attributes.clone()).to_string();
        let row = new_user_row(username, salt_hex, verifier_hex, status, attributes, now());
        if !self.store.insert_user(&row)? {
            return Err(user_exists());
        }
        Ok(row.sub)
    }
}

fn user_exists() -> ServiceError {
    ServiceError::UsernameExistsException("User already exists".into())
}

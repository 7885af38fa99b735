//! Users, for test set-up from any SDK: `SignUp` (then `AdminConfirmSignUp`),
//! `AdminCreateUser` (a temporary password: `NEW_PASSWORD_REQUIRED` at the next sign-in),
//! `AdminSetUserPassword`, `AdminGetUser`, `AdminDeleteUser`, and with the user's access token
//! `GetUser`, `UpdateUserAttributes`, `DeleteUser` and `ChangePassword`. Every password becomes a salt and verifier at
//! once; no password is kept.
//!
//! In a pool with `UsernameAttributes`, the name given is an e-mail address or phone number:
//! it becomes that attribute, and the user's internal name (`USER_ID_FOR_SRP`, what the SRP
//! verifier is made over) is its `sub`, as the service does.

use super::{Service, UserBy, check_secret_hash, new_user_row};
use crate::{
    error::ServiceError,
    input::Input,
    model::pool::{AliasAttribute, UserPool, UsernameAttribute},
    store::{UserRow, UserStatus},
};
use serde_json::{Map, Value, json};

/// The longest password the API accepts (its model's length constraint).
const MAX_PASSWORD_CHARS: usize = 256;
/// Attributes a user may have at most, and their name and value lengths (the service allows
/// 50 custom attributes besides the standard ones, names of 32 characters after `custom:`,
/// values of 2,048).
const MAX_ATTRIBUTES: usize = 100;
const MAX_ATTRIBUTE_NAME: usize = 39;
const MAX_ATTRIBUTE_VALUE: usize = 2048;

/// What the API model allows of any password (1 to 256 characters, no leading or trailing
/// whitespace), then the pool's policy.
pub(super) fn check_password(pool: &UserPool, password: &str) -> Result<(), ServiceError> {
    check_password_shape(password)?;
    pool.password_policy().check(password)
}

fn check_password_shape(password: &str) -> Result<(), ServiceError> {
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

/// Who a new user is: the internal name, the `sub`, and the attributes to keep.
struct NewUser {
    username: String,
    sub: String,
    attributes: Map<String, Value>,
}

impl Service {
    pub(super) fn sign_up(&self, input: &Input) -> Result<Value, ServiceError> {
        let (at, username) = self.client_and_username(input)?;
        let password = input.str("Password")?;
        let attributes = input.opt_attributes("UserAttributes")?;
        check_secret_hash(&at.client, input.opt_str("SecretHash")?, &[username])?;
        let user = self.add_user(
            &at.pool,
            username,
            password,
            UserStatus::Unconfirmed,
            attributes,
            true,
        )?;
        let mut output = json!({ "UserConfirmed": false, "UserSub": user.sub });
        if let (Some(details), Some(object)) = (
            self.send_code(&at.pool, &user, crate::store::CodePurpose::SignUp)?,
            output.as_object_mut(),
        ) {
            object.insert("CodeDeliveryDetails".into(), details);
        }
        Ok(output)
    }

    pub(super) fn admin_confirm_sign_up(&self, input: &Input) -> Result<Value, ServiceError> {
        let (pool, user) = self.admin_user(input)?;
        if user.status != UserStatus::Unconfirmed {
            return Err(ServiceError::NotAuthorizedException(format!(
                "User cannot be confirmed. Current status is {}",
                user.status.as_str()
            )));
        }
        self.store
            .set_user_status(&pool.id, &user.username, UserStatus::Confirmed, self.now())?;
        Ok(json!({}))
    }

    pub(super) fn admin_create_user(&self, input: &Input) -> Result<Value, ServiceError> {
        let pool = self.input_pool(input)?;
        let username = input.str("Username")?;
        let attributes = input.opt_attributes("UserAttributes")?;
        // Without a temporary password the service mails one; here nobody could read it, so
        // the user can only sign in after AdminSetUserPassword.
        let generated;
        let (password, policy) = match input.opt_str("TemporaryPassword")? {
            Some(password) => (password, true),
            None => {
                generated = uuid::Uuid::new_v4().to_string();
                (generated.as_str(), false)
            }
        };
        let user = self.add_user(
            &pool,
            username,
            password,
            UserStatus::ForceChangePassword,
            attributes,
            policy,
        )?;
        Ok(json!({ "User": user_type(&user, "Attributes") }))
    }

    pub(super) fn admin_set_user_password(&self, input: &Input) -> Result<Value, ServiceError> {
        let (pool, user) = self.admin_user(input)?;
        let password = input.str("Password")?;
        let permanent = input.opt_bool("Permanent")?.unwrap_or(false);
        check_password(&pool, password)?;
        self.set_password(&pool, &user, password, permanent)?;
        Ok(json!({}))
    }

    pub(super) fn admin_get_user(&self, input: &Input) -> Result<Value, ServiceError> {
        let (_, user) = self.admin_user(input)?;
        let mut output = user_type(&user, "UserAttributes");
        if let Some(object) = output.as_object_mut() {
            super::second_factor::mfa_settings(&user, object);
        }
        Ok(output)
    }

    pub(super) fn get_user(&self, input: &Input) -> Result<Value, ServiceError> {
        let (_, user) = self.access_token_user(input)?;
        let mut output = user_type(&user, "UserAttributes");
        if let Some(object) = output.as_object_mut() {
            for member in [
                "UserCreateDate",
                "UserLastModifiedDate",
                "Enabled",
                "UserStatus",
            ] {
                object.remove(member);
            }
            super::second_factor::mfa_settings(&user, object);
        }
        Ok(output)
    }

    pub(super) fn update_user_attributes(&self, input: &Input) -> Result<Value, ServiceError> {
        let (pool, user) = self.access_token_user(input)?;
        if input
            .value()
            .get("UserAttributes")
            .is_none_or(Value::is_null)
        {
            return Err(ServiceError::missing("UserAttributes"));
        }
        let changes = input.opt_attributes("UserAttributes")?;
        check_attributes(&changes)?;
        let mut attributes = user.attribute_map();
        attributes.extend(changes);
        // The kept `sub` is one of them.
        if attributes.len() > MAX_ATTRIBUTES + 1 {
            return Err(ServiceError::InvalidParameterException(format!(
                "A user has at most {MAX_ATTRIBUTES} attributes."
            )));
        }
        self.save_attributes(&pool, &user, attributes)?;
        // No code is sent: the emulator delivers nothing.
        Ok(json!({ "CodeDeliveryDetailsList": [] }))
    }

    /// `DeleteUser` and `AdminDeleteUser`.
    pub(super) fn delete_user(&self, input: &Input, by: UserBy) -> Result<Value, ServiceError> {
        let (pool, user) = self.user_by(input, by)?;
        self.store.delete_user(&pool.id, &user.username)?;
        Ok(json!({}))
    }

    pub(super) fn change_password(&self, input: &Input) -> Result<Value, ServiceError> {
        let (pool, user) = self.access_token_user(input)?;
        let previous = input.str("PreviousPassword")?;
        let proposed = input.str("ProposedPassword")?;
        if !self.password_matches(&pool, &user, previous) {
            return Err(ServiceError::incorrect_password());
        }
        check_password(&pool, proposed)?;
        self.set_password(&pool, &user, proposed, true)?;
        Ok(json!({}))
    }

    /// Replaces a user's password: `CONFIRMED` if `permanent`, else `FORCE_CHANGE_PASSWORD`.
    pub(super) fn set_password(
        &self,
        pool: &UserPool,
        user: &UserRow,
        password: &str,
        permanent: bool,
    ) -> Result<(), ServiceError> {
        let (salt_hex, verifier_hex) = self.new_verifier(pool, &user.username, password)?;
        let status = if permanent {
            UserStatus::Confirmed
        } else {
            UserStatus::ForceChangePassword
        };
        self.store.set_user_password(
            &pool.id,
            &user.username,
            &salt_hex,
            &verifier_hex,
            status,
            self.now(),
        )?;
        Ok(())
    }

    /// Stores a new user's salt and verifier; `UsernameExistsException` if the name, or the
    /// e-mail or phone number that stands for it, is taken (checked before the password, as
    /// the service does); with `policy`, the pool's password policy applies.
    pub(super) fn add_user(
        &self,
        pool: &UserPool,
        name: &str,
        password: &str,
        status: UserStatus,
        attributes: Map<String, Value>,
        policy: bool,
    ) -> Result<UserRow, ServiceError> {
        if self.store.total_user_count()? >= self.limits.max_users {
            return Err(ServiceError::LimitExceededException(format!(
                "This emulator holds at most {} users (--max-users).",
                self.limits.max_users
            )));
        }
        let new = self.new_user(pool, name, attributes)?;
        if policy {
            check_password(pool, password)?;
        } else {
            check_password_shape(password)?;
        }
        let verifier = self.new_verifier(pool, &new.username, password)?;
        let attributes = Value::Object(new.attributes).to_string();
        let row = new_user_row(
            pool,
            &new.username,
            new.sub,
            verifier,
            status,
            attributes,
            self.now(),
        );
        if !self.store.insert_user(&row)? {
            return Err(user_exists());
        }
        Ok(row)
    }

    /// The internal name, `sub` and attributes of a user signing up as `name`, with the
    /// service's refusals.
    fn new_user(
        &self,
        pool: &UserPool,
        name: &str,
        mut attributes: Map<String, Value>,
    ) -> Result<NewUser, ServiceError> {
        crate::model::check_len("username", name, 1, 128)?;
        check_attributes(&attributes)?;
        attributes.remove("sub");
        let sub = uuid::Uuid::new_v4().to_string();
        if let Some(kinds) = pool
            .username_attributes
            .as_ref()
            .filter(|kinds| !kinds.is_empty())
        {
            let kind = if name.contains('@') {
                UsernameAttribute::Email
            } else {
                UsernameAttribute::PhoneNumber
            };
            if !kinds.contains(&kind) {
                return Err(ServiceError::InvalidParameterException(
                    "Username should be either an email or a phone number.".into(),
                ));
            }
            if self
                .store
                .user_by_attribute(&pool.id, kind.attribute(), name, false)?
                .is_some()
            {
                return Err(user_exists());
            }
            attributes.insert(kind.attribute().into(), json!(name));
            attributes.insert("sub".into(), json!(sub));
            return Ok(NewUser {
                username: sub.clone(),
                sub,
                attributes,
            });
        }
        let aliases = pool.alias_attributes.as_deref().unwrap_or_default();
        if aliases.contains(&AliasAttribute::Email) && name.contains('@') {
            return Err(ServiceError::InvalidParameterException(
                "Username cannot be of email format, since user pool is configured for email alias."
                    .into(),
            ));
        }
        if self.store.user(&pool.id, name)?.is_some() {
            return Err(user_exists());
        }
        attributes.insert("sub".into(), json!(sub));
        Ok(NewUser {
            username: name.to_string(),
            sub,
            attributes,
        })
    }
}

/// Claims of the tokens and names the service keeps for itself: no caller may set them as
/// attributes, so no caller chooses a claim of its own ID token.
const RESERVED: &[&str] = &[
    "sub",
    "username",
    "identities",
    "client_id",
    "scope",
    "iss",
    "aud",
    "exp",
    "iat",
    "nbf",
    "auth_time",
    "token_use",
    "jti",
    "origin_jti",
    "event_id",
    "device_key",
    "at_hash",
    "nonce",
    "acr",
    "amr",
    "azp",
];

/// `UserAttributes` as the service takes them: bounded in number and length, and none of the
/// reserved names nor a `cognito:` one, refused as the service refuses an attribute outside
/// the schema.
pub(super) fn check_attributes(attributes: &Map<String, Value>) -> Result<(), ServiceError> {
    if attributes.len() > MAX_ATTRIBUTES {
        return Err(ServiceError::InvalidParameterException(format!(
            "A user has at most {MAX_ATTRIBUTES} attributes."
        )));
    }
    for (attribute, value) in attributes {
        crate::model::check_len(
            "userAttributes.member.name",
            attribute,
            1,
            MAX_ATTRIBUTE_NAME,
        )?;
        let value = value.as_str().unwrap_or_default();
        crate::model::check_len("userAttributes.member.value", value, 0, MAX_ATTRIBUTE_VALUE)?;
        let lower = attribute.to_ascii_lowercase();
        if RESERVED.contains(&lower.as_str()) || lower.starts_with("cognito:") {
            return Err(ServiceError::InvalidParameterException(format!(
                "Attributes did not conform to the schema: {}: Attribute does not exist in \
                 the schema.",
                attribute.escape_debug()
            )));
        }
    }
    Ok(())
}

/// A `UserType` (`AdminCreateUser`) or `AdminGetUser` output; `attributes_member` is
/// `Attributes` or `UserAttributes`, as each names the list.
pub(super) fn user_type(user: &UserRow, attributes_member: &str) -> Value {
    let attributes = user.attribute_map();
    let mut list = vec![json!({ "Name": "sub", "Value": user.sub })];
    for (name, value) in &attributes {
        if name != "sub" {
            list.push(json!({ "Name": name, "Value": value }));
        }
    }
    let mut output = Map::new();
    output.insert("Username".into(), json!(user.username));
    output.insert(attributes_member.into(), json!(list));
    output.insert("UserCreateDate".into(), json!(user.created));
    output.insert("UserLastModifiedDate".into(), json!(user.modified));
    output.insert("Enabled".into(), json!(user.enabled));
    output.insert("UserStatus".into(), json!(user.status.as_str()));
    Value::Object(output)
}

fn user_exists() -> ServiceError {
    ServiceError::UsernameExistsException("User already exists".into())
}

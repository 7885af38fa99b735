//! A user pool: the `CreateUserPool` and `UpdateUserPool` inputs, and the `UserPoolType` that
//! `DescribeUserPool` returns and the store keeps. Members that change what the emulator does
//! are typed (`DeviceConfiguration`, `MfaConfiguration`, `Policies.PasswordPolicy`,
//! `UsernameAttributes`, `AliasAttributes`, `DeletionProtection`); every other member of the
//! model is kept as the caller sent it and returned as is, never dropped.
//!
//! `UpdateUserPool` replaces every setting it can change, as the service does: a member left
//! out goes back to its default.

use super::{EpochSeconds, Kind, check_kept, check_name, check_range, wire_enum};
use crate::error::ServiceError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

wire_enum!(
    /// `MfaConfiguration`.
    MfaConfiguration {
        /// No second factor.
        Off = "OFF",
        /// Every user needs one.
        On = "ON",
        /// Users who set one up are asked for it.
        Optional = "OPTIONAL",
    }
);

wire_enum!(
    /// `UsernameAttributes`: what users sign in with instead of a user name.
    UsernameAttribute {
        /// `phone_number`.
        PhoneNumber = "phone_number",
        /// `email`.
        Email = "email",
    }
);

wire_enum!(
    /// `AliasAttributes`: what users may sign in with besides their user name.
    AliasAttribute {
        /// `phone_number`.
        PhoneNumber = "phone_number",
        /// `email`.
        Email = "email",
        /// `preferred_username`.
        PreferredUsername = "preferred_username",
    }
);

wire_enum!(
    /// `DeletionProtection`.
    DeletionProtection {
        /// `DeleteUserPool` is refused.
        Active = "ACTIVE",
        /// The pool can be deleted.
        Inactive = "INACTIVE",
    }
);

impl UsernameAttribute {
    /// The user attribute it names.
    pub fn attribute(self) -> &'static str {
        self.as_str()
    }
}

impl AliasAttribute {
    /// The user attribute it names.
    pub fn attribute(self) -> &'static str {
        self.as_str()
    }
}

/// `DeviceConfiguration`. Its presence turns device tracking on: "when you provide a value for
/// any property of DeviceConfiguration, you activate the device remembering".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceConfiguration {
    /// A remembered device stands in for the second factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_required_on_new_device: Option<bool>,
    /// `ConfirmDevice` leaves the device not remembered until `UpdateDeviceStatus`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_only_remembered_on_user_prompt: Option<bool>,
}

/// `Policies.PasswordPolicy`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PasswordPolicy {
    /// At least this many characters (6 to 99).
    #[serde(default = "default_min_length")]
    pub minimum_length: i64,
    /// An upper-case letter.
    #[serde(default)]
    pub require_uppercase: bool,
    /// A lower-case letter.
    #[serde(default)]
    pub require_lowercase: bool,
    /// A digit.
    #[serde(default)]
    pub require_numbers: bool,
    /// One of the service's symbols.
    #[serde(default)]
    pub require_symbols: bool,
    /// Kept and returned; the emulator keeps no password history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_history_size: Option<i64>,
    /// Days a temporary password lasts; kept and returned.
    #[serde(default = "default_temporary_days")]
    pub temporary_password_validity_days: i64,
}

fn default_min_length() -> i64 {
    8
}

fn default_temporary_days() -> i64 {
    7
}

impl Default for PasswordPolicy {
    /// The service's default policy: 8 characters with every kind of character.
    fn default() -> Self {
        Self {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
            password_history_size: None,
            temporary_password_validity_days: 7,
        }
    }
}

/// The symbols the service counts for `RequireSymbols`.
const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

impl PasswordPolicy {
    /// A policy that takes any password of 1 to 256 characters: the pool the start-up flags
    /// make, so tests can use any password, as they always could.
    pub fn lenient() -> Self {
        Self {
            minimum_length: 6,
            require_uppercase: false,
            require_lowercase: false,
            require_numbers: false,
            require_symbols: false,
            password_history_size: None,
            temporary_password_validity_days: 7,
        }
    }

    /// Checks `password`, with the service's messages.
    pub fn check(&self, password: &str) -> Result<(), ServiceError> {
        let refuse = |what: &str| {
            Err(ServiceError::InvalidPasswordException(format!(
                "Password did not conform with policy: {what}"
            )))
        };
        let length = i64::try_from(password.chars().count()).unwrap_or(i64::MAX);
        if length < self.minimum_length {
            return refuse("Password not long enough");
        }
        if self.require_lowercase && !password.chars().any(char::is_lowercase) {
            return refuse("Password must have lowercase characters");
        }
        if self.require_uppercase && !password.chars().any(char::is_uppercase) {
            return refuse("Password must have uppercase characters");
        }
        if self.require_numbers && !password.chars().any(|c| c.is_ascii_digit()) {
            return refuse("Password must have numeric characters");
        }
        if self.require_symbols && !password.chars().any(|c| SYMBOLS.contains(c)) {
            return refuse("Password must have symbol characters");
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), ServiceError> {
        let at = "policies.passwordPolicy";
        check_range(&format!("{at}.minimumLength"), self.minimum_length, 6, 99)?;
        check_range(
            &format!("{at}.temporaryPasswordValidityDays"),
            self.temporary_password_validity_days,
            0,
            365,
        )?;
        if let Some(size) = self.password_history_size {
            check_range(&format!("{at}.passwordHistorySize"), size, 0, 24)?;
        }
        Ok(())
    }
}

/// `Policies`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Policies {
    /// The password policy; the service's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_policy: Option<PasswordPolicy>,
    /// `SignInPolicy` (allowed first factors), kept and returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in_policy: Option<Value>,
}

/// The settings `CreateUserPool` sets and `UpdateUserPool` replaces.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PoolSettings {
    /// `Policies`.
    #[serde(default)]
    pub policies: Policies,
    /// `DeletionProtection`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_protection: Option<DeletionProtection>,
    /// `MfaConfiguration`; `OFF` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_configuration: Option<MfaConfiguration>,
    /// `DeviceConfiguration`; absent means no device tracking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_configuration: Option<DeviceConfiguration>,
    /// `UserPoolTags`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_pool_tags: Option<BTreeMap<String, String>>,
    /// `AutoVerifiedAttributes`, kept and returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_verified_attributes: Option<Vec<String>>,
    /// Every other member the model lets `UpdateUserPool` change, kept and returned as sent:
    /// `LambdaConfig`, `SmsVerificationMessage`, `EmailVerificationMessage`,
    /// `EmailVerificationSubject`, `VerificationMessageTemplate`, `SmsAuthenticationMessage`,
    /// `UserAttributeUpdateSettings`, `EmailConfiguration`, `SmsConfiguration`,
    /// `AdminCreateUserConfig`, `UserPoolAddOns`, `AccountRecoverySetting`, `UserPoolTier`,
    /// `KeyConfiguration`, `IssuerConfiguration`, `AcrConfiguration`.
    #[serde(flatten)]
    pub kept: BTreeMap<String, Value>,
}

/// The members of [`PoolSettings::kept`] and their kinds: any other member of a request is
/// not in the model and, as the service does, ignored.
const KEPT_MEMBERS: &[(&str, Kind)] = &[
    ("LambdaConfig", Kind::Object),
    ("SmsVerificationMessage", Kind::Str),
    ("EmailVerificationMessage", Kind::Str),
    ("EmailVerificationSubject", Kind::Str),
    ("VerificationMessageTemplate", Kind::Object),
    ("SmsAuthenticationMessage", Kind::Str),
    ("UserAttributeUpdateSettings", Kind::Object),
    ("EmailConfiguration", Kind::Object),
    ("SmsConfiguration", Kind::Object),
    ("AdminCreateUserConfig", Kind::Object),
    ("UserPoolAddOns", Kind::Object),
    ("AccountRecoverySetting", Kind::Object),
    ("UserPoolTier", Kind::Str),
    ("KeyConfiguration", Kind::Object),
    ("IssuerConfiguration", Kind::Object),
    ("AcrConfiguration", Kind::Object),
];

impl PoolSettings {
    /// Drops members outside the model, checks the typed ones, and fills in the service's
    /// defaults (the password policy, `MfaConfiguration` `OFF`).
    fn normalize(&mut self) -> Result<(), ServiceError> {
        check_kept(&mut self.kept, KEPT_MEMBERS)?;
        if let Some(policy) = &self.policies.sign_in_policy
            && !policy.is_object()
        {
            return Err(ServiceError::SerializationException(
                "policies.signInPolicy: expected a structure".into(),
            ));
        }
        let policy = self
            .policies
            .password_policy
            .get_or_insert_with(PasswordPolicy::default);
        policy.validate()?;
        self.mfa_configuration.get_or_insert(MfaConfiguration::Off);
        if let Some(tags) = &self.user_pool_tags {
            for (key, value) in tags {
                super::check_len("userPoolTags.key", key, 1, 128)?;
                super::check_len("userPoolTags.value", value, 0, 256)?;
            }
        }
        Ok(())
    }
}

/// `CreateUserPool`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateUserPool {
    /// `PoolName`.
    pub pool_name: String,
    /// `AliasAttributes`.
    #[serde(default)]
    pub alias_attributes: Option<Vec<AliasAttribute>>,
    /// `UsernameAttributes`.
    #[serde(default)]
    pub username_attributes: Option<Vec<UsernameAttribute>>,
    /// `Schema`, kept and returned as `SchemaAttributes`.
    #[serde(default)]
    pub schema: Option<Vec<Value>>,
    /// `UsernameConfiguration`, kept and returned.
    #[serde(default)]
    pub username_configuration: Option<Value>,
    /// Everything `UpdateUserPool` can change too.
    #[serde(flatten)]
    pub settings: PoolSettings,
}

/// `UpdateUserPool`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserPool {
    /// `UserPoolId`.
    pub user_pool_id: String,
    /// `PoolName`: unchanged when absent.
    #[serde(default)]
    pub pool_name: Option<String>,
    /// The settings, replacing the pool's.
    #[serde(flatten)]
    pub settings: PoolSettings,
}

/// A user pool as kept: the `UserPoolType` members `DescribeUserPool` returns (but the user
/// count, counted when asked) and what `SetUserPoolMfaConfig` sets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPool {
    /// `Id`: `<region>_<name>`.
    pub id: String,
    /// `Name`.
    pub name: String,
    /// `CreationDate`.
    pub creation_date: EpochSeconds,
    /// `LastModifiedDate`.
    pub last_modified_date: EpochSeconds,
    /// `AliasAttributes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias_attributes: Option<Vec<AliasAttribute>>,
    /// `UsernameAttributes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username_attributes: Option<Vec<UsernameAttribute>>,
    /// `SchemaAttributes`: the `Schema` given at creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_attributes: Option<Vec<Value>>,
    /// `UsernameConfiguration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username_configuration: Option<Value>,
    /// The settings.
    #[serde(flatten)]
    pub settings: PoolSettings,
    /// `SoftwareTokenMfaConfiguration.Enabled` (`SetUserPoolMfaConfig`): not a `UserPoolType`
    /// member, so never in `DescribeUserPool`.
    #[serde(default, rename = "x-software-token-mfa", skip_serializing_if = "std::ops::Not::not")]
    pub software_token_mfa: bool,
    /// The other members `SetUserPoolMfaConfig` takes (`SmsMfaConfiguration`,
    /// `EmailMfaConfiguration`, `WebAuthnConfiguration`), kept for `GetUserPoolMfaConfig`.
    #[serde(default, rename = "x-mfa-config", skip_serializing_if = "BTreeMap::is_empty")]
    pub mfa_kept: BTreeMap<String, Value>,
}

impl UserPool {
    /// A new pool `id` from a `CreateUserPool` request.
    pub fn create(
        id: String,
        input: CreateUserPool,
        now: EpochSeconds,
    ) -> Result<Self, ServiceError> {
        check_name("poolName", &input.pool_name)?;
        if input
            .alias_attributes
            .as_ref()
            .is_some_and(|a| !a.is_empty())
            && input
                .username_attributes
                .as_ref()
                .is_some_and(|a| !a.is_empty())
        {
            return Err(ServiceError::InvalidParameterException(
                "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool."
                    .into(),
            ));
        }
        if input
            .schema
            .iter()
            .flatten()
            .any(|attribute| !attribute.is_object())
        {
            return Err(ServiceError::SerializationException(
                "schema: expected a list of structures".into(),
            ));
        }
        if input
            .username_configuration
            .as_ref()
            .is_some_and(|configuration| !configuration.is_object())
        {
            return Err(ServiceError::SerializationException(
                "usernameConfiguration: expected a structure".into(),
            ));
        }
        let mut settings = input.settings;
        settings.normalize()?;
        Ok(Self {
            id,
            name: input.pool_name,
            creation_date: now,
            last_modified_date: now,
            alias_attributes: input.alias_attributes,
            username_attributes: input.username_attributes,
            schema_attributes: input.schema,
            username_configuration: input.username_configuration,
            software_token_mfa: false,
            mfa_kept: BTreeMap::new(),
            settings,
        })
    }

    /// Applies an `UpdateUserPool` request.
    pub fn update(&mut self, input: UpdateUserPool, now: EpochSeconds) -> Result<(), ServiceError> {
        if let Some(name) = &input.pool_name {
            check_name("poolName", name)?;
        }
        let mut settings = input.settings;
        settings.normalize()?;
        if let Some(name) = input.pool_name {
            self.name = name;
        }
        self.settings = settings;
        self.last_modified_date = now;
        Ok(())
    }

    /// The region, before the `_` of the id: device keys start with it.
    pub fn region(&self) -> &str {
        crate::ids::parse_pool_id(&self.id).map_or("", |id| id.region())
    }

    /// The name after the `_` of the id: the `P` of a user's SRP identity.
    pub fn srp_pool_name(&self) -> &str {
        crate::ids::parse_pool_id(&self.id).map_or("", |id| id.pool_name())
    }

    /// `arn:aws:cognito-idp:<region>:<account>:userpool/<id>`.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:cognito-idp:{}:{}:userpool/{}",
            self.region(),
            ACCOUNT,
            self.id
        )
    }

    /// The device configuration, when device tracking is on.
    pub fn devices(&self) -> Option<&DeviceConfiguration> {
        self.settings.device_configuration.as_ref()
    }

    /// `MfaConfiguration`.
    pub fn mfa(&self) -> MfaConfiguration {
        self.settings
            .mfa_configuration
            .unwrap_or(MfaConfiguration::Off)
    }

    /// The password policy.
    /// Whether `Policies.SignInPolicy.AllowedFirstAuthFactors` lets a `USER_AUTH` sign-in
    /// start with the password (`PASSWORD` covers both `PASSWORD` and `PASSWORD_SRP`); a pool
    /// without a sign-in policy allows only the password.
    pub fn allows_password_first(&self) -> bool {
        match self
            .settings
            .policies
            .sign_in_policy
            .as_ref()
            .and_then(|policy| policy.get("AllowedFirstAuthFactors"))
            .and_then(Value::as_array)
        {
            None => true,
            Some(factors) => factors.iter().any(|factor| factor == "PASSWORD"),
        }
    }

    pub fn password_policy(&self) -> PasswordPolicy {
        self.settings
            .policies
            .password_policy
            .clone()
            .unwrap_or_default()
    }

    /// `DescribeUserPool`'s `UserPool`, with the user count.
    pub fn describe(&self, users: u64) -> Value {
        let mut value = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Some(object) = value.as_object_mut() {
            object.remove("x-software-token-mfa");
            object.remove("x-mfa-config");
            object.insert("Arn".into(), Value::String(self.arn()));
            object.insert("EstimatedNumberOfUsers".into(), Value::from(users));
            object.insert("Status".into(), Value::String("Enabled".into()));
            object
                .entry("LambdaConfig")
                .or_insert_with(|| serde_json::json!({}));
        }
        value
    }

    /// `ListUserPools`' `UserPoolDescriptionType`.
    pub fn summary(&self) -> Value {
        serde_json::json!({
            "Id": self.id,
            "Name": self.name,
            "LambdaConfig": self.settings.kept.get("LambdaConfig").cloned().unwrap_or_else(|| serde_json::json!({})),
            "Status": "Enabled",
            "CreationDate": self.creation_date,
            "LastModifiedDate": self.last_modified_date,
        })
    }
}

/// The account id in ARNs: the emulator has no accounts.
pub const ACCOUNT: &str = "000000000000";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse;
    use serde_json::json;

    #[test]
    fn create_describe_update() {
        let input: CreateUserPool = parse(&json!({
            "PoolName": "app",
            "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": true},
            "LambdaConfig": {"PreSignUp": "arn:aws:lambda:us-east-1:1:function:f"},
            "NotAMember": 1,
        }))
        .unwrap();
        let mut pool = UserPool::create("us-east-1_abcdefghi".into(), input, 10).unwrap();
        let described = pool.describe(0);
        assert_eq!(
            described["DeviceConfiguration"],
            json!({"ChallengeRequiredOnNewDevice": true})
        );
        assert_eq!(
            described["LambdaConfig"]["PreSignUp"],
            "arn:aws:lambda:us-east-1:1:function:f"
        );
        assert_eq!(described["MfaConfiguration"], "OFF");
        assert_eq!(described["Policies"]["PasswordPolicy"]["MinimumLength"], 8);
        assert!(described.get("NotAMember").is_none());
        assert_eq!(pool.srp_pool_name(), "abcdefghi");

        let update: UpdateUserPool = parse(&json!({"UserPoolId": "us-east-1_abcdefghi"})).unwrap();
        pool.update(update, 20).unwrap();
        let described = pool.describe(0);
        assert!(
            described.get("DeviceConfiguration").is_none(),
            "an update resets what it leaves out"
        );
        assert!(
            described
                .get("LambdaConfig")
                .unwrap()
                .as_object()
                .unwrap()
                .is_empty()
        );
        assert_eq!(described["LastModifiedDate"], 20);
    }

    #[test]
    fn refusals() {
        let both: CreateUserPool = parse(&json!({
            "PoolName": "p", "AliasAttributes": ["email"], "UsernameAttributes": ["email"]
        }))
        .unwrap();
        assert!(UserPool::create("us-east-1_x".into(), both, 0).is_err());
        let short: CreateUserPool = parse(&json!({
            "PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": 5}}
        }))
        .unwrap();
        let error = UserPool::create("us-east-1_x".into(), short, 0).unwrap_err();
        assert!(
            error
                .message()
                .contains("policies.passwordPolicy.minimumLength"),
            "{error}"
        );
        // A member only kept must still have its model's type: every SDK reads it back.
        let lambda: CreateUserPool =
            parse(&json!({"PoolName": "p", "LambdaConfig": "hunter2"})).unwrap();
        let error = UserPool::create("us-east-1_x".into(), lambda, 0).unwrap_err();
        assert_eq!(error.name(), "SerializationException");
        assert!(
            error.message().starts_with("lambdaConfig") && !error.message().contains("hunter2")
        );
        assert_eq!(
            parse::<CreateUserPool>(&json!({"PoolName": "p", "MfaConfiguration": "SOMETIMES"}))
                .unwrap_err()
                .name(),
            "InvalidParameterException"
        );
    }

    #[test]
    fn password_policy_messages() {
        let policy = PasswordPolicy::default();
        assert!(policy.check("Abcdef1!").is_ok());
        assert_eq!(
            policy.check("Ab1!").unwrap_err().message(),
            "Password did not conform with policy: Password not long enough"
        );
        assert!(
            policy
                .check("abcdefg1!")
                .unwrap_err()
                .message()
                .contains("uppercase")
        );
        assert!(
            policy
                .check("Abcdefgh!")
                .unwrap_err()
                .message()
                .contains("numeric")
        );
        assert!(
            policy
                .check("Abcdefgh1")
                .unwrap_err()
                .message()
                .contains("symbol")
        );
        assert!(PasswordPolicy::lenient().check("123456").is_ok());
    }
}

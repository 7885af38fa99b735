//! An app client: the `CreateUserPoolClient` and `UpdateUserPoolClient` inputs, and the
//! `UserPoolClientType` that `DescribeUserPoolClient` returns and the store keeps. Typed are
//! the members with an effect: the secret (`SECRET_HASH` is then required), `ExplicitAuthFlows`,
//! the token validities and their units, `AuthSessionValidity`, `EnableTokenRevocation` and
//! `RefreshTokenRotation`; the rest is kept and returned as sent.

use super::{EpochSeconds, Kind, check_kept, check_len, check_name, check_range, wire_enum};
use crate::error::ServiceError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use zeroize::Zeroizing;

wire_enum!(
    /// `ExplicitAuthFlows`: the `ALLOW_*` values and the legacy ones they replaced.
    ExplicitAuthFlow {
        /// Legacy `ADMIN_NO_SRP_AUTH`.
        AdminNoSrpAuth = "ADMIN_NO_SRP_AUTH",
        /// Legacy `CUSTOM_AUTH_FLOW_ONLY`.
        CustomAuthFlowOnly = "CUSTOM_AUTH_FLOW_ONLY",
        /// Legacy `USER_PASSWORD_AUTH`.
        UserPasswordAuth = "USER_PASSWORD_AUTH",
        /// `ALLOW_ADMIN_USER_PASSWORD_AUTH`.
        AllowAdminUserPasswordAuth = "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        /// `ALLOW_CUSTOM_AUTH`.
        AllowCustomAuth = "ALLOW_CUSTOM_AUTH",
        /// `ALLOW_USER_PASSWORD_AUTH`.
        AllowUserPasswordAuth = "ALLOW_USER_PASSWORD_AUTH",
        /// `ALLOW_USER_SRP_AUTH`.
        AllowUserSrpAuth = "ALLOW_USER_SRP_AUTH",
        /// `ALLOW_REFRESH_TOKEN_AUTH`.
        AllowRefreshTokenAuth = "ALLOW_REFRESH_TOKEN_AUTH",
        /// `ALLOW_USER_AUTH`.
        AllowUserAuth = "ALLOW_USER_AUTH",
    }
);

wire_enum!(
    /// A unit of `TokenValidityUnits`.
    TimeUnit {
        /// Seconds.
        Seconds = "seconds",
        /// Minutes.
        Minutes = "minutes",
        /// Hours.
        Hours = "hours",
        /// Days.
        Days = "days",
    }
);

wire_enum!(
    /// `RefreshTokenRotation.Feature`.
    Feature {
        /// On.
        Enabled = "ENABLED",
        /// Off.
        Disabled = "DISABLED",
    }
);

impl TimeUnit {
    fn seconds(self) -> i64 {
        match self {
            Self::Seconds => 1,
            Self::Minutes => 60,
            Self::Hours => 3600,
            Self::Days => 86_400,
        }
    }
}

/// A sign-in flow an `InitiateAuth` asks for, as `ExplicitAuthFlows` allows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// `USER_SRP_AUTH`.
    UserSrp,
    /// `REFRESH_TOKEN_AUTH` / `REFRESH_TOKEN`.
    RefreshToken,
    /// `USER_PASSWORD_AUTH`.
    UserPassword,
    /// `ADMIN_USER_PASSWORD_AUTH` / `ADMIN_NO_SRP_AUTH`.
    AdminUserPassword,
    /// `CUSTOM_AUTH`.
    Custom,
    /// `USER_AUTH`.
    UserAuth,
}

/// `TokenValidityUnits`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TokenValidityUnits {
    /// Unit of `AccessTokenValidity`; hours when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<TimeUnit>,
    /// Unit of `IdTokenValidity`; hours when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<TimeUnit>,
    /// Unit of `RefreshTokenValidity`; days when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<TimeUnit>,
}

/// `RefreshTokenRotation`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RefreshTokenRotation {
    /// Whether a refresh returns a new refresh token.
    pub feature: Feature,
    /// Seconds the old refresh token keeps working (0 to 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_grace_period_seconds: Option<i64>,
}

/// The settings `CreateUserPoolClient` sets and `UpdateUserPoolClient` replaces.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ClientSettings {
    /// `RefreshTokenValidity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_validity: Option<i64>,
    /// `AccessTokenValidity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token_validity: Option<i64>,
    /// `IdTokenValidity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_validity: Option<i64>,
    /// `TokenValidityUnits`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_validity_units: Option<TokenValidityUnits>,
    /// `ExplicitAuthFlows`; absent: SRP, custom and refresh, as the service defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explicit_auth_flows: Option<Vec<ExplicitAuthFlow>>,
    /// `EnableTokenRevocation`; on when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_token_revocation: Option<bool>,
    /// `AuthSessionValidity`: minutes a sign-in's `Session` lasts (3 to 15, default 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_session_validity: Option<i64>,
    /// `RefreshTokenRotation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_rotation: Option<RefreshTokenRotation>,
    /// The other members of the model, kept and returned as sent: `ReadAttributes`,
    /// `WriteAttributes`, `SupportedIdentityProviders`, `CallbackURLs`, `LogoutURLs`,
    /// `DefaultRedirectURI`, `AllowedOAuthFlows`, `AllowedOAuthScopes`,
    /// `AllowedOAuthFlowsUserPoolClient`, `AnalyticsConfiguration`,
    /// `PreventUserExistenceErrors`, `EnablePropagateAdditionalUserContextData`.
    #[serde(flatten)]
    pub kept: BTreeMap<String, Value>,
}

const KEPT_MEMBERS: &[(&str, Kind)] = &[
    ("ReadAttributes", Kind::StrList),
    ("WriteAttributes", Kind::StrList),
    ("SupportedIdentityProviders", Kind::StrList),
    ("CallbackURLs", Kind::StrList),
    ("LogoutURLs", Kind::StrList),
    ("DefaultRedirectURI", Kind::Str),
    ("AllowedOAuthFlows", Kind::StrList),
    ("AllowedOAuthScopes", Kind::StrList),
    ("AllowedOAuthFlowsUserPoolClient", Kind::Bool),
    ("AnalyticsConfiguration", Kind::Object),
    ("PreventUserExistenceErrors", Kind::Str),
    ("EnablePropagateAdditionalUserContextData", Kind::Bool),
];

/// A validity and its unit in seconds, or the refusal naming the member.
fn validity(
    member: &str,
    value: i64,
    unit: TimeUnit,
    min_seconds: i64,
    max_seconds: i64,
    range: &str,
) -> Result<i64, ServiceError> {
    let seconds = value.saturating_mul(unit.seconds());
    if (min_seconds..=max_seconds).contains(&seconds) {
        Ok(seconds)
    } else {
        Err(ServiceError::InvalidParameterException(format!(
            "{member} must be between {range}."
        )))
    }
}

impl ClientSettings {
    /// Drops members outside the model, fills the service's defaults in, and checks ranges.
    fn normalize(&mut self) -> Result<(), ServiceError> {
        check_kept(&mut self.kept, KEPT_MEMBERS)?;
        let units = self
            .token_validity_units
            .get_or_insert_with(Default::default);
        // A validity left out is the default, in the unit that default is given in.
        if self.access_token_validity.is_none() {
            self.access_token_validity = Some(60);
            units.access_token.get_or_insert(TimeUnit::Minutes);
        }
        if self.id_token_validity.is_none() {
            self.id_token_validity = Some(60);
            units.id_token.get_or_insert(TimeUnit::Minutes);
        }
        if self.refresh_token_validity.is_none() {
            self.refresh_token_validity = Some(30);
            units.refresh_token.get_or_insert(TimeUnit::Days);
        }
        units.access_token.get_or_insert(TimeUnit::Hours);
        units.id_token.get_or_insert(TimeUnit::Hours);
        units.refresh_token.get_or_insert(TimeUnit::Days);
        self.access_seconds()?;
        self.id_seconds()?;
        self.refresh_seconds()?;
        if let Some(minutes) = self.auth_session_validity {
            check_range("authSessionValidity", minutes, 3, 15)?;
        }
        if let Some(rotation) = &self.refresh_token_rotation
            && let Some(grace) = rotation.retry_grace_period_seconds
        {
            check_range("refreshTokenRotation.retryGracePeriodSeconds", grace, 0, 60)?;
        }
        if let Some(flows) = &self.explicit_auth_flows {
            let legacy = flows
                .iter()
                .any(|flow| !flow.as_str().starts_with("ALLOW_"));
            let current = flows.iter().any(|flow| flow.as_str().starts_with("ALLOW_"));
            if legacy && current {
                return Err(ServiceError::InvalidParameterException(
                    "ExplicitAuthFlows cannot mix the legacy values with the ALLOW_ values.".into(),
                ));
            }
        }
        self.enable_token_revocation.get_or_insert(true);
        self.kept
            .entry("PreventUserExistenceErrors".into())
            .or_insert_with(|| Value::String("LEGACY".into()));
        self.kept
            .entry("AllowedOAuthFlowsUserPoolClient".into())
            .or_insert(Value::Bool(false));
        Ok(())
    }

    fn units(&self) -> TokenValidityUnits {
        self.token_validity_units.clone().unwrap_or_default()
    }

    /// Seconds an access token lasts (`ExpiresIn`).
    pub fn access_seconds(&self) -> Result<i64, ServiceError> {
        let unit = self.units().access_token.unwrap_or(TimeUnit::Hours);
        validity(
            "AccessTokenValidity",
            self.access_token_validity.unwrap_or(1),
            unit,
            300,
            86_400,
            "5 minutes and 1 day",
        )
    }

    /// Seconds an ID token lasts.
    pub fn id_seconds(&self) -> Result<i64, ServiceError> {
        let unit = self.units().id_token.unwrap_or(TimeUnit::Hours);
        validity(
            "IdTokenValidity",
            self.id_token_validity.unwrap_or(1),
            unit,
            300,
            86_400,
            "5 minutes and 1 day",
        )
    }

    /// Seconds a refresh token lasts.
    pub fn refresh_seconds(&self) -> Result<i64, ServiceError> {
        let unit = self.units().refresh_token.unwrap_or(TimeUnit::Days);
        validity(
            "RefreshTokenValidity",
            self.refresh_token_validity.unwrap_or(30),
            unit,
            3600,
            3650 * 86_400,
            "60 minutes and 10 years",
        )
    }
}

/// `CreateUserPoolClient`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateUserPoolClient {
    /// `UserPoolId`.
    pub user_pool_id: String,
    /// `ClientName`.
    pub client_name: String,
    /// `GenerateSecret`.
    #[serde(default)]
    pub generate_secret: Option<bool>,
    /// `ClientSecret`: a secret of the caller's choosing.
    #[serde(default)]
    pub client_secret: Option<Zeroizing<String>>,
    /// The settings.
    #[serde(flatten)]
    pub settings: ClientSettings,
}

impl std::fmt::Debug for CreateUserPoolClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateUserPoolClient")
            .field("user_pool_id", &self.user_pool_id)
            .field("client_name", &self.client_name)
            .finish_non_exhaustive()
    }
}

/// `UpdateUserPoolClient`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserPoolClient {
    /// `UserPoolId`.
    pub user_pool_id: String,
    /// `ClientId`.
    pub client_id: String,
    /// `ClientName`: unchanged when absent.
    #[serde(default)]
    pub client_name: Option<String>,
    /// The settings, replacing the client's.
    #[serde(flatten)]
    pub settings: ClientSettings,
}

/// An app client as kept: the `UserPoolClientType` members.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolClient {
    /// `UserPoolId`.
    pub user_pool_id: String,
    /// `ClientName`.
    pub client_name: String,
    /// `ClientId`.
    pub client_id: String,
    /// `ClientSecret`: with one, every request needs `SECRET_HASH`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// `CreationDate`.
    pub creation_date: EpochSeconds,
    /// `LastModifiedDate`.
    pub last_modified_date: EpochSeconds,
    /// The settings.
    #[serde(flatten)]
    pub settings: ClientSettings,
}

impl Drop for UserPoolClient {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        if let Some(secret) = &mut self.client_secret {
            secret.zeroize();
        }
    }
}

impl std::fmt::Debug for UserPoolClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserPoolClient")
            .field("user_pool_id", &self.user_pool_id)
            .field("client_id", &self.client_id)
            .field("client_name", &self.client_name)
            .field("has_secret", &self.client_secret.is_some())
            .finish_non_exhaustive()
    }
}

/// A caller-chosen `ClientSecret`: 24 to 64 letters, digits, `_` or `+`. Never echoed.
fn check_secret(secret: &str) -> Result<(), ServiceError> {
    let ok = (24..=64).contains(&secret.len())
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'+');
    if ok {
        Ok(())
    } else {
        Err(ServiceError::InvalidParameterException(
            "1 validation error detected: Value at 'clientSecret' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: [\\w+]+ and have \
             length between 24 and 64"
                .into(),
        ))
    }
}

impl UserPoolClient {
    /// A new client `client_id` from a `CreateUserPoolClient` request; `new_secret` makes a
    /// secret when `GenerateSecret` asks for one.
    pub fn create(
        client_id: String,
        input: CreateUserPoolClient,
        new_secret: impl FnOnce() -> String,
        now: EpochSeconds,
    ) -> Result<Self, ServiceError> {
        check_name("clientName", &input.client_name)?;
        let secret = match (&input.client_secret, input.generate_secret) {
            (Some(secret), _) => {
                check_secret(secret)?;
                Some(secret.to_string())
            }
            (None, Some(true)) => Some(new_secret()),
            (None, _) => None,
        };
        let mut settings = input.settings.clone();
        settings.normalize()?;
        Ok(Self {
            user_pool_id: input.user_pool_id.clone(),
            client_name: input.client_name.clone(),
            client_id,
            client_secret: secret,
            creation_date: now,
            last_modified_date: now,
            settings,
        })
    }

    /// Applies an `UpdateUserPoolClient` request.
    pub fn update(
        &mut self,
        input: UpdateUserPoolClient,
        now: EpochSeconds,
    ) -> Result<(), ServiceError> {
        if let Some(name) = &input.client_name {
            check_name("clientName", name)?;
        }
        let mut settings = input.settings;
        settings.normalize()?;
        if let Some(name) = input.client_name {
            self.client_name = name;
        }
        self.settings = settings;
        self.last_modified_date = now;
        Ok(())
    }

    /// `UserPoolClientType`, the secret included, as the service returns it.
    pub fn describe(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// `ListUserPoolClients`' `UserPoolClientDescription`.
    pub fn summary(&self) -> Value {
        serde_json::json!({
            "ClientId": self.client_id,
            "UserPoolId": self.user_pool_id,
            "ClientName": self.client_name,
        })
    }

    /// Whether `ExplicitAuthFlows` allows `flow`.
    pub fn allows(&self, flow: Flow) -> bool {
        use ExplicitAuthFlow as F;
        let Some(flows) = &self.settings.explicit_auth_flows else {
            return matches!(flow, Flow::UserSrp | Flow::RefreshToken | Flow::Custom);
        };
        let has = |value: F| flows.contains(&value);
        let legacy = flows.iter().any(|f| !f.as_str().starts_with("ALLOW_"));
        if legacy {
            // The legacy values only added flows to SRP and refresh, which were always on
            // (CUSTOM_AUTH_FLOW_ONLY aside).
            return match flow {
                Flow::UserSrp => !has(F::CustomAuthFlowOnly),
                Flow::RefreshToken | Flow::Custom => true,
                Flow::UserPassword => has(F::UserPasswordAuth),
                Flow::AdminUserPassword => has(F::AdminNoSrpAuth),
                Flow::UserAuth => false,
            };
        }
        match flow {
            Flow::UserSrp => has(F::AllowUserSrpAuth),
            Flow::RefreshToken => has(F::AllowRefreshTokenAuth),
            Flow::UserPassword => has(F::AllowUserPasswordAuth),
            Flow::AdminUserPassword => has(F::AllowAdminUserPasswordAuth),
            Flow::Custom => has(F::AllowCustomAuth),
            Flow::UserAuth => has(F::AllowUserAuth),
        }
    }

    /// How long a sign-in's `Session` lasts, in seconds.
    pub fn session_seconds(&self) -> i64 {
        self.settings.auth_session_validity.unwrap_or(3) * 60
    }

    /// Whether refresh tokens rotate.
    pub fn rotates_refresh_tokens(&self) -> bool {
        self.settings
            .refresh_token_rotation
            .as_ref()
            .is_some_and(|rotation| rotation.feature == Feature::Enabled)
    }
}

/// Checks an id of the service's shape at `path` before it is looked up: 1 to 128
/// characters of `[\w+]+`, as `ClientIdType` has it.
pub fn check_client_id(path: &str, client_id: &str) -> Result<(), ServiceError> {
    check_len(path, client_id, 1, 128)?;
    if client_id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'+')
    {
        Ok(())
    } else {
        Err(super::validation(
            path,
            &client_id.escape_debug().to_string(),
            "Member must satisfy regular expression pattern: [\\w+]+",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse;
    use serde_json::json;

    fn client(body: Value) -> Result<UserPoolClient, ServiceError> {
        let input: CreateUserPoolClient = parse(&body)?;
        UserPoolClient::create("c".repeat(26), input, || "s".repeat(51), 1)
    }

    #[test]
    fn defaults_secret_and_flows() {
        let plain = client(json!({"UserPoolId": "us-east-1_x", "ClientName": "web"})).unwrap();
        assert!(plain.client_secret.is_none());
        assert!(plain.allows(Flow::UserSrp) && plain.allows(Flow::RefreshToken));
        assert!(!plain.allows(Flow::UserPassword));
        assert_eq!(plain.settings.access_seconds().unwrap(), 3600);
        assert_eq!(plain.settings.refresh_seconds().unwrap(), 30 * 86_400);
        let described = plain.describe();
        assert_eq!(described["TokenValidityUnits"]["AccessToken"], "minutes");
        assert_eq!(described["EnableTokenRevocation"], true);

        let secret = client(json!({
            "UserPoolId": "us-east-1_x", "ClientName": "web", "GenerateSecret": true,
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            "AccessTokenValidity": 10, "TokenValidityUnits": {"AccessToken": "minutes"},
        }))
        .unwrap();
        assert_eq!(secret.client_secret.as_deref().map(str::len), Some(51));
        assert!(!secret.allows(Flow::UserSrp) && secret.allows(Flow::UserPassword));
        assert_eq!(secret.settings.access_seconds().unwrap(), 600);
        assert!(!format!("{secret:?}").contains("sss"));
    }

    #[test]
    fn refusals() {
        let error = client(json!({
            "UserPoolId": "us-east-1_x", "ClientName": "web", "AccessTokenValidity": 100
        }))
        .unwrap_err();
        assert_eq!(
            error.message(),
            "AccessTokenValidity must be between 5 minutes and 1 day."
        );
        let error = client(json!({
            "UserPoolId": "us-east-1_x", "ClientName": "web",
            "ExplicitAuthFlows": ["USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"]
        }))
        .unwrap_err();
        assert_eq!(error.name(), "InvalidParameterException");
        let error = client(json!({
            "UserPoolId": "us-east-1_x", "ClientName": "web", "ClientSecret": "short-secret"
        }))
        .unwrap_err();
        assert!(!error.message().contains("short-secret"));
        assert!(check_client_id("clientId", "abc\ndef").is_err());
    }
}

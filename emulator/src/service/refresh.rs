//! Refresh tokens after the sign-in that issued them: `REFRESH_TOKEN_AUTH` (through
//! `InitiateAuth` / `AdminInitiateAuth`) and `GetTokensFromRefreshToken`, the app client's
//! `RefreshTokenRotation`, and the end of tokens: `RevokeToken`, `GlobalSignOut` and
//! `AdminUserGlobalSignOut`.
//!
//! A refresh token is opaque; the store keeps its SHA-256 with the sign-in it belongs to: the
//! user, the app client, the device it is bound to, and the sign-in's `origin_jti`, which every
//! access and ID token of that sign-in and its refreshes carries. Revoking a refresh token
//! revokes its `origin_jti`, so the access tokens it issued are refused too; a global sign-out
//! revokes every sign-in of the user.
//!
//! With rotation on, each `GetTokensFromRefreshToken` returns a new refresh token of the same
//! sign-in, and the one it replaces keeps working for `RetryGracePeriodSeconds` (a client whose
//! answer was lost can retry); `REFRESH_TOKEN_AUTH` is refused, since it cannot hand the new
//! token back.

use super::{ClientAt, Service, UserBy, check_secret_hash, required};
use crate::{
    error::ServiceError,
    input::{Input, Params},
    model::client::Feature,
    store::{RefreshRow, UserRow},
};
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

/// How a refresh proves the app client's secret.
enum ClientProof<'a> {
    /// `SECRET_HASH` in `AuthParameters`, over the user's name (`REFRESH_TOKEN_AUTH`).
    SecretHash(&'a Params),
    /// `ClientSecret` itself (`GetTokensFromRefreshToken`, `RevokeToken`).
    Secret(Option<&'a str>),
}

impl Service {
    /// `REFRESH_TOKEN_AUTH`: new ID and access tokens; the refresh token stays.
    pub(super) fn refresh_token_auth(
        &self,
        at: &ClientAt,
        params: &Params,
    ) -> Result<Value, ServiceError> {
        let token = required(params, "REFRESH_TOKEN")?;
        if rotates(at) {
            return Err(ServiceError::NotAuthorizedException(
                "Refresh token rotation is enabled for this app client: use \
                 GetTokensFromRefreshToken."
                    .into(),
            ));
        }
        let device_key = params.get("DEVICE_KEY").map(String::as_str);
        let result = self.refresh(at, token, device_key, ClientProof::SecretHash(params))?;
        Ok(json!({ "ChallengeParameters": {}, "AuthenticationResult": result }))
    }

    /// `GetTokensFromRefreshToken`: new ID and access tokens, and with rotation on a new
    /// refresh token.
    pub(super) fn get_tokens_from_refresh_token(
        &self,
        input: &Input,
    ) -> Result<Value, ServiceError> {
        let token = input.str("RefreshToken")?;
        let at = self.app_client(input.str("ClientId")?)?;
        let device_key = input.opt_str("DeviceKey")?;
        let secret = input.opt_str("ClientSecret")?;
        let result = self.refresh(&at, token, device_key, ClientProof::Secret(secret))?;
        Ok(json!({ "AuthenticationResult": result }))
    }

    /// The tokens of a refresh: the token must be this client's, not revoked, not expired, not
    /// replaced longer ago than the grace period, and presented with the device it is bound
    /// to, by a user who may still sign in.
    fn refresh(
        &self,
        at: &ClientAt,
        token: &str,
        device_key: Option<&str>,
        proof: ClientProof<'_>,
    ) -> Result<serde_json::Map<String, Value>, ServiceError> {
        let now = self.now();
        let token_sha256 = sha256_hex(token);
        let row = self
            .store
            .refresh(&token_sha256)?
            .filter(|row| row.client_id == at.client.client_id && row.pool_id == at.pool.id)
            .ok_or_else(invalid_refresh_token)?;
        let user = self
            .store
            .user(&at.pool.id, &row.username)?
            .ok_or_else(invalid_refresh_token)?;
        match proof {
            ClientProof::SecretHash(params) => {
                // The documentation names USERNAME for the hash; clients hash the user name
                // or, in pools signed in by alias, the `sub`: either is accepted.
                let mut usernames = vec![user.username.as_str(), user.sub.as_str()];
                if let Some(username) = params.get("USERNAME") {
                    usernames.push(username);
                }
                check_secret_hash(
                    &at.client,
                    params.get("SECRET_HASH").map(String::as_str),
                    &usernames,
                )?;
            }
            ClientProof::Secret(given) => check_client_secret(at, given)?,
        }
        if row.revoked {
            return Err(ServiceError::NotAuthorizedException(
                "Refresh Token has been revoked".into(),
            ));
        }
        if let Some(replaced_at) = row.replaced_at
            && now >= replaced_at.saturating_add(grace_seconds(at))
        {
            return Err(ServiceError::RefreshTokenReuseException(
                "Refresh token has been replaced by rotation and its grace period is over.".into(),
            ));
        }
        if row.expires <= now {
            return Err(ServiceError::NotAuthorizedException(
                "Refresh Token has expired".into(),
            ));
        }
        // Bound to the device the sign-in went through or was issued.
        if row.device_key.is_some() && row.device_key.as_deref() != device_key {
            return Err(invalid_refresh_token());
        }
        check_enabled(&user)?;
        let mut result = self.token_pair(
            at,
            &user,
            row.device_key.as_deref(),
            row.auth_time,
            &row.origin_jti,
        )?;
        if rotates(at) {
            let fresh = self.new_refresh_token(
                at,
                &user,
                row.device_key.clone(),
                row.auth_time,
                &row.origin_jti,
            )?;
            self.store.replace_refresh(&token_sha256, now)?;
            result.insert("RefreshToken".into(), json!(fresh));
        }
        Ok(result)
    }

    /// Issues and keeps a refresh token of the sign-in `origin_jti`, lasting as the client
    /// says from now.
    pub(super) fn new_refresh_token(
        &self,
        at: &ClientAt,
        user: &UserRow,
        device_key: Option<String>,
        auth_time: i64,
        origin_jti: &str,
    ) -> Result<String, ServiceError> {
        let token = new_refresh_token_text();
        self.store.insert_refresh(
            &sha256_hex(&token),
            &RefreshRow {
                pool_id: at.pool.id.clone(),
                username: user.username.clone(),
                client_id: at.client.client_id.clone(),
                device_key,
                auth_time,
                origin_jti: origin_jti.to_string(),
                expires: self
                    .now()
                    .saturating_add(at.client.settings.refresh_seconds()?),
                revoked: false,
                replaced_at: None,
            },
        )?;
        Ok(token)
    }

    /// `RevokeToken`: the refresh token and every token of its sign-in stop working. A token
    /// this pool never issued is answered as revoked, as OAuth 2.0 revocation (RFC 7009,
    /// section 2.2) answers an invalid token; another client's token is refused.
    pub(super) fn revoke_token(&self, input: &Input) -> Result<Value, ServiceError> {
        let token = input.str("Token")?;
        let at = self.app_client(input.str("ClientId")?)?;
        check_client_secret(&at, input.opt_str("ClientSecret")?)
            .map_err(|error| ServiceError::UnauthorizedException(error.message().to_string()))?;
        if at.client.settings.enable_token_revocation == Some(false) {
            return Err(ServiceError::UnsupportedOperationException(
                "Token revocation is not enabled for this app client.".into(),
            ));
        }
        // An access or ID token (a JWT) is not what this operation revokes.
        if token.split('.').count() == 3 {
            return Err(ServiceError::UnsupportedTokenTypeException(
                "Only refresh tokens can be revoked.".into(),
            ));
        }
        let Some(row) = self
            .store
            .refresh(&sha256_hex(token))?
            .filter(|row| row.pool_id == at.pool.id)
        else {
            return Ok(json!({}));
        };
        if row.client_id != at.client.client_id {
            return Err(ServiceError::UnauthorizedException(
                "The refresh token was not issued to this app client.".into(),
            ));
        }
        self.store.revoke_origin(&at.pool.id, &row.origin_jti)?;
        Ok(json!({}))
    }

    /// `GlobalSignOut` and `AdminUserGlobalSignOut`: every token of the user, on every device
    /// and client, stops working.
    pub(super) fn global_sign_out(&self, input: &Input, by: UserBy) -> Result<Value, ServiceError> {
        let (pool, user) = self.user_by(input, by)?;
        self.store.revoke_user(&pool.id, &user.username)?;
        Ok(json!({}))
    }
}

/// Whether the app client rotates refresh tokens.
fn rotates(at: &ClientAt) -> bool {
    at.client
        .settings
        .refresh_token_rotation
        .as_ref()
        .is_some_and(|rotation| rotation.feature == Feature::Enabled)
}

/// How long a replaced refresh token keeps working: the client's `RetryGracePeriodSeconds`
/// while rotation is on, else none.
fn grace_seconds(at: &ClientAt) -> i64 {
    at.client
        .settings
        .refresh_token_rotation
        .as_ref()
        .filter(|rotation| rotation.feature == Feature::Enabled)
        .and_then(|rotation| rotation.retry_grace_period_seconds)
        .unwrap_or(0)
}

/// `ClientSecret` when the app client has a secret: present and equal, compared in constant
/// time.
fn check_client_secret(at: &ClientAt, given: Option<&str>) -> Result<(), ServiceError> {
    let Some(secret) = &at.client.client_secret else {
        return Ok(());
    };
    let client_id = &at.client.client_id;
    match given {
        Some(given) if bool::from(secret.as_bytes().ct_eq(given.as_bytes())) => Ok(()),
        Some(_) => Err(ServiceError::NotAuthorizedException(format!(
            "Unable to verify secret hash for client {client_id}"
        ))),
        None => Err(ServiceError::NotAuthorizedException(format!(
            "Client {client_id} is configured with secret but ClientSecret was not received"
        ))),
    }
}

/// "User is disabled." after `AdminDisableUser`, for every sign-in and refresh.
pub(super) fn check_enabled(user: &UserRow) -> Result<(), ServiceError> {
    if !user.enabled {
        return Err(ServiceError::NotAuthorizedException(
            "User is disabled.".into(),
        ));
    }
    Ok(())
}

/// "Invalid Refresh Token.": unknown, another client's, replaced, or bound to another device.
fn invalid_refresh_token() -> ServiceError {
    ServiceError::NotAuthorizedException("Invalid Refresh Token.".into())
}

/// 64 random bytes, URL-safe base64.
fn new_refresh_token_text() -> String {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    use rand::Rng;
    let mut bytes = [0u8; 64];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// How the store names a refresh token.
fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

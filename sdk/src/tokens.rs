//! The tokens a sign-in ends in; their refresh, by `GetTokensFromRefreshToken` (which works
//! with refresh-token rotation) or `REFRESH_TOKEN_AUTH`, with the device the refresh token is
//! bound to (a pool that tracks devices refuses a refresh without it: "Invalid Refresh
//! Token."); and their end: `RevokeToken` and `GlobalSignOut`.

use crate::{CognitoSrpClient, Error, StoredDevice};
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, AuthenticationResultType};
use std::{collections::HashMap, fmt};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// `AuthenticationResult`'s tokens. Bearer secrets: zeroized on drop, never in `Debug`.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Tokens {
    /// `AccessToken`.
    pub access_token: String,
    /// `IdToken`.
    pub id_token: String,
    /// `RefreshToken`: a sign-in has one; a refresh answer has one only when rotated.
    pub refresh_token: Option<String>,
    /// `ExpiresIn`, seconds.
    pub expires_in: i32,
    /// `TokenType`, `Bearer`.
    pub token_type: String,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens")
            .field("expires_in", &self.expires_in)
            .field("token_type", &self.token_type)
            .finish_non_exhaustive()
    }
}

impl Tokens {
    pub(crate) fn from_result(
        operation: &'static str,
        result: &AuthenticationResultType,
    ) -> Result<Self, Error> {
        let missing = |what| Error::malformed(operation, what);
        Ok(Self {
            access_token: result
                .access_token()
                .ok_or_else(|| missing("AuthenticationResult.AccessToken"))?
                .to_string(),
            id_token: result
                .id_token()
                .ok_or_else(|| missing("AuthenticationResult.IdToken"))?
                .to_string(),
            refresh_token: result.refresh_token().map(str::to_string),
            expires_in: result.expires_in(),
            token_type: result.token_type().unwrap_or("Bearer").to_string(),
        })
    }
}

/// What a refresh gives: new access and ID tokens, and which refresh token to keep. Match it:
/// with rotation the old refresh token stops working, so a new one cannot be missed.
#[derive(Debug)]
#[must_use = "with rotation the refresh token changed: keep the new one"]
#[non_exhaustive]
pub enum Refreshed {
    /// The same refresh token stays valid (no rotation).
    Kept(Tokens),
    /// The app client rotates refresh tokens: `tokens.refresh_token` is the new one, and the
    /// one just used stops working after the client's grace period.
    Rotated(Tokens),
}

impl Refreshed {
    /// The new access and ID tokens, whichever way.
    pub fn tokens(&self) -> &Tokens {
        match self {
            Self::Kept(tokens) | Self::Rotated(tokens) => tokens,
        }
    }
}

/// How a refresh is asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefreshFlow {
    /// `GetTokensFromRefreshToken`: works with refresh-token rotation (the default).
    #[default]
    GetTokensFromRefreshToken,
    /// `InitiateAuth` `REFRESH_TOKEN_AUTH`, for services or app clients without the newer
    /// operation; a client that rotates refresh tokens refuses it.
    RefreshTokenAuth,
}

/// A refresh to send: [`CognitoSrpClient::refresh`], options, then [`RefreshRequest::send`].
#[must_use = "a refresh does nothing until `send().await`"]
pub struct RefreshRequest<'a> {
    client: &'a CognitoSrpClient,
    refresh_token: &'a str,
    device_key: Option<&'a str>,
    username: Option<&'a str>,
    flow: RefreshFlow,
}

impl fmt::Debug for RefreshRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshRequest")
            .field("device_key", &self.device_key)
            .field("flow", &self.flow)
            .finish_non_exhaustive()
    }
}

impl<'a> RefreshRequest<'a> {
    /// The device the sign-in went through or was issued, which the refresh token is bound to
    /// (a pool that tracks devices refuses a refresh without it). A declined device's key
    /// works as well as a remembered one's.
    pub fn device_key(mut self, device_key: &'a str) -> Self {
        self.device_key = Some(device_key);
        self
    }

    /// The same, from a remembered device.
    pub fn device(self, device: &'a StoredDevice) -> Self {
        self.device_key(&device.device_key)
    }

    /// The same, optional.
    pub fn set_device_key(mut self, device_key: Option<&'a str>) -> Self {
        self.device_key = device_key;
        self
    }

    /// The user's name: `REFRESH_TOKEN_AUTH` hashes it into `SECRET_HASH` when the app client
    /// has a secret (`GetTokensFromRefreshToken` sends the secret itself).
    pub fn username(mut self, username: &'a str) -> Self {
        self.username = Some(username);
        self
    }

    /// `GetTokensFromRefreshToken` (the default) or `REFRESH_TOKEN_AUTH`.
    pub fn flow(mut self, flow: RefreshFlow) -> Self {
        self.flow = flow;
        self
    }

    /// Refreshes.
    pub async fn send(self) -> Result<Refreshed, Error> {
        match self.flow {
            RefreshFlow::GetTokensFromRefreshToken => self.get_tokens().await,
            RefreshFlow::RefreshTokenAuth => self.refresh_token_auth().await,
        }
    }

    async fn get_tokens(self) -> Result<Refreshed, Error> {
        let operation = "GetTokensFromRefreshToken";
        let client = self.client;
        let reply = client
            .client
            .get_tokens_from_refresh_token()
            .client_id(&client.client_id)
            .refresh_token(self.refresh_token)
            .set_client_secret(
                client
                    .client_secret
                    .as_ref()
                    .map(|s| s.as_str().to_string()),
            )
            .set_device_key(self.device_key.map(str::to_string))
            .send()
            .await?;
        let result = reply
            .authentication_result()
            .ok_or_else(|| Error::malformed(operation, "AuthenticationResult"))?;
        let tokens = Tokens::from_result(operation, result)?;
        Ok(match &tokens.refresh_token {
            Some(rotated) if rotated != self.refresh_token => Refreshed::Rotated(tokens),
            _ => Refreshed::Kept(tokens),
        })
    }

    async fn refresh_token_auth(self) -> Result<Refreshed, Error> {
        let client = self.client;
        let mut parameters =
            HashMap::from([("REFRESH_TOKEN".to_string(), self.refresh_token.to_string())]);
        if let Some(device_key) = self.device_key {
            parameters.insert("DEVICE_KEY".into(), device_key.to_string());
        }
        if let Some(app) = client.app_client() {
            let username = self.username.ok_or(Error::MissingInput {
                what: "username (SECRET_HASH of REFRESH_TOKEN_AUTH)",
            })?;
            parameters.insert(
                "SECRET_HASH".into(),
                app.secret_hash(username).as_str().to_string(),
            );
        }
        let reply = client
            .client
            .initiate_auth()
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .client_id(&client.client_id)
            .set_auth_parameters(Some(parameters))
            .send()
            .await?;
        let result = reply
            .authentication_result()
            .ok_or_else(|| Error::malformed("InitiateAuth", "AuthenticationResult"))?;
        Ok(Refreshed::Kept(Tokens::from_result(
            "InitiateAuth",
            result,
        )?))
    }
}

impl CognitoSrpClient {
    /// A refresh of `refresh_token`: `GetTokensFromRefreshToken` with the client secret when
    /// the app client has one. Name the device with [`RefreshRequest::device_key`]; send it
    /// with [`RefreshRequest::send`].
    pub fn refresh<'a>(&'a self, refresh_token: &'a str) -> RefreshRequest<'a> {
        RefreshRequest {
            client: self,
            refresh_token,
            device_key: None,
            username: None,
            flow: RefreshFlow::default(),
        }
    }

    /// `RevokeToken`: the refresh token, and every access and ID token it issued, stop
    /// working (the app client must have token revocation on, the service's default).
    pub async fn revoke(&self, refresh_token: &str) -> Result<(), Error> {
        self.client
            .revoke_token()
            .client_id(&self.client_id)
            .token(refresh_token)
            .set_client_secret(self.client_secret.as_ref().map(|s| s.as_str().to_string()))
            .send()
            .await?;
        Ok(())
    }

    /// `GlobalSignOut`: every token of the user, on every device, stops working.
    pub async fn sign_out(&self, access_token: &str) -> Result<(), Error> {
        self.client
            .global_sign_out()
            .access_token(access_token)
            .send()
            .await?;
        Ok(())
    }
}

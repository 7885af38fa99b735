//! The tokens a sign-in ends in, and `REFRESH_TOKEN_AUTH` with the device the refresh token is
//! bound to (a pool that tracks devices refuses a refresh without it: "Invalid Refresh Token.").

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
    /// `RefreshToken`: a sign-in has one; a refresh answer has none.
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

impl CognitoSrpClient {
    /// `REFRESH_TOKEN_AUTH`: new access and ID tokens. `username` is the user's name, which
    /// `SECRET_HASH` needs when the app client has a secret; `device` the device the sign-in
    /// went through or was issued, which the refresh token is bound to.
    pub async fn refresh(
        &self,
        refresh_token: &str,
        username: &str,
        device: Option<&StoredDevice>,
    ) -> Result<Tokens, Error> {
        let mut parameters =
            HashMap::from([("REFRESH_TOKEN".to_string(), refresh_token.to_string())]);
        if let Some(device) = device {
            parameters.insert("DEVICE_KEY".into(), device.device_key.clone());
        }
        if let Some(client) = self.app_client() {
            parameters.insert(
                "SECRET_HASH".into(),
                client.secret_hash(username).as_str().to_string(),
            );
        }
        let reply = self
            .client
            .initiate_auth()
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .client_id(&self.client_id)
            .set_auth_parameters(Some(parameters))
            .send()
            .await?;
        let result = reply
            .authentication_result()
            .ok_or_else(|| Error::malformed("InitiateAuth", "AuthenticationResult"))?;
        Tokens::from_result("InitiateAuth", result)
    }
}

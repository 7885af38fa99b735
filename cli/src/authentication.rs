//! The answer `login` and `refresh` print: `AuthenticationResult` (and `ChallengeParameters`)
//! in the API's member names and order, as `aws cognito-idp initiate-auth`,
//! `respond-to-auth-challenge` and `get-tokens-from-refresh-token` print it.

use cognito_srp6a_sdk::{NewDeviceMetadata, Tokens};
use serde::Serialize;
use std::collections::BTreeMap;

/// The service's answer with tokens.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Answer<'a> {
    /// `initiate-auth`'s and `respond-to-auth-challenge`'s member, empty once the tokens are
    /// issued; `get-tokens-from-refresh-token` has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    challenge_parameters: Option<BTreeMap<String, String>>,
    authentication_result: AuthenticationResult<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AuthenticationResult<'a> {
    access_token: &'a str,
    expires_in: i32,
    token_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<&'a str>,
    id_token: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    new_device_metadata: Option<Device<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Device<'a> {
    device_key: &'a str,
    device_group_key: &'a str,
}

impl<'a> Answer<'a> {
    /// `tokens`, with an empty `ChallengeParameters` when the operation's answer has that
    /// member.
    pub fn new(tokens: &'a Tokens, challenge_parameters: bool) -> Self {
        Self {
            challenge_parameters: challenge_parameters.then(BTreeMap::new),
            authentication_result: AuthenticationResult {
                access_token: &tokens.access_token,
                expires_in: tokens.expires_in,
                token_type: &tokens.token_type,
                refresh_token: tokens.refresh_token.as_deref(),
                id_token: &tokens.id_token,
                new_device_metadata: None,
            },
        }
    }

    /// Without the refresh token (one written to a file instead).
    pub fn without_refresh_token(mut self) -> Self {
        self.authentication_result.refresh_token = None;
        self
    }

    /// With the `NewDeviceMetadata` a sign-in was issued, if any.
    pub fn new_device(mut self, metadata: Option<&'a NewDeviceMetadata>) -> Self {
        self.authentication_result.new_device_metadata = metadata.map(|metadata| Device {
            device_key: &metadata.device_key,
            device_group_key: &metadata.device_group_key,
        });
        self
    }
}

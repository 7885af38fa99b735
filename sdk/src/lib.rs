#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod device;
mod error;
mod sign_in;
mod tokens;

pub use aws_sdk_cognitoidentityprovider;
pub use device::{MAX_DEVICE_PAGES, NewDeviceMetadata, RememberDeviceRequest, StoredDevice};
pub use error::{BoxError, Error};
pub use sign_in::{
    AuthFlow, MAX_STEPS, MfaCode, MfaSetup, MfaType, NewPassword, SelectChallenge, SelectMfaType,
    SignIn, SignInRequest, SignedIn, TotpSecret, VerifyTotp,
};
pub use tokens::{RefreshFlow, RefreshRequest, Refreshed, Tokens};

use aws_sdk_cognitoidentityprovider::Client;
use cognito_srp6a::{AppClient, UserPoolId};
use std::{fmt, sync::Arc};
use zeroize::Zeroizing;

/// One app client of one user pool, over an SDK `Client`. Cheap to clone.
#[derive(Clone)]
pub struct CognitoSrpClient {
    client: Client,
    user_pool_id: String,
    client_id: String,
    client_secret: Option<Arc<Zeroizing<String>>>,
}

impl fmt::Debug for CognitoSrpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CognitoSrpClient")
            .field("user_pool_id", &self.user_pool_id)
            .field("client_id", &self.client_id)
            .field("has_client_secret", &self.client_secret.is_some())
            .finish_non_exhaustive()
    }
}

impl CognitoSrpClient {
    /// The app client `client_id` of the pool `user_pool_id` (`<region>_<name>`), over `client`.
    pub fn new(
        client: Client,
        user_pool_id: impl Into<String>,
        client_id: impl Into<String>,
    ) -> Result<Self, Error> {
        let user_pool_id = user_pool_id.into();
        UserPoolId::parse(&user_pool_id)?;
        Ok(Self {
            client,
            user_pool_id,
            client_id: client_id.into(),
            client_secret: None,
        })
    }

    /// The same, with a client built from `config` (`aws_config::load_from_env().await`).
    pub fn from_sdk_config(
        config: &aws_types::SdkConfig,
        user_pool_id: impl Into<String>,
        client_id: impl Into<String>,
    ) -> Result<Self, Error> {
        Self::new(Client::new(config), user_pool_id, client_id)
    }

    /// The app client's secret: `SECRET_HASH` then goes on every request and answer.
    pub fn with_client_secret(mut self, client_secret: impl Into<String>) -> Self {
        self.client_secret = Some(Arc::new(Zeroizing::new(client_secret.into())));
        self
    }

    /// The SDK client underneath, for the calls this crate does not wrap.
    pub fn sdk_client(&self) -> &Client {
        &self.client
    }

    fn app_client(&self) -> Option<AppClient<'_>> {
        self.client_secret
            .as_ref()
            .map(|secret| AppClient::new(&self.client_id, secret.as_str()))
    }
}

/// Apps spawn sign-ins on multi-threaded runtimes: every future here must be `Send`. This
/// does not compile otherwise.
#[cfg(test)]
#[allow(dead_code)]
fn futures_are_send(
    cognito: &CognitoSrpClient,
    device: &StoredDevice,
    metadata: &NewDeviceMetadata,
    mfa: MfaCode,
    new_password: NewPassword,
    select: SelectMfaType,
) {
    fn send<T: Send>(_: T) {}
    send(cognito.sign_in("u", "p").device(device).send());
    send(cognito.sign_in("u", "p").server_side().send());
    send(cognito.remember_device("t", metadata).send());
    send(cognito.refresh("r").device(device).send());
    send(cognito.revoke("r"));
    send(cognito.sign_out("t"));
    send(cognito.forget_device("t", "k"));
    send(cognito.list_devices("t"));
    send(mfa.answer("123456"));
    send(new_password.answer("p"));
    send(select.choose(MfaType::Sms));
}

//! The pool's settings: its id, its one app client, and its `DeviceConfiguration`
//! (CloudFormation `AWS::Cognito::UserPool DeviceConfiguration`, in ../shared/seeds/).

use zeroize::Zeroizing;

/// A user pool with one app client. Device tracking is always on: that is what the emulator is
/// for.
#[derive(Clone)]
pub struct PoolConfig {
    /// `<region>_<name>`, like `us-east-1_Example`.
    pub pool_id: String,
    /// The app client id.
    pub client_id: String,
    /// The app client secret, if the client has one: then every request needs `SECRET_HASH`.
    pub client_secret: Option<Zeroizing<String>>,
    /// `ChallengeRequiredOnNewDevice`: a remembered device stands in for TOTP.
    pub challenge_required_on_new_device: bool,
    /// `DeviceOnlyRememberedOnUserPrompt`: `ConfirmDevice` answers
    /// `UserConfirmationNecessary: true` and the device waits for `UpdateDeviceStatus`.
    pub device_only_remembered_on_user_prompt: bool,
}

impl std::fmt::Debug for PoolConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolConfig")
            .field("pool_id", &self.pool_id)
            .field("client_id", &self.client_id)
            .field("has_client_secret", &self.client_secret.is_some())
            .field(
                "challenge_required_on_new_device",
                &self.challenge_required_on_new_device,
            )
            .field(
                "device_only_remembered_on_user_prompt",
                &self.device_only_remembered_on_user_prompt,
            )
            .finish()
    }
}

impl PoolConfig {
    /// The region: the pool id before its `_`. Device keys start with it.
    pub fn region(&self) -> &str {
        self.pool_id
            .split_once('_')
            .map_or("", |(region, _)| region)
    }

    /// The pool name: the pool id after its `_`, the `P` of a user's SRP identity.
    pub fn pool_name(&self) -> &str {
        self.pool_id.split_once('_').map_or("", |(_, name)| name)
    }
}

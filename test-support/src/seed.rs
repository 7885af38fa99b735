//! Seed files for the emulator (`EmulatorBuilder::config_file`, `--config`): one pool that
//! tracks devices, with one app client and one confirmed user.

use std::path::{Path, PathBuf};

/// The pool, app client and user of a seed file.
#[derive(Debug)]
pub struct OnePool<'a> {
    /// The pool's id, `<region>_<name>`.
    pub pool_id: &'a str,
    /// The pool's name.
    pub pool_name: &'a str,
    /// `DeviceConfiguration.ChallengeRequiredOnNewDevice`.
    pub challenge_required_on_new_device: bool,
    /// The app client's name.
    pub client_name: &'a str,
    /// The app client's id.
    pub client_id: &'a str,
    /// The app client's `ExplicitAuthFlows`.
    pub flows: &'a [&'a str],
    /// Whether the app client rotates refresh tokens (with no grace period).
    pub rotation: bool,
    /// The user.
    pub username: &'a str,
    /// The user's password.
    pub password: &'a str,
}

impl OnePool<'_> {
    /// Writes the seed file `seed.yaml` in `dir`; its path.
    pub fn write(&self, dir: &Path) -> PathBuf {
        let rotation = if self.rotation {
            "        RefreshTokenRotation: {Feature: ENABLED, RetryGracePeriodSeconds: 0}\n"
        } else {
            ""
        };
        let yaml = format!(
            "UserPools:\n  - Id: {}\n    PoolName: {}\n    \
             DeviceConfiguration: {{ChallengeRequiredOnNewDevice: {}}}\n    Clients:\n      \
             - ClientName: {}\n        ClientId: {}\n        ExplicitAuthFlows: [{}]\n{rotation}    \
             Users:\n      - Username: {}\n        Password: {}\n",
            self.pool_id,
            self.pool_name,
            self.challenge_required_on_new_device,
            self.client_name,
            self.client_id,
            self.flows.join(", "),
            self.username,
            self.password,
        );
        let path = dir.join("seed.yaml");
        std::fs::write(&path, yaml).unwrap();
        path
    }
}

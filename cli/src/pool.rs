//! Which pool and app client a command calls: the pool id (whose region is the region of last
//! resort), and the app client with its secret, or for the calls that take only an access
//! token, the token.

use crate::{
    failure::Failure,
    secrets::{self, AccessTokenArgs},
    service::{Service, ServiceArgs, runtime},
};
use cognito_srp6a_sdk::CognitoSrpClient;
use zeroize::Zeroizing;

/// The region part of `pool_id` (`us-east-1` of `us-east-1_Example`), the region of last
/// resort; a pool id not of that form is an argument error.
fn pool_region(pool_id: &str) -> Result<&str, Failure> {
    cognito_srp6a::UserPoolId::parse(pool_id)
        .map(|id| id.region())
        .map_err(|_| {
            // Debug quotes the text and escapes its control characters.
            Failure::usage(format!("--pool-id {pool_id:?} is not <region>_<name>"))
        })
}

/// The SDK crate's client for one app client of the pool, with its secret if it has one.
fn app_client(
    service: Service,
    pool_id: &str,
    client_id: &str,
    client_secret: Option<&str>,
) -> Result<CognitoSrpClient, Failure> {
    let client = CognitoSrpClient::new(service.client, pool_id, client_id)
        .map_err(|error| Failure::usage(format!("--pool-id: {error}")))?;
    Ok(match client_secret {
        Some(secret) => client.with_client_secret(secret),
        None => client,
    })
}

/// The options of the calls that take only a sign-in's access token (GlobalSignOut,
/// ListDevices, ForgetDevice).
#[derive(Debug, clap::Args)]
pub struct TokenCallArgs {
    /// The user pool id, <region>_<name> (its region is the last resort for the region).
    #[arg(long, value_name = "ID")]
    pool_id: String,
    #[command(flatten)]
    access_token: AccessTokenArgs,
    #[command(flatten)]
    service: ServiceArgs,
}

impl TokenCallArgs {
    /// Makes `call` with the access token. The pool id is checked and the service configured
    /// before the token is read, so a wrong argument or profile costs no token. The client
    /// names no app client: these calls take none.
    pub fn call<T, E>(
        &self,
        call: impl AsyncFnOnce(&CognitoSrpClient, &str) -> Result<T, E>,
    ) -> Result<T, Failure>
    where
        Failure: From<E>,
    {
        let region = pool_region(&self.pool_id)?;
        let runtime = runtime()?;
        let service = runtime.block_on(self.service.client(region))?;
        let token = self.access_token.read()?;
        let client = app_client(service, &self.pool_id, "", None)?;
        Ok(runtime.block_on(call(&client, &token))?)
    }
}

/// The app client a sign-in or a refresh goes through.
#[derive(Debug, clap::Args)]
pub struct AppClientArgs {
    /// The user pool id, <region>_<name>.
    #[arg(long, value_name = "ID")]
    pool_id: String,
    /// The app client id.
    #[arg(long, value_name = "ID")]
    client_id: String,
    /// The environment variable holding the app client secret, if the client has one.
    #[arg(long, value_name = "VAR")]
    pub client_secret_env: Option<String>,
}

impl AppClientArgs {
    /// The pool id's region; a pool id not of the form `<region>_<name>` is an argument error.
    pub fn region(&self) -> Result<&str, Failure> {
        pool_region(&self.pool_id)
    }

    /// The app client secret, from its environment variable, if the client has one.
    pub fn secret(&self) -> Result<Option<Zeroizing<String>>, Failure> {
        self.client_secret_env
            .as_deref()
            .map(secrets::from_env)
            .transpose()
    }

    /// The client, with `secret` (from [`AppClientArgs::secret`]).
    pub fn client(
        &self,
        service: Service,
        secret: Option<&Zeroizing<String>>,
    ) -> Result<CognitoSrpClient, Failure> {
        app_client(
            service,
            &self.pool_id,
            &self.client_id,
            secret.map(|secret| secret.as_str()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_ids_region() {
        assert_eq!(pool_region("eu-west-3_Pool").unwrap(), "eu-west-3");
        for bad in ["Pool", "_Pool", "eu-west-3_", ""] {
            let failure = pool_region(bad).unwrap_err();
            assert!(
                failure
                    .to_string()
                    .starts_with("InvalidArguments: --pool-id"),
                "{failure}"
            );
        }
    }
}

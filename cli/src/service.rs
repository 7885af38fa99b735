//! Where the service is and how long to wait for it, resolved as the AWS CLI resolves them,
//! through `aws-config`: the flags first, then the environment (`AWS_REGION`,
//! `AWS_DEFAULT_REGION`, `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`, `AWS_ENDPOINT_URL`), then
//! the profile (`--profile`, else `AWS_PROFILE`, else `default`, in `~/.aws/config` or
//! `AWS_CONFIG_FILE`: `region`, `endpoint_url`, its `[services]` section's
//! `cognito-identity-provider` `endpoint_url`), then the pool id's region and its AWS endpoint.
//! No credentials are read: the sign-in and device calls are the ones the service takes unsigned.

use crate::{answer_limit::AnswerLimit, failure::Failure};
use aws_config::{
    BehaviorVersion, Region, environment::EnvironmentVariableRegionProvider,
    meta::region::RegionProviderChain, profile::ProfileFileRegionProvider, timeout::TimeoutConfig,
};
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_sdk_cognitoidentityprovider::Client;
use aws_types::os_shim_internal::{Env, Fs};
use std::{borrow::Cow, time::Duration};

/// The AWS CLI's options for finding and waiting on the service.
#[derive(Debug, clap::Args)]
pub struct ServiceArgs {
    /// The region; default: AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`, then the
    /// pool id's.
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// The service endpoint (a local emulator, a VPC endpoint); default:
    /// AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, AWS_ENDPOINT_URL, the profile's
    /// `endpoint_url`, then the region's.
    #[arg(long, value_name = "URL")]
    endpoint_url: Option<String>,
    /// The profile of ~/.aws/config (or AWS_CONFIG_FILE) to read `region` and `endpoint_url`
    /// from; default: AWS_PROFILE, then `default`.
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Seconds to wait for a connection, per attempt; 0: no limit.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    cli_connect_timeout: u64,
    /// Seconds to wait for an answer once connected, per attempt; 0: no limit.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    cli_read_timeout: u64,
}

/// The single-threaded runtime every command's calls run on.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure::new("RuntimeError", error.to_string()))
}

/// A client for the service, and the region it was made for.
#[derive(Debug)]
pub struct Service {
    /// The SDK client: region, endpoint, timeouts and the answer cap set.
    pub client: Client,
    /// The region it was made for, which `--verbose` says.
    pub region: Region,
}

impl ServiceArgs {
    /// The client, configured; `pool_region` (the pool id's) is the last resort for the region.
    /// A named profile that is not there, or a configuration file that does not parse, is a
    /// configuration failure (253).
    pub async fn client(&self, pool_region: &str) -> Result<Service, Failure> {
        self.check_profile().await?;
        let region = self.region(pool_region).await;
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .no_credentials()
            .region(region.clone())
            .timeout_config(self.timeouts());
        if let Some(profile) = &self.profile {
            loader = loader.profile_name(profile);
        }
        let shared = loader.load().await;
        let mut config = aws_sdk_cognitoidentityprovider::config::Builder::from(&shared)
            .interceptor(AnswerLimit);
        // On the service's own builder: aws-config would let the service-specific variable
        // and profile key win over an endpoint given to the loader, and the flag must win.
        if let Some(url) = &self.endpoint_url {
            config = config.endpoint_url(url);
        }
        Ok(Service {
            client: Client::from_conf(config.build()),
            region,
        })
    }

    /// The profile set aws-config reads, checked: unlike aws-config, which logs and goes on,
    /// a profile asked for by name must exist and the files must parse.
    async fn check_profile(&self) -> Result<(), Failure> {
        let profiles = aws_config::profile::load(
            &Fs::real(),
            &Env::real(),
            &EnvConfigFiles::default(),
            self.profile.clone().map(Cow::Owned),
        )
        .await
        .map_err(|error| Failure::configuration("InvalidConfiguration", error.to_string()))?;
        let named = self.profile.is_some() || std::env::var_os("AWS_PROFILE").is_some();
        let selected = profiles.selected_profile();
        if named && profiles.get_profile(selected).is_none() {
            return Err(Failure::configuration(
                "ProfileNotFound",
                format!("The config profile ({selected}) could not be found"),
            ));
        }
        Ok(())
    }

    /// `--region`, the environment, the profile, then the pool id's. Not aws-config's default
    /// chain, whose last resort asks the EC2 instance metadata service: the pool id says it.
    async fn region(&self, pool_region: &str) -> Region {
        let mut profile = ProfileFileRegionProvider::builder();
        if let Some(name) = &self.profile {
            profile = profile.profile_name(name);
        }
        RegionProviderChain::first_try(self.region.clone().map(Region::new))
            .or_else(EnvironmentVariableRegionProvider::new())
            .or_else(profile.build())
            .or_else(Region::new(pool_region.to_string()))
            .region()
            .await
            .unwrap_or_else(|| Region::new(pool_region.to_string()))
    }

    /// The AWS CLI's `--cli-connect-timeout` and `--cli-read-timeout`: 0 is no limit. The
    /// SDK's read timeout ends when the answer's head arrives, so a body trickled a byte at a
    /// time would go on for ever: each attempt, body included, is also bounded by the two
    /// together (a Cognito answer is a few KiB, which arrive with the head).
    fn timeouts(&self) -> TimeoutConfig {
        let seconds = |value: u64| (value > 0).then(|| Duration::from_secs(value));
        let (connect, read) = (
            seconds(self.cli_connect_timeout),
            seconds(self.cli_read_timeout),
        );
        let mut timeouts = TimeoutConfig::builder();
        timeouts = match connect {
            Some(limit) => timeouts.connect_timeout(limit),
            None => timeouts.disable_connect_timeout(),
        };
        timeouts = match read {
            Some(limit) => timeouts.read_timeout(limit),
            None => timeouts.disable_read_timeout(),
        };
        timeouts = match connect.zip(read) {
            Some((connect, read)) => timeouts.operation_attempt_timeout(connect + read),
            None => timeouts.disable_operation_attempt_timeout(),
        };
        timeouts.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        service: ServiceArgs,
    }

    fn args(extra: &[&str]) -> ServiceArgs {
        Cli::try_parse_from(std::iter::once(&"x").chain(extra))
            .unwrap()
            .service
    }

    #[test]
    fn timeouts_default_to_the_aws_clis_and_zero_is_none() {
        let timeouts = args(&[]).timeouts();
        assert_eq!(timeouts.connect_timeout(), Some(Duration::from_secs(60)));
        assert_eq!(timeouts.read_timeout(), Some(Duration::from_secs(60)));
        assert_eq!(
            timeouts.operation_attempt_timeout(),
            Some(Duration::from_secs(120))
        );
        let timeouts = args(&["--cli-connect-timeout", "0", "--cli-read-timeout", "2"]).timeouts();
        assert_eq!(timeouts.connect_timeout(), None);
        assert_eq!(timeouts.read_timeout(), Some(Duration::from_secs(2)));
        let none = args(&["--cli-connect-timeout", "0", "--cli-read-timeout", "0"]).timeouts();
        assert_eq!((none.connect_timeout(), none.read_timeout()), (None, None));
        assert_eq!(none.operation_attempt_timeout(), None);
    }

    #[test]
    fn a_negative_timeout_is_refused() {
        assert!(Cli::try_parse_from(["x", "--cli-read-timeout", "-1"]).is_err());
    }

    #[tokio::test]
    async fn the_region_flag_wins() {
        let region = args(&["--region", "eu-north-1"]).region("us-east-1").await;
        assert_eq!(region.as_ref(), "eu-north-1");
    }
}

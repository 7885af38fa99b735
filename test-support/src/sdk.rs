//! `aws-sdk-cognitoidentityprovider` clients of a local endpoint (the emulator's URL), in
//! region us-east-1.

use aws_sdk_cognitoidentityprovider::{
    Client, Config,
    config::{BehaviorVersion, Credentials, Region},
};

/// A configuration for the endpoint at `url`, without credentials; a test adds what it needs
/// (credentials, retries, another region).
pub fn config(url: &str) -> aws_sdk_cognitoidentityprovider::config::Builder {
    Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(url)
}

/// Dummy credentials: the emulator checks no signature, but the SDK signs the `Admin*` and
/// control-plane operations and refuses to send them unsigned.
pub fn test_credentials() -> Credentials {
    Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        None,
        None,
        "cognito-srp6a-test-support",
    )
}

/// A client without credentials: the sign-in and device operations are the ones the service
/// takes unsigned.
pub fn client(url: &str) -> Client {
    Client::from_conf(config(url).build())
}

/// A client signing with [`test_credentials`], for the `Admin*` and control-plane operations.
pub fn admin_client(url: &str) -> Client {
    Client::from_conf(config(url).credentials_provider(test_credentials()).build())
}

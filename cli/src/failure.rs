//! How a command fails: `<ErrorName>: <message>` on stderr and a non-zero exit, the name being
//! the service's exception (`NotAuthorizedException`, …) when the service refused, else one of
//! this tool's (`DeviceFileError`, `InvalidArguments`, …). Messages never carry a secret.

use std::{fmt, process::ExitCode};

/// A failed command.
#[derive(Debug)]
pub struct Failure {
    name: String,
    message: String,
    exit: u8,
}

impl Failure {
    /// A failure named `name`; exits 1.
    pub fn new(name: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            message: message.into(),
            exit: 1,
        }
    }

    /// A mistake on the command line or in the environment; exits 2, as clap's own do.
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            exit: 2,
            ..Self::new("InvalidArguments", message)
        }
    }

    /// The error name, `NotAuthorizedException` and the like.
    #[cfg(test)]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The process's exit status.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.exit)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.message)
    }
}

impl From<cognito_srp6a_sdk::Error> for Failure {
    fn from(error: cognito_srp6a_sdk::Error) -> Self {
        use cognito_srp6a_sdk::Error;
        if let Some(code) = error.code() {
            return Self::new(code, error.message().unwrap_or("(no message)"));
        }
        let name = match &error {
            Error::Srp(_) => "InvalidChallengeParameter",
            Error::MalformedAnswer { .. } => "MalformedAnswer",
            Error::UnsupportedChallenge(_) => "UnsupportedChallenge",
            // The call did not reach the service, or its answer could not be read.
            _ => "RequestFailed",
        };
        Self::new(name, chain(&error))
    }
}

/// An error and its sources, `outer: inner: …`, each said once: the SDK's "dispatch failure"
/// means little without the connection error under it.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        let said = inner.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_name_then_message() {
        let failure = Failure::new("DeviceFileError", "cannot open f");
        assert_eq!(failure.to_string(), "DeviceFileError: cannot open f");
        assert_eq!(failure.exit_code(), ExitCode::from(1));
        assert_eq!(Failure::usage("x").exit_code(), ExitCode::from(2));
        assert_eq!(Failure::usage("x").name(), "InvalidArguments");
    }

    #[test]
    fn srp_errors_name_the_parameter() {
        let error = cognito_srp6a_sdk::Error::Srp(cognito_srp6a::Error::IllegalValue {
            parameter: "SRP_B",
        });
        let failure = Failure::from(error);
        assert_eq!(failure.name(), "InvalidChallengeParameter");
        assert!(failure.to_string().contains("SRP_B"), "{failure}");
    }
}

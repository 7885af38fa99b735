//! How a command fails: `<ErrorName>: <message>` on stderr and the exit status the AWS CLI
//! documents (252 bad arguments, 253 bad configuration, 254 the service refused, 255 anything
//! else). The name is the service's exception (`NotAuthorizedException`, …) when the service
//! refused, else one of this tool's (`DeviceFileError`, `InvalidArguments`, …). Messages never
//! carry a secret, and are printed with control characters escaped: the service writes some.

use crate::terminal::escape_control;
use std::{fmt, process::ExitCode};

/// Why a command failed, as the AWS CLI's exit status says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Exit {
    /// The command line (or an environment variable it names) is wrong: 252.
    Usage,
    /// The configuration (profile, region) is wrong or missing: 253.
    Configuration,
    /// The service answered with an error, whose exception name is known: 254.
    Service,
    /// Anything else: no connection, a timeout, a malformed answer, a local file: 255.
    Other,
}

impl Exit {
    /// The process status for this kind of failure.
    pub const fn code(self) -> u8 {
        match self {
            Self::Usage => 252,
            Self::Configuration => 253,
            Self::Service => 254,
            Self::Other => 255,
        }
    }
}

/// A failed command.
#[derive(Debug)]
pub struct Failure {
    name: String,
    message: String,
    exit: Exit,
}

impl Failure {
    /// A failure named `name` that is none of the others; exits 255.
    pub fn new(name: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            message: message.into(),
            exit: Exit::Other,
        }
    }

    /// A mistake on the command line or in an environment variable it names; exits 252.
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::Usage,
            ..Self::new("InvalidArguments", message)
        }
    }

    /// A configuration that cannot be used (a profile that is not there or not readable);
    /// exits 253.
    pub fn configuration(name: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            exit: Exit::Configuration,
            ..Self::new(name, message)
        }
    }

    /// The error name, `NotAuthorizedException` and the like.
    #[cfg(test)]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What kind of failure this is.
    #[cfg(test)]
    pub fn exit(&self) -> Exit {
        self.exit
    }

    /// The process's exit status.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.exit.code())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}",
            escape_control(&self.name),
            escape_control(&self.message)
        )
    }
}

impl From<cognito_srp6a_sdk::Error> for Failure {
    fn from(error: cognito_srp6a_sdk::Error) -> Self {
        use cognito_srp6a_sdk::Error;
        if let Some(code) = error.code() {
            return Self {
                exit: Exit::Service,
                ..Self::new(code, error.message().unwrap_or("(no message)"))
            };
        }
        let name = match &error {
            Error::Srp(_) => "InvalidChallengeParameter",
            Error::MalformedAnswer { .. } => "MalformedAnswer",
            Error::UnsupportedChallenge(_) => "UnsupportedChallenge",
            Error::TooManySteps { .. } => "TooManySteps",
            // The call did not reach the service, timed out, or its answer could not be read.
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
        assert_eq!(failure.exit_code(), ExitCode::from(255));
        assert_eq!(Failure::usage("x").exit_code(), ExitCode::from(252));
        assert_eq!(Failure::usage("x").name(), "InvalidArguments");
        assert_eq!(
            Failure::configuration("ProfileNotFound", "x").exit_code(),
            ExitCode::from(253)
        );
    }

    #[test]
    fn the_service_text_is_escaped() {
        let failure = Failure::new("Bad\u{1b}Name", "red \u{1b}[31m text\r\n");
        assert_eq!(
            failure.to_string(),
            "Bad\\x1bName: red \\x1b[31m text\\x0d\\x0a"
        );
    }

    #[test]
    fn srp_errors_name_the_parameter() {
        let error = cognito_srp6a_sdk::Error::Srp(cognito_srp6a::Error::IllegalValue {
            parameter: "SRP_B",
        });
        let failure = Failure::from(error);
        assert_eq!(failure.name(), "InvalidChallengeParameter");
        assert_eq!(failure.exit(), Exit::Other);
        assert!(failure.to_string().contains("SRP_B"), "{failure}");
    }
}

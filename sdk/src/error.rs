//! The one error type: the service's own errors as the SDK gives them (so
//! `NotAuthorizedException` and friends can be matched), this workspace's typed SRP errors, and
//! what a malformed service answer lacks. Nothing in this crate panics on an answer.

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use std::fmt;

/// What went wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The service refused, or the call did not reach it. The SDK's service-wide error enum:
    /// match `aws_sdk_cognitoidentityprovider::Error::NotAuthorizedException(_)` and friends.
    Service(Box<aws_sdk_cognitoidentityprovider::Error>),
    /// A challenge parameter the service sent is malformed or forbidden (`SRP_B` ≡ 0, bad hex,
    /// non-canonical base64 `SECRET_BLOCK`, …); names the parameter.
    Srp(cognito_srp6a::Error),
    /// The service's answer lacks something the protocol requires.
    MalformedAnswer {
        /// The operation whose answer it was.
        operation: &'static str,
        /// What is missing or wrong.
        what: &'static str,
    },
    /// A challenge this crate does not answer (`CUSTOM_CHALLENGE`, `MFA_SETUP`, …).
    UnsupportedChallenge(String),
}

impl Error {
    /// The service's error code (`"NotAuthorizedException"`, …), if the service answered.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Service(error) => error.code(),
            _ => None,
        }
    }

    /// The service's message (`"Incorrect username or password."`, …).
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::Service(error) => error.message(),
            _ => None,
        }
    }

    /// `ResourceNotFoundException` "Device does not exist.": the remembered device is gone.
    pub fn is_device_not_found(&self) -> bool {
        self.code() == Some("ResourceNotFoundException")
            && self
                .message()
                .is_some_and(|message| message.to_ascii_lowercase().contains("device"))
    }

    pub(crate) fn malformed(operation: &'static str, what: &'static str) -> Self {
        Self::MalformedAnswer { operation, what }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Service(error) => match (error.code(), error.message()) {
                (Some(code), Some(message)) => write!(f, "{code}: {message}"),
                (Some(code), None) => f.write_str(code),
                _ => write!(f, "{error}"),
            },
            Self::Srp(error) => write!(f, "{error}"),
            Self::MalformedAnswer { operation, what } => {
                write!(f, "malformed {operation} answer: {what}")
            }
            Self::UnsupportedChallenge(name) => write!(f, "unsupported challenge {name}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Service(error) => Some(error.as_ref()),
            Self::Srp(error) => Some(error),
            _ => None,
        }
    }
}

impl From<cognito_srp6a::Error> for Error {
    fn from(error: cognito_srp6a::Error) -> Self {
        Self::Srp(error)
    }
}

/// Every operation's `SdkError` becomes the service-wide enum, which keeps the exception.
macro_rules! from_sdk_errors {
    ($($module:ident :: $error:ident),* $(,)?) => {
        $(
            impl<R> From<aws_sdk_cognitoidentityprovider::error::SdkError<
                aws_sdk_cognitoidentityprovider::operation::$module::$error,
                R,
            >> for Error
            where
                R: Send + Sync + fmt::Debug + 'static,
            {
                fn from(
                    error: aws_sdk_cognitoidentityprovider::error::SdkError<
                        aws_sdk_cognitoidentityprovider::operation::$module::$error,
                        R,
                    >,
                ) -> Self {
                    Self::Service(Box::new(error.into()))
                }
            }
        )*
    };
}

from_sdk_errors!(
    initiate_auth::InitiateAuthError,
    respond_to_auth_challenge::RespondToAuthChallengeError,
    confirm_device::ConfirmDeviceError,
    update_device_status::UpdateDeviceStatusError,
    forget_device::ForgetDeviceError,
    list_devices::ListDevicesError,
);

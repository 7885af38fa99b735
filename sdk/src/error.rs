//! The one error type: the service's own errors as the SDK gives them (so
//! `NotAuthorizedException` and friends can be matched), kept apart from a call that timed out,
//! never reached the service, or got an answer that is not the service's (the SDK's own
//! `SdkError` split); this workspace's typed SRP errors; what a malformed service answer lacks;
//! and a service that keeps a loop going. Nothing in this crate panics on an answer.

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
    /// A challenge this crate does not answer (`CUSTOM_CHALLENGE`, …).
    UnsupportedChallenge(String),
    /// The service answered "Device does not exist." (`ResourceNotFoundException` to a step
    /// that named the device): the remembered device is gone.
    DeviceNotFound(Box<aws_sdk_cognitoidentityprovider::Error>),
    /// The call timed out (the SDK client's timeout settings).
    Timeout(BoxError),
    /// The request never reached the service: no connection, a closed port, a TLS failure.
    Dispatch(BoxError),
    /// An answer came that is not a service answer the SDK can read (not the protocol, cut
    /// short), or the request could not be built.
    Response(BoxError),
    /// A call needs an input the caller did not give.
    MissingInput {
        /// What is missing.
        what: &'static str,
    },
    /// A sign-in asked more steps than a sign-in has, or a listing more pages than the limit:
    /// the service keeps a loop going.
    TooManySteps {
        /// The operation repeated.
        operation: &'static str,
        /// The bound reached.
        limit: usize,
    },
}

/// An error from below the service: the SDK's timeout, dispatch or response error.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

impl Error {
    /// The service's error code (`"NotAuthorizedException"`, …), if the service answered.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Service(error) | Self::DeviceNotFound(error) => error.code(),
            _ => None,
        }
    }

    /// The service's message (`"Incorrect username or password."`, …).
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::Service(error) | Self::DeviceNotFound(error) => error.message(),
            _ => None,
        }
    }

    /// The remembered device is gone: decided by the error code and the step it answered (a
    /// step that named the device, past `InitiateAuth`, where the app client is known), never
    /// by the message's words.
    pub fn is_device_not_found(&self) -> bool {
        matches!(self, Self::DeviceNotFound(_))
    }

    /// Whether the service answered (as opposed to a timeout, a failed connection or an
    /// unreadable answer).
    pub fn is_service_error(&self) -> bool {
        matches!(self, Self::Service(_) | Self::DeviceNotFound(_))
    }

    pub(crate) fn into_device_not_found(self) -> Self {
        match self {
            Self::Service(error) => Self::DeviceNotFound(error),
            other => other,
        }
    }

    pub(crate) fn malformed(operation: &'static str, what: &'static str) -> Self {
        Self::MalformedAnswer { operation, what }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Service(error) | Self::DeviceNotFound(error) => {
                match (error.code(), error.message()) {
                    (Some(code), Some(message)) => write!(f, "{code}: {message}"),
                    (Some(code), None) => f.write_str(code),
                    _ => write!(f, "{error}"),
                }
            }
            Self::Srp(error) => write!(f, "{error}"),
            Self::MalformedAnswer { operation, what } => {
                write!(f, "malformed {operation} answer: {what}")
            }
            Self::UnsupportedChallenge(name) => write!(f, "unsupported challenge {name}"),
            Self::Timeout(error) => write!(f, "the request timed out: {error}"),
            Self::Dispatch(error) => write!(f, "the request did not reach the service: {error}"),
            Self::Response(error) => write!(f, "unreadable answer: {error}"),
            Self::MissingInput { what } => write!(f, "missing input: {what}"),
            Self::TooManySteps { operation, limit } => {
                write!(
                    f,
                    "{operation} repeated past {limit} steps: the service keeps asking"
                )
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Service(error) | Self::DeviceNotFound(error) => Some(error.as_ref()),
            Self::Srp(error) => Some(error),
            Self::Timeout(error) | Self::Dispatch(error) | Self::Response(error) => {
                Some(error.as_ref())
            }
            _ => None,
        }
    }
}

impl From<cognito_srp6a::Error> for Error {
    fn from(error: cognito_srp6a::Error) -> Self {
        Self::Srp(error)
    }
}

/// Every operation's `SdkError`: a service answer becomes the service-wide enum, which keeps
/// the exception; the rest keep the SDK's split.
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
                    use aws_sdk_cognitoidentityprovider::error::SdkError;
                    match error {
                        SdkError::TimeoutError(_) => Self::Timeout(Box::new(error)),
                        SdkError::DispatchFailure(_) => Self::Dispatch(Box::new(error)),
                        SdkError::ResponseError(_) | SdkError::ConstructionFailure(_) => {
                            Self::Response(Box::new(error))
                        }
                        _ => Self::Service(Box::new(error.into())),
                    }
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
    admin_initiate_auth::AdminInitiateAuthError,
    admin_respond_to_auth_challenge::AdminRespondToAuthChallengeError,
    get_tokens_from_refresh_token::GetTokensFromRefreshTokenError,
    revoke_token::RevokeTokenError,
    global_sign_out::GlobalSignOutError,
    associate_software_token::AssociateSoftwareTokenError,
    verify_software_token::VerifySoftwareTokenError,
);

//! The service's errors, named as the service names them (the `__type` of its JSON error shape)
//! and carrying the message it sends. One enum for the crate: the service room returns it, the
//! protocol room turns it into HTTP 400 with `x-amzn-ErrorType`; nothing matches on strings.

use std::fmt;

/// An error the emulated service answers with. Each variant is an exception name of the
/// Cognito user-pools API (or, for the protocol layer, of the AWS JSON protocol), holding the
/// message the service sends. Messages never carry a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServiceError {
    /// A wrong proof, secret hash, session or token.
    NotAuthorizedException(String),
    /// A parameter is missing, malformed or not allowed here.
    InvalidParameterException(String),
    /// An unknown or forgotten device, pool or client.
    ResourceNotFoundException(String),
    /// An unknown user (the API default `PreventUserExistenceErrors = LEGACY`).
    UserNotFoundException(String),
    /// A user that signed up but was not confirmed.
    UserNotConfirmedException(String),
    /// `SignUp` or `AdminCreateUser` with a name already taken.
    UsernameExistsException(String),
    /// A password the pool's policy refuses.
    InvalidPasswordException(String),
    /// A wrong MFA code.
    CodeMismatchException(String),
    /// A device key confirmed twice.
    DeviceKeyExistsException(String),
    /// A wrong code in `VerifySoftwareToken`.
    EnableSoftwareTokenMFAException(String),
    /// An operation the app client has not enabled (`RevokeToken` without `EnableTokenRevocation`).
    UnsupportedOperationException(String),
    /// A token of a kind the operation does not take.
    UnsupportedTokenTypeException(String),
    /// A sign-in of a user whose password an administrator reset.
    PasswordResetRequiredException(String),
    /// A code past its validity, or one never sent.
    ExpiredCodeException(String),
    /// Too many wrong codes in one sign-in.
    TooManyFailedAttemptsException(String),
    /// `RevokeToken` by a caller who is not the token's app client (a wrong or missing secret, another client).
    UnauthorizedException(String),
    /// A refresh token that rotation replaced, used after its grace period.
    RefreshTokenReuseException(String),
    /// A bound of the emulator (pools, clients) reached.
    LimitExceededException(String),
    /// A request from a browser page or a host name the emulator does not serve.
    AccessDeniedException(String),
    /// The body is not JSON, or a field has the wrong JSON type.
    SerializationException(String),
    /// No such operation, or not the JSON protocol.
    UnknownOperationException(String),
    /// The request body is over the size limit.
    RequestEntityTooLargeException(String),
    /// A fault of the emulator itself (a store failure); the request can be retried.
    InternalErrorException(String),
}

impl ServiceError {
    /// The exception name, as `__type` and `x-amzn-ErrorType` carry it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::NotAuthorizedException(_) => "NotAuthorizedException",
            Self::InvalidParameterException(_) => "InvalidParameterException",
            Self::ResourceNotFoundException(_) => "ResourceNotFoundException",
            Self::UserNotFoundException(_) => "UserNotFoundException",
            Self::UserNotConfirmedException(_) => "UserNotConfirmedException",
            Self::UsernameExistsException(_) => "UsernameExistsException",
            Self::InvalidPasswordException(_) => "InvalidPasswordException",
            Self::CodeMismatchException(_) => "CodeMismatchException",
            Self::DeviceKeyExistsException(_) => "DeviceKeyExistsException",
            Self::EnableSoftwareTokenMFAException(_) => "EnableSoftwareTokenMFAException",
            Self::UnsupportedOperationException(_) => "UnsupportedOperationException",
            Self::UnsupportedTokenTypeException(_) => "UnsupportedTokenTypeException",
            Self::PasswordResetRequiredException(_) => "PasswordResetRequiredException",
            Self::ExpiredCodeException(_) => "ExpiredCodeException",
            Self::TooManyFailedAttemptsException(_) => "TooManyFailedAttemptsException",
            Self::UnauthorizedException(_) => "UnauthorizedException",
            Self::RefreshTokenReuseException(_) => "RefreshTokenReuseException",
            Self::LimitExceededException(_) => "LimitExceededException",
            Self::AccessDeniedException(_) => "AccessDeniedException",
            Self::SerializationException(_) => "SerializationException",
            Self::UnknownOperationException(_) => "UnknownOperationException",
            Self::RequestEntityTooLargeException(_) => "RequestEntityTooLargeException",
            Self::InternalErrorException(_) => "InternalErrorException",
        }
    }

    /// The message the service sends.
    pub fn message(&self) -> &str {
        match self {
            Self::NotAuthorizedException(m)
            | Self::InvalidParameterException(m)
            | Self::ResourceNotFoundException(m)
            | Self::UserNotFoundException(m)
            | Self::UserNotConfirmedException(m)
            | Self::UsernameExistsException(m)
            | Self::InvalidPasswordException(m)
            | Self::CodeMismatchException(m)
            | Self::DeviceKeyExistsException(m)
            | Self::EnableSoftwareTokenMFAException(m)
            | Self::UnsupportedOperationException(m)
            | Self::UnsupportedTokenTypeException(m)
            | Self::PasswordResetRequiredException(m)
            | Self::ExpiredCodeException(m)
            | Self::TooManyFailedAttemptsException(m)
            | Self::UnauthorizedException(m)
            | Self::RefreshTokenReuseException(m)
            | Self::LimitExceededException(m)
            | Self::AccessDeniedException(m)
            | Self::SerializationException(m)
            | Self::UnknownOperationException(m)
            | Self::RequestEntityTooLargeException(m)
            | Self::InternalErrorException(m) => m,
        }
    }

    /// The HTTP status: 400 for every client error, as the service does; 413 for an oversize
    /// body; 500 for the emulator's own faults.
    pub fn status(&self) -> u16 {
        match self {
            Self::RequestEntityTooLargeException(_) => 413,
            Self::AccessDeniedException(_) => 403,
            Self::InternalErrorException(_) => 500,
            _ => 400,
        }
    }

    /// "Incorrect username or password.": every refused proof, stale or malformed-in-content
    /// `TIMESTAMP`, replayed answer and wrong password, alike.
    pub(crate) fn incorrect_password() -> Self {
        Self::NotAuthorizedException("Incorrect username or password.".into())
    }

    /// "Device does not exist.": an unknown or forgotten device key.
    pub(crate) fn no_device() -> Self {
        Self::ResourceNotFoundException("Device does not exist.".into())
    }

    /// "User does not exist.".
    pub(crate) fn no_user() -> Self {
        Self::UserNotFoundException("User does not exist.".into())
    }

    /// The AWS validation message for a required member that is absent.
    pub(crate) fn missing(member: &str) -> Self {
        Self::InvalidParameterException(format!(
            "1 validation error detected: Value null at '{}' failed to satisfy constraint: \
             Member must not be null",
            lower_first(member)
        ))
    }

    /// A required `AuthParameters` / `ChallengeResponses` entry that is absent.
    pub(crate) fn missing_parameter(name: &str) -> Self {
        Self::InvalidParameterException(format!("Missing required parameter {name}"))
    }
}

/// `ClientId` -> `clientId`, as AWS validation messages name members.
pub(crate) fn lower_first(member: &str) -> String {
    let mut chars = member.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name(), self.message())
    }
}

impl std::error::Error for ServiceError {}

impl From<rusqlite::Error> for ServiceError {
    fn from(error: rusqlite::Error) -> Self {
        // Logged here, once; the client sees a generic fault.
        tracing::error!(%error, "state store failed");
        Self::InternalErrorException("Internal error in the emulator's state store.".into())
    }
}

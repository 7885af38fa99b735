//! A cap on the size of the service's answers. The SDK reads a JSON answer whole into memory
//! and has no setting for its size; an interceptor sees the answer's headers first and refuses
//! one that declares more than [`MAX_ANSWER`] bytes. A chunked answer (no `Content-Length`)
//! cannot be refused there: the hook is synchronous and the body not read yet, so for those the
//! read timeout and the SDK's stalled-stream protection are the bounds.

use aws_sdk_cognitoidentityprovider::{
    config::{
        ConfigBag, Intercept, RuntimeComponents,
        interceptors::BeforeDeserializationInterceptorContextRef,
    },
    error::BoxError,
};

/// The largest answer read, in bytes: Cognito's are a few KiB, tokens included.
pub const MAX_ANSWER: u64 = 1024 * 1024;

/// Refuses an answer that declares itself larger than [`MAX_ANSWER`].
#[derive(Debug)]
pub struct AnswerLimit;

impl Intercept for AnswerLimit {
    fn name(&self) -> &'static str {
        "AnswerLimit"
    }

    fn read_before_deserialization(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        let declared = response
            .headers()
            .get("content-length")
            .and_then(|value| value.trim().parse::<u64>().ok())
            .or_else(|| response.body().content_length());
        match declared {
            Some(size) if size > MAX_ANSWER => Err(format!(
                "the answer declares {size} bytes, more than the {MAX_ANSWER} this tool reads"
            )
            .into()),
            _ => Ok(()),
        }
    }
}

//! The protocol room: the Cognito user-pools AWS JSON 1.1 protocol over HTTP. `POST /` with
//! `X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>` and
//! `Content-Type: application/x-amz-json-1.1`; answers are the operation's JSON, or HTTP 400
//! with `{"__type": <exception>, "message": ...}` and `x-amzn-ErrorType`. Also the pool's
//! JWKS at `GET /<pool-id>/.well-known/jwks.json`.
//!
//! Every request, however malformed, gets an answer in that shape: a size-limited body,
//! errors for a wrong content type, unknown operation, bad JSON or a wrongly typed member. A
//! panic in an operation is caught and answered as `InternalErrorException`.

use crate::{
    error::ServiceError,
    input::Input,
    pool::{Caller, Pool},
};
use axum::{
    Router,
    body::{Body, Bytes},
    extract::{ConnectInfo, Path, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::{Value, json};
use std::{net::SocketAddr, sync::Arc};

/// The largest request body accepted. Cognito's largest real requests (`ConfirmDevice`, a
/// sign-up with attributes) are a few KiB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// The HTTP routes over a pool.
pub fn router(pool: Arc<Pool>) -> Router {
    Router::new()
        .route("/{pool_id}/.well-known/jwks.json", get(jwks))
        .fallback(api)
        .with_state(pool)
}

async fn jwks(State(pool): State<Arc<Pool>>, Path(pool_id): Path<String>) -> Response {
    if pool_id != pool.config().pool_id {
        return (StatusCode::NOT_FOUND, "no such user pool").into_response();
    }
    let mut response = (StatusCode::OK, pool.jwks().to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    allow_any_origin(&mut response);
    response
}

/// Browser apps (identity-js, Amplify) call the API with `fetch` in `cors` mode and headers
/// that need a preflight: any origin may call, as the service's endpoint allows.
fn allow_any_origin(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("x-amzn-errortype, x-amzn-requestid"),
    );
}

/// The answer to a CORS preflight: the method and headers asked for are allowed.
fn preflight(headers: &HeaderMap) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let asked = headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned()
        .unwrap_or_else(|| {
            HeaderValue::from_static("content-type, x-amz-target, x-amz-user-agent")
        });
    let out = response.headers_mut();
    out.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST, OPTIONS"),
    );
    out.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked);
    out.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    allow_any_origin(&mut response);
    response
}

async fn api(
    State(pool): State<Arc<Pool>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if method == Method::OPTIONS {
        return preflight(&headers);
    }
    let request_id = uuid::Uuid::new_v4().to_string();
    let result = handle(pool, peer, &method, &headers, body).await;
    let mut response = match &result {
        Ok((_, output)) => json_response(StatusCode::OK, output),
        Err((operation, error)) => {
            tracing::info!(
                operation = operation.as_deref().unwrap_or("-"),
                error = error.name(),
                message = error.message(),
                "refused"
            );
            error_response(error)
        }
    };
    if let Ok((operation, _)) = &result {
        tracing::info!(operation = operation.as_str(), "ok");
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-amzn-requestid", value);
    }
    allow_any_origin(&mut response);
    response
}

type Failure = (Option<String>, ServiceError);

async fn handle(
    pool: Arc<Pool>,
    peer: SocketAddr,
    method: &Method,
    headers: &HeaderMap,
    body: Body,
) -> Result<(String, Value), Failure> {
    let fail = |error: ServiceError| (None, error);
    if method != Method::POST {
        return Err(fail(ServiceError::UnknownOperationException(
            "The JSON protocol takes POST requests only".into(),
        )));
    }
    let operation = headers
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
        .and_then(|target| target.strip_prefix(TARGET_PREFIX))
        .map(str::to_string)
        .ok_or_else(|| {
            fail(ServiceError::UnknownOperationException(
                "Missing or unknown X-Amz-Target".into(),
            ))
        })?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    // `application/x-amz-json-1.1`, with parameters (`; charset=UTF-8`) allowed; 1.0 is the
    // same encoding and some hand-written clients send it.
    let media_type = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if media_type != CONTENT_TYPE && media_type != "application/x-amz-json-1.0" {
        return Err((
            Some(operation),
            ServiceError::UnknownOperationException(format!(
                "Unsupported content type; the Cognito API takes {CONTENT_TYPE}"
            )),
        ));
    }
    let bytes = read_body(body)
        .await
        .map_err(|error| (Some(operation.clone()), error))?;
    let input = Input::parse(&bytes).map_err(|error| (Some(operation.clone()), error))?;
    let caller = Caller {
        ip: peer.ip().to_string(),
    };
    // The SRP math takes milliseconds: off the async workers. A panic in the operation is
    // an error answer, and the server keeps serving.
    let name = operation.clone();
    let outcome = tokio::task::spawn_blocking(move || pool.call(&name, &input, &caller)).await;
    match outcome {
        Ok(Some(Ok(output))) => Ok((operation, output)),
        Ok(Some(Err(error))) => Err((Some(operation), error)),
        Ok(None) => Err((
            Some(operation.clone()),
            ServiceError::UnknownOperationException(format!("Unknown operation {operation}")),
        )),
        Err(join_error) => {
            tracing::error!(%join_error, operation, "operation failed");
            Err((
                Some(operation),
                ServiceError::InternalErrorException("Internal error.".into()),
            ))
        }
    }
}

/// Reads at most [`MAX_BODY_BYTES`].
async fn read_body(body: Body) -> Result<Bytes, ServiceError> {
    axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            ServiceError::RequestEntityTooLargeException(format!(
                "The request body is larger than {MAX_BODY_BYTES} bytes, or was cut off"
            ))
        })
}

fn json_response(status: StatusCode, value: &Value) -> Response {
    let mut response = (status, value.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    response
}

/// The service's error shape.
pub fn error_response(error: &ServiceError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = json_response(
        status,
        &json!({ "__type": error.name(), "message": error.message() }),
    );
    response
        .headers_mut()
        .insert("x-amzn-errortype", HeaderValue::from_static(error.name()));
    response
}

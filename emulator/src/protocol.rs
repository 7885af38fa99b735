//! The protocol room: the Cognito user-pools AWS JSON 1.1 protocol over HTTP. `POST /` with
//! `X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>` and
//! `Content-Type: application/x-amz-json-1.1`; answers are the operation's JSON, or HTTP 400
//! with `{"__type": <exception>, "message": ...}` and `x-amzn-ErrorType`. Also each pool's
//! JWKS at `GET /<pool-id>/.well-known/jwks.json` and OpenID configuration at
//! `GET /<pool-id>/.well-known/openid-configuration`, and `GET /health`. Every route sits
//! behind the `Host` and browser-origin rules of [`Access`].
//!
//! Every request, however malformed, gets an answer in that shape: a size-limited body,
//! errors for a wrong content type, unknown operation, bad JSON or a wrongly typed member. A
//! panic in an operation is caught and answered as `InternalErrorException`.

use crate::{
    error::ServiceError,
    input::Input,
    service::{Caller, Service},
};
use axum::{
    Router,
    body::{Body, Bytes},
    extract::{ConnectInfo, Path, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::{Value, json};
use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

/// The largest request body accepted. Cognito's largest real requests (`ConfirmDevice`, a
/// sign-up with attributes) are a few KiB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// Which `Host` names and browser origins the emulator serves besides its own: a web page
/// open in the developer's browser must not drive it by accident (DNS rebinding, or a page
/// that calls `http://127.0.0.1:9229` with `fetch`).
///
/// Served without being listed: a `Host` of `localhost`, of a loopback address or of the
/// address listened on (with any port, or none), and when listening on every address, any IP
/// address. Allowed without being listed: the browser origins `http(s)://localhost`,
/// `http(s)://127.0.0.1` and `http(s)://[::1]` on any port, so a local dev server works.
#[derive(Clone, Debug, Default)]
pub struct Access {
    /// More `Host` names (`--allowed-host`); `*` serves any.
    pub hosts: Vec<String>,
    /// More browser origins (`--cors-origin`, like `https://app.example.test:8443`); `*`
    /// allows any.
    pub cors_origins: Vec<String>,
}

/// [`Access`] for the address listened on.
#[derive(Clone, Debug)]
pub struct Rules {
    listen: IpAddr,
    access: Access,
}

impl Access {
    /// The rules for a server listening on `addr`.
    pub fn for_address(self, addr: SocketAddr) -> Rules {
        Rules {
            listen: addr.ip(),
            access: self,
        }
    }
}

impl Rules {
    /// Whether a request naming `host` (the `Host` header, port included) is served.
    pub fn host_allowed(&self, host: &str) -> bool {
        let name = host_name(host).to_ascii_lowercase();
        if self
            .access
            .hosts
            .iter()
            .any(|h| h == "*" || h.eq_ignore_ascii_case(&name))
        {
            return true;
        }
        if name == "localhost" {
            return true;
        }
        match name
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        {
            Ok(ip) => ip.is_loopback() || ip == self.listen || self.listen.is_unspecified(),
            Err(_) => false,
        }
    }

    /// Whether a browser page of `origin` may call the API. `*` in the rules allows any.
    pub fn origin_allowed(&self, origin: &str) -> bool {
        if self
            .access
            .cors_origins
            .iter()
            .any(|o| o == "*" || o.eq_ignore_ascii_case(origin))
        {
            return true;
        }
        let Some(rest) = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
        else {
            return false;
        };
        if rest.contains('/') {
            return false;
        }
        let name = host_name(rest).to_ascii_lowercase();
        let port_ok = port_of(rest).is_none_or(|port| port.parse::<u16>().is_ok());
        port_ok && matches!(name.as_str(), "localhost" | "127.0.0.1" | "[::1]")
    }
}

/// `example.test` of `example.test:9229`, `[::1]` of `[::1]:9229`.
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host
            .find(']')
            .map_or(host, |end| host.get(..=end).unwrap_or(host));
    }
    host.split(':').next().unwrap_or(host)
}

/// `9229` of `example.test:9229` and `[::1]:9229`; `None` without a port.
fn port_of(host: &str) -> Option<&str> {
    let after = if host.starts_with('[') {
        host.find(']').and_then(|end| host.get(end + 1..))?
    } else {
        host
    };
    after.rsplit_once(':').map(|(_, port)| port)
}

/// The HTTP routes over the service, behind the `Host` and origin rules.
pub fn router(service: Arc<Service>, rules: Rules) -> Router {
    let rules = Arc::new(rules);
    Router::new()
        .route("/health", get(health))
        .route("/{pool_id}/.well-known/jwks.json", get(jwks))
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .route("/_emulator/{pool_id}/codes", get(codes))
        .fallback(api)
        .with_state(service)
        .layer(middleware::from_fn_with_state(rules, guard))
}

/// The `Host` and origin rules, and the CORS headers of an allowed origin.
async fn guard(State(rules): State<Arc<Rules>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    // The health check answers whatever name a container's probe uses: it says nothing.
    let health = request.uri().path() == "/health";
    if let Some(host) = &host
        && !health
        && !rules.host_allowed(host)
    {
        tracing::info!(host = ?host, "refused: Host not served");
        return error_response(&ServiceError::AccessDeniedException(
            "The Host header names a host this emulator does not serve; start it with \
             --allowed-host NAME to serve it."
                .into(),
        ));
    }
    let origin = headers.get(header::ORIGIN).cloned();
    if let Some(origin) = &origin {
        let allowed = origin.to_str().is_ok_and(|o| rules.origin_allowed(o));
        if !allowed {
            tracing::info!(origin = ?origin, "refused: origin not allowed");
            return error_response(&ServiceError::AccessDeniedException(
                "Requests from this browser origin are not allowed; start the emulator with \
                 --cors-origin ORIGIN to allow it."
                    .into(),
            ));
        }
    }
    let mut response = if request.method() == Method::OPTIONS {
        preflight(request.headers())
    } else {
        next.run(request).await
    };
    if let Some(origin) = origin {
        let out = response.headers_mut();
        let any = rules.access.cors_origins.iter().any(|o| o == "*");
        out.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            if any {
                HeaderValue::from_static("*")
            } else {
                origin
            },
        );
        out.insert(header::VARY, HeaderValue::from_static("Origin"));
        out.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("x-amzn-errortype, x-amzn-requestid"),
        );
    }
    response
}

async fn health(State(service): State<Arc<Service>>) -> Response {
    let pools = service.inventory().map(|pools| pools.len()).unwrap_or(0);
    json_response(
        StatusCode::OK,
        &json!({ "status": "ok", "pools": pools, "version": env!("CARGO_PKG_VERSION") }),
        "application/json",
    )
}

async fn jwks(State(service): State<Arc<Service>>, Path(pool_id): Path<String>) -> Response {
    well_known(service.jwks(&pool_id))
}

async fn openid_configuration(
    State(service): State<Arc<Service>>,
    Path(pool_id): Path<String>,
) -> Response {
    well_known(service.openid_configuration(&pool_id))
}

/// The codes the pool "sent" and that wait to be used: emulator-only, for tests and developers
/// (the service delivers them by e-mail or SMS; the emulator delivers nothing).
async fn codes(State(service): State<Arc<Service>>, Path(pool_id): Path<String>) -> Response {
    well_known(service.pending_codes(&pool_id))
}

fn well_known(document: Result<Option<Value>, ServiceError>) -> Response {
    match document {
        Ok(Some(document)) => json_response(StatusCode::OK, &document, "application/json"),
        Ok(None) => json_response(
            StatusCode::NOT_FOUND,
            &json!({ "message": "User pool does not exist." }),
            "application/json",
        ),
        Err(error) => error_response(&error),
    }
}

/// The answer to a CORS preflight from an allowed origin: the method and headers asked for
/// are allowed (the guard adds the origin).
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
        HeaderValue::from_static("POST, GET, OPTIONS"),
    );
    out.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked);
    out.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    response
}

async fn api(
    State(service): State<Arc<Service>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let result = handle(service, peer, &method, &headers, body).await;
    let mut response = match &result {
        // Every value a caller chose (the target's operation name, a message that quotes a
        // ClientId or UserPoolId) is logged in its Debug form, quoted and with control
        // characters escaped: a newline in a request never starts a log line of its own.
        Ok((operation, output)) => {
            tracing::info!(operation = ?operation, "ok");
            json_response(StatusCode::OK, output, CONTENT_TYPE)
        }
        Err((operation, error)) => {
            tracing::info!(
                operation = ?operation.as_deref().unwrap_or("-"),
                error = error.name(),
                message = ?error.message(),
                "refused"
            );
            error_response(error)
        }
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-amzn-requestid", value);
    }
    response
}

/// The region of a SigV4 `Authorization` header's credential scope
/// (`Credential=AKID/20261207/us-west-2/cognito-idp/aws4_request`).
fn signed_region(headers: &HeaderMap) -> Option<String> {
    let authorization = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let credential = authorization.split("Credential=").nth(1)?;
    let scope = credential.split([',', ' ']).next()?;
    let region = scope.split('/').nth(2)?;
    crate::ids::is_region(region).then(|| region.to_string())
}

type Failure = (Option<String>, ServiceError);

async fn handle(
    service: Arc<Service>,
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
    // A declared length over the limit is refused before a byte of the body is read.
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err((
            Some(operation),
            ServiceError::RequestEntityTooLargeException(format!(
                "The request body is larger than {MAX_BODY_BYTES} bytes"
            )),
        ));
    }
    let bytes = read_body(body)
        .await
        .map_err(|error| (Some(operation.clone()), error))?;
    let input = Input::parse(&bytes).map_err(|error| (Some(operation.clone()), error))?;
    let caller = Caller {
        ip: peer.ip().to_string(),
        region: signed_region(headers),
    };
    // The SRP math takes milliseconds: off the async workers. A panic in the operation is
    // an error answer, and the server keeps serving.
    let name = operation.clone();
    let outcome = tokio::task::spawn_blocking(move || service.call(&name, &input, &caller)).await;
    match outcome {
        Ok(Some(Ok(output))) => Ok((operation, output)),
        Ok(Some(Err(error))) => Err((Some(operation), error)),
        Ok(None) => Err((
            Some(operation.clone()),
            ServiceError::UnknownOperationException(format!("Unknown operation {operation}")),
        )),
        Err(join_error) => {
            tracing::error!(%join_error, operation = ?operation, "operation failed");
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

fn json_response(status: StatusCode, value: &Value, content_type: &'static str) -> Response {
    let mut response = (status, value.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// The service's error shape.
pub fn error_response(error: &ServiceError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = json_response(
        status,
        &json!({ "__type": error.name(), "message": error.message() }),
        CONTENT_TYPE,
    );
    response
        .headers_mut()
        .insert("x-amzn-errortype", HeaderValue::from_static(error.name()));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(listen: &str, access: Access) -> Rules {
        access.for_address(SocketAddr::new(listen.parse().unwrap(), 9229))
    }

    #[test]
    fn hosts_served() {
        let local = rules("127.0.0.1", Access::default());
        for host in [
            "localhost",
            "localhost:9229",
            "LOCALHOST:1",
            "127.0.0.1:9229",
            "127.0.0.1",
            "[::1]:9229",
            "127.0.0.2",
        ] {
            assert!(local.host_allowed(host), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:9229",
            "10.0.0.5:9229",
            "localhost.evil.example",
            "",
        ] {
            assert!(!local.host_allowed(host), "{host}");
        }
        let all = rules("0.0.0.0", Access::default());
        assert!(all.host_allowed("10.0.0.5:9229"));
        assert!(!all.host_allowed("cognito:9229"));
        let named = rules(
            "127.0.0.1",
            Access {
                hosts: vec!["Cognito".into()],
                ..Access::default()
            },
        );
        assert!(named.host_allowed("cognito:9229"));
        let any = rules(
            "127.0.0.1",
            Access {
                hosts: vec!["*".into()],
                ..Access::default()
            },
        );
        assert!(any.host_allowed("evil.example"));
    }

    #[test]
    fn origins_allowed() {
        let local = rules("127.0.0.1", Access::default());
        for origin in [
            "http://localhost:5173",
            "http://127.0.0.1:3000",
            "http://[::1]:8080",
            "https://localhost",
            "http://localhost",
        ] {
            assert!(local.origin_allowed(origin), "{origin}");
        }
        for origin in [
            "https://evil.example",
            "null",
            "http://localhost.evil.example",
            "http://localhost:99999",
            "http://localhost:1/x",
            "file://",
        ] {
            assert!(!local.origin_allowed(origin), "{origin}");
        }
        let listed = rules(
            "127.0.0.1",
            Access {
                cors_origins: vec!["https://app.example.test:8443".into()],
                ..Access::default()
            },
        );
        assert!(listed.origin_allowed("https://app.example.test:8443"));
        assert!(!listed.origin_allowed("https://app.example.test"));
    }

    #[test]
    fn signed_region_is_read_from_the_credential_scope() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static(
                "AWS4-HMAC-SHA256 Credential=AKID/20261207/eu-west-3/cognito-idp/aws4_request, \
                 SignedHeaders=host, Signature=abc",
            ),
        );
        assert_eq!(signed_region(&headers).as_deref(), Some("eu-west-3"));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("AWS4-HMAC-SHA256 Credential=AKID/20261207/EU_BAD/x/y"),
        );
        assert_eq!(signed_region(&headers), None);
    }
}

//! A JWT's claims, read without checking the signature: the emulator's own tests check the
//! signatures against its JWKS; everyone else only reads what a token says.

use base64::Engine as _;
use serde_json::Value;

/// The payload of `jwt` as JSON, or what is wrong with it.
pub fn try_claims(jwt: &str) -> Result<Value, String> {
    let payload = jwt.split('.').nth(1).ok_or("not a JWT")?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|e| format!("the payload is not base64url: {e}"))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("the payload is not JSON: {e}"))
}

/// The payload of `jwt` as JSON; panics when it is not a JWT.
pub fn claims(jwt: &str) -> Value {
    try_claims(jwt).unwrap_or_else(|e| panic!("{e}: {jwt:?}"))
}

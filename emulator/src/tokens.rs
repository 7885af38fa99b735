//! ID and access tokens: JWTs signed RS256 with a key made at start-up, published as each
//! pool's JWKS at `/{pool-id}/.well-known/jwks.json` (the issuer URL plus the path the service uses), with the
//! claims the service puts in them. Refresh tokens are opaque random strings (see `store`).

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::{RsaPrivateKey, pkcs1::EncodeRsaPrivateKey, traits::PublicKeyParts};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::error::ServiceError;

/// The only scope an SRP sign-in gets.
const SCOPE: &str = "aws.cognito.signin.user.admin";

/// The signing key and its public half as a JWK.
pub struct Signer {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    jwks: Value,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// Who a token is for and how they signed in.
#[derive(Clone, Debug)]
pub struct Subject<'a> {
    /// `sub`.
    pub sub: &'a str,
    /// `username` / `cognito:username`.
    pub username: &'a str,
    /// The app client.
    pub client_id: &'a str,
    /// The device the sign-in went through or was issued, if any.
    pub device_key: Option<&'a str>,
    /// When the user authenticated.
    pub auth_time: i64,
    /// The sign-in's id, shared by every token it (and its refreshes) produces.
    pub origin_jti: &'a str,
    /// The user's other attributes, for the ID token.
    pub attributes: &'a Map<String, Value>,
}

/// The claims this emulator reads back from an access token.
#[derive(Debug, Deserialize, Serialize)]
pub struct AccessClaims {
    /// The user's `sub`: a token names one user, not whoever holds the name later.
    pub sub: String,
    /// The user's name.
    pub username: String,
    /// `access`.
    pub token_use: String,
    /// The app client.
    pub client_id: String,
    /// Set after a device sign-in, or a sign-in that issued a device key.
    #[serde(default)]
    pub device_key: Option<String>,
    /// Expiry, Unix seconds.
    pub exp: i64,
    /// The sign-in it comes from: revoking that sign-in revokes the token.
    pub origin_jti: String,
}

impl Signer {
    /// A fresh 2048-bit RSA key.
    pub fn generate() -> Result<Self, ServiceError> {
        let mut rng = rsa::rand_core::OsRng;
        let key = RsaPrivateKey::new(&mut rng, 2048).map_err(internal)?;
        let der = key.to_pkcs1_der().map_err(internal)?;
        let n = URL_SAFE_NO_PAD.encode(key.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(key.e().to_bytes_be());
        let kid = URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes());
        let decoding = DecodingKey::from_rsa_components(&n, &e).map_err(internal)?;
        Ok(Self {
            jwks: json!({ "keys": [{ "alg": "RS256", "e": e, "kid": kid, "kty": "RSA", "n": n, "use": "sig" }] }),
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            decoding,
            kid,
        })
    }

    /// The JWKS document.
    pub fn jwks(&self) -> &Value {
        &self.jwks
    }

    fn sign(&self, claims: &Value) -> Result<String, ServiceError> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        header.typ = None; // the service's header has only kid and alg
        jsonwebtoken::encode(&header, claims, &self.encoding).map_err(internal)
    }

    /// The access and ID tokens of a sign-in or refresh at `now`, lasting as long as the app
    /// client says.
    pub fn tokens(
        &self,
        issuer: &str,
        subject: &Subject<'_>,
        now: i64,
        access_seconds: i64,
        id_seconds: i64,
    ) -> Result<(String, String), ServiceError> {
        let event_id = uuid::Uuid::new_v4().to_string();
        let mut access = json!({
            "sub": subject.sub,
            "iss": issuer,
            "client_id": subject.client_id,
            "origin_jti": subject.origin_jti,
            "event_id": event_id,
            "token_use": "access",
            "scope": SCOPE,
            "auth_time": subject.auth_time,
            "exp": now + access_seconds,
            "iat": now,
            "jti": uuid::Uuid::new_v4().to_string(),
            "username": subject.username,
        });
        if let (Some(device_key), Some(claims)) = (subject.device_key, access.as_object_mut()) {
            claims.insert("device_key".into(), json!(device_key));
        }
        let mut id = subject.attributes.clone();
        for (name, value) in [
            ("sub", json!(subject.sub)),
            ("iss", json!(issuer)),
            ("cognito:username", json!(subject.username)),
            ("origin_jti", json!(subject.origin_jti)),
            ("aud", json!(subject.client_id)),
            ("event_id", json!(event_id)),
            ("token_use", json!("id")),
            ("auth_time", json!(subject.auth_time)),
            ("exp", json!(now + id_seconds)),
            ("iat", json!(now)),
            ("jti", json!(uuid::Uuid::new_v4().to_string())),
        ] {
            id.insert(name.into(), value);
        }
        Ok((self.sign(&access)?, self.sign(&Value::Object(id))?))
    }

    /// Checks an `AccessToken` as the operations that take one receive it: our signature, the
    /// pool's issuer, `token_use` access, and `now` before its `exp` (RFC 7519: a token is not
    /// accepted at its `exp`), on the service's clock.
    pub fn verify_access(
        &self,
        token: &str,
        issuer: &str,
        now: i64,
    ) -> Result<AccessClaims, ServiceError> {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        // Expiry is checked below on the service's clock, not the system's.
        validation.validate_exp = false;
        validation.leeway = 0;
        let data = jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &validation)
            .map_err(|_| invalid_access_token())?;
        if data.claims.token_use != "access" {
            return Err(invalid_access_token());
        }
        if now >= data.claims.exp {
            return Err(ServiceError::NotAuthorizedException(
                "Access Token has expired".into(),
            ));
        }
        Ok(data.claims)
    }
}

/// The `iss` of a JWT, read without checking it: which pool's key and issuer to check it
/// with. `None` if it is not a JWT with a string `iss`.
pub fn unverified_issuer(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    // A token is a few KiB at most; a bigger one is not ours.
    if payload.len() > 16 * 1024 {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("iss")?.as_str().map(str::to_string)
}

pub(crate) fn invalid_access_token() -> ServiceError {
    ServiceError::NotAuthorizedException("Invalid Access Token".into())
}

fn internal(error: impl std::fmt::Display) -> ServiceError {
    tracing::error!(%error, "token signing failed");
    ServiceError::InternalErrorException("Internal error signing tokens.".into())
}

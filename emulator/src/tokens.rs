//! ID and access tokens: JWTs signed RS256 with a key made at start-up, published as each
//! pool's JWKS at `/{pool-id}/.well-known/jwks.json` (the issuer URL plus the path the service uses), with the
//! claims the service puts in them. Refresh tokens are opaque random strings (see `store`).
//!
//! Every sign-in signs two tokens, so signing is a large part of the server's work beside the
//! SRP math. The key is aws-lc-rs's, made once and kept: `jsonwebtoken::encode` takes the key
//! as DER and parses and checks it again for every token, which costs more than the signature
//! itself (0.93 against 0.39 ms a token, optimized). Tokens are read back (`verify_access`)
//! with `jsonwebtoken`, on aws-lc-rs too.

use aws_lc_rs::{
    rand::SystemRandom,
    rsa::{KeyPair, KeySize},
    signature::{KeyPair as _, RSA_PKCS1_SHA256},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::error::ServiceError;

/// The only scope an SRP sign-in gets.
const SCOPE: &str = "aws.cognito.signin.user.admin";

/// The signing key and its public half as a JWK.
pub struct Signer {
    kid: String,
    key: KeyPair,
    /// The tokens' header, `{"alg":"RS256","kid":...}` base64url-encoded: the same for every
    /// token.
    header: String,
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
        let key = KeyPair::generate(KeySize::Rsa2048).map_err(internal)?;
        let public = key.public_key();
        let (n, e) = (
            public.modulus().big_endian_without_leading_zero(),
            public.exponent().big_endian_without_leading_zero(),
        );
        let decoding = DecodingKey::from_rsa_raw_components(n, e);
        let (n, e) = (URL_SAFE_NO_PAD.encode(n), URL_SAFE_NO_PAD.encode(e));
        let kid = URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes());
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.clone());
        header.typ = None; // the service's header has only kid and alg
        let header = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).map_err(internal)?);
        Ok(Self {
            jwks: json!({ "keys": [{ "alg": "RS256", "e": e, "kid": kid, "kty": "RSA", "n": n, "use": "sig" }] }),
            key,
            header,
            decoding,
            kid,
        })
    }

    /// The JWKS document.
    pub fn jwks(&self) -> &Value {
        &self.jwks
    }

    /// The JWS compact form `jsonwebtoken::encode` makes: header, claims and RS256 signature,
    /// each base64url without padding.
    fn sign(&self, claims: &Value) -> Result<String, ServiceError> {
        let claims = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).map_err(internal)?);
        let mut token = format!("{}.{claims}", self.header);
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                token.as_bytes(),
                &mut signature,
            )
            .map_err(internal)?;
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&signature, &mut token);
        Ok(token)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_part(part: &str) -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    /// The shapes the service publishes and issues: the JWK's members, e = 65537 and a
    /// 2048-bit n, a header of only `alg` and `kid`, and a 256-byte signature that the JWKS's
    /// key verifies.
    #[test]
    fn jwks_and_token_shapes() {
        let signer = Signer::generate().unwrap();
        let jwk = &signer.jwks()["keys"][0];
        let members: Vec<&str> = jwk
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(members, ["alg", "e", "kid", "kty", "n", "use"]);
        assert_eq!(
            (&jwk["alg"], &jwk["kty"], &jwk["use"]),
            (&json!("RS256"), &json!("RSA"), &json!("sig"))
        );
        assert_eq!(jwk["e"], "AQAB");
        let n = URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap();
        assert_eq!(
            (n.len(), n[0] & 0x80),
            (256, 0x80),
            "2048 bits, no leading zero"
        );

        let claims = json!({ "sub": "s", "iss": "https://issuer", "token_use": "access" });
        let token = signer.sign(&claims).unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(
            decode_part(parts[0]),
            json!({ "alg": "RS256", "kid": jwk["kid"] })
        );
        assert_eq!(decode_part(parts[1]), claims);
        assert_eq!(URL_SAFE_NO_PAD.decode(parts[2]).unwrap().len(), 256);

        let published = DecodingKey::from_rsa_components(
            jwk["n"].as_str().unwrap(),
            jwk["e"].as_str().unwrap(),
        )
        .unwrap();
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_required_spec_claims(&["iss"]);
        validation.validate_exp = false;
        let decoded = jsonwebtoken::decode::<Value>(&token, &published, &validation).unwrap();
        assert_eq!(decoded.claims, claims);
        // Other claims under the same signature are refused.
        let forged = token.replacen(parts[1], &URL_SAFE_NO_PAD.encode(br#"{"sub":"t"}"#), 1);
        assert!(jsonwebtoken::decode::<Value>(&forged, &published, &validation).is_err());
    }
}

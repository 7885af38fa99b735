//! Placeholder of the seed types while the loaders are written (replaced on merge).
#![allow(missing_docs)]
use serde_json::{Map, Value};
use zeroize::Zeroizing;

pub struct Seed {
    pub pools: Vec<SeedPool>,
}
pub struct SeedPool {
    pub id: String,
    pub create: Map<String, Value>,
    pub software_token_mfa: bool,
    pub clients: Vec<SeedClient>,
    pub users: Vec<SeedUser>,
}
pub struct SeedClient {
    pub client_id: String,
    pub client_secret: Option<Zeroizing<String>>,
    pub create: Map<String, Value>,
}
pub struct SeedUser {
    pub username: String,
    pub password: Option<Zeroizing<String>>,
    pub temporary_password: Option<Zeroizing<String>>,
    pub attributes: Vec<(String, String)>,
    pub software_token_secret: Option<Zeroizing<String>>,
}
#[derive(Debug)]
pub struct SeedError(pub String);
impl std::fmt::Display for SeedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
pub fn parse_seed_file(_text: &str, _region: &str) -> Result<Seed, SeedError> {
    Err(SeedError("todo".into()))
}
pub mod cloudformation {
    pub fn parse_template(
        _text: &str,
        _region: &str,
    ) -> Result<(super::Seed, Vec<String>), super::SeedError> {
        Err(super::SeedError("todo".into()))
    }
}

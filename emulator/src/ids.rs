//! The service's identifier shapes, made in one place: a user pool id is
//! `<region>_<9 letters or digits>`, an app client id 26 lower-case letters or digits, a client
//! secret 51. Random ones for the API; derived ones (a SHA-256 of a name) for seed files and
//! templates, so a restart over the same `--state` file finds the pools it made before.

use cognito_srp6a::UserPoolId;
use rand::RngExt;
use sha2::{Digest, Sha256};

const POOL_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const CLIENT_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
/// Letters and digits after the `_` of a pool id.
pub const POOL_SUFFIX_LEN: usize = 9;
/// Characters of an app client id.
pub const CLIENT_ID_LEN: usize = 26;
/// Characters of an app client secret.
pub const CLIENT_SECRET_LEN: usize = 51;

fn random(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| {
            let index = rng.random_range(0..alphabet.len());
            char::from(alphabet.get(index).copied().unwrap_or(b'a'))
        })
        .collect()
}

/// `len` characters of `alphabet` drawn from SHA-256 of `seed` (and of a counter, past 32).
fn derived(alphabet: &[u8], len: usize, seed: &str) -> String {
    let mut out = String::with_capacity(len);
    let mut counter = 0u32;
    while out.len() < len {
        let digest = Sha256::new()
            .chain_update(counter.to_be_bytes())
            .chain_update(seed.as_bytes())
            .finalize();
        for byte in digest {
            if out.len() == len {
                break;
            }
            let index = usize::from(byte) % alphabet.len();
            out.push(char::from(alphabet.get(index).copied().unwrap_or(b'a')));
        }
        counter += 1;
    }
    out
}

/// A new user pool id in `region`.
pub fn pool_id(region: &str) -> String {
    format!("{region}_{}", random(POOL_ALPHABET, POOL_SUFFIX_LEN))
}

/// The pool id a seed file or template gives the pool named by `seed`, always the same.
pub fn derived_pool_id(region: &str, seed: &str) -> String {
    format!(
        "{region}_{}",
        derived(
            POOL_ALPHABET,
            POOL_SUFFIX_LEN,
            &format!("pool\0{region}\0{seed}")
        )
    )
}

/// A new app client id.
pub fn client_id() -> String {
    random(CLIENT_ALPHABET, CLIENT_ID_LEN)
}

/// The client id a seed file or template gives the client named by `seed`, always the same.
pub fn derived_client_id(seed: &str) -> String {
    derived(CLIENT_ALPHABET, CLIENT_ID_LEN, &format!("client\0{seed}"))
}

/// A new app client secret. Always random: a secret derived from a public template would be
/// known to everyone who reads it.
pub fn client_secret() -> String {
    random(CLIENT_ALPHABET, CLIENT_SECRET_LEN)
}

/// Whether `region` has the shape of an AWS region name (`us-east-1`, `eu-central-2`, …):
/// lower-case letters, digits and `-`, 1 to 32 characters.
pub fn is_region(region: &str) -> bool {
    (1..=32).contains(&region.len())
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A pool id the emulator takes: `<region>_<name>` split as the clients split it (the core's
/// [`UserPoolId`], so the emulator hashes the same `P`), with a region of region shape. The
/// region is what device keys start with; the name is the `P` of a user's SRP identity.
pub fn parse_pool_id(pool_id: &str) -> Option<UserPoolId<'_>> {
    let id = UserPoolId::parse(pool_id).ok()?;
    is_region(id.region()).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let id = pool_id("eu-west-3");
        let parsed = parse_pool_id(&id).unwrap();
        assert_eq!(parsed.region(), "eu-west-3");
        let name = parsed.pool_name();
        assert_eq!(name.len(), POOL_SUFFIX_LEN);
        assert!(name.bytes().all(|b| b.is_ascii_alphanumeric()));
        let client = client_id();
        assert_eq!(client.len(), CLIENT_ID_LEN);
        assert!(
            client
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
        assert_eq!(client_secret().len(), CLIENT_SECRET_LEN);
        assert_ne!(client_id(), client_id());
    }

    #[test]
    fn derived_ids_are_stable_and_distinct() {
        assert_eq!(
            derived_pool_id("us-east-1", "a"),
            derived_pool_id("us-east-1", "a")
        );
        assert_ne!(
            derived_pool_id("us-east-1", "a"),
            derived_pool_id("us-east-1", "b")
        );
        assert_eq!(derived_client_id("x").len(), CLIENT_ID_LEN);
        assert_eq!(derived_client_id("x"), derived_client_id("x"));
        assert!(parse_pool_id("nounderscore").is_none());
        assert!(parse_pool_id("US_x").is_none());
        assert!(parse_pool_id("us-east-1_").is_none());
    }
}

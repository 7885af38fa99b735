//! What the emulator makes at start, read from a file: a seed file (`--config FILE`, here) or a
//! CloudFormation template (`--cloudformation FILE`, in [`cloudformation`]), both into one
//! [`Seed`]. Pure functions over the file's text: no I/O, no secret made here (the service makes
//! client secrets), and the API members are passed on untouched for the service to validate.
//!
//! YAML is read with `serde_norway`: a maintained fork of the archived `serde_yaml` that keeps
//! YAML tags (`!Ref`), licensed MIT OR Apache-2.0 like this crate.
//!
//! # The seed file
//!
//! JSON or YAML (YAML shown):
//!
//! ```yaml
//! UserPools:
//!   - Id: us-east-1_Example1AB       # optional: <region>_<name>
//!     PoolName: app                   # required
//!     DeviceConfiguration: {ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true}
//!     MfaConfiguration: "ON"
//!     SoftwareTokenMfaConfiguration: {Enabled: true}
//!     # ... any other CreateUserPool member, passed on as it is
//!     Clients:
//!       - ClientName: web             # required
//!         ClientId: 3n4b5urk1ft4fl3mg5e62d9ado   # optional
//!         ClientSecret: ...           # optional (implies GenerateSecret: true)
//!         GenerateSecret: true
//!         ExplicitAuthFlows: [ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
//!     Users:
//!       - Username: alice             # required
//!         Password: correct horse battery staple        # permanent: CONFIRMED
//!         # or TemporaryPassword: ...                   # FORCE_CHANGE_PASSWORD
//!         UserAttributes: [{Name: email, Value: alice@example.com}]
//!         SoftwareTokenSecret: JBSWY3DPEHPK3PXP         # a verified software token
//! ```
//!
//! - `UserPools` is a list of pools, made in that order. A document that is one pool object (it
//!   has `PoolName` and no `UserPools`) is read as a list of one, so the file given to
//!   `aws cognito-idp create-user-pool --cli-input-json` works as it is.
//! - A pool's members are `CreateUserPool`'s, spelled as the API spells them, plus:
//!   - `Id`, the pool id. Without it, the pool gets an id derived from the region and
//!     `PoolName`: the same at every start, so a `--state` file finds its pool again.
//!   - `SoftwareTokenMfaConfiguration: {Enabled: true}`, as `SetUserPoolMfaConfig` sets it.
//!   - `Clients` and `Users`.
//! - A client's members are `CreateUserPoolClient`'s (`UserPoolId` is the pool it is listed
//!   under), plus `ClientId` (without it, derived from the pool id and `ClientName`) and
//!   `ClientSecret`, a fixed secret that implies `GenerateSecret: true`. With
//!   `GenerateSecret: true` and no `ClientSecret`, the service makes a random secret.
//! - A user has only the members shown: `Username`; `Password` or `TemporaryPassword` (or
//!   neither: the user cannot sign in until an admin sets one); `UserAttributes`, whose values
//!   may be strings, booleans or integers; `SoftwareTokenSecret`, base32.
//! - Refused, with the place in the file (`UserPools[1].Clients[0].ClientId`): another
//!   top-level key, another user member, an id or password that is not a string, a YAML tag, a
//!   pool id, client id or username (in one pool) given twice. Messages never quote a password
//!   or a secret.

pub mod cloudformation;

use crate::ids;
use serde_json::{Map, Value};
use std::{collections::HashSet, fmt};
use zeroize::Zeroizing;

/// What a seed file or template asks the emulator to make at start, in order.
#[derive(Debug, Clone, Default)]
pub struct Seed {
    /// The user pools, each with its app clients and users.
    pub pools: Vec<SeedPool>,
}

/// One user pool to make.
#[derive(Debug, Clone)]
pub struct SeedPool {
    /// The pool id: given in a seed file, else derived (`ids::derived_pool_id(region, <PoolName
    /// for a seed file / logical id for a template>)`).
    pub id: String,
    /// The `CreateUserPool` request members exactly as the API names them (`PoolName`,
    /// `Policies`, `DeviceConfiguration`, `MfaConfiguration`, `UsernameAttributes`,
    /// `AliasAttributes`, `Schema`, ...). Values are passed through as JSON untouched (the
    /// service validates them).
    pub create: Map<String, Value>,
    /// Software token MFA enabled on the pool (`SetUserPoolMfaConfig`
    /// `SoftwareTokenMfaConfiguration.Enabled`): from a seed file's
    /// `SoftwareTokenMfaConfiguration: {Enabled: true}` member, or from a template's
    /// `EnabledMfas` containing `SOFTWARE_TOKEN_MFA`.
    pub software_token_mfa: bool,
    /// The pool's app clients, in order.
    pub clients: Vec<SeedClient>,
    /// The pool's users, in order.
    pub users: Vec<SeedUser>,
}

/// One app client to make.
#[derive(Clone)]
pub struct SeedClient {
    /// Given, or derived: `ids::derived_client_id(&format!("{pool_id}/{ClientName or logical
    /// id}"))`.
    pub client_id: String,
    /// A fixed secret from a seed file (then `GenerateSecret` is implied true), else `None`.
    pub client_secret: Option<Zeroizing<String>>,
    /// The `CreateUserPoolClient` members (`ClientName`, `GenerateSecret`,
    /// `ExplicitAuthFlows`, token validities, ...), without `UserPoolId`, `ClientId` and
    /// `ClientSecret`.
    pub create: Map<String, Value>,
}

impl fmt::Debug for SeedClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeedClient")
            .field("client_id", &self.client_id)
            .field("has_client_secret", &self.client_secret.is_some())
            .field("create", &self.create)
            .finish_non_exhaustive()
    }
}

/// One user to make.
#[derive(Clone)]
pub struct SeedUser {
    /// The user name.
    pub username: String,
    /// A permanent password (the user is `CONFIRMED`), or `None`.
    pub password: Option<Zeroizing<String>>,
    /// A temporary password (`FORCE_CHANGE_PASSWORD`), or `None`.
    pub temporary_password: Option<Zeroizing<String>>,
    /// `UserAttributes` as (`Name`, `Value`).
    pub attributes: Vec<(String, String)>,
    /// Base32 TOTP secret of a verified software token, or `None`.
    pub software_token_secret: Option<Zeroizing<String>>,
}

impl fmt::Debug for SeedUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Attribute names only: the values are personal data (email, phone number).
        let attributes: Vec<&str> = self
            .attributes
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        f.debug_struct("SeedUser")
            .field("username", &self.username)
            .field("has_password", &self.password.is_some())
            .field("has_temporary_password", &self.temporary_password.is_some())
            .field("attributes", &attributes)
            .field("has_software_token", &self.software_token_secret.is_some())
            .finish_non_exhaustive()
    }
}

/// Why a file was refused: a message naming the file's place (a path like
/// `UserPools[1].Clients[0].ClientId`, or the resource's logical id), never echoing a password
/// or secret value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedError(pub String);

impl fmt::Display for SeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SeedError {}

/// Reads a seed file (JSON or YAML, the format in the module doc) for a pool in `region`.
pub fn parse_seed_file(text: &str, region: &str) -> Result<Seed, SeedError> {
    check_region(region)?;
    let pools: Vec<(String, Value)> = match parse_document(text, Tags::Refuse)? {
        Value::Object(mut top) => match top.remove("UserPools") {
            Some(list) => {
                if let Some(key) = top.keys().next() {
                    return Err(SeedError(format!(
                        "unknown top-level key `{key}`: a seed file has only `UserPools`"
                    )));
                }
                let Value::Array(items) = list else {
                    return Err(SeedError("UserPools must be a list".into()));
                };
                items
                    .into_iter()
                    .enumerate()
                    .map(|(index, pool)| (index_path("UserPools", index), pool))
                    .collect()
            }
            None if top.contains_key("PoolName") => vec![(String::new(), Value::Object(top))],
            None => {
                return Err(SeedError(match top.keys().next() {
                    Some(key) => format!(
                        "unknown top-level key `{key}`: expected `UserPools`, or one pool object \
                         with `PoolName`"
                    ),
                    None => "the document is empty: expected `UserPools`".into(),
                }));
            }
        },
        Value::Null => return Err(SeedError("the file is empty: expected `UserPools`".into())),
        _ => {
            return Err(SeedError(
                "the document must be a mapping: `UserPools`, or one pool object with `PoolName`"
                    .into(),
            ));
        }
    };
    let mut seed = Seed::default();
    let mut pool_ids = HashSet::new();
    let mut client_ids = HashSet::new();
    for (path, pool) in pools {
        let pool = seed_pool(pool, &path, region)?;
        if !pool_ids.insert(pool.id.clone()) {
            return Err(SeedError(format!(
                "{}: the pool id {} is already used in this file (pools with the same PoolName \
                 need an `Id` each)",
                place(&path),
                pool.id
            )));
        }
        for (index, client) in pool.clients.iter().enumerate() {
            if !client_ids.insert(client.client_id.clone()) {
                return Err(SeedError(format!(
                    "{}: the client id {} is already used in this file (clients with the same \
                     ClientName in one pool need a `ClientId` each)",
                    index_path(&key_path(&path, "Clients"), index),
                    client.client_id
                )));
            }
        }
        seed.pools.push(pool);
    }
    Ok(seed)
}

fn seed_pool(pool: Value, path: &str, region: &str) -> Result<SeedPool, SeedError> {
    let Value::Object(mut members) = pool else {
        return Err(SeedError(format!("{} must be a mapping", place(path))));
    };
    // `PoolName` stays: it is a CreateUserPool member.
    let name = match members.get("PoolName") {
        Some(Value::String(name)) => name.clone(),
        Some(_) => return Err(not_a_string(path, "PoolName")),
        None => {
            return Err(SeedError(format!(
                "{} is required",
                key_path(path, "PoolName")
            )));
        }
    };
    let id = match take_string(&mut members, path, "Id")? {
        Some(id) if ids::parse_pool_id(&id).is_some() => id,
        Some(id) => {
            return Err(SeedError(format!(
                "{}: the pool id {id:?} is not <region>_<name>",
                key_path(path, "Id")
            )));
        }
        None => ids::derived_pool_id(region, &name),
    };
    let software_token_mfa = match members.remove("SoftwareTokenMfaConfiguration") {
        None => false,
        Some(config) => {
            software_token_enabled(config, &key_path(path, "SoftwareTokenMfaConfiguration"))?
        }
    };
    let clients_path = key_path(path, "Clients");
    let clients = take_list(&mut members, path, "Clients")?
        .into_iter()
        .enumerate()
        .map(|(index, client)| seed_client(client, &index_path(&clients_path, index), &id))
        .collect::<Result<Vec<_>, _>>()?;
    let users_path = key_path(path, "Users");
    let mut usernames = HashSet::new();
    let mut users = Vec::new();
    for (index, user) in take_list(&mut members, path, "Users")?
        .into_iter()
        .enumerate()
    {
        let user_path = index_path(&users_path, index);
        let user = seed_user(user, &user_path)?;
        if !usernames.insert(user.username.clone()) {
            return Err(SeedError(format!(
                "{user_path}: the user {} is already in this pool",
                user.username
            )));
        }
        users.push(user);
    }
    Ok(SeedPool {
        id,
        create: members,
        software_token_mfa,
        clients,
        users,
    })
}

fn software_token_enabled(config: Value, path: &str) -> Result<bool, SeedError> {
    let Value::Object(mut config) = config else {
        return Err(SeedError(format!(
            "{path} must be a mapping: {{Enabled: true}}"
        )));
    };
    let enabled = match config.remove("Enabled") {
        None => false,
        Some(Value::Bool(enabled)) => enabled,
        Some(_) => return Err(SeedError(format!("{path}.Enabled must be true or false"))),
    };
    match config.keys().next() {
        Some(key) => Err(SeedError(format!(
            "{path}: unknown member `{key}`, only `Enabled`"
        ))),
        None => Ok(enabled),
    }
}

fn seed_client(client: Value, path: &str, pool_id: &str) -> Result<SeedClient, SeedError> {
    let Value::Object(mut members) = client else {
        return Err(SeedError(format!("{path} must be a mapping")));
    };
    let name = match members.get("ClientName") {
        Some(Value::String(name)) => name.clone(),
        Some(_) => return Err(not_a_string(path, "ClientName")),
        None => {
            return Err(SeedError(format!(
                "{} is required",
                key_path(path, "ClientName")
            )));
        }
    };
    // The pool it is listed under; a pasted create-user-pool-client file may name it again.
    match take_string(&mut members, path, "UserPoolId")? {
        Some(given) if given != pool_id => {
            return Err(SeedError(format!(
                "{}: the client is listed under the pool {pool_id}, not {given}",
                key_path(path, "UserPoolId")
            )));
        }
        _ => {}
    }
    let client_id = match take_string(&mut members, path, "ClientId")? {
        Some(id) if is_client_id(&id) => id,
        Some(id) => {
            return Err(SeedError(format!(
                "{}: the client id {id:?} is not 1 to 128 letters, digits, `_` or `+`",
                key_path(path, "ClientId")
            )));
        }
        None => ids::derived_client_id(&format!("{pool_id}/{name}")),
    };
    let client_secret = take_string(&mut members, path, "ClientSecret")?.map(Zeroizing::new);
    if client_secret
        .as_ref()
        .is_some_and(|secret| secret.is_empty())
    {
        return Err(SeedError(format!(
            "{} is empty",
            key_path(path, "ClientSecret")
        )));
    }
    if client_secret.is_some() {
        match members.get("GenerateSecret") {
            None | Some(Value::Bool(true)) => {}
            Some(_) => {
                return Err(SeedError(format!(
                    "{}: a ClientSecret needs GenerateSecret true (or left out)",
                    key_path(path, "GenerateSecret")
                )));
            }
        }
        members.insert("GenerateSecret".into(), Value::Bool(true));
    }
    Ok(SeedClient {
        client_id,
        client_secret,
        create: members,
    })
}

/// `CreateUserPoolClient`'s pattern for a client id: `[\w+]+`, at most 128 characters.
fn is_client_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'+')
}

fn seed_user(user: Value, path: &str) -> Result<SeedUser, SeedError> {
    let Value::Object(mut members) = user else {
        return Err(SeedError(format!("{path} must be a mapping")));
    };
    let username = take_string(&mut members, path, "Username")?
        .filter(|name| !name.is_empty())
        .ok_or_else(|| SeedError(format!("{} is required", key_path(path, "Username"))))?;
    let password = take_string(&mut members, path, "Password")?.map(Zeroizing::new);
    let temporary_password =
        take_string(&mut members, path, "TemporaryPassword")?.map(Zeroizing::new);
    if password.is_some() && temporary_password.is_some() {
        return Err(SeedError(format!(
            "{path}: give Password or TemporaryPassword, not both"
        )));
    }
    let software_token_secret =
        take_string(&mut members, path, "SoftwareTokenSecret")?.map(Zeroizing::new);
    let attributes_path = key_path(path, "UserAttributes");
    let attributes = take_list(&mut members, path, "UserAttributes")?
        .into_iter()
        .enumerate()
        .map(|(index, attribute)| seed_attribute(attribute, &index_path(&attributes_path, index)))
        .collect::<Result<Vec<_>, _>>()?;
    // A misspelt `Pasword` would leave the user without a password, silently.
    if let Some(key) = members.keys().next() {
        return Err(SeedError(format!(
            "{}: unknown member; a user has Username, Password, TemporaryPassword, \
             UserAttributes and SoftwareTokenSecret",
            key_path(path, key)
        )));
    }
    Ok(SeedUser {
        username,
        password,
        temporary_password,
        attributes,
        software_token_secret,
    })
}

fn seed_attribute(attribute: Value, path: &str) -> Result<(String, String), SeedError> {
    let Value::Object(mut members) = attribute else {
        return Err(SeedError(format!(
            "{path} must be a mapping: {{Name, Value}}"
        )));
    };
    let name = take_string(&mut members, path, "Name")?
        .ok_or_else(|| SeedError(format!("{} is required", key_path(path, "Name"))))?;
    // YAML reads `Value: true` as a boolean; the API's attribute values are all strings.
    let value = match members.remove("Value") {
        Some(Value::String(value)) => value,
        Some(Value::Bool(value)) => value.to_string(),
        Some(Value::Number(value)) if value.is_i64() || value.is_u64() => value.to_string(),
        Some(_) => return Err(not_a_string(path, "Value")),
        None => {
            return Err(SeedError(format!(
                "{} is required",
                key_path(path, "Value")
            )));
        }
    };
    match members.keys().next() {
        Some(key) => Err(SeedError(format!(
            "{}: unknown member, only Name and Value",
            key_path(path, key)
        ))),
        None => Ok((name, value)),
    }
}

/// Removes `key` from `members`: a string, or absent. The string is moved, not copied, so a
/// password ends up only in the `Zeroizing` it is put in.
fn take_string(
    members: &mut Map<String, Value>,
    path: &str,
    key: &str,
) -> Result<Option<String>, SeedError> {
    match members.remove(key) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(not_a_string(path, key)),
    }
}

/// Removes `key` from `members`: a list, or absent (empty).
fn take_list(
    members: &mut Map<String, Value>,
    path: &str,
    key: &str,
) -> Result<Vec<Value>, SeedError> {
    match members.remove(key) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(SeedError(format!("{} must be a list", key_path(path, key)))),
    }
}

// Names the place only: the value may be a password YAML read as a number.
fn not_a_string(path: &str, key: &str) -> SeedError {
    SeedError(format!(
        "{} must be a string (in YAML, quote it)",
        key_path(path, key)
    ))
}

fn check_region(region: &str) -> Result<(), SeedError> {
    if ids::is_region(region) {
        Ok(())
    } else {
        Err(SeedError(format!("{region:?} is not a region name")))
    }
}

/// `base.key`, or `key` at the top.
fn key_path(base: &str, key: &str) -> String {
    if base.is_empty() {
        key.to_owned()
    } else {
        format!("{base}.{key}")
    }
}

/// `base[index]`.
fn index_path(base: &str, index: usize) -> String {
    format!("{base}[{index}]")
}

/// A path for a message: the top has none.
fn place(path: &str) -> &str {
    if path.is_empty() {
        "the document"
    } else {
        path
    }
}

/// What a YAML `!Tag` means: nothing in a seed file; an intrinsic function in a template.
#[derive(Clone, Copy)]
enum Tags {
    Refuse,
    Intrinsic,
}

/// The document in `text`, JSON or YAML, as JSON. A text that starts like JSON is read as JSON
/// first, so a mistake in it is reported in JSON's terms (line and column); one that only YAML
/// reads (a trailing comma, a comment) is still accepted.
fn parse_document(text: &str, tags: Tags) -> Result<Value, SeedError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let json_error = if matches!(text.trim_start().chars().next(), Some('{' | '[')) {
        match serde_json::from_str::<Value>(text) {
            Ok(document) => return Ok(document),
            Err(error) => Some(error),
        }
    } else {
        None
    };
    // Neither parser quotes the text in its messages, only line and column: no password leaks.
    match serde_norway::from_str::<serde_norway::Value>(text) {
        Ok(mut document) => {
            document
                .apply_merge()
                .map_err(|error| SeedError(format!("YAML merge key (<<): {error}")))?;
            from_yaml(document, "", tags)
        }
        Err(yaml_error) => Err(SeedError(match json_error {
            Some(json_error) => format!("not valid JSON: {json_error}"),
            None => format!("not valid YAML: {yaml_error}"),
        })),
    }
}

fn from_yaml(value: serde_norway::Value, path: &str, tags: Tags) -> Result<Value, SeedError> {
    use serde_norway::Value as Yaml;
    Ok(match value {
        Yaml::Null => Value::Null,
        Yaml::Bool(value) => Value::Bool(value),
        Yaml::Number(number) => {
            if let Some(value) = number.as_u64() {
                Value::from(value)
            } else if let Some(value) = number.as_i64() {
                Value::from(value)
            } else {
                number
                    .as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
                    .ok_or_else(|| {
                        SeedError(format!("{}: .inf and .nan have no JSON form", place(path)))
                    })?
            }
        }
        Yaml::String(text) => Value::String(text),
        Yaml::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(index, item)| from_yaml(item, &index_path(path, index), tags))
                .collect::<Result<_, _>>()?,
        ),
        Yaml::Mapping(mapping) => {
            let mut members = Map::new();
            for (key, item) in mapping {
                let key = match key {
                    Yaml::String(key) => key,
                    // `80:` or `true:`: JSON's keys are text, and so are CloudFormation's.
                    Yaml::Number(number) => number.to_string(),
                    Yaml::Bool(flag) => flag.to_string(),
                    _ => {
                        return Err(SeedError(format!(
                            "{}: a mapping key is not a string",
                            place(path)
                        )));
                    }
                };
                let item = from_yaml(item, &key_path(path, &key), tags)?;
                members.insert(key, item);
            }
            Value::Object(members)
        }
        Yaml::Tagged(tagged) => {
            let serde_norway::value::TaggedValue { tag, value } = *tagged;
            match tags {
                Tags::Refuse => {
                    return Err(SeedError(format!(
                        "{}: the YAML tag {tag} means nothing in a seed file",
                        place(path)
                    )));
                }
                Tags::Intrinsic => cloudformation::intrinsic_from_tag(
                    &tag.to_string(),
                    from_yaml(value, path, tags)?,
                ),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const REGION: &str = "us-east-1";

    const EXAMPLE_YAML: &str = r#"
UserPools:
  - Id: us-east-1_Example1AB
    PoolName: app
    DeviceConfiguration: {ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true}
    MfaConfiguration: "ON"
    SoftwareTokenMfaConfiguration: {Enabled: true}
    UsernameAttributes: [email]
    Clients:
      - ClientName: web
        ClientId: 3n4b5urk1ft4fl3mg5e62d9ado
        ClientSecret: fixed-client-secret-value
        GenerateSecret: true
        ExplicitAuthFlows: [ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
      - ClientName: mobile
        GenerateSecret: true
    Users:
      - Username: alice
        Password: correct horse battery staple
        UserAttributes: [{Name: email, Value: alice@example.com}, {Name: email_verified, Value: true}]
        SoftwareTokenSecret: JBSWY3DPEHPK3PXP
      - Username: bob
        TemporaryPassword: Temporary-1
  - PoolName: other
"#;

    const EXAMPLE_JSON: &str = r#"{
  "UserPools": [
    {
      "Id": "us-east-1_Example1AB",
      "PoolName": "app",
      "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": true, "DeviceOnlyRememberedOnUserPrompt": true},
      "MfaConfiguration": "ON",
      "SoftwareTokenMfaConfiguration": {"Enabled": true},
      "UsernameAttributes": ["email"],
      "Clients": [
        {
          "ClientName": "web",
          "ClientId": "3n4b5urk1ft4fl3mg5e62d9ado",
          "ClientSecret": "fixed-client-secret-value",
          "GenerateSecret": true,
          "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        },
        {"ClientName": "mobile", "GenerateSecret": true}
      ],
      "Users": [
        {
          "Username": "alice",
          "Password": "correct horse battery staple",
          "UserAttributes": [{"Name": "email", "Value": "alice@example.com"}, {"Name": "email_verified", "Value": "true"}],
          "SoftwareTokenSecret": "JBSWY3DPEHPK3PXP"
        },
        {"Username": "bob", "TemporaryPassword": "Temporary-1"}
      ]
    },
    {"PoolName": "other"}
  ]
}"#;

    /// Everything in a seed, secrets included, to compare two of them.
    pub(super) fn dump(seed: &Seed) -> Value {
        let secret = |s: &Option<Zeroizing<String>>| s.as_ref().map(|s| s.as_str().to_owned());
        Value::Array(
            seed.pools
                .iter()
                .map(|pool| {
                    json!({
                        "id": pool.id,
                        "create": pool.create,
                        "software_token_mfa": pool.software_token_mfa,
                        "clients": pool.clients.iter().map(|c| json!({
                            "id": c.client_id, "secret": secret(&c.client_secret), "create": c.create,
                        })).collect::<Vec<_>>(),
                        "users": pool.users.iter().map(|u| json!({
                            "username": u.username,
                            "password": secret(&u.password),
                            "temporary": secret(&u.temporary_password),
                            "attributes": u.attributes,
                            "totp": secret(&u.software_token_secret),
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect(),
        )
    }

    /// The `web` client of both examples (seed file and template), as its create request.
    pub(super) fn assert_web_client(web: &SeedClient) {
        assert_eq!(
            Value::Object(web.create.clone()),
            json!({
                "ClientName": "web",
                "GenerateSecret": true,
                "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            })
        );
    }

    /// `alice` of both examples: a password and a software token.
    pub(super) fn assert_alice(alice: &SeedUser) {
        assert_eq!(alice.username, "alice");
        assert_eq!(
            alice.password.as_deref().map(String::as_str),
            Some("correct horse battery staple")
        );
        assert!(alice.temporary_password.is_none());
        assert_eq!(
            alice.software_token_secret.as_deref().map(String::as_str),
            Some("JBSWY3DPEHPK3PXP")
        );
    }

    fn error(text: &str) -> String {
        parse_seed_file(text, REGION).unwrap_err().0
    }

    #[test]
    fn the_example_in_yaml() {
        let seed = parse_seed_file(EXAMPLE_YAML, REGION).unwrap();
        assert_eq!(seed.pools.len(), 2);
        let pool = &seed.pools[0];
        assert_eq!(pool.id, "us-east-1_Example1AB");
        assert!(pool.software_token_mfa);
        assert_eq!(
            Value::Object(pool.create.clone()),
            json!({
                "PoolName": "app",
                "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": true, "DeviceOnlyRememberedOnUserPrompt": true},
                "MfaConfiguration": "ON",
                "UsernameAttributes": ["email"],
            })
        );
        let [web, mobile] = &pool.clients[..] else {
            panic!("two clients")
        };
        assert_eq!(web.client_id, "3n4b5urk1ft4fl3mg5e62d9ado");
        assert_eq!(
            web.client_secret.as_deref().map(String::as_str),
            Some("fixed-client-secret-value")
        );
        assert_web_client(web);
        // No fixed secret: the service makes one.
        assert_eq!(
            mobile.client_id,
            ids::derived_client_id("us-east-1_Example1AB/mobile")
        );
        assert!(mobile.client_secret.is_none());
        assert_eq!(
            mobile.create.get("GenerateSecret"),
            Some(&Value::Bool(true))
        );
        let [alice, bob] = &pool.users[..] else {
            panic!("two users")
        };
        assert_alice(alice);
        assert_eq!(
            alice.attributes,
            [
                ("email".to_owned(), "alice@example.com".to_owned()),
                ("email_verified".to_owned(), "true".to_owned())
            ]
        );
        assert!(bob.password.is_none());
        assert_eq!(
            bob.temporary_password.as_deref().map(String::as_str),
            Some("Temporary-1")
        );
        let other = &seed.pools[1];
        assert_eq!(other.id, ids::derived_pool_id(REGION, "other"));
        assert!(!other.software_token_mfa);
        assert!(other.clients.is_empty() && other.users.is_empty());
        assert_eq!(
            Value::Object(other.create.clone()),
            json!({"PoolName": "other"})
        );
    }

    #[test]
    fn the_example_in_json_reads_the_same() {
        let yaml = parse_seed_file(EXAMPLE_YAML, REGION).unwrap();
        let json = parse_seed_file(EXAMPLE_JSON, REGION).unwrap();
        assert_eq!(dump(&yaml), dump(&json));
        // Derived ids are the same at every start.
        assert_eq!(
            dump(&parse_seed_file(EXAMPLE_YAML, REGION).unwrap()),
            dump(&yaml)
        );
    }

    #[test]
    fn a_pasted_create_user_pool_input() {
        let input = json!({
            "PoolName": "pasted",
            "Policies": {"PasswordPolicy": {"MinimumLength": 12, "RequireSymbols": false}},
            "MfaConfiguration": "OPTIONAL",
            "UsernameAttributes": ["email"],
            "AutoVerifiedAttributes": ["email"],
            "Schema": [{"Name": "email", "AttributeDataType": "String", "Required": true}],
            "UserPoolTags": {"team": "auth"},
        });
        let seed =
            parse_seed_file(&serde_json::to_string_pretty(&input).unwrap(), "eu-west-3").unwrap();
        let [pool] = &seed.pools[..] else {
            panic!("one pool")
        };
        assert_eq!(pool.id, ids::derived_pool_id("eu-west-3", "pasted"));
        assert!(pool.id.starts_with("eu-west-3_"));
        assert_eq!(Value::Object(pool.create.clone()), input);
        assert!(!pool.software_token_mfa);
    }

    #[test]
    fn errors_name_the_place() {
        let text = "UserPools:\n  - PoolName: a\n  - PoolName: b\n    Clients:\n      - ClientName: web\n        ClientId: 12345\n";
        assert_eq!(
            error(text),
            "UserPools[1].Clients[0].ClientId must be a string (in YAML, quote it)"
        );
        assert!(error("UserPools: []\nPools: []\n").contains("`Pools`"));
        assert!(error("Pools: []\n").contains("`Pools`"));
        assert!(
            error("UserPools:\n  - MfaConfiguration: 'ON'\n")
                .contains("UserPools[0].PoolName is required")
        );
        assert!(error("UserPools:\n  - PoolName: a\n    Id: 7\n").contains("UserPools[0].Id"));
        assert!(
            error("UserPools:\n  - PoolName: a\n    Id: Example\n").contains("UserPools[0].Id")
        );
        assert!(
            error("UserPools:\n  - {PoolName: a, Clients: [{ClientName: web, ClientId: 'a b'}]}\n")
                .contains("UserPools[0].Clients[0].ClientId")
        );
        assert!(
            error("UserPools:\n  - {PoolName: a, Users: [{Password: x}]}\n")
                .contains("UserPools[0].Users[0].Username is required")
        );
        assert!(error("UserPools:\n  - {PoolName: a, Users: [{Username: u, UserAttributes: [{Name: email}]}]}\n")
            .contains("UserPools[0].Users[0].UserAttributes[0].Value is required"));
        assert!(
            error(
                "UserPools:\n  - {PoolName: a, SoftwareTokenMfaConfiguration: {Enabled: 'yes'}}\n"
            )
            .contains("UserPools[0].SoftwareTokenMfaConfiguration.Enabled")
        );
        assert!(
            error("UserPools:\n  - PoolName: !Ref Name\n")
                .contains("UserPools[0].PoolName: the YAML tag !Ref")
        );
        assert!(error("UserPools: {PoolName: a}\n").contains("UserPools must be a list"));
        assert!(error("").contains("empty"));
        assert!(error("- PoolName: a\n").contains("mapping"));
        assert!(
            error("UserPools:\n  - PoolName: a\n    ? [1, 2]\n    : x\n")
                .contains("UserPools[0]: a mapping key")
        );
        assert!(parse_seed_file("UserPools: []", "US_EAST").is_err());
        assert!(
            parse_seed_file("UserPools: []", REGION)
                .unwrap()
                .pools
                .is_empty()
        );
    }

    #[test]
    fn ids_used_twice_are_refused() {
        let same_name = "UserPools:\n  - PoolName: a\n  - PoolName: a\n";
        assert!(error(same_name).starts_with("UserPools[1]: the pool id us-east-1_"));
        // With an id each, two pools may share a name.
        let with_ids = "UserPools:\n  - {PoolName: a, Id: us-east-1_One}\n  - {PoolName: a, Id: us-east-1_Two}\n";
        assert_eq!(parse_seed_file(with_ids, REGION).unwrap().pools.len(), 2);
        let same_client =
            "UserPools:\n  - PoolName: a\n    Clients: [{ClientName: web}, {ClientName: web}]\n";
        assert!(error(same_client).starts_with("UserPools[0].Clients[1]: the client id"));
        let across_pools = "UserPools:\n  - {PoolName: a, Clients: [{ClientName: w, ClientId: abc}]}\n  - {PoolName: b, Clients: [{ClientName: w, ClientId: abc}]}\n";
        assert!(error(across_pools).starts_with("UserPools[1].Clients[0]: the client id abc"));
        let same_user = "UserPools:\n  - {PoolName: a, Users: [{Username: u}, {Username: u}]}\n";
        assert!(error(same_user).starts_with("UserPools[0].Users[1]: the user u"));
    }

    #[test]
    fn errors_never_quote_a_password() {
        let cases = [
            // A password YAML reads as a number.
            (
                "UserPools:\n  - PoolName: a\n    Users:\n      - {Username: u, Password: 24681357}\n",
                "24681357",
                "UserPools[0].Users[0].Password",
            ),
            (
                "UserPools:\n  - PoolName: a\n    Users:\n      - {Username: u, Password: hunter2hunter2, TemporaryPassword: swordfish99}\n",
                "hunter2",
                "UserPools[0].Users[0]",
            ),
            (
                "UserPools:\n  - PoolName: a\n    Users:\n      - {Username: u, Pasword: hunter2hunter2}\n",
                "hunter2",
                "UserPools[0].Users[0].Pasword",
            ),
            (
                "UserPools:\n  - PoolName: a\n    Clients:\n      - {ClientName: c, ClientSecret: s3cr3t-value, GenerateSecret: false}\n",
                "s3cr3t",
                "UserPools[0].Clients[0].GenerateSecret",
            ),
            (
                "UserPools:\n  - PoolName: a\n    Clients:\n      - {ClientName: c, ClientSecret: [s3cr3t-value]}\n",
                "s3cr3t",
                "UserPools[0].Clients[0].ClientSecret",
            ),
            // Syntax errors: the parsers give a line and column, not the text.
            (
                "UserPools:\n  - PoolName: a\n    Users:\n      - {Username: u, Password: 'hunter2hunter2}\n",
                "hunter2",
                "line",
            ),
            (
                "{\"UserPools\": [{\"PoolName\": \"a\", \"Users\": [{\"Username\": \"u\", \"Password\": \"hunter2hunter2\"]}]}",
                "hunter2",
                "line",
            ),
        ];
        for (text, secret, place) in cases {
            let message = error(text);
            assert!(!message.contains(secret), "{message}");
            assert!(message.contains(place), "{message}");
        }
    }

    #[test]
    fn json_mistakes_are_reported_as_json() {
        let message =
            error("{\n  \"UserPools\": [\n    {\"PoolName\": \"a\"}\n  ]\n  \"Extra\": 1\n}");
        assert!(message.starts_with("not valid JSON: "), "{message}");
        assert!(message.contains("line 5"), "{message}");
        // What only YAML reads is still read.
        let trailing_comma = "{\"UserPools\": [{\"PoolName\": \"a\",},]}";
        assert_eq!(
            parse_seed_file(trailing_comma, REGION).unwrap().pools.len(),
            1
        );
        assert!(
            error("UserPools:\n  - PoolName: a\n   Clients: []\n").starts_with("not valid YAML: ")
        );
    }

    #[test]
    fn debug_shows_no_secret() {
        let seed = parse_seed_file(EXAMPLE_YAML, REGION).unwrap();
        let shown = format!("{seed:?}");
        for secret in [
            "correct horse",
            "Temporary-1",
            "JBSWY3DPEHPK3PXP",
            "fixed-client-secret",
            "alice@example.com",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("alice") && shown.contains("3n4b5urk1ft4fl3mg5e62d9ado"));
    }

    #[test]
    fn client_details() {
        let text = "UserPools:\n  - PoolName: a\n    Id: us-east-1_Pool\n    Clients:\n      - {ClientName: c, UserPoolId: us-east-1_Pool, ClientSecret: abc}\n";
        let seed = parse_seed_file(text, REGION).unwrap();
        let client = &seed.pools[0].clients[0];
        assert_eq!(
            Value::Object(client.create.clone()),
            json!({"ClientName": "c", "GenerateSecret": true})
        );
        assert_eq!(client.client_id, ids::derived_client_id("us-east-1_Pool/c"));
        let empty = "UserPools:\n  - PoolName: a\n    Clients:\n      - {ClientName: c, ClientSecret: ''}\n";
        assert!(error(empty).contains("UserPools[0].Clients[0].ClientSecret is empty"));
        let elsewhere = "UserPools:\n  - PoolName: a\n    Clients:\n      - {ClientName: c, UserPoolId: us-east-1_Other}\n";
        assert!(error(elsewhere).contains("UserPools[0].Clients[0].UserPoolId"));
    }
}

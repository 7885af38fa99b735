//! CloudFormation templates (`--cloudformation FILE`) read into a [`Seed`], so a team's own
//! stack makes the same pools, app clients and users locally. JSON or YAML, with the short-form
//! tags (`!Ref`, `!GetAtt A.B`, `!Sub`, any `!Tag`).
//!
//! - `AWS::Cognito::UserPool`: its properties are `CreateUserPool`'s members under the same
//!   names, but for `UserPoolName`, which is `PoolName` (the logical id when left out), and
//!   `EnabledMfas`, which turns software token MFA on when it lists `SOFTWARE_TOKEN_MFA`. The
//!   pool id is derived from the region and the logical id: the same at every start.
//! - `AWS::Cognito::UserPoolClient`: goes to the pool its `UserPoolId` names (a `Ref` or
//!   `Fn::GetAtt` of a pool of the template); the other properties are
//!   `CreateUserPoolClient`'s members (`ClientName` is the logical id when left out). The client
//!   id is derived from the pool id and the logical id. A `GenerateSecret: true` client gets its
//!   secret from the service.
//! - `AWS::Cognito::UserPoolUser`: `UserPoolId`, `Username` (the logical id when left out) and
//!   `UserAttributes`; its other properties are ignored. CloudFormation has no passwords, so
//!   the emulator reads them from the resource's `Metadata`, an extension:
//!
//!   ```yaml
//!   Alice:
//!     Type: AWS::Cognito::UserPoolUser
//!     Metadata:
//!       cognito-srp6a-emulator:
//!         Password: correct horse battery staple   # CONFIRMED; or TemporaryPassword
//!         SoftwareTokenSecret: JBSWY3DPEHPK3PXP     # a verified software token
//!     Properties:
//!       UserPoolId: !Ref Pool
//!       Username: alice
//!   ```
//!
//!   Without it, the user has no password.
//! - Values: `Ref` to a parameter (its `Default`), to a pseudo parameter (`AWS::Region`,
//!   `AWS::AccountId` = `000000000000`, `AWS::StackName` = `local`, `AWS::Partition`,
//!   `AWS::URLSuffix`, `AWS::NoValue`) or to one of the resources above (pool id, client id,
//!   user name); `Fn::GetAtt` of a pool's `UserPoolId`, `Arn`, `ProviderName`, `ProviderURL`
//!   and a client's `ClientId`, `Name`; `Fn::Sub` and `Fn::Join` of those. Booleans and
//!   integers given as strings (`"true"`, `"60"`) become JSON ones in the members that the API
//!   types so, as CloudFormation converts them.
//!
//! The rest is reported in the warnings and left out: another resource type (the whole
//! resource), another intrinsic function (`Fn::If`, `Fn::ImportValue`, ...) or a `Ref` that
//! cannot be worked out (the member holding it). A resource's `Condition` is not evaluated:
//! the resource is made, with a warning. Pools, and clients and users within a pool, are in the
//! order of their logical ids or, when the JSON maps keep their order, of the template.

use super::{
    Seed, SeedClient, SeedError, SeedPool, SeedUser, Tags, check_region, index_path, key_path,
    parse_document,
};
use crate::ids;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

const USER_POOL: &str = "AWS::Cognito::UserPool";
const USER_POOL_CLIENT: &str = "AWS::Cognito::UserPoolClient";
const USER_POOL_USER: &str = "AWS::Cognito::UserPoolUser";

/// The key of a user resource's `Metadata` under which the emulator finds its passwords.
pub const METADATA_KEY: &str = "cognito-srp6a-emulator";

/// `AWS::AccountId`: no account stands behind the emulator.
const ACCOUNT_ID: &str = "000000000000";
/// `AWS::StackName`.
const STACK_NAME: &str = "local";

/// The `CreateUserPool` members the API types as booleans, by path.
const POOL_BOOLEANS: &[&[&str]] = &[
    &["DeviceConfiguration", "ChallengeRequiredOnNewDevice"],
    &["DeviceConfiguration", "DeviceOnlyRememberedOnUserPrompt"],
    &["Policies", "PasswordPolicy", "RequireUppercase"],
    &["Policies", "PasswordPolicy", "RequireLowercase"],
    &["Policies", "PasswordPolicy", "RequireNumbers"],
    &["Policies", "PasswordPolicy", "RequireSymbols"],
    &["AdminCreateUserConfig", "AllowAdminCreateUserOnly"],
    &["UsernameConfiguration", "CaseSensitive"],
];
/// The `CreateUserPool` members the API types as integers, by path.
const POOL_INTEGERS: &[&[&str]] = &[
    &["Policies", "PasswordPolicy", "MinimumLength"],
    &[
        "Policies",
        "PasswordPolicy",
        "TemporaryPasswordValidityDays",
    ],
    &["Policies", "PasswordPolicy", "PasswordHistorySize"],
    &["AdminCreateUserConfig", "UnusedAccountValidityDays"],
];
/// The boolean members of each `Schema` attribute.
const SCHEMA_BOOLEANS: &[&[&str]] = &[&["DeveloperOnlyAttribute"], &["Mutable"], &["Required"]];
/// The `CreateUserPoolClient` members the API types as booleans.
const CLIENT_BOOLEANS: &[&[&str]] = &[
    &["GenerateSecret"],
    &["EnableTokenRevocation"],
    &["AllowedOAuthFlowsUserPoolClient"],
    &["EnablePropagateAdditionalUserContextData"],
];
/// The `CreateUserPoolClient` members the API types as integers.
const CLIENT_INTEGERS: &[&[&str]] = &[
    &["AccessTokenValidity"],
    &["IdTokenValidity"],
    &["RefreshTokenValidity"],
    &["AuthSessionValidity"],
];

/// Reads a CloudFormation template for a stack in `region`: the seed, and the warnings (each
/// once, in the order met) about what was left out, for the caller to print.
pub fn parse_template(text: &str, region: &str) -> Result<(Seed, Vec<String>), SeedError> {
    check_region(region)?;
    let Value::Object(mut top) = parse_document(text, Tags::Intrinsic)? else {
        return Err(SeedError("a template is a mapping with `Resources`".into()));
    };
    let mut warnings = Warnings::default();
    if top.contains_key("Transform") {
        warnings.push("Transform not applied: the template is read as written".into());
    }
    let parameters = parameters(top.get("Parameters"))?;
    let resources = match top.remove("Resources") {
        Some(Value::Object(resources)) => resources,
        Some(_) => return Err(SeedError("Resources must be a mapping".into())),
        None => return Err(SeedError("the template has no Resources".into())),
    };
    let resources = resources
        .into_iter()
        .map(|(logical_id, resource)| Resource::new(logical_id, resource))
        .collect::<Result<Vec<_>, _>>()?;

    let mut context = Context {
        region,
        parameters,
        types: BTreeMap::new(),
        pools: BTreeMap::new(),
        clients: BTreeMap::new(),
        users: BTreeMap::new(),
    };
    for resource in &resources {
        let kind = resource.kind.as_str();
        context
            .types
            .insert(resource.logical_id.clone(), kind.to_owned());
        match kind {
            USER_POOL | USER_POOL_CLIENT | USER_POOL_USER => {
                if let Some(condition) = &resource.condition {
                    warnings.push(format!(
                        "resource {} has Condition {}, not evaluated: made anyway",
                        resource.logical_id,
                        condition.as_str().unwrap_or("(not a name)")
                    ));
                }
            }
            _ => warnings.push(format!(
                "resource {} of type {kind} skipped",
                resource.logical_id
            )),
        }
        if kind == USER_POOL {
            context.pools.insert(
                resource.logical_id.clone(),
                ids::derived_pool_id(region, &resource.logical_id),
            );
        }
    }

    // Clients, then users: their ids and names first, as other resources' values may name them.
    let mut client_pools = BTreeMap::new();
    for resource in resources.iter().filter(|r| r.kind == USER_POOL_CLIENT) {
        let Some(pool) = context.owning_pool(resource, &mut warnings) else {
            continue;
        };
        let logical_id = &resource.logical_id;
        let pool_id = context.pools.get(&pool).cloned().unwrap_or_default();
        let path = key_path(logical_id, "ClientName");
        let name = match resource
            .properties
            .get("ClientName")
            .map(|v| context.value(v))
        {
            Some(Ok(Some(Value::String(name)))) => Value::String(name),
            Some(Ok(Some(other))) => scalar_text(&other).map_or(other, Value::String),
            None | Some(Ok(None)) => Value::String(logical_id.clone()),
            Some(Err(unsupported)) => {
                warnings.skipped(&unsupported, &path);
                Value::String(logical_id.clone())
            }
        };
        context.clients.insert(
            logical_id.clone(),
            ClientNames {
                id: ids::derived_client_id(&format!("{pool_id}/{logical_id}")),
                name,
            },
        );
        client_pools.insert(logical_id.clone(), pool);
    }
    let mut user_pools = BTreeMap::new();
    for resource in resources.iter().filter(|r| r.kind == USER_POOL_USER) {
        let Some(pool) = context.owning_pool(resource, &mut warnings) else {
            continue;
        };
        let logical_id = &resource.logical_id;
        let path = key_path(logical_id, "Username");
        // A user made under another name than the template's would be a wrong user: skipped.
        let username = match resource
            .properties
            .get("Username")
            .map(|v| context.value(v))
        {
            None | Some(Ok(None)) => logical_id.clone(),
            Some(Ok(Some(value))) => match scalar_text(&value) {
                Some(name) if !name.is_empty() => name,
                _ => {
                    warnings.push(format!("{path} is not a name, resource skipped"));
                    continue;
                }
            },
            Some(Err(Unsupported(what))) => {
                warnings.push(format!("{what} in {path} not supported, resource skipped"));
                continue;
            }
        };
        context.users.insert(logical_id.clone(), username);
        user_pools.insert(logical_id.clone(), pool);
    }

    let mut pools: Vec<(String, SeedPool)> = Vec::new();
    let mut clients = Vec::new();
    let mut users = Vec::new();
    for resource in resources {
        match resource.kind.as_str() {
            USER_POOL => {
                let pool = context.pool(&resource, &mut warnings);
                pools.push((resource.logical_id, pool));
            }
            USER_POOL_CLIENT => {
                if let Some(pool) = client_pools.get(&resource.logical_id) {
                    clients.push((pool.clone(), context.client(&resource, &mut warnings)));
                }
            }
            USER_POOL_USER => {
                if let Some(pool) = user_pools.get(&resource.logical_id) {
                    let user = context.user(resource, &mut warnings)?;
                    users.push((pool.clone(), user));
                }
            }
            _ => {}
        }
    }
    for (pool, client) in clients {
        if let Some((_, seed_pool)) = pools.iter_mut().find(|(id, _)| *id == pool) {
            seed_pool.clients.push(client);
        }
    }
    for (pool, (logical_id, user)) in users {
        if let Some((_, seed_pool)) = pools.iter_mut().find(|(id, _)| *id == pool) {
            if seed_pool.users.iter().any(|u| u.username == user.username) {
                return Err(SeedError(format!(
                    "resource {logical_id}: the user {} is already in the pool {pool}",
                    user.username
                )));
            }
            seed_pool.users.push(user);
        }
    }
    let seed = Seed {
        pools: pools.into_iter().map(|(_, pool)| pool).collect(),
    };
    Ok((seed, warnings.0))
}

/// A YAML short-form tag as the long form it stands for: `!Ref X` is `{"Ref": "X"}`,
/// `!GetAtt A.B` is `{"Fn::GetAtt": ["A", "B"]}`, any other `!Name v` is `{"Fn::Name": v}`.
pub(super) fn intrinsic_from_tag(tag: &str, value: Value) -> Value {
    let name = tag.strip_prefix('!').unwrap_or(tag);
    let (key, value) = match name {
        "Ref" | "Condition" => (name.to_owned(), value),
        // A logical id has no dot; an attribute name may (`Endpoint.Address`).
        "GetAtt" => (
            "Fn::GetAtt".to_owned(),
            match value {
                Value::String(text) => match text.split_once('.') {
                    Some((resource, attribute)) => Value::from(vec![resource, attribute]),
                    None => Value::String(text),
                },
                other => other,
            },
        ),
        _ => (format!("Fn::{name}"), value),
    };
    let mut intrinsic = Map::new();
    intrinsic.insert(key, value);
    Value::Object(intrinsic)
}

/// A resource of the template, its parts taken apart once.
struct Resource {
    logical_id: String,
    kind: String,
    properties: Map<String, Value>,
    metadata: Option<Value>,
    condition: Option<Value>,
}

impl Resource {
    fn new(logical_id: String, resource: Value) -> Result<Self, SeedError> {
        let Value::Object(mut resource) = resource else {
            return Err(SeedError(format!("resource {logical_id} is not a mapping")));
        };
        let kind = match resource.remove("Type") {
            Some(Value::String(kind)) => kind,
            _ => return Err(SeedError(format!("resource {logical_id} has no Type"))),
        };
        let properties = match resource.remove("Properties") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(properties)) => properties,
            Some(_) => {
                return Err(SeedError(format!(
                    "resource {logical_id}: Properties is not a mapping"
                )));
            }
        };
        Ok(Self {
            logical_id,
            kind,
            properties,
            metadata: resource.remove("Metadata"),
            condition: resource.remove("Condition"),
        })
    }
}

/// A template parameter, as far as a `Ref` to it goes.
struct Parameter {
    default: Option<Value>,
    /// An `AWS::SSM::Parameter::Value<...>`: its default names a parameter in SSM, which the
    /// emulator cannot read.
    from_ssm: bool,
}

fn parameters(parameters: Option<&Value>) -> Result<BTreeMap<String, Parameter>, SeedError> {
    let mut out = BTreeMap::new();
    let parameters = match parameters {
        None => return Ok(out),
        Some(Value::Object(parameters)) => parameters,
        Some(_) => return Err(SeedError("Parameters must be a mapping".into())),
    };
    for (name, parameter) in parameters {
        let Value::Object(parameter) = parameter else {
            return Err(SeedError(format!("Parameters.{name} is not a mapping")));
        };
        let kind = parameter
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or("String");
        let list = kind == "CommaDelimitedList" || kind.starts_with("List<");
        // A list parameter's Ref is a list; CloudFormation trims its members.
        let default = parameter.get("Default").map(|default| match default {
            Value::String(text) if list => {
                Value::from(text.split(',').map(str::trim).collect::<Vec<_>>())
            }
            other => other.clone(),
        });
        out.insert(
            name.clone(),
            Parameter {
                default,
                from_ssm: kind.starts_with("AWS::SSM::"),
            },
        );
    }
    Ok(out)
}

/// What a `Ref` or `Fn::GetAtt` of a client gives.
struct ClientNames {
    id: String,
    /// The `ClientName` the client is made with.
    name: Value,
}

/// Why a value could not be worked out, as the warning names it (`intrinsic Fn::If`).
struct Unsupported(String);

/// A worked-out value: `None` for `AWS::NoValue`, which removes the member holding it.
type Resolved = Result<Option<Value>, Unsupported>;

/// The warnings, each once.
#[derive(Default)]
struct Warnings(Vec<String>);

impl Warnings {
    fn push(&mut self, warning: String) {
        if !self.0.contains(&warning) {
            self.0.push(warning);
        }
    }

    fn skipped(&mut self, unsupported: &Unsupported, path: &str) {
        self.push(format!(
            "{} in {path} not supported, property skipped",
            unsupported.0
        ));
    }
}

/// What `Ref` and `Fn::GetAtt` can name.
struct Context<'a> {
    region: &'a str,
    parameters: BTreeMap<String, Parameter>,
    /// Every resource's type, to name it in a warning.
    types: BTreeMap<String, String>,
    /// Pool logical id → pool id.
    pools: BTreeMap<String, String>,
    clients: BTreeMap<String, ClientNames>,
    /// User logical id → user name.
    users: BTreeMap<String, String>,
}

impl Context<'_> {
    /// The logical id of the template pool a client or user resource's `UserPoolId` names.
    fn owning_pool(&self, resource: &Resource, warnings: &mut Warnings) -> Option<String> {
        let logical_id = &resource.logical_id;
        let path = key_path(logical_id, "UserPoolId");
        let pool_id = match resource.properties.get("UserPoolId").map(|v| self.value(v)) {
            Some(Ok(Some(Value::String(pool_id)))) => pool_id,
            None => {
                warnings.push(format!(
                    "resource {logical_id} skipped: it has no UserPoolId"
                ));
                return None;
            }
            Some(Ok(_)) => {
                warnings.push(format!(
                    "resource {logical_id} skipped: {path} is not a UserPool of this template"
                ));
                return None;
            }
            Some(Err(Unsupported(what))) => {
                warnings.push(format!("{what} in {path} not supported, resource skipped"));
                return None;
            }
        };
        let pool = self
            .pools
            .iter()
            .find(|(_, id)| **id == pool_id)
            .map(|(pool, _)| pool.clone());
        if pool.is_none() {
            warnings.push(format!(
                "resource {logical_id} skipped: {path} is not a UserPool of this template"
            ));
        }
        pool
    }

    fn pool(&self, resource: &Resource, warnings: &mut Warnings) -> SeedPool {
        let mut create = Map::new();
        let mut software_token_mfa = false;
        for (key, value) in &resource.properties {
            let Some(value) = self.member(value, &key_path(&resource.logical_id, key), warnings)
            else {
                continue;
            };
            match key.as_str() {
                "EnabledMfas" => {
                    software_token_mfa = value.as_array().is_some_and(|mfas| {
                        mfas.iter()
                            .any(|mfa| mfa.as_str() == Some("SOFTWARE_TOKEN_MFA"))
                    });
                }
                "UserPoolName" => {
                    create.insert("PoolName".into(), value);
                }
                _ => {
                    create.insert(key.clone(), value);
                }
            }
        }
        create
            .entry("PoolName")
            .or_insert_with(|| Value::String(resource.logical_id.clone()));
        coerce(&mut create, POOL_BOOLEANS, to_boolean);
        coerce(&mut create, POOL_INTEGERS, to_integer);
        if let Some(Value::Array(schema)) = create.get_mut("Schema") {
            for attribute in schema.iter_mut().filter_map(Value::as_object_mut) {
                coerce(attribute, SCHEMA_BOOLEANS, to_boolean);
            }
        }
        SeedPool {
            id: self
                .pools
                .get(&resource.logical_id)
                .cloned()
                .unwrap_or_default(),
            create,
            software_token_mfa,
            clients: Vec::new(),
            users: Vec::new(),
        }
    }

    fn client(&self, resource: &Resource, warnings: &mut Warnings) -> SeedClient {
        let names = self.clients.get(&resource.logical_id);
        let mut create = Map::new();
        for (key, value) in &resource.properties {
            // The pool it goes in, and the name already worked out.
            if key == "UserPoolId" || key == "ClientName" {
                continue;
            }
            if let Some(value) = self.member(value, &key_path(&resource.logical_id, key), warnings)
            {
                create.insert(key.clone(), value);
            }
        }
        if let Some(names) = names {
            create.insert("ClientName".into(), names.name.clone());
        }
        coerce(&mut create, CLIENT_BOOLEANS, to_boolean);
        coerce(&mut create, CLIENT_INTEGERS, to_integer);
        SeedClient {
            client_id: names.map(|names| names.id.clone()).unwrap_or_default(),
            // CloudFormation cannot give one: with GenerateSecret, the service makes it.
            client_secret: None,
            create,
        }
    }

    /// A user, with the logical id for the messages.
    fn user(
        &self,
        mut resource: Resource,
        warnings: &mut Warnings,
    ) -> Result<(String, SeedUser), SeedError> {
        let logical_id = resource.logical_id.clone();
        let mut attributes = Vec::new();
        if let Some(value) = resource.properties.get("UserAttributes") {
            let path = key_path(&logical_id, "UserAttributes");
            match self.member(value, &path, warnings) {
                None => {}
                Some(Value::Array(items)) => {
                    for (index, item) in items.iter().enumerate() {
                        let name = item.get("Name").and_then(Value::as_str);
                        let value = item.get("Value").and_then(scalar_text);
                        match (name, value) {
                            (Some(name), Some(value)) => attributes.push((name.to_owned(), value)),
                            _ => warnings.push(format!(
                                "{} is not {{Name, Value}}, attribute skipped",
                                index_path(&path, index)
                            )),
                        }
                    }
                }
                Some(_) => warnings.push(format!("{path} is not a list, property skipped")),
            }
        }
        let mut user = SeedUser {
            username: self.users.get(&logical_id).cloned().unwrap_or_default(),
            password: None,
            temporary_password: None,
            attributes,
            software_token_secret: None,
        };
        let extension = match resource.metadata.as_mut() {
            Some(Value::Object(metadata)) => metadata.remove(METADATA_KEY),
            _ => None,
        };
        let path = format!("{logical_id}.Metadata.{METADATA_KEY}");
        let mut extension = match extension {
            None => return Ok((logical_id, user)),
            Some(Value::Object(extension)) => extension,
            Some(_) => {
                return Err(SeedError(format!(
                    "{path} must be a mapping: Password, TemporaryPassword, SoftwareTokenSecret"
                )));
            }
        };
        user.password = self.secret(&mut extension, &path, "Password", warnings)?;
        user.temporary_password =
            self.secret(&mut extension, &path, "TemporaryPassword", warnings)?;
        user.software_token_secret =
            self.secret(&mut extension, &path, "SoftwareTokenSecret", warnings)?;
        if let Some(key) = extension.keys().next() {
            return Err(SeedError(format!(
                "{}: unknown member; the emulator reads Password, TemporaryPassword and \
                 SoftwareTokenSecret",
                key_path(&path, key)
            )));
        }
        if user.password.is_some() && user.temporary_password.is_some() {
            return Err(SeedError(format!(
                "{path}: give Password or TemporaryPassword, not both"
            )));
        }
        Ok((logical_id, user))
    }

    /// A string of the emulator's `Metadata`, moved out of the template (a literal) or worked
    /// out (a `Ref` to a parameter). Messages name it, never quote it.
    fn secret(
        &self,
        extension: &mut Map<String, Value>,
        path: &str,
        key: &str,
        warnings: &mut Warnings,
    ) -> Result<Option<Zeroizing<String>>, SeedError> {
        let path = key_path(path, key);
        let value = match extension.remove(key) {
            None => return Ok(None),
            Some(Value::String(text)) => return Ok(Some(Zeroizing::new(text))),
            Some(value) => match self.value(&value) {
                Ok(value) => value,
                Err(unsupported) => {
                    warnings.skipped(&unsupported, &path);
                    return Ok(None);
                }
            },
        };
        match value {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(Zeroizing::new(text))),
            Some(_) => Err(SeedError(format!(
                "{path} must be a string (in YAML, quote it)"
            ))),
        }
    }

    /// A member worked out, what cannot be left out with a warning: an unsupported value inside
    /// drops the nearest mapping member holding it, here or deeper.
    fn member(&self, value: &Value, path: &str, warnings: &mut Warnings) -> Option<Value> {
        match self.lenient(value, path, warnings) {
            Ok(value) => value,
            Err(unsupported) => {
                warnings.skipped(&unsupported, path);
                None
            }
        }
    }

    fn lenient(&self, value: &Value, path: &str, warnings: &mut Warnings) -> Resolved {
        match value {
            Value::Object(members) if intrinsic(members).is_none() => {
                let mut out = Map::new();
                for (key, item) in members {
                    if let Some(item) = self.member(item, &key_path(path, key), warnings) {
                        out.insert(key.clone(), item);
                    }
                }
                Ok(Some(Value::Object(out)))
            }
            // A list with a member left out would mean something else: the whole list goes.
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (index, item) in items.iter().enumerate() {
                    if let Some(item) = self.lenient(item, &index_path(path, index), warnings)? {
                        out.push(item);
                    }
                }
                Ok(Some(Value::Array(out)))
            }
            _ => self.value(value),
        }
    }

    /// A value worked out whole, or not at all.
    fn value(&self, value: &Value) -> Resolved {
        match value {
            Value::Object(members) => {
                if let Some((name, argument)) = intrinsic(members) {
                    return self.intrinsic(name, argument);
                }
                let mut out = Map::new();
                for (key, item) in members {
                    if let Some(item) = self.value(item)? {
                        out.insert(key.clone(), item);
                    }
                }
                Ok(Some(Value::Object(out)))
            }
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    if let Some(item) = self.value(item)? {
                        out.push(item);
                    }
                }
                Ok(Some(Value::Array(out)))
            }
            other => Ok(Some(other.clone())),
        }
    }

    fn intrinsic(&self, name: &str, argument: &Value) -> Resolved {
        match name {
            "Ref" => match argument {
                Value::String(target) => self.reference(target),
                _ => Err(malformed(name)),
            },
            "Fn::GetAtt" => {
                let (resource, attribute) =
                    attribute_parts(argument).ok_or_else(|| malformed(name))?;
                self.attribute(resource, attribute)
                    .map(|text| Some(Value::String(text)))
            }
            "Fn::Sub" => self.sub(argument).map(|text| Some(Value::String(text))),
            "Fn::Join" => self.join(argument).map(|text| Some(Value::String(text))),
            _ => Err(Unsupported(format!("intrinsic {name}"))),
        }
    }

    fn reference(&self, target: &str) -> Resolved {
        let text = |text: &str| Ok(Some(Value::String(text.to_owned())));
        match target {
            "AWS::Region" => return text(self.region),
            "AWS::AccountId" => return text(ACCOUNT_ID),
            "AWS::StackName" => return text(STACK_NAME),
            "AWS::Partition" => return text("aws"),
            "AWS::URLSuffix" => return text("amazonaws.com"),
            "AWS::NoValue" => return Ok(None),
            _ => {}
        }
        if let Some(parameter) = self.parameters.get(target) {
            return match &parameter.default {
                _ if parameter.from_ssm => {
                    Err(Unsupported(format!("Ref to the SSM parameter {target}")))
                }
                Some(default) => Ok(Some(default.clone())),
                None => Err(Unsupported(format!(
                    "Ref to the parameter {target} (no Default)"
                ))),
            };
        }
        if let Some(pool_id) = self.pools.get(target) {
            return text(pool_id);
        }
        if let Some(client) = self.clients.get(target) {
            return text(&client.id);
        }
        if let Some(username) = self.users.get(target) {
            return text(username);
        }
        Err(Unsupported(match self.types.get(target) {
            Some(kind) => format!("Ref to {target} ({kind})"),
            None if target.starts_with("AWS::") => format!("pseudo parameter {target}"),
            None => format!("Ref to the unknown {target}"),
        }))
    }

    fn attribute(&self, resource: &str, attribute: &str) -> Result<String, Unsupported> {
        if let Some(pool_id) = self.pools.get(resource) {
            let region = self.region;
            match attribute {
                "UserPoolId" => return Ok(pool_id.clone()),
                "Arn" => {
                    return Ok(format!(
                        "arn:aws:cognito-idp:{region}:{ACCOUNT_ID}:userpool/{pool_id}"
                    ));
                }
                "ProviderName" => {
                    return Ok(format!("cognito-idp.{region}.amazonaws.com/{pool_id}"));
                }
                "ProviderURL" => {
                    return Ok(format!(
                        "https://cognito-idp.{region}.amazonaws.com/{pool_id}"
                    ));
                }
                _ => {}
            }
        } else if let Some(client) = self.clients.get(resource) {
            match (attribute, &client.name) {
                ("ClientId", _) => return Ok(client.id.clone()),
                ("Name", Value::String(name)) => return Ok(name.clone()),
                _ => {}
            }
        }
        Err(Unsupported(match self.types.get(resource) {
            Some(kind) if kind != USER_POOL && kind != USER_POOL_CLIENT => {
                format!("Fn::GetAtt {resource}.{attribute} ({kind})")
            }
            Some(_) => format!("Fn::GetAtt {resource}.{attribute}"),
            None => format!("Fn::GetAtt of the unknown {resource}"),
        }))
    }

    /// `Fn::Sub`: a string with `${Name}`, `${AWS::Region}`, `${Resource.Attribute}`, or
    /// `[string, {Name: value}]`; `${!Text}` is the text `${Text}`.
    fn sub(&self, argument: &Value) -> Result<String, Unsupported> {
        let (template, variables) = match argument {
            Value::String(template) => (template.as_str(), None),
            Value::Array(parts) => match parts.as_slice() {
                [Value::String(template), Value::Object(variables)] => {
                    (template.as_str(), Some(variables))
                }
                _ => return Err(malformed("Fn::Sub")),
            },
            _ => return Err(malformed("Fn::Sub")),
        };
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some((before, after)) = rest.split_once("${") {
            out.push_str(before);
            if let Some(literal) = after.strip_prefix('!') {
                out.push_str("${");
                rest = literal;
                continue;
            }
            let (name, after) = after.split_once('}').ok_or_else(|| malformed("Fn::Sub"))?;
            let name = name.trim();
            let value = if let Some(value) = variables.and_then(|variables| variables.get(name)) {
                self.value(value)?
            } else if let Some((resource, attribute)) = name.split_once('.') {
                Some(Value::String(self.attribute(resource, attribute)?))
            } else {
                self.reference(name)?
            };
            let text = value
                .as_ref()
                .and_then(scalar_text)
                .ok_or_else(|| Unsupported(format!("${{{name}}}, not a string, in Fn::Sub")))?;
            out.push_str(&text);
            rest = after;
        }
        out.push_str(rest);
        Ok(out)
    }

    /// `Fn::Join`: `[delimiter, [part, ...]]`.
    fn join(&self, argument: &Value) -> Result<String, Unsupported> {
        let Some([Value::String(delimiter), parts]) = argument.as_array().map(Vec::as_slice) else {
            return Err(malformed("Fn::Join"));
        };
        let Some(Value::Array(parts)) = self.value(parts)? else {
            return Err(malformed("Fn::Join"));
        };
        let parts = parts
            .iter()
            .map(|part| scalar_text(part).ok_or_else(|| malformed("Fn::Join")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(parts.join(delimiter))
    }
}

/// The intrinsic function a mapping is, if it is one: one member, `Ref` or `Fn::...`.
fn intrinsic(members: &Map<String, Value>) -> Option<(&str, &Value)> {
    let mut iter = members.iter();
    let (name, argument) = iter.next()?;
    (iter.next().is_none() && (name == "Ref" || name.starts_with("Fn::")))
        .then_some((name.as_str(), argument))
}

fn malformed(name: &str) -> Unsupported {
    Unsupported(format!("intrinsic {name} with a malformed argument"))
}

/// `Fn::GetAtt`'s `[Resource, Attribute]`, or `"Resource.Attribute"`.
fn attribute_parts(argument: &Value) -> Option<(&str, &str)> {
    match argument {
        Value::String(text) => text.split_once('.'),
        Value::Array(parts) => match parts.as_slice() {
            [Value::String(resource), Value::String(attribute)] => Some((resource, attribute)),
            _ => None,
        },
        _ => None,
    }
}

/// A scalar as CloudFormation puts it in a string.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// Applies `convert` to the members at `paths`, where present.
fn coerce(members: &mut Map<String, Value>, paths: &[&[&str]], convert: fn(&mut Value)) {
    for path in paths {
        if let Some(value) = member_mut(members, path) {
            convert(value);
        }
    }
}

fn member_mut<'a>(members: &'a mut Map<String, Value>, path: &[&str]) -> Option<&'a mut Value> {
    let (last, parents) = path.split_last()?;
    let mut current = members;
    for key in parents {
        current = current.get_mut(*key)?.as_object_mut()?;
    }
    current.get_mut(*last)
}

/// `"true"` and `"false"`, which CloudFormation takes for a Boolean, as JSON booleans.
fn to_boolean(value: &mut Value) {
    let flag = match value.as_str() {
        Some(text) if text.eq_ignore_ascii_case("true") => true,
        Some(text) if text.eq_ignore_ascii_case("false") => false,
        _ => return,
    };
    *value = Value::Bool(flag);
}

/// `"60"`, which CloudFormation takes for an Integer, as a JSON number.
fn to_integer(value: &mut Value) {
    if let Some(number) = value
        .as_str()
        .and_then(|text| text.trim().parse::<i64>().ok())
    {
        *value = Value::from(number);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::tests::{assert_alice, assert_web_client, dump};
    use serde_json::json;

    const REGION: &str = "eu-west-1";

    const TEMPLATE: &str = r#"
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Stage:
    Type: String
    Default: dev
  AlicePassword:
    Type: String
    NoEcho: true
Resources:
  AppPool:
    Type: AWS::Cognito::UserPool
    Properties:
      UserPoolName: !Sub "app-${Stage}"
      MfaConfiguration: "ON"
      EnabledMfas: [SOFTWARE_TOKEN_MFA]
      DeviceConfiguration:
        ChallengeRequiredOnNewDevice: true
        DeviceOnlyRememberedOnUserPrompt: false
      UserPoolTags:
        Stage: !Ref Stage
        Team: !ImportValue TeamName
  AdminPool:
    Type: AWS::Cognito::UserPool
  WebClient:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref AppPool
      ClientName: web
      GenerateSecret: true
      ExplicitAuthFlows: [ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
  AdminClient:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: {"Fn::GetAtt": ["AdminPool", "UserPoolId"]}
      ClientName: {"Fn::Join": ["-", ["admin", {"Ref": "AWS::Region"}]]}
  Alice:
    Type: AWS::Cognito::UserPoolUser
    Metadata:
      cognito-srp6a-emulator:
        Password: correct horse battery staple
        SoftwareTokenSecret: JBSWY3DPEHPK3PXP
    Properties:
      UserPoolId: !GetAtt AppPool.UserPoolId
      Username: alice
      UserAttributes:
        - Name: email
          Value: alice@example.com
  Bob:
    Type: AWS::Cognito::UserPoolUser
    Metadata:
      cognito-srp6a-emulator:
        TemporaryPassword: !Ref AlicePassword
    Properties:
      UserPoolId: !GetAtt [AdminPool, UserPoolId]
      Username: bob
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !GetAtt AppPool.Arn
Mappings:
  Ports:
    80: {Scheme: http}
    true: {Scheme: https}
Outputs:
  PoolId:
    Value: !Ref AppPool
"#;

    fn parse(text: &str) -> (Seed, Vec<String>) {
        parse_template(text, REGION).unwrap()
    }

    fn pool<'a>(seed: &'a Seed, logical_id: &str) -> &'a SeedPool {
        let id = ids::derived_pool_id(REGION, logical_id);
        seed.pools.iter().find(|pool| pool.id == id).unwrap()
    }

    #[test]
    fn two_pools_with_clients_users_and_warnings() {
        let (seed, warnings) = parse(TEMPLATE);
        assert_eq!(seed.pools.len(), 2);
        let app = pool(&seed, "AppPool");
        assert!(app.id.starts_with("eu-west-1_"));
        assert!(app.software_token_mfa);
        assert_eq!(
            Value::Object(app.create.clone()),
            json!({
                "PoolName": "app-dev",
                "MfaConfiguration": "ON",
                "DeviceConfiguration": {
                    "ChallengeRequiredOnNewDevice": true,
                    "DeviceOnlyRememberedOnUserPrompt": false,
                },
                "UserPoolTags": {"Stage": "dev"},
            })
        );
        let [web] = &app.clients[..] else {
            panic!("one client")
        };
        assert_eq!(
            web.client_id,
            ids::derived_client_id(&format!("{}/WebClient", app.id))
        );
        assert!(web.client_secret.is_none());
        assert_web_client(web);
        let [alice] = &app.users[..] else {
            panic!("one user")
        };
        assert_alice(alice);
        assert_eq!(
            alice.attributes,
            [("email".to_owned(), "alice@example.com".to_owned())]
        );

        let admin = pool(&seed, "AdminPool");
        assert!(!admin.software_token_mfa);
        // No UserPoolName: the logical id.
        assert_eq!(
            Value::Object(admin.create.clone()),
            json!({"PoolName": "AdminPool"})
        );
        let [client] = &admin.clients[..] else {
            panic!("one client")
        };
        assert_eq!(
            client.client_id,
            ids::derived_client_id(&format!("{}/AdminClient", admin.id))
        );
        assert!(client.client_secret.is_none());
        assert_eq!(
            Value::Object(client.create.clone()),
            json!({"ClientName": "admin-eu-west-1"})
        );
        // The parameter has no Default: no password, and a warning.
        let [bob] = &admin.users[..] else {
            panic!("one user")
        };
        assert_eq!(bob.username, "bob");
        assert!(bob.password.is_none() && bob.temporary_password.is_none());

        assert!(warnings.contains(&"resource Topic of type AWS::SNS::Topic skipped".to_owned()));
        assert!(warnings.contains(
            &"intrinsic Fn::ImportValue in AppPool.UserPoolTags.Team not supported, property skipped"
                .to_owned()
        ));
        assert!(
            warnings.contains(
                &"Ref to the parameter AlicePassword (no Default) in \
              Bob.Metadata.cognito-srp6a-emulator.TemporaryPassword not supported, property skipped"
                    .to_owned()
            )
        );
        assert_eq!(warnings.len(), 3, "{warnings:?}");
    }

    #[test]
    fn derived_ids_are_stable_and_json_reads_the_same() {
        let (first, _) = parse(TEMPLATE);
        let (second, _) = parse(TEMPLATE);
        assert_eq!(dump(&first), dump(&second));
        let json = json!({
            "Resources": {
                "AppPool": {
                    "Type": "AWS::Cognito::UserPool",
                    "Properties": {"UserPoolName": {"Fn::Sub": "app-${AWS::StackName}"}},
                },
                "WebClient": {
                    "Type": "AWS::Cognito::UserPoolClient",
                    "Properties": {"UserPoolId": {"Ref": "AppPool"}, "ClientName": "web"},
                },
            }
        });
        let (from_json, warnings) = parse(&serde_json::to_string(&json).unwrap());
        assert!(warnings.is_empty(), "{warnings:?}");
        let app = pool(&from_json, "AppPool");
        assert_eq!(app.id, pool(&first, "AppPool").id);
        assert_eq!(app.create.get("PoolName"), Some(&json!("app-local")));
        assert_eq!(
            app.clients[0].client_id,
            pool(&first, "AppPool").clients[0].client_id
        );
        // Another region, another pool id.
        let (elsewhere, _) = parse_template(TEMPLATE, "us-west-2").unwrap();
        assert!(
            elsewhere
                .pools
                .iter()
                .all(|pool| pool.id.starts_with("us-west-2_"))
        );
    }

    #[test]
    fn a_pasted_device_configuration_and_coerced_strings() {
        let text = r#"
Resources:
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      UserPoolName: app
      DeviceConfiguration:
        ChallengeRequiredOnNewDevice: "true"
        DeviceOnlyRememberedOnUserPrompt: "False"
      Policies:
        PasswordPolicy:
          MinimumLength: "12"
          RequireSymbols: "false"
      Schema:
        - Name: tenant
          AttributeDataType: String
          Mutable: "true"
          StringAttributeConstraints: {MinLength: "1", MaxLength: "64"}
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref Pool
      GenerateSecret: "false"
      EnableTokenRevocation: "true"
      AccessTokenValidity: "60"
      RefreshTokenValidity: 30
      TokenValidityUnits: {AccessToken: minutes}
"#;
        let (seed, warnings) = parse(text);
        assert!(warnings.is_empty(), "{warnings:?}");
        let pool = pool(&seed, "Pool");
        assert_eq!(
            pool.create.get("DeviceConfiguration"),
            Some(
                &json!({"ChallengeRequiredOnNewDevice": true, "DeviceOnlyRememberedOnUserPrompt": false})
            )
        );
        assert_eq!(
            pool.create.get("Policies"),
            Some(&json!({"PasswordPolicy": {"MinimumLength": 12, "RequireSymbols": false}}))
        );
        // The constraints are strings in the API too: left as they are.
        assert_eq!(
            pool.create.get("Schema"),
            Some(&json!([{
                "Name": "tenant", "AttributeDataType": "String", "Mutable": true,
                "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"},
            }]))
        );
        assert_eq!(
            Value::Object(pool.clients[0].create.clone()),
            json!({
                "ClientName": "Client",
                "GenerateSecret": false,
                "EnableTokenRevocation": true,
                "AccessTokenValidity": 60,
                "RefreshTokenValidity": 30,
                "TokenValidityUnits": {"AccessToken": "minutes"},
            })
        );
    }

    #[test]
    fn references_and_substitutions() {
        let text = r#"
Parameters:
  Prefix: {Type: String, Default: team}
  Flows: {Type: CommaDelimitedList, Default: "ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH"}
  Ssm: {Type: "AWS::SSM::Parameter::Value<String>", Default: /app/name}
Resources:
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      UserPoolName: !Join ["-", [!Ref Prefix, !Ref "AWS::AccountId", !Ref "AWS::Partition"]]
      SmsAuthenticationMessage: !Ref AWS::NoValue
      UserPoolTags:
        Arn: !GetAtt Pool.Arn
        Provider: !GetAtt Pool.ProviderName
        Url: !GetAtt Pool.ProviderURL
        Sub: !Sub "${Prefix}.${AWS::Region}.${Pool}.${Client.ClientId}.${Client.Name}.${!Literal}"
        SubVars: !Sub ["${A}-${B}", {A: x, B: !Ref Prefix}]
        User: !Ref Alice
        Secret: !GetAtt Client.ClientSecret
        Unknown: !Ref Nowhere
        FromSsm: !Ref Ssm
        Condition: !If [IsProd, a, b]
  Client:
    Type: AWS::Cognito::UserPoolClient
    Condition: IsProd
    Properties:
      UserPoolId: !Ref Pool
      ClientName: !Sub "${Prefix}-web"
      ExplicitAuthFlows: !Ref Flows
      CallbackURLs: [!Ref AWS::NoValue, "https://example.com/cb", !ImportValue Other]
  Alice:
    Type: AWS::Cognito::UserPoolUser
    Properties:
      UserPoolId: !Ref Pool
      UserAttributes:
        - {Name: email_verified, Value: true}
        - {Name: custom:stage, Value: !Ref Prefix}
        - {Value: lonely}
"#;
        let (seed, warnings) = parse(text);
        let pool = pool(&seed, "Pool");
        let client = &pool.clients[0];
        let create = &pool.create;
        assert_eq!(
            create.get("PoolName"),
            Some(&json!("team-000000000000-aws"))
        );
        assert!(!create.contains_key("SmsAuthenticationMessage"));
        let id = &pool.id;
        assert_eq!(
            create.get("UserPoolTags"),
            Some(&json!({
                "Arn": format!("arn:aws:cognito-idp:eu-west-1:000000000000:userpool/{id}"),
                "Provider": format!("cognito-idp.eu-west-1.amazonaws.com/{id}"),
                "Url": format!("https://cognito-idp.eu-west-1.amazonaws.com/{id}"),
                "Sub": format!("team.eu-west-1.{id}.{}.team-web.${{Literal}}", client.client_id),
                "SubVars": "x-team",
                "User": "Alice",
            }))
        );
        assert_eq!(
            client.create.get("ExplicitAuthFlows"),
            Some(&json!(["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]))
        );
        // An unsupported member of a list drops the whole list.
        assert!(!client.create.contains_key("CallbackURLs"));
        assert_eq!(client.create.get("ClientName"), Some(&json!("team-web")));
        // No Username: the logical id.
        let alice = &pool.users[0];
        assert_eq!(alice.username, "Alice");
        assert_eq!(
            alice.attributes,
            [
                ("email_verified".to_owned(), "true".to_owned()),
                ("custom:stage".to_owned(), "team".to_owned())
            ]
        );
        let expected = [
            "resource Client has Condition IsProd, not evaluated: made anyway",
            "Fn::GetAtt Client.ClientSecret in Pool.UserPoolTags.Secret not supported, property skipped",
            "Ref to the unknown Nowhere in Pool.UserPoolTags.Unknown not supported, property skipped",
            "Ref to the SSM parameter Ssm in Pool.UserPoolTags.FromSsm not supported, property skipped",
            "intrinsic Fn::If in Pool.UserPoolTags.Condition not supported, property skipped",
            "intrinsic Fn::ImportValue in Client.CallbackURLs not supported, property skipped",
            "Alice.UserAttributes[2] is not {Name, Value}, attribute skipped",
        ];
        for warning in expected {
            assert!(
                warnings.contains(&warning.to_owned()),
                "{warning} not in {warnings:#?}"
            );
        }
        assert_eq!(warnings.len(), expected.len(), "{warnings:#?}");
    }

    #[test]
    fn resources_without_a_pool_of_the_template() {
        let text = r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Pool: {Type: "AWS::Cognito::UserPool"}
  Imported:
    Type: AWS::Cognito::UserPoolClient
    Properties: {UserPoolId: !ImportValue SharedPool}
  Literal:
    Type: AWS::Cognito::UserPoolClient
    Properties: {UserPoolId: us-east-1_Elsewhere}
  Orphan:
    Type: AWS::Cognito::UserPoolUser
    Properties: {Username: nobody}
  Named:
    Type: AWS::Cognito::UserPoolUser
    Properties: {UserPoolId: !Ref Pool, Username: !If [C, a, b]}
"#;
        let (seed, warnings) = parse(text);
        let pool = pool(&seed, "Pool");
        assert!(pool.clients.is_empty() && pool.users.is_empty());
        let expected = [
            "Transform not applied: the template is read as written",
            "intrinsic Fn::ImportValue in Imported.UserPoolId not supported, resource skipped",
            "resource Literal skipped: Literal.UserPoolId is not a UserPool of this template",
            "resource Orphan skipped: it has no UserPoolId",
            "intrinsic Fn::If in Named.Username not supported, resource skipped",
        ];
        for warning in expected {
            assert!(
                warnings.contains(&warning.to_owned()),
                "{warning} not in {warnings:#?}"
            );
        }
        assert_eq!(warnings.len(), 5, "{warnings:#?}");
    }

    #[test]
    fn refused_templates_name_the_place_and_no_password() {
        let error = |text: &str| parse_template(text, REGION).unwrap_err().0;
        assert!(error("Parameters: {}\n").contains("no Resources"));
        assert!(error("Resources: [a]\n").contains("Resources must be a mapping"));
        assert!(
            error("Resources:\n  Pool: {Properties: {}}\n").contains("resource Pool has no Type")
        );
        assert!(
            error("Resources:\n  Pool: {Type: AWS::Cognito::UserPool, Properties: [1]}\n")
                .contains("resource Pool: Properties")
        );
        let user = |extension: &str| {
            format!(
                "Resources:\n  Pool: {{Type: AWS::Cognito::UserPool}}\n  U:\n    Type: AWS::Cognito::UserPoolUser\n    Metadata:\n      cognito-srp6a-emulator: {extension}\n    Properties: {{UserPoolId: !Ref Pool}}\n"
            )
        };
        let cases = [
            (
                user("{Password: hunter2hunter2, TemporaryPassword: swordfish99}"),
                "U.Metadata.cognito-srp6a-emulator",
            ),
            (
                user("{Pasword: hunter2hunter2}"),
                "U.Metadata.cognito-srp6a-emulator.Pasword",
            ),
            (
                user("{Password: [hunter2hunter2]}"),
                "U.Metadata.cognito-srp6a-emulator.Password",
            ),
            (user("hunter2hunter2"), "U.Metadata.cognito-srp6a-emulator"),
            (user("{Password: 'hunter2hunter2}"), "line"),
        ];
        for (text, place) in cases {
            let message = error(&text);
            assert!(
                !message.contains("hunter2") && !message.contains("swordfish"),
                "{message}"
            );
            assert!(message.contains(place), "{message}");
        }
        let twice = "Resources:\n  Pool: {Type: AWS::Cognito::UserPool}\n  A: {Type: AWS::Cognito::UserPoolUser, Properties: {UserPoolId: !Ref Pool, Username: u}}\n  B: {Type: AWS::Cognito::UserPoolUser, Properties: {UserPoolId: !Ref Pool, Username: u}}\n";
        assert!(error(twice).contains("the user u is already in the pool Pool"));
        assert!(parse_template("Resources: {}", "Not A Region").is_err());
        let (seed, _) = parse(&user("{Password: hunter2hunter2}"));
        assert!(!format!("{seed:?}").contains("hunter2"));
    }

    #[test]
    fn short_form_tags() {
        let tag = |tag: &str, value: Value| intrinsic_from_tag(tag, value);
        assert_eq!(tag("!Ref", json!("X")), json!({"Ref": "X"}));
        assert_eq!(
            tag("!GetAtt", json!("A.B.C")),
            json!({"Fn::GetAtt": ["A", "B.C"]})
        );
        assert_eq!(
            tag("!GetAtt", json!(["A", "B"])),
            json!({"Fn::GetAtt": ["A", "B"]})
        );
        assert_eq!(tag("!Condition", json!("C")), json!({"Condition": "C"}));
        assert_eq!(
            tag("!FindInMap", json!(["M", "a", "b"])),
            json!({"Fn::FindInMap": ["M", "a", "b"]})
        );
    }
}

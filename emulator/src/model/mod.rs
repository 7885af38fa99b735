//! Typed operation inputs and the records they make: each operation's request is a serde
//! struct with the member names of the service's API model, read once at the edge by
//! [`parse`], which turns serde's complaints into the service's errors (a wrong JSON type is a
//! `SerializationException` naming the member, never echoing its value; a missing member, an
//! out-of-range number or an unknown enum value is the AWS validation message, as
//! `InvalidParameterException`).
//!
//! - `pool`: `CreateUserPool`, `UpdateUserPool`, and the `UserPoolType` a pool is kept as.
//! - `client`: `CreateUserPoolClient`, `UpdateUserPoolClient`, and the `UserPoolClientType`.

pub mod client;
pub mod pool;

use crate::error::{ServiceError, lower_first};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// What a wire enum's `Deserialize` says of a value outside its set, for [`parse`] to word as
/// the service does (serde's own message would have no member path).
const ENUM_MARKER: &str = "\u{1}enum\u{1}";

/// Reads a request body as `T`.
pub fn parse<T: DeserializeOwned>(body: &Value) -> Result<T, ServiceError> {
    serde_path_to_error::deserialize::<_, T>(body).map_err(|error| {
        let path = member_path(&error.path().to_string());
        let message = error.inner().to_string();
        if let Some(rest) = message.strip_prefix(ENUM_MARKER) {
            let (value, allowed) = rest.split_once(ENUM_MARKER).unwrap_or((rest, ""));
            return validation(
                &path,
                value,
                &format!("Member must satisfy enum value set: [{allowed}]"),
            );
        }
        if let Some(field) = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.strip_suffix('`'))
        {
            let path = if path == "." || path.is_empty() {
                lower_first(field)
            } else {
                format!("{path}.{}", lower_first(field))
            };
            return ServiceError::InvalidParameterException(format!(
                "1 validation error detected: Value null at '{path}' failed to satisfy \
                 constraint: Member must not be null"
            ));
        }
        // serde's message quotes the value it found; only what it expected is repeated.
        let expected = message
            .split_once(", expected ")
            .map_or("another type", |(_, expected)| expected);
        ServiceError::SerializationException(format!("{path}: expected {expected}"))
    })
}

/// Reads a request body as `T`, whose settings are a flattened `S`: serde reads a flattened
/// struct from a buffer that has no member path, so a refusal inside `S` would name no member
/// (`.: expected a boolean`). `S` is then read from the body alone, where the path is kept.
pub fn parse_flat<T: DeserializeOwned, S: DeserializeOwned>(
    body: &Value,
) -> Result<T, ServiceError> {
    parse::<T>(body).map_err(|error| match parse::<S>(body) {
        Err(inner) => inner,
        Ok(_) => error,
    })
}

/// `DeviceConfiguration.ChallengeRequiredOnNewDevice` -> `deviceConfiguration.challengeRequiredOnNewDevice`,
/// as AWS validation messages name members.
fn member_path(path: &str) -> String {
    path.split('.')
        .map(lower_first)
        .collect::<Vec<_>>()
        .join(".")
}

/// The AWS validation message for `value` at `path`.
pub fn validation(path: &str, value: &str, constraint: &str) -> ServiceError {
    ServiceError::InvalidParameterException(format!(
        "1 validation error detected: Value '{value}' at '{path}' failed to satisfy \
         constraint: {constraint}"
    ))
}

/// A string member's length, in characters, within `min..=max`.
pub fn check_len(path: &str, value: &str, min: usize, max: usize) -> Result<(), ServiceError> {
    let len = value.chars().count();
    if len < min {
        return Err(validation(
            path,
            value,
            &format!("Member must have length greater than or equal to {min}"),
        ));
    }
    if len > max {
        // The value is not repeated: it may be long.
        return Err(ServiceError::InvalidParameterException(format!(
            "1 validation error detected: Value at '{path}' failed to satisfy constraint: \
             Member must have length less than or equal to {max}"
        )));
    }
    Ok(())
}

/// A number member within `min..=max`.
pub fn check_range(path: &str, value: i64, min: i64, max: i64) -> Result<(), ServiceError> {
    if value < min {
        return Err(validation(
            path,
            &value.to_string(),
            &format!("Member must have value greater than or equal to {min}"),
        ));
    }
    if value > max {
        return Err(validation(
            path,
            &value.to_string(),
            &format!("Member must have value less than or equal to {max}"),
        ));
    }
    Ok(())
}

/// A name of the service's `[\w\s+=,.@-]+` pattern (pool and client names), 1 to 128 characters.
pub fn check_name(path: &str, value: &str) -> Result<(), ServiceError> {
    check_len(path, value, 1, 128)?;
    let ok = value
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c.is_whitespace() || "+=,.@-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(validation(
            path,
            value,
            "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
        ))
    }
}

/// A string enum of the API model: deserialized from its wire name, serialized back to it, and
/// refused with the service's enum validation message.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            /// Every wire name, in the model's order.
            pub const ALL: &'static [&'static str] = &[$($wire),+];

            /// The wire name.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $wire,)+ }
            }

            /// The variant of a wire name.
            pub fn from_wire(text: &str) -> Option<Self> {
                match text { $($wire => Some(Self::$variant),)+ _ => None }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::from_wire(&text).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "{}{}{}{}",
                        $crate::model::ENUM_MARKER_PUB,
                        text.chars().take(64).collect::<String>(),
                        $crate::model::ENUM_MARKER_PUB,
                        Self::ALL.join(", ")
                    ))
                })
            }
        }
    };
}
pub(crate) use wire_enum;

#[doc(hidden)]
pub const ENUM_MARKER_PUB: &str = ENUM_MARKER;

/// The JSON kind of a member the emulator keeps without reading it: checked, so a kept value
/// has the type the API model gives it and every SDK can read it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A structure or a map.
    Object,
    /// A string.
    Str,
    /// A boolean.
    Bool,
    /// A list of strings.
    StrList,
}

/// Keeps the members of `kept` that `kinds` names, each checked against its kind; a member of
/// another kind is a `SerializationException` naming it. Members outside the model are dropped,
/// as the service ignores them.
pub fn check_kept(
    kept: &mut std::collections::BTreeMap<String, Value>,
    kinds: &[(&str, Kind)],
) -> Result<(), ServiceError> {
    kept.retain(|name, value| !value.is_null() && kinds.iter().any(|(member, _)| member == name));
    for (name, value) in kept.iter() {
        let Some((_, kind)) = kinds.iter().find(|(member, _)| member == name) else {
            continue;
        };
        let ok = match kind {
            Kind::Object => value.is_object(),
            Kind::Str => value.is_string(),
            Kind::Bool => value.is_boolean(),
            Kind::StrList => value
                .as_array()
                .is_some_and(|items| items.iter().all(Value::is_string)),
        };
        if !ok {
            let expected = match kind {
                Kind::Object => "a structure",
                Kind::Str => "a string",
                Kind::Bool => "a boolean",
                Kind::StrList => "a list of strings",
            };
            return Err(ServiceError::SerializationException(format!(
                "{}: expected {expected}",
                lower_first(name)
            )));
        }
    }
    Ok(())
}

/// Epoch seconds as the JSON protocol carries timestamps.
pub type EpochSeconds = i64;

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    wire_enum!(Color { Red = "RED", Blue = "BLUE", });

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    #[allow(dead_code)]
    struct Inner {
        flag: Option<bool>,
        color: Option<Color>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    #[allow(dead_code)]
    struct Request {
        pool_name: String,
        nested: Option<Inner>,
    }

    #[test]
    fn errors_name_the_member_and_never_echo_a_wrong_value() {
        let error =
            parse::<Request>(&json!({"PoolName": "p", "Nested": {"Flag": "hunter2"}})).unwrap_err();
        assert_eq!(error.name(), "SerializationException");
        assert!(error.message().contains("nested.flag"), "{error}");
        assert!(!error.message().contains("hunter2"), "{error}");

        let error = parse::<Request>(&json!({})).unwrap_err();
        assert_eq!(
            error.message(),
            "1 validation error detected: Value null at 'poolName' failed to satisfy \
             constraint: Member must not be null"
        );

        let error =
            parse::<Request>(&json!({"PoolName": "p", "Nested": {"Color": "GREEN"}})).unwrap_err();
        assert_eq!(error.name(), "InvalidParameterException");
        assert_eq!(
            error.message(),
            "1 validation error detected: Value 'GREEN' at 'nested.color' failed to satisfy \
             constraint: Member must satisfy enum value set: [RED, BLUE]"
        );
        let ok = parse::<Request>(&json!({"PoolName": "p", "Nested": {"Color": "BLUE"}})).unwrap();
        assert_eq!(ok.nested.unwrap().color, Some(Color::Blue));
    }

    #[test]
    fn names_and_ranges() {
        assert!(check_name("poolName", "my pool-1@x.y").is_ok());
        assert!(check_name("poolName", "bad/name").is_err());
        assert!(check_name("poolName", "").is_err());
        assert!(check_range("x", 5, 1, 10).is_ok());
        assert!(
            check_range("x", 11, 1, 10)
                .unwrap_err()
                .message()
                .contains("less than or equal to 10")
        );
    }
}

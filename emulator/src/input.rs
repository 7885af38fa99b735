//! Reading a request's members with the service's errors: a member of the wrong JSON type is a
//! `SerializationException` naming it (never echoing its value, which may be a password), a
//! required member that is absent or empty is the AWS validation message, and a `null` counts
//! as absent (amazon-cognito-identity-js sends `"DEVICE_KEY": null` to drop a device).

use crate::error::{ServiceError, lower_first};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// `AuthParameters` or `ChallengeResponses`: string to string, `null` entries dropped.
pub type Params = HashMap<String, String>;

/// A request body: a JSON object.
#[derive(Debug)]
pub struct Input(Value);

impl Default for Input {
    fn default() -> Self {
        Self(Value::Object(Map::new()))
    }
}

fn wrong_type(member: &str, expected: &str) -> ServiceError {
    ServiceError::SerializationException(format!("{member} must be {expected}"))
}

impl Input {
    /// Parses a body; anything but a JSON object is a `SerializationException`.
    pub fn parse(body: &[u8]) -> Result<Self, ServiceError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            // An empty body is an empty request, as the AWS JSON protocol reads it.
            return Ok(Self::default());
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(value @ Value::Object(_)) => Ok(Self(value)),
            Ok(_) => Err(ServiceError::SerializationException(
                "The request body must be a JSON object".into(),
            )),
            Err(_) => Err(ServiceError::SerializationException(
                "The request body is not valid JSON".into(),
            )),
        }
    }

    /// The whole body, for an operation whose input is a typed struct (`model::parse`).
    pub fn value(&self) -> &Value {
        &self.0
    }

    fn get(&self, member: &str) -> Option<&Value> {
        self.0.get(member).filter(|value| !value.is_null())
    }

    /// An optional string member.
    pub fn opt_str(&self, member: &str) -> Result<Option<&str>, ServiceError> {
        match self.get(member) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(wrong_type(member, "a string")),
        }
    }

    /// A required string member, at least one character long.
    pub fn str(&self, member: &str) -> Result<&str, ServiceError> {
        match self.opt_str(member)? {
            None => Err(ServiceError::missing(member)),
            Some("") => Err(ServiceError::InvalidParameterException(format!(
                "1 validation error detected: Value at '{}' failed to satisfy constraint: \
                 Member must have length greater than or equal to 1",
                lower_first(member)
            ))),
            Some(text) => Ok(text),
        }
    }

    /// An optional boolean member.
    pub fn opt_bool(&self, member: &str) -> Result<Option<bool>, ServiceError> {
        match self.get(member) {
            None => Ok(None),
            Some(Value::Bool(flag)) => Ok(Some(*flag)),
            Some(_) => Err(wrong_type(member, "a boolean")),
        }
    }

    /// An optional integer member.
    pub fn opt_i64(&self, member: &str) -> Result<Option<i64>, ServiceError> {
        match self.get(member) {
            None => Ok(None),
            Some(Value::Number(number)) => number
                .as_i64()
                .map(Some)
                .ok_or_else(|| wrong_type(member, "an integer")),
            Some(_) => Err(wrong_type(member, "an integer")),
        }
    }

    /// An optional string-to-string map member; `null` values are dropped.
    pub fn opt_params(&self, member: &str) -> Result<Option<Params>, ServiceError> {
        match self.get(member) {
            None => Ok(None),
            Some(Value::Object(map)) => {
                let mut params = Params::with_capacity(map.len());
                for (name, value) in map {
                    match value {
                        Value::Null => {}
                        Value::String(text) => {
                            params.insert(name.clone(), text.clone());
                        }
                        _ => return Err(wrong_type(member, "a map of strings")),
                    }
                }
                Ok(Some(params))
            }
            Some(_) => Err(wrong_type(member, "a map of strings")),
        }
    }

    /// Whether the map `member` has `name` set to `null`: identity-js's way of saying "no
    /// device" when it retries after "Device does not exist.".
    pub fn is_null_entry(&self, member: &str, name: &str) -> bool {
        matches!(
            self.0.get(member),
            Some(Value::Object(map)) if matches!(map.get(name), Some(Value::Null))
        )
    }

    /// An optional structure member.
    pub fn opt_object(&self, member: &str) -> Result<Option<Input>, ServiceError> {
        match self.get(member) {
            None => Ok(None),
            Some(value @ Value::Object(_)) => Ok(Some(Input(value.clone()))),
            Some(_) => Err(wrong_type(member, "a structure")),
        }
    }

    /// An optional list of `{"Name": ..., "Value": ...}` (`UserAttributes`), as a JSON object.
    pub fn opt_attributes(&self, member: &str) -> Result<Map<String, Value>, ServiceError> {
        let mut attributes = Map::new();
        match self.get(member) {
            None => {}
            Some(Value::Array(items)) => {
                for item in items {
                    let Value::Object(entry) = item else {
                        return Err(wrong_type(member, "a list of attributes"));
                    };
                    let entry = Input(Value::Object(entry.clone()));
                    let name = entry.str("Name")?;
                    let value = entry.opt_str("Value")?.unwrap_or_default();
                    attributes.insert(name.to_string(), Value::String(value.to_string()));
                }
            }
            Some(_) => return Err(wrong_type(member, "a list of attributes")),
        }
        Ok(attributes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nulls_are_absent_and_types_are_named() {
        let input = Input::parse(
            br#"{"A": null, "B": "x", "C": 5, "M": {"DEVICE_KEY": null, "USERNAME": "u"}}"#,
        )
        .unwrap();
        assert_eq!(input.opt_str("A").unwrap(), None);
        assert_eq!(input.str("B").unwrap(), "x");
        let error = input.opt_str("C").unwrap_err();
        assert_eq!(error.name(), "SerializationException");
        assert!(error.message().contains('C') && !error.message().contains('5'));
        let params = input.opt_params("M").unwrap().unwrap();
        assert_eq!(params.len(), 1);
        assert_eq!(
            input.str("Z").unwrap_err().name(),
            "InvalidParameterException"
        );
        assert_eq!(
            Input::parse(b"[1]").unwrap_err().name(),
            "SerializationException"
        );
        assert_eq!(
            Input::parse(b"{").unwrap_err().name(),
            "SerializationException"
        );
    }
}

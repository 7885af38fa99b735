//! An administrator's view of a pool's users: `ListUsers` with its `Filter`, pages and
//! `AttributesToGet`, and `AdminDisableUser` / `AdminEnableUser`.
//!
//! A filter is one comparison, `name = "value"` (equals) or `name ^= "prefix"` (starts with),
//! on `username`, `sub`, `cognito:user_status`, `status` (`Enabled` / `Disabled`) or one of the
//! standard attributes the service lets a filter search; anything else is the service's
//! "Error while parsing filter.". Users come in name order; the page token is the last name of
//! the page, base64url, so a page boundary never skips or repeats a user.

use super::Service;
use crate::{
    error::ServiceError,
    input::Input,
    store::{FilterField, UserFilter},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::{Value, json};

/// `Limit`'s largest value, and what a missing or zero `Limit` means.
const MAX_LIMIT: i64 = 60;
/// The longest `Filter` the model allows.
const MAX_FILTER: usize = 256;
/// The attributes a filter may search besides the built-in fields.
const SEARCHABLE: [&str; 6] = [
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
];

impl Service {
    pub(super) fn list_users(&self, input: &Input) -> Result<Value, ServiceError> {
        let pool = self.input_pool(input)?;
        let limit = match input.opt_i64("Limit")? {
            None | Some(0) => MAX_LIMIT,
            Some(limit @ 1..=MAX_LIMIT) => limit,
            Some(limit) => {
                return Err(crate::model::validation(
                    "limit",
                    &limit.to_string(),
                    "Member must have value less than or equal to 60",
                ));
            }
        };
        let filter = match input.opt_str("Filter")? {
            None => None,
            Some(text) if text.trim().is_empty() => None,
            Some(text) => Some(parse_filter(text)?),
        };
        let after = match input.opt_str("PaginationToken")? {
            None => None,
            Some(token) => Some(decode_token(token)?),
        };
        let wanted: Option<Vec<String>> = match input.value().get("AttributesToGet") {
            None | Some(Value::Null) => None,
            Some(Value::Array(names)) => Some(
                names
                    .iter()
                    .map(|name| name.as_str().map(str::to_string))
                    .collect::<Option<_>>()
                    .ok_or_else(|| {
                        ServiceError::SerializationException(
                            "AttributesToGet must be a list of strings".into(),
                        )
                    })?,
            ),
            Some(_) => {
                return Err(ServiceError::SerializationException(
                    "AttributesToGet must be a list of strings".into(),
                ));
            }
        };
        // One more than a page, to know whether another page follows.
        let page = u32::try_from(limit + 1).unwrap_or(61);
        let mut users = self
            .store
            .list_users(&pool.id, filter.as_ref(), after.as_deref(), page)?;
        let more = users.len() > usize::try_from(limit).unwrap_or(60);
        users.truncate(usize::try_from(limit).unwrap_or(60));
        let listed: Vec<Value> = users
            .iter()
            .map(|user| {
                let mut entry = super::users::user_type(user, "Attributes");
                if let (Some(wanted), Some(list)) = (
                    &wanted,
                    entry.get_mut("Attributes").and_then(Value::as_array_mut),
                ) {
                    list.retain(|attribute| {
                        attribute["Name"]
                            .as_str()
                            .is_some_and(|name| wanted.iter().any(|w| w == name))
                    });
                }
                entry
            })
            .collect();
        let mut output = json!({ "Users": listed });
        if more && let (Some(last), Some(object)) = (users.last(), output.as_object_mut()) {
            object.insert(
                "PaginationToken".into(),
                json!(URL_SAFE_NO_PAD.encode(last.username.as_bytes())),
            );
        }
        Ok(output)
    }

    /// `AdminDisableUser`: no sign-in or refresh any more, and every token of the user is
    /// revoked (the service's documentation: it "revokes all access tokens").
    pub(super) fn admin_disable_user(&self, input: &Input) -> Result<Value, ServiceError> {
        let (pool, user) = self.admin_user(input)?;
        self.store
            .set_user_enabled(&pool.id, &user.username, false, self.now())?;
        self.store.revoke_user(&pool.id, &user.username)?;
        Ok(json!({}))
    }

    /// `AdminEnableUser`: sign-in works again.
    pub(super) fn admin_enable_user(&self, input: &Input) -> Result<Value, ServiceError> {
        let (pool, user) = self.admin_user(input)?;
        self.store
            .set_user_enabled(&pool.id, &user.username, true, self.now())?;
        Ok(json!({}))
    }
}

/// Parses `name = "value"` / `name ^= "value"`, the value's `\"` and `\\` unescaped.
fn parse_filter(text: &str) -> Result<UserFilter, ServiceError> {
    let bad = || ServiceError::InvalidParameterException("Error while parsing filter.".into());
    if text.chars().count() > MAX_FILTER {
        return Err(crate::model::validation(
            "filter",
            "…",
            "Member must have length less than or equal to 256",
        ));
    }
    let text = text.trim();
    let name_end = text
        .find(|c: char| c.is_whitespace() || c == '=' || c == '^')
        .ok_or_else(bad)?;
    let (name, rest) = text.split_at(name_end);
    let rest = rest.trim_start();
    let (prefix, rest) = if let Some(rest) = rest.strip_prefix("^=") {
        (true, rest)
    } else if let Some(rest) = rest.strip_prefix('=') {
        (false, rest)
    } else {
        return Err(bad());
    };
    let quoted = rest.trim();
    let inner = quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .ok_or_else(bad)?;
    let mut value = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => value.push(chars.next().ok_or_else(bad)?),
            '"' => return Err(bad()),
            c => value.push(c),
        }
    }
    let field = match name {
        "username" => FilterField::Username,
        "sub" => FilterField::Sub,
        "cognito:user_status" => {
            // Case-insensitive, as the service compares it.
            value = value.to_ascii_uppercase();
            FilterField::Status
        }
        "status" => FilterField::Enabled,
        name if SEARCHABLE.contains(&name) => FilterField::Attribute(name.to_string()),
        _ => return Err(bad()),
    };
    Ok(UserFilter {
        field,
        prefix,
        value,
    })
}

fn decode_token(token: &str) -> Result<String, ServiceError> {
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| ServiceError::InvalidParameterException("Invalid pagination token.".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_as_the_service_documents_them() {
        let filter = parse_filter(r#"email = "alice@example.com""#).unwrap();
        assert_eq!(filter.field, FilterField::Attribute("email".into()));
        assert!(!filter.prefix);
        assert_eq!(filter.value, "alice@example.com");
        let filter = parse_filter(r#"username ^= "al\"i""#).unwrap();
        assert_eq!(filter.field, FilterField::Username);
        assert!(filter.prefix);
        assert_eq!(filter.value, "al\"i");
        let filter = parse_filter(r#"cognito:user_status = "confirmed""#).unwrap();
        assert_eq!(filter.value, "CONFIRMED");
        for bad in [
            "email",
            r#"email == "a""#,
            r#"email = a"#,
            r#"custom:x = "a""#,
            r#"email = "a"b""#,
            r#"email = "a\"#,
        ] {
            assert!(parse_filter(bad).is_err(), "{bad}");
        }
    }
}

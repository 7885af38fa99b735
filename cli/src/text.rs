//! `--output text`, the AWS CLI's text format (awscli `formatter.py` / `text.py`), kept to its
//! rules: a scalar alone on a line; a list of scalars on one line, tab-separated; an object's
//! scalar members (sorted by name) on one line, tab-separated, then each of its lists and
//! objects, the member name upper-cased in front of their scalars; a list of objects one line
//! per object, over the union of their scalar members. `null` prints `None`, booleans `True` /
//! `False`, as the AWS CLI (Python) does. Every string has its control characters escaped.

use crate::terminal::escape_control;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

/// `value` in the AWS CLI's text format. Wiped when dropped: it may hold tokens.
pub fn format(value: &Value) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(String::with_capacity(16 * 1024));
    item(&mut out, value, None, None);
    Zeroizing::new(out.as_bytes().to_vec())
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Array(_) | Value::Object(_))
}

/// A scalar as Python's `str()` prints it, control characters escaped.
fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(number) => number.to_string(),
        Value::String(text) => escape_control(text).into_owned(),
        // Not reached: callers pass scalars only.
        Value::Array(_) | Value::Object(_) => String::new(),
    }
}

fn line(out: &mut String, fields: &[String]) {
    out.push_str(&fields.join("\t"));
    out.push('\n');
}

fn item(out: &mut String, value: &Value, name: Option<&str>, keys: Option<&[String]>) {
    match value {
        Value::Object(members) => object(out, members, name, keys),
        Value::Array(elements) => list(out, elements, name),
        _ => line(out, &[scalar(value)]),
    }
}

fn list(out: &mut String, elements: &[Value], name: Option<&str>) {
    if elements.iter().any(Value::is_object) {
        let mut keys: Vec<String> = elements
            .iter()
            .filter_map(Value::as_object)
            .flat_map(|members| members.iter())
            .filter(|(_, value)| is_scalar(value))
            .map(|(key, _)| key.clone())
            .collect();
        keys.sort_unstable();
        keys.dedup();
        for element in elements {
            item(out, element, name, Some(&keys));
        }
    } else {
        let (scalars, nested): (Vec<&Value>, Vec<&Value>) =
            elements.iter().partition(|value| is_scalar(value));
        if !scalars.is_empty() {
            let fields: Vec<String> = scalars.into_iter().map(scalar).collect();
            match name {
                Some(name) => {
                    for field in fields {
                        line(out, &[upper(name), field]);
                    }
                }
                None => line(out, &fields),
            }
        }
        for element in nested {
            item(out, element, name, None);
        }
    }
}

fn object(
    out: &mut String,
    members: &Map<String, Value>,
    name: Option<&str>,
    keys: Option<&[String]>,
) {
    let mut sorted: Vec<(&String, &Value)> = members.iter().collect();
    sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let (mut fields, nested): (Vec<String>, Vec<(&String, &Value)>) = match keys {
        None => {
            let (scalars, nested): (Vec<_>, Vec<_>) =
                sorted.into_iter().partition(|(_, value)| is_scalar(value));
            (
                scalars
                    .into_iter()
                    .map(|(_, value)| scalar(value))
                    .collect(),
                nested,
            )
        }
        // In a list of objects: the same columns on every line, empty where missing.
        Some(keys) => (
            keys.iter()
                .map(|key| members.get(key).map(scalar).unwrap_or_default())
                .collect(),
            sorted
                .into_iter()
                .filter(|(key, _)| !keys.contains(key))
                .collect(),
        ),
    };
    if !fields.is_empty() {
        if let Some(name) = name {
            fields.insert(0, upper(name));
        }
        line(out, &fields);
    }
    for (key, value) in nested {
        item(out, value, Some(key), None);
    }
}

fn upper(name: &str) -> String {
    escape_control(name).to_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(value: Value) -> String {
        String::from_utf8(format(&value).to_vec()).unwrap()
    }

    #[test]
    fn scalars_alone_on_a_line() {
        assert_eq!(text(json!("eyJ.a.b")), "eyJ.a.b\n");
        assert_eq!(text(json!(3600)), "3600\n");
        assert_eq!(text(json!(null)), "None\n");
        assert_eq!(text(json!(false)), "False\n");
    }

    #[test]
    fn lists_and_objects_as_the_aws_cli_prints_them() {
        assert_eq!(text(json!(["a", "b", 1])), "a\tb\t1\n");
        let answer = json!({
            "ChallengeParameters": {},
            "AuthenticationResult": {
                "AccessToken": "at", "ExpiresIn": 3600, "TokenType": "Bearer",
                "NewDeviceMetadata": {"DeviceKey": "dk", "DeviceGroupKey": "gk"}
            }
        });
        assert_eq!(
            text(answer),
            "AUTHENTICATIONRESULT\tat\t3600\tBearer\nNEWDEVICEMETADATA\tgk\tdk\n"
        );
        let devices = json!({"Devices": [{"DeviceKey": "a", "Extra": 1}, {"DeviceKey": "b"}]});
        assert_eq!(text(devices), "DEVICES\ta\t1\nDEVICES\tb\t\n");
        assert_eq!(text(json!({"Names": ["x", "y"]})), "NAMES\tx\nNAMES\ty\n");
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(text(json!("a\tb\u{1b}[2J")), "a\\x09b\\x1b[2J\n");
    }
}

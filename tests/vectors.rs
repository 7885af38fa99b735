//! Runs every committed vector file (made by amazon-cognito-identity-js and pycognito, see
//! `vectors/README.md`) through `cognito_srp6a::vectors`, the checks `cognito-srp6a validate`
//! (cli/) runs too, and shows that those checks fail when any expected value is altered.

// Test and example code may index and unwrap: a panic there is a failed check, not bad input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use cognito_srp6a::vectors::check_file;
use serde_json::Value;
use std::path::PathBuf;

/// The vector files and the sections each real client must provide.
const FILES: [(&str, &[&str]); 2] = [
    (
        "amazon-cognito-identity-js.json",
        &["device", "user", "invalid", "timestamp"],
    ),
    (
        "pycognito.json",
        &["device", "user", "invalid", "timestamp", "secret_hash"],
    ),
];

/// Expected values a runner must check, per section.
const EXPECTED: [(&str, &[&str]); 4] = [
    (
        "device",
        &[
            "Salt",
            "PasswordVerifier",
            "SRP_A",
            "PASSWORD_CLAIM_SIGNATURE",
        ],
    ),
    ("user", &["SRP_A", "PASSWORD_CLAIM_SIGNATURE"]),
    ("secret_hash", &["SECRET_HASH"]),
    ("timestamp", &["TIMESTAMP"]),
];

fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("vectors")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn every_vector_passes() {
    for (name, sections) in FILES {
        let doc = load(name);
        for section in sections {
            let n = doc
                .get(section)
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            assert!(n >= 2, "{name}: section {section} has {n} cases");
        }
        let outcomes = check_file(&doc);
        let failures: Vec<String> = outcomes
            .iter()
            .filter_map(|o| {
                o.result
                    .as_ref()
                    .err()
                    .map(|e| format!("{}: {e}", o.name()))
            })
            .collect();
        assert!(failures.is_empty(), "{name}:\n{}", failures.join("\n"));
    }
}

/// Changes one character of a base64 or hex or text value into another valid one.
fn alter(value: &str) -> String {
    let mut chars: Vec<char> = value.chars().collect();
    let i = chars.len() / 2;
    chars[i] = match chars[i] {
        '0' => '1',
        'A' => 'B',
        'a' => 'b',
        ' ' => ' ',
        c if c.is_ascii_digit() => '0',
        c if c.is_ascii_uppercase() => 'A',
        _ => 'a',
    };
    let altered: String = chars.into_iter().collect();
    if altered == value {
        format!("{value}x")
    } else {
        altered
    }
}

#[test]
fn altering_any_expected_value_fails() {
    for (name, _) in FILES {
        let doc = load(name);
        for (section, keys) in EXPECTED {
            let Some(cases) = doc.get(section).and_then(Value::as_array) else {
                continue;
            };
            for (i, case) in cases.iter().enumerate() {
                for key in keys {
                    let Some(value) = case.get(key).and_then(Value::as_str) else {
                        continue;
                    };
                    let mut bad = case.clone();
                    bad[*key] = Value::String(alter(value));
                    let doc = serde_json::json!({ section: [bad] });
                    let outcomes = check_file(&doc);
                    assert_eq!(outcomes.len(), 1);
                    assert!(
                        outcomes[0].result.is_err(),
                        "{name} {section}[{i}]: altered {key} still passes"
                    );
                }
            }
        }
    }
}

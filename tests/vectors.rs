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

/// A malformed vector file is reported case by case, each with the failure that names what is
/// wrong, and never panics the checker (which `cognito-srp6a validate` runs on any file).
#[test]
fn malformed_cases_are_named_failures() {
    use cognito_srp6a::vectors::{Failure, Section};
    let doc: Value = serde_json::json!({
        "device": [
            { "case": "no salt" },
            { "case": "bad hex", "salt_random_hex": "zz" },
            { "case": "short salt", "salt_random_hex": "00ff" },
            "not an object",
        ],
        "invalid": [{ "case": "odd kind", "kind": "robot" }],
        "timestamp": [{ "case": "no time" }],
        "unknown_section": [{ "anything": 1 }],
    });
    let outcomes = check_file(&doc);
    let results: Vec<(Section, &str, &Result<(), Failure>)> = outcomes
        .iter()
        .map(|outcome| (outcome.section, outcome.label.as_str(), &outcome.result))
        .collect();
    assert_eq!(results.len(), 6, "{outcomes:?}");
    assert!(
        outcomes.iter().all(|outcome| outcome.result.is_err()),
        "{outcomes:?}"
    );
    let failure = |label: &str| {
        outcomes
            .iter()
            .find(|outcome| outcome.label == label)
            .and_then(|outcome| outcome.result.clone().err())
            .unwrap_or_else(|| panic!("{label}: no failure in {outcomes:?}"))
    };
    assert!(matches!(
        failure("no salt"),
        Failure::MissingString {
            field: "salt_random_hex"
        }
    ));
    assert!(matches!(failure("bad hex"), Failure::BadHex { .. }));
    assert_eq!(failure("short salt"), Failure::SaltLength { bytes: 2 });
    assert_eq!(
        failure("odd kind"),
        Failure::UnknownKind {
            kind: "robot".into()
        }
    );
    assert_eq!(
        failure("no time"),
        Failure::MissingInteger {
            field: "unix_seconds"
        }
    );
}

//! Checks one vector file (schema in `vectors/README.md`) against the crate's public API.
//! Shared by `tests/vectors.rs` and the CLI's `cognito-srp6a validate` (cli/src/validate.rs).

use cognito_srp6a::{
    AppClient, DevicePasswordVerifierChallenge, DeviceSecretVerifierConfig,
    PasswordVerifierChallenge, RememberedDevice, Salt, SecretHash, SrpB, Timestamp, User,
    VerifierRecord,
};
use serde_json::Value;

/// Username the runner passes for device cases, which carry none: it is only echoed.
const ECHO_USERNAME: &str = "validate-vectors";

/// Checks one case.
type Check = fn(&Value) -> Result<(), String>;

/// One case's outcome: `Err` lists what did not match.
pub struct Outcome {
    pub name: String,
    pub result: Result<(), String>,
}

/// Checks every case of a parsed vector file. Unknown sections and keys are ignored.
pub fn check_file(doc: &Value) -> Vec<Outcome> {
    let mut out = Vec::new();
    let sections: [(&str, Check); 5] = [
        ("device", check_device),
        ("user", check_user),
        ("invalid", check_invalid),
        ("secret_hash", check_secret_hash),
        ("timestamp", check_timestamp),
    ];
    for (section, check) in sections {
        for (i, case) in doc
            .get(section)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let label = case
                .get("case")
                .and_then(Value::as_str)
                .unwrap_or("(unnamed)");
            out.push(Outcome {
                name: format!("{section}[{i}] {label}"),
                result: check(case),
            });
        }
    }
    out
}

fn field<'v>(case: &'v Value, key: &str) -> Result<&'v str, String> {
    case.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("missing string field {key}"))
}

fn expect(case: &Value, key: &str, got: &str) -> Result<(), String> {
    let want = field(case, key)?;
    if want == got {
        Ok(())
    } else {
        Err(format!("{key}: expected {want}, got {got}"))
    }
}

/// Hex (any length, as `toString(16)` writes it) to big-endian bytes.
fn hex_bytes(s: &str) -> Result<Vec<u8>, String> {
    let padded = if s.len() % 2 == 1 {
        format!("0{s}")
    } else {
        s.to_string()
    };
    (0..padded.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(&padded[i..i + 2], 16).map_err(|e| format!("bad hex {s:?}: {e}"))
        })
        .collect()
}

fn device_signature(case: &Value) -> Result<String, String> {
    let device = RememberedDevice {
        device_group_key: field(case, "device_group_key")?,
        device_key: field(case, "device_key")?,
        device_password: field(case, "device_password")?.as_bytes(),
    };
    let sign_in = device
        .start_sign_in_with_test_exponent(&hex_bytes(field(case, "a_hex")?)?)
        .map_err(|e| format!("start: {e}"))?;
    let srp_a = sign_in.srp_a().as_str().to_string();
    // SRP_A is optional in the schema's invalid cases, required in device and user ones.
    if case.get("SRP_A").is_some() {
        expect(case, "SRP_A", &srp_a)?;
    }
    let challenge = DevicePasswordVerifierChallenge::new(
        case.get("USERNAME")
            .and_then(Value::as_str)
            .unwrap_or(ECHO_USERNAME),
        field(case, "SRP_B")?,
        field(case, "SALT")?,
        field(case, "SECRET_BLOCK")?,
    )
    .map_err(|e| format!("challenge: {e}"))?;
    let timestamp = Timestamp::parse(field(case, "TIMESTAMP")?).map_err(|e| format!("{e}"))?;
    let response = sign_in
        .respond(&challenge, timestamp)
        .map_err(|e| format!("respond: {e}"))?;
    if response.password_claim_secret_block != field(case, "SECRET_BLOCK")? {
        return Err("PASSWORD_CLAIM_SECRET_BLOCK is not SECRET_BLOCK".into());
    }
    Ok(response.password_claim_signature.as_str().to_string())
}

fn check_device(case: &Value) -> Result<(), String> {
    let mut salt_random = [0u8; 16];
    let salt_hex = field(case, "salt_random_hex")?;
    let bytes = hex_bytes(salt_hex)?;
    if bytes.len() != 16 {
        return Err(format!(
            "salt_random_hex must be 16 bytes, is {}",
            bytes.len()
        ));
    }
    salt_random.copy_from_slice(&bytes);
    let config = DeviceSecretVerifierConfig::from_parts(
        field(case, "device_group_key")?,
        field(case, "device_key")?,
        field(case, "device_password")?,
        &salt_random,
    );
    expect(case, "Salt", config.salt())?;
    expect(case, "PasswordVerifier", config.password_verifier())?;
    expect(case, "PASSWORD_CLAIM_SIGNATURE", &device_signature(case)?)?;
    if case.get("b_hex").is_some() {
        // The service reads what ConfirmDevice received.
        let record = VerifierRecord::from_confirm_device(
            field(case, "device_group_key")?,
            field(case, "device_key")?,
            field(case, "PasswordVerifier")?,
            field(case, "Salt")?,
        )
        .map_err(|e| format!("ConfirmDevice record: {e}"))?;
        let device_key = field(case, "device_key")?;
        let challenge_salt = Salt::parse(field(case, "SALT")?).map_err(|e| format!("{e}"))?;
        let same_salt = &challenge_salt == record.salt();
        check_service(case, &record, ECHO_USERNAME, Some(device_key), same_salt)?;
    }
    Ok(())
}

/// The service side of a case with `b_hex`: SRP_B = (k·v + g^b) mod N for the record made from
/// the case's inputs, and the verifier accepts the expected signature and refuses it with one
/// character changed.
fn check_service(
    case: &Value,
    record: &VerifierRecord,
    username: &str,
    device_key: Option<&str>,
    check_proof: bool,
) -> Result<(), String> {
    use base64ct::{Base64, Encoding};
    let b = hex_bytes(field(case, "b_hex")?)?;
    let block = Base64::decode_vec(field(case, "SECRET_BLOCK")?)
        .map_err(|e| format!("SECRET_BLOCK: {e}"))?;
    let srp_a = field(case, "SRP_A")?;
    let issue = || {
        record
            .issue_challenge_with_test_values(srp_a, username, &b, &block)
            .map_err(|e| format!("issue challenge: {e}"))
    };
    let want_b = SrpB::parse(field(case, "SRP_B")?).map_err(|e| format!("{e}"))?;
    let issued = issue()?;
    if issued.srp_b() != want_b.to_hex().as_str() {
        return Err(format!(
            "service SRP_B: expected {}, got {}",
            want_b.to_hex().as_str(),
            issued.srp_b()
        ));
    }
    if !check_proof {
        return Ok(());
    }
    let timestamp = field(case, "TIMESTAMP")?;
    let now = Timestamp::parse(timestamp).map_err(|e| format!("{e}"))?;
    let signature = field(case, "PASSWORD_CLAIM_SIGNATURE")?;
    let secret_block = field(case, "SECRET_BLOCK")?;
    let responses = |sig: &str| {
        let mut r = vec![
            ("USERNAME".to_string(), username.to_string()),
            (
                "PASSWORD_CLAIM_SECRET_BLOCK".to_string(),
                secret_block.to_string(),
            ),
            ("TIMESTAMP".to_string(), timestamp.to_string()),
            ("PASSWORD_CLAIM_SIGNATURE".to_string(), sig.to_string()),
        ];
        if let Some(k) = device_key {
            r.push(("DEVICE_KEY".to_string(), k.to_string()));
        }
        r
    };
    let accepted = responses(signature);
    issued
        .verify(accepted.iter().map(|(k, v)| (k, v)), now, 0)
        .map_err(|e| format!("service refused the expected signature: {e}"))?;
    let altered = responses(&alter_one_char(signature));
    match issue()?.verify(altered.iter().map(|(k, v)| (k, v)), now, 0) {
        Err(cognito_srp6a::Error::NotAuthorized) => Ok(()),
        other => Err(format!("service gave {other:?} for an altered signature")),
    }
}

/// Changes one character of a base64 text to another base64 character.
fn alter_one_char(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if let Some(c) = chars.first_mut() {
        *c = if *c == 'A' { 'B' } else { 'A' };
    }
    chars.into_iter().collect()
}

fn user_signature(case: &Value) -> Result<String, String> {
    let user = User::new(
        field(case, "user_pool_id")?,
        field(case, "USERNAME")?,
        field(case, "password")?,
    )
    .map_err(|e| format!("user: {e}"))?;
    let sign_in = user
        .start_sign_in_with_test_exponent(&hex_bytes(field(case, "a_hex")?)?)
        .map_err(|e| format!("start: {e}"))?;
    let srp_a = sign_in.srp_a().as_str().to_string();
    // SRP_A is optional in the schema's invalid cases, required in device and user ones.
    if case.get("SRP_A").is_some() {
        expect(case, "SRP_A", &srp_a)?;
    }
    let user_id = field(case, "USER_ID_FOR_SRP")?;
    let challenge = PasswordVerifierChallenge::new(
        user_id,
        field(case, "SRP_B")?,
        field(case, "SALT")?,
        field(case, "SECRET_BLOCK")?,
    )
    .map_err(|e| format!("challenge: {e}"))?;
    let timestamp = Timestamp::parse(field(case, "TIMESTAMP")?).map_err(|e| format!("{e}"))?;
    let response = sign_in
        .respond(&challenge, timestamp)
        .map_err(|e| format!("respond: {e}"))?;
    if response.username != user_id {
        return Err("USERNAME is not USER_ID_FOR_SRP".into());
    }
    Ok(response.password_claim_signature.as_str().to_string())
}

fn check_user(case: &Value) -> Result<(), String> {
    expect(case, "PASSWORD_CLAIM_SIGNATURE", &user_signature(case)?)?;
    if case.get("b_hex").is_some() {
        let (pool, user_id, salt) = (
            field(case, "user_pool_id")?,
            field(case, "USER_ID_FOR_SRP")?,
            field(case, "SALT")?,
        );
        let from_password =
            VerifierRecord::for_user_password(pool, user_id, field(case, "password")?, salt)
                .map_err(|e| format!("user record: {e}"))?;
        let record = match case.get("verifier_hex").and_then(Value::as_str) {
            Some(v) => VerifierRecord::for_user_verifier(pool, user_id, salt, v)
                .map_err(|e| format!("verifier_hex: {e}"))?,
            None => from_password.clone(),
        };
        // A SALT spelled so that it is another integer than the stored salt (`-`-signed) is a
        // client-side case: the service's check of the proof does not apply.
        let same_salt = record == from_password;
        check_service(case, &record, user_id, None, same_salt)?;
    }
    Ok(())
}

fn check_invalid(case: &Value) -> Result<(), String> {
    let outcome = match field(case, "kind")? {
        "device" => device_signature(case),
        "user" => user_signature(case),
        other => return Err(format!("unknown kind {other:?}")),
    };
    match (outcome, case.get("error_parameter").and_then(Value::as_str)) {
        (Ok(sig), _) => Err(format!(
            "exchange succeeded (signature {sig}); an error was expected"
        )),
        (Err(why), _) if why.starts_with("missing string field") => Err(why),
        // The crate's errors name the parameter at fault; a case may say which it must be.
        (Err(why), Some(parameter)) if !why.contains(&format!("parameter {parameter} ")) => {
            Err(format!("error {why:?} does not name {parameter}"))
        }
        (Err(_), _) => Ok(()),
    }
}

fn check_secret_hash(case: &Value) -> Result<(), String> {
    let client = AppClient::new(field(case, "client_id")?, field(case, "client_secret")?);
    let hash = SecretHash::new(&client, field(case, "username")?);
    expect(case, "SECRET_HASH", hash.as_str())
}

fn check_timestamp(case: &Value) -> Result<(), String> {
    let secs = case
        .get("unix_seconds")
        .and_then(Value::as_i64)
        .ok_or("missing unix_seconds")?;
    let t = Timestamp::from_unix_seconds(secs).map_err(|e| format!("{e}"))?;
    expect(case, "TIMESTAMP", t.as_str())?;
    let parsed = Timestamp::parse(field(case, "TIMESTAMP")?).map_err(|e| format!("parse: {e}"))?;
    if parsed.unix_seconds() != secs {
        return Err(format!(
            "TIMESTAMP parses to {}, not {secs}",
            parsed.unix_seconds()
        ));
    }
    Ok(())
}

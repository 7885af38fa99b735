//! The Cognito JSON API of a local endpoint over `reqwest`, as any SDK calls it (the emulator
//! checks no signature, so the administrator's operations go unsigned), and the set-up a test
//! makes through it.

use serde_json::{Value, json};

/// The request of `operation` at `url` with `body`, as the JSON protocol frames it, on `http`
/// (a test that makes many shares one client and its connections).
pub fn request(
    http: &reqwest::Client,
    url: &str,
    operation: &str,
    body: &Value,
) -> reqwest::RequestBuilder {
    http.post(format!("{url}/"))
        .header("Content-Type", "application/x-amz-json-1.1")
        .header(
            "X-Amz-Target",
            format!("AWSCognitoIdentityProviderService.{operation}"),
        )
        .body(body.to_string())
}

/// One call of `operation` at `url`: the HTTP status and the JSON body (a string when it is
/// not JSON).
pub async fn call(url: &str, operation: &str, body: Value) -> (u16, Value) {
    let response = request(&reqwest::Client::new(), url, operation, &body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// [`call`] of an operation that must succeed: the JSON body.
pub async fn call_ok(url: &str, operation: &str, body: Value) -> Value {
    let (status, reply) = call(url, operation, body.clone()).await;
    assert_eq!(status, 200, "{operation} {body}: {reply}");
    reply
}

/// A confirmed user of `pool_id` with a permanent `password`, as an administrator makes one:
/// `AdminCreateUser` with `attributes` (`[{"Name", "Value"}]`) and no message, then
/// `AdminSetUserPassword` `Permanent`.
pub async fn confirmed_user(
    url: &str,
    pool_id: &str,
    username: &str,
    password: &str,
    attributes: Value,
) {
    call_ok(
        url,
        "AdminCreateUser",
        json!({
            "UserPoolId": pool_id,
            "Username": username,
            "MessageAction": "SUPPRESS",
            "UserAttributes": attributes,
        }),
    )
    .await;
    call_ok(
        url,
        "AdminSetUserPassword",
        json!({"UserPoolId": pool_id, "Username": username, "Password": password, "Permanent": true}),
    )
    .await;
}

/// The keys `AdminListDevices` gives for the user (its remembered devices).
pub async fn listed_devices(url: &str, pool_id: &str, username: &str) -> Vec<String> {
    let reply = call_ok(
        url,
        "AdminListDevices",
        json!({"UserPoolId": pool_id, "Username": username}),
    )
    .await;
    reply["Devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["DeviceKey"].as_str().unwrap().to_string())
        .collect()
}

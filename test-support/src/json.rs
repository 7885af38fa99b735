//! Reading the JSON objects the service and the tools answer: which members they have, the
//! attributes they list, and the device file that the CLI writes and the SDK crate's `serde`
//! feature reads.

use serde_json::Value;

/// The members of the device file's JSON object.
pub const DEVICE_FILE_MEMBERS: [&str; 3] = ["DeviceGroupKey", "DeviceKey", "DevicePassword"];

/// The value of attribute `name` in a `[{"Name", "Value"}]` list (a user's `Attributes`, a
/// device's `DeviceAttributes`), if it is there.
pub fn attribute(list: &Value, name: &str) -> Option<String> {
    list.as_array()?
        .iter()
        .find(|a| a["Name"] == name)
        .and_then(|a| a["Value"].as_str())
        .map(str::to_string)
}

/// The member names of a JSON object, sorted; panics when `value` is not an object.
pub fn keys(value: &Value) -> Vec<&str> {
    let object = value
        .as_object()
        .unwrap_or_else(|| panic!("not a JSON object: {value}"));
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

/// `file` is the device file's JSON object: exactly [`DEVICE_FILE_MEMBERS`], each a non-empty
/// string. Panics otherwise, naming the member but never showing a value (one is a password).
pub fn assert_device_file(file: &Value) {
    assert_eq!(keys(file), DEVICE_FILE_MEMBERS, "device file members");
    for member in DEVICE_FILE_MEMBERS {
        assert!(
            file[member].as_str().is_some_and(|value| !value.is_empty()),
            "device file: {member} is not a non-empty string"
        );
    }
}

//! The device file: the `StoredDevice` of `cognito-srp6a-sdk` as JSON, `{"DeviceGroupKey",
//! "DeviceKey", "DevicePassword"}`. Created with mode 0600 and `create_new`, so an existing file
//! is never overwritten, even one that appears between a check and the write. Its contents never
//! reach an error message: the device password signs in as the device.

use crate::failure::Failure;
use cognito_srp6a_sdk::StoredDevice;
use std::{
    fs::{File, OpenOptions},
    io::{self, Read as _, Write as _},
    path::Path,
};
use zeroize::Zeroizing;

/// The largest device file read, in bytes: a real one is about 200; anything far larger is not
/// one, and is not read into memory whole.
pub const MAX_SIZE: u64 = 64 * 1024;

/// A new device file, empty, readable and writable by its owner only.
pub fn create(path: &Path) -> Result<File, Failure> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(|error| {
        if error.kind() == io::ErrorKind::AlreadyExists {
            Failure::new(
                "DeviceFileError",
                format!(
                    "{} exists; refusing to overwrite it (it may hold a remembered device)",
                    path.display()
                ),
            )
        } else {
            file_error(path, "cannot create", &error)
        }
    })
}

/// Writes `device` into `file` (made by [`create`]) and syncs it to disk.
pub fn write(file: &mut File, path: &Path, device: &StoredDevice) -> Result<(), Failure> {
    // Room for the whole text up front: a growing buffer would leave copies of the password.
    let mut json = Zeroizing::new(Vec::with_capacity(1024));
    serde_json::to_writer_pretty(&mut *json, device).map_err(|error| {
        Failure::new(
            "DeviceFileError",
            format!("cannot encode the device: {error}"),
        )
    })?;
    json.push(b'\n');
    file.write_all(&json)
        .and_then(|()| file.sync_all())
        .map_err(|error| file_error(path, "cannot write", &error))
}

/// Removes the file this run created (`file`, by [`create`]) and could not finish, if `path`
/// still names that very file: one put in its place meanwhile (renamed over it, or made after
/// it was moved away) is someone else's and is left alone. Compared by device and inode.
pub fn remove_created(file: &File, path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let same = match (file.metadata(), std::fs::symlink_metadata(path)) {
            (Ok(ours), Ok(there)) => ours.dev() == there.dev() && ours.ino() == there.ino(),
            _ => false,
        };
        if same {
            let _ = std::fs::remove_file(path);
        }
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        let _ = std::fs::remove_file(path);
    }
}

/// The device in the file at `path`, or `None` if there is no such file.
pub fn read(path: &Path) -> Result<Option<StoredDevice>, Failure> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(file_error(path, "cannot open", &error)),
    };
    // The whole room up front: a growing buffer would leave copies of the device password.
    let mut text = Zeroizing::new(Vec::with_capacity(MAX_SIZE as usize + 1));
    file.take(MAX_SIZE + 1)
        .read_to_end(&mut text)
        .map_err(|error| file_error(path, "cannot read", &error))?;
    if text.len() as u64 > MAX_SIZE {
        return Err(Failure::new(
            "DeviceFileError",
            format!(
                "{} is larger than {MAX_SIZE} bytes: not a device file",
                path.display()
            ),
        ));
    }
    parse(&text).map(Some).map_err(|why| {
        Failure::new(
            "DeviceFileError",
            format!("{} is not a device file: {why}", path.display()),
        )
    })
}

/// The device key to use: the one in the device file `file` (which must exist), else `key`.
pub fn device_key(
    file: Option<&Path>,
    key: Option<&str>,
) -> Result<Option<Zeroizing<String>>, Failure> {
    let key = match (file, key) {
        (Some(path), _) => read(path)?
            .ok_or_else(|| {
                Failure::new(
                    "DeviceFileError",
                    format!("{} does not exist", path.display()),
                )
            })?
            .device_key
            .clone(),
        (None, Some(key)) => key.to_string(),
        (None, None) => return Ok(None),
    };
    Ok(Some(Zeroizing::new(key)))
}

/// Parses a device file's text. The error says where, never what: serde's messages can quote
/// the value they stumbled on.
fn parse(text: &[u8]) -> Result<StoredDevice, String> {
    if text.iter().all(u8::is_ascii_whitespace) {
        return Err("it is empty (an interrupted --remember-device?); delete it".into());
    }
    let device: StoredDevice = serde_json::from_slice(text).map_err(|error| {
        let what = match error.classify() {
            serde_json::error::Category::Data => {
                "expected {\"DeviceGroupKey\", \"DeviceKey\", \"DevicePassword\"} with string values"
            }
            _ => "not JSON",
        };
        format!("{what} (line {}, column {})", error.line(), error.column())
    })?;
    if device.device_group_key.is_empty()
        || device.device_key.is_empty()
        || device.device_password.is_empty()
    {
        return Err("DeviceGroupKey, DeviceKey and DevicePassword must not be empty".into());
    }
    Ok(device)
}

fn file_error(path: &Path, what: &str, error: &io::Error) -> Failure {
    Failure::new(
        "DeviceFileError",
        format!("{what} {}: {error}", path.display()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device() -> StoredDevice {
        StoredDevice {
            device_group_key: "-Xy12AbCd".into(),
            device_key: "us-east-1_0f1e2d3c".into(),
            device_password: "c2VjcmV0IGRldmljZSBwYXNzd29yZA==".into(),
        }
    }

    /// Only the file this run created is removed: a file put at the path since is left.
    #[cfg(unix)]
    #[test]
    fn only_the_file_this_run_created_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device.json");
        let created = create(&path).unwrap();
        std::fs::rename(&path, dir.path().join("moved.json")).unwrap();
        std::fs::write(&path, b"someone else's").unwrap();
        remove_created(&created, &path);
        assert_eq!(std::fs::read(&path).unwrap(), b"someone else's");
        drop(created);
        let path = dir.path().join("second.json");
        let created = create(&path).unwrap();
        remove_created(&created, &path);
        assert!(!path.exists());
    }

    #[test]
    fn round_trip_with_mode_0600_and_no_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device.json");
        assert!(read(&path).unwrap().is_none());
        write(&mut create(&path).unwrap(), &path, &device()).unwrap();
        assert_eq!(read(&path).unwrap(), Some(device()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        }
        let before = std::fs::read(&path).unwrap();
        let failure = create(&path).unwrap_err();
        assert!(
            failure.to_string().contains("refusing to overwrite"),
            "{failure}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn a_large_file_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device.json");
        // Valid JSON, but more than the cap: refused for its size alone.
        let padding = " ".repeat(MAX_SIZE as usize);
        std::fs::write(&path, format!("{padding}{{}}")).unwrap();
        let failure = read(&path).unwrap_err();
        assert!(
            failure.to_string().contains("larger than 65536 bytes"),
            "{failure}"
        );
    }

    #[test]
    fn a_bad_file_is_described_never_quoted() {
        for text in [
            "{\"DeviceGroupKey\": 1, \"DeviceKey\": \"k\", \"DevicePassword\": \"hunter2hunter2\"}",
            "{\"DeviceKey\": \"k\", \"DevicePassword\": \"hunter2hunter2\"}",
            "hunter2hunter2",
            "{\"DeviceGroupKey\": \"\", \"DeviceKey\": \"k\", \"DevicePassword\": \"hunter2hunter2\"}",
            "  \n",
        ] {
            let why = parse(text.as_bytes()).unwrap_err();
            assert!(!why.contains("hunter2"), "{why}");
        }
    }
}

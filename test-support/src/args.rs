//! The command-line arguments with which the CLI's `login` and the SDK crate's example name
//! the endpoint, the pool, the app client and the user.

/// `--endpoint-url <url>` (when given; else the endpoint comes from the environment or a
/// profile), `--pool-id`, `--client-id` and `--username`.
pub fn user(url: Option<&str>, pool_id: &str, client_id: &str, username: &str) -> Vec<String> {
    let endpoint = url.map(|url| ["--endpoint-url", url]);
    endpoint
        .iter()
        .flatten()
        .chain(&[
            "--pool-id",
            pool_id,
            "--client-id",
            client_id,
            "--username",
            username,
        ])
        .map(|arg| arg.to_string())
        .collect()
}

//! JSON as the AWS CLI prints it (`--output json`): four-space indent, members in the
//! service's order, a final newline.

use serde::Serialize;
use zeroize::Zeroizing;

/// `value` as the AWS CLI would print it. The buffer is wiped when dropped: it may hold tokens.
pub fn aws_json<T: Serialize>(value: &T) -> Result<Zeroizing<Vec<u8>>, serde_json::Error> {
    // Large enough for three tokens, so that growing never leaves a copy behind.
    let mut out = Zeroizing::new(Vec::with_capacity(16 * 1024));
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut *out, formatter);
    value.serialize(&mut serializer)?;
    out.push(b'\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn indents_like_the_aws_cli() {
        #[derive(serde::Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Answer {
            user_confirmation_necessary: bool,
        }
        let text = super::aws_json(&Answer {
            user_confirmation_necessary: false,
        })
        .unwrap();
        assert_eq!(
            text.as_slice(),
            b"{\n    \"UserConfirmationNecessary\": false\n}\n"
        );
    }
}

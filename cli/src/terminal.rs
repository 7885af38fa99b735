//! The one place text from the service is made safe for a terminal: every message, name and
//! value printed outside JSON (errors, `--output text`, `--verbose` lines, prompts) goes through
//! [`escape_control`], so a service, or whoever wrote a device name, cannot drive the terminal.

use std::{borrow::Cow, fmt::Write as _};

/// `text` with every control character (C0, DEL, C1: ESC, CR, BEL, …) written as `\xNN`, so
/// that a message the service wrote cannot move the cursor, recolour or retitle a terminal.
pub fn escape_control(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            // Every control character is below U+0100: two hex digits say it.
            let _ = write!(escaped, "\\x{:02x}", u32::from(c));
        } else {
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_nothing_else() {
        assert_eq!(escape_control("plain, é ü 日本"), "plain, é ü 日本");
        assert!(matches!(escape_control("plain"), Cow::Borrowed(_)));
        assert_eq!(
            escape_control("\u{1b}[31mred\u{7}\t\n\u{7f}\u{9b}"),
            "\\x1b[31mred\\x07\\x09\\x0a\\x7f\\x9b"
        );
    }
}

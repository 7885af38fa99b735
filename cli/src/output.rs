//! What a command prints, as the AWS CLI prints it: `--query` (JMESPath) then `--output json`
//! (four-space indent, members in the service's order, a final newline) or `--output text`
//! (`text.rs`). JSON output escapes every control character itself; text printed outside
//! JSON goes through `terminal::escape_control`.

use crate::{failure::Failure, text};
use serde::Serialize;
use std::{io::Write as _, str::FromStr};
use zeroize::Zeroizing;

/// `value` as the AWS CLI would print it. The buffer is wiped when dropped: it may hold tokens.
pub fn aws_json<T: Serialize + ?Sized>(value: &T) -> Result<Zeroizing<Vec<u8>>, serde_json::Error> {
    // Large enough for three tokens, so that growing never leaves a copy behind.
    let mut out = Zeroizing::new(Vec::with_capacity(16 * 1024));
    let formatter = TerminalSafe(serde_json::ser::PrettyFormatter::with_indent(b"    "));
    let mut serializer = serde_json::Serializer::with_formatter(&mut *out, formatter);
    value.serialize(&mut serializer)?;
    out.push(b'\n');
    Ok(out)
}

/// serde_json escapes C0 controls (`\u001b`) but writes DEL and the C1 controls (U+0080 to
/// U+009F, CSI among them) as they are: this writes those as `\u00XX` too, still valid JSON
/// that decodes to the same string.
struct TerminalSafe<'a>(serde_json::ser::PrettyFormatter<'a>);

impl serde_json::ser::Formatter for TerminalSafe<'_> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut rest = fragment;
        while let Some((at, c)) = rest.char_indices().find(|(_, c)| c.is_control()) {
            let (plain, after) = rest.split_at(at);
            writer.write_all(plain.as_bytes())?;
            write!(writer, "\\u{:04x}", u32::from(c))?;
            rest = after.get(c.len_utf8()..).unwrap_or_default();
        }
        writer.write_all(rest.as_bytes())
    }

    // The rest is the pretty formatter's, delegated.
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// How an answer is printed, `--output`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// JSON as the AWS CLI prints it.
    Json,
    /// The AWS CLI's text: a scalar alone, lists and objects tab-separated.
    Text,
}

/// A JMESPath expression, checked when parsed (a bad one is an argument error) and compiled
/// again when used: the compiled form is neither `Send` nor `Clone`, which clap needs.
#[derive(Clone, Debug)]
pub struct Query(String);

impl FromStr for Query {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        jmespath::compile(text)
            .map(|_| Self(text.to_string()))
            .map_err(|error| format!("not a JMESPath expression: {error}"))
    }
}

/// `--query` and `--output`, shared by the commands that print an answer.
#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// A JMESPath expression applied to the answer before printing, as in the AWS CLI
    /// (e.g. AuthenticationResult.AccessToken). Objects it builds print with sorted keys.
    #[arg(long, value_name = "JMESPATH")]
    query: Option<Query>,
    /// json: as the AWS CLI prints it; text: a scalar alone on a line, lists and objects
    /// tab-separated (`--query AuthenticationResult.AccessToken --output text` prints the token).
    #[arg(long, value_enum, default_value_t = Format::Json)]
    output: Format,
}

impl Query {
    /// What the expression selects in `answer`.
    fn search<T: Serialize>(&self, answer: &T) -> Result<jmespath::Rcvar, Failure> {
        let expression =
            jmespath::compile(&self.0).map_err(|error| Failure::usage(error.to_string()))?;
        expression
            .search(answer)
            .map_err(|error| Failure::usage(format!("--query cannot be applied: {error}")))
    }
}

impl OutputArgs {
    /// `answer`, queried and formatted, ready for stdout. Wiped when dropped.
    pub fn render<T: Serialize>(&self, answer: &T) -> Result<Zeroizing<Vec<u8>>, Failure> {
        render(answer, self.query.as_ref(), self.output)
    }
}

/// Writes what a command prints to stdout.
pub fn to_stdout(printed: &[u8]) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(printed)
        .and_then(|()| stdout.flush())
        .map_err(|error| Failure::new("OutputError", format!("cannot write stdout: {error}")))
}

/// `answer` through `query`, if any, then printed in `format`. Wiped when dropped.
pub fn render<T: Serialize>(
    answer: &T,
    query: Option<&Query>,
    format: Format,
) -> Result<Zeroizing<Vec<u8>>, Failure> {
    match query {
        None => print(answer, format),
        Some(query) => print(&*query.search(answer)?, format),
    }
}

fn print<T: Serialize + ?Sized>(value: &T, format: Format) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let failed = |error: serde_json::Error| Failure::new("OutputError", error.to_string());
    match format {
        Format::Json => aws_json(value).map_err(failed),
        Format::Text => serde_json::to_value(value)
            .map(|value| text::format(&value))
            .map_err(failed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indents_like_the_aws_cli() {
        #[derive(serde::Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Answer {
            user_confirmation_necessary: bool,
        }
        let text = aws_json(&Answer {
            user_confirmation_necessary: false,
        })
        .unwrap();
        assert_eq!(
            text.as_slice(),
            b"{\n    \"UserConfirmationNecessary\": false\n}\n"
        );
    }

    #[test]
    fn json_output_has_no_raw_control_character() {
        let text = "\u{1b}[31m \u{7f}\u{9b}2J é";
        let printed = aws_json(text).unwrap();
        let printed_text = std::str::from_utf8(&printed).unwrap();
        assert!(
            !printed_text.trim_end().chars().any(char::is_control),
            "{printed_text}"
        );
        assert_eq!(printed_text, "\"\\u001b[31m \\u007f\\u009b2J é\"\n");
        assert_eq!(serde_json::from_slice::<String>(&printed).unwrap(), text);
    }

    fn args(extra: &[&str]) -> OutputArgs {
        use clap::Parser as _;
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            output: OutputArgs,
        }
        Cli::try_parse_from(std::iter::once(&"x").chain(extra))
            .unwrap()
            .output
    }

    #[test]
    fn a_query_then_text_prints_the_bare_value() {
        let answer = serde_json::json!({"AuthenticationResult": {"AccessToken": "eyJ.a.b", "ExpiresIn": 3600}});
        let printed = args(&[
            "--query",
            "AuthenticationResult.AccessToken",
            "--output",
            "text",
        ])
        .render(&answer)
        .unwrap();
        assert_eq!(printed.as_slice(), b"eyJ.a.b\n");
        let printed = args(&["--query", "AuthenticationResult.ExpiresIn"])
            .render(&answer)
            .unwrap();
        assert_eq!(printed.as_slice(), b"3600\n");
    }

    #[test]
    fn a_bad_query_is_an_argument_error() {
        assert!("AuthenticationResult.[".parse::<Query>().is_err());
        assert!("AuthenticationResult.AccessToken".parse::<Query>().is_ok());
    }
}

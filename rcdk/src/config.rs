//! The app's configuration file (`config.json`, or `--config FILE`), read into any type the
//! app declares. A missing file, invalid JSON, an unknown key or a wrong type fails with the
//! file, the line, the column and the key.

use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::de::DeserializeOwned;

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ConfigError {
    #[error("config file {} not found", path.display())]
    #[diagnostic(
        code(rcdk::config::missing),
        help("run from the project's root, or name the file with --config FILE")
    )]
    Missing { path: PathBuf },

    #[error("cannot read config file {}: {source}", path.display())]
    #[diagnostic(code(rcdk::config::unreadable))]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<InvalidConfig>),
}

/// Content that does not fit the schema: where it is, and what is wrong.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{file}:{line}:{column}: {message}")]
#[diagnostic(code(rcdk::config::invalid))]
pub struct InvalidConfig {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The dotted key path (`asyncStreaming.pollIntervalMs`), or `.` for the top level.
    pub key: String,
    pub message: String,
    #[source_code]
    source_code: NamedSource<String>,
    #[label("{label}")]
    span: SourceSpan,
    label: String,
    #[help]
    help: Option<String>,
}

impl ConfigError {
    /// The key path the error is about, for invalid content.
    pub fn key(&self) -> Option<&str> {
        match self {
            ConfigError::Invalid(invalid) => Some(&invalid.key),
            _ => None,
        }
    }
}

/// Byte offset of a 1-based line and column.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

/// The span to underline for an error serde_json reports at `offset` (the last character of
/// the token it complains about): the whole string when that token is one, else the character.
fn error_span(text: &str, offset: usize) -> SourceSpan {
    let end = text[offset.min(text.len())..]
        .chars()
        .next()
        .map_or(text.len(), |c| offset + c.len_utf8());
    let before = &text[..end];
    if before.ends_with('"') && before.len() >= 2 {
        if let Some(start) = before[..before.len() - 1].rfind('"') {
            return SourceSpan::from((start, before.len() - start));
        }
    }
    let start = before.char_indices().last().map_or(0, |(i, _)| i);
    SourceSpan::from((start, usize::from(!text.is_empty())))
}

/// Parses the configuration from `text` into the app's type; `file` names it in errors.
pub fn parse<T: DeserializeOwned>(text: &str, file: &str) -> Result<T, ConfigError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let result: Result<T, (String, serde_json::Error)> = serde_path_to_error::deserialize(&mut de)
        .map_err(|err| (err.path().to_string(), err.into_inner()))
        // nothing may follow the object
        .and_then(|c| de.end().map(|()| c).map_err(|e| (".".to_string(), e)));
    result.map_err(|(key, inner)| {
        let (line, column) = (inner.line(), inner.column());
        let full = inner.to_string();
        let message = full
            .rsplit_once(" at line ")
            .map_or(full.as_str(), |(m, _)| m)
            .to_string();
        let is_syntax = matches!(
            inner.classify(),
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof
        );
        let help = if is_syntax {
            Some(format!(
                "{} must be valid JSON (no comments, no trailing commas)",
                Path::new(file)
                    .file_name()
                    .map_or(file.into(), |n| n.to_string_lossy())
            ))
        } else if message.starts_with("unknown field") {
            Some("remove the key, or check its spelling against the keys listed".to_string())
        } else {
            None
        };
        let message = if is_syntax || key == "." {
            message
        } else {
            format!("key `{key}`: {message}")
        };
        let span = error_span(text, offset_of(text, line, column));
        let label = if message.contains("unknown field") {
            "unknown key".to_string()
        } else if is_syntax {
            "here".to_string()
        } else {
            "this value".to_string()
        };
        ConfigError::Invalid(Box::new(InvalidConfig {
            file: file.to_string(),
            line,
            column,
            key,
            label,
            message,
            source_code: NamedSource::new(file, text.to_string()),
            span,
            help,
        }))
    })
}

/// Loads the configuration from `path`.
pub fn load<T: DeserializeOwned>(path: &Path) -> Result<T, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ConfigError::Missing {
                path: path.to_path_buf(),
            })
        }
        Err(e) => {
            return Err(ConfigError::Unreadable {
                path: path.to_path_buf(),
                source: e,
            })
        }
    };
    parse(&text, &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq, Default)]
    #[serde(deny_unknown_fields, rename_all = "camelCase", default)]
    struct Settings {
        table_name: String,
        nested: Nested,
    }

    #[derive(Debug, Deserialize, PartialEq, Default)]
    #[serde(deny_unknown_fields, rename_all = "camelCase", default)]
    struct Nested {
        max_items: u32,
    }

    fn invalid(text: &str) -> InvalidConfig {
        match parse::<Settings>(text, "config.json") {
            Err(ConfigError::Invalid(e)) => *e,
            other => panic!("expected an Invalid error, got {other:?}"),
        }
    }

    #[test]
    fn any_deserializable_type_is_read() {
        let s: Settings = parse(r#"{"tableName": "T", "nested": {"maxItems": 3}}"#, "c").unwrap();
        assert_eq!(s.table_name, "T");
        assert_eq!(s.nested.max_items, 3);
        let v: serde_json::Value = parse("[1, 2]", "c").unwrap();
        assert_eq!(v, serde_json::json!([1, 2]));
    }

    #[test]
    fn unknown_keys_name_the_key_line_and_help() {
        let e = invalid("{\n  \"nested\": {\n    \"maxitems\": 3\n  }\n}");
        assert_eq!((e.line, e.key.as_str()), (3, "nested.maxitems"));
        assert!(
            e.message.contains("unknown field `maxitems`"),
            "{}",
            e.message
        );
        assert!(e.message.contains("maxItems"), "{}", e.message);
        assert!(e.help.is_some());
    }

    #[test]
    fn wrong_types_name_the_key() {
        let e = invalid("{\"nested\": {\n\"maxItems\": -1}}");
        assert_eq!((e.line, e.key.as_str()), (2, "nested.maxItems"));
        assert!(e.message.contains("expected u32"), "{}", e.message);
    }

    #[test]
    fn syntax_errors_give_line_column_and_the_file_name() {
        let e = invalid("{\n  \"nested\": {,}\n}");
        assert_eq!((e.line, e.column), (2, 14));
        assert!(e.message.contains("key must be a string"), "{}", e.message);
        assert!(e
            .help
            .as_deref()
            .unwrap_or_default()
            .starts_with("config.json must be valid JSON"));
        assert!(invalid("{} trailing")
            .message
            .contains("trailing characters"));
        assert!(invalid("").message.contains("EOF"));
    }

    #[test]
    fn a_missing_file_is_named() {
        let e = load::<Settings>(Path::new("/nonexistent/rcdk.json")).unwrap_err();
        assert!(matches!(e, ConfigError::Missing { .. }));
        assert!(e.to_string().contains("/nonexistent/rcdk.json"));
    }
}

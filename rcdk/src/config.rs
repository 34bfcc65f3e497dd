//! The app's configuration file (`config.json`, or `--config FILE`), read into any type the
//! app declares. A missing file, a file that is not UTF-8, invalid JSON, a configuration that
//! is not an object, an unknown key or a wrong type fails with the file, the line, the column
//! and the key; so does a value that breaks a limit the app checks ([`Validate`]). A UTF-8
//! byte order mark at the start is skipped. Values echoed in a message are cut to a readable
//! length.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::de::{DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

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

    #[error(
        "config file {}:{line}:{column}: not UTF-8: byte 0x{byte:02X} at byte offset {offset} is not valid UTF-8",
        path.display()
    )]
    #[diagnostic(
        code(rcdk::config::not_utf8),
        help("save the file as UTF-8 (JSON text is UTF-8)")
    )]
    NotUtf8 {
        path: PathBuf,
        /// Byte offset of the first invalid byte in the file (a byte order mark included).
        offset: usize,
        byte: u8,
        line: usize,
        column: usize,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<InvalidConfig>),

    /// Several values that break the app's limits, each with its place.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Violations(Box<Violations>),
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
    /// The file, to show the lines around the error; left out when those lines are too long
    /// to show.
    #[source_code]
    source_code: Option<NamedSource<String>>,
    #[label("{label}")]
    span: Option<SourceSpan>,
    label: String,
    #[help]
    help: Option<String>,
}

/// Values that break the app's limits, all of them, in the order of the file.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{file}: {} configured values break limits; nothing was written", problems.len())]
#[diagnostic(code(rcdk::config::limits))]
pub struct Violations {
    pub file: String,
    #[related]
    pub problems: Vec<InvalidConfig>,
}

impl ConfigError {
    /// The key path the error is about (the first one, when there are several).
    pub fn key(&self) -> Option<&str> {
        match self {
            ConfigError::Invalid(invalid) => Some(&invalid.key),
            ConfigError::Violations(v) => v.problems.first().map(|p| p.key.as_str()),
            _ => None,
        }
    }
}

/// A configured value that breaks a limit: the key it is at (a dotted path of object keys, as
/// the reader names them), what is wrong (the value and the limit), and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    keys: Vec<String>,
    message: String,
    help: Option<String>,
}

impl Violation {
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Violation {
        Violation {
            keys: vec![key.into()],
            message: message.into(),
            help: None,
        }
    }

    /// What to do about it.
    pub fn help(mut self, help: impl Into<String>) -> Violation {
        self.help = Some(help.into());
        self
    }

    /// Another key the problem is about (for a limit between two values): the error points at
    /// the first of the keys that the file sets.
    pub fn or_at(mut self, key: impl Into<String>) -> Violation {
        self.keys.push(key.into());
        self
    }

    /// The key the problem is reported at first.
    pub fn key(&self) -> &str {
        self.keys.first().map_or(".", String::as_str)
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

/// The limits an app's configuration type checks once it is read: every value AWS would
/// reject, or that would break what the app builds, as a [`Violation`] naming its key.
pub trait Validate {
    fn validate(&self) -> Vec<Violation>;
}

/// How many characters of a value a message shows.
pub const SHOWN_CHARS: usize = 80;

/// A value as a message shows it: whole when short, else its first [`SHOWN_CHARS`] characters
/// and its length (`abc… (52428800 bytes)`).
pub fn shorten(value: &str) -> Cow<'_, str> {
    match value.char_indices().nth(SHOWN_CHARS) {
        None => Cow::Borrowed(value),
        Some((end, _)) => Cow::Owned(format!("{}… ({} bytes)", &value[..end], value.len())),
    }
}

/// A message with every quoted part (`"..."`, with `\` escapes, or `` `...` ``) longer than
/// [`SHOWN_CHARS`] characters cut as [`shorten`] does: messages echo values (serde's
/// `invalid type: string "..."`, `unknown field `...``, a name a rule rejects), and a value can
/// be megabytes long.
pub fn elide(message: &str) -> Cow<'_, str> {
    let long = |from: usize| message[from..].chars().nth(SHOWN_CHARS).is_some();
    if !long(0) {
        return Cow::Borrowed(message);
    }
    let mut out = String::new();
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        let quote = rest.as_bytes()[open];
        out.push_str(&rest[..=open]);
        let inner = &rest[open + 1..];
        // the closing quote (for `"`, one not escaped by `\`)
        let mut close = None;
        let mut escaped = false;
        for (i, c) in inner.char_indices() {
            if quote == b'"' && escaped {
                escaped = false;
            } else if quote == b'"' && c == '\\' {
                escaped = true;
            } else if c as u32 == u32::from(quote) {
                close = Some(i);
                break;
            }
        }
        let end = close.unwrap_or(inner.len());
        out.push_str(&shorten(&inner[..end]));
        match close {
            Some(i) => {
                out.push(char::from(quote));
                rest = &inner[i + 1..];
            }
            None => rest = "",
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
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

/// The 1-based line and (byte) column of a byte offset, as serde_json counts them.
fn line_column(text: &[u8], offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    (line, offset.min(text.len()) - line_start + 1)
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

/// The longest line, and the longest underlined span, an error shows with the file's text.
const SHOWN_LINE_BYTES: usize = 240;

/// The file's text for an error at `span`, unless a line shown around it (or the span
/// itself) is too long to show: a 50 MB string value must not end up on the terminal.
fn snippet(text: &str, file: &str, span: SourceSpan) -> Option<NamedSource<String>> {
    if span.len() > SHOWN_LINE_BYTES {
        return None;
    }
    let at = span.offset().min(text.len());
    // the span's line and one line either side, as the report shows them
    let start = text[..at]
        .rmatch_indices('\n')
        .nth(1)
        .map_or(0, |(i, _)| i + 1);
    let end = text[at..]
        .match_indices('\n')
        .nth(1)
        .map_or(text.len(), |(i, _)| at + i);
    let short = text[start..end]
        .split('\n')
        .all(|line| line.len() <= SHOWN_LINE_BYTES);
    short.then(|| NamedSource::new(file, text.to_string()))
}

fn invalid(
    text: &str,
    file: &str,
    key: String,
    message: &str,
    span: SourceSpan,
    label: &str,
    help: Option<String>,
) -> InvalidConfig {
    let (line, column) = line_column(text.as_bytes(), span.offset());
    let source_code = snippet(text, file, span);
    InvalidConfig {
        file: file.to_string(),
        line,
        column,
        key,
        message: elide(message).into_owned(),
        span: source_code.as_ref().map(|_| span),
        source_code,
        label: label.to_string(),
        help: help.map(|h| elide(&h).into_owned()),
    }
}

/// What the whole configuration (and each section an app reads with [`object`]) must be.
const AN_OBJECT: &str = "an object ({ \"key\": value, ... })";

/// Deserializes with `deserialize_map` whatever is asked: the value must be a JSON object,
/// where serde_json would also take an array for a struct (so that `[]` would be read as all
/// defaults).
struct ObjectOnly<D>(D);

/// A visitor that says it expects an object, and takes only a map.
struct ExpectObject<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for ExpectObject<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(AN_OBJECT)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.visit_map(map)
    }
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectOnly<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_map(ExpectObject(visitor))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// For a section of the app's configuration type (`#[serde(default, deserialize_with =
/// "rcdk::config::object")]`): the section must be a JSON object. Without it, serde takes an
/// array for a struct too, and `"section": []` would silently mean the defaults.
pub fn object<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(ObjectOnly(deserializer))
}

/// Parses the configuration from `text` into the app's type; `file` names it in errors. The
/// configuration must be a JSON object; a leading byte order mark is skipped.
pub fn parse<T: DeserializeOwned>(text: &str, file: &str) -> Result<T, ConfigError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut de = serde_json::Deserializer::from_str(text);
    let mut track = serde_path_to_error::Track::new();
    let read = T::deserialize(ObjectOnly(serde_path_to_error::Deserializer::new(
        &mut de, &mut track,
    )));
    let result = match read {
        // nothing may follow the object
        Ok(c) => de.end().map(|()| c).map_err(|e| (".".to_string(), e)),
        Err(e) => Err((track.path().to_string(), e)),
    };
    result.map_err(|(key, inner)| {
        // serde_path_to_error names a key it could not read `?`
        let key = match key.trim_end_matches(".?") {
            "?" => ".".to_string(),
            k => k.to_string(),
        };
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
        } else if key == "." && !is_syntax && message.contains(AN_OBJECT) {
            Some("the configuration is one JSON object of sections: {\"section\": {\"key\": value}}; {} is all defaults".to_string())
        } else {
            None
        };
        let message = if key == "." {
            message
        } else if is_syntax {
            format!("in `{key}`: {message}")
        } else {
            format!("key `{key}`: {message}")
        };
        let not_an_object = !is_syntax && message.contains(AN_OBJECT);
        let span = if not_an_object {
            // serde_json places it before the value; the value's first character
            let (value, _) = locate(text, &key);
            SourceSpan::from((value.start, usize::from(value.start < text.len())))
        } else {
            error_span(text, offset_of(text, line, column))
        };
        let label = if message.contains("unknown field") {
            "unknown key"
        } else if is_syntax {
            "here"
        } else {
            "this value"
        };
        let mut e = invalid(text, file, key, &message, span, label, help);
        if !not_an_object {
            // serde_json's own position, which the message has always named
            (e.line, e.column) = (line, column);
        }
        ConfigError::Invalid(Box::new(e))
    })
}

/// [`parse`], then the type's own limits: every value that breaks one is reported, each at
/// its key's place in the file.
pub fn parse_validated<T: DeserializeOwned + Validate>(
    text: &str,
    file: &str,
) -> Result<T, ConfigError> {
    let config: T = parse(text, file)?;
    let violations = config.validate();
    if violations.is_empty() {
        return Ok(config);
    }
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut problems: Vec<InvalidConfig> = violations
        .into_iter()
        .map(|v| {
            let (key, span, found) = v
                .keys
                .iter()
                .find_map(|k| match locate(text, k) {
                    (span, true) => Some((k.clone(), span, true)),
                    _ => None,
                })
                .unwrap_or_else(|| {
                    let key = v.key().to_string();
                    let (span, _) = locate(text, &key);
                    (key, span, false)
                });
            let message = if found {
                format!("key `{key}`: {}", v.message)
            } else {
                format!("key `{key}` (not set: its default): {}", v.message)
            };
            let label = if found {
                "this value"
            } else {
                "in this object"
            };
            let span = SourceSpan::from((span.start, span.len()));
            invalid(text, file, key, &message, span, label, v.help)
        })
        .collect();
    problems.sort_by_key(|p| (p.line, p.column));
    if problems.len() == 1 {
        let one = problems.remove(0);
        return Err(ConfigError::Invalid(Box::new(one)));
    }
    Err(ConfigError::Violations(Box::new(Violations {
        file: file.to_string(),
        problems,
    })))
}

/// The bytes of the value at a dotted key path in valid JSON `text`, and whether it is there;
/// when it is not, the first character of the deepest object on the path that is.
fn locate(text: &str, key: &str) -> (Range<usize>, bool) {
    let b = text.as_bytes();
    let mut at = skip_ws(b, 0);
    let mut holder = at..(at + 1).min(b.len());
    if key == "." {
        return (at..skip_value(b, at), true);
    }
    for segment in key.split('.') {
        if b.get(at) != Some(&b'{') {
            return (holder, false);
        }
        holder = at..at + 1;
        let mut i = skip_ws(b, at + 1);
        let mut found = None;
        while b.get(i) == Some(&b'"') {
            let key_end = skip_string(b, i);
            let name = &text[i..key_end];
            let matches = if name.contains('\\') {
                serde_json::from_str::<String>(name).is_ok_and(|n| n == segment)
            } else {
                name.len() == segment.len() + 2 && &name[1..name.len() - 1] == segment
            };
            i = skip_ws(b, key_end);
            if b.get(i) == Some(&b':') {
                i = skip_ws(b, i + 1);
            }
            if matches {
                found = Some(i);
                break;
            }
            i = skip_ws(b, skip_value(b, i));
            if b.get(i) == Some(&b',') {
                i = skip_ws(b, i + 1);
            }
        }
        match found {
            Some(value) => at = value,
            None => return (holder, false),
        }
    }
    (at..skip_value(b, at), true)
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
        i += 1;
    }
    i
}

/// The end of the string that starts at `i` (after its closing quote).
fn skip_string(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while let Some(c) = b.get(j) {
        match c {
            b'\\' => j += 2,
            b'"' => return j + 1,
            _ => j += 1,
        }
    }
    b.len()
}

/// The end of the value that starts at `i`.
fn skip_value(b: &[u8], i: usize) -> usize {
    match b.get(i) {
        Some(b'"') => skip_string(b, i),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut j = i;
            while let Some(c) = b.get(j) {
                match c {
                    b'"' => {
                        j = skip_string(b, j);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return j + 1;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            b.len()
        }
        _ => {
            let mut j = i;
            while b
                .get(j)
                .is_some_and(|c| !matches!(c, b',' | b'}' | b']') && !c.is_ascii_whitespace())
            {
                j += 1;
            }
            j
        }
    }
}

/// Reads the file as UTF-8 text (a byte order mark skipped).
fn read(path: &Path) -> Result<String, ConfigError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
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
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            text.drain(..bom);
            Ok(text)
        }
        Err(e) => {
            let bytes = e.as_bytes();
            let offset = e.utf8_error().valid_up_to();
            let (line, column) = line_column(&bytes[bom..], offset.saturating_sub(bom));
            Err(ConfigError::NotUtf8 {
                path: path.to_path_buf(),
                offset,
                byte: bytes.get(offset).copied().unwrap_or_default(),
                line,
                column,
            })
        }
    }
}

/// Loads the configuration from `path`.
pub fn load<T: DeserializeOwned>(path: &Path) -> Result<T, ConfigError> {
    parse(&read(path)?, &path.display().to_string())
}

/// Loads the configuration from `path` and checks the type's limits ([`parse_validated`]).
pub fn load_validated<T: DeserializeOwned + Validate>(path: &Path) -> Result<T, ConfigError> {
    parse_validated(&read(path)?, &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq, Default)]
    #[serde(deny_unknown_fields, rename_all = "camelCase", default)]
    struct Settings {
        table_name: String,
        #[serde(deserialize_with = "object")]
        nested: Nested,
    }

    #[derive(Debug, Deserialize, PartialEq, Default)]
    #[serde(deny_unknown_fields, rename_all = "camelCase", default)]
    struct Nested {
        max_items: u32,
    }

    impl Validate for Settings {
        fn validate(&self) -> Vec<Violation> {
            let mut v = Vec::new();
            if self.table_name.len() > 10 {
                v.push(
                    Violation::new(
                        "tableName",
                        format!("table name \"{}\" is too long", self.table_name),
                    )
                    .help("use at most 10 characters"),
                );
            }
            if self.nested.max_items > 5 {
                v.push(Violation::new("nested.maxItems", "more than 5 items").or_at("tableName"));
            }
            v
        }
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
        let v: serde_json::Value = parse(r#"{"a": [1, 2]}"#, "c").unwrap();
        assert_eq!(v, serde_json::json!({"a": [1, 2]}));
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
        assert!(e.message.starts_with("in `nested`: "), "{}", e.message);
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
    fn the_configuration_and_its_sections_must_be_objects() {
        for (text, key) in [
            ("[]", "."),
            ("[1, 2]", "."),
            ("\"x\"", "."),
            ("7", "."),
            ("null", "."),
            ("{\"nested\": []}", "nested"),
        ] {
            let e = invalid(text);
            assert_eq!(e.key, key, "{text}");
            assert!(
                e.message.contains("expected an object"),
                "{text}: {}",
                e.message
            );
        }
        let e = invalid("  [1]");
        assert_eq!((e.line, e.column), (1, 3));
        assert!(e.help.unwrap_or_default().contains("{} is all defaults"));
        let v: serde_json::Value = parse("{}", "c").unwrap();
        assert_eq!(v, serde_json::json!({}));
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let s: Settings = parse("\u{FEFF}{\"tableName\": \"T\"}", "c").unwrap();
        assert_eq!(s.table_name, "T");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.json");
        std::fs::write(&path, b"\xEF\xBB\xBF{\"tableName\": \"T\"}").unwrap();
        assert_eq!(load::<Settings>(&path).unwrap().table_name, "T");
    }

    #[test]
    fn a_file_that_is_not_utf8_is_one_error_with_its_offset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.json");
        std::fs::write(&path, b"{\n  \"tableName\": \"ab\xFF\xFE\xFD\"\n}").unwrap();
        let e = load::<Settings>(&path).unwrap_err();
        match &e {
            ConfigError::NotUtf8 {
                offset,
                byte,
                line,
                column,
                ..
            } => assert_eq!((*offset, *byte, *line, *column), (20, 0xFF, 2, 19)),
            other => panic!("{other:?}"),
        }
        let text = e.to_string();
        assert!(text.contains("c.json:2:19: not UTF-8"), "{text}");
        assert!(text.contains("byte offset 20"), "{text}");
        assert_eq!(text.matches("UTF-8").count(), 2, "said once: {text}");
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        let long = "a".repeat(100_000);
        let e = invalid(&format!("{{\"nested\": {{\"maxItems\": \"{long}\"}}}}"));
        assert!(e.message.len() < 300, "{}", e.message);
        assert!(e.message.contains("… (100000 bytes)"), "{}", e.message);
        assert!(e.message.ends_with("expected u32"), "{}", e.message);
        assert!(e.source_code.is_none(), "a 100 KB line is not shown");
        let e = invalid(&format!("{{\"{long}\": 1}}"));
        assert!(e.message.len() < 600, "{}", e.message);
        assert!(e.message.contains("unknown field `aaaa"), "{}", e.message);
        assert_eq!(shorten("short"), "short");
        assert_eq!(
            elide("string \"a\\\"b\" and `c`"),
            "string \"a\\\"b\" and `c`"
        );
        let cut = elide(&format!("x \"{}\\\"{}\" y", "é".repeat(50), "z".repeat(50))).into_owned();
        assert!(cut.starts_with(&format!("x \"{}", "é".repeat(50))), "{cut}");
        assert!(cut.ends_with("… (152 bytes)\" y"), "{cut}");
    }

    #[test]
    fn violations_name_the_key_and_its_place() {
        let text = "{\n  \"tableName\": \"a-very-long-name\",\n  \"nested\": {\"maxItems\": 9}\n}";
        let e = match parse_validated::<Settings>(text, "config.json") {
            Err(ConfigError::Violations(v)) => v,
            other => panic!("{other:?}"),
        };
        let found: Vec<(usize, usize, &str)> = e
            .problems
            .iter()
            .map(|p| (p.line, p.column, p.key.as_str()))
            .collect();
        assert_eq!(found, [(2, 16, "tableName"), (3, 26, "nested.maxItems")]);
        assert!(e.problems[0]
            .to_string()
            .starts_with("config.json:2:16: key `tableName`: table name \"a-very-long-name\""));
        assert_eq!(
            e.problems[0].help.as_deref(),
            Some("use at most 10 characters")
        );
        assert!(parse_validated::<Settings>("{\"tableName\": \"t\"}", "c").is_ok());
    }

    #[test]
    fn a_violation_of_a_default_points_at_a_key_the_file_sets() {
        #[derive(Debug, Deserialize, Default)]
        #[serde(default, rename_all = "camelCase")]
        struct Two {
            low: u32,
            high: u32,
        }
        impl Validate for Two {
            fn validate(&self) -> Vec<Violation> {
                if self.low >= self.high {
                    vec![Violation::new("low", "must be below high").or_at("high")]
                } else {
                    vec![]
                }
            }
        }
        let e = match parse_validated::<Two>("{\n\"high\": 0}", "c") {
            Err(ConfigError::Invalid(e)) => e,
            other => panic!("{other:?}"),
        };
        assert_eq!((e.key.as_str(), e.line, e.column), ("high", 2, 9));
        let e = match parse_validated::<Two>("{}", "c") {
            Err(ConfigError::Invalid(e)) => e,
            other => panic!("{other:?}"),
        };
        assert_eq!((e.key.as_str(), e.line, e.column), ("low", 1, 1));
        assert!(
            e.message.contains("(not set: its default)"),
            "{}",
            e.message
        );
    }

    #[test]
    fn locate_finds_values_by_key_path() {
        let text = r#"{"a": {"b\u0021": [1, {"c": "}"}], "c": {"d": "x,y"}}, "e": 5}"#;
        let at = |k: &str| {
            let (r, found) = locate(text, k);
            (&text[r], found)
        };
        assert_eq!(at("a.c.d"), ("\"x,y\"", true));
        assert_eq!(at("e"), ("5", true));
        assert_eq!(at("a.b!"), ("[1, {\"c\": \"}\"}]", true));
        assert_eq!(at("a.zz"), ("{", false));
        assert_eq!(at("e.f"), ("{", false));
        assert_eq!(at("."), (text, true));
    }

    #[test]
    fn a_missing_file_is_named() {
        let e = load::<Settings>(Path::new("/nonexistent/rcdk.json")).unwrap_err();
        assert!(matches!(e, ConfigError::Missing { .. }));
        assert!(e.to_string().contains("/nonexistent/rcdk.json"));
    }
}

//! `load-table`: puts a JSON list into pattern 004's table, as the original's loader did: one
//! item, `{<partitionKeyName>: <partitionKeyValueField>, "values": <the list>}`. The file is
//! read and checked here, its numbers on their exact text against DynamoDB's limits (an f64
//! would round a 20-digit number or hide an exponent DynamoDB refuses); the item goes to
//! DynamoDB through `rcdk-toolkit put-item` (which marshals it to DynamoDB types) with the
//! list as the file writes it, so this app's binary never links the AWS SDK.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use miette::Diagnostic;
use serde_json::Value;

/// The attribute of the item that holds the list (the state machine reads `$.Item.values.L`).
pub const LIST_ATTRIBUTE: &str = "values";

/// Why the list file cannot be loaded.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum LoadError {
    #[error("{} not found", path.display())]
    #[diagnostic(code(rcdk::load_table::missing), help("name the JSON file of the list with --json FILE (the samples: simplelist.json, listofdicts.json)"))]
    Missing { path: PathBuf },

    #[error("cannot read {}: {source}", path.display())]
    #[diagnostic(code(rcdk::load_table::unreadable))]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{}:{line}:{column}: not valid JSON: {message}", path.display())]
    #[diagnostic(code(rcdk::load_table::json))]
    BadJson {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    #[error("{} holds {kind}, not a list", path.display())]
    #[diagnostic(
        code(rcdk::load_table::not_a_list),
        help("the state machine maps over a JSON array: [\"a\", \"b\"] or [{{...}}, {{...}}]")
    )]
    NotAList { path: PathBuf, kind: &'static str },

    #[error("{}: {key_path}: the number {number} is outside DynamoDB's limits: {limit}", path.display())]
    #[diagnostic(
        code(rcdk::load_table::number),
        help("DynamoDB stores numbers of up to 38 significant digits, 0 or of a magnitude from 1E-130 up to (not including) 1E+126; write a number beyond that as a string")
    )]
    BadNumber {
        path: PathBuf,
        /// Where in the item: `values[2].price`.
        key_path: String,
        number: String,
        limit: NumberLimit,
    },

    #[error("cannot hand the item to rcdk-toolkit: {source}")]
    #[diagnostic(code(rcdk::load_table::toolkit))]
    Toolkit {
        #[source]
        source: std::io::Error,
    },
}

impl LoadError {
    /// 2 when the file named on the command line is not there; 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            LoadError::Missing { .. } => 2,
            _ => 1,
        }
    }
}

impl From<LoadError> for rcdk::Error {
    fn from(e: LoadError) -> Self {
        rcdk::Error::app(e.exit_code(), e)
    }
}

/// The item to put, as JSON text: the key, and the list as the file writes it (so that its
/// numbers reach the toolkit digit for digit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItem {
    text: String,
}

impl ListItem {
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// Why a number (its exact JSON text) cannot be stored by DynamoDB.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberLimit {
    /// Not the text of a JSON number.
    #[error("{0} is not a JSON number")]
    NotANumber(String),
    /// More significant digits than DynamoDB keeps (38).
    #[error("at most 38 significant digits (it has {0})")]
    Digits(usize),
    /// A magnitude under 1E-130 (and not 0).
    #[error("a magnitude of at least 1E-130")]
    TooSmall,
    /// A magnitude of 1E+126 or more.
    #[error("a magnitude under 1E+126")]
    TooLarge,
}

/// Why a number (its exact JSON text) is outside DynamoDB's limits: up to 38 significant
/// digits, and 0 or a magnitude from 1E-130 up to (not including) 1E+126.
pub fn dynamodb_number_limit(number: &str) -> Result<(), NumberLimit> {
    let unsigned = number.strip_prefix('-').unwrap_or(number);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], &unsigned[i + 1..]),
        None => (unsigned, "0"),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    let valid = !int.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !exponent.trim_start_matches(['+', '-']).is_empty()
        && exponent
            .trim_start_matches(['+', '-'])
            .bytes()
            .all(|b| b.is_ascii_digit());
    if !valid {
        return Err(NumberLimit::NotANumber(number.to_string()));
    }
    let significant = digits.trim_start_matches('0');
    let trailing = significant.len() - significant.trim_end_matches('0').len();
    let significant = significant.trim_end_matches('0');
    if significant.is_empty() {
        return Ok(()); // zero, however written
    }
    if significant.len() > 38 {
        return Err(NumberLimit::Digits(significant.len()));
    }
    // the power of ten of the first significant digit: the exponent, moved by the digits
    // after the point and by those dropped; an exponent too long for an i64 is out of range
    // anyway (unless the number is zero, handled above)
    let exponent: i128 = match exponent.parse::<i64>() {
        Ok(e) => i128::from(e),
        Err(_) if exponent.starts_with('-') => i128::from(i64::MIN),
        Err(_) => i128::from(i64::MAX),
    };
    let frac_len = i128::try_from(frac.len()).unwrap_or(i128::MAX);
    let kept = i128::try_from(significant.len()).unwrap_or(i128::MAX);
    let dropped = i128::try_from(trailing).unwrap_or(0);
    let first = exponent - frac_len + dropped + kept - 1;
    if first < -130 {
        Err(NumberLimit::TooSmall)
    } else if first > 125 {
        Err(NumberLimit::TooLarge)
    } else {
        Ok(())
    }
}

/// A key as a step of a key path: `.name`, or `["odd key"]`.
fn key_step(key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || c == '_') {
        format!(".{key}")
    } else {
        format!("[{}]", Value::String(key.to_string()))
    }
}

/// Every number of a JSON text, as written, with its key path (`[2].price`). The text is
/// valid JSON (serde_json read it first, which also bounds its depth); on anything else the
/// walk stops rather than guess.
struct Numbers<'a> {
    text: &'a str,
    pos: usize,
    found: Vec<(String, &'a str)>,
}

impl<'a> Numbers<'a> {
    fn of(text: &'a str) -> Vec<(String, &'a str)> {
        let mut walk = Numbers {
            text,
            pos: 0,
            found: Vec::new(),
        };
        walk.value("");
        walk.found
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn stop(&mut self) {
        self.pos = self.text.len();
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.pos += 1;
        }
    }

    /// A string, from its opening quote; its raw text, quotes included.
    fn string(&mut self) -> &'a str {
        let start = self.pos;
        self.pos += 1;
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'\\' => self.pos += 1,
                b'"' => break,
                _ => {}
            }
        }
        self.text.get(start..self.pos).unwrap_or_default()
    }

    fn value(&mut self, path: &str) {
        self.skip_space();
        match self.peek() {
            Some(b'{') => {
                self.pos += 1;
                loop {
                    self.skip_space();
                    match self.peek() {
                        Some(b'}') => {
                            self.pos += 1;
                            return;
                        }
                        Some(b',') => self.pos += 1,
                        Some(b'"') => {
                            let raw = self.string();
                            let key: String =
                                serde_json::from_str(raw).unwrap_or_else(|_| raw.to_string());
                            self.skip_space();
                            if self.peek() != Some(b':') {
                                return self.stop();
                            }
                            self.pos += 1;
                            self.value(&format!("{path}{}", key_step(&key)));
                        }
                        _ => return self.stop(),
                    }
                }
            }
            Some(b'[') => {
                self.pos += 1;
                let mut index = 0;
                loop {
                    self.skip_space();
                    match self.peek() {
                        Some(b']') => {
                            self.pos += 1;
                            return;
                        }
                        Some(b',') => {
                            self.pos += 1;
                            index += 1;
                        }
                        Some(_) => self.value(&format!("{path}[{index}]")),
                        None => return,
                    }
                }
            }
            Some(b'"') => {
                self.string();
            }
            Some(b't' | b'f' | b'n') => {
                while matches!(self.peek(), Some(b'a'..=b'z')) {
                    self.pos += 1;
                }
            }
            Some(_) => {
                let start = self.pos;
                while matches!(
                    self.peek(),
                    Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
                ) {
                    self.pos += 1;
                }
                match self.text.get(start..self.pos) {
                    Some(number) if !number.is_empty() => {
                        self.found.push((path.to_string(), number));
                    }
                    _ => self.stop(),
                }
            }
            None => {}
        }
    }
}

/// The first number of the list file's text that DynamoDB cannot store.
fn first_bad_number(path: &Path, text: &str) -> Option<LoadError> {
    Numbers::of(text)
        .into_iter()
        .find_map(|(key_path, number)| {
            dynamodb_number_limit(number)
                .err()
                .map(|limit| LoadError::BadNumber {
                    path: path.to_path_buf(),
                    key_path: format!("{LIST_ATTRIBUTE}{key_path}"),
                    number: number.to_string(),
                    limit,
                })
        })
}

/// Reads the list file, checks its numbers, and builds the item.
pub fn list_item(path: &Path, key_name: &str, key_value: &str) -> Result<ListItem, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            LoadError::Missing {
                path: path.to_path_buf(),
            }
        } else {
            LoadError::Unreadable {
                path: path.to_path_buf(),
                source: e,
            }
        }
    })?;
    let list: Value = serde_json::from_str(&text).map_err(|e| {
        let message = e
            .to_string()
            .rsplit_once(" at line ")
            .map_or(e.to_string(), |(m, _)| m.to_string());
        // serde_json refuses a number beyond an f64 (1e400): name it as DynamoDB would
        if message == "number out of range" {
            if let Some(bad) = first_bad_number(path, &text) {
                return bad;
            }
        }
        LoadError::BadJson {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message,
        }
    })?;
    if !list.is_array() {
        let kind = match list {
            Value::Object(_) => "an object",
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            _ => "null",
        };
        return Err(LoadError::NotAList {
            path: path.to_path_buf(),
            kind,
        });
    }
    if let Some(bad) = first_bad_number(path, &text) {
        return Err(bad);
    }
    Ok(ListItem {
        text: format!(
            "{{{}:{},{}:{}}}",
            Value::String(key_name.to_string()),
            Value::String(key_value.to_string()),
            Value::String(LIST_ATTRIBUTE.to_string()),
            text.trim()
        ),
    })
}

/// Puts `item` into `table` through `rcdk-toolkit put-item` (the item on its standard input);
/// the toolkit reports a missing table or an AWS error itself.
pub fn put(ctx: &rcdk::Context, table: &str, item: &ListItem) -> Result<(), rcdk::Error> {
    let mut cmd = ctx.toolkit()?;
    cmd.args(["put-item", "--table", table, "--item", "-"])
        .stdin(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|source| LoadError::Toolkit { source })?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(item.text().as_bytes())
            .map_err(|source| LoadError::Toolkit { source })?;
    }
    let status = child
        .wait()
        .map_err(|source| LoadError::Toolkit { source })?;
    if status.success() {
        Ok(())
    } else {
        Err(rcdk::Error::Exited {
            code: status
                .code()
                .and_then(|c| u8::try_from(c).ok())
                .unwrap_or(1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/reference/004-stepfunctions-map-ddb")
            .join(name)
    }

    fn parsed(item: &ListItem) -> Value {
        serde_json::from_str(item.text()).unwrap()
    }

    #[test]
    fn the_simple_list_becomes_the_item() {
        let item = list_item(&sample("simplelist.json"), "mapstatelist", "mapitems").unwrap();
        assert_eq!(
            parsed(&item),
            json!({"mapstatelist": "mapitems", "values": ["Computer Science", "Economics", "Mathematics"]})
        );
    }

    #[test]
    fn the_list_of_dicts_keeps_its_objects() {
        let item = parsed(&list_item(&sample("listofdicts.json"), "listId", "subjects").unwrap());
        assert_eq!(item["listId"], json!("subjects"));
        assert_eq!(
            item["values"][1],
            json!({"topic": "econ", "name": "Economics"})
        );
        assert_eq!(item["values"].as_array().map(Vec::len), Some(3));
    }

    #[test]
    fn bad_files_are_named_with_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let e = list_item(&dir.path().join("nope.json"), "k", "v").unwrap_err();
        assert!(matches!(e, LoadError::Missing { .. }) && e.exit_code() == 2);
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, "[\"a\",\n  \"b\",]").unwrap();
        let e = list_item(&bad, "k", "v").unwrap_err();
        assert!(
            e.to_string()
                .contains("bad.json:2:7: not valid JSON: trailing comma"),
            "{e}"
        );
        let obj = dir.path().join("obj.json");
        std::fs::write(&obj, "{\"a\": 1}").unwrap();
        assert!(list_item(&obj, "k", "v")
            .unwrap_err()
            .to_string()
            .contains("holds an object, not a list"));
    }

    #[test]
    fn dynamodb_number_limits_are_checked_on_the_exact_text() {
        let nines = format!("9.{}E+125", "9".repeat(37));
        let digits38 = "12345678901234567890123456789012345678";
        for ok in [
            "0",
            "-0.000",
            "0e99999999999999999999",
            "1E-130",
            "0.1e-129",
            "-1E-130",
            nines.as_str(),
            digits38,
            "1234567890123456789012345678901234567800000",
            "0.000000000000000000000000000000000000001234",
            "123456789012345678901234567890",
            "1.5",
            "42",
        ] {
            assert_eq!(dynamodb_number_limit(ok), Ok(()), "{ok}");
        }
        let min = Err(NumberLimit::TooSmall);
        let max = Err(NumberLimit::TooLarge);
        for (bad, why) in [
            ("1E-131", &min),
            ("0.99e-130", &min),
            ("-1e-99999999999999999999", &min),
            ("1e126", &max),
            ("-10E+125", &max),
            ("1e99999999999999999999", &max),
        ] {
            assert_eq!(&dynamodb_number_limit(bad), why, "{bad}");
        }
        assert_eq!(
            dynamodb_number_limit(&format!("{digits38}9")),
            Err(NumberLimit::Digits(39))
        );
        assert_eq!(
            NumberLimit::Digits(39).to_string(),
            "at most 38 significant digits (it has 39)"
        );
        // 0.1 + 38 digits: f64 would see 0.1 and let it through
        assert_eq!(
            dynamodb_number_limit(&format!("0.1{}1", "0".repeat(37))),
            Err(NumberLimit::Digits(39))
        );
        assert_eq!(
            dynamodb_number_limit("1x"),
            Err(NumberLimit::NotANumber("1x".into()))
        );
    }

    #[test]
    fn numbers_are_found_with_their_key_path_as_written() {
        assert_eq!(
            Numbers::of(r#"[1, {"a": [2.50, {"b c": -3e2}], "s": "4, 5"}, true, null, 0E0]"#),
            vec![
                ("[0]".to_string(), "1"),
                ("[1].a[0]".to_string(), "2.50"),
                ("[1].a[1][\"b c\"]".to_string(), "-3e2"),
                ("[4]".to_string(), "0E0"),
            ]
        );
        assert_eq!(
            Numbers::of(r#" { "q\"x": [ [ ], { } , 7 ] } "#),
            vec![("[\"q\\\"x\"][2]".to_string(), "7")]
        );
    }

    #[test]
    fn a_number_beyond_dynamodb_is_named_with_the_file_its_path_and_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("prices.json");
        std::fs::write(
            &list,
            r#"[{"item": "a", "price": 1.5}, {"item": "b", "price": 1e-131}]"#,
        )
        .unwrap();
        let e = list_item(&list, "k", "v").unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert_eq!(
            e.to_string(),
            format!(
                "{}: values[1].price: the number 1e-131 is outside DynamoDB's limits: a magnitude of at least 1E-130",
                list.display()
            )
        );
        // beyond an f64 too: serde_json's "number out of range" becomes DynamoDB's limit
        std::fs::write(&list, "[1, {\"big\": 1e400}]").unwrap();
        assert_eq!(
            list_item(&list, "k", "v").unwrap_err().to_string(),
            format!(
                "{}: values[1].big: the number 1e400 is outside DynamoDB's limits: a magnitude under 1E+126",
                list.display()
            )
        );
        std::fs::write(&list, format!("[1, [2, {}]]", "7".repeat(39))).unwrap();
        assert!(list_item(&list, "k", "v")
            .unwrap_err()
            .to_string()
            .ends_with(": values[1][1]: the number 777777777777777777777777777777777777777 is outside DynamoDB's limits: at most 38 significant digits (it has 39)"));
    }

    #[test]
    fn the_item_carries_the_numbers_digit_for_digit() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("exact.json");
        std::fs::write(
            &list,
            "\n[123456789012345678901234567890, 0.10, -2.5E+3, {\"k\": 1e-130}]\n",
        )
        .unwrap();
        let item = list_item(&list, "list\"Id", "nums").unwrap();
        assert_eq!(
            item.text(),
            r#"{"list\"Id":"nums","values":[123456789012345678901234567890, 0.10, -2.5E+3, {"k": 1e-130}]}"#
        );
        assert_eq!(parsed(&item)["list\"Id"], "nums");
    }
}

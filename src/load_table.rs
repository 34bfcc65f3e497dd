//! `load-table`: puts a JSON list into pattern 004's table, as the original's loader did: one
//! item, `{<partitionKeyName>: <partitionKeyValueField>, "values": <the list>}`. The file is
//! read and checked here; the item goes to DynamoDB through `rcdk-toolkit put-item` (which
//! marshals it to DynamoDB types), so this app's binary never links the AWS SDK.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use miette::Diagnostic;
use serde_json::{json, Value};

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

/// Reads the list file and builds the item, as plain JSON.
pub fn list_item(path: &Path, key_name: &str, key_value: &str) -> Result<Value, LoadError> {
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
    let list: Value = serde_json::from_str(&text).map_err(|e| LoadError::BadJson {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: e
            .to_string()
            .rsplit_once(" at line ")
            .map_or(e.to_string(), |(m, _)| m.to_string()),
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
    let mut item = serde_json::Map::new();
    item.insert(key_name.to_string(), json!(key_value));
    item.insert(LIST_ATTRIBUTE.to_string(), list);
    Ok(Value::Object(item))
}

/// Puts `item` into `table` through `rcdk-toolkit put-item` (the item on its standard input);
/// the toolkit reports a missing table or an AWS error itself.
pub fn put(ctx: &rcdk::Context, table: &str, item: &Value) -> Result<(), rcdk::Error> {
    let mut cmd = ctx.toolkit()?;
    cmd.args(["put-item", "--table", table, "--item", "-"])
        .stdin(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|source| LoadError::Toolkit { source })?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(item.to_string().as_bytes())
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

    fn sample(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/reference/004-stepfunctions-map-ddb")
            .join(name)
    }

    #[test]
    fn the_simple_list_becomes_the_item() {
        let item = list_item(&sample("simplelist.json"), "mapstatelist", "mapitems").unwrap();
        assert_eq!(
            item,
            json!({"mapstatelist": "mapitems", "values": ["Computer Science", "Economics", "Mathematics"]})
        );
    }

    #[test]
    fn the_list_of_dicts_keeps_its_objects() {
        let item = list_item(&sample("listofdicts.json"), "listId", "subjects").unwrap();
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
}

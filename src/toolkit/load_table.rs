//! `load-table`: puts a JSON list into pattern 004's table, as the original's loader did: one
//! item, `{<partitionKeyName>: <partitionKeyValueField>, "values": <the list>}`, the list
//! marshalled to DynamoDB types (strings S, numbers N, booleans BOOL, null NULL, lists L,
//! objects M).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use miette::Diagnostic;
use serde_json::Value;

/// Why the list could not be loaded.
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

    #[error("{} holds the number {number}, which DynamoDB cannot store exactly", path.display())]
    #[diagnostic(code(rcdk::load_table::number))]
    BadNumber { path: PathBuf, number: String },

    #[error("table {table} does not exist (in this account and region)")]
    #[diagnostic(
        code(rcdk::load_table::no_table),
        help("deploy the MapDynamoDb stack first, or name the table with --table")
    )]
    NoTable { table: String },

    #[error("PutItem into {table} failed: {message}")]
    #[diagnostic(
        code(rcdk::load_table::aws),
        help("check your AWS credentials and region (AWS_PROFILE, AWS_REGION)")
    )]
    Aws { table: String, message: String },
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

/// A JSON value as a DynamoDB attribute value; `None` for a number DynamoDB cannot hold.
pub fn marshal(value: &Value) -> Result<AttributeValue, String> {
    Ok(match value {
        Value::Null => AttributeValue::Null(true),
        Value::Bool(b) => AttributeValue::Bool(*b),
        Value::Number(n) => {
            let text = n.to_string();
            // DynamoDB numbers: up to 38 significant digits
            let digits = text.chars().filter(char::is_ascii_digit).count();
            if digits > 38 {
                return Err(text);
            }
            AttributeValue::N(text)
        }
        Value::String(s) => AttributeValue::S(s.clone()),
        Value::Array(items) => {
            AttributeValue::L(items.iter().map(marshal).collect::<Result<_, _>>()?)
        }
        Value::Object(m) => AttributeValue::M(
            m.iter()
                .map(|(k, v)| marshal(v).map(|v| (k.clone(), v)))
                .collect::<Result<_, _>>()?,
        ),
    })
}

/// Reads the list file and builds the item.
pub fn list_item(
    path: &Path,
    key_name: &str,
    key_value: &str,
) -> Result<HashMap<String, AttributeValue>, LoadError> {
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
    let values = marshal(&list).map_err(|number| LoadError::BadNumber {
        path: path.to_path_buf(),
        number,
    })?;
    Ok(HashMap::from([
        (
            key_name.to_string(),
            AttributeValue::S(key_value.to_string()),
        ),
        ("values".to_string(), values),
    ]))
}

/// Puts the item into the table.
pub async fn put(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    item: HashMap<String, AttributeValue>,
) -> Result<(), LoadError> {
    match client
        .put_item()
        .table_name(table)
        .set_item(Some(item))
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(SdkError::ServiceError(e))
            if matches!(e.err(), PutItemError::ResourceNotFoundException(_)) =>
        {
            Err(LoadError::NoTable {
                table: table.to_string(),
            })
        }
        Err(e) => Err(LoadError::Aws {
            table: table.to_string(),
            message: aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::operation::put_item::PutItemOutput;
    use aws_sdk_dynamodb::types::error::ResourceNotFoundException;
    use aws_smithy_mocks::{mock, mock_client, RuleMode};

    fn sample(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/reference/004-stepfunctions-map-ddb")
            .join(name)
    }

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.into())
    }

    #[test]
    fn the_simple_list_becomes_a_list_of_strings() {
        let item = list_item(&sample("simplelist.json"), "mapstatelist", "mapitems").unwrap();
        assert_eq!(item["mapstatelist"], s("mapitems"));
        assert_eq!(
            item["values"],
            AttributeValue::L(vec![
                s("Computer Science"),
                s("Economics"),
                s("Mathematics")
            ])
        );
        assert_eq!(item.len(), 2);
    }

    #[test]
    fn the_list_of_dicts_becomes_a_list_of_maps() {
        let item = list_item(&sample("listofdicts.json"), "listId", "subjects").unwrap();
        assert_eq!(item["listId"], s("subjects"));
        let m = |topic: &str, name: &str| {
            AttributeValue::M(HashMap::from([
                ("topic".into(), s(topic)),
                ("name".into(), s(name)),
            ]))
        };
        assert_eq!(
            item["values"],
            AttributeValue::L(vec![
                m("cs", "Computer Science"),
                m("econ", "Economics"),
                m("math", "Mathematics")
            ])
        );
    }

    #[test]
    fn every_json_type_is_marshalled() {
        let v: Value = serde_json::json!([1, 2.5, true, null, "x", [1], {"k": false}]);
        assert_eq!(
            marshal(&v).unwrap(),
            AttributeValue::L(vec![
                AttributeValue::N("1".into()),
                AttributeValue::N("2.5".into()),
                AttributeValue::Bool(true),
                AttributeValue::Null(true),
                s("x"),
                AttributeValue::L(vec![AttributeValue::N("1".into())]),
                AttributeValue::M(HashMap::from([("k".into(), AttributeValue::Bool(false))])),
            ])
        );
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

    #[tokio::test]
    async fn puts_the_item_and_names_a_missing_table() {
        let ok = mock!(aws_sdk_dynamodb::Client::put_item)
            .match_requests(|r| {
                r.table_name() == Some("Lists")
                    && r.item().is_some_and(|i| i.contains_key("values"))
            })
            .then_output(|| PutItemOutput::builder().build());
        let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&ok]);
        let item = list_item(&sample("simplelist.json"), "mapstatelist", "mapitems").unwrap();
        put(&client, "Lists", item.clone()).await.unwrap();
        assert_eq!(ok.num_calls(), 1);

        let missing = mock!(aws_sdk_dynamodb::Client::put_item).then_error(|| {
            PutItemError::ResourceNotFoundException(
                ResourceNotFoundException::builder()
                    .message("Requested resource not found")
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&missing]);
        let e = put(&client, "Gone", item).await.unwrap_err();
        assert_eq!(
            e.to_string(),
            "table Gone does not exist (in this account and region)"
        );
        assert_eq!(e.exit_code(), 1);
    }
}

//! `put-item`: puts one item, given as plain JSON, into a DynamoDB table, marshalled to
//! DynamoDB types (strings S, numbers N, booleans BOOL, null NULL, lists L, objects M). Apps
//! use it for their own data-loading commands (the patterns' `load-table`) without linking the
//! AWS SDK themselves.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use miette::Diagnostic;
use serde_json::Value;

/// Why the item could not be put.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum PutError {
    #[error("the item ({source_name}) is not valid JSON: {message}")]
    #[diagnostic(code(rcdk::put_item::json))]
    BadJson {
        source_name: String,
        message: String,
    },

    #[error("the item ({source_name}) is {kind}, not a JSON object")]
    #[diagnostic(
        code(rcdk::put_item::not_an_object),
        help("an item is an object of attributes: {{\"id\": \"a\", \"values\": [1, 2]}}")
    )]
    NotAnObject {
        source_name: String,
        kind: &'static str,
    },

    #[error("the item holds the number {number}, which DynamoDB cannot store exactly (more than 38 digits)")]
    #[diagnostic(code(rcdk::put_item::number))]
    BadNumber { number: String },

    #[error("table {table} does not exist (in this account and region)")]
    #[diagnostic(
        code(rcdk::put_item::no_table),
        help("deploy the stack that creates it first, or check the table's name, --region and --profile")
    )]
    NoTable { table: String },

    #[error("PutItem into {table} failed: {message}")]
    #[diagnostic(
        code(rcdk::put_item::aws),
        help("check your AWS credentials and region (AWS_PROFILE, AWS_REGION)")
    )]
    Aws { table: String, message: String },
}

/// A JSON value as a DynamoDB attribute value; the number text when DynamoDB cannot hold it.
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

/// Parses an item's JSON text (`source_name` names it in errors) into DynamoDB attributes.
pub fn item(text: &str, source_name: &str) -> Result<HashMap<String, AttributeValue>, PutError> {
    let value: Value = serde_json::from_str(text).map_err(|e| PutError::BadJson {
        source_name: source_name.to_string(),
        message: e.to_string(),
    })?;
    let Value::Object(map) = value else {
        let kind = match value {
            Value::Array(_) => "a list",
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            _ => "null",
        };
        return Err(PutError::NotAnObject {
            source_name: source_name.to_string(),
            kind,
        });
    };
    map.iter()
        .map(|(k, v)| {
            marshal(v)
                .map(|v| (k.clone(), v))
                .map_err(|number| PutError::BadNumber { number })
        })
        .collect()
}

/// Puts the item into the table.
pub async fn put(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    item: HashMap<String, AttributeValue>,
) -> Result<(), PutError> {
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
            Err(PutError::NoTable {
                table: table.to_string(),
            })
        }
        Err(e) => Err(PutError::Aws {
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

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.into())
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
    fn an_item_is_an_object_of_attributes() {
        let i = item(
            r#"{"listId": "subjects", "values": [{"topic": "cs"}]}"#,
            "stdin",
        )
        .unwrap();
        assert_eq!(i["listId"], s("subjects"));
        assert_eq!(
            i["values"],
            AttributeValue::L(vec![AttributeValue::M(HashMap::from([(
                "topic".into(),
                s("cs")
            )]))])
        );
        let e = item("[1]", "stdin").unwrap_err();
        assert_eq!(
            e.to_string(),
            "the item (stdin) is a list, not a JSON object"
        );
        let e = item("{\"a\": 1,}", "stdin").unwrap_err();
        assert!(
            e.to_string().contains("not valid JSON: trailing comma"),
            "{e}"
        );
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
        let it = item(r#"{"id": "a", "values": ["x"]}"#, "stdin").unwrap();
        put(&client, "Lists", it.clone()).await.unwrap();
        assert_eq!(ok.num_calls(), 1);

        let missing = mock!(aws_sdk_dynamodb::Client::put_item).then_error(|| {
            PutItemError::ResourceNotFoundException(
                ResourceNotFoundException::builder()
                    .message("Requested resource not found")
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&missing]);
        let e = put(&client, "Gone", it).await.unwrap_err();
        assert_eq!(
            e.to_string(),
            "table Gone does not exist (in this account and region)"
        );
    }
}

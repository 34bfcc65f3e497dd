//! `put-item`: puts one item, given as plain JSON, into a DynamoDB table, marshalled to
//! DynamoDB types (strings S, numbers N, booleans BOOL, null NULL, lists L, objects M). Apps
//! use it for their own data-loading commands (the patterns' `load-table`) without linking the
//! AWS SDK themselves.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use miette::Diagnostic;
use serde_json::value::RawValue;

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

    #[error(
        "the item ({source_name}) nests lists and objects more than {MAX_NESTING} levels deep"
    )]
    #[diagnostic(
        code(rcdk::put_item::too_deep),
        help("DynamoDB stores nested attributes up to {MAX_NESTING} levels deep; flatten the item, or store the deep part as a JSON string")
    )]
    TooDeep { source_name: String },

    #[error("the item ({source_name}) is over {limit} bytes of JSON; DynamoDB's items are at most 400 KB")]
    #[diagnostic(code(rcdk::put_item::too_large))]
    TooLarge { source_name: String, limit: u64 },

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

    #[error("PutItem into {table}: no answer from {endpoint}: {message}")]
    #[diagnostic(
        code(rcdk::put_item::connection),
        help("check the network (and AWS_ENDPOINT_URL, if set), then run the command again")
    )]
    Connection {
        table: String,
        endpoint: String,
        message: String,
    },
}

/// How deep attributes may nest: "Document types can be nested within each other, to represent
/// complex data structures up to 32 levels deep" (DynamoDB Developer Guide, "Supported data
/// types and naming rules", and "Service, account, and table quotas": "Nested attribute depth").
/// The item's own object is not counted: a top-level attribute holding an object is one level.
pub const MAX_NESTING: usize = 32;

/// Whether the JSON text nests objects and lists deeper than an item may (the item's object
/// plus [`MAX_NESTING`] levels). One pass over the bytes, without recursion, so that a hostile
/// file of 20,000 brackets is refused before anything walks it.
fn too_deep(text: &str, limit: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for b in text.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Why a JSON value cannot be marshalled to a DynamoDB attribute value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarshalError {
    /// Lists and objects nested deeper than DynamoDB stores them.
    #[error("the value nests lists and objects more than {MAX_NESTING} levels deep")]
    TooDeep,
    /// A number DynamoDB cannot hold exactly: its text.
    #[error(
        "the number {0} has more than 38 significant digits, which DynamoDB cannot store exactly"
    )]
    Number(String),
    /// Not JSON: what the JSON reader says.
    #[error("{0}")]
    Json(String),
}

/// The significant digits of a JSON number's text (`0.00120` has 2, `1e5` has 1).
fn significant_digits(number: &str) -> usize {
    let mantissa = number
        .trim_start_matches('-')
        .split(['e', 'E'])
        .next()
        .unwrap_or("");
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    digits.trim_start_matches('0').trim_end_matches('0').len()
}

/// A JSON value, as its exact text, marshalled to a DynamoDB attribute value: a number keeps
/// every digit it was written with (read through an `f64`, a 20-digit number would be stored
/// rounded).
fn marshal_raw(raw: &RawValue) -> Result<AttributeValue, MarshalError> {
    let text = raw.get().trim();
    let json = |e: serde_json::Error| MarshalError::Json(e.to_string());
    Ok(match text.as_bytes().first() {
        Some(b'{') => AttributeValue::M(
            serde_json::from_str::<indexmap::IndexMap<String, &RawValue>>(text)
                .map_err(json)?
                .into_iter()
                .map(|(k, v)| marshal_raw(v).map(|v| (k, v)))
                .collect::<Result<_, _>>()?,
        ),
        Some(b'[') => AttributeValue::L(
            serde_json::from_str::<Vec<&RawValue>>(text)
                .map_err(json)?
                .into_iter()
                .map(marshal_raw)
                .collect::<Result<_, _>>()?,
        ),
        Some(b'"') => AttributeValue::S(serde_json::from_str::<String>(text).map_err(json)?),
        Some(b't') | Some(b'f') => {
            AttributeValue::Bool(serde_json::from_str::<bool>(text).map_err(json)?)
        }
        Some(b'n') => AttributeValue::Null(true),
        _ => {
            if significant_digits(text) > 38 {
                return Err(MarshalError::Number(text.to_string()));
            }
            AttributeValue::N(text.to_string())
        }
    })
}

/// A JSON text as a DynamoDB attribute value (numbers as written); [`MarshalError::Number`]
/// holds the number DynamoDB cannot hold.
pub fn marshal(text: &str) -> Result<AttributeValue, MarshalError> {
    if too_deep(text, MAX_NESTING) {
        return Err(MarshalError::TooDeep);
    }
    let raw: &RawValue =
        serde_json::from_str(text).map_err(|e| MarshalError::Json(e.to_string()))?;
    marshal_raw(raw)
}

/// Parses an item's JSON text (`source_name` names it in errors) into DynamoDB attributes:
/// one pass over the text, which keeps every number as written.
pub fn item(text: &str, source_name: &str) -> Result<HashMap<String, AttributeValue>, PutError> {
    let bad_json = |message: String| PutError::BadJson {
        source_name: source_name.to_string(),
        message,
    };
    if too_deep(text, MAX_NESTING + 1) {
        return Err(PutError::TooDeep {
            source_name: source_name.to_string(),
        });
    }
    let raw: &RawValue = serde_json::from_str(text).map_err(|e| {
        // serde_json names some mistakes better when it builds a value (a trailing comma)
        match serde_json::from_str::<serde_json::Value>(text) {
            Err(better) => bad_json(better.to_string()),
            Ok(_) => bad_json(e.to_string()),
        }
    })?;
    let kind = match raw.get().trim_start().as_bytes().first() {
        Some(b'{') => None,
        Some(b'[') => Some("a list"),
        Some(b'"') => Some("a string"),
        Some(b't') | Some(b'f') => Some("a boolean"),
        Some(b'n') => Some("null"),
        _ => Some("a number"),
    };
    if let Some(kind) = kind {
        return Err(PutError::NotAnObject {
            source_name: source_name.to_string(),
            kind,
        });
    }
    match marshal_raw(raw) {
        Ok(AttributeValue::M(fields)) => Ok(fields),
        Ok(_) => Err(bad_json("not an object".into())),
        Err(MarshalError::Number(number)) => Err(PutError::BadNumber { number }),
        Err(MarshalError::Json(message)) => Err(bad_json(message)),
        // the depth was checked first
        Err(MarshalError::TooDeep) => Err(PutError::TooDeep {
            source_name: source_name.to_string(),
        }),
    }
}

/// Puts the item into the table.
pub async fn put(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    item: HashMap<String, AttributeValue>,
) -> Result<(), PutError> {
    put_to(client, table, item, "AWS").await
}

/// [`put`], a call that got no answer naming `endpoint` (where it went, its password masked).
pub async fn put_to(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    item: HashMap<String, AttributeValue>,
    endpoint: &str,
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
        Err(e @ (SdkError::TimeoutError(_) | SdkError::DispatchFailure(_))) => {
            Err(PutError::Connection {
                table: table.to_string(),
                endpoint: endpoint.to_string(),
                message: crate::aws::chain(&e),
            })
        }
        Err(e) => {
            use aws_sdk_dynamodb::error::ProvideErrorMetadata;
            // the service's code and message, else what failed on the way (escaped: an
            // endpoint wrote them)
            let message = match (e.code(), e.message()) {
                (Some(code), message) => {
                    crate::ui::clean(&format!("{code}: {}", message.unwrap_or_default()))
                        .into_owned()
                }
                _ => crate::aws::chain(&e),
            };
            Err(PutError::Aws {
                table: table.to_string(),
                message,
            })
        }
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
        let v = r#"[1, 2.5, true, null, "x", [1], {"k": false}]"#;
        assert_eq!(
            marshal(v).unwrap(),
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

    #[test]
    fn numbers_keep_every_digit_they_were_written_with() {
        let i = item(
            r#"{"id": "a", "n": 12345678901234567890123, "x": [0.1000000000000000055511151231257827, -1.5e-7, 1E+125]}"#,
            "stdin",
        )
        .unwrap();
        assert_eq!(i["n"], AttributeValue::N("12345678901234567890123".into()));
        assert_eq!(
            i["x"],
            AttributeValue::L(vec![
                AttributeValue::N("0.1000000000000000055511151231257827".into()),
                AttributeValue::N("-1.5e-7".into()),
                AttributeValue::N("1E+125".into()),
            ])
        );
        let e = item(r#"{"n": 123456789012345678901234567890123456789}"#, "stdin").unwrap_err();
        assert_eq!(
            e.to_string(),
            "the item holds the number 123456789012345678901234567890123456789, which DynamoDB cannot store exactly (more than 38 digits)"
        );
        // trailing and leading zeros are not significant
        assert!(item(
            r#"{"n": 100000000000000000000000000000000000000000}"#,
            "stdin"
        )
        .is_ok());
        // keys with escapes and nested objects
        let i = item(r#"{"a\"b": {"c": "d\n"}}"#, "stdin").unwrap();
        assert_eq!(
            i["a\"b"],
            AttributeValue::M(HashMap::from([("c".into(), s("d\n"))]))
        );
    }

    #[test]
    fn nesting_stops_at_dynamodb_s_limit_without_recursing() {
        let nested = |levels: usize| {
            format!(
                "{{\"id\": \"a\", \"deep\": {}1{}}}",
                "[".repeat(levels),
                "]".repeat(levels)
            )
        };
        assert!(item(&nested(MAX_NESTING), "f").is_ok());
        let e = item(&nested(MAX_NESTING + 1), "f").unwrap_err();
        assert!(matches!(e, PutError::TooDeep { .. }), "{e}");
        assert_eq!(
            e.to_string(),
            "the item (f) nests lists and objects more than 32 levels deep"
        );
        // 20,000 levels: refused, no stack overflow; brackets inside strings do not count
        assert!(matches!(
            item(&nested(20_000), "f"),
            Err(PutError::TooDeep { .. })
        ));
        let text = format!("{{\"id\": \"{}\\\"\"}}", "[".repeat(100));
        assert!(item(&text, "f").is_ok(), "{text}");
        assert_eq!(marshal(&"[".repeat(40)), Err(MarshalError::TooDeep));
        let digits = "1".repeat(39);
        assert_eq!(marshal(&digits), Err(MarshalError::Number(digits.clone())));
        assert!(matches!(marshal("[1,"), Err(MarshalError::Json(_))));
    }

    #[tokio::test]
    async fn a_put_that_gets_no_answer_names_where_it_went() {
        // before: "PutItem into T failed: dispatch failure ...", with the help to check the
        // credentials, and no word of the endpoint
        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
            .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                "AKIDEXAMPLE",
                "secret",
                None,
                None,
                "test",
            ))
            .endpoint_url("http://127.0.0.1:9")
            .build();
        let client = aws_sdk_dynamodb::Client::from_conf(config);
        let it = item(r#"{"id": "a"}"#, "stdin").unwrap();
        let e = put_to(&client, "Lists", it, "http://***@127.0.0.1:9")
            .await
            .unwrap_err();
        assert!(matches!(e, PutError::Connection { .. }), "{e}");
        assert!(
            e.to_string()
                .starts_with("PutItem into Lists: no answer from http://***@127.0.0.1:9: "),
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

//! Pattern 000's function, behind a Function URL with AWS_IAM auth and RESPONSE_STREAM:
//! `GET ?executionArn=<arn>` streams the results the workflow writes to DynamoDB, one JSON
//! object per line (`application/x-ndjson`), as they arrive.
//!
//! It polls the results table with a consistent Query for the execution's items not yet
//! streamed, writes each as plain JSON (not DynamoDB-typed), marks it `Streamed` once the line
//! has left for the client (a client that leaves earlier gets it again next time; an item
//! deleted meanwhile is not recreated by the mark), and stops
//! after the item that holds the final-result attribute, or when the invocation's remaining
//! time falls under the configured buffer (which the original declared but never wired), and
//! sleeps the configured interval between polls.
//!
//! The logic is in plain functions and in [`stream_results`], which takes its DynamoDB client,
//! its clock and its output as arguments; `main` wires them to the runtime.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use lambda_http::{service_fn, Error, Request, RequestExt, Response};
use lambda_runtime::streaming::{channel, Body};
use serde_json::{json, Map, Value};

/// The function's settings, from its environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub table: String,
    pub final_field: String,
    pub poll_interval: Duration,
    /// Stop when less than this is left of the invocation.
    pub buffer: Duration,
}

impl Settings {
    /// Reads `DDBTableName`, `FinalResultFieldName`, `DDBPollingWaitMs` and
    /// `LambdaTimeoutBuffer` (milliseconds); every one is required.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Settings, String> {
        let text = |name: &str| {
            get(name)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| format!("the environment variable {name} is not set"))
        };
        let millis = |name: &str| -> Result<Duration, String> {
            let v = text(name)?;
            v.parse::<u64>().map(Duration::from_millis).map_err(|_| {
                format!(
                    "the environment variable {name} must be a number of milliseconds, not {v:?}"
                )
            })
        };
        Ok(Settings {
            table: text("DDBTableName")?,
            final_field: text("FinalResultFieldName")?,
            poll_interval: millis("DDBPollingWaitMs")?,
            buffer: millis("LambdaTimeoutBuffer")?,
        })
    }
}

/// What is left of the invocation at `now` (epoch milliseconds). Lambda gives the deadline as
/// epoch milliseconds; cargo-lambda's local emulator sends the time allowed instead (600000),
/// which is read as that: a deadline before 2001 cannot be a point in time.
pub fn time_left(deadline_ms: u64, now_ms: u64) -> Duration {
    const YEAR_2001_MS: u64 = 978_307_200_000;
    if deadline_ms < YEAR_2001_MS {
        return Duration::from_millis(deadline_ms);
    }
    Duration::from_millis(deadline_ms.saturating_sub(now_ms))
}

/// The table key of an execution's results, as the workflow writes it: the name and the two
/// ids of the execution ARN (`arn:aws:states:<region>:<account>:express:<name>:<id>:<id>`).
pub fn results_key(execution_arn: &str) -> Result<String, String> {
    let decoded = percent_encoding::percent_decode_str(execution_arn)
        .decode_utf8()
        .map_err(|_| "executionArn is not valid UTF-8 once decoded".to_string())?;
    let parts: Vec<&str> = decoded.split(':').collect();
    if parts.len() < 9 || parts[0] != "arn" || parts[6..9].iter().any(|p| p.is_empty()) {
        return Err(format!(
            "executionArn {decoded:?} is not an execution ARN (arn:aws:states:<region>:<account>:express:<machine>:<id>:<id>)"
        ));
    }
    Ok(parts[6..9].join(":"))
}

/// A DynamoDB attribute as plain JSON.
pub fn plain(value: &AttributeValue) -> Value {
    match value {
        AttributeValue::S(s) => json!(s),
        AttributeValue::N(n) => n
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| {
                n.parse::<f64>()
                    .map(|f| serde_json::Number::from_f64(f).map_or(json!(n), Value::Number))
            })
            .unwrap_or_else(|_| json!(n)),
        AttributeValue::Bool(b) => json!(b),
        AttributeValue::Null(_) => Value::Null,
        AttributeValue::M(m) => plain_item(m),
        AttributeValue::L(items) => Value::Array(items.iter().map(plain).collect()),
        AttributeValue::Ss(items) => json!(items),
        AttributeValue::Ns(items) => Value::Array(
            items
                .iter()
                .map(|n| plain(&AttributeValue::N(n.clone())))
                .collect(),
        ),
        AttributeValue::B(b) => json!(base64(b.as_ref())),
        AttributeValue::Bs(items) => {
            Value::Array(items.iter().map(|b| json!(base64(b.as_ref()))).collect())
        }
        _ => Value::Null,
    }
}

/// An item as a plain JSON object, its keys in order.
pub fn plain_item(item: &HashMap<String, AttributeValue>) -> Value {
    let mut keys: Vec<&String> = item.keys().collect();
    keys.sort();
    Value::Object(
        keys.into_iter()
            .map(|k| (k.clone(), plain(&item[k])))
            .collect::<Map<_, _>>(),
    )
}

fn base64(bytes: &[u8]) -> String {
    aws_smithy_types::base64::encode(bytes)
}

/// Where the lines go.
pub trait Lines {
    /// Sends one line and returns once it has left for the client (only then may its item
    /// be marked streamed); an error means the client is gone.
    fn line(
        &mut self,
        text: String,
    ) -> impl std::future::Future<Output = Result<(), String>> + Send;
}

impl Lines for lambda_runtime::streaming::Sender {
    /// `send_data` returns as soon as the line is queued in the response body; the body takes
    /// it when it is written to the response stream. Ready again means it was taken; a
    /// client that left before closes the body, which is an error here.
    async fn line(&mut self, text: String) -> Result<(), String> {
        self.send_data(text.into())
            .await
            .map_err(|e| e.to_string())?;
        std::future::poll_fn(|cx| self.poll_ready(cx))
            .await
            .map_err(|e| e.to_string())
    }
}

/// Why the stream ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The item with the final-result attribute was streamed.
    FinalResult,
    /// Less than the buffer was left of the invocation.
    OutOfTime,
    /// The client went away.
    ClientGone,
}

/// The execution's items not yet streamed, in sort-key order (every page).
async fn unstreamed(
    client: &Client,
    settings: &Settings,
    key: &str,
) -> Result<Vec<HashMap<String, AttributeValue>>, String> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let page = client
            .query()
            .table_name(&settings.table)
            .key_condition_expression("ExecutionArn = :arn")
            .filter_expression("attribute_not_exists(Streamed)")
            .expression_attribute_values(":arn", AttributeValue::S(key.to_string()))
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "Query failed: {}",
                    aws_sdk_dynamodb::error::DisplayErrorContext(e)
                )
            })?;
        items.extend(page.items().iter().cloned());
        match page.last_evaluated_key() {
            Some(k) if !k.is_empty() => start = Some(k.clone()),
            _ => return Ok(items),
        }
    }
}

/// Streams the execution's results until the final one, or until time runs out.
/// `remaining` tells how much of the invocation is left.
pub async fn stream_results(
    client: &Client,
    settings: &Settings,
    key: &str,
    remaining: &(dyn Fn() -> Duration + Sync),
    out: &mut impl Lines,
) -> Result<Stop, String> {
    loop {
        if remaining() < settings.buffer {
            return Ok(Stop::OutOfTime);
        }
        for item in unstreamed(client, settings, key).await? {
            let line = format!("{}\n", plain_item(&item));
            if out.line(line).await.is_err() {
                return Ok(Stop::ClientGone);
            }
            // marked once the client has it; an item deleted meanwhile stays deleted
            let mut update = client
                .update_item()
                .table_name(&settings.table)
                .update_expression("SET Streamed = :streamed")
                .condition_expression("attribute_exists(ExecutionArn)")
                .expression_attribute_values(":streamed", AttributeValue::Bool(true));
            for k in ["ExecutionArn", "ResultTimestamp"] {
                if let Some(v) = item.get(k) {
                    update = update.key(k, v.clone());
                }
            }
            match update.send().await {
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.as_service_error(),
                        Some(UpdateItemError::ConditionalCheckFailedException(_))
                    ) => {}
                Err(e) => {
                    return Err(format!(
                        "UpdateItem failed: {}",
                        aws_sdk_dynamodb::error::DisplayErrorContext(e)
                    ))
                }
            }
            if item.contains_key(&settings.final_field) {
                return Ok(Stop::FinalResult);
            }
        }
        if remaining() < settings.buffer {
            return Ok(Stop::OutOfTime);
        }
        tokio::time::sleep(settings.poll_interval).await;
    }
}

/// A response with a plain-text body (for the errors answered before streaming starts).
fn text_response(status: u16, text: &str) -> Result<Response<Body>, Error> {
    let (mut tx, body) = channel();
    let text = format!("{text}\n");
    tokio::spawn(async move {
        let _ = tx.send_data(text.into()).await;
    });
    Ok(Response::builder()
        .status(status)
        .header("content-type", "text/plain")
        .body(body)?)
}

async fn handle(
    client: Client,
    settings: Settings,
    request: Request,
) -> Result<Response<Body>, Error> {
    let params = request.query_string_parameters();
    let Some(arn) = params.first("executionArn") else {
        return text_response(
            400,
            "executionArn is a required query parameter: ?executionArn=<execution ARN>",
        );
    };
    let key = match results_key(arn) {
        Ok(k) => k,
        Err(e) => return text_response(400, &e),
    };
    let deadline_ms = request.lambda_context_ref().map(|c| c.deadline);
    let (mut tx, body) = channel();
    tokio::spawn(async move {
        let remaining = move || -> Duration {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_millis() as u64;
            deadline_ms.map_or(Duration::ZERO, |d| time_left(d, now))
        };
        match stream_results(&client, &settings, &key, &remaining, &mut tx).await {
            Ok(stop) => println!("stream of {key} ended: {stop:?}"),
            Err(e) => {
                eprintln!("stream of {key} failed: {e}");
                let _ = tx.line(format!("{}\n", json!({ "error": e }))).await;
            }
        }
    });
    Ok(Response::builder()
        .status(200)
        .header("content-type", "application/x-ndjson")
        .body(body)?)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let settings = Settings::from_env(|n| std::env::var(n).ok())?;
    let config = aws_config::load_from_env().await;
    let client = Client::new(&config);
    lambda_http::run_with_streaming_response(service_fn(move |request: Request| {
        handle(client.clone(), settings.clone(), request)
    }))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::operation::query::QueryOutput;
    use aws_sdk_dynamodb::operation::update_item::UpdateItemOutput;
    use aws_smithy_mocks::{mock, mock_client, RuleMode};
    use std::sync::atomic::{AtomicU64, Ordering};

    const ARN: &str = "arn:aws:states:us-east-1:123456789012:express:Workflow-abc:1111:2222";

    struct Collect(Vec<String>);

    impl Lines for Collect {
        async fn line(&mut self, text: String) -> Result<(), String> {
            self.0.push(text);
            Ok(())
        }
    }

    fn settings() -> Settings {
        Settings {
            table: "Results".into(),
            final_field: "FinalResult".into(),
            poll_interval: Duration::from_millis(1),
            buffer: Duration::from_millis(5000),
        }
    }

    fn item(ts: &str, result: &str, last: bool) -> HashMap<String, AttributeValue> {
        let mut m = HashMap::from([
            (
                "ExecutionArn".to_string(),
                AttributeValue::S("Workflow-abc:1111:2222".into()),
            ),
            ("ResultTimestamp".to_string(), AttributeValue::S(ts.into())),
            ("Result".to_string(), AttributeValue::S(result.into())),
        ]);
        if last {
            m.insert("FinalResult".into(), AttributeValue::Bool(true));
        }
        m
    }

    #[test]
    fn the_key_is_derived_as_the_workflow_does() {
        assert_eq!(results_key(ARN).unwrap(), "Workflow-abc:1111:2222");
        let encoded = ARN.replace(':', "%3A");
        assert_eq!(results_key(&encoded).unwrap(), "Workflow-abc:1111:2222");
        assert!(results_key("not-an-arn")
            .unwrap_err()
            .contains("is not an execution ARN"));
        assert!(results_key("arn:aws:states:us-east-1:1:express:Name").is_err());
    }

    #[test]
    fn items_become_plain_json() {
        let item = HashMap::from([
            ("s".to_string(), AttributeValue::S("x".into())),
            ("n".to_string(), AttributeValue::N("42".into())),
            ("f".to_string(), AttributeValue::N("1.5".into())),
            ("b".to_string(), AttributeValue::Bool(true)),
            ("z".to_string(), AttributeValue::Null(true)),
            (
                "l".to_string(),
                AttributeValue::L(vec![
                    AttributeValue::S("a".into()),
                    AttributeValue::N("1".into()),
                ]),
            ),
            (
                "m".to_string(),
                AttributeValue::M(HashMap::from([(
                    "k".to_string(),
                    AttributeValue::S("v".into()),
                )])),
            ),
            (
                "bin".to_string(),
                AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(b"hi!".to_vec())),
            ),
        ]);
        assert_eq!(
            plain_item(&item),
            json!({"b": true, "bin": "aGkh", "f": 1.5, "l": ["a", 1], "m": {"k": "v"}, "n": 42, "s": "x", "z": null})
        );
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"a"), "YQ==");
    }

    #[test]
    fn settings_come_from_the_environment_and_the_buffer_is_required() {
        let env = |n: &str| match n {
            "DDBTableName" => Some("T".to_string()),
            "FinalResultFieldName" => Some("FinalResult".to_string()),
            "DDBPollingWaitMs" => Some("2000".to_string()),
            "LambdaTimeoutBuffer" => Some("5000".to_string()),
            _ => None,
        };
        let s = Settings::from_env(env).unwrap();
        assert_eq!(
            (s.poll_interval, s.buffer),
            (Duration::from_millis(2000), Duration::from_millis(5000))
        );
        let e = Settings::from_env(|n| {
            if n == "LambdaTimeoutBuffer" {
                None
            } else {
                env(n)
            }
        })
        .unwrap_err();
        assert!(e.contains("LambdaTimeoutBuffer is not set"), "{e}");
        let e = Settings::from_env(|n| {
            if n == "DDBPollingWaitMs" {
                Some("2s".into())
            } else {
                env(n)
            }
        })
        .unwrap_err();
        assert!(e.contains("number of milliseconds"), "{e}");
    }

    /// The mark of a streamed item: its whole key, only while it exists.
    fn marks() -> aws_smithy_mocks::Rule {
        mock!(Client::update_item)
            .match_requests(|u| {
                u.table_name() == Some("Results")
                    && u.update_expression() == Some("SET Streamed = :streamed")
                    && u.condition_expression() == Some("attribute_exists(ExecutionArn)")
                    && u.expression_attribute_values()
                        == Some(&HashMap::from([(
                            ":streamed".to_string(),
                            AttributeValue::Bool(true),
                        )]))
                    && u.key().is_some_and(|k| {
                        k.len() == 2
                            && k.get("ExecutionArn")
                                == Some(&AttributeValue::S("Workflow-abc:1111:2222".into()))
                            && k.contains_key("ResultTimestamp")
                    })
            })
            .then_output(|| UpdateItemOutput::builder().build())
    }

    /// Three results, the last one final, in one page.
    fn three_results() -> aws_smithy_mocks::Rule {
        mock!(Client::query).then_output(|| {
            QueryOutput::builder()
                .items(item("t1", "r1", false))
                .items(item("t2", "r2", false))
                .items(item("t3", "r3", true))
                .build()
        })
    }

    #[tokio::test]
    async fn an_item_is_marked_only_once_its_line_has_left_for_the_client() {
        // a client that takes nothing and leaves: no item is marked, all are streamed next time
        let (query, update) = (three_results(), marks());
        let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&query, &update]);
        let (mut tx, body) = lambda_runtime::streaming::channel();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            drop(body);
        });
        let stop = stream_results(
            &client,
            &settings(),
            "Workflow-abc:1111:2222",
            &|| Duration::from_secs(60),
            &mut tx,
        )
        .await
        .unwrap();
        assert_eq!(stop, Stop::ClientGone);
        assert_eq!(query.num_calls(), 1);
        assert_eq!(update.num_calls(), 0);

        // a client that reads: every line arrives, every item is marked
        let (query, update) = (three_results(), marks());
        let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&query, &update]);
        let (mut tx, body) = lambda_runtime::streaming::channel();
        let reader = tokio::spawn(body.collect());
        let stop = stream_results(
            &client,
            &settings(),
            "Workflow-abc:1111:2222",
            &|| Duration::from_secs(60),
            &mut tx,
        )
        .await
        .unwrap();
        drop(tx);
        assert_eq!(stop, Stop::FinalResult);
        let text = reader.await.unwrap().unwrap().to_bytes();
        let results: Vec<Value> = String::from_utf8_lossy(&text)
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["Result"].clone())
            .collect();
        assert_eq!(results, [json!("r1"), json!("r2"), json!("r3")]);
        assert_eq!(query.num_calls(), 1);
        assert_eq!(update.num_calls(), 3);
    }

    #[tokio::test]
    async fn an_item_deleted_meanwhile_is_not_recreated_and_the_stream_goes_on() {
        let query = three_results();
        let gone = mock!(Client::update_item)
            .match_requests(|u| u.condition_expression() == Some("attribute_exists(ExecutionArn)"))
            .then_error(|| {
                UpdateItemError::ConditionalCheckFailedException(
                    aws_sdk_dynamodb::types::error::ConditionalCheckFailedException::builder()
                        .build(),
                )
            });
        let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&query, &gone]);
        let mut out = Collect(Vec::new());
        let stop = stream_results(
            &client,
            &settings(),
            "Workflow-abc:1111:2222",
            &|| Duration::from_secs(60),
            &mut out,
        )
        .await
        .unwrap();
        assert_eq!(stop, Stop::FinalResult);
        assert_eq!(out.0.len(), 3);
        assert_eq!(query.num_calls(), 1);
        assert_eq!(gone.num_calls(), 3);
        // any other failure of the mark ends the stream with the reason
        let query = three_results();
        let throttled = mock!(Client::update_item).then_error(|| {
            UpdateItemError::ProvisionedThroughputExceededException(
                aws_sdk_dynamodb::types::error::ProvisionedThroughputExceededException::builder()
                    .message("slow down")
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&query, &throttled]);
        let e = stream_results(
            &client,
            &settings(),
            "Workflow-abc:1111:2222",
            &|| Duration::from_secs(60),
            &mut Collect(Vec::new()),
        )
        .await
        .unwrap_err();
        assert!(
            e.starts_with("UpdateItem failed:") && e.contains("slow down"),
            "{e}"
        );
        assert_eq!(throttled.num_calls(), 1);
    }

    #[tokio::test]
    async fn streams_every_item_as_a_json_line_marks_it_and_stops_after_the_final_one() {
        // first poll: two results; second poll: nothing new; third: the final result
        let query = mock!(Client::query)
            .match_requests(|q| {
                q.consistent_read() == Some(true)
                    && q.filter_expression() == Some("attribute_not_exists(Streamed)")
                    && q.expression_attribute_values().and_then(|v| v.get(":arn"))
                        == Some(&AttributeValue::S("Workflow-abc:1111:2222".into()))
            })
            .sequence()
            .output(|| {
                QueryOutput::builder()
                    .items(item("t1", "r1", false))
                    .items(item("t2", "r2", false))
                    .build()
            })
            .output(|| QueryOutput::builder().build())
            .output(|| QueryOutput::builder().items(item("t3", "r3", true)).build())
            .build();
        let update = marks();
        let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&query, &update]);
        let mut out = Collect(Vec::new());
        let stop = stream_results(
            &client,
            &settings(),
            "Workflow-abc:1111:2222",
            &|| Duration::from_secs(60),
            &mut out,
        )
        .await
        .unwrap();
        assert_eq!(stop, Stop::FinalResult);
        assert_eq!(out.0.len(), 3);
        assert!(out
            .0
            .iter()
            .all(|l| l.ends_with('\n') && !l[..l.len() - 1].contains('\n')));
        let first: Value = serde_json::from_str(&out.0[0]).unwrap();
        assert_eq!(
            first,
            json!({"ExecutionArn": "Workflow-abc:1111:2222", "Result": "r1", "ResultTimestamp": "t1"})
        );
        let last: Value = serde_json::from_str(&out.0[2]).unwrap();
        assert_eq!(last["FinalResult"], true);
        assert_eq!(update.num_calls(), 3);
        assert_eq!(query.num_calls(), 3);
    }

    #[test]
    fn the_time_left_is_read_from_a_deadline_or_from_the_emulator_s_duration() {
        let now = 1_796_055_839_602;
        assert_eq!(time_left(now + 7_000, now), Duration::from_secs(7));
        assert_eq!(time_left(now - 1, now), Duration::ZERO);
        // cargo lambda watch sends 600000: ten minutes, not 1970
        assert_eq!(time_left(600_000, now), Duration::from_secs(600));
    }

    #[tokio::test]
    async fn stops_when_the_remaining_time_falls_under_the_buffer() {
        let query = mock!(Client::query).then_output(|| QueryOutput::builder().build());
        let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&query]);
        // 8 s left at first, 1 s less at every look: under the 5 s buffer after a few polls
        let left = AtomicU64::new(8_000);
        let remaining = || Duration::from_millis(left.fetch_sub(1_000, Ordering::SeqCst));
        let mut out = Collect(Vec::new());
        let stop = stream_results(&client, &settings(), "k:1:2", &remaining, &mut out)
            .await
            .unwrap();
        assert_eq!(stop, Stop::OutOfTime);
        assert!(out.0.is_empty());
        // looks at 8, 7 (poll 1), 6, 5 (poll 2), 4: stop
        assert_eq!(query.num_calls(), 2);
    }

    async fn answer(request: Request) -> (u16, String, String) {
        let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, []);
        let response = handle(client, settings(), request).await.unwrap();
        let status = response.status().as_u16();
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            content_type,
            String::from_utf8_lossy(&body).into_owned(),
        )
    }

    #[tokio::test]
    async fn a_request_without_or_with_a_bad_execution_arn_is_a_400_that_says_why() {
        let bare = Request::default();
        let (status, content_type, body) = answer(bare).await;
        assert_eq!((status, content_type.as_str()), (400, "text/plain"));
        assert!(
            body.contains("executionArn is a required query parameter"),
            "{body}"
        );
        let bad = Request::default().with_query_string_parameters(HashMap::from([(
            "executionArn".to_string(),
            "nope".to_string(),
        )]));
        let (status, _, body) = answer(bad).await;
        assert_eq!(status, 400);
        assert!(body.contains("is not an execution ARN"), "{body}");
    }

    #[tokio::test]
    async fn a_good_request_streams_json_lines() {
        let query = mock!(Client::query)
            .then_output(|| QueryOutput::builder().items(item("t1", "r1", true)).build());
        let update = marks();
        let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&query, &update]);
        let mut context = lambda_runtime::Context::default();
        context.deadline = 4_102_444_800_000; // 2100-01-01: plenty of time
        let request = Request::default()
            .with_query_string_parameters(HashMap::from([(
                "executionArn".to_string(),
                ARN.to_string(),
            )]))
            .with_lambda_context(context);
        let response = handle(client, settings(), request).await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers()["content-type"], "application/x-ndjson");
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let line: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(line["Result"], "r1");
        assert_eq!(line["FinalResult"], true);
        assert_eq!(query.num_calls(), 1);
        assert_eq!(update.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_client_that_left_ends_the_stream() {
        struct Gone;
        impl Lines for Gone {
            async fn line(&mut self, _: String) -> Result<(), String> {
                Err("closed".into())
            }
        }
        let query = mock!(Client::query).then_output(|| {
            QueryOutput::builder()
                .items(item("t1", "r1", false))
                .build()
        });
        let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&query]);
        let stop = stream_results(
            &client,
            &settings(),
            "k:1:2",
            &|| Duration::from_secs(60),
            &mut Gone,
        )
        .await
        .unwrap();
        assert_eq!(stop, Stop::ClientGone);
        assert_eq!(query.num_calls(), 1);
    }
}

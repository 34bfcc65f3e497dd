//! Pattern 003's steps. One binary serves every step; the environment variable `STEP` says
//! which (`a` to `f` for ProcessA, `downstream-a` to `downstream-c` for DownstreamProcess).
//!
//! A ProcessA step gets `{"processData": "<key>"}`, reads the JSON document at that key of
//! the bucket (the S3 side car), checks that the previous step's output is there (S3 may
//! serve an older version of the object; a missing output fails the step with the error
//! name `S3DataPreconditionError`, which the workflow retries), adds its own output, writes
//! the document back with server-side encryption, and returns its input unchanged. Step F
//! starts DownstreamProcess with that input first, then records the execution's ARN in the
//! document (the ARN exists only once it started). The workflow retries a step on Lambda's
//! transient errors, so step F may run twice for one document: the downstream execution is
//! named after the document's key, and a second attempt finds (and records) the execution
//! the first one started rather than starting another.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use aws_sdk_sfn::operation::start_execution::StartExecutionError;
use lambda_runtime::{service_fn, Diagnostic, LambdaEvent};
use serde_json::{json, Value};

/// A step of the pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    A,
    B,
    C,
    D,
    E,
    F,
    Downstream(char),
}

impl Step {
    pub fn parse(name: &str) -> Result<Step, String> {
        Ok(match name {
            "a" => Step::A,
            "b" => Step::B,
            "c" => Step::C,
            "d" => Step::D,
            "e" => Step::E,
            "f" => Step::F,
            "downstream-a" => Step::Downstream('a'),
            "downstream-b" => Step::Downstream('b'),
            "downstream-c" => Step::Downstream('c'),
            other => {
                return Err(format!(
                    "STEP {other:?} is not a step: a to f, or downstream-a to downstream-c"
                ))
            }
        })
    }

    fn letter(self) -> char {
        match self {
            Step::A => 'a',
            Step::B => 'b',
            Step::C => 'c',
            Step::D => 'd',
            Step::E => 'e',
            Step::F => 'f',
            Step::Downstream(c) => c,
        }
    }

    /// The key this step adds to the document.
    pub fn output_key(self) -> String {
        format!("step-{}-output", self.letter())
    }

    /// The key the previous step must have added.
    pub fn requires(self) -> Option<&'static str> {
        match self {
            Step::A | Step::Downstream(_) => None,
            Step::B => Some("step-a-output"),
            Step::C => Some("step-b-output"),
            Step::D => Some("step-c-output"),
            Step::E => Some("step-d-output"),
            Step::F => Some("step-e-output"),
        }
    }

    /// What steps A to E add (F adds the downstream execution's ARN).
    pub fn output(self) -> Value {
        match self {
            Step::A => json!({
                "status": "ok",
                "details": "nothing to share",
                "stepAOutput1": "a1",
                "stepAOutput2": false,
                "stepAOutput3": 123
            }),
            Step::B => json!({"property1": "p1", "property2": "p2"}),
            Step::C => json!({"cProperty": "i like c"}),
            Step::D => json!({"d": "d output"}),
            Step::E => json!({"e": "e output"}),
            Step::F | Step::Downstream(_) => Value::Null,
        }
    }
}

/// Why a step failed; the name is what Step Functions matches in `ErrorEquals`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepError {
    /// The previous step's output is not (yet) in the document.
    Precondition(String),
    /// The event or the document is not what the step works on.
    BadInput(String),
    /// S3 or Step Functions failed.
    Service(String),
}

impl From<StepError> for Diagnostic {
    fn from(e: StepError) -> Diagnostic {
        let (error_type, error_message) = match e {
            StepError::Precondition(m) => ("S3DataPreconditionError", m),
            StepError::BadInput(m) => ("BadInputError", m),
            StepError::Service(m) => ("ServiceError", m),
        };
        Diagnostic {
            error_type: error_type.into(),
            error_message,
        }
    }
}

/// The key of the document, from the event.
pub fn document_key(event: &Value) -> Result<String, StepError> {
    match event.get("processData") {
        Some(Value::String(k)) if !k.is_empty() => Ok(k.clone()),
        Some(other) => Err(StepError::BadInput(format!(
            "\"processData\" must be a non-empty string (an S3 key), not {other}"
        ))),
        None => Err(StepError::BadInput(
            "the event has no \"processData\" (the S3 key of the process data)".into(),
        )),
    }
}

/// Checks the document and adds `output` under the step's key.
pub fn apply(step: Step, document: &mut Value, output: Value) -> Result<(), StepError> {
    let Some(fields) = document.as_object_mut() else {
        return Err(StepError::BadInput(
            "the process data is not a JSON object".into(),
        ));
    };
    if let Some(required) = step.requires() {
        if !fields.contains_key(required) {
            return Err(StepError::Precondition(format!(
                "Unable to satisfy consistency predicate: {required} is not in the process data yet"
            )));
        }
    }
    fields.insert(step.output_key(), output);
    Ok(())
}

/// The clients and names a step works with.
pub struct Context {
    pub s3: aws_sdk_s3::Client,
    pub sfn: aws_sdk_sfn::Client,
    pub bucket: String,
    /// DownstreamProcess's ARN (step F).
    pub downstream_arn: Option<String>,
}

async fn read_document(ctx: &Context, key: &str) -> Result<Value, StepError> {
    let object = ctx
        .s3
        .get_object()
        .bucket(&ctx.bucket)
        .key(key)
        .send()
        .await
        .map_err(|e| {
            StepError::Service(format!(
                "GetObject {key}: {}",
                aws_sdk_s3::error::DisplayErrorContext(e)
            ))
        })?;
    let bytes = object
        .body
        .collect()
        .await
        .map_err(|e| StepError::Service(format!("reading {key}: {e}")))?
        .into_bytes();
    serde_json::from_slice(&bytes)
        .map_err(|e| StepError::BadInput(format!("the process data at {key} is not JSON: {e}")))
}

async fn write_document(ctx: &Context, key: &str, document: &Value) -> Result<(), StepError> {
    ctx.s3
        .put_object()
        .bucket(&ctx.bucket)
        .key(key)
        .body(ByteStream::from(document.to_string().into_bytes()))
        .server_side_encryption(ServerSideEncryption::Aes256)
        .send()
        .await
        .map_err(|e| {
            StepError::Service(format!(
                "PutObject {key}: {}",
                aws_sdk_s3::error::DisplayErrorContext(e)
            ))
        })?;
    Ok(())
}

/// The name of the downstream execution for the document at `key`: the key itself when it
/// is a valid execution name (the service's transaction ids, UUIDs, are), so that a retried
/// step F finds the execution its first attempt started; `None` otherwise (then each attempt
/// starts one under a generated name).
pub fn downstream_name(key: &str) -> Option<String> {
    let forbidden =
        |c: char| c.is_whitespace() || c.is_control() || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c);
    let usable = (1..=80).contains(&key.chars().count()) && !key.chars().any(forbidden);
    usable.then(|| key.to_string())
}

/// The ARN of the execution `name` of the state machine `machine_arn`
/// (`arn:<partition>:states:<region>:<account>:stateMachine:<machine>`).
pub fn execution_arn(machine_arn: &str, name: &str) -> Result<String, StepError> {
    let parts: Vec<&str> = machine_arn.split(':').collect();
    match parts.as_slice() {
        ["arn", partition, "states", region, account, "stateMachine", machine]
            if !machine.is_empty() =>
        {
            Ok(format!(
                "arn:{partition}:states:{region}:{account}:execution:{machine}:{name}"
            ))
        }
        _ => Err(StepError::BadInput(format!(
            "DOWNSTREAM_ARN {machine_arn:?} is not a state machine ARN (arn:<partition>:states:<region>:<account>:stateMachine:<name>)"
        ))),
    }
}

/// Starts DownstreamProcess for the document at `key` (see [`downstream_name`]); the
/// execution's ARN.
async fn start_downstream(ctx: &Context, key: &str, event: &Value) -> Result<String, StepError> {
    let arn = ctx
        .downstream_arn
        .as_deref()
        .ok_or_else(|| StepError::BadInput("DOWNSTREAM_ARN is not set".into()))?;
    let name = downstream_name(key);
    let started = ctx
        .sfn
        .start_execution()
        .state_machine_arn(arn)
        .set_name(name.clone())
        .input(event.to_string())
        .send()
        .await;
    match (started, name) {
        (Ok(started), _) => Ok(started.execution_arn().to_string()),
        // an earlier attempt of this step started it (same name, and it has ended since)
        (Err(e), Some(name))
            if matches!(
                e.as_service_error(),
                Some(StartExecutionError::ExecutionAlreadyExists(_))
            ) =>
        {
            execution_arn(arn, &name)
        }
        (Err(e), _) => Err(StepError::Service(format!(
            "StartExecution: {}",
            aws_sdk_sfn::error::DisplayErrorContext(e)
        ))),
    }
}

/// Runs `step` on `event`; returns the event unchanged.
pub async fn run(step: Step, ctx: &Context, event: Value) -> Result<Value, StepError> {
    if let Step::Downstream(_) = step {
        println!("downstream step {}: {event}", step.letter());
        return Ok(event);
    }
    let key = document_key(&event)?;
    let mut document = read_document(ctx, &key).await?;
    let output = if step == Step::F {
        // the precondition first: nothing downstream starts on stale data; then the start,
        // whose ARN is the output to record
        apply(step, &mut document.clone(), Value::Null)?;
        json!({ "downstreamExecutionArn": start_downstream(ctx, &key, &event).await? })
    } else {
        step.output()
    };
    apply(step, &mut document, output)?;
    write_document(ctx, &key, &document).await?;
    Ok(event)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let step = Step::parse(&std::env::var("STEP").unwrap_or_default())?;
    let config = aws_config::load_from_env().await;
    let ctx = Context {
        s3: aws_sdk_s3::Client::new(&config),
        sfn: aws_sdk_sfn::Client::new(&config),
        bucket: std::env::var("BUCKET_NAME").unwrap_or_default(),
        downstream_arn: std::env::var("DOWNSTREAM_ARN").ok(),
    };
    if ctx.bucket.is_empty() && !matches!(step, Step::Downstream(_)) {
        return Err("the environment variable BUCKET_NAME is not set".into());
    }
    let ctx = &ctx;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        run(step, ctx, event.payload).await
    }))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_s3::operation::get_object::GetObjectOutput;
    use aws_sdk_s3::operation::put_object::PutObjectOutput;
    use aws_sdk_sfn::operation::start_execution::StartExecutionOutput;
    use aws_smithy_mocks::{mock, mock_client, RuleMode};

    #[test]
    fn each_step_checks_the_previous_output_and_adds_its_own() {
        let mut doc = json!({"order": 1});
        for (step, name) in [
            (Step::A, "step-a-output"),
            (Step::B, "step-b-output"),
            (Step::C, "step-c-output"),
            (Step::D, "step-d-output"),
            (Step::E, "step-e-output"),
        ] {
            apply(step, &mut doc, step.output()).unwrap();
            assert!(doc.get(name).is_some());
        }
        assert_eq!(
            doc["step-a-output"],
            json!({"status": "ok", "details": "nothing to share", "stepAOutput1": "a1", "stepAOutput2": false, "stepAOutput3": 123})
        );
        assert_eq!(
            doc["step-b-output"],
            json!({"property1": "p1", "property2": "p2"})
        );
        assert_eq!(doc["step-c-output"], json!({"cProperty": "i like c"}));
        assert_eq!(doc["step-d-output"], json!({"d": "d output"}));
        assert_eq!(doc["step-e-output"], json!({"e": "e output"}));
        assert_eq!(doc["order"], 1);
    }

    #[test]
    fn a_missing_previous_output_is_an_s3_data_precondition_error() {
        for step in [Step::B, Step::C, Step::D, Step::E, Step::F] {
            let e = apply(step, &mut json!({}), Value::Null).unwrap_err();
            assert!(matches!(e, StepError::Precondition(_)), "{step:?}");
            let d = Diagnostic::from(e);
            assert_eq!(d.error_type, "S3DataPreconditionError");
            assert!(d.error_message.contains(step.requires().unwrap()));
        }
        assert!(apply(Step::A, &mut json!({}), Step::A.output()).is_ok());
    }

    #[test]
    fn bad_events_say_what_is_missing() {
        assert!(
            matches!(document_key(&json!({})), Err(StepError::BadInput(m)) if m.contains("no \"processData\""))
        );
        assert!(
            matches!(document_key(&json!({"processData": 3})), Err(StepError::BadInput(m)) if m.contains("must be a non-empty string"))
        );
        assert_eq!(
            Diagnostic::from(StepError::BadInput("x".into())).error_type,
            "BadInputError"
        );
        assert!(Step::parse("g").unwrap_err().contains("not a step"));
        assert_eq!(Step::parse("downstream-b").unwrap(), Step::Downstream('b'));
    }

    const DOWNSTREAM: &str = "arn:aws:states:us-east-1:1:stateMachine:down";

    /// The calls, in order, across both clients.
    type Calls = std::sync::Arc<std::sync::Mutex<Vec<&'static str>>>;

    /// Step F's clients: S3 serves `stored` at txn-1 and accepts the document that records
    /// `recorded` as the downstream execution; Step Functions starts DownstreamProcess with
    /// the event under the name txn-1 (`already`: an earlier attempt did).
    struct StepF {
        ctx: Context,
        get: aws_smithy_mocks::Rule,
        put: aws_smithy_mocks::Rule,
        start: aws_smithy_mocks::Rule,
        calls: Calls,
    }

    fn step_f(stored: Value, already: bool) -> StepF {
        let calls = Calls::default();
        let log = |calls: &Calls, what: &'static str| {
            let calls = calls.clone();
            move || calls.lock().unwrap().push(what)
        };
        let logged = log(&calls, "GetObject");
        let get = mock!(aws_sdk_s3::Client::get_object)
            .match_requests(|r| r.bucket() == Some("data") && r.key() == Some("txn-1"))
            .then_output(move || {
                logged();
                GetObjectOutput::builder()
                    .body(ByteStream::from(stored.to_string().into_bytes()))
                    .build()
            });
        // what step F writes: the document with the downstream execution's ARN
        let logged = log(&calls, "PutObject");
        let put = mock!(aws_sdk_s3::Client::put_object)
            .match_requests(|r| {
                r.bucket() == Some("data")
                    && r.key() == Some("txn-1")
                    && r.server_side_encryption() == Some(&ServerSideEncryption::Aes256)
                    && r.body().bytes().and_then(|b| serde_json::from_slice::<Value>(b).ok()).is_some_and(|d| {
                        d == json!({"step-e-output": {}, "step-f-output": {"downstreamExecutionArn": "arn:aws:states:us-east-1:1:execution:down:txn-1"}})
                    })
            })
            .then_output(move || {
                logged();
                PutObjectOutput::builder().build()
            });
        let logged = log(&calls, "StartExecution");
        let start = mock!(aws_sdk_sfn::Client::start_execution).match_requests(|r| {
            r.state_machine_arn() == Some(DOWNSTREAM)
                && r.name() == Some("txn-1")
                && r.input() == Some("{\"processData\":\"txn-1\"}")
        });
        let start = if already {
            start.then_error(move || {
                logged();
                StartExecutionError::ExecutionAlreadyExists(
                    aws_sdk_sfn::types::error::ExecutionAlreadyExists::builder()
                        .message("Execution Already Exists: txn-1")
                        .build(),
                )
            })
        } else {
            start.then_output(move || {
                logged();
                StartExecutionOutput::builder()
                    .execution_arn("arn:aws:states:us-east-1:1:execution:down:txn-1")
                    .start_date(aws_sdk_sfn::primitives::DateTime::from_secs(0))
                    .build()
                    .expect("required fields set")
            })
        };
        StepF {
            ctx: Context {
                s3: mock_client!(aws_sdk_s3, RuleMode::MatchAny, [&get, &put]),
                sfn: mock_client!(aws_sdk_sfn, RuleMode::MatchAny, [&start]),
                bucket: "data".into(),
                downstream_arn: Some(DOWNSTREAM.into()),
            },
            get,
            put,
            start,
            calls,
        }
    }

    #[tokio::test]
    async fn a_step_reads_writes_with_encryption_and_returns_its_input() {
        let put = mock!(aws_sdk_s3::Client::put_object)
            .match_requests(|r| {
                r.server_side_encryption() == Some(&ServerSideEncryption::Aes256)
                    && r.bucket() == Some("data")
                    && r.key() == Some("txn-1")
                    && r.body().bytes().and_then(|b| serde_json::from_slice::<Value>(b).ok())
                        == Some(json!({"input": 1, "step-a-output": {}, "step-b-output": {"property1": "p1", "property2": "p2"}}))
            })
            .then_output(|| PutObjectOutput::builder().build());
        let get = mock!(aws_sdk_s3::Client::get_object)
            .match_requests(|r| r.bucket() == Some("data") && r.key() == Some("txn-1"))
            .then_output(|| {
                GetObjectOutput::builder()
                    .body(ByteStream::from(
                        br#"{"input": 1, "step-a-output": {}}"#.to_vec(),
                    ))
                    .build()
            });
        let unused = step_f(json!({}), false);
        let ctx = Context {
            s3: mock_client!(aws_sdk_s3, RuleMode::MatchAny, [&get, &put]),
            ..unused.ctx
        };
        let event = json!({"processData": "txn-1"});
        assert_eq!(run(Step::B, &ctx, event.clone()).await.unwrap(), event);
        assert_eq!((get.num_calls(), put.num_calls()), (1, 1));
        // step C finds no step-b-output in what S3 serves: the retryable error, nothing written
        let e = run(Step::C, &ctx, event.clone()).await.unwrap_err();
        assert!(matches!(e, StepError::Precondition(_)));
        assert_eq!((get.num_calls(), put.num_calls()), (2, 1));
        assert_eq!(unused.start.num_calls(), 0);
    }

    #[tokio::test]
    async fn step_f_starts_the_downstream_process_then_records_it() {
        let f = step_f(json!({"step-e-output": {}}), false);
        let event = json!({"processData": "txn-1"});
        assert_eq!(run(Step::F, &f.ctx, event.clone()).await.unwrap(), event);
        assert_eq!(
            *f.calls.lock().unwrap(),
            ["GetObject", "StartExecution", "PutObject"]
        );
        assert_eq!(
            (f.get.num_calls(), f.start.num_calls(), f.put.num_calls()),
            (1, 1, 1)
        );
        // a stale document starts nothing and writes nothing
        let stale = step_f(json!({}), false);
        assert!(matches!(
            run(Step::F, &stale.ctx, event).await,
            Err(StepError::Precondition(_))
        ));
        assert_eq!(
            (
                stale.get.num_calls(),
                stale.start.num_calls(),
                stale.put.num_calls()
            ),
            (1, 0, 0)
        );
        // downstream steps touch nothing
        assert_eq!(
            run(Step::Downstream('a'), &stale.ctx, json!({"x": 1}))
                .await
                .unwrap(),
            json!({"x": 1})
        );
        assert_eq!(*stale.calls.lock().unwrap(), ["GetObject"]);
    }

    #[tokio::test]
    async fn a_retried_step_f_records_the_execution_its_first_attempt_started() {
        let f = step_f(json!({"step-e-output": {}}), true);
        let event = json!({"processData": "txn-1"});
        assert_eq!(run(Step::F, &f.ctx, event.clone()).await.unwrap(), event);
        assert_eq!(
            *f.calls.lock().unwrap(),
            ["GetObject", "StartExecution", "PutObject"]
        );
        assert_eq!(
            (f.get.num_calls(), f.start.num_calls(), f.put.num_calls()),
            (1, 1, 1)
        );
    }

    #[test]
    fn the_downstream_execution_is_named_after_a_key_that_can_name_one() {
        let uuid = "0190a5c2-7d3e-7c4b-9a1e-3f2b6c8d9e0f";
        assert_eq!(downstream_name(uuid).as_deref(), Some(uuid));
        for unusable in ["", "2026/01/order.json", "a b", "a:b", &"x".repeat(81)] {
            assert_eq!(downstream_name(unusable), None, "{unusable:?}");
        }
        assert_eq!(
            execution_arn(DOWNSTREAM, "txn-1").unwrap(),
            "arn:aws:states:us-east-1:1:execution:down:txn-1"
        );
        assert!(matches!(
            execution_arn("arn:downstream", "txn-1"),
            Err(StepError::BadInput(m)) if m.contains("is not a state machine ARN")
        ));
    }

    #[tokio::test]
    async fn a_key_that_cannot_name_an_execution_starts_one_unnamed() {
        let key = "2026/01/order.json";
        let get = mock!(aws_sdk_s3::Client::get_object).then_output(|| {
            GetObjectOutput::builder()
                .body(ByteStream::from(br#"{"step-e-output": {}}"#.to_vec()))
                .build()
        });
        let put = mock!(aws_sdk_s3::Client::put_object)
            .match_requests(move |r| r.key() == Some(key))
            .then_output(|| PutObjectOutput::builder().build());
        let start = mock!(aws_sdk_sfn::Client::start_execution)
            .match_requests(|r| r.name().is_none())
            .then_output(|| {
                StartExecutionOutput::builder()
                    .execution_arn("arn:aws:states:us-east-1:1:execution:down:generated")
                    .start_date(aws_sdk_sfn::primitives::DateTime::from_secs(0))
                    .build()
                    .expect("required fields set")
            });
        let ctx = Context {
            s3: mock_client!(aws_sdk_s3, RuleMode::MatchAny, [&get, &put]),
            sfn: mock_client!(aws_sdk_sfn, RuleMode::MatchAny, [&start]),
            bucket: "data".into(),
            downstream_arn: Some(DOWNSTREAM.into()),
        };
        run(Step::F, &ctx, json!({"processData": key}))
            .await
            .unwrap();
        assert_eq!(
            (get.num_calls(), start.num_calls(), put.num_calls()),
            (1, 1, 1)
        );
    }
}

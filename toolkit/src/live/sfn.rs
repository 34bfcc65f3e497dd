//! Step Functions called from a running execution, shaped as Step Functions shapes its own calls.
//!
//! The optimized integration (`states:startExecution`, `.sync`, `.sync:2`;
//! <https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html>) takes
//! `StateMachineArn`, `Input` and `Name` (the only parameters it supports) and sends them as the
//! API's `stateMachineArn`, `input` and `name`; an `Input` that is not text is sent as its JSON
//! text, and none at all as `{}` (the API reference of StartExecution: "If you don't include
//! any JSON input data, you still must include the two braces"). Its result is the API's answer
//! with the members in PascalCase and dates in epoch milliseconds: `{"ExecutionArn",
//! "StartDate"}` for a start; for `.sync`, the "Run a Job" pattern
//! (<https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-sync>),
//! the finished execution's DescribeExecution, its `Input` and `Output` as text, and for
//! `.sync:2` the same with `Input` and `Output` as JSON. A child that ends FAILED, ABORTED or
//! TIMED_OUT fails the task with `States.TaskFailed`, its cause that description as text (as
//! recorded against AWS in LocalStack's `test_sfn_task_service` snapshots); a refused call
//! fails with `StepFunctions.<Code>Exception` (`StepFunctions.ExecutionAlreadyExistsException`:
//! the Java exception's name, as recorded; the developer guide's nested-workflow page retries on
//! `StepFunctions.ExecutionLimitExceeded`, without the suffix: we follow the recording).
//!
//! The AWS SDK integration (`aws-sdk:sfn:<action>`;
//! <https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html>: "the
//! API action will always be camel case, and parameter names will be Pascal case") sends the
//! parameters with their members in the API's camelCase and hands back the answer in
//! PascalCase, dates as the API's JSON gives them; `Input`, `Output` and `Definition` given as
//! JSON are sent as their text. Its errors are `Sfn.<Code>Exception` ("the resulting Error
//! field will be composed of the service name and the error name ... in Pascal case").
//! SDK metadata (`SdkHttpMetadata`, `SdkResponseMetadata`) is not added.

use std::time::{Duration, Instant};

use rcdk_local::Failure;
use serde_json::{json, Map, Value as Json};

use super::Live;

/// What a `startExecution` task waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Request response: the start's answer.
    No,
    /// `.sync`: the end, `Input` and `Output` as text.
    Sync,
    /// `.sync:2`: the end, `Input` and `Output` as JSON.
    Sync2,
}

/// The parameters the optimized `startExecution` integration supports.
const START_PARAMETERS: &[&str] = &["StateMachineArn", "Input", "Name"];

/// Between two DescribeExecution calls of a `.sync` task.
const POLL: Duration = Duration::from_millis(500);

/// `StateMachineArn` → `stateMachineArn`.
fn lower_first(key: &str) -> String {
    let mut c = key.chars();
    c.next()
        .map(|f| f.to_ascii_lowercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// `executionArn` → `ExecutionArn`.
fn upper_first(key: &str) -> String {
    let mut c = key.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// Every object key of `value` renamed by `rename`, at every depth (Step Functions' API has no
/// map keyed by user data, so every key is a member name).
fn rename_keys(value: &Json, rename: &dyn Fn(&str) -> String) -> Json {
    match value {
        Json::Object(fields) => Json::Object(
            fields
                .iter()
                .map(|(k, v)| (rename(k), rename_keys(v, rename)))
                .collect::<Map<_, _>>(),
        ),
        Json::Array(items) => Json::Array(items.iter().map(|v| rename_keys(v, rename)).collect()),
        other => other.clone(),
    }
}

/// The integration's parameters (PascalCase) as the API's members (camelCase).
pub fn to_api(parameters: &Json) -> Json {
    rename_keys(parameters, &lower_first)
}

/// The API's answer (camelCase) as the integration's result (PascalCase).
pub fn to_integration(answer: &Json) -> Json {
    rename_keys(answer, &upper_first)
}

/// A JSON value Step Functions sends as its text (a string goes as it is).
fn as_text(value: &Json) -> Json {
    match value {
        Json::String(_) => value.clone(),
        Json::Null => Json::String("{}".into()),
        other => Json::String(other.to_string()),
    }
}

/// A date of the API's JSON (epoch seconds, fractional) in epoch milliseconds, as the optimized
/// integration gives it; text (an endpoint that answers ISO 8601) is read as a time.
fn millis(value: &Json) -> Json {
    match value {
        Json::Number(n) => n
            .as_f64()
            .map(|s| json!((s * 1000.0).round() as i64))
            .unwrap_or_else(|| value.clone()),
        Json::String(text) => rcdk_local::clock::parse(text)
            .map(|t| json!(t.timestamp_millis()))
            .unwrap_or_else(|| value.clone()),
        other => other.clone(),
    }
}

/// The optimized integration's StartExecution request: its three parameters, in the API's
/// casing, the input as text.
pub fn start_request(parameters: &Json) -> Result<Json, Failure> {
    let Some(fields) = parameters.as_object() else {
        return Err(Failure::new(
            "States.Runtime",
            format!("states:startExecution takes an object of parameters, not {parameters}"),
        ));
    };
    if let Some(unknown) = fields
        .keys()
        .find(|k| !START_PARAMETERS.contains(&k.as_str()))
    {
        return Err(Failure::new(
            "States.Runtime",
            format!(
                "The field \"{unknown}\" is not supported by Step Functions' states:startExecution (it takes {})",
                START_PARAMETERS.join(", ")
            ),
        ));
    }
    let mut request = Map::new();
    if let Some(arn) = fields.get("StateMachineArn") {
        request.insert("stateMachineArn".into(), arn.clone());
    }
    request.insert(
        "input".into(),
        as_text(fields.get("Input").unwrap_or(&Json::Null)),
    );
    if let Some(name) = fields.get("Name") {
        request.insert("name".into(), name.clone());
    }
    Ok(Json::Object(request))
}

/// StartExecution's or DescribeExecution's answer as the optimized integration gives it:
/// PascalCase, dates in epoch milliseconds; with `.sync:2`, `Input` and `Output` as JSON.
pub fn integration_result(answer: &Json, wait: Wait) -> Json {
    let mut out = to_integration(answer);
    if let Some(fields) = out.as_object_mut() {
        for date in ["StartDate", "StopDate", "RedriveDate"] {
            if let Some(v) = fields.get_mut(date) {
                *v = millis(v);
            }
        }
        if wait == Wait::Sync2 {
            for payload in ["Input", "Output"] {
                if let Some(v) = fields.get_mut(payload) {
                    if let Some(parsed) = v.as_str().and_then(|t| serde_json::from_str(t).ok()) {
                        *v = parsed;
                    }
                }
            }
        }
    }
    out
}

/// The AWS SDK integration's request: camelCase members, JSON payloads as their text.
pub fn sdk_request(parameters: &Json) -> Json {
    let mut request = parameters.clone();
    if let Some(fields) = request.as_object_mut() {
        for text in ["Input", "Output", "Definition"] {
            if let Some(v) = fields.get_mut(text) {
                if !v.is_string() && !v.is_null() {
                    *v = Json::String(v.to_string());
                }
            }
        }
    }
    to_api(&request)
}

/// An error name as Step Functions gives it: `<prefix>.<Code>Exception`.
pub fn error_name(prefix: &str, code: &str) -> String {
    if code.ends_with("Exception") {
        format!("{prefix}.{code}")
    } else {
        format!("{prefix}.{code}Exception")
    }
}

impl Live {
    /// One call to the Step Functions JSON API; a refusal is `<prefix>.<Code>Exception`.
    fn sfn_call(&self, action: &str, body: &Json, prefix: &str) -> Result<Json, Failure> {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        let target = format!("AWSStepFunctions.{action}");
        let answer = self.send(
            "states",
            "POST",
            "/",
            &[
                ("content-type", "application/x-amz-json-1.0"),
                ("x-amz-target", &target),
            ],
            bytes,
        )?;
        if let Some((code, message)) = answer.error_parts() {
            return Err(Failure::new(
                error_name(prefix, &code),
                format!(
                    "{message} (Service: AWSStepFunctions; Status Code: {}; Error Code: {code})",
                    answer.status
                ),
            ));
        }
        Ok(answer.json())
    }

    /// `states:startExecution[.sync[:2]]`; a `.sync` task waits at most `timeout_seconds`
    /// (the state's `TimeoutSeconds`), then fails with `States.Timeout` as Step Functions does.
    pub(super) fn start_execution(
        &self,
        parameters: &Json,
        wait: Wait,
        timeout_seconds: f64,
    ) -> Result<Json, Failure> {
        let request = start_request(parameters)?;
        let started = self.sfn_call("StartExecution", &request, "StepFunctions")?;
        if wait == Wait::No {
            return Ok(integration_result(&started, wait));
        }
        let arn = started["executionArn"].clone();
        let begun = Instant::now();
        loop {
            let described = self.sfn_call(
                "DescribeExecution",
                &json!({"executionArn": arn}),
                "StepFunctions",
            )?;
            match described["status"].as_str() {
                Some("RUNNING") | Some("PENDING_REDRIVE") => {
                    if begun.elapsed().as_secs_f64() >= timeout_seconds {
                        return Err(Failure::new(
                            "States.Timeout",
                            format!("the execution {arn} was still running after the task's TimeoutSeconds ({timeout_seconds} s)"),
                        ));
                    }
                    std::thread::sleep(POLL)
                }
                Some("SUCCEEDED") => return Ok(integration_result(&described, wait)),
                _ => {
                    return Err(Failure::new(
                        "States.TaskFailed",
                        integration_result(&described, wait).to_string(),
                    ))
                }
            }
        }
    }

    /// `aws-sdk:sfn:<action>`.
    pub(super) fn sdk_sfn(&self, action: &str, parameters: &Json) -> Result<Json, Failure> {
        let answer = self.sfn_call(&upper_first(action), &sdk_request(parameters), "Sfn")?;
        Ok(to_integration(&answer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_optimized_start_sends_the_api_s_members_and_the_input_as_text() {
        let request = start_request(&json!({
            "StateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:Child",
            "Input": {"Comment": "Hello world!"},
            "Name": "run-1"
        }))
        .unwrap();
        assert_eq!(
            request,
            json!({
                "stateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:Child",
                "input": "{\"Comment\":\"Hello world!\"}",
                "name": "run-1"
            })
        );
        // no input: the two braces; text: as it is
        assert_eq!(
            start_request(&json!({"StateMachineArn": "a"})).unwrap()["input"],
            "{}"
        );
        assert_eq!(
            start_request(&json!({"StateMachineArn": "a", "Input": "{\"a\":1}"})).unwrap()["input"],
            "{\"a\":1}"
        );
        let e = start_request(&json!({"StateMachineArn": "a", "TraceHeader": "x"})).unwrap_err();
        assert_eq!(e.error, "States.Runtime");
        assert!(e.cause.contains("\"TraceHeader\""), "{}", e.cause);
    }

    #[test]
    fn results_are_in_the_integration_s_casing_with_dates_in_milliseconds() {
        let described = json!({
            "executionArn": "arn:e", "stateMachineArn": "arn:m", "name": "n",
            "status": "SUCCEEDED", "startDate": 1700000000.25, "stopDate": 1700000001.5,
            "input": "{\"k\":1}", "inputDetails": {"included": true},
            "output": "{\"ok\":true}", "outputDetails": {"included": true}
        });
        let sync = integration_result(&described, Wait::Sync);
        assert_eq!(
            sync,
            json!({
                "ExecutionArn": "arn:e", "StateMachineArn": "arn:m", "Name": "n",
                "Status": "SUCCEEDED", "StartDate": 1700000000250_i64, "StopDate": 1700000001500_i64,
                "Input": "{\"k\":1}", "InputDetails": {"Included": true},
                "Output": "{\"ok\":true}", "OutputDetails": {"Included": true}
            })
        );
        let sync2 = integration_result(&described, Wait::Sync2);
        assert_eq!(sync2["Input"], json!({"k": 1}));
        assert_eq!(sync2["Output"], json!({"ok": true}));
        assert_eq!(
            integration_result(&json!({"startDate": "2023-11-14T22:13:20Z"}), Wait::No),
            json!({"StartDate": 1700000000000_i64})
        );
    }

    #[test]
    fn sdk_calls_go_in_camel_case_and_come_back_in_pascal_case() {
        assert_eq!(
            sdk_request(
                &json!({"StateMachineArn": "a", "StatusFilter": "FAILED", "MaxResults": 2})
            ),
            json!({"stateMachineArn": "a", "statusFilter": "FAILED", "maxResults": 2})
        );
        assert_eq!(
            sdk_request(&json!({"StateMachineArn": "a", "Input": {"x": [1]}})),
            json!({"stateMachineArn": "a", "input": "{\"x\":[1]}"})
        );
        assert_eq!(
            to_integration(&json!({"executions": [{"executionArn": "e", "startDate": 1.5}]})),
            json!({"Executions": [{"ExecutionArn": "e", "StartDate": 1.5}]})
        );
        assert_eq!(
            error_name("Sfn", "ExecutionDoesNotExist"),
            "Sfn.ExecutionDoesNotExistException"
        );
        assert_eq!(
            error_name("StepFunctions", "ValidationException"),
            "StepFunctions.ValidationException"
        );
    }
}

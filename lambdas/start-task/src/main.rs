//! Pattern 002's function: for `{"taskId": "Breakfast"}` it starts the task workflow with
//! `{"taskId": "Breakfast", "timestamp": <Unix seconds>}` under the execution name
//! `Breakfast-<seconds>`, and answers "Started step function execution id Breakfast-<seconds>!".
//!
//! The logic is in [`plan`] (pure) and [`start_task`] (takes its Step Functions client), both
//! tested without AWS; `main` only reads the environment and wires them to the runtime.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_sfn::Client;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

/// What to start: the execution's name and input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Execution {
    pub name: String,
    pub input: String,
}

/// Characters Step Functions refuses in an execution name.
const FORBIDDEN: &str = " <>{}[]?*\"#%\\^|~`$&,;:/";

/// Checks the event and builds the execution for it, at `now` (Unix seconds).
pub fn plan(event: &Value, now: u64) -> Result<Execution, String> {
    let task_id = match event.get("taskId") {
        None => return Err("the event has no \"taskId\"; send {\"taskId\": \"<id>\"}".into()),
        Some(Value::String(s)) if s.trim().is_empty() => {
            return Err("\"taskId\" is empty; send {\"taskId\": \"<id>\"}".into())
        }
        Some(Value::String(s)) => s.clone(),
        Some(other) => return Err(format!("\"taskId\" must be a string, not {other}")),
    };
    let name = format!("{task_id}-{now}");
    if name.chars().count() > 80 {
        return Err(format!(
            "\"taskId\" is too long: the execution name {name:?} must be at most 80 characters"
        ));
    }
    if let Some(bad) = task_id
        .chars()
        .find(|c| FORBIDDEN.contains(*c) || c.is_control())
    {
        return Err(format!(
            "\"taskId\" {task_id:?} holds {bad:?}, which an execution name may not contain"
        ));
    }
    let input = json!({ "taskId": task_id, "timestamp": now }).to_string();
    Ok(Execution { name, input })
}

/// Starts the execution the event asks for; returns the answer text.
pub async fn start_task(
    client: &Client,
    state_machine_arn: &str,
    event: &Value,
    now: u64,
) -> Result<String, Error> {
    let execution = plan(event, now)?;
    println!("starting {} with {}", execution.name, execution.input);
    client
        .start_execution()
        .state_machine_arn(state_machine_arn)
        .name(&execution.name)
        .input(&execution.input)
        .send()
        .await
        .map_err(|e| {
            format!(
                "StartExecution failed: {}",
                aws_sdk_sfn::error::DisplayErrorContext(e)
            )
        })?;
    Ok(format!(
        "Started step function execution id {}!",
        execution.name
    ))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let machine = std::env::var("StateMachineArn")
        .map_err(|_| "the environment variable StateMachineArn is not set")?;
    let config = aws_config::load_from_env().await;
    let client = Client::new(&config);
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let (client, machine) = (client.clone(), machine.clone());
        async move {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_err(|e| format!("the clock is before 1970: {e}"))?
                .as_secs();
            start_task(&client, &machine, &event.payload, now).await
        }
    }))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_sfn::operation::start_execution::{StartExecutionError, StartExecutionOutput};
    use aws_sdk_sfn::primitives::DateTime;
    use aws_smithy_mocks::{mock, mock_client, RuleMode};

    const ARN: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:Tasks";

    #[test]
    fn the_input_carries_the_task_and_the_time_and_names_the_execution() {
        let e = plan(&json!({"taskId": "Breakfast"}), 1_700_000_000).unwrap();
        assert_eq!(e.name, "Breakfast-1700000000");
        assert_eq!(
            serde_json::from_str::<Value>(&e.input).unwrap(),
            json!({"taskId": "Breakfast", "timestamp": 1_700_000_000u64})
        );
    }

    #[test]
    fn a_missing_empty_or_unusable_task_id_is_a_clear_error() {
        assert!(plan(&json!({}), 1).unwrap_err().contains("no \"taskId\""));
        assert!(plan(&json!({"taskId": "  "}), 1)
            .unwrap_err()
            .contains("is empty"));
        assert!(plan(&json!({"taskId": 7}), 1)
            .unwrap_err()
            .contains("must be a string"));
        assert!(plan(&json!({"taskId": "a b"}), 1)
            .unwrap_err()
            .contains("' '"));
        assert!(plan(&json!({"taskId": "x".repeat(80)}), 1)
            .unwrap_err()
            .contains("at most 80"));
    }

    #[tokio::test]
    async fn starts_the_execution_and_answers_with_its_name() {
        let rule = mock!(Client::start_execution)
            .match_requests(|r| {
                r.state_machine_arn() == Some(ARN)
                    && r.name() == Some("Breakfast-42")
                    && r.input().map(|i| serde_json::from_str::<Value>(i).ok())
                        == Some(Some(json!({"taskId": "Breakfast", "timestamp": 42})))
            })
            .then_output(|| {
                StartExecutionOutput::builder()
                    .execution_arn(
                        "arn:aws:states:us-east-1:123456789012:execution:Tasks:Breakfast-42",
                    )
                    .start_date(DateTime::from_secs(42))
                    .build()
                    .expect("both required fields are set")
            });
        let client = mock_client!(aws_sdk_sfn, RuleMode::MatchAny, [&rule]);
        let answer = start_task(&client, ARN, &json!({"taskId": "Breakfast"}), 42)
            .await
            .unwrap();
        assert_eq!(answer, "Started step function execution id Breakfast-42!");
        assert_eq!(rule.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_bad_event_starts_nothing_and_a_service_error_is_reported() {
        let rule = mock!(Client::start_execution).then_error(|| {
            StartExecutionError::ExecutionAlreadyExists(
                aws_sdk_sfn::types::error::ExecutionAlreadyExists::builder()
                    .message("already exists")
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_sfn, RuleMode::MatchAny, [&rule]);
        let e = start_task(&client, ARN, &json!({}), 1).await.unwrap_err();
        assert!(e.to_string().contains("no \"taskId\""));
        assert_eq!(rule.num_calls(), 0);
        let e = start_task(&client, ARN, &json!({"taskId": "Lunch"}), 1)
            .await
            .unwrap_err();
        assert!(
            e.to_string().contains("StartExecution failed")
                && e.to_string().contains("already exists"),
            "{e}"
        );
        assert_eq!(rule.num_calls(), 1);
    }
}

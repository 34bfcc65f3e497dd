//! Pattern 003's REST service, behind API Gateway (Lambda proxy): `POST` stores the JSON
//! body in the bucket under a fresh, time-ordered transaction id, starts ProcessA with
//! `{"processData": "<id>"}`, then asks DescribeExecution every 1.5 s until the execution
//! ends. It answers 200 `SUCCEEDED`, 400 with the execution's status when it failed, timed
//! out or was aborted, or 504 when it is still running after 20 s.

use std::time::Duration;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use aws_sdk_sfn::types::ExecutionStatus;
use lambda_http::{service_fn, Body, Error, Request, Response};
use serde_json::{json, Value};

/// Where and how long.
#[derive(Debug, Clone)]
pub struct Settings {
    pub bucket: String,
    pub machine_arn: String,
    pub poll_interval: Duration,
    pub timeout: Duration,
}

/// A transaction id that sorts by time (UUID v7).
pub fn transaction_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The answer: status code and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub text: String,
}

fn answer(status: u16, text: impl Into<String>) -> Answer {
    Answer {
        status,
        text: text.into(),
    }
}

/// Runs one request: store, start, poll, answer.
pub async fn serve(
    s3: &aws_sdk_s3::Client,
    sfn: &aws_sdk_sfn::Client,
    settings: &Settings,
    body: &[u8],
    transaction: &str,
) -> Answer {
    let input: Value = match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) | Err(_) => return answer(400, "the request body must be a JSON object"),
    };
    if let Err(e) = s3
        .put_object()
        .bucket(&settings.bucket)
        .key(transaction)
        .body(ByteStream::from(input.to_string().into_bytes()))
        .server_side_encryption(ServerSideEncryption::Aes256)
        .send()
        .await
    {
        return answer(
            502,
            format!(
                "cannot store the request: {}",
                aws_sdk_s3::error::DisplayErrorContext(e)
            ),
        );
    }
    let started = match sfn
        .start_execution()
        .state_machine_arn(&settings.machine_arn)
        .name(transaction)
        .input(json!({ "processData": transaction }).to_string())
        .send()
        .await
    {
        Ok(s) => s,
        Err(e) => {
            return answer(
                502,
                format!(
                    "cannot start the process: {}",
                    aws_sdk_sfn::error::DisplayErrorContext(e)
                ),
            )
        }
    };
    let arn = started.execution_arn().to_string();
    let deadline = tokio::time::Instant::now() + settings.timeout;
    loop {
        tokio::time::sleep(settings.poll_interval).await;
        let status = match sfn.describe_execution().execution_arn(&arn).send().await {
            Ok(d) => d.status().clone(),
            Err(e) => {
                eprintln!(
                    "DescribeExecution {arn}: {}",
                    aws_sdk_sfn::error::DisplayErrorContext(e)
                );
                ExecutionStatus::Running
            }
        };
        match status {
            ExecutionStatus::Succeeded => return answer(200, "SUCCEEDED"),
            ExecutionStatus::Running | ExecutionStatus::PendingRedrive => {
                if tokio::time::Instant::now() >= deadline {
                    return answer(
                        504,
                        format!(
                            "the process {arn} is still running after {} s",
                            settings.timeout.as_secs()
                        ),
                    );
                }
            }
            other => return answer(400, other.as_str().to_string()),
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let need = |name: &str| {
        std::env::var(name).map_err(|_| format!("the environment variable {name} is not set"))
    };
    let settings = Settings {
        bucket: need("BUCKET_NAME")?,
        machine_arn: need("STEP_FN_ARN")?,
        poll_interval: Duration::from_millis(1500),
        timeout: Duration::from_secs(20),
    };
    let config = aws_config::load_from_env().await;
    let (s3, sfn) = (
        aws_sdk_s3::Client::new(&config),
        aws_sdk_sfn::Client::new(&config),
    );
    let (s3, sfn, settings) = (&s3, &sfn, &settings);
    lambda_http::run(service_fn(move |request: Request| async move {
        let a = serve(
            s3,
            sfn,
            settings,
            request.body().as_ref(),
            &transaction_id(),
        )
        .await;
        Response::builder()
            .status(a.status)
            .header("content-type", "text/plain")
            .body(Body::from(a.text))
            .map_err(Error::from)
    }))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_s3::operation::put_object::PutObjectOutput;
    use aws_sdk_sfn::operation::describe_execution::DescribeExecutionOutput;
    use aws_sdk_sfn::operation::start_execution::StartExecutionOutput;
    use aws_sdk_sfn::primitives::DateTime;
    use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};

    fn settings() -> Settings {
        Settings {
            bucket: "data".into(),
            machine_arn: "arn:processA".into(),
            poll_interval: Duration::from_millis(5),
            timeout: Duration::from_millis(60),
        }
    }

    fn describe(status: ExecutionStatus) -> DescribeExecutionOutput {
        DescribeExecutionOutput::builder()
            .execution_arn("arn:exec")
            .state_machine_arn("arn:processA")
            .status(status)
            .start_date(DateTime::from_secs(0))
            .build()
            .expect("required fields set")
    }

    /// The clients, and the rules storing the body and starting ProcessA (to count them).
    struct Clients {
        s3: aws_sdk_s3::Client,
        sfn: aws_sdk_sfn::Client,
        put: Rule,
        start: Rule,
    }

    impl Clients {
        /// (PutObject, StartExecution, DescribeExecution) calls.
        fn calls(&self, describe_rule: &Rule) -> (usize, usize, usize) {
            (
                self.put.num_calls(),
                self.start.num_calls(),
                describe_rule.num_calls(),
            )
        }
    }

    fn clients(describe_rule: &Rule) -> Clients {
        let put = mock!(aws_sdk_s3::Client::put_object)
            .match_requests(|r| {
                r.bucket() == Some("data")
                    && r.key() == Some("txn-1")
                    && r.server_side_encryption() == Some(&ServerSideEncryption::Aes256)
                    && r.body().bytes() == Some(br#"{"order":7}"#.as_slice())
            })
            .then_output(|| PutObjectOutput::builder().build());
        let start = mock!(aws_sdk_sfn::Client::start_execution)
            .match_requests(|r| {
                r.state_machine_arn() == Some("arn:processA")
                    && r.name() == Some("txn-1")
                    && r.input() == Some(r#"{"processData":"txn-1"}"#)
            })
            .then_output(|| {
                StartExecutionOutput::builder()
                    .execution_arn("arn:exec")
                    .start_date(DateTime::from_secs(0))
                    .build()
                    .expect("required fields set")
            });
        Clients {
            s3: mock_client!(aws_sdk_s3, RuleMode::MatchAny, [&put]),
            sfn: mock_client!(aws_sdk_sfn, RuleMode::MatchAny, [&start, describe_rule]),
            put,
            start,
        }
    }

    #[tokio::test]
    async fn answers_200_once_the_process_succeeds() {
        let rule = mock!(aws_sdk_sfn::Client::describe_execution)
            .sequence()
            .output(|| describe(ExecutionStatus::Running))
            .output(|| describe(ExecutionStatus::Running))
            .output(|| describe(ExecutionStatus::Succeeded))
            .build();
        let c = clients(&rule);
        let a = serve(&c.s3, &c.sfn, &settings(), br#"{"order": 7}"#, "txn-1").await;
        assert_eq!(a, answer(200, "SUCCEEDED"));
        assert_eq!(c.calls(&rule), (1, 1, 3));
    }

    #[tokio::test]
    async fn answers_400_with_the_status_of_a_failed_process() {
        for status in [
            ExecutionStatus::Failed,
            ExecutionStatus::TimedOut,
            ExecutionStatus::Aborted,
        ] {
            let s = status.clone();
            let rule = mock!(aws_sdk_sfn::Client::describe_execution)
                .then_output(move || describe(s.clone()));
            let c = clients(&rule);
            let a = serve(&c.s3, &c.sfn, &settings(), br#"{"order": 7}"#, "txn-1").await;
            assert_eq!(a, answer(400, status.as_str()));
            assert_eq!(c.calls(&rule), (1, 1, 1));
        }
    }

    // virtual time: every poll is counted exactly
    #[tokio::test(start_paused = true)]
    async fn answers_504_when_it_is_still_running_at_the_deadline() {
        let rule = mock!(aws_sdk_sfn::Client::describe_execution)
            .then_output(|| describe(ExecutionStatus::Running));
        let c = clients(&rule);
        let a = serve(&c.s3, &c.sfn, &settings(), br#"{"order": 7}"#, "txn-1").await;
        assert_eq!(a.status, 504);
        assert!(a.text.contains("still running"), "{}", a.text);
        // 60 ms at one poll every 5 ms
        assert_eq!(c.calls(&rule), (1, 1, 12));
    }

    #[tokio::test]
    async fn a_body_that_is_not_a_json_object_is_refused_before_anything_starts() {
        let rule = mock!(aws_sdk_sfn::Client::describe_execution)
            .then_output(|| describe(ExecutionStatus::Succeeded));
        let c = clients(&rule);
        for body in [&b"not json"[..], b"[1]", b""] {
            let a = serve(&c.s3, &c.sfn, &settings(), body, "txn-1").await;
            assert_eq!(a, answer(400, "the request body must be a JSON object"));
        }
        assert_eq!(c.calls(&rule), (0, 0, 0));
    }

    #[test]
    fn transaction_ids_are_time_ordered() {
        let a = transaction_id();
        std::thread::sleep(Duration::from_millis(2));
        let b = transaction_id();
        assert!(a < b, "{a} {b}");
        assert_eq!(a.len(), 36);
    }
}

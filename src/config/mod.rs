//! `config.json`: the typed settings of the five patterns, read by `rcdk`'s context
//! (`ctx.validated_config::<Config>()`), which reports a bad file with its line, column and
//! key. [`Config`]'s [`Validate`] checks every limit a configured value can reach: what
//! CloudFormation, Lambda, DynamoDB, API Gateway or Step Functions would reject at deploy or
//! run time, and what would break a pattern; each limit is named in the message.

use serde::Deserialize;

use constructs::logs::RetentionDays;

mod validate;
pub use validate::limits;

/// The whole file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Config {
    /// Pattern 000: a workflow's results streamed by a Function URL.
    #[serde(default, deserialize_with = "rcdk::config::object")]
    pub async_streaming: AsyncStreamingConfig,
    /// Pattern 001: the waitable workflow.
    #[serde(default, deserialize_with = "rcdk::config::object")]
    pub waitable: WaitableConfig,
    /// Pattern 002: a Lambda starts a workflow that tracks a task's status.
    #[serde(default, deserialize_with = "rcdk::config::object")]
    pub task_status: TaskStatusConfig,
    /// Pattern 003: a workflow embedded in a REST service, with an S3 side car.
    #[serde(default, deserialize_with = "rcdk::config::object")]
    pub embedded_workflow: EmbeddedWorkflowConfig,
    /// Pattern 004: a Map over a list read from DynamoDB.
    #[serde(default, deserialize_with = "rcdk::config::object")]
    pub map_dynamo_db: MapDynamoDbConfig,
}

/// Pattern 000 (seed 000): an EXPRESS workflow writes results to DynamoDB; a streaming
/// function sends them to the client as they come.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct AsyncStreamingConfig {
    pub stack_name: String,
    /// The streaming function's timeout (the seed's `LambdaTimeout`).
    pub lambda_timeout_seconds: u32,
    /// Stop streaming when less than this is left of the invocation (`LambdaTimeoutBuffer`).
    pub lambda_timeout_buffer_ms: u64,
    /// Wait between two polls of the results table (`DDBPollingWaitMs`).
    pub poll_interval_ms: u64,
    /// The attribute that marks the final result (`FinalResultFieldName`).
    pub final_result_field_name: String,
    /// How many results the simulated workflow writes.
    pub result_count: u32,
    pub stage_name: String,
    pub log_retention_days: Retention,
    pub remove_data_on_destroy: bool,
}

impl Default for AsyncStreamingConfig {
    fn default() -> Self {
        AsyncStreamingConfig {
            stack_name: "AsyncStreamingResults".into(),
            lambda_timeout_seconds: 60,
            lambda_timeout_buffer_ms: 5000,
            poll_interval_ms: 2000,
            final_result_field_name: "FinalResult".into(),
            result_count: 5,
            stage_name: "live".into(),
            log_retention_days: Retention(RetentionDays::OneDay),
            remove_data_on_destroy: true,
        }
    }
}

/// Pattern 001 (seed 001): API → STANDARD workflow that waits until a timestamp.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct WaitableConfig {
    pub stack_name: String,
    /// The API's stage.
    pub stage_name: String,
    /// Delete the status table with the stack.
    pub remove_data_on_destroy: bool,
}

impl Default for WaitableConfig {
    fn default() -> Self {
        WaitableConfig {
            stack_name: "WaitableWorkflow".into(),
            stage_name: "dev".into(),
            remove_data_on_destroy: true,
        }
    }
}

/// Pattern 002 (seed 002): a Lambda starts the workflow; the workflow tracks the task.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct TaskStatusConfig {
    pub stack_name: String,
    /// The table's physical name (the seed's `Tasks`).
    pub table_name: String,
    /// The function's physical name (the seed's `InvokeTaskStepFunction`).
    pub function_name: String,
    pub log_retention_days: Retention,
    pub remove_data_on_destroy: bool,
}

impl Default for TaskStatusConfig {
    fn default() -> Self {
        TaskStatusConfig {
            stack_name: "TaskStatus".into(),
            table_name: "Tasks".into(),
            function_name: "InvokeTaskStepFunction".into(),
            log_retention_days: Retention(RetentionDays::OneWeek),
            remove_data_on_destroy: true,
        }
    }
}

/// Pattern 003 (seed 003): a REST service runs a six-step workflow whose data lives in S3.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct EmbeddedWorkflowConfig {
    pub stack_name: String,
    /// The API's stage (the seed's serverless stage).
    pub stage_name: String,
    pub log_retention_days: Retention,
    /// Delete the process data bucket with the stack (only when it is empty).
    pub remove_data_on_destroy: bool,
}

impl Default for EmbeddedWorkflowConfig {
    fn default() -> Self {
        EmbeddedWorkflowConfig {
            stack_name: "EmbeddedWorkflow".into(),
            stage_name: "dev".into(),
            log_retention_days: Retention(RetentionDays::OneWeek),
            remove_data_on_destroy: true,
        }
    }
}

/// Pattern 004 (seed 004): the original's `ddb` and `stepfunc` settings, same keys and
/// defaults.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct MapDynamoDbConfig {
    pub stack_name: String,
    #[serde(deserialize_with = "rcdk::config::object")]
    pub ddb: DdbSettings,
    #[serde(deserialize_with = "rcdk::config::object")]
    pub stepfunc: StepFuncSettings,
    pub log_retention_days: Retention,
}

impl Default for MapDynamoDbConfig {
    fn default() -> Self {
        MapDynamoDbConfig {
            stack_name: "MapDynamoDb".into(),
            ddb: DdbSettings::default(),
            stepfunc: StepFuncSettings::default(),
            log_retention_days: Retention(RetentionDays::OneDay),
        }
    }
}

/// The table of pattern 004, and the key of the item that holds the list.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct DdbSettings {
    pub table_name: String,
    pub partition_key_name: String,
    pub partition_key_value_field: String,
}

impl Default for DdbSettings {
    fn default() -> Self {
        DdbSettings {
            table_name: "StepFunctionsProjectDDBTable".into(),
            partition_key_name: "mapstatelist".into(),
            partition_key_value_field: "mapitems".into(),
        }
    }
}

/// The state machine of pattern 004.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct StepFuncSettings {
    pub max_concurrency: u32,
    pub wait_duration_seconds: u64,
    pub timeout_duration_seconds: u32,
}

impl Default for StepFuncSettings {
    fn default() -> Self {
        StepFuncSettings {
            max_concurrency: 1,
            wait_duration_seconds: 2,
            timeout_duration_seconds: 20,
        }
    }
}

/// A log retention in days, checked against the values CloudWatch Logs accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "u32")]
pub struct Retention(pub RetentionDays);

impl TryFrom<u32> for Retention {
    type Error = String;
    fn try_from(days: u32) -> Result<Self, Self::Error> {
        RetentionDays::from_days(days)
            .map(Retention)
            .ok_or_else(|| {
                let accepted: Vec<String> = RetentionDays::accepted_days()
                    .map(|d| d.to_string())
                    .collect();
                format!(
                    "{days} is not a retention CloudWatch Logs accepts ({})",
                    accepted.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcdk::config::{parse, ConfigError, Validate};

    fn invalid(text: &str) -> (usize, usize, String, String) {
        match parse::<Config>(text, "config.json") {
            Err(ConfigError::Invalid(e)) => (e.line, e.column, e.key, e.message),
            other => panic!("expected an Invalid error, got {other:?}"),
        }
    }

    #[test]
    fn the_checked_in_file_holds_the_defaults() {
        let file: Config = parse(include_str!("../../config.json"), "config.json").unwrap();
        assert_eq!(file, parse::<Config>("{}", "defaults").unwrap());
        assert_eq!(file.validate(), [], "the defaults are within every limit");
    }

    /// The keys of the violations of a configuration, and their messages.
    fn violations(text: &str) -> Vec<(String, String)> {
        let config: Config = parse(text, "config.json").unwrap();
        config
            .validate()
            .iter()
            .map(|v| (v.key().to_string(), v.message().to_string()))
            .collect()
    }

    /// The one violation of a configuration: its key and message.
    fn one(text: &str) -> (String, String) {
        let mut found = violations(text);
        assert_eq!(found.len(), 1, "{text}: {found:?}");
        found.remove(0)
    }

    #[test]
    fn step_functions_limits_name_the_key_and_the_limit() {
        let (key, m) =
            one(r#"{"mapDynamoDb": {"stepfunc": {"waitDurationSeconds": 18446744073709551615}}}"#);
        assert_eq!(key, "mapDynamoDb.stepfunc.waitDurationSeconds");
        assert!(m.contains("0 to 99,999,999"), "{m}");
        assert!(violations(r#"{"mapDynamoDb": {"stepfunc": {"waitDurationSeconds": 19, "timeoutDurationSeconds": 99999999}}}"#).is_empty());
        let (key, m) = one(r#"{"mapDynamoDb": {"stepfunc": {"maxConcurrency": 4294967295}}}"#);
        assert_eq!(key, "mapDynamoDb.stepfunc.maxConcurrency");
        assert!(m.contains("at most 2,147,483,647"), "{m}");
        assert!(
            violations(r#"{"mapDynamoDb": {"stepfunc": {"maxConcurrency": 2147483647}}}"#)
                .is_empty()
        );
        let (key, m) = one(r#"{"mapDynamoDb": {"stepfunc": {"timeoutDurationSeconds": 0}}}"#);
        assert_eq!(key, "mapDynamoDb.stepfunc.timeoutDurationSeconds");
        assert!(m.contains("at least 1"), "{m}");
        let (key, m) = one(r#"{"mapDynamoDb": {"stepfunc": {"waitDurationSeconds": 20}}}"#);
        assert_eq!(key, "mapDynamoDb.stepfunc.waitDurationSeconds");
        assert!(m.contains("times out after 20 s"), "{m}");

        for count in [0u64, 1001, 4294967295] {
            let (key, m) = one(&format!(
                r#"{{"asyncStreaming": {{"resultCount": {count}}}}}"#
            ));
            assert_eq!(key, "asyncStreaming.resultCount");
            assert!(m.contains("States.ArrayRange produces 1 to 1,000"), "{m}");
        }
        let (key, m) = one(r#"{"asyncStreaming": {"resultCount": 43}}"#);
        assert_eq!(key, "asyncStreaming.resultCount");
        assert!(m.contains("301 s in all"), "{m}");
        assert!(m.contains("at most 300 s (5 minutes)"), "{m}");
        assert!(violations(r#"{"asyncStreaming": {"resultCount": 42}}"#).is_empty());
    }

    #[test]
    fn the_streaming_functions_timing_is_checked() {
        let (key, m) = one(r#"{"asyncStreaming": {"pollIntervalMs": 0}}"#);
        assert_eq!(key, "asyncStreaming.pollIntervalMs");
        assert!(m.contains("0 ms"), "{m}");
        for (timeout, buffer) in [(5u32, 5000u64), (5, 5001), (1, 18446744073709551615)] {
            let (key, m) = one(&format!(
                r#"{{"asyncStreaming": {{"lambdaTimeoutSeconds": {timeout}, "lambdaTimeoutBufferMs": {buffer}}}}}"#
            ));
            assert_eq!(key, "asyncStreaming.lambdaTimeoutBufferMs");
            assert!(m.contains("not shorter than the function's timeout"), "{m}");
        }
        let (key, m) = one(r#"{"asyncStreaming": {"pollIntervalMs": 5001}}"#);
        assert_eq!(key, "asyncStreaming.pollIntervalMs");
        assert!(m.contains("longer than the 5,000 ms buffer"), "{m}");
        let (key, m) = one(r#"{"asyncStreaming": {"lambdaTimeoutSeconds": 901}}"#);
        assert_eq!(key, "asyncStreaming.lambdaTimeoutSeconds");
        assert!(m.contains("outside Lambda's 1..=900"), "{m}");
    }

    #[test]
    fn names_follow_the_rules_of_their_service() {
        for (text, key, says) in [
            (
                r#"{"waitable": {"stackName": ""}}"#,
                "waitable.stackName",
                "1 to 128",
            ),
            (
                r#"{"waitable": {"stageName": ""}}"#,
                "waitable.stageName",
                "1 to 128",
            ),
            (
                r#"{"embeddedWorkflow": {"stageName": "a b"}}"#,
                "embeddedWorkflow.stageName",
                "' '",
            ),
            (
                r#"{"taskStatus": {"tableName": "T"}}"#,
                "taskStatus.tableName",
                "3 to 255",
            ),
            (
                r#"{"taskStatus": {"functionName": ""}}"#,
                "taskStatus.functionName",
                "1 to 64",
            ),
            (
                r#"{"mapDynamoDb": {"ddb": {"partitionKeyName": ""}}}"#,
                "mapDynamoDb.ddb.partitionKeyName",
                "1 to 255 bytes",
            ),
            (
                r#"{"mapDynamoDb": {"ddb": {"partitionKeyName": "values"}}}"#,
                "mapDynamoDb.ddb.partitionKeyName",
                "holds the list",
            ),
            (
                r#"{"mapDynamoDb": {"ddb": {"partitionKeyValueField": ""}}}"#,
                "mapDynamoDb.ddb.partitionKeyValueField",
                "1 to 2,048 bytes",
            ),
            (
                r#"{"asyncStreaming": {"finalResultFieldName": ""}}"#,
                "asyncStreaming.finalResultFieldName",
                "empty",
            ),
            (
                r#"{"asyncStreaming": {"finalResultFieldName": "Streamed"}}"#,
                "asyncStreaming.finalResultFieldName",
                "already an attribute",
            ),
            (
                r#"{"asyncStreaming": {"finalResultFieldName": "a\"b"}}"#,
                "asyncStreaming.finalResultFieldName",
                "JSON document",
            ),
            (
                r#"{"asyncStreaming": {"finalResultFieldName": "done.$"}}"#,
                "asyncStreaming.finalResultFieldName",
                "as a path",
            ),
        ] {
            let (k, m) = one(text);
            assert_eq!(k, key, "{text}");
            assert!(m.contains(says), "{text}: {m}");
        }
        let long = "k".repeat(2049);
        let (key, m) = one(&format!(
            r#"{{"mapDynamoDb": {{"ddb": {{"partitionKeyValueField": "{long}"}}}}}}"#
        ));
        assert_eq!(key, "mapDynamoDb.ddb.partitionKeyValueField");
        assert!(m.contains("2,049 bytes"), "{m}");
        let (key, m) = one(&format!(
            r#"{{"asyncStreaming": {{"finalResultFieldName": "{}"}}}}"#,
            "F".repeat(4000)
        ));
        assert_eq!(key, "asyncStreaming.finalResultFieldName");
        assert!(m.contains("Lambda allows 4,096 (4 KB)"), "{m}");
    }

    #[test]
    fn stacks_and_tables_of_one_app_need_their_own_names() {
        let found = violations(
            r#"{"waitable": {"stackName": "Same"}, "mapDynamoDb": {"stackName": "Same"}}"#,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "mapDynamoDb.stackName");
        assert!(
            found[0].1.contains("is also waitable.stackName"),
            "{found:?}"
        );
        let (key, m) = one(
            r#"{"taskStatus": {"tableName": "Lists"}, "mapDynamoDb": {"ddb": {"tableName": "Lists"}}}"#,
        );
        assert_eq!(key, "mapDynamoDb.ddb.tableName");
        assert!(m.contains("is also taskStatus.tableName"), "{m}");
    }

    #[test]
    fn sections_must_be_objects() {
        for text in [
            r#"{"waitable": []}"#,
            r#"{"mapDynamoDb": {"ddb": []}}"#,
            "[]",
        ] {
            let (_, _, _, message) = invalid(text);
            assert!(message.contains("expected an object"), "{text}: {message}");
        }
    }

    #[test]
    fn defaults_fill_missing_keys() {
        let c: Config = parse(r#"{"asyncStreaming": {"pollIntervalMs": 500}}"#, "c").unwrap();
        assert_eq!(c.async_streaming.poll_interval_ms, 500);
        assert_eq!(c.async_streaming.lambda_timeout_buffer_ms, 5000);
        assert_eq!(c.async_streaming.final_result_field_name, "FinalResult");
        assert_eq!(c.waitable, WaitableConfig::default());
        assert_eq!(c.map_dynamo_db.ddb.partition_key_name, "mapstatelist");
        assert_eq!(c.map_dynamo_db.stepfunc.timeout_duration_seconds, 20);
        assert_eq!(c.task_status.table_name, "Tasks");
        assert_eq!(c.embedded_workflow.stage_name, "dev");
    }

    #[test]
    fn unknown_keys_name_the_key_and_position() {
        let (line, column, key, message) =
            invalid("{\n  \"asyncStreaming\": {\n    \"pollIntervalMS\": 256\n  }\n}");
        assert_eq!((line, key.as_str()), (3, "asyncStreaming.pollIntervalMS"));
        assert!(column > 0);
        assert!(
            message.contains("unknown field `pollIntervalMS`"),
            "{message}"
        );
        assert!(
            message.contains("pollIntervalMs"),
            "lists the expected keys: {message}"
        );
        let (_, _, key, _) = invalid(r#"{"asyncStreamin": {}}"#);
        assert_eq!(key, "asyncStreamin");
        let (_, _, key, _) = invalid(r#"{"mapDynamoDb": {"ddb": {"tablename": "x"}}}"#);
        assert_eq!(key, "mapDynamoDb.ddb.tablename");
    }

    #[test]
    fn wrong_types_name_the_key() {
        let (line, _, key, message) = invalid("{\"taskStatus\": {\n\"tableName\": 7}}");
        assert_eq!((line, key.as_str()), (2, "taskStatus.tableName"));
        assert!(message.contains("expected a string"), "{message}");
        let (_, _, key, message) =
            invalid(r#"{"mapDynamoDb": {"stepfunc": {"maxConcurrency": -1}}}"#);
        assert_eq!(key, "mapDynamoDb.stepfunc.maxConcurrency");
        assert!(message.contains("expected u32"), "{message}");
    }

    #[test]
    fn bad_retention_is_explained() {
        let (_, _, key, message) = invalid(r#"{"asyncStreaming": {"logRetentionDays": 13}}"#);
        assert_eq!(key, "asyncStreaming.logRetentionDays");
        assert!(message.contains("13 is not a retention"), "{message}");
        assert!(message.contains("1, 3, 5, 7, 14"), "{message}");
    }

    #[test]
    fn syntax_errors_give_line_and_column() {
        let (line, column, _, message) = invalid("{\n  \"waitable\": {,}\n}");
        assert_eq!((line, column), (2, 16));
        assert!(message.contains("key must be a string"), "{message}");
        let (line, _, _, message) = invalid("{\"waitable\": {}} trailing");
        assert_eq!(line, 1);
        assert!(message.contains("trailing characters"), "{message}");
        let (_, _, _, message) = invalid("");
        assert!(message.contains("EOF"), "{message}");
    }
}

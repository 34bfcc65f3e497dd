//! `config.json`: the typed settings of the app. A missing file, invalid JSON, an unknown key
//! or a wrong type fails with the file, the line, the column and the key.

use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Deserialize;

use constructs::logs::RetentionDays;

/// The whole file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Config {
    /// Pattern 000: a workflow's results streamed by a Function URL.
    #[serde(default)]
    pub async_streaming: AsyncStreamingConfig,
    /// Pattern 001: the waitable workflow.
    #[serde(default)]
    pub waitable: WaitableConfig,
    /// Pattern 002: a Lambda starts a workflow that tracks a task's status.
    #[serde(default)]
    pub task_status: TaskStatusConfig,
    /// Pattern 003: a workflow embedded in a REST service, with an S3 side car.
    #[serde(default)]
    pub embedded_workflow: EmbeddedWorkflowConfig,
    /// Pattern 004: a Map over a list read from DynamoDB.
    #[serde(default)]
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
    pub ddb: DdbSettings,
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

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ConfigError {
    #[error("config file {} not found", path.display())]
    #[diagnostic(
        code(rcdk::config::missing),
        help("run from the project's root, or name the file with --config FILE")
    )]
    Missing { path: PathBuf },

    #[error("cannot read config file {}: {source}", path.display())]
    #[diagnostic(code(rcdk::config::unreadable))]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<InvalidConfig>),
}

/// Content that does not fit the schema: where it is, and what is wrong.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{file}:{line}:{column}: {message}")]
#[diagnostic(code(rcdk::config::invalid))]
pub struct InvalidConfig {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The dotted key path (`asyncStreaming.pollIntervalMs`), or `.` for the top level.
    pub key: String,
    pub message: String,
    #[source_code]
    source_code: NamedSource<String>,
    #[label("{label}")]
    span: SourceSpan,
    label: String,
    #[help]
    help: Option<String>,
}

impl ConfigError {
    /// The key path the error is about, for invalid content.
    pub fn key(&self) -> Option<&str> {
        match self {
            ConfigError::Invalid(invalid) => Some(&invalid.key),
            _ => None,
        }
    }
}

/// Byte offset of a 1-based line and column.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

/// The span to underline for an error serde_json reports at `offset` (the last character of
/// the token it complains about): the whole string when that token is one, else the character.
fn error_span(text: &str, offset: usize) -> SourceSpan {
    let end = text[offset.min(text.len())..]
        .chars()
        .next()
        .map_or(text.len(), |c| offset + c.len_utf8());
    let before = &text[..end];
    if before.ends_with('"') && before.len() >= 2 {
        if let Some(start) = before[..before.len() - 1].rfind('"') {
            return SourceSpan::from((start, before.len() - start));
        }
    }
    let start = before.char_indices().last().map_or(0, |(i, _)| i);
    SourceSpan::from((start, usize::from(!text.is_empty())))
}

/// Parses the configuration from `text`; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let result: Result<Config, (String, serde_json::Error)> =
        serde_path_to_error::deserialize(&mut de)
            .map_err(|err| (err.path().to_string(), err.into_inner()))
            // nothing may follow the object
            .and_then(|c| de.end().map(|()| c).map_err(|e| (".".to_string(), e)));
    result.map_err(|(key, inner)| {
        let (line, column) = (inner.line(), inner.column());
        let full = inner.to_string();
        let message = full
            .rsplit_once(" at line ")
            .map_or(full.as_str(), |(m, _)| m)
            .to_string();
        let is_syntax = matches!(
            inner.classify(),
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof
        );
        let help = if is_syntax {
            Some("config.json must be valid JSON (no comments, no trailing commas)".to_string())
        } else if message.starts_with("unknown field") {
            Some("remove the key, or check its spelling against the keys listed".to_string())
        } else {
            None
        };
        let message = if is_syntax || key == "." {
            message
        } else {
            format!("key `{key}`: {message}")
        };
        let span = error_span(text, offset_of(text, line, column));
        let label = if message.contains("unknown field") {
            "unknown key".to_string()
        } else if is_syntax {
            "here".to_string()
        } else {
            "this value".to_string()
        };
        ConfigError::Invalid(Box::new(InvalidConfig {
            file: file.to_string(),
            line,
            column,
            key,
            label,
            message,
            source_code: NamedSource::new(file, text.to_string()),
            span,
            help,
        }))
    })
}

/// Loads the configuration from `path`.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ConfigError::Missing {
                path: path.to_path_buf(),
            })
        }
        Err(e) => {
            return Err(ConfigError::Unreadable {
                path: path.to_path_buf(),
                source: e,
            })
        }
    };
    parse(&text, &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid(text: &str) -> (usize, usize, String, String) {
        match parse(text, "config.json") {
            Err(ConfigError::Invalid(e)) => (e.line, e.column, e.key, e.message),
            other => panic!("expected an Invalid error, got {other:?}"),
        }
    }

    #[test]
    fn the_checked_in_file_holds_the_defaults() {
        let file = parse(include_str!("../config.json"), "config.json").unwrap();
        assert_eq!(file, parse("{}", "defaults").unwrap());
    }

    #[test]
    fn defaults_fill_missing_keys() {
        let c = parse(r#"{"asyncStreaming": {"pollIntervalMs": 500}}"#, "c").unwrap();
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

    #[test]
    fn a_missing_file_is_named() {
        let e = load(Path::new("/nonexistent/rcdk.json")).unwrap_err();
        assert!(matches!(e, ConfigError::Missing { .. }));
        assert!(e.to_string().contains("/nonexistent/rcdk.json"));
    }
}

//! The typed Amazon States Language: definitions, the eight state types and their fields.

use indexmap::IndexMap;

use crate::core::token::fns;
use crate::core::value::Value;
use crate::iam::PolicyStatement;
use crate::s3::Bucket;

use super::condition::Condition;
use super::input::Input;

/// The variable that stands for the state machine's own name until the `StateMachine`
/// construct knows it: an ARN built from it never refers to the machine's resource, so a
/// machine may call itself without a dependency cycle.
pub const THIS_MACHINE_NAME: &str = "rcdk:ThisStateMachineName";

/// The ARN of the state machine that runs the definition, built from its name
/// (`arn:<partition>:states:<region>:<account>:stateMachine:<name>`): for a machine that
/// starts executions of itself.
pub fn this_state_machine_arn() -> Value {
    fns::sub(format!(
        "arn:${{AWS::Partition}}:states:${{AWS::Region}}:${{AWS::AccountId}}:stateMachine:${{{THIS_MACHINE_NAME}}}"
    ))
}

/// The ARNs of the executions of the machine that runs the definition: its own executions
/// (`execution:<name>:*`) and a Distributed Map's child executions (`execution:<name>/*`).
pub fn this_state_machine_executions() -> Vec<Value> {
    [":", "/"]
        .iter()
        .map(|sep| {
            fns::sub(format!(
                "arn:${{AWS::Partition}}:states:${{AWS::Region}}:${{AWS::AccountId}}:execution:${{{THIS_MACHINE_NAME}}}{sep}*"
            ))
        })
        .collect()
}

/// `QueryLanguage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryLanguage {
    /// `JSONPath`: paths, intrinsic functions, `Parameters` and `ResultSelector` (the default).
    JsonPath,
    /// `JSONata`: `{% %}` expressions, `Arguments` and `Output`.
    Jsonata,
}

impl QueryLanguage {
    /// The value written in the ASL.
    pub fn as_str(self) -> &'static str {
        match self {
            QueryLanguage::JsonPath => "JSONPath",
            QueryLanguage::Jsonata => "JSONata",
        }
    }
}

/// The value of `InputPath`, `OutputPath` or `ResultPath`: a reference path, or `null`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathValue {
    /// `null`: for InputPath an empty input, for ResultPath the input passed through, for
    /// OutputPath an empty output.
    Null,
    /// A reference path, `$.result`.
    Path(String),
}

impl PathValue {
    /// A reference path, `$.result`.
    pub fn path(p: impl Into<String>) -> Self {
        PathValue::Path(p.into())
    }
}

/// `Next` or `End`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    /// `Next`: the name of the state to go to.
    Next(String),
    /// `End: true`: the state ends its definition (or branch, or iteration).
    End,
}

/// A number, a reference path to one, or a JSONata expression giving one: rendered as
/// `Field: n`, `FieldPath: "$.x"` or `Field: "{% ... %}"`.
#[derive(Debug, Clone, PartialEq)]
pub enum Amount {
    /// A number, `Field: n`.
    Value(serde_json::Number),
    /// A reference path to one, `FieldPath: "$.x"`.
    Path(String),
    /// A JSONata expression giving one, `Field: "{% ... %}"`.
    Expr(String),
}

impl From<u32> for Amount {
    fn from(n: u32) -> Self {
        Amount::Value(n.into())
    }
}

/// The error names Step Functions defines, and custom ones.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorName {
    /// `States.ALL`: any error.
    All,
    /// `States.HeartbeatTimeout`: a task sent no heartbeat for longer than `HeartbeatSeconds`.
    HeartbeatTimeout,
    /// `States.Timeout`: a task ran longer than `TimeoutSeconds`, or sent no heartbeat in time.
    Timeout,
    /// `States.TaskFailed`: a task failed (every error but `States.Timeout`).
    TaskFailed,
    /// `States.Permissions`: the role lacked a right the task needed.
    Permissions,
    /// `States.ResultPathMatchFailure`: the `ResultPath` cannot be applied to the input.
    ResultPathMatchFailure,
    /// `States.ParameterPathFailure`: a path of `Parameters` matched nothing.
    ParameterPathFailure,
    /// `States.QueryEvaluationError`: a JSONata expression failed.
    QueryEvaluationError,
    /// `States.BranchFailed`: a branch of a Parallel state failed.
    BranchFailed,
    /// `States.NoChoiceMatched`: no rule of a Choice state held and it has no `Default`.
    NoChoiceMatched,
    /// `States.IntrinsicFailure`: an intrinsic function failed.
    IntrinsicFailure,
    /// `States.ExceedToleratedFailureThreshold`: more child executions of a Map failed than
    /// tolerated.
    ExceedToleratedFailureThreshold,
    /// `States.ItemReaderFailed`: a Distributed Map could not read its items.
    ItemReaderFailed,
    /// `States.ResultWriterFailed`: a Distributed Map could not write its results.
    ResultWriterFailed,
    /// `States.Runtime`: an execution failed for a reason that cannot be caught (a bad path).
    Runtime,
    /// Any other name: a Lambda function's error type, `Lambda.ServiceException`, ...
    Custom(String),
}

impl ErrorName {
    /// The name as written in `ErrorEquals`.
    pub fn as_str(&self) -> &str {
        match self {
            ErrorName::All => "States.ALL",
            ErrorName::HeartbeatTimeout => "States.HeartbeatTimeout",
            ErrorName::Timeout => "States.Timeout",
            ErrorName::TaskFailed => "States.TaskFailed",
            ErrorName::Permissions => "States.Permissions",
            ErrorName::ResultPathMatchFailure => "States.ResultPathMatchFailure",
            ErrorName::ParameterPathFailure => "States.ParameterPathFailure",
            ErrorName::QueryEvaluationError => "States.QueryEvaluationError",
            ErrorName::BranchFailed => "States.BranchFailed",
            ErrorName::NoChoiceMatched => "States.NoChoiceMatched",
            ErrorName::IntrinsicFailure => "States.IntrinsicFailure",
            ErrorName::ExceedToleratedFailureThreshold => "States.ExceedToleratedFailureThreshold",
            ErrorName::ItemReaderFailed => "States.ItemReaderFailed",
            ErrorName::ResultWriterFailed => "States.ResultWriterFailed",
            ErrorName::Runtime => "States.Runtime",
            ErrorName::Custom(s) => s,
        }
    }

    /// The name as written in a definition; `States.*` names Step Functions does not define
    /// stay custom (and are reported by validation).
    pub fn parse(s: &str) -> Self {
        match s {
            "States.ALL" => ErrorName::All,
            "States.HeartbeatTimeout" => ErrorName::HeartbeatTimeout,
            "States.Timeout" => ErrorName::Timeout,
            "States.TaskFailed" => ErrorName::TaskFailed,
            "States.Permissions" => ErrorName::Permissions,
            "States.ResultPathMatchFailure" => ErrorName::ResultPathMatchFailure,
            "States.ParameterPathFailure" => ErrorName::ParameterPathFailure,
            "States.QueryEvaluationError" => ErrorName::QueryEvaluationError,
            "States.BranchFailed" => ErrorName::BranchFailed,
            "States.NoChoiceMatched" => ErrorName::NoChoiceMatched,
            "States.IntrinsicFailure" => ErrorName::IntrinsicFailure,
            "States.ExceedToleratedFailureThreshold" => ErrorName::ExceedToleratedFailureThreshold,
            "States.ItemReaderFailed" => ErrorName::ItemReaderFailed,
            "States.ResultWriterFailed" => ErrorName::ResultWriterFailed,
            "States.Runtime" => ErrorName::Runtime,
            other => ErrorName::Custom(other.to_string()),
        }
    }
}

impl From<&str> for ErrorName {
    fn from(s: &str) -> Self {
        ErrorName::parse(s)
    }
}

/// `JitterStrategy` of a retrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    /// `FULL`: the interval is randomized between zero and its computed value.
    Full,
    /// `NONE`: the interval is as computed (the default).
    None,
}

/// One entry of `Retry`.
#[derive(Debug, Clone, PartialEq)]
pub struct Retrier {
    /// `ErrorEquals`: the errors retried.
    pub error_equals: Vec<ErrorName>,
    /// `IntervalSeconds`: the wait before the first retry (default: 1).
    pub interval_seconds: Option<u32>,
    /// `MaxAttempts`: the most retries (default: 3; 0 never retries).
    pub max_attempts: Option<u32>,
    /// `BackoffRate`: the multiplier of the interval at each retry (default: 2.0).
    pub backoff_rate: Option<serde_json::Number>,
    /// `MaxDelaySeconds`: the longest interval.
    pub max_delay_seconds: Option<u32>,
    /// `JitterStrategy`.
    pub jitter_strategy: Option<Jitter>,
    /// `Comment`.
    pub comment: Option<String>,
}

impl Retrier {
    /// A retrier of the given errors, with Step Functions' defaults.
    pub fn on<E: Into<ErrorName>>(errors: impl IntoIterator<Item = E>) -> Self {
        Retrier {
            error_equals: errors.into_iter().map(Into::into).collect(),
            interval_seconds: None,
            max_attempts: None,
            backoff_rate: None,
            max_delay_seconds: None,
            jitter_strategy: None,
            comment: None,
        }
    }
    /// The wait before the first retry (`IntervalSeconds`).
    pub fn interval_seconds(mut self, s: u32) -> Self {
        self.interval_seconds = Some(s);
        self
    }
    /// The most retries (`MaxAttempts`).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = Some(n);
        self
    }
    /// The multiplier of the interval; an integer renders as one (`2`), a fraction as a
    /// fraction (`1.5`).
    pub fn backoff_rate(mut self, rate: f64) -> Self {
        self.backoff_rate = if rate.fract() == 0.0 && (0.0..1e15).contains(&rate) {
            Some(serde_json::Number::from(rate as u64))
        } else {
            serde_json::Number::from_f64(rate)
        };
        self
    }
    /// The longest interval (`MaxDelaySeconds`).
    pub fn max_delay_seconds(mut self, s: u32) -> Self {
        self.max_delay_seconds = Some(s);
        self
    }
    /// Randomizes the intervals or not (`JitterStrategy`).
    pub fn jitter(mut self, j: Jitter) -> Self {
        self.jitter_strategy = Some(j);
        self
    }
}

/// One entry of `Catch`.
#[derive(Debug, Clone, PartialEq)]
pub struct Catcher {
    /// `ErrorEquals`: the errors caught.
    pub error_equals: Vec<ErrorName>,
    /// `Next`: the state to go to.
    pub next: String,
    /// `ResultPath`: where the error goes in the state's input (JSONPath).
    pub result_path: Option<PathValue>,
    /// `Output`: what goes to `Next` (JSONata).
    pub output: Option<Value>,
    /// `Assign`: variables set when the error is caught.
    pub assign: Option<Value>,
    /// `Comment`.
    pub comment: Option<String>,
}

impl Catcher {
    /// A catcher of the given errors that goes to `next`.
    pub fn on<E: Into<ErrorName>>(
        errors: impl IntoIterator<Item = E>,
        next: impl Into<String>,
    ) -> Self {
        Catcher {
            error_equals: errors.into_iter().map(Into::into).collect(),
            next: next.into(),
            result_path: None,
            output: None,
            assign: None,
            comment: None,
        }
    }
    /// Where the error goes in the state's input (`ResultPath`).
    pub fn result_path(mut self, p: PathValue) -> Self {
        self.result_path = Some(p);
        self
    }
    /// What goes to the next state (`Output`, JSONata).
    pub fn output(mut self, v: impl Into<Value>) -> Self {
        self.output = Some(v.into());
        self
    }
    /// The variables set when the error is caught (`Assign`).
    pub fn assign(mut self, v: impl Into<Value>) -> Self {
        self.assign = Some(v.into());
        self
    }
}

/// What a Wait state waits for: exactly one form.
#[derive(Debug, Clone, PartialEq)]
pub enum WaitFor {
    /// `Seconds`: a fixed number of seconds.
    Seconds(u64),
    /// `SecondsPath`: the number of seconds at a path of the input.
    SecondsPath(String),
    /// `Timestamp`: until an ISO 8601 time, `2025-01-01T00:00:00Z`.
    Timestamp(String),
    /// `TimestampPath`: until the time at a path of the input.
    TimestampPath(String),
    /// JSONata: `Seconds: "{% ... %}"`.
    SecondsExpr(String),
    /// JSONata: `Timestamp: "{% ... %}"`.
    TimestampExpr(String),
}

impl WaitFor {
    /// `SecondsPath`: the number of seconds at `path`.
    pub fn seconds_path(path: impl Into<String>) -> Self {
        WaitFor::SecondsPath(path.into())
    }
    /// `Timestamp`: until an ISO 8601 time.
    pub fn timestamp(at: impl Into<String>) -> Self {
        WaitFor::Timestamp(at.into())
    }
    /// `TimestampPath`: until the time at `path`.
    pub fn timestamp_path(path: impl Into<String>) -> Self {
        WaitFor::TimestampPath(path.into())
    }
    /// JSONata: `Seconds: "{% expression %}"`.
    pub fn seconds_expr(expression: &str) -> Self {
        WaitFor::SecondsExpr(format!("{{% {} %}}", expression.trim()))
    }
    /// JSONata: `Timestamp: "{% expression %}"`.
    pub fn timestamp_expr(expression: &str) -> Self {
        WaitFor::TimestampExpr(format!("{{% {} %}}", expression.trim()))
    }
}

/// A state: the fields every type may have, and the type's own.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// `Comment`.
    pub comment: Option<String>,
    /// `QueryLanguage`: overrides the definition's for this state.
    pub query_language: Option<QueryLanguage>,
    /// `InputPath` (JSONPath).
    pub input_path: Option<PathValue>,
    /// `OutputPath` (JSONPath).
    pub output_path: Option<PathValue>,
    /// `Assign`: variables (every type but Fail).
    pub assign: Option<Value>,
    /// `Output` (JSONata).
    pub output: Option<Value>,
    /// The type and its own fields.
    pub kind: StateKind,
}

impl State {
    /// A state of the given type with none of the common fields set.
    pub fn new(kind: StateKind) -> Self {
        State {
            comment: None,
            query_language: None,
            input_path: None,
            output_path: None,
            assign: None,
            output: None,
            kind,
        }
    }

    /// The state's `Type`.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            StateKind::Pass(_) => "Pass",
            StateKind::Task(_) => "Task",
            StateKind::Choice(_) => "Choice",
            StateKind::Wait(_) => "Wait",
            StateKind::Succeed => "Succeed",
            StateKind::Fail(_) => "Fail",
            StateKind::Parallel(_) => "Parallel",
            StateKind::Map(_) => "Map",
        }
    }

    /// `Next`/`End`, for the types that have one.
    pub fn transition(&self) -> Option<&Option<Transition>> {
        match &self.kind {
            StateKind::Pass(s) => Some(&s.next),
            StateKind::Task(s) => Some(&s.next),
            StateKind::Wait(s) => Some(&s.next),
            StateKind::Parallel(s) => Some(&s.next),
            StateKind::Map(s) => Some(&s.next),
            StateKind::Choice(_) | StateKind::Succeed | StateKind::Fail(_) => None,
        }
    }

    pub(crate) fn transition_mut(&mut self) -> Option<&mut Option<Transition>> {
        match &mut self.kind {
            StateKind::Pass(s) => Some(&mut s.next),
            StateKind::Task(s) => Some(&mut s.next),
            StateKind::Wait(s) => Some(&mut s.next),
            StateKind::Parallel(s) => Some(&mut s.next),
            StateKind::Map(s) => Some(&mut s.next),
            StateKind::Choice(_) | StateKind::Succeed | StateKind::Fail(_) => None,
        }
    }

    /// The names this state can go to next (Next, Choice targets and Default, Catch targets).
    pub fn targets(&self) -> Vec<&str> {
        let mut out = Vec::new();
        if let Some(Some(Transition::Next(n))) = self.transition() {
            out.push(n.as_str());
        }
        match &self.kind {
            StateKind::Choice(c) => {
                out.extend(c.choices.iter().map(|r| r.next.as_str()));
                out.extend(c.default.as_deref());
            }
            StateKind::Task(t) => out.extend(t.catch.iter().map(|c| c.next.as_str())),
            StateKind::Parallel(p) => out.extend(p.catch.iter().map(|c| c.next.as_str())),
            StateKind::Map(m) => out.extend(m.catch.iter().map(|c| c.next.as_str())),
            _ => {}
        }
        out
    }

    /// The IAM statements the state machine's role needs for this state (task integrations,
    /// a Distributed Map's reader, writer and child executions), nested states included.
    pub fn policy_statements(&self) -> Vec<PolicyStatement> {
        match &self.kind {
            StateKind::Task(t) => t.policy.clone(),
            StateKind::Parallel(p) => p
                .branches
                .iter()
                .flat_map(Definition::policy_statements)
                .collect(),
            StateKind::Map(m) => {
                let mut out = Vec::new();
                if m.is_distributed() {
                    out.push(
                        PolicyStatement::allow()
                            .action("states:StartExecution")
                            .resource(this_state_machine_arn()),
                    );
                    out.push(
                        PolicyStatement::allow()
                            .actions(["states:DescribeExecution", "states:StopExecution"])
                            .resources(this_state_machine_executions().into_iter().skip(1)),
                    );
                }
                if let Some(r) = &m.item_reader {
                    out.extend(r.policy.iter().cloned());
                }
                if let Some(w) = &m.result_writer {
                    out.extend(w.policy.iter().cloned());
                }
                out.extend(m.processor.policy_statements());
                out
            }
            _ => Vec::new(),
        }
    }
}

/// The type-specific part of a state.
// Task is the common case and is kept inline; the rare, largest Map is boxed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum StateKind {
    /// A `Pass` state.
    Pass(Pass),
    /// A `Task` state.
    Task(Task),
    /// A `Choice` state.
    Choice(Choice),
    /// A `Wait` state.
    Wait(Wait),
    /// A `Succeed` state.
    Succeed,
    /// A `Fail` state.
    Fail(Fail),
    /// A `Parallel` state.
    Parallel(Parallel),
    /// A `Map` state, inline or distributed.
    Map(Box<Map>),
}

/// The fields of a `Pass` state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pass {
    /// `Parameters` (JSONPath).
    pub parameters: Option<Value>,
    /// `Result`: the output, in place of the input.
    pub result: Option<Value>,
    /// `ResultPath` (JSONPath).
    pub result_path: Option<PathValue>,
    /// `Next` or `End`.
    pub next: Option<Transition>,
}

/// The fields of a `Task` state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Task {
    /// The integration's ARN (`arn:aws:states:::dynamodb:putItem`, a function ARN, ...).
    pub resource: Value,
    /// `Parameters` as written (a parsed definition); the task helpers write `input`.
    pub parameters: Option<Value>,
    /// `Arguments` as written (a parsed definition); the task helpers write `input`.
    pub arguments: Option<Value>,
    /// `ResultSelector` (JSONPath).
    pub result_selector: Option<Value>,
    /// `ResultPath` (JSONPath).
    pub result_path: Option<PathValue>,
    /// `TimeoutSeconds` (or `TimeoutSecondsPath`).
    pub timeout: Option<Amount>,
    /// `HeartbeatSeconds` (or `HeartbeatSecondsPath`).
    pub heartbeat: Option<Amount>,
    /// `Credentials`: the role the task's call is made as.
    pub credentials: Option<Value>,
    /// `Retry`, tried in order.
    pub retry: Vec<Retrier>,
    /// `Catch`, tried in order once the retries are spent.
    pub catch: Vec<Catcher>,
    /// `Next` or `End`.
    pub next: Option<Transition>,
    /// What the task sends, rendered as `Parameters` (JSONPath) or `Arguments` (JSONata) by
    /// the query language in force for the state; the task helpers write this.
    pub input: Option<Input>,
    /// The rights the integration needs (not part of the ASL).
    pub policy: Vec<PolicyStatement>,
    /// The rights are given some other way (a role passed in, a managed policy): synth does
    /// not ask for them.
    pub permissions_managed_elsewhere: bool,
}

/// A top-level rule of a Choice state.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceRule {
    /// The condition that selects the rule.
    pub condition: Condition,
    /// `Next`: the state to go to when it holds.
    pub next: String,
    /// `Comment`.
    pub comment: Option<String>,
    /// `Assign`: variables set when the rule is taken.
    pub assign: Option<Value>,
    /// `Output`: what goes to `Next` (JSONata).
    pub output: Option<Value>,
}

/// The fields of a `Choice` state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Choice {
    /// `Choices`: the rules, tried in order.
    pub choices: Vec<ChoiceRule>,
    /// `Default`: the state to go to when no rule holds.
    pub default: Option<String>,
}

/// The fields of a `Wait` state.
#[derive(Debug, Clone, PartialEq)]
pub struct Wait {
    /// How long, or until when.
    pub wait: WaitFor,
    /// `Next` or `End`.
    pub next: Option<Transition>,
}

/// The fields of a `Fail` state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fail {
    /// `Error`: the error name.
    pub error: Option<String>,
    /// `ErrorPath`: the error name at a path (JSONPath).
    pub error_path: Option<String>,
    /// `Cause`: a description of the failure.
    pub cause: Option<String>,
    /// `CausePath`: the description at a path (JSONPath).
    pub cause_path: Option<String>,
}

/// The fields of a `Parallel` state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Parallel {
    /// `Branches`: the definitions run at the same time.
    pub branches: Vec<Definition>,
    /// `Parameters` (JSONPath).
    pub parameters: Option<Value>,
    /// `Arguments` (JSONata).
    pub arguments: Option<Value>,
    /// `ResultSelector` (JSONPath).
    pub result_selector: Option<Value>,
    /// `ResultPath` (JSONPath).
    pub result_path: Option<PathValue>,
    /// `Retry`, tried in order.
    pub retry: Vec<Retrier>,
    /// `Catch`, tried in order once the retries are spent.
    pub catch: Vec<Catcher>,
    /// `Next` or `End`.
    pub next: Option<Transition>,
}

/// `ProcessorConfig.Mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessorMode {
    /// `INLINE`: the iterations run in this execution.
    Inline,
    /// `DISTRIBUTED`: each iteration (or batch) is a child execution.
    Distributed,
}

/// `ProcessorConfig.ExecutionType` (Distributed Map).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionType {
    /// `STANDARD` child executions.
    Standard,
    /// `EXPRESS` child executions.
    Express,
}

/// `ItemProcessor.ProcessorConfig`: how a Map runs its iterations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessorConfig {
    /// `Mode`.
    pub mode: ProcessorMode,
    /// `ExecutionType` of the child executions (Distributed Map only).
    pub execution_type: Option<ExecutionType>,
}

/// `ReaderConfig.InputType`: what the object read holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputType {
    /// `CSV`.
    Csv,
    /// `JSON`: an array.
    Json,
    /// `JSONL`: one JSON value a line.
    Jsonl,
    /// `MANIFEST`: an S3 Inventory or Athena manifest.
    Manifest,
    /// `PARQUET`.
    Parquet,
}

impl InputType {
    /// The value written in the ASL.
    pub fn as_str(self) -> &'static str {
        match self {
            InputType::Csv => "CSV",
            InputType::Json => "JSON",
            InputType::Jsonl => "JSONL",
            InputType::Manifest => "MANIFEST",
            InputType::Parquet => "PARQUET",
        }
    }
}

/// Where the column names of a CSV file come from (`CSVHeaderLocation`, `CSVHeaders`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvHeaders {
    /// `FIRST_ROW`.
    FirstRow,
    /// `GIVEN`, with the names.
    Given(Vec<String>),
}

/// `ReaderConfig.CSVDelimiter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvDelimiter {
    /// `COMMA`.
    Comma,
    /// `PIPE`.
    Pipe,
    /// `SEMICOLON`.
    Semicolon,
    /// `SPACE`.
    Space,
    /// `TAB`.
    Tab,
}

impl CsvDelimiter {
    /// The value written in the ASL.
    pub fn as_str(self) -> &'static str {
        match self {
            CsvDelimiter::Comma => "COMMA",
            CsvDelimiter::Pipe => "PIPE",
            CsvDelimiter::Semicolon => "SEMICOLON",
            CsvDelimiter::Space => "SPACE",
            CsvDelimiter::Tab => "TAB",
        }
    }
}

/// `ReaderConfig.ManifestType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestType {
    /// An S3 Inventory manifest.
    S3Inventory,
    /// An Athena UNLOAD manifest.
    AthenaData,
}

impl ManifestType {
    /// The value written in the ASL.
    pub fn as_str(self) -> &'static str {
        match self {
            ManifestType::S3Inventory => "S3_INVENTORY",
            ManifestType::AthenaData => "ATHENA_DATA",
        }
    }
}

/// `ItemReader.ReaderConfig`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReaderConfig {
    /// `InputType`.
    pub input_type: Option<InputType>,
    /// `CSVHeaderLocation` and `CSVHeaders`.
    pub csv_headers: Option<CsvHeaders>,
    /// `CSVDelimiter`.
    pub csv_delimiter: Option<CsvDelimiter>,
    /// `MaxItems` (or `MaxItemsPath`): the most items read.
    pub max_items: Option<Amount>,
    /// `ManifestType`.
    pub manifest_type: Option<ManifestType>,
}

impl ReaderConfig {
    /// A reader config for objects holding `input_type`.
    pub fn new(input_type: InputType) -> Self {
        ReaderConfig {
            input_type: Some(input_type),
            ..Default::default()
        }
    }
    /// Where a CSV file's column names come from.
    pub fn csv_headers(mut self, headers: CsvHeaders) -> Self {
        self.csv_headers = Some(headers);
        self
    }
    /// The delimiter of a CSV file.
    pub fn csv_delimiter(mut self, delimiter: CsvDelimiter) -> Self {
        self.csv_delimiter = Some(delimiter);
        self
    }
    /// Reads at most this many items.
    pub fn max_items(mut self, amount: impl Into<Amount>) -> Self {
        self.max_items = Some(amount.into());
        self
    }
    /// The kind of manifest (with [`InputType::Manifest`]).
    pub fn manifest_type(mut self, kind: ManifestType) -> Self {
        self.manifest_type = Some(kind);
        self
    }
}

/// An S3 object key: literal, or from a path of the state's input.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectKey {
    /// A key written as is, `orders/today.csv`.
    Literal(String),
    /// A key at a path of the state's input, `$.key`.
    Path(String),
}

impl ObjectKey {
    /// The key as a task input.
    pub fn input(&self) -> Input {
        match self {
            ObjectKey::Literal(k) => Input::from(k.as_str()),
            ObjectKey::Path(p) => Input::path(p.as_str()),
        }
    }

    /// The object ARN a policy names: the key, or every key when it comes from a path.
    pub fn object_arn(&self, bucket: &Bucket) -> Value {
        match self {
            ObjectKey::Literal(k) => bucket.arn_for_objects(k),
            ObjectKey::Path(_) => bucket.arn_for_objects("*"),
        }
    }
}

/// `ItemReader` of a Distributed Map: where the items come from.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemReader {
    /// `arn:aws:states:::s3:getObject` or `arn:aws:states:::s3:listObjectsV2`.
    pub resource: Value,
    /// `ReaderConfig`.
    pub reader_config: Option<ReaderConfig>,
    /// As written (a parsed definition); the typed constructors write `input`.
    pub parameters: Option<Value>,
    /// As written (a parsed definition); the typed constructors write `input`.
    pub arguments: Option<Value>,
    /// Rendered as `Parameters` or `Arguments` by the Map's query language.
    pub input: Option<Input>,
    /// The rights reading needs (not part of the ASL).
    pub policy: Vec<PolicyStatement>,
}

impl ItemReader {
    /// Reads the items from one object (a JSON array, a CSV or JSONL file, a manifest):
    /// `s3:GetObject` on it.
    pub fn s3_object(bucket: &Bucket, key: ObjectKey, config: ReaderConfig) -> Self {
        ItemReader {
            resource: super::super::tasks::integration_arn("s3:getObject"),
            reader_config: Some(config),
            parameters: None,
            arguments: None,
            input: Some(
                Input::object()
                    .field("Bucket", bucket.name())
                    .field("Key", key.input()),
            ),
            policy: vec![PolicyStatement::allow()
                .action("s3:GetObject")
                .resource(key.object_arn(bucket))],
        }
    }

    /// Iterates over the objects under `prefix` (each item is one object's metadata):
    /// `s3:ListBucket` on the bucket, limited to the prefix.
    pub fn s3_objects(bucket: &Bucket, prefix: &str) -> Self {
        let mut input = Input::object().field("Bucket", bucket.name());
        let mut list = PolicyStatement::allow()
            .action("s3:ListBucket")
            .resource(bucket.arn());
        if !prefix.is_empty() {
            input = input.field("Prefix", prefix);
            list = list.condition("StringLike", "s3:prefix", format!("{prefix}*"));
        }
        ItemReader {
            resource: super::super::tasks::integration_arn("s3:listObjectsV2"),
            reader_config: None,
            parameters: None,
            arguments: None,
            input: Some(input),
            policy: vec![list],
        }
    }
}

/// `ItemBatcher` of a Distributed Map: groups items so that each child execution gets a
/// batch; `ItemBatcher::new()` then builder methods.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ItemBatcher {
    /// `MaxItemsPerBatch` (or `MaxItemsPerBatchPath`): the most items in one batch.
    pub max_items_per_batch: Option<Amount>,
    /// `MaxInputBytesPerBatch` (or `MaxInputBytesPerBatchPath`): the largest batch, in bytes.
    pub max_input_bytes_per_batch: Option<Amount>,
    /// `BatchInput`: a JSON object added to every batch.
    pub batch_input: Option<Value>,
}

impl ItemBatcher {
    /// A batcher with no limit yet: set at least one of the two.
    pub fn new() -> Self {
        Self::default()
    }
    /// The most items in one batch (`MaxItemsPerBatch`).
    pub fn max_items_per_batch(mut self, amount: impl Into<Amount>) -> Self {
        self.max_items_per_batch = Some(amount.into());
        self
    }
    /// The largest batch in bytes (`MaxInputBytesPerBatch`), at most 256 KiB.
    pub fn max_input_bytes_per_batch(mut self, amount: impl Into<Amount>) -> Self {
        self.max_input_bytes_per_batch = Some(amount.into());
        self
    }
    /// A JSON object added to every batch (`BatchInput`).
    pub fn batch_input(mut self, input: impl Into<Value>) -> Self {
        self.batch_input = Some(input.into());
        self
    }
}

/// `WriterConfig.OutputType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputType {
    /// `JSON`: one array.
    Json,
    /// `JSONL`: one JSON value a line.
    Jsonl,
}

/// `WriterConfig.Transformation`: what is kept of each child execution's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transformation {
    /// The whole execution record.
    None,
    /// Output, status and error of each child.
    Compact,
    /// The outputs, flattened into one array.
    Flatten,
}

/// `ResultWriter.WriterConfig`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WriterConfig {
    /// `OutputType`.
    pub output_type: Option<OutputType>,
    /// `Transformation`.
    pub transformation: Option<Transformation>,
}

/// `ResultWriter` of a Distributed Map.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResultWriter {
    /// `Resource`: `arn:aws:states:::s3:putObject`.
    pub resource: Option<Value>,
    /// As written (a parsed definition); [`ResultWriter::s3`] writes `input`.
    pub parameters: Option<Value>,
    /// As written (a parsed definition); [`ResultWriter::s3`] writes `input`.
    pub arguments: Option<Value>,
    /// Rendered as `Parameters` or `Arguments` by the Map's query language.
    pub input: Option<Input>,
    /// `WriterConfig`.
    pub writer_config: Option<WriterConfig>,
    /// The rights writing needs (not part of the ASL).
    pub policy: Vec<PolicyStatement>,
}

impl ResultWriter {
    /// Writes the Map Run's results under `prefix` of `bucket`: `s3:PutObject`, the
    /// multipart actions and `s3:GetObject` on the objects under the prefix.
    pub fn s3(bucket: &Bucket, prefix: &str) -> Self {
        let prefix = prefix.trim_end_matches('/');
        let objects = if prefix.is_empty() {
            bucket.arn_for_objects("*")
        } else {
            bucket.arn_for_objects(&format!("{prefix}/*"))
        };
        let mut input = Input::object().field("Bucket", bucket.name());
        if !prefix.is_empty() {
            input = input.field("Prefix", prefix);
        }
        ResultWriter {
            resource: Some(super::super::tasks::integration_arn("s3:putObject")),
            parameters: None,
            arguments: None,
            input: Some(input),
            writer_config: None,
            policy: vec![PolicyStatement::allow()
                .actions([
                    "s3:AbortMultipartUpload",
                    "s3:GetObject",
                    "s3:ListMultipartUploadParts",
                    "s3:PutObject",
                ])
                .resource(objects)],
        }
    }

    /// The format and transformation of the results.
    pub fn config(mut self, output_type: OutputType, transformation: Transformation) -> Self {
        self.writer_config = Some(WriterConfig {
            output_type: Some(output_type),
            transformation: Some(transformation),
        });
        self
    }
}

/// A Map state, inline or distributed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Map {
    /// `ItemsPath`: the array to iterate over (JSONPath).
    pub items_path: Option<String>,
    /// `Items`: an array, or a JSONata expression.
    pub items: Option<Value>,
    /// `ItemSelector`: what each iteration receives.
    pub item_selector: Option<Value>,
    /// The item selector is written in the legacy `Parameters` field.
    pub legacy_parameters: bool,
    /// The iteration: `ItemProcessor` (or the legacy `Iterator`).
    pub processor: Box<Definition>,
    /// The iteration is written in the legacy `Iterator` field.
    pub legacy_iterator: bool,
    /// `ItemProcessor.ProcessorConfig`.
    pub processor_config: Option<ProcessorConfig>,
    /// `ItemReader`: where a Distributed Map's items come from.
    pub item_reader: Option<ItemReader>,
    /// `ItemBatcher`: batches of items per child execution.
    pub item_batcher: Option<ItemBatcher>,
    /// `ResultWriter`: where a Distributed Map's results go.
    pub result_writer: Option<ResultWriter>,
    /// `MaxConcurrency` (or `MaxConcurrencyPath`): the most iterations at once (0: no limit).
    pub max_concurrency: Option<Amount>,
    /// `ToleratedFailurePercentage` (or its `Path` form).
    pub tolerated_failure_percentage: Option<Amount>,
    /// `ToleratedFailureCount` (or its `Path` form).
    pub tolerated_failure_count: Option<Amount>,
    /// `Label`: names the state's Map Runs in their ARNs (Distributed Map).
    pub label: Option<String>,
    /// `ResultSelector` (JSONPath).
    pub result_selector: Option<Value>,
    /// `ResultPath` (JSONPath).
    pub result_path: Option<PathValue>,
    /// `Retry`, tried in order.
    pub retry: Vec<Retrier>,
    /// `Catch`, tried in order once the retries are spent.
    pub catch: Vec<Catcher>,
    /// `Next` or `End`.
    pub next: Option<Transition>,
}

impl Map {
    /// True for a Distributed Map.
    pub fn is_distributed(&self) -> bool {
        self.processor_config
            .is_some_and(|c| c.mode == ProcessorMode::Distributed)
    }
}

/// A state machine definition, or a branch or iteration of one (which has no
/// `TimeoutSeconds`, `Version` or `QueryLanguage`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Definition {
    /// `Comment`.
    pub comment: Option<String>,
    /// `StartAt`: the first state.
    pub start_at: String,
    /// `States`, by name, in the order written.
    pub states: IndexMap<String, State>,
    /// `TimeoutSeconds`: the longest an execution may run (top level only).
    pub timeout_seconds: Option<u32>,
    /// `Version` of the ASL (top level only).
    pub version: Option<String>,
    /// `QueryLanguage` of every state that does not set its own (top level only).
    pub query_language: Option<QueryLanguage>,
}

impl Definition {
    /// Every IAM statement the states' integrations need, in order.
    pub fn policy_statements(&self) -> Vec<PolicyStatement> {
        self.states
            .values()
            .flat_map(State::policy_statements)
            .collect()
    }

    /// The definition's `Comment`.
    pub fn comment(mut self, text: impl Into<String>) -> Self {
        self.comment = Some(text.into());
        self
    }

    /// The longest an execution may run (`TimeoutSeconds`).
    pub fn timeout_seconds(mut self, seconds: u32) -> Self {
        self.timeout_seconds = Some(seconds);
        self
    }

    /// The query language of every state that does not set its own (`QueryLanguage`).
    pub fn query_language(mut self, language: QueryLanguage) -> Self {
        self.query_language = Some(language);
        self
    }

    /// Visits every state, nested ones included, with the names of its enclosing scopes.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a str, &'a State, usize)) {
        fn go<'a>(d: &'a Definition, depth: usize, f: &mut dyn FnMut(&'a str, &'a State, usize)) {
            for (name, state) in &d.states {
                f(name, state, depth);
                match &state.kind {
                    StateKind::Parallel(p) => p.branches.iter().for_each(|b| go(b, depth + 1, f)),
                    StateKind::Map(m) => go(&m.processor, depth + 1, f),
                    _ => {}
                }
            }
        }
        go(self, 0, f);
    }
}

//! The typed Amazon States Language: definitions, the eight state types and their fields.

use indexmap::IndexMap;

use crate::core::value::Value;
use crate::iam::PolicyStatement;

use super::condition::Condition;

/// `QueryLanguage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryLanguage {
    JsonPath,
    Jsonata,
}

impl QueryLanguage {
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
    Path(String),
}

impl PathValue {
    pub fn path(p: impl Into<String>) -> Self {
        PathValue::Path(p.into())
    }
}

/// `Next` or `End`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    Next(String),
    End,
}

/// A number, a reference path to one, or a JSONata expression giving one: rendered as
/// `Field: n`, `FieldPath: "$.x"` or `Field: "{% ... %}"`.
#[derive(Debug, Clone, PartialEq)]
pub enum Amount {
    Value(serde_json::Number),
    Path(String),
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
    All,
    HeartbeatTimeout,
    Timeout,
    TaskFailed,
    Permissions,
    ResultPathMatchFailure,
    ParameterPathFailure,
    QueryEvaluationError,
    BranchFailed,
    NoChoiceMatched,
    IntrinsicFailure,
    ExceedToleratedFailureThreshold,
    ItemReaderFailed,
    ResultWriterFailed,
    Runtime,
    /// Any other name: a Lambda function's error type, `Lambda.ServiceException`, ...
    Custom(String),
}

impl ErrorName {
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
    Full,
    None,
}

/// One entry of `Retry`.
#[derive(Debug, Clone, PartialEq)]
pub struct Retrier {
    pub error_equals: Vec<ErrorName>,
    pub interval_seconds: Option<u32>,
    pub max_attempts: Option<u32>,
    pub backoff_rate: Option<serde_json::Number>,
    pub max_delay_seconds: Option<u32>,
    pub jitter_strategy: Option<Jitter>,
    pub comment: Option<String>,
}

impl Retrier {
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
    pub fn interval_seconds(mut self, s: u32) -> Self {
        self.interval_seconds = Some(s);
        self
    }
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
    pub fn max_delay_seconds(mut self, s: u32) -> Self {
        self.max_delay_seconds = Some(s);
        self
    }
    pub fn jitter(mut self, j: Jitter) -> Self {
        self.jitter_strategy = Some(j);
        self
    }
}

/// One entry of `Catch`.
#[derive(Debug, Clone, PartialEq)]
pub struct Catcher {
    pub error_equals: Vec<ErrorName>,
    pub next: String,
    pub result_path: Option<PathValue>,
    pub output: Option<Value>,
    pub assign: Option<Value>,
    pub comment: Option<String>,
}

impl Catcher {
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
    pub fn result_path(mut self, p: PathValue) -> Self {
        self.result_path = Some(p);
        self
    }
    pub fn output(mut self, v: impl Into<Value>) -> Self {
        self.output = Some(v.into());
        self
    }
    pub fn assign(mut self, v: impl Into<Value>) -> Self {
        self.assign = Some(v.into());
        self
    }
}

/// What a Wait state waits for: exactly one form.
#[derive(Debug, Clone, PartialEq)]
pub enum WaitFor {
    Seconds(u64),
    SecondsPath(String),
    Timestamp(String),
    TimestampPath(String),
    /// JSONata: `Seconds: "{% ... %}"`.
    SecondsExpr(String),
    /// JSONata: `Timestamp: "{% ... %}"`.
    TimestampExpr(String),
}

impl WaitFor {
    pub fn seconds_path(path: impl Into<String>) -> Self {
        WaitFor::SecondsPath(path.into())
    }
    pub fn timestamp(at: impl Into<String>) -> Self {
        WaitFor::Timestamp(at.into())
    }
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
    pub comment: Option<String>,
    pub query_language: Option<QueryLanguage>,
    pub input_path: Option<PathValue>,
    pub output_path: Option<PathValue>,
    /// `Assign`: variables (every type but Fail).
    pub assign: Option<Value>,
    /// `Output` (JSONata).
    pub output: Option<Value>,
    pub kind: StateKind,
}

impl State {
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

    /// The IAM statements the state machine's role needs for this state (task integrations),
    /// nested states included.
    pub fn policy_statements(&self) -> Vec<PolicyStatement> {
        match &self.kind {
            StateKind::Task(t) => t.policy.clone(),
            StateKind::Parallel(p) => p
                .branches
                .iter()
                .flat_map(Definition::policy_statements)
                .collect(),
            StateKind::Map(m) => m.processor.policy_statements(),
            _ => Vec::new(),
        }
    }
}

/// The type-specific part of a state.
// Task is the common case and is kept inline; the rare, largest Map is boxed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum StateKind {
    Pass(Pass),
    Task(Task),
    Choice(Choice),
    Wait(Wait),
    Succeed,
    Fail(Fail),
    Parallel(Parallel),
    Map(Box<Map>),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pass {
    pub parameters: Option<Value>,
    pub result: Option<Value>,
    pub result_path: Option<PathValue>,
    pub next: Option<Transition>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Task {
    /// The integration's ARN (`arn:aws:states:::dynamodb:putItem`, a function ARN, ...).
    pub resource: Value,
    pub parameters: Option<Value>,
    pub arguments: Option<Value>,
    pub result_selector: Option<Value>,
    pub result_path: Option<PathValue>,
    pub timeout: Option<Amount>,
    pub heartbeat: Option<Amount>,
    pub credentials: Option<Value>,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
    pub next: Option<Transition>,
    /// The rights the integration needs (not part of the ASL).
    pub policy: Vec<PolicyStatement>,
}

/// A top-level rule of a Choice state.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceRule {
    pub condition: Condition,
    pub next: String,
    pub comment: Option<String>,
    pub assign: Option<Value>,
    pub output: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Choice {
    pub choices: Vec<ChoiceRule>,
    pub default: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Wait {
    pub wait: WaitFor,
    pub next: Option<Transition>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fail {
    pub error: Option<String>,
    pub error_path: Option<String>,
    pub cause: Option<String>,
    pub cause_path: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Parallel {
    pub branches: Vec<Definition>,
    pub parameters: Option<Value>,
    pub arguments: Option<Value>,
    pub result_selector: Option<Value>,
    pub result_path: Option<PathValue>,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
    pub next: Option<Transition>,
}

/// `ProcessorConfig.Mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessorMode {
    Inline,
    Distributed,
}

/// `ProcessorConfig.ExecutionType` (Distributed Map).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionType {
    Standard,
    Express,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessorConfig {
    pub mode: ProcessorMode,
    pub execution_type: Option<ExecutionType>,
}

/// `ItemReader.ReaderConfig`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReaderConfig {
    /// `CSV`, `JSON`, `JSONL`, `MANIFEST` or `PARQUET`.
    pub input_type: Option<String>,
    /// `FIRST_ROW` or `GIVEN`.
    pub csv_header_location: Option<String>,
    pub csv_headers: Option<Vec<String>>,
    /// `COMMA`, `PIPE`, `SEMICOLON`, `SPACE` or `TAB`.
    pub csv_delimiter: Option<String>,
    pub max_items: Option<Amount>,
    /// `CSV` or `ATHENA_DATA`.
    pub manifest_type: Option<String>,
}

/// `ItemReader` of a Distributed Map: where the items come from.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemReader {
    /// `arn:aws:states:::s3:getObject` or `arn:aws:states:::s3:listObjectsV2`.
    pub resource: Value,
    pub reader_config: Option<ReaderConfig>,
    pub parameters: Option<Value>,
    pub arguments: Option<Value>,
}

/// `ItemBatcher`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ItemBatcher {
    pub max_items_per_batch: Option<Amount>,
    pub max_input_bytes_per_batch: Option<Amount>,
    pub batch_input: Option<Value>,
}

/// `ResultWriter.WriterConfig`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WriterConfig {
    /// `JSON` or `JSONL`.
    pub output_type: Option<String>,
    /// `NONE`, `COMPACT` or `FLATTEN`.
    pub transformation: Option<String>,
}

/// `ResultWriter` of a Distributed Map.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResultWriter {
    pub resource: Option<Value>,
    pub parameters: Option<Value>,
    pub arguments: Option<Value>,
    pub writer_config: Option<WriterConfig>,
}

/// A Map state, inline or distributed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Map {
    pub items_path: Option<String>,
    /// `Items`: an array, or a JSONata expression.
    pub items: Option<Value>,
    pub item_selector: Option<Value>,
    /// The item selector is written in the legacy `Parameters` field.
    pub legacy_parameters: bool,
    /// The iteration: `ItemProcessor` (or the legacy `Iterator`).
    pub processor: Box<Definition>,
    pub legacy_iterator: bool,
    pub processor_config: Option<ProcessorConfig>,
    pub item_reader: Option<ItemReader>,
    pub item_batcher: Option<ItemBatcher>,
    pub result_writer: Option<ResultWriter>,
    pub max_concurrency: Option<Amount>,
    pub tolerated_failure_percentage: Option<Amount>,
    pub tolerated_failure_count: Option<Amount>,
    pub label: Option<String>,
    pub result_selector: Option<Value>,
    pub result_path: Option<PathValue>,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
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
    pub comment: Option<String>,
    pub start_at: String,
    pub states: IndexMap<String, State>,
    pub timeout_seconds: Option<u32>,
    pub version: Option<String>,
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

    pub fn comment(mut self, text: impl Into<String>) -> Self {
        self.comment = Some(text.into());
        self
    }

    pub fn timeout_seconds(mut self, seconds: u32) -> Self {
        self.timeout_seconds = Some(seconds);
        self
    }

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

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

/// `ReaderConfig.InputType`: what the object read holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputType {
    Csv,
    Json,
    Jsonl,
    Manifest,
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
    Comma,
    Pipe,
    Semicolon,
    Space,
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
    pub input_type: Option<InputType>,
    pub csv_headers: Option<CsvHeaders>,
    pub csv_delimiter: Option<CsvDelimiter>,
    pub max_items: Option<Amount>,
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
    Literal(String),
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
    pub reader_config: Option<ReaderConfig>,
    /// As written (a parsed definition); the typed constructors write `input`.
    pub parameters: Option<Value>,
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
    Json,
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
    pub output_type: Option<OutputType>,
    pub transformation: Option<Transformation>,
}

/// `ResultWriter` of a Distributed Map.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResultWriter {
    pub resource: Option<Value>,
    /// As written (a parsed definition); [`ResultWriter::s3`] writes `input`.
    pub parameters: Option<Value>,
    pub arguments: Option<Value>,
    /// Rendered as `Parameters` or `Arguments` by the Map's query language.
    pub input: Option<Input>,
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

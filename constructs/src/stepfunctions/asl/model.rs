//! The typed Amazon States Language: definitions, the eight state types and their fields.

use indexmap::IndexMap;

use crate::core::value::Value;
use crate::iam::PolicyStatement;

use super::condition::Condition;
pub use super::distributed::*;
pub use super::errors::*;
use super::input::Input;

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

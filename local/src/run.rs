//! What a run takes and gives: the machine, the run's options, the task runner that answers
//! Task states, and the outcome (status, output or error, history).

use constructs::stepfunctions::asl::Definition;
use serde_json::Value as Json;

use crate::clock::{self, Instant};
use crate::error::{Error, Failure};
use crate::history::Event;

/// A state machine to run: its name (in ARNs and the context object) and definition.
#[derive(Debug, Clone)]
pub struct Machine {
    /// The machine's name: `$$.StateMachine.Name`, the key of its mock test cases.
    pub name: String,
    /// The definition, parsed.
    pub definition: Definition,
    /// An EXPRESS machine (its execution ARNs say `express`).
    pub express: bool,
}

impl Machine {
    /// A STANDARD machine.
    pub fn new(name: impl Into<String>, definition: Definition) -> Self {
        Machine {
            name: name.into(),
            definition,
            express: false,
        }
    }

    /// Parses ASL JSON text: [`Error::Json`] for an integer it cannot keep,
    /// [`Error::Parse`] naming where the definition is wrong.
    pub fn from_json_str(name: impl Into<String>, text: &str) -> Result<Self, Error> {
        crate::json::inexact_integer(text)?;
        Definition::from_json_str(text)
            .map(|d| Machine::new(name, d))
            .map_err(Error::Parse)
    }
}

/// How a run goes: names, the start time on the virtual clock, the seed of its randomness.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The execution's name (`$$.Execution.Name`).
    pub execution_name: String,
    /// When the execution starts: the virtual clock's first reading.
    pub start: Instant,
    /// The seed of `States.UUID`, `States.MathRandom`, `$random()`, jitter and task tokens.
    pub seed: u64,
    /// The region in ARNs.
    pub region: String,
    /// The account in ARNs.
    pub account: String,
    /// The execution role (`$$.Execution.RoleArn`).
    pub role_arn: Option<String>,
    /// Wait for real: a Wait of 10 s sleeps 10 s (the clock is still the run's).
    pub real_time: bool,
    /// The most state transitions and retries before the run stops, timed out. A STANDARD
    /// execution fails at 25,000 history events long before (as AWS fails it); an EXPRESS
    /// one has no history limit and 5 minutes of real time, which a loop of states that take
    /// no time on the virtual clock never reaches: this bound stops it instead.
    pub max_transitions: u64,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            execution_name: "local".into(),
            start: clock::parse("2025-01-01T00:00:00Z").unwrap_or_default(),
            seed: 0,
            region: "us-east-1".into(),
            account: "123456789012".into(),
            role_arn: None,
            real_time: false,
            max_transitions: 100_000,
        }
    }
}

/// A Task's call, as the runner sees it.
#[derive(Debug)]
pub struct TaskCall<'a> {
    /// The Task state's name.
    pub state: &'a str,
    /// The resource ARN (`arn:aws:states:::dynamodb:putItem`, a function ARN, ...).
    pub resource: &'a str,
    /// What the task sends: `Parameters`/`Arguments` evaluated, or the state's input.
    pub input: &'a Json,
    /// The task token, for `.waitForTaskToken` resources.
    pub task_token: Option<&'a str>,
    /// `TimeoutSeconds` in force (Step Functions' default: 99,999,999).
    pub timeout_seconds: f64,
    /// `Credentials`, evaluated, when the state has them.
    pub credentials: Option<&'a Json>,
    /// What the call is: a Task, or a Distributed Map reading its items or writing results.
    pub purpose: Purpose,
}

/// Why the runner is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A Task state's call.
    Task,
    /// A Distributed Map's `ItemReader`: the answer is the object's text or the listing.
    ItemReader,
    /// A Distributed Map's `ResultWriter`: one object written.
    ResultWriter,
}

/// A runner's answer: the task's result and how long it took (it moves the virtual clock).
#[derive(Debug, Clone, PartialEq)]
pub struct TaskAnswer {
    /// The result, before `ResultSelector`/`ResultPath` (or `$states.result`).
    pub result: Json,
    /// Seconds the task took.
    pub seconds: f64,
}

impl TaskAnswer {
    /// A result that took no time.
    pub fn now(result: Json) -> Self {
        TaskAnswer {
            result,
            seconds: 0.0,
        }
    }
}

/// Answers Task states: mocks, live calls, the app's own handlers.
pub trait TaskRunner {
    /// Runs one call; a `Failure` is the task's error (retried and caught as Step Functions
    /// would).
    fn run(&mut self, call: &TaskCall<'_>) -> Result<TaskAnswer, Failure>;
}

impl<F> TaskRunner for F
where
    F: FnMut(&TaskCall<'_>) -> Result<TaskAnswer, Failure>,
{
    fn run(&mut self, call: &TaskCall<'_>) -> Result<TaskAnswer, Failure> {
        self(call)
    }
}

/// A runner shared by several runs (the app's functions started once for every test case).
#[derive(Clone)]
pub struct SharedRunner(pub std::rc::Rc<std::cell::RefCell<Box<dyn TaskRunner>>>);

impl SharedRunner {
    /// Shares `runner`.
    pub fn new(runner: Box<dyn TaskRunner>) -> Self {
        SharedRunner(std::rc::Rc::new(std::cell::RefCell::new(runner)))
    }
}

impl TaskRunner for SharedRunner {
    fn run(&mut self, call: &TaskCall<'_>) -> Result<TaskAnswer, Failure> {
        self.0.borrow_mut().run(call)
    }
}

/// How an execution ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// It reached the end of its definition or a Succeed state.
    Succeeded,
    /// An error nothing caught, or a Fail state.
    Failed,
    /// It ran longer than its `TimeoutSeconds`.
    TimedOut,
}

impl Status {
    /// `SUCCEEDED`, `FAILED` or `TIMED_OUT`, as DescribeExecution says.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Succeeded => "SUCCEEDED",
            Status::Failed => "FAILED",
            Status::TimedOut => "TIMED_OUT",
        }
    }
}

/// What a run gives.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// How it ended.
    pub status: Status,
    /// The output, when it succeeded.
    pub output: Option<Json>,
    /// The error, when it failed or timed out.
    pub error: Option<String>,
    /// The cause, when it failed or timed out.
    pub cause: Option<String>,
    /// The execution's history, as `GetExecutionHistory` gives it.
    pub history: Vec<Event>,
    /// The names of the top-level states entered, in order.
    pub path: Vec<String>,
    /// The execution's ARN.
    pub execution_arn: String,
    /// When it started and ended, on the run's clock.
    pub started: Instant,
    /// When it ended.
    pub ended: Instant,
}

impl Outcome {
    /// The input of the last time the execution entered the state `name`.
    pub fn state_input(&self, name: &str) -> Option<serde_json::Value> {
        self.state_event(name, "StateEntered", "input")
    }

    /// The output of the last time the state `name` exited.
    pub fn state_output(&self, name: &str) -> Option<serde_json::Value> {
        self.state_event(name, "StateExited", "output")
    }

    fn state_event(&self, name: &str, suffix: &str, field: &str) -> Option<serde_json::Value> {
        self.history
            .iter()
            .rev()
            .find(|e| e.kind.ends_with(suffix) && e.state_name() == Some(name))
            .and_then(|e| e.detail(field)?.as_str().map(str::to_string))
            .and_then(|t| serde_json::from_str(&t).ok())
    }

    /// What differs from an expected result: `{"status", "output", "error", "cause",
    /// "states" (the top-level path), "elapsed_seconds"}`, each checked when present. Empty
    /// when the outcome is as expected (the test-case runner and the conformance suite use it).
    pub fn differences(&self, expected: &serde_json::Value) -> Vec<String> {
        use serde_json::Value as Json;
        let mut out = Vec::new();
        if let Some(want) = expected.get("status").and_then(Json::as_str) {
            if want != self.status.as_str() {
                out.push(format!(
                    "status {}, expected {want} ({}: {})",
                    self.status.as_str(),
                    self.error.as_deref().unwrap_or_default(),
                    self.cause.as_deref().unwrap_or_default()
                ));
            }
        }
        if let Some(want) = expected.get("output") {
            if self.output.as_ref() != Some(want) {
                let got = self
                    .output
                    .as_ref()
                    .map_or("none".to_string(), Json::to_string);
                out.push(format!("output {got}, expected {want}"));
            }
        }
        for (field, got) in [("error", &self.error), ("cause", &self.cause)] {
            if let Some(want) = expected.get(field).and_then(Json::as_str) {
                if got.as_deref() != Some(want) {
                    out.push(format!("{field} {got:?}, expected {want:?}"));
                }
            }
        }
        if let Some(want) = expected.get("states").and_then(Json::as_array) {
            let want: Vec<&str> = want.iter().filter_map(Json::as_str).collect();
            if self.path != want {
                out.push(format!("states {:?}, expected {want:?}", self.path));
            }
        }
        if let Some(want) = expected.get("elapsed_seconds").and_then(Json::as_f64) {
            if (self.elapsed_seconds() - want).abs() > 0.001 {
                out.push(format!(
                    "elapsed {} s, expected {want} s",
                    self.elapsed_seconds()
                ));
            }
        }
        out
    }

    /// Virtual seconds from start to end.
    pub fn elapsed_seconds(&self) -> f64 {
        clock::seconds_between(self.started, self.ended)
    }

    /// `{"status", "output", "error", "cause", "executionArn", "history"}`: the fields `rcdk
    /// run --json` prints (it streams the history first, as the run goes).
    pub fn to_json(&self) -> Json {
        serde_json::json!({
            "status": self.status.as_str(),
            "output": self.output,
            "error": self.error,
            "cause": self.cause,
            "executionArn": self.execution_arn,
            "history": self.history.iter().map(Event::to_json).collect::<Vec<_>>(),
        })
    }
}

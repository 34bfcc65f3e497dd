//! Errors in a definition: the names Step Functions defines, and the `Retry` and `Catch`
//! rules of the states that handle them.

use crate::core::value::Value;

use super::model::PathValue;

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

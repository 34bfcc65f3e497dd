//! Errors: a failure inside an execution (an error name and a cause, as Step Functions
//! reports them), and a problem that stops a run before it starts.

/// An error raised while a state runs: `Error` and `Cause`, as in `{"Error": ..., "Cause": ...}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The error name (`States.Runtime`, `Lambda.ServiceException`, a handler's own).
    pub error: String,
    /// The cause: a description, often JSON text.
    pub cause: String,
}

impl Failure {
    /// A failure with the given name and cause.
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Failure {
            error: error.into(),
            cause: cause.into(),
        }
    }

    /// `States.Runtime`: cannot be retried or caught; the execution fails.
    pub fn runtime(cause: impl Into<String>) -> Self {
        Failure::new("States.Runtime", cause)
    }

    /// An intrinsic function failed: `States.Runtime`, as the service reports it. The
    /// States Language specification names this `States.IntrinsicFailure`, but AWS's
    /// developer guide lists no such error: "Handling errors in Step Functions workflows"
    /// (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html)
    /// gives `States.Runtime` for "some exception that it couldn't process", and
    /// "Intrinsic functions for JSONPath states" says a malformed call returns "a runtime
    /// error" (local/tests/conformance/intrinsics.json cites both, in its `follows`).
    pub fn intrinsic(cause: impl Into<String>) -> Self {
        Failure::runtime(cause)
    }

    /// `States.QueryEvaluationError`: a JSONata expression failed.
    pub fn query(cause: impl Into<String>) -> Self {
        Failure::new("States.QueryEvaluationError", cause)
    }

    /// `{"Error": ..., "Cause": ...}`: what a Catch passes on.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"Error": self.error, "Cause": self.cause})
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error, self.cause)
    }
}

impl std::error::Error for Failure {}

//! Errors: a failure inside an execution (an error name and a cause, as Step Functions
//! reports them, [`Failure`]), and what stops a run before it starts ([`Error`]: a machine
//! the app does not have, a template expression that cannot be resolved, a definition that
//! does not parse, a mock file, JSON text or the app's functions that cannot be had).

pub use crate::handlers::BuildError;
pub use crate::json::JsonError;
pub use crate::mock::{MockError, MockProblem};
pub use crate::template::{Unresolvable, Unresolved};

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
    /// (<https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html>)
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

/// Why rcdk-local cannot give what was asked of it before a run: the machine of an app
/// ([`crate::Workflow::of`], [`crate::template::AppTemplates::machine`]), a definition
/// ([`crate::Machine::from_json_str`]), a mock file ([`crate::mock::MockConfig`]) or the app's
/// own functions ([`crate::Workflow::local_functions`]). Its text is the message a user
/// reads; its variants say what went wrong, for a test or a tool to act on.
///
/// ```
/// # fn app() -> constructs::App { constructs::App::new(".") }
/// use rcdk_local::{Error, Workflow};
///
/// match Workflow::of(&app(), "Orders/Nope") {
///     Err(Error::UnknownMachine { selector, known }) => {
///         assert_eq!(selector, "Orders/Nope");
///         assert!(known.is_empty());
///     }
///     other => panic!("{:?}", other.err()),
/// }
/// ```
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The app does not synthesize: its problems are the source's.
    #[error("the app does not synthesize: {0}")]
    Synth(#[source] constructs::SynthError),

    /// No machine of the app answers to `selector`.
    #[error("there is no state machine '{selector}'{}", known_machines(known))]
    UnknownMachine {
        /// What was asked for: a construct path, `Stack/LogicalId` or a name.
        selector: String,
        /// The construct paths of the app's machines.
        known: Vec<String>,
    },

    /// More than one machine answers to `selector` (a name two stacks give).
    #[error(
        "'{selector}' names {} machines ({}): use the construct path",
        matches.len(),
        matches.join(", ")
    )]
    AmbiguousMachine {
        /// What was asked for.
        selector: String,
        /// The construct paths of the machines it names.
        matches: Vec<String>,
    },

    /// The app has no stack of this name.
    #[error("there is no stack {stack}")]
    UnknownStack {
        /// The stack asked for.
        stack: String,
    },

    /// A state machine resource with neither `Definition` nor `DefinitionString`.
    #[error("the state machine has no Definition")]
    NoDefinition {
        /// Its stack.
        stack: String,
        /// Its logical id.
        logical_id: String,
    },

    /// A state machine's `DefinitionString` that is not JSON once resolved.
    #[error("the DefinitionString is not JSON: {message}")]
    DefinitionString {
        /// Its stack.
        stack: String,
        /// Its logical id.
        logical_id: String,
        /// What the JSON reader says.
        message: String,
    },

    /// A CloudFormation expression of a template that cannot be resolved locally.
    #[error(transparent)]
    Unresolved(Box<Unresolved>),

    /// A definition that is not the States Language: where in it, and what.
    #[error("the definition does not parse: {0}")]
    Parse(#[source] constructs::stepfunctions::asl::ParseError),

    /// A problem of the app's machine at `path` (its definition, its substitutions).
    #[error("{path}: {source}")]
    Machine {
        /// The machine's construct path.
        path: String,
        /// What is wrong with it.
        #[source]
        source: Box<Error>,
    },

    /// JSON text that is not JSON, or holds a number it cannot keep.
    #[error(transparent)]
    Json(#[from] JsonError),

    /// A mock file that breaks the mock configuration's format, or lacks what was asked.
    #[error(transparent)]
    Mock(#[from] MockError),

    /// The app's functions could not be built to run locally.
    #[error(transparent)]
    Build(#[from] BuildError),
}

fn known_machines(known: &[String]) -> String {
    if known.is_empty() {
        ": the app has none".to_string()
    } else {
        format!("; the app's machines: {}", known.join(", "))
    }
}

impl From<Unresolved> for Error {
    fn from(e: Unresolved) -> Self {
        Error::Unresolved(Box::new(e))
    }
}

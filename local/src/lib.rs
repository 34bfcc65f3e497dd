//! Runs Amazon States Language state machines locally: a faithful interpreter on a virtual
//! clock, with Task states answered by mocks (AWS Step Functions Local's mock configuration),
//! by live calls, or by the app's own handlers.
//!
//! ```
//! use rcdk_local::{run, Machine, RunOptions, Status};
//! use serde_json::json;
//!
//! let machine = Machine::from_json_str("Hello", r#"{
//!     "StartAt": "Greet",
//!     "States": {"Greet": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('Hello, {}!', $.name)"}, "End": true}}
//! }"#).unwrap();
//! let outcome = run(&machine, json!({"name": "Ada"}), &mut rcdk_local::no_tasks(), &RunOptions::default());
//! assert_eq!(outcome.status, Status::Succeeded);
//! assert_eq!(outcome.output, Some(json!({"greeting": "Hello, Ada!"})));
//! ```

pub mod clock;
pub mod error;
mod exec;
pub mod handlers;
mod hashing;
pub mod history;
mod intrinsics;
pub mod json;
mod jsonata;
pub mod lambda;
pub mod mock;
mod paths;
pub mod report;
pub mod rng;
mod run;
pub mod template;
mod workflow;

pub use error::{Error, Failure};
pub use exec::{MAX_DEPTH, MAX_PAYLOAD_BYTES};
pub use history::{Event, EventView, MAX_HISTORY_EVENTS};
pub use run::{
    Machine, Outcome, Purpose, RunOptions, SharedRunner, Status, TaskAnswer, TaskCall, TaskRunner,
};
pub use workflow::Workflow;

/// Runs `machine` with `input` to its end: every Task answered by `runner`; the outcome holds
/// the history (a STANDARD execution's has at most [`MAX_HISTORY_EVENTS`] events, each with
/// payloads of up to [`MAX_PAYLOAD_BYTES`]: [`run_streaming`] keeps none).
pub fn run(
    machine: &Machine,
    input: serde_json::Value,
    runner: &mut dyn TaskRunner,
    options: &RunOptions,
) -> Outcome {
    let mut events = Vec::new();
    let mut outcome = exec::run(machine, input, runner, options, &mut |e| {
        events.push(e.to_event())
    });
    outcome.history = events;
    outcome
}

/// Runs `machine` with `input` to its end, each history event handed to `on_event` as it
/// happens and none kept (the outcome's history is empty): the run's memory does not grow
/// with its history.
pub fn run_streaming(
    machine: &Machine,
    input: serde_json::Value,
    runner: &mut dyn TaskRunner,
    options: &RunOptions,
    on_event: &mut dyn FnMut(&EventView<'_>),
) -> Outcome {
    exec::run(machine, input, runner, options, on_event)
}

/// A runner for machines without tasks: any Task fails, naming its state and resource.
pub fn no_tasks() -> impl TaskRunner {
    |call: &TaskCall<'_>| -> Result<TaskAnswer, Failure> {
        Err(Failure::new(
            "rcdk.NoRunner",
            format!(
                "The Task state '{}' ({}) has no mock and no runner",
                call.state, call.resource
            ),
        ))
    }
}

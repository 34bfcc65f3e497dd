//! The runner's limits are AWS's: a STANDARD execution fails at its 25,000th history event
//! (retries counted, as their events are), an execution times out at the longest its type
//! may run, a state's result is held to the payload limit, and no value grows deeper than
//! the runner reads back. Each expectation cites the AWS page (or the recorded execution) it
//! comes from; the bounds of the runner's own are said to be its own.

use std::cell::Cell;
use std::rc::Rc;

use rcdk_local::{
    run, run_streaming, Failure, Machine, RunOptions, Status, TaskAnswer, TaskCall,
    MAX_HISTORY_EVENTS,
};
use serde_json::{json, Value as Json};

fn machine(definition: Json) -> Machine {
    Machine::from_json_str("M", &definition.to_string()).expect("a valid definition")
}

/// "If the event number 25,000 isn't ExecutionSucceeded, the ExecutionFailed event is logged
/// and the state machine execution fails because of reaching the history limit" (developer
/// guide, "Avoid reaching the history quota"); the error and cause as AWS recorded them
/// (loads/ardere#86): `States.Runtime`, "The execution reached the maximum number of history
/// events (25000)."
#[test]
fn a_standard_execution_fails_at_its_25000th_event_as_aws_fails_it() {
    let m = machine(json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": false, "Next": "A"}], "Default": "C"},
        "C": {"Type": "Succeed"}}}));
    let outcome = run(
        &m,
        json!({}),
        &mut rcdk_local::no_tasks(),
        &RunOptions::default(),
    );
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.error.as_deref(), Some("States.Runtime"));
    assert_eq!(
        outcome.cause.as_deref(),
        Some("The execution reached the maximum number of history events (25000).")
    );
    assert_eq!(outcome.history.len() as u64, MAX_HISTORY_EVENTS);
    let last = outcome.history.last().expect("events");
    assert_eq!((last.id, last.kind.as_str()), (25_000, "ExecutionFailed"));
    for (i, e) in outcome.history.iter().enumerate() {
        assert_eq!(e.id, i as u64 + 1);
    }
}

/// The 25,000th event may be the execution's success.
#[test]
fn a_success_may_be_the_25000th_event_and_one_more_state_fails() {
    // 1 + 2 per state + 1: 4 per turn of Count and More?, 2 for Done, 2 for the ends
    let counting = |limit: u64| {
        let m = machine(json!({"StartAt": "Count", "States": {
            "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)", "limit.$": "$.limit"}, "Next": "More?"},
            "More?": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericLessThanPath": "$.limit", "Next": "Count"}], "Default": "Done"},
            "Done": {"Type": "Succeed"}}}));
        run(
            &m,
            json!({"n": 0, "limit": limit}),
            &mut rcdk_local::no_tasks(),
            &RunOptions::default(),
        )
    };
    let just = counting(6249);
    assert_eq!(just.status, Status::Succeeded, "{:?}", just.cause);
    assert_eq!(just.history.len(), 25_000);
    assert_eq!(
        just.history.last().map(|e| e.kind.as_str()),
        Some("ExecutionSucceeded")
    );
    let over = counting(6250);
    assert_eq!(over.status, Status::Failed);
    assert_eq!(over.history.len(), 25_000);
    assert_eq!(
        over.cause.as_deref(),
        Some("The execution reached the maximum number of history events (25000).")
    );
}

/// Each retry writes its `TaskScheduled`, `TaskStarted` and `TaskFailed`: a task retried
/// without end stops at the history limit; the attempt whose events would pass it is never
/// called.
#[test]
fn retries_count_their_events_against_the_limit() {
    let m = machine(json!({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "f"},
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "BackoffRate": 1.0, "MaxAttempts": 99999999}],
        "End": true}}}));
    let calls = Rc::new(Cell::new(0u64));
    let counted = Rc::clone(&calls);
    let mut runner = move |_: &TaskCall<'_>| -> Result<TaskAnswer, Failure> {
        counted.set(counted.get() + 1);
        Err(Failure::new("Flaky", "again"))
    };
    let outcome = run(&m, json!({}), &mut runner, &RunOptions::default());
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.error.as_deref(), Some("States.Runtime"));
    assert_eq!(outcome.history.len(), 25_000);
    // events 1 and 2 are the start and the state's entry; attempt k writes 3k, 3k+1, 3k+2:
    // attempt 8,333's TaskStarted would be the 25,000th
    assert_eq!(calls.get(), 8_332);
    assert_eq!(
        outcome.elapsed_seconds(),
        8_332.0,
        "a second before each retry, the last one's included"
    );
}

/// "Maximum execution time: 1 year. If an execution runs for more than the 1-year maximum, it
/// will fail with a `States.Timeout` error" (5 minutes for an EXPRESS one; the quota page,
/// <https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html>).
#[test]
fn an_execution_times_out_at_the_longest_its_type_runs() {
    let long = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 99999999, "End": true}}});
    let outcome = run(
        &machine(long.clone()),
        json!({}),
        &mut rcdk_local::no_tasks(),
        &RunOptions::default(),
    );
    assert_eq!(outcome.status, Status::TimedOut);
    assert_eq!(outcome.error.as_deref(), Some("States.Timeout"));
    assert_eq!(outcome.elapsed_seconds(), 31_536_000.0);
    assert!(
        outcome
            .cause
            .as_deref()
            .unwrap_or_default()
            .contains("1-year maximum"),
        "{:?}",
        outcome.cause
    );
    let mut express = machine(long);
    express.express = true;
    let outcome = run(
        &express,
        json!({}),
        &mut rcdk_local::no_tasks(),
        &RunOptions::default(),
    );
    assert_eq!(outcome.status, Status::TimedOut);
    assert_eq!(outcome.elapsed_seconds(), 300.0);
    // a TimeoutSeconds within the limit decides
    let own = machine(
        json!({"TimeoutSeconds": 60, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 99999999, "End": true}}}),
    );
    let outcome = run(
        &own,
        json!({}),
        &mut rcdk_local::no_tasks(),
        &RunOptions::default(),
    );
    assert_eq!(outcome.elapsed_seconds(), 60.0);
    assert!(outcome
        .cause
        .as_deref()
        .unwrap_or_default()
        .contains("TimeoutSeconds (60 s)"));
}

/// An EXPRESS execution's history has no limit ("Maximum execution history size: Unlimited").
#[test]
fn an_express_history_passes_25000_events() {
    let mut m = machine(json!({"StartAt": "Count", "States": {
        "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "More?"},
        "More?": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericLessThan": 7000, "Next": "Count"}], "Default": "Done"},
        "Done": {"Type": "Succeed"}}}));
    m.express = true;
    let mut events = 0u64;
    let outcome = run_streaming(
        &m,
        json!({"n": 0}),
        &mut rcdk_local::no_tasks(),
        &RunOptions::default(),
        &mut |_| events += 1,
    );
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(events, 28_004);
    assert!(outcome.history.is_empty(), "a streaming run keeps none");
}

/// A child execution of a Distributed Map has a history of its own, limited as an
/// execution's is: a child that never ends fails, as a child, at its own 25,000th event.
#[test]
fn a_distributed_map_child_fails_at_its_own_history_limit() {
    let m = machine(json!({"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.items", "End": true,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}}}}}));
    let outcome = run(
        &m,
        json!({"items": [1]}),
        &mut rcdk_local::no_tasks(),
        &RunOptions::default(),
    );
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(
        outcome.error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
    // the parent's own history stays short
    assert!(outcome.history.len() < 10, "{}", outcome.history.len());
}

/// A Map's result is held to the payload limit as a task's is: once it passes 256 KiB the
/// results are no longer kept, and the state fails with `States.DataLimitExceeded`.
#[test]
fn a_map_result_past_the_payload_limit_fails_the_state() {
    let pad = "x".repeat(1000);
    let m = machine(json!({"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.items", "ResultPath": null, "End": true,
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"pad": pad}, "End": true}}}}}}));
    let items: Vec<u32> = (0..300).collect();
    let outcome = run(
        &m,
        json!({ "items": items }),
        &mut rcdk_local::no_tasks(),
        &RunOptions::default(),
    );
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.error.as_deref(), Some("States.DataLimitExceeded"));
    // under the limit, the same state succeeds
    let items: Vec<u32> = (0..100).collect();
    let outcome = run(
        &m,
        json!({ "items": items }),
        &mut rcdk_local::no_tasks(),
        &RunOptions::default(),
    );
    assert_eq!(outcome.status, Status::Succeeded);
}

/// A loop that nests its input in itself turn after turn stops at the runner's depth (its
/// own bound: every value it writes can be read back) with `States.Runtime`, never a stack
/// overflow; so does a ResultPath deeper than it.
#[test]
fn a_value_grown_too_deep_is_an_error_not_a_stack_overflow() {
    for wrap in [
        json!({"Type": "Pass", "Parameters": {"prev.$": "$"}, "Next": "Wrap"}),
        json!({"Type": "Pass", "ResultPath": "$.next", "Next": "Wrap"}),
    ] {
        let m = machine(json!({"StartAt": "Wrap", "States": {"Wrap": wrap}}));
        let outcome = run(
            &m,
            json!({}),
            &mut rcdk_local::no_tasks(),
            &RunOptions::default(),
        );
        assert_eq!(outcome.status, Status::Failed);
        assert_eq!(outcome.error.as_deref(), Some("States.Runtime"));
        assert!(
            outcome
                .cause
                .as_deref()
                .unwrap_or_default()
                .contains("levels deep"),
            "{:?}",
            outcome.cause
        );
    }
    let deep_path = format!("${}", ".a".repeat(500));
    let m = machine(
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "ResultPath": deep_path, "End": true}}}),
    );
    let outcome = run(
        &m,
        json!({}),
        &mut rcdk_local::no_tasks(),
        &RunOptions::default(),
    );
    assert_eq!(outcome.error.as_deref(), Some("States.Runtime"));
}

/// A streaming run's events are the kept ones, written as `Event::to_json` gives them.
#[test]
fn streamed_events_are_the_kept_events() {
    let m = machine(json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Assign": {"seen.$": "$.n"}, "Next": "T"},
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"}, "End": true}}}));
    let answer = |_: &TaskCall<'_>| -> Result<TaskAnswer, Failure> {
        Ok(TaskAnswer::now(json!({"ok": true})))
    };
    let kept = run(&m, json!({"n": 1}), &mut { answer }, &RunOptions::default());
    let mut written = Vec::new();
    let mut views = Vec::new();
    let streamed = run_streaming(
        &m,
        json!({"n": 1}),
        &mut { answer },
        &RunOptions::default(),
        &mut |e| {
            let time = serde_json::to_string(&rcdk_local::clock::format(e.timestamp)).unwrap();
            let mut text = Vec::new();
            e.write_json(&mut text, &time).unwrap();
            written.push(serde_json::from_slice::<Json>(&text).unwrap());
            views.push(e.to_event());
        },
    );
    assert_eq!(streamed.status, kept.status);
    assert_eq!(views, kept.history);
    let kept_json: Vec<Json> = kept.history.iter().map(|e| e.to_json()).collect();
    assert_eq!(written, kept_json);
    assert_eq!(
        kept.history[2].detail("assignedVariables"),
        Some(&json!({"seen": "1"}))
    );
}

/// Integers keep every digit through JSONPath and a Choice compares them exactly.
#[test]
fn integers_beyond_2_53_keep_every_digit() {
    let m = machine(json!({"StartAt": "Same?", "States": {
        "Same?": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 9007199254740992u64, "Next": "Lost"}], "Default": "Kept"},
        "Lost": {"Type": "Fail", "Error": "DigitsLost"},
        "Kept": {"Type": "Pass", "Parameters": {"n.$": "$.n", "arr.$": "States.Array($.n)"}, "End": true}}}));
    let outcome = run(
        &m,
        json!({"n": 9_007_199_254_740_993_u64}),
        &mut rcdk_local::no_tasks(),
        &RunOptions::default(),
    );
    assert_eq!(outcome.status, Status::Succeeded, "{:?}", outcome.error);
    assert_eq!(
        outcome.output,
        Some(json!({"n": 9_007_199_254_740_993_u64, "arr": [9_007_199_254_740_993_u64]}))
    );
    // an integer beyond 64 bits would be read as a double: a definition with one is refused
    let e = Machine::from_json_str(
        "M",
        r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 123456789012345678901234567890, "End": true}}}"#,
    )
    .unwrap_err();
    assert!(
        matches!(
            &e,
            rcdk_local::Error::Json(rcdk_local::error::JsonError::InexactInteger { literal, .. })
                if literal == "123456789012345678901234567890"
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("does not fit in 64 bits"), "{e}");
}

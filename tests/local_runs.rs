//! The patterns' workflows run locally through rcdk-local's library API, as an app's own
//! tests would run them: the synthesized machine, its tasks answered by mocks and by Rust
//! closures standing in for the app's functions, time on the virtual clock.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use rcdk_local::mock::Reply;
use rcdk_local::{clock, Failure, RunOptions, Status, Workflow};
use serde_json::{json, Value as Json};

fn app() -> constructs::App {
    let config = rcdk::config::parse::<rcdk_patterns::config::Config>("{}", "defaults")
        .expect("the default configuration");
    rcdk_patterns::app::build(&config, &common::root())
}

fn flow(path: &str) -> Workflow {
    Workflow::of(&app(), path)
        .unwrap_or_else(|e| panic!("{e}"))
        .options(RunOptions {
            execution_name: "test".into(),
            start: clock::parse("2025-06-01T12:00:00Z").expect("a timestamp"),
            ..RunOptions::default()
        })
}

/// Records what a state was called with, and answers `{}`.
fn recorder(
    calls: &Rc<RefCell<Vec<Json>>>,
) -> impl FnMut(&rcdk_local::TaskCall<'_>) -> Result<Json, Failure> {
    let calls = Rc::clone(calls);
    move |call| {
        calls.borrow_mut().push(call.input.clone());
        Ok(json!({}))
    }
}

#[test]
fn pattern_000_writes_five_results_seven_seconds_apart_the_last_one_final() {
    let results = Rc::new(RefCell::new(Vec::new()));
    let mut flow = flow("AsyncStreamingResults/ExampleWorkflow")
        .handle("SendResult", recorder(&results))
        .handle("SendFinalResult", recorder(&results));
    assert!(flow.app_machine().machine.express);
    let outcome = flow.run(json!({}));
    assert_eq!(outcome.status, Status::Succeeded, "{:?}", outcome.cause);
    assert_eq!(
        outcome.elapsed_seconds(),
        35.0,
        "five waits of 7 s, one at a time"
    );
    let items = results.borrow();
    assert_eq!(items.len(), 5);
    // the execution's ARN cut into machine:name:id, the form the stream handler reads
    let arn = outcome.execution_arn.splitn(7, ':').nth(6).expect("an ARN");
    for (i, put) in items.iter().enumerate() {
        let item = &put["Item"];
        assert_eq!(item["ExecutionArn"]["S"], arn);
        assert_eq!(item["Result"]["S"], format!("This is simulated result {i}"));
        let entered = clock::format(clock::after(outcome.started, 7.0 * (i as f64 + 1.0)));
        assert_eq!(item["ResultTimestamp"]["S"], entered);
        assert_eq!(item.get("FinalResult").is_some(), i == 4, "{item}");
    }
}

#[test]
fn pattern_001_retries_the_first_write_then_waits_until_the_start_time() {
    let writes = Rc::new(RefCell::new(Vec::new()));
    let mut flow = flow("WaitableWorkflow/WaitableStateMachine")
        .mock(
            "SetInitialStatus",
            [
                Reply::Throw(Failure::new("States.TaskFailed", "throttled")),
                Reply::Return(json!({})),
            ],
        )
        .handle("SetFinalStatus", recorder(&writes));
    let outcome = flow.run(json!({"Id": "job-1", "StartTimestamp": "2025-06-01T12:01:00Z"}));
    assert_eq!(outcome.status, Status::Succeeded, "{:?}", outcome.cause);
    assert_eq!(
        outcome.path,
        ["SetInitialStatus", "WaitUntil", "SetFinalStatus"]
    );
    // the retry's 20 s count toward the wait: it ends at the start time, 60 s in
    assert_eq!(outcome.elapsed_seconds(), 60.0);
    let update = &writes.borrow()[0];
    assert_eq!(update["Key"]["Id"]["S"], "job-1");
    assert_eq!(
        update["ExpressionAttributeValues"][":newStatus"]["S"],
        "COMPLETED"
    );
    assert_eq!(
        update["ExpressionAttributeValues"][":newTimestamp"]["S"],
        "2025-06-01T12:01:00Z"
    );
}

#[test]
fn pattern_002_marks_the_task_done_after_thirty_virtual_seconds() {
    let writes = Rc::new(RefCell::new(Vec::new()));
    let mut flow = flow("TaskStatus/StateMachine")
        .handle("CreateDynamoTaskItem", recorder(&writes))
        .handle("UpdateDynamoTaskItem", recorder(&writes));
    let outcome = flow.run(json!({"taskId": "Breakfast", "timestamp": 1700000000}));
    assert_eq!(outcome.status, Status::Succeeded, "{:?}", outcome.cause);
    assert_eq!(outcome.elapsed_seconds(), 30.0);
    let writes = writes.borrow();
    assert_eq!(writes[0]["Item"]["timestamp"]["N"], "1700000000");
    assert_eq!(writes[1]["ExpressionAttributeValues"][":val"]["S"], "Done");
    // ResultPath null: the input goes through the first task unchanged
    assert_eq!(
        outcome.state_input("UpdateDynamoTaskItem"),
        Some(json!({"taskId": "Breakfast", "timestamp": 1700000000}))
    );
}

#[test]
fn pattern_003_retries_a_precondition_error_then_runs_all_six_steps() {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let mut flow = flow("EmbeddedWorkflow/ProcessA");
    for step in ["A", "B", "C", "D", "E", "F"] {
        let seen = Rc::clone(&seen);
        let mut failures_left = if step == "C" { 2 } else { 0 };
        flow = flow.function(&format!("EmbeddedWorkflow/step{step}"), move |event| {
            seen.borrow_mut().push(step);
            if failures_left > 0 {
                failures_left -= 1;
                return Err(rcdk_local::lambda::function_error(
                    "S3DataPreconditionError",
                    "not there yet",
                ));
            }
            let mut out = event.clone();
            out[format!("step{step}")] = json!("done");
            Ok(out)
        });
    }
    let outcome = flow.run(json!({"key": "k1"}));
    assert_eq!(outcome.status, Status::Succeeded, "{:?}", outcome.cause);
    assert_eq!(*seen.borrow(), ["A", "B", "C", "C", "C", "D", "E", "F"]);
    // two retries of IntervalSeconds 1 and BackoffRate 1
    assert_eq!(outcome.elapsed_seconds(), 2.0);
    let output = outcome.output.expect("an output");
    assert_eq!(output["stepF"], "done");
    assert_eq!(output["key"], "k1");
}

#[test]
fn pattern_003_a_fourth_precondition_error_fails_the_execution_with_it() {
    let mut flow = flow("EmbeddedWorkflow/ProcessA").function("EmbeddedWorkflow/stepA", |_| {
        Err(rcdk_local::lambda::function_error(
            "S3DataPreconditionError",
            "never there",
        ))
    });
    let outcome = flow.run(json!({}));
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.error.as_deref(), Some("S3DataPreconditionError"));
    // step-a has no retrier for it: no retry
    assert_eq!(outcome.elapsed_seconds(), 0.0);
}

#[test]
fn pattern_004_maps_the_list_through_the_function_and_times_out_past_20_seconds() {
    let list = |n: usize| {
        let values: Vec<Json> = (0..n)
            .map(|i| json!({"M": {"n": {"N": i.to_string()}}}))
            .collect();
        json!({"Item": {"values": {"L": values}}})
    };
    let run = |n: usize| {
        let mut flow = flow("MapDynamoDb/TestStateMachine")
            .mock("ReadDDBTable", [Reply::Return(list(n))])
            .function("MapDynamoDb/Lambda", |event| {
                Ok(json!({"seen": event["M"]["n"]["N"]}))
            });
        flow.run(json!({}))
    };
    let outcome = run(3);
    assert_eq!(outcome.status, Status::Succeeded, "{:?}", outcome.cause);
    assert_eq!(
        outcome.elapsed_seconds(),
        6.0,
        "one item at a time, 2 s each"
    );
    let output = outcome.output.expect("an output");
    assert_eq!(output[2]["Payload"]["seen"], "2");
    assert_eq!(output[0]["StatusCode"], 200);
    // the machine's TimeoutSeconds is 20: eleven items of 2 s do not fit
    let outcome = run(11);
    assert_eq!(outcome.status, Status::TimedOut);
    assert_eq!(outcome.elapsed_seconds(), 20.0);
    assert_eq!(
        outcome.history.last().map(|e| e.kind.as_str()),
        Some("ExecutionTimedOut")
    );
}

#[test]
fn pattern_004_s_map_runs_the_real_process_item_handler() {
    let list = json!({"Item": {"values": {"L": [{"S": "Economics"}, {"M": {"n": {"N": "1"}}}]}}});
    let mut flow = flow("MapDynamoDb/TestStateMachine")
        .mock("ReadDDBTable", [Reply::Return(list)])
        .local_functions(&common::root())
        .unwrap_or_else(|e| panic!("{e}"));
    let outcome = flow.run(json!({}));
    assert_eq!(outcome.status, Status::Succeeded, "{:?}", outcome.cause);
    let output = outcome.output.expect("an output");
    assert_eq!(output[0]["Payload"], json!({"S": "Economics"}));
    assert_eq!(output[1]["Payload"], json!({"M": {"n": {"N": "1"}}}));
    // a bad element: the handler's own error, as Step Functions reports it
    let mut flow = flow_with_list(json!([{}]));
    let outcome = flow.run(json!({}));
    assert_eq!(outcome.status, Status::Failed);
    // lambda_runtime names the error after its Rust type; the cause carries the message
    let cause = outcome.cause.unwrap_or_default();
    assert!(cause.contains("the event is an empty object"), "{cause}");
}

fn flow_with_list(values: Json) -> Workflow {
    flow("MapDynamoDb/TestStateMachine")
        .mock(
            "ReadDDBTable",
            [Reply::Return(json!({"Item": {"values": {"L": values}}}))],
        )
        .local_functions(&common::root())
        .unwrap_or_else(|e| panic!("{e}"))
}

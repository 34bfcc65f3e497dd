//! What the conformance suite's single outputs cannot show: time on the virtual clock across
//! lanes and branches, the history's shape, a Distributed Map's reader, batches, tolerated
//! failures and writer, and the runner's view of each call.

use std::cell::RefCell;
use std::rc::Rc;

use rcdk_local::mock::{MockedResponse, Mocks, Reply};
use rcdk_local::{run, Failure, Machine, Purpose, RunOptions, Status, TaskAnswer, TaskCall};
use serde_json::{json, Value as Json};

fn machine(definition: Json) -> Machine {
    Machine::from_json_str("M", &definition.to_string()).expect("a valid definition")
}

#[test]
fn max_concurrency_runs_iterations_in_lanes_on_the_virtual_clock() {
    let m = machine(json!({
        "StartAt": "Each",
        "States": {"Each": {"Type": "Map", "MaxConcurrency": 2, "ItemsPath": "$.items",
            "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": true}}},
            "End": true}}
    }));
    let outcome = run(
        &m,
        json!({"items": [1, 2, 3, 4]}),
        &mut rcdk_local::no_tasks(),
        &RunOptions::default(),
    );
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(
        outcome.elapsed_seconds(),
        20.0,
        "four 10 s iterations, two at a time"
    );
    let unlimited = machine(json!({
        "StartAt": "Each",
        "States": {"Each": {"Type": "Map", "ItemsPath": "$.items",
            "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$", "End": true}}},
            "End": true}}
    }));
    let outcome = run(
        &unlimited,
        json!({"items": [3, 7, 5]}),
        &mut rcdk_local::no_tasks(),
        &RunOptions::default(),
    );
    assert_eq!(
        outcome.elapsed_seconds(),
        7.0,
        "all at once: the longest decides"
    );
}

#[test]
fn a_parallel_state_ends_with_its_longest_branch_and_the_history_chains_its_events() {
    let m = machine(json!({
        "StartAt": "Both",
        "States": {"Both": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 4, "End": true}}},
            {"StartAt": "B", "States": {"B": {"Type": "Wait", "Seconds": 9, "End": true}}}
        ]}}
    }));
    let outcome = run(
        &m,
        json!({"x": 1}),
        &mut rcdk_local::no_tasks(),
        &RunOptions::default(),
    );
    assert_eq!(outcome.output, Some(json!([{"x": 1}, {"x": 1}])));
    assert_eq!(outcome.elapsed_seconds(), 9.0);
    let kinds: Vec<&str> = outcome.history.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "ExecutionStarted",
            "ParallelStateEntered",
            "ParallelStateStarted",
            "WaitStateEntered",
            "WaitStateExited",
            "WaitStateEntered",
            "WaitStateExited",
            "ParallelStateSucceeded",
            "ParallelStateExited",
            "ExecutionSucceeded"
        ]
    );
    // ids in order; the second branch's first event follows ParallelStateStarted, and the
    // state's end follows the last event of the branches
    let previous: Vec<u64> = outcome
        .history
        .iter()
        .map(|e| e.previous_event_id)
        .collect();
    assert_eq!(previous, [0, 1, 2, 3, 4, 3, 6, 7, 8, 9]);
    for (i, e) in outcome.history.iter().enumerate() {
        assert_eq!(e.id, i as u64 + 1);
    }
    let entered = outcome.history[3].to_json();
    assert_eq!(entered["stateEnteredEventDetails"]["name"], "A");
    assert_eq!(
        entered["stateEnteredEventDetails"]["input"], "{\"x\":1}",
        "payloads are JSON text"
    );
    assert_eq!(
        outcome.history[6].to_json()["timestamp"],
        "2025-01-01T00:00:09Z"
    );
}

#[test]
fn the_runner_sees_each_call_with_its_token_and_timeout_and_the_clock_moves_by_its_time() {
    let m = machine(json!({
        "StartAt": "Ask",
        "States": {"Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"token.$": "$$.Task.Token", "n.$": "$.n"}, "TimeoutSeconds": 60, "End": true}}
    }));
    let seen = Rc::new(RefCell::new(Vec::new()));
    let log = Rc::clone(&seen);
    let mut runner = move |call: &TaskCall<'_>| -> Result<TaskAnswer, Failure> {
        log.borrow_mut().push((
            call.task_token.map(str::to_string),
            call.input.clone(),
            call.timeout_seconds,
        ));
        Ok(TaskAnswer {
            result: json!({"answered": true}),
            seconds: 12.5,
        })
    };
    let outcome = run(&m, json!({"n": 3}), &mut runner, &RunOptions::default());
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(outcome.elapsed_seconds(), 12.5);
    let (token, input, timeout) = seen.borrow()[0].clone();
    let token = token.expect("a token for .waitForTaskToken");
    assert_eq!(input, json!({"token": token, "n": 3}));
    assert_eq!(timeout, 60.0);
    // past TimeoutSeconds: States.Timeout at 60 s
    let mut slow = |_: &TaskCall<'_>| -> Result<TaskAnswer, Failure> {
        Ok(TaskAnswer {
            result: json!({}),
            seconds: 90.0,
        })
    };
    let outcome = run(&m, json!({"n": 3}), &mut slow, &RunOptions::default());
    assert_eq!(outcome.error.as_deref(), Some("States.Timeout"));
    assert_eq!(outcome.elapsed_seconds(), 60.0);
    assert!(outcome.history.iter().any(|e| e.kind == "TaskTimedOut"));
}

#[test]
fn a_distributed_map_reads_batches_tolerates_and_writes_its_results() {
    let m = machine(json!({
        "StartAt": "Each",
        "States": {"Each": {"Type": "Map", "End": true,
            "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                "Parameters": {"Bucket": "in", "Key.$": "$.key"}},
            "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"run.$": "$.run"}},
            "ToleratedFailureCount": 1,
            "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix": "results"}},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "End": true}}}}}
    }));
    let calls = Rc::new(RefCell::new(Vec::new()));
    let log = Rc::clone(&calls);
    let mut runner = move |call: &TaskCall<'_>| -> Result<TaskAnswer, Failure> {
        log.borrow_mut().push((call.purpose, call.input.clone()));
        match call.purpose {
            Purpose::ItemReader => Ok(TaskAnswer::now(json!("id,name\n1,a\n2,b\n3,c\n"))),
            Purpose::ResultWriter => Ok(TaskAnswer::now(json!({}))),
            Purpose::Task if call.input["Payload"]["Items"][0]["id"] == "3" => {
                Err(Failure::new("Boom", "the third item"))
            }
            Purpose::Task => Ok(TaskAnswer::now(
                json!({"Payload": call.input["Payload"]["Items"].as_array().map(Vec::len)}),
            )),
        }
    };
    let outcome = run(
        &m,
        json!({"key": "in.csv", "run": 7}),
        &mut runner,
        &RunOptions::default(),
    );
    assert_eq!(outcome.status, Status::Succeeded, "{:?}", outcome.cause);
    let calls = calls.borrow();
    assert_eq!(
        calls[0],
        (
            Purpose::ItemReader,
            json!({"Bucket": "in", "Key": "in.csv"})
        )
    );
    assert_eq!(
        calls[1].1["Payload"],
        json!({"BatchInput": {"run": 7}, "Items": [{"id": "1", "name": "a"}, {"id": "2", "name": "b"}]})
    );
    let written: Vec<&str> = calls
        .iter()
        .filter(|(p, _)| *p == Purpose::ResultWriter)
        .filter_map(|(_, i)| i["Key"].as_str())
        .collect();
    assert_eq!(written.len(), 3, "{written:?}");
    assert!(written[0].starts_with("results/") && written[0].ends_with("/SUCCEEDED_0.json"));
    assert!(written[1].ends_with("/FAILED_0.json"));
    assert!(written[2].ends_with("/manifest.json"));
    let output = outcome.output.expect("an output");
    assert_eq!(output["ResultWriterDetails"]["Bucket"], "out");
    assert_eq!(output["ResultWriterDetails"]["Key"], written[2]);
    let kinds: Vec<&str> = outcome.history.iter().map(|e| e.kind.as_str()).collect();
    assert!(
        kinds.contains(&"MapRunStarted") && kinds.contains(&"MapRunSucceeded"),
        "{kinds:?}"
    );
    assert!(
        !kinds.contains(&"TaskScheduled"),
        "children keep their own histories"
    );
}

#[test]
fn a_distributed_map_past_its_tolerated_failures_fails() {
    let m = machine(json!({
        "StartAt": "Each",
        "States": {"Each": {"Type": "Map", "End": true, "ToleratedFailurePercentage": 40,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                "StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "End": true}}}}}
    }));
    let mut mocks = Mocks::new([(
        "Work".to_string(),
        MockedResponse {
            replies: vec![
                (0, 2, Reply::Throw(Failure::new("Boom", "no"))),
                (3, 9, Reply::Return(json!({}))),
            ],
        },
    )]);
    let outcome = run(
        &m,
        json!([1, 2, 3, 4, 5]),
        &mut mocks,
        &RunOptions::default(),
    );
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(
        outcome.error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
    assert_eq!(mocks.invocations("Work"), 5, "every child ran");
}

#[test]
fn randomness_repeats_for_a_seed_and_express_arns_carry_an_id() {
    let m = machine(json!({
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Parameters": {"id.$": "States.UUID()", "n.$": "States.MathRandom(1, 1000)", "arn.$": "$$.Execution.Id"}, "End": true}}
    }));
    let mut express = m.clone();
    express.express = true;
    let options = RunOptions {
        seed: 42,
        ..RunOptions::default()
    };
    let a = run(&express, json!({}), &mut rcdk_local::no_tasks(), &options).output;
    let b = run(&express, json!({}), &mut rcdk_local::no_tasks(), &options).output;
    assert_eq!(a, b);
    let other = run(
        &express,
        json!({}),
        &mut rcdk_local::no_tasks(),
        &RunOptions {
            seed: 7,
            ..options.clone()
        },
    )
    .output;
    assert_ne!(a, other);
    let arn = a
        .as_ref()
        .and_then(|o| o["arn"].as_str())
        .unwrap_or_default()
        .to_string();
    let parts: Vec<&str> = arn.split(':').collect();
    assert_eq!(
        &parts[..8],
        [
            "arn",
            "aws",
            "states",
            "us-east-1",
            "123456789012",
            "express",
            "M",
            "local"
        ]
    );
    assert_eq!(parts[8].len(), 36, "{arn}");
}

#[test]
fn an_express_loop_of_states_that_take_no_time_is_stopped_as_its_time_limit_would() {
    // an EXPRESS execution has no history limit and 5 minutes of real time, which a loop of
    // Pass states never reaches on the virtual clock: the run's bound stops it, timed out
    let mut m = machine(json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}}));
    m.express = true;
    let options = RunOptions {
        max_transitions: 1000,
        ..RunOptions::default()
    };
    let outcome = run(&m, json!({}), &mut rcdk_local::no_tasks(), &options);
    assert_eq!(outcome.status, Status::TimedOut);
    assert_eq!(outcome.error.as_deref(), Some("States.Timeout"));
    assert!(outcome
        .cause
        .unwrap_or_default()
        .contains("made 1000 state transitions and retries without ending"));
    assert_eq!(
        outcome.history.last().map(|e| e.kind.as_str()),
        Some("ExecutionTimedOut")
    );
}

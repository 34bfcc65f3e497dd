//! The local interpreter (`cargo bench --bench interpret`), on the virtual clock:
//! - `ten_thousand_transitions`: the machine of `benches/run/loop.asl.json` (10,000 state
//!   transitions, 20,002 history events: within a STANDARD execution's 25,000), its history
//!   kept as `rcdk_local::run` keeps it;
//! - `ten_thousand_transitions_streamed`: the same, each event written as `rcdk run --json`
//!   writes it (to a sink), none kept;
//! - `express_with_a_mocked_task`: an EXPRESS loop of 10,000 transitions whose Task a mock
//!   answers (30,004 events: an EXPRESS history has no limit).
//!
//! Targets on a 2-core machine: under 20 ms for the first two, under 50 ms for the third.
//! The whole `rcdk-toolkit run ... --json` process is measured by `scripts/bench-run`
//! (target: under 30 ms).

use rcdk_local::mock::{MockedResponse, Mocks, Reply};
use rcdk_local::{run, run_streaming, Machine, RunOptions, Status};
use serde_json::json;

fn main() {
    divan::main();
}

fn loop_machine() -> Machine {
    let text = include_str!("run/loop.asl.json");
    Machine::from_json_str("Loop", text).expect("a valid definition")
}

#[divan::bench(sample_count = 20)]
fn ten_thousand_transitions(bencher: divan::Bencher) {
    let machine = loop_machine();
    let options = RunOptions::default();
    bencher.bench(|| {
        let outcome = run(
            &machine,
            json!({"n": 0, "limit": 3333}),
            &mut rcdk_local::no_tasks(),
            &options,
        );
        assert_eq!(outcome.status, Status::Succeeded);
        assert_eq!(outcome.path.len(), 10_000);
        assert_eq!(outcome.history.len(), 20_002);
        outcome
    });
}

#[divan::bench(sample_count = 20)]
fn ten_thousand_transitions_streamed(bencher: divan::Bencher) {
    let machine = loop_machine();
    let options = RunOptions::default();
    bencher.bench(|| {
        let mut out = Vec::with_capacity(8 << 20);
        let outcome = run_streaming(
            &machine,
            json!({"n": 0, "limit": 3333}),
            &mut rcdk_local::no_tasks(),
            &options,
            &mut |e| {
                let _ = e.write_json(&mut out, "\"2025-01-01T00:00:00Z\"");
            },
        );
        assert_eq!(outcome.status, Status::Succeeded);
        out.len()
    });
}

/// Count (Pass with an intrinsic), Work (a mocked Task, its result under ResultPath),
/// More? (a Choice): three transitions a turn, 3,334 turns.
fn express_machine() -> Machine {
    let definition = json!({
        "StartAt": "Count",
        "States": {
            "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)", "limit.$": "$.limit"}, "Next": "Work"},
            "Work": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                     "Parameters": {"FunctionName": "worker", "Payload.$": "$"},
                     "ResultSelector": {"ok.$": "$.Payload.ok"}, "ResultPath": "$.last", "Next": "More?"},
            "More?": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericLessThanPath": "$.limit", "Next": "Count"}], "Default": "Done"},
            "Done": {"Type": "Succeed"}
        }
    });
    let mut m =
        Machine::from_json_str("Loop", &definition.to_string()).expect("a valid definition");
    m.express = true;
    m
}

#[divan::bench(sample_count = 20)]
fn express_with_a_mocked_task(bencher: divan::Bencher) {
    let machine = express_machine();
    let options = RunOptions::default();
    bencher.bench(|| {
        let reply = Reply::Return(json!({"StatusCode": 200, "Payload": {"ok": true}}));
        let mut mocks = Mocks::new([(
            "Work".to_string(),
            MockedResponse {
                replies: vec![(0, 10_000, reply)],
            },
        )]);
        let outcome = run(
            &machine,
            json!({"n": 0, "limit": 3334}),
            &mut mocks,
            &options,
        );
        assert_eq!(outcome.status, Status::Succeeded);
        assert_eq!(outcome.path.len(), 3334 * 3 + 1);
        outcome
    });
}

//! The local interpreter (`cargo bench --bench interpret`): a loop machine of 10,000 state
//! transitions, its Task answered by a mock, on the virtual clock.
//! Target on a 2-core machine: under 50 ms.

use rcdk_local::mock::{MockedResponse, Mocks, Reply};
use rcdk_local::{run, Machine, RunOptions, Status};
use serde_json::json;

fn main() {
    divan::main();
}

/// Count (Pass with an intrinsic), Work (a mocked Task, its result under ResultPath),
/// More? (a Choice): three transitions a turn, 3,334 turns.
fn machine() -> Machine {
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
    Machine::from_json_str("Loop", &definition.to_string()).expect("a valid definition")
}

#[divan::bench(sample_count = 20)]
fn ten_thousand_transitions(bencher: divan::Bencher) {
    let machine = machine();
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

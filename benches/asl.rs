//! Render (to ASL JSON text) and validate a generated state machine of 2,000 states
//! (`cargo bench --bench asl`).
//! Target on a 2-core machine: under 10 ms.

use constructs::stepfunctions::asl::*;
use constructs::Value;

fn main() {
    divan::main();
}

/// 2,000 states: runs of Pass, Task (with retry and catch), Wait and Choice, and Maps whose
/// iterations hold more states.
fn generated(states: usize) -> Definition {
    let mut chain: Option<Chain> = None;
    let mut count = 0;
    let mut i = 0;
    while count < states {
        let step: Chain = match i % 5 {
            0 => pass(&format!("Pass {i}"))
                .parameters(
                    Payload::new()
                        .path("id", "$.id")
                        .intrinsic("n", States::math_add("$.n", 1)),
                )
                .result_path(PathValue::path("$.p"))
                .into(),
            1 => task(
                &format!("Task {i}"),
                Value::from("arn:aws:states:::lambda:invoke"),
            )
            .parameters(
                Payload::new()
                    .value("FunctionName", "f")
                    .path("Payload", "$"),
            )
            .retry(
                Retrier::on(["Lambda.ServiceException"])
                    .interval_seconds(2)
                    .max_attempts(3)
                    .backoff_rate(2.0),
            )
            .catch([ErrorName::All], pass(&format!("Recover {i}")))
            .into(),
            2 => wait(&format!("Wait {i}"), WaitFor::Seconds(1)).into(),
            3 => choice(&format!("Choice {i}"))
                .when(
                    Condition::numeric_greater_than("$.n", i as f64),
                    pass(&format!("Big {i}")),
                )
                .afterwards(),
            _ => map(
                &format!("Map {i}"),
                pass(&format!("Inner {i} a")).next(pass(&format!("Inner {i} b"))),
            )
            .items_path("$.items")
            .max_concurrency(4)
            .into(),
        };
        count += match i % 5 {
            1 | 3 => 2,
            4 => 3,
            _ => 1,
        };
        chain = Some(match chain {
            None => step,
            Some(c) => c.next(step),
        });
        i += 1;
    }
    chain
        .expect("at least one state")
        .to_definition()
        .expect("builds")
}

#[divan::bench]
fn render_and_validate_2000_states(bencher: divan::Bencher) {
    let definition = generated(2000);
    let mut total = 0;
    definition.walk(&mut |_, _, _| total += 1);
    assert!(total >= 2000, "{total} states");
    assert_eq!(definition.validate(ValidateOptions::new()), vec![]);
    bencher.bench(|| {
        let rendered = definition.to_value();
        let problems = definition.validate_rendered(&rendered, ValidateOptions::new());
        let text = serde_json::to_string(&rendered).expect("serializes");
        divan::black_box((text, problems))
    });
}

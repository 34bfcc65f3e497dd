//! Synth speed: in-process (the five patterns, the catalog app of the tests with every
//! construct, and a generated stack of 500 resources) and as a whole `rcdk-patterns synth`
//! process, and the diagram of a 2,000-state workflow. Run with `cargo bench --bench synth`.
//!
//! Targets on a 2-core machine: in-process synth of 500 resources under 20 ms; the whole
//! process under 50 ms; the diagram under 100 ms.

use std::path::Path;
use std::process::Command;

use constructs::Format;

// the catalog app (tests/common/mod.rs), what the tests synthesize and deploy
#[allow(unused_imports)]
#[path = "../tests/common/mod.rs"]
mod common;

fn main() {
    divan::main();
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Build, synth and render the five patterns (config.json's settings).
#[divan::bench]
fn patterns_in_process() {
    let config = rcdk::config::load::<rcdk_patterns::config::Config>(&root().join("config.json"))
        .expect("config.json loads");
    let app = rcdk_patterns::app::build(&config, root());
    let assembly = app.synth().expect("the patterns synthesize");
    divan::black_box(assembly.render(Format::Json, None).expect("renders"));
}

/// Build, synth and render the catalog app: every construct of the library in one stack (its
/// site folder listed, its worker crate hashed).
#[divan::bench]
fn catalog_in_process() {
    let app = common::catalog_app(root());
    let assembly = app.synth().expect("the catalog synthesizes");
    divan::black_box(assembly.render(Format::Json, None).expect("renders"));
}

/// Build, synth and render a generated stack of 500 resources.
#[divan::bench]
fn generated_500_resources_in_process() {
    let app = rcdk_patterns::app::generated(root(), 100);
    let assembly = app.synth().expect("the generated app synthesizes");
    assert_eq!(assembly.stacks[0].resource_count(), 500);
    divan::black_box(assembly.render(Format::Json, None).expect("renders"));
}

/// The whole `rcdk-patterns synth` process: start, read config.json, hash the Lambda crate, write the
/// assembly.
#[divan::bench(sample_count = 30)]
fn rcdk_synth_process(bencher: divan::Bencher) {
    let out = std::env::temp_dir().join(format!("rcdk-bench-{}", std::process::id()));
    bencher.bench(|| {
        let status = Command::new(env!("CARGO_BIN_EXE_rcdk-patterns"))
            .current_dir(root())
            .args(["synth", "--quiet", "--out"])
            .arg(&out)
            .status()
            .expect("rcdk runs");
        assert!(status.success());
    });
    let _ = std::fs::remove_dir_all(&out);
}

/// A workflow of 2,000 states as real ones are shaped: 400 blocks of a task (retried, its
/// failures caught by the block's own handler), a choice, a wait or a pass, and the handler.
fn workflow_2000_states() -> serde_json::Value {
    let mut states = serde_json::Map::new();
    let blocks = 400;
    for b in 0..blocks {
        let next_block = if b + 1 < blocks {
            serde_json::json!({"Next": format!("Call {}", b + 1)})
        } else {
            serde_json::json!({"End": true})
        };
        states.insert(
            format!("Call {b}"),
            serde_json::json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "Worker", "Payload.$": "$"},
                "Retry": [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 2}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": format!("Failed {b}")}],
                "Next": format!("Check {b}")}),
        );
        states.insert(
            format!("Check {b}"),
            serde_json::json!({"Type": "Choice", "Choices": [
                {"Variable": "$.Payload.ready", "BooleanEquals": true, "Next": format!("Go on {b}")}],
                "Default": format!("Pause {b}")}),
        );
        states.insert(
            format!("Pause {b}"),
            serde_json::json!({"Type": "Wait", "Seconds": 5, "Next": format!("Go on {b}")}),
        );
        let mut go_on = serde_json::json!({"Type": "Pass"});
        if let (Some(o), Some(n)) = (go_on.as_object_mut(), next_block.as_object()) {
            o.extend(n.clone());
        }
        states.insert(format!("Go on {b}"), go_on);
        states.insert(
            format!("Failed {b}"),
            serde_json::json!({"Type": "Fail", "Error": "Block", "Cause": format!("block {b}")}),
        );
    }
    serde_json::json!({"StartAt": "Call 0", "States": states})
}

/// Lay out and write the SVG of a 2,000-state workflow (target: under 100 ms).
#[divan::bench(sample_count = 20)]
fn diagram_2000_states(bencher: divan::Bencher) {
    let definition = workflow_2000_states();
    bencher.bench(|| {
        let d = constructs::diagram::Diagram::of(&definition).expect("lays out");
        divan::black_box(d.to_svg("2,000 states"))
    });
}

/// The worst shape for a layered layout: 2,000 tasks in a row, every one caught by one
/// handler at the end (its lines are drawn as jumps; target: under 100 ms too).
#[divan::bench(sample_count = 20)]
fn diagram_2000_states_shared_handler(bencher: divan::Bencher) {
    let mut states = serde_json::Map::new();
    for i in 0..2000 {
        let next = if i + 1 < 2000 {
            format!("S{}", i + 1)
        } else {
            "Handler".into()
        };
        states.insert(
            format!("S{i}"),
            serde_json::json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Next": next, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handler"}]}),
        );
    }
    states.insert("Handler".into(), serde_json::json!({"Type": "Fail"}));
    let definition = serde_json::json!({"StartAt": "S0", "States": states});
    bencher.bench(|| {
        let d = constructs::diagram::Diagram::of(&definition).expect("lays out");
        divan::black_box(d.to_svg("shared handler"))
    });
}

//! The conformance suite: machines with inputs, mocks and the results AWS documents, in
//! `tests/conformance/*.json`; every case runs and every difference is reported at once.

use std::path::Path;

use constructs::stepfunctions::asl::Definition;
use rcdk_local::mock::{MockedResponse, Mocks};
use rcdk_local::{clock, run, Machine, RunOptions};
use serde_json::Value as Json;

fn options() -> RunOptions {
    RunOptions {
        execution_name: "exec".into(),
        start: clock::parse("2025-01-01T00:00:00Z").expect("a timestamp"),
        ..RunOptions::default()
    }
}

/// Runs one case; the differences from what it expects.
fn check(case: &Json) -> Vec<String> {
    let mut problems = Vec::new();
    let definition = match Definition::from_json(&case["definition"]) {
        Ok(d) => d,
        Err(e) => return vec![format!("the definition does not parse: {e}")],
    };
    let machine = Machine::new("Machine", definition);
    let mut states = Vec::new();
    if let Some(mocks) = case.get("mocks").and_then(Json::as_object) {
        for (state, response) in mocks {
            match MockedResponse::from_json(response, state) {
                Ok(r) => states.push((state.clone(), r)),
                Err(e) => return vec![format!("bad mock: {e}")],
            }
        }
    }
    let mut mocks = Mocks::new(states);
    let outcome = run(&machine, case["input"].clone(), &mut mocks, &options());
    let expect = &case["expect"];
    let status = outcome.status.as_str();
    if expect["status"] != status {
        problems.push(format!(
            "status {status} (error {:?}, cause {:?}), expected {}",
            outcome.error, outcome.cause, expect["status"]
        ));
    }
    if let Some(output) = expect.get("output") {
        if outcome.output.as_ref() != Some(output) {
            problems.push(format!(
                "output {}, expected {output}",
                outcome
                    .output
                    .as_ref()
                    .map_or("none".into(), |o| o.to_string())
            ));
        }
    }
    if let Some(error) = expect.get("error").and_then(Json::as_str) {
        if outcome.error.as_deref() != Some(error) {
            problems.push(format!(
                "error {:?} (cause {:?}), expected {error}",
                outcome.error, outcome.cause
            ));
        }
    }
    if let Some(cause) = expect.get("cause").and_then(Json::as_str) {
        if outcome.cause.as_deref() != Some(cause) {
            problems.push(format!("cause {:?}, expected {cause:?}", outcome.cause));
        }
    }
    if let Some(path) = expect.get("states") {
        let expected: Vec<&str> = path
            .as_array()
            .map(|a| a.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        if outcome.path != expected {
            problems.push(format!("states {:?}, expected {expected:?}", outcome.path));
        }
    }
    if let Some(elapsed) = expect.get("elapsed_seconds").and_then(Json::as_f64) {
        if (outcome.elapsed_seconds() - elapsed).abs() > 0.001 {
            problems.push(format!(
                "elapsed {} s, expected {elapsed} s",
                outcome.elapsed_seconds()
            ));
        }
    }
    problems
}

#[test]
fn every_case_behaves_as_aws_documents() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/conformance")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut count = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        let cases: Vec<Json> = serde_json::from_str(&text).expect("a JSON array of cases");
        let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("?");
        for case in &cases {
            count += 1;
            let name = case["name"].as_str().unwrap_or("?");
            for p in check(case) {
                failures.push(format!("{stem}/{name}: {p}"));
            }
        }
    }
    assert!(
        count >= 150,
        "the suite has {count} machines; at least 150 expected"
    );
    assert!(
        failures.is_empty(),
        "{} of {count} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

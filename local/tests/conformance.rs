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
    outcome.differences(&case["expect"])
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

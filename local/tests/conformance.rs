//! The conformance suite: machines with inputs, mocks and the results AWS gives, in
//! `tests/conformance/*.json`; every case runs and every difference is reported at once.
//!
//! Every case names where its expected result comes from, in `source`: a page of AWS's
//! documentation with the sentence that decides the result (`url`, `quote`), or an execution
//! recorded against AWS that is kept in `tests/conformance/recorded/` (`recorded`,
//! `execution`). Where AWS's pages disagree (the States Language specification and the
//! developer guide), or a page and AWS's recorded behaviour, the case says in `follows` which
//! it takes and why. A case without a source fails, and so does a recorded execution that
//! rcdk-local does not replay as AWS ran it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use constructs::stepfunctions::asl::Definition;
use rcdk_local::mock::{MockedResponse, Mocks};
use rcdk_local::{clock, run, Machine, RunOptions};
use serde_json::Value as Json;

/// Where a quoted sentence may come from: the Step Functions developer guide, the Amazon States
/// Language specification, and earlier editions of the guide kept in AWS's own repository.
const DOCUMENTATION: [&str; 3] = [
    "https://docs.aws.amazon.com/step-functions/latest/",
    "https://states-language.net/spec.html",
    "https://github.com/awsdocs/aws-step-functions-developer-guide/blob/",
];

/// The longest quote: a sentence or two, not a page.
const MAX_QUOTE_CHARS: usize = 400;

fn options() -> RunOptions {
    RunOptions {
        execution_name: "exec".into(),
        start: clock::parse("2025-01-01T00:00:00Z").expect("a timestamp"),
        ..RunOptions::default()
    }
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance")
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

/// The recorded executions, by file name (`recorded/<file>`) and execution name.
type Recorded = BTreeMap<String, BTreeMap<String, Json>>;

fn recorded() -> Recorded {
    let dir = dir().join("recorded");
    let mut out = Recorded::new();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for path in entries.filter_map(Result::ok).map(|e| e.path()) {
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        let file: Json = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()));
        for key in ["origin", "license"] {
            assert!(
                file[key].as_str().is_some_and(|s| !s.trim().is_empty()),
                "{}: says nothing of its {key}",
                path.display()
            );
        }
        let executions = file["executions"]
            .as_object()
            .unwrap_or_else(|| panic!("{}: no executions object", path.display()));
        let name = format!(
            "recorded/{}",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("?")
        );
        out.insert(
            name,
            executions
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        );
    }
    out
}

/// What is wrong with one entry of a case's `source`.
fn source_problem(entry: &Json, recorded: &Recorded) -> Option<String> {
    let Some(fields) = entry.as_object() else {
        return Some(format!("a source {entry} is not an object"));
    };
    let text = |key: &str| entry.get(key).and_then(Json::as_str).map(str::trim);
    if let Some(file) = text("recorded") {
        if fields.keys().any(|k| k != "recorded" && k != "execution") {
            return Some(format!(
                "a recorded source takes only recorded and execution: {entry}"
            ));
        }
        let Some(execution) = text("execution") else {
            return Some(format!("the recorded source {file} names no execution"));
        };
        return match recorded.get(file) {
            None => Some(format!(
                "no recorded file {file} (tests/conformance/{file})"
            )),
            Some(executions) if !executions.contains_key(execution) => {
                Some(format!("{file} holds no execution {execution:?}"))
            }
            Some(_) => None,
        };
    }
    if fields.keys().any(|k| k != "url" && k != "quote") {
        return Some(format!(
            "a documentation source takes only url and quote: {entry}"
        ));
    }
    let Some(url) = text("url") else {
        return Some(format!("a source with neither url nor recorded: {entry}"));
    };
    if !DOCUMENTATION.iter().any(|prefix| url.starts_with(prefix)) {
        return Some(format!(
            "{url} is not AWS's documentation of Step Functions ({})",
            DOCUMENTATION.join(", ")
        ));
    }
    match text("quote") {
        None | Some("") => Some(format!("{url}: no quote of the sentence that decides")),
        Some(q) if q.chars().count() > MAX_QUOTE_CHARS => Some(format!(
            "{url}: a quote of {} characters; quote the sentence, at most {MAX_QUOTE_CHARS}",
            q.chars().count()
        )),
        Some(_) => None,
    }
}

/// What is wrong with a case's `source` and `follows`.
fn sourcing_problems(case: &Json, recorded: &Recorded) -> Vec<String> {
    let mut out = Vec::new();
    match case.get("source").and_then(Json::as_array) {
        Some(list) if !list.is_empty() => {
            out.extend(list.iter().filter_map(|e| source_problem(e, recorded)));
        }
        _ => out.push(
            "no source: name the documentation page and its sentence, or the recorded execution"
                .to_string(),
        ),
    }
    if let Some(follows) = case.get("follows") {
        if follows.as_str().is_none_or(|s| s.trim().is_empty()) {
            out.push("follows must say which source the case takes and why".to_string());
        }
    }
    out
}

/// Every case file, sorted, with its stem and its cases.
fn case_files() -> Vec<(String, Vec<Json>)> {
    let dir = dir();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/conformance")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|file| {
            let text = std::fs::read_to_string(file).expect("readable");
            let cases: Vec<Json> = serde_json::from_str(&text).expect("a JSON array of cases");
            let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("?");
            (stem.to_string(), cases)
        })
        .collect()
}

#[test]
fn every_case_behaves_as_aws_documents() {
    let mut failures = Vec::new();
    let mut count = 0;
    for (stem, cases) in case_files() {
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

#[test]
fn every_case_names_its_source_in_aws_documentation_or_a_recorded_execution() {
    let recorded = recorded();
    let mut failures = Vec::new();
    let (mut documented, mut replayed) = (0, 0);
    for (stem, cases) in case_files() {
        for case in &cases {
            let name = case["name"].as_str().unwrap_or("?");
            for p in sourcing_problems(case, &recorded) {
                failures.push(format!("{stem}/{name}: {p}"));
            }
            let sources = case["source"].as_array().map(Vec::as_slice).unwrap_or(&[]);
            if sources.iter().any(|s| s.get("recorded").is_some()) {
                replayed += 1;
            } else {
                documented += 1;
            }
        }
    }
    eprintln!(
        "{documented} cases sourced from AWS's documentation, {replayed} with an execution recorded against AWS"
    );
    assert!(
        failures.is_empty(),
        "{} sourcing problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_recorded_execution_replays_as_aws_ran_it() {
    let mut failures = Vec::new();
    let mut count = 0;
    for (file, executions) in recorded() {
        for (name, execution) in executions {
            count += 1;
            let expect = serde_json::json!({
                "status": execution["status"],
                "output": execution["output"],
            });
            let case = serde_json::json!({
                "definition": execution["definition"],
                "input": execution["input"],
                "expect": expect,
            });
            for p in check(&case) {
                failures.push(format!("{file} {name}: {p}"));
            }
        }
    }
    assert!(
        count > 0,
        "no recorded executions in tests/conformance/recorded"
    );
    assert!(
        failures.is_empty(),
        "{} of {count} recorded executions replay differently:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_case_without_a_source_or_with_a_loose_one_is_refused() {
    let recorded = recorded();
    let (file, executions) = recorded.iter().next().expect("a recorded file");
    let execution = executions.keys().next().expect("an execution");
    let good = [
        serde_json::json!([{"url": "https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html", "quote": "A time, in seconds, to wait before beginning the state specified in the Next field."}]),
        serde_json::json!([{"recorded": file, "execution": execution}]),
    ];
    for source in good {
        let case = serde_json::json!({"source": source});
        assert_eq!(sourcing_problems(&case, &recorded), Vec::<String>::new());
    }
    let bad = [
        serde_json::json!(null),
        serde_json::json!([]),
        serde_json::json!([{"url": "https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html"}]),
        serde_json::json!([{"url": "https://example.com/blog", "quote": "it fails"}]),
        serde_json::json!([{"url": "https://states-language.net/spec.html", "quote": "x".repeat(MAX_QUOTE_CHARS + 1)}]),
        serde_json::json!([{"url": "https://states-language.net/spec.html", "quote": "ok", "note": "?"}]),
        serde_json::json!([{"recorded": "recorded/none.json", "execution": "x"}]),
        serde_json::json!([{"recorded": file, "execution": "no such execution"}]),
        serde_json::json!(["a sentence without its page"]),
    ];
    for source in bad {
        let case = serde_json::json!({"source": source});
        assert!(
            !sourcing_problems(&case, &recorded).is_empty(),
            "accepted {source}"
        );
    }
    let case = serde_json::json!({"source": good_source(), "follows": " "});
    assert!(!sourcing_problems(&case, &recorded).is_empty());
}

fn good_source() -> Json {
    serde_json::json!([{"url": "https://states-language.net/spec.html", "quote": "A Wait State MUST contain exactly one of \"Seconds\", \"SecondsPath\", \"Timestamp\", or \"TimestampPath\"."}])
}

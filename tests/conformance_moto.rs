//! The differential test: every conformance case of rcdk-local (`local/tests/conformance`)
//! that moto's interpreter can run as written runs on both, and the two outcomes are
//! compared: status, output (SUCCEEDED), error (FAILED, DescribeExecution's `error`).
//!
//! Left out: cases with Task states (their mocks cannot be given to moto), cases that wait
//! (Wait states, retries) more than ~3 s (moto waits for real), and cases with JSONata or
//! variables (moto 5.2.5 has no JSONata evaluator; it evaluates variables through it).
//! Both sides run the machine under the same name and the execution under the same name
//! (`exec`), so the context object agrees; timestamps are compared by their format only.
//!
//! Every difference must be explained in `tests/moto/differences.json`, one entry per case
//! and field: `{case, field, moto, rcdk, aws_doc, who_is_right}`, with the AWS documentation
//! that says who is right (`"intermittent": true` for one that hangs on moto's randomness).
//! The test fails on a difference that is not listed, printing every one at once ready to
//! paste, and on a listed one that no longer occurs, so the list stays true: when a bug of
//! rcdk-local listed there (`who_is_right: "moto"`) is fixed, its entry must go.
//!
//! scripts/test starts the server and sets RCDK_MOTO_ENDPOINT; without it this test starts
//! one itself from .venv, and fails with the install command when moto is not installed.

mod common;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rcdk_local::{clock, run, Machine, RunOptions};
use serde_json::{json, Value as Json};

use common::moto::Moto;

/// The role every machine is created with (moto does not check it).
const ROLE: &str = "arn:aws:iam::123456789012:role/r";
/// The execution's name on both sides, so `$$.Execution.Name` and `.Id` agree.
const EXECUTION: &str = "exec";
/// The most real time a case may wait (Wait states, retries) to run on moto.
const MAX_WAIT_SECONDS: f64 = 3.0;
/// How many executions run on moto at once.
const CONCURRENCY: usize = 12;
/// How long one execution may run on moto before it counts as stuck.
const EXECUTION_LIMIT: Duration = Duration::from_secs(30);
/// The fewest cases that must run on moto: the comparison must really happen.
const MIN_CASES: usize = 100;

/// A conformance case that runs on both.
struct Case {
    /// `<file stem>/<case name>`.
    id: String,
    /// The machine's name on moto and in rcdk-local (`$$.StateMachine.Name`).
    machine: String,
    definition: Json,
    input: Json,
}

/// How one side ended.
#[derive(Debug, Clone)]
struct Ending {
    status: String,
    output: Option<Json>,
    error: Option<String>,
    cause: Option<String>,
}

/// One difference, as `tests/moto/differences.json` records it.
#[derive(Debug, Clone, PartialEq)]
struct Difference {
    case: String,
    field: &'static str,
    moto: Json,
    rcdk: Json,
}

fn conformance_dir() -> std::path::PathBuf {
    common::root().join("local/tests/conformance")
}

/// Every state of a definition, nested ones (Parallel branches, Map processors) included.
fn states(definition: &Json) -> Vec<&Json> {
    let mut out = Vec::new();
    if let Some(map) = definition.get("States").and_then(Json::as_object) {
        for state in map.values() {
            out.push(state);
            if let Some(branches) = state.get("Branches").and_then(Json::as_array) {
                for b in branches {
                    out.extend(states(b));
                }
            }
            for key in ["ItemProcessor", "Iterator"] {
                if let Some(p) = state.get(key) {
                    out.extend(states(p));
                }
            }
        }
    }
    out
}

/// Whether a definition uses JSONata or variables (an `Assign` anywhere).
fn uses_jsonata_or_variables(value: &Json) -> bool {
    match value {
        Json::Object(map) => map.iter().any(|(key, v)| {
            key == "Assign"
                || (key == "QueryLanguage" && v == "JSONata")
                || uses_jsonata_or_variables(v)
        }),
        Json::Array(items) => items.iter().any(uses_jsonata_or_variables),
        _ => false,
    }
}

/// Why moto cannot run the case as written, if it cannot.
fn unsuitable(case: &Json) -> Option<&'static str> {
    if case.get("mocks").is_some() {
        return Some("mocked tasks");
    }
    // moto 5.2.5 evaluates JSONata, and JSONPath variable references, through a JVM bridge
    // it does not ship (its evaluator is None: every such state fails with "'NoneType'
    // object is not callable"); ../shared/TESTING.md lists both as not executable on moto
    if uses_jsonata_or_variables(&case["definition"]) {
        return Some("JSONata or variables, which moto cannot evaluate");
    }
    let all = states(&case["definition"]);
    if all.iter().any(|s| s["Type"] == "Task") {
        return Some("Task states");
    }
    let elapsed = case["expect"].get("elapsed_seconds").and_then(Json::as_f64);
    if elapsed.is_some_and(|e| e > MAX_WAIT_SECONDS) {
        return Some("waits over 3 s");
    }
    let waits: Vec<&&Json> = all.iter().filter(|s| s["Type"] == "Wait").collect();
    let fixed: f64 = waits
        .iter()
        .filter_map(|s| s.get("Seconds").and_then(Json::as_f64))
        .sum();
    if fixed > MAX_WAIT_SECONDS {
        return Some("waits over 3 s");
    }
    // a wait or a retry whose length only the run tells: the case must say how long it took
    let open_wait = waits
        .iter()
        .any(|s| s.get("Seconds").and_then(Json::as_f64).is_none());
    let retries = all.iter().any(|s| s.get("Retry").is_some());
    if (open_wait || retries) && elapsed.is_none() {
        return Some("waits of unknown length");
    }
    None
}

/// A machine name AWS accepts (1-80 characters), unique across the suite.
fn machine_name(stem: &str, name: &str) -> String {
    let full: String = format!("{stem}-{name}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    full.chars().take(80).collect()
}

/// The cases moto can run, and how many were left out for each reason.
fn cases() -> (Vec<Case>, BTreeMap<&'static str, usize>) {
    let dir = conformance_dir();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut out: Vec<Case> = Vec::new();
    let mut skipped = BTreeMap::new();
    for file in &files {
        let text =
            std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let list: Vec<Json> = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: not a JSON array of cases: {e}", file.display()));
        let stem = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_else(|| panic!("{}: no file stem", file.display()));
        for case in &list {
            if let Some(reason) = unsuitable(case) {
                *skipped.entry(reason).or_insert(0) += 1;
                continue;
            }
            let name = case["name"]
                .as_str()
                .unwrap_or_else(|| panic!("{}: a case without a name", file.display()));
            let machine = machine_name(stem, name);
            assert!(
                out.iter().all(|c| c.machine != machine),
                "two cases make the machine name {machine}"
            );
            out.push(Case {
                id: format!("{stem}/{name}"),
                machine,
                definition: case["definition"].clone(),
                input: case["input"].clone(),
            });
        }
    }
    (out, skipped)
}

/// rcdk-local's ending for the case, in process.
fn run_rcdk(case: &Case) -> Ending {
    let machine = Machine::from_json_str(&case.machine, &case.definition.to_string())
        .unwrap_or_else(|e| panic!("{}: rcdk-local does not parse the definition: {e}", case.id));
    let options = RunOptions {
        execution_name: EXECUTION.into(),
        start: clock::parse("2025-01-01T00:00:00Z").unwrap_or_else(|| panic!("a timestamp")),
        ..RunOptions::default()
    };
    let outcome = run(
        &machine,
        case.input.clone(),
        &mut rcdk_local::no_tasks(),
        &options,
    );
    Ending {
        status: outcome.status.as_str().to_string(),
        output: outcome.output,
        error: outcome.error,
        cause: outcome.cause,
    }
}

/// moto's ending for the case: create the machine, start the execution, wait for its end.
async fn run_moto(sfn: &aws_sdk_sfn::Client, case: &Case) -> Ending {
    let created = sfn
        .create_state_machine()
        .name(&case.machine)
        .definition(case.definition.to_string())
        .role_arn(ROLE)
        .send()
        .await;
    let arn = match created {
        Ok(c) => c.state_machine_arn().to_string(),
        Err(e) => {
            let e = e.into_service_error();
            return Ending {
                status: format!("CreateStateMachine: {}", e.meta().code().unwrap_or("error")),
                output: None,
                error: None,
                cause: e.meta().message().map(str::to_string),
            };
        }
    };
    let started = sfn
        .start_execution()
        .state_machine_arn(&arn)
        .name(EXECUTION)
        .input(case.input.to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{}: StartExecution: {e:?}", case.id));
    let execution = started.execution_arn().to_string();
    let begun = Instant::now();
    loop {
        let d = sfn
            .describe_execution()
            .execution_arn(&execution)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{}: DescribeExecution: {e:?}", case.id));
        let status = d.status().as_str().to_string();
        if status != "RUNNING" || begun.elapsed() > EXECUTION_LIMIT {
            // DescribeExecution's output is JSON text; what is not, is kept as text, marked
            let output = d.output().map(|o| {
                serde_json::from_str(o).unwrap_or_else(|_| json!({ "output that is not JSON": o }))
            });
            return Ending {
                status,
                output,
                error: d.error().map(str::to_string),
                cause: d.cause().map(str::to_string),
            };
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A timestamp's shape (every digit a `d`): two runs' times differ, their format must not.
fn normalize(value: &Json) -> Json {
    match value {
        Json::String(s) => {
            let shape: String = s
                .chars()
                .map(|c| if c.is_ascii_digit() { 'd' } else { c })
                .collect();
            if shape.starts_with("dddd-dd-ddTdd:dd:dd") {
                Json::String(shape)
            } else {
                value.clone()
            }
        }
        Json::Array(items) => Json::Array(items.iter().map(normalize).collect()),
        Json::Object(map) => {
            Json::Object(map.iter().map(|(k, v)| (k.clone(), normalize(v))).collect())
        }
        other => other.clone(),
    }
}

/// The differences between moto's and rcdk-local's endings of one case.
fn compare(case: &Case, moto: &Ending, rcdk: &Ending) -> Vec<Difference> {
    let difference = |field, moto: Json, rcdk: Json| Difference {
        case: case.id.clone(),
        field,
        moto,
        rcdk,
    };
    if moto.status != rcdk.status {
        return vec![difference("status", json!(moto.status), json!(rcdk.status))];
    }
    let mut out = Vec::new();
    if moto.status == "SUCCEEDED" {
        let m = moto.output.as_ref().map(normalize).unwrap_or(Json::Null);
        let r = rcdk.output.as_ref().map(normalize).unwrap_or(Json::Null);
        if m != r {
            out.push(difference("output", m, r));
        }
    }
    if moto.status == "FAILED" && moto.error != rcdk.error {
        out.push(difference("error", json!(moto.error), json!(rcdk.error)));
    }
    out
}

/// A difference `tests/moto/differences.json` explains.
struct Explained {
    difference: Difference,
    /// It depends on moto's randomness: a run may not show it.
    intermittent: bool,
}

/// The explained differences, from `tests/moto/differences.json`.
fn explained() -> Vec<Explained> {
    let path = common::root().join("tests/moto/differences.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let list: Vec<Json> = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{}: not a JSON array: {e}", path.display()));
    list.iter()
        .map(|entry| {
            let text_of = |key: &str| {
                entry[key]
                    .as_str()
                    .filter(|s| !s.trim().is_empty())
                    .unwrap_or_else(|| panic!("differences.json: {entry} has no {key}"))
            };
            let field = match text_of("field") {
                "status" => "status",
                "output" => "output",
                "error" => "error",
                other => panic!("differences.json: field {other:?} is not status, output or error"),
            };
            let who = text_of("who_is_right");
            assert!(
                ["rcdk", "moto", "neither"].contains(&who),
                "differences.json: who_is_right {who:?} is not rcdk, moto or neither"
            );
            text_of("aws_doc");
            Explained {
                difference: Difference {
                    case: text_of("case").to_string(),
                    field,
                    moto: entry.get("moto").cloned().unwrap_or(Json::Null),
                    rcdk: entry.get("rcdk").cloned().unwrap_or(Json::Null),
                },
                intermittent: entry.get("intermittent").is_some_and(|i| {
                    i.as_bool().unwrap_or_else(|| {
                        panic!("differences.json: {entry}: intermittent is not a boolean")
                    })
                }),
            }
        })
        .collect()
}

fn describe(ending: &Ending) -> String {
    let mut s = ending.status.clone();
    if let Some(o) = &ending.output {
        s += &format!(" output {o}");
    }
    if let Some(e) = &ending.error {
        s += &format!(" error {e:?}");
    }
    if let Some(c) = &ending.cause {
        let c: String = c.chars().take(300).collect();
        s += &format!(" cause {c:?}");
    }
    s
}

#[test]
fn moto_s_interpreter_and_rcdk_local_agree_or_aws_documents_who_is_right() {
    let moto = Moto::start();
    moto.reset();
    let begun = Instant::now();
    let (cases, skipped) = cases();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("a tokio runtime: {e}"));
    let config = runtime.block_on(common::moto::sdk_config(&moto.endpoint));
    let sfn = aws_sdk_sfn::Client::new(&config);

    // moto's endings: CONCURRENCY workers take the cases in turn
    let cases = Arc::new(cases);
    let queue = Arc::new(Mutex::new((0..cases.len()).collect::<VecDeque<usize>>()));
    let endings: Vec<(usize, Ending)> = runtime.block_on(async {
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..CONCURRENCY {
            let (cases, queue, sfn) = (cases.clone(), queue.clone(), sfn.clone());
            workers.spawn(async move {
                let mut done = Vec::new();
                loop {
                    let next = queue
                        .lock()
                        .unwrap_or_else(|e| panic!("the queue: {e}"))
                        .pop_front();
                    let Some(i) = next else { break };
                    done.push((i, run_moto(&sfn, &cases[i]).await));
                }
                done
            });
        }
        let mut all = Vec::new();
        while let Some(done) = workers.join_next().await {
            all.extend(done.unwrap_or_else(|e| panic!("a worker: {e}")));
        }
        all
    });
    let mut endings = endings;
    endings.sort_by_key(|(i, _)| *i);
    assert_eq!(endings.len(), cases.len(), "every case ran on moto");

    let mut differences = Vec::new();
    let mut details = BTreeMap::new();
    for (i, moto_ending) in &endings {
        let case = &cases[*i];
        let rcdk_ending = run_rcdk(case);
        let found = compare(case, moto_ending, &rcdk_ending);
        if !found.is_empty() {
            details.insert(
                case.id.clone(),
                format!(
                    "  moto: {}\n  rcdk: {}",
                    describe(moto_ending),
                    describe(&rcdk_ending)
                ),
            );
        }
        differences.extend(found);
    }

    let listed = explained();
    let unexplained: Vec<&Difference> = differences
        .iter()
        .filter(|d| !listed.iter().any(|e| &e.difference == *d))
        .collect();
    // a listed difference must still occur; one that hangs on moto's randomness (intermittent)
    // may not, nor may a listed value of a case's field when another listed value of the same
    // field occurred instead
    let stale: Vec<&Difference> = listed
        .iter()
        .filter(|e| !e.intermittent && !differences.contains(&e.difference))
        .map(|e| &e.difference)
        .filter(|d| {
            !listed.iter().any(|other| {
                other.difference.case == d.case
                    && other.difference.field == d.field
                    && differences.contains(&other.difference)
            })
        })
        .collect();
    eprintln!(
        "{} cases ran on moto and rcdk-local in {:.1} s; {} left out ({}); {} differences, {} explained in tests/moto/differences.json",
        cases.len(),
        begun.elapsed().as_secs_f64(),
        skipped.values().sum::<usize>(),
        skipped
            .iter()
            .map(|(reason, n)| format!("{n} for {reason}"))
            .collect::<Vec<_>>()
            .join(", "),
        differences.len(),
        differences.len() - unexplained.len(),
    );
    assert!(
        cases.len() >= MIN_CASES,
        "only {} cases ran on moto; at least {MIN_CASES} expected",
        cases.len()
    );
    let mut report = String::new();
    for d in &unexplained {
        let entry = json!({
            "case": d.case,
            "field": d.field,
            "moto": d.moto,
            "rcdk": d.rcdk,
            "aws_doc": "",
            "who_is_right": "",
        });
        report += &format!(
            "\n{entry}\n{}\n",
            details.get(&d.case).map(String::as_str).unwrap_or("")
        );
    }
    for d in &stale {
        report += &format!(
            "\nlisted but no longer seen: {} {} (moto {}, rcdk {})\n",
            d.case, d.field, d.moto, d.rcdk
        );
    }
    assert!(
        unexplained.is_empty() && stale.is_empty(),
        "{} differences not explained in tests/moto/differences.json (each needs the AWS documentation that says who is right), {} listed ones no longer seen:\n{report}",
        unexplained.len(),
        stale.len()
    );
}
